/*
 * Signing keys: the seal_key handle over a PKCS#11 token key, an SKF
 * container key (skf.c) or a PKCS#12/PEM software key (certificate texts
 * and checks: certs.c; PINs: pin.c).
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "ltvint.h"
#include "sm2int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509v3.h>

#define P12_MAX_SIZE (1u << 20)

static seal_status open_p12(seal_ctx *ctx, seal_key *key, const char *path,
                            const seal_key_options *opts)
{
    unsigned char *data = NULL;
    size_t len = 0;
    const unsigned char *p;
    PKCS12 *p12 = NULL;
    char pw[256];
    seal_status st;
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

    if ((st = seal__read_file(ctx, path, P12_MAX_SIZE, &data, &len)) != SEAL_OK)
        return st;
    p = data;
    p12 = d2i_PKCS12(NULL, &p, (long)len);
    free(data);
    if (!p12)
        return seal__ossl_fail(ctx, SEAL_ERR_INPUT, "%s is not a PKCS#12 file", path);

    if (!opts || !opts->pin_cb) {
        PKCS12_free(p12);
        return seal__fail(ctx, SEAL_ERR_CANCELLED, "no password for %s", base);
    }
    st = opts->pin_cb(opts->pin_user, base, SEAL_PIN_P12, pw, sizeof(pw));
    if (st != SEAL_OK) {
        OPENSSL_cleanse(pw, sizeof(pw));
        PKCS12_free(p12);
        if (ctx->status == SEAL_OK)
            seal__fail(ctx, SEAL_ERR_CANCELLED,
                       "no password for %s (use SEAL_P12_PASSWORD or a terminal)", base);
        return ctx->status;
    }
    if (!PKCS12_verify_mac(p12, pw, -1)) {
        OPENSSL_cleanse(pw, sizeof(pw));
        PKCS12_free(p12);
        ERR_clear_error();
        return seal__fail(ctx, SEAL_ERR_PIN_INCORRECT, "wrong password for %s", base);
    }
    if (!PKCS12_parse(p12, pw, &key->soft, &key->cert, &key->chain)) {
        OPENSSL_cleanse(pw, sizeof(pw));
        PKCS12_free(p12);
        return seal__ossl_fail(ctx, SEAL_ERR_INPUT, "cannot read %s", base);
    }
    OPENSSL_cleanse(pw, sizeof(pw));
    PKCS12_free(p12);
    if (!key->soft || !key->cert)
        return seal__fail(ctx, SEAL_ERR_KEY_NOT_FOUND, "%s holds no key with a certificate", base);
    if (!X509_check_private_key(key->cert, key->soft))
        return seal__ossl_fail(ctx, SEAL_ERR_KEY_NOT_FOUND,
                               "the key in %s does not match its certificate", base);
    if (!key->chain && !(key->chain = sk_X509_new_null()))
        return seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
    return SEAL_OK;
}

/* The password callback of an encrypted PEM key: asks once, through the
 * caller's PIN callback, only when the key is encrypted. */
typedef struct pem_pw {
    const seal_key_options *opts;
    const char *base;
    int asked;
    seal_status st;
} pem_pw;

static int pem_password(char *buf, int size, int rwflag, void *u)
{
    pem_pw *pw = u;
    size_t n;

    (void)rwflag;
    pw->asked = 1;
    if (!pw->opts || !pw->opts->pin_cb) {
        pw->st = SEAL_ERR_CANCELLED;
        return -1;
    }
    pw->st = pw->opts->pin_cb(pw->opts->pin_user, pw->base, SEAL_PIN_P12, buf, (size_t)size);
    if (pw->st != SEAL_OK)
        return -1;
    n = strnlen(buf, (size_t)size);
    return (int)n;
}

/* pem:FILE — a private key (PKCS#8, possibly encrypted, or a traditional
 * RSA/EC key) followed by its certificate and, optionally, the chain. */
static seal_status open_pem(seal_ctx *ctx, seal_key *key, const char *path,
                            const seal_key_options *opts)
{
    unsigned char *data = NULL;
    size_t len = 0;
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    pem_pw pw = {opts, base, 0, SEAL_OK};
    seal_status st;
    BIO *b;
    X509 *x;

    if ((st = seal__read_file(ctx, path, P12_MAX_SIZE, &data, &len)) != SEAL_OK)
        return st;
    b = BIO_new_mem_buf(data, (int)len);
    key->soft = b ? PEM_read_bio_PrivateKey(b, NULL, pem_password, &pw) : NULL;
    BIO_free(b);
    if (!key->soft) {
        free(data);
        if (pw.asked && pw.st != SEAL_OK) {
            if (ctx->status == SEAL_OK)
                seal__fail(ctx, SEAL_ERR_CANCELLED,
                           "no password for %s (use SEAL_P12_PASSWORD or a terminal)", base);
            ERR_clear_error();
            return ctx->status;
        }
        if (pw.asked) {
            ERR_clear_error();
            return seal__fail(ctx, SEAL_ERR_PIN_INCORRECT, "wrong password for %s", base);
        }
        return seal__ossl_fail(ctx, SEAL_ERR_INPUT, "%s holds no PEM private key", path);
    }
    if (!(key->chain = sk_X509_new_null())) {
        free(data);
        return seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
    }
    b = BIO_new_mem_buf(data, (int)len);
    while (b && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
        if (!key->cert && X509_check_private_key(x, key->soft))
            key->cert = x;
        else if (!sk_X509_push(key->chain, x))
            X509_free(x);
    }
    BIO_free(b);
    free(data);
    ERR_clear_error();
    if (!key->cert)
        return seal__fail(ctx, SEAL_ERR_KEY_NOT_FOUND,
                          "%s holds no certificate of its private key (put the certificate after "
                          "the key)", base);
    return SEAL_OK;
}

