/*
 * libseal — sealing PDF documents with PAdES signatures.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef SEAL_SIGN_H
#define SEAL_SIGN_H

#include "common.h"
#include "key.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where a seal goes. Kinds are only ever appended. */
typedef enum seal_place_kind {
    /* page + centre (x_mm, y_mm) from the top-left of the page as displayed */
    SEAL_PLACE_AT = 1,
    /* every hit (or the nth) of `keyword`, centred on the hit's box plus
     * (dx_mm, dy_mm); `pages` may restrict the pages searched */
    SEAL_PLACE_KEYWORD = 2,
    /* the same seal at (x_mm, y_mm) on each page of `pages` ("1-3,5,last", "all") */
    SEAL_PLACE_PAGES = 3,
    /* 骑缝章: the seal cut into vertical slices, slice i at the `edge` of page
     * i of `pages` (default all), centred at height y_mm (0: middle);
     * with group > 0, a whole seal per group of `group` pages; with
     * SEAL_GROUP_AUTO, as few groups of near-equal size as keep every slice
     * at least SEAL_MIN_STRIP_MM wide. Slices narrower than that get a
     * warning suggesting a group size. */
    SEAL_PLACE_CROSS_PAGE = 4,
    /* the existing empty signature field named `field` (its page and /Rect) */
    SEAL_PLACE_FIELD = 5
} seal_place_kind;

#define SEAL_NTH_ALL 0     /* keyword placement: every hit */
#define SEAL_GROUP_AUTO -1 /* cross-page placement: groups chosen for visible slices */
#define SEAL_MIN_STRIP_MM 4.0 /* narrowest cross-page slice that still shows */

typedef enum seal_edge { SEAL_EDGE_RIGHT = 0, SEAL_EDGE_LEFT = 1 } seal_edge;

typedef struct seal_placement {
    seal_place_kind kind;
    int page;            /* AT: 1-based page */
    double x_mm, y_mm;   /* AT, PAGES: seal centre; CROSS_PAGE: y_mm only */
    const char *keyword; /* KEYWORD: UTF-8 text to find */
    int nth;             /* KEYWORD: 1-based hit to use, or SEAL_NTH_ALL */
    double dx_mm, dy_mm; /* KEYWORD: offset from the hit's centre (right, down) */
    const char *pages;   /* PAGES, CROSS_PAGE, KEYWORD: page list, NULL for all */
    seal_edge edge;      /* CROSS_PAGE */
    int group;           /* CROSS_PAGE: pages per seal, 0 for one seal over all,
                            SEAL_GROUP_AUTO to choose */
    const char *field;   /* FIELD: fully qualified field name */
} seal_placement;

/* One seal (or cross-page slice) as placed, reported through
 * seal_sign_options.placed_cb. Positions are those of the page as displayed
 * (rotation and CropBox applied), mm from its top-left corner. */
typedef struct seal_placed {
    const char *field;     /* the signature field's name (valid during the call) */
    seal_place_kind kind;  /* the placement that made it */
    int page;              /* 1-based */
    double x_mm, y_mm;     /* centre */
    double w_mm, h_mm;     /* size: for a cross-page slice, the slice */
    int group, groups;     /* CROSS_PAGE: 1-based group of how many; else 0 */
    int group_pages;       /* CROSS_PAGE: pages (slices) in this group; else 0 */
    int strip;             /* CROSS_PAGE: 1-based slice of the seal, from its left */
} seal_placed;

typedef void (*seal_placed_cb)(void *user, const seal_placed *placed);

/* PAdES baseline levels (ETSI EN 319 142-1). */
typedef enum seal_level {
    SEAL_LEVEL_B_B = 0,   /* the signature */
    SEAL_LEVEL_B_T = 1,   /* + a signature time-stamp from a TSA */
    SEAL_LEVEL_B_LT = 2,  /* + validation data (/DSS: certificates, OCSP, CRLs) */
    SEAL_LEVEL_B_LTA = 3  /* + a document time-stamp over it all */
} seal_level;

/* "B-B", "B-T", "B-LT" or "B-LTA"; NULL for a value that is no level. */
SEAL_API const char *seal_level_name(seal_level level);

