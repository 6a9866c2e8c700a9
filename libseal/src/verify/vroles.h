/*
 * What each object of a document is: the roles it is reached under from
 * the trailer (a page's content, an annotation, a form field, the DSS …)
 * and the page it belongs to. An object reached under several roles has
 * them all, and the structural judge holds it to the strictest. Not
 * installed.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef SEAL_VROLES_H
#define SEAL_VROLES_H

#include <stdint.h>

#include <mupdf/fitz.h>
#include <mupdf/pdf.h>

enum {
    VR_CATALOG = 1u << 0,
    VR_PAGETREE = 1u << 1,  /* a /Pages node (its inheritable attributes draw pages) */
    VR_PAGE = 1u << 2,
    VR_CONTENT = 1u << 3,   /* what draws a page: contents, resources, fonts, XObjects */
    VR_ANNOTS = 1u << 4,    /* a page's /Annots array */
    VR_ANNOT = 1u << 5,
    VR_AP = 1u << 6,        /* an annotation's appearance (and what it draws) */
    VR_ACROFORM = 1u << 7,
    VR_FIELDS = 1u << 8,    /* the /Fields array */
    VR_FIELD = 1u << 9,
    VR_SIGDICT = 1u << 10,  /* a signature or document time-stamp dictionary */
    VR_SIGMETA = 1u << 11,  /* a field's /Lock or /SV */
    VR_DSS = 1u << 12,
    VR_METADATA = 1u << 13,
    VR_INFO = 1u << 14,
    VR_STRUCT = 1u << 15,   /* the structure tree (tagging) */
    VR_EXT = 1u << 16,      /* the catalog's /Extensions */
    VR_DR = 1u << 17,       /* the form's default resources */
    VR_PERMS = 1u << 18,
    VR_ENCRYPT = 1u << 19,
    VR_OTHER = 1u << 20,    /* actions, outlines, optional content, anything else */
    VR_NAMES = 1u << 21     /* the catalog's /Names (its /AP tree holds annotation appearances) */
};

#define VR_PAGE_NONE (-1)
#define VR_PAGE_MANY (-2)

typedef struct vroles {
    int n;             /* object numbers covered: 0 .. n-1 */
    uint32_t *role;    /* VR_* bits per object */
    int *page;         /* 0-based page, VR_PAGE_NONE or VR_PAGE_MANY */
    unsigned char *dangling; /* referenced but not defined (only when asked) */
    int capped;        /* a bound stopped the walk */
    char why[160];
} vroles;

/*
 * Walk doc from its trailer; n bounds the object numbers recorded (at
 * least pdf_xref_len). With want_dangling, objects referenced but not in
 * use are marked. Returns 0, or -1 when the walk hit a bound (capped set,
 * why says which); throws only on out of memory.
 */
int seal__vroles_walk(fz_context *fz, pdf_document *doc, int n, int want_dangling, vroles *out);
void seal__vroles_free(fz_context *fz, vroles *r);

/* A short English name of the strictest role in bits ("page content"). */
const char *seal__vroles_name(uint32_t bits);

/* Is object num in use (defined) in doc? */
int seal__vroles_in_use(fz_context *fz, pdf_document *doc, int num);

#endif /* SEAL_VROLES_H */
