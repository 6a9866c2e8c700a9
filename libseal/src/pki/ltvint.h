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
/* Bytes to reserve for a time-stamp token from this authority (asks it
 * once for a token over a dummy digest): seal__tsa_token_probe returns the
 * status (SEAL_ERR_NETWORK, message on the context) without throwing;
 * seal__tsa_token_size throws it. */
seal_status seal__tsa_token_probe(seal_ctx *ctx, const char *tsa_url, size_t *size);
size_t seal__tsa_token_size(seal_ctx *ctx, const char *tsa_url);

/* Add every certificate of a CMS blob (and of time-stamp tokens in its
 * unsigned attributes) to certs, skipping duplicates. */
void seal__cms_collect_certs(const unsigned char *der, size_t len, STACK_OF(X509) *certs);

/* Chain completion (chain.c), for the signer and for verify --online. */
typedef struct seal__chain_sources {
    STACK_OF(X509) *pool;  /* certificates at hand, tried first (token, CMS, DSS), or NULL */
    STACK_OF(X509) *extra; /* --chain certificates, or NULL */
    const char *ca_path;   /* SEAL_CA_PATH: a directory of PEM/DER certificates, or NULL */
    int system;            /* look in the p11-kit system trust store */
    X509_STORE *anchors;   /* stop below an issuer found here (the verifier's), or NULL */
    int aia;               /* fetch missing issuers from AIA caIssuers (cached per run) */
} seal__chain_sources;

typedef struct seal__chain_gap {
    int complete;             /* reached a self-signed certificate or an anchor */
    char missing[512];        /* otherwise: the issuer (RFC 2253) nothing provided */
    char url[512], why[300];  /* the last caIssuers URL tried, and why it failed */
    int fetched;              /* issuers that came from AIA */
    char fetched_names[600];  /* "SUBJECT (URL); ..." of those */
} seal__chain_gap;

/* Walk up from the top of chain (or from cert when chain is empty),
 * pushing each issuer found onto chain (new references), until a
 * self-signed certificate or an issuer among src->anchors. An incomplete
 * chain is a result (gap->complete 0), not an error; SEAL_ERR_NOMEM only. */
seal_status seal__chain_complete(seal_ctx *ctx, X509 *cert, STACK_OF(X509) *chain,
                                 const seal__chain_sources *src, seal__chain_gap *gap);
/* Every certificate in a buffer (PEM, DER, or PKCS#7 certs-only) added to
 * out; returns how many. */
int seal__certs_parse(const unsigned char *data, size_t len, STACK_OF(X509) *out);
/* Every certificate file of a directory added to out (a warning if the
 * directory cannot be read). */
void seal__certs_load_dir(seal_ctx *ctx, const char *dir, STACK_OF(X509) *out);

#endif /* SEAL_LTVINT_H */
