/*
 * Sealing through the public API, checked with the inspector and by bytes.
 * Independent checkers (pdfsig, openssl cms, qpdf) run in tests/cli.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static seal_ctx *ctx;
static seal_key *rsa;

static void setup(void)
{
    seal_key_options o = SEAL_KEY_OPTIONS_INIT;
    ck_assert_int_eq(seal_ctx_new(&ctx), SEAL_OK);
    o.pin_cb = pin_from_file;
    o.pin_user = (void *)"pin.txt";
    ck_assert_int_eq(seal_key_open(ctx, &rsa, token_uri("company"), &o), SEAL_OK);
}

static void teardown(void)
{
    seal_key_free(rsa);
    seal_ctx_free(ctx);
}

static const char *out_in(const char *dir, const char *name)
{
    static char buf[4][4096];
    static int next;
    char *b = buf[next++ % 4];
    snprintf(b, sizeof(buf[0]), "%s/%s", dir, name);
    return b;
}

static seal_signature_info only_signature(const char *path, seal_inspection **keep)
{
    seal_signature_info si;
    ck_assert_int_eq(seal_inspect_file(ctx, path, NULL, keep), SEAL_OK);
    ck_assert_uint_ge(seal_inspection_signature_count(*keep), 1);
    seal_inspection_signature(*keep, seal_inspection_signature_count(*keep) - 1, &si);
    return si;
}

START_TEST(visible_seal_is_an_incremental_update)
{
    const char *dir = tmpdir(), *out = out_in(dir, "one.signed.pdf");
    seal_sign_options so = SEAL_SIGN_OPTIONS_INIT;
    seal_placement pl = {SEAL_PLACE_AT, 1, 105, 250};
    seal_inspection *ins = NULL;

    so.artwork_path = fx("art/company.pdf");
    so.placements = &pl;
    so.placement_count = 1;
    so.reason = "投标文件";
    ck_assert_int_eq(seal_sign_file(ctx, fx("pdf/one.pdf"), out, rsa, &so), SEAL_OK);
    ck_assert(is_prefix_file(fx("pdf/one.pdf"), out));
    ck_assert_int_eq(dir_entries(dir), 1); /* no temporary left */

    seal_signature_info si = only_signature(out, &ins);
    ck_assert_str_eq(si.subfilter, "ETSI.CAdES.detached");
    ck_assert_str_eq(si.type, "Sig");
    ck_assert_str_eq(si.field, "Seal1");
    ck_assert_str_eq(si.reason, "投标文件");
    ck_assert_str_eq(si.signer, "某某建设工程有限公司 company-seal");
    ck_assert_int_eq(si.byte_range_count, 4);
    ck_assert_int_eq(si.byte_range[0], 0);
    ck_assert(si.covers_whole_file);
    ck_assert_int_eq(si.revision, 2);
    ck_assert_int_eq(seal_inspection_revision_count(ins), 2);
    ck_assert_int_eq(si.page, 1);
    ck_assert(si.visible);
    /* 42 mm = 119.06 pt, centred at 105 mm from the left of an A4 page. */
    ck_assert_double_eq_tol(si.rect[2] - si.rect[0], 119.055, 0.01);
    ck_assert_double_eq_tol(si.rect[3] - si.rect[1], 119.055, 0.01);
    ck_assert_double_eq_tol((si.rect[0] + si.rect[2]) / 2, 105 * 72 / 25.4, 0.01);
    ck_assert_double_eq_tol((si.rect[1] + si.rect[3]) / 2, 841.89 - 250 * 72 / 25.4, 0.05);
    seal_inspection_free(ins);
}
END_TEST

