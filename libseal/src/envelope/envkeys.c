/*
 * Opening sealed bids: the keyring of a token (every private key with its
 * certificate, recovered older ones included), finding the recipient a key
 * opens, unwrapping the content key on the token (RSA-OAEP with C_Decrypt;
 * ECDH with C_DeriveKey, then the RFC 5753 KDF and AES key unwrap here),
 * and decrypting the content in constant memory.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "envint.h"
#include "sm2int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/x509v3.h>

#include <p11-kit/pkcs11.h>

#define CHUNK (1u << 18)

struct seal_keyring {
    pthread_mutex_t lock; /* one token operation at a time */
    seal__p11 *p11;       /* a token's keys, or NULL */
    seal_key *key;        /* or one p12:, pem: or skf: key */
    seal__p11_pair *pairs;
    size_t n;
    char name[600];       /* "token 'X'", "SKF container ...", "key file FILE" */
};

/* A keyring of one key (software or SKF): its certificate as the one pair. */
static seal_status open_one(seal_ctx *ctx, seal_keyring *kr, const char *uri,
                            const seal_key_options *opts)
{
    seal_status st = seal__key_open_decrypt(ctx, &kr->key, uri, opts);

    if (st != SEAL_OK)
        return st;
    if (!(kr->pairs = calloc(1, sizeof(*kr->pairs))) || !X509_up_ref(kr->key->cert))
        return seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
    kr->pairs[0].cert = kr->key->cert;
    kr->pairs[0].key = 1; /* present; the key is kr->key */
    kr->n = 1;
    if (kr->key->skf)
        snprintf(kr->name, sizeof(kr->name), "SKF %s", seal__skf_label(kr->key->skf));
    else
        snprintf(kr->name, sizeof(kr->name), "key file %s", uri + 4);
    return SEAL_OK;
}



SEAL_API seal_status seal_keyring_open(seal_ctx *ctx, seal_keyring **out, const char *uri,
                                       const seal_key_options *opts)
{
    seal_keyring *kr;
    seal_status st;
    size_t keys = 0;

    if (!ctx)
        return SEAL_ERR_ARGS;
    seal__reset(ctx);
    if (!out || !uri)
        return seal__fail(ctx, SEAL_ERR_ARGS, "no key given");
    *out = NULL;
    if (opts && opts->version != SEAL_KEY_OPTIONS_VERSION)
        return seal__fail(ctx, SEAL_ERR_ARGS, "unknown seal_key_options version %u", opts->version);
    if (strncmp(uri, "pkcs11:", 7) && strncmp(uri, "skf:", 4) && strncmp(uri, "p12:", 4) &&
        strncmp(uri, "pem:", 4))
        return seal__fail(ctx, SEAL_ERR_ARGS,
                          "a decryption key is 'pkcs11:...' (RFC 7512), 'skf:lib=...', 'p12:FILE' "
                          "or 'pem:FILE', not '%s'",
                          uri);
    kr = calloc(1, sizeof(*kr));
    if (!kr)
        return seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
    pthread_mutex_init(&kr->lock, NULL);
    seal__ossl_clear();
    if (strncmp(uri, "pkcs11:", 7))
        st = open_one(ctx, kr, uri, opts);
    else
        st = seal__p11_pairs(ctx, &kr->p11, uri, opts, 1, &kr->pairs, &kr->n);
    ERR_clear_error();
    if (st == SEAL_OK && kr->p11)
        snprintf(kr->name, sizeof(kr->name), "token '%s'", seal__p11_label(kr->p11));
    for (size_t i = 0; st == SEAL_OK && i < kr->n; i++)
        keys += kr->pairs[i].key != 0;
    if (st == SEAL_OK && keys == 0)
        st = seal__fail(ctx, SEAL_ERR_KEY_NOT_FOUND,
                        "token '%s' holds no private key with a certificate%s",
                        seal__p11_label(kr->p11), strchr(uri, '=') ? " matching the URI" : "");
    if (st != SEAL_OK) {
        seal_keyring_free(kr);
        return st;
    }
    *out = kr;
    return SEAL_OK;
}

SEAL_API void seal_keyring_free(seal_keyring *kr)
{
    if (!kr)
        return;
    seal__p11_pairs_free(kr->pairs, kr->n);
    seal__p11_close(kr->p11);
    seal_key_free(kr->key);
    pthread_mutex_destroy(&kr->lock);
    free(kr);
}

