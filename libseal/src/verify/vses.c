/*
 * Verifying a GB/T 38540 SES_Signature found in /Contents (the "second
 * school" of docs/eseal.md, written by seal sign --format ses): dataHash
 * against the digest of the ByteRange, the signer's signature over
 * TBS_Sign as received, its [0] time-stamp, and the signer's certificate
 * judged as for a CMS (vcms.c). The seal it carries is judged by veseal.c
 * like a /SealESeal.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "sesint.h"
#include "verifyint.h"

#include <string.h>

#include <openssl/err.h>
#include <openssl/objects.h>

/* The digest of the ByteRange that dataHash holds: SM3 for SM2 (GB/T
 * 38540), else the signature algorithm's own. */
static const EVP_MD *range_md(const seal__ses_sig *ses)
{
    const char *alg = seal__ses_sig_algorithm(ses);
    int md = NID_undef, pk = NID_undef;
    if (!strcmp(alg, "SM2-with-SM3"))
        return EVP_sm3();
    int nid = OBJ_ln2nid(alg);
    if (nid == NID_undef)
        nid = OBJ_txt2nid(alg);
    if (!OBJ_find_sigid_algs(nid, &md, &pk) || md == NID_undef)
        return NULL;
    return EVP_get_digestbynid(md);
}

int seal__vses_parse(seal_ctx *ctx, vsig *s)
{
    size_t used = s->contents_ok && s->contents ? seal__ses_sig_span(s->contents, s->contents_len) : 0;

    if (!used || s->doc_ts) /* a document time-stamp is a token, never an SES_Signature */
        return 0;
    if (seal__ses_sig_parse(ctx, s->contents, used, &s->ses) != SEAL_OK) {
        seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_FORMAT_FAILURE,
                      "/Contents holds neither a CMS nor a readable SES_Signature (%s)", seal_ctx_message(ctx));
        seal__reset(ctx);
        return 1;
    }
    for (size_t i = used; i < s->contents_len; i++)
        if (s->contents[i] != 0) {
            seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_FORMAT_FAILURE,
                          "non-zero bytes after the SES_Signature in /Contents (offset %zu)", i);
            return 1;
        }
    s->range_md = range_md(s->ses);
    if (!s->range_md) {
        seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_HASH_FAILURE,
                      "unknown or unsupported signature algorithm %s: the signed bytes cannot be checked",
                      seal__ses_sig_algorithm(s->ses));
        return 1;
    }
    snprintf(s->digest_alg, sizeof(s->digest_alg), "%s", EVP_MD_get0_name(s->range_md));
    ERR_clear_error();
    return 1;
}

void seal__vses_verify(seal_ctx *ctx, vtrust *t, vsig *s)
{
    size_t hlen, siglen, toklen;

    if (!s->ses || !s->hashed)
        return;
    const unsigned char *hash = seal__ses_sig_data_hash(s->ses, &hlen);
    if (hlen != s->digest_len || memcmp(hash, s->digest, hlen)) {
        seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_HASH_FAILURE,
                      "dataHash does not match the signed bytes: the document was changed");
        return;
    }
    X509 *cert = seal__ses_sig_signer(s->ses);
    X509_up_ref(cert);
    s->signer_cert = cert;
    seal__vcms_cert_strings(s, cert);
    int rc = seal__ses_sig_verify(s->ses);
    if (rc < 0) {
        seal__vfy_set(s, SEAL_INDETERMINATE, SEAL_SUB_CRYPTO_CONSTRAINTS_FAILURE,
                      "the SES signature algorithm %s is not supported", seal__ses_sig_algorithm(s->ses));
        return;
    }
    if (rc == 0) {
        seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_SIG_CRYPTO_FAILURE,
                      "the signature value does not verify with the signer's certificate");
        return;
    }
    s->r.intact = 1;
    if (!s->claimed)
        s->claimed = seal__ses_sig_time(s->ses);
    const unsigned char *tok = seal__ses_sig_timestamp(s->ses, &toklen);
    const unsigned char *value = seal__ses_sig_value(s->ses, &siglen);
    if (tok)
        seal__vcms_sig_timestamp(ctx, t, s, tok, toklen, value, siglen);
    seal__vcms_judge_signer(ctx, t, s, cert, s->range_md, NULL);
    ERR_clear_error();
}
