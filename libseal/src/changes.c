/*
 * What changed after a signature: the revision it signed is opened as its
 * own document (the first ByteRange-end bytes of the file) and compared,
 * object by object, with the document as shown. Every object whose
 * cross-reference entry moved and whose value differs is classified
 * against the whitelist of pades.md item 6: DSS/VRI, document time-stamps,
 * further signatures (field, widget and the /Annots and /AcroForm edits
 * that add them), form filling unless DocMDP P=1 or a FieldMDP lock,
 * annotations unless DocMDP P<3 — and never an annotation or widget drawn
 * over page content. Anything else is a disallowed change, named by
 * object, page and kind.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "verifyint.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MAX_OBJECTS 2000000
#define MAX_DEPTH 48
#define MAX_RAW_COMPARE (64u << 20)
#define MAX_PENDING 4096
#define MAX_REF_SCAN 200000

enum role {
    R_NONE = 0,
    R_CATALOG,
    R_PAGES,
    R_PAGE,
    R_ANNOTS,
    R_CONTENT,
    R_RESOURCES,
    R_XOBJECT,
    R_FONT,
    R_ACROFORM,
    R_FIELDS,
    R_DSS,
    R_INFO,
    R_METADATA,
    R_SIGDICT,
    R_ANNOT,
    R_STRUCTURE
};

struct diff {
    seal_ctx *ctx;
    vdoc *d;
    vsig *s;
    pdf_document *old, *cur;
    int nold, ncur;
    unsigned char *role; /* per old object number */
    int *page;           /* per old object number: 1-based page it belongs to */
    int revision;        /* the revision of the change (first later one) */
    int pending[MAX_PENDING];
    int npending;
    int filled[MAX_PENDING]; /* fields whose value changed (form filling) */
    int nfilled;
    fz_rect *content_bbox;  /* per page of cur, lazily (x0 > x1: not computed) */
    int npages;
    pdf_document *bdoc;     /* instance for running page contents */
};

void seal__vfy_add_change(vsig *s, int revision, int object, int page, const char *kind,
                          int allowed, const char *fmt, ...)
{
    vchange *c;
    va_list ap;

    if (!allowed)
        s->r.changes_after = SEAL_CHANGES_DISALLOWED;
    else if (s->r.changes_after == SEAL_CHANGES_NONE)
        s->r.changes_after = SEAL_CHANGES_ALLOWED;
    if (s->nchanges >= VFY_MAX_CHANGES) {
        s->changes_more++;
        return;
    }
    if (s->nchanges == s->changes_cap) {
        size_t cap = s->changes_cap ? s->changes_cap * 2 : 8;
        vchange *n = realloc(s->changes, cap * sizeof(*n));
        if (!n) {
            s->changes_more++;
            return;
        }
        s->changes = n;
        s->changes_cap = cap;
    }
    c = &s->changes[s->nchanges++];
    memset(c, 0, sizeof(*c));
    c->info.revision = revision;
    c->info.object = object;
    c->info.page = page;
    c->info.allowed = allowed;
    snprintf(c->kind, sizeof(c->kind), "%s", kind);
    va_start(ap, fmt);
    vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
    va_end(ap);
}

#define CHANGE(df, num, pg, kind, ok, ...) \
    seal__vfy_add_change((df)->s, (df)->revision, (num), (pg), (kind), (ok), __VA_ARGS__)

static int ap_refs(fz_context *fz, pdf_obj *widget, int target);
typedef struct diff diff;
static int refs_in_old(fz_context *fz, diff *df, int target);

/* ------------------------------------------------------------ comparing */

/* Equal values; references are equal when they name the same object (what
 * that object holds is compared on its own). */
static int same_obj(fz_context *fz, pdf_obj *a, pdf_obj *b, int depth)
{
    if (depth > MAX_DEPTH)
        return 0;
    if (pdf_is_indirect(fz, a) || pdf_is_indirect(fz, b))
        return pdf_is_indirect(fz, a) && pdf_is_indirect(fz, b) &&
               pdf_to_num(fz, a) == pdf_to_num(fz, b) && pdf_to_gen(fz, a) == pdf_to_gen(fz, b);
    if (!a || !b)
        return a == b || (pdf_is_null(fz, a) && pdf_is_null(fz, b));
    if (pdf_is_null(fz, a) || pdf_is_null(fz, b))
        return pdf_is_null(fz, a) && pdf_is_null(fz, b);
    if (pdf_is_bool(fz, a))
        return pdf_is_bool(fz, b) && pdf_to_bool(fz, a) == pdf_to_bool(fz, b);
    if (pdf_is_int(fz, a) || pdf_is_real(fz, a))
        return pdf_is_number(fz, b) && pdf_to_real(fz, a) == pdf_to_real(fz, b);
    if (pdf_is_name(fz, a))
        return pdf_is_name(fz, b) && !strcmp(pdf_to_name(fz, a), pdf_to_name(fz, b));
    if (pdf_is_string(fz, a))
        return pdf_is_string(fz, b) && pdf_to_str_len(fz, a) == pdf_to_str_len(fz, b) &&
               !memcmp(pdf_to_str_buf(fz, a), pdf_to_str_buf(fz, b), pdf_to_str_len(fz, a));
    if (pdf_is_array(fz, a)) {
        int n = pdf_array_len(fz, a);
        if (!pdf_is_array(fz, b) || n != pdf_array_len(fz, b))
            return 0;
        for (int i = 0; i < n; i++)
            if (!same_obj(fz, pdf_array_get(fz, a, i), pdf_array_get(fz, b, i), depth + 1))
                return 0;
        return 1;
    }
    if (pdf_is_dict(fz, a)) {
        int n = pdf_dict_len(fz, a);
        if (!pdf_is_dict(fz, b) || n != pdf_dict_len(fz, b))
            return 0;
        for (int i = 0; i < n; i++) {
            pdf_obj *k = pdf_dict_get_key(fz, a, i);
            if (!same_obj(fz, pdf_dict_get_val(fz, a, i), pdf_dict_get(fz, b, k), depth + 1))
                return 0;
        }
        return 1;
    }
    return 0;
}

/* A direct-value lookup that does not follow the reference. */
static pdf_obj *dget(fz_context *fz, pdf_obj *dict, const char *key)
{
    return pdf_dict_gets(fz, dict, key);
}

static int same_entry(fz_context *fz, diff *df, int num, int depth)
{
    pdf_xref_entry *a = pdf_get_xref_entry(fz, df->old, num);
    pdf_xref_entry *b = pdf_get_xref_entry(fz, df->cur, num);
    if (!a || !b || a->type != b->type || depth > 2)
        return 0;
    if (a->type == 'n')
        return a->ofs == b->ofs && a->gen == b->gen;
    if (a->type == 'o')
        return a->ofs == b->ofs && a->gen == b->gen && a->ofs > 0 && a->ofs < df->nold &&
               a->ofs < df->ncur && same_entry(fz, df, (int)a->ofs, depth + 1);
    return a->type == 'f' || a->type == 0;
}

