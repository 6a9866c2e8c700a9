/*
 * Internal interface of the OFD package reader (ofd.c, GB/T 33190): the
 * zip container read from its central directory and checked against the
 * local headers, every entry inflated within bounds, and small helpers
 * over MuPDF's XML parser. Used by the OFD verifier (vofd.c). Not
 * installed.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef SEAL_OFDINT_H
#define SEAL_OFDINT_H

#include "internal.h"

#include <mupdf/fitz.h>

#include <stddef.h>
#include <stdint.h>

/* Hostile packages: bounds on what is read. */
#define OFD_MAX_ENTRIES 10000
#define OFD_MAX_NAME 1024
#define OFD_MAX_ENTRY ((size_t)64 << 20)   /* one file, inflated */
#define OFD_MAX_TOTAL ((size_t)256 << 20)  /* all files, inflated */
#define OFD_MAX_FINDINGS 64

typedef struct seal__zent {
    char *name;             /* as stored in the central directory */
    char *path;             /* "/" + the name in normal form (see ofd.c) */
    unsigned char *data;    /* inflated content */
    size_t len;
    size_t at, end;         /* local header .. end of its data, in the file */
} seal__zent;

typedef struct seal__ofd {
    seal__zent *e;
    size_t n;
    /* Problems of the container itself: the same for every signature
     * (duplicate or look-alike names, names not in normal form, local
     * headers that disagree with the central directory, entries the
     * directory does not list). */
    char *findings[OFD_MAX_FINDINGS];
    size_t nfindings;
} seal__ofd;

/* 1 when data starts like a zip file (a local header or an empty zip). */
int seal__ofd_is_zip(const unsigned char *data, size_t len);
/* Read the package. SEAL_ERR_INPUT with a one-line reason for what is no
 * usable zip (truncated, encrypted, ZIP64, a method other than stored or
 * deflate, a damaged entry, over the bounds); SEAL_ERR_NOMEM. */
seal_status seal__ofd_open(seal_ctx *ctx, const unsigned char *data, size_t len, seal__ofd **out);
void seal__ofd_free(seal__ofd *p);
/* The entry whose normal path is exactly path ("/Doc_0/Document.xml";
 * the first one when the name is there twice), or NULL. */
const seal__zent *seal__ofd_find(const seal__ofd *p, const char *path);
/* ref resolved against the file at base (an absolute ref from the package
 * root, a relative one from base's folder) into out as a normal path;
 * 0 when it does not fit or leaves the package (".." above the root). */
int seal__ofd_resolve(const char *base, const char *ref, char *out, size_t size);

/* XML, namespace prefixes ignored: the first child element of x named
 * local, the next sibling after x so named, the text of an element ("" if
 * none). */
fz_xml *seal__ofd_child(fz_xml *x, const char *local);
fz_xml *seal__ofd_next(fz_xml *x, const char *local);
const char *seal__ofd_text(fz_xml *x);
/* An entry parsed as XML (inside fz_try; throws on malformed XML). */
fz_xml *seal__ofd_xml(fz_context *fz, const seal__zent *e);

#endif /* SEAL_OFDINT_H */
