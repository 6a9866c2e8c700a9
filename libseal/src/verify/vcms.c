/*
 * Verifying a signature's CMS: structure, messageDigest, the signature
 * value, signing-certificate(-v2), the chain to the trust anchors, key
 * usage, validity at the trusted time, revocation from embedded data,
 * signature time-stamps and the crypto policy.
 *
 * Every check records a verdict on the signature (seal__vfy_set) instead of
 * failing the call: a bad signature is a result, not an error. The trust
 * anchors and the DSS's material it checks against: vtrust.c.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "keyint.h"
#include "ltvint.h"
#include "revoke.h"
#include "sm2int.h"
#include "verifyint.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/ess.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>

/* ------------------------------------------------------------ parsing */

static int nid_of(const ASN1_OBJECT *o)
{
    return o ? OBJ_obj2nid(o) : NID_undef;
}

/* The digest named by an AlgorithmIdentifier; SHAKE256 (RFC 8419, Ed448)
 * has no length parameter and means 512 bits, which is OpenSSL's default. */
static const EVP_MD *md_of(const X509_ALGOR *alg)
{
    const ASN1_OBJECT *obj = NULL;
    if (!alg)
        return NULL;
    X509_ALGOR_get0(&obj, NULL, NULL, alg);
    return EVP_get_digestbyobj(obj);
}

void seal__vcms_parse(vsig *s)
{
    const unsigned char *p = s->contents;
    size_t used;
    int gm = 0;
    STACK_OF(CMS_SignerInfo) *sis;

    if (!s->contents_ok || !s->contents || s->contents_len == 0) {
        seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_FORMAT_FAILURE,
                      "/Contents is missing, empty or not a string");
        return;
    }
    /* GM/T 0010 signedData (1.2.156.10197.6.1.4.2.2) is parsed as the
     * RFC 5652 SignedData it is. */
    s->cms = seal__cms_parse_any(p, s->contents_len, &used, &gm);
    if (!s->cms) {
        ERR_clear_error();
        seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_FORMAT_FAILURE,
                      "/Contents does not hold a DER-encoded CMS");
        return;
    }
    /* The placeholder is padded with zeros; anything else after the CMS is
     * a second structure hidden in the gap. */
    for (size_t i = used; i < s->contents_len; i++)
        if (s->contents[i] != 0) {
            seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_FORMAT_FAILURE,
                          "non-zero bytes after the CMS in /Contents (offset %zu)", i);
            break;
        }
    if (nid_of(CMS_get0_type(s->cms)) != NID_pkcs7_signed) {
        seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_FORMAT_FAILURE, "the CMS is not SignedData");
        return;
    }
    sis = CMS_get0_SignerInfos(s->cms);
    if (sk_CMS_SignerInfo_num(sis) != 1) {
        seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_FORMAT_FAILURE,
                      "the CMS has %d SignerInfos; exactly one is allowed", sk_CMS_SignerInfo_num(sis));
        return;
    }
    CMS_SignerInfo *si = sk_CMS_SignerInfo_value(sis, 0);
    X509_ALGOR *dig = NULL, *sig = NULL;
    CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, &sig);
    const EVP_MD *md = md_of(dig);
    const ASN1_OBJECT *dobj = NULL;
    int mdn, pkn;
    if (dig)
        X509_ALGOR_get0(&dobj, NULL, NULL, dig);
    /* A signature algorithm where a digest algorithm belongs: OpenSSL
     * would quietly take its digest; the signer's intent is unknowable. */
    if (dobj && OBJ_find_sigid_algs(OBJ_obj2nid(dobj), &mdn, &pkn)) {
        seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_HASH_FAILURE,
                      "the digest algorithm is given as a signature algorithm (%s)",
                      OBJ_nid2sn(OBJ_obj2nid(dobj)));
        return;
    }
    if (md)
        snprintf(s->digest_alg, sizeof(s->digest_alg), "%s", EVP_MD_get0_name(md));
    if (s->doc_ts) {
        /* A document time-stamp's imprint, not its SignerInfo digest,
         * covers the ByteRange. */
        ASN1_OCTET_STRING **pos = CMS_get0_content(s->cms);
        TS_TST_INFO *tst = NULL;
        if (pos && *pos) {
            const unsigned char *q = ASN1_STRING_get0_data(*pos);
            tst = d2i_TS_TST_INFO(NULL, &q, ASN1_STRING_length(*pos));
        }
        if (!tst) {
            ERR_clear_error();
            seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_FORMAT_FAILURE,
                          "the document time-stamp holds no TSTInfo");
            return;
        }
        s->range_md = md_of(TS_MSG_IMPRINT_get_algo(TS_TST_INFO_get_msg_imprint(tst)));
        TS_TST_INFO_free(tst);
    } else if (s->subfilter && !strcmp(s->subfilter, "adbe.pkcs7.sha1")) {
        s->range_md = EVP_sha1();
    } else {
        s->range_md = md;
    }
    if (!s->range_md)
        seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_HASH_FAILURE,
                      "unknown or unsupported digest algorithm: the signed bytes cannot be checked");
    ERR_clear_error();
}

/* ------------------------------------------------------------ helpers */

static int is_eddsa(EVP_PKEY *pk)
{
    return pk && (EVP_PKEY_is_a(pk, "ED25519") || EVP_PKEY_is_a(pk, "ED448"));
}

/* BSI TR-03111 ecdsa-plain-signatures (0.4.0.127.0.7.1.1.4.1.N): ECDSA
 * whose value is r||s, each as wide as the curve order, instead of a DER
 * SEQUENCE. German and some Chinese CA tokens produce them. Returns the
 * digest the identifier names, or NULL when it is not one of them. */
static const EVP_MD *plain_ecdsa_md(CMS_SignerInfo *si)
{
    static const char prefix[] = "0.4.0.127.0.7.1.1.4.1.";
    X509_ALGOR *salg = NULL;
    const ASN1_OBJECT *obj = NULL;
    char txt[64];

    CMS_SignerInfo_get0_algs(si, NULL, NULL, NULL, &salg);
    if (salg)
        X509_ALGOR_get0(&obj, NULL, NULL, salg);
    if (!obj || OBJ_obj2txt(txt, sizeof(txt), obj, 1) <= 0 ||
        strncmp(txt, prefix, sizeof(prefix) - 1) != 0)
        return NULL;
    switch (atoi(txt + sizeof(prefix) - 1)) {
    case 1: return EVP_sha1();
    case 2: return EVP_sha224();
    case 3: return EVP_sha256();
    case 4: return EVP_sha384();
    case 5: return EVP_sha512();
    case 8: return EVP_sha3_224();
    case 9: return EVP_sha3_256();
    case 10: return EVP_sha3_384();
    case 11: return EVP_sha3_512();
    }
    return NULL;
}

