/*
 * Enrolment, the page overview: the scan looked at in blocks of about
 * 75 dpi (black print, red ink, brightness), the paper's brightness and
 * evenness, the skew and the long table lines, and from those the
 * collection boxes, the signature areas (three cells or three ruled lines)
 * or, without a table, the blobs of red ink a seal leaves. Also the
 * deskewed (u, v) frame the boxes are given in.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "enrol_internal.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void seal__page_free(seal__page *p)
{
    free(p->dark);
    free(p->red);
    free(p->lum);
    free(p->hl);
    free(p->vl);
}

seal_status seal__page_overview(seal__page *p)
{
    const seal_scan *s = p->s;
    int F = (int)lround(p->dpi / 75.0);
    if (F < 1)
        F = 1;
    p->F = F;
    p->ow = s->w / F;
    p->oh = s->h / F;
    p->oppm = p->ppm / F;
    if (p->ow < 16 || p->oh < 16)
        return SEAL_ERR_INPUT;
    size_t n = (size_t)p->ow * p->oh;
    p->dark = calloc(n, 1);
    p->red = calloc(n, 1);
    p->lum = calloc(n, sizeof(float));
    unsigned char *dmin = malloc(n);
    if (!p->dark || !p->red || !p->lum || !dmin) {
        free(dmin);
        return SEAL_ERR_NOMEM;
    }
    memset(dmin, 255, n);
    unsigned *acc = calloc((size_t)p->ow, sizeof(unsigned));
    if (!acc) {
        free(dmin);
        return SEAL_ERR_NOMEM;
    }
    for (int oy = 0; oy < p->oh; oy++) {
        memset(acc, 0, (size_t)p->ow * sizeof(unsigned));
        for (int y = oy * F; y < oy * F + F; y++) {
            const unsigned char *row = s->rgb + (size_t)y * s->w * 3;
            for (int ox = 0; ox < p->ow; ox++) {
                const unsigned char *px = row + (size_t)ox * F * 3;
                unsigned char *dm = &dmin[(size_t)oy * p->ow + ox];
                unsigned char *rd = &p->red[(size_t)oy * p->ow + ox];
                unsigned sum = 0;
                for (int k = 0; k < F; k++, px += 3) {
                    unsigned r = px[0], g = px[1], b = px[2];
                    unsigned mx = r > g ? (r > b ? r : b) : (g > b ? g : b);
                    if (mx < *dm)
                        *dm = (unsigned char)mx;
                    /* red: R well above G and B; held loose, this only finds boxes */
                    if (r > 40 && r * 10 > g * 18 && r > g + 35 && r * 10 > b * 14)
                        *rd = 1;
                    sum += r + g + b;
                }
                acc[ox] += sum;
            }
        }
        for (int ox = 0; ox < p->ow; ox++)
            p->lum[(size_t)oy * p->ow + ox] = (float)acc[ox] / (float)(3 * F * F);
    }
    free(acc);

    /* Paper brightness per tile (the 75th percentile of the tile is paper
     * unless the tile is mostly print), then per region of a 4x4 grid (the
     * 80th percentile of its tiles, so an ID-card copy or a dense table does
     * not pass for shade). A scanner lights the page evenly to a few per
     * cent; a phone's light falls off by tens of per cent. */
    int T = 16;
    int tw = p->ow / T, th = p->oh / T;
    double *tiles = NULL, *reg = NULL;
    double regv[16];
    int nreg = 0;
    if (tw >= 4 && th >= 4) {
        tiles = malloc(sizeof(double) * (size_t)tw * th);
        reg = malloc(sizeof(double) * (size_t)tw * th);
    }
    if (tiles && reg) {
        unsigned hist[256];
        for (int ty = 0; ty < th; ty++)
            for (int tx = 0; tx < tw; tx++) {
                memset(hist, 0, sizeof(hist));
                for (int y = ty * T; y < ty * T + T; y++)
                    for (int x = tx * T; x < tx * T + T; x++)
                        hist[(int)p->lum[(size_t)y * p->ow + x]]++;
                tiles[(size_t)ty * tw + tx] = seal__hist_quantile(hist, 256, 0.75);
            }
        for (int ry = 0; ry < 4; ry++)
            for (int rx = 0; rx < 4; rx++) {
                size_t k = 0;
                for (int ty = ry * th / 4; ty < (ry + 1) * th / 4; ty++)
                    for (int tx = rx * tw / 4; tx < (rx + 1) * tw / 4; tx++)
                        reg[k++] = tiles[(size_t)ty * tw + tx];
                if (k)
                    regv[nreg++] = seal__percentile(reg, k, 0.8);
            }
        size_t nt = (size_t)tw * th;
        memcpy(reg, tiles, nt * sizeof(double));
        p->white = seal__percentile(reg, nt, 0.7);
        double lo = 1e9, hi = 0;
        for (int i = 0; i < nreg; i++) {
            lo = fmin(lo, regv[i]);
            hi = fmax(hi, regv[i]);
        }
        p->illum = hi > 0 ? lo / hi : 0;
        /* a photo shows what lies around the sheet: a dark surround along
         * the image's edges, where a scan shows paper or the white lid */
        long dark = 0, all = 0;
        int band = p->ow / 50 + 1;
        for (int y = 0; y < p->oh; y++)
            for (int x = 0; x < p->ow; x++) {
                if (x >= band && x < p->ow - band && y >= band && y < p->oh - band)
                    continue;
                all++;
                dark += p->lum[(size_t)y * p->ow + x] < 0.6 * p->white;
            }
        p->surround = all ? (double)dark / all : 0;
    } else {
        p->white = 240;
        p->illum = 1;
    }
    free(tiles);
    free(reg);
    if (p->white < 60)
        p->white = 60;
    double dthr = 0.45 * p->white;
    for (size_t i = 0; i < n; i++)
        p->dark[i] = dmin[i] < dthr;
    free(dmin);
    return SEAL_OK;
}

