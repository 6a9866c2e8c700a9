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

/* Whether a is within b, to a hundredth of a point. */
static int inside(fz_rect a, fz_rect b)
{
    return a.x0 >= b.x0 - 0.01f && a.y0 >= b.y0 - 0.01f && a.x1 <= b.x1 + 0.01f && a.y1 <= b.y1 + 0.01f;
}

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

    fz_rect shown = fz_make_rect(c.x - w / 2, c.y - h / 2, c.x + w / 2, c.y + h / 2);

    if (!isfinite(c.x) || !isfinite(c.y))
        seal__throw(ctx, SEAL_ERR_ARGS, "%s: the seal's position is not a finite number", what);
    if (c.x < g.shown.x0 || c.x > g.shown.x1 || c.y < g.shown.y0 || c.y > g.shown.y1)
        seal__throw(ctx, SEAL_ERR_NOT_FOUND,
                    "%s: seal centre (%.1f, %.1f) mm is outside page %d (%.1f x %.1f mm as displayed)",
                    what, c.x / MM_TO_PT, c.y / MM_TO_PT, pg + 1,
                    (g.shown.x1 - g.shown.x0) / MM_TO_PT, (g.shown.y1 - g.shown.y0) / MM_TO_PT);
    if (!inside(shown, g.shown))
        seal__warn(ctx, "page %d: the seal at (%.1f, %.1f) mm lies partly off the page "
                        "(%.1f x %.1f mm as displayed)",
                   pg + 1, c.x / MM_TO_PT, c.y / MM_TO_PT,
                   (g.shown.x1 - g.shown.x0) / MM_TO_PT, (g.shown.y1 - g.shown.y0) / MM_TO_PT);
    seal__widget *wd = push(ctx, l);
    wd->page = pg;
    wd->pageobj = page;
    wd->bbox = art;
    /* The page turns its annotations with it; turn the appearance back so
     * the seal stands upright as displayed. */
    wd->matrix = fz_rotate((float)g.rotate);
    wd->rect = fz_transform_rect(shown, fz_invert_matrix(g.ctm));
    wd->shown = shown;
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

/* A page's text as one run of characters in reading order: lowercased,
 * white space as ' ', none at the start or end of a line, each character
 * with its line and box. */
typedef struct text_char {
    int c, line;
    fz_rect box;
} text_char;

static int fold(int c)
{
    return c == '\t' || c == '\n' || c == '\r' || c == 0xa0 || c == 0x3000 ? ' ' : fz_tolower(c);
}

static text_char *page_chars(fz_context *fz, fz_stext_page *text, int *count)
{
    fz_stext_block *b;
    fz_stext_line *ln;
    fz_stext_char *ch;
    int n = 0, line = 0;
    text_char *t;

    for (b = text->first_block; b; b = b->next)
        if (b->type == FZ_STEXT_BLOCK_TEXT)
            for (ln = b->u.t.first_line; ln; ln = ln->next)
                for (ch = ln->first_char; ch; ch = ch->next)
                    n++;
    t = fz_malloc_array(fz, n > 0 ? n : 1, text_char);
    n = 0;
    for (b = text->first_block; b; b = b->next) {
        if (b->type != FZ_STEXT_BLOCK_TEXT)
            continue;
        for (ln = b->u.t.first_line; ln; ln = ln->next, line++) {
            int start = n;
            for (ch = ln->first_char; ch; ch = ch->next) {
                int c = fold(ch->c);
                if (c == ' ' && (n == start || t[n - 1].c == ' '))
                    continue;
                t[n].c = c;
                t[n].line = line;
                t[n].box = fz_rect_from_quad(ch->quad);
                n++;
            }
            if (n > start && t[n - 1].c == ' ')
                n--;
        }
    }
    *count = n;
    return t;
}

/* The keyword as folded code points, runs of white space as one ' ', none
 * at either end; returns the count (0 for an empty keyword). */
static int keyword_runes(fz_context *fz, const char *kw, int **out)
{
    int n = 0, c;
    int *k = fz_malloc_array(fz, (int)strlen(kw) + 1, int);
    while (*kw) {
        kw += fz_chartorune(&c, kw);
        c = fold(c);
        if (c != ' ' || (n > 0 && k[n - 1] != ' '))
            k[n++] = c;
    }
    if (n > 0 && k[n - 1] == ' ')
        n--;
    *out = k;
    return n;
}

