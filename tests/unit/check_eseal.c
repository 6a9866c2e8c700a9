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
#include "sealder.h"
#include "sm2int.h"

START_TEST(v4_tolerant_times_and_raw_values)
{
    fixture maker, holder;
    seal_ctx *ctx;
    seal_eseal *es = NULL;
    seal_eseal_info ei;
    buf s = {0};

    sd_make_maker(&maker);
    sd_make_maker(&holder);
    ck_assert_int_eq(seal_ctx_new(&ctx), SEAL_OK);
    /* GeneralizedTime without its Z; the signature as raw r||s. */
    sd_make_seal(&s, &maker, &holder, 0, "20260725214639", 1, 0);
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
    sd_make_seal(&s, &maker, &holder, 0, "260725214639Z", 0, 1);
    ck_assert_int_eq(seal_eseal_parse(ctx, &es, s.p, s.n), SEAL_OK);
    seal_eseal_get_info(es, &ei);
    ck_assert_int_eq(ei.valid_to, 1785015999LL);
    ck_assert_int_eq(ei.cert_list_type, SEAL_ESEAL_LIST_DIGESTS);
    ck_assert_int_eq(strncmp(seal_eseal_holder(es, 0), "SM3:", 4), 0);
    ck_assert(seal__eseal_holds(es, holder.cert));
    ck_assert_int_eq(seal_eseal_check(ctx, es), SEAL_OK);
    seal_eseal_free(es);
    seal_ctx_free(ctx);
    sd_free_maker(&maker);
    sd_free_maker(&holder);
}
END_TEST

START_TEST(v1_signed_over_info_cert_algorithm)
{
    fixture maker, holder;
    seal_ctx *ctx;
    seal_eseal *es = NULL;
    seal_eseal_info ei;
    buf s = {0};

    sd_make_maker(&maker);
    sd_make_maker(&holder);
    ck_assert_int_eq(seal_ctx_new(&ctx), SEAL_OK);
    sd_make_seal(&s, &maker, &holder, 1, "260101000000Z", 0, 0);
    ck_assert_int_eq(seal_eseal_parse(ctx, &es, s.p, s.n), SEAL_OK);
    seal_eseal_get_info(es, &ei);
    ck_assert_int_eq(ei.version, 1);
    ck_assert_int_eq(ei.cert_list_type, SEAL_ESEAL_LIST_CERTS);
    ck_assert_int_eq(ei.valid_from, 1767225600LL);
    ck_assert_int_eq(seal_eseal_check(ctx, es), SEAL_OK);
    ck_assert(seal__eseal_holds(es, holder.cert));
    seal_eseal_free(es);
    seal_ctx_free(ctx);
    sd_free_maker(&maker);
    sd_free_maker(&holder);
}
END_TEST

START_TEST(strict_check_over_received_bytes)
{
    fixture maker, holder;
    seal_ctx *ctx;
    seal_eseal *es = NULL;
    buf s = {0};

    sd_make_maker(&maker);
    sd_make_maker(&holder);
    ck_assert_int_eq(seal_ctx_new(&ctx), SEAL_OK);
    sd_make_seal(&s, &maker, &holder, 0, "20260101000000Z", 0, 0);
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
    sd_free_maker(&maker);
    sd_free_maker(&holder);
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
