/*
 * SM2/SM3 internals (sm2.c): GM/T 0003.5 Annex A known answers (Z, e, r,
 * s), signature value normalisation, the raw sign/verify of e, the
 * distinguishing ID on certificates. Links the internal archive.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/cms.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include "keyint.h"
#include "sm2int.h"

/* GM/T 0003.5-2012 Annex A (= GB/T 32918.5-2017 Annex A), signature over
 * "message digest" with ID 1234567812345678 on the recommended curve. */
static const char *KAT_D = "3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8";
static const char *KAT_X = "09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020";
static const char *KAT_Y = "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13";
static const char *KAT_Z = "B2E14C5C79C6DF5B85F4FE7ED8DB7A262B9DA7E07CCB0EA9F4747B8CCDA8A4F3";
static const char *KAT_E = "F0B43E94BA45ACCAACE692ED534382EB17E6AB5A19CE7B31F4486FDFC0D28640";
static const char *KAT_R = "F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3";
static const char *KAT_S = "B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA";
static const char *KAT_MSG = "message digest";

static size_t unhex(const char *h, unsigned char *out)
{
    size_t n = strlen(h) / 2;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(h + 2 * i, "%2x", &v);
        out[i] = (unsigned char)v;
    }
    return n;
}

/* The Annex A key, with or without its private half. */
static EVP_PKEY *kat_key(const char *type, int with_priv)
{
    unsigned char pub[65], d[32];
    BIGNUM *priv;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params;
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    EVP_PKEY *pk = NULL;

    pub[0] = 4;
    unhex(KAT_X, pub + 1);
    unhex(KAT_Y, pub + 33);
    unhex(KAT_D, d);
    priv = BN_bin2bn(d, 32, NULL);
    ck_assert(OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "SM2", 0));
    ck_assert(OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub)));
    if (with_priv)
        ck_assert(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv));
    params = OSSL_PARAM_BLD_to_param(bld);
    ck_assert_int_gt(EVP_PKEY_fromdata_init(pc), 0);
    ck_assert_int_gt(EVP_PKEY_fromdata(pc, &pk, with_priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
                                       params),
                     0);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    EVP_PKEY_CTX_free(pc);
    BN_free(priv);
    return pk;
}

/* The Annex A (r, s) as DER. */
static size_t kat_sig_der(unsigned char *out)
{
    unsigned char raw[64], *der = NULL;
    size_t len = 0;
    unhex(KAT_R, raw);
    unhex(KAT_S, raw + 32);
    ck_assert(seal__sm2_sig_to_der(raw, 64, &der, &len));
    memcpy(out, der, len);
    free(der);
    return len;
}

START_TEST(kat_z_and_e)
{
    EVP_PKEY *pk = kat_key("SM2", 0);
    unsigned char z[32], e[32], want[32];

    ck_assert(seal__sm2_is_key(pk));
    ck_assert(seal__sm2_z(pk, z));
    unhex(KAT_Z, want);
    ck_assert_mem_eq(z, want, 32);
    ck_assert(seal__sm2_digest(pk, (const unsigned char *)KAT_MSG, strlen(KAT_MSG), e));
    unhex(KAT_E, want);
    ck_assert_mem_eq(e, want, 32);
    EVP_PKEY_free(pk);
}
END_TEST

START_TEST(kat_r_s_verify)
{
    EVP_PKEY *pk = kat_key("SM2", 0);
    unsigned char e[32], sig[80], raw[64];
    size_t len = kat_sig_der(sig);

    unhex(KAT_E, e);
    ck_assert_uint_eq(len, 2 + 2 + 33 + 2 + 33); /* r and s both have the top bit set */
    ck_assert(seal__sm2_verify_digest(pk, e, sig, len));
    ck_assert(seal__sm2_verify_msg(pk, (const unsigned char *)KAT_MSG, strlen(KAT_MSG), sig, len));
    unhex(KAT_R, raw);
    unhex(KAT_S, raw + 32);
    ck_assert(seal__sm2_verify_msg(pk, (const unsigned char *)KAT_MSG, strlen(KAT_MSG), raw, 64));
    /* A changed message, a changed e, a changed s: refused. */
    ck_assert(!seal__sm2_verify_msg(pk, (const unsigned char *)"message digesT", 14, sig, len));
    e[31] ^= 1;
    ck_assert(!seal__sm2_verify_digest(pk, e, sig, len));
    e[31] ^= 1;
    sig[len - 1] ^= 1;
    ck_assert(!seal__sm2_verify_digest(pk, e, sig, len));
    EVP_PKEY_free(pk);
}
END_TEST

