/*
 * libseal — enrolment: from a scan of a seal collection form to seal artwork.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 *
 * Four steps, each usable alone:
 *
 *   seal_scan_load      read a PNG, JPEG, TIFF or a page of a scanned PDF
 *   seal_scan_extract   find the collection boxes, lift the ink off the paper,
 *                       fit and straighten the seal, score the impressions,
 *                       decide accept / warn / reject          -> seal_mask
 *   seal_mask_trace     trace the mask into Bézier paths (potrace) -> seal_artwork
 *   seal_artwork_write_pdf / _svg / _png
 *
 * A rejected scan is a result, not an error: seal_scan_extract returns SEAL_OK
 * with a mask whose decision is SEAL_DECISION_REJECT and whose issues say why;
 * seal_mask_trace then refuses it with SEAL_ERR_SCAN_REJECTED. Unreadable
 * input (not an image, truncated, absurd size) is an error of seal_scan_load.
 *
 * Objects belong to the context they were made with; free them before it.
 */
#ifndef SEAL_ENROL_H
#define SEAL_ENROL_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What was stamped or written. Values are only ever appended. */
typedef enum seal_kind {
    SEAL_KIND_AUTO = 0,      /* extraction: decide from the form and the outline */
    SEAL_KIND_COMPANY = 1,   /* 公章 and its variants: round or oval */
    SEAL_KIND_LEGAL_REP = 2, /* 法人章: square (or a small round seal) */
    SEAL_KIND_SIGNATURE = 3, /* 手写签名: black or blue handwriting */
    /* Made by seal make (make.h) only; extraction does not take them. */
    SEAL_KIND_SPECIAL = 4,   /* special-purpose seal: 合同专用章, 财务专用章 ... */
    SEAL_KIND_INVOICE = 5,   /* 发票专用章: oval, with the tax number */
    SEAL_KIND_FOREIGN = 6,   /* foreign-invested enterprise: oval */
    SEAL_KIND_PERSONAL = 7   /* a person's name seal (私章) */
} seal_kind;

/* "auto", "company", "legal-rep", "signature", "special", "invoice",
 * "foreign", "personal"; never NULL. */
SEAL_API const char *seal_kind_name(seal_kind kind);

typedef enum seal_shape {
    SEAL_SHAPE_NONE = 0,
    SEAL_SHAPE_CIRCLE = 1,
    SEAL_SHAPE_ELLIPSE = 2,
    SEAL_SHAPE_SQUARE = 3, /* square or rectangle */
    SEAL_SHAPE_FREE = 4    /* handwriting: the ink's bounding box */
} seal_shape;

typedef enum seal_decision {
    SEAL_DECISION_ACCEPT = 0,
    SEAL_DECISION_WARN = 1,  /* artwork produced; a person should look at the warnings */
    SEAL_DECISION_REJECT = 2 /* no artwork: rescan */
} seal_decision;

/* "accept", "warn", "reject"; never NULL. */
SEAL_API const char *seal_decision_name(seal_decision d);

/* ---- step 1: the scan ------------------------------------------------- */

typedef struct seal_scan seal_scan;

typedef struct seal_scan_options {
    unsigned version;
    int page;                /* page of a PDF, 1-based; 0 means 1 */
    unsigned long max_pixels; /* refuse larger images before decoding; 0: 60 million */
} seal_scan_options;

#define SEAL_SCAN_OPTIONS_VERSION 1
#define SEAL_SCAN_OPTIONS_INIT {SEAL_SCAN_OPTIONS_VERSION, 0, 0}

typedef struct seal_scan_info {
    int width, height;   /* pixels */
    double dpi_x, dpi_y; /* resolution recorded in the file; 0 when it records none */
    const char *format;  /* "png", "jpeg", "tiff", "pdf", ... */
    int jpeg_quality;    /* IJG quality estimated from the quantisation table; 0 if not JPEG */
    const char *sha256;  /* of the file, lower-case hex */
} seal_scan_info;

/*
 * Load a scan. The header is checked before anything is decoded: the
 * pixel count (opts->max_pixels), a zero size and truncation (PNG without
 * IEND, JPEG without EOI) are refused. For a PDF, the largest image drawn on
 * the page is taken, with its resolution from its size on the page.
 * Returns SEAL_OK with an owned scan in *out, or SEAL_ERR_ARGS, SEAL_ERR_IO,
 * SEAL_ERR_INPUT (not an image, damaged, truncated, too large), SEAL_ERR_NOMEM.
 */
