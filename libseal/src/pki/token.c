/*
 * PKCS#11 tokens: modules loaded through p11-kit, tokens found by label or
 * serial, login, key and certificate lookup, signing, and token listing.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "keyint.h"
#include "sm2int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include <p11-kit/p11-kit.h>
#include <p11-kit/pin.h>
#include <p11-kit/uri.h>

#define MAX_SLOTS 64
#define MAX_OBJECTS 64
#define PIN_MAX 256

struct seal__p11 {
    CK_FUNCTION_LIST **modules;  /* p11-kit registered modules, or NULL */
    CK_FUNCTION_LIST *module;    /* the module holding the token */
    int own_module;              /* module loaded from a path by us */
    CK_SESSION_HANDLE session;
    int logged_in;
    CK_OBJECT_HANDLE key;
    CK_KEY_TYPE key_type;
    int always_auth;
    char label[33];
    char maker[33];              /* the token's manufacturerID */
    unsigned long sm2_override;  /* sm2-mechanism= of the URI, or 0 */
    unsigned long sm2_dec_override; /* sm2-decrypt-mechanism= of the URI, or 0 */
    CK_MECHANISM_TYPE sm2_mech;  /* signs e with an SM2 key */
    EVP_PKEY *sm2_pub;           /* the SM2 key's public half, or NULL */
    seal_pin_cb pin_cb;
    void *pin_user;
};

/* PKCS#11 pads labels with spaces to a fixed width. */
static void fixed_str(char *dst, const CK_UTF8CHAR *src, size_t n)
{
    while (n > 0 && (src[n - 1] == ' ' || src[n - 1] == 0))
        n--;
    memcpy(dst, src, n);
    dst[n] = 0;
}

static const char *ckr_str(CK_RV rv)
{
    switch (rv) {
    case CKR_OK: return "CKR_OK";
    case CKR_HOST_MEMORY: return "CKR_HOST_MEMORY";
    case CKR_GENERAL_ERROR: return "CKR_GENERAL_ERROR";
    case CKR_FUNCTION_FAILED: return "CKR_FUNCTION_FAILED";
    case CKR_ARGUMENTS_BAD: return "CKR_ARGUMENTS_BAD";
    case CKR_DEVICE_ERROR: return "CKR_DEVICE_ERROR";
    case CKR_DEVICE_REMOVED: return "CKR_DEVICE_REMOVED";
    case CKR_KEY_TYPE_INCONSISTENT: return "CKR_KEY_TYPE_INCONSISTENT";
    case CKR_KEY_FUNCTION_NOT_PERMITTED: return "CKR_KEY_FUNCTION_NOT_PERMITTED";
    case CKR_MECHANISM_INVALID: return "CKR_MECHANISM_INVALID";
    case CKR_PIN_INCORRECT: return "CKR_PIN_INCORRECT";
    case CKR_PIN_LOCKED: return "CKR_PIN_LOCKED";
    case CKR_PIN_EXPIRED: return "CKR_PIN_EXPIRED";
    case CKR_PIN_LEN_RANGE: return "CKR_PIN_LEN_RANGE";
    case CKR_SESSION_HANDLE_INVALID: return "CKR_SESSION_HANDLE_INVALID";
    case CKR_TOKEN_NOT_PRESENT: return "CKR_TOKEN_NOT_PRESENT";
    case CKR_USER_NOT_LOGGED_IN: return "CKR_USER_NOT_LOGGED_IN";
    case CKR_FUNCTION_NOT_SUPPORTED: return "CKR_FUNCTION_NOT_SUPPORTED";
    case CKR_CRYPTOKI_NOT_INITIALIZED: return "CKR_CRYPTOKI_NOT_INITIALIZED";
    default: return "CKR error";
    }
}

static seal_status p11_fail(seal_ctx *ctx, seal_status st, CK_RV rv, const char *what)
{
    return seal__fail(ctx, st, "%s failed: %s (0x%lx)", what, ckr_str(rv), (unsigned long)rv);
}

/* What the token says about its user PIN after a failed login, as a
 * phrase for the message: only what its flags state, nothing guessed about
 * earlier attempts. */
static const char *pin_state(CK_FLAGS flags)
{
    if (flags & CKF_USER_PIN_LOCKED)
        return "the token now reports the PIN locked";
    if (flags & CKF_USER_PIN_FINAL_TRY)
        return "the token reports its final try: one more wrong PIN locks it";
    if (flags & CKF_USER_PIN_COUNT_LOW)
        return "the token reports its PIN count low: a wrong PIN since the last successful login";
    return "not retried";
}

static int token_info(CK_FUNCTION_LIST *m, CK_SLOT_ID slot, CK_TOKEN_INFO *ti)
{
    /* A token shared by several processes (SoftHSM2's file store, a token
     * forwarded by p11-kit server to parallel shards) can fail a read while
     * another process writes it: asked again, briefly, before it is called
     * unreadable. A token that is gone stays gone. */
    for (int attempt = 0; attempt < 3; attempt++) {
        CK_RV rv = m->C_GetTokenInfo(slot, ti);
        if (rv == CKR_OK)
            return 1;
        if (rv == CKR_SLOT_ID_INVALID || rv == CKR_TOKEN_NOT_PRESENT || rv == CKR_DEVICE_REMOVED ||
            rv == CKR_TOKEN_NOT_RECOGNIZED)
            return 0;
        struct timespec ts = {0, 100000000L};
        nanosleep(&ts, NULL);
    }
    return 0;
}

/* Read one attribute into a malloc'd buffer; NULL when absent. */
static unsigned char *get_attr(CK_FUNCTION_LIST *m, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o,
                               CK_ATTRIBUTE_TYPE type, CK_ULONG *len)
{
    CK_ATTRIBUTE a = {type, NULL, 0};
    unsigned char *buf;

    *len = 0;
    if (m->C_GetAttributeValue(s, o, &a, 1) != CKR_OK || a.ulValueLen == (CK_ULONG)-1 ||
        a.ulValueLen > (1u << 20))
        return NULL;
    buf = malloc(a.ulValueLen + 1);
    if (!buf)
        return NULL;
    a.pValue = buf;
    if (m->C_GetAttributeValue(s, o, &a, 1) != CKR_OK) {
        free(buf);
        return NULL;
    }
    buf[a.ulValueLen] = 0;
    *len = a.ulValueLen;
    return buf;
}

static CK_ULONG find_objects(CK_FUNCTION_LIST *m, CK_SESSION_HANDLE s, CK_ATTRIBUTE *tmpl,
                             CK_ULONG n, CK_OBJECT_HANDLE *objs, CK_ULONG max)
{
    CK_ULONG count = 0;
    if (m->C_FindObjectsInit(s, tmpl, n) != CKR_OK)
        return 0;
    if (m->C_FindObjects(s, objs, max, &count) != CKR_OK)
        count = 0;
    m->C_FindObjectsFinal(s);
    return count;
}