/* The certificates of a --chain PEM file, for the chain walk. */
static seal_status read_chain_file(seal_ctx *ctx, const char *path, STACK_OF(X509) *out)
{
    BIO *b = BIO_new_file(path, "r");
    X509 *x;
    int added = 0;

    if (!b)
        return seal__ossl_fail(ctx, SEAL_ERR_IO, "cannot read certificate chain %s", path);
    while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
        if (sk_X509_push(out, x))
            added++;
        else
            X509_free(x);
    }
    BIO_free(b);
    ERR_clear_error();
    if (!added)
        return seal__fail(ctx, SEAL_ERR_INPUT, "%s holds no PEM certificate", path);
    return SEAL_OK;
}

/* The signer's chain, every intermediate (and the root when one is
 * found), from the certificates that came with the key (token or
 * PKCS#12), then --chain, SEAL_CA_PATH, the system trust store, and AIA
 * caIssuers. Only a chain nothing completes is warned about, naming the
 * issuer that is missing. */
static seal_status complete_chain(seal_ctx *ctx, seal_key *key, const seal_key_options *opts,
                                  const char *what)
{
    seal__chain_sources src = {0};
    seal__chain_gap gap;
    seal_status st = SEAL_OK;

    src.pool = key->chain;
    src.extra = sk_X509_new_null();
    src.ca_path = getenv("SEAL_CA_PATH");
    src.system = 1;
    src.aia = 1;
    key->chain = sk_X509_new_null();
    if (!src.extra || !key->chain)
        st = seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
    if (st == SEAL_OK && opts && opts->chain_path)
        st = read_chain_file(ctx, opts->chain_path, src.extra);
    if (st == SEAL_OK)
        st = seal__chain_complete(ctx, key->cert, key->chain, &src, &gap);
    if (st == SEAL_OK && !gap.complete) {
        char aia[900] = "";
        if (gap.url[0])
            snprintf(aia, sizeof(aia), "; its AIA caIssuers %s failed: %s", gap.url, gap.why);
        else
            snprintf(aia, sizeof(aia), "; no AIA caIssuers URL names it");
        seal__warn(ctx, "the certificate chain of %s is incomplete: the issuer '%s' was not found "
                        "on the token, in --chain, SEAL_CA_PATH or the system trust store%s. "
                        "Signatures will lack it, and verifiers must find it themselves "
                        "(--chain CA.pem includes it)",
                   what, gap.missing, aia);
    }
    sk_X509_pop_free(src.pool, X509_free);
    sk_X509_pop_free(src.extra, X509_free);
    return st;
}

/* The key a URI names into key; `sign`: its signing certificate (SKF
 * containers hold a signing and an encryption key pair). *what names it
 * for messages. */
static seal_status open_uri(seal_ctx *ctx, seal_key *key, const char *uri,
                            const seal_key_options *opts, int sign, char *what, size_t size)
{
    seal_status st;

    if (!strncmp(uri, "p12:", 4)) {
        st = open_p12(ctx, key, uri + 4, opts);
        snprintf(what, size, "%s", uri + 4);
    } else if (!strncmp(uri, "pem:", 4)) {
        st = open_pem(ctx, key, uri + 4, opts);
        snprintf(what, size, "%s", uri + 4);
    } else if (!strncmp(uri, "pkcs11:", 7) && sign) {
        st = seal__p11_open(ctx, &key->p11, uri, opts, &key->cert, &key->chain);
        if (st == SEAL_OK)
            snprintf(what, size, "the key on token '%s'", seal__p11_label(key->p11));
    } else if (!strncmp(uri, "skf:", 4)) {
        st = seal__skf_open(ctx, &key->skf, uri, opts, sign, &key->cert);
        if (st == SEAL_OK && !(key->chain = sk_X509_new_null()))
            st = seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
        if (st == SEAL_OK)
            snprintf(what, size, "the key in SKF %s", seal__skf_label(key->skf));
    } else {
        st = seal__fail(ctx, SEAL_ERR_ARGS,
                        "a key is 'pkcs11:...' (RFC 7512), 'skf:lib=...', 'p12:FILE' or 'pem:FILE', "
                        "not '%s'",
                        uri);
    }
    return st;
}

