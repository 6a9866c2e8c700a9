/*
 * GB/T 38540 SES_Signature (ses.c): signatures built here by hand, DER
 * element by element from the standard's ASN.1 — v4 with a [0] time-stamp,
 * GM/T 0031 v1 with its timeInfo as ISO 8601 text, a trimmed dataHash and
 * a raw r||s value, ECDSA signers — read tolerantly and checked strictly
 * over TBS_Sign as received. Links the internal archive.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "esealint.h"
#include "keyint.h"
#include "sealder.h"
#include "sesint.h"

static const unsigned char ECDSA_SHA256[] = {0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02};
static const unsigned char TOKEN[] = {0x30, 0x03, 0x02, 0x01, 0x05};

typedef struct ses_opts {
    int v1;          /* GM/T 0031 layout */
    int raw;         /* signature as raw r||s */
    int timestamp;   /* v4 [0] timeStamp */
    int trim_hash;   /* dataHash ending in 0x00, trimmed: unused bits 7 */
    const fixture *signer_ec; /* sign with this EC key, ecdsa-with-SHA256 */
} ses_opts;

static const unsigned char *doc_hash(int trimmed)
{
    static unsigned char h[32];
    memset(h, 0x11, sizeof(h));
    if (trimmed)
        h[31] = 0;
    return h;
}

/* A BIT STRING holding v (unused bits 0). */
static void bits(buf *b, const unsigned char *v, size_t n)
{
    buf t = {0};
    unsigned char zero = 0;
    sd_put(&t, &zero, 1);
    sd_put(&t, v, n);
    sd_tlv(b, 0x03, t.p, t.n);
}

/* An SES_Signature over the seal `seal` by `signer`. */
static void make_ses(buf *out, const buf *seal, const fixture *signer, const ses_opts *o)
{
    buf tbs = {0}, body = {0}, whole = {0};
    unsigned char sig[128];
    size_t siglen;

    sd_small_int(&body, o->v1 ? 1 : 4);
    sd_put(&body, seal->p, seal->n);
    if (o->v1) {
        const char *t = "2020-01-25T07:31:56.377Z";
        bits(&body, (const unsigned char *)t, strlen(t));
    } else {
        sd_str(&body, 0x18, "20260101000000Z");
    }
    if (o->trim_hash) {
        buf t = {0};
        unsigned char seven = 7;
        sd_put(&t, &seven, 1);
        sd_put(&t, doc_hash(1), 31);
        sd_tlv(&body, 0x03, t.p, t.n);
    } else {
        bits(&body, doc_hash(0), 32);
    }
    sd_str(&body, 0x16, "/ByteRange [0 10 20 30]");
    const fixture *who = o->signer_ec ? o->signer_ec : signer;
    const unsigned char *alg = o->signer_ec ? ECDSA_SHA256 : SM2_WITH_SM3;
    if (o->v1) {
        sd_tlv(&body, 0x04, who->cert_der, (size_t)who->cert_len);
        sd_put(&body, alg, 10);
    }
    sd_seq(&tbs, 0x30, &body);
    if (o->signer_ec) {
        EVP_MD_CTX *m = EVP_MD_CTX_new();
        siglen = sizeof(sig);
        ck_assert(EVP_DigestSignInit(m, NULL, EVP_sha256(), NULL, who->key) == 1);
        ck_assert(EVP_DigestSign(m, sig, &siglen, tbs.p, tbs.n) == 1);
        EVP_MD_CTX_free(m);
    } else {
        siglen = sd_sm2_sign(who, tbs.p, tbs.n, o->raw, sig);
    }
    body.n = 0;
    sd_put(&body, tbs.p, tbs.n);
    if (!o->v1) {
        sd_tlv(&body, 0x04, who->cert_der, (size_t)who->cert_len);
        sd_put(&body, alg, 10);
    }
    bits(&body, sig, siglen);
    if (o->timestamp) {
        buf ts = {0};
        bits(&ts, TOKEN, sizeof(TOKEN));
        sd_seq(&body, 0xa0, &ts);
    }
    sd_seq(&whole, 0x30, &body);
    *out = whole;
}

/* Each test: an SM2 seal maker, a holder (the signer), a context. */
static fixture maker, holder;
static seal_ctx *ctx;

static void setup(void)
{
    sd_make_maker(&maker);
    sd_make_maker(&holder);
    ck_assert_int_eq(seal_ctx_new(&ctx), SEAL_OK);
}

static void teardown(void)
{
    seal_ctx_free(ctx);
    sd_free_maker(&maker);
    sd_free_maker(&holder);
}

