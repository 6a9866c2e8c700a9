/*
 * PAdES sealing of a PDF: one incremental update with the signature field,
 * its widgets showing the seal artwork, and a CAdES signature.
 *
 * MuPDF's own signing writes adbe.pkcs7.detached, so MuPDF only builds and
 * saves the objects (with placeholders); this file then patches /ByteRange
 * and /Contents in the written bytes and inserts the CMS from cms.c.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "ltvint.h"
#include "pdfint.h"
#include "sm2int.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#define MM_TO_PT (72.0 / 25.4)
#define CHUNK (1 << 16)
#define BYTE_RANGE_DIGITS 10 /* placeholder width: files up to 9.3 GB */
#define MAX_ARTWORK_MM 200.0

/* The artwork grafted into the target document. */
typedef struct artwork {
    pdf_obj *xobj;      /* form XObject in the target document */
    fz_rect bbox;       /* its bounding box, in points */
    char kind[32];
} artwork;

static void load_artwork(seal_ctx *ctx, pdf_document *doc, const char *path, artwork *art)
{
    fz_context *fz = ctx->fz;
    pdf_document *src = NULL;
    pdf_graft_map *map = NULL;
    fz_buffer *content = NULL;
    pdf_obj *res = NULL, *page, *contents;

    fz_var(src);
    fz_var(map);
    fz_var(content);
    fz_var(res);
    fz_try(fz) {
        seal__pdf_check_file(ctx, path);
        fz_try(fz)
            src = pdf_open_document(fz, path);
        fz_catch(fz)
            seal__throw(ctx, SEAL_ERR_INPUT, "seal artwork %s cannot be read: %s", path,
                        fz_caught_message(fz));
        if (pdf_needs_password(fz, src))
            seal__throw(ctx, SEAL_ERR_INPUT, "seal artwork %s is encrypted", path);
        if (pdf_count_pages(fz, src) != 1)
            seal__throw(ctx, SEAL_ERR_INPUT,
                        "seal artwork %s must be a one-page PDF at the seal's size (it has %d pages)",
                        path, pdf_count_pages(fz, src));
        page = pdf_lookup_page_obj(fz, src, 0);
        art->bbox = pdf_to_rect(fz, pdf_dict_get_inheritable(fz, page, PDF_NAME(MediaBox)));
        double w = (art->bbox.x1 - art->bbox.x0) / MM_TO_PT, h = (art->bbox.y1 - art->bbox.y0) / MM_TO_PT;
        if (!(w >= 1 && h >= 1 && w <= MAX_ARTWORK_MM && h <= MAX_ARTWORK_MM))
            seal__throw(ctx, SEAL_ERR_INPUT,
                        "seal artwork %s is %.1f x %.1f mm; a seal is between 1 and %.0f mm", path,
                        w, h, MAX_ARTWORK_MM);
        /* Recorded by seal enrol as a text string; a name is accepted too. */
        pdf_obj *kind = pdf_dict_getp(fz, pdf_trailer(fz, src), "Info/SealKind");
        snprintf(art->kind, sizeof(art->kind), "%s",
                 pdf_is_name(fz, kind) ? pdf_to_name(fz, kind) : pdf_to_text_string(fz, kind));
        for (char *k = art->kind; *k; k++)
            if (!((*k >= 'a' && *k <= 'z') || (*k >= '0' && *k <= '9') || *k == '-'))
                *k = '-';

        /* The page's content streams become one form XObject. */
        content = fz_new_buffer(fz, 4096);
        contents = pdf_dict_get(fz, page, PDF_NAME(Contents));
        if (pdf_is_array(fz, contents)) {
            for (int i = 0; i < pdf_array_len(fz, contents) && i < 1000; i++) {
                fz_buffer *part = pdf_load_stream(fz, pdf_array_get(fz, contents, i));
                fz_append_buffer(fz, content, part);
                fz_append_byte(fz, content, '\n');
                fz_drop_buffer(fz, part);
            }
        } else if (pdf_is_stream(fz, contents)) {
            fz_buffer *part = pdf_load_stream(fz, contents);
            fz_append_buffer(fz, content, part);
            fz_drop_buffer(fz, part);
        }
        map = pdf_new_graft_map(fz, doc);
        res = pdf_graft_mapped_object(fz, map,
                                      pdf_dict_get_inheritable(fz, page, PDF_NAME(Resources)));
        if (!res)
            res = pdf_new_dict(fz, doc, 1);
        art->xobj = pdf_new_xobject(fz, doc, art->bbox, fz_identity, res, content);
        if (art->kind[0])
            pdf_dict_puts_drop(fz, art->xobj, "SealKind", pdf_new_name(fz, art->kind));
    }
    fz_always(fz) {
        pdf_drop_obj(fz, res);
        fz_drop_buffer(fz, content);
        pdf_drop_graft_map(fz, map);
        pdf_drop_document(fz, src);
    }
    fz_catch(fz) {
        if (ctx->status == SEAL_OK)
            seal__throw(ctx, SEAL_ERR_INPUT, "seal artwork %s: %s", path, fz_caught_message(fz));
        fz_rethrow(fz);
    }
}

#define CAPTION_PT 10.0f
#define CAPTION_GAP_PT 4.0f

/* Put `text` under the artwork: a new form XObject drawing the artwork and
 * the caption, centred, its box grown to hold both. */
static void add_caption(seal_ctx *ctx, pdf_document *doc, artwork *art, const char *text)
{
    fz_context *fz = ctx->fz;
    fz_buffer *paths = NULL, *content = NULL;
    pdf_obj *res = NULL, *xobj = NULL;
    float tw = 0;

    fz_var(paths);
    fz_var(content);
    fz_var(res);
    fz_var(xobj);
    fz_try(fz) {
        paths = seal__caption_paths(ctx, text, CAPTION_PT, &tw);
        fz_rect b = art->bbox;
        float cx = (b.x0 + b.x1) / 2, w = fz_max(b.x1 - b.x0, tw);
        /* CJK ideographs sit between -0.12 and 0.88 em of the baseline. */
        float baseline = b.y0 - CAPTION_GAP_PT - 0.88f * CAPTION_PT;
        fz_rect nb = fz_make_rect(cx - w / 2, baseline - 0.15f * CAPTION_PT, cx + w / 2, b.y1);
        content = fz_new_buffer(fz, 256 + paths->len);
        fz_append_printf(fz, content, "/Art Do\nq 0.1 0.1 0.1 rg 1 0 0 1 %.3f %.3f cm\n",
                         cx - tw / 2, baseline);
        fz_append_buffer(fz, content, paths);
        fz_append_string(fz, content, "Q\n");
        res = pdf_new_dict(fz, doc, 1);
        pdf_obj *xo = pdf_dict_put_dict(fz, res, PDF_NAME(XObject), 1);
        pdf_dict_puts(fz, xo, "Art", art->xobj);
        xobj = pdf_new_xobject(fz, doc, nb, fz_identity, res, content);
        if (art->kind[0])
            pdf_dict_puts_drop(fz, xobj, "SealKind", pdf_new_name(fz, art->kind));
        pdf_drop_obj(fz, art->xobj);
        art->xobj = xobj;
        xobj = NULL;
        art->bbox = nb;
    }
    fz_always(fz) {
        fz_drop_buffer(fz, paths);
        fz_drop_buffer(fz, content);
        pdf_drop_obj(fz, res);
        pdf_drop_obj(fz, xobj);
    }
    fz_catch(fz)
        fz_rethrow(fz);
}

