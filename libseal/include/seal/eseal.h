/*
 * libseal — GB/T 38540-2020 electronic seals (电子印章, SES_Seal): made by
 * a seal maker (制章者) from seal artwork, read (v4, and GM/T 0031-2014 v1),
 * and checked: the maker's signature, validity, the certificates allowed
 * to use the seal. See docs/eseal.md.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef SEAL_ESEAL_H
#define SEAL_ESEAL_H

#include "common.h"
#include "key.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An electronic seal as read; immutable. */
typedef struct seal_eseal seal_eseal;

/* SES_ESPropertyInfo.type values used by libseal (GM/T 0031: 1 单位印章,
 * 2 个人印章; GB/T 38540 lets issuers define more). */
#define SEAL_ESEAL_COMPANY 1
#define SEAL_ESEAL_PERSONAL 2

/* certListType (GB/T 38540 §6.1): the certificates themselves, or digests. */
#define SEAL_ESEAL_LIST_CERTS 1
#define SEAL_ESEAL_LIST_DIGESTS 2

/* Strings belong to the seal. */
typedef struct seal_eseal_info {
    int version;               /* SES_Header.version: 4 (GB/T 38540), 1 (GM/T 0031), ... */
    const char *esid;          /* esID */
    const char *vid;           /* Vid: the maker's software */
    int type;                  /* SEAL_ESEAL_COMPANY, SEAL_ESEAL_PERSONAL or the issuer's own */
    const char *name;          /* UTF-8 */
    int cert_list_type;        /* SEAL_ESEAL_LIST_*; 1 for v1 */
    size_t holder_count;       /* seal_eseal_holder for each */
    long long created, valid_from, valid_to; /* seconds since the epoch, UTC */
    const char *picture_type;  /* "PNG", "JPG", "GIF", "BMP", "SVG", "OFD", ... */
    size_t picture_len;
    int width_mm, height_mm;
    const char *maker;         /* the maker certificate's subject, one line, or "" */
    const char *signature_algorithm; /* e.g. "SM2-with-SM3", "ecdsa-with-SHA256", or the OID */
} seal_eseal_info;

/* Read an electronic seal: DER SES_Seal from a file (path) or memory (der,
 * copied). Returns SEAL_OK, SEAL_ERR_IO, or SEAL_ERR_INPUT naming what is
 * malformed. Parsing is tolerant (v1 and v4 layouts, GeneralizedTime
 * without Z, BIT STRINGs with unused bits); checks are strict. */
SEAL_API seal_status seal_eseal_load(seal_ctx *ctx, seal_eseal **out, const char *path);
SEAL_API seal_status seal_eseal_parse(seal_ctx *ctx, seal_eseal **out, const unsigned char *der,
                                      size_t len);
SEAL_API void seal_eseal_free(seal_eseal *es);
SEAL_API seal_status seal_eseal_get_info(const seal_eseal *es, seal_eseal_info *out);
/* Holder i: a certificate's subject, one line, or "SM3:HEX" (the digest
 * type as recorded, then the hex digest) for a digest list; NULL past the end. */
SEAL_API const char *seal_eseal_holder(const seal_eseal *es, size_t i);
/* The picture's bytes (owned by the seal). */
SEAL_API const unsigned char *seal_eseal_picture(const seal_eseal *es, size_t *len);

/* Check the maker's signature over the SES_SealInfo bytes as received (v4;
 * v1: over SEQUENCE{SES_SealInfo, cert, signatureAlgorithm}). SEAL_OK when
 * it verifies; SEAL_ERR_CRYPTO with the reason when it does not;
 * SEAL_ERR_UNSUPPORTED for an algorithm libseal cannot check. Trust in the
 * maker's certificate is the verifier's business (--seal-trust). */
SEAL_API seal_status seal_eseal_check(seal_ctx *ctx, const seal_eseal *es);

typedef struct seal_eseal_issue_options {
    unsigned version;
    const char *name;          /* required, UTF-8 */
    int type;                  /* SEAL_ESEAL_*; 0: from the artwork's kind (company: 1, else 2) */
    const char *esid;          /* NULL: made up from the time and the picture's digest */
    const char *const *holders; /* holder certificates (PEM or DER files), at least one */
    size_t holder_count;
    int cert_list_type;        /* SEAL_ESEAL_LIST_*; 0: certificates */
    long long valid_from, valid_to; /* seconds since the epoch; valid_to required */
    long long created;         /* 0: now */
} seal_eseal_issue_options;

#define SEAL_ESEAL_ISSUE_OPTIONS_VERSION 1
#define SEAL_ESEAL_ISSUE_OPTIONS_INIT \
    {SEAL_ESEAL_ISSUE_OPTIONS_VERSION, NULL, 0, NULL, NULL, 0, 0, 0, 0, 0}

/*
 * Make a GB/T 38540 v4 SES_Seal from seal artwork (a one-page PDF at the
 * seal's size, as seal enrol and seal make write): the picture is the
 * artwork drawn as a PNG at 300 dpi on a transparent background, its size
 * the artwork's in whole millimetres; signed by `maker` (SM2-with-SM3 for
 * an SM2 key, else sha256WithRSAEncryption or ecdsa-with-SHA256). Written
 * whole or not at all to out_path. Returns SEAL_OK, SEAL_ERR_ARGS,
 * SEAL_ERR_IO, SEAL_ERR_INPUT (artwork, a holder certificate), the key's
 * errors, SEAL_ERR_CRYPTO.
 */
SEAL_API seal_status seal_eseal_issue(seal_ctx *ctx, const char *artwork_path, const char *out_path,
                                      seal_key *maker, const seal_eseal_issue_options *opts);

#ifdef __cplusplus
}
#endif

#endif /* SEAL_ESEAL_H */
