/*
 * Completing a certificate's chain, for the signer (every intermediate goes
 * into the CMS) and for `seal verify --online` (missing intermediates). One
 * walk up from the certificate; each issuer is looked for, in order, among
 * the certificates at hand (the token's, the CMS's), --chain and
 * SEAL_CA_PATH, the p11-kit system trust store, and last the AIA
 * caIssuers URL (a DER certificate or a PKCS#7 certs-only bundle, RFC 5280
 * §4.2.2.1) fetched with the TSA client's time-outs, retries and proxy
 * rules. A candidate is the issuer when names and AKI/SKI match and its key
 * verifies the certificate's signature.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "ltvint.h"
#include "sm2int.h"

#include <dirent.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509v3.h>

#define CHAIN_MAX_DEPTH 8
#define CA_PATH_MAX_FILES 2000
#define CA_FILE_MAX (4u << 20)
#define AIA_CACHE_MAX 64

/* Every certificate of a buffer: PEM (several), a DER certificate, or a
 * DER PKCS#7 certs-only bundle. Returns how many were added to out. */
int seal__certs_parse(const unsigned char *data, size_t len, STACK_OF(X509) *out)
{
    BIO *b = BIO_new_mem_buf(data, (int)len);
    const unsigned char *p;
    X509 *x;
    PKCS7 *p7;
    int n = 0;

    while (b && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
        if (sk_X509_push(out, x))
            n++;
        else
            X509_free(x);
    }
    BIO_free(b);
    if (n)
        goto out;
    p = data;
    if ((x = d2i_X509(NULL, &p, (long)len)) != NULL) {
        if (sk_X509_push(out, x))
            n++;
        else
            X509_free(x);
        goto out;
    }
    p = data;
    p7 = d2i_PKCS7(NULL, &p, (long)len);
    if (p7 && PKCS7_type_is_signed(p7) && p7->d.sign) {
        STACK_OF(X509) *certs = p7->d.sign->cert;
        for (int i = 0; i < sk_X509_num(certs); i++) {
            x = sk_X509_value(certs, i);
            if (X509_up_ref(x) && sk_X509_push(out, x))
                n++;
            else if (x)
                X509_free(x);
        }
    }
    PKCS7_free(p7);
out:
    ERR_clear_error();
    return n;
}

/* Every certificate file (PEM or DER) of a directory, like OpenSSL's
 * -CApath without the hash names. Unreadable files are skipped. */