/* The end of an open: the key handed out, or freed on failure. */
static seal_status key_opened(seal_key *key, seal_status st, seal_key **out)
{
    ERR_clear_error();
    if (st != SEAL_OK) {
        seal_key_free(key);
        return st;
    }
    seal__cert_text_fill(&key->text, key->cert);
    *out = key;
    return SEAL_OK;
}

seal_status seal__key_open_decrypt(seal_ctx *ctx, seal_key **out, const char *uri,
                                   const seal_key_options *opts)
{
    seal_key *key = calloc(1, sizeof(*key));
    char what[300];
    seal_status st;

    *out = NULL;
    if (!key)
        return seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
    pthread_mutex_init(&key->lock, NULL);
    st = open_uri(ctx, key, uri, opts, 0, what, sizeof(what));
    return key_opened(key, st, out);
}

SEAL_API seal_status seal_key_open(seal_ctx *ctx, seal_key **out, const char *uri,
                                   const seal_key_options *opts)
{
    seal_key *key;
    seal_status st;
    char what[300];

    if (!ctx || !out)
        return SEAL_ERR_ARGS;
    seal__reset(ctx);
    *out = NULL;
    if (!uri)
        return seal__fail(ctx, SEAL_ERR_ARGS, "no key given");
    if (opts && opts->version != SEAL_KEY_OPTIONS_VERSION)
        return seal__fail(ctx, SEAL_ERR_ARGS, "unknown seal_key_options version %u", opts->version);
    key = calloc(1, sizeof(*key));
    if (!key)
        return seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
    pthread_mutex_init(&key->lock, NULL);
    seal__ossl_clear();
    st = open_uri(ctx, key, uri, opts, 1, what, sizeof(what));
    if (st == SEAL_OK)
        st = seal__key_check_cert(ctx, key->cert, what);
    if (st == SEAL_OK)
        st = complete_chain(ctx, key, opts, what);
    return key_opened(key, st, out);
}

SEAL_API void seal_key_free(seal_key *key)
{
    if (!key)
        return;
    seal__p11_close(key->p11);
    seal__skf_close(key->skf);
    EVP_PKEY_free(key->soft);
    X509_free(key->cert);
    sk_X509_pop_free(key->chain, X509_free);
    seal__cert_text_free(&key->text);
    pthread_mutex_destroy(&key->lock);
    free(key);
}

SEAL_API seal_status seal_key_cert(seal_ctx *ctx, const seal_key *key, seal_cert_info *out)
{
    if (!ctx || !key || !out)
        return SEAL_ERR_ARGS;
    seal__reset(ctx);
    seal__cert_info(out, &key->text, key->cert);
    return SEAL_OK;
}

static seal_status soft_sign(seal_ctx *ctx, EVP_PKEY *pk, int md_nid, const unsigned char *md,
                             size_t mdlen, unsigned char **sig, size_t *siglen)
{
    EVP_PKEY_CTX *pctx;
    size_t len = 0;

    *sig = NULL;
    if (seal__sm2_is_key(pk)) {
        /* md is e = SM3(Z || M), computed by the caller with the ID. */
        if (md_nid != NID_sm3 || mdlen != 32 || !seal__sm2_sign_digest(pk, md, sig, siglen))
            return seal__ossl_fail(ctx, SEAL_ERR_CRYPTO, "signing with the software SM2 key failed");
        return SEAL_OK;
    }
    pctx = EVP_PKEY_CTX_new(pk, NULL);
    if (!pctx || EVP_PKEY_sign_init(pctx) <= 0 ||
        EVP_PKEY_CTX_set_signature_md(pctx, EVP_get_digestbynid(md_nid)) <= 0 ||
        (EVP_PKEY_get_base_id(pk) == EVP_PKEY_RSA &&
         EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) <= 0) ||
        EVP_PKEY_sign(pctx, NULL, &len, md, mdlen) <= 0 || !(*sig = malloc(len)) ||
        EVP_PKEY_sign(pctx, *sig, &len, md, mdlen) <= 0) {
        free(*sig);
        *sig = NULL;
        EVP_PKEY_CTX_free(pctx);
        return seal__ossl_fail(ctx, SEAL_ERR_CRYPTO, "signing with the software key failed");
    }
    EVP_PKEY_CTX_free(pctx);
    *siglen = len;
    return SEAL_OK;
}

seal_status seal__key_sign(seal_ctx *ctx, seal_key *key, int md_nid, const unsigned char *md,
                           size_t mdlen, unsigned char **sig, size_t *siglen)
{
    seal_status st;

    /* A PKCS#11 session must not be used by two threads at once. Software
     * keys sign in parallel: each signature has its own EVP_PKEY_CTX. */
    if (!key->p11 && !key->skf)
        return soft_sign(ctx, key->soft, md_nid, md, mdlen, sig, siglen);
    pthread_mutex_lock(&key->lock);
    st = key->skf ? seal__skf_sign(ctx, key->skf, md_nid, md, mdlen, sig, siglen)
                  : seal__p11_sign(ctx, key->p11, md_nid, md, mdlen, sig, siglen);
    pthread_mutex_unlock(&key->lock);
    return st;
}