/* Every X.509 certificate on the token, parsed; label and id kept. */
typedef struct tok_cert {
    X509 *x509;
    unsigned char *id;
    CK_ULONG id_len;
    char *label;
} tok_cert;

static size_t load_certs(CK_FUNCTION_LIST *m, CK_SESSION_HANDLE s, tok_cert *out, size_t max)
{
    CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
    CK_CERTIFICATE_TYPE ctype = CKC_X_509;
    CK_ATTRIBUTE tmpl[] = {{CKA_CLASS, &cls, sizeof(cls)},
                           {CKA_CERTIFICATE_TYPE, &ctype, sizeof(ctype)}};
    CK_OBJECT_HANDLE objs[MAX_OBJECTS];
    CK_ULONG n = find_objects(m, s, tmpl, 2, objs, MAX_OBJECTS);
    size_t got = 0;

    for (CK_ULONG i = 0; i < n && got < max; i++) {
        CK_ULONG len, lablen;
        unsigned char *der = get_attr(m, s, objs[i], CKA_VALUE, &len);
        const unsigned char *p = der;
        X509 *x = der ? d2i_X509(NULL, &p, (long)len) : NULL;
        free(der);
        if (!x)
            continue;
        out[got].x509 = x;
        out[got].id = get_attr(m, s, objs[i], CKA_ID, &out[got].id_len);
        out[got].label = (char *)get_attr(m, s, objs[i], CKA_LABEL, &lablen);
        got++;
    }
    return got;
}

static void free_certs(tok_cert *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        X509_free(c[i].x509);
        free(c[i].id);
        free(c[i].label);
    }
}

/* Slot ids are not stable across module loads; a token is named by its
 * label, serial, manufacturer or model in the URI. */
typedef struct found_token {
    CK_FUNCTION_LIST *module;
    CK_SLOT_ID slot;
    CK_TOKEN_INFO info;
} found_token;

static size_t match_tokens(CK_FUNCTION_LIST *m, P11KitUri *uri, found_token *out, size_t max,
                           char *seen, size_t seen_size)
{
    CK_SLOT_ID slots[MAX_SLOTS];
    CK_ULONG nslots = MAX_SLOTS;
    size_t got = 0;

    if (m->C_GetSlotList(CK_TRUE, slots, &nslots) != CKR_OK)
        return 0;
    for (CK_ULONG i = 0; i < nslots && got < max; i++) {
        CK_TOKEN_INFO ti;
        char label[33];
        if (!token_info(m, slots[i], &ti))
            continue;
        fixed_str(label, ti.label, sizeof(ti.label));
        size_t used = strlen(seen);
        if (used + strlen(label) + 4 < seen_size)
            snprintf(seen + used, seen_size - used, "%s'%s'", used ? ", " : "", label);
        if (!p11_kit_uri_match_token_info(uri, &ti))
            continue;
        out[got].module = m;
        out[got].slot = slots[i];
        out[got].info = ti;
        got++;
    }
    return got;
}

/* Log in as `user_type` (CKU_USER or CKU_CONTEXT_SPECIFIC). The PIN is
 * asked for once and wiped; a wrong PIN is never retried. */
static seal_status login(seal_ctx *ctx, seal__p11 *p, CK_SLOT_ID slot, const char *pin_source,
                         CK_USER_TYPE user_type)
{
    CK_TOKEN_INFO ti;
    char pin[PIN_MAX], what[48];
    seal_status st = SEAL_OK;
    CK_RV rv;
    unsigned flags = user_type == CKU_CONTEXT_SPECIFIC ? SEAL_PIN_CONTEXT : 0;

    if (!token_info(p->module, slot, &ti))
        return seal__fail(ctx, SEAL_ERR_TOKEN, "token '%s' is not readable", p->label);
    if (ti.flags & CKF_USER_PIN_LOCKED)
        return seal__fail(ctx, SEAL_ERR_PIN_LOCKED,
                          "the PIN of token '%s' is locked; unlock it with the token's "
                          "administration tool (SO PIN) before using it",
                          p->label);
    if (ti.flags & CKF_PROTECTED_AUTHENTICATION_PATH) {
        /* A pin-pad: the PIN is typed on the device, not given to us. */
        rv = p->module->C_Login(p->session, user_type, NULL, 0);
    } else {
        if (ti.flags & CKF_USER_PIN_FINAL_TRY)
            flags |= SEAL_PIN_FINAL_TRY;
        else if (ti.flags & CKF_USER_PIN_COUNT_LOW)
            flags |= SEAL_PIN_COUNT_LOW;
        snprintf(what, sizeof(what), "token '%s'", p->label);
        st = seal__pin_get(ctx, pin_source, p->pin_cb, p->pin_user, p->label, what, flags, pin,
                           sizeof(pin));
        if (st != SEAL_OK)
            return st;
        rv = p->module->C_Login(p->session, user_type, (CK_UTF8CHAR *)pin, strlen(pin));
        OPENSSL_cleanse(pin, sizeof(pin));
    }
    if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN) {
        if (user_type == CKU_USER)
            p->logged_in = 1;
        return SEAL_OK;
    }
    if (rv == CKR_PIN_LOCKED)
        return seal__fail(ctx, SEAL_ERR_PIN_LOCKED, "the PIN of token '%s' is locked", p->label);
    if (rv == CKR_PIN_INCORRECT || rv == CKR_PIN_LEN_RANGE) {
        CK_TOKEN_INFO after;
        const char *state = token_info(p->module, slot, &after) ? pin_state(after.flags)
                                                                : "token state unknown";
        if (token_info(p->module, slot, &after) && (after.flags & CKF_USER_PIN_LOCKED))
            return seal__fail(ctx, SEAL_ERR_PIN_LOCKED,
                              "wrong PIN for token '%s': %s", p->label, state);
        return seal__fail(ctx, SEAL_ERR_PIN_INCORRECT, "wrong PIN for token '%s' (%s)", p->label,
                          state);
    }
    return p11_fail(ctx, SEAL_ERR_TOKEN, rv, "C_Login");
}

static seal_status load_module(seal_ctx *ctx, seal__p11 *p, P11KitUri *uri)
{
    const char *path = p11_kit_uri_get_module_path(uri);
    CK_RV rv;

    if (path) {
        p->module = p11_kit_module_load(path, 0);
        if (!p->module)
            return seal__fail(ctx, SEAL_ERR_TOKEN, "cannot load PKCS#11 module %s: %s", path,
                              p11_kit_message() ? p11_kit_message() : "unknown error");
        rv = p11_kit_module_initialize(p->module);
        if (rv != CKR_OK) {
            p11_kit_module_release(p->module);
            p->module = NULL;
            return seal__fail(ctx, SEAL_ERR_TOKEN, "cannot initialise PKCS#11 module %s: %s",
                              path, ckr_str(rv));
        }
        p->own_module = 1;
        return SEAL_OK;
    }
    p->modules = p11_kit_modules_load_and_initialize(0);
    if (!p->modules || !p->modules[0])
        return seal__fail(ctx, SEAL_ERR_TOKEN,
                          "no PKCS#11 module is registered with p11-kit; add "
                          "module-path=... to the key URI");
    return SEAL_OK;
}

