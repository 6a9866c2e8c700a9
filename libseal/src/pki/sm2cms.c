/*
 * The bytes a CMS signature covers — the signed attributes as a DER SET OF
 * (re-encoded when signing, exactly as received when verifying) — and SM2
 * signatures in CMS as they are found in the wild (GM/T 0010 content
 * types, SM OIDs, raw r||s values). OpenSSL 3.0's CMS_SignerInfo_verify
 * cannot check SM2 (no distinguishing ID), so the value is checked here.
 * Below cms.c, which builds and checks our own SignedData with these.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "keyint.h"
#include "sm2int.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/objects.h>

/* DER of a SET OF: the elements sorted by their encodings (X.690 §11.6). */
static int cmp_der(const void *a, const void *b)
{
    const unsigned char *const *x = a, *const *y = b;
    const unsigned char *pa = x[0], *pb = y[0];
    size_t la = (size_t)x[1], lb = (size_t)y[1];
    int c = memcmp(pa, pb, la < lb ? la : lb);
    if (c)
        return c;
    return la < lb ? -1 : la > lb;
}

static size_t der_len_bytes(size_t n)
{
    return n < 0x80 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 4;
}

static void der_put_len(unsigned char **p, size_t n)
{
    if (n < 0x80) {
        *(*p)++ = (unsigned char)n;
    } else if (n < 0x100) {
        *(*p)++ = 0x81;
        *(*p)++ = (unsigned char)n;
    } else if (n < 0x10000) {
        *(*p)++ = 0x82;
        *(*p)++ = (unsigned char)(n >> 8);
        *(*p)++ = (unsigned char)n;
    } else {
        *(*p)++ = 0x83;
        *(*p)++ = (unsigned char)(n >> 16);
        *(*p)++ = (unsigned char)(n >> 8);
        *(*p)++ = (unsigned char)n;
    }
}

int seal__cms_signed_attrs_der(CMS_SignerInfo *si, unsigned char **out, size_t *outlen)
{
    int n = CMS_signed_get_attr_count(si);
    const unsigned char *(*elems)[2] = NULL;
    unsigned char **bufs = NULL, *der = NULL, *p;
    size_t total = 0;
    int ok = 0;

    *out = NULL;
    if (n <= 0 || n > 1000)
        return 0;
    elems = calloc((size_t)n, sizeof(*elems));
    bufs = calloc((size_t)n, sizeof(*bufs));
    if (!elems || !bufs)
        goto out;
    for (int i = 0; i < n; i++) {
        int len = i2d_X509_ATTRIBUTE(CMS_signed_get_attr(si, i), &bufs[i]);
        if (len <= 0)
            goto out;
        elems[i][0] = bufs[i];
        elems[i][1] = (const unsigned char *)(size_t)len;
        total += (size_t)len;
    }
    qsort(elems, (size_t)n, sizeof(*elems), cmp_der);
    der = malloc(1 + der_len_bytes(total) + total);
    if (!der)
        goto out;
    p = der;
    *p++ = 0x31;
    der_put_len(&p, total);
    for (int i = 0; i < n; i++) {
        memcpy(p, elems[i][0], (size_t)elems[i][1]);
        p += (size_t)elems[i][1];
    }
    *out = der;
    *outlen = (size_t)(p - der);
    der = NULL;
    ok = 1;
out:
    if (bufs)
        for (int i = 0; i < n; i++)
            OPENSSL_free(bufs[i]);
    free(bufs);
    free(elems);
    free(der);
    return ok;
}

/* DER of the OIDs (content octets). */
static const unsigned char OID_GM_DATA[] = {0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x06, 0x01, 0x04, 0x02, 0x01};
static const unsigned char OID_GM_SIGNED[] = {0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x06, 0x01, 0x04, 0x02, 0x02};
static const unsigned char OID_GM_ENVELOPED[] = {0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x06, 0x01, 0x04, 0x02, 0x03};
static const unsigned char OID_SM2_ENCRYPT[] = {0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d, 0x03};
static const unsigned char OID_PKCS7_SIGNED[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02};
static const unsigned char OID_SM2_SM3[] = {0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x83, 0x75};
static const unsigned char OID_SM2[] = {0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d};
static const unsigned char OID_SM2_1[] = {0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d, 0x01};

static int oid_is(const ASN1_OBJECT *o, const unsigned char *der, size_t len)
{
    return o && (size_t)OBJ_length(o) == len && memcmp(OBJ_get0_data(o), der, len) == 0;
}

int seal__sm2_sigalg(const X509_ALGOR *alg)
{
    const ASN1_OBJECT *o = NULL;
    if (!alg)
        return 0;
    X509_ALGOR_get0(&o, NULL, NULL, alg);
    return oid_is(o, OID_SM2_SM3, sizeof(OID_SM2_SM3)) || oid_is(o, OID_SM2, sizeof(OID_SM2)) ||
           oid_is(o, OID_SM2_1, sizeof(OID_SM2_1));
}

int seal__gm_oid_data(const ASN1_OBJECT *o)
{
    return oid_is(o, OID_GM_DATA, sizeof(OID_GM_DATA));
}

