/*
 * Enrolment at full resolution (extink.c): connected components of a
 * small mask (8-connectivity, labels merged across a U, areas, centroids,
 * bounds), and the ink measure on a drawn scan: red seal ink is taken, black
 * print is not, also where the two cross. Calls the seal__ internals
 * through the internal archive.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "enrol_internal.h"

/* A region of the given rows ('#' = ink), f = 1 + x / 10 on ink, else 0. */
static void mask_roi(seal__roi *r, const char *const *rows, int h)
{
    int w = (int)strlen(rows[0]);
    memset(r, 0, sizeof(*r));
    r->w = w;
    r->h = h;
    r->m = calloc((size_t)w * h, 1);
    r->f = calloc((size_t)w * h, sizeof(float));
    ck_assert(r->m && r->f);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            if (rows[y][x] == '#') {
                r->m[(size_t)y * w + x] = 1;
                r->f[(size_t)y * w + x] = 1.0f + (float)x / 10;
            }
}

START_TEST(components_of_a_small_mask)
{
    static const char *const rows[] = {
        "#..#....", /* a U: two labels in the first row, one component */
        "#..#..#.", /* a diagonal pair: one component (8-connected) */
        "####...#", /* */
        "........", /* */
        ".#......", /* another diagonal pair */
        "..#...##", /* a horizontal pair */
    };
    seal__roi r;
    mask_roi(&r, rows, 6);
    ck_assert_int_eq(seal__roi_label(&r), SEAL_OK);
    ck_assert_int_eq(r.ncomp, 4);
    /* numbered in the order of their first pixel */
    static const struct {
        long area;
        double sx, sy;
        int x0, y0, x1, y1;
    } want[4] = {
        {8, 0 + 3 + 0 + 3 + 0 + 1 + 2 + 3, 0 + 0 + 1 + 1 + 2 * 4, 0, 0, 3, 2},
        {2, 6 + 7, 1 + 2, 6, 1, 7, 2},
        {2, 1 + 2, 4 + 5, 1, 4, 2, 5},
        {2, 6 + 7, 5 + 5, 6, 5, 7, 5},
    };
    for (int c = 0; c < 4; c++) {
        const struct seal__comp *cp = &r.comps[c];
        ck_assert_int_eq(cp->area, want[c].area);
        ck_assert(cp->sx == want[c].sx && cp->sy == want[c].sy);
        ck_assert_int_eq(cp->x0, want[c].x0);
        ck_assert_int_eq(cp->y0, want[c].y0);
        ck_assert_int_eq(cp->x1, want[c].x1);
        ck_assert_int_eq(cp->y1, want[c].y1);
        ck_assert_int_eq(cp->keep, 0);
    }
    /* f summed per component: the U's f is 8 + sx / 10 */
    ck_assert(fabs(r.comps[0].sf - (8 + 1.2)) < 1e-5);
    /* every pixel carries its component, paper -1 */
    for (int y = 0; y < 6; y++)
        for (int x = 0; x < 8; x++) {
            int l = r.lab[y * 8 + x];
            if (rows[y][x] != '#') {
                ck_assert_int_eq(l, -1);
                continue;
            }
            const struct seal__comp *cp = &r.comps[l];
            ck_assert(x >= cp->x0 && x <= cp->x1 && y >= cp->y0 && y <= cp->y1);
        }
    ck_assert_int_eq(r.lab[0], r.lab[3]); /* the U's two arms */
    ck_assert_int_eq(r.lab[1 * 8 + 6], r.lab[2 * 8 + 7]);
    seal__roi_free(&r);
    ck_assert_ptr_null(r.comps);
}
END_TEST

START_TEST(empty_and_full_masks)
{
    static const char *const empty[] = {"....", "...."};
    static const char *const full[] = {"###", "###", "###"};
    seal__roi r;
    mask_roi(&r, empty, 2);
    ck_assert_int_eq(seal__roi_label(&r), SEAL_OK);
    ck_assert_int_eq(r.ncomp, 0);
    seal__roi_free(&r);
    mask_roi(&r, full, 3);
    ck_assert_int_eq(seal__roi_label(&r), SEAL_OK);
    ck_assert_int_eq(r.ncomp, 1);
    ck_assert_int_eq(r.comps[0].area, 9);
    ck_assert(r.comps[0].sx == 9 && r.comps[0].sy == 9);
    seal__roi_free(&r);
}
END_TEST