SEAL_API seal_status seal_scan_load(seal_ctx *ctx, seal_scan **out, const char *path,
                                    const seal_scan_options *opts);
SEAL_API void seal_scan_free(seal_scan *scan);
/* Strings belong to the scan. */
SEAL_API void seal_scan_get_info(const seal_scan *scan, seal_scan_info *out);
/* Deprecated: the same as seal_scan_get_info. */
SEAL_API void seal_scan_info_get(const seal_scan *scan, seal_scan_info *out)
    SEAL_DEPRECATED("seal_scan_get_info");

/* ---- step 2: extraction ----------------------------------------------- */

typedef struct seal_mask seal_mask;

typedef struct seal_extract_options {
    unsigned version;
    seal_kind kind;  /* SEAL_KIND_AUTO: from the form and the seal's outline */
    int box;         /* 0: the clearer impression; 1 or 2: that box (signatures: 1-3) */
    double min_dpi;  /* 0: 300 */
    /* Version 2: the scan's resolution when the caller knows it (a cropped
     * scan whose file records none); 0: from the file. The file's own
     * resolution is trusted when the image is a sheet of paper or smaller
     * at it; without one, a page is taken for A4, and an image that is no
     * sheet of paper and too small to be one at min_dpi is refused
     * (unknown_resolution) rather than measured at a false resolution. */
    double dpi;
} seal_extract_options;

/* Version 1 callers (without dpi) are still accepted. */
#define SEAL_EXTRACT_OPTIONS_VERSION 2
#define SEAL_EXTRACT_OPTIONS_INIT {SEAL_EXTRACT_OPTIONS_VERSION, SEAL_KIND_AUTO, 0, 0.0, 0.0}

/* How good one impression (or signature sample) is; each score in 0..1. */
typedef struct seal_impression_score {
    int present;            /* the box holds ink */
    double sharpness;       /* edge steepness of the ink, 1 = crisp */
    double ring_continuity; /* share of 1° bins of the outer border holding ink */
    double broken_strokes;  /* share of the design (both impressions together) missing here */
    double over_inking;     /* share of the ink just beside the other impression's strokes
                               (strokes grown fat by bleeding) */
    double contrast;        /* ink density relative to the strongest ink on the page */
    double clarity;         /* the combined score used to choose; higher is clearer */
    double density;         /* median optical density of the ink (its own measure: seal
                               D_G - D_R, pen D_R) */
} seal_impression_score;

#define SEAL_MAX_BOXES 3

typedef struct seal_mask_info {
    seal_decision decision;
    seal_kind kind;          /* decided or as asked */
    seal_shape shape;
    int box;                 /* 1-based box the artwork comes from; 0 when rejected early */
    int box_count;           /* collection boxes found on the form (0: none, whole page used) */
    double width_mm, height_mm; /* physical size of the seal (outline) */
    double rotation_deg;     /* the impression's rotation on the scan, counter-clockwise as
                                seen; the mask is already turned back by it */
    double center_x_mm, center_y_mm; /* the impression's centre, from the scan's top-left */
    double dpi;              /* resolution the scan was measured at */
    double illumination;     /* darkest / brightest paper across the page (1 = even) */
    int jpeg_quality;        /* 0 when not JPEG */
    unsigned char ink_rgb[3]; /* ink colour measured on the scan */
    int width_px, height_px; /* of the mask bitmap */
    double px_per_mm;        /* of the mask bitmap */
    seal_impression_score scores[SEAL_MAX_BOXES]; /* index 0 = box 1 */
    size_t issue_count;      /* warnings and reject reasons */
} seal_mask_info;

typedef struct seal_issue {
    seal_decision severity; /* SEAL_DECISION_WARN or SEAL_DECISION_REJECT */
    const char *code;       /* stable: low_resolution, unknown_resolution, perspective,
                               no_seal, incomplete_impression, wrong_kind, unusual_size,
                               crosses_box_line, overlaps_text, faint_impression,
                               single_impression, heavy_jpeg */
    const char *message;    /* one line for people */
} seal_issue;

/*
 * Extract the seal (or signature) from a scan. Returns SEAL_OK with an owned
 * mask in *out — also when the decision is reject — or SEAL_ERR_ARGS,
 * SEAL_ERR_NOMEM.
 */
