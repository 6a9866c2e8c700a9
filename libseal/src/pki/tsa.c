/*
 * Network services for long-term signatures: RFC 3161 time-stamps, OCSP
 * responses and CRLs, fetched with libcurl (time-outs, a few retries with
 * back-off, the usual proxy environment variables honoured by libcurl).
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "ltvint.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/rand.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>

#define NET_TRIES 3
#define NET_CONNECT_TIMEOUT 10L
#define NET_TIMEOUT 30L
#define NET_MAX_REPLY (4u << 20)

/* libcurl, with the ~25 libraries it pulls in (TLS, LDAP, Kerberos, SSH,
 * IDN), takes about 15 ms to load: more than an offline verification of a
 * 20 MB bid takes. It is loaded on the first fetch, not at start-up. */
#define CURL_SONAME "libcurl.so.4"

static struct {
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_perform)(CURL *);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    void (*easy_cleanup)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    char why[200]; /* why it could not be loaded */
} curl;

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void *curl_sym(void *lib, const char *name)
{
    void *f = dlsym(lib, name);
    if (!f && !curl.why[0])
        snprintf(curl.why, sizeof(curl.why), "%s has no %s", CURL_SONAME, name);
    return f;
}

static void init_curl(void)
{
    void *lib = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        snprintf(curl.why, sizeof(curl.why), "cannot load %s (install libcurl4): %s", CURL_SONAME, dlerror());
        return;
    }
    CURLcode (*global_init)(long) = (CURLcode(*)(long))curl_sym(lib, "curl_global_init");
    curl.easy_init = (CURL * (*)(void)) curl_sym(lib, "curl_easy_init");
    curl.easy_setopt = (CURLcode(*)(CURL *, CURLoption, ...))curl_sym(lib, "curl_easy_setopt");
    curl.easy_perform = (CURLcode(*)(CURL *))curl_sym(lib, "curl_easy_perform");
    curl.easy_getinfo = (CURLcode(*)(CURL *, CURLINFO, ...))curl_sym(lib, "curl_easy_getinfo");
    curl.easy_cleanup = (void (*)(CURL *))curl_sym(lib, "curl_easy_cleanup");
    curl.easy_strerror = (const char *(*)(CURLcode))curl_sym(lib, "curl_easy_strerror");
    curl.slist_append = (struct curl_slist * (*)(struct curl_slist *, const char *))
        curl_sym(lib, "curl_slist_append");
    curl.slist_free_all = (void (*)(struct curl_slist *))curl_sym(lib, "curl_slist_free_all");
    if (!curl.why[0] && global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        snprintf(curl.why, sizeof(curl.why), "%s cannot start", CURL_SONAME);
    /* Loaded once for the life of the process, never closed. */
}

typedef struct body {
    unsigned char *data;
    size_t len;
    int too_big;
} body;

static size_t collect(char *ptr, size_t size, size_t nmemb, void *user)
{
    body *b = user;
    size_t n = size * nmemb;
    if (b->len + n > NET_MAX_REPLY) {
        b->too_big = 1;
        return 0;
    }
    unsigned char *grown = realloc(b->data, b->len + n + 1);
    if (!grown)
        return 0;
    memcpy(grown + b->len, ptr, n);
    b->data = grown;
    b->len += n;
    return n;
}

