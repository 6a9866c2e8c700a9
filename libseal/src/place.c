/*
 * Placement: where seals go. Coordinates, page lists, keyword hits,
 * cross-page slices and existing signature fields become widgets with a
 * rectangle in PDF user space and an appearance that shows the artwork at
 * its physical size, upright as the page is displayed.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "pdfint.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MM_TO_PT (72.0 / 25.4)
#define MAX_WIDGETS 10000
#define MAX_HITS 512

/* The page as displayed: user space to display points (y down, rotation
 * and CropBox applied, UserUnit honoured), its displayed box, rotation. */
typedef struct page_geom {
    fz_matrix ctm;
    fz_rect shown;
    int rotate;
    float unit;
} page_geom;

static page_geom geometry(fz_context *fz, pdf_obj *page)
{
    page_geom g;
    fz_rect mediabox;
    float unit = pdf_dict_get_real(fz, page, PDF_NAME(UserUnit));
    int rotate = pdf_to_int(fz, pdf_dict_get_inheritable(fz, page, PDF_NAME(Rotate)));

    rotate = ((rotate % 360) + 360) % 360;
    g.rotate = rotate - rotate % 90;
    g.unit = unit > 0 ? unit : 1;
    pdf_page_obj_transform(fz, page, &mediabox, &g.ctm);
    /* Some MuPDF versions put UserUnit into the page transform; add it
     * when the transform does not carry it. */
    if (fabsf(g.unit - 1) > 1e-4f &&
        fabsf(sqrtf(fabsf(g.ctm.a * g.ctm.d - g.ctm.b * g.ctm.c)) - g.unit) > 1e-3f * g.unit)
        g.ctm = fz_pre_scale(g.ctm, g.unit, g.unit);
    g.shown = fz_transform_rect(mediabox, g.ctm);
    return g;
}

int *seal__parse_pages(seal_ctx *ctx, const char *spec, int npages, int *count)
{
    fz_context *fz = ctx->fz;
    int *pages = NULL, n = 0;
    char *seen = NULL;
    const char *p = spec ? spec : "all";

    fz_var(pages);
    fz_var(seen);
    fz_try(fz) {
        pages = fz_malloc_array(fz, npages > 0 ? npages : 1, int);
        seen = fz_calloc(fz, (size_t)npages + 1, 1);
        while (*p) {
            int a, b;
            char *end;
            while (*p == ' ')
                p++;
            if (!strncmp(p, "all", 3)) {
                a = 1;
                b = npages;
                p += 3;
            } else {
                if (!strncmp(p, "last", 4)) {
                    a = npages;
                    p += 4;
                } else {
                    a = (int)strtol(p, &end, 10);
                    if (end == p)
                        seal__throw(ctx, SEAL_ERR_ARGS, "bad page list '%s' (e.g. 1-3,5,last)", spec);
                    p = end;
                }
                b = a;
                if (*p == '-') {
                    p++;
                    if (!strncmp(p, "last", 4)) {
                        b = npages;
                        p += 4;
                    } else {
                        b = (int)strtol(p, &end, 10);
                        if (end == p)
                            seal__throw(ctx, SEAL_ERR_ARGS, "bad page list '%s' (e.g. 1-3,5,last)", spec);
                        p = end;
                    }
                }
            }
            while (*p == ' ')
                p++;
            if (*p == ',')
                p++;
            else if (*p)
                seal__throw(ctx, SEAL_ERR_ARGS, "bad page list '%s' (e.g. 1-3,5,last)", spec);
            if (a < 1 || b < 1 || a > npages || b > npages)
                seal__throw(ctx, SEAL_ERR_NOT_FOUND,
                            "page list '%s' names a page out of range (the document has %d page%s)",
                            spec, npages, npages == 1 ? "" : "s");
            if (a > b)
                seal__throw(ctx, SEAL_ERR_ARGS, "bad page range %d-%d in '%s'", a, b, spec);
            for (int i = a; i <= b; i++)
                if (!seen[i]) {
                    seen[i] = 1;
                    pages[n++] = i - 1;
                }
        }
        if (n == 0)
            seal__throw(ctx, SEAL_ERR_ARGS, "empty page list '%s'", spec ? spec : "");
    }
    fz_always(fz)
        fz_free(fz, seen);
    fz_catch(fz) {
        fz_free(fz, pages);
        fz_rethrow(fz);
    }
    *count = n;
    return pages;
}

