/*
 * Sealed bids to SM2 certificates: a GM/T 0010 (GB/T 35275) EnvelopedData
 * (content types 1.2.156.10197.6.1.4.2.3 and .2.1) with one
 * KeyTransRecipientInfo per certificate — SM2 encryption
 * (1.2.156.10197.1.301.3) of the content key, encryptedKey the GM/T 0009
 * SM2Cipher DER — and the content in SM4-CBC (1.2.156.10197.1.104.2, the
 * IV as parameter), written streamed in constant memory. OpenSSL's CMS
 * cannot do SM2 key transport, so the structure is written here.
 *
 * CBC has no tag: libseal adds an HMAC-SM3 as an unprotected attribute
 * (docs/sealed-bids.md, "SM2 envelopes"), over the RecipientInfos, the
 * content encryption AlgorithmIdentifier and the ciphertext, with a key
 * derived from the content key. The opener checks it before the output
 * takes its name. Readers that do not know it ignore it.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "envint.h"
#include "sm2int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#define CHUNK (1u << 18)

/* 2.25.11176298465704925991319723088672629687 (an X.667 UUID OID): the
 * libseal envelope HMAC-SM3 attribute. */
const unsigned char seal__env_mac_oid[SEAL_ENV_MAC_OID_LEN] = {
    0x69, 0x90, 0xe8, 0xbd, 0x83, 0xd9, 0xb7, 0xca, 0x8e, 0xb1,
    0x96, 0xe1, 0xf8, 0xe7, 0x99, 0x98, 0xba, 0xc7, 0x37};
static const unsigned char oid_gm_enveloped[] = {0x06, 0x0a, 0x2a, 0x81, 0x1c, 0xcf, 0x55,
                                                 0x06, 0x01, 0x04, 0x02, 0x03};
static const unsigned char oid_gm_data[] = {0x06, 0x0a, 0x2a, 0x81, 0x1c, 0xcf, 0x55,
                                            0x06, 0x01, 0x04, 0x02, 0x01};
static const unsigned char oid_sm2_encrypt[] = {0x06, 0x09, 0x2a, 0x81, 0x1c, 0xcf,
                                                0x55, 0x01, 0x82, 0x2d, 0x03};
static const unsigned char oid_sm4_cbc[] = {0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x68, 0x02};
static const char mac_label[] = "libseal SM4-CBC envelope MAC key";

typedef seal__dbuf buf;

/* KeyTransRecipientInfo: version 0, IssuerAndSerialNumber, SM2
 * encryption, the content key as SM2Cipher. */
static seal_status ktri(seal_ctx *ctx, buf *ri, X509 *cert, const unsigned char *cek, size_t ceklen)
{
    unsigned char *name = NULL, *serial = NULL, *ek = NULL;
    int nlen = i2d_X509_NAME(X509_get_issuer_name(cert), &name);
    int slen = i2d_ASN1_INTEGER((ASN1_INTEGER *)X509_get0_serialNumber(cert), &serial);
    size_t eklen = 0;
    buf ias = {0}, body = {0};
    static const unsigned char v0[] = {0x02, 0x01, 0x00};
    seal_status st = SEAL_OK;

    if (nlen <= 0 || slen <= 0)
        st = seal__ossl_fail(ctx, SEAL_ERR_CRYPTO, "cannot encode the certificate's issuer");
    else if (!seal__sm2_encrypt(X509_get0_pubkey(cert), cek, ceklen, &ek, &eklen))
        st = seal__ossl_fail(ctx, SEAL_ERR_CRYPTO, "SM2 encryption of the content key failed");
    if (st == SEAL_OK) {
        seal__dbuf_put(&ias, name, (size_t)nlen);
        seal__dbuf_put(&ias, serial, (size_t)slen);
        seal__dbuf_put(&body, v0, sizeof(v0));
        seal__dbuf_tlv(&body, V_ASN1_SEQUENCE, 1, ias.p, ias.n);
        seal__dbuf_tlv(&body, V_ASN1_SEQUENCE, 1, oid_sm2_encrypt, sizeof(oid_sm2_encrypt));
        seal__dbuf_tlv(&body, V_ASN1_OCTET_STRING, 0, ek, eklen);
        seal__dbuf_tlv(ri, V_ASN1_SEQUENCE, 1, body.p, body.n);
        if (ias.oom || body.oom || ri->oom)
            st = seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
    }
    OPENSSL_free(name);
    OPENSSL_free(serial);
    free(ek);
    free(ias.p);
    free(body.p);
    return st;
}

