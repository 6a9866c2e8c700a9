/*
 * Sealed bids: recipients, encryption (OpenSSL's CMS, streamed), and
 * decryption with the keys of a token: the content key is unwrapped on the
 * token, the content decrypted here in constant memory (envread.c reads
 * the file) to a temporary file renamed into place only once the tag
 * verifies.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "envint.h"
#include "ltvint.h"
#include "sm2int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/kdf.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>

#define CHUNK (1u << 18)
#define EXPIRY_WARN_DAYS 30
#define CERT_FILE_MAX (1u << 20)

struct seal_recipients {
    X509 **certs;
    seal__cert_text *text;
    size_t n;
};

SEAL_API seal_status seal_recipients_new(seal_ctx *ctx, seal_recipients **out)
{
    if (!ctx || !out)
        return SEAL_ERR_ARGS;
    seal__reset(ctx);
    *out = calloc(1, sizeof(**out));
    return *out ? SEAL_OK : seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
}

SEAL_API void seal_recipients_free(seal_recipients *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++) {
        X509_free(r->certs[i]);
        seal__cert_text_free(&r->text[i]);
    }
    free(r->certs);
    free(r->text);
    free(r);
}

SEAL_API size_t seal_recipients_count(const seal_recipients *r)
{
    return r ? r->n : 0;
}

SEAL_API seal_status seal_recipients_get(const seal_recipients *r, size_t i, seal_cert_info *out)
{
    if (!r || !out || i >= r->n)
        return SEAL_ERR_ARGS;
    seal__cert_info(out, &r->text[i], r->certs[i]);
    return SEAL_OK;
}

/* Why cert cannot take a sealed bid (static text in *why), or NULL. */
static const char *not_for_encryption(X509 *cert)
{
    EVP_PKEY *pk = X509_get0_pubkey(cert);
    unsigned ku = seal__cert_key_usage(cert);
    int type = pk ? EVP_PKEY_get_base_id(pk) : 0;

    if (seal__sm2_is_key(pk))
        return ku & (SEAL_KU_ABSENT | SEAL_KU_KEY_ENCIPHERMENT | SEAL_KU_DATA_ENCIPHERMENT |
                     SEAL_KU_KEY_AGREEMENT)
                   ? NULL
                   : "its key usage has no keyEncipherment, dataEncipherment or keyAgreement: it "
                     "is an SM2 signing certificate, not an encryption certificate";
    if (type != EVP_PKEY_RSA && type != EVP_PKEY_EC)
        return "its key is neither RSA, EC nor SM2";
    if (ku & SEAL_KU_ABSENT)
        return NULL;
    if (type == EVP_PKEY_RSA && !(ku & SEAL_KU_KEY_ENCIPHERMENT))
        return "its key usage has no keyEncipherment: it is a signing certificate, not an "
               "encryption certificate";
    if (type == EVP_PKEY_EC && !(ku & SEAL_KU_KEY_AGREEMENT))
        return "its key usage has no keyAgreement: it is a signing certificate, not an "
               "encryption certificate";
    return NULL;
}

static seal_status take_cert(seal_ctx *ctx, seal_recipients *r, X509 *cert, const char *from)
{
    const char *why = not_for_encryption(cert);
    seal__cert_text t;
    seal_cert_info ci;
    char when[32];
    X509 **c;
    seal__cert_text *tx;

    seal__cert_text_fill(&t, cert);
    seal__cert_info(&ci, &t, cert);
    if (why) {
        seal__fail(ctx, SEAL_ERR_CERT, "the certificate %s (%s) cannot receive a sealed bid: %s",
                   from, ci.common_name, why);
        seal__cert_text_free(&t);
        return SEAL_ERR_CERT;
    }
    seal__iso_date(ci.not_after, when, sizeof(when));
    if (ci.not_after < (long long)time(NULL)) {
        seal__fail(ctx, SEAL_ERR_CERT, "the certificate %s (%s) expired on %s", from,
                   ci.common_name, when);
        seal__cert_text_free(&t);
        return SEAL_ERR_CERT;
    }
    if (ci.days_left < EXPIRY_WARN_DAYS)
        seal__warn(ctx, "the encryption certificate %s (%s) expires on %s, in %lld days: a bid "
                        "opened after that needs its key kept or recovered",
                   from, ci.common_name, when, ci.days_left);
    for (size_t i = 0; i < r->n; i++)
        if (X509_cmp(r->certs[i], cert) == 0) {
            seal__cert_text_free(&t);
            return SEAL_OK;
        }
    c = realloc(r->certs, (r->n + 1) * sizeof(*c));
    if (c)
        r->certs = c;
    tx = c ? realloc(r->text, (r->n + 1) * sizeof(*tx)) : NULL;
    if (!tx || !X509_up_ref(cert)) {
        seal__cert_text_free(&t);
        return seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
    }
    r->text = tx;
    r->certs[r->n] = cert;
    r->text[r->n++] = t;
    return SEAL_OK;
}

