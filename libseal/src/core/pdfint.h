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
/* The same check on the first n and last m bytes of a document: NULL when
 * it looks like a whole PDF, else the reason to put after its name ("is
 * truncated or damaged ..."), which sign, inspect and verify all give. */
const char *seal__pdf_probe(const unsigned char *head, size_t n, const unsigned char *tail, size_t m);

/* The revision index: where each revision of a PDF starts and ends. A
 * revision ends after a "%%EOF" and its end-of-line (what a ByteRange must
 * end at); a linearized file's first-page trailer is not a revision of its
 * own (its first revision ends at the /L its linearization dictionary
 * gives); bytes after the last %%EOF form a last, unterminated revision.
 * Shared by inspect and verify, so both number revisions alike. Returns
 * how many were stored (at most max). */
typedef struct seal__revision {
    int64_t start, end;
    int terminated; /* ends with %%EOF; 0 only for the last */
} seal__revision;
size_t seal__pdf_revisions(const unsigned char *data, size_t len, seal__revision *revs, size_t max);

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

/* A signature field as its dictionaries say, read once for inspect and
 * verify so both give the same facts under the same names. Pointers point
 * into the document's objects (valid while it is open). */
typedef struct seal__sig_field {
    pdf_obj *v;                 /* the signature dictionary (/V), NULL if none */
    pdf_obj *widget;            /* the first widget: the field itself, or its first kid */
    const char *type;           /* /Type of /V as a name, "" when absent */
    const char *subfilter;      /* /SubFilter, "" when absent */
    const char *reason;         /* /Reason, "" when absent */
    long long claimed;          /* /M as Unix seconds, 0 when absent or unreadable */
    char claimed_time[32];      /* the same as ISO 8601 UTC, "" for 0 */
    int br_count;               /* integers in /ByteRange, -1 when it is no array */
    long long br[4];            /* its first four, -1 for one that is no integer */
    const char *contents;       /* /Contents bytes, NULL when it is no string */
    size_t contents_len;
    int p_num;                  /* object number of the first widget's /P, 0 if none */
    int page;                   /* that page's number, 0 if none; only with_page (a
                                   page-tree walk: the verifier looks it up in its own) */
    double rect[4];             /* the first widget's /Rect */
    int visible;                /* that rectangle is not empty */
} seal__sig_field;
void seal__pdf_sig_field(seal_ctx *ctx, pdf_document *doc, pdf_obj *field, int with_page,
                         seal__sig_field *out);

/* Looking a page up by number walks the page tree from its root, so a
 * loop over every page is quadratic. Before such a loop, take the object
 * numbers of all pages in one walk, in the order MuPDF's lookups give: an
 * fz_malloc'd array of *count numbers, or NULL for a tree whose /Count
 * values or shape this walk does not trust (the caller then looks each
 * page up). Not MuPDF's page map: version 1.21 sizes it by /Count and
 * leaks it when the tree breaks half-way. Memory errors propagate. */
int *seal__pdf_page_nums(fz_context *fz, pdf_document *doc, int *count);

/* Page p (0-based) as a reference the caller drops: from nums when it has
 * one, else looked up (and thrown for, as pdf_lookup_page_obj does). */
pdf_obj *seal__pdf_page_ref(fz_context *fz, pdf_document *doc, const int *nums, int count, int p);

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
    /* What it is and where it shows, for warnings and seal_placed. */
    int source;                /* index of the placement that made it */
    seal_place_kind kind;
    fz_rect shown;             /* on the page as displayed, points, y down */
    int group, groups, group_pages, strip; /* CROSS_PAGE (seal_placed) */
} seal__widget;

/* Expand placements into widgets for artwork with bounding box `art`
 * (points). Returns an fz_malloc'd array; throws SEAL_ERR_NOT_FOUND for a
 * page, keyword or field that is not there or a seal centred off its page,
 * SEAL_ERR_ARGS for a malformed placement, SEAL_ERR_REFUSED for a field
 * already signed. Overlaps, seals partly off the page and cross-page
 * slices too thin to see are warnings (seal__warn). */
/* artwork.c: open seal artwork to draw it — a one-page unencrypted PDF
 * whose page (MediaBox, into *bbox) is 1 to SEAL_MAX_ARTWORK_MM each way;
 * its recorded /SealKind into kind (letters, digits and '-' kept). Throws
 * SEAL_ERR_INPUT naming the file. The caller drops the document. */
#define SEAL_MAX_ARTWORK_MM 200.0
pdf_document *seal__artwork_open(seal_ctx *ctx, const char *path, fz_rect *bbox, char *kind,
                                 size_t kind_size);

seal__widget *seal__place(seal_ctx *ctx, pdf_document *doc, const seal_placement *pl, size_t n,
                          fz_rect art, int *count);

/* The widgets as seal_placed records naming `field` (fz_malloc'd). */
seal_placed *seal__placed(seal_ctx *ctx, const seal__widget *w, int n, const char *field);