/* r||s as the DER ECDSA-Sig-Value OpenSSL verifies (malloc'd), or NULL
 * when the value is not two halves as wide as the key's order. */
static unsigned char *plain_to_der(const ASN1_OCTET_STRING *sigval, EVP_PKEY *pk, int *derlen)
{
    const unsigned char *v = ASN1_STRING_get0_data(sigval);
    int len = ASN1_STRING_length(sigval), half = len / 2;
    ECDSA_SIG *es = NULL;
    BIGNUM *r = NULL, *s = NULL;
    unsigned char *der = NULL, *out = NULL;

    *derlen = 0;
    if (!EVP_PKEY_is_a(pk, "EC") || len <= 0 || len % 2 || half != (EVP_PKEY_get_bits(pk) + 7) / 8)
        return NULL;
    es = ECDSA_SIG_new();
    r = BN_bin2bn(v, half, NULL);
    s = BN_bin2bn(v + half, half, NULL);
    if (es && r && s && ECDSA_SIG_set0(es, r, s)) {
        r = s = NULL; /* owned by es now */
        int n = i2d_ECDSA_SIG(es, &der);
        if (n > 0 && (out = malloc((size_t)n)) != NULL) {
            memcpy(out, der, (size_t)n);
            *derlen = n;
        }
    }
    OPENSSL_free(der);
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(es);
    return out;
}

/* A plain-ECDSA signature value over the signed attributes (or, without
 * any, over the content digest). */
static int verify_plain(CMS_SignerInfo *si, EVP_PKEY *pk, const EVP_MD *md, const unsigned char *cdig,
                        unsigned cdlen)
{
    int siglen = 0, ok = 0;
    unsigned char *sig = plain_to_der(CMS_SignerInfo_get0_signature(si), pk, &siglen);

    if (!sig)
        return 0;
    if (CMS_signed_get_attr_count(si) > 0) {
        unsigned char *der = NULL;
        size_t derlen = 0;
        EVP_MD_CTX *mctx = EVP_MD_CTX_new();
        if (mctx && seal__cms_signed_attrs_der(si, &der, &derlen) &&
            EVP_DigestVerifyInit(mctx, NULL, md, NULL, pk) == 1)
            ok = EVP_DigestVerify(mctx, sig, (size_t)siglen, der, derlen) == 1;
        EVP_MD_CTX_free(mctx);
        free(der);
    } else {
        EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new(pk, NULL);
        if (pctx && EVP_PKEY_verify_init(pctx) == 1)
            ok = EVP_PKEY_verify(pctx, sig, (size_t)siglen, cdig, cdlen) == 1;
        EVP_PKEY_CTX_free(pctx);
    }
    free(sig);
    return ok;
}

/* Verify the signature value: over the DER signed attributes when there
 * are some, else directly over the content digest. */
static int verify_value(CMS_SignerInfo *si, X509 *cert, const EVP_MD *md, const unsigned char *cdig,
                        unsigned cdlen, const unsigned char *cms_der, size_t cms_len)
{
    EVP_PKEY *pk = X509_get0_pubkey(cert);
    ASN1_OCTET_STRING *sigval = CMS_SignerInfo_get0_signature(si);
    int ok = 0;

    if (!pk || !sigval)
        return 0;
    if (seal__sm2_is_key(pk)) {
        /* Over the signed attributes as received in the CMS (sm2cms.c). */
        ok = md && EVP_MD_get_type(md) == NID_sm3 &&
             seal__sm2_cms_verify(si, cert, cms_der, cms_len, NULL);
    } else if (plain_ecdsa_md(si)) {
        ok = md && verify_plain(si, pk, md, cdig, cdlen);
    } else if (CMS_signed_get_attr_count(si) > 0) {
        if (!is_eddsa(pk)) {
            CMS_SignerInfo_set1_signer_cert(si, cert);
            ok = CMS_SignerInfo_verify(si) == 1;
        } else {
            /* OpenSSL 3.0's CMS does not do EdDSA: pure EdDSA over the
             * signed attributes' DER. */
            unsigned char *der = NULL;
            size_t derlen = 0;
            EVP_MD_CTX *mctx = EVP_MD_CTX_new();
            if (mctx && seal__cms_signed_attrs_der(si, &der, &derlen) &&
                EVP_DigestVerifyInit(mctx, NULL, NULL, NULL, pk) == 1)
                ok = EVP_DigestVerify(mctx, ASN1_STRING_get0_data(sigval),
                                      (size_t)ASN1_STRING_length(sigval), der, derlen) == 1;
            EVP_MD_CTX_free(mctx);
            free(der);
        }
    } else if (!is_eddsa(pk) && md) {
        EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new(pk, NULL);
        if (pctx && EVP_PKEY_verify_init(pctx) == 1 && EVP_PKEY_CTX_set_signature_md(pctx, md) == 1)
            ok = EVP_PKEY_verify(pctx, ASN1_STRING_get0_data(sigval),
                                 (size_t)ASN1_STRING_length(sigval), cdig, cdlen) == 1;
        EVP_PKEY_CTX_free(pctx);
    }
    ERR_clear_error();
    return ok;
}

void seal__vcms_cert_strings(vsig *s, X509 *x)
{
    seal__cert_text t;
    seal__cert_text_fill(&t, x);
    free(s->signer);
    free(s->signer_subject);
    free(s->issuer);
    free(s->serial);
    s->signer = strdup(t.cn && *t.cn ? t.cn : (t.subject ? t.subject : ""));
    s->signer_subject = strdup(t.subject ? t.subject : "");
    s->issuer = strdup(t.issuer ? t.issuer : "");
    s->serial = strdup(t.serial ? t.serial : "");
    seal__cert_text_free(&t);
    seal__vfy_signer_ids(s, x);
    EVP_PKEY *pk = X509_get0_pubkey(x);
    if (pk) {
        const char *kt = EVP_PKEY_is_a(pk, "RSA")       ? "RSA"
                         : EVP_PKEY_is_a(pk, "EC")      ? "EC"
                         : EVP_PKEY_is_a(pk, "ED25519") ? "Ed25519"
                         : EVP_PKEY_is_a(pk, "ED448")   ? "Ed448"
                         : EVP_PKEY_is_a(pk, "SM2")     ? "SM2"
                         : EVP_PKEY_is_a(pk, "DSA")     ? "DSA"
                                                        : "key";
        snprintf(s->key, sizeof(s->key), "%s-%d", kt, EVP_PKEY_get_bits(pk));
    }
    ERR_clear_error();
}

