/*
 * Walking DER in memory, one element at a time, over OpenSSL's
 * ASN1_get_object: for readers that must see the bytes as received (sealed
 * bids, e-seals).
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>

int seal__der_next(seal__der *d, int *tag, const unsigned char **c, size_t *clen,
                   const unsigned char **whole, size_t *wlen)
{
    const unsigned char *q = d->p;
    long len;
    int t, cls, ret;

    if (d->p >= d->end)
        return 0;
    ret = ASN1_get_object(&q, &len, &t, &cls, d->end - d->p);
    if ((ret & 0x80) || (ret & 0x01) || len > d->end - q)
        return 0;
    *tag = d->p[0];
    *c = q;
    *clen = (size_t)len;
    if (whole) {
        *whole = d->p;
        *wlen = (size_t)(q + len - d->p);
    }
    d->p = q + len;
    return 1;
}

size_t seal__der_put_tl(unsigned char out[6], int tag, size_t len)
{
    size_t n = 0, bytes = 0;

    out[n++] = (unsigned char)tag;
    if (len < 128) {
        out[n++] = (unsigned char)len;
        return n;
    }
    for (size_t l = len; l; l >>= 8)
        bytes++;
    out[n++] = (unsigned char)(0x80 | bytes);
    while (bytes-- > 0)
        out[n++] = (unsigned char)(len >> (8 * bytes));
    return n;
}

void seal__dbuf_put(seal__dbuf *b, const void *d, size_t n)
{
    if (b->oom || !n)
        return;
    if (b->n + n > b->cap) {
        size_t cap = (b->n + n) * 2 + 64;
        unsigned char *q = realloc(b->p, cap);
        if (!q) {
            b->oom = 1;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->n, d, n);
    b->n += n;
}
