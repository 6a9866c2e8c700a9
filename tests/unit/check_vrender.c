/*
 * The rendering judge (what the signer saw) through the public API: a page
 * of dense text is signed, then a second signature stamps artwork the test
 * draws over the text. A seal (ring and star) adds ink and is allowed; a
 * white box or different text painted over hides the signed text and is a
 * disallowed "rendering" change with crops of both renderings; two
 * overlapping seals and an unchanged page give no finding.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static seal_ctx *ctx;
static seal_key *rsa;
static char dir[4096];

/* A one-page PDF of w x h points whose page draws `content` (Helvetica as
 * /F1). */
static void write_pdf(const char *path, double w, double h, const char *content)
{
    FILE *f = fopen(path, "wb");
    long ofs[6];
    char obj[6][512];

    ck_assert_ptr_nonnull(f);
    snprintf(obj[1], sizeof(obj[1]), "<< /Type /Catalog /Pages 2 0 R >>");
    snprintf(obj[2], sizeof(obj[2]), "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    snprintf(obj[3], sizeof(obj[3]),
             "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Contents 4 0 R "
             "/Resources << /Font << /F1 5 0 R >> >> >>",
             w, h);
    snprintf(obj[5], sizeof(obj[5]), "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
    fputs("%PDF-1.7\n", f);
    for (int i = 1; i <= 5; i++) {
        ofs[i] = ftell(f);
        if (i == 4)
            fprintf(f, "4 0 obj\n<< /Length %zu >>\nstream\n%s\nendstream\nendobj\n", strlen(content) + 1,
                    content);
        else
            fprintf(f, "%d 0 obj\n%s\nendobj\n", i, obj[i]);
    }
    long xref = ftell(f);
    fputs("xref\n0 6\n0000000000 65535 f \n", f);
    for (int i = 1; i <= 5; i++)
        fprintf(f, "%010ld 00000 n \n", ofs[i]);
    fprintf(f, "trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%ld\n%%%%EOF\n", xref);
    fclose(f);
}

/* A4 filled with lines of 9 pt text. */
static void write_text_page(const char *path)
{
    size_t cap = 64 * 1024, used = 0;
    char *c = malloc(cap);
    ck_assert_ptr_nonnull(c);
    used += (size_t)snprintf(c + used, cap - used, "BT /F1 9 Tf 11 TL 40 800 Td\n");
    for (int i = 0; i < 70; i++)
        used += (size_t)snprintf(c + used, cap - used,
                                 "(%02d The bidder offers 1,234,567.00 yuan for lot %d, delivery in 90 days.) '\n",
                                 i, i);
    snprintf(c + used, cap - used, "ET");
    write_pdf(path, 595.28, 841.89, c);
    free(c);
}

#define SEAL_PT 113.39 /* 40 mm */

/* A seal: a red ring, a red star and a short arc of text, ~30 % ink. */
static const char ring_star[] =
    "1 0 0 RG 1 0 0 rg 3 w\n"
    "56.7 6 m 84.7 6 107.4 28.7 107.4 56.7 c 107.4 84.7 84.7 107.4 56.7 107.4 c\n"
    "28.7 107.4 6 84.7 6 56.7 c 6 28.7 28.7 6 56.7 6 c s\n"
    "56.7 76 m 61.2 62.3 l 75.6 62.3 l 64 53.8 l 68.4 40 l 56.7 48.5 l 45 40 l 49.4 53.8 l\n"
    "37.8 62.3 l 52.2 62.3 l f\n"
    "BT /F1 9 Tf 28 88 Td (SEAL COMPANY) Tj ET\n"
    "BT /F1 9 Tf 34 20 Td (0123456789) Tj ET";
static const char white_box[] = "1 1 1 rg 0 0 113.39 113.39 re f";
static const char other_text[] =
    "1 1 1 rg 0 0 113.39 113.39 re f 0 g BT /F1 9 Tf 4 100 Td 11 TL\n"
    "(The bidder offers 9.00) ' (yuan for lot 1, delivery) ' (in 900 days.) ' ET";

static void art(const char *name, const char *content)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/art-%s.pdf", dir, name);
    write_pdf(path, SEAL_PT, SEAL_PT, content);
}

static void setup(void)
{
    seal_key_options o = SEAL_KEY_OPTIONS_INIT;
    char uri[4200];

    ck_assert_int_eq(seal_ctx_new(&ctx), SEAL_OK);
    o.pin_cb = pin_from_file;
    o.pin_user = (void *)"p12pass.txt";
    snprintf(uri, sizeof(uri), "p12:%s", fx("signer.p12"));
    ck_assert_int_eq(seal_key_open(ctx, &rsa, uri, &o), SEAL_OK);
    snprintf(dir, sizeof(dir), "%s", tmpdir());
    char path[4200];
    snprintf(path, sizeof(path), "%s/text.pdf", dir);
    write_text_page(path);
    art("ring", ring_star);
    art("white", white_box);
    art("other", other_text);
}

static void teardown(void)
{
    seal_key_free(rsa);
    seal_ctx_free(ctx);
}

/* Sign in (in dir) into out, with artwork name (NULL: invisible) centred
 * at x,y mm on page 1. */