/* The attribute value of type SEQUENCE as its DER, or NULL. */
static const ASN1_STRING *seq_attr(CMS_SignerInfo *si, int nid, int signed_attr)
{
    ASN1_OBJECT *o = OBJ_nid2obj(nid);
    if (signed_attr)
        return CMS_signed_get0_data_by_OBJ(si, o, -3, V_ASN1_SEQUENCE);
    return CMS_unsigned_get0_data_by_OBJ(si, o, -3, V_ASN1_SEQUENCE);
}

/* Signing certificate reference (ESS v2, or v1): 1 matches, 0 absent,
 * -1 present but naming another certificate. */
static int check_signing_cert_attr(CMS_SignerInfo *si, X509 *cert)
{
    const ASN1_STRING *v2 = seq_attr(si, NID_id_smime_aa_signingCertificateV2, 1);
    const ASN1_STRING *v1 = seq_attr(si, NID_id_smime_aa_signingCertificate, 1);
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
        r = OSSL_ESS_check_signing_certs(ss1, ss2, chain, 1) > 0 ? 1 : -1;
    }
    sk_X509_free(chain);
    ESS_SIGNING_CERT_V2_free(ss2);
    ESS_SIGNING_CERT_free(ss1);
    ERR_clear_error();
    return r;
}

/* Build and verify the chain of cert at time `when`. Returns the X509
 * verification error (X509_V_OK when trusted); *chain gets the chain built
 * (owned), even when incomplete. */
static int verify_chain(vtrust *t, X509 *cert, STACK_OF(X509) *untrusted, long long when,
                        STACK_OF(X509) **chain)
{
    X509_STORE_CTX *sctx = X509_STORE_CTX_new();
    int err = X509_V_ERR_UNSPECIFIED;

    *chain = NULL;
    seal__sm2_set_ids(untrusted); /* also those fetched --online since */
    seal__sm2_set_id(cert);
    if (!sctx || !X509_STORE_CTX_init(sctx, t->store, cert, untrusted))
        goto out;
    X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(sctx);
    /* Any configured certificate is an anchor, not only self-signed roots:
     * a committee may be given a CA's issuing certificate. */
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
    if (when)
        X509_VERIFY_PARAM_set_time(param, (time_t)when);
    if (X509_verify_cert(sctx) == 1)
        err = X509_V_OK;
    else
        err = X509_STORE_CTX_get_error(sctx);
    *chain = X509_STORE_CTX_get1_chain(sctx);
out:
    X509_STORE_CTX_free(sctx);
    ERR_clear_error();
    return err;
}

/* The verification error of cert's path in store with extra flags
 * (any configured certificate is an anchor). */
static int chain_error_at(X509_STORE *store, X509 *cert, STACK_OF(X509) *untrusted, unsigned long flags)
{
    X509_STORE_CTX *sc = X509_STORE_CTX_new();
    int err = X509_V_ERR_UNSPECIFIED;
    if (sc && X509_STORE_CTX_init(sc, store, cert, untrusted)) {
        X509_VERIFY_PARAM_set_flags(X509_STORE_CTX_get0_param(sc), X509_V_FLAG_PARTIAL_CHAIN | flags);
        err = X509_verify_cert(sc) == 1 ? X509_V_OK : X509_STORE_CTX_get_error(sc);
    }
    X509_STORE_CTX_free(sc);
    ERR_clear_error();
    return err;
}

static int chain_not_found(int err)
{
    return err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
           err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT ||
           err == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT ||
           err == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN ||
           err == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE;
}

/* Crypto policy on a digest and a public key. Returns a reason, or NULL
 * when allowed. */
static const char *policy_check(const EVP_MD *md, EVP_PKEY *pk, unsigned flags, char *buf,
                                size_t size)
{
    int legacy = (flags & SEAL_VERIFY_ALLOW_LEGACY) != 0;
    if (md) {
        int nid = EVP_MD_get_type(md);
        if (nid == NID_md5 || nid == NID_md2 || nid == NID_md4) {
            snprintf(buf, size, "digest %s is broken", EVP_MD_get0_name(md));
            return buf;
        }
        if (nid == NID_sha1 && !legacy) {
            snprintf(buf, size, "digest SHA-1 is below the crypto policy (--allow-legacy accepts it)");
            return buf;
        }
    }
    if (pk) {
        int bits = EVP_PKEY_get_bits(pk);
        if (EVP_PKEY_is_a(pk, "RSA") || EVP_PKEY_is_a(pk, "DSA")) {
            if (bits < 1024 || (bits < 2048 && !legacy)) {
                snprintf(buf, size, "%d-bit %s key is below the crypto policy%s", bits,
                         EVP_PKEY_is_a(pk, "RSA") ? "RSA" : "DSA",
                         bits >= 1024 ? " (--allow-legacy accepts it)" : "");
                return buf;
            }
        } else if (EVP_PKEY_is_a(pk, "EC") && bits < 224) {
            snprintf(buf, size, "%d-bit EC key is below the crypto policy", bits);
            return buf;
        }
        /* RFC 8419: Ed448 goes with SHAKE256, Ed25519 with SHA-512. */
        if (md && EVP_PKEY_is_a(pk, "ED448") && EVP_MD_get_type(md) != NID_shake256) {
            snprintf(buf, size, "Ed448 with digest %s is not allowed (RFC 8419 requires SHAKE256)",
                     EVP_MD_get0_name(md));
            return buf;
        }
        if (md && EVP_PKEY_is_a(pk, "ED25519") && EVP_MD_get_type(md) != NID_sha512) {
            snprintf(buf, size, "Ed25519 with digest %s is not allowed (RFC 8419 requires SHA-512)",
                     EVP_MD_get0_name(md));
            return buf;
        }
    }
    return NULL;
}

/* Certificates of a CMS (none without one) plus the DSS ones, for finding
 * signers and chains. */
