/*
 * libseal internals shared between modules. Not installed.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef SEAL_INTERNAL_H
#define SEAL_INTERNAL_H

#include "seal/seal.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#include <mupdf/fitz.h>
#include <openssl/types.h>

#define SEAL_MSG_MAX 2048

struct seal_ctx {
    fz_context *fz;
    seal_status status;
    char msg[SEAL_MSG_MAX];
    int thrown; /* seal__throw raised msg as a MuPDF exception not yet taken back */
    seal_warning_cb warn_cb;
    void *warn_user;
};

/* Write s to f with <, >, & and " escaped, for XML and HTML text and
 * double-quoted attributes (SVG artwork, HTML reports). NULL writes nothing. */
void seal__xml_escape(FILE *f, const char *s);

/* Times (times.c): an ASN.1 time as Unix seconds (0 when absent or
 * unreadable); Unix seconds as ISO 8601 UTC, date and time or date only
 * ("" for 0). */
long long seal__asn1_time(const ASN1_TIME *t);
void seal__iso_time(long long t, char *buf, size_t size);
void seal__iso_date(long long t, char *buf, size_t size);

/* Bulk digests (digest.c): one running hash over a file's bytes, copied
 * at each gap of nested byte ranges. SM3 runs on libgcrypt, whose x86-64
 * code is about a third faster than OpenSSL 3.0's portable C (the
 * verifier of a large SM2-signed file waits on it); every other digest,
 * and SM3 when libgcrypt refuses it (FIPS mode), on OpenSSL. SHAKE256
 * (RFC 8419, Ed448) finishes with 512 bits. NULL / 0 on failure. */
typedef struct seal__digest seal__digest;
seal__digest *seal__digest_new(const EVP_MD *md);
seal__digest *seal__digest_dup(const seal__digest *d);
int seal__digest_update(seal__digest *d, const void *p, size_t len);
/* Finish into out (at least EVP_MAX_MD_SIZE bytes); its length in *len. */
int seal__digest_final(seal__digest *d, unsigned char *out, unsigned *len);
void seal__digest_free(seal__digest *d);
/* The digest of one buffer. */
int seal__digest_buf(const EVP_MD *md, const void *p, size_t len, unsigned char *out, unsigned *outlen);

/* Clear the last error: call at the start of every public entry. */
void seal__reset(seal_ctx *ctx);

/* Record an error (printf-style message) and return it. */
seal_status seal__fail(seal_ctx *ctx, seal_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Record the MuPDF exception just caught (call inside fz_catch). A pending
 * error already recorded by seal__throw keeps its status and message. */
seal_status seal__from_fz(seal_ctx *ctx, seal_status fallback);

/* Throw the error already recorded on ctx (a seal_status call that
 * failed) as a MuPDF exception, for code that runs inside fz_try;
 * seal__from_fz then returns its status and whole message. The one bridge
 * from the status convention to exceptions: never fz_throw ctx->msg. */
void seal__throw_recorded(seal_ctx *ctx) __attribute__((noreturn));

/* Record an error and throw it as a MuPDF exception, for code that runs
 * inside fz_try; seal__from_fz then returns the recorded status. */
void seal__throw(seal_ctx *ctx, seal_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));

/* OpenSSL bridge: clear the queue before a call sequence; on failure, drain
 * the queue into the message ("what: openssl reason"). The queue is left
 * empty on every path. */
void seal__ossl_clear(void);
seal_status seal__ossl_fail(seal_ctx *ctx, seal_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same, thrown as a MuPDF exception. */
void seal__ossl_throw(seal_ctx *ctx, seal_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));

