/*
 * Enrolment step 2: from a scan to an upright seal mask with a decision.
 *
 * The page is first looked at in a coarse overview (about 75 dpi): paper
 * brightness (a phone photo is lit unevenly), the skew and the long black
 * table lines, and from those the collection boxes. Each box is then worked
 * at full resolution: the paper is flat-fielded tile by tile, seal ink is
 * told from paper and from black print by the difference of the red and
 * green optical densities (print is neutral, so that difference does not
 * change where red ink lies over black text), thresholded at half the local
 * ink level, cleaned of specks, fitted with a circle, ellipse or square,
 * turned upright and scored. The chosen impression is resampled at twice the
 * scan resolution into the upright frame, straight from the continuous ink
 * measure, so the traced outline keeps sub-pixel accuracy.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "enrol_internal.h"

#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define MM_PER_IN 25.4

/* Where the edge of a stroke is put, as a share of the local full ink
 * level. Half would be right for a wide stroke seen sharp; a scanner's blur
 * lowers the peak of thin strokes (seal text is 0.3-0.6 mm), so a third of
 * the level keeps their width. Measured on sealgen's dev profile: IoU
 * 0.87 at 0.5, 0.93 at 0.33, 0.91 at 0.25. */
#define INK_EDGE 0.33

/* ---- small helpers --------------------------------------------------- */

static double clampd(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Percentile of n values (sorts them). */
static double percentile(double *v, size_t n, double p)
{
    if (!n)
        return 0;
    qsort(v, n, sizeof(*v), cmp_double);
    size_t i = (size_t)clampd(p * (double)(n - 1) + 0.5, 0, (double)(n - 1));
    return v[i];
}

/* Value below which a share p of a histogram's mass lies. */
static int hist_quantile(const unsigned *h, int nbins, double p)
{
    unsigned long long tot = 0, acc = 0;
    for (int i = 0; i < nbins; i++)
        tot += h[i];
    if (!tot)
        return 0;
    for (int i = 0; i < nbins; i++) {
        acc += h[i];
        if ((double)acc >= p * (double)tot)
            return i;
    }
    return nbins - 1;
}

static void add_issue(seal_mask *m, seal_decision sev, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void add_issue(seal_mask *m, seal_decision sev, const char *code, const char *fmt, ...)
{
    va_list ap;
    if (m->info.issue_count >= SEAL_MAX_ISSUES)
        return;
    for (size_t i = 0; i < m->info.issue_count; i++)
        if (!strcmp(m->issues[i].code, code))
            return; /* one issue per code: the first message says it */
    struct seal_issue_rec *r = &m->issues[m->info.issue_count++];
    r->severity = sev;
    snprintf(r->code, sizeof(r->code), "%s", code);
    va_start(ap, fmt);
    vsnprintf(r->message, sizeof(r->message), fmt, ap);
    va_end(ap);
    if (sev > m->info.decision)
        m->info.decision = sev;
}

static int has_issue(const seal_mask *m, const char *code)
{
    for (size_t i = 0; i < m->info.issue_count; i++)
        if (!strcmp(m->issues[i].code, code))
            return 1;
    return 0;
}

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

/* ---- the page overview ----------------------------------------------- */

typedef struct line_seg {
    double pos;    /* deskewed position (v for horizontal, u for vertical), overview px */
    double a, b;   /* extent along the line, overview px (deskewed) */
} line_seg;

typedef struct page {
    const seal_scan *s;
    double dpi, ppm;     /* full-resolution pixels per inch / per mm */
    int F, ow, oh;       /* overview: F x F blocks */
    double oppm;         /* overview pixels per mm */
    unsigned char *dark; /* overview: block holds black print */
    unsigned char *red;  /* overview: block holds red ink */
    float *lum;          /* overview: block mean brightness */
    double white;        /* paper brightness, 0..255 */
    double illum;        /* darkest / brightest paper region */
    double surround;     /* share of the image's edge band that is not paper */
    double t;            /* tan(skew) */
    line_seg *hl, *vl;
    size_t nh, nv;
} page;

static void page_free(page *p)
{
    free(p->dark);
    free(p->red);
    free(p->lum);
    free(p->hl);
    free(p->vl);
}

static seal_status overview(page *p)
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
                tiles[(size_t)ty * tw + tx] = hist_quantile(hist, 256, 0.75);
            }
        for (int ry = 0; ry < 4; ry++)
            for (int rx = 0; rx < 4; rx++) {
                size_t k = 0;
                for (int ty = ry * th / 4; ty < (ry + 1) * th / 4; ty++)
                    for (int tx = rx * tw / 4; tx < (rx + 1) * tw / 4; tx++)
                        reg[k++] = tiles[(size_t)ty * tw + tx];
                if (k)
                    regv[nreg++] = percentile(reg, k, 0.8);
            }
        size_t nt = (size_t)tw * th;
        memcpy(reg, tiles, nt * sizeof(double));
        p->white = percentile(reg, nt, 0.7);
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
static unsigned char *long_runs(const page *p, int horizontal, int minrun)
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
static double find_skew(const page *p, const unsigned char *hr)
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

static int dark_at(const page *p, int x, int y)
{
    if (x < 0 || y < 0 || x >= p->ow || y >= p->oh)
        return 0;
    return p->dark[(size_t)y * p->ow + x];
}

/* Long straight lines, as segments in the deskewed frame:
 *   horizontal: v = y - x t,   vertical: u = x + y t. */
static seal_status find_lines(page *p, int horizontal, line_seg **out, size_t *nout)
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
    line_seg *segs = NULL;
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
                        line_seg *nsg = realloc(segs, cap * sizeof(*segs));
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

/* A collection box (or signature area) in the deskewed overview frame. */
typedef struct cell {
    double u0, u1, v0, v1;
    int open_sides; /* signature lines: only the bottom side is a line */
} cell;

static int covers(const line_seg *s, double a, double b, double tol)
{
    return s->a <= a + tol && s->b >= b - tol;
}

/* Cells bounded by lines on all four sides with sizes in the given range,
 * grouped by band (the same top and bottom lines). Returns the band with
 * the most cells (ties: the one with more red), at most maxc cells, left to
 * right. */
static int find_cells(const page *p, double hmin, double hmax, double wmin, double wmax,
                      cell *outc, int maxc)
{
    double mm = p->oppm, tol = 2.5 * mm;
    int best_n = 0;
    double best_red = -1;
    for (size_t i = 0; i < p->nh; i++)
        for (size_t j = 0; j < p->nh; j++) {
            const line_seg *a = &p->hl[i], *b = &p->hl[j];
            double h = b->pos - a->pos;
            if (h < hmin * mm || h > hmax * mm)
                continue;
            /* the band must be the tightest: no line between spanning it */
            double xa = fmax(a->a, b->a), xb = fmin(a->b, b->b);
            if (xb - xa < wmin * mm)
                continue;
            int tight = 1;
            for (size_t k = 0; k < p->nh && tight; k++) {
                const line_seg *c = &p->hl[k];
                if (c->pos > a->pos + tol && c->pos < b->pos - tol && c->b - c->a > 0.5 * (xb - xa) &&
                    c->a < xb && c->b > xa)
                    tight = 0;
            }
            if (!tight)
                continue;
            double us[64];
            int nu = 0;
            for (size_t k = 0; k < p->nv && nu < 64; k++) {
                const line_seg *v = &p->vl[k];
                if (v->pos < xa - tol || v->pos > xb + tol)
                    continue;
                if (!covers(v, a->pos, b->pos, tol))
                    continue;
                if (nu && fabs(v->pos - us[nu - 1]) < tol)
                    continue;
                us[nu++] = v->pos;
            }
            qsort(us, (size_t)nu, sizeof(double), cmp_double);
            cell cs[8];
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
                memcpy(outc, cs, sizeof(cell) * (size_t)nc);
            }
        }
    return best_n;
}

/* Signature form, second layout: three ruled lines of equal length stacked
 * about 29 mm apart; each sample is written above its line. */
