/* fakep11 — a minimal PKCS#11 module that shows, on demand, the token states
 * a real token (SoftHSM2 never locks) cannot be made to show in a test.
 *
 * One slot holding one token: label "FakeToken", serial "FAKE0001", login
 * required, no objects, no mechanisms.
 *
 *   FAKEP11_MODE   unset/""  user PIN "123456" logs in, any other is incorrect
 *                  locked    CKF_USER_PIN_LOCKED; C_Login -> CKR_PIN_LOCKED
 *                  finaltry  CKF_USER_PIN_FINAL_TRY; C_Login -> CKR_PIN_INCORRECT
 *                  countlow  CKF_USER_PIN_COUNT_LOW; C_Login -> CKR_PIN_INCORRECT
 *                  pinpad    CKF_PROTECTED_AUTHENTICATION_PATH; C_Login with
 *                            no PIN (NULL, 0) succeeds, with a PIN -> CKR_ARGUMENTS_BAD
 *   FAKEP11_LOG    if set, one line per C_Login call is appended to this file
 *                  (user type, PIN length and result; never the PIN), so a
 *                  test can assert that a caller never retries a PIN.
 *
 * Only C_GetFunctionList is exported; everything not listed above returns
 * CKR_FUNCTION_NOT_SUPPORTED. Not thread-safe beyond what the tests need.
 * SPDX-License-Identifier: AGPL-3.0-or-later */
#include <p11-kit/pkcs11.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAKE_SLOT_ID 7UL
#define FAKE_MAX_SESSIONS 16
#define FAKE_USER_PIN "123456"

enum fake_mode { MODE_NORMAL, MODE_LOCKED, MODE_FINALTRY, MODE_COUNTLOW, MODE_PINPAD };

static struct {
    int initialized;
    enum fake_mode mode;
    int logged_in;
    int session_open[FAKE_MAX_SESSIONS]; /* index = handle - 1 */
    CK_FLAGS session_flags[FAKE_MAX_SESSIONS];
    int finding[FAKE_MAX_SESSIONS];
} fake;

static void pad(CK_UTF8CHAR *dst, size_t len, const char *src)
{
    size_t n = strlen(src);
    memset(dst, ' ', len);
    memcpy(dst, src, n < len ? n : len);
}

static const char *mode_name(enum fake_mode m)
{
    switch (m) {
    case MODE_LOCKED:
        return "locked";
    case MODE_FINALTRY:
        return "finaltry";
    case MODE_COUNTLOW:
        return "countlow";
    case MODE_PINPAD:
        return "pinpad";
    default:
        return "normal";
    }
}

static int session_index(CK_SESSION_HANDLE h)
{
    if (h < 1 || h > FAKE_MAX_SESSIONS || !fake.session_open[h - 1])
        return -1;
    return (int)(h - 1);
}

static CK_RV fake_Initialize(CK_VOID_PTR init_args)
{
    CK_C_INITIALIZE_ARGS *args = init_args;
    const char *mode = getenv("FAKEP11_MODE");

    if (fake.initialized)
        return CKR_CRYPTOKI_ALREADY_INITIALIZED;
    if (args && args->pReserved)
        return CKR_ARGUMENTS_BAD;
    memset(&fake, 0, sizeof fake);
    if (!mode || !*mode)
        fake.mode = MODE_NORMAL;
    else if (!strcmp(mode, "locked"))
        fake.mode = MODE_LOCKED;
    else if (!strcmp(mode, "finaltry"))
        fake.mode = MODE_FINALTRY;
    else if (!strcmp(mode, "countlow"))
        fake.mode = MODE_COUNTLOW;
    else if (!strcmp(mode, "pinpad"))
        fake.mode = MODE_PINPAD;
    else
        return CKR_GENERAL_ERROR;
    fake.initialized = 1;
    return CKR_OK;
}

static CK_RV fake_Finalize(CK_VOID_PTR reserved)
{
    if (reserved)
        return CKR_ARGUMENTS_BAD;
    if (!fake.initialized)
        return CKR_CRYPTOKI_NOT_INITIALIZED;
    memset(&fake, 0, sizeof fake);
    return CKR_OK;
}

