/*
 * SM2 with SM3 (GB/T 32918.2, GM/T 0003): the Z value with the
 * distinguishing ID, e = SM3(Z || M), signature value normalisation and
 * the raw sign/verify of e. OpenSSL 3.0 applies no default ID (it hashes an
 * empty one), so the ID is always given here, and certificates get it
 * before a chain is checked.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "sm2int.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#define SM2_FIELD 32

int seal__sm2_is_key(EVP_PKEY *pk)
{
    char group[32] = "";
    size_t glen = 0;

    if (!pk)
        return 0;
    if (EVP_PKEY_is_a(pk, "SM2"))
        return 1;
    if (!EVP_PKEY_is_a(pk, "EC"))
        return 0;
    if (!EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                        &glen)) {
        ERR_clear_error();
        return 0;
    }
    return OBJ_txt2nid(group) == NID_sm2 || strcmp(group, "SM2") == 0;
}

/* A BIGNUM as a 32-byte big-endian field element. */
static int put_fe(const BIGNUM *bn, unsigned char out[SM2_FIELD])
{
    return bn && BN_bn2binpad(bn, out, SM2_FIELD) == SM2_FIELD;
}

int seal__sm2_z(EVP_PKEY *pub, unsigned char z[32])
{
    EC_GROUP *g = NULL;
    BIGNUM *a = BN_new(), *b = BN_new(), *gx = BN_new(), *gy = BN_new();
    BIGNUM *qx = NULL, *qy = NULL;
    unsigned char buf[2 + SEAL_SM2_ID_LEN + 6 * SM2_FIELD], *p = buf;
    const unsigned entl = SEAL_SM2_ID_LEN * 8;
    unsigned int zlen = 0;
    int ok = 0;

    if (!seal__sm2_is_key(pub) || !a || !b || !gx || !gy)
        goto out;
    g = EC_GROUP_new_by_curve_name(NID_sm2);
    if (!g || !EC_GROUP_get_curve(g, NULL, a, b, NULL) ||
        !EC_POINT_get_affine_coordinates(g, EC_GROUP_get0_generator(g), gx, gy, NULL))
        goto out;
    if (!EVP_PKEY_get_bn_param(pub, OSSL_PKEY_PARAM_EC_PUB_X, &qx) ||
        !EVP_PKEY_get_bn_param(pub, OSSL_PKEY_PARAM_EC_PUB_Y, &qy))
        goto out;
    *p++ = (unsigned char)(entl >> 8);
    *p++ = (unsigned char)entl;
    memcpy(p, SEAL_SM2_ID, SEAL_SM2_ID_LEN);
    p += SEAL_SM2_ID_LEN;
    if (!put_fe(a, p) || !put_fe(b, p + 32) || !put_fe(gx, p + 64) || !put_fe(gy, p + 96) ||
        !put_fe(qx, p + 128) || !put_fe(qy, p + 160))
        goto out;
    ok = EVP_Digest(buf, sizeof(buf), z, &zlen, EVP_sm3(), NULL) && zlen == 32;
out:
    EC_GROUP_free(g);
    BN_free(a);
    BN_free(b);
    BN_free(gx);
    BN_free(gy);
    BN_free(qx);
    BN_free(qy);
    ERR_clear_error();
    return ok;
}

int seal__sm2_digest(EVP_PKEY *pub, const unsigned char *msg, size_t len, unsigned char e[32])
{
    unsigned char z[32];
    unsigned int elen = 0;
    EVP_MD_CTX *md;
    int ok;

    if (!seal__sm2_z(pub, z) || !(md = EVP_MD_CTX_new()))
        return 0;
    ok = EVP_DigestInit_ex(md, EVP_sm3(), NULL) && EVP_DigestUpdate(md, z, sizeof(z)) &&
         (len == 0 || EVP_DigestUpdate(md, msg, len)) && EVP_DigestFinal_ex(md, e, &elen) &&
         elen == 32;
    EVP_MD_CTX_free(md);
    ERR_clear_error();
    return ok;
}

/* One tolerant DER length at *p (limit end): short or long form, minimal
 * or not. -1 when malformed; *strict cleared when not minimal. */