static int in_use(fz_context *fz, pdf_document *doc, int num, int n)
{
    if (num <= 0 || num >= n)
        return 0;
    pdf_xref_entry *e = pdf_get_xref_entry(fz, doc, num);
    return e && (e->type == 'n' || e->type == 'o');
}

/* Same object value, streams' raw bytes included. */
static int same_value(fz_context *fz, diff *df, int num, pdf_obj *a, pdf_obj *b)
{
    fz_buffer *volatile ba = NULL, *volatile bb = NULL;
    volatile int same = 0;

    if (!same_obj(fz, a, b, 0))
        return 0;
    int sa = pdf_obj_num_is_stream(fz, df->old, num), sb = pdf_obj_num_is_stream(fz, df->cur, num);
    if (sa != sb)
        return 0;
    if (!sa)
        return 1;
    if (pdf_dict_get_int(fz, a, PDF_NAME(Length)) > (int)MAX_RAW_COMPARE)
        return 0;
    fz_try(fz) {
        ba = pdf_load_raw_stream_number(fz, df->old, num);
        bb = pdf_load_raw_stream_number(fz, df->cur, num);
        unsigned char *pa, *pb;
        size_t la = fz_buffer_storage(fz, ba, &pa), lb = fz_buffer_storage(fz, bb, &pb);
        same = la == lb && !memcmp(pa, pb, la);
    }
    fz_always(fz) {
        fz_drop_buffer(fz, ba);
        fz_drop_buffer(fz, bb);
    }
    fz_catch(fz)
        same = 0;
    return same;
}

/* ------------------------------------------------------------ roles */

static void set_role(diff *df, pdf_obj *ref, enum role r, int page, fz_context *fz)
{
    int num = pdf_to_num(fz, ref);
    if (!pdf_is_indirect(fz, ref) || num <= 0 || num >= df->nold)
        return;
    if (!df->role[num] || r == R_PAGE) {
        df->role[num] = (unsigned char)r;
        df->page[num] = page;
    }
}

/* What each object of the signed revision is: pages and what draws them,
 * the catalog's parts, the DSS, signature dictionaries. */
static void map_roles(fz_context *fz, diff *df)
{
    pdf_obj *trailer = pdf_trailer(fz, df->old);
    pdf_obj *root = pdf_dict_get(fz, trailer, PDF_NAME(Root));
    int n = pdf_count_pages(fz, df->old);

    set_role(df, root, R_CATALOG, 0, fz);
    set_role(df, pdf_dict_get(fz, trailer, PDF_NAME(Info)), R_INFO, 0, fz);
    set_role(df, pdf_dict_get(fz, root, PDF_NAME(Metadata)), R_METADATA, 0, fz);
    pdf_obj *af = pdf_dict_get(fz, root, PDF_NAME(AcroForm));
    set_role(df, af, R_ACROFORM, 0, fz);
    set_role(df, pdf_dict_get(fz, af, PDF_NAME(Fields)), R_FIELDS, 0, fz);
    pdf_obj *dss = pdf_dict_gets(fz, root, "DSS");
    set_role(df, dss, R_DSS, 0, fz);
    for (int i = 0; i < pdf_dict_len(fz, dss) && i < 16; i++) {
        pdf_obj *v = pdf_dict_get_val(fz, dss, i);
        set_role(df, v, R_DSS, 0, fz);
        if (!strcmp(pdf_to_name(fz, pdf_dict_get_key(fz, dss, i)), "VRI"))
            for (int k = 0; k < pdf_dict_len(fz, v) && k < 10000; k++)
                set_role(df, pdf_dict_get_val(fz, v, k), R_DSS, 0, fz);
    }
    for (size_t i = 0; i < df->d->nsigs; i++)
        if (df->d->sigs[i].sig_num > 0 && df->d->sigs[i].sig_num < df->nold)
            df->role[df->d->sigs[i].sig_num] = R_SIGDICT;
    for (int p = 0; p < n; p++) {
        pdf_obj *page = pdf_lookup_page_obj(fz, df->old, p);
        set_role(df, page, R_PAGE, p + 1, fz);
        /* Ancestors in the page tree (bounded). */
        pdf_obj *parent = pdf_dict_get(fz, page, PDF_NAME(Parent));
        for (int k = 0; parent && k < 32; k++, parent = pdf_dict_get(fz, parent, PDF_NAME(Parent)))
            set_role(df, parent, R_PAGES, 0, fz);
        pdf_obj *contents = pdf_dict_get(fz, page, PDF_NAME(Contents));
        set_role(df, contents, R_CONTENT, p + 1, fz);
        for (int k = 0; k < pdf_array_len(fz, contents) && k < 10000; k++)
            set_role(df, pdf_array_get(fz, contents, k), R_CONTENT, p + 1, fz);
        pdf_obj *res = pdf_dict_get_inheritable(fz, page, PDF_NAME(Resources));
        pdf_obj *resref = pdf_dict_get(fz, page, PDF_NAME(Resources));
        set_role(df, resref, R_RESOURCES, p + 1, fz);
        static const char *const groups[] = {"XObject", "Font", "ExtGState", "ColorSpace",
                                             "Pattern", "Shading", "Properties"};
        for (int g = 0; g < 7; g++) {
            pdf_obj *grp = pdf_dict_gets(fz, res, groups[g]);
            set_role(df, dget(fz, res, groups[g]), R_RESOURCES, p + 1, fz);
            for (int k = 0; k < pdf_dict_len(fz, grp) && k < 10000; k++)
                set_role(df, pdf_dict_get_val(fz, grp, k), g == 0 ? R_XOBJECT : g == 1 ? R_FONT : R_RESOURCES,
                         p + 1, fz);
        }
        pdf_obj *annots = pdf_dict_get(fz, page, PDF_NAME(Annots));
        set_role(df, annots, R_ANNOTS, p + 1, fz);
        for (int k = 0; k < pdf_array_len(fz, annots) && k < 10000; k++)
            set_role(df, pdf_array_get(fz, annots, k), R_ANNOT, p + 1, fz);
    }
}

/* ------------------------------------------------------------ overlays */

