/*
 * Sealed bids through the library: recipients, encryption, reading an
 * envelope, keyrings on the fixture token, decryption and its refusals.
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

static seal_keyring *keyring(const char *uri)
{
    seal_key_options o = SEAL_KEY_OPTIONS_INIT;
    seal_keyring *kr = NULL;
    o.pin_cb = pin_from_file;
    o.pin_user = (void *)"pin.txt";
    ck_assert_msg(seal_keyring_open(ctx, &kr, uri, &o) == SEAL_OK, "%s", seal_ctx_message(ctx));
    return kr;
}

/* one.pdf sealed to the token's encryption certificate, in dir. */
static const char *sealed_bid(const char *dir)
{
    static char out[4096];
    seal_recipients *r = NULL;
    snprintf(out, sizeof(out), "%s/one.pdf.p7m", dir);
    ck_assert_int_eq(seal_recipients_new(ctx, &r), SEAL_OK);
    ck_assert_int_eq(seal_recipients_add(ctx, r, fx("certs/encryption.pem"), 0), SEAL_OK);
    ck_assert_msg(seal_encrypt_file(ctx, fx("pdf/one.pdf"), out, r, NULL) == SEAL_OK, "%s",
                  seal_ctx_message(ctx));
    seal_recipients_free(r);
    return out;
}

START_TEST(recipients_take_encryption_certificates_only)
{
    seal_recipients *r = NULL;
    seal_cert_info ci;

    ck_assert_int_eq(seal_recipients_new(ctx, &r), SEAL_OK);
    ck_assert_int_eq(seal_recipients_add(ctx, r, fx("certs/company.pem"), 0), SEAL_ERR_CERT);
    ck_assert_ptr_nonnull(strstr(seal_ctx_message(ctx), "it is a signing certificate, not an "
                                                         "encryption certificate"));
    ck_assert_int_eq(seal_recipients_add(ctx, r, fx("pdf/one.pdf"), 0), SEAL_ERR_INPUT);
    ck_assert_int_eq(seal_recipients_add(ctx, r, fx("certs/nonexistent.pem"), 0), SEAL_ERR_IO);
    ck_assert_uint_eq(seal_recipients_count(r), 0);
    ck_assert_int_eq(seal_recipients_add(ctx, r, fx("certs/encryption.pem"), 0), SEAL_OK);
    /* the same certificate from the token: taken once */
    ck_assert_int_eq(seal_recipients_add(ctx, r, token_uri("encryption"), 0), SEAL_OK);
    /* the whole token: its signing certificates passed over */
    ck_assert_int_eq(seal_recipients_add(ctx, r, token_uri("company"), SEAL_RECIPIENTS_WHOLE_TOKEN),
                     SEAL_OK);
    ck_assert_uint_eq(seal_recipients_count(r), 1);
    ck_assert_int_eq(seal_recipients_get(r, 0, &ci), SEAL_OK);
    ck_assert_uint_eq(ci.key_usage & SEAL_KU_KEY_ENCIPHERMENT, SEAL_KU_KEY_ENCIPHERMENT);
    ck_assert_int_eq(seal_recipients_get(r, 1, &ci), SEAL_ERR_ARGS);
    ck_assert_int_eq(seal_recipients_add(ctx, r, token_uri("company"), 0), SEAL_ERR_CERT);
    seal_recipients_free(r);
    seal_recipients_free(NULL);
}
END_TEST

START_TEST(envelope_reads_back)
{
    const char *bid = sealed_bid(tmpdir());
    seal_envelope *env = NULL;
    seal_envelope_info ei;
    seal_recipient_info ri;
    size_t len;
    unsigned char *pdf = slurp(fx("pdf/one.pdf"), &len);

    ck_assert_ptr_nonnull(pdf);
    ck_assert_int_eq(seal_envelope_open(ctx, bid, &env), SEAL_OK);
    ck_assert_int_eq(seal_envelope_info_get(env, &ei), SEAL_OK);
    ck_assert_str_eq(ei.type, "AuthEnvelopedData");
    ck_assert_str_eq(ei.content_algorithm, "AES-256-GCM");
    ck_assert_int_eq(ei.authenticated, 1);
    ck_assert_int_eq(ei.content_size, (long long)len);
    ck_assert_uint_eq(ei.recipient_count, 1);
    ck_assert_int_eq(ei.receipt, 0);
    ck_assert_int_eq(seal_envelope_recipient(env, 0, &ri), SEAL_OK);
    ck_assert_str_eq(ri.kind, "ktri");
    ck_assert_str_eq(ri.algorithm, "RSAES-OAEP-SHA256");
    ck_assert_ptr_nonnull(strstr(ri.issuer, "CN="));
    ck_assert_str_eq(ri.subject, "");
    ck_assert_int_eq(seal_envelope_recipient(env, 1, &ri), SEAL_ERR_ARGS);
    seal_envelope_free(env);
    seal_envelope_free(NULL);
    free(pdf);
}
END_TEST

