/*
 * Enrolment of a signature form: each of the three samples measured as pen
 * ink, the printed lines around it cleared except where a stroke crosses
 * them, the printed caption and line remnants dropped; the samples scored
 * (contrast, completeness, sharpness, crossing a line) and the clearest one,
 * or the one asked for, made the mask.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "enrol_internal.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Clear the printed lines bounding a sample area from the mask, except where
 * a stroke crosses them (ink on both sides). */
static void clear_lines(const seal__page *p, seal__roi *r, const seal__fbox *b)
{
    double hw = 0.45 * p->ppm, probe = hw + 2;
    for (int y = 0; y < r->h; y++)
        for (int x = 0; x < r->w; x++) {
            size_t i = (size_t)y * r->w + x;
            if (!r->m[i])
                continue;
            double u, v;
            seal__to_uv(p, x + r->x0, y + r->y0, &u, &v);
            int online = fabs(v - b->v1) <= hw;
            if (!b->open_sides)
                online = online || fabs(v - b->v0) <= hw || fabs(u - b->u0) <= hw ||
                         fabs(u - b->u1) <= hw;
            if (!online)
                continue;
            /* crossing stroke test across the nearest line */
            int horiz = fabs(v - b->v1) <= hw || (!b->open_sides && fabs(v - b->v0) <= hw);
            double lx, ly, hx, hy;
            if (horiz) {
                double vl = fabs(v - b->v1) <= hw ? b->v1 : b->v0;
                seal__from_uv(p, u, vl - probe, &lx, &ly);
                seal__from_uv(p, u, vl + probe, &hx, &hy);
            } else {
                double ul = fabs(u - b->u0) <= hw ? b->u0 : b->u1;
                seal__from_uv(p, ul - probe, v, &lx, &ly);
                seal__from_uv(p, ul + probe, v, &hx, &hy);
            }
            int ax = (int)lround(lx) - r->x0, ay = (int)lround(ly) - r->y0;
            int bx = (int)lround(hx) - r->x0, by = (int)lround(hy) - r->y0;
            int a_on = ax >= 0 && ay >= 0 && ax < r->w && ay < r->h && r->m[(size_t)ay * r->w + ax];
            int b_on = bx >= 0 && by >= 0 && bx < r->w && by < r->h && r->m[(size_t)by * r->w + bx];
            if (!(a_on && b_on))
                r->m[i] = 2; /* line: dropped below */
        }
    for (size_t i = 0; i < (size_t)r->w * r->h; i++)
        if (r->m[i] == 2)
            r->m[i] = 0;
}

static seal_status process_signature(const seal__page *p, const seal__fbox *b, seal__imp *im)
{
    double ppm = p->ppm;
    int x0, y0, x1, y1;
    memset(im, 0, sizeof(*im));
    seal__box_bounds(p, b, 5 * ppm, &x0, &y0, &x1, &y1);
    seal_status st = seal__roi_measure(p, &im->r, x0, y0, x1, y1, SEAL__MEASURE_PEN);
    if (st != SEAL_OK)
        return st == SEAL_ERR_INPUT ? SEAL_OK : st;
    seal__roi *r = &im->r;
    clear_lines(p, r, b);
    if ((st = seal__roi_label(r)) != SEAL_OK)
        return st;
    long minpx = (long)ceil(0.05 * ppm * ppm);
    double bx0 = DBL_MAX, bx1 = -DBL_MAX, by0 = DBL_MAX, by1 = -DBL_MAX;
    long area = 0;
    for (int c = 0; c < r->ncomp; c++) {
        struct seal__comp *cp = &r->comps[c];
        cp->keep = 0;
        if (cp->area < minpx)
            continue;
        double u, v;
        seal__to_uv(p, cp->sx / cp->area + r->x0, cp->sy / cp->area + r->y0, &u, &v);
        if (u < b->u0 || u > b->u1 || v < b->v0 || v > b->v1 + 2 * ppm)
            continue;
        /* the printed caption in the cell's top-left corner */
        double cu0, cv0, cu1, cv1;
        seal__to_uv(p, cp->x0 + r->x0, cp->y0 + r->y0, &cu0, &cv0);
        seal__to_uv(p, cp->x1 + r->x0, cp->y1 + r->y0, &cu1, &cv1);
        if (!b->open_sides && cu1 < b->u0 + 14 * ppm && cv1 < b->v0 + 7.5 * ppm)
            continue;
        /* what is left of a printed line (its position is known to the
         * overview's pixel): thin, lying along the line */
        double mu = 0.5 * (cu0 + cu1), mv = 0.5 * (cv0 + cv1);
        if (cv1 - cv0 < 1.0 * ppm &&
            (fabs(mv - b->v1) < 1.2 * ppm || (!b->open_sides && fabs(mv - b->v0) < 1.2 * ppm)))
            continue;
        if (!b->open_sides && cu1 - cu0 < 1.0 * ppm &&
            (fabs(mu - b->u0) < 1.2 * ppm || fabs(mu - b->u1) < 1.2 * ppm))
            continue;
        cp->keep = 1;
        area += cp->area;
        bx0 = fmin(bx0, cp->x0 + r->x0);
        bx1 = fmax(bx1, cp->x1 + r->x0);
        by0 = fmin(by0, cp->y0 + r->y0);
        by1 = fmax(by1, cp->y1 + r->y0);
    }
    if (area < 4 * ppm * ppm)
        return SEAL_OK;
    im->present = 1;
    im->shape = SEAL_SHAPE_FREE;
    im->g.cx = 0.5 * (bx0 + bx1);
    im->g.cy = 0.5 * (by0 + by1);
    im->g.a = 0.5 * (bx1 - bx0 + 1);
    im->g.b = 0.5 * (by1 - by0 + 1);
    im->g.beta = atan(p->t);
    /* level, colour, crossing */
    double *vals = malloc(sizeof(double) * (size_t)area);
    long n = 0;
    int crosses = 0;
    double hw = 0.45 * ppm + 0.25 * ppm;
    if (!vals)
        return SEAL_ERR_NOMEM;
    for (int y = 0; y < r->h; y++)
        for (int x = 0; x < r->w; x++) {
            size_t i = (size_t)y * r->w + x;
            if (!seal__roi_kept(r, i))
                continue;
            vals[n++] = r->f[i];
            double u, v;
            seal__to_uv(p, x + r->x0, y + r->y0, &u, &v);
            if (v > b->v1 - hw)
                crosses = 1;
            if (!b->open_sides && (v < b->v0 + hw || u < b->u0 + hw || u > b->u1 - hw))
                crosses = 1;
        }
    im->medf = seal__percentile(vals, (size_t)n, 0.5);
    double strong = vals[(size_t)(0.8 * (n - 1))];
    free(vals);
    seal__roi_ink_rgb(p, r, strong, HUGE_VAL, im->ink_rgb);
    im->ink = area;
    im->crosses = crosses;
    return SEAL_OK;
}

