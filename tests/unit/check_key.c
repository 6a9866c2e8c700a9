/*
 * Keys: the SoftHSM2 token made by the fixtures, PKCS#12, token listing.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static seal_ctx *ctx;

static void setup(void)
{
    ck_assert_int_eq(seal_ctx_new(&ctx), SEAL_OK);
}

static void teardown(void)
{
    seal_ctx_free(ctx);
}

static seal_status open_key(const char *uri, const char *pinfile, seal_key **key)
{
    seal_key_options o = SEAL_KEY_OPTIONS_INIT;
    o.pin_cb = pin_from_file;
    o.pin_user = (void *)pinfile;
    return seal_key_open(ctx, key, uri, &o);
}

START_TEST(token_rsa_key_opens)
{
    seal_key *key = NULL;
    seal_cert_info ci;
    ck_assert_int_eq(open_key(token_uri("company"), "pin.txt", &key), SEAL_OK);
    ck_assert_int_eq(seal_key_cert(ctx, key, &ci), SEAL_OK);
    ck_assert_str_eq(ci.common_name, "某某建设工程有限公司 company-seal");
    ck_assert_str_eq(ci.key_type, "RSA-2048");
    ck_assert_uint_eq(ci.key_usage & (SEAL_KU_DIGITAL_SIGNATURE | SEAL_KU_NON_REPUDIATION),
                      SEAL_KU_DIGITAL_SIGNATURE | SEAL_KU_NON_REPUDIATION);
    ck_assert_int_gt(ci.days_left, 300);
    seal_key_free(key);
}
END_TEST

START_TEST(token_ec_key_opens)
{
    seal_key *key = NULL;
    seal_cert_info ci;
    ck_assert_int_eq(open_key(token_uri("legalrep"), "pin.txt", &key), SEAL_OK);
    ck_assert_int_eq(seal_key_cert(ctx, key, &ci), SEAL_OK);
    ck_assert_str_eq(ci.common_name, "张三");
    ck_assert_str_eq(ci.key_type, "EC-prime256v1");
    seal_key_free(key);
}
END_TEST

START_TEST(wrong_pin_is_reported_not_retried)
{
    seal_key *key = NULL;
    ck_assert_int_eq(open_key(token_uri("company"), "badpin.txt", &key), SEAL_ERR_PIN_INCORRECT);
    ck_assert_ptr_null(key);
    ck_assert_ptr_nonnull(strstr(seal_ctx_message(ctx), "wrong PIN for token 'SealToken'"));
    /* SoftHSM keeps the token usable: the right PIN still works. */
    ck_assert_int_eq(open_key(token_uri("company"), "pin.txt", &key), SEAL_OK);
    seal_key_free(key);
}
END_TEST

START_TEST(encryption_certificate_refused)
{
    seal_key *key = NULL;
    ck_assert_int_eq(open_key(token_uri("encryption"), "pin.txt", &key), SEAL_ERR_CERT);
    ck_assert_ptr_nonnull(strstr(seal_ctx_message(ctx), "is for encryption only"));
}
END_TEST

START_TEST(expired_certificate_refused)
{
    seal_key *key = NULL;
    ck_assert_int_eq(open_key(token_uri("expired"), "pin.txt", &key), SEAL_ERR_CERT);
    ck_assert_ptr_nonnull(strstr(seal_ctx_message(ctx), "expired on"));
}
END_TEST

static char warned[1024];
static void keep_warning(void *user, const char *msg)
{
    (void)user;
    snprintf(warned, sizeof(warned), "%s", msg);
}

START_TEST(expiring_certificate_warns)
{
    seal_key *key = NULL;
    warned[0] = 0;
    seal_ctx_set_warning_cb(ctx, keep_warning, NULL);
    ck_assert_int_eq(open_key(token_uri("expiring"), "pin.txt", &key), SEAL_OK);
    ck_assert_ptr_nonnull(strstr(warned, "expires on"));
    seal_key_free(key);
}
END_TEST