/* Keep only pixels of runs at least minrun long (horizontal when dx=1,
 * vertical otherwise): table lines, not text. */
static unsigned char *long_runs(const seal__page *p, int horizontal, int minrun)
{
    int W = p->ow, H = p->oh;
    unsigned char *o = calloc((size_t)W * H, 1);
    if (!o)
        return NULL;
    int outer = horizontal ? H : W, inner = horizontal ? W : H;
    /* a run may step one row (column) aside: a skewed line of one or two
     * pixels stays within three rows for 19 mm at 3 degrees */
    for (int a = 0; a < outer; a++) {
        int run = 0;
        for (int b = 0; b <= inner; b++) {
            int on = 0;
            for (int d = -1; d <= 1 && b < inner && !on; d++) {
                int aa = a + d;
                if (aa < 0 || aa >= outer)
                    continue;
                on = p->dark[horizontal ? (size_t)aa * W + b : (size_t)b * W + aa];
            }
            if (on) {
                run++;
                continue;
            }
            if (run >= minrun)
                for (int k = b - run; k < b; k++) {
                    size_t idx = horizontal ? (size_t)a * W + k : (size_t)k * W + a;
                    o[idx] = p->dark[idx];
                }
            run = 0;
        }
    }
    return o;
}

/* The skew: the angle whose projection of line pixels is sharpest. */
static double find_skew(const seal__page *p, const unsigned char *hr)
{
    int W = p->ow, H = p->oh;
    size_t cnt = 0, k = 0;
    for (size_t i = 0; i < (size_t)W * H; i++)
        cnt += hr[i];
    if (cnt < 50)
        return 0;
    int *pts = malloc(sizeof(int) * 2 * cnt);
    int nb = H + W / 5 + 8;
    double *hist = malloc(sizeof(double) * (size_t)nb);
    if (!hist || !pts) {
        free(hist);
        free(pts);
        return 0;
    }
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            if (hr[(size_t)y * W + x]) {
                pts[2 * k] = x;
                pts[2 * k + 1] = y;
                k++;
            }
    double best = -1, bestt = 0;
    int off = W / 10 + 4;
    for (int a = -100; a <= 100; a++) {
        double t = tan(a * 0.05 * M_PI / 180.0);
        memset(hist, 0, sizeof(double) * (size_t)nb);
        for (size_t i = 0; i < cnt; i++) {
            int v = (int)lround(pts[2 * i + 1] - pts[2 * i] * t) + off;
            if (v >= 0 && v < nb)
                hist[v]++;
        }
        double sc = 0;
        for (int i = 0; i < nb; i++)
            sc += hist[i] * hist[i];
        if (sc > best) {
            best = sc;
            bestt = t;
        }
    }
    free(hist);
    free(pts);
    return bestt;
}

