/* fakeskf — a GM/T 0016 SKF library holding one SM2 key, for the tests: the
 * API most Chinese USB keys ship, which no Debian package provides. Backed
 * by OpenSSL, it signs for real and counts PIN tries like a key does:
 *
 *   FAKESKF_KEY     PEM file of the SM2 private key (required)
 *   FAKESKF_CERT    PEM file of its certificate (required)
 *   FAKESKF_PIN     user PIN (default "123456")
 *   FAKESKF_STATE   file keeping the user PIN tries left across processes
 *                   (FAKESKF_TRIES, default 6, when absent): a wrong PIN uses
 *                   one, the right one restores them all, none left locks it
 *   FAKESKF_TRIES   the maximum tries
 *   FAKESKF_DEVS    device names, comma-separated (default "FakeKey-1"); the
 *                   key is on the first
 *   FAKESKF_APP     application name (default "SealApp")
 *   FAKESKF_CONS    container names, comma-separated (default "SealSign");
 *                   the key and certificate are in the first, the others
 *                   are empty
 *   FAKESKF_ENC_KEY  PEM file of the container's SM2 encryption key (optional:
 *   FAKESKF_ENC_CERT without them the container has no encryption pair)
 *   FAKESKF_LOG     if set, one line per SKF_VerifyPIN, SKF_ECCSignData and
 *                   SKF_ECCDecrypt is appended (result; never the PIN)
 *
 * Handles are pointers to the one device, application and container
 * objects. Not thread-safe beyond what the tests need.
 * SPDX-License-Identifier: AGPL-3.0-or-later */
#define SKF_PROTOTYPES
#include "skfapi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "sm2cipher.h"

#define EXPORT __attribute__((visibility("default")))
#define SAR_FAIL 0x0A000001u
#define SAR_INVALIDHANDLEERR 0x0A000005u
#define SAR_CERTNOTFOUNTERR 0x0A00001Cu
#define SAR_KEYNOTFOUNTERR 0x0A00001Bu

static struct {
    int dev_open, app_open, con_open;
    int logged_in;
    int con_index; /* the open container: 0 holds the key */
    int tries;     /* when no state file */
    int tries_used;
} st;

/* Handles: addresses of these. */
static char dev_obj, app_obj, con_obj;

static const char *env_or(const char *name, const char *dflt)
{
    const char *v = getenv(name);
    return v && *v ? v : dflt;
}

static int max_tries(void)
{
    return atoi(env_or("FAKESKF_TRIES", "6"));
}

static int tries_left(void)
{
    const char *path = getenv("FAKESKF_STATE");
    FILE *f = path ? fopen(path, "r") : NULL;
    int n = max_tries();

    if (!path)
        return st.tries_used ? st.tries : n;
    if (f) {
        if (fscanf(f, "%d", &n) != 1)
            n = max_tries();
        fclose(f);
    }
    return n;
}

static void set_tries(int n)
{
    const char *path = getenv("FAKESKF_STATE");
    FILE *f = path ? fopen(path, "w") : NULL;

    st.tries = n;
    st.tries_used = 1;
    if (f) {
        fprintf(f, "%d\n", n);
        fclose(f);
    }
}

static void log_line(const char *what, SKF_ULONG rv)
{
    const char *path = getenv("FAKESKF_LOG");
    FILE *f = path ? fopen(path, "a") : NULL;
    if (f) {
        fprintf(f, "%s rv=0x%08lX\n", what, (unsigned long)rv);
        fclose(f);
    }
}

/* A comma-separated list as an SKF name list (NUL-separated, empty name at
 * the end), with the usual size query. */
static SKF_ULONG name_list(const char *csv, char *out, SKF_ULONG *size)
{
    SKF_ULONG need = (SKF_ULONG)strlen(csv) + 2;

    if (!size)
        return SKF_SAR_INVALIDPARAMERR;
    if (!out) {
        *size = need;
        return SKF_SAR_OK;
    }
    if (*size < need) {
        *size = need;
        return SKF_SAR_BUFFER_TOO_SMALL;
    }
    memcpy(out, csv, need - 1);
    out[need - 1] = 0;
    for (char *p = out; *p; p++)
        if (*p == ',')
            *p = 0;
    *size = need;
    return SKF_SAR_OK;
}

