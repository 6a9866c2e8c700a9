/*
 * Enrolment, a region at full resolution: the paper flat-fielded tile by
 * tile, the ink measured (seal ink: D_G - D_R, which black print does not
 * change; pen ink: its density), thresholded at a share of the local ink
 * level (never below the paper's noise), and the mask labelled into
 * 8-connected components. Also sampling the measure between pixels and
 * cropping a region once its impression is found.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "enrol_internal.h"

#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Where the edge of a stroke is put, as a share of the local full ink
 * level. Half would be right for a wide stroke seen sharp; a scanner's blur
 * lowers the peak of thin strokes (seal text is 0.3-0.6 mm), so a third of
 * the level keeps their width. Measured on sealgen's dev profile: IoU
 * 0.87 at 0.5, 0.93 at 0.33, 0.91 at 0.25. */
#define INK_EDGE 0.33

/* ln(v) for 8-bit samples, with the darkest values held off zero: below a
 * couple of levels a scanner reports noise, not density. Filled once for
 * the process (contexts may run in several threads). */
static float LN[256];
static pthread_once_t ln_once = PTHREAD_ONCE_INIT;

static void fill_ln(void)
{
    for (int i = 0; i < 256; i++)
        LN[i] = (float)log(i < 2 ? 2.0 : (double)i);
}

static void init_ln(void)
{
    pthread_once(&ln_once, fill_ln);
}

void seal__roi_free(seal__roi *r)
{
    free(r->f);
    free(r->thr);
    free(r->pd);
    free(r->m);
    free(r->lab);
    free(r->comps);
    memset(r, 0, sizeof(*r));
}

/* Union-find with path halving. */
static int uf_find(int *par, int a)
{
    while (par[a] != a) {
        par[a] = par[par[a]];
        a = par[a];
    }
    return a;
}

/* 8-connected components of r->m, iteratively (no recursion). */
seal_status seal__roi_label(seal__roi *r)
{
    int W = r->w, H = r->h;
    size_t n = (size_t)W * H;
    free(r->lab);
    free(r->comps);
    r->comps = NULL;
    r->lab = malloc(n * sizeof(int));
    if (!r->lab)
        return SEAL_ERR_NOMEM;
    int *par = malloc(n * sizeof(int));
    if (!par)
        return SEAL_ERR_NOMEM;
    int next = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            size_t i = (size_t)y * W + x;
            r->lab[i] = -1;
            if (!r->m[i])
                continue;
            int l = -1;
            static const int dx[4] = {-1, -1, 0, 1}, dy[4] = {0, -1, -1, -1};
            for (int k = 0; k < 4; k++) {
                int xx = x + dx[k], yy = y + dy[k];
                if (xx < 0 || yy < 0 || xx >= W)
                    continue;
                int o = r->lab[(size_t)yy * W + xx];
                if (o < 0)
                    continue;
                o = uf_find(par, o);
                if (l < 0)
                    l = o;
                else if (o != l) {
                    if (o < l) {
                        par[l] = o;
                        l = o;
                    } else
                        par[o] = l;
                }
            }
            if (l < 0) {
                l = next++;
                par[l] = l;
            }
            r->lab[i] = l;
        }
    /* compact the labels */
    int *map = malloc(sizeof(int) * (size_t)(next + 1));
    if (!map) {
        free(par);
        return SEAL_ERR_NOMEM;
    }
    int nc = 0;
    for (int l = 0; l < next; l++)
        map[l] = uf_find(par, l) == l ? nc++ : -1;
    for (int l = 0; l < next; l++)
        map[l] = map[uf_find(par, l)];
    free(par);
    r->comps = calloc((size_t)nc + 1, sizeof(*r->comps));
    if (!r->comps) {
        free(map);
        return SEAL_ERR_NOMEM;
    }
    for (int c = 0; c < nc; c++) {
        r->comps[c].x0 = W;
        r->comps[c].y0 = H;
        r->comps[c].x1 = r->comps[c].y1 = -1;
    }
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            size_t i = (size_t)y * W + x;
            if (r->lab[i] < 0)
                continue;
            int c = map[r->lab[i]];
            r->lab[i] = c;
            struct seal__comp *cp = &r->comps[c];
            cp->area++;
            cp->sx += x;
            cp->sy += y;
            cp->sf += r->f[i];
            if (x < cp->x0)
                cp->x0 = x;
            if (x > cp->x1)
                cp->x1 = x;
            if (y < cp->y0)
                cp->y0 = y;
            if (y > cp->y1)
                cp->y1 = y;
        }
    free(map);
    r->ncomp = nc;
    return SEAL_OK;
}

