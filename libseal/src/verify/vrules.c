/*
 * The rules of the structural judge (see changes.c): what an object that
 * changed, or a new one, may be, judged by each role it has.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "vjudge.h"

#include <stdlib.h>
#include <string.h>

/* Annotation flags that decide whether it is shown: Invisible, Hidden,
 * NoView. */
#define VISIBILITY (1 | 2 | 32)

#define cap seal__vj_cap
#define page_of seal__vj_page_of

/* ------------------------------------------------------------ comparing */

/* Equal values; references are equal when they name the same object. */
int seal__vj_same_obj(fz_context *fz, pdf_obj *a, pdf_obj *b, int depth)
{
    if (depth > 48)
        return 0;
    if (pdf_is_indirect(fz, a) || pdf_is_indirect(fz, b))
        return pdf_is_indirect(fz, a) && pdf_is_indirect(fz, b) &&
               pdf_to_num(fz, a) == pdf_to_num(fz, b) && pdf_to_gen(fz, a) == pdf_to_gen(fz, b);
    if (!a || !b || pdf_is_null(fz, a) || pdf_is_null(fz, b))
        return (!a || pdf_is_null(fz, a)) && (!b || pdf_is_null(fz, b));
    if (pdf_is_bool(fz, a))
        return pdf_is_bool(fz, b) && pdf_to_bool(fz, a) == pdf_to_bool(fz, b);
    if (pdf_is_number(fz, a))
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
            if (!seal__vj_same_obj(fz, pdf_array_get(fz, a, i), pdf_array_get(fz, b, i), depth + 1))
                return 0;
        return 1;
    }
    if (pdf_is_dict(fz, a)) {
        int n = pdf_dict_len(fz, a);
        if (!pdf_is_dict(fz, b) || n != pdf_dict_len(fz, b))
            return 0;
        for (int i = 0; i < n; i++)
            if (!seal__vj_same_obj(fz, pdf_dict_get_val(fz, a, i), pdf_dict_get(fz, b, pdf_dict_get_key(fz, a, i)),
                          depth + 1))
                return 0;
        return 1;
    }
    return 0;
}

/* Same value, a stream's raw bytes included. */
int seal__vj_same_value(judge *j, int num, pdf_obj *a, pdf_obj *b)
{
    fz_context *fz = j->fz;
    fz_buffer *volatile ba = NULL, *volatile bb = NULL;
    volatile int same = 0;

    if (!seal__vj_same_obj(fz, a, b, 0))
        return 0;
    int sa = pdf_obj_num_is_stream(fz, j->old, num), sb = pdf_obj_num_is_stream(fz, j->cur, num);
    if (sa != sb)
        return 0;
    if (!sa)
        return 1;
    fz_try(fz) {
        ba = pdf_load_raw_stream_number(fz, j->old, num);
        bb = pdf_load_raw_stream_number(fz, j->cur, num);
        unsigned char *pa, *pb;
        size_t la = fz_buffer_storage(fz, ba, &pa), lb = fz_buffer_storage(fz, bb, &pb);
        same = la == lb && !memcmp(pa, pb, la);
    }
    fz_always(fz) {
        fz_drop_buffer(fz, ba);
        fz_drop_buffer(fz, bb);
    }
    fz_catch(fz) {
        if (fz_caught(fz) == FZ_ERROR_MEMORY)
            fz_rethrow(fz);
        same = 0;
    }
    return same;
}

/*
 * Is the value now (b) the value signed (a), where b may reach new objects
 * that only copy old ones (a tool that rewrites a page's /Resources as a
 * new, identical dictionary)? References to old objects must name the
 * same object; streams are never copies. New objects found to be copies
 * are recorded in marks.
 */
static int equiv(judge *j, pdf_obj *a, pdf_obj *b, int depth, int *marks, int *nmarks)
{
    fz_context *fz = j->fz;
    if (depth > 16)
        return 0;
    if (pdf_is_indirect(fz, b) && !(pdf_is_indirect(fz, a) && pdf_to_num(fz, a) == pdf_to_num(fz, b))) {
        int num = pdf_to_num(fz, b);
        if (num <= 0 || num >= j->n || j->kind[num] != K_NEW || pdf_is_stream(fz, b) || *nmarks >= 64)
            return 0;
        marks[(*nmarks)++] = num;
        return equiv(j, pdf_resolve_indirect(fz, a), pdf_resolve_indirect(fz, b), depth + 1, marks, nmarks);
    }
    if (pdf_is_indirect(fz, a) || pdf_is_indirect(fz, b))
        return seal__vj_same_obj(fz, a, b, 0);
    if (pdf_is_array(fz, a) && pdf_is_array(fz, b)) {
        int n = pdf_array_len(fz, a);
        if (n != pdf_array_len(fz, b) || n > 4096)
            return 0;
        for (int i = 0; i < n; i++)
            if (!equiv(j, pdf_array_get(fz, a, i), pdf_array_get(fz, b, i), depth + 1, marks, nmarks))
                return 0;
        return 1;
    }
    if (pdf_is_dict(fz, a) && pdf_is_dict(fz, b)) {
        int n = pdf_dict_len(fz, a);
        if (n != pdf_dict_len(fz, b) || n > 4096)
            return 0;
        for (int i = 0; i < n; i++)
            if (!equiv(j, pdf_dict_get_val(fz, a, i), pdf_dict_get(fz, b, pdf_dict_get_key(fz, a, i)), depth + 1,
                       marks, nmarks))
                return 0;
        return 1;
    }
    return seal__vj_same_obj(fz, a, b, 0);
}

