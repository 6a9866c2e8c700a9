/*
 * Making GB/T 38540 v4 electronic seals (seal issue): the artwork drawn as
 * a PNG picture, the holders' certificates or their SM3 digests, the
 * SES_SealInfo signed by the seal maker's key.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "esealint.h"
#include "keyint.h"
#include "ltvint.h"
#include "pdfint.h"
#include "sm2int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#define PICTURE_DPI 300.0
#define HOLDER_FILE_MAX (1u << 20)
#define MAX_HOLDERS 64
#define VID "libseal"

/* The artwork page as a PNG on a transparent background at PICTURE_DPI;
 * its size in whole millimetres and its kind (seal__artwork_open). */
static void draw_picture(seal_ctx *ctx, const char *path, seal__dbuf *png, int *w_mm, int *h_mm,
                         char *kind, size_t kind_size)
{
    fz_context *fz = ctx->fz;
    pdf_document *doc = NULL;
    fz_page *page = NULL;
    fz_pixmap *pix = NULL;
    fz_device *dev = NULL;
    fz_buffer *buf = NULL;

    fz_var(doc);
    fz_var(page);
    fz_var(pix);
    fz_var(dev);
    fz_var(buf);
    fz_try(fz) {
        fz_rect r;
        doc = seal__artwork_open(ctx, path, &r, kind, kind_size);
        page = fz_load_page(fz, (fz_document *)doc, 0);
        *w_mm = (int)lround((r.x1 - r.x0) * 25.4 / 72);
        *h_mm = (int)lround((r.y1 - r.y0) * 25.4 / 72);
        r = fz_bound_page(fz, page);
        /* Pixels exactly the size in mm at the resolution, so the picture
         * drawn at width x height mm is the artwork at its own scale. */
        fz_irect box = {0, 0, (int)lround(*w_mm / 25.4 * PICTURE_DPI), (int)lround(*h_mm / 25.4 * PICTURE_DPI)};
        fz_matrix ctm = fz_scale((float)(box.x1 / (r.x1 - r.x0)), (float)(box.y1 / (r.y1 - r.y0)));
        ctm = fz_pre_translate(ctm, -r.x0, -r.y0);
        pix = fz_new_pixmap_with_bbox(fz, fz_device_rgb(fz), box, NULL, 1);
        fz_clear_pixmap(fz, pix);
        fz_set_pixmap_resolution(fz, pix, (int)PICTURE_DPI, (int)PICTURE_DPI);
        dev = fz_new_draw_device(fz, fz_identity, pix);
        fz_run_page(fz, page, dev, ctm, NULL);
        fz_close_device(fz, dev);
        buf = fz_new_buffer_from_pixmap_as_png(fz, pix, fz_default_color_params);
        unsigned char *data;
        size_t len = fz_buffer_storage(fz, buf, &data);
        seal__dbuf_put(png, data, len);
    }
    fz_always(fz) {
        fz_drop_buffer(fz, buf);
        fz_drop_device(fz, dev);
        fz_drop_pixmap(fz, pix);
        fz_drop_page(fz, page);
        pdf_drop_document(fz, doc);
    }
    fz_catch(fz) {
        if (ctx->status == SEAL_OK)
            seal__throw(ctx, SEAL_ERR_INPUT, "seal artwork %s: %s", path, fz_caught_message(fz));
        fz_rethrow(fz);
    }
}

static seal_status picture(seal_ctx *ctx, const char *path, seal__dbuf *png, int *w_mm, int *h_mm,
                           char *kind, size_t kind_size)
{
    fz_try(ctx->fz)
        draw_picture(ctx, path, png, w_mm, h_mm, kind, kind_size);
    fz_catch(ctx->fz)
        return seal__from_fz(ctx, SEAL_ERR_INPUT);
    return png->oom ? seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory") : SEAL_OK;
}

/* The holders' certificates (each file: one or more, PEM or DER) as the
 * certList: OCTET STRINGs of the DER, or CertDigestObj {"SM3", digest}. */
