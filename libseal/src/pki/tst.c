/*
 * RFC 3161 time-stamp tokens, checked once for everyone: the signer (the
 * authority's answer to its request, the document time-stamp it wrote
 * back), the verifier (signature and document time-stamps) and sealed-bid
 * receipts. A token is a CMS SignedData whose content is a TSTInfo: its
 * version, imprint (and nonce) against what it stamps, the contentType
 * attribute, the signature with the certificate the SignerIdentifier
 * names, the signing-certificate reference (ESSCertID or ESSCertIDv2) to
 * that certificate, and — given anchors — the TSA's path at genTime and
 * its time-stamping purpose.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "ltvint.h"
#include "sm2int.h"

#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ess.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>

/* Candidates tried for one SignerIdentifier: a hostile bag of look-alikes
 * costs a bounded number of verifications. */
#define MAX_TSA_CANDIDATES 16

static int nid_of(const ASN1_OBJECT *o)
{
    return o ? OBJ_obj2nid(o) : NID_undef;
}

const char *seal__cms_content_type_problem(CMS_ContentInfo *cms, CMS_SignerInfo *si, int want_nid)
{
    const ASN1_OBJECT *econtent = CMS_get0_eContentType(cms);
    int idx;

    if (nid_of(econtent) != want_nid && !(want_nid == NID_pkcs7_data && seal__gm_oid_data(econtent)))
        return want_nid == NID_pkcs7_data ? "the encapsulated content type is not id-data"
                                          : "the encapsulated content type is not id-ct-TSTInfo";
    if (CMS_signed_get_attr_count(si) <= 0)
        return NULL;
    idx = CMS_signed_get_attr_by_NID(si, NID_pkcs9_contentType, -1);
    if (idx < 0)
        return "no contentType signed attribute";
    if (CMS_signed_get_attr_by_NID(si, NID_pkcs9_contentType, idx) >= 0)
        return "more than one contentType signed attribute";
    X509_ATTRIBUTE *a = CMS_signed_get_attr(si, idx);
    ASN1_TYPE *v = X509_ATTRIBUTE_count(a) == 1 ? X509_ATTRIBUTE_get0_type(a, 0) : NULL;
    if (!v || v->type != V_ASN1_OBJECT)
        return "the contentType signed attribute is not one object identifier";
    if (OBJ_cmp(v->value.object, econtent) != 0)
        return "the contentType signed attribute does not match the encapsulated content type";
    return NULL;
}

int seal__ess_signing_cert(CMS_SignerInfo *si, X509 *cert, STACK_OF(X509) *others)
{
    ASN1_OBJECT *o2 = OBJ_nid2obj(NID_id_smime_aa_signingCertificateV2);
    ASN1_OBJECT *o1 = OBJ_nid2obj(NID_id_smime_aa_signingCertificate);
    const ASN1_STRING *v2 = CMS_signed_get0_data_by_OBJ(si, o2, -3, V_ASN1_SEQUENCE);
    const ASN1_STRING *v1 = CMS_signed_get0_data_by_OBJ(si, o1, -3, V_ASN1_SEQUENCE);
    ESS_SIGNING_CERT_V2 *ss2 = NULL;
    ESS_SIGNING_CERT *ss1 = NULL;
    STACK_OF(X509) *chain;
    int r;

    if (!v2 && !v1)
        return 0;
    if (v2) {
        const unsigned char *p = ASN1_STRING_get0_data(v2);
        ss2 = d2i_ESS_SIGNING_CERT_V2(NULL, &p, ASN1_STRING_length(v2));
    }
    if (v1) {
        const unsigned char *p = ASN1_STRING_get0_data(v1);
        ss1 = d2i_ESS_SIGNING_CERT(NULL, &p, ASN1_STRING_length(v1));
    }
    chain = sk_X509_new_null();
    if (!chain || (!ss1 && !ss2)) {
        r = -1;
    } else {
        sk_X509_push(chain, cert);
        for (int i = 0; i < sk_X509_num(others); i++)
            sk_X509_push(chain, sk_X509_value(others, i));
        r = OSSL_ESS_check_signing_certs(ss1, ss2, chain, 1) > 0 ? 1 : -1;
    }
    sk_X509_free(chain);
    ESS_SIGNING_CERT_V2_free(ss2);
    ESS_SIGNING_CERT_free(ss1);
    ERR_clear_error();
    return r;
}

