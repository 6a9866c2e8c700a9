/*
 * Internal interface between the key modules (key.c, token.c, tokensm2.c,
 * skf.c), CMS (cms.c) and the PDF signer. Not installed.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef SEAL_KEYINT_H
#define SEAL_KEYINT_H

#include "internal.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <pthread.h>

/* Certificates (certs.c): texts, usage, checks. Text fields of a
 * certificate, owned by the holder. */
typedef struct seal__cert_text {
    char *subject, *issuer, *cn, *serial, *key_type, *label, *id;
    char *uri; /* token listing: the --key URI of the certificate's key, or NULL */
} seal__cert_text;

void seal__cert_text_fill(seal__cert_text *t, X509 *cert);
/* A name on one line, RFC 2253 (malloc'd), or NULL. */
char *seal__name_line(const X509_NAME *name);
void seal__cert_text_free(seal__cert_text *t);
void seal__cert_info(seal_cert_info *out, const seal__cert_text *t, X509 *cert);
/* SEAL_KU_* bits of a certificate. */
unsigned seal__cert_key_usage(X509 *cert);
/* "sign", "encrypt", "both" or "none" for SEAL_KU_* bits (no extension: both). */
const char *seal__ku_class(unsigned ku);
/* Push a new reference to x onto certs unless an equal one is there. */
void seal__certs_add_unique(STACK_OF(X509) *certs, X509 *x);

/* A PIN for `what` (a phrase: "token 'X'"), into pin: from pin_source
 * (file:PATH or PATH, one line) when given, else from cb (with label and
 * SEAL_PIN_* flags). None, or an empty one, is an error naming `what`, so
 * no login attempt is spent on it. */
seal_status seal__pin_get(seal_ctx *ctx, const char *pin_source, seal_pin_cb cb, void *user,
                          const char *label, const char *what, unsigned flags, char *pin,
                          size_t size);

/* A token session holding a private key (token.c). */
typedef struct seal__p11 seal__p11;

/* Open the key named by a pkcs11: URI; fills cert and pool, the token's
 * other certificates (both owned by the caller). More than one signing key
 * matching the URI is SEAL_ERR_KEY_NOT_FOUND naming each with its URI. */
seal_status seal__p11_open(seal_ctx *ctx, seal__p11 **out, const char *uri,
                           const seal_key_options *opts, X509 **cert, STACK_OF(X509) **pool);
void seal__p11_close(seal__p11 *p);
/* Sign a digest of the given algorithm (NID) with the token key: an RSA
 * PKCS#1 v1.5 signature over a DigestInfo, or a DER ECDSA-Sig-Value. */
seal_status seal__p11_sign(seal_ctx *ctx, seal__p11 *p, int md_nid, const unsigned char *md,
                           size_t mdlen, unsigned char **sig, size_t *siglen);
const char *seal__p11_label(const seal__p11 *p);
/* Certificates with this subject in the p11-kit system trust store
 * (p11-kit-trust.so), added to out. Nothing when it is not installed. */
void seal__p11_trust_lookup(const X509_NAME *subject, STACK_OF(X509) *out);

/* Decryption keys on a token (envelope.c): each certificate on the token
 * matching the URI's object=/id= (every one when it names none), paired
 * with the private key of the same CKA_ID (key 0 when the token holds
 * none, or without login). */
typedef struct seal__p11_pair {
    X509 *cert;
    unsigned long key;      /* CK_OBJECT_HANDLE, 0 when absent */
    unsigned long key_type; /* CKK_RSA, CKK_EC */
    char *label;            /* CKA_LABEL of the certificate, or NULL */
} seal__p11_pair;
seal_status seal__p11_pairs(seal_ctx *ctx, seal__p11 **out, const char *uri,
                            const seal_key_options *opts, int do_login, seal__p11_pair **pairs,
                            size_t *npairs);
