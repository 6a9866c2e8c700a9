/*
 * Placement geometry (place.c: seal__place, seal__placed): a seal at a
 * point in mm from the displayed page's top-left corner becomes a widget
 * /Rect in user space and an appearance /Matrix that keeps it upright, on
 * plain, rotated (90, 270), cropped and UserUnit pages; the page-list
 * placement; cross-page strips (edges, groups, thin-strip warnings); the
 * refusals and warnings with their exact text. Hand-built PDFs; calls the
 * seal__ internals through the internal archive.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <check.h>
#include <math.h>
#include <string.h>

#include "pdfint.h"
#include "testutil.h"

#define MM (72.0 / 25.4)

/* Five pages: plain A4; A4 turned 90; A4 cropped to [100 100 400 500];
 * A4 turned 270; a 100 x 100 page with UserUnit 2. */
static void geometry_pdf(tpdf *p)
{
    tpdf_init(p);
    tpdf_obj(p, 1, "<< /Type /Catalog /Pages 2 0 R >>");
    tpdf_obj(p, 2, "<< /Type /Pages /Kids [3 0 R 4 0 R 5 0 R 6 0 R 7 0 R] /Count 5 >>");
    tpdf_obj(p, 3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>");
    tpdf_obj(p, 4, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Rotate 90 >>");
    tpdf_obj(p, 5, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /CropBox [100 100 400 500] >>");
    tpdf_obj(p, 6, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Rotate 270 >>");
    tpdf_obj(p, 7, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] /UserUnit 2 >>");
    tpdf_xref(p, NULL, -1, NULL);
}

/* n plain A4 pages. */
static void pages_pdf(tpdf *p, int n)
{
    char kids[512] = "";
    tpdf_init(p);
    for (int i = 0; i < n; i++) {
        size_t l = strlen(kids);
        snprintf(kids + l, sizeof(kids) - l, "%d 0 R ", 3 + i);
    }
    tpdf_obj(p, 1, "<< /Type /Catalog /Pages 2 0 R >>");
    tpdf_obj(p, 2, "<< /Type /Pages /Kids [%s] /Count %d >>", kids, n);
    for (int i = 0; i < n; i++)
        tpdf_obj(p, 3 + i, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>");
    tpdf_xref(p, NULL, -1, NULL);
}

typedef struct placing {
    seal_ctx *ctx;
    tpdf pdf;
    pdf_document *doc;
    seal__widget *w;
    int n;
    warnbuf warn;
} placing;

static void start(placing *t, int npages)
{
    memset(t, 0, sizeof(*t));
    ck_assert_int_eq(seal_ctx_new(&t->ctx), SEAL_OK);
    seal_ctx_set_warning_cb(t->ctx, collect_warning, &t->warn);
    if (npages)
        pages_pdf(&t->pdf, npages);
    else
        geometry_pdf(&t->pdf);
    t->doc = tpdf_open(t->ctx->fz, &t->pdf, 0);
}

static void finish(placing *t)
{
    fz_free(t->ctx->fz, t->w);
    pdf_drop_document(t->ctx->fz, t->doc);
    seal_ctx_free(t->ctx);
    tpdf_free(&t->pdf);
}

/* Place pl[0..n) with artwork art; the status, the widgets in t. */
static seal_status place(placing *t, const seal_placement *pl, size_t n, fz_rect art)
{
    fz_context *fz = t->ctx->fz;
    seal__widget *volatile w = NULL;
    volatile int count = 0;
    volatile seal_status st = SEAL_OK;

    fz_free(fz, t->w);
    t->w = NULL;
    t->n = 0;
    memset(&t->warn, 0, sizeof(t->warn));
    seal__reset(t->ctx);
    fz_try(fz) {
        int c = 0;
        w = seal__place(t->ctx, t->doc, pl, n, art, &c);
        count = c;
    }
    fz_catch(fz)
        st = seal__from_fz(t->ctx, SEAL_ERR_INPUT);
    t->w = w;
    t->n = count;
    return st;
}

#define NEAR(a, b) ck_assert_msg(fabs((double)(a) - (double)(b)) < 0.005, "%s = %.4f, not %.4f", #a, (double)(a), (double)(b))
#define RECT(r, X0, Y0, X1, Y1) \
    do {                        \
        NEAR((r).x0, (X0));     \
        NEAR((r).y0, (Y0));     \
        NEAR((r).x1, (X1));     \
        NEAR((r).y1, (Y1));     \
    } while (0)
#define MATRIX(m, A, B, C, D) \
    do {                      \
        NEAR((m).a, (A));     \
        NEAR((m).b, (B));     \
        NEAR((m).c, (C));     \
        NEAR((m).d, (D));     \
        NEAR((m).e, 0);       \
        NEAR((m).f, 0);       \
    } while (0)

static seal_placement at(int page, double x, double y)
{
    seal_placement pl;
    memset(&pl, 0, sizeof(pl));
    pl.kind = SEAL_PLACE_AT;
    pl.page = page;
    pl.x_mm = x;
    pl.y_mm = y;
    return pl;
}

/* The seal's centre 50 mm from the left, 60 mm from the top: display
 * point (141.732, 170.079); a 100 x 50 pt seal covers display
 * [91.732 145.079 191.732 195.079]. */
#define CX (50 * MM)
#define CY (60 * MM)

START_TEST(plain_page)
{
    placing t;
    seal_placement pl = at(1, 50, 60);
    start(&t, 0);
    ck_assert_int_eq(place(&t, &pl, 1, fz_make_rect(0, 0, 100, 50)), SEAL_OK);
    ck_assert_int_eq(t.n, 1);
    ck_assert_int_eq(t.w[0].page, 0);
    ck_assert_int_eq(t.w[0].kind, SEAL_PLACE_AT);
    RECT(t.w[0].shown, CX - 50, CY - 25, CX + 50, CY + 25);
    /* y up from the bottom of an 842 pt page */
    RECT(t.w[0].rect, CX - 50, 842 - CY - 25, CX + 50, 842 - CY + 25);
    RECT(t.w[0].bbox, 0, 0, 100, 50);
    MATRIX(t.w[0].matrix, 1, 0, 0, 1);
    ck_assert_int_eq(t.warn.count, 0);

    seal_placed *p = seal__placed(t.ctx, t.w, t.n, "Sig1");
    ck_assert_str_eq(p[0].field, "Sig1");
    ck_assert_int_eq(p[0].page, 1);
    NEAR(p[0].x_mm, 50);
    NEAR(p[0].y_mm, 60);
    NEAR(p[0].w_mm, 100 / MM);
    NEAR(p[0].h_mm, 50 / MM);
    ck_assert_int_eq(p[0].strip, 0);
    fz_free(t.ctx->fz, p);
    finish(&t);
}
END_TEST

START_TEST(rotated_pages)
{
    placing t;
    seal_placement pl[2] = {at(2, 50, 60), at(4, 50, 60)};
    start(&t, 0);
    ck_assert_int_eq(place(&t, pl, 2, fz_make_rect(0, 0, 100, 50)), SEAL_OK);
    ck_assert_int_eq(t.n, 2);
    /* Rotate 90: display (x, y) is user (y, x); the appearance turns
     * back by 90 degrees */
    ck_assert_int_eq(t.w[0].page, 1);
    RECT(t.w[0].shown, CX - 50, CY - 25, CX + 50, CY + 25);
    RECT(t.w[0].rect, CY - 25, CX - 50, CY + 25, CX + 50);
    MATRIX(t.w[0].matrix, 0, 1, -1, 0);
    /* Rotate 270: display (x, y) is user (595 - y, 842 - x) */
    ck_assert_int_eq(t.w[1].page, 3);
    RECT(t.w[1].rect, 595 - CY - 25, 842 - CX - 50, 595 - CY + 25, 842 - CX + 50);
    MATRIX(t.w[1].matrix, 0, -1, 1, 0);
    ck_assert_int_eq(t.warn.count, 0);
    finish(&t);
}
END_TEST

START_TEST(cropped_and_user_unit)
{
    placing t;
    seal_placement pl[2] = {at(3, 50, 60), at(5, 50, 60)};
    start(&t, 0);
    ck_assert_int_eq(place(&t, pl, 2, fz_make_rect(0, 0, 100, 50)), SEAL_OK);
    ck_assert_int_eq(t.n, 2);
    /* CropBox [100 100 400 500]: display (x, y) is user (100 + x, 500 - y) */
    RECT(t.w[0].rect, 100 + CX - 50, 500 - CY - 25, 100 + CX + 50, 500 - CY + 25);
    MATRIX(t.w[0].matrix, 1, 0, 0, 1);
    /* UserUnit 2: a user unit shows as two points, so the seal keeps its
     * physical size in half the units; display (x, y) is user
     * (x / 2, 100 - y / 2) */
    RECT(t.w[1].rect, (CX - 50) / 2, 100 - (CY + 25) / 2, (CX + 50) / 2, 100 - (CY - 25) / 2);
    RECT(t.w[1].shown, CX - 50, CY - 25, CX + 50, CY + 25);
    ck_assert_int_eq(t.warn.count, 0);
    finish(&t);
}
END_TEST

START_TEST(off_the_page)
{
    placing t;
    seal_placement pl = at(1, 300, 60);
    start(&t, 0);
    ck_assert_int_eq(place(&t, &pl, 1, fz_make_rect(0, 0, 100, 50)), SEAL_ERR_NOT_FOUND);
    ck_assert_str_eq(seal_ctx_message(t.ctx),
                     "--at: seal centre (300.0, 60.0) mm is outside page 1 (209.9 x 297.0 mm as displayed)");
    ck_assert_int_eq(t.n, 0);
    /* the cropped page is 300 x 400 pt as displayed */
    pl = at(3, 110, 60);
    ck_assert_int_eq(place(&t, &pl, 1, fz_make_rect(0, 0, 100, 50)), SEAL_ERR_NOT_FOUND);
    ck_assert_str_eq(seal_ctx_message(t.ctx),
                     "--at: seal centre (110.0, 60.0) mm is outside page 3 (105.8 x 141.1 mm as displayed)");
    pl = at(9, 50, 60);
    ck_assert_int_eq(place(&t, &pl, 1, fz_make_rect(0, 0, 100, 50)), SEAL_ERR_NOT_FOUND);
    ck_assert_str_eq(seal_ctx_message(t.ctx), "page 9 is out of range (the document has 5 pages)");
    /* the centre on the page, the seal partly off it: placed, with a warning */
    pl = at(1, 5, 5);
    ck_assert_int_eq(place(&t, &pl, 1, fz_make_rect(0, 0, 100, 50)), SEAL_OK);
    ck_assert_int_eq(t.n, 1);
    RECT(t.w[0].shown, 5 * MM - 50, 5 * MM - 25, 5 * MM + 50, 5 * MM + 25);
    ck_assert_str_eq(t.warn.text,
                     "page 1: the seal at (5.0, 5.0) mm lies partly off the page (209.9 x 297.0 mm as displayed)\n");
    finish(&t);
}
END_TEST

START_TEST(page_list_and_overlap)
{
    placing t;
    seal_placement pl[2];
    memset(pl, 0, sizeof(pl));
    pl[0].kind = SEAL_PLACE_PAGES;
    pl[0].pages = "3,1";
    pl[0].x_mm = 50;
    pl[0].y_mm = 60;
    pl[1] = at(1, 60, 60);
    start(&t, 0);
    ck_assert_int_eq(place(&t, pl, 2, fz_make_rect(0, 0, 100, 50)), SEAL_OK);
    ck_assert_int_eq(t.n, 3);
    ck_assert_int_eq(t.w[0].page, 2);
    ck_assert_int_eq(t.w[1].page, 0);
    ck_assert_int_eq(t.w[2].page, 0);
    ck_assert_int_eq(t.w[0].source, 0);
    ck_assert_int_eq(t.w[2].source, 1);
    ck_assert_int_eq(t.w[0].kind, SEAL_PLACE_PAGES);
    /* the --at seal 10 mm to the right covers the first page's seal */
    ck_assert_str_eq(t.warn.text,
                     "page 1: the seal at (60.0, 60.0) mm overlaps another seal of this signature, at (50.0, 60.0) mm\n");
    finish(&t);
}
END_TEST

static seal_placement cross(const char *pages, seal_edge edge, int group, double y)
{
    seal_placement pl;
    memset(&pl, 0, sizeof(pl));
    pl.kind = SEAL_PLACE_CROSS_PAGE;
    pl.pages = pages;
    pl.edge = edge;
    pl.group = group;
    pl.y_mm = y;
    return pl;
}

START_TEST(cross_page_strips)
{
    placing t;
    seal_placement pl = cross("1-3", SEAL_EDGE_RIGHT, 0, 0);
    start(&t, 3);
    /* a 90 pt seal over three pages: 30 pt strips at the right edge,
     * centred on the page's height (421 pt) */
    ck_assert_int_eq(place(&t, &pl, 1, fz_make_rect(0, 0, 90, 90)), SEAL_OK);
    ck_assert_int_eq(t.n, 3);
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(t.w[i].page, i);
        RECT(t.w[i].shown, 565, 376, 595, 466);
        RECT(t.w[i].rect, 565, 376, 595, 466);
        RECT(t.w[i].bbox, 30 * i, 0, 30 * (i + 1), 90);
        ck_assert_int_eq(t.w[i].strip, i + 1);
        ck_assert_int_eq(t.w[i].group, 1);
        ck_assert_int_eq(t.w[i].groups, 1);
        ck_assert_int_eq(t.w[i].group_pages, 3);
    }
    /* at the left edge the first page shows the rightmost strip; 50 mm
     * from the top */
    pl = cross(NULL, SEAL_EDGE_LEFT, 0, 50);
    ck_assert_int_eq(place(&t, &pl, 1, fz_make_rect(0, 0, 90, 90)), SEAL_OK);
    ck_assert_int_eq(t.n, 3);
    RECT(t.w[0].shown, 0, 50 * MM - 45, 30, 50 * MM + 45);
    RECT(t.w[0].rect, 0, 842 - 50 * MM - 45, 30, 842 - 50 * MM + 45);
    RECT(t.w[0].bbox, 60, 0, 90, 90);
    ck_assert_int_eq(t.w[0].strip, 3);
    RECT(t.w[2].bbox, 0, 0, 30, 90);
    ck_assert_int_eq(t.w[2].strip, 1);
    ck_assert_int_eq(t.warn.count, 0);
    /* groups of two: pages 1-2 and page 3 alone, which shows it whole */
    pl = cross(NULL, SEAL_EDGE_RIGHT, 2, 0);
    ck_assert_int_eq(place(&t, &pl, 1, fz_make_rect(0, 0, 90, 90)), SEAL_OK);
    ck_assert_int_eq(t.n, 3);
    RECT(t.w[1].bbox, 45, 0, 90, 90);
    ck_assert_int_eq(t.w[1].group, 1);
    ck_assert_int_eq(t.w[1].group_pages, 2);
    RECT(t.w[2].bbox, 0, 0, 90, 90);
    RECT(t.w[2].shown, 505, 376, 595, 466);
    ck_assert_int_eq(t.w[2].group, 2);
    ck_assert_int_eq(t.w[2].groups, 2);
    ck_assert_int_eq(t.w[2].group_pages, 1);
    finish(&t);
}
END_TEST

START_TEST(cross_page_thin_strips)
{
    placing t;
    seal_placement pl = cross(NULL, SEAL_EDGE_RIGHT, 0, 0);
    start(&t, 10);
    /* 100 pt (35.3 mm) over 10 pages: 3.53 mm strips, too thin */
    ck_assert_int_eq(place(&t, &pl, 1, fz_make_rect(0, 0, 100, 100)), SEAL_OK);
    ck_assert_int_eq(t.n, 10);
    ck_assert_str_eq(t.warn.text, "--cross-page: 10 pages per 35.3 mm seal give strips of 3.53 mm, too thin to "
                                  "see; use --group 8 (strips 4.41 mm) or --group auto\n");
    /* auto: two groups of five */
    pl = cross(NULL, SEAL_EDGE_RIGHT, SEAL_GROUP_AUTO, 0);
    ck_assert_int_eq(place(&t, &pl, 1, fz_make_rect(0, 0, 100, 100)), SEAL_OK);
    ck_assert_int_eq(t.n, 10);
    ck_assert_int_eq(t.warn.count, 0);
    ck_assert_int_eq(t.w[4].groups, 2);
    ck_assert_int_eq(t.w[4].group_pages, 5);
    ck_assert_int_eq(t.w[5].group, 2);
    ck_assert_int_eq(t.w[5].strip, 1);
    RECT(t.w[5].bbox, 0, 0, 20, 100);
    /* a seal too wide for even two pages */
    ck_assert_int_eq(place(&t, &pl, 1, fz_make_rect(0, 0, 20, 20)), SEAL_OK);
    ck_assert_str_eq(t.warn.text, "--cross-page: a 7.1 mm seal gives strips of 3.53 mm, too thin to see, even over 2 pages\n");
    ck_assert_int_eq(t.w[0].groups, 5);
    finish(&t);
}
END_TEST

START_TEST(cross_page_refusals)
{
    placing t;
    seal_placement pl = cross("2", SEAL_EDGE_RIGHT, 0, 0);
    start(&t, 3);
    ck_assert_int_eq(place(&t, &pl, 1, fz_make_rect(0, 0, 90, 90)), SEAL_ERR_NOT_FOUND);
    ck_assert_str_eq(seal_ctx_message(t.ctx), "a cross-page seal needs at least two pages");
    pl = cross(NULL, SEAL_EDGE_RIGHT, -5, 0);
    ck_assert_int_eq(place(&t, &pl, 1, fz_make_rect(0, 0, 90, 90)), SEAL_ERR_ARGS);
    ck_assert_str_eq(seal_ctx_message(t.ctx), "--group must be 1 or more, or auto");
    pl = cross(NULL, SEAL_EDGE_RIGHT, 0, 400);
    ck_assert_int_eq(place(&t, &pl, 1, fz_make_rect(0, 0, 90, 90)), SEAL_ERR_NOT_FOUND);
    ck_assert_str_eq(seal_ctx_message(t.ctx), "--cross-page: the seal centre at height 400.0 mm is outside page 1 "
                                              "(297.0 mm high as displayed)");
    /* 5 mm from the top: the seal's upper half is off every page */
    pl = cross(NULL, SEAL_EDGE_RIGHT, 0, 5);
    ck_assert_int_eq(place(&t, &pl, 1, fz_make_rect(0, 0, 90, 90)), SEAL_OK);
    ck_assert_str_eq(t.warn.text, "--cross-page: the seal at height 5.0 mm lies partly off 3 pages (the first is page 1)\n");
    finish(&t);
}
END_TEST

Suite *suite_place(void);
Suite *suite_place(void)
{
    Suite *s = suite_create("place");
    TCase *tc = tcase_create("geometry");
    tcase_add_test(tc, plain_page);
    tcase_add_test(tc, rotated_pages);
    tcase_add_test(tc, cropped_and_user_unit);
    tcase_add_test(tc, off_the_page);
    tcase_add_test(tc, page_list_and_overlap);
    tcase_add_test(tc, cross_page_strips);
    tcase_add_test(tc, cross_page_thin_strips);
    tcase_add_test(tc, cross_page_refusals);
    suite_add_tcase(s, tc);
    return s;
}
