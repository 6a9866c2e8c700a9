/*
 * Long-term signatures: the Document Security Store (/DSS with Certs,
 * OCSPs, CRLs) and document time-stamps (/DocTimeStamp, ETSI.RFC3161),
 * each in an incremental update of its own; archive renewal (extend).
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "ltvint.h"
#include "revoke.h"
#include "pdfint.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/x509v3.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>

#define MAX_DSS_ITEMS 10000

/* Note a gap in the validation data (the first one's text is kept). */
static void add_gap(seal__ltv_gaps *gaps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_gap(seal__ltv_gaps *gaps, const char *fmt, ...)
{
    va_list ap;
    if (gaps->count++)
        return;
    va_start(ap, fmt);
    vsnprintf(gaps->first, sizeof(gaps->first), fmt, ap);
    va_end(ap);
}

/* Every certificate in the document's signatures and time-stamps. */
typedef struct cert_scan {
    STACK_OF(X509) *certs;
} cert_scan;

static void scan_sig_certs(seal_ctx *ctx, pdf_obj *field, const char *name, void *user)
{
    fz_context *fz = ctx->fz;
    cert_scan *c = user;
    pdf_obj *contents = pdf_dict_getp(fz, field, "V/Contents");
    (void)name;
    if (pdf_is_string(fz, contents) && pdf_to_str_len(fz, contents) < (1u << 20))
        seal__cms_collect_certs((const unsigned char *)pdf_to_str_buf(fz, contents),
                                pdf_to_str_len(fz, contents), c->certs);
}

static pdf_obj *dss_array(fz_context *fz, pdf_obj *dss, const char *key)
{
    pdf_obj *a = pdf_dict_gets(fz, dss, key);
    if (!pdf_is_array(fz, a)) {
        pdf_dict_puts_drop(fz, dss, key, pdf_new_array(fz, pdf_get_bound_document(fz, dss), 4));
        a = pdf_dict_gets(fz, dss, key);
    }
    return a;
}

/* Append a stream holding buf's bytes; takes buf. */
static void dss_add(fz_context *fz, pdf_document *doc, pdf_obj *array, fz_buffer *buf)
{
    fz_try(fz) {
        if (pdf_array_len(fz, array) < MAX_DSS_ITEMS)
            pdf_array_push_drop(fz, array, pdf_add_stream(fz, doc, buf, NULL, 0));
    }
    fz_always(fz)
        fz_drop_buffer(fz, buf);
    fz_catch(fz)
        fz_rethrow(fz);
}

/* Is this DER already one of the array's streams? */
static int dss_has(fz_context *fz, pdf_obj *array, const unsigned char *der, size_t len)
{
    int n = pdf_array_len(fz, array);
    for (int i = 0; i < n && i < MAX_DSS_ITEMS; i++) {
        fz_buffer *b = NULL;
        int same = 0;
        fz_try(fz) {
            b = pdf_load_stream(fz, pdf_array_get(fz, array, i));
            unsigned char *data;
            size_t blen = fz_buffer_storage(fz, b, &data);
            same = blen == len && !memcmp(data, der, len);
        }
        fz_always(fz)
            fz_drop_buffer(fz, b);
        fz_catch(fz)
            same = 0;
        if (same)
            return 1;
    }
    return 0;
}

/* Judge what a service answered before it goes into the DSS, by the
 * verifier's rules (revoke.c): an answer about the certificate that can be
 * relied on and, for the signer, not "revoked". */
static seal_status check_answer(seal_ctx *ctx, const unsigned char *der, size_t len, int is_ocsp,
                                X509 *cert, X509 *issuer, STACK_OF(X509) *certs, const char *url,
                                int is_signer)
{
    seal__rev rv;
    seal_status st = SEAL_OK;

    if (is_ocsp) {
        OCSP_BASICRESP *bs = seal__rev_ocsp_basic(der, len);
        seal__rev_judge_ocsp(bs, cert, issuer, certs, &rv);
        OCSP_BASICRESP_free(bs);
    } else {
        const unsigned char *p = der;
        X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)len);
        seal__rev_judge_crl(crl, cert, issuer, &rv);
        X509_CRL_free(crl);
    }
    ERR_clear_error();
    if (rv.state == SEAL__REV_NONE)
        st = seal__fail(ctx, SEAL_ERR_CRYPTO, "the %s from %s is about another certificate",
                        is_ocsp ? "OCSP response" : "CRL", url);
    else if (rv.state == SEAL__REV_UNUSABLE)
        st = seal__fail(ctx, SEAL_ERR_CRYPTO, "the %s from %s cannot be relied on: %s",
                        is_ocsp ? "OCSP response" : "CRL", url, rv.why);
    else if (rv.state == SEAL__REV_REVOKED && is_signer) {
        seal__cert_text t;
        seal__cert_text_fill(&t, cert);
        st = seal__fail(ctx, SEAL_ERR_CERT, "the signer's certificate (%s) is revoked (%s, %s)",
                        t.cn ? t.cn : "?", rv.source, url);
        seal__cert_text_free(&t);
    }
    return st;
}

