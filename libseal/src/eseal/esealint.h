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

/* esealpdf.c (inside fz_try; errors thrown with seal__throw). */
#include <mupdf/pdf.h>
/* The seal's picture, decoded; SEAL_ERR_UNSUPPORTED for SVG or OFD ones. */
fz_image *seal__eseal_image(seal_ctx *ctx, const seal_eseal *es);
/* A form XObject drawing the picture at width x height mm; its box. */
pdf_obj *seal__eseal_xobject(seal_ctx *ctx, pdf_document *doc, const seal_eseal *es, fz_rect *bbox);
/* The SES_Seal as a stream, /SealESeal of the signature dictionary sig_num. */
void seal__eseal_attach(seal_ctx *ctx, pdf_document *doc, int sig_num, const seal_eseal *es);

#endif /* SEAL_ESEALINT_H */
