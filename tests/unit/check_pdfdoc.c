/*
 * The revision index (pdfdoc.c: seal__pdf_revisions): where each revision
 * ends — after "%%EOF" and its end-of-line (LF, CR LF or CR) —, the
 * linearized file's first-page trailer, an unterminated tail, incremental
 * updates of a real file, the bound on how many are stored; and the probe
 * that refuses what is no whole PDF. Calls the seal__ internals through
 * the internal archive.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <check.h>
#include <string.h>

#include "pdfint.h"
#include "testutil.h"

static size_t revs_of(const char *s, seal__revision *r, size_t max)
{
    return seal__pdf_revisions((const unsigned char *)s, strlen(s), r, max);
}

#define REV(r, s, e, t)                          \
    do {                                         \
        ck_assert_int_eq((r).start, (s));        \
        ck_assert_int_eq((r).end, (e));          \
        ck_assert_int_eq((r).terminated, (t));   \
    } while (0)

START_TEST(markers_and_line_ends)
{
    seal__revision r[8];
    /* LF, CR LF, CR, and none at the very end */
    const char *s = "%PDF-1.7\nA\n%%EOF\nBB\n%%EOF\r\nC\n%%EOF\rD\n%%EOF";
    ck_assert_int_eq(revs_of(s, r, 8), 4);
    REV(r[0], 0, 17, 1);  /* "%PDF-1.7\nA\n" is 11 bytes, "%%EOF\n" 6 */
    REV(r[1], 17, 27, 1); /* "BB\n%%EOF\r\n" */
    REV(r[2], 27, 35, 1); /* "C\n%%EOF\r" */
    REV(r[3], 35, 42, 1); /* "D\n%%EOF", ending the file */
}
END_TEST

START_TEST(unterminated_tail)
{
    seal__revision r[8];
    const char *s = "%PDF-1.7\n%%EOF\nxref junk";
    ck_assert_int_eq(revs_of(s, r, 8), 2);
    REV(r[0], 0, 15, 1);
    REV(r[1], 15, 24, 0);
    /* white space after the last marker is a tail too: the index keeps
     * every byte (the verifier judges what it holds) */
    ck_assert_int_eq(revs_of("%PDF-1.7\n%%EOF\n\n", r, 8), 2);
    REV(r[1], 15, 16, 0);
    /* no marker at all: one unterminated revision */
    ck_assert_int_eq(revs_of("%PDF-1.7\n1 0 obj", r, 8), 1);
    REV(r[0], 0, 16, 0);
    ck_assert_int_eq(revs_of("", r, 8), 0);
}
END_TEST

START_TEST(bounded)
{
    seal__revision r[2];
    const char *s = "%PDF\n%%EOF\n%%EOF\n%%EOF\n";
    /* only the first max revisions, and no unterminated tail past them */
    ck_assert_int_eq(revs_of(s, r, 2), 2);
    REV(r[0], 0, 11, 1);
    REV(r[1], 11, 17, 1);
    ck_assert_int_eq(revs_of(s, r, 0), 0);
}
END_TEST

/* A linearized file: the first-page trailer's %%EOF comes first; the
 * first revision ends at /L. */
START_TEST(linearized)
{
    seal__revision r[8];
    char s[512];
    const char *head = "%PDF-1.7\n1 0 obj\n<< /Linearized 1 /L %04d /O 3 >>\nendobj\n"
                       "trailer\n<< /Size 9 >>\nstartxref\n0\n%%%%EOF\n";
    const char *body = "2 0 obj\n<< >>\nendobj\nxref\ntrailer\n<< >>\nstartxref\n9\n%%EOF\n";
    const char *update = "4 0 obj\n<< >>\nendobj\n%%EOF\n";
    /* /L is written with four digits, so the length is known first */
    int l = (int)(strlen(head) - 2 + strlen(body));
    snprintf(s, sizeof(s), head, l);
    strcat(s, body);
    ck_assert_int_eq((int)strlen(s), l);
    ck_assert_int_eq(revs_of(s, r, 8), 1);
    REV(r[0], 0, l, 1);
    /* an incremental update after it is a revision of its own */
    strcat(s, update);
    ck_assert_int_eq(revs_of(s, r, 8), 2);
    REV(r[0], 0, l, 1);
    REV(r[1], l, l + (int)strlen(update), 1);
    /* the same bytes without /Linearized: the first-page trailer's marker
     * ends a revision */
    memcpy(strstr(s, "/Linearized"), "/Xinearized", 11);
    ck_assert_int_eq(revs_of(s, r, 8), 3);
    ck_assert_int_eq(r[0].end, (int64_t)(strstr(s, "%%EOF\n") - s) + 6);
    REV(r[1], r[0].end, l, 1);
}
END_TEST