void seal__p11_pairs_free(seal__p11_pair *pairs, size_t n);
/* Unwrap on the token: RSA-OAEP (oaep_md and mgf_md NIDs; SEAL_ERR_UNSUPPORTED
 * when the token lacks that OAEP), with oaep_md 0 PKCS#1 v1.5, with -1 the
 * raw RSA operation (CKM_RSA_X_509). *outlen is the room in out, then the
 * length. */
seal_status seal__p11_rsa_decrypt(seal_ctx *ctx, seal__p11 *p, unsigned long key, int oaep_md,
                                  int mgf_md, const unsigned char *in, size_t inlen,
                                  unsigned char *out, size_t *outlen);
/* The ECDH shared secret Z (CKM_ECDH1_DERIVE, CKD_NULL) with the
 * originator's public point (uncompressed). */
seal_status seal__p11_ecdh(seal_ctx *ctx, seal__p11 *p, unsigned long key,
                           const unsigned char *point, size_t plen, unsigned char *z, size_t *zlen);

/* SM2 on tokens (tokensm2.c). The sm2-mechanism= attribute of a pkcs11:
 * URI: *mech its value (0 when absent), *rest the URI without it (malloc'd). */
seal_status seal__p11_sm2_uri(seal_ctx *ctx, const char *uri, char **rest, unsigned long *mech);
/* The mechanism that signs a 32-byte e with the SM2 key on token `label`
 * of `module` (a CK_FUNCTION_LIST *) in `slot`: the override when non-zero,
 * else the known vendor's, by the token's manufacturerID (token_maker) or
 * the module's; an unknown vendor is SEAL_ERR_TOKEN naming the known values
 * and those of them the token lists. */
seal_status seal__p11_sm2_mechanism(seal_ctx *ctx, void *module, unsigned long slot,
                                    const char *label, const char *token_maker,
                                    unsigned long override, unsigned long *mech);
/* sm2-decrypt-mechanism= of a pkcs11: URI, as seal__p11_sm2_uri. */
seal_status seal__p11_sm2_uri_decrypt(seal_ctx *ctx, const char *uri, char **rest,
                                      unsigned long *mech);
/* The mechanism that decrypts with the SM2 key on token `label`: the
 * override when non-zero, else the known vendor's (by manufacturerID);
 * SEAL_ERR_TOKEN naming the URI attribute otherwise. */
seal_status seal__p11_sm2_decrypt_mechanism(seal_ctx *ctx, void *module, const char *label,
                                            const char *token_maker, unsigned long override,
                                            unsigned long *mech);
/* An SM2Cipher DER as raw 04||x||y||C3||C2 (what some tokens take): out
 * has *outlen bytes of room. SEAL_ERR_INPUT when malformed. */
seal_status seal__sm2_cipher_raw(const unsigned char *der, size_t len, unsigned char *out,
                                 size_t *outlen);
/* Decrypt an SM2Cipher DER with the SM2 key `key` on the token (the
 * vendor's mechanism, given the DER, then the raw form if the token
 * refuses it). *outlen is the room in out, then the length. */
seal_status seal__p11_sm2_decrypt(seal_ctx *ctx, seal__p11 *p, unsigned long key,
                                  const unsigned char *in, size_t inlen, unsigned char *out,
                                  size_t *outlen);
/* What a token (`who`, for messages) returned for e, DER or raw r||s, as a
 * DER SEQUENCE{r,s} (malloc'd) verified with pub: SEAL_ERR_TOKEN when it
 * does not verify, so a wrong mechanism never reaches a document. */
seal_status seal__sm2_token_result(seal_ctx *ctx, const char *who, EVP_PKEY *pub,
                                   const unsigned char e[32], const unsigned char *raw,
                                   size_t rawlen, unsigned char **sig, size_t *siglen);

/* SKF (GM/T 0016) key holders (skf.c), named by skf: URIs. */
typedef struct seal__skf seal__skf;
/* sign: the container's signing key pair, else its encryption one (for
 * opening sealed bids). */
seal_status seal__skf_open(seal_ctx *ctx, seal__skf **out, const char *uri,
                           const seal_key_options *opts, int sign, X509 **cert);