static long der_len(const unsigned char **p, const unsigned char *end, int *strict)
{
    unsigned long n = 0;
    unsigned nb;

    if (*p >= end)
        return -1;
    if (!(**p & 0x80))
        return *(*p)++;
    nb = *(*p)++ & 0x7f;
    if (nb == 0 || nb > 4 || (size_t)(end - *p) < nb)
        return -1;
    for (unsigned i = 0; i < nb; i++)
        n = (n << 8) | *(*p)++;
    if (n < 0x80 || (nb > 1 && n < (1ul << (8 * (nb - 1)))))
        *strict = 0;
    return n > 0xffffff ? -1 : (long)n;
}

/* One INTEGER, its magnitude into a BIGNUM (leading zero octets dropped, a
 * missing sign octet tolerated: the value is taken as unsigned). */
static BIGNUM *der_uint(const unsigned char **p, const unsigned char *end, int *strict)
{
    long n;
    const unsigned char *v;

    if (*p >= end || *(*p)++ != 0x02)
        return NULL;
    n = der_len(p, end, strict);
    if (n <= 0 || n > end - *p)
        return NULL;
    v = *p;
    *p += n;
    if ((v[0] & 0x80) || (n > 1 && v[0] == 0 && !(v[1] & 0x80)))
        *strict = 0;
    while (n > 1 && *v == 0) {
        v++;
        n--;
    }
    if (n > SM2_FIELD)
        return NULL;
    return BN_bin2bn(v, (int)n, NULL);
}

static int der_from_rs(BIGNUM *r, BIGNUM *s, unsigned char **der, size_t *derlen)
{
    ECDSA_SIG *sig = ECDSA_SIG_new();
    unsigned char *enc = NULL;
    int len;

    if (!sig || !r || !s || BN_is_zero(r) || BN_is_zero(s)) {
        ECDSA_SIG_free(sig);
        BN_free(r);
        BN_free(s);
        return 0;
    }
    ECDSA_SIG_set0(sig, r, s);
    len = i2d_ECDSA_SIG(sig, &enc);
    ECDSA_SIG_free(sig);
    if (len <= 0)
        return 0;
    *der = malloc((size_t)len);
    if (*der)
        memcpy(*der, enc, (size_t)len);
    OPENSSL_free(enc);
    *derlen = *der ? (size_t)len : 0;
    return *der != NULL;
}

static int parse_der_sig(const unsigned char *in, size_t inlen, BIGNUM **r, BIGNUM **s,
                         int *strict)
{
    const unsigned char *p = in, *end = in + inlen;
    long n;

    *r = *s = NULL;
    if (inlen < 8 || *p++ != 0x30)
        return 0;
    n = der_len(&p, end, strict);
    if (n < 6 || n != end - p) /* trailing garbage (or a short value) refused */
        return 0;
    if (!(*r = der_uint(&p, end, strict)) || !(*s = der_uint(&p, end, strict)) || p != end) {
        BN_free(*r);
        BN_free(*s);
        *r = *s = NULL;
        return 0;
    }
    return 1;
}

int seal__sm2_sig_to_der_ex(const unsigned char *in, size_t inlen, unsigned char **der,
                            size_t *derlen, int *raw)
{
    BIGNUM *r = NULL, *s = NULL;
    int strict = 1, ok;

    *der = NULL;
    *derlen = 0;
    if (raw)
        *raw = 0;
    if (!in)
        return 0;
    if (parse_der_sig(in, inlen, &r, &s, &strict)) {
        if (raw && !strict)
            *raw = 2;
    } else if (inlen == 2 * SM2_FIELD) {
        r = BN_bin2bn(in, SM2_FIELD, NULL);
        s = BN_bin2bn(in + SM2_FIELD, SM2_FIELD, NULL);
        if (raw)
            *raw = 1;
    } else {
        return 0;
    }
    ok = der_from_rs(r, s, der, derlen);
    ERR_clear_error();
    return ok;
}

int seal__sm2_sig_to_der(const unsigned char *in, size_t inlen, unsigned char **der, size_t *derlen)
{
    return seal__sm2_sig_to_der_ex(in, inlen, der, derlen, NULL);
}

/* pk as an EVP_PKEY of type SM2 (a new reference): an EC key on the SM2
 * curve is rebuilt, since EVP_PKEY_sign/verify on an "EC" key is ECDSA. */