int seal__gm_oid_signed(const ASN1_OBJECT *o)
{
    return oid_is(o, OID_GM_SIGNED, sizeof(OID_GM_SIGNED));
}

int seal__gm_oid_enveloped(const ASN1_OBJECT *o)
{
    return oid_is(o, OID_GM_ENVELOPED, sizeof(OID_GM_ENVELOPED));
}

int seal__sm2_oid_encrypt(const ASN1_OBJECT *o)
{
    return oid_is(o, OID_SM2_ENCRYPT, sizeof(OID_SM2_ENCRYPT));
}

/* One definite-length TLV at p (single-octet tags): its tag, content and
 * the position after it. 0 when malformed or indefinite. */
typedef struct tlv {
    unsigned tag;
    const unsigned char *v, *next;
    size_t len;
} tlv;

static int tlv_read(const unsigned char *p, const unsigned char *end, tlv *t)
{
    size_t n = 0;

    if (p >= end || end - p < 2 || (p[0] & 0x1f) == 0x1f)
        return 0;
    t->tag = p[0];
    if (!(p[1] & 0x80)) {
        n = p[1];
        p += 2;
    } else {
        unsigned nb = p[1] & 0x7f;
        if (nb == 0 || nb > 4 || (size_t)(end - p) < 2 + nb)
            return 0;
        for (unsigned i = 0; i < nb; i++)
            n = (n << 8) | p[2 + i];
        p += 2 + nb;
    }
    if (n > (size_t)(end - p))
        return 0;
    t->v = p;
    t->len = n;
    t->next = p + n;
    return 1;
}

/* The first SignerInfo's signed attributes element (tag 0xA0) in a
 * ContentInfo: start and total length. */
static int find_signed_attrs(const unsigned char *der, size_t len, const unsigned char **at,
                             size_t *atlen)
{
    const unsigned char *end = der + len;
    tlv ci, oid, wrap, sd, x, si;

    if (!tlv_read(der, end, &ci) || ci.tag != 0x30 || !tlv_read(ci.v, ci.next, &oid) ||
        oid.tag != 0x06 || !tlv_read(oid.next, ci.next, &wrap) || wrap.tag != 0xa0 ||
        !tlv_read(wrap.v, wrap.next, &sd) || sd.tag != 0x30)
        return 0;
    /* version, digestAlgorithms, encapContentInfo; [0] certs, [1] crls;
     * signerInfos */
    const unsigned char *p = sd.v;
    for (;;) {
        if (!tlv_read(p, sd.next, &x))
            return 0;
        p = x.next;
        if (x.tag == 0x30) /* encapContentInfo */
            break;
    }
    for (;;) {
        if (!tlv_read(p, sd.next, &x))
            return 0;
        p = x.next;
        if (x.tag == 0x31)
            break; /* signerInfos */
        if (x.tag != 0xa0 && x.tag != 0xa1)
            return 0;
    }
    if (!tlv_read(x.v, x.next, &si) || si.tag != 0x30)
        return 0;
    /* version, sid, digestAlgorithm, then [0] signedAttrs */
    p = si.v;
    for (int i = 0; i < 3; i++) {
        if (!tlv_read(p, si.next, &x))
            return 0;
        p = x.next;
    }
    if (!tlv_read(p, si.next, &x) || x.tag != 0xa0)
        return 0;
    *at = p;
    *atlen = (size_t)(x.next - p);
    return 1;
}

int seal__cms_raw_signed_attrs(const unsigned char *der, size_t len, unsigned char **out,
                               size_t *outlen)
{
    const unsigned char *at;
    size_t atlen;

    *out = NULL;
    *outlen = 0;
    if (!der || !find_signed_attrs(der, len, &at, &atlen) || !(*out = malloc(atlen)))
        return 0;
    memcpy(*out, at, atlen);
    (*out)[0] = 0x31;
    *outlen = atlen;
    return 1;
}

CMS_ContentInfo *seal__cms_parse_any(const unsigned char *der, size_t len, size_t *used, int *gm)
{
    const unsigned char *p = der, *end = der + len;
    unsigned char *copy = NULL, *q;
    CMS_ContentInfo *cms;
    tlv ci, oid;
    size_t rest, body;

    *gm = 0;
    *used = 0;
    if (tlv_read(der, end, &ci) && ci.tag == 0x30 && tlv_read(ci.v, ci.next, &oid) &&
        oid.tag == 0x06 && oid.len == sizeof(OID_GM_SIGNED) &&
        memcmp(oid.v, OID_GM_SIGNED, oid.len) == 0) {
        /* SEQUENCE { id-signedData, the same [0] bytes } */
        rest = (size_t)(ci.next - oid.next);
        body = 2 + sizeof(OID_PKCS7_SIGNED) + rest;
        if (!(copy = malloc(body + 6)))
            return NULL;
        q = copy;
        *q++ = 0x30;
        if (body < 0x80) {
            *q++ = (unsigned char)body;
        } else {
            int nb = body < 0x100 ? 1 : body < 0x10000 ? 2 : body < 0x1000000 ? 3 : 4;
            *q++ = (unsigned char)(0x80 | nb);
            for (int i = nb - 1; i >= 0; i--)
                *q++ = (unsigned char)(body >> (8 * i));
        }
        *q++ = 0x06;
        *q++ = sizeof(OID_PKCS7_SIGNED);
        memcpy(q, OID_PKCS7_SIGNED, sizeof(OID_PKCS7_SIGNED));
        q += sizeof(OID_PKCS7_SIGNED);
        memcpy(q, oid.next, rest);
        q += rest;
        p = copy;
        cms = d2i_CMS_ContentInfo(NULL, &p, (long)(q - copy));
        free(copy);
        if (cms) {
            *gm = 1;
            *used = (size_t)(ci.next - der);
        }
        return cms;
    }
    cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
    if (cms)
        *used = (size_t)(p - der);
    return cms;
}