static STACK_OF(X509) *all_certs(vtrust *t, CMS_ContentInfo *cms)
{
    STACK_OF(X509) *certs = cms ? CMS_get1_certs(cms) : NULL;
    if (!certs)
        certs = sk_X509_new_null();
    for (int i = 0; certs && i < sk_X509_num(t->extra); i++) {
        X509 *x = sk_X509_value(t->extra, i);
        if (X509_up_ref(x) && !sk_X509_push(certs, x))
            X509_free(x);
    }
    seal__sm2_set_ids(certs);
    return certs;
}

/* Candidates tried for one SignerIdentifier: a hostile bag of look-alikes
 * costs a bounded number of verifications. */
#define MAX_SIGNER_CANDIDATES 16

/* Whether any certificate of certs is one the SignerIdentifier names. */
static int tried_any(CMS_SignerInfo *si, STACK_OF(X509) *certs)
{
    for (int i = 0; i < sk_X509_num(certs); i++)
        if (CMS_SignerInfo_cert_cmp(si, sk_X509_value(certs, i)) == 0)
            return 1;
    return 0;
}

/* The signer certificate is the one the SignerIdentifier names *and* whose
 * key verifies the signature value: a decoy with the same issuer and
 * serial (or key identifier) placed first in the bag must not turn a
 * genuine signature into a failure. When none verifies, the first one
 * named is returned with *verified 0 (the report names who it claims). */
static X509 *pick_signer(CMS_SignerInfo *si, STACK_OF(X509) *certs, const EVP_MD *md,
                         const unsigned char *cd, unsigned cdlen, const unsigned char *der,
                         size_t derlen, int *verified)
{
    X509 *first = NULL;
    int tried = 0;

    *verified = 0;
    for (int i = 0; i < sk_X509_num(certs) && tried < MAX_SIGNER_CANDIDATES; i++) {
        X509 *x = sk_X509_value(certs, i);
        if (CMS_SignerInfo_cert_cmp(si, x) != 0)
            continue;
        if (!first)
            first = x;
        tried++;
        if (verify_value(si, x, md, cd, cdlen, der, derlen)) {
            *verified = 1;
            return x;
        }
    }
    return first;
}

/* RFC 5652 5.3: with signed attributes, exactly one contentType attribute
 * with one value, equal to the encapsulated content type, which must be
 * want_nid (id-data for a PDF signature, id-ct-TSTInfo for a time-stamp
 * token). Returns NULL when so, else why not. */
static const char *content_type_problem(CMS_ContentInfo *cms, CMS_SignerInfo *si, int want_nid)
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

/* ------------------------------------------------------------ time-stamps */

typedef struct tst_result {
    int parsed;          /* a TSTInfo was found */
    int valid;           /* signature and imprint verify */
    int trusted;         /* and the TSA chains to a trust anchor */
    long long gen_time;
    char why[160];
} tst_result;

/* Verify an RFC 3161 token (ContentInfo) over data: the token's own
 * signature, its imprint, and the TSA's chain at genTime. When data is
 * NULL, the imprint is compared with imprint/imprint_len instead. */
static void verify_tst(vtrust *t, CMS_ContentInfo *tok, const unsigned char *tokder, size_t toklen,
                       const unsigned char *data, size_t datalen, const unsigned char *imprint,
                       size_t imprint_len, tst_result *res)
{
    BIO *out = NULL;
    TS_TST_INFO *tst = NULL;
    STACK_OF(X509) *certs = NULL, *chain = NULL;
    X509 *tsa;
    CMS_SignerInfo *si;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;

    memset(res, 0, sizeof(*res));
    snprintf(res->why, sizeof(res->why), "time-stamp token malformed");
    if (nid_of(CMS_get0_eContentType(tok)) != NID_id_smime_ct_TSTInfo ||
        sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(tok)) != 1)
        goto out;
    ASN1_OCTET_STRING **pos = CMS_get0_content(tok);
    if (!pos || !*pos)
        goto out;
    const unsigned char *q = ASN1_STRING_get0_data(*pos);
    tst = d2i_TS_TST_INFO(NULL, &q, ASN1_STRING_length(*pos));
    if (!tst)
        goto out;
    res->parsed = 1;
    res->gen_time = seal__asn1_time(TS_TST_INFO_get_time(tst));
    TS_MSG_IMPRINT *mi = TS_TST_INFO_get_msg_imprint(tst);
    ASN1_OCTET_STRING *want = TS_MSG_IMPRINT_get_msg(mi);
    if (data) {
        const EVP_MD *imd = md_of(TS_MSG_IMPRINT_get_algo(mi));
        if (!imd || !EVP_Digest(data, datalen, md, &mdlen, imd, NULL)) {
            snprintf(res->why, sizeof(res->why), "time-stamp imprint algorithm unsupported");
            goto out;
        }
        imprint = md;
        imprint_len = mdlen;
    }
    if (!want || (size_t)ASN1_STRING_length(want) != imprint_len ||
        memcmp(ASN1_STRING_get0_data(want), imprint, imprint_len)) {
        snprintf(res->why, sizeof(res->why), "time-stamp imprint does not match what it stamps");
        goto out;
    }
    certs = all_certs(t, tok);
    si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(tok), 0);
    const char *ct = content_type_problem(tok, si, NID_id_smime_ct_TSTInfo);
    if (ct) {
        snprintf(res->why, sizeof(res->why), "time-stamp token: %s", ct);
        goto out;
    }
    /* The token's signature and eContent digest, with each certificate the
     * SignerIdentifier names until one verifies (a decoy first in the bag
     * must not hide the TSA); the chain is judged below at genTime. */
    out = BIO_new(BIO_s_null());
    tsa = NULL;
    for (int i = 0, tried = 0; out && i < sk_X509_num(certs) && tried < MAX_SIGNER_CANDIDATES && !tsa; i++) {
        X509 *x = sk_X509_value(certs, i);
        if (CMS_SignerInfo_cert_cmp(si, x) != 0)
            continue;
        tried++;
        CMS_SignerInfo_set1_signer_cert(si, x);
        if (seal__sm2_is_key(X509_get0_pubkey(x))
                ? seal__sm2_cms_verify_content(tok, si, x, tokder, toklen)
                : CMS_verify(tok, NULL, NULL, NULL, out,
                             CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY | CMS_NOINTERN) == 1)
            tsa = x;
        ERR_clear_error();
    }
    if (!tsa) {
        snprintf(res->why, sizeof(res->why), "%s",
                 tried_any(si, certs) ? "time-stamp token signature does not verify"
                                      : "time-stamp signer certificate not found");
        goto out;
    }
    res->valid = 1;
    int err = verify_chain(t, tsa, certs, res->gen_time, &chain);
    /* RFC 3161 2.3: a TSA certificate carries the timeStamping purpose. */
    if (err == X509_V_OK && X509_check_purpose(tsa, X509_PURPOSE_TIMESTAMP_SIGN, 0) != 1) {
        snprintf(res->why, sizeof(res->why),
                 "the time-stamp authority's certificate is not for time-stamping");
        goto out;
    }
    if (err == X509_V_OK) {
        res->trusted = 1;
        res->why[0] = 0;
    } else {
        snprintf(res->why, sizeof(res->why), "time-stamp authority not trusted: %s",
                 X509_verify_cert_error_string(err));
    }