static void sign(const char *in, const char *out, const char *name, double x, double y)
{
    seal_sign_options so = SEAL_SIGN_OPTIONS_INIT;
    seal_placement pl = {SEAL_PLACE_AT, 1, x, y};
    char ip[4200], op[4200], ap[4200];

    snprintf(ip, sizeof(ip), "%s/%s", dir, in);
    snprintf(op, sizeof(op), "%s/%s", dir, out);
    if (name) {
        snprintf(ap, sizeof(ap), "%s/art-%s.pdf", dir, name);
        so.artwork_path = ap;
        so.placements = &pl;
        so.placement_count = 1;
    }
    ck_assert_msg(seal_sign_file(ctx, ip, op, rsa, &so) == SEAL_OK, "%s", seal_ctx_message(ctx));
}

/* Verify dir/file; the number of disallowed "rendering" changes of
 * signature `sig`; *crops: how many of them carry both crops; *hidden: how
 * many say signed content was hidden (not merely drawn over by a signature
 * that failed for another reason). */
static int findings_of(const char *file, size_t sig, int *crops, int *hidden, seal_indication *ind)
{
    const char *anchors[1] = {fx("ca")};
    seal_verify_options vo = SEAL_VERIFY_OPTIONS_INIT;
    seal_report *rep = NULL;
    seal_signature_result s;
    char path[4200];
    int n = 0;

    vo.trust = anchors;
    vo.trust_count = 1;
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    ck_assert_int_eq(seal_verify_file(ctx, path, &vo, &rep), SEAL_OK);
    ck_assert_int_eq(seal_report_signature(rep, sig, &s), SEAL_OK);
    *ind = s.indication;
    *crops = *hidden = 0;
    for (size_t k = 0; k < s.change_count; k++) {
        seal_change_info c;
        const unsigned char *png[2];
        size_t len[2];
        ck_assert_int_eq(seal_report_change(rep, sig, k, &c), SEAL_OK);
        if (strcmp(c.kind, "rendering") || c.allowed)
            continue;
        n++;
        ck_assert_int_eq(c.page, 1);
        ck_assert_ptr_nonnull(strstr(c.detail, "page 1: "));
        *hidden += strstr(c.detail, "content hidden") != NULL;
        if (seal_report_change_png(rep, sig, k, 0, &png[0], &len[0]) == SEAL_OK &&
            seal_report_change_png(rep, sig, k, 1, &png[1], &len[1]) == SEAL_OK) {
            ck_assert(len[0] > 8 && !memcmp(png[0], "\x89PNG", 4));
            ck_assert(len[1] != len[0] || memcmp(png[0], png[1], len[0]));
            (*crops)++;
        }
    }
    seal_report_free(rep);
    return n;
}

static int rendering_findings(const char *file, int *crops, seal_indication *first)
{
    int hidden;
    return findings_of(file, 0, crops, &hidden, first);
}

START_TEST(seal_over_text_adds_ink)
{
    int crops;
    seal_indication first;
    sign("text.pdf", "s1.pdf", NULL, 0, 0);
    sign("s1.pdf", "seal.pdf", "ring", 105, 60);
    ck_assert_int_eq(rendering_findings("seal.pdf", &crops, &first), 0);
    ck_assert_int_eq(first, SEAL_TOTAL_PASSED);
}
END_TEST

START_TEST(white_box_over_text_is_found)
{
    int crops;
    seal_indication first;
    sign("text.pdf", "s1.pdf", NULL, 0, 0);
    sign("s1.pdf", "white.pdf", "white", 105, 60);
    ck_assert_int_ge(rendering_findings("white.pdf", &crops, &first), 1);
    ck_assert_int_ge(crops, 1);
    ck_assert_int_eq(first, SEAL_TOTAL_FAILED);
}
END_TEST

START_TEST(other_text_over_text_is_found)
{
    int crops;
    seal_indication first;
    sign("text.pdf", "s1.pdf", NULL, 0, 0);
    sign("s1.pdf", "other.pdf", "other", 105, 60);
    ck_assert_int_ge(rendering_findings("other.pdf", &crops, &first), 1);
    ck_assert_int_eq(first, SEAL_TOTAL_FAILED);
}
END_TEST

START_TEST(overlapping_seals_add_ink)
{
    int crops, hidden;
    seal_indication ind;
    sign("text.pdf", "o1.pdf", "ring", 100, 60);
    sign("o1.pdf", "o2.pdf", "ring", 125, 70);
    sign("o2.pdf", "o3.pdf", "ring", 112, 90);
    /* The third seal over the second and over text: nothing hidden. */
    ck_assert_int_eq(findings_of("o3.pdf", 1, &crops, &hidden, &ind), 0);
    /* The first signature: the seals hide nothing either. (Until the
     * structural judge allows seals that touch, it fails the second
     * signature, whose seal then is no allowed area for the first.) */
    findings_of("o3.pdf", 0, &crops, &hidden, &ind);
    ck_assert_int_eq(hidden, 0);
}
END_TEST

START_TEST(unchanged_page_has_no_finding)
{
    int crops;
    seal_indication first;
    sign("text.pdf", "s1.pdf", NULL, 0, 0);
    sign("s1.pdf", "same.pdf", NULL, 0, 0);
    ck_assert_int_eq(rendering_findings("same.pdf", &crops, &first), 0);
    ck_assert_int_eq(first, SEAL_TOTAL_PASSED);
}
END_TEST

Suite *suite_vrender(void);
Suite *suite_vrender(void)
{
    Suite *s = suite_create("vrender");
    TCase *tc = tcase_create("vrender");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, seal_over_text_adds_ink);
    tcase_add_test(tc, white_box_over_text_is_found);
    tcase_add_test(tc, other_text_over_text_is_found);
    tcase_add_test(tc, overlapping_seals_add_ink);
    tcase_add_test(tc, unchanged_page_has_no_finding);
    suite_add_tcase(s, tc);
    return s;
}