static int recip_matches(const env_recip *rc, X509 *cert)
{
    if (rc->issuer)
        return X509_NAME_cmp(rc->issuer, X509_get_issuer_name(cert)) == 0 &&
               ASN1_INTEGER_cmp(rc->serial, X509_get0_serialNumber(cert)) == 0;
    const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(cert);
    return rc->ski && ski && (size_t)ASN1_STRING_length(ski) == rc->skilen &&
           !memcmp(ASN1_STRING_get0_data(ski), rc->ski, rc->skilen);
}

static size_t tl_len(size_t len)
{
    return len < 128 ? 2 : len < 256 ? 3 : 4;
}

/* ECC-CMS-SharedInfo (RFC 5753 §7.2), DER, for the KDF: keyInfo (the key
 * wrap AlgorithmIdentifier as the envelope carries it), entityUInfo [0]
 * (the ukm, if any), suppPubInfo [2] (the KEK length in bits). */
static size_t shared_info(const env_recip *rc, size_t keklen, unsigned char *out, size_t max)
{
    size_t ukm = rc->ukm ? tl_len(rc->ukmlen) + rc->ukmlen : 0;
    size_t body = rc->wraplen + (ukm ? tl_len(ukm) + ukm : 0) + 8, n;
    unsigned long bits = (unsigned long)keklen * 8;

    if (rc->ukmlen > 0xff00 || body > 0xff00 || tl_len(body) + body > max)
        return 0;
    n = seal__der_put_tl(out, 0x30, body);
    memcpy(out + n, rc->wrap, rc->wraplen);
    n += rc->wraplen;
    if (ukm) {
        n += seal__der_put_tl(out + n, 0xa0, ukm);
        n += seal__der_put_tl(out + n, 0x04, rc->ukmlen);
        memcpy(out + n, rc->ukm, rc->ukmlen);
        n += rc->ukmlen;
    }
    n += seal__der_put_tl(out + n, 0xa2, 6);
    n += seal__der_put_tl(out + n, 0x04, 4);
    out[n++] = (unsigned char)(bits >> 24);
    out[n++] = (unsigned char)(bits >> 16);
    out[n++] = (unsigned char)(bits >> 8);
    out[n++] = (unsigned char)bits;
    return n;
}

/* The originator's ephemeral key must be a point of the recipient's
 * curve: checked here, so a damaged one is told from a token failure. */
static seal_status check_point(seal_ctx *ctx, const env_recip *rc, X509 *cert)
{
    EVP_PKEY *pk = X509_get0_pubkey(cert), *peer = NULL;
    EVP_PKEY_CTX *pc = NULL, *chk = NULL;
    char group[64] = "";
    size_t glen = 0;
    OSSL_PARAM prm[3];
    int ok;

    if (!pk || !EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, group,
                                                sizeof(group), &glen))
        return seal__ossl_fail(ctx, SEAL_ERR_CERT, "the recipient certificate has no EC group");
    prm[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
    prm[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)rc->opk, rc->opklen);
    prm[2] = OSSL_PARAM_construct_end();
    ok = (pc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) != NULL &&
         EVP_PKEY_fromdata_init(pc) > 0 && EVP_PKEY_fromdata(pc, &peer, EVP_PKEY_PUBLIC_KEY, prm) > 0 &&
         (chk = EVP_PKEY_CTX_new_from_pkey(NULL, peer, NULL)) != NULL && EVP_PKEY_public_check(chk) > 0;
    EVP_PKEY_CTX_free(chk);
    EVP_PKEY_CTX_free(pc);
    EVP_PKEY_free(peer);
    ERR_clear_error();
    return ok ? SEAL_OK
              : seal__fail(ctx, SEAL_ERR_INPUT, "the originator's ECDH key is not a point of the "
                                                "recipient's curve: the envelope is damaged");
}