out:
    sk_X509_pop_free(chain, X509_free);
    sk_X509_pop_free(certs, X509_free);
    TS_TST_INFO_free(tst);
    BIO_free(out);
    ERR_clear_error();
}

/* ------------------------------------------------------------ revocation */

/* What the CRLs (the DSS's, then the CMS's) and the DSS's OCSP responses
 * say of cert, judged as the signer judged them before embedding
 * (revoke.c): revoked wins over good; answers that cannot be relied on
 * count as none. */
static void check_revocation(vtrust *t, CMS_ContentInfo *cms, X509 *cert, X509 *issuer,
                             seal__rev *res)
{
    STACK_OF(X509_CRL) *cmscrls = cms ? CMS_get1_crls(cms) : NULL;
    seal__rev one;

    memset(res, 0, sizeof(*res));
    for (int pass = 0; pass < 2 && issuer && res->state != SEAL__REV_REVOKED; pass++) {
        STACK_OF(X509_CRL) *list = pass ? cmscrls : t->crls;
        for (int i = 0; i < sk_X509_CRL_num(list) && res->state != SEAL__REV_REVOKED; i++)
            if (seal__rev_judge_crl(sk_X509_CRL_value(list, i), cert, issuer, &one) == SEAL__REV_REVOKED ||
                (one.state == SEAL__REV_GOOD && res->state == SEAL__REV_NONE))
                *res = one;
    }
    for (int i = 0; i < t->nocsps && issuer && res->state != SEAL__REV_REVOKED; i++)
        if (seal__rev_judge_ocsp(t->ocsps[i], cert, issuer, t->extra, &one) == SEAL__REV_REVOKED ||
            (one.state == SEAL__REV_GOOD && res->state == SEAL__REV_NONE))
            *res = one;
    sk_X509_CRL_pop_free(cmscrls, X509_CRL_free);
    ERR_clear_error();
}

/* --online: ask the certificate's OCSP responder, else its CRL
 * distribution point. A service that cannot be reached leaves the status
 * "not checked" (a warning says why); it is not an error of the whole
 * verification. */
static void fetch_revocation(seal_ctx *ctx, vtrust *t, X509 *cert, X509 *issuer, const char *field)
{
    unsigned char *der = NULL;
    size_t len = 0;
    int is_ocsp = 0;
    char *url = NULL;

    if (seal__rev_fetch(ctx, cert, issuer, &der, &len, &is_ocsp, &url) != SEAL_OK)
        seal__warn(ctx, "%s: %s", field, ctx->msg);
    else if (!der)
        seal__warn(ctx, "%s: the certificate names no OCSP responder or CRL", field);
    else if (is_ocsp)
        seal__vtrust_add_ocsp(t, der, len);
    else
        seal__vtrust_add_crl(t, der, len);
    free(der);
    free(url);
    seal__reset(ctx);
    ERR_clear_error();
}

/* --online: intermediates that neither the CMS nor the DSS holds, fetched
 * from AIA caIssuers by the signer's chain walk (chain.c, cached per run)
 * and added to the certificates the chain is built from. */
static void complete_online(seal_ctx *ctx, vtrust *t, vsig *s, X509 *cert, STACK_OF(X509) *certs)
{
    seal__chain_sources src = {.pool = certs, .anchors = t->store, .aia = 1};
    seal__chain_gap gap;
    STACK_OF(X509) *walk = sk_X509_new_null();

    if (walk && seal__chain_complete(ctx, cert, walk, &src, &gap) == SEAL_OK && gap.fetched) {
        for (int i = 0; i < sk_X509_num(walk); i++)
            seal__certs_add_unique(certs, sk_X509_value(walk, i));
        snprintf(s->chain_fetched, sizeof(s->chain_fetched), "%s", gap.fetched_names);
    }
    if (walk && !gap.complete && gap.url[0])
        seal__warn(ctx, "%s: the issuer '%s' is not in the file, and its AIA caIssuers %s failed: %s",
                   s->field, gap.missing, gap.url, gap.why);
    sk_X509_pop_free(walk, X509_free);
    seal__reset(ctx);
    ERR_clear_error();
}

/* ------------------------------------------------------------ verify */

/* The digest of the content the SignerInfo signs: the ByteRange digest for
 * detached signatures, else the encapsulated content's. */
static int content_digest(vsig *s, const EVP_MD *md, unsigned char *out, unsigned *outlen)
{
    ASN1_OCTET_STRING **pos = CMS_get0_content(s->cms);
    if (pos && *pos)
        return seal__digest_buf(md, ASN1_STRING_get0_data(*pos), (size_t)ASN1_STRING_length(*pos), out,
                                outlen);
    if (md != s->range_md || !s->hashed)
        return 0;
    memcpy(out, s->digest, s->digest_len);
    *outlen = s->digest_len;
    return 1;
}

/* An SM2 value that verified but is not strict DER is flagged. */
static void sm2_form_note(seal_ctx *ctx, vsig *s, CMS_SignerInfo *si, X509 *cert)
{
    ASN1_OCTET_STRING *sv = CMS_SignerInfo_get0_signature(si);
    unsigned char *der = NULL;
    size_t len = 0;
    int form = 0;

    if (!seal__sm2_is_key(X509_get0_pubkey(cert)))
        return;
    seal__sm2_sig_to_der_ex(ASN1_STRING_get0_data(sv), (size_t)ASN1_STRING_length(sv), &der, &len,
                            &form);
    free(der);
    if (form == 1)
        seal__warn(ctx, "%s: the SM2 signature value is a raw 64-byte r||s, not DER SEQUENCE{r,s}",
                   s->field);
    else if (form == 2)
        seal__warn(ctx, "%s: the SM2 signature value is not strict DER (read tolerantly)", s->field);
}

