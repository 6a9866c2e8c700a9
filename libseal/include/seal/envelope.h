/*
 * libseal — sealed bids: CMS envelopes encrypted to the bidder's encryption
 * certificates and opened with the key on the token.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 *
 * An envelope is a CMS AuthEnvelopedData (RFC 5083, AES-256-GCM) or, for
 * recipients that need it, an EnvelopedData (RFC 5652, AES-256-CBC), with
 * one RecipientInfo per certificate: RSAES-OAEP with SHA-256 for RSA keys,
 * ephemeral-static ECDH (RFC 5753, dhSinglePass-stdDH-sha256kdf-scheme with
 * id-aes256-wrap) for EC keys. SM2 certificates get a GM/T 0010 (GB/T
 * 35275) EnvelopedData: SM2 key transport (GM/T 0009 ciphertext), SM4-CBC
 * and an HMAC-SM3 unprotected attribute checked like a tag
 * (docs/sealed-bids.md). Files of any size are encrypted and
 * decrypted in constant memory. Decryption writes nothing until the GCM tag
 * verifies; unwrapping happens on the token (C_Decrypt with
 * CKM_RSA_PKCS_OAEP, C_DeriveKey with CKM_ECDH1_DERIVE).
 */
#ifndef SEAL_ENVELOPE_H
#define SEAL_ENVELOPE_H

#include "common.h"
#include "key.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The certificates a bid is sealed to. */
typedef struct seal_recipients seal_recipients;

SEAL_API seal_status seal_recipients_new(seal_ctx *ctx, seal_recipients **out);
/* NULL is allowed. */
SEAL_API void seal_recipients_free(seal_recipients *r);

/* seal_recipients_add flags */
#define SEAL_RECIPIENTS_WHOLE_TOKEN 0x01u /* a pkcs11: URI: every encryption certificate on
                                             the token, whatever object=/id= it names */

/*
 * Add the encryption certificate(s) named by `spec`: a PEM or DER
 * certificate file, or a pkcs11: URI whose certificates are read from the
 * token without login (object=/id= narrow them; a URI naming none, or
 * SEAL_RECIPIENTS_WHOLE_TOKEN, takes every encryption certificate on the
 * token). A certificate is an encryption certificate when its keyUsage
 * allows keyEncipherment (RSA), keyAgreement (EC), keyEncipherment,
 * dataEncipherment or keyAgreement (SM2), or it has none.
 * Returns SEAL_OK, SEAL_ERR_ARGS, SEAL_ERR_IO, SEAL_ERR_INPUT (not a
 * certificate), SEAL_ERR_TOKEN, SEAL_ERR_KEY_NOT_FOUND (no encryption
 * certificate on the token), SEAL_ERR_CERT (a signing certificate, an
 * expired one, or a key type other than RSA, EC and SM2, with the reason),
 * SEAL_ERR_NOMEM. A certificate expiring within 30 days is taken with a
 * warning.
 */
SEAL_API seal_status seal_recipients_add(seal_ctx *ctx, seal_recipients *r, const char *spec,
                                         unsigned flags);
SEAL_API size_t seal_recipients_count(const seal_recipients *r);
/* Recipient i; strings belong to r. SEAL_ERR_ARGS when out of range. */
SEAL_API seal_status seal_recipients_get(const seal_recipients *r, size_t i, seal_cert_info *out);

/* seal_encrypt_options.flags */
#define SEAL_ENCRYPT_CBC 0x01u /* EnvelopedData with AES-256-CBC, not AES-256-GCM */

typedef struct seal_encrypt_options {
    unsigned version;
    unsigned flags;       /* SEAL_ENCRYPT_* */
    long long opening;    /* bid opening (seconds since the epoch) or 0: warn for a
                             recipient certificate that expires before it */
    const char *tsa_url;  /* RFC 3161 service: a time-stamp over the SHA-256 of the
                             envelope is written to OUT.tsr; NULL for none */
} seal_encrypt_options;

#define SEAL_ENCRYPT_OPTIONS_VERSION 1
#define SEAL_ENCRYPT_OPTIONS_INIT {SEAL_ENCRYPT_OPTIONS_VERSION, 0, 0, NULL}

/*
 * Encrypt the file `in` to every recipient and write the envelope (BER,
 * streamed) to `out` whole or not at all (and OUT.tsr with tsa_url). The
 * input is read once, in constant memory. All SM2 recipients: a GM/T 0010
 * envelope (flags ignored). Returns SEAL_OK, SEAL_ERR_ARGS (no recipient;
 * SM2 and RSA/EC recipients together; an output would replace an input),
 * SEAL_ERR_IO,
 * SEAL_ERR_CRYPTO, SEAL_ERR_NETWORK (time-stamp service; the envelope is
 * then kept), SEAL_ERR_NOMEM.
 */
SEAL_API seal_status seal_encrypt_file(seal_ctx *ctx, const char *in, const char *out,
                                       const seal_recipients *r, const seal_encrypt_options *opts);

/* An envelope read from a file: its recipients and algorithms. */
typedef struct seal_envelope seal_envelope;

typedef struct seal_envelope_info {
    const char *type;              /* "AuthEnvelopedData", "EnvelopedData" or
                                      "EnvelopedData (GM/T 0010)" */
    const char *content_algorithm; /* "AES-256-GCM", "AES-128-CBC", "SM4-CBC", ... */
    int authenticated;             /* 1 when the content carries an authentication tag
                                      (or, SM4-CBC, libseal's HMAC-SM3) */
    long long file_size;
    long long content_size;        /* bytes of ciphertext */
    size_t recipient_count;
    /* The time-stamp receipt beside the file (FILE.tsr): */
    int receipt;                   /* 0 none, 1 matches the envelope, -1 does not match
                                      or cannot be read */
    long long receipt_time;        /* its genTime (seconds since the epoch) */
    const char *receipt_tsa;       /* the time-stamp authority's name, or "" */
} seal_envelope_info;

