/*
 * Change classification — the structural judge (changes.c, with the
 * rules of vrules.c), the roles it judges by (vroles.c) and the strict
 * reading of each update (xrefraw.c). Each test writes a one-page PDF byte
 * by byte, takes its first revision as the signed one, appends an update
 * and asserts every finding the judge records: revision, object, page,
 * kind, allowed or not, and the text. Calls the seal__ internals through
 * the internal archive.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "verifyint.h"
#include "xrefraw.h"

/* The signed revision: catalog 1, pages 2, page 3 drawing content 4. */
static long base(tpdf *p)
{
    tpdf_init(p);
    tpdf_obj(p, 1, "<< /Type /Catalog /Pages 2 0 R >>");
    tpdf_obj(p, 2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    tpdf_obj(p, 3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Resources << >> >>");
    tpdf_stream(p, 4, NULL, "0 0 m 100 100 l S");
    tpdf_xref(p, NULL, -1, NULL);
    return (long)p->len;
}

/* An update giving page 3 a square annotation (object 5). */
static void add_annotation(tpdf *p, const char *annot_extra)
{
    tpdf_obj(p, 3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Resources << >> "
                   "/Annots [5 0 R] >>");
    tpdf_obj(p, 5, "<< /Type /Annot /Subtype /Square /Rect [10 10 50 50] /P 3 0 R %s>>",
             annot_extra ? annot_extra : "");
}

/* Judge p's bytes after the revision ending at signed_end, under DocMDP
 * docmdp (0: none); every finding one a line, "rREV oOBJ pPAGE KIND
 * allowed|DISALLOWED: TEXT", into out. Returns changes_after. */
static seal_changes judge(tpdf *p, long signed_end, int docmdp, char *out, size_t size)
{
    seal_ctx *ctx;
    vdoc d;
    vsig s;
    int64_t ends[16];
    seal__revision revs[16];
    size_t n;

    ck_assert_int_eq(seal_ctx_new(&ctx), SEAL_OK);
    memset(&d, 0, sizeof(d));
    memset(&s, 0, sizeof(s));
    d.data = (const unsigned char *)p->buf;
    d.len = p->len;
    d.docmdp = docmdp;
    n = seal__pdf_revisions(d.data, d.len, revs, 16);
    for (size_t r = 0; r < n; r++)
        if (revs[r].terminated)
            ends[d.nrevs++] = revs[r].end;
    d.rev_ends = ends;
    s.rev_end = signed_end;
    seal__vfy_budget_start(&d);
    d.doc = tpdf_open(ctx->fz, p, 0);
    seal__vfy_changes(ctx, &d, &s);

    out[0] = 0;
    for (size_t i = 0; i < s.nchanges; i++) {
        const vchange *c = &s.changes[i];
        size_t l = strlen(out);
        snprintf(out + l, size - l, "r%d o%d p%d %s %s: %s\n", c->info.revision, c->info.object, c->info.page,
                 c->kind, c->info.allowed ? "allowed" : "DISALLOWED", c->detail);
    }
    if (s.r.indication == SEAL_INDETERMINATE) {
        size_t l = strlen(out);
        snprintf(out + l, size - l, "INDETERMINATE\n");
    }
    seal_changes after = s.r.changes_after;
    /* What the judge allocates on the signature (verify.c frees the
     * rest of a vsig, which this test never fills). */
    free(s.changes);
    free(s.touched);
    free(s.fills);
    free(s.reason);
    pdf_drop_document(ctx->fz, s.signed_doc);
    seal__vroles_free(ctx->fz, &d.roles);
    pdf_drop_document(ctx->fz, d.doc);
    seal_ctx_free(ctx);
    return after;
}

/* The judge's verdict on the changes and its findings, exactly. */
#define EXPECT(p, signed_end, docmdp, after, findings)                                   \
    do {                                                                                 \
        char out_[4096];                                                                 \
        ck_assert_int_eq(judge((p), (signed_end), (docmdp), out_, sizeof(out_)), (after)); \
        ck_assert_str_eq(out_, (findings));                                              \
    } while (0)

START_TEST(nothing_after)
{
    tpdf p;
    long signed_end = base(&p);
    EXPECT(&p, signed_end, 0, SEAL_CHANGES_NONE, "");
    tpdf_free(&p);
}
END_TEST

START_TEST(annotation_allowed)
{
    tpdf p;
    long signed_end = base(&p);
    add_annotation(&p, NULL);
    tpdf_xref(&p, NULL, TPDF_PREV, NULL);
    EXPECT(&p, signed_end, 0, SEAL_CHANGES_ALLOWED, "r2 o5 p1 annotation allowed: Square annotation added\n");
    /* certified with P=3 (form filling, signing, annotations): still allowed */
    EXPECT(&p, signed_end, 3, SEAL_CHANGES_ALLOWED, "r2 o5 p1 annotation allowed: Square annotation added\n");
    tpdf_free(&p);
}
END_TEST

START_TEST(annotation_forbidden_by_docmdp)
{
    tpdf p;
    long signed_end = base(&p);
    add_annotation(&p, NULL);
    tpdf_xref(&p, NULL, TPDF_PREV, NULL);
    EXPECT(&p, signed_end, 2, SEAL_CHANGES_DISALLOWED, "r2 o5 p1 annotation DISALLOWED: Square annotation added; DocMDP P=2 forbids annotations\n");
    EXPECT(&p, signed_end, 1, SEAL_CHANGES_DISALLOWED, "r2 o5 p1 annotation DISALLOWED: Square annotation added; DocMDP P=1 forbids annotations\n");
    tpdf_free(&p);
}
END_TEST

START_TEST(content_changed)
{
    tpdf p;
    long signed_end = base(&p);
    tpdf_stream(&p, 4, NULL, "0 0 m 100 0 l S");
    tpdf_xref(&p, NULL, TPDF_PREV, NULL);
    EXPECT(&p, signed_end, 0, SEAL_CHANGES_DISALLOWED, "r2 o4 p1 content DISALLOWED: page 1: dictionary (object 4, page content) changed\n");
    tpdf_free(&p);
}
END_TEST

START_TEST(content_freed)
{
    tpdf p;
    const int freed[] = {4, 0};
    long signed_end = base(&p);
    tpdf_xref(&p, freed, TPDF_PREV, NULL);
    EXPECT(&p, signed_end, 0, SEAL_CHANGES_DISALLOWED, "r2 o4 p1 deleted object DISALLOWED: object 4 (page content) freed: deleted after signing\n");
    tpdf_free(&p);
}
END_TEST

START_TEST(identical_copy)
{
    tpdf p;
    long signed_end = base(&p);
    /* the page written again, byte for byte the same value */
    tpdf_obj(&p, 3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Resources << >> >>");
    tpdf_xref(&p, NULL, TPDF_PREV, NULL);
    EXPECT(&p, signed_end, 0, SEAL_CHANGES_NONE, "");
    tpdf_free(&p);
}
END_TEST

START_TEST(metadata_allowed)
{
    tpdf p;
    long signed_end = base(&p);
    tpdf_obj(&p, 1, "<< /Type /Catalog /Pages 2 0 R /Metadata 5 0 R >>");
    tpdf_stream(&p, 5, "/Type /Metadata /Subtype /XML ", "<x:xmpmeta xmlns:x='adobe:ns:meta/'/>");
    tpdf_xref(&p, NULL, TPDF_PREV, NULL);
    EXPECT(&p, signed_end, 0, SEAL_CHANGES_ALLOWED, "r2 o1 p0 metadata allowed: catalog /Metadata updated\n");
    tpdf_free(&p);
}
END_TEST

START_TEST(page_box_changed)
{
    tpdf p;
    long signed_end = base(&p);
    tpdf_obj(&p, 3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R /Resources << >> >>");
    tpdf_xref(&p, NULL, TPDF_PREV, NULL);
    EXPECT(&p, signed_end, 0, SEAL_CHANGES_DISALLOWED, "r2 o3 p1 page DISALLOWED: page 1: /MediaBox changed\n");
    tpdf_free(&p);
}
END_TEST

START_TEST(bad_prev)
{
    tpdf p;
    long signed_end = base(&p);
    add_annotation(&p, NULL);
    tpdf_xref(&p, NULL, 9, NULL);
    EXPECT(&p, signed_end, 0, SEAL_CHANGES_DISALLOWED, "r2 o0 p0 malformed update DISALLOWED: revision 2: its /Prev (9) does not lead to the revision before it (292)\n"
                   /* MuPDF repairs the broken chain: every object is read
                    * elsewhere than either chain says */
                   "r2 o1 p0 cross-reference DISALLOWED: object 1 reads differently than the cross-reference chain says (a damaged or repaired file)\n"
                   "r2 o2 p0 cross-reference DISALLOWED: object 2 reads differently than the cross-reference chain says (a damaged or repaired file)\n"
                   "r2 o3 p0 cross-reference DISALLOWED: object 3 reads differently than its cross-reference entry says (a damaged or repaired file)\n"
                   "r2 o4 p0 cross-reference DISALLOWED: object 4 reads differently than the cross-reference chain says (a damaged or repaired file)\n"
                   "r2 o5 p0 cross-reference DISALLOWED: object 5 reads differently than its cross-reference entry says (a damaged or repaired file)\n");
    tpdf_free(&p);
}
END_TEST

START_TEST(repointed_into_signed_revision)
{
    tpdf p;
    long signed_end = base(&p);
    /* the update lists object 4 at the bytes of object 3 of the signed revision */
    p.pending[p.npending++] = 4;
    p.ofs[4] = p.ofs[3];
    tpdf_xref(&p, NULL, TPDF_PREV, NULL);
    EXPECT(&p, signed_end, 0, SEAL_CHANGES_DISALLOWED, "r2 o4 p0 re-pointed object DISALLOWED: object 4 re-pointed to byte 121, inside an earlier revision, "
                   "where another object (a different object number) is\n");
    tpdf_free(&p);
}
END_TEST

START_TEST(duplicate_key)
{
    tpdf p;
    long signed_end = base(&p);
    add_annotation(&p, "/Subtype /Text ");
    tpdf_xref(&p, NULL, TPDF_PREV, NULL);
    EXPECT(&p, signed_end, 0, SEAL_CHANGES_DISALLOWED, "r2 o5 p0 viewer differential DISALLOWED: object 5 has a duplicate key /Subtype: readers disagree on which one counts\n"
                   "r2 o5 p1 annotation allowed: Text annotation added\n");
    tpdf_free(&p);
}
END_TEST

START_TEST(unsigned_tail)
{
    tpdf p;
    long signed_end = base(&p);
    add_annotation(&p, NULL);
    tpdf_xref(&p, NULL, TPDF_PREV, NULL);
    tpdf_raw(&p, "6 0 obj\n(not in any section)\nendobj\n");
    EXPECT(&p, signed_end, 0, SEAL_CHANGES_DISALLOWED, "r2 o5 p1 annotation allowed: Square annotation added\n"
                   "r3 o0 p0 unsigned data DISALLOWED: 36 bytes after the last %%EOF that no revision accounts for\n");
    tpdf_free(&p);
}
END_TEST

/* A signed revision with a text field (object 5, its own widget on page 3). */
static long base_form(tpdf *p)
{
    tpdf_init(p);
    tpdf_obj(p, 1, "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [5 0 R] >> >>");
    tpdf_obj(p, 2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    tpdf_obj(p, 3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Resources << >> "
                   "/Annots [5 0 R] >>");
    tpdf_stream(p, 4, NULL, "0 0 m 100 100 l S");
    tpdf_obj(p, 5, "<< /Type /Annot /Subtype /Widget /FT /Tx /T (bidder) /Rect [10 10 90 30] /P 3 0 R >>");
    tpdf_xref(p, NULL, -1, NULL);
    return (long)p->len;
}

START_TEST(form_fill)
{
    tpdf p;
    long signed_end = base_form(&p);
    tpdf_obj(&p, 5, "<< /Type /Annot /Subtype /Widget /FT /Tx /T (bidder) /Rect [10 10 90 30] /P 3 0 R /V (ACME) >>");
    tpdf_xref(&p, NULL, TPDF_PREV, NULL);
    EXPECT(&p, signed_end, 0, SEAL_CHANGES_ALLOWED, "r2 o5 p1 form fill allowed: form field 'bidder' filled in\n");
    EXPECT(&p, signed_end, 1, SEAL_CHANGES_DISALLOWED, "r2 o5 p1 form fill DISALLOWED: form field 'bidder' filled; DocMDP P=1 forbids any change\n");
    tpdf_free(&p);
}
END_TEST

START_TEST(form_field_renamed)
{
    tpdf p;
    long signed_end = base_form(&p);
    tpdf_obj(&p, 5, "<< /Type /Annot /Subtype /Widget /FT /Tx /T (winner) /Rect [10 10 90 30] /P 3 0 R >>");
    tpdf_xref(&p, NULL, TPDF_PREV, NULL);
    EXPECT(&p, signed_end, 0, SEAL_CHANGES_DISALLOWED, "r2 o5 p1 form field DISALLOWED: form field 'winner' changed beyond its value (/T)\n");
    tpdf_free(&p);
}
END_TEST

START_TEST(roles)
{
    tpdf p;
    seal_ctx *ctx;
    vroles r;
    base(&p);
    add_annotation(&p, NULL);
    tpdf_xref(&p, NULL, TPDF_PREV, NULL);
    ck_assert_int_eq(seal_ctx_new(&ctx), SEAL_OK);
    pdf_document *doc = tpdf_open(ctx->fz, &p, 0);
    memset(&r, 0, sizeof(r));
    ck_assert_int_eq(seal__vroles_walk(ctx->fz, doc, 8, 1, &r), 0);
    ck_assert_int_eq(r.n, 8);
    ck_assert_uint_eq(r.role[1], VR_CATALOG);
    ck_assert_uint_eq(r.role[2], VR_PAGETREE);
    ck_assert_uint_eq(r.role[3], VR_PAGE);
    ck_assert_uint_eq(r.role[4], VR_CONTENT);
    ck_assert_uint_eq(r.role[5], VR_ANNOT);
    ck_assert_uint_eq(r.role[6], 0);
    ck_assert_int_eq(r.page[4], 0);
    ck_assert_int_eq(r.page[5], 0);
    ck_assert_int_eq(r.page[1], VR_PAGE_NONE);
    ck_assert_str_eq(seal__vroles_name(VR_CONTENT), "page content");
    ck_assert_int_eq(seal__vroles_in_use(ctx->fz, doc, 5), 1);
    ck_assert_int_eq(seal__vroles_in_use(ctx->fz, doc, 6), 0);
    seal__vroles_free(ctx->fz, &r);
    pdf_drop_document(ctx->fz, doc);
    seal_ctx_free(ctx);
    tpdf_free(&p);
}
END_TEST

START_TEST(xref_sections)
{
    tpdf p;
    seal_ctx *ctx;
    xraw_section sec;
    char why[200];
    long signed_end = base(&p), first = p.xref;
    add_annotation(&p, NULL);
    long second = tpdf_xref(&p, NULL, TPDF_PREV, NULL);
    const unsigned char *data = (const unsigned char *)p.buf;

    ck_assert_int_eq(seal__xraw_startxref(data, p.len, 0, signed_end), first);
    ck_assert_int_eq(seal__xraw_startxref(data, p.len, signed_end, (int64_t)p.len), second);
    ck_assert_int_eq(seal_ctx_new(&ctx), SEAL_OK);
    pdf_document *doc = tpdf_open(ctx->fz, &p, 0);
    memset(&sec, 0, sizeof(sec));
    ck_assert_int_eq(seal__xraw_read(ctx->fz, doc, data, p.len, signed_end, (int64_t)p.len, &sec, why, sizeof(why)), 0);
    ck_assert_int_eq(sec.start, signed_end);
    ck_assert_int_eq(sec.end, (int64_t)p.len);
    ck_assert_int_eq(sec.xref_ofs, second);
    ck_assert_int_eq(sec.prev, first);
    ck_assert_int_eq(sec.is_stream, 0);
    ck_assert_uint_eq(sec.n, 2);
    ck_assert_int_eq(sec.e[0].num, 3);
    ck_assert_int_eq(sec.e[0].type, 'n');
    ck_assert_int_eq(sec.e[0].ofs, p.ofs[3]);
    ck_assert_int_eq(sec.e[1].num, 5);
    ck_assert_int_eq(sec.e[1].ofs, p.ofs[5]);
    seal__xraw_free(ctx->fz, &sec);

    int num = 0, gen = -1;
    ck_assert_int_eq(seal__xraw_obj_at(data, p.len, p.ofs[5], &num, &gen), 1);
    ck_assert_int_eq(num, 5);
    ck_assert_int_eq(gen, 0);
    ck_assert_int_eq(seal__xraw_obj_at(data, p.len, p.ofs[5] + 1, &num, &gen), 0);

    /* an update whose startxref points back into the signed revision is
     * refused */
    tpdf q;
    signed_end = base(&q);
    tpdf_raw(&q, "5 0 obj\n<< >>\nendobj\nxref\n5 1\n%010ld 00000 n\r\ntrailer\n<< /Size 6 /Root 1 0 R /Prev %ld >>\n"
                 "startxref\n%ld\n%%%%EOF\n", signed_end, first, first);
    memset(&sec, 0, sizeof(sec));
    ck_assert_int_eq(seal__xraw_read(ctx->fz, doc, (const unsigned char *)q.buf, q.len, signed_end, (int64_t)q.len, &sec,
                                     why, sizeof(why)),
                     -1);
    ck_assert_str_eq(why, "the update ending at byte 585 points its startxref (292) outside itself");
    ck_assert_int_eq((long)q.len, 585);
    ck_assert_int_eq(first, 292);
    seal__xraw_free(ctx->fz, &sec);
    tpdf_free(&q);
    pdf_drop_document(ctx->fz, doc);
    seal_ctx_free(ctx);
    tpdf_free(&p);
}
END_TEST

START_TEST(duplicate_keys_raw)
{
    seal_ctx *ctx;
    char key[128];
    ck_assert_int_eq(seal_ctx_new(&ctx), SEAL_OK);
    const char *dup = "7 0 obj\n<< /A 1 /B << /A 2 >> /A 3 >>\nendobj\n";
    const char *nested = "7 0 obj\n<< /A 1 /B << /A 2 /C [ << /A 4 >> ] >> >>\nendobj\n";
    const char *inner = "<< /K << /X (a) /X (b) >> >>";
    ck_assert_int_eq(seal__xraw_dup_key(ctx->fz, (const unsigned char *)dup, strlen(dup), 0, 1, key, sizeof(key)), 1);
    ck_assert_str_eq(key, "A");
    ck_assert_int_eq(seal__xraw_dup_key(ctx->fz, (const unsigned char *)nested, strlen(nested), 0, 1, key, sizeof(key)), 0);
    ck_assert_int_eq(seal__xraw_dup_key(ctx->fz, (const unsigned char *)inner, strlen(inner), 0, 0, key, sizeof(key)), 1);
    ck_assert_str_eq(key, "X");
    seal_ctx_free(ctx);
}
END_TEST

Suite *suite_changes(void);
Suite *suite_changes(void)
{
    Suite *s = suite_create("changes");
    TCase *tc = tcase_create("judge");
    tcase_add_test(tc, nothing_after);
    tcase_add_test(tc, annotation_allowed);
    tcase_add_test(tc, annotation_forbidden_by_docmdp);
    tcase_add_test(tc, content_changed);
    tcase_add_test(tc, content_freed);
    tcase_add_test(tc, identical_copy);
    tcase_add_test(tc, metadata_allowed);
    tcase_add_test(tc, page_box_changed);
    tcase_add_test(tc, bad_prev);
    tcase_add_test(tc, repointed_into_signed_revision);
    tcase_add_test(tc, duplicate_key);
    tcase_add_test(tc, unsigned_tail);
    tcase_add_test(tc, form_fill);
    tcase_add_test(tc, form_field_renamed);
    suite_add_tcase(s, tc);
    TCase *raw = tcase_create("roles and sections");
    tcase_add_test(raw, roles);
    tcase_add_test(raw, xref_sections);
    tcase_add_test(raw, duplicate_keys_raw);
    suite_add_tcase(s, raw);
    return s;
}