START_TEST(invisible_then_visible_keeps_prefix)
{
    const char *dir = tmpdir(), *a = out_in(dir, "a.pdf"), *b = out_in(dir, "b.pdf");
    seal_sign_options so = SEAL_SIGN_OPTIONS_INIT;
    seal_placement pl = {SEAL_PLACE_AT, 2, 100, 100};
    seal_inspection *ins = NULL;

    ck_assert_int_eq(seal_sign_file(ctx, fx("pdf/three.pdf"), a, rsa, &so), SEAL_OK);
    so.artwork_path = fx("art/legalrep.pdf");
    so.placements = &pl;
    so.placement_count = 1;
    ck_assert_int_eq(seal_sign_file(ctx, a, b, rsa, &so), SEAL_OK);
    ck_assert(is_prefix_file(a, b));
    ck_assert_int_eq(seal_inspect_file(ctx, b, NULL, &ins), SEAL_OK);
    ck_assert_int_eq(seal_inspection_signature_count(ins), 2);
    seal_signature_info s1, s2;
    seal_inspection_signature(ins, 0, &s1);
    seal_inspection_signature(ins, 1, &s2);
    ck_assert(!s1.visible);
    ck_assert(!s1.covers_whole_file);
    ck_assert_int_eq(s1.revision, 2);
    ck_assert_str_eq(s2.field, "Seal2");
    ck_assert_int_eq(s2.page, 2);
    ck_assert_int_eq(s2.revision, 3);
    ck_assert(s2.covers_whole_file);
    seal_inspection_free(ins);
}
END_TEST

START_TEST(certified_p1_refuses_more)
{
    const char *dir = tmpdir(), *a = out_in(dir, "a.pdf"), *b = out_in(dir, "b.pdf");
    seal_sign_options so = SEAL_SIGN_OPTIONS_INIT;
    seal_inspection *ins = NULL;

    so.certify = 1;
    ck_assert_int_eq(seal_sign_file(ctx, fx("pdf/one.pdf"), a, rsa, &so), SEAL_OK);
    seal_signature_info si = only_signature(a, &ins);
    ck_assert_int_eq(si.certify, 1);
    seal_inspection_free(ins);
    so.certify = 0;
    ck_assert_int_eq(seal_sign_file(ctx, a, b, rsa, &so), SEAL_ERR_REFUSED);
    ck_assert_ptr_nonnull(strstr(seal_ctx_message(ctx), "DocMDP P=1"));
    ck_assert(!file_exists(b));
    ck_assert_int_eq(dir_entries(dir), 1);
}
END_TEST

START_TEST(certified_p2_allows_approval_not_second_certification)
{
    const char *dir = tmpdir(), *a = out_in(dir, "a.pdf"), *b = out_in(dir, "b.pdf"),
               *c = out_in(dir, "c.pdf");
    seal_sign_options so = SEAL_SIGN_OPTIONS_INIT;

    so.certify = 2;
    ck_assert_int_eq(seal_sign_file(ctx, fx("pdf/one.pdf"), a, rsa, &so), SEAL_OK);
    ck_assert_int_eq(seal_sign_file(ctx, a, c, rsa, &so), SEAL_ERR_REFUSED);
    ck_assert_ptr_nonnull(strstr(seal_ctx_message(ctx), "only the first signature can certify"));
    so.certify = 0;
    ck_assert_int_eq(seal_sign_file(ctx, a, b, rsa, &so), SEAL_OK);
    ck_assert(is_prefix_file(a, b));
}
END_TEST

START_TEST(level_names)
{
    ck_assert_str_eq(seal_level_name(SEAL_LEVEL_B_B), "B-B");
    ck_assert_str_eq(seal_level_name(SEAL_LEVEL_B_T), "B-T");
    ck_assert_str_eq(seal_level_name(SEAL_LEVEL_B_LT), "B-LT");
    ck_assert_str_eq(seal_level_name(SEAL_LEVEL_B_LTA), "B-LTA");
    ck_assert_ptr_null(seal_level_name((seal_level)4));
    ck_assert_ptr_null(seal_level_name((seal_level)-1));
}
END_TEST