/* The position of name in a comma-separated list, or -1. */
static int index_of(const char *csv, const char *name)
{
    size_t n = strlen(name);
    int i = 0;

    for (const char *p = csv; *p; i++) {
        size_t len = strcspn(p, ",");
        if (len == n && !strncmp(p, name, n))
            return i;
        p += len;
        if (*p)
            p++;
    }
    return -1;
}

EXPORT SKF_ULONG SKF_EnumDev(SKF_BOOL bPresent, char *szNameList, SKF_ULONG *pulSize)
{
    (void)bPresent;
    return name_list(env_or("FAKESKF_DEVS", "FakeKey-1"), szNameList, pulSize);
}

EXPORT SKF_ULONG SKF_ConnectDev(char *szName, SKF_HANDLE *phDev)
{
    if (!szName || !phDev)
        return SKF_SAR_INVALIDPARAMERR;
    if (index_of(env_or("FAKESKF_DEVS", "FakeKey-1"), szName) != 0)
        return SKF_SAR_DEVICE_REMOVED;
    st.dev_open = 1;
    *phDev = &dev_obj;
    return SKF_SAR_OK;
}

EXPORT SKF_ULONG SKF_DisConnectDev(SKF_HANDLE hDev)
{
    if (hDev != &dev_obj || !st.dev_open)
        return SAR_INVALIDHANDLEERR;
    st.dev_open = 0;
    return SKF_SAR_OK;
}

EXPORT SKF_ULONG SKF_EnumApplication(SKF_HANDLE hDev, char *szAppName, SKF_ULONG *pulSize)
{
    if (hDev != &dev_obj || !st.dev_open)
        return SAR_INVALIDHANDLEERR;
    return name_list(env_or("FAKESKF_APP", "SealApp"), szAppName, pulSize);
}

EXPORT SKF_ULONG SKF_OpenApplication(SKF_HANDLE hDev, char *szAppName, SKF_HANDLE *phApp)
{
    if (hDev != &dev_obj || !st.dev_open)
        return SAR_INVALIDHANDLEERR;
    if (!szAppName || strcmp(szAppName, env_or("FAKESKF_APP", "SealApp")))
        return SKF_SAR_APPLICATION_NOT_EXISTS;
    st.app_open = 1;
    st.logged_in = 0;
    *phApp = &app_obj;
    return SKF_SAR_OK;
}

EXPORT SKF_ULONG SKF_CloseApplication(SKF_HANDLE hApp)
{
    if (hApp != &app_obj || !st.app_open)
        return SAR_INVALIDHANDLEERR;
    st.app_open = st.logged_in = 0;
    return SKF_SAR_OK;
}

EXPORT SKF_ULONG SKF_GetPINInfo(SKF_HANDLE hApp, SKF_ULONG ulPINType, SKF_ULONG *pulMaxRetryCount,
                                SKF_ULONG *pulRemainRetryCount, SKF_BOOL *pbDefaultPin)
{
    if (hApp != &app_obj || !st.app_open)
        return SAR_INVALIDHANDLEERR;
    if (ulPINType != SKF_USER_TYPE)
        return SKF_SAR_INVALIDPARAMERR;
    *pulMaxRetryCount = (SKF_ULONG)max_tries();
    *pulRemainRetryCount = (SKF_ULONG)tries_left();
    *pbDefaultPin = 0;
    return SKF_SAR_OK;
}