SEAL_API seal_status seal_scan_extract(seal_ctx *ctx, const seal_scan *scan,
                                       const seal_extract_options *opts, seal_mask **out);
SEAL_API void seal_mask_free(seal_mask *mask);
SEAL_API void seal_mask_get_info(const seal_mask *mask, seal_mask_info *out);
/* Deprecated: the same as seal_mask_get_info. */
SEAL_API void seal_mask_info_get(const seal_mask *mask, seal_mask_info *out)
    SEAL_DEPRECATED("seal_mask_get_info");
/* Issue i (0-based); SEAL_ERR_ARGS when out of range. Strings belong to the mask. */
SEAL_API seal_status seal_mask_issue(const seal_mask *mask, size_t i, seal_issue *out);
/* The bitmap, one byte per pixel (1 = ink), rows top to bottom, the seal
 * centred and upright; NULL when rejected before a seal was found. */
SEAL_API const unsigned char *seal_mask_bits(const seal_mask *mask);

/* ---- step 3: tracing ---------------------------------------------------- */

typedef struct seal_artwork seal_artwork;

typedef struct seal_trace_options {
    unsigned version;
    int turdsize;        /* drop specks up to this many mask pixels; < 0: default */
    double alphamax;     /* potrace corner threshold; < 0: default (1.0) */
    double opttolerance; /* potrace curve optimisation; < 0: default (0.2) */
    const char *name;    /* the artwork's title (/Title), UTF-8, or NULL */
} seal_trace_options;

#define SEAL_TRACE_OPTIONS_VERSION 1
#define SEAL_TRACE_OPTIONS_INIT {SEAL_TRACE_OPTIONS_VERSION, -1, -1.0, -1.0, NULL}

/*
 * Trace a mask into vector paths at the seal's physical size, in one ink
 * colour (standard seal red; a signature keeps its pen colour).
 * Returns SEAL_OK with an owned artwork, SEAL_ERR_SCAN_REJECTED for a rejected
 * mask, SEAL_ERR_ARGS, SEAL_ERR_NOMEM or SEAL_ERR_INTERNAL.
 */
SEAL_API seal_status seal_mask_trace(seal_ctx *ctx, const seal_mask *mask,
                                     const seal_trace_options *opts, seal_artwork **out);
SEAL_API void seal_artwork_free(seal_artwork *art);

typedef struct seal_artwork_info {
    seal_kind kind;
    double width_mm, height_mm; /* the page */
    size_t path_count;          /* closed paths */
    size_t segment_count;       /* lines and Bézier curves */
    unsigned char rgb[3];       /* fill colour */
    const char *name;           /* "" when none */
} seal_artwork_info;

SEAL_API void seal_artwork_get_info(const seal_artwork *art, seal_artwork_info *out);
/* Deprecated: the same as seal_artwork_get_info. */
SEAL_API void seal_artwork_info_get(const seal_artwork *art, seal_artwork_info *out)
    SEAL_DEPRECATED("seal_artwork_get_info");

/* ---- step 4: writing ---------------------------------------------------- */

/*
 * Write the artwork. Each writer makes a temporary file beside `path` and
 * renames it into place when complete; on failure no file is left.
 *   PDF: one page exactly the seal's size, fill paths only, no background;
 *        Info: /Title, /SealKind, /SealSourceSHA256, /SealScores (JSON), /Producer;
 *        artwork drawn by seal_maker_make (make.h): /SealMake (its settings,
 *        JSON) instead of the source and scores.
 *   SVG: width/height in mm, viewBox in mm.
 *   PNG: RGBA (transparent background) at dpi (0: 600) with a pHYs chunk.
 * Returns SEAL_OK, SEAL_ERR_ARGS, SEAL_ERR_IO or SEAL_ERR_NOMEM.
 */
SEAL_API seal_status seal_artwork_write_pdf(seal_ctx *ctx, const seal_artwork *art, const char *path);
SEAL_API seal_status seal_artwork_write_svg(seal_ctx *ctx, const seal_artwork *art, const char *path);
SEAL_API seal_status seal_artwork_write_png(seal_ctx *ctx, const seal_artwork *art, const char *path,
                                            double dpi);

#ifdef __cplusplus
}
#endif

#endif /* SEAL_ENROL_H */
