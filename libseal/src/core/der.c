/*
 * Walking DER in memory, one element at a time, over OpenSSL's
 * ASN1_get_object: for readers that must see the bytes as received (sealed
 * bids, e-seals); and writing it element by element, every identifier and
 * length through seal__der_put_tl (e-seals, SES signatures, envelopes).
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/objects.h>

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
    if (b->oom)
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
    if (n)
        memcpy(b->p + b->n, d, n);
    b->n += n;
}

void seal__dbuf_tlv(seal__dbuf *b, int tag, int constructed, const void *c, size_t n)
{
    unsigned char hdr[6];
    seal__dbuf_put(b, hdr, seal__der_put_tl(hdr, tag | (constructed ? 0x20 : 0), n));
    seal__dbuf_put(b, c, n);
}

void seal__dbuf_wrap(seal__dbuf *b, int tag, int xclass, seal__dbuf *inner)
{
    unsigned char hdr[6];
    if (inner->oom)
        b->oom = 1;
    seal__dbuf_put(b, hdr, seal__der_put_tl(hdr, xclass | 0x20 | tag, inner->n));
    seal__dbuf_put(b, inner->p, inner->n);
    free(inner->p);
    memset(inner, 0, sizeof(*inner));
}

void seal__dbuf_seq(seal__dbuf *b, seal__dbuf *inner)
{
    seal__dbuf_wrap(b, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL, inner);
}

void seal__dbuf_str(seal__dbuf *b, int tag, const char *s)
{
    seal__dbuf_tlv(b, tag, 0, s, strlen(s));
}

void seal__dbuf_uint(seal__dbuf *b, unsigned v)
{
    unsigned char c[5];
    int n = 0, k = 4;
    do {
        c[k--] = (unsigned char)(v & 0xff);
        v >>= 8;
        n++;
    } while (v && k >= 0);
    if (c[k + 1] & 0x80) {
        c[k--] = 0;
        n++;
    }
    seal__dbuf_tlv(b, V_ASN1_INTEGER, 0, c + k + 1, (size_t)n);
}

void seal__dbuf_gentime(seal__dbuf *b, long long t)
{
    char s[32];
    struct tm tm;
    time_t tt = (time_t)t;
    gmtime_r(&tt, &tm);
    strftime(s, sizeof(s), "%Y%m%d%H%M%SZ", &tm);
    seal__dbuf_str(b, V_ASN1_GENERALIZEDTIME, s);
}

void seal__dbuf_oid(seal__dbuf *b, int nid)
{
    unsigned char *der = NULL;
    int n = i2d_ASN1_OBJECT(OBJ_nid2obj(nid), &der);
    if (n > 0)
        seal__dbuf_put(b, der, (size_t)n);
    else
        b->oom = 1;
    OPENSSL_free(der);
}

void seal__dbuf_bits(seal__dbuf *b, const void *v, size_t n)
{
    seal__dbuf bits = {0};
    unsigned char zero = 0;
    seal__dbuf_put(&bits, &zero, 1);
    seal__dbuf_put(&bits, v, n);
    if (bits.oom)
        b->oom = 1;
    seal__dbuf_tlv(b, V_ASN1_BIT_STRING, 0, bits.p, bits.n);
    free(bits.p);
}