static seal_status add_file(seal_ctx *ctx, seal_recipients *r, const char *path)
{
    unsigned char *data;
    size_t len;
    const unsigned char *p;
    X509 *x;
    BIO *b;
    seal_status st = seal__read_file(ctx, path, CERT_FILE_MAX, &data, &len);
    int n = 0;

    if (st != SEAL_OK)
        return st;
    p = data;
    if ((x = d2i_X509(NULL, &p, (long)len)) != NULL) {
        st = take_cert(ctx, r, x, path);
        X509_free(x);
        free(data);
        return st;
    }
    b = BIO_new_mem_buf(data, (int)len);
    while (st == SEAL_OK && b && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
        st = take_cert(ctx, r, x, path);
        X509_free(x);
        n++;
    }
    BIO_free(b);
    free(data);
    ERR_clear_error();
    if (st == SEAL_OK && n == 0)
        return seal__fail(ctx, SEAL_ERR_INPUT, "%s is not a certificate (PEM or DER)", path);
    return st;
}

/* The URI without object= and id=: the whole token. */
static char *token_uri(const char *uri)
{
    char *out = malloc(strlen(uri) + 1), *o = out;
    const char *p = uri, *q = strchr(uri, '?');
    const char *end = q ? q : uri + strlen(uri);

    if (!out)
        return NULL;
    memcpy(o, "pkcs11:", 7);
    o += 7;
    p += 7;
    while (p < end) {
        const char *semi = memchr(p, ';', (size_t)(end - p));
        const char *e = semi ? semi : end;
        if (strncmp(p, "object=", 7) && strncmp(p, "id=", 3)) {
            if (o > out + 7)
                *o++ = ';';
            memcpy(o, p, (size_t)(e - p));
            o += e - p;
        }
        p = semi ? semi + 1 : end;
    }
    strcpy(o, q ? q : "");
    return out;
}

static seal_status add_token(seal_ctx *ctx, seal_recipients *r, const char *uri, unsigned flags)
{
    seal__p11 *p = NULL;
    seal__p11_pair *pairs = NULL;
    size_t n = 0, taken = 0;
    char *whole = flags & SEAL_RECIPIENTS_WHOLE_TOKEN ? token_uri(uri) : NULL;
    seal_status st = seal__p11_pairs(ctx, &p, whole ? whole : uri, NULL, 0, &pairs, &n);
    int named = strstr(uri, "object=") || strstr(uri, "id=");
    char from[128];

    free(whole);
    for (size_t i = 0; st == SEAL_OK && i < n; i++) {
        snprintf(from, sizeof(from), "'%s' on token '%s'", pairs[i].label ? pairs[i].label : "?",
                 seal__p11_label(p));
        /* A whole token: its signing certificates are passed over. */
        if ((!named || (flags & SEAL_RECIPIENTS_WHOLE_TOKEN)) && not_for_encryption(pairs[i].cert))
            continue;
        st = take_cert(ctx, r, pairs[i].cert, from);
        taken++;
    }
    if (st == SEAL_OK && taken == 0)
        st = seal__fail(ctx, SEAL_ERR_KEY_NOT_FOUND, "no encryption certificate on token '%s'%s",
                        p ? seal__p11_label(p) : "?", named ? " matches the URI" : "");
    seal__p11_pairs_free(pairs, n);
    seal__p11_close(p);
    return st;
}