START_TEST(ambiguous_uri_refused)
{
    seal_key *key = NULL;
    const char *msg;
    ck_assert_int_eq(open_key("pkcs11:token=SealToken?module-path=/usr/lib/softhsm/libsofthsm2.so",
                              "pin.txt", &key),
                     SEAL_ERR_KEY_NOT_FOUND);
    ck_assert_ptr_null(key);
    msg = seal_ctx_message(ctx);
    ck_assert_ptr_nonnull(strstr(msg, "matches 4 signing keys on token 'SealToken'"));
    ck_assert_ptr_nonnull(strstr(msg, "CN=张三,O=某某建设工程有限公司,C=CN, usage sign: --key "
                                      "'pkcs11:token=SealToken;object=legalrep?module-path="
                                      "/usr/lib/softhsm/libsofthsm2.so'"));
    ck_assert_ptr_nonnull(strstr(msg, "object=company?"));
    ck_assert_ptr_null(strstr(msg, "object=encryption"));
}
END_TEST

/* A token holding only the signer's certificate: the chain comes from
 * the chain file; without it, a warning names the missing issuer. */
START_TEST(chain_completed_or_issuer_named)
{
    seal_key *key = NULL;
    seal_key_options o = SEAL_KEY_OPTIONS_INIT;
    char uri[512];
    o.pin_cb = pin_from_file;
    o.pin_user = (void *)"pin.txt";
    snprintf(uri, sizeof(uri), "pkcs11:token=BareToken;object=bare?module-path=%s",
             "/usr/lib/softhsm/libsofthsm2.so");
    warned[0] = 0;
    seal_ctx_set_warning_cb(ctx, keep_warning, NULL);
    o.chain_path = fx("chain.pem");
    ck_assert_int_eq(seal_key_open(ctx, &key, uri, &o), SEAL_OK);
    ck_assert_str_eq(warned, "");
    seal_key_free(key);
    o.chain_path = NULL;
    ck_assert_int_eq(seal_key_open(ctx, &key, uri, &o), SEAL_OK);
    ck_assert_ptr_nonnull(strstr(warned, "the issuer 'CN=libseal Test Signing CA,O=libseal test PKI,"
                                         "C=CN' was not found"));
    seal_key_free(key);
}
END_TEST

START_TEST(unknown_token_and_key)
{
    seal_key *key = NULL;
    ck_assert_int_eq(open_key("pkcs11:token=Nope?module-path=/usr/lib/softhsm/libsofthsm2.so",
                              "pin.txt", &key),
                     SEAL_ERR_TOKEN);
    ck_assert_ptr_nonnull(strstr(seal_ctx_message(ctx), "no token matches"));
    ck_assert_int_eq(open_key(token_uri("nosuchkey"), "pin.txt", &key), SEAL_ERR_KEY_NOT_FOUND);
    ck_assert_int_eq(open_key("pkcs11:token=SealToken?module-path=/nonexistent/module.so",
                              "pin.txt", &key),
                     SEAL_ERR_TOKEN);
    ck_assert_int_eq(open_key("file:/etc/passwd", "pin.txt", &key), SEAL_ERR_ARGS);
}
END_TEST

START_TEST(pin_value_in_uri_refused)
{
    seal_key *key = NULL;
    ck_assert_int_eq(open_key("pkcs11:token=SealToken;object=company?pin-value=123456&"
                              "module-path=/usr/lib/softhsm/libsofthsm2.so",
                              "pin.txt", &key),
                     SEAL_ERR_ARGS);
    ck_assert_ptr_nonnull(strstr(seal_ctx_message(ctx), "never goes on the command line"));
}
END_TEST

START_TEST(pin_source_file_in_uri)
{
    seal_key *key = NULL;
    char uri[1024];
    snprintf(uri, sizeof(uri),
             "pkcs11:token=SealToken;object=company?module-path=/usr/lib/softhsm/libsofthsm2.so&"
             "pin-source=file:%s",
             fx("pin.txt"));
    ck_assert_int_eq(seal_key_open(ctx, &key, uri, NULL), SEAL_OK);
    seal_key_free(key);
}
END_TEST

