/* sm2p11 — a PKCS#11 module holding one SM2 key, for the tests: no Debian
 * package offers an SM2-capable module (docs/gm.md §4.3), and real Chinese
 * tokens each use their own vendor mechanism. This one is backed by OpenSSL
 * and signs for real; what a vendor varies is set from the environment:
 *
 *   SM2P11_KEY           PEM file of the SM2 private key (required)
 *   SM2P11_CERT          PEM file of its certificate (required)
 *   SM2P11_MECH          the mechanism that signs a 32-byte e (default
 *                        0x80008104, Sansec CKM_SM2_SIGN); any other is
 *                        CKR_MECHANISM_INVALID, as on a real token
 *   SM2P11_OUTPUT        der (SEQUENCE{r,s}, default) or raw (r||s, 64 bytes)
 *   SM2P11_MANUFACTURER  token and library manufacturerID (default "libseal tests")
 *   SM2P11_KEYTYPE       CKA_KEY_TYPE of the key objects (default CKK_EC)
 *   SM2P11_LABEL         token label (default "SM2Token")
 *   SM2P11_PIN           user PIN (default "123456")
 *   SM2P11_STATE         file keeping the PIN tries left across processes
 *                        (3 when absent): a wrong PIN uses one, the right one
 *                        restores 3, none left locks the token
 *   SM2P11_ZHASH         1: the mechanism hashes what it is given itself,
 *                        e = SM3(Z || data) with ID 1234567812345678, as the
 *                        vendors' SM3-with-SM2 mechanisms do (a wrong choice
 *                        for a signer that sends e)
 *   SM2P11_DECRYPT_MECH  the mechanism that decrypts an SM2 ciphertext with
 *                        the key (default 0x80008200, Sansec's); any other is
 *                        CKR_MECHANISM_INVALID
 *   SM2P11_CIPHER        the ciphertext C_Decrypt takes: der (GM/T 0009
 *                        SM2Cipher, default) or raw (04||x||y||C3||C2); the
 *                        other is CKR_ENCRYPTED_DATA_INVALID
 *   SM2P11_LOG           if set, one line per C_Login, C_SignInit and
 *                        C_DecryptInit is appended (result and mechanism;
 *                        never the PIN)
 *
 * Objects: the certificate (label "sm2sign", id 0x51, public), the public
 * key (same label and id, CKA_EC_PARAMS of the SM2 curve, CKA_EC_POINT) and,
 * after login, the private key. Sessions, login and signing follow
 * PKCS#11 2.40; functions a signer does not need are CKR_FUNCTION_NOT_SUPPORTED.
 * SPDX-License-Identifier: AGPL-3.0-or-later */
#include <p11-kit/pkcs11.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "sm2cipher.h"

#define SLOT 3UL
#define MAX_SESSIONS 16
#define MAX_TRIES 3
#define OBJ_CERT 1UL
#define OBJ_PUB 2UL
#define OBJ_PRIV 3UL

/* DER OID of the SM2 curve, 1.2.156.10197.1.301 */
static const unsigned char sm2_params[] = {0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf,
                                           0x55, 0x01, 0x82, 0x2d};
static const unsigned char key_id[] = {0x51};
static const char obj_label[] = "sm2sign";

static struct {
    int up;
    EVP_PKEY *key;
    unsigned char *cert_der, *subject_der, *point_der;
    int cert_len, subject_len, point_len;
    CK_MECHANISM_TYPE mech, dec_mech;
    int raw, zhash, raw_cipher;
    CK_KEY_TYPE key_type;
    const char *manufacturer, *label, *pin, *state, *log;
    int tries; /* when no state file */
    int logged_in;
    int open[MAX_SESSIONS];
    int signing[MAX_SESSIONS];
    int decrypting[MAX_SESSIONS];
    CK_OBJECT_HANDLE found[MAX_SESSIONS][3];
    CK_ULONG nfound[MAX_SESSIONS], next[MAX_SESSIONS];
    int finding[MAX_SESSIONS];
} tok;

static void pad(CK_UTF8CHAR *dst, size_t len, const char *src)
{
    size_t n = strlen(src);
    memset(dst, ' ', len);
    memcpy(dst, src, n < len ? n : len);
}

static const char *env_or(const char *name, const char *dflt)
{
    const char *v = getenv(name);
    return v && *v ? v : dflt;
}

