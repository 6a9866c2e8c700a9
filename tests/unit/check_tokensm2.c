/*
 * SM2 on tokens (tokensm2.c): the sm2-mechanism= attribute taken out of a
 * pkcs11: URI wherever it stands, and a token's answer (DER or raw r||s)
 * made DER and verified, a wrong one refused. Links the internal archive.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include "keyint.h"
#include "sm2int.h"

static void uri_case(const char *in, const char *want_rest, unsigned long want_mech)
{
    seal_ctx *ctx = NULL;
    char *rest = NULL;
    unsigned long mech = 1;

    ck_assert_int_eq(seal_ctx_new(&ctx), SEAL_OK);
    ck_assert_int_eq(seal__p11_sm2_uri(ctx, in, &rest, &mech), SEAL_OK);
    ck_assert_str_eq(rest, want_rest);
    ck_assert_uint_eq(mech, want_mech);
    free(rest);
    seal_ctx_free(ctx);
}

START_TEST(uri_attribute_anywhere)
{
    uri_case("pkcs11:token=T;object=k", "pkcs11:token=T;object=k", 0);
    uri_case("pkcs11:token=T;sm2-mechanism=0x80008104;object=k", "pkcs11:token=T;object=k",
             0x80008104UL);
    uri_case("pkcs11:token=T;object=k;sm2-mechanism=0x80008104?module-path=/m.so",
             "pkcs11:token=T;object=k?module-path=/m.so", 0x80008104UL);
    uri_case("pkcs11:sm2-mechanism=65538;token=T", "pkcs11:token=T", 0x00010002UL);
    uri_case("pkcs11:sm2-mechanism=65538", "pkcs11:", 0x00010002UL);
    uri_case("pkcs11:token=T?sm2-mechanism=0x8005000B&module-path=/m.so",
             "pkcs11:token=T?module-path=/m.so", 0x8005000BUL);
    uri_case("pkcs11:token=T?module-path=/m.so&sm2-mechanism=0x8005000B",
             "pkcs11:token=T?module-path=/m.so", 0x8005000BUL);
    uri_case("pkcs11:token=T?sm2-mechanism=0x8005000B", "pkcs11:token=T", 0x8005000BUL);
    /* a value that merely contains the name is no attribute */
    uri_case("pkcs11:object=xsm2-mechanism=5", "pkcs11:object=xsm2-mechanism=5", 0);
}
END_TEST

START_TEST(uri_attribute_errors)
{
    static const char *bad[] = {"pkcs11:sm2-mechanism=", "pkcs11:sm2-mechanism=sansec",
                                "pkcs11:sm2-mechanism=0x", "pkcs11:sm2-mechanism=0",
                                "pkcs11:sm2-mechanism=-1", "pkcs11:sm2-mechanism=0x1FFFFFFFF",
                                "pkcs11:sm2-mechanism=1;sm2-mechanism=2"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        seal_ctx *ctx = NULL;
        char *rest = NULL;
        unsigned long mech = 0;
        ck_assert_int_eq(seal_ctx_new(&ctx), SEAL_OK);
        ck_assert_msg(seal__p11_sm2_uri(ctx, bad[i], &rest, &mech) == SEAL_ERR_ARGS, "%s", bad[i]);
        ck_assert_ptr_null(rest);
        ck_assert_ptr_nonnull(strstr(seal_ctx_message(ctx), "sm2-mechanism="));
        seal_ctx_free(ctx);
    }
}
END_TEST

START_TEST(token_result_forms)
{
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "SM2");
    unsigned char e[32], raw[64], *der = NULL, *out = NULL;
    const unsigned char *p;
    size_t derlen = 0, outlen = 0;
    ECDSA_SIG *sig;
    seal_ctx *ctx = NULL;

    ck_assert_ptr_nonnull(key);
    ck_assert_int_eq(seal_ctx_new(&ctx), SEAL_OK);
    for (int i = 0; i < 32; i++)
        e[i] = (unsigned char)(i * 7 + 1);
    ck_assert(seal__sm2_sign_digest(key, e, &der, &derlen));
    p = der;
    sig = d2i_ECDSA_SIG(NULL, &p, (long)derlen);
    ck_assert_ptr_nonnull(sig);
    BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw, 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw + 32, 32);
    ECDSA_SIG_free(sig);

    /* DER and raw r||s both come back as the same strict DER */
    ck_assert_int_eq(seal__sm2_token_result(ctx, "token 'T'", key, e, der, derlen, &out, &outlen),
                     SEAL_OK);
    ck_assert_uint_eq(outlen, derlen);
    ck_assert_mem_eq(out, der, derlen);
    free(out);
    ck_assert_int_eq(seal__sm2_token_result(ctx, "token 'T'", key, e, raw, 64, &out, &outlen),
                     SEAL_OK);
    ck_assert_mem_eq(out, der, derlen);
    free(out);

    /* signed over something else: refused, nothing returned */
    e[0] ^= 1;
    ck_assert_int_eq(seal__sm2_token_result(ctx, "token 'T'", key, e, raw, 64, &out, &outlen),
                     SEAL_ERR_TOKEN);
    ck_assert_ptr_null(out);
    ck_assert_ptr_nonnull(strstr(seal_ctx_message(ctx), "token 'T' returned an SM2 signature "
                                                        "that does not verify with its certificate"));
    /* neither DER nor 64 bytes */
    ck_assert_int_eq(seal__sm2_token_result(ctx, "token 'T'", key, e, raw, 63, &out, &outlen),
                     SEAL_ERR_TOKEN);
    ck_assert_str_eq(seal_ctx_message(ctx), "token 'T' returned 63 bytes that are neither a DER "
                                            "SM2 signature nor a raw 64-byte r||s");
    free(der);
    EVP_PKEY_free(key);
    seal_ctx_free(ctx);
}
END_TEST

Suite *suite_tokensm2(void);
Suite *suite_tokensm2(void)
{
    Suite *s = suite_create("tokensm2");
    TCase *tc = tcase_create("tokensm2");
    tcase_add_test(tc, uri_attribute_anywhere);
    tcase_add_test(tc, uri_attribute_errors);
    tcase_add_test(tc, token_result_forms);
    suite_add_tcase(s, tc);
    return s;
}