START_TEST(bad_inputs_leave_nothing)
{
    const char *dir = tmpdir(), *out = out_in(dir, "x.pdf");
    seal_sign_options so = SEAL_SIGN_OPTIONS_INIT;
    seal_placement pl = {SEAL_PLACE_AT, 9, 100, 100};

    ck_assert_int_eq(seal_sign_file(ctx, fx("pdf/notpdf.pdf"), out, rsa, &so), SEAL_ERR_INPUT);
    ck_assert_int_eq(seal_sign_file(ctx, fx("pdf/truncated.pdf"), out, rsa, &so), SEAL_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(seal_ctx_message(ctx), "truncated"));
    ck_assert_int_eq(seal_sign_file(ctx, fx("pdf/encrypted.pdf"), out, rsa, &so), SEAL_ERR_PASSWORD);
    so.artwork_path = fx("art/company.pdf");
    so.placements = &pl;
    so.placement_count = 1;
    ck_assert_int_eq(seal_sign_file(ctx, fx("pdf/three.pdf"), out, rsa, &so), SEAL_ERR_NOT_FOUND);
    ck_assert_str_eq(seal_ctx_message(ctx), "page 9 is out of range (the document has 3 pages)");
    pl.page = 1;
    so.artwork_path = fx("art/twopage.pdf");
    ck_assert_int_eq(seal_sign_file(ctx, fx("pdf/three.pdf"), out, rsa, &so), SEAL_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(seal_ctx_message(ctx), "must be a one-page PDF"));
    pl.x_mm = 500;
    so.artwork_path = fx("art/company.pdf");
    ck_assert_int_eq(seal_sign_file(ctx, fx("pdf/three.pdf"), out, rsa, &so), SEAL_ERR_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(seal_ctx_message(ctx), "outside page 1"));
    ck_assert_int_eq(seal_sign_file(ctx, fx("pdf/one.pdf"), fx("pdf/one.pdf"), rsa, &so), SEAL_ERR_ARGS);
    ck_assert_int_eq(dir_entries(dir), 0);
}
END_TEST

START_TEST(encrypted_input_with_password)
{
    const char *dir = tmpdir(), *out = out_in(dir, "e.pdf");
    seal_sign_options so = SEAL_SIGN_OPTIONS_INIT;
    seal_inspection *ins = NULL;

    so.password = "wrong";
    ck_assert_int_eq(seal_sign_file(ctx, fx("pdf/encrypted.pdf"), out, rsa, &so), SEAL_ERR_PASSWORD);
    so.password = "upw";
    ck_assert_int_eq(seal_sign_file(ctx, fx("pdf/encrypted.pdf"), out, rsa, &so), SEAL_OK);
    ck_assert(is_prefix_file(fx("pdf/encrypted.pdf"), out));
    ck_assert_int_eq(seal_inspect_file(ctx, out, "upw", &ins), SEAL_OK);
    seal_signature_info si;
    seal_inspection_signature(ins, 0, &si);
    ck_assert_str_eq(si.signer, "某某建设工程有限公司 company-seal");
    ck_assert(si.covers_whole_file);
    seal_inspection_free(ins);
}
END_TEST

static long long file_size(const char *path)
{
    FILE *f = fopen(path, "rb");
    long long n = -1;
    if (f && fseek(f, 0, SEEK_END) == 0)
        n = ftell(f);
    if (f)
        fclose(f);
    return n;
}