START_TEST(not_an_envelope)
{
    seal_envelope *env = NULL;
    ck_assert_int_eq(seal_envelope_open(ctx, fx("pdf/one.pdf"), &env), SEAL_ERR_INPUT);
    ck_assert_ptr_null(env);
    ck_assert_int_eq(seal_envelope_open(ctx, fx("nonexistent.p7m"), &env), SEAL_ERR_IO);
    ck_assert_int_eq(seal_envelope_open(ctx, NULL, &env), SEAL_ERR_ARGS);
}
END_TEST

START_TEST(keyring_opens_on_the_token)
{
    const char *dir = tmpdir(), *bid = sealed_bid(dir);
    char out[4096];
    seal_keyring *kr = keyring("pkcs11:token=SealToken?module-path=/usr/lib/softhsm/libsofthsm2.so");
    seal_envelope *env = NULL;
    seal_recipient_info ri;
    seal_decrypt_result res;
    size_t which = 9;

    ck_assert_int_eq(seal_envelope_open(ctx, bid, &env), SEAL_OK);
    ck_assert_int_eq(seal_keyring_check(ctx, kr, env, &which), SEAL_OK);
    ck_assert_uint_eq(which, 0);
    ck_assert_int_eq(seal_envelope_recipient(env, 0, &ri), SEAL_OK);
    ck_assert_str_eq(ri.subject, "某某建设工程有限公司 company-seal");
    ck_assert_int_gt(ri.not_after, ri.not_before);
    snprintf(out, sizeof(out), "%s/one.pdf", dir);
    ck_assert_msg(seal_decrypt_file(ctx, kr, bid, out, &res) == SEAL_OK, "%s", seal_ctx_message(ctx));
    ck_assert_int_eq(res.authenticated, 1);
    {
        size_t la, lb;
        unsigned char *a = slurp(fx("pdf/one.pdf"), &la), *b = slurp(out, &lb);
        ck_assert(a && b && la == lb && memcmp(a, b, la) == 0);
        ck_assert_int_eq(res.size, (long long)la);
        free(a);
        free(b);
    }
    /* the output may not be the input */
    ck_assert_int_eq(seal_decrypt_file(ctx, kr, bid, bid, NULL), SEAL_ERR_ARGS);
    seal_envelope_free(env);
    seal_keyring_free(kr);
}
END_TEST

START_TEST(keyring_without_the_key_names_the_recipient)
{
    const char *dir = tmpdir(), *bid = sealed_bid(dir);
    char out[4096];
    seal_keyring *kr = keyring(token_uri("company"));
    seal_envelope *env = NULL;

    ck_assert_int_eq(seal_envelope_open(ctx, bid, &env), SEAL_OK);
    ck_assert_int_eq(seal_keyring_check(ctx, kr, env, NULL), SEAL_ERR_KEY_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(seal_ctx_message(ctx), "which was sealed to: issuer "));
    ck_assert_ptr_nonnull(strstr(seal_ctx_message(ctx), "ask the CA for key recovery"));
    snprintf(out, sizeof(out), "%s/one.pdf", dir);
    ck_assert_int_eq(seal_decrypt_file(ctx, kr, bid, out, NULL), SEAL_ERR_KEY_NOT_FOUND);
    ck_assert(!file_exists(out));
    ck_assert_int_eq(dir_entries(dir), 1);
    seal_envelope_free(env);
    seal_keyring_free(kr);
}
END_TEST

START_TEST(keyring_refusals)
{
    seal_keyring *kr = NULL;
    ck_assert_int_eq(seal_keyring_open(ctx, &kr, "x.p12", NULL), SEAL_ERR_ARGS);
    ck_assert_ptr_nonnull(strstr(seal_ctx_message(ctx), "'pkcs11:...' (RFC 7512), 'skf:lib=...', "
                                                        "'p12:FILE' or 'pem:FILE', not 'x.p12'"));
    /* a software (or SKF) key opens SM2 envelopes: the file is read */
    ck_assert_int_eq(seal_keyring_open(ctx, &kr, "p12:/nonexistent/x.p12", NULL), SEAL_ERR_IO);
    ck_assert_int_eq(seal_keyring_open(ctx, &kr, NULL, NULL), SEAL_ERR_ARGS);
    ck_assert_ptr_null(kr);
    seal_keyring_free(NULL);
}
END_TEST

Suite *suite_envelope(void);
Suite *suite_envelope(void)
{
    Suite *s = suite_create("envelope");
    TCase *tc = tcase_create("envelope");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, recipients_take_encryption_certificates_only);
    tcase_add_test(tc, envelope_reads_back);
    tcase_add_test(tc, not_an_envelope);
    tcase_add_test(tc, keyring_opens_on_the_token);
    tcase_add_test(tc, keyring_without_the_key_names_the_recipient);
    tcase_add_test(tc, keyring_refusals);
    suite_add_tcase(s, tc);
    return s;
}