typedef struct seal_sign_options {
    unsigned version;
    const char *artwork_path; /* seal artwork PDF (one page at physical size); NULL: invisible */
    const seal_placement *placements; /* where the artwork goes; ignored without artwork */
    size_t placement_count;
    const char *field_name;   /* signature field name; NULL: "Seal<N>" */
    const char *reason;       /* /Reason, UTF-8, or NULL */
    const char *location;     /* /Location, UTF-8, or NULL */
    int certify;              /* 0: approval signature; 1, 2 or 3: certify with DocMDP P */
    const char *password;     /* password of an encrypted input, or NULL */
    long long signing_time;   /* claimed time for /M, seconds since the epoch; 0: now */
    seal_level level;         /* B-B by default */
    const char *tsa_url;      /* RFC 3161 time-stamp authority, needed from B-T up */
    /* Text drawn under the artwork, e.g. the date "2026年12月01日" under a
     * handwritten signature (glyph outlines from the font in fonts/, which
     * has the digits, 年月日 and - . / :); NULL for none. */
    const char *caption;
    /* Version 2: SEAL_SIGN_* flags. */
    unsigned flags;
    /* Version 3: called once per seal drawn, in placement order, after the
     * output is in place (seal_sign_preview: after the PNGs are); never on
     * failure. NULL for none. */
    seal_placed_cb placed_cb;
    void *placed_user;
    /* Version 4: a GB/T 38540 electronic seal (SES_Seal file, seal issue)
     * to sign with instead of artwork_path: its own picture is drawn at
     * its size, and the seal travels in the signed revision (docs/eseal.md).
     * Refused with SEAL_ERR_CERT, naming the seal and the certificate, when
     * the maker's signature fails, the seal is outside its validity at the
     * signing time, or the signer's certificate is not in its list. */
    const char *eseal_path;
} seal_sign_options;

/* A level from B-T up that cannot be reached (no revocation source for a
 * certificate, a revocation service or the time-stamp authority not
 * answering) is SEAL_ERR_NETWORK naming what was missing, with nothing
 * written. With this flag the document is signed at the level reachable
 * instead, and a warning says what was missing and which level it is. */
#define SEAL_SIGN_LEVEL_BEST_EFFORT 0x01u
/* /SubFilter adbe.pkcs7.detached instead of ETSI.CAdES.detached, for the
 * platforms that require it (the CMS is the same: its signed attributes
 * still carry signing-certificate-v2). Most Chinese SM2 PDF tools write
 * this one. */
#define SEAL_SIGN_ADBE_PKCS7 0x02u
/* A GB/T 38540 SES_Signature in /Contents instead of a CMS (/Filter
 * /Adobe.PPKMS, /SubFilter /adbe.pkcs7.detached, dataHash = SM3 of the
 * ByteRange bytes; docs/eseal.md), for the platforms that want one. Needs
 * an e-seal (eseal_path, SEAL_ERR_ARGS without) and an SM2 key
 * (SEAL_ERR_CERT otherwise); B-T puts an RFC 3161 token over the signature
 * value into its [0] timeStamp; B-LT and B-LTA are SEAL_ERR_ARGS. */
#define SEAL_SIGN_FORMAT_SES 0x04u

#define SEAL_SIGN_OPTIONS_VERSION 4
#define SEAL_SIGN_OPTIONS_INIT \
    {SEAL_SIGN_OPTIONS_VERSION, NULL, NULL, 0, NULL, NULL, NULL, 0, NULL, 0, SEAL_LEVEL_B_B, NULL, \
     NULL, 0, NULL, NULL, NULL}

/*
 * Seal in_path into out_path with one incremental update holding a signature
 * field (with a widget per placement showing the artwork at its physical
 * size) and a PAdES B-B signature made with `key`. The input's bytes are an
 * exact prefix of the output; the input is never modified. The output is
 * written to a temporary file beside out_path, re-opened and checked, then
 * renamed into place; on any failure no output file exists. An out_path
 * that is in_path or the artwork, by any spelling (seal_paths_check), is
 * refused with SEAL_ERR_ARGS before anything is read or written.
 *
 * Placement problems that still give a usable seal are warnings on the
 * context's warning callback (one line each): a seal overlapping an
 * existing annotation or another seal of this signature, a seal partly off
 * the page, cross-page slices narrower than SEAL_MIN_STRIP_MM (naming a
 * group size that avoids them).
 *
 * Returns SEAL_OK, or SEAL_ERR_ARGS (also a position that is not a finite
 * number), SEAL_ERR_IO, SEAL_ERR_INPUT (not a PDF,
 * damaged, bad artwork), SEAL_ERR_PASSWORD, SEAL_ERR_REFUSED (DocMDP P=1,
 * FieldMDP lock, field already signed, no permission to modify),
 * SEAL_ERR_NOT_FOUND (page out of range, a seal's centre off its page,
 * keyword or field not there), SEAL_ERR_TOKEN, SEAL_ERR_PIN_*,
 * SEAL_ERR_CRYPTO, SEAL_ERR_NETWORK (TSA, OCSP or CRL unreachable: the URL
 * is in the message, nothing is written).
 *
 * From B-T the CMS carries a signature time-stamp; B-LT adds a further
 * update with /DSS (the signer's and TSA's certificates, OCSP responses
 * and CRLs fetched from the URLs in the certificates); B-LTA then adds a
 * document time-stamp covering it. The level asked for is reached or the
 * call fails (SEAL_ERR_NETWORK), unless SEAL_SIGN_LEVEL_BEST_EFFORT is set
 * (see there). Version 1 options (no flags) and version 2 (no placed_cb)
 * are still accepted.
 */