seal_status seal__http(seal_ctx *ctx, const char *url, const char *content_type,
                       const unsigned char *req, size_t reqlen, const char *accept,
                       unsigned char **reply, size_t *replylen)
{
    CURL *c;
    char errbuf[CURL_ERROR_SIZE] = "";
    char ctype[128], acc[128];
    struct curl_slist *headers = NULL;
    long status = 0;
    CURLcode rc = CURLE_OK;
    body b = {0};

    *reply = NULL;
    *replylen = 0;
    if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
        return seal__fail(ctx, SEAL_ERR_ARGS, "unsupported URL %s (http:// or https://)", url);
    pthread_once(&curl_once, init_curl);
    if (curl.why[0])
        return seal__fail(ctx, SEAL_ERR_NETWORK, "cannot fetch %s: %s", url, curl.why);
    c = curl.easy_init();
    if (!c)
        return seal__fail(ctx, SEAL_ERR_NOMEM, "cannot start an HTTP client");
    if (content_type) {
        snprintf(ctype, sizeof(ctype), "Content-Type: %s", content_type);
        headers = curl.slist_append(headers, ctype);
    }
    if (accept) {
        snprintf(acc, sizeof(acc), "Accept: %s", accept);
        headers = curl.slist_append(headers, acc);
    }
    curl.easy_setopt(c, CURLOPT_URL, url);
    curl.easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl.easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl.easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl.easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    /* SEAL_NET_TIMEOUT (seconds) bounds each try, e.g. for tests of a hung
     * service; the defaults suit a busy CA server. */
    long timeout = NET_TIMEOUT, connect_timeout = NET_CONNECT_TIMEOUT;
    const char *env = getenv("SEAL_NET_TIMEOUT");
    if (env && atol(env) > 0 && atol(env) <= 600) {
        timeout = atol(env);
        connect_timeout = timeout < connect_timeout ? timeout : connect_timeout;
    }
    curl.easy_setopt(c, CURLOPT_CONNECTTIMEOUT, connect_timeout);
    curl.easy_setopt(c, CURLOPT_TIMEOUT, timeout);
    curl.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl.easy_setopt(c, CURLOPT_MAXREDIRS, 3L);
    curl.easy_setopt(c, CURLOPT_USERAGENT, "libseal/" SEAL_VERSION_STRING);
    if (req) {
        curl.easy_setopt(c, CURLOPT_POST, 1L);
        curl.easy_setopt(c, CURLOPT_POSTFIELDS, req);
        curl.easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)reqlen);
    }
    /* A few tries with back-off: time-stamp servers of CAs are often busy
     * at bid deadlines. A definite HTTP answer is not retried. */
    for (int attempt = 0; attempt < NET_TRIES; attempt++) {
        if (attempt) {
            struct timespec ts = {0, 500000000L * attempt};
            nanosleep(&ts, NULL);
        }
        free(b.data);
        memset(&b, 0, sizeof(b));
        errbuf[0] = 0;
        rc = curl.easy_perform(c);
        if (rc == CURLE_OK) {
            curl.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
            if (status < 500)
                break;
        }
    }
    curl.slist_free_all(headers);
    curl.easy_cleanup(c);
    if (rc != CURLE_OK) {
        free(b.data);
        if (b.too_big)
            return seal__fail(ctx, SEAL_ERR_NETWORK, "%s answered more than %u bytes", url,
                              NET_MAX_REPLY);
        return seal__fail(ctx, SEAL_ERR_NETWORK, "cannot reach %s: %s", url,
                          errbuf[0] ? errbuf : curl.easy_strerror(rc));
    }
    if (status != 200) {
        free(b.data);
        return seal__fail(ctx, SEAL_ERR_NETWORK, "%s answered HTTP %ld", url, status);
    }
    *reply = b.data;
    *replylen = b.len;
    return SEAL_OK;
}

