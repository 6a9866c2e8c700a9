/*
 * SM2 keys behind the GM/T 0016 SKF API, which most Chinese USB keys ship
 * instead of (or besides) PKCS#11. A key is named by an skf: URI
 *
 *   skf:lib=/usr/lib/vendor/libskf.so;dev=NAME;app=NAME;con=NAME;pin-source=file:PATH
 *
 * lib is the vendor library (dlopen'd, functions found by their standard
 * names); dev, app and con name the device, application and container and
 * may be left out when there is exactly one; values are percent-encoded as
 * in RFC 7512. The host computes e = SM3(Z || M) and the container signs e
 * (SKF_ECCSignData); the result is made DER and checked against the
 * container's signing certificate before it is returned.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "keyint.h"
#include "skfapi.h"
#include "sm2int.h"

#include <ctype.h>
#include <dlfcn.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

#define SKF_PIN_MAX 256
#define SKF_LIST_MAX 4096
#define SKF_CERT_MAX 16384

struct seal__skf {
    void *lib;
#define SKF_FN_FIELD(name, params) name##_fn name;
    SKF_FUNCTIONS(SKF_FN_FIELD)
#undef SKF_FN_FIELD
    SKF_ECCDecrypt_fn SKF_ECCDecrypt; /* NULL when the library has none */
    SKF_HANDLE dev, app, con;
    EVP_PKEY *pub;
    char label[880]; /* "container 'C' of application 'A' on device 'D'" */
};

/* The attributes of an skf: URI, percent-decoded. */
typedef struct skf_uri {
    char *lib, *dev, *app, *con, *pin_source;
} skf_uri;

static void uri_free(skf_uri *u)
{
    free(u->lib);
    free(u->dev);
    free(u->app);
    free(u->con);
    free(u->pin_source);
}

static char *decode(const char *v, size_t len)
{
    char *out = malloc(len + 1), *o = out;
    char hex[3] = "";

    if (!out)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        if (v[i] == '%' && i + 2 < len && isxdigit((unsigned char)v[i + 1]) &&
            isxdigit((unsigned char)v[i + 2])) {
            memcpy(hex, v + i + 1, 2);
            *o++ = (char)strtoul(hex, NULL, 16);
            i += 2;
        } else {
            *o++ = v[i];
        }
    }
    *o = 0;
    return out;
}

static seal_status uri_parse(seal_ctx *ctx, const char *s, skf_uri *u)
{
    static const char *const names[] = {"lib", "dev", "app", "con", "pin-source"};
    char **slots[] = {&u->lib, &u->dev, &u->app, &u->con, &u->pin_source};

    memset(u, 0, sizeof(*u));
    s += 4; /* "skf:" */
    while (*s) {
        size_t len = strcspn(s, ";?&"), nlen;
        const char *eq = memchr(s, '=', len);
        size_t i;
        if (len == 0) {
            s++;
            continue;
        }
        nlen = eq ? (size_t)(eq - s) : len;
        for (i = 0; i < 5; i++)
            if (strlen(names[i]) == nlen && !strncmp(s, names[i], nlen))
                break;
        if (!eq || i == 5) {
            if (nlen == 9 && !strncmp(s, "pin-value", 9))
                return seal__fail(ctx, SEAL_ERR_ARGS,
                                  "pin-value in a key URI is refused: a PIN never goes on the "
                                  "command line (use pin-source=file:..., --pin-file or SEAL_PIN)");
            return seal__fail(ctx, SEAL_ERR_ARGS,
                              "bad SKF key URI: unknown attribute '%.*s' (an skf: URI has lib=, "
                              "dev=, app=, con= and pin-source=)",
                              (int)nlen, s);
        }
        if (*slots[i])
            return seal__fail(ctx, SEAL_ERR_ARGS, "bad SKF key URI: %s= is given twice", names[i]);
        if (!(*slots[i] = decode(eq + 1, len - nlen - 1)))
            return seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
        s += len;
    }
    if (!u->lib || !u->lib[0])
        return seal__fail(ctx, SEAL_ERR_ARGS,
                          "an skf: key URI names the vendor's SKF library with lib=PATH");
    return SEAL_OK;
}

