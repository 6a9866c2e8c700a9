/* sm2cipher.h — for the test token and SKF library: an SM2 ciphertext in
 * parts (C1's x and y, 32 bytes each; C3; C2) as the GM/T 0009 SM2Cipher
 * DER OpenSSL's EVP_PKEY_decrypt takes, and the decryption itself.
 * SPDX-License-Identifier: AGPL-3.0-or-later */
#ifndef SM2CIPHER_H
#define SM2CIPHER_H

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

/* One DER INTEGER of a 32-byte unsigned value at o; returns its length. */
static size_t sm2c_int(unsigned char *o, const unsigned char v[32])
{
    size_t skip = 0, n;
    while (skip < 31 && v[skip] == 0)
        skip++;
    n = 32 - skip;
    o[0] = 0x02;
    if (v[skip] & 0x80) {
        o[1] = (unsigned char)(n + 1);
        o[2] = 0;
        memcpy(o + 3, v + skip, n);
        return n + 3;
    }
    o[1] = (unsigned char)n;
    memcpy(o + 2, v + skip, n);
    return n + 2;
}

/* Decrypt (x, y, hash, c2) with key into out (*outlen: room, then length).
 * 1 on success, 0 when it does not decrypt (the hash does not match). */
static int sm2c_decrypt(EVP_PKEY *key, const unsigned char x[32], const unsigned char y[32],
                        const unsigned char hash[32], const unsigned char *c2, size_t c2len,
                        unsigned char *out, size_t *outlen)
{
    unsigned char *der, body[2 * 35 + 34], *p = body;
    size_t blen, dlen = 0;
    EVP_PKEY_CTX *pc;
    int ok;

    if (c2len > 4096 || !(der = malloc(c2len + sizeof(body) + 16)))
        return 0;
    p += sm2c_int(p, x);
    p += sm2c_int(p, y);
    *p++ = 0x04;
    *p++ = 32;
    memcpy(p, hash, 32);
    p += 32;
    blen = (size_t)(p - body) + 4 + c2len; /* + OCTET STRING C2 with a 2-byte-max header */
    der[dlen++] = 0x30;
    der[dlen++] = 0x82;
    der[dlen++] = (unsigned char)(blen >> 8);
    der[dlen++] = (unsigned char)blen;
    memcpy(der + dlen, body, (size_t)(p - body));
    dlen += (size_t)(p - body);
    der[dlen++] = 0x04;
    der[dlen++] = 0x82;
    der[dlen++] = (unsigned char)(c2len >> 8);
    der[dlen++] = (unsigned char)c2len;
    memcpy(der + dlen, c2, c2len);
    dlen += c2len;
    pc = EVP_PKEY_CTX_new(key, NULL);
    ok = pc && EVP_PKEY_decrypt_init(pc) > 0 && EVP_PKEY_decrypt(pc, out, outlen, der, dlen) > 0;
    EVP_PKEY_CTX_free(pc);
    free(der);
    return ok;
}

#endif
