/*
 * DER written element by element from the standard's ASN.1 for the e-seal
 * suites (check_eseal.c, check_ses.c): SM2 keys with certificates, whole
 * SES_Seals in the shapes real seals take.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "sealder.h"
#include "sm2int.h"

void sd_put(buf *b, const void *d, size_t n)
{
    ck_assert_uint_le(b->n + n, sizeof(b->p));
    memcpy(b->p + b->n, d, n);
    b->n += n;
}

void sd_tlv(buf *b, int tag, const void *c, size_t n)
{
    unsigned char h[4] = {(unsigned char)tag};
    size_t hl = 2;
    if (n < 0x80) {
        h[1] = (unsigned char)n;
    } else {
        h[1] = 0x82;
        h[2] = (unsigned char)(n >> 8);
        h[3] = (unsigned char)n;
        hl = 4;
    }
    sd_put(b, h, hl);
    sd_put(b, c, n);
}

void sd_seq(buf *out, int tag, const buf *in)
{
    sd_tlv(out, tag, in->p, in->n);
}

void sd_str(buf *b, int tag, const char *s)
{
    sd_tlv(b, tag, s, strlen(s));
}

void sd_small_int(buf *b, unsigned char v)
{
    sd_tlv(b, 0x02, &v, 1);
}

/* An SM2 maker key and a certificate for it (its own signature is not
 * what these tests check). */
void sd_make_maker(fixture *f)
{
    f->key = EVP_PKEY_Q_keygen(NULL, NULL, "SM2");
    ck_assert_ptr_nonnull(f->key);
    f->cert = X509_new();
    X509_set_version(f->cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(f->cert), 7);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(f->cert), "CN", MBSTRING_ASC,
                               (const unsigned char *)"maker", -1, -1, 0);
    X509_set_issuer_name(f->cert, X509_get_subject_name(f->cert));
    X509_gmtime_adj(X509_getm_notBefore(f->cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(f->cert), 86400);
    X509_set_pubkey(f->cert, f->key);
    EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    ck_assert(X509_sign(f->cert, ec, EVP_sha256()) > 0);
    EVP_PKEY_free(ec);
    f->cert_der = NULL;
    f->cert_len = i2d_X509(f->cert, &f->cert_der);
    ck_assert_int_gt(f->cert_len, 0);
}

void sd_free_maker(fixture *f)
{
    EVP_PKEY_free(f->key);
    X509_free(f->cert);
    OPENSSL_free(f->cert_der);
}

/* SES_SealInfo; v1: no certListType, UTCTime; a digest list holding the
 * SM3 of `holder`. */
void sd_seal_info(buf *out, int v1, const char *t, const fixture *holder, int digests)
{
    buf body = {0}, h = {0}, prop = {0}, list = {0}, pic = {0};
    sd_str(&h, 0x16, "ES");
    sd_small_int(&h, v1 ? 1 : 4);
    sd_str(&h, 0x16, "unit");
    sd_seq(&body, 0x30, &h);
    sd_str(&body, 0x16, "ES-UNIT-1");
    sd_small_int(&prop, 1);
    sd_str(&prop, 0x0c, "单位测试章");
    if (!v1)
        sd_small_int(&prop, digests ? 2 : 1);
    if (digests) {
        buf obj = {0};
        unsigned char md[32];
        unsigned mdlen;
        EVP_Digest(holder->cert_der, (size_t)holder->cert_len, md, &mdlen, EVP_sm3(), NULL);
        sd_str(&obj, 0x13, "SM3");
        sd_tlv(&obj, 0x04, md, mdlen);
        sd_seq(&list, 0x30, &obj);
    } else {
        sd_tlv(&list, 0x04, holder->cert_der, (size_t)holder->cert_len);
    }
    sd_seq(&prop, 0x30, &list);
    for (int i = 0; i < 3; i++)
        sd_str(&prop, v1 ? 0x17 : 0x18, t);
    sd_seq(&body, 0x30, &prop);
    sd_str(&pic, 0x16, "png");
    sd_tlv(&pic, 0x04, "\x89PNG", 4);
    sd_small_int(&pic, 40);
    sd_small_int(&pic, 30);
    sd_seq(&body, 0x30, &pic);
    sd_seq(out, 0x30, &body);
}

/* The maker's SM2 signature over msg: DER, or raw r||s. */
size_t sd_sm2_sign(const fixture *f, const unsigned char *msg, size_t len, int raw, unsigned char *out)
{
    unsigned char e[32], *der = NULL;
    size_t dl = 0;
    ck_assert(seal__sm2_digest(f->key, msg, len, e));
    ck_assert(seal__sm2_sign_digest(f->key, e, &der, &dl));
    if (!raw) {
        memcpy(out, der, dl);
        free(der);
        return dl;
    }
    const unsigned char *p = der;
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)dl);
    ck_assert_ptr_nonnull(sig);
    BN_bn2binpad(ECDSA_SIG_get0_r(sig), out, 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig), out + 32, 32);
    ECDSA_SIG_free(sig);
    free(der);
    return 64;
}

const unsigned char SM2_WITH_SM3[10] = {0x06, 0x08, 0x2A, 0x81, 0x1C, 0xCF, 0x55, 0x01, 0x83, 0x75};

/* A whole SES_Seal: v4 {info, cert, alg, sig} or v1 {info, {cert, alg, sig}}. */
void sd_make_seal(buf *out, const fixture *maker, const fixture *holder, int v1, const char *t, int raw,
                      int digests)
{
    buf info = {0}, tbs = {0}, sig = {0}, tail = {0}, body = {0};
    unsigned char value[80];

    sd_seal_info(&info, v1, t, holder, digests);
    if (v1) {
        sd_put(&tbs, info.p, info.n);
        sd_tlv(&tbs, 0x04, maker->cert_der, (size_t)maker->cert_len);
        sd_put(&tbs, SM2_WITH_SM3, sizeof(SM2_WITH_SM3));
        buf whole = {0};
        sd_seq(&whole, 0x30, &tbs);
        sig.n = sd_sm2_sign(maker, whole.p, whole.n, raw, sig.p + 1) + 1;
    } else {
        sig.n = sd_sm2_sign(maker, info.p, info.n, raw, sig.p + 1) + 1;
    }
    sig.p[0] = 0; /* unused bits */
    (void)value;
    sd_tlv(&tail, 0x04, maker->cert_der, (size_t)maker->cert_len);
    sd_put(&tail, SM2_WITH_SM3, sizeof(SM2_WITH_SM3));
    sd_tlv(&tail, 0x03, sig.p, sig.n);
    sd_put(&body, info.p, info.n);
    if (v1)
        sd_seq(&body, 0x30, &tail);
    else
        sd_put(&body, tail.p, tail.n);
    sd_seq(out, 0x30, &body);
}