/* Fetch revocation data for cert (OCSP first, else its CRL); a gap goes
 * to gaps (see seal__ltv_gaps) or, without, is a warning. */
static void fetch_revocation(seal_ctx *ctx, pdf_document *doc, pdf_obj *ocsps, pdf_obj *crls,
                             X509 *cert, STACK_OF(X509) *certs, int is_signer,
                             seal__ltv_gaps *gaps)
{
    fz_context *fz = ctx->fz;
    X509 *issuer = NULL;
    unsigned char *der = NULL;
    size_t len = 0;
    int is_ocsp = 0;
    char *url = NULL;
    seal_status st;
    seal__cert_text t;

    for (int i = 0; i < sk_X509_num(certs) && !issuer; i++)
        if (sk_X509_value(certs, i) != cert && X509_check_issued(sk_X509_value(certs, i), cert) == X509_V_OK)
            issuer = sk_X509_value(certs, i);
    st = seal__rev_fetch(ctx, cert, issuer, &der, &len, &is_ocsp, &url);
    if (st == SEAL_OK && der && !issuer)
        st = seal__fail(ctx, SEAL_ERR_CRYPTO, "no issuer certificate to check the CRL from %s", url);
    else if (st == SEAL_OK && der)
        st = check_answer(ctx, der, len, is_ocsp, cert, issuer, certs, url, is_signer);
    int orphan = !der && url; /* an OCSP responder named, its issuer unknown */
    free(url);
    if (st == SEAL_ERR_NETWORK && gaps) {
        free(der);
        if (!gaps->best_effort)
            seal__level_not_reached(ctx, gaps->level, ctx->msg);
        add_gap(gaps, "%s", ctx->msg);
        seal__reset(ctx);
        return;
    }
    if (st != SEAL_OK) {
        free(der);
        seal__throw_recorded(ctx);
    }
    if (!der) {
        seal__cert_text_fill(&t, cert);
        if (gaps)
            add_gap(gaps, "no revocation source (OCSP or CRL) for %s%s", t.cn ? t.cn : "a certificate",
                    orphan ? " (its issuer is unknown)" : "");
        else
            seal__warn(ctx, "no revocation source (OCSP or CRL) for %s%s; the DSS holds its certificate only",
                       t.cn ? t.cn : "a certificate", orphan ? " (its issuer is unknown)" : "");
        seal__cert_text_free(&t);
        return;
    }
    /* The buffer takes the malloc'd reply. */
    dss_add(fz, doc, is_ocsp ? ocsps : crls, fz_new_buffer_from_data(fz, der, len));
}

