/*
 * CMS for PAdES: a CAdES detached SignedData whose signature value is made
 * by the key holder (token or software) over the DER of the signed
 * attributes, so the private key never has to be an OpenSSL object.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "ltvint.h"
#include "sm2int.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

size_t seal__cms_max_size(seal_key *key)
{
    size_t size = 0;
    EVP_PKEY *pk = X509_get0_pubkey(key->cert);

    size += (size_t)i2d_X509(key->cert, NULL);
    for (int i = 0; i < sk_X509_num(key->chain); i++)
        size += (size_t)i2d_X509(sk_X509_value(key->chain, i), NULL);
    /* signature value, then SignedData framing, algorithm identifiers,
     * issuer-and-serial (bounded by the certificate) and the three signed
     * attributes (signing-certificate-v2 carries the issuer again). */
    size += (size_t)(pk ? EVP_PKEY_get_size(pk) : 512);
    size += 2 * (size_t)i2d_X509_NAME(X509_get_issuer_name(key->cert), NULL);
    size += 1024;
    ERR_clear_error();
    return size;
}

/* An SM2 value as the key holder gave it (DER, or raw r||s from a token)
 * as strict DER, checked against e before it is embedded: a token profile
 * that signs something else is caught here, not by the verifier. */
seal_status seal__sm2_key_value(seal_ctx *ctx, EVP_PKEY *pub, const unsigned char e[32],
                                unsigned char **sig, size_t *siglen)
{
    unsigned char *der = NULL;
    size_t derlen = 0;

    if (!seal__sm2_sig_to_der(*sig, *siglen, &der, &derlen))
        return seal__fail(ctx, SEAL_ERR_CRYPTO,
                          "the key returned an SM2 signature value that is neither DER nor r||s "
                          "(%zu bytes)", *siglen);
    free(*sig);
    *sig = der;
    *siglen = derlen;
    if (!seal__sm2_verify_digest(pub, e, der, derlen))
        return seal__fail(ctx, SEAL_ERR_CRYPTO,
                          "the SM2 signature made by the key does not verify with its certificate");
    return SEAL_OK;
}

