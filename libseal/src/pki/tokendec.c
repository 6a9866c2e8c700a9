/*
 * Decrypting and key agreement on a PKCS#11 token, for opening sealed bids:
 * RSA (PKCS#1 v1.5, OAEP, raw), SM2 through the vendor's mechanism, ECDH
 * derivation. The handle comes from token.c (p11int.h).
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "p11int.h"
#include "sm2int.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/objects.h>

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
        return seal__p11_fail(ctx, SEAL_ERR_TOKEN, rv, oaep_md ? "C_Decrypt (RSA-OAEP)" : "C_Decrypt");
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
        return seal__p11_fail(ctx, SEAL_ERR_TOKEN, rv, "C_Decrypt (SM2)");
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
        return seal__p11_fail(ctx, SEAL_ERR_TOKEN, rv, "C_DeriveKey (ECDH)");
    v = seal__p11_get_attr(p->module, p->session, secret, CKA_VALUE, &len);
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