/* The SignerInfo's work, gathered by the first building blocks. */
typedef struct vwork {
    CMS_SignerInfo *si;
    const EVP_MD *md;
    unsigned char cd[EVP_MAX_MD_SIZE]; /* digest of the signed content */
    unsigned cdlen;
    int hash_ok; /* messageDigest matches */
} vwork;

/* Format checking (EN 319 102-1 §5.2.2): what the signature covers, its
 * digest and signature algorithms agree, the content type. 0: stop (the
 * verdict is set). */
static int check_format(vsig *s, vwork *w)
{
    CMS_SignerInfo *si = w->si;
    X509_ALGOR *dig = NULL;
    CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, NULL);
    const EVP_MD *md = w->md = md_of(dig);
    ASN1_OCTET_STRING **pos = CMS_get0_content(s->cms);
    int has_content = pos && *pos;

    /* What the signature covers. */
    if (s->doc_ts) {
        /* handled by the imprint check below */
    } else if (s->subfilter && !strcmp(s->subfilter, "adbe.pkcs7.sha1")) {
        if (!has_content || (size_t)ASN1_STRING_length(*pos) != s->digest_len ||
            memcmp(ASN1_STRING_get0_data(*pos), s->digest, s->digest_len)) {
            s->r.intact = 0;
            seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_HASH_FAILURE,
                          "the SHA-1 digest in the CMS does not match the signed bytes");
            return 0;
        }
    } else if (has_content) {
        seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_FORMAT_FAILURE,
                      "the CMS encapsulates content; a PDF signature must be detached");
        return 0;
    }
    if (!md) {
        seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_HASH_FAILURE,
                      "unknown or unsupported digest algorithm in the SignerInfo");
        return 0;
    }
    if (!content_digest(s, md, w->cd, &w->cdlen)) {
        seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_HASH_FAILURE,
                      "cannot compute the digest of the signed content");
        return 0;
    }
    /* The signature algorithm, when it names a digest, must name this one. */
    {
        X509_ALGOR *salg = NULL;
        const ASN1_OBJECT *sobj = NULL;
        int mdnid = NID_undef, pknid = NID_undef;
        CMS_SignerInfo_get0_algs(si, NULL, NULL, NULL, &salg);
        if (salg)
            X509_ALGOR_get0(&sobj, NULL, NULL, salg);
        if (sobj && OBJ_find_sigid_algs(OBJ_obj2nid(sobj), &mdnid, &pknid) && mdnid != NID_undef &&
            mdnid != EVP_MD_get_type(md)) {
            seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_SIG_CRYPTO_FAILURE,
                          "the signature algorithm uses %s but the digest algorithm is %s",
                          OBJ_nid2sn(mdnid), EVP_MD_get0_name(md));
            return 0;
        }
    }
    {
        /* BSI plain ECDSA names its digest too: the same one. */
        const EVP_MD *pmd = plain_ecdsa_md(si);
        if (pmd && EVP_MD_get_type(pmd) != EVP_MD_get_type(md)) {
            seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_SIG_CRYPTO_FAILURE,
                          "the signature algorithm uses %s but the digest algorithm is %s",
                          EVP_MD_get0_name(pmd), EVP_MD_get0_name(md));
            return 0;
        }
    }
    if (!s->doc_ts) {
        const char *ct = content_type_problem(s->cms, si, NID_pkcs7_data);
        if (ct) {
            seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_FORMAT_FAILURE, "%s", ct);
            return 0;
        }
    }
    return 1;
}

/* The signed attributes as signed: DER order, messageDigest equal to the
 * content's digest (a mismatch is recorded and the checks go on: who signed
 * a changed document is worth knowing). 0: stop. */
static int check_signed_attrs(vsig *s, vwork *w)
{
    CMS_SignerInfo *si = w->si;

    if (CMS_signed_get_attr_count(si) > 0) {
        /* DER requires the SET OF signed attributes sorted; a verifier
         * re-encoding them would check other bytes than were signed. */
        int nattr = CMS_signed_get_attr_count(si);
        unsigned char *prev = NULL;
        int prevlen = 0, unsorted = 0;
        for (int i = 0; i < nattr && i < 1000 && !unsorted; i++) {
            unsigned char *cur = NULL;
            int curlen = i2d_X509_ATTRIBUTE(CMS_signed_get_attr(si, i), &cur);
            if (curlen <= 0) {
                OPENSSL_free(cur);
                break;
            }
            if (prev) {
                int c = memcmp(prev, cur, (size_t)(prevlen < curlen ? prevlen : curlen));
                unsorted = c > 0 || (c == 0 && prevlen > curlen);
            }
            OPENSSL_free(prev);
            prev = cur;
            prevlen = curlen;
        }
        OPENSSL_free(prev);
        if (unsorted) {
            seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_HASH_FAILURE,
                          "the signed attributes are not DER-encoded (SET OF not sorted)");
            return 0;
        }
        ASN1_OCTET_STRING *mdattr = CMS_signed_get0_data_by_OBJ(
            si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING);
        if (!mdattr) {
            seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_FORMAT_FAILURE,
                          "no messageDigest signed attribute");
            return 0;
        }
        if ((size_t)ASN1_STRING_length(mdattr) != w->cdlen ||
            memcmp(ASN1_STRING_get0_data(mdattr), w->cd, w->cdlen)) {
            /* Go on: who signed a changed document is worth knowing. */
            seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_HASH_FAILURE,
                          "messageDigest does not match the signed bytes: the document was changed");
            w->hash_ok = 0;
        }
    }
    return 1;
}

/* A document time-stamp: the token's imprint over the ByteRange digest,
 * its signature and its TSA. 0: stop. */
static int check_doc_timestamp(vtrust *t, vsig *s, const vwork *w)
{
    if (s->doc_ts && w->hash_ok) {
        tst_result tr;
        verify_tst(t, s->cms, s->contents, s->contents_len, NULL, 0, s->digest, s->digest_len, &tr);
        if (!tr.parsed || !tr.valid) {
            seal__vfy_set(s, SEAL_TOTAL_FAILED,
                          strstr(tr.why, "imprint") ? SEAL_SUB_HASH_FAILURE : SEAL_SUB_SIG_CRYPTO_FAILURE,
                          "%s", tr.why);
            return 0;
        }
        s->trusted = tr.gen_time;
        s->poe = tr.gen_time;
        seal__iso_time(tr.gen_time, s->timestamp, sizeof(s->timestamp));
    }

    return 1;
}

/* Identification of the signing certificate (§5.2.3) and cryptographic
 * verification (§5.2.7): the candidate that matches the SignerIdentifier
 * and verifies. NULL: stop. */