EVP_MAC_CTX *seal__env_mac_new(const unsigned char *cek, size_t ceklen, const unsigned char *ri,
                               size_t rilen, const unsigned char *algid, size_t algidlen)
{
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *c = mac ? EVP_MAC_CTX_new(mac) : NULL;
    OSSL_PARAM prm[2] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SM3", 0),
                         OSSL_PARAM_construct_end()};
    unsigned char key[32];
    size_t klen = 0;
    int ok;

    /* key = HMAC-SM3(content key, label): never the content key itself */
    ok = c && EVP_MAC_init(c, cek, ceklen, prm) &&
         EVP_MAC_update(c, (const unsigned char *)mac_label, strlen(mac_label)) &&
         EVP_MAC_final(c, key, &klen, sizeof(key)) && klen == sizeof(key) &&
         EVP_MAC_init(c, key, klen, prm) && EVP_MAC_update(c, ri, rilen) &&
         EVP_MAC_update(c, algid, algidlen);
    OPENSSL_cleanse(key, sizeof(key));
    EVP_MAC_free(mac);
    if (!ok) {
        EVP_MAC_CTX_free(c);
        return NULL;
    }
    return c;
}

int seal__env_mac_attr(const unsigned char *attrs, size_t len, unsigned char mac[SEAL_ENV_MAC_LEN])
{
    seal__der d = {attrs, attrs + len}, a, vals;
    const unsigned char *x, *v;
    size_t xl, vl;
    int tag, found = 0;

    while (d.p < d.end) {
        if (!seal__der_next(&d, &tag, &x, &xl, NULL, NULL) || tag != 0x30)
            return -1;
        a = (seal__der){x, x + xl};
        if (!seal__der_next(&a, &tag, &x, &xl, NULL, NULL) || tag != 0x06 ||
            !seal__der_next(&a, &tag, &v, &vl, NULL, NULL) || tag != 0x31)
            return -1;
        if (xl != SEAL_ENV_MAC_OID_LEN || memcmp(x, seal__env_mac_oid, xl))
            continue;
        vals = (seal__der){v, v + vl};
        if (found || !seal__der_next(&vals, &tag, &x, &xl, NULL, NULL) || tag != 0x04 ||
            xl != SEAL_ENV_MAC_LEN || vals.p != vals.end)
            return -1;
        memcpy(mac, x, SEAL_ENV_MAC_LEN);
        found = 1;
    }
    return found;
}

/* The envelope's bytes go to the file and, for the receipt, its SHA-256. */
typedef struct sink {
    FILE *f;
    EVP_MD_CTX *sha;
    int bad;
} sink;

static void emit(sink *s, const void *data, size_t n)
{
    if (s->bad || !n)
        return;
    if (fwrite(data, 1, n, s->f) != n || (s->sha && !EVP_DigestUpdate(s->sha, data, n)))
        s->bad = 1;
}

static void emit_tlv(sink *s, int tag, const void *data, size_t n)
{
    unsigned char tl[6];
    emit(s, tl, seal__der_put_tl(tl, tag, n));
    emit(s, data, n);
}

/* The content, SM4-CBC, as OCTET STRING pieces of [0]; MAC fed. */
static seal_status stream_content(seal_ctx *ctx, FILE *in, const char *inpath, sink *out,
                                  EVP_CIPHER_CTX *c, EVP_MAC_CTX *mac)
{
    unsigned char *plain = malloc(CHUNK), *enc = malloc(CHUNK + 32);
    size_t n;
    int m;
    seal_status st = plain && enc ? SEAL_OK : seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");

    while (st == SEAL_OK && (n = fread(plain, 1, CHUNK, in)) > 0) {
        if (!EVP_EncryptUpdate(c, enc, &m, plain, (int)n) || !EVP_MAC_update(mac, enc, (size_t)m))
            st = seal__ossl_fail(ctx, SEAL_ERR_CRYPTO, "SM4 encryption failed");
        else if (m > 0)
            emit_tlv(out, 0x04, enc, (size_t)m);
    }
    if (st == SEAL_OK && ferror(in))
        st = seal__fail(ctx, SEAL_ERR_IO, "cannot read %s: %s", inpath, strerror(errno));
    if (st == SEAL_OK && (!EVP_EncryptFinal_ex(c, enc, &m) || !EVP_MAC_update(mac, enc, (size_t)m)))
        st = seal__ossl_fail(ctx, SEAL_ERR_CRYPTO, "SM4 encryption failed");
    else if (st == SEAL_OK)
        emit_tlv(out, 0x04, enc, (size_t)m);
    if (plain)
        OPENSSL_cleanse(plain, CHUNK);
    free(plain);
    free(enc);
    return st;
}

