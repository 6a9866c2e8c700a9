/*
 * Enrolment, fitting an impression's outline: the farthest ink in each
 * 1-degree bin is its border; a circle or ellipse (least squares over turns,
 * outliers dropped) and a rectangle (least-area box, sides at the median of
 * the border points) are fitted; a round seal's turn is the phase of the
 * five-fold harmonic of its star. Also the outline's extent and inside test.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "enrol_internal.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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

/* An ellipse with its axes turned by beta: A x^2 + C y^2 + D x + E y = 1 in
 * the turned frame (linear least squares), over the points with w[i] set. */
static int fit_ellipse_at(const double *px, const double *py, const int *w, int n, double ox,
                          double oy, double beta, seal__fit *out)
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
static double ellipse_res(const seal__fit *f, double px, double py)
{
    double c = cos(f->beta), s = sin(f->beta);
    double dx = px - f->cx, dy = py - f->cy;
    double x = dx * c + dy * s, y = -dx * s + dy * c;
    double rho = sqrt((x / f->a) * (x / f->a) + (y / f->b) * (y / f->b));
    double r = hypot(x, y);
    return rho > 0 ? r - r / rho : 0;
}

static double rect_res(const seal__fit *f, double px, double py)
{
    double c = cos(f->beta), s = sin(f->beta);
    double dx = px - f->cx, dy = py - f->cy;
    double x = fabs(dx * c + dy * s), y = fabs(-dx * s + dy * c);
    return fmax(x - f->a, y - f->b) > 0 ? fmax(x - f->a, y - f->b) : -fmin(f->a - x, f->b - y);
}

int seal__fit_ellipse(const double *px, const double *py, int *w, int n, double ox, double oy,
                      int circle_only, seal__fit *out)
{
    seal__fit best = {0}, f;
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
        double mad = seal__percentile(res, (size_t)m, 0.5);
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
int seal__fit_rect(const double *px, const double *py, const int *w0, int n, double ox, double oy,
                   seal__fit *out)
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
            side[sd] = seal__percentile(v, (size_t)m, 0.5);
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
int seal__outline_points(const seal__roi *r, double cx, double cy, double rmax, double *px,
                         double *py)
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
            if (!seal__roi_kept(r, i))
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
double seal__star_turn(const seal__roi *r, double cx, double cy, double rs, double *conf)
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

/* Half extents of an outline along the page axes. */
void seal__outline_extent(const seal__fit *g, seal_shape shape, double *ex, double *ey)
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

int seal__inside_outline(seal_shape shape, double X, double Y, double a, double b)
{
    if (shape == SEAL_SHAPE_SQUARE || shape == SEAL_SHAPE_FREE)
        return fabs(X) <= a && fabs(Y) <= b;
    return (X / a) * (X / a) + (Y / b) * (Y / b) <= 1.0;
}