void seal__ltv_add_dss(seal_ctx *ctx, const char *in, const char *target, const char *password,
                       seal_key *key, seal__ltv_gaps *gaps, char *tmp, size_t tmpsize)
{
    fz_context *fz = ctx->fz;
    pdf_document *doc = NULL;
    STACK_OF(X509) *certs = sk_X509_new_null();
    cert_scan scan = {certs};

    fz_var(doc);
    if (!certs)
        seal__throw(ctx, SEAL_ERR_NOMEM, "out of memory");
    fz_try(fz) {
        doc = seal__pdf_open(ctx, in, password, 1);
        if (key) {
            seal__certs_add_unique(certs, key->cert);
            for (int i = 0; i < sk_X509_num(key->chain); i++)
                seal__certs_add_unique(certs, sk_X509_value(key->chain, i));
        }
        seal__pdf_each_field(ctx, doc, scan_sig_certs, &scan);

        pdf_obj *root = pdf_dict_get(fz, pdf_trailer(fz, doc), PDF_NAME(Root));
        pdf_obj *dss = pdf_dict_gets(fz, root, "DSS");
        if (!pdf_is_dict(fz, dss)) {
            pdf_dict_puts_drop(fz, root, "DSS", pdf_add_new_dict(fz, doc, 3));
            dss = pdf_dict_gets(fz, root, "DSS");
        }
        pdf_obj *acerts = dss_array(fz, dss, "Certs");
        pdf_obj *ocsps = dss_array(fz, dss, "OCSPs");
        pdf_obj *crls = dss_array(fz, dss, "CRLs");
        for (int i = 0; i < sk_X509_num(certs); i++) {
            X509 *x = sk_X509_value(certs, i);
            unsigned char *der = NULL;
            int len = i2d_X509(x, &der);
            if (len > 0 && !dss_has(fz, acerts, der, (size_t)len)) {
                unsigned char *copy = malloc((size_t)len);
                if (copy)
                    memcpy(copy, der, (size_t)len);
                OPENSSL_free(der);
                if (!copy)
                    seal__throw(ctx, SEAL_ERR_NOMEM, "out of memory");
                dss_add(fz, doc, acerts, fz_new_buffer_from_data(fz, copy, (size_t)len));
            } else {
                OPENSSL_free(der);
            }
            /* Trust anchors are not revoked through OCSP or CRLs. */
            if (X509_check_issued(x, x) != X509_V_OK)
                fetch_revocation(ctx, doc, ocsps, crls, x, certs, key && x == key->cert, gaps);
        }
        seal__save_revision(ctx, doc, target, tmp, tmpsize);
    }
    fz_always(fz) {
        pdf_drop_document(fz, doc);
        sk_X509_pop_free(certs, X509_free);
        ERR_clear_error();
    }
    fz_catch(fz)
        fz_rethrow(fz);
}

/* The document time-stamp filler: the token itself is the /Contents. */
static seal_status tst_make(seal_ctx *ctx, void *user, const unsigned char digest[32],
                            unsigned char **der, size_t *len)
{
    return seal__tsa_stamp(ctx, (const char *)user, digest, 32, der, len);
}

static seal_status tst_check(seal_ctx *ctx, void *user, const unsigned char *der, size_t len,
                             const unsigned char digest[32])
{
    const unsigned char *p = der;
    PKCS7 *token = d2i_PKCS7(NULL, &p, (long)len);
    TS_TST_INFO *info = token ? PKCS7_to_TS_TST_INFO(token) : NULL;
    ASN1_OCTET_STRING *imprint = info ? TS_MSG_IMPRINT_get_msg(TS_TST_INFO_get_msg_imprint(info)) : NULL;
    int ok = imprint && ASN1_STRING_length(imprint) == 32 &&
             !memcmp(ASN1_STRING_get0_data(imprint), digest, 32);
    (void)user;
    TS_TST_INFO_free(info);
    PKCS7_free(token);
    ERR_clear_error();
    if (!ok)
        return seal__fail(ctx, SEAL_ERR_INTERNAL,
                          "the document time-stamp written does not cover the document's digest");
    return SEAL_OK;
}

void seal__ltv_add_doc_timestamp(seal_ctx *ctx, const char *in, const char *target,
                                 const char *password, const char *tsa_url, size_t token_size,
                                 char *tmp, size_t tmpsize)
{
    fz_context *fz = ctx->fz;
    pdf_document *doc = NULL;
    pdf_obj *sig = NULL;
    char name[64];
    seal__filler fill = {tst_make, tst_check, (void *)tsa_url};

    fz_var(doc);
    fz_var(sig);
    fz_try(fz) {
        int64_t in_len = seal__pdf_check_file(ctx, in);
        size_t contents_len = token_size ? token_size : seal__tsa_token_size(ctx, tsa_url);
        doc = seal__pdf_open(ctx, in, password, 1);
        sig = seal__sig_dict(ctx, doc, "DocTimeStamp", "ETSI.RFC3161", contents_len);
        seal__unique_field_name(ctx, doc, "DocTimeStamp", name, sizeof(name));
        seal__add_invisible_field(ctx, doc, name, sig);
        seal__write_signed_revision(ctx, doc, in, in_len, target, pdf_to_num(fz, sig), contents_len,
                                    &fill, password, tmp, tmpsize);
    }
    fz_always(fz) {
        pdf_drop_obj(fz, sig);
        pdf_drop_document(fz, doc);
    }
    fz_catch(fz)
        fz_rethrow(fz);
}

