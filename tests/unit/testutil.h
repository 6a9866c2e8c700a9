/*
 * Helpers shared by the unit suites: fixture paths, files, running the CLI.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef SEAL_TESTUTIL_H
#define SEAL_TESTUTIL_H

#include <seal/seal.h>
#include <stddef.h>

/* $SEAL_TEST_FIXTURES/rel into a static buffer (one of 8 rotating). */
const char *fx(const char *rel);
/* A fresh empty directory for one test's outputs. */
const char *tmpdir(void);
/* Read a whole file; NULL when missing. */
unsigned char *slurp(const char *path, size_t *len);
int file_exists(const char *path);
/* 1 when the first len(a) bytes of b equal a. */
int is_prefix_file(const char *a, const char *b);
/* Number of directory entries other than . and .. */
int dir_entries(const char *dir);
/* The softhsm URI of a key on the test token. */
const char *token_uri(const char *object);
/* A PIN callback reading a fixture file given as user data. */
seal_status pin_from_file(void *user, const char *label, unsigned flags, char *buf, size_t size);

/* A PDF written byte by byte, for the suites that test the internals on
 * exact files: objects whose offsets are recorded, then a cross-reference
 * table per revision (the first with object 0, later ones chaining by
 * /Prev). Aborts on out of memory. */
#define TPDF_MAX_OBJ 64
typedef struct tpdf {
    char *buf;
    size_t len, cap;
    long ofs[TPDF_MAX_OBJ]; /* offset of each number's latest definition */
    int gen[TPDF_MAX_OBJ];
    int pending[TPDF_MAX_OBJ]; /* numbers defined since the last section */
    int npending;
    long xref;                 /* offset of the last section, -1 before the first */
    int size;                  /* 1 + the highest number defined */
} tpdf;
/* "%PDF-1.7" and a binary comment. */
void tpdf_init(tpdf *p);
void tpdf_free(tpdf *p);
/* Bytes as given (printf format). */
void tpdf_raw(tpdf *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "num 0 obj\n<text>\nendobj\n", its offset recorded. */
void tpdf_obj(tpdf *p, int num, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A stream object holding data (its /Length written for it). */
void tpdf_stream(tpdf *p, int num, const char *dict_extra, const char *data);
/* The cross-reference table of this revision — the objects defined since
 * the last one and the numbers in freed (0-terminated, may be NULL) as
 * free —, the trailer (/Size, /Root 1 0 R, /Prev unless prev is -1, then
 * extra), startxref and "%%EOF\n". prev TPDF_PREV chains to the last
 * section. Returns the offset of the table. */
#define TPDF_PREV (-2)
long tpdf_xref(tpdf *p, const int *freed, long prev, const char *extra);
/* The first len bytes of p opened by MuPDF (0: all of them); p must
 * outlive the document. Throws as pdf_open_document does. */
struct fz_context;
struct pdf_document;
struct pdf_document *tpdf_open(struct fz_context *fz, const tpdf *p, size_t len);
/* Warnings of a context, each line appended to user (a warnbuf). */
typedef struct warnbuf {
    char text[4096];
    int count;
} warnbuf;
void collect_warning(void *user, const char *message);

#endif