static int dark_at(const seal__page *p, int x, int y)
{
    if (x < 0 || y < 0 || x >= p->ow || y >= p->oh)
        return 0;
    return p->dark[(size_t)y * p->ow + x];
}

/* Long straight lines, as segments in the deskewed frame:
 *   horizontal: v = y - x t,   vertical: u = x + y t. */
seal_status seal__find_lines(seal__page *p, int horizontal, seal__line_seg **out, size_t *nout)
{
    int W = p->ow, H = p->oh;
    int minrun = (int)lround(8 * p->oppm);
    unsigned char *r = long_runs(p, horizontal, minrun < 3 ? 3 : minrun);
    if (!r)
        return SEAL_ERR_NOMEM;
    if (horizontal)
        p->t = find_skew(p, r);
    double t = p->t;
    int span = horizontal ? W : H, across = horizontal ? H : W;
    int off = span / 10 + 4;
    int nb = across + 2 * off;
    double *hist = calloc((size_t)nb, sizeof(double));
    seal__line_seg *segs = NULL;
    size_t ns = 0, cap = 0;
    if (!hist) {
        free(r);
        return SEAL_ERR_NOMEM;
    }
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            if (r[(size_t)y * W + x]) {
                double q = horizontal ? y - x * t : x + y * t;
                int b = (int)lround(q) + off;
                if (b >= 0 && b < nb)
                    hist[b]++;
            }
    double minlen = 20 * p->oppm;
    int gap = (int)lround(1.5 * p->oppm) + 1;
    for (int b = 1; b < nb - 1; b++) {
        /* a peak, merged with its neighbours (a line is one or two bins thick) */
        if (hist[b] < minlen * 0.6 || hist[b] < hist[b - 1] || hist[b] < hist[b + 1])
            continue;
        if (hist[b] == hist[b - 1])
            continue;
        double pos = b - off;
        double sw = hist[b - 1] + hist[b] + hist[b + 1];
        pos += (hist[b + 1] - hist[b - 1]) / sw;
        /* walk along the line and cut it into segments at gaps */
        int start = -1, last = -1;
        for (int a = 0; a <= span; a++) {
            int on = 0;
            if (a < span) {
                double c = horizontal ? pos + a * t : pos - a * t;
                int ci = (int)lround(c);
                for (int d = -1; d <= 1 && !on; d++)
                    on = horizontal ? dark_at(p, a, ci + d) : dark_at(p, ci + d, a);
            }
            if (on) {
                if (start < 0)
                    start = a;
                last = a;
            } else if (start >= 0 && (a - last > gap || a == span)) {
                if (last - start + 1 >= minlen) {
                    if (ns == cap) {
                        cap = cap ? cap * 2 : 32;
                        seal__line_seg *nsg = realloc(segs, cap * sizeof(*segs));
                        if (!nsg) {
                            free(segs);
                            free(hist);
                            free(r);
                            return SEAL_ERR_NOMEM;
                        }
                        segs = nsg;
                    }
                    /* extents in the deskewed frame: along-line coordinate
                     * of a horizontal line is u = x + y t ~ x (1 + t^2) */
                    segs[ns].pos = pos;
                    segs[ns].a = start;
                    segs[ns].b = last;
                    if (horizontal) {
                        segs[ns].a = start + (pos + start * t) * t;
                        segs[ns].b = last + (pos + last * t) * t;
                    } else {
                        segs[ns].a = start - (pos - start * t) * t;
                        segs[ns].b = last - (pos - last * t) * t;
                    }
                    ns++;
                }
                start = -1;
            }
        }
    }
    free(hist);
    free(r);
    *out = segs;
    *nout = ns;
    return SEAL_OK;
}

static int covers(const seal__line_seg *s, double a, double b, double tol)
{
    return s->a <= a + tol && s->b >= b - tol;
}

/* Cells bounded by lines on all four sides with sizes in the given range,
 * grouped by band (the same top and bottom lines). Returns the band with
 * the most cells (ties: the one with more red), at most maxc cells, left to
 * right. */