typedef struct widget_list {
    seal__widget *w;
    int n, cap;
} widget_list;

static seal__widget *push(seal_ctx *ctx, widget_list *l)
{
    fz_context *fz = ctx->fz;
    if (l->n >= MAX_WIDGETS)
        seal__throw(ctx, SEAL_ERR_ARGS, "more than %d seals in one signature", MAX_WIDGETS);
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->w = fz_realloc_array(fz, l->w, l->cap, seal__widget);
    }
    memset(&l->w[l->n], 0, sizeof(l->w[0]));
    l->w[l->n].matrix = fz_identity;
    l->w[l->n].content = fz_identity;
    return &l->w[l->n++];
}

/* A whole seal centred at display point c (points) on page index pg. */
static void place_whole(seal_ctx *ctx, pdf_document *doc, widget_list *l, int pg, fz_point c,
                        fz_rect art, const char *what)
{
    fz_context *fz = ctx->fz;
    pdf_obj *page = pdf_lookup_page_obj(fz, doc, pg);
    page_geom g = geometry(fz, page);
    float w = art.x1 - art.x0, h = art.y1 - art.y0;

    if (c.x < g.shown.x0 || c.x > g.shown.x1 || c.y < g.shown.y0 || c.y > g.shown.y1)
        seal__throw(ctx, SEAL_ERR_NOT_FOUND,
                    "%s: seal centre (%.1f, %.1f) mm is outside page %d (%.1f x %.1f mm as displayed)",
                    what, c.x / MM_TO_PT, c.y / MM_TO_PT, pg + 1, (g.shown.x1 - g.shown.x0) / MM_TO_PT,
                    (g.shown.y1 - g.shown.y0) / MM_TO_PT);
    seal__widget *wd = push(ctx, l);
    wd->page = pg;
    wd->pageobj = page;
    wd->bbox = art;
    /* The page turns its annotations with it; turn the appearance back so
     * the seal stands upright as displayed. */
    wd->matrix = fz_rotate((float)g.rotate);
    wd->rect = fz_transform_rect(fz_make_rect(c.x - w / 2, c.y - h / 2, c.x + w / 2, c.y + h / 2),
                                 fz_invert_matrix(g.ctm));
}

static void place_at(seal_ctx *ctx, pdf_document *doc, widget_list *l, const seal_placement *pl,
                     fz_rect art)
{
    int npages = pdf_count_pages(ctx->fz, doc);
    if (pl->page < 1 || pl->page > npages)
        seal__throw(ctx, SEAL_ERR_NOT_FOUND, "page %d is out of range (the document has %d page%s)",
                    pl->page, npages, npages == 1 ? "" : "s");
    place_whole(ctx, doc, l, pl->page - 1,
                fz_make_point((float)(pl->x_mm * MM_TO_PT), (float)(pl->y_mm * MM_TO_PT)), art, "--at");
}

static void place_pages(seal_ctx *ctx, pdf_document *doc, widget_list *l, const seal_placement *pl,
                        fz_rect art)
{
    fz_context *fz = ctx->fz;
    int n = 0, *pages = seal__parse_pages(ctx, pl->pages, pdf_count_pages(fz, doc), &n);
    fz_try(fz) {
        for (int i = 0; i < n; i++)
            place_whole(ctx, doc, l, pages[i],
                        fz_make_point((float)(pl->x_mm * MM_TO_PT), (float)(pl->y_mm * MM_TO_PT)), art,
                        "--pages");
    }
    fz_always(fz)
        fz_free(fz, pages);
    fz_catch(fz)
        fz_rethrow(fz);
}

