/*
 * Enrolment, one impression of a seal: found in its box (beyond the box's
 * lines), fitted (extfit.c), kept to what lies inside its outline, turned
 * upright at scan resolution and scored (border continuity and coverage,
 * edge sharpness, ink level and colour, print under the ink, the box line
 * crossed); the two impressions of a form compared with each other; the
 * chosen one resampled at twice the scan resolution as the final mask.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "enrol_internal.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void seal__imp_free(seal__imp *im)
{
    free(im->can);
    seal__roi_free(&im->r);
    memset(im, 0, sizeof(*im));
}

/*
 * Resample an impression upright: output pixel (i, j) at `s` px/mm, the
 * seal's centre in the middle, `half_w` x `half_h` mm from the centre to the
 * bitmap's edges. Ink = the continuous measure above its threshold (bilinear,
 * so edges fall between scan pixels) on a kept component, inside the
 * outline grown by `grow` mm.
 */
static unsigned char *upright(const seal__page *p, const seal__imp *im, double s, double half_w,
                              double half_h, double grow, int *ow, int *oh, long *count)
{
    int W = (int)ceil(2 * half_w * s), H = (int)ceil(2 * half_h * s);
    unsigned char *o = calloc((size_t)W * H, 1);
    if (!o)
        return NULL;
    double c = cos(im->g.beta), sn = sin(im->g.beta), ppm = p->ppm;
    double a = im->g.a / ppm + grow, b = im->g.b / ppm + grow;
    long cnt = 0;
    for (int j = 0; j < H; j++) {
        double Y = (j + 0.5) / s - H / (2 * s);
        for (int i = 0; i < W; i++) {
            double X = (i + 0.5) / s - W / (2 * s);
            if (!seal__inside_outline(im->shape, X, Y, a, b))
                continue;
            double x = im->g.cx + ppm * (X * c - Y * sn), y = im->g.cy + ppm * (X * sn + Y * c);
            int kept;
            double v = seal__roi_sample(&im->r, x, y, &kept);
            if (v > 0 && kept) {
                o[(size_t)j * W + i] = 1;
                cnt++;
            }
        }
    }
    *ow = W;
    *oh = H;
    if (count)
        *count = cnt;
    return o;
}

/* How whole the border is: continuity (im->ring) and coverage (im->cover). */
static void border_scores(seal__imp *im, double ppm)
{
    struct seal__upright u = {im->can,   im->cw,        im->chh,      ppm,
                              im->shape, im->g.a / ppm, im->g.b / ppm};
    seal__border_measure(&u, &im->ring, &im->cover);
}

/* Mean edge steepness of the kept ink relative to its local level. */
double seal__edge_sharpness(const seal__roi *r)
{
    double acc = 0;
    long n = 0;
    for (int y = 1; y < r->h - 1; y++)
        for (int x = 1; x < r->w - 1; x++) {
            size_t i = (size_t)y * r->w + x;
            if (!seal__roi_kept(r, i))
                continue;
            if (r->m[i - 1] && r->m[i + 1] && r->m[i - r->w] && r->m[i + r->w])
                continue;
            double gx = 0.5 * (r->f[i + 1] - r->f[i - 1]),
                   gy = 0.5 * (r->f[i + r->w] - r->f[i - r->w]);
            acc += hypot(gx, gy) / (2.0 * r->thr[i]);
            n++;
        }
    return n ? acc / n : 0;
}

/*
 * Find, fit and straighten the impression in one box. Leaves im->present 0
 * when the box holds too little red ink.
 */
