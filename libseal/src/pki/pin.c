/*
 * PINs for keys on tokens and USB keys (token.c, skf.c): from a
 * pin-source file or the caller's callback, never empty (an empty PIN
 * would spend one of the token's tries), wiped after use by the callers.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "keyint.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

/* The PIN in a pin-source (file:PATH or PATH): its one line. */
static seal_status read_pin_source(seal_ctx *ctx, const char *source, char *buf, size_t size)
{
    unsigned char *data;
    size_t len;
    seal_status st;
    const char *path = source;

    if (!strncmp(path, "file:", 5))
        path += 5;
    else if (strchr(path, ':'))
        return seal__fail(ctx, SEAL_ERR_ARGS, "unsupported pin-source '%s' (use file:PATH)", source);
    st = seal__read_file(ctx, path, 4096, &data, &len);
    if (st != SEAL_OK)
        return st;
    while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
        len--;
    if (len + 1 > size || memchr(data, '\n', len)) {
        OPENSSL_cleanse(data, len);
        free(data);
        return seal__fail(ctx, SEAL_ERR_ARGS, "the pin-source file %s does not hold one PIN", path);
    }
    memcpy(buf, data, len);
    buf[len] = 0;
    OPENSSL_cleanse(data, len);
    free(data);
    return SEAL_OK;
}

seal_status seal__pin_get(seal_ctx *ctx, const char *pin_source, seal_pin_cb cb, void *user,
                          const char *label, const char *what, unsigned flags, char *pin,
                          size_t size)
{
    seal_status st;

    if (pin_source)
        st = read_pin_source(ctx, pin_source, pin, size);
    else if (cb)
        st = cb(user, label, flags, pin, size);
    else
        st = seal__fail(ctx, SEAL_ERR_CANCELLED, "%s needs a PIN and none was given", what);
    if (st != SEAL_OK) {
        OPENSSL_cleanse(pin, size);
        if (ctx->status == SEAL_OK)
            seal__fail(ctx, st, "no PIN for %s (use --pin-file, SEAL_PIN or a terminal)", what);
        return ctx->status;
    }
    /* An empty PIN is never the one a token asks for, and trying it would
     * use up one of the token's tries. */
    if (!pin[0])
        return seal__fail(ctx, SEAL_ERR_CANCELLED,
                          "the PIN for %s is empty; refused without a login attempt (check "
                          "--pin-file or SEAL_PIN)",
                          what);
    return SEAL_OK;
}