/* A /L shorter than the first-page trailer (a damaged or lying dictionary):
 * markers before it are dropped, never the last one. */
START_TEST(linearized_length_wrong)
{
    seal__revision r[8];
    const char *s = "%PDF-1.7\n1 0 obj\n<< /Linearized 1 /L 99999 >>\nendobj\n%%EOF\nA\n%%EOF\n";
    ck_assert_int_eq(revs_of(s, r, 8), 1);
    REV(r[0], 0, (int64_t)strlen(s), 1);
}
END_TEST

/* A real file with two incremental updates: each revision ends where the
 * writer put its %%EOF, and MuPDF opens every prefix. */
START_TEST(incremental_updates)
{
    tpdf p;
    seal__revision r[8];
    long end[3];
    seal_ctx *ctx;

    tpdf_init(&p);
    tpdf_obj(&p, 1, "<< /Type /Catalog /Pages 2 0 R >>");
    tpdf_obj(&p, 2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    tpdf_obj(&p, 3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>");
    tpdf_xref(&p, NULL, -1, NULL);
    end[0] = (long)p.len;
    tpdf_obj(&p, 4, "<< /Title (one) >>");
    tpdf_xref(&p, NULL, TPDF_PREV, "/Info 4 0 R ");
    end[1] = (long)p.len;
    tpdf_obj(&p, 4, "<< /Title (two) >>");
    tpdf_xref(&p, NULL, TPDF_PREV, "/Info 4 0 R ");
    end[2] = (long)p.len;

    ck_assert_int_eq(seal__pdf_revisions((unsigned char *)p.buf, p.len, r, 8), 3);
    REV(r[0], 0, end[0], 1);
    REV(r[1], end[0], end[1], 1);
    REV(r[2], end[1], end[2], 1);
    ck_assert_int_eq(memcmp(p.buf + end[1] - 6, "%%EOF\n", 6), 0);

    ck_assert_int_eq(seal_ctx_new(&ctx), SEAL_OK);
    for (int k = 0; k < 3; k++) {
        fz_context *fz = ctx->fz;
        fz_stream *volatile stm = NULL;
        pdf_document *volatile doc = NULL;
        volatile int pages = -1, repaired = -1;
        fz_try(fz) {
            stm = fz_open_memory(fz, (unsigned char *)p.buf, (size_t)r[k].end);
            doc = pdf_open_document_with_stream(fz, stm);
            pages = pdf_count_pages(fz, doc);
            repaired = pdf_was_repaired(fz, doc);
        }
        fz_always(fz) {
            pdf_drop_document(fz, doc);
            fz_drop_stream(fz, stm);
        }
        fz_catch(fz)
            ck_abort_msg("revision %d: %s", k + 1, fz_caught_message(fz));
        ck_assert_int_eq(pages, 1);
        ck_assert_int_eq(repaired, 0);
    }
    seal_ctx_free(ctx);
    tpdf_free(&p);
}
END_TEST

START_TEST(probe)
{
    const unsigned char *pdf = (const unsigned char *)"%PDF-1.7\n...\n%%EOF\n";
    size_t n = strlen((const char *)pdf);
    ck_assert_ptr_null(seal__pdf_probe(pdf, n, pdf, n));
    ck_assert_str_eq(seal__pdf_probe((const unsigned char *)"GIF89a", 6, pdf, n),
                     "is not a PDF (no %PDF- header)");
    ck_assert_str_eq(seal__pdf_probe(pdf, n, (const unsigned char *)"1 0 obj", 7),
                     "is truncated or damaged (no %%EOF at its end)");
}
END_TEST

Suite *suite_pdfdoc(void);
Suite *suite_pdfdoc(void)
{
    Suite *s = suite_create("pdfdoc");
    TCase *tc = tcase_create("revisions");
    tcase_add_test(tc, markers_and_line_ends);
    tcase_add_test(tc, unterminated_tail);
    tcase_add_test(tc, bounded);
    tcase_add_test(tc, linearized);
    tcase_add_test(tc, linearized_length_wrong);
    tcase_add_test(tc, incremental_updates);
    tcase_add_test(tc, probe);
    suite_add_tcase(s, tc);
    return s;
}
