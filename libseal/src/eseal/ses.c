/*
 * GB/T 38540 SES_Signature, the electronic signature with a seal: reading
 * v4 (GB/T 38540-2020) and v1 (GM/T 0031-2014) with seal__der_next,
 * tolerantly, and checking the signer's signature over TBS_Sign as
 * received; writing v4 ones for PDF signing (--format ses). The embedded
 * SES_Seal is read by eseal.c.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "esealint.h"
#include "keyint.h"
#include "ltvint.h"
#include "sesint.h"
#include "sm2int.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/sha.h>
#include <openssl/ts.h>
#include <openssl/x509.h>

#define SES_MAX (16u << 20)

struct seal__ses_sig {
    unsigned char *der;
    size_t len;
    int layout;                /* 4 or 1 */
    const unsigned char *tbs;  /* TBS_Sign, whole encoding as received */
    size_t tbs_len;
    seal_eseal *eseal;
    X509 *signer;
    char alg[64];
    const unsigned char *sig;  /* value after the unused-bits byte */
    size_t sig_len;
    int sig_unused;
    unsigned char *hash;       /* dataHash, re-padded when trimmed */
    size_t hash_len;
    char *property;
    long long time;
    const unsigned char *ts;   /* [0] timeStamp token */
    size_t ts_len;
};

static int next_is(seal__der *d, int want, const unsigned char **c, size_t *n,
                   const unsigned char **w, size_t *wl)
{
    int tag;
    return seal__der_next(d, &tag, c, n, w, wl) && tag == want;
}

/* A bit string's value owned by s, with a trimmed last octet put back. */
static int take_hash(seal__ses_sig *s, int tag, const unsigned char *c, size_t n)
{
    const unsigned char *v;
    size_t vl;
    int unused;
    if (!seal__eseal_bits(tag, c, n, &v, &vl, &unused) || !vl || vl > 64)
        return 0;
    if (!(s->hash = calloc(1, vl + 1)))
        return 0;
    memcpy(s->hash, v, vl);
    s->hash_len = vl + (unused ? 1 : 0);
    return 1;
}

/* The genTime of a time-stamp token (GM/T 0031 timeInfo may hold one). */
static int token_time(const unsigned char *p, size_t n, long long *out)
{
    PKCS7 *tok = d2i_PKCS7(NULL, &p, (long)n);
    TS_TST_INFO *info = tok ? PKCS7_to_TS_TST_INFO(tok) : NULL;
    *out = info ? seal__asn1_time(TS_TST_INFO_get_time(info)) : 0;
    TS_TST_INFO_free(info);
    PKCS7_free(tok);
    return *out != 0;
}

/* timeInfo: v4 GeneralizedTime; v1 a BIT STRING (or OCTET STRING) holding
 * time text or a time-stamp token, or a plain time. */
static int take_time(seal__ses_sig *s, int tag, const unsigned char *c, size_t n)
{
    const unsigned char *v;
    size_t vl;
    int unused;
    if (tag == 0x18 || tag == 0x17)
        return seal__eseal_time_text(c, n, &s->time);
    if (!seal__eseal_bits(tag, c, n, &v, &vl, &unused))
        return 0;
    if (vl && v[0] == 0x30)
        return token_time(v, vl, &s->time);
    return seal__eseal_time_text(v, vl, &s->time);
}

static int take_string(seal__ses_sig *s, int tag, const unsigned char *c, size_t n)
{
    if (tag != 0x16 && tag != 0x0c && tag != 0x13 && tag != 0x04)
        return 0;
    if (!(s->property = malloc(n + 1)))
        return 0;
    for (size_t i = 0; i < n; i++)
        s->property[i] = c[i] ? (char)c[i] : '?';
    s->property[n] = 0;
    return 1;
}

static int take_cert(seal__ses_sig *s, int tag, const unsigned char *c, size_t n)
{
    const unsigned char *p = c;
    if (tag != 0x04 || !(s->signer = d2i_X509(NULL, &p, (long)n)) || p != c + n)
        return 0;
    seal__sm2_set_id(s->signer); /* its chain to --trust anchors */
    return 1;
}

static int take_alg(seal__ses_sig *s, int tag, const unsigned char *w, size_t wl)
{
    return tag == 0x06 && seal__eseal_alg_name(w, wl, s->alg, sizeof(s->alg));
}

/* TBS_Sign: version, eseal, timeInfo, dataHash, propertyInfo, then v4
 * [0] extDatas OPTIONAL (ignored), v1 cert and signatureAlgorithm. The
 * seal is parsed last (its parse resets the context's message). */