static EVP_PKEY *as_sm2(EVP_PKEY *pk)
{
    EVP_PKEY_CTX *pc = NULL;
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY *out = NULL;
    unsigned char pub[1 + 2 * SM2_FIELD + 1];
    size_t publen = 0;
    BIGNUM *priv = NULL;

    if (!seal__sm2_is_key(pk))
        return NULL;
    if (EVP_PKEY_is_a(pk, "SM2"))
        return EVP_PKEY_up_ref(pk) ? pk : NULL;
    if (!EVP_PKEY_get_octet_string_param(pk, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub), &publen))
        goto out;
    EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_PRIV_KEY, &priv); /* absent for a public key */
    if (!(bld = OSSL_PARAM_BLD_new()) ||
        !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "SM2", 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, publen) ||
        (priv && !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv)) ||
        !(params = OSSL_PARAM_BLD_to_param(bld)))
        goto out;
    pc = EVP_PKEY_CTX_new_from_name(NULL, "SM2", NULL);
    if (!pc || EVP_PKEY_fromdata_init(pc) <= 0 ||
        EVP_PKEY_fromdata(pc, &out, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) <= 0)
        out = NULL;
out:
    EVP_PKEY_CTX_free(pc);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_clear_free(priv);
    return out;
}

int seal__sm2_verify_digest(EVP_PKEY *pub, const unsigned char e[32], const unsigned char *der,
                            size_t derlen)
{
    EVP_PKEY *pk = as_sm2(pub);
    EVP_PKEY_CTX *pc = NULL;
    int ok = 0;

    if (pk && (pc = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL)) && EVP_PKEY_verify_init(pc) > 0)
        ok = EVP_PKEY_verify(pc, der, derlen, e, 32) == 1;
    EVP_PKEY_CTX_free(pc);
    EVP_PKEY_free(pk);
    ERR_clear_error();
    return ok;
}

int seal__sm2_verify_msg(EVP_PKEY *pub, const unsigned char *msg, size_t len,
                         const unsigned char *sig, size_t siglen)
{
    unsigned char e[32], *der = NULL;
    size_t derlen = 0;
    int ok = seal__sm2_digest(pub, msg, len, e) &&
             seal__sm2_sig_to_der(sig, siglen, &der, &derlen) &&
             seal__sm2_verify_digest(pub, e, der, derlen);
    free(der);
    return ok;
}

int seal__sm2_sign_digest(EVP_PKEY *priv, const unsigned char e[32], unsigned char **der,
                          size_t *derlen)
{
    EVP_PKEY *pk = as_sm2(priv);
    EVP_PKEY_CTX *pc = NULL;
    unsigned char *sig = NULL;
    size_t siglen = 0;
    int ok = 0;

    *der = NULL;
    *derlen = 0;
    if (!pk || !(pc = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL)) || EVP_PKEY_sign_init(pc) <= 0 ||
        EVP_PKEY_sign(pc, NULL, &siglen, e, 32) <= 0 || !(sig = malloc(siglen)) ||
        EVP_PKEY_sign(pc, sig, &siglen, e, 32) <= 0)
        goto out;
    /* OpenSSL writes strict DER already; normalising keeps one form. */
    ok = seal__sm2_sig_to_der(sig, siglen, der, derlen);
out:
    free(sig);
    EVP_PKEY_CTX_free(pc);
    EVP_PKEY_free(pk);
    return ok;
}

void seal__sm2_set_id(X509 *cert)
{
    ASN1_OCTET_STRING *id;
    const ASN1_OCTET_STRING *had;

    if (!cert || X509_get_signature_nid(cert) != NID_SM2_with_SM3)
        return;
    /* Set once: a certificate shared by threads (the chain walk's cache)
     * is not rewritten under a reader. */
    had = X509_get0_distinguishing_id(cert);
    if (had && ASN1_STRING_length(had) == SEAL_SM2_ID_LEN &&
        memcmp(ASN1_STRING_get0_data(had), SEAL_SM2_ID, SEAL_SM2_ID_LEN) == 0)
        return;
    id = ASN1_OCTET_STRING_new();
    if (!id || !ASN1_OCTET_STRING_set(id, (const unsigned char *)SEAL_SM2_ID, SEAL_SM2_ID_LEN)) {
        ASN1_OCTET_STRING_free(id);
        ERR_clear_error();
        return;
    }
    X509_set0_distinguishing_id(cert, id);
}

