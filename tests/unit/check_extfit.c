/*
 * Enrolment outline fits (extfit.c): an ellipse and a circle through exact
 * points, a turned rectangle, the border points of a drawn disc and the fit
 * through them, the turn of a drawn five-pointed star, the outline's extent
 * and inside test. Calls the seal__ internals through the internal archive.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "enrol_internal.h"

#define DEG (M_PI / 180)

/* n points on an ellipse: semi-axes a (along the turn) and b, centre
 * (cx, cy), turned by beta (clockwise on the page, y down). */
static void ellipse_points(double *px, double *py, int n, double cx, double cy, double a, double b,
                           double beta)
{
    for (int i = 0; i < n; i++) {
        double t = 2 * M_PI * i / n, x = a * cos(t), y = b * sin(t);
        px[i] = cx + x * cos(beta) - y * sin(beta);
        py[i] = cy + x * sin(beta) + y * cos(beta);
    }
}

START_TEST(ellipse_through_exact_points)
{
    double px[360], py[360];
    int w[360];
    seal__fit f;
    ellipse_points(px, py, 360, 200, 150, 40, 25, 10 * DEG);
    for (int i = 0; i < 360; i++)
        w[i] = 1;
    /* started off the centre: the fit finds it */
    ck_assert_int_eq(seal__fit_ellipse(px, py, w, 360, 195, 148, 0, &f), 0);
    ck_assert(fabs(f.cx - 200) < 1e-6 && fabs(f.cy - 150) < 1e-6);
    ck_assert(fabs(f.a - 40) < 1e-6 && fabs(f.b - 25) < 1e-6);
    ck_assert(fabs(f.beta - 10 * DEG) < 1e-9);
    ck_assert(f.rms < 1e-6);
    for (int i = 0; i < 360; i++)
        ck_assert_int_eq(w[i], 1); /* no outliers */
}
END_TEST

START_TEST(ellipse_drops_outliers)
{
    double px[360], py[360];
    int w[360];
    seal__fit f;
    ellipse_points(px, py, 360, 100, 100, 30, 20, -5 * DEG);
    /* a gap in the border reports the text inside instead */
    for (int i = 40; i < 50; i++) {
        px[i] = 100 + 0.5 * (px[i] - 100);
        py[i] = 100 + 0.5 * (py[i] - 100);
    }
    for (int i = 0; i < 360; i++)
        w[i] = 1;
    ck_assert_int_eq(seal__fit_ellipse(px, py, w, 360, 100, 100, 0, &f), 0);
    ck_assert(fabs(f.a - 30) < 1e-3 && fabs(f.b - 20) < 1e-3);
    ck_assert(fabs(f.cx - 100) < 1e-3 && fabs(f.cy - 100) < 1e-3);
    ck_assert(fabs(f.beta + 5 * DEG) < 1e-3);
    /* the moved points are dropped (and perhaps a few beside the gap in
     * the first, pulled fit); what is kept lies on the ellipse */
    int kept = 0;
    for (int i = 0; i < 360; i++) {
        if (i >= 40 && i < 50)
            ck_assert_int_eq(w[i], 0);
        kept += w[i];
    }
    ck_assert_int_ge(kept, 330);
}
END_TEST

START_TEST(circle_only)
{
    double px[180], py[180];
    int w[180];
    seal__fit f;
    ellipse_points(px, py, 180, 60, 70, 30, 30, 0);
    for (int i = 0; i < 180; i++)
        w[i] = 1;
    ck_assert_int_eq(seal__fit_ellipse(px, py, w, 180, 58, 71, 1, &f), 0);
    ck_assert(fabs(f.a - 30) < 1e-6 && f.a == f.b);
    ck_assert(fabs(f.cx - 60) < 1e-6 && fabs(f.cy - 70) < 1e-6);
    ck_assert(f.beta == 0);
    /* too few points: no fit */
    for (int i = 0; i < 180; i++)
        w[i] = i < 7;
    ck_assert_int_eq(seal__fit_ellipse(px, py, w, 180, 60, 70, 1, &f), -1);
}
END_TEST