/* Refuse what the document forbids: DocMDP P=1, a second certification,
 * fields locked by FieldMDP /All. */
typedef struct lock_scan {
    int signed_count;
    char locked_by[256];
    const char *target; /* a field to be filled, or NULL */
} lock_scan;

/* Does a FieldMDP Include/Exclude list lock `target`? */
static int locks_field(fz_context *fz, pdf_obj *action, pdf_obj *fields, const char *target)
{
    int listed = 0;
    if (!target)
        return 0;
    if (pdf_name_eq(fz, action, PDF_NAME(All)))
        return 1;
    for (int i = 0; i < pdf_array_len(fz, fields); i++)
        if (!strcmp(pdf_array_get_text_string(fz, fields, i), target))
            listed = 1;
    if (pdf_name_eq(fz, action, PDF_NAME(Include)))
        return listed;
    if (pdf_name_eq(fz, action, PDF_NAME(Exclude)))
        return !listed;
    return 0;
}

static void scan_locks(seal_ctx *ctx, pdf_obj *field, const char *name, void *user)
{
    fz_context *fz = ctx->fz;
    lock_scan *scan = user;
    pdf_obj *v, *lock, *refs;

    if (!pdf_name_eq(fz, pdf_dict_get_inheritable(fz, field, PDF_NAME(FT)), PDF_NAME(Sig)))
        return;
    v = pdf_dict_get(fz, field, PDF_NAME(V));
    if (!pdf_is_dict(fz, v))
        return;
    scan->signed_count++;
    lock = pdf_dict_get(fz, field, PDF_NAME(Lock));
    /* PDF 2.0: a lock may also forbid any change to the document (P=1). */
    if (pdf_dict_get_int(fz, lock, PDF_NAME(P)) == 1 && !scan->locked_by[0])
        snprintf(scan->locked_by, sizeof(scan->locked_by), "%s", name);
    if ((locks_field(fz, pdf_dict_get(fz, lock, PDF_NAME(Action)),
                     pdf_dict_get(fz, lock, PDF_NAME(Fields)), scan->target)) &&
        !scan->locked_by[0])
        snprintf(scan->locked_by, sizeof(scan->locked_by), "%s", name);
    refs = pdf_dict_get(fz, v, PDF_NAME(Reference));
    for (int i = 0; i < pdf_array_len(fz, refs); i++) {
        pdf_obj *r = pdf_array_get(fz, refs, i);
        if (pdf_name_eq(fz, pdf_dict_get(fz, r, PDF_NAME(TransformMethod)), PDF_NAME(FieldMDP)) &&
            locks_field(fz, pdf_dict_getp(fz, r, "TransformParams/Action"),
                        pdf_dict_getp(fz, r, "TransformParams/Fields"), scan->target) &&
            !scan->locked_by[0])
            snprintf(scan->locked_by, sizeof(scan->locked_by), "%s", name);
    }
}

static void check_permissions(seal_ctx *ctx, pdf_document *doc, const char *path, int certify,
                              const char *password, const char *target_field)
{
    fz_context *fz = ctx->fz;
    lock_scan scan = {0};
    int p = seal__pdf_docmdp(ctx, doc);

    scan.target = target_field;

    if (p == 1)
        seal__throw(ctx, SEAL_ERR_REFUSED,
                    "%s is certified with DocMDP P=1: its author allows no change, not even "
                    "another signature",
                    path);
    seal__pdf_each_field(ctx, doc, scan_locks, &scan);
    if (scan.locked_by[0])
        seal__throw(ctx, SEAL_ERR_REFUSED, "signature field '%s' of %s locks %s",
                    scan.locked_by, path,
                    scan.target ? "the field to be signed (FieldMDP)" : "the document (/Lock /P 1)");
    if (certify && (p || scan.signed_count))
        seal__throw(ctx, SEAL_ERR_REFUSED,
                    "%s is already signed; only the first signature can certify a document", path);
    /* Signing needs "modify annotations" (bit 6) or "fill in forms" (bit 9)
     * unless the owner password was given. */
    if (doc->crypt) {
        int perms = pdf_crypt_permissions(fz, doc->crypt);
        int owner = password && (pdf_authenticate_password(fz, doc, password) & 4);
        if (!owner && !(perms & (32 | 256)))
            seal__throw(ctx, SEAL_ERR_REFUSED,
                        "the permissions of %s forbid signing; give the owner password", path);
    }
}

/* A field name not used yet: Seal1, Seal2, ... */
typedef struct name_scan {
    const char *want;
    int taken;
} name_scan;

static void scan_name(seal_ctx *ctx, pdf_obj *field, const char *name, void *user)
{
    name_scan *s = user;
    (void)ctx;
    (void)field;
    if (!strcmp(name, s->want))
        s->taken = 1;
}

static void pick_field_name(seal_ctx *ctx, pdf_document *doc, const char *want, char *out,
                            size_t size)
{
    name_scan s = {out, 0};

    if (want) {
        if (!*want || strchr(want, '.'))
            seal__throw(ctx, SEAL_ERR_ARGS, "bad field name '%s' (empty or containing '.')", want);
        snprintf(out, size, "%s", want);
        seal__pdf_each_field(ctx, doc, scan_name, &s);
        if (s.taken)
            seal__throw(ctx, SEAL_ERR_REFUSED, "a field named '%s' already exists", want);
        return;
    }
    seal__unique_field_name(ctx, doc, "Seal", out, size);
}

static pdf_obj *make_appearance(seal_ctx *ctx, pdf_document *doc, const artwork *art,
                                const seal__widget *w)
{
    fz_context *fz = ctx->fz;
    pdf_obj *res = NULL, *xobjs, *ap = NULL;
    fz_buffer *buf = NULL;
    const fz_matrix m = w->content;

    fz_var(res);
    fz_var(buf);
    fz_var(ap);
    fz_try(fz) {
        res = pdf_new_dict(fz, doc, 1);
        xobjs = pdf_dict_put_dict(fz, res, PDF_NAME(XObject), 1);
        pdf_dict_puts(fz, xobjs, "Seal", art->xobj);
        buf = fz_new_buffer(fz, 64);
        fz_append_printf(fz, buf, "q %g %g %g %g %g %g cm /Seal Do Q\n", m.a, m.b, m.c, m.d, m.e, m.f);
        ap = pdf_new_xobject(fz, doc, w->bbox, w->matrix, res, buf);
    }
    fz_always(fz) {
        pdf_drop_obj(fz, res);
        fz_drop_buffer(fz, buf);
    }
    fz_catch(fz)
        fz_rethrow(fz);
    return ap;
}

static void add_to_annots(seal_ctx *ctx, pdf_document *doc, pdf_obj *page, pdf_obj *widget)
{
    fz_context *fz = ctx->fz;
    pdf_obj *annots = pdf_dict_get(fz, page, PDF_NAME(Annots));
    (void)doc;
    if (!pdf_is_array(fz, annots))
        annots = pdf_dict_put_array(fz, page, PDF_NAME(Annots), 1);
    pdf_array_push(fz, annots, widget);
}

/* A FieldMDP reference carrying a field's /Lock, so signing the field
 * locks what its author asked for. */
