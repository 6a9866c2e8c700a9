/*
 * The verifier's side of GB/T 38540 electronic seals: a signature whose
 * dictionary carries /SealESeal (docs/eseal.md) is bound to that seal only
 * if the maker's signature verifies and chains to a --seal-trust anchor,
 * the signer's certificate is in the seal's list, the signing time lies in
 * the seal's validity, and every whole seal drawn is the seal's picture.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "esealint.h"
#include "reportint.h"
#include "sesint.h"

#include <math.h>
#include <json-c/json.h>
#include <openssl/err.h>

#include <stdlib.h>
#include <string.h>

#define ESEAL_STREAM_MAX (8u << 20)
#define CMP_SCALE 2.0f       /* 144 dpi: a 42 mm seal is 238 pixels */
#define CMP_MAX_PX 1200
#define CMP_INK_DIFF 96      /* a channel this far apart: the pixel differs */
#define CMP_MAX_DIFFER 0.03  /* more than this share of differing pixels: another picture */

typedef struct veseal {
    seal_eseal *es;           /* NULL when unreadable */
    unsigned char *der;       /* as read from the signed revision, until checked */
    size_t len;
    seal_eseal_result r;
    char problem[400];
} veseal;

/* The signature dictionary of s in doc (indirect, or the field's /V). */
static pdf_obj *sig_dict(fz_context *fz, pdf_document *doc, const vsig *s)
{
    if (s->sig_num > 0 && s->sig_num < pdf_xref_len(fz, doc))
        return pdf_load_object(fz, doc, s->sig_num);
    if (s->field_num > 0 && s->field_num < pdf_xref_len(fz, doc)) {
        pdf_obj *f = pdf_load_object(fz, doc, s->field_num);
        pdf_obj *v = pdf_keep_obj(fz, pdf_dict_get(fz, f, PDF_NAME(V)));
        pdf_drop_obj(fz, f);
        return v;
    }
    return NULL;
}

void seal__veseal_read(seal_ctx *ctx, vdoc *d, vsig *s)
{
    fz_context *fz = ctx->fz;
    pdf_document *doc = s->signed_doc ? s->signed_doc : d->doc;
    pdf_obj *sig = NULL;
    fz_buffer *buf = NULL;

    if (s->doc_ts)
        return;
    fz_var(sig);
    fz_var(buf);
    if (s->ses) {
        /* An SES_Signature carries its seal itself. */
        size_t n;
        const unsigned char *p = seal__eseal_der(seal__ses_sig_eseal(s->ses), &n);
        if (!(s->es = calloc(1, sizeof(veseal))) || !(s->es->der = malloc(n)))
            fz_throw(fz, FZ_ERROR_MEMORY, "out of memory");
        memcpy(s->es->der, p, n);
        s->es->len = n;
        return;
    }
    fz_try(fz) {
        sig = sig_dict(fz, doc, s);
        pdf_obj *st = pdf_dict_gets(fz, sig, SEAL_ESEAL_KEY);
        if (st) {
            s->es = calloc(1, sizeof(veseal));
            if (!s->es)
                fz_throw(fz, FZ_ERROR_MEMORY, "out of memory");
            if (pdf_is_stream(fz, st))
                buf = pdf_load_stream(fz, st);
            unsigned char *p;
            size_t n = buf ? fz_buffer_storage(fz, buf, &p) : 0;
            if (n && n <= ESEAL_STREAM_MAX && (s->es->der = malloc(n)) != NULL) {
                memcpy(s->es->der, p, n);
                s->es->len = n;
            }
        }
    }
    fz_always(fz) {
        fz_drop_buffer(fz, buf);
        pdf_drop_obj(fz, sig);
    }
    fz_catch(fz) {
        if (fz_caught(fz) == FZ_ERROR_MEMORY)
            fz_rethrow(fz);
        /* Unreadable: an e-seal record without bytes, judged as such. */
    }
}

int seal__veseal_any(const vdoc *d)
{
    for (size_t i = 0; i < d->nsigs; i++)
        if (d->sigs[i].es)
            return 1;
    return 0;
}

