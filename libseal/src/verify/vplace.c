/*
 * Where each signature's seal is drawn, for the committee's rules: every
 * page's /Annots is walked, and each annotation that draws a signature's
 * appearance on that page is one placement — the field's widget, a seal
 * stamp naming the field (/SealField, written in the signed revision), a
 * strip of a cross-page seal. What is not in a page's /Annots, or is not
 * drawn there, is no placement, whatever its /P says.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "reportint.h"

#include <stdlib.h>
#include <string.h>

/* The seal kind recorded on the appearance: /SealKind on the appearance
 * stream or on an XObject it draws (our signer puts it on the artwork). */
static pdf_obj *find_seal_kind(fz_context *fz, pdf_obj *xobj, int depth)
{
    pdf_obj *kind = pdf_dict_gets(fz, xobj, "SealKind");
    pdf_obj *xo = pdf_dict_getp(fz, xobj, "Resources/XObject");
    /* Bounded: appearances nest the artwork a level or two deep. */
    for (int i = 0; !kind && depth < 3 && i < pdf_dict_len(fz, xo) && i < 32; i++)
        kind = find_seal_kind(fz, pdf_dict_get_val(fz, xo, i), depth + 1);
    return kind;
}

static void seal_kind_of(fz_context *fz, pdf_obj *ap, char *out, size_t size)
{
    pdf_obj *kind = find_seal_kind(fz, ap, 0);
    if (kind && (pdf_is_name(fz, kind) || pdf_is_string(fz, kind)))
        snprintf(out, size, "%s", pdf_is_name(fz, kind) ? pdf_to_name(fz, kind) : pdf_to_str_buf(fz, kind));
}

/* The normal appearance stream drawn for an annotation, or NULL. */
static pdf_obj *appearance(fz_context *fz, pdf_obj *annot)
{
    pdf_obj *n = pdf_dict_getp(fz, annot, "AP/N");
    if (pdf_is_dict(fz, n) && !pdf_is_stream(fz, n))
        n = pdf_dict_get(fz, n, pdf_dict_get(fz, annot, PDF_NAME(AS)));
    return pdf_is_stream(fz, n) ? n : NULL;
}

/* A strip of a cross-page seal shows part of its artwork: the appearance's
 * box is narrower (or lower) than the artwork XObject it draws. */
static int is_strip(fz_context *fz, pdf_obj *ap)
{
    fz_rect bb = pdf_dict_get_rect(fz, ap, PDF_NAME(BBox));
    pdf_obj *xo = pdf_dict_getp(fz, ap, "Resources/XObject");
    for (int i = 0; i < pdf_dict_len(fz, xo) && i < 8; i++) {
        fz_rect art = pdf_dict_get_rect(fz, pdf_dict_get_val(fz, xo, i), PDF_NAME(BBox));
        float aw = art.x1 - art.x0, ah = art.y1 - art.y0;
        if ((aw > 1 && bb.x1 - bb.x0 < 0.9f * aw) || (ah > 1 && bb.y1 - bb.y0 < 0.9f * ah))
            return 1;
    }
    return 0;
}

/* Where an object's current definition starts (its object stream's, for a
 * compressed one); -1 when unknown. */
static int64_t def_offset(fz_context *fz, pdf_document *doc, int num)
{
    int n = pdf_xref_len(fz, doc);
    pdf_xref_entry *x = num > 0 && num < n ? pdf_get_xref_entry(fz, doc, num) : NULL;
    if (x && x->type == 'o' && x->ofs > 0 && x->ofs < n)
        x = pdf_get_xref_entry(fz, doc, (int)x->ofs);
    return x && x->type == 'n' ? x->ofs : -1;
}

/* The signature an annotation draws, or NULL: a widget of a signature
 * field (itself or through /Parent), or a seal stamp naming the field and
 * written in that signature's signed revision. */