seal_status seal__cms_sign(seal_ctx *ctx, seal_key *key, const unsigned char digest[32],
                           const char *tsa_url, unsigned char **der, size_t *derlen)
{
    CMS_ContentInfo *cms = NULL;
    CMS_SignerInfo *si;
    EVP_PKEY *pub = X509_get0_pubkey(key->cert);
    unsigned char *attrs = NULL, *sig = NULL, md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    size_t attrslen = 0, siglen = 0;
    seal_status st = SEAL_OK;
    int len;
    const unsigned flags = CMS_DETACHED | CMS_PARTIAL | CMS_BINARY;
    int sm2 = seal__sm2_is_key(pub);

    *der = NULL;
    *derlen = 0;
    seal__ossl_clear();
    cms = CMS_sign(NULL, NULL, NULL, NULL, flags);
    if (!cms) {
        st = seal__ossl_fail(ctx, SEAL_ERR_CRYPTO, "cannot create the CMS");
        goto out;
    }
    /* The public key stands in for the private one: OpenSSL only needs it
     * to choose the signature algorithm; the token signs below. CMS_CADES
     * adds signing-certificate-v2; no signing-time is ever added because
     * CMS_SignerInfo_sign (which would add it) is not called. */
    si = CMS_add1_signer(cms, key->cert, pub, sm2 ? EVP_sm3() : EVP_sha256(),
                         CMS_PARTIAL | CMS_CADES | CMS_NOSMIMECAP | CMS_BINARY);
    if (!si) {
        st = seal__ossl_fail(ctx, SEAL_ERR_CRYPTO, "cannot add the signer to the CMS");
        goto out;
    }
    if (sm2) {
        /* OpenSSL 3.0 leaves the SM2 signature algorithm empty. */
        X509_ALGOR *salg = NULL;
        CMS_SignerInfo_get0_algs(si, NULL, NULL, NULL, &salg);
        if (!salg || !X509_ALGOR_set0(salg, OBJ_nid2obj(NID_SM2_with_SM3), V_ASN1_UNDEF, NULL)) {
            st = seal__ossl_fail(ctx, SEAL_ERR_CRYPTO, "cannot set the SM2 signature algorithm");
            goto out;
        }
    }
    for (int i = 0; i < sk_X509_num(key->chain); i++)
        if (!CMS_add1_cert(cms, sk_X509_value(key->chain, i))) {
            st = seal__ossl_fail(ctx, SEAL_ERR_CRYPTO, "cannot add the chain to the CMS");
            goto out;
        }
    if (!CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType, V_ASN1_OBJECT,
                                     OBJ_nid2obj(NID_pkcs7_data), -1) ||
        !CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING, digest,
                                     32)) {
        st = seal__ossl_fail(ctx, SEAL_ERR_CRYPTO, "cannot add the signed attributes");
        goto out;
    }
    /* SM2: the key holder signs e = SM3(Z || attributes), Z with the ID. */
    if (!seal__cms_signed_attrs_der(si, &attrs, &attrslen) ||
        !(sm2 ? seal__sm2_digest(pub, attrs, attrslen, md) && (mdlen = 32)
              : EVP_Digest(attrs, attrslen, md, &mdlen, EVP_sha256(), NULL))) {
        st = seal__ossl_fail(ctx, SEAL_ERR_CRYPTO, "cannot encode the signed attributes");
        goto out;
    }
    if ((st = seal__key_sign(ctx, key, sm2 ? NID_sm3 : NID_sha256, md, mdlen, &sig, &siglen)) !=
        SEAL_OK)
        goto out;
    if (sm2 && (st = seal__sm2_key_value(ctx, pub, md, &sig, &siglen)) != SEAL_OK)
        goto out;
    ASN1_STRING_set0(CMS_SignerInfo_get0_signature(si), sig, (int)siglen);
    sig = NULL;
    if (tsa_url) {
        /* B-T: an RFC 3161 token over the signature value, as the
         * signature-time-stamp unsigned attribute. */
        ASN1_OCTET_STRING *value = CMS_SignerInfo_get0_signature(si);
        unsigned char tsd[32], *token = NULL;
        size_t toklen = 0;
        SHA256(ASN1_STRING_get0_data(value), (size_t)ASN1_STRING_length(value), tsd);
        if ((st = seal__tsa_stamp(ctx, tsa_url, tsd, sizeof(tsd), &token, &toklen)) != SEAL_OK)
            goto out;
        int ok = CMS_unsigned_add1_attr_by_NID(si, NID_id_smime_aa_timeStampToken, V_ASN1_SEQUENCE,
                                               token, (int)toklen);
        free(token);
        if (!ok) {
            st = seal__ossl_fail(ctx, SEAL_ERR_CRYPTO, "cannot add the signature time-stamp");
            goto out;
        }
    }
    {
        unsigned char *enc = NULL;
        len = i2d_CMS_ContentInfo(cms, &enc);
        if (len <= 0) {
            st = seal__ossl_fail(ctx, SEAL_ERR_CRYPTO, "cannot encode the CMS");
            goto out;
        }
        *der = malloc((size_t)len);
        if (*der)
            memcpy(*der, enc, (size_t)len);
        OPENSSL_free(enc);
        if (!*der) {
            st = seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
            goto out;
        }
        *derlen = (size_t)len;
    }
out:
    free(attrs);
    free(sig);
    CMS_ContentInfo_free(cms);
    ERR_clear_error();
    return st;
}