static seal_status kari_unwrap(seal_ctx *ctx, seal_keyring *kr, const env_recip *rc,
                               unsigned long key, unsigned char *cek, size_t *ceklen)
{
    unsigned char z[256], kek[32], info[1024];
    size_t zlen = sizeof(z), infolen;
    const EVP_CIPHER *wrap = EVP_get_cipherbynid(rc->wrap_nid);
    size_t keklen = wrap ? (size_t)EVP_CIPHER_get_key_length(wrap) : 0;
    EVP_KDF *kdf = NULL;
    EVP_KDF_CTX *kctx = NULL;
    EVP_CIPHER_CTX *c = NULL;
    OSSL_PARAM prm[4];
    int outl = 0, fin = 0;
    seal_status st;

    if (!wrap || EVP_CIPHER_get_mode(wrap) != EVP_CIPH_WRAP_MODE || keklen > sizeof(kek))
        return seal__fail(ctx, SEAL_ERR_UNSUPPORTED, "unsupported key wrap algorithm %s",
                          OBJ_nid2sn(rc->wrap_nid));
    pthread_mutex_lock(&kr->lock);
    st = seal__p11_ecdh(ctx, kr->p11, key, rc->opk, rc->opklen, z, &zlen);
    pthread_mutex_unlock(&kr->lock);
    if (st != SEAL_OK)
        return st;
    infolen = shared_info(rc, keklen, info, sizeof(info));
    prm[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
                                              (char *)OBJ_nid2sn(rc->kdf_md), 0);
    prm[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, z, zlen);
    prm[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, infolen);
    prm[3] = OSSL_PARAM_construct_end();
    if (!infolen || !(kdf = EVP_KDF_fetch(NULL, "X963KDF", NULL)) ||
        !(kctx = EVP_KDF_CTX_new(kdf)) || EVP_KDF_derive(kctx, kek, keklen, prm) <= 0) {
        st = seal__ossl_fail(ctx, SEAL_ERR_CRYPTO, "the ECDH key derivation failed");
        goto out;
    }
    if (!(c = EVP_CIPHER_CTX_new()) || rc->eklen > *ceklen + 8) {
        st = seal__fail(ctx, SEAL_ERR_INPUT, "the wrapped content key has a wrong length");
        goto out;
    }
    EVP_CIPHER_CTX_set_flags(c, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
    if (!EVP_DecryptInit_ex(c, wrap, NULL, kek, NULL) ||
        !EVP_DecryptUpdate(c, cek, &outl, rc->ek, (int)rc->eklen) ||
        !EVP_DecryptFinal_ex(c, cek + outl, &fin)) {
        ERR_clear_error();
        st = seal__fail(ctx, SEAL_ERR_INPUT, "the content key does not unwrap (AES key wrap "
                                             "integrity check failed): the envelope is damaged");
        goto out;
    }
    *ceklen = (size_t)(outl + fin);
out:
    OPENSSL_cleanse(z, sizeof(z));
    OPENSSL_cleanse(kek, sizeof(kek));
    EVP_CIPHER_CTX_free(c);
    EVP_KDF_CTX_free(kctx);
    EVP_KDF_free(kdf);
    return st;
}

/* MGF1 (RFC 8017 B.2.1): xor mask of len bytes from seed into out. */
static int mgf1_xor(unsigned char *out, size_t len, const unsigned char *seed, size_t seedlen,
                    const EVP_MD *md)
{
    unsigned char cnt[4], h[EVP_MAX_MD_SIZE];
    unsigned int hl = 0;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok = c != NULL;

    for (uint32_t i = 0; ok && len > 0; i++) {
        cnt[0] = (unsigned char)(i >> 24), cnt[1] = (unsigned char)(i >> 16);
        cnt[2] = (unsigned char)(i >> 8), cnt[3] = (unsigned char)i;
        ok = EVP_DigestInit_ex(c, md, NULL) && EVP_DigestUpdate(c, seed, seedlen) &&
             EVP_DigestUpdate(c, cnt, 4) && EVP_DigestFinal_ex(c, h, &hl);
        for (unsigned int k = 0; ok && k < hl && len > 0; k++, len--)
            *out++ ^= h[k];
    }
    EVP_MD_CTX_free(c);
    OPENSSL_cleanse(h, sizeof(h));
    return ok;
}

/* EME-OAEP decoding (RFC 8017 §7.1.2 step 3, empty label) of the raw RSA
 * result em (*len bytes, left-padded to the modulus size k) in place.
 * One answer for every failure, and no early exit on the padding bytes. */
static seal_status oaep_decode(seal_ctx *ctx, unsigned char *em, size_t *len, size_t k,
                               int md_nid, int mgf_nid)
{
    const EVP_MD *md = EVP_get_digestbynid(md_nid), *mgf = EVP_get_digestbynid(mgf_nid);
    unsigned char lhash[EVP_MAX_MD_SIZE];
    size_t hlen = md ? (size_t)EVP_MD_get_size(md) : 0, one = 0, i;
    unsigned bad = 0, found = 0;

    if (!md || !mgf || *len > k || k < 2 * hlen + 2 || !EVP_Digest("", 0, lhash, NULL, md, NULL))
        return seal__fail(ctx, SEAL_ERR_INPUT, "the content key does not unwrap (RSA-OAEP)");
    if (*len < k) {
        memmove(em + (k - *len), em, *len);
        memset(em, 0, k - *len);
    }
    unsigned char *seed = em + 1, *db = em + 1 + hlen;
    size_t dblen = k - hlen - 1;
    if (!mgf1_xor(seed, hlen, db, dblen, mgf) || !mgf1_xor(db, dblen, seed, hlen, mgf))
        return seal__ossl_fail(ctx, SEAL_ERR_CRYPTO, "RSA-OAEP decoding failed");
    bad |= em[0];
    bad |= (unsigned)CRYPTO_memcmp(db, lhash, hlen);
    for (i = hlen; i < dblen; i++) {
        unsigned is_one = !found && db[i] == 1, is_zero = db[i] == 0;
        if (is_one)
            one = i;
        bad |= !found && !is_one && !is_zero;
        found |= is_one;
    }
    bad |= !found;
    if (bad) {
        OPENSSL_cleanse(em, k);
        return seal__fail(ctx, SEAL_ERR_INPUT, "the content key does not unwrap (RSA-OAEP): the "
                                               "envelope is damaged, or the key is not this one");
    }
    *len = dblen - one - 1;
    memmove(em, db + one + 1, *len);
    return SEAL_OK;
}

/* SM2 key transport: the GM/T 0009 ciphertext decrypted by the token, the
 * SKF container or the software key. */
static seal_status sm2_unwrap(seal_ctx *ctx, seal_keyring *kr, const env_recip *rc,
                              const seal__p11_pair *pr, unsigned char *cek, size_t *ceklen)
{
    unsigned char *plain = NULL;
    size_t len = 0;
    seal_status st;

    if (!seal__sm2_is_key(X509_get0_pubkey(pr->cert)))
        return seal__fail(ctx, SEAL_ERR_INPUT, "an SM2 key transport recipient names a key that is "
                                               "not SM2");
    if (!kr->key || kr->key->skf) {
        pthread_mutex_lock(&kr->lock);
        st = kr->key ? seal__skf_decrypt(ctx, kr->key->skf, rc->ek, rc->eklen, cek, ceklen)
                     : seal__p11_sm2_decrypt(ctx, kr->p11, pr->key, rc->ek, rc->eklen, cek, ceklen);
        pthread_mutex_unlock(&kr->lock);
        return st;
    }
    if (!seal__sm2_decrypt(kr->key->soft, rc->ek, rc->eklen, &plain, &len)) {
        ERR_clear_error();
        return seal__fail(ctx, SEAL_ERR_INPUT, "the content key does not decrypt (SM2: its hash "
                                               "does not match): the envelope is damaged");
    }
    st = len <= *ceklen ? SEAL_OK : seal__fail(ctx, SEAL_ERR_INPUT, "the content key has a wrong length");
    if (st == SEAL_OK)
        memcpy(cek, plain, len);
    *ceklen = len;
    OPENSSL_cleanse(plain, len);
    free(plain);
    return st;
}

static seal_status unwrap(seal_ctx *ctx, seal_keyring *kr, const env_recip *rc,
                          const seal__p11_pair *pr, unsigned char *cek, size_t *ceklen)
{
    seal_status st;

    if (rc->sm2)
        return sm2_unwrap(ctx, kr, rc, pr, cek, ceklen);
    if (kr->key)
        return seal__fail(ctx, SEAL_ERR_UNSUPPORTED, "a %s key opens SM2 envelopes only; RSA and EC "
                                                     "envelopes open with the key on a token (pkcs11:)",
                          kr->key->skf ? "SKF" : "software");

    if (rc->kind == ENV_KARI) {
        if (pr->key_type != CKK_EC)
            return seal__fail(ctx, SEAL_ERR_INPUT, "a key agreement recipient names an RSA key");
        if ((st = check_point(ctx, rc, pr->cert)) != SEAL_OK)
            return st;
        return kari_unwrap(ctx, kr, rc, pr->key, cek, ceklen);
    }
    if (pr->key_type != CKK_RSA)
        return seal__fail(ctx, SEAL_ERR_INPUT, "a key transport recipient names an EC key");
    unsigned char buf[1024];
    size_t len = sizeof(buf);
    pthread_mutex_lock(&kr->lock);
    st = seal__p11_rsa_decrypt(ctx, kr->p11, pr->key, rc->oaep_md, rc->mgf_md, rc->ek, rc->eklen,
                               buf, &len);
    if (st == SEAL_ERR_UNSUPPORTED) {
        /* The RSA operation on the token, the OAEP decoding here. */
        len = sizeof(buf);
        st = seal__p11_rsa_decrypt(ctx, kr->p11, pr->key, -1, 0, rc->ek, rc->eklen, buf, &len);
        if (st == SEAL_OK)
            st = oaep_decode(ctx, buf, &len, rc->eklen, rc->oaep_md, rc->mgf_md);
    }
    pthread_mutex_unlock(&kr->lock);
    if (st == SEAL_OK) {
        if (len > *ceklen)
            st = seal__fail(ctx, SEAL_ERR_INPUT, "the content key has a wrong length");
        else
            memcpy(cek, buf, len);
        *ceklen = len;
    }
    OPENSSL_cleanse(buf, sizeof(buf));
    return st;
}

/* "issuer CN=…, serial 1A2B, valid 2025-01-01 to 2027-01-01" for a message. */
static void describe(const env_recip *rc, char *buf, size_t size)
{
    char nb[32] = "", na[32] = "";
    if (rc->not_after) {
        seal__iso_date(rc->not_before, nb, sizeof(nb));
        seal__iso_date(rc->not_after, na, sizeof(na));
    }
    if (rc->issuer_s)
        snprintf(buf, size, "%s%sissuer %s, serial %s%s%s%s%s", rc->subject_s ? rc->subject_s : "",
                 rc->subject_s ? " (" : "", rc->issuer_s, rc->serial_s,
                 na[0] ? ", valid " : "", nb, na[0] ? " to " : "", na);
    else
        snprintf(buf, size, "key identifier %s (%s)", rc->ski_s ? rc->ski_s : "?", rc->alg);
    if (rc->subject_s && rc->issuer_s)
        strncat(buf, ")", size - strlen(buf) - 1);
}

static seal_status no_key(seal_ctx *ctx, seal_keyring *kr, const seal_envelope *env)
{
    char msg[SEAL_MSG_MAX], one[512];
    size_t used = (size_t)snprintf(msg, sizeof(msg), "%s holds no key for %s, which was "
                                                     "sealed to: ",
                                   kr->name, env->path);
    for (size_t i = 0; i < env->nrecips && used < sizeof(msg); i++) {
        describe(&env->recips[i], one, sizeof(one));
        used += (size_t)snprintf(msg + used, sizeof(msg) - used, "%s%s", i ? "; " : "", one);
    }
    return seal__fail(ctx, SEAL_ERR_KEY_NOT_FOUND,
                      "%s. A renewed certificate cannot open a bid sealed to its predecessor: ask "
                      "the CA for key recovery of that encryption key onto the token",
                      msg);
}

/* Find a recipient the keyring opens and unwrap its content key. Subject
 * and validity are filled for recipients whose certificate is present. */
static seal_status open_key(seal_ctx *ctx, seal_keyring *kr, seal_envelope *env,
                            unsigned char *cek, size_t *ceklen, size_t *which)
{
    seal_status st, first = SEAL_OK;
    char firstmsg[SEAL_MSG_MAX] = "";
    size_t room = *ceklen;

    for (size_t i = 0; i < env->nrecips; i++)
        for (size_t k = 0; k < kr->n; k++) {
            env_recip *rc = &env->recips[i];
            if (rc->kind == ENV_OTHER || !recip_matches(rc, kr->pairs[k].cert))
                continue;
            if (!rc->subject_s) {
                seal__cert_text t;
                seal__cert_text_fill(&t, kr->pairs[k].cert);
                rc->subject_s = t.cn;
                t.cn = NULL;
                seal__cert_text_free(&t);
                rc->not_before = seal__asn1_time(X509_get0_notBefore(kr->pairs[k].cert));
                rc->not_after = seal__asn1_time(X509_get0_notAfter(kr->pairs[k].cert));
            }
        }
    for (size_t i = 0; i < env->nrecips; i++)
        for (size_t k = 0; k < kr->n; k++) {
            env_recip *rc = &env->recips[i];
            if (rc->kind == ENV_OTHER || !kr->pairs[k].key || !recip_matches(rc, kr->pairs[k].cert))
                continue;
            *ceklen = room;
            st = unwrap(ctx, kr, rc, &kr->pairs[k], cek, ceklen);
            if (st == SEAL_OK) {
                *which = i;
                return SEAL_OK;
            }
            if (first == SEAL_OK) {
                first = st;
                snprintf(firstmsg, sizeof(firstmsg), "%s", seal_ctx_message(ctx));
            }
        }
    if (first != SEAL_OK)
        return seal__fail(ctx, first, "%s: %s", env->path, firstmsg);
    return no_key(ctx, kr, env);
}

SEAL_API seal_status seal_keyring_check(seal_ctx *ctx, seal_keyring *kr, seal_envelope *env,
                                        size_t *recipient)
{
    unsigned char cek[64];
    size_t ceklen = sizeof(cek), which = 0;
    seal_status st;

    if (!ctx)
        return SEAL_ERR_ARGS;
    seal__reset(ctx);
    if (!kr || !env)
        return seal__fail(ctx, SEAL_ERR_ARGS, "seal_keyring_check: missing argument");
    seal__ossl_clear();
    st = open_key(ctx, kr, env, cek, &ceklen, &which);
    OPENSSL_cleanse(cek, sizeof(cek));
    ERR_clear_error();
    if (st == SEAL_OK && recipient)
        *recipient = which;
    return st;
}

static seal_status init_cipher(seal_ctx *ctx, EVP_CIPHER_CTX *c, const seal_envelope *env,
                               const unsigned char *cek, size_t ceklen)
{
    const EVP_CIPHER *cipher = EVP_get_cipherbynid(env->cipher_nid);

    if (!cipher || (size_t)EVP_CIPHER_get_key_length(cipher) != ceklen)
        return seal__fail(ctx, SEAL_ERR_INPUT, "%s: the envelope is damaged: the content key "
                                               "does not fit its algorithm", env->path);
    if (!EVP_DecryptInit_ex(c, cipher, NULL, NULL, NULL) ||
        (env->auth && !EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_IVLEN, (int)env->ivlen, NULL)) ||
        !EVP_DecryptInit_ex(c, NULL, NULL, cek, env->iv))
        return seal__ossl_fail(ctx, SEAL_ERR_CRYPTO, "cannot start decrypting %s", env->path);
    return SEAL_OK;
}