/* The TSTInfo of tok: version 1, and its imprint (and nonce) against what
 * the caller says it stamps. 0 with r->why set when not. */
static int check_tstinfo(CMS_ContentInfo *tok, const seal__tst_check *c, seal__tst_result *r)
{
    TS_TST_INFO *tst = NULL;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    const unsigned char *imprint = c->imprint;
    size_t imprint_len = c->imprint_len;
    int ok = 0;

    if (nid_of(CMS_get0_eContentType(tok)) != NID_id_smime_ct_TSTInfo ||
        sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(tok)) != 1)
        return 0;
    ASN1_OCTET_STRING **pos = CMS_get0_content(tok);
    if (!pos || !*pos)
        return 0;
    const unsigned char *q = ASN1_STRING_get0_data(*pos);
    tst = d2i_TS_TST_INFO(NULL, &q, ASN1_STRING_length(*pos));
    if (!tst)
        return 0;
    r->parsed = 1;
    r->gen_time = seal__asn1_time(TS_TST_INFO_get_time(tst));
    TS_MSG_IMPRINT *mi = TS_TST_INFO_get_msg_imprint(tst);
    ASN1_OCTET_STRING *want = TS_MSG_IMPRINT_get_msg(mi);
    const ASN1_OBJECT *alg = NULL;
    X509_ALGOR_get0(&alg, NULL, NULL, TS_MSG_IMPRINT_get_algo(mi));
    const EVP_MD *imd = alg ? EVP_get_digestbyobj(alg) : NULL;
    if (TS_TST_INFO_get_version(tst) != 1) {
        snprintf(r->why, sizeof(r->why), "time-stamp token version %ld is not 1", TS_TST_INFO_get_version(tst));
        goto out;
    }
    if ((c->imprint_nid && nid_of(alg) != c->imprint_nid) ||
        (c->data && (!imd || !EVP_Digest(c->data, c->data_len, md, &mdlen, imd, NULL)))) {
        snprintf(r->why, sizeof(r->why), "time-stamp imprint algorithm unsupported");
        goto out;
    }
    if (c->data) {
        imprint = md;
        imprint_len = mdlen;
    }
    if (!want || (size_t)ASN1_STRING_length(want) != imprint_len ||
        memcmp(ASN1_STRING_get0_data(want), imprint, imprint_len)) {
        snprintf(r->why, sizeof(r->why), "time-stamp imprint does not match what it stamps");
        goto out;
    }
    if (c->nonce && (!TS_TST_INFO_get_nonce(tst) || ASN1_INTEGER_cmp(TS_TST_INFO_get_nonce(tst), c->nonce))) {
        snprintf(r->why, sizeof(r->why), "time-stamp nonce does not match the request's");
        goto out;
    }
    ok = 1;
out:
    TS_TST_INFO_free(tst);
    return ok;
}

/* Whether any certificate of certs is one the SignerIdentifier names. */
static int named_any(CMS_SignerInfo *si, STACK_OF(X509) *certs)
{
    for (int i = 0; i < sk_X509_num(certs); i++)
        if (CMS_SignerInfo_cert_cmp(si, sk_X509_value(certs, i)) == 0)
            return 1;
    return 0;
}

/* The certificate the SignerIdentifier names whose key verifies the
 * token's signature and eContent digest (a decoy first in the bag must not
 * hide the TSA), or NULL with r->why set. */
static X509 *token_signer(CMS_ContentInfo *tok, CMS_SignerInfo *si, STACK_OF(X509) *certs,
                          const unsigned char *der, size_t len, seal__tst_result *r)
{
    BIO *out = BIO_new(BIO_s_null());
    X509 *tsa = NULL;

    for (int i = 0, tried = 0; out && i < sk_X509_num(certs) && tried < MAX_TSA_CANDIDATES && !tsa; i++) {
        X509 *x = sk_X509_value(certs, i);
        if (CMS_SignerInfo_cert_cmp(si, x) != 0)
            continue;
        tried++;
        CMS_SignerInfo_set1_signer_cert(si, x);
        if (seal__sm2_is_key(X509_get0_pubkey(x))
                ? seal__sm2_cms_verify_content(tok, si, x, der, len)
                : CMS_verify(tok, NULL, NULL, NULL, out, CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY | CMS_NOINTERN) == 1)
            tsa = x;
        ERR_clear_error();
    }
    BIO_free(out);
    if (!tsa)
        snprintf(r->why, sizeof(r->why), "%s",
                 named_any(si, certs) ? "time-stamp token signature does not verify"
                                      : "time-stamp signer certificate not found");
    return tsa;
}

