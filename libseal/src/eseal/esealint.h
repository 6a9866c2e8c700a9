/*
 * Internal interface of the electronic seals (eseal.c, esealmk.c) for the
 * signer (pdfsign.c) and the verifier (veseal.c). Not installed.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef SEAL_ESEALINT_H
#define SEAL_ESEALINT_H

#include "internal.h"

#include <seal/eseal.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

/* Key of the signature dictionary whose value is a stream holding the
 * DER SES_Seal the signature is bound to (docs/eseal.md). */
#define SEAL_ESEAL_KEY "SealESeal"

/* The maker's certificate (owned by the seal). */
X509 *seal__eseal_maker(const seal_eseal *es);
/* 1 when cert is in the seal's certificate list (the certificate itself,
 * or its digest of the recorded type). */
int seal__eseal_holds(const seal_eseal *es, X509 *cert);
/* The signer's refusal (SEAL_ERR_CERT naming the seal and the
 * certificate) when the seal cannot be used by cert at time t: maker
 * signature, validity, certificate list. */
seal_status seal__eseal_usable(seal_ctx *ctx, const seal_eseal *es, X509 *cert, long long t);

/* The whole DER as received (owned by the seal). */
const unsigned char *seal__eseal_der(const seal_eseal *es, size_t *len);

/* Reading helpers shared with the SES_Signature reader (ses.c). */
/* A time's text (UTCTime, GeneralizedTime, or ISO 8601 as GM/T 0031
 * timeInfo carries it), tolerantly; UTC assumed. 0 when unreadable. */
int seal__eseal_time_text(const unsigned char *text, size_t len, long long *out);
/* A BIT STRING's value and unused bits, or an OCTET STRING's (non-standard
 * encodings of bit strings); tag is the element's identifier. 0 when neither. */
int seal__eseal_bits(int tag, const unsigned char *c, size_t n, const unsigned char **v, size_t *vlen,
                     int *unused);
/* The name of the signature algorithm whose whole OID encoding is w:
 * "SM2-with-SM3" for the three SM2 identifiers seen in the wild, else
 * OpenSSL's long name or the dotted OID. 0 when w is not an OID. */
int seal__eseal_alg_name(const unsigned char *w, size_t wl, char *name, size_t size);
/* 1 when sig (unused bits as read: re-padded when set) is pub's signature
 * of alg (a seal__eseal_alg_name) over msg: SM2 with the default ID, DER or
 * raw r||s; RSA, ECDSA by the OID's digest. 0 when not, -1 when alg is not
 * supported. */
int seal__eseal_verify_value(EVP_PKEY *pub, const char *alg, const unsigned char *msg, size_t len,
                             const unsigned char *sig, size_t siglen, int unused);

/* esealpdf.c (inside fz_try; errors thrown with seal__throw). */
#include <mupdf/pdf.h>
/* The seal's picture, decoded; SEAL_ERR_UNSUPPORTED for SVG or OFD ones. */
fz_image *seal__eseal_image(seal_ctx *ctx, const seal_eseal *es);
/* A form XObject drawing the picture at width x height mm; its box. */
pdf_obj *seal__eseal_xobject(seal_ctx *ctx, pdf_document *doc, const seal_eseal *es, fz_rect *bbox);
/* The SES_Seal as a stream, /SealESeal of the signature dictionary sig_num. */
void seal__eseal_attach(seal_ctx *ctx, pdf_document *doc, int sig_num, const seal_eseal *es);

#endif /* SEAL_ESEALINT_H */