/* Up to cap bytes of ciphertext, fewer only at its end. */
static seal_status fill(seal_ctx *ctx, env_reader *r, unsigned char *buf, size_t cap, size_t *got)
{
    size_t n = 0, more = 1;
    seal_status st = SEAL_OK;

    while (n < cap && more && (st = seal__env_chunk(ctx, r, buf + n, cap - n, &more)) == SEAL_OK)
        n += more;
    *got = n;
    return st;
}

/* Decrypt the content through out; the tag or padding checked last. */
static seal_status decrypt_content(seal_ctx *ctx, env_reader *r, seal_envelope *env,
                                   EVP_CIPHER_CTX *c, EVP_MAC_CTX *mac, seal_output *out,
                                   long long *size)
{
    unsigned char want[SEAL_ENV_MAC_LEN];
    size_t wantlen = 0;
    unsigned char *in = malloc(CHUNK), *plain = malloc(CHUNK + 32);
    size_t got;
    int n;
    seal_status st = in && plain ? SEAL_OK : seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");

    /* Envelopes streamed by OpenSSL come in 4 KB pieces: gathered into
     * large writes. */
    while (st == SEAL_OK && (st = fill(ctx, r, in, CHUNK, &got)) == SEAL_OK && got) {
        if ((mac && !EVP_MAC_update(mac, in, got)) || !EVP_DecryptUpdate(c, plain, &n, in, (int)got))
            st = seal__ossl_fail(ctx, SEAL_ERR_CRYPTO, "decrypting %s failed", env->path);
        else if (n > 0 && (st = seal_output_write(out, plain, (size_t)n)) == SEAL_OK)
            *size += n;
    }
    if (st == SEAL_OK)
        st = seal__env_finish(ctx, r, env);
    /* an SM2 envelope's HMAC-SM3, before the padding is looked at */
    if (st == SEAL_OK && mac && env->has_mac &&
        (!EVP_MAC_final(mac, want, &wantlen, sizeof(want)) || wantlen != sizeof(want) ||
         CRYPTO_memcmp(want, env->mac, sizeof(want)) != 0)) {
        ERR_clear_error();
        st = seal__fail(ctx, SEAL_ERR_INPUT, "%s: the envelope is damaged: its HMAC-SM3 does not "
                                             "verify (the ciphertext, IV or RecipientInfos were "
                                             "changed)", env->path);
    }
    if (st == SEAL_OK && env->auth &&
        !EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, (int)env->taglen, env->tag))
        st = seal__ossl_fail(ctx, SEAL_ERR_CRYPTO, "cannot check the tag of %s", env->path);
    if (st == SEAL_OK && !EVP_DecryptFinal_ex(c, plain, &n)) {
        ERR_clear_error();
        st = seal__fail(ctx, SEAL_ERR_INPUT, "%s: the envelope is damaged: %s", env->path,
                        env->auth ? "the authentication tag does not verify (the ciphertext, "
                                    "tag or parameters were changed)"
                                  : "the padding is wrong (tampered with, or a wrong key)");
    } else if (st == SEAL_OK && n > 0 && (st = seal_output_write(out, plain, (size_t)n)) == SEAL_OK) {
        *size += n;
    }
    if (plain)
        OPENSSL_cleanse(plain, CHUNK + 32);
    free(in);
    free(plain);
    return st;
}

