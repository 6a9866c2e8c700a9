/*
 * PAdES sealing of a PDF: one incremental update with the signature field,
 * its widgets showing the seal artwork, and a CAdES signature; then the
 * levels B-T to B-LTA (ltv.c).
 *
 * MuPDF's own signing writes adbe.pkcs7.detached, so MuPDF only builds and
 * saves the objects (with placeholders); sigrev.c then patches /ByteRange
 * and /Contents in the written bytes and inserts the CMS from cms.c.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "esealint.h"
#include "sesint.h"
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
        src = seal__artwork_open(ctx, path, &art->bbox, art->kind, sizeof(art->kind));
        page = pdf_lookup_page_obj(fz, src, 0);

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
static void pick_field_name(seal_ctx *ctx, pdf_document *doc, const char *want, char *out,
                            size_t size)
{
    if (want) {
        if (!*want || strchr(want, '.'))
            seal__throw(ctx, SEAL_ERR_ARGS, "bad field name '%s' (empty or containing '.')", want);
        snprintf(out, size, "%s", want);
        if (seal__field_name_taken(ctx, doc, out))
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
    seal__add_to_annots(ctx, doc, wd->pageobj, w);
}

/* The seals a signature draws, for seal_sign_options.placed_cb. */
typedef struct placed_list {
    char field[256];
    seal_placed *p;
    int n;
} placed_list;

/* Build the signature dictionary, the field and its widgets. Returns the
 * object number of the signature dictionary. */
/* --format ses: an SES_Signature in /Contents (version 2 options have flags). */
static int ses_format(const seal_sign_options *opts)
{
    return opts->version >= 2 && (opts->flags & SEAL_SIGN_FORMAT_SES);
}

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
                             opts->version >= 2 && (opts->flags & (SEAL_SIGN_ADBE_PKCS7 | SEAL_SIGN_FORMAT_SES))
                                 ? "adbe.pkcs7.detached"
                                 : "ETSI.CAdES.detached",
                             contents_len);
        if (ses_format(opts)) /* the second school's dictionary (gm.md §1.1 D) */
            pdf_dict_put_name(fz, sig, PDF_NAME(Filter), "Adobe.PPKMS");
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
                seal__invisible_widget(ctx, doc, field);
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

/* The SES_Signature filler (--format ses): dataHash the SM3 of the
 * ByteRange bytes, propertyInfo the ByteRange. */
typedef struct ses_job {
    seal_key *key;
    const seal_eseal *es;
    long long when;
    const char *tsa_url;
    int64_t range[4];
} ses_job;

#define SES_PROPERTY_MAX sizeof("/ByteRange [0 9999999999 9999999999 9999999999]")

static seal_status ses_make(seal_ctx *ctx, void *user, const unsigned char digest[32], unsigned char **der,
                            size_t *len)
{
    ses_job *j = user;
    char property[SES_PROPERTY_MAX + 40];
    snprintf(property, sizeof(property), "/ByteRange [%lld %lld %lld %lld]", (long long)j->range[0],
             (long long)j->range[1], (long long)j->range[2], (long long)j->range[3]);
    return seal__ses_sig_make(ctx, j->key, j->es, j->when, digest, 32, property, j->tsa_url, der, len);
}

static seal_status ses_check(seal_ctx *ctx, void *user, const unsigned char *der, size_t len,
                             const unsigned char digest[32])
{
    ses_job *j = user;
    seal__ses_sig *s = NULL;
    size_t hlen = 0;
    if (seal__ses_sig_parse(ctx, der, len, &s) != SEAL_OK)
        return ctx->status;
    const unsigned char *h = seal__ses_sig_data_hash(s, &hlen);
    int ok = hlen == 32 && !memcmp(h, digest, 32) && seal__ses_sig_verify(s) == 1 &&
             !X509_cmp(seal__ses_sig_signer(s), j->key->cert);
    seal__ses_sig_free(s);
    return ok ? SEAL_OK : seal__fail(ctx, SEAL_ERR_CRYPTO, "the SES signature written does not verify");
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
    if (opts->version >= 2 &&
        (opts->flags & ~(SEAL_SIGN_LEVEL_BEST_EFFORT | SEAL_SIGN_ADBE_PKCS7 | SEAL_SIGN_FORMAT_SES)))
        return seal__fail(ctx, SEAL_ERR_ARGS, "unknown seal_sign_options flags 0x%x", opts->flags);
    if (opts->certify < 0 || opts->certify > 3)
        return seal__fail(ctx, SEAL_ERR_ARGS, "certify must be 0 to 3, not %d", opts->certify);
    if (opts->level < SEAL_LEVEL_B_B || opts->level > SEAL_LEVEL_B_LTA)
        return seal__fail(ctx, SEAL_ERR_ARGS, "unknown PAdES level %d", (int)opts->level);
    const char *eseal = opts->version >= 4 ? opts->eseal_path : NULL;
    if (eseal && opts->artwork_path)
        return seal__fail(ctx, SEAL_ERR_ARGS, "an e-seal brings its own picture: no seal artwork with it");
    if (eseal && opts->caption)
        return seal__fail(ctx, SEAL_ERR_ARGS, "nothing is drawn under an e-seal's picture (no caption)");
    for (size_t i = 0; i < opts->placement_count; i++)
        if (opts->placements[i].kind != SEAL_PLACE_FIELD && !opts->artwork_path && !eseal)
            return seal__fail(ctx, SEAL_ERR_ARGS, "a placement needs seal artwork");
    if ((opts->artwork_path || eseal) && !opts->placement_count)
        return seal__fail(ctx, SEAL_ERR_ARGS, "seal artwork needs a placement (page and position)");
    if (opts->caption && !opts->artwork_path)
        return seal__fail(ctx, SEAL_ERR_ARGS, "a caption goes under seal artwork");
    if (ses_format(opts) && !eseal)
        return seal__fail(ctx, SEAL_ERR_ARGS,
                          "an SES signature (--format ses) is made with an e-seal (--eseal): a GB/T 38540 "
                          "signature without a seal means nothing");
    if (ses_format(opts) && opts->level > SEAL_LEVEL_B_T)
        return seal__fail(ctx, SEAL_ERR_ARGS,
                          "an SES signature (--format ses) goes up to B-T (its [0] time-stamp), not %s",
                          seal_level_name(opts->level));
    return SEAL_OK;
}