static void logf_line(const char *what, CK_ULONG a, CK_RV rv)
{
    FILE *f = tok.log ? fopen(tok.log, "a") : NULL;
    if (f) {
        fprintf(f, "%s 0x%lx rv=0x%lx\n", what, (unsigned long)a, (unsigned long)rv);
        fclose(f);
    }
}

static int tries_left(void)
{
    FILE *f;
    int n = MAX_TRIES;

    if (!tok.state)
        return tok.tries;
    if ((f = fopen(tok.state, "r")) != NULL) {
        if (fscanf(f, "%d", &n) != 1)
            n = MAX_TRIES;
        fclose(f);
    }
    return n;
}

static void set_tries(int n)
{
    FILE *f;

    tok.tries = n;
    if (tok.state && (f = fopen(tok.state, "w")) != NULL) {
        fprintf(f, "%d\n", n);
        fclose(f);
    }
}

static int session_index(CK_SESSION_HANDLE h)
{
    if (h < 1 || h > MAX_SESSIONS || !tok.open[h - 1])
        return -1;
    return (int)(h - 1);
}

static int load_files(void)
{
    const char *kp = getenv("SM2P11_KEY"), *cp = getenv("SM2P11_CERT");
    FILE *f;
    X509 *x = NULL;
    size_t plen;
    unsigned char point[65];

    if (!kp || !cp)
        return 0;
    if ((f = fopen(kp, "r")) != NULL) {
        tok.key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
        fclose(f);
    }
    if ((f = fopen(cp, "r")) != NULL) {
        x = PEM_read_X509(f, NULL, NULL, NULL);
        fclose(f);
    }
    if (!tok.key || !x)
        goto fail;
    tok.cert_der = NULL;
    tok.cert_len = i2d_X509(x, &tok.cert_der);
    tok.subject_der = NULL;
    tok.subject_len = i2d_X509_NAME(X509_get_subject_name(x), &tok.subject_der);
    X509_free(x);
    if (!EVP_PKEY_get_octet_string_param(tok.key, "encoded-pub-key", point, sizeof(point), &plen) ||
        plen != 65)
        return 0;
    /* CKA_EC_POINT: the point as a DER OCTET STRING */
    tok.point_der = malloc(2 + plen);
    if (!tok.point_der)
        return 0;
    tok.point_der[0] = 0x04;
    tok.point_der[1] = (unsigned char)plen;
    memcpy(tok.point_der + 2, point, plen);
    tok.point_len = (int)(2 + plen);
    return tok.cert_len > 0 && tok.subject_len > 0;
fail:
    X509_free(x);
    return 0;
}

static void unload(void)
{
    EVP_PKEY_free(tok.key);
    OPENSSL_free(tok.cert_der);
    OPENSSL_free(tok.subject_der);
    free(tok.point_der);
    memset(&tok, 0, sizeof tok);
}

static CK_RV t_Initialize(CK_VOID_PTR args)
{
    CK_C_INITIALIZE_ARGS *a = args;

    if (tok.up)
        return CKR_CRYPTOKI_ALREADY_INITIALIZED;
    if (a && a->pReserved)
        return CKR_ARGUMENTS_BAD;
    memset(&tok, 0, sizeof tok);
    if (!load_files()) {
        unload();
        return CKR_GENERAL_ERROR;
    }
    tok.mech = strtoul(env_or("SM2P11_MECH", "0x80008104"), NULL, 0);
    tok.raw = !strcmp(env_or("SM2P11_OUTPUT", "der"), "raw");
    tok.dec_mech = strtoul(env_or("SM2P11_DECRYPT_MECH", "0x80008200"), NULL, 0);
    tok.raw_cipher = !strcmp(env_or("SM2P11_CIPHER", "der"), "raw");
    tok.zhash = !strcmp(env_or("SM2P11_ZHASH", "0"), "1");
    tok.key_type = strtoul(env_or("SM2P11_KEYTYPE", "3"), NULL, 0);
    tok.manufacturer = env_or("SM2P11_MANUFACTURER", "libseal tests");
    tok.label = env_or("SM2P11_LABEL", "SM2Token");
    tok.pin = env_or("SM2P11_PIN", "123456");
    tok.state = getenv("SM2P11_STATE");
    tok.log = getenv("SM2P11_LOG");
    tok.tries = MAX_TRIES;
    tok.up = 1;
    return CKR_OK;
}