/* Find the one token the URI names, among one module or the registered ones. */
static seal_status find_token(seal_ctx *ctx, seal__p11 *p, P11KitUri *uri, CK_SLOT_ID *slot)
{
    found_token found[8];
    size_t n = 0;
    char seen[512] = "";

    /* No matching token may be a moment's answer: a SoftHSM2 store whose
     * token files another process is writing when the module starts (several
     * processes on one store, as in a parallel test run or through p11-kit
     * server) shows without that token until the module starts again; seen
     * once in a sanitizer run, with the other tokens listed. Started again,
     * briefly, twice. */
    for (int attempt = 0; attempt < 3 && n == 0; attempt++) {
        if (attempt) {
            seen[0] = 0;
            struct timespec ts = {0, 200000000L};
            nanosleep(&ts, NULL);
            if (p->own_module) {
                p11_kit_module_finalize(p->module);
                if (p11_kit_module_initialize(p->module) != CKR_OK)
                    break;
            } else {
                p11_kit_modules_finalize(p->modules);
                if (p11_kit_modules_initialize(p->modules, NULL) != CKR_OK)
                    break;
            }
        }
        if (p->own_module) {
            n = match_tokens(p->module, uri, found, 8, seen, sizeof(seen));
        } else {
            for (size_t i = 0; p->modules[i] && n < 8; i++)
                n += match_tokens(p->modules[i], uri, found + n, 8 - n, seen, sizeof(seen));
        }
    }
    if (n == 0)
        return seal__fail(ctx, SEAL_ERR_TOKEN, "no token matches the key URI (tokens present: %s)",
                          seen[0] ? seen : "none");
    if (n > 1)
        return seal__fail(ctx, SEAL_ERR_TOKEN,
                          "%zu tokens match the key URI (%s); name one with token= or serial=", n,
                          seen);
    p->module = found[0].module;
    *slot = found[0].slot;
    fixed_str(p->label, found[0].info.label, sizeof(found[0].info.label));
    fixed_str(p->maker, found[0].info.manufacturerID, sizeof(found[0].info.manufacturerID));
    return SEAL_OK;
}

/* RFC 7512 percent-encoding of a value appended to out: everything but
 * the unreserved characters (and '/' in a module path) as %XX. */
static void uri_put(char *out, size_t size, const unsigned char *v, size_t n, int keep_slash)
{
    size_t used = strlen(out);
    for (size_t i = 0; v && i < n && used + 4 < size; i++) {
        unsigned char c = v[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            strchr("-._~", c) || (keep_slash && c == '/'))
            out[used++] = (char)c;
        else
            used += (size_t)snprintf(out + used, size - used, "%%%02X", c);
    }
    out[used] = 0;
}

/* The --key URI naming one key: its token's label and its object label;
 * with by_id (labels that do not tell keys apart, or none) its CKA_ID too;
 * module-path when one is known. malloc'd. */
static char *key_uri(const char *token, const char *label, const unsigned char *id, size_t idlen,
                     int by_id, const char *module)
{
    char buf[1024] = "pkcs11:token=";
    size_t used;

    uri_put(buf, sizeof(buf), (const unsigned char *)token, strlen(token), 0);
    if (label && label[0]) {
        strcat(buf, ";object=");
        uri_put(buf, sizeof(buf), (const unsigned char *)label, strlen(label), 0);
    }
    if ((by_id || !label || !label[0]) && id && idlen) {
        used = strlen(buf);
        snprintf(buf + used, sizeof(buf) - used, ";id=");
        for (size_t i = 0; i < idlen && strlen(buf) + 4 < sizeof(buf); i++) {
            used = strlen(buf);
            snprintf(buf + used, sizeof(buf) - used, "%%%02X", id[i]);
        }
    }
    if (module && module[0]) {
        strcat(buf, "?module-path=");
        uri_put(buf, sizeof(buf), (const unsigned char *)module, strlen(module), 1);
    }
    return strdup(buf);
}

/* Whether another of n certificates carries the same label. */
static int label_shared(tok_cert *const *c, size_t n, size_t i)
{
    for (size_t j = 0; j < n; j++)
        if (j != i && (!c[i]->label || !c[j]->label || !strcmp(c[i]->label, c[j]->label)))
            return 1;
    return 0;
}

/* More than one signing key matches: exit 5 naming each, never a guess. */
static seal_status ambiguous(seal_ctx *ctx, seal__p11 *p, P11KitUri *uri, tok_cert *const *cand,
                             size_t n)
{
    char list[SEAL_MSG_MAX] = "";
    size_t used = 0;

    for (size_t i = 0; i < n; i++) {
        seal__cert_text t;
        char *u = key_uri(p->label, cand[i]->label, cand[i]->id, cand[i]->id_len,
                          label_shared(cand, n, i), p11_kit_uri_get_module_path(uri));
        seal__cert_text_fill(&t, cand[i]->x509);
        used = strlen(list);
        snprintf(list + used, sizeof(list) - used, "%s[%zu] %s, usage %s: --key '%s'",
                 i ? "; " : "", i + 1, t.subject ? t.subject : "?",
                 seal__ku_class(seal__cert_key_usage(cand[i]->x509)), u ? u : "?");
        seal__cert_text_free(&t);
        free(u);
    }
    return seal__fail(ctx, SEAL_ERR_KEY_NOT_FOUND,
                      "the key URI matches %zu signing keys on token '%s'; none is chosen for you, "
                      "name one with object= or id=: %s",
                      n, p->label, list);
}

/* Pick the private key and its certificate: exactly one key the URI
 * matches must have a certificate (same CKA_ID) that allows signing; an
 * encryption-only certificate's key never signs, so it is no candidate.
 * *pool gets every other certificate on the token, for the chain. */