/* The end of a hit of k[0..nk) starting at t[i], or -1. A space in the
 * keyword matches spaces or a line break; a line break within the keyword
 * is passed over, so 投标人 ending one line and （盖章） starting the next
 * read as 投标人（盖章）. */
static int match_at(const text_char *t, int n, int i, const int *k, int nk)
{
    int p = i;
    for (int j = 0; j < nk; j++) {
        if (k[j] == ' ') {
            if (p >= n || (t[p].c != ' ' && (p == i || t[p].line == t[p - 1].line)))
                return -1;
            while (p < n && t[p].c == ' ')
                p++;
            continue;
        }
        if (p >= n || t[p].c != k[j])
            return -1;
        p++;
    }
    return p;
}

/* Keyword hits through MuPDF's structured text: CJK, full-width
 * punctuation, text split across spans and lines. A hit is anchored on its
 * part on its first line. */
static void place_keyword(seal_ctx *ctx, pdf_document *doc, widget_list *l, const seal_placement *pl,
                          fz_rect art)
{
    fz_context *fz = ctx->fz;
    int npages = pdf_count_pages(fz, doc), n = 0, nk = 0, *pages = NULL;
    fz_page *volatile page = NULL;
    fz_stext_page *volatile text = NULL;
    text_char *volatile chars = NULL;
    int *kw = NULL;
    volatile int found = 0;

    if (!pl->keyword || !*pl->keyword)
        seal__throw(ctx, SEAL_ERR_ARGS, "empty keyword");
    if (pl->nth < 0)
        seal__throw(ctx, SEAL_ERR_ARGS, "--nth must be 1 or more");
    if (!isfinite(pl->dx_mm) || !isfinite(pl->dy_mm))
        seal__throw(ctx, SEAL_ERR_ARGS, "--offset: not a finite number");
    pages = seal__parse_pages(ctx, pl->pages, npages, &n);
    fz_var(kw);
    fz_try(fz) {
        nk = keyword_runes(fz, pl->keyword, &kw);
        if (nk == 0)
            seal__throw(ctx, SEAL_ERR_ARGS, "empty keyword");
        for (int i = 0; i < n && (pl->nth == SEAL_NTH_ALL || found < pl->nth); i++) {
            fz_stext_options opts = {0};
            int nc = 0;
            page = fz_load_page(fz, (fz_document *)doc, pages[i]);
            text = fz_new_stext_page_from_page(fz, page, &opts);
            chars = page_chars(fz, text, &nc);
            fz_drop_stext_page(fz, text);
            text = NULL;
            fz_drop_page(fz, page);
            page = NULL;
            for (int k = 0; k < nc; k++) {
                int end = match_at(chars, nc, k, kw, nk);
                if (end < 0)
                    continue;
                fz_rect box = chars[k].box;
                for (int j = k + 1; j < end && chars[j].line == chars[k].line; j++)
                    box = fz_union_rect(box, chars[j].box);
                k = end - 1;
                found++;
                if (pl->nth != SEAL_NTH_ALL && found != pl->nth)
                    continue;
                fz_point c = fz_make_point((box.x0 + box.x1) / 2 + (float)(pl->dx_mm * MM_TO_PT),
                                           (box.y0 + box.y1) / 2 + (float)(pl->dy_mm * MM_TO_PT));
                place_whole(ctx, doc, l, pages[i], c, art, "--keyword");
                if (pl->nth != SEAL_NTH_ALL)
                    break;
            }
            fz_free(fz, chars);
            chars = NULL;
        }
        if (found == 0 || (pl->nth != SEAL_NTH_ALL && found < pl->nth)) {
            const char *where = pl->pages ? pl->pages : n == 1 ? "1" : "1-last";
            if (found == 0)
                seal__throw(ctx, SEAL_ERR_NOT_FOUND, "keyword '%s' not found on page%s %s", pl->keyword,
                            n == 1 ? "" : "s", where);
            seal__throw(ctx, SEAL_ERR_NOT_FOUND,
                        "keyword '%s' found %d time%s on page%s %s, not the %d%s asked for",
                        pl->keyword, found, found == 1 ? "" : "s", n == 1 ? "" : "s", where, pl->nth,
                        pl->nth == 1 ? "st" : pl->nth == 2 ? "nd" : pl->nth == 3 ? "rd" : "th");
        }
    }
    fz_always(fz) {
        fz_drop_stext_page(fz, text);
        fz_drop_page(fz, page);
        fz_free(fz, chars);
        fz_free(fz, kw);
        fz_free(fz, pages);
    }
    fz_catch(fz)
        fz_rethrow(fz);
}

