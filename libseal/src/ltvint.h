/*
 * Long-term signatures: network fetches (tsa.c), the DSS and document
 * time-stamps (ltv.c). Not installed.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef SEAL_LTVINT_H
#define SEAL_LTVINT_H

#include "keyint.h"

/* HTTP GET (req NULL) or POST; the whole reply body of a 200 answer.
 * SEAL_ERR_NETWORK with the URL when the service cannot be reached. */
seal_status seal__http(seal_ctx *ctx, const char *url, const char *content_type,
                       const unsigned char *req, size_t reqlen, const char *accept,
                       unsigned char **reply, size_t *replylen);

/* An RFC 3161 time-stamp token (DER ContentInfo, malloc'd) over a SHA-256
 * digest, checked against the request (imprint, nonce). */
seal_status seal__tsa_stamp(seal_ctx *ctx, const char *url, const unsigned char *digest,
                            size_t dlen, unsigned char **token, size_t *toklen);

/* Revocation sources named in a certificate (malloc'd), or NULL. */
char *seal__ocsp_url(X509 *cert);
char *seal__crl_url(X509 *cert);
/* A successful OCSP response (DER, malloc'd) for cert. */
seal_status seal__ocsp_fetch(seal_ctx *ctx, X509 *cert, X509 *issuer, const char *url,
                             unsigned char **der, size_t *len);
/* A CRL (DER, malloc'd). */
seal_status seal__crl_fetch(seal_ctx *ctx, const char *url, unsigned char **der, size_t *len);

/* Add every certificate of a CMS blob (and of time-stamp tokens in its
 * unsigned attributes) to certs, skipping duplicates. */
void seal__cms_collect_certs(const unsigned char *der, size_t len, STACK_OF(X509) *certs);

#endif /* SEAL_LTVINT_H */