static CK_RV fake_GetInfo(CK_INFO_PTR info)
{
    if (!fake.initialized)
        return CKR_CRYPTOKI_NOT_INITIALIZED;
    if (!info)
        return CKR_ARGUMENTS_BAD;
    memset(info, 0, sizeof *info);
    info->cryptokiVersion.major = 2;
    info->cryptokiVersion.minor = 40;
    pad(info->manufacturerID, sizeof info->manufacturerID, "libseal tests");
    pad(info->libraryDescription, sizeof info->libraryDescription, "fault-injecting module");
    info->libraryVersion.major = 1;
    return CKR_OK;
}

static CK_RV fake_GetSlotList(CK_BBOOL token_present, CK_SLOT_ID_PTR list, CK_ULONG_PTR count)
{
    (void)token_present;
    if (!fake.initialized)
        return CKR_CRYPTOKI_NOT_INITIALIZED;
    if (!count)
        return CKR_ARGUMENTS_BAD;
    if (list) {
        if (*count < 1) {
            *count = 1;
            return CKR_BUFFER_TOO_SMALL;
        }
        list[0] = FAKE_SLOT_ID;
    }
    *count = 1;
    return CKR_OK;
}

static CK_RV fake_GetSlotInfo(CK_SLOT_ID slot, CK_SLOT_INFO_PTR info)
{
    if (!fake.initialized)
        return CKR_CRYPTOKI_NOT_INITIALIZED;
    if (slot != FAKE_SLOT_ID)
        return CKR_SLOT_ID_INVALID;
    if (!info)
        return CKR_ARGUMENTS_BAD;
    memset(info, 0, sizeof *info);
    pad(info->slotDescription, sizeof info->slotDescription, "fakep11 slot");
    pad(info->manufacturerID, sizeof info->manufacturerID, "libseal tests");
    info->flags = CKF_TOKEN_PRESENT | CKF_HW_SLOT;
    info->hardwareVersion.major = 1;
    info->firmwareVersion.major = 1;
    return CKR_OK;
}

static CK_RV fake_GetTokenInfo(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info)
{
    if (!fake.initialized)
        return CKR_CRYPTOKI_NOT_INITIALIZED;
    if (slot != FAKE_SLOT_ID)
        return CKR_SLOT_ID_INVALID;
    if (!info)
        return CKR_ARGUMENTS_BAD;
    memset(info, 0, sizeof *info);
    pad(info->label, sizeof info->label, "FakeToken");
    pad(info->manufacturerID, sizeof info->manufacturerID, "libseal tests");
    pad(info->model, sizeof info->model, "fakep11");
    pad(info->serialNumber, sizeof info->serialNumber, "FAKE0001");
    info->flags = CKF_LOGIN_REQUIRED | CKF_TOKEN_INITIALIZED | CKF_USER_PIN_INITIALIZED;
    switch (fake.mode) {
    case MODE_LOCKED:
        info->flags |= CKF_USER_PIN_LOCKED;
        break;
    case MODE_FINALTRY:
        info->flags |= CKF_USER_PIN_FINAL_TRY;
        break;
    case MODE_COUNTLOW:
        info->flags |= CKF_USER_PIN_COUNT_LOW;
        break;
    case MODE_PINPAD:
        info->flags |= CKF_PROTECTED_AUTHENTICATION_PATH;
        break;
    case MODE_NORMAL:
        break;
    }
    info->ulMaxSessionCount = FAKE_MAX_SESSIONS;
    info->ulMaxRwSessionCount = FAKE_MAX_SESSIONS;
    for (int i = 0; i < FAKE_MAX_SESSIONS; i++) {
        if (fake.session_open[i]) {
            info->ulSessionCount++;
            if (fake.session_flags[i] & CKF_RW_SESSION)
                info->ulRwSessionCount++;
        }
    }
    info->ulMaxPinLen = 32;
    info->ulMinPinLen = 4;
    info->ulTotalPublicMemory = CK_UNAVAILABLE_INFORMATION;
    info->ulFreePublicMemory = CK_UNAVAILABLE_INFORMATION;
    info->ulTotalPrivateMemory = CK_UNAVAILABLE_INFORMATION;
    info->ulFreePrivateMemory = CK_UNAVAILABLE_INFORMATION;
    info->hardwareVersion.major = 1;
    info->firmwareVersion.major = 1;
    pad(info->utcTime, sizeof info->utcTime, "");
    return CKR_OK;
}

static CK_RV fake_GetMechanismList(CK_SLOT_ID slot, CK_MECHANISM_TYPE_PTR list, CK_ULONG_PTR count)
{
    (void)list;
    if (!fake.initialized)
        return CKR_CRYPTOKI_NOT_INITIALIZED;
    if (slot != FAKE_SLOT_ID)
        return CKR_SLOT_ID_INVALID;
    if (!count)
        return CKR_ARGUMENTS_BAD;
    *count = 0;
    return CKR_OK;
}