/* Where pixel i falls in a row of nt tiles of T px whose values sit at the
 * tiles' centres (held at the ends): the tiles before and after it and the
 * weight of the one after. */
static void tile_pos(int i, int T, int nt, int *a, int *b, double *w)
{
    double f = ((double)i + 0.5) / T - 0.5;
    int t0 = (int)floor(f);
    *w = f - t0;
    *a = t0 < 0 ? 0 : t0 >= nt ? nt - 1 : t0;
    *b = t0 + 1 < 0 ? 0 : t0 + 1 >= nt ? nt - 1 : t0 + 1;
}

/* Bilinear interpolation in a grid g of gw tiles a row. */
static double tile_lerp(const float *g, int gw, int ta, int tb, int xa, int xb, double wx,
                        double wy)
{
    return (1 - wy) * ((1 - wx) * g[ta * gw + xa] + wx * g[ta * gw + xb]) +
           wy * ((1 - wx) * g[tb * gw + xa] + wx * g[tb * gw + xb]);
}

/* The paper's brightness per TS x TS tile of the region, as the log of the
 * brightest 90th percentile of red (lr) and green (lg) in the tile and its
 * neighbours: a tile covered by ink or print has no paper of its own to
 * show. tr, tg: tw x th work space. */
static void paper_tiles(const seal__page *p, const seal__roi *r, int TS, int tw, int th, float *tr,
                        float *tg, float *lr, float *lg)
{
    const seal_scan *s = p->s;
    int W = r->w, H = r->h, x0 = r->x0, y0 = r->y0;
    unsigned hr[256], hg[256];
    for (int ty = 0; ty < th; ty++)
        for (int tx = 0; tx < tw; tx++) {
            memset(hr, 0, sizeof(hr));
            memset(hg, 0, sizeof(hg));
            for (int y = ty * TS; y < (ty + 1) * TS && y < H; y++) {
                const unsigned char *px = s->rgb + ((size_t)(y + y0) * s->w + x0 + tx * TS) * 3;
                for (int x = tx * TS; x < (tx + 1) * TS && x < W; x++, px += 3) {
                    hr[px[0]]++;
                    hg[px[1]]++;
                }
            }
            tr[ty * tw + tx] = (float)seal__hist_quantile(hr, 256, 0.9);
            tg[ty * tw + tx] = (float)seal__hist_quantile(hg, 256, 0.9);
        }
    /* the brightest of the neighbourhood: a tile covered by ink or print
     * has no paper of its own to show */
    for (int ty = 0; ty < th; ty++)
        for (int tx = 0; tx < tw; tx++) {
            float mr = 0, mg = 0;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    int yy = ty + dy, xx = tx + dx;
                    if (yy < 0 || xx < 0 || yy >= th || xx >= tw)
                        continue;
                    mr = fmaxf(mr, tr[yy * tw + xx]);
                    mg = fmaxf(mg, tg[yy * tw + xx]);
                }
            lr[ty * tw + tx] = logf(fmaxf(mr, 8.0f));
            lg[ty * tw + tx] = logf(fmaxf(mg, 8.0f));
        }
}

/* The ink measure of each pixel against the paper (tiles interpolated
 * bilinearly): r->pd the red density, r->f the seal measure D_G - D_R or
 * the pen's darker density. */