static seal_status sar_fail(seal_ctx *ctx, seal_status st, SKF_ULONG rv, const char *what,
                            const seal__skf *k)
{
    return seal__fail(ctx, st, "%s failed for SKF %s: SAR 0x%08lX", what, k->label,
                      (unsigned long)rv);
}

static seal_status load_lib(seal_ctx *ctx, seal__skf *k, const char *path)
{
    k->lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!k->lib)
        return seal__fail(ctx, SEAL_ERR_TOKEN, "cannot load SKF library %s: %s", path, dlerror());
#define SKF_FN_LOAD(name, params)                                                                  \
    if (!(*(void **)&k->name = dlsym(k->lib, #name)))                                              \
        return seal__fail(ctx, SEAL_ERR_TOKEN, "%s is not an SKF library: it has no %s", path,     \
                          #name);
    SKF_FUNCTIONS(SKF_FN_LOAD)
#undef SKF_FN_LOAD
    *(void **)&k->SKF_ECCDecrypt = dlsym(k->lib, "SKF_ECCDecrypt");
    return SEAL_OK;
}

/* One name from a NUL-separated list: `want` when given and present, else
 * the only one. `what` names the level ("device", ...), `attr` its URI
 * attribute. */
static seal_status pick(seal_ctx *ctx, const char *list, SKF_ULONG size, const char *want,
                        const char *what, const char *attr, const char *where, char *out,
                        size_t outsize)
{
    char names[600] = "";
    size_t n = 0, used;

    for (const char *p = list; p < list + size && *p; p += strlen(p) + 1) {
        if (want && !strcmp(p, want)) {
            snprintf(out, outsize, "%s", p);
            return SEAL_OK;
        }
        if (!n)
            snprintf(out, outsize, "%s", p);
        used = strlen(names);
        snprintf(names + used, sizeof(names) - used, "%s'%s'", used ? ", " : "", p);
        n++;
    }
    if (want)
        return seal__fail(ctx, SEAL_ERR_TOKEN, "no SKF %s '%s'%s (present: %s)", what, want, where,
                          n ? names : "none");
    if (n == 0)
        return seal__fail(ctx, SEAL_ERR_TOKEN, "no SKF %s%s", what, where);
    if (n > 1)
        return seal__fail(ctx, SEAL_ERR_TOKEN,
                          "%zu SKF %ss%s (%s); none is chosen for you, name one with %s=", n, what,
                          where, names, attr);
    return SEAL_OK;
}

/* A name list from an SKF_Enum* call (size query, then the list). */
static seal_status enum_names(seal_ctx *ctx, seal__skf *k, SKF_ULONG rv, SKF_ULONG size,
                              const char *what, char *buf, SKF_ULONG *got)
{
    if (rv != SKF_SAR_OK)
        return sar_fail(ctx, SEAL_ERR_TOKEN, rv, what, k);
    if (size > SKF_LIST_MAX)
        return seal__fail(ctx, SEAL_ERR_TOKEN, "%s returned a %lu-byte list", what,
                          (unsigned long)size);
    buf[size] = 0;
    *got = size;
    return SEAL_OK;
}

/* Device, application and container the URI names. */
static seal_status open_container(seal_ctx *ctx, seal__skf *k, const skf_uri *u)
{
    char list[SKF_LIST_MAX + 2], dev[256], app[256], con[256], where[600];
    SKF_ULONG size = SKF_LIST_MAX, rv;
    seal_status st;

    memset(list, 0, sizeof(list));
    snprintf(k->label, sizeof(k->label), "library %s", u->lib);
    rv = k->SKF_EnumDev(1, list, &size);
    if ((st = enum_names(ctx, k, rv, size, "SKF_EnumDev", list, &size)) != SEAL_OK ||
        (st = pick(ctx, list, size, u->dev, "device", "dev", " is present", dev, sizeof(dev))) != SEAL_OK)
        return st;
    snprintf(k->label, sizeof(k->label), "device '%s'", dev);
    if ((rv = k->SKF_ConnectDev(dev, &k->dev)) != SKF_SAR_OK)
        return sar_fail(ctx, SEAL_ERR_TOKEN, rv, "SKF_ConnectDev", k);
    size = SKF_LIST_MAX;
    memset(list, 0, sizeof(list));
    rv = k->SKF_EnumApplication(k->dev, list, &size);
    snprintf(where, sizeof(where), " on device '%s'", dev);
    if ((st = enum_names(ctx, k, rv, size, "SKF_EnumApplication", list, &size)) != SEAL_OK ||
        (st = pick(ctx, list, size, u->app, "application", "app", where, app, sizeof(app))) != SEAL_OK)
        return st;
    snprintf(k->label, sizeof(k->label), "application '%s' on device '%s'", app, dev);
    if ((rv = k->SKF_OpenApplication(k->dev, app, &k->app)) != SKF_SAR_OK)
        return sar_fail(ctx, SEAL_ERR_TOKEN, rv, "SKF_OpenApplication", k);
    size = SKF_LIST_MAX;
    memset(list, 0, sizeof(list));
    rv = k->SKF_EnumContainer(k->app, list, &size);
    snprintf(where, sizeof(where), " in application '%s' on device '%s'", app, dev);
    if ((st = enum_names(ctx, k, rv, size, "SKF_EnumContainer", list, &size)) != SEAL_OK ||
        (st = pick(ctx, list, size, u->con, "container", "con", where, con, sizeof(con))) != SEAL_OK)
        return st;
    snprintf(k->label, sizeof(k->label), "container '%s' of application '%s' on device '%s'", con,
             app, dev);
    if ((rv = k->SKF_OpenContainer(k->app, con, &k->con)) != SKF_SAR_OK)
        return sar_fail(ctx, SEAL_ERR_TOKEN, rv, "SKF_OpenContainer", k);
    return SEAL_OK;
}

/* The container's signing (or encryption) certificate; its key must be SM2. */
static seal_status read_cert(seal_ctx *ctx, seal__skf *k, int sign, X509 **cert)
{
    const char *which = sign ? "signing" : "encryption";
    unsigned char *der;
    const unsigned char *p;
    SKF_ULONG type = 0, len = SKF_CERT_MAX, rv;

    if ((rv = k->SKF_GetContainerType(k->con, &type)) != SKF_SAR_OK)
        return sar_fail(ctx, SEAL_ERR_TOKEN, rv, "SKF_GetContainerType", k);
    if (type != SKF_CONTAINER_ECC)
        return seal__fail(ctx, SEAL_ERR_UNSUPPORTED,
                          "SKF %s holds %s, not an SM2 (ECC) key pair", k->label,
                          type == 1 ? "an RSA key pair" : "no key pair");
    if (!(der = malloc(SKF_CERT_MAX)))
        return seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
    rv = k->SKF_ExportCertificate(k->con, sign ? 1 : 0, der, &len);
    p = der;
    *cert = rv == SKF_SAR_OK && len <= SKF_CERT_MAX ? d2i_X509(NULL, &p, (long)len) : NULL;
    free(der);
    if (!*cert)
        return rv == SKF_SAR_OK
                   ? seal__ossl_fail(ctx, SEAL_ERR_KEY_NOT_FOUND,
                                     "the %s certificate of SKF %s is not X.509", which, k->label)
                   : seal__fail(ctx, SEAL_ERR_KEY_NOT_FOUND,
                                "SKF %s has no %s certificate (SKF_ExportCertificate: SAR "
                                "0x%08lX)",
                                k->label, which, (unsigned long)rv);
    if (!seal__sm2_is_key(X509_get0_pubkey(*cert)))
        return seal__fail(ctx, SEAL_ERR_UNSUPPORTED,
                          "the %s certificate of SKF %s is not for an SM2 key", which, k->label);
    k->pub = X509_get_pubkey(*cert);
    return k->pub ? SEAL_OK : seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
}

/* The user PIN, asked for once and never retried: the tries left are
 * reported as the device counts them. */
static seal_status verify_pin(seal_ctx *ctx, seal__skf *k, const char *pin_source,
                              const seal_key_options *opts)
{
    SKF_ULONG max = 0, left = 0, retry = 0, rv;
    SKF_BOOL dflt = 0;
    unsigned flags = 0;
    char pin[SKF_PIN_MAX], what[900];
    seal_status st;

    rv = k->SKF_GetPINInfo(k->app, SKF_USER_TYPE, &max, &left, &dflt);
    if (rv == SKF_SAR_OK && left == 0)
        return seal__fail(ctx, SEAL_ERR_PIN_LOCKED,
                          "the user PIN of SKF %s is locked; unlock it with the key's "
                          "administration tool (admin PIN) before using it",
                          k->label);
    if (rv == SKF_SAR_OK && left == 1)
        flags |= SEAL_PIN_FINAL_TRY;
    else if (rv == SKF_SAR_OK && left < max)
        flags |= SEAL_PIN_COUNT_LOW;
    snprintf(what, sizeof(what), "SKF %s", k->label);
    st = seal__pin_get(ctx, pin_source, opts ? opts->pin_cb : NULL, opts ? opts->pin_user : NULL,
                       k->label, what, flags, pin, sizeof(pin));
    if (st != SEAL_OK)
        return st;
    rv = k->SKF_VerifyPIN(k->app, SKF_USER_TYPE, pin, &retry);
    OPENSSL_cleanse(pin, sizeof(pin));
    if (rv == SKF_SAR_OK)
        return SEAL_OK;
    if (rv == SKF_SAR_PIN_LOCKED || (rv == SKF_SAR_PIN_INCORRECT && retry == 0))
        return seal__fail(ctx, SEAL_ERR_PIN_LOCKED, "%s for SKF %s: the key now reports the PIN locked",
                          rv == SKF_SAR_PIN_LOCKED ? "PIN refused" : "wrong PIN", k->label);
    if (rv == SKF_SAR_PIN_INCORRECT || rv == SKF_SAR_PIN_INVALID || rv == SKF_SAR_PIN_LEN_RANGE)
        return seal__fail(ctx, SEAL_ERR_PIN_INCORRECT,
                          "wrong PIN for SKF %s (the key reports %lu %s left; not retried)",
                          k->label, (unsigned long)retry, retry == 1 ? "try" : "tries");
    return sar_fail(ctx, SEAL_ERR_TOKEN, rv, "SKF_VerifyPIN", k);
}

seal_status seal__skf_open(seal_ctx *ctx, seal__skf **out, const char *uri,
                           const seal_key_options *opts, int sign, X509 **cert)
{
    seal__skf *k = calloc(1, sizeof(*k));
    skf_uri u;
    seal_status st;

    *out = NULL;
    *cert = NULL;
    if (!k)
        return seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
    st = uri_parse(ctx, uri, &u);
    if (st == SEAL_OK)
        st = load_lib(ctx, k, u.lib);
    if (st == SEAL_OK)
        st = open_container(ctx, k, &u);
    if (st == SEAL_OK)
        st = read_cert(ctx, k, sign, cert);
    if (st == SEAL_OK)
        st = verify_pin(ctx, k, u.pin_source, opts);
    uri_free(&u);
    if (st != SEAL_OK) {
        X509_free(*cert);
        *cert = NULL;
        seal__skf_close(k);
        return st;
    }
    *out = k;
    return SEAL_OK;
}

void seal__skf_close(seal__skf *k)
{
    if (!k)
        return;
    if (k->con)
        k->SKF_CloseContainer(k->con);
    if (k->app) {
        k->SKF_ClearSecureState(k->app);
        k->SKF_CloseApplication(k->app);
    }
    if (k->dev)
        k->SKF_DisConnectDev(k->dev);
    if (k->lib)
        dlclose(k->lib);
    EVP_PKEY_free(k->pub);
    free(k);
}

const char *seal__skf_label(const seal__skf *k)
{
    return k->label;
}

seal_status seal__skf_sign(seal_ctx *ctx, seal__skf *k, int md_nid, const unsigned char *md,
                           size_t mdlen, unsigned char **sig, size_t *siglen)
{
    skf_ecc_signature blob;
    unsigned char e[32], raw[64];
    char who[900];
    SKF_ULONG rv;

    *sig = NULL;
    *siglen = 0;
    if (md_nid != NID_sm3 || mdlen != 32)
        return seal__fail(ctx, SEAL_ERR_UNSUPPORTED, "an SKF key signs SM3 digests only");
    memcpy(e, md, 32);
    memset(&blob, 0, sizeof(blob));
    rv = k->SKF_ECCSignData(k->con, e, 32, &blob);
    if (rv == SKF_SAR_USER_NOT_LOGGED_IN)
        return seal__fail(ctx, SEAL_ERR_TOKEN, "SKF %s refused to sign: the PIN login is gone",
                          k->label);
    if (rv != SKF_SAR_OK)
        return sar_fail(ctx, SEAL_ERR_TOKEN, rv, "SKF_ECCSignData", k);
    /* each value right-aligned in its 64-byte field */
    memcpy(raw, blob.r + 32, 32);
    memcpy(raw + 32, blob.s + 32, 32);
    snprintf(who, sizeof(who), "SKF %s", k->label);
    return seal__sm2_token_result(ctx, who, k->pub, md, raw, sizeof(raw), sig, siglen);
}

seal_status seal__skf_decrypt(seal_ctx *ctx, seal__skf *k, const unsigned char *der, size_t len,
                              unsigned char *out, size_t *outlen)
{
    seal__sm2_cipher c;
    skf_ecc_cipher *blob;
    SKF_ULONG plen = (SKF_ULONG)*outlen, rv;

    if (!k->SKF_ECCDecrypt)
        return seal__fail(ctx, SEAL_ERR_UNSUPPORTED,
                          "the SKF library of %s has no SKF_ECCDecrypt: it cannot open a sealed bid",
                          k->label);
    if (!seal__sm2_cipher_parts(der, len, &c) || c.c2len > 1024)
        return seal__fail(ctx, SEAL_ERR_INPUT, "the SM2-encrypted content key is malformed: the "
                                               "envelope is damaged");
    if (!(blob = calloc(1, offsetof(skf_ecc_cipher, cipher) + c.c2len)))
        return seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
    memcpy(blob->x + 32, c.x, 32);
    memcpy(blob->y + 32, c.y, 32);
    memcpy(blob->hash, c.hash, 32);
    blob->cipher_len = (SKF_ULONG)c.c2len;
    memcpy(blob->cipher, c.c2, c.c2len);
    rv = k->SKF_ECCDecrypt(k->con, blob, out, &plen);
    free(blob);
    if (rv == SKF_SAR_USER_NOT_LOGGED_IN)
        return seal__fail(ctx, SEAL_ERR_TOKEN, "SKF %s refused to decrypt: the PIN login is gone",
                          k->label);
    if (rv != SKF_SAR_OK)
        return seal__fail(ctx, SEAL_ERR_INPUT,
                          "SKF %s cannot decrypt the content key (SKF_ECCDecrypt: SAR 0x%08lX): the "
                          "envelope is damaged, or the key is not this one",
                          k->label, (unsigned long)rv);
    if (plen > *outlen)
        return seal__fail(ctx, SEAL_ERR_TOKEN, "SKF_ECCDecrypt returned too much");
    *outlen = plen;
    return SEAL_OK;
}