static CK_RV t_Finalize(CK_VOID_PTR reserved)
{
    if (reserved)
        return CKR_ARGUMENTS_BAD;
    if (!tok.up)
        return CKR_CRYPTOKI_NOT_INITIALIZED;
    unload();
    return CKR_OK;
}

static CK_RV t_GetInfo(CK_INFO_PTR info)
{
    if (!tok.up)
        return CKR_CRYPTOKI_NOT_INITIALIZED;
    memset(info, 0, sizeof *info);
    info->cryptokiVersion.major = 2;
    info->cryptokiVersion.minor = 40;
    pad(info->manufacturerID, sizeof info->manufacturerID, tok.manufacturer);
    pad(info->libraryDescription, sizeof info->libraryDescription, "SM2 test module");
    info->libraryVersion.major = 1;
    return CKR_OK;
}

static CK_RV t_GetSlotList(CK_BBOOL present, CK_SLOT_ID_PTR list, CK_ULONG_PTR count)
{
    (void)present;
    if (!tok.up)
        return CKR_CRYPTOKI_NOT_INITIALIZED;
    if (list) {
        if (*count < 1) {
            *count = 1;
            return CKR_BUFFER_TOO_SMALL;
        }
        list[0] = SLOT;
    }
    *count = 1;
    return CKR_OK;
}

static CK_RV t_GetSlotInfo(CK_SLOT_ID slot, CK_SLOT_INFO_PTR info)
{
    if (!tok.up)
        return CKR_CRYPTOKI_NOT_INITIALIZED;
    if (slot != SLOT)
        return CKR_SLOT_ID_INVALID;
    memset(info, 0, sizeof *info);
    pad(info->slotDescription, sizeof info->slotDescription, "sm2p11 USB key");
    pad(info->manufacturerID, sizeof info->manufacturerID, tok.manufacturer);
    info->flags = CKF_TOKEN_PRESENT | CKF_REMOVABLE_DEVICE | CKF_HW_SLOT;
    return CKR_OK;
}

static CK_RV t_GetTokenInfo(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info)
{
    int left;

    if (!tok.up)
        return CKR_CRYPTOKI_NOT_INITIALIZED;
    if (slot != SLOT)
        return CKR_SLOT_ID_INVALID;
    memset(info, 0, sizeof *info);
    pad(info->label, sizeof info->label, tok.label);
    pad(info->manufacturerID, sizeof info->manufacturerID, tok.manufacturer);
    pad(info->model, sizeof info->model, "sm2p11");
    pad(info->serialNumber, sizeof info->serialNumber, "SM2P0001");
    info->flags = CKF_LOGIN_REQUIRED | CKF_TOKEN_INITIALIZED | CKF_USER_PIN_INITIALIZED;
    left = tries_left();
    if (left <= 0)
        info->flags |= CKF_USER_PIN_LOCKED;
    else if (left == 1)
        info->flags |= CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_COUNT_LOW;
    else if (left < MAX_TRIES)
        info->flags |= CKF_USER_PIN_COUNT_LOW;
    info->ulMaxSessionCount = MAX_SESSIONS;
    info->ulMaxRwSessionCount = MAX_SESSIONS;
    info->ulMaxPinLen = 16;
    info->ulMinPinLen = 4;
    info->ulTotalPublicMemory = CK_UNAVAILABLE_INFORMATION;
    info->ulFreePublicMemory = CK_UNAVAILABLE_INFORMATION;
    info->ulTotalPrivateMemory = CK_UNAVAILABLE_INFORMATION;
    info->ulFreePrivateMemory = CK_UNAVAILABLE_INFORMATION;
    return CKR_OK;
}

static CK_RV t_GetMechanismList(CK_SLOT_ID slot, CK_MECHANISM_TYPE_PTR list, CK_ULONG_PTR count)
{
    if (!tok.up)
        return CKR_CRYPTOKI_NOT_INITIALIZED;
    if (slot != SLOT)
        return CKR_SLOT_ID_INVALID;
    if (list) {
        if (*count < 2) {
            *count = 2;
            return CKR_BUFFER_TOO_SMALL;
        }
        list[0] = tok.mech;
        list[1] = tok.dec_mech;
    }
    *count = 2;
    return CKR_OK;
}