seal_status seal__tsa_stamp(seal_ctx *ctx, const char *url, const unsigned char *digest,
                            size_t dlen, unsigned char **token, size_t *toklen)
{
    TS_REQ *req = NULL;
    TS_MSG_IMPRINT *imprint = NULL;
    X509_ALGOR *alg = NULL;
    ASN1_INTEGER *nonce = NULL;
    BIGNUM *bn = NULL;
    TS_RESP *resp = NULL;
    TS_VERIFY_CTX *vctx = NULL;
    unsigned char *der = NULL, *reply = NULL;
    const unsigned char *p;
    size_t replylen = 0;
    int derlen;
    seal_status st = SEAL_OK;

    *token = NULL;
    *toklen = 0;
    seal__ossl_clear();
    /* SHA-256 imprint, a 64-bit nonce, and the TSA's certificate asked
     * for, so the token can be verified without fetching anything. */
    req = TS_REQ_new();
    imprint = TS_MSG_IMPRINT_new();
    alg = X509_ALGOR_new();
    bn = BN_new();
    if (!req || !imprint || !alg || !bn || !TS_REQ_set_version(req, 1) ||
        !X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, NULL) ||
        !TS_MSG_IMPRINT_set_algo(imprint, alg) ||
        !TS_MSG_IMPRINT_set_msg(imprint, (unsigned char *)digest, (int)dlen) ||
        !TS_REQ_set_msg_imprint(req, imprint) || !BN_rand(bn, 64, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) ||
        !(nonce = BN_to_ASN1_INTEGER(bn, NULL)) || !TS_REQ_set_nonce(req, nonce) ||
        !TS_REQ_set_cert_req(req, 1) || (derlen = i2d_TS_REQ(req, &der)) <= 0) {
        st = seal__ossl_fail(ctx, SEAL_ERR_CRYPTO, "cannot make a time-stamp request");
        goto out;
    }
    if ((st = seal__http(ctx, url, "application/timestamp-query", der, (size_t)derlen,
                         "application/timestamp-reply", &reply, &replylen)) != SEAL_OK)
        goto out;
    p = reply;
    resp = d2i_TS_RESP(NULL, &p, (long)replylen);
    if (!resp) {
        st = seal__ossl_fail(ctx, SEAL_ERR_NETWORK, "%s did not answer with a time-stamp reply", url);
        goto out;
    }
    long status = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(TS_RESP_get_status_info(resp)));
    if (status != 0 && status != 1) {
        st = seal__fail(ctx, SEAL_ERR_NETWORK, "the time-stamp authority %s refused the request "
                                               "(PKIStatus %ld)", url, status);
        goto out;
    }
    /* The answer must be to this request: same imprint, same nonce. */
    vctx = TS_REQ_to_TS_VERIFY_CTX(req, NULL);
    if (!vctx) {
        st = seal__ossl_fail(ctx, SEAL_ERR_CRYPTO, "cannot check the time-stamp reply");
        goto out;
    }
    TS_VERIFY_CTX_set_flags(vctx, TS_VFY_VERSION | TS_VFY_IMPRINT | TS_VFY_NONCE);
    if (TS_RESP_verify_response(vctx, resp) != 1) {
        st = seal__ossl_fail(ctx, SEAL_ERR_CRYPTO, "the time-stamp from %s does not match the request",
                             url);
        goto out;
    }
    {
        unsigned char *tok = NULL;
        int toklen_i = i2d_PKCS7(TS_RESP_get_token(resp), &tok);
        if (toklen_i <= 0) {
            st = seal__ossl_fail(ctx, SEAL_ERR_CRYPTO, "cannot encode the time-stamp token");
            goto out;
        }
        *token = malloc((size_t)toklen_i);
        if (!*token) {
            OPENSSL_free(tok);
            st = seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
            goto out;
        }
        memcpy(*token, tok, (size_t)toklen_i);
        *toklen = (size_t)toklen_i;
        OPENSSL_free(tok);
    }
out:
    TS_VERIFY_CTX_free(vctx);
    TS_RESP_free(resp);
    free(reply);
    OPENSSL_free(der);
    ASN1_INTEGER_free(nonce);
    BN_free(bn);
    /* The setters copy: what was made here is freed here. */
    TS_MSG_IMPRINT_free(imprint);
    X509_ALGOR_free(alg);
    TS_REQ_free(req);
    ERR_clear_error();
    return st;
}

/* Tokens differ a little in length (serial numbers, times). */
#define TSA_TOKEN_MARGIN 512

seal_status seal__tsa_token_probe(seal_ctx *ctx, const char *tsa_url, size_t *size)
{
    unsigned char dummy[32], *token = NULL;
    size_t len = 0;
    seal_status st;

    memset(dummy, 0x5a, sizeof(dummy));
    if ((st = seal__tsa_stamp(ctx, tsa_url, dummy, sizeof(dummy), &token, &len)) != SEAL_OK)
        return st;
    free(token);
    /* Tokens differ a little in length (serial numbers, times). */
    *size = len + TSA_TOKEN_MARGIN;
    return SEAL_OK;
}

size_t seal__tsa_token_size(seal_ctx *ctx, const char *tsa_url)
{
    size_t size = 0;
    if (seal__tsa_token_probe(ctx, tsa_url, &size) != SEAL_OK)
        seal__throw_recorded(ctx);
    return size;
}