seal_status seal__cms_check(seal_ctx *ctx, const unsigned char *der, size_t derlen,
                            const unsigned char digest[32], X509 *signer)
{
    const unsigned char *p = der;
    CMS_ContentInfo *cms = NULL;
    STACK_OF(CMS_SignerInfo) *sis;
    CMS_SignerInfo *si;
    ASN1_OCTET_STRING *md;
    seal_status st = SEAL_OK;

    seal__ossl_clear();
    cms = d2i_CMS_ContentInfo(NULL, &p, (long)derlen);
    if (!cms) {
        st = seal__ossl_fail(ctx, SEAL_ERR_INTERNAL, "the CMS just written does not parse");
        goto out;
    }
    sis = CMS_get0_SignerInfos(cms);
    if (sk_CMS_SignerInfo_num(sis) != 1) {
        st = seal__fail(ctx, SEAL_ERR_INTERNAL, "the CMS just written has %d signers",
                        sk_CMS_SignerInfo_num(sis));
        goto out;
    }
    si = sk_CMS_SignerInfo_value(sis, 0);
    md = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3,
                                     V_ASN1_OCTET_STRING);
    if (!md || ASN1_STRING_length(md) != 32 || memcmp(ASN1_STRING_get0_data(md), digest, 32)) {
        st = seal__fail(ctx, SEAL_ERR_INTERNAL,
                        "the written file's digest does not match the signed digest");
        goto out;
    }
    CMS_SignerInfo_set1_signer_cert(si, signer);
    if (seal__sm2_is_key(X509_get0_pubkey(signer))
            ? !seal__sm2_cms_verify(si, signer, der, derlen, NULL)
            : CMS_SignerInfo_verify(si) != 1) {
        st = seal__ossl_fail(ctx, SEAL_ERR_CRYPTO,
                             "the signature made by the key does not verify with its certificate");
        goto out;
    }
out:
    CMS_ContentInfo_free(cms);
    ERR_clear_error();
    return st;
}

char *seal__cms_signer_name(const unsigned char *der, size_t derlen)
{
    size_t used;
    int gm;
    CMS_ContentInfo *cms = seal__cms_parse_any(der, derlen, &used, &gm);
    STACK_OF(X509) *certs = NULL;
    STACK_OF(CMS_SignerInfo) *sis;
    char *name = NULL;

    if (!cms)
        goto out;
    sis = CMS_get0_SignerInfos(cms);
    certs = CMS_get1_certs(cms);
    if (sk_CMS_SignerInfo_num(sis) < 1 || !certs)
        goto out;
    for (int i = 0; i < sk_X509_num(certs) && !name; i++) {
        X509 *x = sk_X509_value(certs, i);
        if (CMS_SignerInfo_cert_cmp(sk_CMS_SignerInfo_value(sis, 0), x) == 0) {
            seal__cert_text t;
            seal__cert_text_fill(&t, x);
            name = t.cn;
            t.cn = NULL;
            seal__cert_text_free(&t);
        }
    }
out:
    sk_X509_pop_free(certs, X509_free);
    CMS_ContentInfo_free(cms);
    ERR_clear_error();
    return name;
}

void seal__cms_collect_certs(const unsigned char *der, size_t len, STACK_OF(X509) *certs)
{
    size_t used;
    int gm;
    CMS_ContentInfo *cms = seal__cms_parse_any(der, len, &used, &gm);
    STACK_OF(X509) *in;
    STACK_OF(CMS_SignerInfo) *sis;

    if (!cms) {
        ERR_clear_error();
        return;
    }
    in = CMS_get1_certs(cms);
    for (int i = 0; i < sk_X509_num(in); i++)
        seal__certs_add_unique(certs, sk_X509_value(in, i));
    sk_X509_pop_free(in, X509_free);
    /* Time-stamp tokens in the unsigned attributes carry the TSA's chain. */
    sis = CMS_get0_SignerInfos(cms);
    for (int i = 0; i < sk_CMS_SignerInfo_num(sis); i++) {
        CMS_SignerInfo *si = sk_CMS_SignerInfo_value(sis, i);
        int idx = -1;
        while ((idx = CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, idx)) >= 0) {
            X509_ATTRIBUTE *attr = CMS_unsigned_get_attr(si, idx);
            ASN1_TYPE *t = X509_ATTRIBUTE_get0_type(attr, 0);
            if (t && t->type == V_ASN1_SEQUENCE)
                seal__cms_collect_certs(t->value.sequence->data, (size_t)t->value.sequence->length,
                                        certs);
        }
    }
    CMS_ContentInfo_free(cms);
    ERR_clear_error();
}