/* Cross-page groups: sizes[g] pages in group g. A fixed --group K gives
 * groups of K and the rest; SEAL_GROUP_AUTO as few near-equal groups as
 * keep slices SEAL_MIN_STRIP_MM wide (at least two pages each). Slices
 * still too thin get a warning naming a group size that avoids them. */
static int *cross_groups(seal_ctx *ctx, int n, int group, float w, int *ngroups)
{
    fz_context *fz = ctx->fz;
    double w_mm = w / MM_TO_PT;
    int fit = (int)floor(w_mm / SEAL_MIN_STRIP_MM + 1e-9), k, g, largest;
    int *sizes;

    if (group == SEAL_GROUP_AUTO) {
        k = fit < 2 ? 2 : fit;
        g = (n + k - 1) / k;
        sizes = fz_malloc_array(fz, g, int);
        for (int i = 0; i < g; i++)
            sizes[i] = n / g + (i < n % g);
    } else {
        k = group > 0 && group < n ? group : n;
        g = (n + k - 1) / k;
        sizes = fz_malloc_array(fz, g, int);
        for (int i = 0; i < g; i++)
            sizes[i] = n - i * k < k ? n - i * k : k;
    }
    largest = sizes[0];
    if (w_mm / largest < SEAL_MIN_STRIP_MM - 1e-9) {
        if (fit >= 2)
            seal__warn(ctx, "--cross-page: %d pages per %.1f mm seal give strips of %.3g mm, too thin "
                            "to see; use --group %d (strips %.3g mm) or --group auto",
                       largest, w_mm, w_mm / largest, fit, w_mm / fit);
        else
            seal__warn(ctx, "--cross-page: a %.1f mm seal gives strips of %.3g mm, too thin to see, "
                            "even over 2 pages",
                       w_mm, w_mm / largest);
    }
    *ngroups = g;
    return sizes;
}

/* 骑缝章: slice i of a group of N pages shows the i-th of N vertical strips
 * of the seal at the page edge, so the fanned pages show the whole seal. */
static void place_cross(seal_ctx *ctx, pdf_document *doc, widget_list *l, const seal_placement *pl,
                        fz_rect art)
{
    fz_context *fz = ctx->fz;
    int n = 0, *pages = seal__parse_pages(ctx, pl->pages, pdf_count_pages(fz, doc), &n);
    int *volatile sizes = NULL, ngroups = 0, off = 0, first_off = 0;
    float w = art.x1 - art.x0, h = art.y1 - art.y0, first_cy = 0;

    fz_try(fz) {
        if (pl->group < 0 && pl->group != SEAL_GROUP_AUTO)
            seal__throw(ctx, SEAL_ERR_ARGS, "--group must be 1 or more, or auto");
        if (!isfinite(pl->y_mm))
            seal__throw(ctx, SEAL_ERR_ARGS, "--y: not a finite number");
        if (n < 2)
            seal__throw(ctx, SEAL_ERR_NOT_FOUND, "a cross-page seal needs at least two pages");
        sizes = cross_groups(ctx, n, pl->group, w, &ngroups);
        for (int grp = 0, start = 0; grp < ngroups; start += sizes[grp++]) {
            int count = sizes[grp];
            for (int i = 0; i < count; i++) {
                int pg = pages[start + i];
                pdf_obj *page = pdf_lookup_page_obj(fz, doc, pg);
                page_geom g = geometry(fz, page);
                /* Strip k of `count`, from the left; on the left edge the
                 * first page shows the rightmost strip. */
                int k = pl->edge == SEAL_EDGE_LEFT ? count - 1 - i : i;
                float sw = w / (float)count;
                float cy = pl->y_mm > 0 ? (float)(pl->y_mm * MM_TO_PT) : (g.shown.y0 + g.shown.y1) / 2;
                if (cy < g.shown.y0 || cy > g.shown.y1)
                    seal__throw(ctx, SEAL_ERR_NOT_FOUND,
                                "--cross-page: the seal centre at height %.1f mm is outside page %d "
                                "(%.1f mm high as displayed)",
                                cy / MM_TO_PT, pg + 1, (g.shown.y1 - g.shown.y0) / MM_TO_PT);
                if (cy - h / 2 < g.shown.y0 - 0.01f || cy + h / 2 > g.shown.y1 + 0.01f)
                    if (off++ == 0) {
                        first_off = pg + 1;
                        first_cy = cy;
                    }
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
                wd->shown = disp;
                wd->group = grp + 1;
                wd->groups = ngroups;
                wd->group_pages = count;
                wd->strip = k + 1;
            }
        }
        if (off)
            seal__warn(ctx, "--cross-page: the seal at height %.1f mm lies partly off %d page%s "
                            "(the first is page %d)",
                       first_cy / MM_TO_PT, off, off == 1 ? "" : "s", first_off);
    }
    fz_always(fz) {
        fz_free(fz, sizes);
        fz_free(fz, pages);
    }
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
    wd->shown = disp;
}