/* A 300 dpi scan, 300 x 300 px of paper: a red disc (r = 30 px at 100,150)
 * and a black bar (x 150..250, y 140..160) crossing a second red disc at
 * 200,150. */
static void draw_scan(seal_scan *s)
{
    memset(s, 0, sizeof(*s));
    s->w = s->h = 300;
    s->dpi_x = s->dpi_y = 300;
    s->rgb = malloc(300 * 300 * 3);
    ck_assert_ptr_nonnull(s->rgb);
    for (int y = 0; y < 300; y++)
        for (int x = 0; x < 300; x++) {
            unsigned char *px = s->rgb + ((size_t)y * 300 + x) * 3;
            int red = hypot(x - 100, y - 150) <= 30 || hypot(x - 200, y - 150) <= 30;
            int black = x >= 150 && x < 250 && y >= 140 && y < 160;
            px[0] = 235, px[1] = 233, px[2] = 228;
            if (red)
                px[0] = 205, px[1] = 45, px[2] = 55;
            if (black) /* print absorbs every channel equally, over ink too */
                for (int k = 0; k < 3; k++)
                    px[k] = (unsigned char)(px[k] * 30 / 235);
        }
}

START_TEST(seal_ink_not_print)
{
    seal_scan s;
    draw_scan(&s);
    seal__page p;
    memset(&p, 0, sizeof(p));
    p.s = &s;
    p.dpi = 300;
    p.ppm = 300 / 25.4;
    seal__roi r;
    ck_assert_int_eq(seal__roi_measure(&p, &r, -10, -10, 400, 400, SEAL__MEASURE_SEAL), SEAL_OK);
    ck_assert_int_eq(r.x0, 0);
    ck_assert_int_eq(r.w, 300);
    long disc = 0, disc_in = 0, bar = 0, bar_in = 0, paper_in = 0;
    for (int y = 0; y < 300; y++)
        for (int x = 0; x < 300; x++) {
            int in = r.m[y * 300 + x];
            double d1 = hypot(x - 100, y - 150), d2 = hypot(x - 200, y - 150);
            int bar_px = x >= 150 && x < 250 && y >= 140 && y < 160;
            if (d1 <= 29 || d2 <= 29) {
                disc++;
                disc_in += in;
            } else if (bar_px && d2 > 31) {
                bar++;
                bar_in += in;
            } else if (d1 > 31 && d2 > 31 && !bar_px)
                paper_in += in;
        }
    /* the discs are ink, also under the bar; the bar alone and paper are not */
    ck_assert_int_eq(disc_in, disc);
    ck_assert_int_eq(bar_in, 0);
    ck_assert_int_eq(paper_in, 0);
    /* two components, one per disc, centred on them */
    ck_assert_int_eq(r.ncomp, 2);
    for (int c = 0; c < 2; c++) {
        const struct seal__comp *cp = &r.comps[c];
        ck_assert(fabs(cp->sx / cp->area - (c ? 200 : 100)) < 0.5);
        ck_assert(fabs(cp->sy / cp->area - 150) < 0.5);
    }
    /* a region under 8 px a side is no region */
    seal__roi small;
    ck_assert_int_eq(seal__roi_measure(&p, &small, 295, 0, 310, 300, SEAL__MEASURE_SEAL),
                     SEAL_ERR_INPUT);
    seal__roi_free(&r);
    free(s.rgb);
}
END_TEST

Suite *suite_extink(void);
Suite *suite_extink(void)
{
    Suite *s = suite_create("extink");
    TCase *tc = tcase_create("extink");
    tcase_add_test(tc, components_of_a_small_mask);
    tcase_add_test(tc, empty_and_full_masks);
    tcase_add_test(tc, seal_ink_not_print);
    suite_add_tcase(s, tc);
    return s;
}