/* Keyword hits through MuPDF's structured text: CJK, full-width
 * punctuation, text split across spans and lines. */
static void place_keyword(seal_ctx *ctx, pdf_document *doc, widget_list *l, const seal_placement *pl,
                          fz_rect art)
{
    fz_context *fz = ctx->fz;
    int npages = pdf_count_pages(fz, doc), n = 0, *pages = NULL;
    fz_page *volatile page = NULL;
    fz_stext_page *volatile text = NULL;
    fz_quad *quads = NULL;
    int *marks = NULL;
    volatile int found = 0;

    if (!pl->keyword || !*pl->keyword)
        seal__throw(ctx, SEAL_ERR_ARGS, "empty keyword");
    if (pl->nth < 0)
        seal__throw(ctx, SEAL_ERR_ARGS, "--nth must be 1 or more");
    pages = seal__parse_pages(ctx, pl->pages, npages, &n);
    fz_var(quads);
    fz_var(marks);
    fz_try(fz) {
        quads = fz_malloc_array(fz, MAX_HITS, fz_quad);
        marks = fz_malloc_array(fz, MAX_HITS, int);
        for (int i = 0; i < n && (pl->nth == SEAL_NTH_ALL || found < pl->nth); i++) {
            fz_stext_options opts = {0};
            page = fz_load_page(fz, (fz_document *)doc, pages[i]);
            text = fz_new_stext_page_from_page(fz, page, &opts);
            int nq = fz_search_stext_page(fz, text, pl->keyword, marks, quads, MAX_HITS);
            fz_drop_stext_page(fz, text);
            text = NULL;
            fz_drop_page(fz, page);
            page = NULL;
            /* A hit spanning lines has several quads; marks[k] starts a hit. */
            for (int k = 0; k < nq; k++) {
                if (k > 0 && !marks[k])
                    continue;
                fz_rect box = fz_rect_from_quad(quads[k]);
                for (int j = k + 1; j < nq && !marks[j]; j++)
                    box = fz_union_rect(box, fz_rect_from_quad(quads[j]));
                found++;
                if (pl->nth != SEAL_NTH_ALL && found != pl->nth)
                    continue;
                fz_point c = fz_make_point((box.x0 + box.x1) / 2 + (float)(pl->dx_mm * MM_TO_PT),
                                           (box.y0 + box.y1) / 2 + (float)(pl->dy_mm * MM_TO_PT));
                place_whole(ctx, doc, l, pages[i], c, art, "--keyword");
                if (pl->nth != SEAL_NTH_ALL)
                    break;
            }
        }
        if (found == 0 || (pl->nth != SEAL_NTH_ALL && found < pl->nth)) {
            if (found == 0)
                seal__throw(ctx, SEAL_ERR_NOT_FOUND, "keyword '%s' not found on page%s %s", pl->keyword,
                            n == 1 ? "" : "s", pl->pages ? pl->pages : "1-last");
            seal__throw(ctx, SEAL_ERR_NOT_FOUND,
                        "keyword '%s' found %d time%s on page%s %s, not the %d%s asked for",
                        pl->keyword, found, found == 1 ? "" : "s", n == 1 ? "" : "s",
                        pl->pages ? pl->pages : "1-last", pl->nth,
                        pl->nth == 1 ? "st" : pl->nth == 2 ? "nd" : pl->nth == 3 ? "rd" : "th");
        }
    }
    fz_always(fz) {
        fz_drop_stext_page(fz, text);
        fz_drop_page(fz, page);
        fz_free(fz, quads);
        fz_free(fz, marks);
        fz_free(fz, pages);
    }
    fz_catch(fz)
        fz_rethrow(fz);
}