/* The picture drawn into a pixmap of w x h pixels on white. */
static fz_pixmap *draw_picture(fz_context *fz, fz_image *img, int w, int h)
{
    fz_pixmap *pix = fz_new_pixmap(fz, fz_device_rgb(fz), w, h, NULL, 0);
    fz_device *dev = NULL;
    fz_var(dev);
    fz_try(fz) {
        fz_clear_pixmap_with_value(fz, pix, 255);
        dev = fz_new_draw_device(fz, fz_identity, pix);
        fz_fill_image(fz, dev, img, fz_scale((float)w, (float)h), 1.0f, fz_default_color_params);
        fz_close_device(fz, dev);
    }
    fz_always(fz)
        fz_drop_device(fz, dev);
    fz_catch(fz) {
        fz_drop_pixmap(fz, pix);
        fz_rethrow(fz);
    }
    return pix;
}

/* 1 the annotation draws the picture, 0 it draws something else, -1 it
 * could not be compared (rotated, too large, not found). */
static int same_picture(fz_context *fz, pdf_document *doc, const vplacement *pl, fz_image *img)
{
    pdf_page *page = NULL;
    fz_pixmap *a = NULL, *b = NULL;
    volatile int rc = -1;

    fz_var(page);
    fz_var(a);
    fz_var(b);
    fz_try(fz) {
        page = pdf_load_page(fz, doc, pl->info.page - 1);
        pdf_annot *w = NULL;
        for (pdf_annot *x = pdf_first_annot(fz, page); x && !w; x = pdf_next_annot(fz, x))
            if (pdf_to_num(fz, pdf_annot_obj(fz, x)) == pl->info.object)
                w = x;
        for (pdf_annot *x = w ? NULL : pdf_first_widget(fz, page); x && !w; x = pdf_next_widget(fz, x))
            if (pdf_to_num(fz, pdf_annot_obj(fz, x)) == pl->info.object)
                w = x;
        fz_rect r = w ? fz_transform_rect(pdf_bound_annot(fz, w), fz_scale(CMP_SCALE, CMP_SCALE)) : fz_empty_rect;
        if (w && r.x1 - r.x0 < CMP_MAX_PX && r.y1 - r.y0 < CMP_MAX_PX) {
            a = pdf_new_pixmap_from_annot(fz, w, fz_scale(CMP_SCALE, CMP_SCALE), fz_device_rgb(fz), NULL, 0);
            b = draw_picture(fz, img, fz_pixmap_width(fz, a), fz_pixmap_height(fz, a));
            const unsigned char *pa = fz_pixmap_samples(fz, a), *pb = fz_pixmap_samples(fz, b);
            int wa = fz_pixmap_width(fz, a), ha = fz_pixmap_height(fz, a);
            ptrdiff_t sa = fz_pixmap_stride(fz, a), sb = fz_pixmap_stride(fz, b);
            long differ = 0;
            for (int y = 0; y < ha; y++)
                for (int x = 0; x < wa; x++)
                    for (int c = 0; c < 3; c++)
                        if (abs(pa[y * sa + 3 * x + c] - pb[y * sb + 3 * x + c]) > CMP_INK_DIFF) {
                            differ++;
                            break;
                        }
            rc = wa > 0 && ha > 0 && differ <= CMP_MAX_DIFFER * wa * ha;
        }
    }
    fz_always(fz) {
        fz_drop_pixmap(fz, a);
        fz_drop_pixmap(fz, b);
        fz_drop_page(fz, (fz_page *)page);
    }
    fz_catch(fz)
        rc = -1;
    return rc;
}

/* The decoded picture, or NULL (an SVG or OFD picture, a broken one). */
static fz_image *picture_image(seal_ctx *ctx, const seal_eseal *es)
{
    fz_image *volatile img = NULL;
    fz_try(ctx->fz)
        img = seal__eseal_image(ctx, es);
    fz_catch(ctx->fz)
        seal__reset(ctx);
    return img;
}

