/*
 * seal make through the library: the maker's checks and the layout it
 * reports (positions computed by the layout; tests/cli/make.sh measures
 * the same on the written paths).
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <check.h>
#include <math.h>
#include <string.h>

#include "testutil.h"

static const char NAME[] = "北京市海淀区测试科技有限公司"; /* 14 characters */

static seal_maker *maker(seal_ctx *ctx, seal_kind kind, const char *name)
{
    seal_maker *m = NULL;
    ck_assert_int_eq(seal_maker_new(ctx, &m, kind), SEAL_OK);
    ck_assert_int_eq(seal_maker_set_name(m, name), SEAL_OK);
    return m;
}

/* Elements with role, in order, into out (at most max); returns how many. */
static size_t elements(const seal_maker *m, const char *role, seal_make_element *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < seal_maker_element_count(m); i++) {
        seal_make_element e;
        ck_assert_int_eq(seal_maker_element(m, i, &e), SEAL_OK);
        if (!strcmp(e.role, role) && n < max)
            out[n++] = e;
    }
    return n;
}

START_TEST(round_company_seal_layout)
{
    seal_ctx *ctx = NULL;
    seal_artwork *art = NULL;
    seal_artwork_info ai;
    seal_make_element el[32];
    ck_assert_int_eq(seal_ctx_new(&ctx), SEAL_OK);
    seal_maker *m = maker(ctx, SEAL_KIND_COMPANY, NAME);
    ck_assert_int_eq(seal_maker_set_code(m, "1101080012345"), SEAL_OK);
    ck_assert_int_eq(seal_maker_make(m, &art), SEAL_OK);
    seal_artwork_info_get(art, &ai);
    ck_assert_int_eq(ai.kind, SEAL_KIND_COMPANY);
    {
        /* the consistent name (seal_artwork_get_info) gives the same */
        seal_artwork_info gi;
        seal_artwork_get_info(art, &gi);
        ck_assert_int_eq(gi.kind, ai.kind);
        ck_assert_double_eq(gi.width_mm, ai.width_mm);
        ck_assert_str_eq(gi.name, ai.name);
    }
    ck_assert_double_eq_tol(ai.width_mm, 40, 1e-9);
    ck_assert_double_eq_tol(ai.height_mm, 40, 1e-9);
    ck_assert_int_eq(ai.rgb[0], 255);
    ck_assert_int_eq(ai.rgb[1], 0);
    ck_assert_str_eq(ai.name, NAME);

    ck_assert_uint_eq(elements(m, "border", el, 32), 1);
    ck_assert_uint_eq(el[0].path_count, 2);
    ck_assert_uint_eq(elements(m, "star", el, 32), 1);
    ck_assert_double_eq_tol(el[0].x_mm, 20, 1e-9);
    ck_assert_double_eq_tol(el[0].y_mm, 20, 1e-9);

    /* the name: on the circle r = 20 - ring 1.0 - gap 0.6 - 6.4 / 2, from the
     * left clockwise, equally spaced, each turned along its radius */
    size_t n = elements(m, "name", el, 32);
    ck_assert_uint_eq(n, 14);
    double step = 0, first = 0;
    for (size_t i = 0; i < n; i++) {
        double dx = el[i].x_mm - 20, dy = el[i].y_mm - 20;
        double pol = atan2(dx, -dy) * 180 / M_PI;
        ck_assert_double_eq_tol(hypot(dx, dy), 15.2, 1e-6);
        ck_assert_double_eq_tol(el[i].angle_deg, pol, 1e-6);
        if (i == 1)
            step = pol - first;
        else if (i > 1)
            ck_assert_double_eq_tol(pol - first, step * (double)i, 1e-3);
        if (i == 0)
            first = pol;
        ck_assert_int_gt((int)el[i].path_count, 0);
    }
    ck_assert_double_eq_tol(first, -(first + step * (double)(n - 1)), 1e-3); /* symmetric */
    ck_assert(step * (double)n >= 210 && step * (double)n <= 250);        /* the arc */
    ck_assert_uint_eq(elements(m, "code", el, 32), 13);
    ck_assert_str_eq(el[0].text, "1");
    ck_assert_str_eq(el[12].text, "5");
    ck_assert(el[0].x_mm < el[12].x_mm && el[0].y_mm > 30);
    seal_artwork_free(art);
    seal_maker_free(m);
    seal_ctx_free(ctx);
}
END_TEST