static seal_status process_box(const seal__page *p, const seal__boxinfo *bi, seal__imp *im)
{
    double ppm = p->ppm;
    int x0, y0, x1, y1;
    memset(im, 0, sizeof(*im));
    /* look beyond the box: an impression may cross its line */
    seal__box_bounds(p, &bi->box, 22 * ppm, &x0, &y0, &x1, &y1);
    seal_status st = seal__roi_measure(p, &im->r, x0, y0, x1, y1, SEAL__MEASURE_SEAL);
    if (st != SEAL_OK)
        return st == SEAL_ERR_INPUT ? SEAL_OK : st;
    seal__roi *r = &im->r;
    long minpx = (long)ceil(0.03 * ppm * ppm);
    if (minpx < 4)
        minpx = 4;
    /* the ink inside the box (shrunk by 1 mm) locates the impression */
    double sx = 0, sy = 0, sa = 0;
    for (int c = 0; c < r->ncomp; c++) {
        struct seal__comp *cp = &r->comps[c];
        if (cp->area < minpx)
            continue;
        double u, v;
        seal__to_uv(p, cp->sx / cp->area + r->x0, cp->sy / cp->area + r->y0, &u, &v);
        if (u < bi->box.u0 + ppm || u > bi->box.u1 - ppm || v < bi->box.v0 + ppm ||
            v > bi->box.v1 - ppm)
            continue;
        sx += cp->sx + (double)cp->area * r->x0;
        sy += cp->sy + (double)cp->area * r->y0;
        sa += (double)cp->area;
    }
    if (sa < 30 * ppm * ppm)
        return SEAL_OK;
    double cx = sx / sa, cy = sy / sa, rmax = bi->rmax_mm * ppm;
    im->rmax = rmax;
    double px[360], py[360];
    int w[360], n = 0;
    seal__fit ge = {0}, gr = {0};
    int have_e = 0, have_r = 0;
    for (int it = 0; it < 3; it++) {
        for (int c = 0; c < r->ncomp; c++) {
            struct seal__comp *cp = &r->comps[c];
            double dx = cp->sx / cp->area + r->x0 - cx, dy = cp->sy / cp->area + r->y0 - cy;
            cp->keep = cp->area >= minpx && hypot(dx, dy) < rmax;
        }
        n = seal__outline_points(r, cx, cy, rmax, px, py);
        if (n < 60)
            return SEAL_OK;
        for (int i = 0; i < n; i++)
            w[i] = 1;
        have_e = seal__fit_ellipse(px, py, w, n, cx, cy, 0, &ge) == 0;
        for (int i = 0; i < n; i++)
            w[i] = 1;
        have_r = seal__fit_rect(px, py, w, n, cx, cy, &gr) == 0;
        if (!have_e && !have_r)
            return SEAL_OK;
        seal__fit *g = have_e && (!have_r || ge.rms <= gr.rms) ? &ge : &gr;
        cx = g->cx;
        cy = g->cy;
        /* the next round looks only as far as the seal reaches */
        rmax = fmin(bi->rmax_mm * ppm, fmax(g->a, g->b) * (g == &gr ? 1.5 : 1.1) + 1.5 * ppm);
    }
    /* outline: a square when its fit is clearly better, else an ellipse or
     * a circle (axes within 4%) */
    int square = have_r && (!have_e || gr.rms < 0.7 * ge.rms);
    if (bi->kind == SEAL_KIND_COMPANY)
        square = 0;
    if (bi->kind == SEAL_KIND_LEGAL_REP && have_r && (!have_e || gr.rms < 1.5 * ge.rms))
        square = 1;
    if (square) {
        im->shape = SEAL_SHAPE_SQUARE;
        im->g = gr;
    } else if (have_e) {
        im->g = ge;
        if (fabs(ge.a - ge.b) < 0.04 * fmax(ge.a, ge.b)) {
            im->shape = SEAL_SHAPE_CIRCLE;
            im->g.a = im->g.b = 0.5 * (ge.a + ge.b);
        } else {
            im->shape = SEAL_SHAPE_ELLIPSE;
            if (im->g.a < im->g.b) { /* the long axis across */
                double t = im->g.a;
                im->g.a = im->g.b;
                im->g.b = t;
                im->g.beta += M_PI / 2;
            }
            while (im->g.beta > M_PI / 2)
                im->g.beta -= M_PI;
            while (im->g.beta < -M_PI / 2)
                im->g.beta += M_PI;
        }
    } else
        return SEAL_OK;
    if (im->shape == SEAL_SHAPE_SQUARE) {
        /* a square's turn is only known modulo 90 degrees */
        while (im->g.beta > M_PI / 4)
            im->g.beta -= M_PI / 2;
        while (im->g.beta < -M_PI / 4)
            im->g.beta += M_PI / 2;
    }
    if (im->shape == SEAL_SHAPE_CIRCLE) {
        double conf;
        double rs = 7.0 * (im->g.a / ppm) / 21.0 * ppm;
        double beta = seal__star_turn(r, im->g.cx, im->g.cy, rs, &conf);
        im->g.beta = conf > 0.08 ? beta : 0;
    }
    /* keep only what lies inside the outline (grown a little) */
    for (int c = 0; c < r->ncomp; c++) {
        struct seal__comp *cp = &r->comps[c];
        if (!cp->keep)
            continue;
        double dx = cp->sx / cp->area + r->x0 - im->g.cx, dy = cp->sy / cp->area + r->y0 - im->g.cy;
        double cs = cos(im->g.beta), sn = sin(im->g.beta);
        double X = (dx * cs + dy * sn) / ppm, Y = (-dx * sn + dy * cs) / ppm;
        if (!seal__inside_outline(im->shape, X, Y, im->g.a / ppm + 1.0, im->g.b / ppm + 1.0))
            cp->keep = 0;
    }
    im->present = 1;
    double ex, ey, mg = 3 * ppm;
    seal__outline_extent(&im->g, im->shape, &ex, &ey);
    return seal__roi_crop(r, (int)floor(im->g.cx - ex - mg), (int)floor(im->g.cy - ey - mg),
                          (int)ceil(im->g.cx + ex + mg), (int)ceil(im->g.cy + ey + mg));
}