START_TEST(undo_restores_the_revision_before)
{
    const char *dir = tmpdir(), *a = out_in(dir, "a.pdf"), *b = out_in(dir, "b.pdf"),
               *c = out_in(dir, "c.pdf"), *d = out_in(dir, "d.pdf");
    seal_sign_options so = SEAL_SIGN_OPTIONS_INIT;
    seal_undo_options uo = SEAL_UNDO_OPTIONS_INIT;
    seal_undo_info ui;

    /* Version 1 sign options (no flags) are still accepted; unknown flags
     * are not. */
    so.version = 1;
    so.flags = 0x80;
    ck_assert_int_eq(seal_sign_file(ctx, fx("pdf/three.pdf"), a, rsa, &so), SEAL_OK);
    so.version = SEAL_SIGN_OPTIONS_VERSION;
    ck_assert_int_eq(seal_sign_file(ctx, a, b, rsa, &so), SEAL_ERR_ARGS);
    ck_assert_str_eq(seal_ctx_message(ctx), "unknown seal_sign_options flags 0x80");
    so.flags = SEAL_SIGN_LEVEL_BEST_EFFORT;
    ck_assert_int_eq(seal_sign_file(ctx, a, b, rsa, &so), SEAL_OK);

    ck_assert_int_eq(seal_undo_file(ctx, b, c, &uo, &ui), SEAL_OK);
    /* c is a: both are prefixes of b of one length. */
    ck_assert(is_prefix_file(c, b));
    ck_assert(is_prefix_file(a, b));
    ck_assert_int_eq(file_size(c), file_size(a));
    ck_assert_str_eq(ui.field, "Seal2");
    ck_assert_int_eq(ui.revision, 3);
    ck_assert_int_eq(ui.revisions_left, 2);
    ck_assert_int_eq(ui.signatures_left, 1);
    ck_assert_int_eq(ui.size, file_size(a));
    ck_assert_int_eq(ui.removed, file_size(b) - file_size(a));

    ck_assert_int_eq(seal_undo_file(ctx, c, d, &uo, NULL), SEAL_OK);
    ck_assert_int_eq(file_size(d), file_size(fx("pdf/three.pdf")));
    ck_assert(is_prefix_file(d, c));
    ck_assert(is_prefix_file(fx("pdf/three.pdf"), c));
    ck_assert_int_eq(seal_undo_file(ctx, d, out_in(dir, "e.pdf"), &uo, &ui), SEAL_ERR_REFUSED);
    ck_assert_int_eq(ui.revision, 0);
    ck_assert_int_eq(file_size(out_in(dir, "e.pdf")), -1);
    ck_assert_int_eq(seal_undo_file(ctx, b, b, &uo, NULL), SEAL_ERR_ARGS);
    uo.version = 9;
    ck_assert_int_eq(seal_undo_file(ctx, b, out_in(dir, "f.pdf"), &uo, NULL), SEAL_ERR_ARGS);
}
END_TEST

START_TEST(undo_encrypted_with_password)
{
    const char *dir = tmpdir(), *a = out_in(dir, "a.pdf"), *b = out_in(dir, "b.pdf");
    seal_sign_options so = SEAL_SIGN_OPTIONS_INIT;
    seal_undo_options uo = SEAL_UNDO_OPTIONS_INIT;

    so.password = "upw";
    ck_assert_int_eq(seal_sign_file(ctx, fx("pdf/encrypted.pdf"), a, rsa, &so), SEAL_OK);
    ck_assert_int_eq(seal_undo_file(ctx, a, b, &uo, NULL), SEAL_ERR_PASSWORD);
    uo.password = "upw";
    ck_assert_int_eq(seal_undo_file(ctx, a, b, &uo, NULL), SEAL_OK);
    ck_assert_int_eq(file_size(b), file_size(fx("pdf/encrypted.pdf")));
    ck_assert(is_prefix_file(b, a));
    ck_assert(is_prefix_file(fx("pdf/encrypted.pdf"), a));
}
END_TEST

/* What the callbacks saw: warnings joined by '\n', seals placed. */
typedef struct seen {
    char warnings[4096];
    seal_placed placed[64];
    char field[64];
    int n;
} seen;

static void on_warning(void *user, const char *msg)
{
    seen *s = user;
    size_t len = strlen(s->warnings);
    snprintf(s->warnings + len, sizeof(s->warnings) - len, "%s\n", msg);
}

static void on_placed(void *user, const seal_placed *p)
{
    seen *s = user;
    if (s->n < 64)
        s->placed[s->n++] = *p;
    snprintf(s->field, sizeof(s->field), "%s", p->field);
}