START_TEST(spki_ec_public_key_on_sm2_curve)
{
    /* A SubjectPublicKeyInfo says id-ecPublicKey with the SM2 curve, as
     * every SM2 certificate does: it is an SM2 key for Z and verification. */
    EVP_PKEY *priv = kat_key("SM2", 1), *pk;
    unsigned char *spki = NULL, z[32], want[32], e[32], sig[80], *der = NULL;
    const unsigned char *p;
    size_t len = kat_sig_der(sig), derlen = 0;
    int n = i2d_PUBKEY(priv, &spki);

    ck_assert_int_gt(n, 0);
    ck_assert(memmem(spki, (size_t)n, "\x06\x07\x2a\x86\x48\xce\x3d\x02\x01", 9)); /* ecPublicKey */
    ck_assert(memmem(spki, (size_t)n, "\x06\x08\x2a\x81\x1c\xcf\x55\x01\x82\x2d", 10)); /* sm2 */
    p = spki;
    pk = d2i_PUBKEY(NULL, &p, n);
    ck_assert_ptr_nonnull(pk);
    ck_assert(seal__sm2_is_key(pk));
    ck_assert(seal__sm2_z(pk, z));
    unhex(KAT_Z, want);
    ck_assert_mem_eq(z, want, 32);
    unhex(KAT_E, e);
    ck_assert(seal__sm2_verify_digest(pk, e, sig, len));
    ck_assert(seal__sm2_sign_digest(priv, e, &der, &derlen));
    ck_assert(seal__sm2_verify_digest(pk, e, der, derlen));
    free(der);
    OPENSSL_free(spki);
    EVP_PKEY_free(pk);
    EVP_PKEY_free(priv);
}
END_TEST

START_TEST(sign_digest_round_trip)
{
    EVP_PKEY *priv = kat_key("SM2", 1), *pub = kat_key("SM2", 0);
    unsigned char e[32], *der = NULL, *again = NULL;
    size_t derlen = 0, againlen = 0;

    ck_assert(seal__sm2_digest(pub, (const unsigned char *)"x", 1, e));
    ck_assert(seal__sm2_sign_digest(priv, e, &der, &derlen));
    ck_assert(seal__sm2_verify_digest(pub, e, der, derlen));
    /* Strict DER comes back unchanged. */
    ck_assert(seal__sm2_sig_to_der(der, derlen, &again, &againlen));
    ck_assert_uint_eq(againlen, derlen);
    ck_assert_mem_eq(again, der, derlen);
    ck_assert(seal__sm2_verify_msg(pub, (const unsigned char *)"x", 1, der, derlen));
    ck_assert(!seal__sm2_verify_msg(pub, (const unsigned char *)"y", 1, der, derlen));
    free(der);
    free(again);
    EVP_PKEY_free(priv);
    EVP_PKEY_free(pub);
}
END_TEST

START_TEST(not_sm2_keys)
{
    EVP_PKEY *rsa = EVP_RSA_gen(1024), *p256 = EVP_EC_gen("P-256");
    unsigned char z[32];
    ck_assert(!seal__sm2_is_key(NULL));
    ck_assert(!seal__sm2_is_key(rsa));
    ck_assert(!seal__sm2_is_key(p256));
    ck_assert(!seal__sm2_z(p256, z));
    EVP_PKEY_free(rsa);
    EVP_PKEY_free(p256);
}
END_TEST

/* seal__sm2_sig_to_der on in (hex): expected strict DER (hex) or NULL
 * when refused, and the form it reports. */
static void check_norm(const char *in_hex, const char *want_hex, int want_raw)
{
    unsigned char in[200], want[200], *der = NULL;
    size_t inlen = unhex(in_hex, in), derlen = 0;
    int raw = -1;
    int ok = seal__sm2_sig_to_der_ex(in, inlen, &der, &derlen, &raw);
    if (!want_hex) {
        ck_assert_msg(!ok, "accepted %s", in_hex);
        return;
    }
    ck_assert_msg(ok, "refused %s", in_hex);
    ck_assert_uint_eq(derlen, unhex(want_hex, want));
    ck_assert_mem_eq(der, want, derlen);
    ck_assert_int_eq(raw, want_raw);
    free(der);
}

START_TEST(sig_forms)
{
    const char *strict = "3006020101020102";
    check_norm(strict, strict, 0);
    /* non-minimal INTEGERs (leading zeros), long-form lengths */
    check_norm("30080202000102020002", strict, 2);
    check_norm("308106020101020102", strict, 2);
    check_norm("300702810101020102", strict, 2);
    /* a missing sign octet: the value is read as unsigned */
    check_norm("3006020180020102", "300702020080020102", 2);
    /* trailing garbage, truncation, wrong tags, zero values: refused */
    check_norm("300602010102010200", NULL, 0);
    check_norm("30060201010201", NULL, 0);
    check_norm("3106020101020102", NULL, 0);
    check_norm("3006020100020102", NULL, 0);
    check_norm("", NULL, 0);
    /* raw r||s */
    check_norm("0000000000000000000000000000000000000000000000000000000000000001"
               "0000000000000000000000000000000000000000000000000000000000000002",
               strict, 1);
    /* 63 or 65 bytes of raw: refused */
    check_norm("00000000000000000000000000000000000000000000000000000000000001"
               "0000000000000000000000000000000000000000000000000000000000000002",
               NULL, 0);
    /* more than 32 significant bytes in an INTEGER: refused */
    check_norm("302502210100000000000000000000000000000000000000000000000000000000000000"
               "00020102",
               NULL, 0);
}
END_TEST

