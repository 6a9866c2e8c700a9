/*
 * The cross-reference sections of a PDF's incremental updates, read
 * strictly from the file's own bytes (never from MuPDF's repaired view):
 * every entry of every update (in use, free, in an object stream), its
 * trailer, and the raw checks the structural judge needs — the object an
 * offset really holds, and dictionaries with duplicate keys. A malformed
 * section is reported, never repaired. Not installed.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef SEAL_XREFRAW_H
#define SEAL_XREFRAW_H

#include <stddef.h>
#include <stdint.h>

#include <mupdf/fitz.h>
#include <mupdf/pdf.h>

/* Hostile files: bounds. Reaching one is reported, never ignored. */
#define XRAW_MAX_ENTRIES 2000000 /* entries in one update */
#define XRAW_MAX_OBJSTM (64u << 20) /* decoded object stream or xref stream */
#define XRAW_MAX_TOKENS 4000000  /* tokens scanned for duplicate keys, per object */

typedef struct xraw_entry {
    int num;
    int gen;     /* 'n': generation; 'o': index in the object stream */
    char type;   /* 'n' in use, 'f' free, 'o' in an object stream */
    int64_t ofs; /* 'n': byte offset; 'o': number of the object stream */
} xraw_entry;

typedef struct xraw_section {
    int64_t start;     /* first byte of the update (end of the previous revision) */
    int64_t end;       /* one past its %%EOF line */
    int64_t xref_ofs;  /* its startxref */
    int64_t prev;      /* the trailer's /Prev, -1 without one */
    int is_stream;     /* a cross-reference stream (or a hybrid /XRefStm) */
    int self_num;      /* that stream's own object number (0 for a table) */
    xraw_entry *e;     /* in the order read; a later entry for a number wins */
    size_t n, cap;
    pdf_obj *trailer;  /* owned */
} xraw_section;

/*
 * Read the update occupying bytes [start, end) of data: its last startxref
 * must point into it at a cross-reference table or stream, which is parsed
 * strictly. doc is the whole file opened by MuPDF, used only to parse
 * dictionaries and decode streams from data's bytes. Returns 0, or -1 with
 * a one-line reason in why. Throws only on out of memory.
 */
int seal__xraw_read(fz_context *fz, pdf_document *doc, const unsigned char *data, size_t len,
                    int64_t start, int64_t end, xraw_section *out, char *why, size_t whysize);
void seal__xraw_free(fz_context *fz, xraw_section *s);

/* The startxref value of the revision ending at end (-1 if none). */
int64_t seal__xraw_startxref(const unsigned char *data, size_t len, int64_t start, int64_t end);

/*
 * The indirect object whose header is at ofs, parsed from data's bytes
 * through doc's parser (for a stream: its dictionary, *stm_ofs where its
 * data starts, else 0). Throws as MuPDF's parser does.
 */
pdf_obj *seal__xraw_parse_at(fz_context *fz, pdf_document *doc, const unsigned char *data, size_t len,
                             int64_t ofs, int *num, int64_t *stm_ofs);

/*
 * The "num gen obj" header at ofs: 1 with *num and *gen set, or 0 when the bytes
 * there are not an object header.
 */
int seal__xraw_obj_at(const unsigned char *data, size_t len, int64_t ofs, int *num, int *gen);

/*
 * Scan the object text at data[ofs] (after a "num gen obj" header when
 * header is set; an object stream's entries have none) token by token:
 * returns 1 and names the key in key[] when one dictionary holds a key
 * twice (readers disagree on which one counts), 0 when none does, -1 when
 * a bound was reached.
 */
int seal__xraw_dup_key(fz_context *fz, const unsigned char *data, size_t len, int64_t ofs, int header,
                       char *key, size_t keysize);

/*
 * The object text of entry index idx in the object stream `stm_num` whose
 * header is at stm_ofs (decoded through doc): on success *num is the
 * object number the stream's header lists at idx and the returned buffer
 * holds the stream's decoded bytes with [*obj_start, end) the object's
 * text. Returns NULL with a reason when the stream cannot be read.
 */
fz_buffer *seal__xraw_objstm(fz_context *fz, pdf_document *doc, const unsigned char *data, size_t len,
                             int64_t stm_ofs, int idx, int *num, size_t *obj_start, char *why,
                             size_t whysize);

#endif /* SEAL_XREFRAW_H */