static X509 *identify_signer(seal_ctx *ctx, vsig *s, const vwork *w, STACK_OF(X509) *certs)
{
    int value_ok = 0;
    X509 *cert;
    cert = pick_signer(w->si, certs, w->md, w->cd, w->cdlen, s->contents, s->contents_len, &value_ok);
    if (!cert) {
        seal__vfy_set(s, SEAL_INDETERMINATE, SEAL_SUB_NO_SIGNING_CERTIFICATE_FOUND,
                      "the signer's certificate is not in the CMS or the DSS");
        return NULL;
    }
    X509_up_ref(cert);
    s->signer_cert = cert;
    seal__vcms_cert_strings(s, cert);
    if (!value_ok) {
        seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_SIG_CRYPTO_FAILURE,
                      "the signature value does not verify with the signer's certificate");
        return NULL;
    }
    s->r.intact = w->hash_ok;
    sm2_form_note(ctx, s, w->si, cert);

    return cert;
}

/* The signing-certificate attribute and the signature time-stamp (§5.4):
 * a valid token from a trusted TSA gives the trusted signing time. */
static void check_signature_timestamp(seal_ctx *ctx, vtrust *t, vsig *s, CMS_SignerInfo *si,
                                      X509 *cert)
{
    int r = check_signing_cert_attr(si, cert);
    if (r < 0)
        seal__vfy_set(s, SEAL_INDETERMINATE, SEAL_SUB_NO_SIGNING_CERTIFICATE_FOUND,
                      "the signing-certificate attribute names another certificate");
    else if (r == 0 && s->subfilter && !strcmp(s->subfilter, "ETSI.CAdES.detached"))
        snprintf(s->level, sizeof(s->level), "none");

    /* Signature time-stamp: an RFC 3161 token over the signature value. */
    const ASN1_STRING *tokder = seq_attr(si, NID_id_smime_aa_timeStampToken, 0);
    if (tokder) {
        ASN1_OCTET_STRING *sv = CMS_SignerInfo_get0_signature(si);
        seal__vcms_sig_timestamp(ctx, t, s, ASN1_STRING_get0_data(tokder), (size_t)ASN1_STRING_length(tokder),
                                 ASN1_STRING_get0_data(sv), (size_t)ASN1_STRING_length(sv));
    }
}

void seal__vcms_sig_timestamp(seal_ctx *ctx, vtrust *t, vsig *s, const unsigned char *tokder, size_t toklen,
                              const unsigned char *value, size_t valuelen)
{
    const unsigned char *p = tokder;
    CMS_ContentInfo *tok = d2i_CMS_ContentInfo(NULL, &p, (long)toklen);
    tst_result tr;
    s->has_tst = 1;
    if (tok) {
        verify_tst(t, tok, tokder, toklen, value, valuelen, NULL, 0, &tr);
        CMS_ContentInfo_free(tok);
    } else {
        memset(&tr, 0, sizeof(tr));
        snprintf(tr.why, sizeof(tr.why), "time-stamp token does not parse");
        ERR_clear_error();
    }
    if (tr.parsed)
        seal__iso_time(tr.gen_time, s->timestamp, sizeof(s->timestamp));
    if (tr.valid && tr.trusted) {
        s->trusted = tr.gen_time;
        s->poe = tr.gen_time;
        s->r.timestamp_ok = 1;
    } else if (tr.parsed && !tr.valid) {
        seal__vfy_set(s, SEAL_TOTAL_FAILED,
                      strstr(tr.why, "imprint") ? SEAL_SUB_HASH_FAILURE : SEAL_SUB_SIG_CRYPTO_FAILURE,
                      "signature time-stamp: %s", tr.why);
    } else {
        seal__warn(ctx, "%s: %s", s->field, tr.why);
    }
}

/* Signature acceptance (§5.2.8) and key usage: the digest and key the
 * policy accepts, a certificate that may sign. */
static void check_constraints(vtrust *t, vsig *s, const EVP_MD *md, X509 *cert)
{
    char why[200];
    const char *pol;

    /* Crypto policy: the CMS digest, the signer's key, the chain's digests. */
    if ((pol = policy_check(md, X509_get0_pubkey(cert), t->flags, why, sizeof(why))) != NULL)
        seal__vfy_set(s, SEAL_INDETERMINATE, SEAL_SUB_CRYPTO_CONSTRAINTS_FAILURE, "%s", pol);

    /* Key usage: an encryption certificate never signs. */
    if ((X509_get_extension_flags(cert) & EXFLAG_KUSAGE) && !s->doc_ts &&
        !(X509_get_key_usage(cert) & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)))
        seal__vfy_set(s, SEAL_INDETERMINATE, SEAL_SUB_CHAIN_CONSTRAINTS_FAILURE,
                      "the certificate's key usage does not allow signing "
                      "(an encryption certificate)");

}

/* X.509 certificate validation (§5.2.6) at the trusted time, or now
 * without one; the chain (signer first) for the revocation check. */
