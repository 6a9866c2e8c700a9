/*
 * SM2 keys on tokens: which vendor mechanism signs a 32-byte e on a
 * PKCS#11 token (no standard one exists), the sm2-mechanism= URI
 * attribute that names it, and the check of what a token (PKCS#11 or SKF)
 * returns: DER or raw r||s, made DER and verified against the certificate
 * before anything embeds it.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "keyint.h"
#include "sm2int.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <p11-kit/pkcs11.h>

/* The mechanism each vendor's token uses to sign a precomputed e (host Z),
 * by manufacturerID (docs/gm.md §4.1). Matched case-insensitively as a
 * substring of the token's, then the module's, manufacturerID. */
typedef struct vendor_mech {
    const char *vendor;
    unsigned long mech;
    const char *name;
} vendor_mech;

static const vendor_mech sm2_mechs[] = {
    {"Sansec", 0x80008104UL, "Sansec CKM_SM2_SIGN"},
    {"TASS", 0x80008000UL, "TASS CKM_SM2"},
    {"SafeNet", 0x80000B21UL, "Luna CKM_SM2DSA"},
    {"Gemalto", 0x80000B21UL, "Luna CKM_SM2DSA"},
    {"IBM", 0x8005000BUL, "IBM CKM_IBM_SM2"},
    {"Haitai", 0x00010002UL, "Haitai CKM_SM2_SIGN_VERIFY"},
};

/* The mechanism that decrypts an SM2 ciphertext with the key, by vendor
 * (docs/gm.md §4.1: Sansec's SM2 encryption mechanism). */
static const vendor_mech sm2_dec_mechs[] = {
    {"Sansec", 0x80008200UL, "Sansec CKM_SM2_ENC"},
};

static int contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (!strncasecmp(hay, needle, n))
            return 1;
    return 0;
}

/* Where "NAME=" starts as an attribute of the URI, or NULL. */
static const char *find_attr(const char *uri, const char *name)
{
    const char *p = uri;

    while ((p = strstr(p, name)) != NULL) {
        if (p > uri && strchr(":;?&", p[-1]))
            return p;
        p++;
    }
    return NULL;
}

/* The attribute NAME= (a mechanism number) of the URI: its value, and the
 * URI without it. */
static seal_status strip_attr(seal_ctx *ctx, const char *uri, const char *name, char **rest,
                              unsigned long *mech)
{
    const char *a = find_attr(uri, name), *v, *end;
    char *out, *num_end;
    size_t before, vlen;
    unsigned long long m;

    *mech = 0;
    *rest = NULL;
    if (!a) {
        *rest = strdup(uri);
        return *rest ? SEAL_OK : seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
    }
    v = a + strlen(name);
    end = v + strcspn(v, ";&?");
    vlen = (size_t)(end - v);
    errno = 0;
    m = strtoull(v, &num_end, 0);
    if (vlen == 0 || !isdigit((unsigned char)v[0]) || num_end != end || errno || m == 0 ||
        m > 0xFFFFFFFFULL)
        return seal__fail(ctx, SEAL_ERR_ARGS,
                          "%s in the key URI is '%.*s', not a mechanism number "
                          "(e.g. %s0x80008104)",
                          name, (int)vlen, v, name);
    if (find_attr(end, name))
        return seal__fail(ctx, SEAL_ERR_ARGS, "%s is given twice in the key URI", name);
    out = malloc(strlen(uri) + 1);
    if (!out)
        return seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
    /* Drop the attribute with one separator: its own when it is the first
     * of a query ('?x&y' -> '?y'), else the one before it. */
    before = (size_t)(a - uri);
    if (a[-1] == '?' && *end == '&') {
        memcpy(out, uri, before);
        strcpy(out + before, end + 1);
    } else {
        memcpy(out, uri, before - (a[-1] == ':' ? 0 : 1));
        out[before - (a[-1] == ':' ? 0 : 1)] = 0;
        strcat(out, a[-1] == ':' && *end == ';' ? end + 1 : end);
    }
    *rest = out;
    *mech = (unsigned long)m;
    return SEAL_OK;
}

seal_status seal__p11_sm2_uri(seal_ctx *ctx, const char *uri, char **rest, unsigned long *mech)
{
    return strip_attr(ctx, uri, "sm2-mechanism=", rest, mech);
}

seal_status seal__p11_sm2_uri_decrypt(seal_ctx *ctx, const char *uri, char **rest,
                                      unsigned long *mech)
{
    return strip_attr(ctx, uri, "sm2-decrypt-mechanism=", rest, mech);
}

/* A PKCS#11 blank-padded manufacturerID as a C string. */
static void maker_str(char dst[33], const CK_UTF8CHAR *src)
{
    size_t n = 32;
    while (n > 0 && (src[n - 1] == ' ' || src[n - 1] == 0))
        n--;
    memcpy(dst, src, n);
    dst[n] = 0;
}

/* The known vendor mechanisms among those the token lists, as a hint for
 * the message, never a choice: vendor values clash, and 0x00010002 is
 * outside the vendor range. */