/* Scores that need the upright mask at scan resolution. */
static seal_status score_box(const seal__page *p, seal__imp *im, const seal__fbox *box,
                             double half_w, double half_h)
{
    double ppm = p->ppm;
    free(im->can);
    im->can = upright(p, im, ppm, half_w, half_h, 0.6, &im->cw, &im->chh, &im->ink);
    if (!im->can)
        return SEAL_ERR_NOMEM;
    border_scores(im, ppm);
    im->sharp = seal__edge_sharpness(&im->r);
    /* ink level, colour and print under the ink, over the kept pixels */
    seal__roi *r = &im->r;
    double *vals = NULL;
    long n = 0, cap = 0, over = 0;
    for (int y = 0; y < r->h; y++)
        for (int x = 0; x < r->w; x++) {
            size_t i = (size_t)y * r->w + x;
            if (!seal__roi_kept(r, i))
                continue;
            if (n == cap) {
                cap = cap ? cap * 2 : 4096;
                double *nv = realloc(vals, sizeof(double) * (size_t)cap);
                if (!nv) {
                    free(vals);
                    return SEAL_ERR_NOMEM;
                }
                vals = nv;
            }
            vals[n++] = r->f[i];
            if (r->pd[i] > 0.9) {
                /* print under the seal, except the box's own lines */
                double u, v;
                seal__to_uv(p, x + r->x0, y + r->y0, &u, &v);
                double lt = 1.2 * ppm;
                if (fabs(u - box->u0) > lt && fabs(u - box->u1) > lt && fabs(v - box->v0) > lt &&
                    fabs(v - box->v1) > lt)
                    over++;
            }
        }
    im->medf = n ? seal__percentile(vals, (size_t)n, 0.5) : 0;
    double strong = n ? vals[(size_t)(0.9 * (n - 1))] : 0;
    free(vals);
    seal__roi_ink_rgb(p, r, strong * 0.9, 0.9, im->ink_rgb);
    im->overlap = n ? (double)over / n : 0;
    /* crossing the box line: the outline reaches the line */
    double ex, ey, u, v;
    seal__outline_extent(&im->g, im->shape, &ex, &ey);
    seal__to_uv(p, im->g.cx, im->g.cy, &u, &v);
    double m = 0.3 * ppm;
    im->crosses = u - ex < box->u0 + m || u + ex > box->u1 - m || v - ey < box->v0 + m ||
                  v + ey > box->v1 - m;
    return SEAL_OK;
}

/* The upright mask of the chosen impression at twice the scan resolution:
 * potrace then places curves between scan pixels. */
seal_status seal__final_mask(seal_mask *m, const seal__page *p, const seal__imp *im, double half_w,
                             double half_h)
{
    int W, H;
    double s = 2 * p->ppm;
    m->bits = upright(p, im, s, half_w, half_h, 0.6, &W, &H, NULL);
    if (!m->bits)
        return SEAL_ERR_NOMEM;
    m->info.width_px = W;
    m->info.height_px = H;
    m->info.px_per_mm = s;
    m->info.center_x_mm = im->g.cx / p->ppm;
    m->info.center_y_mm = im->g.cy / p->ppm;
    m->info.rotation_deg = -im->g.beta * 180 / M_PI;
    m->info.shape = im->shape;
    return SEAL_OK;
}

