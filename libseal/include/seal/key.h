/*
 * libseal — signing keys: PKCS#11 tokens, PKCS#12 and PEM files.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 *
 * A key is named by an RFC 7512 PKCS#11 URI
 *   pkcs11:token=SealToken;object=company?module-path=/usr/lib/softhsm/libsofthsm2.so
 * or by "p12:FILE" (a PKCS#12 file), or by "pem:FILE" (a PEM private key,
 * possibly encrypted, followed by its certificate and optionally the chain).
 * Software keys may be RSA, EC or SM2. Without module-path, the modules registered with p11-kit
 * are searched. Private keys never leave the token; PINs are asked for
 * through a callback, used once and wiped.
 */
#ifndef SEAL_KEY_H
#define SEAL_KEY_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Flags passed to the PIN callback. */
#define SEAL_PIN_COUNT_LOW 0x01u /* the token reports a wrong PIN since its last login */
#define SEAL_PIN_FINAL_TRY 0x02u /* one more failure locks the token */
#define SEAL_PIN_P12 0x04u       /* a PKCS#12 password, not a token PIN */
#define SEAL_PIN_CONTEXT 0x08u   /* a per-signature (context-specific) login */

/*
 * Ask for a PIN or password for `label` (the token label or the file name).
 * Write it NUL-terminated into buf (bufsize bytes) and return SEAL_OK, or
 * return SEAL_ERR_CANCELLED. Called at most once per login: libseal never
 * retries a PIN by itself, so it can never lock a token. An empty PIN (from
 * here or a pin-source file) is refused with SEAL_ERR_CANCELLED before any
 * login attempt, which would use up one of the token's tries.
 */
typedef seal_status (*seal_pin_cb)(void *user, const char *label, unsigned flags, char *buf,
                                   size_t bufsize);

typedef struct seal_key_options {
    unsigned version;
    seal_pin_cb pin_cb; /* may be NULL when no PIN is needed (pin-pad, pin-source) */
    void *pin_user;
    /* PEM file of issuer certificates, for keys whose token holds only the
     * signer's certificate; NULL for none. See seal_key_open for where
     * else the chain is completed from. */
    const char *chain_path;
} seal_key_options;

#define SEAL_KEY_OPTIONS_VERSION 1
#define SEAL_KEY_OPTIONS_INIT {SEAL_KEY_OPTIONS_VERSION, NULL, NULL, NULL}

/* Key usage bits of a certificate (seal_cert_info.key_usage). */
#define SEAL_KU_DIGITAL_SIGNATURE 0x01u
#define SEAL_KU_NON_REPUDIATION 0x02u
#define SEAL_KU_KEY_ENCIPHERMENT 0x04u
#define SEAL_KU_DATA_ENCIPHERMENT 0x08u
#define SEAL_KU_KEY_AGREEMENT 0x10u
#define SEAL_KU_KEY_CERT_SIGN 0x20u
#define SEAL_KU_CRL_SIGN 0x40u
#define SEAL_KU_ABSENT 0x100u /* the certificate has no keyUsage extension */

/* A certificate as shown to people. Strings belong to the object it came from. */
typedef struct seal_cert_info {
    const char *subject;      /* one line, RFC 2253 */
    const char *issuer;       /* one line, RFC 2253 */
    const char *common_name;  /* subject CN, or the subject when there is none */
    const char *serial;       /* hex */
    const char *key_type;     /* "RSA-2048", "EC-P-256", ... */
    long long not_before;     /* seconds since the epoch, UTC */
    long long not_after;
    long long days_left;      /* days until not_after from now; negative when expired */
    unsigned key_usage;       /* SEAL_KU_* bits */
    const char *object_label; /* PKCS#11 CKA_LABEL, or NULL */
    const char *object_id;    /* PKCS#11 CKA_ID in hex, or NULL */
    /* Token listing: the certificate goes with a key on the token (a
     * private or public key object of the same CKA_ID; when the token
     * shows no key objects before login, an end-entity certificate), and
     * this is the --key URI that selects that key. NULL otherwise. */
    const char *key_uri;
} seal_cert_info;

typedef struct seal_key seal_key;