/* A signature field holding a signature (not a document time-stamp). */
static void count_signature(seal_ctx *ctx, pdf_obj *field, const char *name, void *user)
{
    fz_context *fz = ctx->fz;
    pdf_obj *v = pdf_dict_get(fz, field, PDF_NAME(V));
    (void)name;
    if (pdf_name_eq(fz, pdf_dict_get_inheritable(fz, field, PDF_NAME(FT)), PDF_NAME(Sig)) && pdf_is_dict(fz, v) &&
        strcmp(pdf_to_name(fz, pdf_dict_get(fz, v, PDF_NAME(Type))), "DocTimeStamp") != 0)
        ++*(int *)user;
}

/* Extending keeps signatures verifiable; a document without one (only
 * document time-stamps, or nothing) has none to keep. */
static void require_signature(seal_ctx *ctx, const char *path, const char *password)
{
    fz_context *fz = ctx->fz;
    pdf_document *doc = seal__pdf_open(ctx, path, password, 0);
    int n = 0;

    fz_try(fz)
        seal__pdf_each_field(ctx, doc, count_signature, &n);
    fz_always(fz)
        pdf_drop_document(fz, doc);
    fz_catch(fz)
        fz_rethrow(fz);
    if (!n)
        seal__throw(ctx, SEAL_ERR_REFUSED,
                    "%s has no signature to extend (document time-stamps alone are not one): seal it first",
                    path);
}

SEAL_API seal_status seal_extend_file(seal_ctx *ctx, const char *in_path, const char *out_path,
                                      const seal_extend_options *opts)
{
    fz_context *fz;
    char dss[4096], ts[4096];
    volatile int have_dss = 0, have_ts = 0;
    volatile seal_status st = SEAL_OK;

    if (!ctx)
        return SEAL_ERR_ARGS;
    seal__reset(ctx);
    fz = ctx->fz;
    if (!in_path || !out_path || !opts)
        return seal__fail(ctx, SEAL_ERR_ARGS, "seal_extend_file: missing argument");
    if (opts->version != SEAL_EXTEND_OPTIONS_VERSION)
        return seal__fail(ctx, SEAL_ERR_ARGS, "unknown seal_extend_options version %u", opts->version);
    if (!opts->tsa_url)
        return seal__fail(ctx, SEAL_ERR_ARGS, "extending needs a time-stamp authority (--tsa URL)");
    if (seal__paths_check(ctx, &in_path, 1, &out_path, 1) != SEAL_OK)
        return ctx->status;
    seal__ossl_clear();
    fz_try(fz) {
        seal__pdf_check_file(ctx, in_path);
        require_signature(ctx, in_path, opts->password);
        /* The document time-stamp must cover the new validation data. */
        seal__ltv_add_dss(ctx, in_path, out_path, opts->password, NULL, NULL, dss, sizeof(dss));
        have_dss = 1;
        seal__ltv_add_doc_timestamp(ctx, dss, out_path, opts->password, opts->tsa_url, 0, ts,
                                    sizeof(ts));
        have_ts = 1;
        unlink(dss);
        have_dss = 0;
        if (seal__commit_file(ctx, ts, out_path) != SEAL_OK)
            seal__throw_recorded(ctx);
        have_ts = 0;
    }
    fz_catch(fz) {
        st = seal__from_fz(ctx, SEAL_ERR_INPUT);
        if (have_dss)
            unlink(dss);
        if (have_ts)
            unlink(ts);
    }
    seal__ossl_clear();
    return st;
}