SEAL_API seal_status seal_sign_file(seal_ctx *ctx, const char *in_path, const char *out_path,
                                    seal_key *key, const seal_sign_options *opts);

/*
 * Render the pages seal_sign_file would stamp, with the seals in place, to
 * PNG at `dpi` — without any key and without writing a PDF. One page goes
 * to png_path; several go to png_path with "-N" (the page number) before
 * its extension, renamed into place only when every page has rendered. Same
 * input checks and statuses as seal_sign_file; no PNG path may name the
 * input or the artwork.
 */
SEAL_API seal_status seal_sign_preview(seal_ctx *ctx, const char *in_path,
                                       const seal_sign_options *opts, const char *png_path,
                                       int dpi);

typedef struct seal_extend_options {
    unsigned version;
    const char *tsa_url;  /* required */
    const char *password; /* of an encrypted input, or NULL */
} seal_extend_options;

#define SEAL_EXTEND_OPTIONS_VERSION 1
#define SEAL_EXTEND_OPTIONS_INIT {SEAL_EXTEND_OPTIONS_VERSION, NULL, NULL}

/*
 * Archive renewal: add fresh validation data (/DSS: every certificate of
 * the document's signatures and time-stamps, with current OCSP responses
 * and CRLs) and a new document time-stamp, as two incremental updates.
 * Earlier signatures stay valid. Same output rules and statuses as
 * seal_sign_file; SEAL_ERR_REFUSED for a document without a signature
 * (nothing, or only document time-stamps).
 */
SEAL_API seal_status seal_extend_file(seal_ctx *ctx, const char *in_path, const char *out_path,
                                      const seal_extend_options *opts);

typedef struct seal_undo_options {
    unsigned version;
    const char *password; /* of an encrypted input, or NULL */
} seal_undo_options;

#define SEAL_UNDO_OPTIONS_VERSION 1
#define SEAL_UNDO_OPTIONS_INIT {SEAL_UNDO_OPTIONS_VERSION, NULL}

/* What seal_undo_file removed and what is left. */
typedef struct seal_undo_info {
    char field[256];        /* the removed signature's field name (cut at 255 bytes) */
    int revision;           /* its revision (1-based), the last of the input */
    int revisions_left;     /* revisions of the output */
    int signatures_left;    /* signatures of the output (document time-stamps not counted) */
    long long size;         /* bytes of the output: a prefix of the input */
    long long removed;      /* bytes removed */
} seal_undo_info;

/*
 * Undo before submission (撤章): remove the last signature of in_path by
 * restoring the revision before it exactly. out_path receives the byte
 * prefix of in_path that ends where the last signature's own revision
 * starts: the document as it was before that signature, byte for byte (so
 * the signatures before it verify as they did). Same output rules as
 * seal_sign_file (no output on an input: SEAL_ERR_ARGS; whole or nothing).
 * `info` may be NULL.
 *
 * Refused with SEAL_ERR_REFUSED and a one-line reason, nothing written,
 * when the file has no signature; when the last revision is not the last
 * signature's own — a document time-stamp, LTV data (a /DSS) or another
 * incremental update covers it, or bytes follow its revision; when that
 * signature is in the file's first revision (nothing before it to
 * restore). Also SEAL_ERR_IO, SEAL_ERR_INPUT, SEAL_ERR_PASSWORD.
 */
SEAL_API seal_status seal_undo_file(seal_ctx *ctx, const char *in_path, const char *out_path,
                                    const seal_undo_options *opts, seal_undo_info *info);

#ifdef __cplusplus
}
#endif

#endif /* SEAL_SIGN_H */
