/*
 * The verifier through the public API: names, arguments, errors kept apart
 * from verdicts, a seal made here verified from a file and from memory, a
 * tampered copy, and the rendered PNGs.
 * Corpus conformance and attacks run in tests/cli/verify_*.sh.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static seal_ctx *ctx;
static seal_key *rsa;
static char signed_path[4096];

static void setup(void)
{
    seal_key_options o = SEAL_KEY_OPTIONS_INIT;
    seal_sign_options so = SEAL_SIGN_OPTIONS_INIT;
    seal_placement pl = {SEAL_PLACE_AT, 1, 105, 250};

    char uri[4200];

    ck_assert_int_eq(seal_ctx_new(&ctx), SEAL_OK);
    /* The PKCS#12 key: no token session to share with suites running in
     * parallel. */
    o.pin_cb = pin_from_file;
    o.pin_user = (void *)"p12pass.txt";
    snprintf(uri, sizeof(uri), "p12:%s", fx("signer.p12"));
    ck_assert_int_eq(seal_key_open(ctx, &rsa, uri, &o), SEAL_OK);
    snprintf(signed_path, sizeof(signed_path), "%s/sealed.pdf", tmpdir());
    so.artwork_path = fx("art/company.pdf");
    so.placements = &pl;
    so.placement_count = 1;
    ck_assert_int_eq(seal_sign_file(ctx, fx("pdf/three.pdf"), signed_path, rsa, &so), SEAL_OK);
}

static void teardown(void)
{
    seal_key_free(rsa);
    seal_ctx_free(ctx);
}

/* The test CA as trust anchors: a directory of PEM files. */
static seal_verify_options trusting(const char **anchors)
{
    seal_verify_options vo = SEAL_VERIFY_OPTIONS_INIT;
    anchors[0] = fx("ca");
    vo.trust = anchors;
    vo.trust_count = 1;
    return vo;
}

START_TEST(names_are_the_etsi_ones)
{
    ck_assert_str_eq(seal_indication_name(SEAL_TOTAL_PASSED), "TOTAL-PASSED");
    ck_assert_str_eq(seal_indication_name(SEAL_TOTAL_FAILED), "TOTAL-FAILED");
    ck_assert_str_eq(seal_indication_name(SEAL_INDETERMINATE), "INDETERMINATE");
    ck_assert_str_eq(seal_subindication_name(SEAL_SUB_NONE), "");
    ck_assert_str_eq(seal_subindication_name(SEAL_SUB_HASH_FAILURE), "HASH_FAILURE");
    ck_assert_str_eq(seal_subindication_name(SEAL_SUB_NO_CERTIFICATE_CHAIN_FOUND),
                     "NO_CERTIFICATE_CHAIN_FOUND");
    ck_assert_str_eq(seal_subindication_name(SEAL_SUB_CRYPTO_CONSTRAINTS_FAILURE),
                     "CRYPTO_CONSTRAINTS_FAILURE");
    ck_assert_str_eq(seal_subindication_name(SEAL_SUB_TRY_LATER), "TRY_LATER");
    ck_assert_str_eq(seal_subindication_name((seal_subindication)999), "");
    for (int s = SEAL_SUB_FORMAT_FAILURE; s <= SEAL_SUB_CHAIN_CONSTRAINTS_FAILURE; s++) {
        ck_assert_str_ne(seal_subindication_name((seal_subindication)s), "");
        ck_assert_str_ne(seal_subindication_text((seal_subindication)s, 0), "");
        ck_assert_str_ne(seal_subindication_text((seal_subindication)s, 1), "");
    }
}
END_TEST

START_TEST(bad_arguments)
{
    seal_report *rep = (seal_report *)1;
    seal_verify_options vo = SEAL_VERIFY_OPTIONS_INIT;
    const char *nothing[1] = {"/no/such/anchor.pem"};

    ck_assert_int_eq(seal_verify_file(NULL, "x", NULL, &rep), SEAL_ERR_ARGS);
    ck_assert_int_eq(seal_verify_file(ctx, NULL, NULL, &rep), SEAL_ERR_ARGS);
    ck_assert_ptr_null(rep);
    vo.version = 99;
    ck_assert_int_eq(seal_verify_file(ctx, signed_path, &vo, &rep), SEAL_ERR_ARGS);
    vo.version = SEAL_VERIFY_OPTIONS_VERSION;
    vo.trust = nothing;
    vo.trust_count = 1;
    ck_assert_int_eq(seal_verify_file(ctx, signed_path, &vo, &rep), SEAL_ERR_ARGS);
    ck_assert_ptr_nonnull(strstr(seal_ctx_message(ctx), "anchor.pem"));
    ck_assert_ptr_null(rep);
    seal_report_free(NULL);
}
END_TEST