SEAL_API seal_status seal_recipients_add(seal_ctx *ctx, seal_recipients *r, const char *spec,
                                         unsigned flags)
{
    seal_status st;

    if (!ctx)
        return SEAL_ERR_ARGS;
    seal__reset(ctx);
    if (!r || !spec || !spec[0])
        return seal__fail(ctx, SEAL_ERR_ARGS, "seal_recipients_add: missing argument");
    seal__ossl_clear();
    if (!strncmp(spec, "pkcs11:", 7))
        st = add_token(ctx, r, spec, flags);
    else
        st = add_file(ctx, r, spec);
    ERR_clear_error();
    return st;
}

/* Encryption */

static seal_status add_cms_recipient(seal_ctx *ctx, CMS_ContentInfo *cms, X509 *cert)
{
    int rsa = EVP_PKEY_get_base_id(X509_get0_pubkey(cert)) == EVP_PKEY_RSA;
    CMS_RecipientInfo *ri = CMS_add1_recipient_cert(cms, cert, rsa ? CMS_KEY_PARAM : 0);
    EVP_PKEY_CTX *pctx = ri ? CMS_RecipientInfo_get0_pkey_ctx(ri) : NULL;

    if (!pctx)
        return seal__ossl_fail(ctx, SEAL_ERR_CRYPTO, "cannot add a recipient");
    if (rsa ? EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_OAEP_PADDING) <= 0 ||
                  EVP_PKEY_CTX_set_rsa_oaep_md(pctx, EVP_sha256()) <= 0 ||
                  EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) <= 0
            : EVP_PKEY_CTX_set_ecdh_kdf_md(pctx, EVP_sha256()) <= 0)
        return seal__ossl_fail(ctx, SEAL_ERR_CRYPTO, "cannot set the key transport parameters");
    return SEAL_OK;
}

/* Time-stamp the envelope's SHA-256 and write the token to OUT.tsr. */
static seal_status write_receipt(seal_ctx *ctx, const char *out, const unsigned char md[32],
                                 const char *url)
{
    unsigned char *tok = NULL;
    size_t toklen = 0;
    char *path = NULL;
    seal_status st = seal__tsa_stamp(ctx, url, md, 32, &tok, &toklen);

    if (st == SEAL_OK) {
        if (asprintf(&path, "%s.tsr", out) < 0)
            path = NULL;
        st = path ? seal_file_write(ctx, path, tok, toklen, 0)
                  : seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
        if (st != SEAL_OK && path)
            seal__fail(ctx, st, "cannot write the receipt %s: %s", path, seal_ctx_message(ctx));
    } else {
        seal__fail(ctx, ctx->status, "%s was sealed, but no receipt: %s", out,
                   seal_ctx_message(ctx));
    }
    free(tok);
    free(path);
    return st;
}

/* The envelope, streamed by OpenSSL's CMS (BER, the content in
 * indefinite-length chunks) into tmp; with md, its SHA-256 as written. */
static seal_status encrypt_stream(seal_ctx *ctx, BIO *in, const char *tmp, const seal_recipients *r,
                                  unsigned flags, unsigned char *md)
{
    const EVP_CIPHER *cipher = flags & SEAL_ENCRYPT_CBC ? EVP_aes_256_cbc() : EVP_aes_256_gcm();
    unsigned cf = CMS_BINARY | CMS_STREAM | CMS_PARTIAL;
    CMS_ContentInfo *cms = CMS_encrypt(NULL, NULL, cipher, cf);
    FILE *f = fopen(tmp, "wb");
    BIO *file = f ? BIO_new_fp(f, BIO_CLOSE) : NULL, *hash = NULL, *chain = NULL;
    seal_status st = SEAL_OK;

    /* OpenSSL writes the content 4 KB at a time: a large stdio buffer
     * saves most of the system calls. */
    if (file)
        setvbuf(f, NULL, _IOFBF, 1u << 20);
    else if (f)
        fclose(f), f = NULL;
    if (!cms || !file || (md && (!(hash = BIO_new(BIO_f_md())) || !BIO_set_md(hash, EVP_sha256())))) {
        st = seal__ossl_fail(ctx, f ? SEAL_ERR_CRYPTO : SEAL_ERR_IO, "cannot start the envelope");
        goto out;
    }
    for (size_t i = 0; i < r->n && st == SEAL_OK; i++)
        st = add_cms_recipient(ctx, cms, r->certs[i]);
    if (st != SEAL_OK)
        goto out;
    chain = hash ? BIO_push(hash, file) : file;
    if (!i2d_CMS_bio_stream(chain, cms, in, cf & ~CMS_PARTIAL) || BIO_flush(chain) <= 0 ||
        ferror(f)) { /* f is file's until the chain is freed */
        st = seal__ossl_fail(ctx, SEAL_ERR_IO, "cannot write the envelope");
        goto out;
    }
    if (hash && BIO_gets(hash, (char *)md, 32) != 32)
        st = seal__ossl_fail(ctx, SEAL_ERR_CRYPTO, "cannot hash the envelope");
out:
    if (chain) {
        BIO_free_all(chain);
    } else {
        BIO_free(hash);
        BIO_free(file);
    }
    CMS_ContentInfo_free(cms);
    return st;
}

