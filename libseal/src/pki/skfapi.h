/*
 * The part of GM/T 0016-2012 (SKF, the smart-key API of Chinese USB keys)
 * that signing uses: base types, error codes, ECCSIGNATUREBLOB and the
 * functions libseal calls by their standard names. Written from the
 * standard's definitions (no Debian package carries an SKF header):
 * ULONG and BOOL are 32-bit (the standard's UINT32 and INT32), handles are
 * pointers, name lists are NUL-separated and end with an empty name.
 * Not installed; tests/tools/fakeskf.c implements it.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef SEAL_SKFAPI_H
#define SEAL_SKFAPI_H

#include <stdint.h>

typedef uint32_t SKF_ULONG;
typedef int32_t SKF_BOOL;
typedef void *SKF_HANDLE; /* DEVHANDLE, HAPPLICATION, HCONTAINER */

#define SKF_USER_TYPE 1u  /* USER_TYPE; ADMIN_TYPE is 0 */
#define SKF_CONTAINER_ECC 2u /* SKF_GetContainerType: 0 empty, 1 RSA, 2 ECC */

/* 7.6 ECCSIGNATUREBLOB: r and s right-aligned in 64-byte fields
 * (ECC_MAX_XCOORDINATE_BITS_LEN / 8); an SM2 value is in bytes 32..63. */
typedef struct skf_ecc_signature {
    unsigned char r[64];
    unsigned char s[64];
} skf_ecc_signature;

/* ECCCIPHERBLOB: C1's coordinates right-aligned in 64-byte fields, C3 (the
 * SM3 hash), then CipherLen and the C2 bytes (CipherLen of them; the
 * struct declares one). */
typedef struct skf_ecc_cipher {
    unsigned char x[64];
    unsigned char y[64];
    unsigned char hash[32];
    SKF_ULONG cipher_len;
    unsigned char cipher[1];
} skf_ecc_cipher;

/* The vendor functions for the container's encryption key pair: looked up
 * when a key opens a sealed bid, not needed for signing. */
typedef SKF_ULONG (*SKF_ECCDecrypt_fn)(SKF_HANDLE hContainer, skf_ecc_cipher *pCipherText,
                                       unsigned char *pbPlainText, SKF_ULONG *pulPlainTextLen);
#ifdef SKF_PROTOTYPES
SKF_ULONG SKF_ECCDecrypt(SKF_HANDLE hContainer, skf_ecc_cipher *pCipherText,
                         unsigned char *pbPlainText, SKF_ULONG *pulPlainTextLen);
#endif

/* Error codes (GM/T 0016 Annex A) that change what libseal says. */
#define SKF_SAR_OK 0x00000000u
#define SKF_SAR_INVALIDPARAMERR 0x0A000006u
#define SKF_SAR_INDATALENERR 0x0A000010u
#define SKF_SAR_BUFFER_TOO_SMALL 0x0A000020u
#define SKF_SAR_DEVICE_REMOVED 0x0A000023u
#define SKF_SAR_PIN_INCORRECT 0x0A000024u
#define SKF_SAR_PIN_LOCKED 0x0A000025u
#define SKF_SAR_PIN_INVALID 0x0A000026u
#define SKF_SAR_PIN_LEN_RANGE 0x0A000027u
#define SKF_SAR_USER_NOT_LOGGED_IN 0x0A00002Du
#define SKF_SAR_APPLICATION_NOT_EXISTS 0x0A00002Eu

/* X(name, parameters): every function returns ULONG (SAR_*). */
#define SKF_FUNCTIONS(X)                                                                           \
    X(SKF_EnumDev, (SKF_BOOL bPresent, char *szNameList, SKF_ULONG *pulSize))        \
    X(SKF_ConnectDev, (char *szName, SKF_HANDLE *phDev))                              \
    X(SKF_DisConnectDev, (SKF_HANDLE hDev))                                           \
    X(SKF_EnumApplication, (SKF_HANDLE hDev, char *szAppName, SKF_ULONG *pulSize))    \
    X(SKF_OpenApplication, (SKF_HANDLE hDev, char *szAppName, SKF_HANDLE *phApp))    \
    X(SKF_CloseApplication, (SKF_HANDLE hApp))                                        \
    X(SKF_GetPINInfo, (SKF_HANDLE hApp, SKF_ULONG ulPINType,                          \
                                   SKF_ULONG *pulMaxRetryCount, SKF_ULONG *pulRemainRetryCount,   \
                                   SKF_BOOL *pbDefaultPin))                                       \
    X(SKF_VerifyPIN, (SKF_HANDLE hApp, SKF_ULONG ulPINType, char *szPIN,             \
                                  SKF_ULONG *pulRetryCount))                                      \
    X(SKF_ClearSecureState, (SKF_HANDLE hApp))                                        \
    X(SKF_EnumContainer, (SKF_HANDLE hApp, char *szContainerName, SKF_ULONG *pulSize)) \
    X(SKF_OpenContainer, (SKF_HANDLE hApp, char *szContainerName, SKF_HANDLE *phCon)) \
    X(SKF_CloseContainer, (SKF_HANDLE hCon))                                          \
    X(SKF_GetContainerType, (SKF_HANDLE hCon, SKF_ULONG *pulContainerType))           \
    X(SKF_ExportCertificate, (SKF_HANDLE hCon, SKF_BOOL bSignFlag, unsigned char *pbCert, \
                                          SKF_ULONG *pulCertLen))                                 \
    /* 7.6.13 */ X(SKF_ECCSignData, (SKF_HANDLE hCon, unsigned char *pbDigest,                  \
                                     SKF_ULONG ulDigestLen, skf_ecc_signature *pSignature))

#define SKF_FN_TYPE(name, params) typedef SKF_ULONG(*name##_fn) params;
SKF_FUNCTIONS(SKF_FN_TYPE)
#undef SKF_FN_TYPE

#ifdef SKF_PROTOTYPES
#define SKF_FN_PROTO(name, params) SKF_ULONG name params;
SKF_FUNCTIONS(SKF_FN_PROTO)
#undef SKF_FN_PROTO
#endif

#endif /* SEAL_SKFAPI_H */