static seal_status cert_list(seal_ctx *ctx, const seal_eseal_issue_options *o, seal__dbuf *list)
{
    STACK_OF(X509) *certs = sk_X509_new_null();
    seal_status st = SEAL_OK;

    for (size_t i = 0; certs && st == SEAL_OK && i < o->holder_count; i++) {
        unsigned char *data = NULL;
        size_t len = 0;
        if ((st = seal__read_file(ctx, o->holders[i], HOLDER_FILE_MAX, &data, &len)) != SEAL_OK)
            break;
        if (seal__certs_parse(data, len, certs) <= 0)
            st = seal__fail(ctx, SEAL_ERR_INPUT, "%s is not a certificate (PEM or DER)", o->holders[i]);
        free(data);
    }
    seal__ossl_clear();
    if (!certs)
        st = seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
    if (st == SEAL_OK && sk_X509_num(certs) > MAX_HOLDERS)
        st = seal__fail(ctx, SEAL_ERR_ARGS, "an e-seal lists at most %d certificates", MAX_HOLDERS);
    for (int i = 0; st == SEAL_OK && i < sk_X509_num(certs); i++) {
        unsigned char *der = NULL, md[32];
        int n = i2d_X509(sk_X509_value(certs, i), &der);
        unsigned mdlen = 0;
        if (n <= 0) {
            st = seal__fail(ctx, SEAL_ERR_INPUT, "a holder certificate cannot be encoded");
        } else if (o->cert_list_type == SEAL_ESEAL_LIST_DIGESTS) {
            seal__dbuf obj = {0};
            EVP_Digest(der, (size_t)n, md, &mdlen, EVP_sm3(), NULL);
            seal__dbuf_str(&obj, V_ASN1_PRINTABLESTRING, "SM3");
            seal__dbuf_tlv(&obj, V_ASN1_OCTET_STRING, 0, md, mdlen);
            seal__dbuf_seq(list, &obj);
        } else {
            seal__dbuf_tlv(list, V_ASN1_OCTET_STRING, 0, der, (size_t)n);
        }
        OPENSSL_free(der);
    }
    sk_X509_pop_free(certs, X509_free);
    return st;
}

static seal_status check_issue(seal_ctx *ctx, const char *art, const char *out, seal_key *maker,
                               const seal_eseal_issue_options *o)
{
    if (!art || !out || !maker || !o)
        return seal__fail(ctx, SEAL_ERR_ARGS, "seal_eseal_issue: missing argument");
    if (o->version != SEAL_ESEAL_ISSUE_OPTIONS_VERSION)
        return seal__fail(ctx, SEAL_ERR_ARGS, "unknown seal_eseal_issue_options version %u", o->version);
    if (!o->name || !o->name[0])
        return seal__fail(ctx, SEAL_ERR_ARGS, "an e-seal needs a name (--name)");
    if (!o->holder_count || !o->holders)
        return seal__fail(ctx, SEAL_ERR_ARGS, "an e-seal needs the certificates that may use it (--holder)");
    if (o->type < 0 || o->type > 99)
        return seal__fail(ctx, SEAL_ERR_ARGS, "e-seal type %d is not 1 to 99", o->type);
    if (o->cert_list_type && o->cert_list_type != SEAL_ESEAL_LIST_CERTS &&
        o->cert_list_type != SEAL_ESEAL_LIST_DIGESTS)
        return seal__fail(ctx, SEAL_ERR_ARGS, "certListType is 1 (certificates) or 2 (digests), not %d",
                          o->cert_list_type);
    if (!o->valid_to || o->valid_to <= o->valid_from)
        return seal__fail(ctx, SEAL_ERR_ARGS, "an e-seal needs a validity end after its start (--valid-to)");
    if (o->esid && (!o->esid[0] || strlen(o->esid) > 64))
        return seal__fail(ctx, SEAL_ERR_ARGS, "an esID is 1 to 64 characters");
    for (const char *p = o->esid; p && *p; p++)
        if (*p < 0x21 || *p > 0x7e)
            return seal__fail(ctx, SEAL_ERR_ARGS, "an esID is printable ASCII without spaces");
    return SEAL_OK;
}

/* The maker's signature over the SES_SealInfo DER, and its algorithm. */
static seal_status maker_sign(seal_ctx *ctx, seal_key *maker, const seal__dbuf *info, unsigned char **sig,
                              size_t *siglen, int *alg)
{
    EVP_PKEY *pub = X509_get0_pubkey(maker->cert);
    unsigned char md[32];
    unsigned mdlen = 0;

    if (seal__sm2_is_key(pub)) {
        /* GB/T 38540's own: SM2 over e = SM3(Z || SES_SealInfo). */
        *alg = NID_SM2_with_SM3;
        if (!seal__sm2_digest(pub, info->p, info->n, md))
            return seal__ossl_fail(ctx, SEAL_ERR_CRYPTO, "SM3 of the seal information");
        return seal__key_sign(ctx, maker, NID_sm3, md, 32, sig, siglen);
    }
    switch (pub ? EVP_PKEY_get_base_id(pub) : EVP_PKEY_NONE) {
    case EVP_PKEY_RSA:
        *alg = NID_sha256WithRSAEncryption;
        break;
    case EVP_PKEY_EC:
        *alg = NID_ecdsa_with_SHA256;
        break;
    default:
        return seal__fail(ctx, SEAL_ERR_UNSUPPORTED, "the seal maker's key type cannot sign e-seals");
    }
    if (!EVP_Digest(info->p, info->n, md, &mdlen, EVP_sha256(), NULL))
        return seal__ossl_fail(ctx, SEAL_ERR_CRYPTO, "SHA-256");
    return seal__key_sign(ctx, maker, NID_sha256, md, mdlen, sig, siglen);
}

