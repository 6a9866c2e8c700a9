/*
 * DER written element by element from the standard's ASN.1 for the e-seal
 * suites (sealder.c).
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef SEAL_SEALDER_H
#define SEAL_SEALDER_H

#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

typedef struct buf {
    unsigned char p[16384];
    size_t n;
} buf;

void sd_put(buf *b, const void *d, size_t n);
/* One element, identifier byte tag, definite length up to 64 KB. */
void sd_tlv(buf *b, int tag, const void *c, size_t n);
void sd_seq(buf *out, int tag, const buf *in);
void sd_str(buf *b, int tag, const char *s);
void sd_small_int(buf *b, unsigned char v);

/* An SM2 key and a certificate for it (signed by a throw-away P-256 key). */
typedef struct fixture {
    EVP_PKEY *key;
    X509 *cert;
    unsigned char *cert_der;
    int cert_len;
} fixture;
void sd_make_maker(fixture *f);
void sd_free_maker(fixture *f);

/* SES_SealInfo; v1: no certListType, UTCTime; a digest list holding the
 * SM3 of `holder`. */
void sd_seal_info(buf *out, int v1, const char *t, const fixture *holder, int digests);
/* f's SM2 signature over msg (default ID): DER, or raw r||s. */
size_t sd_sm2_sign(const fixture *f, const unsigned char *msg, size_t len, int raw, unsigned char *out);
/* SM2-with-SM3, whole OID encoding. */
extern const unsigned char SM2_WITH_SM3[10];
/* A whole SES_Seal: v4 {info, cert, alg, sig} or v1 {info, {cert, alg, sig}}. */
void sd_make_seal(buf *out, const fixture *maker, const fixture *holder, int v1, const char *t, int raw,
                  int digests);

#endif