void seal__sm2_set_ids(STACK_OF(X509) *certs)
{
    for (int i = 0; i < sk_X509_num(certs); i++)
        seal__sm2_set_id(sk_X509_value(certs, i));
}

/* SM2 encryption (GB/T 32918.4): OpenSSL's EVP_PKEY_encrypt/decrypt on an
 * SM2 key read and write the GM/T 0009 SM2Cipher DER, SEQUENCE { x, y,
 * hash C3, ciphertext C2 }, as Botan and GM/T 0010 envelopes do. */
static int sm2_crypt(EVP_PKEY *key, int enc, const unsigned char *in, size_t inlen,
                     unsigned char **out, size_t *outlen)
{
    EVP_PKEY *pk = as_sm2(key);
    EVP_PKEY_CTX *pc = pk ? EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL) : NULL;
    size_t len = 0;
    int ok;

    *out = NULL;
    ok = pc && (enc ? EVP_PKEY_encrypt_init(pc) : EVP_PKEY_decrypt_init(pc)) > 0 &&
         (enc ? EVP_PKEY_encrypt(pc, NULL, &len, in, inlen)
              : EVP_PKEY_decrypt(pc, NULL, &len, in, inlen)) > 0 &&
         (*out = malloc(len ? len : 1)) != NULL &&
         (enc ? EVP_PKEY_encrypt(pc, *out, &len, in, inlen)
              : EVP_PKEY_decrypt(pc, *out, &len, in, inlen)) > 0;
    if (!ok) {
        if (*out)
            OPENSSL_cleanse(*out, len);
        free(*out);
        *out = NULL;
    }
    *outlen = ok ? len : 0;
    EVP_PKEY_CTX_free(pc);
    EVP_PKEY_free(pk);
    return ok;
}

int seal__sm2_encrypt(EVP_PKEY *pub, const unsigned char *in, size_t inlen, unsigned char **der,
                      size_t *derlen)
{
    return sm2_crypt(pub, 1, in, inlen, der, derlen);
}

int seal__sm2_decrypt(EVP_PKEY *priv, const unsigned char *der, size_t derlen, unsigned char **out,
                      size_t *outlen)
{
    return sm2_crypt(priv, 0, der, derlen, out, outlen);
}

/* A DER INTEGER or OCTET STRING at *p (short or one/two-byte lengths). */
static int der_item(const unsigned char **p, const unsigned char *end, int tag,
                    const unsigned char **v, size_t *len)
{
    int strict;
    long n;

    if (end - *p < 2 || **p != tag)
        return 0;
    (*p)++;
    if ((n = der_len(p, end, &strict)) < 0 || n > end - *p)
        return 0;
    *v = *p;
    *len = (size_t)n;
    *p += n;
    return 1;
}

/* A field element of the INTEGER v (sign octet dropped), right-aligned. */
static int put_int(const unsigned char *v, size_t len, unsigned char out[SM2_FIELD])
{
    while (len > 0 && v[0] == 0)
        v++, len--;
    if (len > SM2_FIELD)
        return 0;
    memset(out, 0, SM2_FIELD);
    memcpy(out + SM2_FIELD - len, v, len);
    return 1;
}

int seal__sm2_cipher_parts(const unsigned char *der, size_t len, seal__sm2_cipher *c)
{
    const unsigned char *p = der, *end = der + len, *body, *v;
    size_t blen, vlen;

    if (!der_item(&p, end, 0x30, &body, &blen) || p != end)
        return 0;
    p = body;
    end = body + blen;
    if (!der_item(&p, end, 0x02, &v, &vlen) || !put_int(v, vlen, c->x) ||
        !der_item(&p, end, 0x02, &v, &vlen) || !put_int(v, vlen, c->y) ||
        !der_item(&p, end, 0x04, &v, &vlen) || vlen != 32)
        return 0;
    memcpy(c->hash, v, 32);
    if (!der_item(&p, end, 0x04, &c->c2, &c->c2len) || p != end || c->c2len == 0)
        return 0;
    return 1;
}
