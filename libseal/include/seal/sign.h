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
    SEAL_PLACE_AT = 1 /* page + centre in mm from the top-left of the page as displayed */
} seal_place_kind;

typedef struct seal_placement {
    seal_place_kind kind;
    int page;           /* 1-based */
    double x_mm, y_mm;  /* seal centre */
} seal_placement;

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
} seal_sign_options;

#define SEAL_SIGN_OPTIONS_VERSION 1
#define SEAL_SIGN_OPTIONS_INIT {SEAL_SIGN_OPTIONS_VERSION, NULL, NULL, 0, NULL, NULL, NULL, 0, NULL, 0}

/*
 * Seal in_path into out_path with one incremental update holding a signature
 * field (with a widget per placement showing the artwork at its physical
 * size) and a PAdES B-B signature made with `key`. The input's bytes are an
 * exact prefix of the output; the input is never modified. The output is
 * written to a temporary file beside out_path, re-opened and checked, then
 * renamed into place; on any failure no output file exists.
 *
 * Returns SEAL_OK, or SEAL_ERR_ARGS, SEAL_ERR_IO, SEAL_ERR_INPUT (not a PDF,
 * damaged, bad artwork), SEAL_ERR_PASSWORD, SEAL_ERR_REFUSED (DocMDP P=1,
 * FieldMDP lock, field already signed, no permission to modify),
 * SEAL_ERR_NOT_FOUND (page out of range), SEAL_ERR_TOKEN, SEAL_ERR_PIN_*,
 * SEAL_ERR_CRYPTO.
 */
SEAL_API seal_status seal_sign_file(seal_ctx *ctx, const char *in_path, const char *out_path,
                                    seal_key *key, const seal_sign_options *opts);

#ifdef __cplusplus
}
#endif

#endif /* SEAL_SIGN_H */
