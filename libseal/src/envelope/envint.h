/*
 * Internal interface of the envelope modules: the streaming envelope
 * reader (envread.c) and encryption, keyrings and decryption (envelope.c).
 * Not installed.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef SEAL_ENVINT_H
#define SEAL_ENVINT_H

#include "keyint.h"

#include <stdio.h>

#include <openssl/x509.h>

enum { ENV_KTRI = 1, ENV_KARI, ENV_OTHER };

/* One RecipientInfo (or one RecipientEncryptedKey of a kari). Pointers
 * point into seal_envelope.ri. */
typedef struct env_recip {
    int kind;
    X509_NAME *issuer;     /* with serial, or NULL when named by key identifier */
    ASN1_INTEGER *serial;
    const unsigned char *ski;
    size_t skilen;
    char *issuer_s, *serial_s, *ski_s, *subject_s;
    char alg[64];
    long long not_before, not_after;
    int oaep_md, mgf_md;             /* ktri: digest NIDs; oaep_md 0 = PKCS#1 v1.5 */
    const unsigned char *ek;         /* encrypted (wrapped) key */
    size_t eklen;
    const unsigned char *opk;        /* kari: originator's public point */
    size_t opklen;
    const unsigned char *ukm;        /* kari: user keying material, or NULL */
    size_t ukmlen;
    int sm2;                         /* ktri: SM2 encryption (GM/T 0010) */
    int kdf_md;                      /* kari: X9.63 KDF digest NID */
    int wrap_nid;                    /* kari: key wrap algorithm */
    unsigned char wrap[64];          /* kari: its AlgorithmIdentifier DER */
    size_t wraplen;
} env_recip;

struct seal_envelope {
    char *path;
    int auth;                        /* AuthEnvelopedData */
    int gm;                          /* GM/T 0010 EnvelopedData (SM2, SM4) */
    int has_mac;                     /* GM/T 0010: libseal's HMAC-SM3 attribute */
    unsigned char mac[32];
    unsigned char algid[64];         /* the content encryption AlgorithmIdentifier */
    size_t algidlen;
    int cipher_nid;
    unsigned char iv[16];
    size_t ivlen;
    size_t taglen;
    unsigned char tag[16];
    unsigned char *ri;               /* RecipientInfos content, raw */
    size_t rilen;
    env_recip *recips;
    size_t nrecips;
    long long file_size, content_size;
    int receipt;
    long long receipt_time;
    char *receipt_tsa;
};

/* A streaming reader of one envelope file: header, content, trailer. */
typedef struct env_reader {
    FILE *f;
    const char *path;
    long long pos;
    struct {
        int indef;
        long long end;
    } open[8];
    int depth;
    int cons, indef;                 /* the encryptedContent [0] */
    long long end, left;             /* its end (definite), bytes left in the chunk */
    int done;
    unsigned char *cap;              /* capture buffer for elements read whole */
    size_t caplen, capmax;
    int capturing;
} env_reader;

/* Open path and read through the header: recipients, content algorithm,
 * up to the first byte of ciphertext. */
seal_status seal__env_start(seal_ctx *ctx, env_reader *r, const char *path, seal_envelope *env);
/* The next bytes of ciphertext (*got 0 at its end). */
seal_status seal__env_chunk(seal_ctx *ctx, env_reader *r, unsigned char *buf, size_t cap,
                            size_t *got);
/* Read the tag and what follows the content, up to the end of the file. */
seal_status seal__env_finish(seal_ctx *ctx, env_reader *r, seal_envelope *env);
void seal__env_close(env_reader *r);
/* Free what seal__env_start filled in env (not env itself). */
void seal__env_clear(seal_envelope *env);

/* GM/T 0010 envelopes to SM2 certificates (envsm2.c). */
#define SEAL_ENV_MAC_LEN 32
#define SEAL_ENV_MAC_OID_LEN 19
/* The libseal HMAC-SM3 attribute's OID, content octets. */
extern const unsigned char seal__env_mac_oid[SEAL_ENV_MAC_OID_LEN];
/* Write the envelope of `in` to every certificate (all SM2) into out,
 * streamed; sha (may be NULL) is fed the bytes written. */
seal_status seal__env_sm2_encrypt(seal_ctx *ctx, FILE *in, const char *inpath, FILE *out,
                                  X509 *const *certs, size_t n, EVP_MD_CTX *sha);
/* The HMAC-SM3 of an SM2 envelope, keyed from the content key and fed the
 * RecipientInfos content and the AlgorithmIdentifier; the caller feeds the
 * ciphertext and finishes it. NULL on failure. */
EVP_MAC_CTX *seal__env_mac_new(const unsigned char *cek, size_t ceklen, const unsigned char *ri,
                               size_t rilen, const unsigned char *algid, size_t algidlen);
/* The HMAC attribute among unprotectedAttrs (their SET content): 1 found
 * (mac filled), 0 none, -1 malformed. */
int seal__env_mac_attr(const unsigned char *attrs, size_t len, unsigned char mac[SEAL_ENV_MAC_LEN]);

#endif /* SEAL_ENVINT_H */