EXPORT SKF_ULONG SKF_VerifyPIN(SKF_HANDLE hApp, SKF_ULONG ulPINType, char *szPIN,
                               SKF_ULONG *pulRetryCount)
{
    int left = tries_left();
    SKF_ULONG rv;

    if (hApp != &app_obj || !st.app_open)
        return SAR_INVALIDHANDLEERR;
    if (ulPINType != SKF_USER_TYPE || !szPIN || !pulRetryCount)
        return SKF_SAR_INVALIDPARAMERR;
    if (left <= 0) {
        *pulRetryCount = 0;
        rv = SKF_SAR_PIN_LOCKED;
    } else if (strcmp(szPIN, env_or("FAKESKF_PIN", "123456"))) {
        set_tries(left - 1);
        *pulRetryCount = (SKF_ULONG)(left - 1);
        rv = SKF_SAR_PIN_INCORRECT;
    } else {
        set_tries(max_tries());
        *pulRetryCount = (SKF_ULONG)max_tries();
        st.logged_in = 1;
        rv = SKF_SAR_OK;
    }
    log_line("verify-pin", rv);
    return rv;
}

EXPORT SKF_ULONG SKF_ClearSecureState(SKF_HANDLE hApp)
{
    if (hApp != &app_obj || !st.app_open)
        return SAR_INVALIDHANDLEERR;
    st.logged_in = 0;
    return SKF_SAR_OK;
}

EXPORT SKF_ULONG SKF_EnumContainer(SKF_HANDLE hApp, char *szContainerName, SKF_ULONG *pulSize)
{
    if (hApp != &app_obj || !st.app_open)
        return SAR_INVALIDHANDLEERR;
    return name_list(env_or("FAKESKF_CONS", "SealSign"), szContainerName, pulSize);
}

EXPORT SKF_ULONG SKF_OpenContainer(SKF_HANDLE hApp, char *szContainerName, SKF_HANDLE *phCon)
{
    int i;

    if (hApp != &app_obj || !st.app_open)
        return SAR_INVALIDHANDLEERR;
    if (!szContainerName || (i = index_of(env_or("FAKESKF_CONS", "SealSign"), szContainerName)) < 0)
        return SKF_SAR_INVALIDPARAMERR;
    st.con_open = 1;
    st.con_index = i;
    *phCon = &con_obj;
    return SKF_SAR_OK;
}

EXPORT SKF_ULONG SKF_CloseContainer(SKF_HANDLE hCon)
{
    if (hCon != &con_obj || !st.con_open)
        return SAR_INVALIDHANDLEERR;
    st.con_open = 0;
    return SKF_SAR_OK;
}

EXPORT SKF_ULONG SKF_GetContainerType(SKF_HANDLE hCon, SKF_ULONG *pulContainerType)
{
    if (hCon != &con_obj || !st.con_open)
        return SAR_INVALIDHANDLEERR;
    *pulContainerType = st.con_index == 0 ? SKF_CONTAINER_ECC : 0;
    return SKF_SAR_OK;
}

EXPORT SKF_ULONG SKF_ExportCertificate(SKF_HANDLE hCon, SKF_BOOL bSignFlag, unsigned char *pbCert,
                                       SKF_ULONG *pulCertLen)
{
    FILE *f;
    X509 *x = NULL;
    unsigned char *der = NULL;
    int len;

    if (hCon != &con_obj || !st.con_open)
        return SAR_INVALIDHANDLEERR;
    if (st.con_index != 0 ||
        !(f = fopen(env_or(bSignFlag ? "FAKESKF_CERT" : "FAKESKF_ENC_CERT", "/nonexistent"), "r")))
        return SAR_CERTNOTFOUNTERR;
    x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    len = x ? i2d_X509(x, &der) : -1;
    X509_free(x);
    if (len <= 0)
        return SAR_FAIL;
    if (pbCert && *pulCertLen < (SKF_ULONG)len) {
        OPENSSL_free(der);
        *pulCertLen = (SKF_ULONG)len;
        return SKF_SAR_BUFFER_TOO_SMALL;
    }
    if (pbCert)
        memcpy(pbCert, der, (size_t)len);
    *pulCertLen = (SKF_ULONG)len;
    OPENSSL_free(der);
    return SKF_SAR_OK;
}