void seal__certs_load_dir(seal_ctx *ctx, const char *dir, STACK_OF(X509) *out)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int seen = 0;

    if (!d) {
        seal__warn(ctx, "SEAL_CA_PATH %s is not a readable directory; ignored", dir);
        return;
    }
    while ((e = readdir(d)) != NULL && seen < CA_PATH_MAX_FILES) {
        char full[4096];
        struct stat st;
        unsigned char *data;
        size_t len;
        if (e->d_name[0] == '.')
            continue;
        snprintf(full, sizeof(full), "%s/%s", dir, e->d_name);
        if (stat(full, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        seen++;
        if (seal__read_file(ctx, full, CA_FILE_MAX, &data, &len) == SEAL_OK) {
            seal__certs_parse(data, len, out);
            free(data);
        }
        seal__reset(ctx);
    }
    closedir(d);
}

/* ------------------------------------------------------------ AIA cache */

/* What each caIssuers URL gave, for the whole process run: a batch of a
 * thousand files (or a verification of as many) fetches each URL once,
 * and a service that is down is not asked again for every file. */
typedef struct aia_entry {
    char *url;
    unsigned char *data; /* NULL when the fetch failed */
    size_t len;
    char why[300];       /* the failure */
} aia_entry;

static pthread_mutex_t aia_lock = PTHREAD_MUTEX_INITIALIZER;
static aia_entry aia_cache[AIA_CACHE_MAX];
static size_t aia_count;

/* The caIssuers URLs of a certificate, at most max, malloc'd. */
static int ca_issuers_urls(X509 *cert, char **urls, int max)
{
    AUTHORITY_INFO_ACCESS *aia = X509_get_ext_d2i(cert, NID_info_access, NULL, NULL);
    int n = 0;

    for (int i = 0; aia && i < sk_ACCESS_DESCRIPTION_num(aia) && n < max; i++) {
        ACCESS_DESCRIPTION *ad = sk_ACCESS_DESCRIPTION_value(aia, i);
        if (OBJ_obj2nid(ad->method) == NID_ad_ca_issuers && ad->location->type == GEN_URI) {
            const char *u = (const char *)ASN1_STRING_get0_data(ad->location->d.uniformResourceIdentifier);
            if (!strncmp(u, "http://", 7) || !strncmp(u, "https://", 8))
                urls[n++] = strdup(u);
        }
    }
    AUTHORITY_INFO_ACCESS_free(aia);
    ERR_clear_error();
    return n;
}

/* The certificates at url (cached), added to out. Returns how many; on
 * failure 0 with why filled. The lock is held across the fetch so
 * concurrent batch workers wait for one fetch instead of making many. */
static int aia_fetch(seal_ctx *ctx, const char *url, STACK_OF(X509) *out, char *why, size_t whysize)
{
    aia_entry fresh = {0}, *e = NULL;
    int n = 0;

    pthread_mutex_lock(&aia_lock);
    for (size_t i = 0; i < aia_count && !e; i++)
        if (!strcmp(aia_cache[i].url, url))
            e = &aia_cache[i];
    if (!e) {
        /* A failed fetch is a result here, not the caller's error. */
        seal_status saved = ctx->status;
        char msg[SEAL_MSG_MAX];
        memcpy(msg, ctx->msg, sizeof(msg));
        if (seal__http(ctx, url, NULL, NULL, 0, "application/pkix-cert, application/pkcs7-mime",
                       &fresh.data, &fresh.len) != SEAL_OK)
            snprintf(fresh.why, sizeof(fresh.why), "%.299s", ctx->msg);
        ctx->status = saved;
        memcpy(ctx->msg, msg, sizeof(msg));
        if (aia_count < AIA_CACHE_MAX && (fresh.url = strdup(url)) != NULL) {
            aia_cache[aia_count] = fresh;
            e = &aia_cache[aia_count++];
            memset(&fresh, 0, sizeof(fresh));
        } else {
            e = &fresh; /* not kept */
        }
    }
    if (e->data)
        n = seal__certs_parse(e->data, e->len, out);
    if (!n)
        snprintf(why, whysize, "%s", e->data ? "it served no certificate" : e->why);
    free(fresh.url);
    free(fresh.data);
    pthread_mutex_unlock(&aia_lock);
    return n;
}

/* ------------------------------------------------------------ the walk */

static int issued_by(X509 *cand, X509 *cert)
{
    EVP_PKEY *pk = X509_get0_pubkey(cand);
    int ok;

    seal__sm2_set_id(cert); /* an SM2-signed certificate is checked with the ID */
    ok = X509_check_issued(cand, cert) == X509_V_OK && pk && X509_verify(cert, pk) == 1;
    ERR_clear_error();
    return ok;
}

static X509 *find_in(STACK_OF(X509) *certs, X509 *cert)
{
    for (int i = 0; certs && i < sk_X509_num(certs); i++) {
        X509 *c = sk_X509_value(certs, i);
        if (X509_cmp(c, cert) != 0 && issued_by(c, cert))
            return c;
    }
    return NULL;
}

static int is_anchor_issuer(X509_STORE *anchors, X509 *cert)
{
    STACK_OF(X509_OBJECT) *objs;
    int found = 0;

    if (!anchors || !X509_STORE_lock(anchors))
        return 0;
    objs = X509_STORE_get0_objects(anchors);
    for (int i = 0; i < sk_X509_OBJECT_num(objs) && !found; i++) {
        X509 *a = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objs, i));
        found = a && (X509_cmp(a, cert) == 0 || issued_by(a, cert));
    }
    X509_STORE_unlock(anchors);
    return found;
}