static void add_field_lock(fz_context *fz, pdf_obj *sig, pdf_obj *lock)
{
    pdf_obj *refs = pdf_dict_get(fz, sig, PDF_NAME(Reference));
    pdf_obj *ref, *params, *fields;

    if (!pdf_is_dict(fz, lock) || !pdf_dict_get(fz, lock, PDF_NAME(Action)))
        return;
    if (!pdf_is_array(fz, refs))
        refs = pdf_dict_put_array(fz, sig, PDF_NAME(Reference), 1);
    ref = pdf_array_push_dict(fz, refs, 3);
    pdf_dict_put(fz, ref, PDF_NAME(Type), PDF_NAME(SigRef));
    pdf_dict_put(fz, ref, PDF_NAME(TransformMethod), PDF_NAME(FieldMDP));
    params = pdf_dict_put_dict(fz, ref, PDF_NAME(TransformParams), 4);
    pdf_dict_put(fz, params, PDF_NAME(Type), PDF_NAME(TransformParams));
    pdf_dict_put(fz, params, PDF_NAME(Action), pdf_dict_get(fz, lock, PDF_NAME(Action)));
    fields = pdf_dict_get(fz, lock, PDF_NAME(Fields));
    if (fields)
        pdf_dict_put_drop(fz, params, PDF_NAME(Fields), pdf_deep_copy_obj(fz, fields));
    pdf_dict_put_name(fz, params, PDF_NAME(V), "1.2");
}

pdf_obj *seal__sig_dict(seal_ctx *ctx, pdf_document *doc, const char *type, const char *subfilter,
                        size_t contents_len)
{
    fz_context *fz = ctx->fz;
    pdf_obj *sig = pdf_add_new_dict(fz, doc, 8), *br;
    char *placeholder = NULL;

    fz_var(placeholder);
    fz_try(fz) {
        pdf_dict_put_name(fz, sig, PDF_NAME(Type), type);
        pdf_dict_put(fz, sig, PDF_NAME(Filter), PDF_NAME(Adobe_PPKLite));
        pdf_dict_put_name(fz, sig, PDF_NAME(SubFilter), subfilter);
        br = pdf_dict_put_array(fz, sig, PDF_NAME(ByteRange), 4);
        pdf_array_push_int(fz, br, 0);
        for (int i = 0; i < 3; i++)
            pdf_array_push_int(fz, br, 9999999999LL);
        /* Printable placeholder; replaced, delimiters included, by a hex
         * string once the byte ranges are known. */
        placeholder = fz_malloc(fz, contents_len * 2);
        memset(placeholder, '0', contents_len * 2);
        pdf_dict_put_string(fz, sig, PDF_NAME(Contents), placeholder, contents_len * 2);
    }
    fz_always(fz)
        fz_free(fz, placeholder);
    fz_catch(fz) {
        pdf_drop_obj(fz, sig);
        fz_rethrow(fz);
    }
    return sig;
}

void seal__add_invisible_field(seal_ctx *ctx, pdf_document *doc, const char *name, pdf_obj *sig)
{
    fz_context *fz = ctx->fz;
    pdf_obj *root = pdf_dict_get(fz, pdf_trailer(fz, doc), PDF_NAME(Root));
    pdf_obj *field = pdf_add_new_dict(fz, doc, 8), *acroform, *fields;
    pdf_obj *page = pdf_lookup_page_obj(fz, doc, 0);

    fz_try(fz) {
        pdf_dict_put(fz, field, PDF_NAME(FT), PDF_NAME(Sig));
        pdf_dict_put_text_string(fz, field, PDF_NAME(T), name);
        pdf_dict_put(fz, field, PDF_NAME(V), sig);
        pdf_dict_put(fz, field, PDF_NAME(Type), PDF_NAME(Annot));
        pdf_dict_put(fz, field, PDF_NAME(Subtype), PDF_NAME(Widget));
        pdf_dict_put_rect(fz, field, PDF_NAME(Rect), fz_make_rect(0, 0, 0, 0));
        pdf_dict_put_int(fz, field, PDF_NAME(F), 4 | 128); /* Print, Locked */
        pdf_dict_put(fz, field, PDF_NAME(P), page);
        add_to_annots(ctx, doc, page, field);
        acroform = pdf_dict_get(fz, root, PDF_NAME(AcroForm));
        if (!pdf_is_dict(fz, acroform)) {
            pdf_dict_put_drop(fz, root, PDF_NAME(AcroForm), pdf_add_new_dict(fz, doc, 2));
            acroform = pdf_dict_get(fz, root, PDF_NAME(AcroForm));
        }
        fields = pdf_dict_get(fz, acroform, PDF_NAME(Fields));
        if (!pdf_is_array(fz, fields))
            fields = pdf_dict_put_array(fz, acroform, PDF_NAME(Fields), 1);
        pdf_array_push(fz, fields, field);
        pdf_dict_put_int(fz, acroform, PDF_NAME(SigFlags), 3);
    }
    fz_always(fz)
        pdf_drop_obj(fz, field);
    fz_catch(fz)
        fz_rethrow(fz);
}

void seal__unique_field_name(seal_ctx *ctx, pdf_document *doc, const char *stem, char *out,
                             size_t size)
{
    name_scan s = {out, 0};
    for (int i = 1; i < 10000; i++) {
        snprintf(out, size, "%s%d", stem, i);
        s.taken = 0;
        seal__pdf_each_field(ctx, doc, scan_name, &s);
        if (!s.taken)
            return;
    }
    seal__throw(ctx, SEAL_ERR_INPUT, "no free signature field name");
}

static void make_widget(seal_ctx *ctx, pdf_document *doc, pdf_obj *w, const seal__widget *wd,
                        const artwork *art)
{
    fz_context *fz = ctx->fz;
    pdf_dict_put(fz, w, PDF_NAME(Type), PDF_NAME(Annot));
    pdf_dict_put(fz, w, PDF_NAME(Subtype), PDF_NAME(Widget));
    pdf_dict_put_rect(fz, w, PDF_NAME(Rect), wd->rect);
    pdf_dict_put_int(fz, w, PDF_NAME(F), 4); /* Print */
    pdf_dict_put(fz, w, PDF_NAME(P), wd->pageobj);
    pdf_obj *ap = pdf_dict_put_dict(fz, w, PDF_NAME(AP), 1);
    pdf_dict_put_drop(fz, ap, PDF_NAME(N), make_appearance(ctx, doc, art, wd));
    add_to_annots(ctx, doc, wd->pageobj, w);
}

/* The seals a signature draws, for seal_sign_options.placed_cb. */
typedef struct placed_list {
    char field[256];
    seal_placed *p;
    int n;
} placed_list;

/* Build the signature dictionary, the field and its widgets. Returns the
 * object number of the signature dictionary. */