static CK_RV fake_GetMechanismInfo(CK_SLOT_ID slot, CK_MECHANISM_TYPE type,
                                   CK_MECHANISM_INFO_PTR info)
{
    (void)type;
    (void)info;
    if (!fake.initialized)
        return CKR_CRYPTOKI_NOT_INITIALIZED;
    if (slot != FAKE_SLOT_ID)
        return CKR_SLOT_ID_INVALID;
    return CKR_MECHANISM_INVALID;
}

static CK_RV fake_OpenSession(CK_SLOT_ID slot, CK_FLAGS flags, CK_VOID_PTR app, CK_NOTIFY notify,
                              CK_SESSION_HANDLE_PTR session)
{
    (void)app;
    (void)notify;
    if (!fake.initialized)
        return CKR_CRYPTOKI_NOT_INITIALIZED;
    if (slot != FAKE_SLOT_ID)
        return CKR_SLOT_ID_INVALID;
    if (!(flags & CKF_SERIAL_SESSION))
        return CKR_SESSION_PARALLEL_NOT_SUPPORTED;
    if (!session)
        return CKR_ARGUMENTS_BAD;
    for (int i = 0; i < FAKE_MAX_SESSIONS; i++) {
        if (!fake.session_open[i]) {
            fake.session_open[i] = 1;
            fake.session_flags[i] = flags;
            fake.finding[i] = 0;
            *session = (CK_SESSION_HANDLE)i + 1;
            return CKR_OK;
        }
    }
    return CKR_SESSION_COUNT;
}

static int open_sessions(void)
{
    int n = 0;
    for (int i = 0; i < FAKE_MAX_SESSIONS; i++)
        n += fake.session_open[i];
    return n;
}

static CK_RV fake_CloseSession(CK_SESSION_HANDLE session)
{
    int i;

    if (!fake.initialized)
        return CKR_CRYPTOKI_NOT_INITIALIZED;
    if ((i = session_index(session)) < 0)
        return CKR_SESSION_HANDLE_INVALID;
    fake.session_open[i] = 0;
    if (open_sessions() == 0)
        fake.logged_in = 0; /* login state ends with the last session */
    return CKR_OK;
}

static CK_RV fake_CloseAllSessions(CK_SLOT_ID slot)
{
    if (!fake.initialized)
        return CKR_CRYPTOKI_NOT_INITIALIZED;
    if (slot != FAKE_SLOT_ID)
        return CKR_SLOT_ID_INVALID;
    memset(fake.session_open, 0, sizeof fake.session_open);
    fake.logged_in = 0;
    return CKR_OK;
}

static CK_RV fake_GetSessionInfo(CK_SESSION_HANDLE session, CK_SESSION_INFO_PTR info)
{
    int i;

    if (!fake.initialized)
        return CKR_CRYPTOKI_NOT_INITIALIZED;
    if ((i = session_index(session)) < 0)
        return CKR_SESSION_HANDLE_INVALID;
    if (!info)
        return CKR_ARGUMENTS_BAD;
    memset(info, 0, sizeof *info);
    info->slotID = FAKE_SLOT_ID;
    info->flags = fake.session_flags[i];
    if (fake.session_flags[i] & CKF_RW_SESSION)
        info->state = fake.logged_in ? CKS_RW_USER_FUNCTIONS : CKS_RW_PUBLIC_SESSION;
    else
        info->state = fake.logged_in ? CKS_RO_USER_FUNCTIONS : CKS_RO_PUBLIC_SESSION;
    return CKR_OK;
}

static void log_login(CK_USER_TYPE user, CK_ULONG pin_len, CK_RV rv)
{
    const char *path = getenv("FAKEP11_LOG");
    FILE *f;

    if (!path || !*path)
        return;
    f = fopen(path, "a");
    if (!f)
        return;
    fprintf(f, "C_Login user=%lu pin_len=%lu mode=%s rv=0x%lx\n", (unsigned long)user,
            (unsigned long)pin_len, mode_name(fake.mode), (unsigned long)rv);
    fclose(f);
}

