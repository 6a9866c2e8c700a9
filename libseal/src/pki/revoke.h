/*
 * Revocation (revoke.c): where a certificate's status is asked, fetching
 * the answer, and judging an OCSP response or a CRL about a
 * certificate/issuer pair. The signer judges what it is about to put into
 * the DSS and the verifier what it finds there with the same rules, so
 * neither can accept what the other refuses. Not installed.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef SEAL_REVOKE_H
#define SEAL_REVOKE_H

#include "internal.h"

#include <openssl/ocsp.h>
#include <openssl/x509.h>

typedef enum seal__rev_state {
    SEAL__REV_NONE = 0, /* the answer says nothing about this certificate */
    SEAL__REV_GOOD,
    SEAL__REV_REVOKED,
    SEAL__REV_UNUSABLE /* it is about this certificate but cannot be relied on: why */
} seal__rev_state;

typedef struct seal__rev {
    seal__rev_state state;
    long long revoked_at; /* REVOKED: the revocation time (Unix seconds) */
    const char *source;   /* "OCSP" or "CRL" */
    char why[160];        /* UNUSABLE: the reason */
} seal__rev;

/* A BasicOCSPResponse from the DER of a successful OCSPResponse or of a
 * bare BasicOCSPResponse (as DSS /OCSPs may hold either), or NULL. */
OCSP_BASICRESP *seal__rev_ocsp_basic(const unsigned char *der, size_t len);

/* What an OCSP response says of cert. It must name cert by a SHA-1 or
 * SHA-256 CertID under issuer, and be signed by the issuer itself or by a
 * responder certificate the issuer signed for OCSP signing
 * (id-kp-OCSPSigning); responder certificates are looked for in the
 * response and in extra (may be NULL). "unknown" is UNUSABLE. */
seal__rev_state seal__rev_judge_ocsp(OCSP_BASICRESP *bs, X509 *cert, X509 *issuer,
                                     STACK_OF(X509) *extra, seal__rev *out);

/* What a CRL says of cert: NONE when another issuer's, UNUSABLE when the
 * issuer's key does not verify it, REVOKED when it lists cert, else GOOD. */
seal__rev_state seal__rev_judge_crl(X509_CRL *crl, X509 *cert, X509 *issuer, seal__rev *out);

/* Where the certificate's status can be asked (malloc'd URL, or NULL). */
char *seal__ocsp_url(X509 *cert);
char *seal__crl_url(X509 *cert);

/* Ask for cert's status: its OCSP responder (when the issuer is known),
 * else, or when the responder cannot be reached, its CRL distribution
 * point. *der (malloc'd) is a successful OCSPResponse (*is_ocsp 1) or a
 * DER CRL, and *url the source asked (malloc'd). SEAL_OK with *der NULL
 * when the certificate names no source; SEAL_ERR_NETWORK (message on ctx)
 * when none answered. */
seal_status seal__rev_fetch(seal_ctx *ctx, X509 *cert, X509 *issuer, unsigned char **der,
                            size_t *len, int *is_ocsp, char **url);

#endif /* SEAL_REVOKE_H */