static CK_RV t_GetMechanismInfo(CK_SLOT_ID slot, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR info)
{
    if (!tok.up)
        return CKR_CRYPTOKI_NOT_INITIALIZED;
    if (slot != SLOT)
        return CKR_SLOT_ID_INVALID;
    if (type != tok.mech && type != tok.dec_mech)
        return CKR_MECHANISM_INVALID;
    info->ulMinKeySize = info->ulMaxKeySize = 256;
    info->flags = CKF_HW | (type == tok.mech ? CKF_SIGN : CKF_DECRYPT);
    return CKR_OK;
}

static CK_RV t_OpenSession(CK_SLOT_ID slot, CK_FLAGS flags, CK_VOID_PTR app, CK_NOTIFY notify,
                           CK_SESSION_HANDLE_PTR out)
{
    (void)app;
    (void)notify;
    if (!tok.up)
        return CKR_CRYPTOKI_NOT_INITIALIZED;
    if (slot != SLOT)
        return CKR_SLOT_ID_INVALID;
    if (!(flags & CKF_SERIAL_SESSION))
        return CKR_SESSION_PARALLEL_NOT_SUPPORTED;
    for (int i = 0; i < MAX_SESSIONS; i++) {
        if (!tok.open[i]) {
            tok.open[i] = 1;
            tok.signing[i] = tok.finding[i] = tok.decrypting[i] = 0;
            *out = (CK_SESSION_HANDLE)(i + 1);
            return CKR_OK;
        }
    }
    return CKR_SESSION_COUNT;
}

static CK_RV t_CloseSession(CK_SESSION_HANDLE h)
{
    int i = session_index(h), any = 0;

    if (i < 0)
        return CKR_SESSION_HANDLE_INVALID;
    tok.open[i] = 0;
    for (int j = 0; j < MAX_SESSIONS; j++)
        any |= tok.open[j];
    if (!any)
        tok.logged_in = 0;
    return CKR_OK;
}

static CK_RV t_CloseAllSessions(CK_SLOT_ID slot)
{
    if (slot != SLOT)
        return CKR_SLOT_ID_INVALID;
    memset(tok.open, 0, sizeof tok.open);
    tok.logged_in = 0;
    return CKR_OK;
}

static CK_RV t_GetSessionInfo(CK_SESSION_HANDLE h, CK_SESSION_INFO_PTR info)
{
    if (session_index(h) < 0)
        return CKR_SESSION_HANDLE_INVALID;
    memset(info, 0, sizeof *info);
    info->slotID = SLOT;
    info->state = tok.logged_in ? CKS_RO_USER_FUNCTIONS : CKS_RO_PUBLIC_SESSION;
    info->flags = CKF_SERIAL_SESSION;
    return CKR_OK;
}

static CK_RV t_Login(CK_SESSION_HANDLE h, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
    CK_RV rv;
    int left = tries_left();

    if (session_index(h) < 0)
        rv = CKR_SESSION_HANDLE_INVALID;
    else if (user != CKU_USER)
        rv = CKR_USER_TYPE_INVALID;
    else if (tok.logged_in)
        rv = CKR_USER_ALREADY_LOGGED_IN;
    else if (left <= 0)
        rv = CKR_PIN_LOCKED;
    else if (!pin || len != strlen(tok.pin) || memcmp(pin, tok.pin, len)) {
        set_tries(left - 1);
        rv = CKR_PIN_INCORRECT;
    } else {
        set_tries(MAX_TRIES);
        tok.logged_in = 1;
        rv = CKR_OK;
    }
    logf_line("login", user, rv);
    return rv;
}

static CK_RV t_Logout(CK_SESSION_HANDLE h)
{
    if (session_index(h) < 0)
        return CKR_SESSION_HANDLE_INVALID;
    if (!tok.logged_in)
        return CKR_USER_NOT_LOGGED_IN;
    tok.logged_in = 0;
    return CKR_OK;
}