int seal__sm2_cms_verify(CMS_SignerInfo *si, X509 *cert, const unsigned char *der, size_t len,
                         int *form)
{
    EVP_PKEY *pk = X509_get0_pubkey(cert);
    ASN1_OCTET_STRING *sv = CMS_SignerInfo_get0_signature(si);
    unsigned char *attrs = NULL, e[32], *sig = NULL;
    size_t attrslen = 0, siglen = 0;
    int ok = 0;

    if (form)
        *form = 0;
    if (!pk || !sv || !seal__sm2_is_key(pk) || CMS_signed_get_attr_count(si) <= 0)
        goto out;
    if (!seal__cms_raw_signed_attrs(der, len, &attrs, &attrslen) &&
        !seal__cms_signed_attrs_der(si, &attrs, &attrslen))
        goto out;
    if (!seal__sm2_sig_to_der_ex(ASN1_STRING_get0_data(sv), (size_t)ASN1_STRING_length(sv), &sig,
                                 &siglen, form))
        goto out;
    ok = seal__sm2_digest(pk, attrs, attrslen, e) && seal__sm2_verify_digest(pk, e, sig, siglen);
out:
    free(attrs);
    free(sig);
    ERR_clear_error();
    return ok;
}

int seal__sm2_verify_signed(EVP_PKEY *issuer, const unsigned char *der, size_t len)
{
    tlv outer, tbs, alg, bits;

    if (!seal__sm2_is_key(issuer) || !tlv_read(der, der + len, &outer) || outer.tag != 0x30 ||
        !tlv_read(outer.v, outer.next, &tbs) || tbs.tag != 0x30 ||
        !tlv_read(tbs.next, outer.next, &alg) || alg.tag != 0x30 ||
        !tlv_read(alg.next, outer.next, &bits) || bits.tag != 0x03 || bits.len < 2 || bits.v[0] != 0)
        return 0;
    /* the tbs element starts where the outer SEQUENCE's content does */
    return seal__sm2_verify_msg(issuer, outer.v, (size_t)(tbs.next - outer.v), bits.v + 1,
                                bits.len - 1);
}

/* seal__sm2_verify_signed over an i2d result, which it frees. */
static int verify_encoded(EVP_PKEY *key, unsigned char *der, int n)
{
    int ok = n > 0 && seal__sm2_verify_signed(key, der, (size_t)n);
    OPENSSL_free(der);
    ERR_clear_error();
    return ok;
}

int seal__sm2_crl_verify(X509_CRL *crl, EVP_PKEY *issuer)
{
    /* The CRL keeps the bytes of its tbsCertList as read. */
    unsigned char *der = NULL;
    int n = i2d_X509_CRL(crl, &der);
    return verify_encoded(issuer, der, n);
}

int seal__sm2_ocsp_verify(OCSP_BASICRESP *bs, EVP_PKEY *signer)
{
    unsigned char *der = NULL;
    int n = i2d_OCSP_BASICRESP(bs, &der);
    return verify_encoded(signer, der, n);
}

int seal__sm2_cms_verify_content(CMS_ContentInfo *cms, CMS_SignerInfo *si, X509 *cert,
                                 const unsigned char *der, size_t len)
{
    ASN1_OCTET_STRING **pos = CMS_get0_content(cms);
    ASN1_OCTET_STRING *want = CMS_signed_get0_data_by_OBJ(
        si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING);
    X509_ALGOR *dig = NULL;
    const ASN1_OBJECT *dobj = NULL;
    const EVP_MD *md;
    unsigned char got[EVP_MAX_MD_SIZE];
    unsigned int glen = 0;

    CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, NULL);
    if (dig)
        X509_ALGOR_get0(&dobj, NULL, NULL, dig);
    md = dobj ? EVP_get_digestbyobj(dobj) : NULL;
    if (!pos || !*pos || !want || !md ||
        !EVP_Digest(ASN1_STRING_get0_data(*pos), (size_t)ASN1_STRING_length(*pos), got, &glen, md,
                    NULL) ||
        (size_t)ASN1_STRING_length(want) != glen || memcmp(ASN1_STRING_get0_data(want), got, glen)) {
        ERR_clear_error();
        return 0;
    }
    return seal__sm2_cms_verify(si, cert, der, len, NULL);
}