seal_status seal__extract_signature(seal_mask *m, seal__page *p, const seal__fbox *boxes, int nb,
                                    int want_box)
{
    seal__imp ims[3];
    seal_status st = SEAL_OK;
    double ppm = p->ppm, mxf = 0;
    long mxa = 0;
    int present = 0, ch = -1;
    memset(ims, 0, sizeof(ims));
    for (int k = 0; k < nb && k < 3; k++) {
        if ((st = process_signature(p, &boxes[k], &ims[k])) != SEAL_OK)
            goto out;
        if (ims[k].present) {
            present++;
            mxf = fmax(mxf, ims[k].medf);
            mxa = ims[k].ink > mxa ? ims[k].ink : mxa;
        }
    }
    if (!present) {
        seal__mask_add_issue(m, SEAL_DECISION_REJECT, "no_signature",
                             "no handwriting found in the sample areas");
        goto out;
    }
    for (int k = 0; k < 3; k++) {
        seal_impression_score *sc = &m->info.scores[k];
        if (!ims[k].present)
            continue;
        sc->present = 1;
        sc->contrast = ims[k].medf / mxf;
        sc->density = ims[k].medf;
        sc->broken_strokes = 1 - (double)ims[k].ink / (double)mxa;
        sc->ring_continuity = 0;
        sc->sharpness = seal__clampd(seal__edge_sharpness(&ims[k].r) / 0.5, 0, 1);
        sc->clarity = 0.4 * sc->contrast + 0.3 * (1 - sc->broken_strokes) + 0.3 * sc->sharpness -
                      (ims[k].crosses ? 0.3 : 0);
        if (ims[k].crosses)
            seal__mask_add_issue(m, SEAL_DECISION_WARN, "crosses_box_line",
                                 "signature %d crosses a line", k + 1);
    }
    if (want_box) {
        ch = want_box - 1;
        if (!ims[ch].present) {
            seal__mask_add_issue(m, SEAL_DECISION_REJECT, "no_signature", "sample %d is empty",
                                 want_box);
            goto out;
        }
    } else
        for (int k = 0; k < 3; k++)
            if (ims[k].present &&
                (ch < 0 || m->info.scores[k].clarity > m->info.scores[ch].clarity))
                ch = k;
    seal__imp *c = &ims[ch];
    if (present < 3)
        seal__mask_add_issue(m, SEAL_DECISION_WARN, "single_impression",
                             "only %d of 3 signature samples found", present);
    /* Faint strokes: light whatever the pen. A black ballpoint written
     * firmly reaches a density of 1.3-2 and a blue one 0.9-1.6 (measured on
     * red, where blue ink absorbs less); the best of the samples below that
     * means the pen barely touched the paper. */
    {
        int blue = c->ink_rgb[2] > c->ink_rgb[0] + 30;
        double lim = blue ? 0.85 : 1.2;
        if (mxf < lim)
            seal__mask_add_issue(m, SEAL_DECISION_WARN, "faint_impression",
                                 "faint pen strokes (density %.2f, a firm %s stroke is above %.2f)",
                                 mxf, blue ? "blue" : "black", lim);
    }
    m->info.box = ch + 1;
    m->info.width_mm = 2 * c->g.a / ppm;
    m->info.height_mm = 2 * c->g.b / ppm;
    for (int k = 0; k < 3; k++)
        m->info.ink_rgb[k] = (unsigned char)lround(c->ink_rgb[k]);
    st = seal__final_mask(m, p, c, c->g.a / ppm + 1.0, c->g.b / ppm + 1.0);
out:
    for (int k = 0; k < 3; k++)
        seal__imp_free(&ims[k]);
    return st;
}
