/*
 * Revocation: where a certificate's status is asked (AIA OCSP, CRL
 * distribution points), fetching the answer, and judging an OCSP response
 * or a CRL for a certificate/issuer pair — for the signer before it
 * embeds an answer and for the verifier, with the same rules.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "revoke.h"
#include "ltvint.h"
#include "sm2int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

/* ------------------------------------------------------------ judging */

OCSP_BASICRESP *seal__rev_ocsp_basic(const unsigned char *der, size_t len)
{
    const unsigned char *p = der;
    OCSP_RESPONSE *r = d2i_OCSP_RESPONSE(NULL, &p, (long)len);
    OCSP_BASICRESP *b = NULL;

    if (r) {
        if (OCSP_response_status(r) == OCSP_RESPONSE_STATUS_SUCCESSFUL)
            b = OCSP_response_get1_basic(r);
        OCSP_RESPONSE_free(r);
    } else {
        p = der;
        b = d2i_OCSP_BASICRESP(NULL, &p, (long)len);
    }
    ERR_clear_error();
    return b;
}

static seal__rev_state unusable(seal__rev *out, const char *why)
{
    out->state = SEAL__REV_UNUSABLE;
    snprintf(out->why, sizeof(out->why), "%s", why);
    return out->state;
}

/* The issuer itself, or a certificate it issued for OCSP signing
 * (RFC 6960 §4.2.2.2). */
static int authorised_responder(X509 *signer, X509 *issuer)
{
    if (X509_cmp(signer, issuer) == 0)
        return 1;
    seal__sm2_set_id(signer); /* an SM2-signed responder certificate: checked with the ID */
    return X509_check_issued(issuer, signer) == X509_V_OK &&
           X509_verify(signer, X509_get0_pubkey(issuer)) == 1 &&
           (X509_get_extension_flags(signer) & EXFLAG_XKUSAGE) &&
           (X509_get_extended_key_usage(signer) & XKU_OCSP_SIGN);
}

seal__rev_state seal__rev_judge_ocsp(OCSP_BASICRESP *bs, X509 *cert, X509 *issuer,
                                     STACK_OF(X509) *extra, seal__rev *out)
{
    int status = -1, reason = 0, found = 0;
    ASN1_GENERALIZEDTIME *revtime = NULL, *thisupd = NULL, *nextupd = NULL;

    memset(out, 0, sizeof(*out));
    out->source = "OCSP";
    if (!bs || !cert || !issuer)
        return out->state;
    /* Responders name the certificate by a SHA-1 or a SHA-256 hash. */
    for (int k = 0; k < 2 && !found; k++) {
        OCSP_CERTID *id = OCSP_cert_to_id(k ? EVP_sha256() : EVP_sha1(), cert, issuer);
        found = id && OCSP_resp_find_status(bs, id, &status, &reason, &revtime, &thisupd, &nextupd) == 1;
        OCSP_CERTID_free(id);
    }
    if (!found) {
        ERR_clear_error();
        return out->state;
    }
    X509 *signer = NULL;
    STACK_OF(X509) *certs = extra ? sk_X509_dup(extra) : sk_X509_new_null();
    /* OpenSSL cannot give an SM2 check the distinguishing ID: sm2cms.c
     * checks an SM2 responder's signature over the tbs bytes. */
    int ok = certs && sk_X509_push(certs, issuer) && OCSP_resp_get0_signer(bs, &signer, certs) == 1 &&
             signer &&
             (seal__sm2_is_key(X509_get0_pubkey(signer))
                  ? seal__sm2_ocsp_verify(bs, X509_get0_pubkey(signer))
                  : OCSP_basic_verify(bs, certs, NULL, OCSP_NOVERIFY) == 1);
    int authorised = ok && authorised_responder(signer, issuer);
    sk_X509_free(certs);
    ERR_clear_error();
    if (!ok)
        return unusable(out, "its responder certificate is missing or its signature does not verify");
    if (!authorised)
        return unusable(out, "it is not signed by the certificate's issuer or a responder the issuer "
                             "authorised for OCSP signing");
    if (status == V_OCSP_CERTSTATUS_REVOKED) {
        out->state = SEAL__REV_REVOKED;
        out->revoked_at = seal__asn1_time(revtime);
    } else if (status == V_OCSP_CERTSTATUS_GOOD) {
        out->state = SEAL__REV_GOOD;
    } else {
        unusable(out, "the responder does not know the certificate");
    }
    return out->state;
}

seal__rev_state seal__rev_judge_crl(X509_CRL *crl, X509 *cert, X509 *issuer, seal__rev *out)
{
    X509_REVOKED *entry = NULL;
    EVP_PKEY *ikey = issuer ? X509_get0_pubkey(issuer) : NULL;

    memset(out, 0, sizeof(*out));
    out->source = "CRL";
    if (!crl || !cert || !ikey ||
        X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer)) != 0)
        return out->state;
    if (seal__sm2_is_key(ikey) ? !seal__sm2_crl_verify(crl, ikey) : X509_CRL_verify(crl, ikey) != 1) {
        ERR_clear_error();
        return unusable(out, "it is not signed by the certificate's issuer");
    }
    if (X509_CRL_get0_by_cert(crl, &entry, cert) == 1 && entry) {
        out->state = SEAL__REV_REVOKED;
        out->revoked_at = seal__asn1_time(X509_REVOKED_get0_revocationDate(entry));
    } else {
        out->state = SEAL__REV_GOOD;
    }
    ERR_clear_error();
    return out->state;
}

/* ------------------------------------------------------------ asking */