static STACK_OF(X509) *validate_chain(seal_ctx *ctx, vtrust *t, vsig *s, X509 *cert,
                                      STACK_OF(X509) *certs)
{
    STACK_OF(X509) *chain = NULL;
    char why[200];
    const char *pol;

    /* Chain at the trusted time; without one, at the time of validation
     * (0: now). /M is only the signer's claim: a back- or forward-dated
     * /M never makes an expired or not-yet-valid certificate pass. */
    if (t->flags & SEAL_VERIFY_ONLINE)
        complete_online(ctx, t, s, cert, certs);
    int err = verify_chain(t, cert, certs, s->trusted, &chain);
    if (err == X509_V_ERR_CERT_HAS_EXPIRED || err == X509_V_ERR_CERT_NOT_YET_VALID) {
        /* Validity is only judged on a path that is otherwise sound. */
        int sound = chain_error_at(t->store, cert, certs, X509_V_FLAG_NO_CHECK_TIME);
        if (sound == X509_V_OK) {
            const char *what = err == X509_V_ERR_CERT_HAS_EXPIRED ? "expired" : "not yet valid";
            s->r.chain_trusted = 1;
            if (!s->trusted && err == X509_V_ERR_CERT_HAS_EXPIRED)
                seal__vfy_set(s, SEAL_INDETERMINATE, SEAL_SUB_OUT_OF_BOUNDS_NO_POE,
                              "a certificate of the chain has expired, and no time-stamp proves the "
                              "signature was made while it was valid (the claimed time /M is no proof)");
            else if (!s->trusted)
                /* Nothing can have been signed after now. */
                seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_NOT_YET_VALID,
                              "a certificate of the chain is not valid yet: the signature was made before "
                              "it was issued (the claimed time /M is no proof)");
            else
                seal__vfy_set(s, SEAL_TOTAL_FAILED,
                              err == X509_V_ERR_CERT_HAS_EXPIRED ? SEAL_SUB_EXPIRED : SEAL_SUB_NOT_YET_VALID,
                              "a certificate of the chain was %s at the time-stamped signing time", what);
            err = X509_V_OK;
        } else {
            err = sound;
        }
    } else if (err == X509_V_OK) {
        s->r.chain_trusted = 1;
    }
    if (err != X509_V_OK) {
        /* A missing anchor, or a broken path? Checked against the path's
         * own top: an issuer that is no CA is more than a missing anchor. */
        if (chain_not_found(err) && chain && sk_X509_num(chain) > 1) {
            X509_STORE *own = X509_STORE_new();
            if (own && X509_STORE_add_cert(own, sk_X509_value(chain, sk_X509_num(chain) - 1))) {
                int e2 = chain_error_at(own, cert, certs, X509_V_FLAG_NO_CHECK_TIME);
                if (e2 != X509_V_OK && !chain_not_found(e2))
                    err = e2;
            }
            X509_STORE_free(own);
        }
        if (chain_not_found(err))
            seal__vfy_set(s, SEAL_INDETERMINATE, SEAL_SUB_NO_CERTIFICATE_CHAIN_FOUND,
                          t->anchors ? "the signer's certificate does not chain to a trust anchor (%s)"
                                     : "no trust anchor configured (--trust): %s",
                          X509_verify_cert_error_string(err));
        else
            seal__vfy_set(s, SEAL_INDETERMINATE, SEAL_SUB_CERTIFICATE_CHAIN_GENERAL_FAILURE,
                          "certificate chain: %s", X509_verify_cert_error_string(err));
    }
    /* Weak digests in the chain's own signatures (the anchor's self
     * signature does not matter). */
    for (int i = 0; chain && i + 1 < sk_X509_num(chain); i++) {
        int mdnid = NID_undef, pknid = NID_undef;
        X509 *x = sk_X509_value(chain, i);
        if (OBJ_find_sigid_algs(X509_get_signature_nid(x), &mdnid, &pknid) &&
            (pol = policy_check(EVP_get_digestbynid(mdnid), NULL, t->flags, why, sizeof(why))))
            seal__vfy_set(s, SEAL_INDETERMINATE, SEAL_SUB_CRYPTO_CONSTRAINTS_FAILURE,
                          "certificate %d of the chain: %s", i + 1, pol);
    }

    return chain;
}

/* Revocation freshness and status (§5.2.5), from the DSS and the CMS
 * (and the services with --online), judged against the trusted time. */
static void judge_revocation(seal_ctx *ctx, vtrust *t, vsig *s, X509 *cert, STACK_OF(X509) *chain)
{
    X509 *issuer = chain && sk_X509_num(chain) > 1 ? sk_X509_value(chain, 1) : NULL;
    seal__rev rv;
    check_revocation(t, s->cms, cert, issuer, &rv);
    if (rv.state == SEAL__REV_NONE && issuer && (t->flags & SEAL_VERIFY_ONLINE)) {
        fetch_revocation(ctx, t, cert, issuer, s->field);
        check_revocation(t, s->cms, cert, issuer, &rv);
    }
    if (rv.state == SEAL__REV_GOOD) {
        s->r.revocation = SEAL_REVOCATION_GOOD;
    } else if (rv.state == SEAL__REV_REVOKED) {
        if (s->trusted && rv.revoked_at > s->trusted) {
            s->r.revocation = SEAL_REVOCATION_REVOKED_AFTER;
        } else if (s->trusted) {
            s->r.revocation = SEAL_REVOCATION_REVOKED;
            seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_REVOKED,
                          "the signer's certificate was revoked (%s) before the time-stamped "
                          "signing time", rv.source);
        } else {
            s->r.revocation = SEAL_REVOCATION_REVOKED;
            if (s->claimed && rv.revoked_at <= s->claimed)
                seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_REVOKED,
                              "the signer's certificate was revoked (%s) before the claimed "
                              "signing time", rv.source);
            else
                seal__vfy_set(s, SEAL_INDETERMINATE, SEAL_SUB_REVOKED_NO_POE,
                              "the signer's certificate is revoked (%s) and no time-stamp "
                              "proves the signature came first", rv.source);
        }
    } else if (t->flags & SEAL_VERIFY_REVOCATION_REQUIRE) {
        seal__vfy_set(s, SEAL_INDETERMINATE, SEAL_SUB_TRY_LATER,
                      "no revocation data for the signer's certificate (--revocation require)");
    }
}

/* The building blocks of EN 319 102-1 in their order; each records its
 * verdict on s, the first ones can stop the rest. */
void seal__vcms_verify(seal_ctx *ctx, vtrust *t, vsig *s)
{
    STACK_OF(X509) *certs = NULL;
    vwork w = {.hash_ok = 1};
    X509 *cert;

    if (!s->cms || !s->hashed)
        return;
    w.si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(s->cms), 0);
    if (!check_format(s, &w) || !check_signed_attrs(s, &w) || !check_doc_timestamp(t, s, &w))
        goto out;
    certs = all_certs(t, s->cms);
    if (!(cert = identify_signer(ctx, s, &w, certs)))
        goto out;
    if (!s->doc_ts)
        check_signature_timestamp(ctx, t, s, w.si, cert);
    seal__vcms_judge_signer(ctx, t, s, cert, w.md, certs);
out:
    sk_X509_pop_free(certs, X509_free);
    ERR_clear_error();
}

void seal__vcms_judge_signer(seal_ctx *ctx, vtrust *t, vsig *s, X509 *cert, const EVP_MD *md,
                             STACK_OF(X509) *certs)
{
    STACK_OF(X509) *own = certs ? NULL : all_certs(t, NULL), *chain;
    if (own)
        seal__certs_add_unique(own, cert);
    check_constraints(t, s, md, cert);
    chain = validate_chain(ctx, t, s, cert, certs ? certs : own);
    if (!s->doc_ts)
        judge_revocation(ctx, t, s, cert, chain);
    sk_X509_pop_free(chain, X509_free);
    sk_X509_pop_free(own, X509_free);
    ERR_clear_error();
}