/* 骑缝章: slice i of a group of N pages shows the i-th of N vertical strips
 * of the seal at the page edge, so the fanned pages show the whole seal. */
static void place_cross(seal_ctx *ctx, pdf_document *doc, widget_list *l, const seal_placement *pl,
                        fz_rect art)
{
    fz_context *fz = ctx->fz;
    int n = 0, *pages = seal__parse_pages(ctx, pl->pages, pdf_count_pages(fz, doc), &n);
    int group = pl->group > 0 ? pl->group : n;
    float w = art.x1 - art.x0, h = art.y1 - art.y0;

    fz_try(fz) {
        if (pl->group < 0)
            seal__throw(ctx, SEAL_ERR_ARGS, "--group must be 1 or more");
        if (n < 2)
            seal__throw(ctx, SEAL_ERR_NOT_FOUND, "a cross-page seal needs at least two pages");
        for (int start = 0; start < n; start += group) {
            int count = n - start < group ? n - start : group;
            for (int i = 0; i < count; i++) {
                int pg = pages[start + i];
                pdf_obj *page = pdf_lookup_page_obj(fz, doc, pg);
                page_geom g = geometry(fz, page);
                /* Strip k of `count`, from the left; on the left edge the
                 * first page shows the rightmost strip. */
                int k = pl->edge == SEAL_EDGE_LEFT ? count - 1 - i : i;
                float sw = w / (float)count;
                float cy = pl->y_mm > 0 ? (float)(pl->y_mm * MM_TO_PT) : (g.shown.y0 + g.shown.y1) / 2;
                if (cy - h / 2 < g.shown.y0 || cy + h / 2 > g.shown.y1)
                    seal__throw(ctx, SEAL_ERR_NOT_FOUND,
                                "--cross-page: the seal at height %.1f mm does not fit on page %d",
                                cy / MM_TO_PT, pg + 1);
                fz_rect disp = pl->edge == SEAL_EDGE_LEFT
                                   ? fz_make_rect(g.shown.x0, cy - h / 2, g.shown.x0 + sw, cy + h / 2)
                                   : fz_make_rect(g.shown.x1 - sw, cy - h / 2, g.shown.x1, cy + h / 2);
                seal__widget *wd = push(ctx, l);
                wd->page = pg;
                wd->pageobj = page;
                wd->bbox = fz_make_rect(art.x0 + sw * (float)k, art.y0, art.x0 + sw * (float)(k + 1),
                                        art.y1);
                wd->matrix = fz_rotate((float)g.rotate);
                wd->rect = fz_transform_rect(disp, fz_invert_matrix(g.ctm));
            }
        }
    }
    fz_always(fz)
        fz_free(fz, pages);
    fz_catch(fz)
        fz_rethrow(fz);
}

typedef struct field_find {
    const char *name;
    pdf_obj *field;
} field_find;

static void find_field(seal_ctx *ctx, pdf_obj *field, const char *name, void *user)
{
    field_find *f = user;
    (void)ctx;
    if (!f->field && !strcmp(name, f->name))
        f->field = field;
}

/* An existing empty signature field: its widget keeps its /Rect; the seal is
 * drawn at physical size centred in it. */