START_TEST(v4_with_timestamp)
{
    seal__ses_sig *s = NULL;
    buf seal = {0}, ses;
    size_t n;
    seal_eseal_info ei;

    sd_make_seal(&seal, &maker, &holder, 0, "20260101000000Z", 0, 0);
    make_ses(&ses, &seal, &holder, &(ses_opts){.timestamp = 1});
    ck_assert_int_eq(seal__ses_sig_parse(ctx, ses.p, ses.n, &s), SEAL_OK);
    ck_assert_int_eq(seal__ses_sig_version(s), 4);
    ck_assert_int_eq(seal_eseal_get_info(seal__ses_sig_eseal(s), &ei), SEAL_OK);
    ck_assert_str_eq(ei.name, "单位测试章");
    ck_assert_int_eq(X509_cmp(seal__ses_sig_signer(s), holder.cert), 0);
    const unsigned char *h = seal__ses_sig_data_hash(s, &n);
    ck_assert_uint_eq(n, 32);
    ck_assert_mem_eq(h, doc_hash(0), 32);
    ck_assert_str_eq(seal__ses_sig_property(s), "/ByteRange [0 10 20 30]");
    ck_assert_int_eq(seal__ses_sig_time(s), 1767225600LL);
    ck_assert_str_eq(seal__ses_sig_algorithm(s), "SM2-with-SM3");
    const unsigned char *ts = seal__ses_sig_timestamp(s, &n);
    ck_assert_uint_eq(n, sizeof(TOKEN));
    ck_assert_mem_eq(ts, TOKEN, sizeof(TOKEN));
    ck_assert_int_eq(seal__ses_sig_verify(s), 1);
    seal__ses_sig_free(s);

    /* One byte of dataHash changed: it reads, the signature fails. */
    unsigned char *p = memmem(ses.p, ses.n, doc_hash(0), 32);
    ck_assert_ptr_nonnull(p);
    p[5] ^= 1;
    ck_assert_int_eq(seal__ses_sig_parse(ctx, ses.p, ses.n, &s), SEAL_OK);
    ck_assert_int_eq(seal__ses_sig_verify(s), 0);
    seal__ses_sig_free(s);
    /* Without a time-stamp: none reported. */
    make_ses(&ses, &seal, &holder, &(ses_opts){.raw = 1});
    ck_assert_int_eq(seal__ses_sig_parse(ctx, ses.p, ses.n, &s), SEAL_OK);
    ck_assert_ptr_null(seal__ses_sig_timestamp(s, &n));
    ck_assert_int_eq(seal__ses_sig_verify(s), 1);
    seal__ses_sig_free(s);
}
END_TEST

START_TEST(v1_tolerant)
{
    seal__ses_sig *s = NULL;
    buf seal = {0}, ses;
    size_t n;

    sd_make_seal(&seal, &maker, &holder, 1, "260101000000Z", 0, 0);
    make_ses(&ses, &seal, &holder, &(ses_opts){.v1 = 1, .raw = 1, .trim_hash = 1});
    ck_assert_int_eq(seal__ses_sig_parse(ctx, ses.p, ses.n, &s), SEAL_OK);
    ck_assert_int_eq(seal__ses_sig_version(s), 1);
    ck_assert_int_eq(seal__ses_sig_time(s), 1579937516LL);
    const unsigned char *h = seal__ses_sig_data_hash(s, &n);
    ck_assert_uint_eq(n, 32);
    ck_assert_mem_eq(h, doc_hash(1), 32);
    ck_assert_int_eq(X509_cmp(seal__ses_sig_signer(s), holder.cert), 0);
    ck_assert_int_eq(seal__ses_sig_verify(s), 1);
    seal__ses_sig_free(s);
}
END_TEST

START_TEST(ecdsa_signer)
{
    fixture ec;
    seal__ses_sig *s = NULL;
    buf seal = {0}, ses;

    sd_make_maker(&ec);
    EVP_PKEY_free(ec.key);
    ec.key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    X509_set_pubkey(ec.cert, ec.key);
    X509_sign(ec.cert, ec.key, EVP_sha256());
    OPENSSL_free(ec.cert_der);
    ec.cert_der = NULL;
    ec.cert_len = i2d_X509(ec.cert, &ec.cert_der);
    sd_make_seal(&seal, &maker, &holder, 0, "20260101000000Z", 0, 0);
    make_ses(&ses, &seal, &holder, &(ses_opts){.signer_ec = &ec});
    ck_assert_int_eq(seal__ses_sig_parse(ctx, ses.p, ses.n, &s), SEAL_OK);
    ck_assert_str_eq(seal__ses_sig_algorithm(s), "ecdsa-with-SHA256");
    ck_assert_int_eq(seal__ses_sig_verify(s), 1);
    seal__ses_sig_free(s);
    sd_free_maker(&ec);
}
END_TEST