/* The first URL of a given access method in the AIA extension, or NULL. */
static char *aia_url(X509 *cert, int method)
{
    AUTHORITY_INFO_ACCESS *aia = X509_get_ext_d2i(cert, NID_info_access, NULL, NULL);
    char *url = NULL;

    for (int i = 0; aia && i < sk_ACCESS_DESCRIPTION_num(aia) && !url; i++) {
        ACCESS_DESCRIPTION *ad = sk_ACCESS_DESCRIPTION_value(aia, i);
        if (OBJ_obj2nid(ad->method) == method && ad->location->type == GEN_URI)
            url = strdup((const char *)ASN1_STRING_get0_data(ad->location->d.uniformResourceIdentifier));
    }
    AUTHORITY_INFO_ACCESS_free(aia);
    return url;
}

char *seal__ocsp_url(X509 *cert)
{
    return aia_url(cert, NID_ad_OCSP);
}

char *seal__crl_url(X509 *cert)
{
    STACK_OF(DIST_POINT) *dps = X509_get_ext_d2i(cert, NID_crl_distribution_points, NULL, NULL);
    char *url = NULL;

    for (int i = 0; dps && i < sk_DIST_POINT_num(dps) && !url; i++) {
        DIST_POINT *dp = sk_DIST_POINT_value(dps, i);
        if (!dp->distpoint || dp->distpoint->type != 0)
            continue;
        GENERAL_NAMES *names = dp->distpoint->name.fullname;
        for (int k = 0; k < sk_GENERAL_NAME_num(names) && !url; k++) {
            GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, k);
            if (gn->type == GEN_URI)
                url = strdup((const char *)ASN1_STRING_get0_data(gn->d.uniformResourceIdentifier));
        }
    }
    sk_DIST_POINT_pop_free(dps, DIST_POINT_free);
    return url;
}

static seal_status ocsp_fetch(seal_ctx *ctx, X509 *cert, X509 *issuer, const char *url,
                              unsigned char **der, size_t *len)
{
    OCSP_REQUEST *req = OCSP_REQUEST_new();
    OCSP_CERTID *id = OCSP_cert_to_id(EVP_sha1(), cert, issuer);
    OCSP_RESPONSE *resp = NULL;
    unsigned char *rq = NULL, *reply = NULL;
    const unsigned char *p;
    size_t replylen = 0;
    int rqlen;
    seal_status st = SEAL_OK;

    *der = NULL;
    *len = 0;
    seal__ossl_clear();
    if (!req || !id || !OCSP_request_add0_id(req, id) || (rqlen = i2d_OCSP_REQUEST(req, &rq)) <= 0) {
        if (req && id && !OCSP_request_onereq_count(req))
            OCSP_CERTID_free(id);
        st = seal__ossl_fail(ctx, SEAL_ERR_CRYPTO, "cannot make an OCSP request");
        goto out;
    }
    if ((st = seal__http(ctx, url, "application/ocsp-request", rq, (size_t)rqlen,
                         "application/ocsp-response", &reply, &replylen)) != SEAL_OK)
        goto out;
    p = reply;
    resp = d2i_OCSP_RESPONSE(NULL, &p, (long)replylen);
    if (!resp || OCSP_response_status(resp) != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
        st = seal__ossl_fail(ctx, SEAL_ERR_NETWORK, "%s did not give a successful OCSP response", url);
        goto out;
    }
    *der = reply;
    *len = replylen;
    reply = NULL;
out:
    OCSP_RESPONSE_free(resp);
    OCSP_REQUEST_free(req);
    OPENSSL_free(rq);
    free(reply);
    ERR_clear_error();
    return st;
}

static seal_status crl_fetch(seal_ctx *ctx, const char *url, unsigned char **der, size_t *len)
{
    const unsigned char *p;
    X509_CRL *crl;
    seal_status st = seal__http(ctx, url, NULL, NULL, 0, NULL, der, len);

    if (st != SEAL_OK)
        return st;
    p = *der;
    crl = d2i_X509_CRL(NULL, &p, (long)*len);
    if (!crl) {
        free(*der);
        *der = NULL;
        ERR_clear_error();
        return seal__fail(ctx, SEAL_ERR_NETWORK, "%s did not serve a DER CRL", url);
    }
    X509_CRL_free(crl);
    return SEAL_OK;
}

seal_status seal__rev_fetch(seal_ctx *ctx, X509 *cert, X509 *issuer, unsigned char **der,
                            size_t *len, int *is_ocsp, char **url)
{
    char *ocsp = seal__ocsp_url(cert), *crl = NULL;
    seal_status st = SEAL_OK;

    *der = NULL;
    *len = 0;
    *is_ocsp = 0;
    *url = NULL;
    if (ocsp && issuer) {
        st = ocsp_fetch(ctx, cert, issuer, ocsp, der, len);
        if (st == SEAL_OK) {
            *is_ocsp = 1;
            *url = ocsp;
            return st;
        }
    }
    crl = seal__crl_url(cert);
    if (crl) {
        char why[600] = "";
        if (st != SEAL_OK) {
            snprintf(why, sizeof(why), "%.590s", ctx->msg);
            seal__reset(ctx); /* the CRL may still answer */
        }
        st = crl_fetch(ctx, crl, der, len);
        if (st != SEAL_OK && why[0]) {
            /* Neither answered: say both. */
            char crlwhy[600];
            snprintf(crlwhy, sizeof(crlwhy), "%.590s", ctx->msg);
            seal__reset(ctx);
            st = seal__fail(ctx, st, "%s; and its CRL: %s", why, crlwhy);
        }
        free(ocsp);
        *url = crl;
        return st;
    }
    /* No CRL either: the OCSP failure is the answer. */
    *url = ocsp;
    return st;
}