START_TEST(name_seal_suffix_and_grid)
{
    seal_ctx *ctx = NULL;
    seal_artwork *art = NULL;
    seal_make_element el[8];
    ck_assert_int_eq(seal_ctx_new(&ctx), SEAL_OK);
    seal_maker *m = maker(ctx, SEAL_KIND_LEGAL_REP, "张三");
    ck_assert_int_eq(seal_maker_make(m, &art), SEAL_OK);
    ck_assert_uint_eq(elements(m, "name", el, 8), 4);
    /* 张 top right, 三 below it, 之 top left, 印 below it */
    ck_assert_str_eq(el[0].text, "张");
    ck_assert_str_eq(el[3].text, "印");
    ck_assert(el[0].x_mm > 10 && el[0].y_mm < 10 && el[1].x_mm > 10 && el[1].y_mm > 10);
    ck_assert(el[2].x_mm < 10 && el[2].y_mm < 10 && el[3].x_mm < 10 && el[3].y_mm > 10);
    seal_artwork_free(art);
    art = NULL;
    /* made again without the suffix: two full-height columns */
    ck_assert_int_eq(seal_maker_set_suffix(m, 0), SEAL_OK);
    ck_assert_int_eq(seal_maker_set_style(m, SEAL_MAKE_STYLE_YIN), SEAL_OK);
    ck_assert_int_eq(seal_maker_make(m, &art), SEAL_OK);
    ck_assert_uint_eq(elements(m, "name", el, 8), 2);
    ck_assert_double_eq_tol(el[0].y_mm, 10, 1e-9);
    ck_assert(el[0].height_mm > 2 * el[0].width_mm * 0.8);
    ck_assert_uint_eq(elements(m, "field", el, 8), 1);
    seal_artwork_free(art);
    seal_maker_free(m);
    seal_ctx_free(ctx);
}
END_TEST

/* make(m) fails with st and a message holding want; no artwork. */
static void refused(seal_maker *m, seal_ctx *ctx, seal_status st, const char *want)
{
    seal_artwork *art = (seal_artwork *)1;
    ck_assert_int_eq(seal_maker_make(m, &art), st);
    ck_assert_ptr_null(art);
    ck_assert_msg(strstr(seal_ctx_message(ctx), want), "message '%s' lacks '%s'",
                  seal_ctx_message(ctx), want);
    ck_assert_uint_eq(seal_maker_element_count(m), 0);
}

START_TEST(bad_settings_are_refused)
{
    seal_ctx *ctx = NULL;
    seal_maker *m = NULL;
    ck_assert_int_eq(seal_ctx_new(&ctx), SEAL_OK);
    ck_assert_int_eq(seal_maker_new(ctx, &m, SEAL_KIND_SIGNATURE), SEAL_ERR_ARGS);
    ck_assert_ptr_null(m);
    seal_maker_free(NULL);
    m = maker(ctx, SEAL_KIND_COMPANY, NAME);
    ck_assert_int_eq(seal_maker_set_size(m, 50, 0), SEAL_OK);
    refused(m, ctx, SEAL_ERR_ARGS, "at most 45 mm across (asked 50 mm)");
    ck_assert_int_eq(seal_maker_set_size(m, 40, 30), SEAL_OK);
    refused(m, ctx, SEAL_ERR_ARGS, "a round seal has one size");
    ck_assert_int_eq(seal_maker_set_size(m, -1, 0), SEAL_ERR_ARGS);
    ck_assert_int_eq(seal_maker_set_size(m, 40, 0), SEAL_OK);
    ck_assert_int_eq(seal_maker_set_shape(m, (seal_make_shape)9), SEAL_ERR_ARGS);
    ck_assert_int_eq(seal_maker_set_name(m, "北京\xF0\x9F\x98\x80公司"), SEAL_OK);
    refused(m, ctx, SEAL_ERR_ARGS, "no glyph for U+1F600");
    ck_assert_int_eq(seal_maker_set_name(m, NULL), SEAL_OK);
    refused(m, ctx, SEAL_ERR_ARGS, "needs --name");
    ck_assert_int_eq(seal_maker_set_name(m, NAME), SEAL_OK);
    ck_assert_int_eq(seal_maker_set_font(m, "/nonexistent/font.ttf"), SEAL_OK);
    refused(m, ctx, SEAL_ERR_INPUT, "cannot use the font /nonexistent/font.ttf");
    seal_maker_free(m);
    seal_ctx_free(ctx);
}
END_TEST

Suite *suite_make(void);
Suite *suite_make(void)
{
    Suite *s = suite_create("make");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, round_company_seal_layout);
    tcase_add_test(tc, name_seal_suffix_and_grid);
    tcase_add_test(tc, bad_settings_are_refused);
    suite_add_tcase(s, tc);
    return s;
}