static seal_status find_key(seal_ctx *ctx, seal__p11 *p, P11KitUri *uri, X509 **cert,
                            STACK_OF(X509) **pool)
{
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    CK_ATTRIBUTE tmpl[4];
    CK_ULONG nt = 0, nkeys;
    CK_OBJECT_HANDLE keys[MAX_OBJECTS], cand_key[MAX_OBJECTS];
    CK_ATTRIBUTE *a;
    tok_cert certs[MAX_OBJECTS], *cand[MAX_OBJECTS];
    size_t ncerts, ncand = 0;
    int unusable_cert = -1;
    seal_status st = SEAL_OK;

    tmpl[nt++] = (CK_ATTRIBUTE){CKA_CLASS, &cls, sizeof(cls)};
    if ((a = p11_kit_uri_get_attribute(uri, CKA_LABEL)) != NULL)
        tmpl[nt++] = *a;
    if ((a = p11_kit_uri_get_attribute(uri, CKA_ID)) != NULL)
        tmpl[nt++] = *a;
    nkeys = find_objects(p->module, p->session, tmpl, nt, keys, MAX_OBJECTS);
    if (nkeys == 0)
        return seal__fail(ctx, SEAL_ERR_KEY_NOT_FOUND, "no private key on token '%s' matches the URI",
                          p->label);

    ncerts = load_certs(p->module, p->session, certs, MAX_OBJECTS);
    for (CK_ULONG k = 0; k < nkeys; k++) {
        CK_ULONG idlen;
        unsigned char *id = get_attr(p->module, p->session, keys[k], CKA_ID, &idlen);
        for (size_t c = 0; c < ncerts; c++) {
            if (!id || certs[c].id_len != idlen || memcmp(certs[c].id, id, idlen) != 0)
                continue;
            unsigned ku = seal__cert_key_usage(certs[c].x509);
            if ((ku & SEAL_KU_ABSENT) || (ku & (SEAL_KU_DIGITAL_SIGNATURE | SEAL_KU_NON_REPUDIATION))) {
                cand_key[ncand] = keys[k];
                cand[ncand++] = &certs[c];
                break;
            }
            unusable_cert = (int)c;
        }
        free(id);
    }
    if (ncand == 0) {
        if (unusable_cert >= 0) {
            st = seal__fail(ctx, SEAL_ERR_CERT,
                            "the certificate of key '%s' on token '%s' is for encryption only "
                            "(no digitalSignature or nonRepudiation key usage); use the signing "
                            "certificate's key",
                            certs[unusable_cert].label ? certs[unusable_cert].label : "?", p->label);
        } else {
            st = seal__fail(ctx, SEAL_ERR_KEY_NOT_FOUND,
                            "no certificate on token '%s' matches the key (same CKA_ID)", p->label);
        }
        goto out;
    }
    if (ncand > 1) {
        st = ambiguous(ctx, p, uri, cand, ncand);
        goto out;
    }
    p->key = cand_key[0];
    {
        CK_ULONG len;
        unsigned char *v = get_attr(p->module, p->session, p->key, CKA_KEY_TYPE, &len);
        p->key_type = v && len == sizeof(CK_KEY_TYPE) ? *(CK_KEY_TYPE *)v : CKK_RSA;
        free(v);
        v = get_attr(p->module, p->session, p->key, CKA_ALWAYS_AUTHENTICATE, &len);
        p->always_auth = v && len == 1 && v[0];
        free(v);
    }
    if (seal__sm2_is_key(X509_get0_pubkey(cand[0]->x509))) {
        /* the vendor mechanism that signs e, and the key its results are checked with */
        CK_SESSION_INFO si;
        if (p->module->C_GetSessionInfo(p->session, &si) != CKR_OK)
            si.slotID = (CK_SLOT_ID)-1;
        st = seal__p11_sm2_mechanism(ctx, p->module, si.slotID, p->label, p->maker,
                                     p->sm2_override, &p->sm2_mech);
        if (st == SEAL_OK && !(p->sm2_pub = X509_get_pubkey(cand[0]->x509)))
            st = seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
        if (st != SEAL_OK)
            goto out;
    }
    *cert = X509_dup(cand[0]->x509);
    *pool = sk_X509_new_null();
    if (!*cert || !*pool) {
        st = seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
        goto out;
    }
    /* The token's other certificates: where its chain is looked for first. */
    for (size_t c = 0; c < ncerts; c++)
        if (&certs[c] != cand[0] && sk_X509_push(*pool, certs[c].x509))
            certs[c].x509 = NULL;
out:
    free_certs(certs, ncerts);
    return st;
}

/* The system trust store is a PKCS#11 module too (p11-kit-trust.so); its
 * certificates are found by subject without loading them all. */
void seal__p11_trust_lookup(const X509_NAME *subject, STACK_OF(X509) *out)
{
    unsigned char *der = NULL;
    int dlen = i2d_X509_NAME(subject, &der);
    CK_FUNCTION_LIST *m = dlen > 0 ? p11_kit_module_load("p11-kit-trust.so", 0) : NULL;
    CK_SLOT_ID slots[MAX_SLOTS];
    CK_ULONG nslots = MAX_SLOTS;

    if (!m)
        goto out;
    if (p11_kit_module_initialize(m) != CKR_OK) {
        p11_kit_module_release(m);
        goto out;
    }
    if (m->C_GetSlotList(CK_TRUE, slots, &nslots) == CKR_OK) {
        for (CK_ULONG i = 0; i < nslots; i++) {
            CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
            CK_ATTRIBUTE tmpl[] = {{CKA_CLASS, &cls, sizeof(cls)}, {CKA_SUBJECT, der, (CK_ULONG)dlen}};
            CK_OBJECT_HANDLE objs[MAX_OBJECTS];
            CK_SESSION_HANDLE s;
            if (m->C_OpenSession(slots[i], CKF_SERIAL_SESSION, NULL, NULL, &s) != CKR_OK)
                continue;
            CK_ULONG n = find_objects(m, s, tmpl, 2, objs, MAX_OBJECTS);
            for (CK_ULONG k = 0; k < n; k++) {
                CK_ULONG len;
                unsigned char *v = get_attr(m, s, objs[k], CKA_VALUE, &len);
                const unsigned char *q = v;
                X509 *x = v ? d2i_X509(NULL, &q, (long)len) : NULL;
                if (x && !sk_X509_push(out, x))
                    X509_free(x);
                free(v);
            }
            m->C_CloseSession(s);
        }
    }
    p11_kit_module_finalize(m);
    p11_kit_module_release(m);
out:
    OPENSSL_free(der);
    ERR_clear_error();
}

/* Load the module, find the token the URI names, open a session and, when
 * `do_login` and the token wants it, log in. The parsed URI stays with the
 * caller (*urip) for the key or certificate lookup. */
static seal_status p11_start(seal_ctx *ctx, seal__p11 **out, const char *uri_str,
                             const seal_key_options *opts, int do_login, P11KitUri **urip)
{
    P11KitUri *uri = p11_kit_uri_new();
    seal__p11 *p = calloc(1, sizeof(*p));
    CK_SLOT_ID slot = 0;
    CK_TOKEN_INFO ti;
    CK_RV rv;
    seal_status st;
    char *plain, *rest = NULL;
    int r;

    *out = NULL;
    *urip = NULL;
    if (!uri || !p) {
        st = seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
        goto fail;
    }
    p->session = CK_INVALID_HANDLE;
    p->pin_cb = opts ? opts->pin_cb : NULL;
    p->pin_user = opts ? opts->pin_user : NULL;
    if ((st = seal__p11_sm2_uri_decrypt(ctx, uri_str, &rest, &p->sm2_dec_override)) != SEAL_OK ||
        (st = seal__p11_sm2_uri(ctx, rest, &plain, &p->sm2_override)) != SEAL_OK) {
        free(rest);
        goto fail;
    }
    free(rest);
    r = p11_kit_uri_parse(plain, P11_KIT_URI_FOR_ANY, uri);
    free(plain);
    if (r != P11_KIT_URI_OK) {
        st = seal__fail(ctx, SEAL_ERR_ARGS, "bad PKCS#11 URI: %s", p11_kit_uri_message(r));
        goto fail;
    }
    if (p11_kit_uri_get_pin_value(uri)) {
        st = seal__fail(ctx, SEAL_ERR_ARGS,
                        "pin-value in a key URI is refused: a PIN never goes on the command line "
                        "(use pin-source=file:..., --pin-file or SEAL_PIN)");
        goto fail;
    }
    if ((st = load_module(ctx, p, uri)) != SEAL_OK)
        goto fail;
    if ((st = find_token(ctx, p, uri, &slot)) != SEAL_OK)
        goto fail;
    rv = p->module->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &p->session);
    if (rv != CKR_OK) {
        st = p11_fail(ctx, SEAL_ERR_TOKEN, rv, "C_OpenSession");
        goto fail;
    }
    if (do_login && token_info(p->module, slot, &ti) && (ti.flags & CKF_LOGIN_REQUIRED)) {
        if ((st = login(ctx, p, slot, p11_kit_uri_get_pin_source(uri), CKU_USER)) != SEAL_OK)
            goto fail;
    }
    *urip = uri;
    *out = p;
    return SEAL_OK;