static void sealinfo(seal__dbuf *info, const seal_eseal_issue_options *o, const char *esid, int type,
                     seal__dbuf *list, const seal__dbuf *png, int w, int h, long long created)
{
    seal__dbuf body = {0}, part = {0};
    seal__dbuf_str(&part, V_ASN1_IA5STRING, "ES");
    seal__dbuf_uint(&part, 4);
    seal__dbuf_str(&part, V_ASN1_IA5STRING, VID);
    seal__dbuf_seq(&body, &part);
    seal__dbuf_str(&body, V_ASN1_IA5STRING, esid);
    seal__dbuf_uint(&part, (unsigned)type);
    seal__dbuf_str(&part, V_ASN1_UTF8STRING, o->name);
    seal__dbuf_uint(&part, o->cert_list_type ? (unsigned)o->cert_list_type : SEAL_ESEAL_LIST_CERTS);
    seal__dbuf_seq(&part, list);
    seal__dbuf_gentime(&part, created);
    seal__dbuf_gentime(&part, o->valid_from ? o->valid_from : created);
    seal__dbuf_gentime(&part, o->valid_to);
    seal__dbuf_seq(&body, &part);
    seal__dbuf_str(&part, V_ASN1_IA5STRING, "PNG");
    seal__dbuf_tlv(&part, V_ASN1_OCTET_STRING, 0, png->p, png->n);
    seal__dbuf_uint(&part, (unsigned)w);
    seal__dbuf_uint(&part, (unsigned)h);
    seal__dbuf_seq(&body, &part);
    seal__dbuf_seq(info, &body);
}

SEAL_API seal_status seal_eseal_issue(seal_ctx *ctx, const char *artwork_path, const char *out_path,
                                      seal_key *maker, const seal_eseal_issue_options *opts)
{
    seal__dbuf png = {0}, list = {0}, info = {0}, body = {0}, whole = {0};
    unsigned char *sig = NULL, md[32];
    size_t siglen = 0;
    unsigned mdlen = 0;
    int w = 0, h = 0, alg = 0;
    char kind[32] = "", esid[72];
    seal_eseal *check = NULL;
    seal_status st;

    if (!ctx)
        return SEAL_ERR_ARGS;
    seal__reset(ctx);
    if (check_issue(ctx, artwork_path, out_path, maker, opts) != SEAL_OK)
        return ctx->status;
    const char *reads[MAX_HOLDERS + 1] = {artwork_path};
    size_t nreads = 1;
    for (size_t i = 0; i < opts->holder_count && nreads <= MAX_HOLDERS; i++)
        reads[nreads++] = opts->holders[i];
    if (seal__paths_check(ctx, reads, nreads, &out_path, 1) != SEAL_OK)
        return ctx->status;

    if (picture(ctx, artwork_path, &png, &w, &h, kind, sizeof(kind)) != SEAL_OK) {
        free(png.p);
        return ctx->status;
    }
    seal__ossl_clear();
    long long created = opts->created ? opts->created : (long long)time(NULL);
    if (opts->esid) {
        snprintf(esid, sizeof(esid), "%s", opts->esid);
    } else {
        /* Unique enough for one maker: the time and the picture. */
        EVP_Digest(png.p, png.n, md, &mdlen, EVP_sm3(), NULL);
        int n = snprintf(esid, sizeof(esid), "%lld", created);
        seal__hex(md, 8, esid + n);
    }
    int type = opts->type ? opts->type : !strcmp(kind, "company") ? SEAL_ESEAL_COMPANY : SEAL_ESEAL_PERSONAL;
    if ((st = cert_list(ctx, opts, &list)) != SEAL_OK)
        goto out;
    sealinfo(&info, opts, esid, type, &list, &png, w, h, created);
    if (info.oom) {
        st = seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
        goto out;
    }
    if ((st = maker_sign(ctx, maker, &info, &sig, &siglen, &alg)) != SEAL_OK)
        goto out;
    unsigned char *cert = NULL;
    int certlen = i2d_X509(maker->cert, &cert);
    seal__dbuf_put(&body, info.p, info.n);
    seal__dbuf_tlv(&body, V_ASN1_OCTET_STRING, 0, cert, certlen > 0 ? (size_t)certlen : 0);
    OPENSSL_free(cert);
    seal__dbuf_oid(&body, alg);
    seal__dbuf_bits(&body, sig, siglen);
    seal__dbuf_seq(&whole, &body);
    if (whole.oom) {
        st = seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
        goto out;
    }
    /* What a verifier will do, before anything is written. */
    if ((st = seal_eseal_parse(ctx, &check, whole.p, whole.n)) != SEAL_OK ||
        (st = seal_eseal_check(ctx, check)) != SEAL_OK) {
        char msg[SEAL_MSG_MAX];
        snprintf(msg, sizeof(msg), "%s", seal_ctx_message(ctx));
        st = seal__fail(ctx, SEAL_ERR_CRYPTO, "the e-seal made does not check: %s", msg);
        goto out;
    }
    st = seal_file_write(ctx, out_path, whole.p, whole.n, 0);
out:
    seal_eseal_free(check);
    free(png.p);
    free(list.p);
    free(info.p);
    free(body.p);
    free(whole.p);
    free(sig);
    seal__ossl_clear();
    return st;
}
