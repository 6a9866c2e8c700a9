/*
 * Nothing lost: seal_paths_check and the whole-or-nothing outputs.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

static char *path_in(const char *dir, const char *name)
{
    static char bufs[8][4096];
    static int n;
    char *b = bufs[n++ % 8];
    snprintf(b, sizeof(bufs[0]), "%s/%s", dir, name);
    return b;
}

static void make_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

/* seal_paths_check(in, out) refused, with both named in the message. */
static void refused(seal_ctx *ctx, const char *in, const char *out)
{
    ck_assert_int_eq(seal_paths_check(ctx, &in, 1, &out, 1), SEAL_ERR_ARGS);
    ck_assert_ptr_nonnull(strstr(seal_ctx_message(ctx), in));
    ck_assert_ptr_nonnull(strstr(seal_ctx_message(ctx), out));
}

START_TEST(output_naming_an_input_is_refused)
{
    const char *d = tmpdir();
    seal_ctx *ctx = NULL;
    char cwd[4096], dot[4200], up[4200], missing[4200];
    const char *in = path_in(d, "bid.pdf");

    ck_assert_int_eq(seal_ctx_new(&ctx), SEAL_OK);
    make_file(in, "%PDF-1.7\n");
    ck_assert_int_eq(symlink("bid.pdf", path_in(d, "link.pdf")), 0);
    ck_assert_int_eq(link(in, path_in(d, "hard.pdf")), 0);
    ck_assert_int_eq(mkdir(path_in(d, "sub"), 0777), 0);
    snprintf(dot, sizeof(dot), "%s/./bid.pdf", d);
    snprintf(up, sizeof(up), "%s/sub/../bid.pdf", d);
    snprintf(missing, sizeof(missing), "%s/nosuch/../bid.pdf", d);

    refused(ctx, in, in);
    refused(ctx, in, path_in(d, "link.pdf"));
    refused(ctx, in, path_in(d, "hard.pdf"));
    refused(ctx, in, dot);
    refused(ctx, in, up);
    refused(ctx, in, missing);
    /* relative to the working directory */
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
    ck_assert_int_eq(chdir(d), 0);
    refused(ctx, "bid.pdf", "./bid.pdf");
    refused(ctx, "bid.pdf", "sub/../bid.pdf");
    ck_assert_int_eq(chdir(cwd), 0);
    /* an input folder stands for its files */
    refused(ctx, d, path_in(d, "bid.pdf"));
    ck_assert_int_eq(seal_paths_check(ctx, (const char *[]){d}, 1,
                                      (const char *[]){path_in(d, "report.html")}, 1),
                     SEAL_OK);
    seal_ctx_free(ctx);
}
END_TEST

START_TEST(outputs_must_be_distinct_files)
{
    const char *d = tmpdir();
    seal_ctx *ctx = NULL;
    char dot[4200];
    const char *outs[3];

    ck_assert_int_eq(seal_ctx_new(&ctx), SEAL_OK);
    snprintf(dot, sizeof(dot), "%s/./x.pdf", d);
    outs[0] = path_in(d, "x.pdf");
    outs[1] = NULL; /* an option not given */
    outs[2] = dot;
    ck_assert_int_eq(seal_paths_check(ctx, NULL, 0, outs, 3), SEAL_ERR_ARGS);
    ck_assert_ptr_nonnull(strstr(seal_ctx_message(ctx), "are one file"));
    ck_assert_int_eq(dir_entries(d), 0);
    outs[2] = path_in(d, "x.png");
    ck_assert_int_eq(seal_paths_check(ctx, NULL, 0, outs, 3), SEAL_OK);
    ck_assert_str_eq(seal_ctx_message(ctx), "");
    /* a directory is not a file to write */
    ck_assert_int_eq(seal_paths_check(ctx, NULL, 0, &d, 1), SEAL_ERR_ARGS);
    ck_assert_int_eq(seal_paths_check(NULL, NULL, 0, NULL, 0), SEAL_ERR_ARGS);
    seal_ctx_free(ctx);
}
END_TEST

START_TEST(output_is_whole_or_absent)
{
    const char *d = tmpdir();
    const char *f = path_in(d, "log.jsonl");
    seal_ctx *ctx = NULL;
    seal_output *o = NULL;
    unsigned char *got;
    size_t len;

    ck_assert_int_eq(seal_ctx_new(&ctx), SEAL_OK);
    ck_assert_int_eq(seal_file_write(ctx, f, "one\n", 4, 0), SEAL_OK);
    /* not committed: nothing changes, no temporary stays */
    ck_assert_int_eq(seal_output_open(ctx, &o, f, 0), SEAL_OK);
    ck_assert_int_eq(seal_output_write(o, "lost\n", 5), SEAL_OK);
    ck_assert_int_eq(dir_entries(d), 2);
    seal_output_free(o);
    ck_assert_int_eq(dir_entries(d), 1);
    /* appended whole */
    ck_assert_int_eq(seal_output_open(ctx, &o, f, SEAL_OUTPUT_APPEND), SEAL_OK);
    ck_assert_int_eq(seal_output_write(o, "two\n", 4), SEAL_OK);
    ck_assert_int_eq(seal_output_commit(o), SEAL_OK);
    ck_assert_int_eq(seal_output_write(o, "x", 1), SEAL_ERR_ARGS);
    seal_output_free(o);
    got = slurp(f, &len);
    ck_assert_uint_eq(len, 8);
    ck_assert_int_eq(memcmp(got, "one\ntwo\n", 8), 0);
    free(got);
    ck_assert_int_eq(dir_entries(d), 1);
    /* a failure names the file */
    ck_assert_int_eq(seal_file_write(ctx, path_in(d, "no/such/dir/report.html"), "x", 1, 0),
                     SEAL_ERR_IO);
    ck_assert_ptr_nonnull(strstr(seal_ctx_message(ctx), "report.html"));
    ck_assert_int_eq(dir_entries(d), 1);
    seal_ctx_free(ctx);
}
END_TEST

Suite *suite_files(void);
Suite *suite_files(void)
{
    Suite *s = suite_create("files");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, output_naming_an_input_is_refused);
    tcase_add_test(tc, outputs_must_be_distinct_files);
    tcase_add_test(tc, output_is_whole_or_absent);
    suite_add_tcase(s, tc);
    return s;
}