/* The bounding box of what the page's content draws, in MuPDF page space. */
static fz_rect content_bbox(fz_context *fz, diff *df, int page)
{
    fz_rect bbox = fz_empty_rect;
    pdf_page *volatile pg = NULL;
    fz_device *volatile dev = NULL;

    if (page < 1 || page > df->npages)
        return bbox;
    if (df->content_bbox[page - 1].x0 <= df->content_bbox[page - 1].x1)
        return df->content_bbox[page - 1];
    if (seal__vfy_late(df->d))
        return fz_infinite_rect; /* no time to draw it: assume it is covered */
    fz_try(fz) {
        if (!df->bdoc)
            df->bdoc = seal__vfy_open_prefix(df->ctx, df->d->data, df->d->len, df->d->password);
        pg = pdf_load_page(fz, df->bdoc, page - 1);
        dev = fz_new_bbox_device(fz, &bbox);
        pdf_run_page_contents(fz, pg, dev, fz_identity, NULL);
        fz_close_device(fz, dev);
    }
    fz_always(fz) {
        fz_drop_device(fz, dev);
        fz_drop_page(fz, (fz_page *)pg);
    }
    fz_catch(fz) {
        /* Content that cannot be run: assume the whole page. */
        bbox = fz_infinite_rect;
    }
    if (bbox.x0 > bbox.x1)
        bbox = fz_make_rect(0, 0, 0, 0); /* nothing drawn: nothing to cover */
    df->content_bbox[page - 1] = bbox;
    return bbox;
}

/* Does an annotation added on `page` draw over the page's content? */
static int covers_content(fz_context *fz, diff *df, pdf_obj *annot, int page)
{
    fz_rect r = pdf_dict_get_rect(fz, annot, PDF_NAME(Rect));
    int flags = pdf_dict_get_int(fz, annot, PDF_NAME(F));
    pdf_obj *pageobj;
    fz_matrix ctm;
    fz_rect media;

    if (flags & (1 | 2 | 32)) /* Invisible, Hidden, NoView */
        return 0;
    if (r.x1 - r.x0 <= 0.5f || r.y1 - r.y0 <= 0.5f)
        return 0;
    if (!pdf_dict_get(fz, annot, PDF_NAME(AP)) &&
        !pdf_name_eq(fz, pdf_dict_get(fz, annot, PDF_NAME(Subtype)), PDF_NAME(Widget)))
        return 1; /* a viewer will synthesise an appearance: assume it shows */
    pageobj = pdf_lookup_page_obj(fz, df->cur, page - 1);
    pdf_page_obj_transform(fz, pageobj, &media, &ctm);
    r = fz_transform_rect(r, ctm);
    fz_rect c = content_bbox(fz, df, page);
    fz_rect i = fz_intersect_rect(r, c);
    return i.x1 - i.x0 > 0.5f && i.y1 - i.y0 > 0.5f;
}

/* ------------------------------------------------------------ classes */

static int is_later_signature(diff *df, pdf_obj *v, fz_context *fz)
{
    int num = pdf_to_num(fz, v);
    for (size_t i = 0; i < df->d->nsigs; i++) {
        vsig *t = &df->d->sigs[i];
        if (t != df->s && num > 0 && t->sig_num == num && t->rev_end > df->s->rev_end)
            return 1;
    }
    return 0;
}

/* A field whose value is a document time-stamp: the one addition DocMDP
 * P=1 permits (ISO 32000-2 12.8.2.2). */
static int is_doc_ts_field(fz_context *fz, pdf_obj *field)
{
    pdf_obj *v = pdf_dict_get(fz, field, PDF_NAME(V));
    if (!v)
        v = pdf_dict_get(fz, pdf_dict_get(fz, field, PDF_NAME(Parent)), PDF_NAME(V));
    return !strcmp(pdf_to_name(fz, pdf_dict_get(fz, v, PDF_NAME(Type))), "DocTimeStamp");
}

static const char *field_name(fz_context *fz, pdf_obj *field, char *buf, size_t size)
{
    /* Fully qualified: parents first (bounded). */
    const char *parts[16];
    int n = 0;
    buf[0] = 0;
    for (pdf_obj *f = field; f && n < 16; f = pdf_dict_get(fz, f, PDF_NAME(Parent))) {
        const char *t = pdf_dict_get_text_string(fz, f, PDF_NAME(T));
        if (t && *t)
            parts[n++] = t;
    }
    for (int i = n - 1; i >= 0; i--) {
        size_t used = strlen(buf);
        snprintf(buf + used, size - used, "%s%s", used ? "." : "", parts[i]);
    }
    return buf;
}

static int field_locked(diff *df, const char *name)
{
    vsig *s = df->s;
    if (!s->lock_all)
        return 0;
    if (s->lock_all == 1)
        return 1;
    int listed = 0;
    for (int i = 0; i < s->nlock_fields; i++)
        if (!strcmp(s->lock_fields[i], name))
            listed = 1;
    return s->lock_all == 2 ? listed : !listed;
}