static int find_ruled(const page *p, cell *outc)
{
    double mm = p->oppm;
    for (size_t i = 0; i < p->nh; i++) {
        const line_seg *a = &p->hl[i];
        double len = a->b - a->a;
        if (len < 60 * mm || len > 140 * mm)
            continue;
        int n = 1;
        const line_seg *chain[3] = {a, NULL, NULL};
        for (size_t j = 0; j < p->nh && n < 3; j++) {
            const line_seg *b = &p->hl[j];
            double d = b->pos - chain[n - 1]->pos;
            if (d > 20 * mm && d < 40 * mm && fabs(b->a - a->a) < 3 * mm && fabs(b->b - a->b) < 3 * mm)
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

/* ---- a region at full resolution ------------------------------------- */

enum { MEASURE_SEAL = 0, MEASURE_PEN = 1 };

typedef struct roi {
    int x0, y0, w, h; /* in scan pixels */
    float *f;         /* ink measure: seal D_G - D_R; pen D_R */
    float *thr;       /* threshold for f */
    float *pd;        /* print (neutral) density D_R, seals only */
    unsigned char *m; /* f > thr */
    int *lab;         /* component of each mask pixel, -1 none */
    int ncomp;
    struct comp {
        long area;
        double sx, sy, sf;
        int x0, y0, x1, y1;
        int keep;
    } *comps;
    double level;     /* strong ink level (99th percentile of f over ink) */
    double otsu;
} roi;

static void roi_free(roi *r)
{
    free(r->f);
    free(r->thr);
    free(r->pd);
    free(r->m);
    free(r->lab);
    free(r->comps);
    memset(r, 0, sizeof(*r));
}

/* Otsu's threshold of a histogram. */
static int otsu(const double *h, int n)
{
    double tot = 0, sum = 0, wb = 0, sb = 0, best = -1;
    int t = n / 2;
    for (int i = 0; i < n; i++) {
        tot += h[i];
        sum += i * h[i];
    }
    for (int i = 0; i < n; i++) {
        wb += h[i];
        if (wb <= 0)
            continue;
        double wf = tot - wb;
        if (wf <= 0)
            break;
        sb += i * h[i];
        double mb = sb / wb, mf = (sum - sb) / wf;
        double v = wb * wf * (mb - mf) * (mb - mf);
        if (v > best) {
            best = v;
            t = i;
        }
    }
    return t;
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
static seal_status roi_label(roi *r)
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
            struct comp *cp = &r->comps[c];
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

/*
 * Measure a region: flat-field the paper (per-tile bright percentile, so a
 * shadow or tinted paper does not read as ink), compute the ink measure and
 * a threshold at half the local ink level (an impression stamped unevenly
 * keeps its stroke widths where the ink is thin), and label the mask.
 */
static seal_status roi_measure(const page *p, roi *r, int x0, int y0, int x1, int y1, int mode)
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
    float *tr = malloc(sizeof(float) * (size_t)tw * th), *tg = malloc(sizeof(float) * (size_t)tw * th);
    float *tr2 = malloc(sizeof(float) * (size_t)tw * th), *tg2 = malloc(sizeof(float) * (size_t)tw * th);
    seal_status st = SEAL_ERR_NOMEM;
    if (!r->f || !r->thr || !r->pd || !r->m || !tr || !tg || !tr2 || !tg2)
        goto out;
    {
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
                tr[ty * tw + tx] = (float)hist_quantile(hr, 256, 0.9);
                tg[ty * tw + tx] = (float)hist_quantile(hg, 256, 0.9);
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
                tr2[ty * tw + tx] = logf(fmaxf(mr, 8.0f));
                tg2[ty * tw + tx] = logf(fmaxf(mg, 8.0f));
            }
    }
    for (int y = 0; y < H; y++) {
        double fy = ((double)y + 0.5) / TS - 0.5;
        int ty0 = (int)floor(fy);
        double wy = fy - ty0;
        int ta = ty0 < 0 ? 0 : ty0 >= th ? th - 1 : ty0;
        int tb = ty0 + 1 < 0 ? 0 : ty0 + 1 >= th ? th - 1 : ty0 + 1;
        const unsigned char *px = s->rgb + ((size_t)(y + y0) * s->w + x0) * 3;
        for (int x = 0; x < W; x++, px += 3) {
            double fx = ((double)x + 0.5) / TS - 0.5;
            int tx0 = (int)floor(fx);
            double wx = fx - tx0;
            int xa = tx0 < 0 ? 0 : tx0 >= tw ? tw - 1 : tx0;
            int xb = tx0 + 1 < 0 ? 0 : tx0 + 1 >= tw ? tw - 1 : tx0 + 1;
            double lr = (1 - wy) * ((1 - wx) * tr2[ta * tw + xa] + wx * tr2[ta * tw + xb]) +
                        wy * ((1 - wx) * tr2[tb * tw + xa] + wx * tr2[tb * tw + xb]);
            double lg = (1 - wy) * ((1 - wx) * tg2[ta * tw + xa] + wx * tg2[ta * tw + xb]) +
                        wy * ((1 - wx) * tg2[tb * tw + xa] + wx * tg2[tb * tw + xb]);
            double dr = lr - LN[px[0]], dg = lg - LN[px[1]];
            size_t i = (size_t)y * W + x;
            r->pd[i] = (float)dr;
            r->f[i] = (float)(mode == MEASURE_SEAL ? dg - dr : (dr > dg ? dr : dg));
        }
    }

    /* global threshold (Otsu) and noise floor */
    {
        enum { NB = 400 };
        double hist[NB];
        memset(hist, 0, sizeof(hist));
        for (size_t i = 0; i < n; i++) {
            int b = (int)((r->f[i] + 1.0f) * 100.0f);
            hist[b < 0 ? 0 : b >= NB ? NB - 1 : b] += 1;
        }
        int t = otsu(hist, NB);
        r->otsu = clampd(t / 100.0 - 1.0, 0.15, 1.2);
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
    double floor_thr = r->level;
    /* local ink level per tile: the 80th percentile of f over ink pixels */
    {
        int LT = (int)lround(1.35 * p->ppm);
        if (LT < 4)
            LT = 4;
        int lw = (W + LT - 1) / LT, lh = (H + LT - 1) / LT;
        float *lt = calloc((size_t)lw * lh, sizeof(float));
        float *lm = calloc((size_t)lw * lh, sizeof(float));
        if (!lt || !lm) {
            free(lt);
            free(lm);
            goto out;
        }
        double lo = fmax(r->otsu, floor_thr);
        /* pen strokes share the region with printed lines far darker than
         * they are, which pull Otsu's level above a light pen's */
        double gate = mode == MEASURE_PEN ? fmax(floor_thr * 1.5, 0.5 * r->otsu) : lo;
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
                lt[ty * lw + tx] = cnt >= 4 ? (hist_quantile(hb, 64, 0.8) + 0.5f) / 20.0f : 0;
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
            double fy = ((double)y + 0.5) / LT - 0.5;
            int ty0 = (int)floor(fy);
            double wy = fy - ty0;
            int ta = ty0 < 0 ? 0 : ty0 >= lh ? lh - 1 : ty0;
            int tb = ty0 + 1 >= lh ? lh - 1 : ty0 + 1 < 0 ? 0 : ty0 + 1;
            for (int x = 0; x < W; x++) {
                double fx = ((double)x + 0.5) / LT - 0.5;
                int tx0 = (int)floor(fx);
                double wx = fx - tx0;
                int xa = tx0 < 0 ? 0 : tx0 >= lw ? lw - 1 : tx0;
                int xb = tx0 + 1 >= lw ? lw - 1 : tx0 + 1 < 0 ? 0 : tx0 + 1;
                double t = (1 - wy) * ((1 - wx) * lm[ta * lw + xa] + wx * lm[ta * lw + xb]) +
                           wy * ((1 - wx) * lm[tb * lw + xa] + wx * lm[tb * lw + xb]);
                size_t i = (size_t)y * W + x;
                r->thr[i] = (float)t;
                r->m[i] = r->f[i] > t;
            }
        }
        free(lt);
        free(lm);
    }
    st = roi_label(r);
out:
    free(tr);
    free(tg);
    free(tr2);
    free(tg2);
    return st;
}

/* f - thr at a point between pixel centres (bilinear), and whether one of
 * the four pixels belongs to a kept component. */
static double roi_sample(const roi *r, double x, double y, int *kept)
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

/* Keep only [x0,x1) x [y0,y1) (scan pixels) of a measured region: once an
 * impression is fitted, the 22 mm searched around its box are not needed,
 * and both boxes' regions stay alive until one is chosen (at 600 dpi a
 * whole region is over 100 MB). */
static seal_status roi_crop(roi *r, int x0, int y0, int x1, int y1)
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
        struct comp *cp = &r->comps[c];
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

/* ---- fitting the outline ---------------------------------------------- */

/* Solve a 4x4 system in place (partial pivoting); 0 on success. */
static int solve4(double A[4][4], double b[4])
{
    for (int c = 0; c < 4; c++) {
        int pv = c;
        for (int r = c + 1; r < 4; r++)
            if (fabs(A[r][c]) > fabs(A[pv][c]))
                pv = r;
        if (fabs(A[pv][c]) < 1e-12)
            return -1;
        if (pv != c) {
            for (int k = 0; k < 4; k++) {
                double t = A[c][k];
                A[c][k] = A[pv][k];
                A[pv][k] = t;
            }
            double t = b[c];
            b[c] = b[pv];
            b[pv] = t;
        }
        for (int r = c + 1; r < 4; r++) {
            double f = A[r][c] / A[c][c];
            for (int k = c; k < 4; k++)
                A[r][k] -= f * A[c][k];
            b[r] -= f * b[c];
        }
    }
    for (int c = 3; c >= 0; c--) {
        for (int k = c + 1; k < 4; k++)
            b[c] -= A[c][k] * b[k];
        b[c] /= A[c][c];
    }
    return 0;
}

typedef struct fit {
    double cx, cy, a, b, beta; /* centre (scan px), semi-axes (px), rotation (rad, clockwise) */
    double rms;                /* px */
} fit;

/* An ellipse with its axes turned by beta: A x^2 + C y^2 + D x + E y = 1 in
 * the turned frame (linear least squares), over the points with w[i] set. */
static int fit_ellipse_at(const double *px, const double *py, const int *w, int n, double ox,
                          double oy, double beta, fit *out)
{
    double M[4][4] = {{0}}, v[4] = {0};
    double c = cos(beta), s = sin(beta);
    int used = 0;
    for (int i = 0; i < n; i++) {
        if (!w[i])
            continue;
        double dx = px[i] - ox, dy = py[i] - oy;
        double x = dx * c + dy * s, y = -dx * s + dy * c;
        double row[4] = {x * x, y * y, x, y};
        for (int a = 0; a < 4; a++) {
            for (int b = 0; b < 4; b++)
                M[a][b] += row[a] * row[b];
            v[a] += row[a];
        }
        used++;
    }
    if (used < 8 || solve4(M, v))
        return -1;
    double A = v[0], C = v[1], D = v[2], E = v[3];
    if (A <= 0 || C <= 0)
        return -1;
    double x0 = -D / (2 * A), y0 = -E / (2 * C);
    double k = 1 + D * D / (4 * A) + E * E / (4 * C);
    if (k <= 0)
        return -1;
    out->a = sqrt(k / A);
    out->b = sqrt(k / C);
    out->cx = ox + x0 * c - y0 * s;
    out->cy = oy + x0 * s + y0 * c;
    out->beta = beta;
    double ss = 0;
    for (int i = 0; i < n; i++) {
        if (!w[i])
            continue;
        double dx = px[i] - out->cx, dy = py[i] - out->cy;
        double x = dx * c + dy * s, y = -dx * s + dy * c;
        double rho = sqrt((x / out->a) * (x / out->a) + (y / out->b) * (y / out->b));
        double r = hypot(x, y);
        double res = rho > 0 ? r - r / rho : 0;
        ss += res * res;
    }
    out->rms = sqrt(ss / used);
    return 0;
}

/* Residual of one point against a fit (px, positive outside). */
static double ellipse_res(const fit *f, double px, double py)
{
    double c = cos(f->beta), s = sin(f->beta);
    double dx = px - f->cx, dy = py - f->cy;
    double x = dx * c + dy * s, y = -dx * s + dy * c;
    double rho = sqrt((x / f->a) * (x / f->a) + (y / f->b) * (y / f->b));
    double r = hypot(x, y);
    return rho > 0 ? r - r / rho : 0;
}

static double rect_res(const fit *f, double px, double py)
{
    double c = cos(f->beta), s = sin(f->beta);
    double dx = px - f->cx, dy = py - f->cy;
    double x = fabs(dx * c + dy * s), y = fabs(-dx * s + dy * c);
    return fmax(x - f->a, y - f->b) > 0 ? fmax(x - f->a, y - f->b)
                                         : -fmin(f->a - x, f->b - y);
}

static int fit_ellipse(const double *px, const double *py, int *w, int n, double ox, double oy,
                       int circle_only, fit *out)
{
    fit best = {0}, f;
    best.rms = DBL_MAX;
    for (int pass = 0; pass < 3; pass++) {
        best.rms = DBL_MAX;
        if (circle_only) {
            if (fit_ellipse_at(px, py, w, n, ox, oy, 0, &f) == 0) {
                /* a circle: the mean of the two axes */
                f.a = f.b = 0.5 * (f.a + f.b);
                best = f;
            }
        } else {
            for (int k = -50; k <= 50; k++)
                if (fit_ellipse_at(px, py, w, n, ox, oy, k * 0.5 * M_PI / 180, &f) == 0 &&
                    f.rms < best.rms)
                    best = f;
            double b0 = best.beta;
            for (int k = -10; k <= 10; k++)
                if (fit_ellipse_at(px, py, w, n, ox, oy, b0 + k * 0.05 * M_PI / 180, &f) == 0 &&
                    f.rms < best.rms)
                    best = f;
        }
        if (best.rms == DBL_MAX)
            return -1;
        /* drop outliers: bins where the border has a gap report the text
         * inside instead, and a speck outside reports too far */
        double *res = malloc(sizeof(double) * (size_t)n);
        if (!res)
            return -1;
        int m = 0;
        for (int i = 0; i < n; i++)
            if (w[i])
                res[m++] = fabs(ellipse_res(&best, px[i], py[i]));
        double mad = percentile(res, (size_t)m, 0.5);
        free(res);
        double lim = fmax(3.0 * 1.4826 * mad, 1.5);
        for (int i = 0; i < n; i++)
            w[i] = w[i] && fabs(ellipse_res(&best, px[i], py[i])) <= lim;
        ox = best.cx;
        oy = best.cy;
    }
    *out = best;
    return 0;
}

/* A square or rectangle: the turn with the least bounding-box area of the
 * border points, then each side at the median of the points along it. */
static int fit_rect(const double *px, const double *py, const int *w0, int n, double ox, double oy,
                    fit *out)
{
    double best_area = DBL_MAX, bb = 0;
    for (int k = -100; k <= 100; k++) {
        double beta = k * 0.2 * M_PI / 180, c = cos(beta), s = sin(beta);
        double x0 = DBL_MAX, x1 = -DBL_MAX, y0 = DBL_MAX, y1 = -DBL_MAX;
        for (int i = 0; i < n; i++) {
            if (!w0[i])
                continue;
            double dx = px[i] - ox, dy = py[i] - oy;
            double x = dx * c + dy * s, y = -dx * s + dy * c;
            x0 = fmin(x0, x);
            x1 = fmax(x1, x);
            y0 = fmin(y0, y);
            y1 = fmax(y1, y);
        }
        double area = (x1 - x0) * (y1 - y0);
        if (area < best_area) {
            best_area = area;
            bb = beta;
        }
    }
    if (best_area == DBL_MAX)
        return -1;
    double c = cos(bb), s = sin(bb);
    double *xs = malloc(sizeof(double) * (size_t)n * 2), *ys = xs + n;
    if (!xs)
        return -1;
    double x0 = DBL_MAX, x1 = -DBL_MAX, y0 = DBL_MAX, y1 = -DBL_MAX;
    for (int i = 0; i < n; i++) {
        double dx = px[i] - ox, dy = py[i] - oy;
        xs[i] = dx * c + dy * s;
        ys[i] = -dx * s + dy * c;
        if (!w0[i])
            continue;
        x0 = fmin(x0, xs[i]);
        x1 = fmax(x1, xs[i]);
        y0 = fmin(y0, ys[i]);
        y1 = fmax(y1, ys[i]);
    }
    double side[4] = {x0, x1, y0, y1};
    double tol = 0.12 * fmin(x1 - x0, y1 - y0);
    for (int sd = 0; sd < 4; sd++) {
        double *v = malloc(sizeof(double) * (size_t)n);
        int m = 0;
        if (!v)
            break;
        for (int i = 0; i < n; i++) {
            if (!w0[i])
                continue;
            double along = sd < 2 ? xs[i] : ys[i], across = sd < 2 ? ys[i] : xs[i];
            double lo = sd < 2 ? y0 : x0, hi = sd < 2 ? y1 : x1;
            if (fabs(along - side[sd]) < tol && across > lo + 0.2 * (hi - lo) &&
                across < hi - 0.2 * (hi - lo))
                v[m++] = along;
        }
        if (m >= 5)
            side[sd] = percentile(v, (size_t)m, 0.5);
        free(v);
    }
    double cxr = 0.5 * (side[0] + side[1]), cyr = 0.5 * (side[2] + side[3]);
    out->a = 0.5 * (side[1] - side[0]);
    out->b = 0.5 * (side[3] - side[2]);
    out->cx = ox + cxr * c - cyr * s;
    out->cy = oy + cxr * s + cyr * c;
    out->beta = bb;
    double ss = 0;
    int used = 0;
    for (int i = 0; i < n; i++)
        if (w0[i]) {
            double r = rect_res(out, px[i], py[i]);
            ss += r * r;
            used++;
        }
    out->rms = used ? sqrt(ss / used) : DBL_MAX;
    free(xs);
    return 0;
}

/* The farthest kept ink pixel from (cx, cy) in each 1-degree bin, within rmax. */
static int outline_points(const roi *r, double cx, double cy, double rmax, double *px, double *py)
{
    double best[360];
    int bx[360], by[360];
    for (int k = 0; k < 360; k++)
        best[k] = -1;
    int xa = (int)floor(cx - rmax) - r->x0, xb = (int)ceil(cx + rmax) - r->x0;
    int ya = (int)floor(cy - rmax) - r->y0, yb = (int)ceil(cy + rmax) - r->y0;
    xa = xa < 1 ? 1 : xa;
    ya = ya < 1 ? 1 : ya;
    xb = xb > r->w - 1 ? r->w - 1 : xb;
    yb = yb > r->h - 1 ? r->h - 1 : yb;
    for (int y = ya; y < yb; y++)
        for (int x = xa; x < xb; x++) {
            size_t i = (size_t)y * r->w + x;
            int l = r->lab[i];
            if (l < 0 || !r->comps[l].keep)
                continue;
            /* only border pixels can be the farthest */
            if (r->lab[i - 1] >= 0 && r->lab[i + 1] >= 0 && r->lab[i - r->w] >= 0 &&
                r->lab[i + r->w] >= 0)
                continue;
            double dx = x + r->x0 - cx, dy = y + r->y0 - cy;
            double d = hypot(dx, dy);
            if (d > rmax)
                continue;
            int k = (int)floor((atan2(dy, dx) + M_PI) * 180 / M_PI);
            k = k < 0 ? 0 : k > 359 ? 359 : k;
            if (d > best[k]) {
                best[k] = d;
                bx[k] = x + r->x0;
                by[k] = y + r->y0;
            }
        }
    int n = 0;
    for (int k = 0; k < 360; k++) {
        if (best[k] < 0)
            continue;
        /* the edge lies half a pixel beyond the last ink pixel's centre */
        double dx = bx[k] - cx, dy = by[k] - cy, d = best[k];
        double g = d > 0 ? (d + 0.5) / d : 1;
        px[n] = cx + dx * g;
        py[n] = cy + dy * g;
        n++;
    }
    return n;
}

/* The star's turn: the phase of the five-fold angular harmonic of the ink in
 * an annulus around the star's centre. Returns the clockwise turn (rad) and
 * a confidence 0..1. */
static double star_turn(const roi *r, double cx, double cy, double rs, double *conf)
{
    /* the star's own centre: centroid of the ink close to the seal's centre */
    for (int it = 0; it < 3; it++) {
        double sx = 0, sy = 0, sw = 0, lim = (it ? 0.55 : 0.45) * rs;
        for (int y = (int)(cy - lim); y <= (int)(cy + lim); y++)
            for (int x = (int)(cx - lim); x <= (int)(cx + lim); x++) {
                int xx = x - r->x0, yy = y - r->y0;
                if (xx < 0 || yy < 0 || xx >= r->w || yy >= r->h)
                    continue;
                if (hypot(x - cx, y - cy) > lim || !r->m[(size_t)yy * r->w + xx])
                    continue;
                sx += x;
                sy += y;
                sw += 1;
            }
        if (sw < 10)
            break;
        cx = sx / sw;
        cy = sy / sw;
    }
    double re = 0, im = 0, cnt = 0;
    for (int y = (int)(cy - rs); y <= (int)(cy + rs); y++)
        for (int x = (int)(cx - rs); x <= (int)(cx + rs); x++) {
            int xx = x - r->x0, yy = y - r->y0;
            if (xx < 0 || yy < 0 || xx >= r->w || yy >= r->h)
                continue;
            double d = hypot(x - cx, y - cy);
            if (d < 0.45 * rs || d > 0.85 * rs)
                continue;
            cnt += 1;
            if (!r->m[(size_t)yy * r->w + xx])
                continue;
            double th = atan2(y - cy, x - cx);
            re += cos(5 * th);
            im += sin(5 * th);
        }
    *conf = cnt > 0 ? hypot(re, im) / cnt : 0;
    double phi = atan2(im, re) * 180 / M_PI; /* = 5 (beta - 90) mod 360 */
    double beta = fmod(phi + 450.0, 360.0) / 5.0;
    if (beta >= 36)
        beta -= 72;
    return beta * M_PI / 180;
}

/* ---- one impression --------------------------------------------------- */

typedef struct imp {
    int present;
    fit g;               /* outline (scan px) */
    seal_shape shape;
    double rmax;         /* search radius used, px */
    unsigned char *can;  /* upright mask at scan resolution */
    int cw, chh;         /* its size */
    long ink;            /* pixels in can */
    double medf, sharp, ring, cover, overlap, ink_rgb[3];
    int crosses;
    seal_impression_score sc;
    roi r;
} imp;

static void imp_free(imp *im)
{
    free(im->can);
    roi_free(&im->r);
    memset(im, 0, sizeof(*im));
}

/* Box in scan pixels (deskewed frame). */
typedef struct fbox {
    double u0, u1, v0, v1;
    int open_sides;
} fbox;

static void to_uv(const page *p, double x, double y, double *u, double *v)
{
    *u = x + y * p->t;
    *v = y - x * p->t;
}

static void from_uv(const page *p, double u, double v, double *x, double *y)
{
    double t = p->t, d = 1 + t * t;
    *x = (u - v * t) / d;
    *y = (v + u * t) / d;
}

static void box_bounds(const page *p, const fbox *b, double margin, int *x0, int *y0, int *x1, int *y1)
{
    double xs[4], ys[4];
    from_uv(p, b->u0, b->v0, &xs[0], &ys[0]);
    from_uv(p, b->u1, b->v0, &xs[1], &ys[1]);
    from_uv(p, b->u0, b->v1, &xs[2], &ys[2]);
    from_uv(p, b->u1, b->v1, &xs[3], &ys[3]);
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

/* Half extents of an outline along the page axes. */
static void outline_extent(const fit *g, seal_shape shape, double *ex, double *ey)
{
    double c = fabs(cos(g->beta)), s = fabs(sin(g->beta));
    if (shape == SEAL_SHAPE_SQUARE) {
        *ex = g->a * c + g->b * s;
        *ey = g->a * s + g->b * c;
    } else {
        *ex = sqrt(g->a * g->a * c * c + g->b * g->b * s * s);
        *ey = sqrt(g->a * g->a * s * s + g->b * g->b * c * c);
    }
}

static int inside_outline(seal_shape shape, double X, double Y, double a, double b)
{
    if (shape == SEAL_SHAPE_SQUARE || shape == SEAL_SHAPE_FREE)
        return fabs(X) <= a && fabs(Y) <= b;
    return (X / a) * (X / a) + (Y / b) * (Y / b) <= 1.0;
}

/*
 * Resample an impression upright: output pixel (i, j) at `s` px/mm, the
 * seal's centre in the middle, `half_w` x `half_h` mm from the centre to the
 * bitmap's edges. Ink = the continuous measure above its threshold (bilinear,
 * so edges fall between scan pixels) on a kept component, inside the
 * outline grown by `grow` mm.
 */
static unsigned char *upright(const page *p, const imp *im, double s, double half_w, double half_h,
                              double grow, int *ow, int *oh, long *count)
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
            if (!inside_outline(im->shape, X, Y, a, b))
                continue;
            double x = im->g.cx + ppm * (X * c - Y * sn), y = im->g.cy + ppm * (X * sn + Y * c);
            int kept;
            double v = roi_sample(&im->r, x, y, &kept);
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
static void border_scores(imp *im, double ppm)
{
    struct seal__upright u = {im->can, im->cw, im->chh, ppm, im->shape, im->g.a / ppm, im->g.b / ppm};
    seal__border_measure(&u, &im->ring, &im->cover);
}

/* Mean edge steepness of the kept ink relative to its local level. */
static double edge_sharpness(const roi *r)
{
    double acc = 0;
    long n = 0;
    for (int y = 1; y < r->h - 1; y++)
        for (int x = 1; x < r->w - 1; x++) {
            size_t i = (size_t)y * r->w + x;
            int l = r->lab[i];
            if (l < 0 || !r->comps[l].keep)
                continue;
            if (r->m[i - 1] && r->m[i + 1] && r->m[i - r->w] && r->m[i + r->w])
                continue;
            double gx = 0.5 * (r->f[i + 1] - r->f[i - 1]), gy = 0.5 * (r->f[i + r->w] - r->f[i - r->w]);
            acc += hypot(gx, gy) / (2.0 * r->thr[i]);
            n++;
        }
    return n ? acc / n : 0;
}

typedef struct boxinfo {
    fbox box;
    double rmax_mm;
    seal_kind kind;
} boxinfo;

/*
 * Find, fit and straighten the impression in one box. Leaves im->present 0
 * when the box holds too little red ink.
 */
static seal_status process_box(const page *p, const boxinfo *bi, imp *im)
{
    double ppm = p->ppm;
    int x0, y0, x1, y1;
    memset(im, 0, sizeof(*im));
    /* look beyond the box: an impression may cross its line */
    box_bounds(p, &bi->box, 22 * ppm, &x0, &y0, &x1, &y1);
    seal_status st = roi_measure(p, &im->r, x0, y0, x1, y1, MEASURE_SEAL);
    if (st != SEAL_OK)
        return st == SEAL_ERR_INPUT ? SEAL_OK : st;
    roi *r = &im->r;
    long minpx = (long)ceil(0.03 * ppm * ppm);
    if (minpx < 4)
        minpx = 4;
    /* the ink inside the box (shrunk by 1 mm) locates the impression */
    double sx = 0, sy = 0, sa = 0;
    for (int c = 0; c < r->ncomp; c++) {
        struct comp *cp = &r->comps[c];
        if (cp->area < minpx)
            continue;
        double u, v;
        to_uv(p, cp->sx / cp->area + r->x0, cp->sy / cp->area + r->y0, &u, &v);
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
    fit ge = {0}, gr = {0};
    int have_e = 0, have_r = 0;
    for (int it = 0; it < 3; it++) {
        for (int c = 0; c < r->ncomp; c++) {
            struct comp *cp = &r->comps[c];
            double dx = cp->sx / cp->area + r->x0 - cx, dy = cp->sy / cp->area + r->y0 - cy;
            cp->keep = cp->area >= minpx && hypot(dx, dy) < rmax;
        }
        n = outline_points(r, cx, cy, rmax, px, py);
        if (n < 60)
            return SEAL_OK;
        for (int i = 0; i < n; i++)
            w[i] = 1;
        have_e = fit_ellipse(px, py, w, n, cx, cy, 0, &ge) == 0;
        for (int i = 0; i < n; i++)
            w[i] = 1;
        have_r = fit_rect(px, py, w, n, cx, cy, &gr) == 0;
        if (!have_e && !have_r)
            return SEAL_OK;
        fit *g = have_e && (!have_r || ge.rms <= gr.rms) ? &ge : &gr;
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
        double beta = star_turn(r, im->g.cx, im->g.cy, rs, &conf);
        im->g.beta = conf > 0.08 ? beta : 0;
    }
    /* keep only what lies inside the outline (grown a little) */
    for (int c = 0; c < r->ncomp; c++) {
        struct comp *cp = &r->comps[c];
        if (!cp->keep)
            continue;
        double dx = cp->sx / cp->area + r->x0 - im->g.cx, dy = cp->sy / cp->area + r->y0 - im->g.cy;
        double cs = cos(im->g.beta), sn = sin(im->g.beta);
        double X = (dx * cs + dy * sn) / ppm, Y = (-dx * sn + dy * cs) / ppm;
        if (!inside_outline(im->shape, X, Y, im->g.a / ppm + 1.0, im->g.b / ppm + 1.0))
            cp->keep = 0;
    }
    im->present = 1;
    double ex, ey, mg = 3 * ppm;
    outline_extent(&im->g, im->shape, &ex, &ey);
    return roi_crop(r, (int)floor(im->g.cx - ex - mg), (int)floor(im->g.cy - ey - mg),
                    (int)ceil(im->g.cx + ex + mg), (int)ceil(im->g.cy + ey + mg));
}

/* Scores that need the upright mask at scan resolution. */
static seal_status score_box(const page *p, imp *im, const fbox *box, double half_w, double half_h)
{
    double ppm = p->ppm;
    free(im->can);
    im->can = upright(p, im, ppm, half_w, half_h, 0.6, &im->cw, &im->chh, &im->ink);
    if (!im->can)
        return SEAL_ERR_NOMEM;
    border_scores(im, ppm);
    im->sharp = edge_sharpness(&im->r);
    /* ink level, colour and print under the ink, over the kept pixels */
    roi *r = &im->r;
    double *vals = NULL;
    long n = 0, cap = 0, over = 0;
    double rgb[3] = {0, 0, 0};
    long nrgb = 0;
    for (int y = 0; y < r->h; y++)
        for (int x = 0; x < r->w; x++) {
            size_t i = (size_t)y * r->w + x;
            int l = r->lab[i];
            if (l < 0 || !r->comps[l].keep)
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
                to_uv(p, x + r->x0, y + r->y0, &u, &v);
                double lt = 1.2 * ppm;
                if (fabs(u - box->u0) > lt && fabs(u - box->u1) > lt && fabs(v - box->v0) > lt &&
                    fabs(v - box->v1) > lt)
                    over++;
            }
        }
    im->medf = n ? percentile(vals, (size_t)n, 0.5) : 0;
    double strong = n ? vals[(size_t)(0.9 * (n - 1))] : 0;
    free(vals);
    for (int y = 0; y < r->h; y++)
        for (int x = 0; x < r->w; x++) {
            size_t i = (size_t)y * r->w + x;
            int l = r->lab[i];
            if (l < 0 || !r->comps[l].keep || r->f[i] < strong * 0.9 || r->pd[i] > 0.9)
                continue;
            const unsigned char *px = p->s->rgb + ((size_t)(y + r->y0) * p->s->w + x + r->x0) * 3;
            rgb[0] += px[0];
            rgb[1] += px[1];
            rgb[2] += px[2];
            nrgb++;
        }
    for (int k = 0; k < 3; k++)
        im->ink_rgb[k] = nrgb ? rgb[k] / nrgb : 0;
    im->overlap = n ? (double)over / n : 0;
    /* crossing the box line: the outline reaches the line */
    double ex, ey, u, v;
    outline_extent(&im->g, im->shape, &ex, &ey);
    to_uv(p, im->g.cx, im->g.cy, &u, &v);
    double m = 0.3 * ppm;
    im->crosses = u - ex < box->u0 + m || u + ex > box->u1 - m || v - ey < box->v0 + m ||
                  v + ey > box->v1 - m;
    return SEAL_OK;
}

/* ---- signatures --------------------------------------------------------- */

/* Clear the printed lines bounding a sample area from the mask, except where
 * a stroke crosses them (ink on both sides). */
static void clear_lines(const page *p, roi *r, const fbox *b)
{
    double hw = 0.45 * p->ppm, probe = hw + 2;
    for (int y = 0; y < r->h; y++)
        for (int x = 0; x < r->w; x++) {
            size_t i = (size_t)y * r->w + x;
            if (!r->m[i])
                continue;
            double u, v;
            to_uv(p, x + r->x0, y + r->y0, &u, &v);
            int online = fabs(v - b->v1) <= hw;
            if (!b->open_sides)
                online = online || fabs(v - b->v0) <= hw || fabs(u - b->u0) <= hw || fabs(u - b->u1) <= hw;
            if (!online)
                continue;
            /* crossing stroke test across the nearest line */
            int horiz = fabs(v - b->v1) <= hw || (!b->open_sides && fabs(v - b->v0) <= hw);
            double lx, ly, hx, hy;
            if (horiz) {
                double vl = fabs(v - b->v1) <= hw ? b->v1 : b->v0;
                from_uv(p, u, vl - probe, &lx, &ly);
                from_uv(p, u, vl + probe, &hx, &hy);
            } else {
                double ul = fabs(u - b->u0) <= hw ? b->u0 : b->u1;
                from_uv(p, ul - probe, v, &lx, &ly);
                from_uv(p, ul + probe, v, &hx, &hy);
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

static seal_status process_signature(const page *p, const fbox *b, imp *im)
{
    double ppm = p->ppm;
    int x0, y0, x1, y1;
    memset(im, 0, sizeof(*im));
    box_bounds(p, b, 5 * ppm, &x0, &y0, &x1, &y1);
    seal_status st = roi_measure(p, &im->r, x0, y0, x1, y1, MEASURE_PEN);
    if (st != SEAL_OK)
        return st == SEAL_ERR_INPUT ? SEAL_OK : st;
    roi *r = &im->r;
    clear_lines(p, r, b);
    if ((st = roi_label(r)) != SEAL_OK)
        return st;
    long minpx = (long)ceil(0.05 * ppm * ppm);
    double bx0 = DBL_MAX, bx1 = -DBL_MAX, by0 = DBL_MAX, by1 = -DBL_MAX;
    long area = 0;
    for (int c = 0; c < r->ncomp; c++) {
        struct comp *cp = &r->comps[c];
        cp->keep = 0;
        if (cp->area < minpx)
            continue;
        double u, v;
        to_uv(p, cp->sx / cp->area + r->x0, cp->sy / cp->area + r->y0, &u, &v);
        if (u < b->u0 || u > b->u1 || v < b->v0 || v > b->v1 + 2 * ppm)
            continue;
        /* the printed caption in the cell's top-left corner */
        double cu0, cv0, cu1, cv1;
        to_uv(p, cp->x0 + r->x0, cp->y0 + r->y0, &cu0, &cv0);
        to_uv(p, cp->x1 + r->x0, cp->y1 + r->y0, &cu1, &cv1);
        if (!b->open_sides && cu1 < b->u0 + 14 * ppm && cv1 < b->v0 + 7.5 * ppm)
            continue;
        /* what is left of a printed line (its position is known to the
         * overview's pixel): thin, lying along the line */
        double mu = 0.5 * (cu0 + cu1), mv = 0.5 * (cv0 + cv1);
        if (cv1 - cv0 < 1.0 * ppm && (fabs(mv - b->v1) < 1.2 * ppm ||
                                      (!b->open_sides && fabs(mv - b->v0) < 1.2 * ppm)))
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
            int l = r->lab[i];
            if (l < 0 || !r->comps[l].keep)
                continue;
            vals[n++] = r->f[i];
            double u, v;
            to_uv(p, x + r->x0, y + r->y0, &u, &v);
            if (v > b->v1 - hw)
                crosses = 1;
            if (!b->open_sides && (v < b->v0 + hw || u < b->u0 + hw || u > b->u1 - hw))
                crosses = 1;
        }
    im->medf = percentile(vals, (size_t)n, 0.5);
    double strong = vals[(size_t)(0.8 * (n - 1))];
    free(vals);
    double rgb[3] = {0, 0, 0};
    long nrgb = 0;
    for (int y = 0; y < r->h; y++)
        for (int x = 0; x < r->w; x++) {
            size_t i = (size_t)y * r->w + x;
            int l = r->lab[i];
            if (l < 0 || !r->comps[l].keep || r->f[i] < strong)
                continue;
            const unsigned char *px = p->s->rgb + ((size_t)(y + r->y0) * p->s->w + x + r->x0) * 3;
            for (int k = 0; k < 3; k++)
                rgb[k] += px[k];
            nrgb++;
        }
    for (int k = 0; k < 3; k++)
        im->ink_rgb[k] = nrgb ? rgb[k] / nrgb : 0;
    im->ink = area;
    im->crosses = crosses;
    return SEAL_OK;
}

/* ---- the entry point ---------------------------------------------------- */

static void cell_to_fbox(const page *p, const cell *c, fbox *b)
{
    double F = p->F, h = (F - 1) / 2.0;
    b->u0 = c->u0 * F + h;
    b->u1 = c->u1 * F + h;
    b->v0 = c->v0 * F + h;
    b->v1 = c->v1 * F + h;
    b->open_sides = c->open_sides;
}

static double cell_red(const page *p, const cell *c)
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
static int red_blobs(const page *p, cell *out, int maxc)
{
    int W = p->ow, H = p->oh, R = (int)lround(3 * p->oppm);
    size_t n = (size_t)W * H;
    roi r;
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
    if (roi_label(&r) != SEAL_OK)
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
            const struct comp *cp = &r.comps[c];
            double bw = cp->x1 - cp->x0 + 1, bh = cp->y1 - cp->y0 + 1;
            if (ink[c] <= 0 || bw < lo || bh < lo || bw > hi || bh > hi)
                continue;
            if (best < 0 || ink[c] > ink[best])
                best = c;
        }
        if (best < 0)
            break;
        const struct comp *cp = &r.comps[best];
        double mg = 5 * p->oppm - R;
        cell c = {cp->x0 - mg, cp->x1 + mg, cp->y0 - mg, cp->y1 + mg, 0};
        out[found++] = c;
        ink[best] = 0;
    }
    free(ink);
    if (found == 2 && out[1].u0 < out[0].u0) {
        cell t = out[0];
        out[0] = out[1];
        out[1] = t;
    }
    free(tmp);
    roi_free(&r);
    return found;
fail:
    free(tmp);
    roi_free(&r);
    return -1;
}

/* Where the resolution came from. */
enum dpi_source {
    DPI_A4,    /* guessed: the image taken for an A4 page */
    DPI_FILE,  /* the file's, the image a sheet of paper at it */
    DPI_CROP,  /* the file's, the image smaller than a sheet: a cropped scan */
    DPI_GIVEN  /* the caller's (seal enrol --dpi) */
};

/* Resolution: the caller's; else the file's own, when the image is a
 * plausible sheet of paper at it, or smaller (only the seal or only the
 * table, cropped from a scan); otherwise what the pixel size gives for A4
 * (a photo or a screenshot records 72 or 96 dpi whatever it shows, and is
 * larger than a page at it). */
static double decide_dpi(const seal_scan *s, double given, enum dpi_source *from)
{
    double fd = s->dpi_x > 0 ? s->dpi_x : 0;
    double lo = s->w < s->h ? s->w : s->h, hi = s->w < s->h ? s->h : s->w;
    if (given > 0) {
        *from = DPI_GIVEN;
        return given;
    }
    if (fd >= 30) {
        double a = lo / fd, b = hi / fd;
        if (a <= 12.5 && b <= 17.5) {
            *from = a >= 3.5 && b >= 4.5 ? DPI_FILE : DPI_CROP;
            return fd;
        }
    }
    *from = DPI_A4;
    return fmin(lo / 8.27, hi / 11.69);
}

/* A resolution below min_dpi: refused, saying how it was known. A guess
 * for an image with no sheet's proportions (A4, A5, Letter: 1.27-1.45) is
 * no measure at all: most likely a cropped scan of a file without one. */
static void refuse_low_dpi(seal_mask *m, const seal_scan *scan, const page *p,
                           enum dpi_source from, double min_dpi)
{
    double lo = scan->w < scan->h ? scan->w : scan->h, hi = scan->w < scan->h ? scan->h : scan->w;
    if (from != DPI_A4)
        add_issue(m, SEAL_DECISION_REJECT, "low_resolution",
                  "scanned at %.0f dpi; at least %.0f dpi is needed", p->dpi, min_dpi);
    else if (hi / lo < 1.27 || hi / lo > 1.45)
        add_issue(m, SEAL_DECISION_REJECT, "unknown_resolution",
                  "cropped scan: give its resolution with --dpi N (the %dx%d image records none%s "
                  "and is not a whole page)",
                  scan->w, scan->h, scan->dpi_x > 0 ? " that fits it" : "");
    else if (scan->dpi_x > 0)
        add_issue(m, SEAL_DECISION_REJECT, "low_resolution",
                  "about %.0f dpi for an A4 page (the file says %.0f dpi, which fits no paper "
                  "size); at least %.0f dpi is needed",
                  p->dpi, scan->dpi_x, min_dpi);
    else
        add_issue(m, SEAL_DECISION_REJECT, "low_resolution",
                  "about %.0f dpi for an A4 page (the file records no resolution; give it with "
                  "--dpi N if this is not a whole page); at least %.0f dpi is needed",
                  p->dpi, min_dpi);
}

static seal_status extract_seal(seal_mask *m, page *p, const fbox *boxes, int nb, seal_kind kind,
                                int want_box);
static seal_status extract_signature(seal_mask *m, page *p, const fbox *boxes, int nb,
                                     int want_box);

SEAL_API seal_status seal_scan_extract(seal_ctx *ctx, const seal_scan *scan,
                                       const seal_extract_options *opts, seal_mask **out)
{
    seal_extract_options defaults = SEAL_EXTRACT_OPTIONS_INIT;
    page p;
    seal_status st = SEAL_OK;
    seal_mask *m;

    if (!ctx)
        return SEAL_ERR_ARGS;
    seal__reset(ctx);
    if (!scan || !out)
        return seal__fail(ctx, SEAL_ERR_ARGS, "seal_scan_extract: missing argument");
    *out = NULL;
    if (!opts)
        opts = &defaults;
    if (opts->version != 1 && opts->version != SEAL_EXTRACT_OPTIONS_VERSION)
        return seal__fail(ctx, SEAL_ERR_ARGS, "seal_extract_options: unknown version %u",
                          opts->version);
    if (opts->kind < SEAL_KIND_AUTO || opts->kind > SEAL_KIND_SIGNATURE || opts->box < 0 ||
        opts->box > (opts->kind == SEAL_KIND_SIGNATURE ? 3 : 2))
        return seal__fail(ctx, SEAL_ERR_ARGS, "seal_scan_extract: bad kind or box");
    if (opts->version >= 2 && !(opts->dpi == 0 || (opts->dpi >= 10 && opts->dpi <= 4800)))
        return seal__fail(ctx, SEAL_ERR_ARGS, "seal_scan_extract: dpi %g is not 10 to 4800",
                          opts->dpi);
    m = calloc(1, sizeof(*m));
    if (!m)
        return seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
    memcpy(m->sha256, scan->sha256, sizeof(m->sha256));
    m->info.kind = opts->kind;
    m->info.jpeg_quality = scan->jpeg_quality;
    memset(&p, 0, sizeof(p));
    p.s = scan;

    enum dpi_source from;
    double min_dpi = opts->min_dpi > 0 ? opts->min_dpi : 300;
    p.dpi = decide_dpi(scan, opts->version >= 2 ? opts->dpi : 0, &from);
    p.ppm = p.dpi / MM_PER_IN;
    m->info.dpi = p.dpi;
    if ((st = overview(&p)) != SEAL_OK) {
        if (st == SEAL_ERR_INPUT) {
            add_issue(m, SEAL_DECISION_REJECT, "low_resolution", "the image (%dx%d) is too small to be a scan",
                      scan->w, scan->h);
            st = SEAL_OK;
        }
        goto done;
    }
    m->info.illumination = p.illum;
    /* A dark surround alone could be a scanner's black backing; with a
     * resolution that fits no sheet of paper it is a camera's frame. */
    if (p.surround > 0.5 && from == DPI_A4)
        add_issue(m, SEAL_DECISION_REJECT, "perspective",
                  "the sheet does not fill the image (%.0f%% of its edge is dark surround): this "
                  "looks like a photo, not a flatbed scan",
                  100 * p.surround);
    if (p.illum < 0.85)
        add_issue(m, SEAL_DECISION_REJECT, "perspective",
                  "uneven light: the darkest paper is %.0f%% of the brightest; this looks like a "
                  "photo, not a flatbed scan",
                  100 * p.illum);
    if (p.dpi < min_dpi - 3) {
        refuse_low_dpi(m, scan, &p, from, min_dpi);
        if (has_issue(m, "unknown_resolution")) {
            m->info.dpi = 0; /* not known: no size can be measured */
            goto done;
        }
    }
    if (scan->jpeg_quality > 0 && scan->jpeg_quality < 50)
        add_issue(m, SEAL_DECISION_WARN, "heavy_jpeg",
                  "heavy JPEG compression (quality about %d): fine strokes may be smeared",
                  scan->jpeg_quality);
    if (has_issue(m, "perspective"))
        goto done; /* box and seal geometry mean nothing on a photo */

    if ((st = find_lines(&p, 1, &p.hl, &p.nh)) != SEAL_OK ||
        (st = find_lines(&p, 0, &p.vl, &p.nv)) != SEAL_OK)
        goto done;

    cell cells[3], sig[3];
    fbox boxes[3];
    int nc = 0, ns = 0;
    seal_kind kind = opts->kind;
    if (kind != SEAL_KIND_SIGNATURE)
        nc = find_cells(&p, 40, 115, 40, 125, cells, 2);
    if (kind == SEAL_KIND_SIGNATURE || (kind == SEAL_KIND_AUTO && nc < 2)) {
        ns = find_cells(&p, 22, 55, 35, 90, sig, 3);
        if (ns < 3)
            ns = find_ruled(&p, sig);
        if (ns < 3)
            ns = 0;
    }
    if (kind == SEAL_KIND_AUTO && nc >= 1 && ns == 3) {
        double red = 0;
        for (int i = 0; i < nc; i++)
            red += cell_red(&p, &cells[i]);
        if (red < 50)
            nc = 0;
    }
    if (kind == SEAL_KIND_SIGNATURE || (kind == SEAL_KIND_AUTO && nc == 0 && ns == 3)) {
        m->info.kind = SEAL_KIND_SIGNATURE;
        for (int i = 0; i < ns; i++)
            cell_to_fbox(&p, &sig[i], &boxes[i]);
        m->info.box_count = ns;
        if (ns == 0) {
            add_issue(m, SEAL_DECISION_REJECT, "no_signature",
                      "no signature areas (three cells or three ruled lines) found on the form");
            goto done;
        }
        st = extract_signature(m, &p, boxes, ns, opts->box);
        goto done;
    }
    if (nc >= 1) {
        for (int i = 0; i < nc; i++)
            cell_to_fbox(&p, &cells[i], &boxes[i]);
        m->info.box_count = nc;
    } else {
        /* no table: the impressions themselves, as blobs of red ink */
        m->info.box_count = 0;
        nc = red_blobs(&p, cells, 2);
        if (nc < 0) {
            st = SEAL_ERR_NOMEM;
            goto done;
        }
        if (nc == 0) {
            add_issue(m, SEAL_DECISION_REJECT, "no_seal",
                      kind == SEAL_KIND_AUTO
                          ? "no collection boxes, signature areas or seal impression found on the page"
                          : "no seal impression found on the page");
            goto done;
        }
        for (int i = 0; i < nc; i++)
            cell_to_fbox(&p, &cells[i], &boxes[i]);
    }
    if (opts->box > nc) {
        add_issue(m, SEAL_DECISION_REJECT, "no_box", "box %d asked for, but the form has %d",
                  opts->box, nc);
        goto done;
    }
    st = extract_seal(m, &p, boxes, nc, kind, opts->box);
done:
    page_free(&p);
    if (st != SEAL_OK) {
        seal_mask_free(m);
        return st == SEAL_ERR_NOMEM ? seal__fail(ctx, st, "out of memory extracting the seal")
                                    : seal__fail(ctx, st, "cannot extract the seal");
    }
    *out = m;
    return SEAL_OK;
}

/* The upright mask of the chosen impression at twice the scan resolution:
 * potrace then places curves between scan pixels. */
static seal_status final_mask(seal_mask *m, const page *p, const imp *im, double half_w,
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
static seal_status measure_boxes(const page *p, const fbox *boxes, int nb, seal_kind kind,
                                 imp ims[2], int *present)
{
    seal_status st;
    double ppm = p->ppm, hw = 0, hh = 0;
    *present = 0;
    for (int k = 0; k < nb && k < 2; k++) {
        boxinfo bi = {boxes[k], kind == SEAL_KIND_LEGAL_REP ? 18.0 : 26.0, kind};
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

static int whole(const imp *im)
{
    return im->present && im->cover >= SEAL_MIN_COVERAGE;
}

/*
 * A fragment is not a seal (the form asks for impressions 盖得清晰饱满):
 * refuse when two whole-looking impressions differ in size by more than ink
 * spread (one is cut off where it does not show, or they are not the same
 * seal), or when the impression to be used (want_box, else either) has a
 * border less than nearly whole. Returns 1 when refused.
 */
static int refuse_incomplete(seal_mask *m, const imp ims[2], int want_box, double ppm)
{
    const imp *a = &ims[0], *b = &ims[1];
    /* an incomplete impression's fit measures nothing: compare whole ones */
    if (whole(a) && whole(b) &&
        !seal__sizes_agree(2 * a->g.a / ppm, 2 * a->g.b / ppm, 2 * b->g.a / ppm, 2 * b->g.b / ppm)) {
        add_issue(m, SEAL_DECISION_REJECT, "incomplete_impression",
                  "the two impressions differ in size (%.1fx%.1f and %.1fx%.1f mm), more than "
                  "ink spread explains: one is incomplete, or they are not the same seal",
                  2 * a->g.a / ppm, 2 * a->g.b / ppm, 2 * b->g.a / ppm, 2 * b->g.b / ppm);
        return 1;
    }
    int best = -1;
    for (int k = 0; k < 2; k++) {
        if (!ims[k].present || (want_box && want_box != k + 1))
            continue;
        if (whole(&ims[k]))
            return 0;
        if (best < 0 || ims[k].cover > ims[best].cover)
            best = k;
    }
    if (best < 0)
        return 0; /* the asked box is empty: said elsewhere */
    add_issue(m, SEAL_DECISION_REJECT, "incomplete_impression",
              "impression %d is incomplete: its %s is inked along %.0f%% of its length "
              "(%.0f%% at least for a whole impression)",
              best + 1, ims[best].shape == SEAL_SHAPE_SQUARE ? "square border" : "border ring",
              100 * ims[best].cover, 100 * SEAL_MIN_COVERAGE);
    return 1;
}

/* The kind asked for against the seal measured without bias (a whole
 * impression: refuse_incomplete passed). Returns 1 when refused. */
static int refuse_kind(seal_mask *m, const imp ims[2], seal_kind kind, int want_box, double ppm)
{
    char msg[160];
    for (int k = 0; k < 2; k++) {
        const imp *im = &ims[k];
        if (!whole(im) || (want_box && want_box != k + 1))
            continue;
        if (seal__kind_conflict(kind, im->shape, 2 * im->g.a / ppm, 2 * im->g.b / ppm, msg,
                                sizeof(msg)) == SEAL_KIND_AUTO)
            return 0;
        add_issue(m, SEAL_DECISION_REJECT, "wrong_kind", "%s", msg);
        return 1;
    }
    return 0;
}

static seal_status extract_seal(seal_mask *m, page *p, const fbox *boxes, int nb, seal_kind kind,
                                int want_box)
{
    imp ims[2];
    seal_status st = SEAL_OK;
    double ppm = p->ppm;
    int present = 0;
    memset(ims, 0, sizeof(ims));
    /* measured without bias first: a kind asked for must fit the seal */
    if ((st = measure_boxes(p, boxes, nb, SEAL_KIND_AUTO, ims, &present)) != SEAL_OK)
        goto out;
    if (!present) {
        add_issue(m, SEAL_DECISION_REJECT, "no_seal",
                  nb >= 2 ? "no seal impression found in box 1 (印章1) or box 2 (印章2)"
                          : "no seal impression found");
        goto out;
    }
    if (refuse_incomplete(m, ims, want_box, ppm) ||
        (kind != SEAL_KIND_AUTO && refuse_kind(m, ims, kind, want_box, ppm)))
        goto out;
    if (kind == SEAL_KIND_LEGAL_REP) {
        imp_free(&ims[0]);
        imp_free(&ims[1]);
        if ((st = measure_boxes(p, boxes, nb, kind, ims, &present)) != SEAL_OK)
            goto out;
    }
    for (int k = 0; k < 2; k++)
        m->info.scores[k].present = ims[k].present;
    double mx = 0;
    for (int k = 0; k < 2; k++)
        if (ims[k].present)
            mx = fmax(mx, ims[k].medf);
    for (int k = 0; k < 2; k++) {
        imp *a = &ims[k], *b = &ims[1 - k];
        if (!a->present)
            continue;
        seal_impression_score *sc = &m->info.scores[k];
        sc->present = 1;
        sc->ring_continuity = a->ring;
        sc->sharpness = clampd(a->sharp / 0.5, 0, 1);
        sc->contrast = mx > 0 ? a->medf / mx : 0;
        sc->density = a->medf;
        if (b->present && b->cw == a->cw && b->chh == a->chh) {
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
                                if (xx < 0 || yy < 0 || xx >= W || yy >= H ||
                                    !b->can[(size_t)yy * W + xx])
                                    continue;
                                d3 = 1;
                                d1 = dx >= -1 && dx <= 1 && dy >= -1 && dy <= 1;
                            }
                        extra += d3 && !d1;
                    }
                }
            sc->broken_strokes = uni ? 1.0 - (double)own / uni : 1;
            sc->over_inking = own ? (double)extra / own : 0;
        } else {
            sc->broken_strokes = 1 - a->ring;
            sc->over_inking = 0;
        }
        sc->clarity = 0.40 * (1 - sc->broken_strokes) + 0.20 * sc->ring_continuity +
                      0.15 * sc->contrast + 0.15 * sc->sharpness + 0.10 * (1 - sc->over_inking);
    }
    int ch = -1;
    if (want_box) {
        ch = want_box - 1;
        if (!ims[ch].present) {
            add_issue(m, SEAL_DECISION_REJECT, "no_seal", "box %d holds no seal impression", want_box);
            goto out;
        }
    } else {
        /* the clearer of the whole impressions */
        for (int k = 0; k < 2; k++)
            if (ims[k].present &&
                (ch < 0 || whole(&ims[k]) > whole(&ims[ch]) ||
                 (whole(&ims[k]) == whole(&ims[ch]) &&
                  m->info.scores[k].clarity > m->info.scores[ch].clarity)))
                ch = k;
    }
    imp *c = &ims[ch];
    m->info.box = ch + 1;
    m->info.shape = c->shape;
    m->info.width_mm = 2 * c->g.a / ppm;
    m->info.height_mm = 2 * c->g.b / ppm;
    for (int k = 0; k < 3; k++)
        m->info.ink_rgb[k] = (unsigned char)lround(c->ink_rgb[k]);
    seal_kind decided = kind;
    if (decided == SEAL_KIND_AUTO)
        decided = c->shape == SEAL_SHAPE_SQUARE || m->info.width_mm < 32 ? SEAL_KIND_LEGAL_REP
                                                                           : SEAL_KIND_COMPANY;
    m->info.kind = decided;

    /* warnings */
    if (nb >= 2 && present == 1)
        add_issue(m, SEAL_DECISION_WARN, "single_impression",
                  "only one impression: box %d is empty", ims[0].present ? 2 : 1);
    for (int k = 0; k < 2; k++) {
        if (!ims[k].present)
            continue;
        if (ims[k].crosses && m->info.box_count > 0)
            add_issue(m, SEAL_DECISION_WARN, "crosses_box_line",
                      "impression %d crosses the box line (压线)", k + 1);
        if (ims[k].overlap >= 0.025)
            add_issue(m, SEAL_DECISION_WARN, "overlaps_text",
                      "impression %d lies over printed text (%.0f%% of its ink)", k + 1,
                      100 * ims[k].overlap);
    }
    {
        const seal_impression_score *sc = &m->info.scores[ch];
        /* a well-inked impression keeps its border whole (>= 96% of 1-degree
         * bins on sealgen's good impressions); gaps mean faint or broken */
        if (sc->ring_continuity < 0.9)
            add_issue(m, SEAL_DECISION_WARN, "faint_impression",
                      "faint or broken impression (outer border %.0f%% continuous, clarity %.2f)",
                      100 * sc->ring_continuity, sc->clarity);
    }
    /* size against the kind */
    {
        double w = m->info.width_mm, h = m->info.height_mm;
        const char *bad = NULL;
        if (decided == SEAL_KIND_COMPANY) {
            if (c->shape == SEAL_SHAPE_CIRCLE && (w < 37 || w > 46))
                bad = "a round company seal is 38-45 mm";
            else if (c->shape == SEAL_SHAPE_ELLIPSE && (w < 38 || w > 47 || h < 28 || h > 32))
                bad = "an oval seal is 40x30 or 45x30 mm";
            else if (c->shape == SEAL_SHAPE_SQUARE)
                bad = "a company seal is round or oval";
        } else if (decided == SEAL_KIND_LEGAL_REP) {
            if (w < 14 || w > 31 || h < 14 || h > 31)
                bad = "a legal representative's seal is 15-30 mm";
        }
        if (bad)
            add_issue(m, SEAL_DECISION_WARN, "unusual_size", "the seal measures %.1f x %.1f mm; %s",
                      w, h, bad);
    }
    st = final_mask(m, p, c, c->g.a / ppm + 1.0, c->g.b / ppm + 1.0);
out:
    imp_free(&ims[0]);
    imp_free(&ims[1]);
    return st;
}

static seal_status extract_signature(seal_mask *m, page *p, const fbox *boxes, int nb, int want_box)
{
    imp ims[3];
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
        add_issue(m, SEAL_DECISION_REJECT, "no_signature", "no handwriting found in the sample areas");
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
        sc->sharpness = clampd(edge_sharpness(&ims[k].r) / 0.5, 0, 1);
        sc->clarity = 0.4 * sc->contrast + 0.3 * (1 - sc->broken_strokes) + 0.3 * sc->sharpness -
                      (ims[k].crosses ? 0.3 : 0);
        if (ims[k].crosses)
            add_issue(m, SEAL_DECISION_WARN, "crosses_box_line", "signature %d crosses a line", k + 1);
    }
    if (want_box) {
        ch = want_box - 1;
        if (!ims[ch].present) {
            add_issue(m, SEAL_DECISION_REJECT, "no_signature", "sample %d is empty", want_box);
            goto out;
        }
    } else
        for (int k = 0; k < 3; k++)
            if (ims[k].present && (ch < 0 || m->info.scores[k].clarity > m->info.scores[ch].clarity))
                ch = k;
    imp *c = &ims[ch];
    if (present < 3)
        add_issue(m, SEAL_DECISION_WARN, "single_impression", "only %d of 3 signature samples found",
                  present);
    /* Faint strokes: light whatever the pen. A black ballpoint written
     * firmly reaches a density of 1.3-2 and a blue one 0.9-1.6 (measured on
     * red, where blue ink absorbs less); the best of the samples below that
     * means the pen barely touched the paper. */
    {
        int blue = c->ink_rgb[2] > c->ink_rgb[0] + 30;
        double lim = blue ? 0.85 : 1.2;
        if (mxf < lim)
            add_issue(m, SEAL_DECISION_WARN, "faint_impression",
                      "faint pen strokes (density %.2f, a firm %s stroke is above %.2f)", mxf,
                      blue ? "blue" : "black", lim);
    }
    m->info.box = ch + 1;
    m->info.width_mm = 2 * c->g.a / ppm;
    m->info.height_mm = 2 * c->g.b / ppm;
    for (int k = 0; k < 3; k++)
        m->info.ink_rgb[k] = (unsigned char)lround(c->ink_rgb[k]);
    st = final_mask(m, p, c, c->g.a / ppm + 1.0, c->g.b / ppm + 1.0);
out:
    for (int k = 0; k < 3; k++)
        imp_free(&ims[k]);
    return st;
}

/* ---- the mask object ------------------------------------------------------ */

SEAL_API void seal_mask_free(seal_mask *mask)
{
    if (!mask)
        return;
    free(mask->bits);
    free(mask);
}

SEAL_API void seal_mask_info_get(const seal_mask *mask, seal_mask_info *out)
{
    if (!out)
        return;
    if (!mask) {
        memset(out, 0, sizeof(*out));
        return;
    }
    *out = mask->info;
}

SEAL_API seal_status seal_mask_issue(const seal_mask *mask, size_t i, seal_issue *out)
{
    if (!mask || !out || i >= mask->info.issue_count)
        return SEAL_ERR_ARGS;
    out->severity = mask->issues[i].severity;
    out->code = mask->issues[i].code;
    out->message = mask->issues[i].message;
    return SEAL_OK;
}

SEAL_API const unsigned char *seal_mask_bits(const seal_mask *mask)
{
    return mask ? mask->bits : NULL;
}
