/*
 * GB/T 38540 electronic seals (eseal.c): seals built here by hand, DER
 * element by element from the standard's ASN.1, so the reader meets what
 * seal issue never writes — GM/T 0031 v1 seals (signed over SEQUENCE{info,
 * cert, algorithm}, UTCTime), GeneralizedTime without Z, SM2 values as raw
 * r||s, digest lists — and the check stays strict over the bytes received.
 * Links the internal archive.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "esealint.h"
#include "sm2int.h"

typedef struct buf {
    unsigned char p[16384];
    size_t n;
} buf;

static void put(buf *b, const void *d, size_t n)
{
    ck_assert_uint_le(b->n + n, sizeof(b->p));
    memcpy(b->p + b->n, d, n);
    b->n += n;
}

static void tlv(buf *b, int tag, const void *c, size_t n)
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
    put(b, h, hl);
    put(b, c, n);
}

static void seq(buf *out, int tag, const buf *in)
{
    tlv(out, tag, in->p, in->n);
}

static void str(buf *b, int tag, const char *s)
{
    tlv(b, tag, s, strlen(s));
}

static void small_int(buf *b, unsigned char v)
{
    tlv(b, 0x02, &v, 1);
}

typedef struct fixture {
    EVP_PKEY *key;
    X509 *cert;
    unsigned char *cert_der;
    int cert_len;
} fixture;

/* An SM2 maker key and a certificate for it (its own signature is not
 * what these tests check). */
static void make_maker(fixture *f)
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

static void free_maker(fixture *f)
{
    EVP_PKEY_free(f->key);
    X509_free(f->cert);
    OPENSSL_free(f->cert_der);
}

/* SES_SealInfo; v1: no certListType, UTCTime; a digest list holding the
 * SM3 of `holder`. */
static void seal_info(buf *out, int v1, const char *t, const fixture *holder, int digests)
{
    buf body = {0}, h = {0}, prop = {0}, list = {0}, pic = {0};
    str(&h, 0x16, "ES");
    small_int(&h, v1 ? 1 : 4);
    str(&h, 0x16, "unit");
    seq(&body, 0x30, &h);
    str(&body, 0x16, "ES-UNIT-1");
    small_int(&prop, 1);
    str(&prop, 0x0c, "单位测试章");
    if (!v1)
        small_int(&prop, digests ? 2 : 1);
    if (digests) {
        buf obj = {0};
        unsigned char md[32];
        unsigned mdlen;
        EVP_Digest(holder->cert_der, (size_t)holder->cert_len, md, &mdlen, EVP_sm3(), NULL);
        str(&obj, 0x13, "SM3");
        tlv(&obj, 0x04, md, mdlen);
        seq(&list, 0x30, &obj);
    } else {
        tlv(&list, 0x04, holder->cert_der, (size_t)holder->cert_len);
    }
    seq(&prop, 0x30, &list);
    for (int i = 0; i < 3; i++)
        str(&prop, v1 ? 0x17 : 0x18, t);
    seq(&body, 0x30, &prop);
    str(&pic, 0x16, "png");
    tlv(&pic, 0x04, "\x89PNG", 4);
    small_int(&pic, 40);
    small_int(&pic, 30);
    seq(&body, 0x30, &pic);
    seq(out, 0x30, &body);
}

/* The maker's SM2 signature over msg: DER, or raw r||s. */
static size_t sm2_sign(const fixture *f, const unsigned char *msg, size_t len, int raw, unsigned char *out)
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

static const unsigned char SM2_WITH_SM3[] = {0x06, 0x08, 0x2A, 0x81, 0x1C, 0xCF, 0x55, 0x01, 0x83, 0x75};