/* SM2 over the digest e as given (the host computed Z), r and s
 * right-aligned in their 64-byte fields. */
EXPORT SKF_ULONG SKF_ECCSignData(SKF_HANDLE hCon, unsigned char *pbDigest, SKF_ULONG ulDigestLen,
                                 skf_ecc_signature *pSignature)
{
    FILE *f;
    EVP_PKEY *key = NULL;
    EVP_PKEY_CTX *pc = NULL;
    unsigned char der[80];
    const unsigned char *p = der;
    size_t dlen = sizeof(der);
    ECDSA_SIG *sig = NULL;
    SKF_ULONG rv = SAR_FAIL;

    if (hCon != &con_obj || !st.con_open)
        rv = SAR_INVALIDHANDLEERR;
    else if (!st.logged_in)
        rv = SKF_SAR_USER_NOT_LOGGED_IN;
    else if (ulDigestLen != 32 || !pbDigest || !pSignature)
        rv = SKF_SAR_INDATALENERR;
    else if (st.con_index != 0 || !(f = fopen(env_or("FAKESKF_KEY", "/nonexistent"), "r")))
        rv = SAR_KEYNOTFOUNTERR;
    else {
        key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
        fclose(f);
        pc = key ? EVP_PKEY_CTX_new(key, NULL) : NULL;
        if (pc && EVP_PKEY_sign_init(pc) > 0 && EVP_PKEY_sign(pc, der, &dlen, pbDigest, 32) > 0 &&
            (sig = d2i_ECDSA_SIG(NULL, &p, (long)dlen)) != NULL) {
            memset(pSignature, 0, sizeof(*pSignature));
            BN_bn2binpad(ECDSA_SIG_get0_r(sig), pSignature->r + 32, 32);
            BN_bn2binpad(ECDSA_SIG_get0_s(sig), pSignature->s + 32, 32);
            rv = SKF_SAR_OK;
        }
    }
    ECDSA_SIG_free(sig);
    EVP_PKEY_CTX_free(pc);
    EVP_PKEY_free(key);
    log_line("ecc-sign", rv);
    return rv;
}

/* SM2 decryption with the container's encryption key (GM/T 0016
 * ECCCIPHERBLOB: x and y right-aligned in 64-byte fields). */
EXPORT SKF_ULONG SKF_ECCDecrypt(SKF_HANDLE hContainer, skf_ecc_cipher *pCipherText,
                                unsigned char *pbPlainText, SKF_ULONG *pulPlainTextLen)
{
    FILE *f;
    EVP_PKEY *key = NULL;
    unsigned char plain[4096];
    size_t plen = sizeof(plain);
    SKF_ULONG rv = SAR_FAIL;

    if (hContainer != &con_obj || !st.con_open)
        rv = SAR_INVALIDHANDLEERR;
    else if (!st.logged_in)
        rv = SKF_SAR_USER_NOT_LOGGED_IN;
    else if (!pCipherText || !pulPlainTextLen || pCipherText->cipher_len > 4096)
        rv = SKF_SAR_INVALIDPARAMERR;
    else if (st.con_index != 0 || !(f = fopen(env_or("FAKESKF_ENC_KEY", "/nonexistent"), "r")))
        rv = SAR_KEYNOTFOUNTERR;
    else {
        key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
        fclose(f);
        if (key && sm2c_decrypt(key, pCipherText->x + 32, pCipherText->y + 32, pCipherText->hash,
                                pCipherText->cipher, pCipherText->cipher_len, plain, &plen)) {
            if (!pbPlainText) {
                rv = SKF_SAR_OK;
            } else if (*pulPlainTextLen < plen) {
                rv = SKF_SAR_BUFFER_TOO_SMALL;
            } else {
                memcpy(pbPlainText, plain, plen);
                rv = SKF_SAR_OK;
            }
            *pulPlainTextLen = (SKF_ULONG)plen;
        }
    }
    EVP_PKEY_free(key);
    log_line("ecc-decrypt", rv);
    return rv;
}