int seal__find_cells(const seal__page *p, double hmin, double hmax, double wmin, double wmax,
                     seal__cell *outc, int maxc)
{
    double mm = p->oppm, tol = 2.5 * mm;
    int best_n = 0;
    double best_red = -1;
    for (size_t i = 0; i < p->nh; i++)
        for (size_t j = 0; j < p->nh; j++) {
            const seal__line_seg *a = &p->hl[i], *b = &p->hl[j];
            double h = b->pos - a->pos;
            if (h < hmin * mm || h > hmax * mm)
                continue;
            /* the band must be the tightest: no line between spanning it */
            double xa = fmax(a->a, b->a), xb = fmin(a->b, b->b);
            if (xb - xa < wmin * mm)
                continue;
            int tight = 1;
            for (size_t k = 0; k < p->nh && tight; k++) {
                const seal__line_seg *c = &p->hl[k];
                if (c->pos > a->pos + tol && c->pos < b->pos - tol &&
                    c->b - c->a > 0.5 * (xb - xa) && c->a < xb && c->b > xa)
                    tight = 0;
            }
            if (!tight)
                continue;
            double us[64];
            int nu = 0;
            for (size_t k = 0; k < p->nv && nu < 64; k++) {
                const seal__line_seg *v = &p->vl[k];
                if (v->pos < xa - tol || v->pos > xb + tol)
                    continue;
                if (!covers(v, a->pos, b->pos, tol))
                    continue;
                if (nu && fabs(v->pos - us[nu - 1]) < tol)
                    continue;
                us[nu++] = v->pos;
            }
            qsort(us, (size_t)nu, sizeof(double), seal__cmp_double);
            seal__cell cs[8];
            int nc = 0;
            double red = 0;
            for (int k = 0; k + 1 < nu && nc < 8; k++) {
                double w = us[k + 1] - us[k];
                if (w < wmin * mm || w > wmax * mm)
                    continue;
                cs[nc].u0 = us[k];
                cs[nc].u1 = us[k + 1];
                cs[nc].v0 = a->pos;
                cs[nc].v1 = b->pos;
                cs[nc].open_sides = 0;
                for (int y = (int)a->pos; y < (int)b->pos; y++)
                    for (int x = (int)us[k]; x < (int)us[k + 1]; x++)
                        if (x >= 0 && y >= 0 && x < p->ow && y < p->oh)
                            red += p->red[(size_t)y * p->ow + x];
                nc++;
            }
            if (nc > maxc)
                nc = maxc;
            if (nc > best_n || (nc == best_n && nc > 0 && red > best_red)) {
                best_n = nc;
                best_red = red;
                memcpy(outc, cs, sizeof(seal__cell) * (size_t)nc);
            }
        }
    return best_n;
}

/* Signature form, second layout: three ruled lines of equal length stacked
 * about 29 mm apart; each sample is written above its line. */
int seal__find_ruled(const seal__page *p, seal__cell *outc)
{
    double mm = p->oppm;
    for (size_t i = 0; i < p->nh; i++) {
        const seal__line_seg *a = &p->hl[i];
        double len = a->b - a->a;
        if (len < 60 * mm || len > 140 * mm)
            continue;
        int n = 1;
        const seal__line_seg *chain[3] = {a, NULL, NULL};
        for (size_t j = 0; j < p->nh && n < 3; j++) {
            const seal__line_seg *b = &p->hl[j];
            double d = b->pos - chain[n - 1]->pos;
            if (d > 20 * mm && d < 40 * mm && fabs(b->a - a->a) < 3 * mm &&
                fabs(b->b - a->b) < 3 * mm)
                chain[n++] = b;
        }
        if (n == 3) {
            for (int k = 0; k < 3; k++) {
                outc[k].u0 = chain[k]->a;
                outc[k].u1 = chain[k]->b;
                outc[k].v0 = chain[k]->pos - 26 * mm;
                outc[k].v1 = chain[k]->pos;
                outc[k].open_sides = 1;
            }
            return 3;
        }
    }
    return 0;
}

void seal__to_uv(const seal__page *p, double x, double y, double *u, double *v)
{
    *u = x + y * p->t;
    *v = y - x * p->t;
}

void seal__from_uv(const seal__page *p, double u, double v, double *x, double *y)
{
    double t = p->t, d = 1 + t * t;
    *x = (u - v * t) / d;
    *y = (v + u * t) / d;
}