/* A whole SES_Seal: v4 {info, cert, alg, sig} or v1 {info, {cert, alg, sig}}. */
static void make_seal(buf *out, const fixture *maker, const fixture *holder, int v1, const char *t, int raw,
                      int digests)
{
    buf info = {0}, tbs = {0}, sig = {0}, tail = {0}, body = {0};
    unsigned char value[80];

    seal_info(&info, v1, t, holder, digests);
    if (v1) {
        put(&tbs, info.p, info.n);
        tlv(&tbs, 0x04, maker->cert_der, (size_t)maker->cert_len);
        put(&tbs, SM2_WITH_SM3, sizeof(SM2_WITH_SM3));
        buf whole = {0};
        seq(&whole, 0x30, &tbs);
        sig.n = sm2_sign(maker, whole.p, whole.n, raw, sig.p + 1) + 1;
    } else {
        sig.n = sm2_sign(maker, info.p, info.n, raw, sig.p + 1) + 1;
    }
    sig.p[0] = 0; /* unused bits */
    (void)value;
    tlv(&tail, 0x04, maker->cert_der, (size_t)maker->cert_len);
    put(&tail, SM2_WITH_SM3, sizeof(SM2_WITH_SM3));
    tlv(&tail, 0x03, sig.p, sig.n);
    put(&body, info.p, info.n);
    if (v1)
        seq(&body, 0x30, &tail);
    else
        put(&body, tail.p, tail.n);
    seq(out, 0x30, &body);
}

START_TEST(v4_tolerant_times_and_raw_values)
{
    fixture maker, holder;
    seal_ctx *ctx;
    seal_eseal *es = NULL;
    seal_eseal_info ei;
    buf s = {0};

    make_maker(&maker);
    make_maker(&holder);
    ck_assert_int_eq(seal_ctx_new(&ctx), SEAL_OK);
    /* GeneralizedTime without its Z; the signature as raw r||s. */
    make_seal(&s, &maker, &holder, 0, "20260725214639", 1, 0);
    ck_assert_int_eq(seal_eseal_parse(ctx, &es, s.p, s.n), SEAL_OK);
    ck_assert_int_eq(seal_eseal_get_info(es, &ei), SEAL_OK);
    ck_assert_int_eq(ei.version, 4);
    ck_assert_str_eq(ei.esid, "ES-UNIT-1");
    ck_assert_str_eq(ei.name, "单位测试章");
    ck_assert_str_eq(ei.picture_type, "PNG");
    ck_assert_int_eq(ei.width_mm, 40);
    ck_assert_int_eq(ei.height_mm, 30);
    ck_assert_int_eq(ei.valid_from, 1785015999LL); /* 2026-07-25T21:46:39Z */
    ck_assert_str_eq(ei.signature_algorithm, "SM2-with-SM3");
    ck_assert_str_eq(ei.maker, "CN=maker");
    ck_assert_int_eq(seal_eseal_check(ctx, es), SEAL_OK);
    ck_assert(seal__eseal_holds(es, holder.cert));
    ck_assert(!seal__eseal_holds(es, maker.cert));
    seal_eseal_free(es);
    es = NULL;
    /* Two-digit years in a GeneralizedTime (seen in real seals). */
    s.n = 0;
    make_seal(&s, &maker, &holder, 0, "260725214639Z", 0, 1);
    ck_assert_int_eq(seal_eseal_parse(ctx, &es, s.p, s.n), SEAL_OK);
    seal_eseal_get_info(es, &ei);
    ck_assert_int_eq(ei.valid_to, 1785015999LL);
    ck_assert_int_eq(ei.cert_list_type, SEAL_ESEAL_LIST_DIGESTS);
    ck_assert_int_eq(strncmp(seal_eseal_holder(es, 0), "SM3:", 4), 0);
    ck_assert(seal__eseal_holds(es, holder.cert));
    ck_assert_int_eq(seal_eseal_check(ctx, es), SEAL_OK);
    seal_eseal_free(es);
    seal_ctx_free(ctx);
    free_maker(&maker);
    free_maker(&holder);
}
END_TEST