fail:
    if (uri)
        p11_kit_uri_free(uri);
    seal__p11_close(p);
    return st;
}

seal_status seal__p11_open(seal_ctx *ctx, seal__p11 **out, const char *uri_str,
                           const seal_key_options *opts, X509 **cert, STACK_OF(X509) **chain)
{
    P11KitUri *uri;
    seal__p11 *p;
    seal_status st = p11_start(ctx, &p, uri_str, opts, 1, &uri);

    *out = NULL;
    if (st != SEAL_OK)
        return st;
    st = find_key(ctx, p, uri, cert, chain);
    p11_kit_uri_free(uri);
    if (st != SEAL_OK) {
        seal__p11_close(p);
        return st;
    }
    *out = p;
    return SEAL_OK;
}

void seal__p11_close(seal__p11 *p)
{
    if (!p)
        return;
    if (p->module && p->session != CK_INVALID_HANDLE) {
        if (p->logged_in)
            p->module->C_Logout(p->session);
        p->module->C_CloseSession(p->session);
    }
    if (p->own_module && p->module) {
        p11_kit_module_finalize(p->module);
        p11_kit_module_release(p->module);
    }
    if (p->modules)
        p11_kit_modules_finalize_and_release(p->modules);
    EVP_PKEY_free(p->sm2_pub);
    free(p);
}

const char *seal__p11_label(const seal__p11 *p)
{
    return p->label;
}

/* DER DigestInfo prefixes (RFC 8017 §9.2 note 1). */
static const unsigned char di_sha256[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48,
                                          0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04,
                                          0x20};
static const unsigned char di_sha384[] = {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48,
                                          0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04,
                                          0x30};
static const unsigned char di_sha512[] = {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48,
                                          0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04,
                                          0x40};

/* r||s from CKM_ECDSA to a DER ECDSA-Sig-Value, as CMS wants it. */
static int ecdsa_raw_to_der(const unsigned char *raw, size_t len, unsigned char **der, size_t *dlen)
{
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(raw, (int)(len / 2), NULL);
    BIGNUM *s = BN_bin2bn(raw + len / 2, (int)(len / 2), NULL);
    int n;

    *der = NULL;
    if (!sig || !r || !s || !ECDSA_SIG_set0(sig, r, s)) {
        ECDSA_SIG_free(sig);
        BN_free(r);
        BN_free(s);
        return 0;
    }
    n = i2d_ECDSA_SIG(sig, der);
    ECDSA_SIG_free(sig);
    if (n <= 0)
        return 0;
    *dlen = (size_t)n;
    return 1;
}

seal_status seal__p11_sign(seal_ctx *ctx, seal__p11 *p, int md_nid, const unsigned char *md,
                           size_t mdlen, unsigned char **sig, size_t *siglen)
{
    CK_MECHANISM mech = {p->key_type == CKK_EC ? CKM_ECDSA : CKM_RSA_PKCS, NULL, 0};
    unsigned char input[128], out[1024];
    char who[64];
    CK_ULONG inlen = 0, outlen = sizeof(out);
    const unsigned char *prefix = NULL;
    size_t plen = 0;
    CK_RV rv;

    *sig = NULL;
    *siglen = 0;
    if (p->sm2_pub) {
        /* the host computed Z and e = SM3(Z || M); the token signs e */
        if (md_nid != NID_sm3 || mdlen != 32)
            return seal__fail(ctx, SEAL_ERR_UNSUPPORTED, "an SM2 key signs SM3 digests only");
        mech.mechanism = p->sm2_mech;
        memcpy(input, md, mdlen);
        inlen = mdlen;
    } else if (p->key_type == CKK_EC) {
        memcpy(input, md, mdlen);
        inlen = mdlen;
    } else {
        switch (md_nid) {
        case NID_sha256: prefix = di_sha256; plen = sizeof(di_sha256); break;
        case NID_sha384: prefix = di_sha384; plen = sizeof(di_sha384); break;
        case NID_sha512: prefix = di_sha512; plen = sizeof(di_sha512); break;
        default: return seal__fail(ctx, SEAL_ERR_UNSUPPORTED, "unsupported digest for RSA signing");
        }
        memcpy(input, prefix, plen);
        memcpy(input + plen, md, mdlen);
        inlen = plen + mdlen;
    }
    rv = p->module->C_SignInit(p->session, &mech, p->key);
    if (rv == CKR_MECHANISM_INVALID && p->sm2_pub)
        return seal__fail(ctx, SEAL_ERR_TOKEN,
                          "token '%s' does not know the SM2 mechanism 0x%08lX (CKR_MECHANISM_INVALID); "
                          "name the one it signs a 32-byte SM2 digest with by sm2-mechanism= in the "
                          "key URI",
                          p->label, (unsigned long)p->sm2_mech);
    if (rv != CKR_OK)
        return p11_fail(ctx, SEAL_ERR_TOKEN, rv, "C_SignInit");
    if (p->always_auth) {
        CK_SLOT_ID slot;
        CK_SESSION_INFO si;
        if (p->module->C_GetSessionInfo(p->session, &si) != CKR_OK)
            return seal__fail(ctx, SEAL_ERR_TOKEN, "token '%s' lost its session", p->label);
        slot = si.slotID;
        seal_status st = login(ctx, p, slot, NULL, CKU_CONTEXT_SPECIFIC);
        if (st != SEAL_OK)
            return st;
    }
    rv = p->module->C_Sign(p->session, input, inlen, out, &outlen);
    if (rv != CKR_OK)
        return p11_fail(ctx, SEAL_ERR_TOKEN, rv, "C_Sign");
    if (p->sm2_pub) {
        snprintf(who, sizeof(who), "token '%s'", p->label);
        return seal__sm2_token_result(ctx, who, p->sm2_pub, md, out, outlen, sig, siglen);
    }
    if (p->key_type == CKK_EC) {
        if (outlen % 2 || !ecdsa_raw_to_der(out, outlen, sig, siglen))
            return seal__fail(ctx, SEAL_ERR_CRYPTO, "token '%s' returned a malformed ECDSA signature",
                              p->label);
        return SEAL_OK;
    }
    *sig = malloc(outlen);
    if (!*sig)
        return seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
    memcpy(*sig, out, outlen);
    *siglen = outlen;
    return SEAL_OK;
}