static void offered_hint(CK_FUNCTION_LIST *m, CK_SLOT_ID slot, char *out, size_t size)
{
    CK_MECHANISM_TYPE offered[256];
    CK_ULONG n = 256;
    size_t used;

    out[0] = 0;
    if (m->C_GetMechanismList(slot, offered, &n) != CKR_OK)
        return;
    for (CK_ULONG k = 0; k < n; k++)
        for (size_t i = 0; i < sizeof(sm2_mechs) / sizeof(sm2_mechs[0]); i++)
            if (offered[k] == sm2_mechs[i].mech && !strstr(out, sm2_mechs[i].name)) {
                used = strlen(out);
                snprintf(out + used, size - used, "%s0x%08lX (%s)",
                         used ? ", " : "; the token lists ", (unsigned long)offered[k],
                         sm2_mechs[i].name);
            }
}

seal_status seal__p11_sm2_mechanism(seal_ctx *ctx, void *module, unsigned long slot,
                                    const char *label, const char *token_maker,
                                    unsigned long override, unsigned long *mech)
{
    CK_FUNCTION_LIST *m = module;
    CK_INFO info;
    char known[512] = "", listed[256], module_maker[33] = "";
    size_t used;

    if (override) {
        *mech = override;
        return SEAL_OK;
    }
    if (m->C_GetInfo(&info) == CKR_OK)
        maker_str(module_maker, info.manufacturerID);
    for (size_t i = 0; i < sizeof(sm2_mechs) / sizeof(sm2_mechs[0]); i++) {
        if (contains_ci(token_maker, sm2_mechs[i].vendor) ||
            contains_ci(module_maker, sm2_mechs[i].vendor)) {
            *mech = sm2_mechs[i].mech;
            return SEAL_OK;
        }
        if (i && sm2_mechs[i].mech == sm2_mechs[i - 1].mech)
            continue;
        used = strlen(known);
        snprintf(known + used, sizeof(known) - used, "%s0x%08lX %s", used ? ", " : "",
                 sm2_mechs[i].mech, sm2_mechs[i].name);
    }
    offered_hint(m, slot, listed, sizeof(listed));
    return seal__fail(ctx, SEAL_ERR_TOKEN,
                      "token '%s' holds an SM2 key, but its manufacturer '%s' is not one whose SM2 "
                      "mechanism is known, and PKCS#11 has no standard one: add the mechanism that "
                      "signs a 32-byte SM2 digest to the key URI, e.g. ;sm2-mechanism=0x80008104 "
                      "(known: %s)%s",
                      label, token_maker[0] ? token_maker : module_maker, known, listed);
}

seal_status seal__p11_sm2_decrypt_mechanism(seal_ctx *ctx, void *module, const char *label,
                                            const char *token_maker, unsigned long override,
                                            unsigned long *mech)
{
    CK_FUNCTION_LIST *m = module;
    CK_INFO info;
    char module_maker[33] = "";

    if (override) {
        *mech = override;
        return SEAL_OK;
    }
    if (m->C_GetInfo(&info) == CKR_OK)
        maker_str(module_maker, info.manufacturerID);
    for (size_t i = 0; i < sizeof(sm2_dec_mechs) / sizeof(sm2_dec_mechs[0]); i++)
        if (contains_ci(token_maker, sm2_dec_mechs[i].vendor) ||
            contains_ci(module_maker, sm2_dec_mechs[i].vendor)) {
            *mech = sm2_dec_mechs[i].mech;
            return SEAL_OK;
        }
    return seal__fail(ctx, SEAL_ERR_TOKEN,
                      "token '%s' holds an SM2 key, but its manufacturer '%s' is not one whose SM2 "
                      "decryption mechanism is known, and PKCS#11 has no standard one: add it to "
                      "the key URI, e.g. ;sm2-decrypt-mechanism=0x80008200 (known: 0x%08lX %s)",
                      label, token_maker[0] ? token_maker : module_maker, sm2_dec_mechs[0].mech,
                      sm2_dec_mechs[0].name);
}

seal_status seal__sm2_cipher_raw(const unsigned char *der, size_t len, unsigned char *out,
                                 size_t *outlen)
{
    seal__sm2_cipher c;

    if (!seal__sm2_cipher_parts(der, len, &c) || *outlen < 97 + c.c2len)
        return SEAL_ERR_INPUT;
    out[0] = 0x04;
    memcpy(out + 1, c.x, 32);
    memcpy(out + 33, c.y, 32);
    memcpy(out + 65, c.hash, 32);
    memcpy(out + 97, c.c2, c.c2len);
    *outlen = 97 + c.c2len;
    return SEAL_OK;
}

seal_status seal__sm2_token_result(seal_ctx *ctx, const char *who, EVP_PKEY *pub,
                                   const unsigned char e[32], const unsigned char *raw,
                                   size_t rawlen, unsigned char **sig, size_t *siglen)
{
    unsigned char *der = NULL;
    size_t dlen = 0;

    *sig = NULL;
    *siglen = 0;
    if (!seal__sm2_sig_to_der(raw, rawlen, &der, &dlen))
        return seal__fail(ctx, SEAL_ERR_TOKEN,
                          "%s returned %zu bytes that are neither a DER SM2 signature nor a raw "
                          "64-byte r||s",
                          who, rawlen);
    if (!seal__sm2_verify_digest(pub, e, der, dlen)) {
        free(der);
        return seal__fail(ctx, SEAL_ERR_TOKEN,
                          "%s returned an SM2 signature that does not verify with its certificate: "
                          "the mechanism is not the plain SM2 signature of a 32-byte digest (one "
                          "that computes Z itself signs something else); nothing was embedded",
                          who);
    }
    *sig = der;
    *siglen = dlen;
    return SEAL_OK;
}
