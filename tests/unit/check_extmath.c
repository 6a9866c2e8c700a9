/*
 * Enrolment image maths (extmath.c): clamping, percentiles of values,
 * quantiles of histograms, Otsu's threshold on a bimodal histogram. Calls
 * the seal__ internals through the internal archive.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "enrol_internal.h"

START_TEST(clamp)
{
    ck_assert(seal__clampd(-1, 0, 1) == 0);
    ck_assert(seal__clampd(2, 0, 1) == 1);
    ck_assert(seal__clampd(0.25, 0, 1) == 0.25);
}
END_TEST

START_TEST(percentile_nearest_rank)
{
    double v[5] = {5, 1, 4, 2, 3};
    /* index round(p (n - 1)): 0 -> 1, 0.25 -> 2, 0.5 -> 3, 0.9 -> 5, 1 -> 5 */
    ck_assert(seal__percentile(v, 5, 0.5) == 3);
    for (int i = 0; i < 5; i++)
        ck_assert(v[i] == i + 1); /* sorted in place */
    ck_assert(seal__percentile(v, 5, 0) == 1);
    ck_assert(seal__percentile(v, 5, 0.25) == 2);
    ck_assert(seal__percentile(v, 5, 0.9) == 5);
    ck_assert(seal__percentile(v, 5, 1) == 5);
    ck_assert(seal__percentile(v, 5, -3) == 1); /* held to the ends */
    ck_assert(seal__percentile(v, 5, 7) == 5);
    ck_assert(seal__percentile(v, 0, 0.5) == 0);
    double one = 42;
    ck_assert(seal__percentile(&one, 1, 0.3) == 42);
}
END_TEST

START_TEST(cmp_double_order)
{
    double v[6] = {3.5, -1, 0, 1e9, -1e-9, 3.5};
    qsort(v, 6, sizeof(double), seal__cmp_double);
    for (int i = 0; i + 1 < 6; i++)
        ck_assert(v[i] <= v[i + 1]);
    double a = 1, b = 2;
    ck_assert_int_eq(seal__cmp_double(&a, &b), -1);
    ck_assert_int_eq(seal__cmp_double(&b, &a), 1);
    ck_assert_int_eq(seal__cmp_double(&a, &a), 0);
}
END_TEST

START_TEST(histogram_quantile)
{
    unsigned h[4] = {1, 1, 1, 1};
    ck_assert_int_eq(seal__hist_quantile(h, 4, 0), 0);
    ck_assert_int_eq(seal__hist_quantile(h, 4, 0.25), 0);
    ck_assert_int_eq(seal__hist_quantile(h, 4, 0.5), 1);
    ck_assert_int_eq(seal__hist_quantile(h, 4, 0.75), 2);
    ck_assert_int_eq(seal__hist_quantile(h, 4, 1), 3);
    /* the first bin reaching the share, empty bins skipped */
    unsigned g[8] = {0, 10, 0, 0, 0, 0, 90, 0};
    ck_assert_int_eq(seal__hist_quantile(g, 8, 0.05), 1);
    ck_assert_int_eq(seal__hist_quantile(g, 8, 0.1), 1);
    ck_assert_int_eq(seal__hist_quantile(g, 8, 0.11), 6);
    ck_assert_int_eq(seal__hist_quantile(g, 8, 0.9), 6);
    unsigned none[3] = {0, 0, 0};
    ck_assert_int_eq(seal__hist_quantile(none, 3, 0.5), 0);
}
END_TEST

START_TEST(otsu_bimodal)
{
    /* paper around bin 25, ink around bin 75, nothing between: the dark
     * class ends at its last bin (the first of the equal maxima) */
    double h[100] = {0};
    for (int i = 20; i < 30; i++)
        h[i] = 100 + (i % 3);
    for (int i = 70; i < 80; i++)
        h[i] = 30 + (i % 2);
    ck_assert_int_eq(seal__otsu(h, 100), 29);
    /* two spikes: the threshold is the lower one */
    double s[10] = {0, 0, 5, 0, 0, 0, 0, 5, 0, 0};
    ck_assert_int_eq(seal__otsu(s, 10), 2);
    /* overlapping modes of equal weight and spread: the valley between */
    double m[64] = {0};
    for (int i = 0; i < 64; i++) {
        double a = (i - 16) / 4.0, b = (i - 48) / 4.0;
        m[i] = 1000 * (exp(-a * a / 2) + exp(-b * b / 2));
    }
    int t = seal__otsu(m, 64);
    ck_assert_int_ge(t, 31);
    ck_assert_int_le(t, 32);
    /* an empty histogram: the middle */
    double z[10] = {0};
    ck_assert_int_eq(seal__otsu(z, 10), 5);
}
END_TEST

Suite *suite_extmath(void);
Suite *suite_extmath(void)
{
    Suite *s = suite_create("extmath");
    TCase *tc = tcase_create("extmath");
    tcase_add_test(tc, clamp);
    tcase_add_test(tc, percentile_nearest_rank);
    tcase_add_test(tc, cmp_double_order);
    tcase_add_test(tc, histogram_quantile);
    tcase_add_test(tc, otsu_bimodal);
    suite_add_tcase(s, tc);
    return s;
}