/* A GM/T 0010 envelope (envsm2.c) into tmp; with md, its SHA-256. */
static seal_status encrypt_sm2(seal_ctx *ctx, FILE *fin, const char *in, const char *tmp,
                               const seal_recipients *r, unsigned char *md)
{
    FILE *f = fopen(tmp, "wb");
    EVP_MD_CTX *sha = NULL;
    seal_status st;

    if (!f)
        return seal__fail(ctx, SEAL_ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
    setvbuf(f, NULL, _IOFBF, 1u << 20);
    if (md && (!(sha = EVP_MD_CTX_new()) || !EVP_DigestInit_ex(sha, EVP_sha256(), NULL)))
        st = seal__ossl_fail(ctx, SEAL_ERR_CRYPTO, "cannot hash the envelope");
    else
        st = seal__env_sm2_encrypt(ctx, fin, in, f, r->certs, r->n, sha);
    if (fclose(f) != 0 && st == SEAL_OK)
        st = seal__fail(ctx, SEAL_ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
    if (st == SEAL_OK && sha && !EVP_DigestFinal_ex(sha, md, NULL))
        st = seal__ossl_fail(ctx, SEAL_ERR_CRYPTO, "cannot hash the envelope");
    EVP_MD_CTX_free(sha);
    return st;
}

/* SM2 certificates get a GM/T 0010 envelope, the others a CMS one; one
 * envelope cannot serve both (module comment of envsm2.c). */
static seal_status envelope_kind(seal_ctx *ctx, const seal_recipients *r, int *gm)
{
    size_t sm2 = 0, other = SIZE_MAX;
    seal_cert_info a, b;

    for (size_t i = 0; i < r->n; i++) {
        if (seal__sm2_is_key(X509_get0_pubkey(r->certs[i])))
            sm2 = i + 1;
        else if (other == SIZE_MAX)
            other = i;
    }
    *gm = sm2 > 0;
    if (!sm2 || other == SIZE_MAX)
        return SEAL_OK;
    seal__cert_info(&a, &r->text[sm2 - 1], r->certs[sm2 - 1]);
    seal__cert_info(&b, &r->text[other], r->certs[other]);
    return seal__fail(ctx, SEAL_ERR_ARGS,
                      "the recipients mix SM2 (%s) and RSA/EC (%s) certificates: an SM2 envelope "
                      "is GM/T 0010 with SM4, the others CMS with AES, and no platform reads a mix; "
                      "seal the bid once for each kind",
                      a.common_name, b.common_name);
}

SEAL_API seal_status seal_encrypt_file(seal_ctx *ctx, const char *in, const char *out,
                                       const seal_recipients *r, const seal_encrypt_options *opts)
{
    seal_encrypt_options def = SEAL_ENCRYPT_OPTIONS_INIT;
    char tmp[4096], *receipt = NULL;
    unsigned char md[32];
    BIO *bin = NULL;
    seal_status st;
    int gm = 0;

    if (!ctx)
        return SEAL_ERR_ARGS;
    seal__reset(ctx);
    if (!opts)
        opts = &def;
    if (opts->version != SEAL_ENCRYPT_OPTIONS_VERSION)
        return seal__fail(ctx, SEAL_ERR_ARGS, "unknown seal_encrypt_options version %u",
                          opts->version);
    if (!in || !out)
        return seal__fail(ctx, SEAL_ERR_ARGS, "seal_encrypt_file: missing argument");
    if (!r || r->n == 0)
        return seal__fail(ctx, SEAL_ERR_ARGS, "no recipient certificate to seal the bid to");
    if (opts->tsa_url && asprintf(&receipt, "%s.tsr", out) < 0)
        return seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
    {
        const char *ins[] = {in}, *outs[] = {out, receipt};
        st = seal__paths_check(ctx, ins, 1, outs, 2);
    }
    free(receipt);
    if (st == SEAL_OK)
        st = envelope_kind(ctx, r, &gm);
    if (st != SEAL_OK)
        return st;
    for (size_t i = 0; opts->opening > 0 && i < r->n; i++) {
        seal_cert_info ci;
        char when[32], opening[32];
        seal__cert_info(&ci, &r->text[i], r->certs[i]);
        if (ci.not_after < opts->opening) {
            seal__iso_date(ci.not_after, when, sizeof(when));
            seal__iso_date(opts->opening, opening, sizeof(opening));
            seal__warn(ctx, "the encryption certificate of %s expires on %s, before the opening "
                            "on %s: keep its key (or have it recovered) to open the bid",
                       ci.common_name, when, opening);
        }
    }
    seal__ossl_clear();
    FILE *fin = fopen(in, "rb");
    if (!fin) {
        st = seal__fail(ctx, SEAL_ERR_IO, "cannot read %s: %s", in, strerror(errno));
        ERR_clear_error();
        return st;
    }
    setvbuf(fin, NULL, _IOFBF, 1u << 20);
    if ((st = seal__temp_path(ctx, out, tmp, sizeof(tmp))) != SEAL_OK) {
        fclose(fin);
        return st;
    }
    if (gm) {
        st = encrypt_sm2(ctx, fin, in, tmp, r, opts->tsa_url ? md : NULL);
        fclose(fin);
    } else if (!(bin = BIO_new_fp(fin, BIO_CLOSE))) {
        fclose(fin);
        st = seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
    } else {
        st = encrypt_stream(ctx, bin, tmp, r, opts->flags, opts->tsa_url ? md : NULL);
        BIO_free(bin);
    }
    ERR_clear_error();
    if (st == SEAL_OK)
        st = seal__commit_file(ctx, tmp, out);
    if (st != SEAL_OK) {
        unlink(tmp);
        return st;
    }
    if (opts->tsa_url)
        return write_receipt(ctx, out, md, opts->tsa_url);
    return SEAL_OK;
}

/* Reading an envelope for people: recipients, algorithms, the receipt. */

/* Check PATH.tsr against the envelope: the token's signature (with the
 * certificate it carries) and its imprint, the SHA-256 of the file. */
static void check_receipt(seal_envelope *env)
{
    char *tsr = NULL;
    unsigned char *data = NULL, md[32], buf[1u << 16];
    size_t len, n;
    const unsigned char *p;
    PKCS7 *tok = NULL;
    TS_TST_INFO *info = NULL;
    FILE *f = NULL;
    EVP_MD_CTX *mdc = NULL;
    seal_ctx *quiet = NULL;

    env->receipt = 0;
    if (asprintf(&tsr, "%s.tsr", env->path) < 0 || access(tsr, F_OK) != 0)
        goto out;
    env->receipt = -1;
    if (seal_ctx_new(&quiet) != SEAL_OK || seal__read_file(quiet, tsr, 1u << 20, &data, &len) != SEAL_OK)
        goto out;
    p = data;
    if (!(tok = d2i_PKCS7(NULL, &p, (long)len)) || !(info = PKCS7_to_TS_TST_INFO(tok)) ||
        PKCS7_verify(tok, NULL, NULL, NULL, NULL, PKCS7_NOVERIFY) != 1)
        goto out;
    TS_MSG_IMPRINT *imp = TS_TST_INFO_get_msg_imprint(info);
    const ASN1_OCTET_STRING *want = TS_MSG_IMPRINT_get_msg(imp);
    if (OBJ_obj2nid(TS_MSG_IMPRINT_get_algo(imp)->algorithm) != NID_sha256 ||
        ASN1_STRING_length(want) != 32 || !(f = fopen(env->path, "rb")) ||
        !(mdc = EVP_MD_CTX_new()) || !EVP_DigestInit_ex(mdc, EVP_sha256(), NULL))
        goto out;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        EVP_DigestUpdate(mdc, buf, n);
    if (ferror(f) || !EVP_DigestFinal_ex(mdc, md, NULL) ||
        memcmp(md, ASN1_STRING_get0_data(want), 32) != 0)
        goto out;
    {
        STACK_OF(X509) *signers = PKCS7_get0_signers(tok, NULL, 0);
        env->receipt_time = seal__asn1_time(TS_TST_INFO_get_time(info));
        if (signers && sk_X509_num(signers) > 0) {
            seal__cert_text t;
            seal__cert_text_fill(&t, sk_X509_value(signers, 0));
            env->receipt_tsa = t.cn;
            t.cn = NULL;
            seal__cert_text_free(&t);
        }
        sk_X509_free(signers);
    }
    env->receipt = 1;
out:
    if (f)
        fclose(f);
    EVP_MD_CTX_free(mdc);
    TS_TST_INFO_free(info);
    PKCS7_free(tok);
    free(data);
    free(tsr);
    seal_ctx_free(quiet);
    ERR_clear_error();
}

SEAL_API seal_status seal_envelope_open(seal_ctx *ctx, const char *path, seal_envelope **out)
{
    seal_envelope *env;
    env_reader r;
    unsigned char *buf = NULL;
    size_t got;
    seal_status st;

    if (!ctx)
        return SEAL_ERR_ARGS;
    seal__reset(ctx);
    if (!path || !out)
        return seal__fail(ctx, SEAL_ERR_ARGS, "seal_envelope_open: missing argument");
    *out = NULL;
    env = calloc(1, sizeof(*env));
    if (!env || !(env->path = strdup(path)) || !(buf = malloc(CHUNK))) {
        free(env ? env->path : NULL);
        free(env);
        return seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
    }
    st = seal__env_start(ctx, &r, path, env);
    while (st == SEAL_OK && (st = seal__env_chunk(ctx, &r, buf, CHUNK, &got)) == SEAL_OK && got)
        env->content_size += (long long)got;
    if (st == SEAL_OK)
        st = seal__env_finish(ctx, &r, env);
    seal__env_close(&r);
    free(buf);
    if (st != SEAL_OK) {
        seal_envelope_free(env);
        return st;
    }
    check_receipt(env);
    *out = env;
    return SEAL_OK;
}

SEAL_API void seal_envelope_free(seal_envelope *env)
{
    if (!env)
        return;
    seal__env_clear(env);
    free(env->path);
    free(env);
}

static const char *cipher_name(int nid)
{
    switch (nid) {
    case NID_aes_128_gcm: return "AES-128-GCM";
    case NID_aes_192_gcm: return "AES-192-GCM";
    case NID_aes_256_gcm: return "AES-256-GCM";
    case NID_aes_128_cbc: return "AES-128-CBC";
    case NID_aes_192_cbc: return "AES-192-CBC";
    case NID_aes_256_cbc: return "AES-256-CBC";
    case NID_sm4_cbc: return "SM4-CBC";
    default: return "?";
    }
}

SEAL_API seal_status seal_envelope_info_get(const seal_envelope *env, seal_envelope_info *out)
{
    if (!env || !out)
        return SEAL_ERR_ARGS;
    out->type = env->auth ? "AuthEnvelopedData" : env->gm ? "EnvelopedData (GM/T 0010)"
                                                          : "EnvelopedData";
    out->content_algorithm = cipher_name(env->cipher_nid);
    out->authenticated = env->auth || env->has_mac;
    out->file_size = env->file_size;
    out->content_size = env->content_size;
    out->recipient_count = env->nrecips;
    out->receipt = env->receipt;
    out->receipt_time = env->receipt_time;
    out->receipt_tsa = env->receipt_tsa ? env->receipt_tsa : "";
    return SEAL_OK;
}

SEAL_API seal_status seal_envelope_recipient(const seal_envelope *env, size_t i,
                                             seal_recipient_info *out)
{
    if (!env || !out || i >= env->nrecips)
        return SEAL_ERR_ARGS;
    const env_recip *rc = &env->recips[i];
    out->kind = rc->kind == ENV_KTRI ? "ktri" : rc->kind == ENV_KARI ? "kari" : rc->alg;
    out->issuer = rc->issuer_s ? rc->issuer_s : "";
    out->serial = rc->serial_s ? rc->serial_s : "";
    out->key_id = rc->ski_s ? rc->ski_s : "";
    out->algorithm = rc->kind == ENV_OTHER ? "" : rc->alg;
    out->subject = rc->subject_s ? rc->subject_s : "";
    out->not_before = rc->not_before;
    out->not_after = rc->not_after;
    return SEAL_OK;
}