/* Every whole seal the signature draws (widgets and stamps; cross-page
 * strips are slices of it) against the picture, at its size in mm. */
static int judge_picture(seal_ctx *ctx, vsig *s, veseal *v, pdf_document *rdoc)
{
    fz_context *fz = ctx->fz;
    fz_image *img = rdoc ? picture_image(ctx, v->es) : NULL;
    seal_eseal_info ei;
    int verdict = -1;

    /* No document to draw (an OFD package): not compared. */
    if (!img)
        return -1;
    seal_eseal_get_info(v->es, &ei);
    for (size_t k = 0; k < s->npl && verdict != 0; k++) {
        const vplacement *pl = &s->pl[k];
        if (!strcmp(pl->kind, "cross-page"))
            continue;
        double w = (pl->info.rect[2] - pl->info.rect[0]) * 25.4 / 72, h = (pl->info.rect[3] - pl->info.rect[1]) * 25.4 / 72;
        int upright = fabs(w - ei.width_mm) <= 1 && fabs(h - ei.height_mm) <= 1;
        int turned = fabs(h - ei.width_mm) <= 1 && fabs(w - ei.height_mm) <= 1;
        if (!upright && !turned) {
            verdict = 0;
            snprintf(v->problem, sizeof(v->problem), "the seal on page %d is drawn %.0f x %.0f mm, the e-seal's picture is %d x %d mm",
                     pl->info.page, w, h, ei.width_mm, ei.height_mm);
            break;
        }
        int same = upright ? same_picture(fz, rdoc, pl, img) : -1;
        if (same == 0)
            snprintf(v->problem, sizeof(v->problem), "the seal drawn on page %d is not the e-seal's picture",
                     pl->info.page);
        if (same >= 0)
            verdict = same;
    }
    fz_drop_image(fz, img);
    return verdict;
}

static int maker_trusted(vtrust *t, const seal_eseal *es, long long created)
{
    X509_STORE_CTX *sctx;
    int ok;
    if (!t->seal_store || !t->seal_anchors)
        return 0;
    sctx = X509_STORE_CTX_new();
    ok = sctx && X509_STORE_CTX_init(sctx, t->seal_store, seal__eseal_maker(es), t->extra);
    if (ok) {
        /* The maker's certificate when the seal was made. */
        X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(sctx);
        X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN); /* as the signers' chains */
        X509_VERIFY_PARAM_set_time(param, (time_t)created);
        ok = X509_verify_cert(sctx) == 1;
    }
    X509_STORE_CTX_free(sctx);
    ERR_clear_error();
    return ok;
}

