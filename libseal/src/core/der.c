/*
 * Walking DER in memory, one element at a time, over OpenSSL's
 * ASN1_get_object: for readers that must see the bytes as received (sealed
 * bids, e-seals).
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "internal.h"

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