/* What an annotation already on the page is, for a warning. */
static void describe_annot(fz_context *fz, pdf_obj *a, char *buf, size_t size)
{
    pdf_obj *sub = pdf_dict_get(fz, a, PDF_NAME(Subtype)), *seal = pdf_dict_gets(fz, a, "SealField");
    pdf_obj *t = pdf_dict_get_inheritable(fz, a, PDF_NAME(T));

    if (seal)
        snprintf(buf, size, "a seal of signature '%s'", pdf_to_text_string(fz, seal));
    else if (pdf_name_eq(fz, pdf_dict_get_inheritable(fz, a, PDF_NAME(FT)), PDF_NAME(Sig)))
        snprintf(buf, size, "%s '%s'",
                 pdf_dict_get_inheritable(fz, a, PDF_NAME(V)) ? "the seal of signature"
                                                              : "the empty signature field",
                 pdf_to_text_string(fz, t));
    else if (t)
        snprintf(buf, size, "form field '%s'", pdf_to_text_string(fz, t));
    else
        snprintf(buf, size, "a %s annotation", pdf_is_name(fz, sub) ? pdf_to_name(fz, sub) : "page");
}

/* Warn, per placement, when its seals cover annotations already on the
 * page or seals of this signature placed before (three named, the rest
 * counted). Hidden, invisible and popup annotations do not count. */
static void warn_overlaps(seal_ctx *ctx, const widget_list *l, const seal_placement *pl)
{
    fz_context *fz = ctx->fz;
    static const char *const names[] = {"", "--at", "--keyword", "--pages", "--cross-page", "--field"};
    int told = 0, more = 0, source = -1;
    char what[256];

    for (int i = 0; i <= l->n; i++) {
        const seal__widget *wd = i < l->n ? &l->w[i] : NULL;
        if ((!wd || wd->source != source) && more)
            seal__warn(ctx, "%s: %d more overlap%s not listed", names[pl[source].kind], more, more == 1 ? "" : "s");
        if (!wd)
            break;
        if (wd->source != source) {
            source = wd->source;
            told = more = 0;
        }
        page_geom g = geometry(fz, wd->pageobj);
        pdf_obj *annots = pdf_dict_get(fz, wd->pageobj, PDF_NAME(Annots));
        int hit = 0;
        for (int k = 0; k < pdf_array_len(fz, annots) && k < 100000 && !hit; k++) {
            pdf_obj *a = pdf_array_get(fz, annots, k);
            if ((wd->widget && pdf_to_num(fz, a) == pdf_to_num(fz, wd->widget)) || pdf_name_eq(fz, pdf_dict_get(fz, a, PDF_NAME(Subtype)), PDF_NAME(Popup)) ||
                (pdf_dict_get_int(fz, a, PDF_NAME(F)) & 2))
                continue;
            fz_rect r = fz_transform_rect(pdf_dict_get_rect(fz, a, PDF_NAME(Rect)), g.ctm);
            fz_rect x = fz_intersect_rect(r, wd->shown);
            if (x.x1 - x.x0 > 0.5f && x.y1 - x.y0 > 0.5f) {
                describe_annot(fz, a, what, sizeof(what));
                hit = 1;
            }
        }
        for (int k = 0; k < i && !hit; k++) {
            fz_rect x = fz_intersect_rect(l->w[k].shown, wd->shown);
            if (l->w[k].page == wd->page && x.x1 - x.x0 > 0.5f && x.y1 - x.y0 > 0.5f) {
                snprintf(what, sizeof(what), "another seal of this signature, at (%.1f, %.1f) mm",
                         (l->w[k].shown.x0 + l->w[k].shown.x1) / 2 / MM_TO_PT,
                         (l->w[k].shown.y0 + l->w[k].shown.y1) / 2 / MM_TO_PT);
                hit = 1;
            }
        }
        if (hit && told++ < 3)
            seal__warn(ctx, "page %d: the %s at (%.1f, %.1f) mm overlaps %s", wd->page + 1,
                       wd->kind == SEAL_PLACE_CROSS_PAGE ? "cross-page strip" : "seal",
                       (wd->shown.x0 + wd->shown.x1) / 2 / MM_TO_PT, (wd->shown.y0 + wd->shown.y1) / 2 / MM_TO_PT,
                       what);
        else if (hit)
            more++;
    }
}