/* The e-seal of version 4 options, read and, with a signer's certificate,
 * checked for use by it at the signing time; NULL with the status recorded
 * when it cannot be used, or when there is none (status SEAL_OK). */
static seal_eseal *open_eseal(seal_ctx *ctx, const seal_sign_options *opts, seal_key *key)
{
    seal_eseal *es = NULL;
    if (opts->version < 4 || !opts->eseal_path)
        return NULL;
    if (seal_eseal_load(ctx, &es, opts->eseal_path) != SEAL_OK)
        return NULL;
    if (key && seal__eseal_usable(ctx, es, key->cert,
                                  opts->signing_time ? opts->signing_time : (long long)time(NULL)) != SEAL_OK) {
        seal_eseal_free(es);
        return NULL;
    }
    return es;
}

/* The picture the widgets show: the e-seal's, or the artwork file. */
static void load_picture(seal_ctx *ctx, pdf_document *doc, const seal_sign_options *opts,
                         const seal_eseal *es, artwork *art)
{
    if (es) {
        seal_eseal_info ei;
        seal_eseal_get_info(es, &ei);
        art->xobj = seal__eseal_xobject(ctx, doc, es, &art->bbox);
        snprintf(art->kind, sizeof(art->kind), "%s", ei.type == SEAL_ESEAL_COMPANY ? "company" : "legal-rep");
        pdf_dict_puts_drop(ctx->fz, art->xobj, "SealKind", pdf_new_name(ctx->fz, art->kind));
        return;
    }
    load_artwork(ctx, doc, opts->artwork_path, art);
    if (opts->caption)
        add_caption(ctx, doc, art, opts->caption);
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
    const char *reads[] = {in_path, opts->artwork_path, opts->version >= 4 ? opts->eseal_path : NULL};
    if (seal__paths_check(ctx, reads, 3, &out_path, 1) != SEAL_OK)
        return ctx->status;
    if (ses_format(opts) && !seal__sm2_is_key(X509_get0_pubkey(key->cert)))
        return seal__fail(ctx, SEAL_ERR_CERT, "an SES signature (--format ses) needs an SM2 key; %s has none",
                          key->text.subject ? key->text.subject : "the signer's certificate");
    seal_eseal *es = open_eseal(ctx, opts, key);
    if (ctx->status != SEAL_OK)
        return ctx->status;

    seal__ossl_clear();
    fz_var(art.xobj);
    fz_var(placed.p);
    fz_try(fz) {
        int64_t in_len = seal__pdf_check_file(ctx, in_path);
        int ses = ses_format(opts);
        size_t contents_len = ses ? seal__ses_sig_max_size(key, es, SES_PROPERTY_MAX) : seal__cms_max_size(key);
        cms_job job = {key, opts->level >= SEAL_LEVEL_B_T ? opts->tsa_url : NULL};
        ses_job sjob = {key, es, opts->signing_time ? opts->signing_time : (long long)time(NULL), NULL, {0}};
        seal__filler fill = {cms_make, cms_check, &job,
                             seal__sm2_is_key(X509_get0_pubkey(key->cert)) ? NID_sm3 : 0, NULL};
        if (ses)
            fill = (seal__filler){ses_make, ses_check, &sjob, NID_sm3, sjob.range};

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
            sjob.tsa_url = job.tsa_url;
        }
        if (opts->artwork_path || es)
            load_picture(ctx, doc, opts, es, &art);
        int sig_num = build_signature(ctx, doc, key, opts, opts->artwork_path || es ? &art : NULL,
                                      contents_len, &placed);
        if (es && !ses) /* an SES_Signature carries its seal itself */
            seal__eseal_attach(ctx, doc, sig_num, es);
        seal__write_signed_revision(ctx, doc, in_path, in_len, out_path, sig_num, contents_len,
                                    &fill, opts->password, tmp, sizeof(tmp));
        have_tmp = 1;
        pdf_drop_document(fz, doc);
        doc = NULL;

        if (reached == SEAL_LEVEL_B_T && !ses)
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
    seal_eseal_free(es);
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
    if ((!opts->artwork_path && (opts->version < 4 || !opts->eseal_path)) || !opts->placement_count)
        return seal__fail(ctx, SEAL_ERR_ARGS, "a preview needs seal artwork and a placement");
    seal_eseal *es = open_eseal(ctx, opts, NULL);
    if (ctx->status != SEAL_OK)
        return ctx->status;
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
        load_picture(ctx, doc, opts, es, &art);
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
    seal_eseal_free(es);
    seal__ossl_clear();
    return st;
}