SEAL_API seal_status seal_decrypt_file(seal_ctx *ctx, seal_keyring *kr, const char *in,
                                       const char *out, seal_decrypt_result *res)
{
    seal_envelope env;
    env_reader r;
    unsigned char cek[64];
    size_t ceklen = sizeof(cek), which;
    EVP_CIPHER_CTX *c = NULL;
    EVP_MAC_CTX *mac = NULL;
    seal_output *o = NULL;
    long long size = 0;
    seal_status st;

    if (!ctx)
        return SEAL_ERR_ARGS;
    seal__reset(ctx);
    if (!kr || !in || !out)
        return seal__fail(ctx, SEAL_ERR_ARGS, "seal_decrypt_file: missing argument");
    {
        const char *ins[] = {in}, *outs[] = {out};
        if ((st = seal__paths_check(ctx, ins, 1, outs, 1)) != SEAL_OK)
            return st;
    }
    memset(&env, 0, sizeof(env));
    env.path = (char *)in;
    st = seal__env_start(ctx, &r, in, &env);
    seal__ossl_clear();
    if (st == SEAL_OK)
        st = open_key(ctx, kr, &env, cek, &ceklen, &which);
    if (st == SEAL_OK && !(c = EVP_CIPHER_CTX_new()))
        st = seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
    if (st == SEAL_OK)
        st = init_cipher(ctx, c, &env, cek, ceklen);
    if (st == SEAL_OK && env.gm &&
        !(mac = seal__env_mac_new(cek, ceklen, env.ri, env.rilen, env.algid, env.algidlen)))
        st = seal__ossl_fail(ctx, SEAL_ERR_CRYPTO, "cannot start HMAC-SM3");
    OPENSSL_cleanse(cek, sizeof(cek));
    if (st == SEAL_OK) {
        st = seal_output_open(ctx, &o, out, 0);
        if (st == SEAL_OK)
            st = decrypt_content(ctx, &r, &env, c, mac, o, &size);
        if (st == SEAL_OK)
            st = seal_output_commit(o);
        seal_output_free(o);
    }
    EVP_CIPHER_CTX_free(c);
    EVP_MAC_CTX_free(mac);
    seal__env_close(&r);
    if (st == SEAL_OK && res) {
        res->authenticated = env.auth || env.has_mac;
        res->size = size;
    }
    env.path = NULL;
    seal__env_clear(&env);
    ERR_clear_error();
    return st;
}