START_TEST(v1_signed_over_info_cert_algorithm)
{
    fixture maker, holder;
    seal_ctx *ctx;
    seal_eseal *es = NULL;
    seal_eseal_info ei;
    buf s = {0};

    make_maker(&maker);
    make_maker(&holder);
    ck_assert_int_eq(seal_ctx_new(&ctx), SEAL_OK);
    make_seal(&s, &maker, &holder, 1, "260101000000Z", 0, 0);
    ck_assert_int_eq(seal_eseal_parse(ctx, &es, s.p, s.n), SEAL_OK);
    seal_eseal_get_info(es, &ei);
    ck_assert_int_eq(ei.version, 1);
    ck_assert_int_eq(ei.cert_list_type, SEAL_ESEAL_LIST_CERTS);
    ck_assert_int_eq(ei.valid_from, 1767225600LL);
    ck_assert_int_eq(seal_eseal_check(ctx, es), SEAL_OK);
    ck_assert(seal__eseal_holds(es, holder.cert));
    seal_eseal_free(es);
    seal_ctx_free(ctx);
    free_maker(&maker);
    free_maker(&holder);
}
END_TEST

START_TEST(strict_check_over_received_bytes)
{
    fixture maker, holder;
    seal_ctx *ctx;
    seal_eseal *es = NULL;
    buf s = {0};

    make_maker(&maker);
    make_maker(&holder);
    ck_assert_int_eq(seal_ctx_new(&ctx), SEAL_OK);
    make_seal(&s, &maker, &holder, 0, "20260101000000Z", 0, 0);
    /* One letter of the name changed: it parses, the maker's signature fails. */
    unsigned char *name = memmem(s.p, s.n, "单位", strlen("单位"));
    ck_assert_ptr_nonnull(name);
    name[1] ^= 0x01;
    ck_assert_int_eq(seal_eseal_parse(ctx, &es, s.p, s.n), SEAL_OK);
    ck_assert_int_eq(seal_eseal_check(ctx, es), SEAL_ERR_CRYPTO);
    ck_assert_str_eq(seal_ctx_message(ctx), "the seal maker's signature does not verify");
    /* The signer's refusal names the seal and the certificate. */
    ck_assert_int_eq(seal__eseal_usable(ctx, es, holder.cert, 1767225600LL), SEAL_ERR_CERT);
    seal_eseal_free(es);
    name[1] ^= 0x01;
    ck_assert_int_eq(seal_eseal_parse(ctx, &es, s.p, s.n), SEAL_OK);
    ck_assert_int_eq(seal__eseal_usable(ctx, es, holder.cert, 1767225600LL), SEAL_OK);
    ck_assert_int_eq(seal__eseal_usable(ctx, es, maker.cert, 1767225600LL), SEAL_ERR_CERT);
    ck_assert_str_eq(seal_ctx_message(ctx), "e-seal \"单位测试章\" (esID ES-UNIT-1) cannot be used by CN=maker: "
                                            "the certificate is not in its certificate list");
    ck_assert_int_eq(seal__eseal_usable(ctx, es, holder.cert, 1767225599LL), SEAL_ERR_CERT);
    ck_assert_str_eq(seal_ctx_message(ctx), "e-seal \"单位测试章\" (esID ES-UNIT-1) cannot be used by CN=maker: "
                                            "it is not valid before 2026-01-01T00:00:00Z");
    seal_eseal_free(es);
    /* Trailing bytes and truncation are not a seal. */
    s.p[s.n++] = 0;
    ck_assert_int_eq(seal_eseal_parse(ctx, &es, s.p, s.n), SEAL_ERR_INPUT);
    ck_assert_str_eq(seal_ctx_message(ctx), "not a GB/T 38540 electronic seal: bad not a DER SEQUENCE (SES_Seal)");
    ck_assert_int_eq(seal_eseal_parse(ctx, &es, s.p, s.n - 10), SEAL_ERR_INPUT);
    ck_assert_ptr_null(es);
    seal_ctx_free(ctx);
    free_maker(&maker);
    free_maker(&holder);
}
END_TEST

Suite *suite_eseal(void);
Suite *suite_eseal(void)
{
    Suite *s = suite_create("eseal");
    TCase *tc = tcase_create("eseal");
    tcase_add_test(tc, v4_tolerant_times_and_raw_values);
    tcase_add_test(tc, v1_signed_over_info_cert_algorithm);
    tcase_add_test(tc, strict_check_over_received_bytes);
    suite_add_tcase(s, tc);
    return s;
}