/* Decryption keys (envelope.c): certificates paired with private keys. */

void seal__p11_pairs_free(seal__p11_pair *pairs, size_t n)
{
    for (size_t i = 0; pairs && i < n; i++) {
        X509_free(pairs[i].cert);
        free(pairs[i].label);
    }
    free(pairs);
}

/* Does a token certificate match the URI's object= and id= (if given)? */
static int cert_matches_uri(const tok_cert *c, P11KitUri *uri)
{
    CK_ATTRIBUTE *a;
    if ((a = p11_kit_uri_get_attribute(uri, CKA_LABEL)) != NULL &&
        (!c->label || strlen(c->label) != a->ulValueLen || memcmp(c->label, a->pValue, a->ulValueLen)))
        return 0;
    if ((a = p11_kit_uri_get_attribute(uri, CKA_ID)) != NULL &&
        (!c->id || c->id_len != a->ulValueLen || memcmp(c->id, a->pValue, a->ulValueLen)))
        return 0;
    return 1;
}

seal_status seal__p11_pairs(seal_ctx *ctx, seal__p11 **out, const char *uri_str,
                            const seal_key_options *opts, int do_login, seal__p11_pair **pairs,
                            size_t *npairs)
{
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    CK_ATTRIBUTE tmpl[] = {{CKA_CLASS, &cls, sizeof(cls)}};
    CK_OBJECT_HANDLE keys[MAX_OBJECTS];
    CK_ULONG nkeys = 0;
    tok_cert certs[MAX_OBJECTS];
    size_t ncerts;
    P11KitUri *uri;
    seal__p11 *p;
    seal_status st = p11_start(ctx, &p, uri_str, opts, do_login, &uri);

    *out = NULL;
    *pairs = NULL;
    *npairs = 0;
    if (st != SEAL_OK)
        return st;
    if (do_login)
        nkeys = find_objects(p->module, p->session, tmpl, 1, keys, MAX_OBJECTS);
    ncerts = load_certs(p->module, p->session, certs, MAX_OBJECTS);
    *pairs = calloc(ncerts ? ncerts : 1, sizeof(**pairs));
    if (!*pairs) {
        st = seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (size_t c = 0; c < ncerts; c++) {
        seal__p11_pair *pr = &(*pairs)[*npairs];
        if (!cert_matches_uri(&certs[c], uri))
            continue;
        for (CK_ULONG k = 0; k < nkeys && certs[c].id && !pr->key; k++) {
            CK_ULONG idlen, tlen;
            unsigned char *id = get_attr(p->module, p->session, keys[k], CKA_ID, &idlen);
            if (id && idlen == certs[c].id_len && !memcmp(id, certs[c].id, idlen)) {
                unsigned char *v = get_attr(p->module, p->session, keys[k], CKA_KEY_TYPE, &tlen);
                pr->key = keys[k];
                pr->key_type = v && tlen == sizeof(CK_KEY_TYPE) ? *(CK_KEY_TYPE *)v : CKK_RSA;
                free(v);
            }
            free(id);
        }
        pr->cert = certs[c].x509;
        certs[c].x509 = NULL;
        pr->label = certs[c].label;
        certs[c].label = NULL;
        (*npairs)++;
    }
out:
    free_certs(certs, ncerts);
    p11_kit_uri_free(uri);
    if (st != SEAL_OK) {
        seal__p11_close(p);
        return st;
    }
    *out = p;
    return SEAL_OK;
}

static CK_MECHANISM_TYPE md_mech(int nid, CK_RSA_PKCS_MGF_TYPE *mgf)
{
    switch (nid) {
    case NID_sha1: *mgf = CKG_MGF1_SHA1; return CKM_SHA_1;
    case NID_sha224: *mgf = CKG_MGF1_SHA224; return CKM_SHA224;
    case NID_sha384: *mgf = CKG_MGF1_SHA384; return CKM_SHA384;
    case NID_sha512: *mgf = CKG_MGF1_SHA512; return CKM_SHA512;
    default: *mgf = CKG_MGF1_SHA256; return CKM_SHA256;
    }
}

seal_status seal__p11_rsa_decrypt(seal_ctx *ctx, seal__p11 *p, unsigned long key, int oaep_md,
                                  int mgf_md, const unsigned char *in, size_t inlen,
                                  unsigned char *out, size_t *outlen)
{
    CK_RSA_PKCS_OAEP_PARAMS oaep = {0, 0, CKZ_DATA_SPECIFIED, NULL, 0};
    CK_RSA_PKCS_MGF_TYPE unused;
    CK_MECHANISM mech = {CKM_RSA_PKCS, NULL, 0};
    CK_ULONG len = *outlen;
    CK_RV rv;

    if (oaep_md < 0) {
        mech.mechanism = CKM_RSA_X_509;
    } else if (oaep_md) {
        oaep.hashAlg = md_mech(oaep_md, &unused);
        md_mech(mgf_md, &oaep.mgf);
        mech = (CK_MECHANISM){CKM_RSA_PKCS_OAEP, &oaep, sizeof(oaep)};
    }
    rv = p->module->C_DecryptInit(p->session, &mech, key);
    /* SoftHSM2 does OAEP with SHA-1 only, some CA tokens no OAEP at all */
    if (oaep_md > 0 && (rv == CKR_MECHANISM_INVALID || rv == CKR_MECHANISM_PARAM_INVALID ||
                        rv == CKR_ARGUMENTS_BAD))
        return seal__fail(ctx, SEAL_ERR_UNSUPPORTED, "token '%s' has no RSA-OAEP with %s",
                          p->label, OBJ_nid2sn(oaep_md));
    if (rv == CKR_OK)
        rv = p->module->C_Decrypt(p->session, (CK_BYTE *)in, inlen, out, &len);
    if (rv == CKR_ENCRYPTED_DATA_INVALID || rv == CKR_ENCRYPTED_DATA_LEN_RANGE)
        return seal__fail(ctx, SEAL_ERR_INPUT, "token '%s' cannot unwrap the content key: the "
                                               "encrypted key is damaged", p->label);
    if (rv != CKR_OK)
        return p11_fail(ctx, SEAL_ERR_TOKEN, rv, oaep_md ? "C_Decrypt (RSA-OAEP)" : "C_Decrypt");
    *outlen = len;
    return SEAL_OK;
}

seal_status seal__p11_sm2_decrypt(seal_ctx *ctx, seal__p11 *p, unsigned long key,
                                  const unsigned char *in, size_t inlen, unsigned char *out,
                                  size_t *outlen)
{
    CK_MECHANISM mech = {0, NULL, 0};
    unsigned char raw[1200];
    size_t rawlen = sizeof(raw);
    CK_ULONG len = *outlen;
    seal_status st = seal__p11_sm2_decrypt_mechanism(ctx, p->module, p->label, p->maker,
                                                     p->sm2_dec_override, &mech.mechanism);
    CK_RV rv;

    if (st != SEAL_OK)
        return st;
    if ((rv = p->module->C_DecryptInit(p->session, &mech, key)) == CKR_OK)
        rv = p->module->C_Decrypt(p->session, (CK_BYTE *)in, inlen, out, &len);
    /* a token that takes the raw C1||C3||C2, not the DER */
    if ((rv == CKR_ENCRYPTED_DATA_INVALID || rv == CKR_ENCRYPTED_DATA_LEN_RANGE) &&
        seal__sm2_cipher_raw(in, inlen, raw, &rawlen) == SEAL_OK &&
        (rv = p->module->C_DecryptInit(p->session, &mech, key)) == CKR_OK) {
        len = *outlen;
        rv = p->module->C_Decrypt(p->session, raw, rawlen, out, &len);
    }
    if (rv == CKR_MECHANISM_INVALID)
        return seal__fail(ctx, SEAL_ERR_TOKEN,
                          "token '%s' does not know the SM2 decryption mechanism 0x%08lX "
                          "(CKR_MECHANISM_INVALID); name the one it has by sm2-decrypt-mechanism= "
                          "in the key URI",
                          p->label, (unsigned long)mech.mechanism);
    if (rv == CKR_ENCRYPTED_DATA_INVALID || rv == CKR_ENCRYPTED_DATA_LEN_RANGE)
        return seal__fail(ctx, SEAL_ERR_INPUT, "token '%s' cannot decrypt the content key: the "
                                               "SM2-encrypted key is damaged", p->label);
    if (rv != CKR_OK)
        return p11_fail(ctx, SEAL_ERR_TOKEN, rv, "C_Decrypt (SM2)");
    *outlen = len;
    return SEAL_OK;
}

seal_status seal__p11_ecdh(seal_ctx *ctx, seal__p11 *p, unsigned long key,
                           const unsigned char *point, size_t plen, unsigned char *z, size_t *zlen)
{
    CK_ECDH1_DERIVE_PARAMS prm = {CKD_NULL, 0, NULL, plen, (CK_BYTE *)point};
    CK_MECHANISM mech = {CKM_ECDH1_DERIVE, &prm, sizeof(prm)};
    CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
    CK_KEY_TYPE kt = CKK_GENERIC_SECRET;
    CK_BBOOL no = CK_FALSE, yes = CK_TRUE;
    /* The shared secret leaves the token, the private key does not: it is
     * a session object, extractable, destroyed at once. */
    CK_ATTRIBUTE tmpl[] = {{CKA_CLASS, &cls, sizeof(cls)},     {CKA_KEY_TYPE, &kt, sizeof(kt)},
                           {CKA_TOKEN, &no, sizeof(no)},        {CKA_SENSITIVE, &no, sizeof(no)},
                           {CKA_EXTRACTABLE, &yes, sizeof(yes)}};
    CK_OBJECT_HANDLE secret = CK_INVALID_HANDLE;
    CK_ULONG len;
    unsigned char *v;
    CK_RV rv = p->module->C_DeriveKey(p->session, &mech, key, tmpl, 5, &secret);

    if (rv == CKR_MECHANISM_PARAM_INVALID || rv == CKR_ARGUMENTS_BAD)
        return seal__fail(ctx, SEAL_ERR_INPUT, "token '%s' cannot derive the key agreement "
                                               "secret: the originator key is damaged", p->label);
    if (rv != CKR_OK)
        return p11_fail(ctx, SEAL_ERR_TOKEN, rv, "C_DeriveKey (ECDH)");
    v = get_attr(p->module, p->session, secret, CKA_VALUE, &len);
    p->module->C_DestroyObject(p->session, secret);
    if (!v || len > *zlen) {
        free(v);
        return seal__fail(ctx, SEAL_ERR_TOKEN, "token '%s' does not reveal the derived ECDH secret",
                          p->label);
    }
    memcpy(z, v, len);
    OPENSSL_cleanse(v, len);
    free(v);
    *zlen = len;
    return SEAL_OK;
}

/* Token listing (`seal token`). */

typedef struct list_slot {
    char *module;
    unsigned long slot_id;
    char description[65];
    char label[33], manufacturer[33], model[17], serial[17];
    unsigned flags;
    size_t ncerts;
    X509 **certs;
    seal__cert_text *text;
} list_slot;

struct seal_token_list {
    list_slot *slots;
    size_t count;
};

static unsigned token_flags(const CK_TOKEN_INFO *ti)
{
    unsigned f = SEAL_TOKEN_PRESENT;
    if (ti->flags & CKF_LOGIN_REQUIRED) f |= SEAL_TOKEN_LOGIN_REQUIRED;
    if (ti->flags & CKF_PROTECTED_AUTHENTICATION_PATH) f |= SEAL_TOKEN_PROTECTED_AUTH;
    if (ti->flags & CKF_USER_PIN_COUNT_LOW) f |= SEAL_TOKEN_PIN_COUNT_LOW;
    if (ti->flags & CKF_USER_PIN_FINAL_TRY) f |= SEAL_TOKEN_PIN_FINAL_TRY;
    if (ti->flags & CKF_USER_PIN_LOCKED) f |= SEAL_TOKEN_PIN_LOCKED;
    if (ti->flags & CKF_USER_PIN_INITIALIZED) f |= SEAL_TOKEN_PIN_INITIALIZED;
    if (ti->flags & CKF_TOKEN_INITIALIZED) f |= SEAL_TOKEN_INITIALIZED;
    return f;
}

/* Which certificates go with a key: a private or public key object of the
 * same CKA_ID visible without login; when the token shows no key objects
 * before login, its end-entity (non-CA) certificates. */
static void mark_keys(CK_FUNCTION_LIST *m, CK_SESSION_HANDLE sess, tok_cert *certs, size_t n,
                      int login_required, unsigned char *has_key)
{
    static const CK_OBJECT_CLASS classes[2] = {CKO_PRIVATE_KEY, CKO_PUBLIC_KEY};
    size_t nkeys = 0;

    memset(has_key, 0, n);
    for (int k = 0; k < 2; k++) {
        CK_ATTRIBUTE tmpl = {CKA_CLASS, (void *)&classes[k], sizeof(classes[k])};
        CK_OBJECT_HANDLE objs[MAX_OBJECTS];
        CK_ULONG nobj = find_objects(m, sess, &tmpl, 1, objs, MAX_OBJECTS);
        nkeys += nobj;
        for (CK_ULONG o = 0; o < nobj; o++) {
            CK_ULONG idlen;
            unsigned char *id = get_attr(m, sess, objs[o], CKA_ID, &idlen);
            for (size_t c = 0; id && c < n; c++)
                if (certs[c].id && certs[c].id_len == idlen && !memcmp(certs[c].id, id, idlen))
                    has_key[c] = 1;
            free(id);
        }
    }
    if (nkeys == 0 && login_required)
        for (size_t c = 0; c < n; c++)
            has_key[c] = X509_check_ca(certs[c].x509) == 0;
}

static seal_status list_module(seal_ctx *ctx, seal_token_list *list, CK_FUNCTION_LIST *m,
                               const char *name)
{
    CK_SLOT_ID slots[MAX_SLOTS];
    CK_ULONG nslots = MAX_SLOTS;
    CK_RV rv = m->C_GetSlotList(CK_FALSE, slots, &nslots);

    if (rv != CKR_OK)
        return p11_fail(ctx, SEAL_ERR_TOKEN, rv, "C_GetSlotList");
    for (CK_ULONG i = 0; i < nslots; i++) {
        CK_SLOT_INFO si;
        CK_TOKEN_INFO ti;
        list_slot *s;
        list_slot *grown = realloc(list->slots, (list->count + 1) * sizeof(*grown));
        if (!grown)
            return seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
        list->slots = grown;
        s = &list->slots[list->count++];
        memset(s, 0, sizeof(*s));
        s->module = strdup(name);
        s->slot_id = slots[i];
        if (m->C_GetSlotInfo(slots[i], &si) == CKR_OK)
            fixed_str(s->description, si.slotDescription, sizeof(si.slotDescription));
        if (!token_info(m, slots[i], &ti))
            continue;
        fixed_str(s->label, ti.label, sizeof(ti.label));
        fixed_str(s->manufacturer, ti.manufacturerID, sizeof(ti.manufacturerID));
        fixed_str(s->model, ti.model, sizeof(ti.model));
        fixed_str(s->serial, ti.serialNumber, sizeof(ti.serialNumber));
        s->flags = token_flags(&ti);

        CK_SESSION_HANDLE sess;
        if (m->C_OpenSession(slots[i], CKF_SERIAL_SESSION, NULL, NULL, &sess) != CKR_OK)
            continue;
        tok_cert certs[MAX_OBJECTS];
        size_t n = load_certs(m, sess, certs, MAX_OBJECTS);
        unsigned char has_key[MAX_OBJECTS];
        mark_keys(m, sess, certs, n, (ti.flags & CKF_LOGIN_REQUIRED) != 0, has_key);
        m->C_CloseSession(sess);
        s->certs = calloc(n ? n : 1, sizeof(X509 *));
        s->text = calloc(n ? n : 1, sizeof(seal__cert_text));
        if (!s->certs || !s->text) {
            free_certs(certs, n);
            return seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
        }
        tok_cert *keyed[MAX_OBJECTS];
        size_t nkeyed = 0;
        for (size_t c = 0; c < n; c++)
            if (has_key[c])
                keyed[nkeyed++] = &certs[c];
        for (size_t c = 0, k = 0; c < n; c++) {
            s->certs[c] = certs[c].x509;
            certs[c].x509 = NULL;
            seal__cert_text_fill(&s->text[c], s->certs[c]);
            if (certs[c].label)
                s->text[c].label = strdup(certs[c].label);
            if (certs[c].id) {
                s->text[c].id = malloc(2 * certs[c].id_len + 1);
                if (s->text[c].id)
                    seal__hex(certs[c].id, certs[c].id_len, s->text[c].id);
            }
            if (has_key[c]) {
                /* A module p11-kit knows by a bare name is found without module-path. */
                s->text[c].uri = key_uri(s->label, certs[c].label, certs[c].id, certs[c].id_len,
                                         label_shared(keyed, nkeyed, k), name[0] == '/' ? name : NULL);
                k++;
            }
        }
        s->ncerts = n;
        free_certs(certs, n);
    }
    return SEAL_OK;
}

SEAL_API seal_status seal_token_list_load(seal_ctx *ctx, seal_token_list **out,
                                          const char *module_path)
{
    seal_token_list *list;
    seal_status st = SEAL_OK;

    if (!ctx || !out)
        return SEAL_ERR_ARGS;
    seal__reset(ctx);
    *out = NULL;
    list = calloc(1, sizeof(*list));
    if (!list)
        return seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
    seal__ossl_clear();
    if (module_path) {
        CK_FUNCTION_LIST *m = p11_kit_module_load(module_path, 0);
        CK_RV rv;
        if (!m) {
            st = seal__fail(ctx, SEAL_ERR_TOKEN, "cannot load PKCS#11 module %s: %s", module_path,
                            p11_kit_message() ? p11_kit_message() : "unknown error");
        } else if ((rv = p11_kit_module_initialize(m)) != CKR_OK) {
            st = seal__fail(ctx, SEAL_ERR_TOKEN, "cannot initialise PKCS#11 module %s: %s",
                            module_path, ckr_str(rv));
            p11_kit_module_release(m);
        } else {
            st = list_module(ctx, list, m, module_path);
            p11_kit_module_finalize(m);
            p11_kit_module_release(m);
        }
    } else {
        CK_FUNCTION_LIST **mods = p11_kit_modules_load_and_initialize(0);
        for (size_t i = 0; mods && mods[i] && st == SEAL_OK; i++) {
            char *name = p11_kit_module_get_filename(mods[i]);
            st = list_module(ctx, list, mods[i], name ? name : "?");
            free(name);
        }
        if (mods)
            p11_kit_modules_finalize_and_release(mods);
    }
    ERR_clear_error();
    if (st != SEAL_OK) {
        seal_token_list_free(list);
        return st;
    }
    *out = list;
    return SEAL_OK;
}

SEAL_API void seal_token_list_free(seal_token_list *list)
{
    if (!list)
        return;
    for (size_t i = 0; i < list->count; i++) {
        list_slot *s = &list->slots[i];
        for (size_t c = 0; c < s->ncerts; c++) {
            X509_free(s->certs[c]);
            seal__cert_text_free(&s->text[c]);
        }
        free(s->certs);
        free(s->text);
        free(s->module);
    }
    free(list->slots);
    free(list);
}

SEAL_API size_t seal_token_list_count(const seal_token_list *list)
{
    return list ? list->count : 0;
}

SEAL_API seal_status seal_token_list_get(const seal_token_list *list, size_t i,
                                         seal_token_info *out)
{
    if (!list || !out || i >= list->count)
        return SEAL_ERR_ARGS;
    const list_slot *s = &list->slots[i];
    out->module = s->module ? s->module : "";
    out->slot_id = s->slot_id;
    out->slot_description = s->description;
    out->label = s->label;
    out->manufacturer = s->manufacturer;
    out->model = s->model;
    out->serial = s->serial;
    out->flags = s->flags;
    out->cert_count = s->ncerts;
    return SEAL_OK;
}

SEAL_API seal_status seal_token_list_cert(const seal_token_list *list, size_t i, size_t j,
                                          seal_cert_info *out)
{
    if (!list || !out || i >= list->count || j >= list->slots[i].ncerts)
        return SEAL_ERR_ARGS;
    seal__cert_info(out, &list->slots[i].text[j], list->slots[i].certs[j]);
    return SEAL_OK;
}
