/*
 * What the verifier trusts and what it checks against: the anchors
 * (--trust files and folders, the e-seal makers' --seal-trust), and the
 * certificates, CRLs and OCSP responses the document's DSS carries.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "revoke.h"
#include "sm2int.h"
#include "verifyint.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#define MAX_ANCHOR_FILE (4u << 20)
#define MAX_ANCHOR_DIR 2000

static int add_anchor_file(seal_ctx *ctx, vtrust *t, const char *path, int quiet)
{
    unsigned char *data = NULL;
    size_t len = 0;
    int added = 0;
    BIO *bio;
    X509 *x;

    if (seal__read_file(ctx, path, MAX_ANCHOR_FILE, &data, &len) != SEAL_OK)
        return quiet ? 0 : -1;
    bio = BIO_new_mem_buf(data, (int)len);
    while (bio && (x = PEM_read_bio_X509_AUX(bio, NULL, NULL, NULL)) != NULL) {
        if (X509_STORE_add_cert(t->store, x))
            added++;
        X509_free(x);
    }
    BIO_free(bio);
    if (!added) {
        const unsigned char *p = data;
        x = d2i_X509(NULL, &p, (long)len);
        if (x) {
            if (X509_STORE_add_cert(t->store, x))
                added++;
            X509_free(x);
        }
    }
    free(data);
    ERR_clear_error();
    if (!added && !quiet) {
        seal__fail(ctx, SEAL_ERR_ARGS, "no certificate in trust anchor file %s", path);
        return -1;
    }
    t->anchors += added;
    return added;
}

static int add_anchor_path(seal_ctx *ctx, vtrust *t, const char *path)
{
    struct stat st;
    DIR *dir;
    struct dirent *e;
    int total = 0, seen = 0;

    if (stat(path, &st) != 0) {
        seal__fail(ctx, SEAL_ERR_ARGS, "trust anchor %s does not exist", path);
        return -1;
    }
    if (!S_ISDIR(st.st_mode))
        return add_anchor_file(ctx, t, path, 0);
    dir = opendir(path);
    if (!dir) {
        seal__fail(ctx, SEAL_ERR_IO, "cannot read trust anchor directory %s", path);
        return -1;
    }
    while ((e = readdir(dir)) != NULL && seen < MAX_ANCHOR_DIR) {
        char full[4096];
        struct stat fst;
        if (e->d_name[0] == '.')
            continue;
        snprintf(full, sizeof(full), "%s/%s", path, e->d_name);
        if (stat(full, &fst) != 0 || !S_ISREG(fst.st_mode))
            continue;
        seen++;
        int n = add_anchor_file(ctx, t, full, 1);
        if (n > 0)
            total += n;
    }
    closedir(dir);
    seal__reset(ctx);
    if (!total) {
        seal__fail(ctx, SEAL_ERR_ARGS, "no certificate in trust anchor directory %s", path);
        return -1;
    }
    return total;
}

seal_status seal__vtrust_init(seal_ctx *ctx, vtrust *t, const seal_verify_options *opts)
{
    memset(t, 0, sizeof(*t));
    t->flags = opts ? opts->flags : 0;
    t->store = X509_STORE_new();
    t->extra = sk_X509_new_null();
    t->crls = sk_X509_CRL_new_null();
    if (!t->store || !t->extra || !t->crls) {
        seal__vtrust_free(t);
        return seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
    }
    /* The seal makers' anchors (version 3) are loaded the same way into
     * a store of their own. */
    size_t nseal = opts && opts->version >= 3 ? opts->seal_trust_count : 0, n = opts ? opts->trust_count : 0;
    for (size_t i = 0; i < n + nseal; i++) {
        const char *path = i < n ? opts->trust[i] : opts->seal_trust[i - n];
        if (i == n) {
            t->seal_store = t->store;
            t->seal_anchors = t->anchors;
            if (!(t->store = X509_STORE_new()))
                path = NULL;
            t->anchors = 0;
        }
        if (!path || add_anchor_path(ctx, t, path) < 0) {
            seal_status st = ctx->status != SEAL_OK ? ctx->status : SEAL_ERR_ARGS;
            seal__vtrust_free(t);
            ERR_clear_error();
            return st;
        }
    }
    if (nseal) { /* swap back: store the documents' anchors, seal_store the makers' */
        X509_STORE *makers = t->store;
        int m = t->anchors;
        t->store = t->seal_store;
        t->anchors = t->seal_anchors;
        t->seal_store = makers;
        t->seal_anchors = m;
    }
    /* SM2-signed anchors carry the distinguishing ID like every other
     * certificate of an SM2 chain (gm.md §0.3). */
    for (int k = 0; k < 2; k++) {
        STACK_OF(X509) *anchors = k ? (t->seal_store ? X509_STORE_get1_all_certs(t->seal_store) : NULL)
                                    : X509_STORE_get1_all_certs(t->store);
        seal__sm2_set_ids(anchors);
        sk_X509_pop_free(anchors, X509_free);
        ERR_clear_error();
    }
    return SEAL_OK;
}

void seal__vtrust_free(vtrust *t)
{
    X509_STORE_free(t->store);
    X509_STORE_free(t->seal_store);
    sk_X509_pop_free(t->extra, X509_free);
    sk_X509_CRL_pop_free(t->crls, X509_CRL_free);
    for (int i = 0; i < t->nocsps; i++)
        OCSP_BASICRESP_free(t->ocsps[i]);
    free(t->ocsps);
    memset(t, 0, sizeof(*t));
}

void seal__vtrust_add_cert(vtrust *t, const unsigned char *der, size_t len)
{
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    if (x && !sk_X509_push(t->extra, x))
        X509_free(x);
    ERR_clear_error();
}

void seal__vtrust_add_crl(vtrust *t, const unsigned char *der, size_t len)
{
    const unsigned char *p = der;
    X509_CRL *c = d2i_X509_CRL(NULL, &p, (long)len);
    if (c && !sk_X509_CRL_push(t->crls, c))
        X509_CRL_free(c);
    ERR_clear_error();
}

void seal__vtrust_add_ocsp(vtrust *t, const unsigned char *der, size_t len)
{
    /* The DSS may hold either whole responses or bare BasicOCSPResponses. */
    OCSP_BASICRESP *b = seal__rev_ocsp_basic(der, len);
    if (b && t->nocsps == t->capocsps) {
        int cap = t->capocsps ? 2 * t->capocsps : 8;
        OCSP_BASICRESP **n = realloc(t->ocsps, (size_t)cap * sizeof(*n));
        if (n) {
            t->ocsps = n;
            t->capocsps = cap;
        }
    }
    if (b && t->nocsps < t->capocsps)
        t->ocsps[t->nocsps++] = b;
    else
        OCSP_BASICRESP_free(b);
    ERR_clear_error();
}