/* The TSA's path at genTime to an anchor of store (any configured
 * certificate is an anchor, not only self-signed roots) and its purpose. */
static void judge_tsa(const seal__tst_check *c, X509 *tsa, STACK_OF(X509) *certs, seal__tst_result *r)
{
    X509_STORE_CTX *sctx = X509_STORE_CTX_new();
    int err = X509_V_ERR_UNSPECIFIED;

    seal__sm2_set_id(tsa);
    if (sctx && X509_STORE_CTX_init(sctx, c->store, tsa, certs)) {
        X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(sctx);
        X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
        if (r->gen_time)
            X509_VERIFY_PARAM_set_time(param, (time_t)r->gen_time);
        err = X509_verify_cert(sctx) == 1 ? X509_V_OK : X509_STORE_CTX_get_error(sctx);
    }
    X509_STORE_CTX_free(sctx);
    /* RFC 3161 2.3: a TSA certificate carries the timeStamping purpose. */
    if (err == X509_V_OK && X509_check_purpose(tsa, X509_PURPOSE_TIMESTAMP_SIGN, 0) != 1) {
        snprintf(r->why, sizeof(r->why), "the time-stamp authority's certificate is not for time-stamping");
    } else if (err == X509_V_OK) {
        r->trusted = 1;
        r->why[0] = 0;
    } else {
        snprintf(r->why, sizeof(r->why), "time-stamp authority not trusted: %s", X509_verify_cert_error_string(err));
    }
}

STACK_OF(X509) *seal__cms_certs_plus(CMS_ContentInfo *cms, STACK_OF(X509) *untrusted)
{
    STACK_OF(X509) *certs = cms ? CMS_get1_certs(cms) : NULL;
    if (!certs)
        certs = sk_X509_new_null();
    for (int i = 0; certs && i < sk_X509_num(untrusted); i++) {
        X509 *x = sk_X509_value(untrusted, i);
        if (X509_up_ref(x) && !sk_X509_push(certs, x))
            X509_free(x);
    }
    seal__sm2_set_ids(certs);
    return certs;
}

void seal__tst_verify(const unsigned char *der, size_t len, CMS_ContentInfo *parsed, const seal__tst_check *c,
                      seal__tst_result *r)
{
    CMS_ContentInfo *tok = parsed;
    STACK_OF(X509) *certs = NULL;
    const unsigned char *p = der;

    memset(r, 0, sizeof(*r));
    snprintf(r->why, sizeof(r->why), "time-stamp token malformed");
    if (!tok && !(tok = d2i_CMS_ContentInfo(NULL, &p, (long)len)))
        goto out;
    if (!check_tstinfo(tok, c, r))
        goto out;
    certs = seal__cms_certs_plus(tok, c->untrusted);
    CMS_SignerInfo *si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(tok), 0);
    const char *ct = seal__cms_content_type_problem(tok, si, NID_id_smime_ct_TSTInfo);
    if (ct) {
        snprintf(r->why, sizeof(r->why), "time-stamp token: %s", ct);
        goto out;
    }
    X509 *tsa = token_signer(tok, si, certs, der, len, r);
    if (!tsa)
        goto out;
    /* RFC 3161 2.4.1 (RFC 5816): the signing-certificate attribute, when
     * there, must name first the certificate that verified, then (with
     * ess_cert_id_chain) certificates the token or the caller holds. */
    if (seal__ess_signing_cert(si, tsa, certs) < 0) {
        snprintf(r->why, sizeof(r->why), "time-stamp token's signing-certificate attribute names another certificate");
        goto out;
    }
    X509_up_ref(tsa);
    r->tsa = tsa;
    r->valid = 1;
    r->why[0] = 0;
    if (c->store)
        judge_tsa(c, tsa, certs, r);
out:
    sk_X509_pop_free(certs, X509_free);
    if (tok != parsed)
        CMS_ContentInfo_free(tok);
    ERR_clear_error();
}

void seal__tst_result_free(seal__tst_result *r)
{
    X509_free(r->tsa);
    r->tsa = NULL;
}