static int build_signature(seal_ctx *ctx, pdf_document *doc, seal_key *key,
                           const seal_sign_options *opts, const artwork *art, size_t contents_len,
                           placed_list *out)
{
    fz_context *fz = ctx->fz;
    pdf_obj *root = pdf_dict_get(fz, pdf_trailer(fz, doc), PDF_NAME(Root));
    pdf_obj *sig = NULL, *field = NULL, *stamps = NULL, *acroform, *fields;
    char name[128];
    int sig_num = 0, nw = 0;
    seal__widget *wds = NULL;

    fz_var(stamps);
    fz_var(sig);
    fz_var(field);
    fz_var(wds);
    fz_try(fz) {
        wds = seal__place(ctx, doc, opts->placements, opts->placement_count,
                          art ? art->bbox : fz_empty_rect, &nw);
        pdf_obj *existing = nw > 0 ? wds[0].field : NULL;
        for (int i = 1; i < nw; i++)
            if (wds[i].field || existing)
                seal__throw(ctx, SEAL_ERR_ARGS,
                            "filling an existing field cannot be combined with other placements");
        if (!existing)
            pick_field_name(ctx, doc, opts->field_name, name, sizeof(name));

        /* The signature dictionary with its placeholders. */
        sig = seal__sig_dict(ctx, doc, "Sig",
                             opts->version >= 2 && (opts->flags & SEAL_SIGN_ADBE_PKCS7)
                                 ? "adbe.pkcs7.detached"
                                 : "ETSI.CAdES.detached",
                             contents_len);
        sig_num = pdf_to_num(fz, sig);
        pdf_dict_put_date(fz, sig, PDF_NAME(M),
                          opts->signing_time ? opts->signing_time : (int64_t)time(NULL));
        if (opts->reason)
            pdf_dict_put_text_string(fz, sig, PDF_NAME(Reason), opts->reason);
        if (opts->location)
            pdf_dict_put_text_string(fz, sig, PDF_NAME(Location), opts->location);
        if (key && key->text.cn)
            pdf_dict_put_text_string(fz, sig, PDF_NAME(Name), key->text.cn);
        {
            pdf_obj *build = pdf_dict_put_dict(fz, sig, PDF_NAME(Prop_Build), 1);
            pdf_obj *app = pdf_dict_put_dict(fz, build, PDF_NAME(App), 2);
            pdf_dict_put_name(fz, app, PDF_NAME(Name), "libseal");
            pdf_dict_puts_drop(fz, app, "REx", pdf_new_text_string(fz, SEAL_VERSION_STRING));
        }
        if (opts->certify) {
            pdf_obj *refs = pdf_dict_put_array(fz, sig, PDF_NAME(Reference), 1);
            pdf_obj *ref = pdf_array_push_dict(fz, refs, 4);
            pdf_obj *params;
            pdf_dict_put(fz, ref, PDF_NAME(Type), PDF_NAME(SigRef));
            pdf_dict_put(fz, ref, PDF_NAME(TransformMethod), PDF_NAME(DocMDP));
            params = pdf_dict_put_dict(fz, ref, PDF_NAME(TransformParams), 3);
            pdf_dict_put(fz, params, PDF_NAME(Type), PDF_NAME(TransformParams));
            pdf_dict_put_int(fz, params, PDF_NAME(P), opts->certify);
            pdf_dict_put_name(fz, params, PDF_NAME(V), "1.2");
            pdf_obj *perms = pdf_dict_get(fz, root, PDF_NAME(Perms));
            if (!pdf_is_dict(fz, perms))
                perms = pdf_dict_put_dict(fz, root, PDF_NAME(Perms), 1);
            pdf_dict_put(fz, perms, PDF_NAME(DocMDP), sig);
        }

        if (existing) {
            /* Fill the template's field: its widget keeps its place. */
            add_field_lock(fz, sig, pdf_dict_get(fz, existing, PDF_NAME(Lock)));
            pdf_dict_put(fz, existing, PDF_NAME(V), sig);
            if (art) {
                pdf_obj *ap = pdf_dict_put_dict(fz, wds[0].widget, PDF_NAME(AP), 1);
                pdf_dict_put_drop(fz, ap, PDF_NAME(N), make_appearance(ctx, doc, art, &wds[0]));
                pdf_dict_put_int(fz, wds[0].widget, PDF_NAME(F),
                                 pdf_dict_get_int(fz, wds[0].widget, PDF_NAME(F)) | 4);
            }
        } else {
            /* A new field: one widget merged into it, or a widget per placement. */
            field = pdf_add_new_dict(fz, doc, 8);
            pdf_dict_put(fz, field, PDF_NAME(FT), PDF_NAME(Sig));
            pdf_dict_put_text_string(fz, field, PDF_NAME(T), name);
            pdf_dict_put(fz, field, PDF_NAME(V), sig);
            if (nw == 0) {
                pdf_obj *page = pdf_lookup_page_obj(fz, doc, 0);
                pdf_dict_put(fz, field, PDF_NAME(Type), PDF_NAME(Annot));
                pdf_dict_put(fz, field, PDF_NAME(Subtype), PDF_NAME(Widget));
                pdf_dict_put_rect(fz, field, PDF_NAME(Rect), fz_make_rect(0, 0, 0, 0));
                pdf_dict_put_int(fz, field, PDF_NAME(F), 4 | 128); /* Print, Locked */
                pdf_dict_put(fz, field, PDF_NAME(P), page);
                add_to_annots(ctx, doc, page, field);
            } else {
                /* The first placement is the field's widget. Viewers (poppler
                 * among them) take each widget of a signature field for a
                 * field of its own, so further placements are locked stamp
                 * annotations in the same signed revision, each naming the
                 * field whose signature covers it. */
                make_widget(ctx, doc, field, &wds[0], art);
                stamps = pdf_new_array(fz, doc, nw);
                for (int i = 1; i < nw; i++) {
                    pdf_array_push_drop(fz, stamps, pdf_add_new_dict(fz, doc, 8));
                    pdf_obj *st = pdf_array_get(fz, stamps, i - 1);
                    make_widget(ctx, doc, st, &wds[i], art);
                    pdf_dict_put(fz, st, PDF_NAME(Subtype), PDF_NAME(Stamp));
                    pdf_dict_put_int(fz, st, PDF_NAME(F), 4 | 128 | 512); /* Print, Locked, LockedContents */
                    pdf_dict_put_text_string(fz, st, PDF_NAME(Contents), name);
                    pdf_dict_puts_drop(fz, st, "SealField", pdf_new_text_string(fz, name));
                }
            }
            acroform = pdf_dict_get(fz, root, PDF_NAME(AcroForm));
            if (!pdf_is_dict(fz, acroform)) {
                pdf_obj *af = pdf_add_new_dict(fz, doc, 2);
                pdf_dict_put_drop(fz, root, PDF_NAME(AcroForm), af);
                acroform = af;
            }
            fields = pdf_dict_get(fz, acroform, PDF_NAME(Fields));
            if (!pdf_is_array(fz, fields))
                fields = pdf_dict_put_array(fz, acroform, PDF_NAME(Fields), 1);
            pdf_array_push(fz, fields, field);
        }
        /* SignaturesExist | AppendOnly; and no NeedAppearances, which would
         * let a viewer redraw the seal's appearance. */
        acroform = pdf_dict_get(fz, root, PDF_NAME(AcroForm));
        if (pdf_is_dict(fz, acroform)) {
            pdf_dict_put_int(fz, acroform, PDF_NAME(SigFlags), 3);
            if (pdf_to_bool(fz, pdf_dict_gets(fz, acroform, "NeedAppearances")))
                pdf_dict_dels(fz, acroform, "NeedAppearances");
        }
        snprintf(out->field, sizeof(out->field), "%s",
                 existing ? pdf_to_text_string(fz, pdf_dict_get(fz, existing, PDF_NAME(T))) : name);
        out->p = seal__placed(ctx, wds, nw, out->field);
        out->n = nw;
    }
    fz_always(fz) {
        pdf_drop_obj(fz, sig);
        pdf_drop_obj(fz, field);
        pdf_drop_obj(fz, stamps);
        fz_free(fz, wds);
    }
    fz_catch(fz)
        fz_rethrow(fz);
    return sig_num;
}