/*
 * Find, fit and score the impressions of up to two boxes in one upright
 * frame (so they can be compared pixel for pixel). `kind` steers the fit:
 * SEAL_KIND_AUTO measures without bias; a legal representative's seal is
 * looked for closer (18 mm) and preferred square.
 */
seal_status seal__measure_boxes(const seal__page *p, const seal__fbox *boxes, int nb,
                                seal_kind kind, seal__imp ims[2], int *present)
{
    seal_status st;
    double ppm = p->ppm, hw = 0, hh = 0;
    *present = 0;
    for (int k = 0; k < nb && k < 2; k++) {
        seal__boxinfo bi = {boxes[k], kind == SEAL_KIND_LEGAL_REP ? 18.0 : 26.0, kind};
        if ((st = process_box(p, &bi, &ims[k])) != SEAL_OK)
            return st;
        *present += ims[k].present;
    }
    for (int k = 0; k < 2; k++)
        if (ims[k].present) {
            hw = fmax(hw, ims[k].g.a / ppm + 1.2);
            hh = fmax(hh, ims[k].g.b / ppm + 1.2);
        }
    for (int k = 0; k < 2; k++)
        if (ims[k].present && (st = score_box(p, &ims[k], &boxes[k], hw, hh)) != SEAL_OK)
            return st;
    return SEAL_OK;
}

/* Ink of impression a missing from b (broken strokes: 1 - a's share of the
 * union) and ink of a just beside b's strokes (over-inking), both of the
 * same upright size. */
static void compare_pair(const seal__imp *a, const seal__imp *b, double *broken, double *over)
{
    long uni = 0, own = 0, extra = 0;
    int W = a->cw, H = a->chh;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            size_t i = (size_t)y * W + x;
            int ia = a->can[i], ib = b->can[i];
            uni += ia || ib;
            own += ia;
            if (ia && !ib) {
                /* ink beside the other's stroke (1-3 px off it) is
                 * this one's stroke grown fat: bleeding, over-inking.
                 * Ink far from any of the other's is the other's gap
                 * and says nothing about this one. */
                int d1 = 0, d3 = 0;
                for (int dy = -3; dy <= 3 && !d1; dy++)
                    for (int dx = -3; dx <= 3 && !d1; dx++) {
                        int xx = x + dx, yy = y + dy;
                        if (xx < 0 || yy < 0 || xx >= W || yy >= H || !b->can[(size_t)yy * W + xx])
                            continue;
                        d3 = 1;
                        d1 = dx >= -1 && dx <= 1 && dy >= -1 && dy <= 1;
                    }
                extra += d3 && !d1;
            }
        }
    *broken = uni ? 1.0 - (double)own / uni : 1;
    *over = own ? (double)extra / own : 0;
}

/* The scores of the two impressions of one seal (after seal__measure_boxes):
 * each against the other where both are present, clarity their weighted
 * sum. */
void seal__score_pair(const seal__imp ims[2], seal_impression_score scores[2])
{
    for (int k = 0; k < 2; k++)
        scores[k].present = ims[k].present;
    double mx = 0;
    for (int k = 0; k < 2; k++)
        if (ims[k].present)
            mx = fmax(mx, ims[k].medf);
    for (int k = 0; k < 2; k++) {
        const seal__imp *a = &ims[k], *b = &ims[1 - k];
        if (!a->present)
            continue;
        seal_impression_score *sc = &scores[k];
        sc->present = 1;
        sc->ring_continuity = a->ring;
        sc->sharpness = seal__clampd(a->sharp / 0.5, 0, 1);
        sc->contrast = mx > 0 ? a->medf / mx : 0;
        sc->density = a->medf;
        if (b->present && b->cw == a->cw && b->chh == a->chh) {
            compare_pair(a, b, &sc->broken_strokes, &sc->over_inking);
        } else {
            sc->broken_strokes = 1 - a->ring;
            sc->over_inking = 0;
        }
        sc->clarity = 0.40 * (1 - sc->broken_strokes) + 0.20 * sc->ring_continuity +
                      0.15 * sc->contrast + 0.15 * sc->sharpness + 0.10 * (1 - sc->over_inking);
    }
}