/* One attribute of an object: a pointer into static or loaded data. */
static int attr_of(CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE t, const void **v, CK_ULONG *len)
{
    static const CK_OBJECT_CLASS classes[] = {CKO_CERTIFICATE, CKO_PUBLIC_KEY, CKO_PRIVATE_KEY};
    static const CK_CERTIFICATE_TYPE x509 = CKC_X_509;
    static const CK_BBOOL yes = CK_TRUE, no = CK_FALSE;

    if (o < OBJ_CERT || o > OBJ_PRIV)
        return 0;
#define SET(p, n) (*v = (p), *len = (CK_ULONG)(n), 1)
    switch (t) {
    case CKA_CLASS: return SET(&classes[o - 1], sizeof(CK_OBJECT_CLASS));
    case CKA_TOKEN: return SET(&yes, 1);
    case CKA_PRIVATE: return SET(o == OBJ_PRIV ? &yes : &no, 1);
    case CKA_LABEL: return SET(obj_label, strlen(obj_label));
    case CKA_ID: return SET(key_id, sizeof(key_id));
    case CKA_SUBJECT: return SET(tok.subject_der, tok.subject_len);
    default: break;
    }
    if (o == OBJ_CERT) {
        if (t == CKA_CERTIFICATE_TYPE)
            return SET(&x509, sizeof(x509));
        if (t == CKA_VALUE)
            return SET(tok.cert_der, tok.cert_len);
        return 0;
    }
    switch (t) {
    case CKA_KEY_TYPE: return SET(&tok.key_type, sizeof(CK_KEY_TYPE));
    case CKA_EC_PARAMS: return SET(sm2_params, sizeof(sm2_params));
    case CKA_SIGN: return SET(o == OBJ_PRIV ? &yes : &no, 1);
    case CKA_DECRYPT: return SET(o == OBJ_PRIV ? &yes : &no, 1);
    case CKA_VERIFY: return SET(o == OBJ_PUB ? &yes : &no, 1);
    case CKA_SENSITIVE: return o == OBJ_PRIV ? SET(&yes, 1) : 0;
    case CKA_EXTRACTABLE: return o == OBJ_PRIV ? SET(&no, 1) : 0;
    case CKA_ALWAYS_AUTHENTICATE: return o == OBJ_PRIV ? SET(&no, 1) : 0;
    case CKA_EC_POINT: return o == OBJ_PUB ? SET(tok.point_der, tok.point_len) : 0;
    default: return 0;
    }
#undef SET
}

static int visible(CK_OBJECT_HANDLE o)
{
    return o != OBJ_PRIV || tok.logged_in;
}