void seal__box_bounds(const seal__page *p, const seal__fbox *b, double margin, int *x0, int *y0,
                      int *x1, int *y1)
{
    double xs[4], ys[4];
    seal__from_uv(p, b->u0, b->v0, &xs[0], &ys[0]);
    seal__from_uv(p, b->u1, b->v0, &xs[1], &ys[1]);
    seal__from_uv(p, b->u0, b->v1, &xs[2], &ys[2]);
    seal__from_uv(p, b->u1, b->v1, &xs[3], &ys[3]);
    double a = DBL_MAX, c = DBL_MAX, bb = -DBL_MAX, d = -DBL_MAX;
    for (int i = 0; i < 4; i++) {
        a = fmin(a, xs[i]);
        bb = fmax(bb, xs[i]);
        c = fmin(c, ys[i]);
        d = fmax(d, ys[i]);
    }
    *x0 = (int)floor(a - margin);
    *x1 = (int)ceil(bb + margin);
    *y0 = (int)floor(c - margin);
    *y1 = (int)ceil(d + margin);
}

void seal__cell_to_fbox(const seal__page *p, const seal__cell *c, seal__fbox *b)
{
    double F = p->F, h = (F - 1) / 2.0;
    b->u0 = c->u0 * F + h;
    b->u1 = c->u1 * F + h;
    b->v0 = c->v0 * F + h;
    b->v1 = c->v1 * F + h;
    b->open_sides = c->open_sides;
}

double seal__cell_red(const seal__page *p, const seal__cell *c)
{
    double red = 0;
    for (int y = (int)c->v0; y < (int)c->v1; y++)
        for (int x = (int)c->u0; x < (int)c->u1; x++)
            if (x >= 0 && y >= 0 && x < p->ow && y < p->oh)
                red += p->red[(size_t)y * p->ow + x];
    return red;
}

/*
 * Without a table: red ink grown by 3 mm (so a seal's strokes join into one
 * blob), blobs of a seal's size (12-55 mm) kept, the `maxc` with the most
 * ink returned as boxes (5 mm around each), left to right. -1: no memory.
 */
int seal__red_blobs(const seal__page *p, seal__cell *out, int maxc)
{
    int W = p->ow, H = p->oh, R = (int)lround(3 * p->oppm);
    size_t n = (size_t)W * H;
    seal__roi r;
    memset(&r, 0, sizeof(r));
    unsigned char *tmp = malloc(n);
    r.m = malloc(n);
    r.f = calloc(n, sizeof(float));
    int found = 0;
    if (!tmp || !r.m || !r.f)
        goto fail;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            unsigned char v = 0;
            for (int d = -R; d <= R && !v; d++)
                v = x + d >= 0 && x + d < W && p->red[(size_t)y * W + x + d];
            tmp[(size_t)y * W + x] = v;
        }
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            unsigned char v = 0;
            for (int d = -R; d <= R && !v; d++)
                v = y + d >= 0 && y + d < H && tmp[(size_t)(y + d) * W + x];
            r.m[(size_t)y * W + x] = v;
        }
    r.w = W;
    r.h = H;
    if (seal__roi_label(&r) != SEAL_OK)
        goto fail;
    /* red ink per blob (the grown area says little) */
    double *ink = calloc((size_t)r.ncomp + 1, sizeof(double));
    if (!ink)
        goto fail;
    for (size_t i = 0; i < n; i++)
        if (r.lab[i] >= 0 && p->red[i])
            ink[r.lab[i]] += 1;
    double lo = 12 * p->oppm + 2 * R, hi = 55 * p->oppm + 2 * R;
    for (int k = 0; k < maxc; k++) {
        int best = -1;
        for (int c = 0; c < r.ncomp; c++) {
            const struct seal__comp *cp = &r.comps[c];
            double bw = cp->x1 - cp->x0 + 1, bh = cp->y1 - cp->y0 + 1;
            if (ink[c] <= 0 || bw < lo || bh < lo || bw > hi || bh > hi)
                continue;
            if (best < 0 || ink[c] > ink[best])
                best = c;
        }
        if (best < 0)
            break;
        const struct seal__comp *cp = &r.comps[best];
        double mg = 5 * p->oppm - R;
        seal__cell c = {cp->x0 - mg, cp->x1 + mg, cp->y0 - mg, cp->y1 + mg, 0};
        out[found++] = c;
        ink[best] = 0;
    }
    free(ink);
    if (found == 2 && out[1].u0 < out[0].u0) {
        seal__cell t = out[0];
        out[0] = out[1];
        out[1] = t;
    }
    free(tmp);
    seal__roi_free(&r);
    return found;
fail:
    free(tmp);
    seal__roi_free(&r);
    return -1;
}
