/*
 * The context, status strings and version.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <check.h>
#include <string.h>

#include "testutil.h"

START_TEST(version_matches_macros)
{
    ck_assert_str_eq(seal_version(), SEAL_VERSION_STRING);
    ck_assert_int_eq(SEAL_VERSION_NUMBER, SEAL_VERSION_MAJOR * 10000 + SEAL_VERSION_MINOR * 100 +
                                              SEAL_VERSION_PATCH);
}
END_TEST

START_TEST(status_numbers_are_stable)
{
    /* The ABI promise: these numbers never change. */
    ck_assert_int_eq(SEAL_OK, 0);
    ck_assert_int_eq(SEAL_ERR_INPUT, -5);
    ck_assert_int_eq(SEAL_ERR_PIN_INCORRECT, -11);
    ck_assert_int_eq(SEAL_ERR_PIN_LOCKED, -12);
    ck_assert_int_eq(SEAL_ERR_INTERNAL, -19);
    ck_assert_str_eq(seal_status_str(SEAL_ERR_PIN_LOCKED), "PIN locked");
    ck_assert_str_eq(seal_status_str((seal_status)-999), "unknown status");
    for (int s = SEAL_ERR_INTERNAL; s <= 0; s++)
        ck_assert_str_ne(seal_status_str((seal_status)s), "unknown status");
}
END_TEST

START_TEST(message_is_kept_and_cleared)
{
    seal_ctx *ctx = NULL;
    seal_inspection *ins = NULL;
    ck_assert_int_eq(seal_ctx_new(&ctx), SEAL_OK);
    ck_assert_str_eq(seal_ctx_message(ctx), "");
    ck_assert_int_eq(seal_inspect_file(ctx, fx("pdf/notpdf.pdf"), NULL, &ins), SEAL_ERR_INPUT);
    ck_assert_ptr_null(ins);
    ck_assert_int_eq(seal_ctx_status(ctx), SEAL_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(seal_ctx_message(ctx), "is not a PDF"));
    ck_assert_ptr_null(strchr(seal_ctx_message(ctx), '\n'));
    /* A later success clears it. */
    ck_assert_int_eq(seal_inspect_file(ctx, fx("pdf/one.pdf"), NULL, &ins), SEAL_OK);
    ck_assert_str_eq(seal_ctx_message(ctx), "");
    seal_inspection_free(ins);
    seal_ctx_free(ctx);
    seal_ctx_free(NULL);
}
END_TEST

START_TEST(missing_file_is_io_error)
{
    seal_ctx *ctx = NULL;
    seal_inspection *ins = NULL;
    ck_assert_int_eq(seal_ctx_new(&ctx), SEAL_OK);
    ck_assert_int_eq(seal_inspect_file(ctx, fx("pdf/no-such.pdf"), NULL, &ins), SEAL_ERR_IO);
    ck_assert_ptr_nonnull(strstr(seal_ctx_message(ctx), "No such file"));
    seal_ctx_free(ctx);
}
END_TEST

Suite *suite_context(void);
Suite *suite_context(void)
{
    Suite *s = suite_create("context");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, version_matches_macros);
    tcase_add_test(tc, status_numbers_are_stable);
    tcase_add_test(tc, message_is_kept_and_cleared);
    tcase_add_test(tc, missing_file_is_io_error);
    suite_add_tcase(s, tc);
    return s;
}
