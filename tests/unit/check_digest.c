/*
 * Bulk digests (digest.c): SM3 on libgcrypt gives GB/T 32905's example
 * digests and OpenSSL's; a copied running state finishes each branch as a
 * fresh hash of the same bytes would; SHAKE256 yields 512 bits. Links the
 * internal archive.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "internal.h"

static void hex(const unsigned char *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
}

/* GB/T 32905-2016 Appendix A, examples 1 and 2. */
START_TEST(sm3_known_answers)
{
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    char h[2 * EVP_MAX_MD_SIZE + 1];
    char abcd[65] = "";

    ck_assert(seal__digest_buf(EVP_sm3(), "abc", 3, out, &len));
    ck_assert_uint_eq(len, 32);
    hex(out, len, h);
    ck_assert_str_eq(h, "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
    for (int i = 0; i < 16; i++)
        strcat(abcd, "abcd");
    ck_assert(seal__digest_buf(EVP_sm3(), abcd, 64, out, &len));
    hex(out, len, h);
    ck_assert_str_eq(h, "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732");
}
END_TEST

/* Odd lengths and chunk boundaries, against OpenSSL's one-shot digest,
 * for SM3 (libgcrypt) and SHA-256 (OpenSSL). */
START_TEST(chunked_equals_one_shot)
{
    const EVP_MD *mds[] = {EVP_sm3(), EVP_sha256(), EVP_sha384()};
    size_t n = 1000003;
    unsigned char *buf = malloc(n);
    ck_assert_ptr_nonnull(buf);
    for (size_t i = 0; i < n; i++)
        buf[i] = (unsigned char)(i * 131 + (i >> 9));
    for (size_t m = 0; m < sizeof(mds) / sizeof(mds[0]); m++) {
        unsigned char want[EVP_MAX_MD_SIZE], got[EVP_MAX_MD_SIZE];
        unsigned wl = 0, gl = 0;
        ck_assert(EVP_Digest(buf, n, want, &wl, mds[m], NULL));
        seal__digest *d = seal__digest_new(mds[m]);
        ck_assert_ptr_nonnull(d);
        for (size_t a = 0, step = 1; a < n; step = step * 7 % 65537 + 1) {
            size_t b = a + step < n ? a + step : n;
            ck_assert(seal__digest_update(d, buf + a, b - a));
            a = b;
        }
        ck_assert(seal__digest_final(d, got, &gl));
        seal__digest_free(d);
        ck_assert_uint_eq(gl, wl);
        ck_assert_mem_eq(got, want, wl);
    }
    free(buf);
}
END_TEST

/* The verifier's nested byte ranges: one running state over the prefix,
 * copied at each gap; each copy finishes with its own tail. */
START_TEST(copies_branch_independently)
{
    const EVP_MD *mds[] = {EVP_sm3(), EVP_sha256()};
    static const char text[] = "%PDF-1.7 prefix|gap one|middle bytes|gap two|tail";
    for (size_t m = 0; m < 2; m++) {
        seal__digest *main = seal__digest_new(mds[m]);
        ck_assert(seal__digest_update(main, text, 16));
        seal__digest *b1 = seal__digest_dup(main);
        ck_assert_ptr_nonnull(b1);
        ck_assert(seal__digest_update(main, text + 16, 20));
        seal__digest *b2 = seal__digest_dup(main);
        ck_assert(seal__digest_update(b1, "tail", 4));
        ck_assert(seal__digest_update(b2, "other tail", 10));
        unsigned char g1[EVP_MAX_MD_SIZE], g2[EVP_MAX_MD_SIZE], w[EVP_MAX_MD_SIZE];
        unsigned l1, l2, wl;
        ck_assert(seal__digest_final(b1, g1, &l1));
        ck_assert(seal__digest_final(b2, g2, &l2));
        char one[64], two[64];
        snprintf(one, sizeof(one), "%.16stail", text);
        snprintf(two, sizeof(two), "%.36sother tail", text);
        ck_assert(EVP_Digest(one, strlen(one), w, &wl, mds[m], NULL));
        ck_assert_mem_eq(g1, w, wl);
        ck_assert(EVP_Digest(two, strlen(two), w, &wl, mds[m], NULL));
        ck_assert_mem_eq(g2, w, wl);
        ck_assert_uint_eq(l1, wl);
        ck_assert_uint_eq(l2, wl);
        seal__digest_free(main);
        seal__digest_free(b1);
        seal__digest_free(b2);
    }
}
END_TEST

START_TEST(shake256_is_512_bits)
{
    unsigned char out[EVP_MAX_MD_SIZE], want[64];
    unsigned len = 0;
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    ck_assert(EVP_DigestInit_ex(m, EVP_shake256(), NULL) && EVP_DigestUpdate(m, "abc", 3) &&
              EVP_DigestFinalXOF(m, want, 64));
    EVP_MD_CTX_free(m);
    ck_assert(seal__digest_buf(EVP_shake256(), "abc", 3, out, &len));
    ck_assert_uint_eq(len, 64);
    ck_assert_mem_eq(out, want, 64);
    ck_assert_ptr_null(seal__digest_new(NULL));
}
END_TEST

Suite *suite_digest(void);
Suite *suite_digest(void)
{
    Suite *s = suite_create("digest");
    TCase *tc = tcase_create("digest");
    tcase_add_test(tc, sm3_known_answers);
    tcase_add_test(tc, chunked_equals_one_shot);
    tcase_add_test(tc, copies_branch_independently);
    tcase_add_test(tc, shake256_is_512_bits);
    suite_add_tcase(s, tc);
    return s;
}