static CK_RV t_GetAttributeValue(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_PTR t,
                                 CK_ULONG n)
{
    CK_RV rv = CKR_OK;

    if (session_index(h) < 0)
        return CKR_SESSION_HANDLE_INVALID;
    if (o < OBJ_CERT || o > OBJ_PRIV || !visible(o))
        return CKR_OBJECT_HANDLE_INVALID;
    for (CK_ULONG i = 0; i < n; i++) {
        const void *v;
        CK_ULONG len;
        if (!attr_of(o, t[i].type, &v, &len)) {
            t[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
            rv = CKR_ATTRIBUTE_TYPE_INVALID;
        } else if (!t[i].pValue) {
            t[i].ulValueLen = len;
        } else if (t[i].ulValueLen < len) {
            t[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
            rv = CKR_BUFFER_TOO_SMALL;
        } else {
            memcpy(t[i].pValue, v, len);
            t[i].ulValueLen = len;
        }
    }
    return rv;
}

static CK_RV t_FindObjectsInit(CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR t, CK_ULONG n)
{
    int i = session_index(h);

    if (i < 0)
        return CKR_SESSION_HANDLE_INVALID;
    if (tok.finding[i])
        return CKR_OPERATION_ACTIVE;
    tok.nfound[i] = tok.next[i] = 0;
    for (CK_OBJECT_HANDLE o = OBJ_CERT; o <= OBJ_PRIV; o++) {
        int match = visible(o);
        for (CK_ULONG k = 0; k < n && match; k++) {
            const void *v;
            CK_ULONG len;
            match = attr_of(o, t[k].type, &v, &len) && len == t[k].ulValueLen &&
                    !memcmp(v, t[k].pValue, len);
        }
        if (match)
            tok.found[i][tok.nfound[i]++] = o;
    }
    tok.finding[i] = 1;
    return CKR_OK;
}

static CK_RV t_FindObjects(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE_PTR out, CK_ULONG max,
                           CK_ULONG_PTR count)
{
    int i = session_index(h);

    if (i < 0)
        return CKR_SESSION_HANDLE_INVALID;
    if (!tok.finding[i])
        return CKR_OPERATION_NOT_INITIALIZED;
    *count = 0;
    while (*count < max && tok.next[i] < tok.nfound[i])
        out[(*count)++] = tok.found[i][tok.next[i]++];
    return CKR_OK;
}

static CK_RV t_FindObjectsFinal(CK_SESSION_HANDLE h)
{
    int i = session_index(h);

    if (i < 0)
        return CKR_SESSION_HANDLE_INVALID;
    if (!tok.finding[i])
        return CKR_OPERATION_NOT_INITIALIZED;
    tok.finding[i] = 0;
    return CKR_OK;
}

/* C_SignInit and C_DecryptInit: the one mechanism `want`, logged in, the
 * private key; active[] marks the session's operation. */
static CK_RV op_init(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k,
                     CK_MECHANISM_TYPE want, int *active, const char *what)
{
    int i = session_index(h);
    CK_RV rv = CKR_OK;

    if (i < 0)
        return CKR_SESSION_HANDLE_INVALID;
    if (active[i])
        rv = CKR_OPERATION_ACTIVE;
    else if (!m || m->mechanism != want)
        rv = CKR_MECHANISM_INVALID;
    else if (!tok.logged_in)
        rv = CKR_USER_NOT_LOGGED_IN;
    else if (k != OBJ_PRIV)
        rv = k == OBJ_CERT || k == OBJ_PUB ? CKR_KEY_FUNCTION_NOT_PERMITTED : CKR_KEY_HANDLE_INVALID;
    else
        active[i] = 1;
    logf_line(what, m ? m->mechanism : 0, rv);
    return rv;
}

static CK_RV t_SignInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
{
    return op_init(h, m, k, tok.mech, tok.signing, "sign-init");
}

/* SM2 over a precomputed e (no Z: the host computed it), DER or raw out. */
static CK_RV t_Sign(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR sig,
                    CK_ULONG_PTR siglen)
{
    int i = session_index(h);
    unsigned char der[80];
    size_t dlen = sizeof(der);
    CK_ULONG need = tok.raw ? 64 : 72;
    EVP_PKEY_CTX *pc;
    ECDSA_SIG *es;
    const unsigned char *p = der;
    int ok;

    if (i < 0)
        return CKR_SESSION_HANDLE_INVALID;
    if (!tok.signing[i])
        return CKR_OPERATION_NOT_INITIALIZED;
    if (!sig) {
        *siglen = need;
        return CKR_OK;
    }
    if (*siglen < need) { /* the operation stays active (PKCS#11 5.2) */
        *siglen = need;
        return CKR_BUFFER_TOO_SMALL;
    }
    tok.signing[i] = 0;
    if (len != 32)
        return CKR_DATA_LEN_RANGE;
    pc = EVP_PKEY_CTX_new(tok.key, NULL);
    if (tok.zhash) {
        EVP_MD_CTX *mc = EVP_MD_CTX_new();
        ok = mc && pc && EVP_PKEY_CTX_set1_id(pc, "1234567812345678", 16) > 0;
        if (ok)
            EVP_MD_CTX_set_pkey_ctx(mc, pc);
        ok = ok && EVP_DigestSignInit(mc, NULL, EVP_sm3(), NULL, tok.key) > 0 &&
             EVP_DigestSign(mc, der, &dlen, data, len) > 0;
        EVP_MD_CTX_free(mc);
    } else {
        ok = pc && EVP_PKEY_sign_init(pc) > 0 && EVP_PKEY_sign(pc, der, &dlen, data, len) > 0;
    }
    EVP_PKEY_CTX_free(pc);
    if (!ok)
        return CKR_FUNCTION_FAILED;
    if (!tok.raw) {
        memcpy(sig, der, dlen);
        *siglen = dlen;
        return CKR_OK;
    }
    es = d2i_ECDSA_SIG(NULL, &p, (long)dlen);
    ok = es && BN_bn2binpad(ECDSA_SIG_get0_r(es), sig, 32) == 32 &&
         BN_bn2binpad(ECDSA_SIG_get0_s(es), sig + 32, 32) == 32;
    ECDSA_SIG_free(es);
    *siglen = 64;
    return ok ? CKR_OK : CKR_FUNCTION_FAILED;
}

static CK_RV t_DecryptInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
{
    return op_init(h, m, k, tok.dec_mech, tok.decrypting, "decrypt-init");
}

/* SM2 decryption of what the mechanism takes: the SM2Cipher DER or the raw
 * 04||x||y||C3||C2 (SM2P11_CIPHER). */
static CK_RV t_Decrypt(CK_SESSION_HANDLE h, CK_BYTE_PTR in, CK_ULONG len, CK_BYTE_PTR out,
                       CK_ULONG_PTR outlen)
{
    int i = session_index(h);
    unsigned char plain[4096];
    size_t plen = sizeof(plain);
    EVP_PKEY_CTX *pc;
    int ok;

    if (i < 0)
        return CKR_SESSION_HANDLE_INVALID;
    if (!tok.decrypting[i])
        return CKR_OPERATION_NOT_INITIALIZED;
    if (out) /* a size query leaves the operation active (PKCS#11 5.2) */
        tok.decrypting[i] = 0;
    if (tok.raw_cipher) {
        if (len < 98 || in[0] != 0x04) {
            tok.decrypting[i] = 0;
            return CKR_ENCRYPTED_DATA_INVALID;
        }
        ok = sm2c_decrypt(tok.key, in + 1, in + 33, in + 65, in + 97, len - 97, plain, &plen);
    } else {
        if (len < 2 || in[0] != 0x30) {
            tok.decrypting[i] = 0;
            return CKR_ENCRYPTED_DATA_INVALID;
        }
        pc = EVP_PKEY_CTX_new(tok.key, NULL);
        ok = pc && EVP_PKEY_decrypt_init(pc) > 0 && EVP_PKEY_decrypt(pc, plain, &plen, in, len) > 0;
        EVP_PKEY_CTX_free(pc);
    }
    if (!ok) {
        tok.decrypting[i] = 0;
        return CKR_ENCRYPTED_DATA_INVALID;
    }
    if (!out) {
        *outlen = plen;
        return CKR_OK;
    }
    if (*outlen < plen) {
        tok.decrypting[i] = 1;
        *outlen = plen;
        return CKR_BUFFER_TOO_SMALL;
    }
    memcpy(out, plain, plen);
    *outlen = plen;
    return CKR_OK;
}

static CK_RV t_unsupported(void)
{
    return CKR_FUNCTION_NOT_SUPPORTED;
}

static CK_FUNCTION_LIST functions;

static CK_RV t_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list)
{
    /* Every entry after the version is a function pointer: the ones not
     * set below answer CKR_FUNCTION_NOT_SUPPORTED. */
    void (**fn)(void) = (void (**)(void))&functions.C_Initialize;
    size_t n = (sizeof(functions) - offsetof(CK_FUNCTION_LIST, C_Initialize)) / sizeof(*fn);

    if (!list)
        return CKR_ARGUMENTS_BAD;
    for (size_t i = 0; i < n; i++)
        fn[i] = (void (*)(void))t_unsupported;
    functions.version.major = 2;
    functions.version.minor = 40;
    functions.C_Initialize = t_Initialize;
    functions.C_Finalize = t_Finalize;
    functions.C_GetInfo = t_GetInfo;
    functions.C_GetFunctionList = t_GetFunctionList;
    functions.C_GetSlotList = t_GetSlotList;
    functions.C_GetSlotInfo = t_GetSlotInfo;
    functions.C_GetTokenInfo = t_GetTokenInfo;
    functions.C_GetMechanismList = t_GetMechanismList;
    functions.C_GetMechanismInfo = t_GetMechanismInfo;
    functions.C_OpenSession = t_OpenSession;
    functions.C_CloseSession = t_CloseSession;
    functions.C_CloseAllSessions = t_CloseAllSessions;
    functions.C_GetSessionInfo = t_GetSessionInfo;
    functions.C_Login = t_Login;
    functions.C_Logout = t_Logout;
    functions.C_GetAttributeValue = t_GetAttributeValue;
    functions.C_FindObjectsInit = t_FindObjectsInit;
    functions.C_FindObjects = t_FindObjects;
    functions.C_FindObjectsFinal = t_FindObjectsFinal;
    functions.C_SignInit = t_SignInit;
    functions.C_Sign = t_Sign;
    functions.C_DecryptInit = t_DecryptInit;
    functions.C_Decrypt = t_Decrypt;
    *list = &functions;
    return CKR_OK;
}

__attribute__((visibility("default"))) CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list)
{
    return t_GetFunctionList(list);
}