/* Each record to opts->placed_cb (a version 3 option), in order. */
void seal__placed_report(const seal_sign_options *opts, const seal_placed *p, int n);

/* What fills a signature's /Contents once the byte ranges are known:
 * make() returns DER (malloc'd) for the SHA-256 of the ranges; check()
 * verifies what was read back from the written file. */
typedef struct seal__filler {
    seal_status (*make)(seal_ctx *ctx, void *user, const unsigned char digest[32],
                        unsigned char **der, size_t *len);
    seal_status (*check)(seal_ctx *ctx, void *user, const unsigned char *der, size_t len,
                         const unsigned char digest[32]);
    void *user;
    int md_nid; /* digest of the ByteRange: NID_sm3 for SM2 signers; 0 is SHA-256 */
    int64_t *range; /* when not NULL: set to the ByteRange before make is called */
} seal__filler;

/* A new signature dictionary (/Type type, /SubFilter subfilter) with
 * ByteRange and Contents placeholders for contents_len bytes of DER. The
 * caller drops the returned indirect reference. */
pdf_obj *seal__sig_dict(seal_ctx *ctx, pdf_document *doc, const char *type, const char *subfilter,
                        size_t contents_len);
/* field made its own invisible widget: no area, printed and locked, on
 * the first page's /Annots. */
void seal__invisible_widget(seal_ctx *ctx, pdf_document *doc, pdf_obj *field);
/* An invisible signature field named `name` whose value is sig. */
void seal__add_invisible_field(seal_ctx *ctx, pdf_document *doc, const char *name, pdf_obj *sig);
/* The signed revision (sigrev.c). Whether a field of this full name
 * exists; a widget onto a page's /Annots. */
int seal__field_name_taken(seal_ctx *ctx, pdf_document *doc, const char *name);
void seal__add_to_annots(seal_ctx *ctx, pdf_document *doc, pdf_obj *page, pdf_obj *widget);
/* stem1, stem2, ...: the first field name not used yet. */
void seal__unique_field_name(seal_ctx *ctx, pdf_document *doc, const char *stem, char *out,
                             size_t size);
/* Save doc (opened from a file) as an incremental update into a new
 * temporary file beside target; tmp receives its path. */
void seal__save_revision(seal_ctx *ctx, pdf_document *doc, const char *target, char *tmp,
                         size_t tmpsize);
/* The same, then patch ByteRange, fill the signature object sig_num with
 * `fill`, check, and re-open. On failure the temporary file is removed. */
void seal__write_signed_revision(seal_ctx *ctx, pdf_document *doc, const char *in_path,
                                 int64_t in_len, const char *target, int sig_num,
                                 size_t contents_len, const seal__filler *fill,
                                 const char *password, char *tmp, size_t tmpsize);

/* Long-term validation updates (ltv.c). Each reads `in`, writes a new
 * temporary file beside target (path in tmp) and throws on failure. */
struct seal_key;
/* What kept the validation data from being complete: the first gap ("no
 * revocation source (OCSP or CRL) for CN", or a service's failure) and how
 * many there were. Certificates without a revocation source are always
 * recorded; a revocation service that does not answer is recorded with
 * best_effort, else thrown (seal__level_not_reached). */
typedef struct seal__ltv_gaps {
    const char *level; /* the level asked for, "B-LT" or "B-LTA" */
    int best_effort;
    int count;
    char first[512];
} seal__ltv_gaps;
/* A level asked for and not reached (without best effort): throws
 * SEAL_ERR_NETWORK, "PAdES LEVEL not reached: WHAT; nothing written ...".
 * `what` may be the context's own message. */
void seal__level_not_reached(seal_ctx *ctx, const char *level, const char *what);
/* gaps NULL (archive renewal): a certificate without a source is a
 * warning, a service that does not answer an error. */
void seal__ltv_add_dss(seal_ctx *ctx, const char *in, const char *target, const char *password,
                       struct seal_key *key, seal__ltv_gaps *gaps, char *tmp, size_t tmpsize);
/* token_size: bytes to reserve for the token (seal__tsa_token_probe), 0
 * to ask the authority here. */
void seal__ltv_add_doc_timestamp(seal_ctx *ctx, const char *in, const char *target,
                                 const char *password, const char *tsa_url, size_t token_size,
                                 char *tmp, size_t tmpsize);

/* Content-stream paths (one fill) of `text` set in the caption font at
 * `size` points, baseline at y = 0 from x = 0; *width is its advance.
 * Throws SEAL_ERR_ARGS for a character the font lacks. */
fz_buffer *seal__caption_paths(seal_ctx *ctx, const char *text, float size, float *width);

/* Parse a page list ("1-3,5,last", "all") into 0-based page indexes
 * (fz_malloc'd, in order, duplicates kept out). */
int *seal__parse_pages(seal_ctx *ctx, const char *spec, int npages, int *count);

#endif /* SEAL_PDFINT_H */