START_TEST(unusable_input_is_an_error_not_a_verdict)
{
    seal_report *rep = NULL;
    static const unsigned char junk[] = "this is not a PDF at all";

    ck_assert_int_eq(seal_verify_file(ctx, fx("pdf/notpdf.pdf"), NULL, &rep), SEAL_ERR_INPUT);
    ck_assert_ptr_null(rep);
    ck_assert_ptr_nonnull(strstr(seal_ctx_message(ctx), "not a PDF"));
    ck_assert_int_eq(seal_verify_file(ctx, fx("pdf/no-such.pdf"), NULL, &rep), SEAL_ERR_IO);
    ck_assert_int_eq(seal_verify_buffer(ctx, junk, sizeof(junk), NULL, &rep), SEAL_ERR_INPUT);
    ck_assert_ptr_null(rep);
}
END_TEST

START_TEST(unsigned_document_has_no_signature)
{
    seal_report *rep = NULL;
    seal_report_info info;

    ck_assert_int_eq(seal_verify_file(ctx, fx("pdf/one.pdf"), NULL, &rep), SEAL_OK);
    ck_assert_int_eq(seal_report_document(rep, &info), SEAL_OK);
    ck_assert_uint_eq(seal_report_signature_count(rep), 0);
    ck_assert_int_eq(info.indication, SEAL_INDETERMINATE);
    ck_assert_int_eq(info.subindication, SEAL_SUB_SIGNED_DATA_NOT_FOUND);
    /* The committee's verdict: not signed, which fails the bid. */
    ck_assert_str_eq(seal_report_verdict(rep), "NO-SIGNATURE");
    ck_assert_str_eq(seal_verdict_label("NO-SIGNATURE", 1), "无投标人签名");
    ck_assert_int_eq(seal_report_exit_code(rep), 1);
    seal_report_free(rep);
}
END_TEST

/* GB 32100-2015 check characters: a published example, lower case, a wrong
 * length or a letter outside the alphabet. */
START_TEST(credit_code_check_character)
{
    ck_assert_int_eq(seal_credit_code_check("91350100M000100Y43"), '3');
    ck_assert_int_eq(seal_credit_code_check("91350100m000100y40"), '3');
    ck_assert_int_eq(seal_credit_code_check("91350100M000100Y4"), 0);
    ck_assert_int_eq(seal_credit_code_check("91350100M000100I43"), 0);
    ck_assert_int_eq(seal_rule_check("signer=91350100M000100Y43"), SEAL_OK);
    ck_assert_int_eq(seal_rule_check("signer=91350100M000100Y44"), SEAL_ERR_ARGS);
    ck_assert_int_eq(seal_rule_check("signer=某某建设工程有限公司"), SEAL_OK);
    ck_assert_int_eq(seal_rule_check("signer="), SEAL_ERR_ARGS);
}
END_TEST

START_TEST(own_seal_passes_with_the_test_ca)
{
    const char *anchors[1];
    seal_verify_options vo = trusting(anchors);
    seal_report *rep = NULL;
    seal_report_info info;
    seal_signature_result s;
    seal_change_info c;

    ck_assert_int_eq(seal_verify_file(ctx, signed_path, &vo, &rep), SEAL_OK);
    ck_assert_str_eq(seal_ctx_message(ctx), "");
    seal_report_document(rep, &info);
    ck_assert_int_eq(info.indication, SEAL_TOTAL_PASSED);
    ck_assert_str_eq(info.reason, "");
    ck_assert_int_eq(info.pages, 3);
    ck_assert_uint_eq(info.revisions, 2);
    ck_assert_uint_eq(seal_report_signature_count(rep), 1);
    ck_assert_int_eq(seal_report_signature(rep, 0, &s), SEAL_OK);
    ck_assert_int_eq(s.indication, SEAL_TOTAL_PASSED);
    ck_assert_int_eq(s.intact, 1);
    ck_assert_int_eq(s.byte_range_ok, 1);
    ck_assert_int_eq(s.chain_trusted, 1);
    ck_assert_int_eq(s.time_trusted, 0);
    ck_assert_str_eq(s.level, "B-B");
    ck_assert_str_eq(s.subfilter, "ETSI.CAdES.detached");
    ck_assert_str_eq(s.seal_kind, "company");
    ck_assert_str_eq(s.digest_algorithm, "SHA256");
    ck_assert_int_eq(s.page, 1);
    ck_assert_uint_eq(s.page_count, 1);
    ck_assert_int_eq(s.revision, 2);
    ck_assert_int_eq(s.changes_after, SEAL_CHANGES_NONE);
    ck_assert_int_eq(s.revocation, SEAL_REVOCATION_NOT_CHECKED);
    ck_assert_int_eq(seal_report_change(rep, 0, 0, &c), SEAL_ERR_ARGS);
    ck_assert_int_eq(seal_report_signature(rep, 1, &s), SEAL_ERR_ARGS);
    seal_report_free(rep);
}
END_TEST

