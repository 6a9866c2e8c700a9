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
    int kdf_md;                      /* kari: X9.63 KDF digest NID */
    int wrap_nid;                    /* kari: key wrap algorithm */
    unsigned char wrap[64];          /* kari: its AlgorithmIdentifier DER */
    size_t wraplen;
} env_recip;

struct seal_envelope {
    char *path;
    int auth;                        /* AuthEnvelopedData */
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

#endif /* SEAL_ENVINT_H */