/* The unprotected attributes: [1] { Attribute { mac-oid, SET { OCTET STRING } } }. */
static void emit_mac(sink *out, const unsigned char mac[SEAL_ENV_MAC_LEN])
{
    unsigned char a[2 + SEAL_ENV_MAC_OID_LEN + 4 + SEAL_ENV_MAC_LEN], *p = a;
    size_t alen = sizeof(a);

    *p++ = 0x06;
    *p++ = SEAL_ENV_MAC_OID_LEN;
    memcpy(p, seal__env_mac_oid, SEAL_ENV_MAC_OID_LEN);
    p += SEAL_ENV_MAC_OID_LEN;
    *p++ = 0x31;
    *p++ = 2 + SEAL_ENV_MAC_LEN;
    *p++ = 0x04;
    *p++ = SEAL_ENV_MAC_LEN;
    memcpy(p, mac, SEAL_ENV_MAC_LEN);
    emit(out, (const unsigned char[]){0xa1, (unsigned char)(alen + 2), 0x30, (unsigned char)alen}, 4);
    emit(out, a, alen);
}

seal_status seal__env_sm2_encrypt(seal_ctx *ctx, FILE *in, const char *inpath, FILE *out,
                                  X509 *const *certs, size_t n, EVP_MD_CTX *sha)
{
    static const unsigned char v2[] = {0x02, 0x01, 0x02}, eoc[] = {0, 0},
                               open_ci[] = {0x30, 0x80}, open_0[] = {0xa0, 0x80};
    unsigned char cek[16], iv[16], mac[SEAL_ENV_MAC_LEN];
    size_t maclen = 0;
    buf ri = {0}, alg = {0}, algid = {0};
    EVP_CIPHER_CTX *c = NULL;
    EVP_MAC_CTX *m = NULL;
    sink s = {out, sha, 0};
    seal_status st = SEAL_OK;

    if (RAND_priv_bytes(cek, sizeof(cek)) <= 0 || RAND_bytes(iv, sizeof(iv)) <= 0)
        return seal__ossl_fail(ctx, SEAL_ERR_CRYPTO, "no random bytes for the content key");
    for (size_t i = 0; i < n && st == SEAL_OK; i++)
        st = ktri(ctx, &ri, certs[i], cek, sizeof(cek));
    seal__dbuf_put(&alg, oid_sm4_cbc, sizeof(oid_sm4_cbc));
    seal__dbuf_tlv(&alg, V_ASN1_OCTET_STRING, 0, iv, sizeof(iv));
    seal__dbuf_tlv(&algid, V_ASN1_SEQUENCE, 1, alg.p, alg.n);
    if (st == SEAL_OK && (ri.oom || alg.oom || algid.oom))
        st = seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
    if (st == SEAL_OK &&
        (!(c = EVP_CIPHER_CTX_new()) || !EVP_EncryptInit_ex(c, EVP_sm4_cbc(), NULL, cek, iv) ||
         !(m = seal__env_mac_new(cek, sizeof(cek), ri.p, ri.n, algid.p, algid.n))))
        st = seal__ossl_fail(ctx, SEAL_ERR_CRYPTO, "cannot start SM4-CBC and HMAC-SM3");
    OPENSSL_cleanse(cek, sizeof(cek));
    if (st == SEAL_OK) {
        /* ContentInfo { envelopedData, [0] EnvelopedData { version 2,
         * RecipientInfos, EncryptedContentInfo { data, SM4-CBC, [0] ... },
         * [1] unprotectedAttrs } }, indefinite lengths around the content */
        emit(&s, open_ci, 2);
        emit(&s, oid_gm_enveloped, sizeof(oid_gm_enveloped));
        emit(&s, open_0, 2);
        emit(&s, open_ci, 2);
        emit(&s, v2, sizeof(v2));
        emit_tlv(&s, 0x31, ri.p, ri.n);
        emit(&s, open_ci, 2);
        emit(&s, oid_gm_data, sizeof(oid_gm_data));
        emit(&s, algid.p, algid.n);
        emit(&s, open_0, 2);
        st = stream_content(ctx, in, inpath, &s, c, m);
    }
    if (st == SEAL_OK && (!EVP_MAC_final(m, mac, &maclen, sizeof(mac)) || maclen != sizeof(mac)))
        st = seal__ossl_fail(ctx, SEAL_ERR_CRYPTO, "HMAC-SM3 failed");
    if (st == SEAL_OK) {
        emit(&s, eoc, 2); /* [0] content */
        emit(&s, eoc, 2); /* EncryptedContentInfo */
        emit_mac(&s, mac);
        for (int i = 0; i < 3; i++)
            emit(&s, eoc, 2);
        if (s.bad || fflush(out) != 0 || ferror(out))
            st = seal__fail(ctx, SEAL_ERR_IO, "cannot write the envelope: %s", strerror(errno));
    }
    EVP_MAC_CTX_free(m);
    EVP_CIPHER_CTX_free(c);
    free(ri.p);
    free(alg.p);
    free(algid.p);
    return st;
}