START_TEST(from_memory_and_tampered)
{
    const char *anchors[1];
    seal_verify_options vo = trusting(anchors);
    seal_report *rep = NULL;
    seal_signature_result s;
    size_t len = 0;
    unsigned char *data = slurp(signed_path, &len);

    ck_assert_ptr_nonnull(data);
    ck_assert_int_eq(seal_verify_buffer(ctx, data, len, &vo, &rep), SEAL_OK);
    seal_report_signature(rep, 0, &s);
    ck_assert_int_eq(s.indication, SEAL_TOTAL_PASSED);
    seal_report_free(rep);

    /* One signed byte changed: a verdict (HASH_FAILURE), not an error. */
    unsigned char *p = memmem(data, len, "(Page 1 of 3)", 13);
    ck_assert_ptr_nonnull(p);
    p[1] = 'X';
    ck_assert_int_eq(seal_verify_buffer(ctx, data, len, &vo, &rep), SEAL_OK);
    seal_report_signature(rep, 0, &s);
    ck_assert_int_eq(s.indication, SEAL_TOTAL_FAILED);
    ck_assert_int_eq(s.subindication, SEAL_SUB_HASH_FAILURE);
    ck_assert_int_eq(s.intact, 0);
    ck_assert_ptr_nonnull(strstr(s.reason, "messageDigest"));
    seal_report_free(rep);
    free(data);
}
END_TEST

START_TEST(renders_seal_and_region)
{
    const char *anchors[1];
    seal_verify_options vo = trusting(anchors);
    seal_report *rep = NULL;
    const unsigned char *png = NULL;
    size_t len = 0;

    ck_assert_int_eq(seal_verify_file(ctx, signed_path, &vo, &rep), SEAL_OK);
    ck_assert_int_eq(seal_report_png(rep, 0, 0, &png, &len), SEAL_ERR_NOT_FOUND);
    seal_report_free(rep);
    vo.flags |= SEAL_VERIFY_RENDER;
    vo.render_dpi = 72;
    ck_assert_int_eq(seal_verify_file(ctx, signed_path, &vo, &rep), SEAL_OK);
    for (int which = 0; which < 2; which++) {
        ck_assert_int_eq(seal_report_png(rep, 0, which, &png, &len), SEAL_OK);
        ck_assert_uint_gt(len, 100);
        ck_assert_int_eq(memcmp(png, "\x89PNG\r\n\x1a\n", 8), 0);
    }
    ck_assert_int_eq(seal_report_png(rep, 0, 2, &png, &len), SEAL_ERR_ARGS);
    seal_report_free(rep);
}
END_TEST

START_TEST(deadline_needs_a_time_stamp)
{
    const char *anchors[1];
    seal_verify_options vo = trusting(anchors);
    seal_report *rep = NULL;
    seal_signature_result s;

    vo.deadline = 4102444800LL; /* 2100-01-01 */
    ck_assert_int_eq(seal_verify_file(ctx, signed_path, &vo, &rep), SEAL_OK);
    seal_report_signature(rep, 0, &s);
    ck_assert_int_eq(s.deadline, SEAL_DEADLINE_UNPROVEN);
    ck_assert_int_eq(s.indication, SEAL_TOTAL_PASSED);
    seal_report_free(rep);
}
END_TEST