static const char *parse_tbs(seal__ses_sig *s, const unsigned char **seal, size_t *seal_len)
{
    seal__der d = {s->tbs, s->tbs + s->tbs_len}, t;
    const unsigned char *c, *w;
    size_t n, wl;
    int tag;

    if (!next_is(&d, 0x30, &c, &n, NULL, NULL))
        return "TBS_Sign";
    t = (seal__der){c, c + n};
    if (!next_is(&t, 0x02, &c, &n, NULL, NULL) || n < 1 || n > 4)
        return "TBS_Sign version";
    if (!next_is(&t, 0x30, &c, &n, seal, seal_len))
        return "TBS_Sign eseal";
    if (!seal__der_next(&t, &tag, &c, &n, NULL, NULL) || !take_time(s, tag, c, n))
        return "timeInfo";
    if (!seal__der_next(&t, &tag, &c, &n, NULL, NULL) || !take_hash(s, tag, c, n))
        return "dataHash";
    if (!seal__der_next(&t, &tag, &c, &n, NULL, NULL) || !take_string(s, tag, c, n))
        return "propertyInfo";
    if (s->layout == 1) {
        if (!seal__der_next(&t, &tag, &c, &n, NULL, NULL) || !take_cert(s, tag, c, n))
            return "signer certificate";
        if (!seal__der_next(&t, &tag, &c, &n, &w, &wl) || !take_alg(s, tag, w, wl))
            return "signature algorithm";
    } else if (t.p < t.end && (!seal__der_next(&t, &tag, &c, &n, NULL, NULL) || tag != 0xa0)) {
        return "TBS_Sign extDatas";
    }
    if (t.p != t.end)
        return "TBS_Sign (trailing elements)";
    return NULL;
}

/* The v4 [0] timeStamp: EXPLICIT around a BIT STRING (as written in
 * practice), or IMPLICIT. */
static int take_timestamp(seal__ses_sig *s, int tag, const unsigned char *c, size_t n)
{
    int unused;
    if (tag == 0xa0) {
        seal__der in = {c, c + n};
        const unsigned char *x;
        size_t xl;
        if (!seal__der_next(&in, &tag, &x, &xl, NULL, NULL) || in.p != in.end)
            return 0;
        if (tag == 0x30) { /* the token itself */
            s->ts = c;
            s->ts_len = n;
            return 1;
        }
        c = x;
        n = xl;
    } else if (tag != 0x80) {
        return 0;
    } else {
        tag = 0x03;
    }
    return seal__eseal_bits(tag, c, n, &s->ts, &s->ts_len, &unused) && s->ts_len;
}

/* SES_Signature: v4 {TBS_Sign, cert, signatureAlgID, signature,
 * [0] timeStamp OPTIONAL}; v1 {TBS_Sign, signature}. */
static const char *parse_outer(seal__ses_sig *s, const unsigned char **seal, size_t *seal_len)
{
    seal__der outer = {s->der, s->der + s->len}, d;
    const unsigned char *c, *x, *w;
    size_t n, xl, wl, count = 0;
    int tag;
    const char *why;

    if (!next_is(&outer, 0x30, &c, &n, NULL, NULL) || outer.p != outer.end)
        return "not a DER SEQUENCE (SES_Signature)";
    d = (seal__der){c, c + n};
    while (seal__der_next(&d, &tag, &x, &xl, NULL, NULL))
        count++;
    if (d.p != d.end || (count != 2 && count != 4 && count != 5))
        return "SES_Signature has neither the GM/T 0031 (2) nor the GB/T 38540 (4) fields";
    s->layout = count == 2 ? 1 : 4;
    d = (seal__der){c, c + n};
    seal__der_next(&d, &tag, &x, &xl, &s->tbs, &s->tbs_len);
    if ((why = parse_tbs(s, seal, seal_len)) != NULL)
        return why;
    if (s->layout == 4) {
        if (!seal__der_next(&d, &tag, &x, &xl, NULL, NULL) || !take_cert(s, tag, x, xl))
            return "signer certificate";
        if (!seal__der_next(&d, &tag, &x, &xl, &w, &wl) || !take_alg(s, tag, w, wl))
            return "signature algorithm";
    }
    if (!seal__der_next(&d, &tag, &x, &xl, NULL, NULL) ||
        !seal__eseal_bits(tag, x, xl, &s->sig, &s->sig_len, &s->sig_unused) || !s->sig_len)
        return "signature";
    if (count == 5 && (!seal__der_next(&d, &tag, &x, &xl, NULL, NULL) || !take_timestamp(s, tag, x, xl)))
        return "timeStamp";
    return NULL;
}