static void judge(seal_ctx *ctx, vsig *s, veseal *v, vtrust *t, pdf_document *rdoc)
{
    seal_eseal_info ei;
    char label[300], when[32];
    long long at = s->trusted ? s->trusted : s->claimed;

    seal_eseal_get_info(v->es, &ei);
    snprintf(label, sizeof(label), "e-seal \"%s\" (esID %s)", ei.name, ei.esid);
    seal_status st = seal_eseal_check(ctx, v->es);
    v->r.maker_signature = st == SEAL_OK ? 1 : st == SEAL_ERR_CRYPTO ? 0 : -1;
    if (st != SEAL_OK)
        snprintf(v->problem, sizeof(v->problem), "%s", seal_ctx_message(ctx));
    seal__reset(ctx);
    v->r.maker_trusted = v->r.maker_signature == 1 && maker_trusted(t, v->es, ei.created);
    v->r.holder = s->signer_cert && seal__eseal_holds(v->es, s->signer_cert);
    v->r.in_validity = at >= ei.valid_from && at <= ei.valid_to;
    v->r.picture = judge_picture(ctx, s, v, rdoc);

    if (v->r.maker_signature == 0) {
        seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_SIG_CRYPTO_FAILURE, "%s: %s", label, v->problem);
    } else if (!v->r.holder) {
        snprintf(v->problem, sizeof(v->problem), "the signer's certificate is not in its certificate list");
        seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_CHAIN_CONSTRAINTS_FAILURE, "%s: %s", label, v->problem);
    } else if (!v->r.in_validity) {
        seal__iso_time(at < ei.valid_from ? ei.valid_from : ei.valid_to, when, sizeof(when));
        snprintf(v->problem, sizeof(v->problem), "signed %s %s", at < ei.valid_from ? "before it is valid, from" : "after it expired on", when);
        seal__vfy_set(s, SEAL_TOTAL_FAILED, at < ei.valid_from ? SEAL_SUB_NOT_YET_VALID : SEAL_SUB_EXPIRED,
                      "%s: %s", label, v->problem);
    } else if (v->r.picture == 0) {
        seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_FORMAT_FAILURE, "%s: %s", label, v->problem);
    } else if (v->r.maker_signature < 0) {
        seal__vfy_set(s, SEAL_INDETERMINATE, SEAL_SUB_CRYPTO_CONSTRAINTS_FAILURE, "%s: %s", label, v->problem);
    } else if (!v->r.maker_trusted) {
        snprintf(v->problem, sizeof(v->problem), "the seal maker's certificate does not chain to a --seal-trust anchor");
        seal__vfy_set(s, SEAL_INDETERMINATE, SEAL_SUB_NO_CERTIFICATE_CHAIN_FOUND, "%s: %s", label, v->problem);
    } else {
        v->r.bound = 1;
        v->problem[0] = 0;
    }
}

void seal__veseal_check(seal_ctx *ctx, vdoc *d, vsig *s, vtrust *t, pdf_document *rdoc)
{
    veseal *v = s->es;
    (void)d;
    if (!v)
        return;
    if (!v->der || seal_eseal_parse(ctx, &v->es, v->der, v->len) != SEAL_OK) {
        snprintf(v->problem, sizeof(v->problem), "the e-seal it carries cannot be read%s%s",
                 v->der ? ": " : "", v->der ? seal_ctx_message(ctx) : "");
        seal__reset(ctx);
        seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_FORMAT_FAILURE, "%s", v->problem);
    } else {
        judge(ctx, s, v, t, rdoc);
    }
    free(v->der);
    v->der = NULL;
    v->r.problem = v->problem;
    if (v->es) {
        seal_eseal_info ei;
        seal_eseal_get_info(v->es, &ei);
        v->r.name = ei.name;
        v->r.esid = ei.esid;
        v->r.type = ei.type;
        v->r.maker = ei.maker;
        v->r.valid_from = ei.valid_from;
        v->r.valid_to = ei.valid_to;
    } else {
        v->r.name = v->r.esid = v->r.maker = "";
        v->r.maker_signature = -1;
        v->r.picture = -1;
    }
}

void seal__veseal_free(vsig *s)
{
    if (!s->es)
        return;
    seal_eseal_free(s->es->es);
    free(s->es->der);
    free(s->es);
    s->es = NULL;
}

int seal__veseal_bound(const vsig *s)
{
    return s->es && s->es->r.bound;
}

int seal__veseal_type(const vsig *s)
{
    return s->es ? s->es->r.type : 0;
}

SEAL_API seal_status seal_report_eseal(const seal_report *rep, size_t i, seal_eseal_result *out)
{
    size_t n = rep ? rep->nsigs : 0;
    if (!rep || !out || i >= n)
        return SEAL_ERR_ARGS;
    const vsig *s = &rep->sigs[i];
    if (!s->es)
        return SEAL_ERR_NOT_FOUND;
    *out = s->es->r;
    return SEAL_OK;
}

const char *seal__veseal_problem(const vsig *s)
{
    return s->es && !s->es->r.bound ? s->es->r.problem : NULL;
}

static const char *type_text(int type)
{
    return type == SEAL_ESEAL_COMPANY ? "company 单位印章" : type == SEAL_ESEAL_PERSONAL ? "personal 个人印章" : "issuer-defined 自定义";
}