static CK_RV login(CK_SESSION_HANDLE session, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin,
                   CK_ULONG pin_len)
{
    if (!fake.initialized)
        return CKR_CRYPTOKI_NOT_INITIALIZED;
    if (session_index(session) < 0)
        return CKR_SESSION_HANDLE_INVALID;
    if (user != CKU_USER && user != CKU_SO && user != CKU_CONTEXT_SPECIFIC)
        return CKR_USER_TYPE_INVALID;
    if (user == CKU_SO)
        return CKR_PIN_INCORRECT;
    if (fake.logged_in && user == CKU_USER)
        return CKR_USER_ALREADY_LOGGED_IN;
    switch (fake.mode) {
    case MODE_LOCKED:
        return CKR_PIN_LOCKED;
    case MODE_FINALTRY:
    case MODE_COUNTLOW:
        return CKR_PIN_INCORRECT;
    case MODE_PINPAD:
        if (pin || pin_len)
            return CKR_ARGUMENTS_BAD;
        break;
    case MODE_NORMAL:
        if (!pin || pin_len != strlen(FAKE_USER_PIN) || memcmp(pin, FAKE_USER_PIN, pin_len))
            return CKR_PIN_INCORRECT;
        break;
    }
    fake.logged_in = 1;
    return CKR_OK;
}

static CK_RV fake_Login(CK_SESSION_HANDLE session, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin,
                        CK_ULONG pin_len)
{
    CK_RV rv = login(session, user, pin, pin_len);

    log_login(user, pin_len, rv);
    return rv;
}

static CK_RV fake_Logout(CK_SESSION_HANDLE session)
{
    if (!fake.initialized)
        return CKR_CRYPTOKI_NOT_INITIALIZED;
    if (session_index(session) < 0)
        return CKR_SESSION_HANDLE_INVALID;
    if (!fake.logged_in)
        return CKR_USER_NOT_LOGGED_IN;
    fake.logged_in = 0;
    return CKR_OK;
}

static CK_RV fake_FindObjectsInit(CK_SESSION_HANDLE session, CK_ATTRIBUTE_PTR templ, CK_ULONG count)
{
    int i;

    if (!fake.initialized)
        return CKR_CRYPTOKI_NOT_INITIALIZED;
    if ((i = session_index(session)) < 0)
        return CKR_SESSION_HANDLE_INVALID;
    if (count && !templ)
        return CKR_ARGUMENTS_BAD;
    if (fake.finding[i])
        return CKR_OPERATION_ACTIVE;
    fake.finding[i] = 1;
    return CKR_OK;
}

static CK_RV fake_FindObjects(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE_PTR objects, CK_ULONG max,
                              CK_ULONG_PTR count)
{
    int i;

    (void)objects;
    (void)max;
    if (!fake.initialized)
        return CKR_CRYPTOKI_NOT_INITIALIZED;
    if ((i = session_index(session)) < 0)
        return CKR_SESSION_HANDLE_INVALID;
    if (!fake.finding[i])
        return CKR_OPERATION_NOT_INITIALIZED;
    if (!count)
        return CKR_ARGUMENTS_BAD;
    *count = 0;
    return CKR_OK;
}

static CK_RV fake_FindObjectsFinal(CK_SESSION_HANDLE session)
{
    int i;

    if (!fake.initialized)
        return CKR_CRYPTOKI_NOT_INITIALIZED;
    if ((i = session_index(session)) < 0)
        return CKR_SESSION_HANDLE_INVALID;
    if (!fake.finding[i])
        return CKR_OPERATION_NOT_INITIALIZED;
    fake.finding[i] = 0;
    return CKR_OK;
}