static void place_field(seal_ctx *ctx, pdf_document *doc, widget_list *l, const seal_placement *pl,
                        fz_rect art)
{
    fz_context *fz = ctx->fz;
    field_find f = {pl->field, NULL};
    pdf_obj *widget, *kids, *page;

    if (!pl->field || !*pl->field)
        seal__throw(ctx, SEAL_ERR_ARGS, "empty field name");
    seal__pdf_each_field(ctx, doc, find_field, &f);
    if (!f.field)
        seal__throw(ctx, SEAL_ERR_NOT_FOUND, "no field named '%s' in the document", pl->field);
    if (!pdf_name_eq(fz, pdf_dict_get_inheritable(fz, f.field, PDF_NAME(FT)), PDF_NAME(Sig)))
        seal__throw(ctx, SEAL_ERR_NOT_FOUND, "field '%s' is not a signature field", pl->field);
    if (pdf_dict_get(fz, f.field, PDF_NAME(V)))
        seal__throw(ctx, SEAL_ERR_REFUSED, "field '%s' is already signed", pl->field);
    for (int i = 0; i < l->n; i++)
        if (l->w[i].field == f.field)
            seal__throw(ctx, SEAL_ERR_ARGS, "field '%s' is named twice", pl->field);
    kids = pdf_dict_get(fz, f.field, PDF_NAME(Kids));
    widget = pdf_array_len(fz, kids) > 0 ? pdf_array_get(fz, kids, 0) : f.field;
    page = pdf_dict_get(fz, widget, PDF_NAME(P));
    int pg = seal__pdf_page_number(ctx, doc, page) - 1;
    if (pg < 0) {
        /* /P is optional: find the page whose /Annots holds the widget. */
        int npages = pdf_count_pages(fz, doc);
        for (int i = 0; i < npages && pg < 0; i++) {
            pdf_obj *annots = pdf_dict_get(fz, pdf_lookup_page_obj(fz, doc, i), PDF_NAME(Annots));
            for (int k = 0; k < pdf_array_len(fz, annots) && k < 100000; k++)
                if (!pdf_objcmp(fz, pdf_array_get(fz, annots, k), widget))
                    pg = i;
        }
    }
    if (pg < 0)
        seal__throw(ctx, SEAL_ERR_NOT_FOUND, "field '%s' is on no page", pl->field);
    page = pdf_lookup_page_obj(fz, doc, pg);
    page_geom g = geometry(fz, page);
    fz_rect r = pdf_dict_get_rect(fz, widget, PDF_NAME(Rect));
    if (fz_is_empty_rect(r))
        seal__throw(ctx, SEAL_ERR_NOT_FOUND, "field '%s' has no area to show a seal", pl->field);
    /* The field's box as displayed, in points; the appearance's BBox has
     * that size so nothing is scaled, and the artwork is centred in it. */
    fz_rect disp = fz_transform_rect(r, g.ctm);
    float bw = disp.x1 - disp.x0, bh = disp.y1 - disp.y0;
    seal__widget *wd = push(ctx, l);
    wd->page = pg;
    wd->pageobj = page;
    wd->rect = r;
    wd->field = f.field;
    wd->widget = widget;
    wd->bbox = fz_make_rect(0, 0, bw, bh);
    wd->content = fz_translate((bw - (art.x1 - art.x0)) / 2 - art.x0, (bh - (art.y1 - art.y0)) / 2 - art.y0);
    wd->matrix = fz_rotate((float)g.rotate);
}

seal__widget *seal__place(seal_ctx *ctx, pdf_document *doc, const seal_placement *pl, size_t n,
                          fz_rect art, int *count)
{
    fz_context *fz = ctx->fz;
    widget_list l = {0};

    fz_try(fz) {
        for (size_t i = 0; i < n; i++) {
            switch (pl[i].kind) {
            case SEAL_PLACE_AT: place_at(ctx, doc, &l, &pl[i], art); break;
            case SEAL_PLACE_PAGES: place_pages(ctx, doc, &l, &pl[i], art); break;
            case SEAL_PLACE_KEYWORD: place_keyword(ctx, doc, &l, &pl[i], art); break;
            case SEAL_PLACE_CROSS_PAGE: place_cross(ctx, doc, &l, &pl[i], art); break;
            case SEAL_PLACE_FIELD: place_field(ctx, doc, &l, &pl[i], art); break;
            default: seal__throw(ctx, SEAL_ERR_ARGS, "unknown placement kind %d", (int)pl[i].kind);
            }
        }
    }
    fz_catch(fz) {
        fz_free(fz, l.w);
        fz_rethrow(fz);
    }
    *count = l.n;
    return l.w;
}
