/*
 * Internal PDF helpers shared by the signer, the inspector and the verifier.
 * Functions named seal__pdf_* run inside fz_try and throw on failure.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef SEAL_PDFINT_H
#define SEAL_PDFINT_H

#include "internal.h"

#include <mupdf/pdf.h>

/* Hostile files: bounds on what is walked. */
#define SEAL_MAX_FIELD_DEPTH 32
#define SEAL_MAX_FIELDS 10000

/* Check that path is a regular file starting like a PDF and ending with
 * %%EOF; returns its size. Throws SEAL_ERR_IO / SEAL_ERR_INPUT. */
int64_t seal__pdf_check_file(seal_ctx *ctx, const char *path);

/* Open a PDF; authenticate with password (may be NULL). When for_update is
 * set, a document MuPDF had to repair is refused: an incremental update on
 * top of a broken cross-reference table would not be a valid PDF. */
pdf_document *seal__pdf_open(seal_ctx *ctx, const char *path, const char *password,
                             int for_update);

/* Visit every terminal field of the AcroForm (bounded depth and count). */
typedef void(seal__field_fn)(seal_ctx *ctx, pdf_obj *field, const char *name, void *user);
void seal__pdf_each_field(seal_ctx *ctx, pdf_document *doc, seal__field_fn *fn, void *user);

/* The DocMDP P value of the document's certification signature, 0 if none. */
int seal__pdf_docmdp(seal_ctx *ctx, pdf_document *doc);

/* The 1-based page number of a page object, 0 when not found. */
int seal__pdf_page_number(seal_ctx *ctx, pdf_document *doc, pdf_obj *page);

/* One widget to draw: where it goes and which part of the artwork it shows. */
typedef struct seal__widget {
    int page;          /* 0-based */
    pdf_obj *pageobj;  /* borrowed from the document */
    fz_rect rect;      /* widget /Rect in PDF user space */
    fz_rect bbox;      /* appearance /BBox */
    fz_matrix matrix;  /* appearance /Matrix (turns the seal upright on rotated pages) */
    fz_matrix content; /* where the artwork sits inside the BBox */
    pdf_obj *field;    /* an existing empty field to fill (borrowed), or NULL */
    pdf_obj *widget;   /* that field's widget (borrowed), or NULL */
} seal__widget;

/* Expand placements into widgets for artwork with bounding box `art`
 * (points). Returns an fz_malloc'd array; throws SEAL_ERR_NOT_FOUND for a
 * page, keyword or field that is not there, SEAL_ERR_ARGS for a malformed
 * placement, SEAL_ERR_REFUSED for a field already signed. */
seal__widget *seal__place(seal_ctx *ctx, pdf_document *doc, const seal_placement *pl, size_t n,
                          fz_rect art, int *count);

/* Parse a page list ("1-3,5,last", "all") into 0-based page indexes
 * (fz_malloc'd, in order, duplicates kept out). */
int *seal__parse_pages(seal_ctx *ctx, const char *spec, int npages, int *count);

#endif /* SEAL_PDFINT_H */