size_t seal__ses_sig_span(const unsigned char *der, size_t len)
{
    seal__der d = {der, der + len}, in;
    const unsigned char *c, *x;
    size_t cl, xl;
    int tag;
    if (!seal__der_next(&d, &tag, &c, &cl, NULL, NULL) || tag != 0x30)
        return 0;
    in = (seal__der){c, c + cl};
    if (!seal__der_next(&in, &tag, &x, &xl, NULL, NULL) || tag != 0x30)
        return 0;
    return (size_t)(d.p - der);
}

void seal__ses_sig_free(seal__ses_sig *s)
{
    if (!s)
        return;
    seal_eseal_free(s->eseal);
    X509_free(s->signer);
    free(s->hash);
    free(s->property);
    free(s->der);
    free(s);
}

seal_status seal__ses_sig_parse(seal_ctx *ctx, const unsigned char *der, size_t len, seal__ses_sig **out)
{
    seal__ses_sig *s;
    const unsigned char *seal = NULL;
    size_t seal_len = 0;
    const char *why;

    *out = NULL;
    if (!der || len > SES_MAX)
        return seal__fail(ctx, SEAL_ERR_INPUT, "not a GB/T 38540 electronic signature: %s",
                          der ? "larger than 16 MB" : "empty");
    if (!(s = calloc(1, sizeof(*s))) || !(s->der = malloc(len ? len : 1))) {
        free(s);
        return seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
    }
    memcpy(s->der, der, len);
    s->len = len;
    seal__ossl_clear();
    why = parse_outer(s, &seal, &seal_len);
    seal__ossl_clear();
    if (why) {
        seal__ses_sig_free(s);
        return seal__fail(ctx, SEAL_ERR_INPUT, "not a GB/T 38540 electronic signature: bad %s", why);
    }
    seal_status st = seal_eseal_parse(ctx, &s->eseal, seal, seal_len);
    if (st != SEAL_OK) {
        char msg[SEAL_MSG_MAX];
        snprintf(msg, sizeof(msg), "%s", seal_ctx_message(ctx));
        seal__ses_sig_free(s);
        return st == SEAL_ERR_NOMEM ? st
                                    : seal__fail(ctx, SEAL_ERR_INPUT,
                                                 "the electronic signature's seal cannot be read: %s", msg);
    }
    *out = s;
    return SEAL_OK;
}

int seal__ses_sig_version(const seal__ses_sig *s)
{
    return s->layout;
}

const seal_eseal *seal__ses_sig_eseal(const seal__ses_sig *s)
{
    return s->eseal;
}

X509 *seal__ses_sig_signer(const seal__ses_sig *s)
{
    return s->signer;
}

const unsigned char *seal__ses_sig_data_hash(const seal__ses_sig *s, size_t *len)
{
    *len = s->hash_len;
    return s->hash;
}

const char *seal__ses_sig_property(const seal__ses_sig *s)
{
    return s->property;
}

long long seal__ses_sig_time(const seal__ses_sig *s)
{
    return s->time;
}

const unsigned char *seal__ses_sig_timestamp(const seal__ses_sig *s, size_t *len)
{
    if (len)
        *len = s->ts_len;
    return s->ts;
}

const char *seal__ses_sig_algorithm(const seal__ses_sig *s)
{
    return s->alg;
}

const unsigned char *seal__ses_sig_value(const seal__ses_sig *s, size_t *len)
{
    *len = s->sig_len;
    return s->sig;
}

int seal__ses_sig_verify(const seal__ses_sig *s)
{
    seal__ossl_clear();
    int rc = seal__eseal_verify_value(X509_get0_pubkey(s->signer), s->alg, s->tbs, s->tbs_len, s->sig,
                                      s->sig_len, s->sig_unused);
    seal__ossl_clear();
    return rc;
}

/* ------------------------------------------------------------ writing */

size_t seal__ses_sig_max_size(seal_key *key, const seal_eseal *es, size_t property_len)
{
    size_t eslen = 0;
    seal__eseal_der(es, &eslen);
    /* The certificate, the seal, the property; framing, time, hash, OID
     * and a DER SM2 value (at most 72 bytes) fit in 256. */
    int certlen = i2d_X509(key->cert, NULL);
    return eslen + (certlen > 0 ? (size_t)certlen : 4096) + property_len + 256;
}