START_TEST(report_rules_verdict_and_renderings)
{
    const char *anchors[1], *rules[2] = {"company@1", "legal-rep"};
    seal_verify_options vo = trusting(anchors);
    seal_report *rep = NULL;
    seal_placement_info p;
    seal_rule_result r;
    char *text = NULL;
    size_t len = 0;

    ck_assert_int_eq(seal_rule_check("company@2"), SEAL_OK);
    ck_assert_int_eq(seal_rule_check("legalrep"), SEAL_OK);
    ck_assert_int_eq(seal_rule_check("cross-page"), SEAL_OK);
    ck_assert_int_eq(seal_rule_check("company@0"), SEAL_ERR_ARGS);
    ck_assert_int_eq(seal_rule_check("president"), SEAL_ERR_ARGS);
    ck_assert_int_eq(seal_rule_check(NULL), SEAL_ERR_ARGS);

    vo.require = rules;
    vo.require_count = 2;
    ck_assert_int_eq(seal_verify_file(ctx, signed_path, &vo, &rep), SEAL_OK);
    ck_assert_str_eq(seal_report_verdict(rep), "RULES-FAILED");
    ck_assert_str_eq(seal_verdict_label(seal_report_verdict(rep), 1), "不符合要求");
    ck_assert_str_eq(seal_report_verdict_reason(rep), "rule legal-rep not met: no valid legal-rep seal");
    ck_assert_int_eq(seal_report_exit_code(rep), 1);
    ck_assert_uint_eq(seal_report_rule_count(rep), 2);
    ck_assert_int_eq(seal_report_rule(rep, 0, &r), SEAL_OK);
    ck_assert_int_eq(r.met, 1);
    ck_assert_str_eq(r.why, "");
    ck_assert_int_eq(seal_report_rule(rep, 1, &r), SEAL_OK);
    ck_assert_int_eq(r.met, 0);
    ck_assert_int_eq(seal_report_rule(rep, 2, &r), SEAL_ERR_ARGS);
    ck_assert_uint_eq(seal_report_placement_count(rep, 0), 1);
    ck_assert_int_eq(seal_report_placement(rep, 0, 0, &p), SEAL_OK);
    ck_assert_int_eq(p.page, 1);
    ck_assert_str_eq(p.kind, "widget");
    ck_assert_str_eq(p.seal_kind, "company");
    ck_assert_int_eq(seal_report_placement(rep, 0, 1, &p), SEAL_ERR_ARGS);

    seal_report_entry e = {signed_path, rep, SEAL_OK, ""};
    ck_assert_int_eq(seal_report_render(ctx, &e, 1, NULL, SEAL_REPORT_JSON, &text, &len), SEAL_OK);
    ck_assert_uint_eq(strlen(text), len);
    ck_assert_ptr_nonnull(strstr(text, "\"indication\":\"RULES-FAILED\""));
    ck_assert_ptr_nonnull(strstr(text, "\"placements\""));
    seal_report_text_free(text);
    ck_assert_int_eq(seal_report_render(ctx, &e, 1, NULL, SEAL_REPORT_TEXT, &text, &len), SEAL_OK);
    ck_assert_ptr_nonnull(strstr(text, "结论 Verdict:   RULES-FAILED 不符合要求"));
    seal_report_text_free(text);
    ck_assert_int_eq(seal_report_render(ctx, &e, 2, NULL, SEAL_REPORT_TEXT, &text, &len), SEAL_ERR_ARGS);
    ck_assert_int_eq(seal_report_entries_exit_code(&e, 1), 1);
    seal_report_entry bad = {"x.pdf", NULL, SEAL_ERR_INPUT, "x.pdf is not a PDF"};
    ck_assert_int_eq(seal_report_entries_exit_code(&bad, 1), 4);
    seal_report_free(rep);

    /* Version 1 options (no rules) are still accepted; a bad rule is not. */
    vo.version = 1;
    ck_assert_int_eq(seal_verify_file(ctx, signed_path, &vo, &rep), SEAL_OK);
    ck_assert_str_eq(seal_report_verdict(rep), "TOTAL-PASSED");
    ck_assert_uint_eq(seal_report_rule_count(rep), 0);
    seal_report_free(rep);
    vo.version = SEAL_VERIFY_OPTIONS_VERSION;
    rules[1] = "president";
    ck_assert_int_eq(seal_verify_file(ctx, signed_path, &vo, &rep), SEAL_ERR_ARGS);
    ck_assert_ptr_null(rep);
}
END_TEST

Suite *suite_verify(void);
Suite *suite_verify(void)
{
    Suite *s = suite_create("verify");
    TCase *tc = tcase_create("verify");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, names_are_the_etsi_ones);
    tcase_add_test(tc, bad_arguments);
    tcase_add_test(tc, unusable_input_is_an_error_not_a_verdict);
    tcase_add_test(tc, credit_code_check_character);
    tcase_add_test(tc, unsigned_document_has_no_signature);
    tcase_add_test(tc, own_seal_passes_with_the_test_ca);
    tcase_add_test(tc, from_memory_and_tampered);
    tcase_add_test(tc, renders_seal_and_region);
    tcase_add_test(tc, deadline_needs_a_time_stamp);
    tcase_add_test(tc, report_rules_verdict_and_renderings);
    suite_add_tcase(s, tc);
    return s;
}
