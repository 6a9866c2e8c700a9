/*
 * GB/T 38540 electronic signatures with a seal (SES_Signature), v4
 * (GB/T 38540-2020) and v1 (GM/T 0031-2014): the reader (ses.c) for the
 * PDF verifier and the OFD verifier, the writer for the PDF signer. Not
 * installed. The ASN.1 is in docs/eseal.md.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef SEAL_SESINT_H
#define SEAL_SESINT_H

#include "internal.h"

#include <seal/eseal.h>

#include <openssl/x509.h>

typedef struct seal__ses_sig seal__ses_sig; /* opaque */

/* Parse a DER SES_Signature, v4 (4 or 5 fields) or v1 (2 fields),
 * tolerantly (raw r||s values, BIT STRINGs with trimmed trailing bits or
 * stored as OCTET STRINGs, times without Z or as ISO 8601 text) — the
 * checks stay strict over the bytes received. SEAL_ERR_INPUT "not a
 * GB/T 38540 electronic signature: bad WHAT" (or the embedded seal's own
 * reason), SEAL_ERR_NOMEM. The DER is copied. */
seal_status seal__ses_sig_parse(seal_ctx *ctx, const unsigned char *der, size_t len, seal__ses_sig **out);
void seal__ses_sig_free(seal__ses_sig *s);
/* How many leading bytes of der (a signature's /Contents, zero-padded) an
 * SES_Signature takes: 0 when they are none — an SES_Signature is a
 * SEQUENCE whose first element is the SEQUENCE TBS_Sign, where a CMS
 * ContentInfo starts with its contentType OID. */
size_t seal__ses_sig_span(const unsigned char *der, size_t len);
/* 4 (GB/T 38540 layout, also for "v5" seals) or 1 (GM/T 0031 layout). */
int seal__ses_sig_version(const seal__ses_sig *s);
/* The embedded SES_Seal (owned by s). */
const seal_eseal *seal__ses_sig_eseal(const seal__ses_sig *s);
/* The signer's certificate (owned by s; the SM2 ID is set on it). */
X509 *seal__ses_sig_signer(const seal__ses_sig *s);
/* dataHash (re-padded when its BIT STRING was trimmed). */
const unsigned char *seal__ses_sig_data_hash(const seal__ses_sig *s, size_t *len);
/* propertyInfo as received (NUL bytes shown as '?'). */
const char *seal__ses_sig_property(const seal__ses_sig *s);
/* timeInfo, the signer's claimed time (Unix seconds; v1: also the time of
 * a time-stamp token carried there); 0 when unreadable. */
long long seal__ses_sig_time(const seal__ses_sig *s);
/* The v4 [0] timeStamp (DER time-stamp token), or NULL. */
const unsigned char *seal__ses_sig_timestamp(const seal__ses_sig *s, size_t *len);
/* The signature algorithm as seal__eseal_alg_name names it. */
const char *seal__ses_sig_algorithm(const seal__ses_sig *s);
/* The signature value as received (DER or raw r||s). */
const unsigned char *seal__ses_sig_value(const seal__ses_sig *s, size_t *len);
/* 1 when the signer's signature verifies over TBS_Sign as received (v4
 * and v1 alike: v1's TBS_Sign holds the certificate and the algorithm):
 * SM2 with the default ID, or RSA/ECDSA when the algorithm says so; 0 when
 * it does not, -1 when the algorithm is not supported. */
int seal__ses_sig_verify(const seal__ses_sig *s);

/* The writer (PDF signing, --format ses): a v4 SES_Signature by key, which
 * must be SM2 (SEAL_ERR_CERT naming the certificate otherwise), with the
 * seal es byte for byte as issued: TBS_Sign {4, SES_Seal, timeInfo `when`,
 * dataHash, propertyInfo (ASCII)}, the signer's certificate, SM2-with-SM3
 * and the value over e = SM3(Z || TBS_Sign) — through the same signing path
 * as the CMS (token, SKF or software key); with tsa_url a [0] timeStamp, an
 * RFC 3161 token over the signature value (SHA-256 imprint). The result is
 * read back and verified before it is returned (malloc'd). */
seal_status seal__ses_sig_make(seal_ctx *ctx, seal_key *key, const seal_eseal *es, long long when,
                               const unsigned char *data_hash, size_t hash_len, const char *property,
                               const char *tsa_url, unsigned char **der, size_t *len);
/* An upper bound of its size without the time-stamp token. */
size_t seal__ses_sig_max_size(seal_key *key, const seal_eseal *es, size_t property_len);

#endif /* SEAL_SESINT_H */