static int self_signed(X509 *cert)
{
    int r;

    seal__sm2_set_id(cert);
    r = X509_self_signed(cert, 1) == 1;
    ERR_clear_error();
    return r;
}

/* The issuer of cur from the AIA caIssuers URLs; url and why describe
 * the last attempt. New reference or NULL. */
static X509 *from_aia(seal_ctx *ctx, X509 *cur, char *url, size_t urlsize, char *why, size_t whysize)
{
    char *urls[4];
    int n = ca_issuers_urls(cur, urls, 4);
    X509 *found = NULL;

    url[0] = why[0] = 0;
    for (int i = 0; i < n; i++) {
        STACK_OF(X509) *got = sk_X509_new_null();
        if (!found && got) {
            snprintf(url, urlsize, "%s", urls[i]);
            if (aia_fetch(ctx, urls[i], got, why, whysize) > 0) {
                X509 *c = find_in(got, cur);
                if (c && X509_up_ref(c))
                    found = c;
                else
                    snprintf(why, whysize, "it served no certificate that issued this one");
            }
        }
        sk_X509_pop_free(got, X509_free);
        free(urls[i]);
    }
    return found;
}

seal_status seal__chain_complete(seal_ctx *ctx, X509 *cert, STACK_OF(X509) *chain,
                                 const seal__chain_sources *src, seal__chain_gap *gap)
{
    STACK_OF(X509) *local = sk_X509_new_null();
    X509 *cur = sk_X509_num(chain) ? sk_X509_value(chain, sk_X509_num(chain) - 1) : cert;
    int local_loaded = 0, complete = 0;

    memset(gap, 0, sizeof(*gap));
    if (!local)
        return seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
    for (int depth = sk_X509_num(chain); depth < CHAIN_MAX_DEPTH; depth++) {
        X509 *issuer;
        int fetched = 0;
        if (self_signed(cur) || is_anchor_issuer(src->anchors, cur)) {
            complete = 1;
            break;
        }
        issuer = find_in(src->pool, cur);
        if (!issuer && !local_loaded) {
            /* --chain and SEAL_CA_PATH, read only when the pool falls short. */
            local_loaded = 1;
            for (int i = 0; src->extra && i < sk_X509_num(src->extra); i++)
                seal__certs_add_unique(local, sk_X509_value(src->extra, i));
            if (src->ca_path && src->ca_path[0])
                seal__certs_load_dir(ctx, src->ca_path, local);
        }
        if (!issuer)
            issuer = find_in(local, cur);
        if (!issuer && src->system) {
            seal__p11_trust_lookup(X509_get_issuer_name(cur), local);
            issuer = find_in(local, cur);
        }
        if (issuer) {
            X509_up_ref(issuer);
        } else if (src->aia) {
            issuer = from_aia(ctx, cur, gap->url, sizeof(gap->url), gap->why, sizeof(gap->why));
            fetched = issuer != NULL;
        }
        if (!issuer)
            break;
        if (!sk_X509_push(chain, issuer)) {
            X509_free(issuer);
            break;
        }
        if (fetched) {
            gap->fetched++;
            seal__cert_text t;
            seal__cert_text_fill(&t, issuer);
            size_t used = strlen(gap->fetched_names);
            snprintf(gap->fetched_names + used, sizeof(gap->fetched_names) - used, "%s%s (%s)",
                     used ? "; " : "", t.subject ? t.subject : "?", gap->url);
            seal__cert_text_free(&t);
        }
        cur = issuer;
    }
    if (!complete) {
        seal__cert_text t;
        seal__cert_text_fill(&t, cur);
        snprintf(gap->missing, sizeof(gap->missing), "%s", t.issuer ? t.issuer : "?");
        seal__cert_text_free(&t);
    }
    gap->complete = complete;
    sk_X509_pop_free(local, X509_free);
    ERR_clear_error();
    return SEAL_OK;
}