static void ink_measure(const seal__page *p, seal__roi *r, int TS, int tw, int th, const float *tr2,
                        const float *tg2, int mode)
{
    const seal_scan *s = p->s;
    int W = r->w, H = r->h, x0 = r->x0, y0 = r->y0;
    for (int y = 0; y < H; y++) {
        int ta, tb;
        double wy;
        tile_pos(y, TS, th, &ta, &tb, &wy);
        const unsigned char *px = s->rgb + ((size_t)(y + y0) * s->w + x0) * 3;
        for (int x = 0; x < W; x++, px += 3) {
            int xa, xb;
            double wx;
            tile_pos(x, TS, tw, &xa, &xb, &wx);
            double lr = tile_lerp(tr2, tw, ta, tb, xa, xb, wx, wy);
            double lg = tile_lerp(tg2, tw, ta, tb, xa, xb, wx, wy);
            double dr = lr - LN[px[0]], dg = lg - LN[px[1]];
            size_t i = (size_t)y * W + x;
            r->pd[i] = (float)dr;
            r->f[i] = (float)(mode == SEAL__MEASURE_SEAL ? dg - dr : (dr > dg ? dr : dg));
        }
    }
}

/* The global threshold (Otsu, r->otsu) and the noise floor (r->level: five
 * times the paper's spread, at least 0.12). */
static void noise_level(seal__roi *r)
{
    enum { NB = 400 };
    size_t n = (size_t)r->w * r->h;
    double hist[NB];
    memset(hist, 0, sizeof(hist));
    for (size_t i = 0; i < n; i++) {
        int b = (int)((r->f[i] + 1.0f) * 100.0f);
        hist[b < 0 ? 0 : b >= NB ? NB - 1 : b] += 1;
    }
    int t = seal__otsu(hist, NB);
    r->otsu = seal__clampd(t / 100.0 - 1.0, 0.15, 1.2);
    /* noise of the paper: spread of f below half the Otsu level */
    double below = 0, acc = 0;
    int cut = (int)((r->otsu * 0.5 + 1.0) * 100);
    for (int b = 0; b < cut && b < NB; b++)
        below += hist[b];
    int med = 0;
    for (int b = 0; b < cut && b < NB; b++) {
        acc += hist[b];
        if (acc >= below / 2) {
            med = b;
            break;
        }
    }
    /* 84th percentile minus median ~ one sigma */
    acc = 0;
    int p84 = med;
    for (int b = 0; b < cut && b < NB; b++) {
        acc += hist[b];
        if (acc >= below * 0.84) {
            p84 = b;
            break;
        }
    }
    double sigma = (p84 - med) / 100.0;
    r->level = fmax(0.12, 5 * sigma);
}

/* The threshold of each pixel (r->thr) and the mask (r->m): INK_EDGE of the
 * local ink level (the 80th percentile of f over ink per 1.35 mm tile, the
 * largest within two tiles, interpolated), never below the noise floor. */
static seal_status local_threshold(const seal__page *p, seal__roi *r, int mode)
{
    int W = r->w, H = r->h;
    double floor_thr = r->level;
    int LT = (int)lround(1.35 * p->ppm);
    if (LT < 4)
        LT = 4;
    int lw = (W + LT - 1) / LT, lh = (H + LT - 1) / LT;
    float *lt = calloc((size_t)lw * lh, sizeof(float));
    float *lm = calloc((size_t)lw * lh, sizeof(float));
    if (!lt || !lm) {
        free(lt);
        free(lm);
        return SEAL_ERR_NOMEM;
    }
    double lo = fmax(r->otsu, floor_thr);
    /* pen strokes share the region with printed lines far darker than
     * they are, which pull Otsu's level above a light pen's */
    double gate = mode == SEAL__MEASURE_PEN ? fmax(floor_thr * 1.5, 0.5 * r->otsu) : lo;
    unsigned hb[64];
    for (int ty = 0; ty < lh; ty++)
        for (int tx = 0; tx < lw; tx++) {
            memset(hb, 0, sizeof(hb));
            int cnt = 0;
            for (int y = ty * LT; y < (ty + 1) * LT && y < H; y++)
                for (int x = tx * LT; x < (tx + 1) * LT && x < W; x++) {
                    float v = r->f[(size_t)y * W + x];
                    if (v > gate) {
                        int b = (int)(v * 20.0f);
                        hb[b > 63 ? 63 : b]++;
                        cnt++;
                    }
                }
            lt[ty * lw + tx] = cnt >= 4 ? (seal__hist_quantile(hb, 64, 0.8) + 0.5f) / 20.0f : 0;
        }
    for (int ty = 0; ty < lh; ty++)
        for (int tx = 0; tx < lw; tx++) {
            float mx = 0;
            for (int dy = -2; dy <= 2; dy++)
                for (int dx = -2; dx <= 2; dx++) {
                    int yy = ty + dy, xx = tx + dx;
                    if (yy >= 0 && xx >= 0 && yy < lh && xx < lw)
                        mx = fmaxf(mx, lt[yy * lw + xx]);
                }
            lm[ty * lw + tx] = mx > 0 ? (float)fmax(floor_thr, INK_EDGE * mx) : (float)lo;
        }
    for (int y = 0; y < H; y++) {
        int ta, tb;
        double wy;
        tile_pos(y, LT, lh, &ta, &tb, &wy);
        for (int x = 0; x < W; x++) {
            int xa, xb;
            double wx;
            tile_pos(x, LT, lw, &xa, &xb, &wx);
            double t = tile_lerp(lm, lw, ta, tb, xa, xb, wx, wy);
            size_t i = (size_t)y * W + x;
            r->thr[i] = (float)t;
            r->m[i] = r->f[i] > t;
        }
    }
    free(lt);
    free(lm);
    return SEAL_OK;
}