/* Everything else: not supported. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#define STUB(name, params)                                                                         \
    static CK_RV fake_##name params                                                                \
    {                                                                                              \
        return CKR_FUNCTION_NOT_SUPPORTED;                                                         \
    }

STUB(InitToken, (CK_SLOT_ID s, CK_UTF8CHAR_PTR pin, CK_ULONG len, CK_UTF8CHAR_PTR label))
STUB(InitPIN, (CK_SESSION_HANDLE h, CK_UTF8CHAR_PTR pin, CK_ULONG len))
STUB(SetPIN, (CK_SESSION_HANDLE h, CK_UTF8CHAR_PTR o, CK_ULONG ol, CK_UTF8CHAR_PTR n, CK_ULONG nl))
STUB(GetOperationState, (CK_SESSION_HANDLE h, CK_BYTE_PTR st, CK_ULONG_PTR len))
STUB(SetOperationState,
     (CK_SESSION_HANDLE h, CK_BYTE_PTR st, CK_ULONG len, CK_OBJECT_HANDLE e, CK_OBJECT_HANDLE a))
STUB(CreateObject, (CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR o))
STUB(CopyObject, (CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_PTR t, CK_ULONG n,
                  CK_OBJECT_HANDLE_PTR no))
STUB(DestroyObject, (CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o))
STUB(GetObjectSize, (CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ULONG_PTR size))
STUB(GetAttributeValue, (CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_PTR t, CK_ULONG n))
STUB(SetAttributeValue, (CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_PTR t, CK_ULONG n))
STUB(EncryptInit, (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k))
STUB(Encrypt, (CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR o, CK_ULONG_PTR ol))
STUB(EncryptUpdate,
     (CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR o, CK_ULONG_PTR ol))
STUB(EncryptFinal, (CK_SESSION_HANDLE h, CK_BYTE_PTR o, CK_ULONG_PTR ol))
STUB(DecryptInit, (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k))
STUB(Decrypt, (CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR o, CK_ULONG_PTR ol))
STUB(DecryptUpdate,
     (CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR o, CK_ULONG_PTR ol))
STUB(DecryptFinal, (CK_SESSION_HANDLE h, CK_BYTE_PTR o, CK_ULONG_PTR ol))
STUB(DigestInit, (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m))
STUB(Digest, (CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR o, CK_ULONG_PTR ol))
STUB(DigestUpdate, (CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG dl))
STUB(DigestKey, (CK_SESSION_HANDLE h, CK_OBJECT_HANDLE k))
STUB(DigestFinal, (CK_SESSION_HANDLE h, CK_BYTE_PTR o, CK_ULONG_PTR ol))
STUB(SignInit, (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k))
STUB(Sign, (CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR o, CK_ULONG_PTR ol))
STUB(SignUpdate, (CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG dl))
STUB(SignFinal, (CK_SESSION_HANDLE h, CK_BYTE_PTR o, CK_ULONG_PTR ol))
STUB(SignRecoverInit, (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k))
STUB(SignRecover, (CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR o, CK_ULONG_PTR ol))
STUB(VerifyInit, (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k))
STUB(Verify, (CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR s, CK_ULONG sl))
STUB(VerifyUpdate, (CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG dl))
STUB(VerifyFinal, (CK_SESSION_HANDLE h, CK_BYTE_PTR s, CK_ULONG sl))
STUB(VerifyRecoverInit, (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k))
STUB(VerifyRecover,
     (CK_SESSION_HANDLE h, CK_BYTE_PTR s, CK_ULONG sl, CK_BYTE_PTR o, CK_ULONG_PTR ol))
STUB(DigestEncryptUpdate,
     (CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR o, CK_ULONG_PTR ol))
STUB(DecryptDigestUpdate,
     (CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR o, CK_ULONG_PTR ol))
STUB(SignEncryptUpdate,
     (CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR o, CK_ULONG_PTR ol))
STUB(DecryptVerifyUpdate,
     (CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR o, CK_ULONG_PTR ol))
STUB(GenerateKey, (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR t, CK_ULONG n,
                   CK_OBJECT_HANDLE_PTR k))
STUB(GenerateKeyPair,
     (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR pt, CK_ULONG pn,
      CK_ATTRIBUTE_PTR vt, CK_ULONG vn, CK_OBJECT_HANDLE_PTR pub, CK_OBJECT_HANDLE_PTR priv))
STUB(WrapKey, (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE w, CK_OBJECT_HANDLE k,
               CK_BYTE_PTR o, CK_ULONG_PTR ol))
STUB(UnwrapKey, (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE u, CK_BYTE_PTR w,
                 CK_ULONG wl, CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR k))
STUB(DeriveKey, (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE b, CK_ATTRIBUTE_PTR t,
                 CK_ULONG n, CK_OBJECT_HANDLE_PTR k))
STUB(SeedRandom, (CK_SESSION_HANDLE h, CK_BYTE_PTR s, CK_ULONG sl))
STUB(GenerateRandom, (CK_SESSION_HANDLE h, CK_BYTE_PTR r, CK_ULONG rl))
STUB(GetFunctionStatus, (CK_SESSION_HANDLE h))
STUB(CancelFunction, (CK_SESSION_HANDLE h))
STUB(WaitForSlotEvent, (CK_FLAGS f, CK_SLOT_ID_PTR s, CK_VOID_PTR r))
#pragma GCC diagnostic pop

static CK_RV fake_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list);

static CK_FUNCTION_LIST fake_functions = {
    .version = {2, 40},
    .C_Initialize = fake_Initialize,
    .C_Finalize = fake_Finalize,
    .C_GetInfo = fake_GetInfo,
    .C_GetFunctionList = fake_GetFunctionList,
    .C_GetSlotList = fake_GetSlotList,
    .C_GetSlotInfo = fake_GetSlotInfo,
    .C_GetTokenInfo = fake_GetTokenInfo,
    .C_GetMechanismList = fake_GetMechanismList,
    .C_GetMechanismInfo = fake_GetMechanismInfo,
    .C_InitToken = fake_InitToken,
    .C_InitPIN = fake_InitPIN,
    .C_SetPIN = fake_SetPIN,
    .C_OpenSession = fake_OpenSession,
    .C_CloseSession = fake_CloseSession,
    .C_CloseAllSessions = fake_CloseAllSessions,
    .C_GetSessionInfo = fake_GetSessionInfo,
    .C_GetOperationState = fake_GetOperationState,
    .C_SetOperationState = fake_SetOperationState,
    .C_Login = fake_Login,
    .C_Logout = fake_Logout,
    .C_CreateObject = fake_CreateObject,
    .C_CopyObject = fake_CopyObject,
    .C_DestroyObject = fake_DestroyObject,
    .C_GetObjectSize = fake_GetObjectSize,
    .C_GetAttributeValue = fake_GetAttributeValue,
    .C_SetAttributeValue = fake_SetAttributeValue,
    .C_FindObjectsInit = fake_FindObjectsInit,
    .C_FindObjects = fake_FindObjects,
    .C_FindObjectsFinal = fake_FindObjectsFinal,
    .C_EncryptInit = fake_EncryptInit,
    .C_Encrypt = fake_Encrypt,
    .C_EncryptUpdate = fake_EncryptUpdate,
    .C_EncryptFinal = fake_EncryptFinal,
    .C_DecryptInit = fake_DecryptInit,
    .C_Decrypt = fake_Decrypt,
    .C_DecryptUpdate = fake_DecryptUpdate,
    .C_DecryptFinal = fake_DecryptFinal,
    .C_DigestInit = fake_DigestInit,
    .C_Digest = fake_Digest,
    .C_DigestUpdate = fake_DigestUpdate,
    .C_DigestKey = fake_DigestKey,
    .C_DigestFinal = fake_DigestFinal,
    .C_SignInit = fake_SignInit,
    .C_Sign = fake_Sign,
    .C_SignUpdate = fake_SignUpdate,
    .C_SignFinal = fake_SignFinal,
    .C_SignRecoverInit = fake_SignRecoverInit,
    .C_SignRecover = fake_SignRecover,
    .C_VerifyInit = fake_VerifyInit,
    .C_Verify = fake_Verify,
    .C_VerifyUpdate = fake_VerifyUpdate,
    .C_VerifyFinal = fake_VerifyFinal,
    .C_VerifyRecoverInit = fake_VerifyRecoverInit,
    .C_VerifyRecover = fake_VerifyRecover,
    .C_DigestEncryptUpdate = fake_DigestEncryptUpdate,
    .C_DecryptDigestUpdate = fake_DecryptDigestUpdate,
    .C_SignEncryptUpdate = fake_SignEncryptUpdate,
    .C_DecryptVerifyUpdate = fake_DecryptVerifyUpdate,
    .C_GenerateKey = fake_GenerateKey,
    .C_GenerateKeyPair = fake_GenerateKeyPair,
    .C_WrapKey = fake_WrapKey,
    .C_UnwrapKey = fake_UnwrapKey,
    .C_DeriveKey = fake_DeriveKey,
    .C_SeedRandom = fake_SeedRandom,
    .C_GenerateRandom = fake_GenerateRandom,
    .C_GetFunctionStatus = fake_GetFunctionStatus,
    .C_CancelFunction = fake_CancelFunction,
    .C_WaitForSlotEvent = fake_WaitForSlotEvent,
};

static CK_RV fake_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list)
{
    if (!list)
        return CKR_ARGUMENTS_BAD;
    *list = &fake_functions;
    return CKR_OK;
}

/* The one exported symbol (declared by <p11-kit/pkcs11.h>). */
__attribute__((visibility("default"))) CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list)
{
    return fake_GetFunctionList(list);
}