START_TEST(p12_password)
{
    seal_key *key = NULL;
    char uri[1024];
    snprintf(uri, sizeof(uri), "p12:%s", fx("signer.p12"));
    ck_assert_int_eq(open_key(uri, "badpin.txt", &key), SEAL_ERR_PIN_INCORRECT);
    ck_assert_ptr_nonnull(strstr(seal_ctx_message(ctx), "wrong password for signer.p12"));
    ck_assert_int_eq(open_key(uri, "p12pass.txt", &key), SEAL_OK);
    seal_cert_info ci;
    seal_key_cert(ctx, key, &ci);
    ck_assert_str_eq(ci.common_name, "李四");
    seal_key_free(key);
    snprintf(uri, sizeof(uri), "p12:%s", fx("pdf/one.pdf"));
    ck_assert_int_eq(open_key(uri, "p12pass.txt", &key), SEAL_ERR_INPUT);
}
END_TEST

START_TEST(token_listing)
{
    seal_token_list *list = NULL;
    int found = 0;
    ck_assert_int_eq(seal_token_list_load(ctx, &list, "/usr/lib/softhsm/libsofthsm2.so"), SEAL_OK);
    for (size_t i = 0; i < seal_token_list_count(list); i++) {
        seal_token_info t;
        ck_assert_int_eq(seal_token_list_get(list, i, &t), SEAL_OK);
        if (strcmp(t.label, "SealToken"))
            continue;
        found = 1;
        ck_assert_uint_ne(t.flags & SEAL_TOKEN_LOGIN_REQUIRED, 0);
        ck_assert_uint_ge(t.cert_count, 5);
        int enc = 0;
        for (size_t j = 0; j < t.cert_count; j++) {
            seal_cert_info ci;
            ck_assert_int_eq(seal_token_list_cert(list, i, j, &ci), SEAL_OK);
            /* Keys carry the URI that selects them; CA certificates none. */
            if (ci.object_label && !strcmp(ci.object_label, "company"))
                ck_assert_str_eq(ci.key_uri, "pkcs11:token=SealToken;object=company?module-path="
                                             "/usr/lib/softhsm/libsofthsm2.so");
            if (ci.object_label && !strncmp(ci.object_label, "libseal", 7))
                ck_assert_ptr_null(ci.key_uri);
            if (ci.object_label && !strcmp(ci.object_label, "encryption")) {
                enc = 1;
                ck_assert_uint_eq(ci.key_usage & SEAL_KU_DIGITAL_SIGNATURE, 0);
                ck_assert_uint_ne(ci.key_usage & SEAL_KU_KEY_ENCIPHERMENT, 0);
            }
        }
        ck_assert(enc);
        ck_assert_int_eq(seal_token_list_cert(list, i, t.cert_count, NULL), SEAL_ERR_ARGS);
    }
    ck_assert(found);
    seal_token_list_free(list);
    ck_assert_int_eq(seal_token_list_load(ctx, &list, "/nonexistent.so"), SEAL_ERR_TOKEN);
}
END_TEST

Suite *suite_key(void);
Suite *suite_key(void)
{
    Suite *s = suite_create("key");
    TCase *tc = tcase_create("token");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, token_rsa_key_opens);
    tcase_add_test(tc, token_ec_key_opens);
    tcase_add_test(tc, wrong_pin_is_reported_not_retried);
    tcase_add_test(tc, encryption_certificate_refused);
    tcase_add_test(tc, expired_certificate_refused);
    tcase_add_test(tc, expiring_certificate_warns);
    tcase_add_test(tc, ambiguous_uri_refused);
    tcase_add_test(tc, chain_completed_or_issuer_named);
    tcase_add_test(tc, unknown_token_and_key);
    tcase_add_test(tc, pin_value_in_uri_refused);
    tcase_add_test(tc, pin_source_file_in_uri);
    tcase_add_test(tc, p12_password);
    tcase_add_test(tc, token_listing);
    suite_add_tcase(s, tc);
    return s;
}