/*
 * Measure a region: flat-field the paper (per-tile bright percentile, so a
 * shadow or tinted paper does not read as ink), compute the ink measure and
 * a threshold at a share of the local ink level (an impression stamped
 * unevenly keeps its stroke widths where the ink is thin), and label the
 * mask.
 */
seal_status seal__roi_measure(const seal__page *p, seal__roi *r, int x0, int y0, int x1, int y1,
                              int mode)
{
    const seal_scan *s = p->s;
    memset(r, 0, sizeof(*r));
    x0 = x0 < 0 ? 0 : x0;
    y0 = y0 < 0 ? 0 : y0;
    x1 = x1 > s->w ? s->w : x1;
    y1 = y1 > s->h ? s->h : y1;
    if (x1 - x0 < 8 || y1 - y0 < 8)
        return SEAL_ERR_INPUT;
    r->x0 = x0;
    r->y0 = y0;
    r->w = x1 - x0;
    r->h = y1 - y0;
    int W = r->w, H = r->h;
    size_t n = (size_t)W * H;
    init_ln();
    r->f = malloc(n * sizeof(float));
    r->thr = malloc(n * sizeof(float));
    r->pd = malloc(n * sizeof(float));
    r->m = malloc(n);
    int TS = (int)lround(2.7 * p->ppm);
    if (TS < 8)
        TS = 8;
    int tw = (W + TS - 1) / TS, th = (H + TS - 1) / TS;
    float *tr = malloc(sizeof(float) * (size_t)tw * th),
          *tg = malloc(sizeof(float) * (size_t)tw * th);
    float *tr2 = malloc(sizeof(float) * (size_t)tw * th),
          *tg2 = malloc(sizeof(float) * (size_t)tw * th);
    seal_status st = SEAL_ERR_NOMEM;
    if (r->f && r->thr && r->pd && r->m && tr && tg && tr2 && tg2) {
        paper_tiles(p, r, TS, tw, th, tr, tg, tr2, tg2);
        ink_measure(p, r, TS, tw, th, tr2, tg2, mode);
        noise_level(r);
        st = local_threshold(p, r, mode);
        if (st == SEAL_OK)
            st = seal__roi_label(r);
    }
    free(tr);
    free(tg);
    free(tr2);
    free(tg2);
    return st;
}

/* f - thr at a point between pixel centres (bilinear), and whether one of
 * the four pixels belongs to a kept component. */
double seal__roi_sample(const seal__roi *r, double x, double y, int *kept)
{
    x -= r->x0;
    y -= r->y0;
    int ix = (int)floor(x), iy = (int)floor(y);
    *kept = 0;
    if (ix < 0 || iy < 0 || ix + 1 >= r->w || iy + 1 >= r->h)
        return -1;
    double wx = x - ix, wy = y - iy;
    size_t i = (size_t)iy * r->w + ix;
    double a = r->f[i] - r->thr[i], b = r->f[i + 1] - r->thr[i + 1];
    double c = r->f[i + r->w] - r->thr[i + r->w], d = r->f[i + r->w + 1] - r->thr[i + r->w + 1];
    int l0 = r->lab[i], l1 = r->lab[i + 1], l2 = r->lab[i + r->w], l3 = r->lab[i + r->w + 1];
    *kept = (l0 >= 0 && r->comps[l0].keep) || (l1 >= 0 && r->comps[l1].keep) ||
            (l2 >= 0 && r->comps[l2].keep) || (l3 >= 0 && r->comps[l3].keep);
    return (1 - wy) * ((1 - wx) * a + wx * b) + wy * ((1 - wx) * c + wx * d);
}