/* Where the placeholders landed in the written file. */
typedef struct sig_span {
    int64_t br_start, br_end;       /* "[0 ... ]" */
    int64_t contents_start, contents_end; /* string token, delimiters included */
} sig_span;

/* Skip a PDF string token starting at s[i] ('(' or '<'); returns the index
 * after it, or -1. */
static int64_t skip_string(const char *s, int64_t i, int64_t n)
{
    if (s[i] == '<') {
        for (i++; i < n; i++)
            if (s[i] == '>')
                return i + 1;
        return -1;
    }
    int depth = 0;
    for (; i < n; i++) {
        if (s[i] == '\\') {
            i++;
        } else if (s[i] == '(') {
            depth++;
        } else if (s[i] == ')') {
            if (--depth == 0)
                return i + 1;
        }
    }
    return -1;
}

/* Find the signature object in the tail written by the incremental save
 * and, at its top dictionary level, the /ByteRange array and the /Contents
 * string. Strings are skipped so no text inside /Reason can be mistaken
 * for a key. */
static void find_placeholders(seal_ctx *ctx, const char *tail, int64_t n, int64_t base, int num,
                              sig_span *span)
{
    char head[32];
    int hl = snprintf(head, sizeof(head), "%d 0 obj", num);
    int64_t i = -1;

    memset(span, 0, sizeof(*span));
    for (int64_t k = 0; k + hl <= n; k++) {
        if ((k == 0 || tail[k - 1] == '\n' || tail[k - 1] == '\r') && !memcmp(tail + k, head, (size_t)hl)) {
            i = k + hl;
            break;
        }
    }
    if (i < 0)
        seal__throw(ctx, SEAL_ERR_INTERNAL, "signature object %d not found in the written update", num);
    int depth = 0;
    for (; i < n; i++) {
        char c = tail[i];
        if (c == '<' && i + 1 < n && tail[i + 1] == '<') {
            depth++;
            i++;
        } else if (c == '>' && i + 1 < n && tail[i + 1] == '>') {
            if (--depth == 0)
                break;
            i++;
        } else if (c == '(' || c == '<') {
            int64_t e = skip_string(tail, i, n);
            if (e < 0)
                break;
            i = e - 1;
        } else if (c == '/' && depth == 1) {
            if (!strncmp(tail + i, "/ByteRange", 10)) {
                int64_t j = i + 10;
                while (j < n && tail[j] != '[')
                    j++;
                span->br_start = base + j;
                while (j < n && tail[j] != ']')
                    j++;
                span->br_end = base + j + 1;
                i = j;
            } else if (!strncmp(tail + i, "/Contents", 9)) {
                int64_t j = i + 9;
                while (j < n && (tail[j] == ' ' || tail[j] == '\n' || tail[j] == '\r'))
                    j++;
                if (j < n && (tail[j] == '(' || tail[j] == '<')) {
                    int64_t e = skip_string(tail, j, n);
                    if (e > 0) {
                        span->contents_start = base + j;
                        span->contents_end = base + e;
                        i = e - 1;
                    }
                }
            }
        }
    }
    if (!span->br_start || !span->br_end || !span->contents_start)
        seal__throw(ctx, SEAL_ERR_INTERNAL, "placeholders of signature object %d not found", num);
}