static vsig *owner_of(fz_context *fz, vdoc *d, pdf_obj *annot, int *stamp)
{
    pdf_obj *sub = pdf_dict_get(fz, annot, PDF_NAME(Subtype));
    *stamp = 0;
    if (pdf_name_eq(fz, sub, PDF_NAME(Widget))) {
        pdf_obj *o = annot;
        for (int depth = 0; o && depth < SEAL_MAX_FIELD_DEPTH; depth++) {
            int num = pdf_to_num(fz, o);
            for (size_t i = 0; num > 0 && i < d->nsigs; i++)
                if (d->sigs[i].field_num == num)
                    return &d->sigs[i];
            o = pdf_dict_get(fz, o, PDF_NAME(Parent));
        }
        return NULL;
    }
    pdf_obj *named = pdf_dict_gets(fz, annot, "SealField");
    if (!pdf_name_eq(fz, sub, PDF_NAME(Stamp)) || !pdf_is_string(fz, named) || !pdf_is_indirect(fz, annot))
        return NULL;
    const char *name = pdf_to_text_string(fz, named);
    int64_t at = def_offset(fz, d->doc, pdf_to_num(fz, annot));
    for (size_t i = 0; i < d->nsigs; i++) {
        vsig *s = &d->sigs[i];
        if (s->field && !strcmp(s->field, name) && s->br_count == 4 && at >= 0 && at < s->rev_end) {
            *stamp = 1;
            return s;
        }
    }
    return NULL;
}

static void add_placement(fz_context *fz, vsig *s, int page, fz_rect r, const char *kind, pdf_obj *ap,
                          int object, char *limit, size_t limit_size)
{
    for (size_t k = 0; k < s->npl; k++)
        if (s->pl[k].info.page == page && s->pl[k].info.object == object)
            return; /* listed twice in /Annots */
    if (s->npl >= VFY_MAX_PLACEMENTS) {
        snprintf(limit, limit_size, "'%s' is drawn more than %d times: its placements were not all examined",
                 s->field, VFY_MAX_PLACEMENTS);
        return;
    }
    if (s->npl % 16 == 0) {
        vplacement *n = realloc(s->pl, (s->npl + 16) * sizeof(*n));
        if (!n)
            fz_throw(fz, FZ_ERROR_MEMORY, "out of memory");
        s->pl = n;
    }
    vplacement *p = &s->pl[s->npl++];
    memset(p, 0, sizeof(*p));
    snprintf(p->kind, sizeof(p->kind), "%s", kind);
    seal_kind_of(fz, ap, p->seal_kind, sizeof(p->seal_kind));
    p->info.page = page;
    p->info.rect[0] = r.x0;
    p->info.rect[1] = r.y0;
    p->info.rect[2] = r.x1;
    p->info.rect[3] = r.y1;
    p->info.object = object;
}

/* One page's annotations; *seen counts them against the bound. */
static void page_placements(fz_context *fz, vdoc *d, pdf_obj *page, int pno, int *seen, char *limit,
                            size_t limit_size)
{
    pdf_obj *annots = pdf_dict_get(fz, page, PDF_NAME(Annots));
    fz_rect box = pdf_to_rect(fz, pdf_dict_get_inheritable(fz, page, PDF_NAME(CropBox)));
    int n = pdf_array_len(fz, annots);

    if (fz_is_empty_rect(box))
        box = pdf_to_rect(fz, pdf_dict_get_inheritable(fz, page, PDF_NAME(MediaBox)));
    for (int i = 0; i < n && !limit[0]; i++) {
        if (++*seen > VFY_MAX_ANNOTS) {
            snprintf(limit, limit_size, "more than %d annotations: the seals' placements were not all examined",
                     VFY_MAX_ANNOTS);
            return;
        }
        pdf_obj *a = pdf_array_get(fz, annots, i);
        int stamp = 0;
        vsig *s = pdf_is_dict(fz, a) ? owner_of(fz, d, a, &stamp) : NULL;
        if (!s)
            continue;
        /* Drawn on this page: not Hidden (2) or NoView (32), a real
         * rectangle on the page, an appearance with a real box. */
        fz_rect r = pdf_dict_get_rect(fz, a, PDF_NAME(Rect));
        pdf_obj *ap = appearance(fz, a);
        fz_rect bb = pdf_dict_get_rect(fz, ap, PDF_NAME(BBox));
        if ((pdf_dict_get_int(fz, a, PDF_NAME(F)) & (2 | 32)) || r.x1 - r.x0 < 0.5f || r.y1 - r.y0 < 0.5f ||
            !ap || bb.x1 - bb.x0 <= 0 || bb.y1 - bb.y0 <= 0 || fz_is_empty_rect(fz_intersect_rect(r, box)))
            continue;
        add_placement(fz, s, pno + 1, r, is_strip(fz, ap) ? "cross-page" : stamp ? "stamp" : "widget", ap,
                      pdf_to_num(fz, a), limit, limit_size);
    }
}