/* TBS_Sign v4 (no extDatas). */
static void tbs_sign(seal__dbuf *tbs, const seal_eseal *es, long long when, const unsigned char *hash,
                     size_t hash_len, const char *property)
{
    seal__dbuf body = {0};
    size_t eslen;
    const unsigned char *esder = seal__eseal_der(es, &eslen);
    seal__dbuf_uint(&body, 4);
    seal__dbuf_put(&body, esder, eslen);
    seal__dbuf_gentime(&body, when);
    seal__dbuf_bits(&body, hash, hash_len);
    seal__dbuf_str(&body, V_ASN1_IA5STRING, property);
    seal__dbuf_seq(tbs, &body);
}

/* The [0] timeStamp: an RFC 3161 token over the signature value. */
static seal_status stamp(seal_ctx *ctx, const char *tsa_url, const unsigned char *sig, size_t siglen,
                         seal__dbuf *out)
{
    unsigned char md[32], *token = NULL;
    size_t toklen = 0;
    seal_status st;
    SHA256(sig, siglen, md);
    if ((st = seal__tsa_stamp(ctx, tsa_url, md, sizeof(md), &token, &toklen)) != SEAL_OK)
        return st;
    seal__dbuf bits = {0};
    seal__dbuf_bits(&bits, token, toklen);
    seal__dbuf_wrap(out, 0, V_ASN1_CONTEXT_SPECIFIC, &bits);
    free(token);
    return SEAL_OK;
}

/* What a verifier will see, before the value leaves: it reads, and the
 * signature verifies. */
static seal_status self_check(seal_ctx *ctx, const seal__dbuf *whole)
{
    seal__ses_sig *s = NULL;
    seal_status st = seal__ses_sig_parse(ctx, whole->p, whole->n, &s);
    if (st == SEAL_OK && seal__ses_sig_verify(s) != 1)
        st = seal__fail(ctx, SEAL_ERR_CRYPTO, "the SES signature made does not verify");
    else if (st != SEAL_OK && st != SEAL_ERR_NOMEM)
        st = seal__fail(ctx, SEAL_ERR_INTERNAL, "the SES signature made cannot be read back");
    seal__ses_sig_free(s);
    return st;
}

seal_status seal__ses_sig_make(seal_ctx *ctx, seal_key *key, const seal_eseal *es, long long when,
                               const unsigned char *data_hash, size_t hash_len, const char *property,
                               const char *tsa_url, unsigned char **der, size_t *len)
{
    EVP_PKEY *pub = X509_get0_pubkey(key->cert);
    seal__dbuf tbs = {0}, body = {0}, whole = {0};
    unsigned char e[32], *sig = NULL, *cert = NULL;
    size_t siglen = 0;
    seal_status st;

    *der = NULL;
    if (!seal__sm2_is_key(pub)) {
        char *who = seal__name_line(X509_get_subject_name(key->cert));
        st = seal__fail(ctx, SEAL_ERR_CERT, "an SES signature (GB/T 38540) needs an SM2 key; %s has %s key",
                        who ? who : "the certificate", pub && EVP_PKEY_is_a(pub, "RSA") ? "an RSA" : "another");
        free(who);
        return st;
    }
    seal__ossl_clear();
    tbs_sign(&tbs, es, when, data_hash, hash_len, property);
    if (tbs.oom) {
        st = seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
        goto out;
    }
    if (!seal__sm2_digest(pub, tbs.p, tbs.n, e)) {
        st = seal__ossl_fail(ctx, SEAL_ERR_CRYPTO, "SM3 of the SES signature's TBS_Sign");
        goto out;
    }
    if ((st = seal__key_sign(ctx, key, NID_sm3, e, sizeof(e), &sig, &siglen)) != SEAL_OK ||
        (st = seal__sm2_key_value(ctx, pub, e, &sig, &siglen)) != SEAL_OK)
        goto out;
    int certlen = i2d_X509(key->cert, &cert);
    seal__dbuf_put(&body, tbs.p, tbs.n);
    seal__dbuf_tlv(&body, V_ASN1_OCTET_STRING, 0, cert, certlen > 0 ? (size_t)certlen : 0);
    seal__dbuf_oid(&body, NID_SM2_with_SM3);
    seal__dbuf_bits(&body, sig, siglen);
    if (tsa_url && (st = stamp(ctx, tsa_url, sig, siglen, &body)) != SEAL_OK)
        goto out;
    seal__dbuf_seq(&whole, &body);
    if (whole.oom) {
        st = seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
        goto out;
    }
    if ((st = self_check(ctx, &whole)) != SEAL_OK)
        goto out;
    *der = whole.p;
    *len = whole.n;
    whole.p = NULL;
out:
    OPENSSL_free(cert);
    free(sig);
    free(tbs.p);
    free(body.p);
    free(whole.p);
    seal__ossl_clear();
    return st;
}