START_TEST(turned_rectangle)
{
    /* half sides 30 x 20 turned by 7 degrees about (150, 120), 50 points a
     * side, corners included */
    double px[200], py[200], beta = 7 * DEG;
    int w[200], n = 0;
    for (int sd = 0; sd < 4; sd++)
        for (int k = 0; k < 50; k++) {
            double t = -1 + 2.0 * k / 50, x, y;
            if (sd == 0)
                x = 30 * t, y = -20;
            else if (sd == 1)
                x = 30, y = 20 * t;
            else if (sd == 2)
                x = -30 * t, y = 20;
            else
                x = -30, y = -20 * t;
            px[n] = 150 + x * cos(beta) - y * sin(beta);
            py[n] = 120 + x * sin(beta) + y * cos(beta);
            w[n++] = 1;
        }
    seal__fit f;
    ck_assert_int_eq(seal__fit_rect(px, py, w, n, 148, 121, &f), 0);
    ck_assert(fabs(f.a - 30) < 1e-6 && fabs(f.b - 20) < 1e-6);
    ck_assert(fabs(f.cx - 150) < 1e-6 && fabs(f.cy - 120) < 1e-6);
    ck_assert(fabs(f.beta - beta) < 1e-9);
    ck_assert(f.rms < 1e-6);
    /* the rectangle's extent on the page and the inside test */
    double ex, ey;
    seal__outline_extent(&f, SEAL_SHAPE_SQUARE, &ex, &ey);
    ck_assert(fabs(ex - (30 * cos(beta) + 20 * sin(beta))) < 1e-6);
    ck_assert(fabs(ey - (30 * sin(beta) + 20 * cos(beta))) < 1e-6);
    ck_assert(seal__inside_outline(SEAL_SHAPE_SQUARE, 29, -19, 30, 20));
    ck_assert(!seal__inside_outline(SEAL_SHAPE_SQUARE, 29, -21, 30, 20));
    ck_assert(seal__inside_outline(SEAL_SHAPE_ELLIPSE, 21, 14, 30, 20));  /* 0.98 */
    ck_assert(!seal__inside_outline(SEAL_SHAPE_ELLIPSE, 22, 14, 30, 20)); /* 1.03 */
}
END_TEST

/* A w x h region whose mask is set where inside(x, y). */
static void draw_roi(seal__roi *r, int w, int h, int (*inside)(double, double, const double *),
                     const double *arg)
{
    memset(r, 0, sizeof(*r));
    r->w = w;
    r->h = h;
    r->m = calloc((size_t)w * h, 1);
    r->f = calloc((size_t)w * h, sizeof(float));
    ck_assert(r->m && r->f);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            r->m[(size_t)y * w + x] = (unsigned char)inside(x, y, arg);
}

static int in_disc(double x, double y, const double *c)
{
    return hypot(x - c[0], y - c[1]) <= c[2];
}

START_TEST(border_of_a_disc)
{
    double c[3] = {80, 75, 50};
    seal__roi r;
    draw_roi(&r, 160, 150, in_disc, c);
    ck_assert_int_eq(seal__roi_label(&r), SEAL_OK);
    ck_assert_int_eq(r.ncomp, 1);
    r.comps[0].keep = 1;
    double px[360], py[360];
    int w[360];
    int n = seal__outline_points(&r, 78, 77, 70, px, py);
    ck_assert_int_ge(n, 250); /* most 1-degree bins hold a border pixel */
    for (int i = 0; i < n; i++) {
        /* half a pixel beyond the last ink pixel's centre */
        double d = hypot(px[i] - 80, py[i] - 75);
        ck_assert(d > 49 && d < 51.5);
        w[i] = 1;
    }
    seal__fit f;
    ck_assert_int_eq(seal__fit_ellipse(px, py, w, n, 78, 77, 1, &f), 0);
    ck_assert(fabs(f.cx - 80) < 0.1 && fabs(f.cy - 75) < 0.1);
    ck_assert(fabs(f.a - 50.4) < 0.4);
    /* nothing kept: no points */
    r.comps[0].keep = 0;
    ck_assert_int_eq(seal__outline_points(&r, 80, 75, 70, px, py), 0);
    seal__roi_free(&r);
}
END_TEST