static int cmp_int(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

/* The signature's summary fields from its placements: the first one
 * (its widget when drawn), the distinct pages, the seal kind. */
static void summarise(seal_ctx *ctx, vdoc *d, vsig *s, const int *nums, int count)
{
    fz_context *fz = ctx->fz;
    vplacement *first = NULL;
    for (size_t k = 0; k < s->npl && !first; k++)
        if (!strcmp(s->pl[k].kind, "widget"))
            first = &s->pl[k];
    if (!first && s->npl)
        first = &s->pl[0];
    if (!first) {
        /* Nothing drawn: where the field's widget is, as inspect says
         * (its /P among the pages walked once, not a page-tree walk per
         * signature). */
        s->r.page = 0;
        for (int k = 0; k < count && s->widget_p && !s->r.page; k++)
            if (nums[k] == s->widget_p)
                s->r.page = k + 1;
        if (!nums && s->widget_p) {
            pdf_obj *p = pdf_new_indirect(fz, d->doc, s->widget_p, 0);
            s->r.page = seal__pdf_page_number(ctx, d->doc, p);
            pdf_drop_obj(fz, p);
        }
        memcpy(s->r.rect, s->widget_rect, sizeof(s->r.rect));
        snprintf(s->seal_kind, sizeof(s->seal_kind), "invisible");
        return;
    }
    s->r.page = first->info.page;
    memcpy(s->r.rect, first->info.rect, sizeof(s->r.rect));
    snprintf(s->seal_kind, sizeof(s->seal_kind), "%s", first->seal_kind);
    s->pages = malloc(s->npl * sizeof(int));
    if (!s->pages)
        fz_throw(fz, FZ_ERROR_MEMORY, "out of memory");
    for (size_t k = 0; k < s->npl; k++)
        s->pages[k] = s->pl[k].info.page;
    qsort(s->pages, s->npl, sizeof(int), cmp_int);
    size_t m = 0;
    for (size_t k = 0; k < s->npl; k++)
        if (m == 0 || s->pages[m - 1] != s->pages[k])
            s->pages[m++] = s->pages[k];
    s->r.page_count = m;
}

/* One page, its damage contained: a page that cannot be read ends the walk
 * with that reason (a hostile /Count promises pages that are not there). */
static int try_page(fz_context *fz, vdoc *d, const int *nums, int count, int pno, int *seen, char *limit,
                    size_t limit_size)
{
    int ok = 1;
    pdf_obj *volatile page = NULL;
    fz_try(fz) {
        page = seal__pdf_page_ref(fz, d->doc, nums, count, pno);
        page_placements(fz, d, page, pno, seen, limit, limit_size);
    }
    fz_always(fz)
        pdf_drop_obj(fz, page);
    fz_catch(fz) {
        if (fz_caught(fz) == FZ_ERROR_MEMORY)
            fz_rethrow(fz);
        snprintf(limit, limit_size, "page %d cannot be read (%s): the seals' placements were not all examined",
                 pno + 1, fz_caught_message(fz));
        ok = 0;
    }
    return ok;
}

void seal__vfy_placements(seal_ctx *ctx, vdoc *d, char *limit, size_t limit_size)
{
    fz_context *fz = ctx->fz;
    int pages = d->nsigs ? pdf_count_pages(fz, d->doc) : 0, seen = 0;

    int count = 0, *nums = pages ? seal__pdf_page_nums(fz, d->doc, &count) : NULL;
    limit[0] = 0;
    for (int p = 0; p < pages && !limit[0]; p++) {
        if (p >= VFY_MAX_PAGES) {
            snprintf(limit, limit_size, "more than %d pages: the seals' placements were not all examined",
                     VFY_MAX_PAGES);
            break;
        }
        if (!try_page(fz, d, nums, count, p, &seen, limit, limit_size))
            break;
    }
    for (size_t i = 0; i < d->nsigs; i++)
        summarise(ctx, d, &d->sigs[i], nums, count);
    fz_free(fz, nums);
}