/*
 * Open the key named by `uri`: load the module, find the token by label or
 * serial (never by slot number), log in (PIN from the URI's pin-source, the
 * pin-pad, or opts->pin_cb), find the private key and the certificate that
 * matches it and allows signing. Returns SEAL_OK with an owned key in *out,
 * or: SEAL_ERR_ARGS (bad URI), SEAL_ERR_TOKEN (module or token unusable or
 * not found), SEAL_ERR_PIN_INCORRECT, SEAL_ERR_PIN_LOCKED, SEAL_ERR_CANCELLED,
 * SEAL_ERR_KEY_NOT_FOUND, SEAL_ERR_CERT (encryption-only, expired or not yet
 * valid certificate), SEAL_ERR_IO / SEAL_ERR_INPUT (PKCS#12 or chain file).
 * A certificate expiring within 30 days is accepted with a warning.
 *
 * A URI that matches more than one key whose certificate allows signing is
 * SEAL_ERR_KEY_NOT_FOUND, the message listing each one's subject, usage
 * and a URI that selects it: no key is ever picked by guess.
 *
 * The signer's chain is completed here, each issuer looked for in order:
 * the token's (or PKCS#12 file's) certificates, matched by AKI/SKI and
 * signature; opts->chain_path; the directory in the SEAL_CA_PATH
 * environment variable (PEM or DER files); the p11-kit system trust store;
 * the certificate's AIA caIssuers URL (HTTP(S), DER or PKCS#7 certs-only;
 * cached for the process, so many keys or files fetch it once). Every
 * intermediate and the root, when found, go into each signature. A chain
 * nothing completes is a warning naming the missing issuer, not an error.
 */
SEAL_API seal_status seal_key_open(seal_ctx *ctx, seal_key **out, const char *uri,
                                   const seal_key_options *opts);

/*
 * Thread rule: an open key may be shared by threads that each use their own
 * seal_ctx (e.g. batch workers). A token key's signing operations are
 * serialised by a lock, so its session is never used by two threads at
 * once; a PKCS#12 key signs in parallel.
 * seal_key_free must not race with any use.
 */

/* Log out, close the session and free the key; NULL is allowed. */
SEAL_API void seal_key_free(seal_key *key);

/* The signer certificate of an open key. */
SEAL_API seal_status seal_key_cert(seal_ctx *ctx, const seal_key *key, seal_cert_info *out);

/* Token flags (seal_token_info.flags). */
#define SEAL_TOKEN_PRESENT 0x01u
#define SEAL_TOKEN_LOGIN_REQUIRED 0x02u
#define SEAL_TOKEN_PROTECTED_AUTH 0x04u /* a pin-pad: the PIN is entered on the device */
#define SEAL_TOKEN_PIN_COUNT_LOW 0x08u
#define SEAL_TOKEN_PIN_FINAL_TRY 0x10u
#define SEAL_TOKEN_PIN_LOCKED 0x20u
#define SEAL_TOKEN_PIN_INITIALIZED 0x40u
#define SEAL_TOKEN_INITIALIZED 0x80u

typedef struct seal_token_info {
    const char *module;           /* module file */
    unsigned long slot_id;        /* for display only: slot ids are not stable */
    const char *slot_description;
    const char *label;            /* token label ("" when no token is present) */
    const char *manufacturer;
    const char *model;
    const char *serial;
    unsigned flags;               /* SEAL_TOKEN_* */
    size_t cert_count;            /* public certificates readable without login */
} seal_token_info;

typedef struct seal_token_list seal_token_list;

/*
 * List the slots, tokens and public certificates of one module, or of every
 * module registered with p11-kit when module_path is NULL. No login is made.
 * Returns SEAL_OK, SEAL_ERR_TOKEN (module cannot be loaded) or SEAL_ERR_NOMEM.
 */
SEAL_API seal_status seal_token_list_load(seal_ctx *ctx, seal_token_list **out,
                                          const char *module_path);
SEAL_API void seal_token_list_free(seal_token_list *list);
SEAL_API size_t seal_token_list_count(const seal_token_list *list);
/* Slot i; SEAL_ERR_ARGS when out of range. */
SEAL_API seal_status seal_token_list_get(const seal_token_list *list, size_t i,
                                         seal_token_info *out);
/* Certificate j of slot i; SEAL_ERR_ARGS when out of range. */
SEAL_API seal_status seal_token_list_cert(const seal_token_list *list, size_t i, size_t j,
                                          seal_cert_info *out);

#ifdef __cplusplus
}
#endif

#endif /* SEAL_KEY_H */