/* The mean colour (0..255 a channel, 0 for none) of the scan under the kept
 * ink whose measure is at least min_f and whose print density is at most
 * max_pd. */
void seal__roi_ink_rgb(const seal__page *p, const seal__roi *r, double min_f, double max_pd,
                       double out[3])
{
    double rgb[3] = {0, 0, 0};
    long nrgb = 0;
    for (int y = 0; y < r->h; y++)
        for (int x = 0; x < r->w; x++) {
            size_t i = (size_t)y * r->w + x;
            if (!seal__roi_kept(r, i) || r->f[i] < min_f || r->pd[i] > max_pd)
                continue;
            const unsigned char *px = p->s->rgb + ((size_t)(y + r->y0) * p->s->w + x + r->x0) * 3;
            for (int k = 0; k < 3; k++)
                rgb[k] += px[k];
            nrgb++;
        }
    for (int k = 0; k < 3; k++)
        out[k] = nrgb ? rgb[k] / nrgb : 0;
}

/* Keep only [x0,x1) x [y0,y1) (scan pixels) of a measured region: once an
 * impression is fitted, the 22 mm searched around its box are not needed,
 * and both boxes' regions stay alive until one is chosen (at 600 dpi a
 * whole region is over 100 MB). */
seal_status seal__roi_crop(seal__roi *r, int x0, int y0, int x1, int y1)
{
    x0 = x0 < r->x0 ? r->x0 : x0;
    y0 = y0 < r->y0 ? r->y0 : y0;
    x1 = x1 > r->x0 + r->w ? r->x0 + r->w : x1;
    y1 = y1 > r->y0 + r->h ? r->y0 + r->h : y1;
    if (x1 - x0 < 2 || y1 - y0 < 2)
        return SEAL_OK;
    int W = x1 - x0, H = y1 - y0, dx = x0 - r->x0, dy = y0 - r->y0;
    size_t n = (size_t)W * H;
    float *f = malloc(n * sizeof(float)), *thr = malloc(n * sizeof(float));
    float *pd = malloc(n * sizeof(float));
    unsigned char *m = malloc(n);
    int *lab = malloc(n * sizeof(int));
    if (!f || !thr || !pd || !m || !lab) {
        free(f);
        free(thr);
        free(pd);
        free(m);
        free(lab);
        return SEAL_ERR_NOMEM;
    }
    for (int y = 0; y < H; y++) {
        size_t src = (size_t)(y + dy) * r->w + dx, dst = (size_t)y * W;
        memcpy(f + dst, r->f + src, (size_t)W * sizeof(float));
        memcpy(thr + dst, r->thr + src, (size_t)W * sizeof(float));
        memcpy(pd + dst, r->pd + src, (size_t)W * sizeof(float));
        memcpy(m + dst, r->m + src, (size_t)W);
        memcpy(lab + dst, r->lab + src, (size_t)W * sizeof(int));
    }
    for (int c = 0; c < r->ncomp; c++) {
        struct seal__comp *cp = &r->comps[c];
        cp->sx -= (double)cp->area * dx;
        cp->sy -= (double)cp->area * dy;
        cp->x0 -= dx;
        cp->x1 -= dx;
        cp->y0 -= dy;
        cp->y1 -= dy;
    }
    free(r->f);
    free(r->thr);
    free(r->pd);
    free(r->m);
    free(r->lab);
    r->f = f;
    r->thr = thr;
    r->pd = pd;
    r->m = m;
    r->lab = lab;
    r->x0 = x0;
    r->y0 = y0;
    r->w = W;
    r->h = H;
    return SEAL_OK;
}