/* Equal, or an identical copy in new objects (which are then no change). */
static int same_or_copy(judge *j, pdf_obj *a, pdf_obj *b)
{
    int marks[64], nmarks = 0;
    if (seal__vj_same_obj(j->fz, a, b, 0))
        return 1;
    if (!a || !b || !equiv(j, a, b, 0, marks, &nmarks))
        return 0;
    for (int i = 0; i < nmarks; i++)
        j->kind[marks[i]] = K_COPY;
    return 1;
}

/* The keys whose values differ between dictionaries o and n. */
static int diff_keys_j(judge *j, fz_context *fz, pdf_obj *o, pdf_obj *n, const char **keys, int max)
{
    int count = 0;
    for (int pass = 0; pass < 2; pass++) {
        pdf_obj *a = pass ? n : o, *b = pass ? o : n;
        for (int i = 0; i < pdf_dict_len(fz, a); i++) {
            pdf_obj *k = pdf_dict_get_key(fz, a, i);
            if (pass && pdf_dict_get(fz, b, k))
                continue; /* compared in the first pass */
            if (seal__vj_same_obj(fz, pdf_dict_get_val(fz, a, i), pdf_dict_get(fz, b, k), 0))
                continue;
            if (j && !pass && same_or_copy(j, pdf_dict_get_val(fz, a, i), pdf_dict_get(fz, b, k)))
                continue;
            if (count < max)
                keys[count] = pdf_to_name(fz, k);
            count++;
        }
    }
    return count;
}

#define diff_keys(fz, o, n, keys, max) diff_keys_j(j, fz, o, n, keys, max)

static int has_key(const char **keys, int n, const char *k)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(keys[i], k))
            return 1;
    return 0;
}

/* ------------------------------------------------------------ fields */