static int is_resource_key(const char *k)
{
    static const char *const keys[] = {"Font", "XObject", "ExtGState", "ColorSpace", "Pattern",
                                       "Shading", "Properties", "ProcSet"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (!strcmp(k, keys[i]))
            return 1;
    return 0;
}

/* A resource dictionary that only gained names: content that did not
 * change cannot use them, so nothing shown changes. Replacing or removing
 * a name (a different font or image under the same name) is a change. */
static int resources_only_added(fz_context *fz, pdf_obj *o, pdf_obj *n)
{
    o = pdf_resolve_indirect(fz, o);
    n = pdf_resolve_indirect(fz, n);
    if (!pdf_is_dict(fz, o) || !pdf_is_dict(fz, n))
        return 0;
    for (int i = 0; i < pdf_dict_len(fz, n); i++)
        if (!is_resource_key(pdf_to_name(fz, pdf_dict_get_key(fz, n, i))))
            return 0;
    for (int i = 0; i < pdf_dict_len(fz, o); i++) {
        pdf_obj *k = pdf_dict_get_key(fz, o, i);
        pdf_obj *ov = pdf_dict_get_val(fz, o, i), *nv = pdf_dict_get(fz, n, k);
        if (same_obj(fz, ov, nv, 0))
            continue;
        if (pdf_is_indirect(fz, ov) || pdf_is_indirect(fz, nv) || !pdf_is_dict(fz, ov) ||
            !pdf_is_dict(fz, nv))
            return 0;
        for (int j = 0; j < pdf_dict_len(fz, ov); j++)
            if (!same_obj(fz, pdf_dict_get_val(fz, ov, j), pdf_dict_get(fz, nv, pdf_dict_get_key(fz, ov, j)), 0))
                return 0;
    }
    return 1;
}

/* An object the new appearance of a widget refers to that already existed
 * in the signed revision and was not part of its appearance then: content
 * prepared before signing and revealed after it (a shadow attack). Returns
 * its number, or 0. */
static int ap_reuses_old(fz_context *fz, diff *df, pdf_obj *ow, pdf_obj *nw)
{
    pdf_obj *nap = pdf_dict_get(fz, nw, PDF_NAME(AP));
    pdf_obj *oap = ow ? pdf_dict_get(fz, ow, PDF_NAME(AP)) : NULL;
    pdf_obj *refs[1 + 3 + 3 * 64];
    int nrefs = 0;

    refs[nrefs++] = nap;
    for (int i = 0; i < pdf_dict_len(fz, nap) && i < 3; i++) {
        pdf_obj *v = pdf_dict_get_val(fz, nap, i);
        refs[nrefs++] = v;
        if (!pdf_is_stream(fz, v))
            for (int k = 0; k < pdf_dict_len(fz, v) && k < 64; k++)
                refs[nrefs++] = pdf_dict_get_val(fz, v, k);
    }
    for (int i = 0; i < nrefs; i++) {
        int num = pdf_to_num(fz, refs[i]);
        if (!pdf_is_indirect(fz, refs[i]) || !in_use(fz, df->old, num, df->nold))
            continue;
        if (ow && (pdf_to_num(fz, oap) == num || ap_refs(fz, ow, num)))
            continue;
        return num;
    }
    return 0;
}

/* A visible rectangle of an existing annotation on the page that r overlaps
 * (in PDF user space), or 0. */
static int overlaps_existing(fz_context *fz, diff *df, pdf_obj *a, int page)
{
    fz_rect r = pdf_dict_get_rect(fz, a, PDF_NAME(Rect));
    pdf_obj *annots;

    if (page < 1 || r.x1 - r.x0 <= 0.5f || r.y1 - r.y0 <= 0.5f ||
        (pdf_dict_get_int(fz, a, PDF_NAME(F)) & (1 | 2 | 32)))
        return 0;
    annots = pdf_dict_get(fz, pdf_lookup_page_obj(fz, df->old, page - 1), PDF_NAME(Annots));
    for (int i = 0; i < pdf_array_len(fz, annots) && i < 10000; i++) {
        pdf_obj *o = pdf_array_get(fz, annots, i);
        if (pdf_dict_get_int(fz, o, PDF_NAME(F)) & (1 | 2 | 32))
            continue;
        if (pdf_name_eq(fz, pdf_dict_get(fz, o, PDF_NAME(Subtype)), PDF_NAME(Popup)))
            continue;
        fz_rect e = fz_intersect_rect(r, pdf_dict_get_rect(fz, o, PDF_NAME(Rect)));
        if (e.x1 - e.x0 > 0.5f && e.y1 - e.y0 > 0.5f)
            return pdf_to_num(fz, o) ? pdf_to_num(fz, o) : -1;
    }
    return 0;
}

/* The value of the top-level form field named `name` in the current
 * revision, or NULL. */
static pdf_obj *field_value(fz_context *fz, pdf_document *doc, const char *name)
{
    pdf_obj *fields = pdf_dict_getp(fz, pdf_trailer(fz, doc), "Root/AcroForm/Fields");
    int n = pdf_array_len(fz, fields);
    for (int i = 0; i < n && i < 10000; i++) {
        pdf_obj *f = pdf_array_get(fz, fields, i);
        if (!strcmp(pdf_dict_get_text_string(fz, f, PDF_NAME(T)), name))
            return pdf_dict_get(fz, f, PDF_NAME(V));
    }
    return NULL;
}

/* A widget or annotation newly listed in a page's /Annots. */
static void new_annot(fz_context *fz, diff *df, pdf_obj *ref, int page)
{
    pdf_obj *a = pdf_resolve_indirect(fz, ref);
    int num = pdf_to_num(fz, ref);
    pdf_obj *subtype = pdf_dict_get(fz, a, PDF_NAME(Subtype));
    char name[256];

    int reused = ap_reuses_old(fz, df, NULL, a);
    if (reused) {
        CHANGE(df, num, page, "overlay annotation", 0,
               "annotation %d added whose appearance is object %d, prepared before signing", num, reused);
        return;
    }
    int over = overlaps_existing(fz, df, a, page);
    if (over) {
        CHANGE(df, num, page, "overlay annotation", 0,
               "annotation %d added over existing annotation %d on page %d", num, over, page);
        return;
    }
    if (pdf_name_eq(fz, subtype, PDF_NAME(Widget))) {
        pdf_obj *field = pdf_dict_get(fz, a, PDF_NAME(FT)) || pdf_dict_get(fz, a, PDF_NAME(T))
                             ? a
                             : pdf_dict_get(fz, a, PDF_NAME(Parent));
        field_name(fz, field ? field : a, name, sizeof(name));
        if (pdf_name_eq(fz, pdf_dict_get_inheritable(fz, field, PDF_NAME(FT)), PDF_NAME(Sig))) {
            pdf_obj *v = pdf_dict_get(fz, field, PDF_NAME(V));
            if (df->d->docmdp == 1 && !is_doc_ts_field(fz, field))
                CHANGE(df, num, page, "signature", 0,
                       "signature field '%s' added; DocMDP P=1 forbids any change", name);
            else if (v && is_later_signature(df, v, fz))
                CHANGE(df, num, page, "signature", 1, "signature field '%s' added and signed", name);
            else if (!covers_content(fz, df, a, page))
                CHANGE(df, num, page, "signature field", 1, "empty signature field '%s' added", name);
            else
                CHANGE(df, num, page, "overlay annotation", 0,
                       "unsigned signature field '%s' added with an appearance over the page content",
                       name);
        } else if (!covers_content(fz, df, a, page) && df->d->docmdp != 1) {
            CHANGE(df, num, page, "form field", 1, "form field '%s' added (not over content)", name);
        } else {
            CHANGE(df, num, page, "overlay annotation", 0,
                   "form field '%s' added with an appearance over the page content", name);
        }
        return;
    }
    /* libseal draws the second and further placements of one signature
     * (keyword hits, page lists, cross-page strips) as stamps naming the
     * signature's field in /SealField: with that signature, added and
     * signed after this one, they are part of it, like its widget. */
    pdf_obj *sealfield = pdf_dict_gets(fz, a, "SealField");
    if (pdf_name_eq(fz, subtype, PDF_NAME(Stamp)) && pdf_is_string(fz, sealfield)) {
        const char *fname = pdf_to_text_string(fz, sealfield);
        pdf_obj *v = field_value(fz, df->cur, fname);
        if (v && is_later_signature(df, v, fz)) {
            if (df->d->docmdp == 1)
                CHANGE(df, num, page, "signature", 0,
                       "seal of signature '%s' added; DocMDP P=1 forbids any change", fname);
            else
                CHANGE(df, num, page, "signature", 1, "seal of signature '%s' added with it", fname);
            return;
        }
    }
    const char *st = subtype ? pdf_to_name(fz, subtype) : "?";
    if (pdf_name_eq(fz, subtype, PDF_NAME(Popup)) || pdf_name_eq(fz, subtype, PDF_NAME(Link))) {
        if (df->d->docmdp == 1 || df->d->docmdp == 2)
            CHANGE(df, num, page, "annotation", 0, "%s annotation added under DocMDP P=%d", st,
                   df->d->docmdp);
        else
            CHANGE(df, num, page, "annotation", 1, "%s annotation added", st);
        return;
    }
    if (df->d->docmdp == 1 || df->d->docmdp == 2)
        CHANGE(df, num, page, "annotation", 0, "%s annotation added; DocMDP P=%d forbids annotations",
               st, df->d->docmdp);
    else if (covers_content(fz, df, a, page))
        CHANGE(df, num, page, "overlay annotation", 0, "%s annotation added over the page content", st);
    else
        CHANGE(df, num, page, "annotation", 1, "%s annotation added (not over content)", st);
}

static void annots_diff(fz_context *fz, diff *df, int num, pdf_obj *oa, pdf_obj *na, int page)
{
    int no = pdf_array_len(fz, oa), nn = pdf_array_len(fz, na);

    for (int i = 0; i < no && i < 10000; i++) {
        pdf_obj *o = pdf_array_get(fz, oa, i);
        int found = 0;
        for (int k = 0; k < nn && !found && k < 10000; k++)
            found = same_obj(fz, o, pdf_array_get(fz, na, k), 1);
        if (!found)
            CHANGE(df, pdf_to_num(fz, o) ? pdf_to_num(fz, o) : num, page, "annotation removed", 0,
                   "an annotation of page %d was removed", page);
    }
    for (int k = 0; k < nn && k < 10000; k++) {
        pdf_obj *n = pdf_array_get(fz, na, k);
        int found = 0;
        for (int i = 0; i < no && !found; i++)
            found = same_obj(fz, pdf_array_get(fz, oa, i), n, 1);
        if (!found) {
            if (pdf_is_indirect(fz, n) && in_use(fz, df->old, pdf_to_num(fz, n), df->nold))
                CHANGE(df, pdf_to_num(fz, n), page, "overridden object", 0,
                       "page %d lists existing object %d as a new annotation", page, pdf_to_num(fz, n));
            else
                new_annot(fz, df, n, page);
        }
    }
}

static void page_diff(fz_context *fz, diff *df, int num, pdf_obj *o, pdf_obj *n, int page)
{
    int len = pdf_dict_len(fz, o);
    for (int i = 0; i < len; i++) {
        pdf_obj *k = pdf_dict_get_key(fz, o, i);
        pdf_obj *ov = pdf_dict_get_val(fz, o, i), *nv = pdf_dict_get(fz, n, k);
        if (same_obj(fz, ov, nv, 0))
            continue;
        if (pdf_name_eq(fz, k, PDF_NAME(Annots))) {
            annots_diff(fz, df, num, pdf_resolve_indirect(fz, ov), pdf_resolve_indirect(fz, nv), page);
            continue;
        }
        if (pdf_name_eq(fz, k, PDF_NAME(Resources)) && resources_only_added(fz, ov, nv)) {
            CHANGE(df, num, page, "resources", 1, "page %d: resources added (content unchanged)", page);
            continue;
        }
        const char *kind = pdf_name_eq(fz, k, PDF_NAME(Contents))    ? "content"
                           : pdf_name_eq(fz, k, PDF_NAME(Resources)) ? "resources"
                                                                     : "page";
        CHANGE(df, num, page, kind, 0, "page %d: /%s changed", page, pdf_to_name(fz, k));
    }
    for (int i = 0; i < pdf_dict_len(fz, n); i++) {
        pdf_obj *k = pdf_dict_get_key(fz, n, i);
        if (pdf_dict_get(fz, o, k))
            continue;
        if (pdf_name_eq(fz, k, PDF_NAME(Annots)))
            annots_diff(fz, df, num, NULL, pdf_resolve_indirect(fz, pdf_dict_get_val(fz, n, i)), page);
        else
            CHANGE(df, num, page, pdf_name_eq(fz, k, PDF_NAME(Contents)) ? "content" : "page", 0,
                   "page %d: /%s added", page, pdf_to_name(fz, k));
    }
}

/* AcroForm dictionary: fields may only be added; SigFlags and form
 * resources may change. */
static void acroform_diff(fz_context *fz, diff *df, int num, pdf_obj *o, pdf_obj *n)
{
    for (int pass = 0; pass < 2; pass++) {
        pdf_obj *a = pass ? n : o, *b = pass ? o : n;
        for (int i = 0; i < pdf_dict_len(fz, a); i++) {
            pdf_obj *k = pdf_dict_get_key(fz, a, i);
            pdf_obj *av = pdf_dict_get_val(fz, a, i), *bv = pdf_dict_get(fz, b, k);
            if (pass && bv)
                continue; /* compared in the first pass */
            if (same_obj(fz, av, bv, 0))
                continue;
            if (pdf_name_eq(fz, k, PDF_NAME(Fields))) {
                pdf_obj *of = pdf_resolve_indirect(fz, pass ? bv : av);
                pdf_obj *nf = pdf_resolve_indirect(fz, pass ? av : bv);
                int missing = 0;
                for (int x = 0; x < pdf_array_len(fz, of) && x < 10000; x++) {
                    int found = 0;
                    for (int y = 0; y < pdf_array_len(fz, nf) && !found && y < 10000; y++)
                        found = same_obj(fz, pdf_array_get(fz, of, x), pdf_array_get(fz, nf, y), 1);
                    missing += !found;
                }
                int other = 0;
                for (int y = 0; df->d->docmdp == 1 && y < pdf_array_len(fz, nf) && y < 10000; y++) {
                    int found = 0;
                    for (int x = 0; x < pdf_array_len(fz, of) && !found && x < 10000; x++)
                        found = same_obj(fz, pdf_array_get(fz, of, x), pdf_array_get(fz, nf, y), 1);
                    other += !found && !is_doc_ts_field(fz, pdf_array_get(fz, nf, y));
                }
                if (missing)
                    CHANGE(df, num, 0, "form", 0, "%d form field(s) removed from the AcroForm", missing);
                else if (other)
                    CHANGE(df, num, 0, "form", 0, "form fields added; DocMDP P=1 forbids any change");
                else
                    CHANGE(df, num, 0, "form", 1, "form fields added to the AcroForm");
            } else if (pdf_name_eq(fz, k, PDF_NAME(SigFlags)) || pdf_name_eq(fz, k, PDF_NAME(DR)) ||
                       pdf_name_eq(fz, k, PDF_NAME(DA)) ||
                       !strcmp(pdf_to_name(fz, k), "NeedAppearances")) {
                CHANGE(df, num, 0, "form", 1, "AcroForm /%s updated", pdf_to_name(fz, k));
            } else {
                CHANGE(df, num, 0, "form", 0, "AcroForm /%s changed", pdf_to_name(fz, k));
            }
        }
    }
}

/* The name dictionary changed only in its /AP (annotation icon
 * appearances) or /Dests trees; /JavaScript, /EmbeddedFiles and the rest
 * are real changes. */
static int names_harmless(fz_context *fz, pdf_obj *o, pdf_obj *n)
{
    o = pdf_resolve_indirect(fz, o);
    n = pdf_resolve_indirect(fz, n);
    for (int pass = 0; pass < 2; pass++) {
        pdf_obj *a = pass ? n : o, *b = pass ? o : n;
        for (int i = 0; i < pdf_dict_len(fz, a); i++) {
            pdf_obj *k = pdf_dict_get_key(fz, a, i);
            if (same_obj(fz, pdf_dict_get_val(fz, a, i), pdf_dict_get(fz, b, k), 0))
                continue;
            if (strcmp(pdf_to_name(fz, k), "AP") && strcmp(pdf_to_name(fz, k), "Dests"))
                return 0;
        }
    }
    return 1;
}

static void catalog_diff(fz_context *fz, diff *df, int num, pdf_obj *o, pdf_obj *n)
{
    for (int pass = 0; pass < 2; pass++) {
        pdf_obj *a = pass ? n : o, *b = pass ? o : n;
        for (int i = 0; i < pdf_dict_len(fz, a); i++) {
            pdf_obj *k = pdf_dict_get_key(fz, a, i);
            pdf_obj *av = pdf_dict_get_val(fz, a, i), *bv = pdf_dict_get(fz, b, k);
            if (pass && bv)
                continue;
            if (same_obj(fz, av, bv, 0))
                continue;
            const char *key = pdf_to_name(fz, k);
            if (!strcmp(key, "DSS"))
                CHANGE(df, num, 0, "dss", 1, "document security store (DSS) added or updated");
            else if (!strcmp(key, "AcroForm") && !pdf_is_indirect(fz, av) && !pdf_is_indirect(fz, bv))
                acroform_diff(fz, df, num, pass ? bv : av, pass ? av : bv);
            else if (!strcmp(key, "AcroForm") && !(pass ? bv : av))
                CHANGE(df, num, 0, "form", 1, "AcroForm added (for a signature field)");
            else if (!strcmp(key, "Metadata") || !strcmp(key, "Extensions") || !strcmp(key, "Version"))
                CHANGE(df, num, 0, "metadata", 1, "catalog /%s updated", key);
            else if (!strcmp(key, "Names") && names_harmless(fz, pass ? bv : av, pass ? av : bv))
                CHANGE(df, num, 0, "annotation", 1, "named annotation appearances (/Names /AP) updated");
            else if (!strcmp(key, "OCProperties"))
                CHANGE(df, num, 0, "optional content", 0, "optional content (layer) state changed");
            else if (!strcmp(key, "Pages"))
                CHANGE(df, num, 0, "pages", 0, "the page tree was replaced");
            else
                CHANGE(df, num, 0, "catalog", 0, "catalog /%s changed", key);
        }
    }
}

/* A form field whose dictionary changed. */
static void field_diff(fz_context *fz, diff *df, int num, pdf_obj *o, pdf_obj *n, int page)
{
    char name[256], other[64] = "";
    int sig = pdf_name_eq(fz, pdf_dict_get_inheritable(fz, n, PDF_NAME(FT)), PDF_NAME(Sig));
    int value_only = 1, v_changed = 0;

    field_name(fz, n, name, sizeof(name));
    for (int pass = 0; pass < 2; pass++) {
        pdf_obj *a = pass ? n : o, *b = pass ? o : n;
        for (int i = 0; i < pdf_dict_len(fz, a); i++) {
            pdf_obj *k = pdf_dict_get_key(fz, a, i);
            if (pass && pdf_dict_get(fz, b, k))
                continue;
            if (same_obj(fz, pdf_dict_get_val(fz, a, i), pdf_dict_get(fz, b, k), 0))
                continue;
            if (pdf_name_eq(fz, k, PDF_NAME(V)))
                v_changed = 1;
            else if (!pdf_name_eq(fz, k, PDF_NAME(AS)) && !pdf_name_eq(fz, k, PDF_NAME(AP)) &&
                     !pdf_name_eq(fz, k, PDF_NAME(MK)) && !pdf_name_eq(fz, k, PDF_NAME(DA)) &&
                     !(sig && (pdf_name_eq(fz, k, PDF_NAME(Lock)) || pdf_name_eq(fz, k, PDF_NAME(F))))) {
                value_only = 0;
                snprintf(other, sizeof(other), "/%s", pdf_to_name(fz, k));
            }
        }
    }
    int reused = ap_reuses_old(fz, df, o, n);
    if (reused) {
        CHANGE(df, num, page, "overridden object", 0,
               "field '%s' now shows object %d, prepared before signing", name, reused);
        return;
    }
    if (sig) {
        pdf_obj *ov = pdf_dict_get(fz, o, PDF_NAME(V)), *nv = pdf_dict_get(fz, n, PDF_NAME(V));
        pdf_obj *oap = pdf_dict_get(fz, o, PDF_NAME(AP));
        int shared = 0;
        if (!ov && nv && value_only && pdf_is_indirect(fz, oap) &&
            !same_obj(fz, oap, pdf_dict_get(fz, n, PDF_NAME(AP)), 0))
            shared = refs_in_old(fz, df, pdf_to_num(fz, oap)) > 1;
        if (shared)
            CHANGE(df, num, page, "overridden object", 0,
                   "signature field '%s' replaced appearance %d, which is also used elsewhere", name,
                   pdf_to_num(fz, oap));
        else if (!ov && nv && value_only && is_later_signature(df, nv, fz) &&
                 (df->d->docmdp != 1 || is_doc_ts_field(fz, n)))
            CHANGE(df, num, page, "signature", 1, "empty signature field '%s' signed", name);
        else
            CHANGE(df, num, page, "signature", 0, "signature field '%s' changed after signing%s%s", name,
                   other[0] ? ": " : "", other);
        return;
    }
    if (!value_only) {
        CHANGE(df, num, page, "form field", 0, "form field '%s' changed beyond its value (%s)", name,
               other);
        return;
    }
    if (df->d->docmdp == 1) {
        CHANGE(df, num, page, "form fill", 0, "form field '%s' filled; DocMDP P=1 forbids any change",
               name);
        return;
    }
    if (field_locked(df, name)) {
        CHANGE(df, num, page, "form fill", 0, "form field '%s' is locked by this signature (FieldMDP)",
               name);
        return;
    }
    if (df->nfilled < MAX_PENDING)
        df->filled[df->nfilled++] = num;
    CHANGE(df, num, page, "form fill", 1, "form field '%s' %s", name,
           v_changed ? "filled in" : "appearance updated");
}

static int is_field(fz_context *fz, pdf_obj *o)
{
    return pdf_dict_get(fz, o, PDF_NAME(FT)) ||
           (pdf_dict_get(fz, o, PDF_NAME(Parent)) &&
            pdf_name_eq(fz, pdf_dict_get(fz, o, PDF_NAME(Subtype)), PDF_NAME(Widget)));
}

static void classify(fz_context *fz, diff *df, int num, pdf_obj *o, pdf_obj *n)
{
    int role = df->role[num], page = df->page[num];
    pdf_obj *type = pdf_dict_get(fz, o, PDF_NAME(Type));

    if (pdf_name_eq(fz, type, PDF_NAME(XRef)) || pdf_name_eq(fz, type, PDF_NAME(ObjStm)))
        return; /* containers: their objects are compared one by one */
    switch (role) {
    case R_CATALOG: catalog_diff(fz, df, num, o, n); return;
    case R_PAGE: page_diff(fz, df, num, o, n, page); return;
    case R_ANNOTS: annots_diff(fz, df, num, o, n, page); return;
    case R_CONTENT: CHANGE(df, num, page, "content", 0, "page %d: content stream %d changed", page, num); return;
    case R_RESOURCES:
        if (resources_only_added(fz, o, n))
            CHANGE(df, num, page, "resources", 1, "page %d: resources added (content unchanged)", page);
        else
            CHANGE(df, num, page, "resources", 0, "page %d: resources (object %d) changed", page, num);
        return;
    case R_XOBJECT: CHANGE(df, num, page, "xobject", 0, "page %d: XObject %d changed", page, num); return;
    case R_FONT: CHANGE(df, num, page, "font", 0, "page %d: font %d changed", page, num); return;
    case R_PAGES: CHANGE(df, num, 0, "pages", 0, "page tree node %d changed (pages added, removed or moved)", num); return;
    case R_ACROFORM: acroform_diff(fz, df, num, o, n); return;
    case R_FIELDS: {
        pdf_obj *wrap_o = pdf_new_dict(fz, df->old, 1), *wrap_n = NULL;
        fz_try(fz) {
            wrap_n = pdf_new_dict(fz, df->cur, 1);
            pdf_dict_put(fz, wrap_o, PDF_NAME(Fields), o);
            pdf_dict_put(fz, wrap_n, PDF_NAME(Fields), n);
            acroform_diff(fz, df, num, wrap_o, wrap_n);
        }
        fz_always(fz) {
            pdf_drop_obj(fz, wrap_o);
            pdf_drop_obj(fz, wrap_n);
        }
        fz_catch(fz)
            fz_rethrow(fz);
        return;
    }
    case R_DSS: CHANGE(df, num, 0, "dss", 1, "DSS object %d updated", num); return;
    case R_INFO: CHANGE(df, num, 0, "metadata", 1, "document information dictionary updated"); return;
    case R_METADATA: CHANGE(df, num, 0, "metadata", 1, "XMP metadata updated"); return;
    case R_SIGDICT: CHANGE(df, num, 0, "signature", 0, "signature dictionary %d changed after signing", num); return;
    default: break;
    }
    if (pdf_name_eq(fz, type, PDF_NAME(Sig)) || !strcmp(pdf_to_name(fz, type), "DocTimeStamp")) {
        CHANGE(df, num, 0, "signature", 0, "signature dictionary %d changed after signing", num);
        return;
    }
    if (is_field(fz, o) && is_field(fz, n)) {
        field_diff(fz, df, num, o, n, role == R_ANNOT ? page : 0);
        return;
    }
    if (role == R_ANNOT) {
        if (df->d->docmdp == 1 || df->d->docmdp == 2)
            CHANGE(df, num, page, "annotation", 0, "annotation %d changed; DocMDP P=%d forbids it", num,
                   df->d->docmdp);
        else if (covers_content(fz, df, n, page))
            CHANGE(df, num, page, "overlay annotation", 0, "annotation %d changed over the page content", num);
        else
            CHANGE(df, num, page, "annotation", 1, "annotation %d changed", num);
        return;
    }
    if (!pdf_obj_num_is_stream(fz, df->old, num) && resources_only_added(fz, o, n)) {
        CHANGE(df, num, page, "resources", 1, "resource dictionary %d extended (existing names unchanged)", num);
        return;
    }
    /* Perhaps a form field's appearance stream: decided once the filled
     * fields are known. */
    if (df->npending < MAX_PENDING) {
        df->pending[df->npending++] = num;
        return;
    }
    CHANGE(df, num, page, "overridden object", 0, "object %d overridden", num);
}

/* Object numbers an appearance dictionary names (N/D/R, each a stream or
 * a dictionary of state streams). */
static int ap_refs(fz_context *fz, pdf_obj *widget, int target)
{
    pdf_obj *ap = pdf_dict_get(fz, widget, PDF_NAME(AP));
    if (pdf_to_num(fz, ap) == target)
        return 1;
    for (int i = 0; i < pdf_dict_len(fz, ap) && i < 3; i++) {
        pdf_obj *v = pdf_dict_get_val(fz, ap, i);
        if (pdf_to_num(fz, v) == target)
            return 1;
        if (!pdf_is_stream(fz, v))
            for (int k = 0; k < pdf_dict_len(fz, v) && k < 64; k++)
                if (pdf_to_num(fz, pdf_dict_get_val(fz, v, k)) == target)
                    return 1;
    }
    return 0;
}

/* How many references to `target` the signed revision holds (bounded). */
static int count_refs(fz_context *fz, pdf_obj *o, int target, int depth)
{
    int n = 0;
    if (depth > 8)
        return 0;
    if (pdf_is_indirect(fz, o))
        return pdf_to_num(fz, o) == target;
    if (pdf_is_array(fz, o))
        for (int i = 0; i < pdf_array_len(fz, o) && i < 100000; i++)
            n += count_refs(fz, pdf_array_get(fz, o, i), target, depth + 1);
    else if (pdf_is_dict(fz, o))
        for (int i = 0; i < pdf_dict_len(fz, o) && i < 100000; i++)
            n += count_refs(fz, pdf_dict_get_val(fz, o, i), target, depth + 1);
    return n;
}

static int refs_in_old(fz_context *fz, diff *df, int target)
{
    volatile int n = count_refs(fz, pdf_trailer(fz, df->old), target, 0);
    for (volatile int i = 1; i < df->nold && i < MAX_REF_SCAN; i++) {
        if (!in_use(fz, df->old, i, df->nold))
            continue;
        if ((i & 1023) == 0 && seal__vfy_late(df->d))
            return 2; /* no time to look further: assume it is shared */
        pdf_obj *volatile o = NULL;
        fz_try(fz) {
            o = pdf_load_object(fz, df->old, i);
            n += count_refs(fz, o, target, 0);
        }
        fz_always(fz)
            pdf_drop_obj(fz, o);
        fz_catch(fz) {
            /* An unreadable object refers to nothing we can see. */
        }
    }
    return n;
}

/* "stream /XObject /Form" or "dictionary /Font": what an overridden object is. */
static void describe(fz_context *fz, diff *df, int num, char *buf, size_t size)
{
    pdf_obj *volatile o = NULL;
    buf[0] = 0;
    fz_try(fz) {
        o = pdf_load_object(fz, df->cur, num);
        pdf_obj *t = pdf_dict_get(fz, o, PDF_NAME(Type)), *st = pdf_dict_get(fz, o, PDF_NAME(Subtype));
        snprintf(buf, size, " (%s%s%s%s%s)",
                 pdf_obj_num_is_stream(fz, df->cur, num) ? "stream"
                 : pdf_is_dict(fz, o)                    ? "dictionary"
                 : pdf_is_array(fz, o)                   ? "array"
                                                         : "value",
                 t ? " /" : "", t ? pdf_to_name(fz, t) : "", st ? " /" : "", st ? pdf_to_name(fz, st) : "");
    }
    fz_always(fz)
        pdf_drop_obj(fz, o);
    fz_catch(fz)
        buf[0] = 0;
}

static void settle_pending(fz_context *fz, diff *df)
{
    for (int i = 0; i < df->npending; i++) {
        int num = df->pending[i], owner = 0, page = df->page[num];
        for (int f = 0; f < df->nfilled && !owner; f++) {
            pdf_obj *field = pdf_load_object(fz, df->old, df->filled[f]);
            if (ap_refs(fz, field, num))
                owner = df->filled[f];
            pdf_drop_obj(fz, field);
        }
        if (owner && refs_in_old(fz, df, num) <= 1)
            CHANGE(df, num, page, "form fill", 1, "appearance %d of filled field %d updated", num, owner);
        else if (owner)
            CHANGE(df, num, page, "overridden object", 0,
                   "appearance %d of field %d overridden, but it is also drawn elsewhere", num, owner);
        else {
            char what[80];
            describe(fz, df, num, what, sizeof(what));
            CHANGE(df, num, page, "overridden object", 0, "object %d%s overridden", num, what);
        }
    }
}

static void compare(fz_context *fz, diff *df)
{
    pdf_obj *ot = pdf_trailer(fz, df->old), *nt = pdf_trailer(fz, df->cur);
    int max = df->nold > df->ncur ? df->nold : df->ncur;

    if (!same_obj(fz, pdf_dict_get(fz, ot, PDF_NAME(Root)), pdf_dict_get(fz, nt, PDF_NAME(Root)), 0))
        CHANGE(df, 0, 0, "catalog", 0, "the document catalog was replaced");
    if (!same_obj(fz, pdf_dict_get(fz, ot, PDF_NAME(Encrypt)), pdf_dict_get(fz, nt, PDF_NAME(Encrypt)), 0))
        CHANGE(df, 0, 0, "encryption", 0, "the encryption dictionary changed");
    int op = pdf_count_pages(fz, df->old), np = pdf_count_pages(fz, df->cur);
    if (np > op)
        CHANGE(df, 0, op + 1, "page added", 0, "%d page(s) added after signing", np - op);
    else if (np < op)
        CHANGE(df, 0, np + 1, "page removed", 0, "%d page(s) removed after signing", op - np);

    for (int num = 1; num < max && num < MAX_OBJECTS; num++) {
        int ou = in_use(fz, df->old, num, df->nold), nu = in_use(fz, df->cur, num, df->ncur);
        if (!ou)
            continue; /* new objects matter through what refers to them */
        if (!nu) {
            int r = df->role[num];
            if (r == R_PAGE || r == R_CONTENT || r == R_ANNOT || r == R_SIGDICT || r == R_CATALOG ||
                r == R_RESOURCES || r == R_XOBJECT || r == R_FONT || r == R_PAGES)
                CHANGE(df, num, df->page[num], "deleted object", 0, "object %d deleted", num);
            continue;
        }
        if (same_entry(fz, df, num, 0))
            continue;
        pdf_obj *o = NULL, *n = NULL;
        fz_var(o);
        fz_var(n);
        fz_try(fz) {
            o = pdf_load_object(fz, df->old, num);
            n = pdf_load_object(fz, df->cur, num);
            if (!same_value(fz, df, num, o, n))
                classify(fz, df, num, o, n);
        }
        fz_always(fz) {
            pdf_drop_obj(fz, o);
            pdf_drop_obj(fz, n);
        }
        fz_catch(fz) {
            if (fz_caught(fz) == FZ_ERROR_MEMORY)
                fz_rethrow(fz);
            CHANGE(df, num, df->page[num], "overridden object", 0,
                   "object %d changed and cannot be read", num);
        }
    }
    settle_pending(fz, df);
}

void seal__vfy_changes(seal_ctx *ctx, vdoc *d, vsig *s)
{
    fz_context *fz = ctx->fz;
    diff df;

    s->r.changes_after = SEAL_CHANGES_NONE;
    if ((size_t)s->rev_end >= d->len)
        return;
    memset(&df, 0, sizeof(df));
    df.ctx = ctx;
    df.d = d;
    df.s = s;
    df.cur = d->doc;
    for (size_t r = 0; r < d->nrevs; r++)
        if (d->rev_ends[r] > s->rev_end) {
            df.revision = (int)r + 1;
            break;
        }
    if (!df.revision)
        df.revision = (int)d->nrevs + 1;

    fz_var(df.old);
    fz_var(df.role);
    fz_var(df.page);
    fz_var(df.content_bbox);
    fz_try(fz) {
        df.old = seal__vfy_open_prefix(ctx, d->data, (size_t)s->rev_end, d->password);
        df.nold = pdf_xref_len(fz, df.old);
        df.ncur = pdf_xref_len(fz, df.cur);
        if (df.nold > MAX_OBJECTS)
            df.nold = MAX_OBJECTS;
        df.role = fz_calloc(fz, (size_t)df.nold + 1, 1);
        df.page = fz_calloc(fz, (size_t)df.nold + 1, sizeof(int));
        df.npages = pdf_count_pages(fz, df.cur);
        df.content_bbox = fz_malloc_array(fz, df.npages > 0 ? df.npages : 1, fz_rect);
        for (int i = 0; i < df.npages; i++)
            df.content_bbox[i] = fz_empty_rect;
        map_roles(fz, &df);
        compare(fz, &df);
        /* Bytes after the last revision that no cross-reference section
         * describes: another reader may take them for an update. */
        if (d->nrevs && (size_t)d->rev_ends[d->nrevs - 1] < d->len) {
            int junk = 0;
            for (size_t i = (size_t)d->rev_ends[d->nrevs - 1]; i < d->len && !junk; i++)
                junk = !(d->data[i] == ' ' || d->data[i] == '\r' || d->data[i] == '\n' ||
                         d->data[i] == '\t' || d->data[i] == 0 || d->data[i] == '\f');
            if (junk)
                CHANGE(&df, 0, 0, "unsigned data", 0,
                       "%zu bytes after the last %%%%EOF that no revision accounts for",
                       d->len - (size_t)d->rev_ends[d->nrevs - 1]);
        }
    }
    fz_always(fz) {
        pdf_drop_document(fz, df.bdoc);
        pdf_drop_document(fz, df.old);
        fz_free(fz, df.role);
        fz_free(fz, df.page);
        fz_free(fz, df.content_bbox);
    }
    fz_catch(fz) {
        if (fz_caught(fz) == FZ_ERROR_MEMORY)
            fz_rethrow(fz);
        /* The signed revision cannot be read on its own: what it showed
         * cannot be compared with what is shown now. */
        seal__vfy_add_change(s, df.revision, 0, 0, "unreadable revision", 0,
                             "the signed revision cannot be opened on its own: %s",
                             fz_caught_message(fz));
    }
}