static void pread_all(seal_ctx *ctx, int fd, void *buf, size_t len, int64_t off)
{
    size_t got = 0;
    while (got < len) {
        ssize_t r = pread(fd, (char *)buf + got, len - got, (off_t)(off + (int64_t)got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            seal__throw(ctx, SEAL_ERR_IO, "cannot read the temporary output: %s",
                        r < 0 ? strerror(errno) : "short file");
        got += (size_t)r;
    }
}

static void pwrite_all(seal_ctx *ctx, int fd, const void *buf, size_t len, int64_t off)
{
    size_t done = 0;
    while (done < len) {
        ssize_t r = pwrite(fd, (const char *)buf + done, len - done, (off_t)(off + (int64_t)done));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            seal__throw(ctx, SEAL_ERR_IO, "cannot write the temporary output: %s", strerror(errno));
        done += (size_t)r;
    }
}

/* SHA-256 (or the 32-byte digest md_nid) over [0, a) and [b, end) of fd;
 * when in_fd >= 0, also check that the first in_len bytes equal the input
 * file's. */
static void hash_ranges(seal_ctx *ctx, int fd, int64_t a, int64_t b, int64_t end, int in_fd,
                        int64_t in_len, int md_nid, unsigned char digest[32])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char *buf = malloc(CHUNK), *ibuf = in_fd >= 0 ? malloc(CHUNK) : NULL;
    unsigned int dlen = 0;
    int ok = md && buf && (in_fd < 0 || ibuf) &&
             EVP_DigestInit_ex(md, md_nid ? EVP_get_digestbynid(md_nid) : EVP_sha256(), NULL);

    for (int part = 0; ok && part < 2; part++) {
        int64_t off = part ? b : 0, stop = part ? end : a;
        while (ok && off < stop) {
            size_t len = (size_t)(stop - off < CHUNK ? stop - off : CHUNK);
            ssize_t r = pread(fd, buf, len, (off_t)off);
            if (r <= 0) {
                ok = 0;
                break;
            }
            if (ibuf && off < in_len) {
                size_t cmp = (size_t)r;
                if (off + (int64_t)cmp > in_len)
                    cmp = (size_t)(in_len - off);
                if (pread(in_fd, ibuf, cmp, (off_t)off) != (ssize_t)cmp || memcmp(buf, ibuf, cmp)) {
                    free(buf);
                    free(ibuf);
                    EVP_MD_CTX_free(md);
                    seal__throw(ctx, SEAL_ERR_INTERNAL,
                                "the output does not start with the input's exact bytes");
                }
            }
            ok = EVP_DigestUpdate(md, buf, (size_t)r);
            off += r;
        }
    }
    if (ok)
        ok = EVP_DigestFinal_ex(md, digest, &dlen);
    free(buf);
    free(ibuf);
    EVP_MD_CTX_free(md);
    if (!ok)
        seal__ossl_throw(ctx, SEAL_ERR_IO, "cannot hash the signed byte ranges");
}

/* Patch ByteRange and Contents in the written file and fill the gap. */
static void patch_and_fill(seal_ctx *ctx, const char *tmp, const char *in_path, int64_t in_len,
                           int sig_num, size_t contents_len, const seal__filler *fill)
{
    int fd = -1, in_fd = -1;
    char *tail = NULL, *hex = NULL;
    unsigned char *der = NULL, digest[32];
    size_t derlen = 0;
    struct stat st;
    sig_span span;
    fz_context *fz = ctx->fz;

    fz_var(fd);
    fz_var(in_fd);
    fz_var(tail);
    fz_var(hex);
    fz_var(der);
    fz_try(fz) {
        fd = open(tmp, O_RDWR | O_CLOEXEC);
        in_fd = open(in_path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || in_fd < 0 || fstat(fd, &st) != 0)
            seal__throw(ctx, SEAL_ERR_IO, "cannot reopen the output: %s", strerror(errno));
        int64_t end = (int64_t)st.st_size;
        if (end <= in_len)
            seal__throw(ctx, SEAL_ERR_INTERNAL, "the incremental update is empty");
        tail = malloc((size_t)(end - in_len));
        if (!tail)
            seal__throw(ctx, SEAL_ERR_NOMEM, "out of memory");
        pread_all(ctx, fd, tail, (size_t)(end - in_len), in_len);
        find_placeholders(ctx, tail, end - in_len, in_len, sig_num, &span);

        /* The gap is exactly the /Contents string, delimiters included. */
        int64_t a = span.contents_start, b = span.contents_end;
        size_t width = (size_t)(b - a);
        if (width < 2 * contents_len + 2)
            seal__throw(ctx, SEAL_ERR_INTERNAL, "the signature placeholder shrank when written");
        char br[64];
        int brlen = snprintf(br, sizeof(br), "[0 %lld %lld %lld]", (long long)a, (long long)b,
                             (long long)(end - b));
        if (brlen > span.br_end - span.br_start)
            seal__throw(ctx, SEAL_ERR_INTERNAL, "the ByteRange placeholder is too small");
        /* Pad inside the brackets so the array stays the same width. */
        char padded[64];
        int64_t brw = span.br_end - span.br_start;
        memset(padded, ' ', (size_t)brw);
        memcpy(padded, br, (size_t)brlen - 1);
        padded[brw - 1] = ']';
        pwrite_all(ctx, fd, padded, (size_t)brw, span.br_start);

        hash_ranges(ctx, fd, a, b, end, in_fd, in_len, fill->md_nid, digest);
        if (fill->make(ctx, fill->user, digest, &der, &derlen) != SEAL_OK)
            seal__throw_recorded(ctx);
        if (2 * derlen + 2 > width)
            seal__throw(ctx, SEAL_ERR_INTERNAL,
                        "the signature (%zu bytes) is larger than its reserved space (%zu)", derlen,
                        (width - 2) / 2);
        hex = malloc(width + 1);
        if (!hex)
            seal__throw(ctx, SEAL_ERR_NOMEM, "out of memory");
        memset(hex, '0', width);
        hex[0] = '<';
        seal__hex(der, derlen, hex + 1);
        hex[1 + 2 * derlen] = '0';
        hex[width - 1] = '>';
        pwrite_all(ctx, fd, hex, width, a);

        /* Check what is on disk. The digest was computed from the written
         * file itself and only the gap has been written since, so the file
         * must still have its length, and what is read back from the gap
         * must carry that digest and verify. */
        if (fstat(fd, &st) != 0 || (int64_t)st.st_size != end)
            seal__throw(ctx, SEAL_ERR_IO, "the output changed while it was being signed");
        pread_all(ctx, fd, hex, width, a);
        for (size_t k = 0; k < derlen; k++) {
            unsigned v;
            sscanf(hex + 1 + 2 * k, "%2x", &v);
            der[k] = (unsigned char)v;
        }
        if (fill->check(ctx, fill->user, der, derlen, digest) != SEAL_OK)
            seal__throw_recorded(ctx);
    }
    fz_always(fz) {
        if (fd >= 0)
            close(fd);
        if (in_fd >= 0)
            close(in_fd);
        free(tail);
        free(hex);
        free(der);
    }
    fz_catch(fz)
        fz_rethrow(fz);
}

/* Re-open the finished file: MuPDF must read it without repair and find the
 * signature where we put it. */
static void reopen_check(seal_ctx *ctx, const char *tmp, const char *password, int sig_num)
{
    fz_context *fz = ctx->fz;
    pdf_document *doc = NULL;

    fz_var(doc);
    fz_try(fz) {
        doc = pdf_open_document(fz, tmp);
        if (pdf_needs_password(fz, doc))
            pdf_authenticate_password(fz, doc, password ? password : "");
        pdf_count_pages(fz, doc);
        if (pdf_was_repaired(fz, doc))
            seal__throw(ctx, SEAL_ERR_INTERNAL, "the signed output needed repair when re-read");
        pdf_obj *sig = pdf_load_object(fz, doc, sig_num);
        pdf_obj *type = pdf_dict_get(fz, sig, PDF_NAME(Type));
        int ok = (pdf_name_eq(fz, type, PDF_NAME(Sig)) || !strcmp(pdf_to_name(fz, type), "DocTimeStamp")) &&
                 pdf_array_len(fz, pdf_dict_get(fz, sig, PDF_NAME(ByteRange))) == 4;
        pdf_drop_obj(fz, sig);
        if (!ok)
            seal__throw(ctx, SEAL_ERR_INTERNAL, "the signature is not found when the output is re-read");
    }
    fz_always(fz)
        pdf_drop_document(fz, doc);
    fz_catch(fz) {
        if (ctx->status == SEAL_OK)
            seal__throw(ctx, SEAL_ERR_INTERNAL, "the signed output cannot be re-read: %s",
                        fz_caught_message(fz));
        fz_rethrow(fz);
    }
}

void seal__save_revision(seal_ctx *ctx, pdf_document *doc, const char *target, char *tmp,
                         size_t tmpsize)
{
    fz_context *fz = ctx->fz;
    pdf_write_options wo = {0};

    if (seal__temp_path(ctx, target, tmp, tmpsize) != SEAL_OK)
        seal__throw_recorded(ctx);
    wo.do_incremental = 1;
    wo.do_compress = 1;
    fz_try(fz)
        pdf_save_document(fz, doc, tmp, &wo);
    fz_catch(fz) {
        unlink(tmp);
        /* Damage found only while objects were read for the update. */
        if (pdf_was_repaired(fz, doc))
            seal__throw(ctx, SEAL_ERR_INPUT,
                        "the document has a damaged cross-reference table; an incremental "
                        "update on it would not be valid (repair it first, e.g. with qpdf)");
        if (seal__fz_io_reason(ctx))
            seal__throw(ctx, SEAL_ERR_IO, "cannot write %s: %s", target, seal__fz_io_reason(ctx));
        fz_rethrow(fz);
    }
}

void seal__write_signed_revision(seal_ctx *ctx, pdf_document *doc, const char *in_path,
                                 int64_t in_len, const char *target, int sig_num,
                                 size_t contents_len, const seal__filler *fill,
                                 const char *password, char *tmp, size_t tmpsize)
{
    fz_context *fz = ctx->fz;

    seal__save_revision(ctx, doc, target, tmp, tmpsize);
    fz_try(fz) {
        patch_and_fill(ctx, tmp, in_path, in_len, sig_num, contents_len, fill);
        reopen_check(ctx, tmp, password, sig_num);
    }
    fz_catch(fz) {
        unlink(tmp);
        fz_rethrow(fz);
    }
}

/* The CMS filler: a CAdES signature by the key, time-stamped when asked. */
typedef struct cms_job {
    seal_key *key;
    const char *tsa_url;
} cms_job;

static seal_status cms_make(seal_ctx *ctx, void *user, const unsigned char digest[32],
                            unsigned char **der, size_t *len)
{
    cms_job *j = user;
    return seal__cms_sign(ctx, j->key, digest, j->tsa_url, der, len);
}

static seal_status cms_check(seal_ctx *ctx, void *user, const unsigned char *der, size_t len,
                             const unsigned char digest[32])
{
    cms_job *j = user;
    return seal__cms_check(ctx, der, len, digest, j->key->cert);
}

SEAL_API const char *seal_level_name(seal_level level)
{
    static const char *const names[] = {"B-B", "B-T", "B-LT", "B-LTA"};
    return level >= SEAL_LEVEL_B_B && level <= SEAL_LEVEL_B_LTA ? names[level] : NULL;
}

/* Version 1 options have no flags. */
static int best_effort(const seal_sign_options *opts)
{
    return opts->version >= 2 && (opts->flags & SEAL_SIGN_LEVEL_BEST_EFFORT);
}

/* The time-stamp authority's token size, 0 when it does not answer and
 * the level is best effort (what was missing then goes to gap). */
static size_t tsa_probe(seal_ctx *ctx, const seal_sign_options *opts, const char *kind, char *gap,
                        size_t gapsize)
{
    size_t size = 0;
    char what[640];

    if (seal__tsa_token_probe(ctx, opts->tsa_url, &size) == SEAL_OK)
        return size;
    if (ctx->status != SEAL_ERR_NETWORK)
        seal__throw_recorded(ctx);
    snprintf(what, sizeof(what), "no %s (%.500s)", kind, ctx->msg);
    if (!best_effort(opts))
        seal__level_not_reached(ctx, seal_level_name(opts->level), what);
    if (!gap[0])
        snprintf(gap, gapsize, "%s", what);
    seal__reset(ctx);
    return 0;
}

/* B-LT: validation data in a further update; B-LTA: a document time-stamp
 * over it. Each step writes a new temporary file that replaces tmp (4096
 * bytes). Returns the level reached from B-T; what kept it lower goes to
 * gap, and without best effort a gap is an error (SEAL_ERR_NETWORK). */
static seal_level add_ltv(seal_ctx *ctx, const seal_sign_options *opts, seal_key *key,
                          const char *out_path, char *tmp, char *gap, size_t gapsize)
{
    char next[4096];
    seal_level reached = SEAL_LEVEL_B_T;
    size_t token_size;

    if (opts->level >= SEAL_LEVEL_B_LT) {
        seal__ltv_gaps gaps = {seal_level_name(opts->level), best_effort(opts), 0, ""};
        seal__ltv_add_dss(ctx, tmp, out_path, opts->password, key, &gaps, next, sizeof(next));
        unlink(tmp);
        memcpy(tmp, next, sizeof(next));
        if (gaps.count > 1)
            snprintf(gap, gapsize, "%s (and %d more)", gaps.first, gaps.count - 1);
        else if (gaps.count)
            snprintf(gap, gapsize, "%s", gaps.first);
        else
            reached = SEAL_LEVEL_B_LT;
        if (gaps.count && !best_effort(opts))
            seal__level_not_reached(ctx, seal_level_name(opts->level), gap);
    }
    if (opts->level >= SEAL_LEVEL_B_LTA &&
        (token_size = tsa_probe(ctx, opts, "document time-stamp", gap, gapsize)) != 0) {
        seal__ltv_add_doc_timestamp(ctx, tmp, out_path, opts->password, opts->tsa_url, token_size,
                                    next, sizeof(next));
        unlink(tmp);
        memcpy(tmp, next, sizeof(next));
        if (reached == SEAL_LEVEL_B_LT)
            reached = SEAL_LEVEL_B_LTA;
    }
    return reached;
}

/* What seal_sign_file and seal_sign_preview both require of the options. */
static seal_status check_options(seal_ctx *ctx, const seal_sign_options *opts)
{
    if (opts->version < 1 || opts->version > SEAL_SIGN_OPTIONS_VERSION)
        return seal__fail(ctx, SEAL_ERR_ARGS, "unknown seal_sign_options version %u", opts->version);
    if (opts->version >= 2 && (opts->flags & ~(SEAL_SIGN_LEVEL_BEST_EFFORT | SEAL_SIGN_ADBE_PKCS7)))
        return seal__fail(ctx, SEAL_ERR_ARGS, "unknown seal_sign_options flags 0x%x", opts->flags);
    if (opts->certify < 0 || opts->certify > 3)
        return seal__fail(ctx, SEAL_ERR_ARGS, "certify must be 0 to 3, not %d", opts->certify);
    if (opts->level < SEAL_LEVEL_B_B || opts->level > SEAL_LEVEL_B_LTA)
        return seal__fail(ctx, SEAL_ERR_ARGS, "unknown PAdES level %d", (int)opts->level);
    for (size_t i = 0; i < opts->placement_count; i++)
        if (opts->placements[i].kind != SEAL_PLACE_FIELD && !opts->artwork_path)
            return seal__fail(ctx, SEAL_ERR_ARGS, "a placement needs seal artwork");
    if (opts->artwork_path && !opts->placement_count)
        return seal__fail(ctx, SEAL_ERR_ARGS, "seal artwork needs a placement (page and position)");
    if (opts->caption && !opts->artwork_path)
        return seal__fail(ctx, SEAL_ERR_ARGS, "a caption goes under seal artwork");
    return SEAL_OK;
}


SEAL_API seal_status seal_sign_file(seal_ctx *ctx, const char *in_path, const char *out_path,
                                    seal_key *key, const seal_sign_options *opts)
{
    fz_context *fz;
    pdf_document *volatile doc = NULL;
    char tmp[4096], gap[640] = "";
    volatile int have_tmp = 0;
    volatile seal_level reached = SEAL_LEVEL_B_B;
    volatile seal_status st = SEAL_OK;
    artwork art = {0};
    placed_list placed = {{0}, NULL, 0};

    if (!ctx)
        return SEAL_ERR_ARGS;
    seal__reset(ctx);
    fz = ctx->fz;
    if (!in_path || !out_path || !key || !opts)
        return seal__fail(ctx, SEAL_ERR_ARGS, "seal_sign_file: missing argument");
    if (check_options(ctx, opts) != SEAL_OK)
        return ctx->status;
    if (opts->level >= SEAL_LEVEL_B_T && !opts->tsa_url)
        return seal__fail(ctx, SEAL_ERR_ARGS, "PAdES %s needs a time-stamp authority (--tsa URL)",
                          seal_level_name(opts->level));
    const char *reads[] = {in_path, opts->artwork_path};
    if (seal__paths_check(ctx, reads, 2, &out_path, 1) != SEAL_OK)
        return ctx->status;

    seal__ossl_clear();
    fz_var(art.xobj);
    fz_var(placed.p);
    fz_try(fz) {
        int64_t in_len = seal__pdf_check_file(ctx, in_path);
        size_t contents_len = seal__cms_max_size(key);
        cms_job job = {key, opts->level >= SEAL_LEVEL_B_T ? opts->tsa_url : NULL};
        seal__filler fill = {cms_make, cms_check, &job,
                             seal__sm2_is_key(X509_get0_pubkey(key->cert)) ? NID_sm3 : 0};

        doc = seal__pdf_open(ctx, in_path, opts->password, 1);
        const char *target = NULL;
        for (size_t i = 0; i < opts->placement_count; i++)
            if (opts->placements[i].kind == SEAL_PLACE_FIELD)
                target = opts->placements[i].field;
        check_permissions(ctx, doc, in_path, opts->certify, opts->password, target);
        /* The signature time-stamp goes inside the CMS: reserve room for a
         * token of the size this authority really returns. */
        if (job.tsa_url) {
            size_t token_size = tsa_probe(ctx, opts, "signature time-stamp", gap, sizeof(gap));
            contents_len += token_size;
            if (!token_size)
                job.tsa_url = NULL;
            else
                reached = SEAL_LEVEL_B_T;
        }
        if (opts->artwork_path) {
            load_artwork(ctx, doc, opts->artwork_path, &art);
            if (opts->caption)
                add_caption(ctx, doc, &art, opts->caption);
        }
        int sig_num = build_signature(ctx, doc, key, opts, opts->artwork_path ? &art : NULL,
                                      contents_len, &placed);
        seal__write_signed_revision(ctx, doc, in_path, in_len, out_path, sig_num, contents_len,
                                    &fill, opts->password, tmp, sizeof(tmp));
        have_tmp = 1;
        pdf_drop_document(fz, doc);
        doc = NULL;

        if (reached == SEAL_LEVEL_B_T)
            reached = add_ltv(ctx, opts, key, out_path, tmp, gap, sizeof(gap));
        if (seal__commit_file(ctx, tmp, out_path) != SEAL_OK)
            seal__throw_recorded(ctx);
        have_tmp = 0;
        if (reached < opts->level)
            seal__warn(ctx, "PAdES %s not reached: %s; the signature is %s", seal_level_name(opts->level),
                       gap, seal_level_name(reached));
        seal__placed_report(opts, placed.p, placed.n);
    }
    fz_always(fz) {
        pdf_drop_obj(fz, art.xobj);
        pdf_drop_document(fz, doc);
        fz_free(fz, placed.p);
    }
    fz_catch(fz) {
        st = seal__from_fz(ctx, SEAL_ERR_INPUT);
        if (have_tmp)
            unlink(tmp);
    }
    seal__ossl_clear();
    return st;
}

/* OUT.png for one page; OUT-N.png for page N of several. */
static void preview_path(const char *png, int page, int several, char *out, size_t size)
{
    const char *slash = strrchr(png, '/'), *dot = strrchr(png, '.');
    if (!several) {
        snprintf(out, size, "%s", png);
        return;
    }
    if (!dot || (slash && dot < slash))
        snprintf(out, size, "%s-%d.png", png, page);
    else
        snprintf(out, size, "%.*s-%d%s", (int)(dot - png), png, page, dot);
}

/* The preview files' names (preview_path), checked against the inputs
 * before anything is rendered. */
static char **preview_paths(seal_ctx *ctx, const char *in_path, const seal_sign_options *opts,
                            const char *png_path, const int *pages, int npages)
{
    fz_context *fz = ctx->fz;
    const char *reads[] = {in_path, opts->artwork_path};
    char **paths = fz_calloc(fz, (size_t)npages, sizeof(char *));

    fz_try(fz) {
        for (int i = 0; i < npages; i++) {
            paths[i] = fz_malloc(fz, 4096);
            preview_path(png_path, pages[i] + 1, npages > 1, paths[i], 4096);
        }
        if (seal__paths_check(ctx, reads, 2, (const char *const *)paths, (size_t)npages) != SEAL_OK)
            seal__throw_recorded(ctx);
    }
    fz_catch(fz) {
        for (int i = 0; i < npages; i++)
            fz_free(fz, paths[i]);
        fz_free(fz, paths);
        fz_rethrow(fz);
    }
    return paths;
}

SEAL_API seal_status seal_sign_preview(seal_ctx *ctx, const char *in_path,
                                       const seal_sign_options *opts, const char *png_path,
                                       int dpi)
{
    fz_context *fz;
    pdf_document *volatile doc = NULL;
    int *volatile pages = NULL;
    fz_pixmap *volatile pix = NULL;
    fz_page *volatile page = NULL;
    char **volatile paths = NULL, **volatile tmps = NULL;
    volatile seal_status st = SEAL_OK;
    volatile int npages = 0, failed_page = -1;
    artwork art = {0};
    placed_list placed = {{0}, NULL, 0};

    if (!ctx)
        return SEAL_ERR_ARGS;
    seal__reset(ctx);
    fz = ctx->fz;
    if (!in_path || !opts || !png_path)
        return seal__fail(ctx, SEAL_ERR_ARGS, "seal_sign_preview: missing argument");
    if (check_options(ctx, opts) != SEAL_OK)
        return ctx->status;
    if (!opts->artwork_path || !opts->placement_count)
        return seal__fail(ctx, SEAL_ERR_ARGS, "a preview needs seal artwork and a placement");
    if (dpi < 10 || dpi > 1200)
        return seal__fail(ctx, SEAL_ERR_ARGS, "preview resolution %d dpi is out of 10-1200", dpi);
    seal__ossl_clear();
    fz_var(art.xobj);
    fz_var(placed.p);
    fz_try(fz) {
        const char *target = NULL;
        int *pg = NULL, n = 0;

        seal__pdf_check_file(ctx, in_path);
        doc = seal__pdf_open(ctx, in_path, opts->password, 1);
        for (size_t i = 0; i < opts->placement_count; i++)
            if (opts->placements[i].kind == SEAL_PLACE_FIELD)
                target = opts->placements[i].field;
        check_permissions(ctx, doc, in_path, opts->certify, opts->password, target);
        load_artwork(ctx, doc, opts->artwork_path, &art);
        if (opts->caption)
            add_caption(ctx, doc, &art, opts->caption);
        build_signature(ctx, doc, NULL, opts, &art, 16, &placed);
        pages = pg = fz_malloc_array(fz, placed.n > 0 ? placed.n : 1, int);
        for (int i = 0; i < placed.n; i++) {
            int seen = 0;
            for (int k = 0; k < n; k++)
                seen |= pg[k] == placed.p[i].page - 1;
            if (!seen)
                pg[n++] = placed.p[i].page - 1;
        }
        npages = n;
        paths = preview_paths(ctx, in_path, opts, png_path, pages, npages);
        tmps = fz_calloc(fz, (size_t)npages, sizeof(char *));
        /* Every page to a temporary file first: a failure on a later page
         * leaves no preview of an earlier one either. */
        for (volatile int i = 0; i < npages; i++) {
            failed_page = i;
            page = fz_load_page(fz, (fz_document *)doc, pages[i]);
            pix = fz_new_pixmap_from_page(fz, page, fz_scale(dpi / 72.0f, dpi / 72.0f),
                                          fz_device_rgb(fz), 0);
            tmps[i] = fz_malloc(fz, 4096);
            if (seal__temp_path(ctx, paths[i], tmps[i], 4096) != SEAL_OK) {
                fz_free(fz, tmps[i]);
                tmps[i] = NULL;
                seal__throw_recorded(ctx);
            }
            fz_save_pixmap_as_png(fz, pix, tmps[i]);
            fz_drop_pixmap(fz, pix);
            pix = NULL;
            fz_drop_page(fz, page);
            page = NULL;
        }
        failed_page = -1;
        for (int i = 0; i < npages; i++) {
            if (seal__commit_file(ctx, tmps[i], paths[i]) != SEAL_OK)
                seal__throw_recorded(ctx);
            fz_free(fz, tmps[i]);
            tmps[i] = NULL;
        }
        seal__placed_report(opts, placed.p, placed.n);
    }
    fz_always(fz) {
        fz_free(fz, placed.p);
        fz_drop_pixmap(fz, pix);
        fz_drop_page(fz, page);
        pdf_drop_obj(fz, art.xobj);
        pdf_drop_document(fz, doc);
    }
    fz_catch(fz) {
        if (failed_page >= 0 && paths)
            st = seal__fz_write_error(ctx, paths[failed_page], SEAL_ERR_IO);
        else
            st = seal__from_fz(ctx, SEAL_ERR_IO);
    }
    for (int i = 0; i < npages; i++) {
        if (tmps && tmps[i]) {
            unlink(tmps[i]);
            fz_free(fz, tmps[i]);
        }
        if (paths)
            fz_free(fz, paths[i]);
    }
    fz_free(fz, tmps);
    fz_free(fz, paths);
    fz_free(fz, pages);
    seal__ossl_clear();
    return st;
}