START_TEST(malformed)
{
    seal__ses_sig *s = NULL;
    buf seal = {0}, ses;

    sd_make_seal(&seal, &maker, &holder, 0, "20260101000000Z", 0, 0);
    make_ses(&ses, &seal, &holder, &(ses_opts){0});
    ses.p[ses.n++] = 0;
    ck_assert_int_eq(seal__ses_sig_parse(ctx, ses.p, ses.n, &s), SEAL_ERR_INPUT);
    ck_assert_ptr_null(s);
    ck_assert_str_eq(seal_ctx_message(ctx),
                     "not a GB/T 38540 electronic signature: bad not a DER SEQUENCE (SES_Signature)");
    ck_assert_int_eq(seal__ses_sig_parse(ctx, ses.p, ses.n - 20, &s), SEAL_ERR_INPUT);
    /* A CMS is not an SES_Signature. */
    static const unsigned char cms[] = {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7,
                                        0x0d, 0x01, 0x07, 0x02, 0xa0, 0x00};
    ck_assert_int_eq(seal__ses_sig_parse(ctx, cms, sizeof(cms), &s), SEAL_ERR_INPUT);
    ck_assert_str_eq(seal_ctx_message(ctx), "not a GB/T 38540 electronic signature: bad TBS_Sign");
    static const unsigned char three[] = {0x30, 0x09, 0x02, 0x01, 0x04, 0x02, 0x01, 0x04, 0x02, 0x01, 0x04};
    ck_assert_int_eq(seal__ses_sig_parse(ctx, three, sizeof(three), &s), SEAL_ERR_INPUT);
    ck_assert_str_eq(seal_ctx_message(ctx), "not a GB/T 38540 electronic signature: bad SES_Signature has "
                                            "neither the GM/T 0031 (2) nor the GB/T 38540 (4) fields");
    /* The seal inside cut short: its own reason. */
    seal.n = 0;
    sd_make_seal(&seal, &maker, &holder, 0, "20260101000000Z", 0, 0);
    unsigned char *name = memmem(seal.p, seal.n, "ES", 2);
    ck_assert_ptr_nonnull(name);
    name[0] = 'X';
    make_ses(&ses, &seal, &holder, &(ses_opts){0});
    ck_assert_int_eq(seal__ses_sig_parse(ctx, ses.p, ses.n, &s), SEAL_ERR_INPUT);
    ck_assert_str_eq(seal_ctx_message(ctx), "the electronic signature's seal cannot be read: not a GB/T 38540 "
                                            "electronic seal: bad SES_Header (ID \"ES\", version, Vid)");
}
END_TEST

/* The writer: a software key as a seal_key holds it. */
START_TEST(make_reads_back)
{
    seal__ses_sig *s = NULL;
    seal_eseal *es = NULL;
    buf seal = {0};
    unsigned char *der = NULL;
    size_t len = 0, n;
    seal_key key;

    sd_make_seal(&seal, &maker, &holder, 0, "20260101000000Z", 0, 0);
    ck_assert_int_eq(seal_eseal_parse(ctx, &es, seal.p, seal.n), SEAL_OK);
    memset(&key, 0, sizeof(key));
    pthread_mutex_init(&key.lock, NULL);
    key.soft = holder.key;
    key.cert = holder.cert;
    ck_assert_int_eq(seal__ses_sig_make(ctx, &key, es, 1772600767LL, doc_hash(0), 32, "/ByteRange [0 1 2 3]", NULL,
                                        &der, &len),
                     SEAL_OK);
    ck_assert_uint_le(len, seal__ses_sig_max_size(&key, es, strlen("/ByteRange [0 1 2 3]")));
    ck_assert_int_eq(seal__ses_sig_parse(ctx, der, len, &s), SEAL_OK);
    ck_assert_int_eq(seal__ses_sig_version(s), 4);
    ck_assert_int_eq(seal__ses_sig_time(s), 1772600767LL);
    ck_assert_str_eq(seal__ses_sig_property(s), "/ByteRange [0 1 2 3]");
    ck_assert_mem_eq(seal__ses_sig_data_hash(s, &n), doc_hash(0), 32);
    ck_assert_int_eq(seal__ses_sig_verify(s), 1);
    /* The seal byte for byte as issued. */
    const unsigned char *inner = seal__eseal_der(seal__ses_sig_eseal(s), &n);
    ck_assert_uint_eq(n, seal.n);
    ck_assert_mem_eq(inner, seal.p, n);
    seal__ses_sig_free(s);
    free(der);
    /* Not an SM2 key: refused, naming the certificate. */
    EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    X509_set_pubkey(holder.cert, ec);
    key.soft = ec;
    ck_assert_int_eq(seal__ses_sig_make(ctx, &key, es, 1772600767LL, doc_hash(0), 32, "p", NULL, &der, &len),
                     SEAL_ERR_CERT);
    ck_assert_str_eq(seal_ctx_message(ctx), "an SES signature (GB/T 38540) needs an SM2 key; CN=maker has another key");
    ck_assert_ptr_null(der);
    EVP_PKEY_free(ec);
    pthread_mutex_destroy(&key.lock);
    seal_eseal_free(es);
}
END_TEST

Suite *suite_ses(void);
Suite *suite_ses(void)
{
    Suite *s = suite_create("ses");
    TCase *tc = tcase_create("ses");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, v4_with_timestamp);
    tcase_add_test(tc, v1_tolerant);
    tcase_add_test(tc, ecdsa_signer);
    tcase_add_test(tc, malformed);
    tcase_add_test(tc, make_reads_back);
    suite_add_tcase(s, tc);
    return s;
}