void seal__warn(seal_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Files */
/* Read a whole file into memory, limit bytes at most. */
seal_status seal__read_file(seal_ctx *ctx, const char *path, size_t limit, unsigned char **data,
                            size_t *len);

/* Room for a file's len bytes, to be read in and then read many times over
 * (the verifier): anonymous memory, for a file of 2 MiB or more on a
 * 2 MiB boundary in huge pages where the kernel gives them. Read, not mapped: a file that shrinks
 * meanwhile cannot kill the process with SIGBUS, and where page tables are
 * shadowed (virtual machines) the first touch of each 4 KiB page of a
 * mapping costs more than the copy. SEAL_ERR_NOMEM "out of memory reading
 * PATH". Free with seal__big_free(*data, *size). */
seal_status seal__big_alloc(seal_ctx *ctx, const char *path, size_t len, unsigned char **data,
                            size_t *size);
void seal__big_free(unsigned char *data, size_t size);
/* n bytes at off into buf, across short reads and EINTR: 0, an errno, or
 * -1 when the file ends first. */
int seal__pread_full(int fd, unsigned char *buf, size_t n, int64_t off);
/* SEAL_ERR_IO "cannot read PATH: why" for what seal__pread_full returned. */
seal_status seal__read_failed(seal_ctx *ctx, const char *path, int err);
/* The first len bytes of a file (the length the caller measured) read into
 * seal__big_alloc memory: *data for seal__big_free(*data, *size). A file
 * now shorter is SEAL_ERR_IO, as it cannot be opened or read. */
seal_status seal__load_file(seal_ctx *ctx, const char *path, size_t len, unsigned char **data, size_t *size);

/* A temporary output file next to `target`: path in tmp (size tmpsize). */
seal_status seal__temp_path(seal_ctx *ctx, const char *target, char *tmp, size_t tmpsize);

/* This host's name as it appears in temporary file names. */
void seal__temp_host(char *host, size_t size);

/* A temporary file name of ours whose owner (host~pid in the name) is a
 * process of this host that no longer runs: safe to remove. */
int seal__temp_owner_dead(const char *name);

/* fsync tmp, rename it onto target and fsync the directory; errors name
 * the target. The caller removes tmp on failure. */
seal_status seal__commit_file(seal_ctx *ctx, const char *tmp, const char *target);

/* seal_paths_check without resetting the context (for library entries
 * that check their own paths). */
seal_status seal__paths_check(seal_ctx *ctx, const char *const *inputs, size_t n_inputs,
                              const char *const *outputs, size_t n_outputs);

/* Write all of data to fd; a failure names `target`. */
seal_status seal__write_all(seal_ctx *ctx, int fd, const void *data, size_t len, const char *target);

/* In the fz_catch of a MuPDF write of `target`'s temporary file: record a
 * file-output failure as "cannot write TARGET: reason", anything else as
 * seal__from_fz does. */
seal_status seal__fz_write_error(seal_ctx *ctx, const char *target, seal_status fallback);
/* The reason of the MuPDF file-output failure just caught ("No space left
 * on device"), or NULL when the exception is of another kind. */
const char *seal__fz_io_reason(seal_ctx *ctx);

/* In-memory DER walking over OpenSSL's ASN1_get_object (der.c). */
typedef struct seal__der {
    const unsigned char *p, *end;
} seal__der;
/* The next element: its identifier byte, content and whole encoding
 * (whole may be NULL); 0 at the end or on a malformed or indefinite one. */
int seal__der_next(seal__der *d, int *tag, const unsigned char **c, size_t *clen,
                   const unsigned char **whole, size_t *wlen);
/* A DER identifier (one byte) and minimal length (up to 4 bytes) into out;
 * returns the bytes written. */
size_t seal__der_put_tl(unsigned char out[6], int tag, size_t len);

/* Writing DER (der.c): a growing buffer; oom is set on the first failed
 * allocation and every later call does nothing. Free p. */
typedef struct seal__dbuf {
    unsigned char *p;
    size_t n, cap;
    int oom;
} seal__dbuf;
void seal__dbuf_put(seal__dbuf *b, const void *d, size_t n);
/* One element of a universal tag (V_ASN1_*) with content c. */
void seal__dbuf_tlv(seal__dbuf *b, int tag, int constructed, const void *c, size_t n);
/* inner wrapped in a constructed element of tag/class (V_ASN1_UNIVERSAL,
 * V_ASN1_CONTEXT_SPECIFIC); a SEQUENCE. inner is freed and emptied. */
void seal__dbuf_wrap(seal__dbuf *b, int tag, int xclass, seal__dbuf *inner);
void seal__dbuf_seq(seal__dbuf *b, seal__dbuf *inner);
void seal__dbuf_str(seal__dbuf *b, int tag, const char *s);
void seal__dbuf_uint(seal__dbuf *b, unsigned v);
/* GeneralizedTime YYYYMMDDHHMMSSZ. */
void seal__dbuf_gentime(seal__dbuf *b, long long t);
void seal__dbuf_oid(seal__dbuf *b, int nid);
/* A BIT STRING of whole octets. */
void seal__dbuf_bits(seal__dbuf *b, const void *v, size_t n);

/* Hex helpers */
void seal__hex(const unsigned char *data, size_t len, char *out);

#endif /* SEAL_INTERNAL_H */
