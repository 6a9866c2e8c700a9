/*
 * The PKCS#11 token handle's insides, shared by token.c (finding, login,
 * signing, listing) and tokendec.c (decrypting, key agreement), which
 * calls token.c and is called by nothing in it. Not installed.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef SEAL_P11INT_H
#define SEAL_P11INT_H

#include "keyint.h"

#include <p11-kit/pkcs11.h>

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

/* Record "WHAT failed: CKR_NAME (0x..)" with status st and return st. */
seal_status seal__p11_fail(seal_ctx *ctx, seal_status st, CK_RV rv, const char *what);
/* One attribute of an object into a malloc'd buffer; NULL when absent. */
unsigned char *seal__p11_get_attr(CK_FUNCTION_LIST *m, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o,
                                  CK_ATTRIBUTE_TYPE type, CK_ULONG *len);

#endif /* SEAL_P11INT_H */