/* Decrypt an SM2Cipher DER (a content key) with the container's
 * encryption key (SKF_ECCDecrypt, GM/T 0016 ECCCIPHERBLOB). *outlen is the
 * room in out, then the length. */
seal_status seal__skf_decrypt(seal_ctx *ctx, seal__skf *s, const unsigned char *der, size_t len,
                              unsigned char *out, size_t *outlen);
void seal__skf_close(seal__skf *s);
/* Sign an SM2 digest e (md_nid NID_sm3, 32 bytes): DER SEQUENCE{r,s}. */
seal_status seal__skf_sign(seal_ctx *ctx, seal__skf *s, int md_nid, const unsigned char *md,
                           size_t mdlen, unsigned char **sig, size_t *siglen);
const char *seal__skf_label(const seal__skf *s);

struct seal_key {
    pthread_mutex_t lock;  /* a token session signs one thing at a time */
    seal__p11 *p11;        /* token key, or NULL */
    seal__skf *skf;        /* SKF container key, or NULL */
    EVP_PKEY *soft;        /* PKCS#12 private key, or NULL */
    X509 *cert;            /* signer certificate */
    STACK_OF(X509) *chain; /* its issuers, signer's first (chain.c; may be empty) */
    seal__cert_text text;
};

/* A key that opens sealed bids (envkeys.c): p12:, pem: or skf: (the
 * container's encryption key pair), without the signing checks. */
seal_status seal__key_open_decrypt(seal_ctx *ctx, seal_key **out, const char *uri,
                                   const seal_key_options *opts);

/* Sign a digest with whatever holds the key. */
seal_status seal__key_sign(seal_ctx *ctx, seal_key *key, int md_nid, const unsigned char *md,
                           size_t mdlen, unsigned char **sig, size_t *siglen);
/* Check that a certificate may sign now: usage and validity (certs.c). */
seal_status seal__key_check_cert(seal_ctx *ctx, X509 *cert, const char *what);

/* CMS (cms.c) */
#include <openssl/cms.h>
/* The bytes a CMS signature value covers: the signed attributes encoded as
 * an explicit SET OF (RFC 5652 §5.4), DER-sorted, not with the [0]
 * IMPLICIT tag they carry inside the SignerInfo. malloc'd; 0 on failure. */
int seal__cms_signed_attrs_der(CMS_SignerInfo *si, unsigned char **out, size_t *outlen);
/* Upper bound of the DER size of the CMS seal__cms_sign makes for key. */
size_t seal__cms_max_size(seal_key *key);
/* A CAdES detached SignedData over a SHA-256 document digest: signed
 * attributes contentType, messageDigest, signing-certificate-v2, no
 * signing-time; the signer's certificate and chain included; with
 * tsa_url, a signature time-stamp as unsigned attribute (B-T). The DER is
 * malloc'd. */
seal_status seal__cms_sign(seal_ctx *ctx, seal_key *key, const unsigned char digest[32],
                           const char *tsa_url, unsigned char **der, size_t *derlen);
/* An SM2 value as the key holder gave it for e (DER, or raw r||s from a
 * token), made strict DER (*sig replaced) and checked against e with pub
 * before it is embedded: SEAL_ERR_CRYPTO when it does not verify. */
seal_status seal__sm2_key_value(seal_ctx *ctx, EVP_PKEY *pub, const unsigned char e[32],
                                unsigned char **sig, size_t *siglen);
/* Check a CMS written by us: one SignerInfo, messageDigest equals digest,
 * the signature verifies with the signer certificate. */
seal_status seal__cms_check(seal_ctx *ctx, const unsigned char *der, size_t derlen,
                            const unsigned char digest[32], X509 *signer);
/* The subject CN of the first signer certificate of a CMS, or NULL (malloc'd). */
char *seal__cms_signer_name(const unsigned char *der, size_t derlen);

#endif /* SEAL_KEYINT_H */