typedef struct seal_recipient_info {
    const char *kind;          /* "ktri" (key transport), "kari" (key agreement), or
                                  the type of a recipient libseal cannot open */
    const char *issuer;        /* RFC 2253, or "" when named by key identifier */
    const char *serial;        /* hex, or "" */
    const char *key_id;        /* subjectKeyIdentifier in hex, or "" */
    const char *algorithm;     /* e.g. "RSAES-OAEP-SHA256", "ECDH-SHA256KDF-AES256-WRAP",
                                  "SM2-ENCRYPT" */
    /* Known when the certificate was found (on the token, by seal_keyring_check): */
    const char *subject;       /* or "" */
    long long not_before, not_after; /* or 0 */
} seal_recipient_info;

/*
 * Read the envelope at path (streamed; the content is skipped, not
 * decrypted) and the receipt PATH.tsr if present. Returns SEAL_OK with an
 * owned envelope, SEAL_ERR_IO, SEAL_ERR_INPUT (not an envelope, truncated,
 * malformed), SEAL_ERR_UNSUPPORTED (an envelope libseal cannot open),
 * SEAL_ERR_NOMEM.
 */
SEAL_API seal_status seal_envelope_open(seal_ctx *ctx, const char *path, seal_envelope **out);
SEAL_API void seal_envelope_free(seal_envelope *env);
SEAL_API seal_status seal_envelope_info_get(const seal_envelope *env, seal_envelope_info *out);
/* Recipient i; strings belong to env. SEAL_ERR_ARGS when out of range. */
SEAL_API seal_status seal_envelope_recipient(const seal_envelope *env, size_t i,
                                             seal_recipient_info *out);

/*
 * The decryption keys of one token (every private key with its
 * certificate, so a token holding recovered older keys opens older bids),
 * or, for SM2 envelopes, one key: an SKF container's encryption key pair
 * (skf:) or a software key (p12:, pem:).
 *
 * Thread rule: like seal_key, a keyring may be shared by threads that each
 * use their own seal_ctx; token operations are serialised by a lock.
 */
typedef struct seal_keyring seal_keyring;

/*
 * Open the keyring named by uri (object= and id= narrow it to those
 * certificates' keys; sm2-decrypt-mechanism= names a token's SM2
 * decryption mechanism) and log in once (PIN rules as seal_key_open: never
 * retried). Returns SEAL_OK, SEAL_ERR_ARGS (not a pkcs11:, skf:, p12: or
 * pem: URI), SEAL_ERR_IO, SEAL_ERR_INPUT,
 * SEAL_ERR_TOKEN, SEAL_ERR_PIN_INCORRECT, SEAL_ERR_PIN_LOCKED,
 * SEAL_ERR_CANCELLED, SEAL_ERR_KEY_NOT_FOUND (no private key with a
 * certificate), SEAL_ERR_NOMEM.
 */
SEAL_API seal_status seal_keyring_open(seal_ctx *ctx, seal_keyring **out, const char *uri,
                                       const seal_key_options *opts);
SEAL_API void seal_keyring_free(seal_keyring *kr);

/*
 * Can this keyring open the envelope? Finds the key of a recipient and
 * unwraps the content-encryption key with it (then wipes it), without
 * decrypting the content. Fills the subject and validity of recipients
 * whose certificate the keyring holds. Returns SEAL_OK (*recipient, may be
 * NULL, is the index of the recipient it opens), SEAL_ERR_KEY_NOT_FOUND
 * with a message naming each recipient certificate (issuer, serial,
 * validity when known) and the advice for a renewed certificate,
 * SEAL_ERR_INPUT (a damaged encrypted key), SEAL_ERR_TOKEN.
 */
SEAL_API seal_status seal_keyring_check(seal_ctx *ctx, seal_keyring *kr, seal_envelope *env,
                                        size_t *recipient);

typedef struct seal_decrypt_result {
    int authenticated; /* the tag (AES-GCM) or libseal's HMAC-SM3 (SM4-CBC)
                          verified; 0 for other CBC envelopes, whose integrity
                          comes from the signed PDF inside */
    long long size;    /* bytes written */
} seal_decrypt_result;

/*
 * Decrypt the envelope `in` to `out` with a key of the keyring. The
 * content is decrypted in constant memory to a temporary file beside
 * `out`, renamed into place only after the authentication tag (GCM) or
 * the padding (CBC) checks; on any failure no output exists. `res` may be
 * NULL. Returns SEAL_OK, SEAL_ERR_ARGS (an output would replace an input),
 * SEAL_ERR_IO, SEAL_ERR_INPUT (not an envelope, tampered with, truncated:
 * "the envelope is damaged ..."), SEAL_ERR_UNSUPPORTED,
 * SEAL_ERR_KEY_NOT_FOUND (as seal_keyring_check), SEAL_ERR_TOKEN,
 * SEAL_ERR_NOMEM.
 */
SEAL_API seal_status seal_decrypt_file(seal_ctx *ctx, seal_keyring *kr, const char *in,
                                       const char *out, seal_decrypt_result *res);

#ifdef __cplusplus
}
#endif

#endif /* SEAL_ENVELOPE_H */