START_TEST(placements_reported_and_warned)
{
    const char *dir = tmpdir();
    seal_sign_options so = SEAL_SIGN_OPTIONS_INIT;
    seal_placement pl[2] = {{SEAL_PLACE_AT, 1, 5, 40}};
    seen s = {{0}};

    seal_ctx_set_warning_cb(ctx, on_warning, &s);
    so.artwork_path = fx("art/company.pdf");
    so.placements = pl;
    so.placement_count = 1;
    so.placed_cb = on_placed;
    so.placed_user = &s;
    /* Partly off the page: made, with a warning, and reported. */
    ck_assert_int_eq(seal_sign_file(ctx, fx("pdf/one.pdf"), out_in(dir, "a.pdf"), rsa, &so), SEAL_OK);
    ck_assert_str_eq(s.warnings, "page 1: the seal at (5.0, 40.0) mm lies partly off the page "
                                 "(210.0 x 297.0 mm as displayed)\n");
    ck_assert_int_eq(s.n, 1);
    ck_assert_str_eq(s.field, "Seal1");
    ck_assert_int_eq(s.placed[0].kind, SEAL_PLACE_AT);
    ck_assert_int_eq(s.placed[0].page, 1);
    ck_assert_double_eq_tol(s.placed[0].x_mm, 5, 1e-3);
    ck_assert_double_eq_tol(s.placed[0].y_mm, 40, 1e-3);
    ck_assert_double_eq_tol(s.placed[0].w_mm, 42, 1e-3);
    ck_assert_int_eq(s.placed[0].groups, 0);

    /* Cross-page over three pages, groups chosen: one group of three. */
    memset(&s, 0, sizeof(s));
    pl[0] = (seal_placement){SEAL_PLACE_CROSS_PAGE};
    pl[0].group = SEAL_GROUP_AUTO;
    ck_assert_int_eq(seal_sign_file(ctx, fx("pdf/three.pdf"), out_in(dir, "b.pdf"), rsa, &so), SEAL_OK);
    ck_assert_str_eq(s.warnings, "");
    ck_assert_int_eq(s.n, 3);
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(s.placed[i].page, i + 1);
        ck_assert_int_eq(s.placed[i].group, 1);
        ck_assert_int_eq(s.placed[i].groups, 1);
        ck_assert_int_eq(s.placed[i].group_pages, 3);
        ck_assert_int_eq(s.placed[i].strip, i + 1);
        ck_assert_double_eq_tol(s.placed[i].w_mm, 14, 1e-3);
    }

    /* Not a finite number: SEAL_ERR_ARGS, nothing written, nothing reported. */
    memset(&s, 0, sizeof(s));
    pl[0] = (seal_placement){SEAL_PLACE_AT, 1, NAN, 40};
    ck_assert_int_eq(seal_sign_file(ctx, fx("pdf/one.pdf"), out_in(dir, "c.pdf"), rsa, &so), SEAL_ERR_ARGS);
    ck_assert_str_eq(seal_ctx_message(ctx), "--at: the seal's position is not a finite number");
    ck_assert_int_eq(s.n, 0);

    /* A version 1 caller has no callback fields: none is read. */
    so.version = 1;
    so.placed_cb = NULL;
    pl[0] = (seal_placement){SEAL_PLACE_AT, 1, 100, 100};
    ck_assert_int_eq(seal_sign_file(ctx, fx("pdf/one.pdf"), out_in(dir, "d.pdf"), rsa, &so), SEAL_OK);
    so.version = SEAL_SIGN_OPTIONS_VERSION + 1;
    ck_assert_int_eq(seal_sign_file(ctx, fx("pdf/one.pdf"), out_in(dir, "e.pdf"), rsa, &so), SEAL_ERR_ARGS);
    ck_assert_int_eq(dir_entries(dir), 3);
    seal_ctx_set_warning_cb(ctx, NULL, NULL);
}
END_TEST

Suite *suite_sign(void);
Suite *suite_sign(void)
{
    Suite *s = suite_create("sign");
    TCase *tc = tcase_create("pades");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, visible_seal_is_an_incremental_update);
    tcase_add_test(tc, invisible_then_visible_keeps_prefix);
    tcase_add_test(tc, certified_p1_refuses_more);
    tcase_add_test(tc, certified_p2_allows_approval_not_second_certification);
    tcase_add_test(tc, level_names);
    tcase_add_test(tc, bad_inputs_leave_nothing);
    tcase_add_test(tc, encrypted_input_with_password);
    tcase_add_test(tc, undo_restores_the_revision_before);
    tcase_add_test(tc, undo_encrypted_with_password);
    tcase_add_test(tc, placements_reported_and_warned);
    suite_add_tcase(s, tc);
    return s;
}