/* Placement i into widgets, each marked with where it came from. */
static void place_one(seal_ctx *ctx, pdf_document *doc, widget_list *l, const seal_placement *pl,
                      size_t i, fz_rect art)
{
    int made = l->n;
    switch (pl[i].kind) {
    case SEAL_PLACE_AT: place_at(ctx, doc, l, &pl[i], art); break;
    case SEAL_PLACE_PAGES: place_pages(ctx, doc, l, &pl[i], art); break;
    case SEAL_PLACE_KEYWORD: place_keyword(ctx, doc, l, &pl[i], art); break;
    case SEAL_PLACE_CROSS_PAGE: place_cross(ctx, doc, l, &pl[i], art); break;
    case SEAL_PLACE_FIELD: place_field(ctx, doc, l, &pl[i], art); break;
    default: seal__throw(ctx, SEAL_ERR_ARGS, "unknown placement kind %d", (int)pl[i].kind);
    }
    for (int k = made; k < l->n; k++) {
        l->w[k].source = (int)i;
        l->w[k].kind = pl[i].kind;
    }
}

static void place_all(seal_ctx *ctx, pdf_document *doc, widget_list *l, const seal_placement *pl,
                      size_t n, const fz_rect *art)
{
    for (size_t i = 0; i < n; i++)
        place_one(ctx, doc, l, pl, i, *art);
    warn_overlaps(ctx, l, pl);
}

seal__widget *seal__place(seal_ctx *ctx, pdf_document *doc, const seal_placement *pl, size_t n,
                          fz_rect art, int *count)
{
    fz_context *fz = ctx->fz;
    widget_list l = {0};
    fz_rect box = art;

    fz_try(fz)
        place_all(ctx, doc, &l, pl, n, &box);
    fz_catch(fz) {
        fz_free(fz, l.w);
        fz_rethrow(fz);
    }
    *count = l.n;
    return l.w;
}

void seal__placed_report(const seal_sign_options *opts, const seal_placed *p, int n)
{
    if (opts->version >= 3 && opts->placed_cb)
        for (int i = 0; i < n; i++)
            opts->placed_cb(opts->placed_user, &p[i]);
}

seal_placed *seal__placed(seal_ctx *ctx, const seal__widget *w, int n, const char *field)
{
    seal_placed *p = fz_malloc_array(ctx->fz, n > 0 ? n : 1, seal_placed);
    for (int i = 0; i < n; i++) {
        memset(&p[i], 0, sizeof(p[i]));
        p[i].field = field;
        p[i].kind = w[i].kind;
        p[i].page = w[i].page + 1;
        p[i].x_mm = (w[i].shown.x0 + w[i].shown.x1) / 2 / MM_TO_PT;
        p[i].y_mm = (w[i].shown.y0 + w[i].shown.y1) / 2 / MM_TO_PT;
        p[i].w_mm = (w[i].shown.x1 - w[i].shown.x0) / MM_TO_PT;
        p[i].h_mm = (w[i].shown.y1 - w[i].shown.y0) / MM_TO_PT;
        p[i].group = w[i].group;
        p[i].groups = w[i].groups;
        p[i].group_pages = w[i].group_pages;
        p[i].strip = w[i].strip;
    }
    return p;
}