/* A self-signed certificate of key, signed with SM2 (and the ID) or with
 * the given digest otherwise. */
static X509 *make_cert(EVP_PKEY *key, int sm2)
{
    X509 *x = X509_new();
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                               (const unsigned char *)"t", -1, -1, 0);
    X509_set_issuer_name(x, X509_get_subject_name(x));
    X509_gmtime_adj(X509_getm_notBefore(x), -60);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_set_pubkey(x, key);
    if (sm2) {
        pctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
        ck_assert_int_gt(EVP_PKEY_CTX_set1_id(pctx, SEAL_SM2_ID, SEAL_SM2_ID_LEN), 0);
        EVP_MD_CTX_set_pkey_ctx(mctx, pctx);
    }
    ck_assert_int_gt(EVP_DigestSignInit(mctx, NULL, sm2 ? EVP_sm3() : EVP_sha256(), NULL, key), 0);
    ck_assert_int_gt(X509_sign_ctx(x, mctx), 0);
    EVP_MD_CTX_free(mctx);
    EVP_PKEY_CTX_free(pctx);
    return x;
}

START_TEST(id_on_sm2_signed_certificates_only)
{
    EVP_PKEY *sm2 = kat_key("SM2", 1), *p256 = EVP_EC_gen("P-256");
    X509 *a = make_cert(sm2, 1), *b = make_cert(p256, 0);
    STACK_OF(X509) *sk = sk_X509_new_null();
    sk_X509_push(sk, a);
    sk_X509_push(sk, b);

    /* Without the ID OpenSSL 3.0 checks over an empty one and fails. */
    ck_assert_int_ne(X509_verify(a, sm2), 1);
    ERR_clear_error();
    seal__sm2_set_ids(sk);
    ck_assert_ptr_nonnull(X509_get0_distinguishing_id(a));
    ck_assert_ptr_null(X509_get0_distinguishing_id(b));
    ck_assert_int_eq(X509_verify(a, sm2), 1);
    ck_assert_int_eq(X509_verify(b, p256), 1);
    sk_X509_pop_free(sk, X509_free);
    EVP_PKEY_free(sm2);
    EVP_PKEY_free(p256);
}
END_TEST

/* A detached SignedData with signed attributes made by OpenSSL (RSA: it
 * cannot sign SM2), as DER. */
static unsigned char *rsa_cms(size_t *len)
{
    EVP_PKEY *rsa = EVP_RSA_gen(2048);
    X509 *x = make_cert(rsa, 0);
    BIO *in = BIO_new_mem_buf("content", 7);
    CMS_ContentInfo *cms = CMS_sign(x, rsa, NULL, in, CMS_DETACHED | CMS_BINARY);
    unsigned char *der = NULL;
    int n;

    ck_assert_ptr_nonnull(cms);
    n = i2d_CMS_ContentInfo(cms, &der);
    ck_assert_int_gt(n, 0);
    *len = (size_t)n;
    CMS_ContentInfo_free(cms);
    BIO_free(in);
    X509_free(x);
    EVP_PKEY_free(rsa);
    return der;
}

START_TEST(cms_signed_attrs_as_received)
{
    size_t len = 0, rawlen = 0, relen = 0, used = 0;
    unsigned char *der = rsa_cms(&len), *raw = NULL, *re = NULL;
    const unsigned char *p = der;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
    CMS_SignerInfo *si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
    int gm = -1;

    /* For a DER CMS the bytes as received are the re-encoding. */
    ck_assert(seal__cms_raw_signed_attrs(der, len, &raw, &rawlen));
    ck_assert(seal__cms_signed_attrs_der(si, &re, &relen));
    ck_assert_uint_eq(rawlen, relen);
    ck_assert_mem_eq(raw, re, rawlen);
    ck_assert_int_eq(raw[0], 0x31);
    free(raw);
    free(re);
    /* Cut short or not a CMS: nothing. */
    ck_assert(!seal__cms_raw_signed_attrs(der, len / 2, &raw, &rawlen));
    ck_assert(!seal__cms_raw_signed_attrs((const unsigned char *)"\x30\x03\x02\x01\x01", 5, &raw,
                                          &rawlen));
    CMS_ContentInfo_free(cms);
    cms = seal__cms_parse_any(der, len, &used, &gm);
    ck_assert_ptr_nonnull(cms);
    ck_assert_uint_eq(used, len);
    ck_assert_int_eq(gm, 0);
    CMS_ContentInfo_free(cms);
    OPENSSL_free(der);
}
END_TEST