static const char *field_name(fz_context *fz, pdf_obj *field, char *buf, size_t size)
{
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

static int field_locked(judge *j, const char *name)
{
    vsig *s = j->s;
    int listed = 0;
    if (!s->lock_all)
        return 0;
    if (s->lock_all == 1)
        return 1;
    for (int i = 0; i < s->nlock_fields; i++)
        if (!strcmp(s->lock_fields[i], name))
            listed = 1;
    return s->lock_all == 2 ? listed : !listed;
}

/* A signature of this document made after the one judged. */
static vsig *later_signature_num(judge *j, int num)
{
    for (size_t i = 0; i < j->d->nsigs; i++) {
        vsig *t = &j->d->sigs[i];
        if (t != j->s && num > 0 && t->sig_num == num && t->rev_end > j->s->rev_end && !t->hidden)
            return t;
    }
    return NULL;
}

static vsig *later_signature(judge *j, pdf_obj *v)
{
    return later_signature_num(j, pdf_to_num(j->fz, v));
}

/* DocMDP P=1 permits no change but a document time-stamp (ISO 32000-2). */
static int p1_forbids(judge *j, vsig *t)
{
    return j->d->docmdp == 1 && !(t && t->doc_ts);
}

static pdf_obj *field_value(fz_context *fz, pdf_document *doc, const char *name)
{
    pdf_obj *fields = pdf_dict_getp(fz, pdf_trailer(fz, doc), "Root/AcroForm/Fields");
    int n = pdf_array_len(fz, fields);
    for (int i = 0; i < n && i < MAX_LIST; i++) {
        pdf_obj *f = pdf_array_get(fz, fields, i);
        if (!strcmp(pdf_dict_get_text_string(fz, f, PDF_NAME(T)), name))
            return pdf_dict_get(fz, f, PDF_NAME(V));
    }
    return NULL;
}

/* ------------------------------------------------------------ appearances */

void seal__vj_describe(fz_context *fz, pdf_obj *o, char *buf, size_t size)
{
    pdf_obj *type = pdf_dict_get(fz, o, PDF_NAME(Type)), *st = pdf_dict_get(fz, o, PDF_NAME(Subtype));
    pdf_obj *s = pdf_dict_get(fz, o, PDF_NAME(S));
    const char *what = pdf_is_stream(fz, o) ? "content stream" : pdf_is_array(fz, o) ? "array" : "dictionary";

    if (pdf_name_eq(fz, st, PDF_NAME(Image)))
        what = "image XObject";
    else if (pdf_name_eq(fz, st, PDF_NAME(Form)))
        what = "form XObject";
    else if (pdf_name_eq(fz, type, PDF_NAME(Font)) || pdf_dict_get(fz, o, PDF_NAME(BaseFont)))
        what = "font";
    else if (pdf_name_eq(fz, type, PDF_NAME(FontDescriptor)))
        what = "font descriptor";
    else if (pdf_name_eq(fz, type, PDF_NAME(OCG)) || pdf_name_eq(fz, type, PDF_NAME(OCMD)))
        what = "optional content group (layer)";
    else if (pdf_dict_get(fz, o, PDF_NAME(OCGs)))
        what = "optional content (OCG) properties: which layers show";
    else if (pdf_name_eq(fz, s, PDF_NAME(JavaScript)))
        what = "JavaScript action";
    else if (pdf_is_name(fz, s) && (pdf_name_eq(fz, type, PDF_NAME(Action)) || pdf_dict_get(fz, o, PDF_NAME(Next))))
        what = "action";
    else if (pdf_name_eq(fz, type, PDF_NAME(Annot)))
        what = "annotation";
    else if (pdf_name_eq(fz, type, PDF_NAME(Page)))
        what = "page";
    else if (pdf_dict_get(fz, o, PDF_NAME(Font)) || pdf_dict_get(fz, o, PDF_NAME(XObject)) ||
             pdf_dict_get(fz, o, PDF_NAME(ProcSet)) || pdf_dict_get(fz, o, PDF_NAME(ExtGState)))
        what = "resource dictionary";
    else if (pdf_is_dict(fz, o) && pdf_is_name(fz, s))
        what = "action";
    snprintf(buf, size, "%s", what);
}

static int is_plain_font(fz_context *fz, pdf_obj *o)
{
    return pdf_name_eq(fz, pdf_dict_get(fz, o, PDF_NAME(Type)), PDF_NAME(Font)) &&
           !pdf_name_eq(fz, pdf_dict_get(fz, o, PDF_NAME(Subtype)), PDF_NAME(Type3));
}

static int ap_walk(judge *j, pdf_obj *v, pdf_obj *old_ap, int depth, int *budget);

/* Does an appearance (as shown now) draw an object of the signed revision
 * that its annotation did not draw then (content prepared before signing
 * and revealed after)? Returns that object's number, or 0. Fonts, which
 * draw nothing of their own, may be shared. */
static int ap_old_object(judge *j, pdf_obj *ap, pdf_obj *old_ap)
{
    int budget = MAX_AP_WALK;
    j->epoch++;
    int r = ap_walk(j, ap, old_ap, 0, &budget);
    if (budget <= 0)
        cap(j, "an appearance refers to more than %d objects", MAX_AP_WALK);
    return r;
}

static int refers_to(fz_context *fz, pdf_obj *v, int num, int depth)
{
    if (pdf_is_indirect(fz, v))
        return pdf_to_num(fz, v) == num;
    if (depth > 4)
        return 0;
    if (pdf_is_array(fz, v)) {
        for (int i = 0; i < pdf_array_len(fz, v) && i < 256; i++)
            if (refers_to(fz, pdf_array_get(fz, v, i), num, depth + 1))
                return 1;
    } else if (pdf_is_dict(fz, v)) {
        for (int i = 0; i < pdf_dict_len(fz, v) && i < 256; i++)
            if (refers_to(fz, pdf_dict_get_val(fz, v, i), num, depth + 1))
                return 1;
    }
    return 0;
}

static int ap_walk(judge *j, pdf_obj *v, pdf_obj *old_ap, int depth, int *budget)
{
    fz_context *fz = j->fz;
    if (--*budget <= 0 || depth > 24)
        return 0;
    if (pdf_is_indirect(fz, v)) {
        int num = pdf_to_num(fz, v);
        if (num <= 0 || num >= j->n || j->mark[num] == j->epoch)
            return 0;
        j->mark[num] = j->epoch;
        if (j->kind[num] != K_NEW && seal__vroles_in_use(fz, j->old, num)) {
            if (old_ap && refers_to(fz, old_ap, num, 0))
                return 0; /* it drew this before */
            pdf_obj *o = pdf_resolve_indirect(fz, v);
            return is_plain_font(fz, o) ? 0 : num;
        }
        v = pdf_resolve_indirect(fz, v);
    }
    if (pdf_is_array(fz, v)) {
        for (int i = 0; i < pdf_array_len(fz, v); i++) {
            int r = ap_walk(j, pdf_array_get(fz, v, i), old_ap, depth + 1, budget);
            if (r)
                return r;
        }
    } else if (pdf_is_dict(fz, v)) {
        for (int i = 0; i < pdf_dict_len(fz, v); i++) {
            if (pdf_name_eq(fz, pdf_dict_get_key(fz, v, i), PDF_NAME(Parent)))
                continue;
            int r = ap_walk(j, pdf_dict_get_val(fz, v, i), old_ap, depth + 1, budget);
            if (r)
                return r;
        }
    }
    return 0;
}

/* Annotation flags viewers disagree on, on an annotation that draws
 * something: Invisible (honoured by some viewers on standard types),
 * Hidden, NoView (shown in print only). Assume the most revealing viewer:
 * such an annotation is content some reader shows. */
static int draws(fz_context *fz, pdf_obj *a)
{
    fz_rect r = pdf_dict_get_rect(fz, a, PDF_NAME(Rect));
    return (r.x1 - r.x0) > 0.5f && (r.y1 - r.y0) > 0.5f && pdf_dict_getp(fz, a, "AP/N");
}

static const char *flag_trouble(fz_context *fz, pdf_obj *a)
{
    int f = pdf_dict_get_int(fz, a, PDF_NAME(F));
    if (!draws(fz, a))
        return NULL;
    if (f & 2)
        return "Hidden";
    if (f & 32)
        return "NoView";
    if (f & 1)
        return "Invisible";
    return NULL;
}

/* ------------------------------------------------------------ rules */

static int is_field(fz_context *fz, pdf_obj *o)
{
    return pdf_dict_get(fz, o, PDF_NAME(FT)) || pdf_dict_get(fz, o, PDF_NAME(Parent)) ||
           pdf_dict_get(fz, o, PDF_NAME(T));
}

static void add_fill(judge *j, int num, pdf_obj *widget)
{
    vsig *s = j->s;
    int page = page_of(j, num);
    if (!page || s->nfills >= MAX_FILLS)
        return;
    if (!s->fills && !(s->fills = calloc(MAX_FILLS, sizeof(vrect))))
        return;
    fz_rect r = pdf_dict_get_rect(j->fz, widget, PDF_NAME(Rect));
    s->fills[s->nfills++] = (vrect){page, {r.x0, r.y0, r.x1, r.y1}};
}

/* A widget's checks, new or changed: flags and what its appearance draws. */
static int widget_ok(judge *j, int num, pdf_obj *o, pdf_obj *n, const char *what)
{
    fz_context *fz = j->fz;
    const char *flag = flag_trouble(fz, n);
    int pg = page_of(j, num);
    if (flag && (!o || (pdf_dict_get_int(fz, o, PDF_NAME(F)) != pdf_dict_get_int(fz, n, PDF_NAME(F))))) {
        CHANGE(j, num, pg, "viewer differential", 0,
               "%s %d draws an appearance but is flagged %s: viewers disagree whether to show it", what, num,
               flag);
        return 0;
    }
    int reused = ap_old_object(j, pdf_dict_get(fz, n, PDF_NAME(AP)), o ? pdf_dict_get(fz, o, PDF_NAME(AP)) : NULL);
    if (reused) {
        CHANGE(j, num, pg, "shadow content", 0,
               "%s %d now draws object %d, which was prepared before signing", what, num, reused);
        return 0;
    }
    return 1;
}

static void rule_field(judge *j, int num, pdf_obj *o, pdf_obj *n)
{
    fz_context *fz = j->fz;
    const char *keys[32];
    char name[256];
    int nk = diff_keys(fz, o, n, keys, 32), pg = page_of(j, num);
    int sig = pdf_name_eq(fz, pdf_dict_get_inheritable(fz, n, PDF_NAME(FT)), PDF_NAME(Sig)) ||
              pdf_name_eq(fz, pdf_dict_get_inheritable(fz, o, PDF_NAME(FT)), PDF_NAME(Sig));

    field_name(fz, n, name, sizeof(name));
    if (sig) {
        /* A widget kid of a signed field holds no /V of its own: the
         * field's value is inherited. */
        pdf_obj *ov = pdf_dict_get_inheritable(fz, o, PDF_NAME(V)), *nv = pdf_dict_get(fz, n, PDF_NAME(V));
        vsig *t = later_signature(j, nv);
        if (ov) {
            CHANGE(j, num, pg, "signature", 0, "signed field '%s' changed after signing (/%s)", name,
                   nk ? keys[0] : "?");
            return;
        }
        for (int i = 0; i < nk && i < 32; i++) {
            const char *k = keys[i];
            int fine = !strcmp(k, "AP") || !strcmp(k, "AS") || !strcmp(k, "P") || !strcmp(k, "DA") ||
                       !strcmp(k, "MK") ||
                       (!strcmp(k, "V") && t) ||
                       (!strcmp(k, "F") && !((pdf_dict_get_int(fz, n, PDF_NAME(F)) ^
                                              pdf_dict_get_int(fz, o, PDF_NAME(F))) & VISIBILITY));
            if (!fine) {
                CHANGE(j, num, pg, "signature", 0, "signature field '%s': /%s changed%s", name, k,
                       !strcmp(k, "V") ? " to a value that is no signature of this document" : "");
                return;
            }
        }
        if (p1_forbids(j, t)) {
            CHANGE(j, num, pg, "signature", 0, "signature field '%s' signed; DocMDP P=1 forbids any change", name);
            return;
        }
        if (widget_ok(j, num, o, n, "signature field"))
            CHANGE(j, num, pg, "signature", 1, "empty signature field '%s' %s", name, t ? "signed" : "updated");
        return;
    }
    for (int i = 0; i < nk && i < 32; i++)
        if (strcmp(keys[i], "V") && strcmp(keys[i], "AS") && strcmp(keys[i], "AP") && strcmp(keys[i], "RV") &&
            strcmp(keys[i], "DA") && strcmp(keys[i], "MK") &&
            !(!strcmp(keys[i], "F") &&
              !((pdf_dict_get_int(fz, n, PDF_NAME(F)) ^ pdf_dict_get_int(fz, o, PDF_NAME(F))) & VISIBILITY))) {
            CHANGE(j, num, pg, "form field", 0, "form field '%s' changed beyond its value (/%s)", name, keys[i]);
            return;
        }
    if (j->d->docmdp == 1) {
        CHANGE(j, num, pg, "form fill", 0, "form field '%s' filled; DocMDP P=1 forbids any change", name);
        return;
    }
    if (field_locked(j, name)) {
        CHANGE(j, num, pg, "form fill", 0, "form field '%s' is locked by this signature (FieldMDP)", name);
        return;
    }
    if (!widget_ok(j, num, o, n, "form field"))
        return;
    if (j->nfilled < MAX_PENDING)
        j->filled[j->nfilled++] = num;
    /* Filling an empty field may draw where nothing was: the rendering
     * judge lets its widgets change. */
    pdf_obj *ov = pdf_dict_get(fz, o, PDF_NAME(V));
    if (!ov || (pdf_is_string(fz, ov) && pdf_to_str_len(fz, ov) == 0) ||
        pdf_name_eq(fz, ov, PDF_NAME(Off))) {
        pdf_obj *kids = pdf_dict_get(fz, n, PDF_NAME(Kids));
        if (!kids)
            add_fill(j, num, n);
        for (int i = 0; i < pdf_array_len(fz, kids) && i < 64; i++)
            add_fill(j, pdf_to_num(fz, pdf_array_get(fz, kids, i)), pdf_array_get(fz, kids, i));
    }
    CHANGE(j, num, pg, "form fill", 1, "form field '%s' %s", name,
           has_key(keys, nk < 32 ? nk : 32, "V") ? "filled in" : "appearance updated");
}

static void rule_annot(judge *j, int num, pdf_obj *o, pdf_obj *n)
{
    fz_context *fz = j->fz;
    int pg = page_of(j, num);
    if (j->d->docmdp == 1 || j->d->docmdp == 2) {
        CHANGE(j, num, pg, "annotation", 0, "annotation %d changed; DocMDP P=%d forbids it", num, j->d->docmdp);
        return;
    }
    int of = pdf_dict_get_int(fz, o, PDF_NAME(F)), nf = pdf_dict_get_int(fz, n, PDF_NAME(F));
    if ((of ^ nf) & VISIBILITY) {
        CHANGE(j, num, pg, "viewer differential", 0,
               "annotation %d: its visibility flags changed (/F %d to %d)", num, of, nf);
        return;
    }
    if (widget_ok(j, num, o, n, "annotation"))
        CHANGE(j, num, pg, "annotation", 1, "annotation %d changed", num);
}

/* An array of references (a page's /Annots, the form's /Fields) may only
 * gain new objects. */
static void rule_list(judge *j, int num, pdf_obj *oa, pdf_obj *na, int page, const char *what)
{
    fz_context *fz = j->fz;
    int no = pdf_array_len(fz, oa), nn = pdf_array_len(fz, na);
    char name[256];

    if (no > MAX_LIST || nn > MAX_LIST) {
        cap(j, "%s: %d entries, over the limit of %d examined", what, no > nn ? no : nn, MAX_LIST);
        return;
    }
    for (int i = 0; i < no; i++) {
        pdf_obj *o = pdf_array_get(fz, oa, i);
        int found = 0;
        for (int k = 0; k < nn && !found; k++)
            found = seal__vj_same_obj(fz, o, pdf_array_get(fz, na, k), 1);
        if (found)
            continue;
        pdf_obj *r = pdf_resolve_indirect(fz, o);
        if (pdf_name_eq(fz, pdf_dict_get_inheritable(fz, r, PDF_NAME(FT)), PDF_NAME(Sig)))
            CHANGE(j, pdf_to_num(fz, o), page, "signature removed", 0, "signature field '%s' removed from %s",
                   field_name(fz, r, name, sizeof(name)), what);
        else
            CHANGE(j, pdf_to_num(fz, o) ? pdf_to_num(fz, o) : num, page, "removed", 0,
                   "object %d removed from %s", pdf_to_num(fz, o), what);
    }
    for (int k = 0; k < nn; k++) {
        pdf_obj *e = pdf_array_get(fz, na, k);
        int found = 0, en = pdf_to_num(fz, e);
        for (int i = 0; i < no && !found; i++)
            found = seal__vj_same_obj(fz, pdf_array_get(fz, oa, i), e, 1);
        if (found)
            continue;
        if (!pdf_is_indirect(fz, e))
            CHANGE(j, num, page, "added", 0, "a direct object added to %s", what);
        else if (en <= 0 || en >= j->n || j->kind[en] != K_NEW)
            CHANGE(j, en, page, "overridden object", 0, "%s lists object %d of the signed revision as new", what, en);
    }
}

static void rule_acroform(judge *j, int num, pdf_obj *o, pdf_obj *n)
{
    fz_context *fz = j->fz;
    const char *keys[32];
    int nk = diff_keys(fz, o, n, keys, 32);
    int need = pdf_to_bool(fz, pdf_dict_gets(fz, n, "NeedAppearances"));

    for (int i = 0; i < nk && i < 32; i++) {
        const char *k = keys[i];
        pdf_obj *ov = pdf_dict_gets(fz, o, k), *nv = pdf_dict_gets(fz, n, k);
        if (!strcmp(k, "Fields")) {
            rule_list(j, num, pdf_resolve_indirect(fz, ov), pdf_resolve_indirect(fz, nv), 0, "the form's fields");
        } else if (!strcmp(k, "SigFlags")) {
            CHANGE(j, num, 0, "form", 1, "AcroForm /SigFlags updated");
        } else if (!strcmp(k, "NeedAppearances")) {
            if (need)
                CHANGE(j, num, 0, "viewer differential", 0,
                       "/NeedAppearances set: viewers would redraw every field their own way");
            else
                CHANGE(j, num, 0, "form", 1, "/NeedAppearances cleared");
        } else if ((!strcmp(k, "DR") || !strcmp(k, "DA")) && !need) {
            CHANGE(j, num, 0, "form", 1, "AcroForm /%s updated", k);
        } else {
            CHANGE(j, num, 0, "form", 0, "AcroForm /%s changed%s", k,
                   need ? " while /NeedAppearances asks viewers to redraw fields" : "");
        }
    }
}

/* The name dictionary changed only in its /AP tree (named annotation
 * appearances, which annotation tools add); /JavaScript, /EmbeddedFiles
 * and the rest are real changes. */
static int names_only_ap(fz_context *fz, pdf_obj *o, pdf_obj *n)
{
    const char *keys[16];
    int nk = diff_keys_j(NULL, fz, o, n, keys, 16);
    for (int i = 0; i < nk && i < 16; i++)
        if (strcmp(keys[i], "AP"))
            return 0;
    return nk <= 16;
}

static void rule_names(judge *j, int num)
{
    if (j->d->docmdp == 1 || j->d->docmdp == 2)
        CHANGE(j, num, 0, "annotation", 0, "named annotation appearances changed; DocMDP P=%d forbids annotations",
               j->d->docmdp);
    else
        CHANGE(j, num, 0, "annotation", 1, "named annotation appearances (/Names /AP) updated");
}

static void rule_catalog(judge *j, int num, pdf_obj *o, pdf_obj *n)
{
    fz_context *fz = j->fz;
    const char *keys[32];
    int nk = diff_keys(fz, o, n, keys, 32);

    for (int i = 0; i < nk && i < 32; i++) {
        const char *k = keys[i];
        pdf_obj *ov = pdf_dict_gets(fz, o, k), *nv = pdf_dict_gets(fz, n, k);
        if (!strcmp(k, "DSS"))
            CHANGE(j, num, 0, "dss", 1, "document security store (DSS) added or updated");
        else if (!strcmp(k, "AcroForm") && !ov)
            CHANGE(j, num, 0, "form", 1, "AcroForm added");
        else if (!strcmp(k, "AcroForm") && nv && !pdf_is_indirect(fz, ov) && !pdf_is_indirect(fz, nv))
            rule_acroform(j, num, ov, nv);
        else if (!strcmp(k, "AcroForm") && nv && pdf_is_indirect(fz, nv) && j->kind[pdf_to_num(fz, nv)] == K_NEW)
            rule_acroform(j, pdf_to_num(fz, nv), pdf_resolve_indirect(fz, ov), pdf_resolve_indirect(fz, nv));
        else if (!strcmp(k, "Metadata") || !strcmp(k, "Extensions") || !strcmp(k, "Version") ||
                 !strcmp(k, "MarkInfo"))
            CHANGE(j, num, 0, "metadata", 1, "catalog /%s updated", k);
        else if (!strcmp(k, "Names") && names_only_ap(fz, pdf_resolve_indirect(fz, ov), pdf_resolve_indirect(fz, nv)))
            rule_names(j, num);
        else if (!strcmp(k, "StructTreeRoot") && !ov)
            CHANGE(j, num, 0, "structure", 1, "structure tree added");
        else
            CHANGE(j, num, 0, "catalog", 0, "catalog /%s changed%s", k,
                   !strcmp(k, "OCProperties")                    ? " (optional content: which layers show)"
                   : !strcmp(k, "OpenAction") || !strcmp(k, "AA") ? " (an action run on opening)"
                   : !strcmp(k, "Names")                          ? " (named JavaScript actions, files or destinations)"
                                                                  : "");
    }
}

static void rule_page(judge *j, int num, pdf_obj *o, pdf_obj *n)
{
    fz_context *fz = j->fz;
    const char *keys[32];
    int nk = diff_keys(fz, o, n, keys, 32), pg = page_of(j, num);

    for (int i = 0; i < nk && i < 32; i++) {
        const char *k = keys[i];
        if (!strcmp(k, "Annots")) {
            rule_list(j, num, pdf_dict_get(fz, o, PDF_NAME(Annots)), pdf_dict_get(fz, n, PDF_NAME(Annots)), pg,
                      "the page's annotations");
            continue;
        }
        CHANGE(j, num, pg, !strcmp(k, "Contents") ? "content" : !strcmp(k, "Resources") ? "resources" : "page", 0,
               "page %d: /%s changed", pg, k);
    }
}

/* Every reference inside a value (bounded). */
static int collect_refs(fz_context *fz, pdf_obj *v, int *out, int max, int n, int depth)
{
    if (pdf_is_indirect(fz, v)) {
        if (n < max)
            out[n] = pdf_to_num(fz, v);
        return n + 1;
    }
    if (depth > 32)
        return n;
    if (pdf_is_array(fz, v))
        for (int i = 0; i < pdf_array_len(fz, v); i++)
            n = collect_refs(fz, pdf_array_get(fz, v, i), out, max, n, depth + 1);
    else if (pdf_is_dict(fz, v))
        for (int i = 0; i < pdf_dict_len(fz, v); i++)
            n = collect_refs(fz, pdf_dict_get_val(fz, v, i), out, max, n, depth + 1);
    return n;
}

static int contains(const int *a, int n, int x)
{
    for (int i = 0; i < n; i++)
        if (a[i] == x)
            return 1;
    return 0;
}

/* A structure-tree object may only gain entries for new objects (or name
 * existing pages and annotations, as a new element's /Pg and /Obj do). */
static void rule_struct(judge *j, int num, pdf_obj *o, pdf_obj *n)
{
    enum { MAXR = 20000 };
    int *a = fz_malloc_array(j->fz, 2 * MAXR, int), *b = a + MAXR;
    int na = collect_refs(j->fz, o, a, MAXR, 0, 0), nb = collect_refs(j->fz, n, b, MAXR, 0, 0);
    const char *bad = NULL;
    int which = 0;

    if (na > MAXR || nb > MAXR) {
        cap(j, "structure-tree object %d refers to more than %d objects", num, MAXR);
    } else {
        for (int i = 0; i < na && !bad; i++)
            if (!contains(b, nb, a[i]))
                bad = "no longer refers to", which = a[i];
        for (int i = 0; i < nb && !bad; i++) {
            int x = b[i];
            if (contains(a, na, x) || x <= 0 || x >= j->n)
                continue;
            if (j->kind[x] != K_NEW && !(j->ro.role[x] & (VR_PAGE | VR_ANNOT)))
                bad = "now refers to", which = x;
        }
        if (bad)
            CHANGE(j, num, 0, "structure", 0, "structure-tree object %d %s object %d", num, bad, which);
        else
            CHANGE(j, num, 0, "structure", 1, "structure tree updated for new objects");
    }
    fz_free(j->fz, a);
}

/* An object of the signed revision whose value changed. */
void seal__vj_judge_changed(judge *j, int num, pdf_obj *o, pdf_obj *n)
{
    fz_context *fz = j->fz;
    uint32_t roles = j->ro.role[num] | j->rn.role[num];
    int pg = page_of(j, num);

    if (!j->ro.role[num]) {
        /* Nothing showed it when signing: judged like a new object. */
        if (roles & ~(VR_DSS | VR_METADATA | VR_INFO | VR_STRUCT | VR_EXT))
            CHANGE(j, num, pg, "overridden object", 0,
                   "object %d, unused when signed, was redefined and is now used as %s", num,
                   seal__vroles_name(roles));
        return;
    }
    const uint32_t strict = VR_PAGETREE | VR_CONTENT | VR_SIGDICT | VR_SIGMETA | VR_OTHER | VR_ENCRYPT | VR_PERMS;
    if (roles & strict) {
        char where[24] = "", what[64], also[96] = "";
        if (pg)
            snprintf(where, sizeof(where), "page %d: ", pg);
        seal__vj_describe(fz, n, what, sizeof(what));
        uint32_t rest = roles & ~strict & (VR_METADATA | VR_INFO | VR_DSS | VR_ANNOT | VR_AP | VR_FIELD | VR_STRUCT);
        if (rest)
            snprintf(also, sizeof(also), ", also used as %s: judged by its stricter role", seal__vroles_name(rest));
        CHANGE(j, num, pg, (roles & VR_CONTENT) ? "content" : (roles & VR_SIGDICT) ? "signature" : "overridden object", 0,
               "%s%s (object %d, %s) changed%s", where, what, num, seal__vroles_name(roles & strict), also);
        return;
    }
    int ok_before = j->s->r.changes_after != SEAL_CHANGES_DISALLOWED;
    if (roles & VR_CATALOG)
        rule_catalog(j, num, o, n);
    if (roles & VR_PAGE)
        rule_page(j, num, o, n);
    if (roles & VR_ACROFORM)
        rule_acroform(j, num, o, n);
    if (roles & VR_ANNOTS)
        rule_list(j, num, o, n, pg, "the page's annotations");
    if (roles & VR_FIELDS)
        rule_list(j, num, o, n, 0, "the form's fields");
    if ((roles & VR_FIELD) || ((roles & VR_ANNOT) && is_field(fz, n)))
        rule_field(j, num, o, n);
    else if (roles & VR_ANNOT)
        rule_annot(j, num, o, n);
    if (roles & VR_STRUCT)
        rule_struct(j, num, o, n);
    if (roles & VR_NAMES) {
        if (names_only_ap(fz, o, n))
            rule_names(j, num);
        else
            CHANGE(j, num, 0, "catalog", 0, "the name dictionary (object %d) changed beyond annotation appearances", num);
    }
    if (roles & VR_DR) {
        if (pdf_to_bool(fz, pdf_dict_getp(fz, pdf_trailer(fz, j->cur), "Root/AcroForm/NeedAppearances")))
            CHANGE(j, num, 0, "viewer differential", 0,
                   "form resources (object %d) changed while /NeedAppearances asks viewers to redraw fields", num);
        else
            CHANGE(j, num, 0, "form", 1, "form resources (object %d) updated", num);
    }
    if (roles & (VR_DSS | VR_METADATA | VR_INFO | VR_EXT))
        CHANGE(j, num, 0, (roles & VR_DSS) ? "dss" : "metadata", 1, "%s (object %d) updated",
               seal__vroles_name(roles & (VR_DSS | VR_METADATA | VR_INFO | VR_EXT)), num);
    /* An appearance stream changed in place: allowed only as a filled
     * field's (decided once all fields are judged). */
    if ((roles & VR_AP) && ok_before) {
        if (j->npending < MAX_PENDING)
            j->pending[j->npending++] = num;
        else
            cap(j, "more than %d appearance streams changed", MAX_PENDING);
    }
}

void seal__vj_settle_pending(judge *j)
{
    fz_context *fz = j->fz;
    for (int i = 0; i < j->npending; i++) {
        int num = j->pending[i], owner = 0, pg = page_of(j, num);
        for (int f = 0; f < j->nfilled && !owner; f++) {
            pdf_obj *field = pdf_load_object(fz, j->old, j->filled[f]);
            if (refers_to(fz, pdf_dict_get(fz, field, PDF_NAME(AP)), num, 0))
                owner = j->filled[f];
            pdf_drop_obj(fz, field);
        }
        if (owner && (j->ro.role[num] & ~VR_AP) == 0)
            CHANGE(j, num, pg, "form fill", 1, "appearance %d of filled field %d updated", num, owner);
        else
            CHANGE(j, num, pg, "overridden object", 0, "appearance stream %d changed%s", num,
                   owner ? ", but it is also drawn elsewhere" : "");
    }
}

/* An object that did not exist in the signed revision. */
void seal__vj_judge_new(judge *j, int num, pdf_obj *n)
{
    fz_context *fz = j->fz;
    uint32_t roles = j->rn.role[num];
    int pg = page_of(j, num);
    char name[256];

    if (j->ro.dangling && j->ro.dangling[num]) {
        CHANGE(j, num, pg, "dangling reference", 0,
               "object %d, referenced but not defined when signed, is defined later (as %s)", num,
               seal__vroles_name(roles));
        return;
    }
    if (!roles)
        return; /* nothing shows it */
    const uint32_t never = VR_CATALOG | VR_PAGETREE | VR_PAGE | VR_CONTENT | VR_OTHER | VR_ENCRYPT | VR_PERMS;
    if (roles & never) {
        char what[64];
        seal__vj_describe(fz, n, what, sizeof(what));
        CHANGE(j, num, pg, (roles & VR_CONTENT) ? "content" : "new object", 0, "new %s (object %d) used as %s%s", what,
               num, seal__vroles_name(roles & never),
               (roles & VR_CONTENT) ? ": a signed page now draws it (resources gained or replaced)" : "");
        return;
    }
    if (roles & VR_SIGDICT) {
        pdf_obj *type = pdf_dict_get(fz, n, PDF_NAME(Type));
        int sigish = pdf_dict_get(fz, n, PDF_NAME(ByteRange)) || pdf_name_eq(fz, type, PDF_NAME(Sig)) ||
                     !strcmp(pdf_to_name(fz, type), "DocTimeStamp");
        if (sigish && !later_signature_num(j, num))
            CHANGE(j, num, pg, "signature", 0, "signature dictionary %d is no signature of this document", num);
    }
    if (roles & VR_FIELD) {
        int sig = pdf_name_eq(fz, pdf_dict_get_inheritable(fz, n, PDF_NAME(FT)), PDF_NAME(Sig));
        pdf_obj *v = pdf_dict_get(fz, n, PDF_NAME(V));
        vsig *t = sig && v ? later_signature(j, v) : NULL;
        field_name(fz, n, name, sizeof(name));
        if (sig && v && !t)
            CHANGE(j, num, pg, "signature", 0, "signature field '%s' added with a value that is no new signature", name);
        else if (sig && p1_forbids(j, t))
            CHANGE(j, num, pg, "signature", 0, "signature field '%s' added; DocMDP P=1 forbids any change", name);
        else if (!sig && (j->d->docmdp == 1 || j->d->docmdp == 2))
            CHANGE(j, num, pg, "form field", 0, "form field '%s' added; DocMDP P=%d forbids it", name, j->d->docmdp);
        else if (!pdf_dict_get(fz, n, PDF_NAME(Subtype)) || widget_ok(j, num, NULL, n, sig ? "signature field" : "form field"))
            CHANGE(j, num, pg, sig ? "signature" : "form field", 1, "%s '%s' added%s", sig ? "signature field" : "form field",
                   name, t ? " and signed" : "");
        return;
    }
    if (!(roles & VR_ANNOT))
        return; /* appearances, DSS, metadata, structure, lists: judged through what uses them */
    pdf_obj *subtype = pdf_dict_get(fz, n, PDF_NAME(Subtype));
    const char *st = subtype ? pdf_to_name(fz, subtype) : "?";
    pdf_obj *sealfield = pdf_dict_gets(fz, n, "SealField");
    if (pdf_name_eq(fz, subtype, PDF_NAME(Stamp)) && pdf_is_string(fz, sealfield)) {
        const char *fname = pdf_to_text_string(fz, sealfield);
        vsig *t = later_signature(j, field_value(fz, j->cur, fname));
        if (t) {
            if (p1_forbids(j, t))
                CHANGE(j, num, pg, "signature", 0, "seal of signature '%s' added; DocMDP P=1 forbids any change", fname);
            else if (widget_ok(j, num, NULL, n, "seal stamp"))
                CHANGE(j, num, pg, "signature", 1, "seal of signature '%s' added with it", fname);
            return;
        }
    }
    if (j->d->docmdp == 1 || j->d->docmdp == 2) {
        CHANGE(j, num, pg, "annotation", 0, "%s annotation added; DocMDP P=%d forbids annotations", st, j->d->docmdp);
        return;
    }
    if ((pdf_name_eq(fz, subtype, PDF_NAME(Link)) || pdf_name_eq(fz, subtype, PDF_NAME(Popup))) && draws(fz, n)) {
        CHANGE(j, num, pg, "viewer differential", 0,
               "%s annotation %d added with an appearance: viewers disagree whether to draw it", st, num);
        return;
    }
    if (widget_ok(j, num, NULL, n, "annotation"))
        CHANGE(j, num, pg, "annotation", 1, "%s annotation added", st);
}

/* ------------------------------------------------------------ the judge's state */

int seal__vj_rev_of(judge *j, int num)
{
    return num > 0 && num < j->n && j->fin[num].rev ? j->fin[num].rev : j->revision;
}

void seal__vj_cap(judge *j, const char *fmt, ...)
{
    va_list ap;
    if (j->capped)
        return;
    j->capped = 1;
    va_start(ap, fmt);
    vsnprintf(j->capwhy, sizeof(j->capwhy), fmt, ap);
    va_end(ap);
}

int seal__vj_page_of(judge *j, int num)
{
    if (num <= 0 || num >= j->n)
        return 0;
    int p = j->rn.page[num] >= 0 ? j->rn.page[num] : j->ro.page[num];
    return p >= 0 ? p + 1 : 0;
}
