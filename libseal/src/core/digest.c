/*
 * Bulk digests over a file's bytes (internal.h): SM3 on libgcrypt, the
 * rest on OpenSSL.
 *
 * The verifier's critical path on a large file is one hash of it. OpenSSL
 * 3.0 has assembler for SHA-2 but only portable C for SM3, which on the
 * x86-64 machines we measured runs at a quarter of SHA-256's speed;
 * libgcrypt 1.10 carries an AVX/BMI2 SM3 that is about a third faster
 * (bench/sm2.sh). Both give the same digest; the unit suite checks them
 * against each other and against GB/T 32905's examples.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <gcrypt.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

struct seal__digest {
    const EVP_MD *md;
    EVP_MD_CTX *ossl;   /* every digest but a libgcrypt SM3 */
    gcry_md_hd_t gcry;  /* SM3 */
};

static pthread_once_t gcry_once = PTHREAD_ONCE_INIT;
static int gcry_ok;

/* A library initialises libgcrypt by asking for its version (libgcrypt
 * manual, "Initializing the library"); the application, if it uses
 * libgcrypt too, may already have done so, which is harmless. */
static void gcry_init(void)
{
    gcry_ok = gcry_check_version(GCRYPT_VERSION) != NULL;
}

seal__digest *seal__digest_new(const EVP_MD *md)
{
    seal__digest *d = calloc(1, sizeof(*d));

    if (!d || !md) {
        free(d);
        return NULL;
    }
    d->md = md;
    if (EVP_MD_get_type(md) == NID_sm3) {
        pthread_once(&gcry_once, gcry_init);
        if (gcry_ok && gcry_md_open(&d->gcry, GCRY_MD_SM3, 0) == 0)
            return d;
        d->gcry = NULL; /* FIPS mode, or no SM3 in this build: OpenSSL's */
    }
    d->ossl = EVP_MD_CTX_new();
    if (!d->ossl || EVP_DigestInit_ex(d->ossl, md, NULL) != 1) {
        seal__digest_free(d);
        return NULL;
    }
    return d;
}

seal__digest *seal__digest_dup(const seal__digest *src)
{
    seal__digest *d = calloc(1, sizeof(*d));

    if (!d)
        return NULL;
    d->md = src->md;
    if (src->gcry ? gcry_md_copy(&d->gcry, src->gcry) != 0
                  : !(d->ossl = EVP_MD_CTX_new()) || EVP_MD_CTX_copy_ex(d->ossl, src->ossl) != 1) {
        d->gcry = NULL;
        seal__digest_free(d);
        return NULL;
    }
    return d;
}

int seal__digest_update(seal__digest *d, const void *p, size_t len)
{
    if (d->gcry) {
        gcry_md_write(d->gcry, p, len);
        return 1;
    }
    return EVP_DigestUpdate(d->ossl, p, len) == 1;
}

int seal__digest_final(seal__digest *d, unsigned char *out, unsigned *len)
{
    if (d->gcry) {
        const unsigned char *h = gcry_md_read(d->gcry, GCRY_MD_SM3);
        if (!h)
            return 0;
        memcpy(out, h, 32);
        *len = 32;
        return 1;
    }
    if (EVP_MD_get_flags(d->md) & EVP_MD_FLAG_XOF) {
        *len = 64;
        return EVP_DigestFinalXOF(d->ossl, out, 64) == 1;
    }
    return EVP_DigestFinal_ex(d->ossl, out, len) == 1;
}

void seal__digest_free(seal__digest *d)
{
    if (!d)
        return;
    if (d->gcry)
        gcry_md_close(d->gcry);
    EVP_MD_CTX_free(d->ossl);
    free(d);
}

int seal__digest_buf(const EVP_MD *md, const void *p, size_t len, unsigned char *out, unsigned *outlen)
{
    seal__digest *d = seal__digest_new(md);
    int ok = d && seal__digest_update(d, p, len) && seal__digest_final(d, out, outlen);

    seal__digest_free(d);
    return ok;
}