START_TEST(gmt_content_info)
{
    /* The same SignedData under the GM/T 0010 signedData type: one byte
     * longer OID, so every enclosing length is re-encoded here. */
    static const unsigned char gm_oid[] = {0x06, 0x0a, 0x2a, 0x81, 0x1c, 0xcf, 0x55,
                                           0x06, 0x01, 0x04, 0x02, 0x02};
    size_t len = 0, used = 0, rawlen = 0;
    unsigned char *der = rsa_cms(&len), *gmder, *raw = NULL;
    const unsigned char *p = der;
    size_t hdr = (der[1] & 0x80) ? 2 + (der[1] & 0x7f) : 2, oidlen = 2 + der[hdr + 1];
    size_t body = len - hdr - oidlen + sizeof(gm_oid), n = 0;
    int gm = 0;
    CMS_ContentInfo *cms;

    ck_assert_int_eq(der[hdr], 0x06);
    gmder = malloc(body + 8);
    gmder[n++] = 0x30;
    gmder[n++] = 0x82;
    gmder[n++] = (unsigned char)(body >> 8);
    gmder[n++] = (unsigned char)body;
    memcpy(gmder + n, gm_oid, sizeof(gm_oid));
    n += sizeof(gm_oid);
    memcpy(gmder + n, der + hdr + oidlen, len - hdr - oidlen);
    n += len - hdr - oidlen;
    cms = seal__cms_parse_any(gmder, n, &used, &gm);
    ck_assert_ptr_nonnull(cms);
    ck_assert_int_eq(gm, 1);
    ck_assert_uint_eq(used, n);
    ck_assert_int_eq(OBJ_obj2nid(CMS_get0_type(cms)), NID_pkcs7_signed);
    ck_assert_int_eq(sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(cms)), 1);
    ck_assert(seal__cms_raw_signed_attrs(gmder, n, &raw, &rawlen));
    free(raw);
    CMS_ContentInfo_free(cms);
    (void)p;
    free(gmder);
    OPENSSL_free(der);
}
END_TEST

START_TEST(sm2_algorithm_identifiers)
{
    const char *yes[] = {"1.2.156.10197.1.501", "1.2.156.10197.1.301.1", "1.2.156.10197.1.301"};
    const char *no[] = {"1.2.840.10045.4.3.2", "1.2.156.10197.1.401", "1.2.156.10197.1.502"};
    for (int i = 0; i < 3; i++) {
        X509_ALGOR *a = X509_ALGOR_new();
        X509_ALGOR_set0(a, OBJ_txt2obj(yes[i], 1), V_ASN1_UNDEF, NULL);
        ck_assert_msg(seal__sm2_sigalg(a), "%s", yes[i]);
        X509_ALGOR_set0(a, OBJ_txt2obj(no[i], 1), V_ASN1_UNDEF, NULL);
        ck_assert_msg(!seal__sm2_sigalg(a), "%s", no[i]);
        X509_ALGOR_free(a);
    }
    ASN1_OBJECT *d = OBJ_txt2obj("1.2.156.10197.6.1.4.2.1", 1), *sd = OBJ_txt2obj("1.2.156.10197.6.1.4.2.2", 1);
    ck_assert(seal__gm_oid_data(d) && !seal__gm_oid_signed(d));
    ck_assert(seal__gm_oid_signed(sd) && !seal__gm_oid_data(sd));
    ASN1_OBJECT_free(d);
    ASN1_OBJECT_free(sd);
}
END_TEST

Suite *suite_sm2(void);
Suite *suite_sm2(void)
{
    Suite *s = suite_create("sm2");
    TCase *tc = tcase_create("sm2");
    tcase_add_test(tc, kat_z_and_e);
    tcase_add_test(tc, kat_r_s_verify);
    tcase_add_test(tc, spki_ec_public_key_on_sm2_curve);
    tcase_add_test(tc, sign_digest_round_trip);
    tcase_add_test(tc, not_sm2_keys);
    tcase_add_test(tc, sig_forms);
    tcase_add_test(tc, id_on_sm2_signed_certificates_only);
    tcase_add_test(tc, cms_signed_attrs_as_received);
    tcase_add_test(tc, gmt_content_info);
    tcase_add_test(tc, sm2_algorithm_identifiers);
    suite_add_tcase(s, tc);
    return s;
}