/* A five-pointed star: outer radius c[2] about (c[0], c[1]), the top point
 * turned clockwise by c[3] (rad), inner radius 0.38 of the outer. */
static int in_star(double x, double y, const double *c)
{
    double dx = x - c[0], dy = y - c[1], d = hypot(dx, dy);
    if (d > c[2])
        return 0;
    /* angle from the top point, clockwise on the page (y down) */
    double th = atan2(dy, dx) + M_PI / 2 - c[3];
    double ph = fmod(fmod(th, 72 * DEG) + 72 * DEG, 72 * DEG); /* 0 at a point */
    if (ph > 36 * DEG)
        ph = 72 * DEG - ph;
    /* the edge from the point (R, 0) to the inner corner (0.38 R, 36 deg) */
    double R = c[2], ri = 0.38 * R;
    double ax = R, ay = 0, bx = ri * cos(36 * DEG), by = ri * sin(36 * DEG);
    double qx = d * cos(ph), qy = d * sin(ph);
    return (bx - ax) * (qy - ay) - (by - ay) * (qx - ax) >= 0;
}

START_TEST(star_turn)
{
    static const double turns[] = {0, 12, -20, 30};
    for (size_t k = 0; k < sizeof(turns) / sizeof(turns[0]); k++) {
        double c[4] = {100, 100, 40, turns[k] * DEG}, conf;
        seal__roi r;
        draw_roi(&r, 200, 200, in_star, c);
        /* the seal's centre a little off the star's: the star's own is found */
        double beta = seal__star_turn(&r, 102, 99, 40, &conf);
        ck_assert_msg(fabs(beta / DEG - turns[k]) < 0.5, "turn %g: measured %g", turns[k],
                      beta / DEG);
        ck_assert(conf > 0.1);
        seal__roi_free(&r);
    }
    /* a disc has no five-fold harmonic */
    double d[3] = {100, 100, 40}, conf;
    seal__roi r;
    draw_roi(&r, 200, 200, in_disc, d);
    (void)seal__star_turn(&r, 100, 100, 40, &conf);
    ck_assert(conf < 0.02);
    seal__roi_free(&r);
}
END_TEST

START_TEST(ellipse_extent)
{
    seal__fit f = {0, 0, 30, 20, 0, 0};
    double ex, ey;
    seal__outline_extent(&f, SEAL_SHAPE_ELLIPSE, &ex, &ey);
    ck_assert(fabs(ex - 30) < 1e-12 && fabs(ey - 20) < 1e-12);
    f.beta = M_PI / 2;
    seal__outline_extent(&f, SEAL_SHAPE_ELLIPSE, &ex, &ey);
    ck_assert(fabs(ex - 20) < 1e-9 && fabs(ey - 30) < 1e-9);
}
END_TEST

Suite *suite_extfit(void);
Suite *suite_extfit(void)
{
    Suite *s = suite_create("extfit");
    TCase *tc = tcase_create("extfit");
    tcase_add_test(tc, ellipse_through_exact_points);
    tcase_add_test(tc, ellipse_drops_outliers);
    tcase_add_test(tc, circle_only);
    tcase_add_test(tc, turned_rectangle);
    tcase_add_test(tc, border_of_a_disc);
    tcase_add_test(tc, star_turn);
    tcase_add_test(tc, ellipse_extent);
    suite_add_tcase(s, tc);
    return s;
}