static const char *maker_sig_name(int v)
{
    return v == 1 ? "valid" : v == 0 ? "invalid" : "unchecked";
}

void seal__veseal_text(FILE *f, const vsig *s)
{
    const seal_eseal_result *r = s->es ? &s->es->r : NULL;
    char from[32], to[32];
    if (!r)
        return;
    if (!r->esid[0]) {
        fprintf(f, "  电子印章 E-seal:     unreadable 无法读取 — %s\n", r->problem);
        return;
    }
    seal__iso_time(r->valid_from, from, sizeof(from));
    seal__iso_time(r->valid_to, to, sizeof(to));
    fprintf(f, "  电子印章 E-seal:     \"%s\" (esID %s), type %d %s, valid %s to %s\n", r->name, r->esid, r->type,
            type_text(r->type), from, to);
    fprintf(f, "  制章者 Maker:        %s (signature %s, %s)\n", r->maker, maker_sig_name(r->maker_signature),
            r->maker_trusted ? "trusted 受信任" : "not trusted 不受信任");
    fprintf(f, "  绑定 Bound:          %s; certificate %s, %s validity, picture %s%s%s\n",
            r->bound ? "yes 是" : "NO 否", r->holder ? "listed" : "NOT LISTED", r->in_validity ? "in" : "OUTSIDE",
            r->picture == 1 ? "matches" : r->picture == 0 ? "DIFFERS" : "not compared", r->bound ? "" : " — ",
            r->bound ? "" : r->problem);
}

struct json_object *seal__veseal_json(const vsig *s)
{
    const seal_eseal_result *r = &s->es->r;
    json_object *o = json_object_new_object();
    char from[32], to[32];
    seal__iso_time(r->valid_from, from, sizeof(from));
    seal__iso_time(r->valid_to, to, sizeof(to));
    json_object_object_add(o, "name", json_object_new_string(r->name));
    json_object_object_add(o, "esid", json_object_new_string(r->esid));
    json_object_object_add(o, "type", json_object_new_int(r->type));
    json_object_object_add(o, "maker", json_object_new_string(r->maker));
    json_object_object_add(o, "valid_from", json_object_new_string(r->esid[0] ? from : ""));
    json_object_object_add(o, "valid_to", json_object_new_string(r->esid[0] ? to : ""));
    json_object_object_add(o, "maker_signature", json_object_new_string(maker_sig_name(r->maker_signature)));
    json_object_object_add(o, "maker_trusted", json_object_new_boolean(r->maker_trusted));
    json_object_object_add(o, "holder", json_object_new_boolean(r->holder));
    json_object_object_add(o, "in_validity", json_object_new_boolean(r->in_validity));
    json_object_object_add(o, "picture", json_object_new_string(r->picture == 1   ? "matches"
                                                                : r->picture == 0 ? "differs"
                                                                                  : "not-compared"));
    json_object_object_add(o, "bound", json_object_new_boolean(r->bound));
    json_object_object_add(o, "problem", json_object_new_string(r->problem));
    return o;
}

void seal__veseal_html(FILE *f, const vsig *s)
{
    const seal_eseal_result *r = s->es ? &s->es->r : NULL;
    if (!r)
        return;
    fprintf(f, "<br><span class=\"eseal %s\">电子印章 e-seal ", r->bound ? "ok" : "bad");
    seal__xml_escape(f, r->name);
    fputs(" (esID ", f);
    seal__xml_escape(f, r->esid);
    fprintf(f, "): %s", r->bound ? "bound 已绑定" : "NOT BOUND 未绑定 — ");
    if (!r->bound)
        seal__xml_escape(f, r->problem);
    fputs("</span>", f);
}

void seal__veseal_line(const vsig *s, char *buf, size_t size)
{
    const seal_eseal_result *r = s->es ? &s->es->r : NULL;
    size_t n = strlen(buf);
    if (!r || n >= size)
        return;
    snprintf(buf + n, size - n, "%s%s (esID %s): %s", n ? "; " : "", r->name, r->esid,
             r->bound ? "bound" : r->problem);
}
