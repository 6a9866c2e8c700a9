/*
 * Page lists (place.c: seal__parse_pages): ranges, "last", "all",
 * duplicates, spaces, and each refusal with its status and message.
 * Calls the seal__ internals through the internal archive.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <check.h>
#include <string.h>

#include "pdfint.h"

/* The list spec over npages as "0,1,2" (0-based) into out, or the status
 * the parser threw, whose message is then seal_ctx_message(ctx). */
static seal_status pages(seal_ctx *ctx, const char *spec, int npages, char *out, size_t size)
{
    fz_context *fz = ctx->fz;
    int *volatile p = NULL, n = 0;
    volatile seal_status st = SEAL_OK;

    seal__reset(ctx);
    out[0] = 0;
    fz_try(fz)
        p = seal__parse_pages(ctx, spec, npages, &n);
    fz_catch(fz)
        st = seal__from_fz(ctx, SEAL_ERR_INPUT);
    for (int i = 0; p && i < n; i++) {
        size_t l = strlen(out);
        snprintf(out + l, size - l, "%s%d", i ? "," : "", p[i]);
    }
    fz_free(fz, p);
    return st;
}

#define OK(spec, npages, want)                                                   \
    do {                                                                         \
        char got[256];                                                           \
        ck_assert_int_eq(pages(ctx, (spec), (npages), got, sizeof(got)), SEAL_OK); \
        ck_assert_str_eq(got, (want));                                           \
    } while (0)

#define BAD(spec, npages, status, message)                                        \
    do {                                                                          \
        char got[256];                                                            \
        ck_assert_int_eq(pages(ctx, (spec), (npages), got, sizeof(got)), (status)); \
        ck_assert_str_eq(seal_ctx_message(ctx), (message));                       \
        ck_assert_str_eq(got, "");                                                \
    } while (0)

START_TEST(ranges_and_single_pages)
{
    seal_ctx *ctx;
    ck_assert_int_eq(seal_ctx_new(&ctx), SEAL_OK);
    OK("1-3,5", 5, "0,1,2,4");
    OK("5", 5, "4");
    OK("2-2", 5, "1");
    OK("1,3-4", 9, "0,2,3");
    /* spaces around numbers and commas */
    OK(" 1 , 3 ", 5, "0,2");
    /* a trailing comma ends the list */
    OK("2,", 5, "1");
    seal_ctx_free(ctx);
}
END_TEST

START_TEST(last_and_all)
{
    seal_ctx *ctx;
    ck_assert_int_eq(seal_ctx_new(&ctx), SEAL_OK);
    OK("last", 5, "4");
    OK("last", 1, "0");
    OK("3-last", 5, "2,3,4");
    OK("1,last", 3, "0,2");
    OK("all", 4, "0,1,2,3");
    OK(NULL, 3, "0,1,2"); /* no list: every page */
    seal_ctx_free(ctx);
}
END_TEST

START_TEST(duplicates_kept_out_order_kept)
{
    seal_ctx *ctx;
    ck_assert_int_eq(seal_ctx_new(&ctx), SEAL_OK);
    OK("3,1,3", 5, "2,0");
    OK("2-4,1-5", 5, "1,2,3,0,4");
    OK("last,1-last", 3, "2,0,1");
    OK("all,2", 3, "0,1,2");
    seal_ctx_free(ctx);
}
END_TEST

START_TEST(malformed_lists)
{
    seal_ctx *ctx;
    ck_assert_int_eq(seal_ctx_new(&ctx), SEAL_OK);
    BAD("x", 5, SEAL_ERR_ARGS, "bad page list 'x' (e.g. 1-3,5,last)");
    BAD("1-", 5, SEAL_ERR_ARGS, "bad page list '1-' (e.g. 1-3,5,last)");
    BAD("1;2", 5, SEAL_ERR_ARGS, "bad page list '1;2' (e.g. 1-3,5,last)");
    BAD("1 2", 5, SEAL_ERR_ARGS, "bad page list '1 2' (e.g. 1-3,5,last)");
    BAD("first", 5, SEAL_ERR_ARGS, "bad page list 'first' (e.g. 1-3,5,last)");
    BAD("4-2", 5, SEAL_ERR_ARGS, "bad page range 4-2 in '4-2'");
    BAD("last-1", 3, SEAL_ERR_ARGS, "bad page range 3-1 in 'last-1'");
    BAD("", 5, SEAL_ERR_ARGS, "empty page list ''");
    BAD(",", 5, SEAL_ERR_ARGS, "bad page list ',' (e.g. 1-3,5,last)");
    seal_ctx_free(ctx);
}
END_TEST

START_TEST(pages_out_of_range)
{
    seal_ctx *ctx;
    ck_assert_int_eq(seal_ctx_new(&ctx), SEAL_OK);
    BAD("0", 5, SEAL_ERR_NOT_FOUND, "page list '0' names a page out of range (the document has 5 pages)");
    BAD("6", 5, SEAL_ERR_NOT_FOUND, "page list '6' names a page out of range (the document has 5 pages)");
    BAD("1-6", 5, SEAL_ERR_NOT_FOUND, "page list '1-6' names a page out of range (the document has 5 pages)");
    BAD("2", 1, SEAL_ERR_NOT_FOUND, "page list '2' names a page out of range (the document has 1 page)");
    BAD("-1", 5, SEAL_ERR_NOT_FOUND, "page list '-1' names a page out of range (the document has 5 pages)");
    seal_ctx_free(ctx);
}
END_TEST

Suite *suite_pagespec(void);
Suite *suite_pagespec(void)
{
    Suite *s = suite_create("pagespec");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, ranges_and_single_pages);
    tcase_add_test(tc, last_and_all);
    tcase_add_test(tc, duplicates_kept_out_order_kept);
    tcase_add_test(tc, malformed_lists);
    tcase_add_test(tc, pages_out_of_range);
    suite_add_tcase(s, tc);
    return s;
}
