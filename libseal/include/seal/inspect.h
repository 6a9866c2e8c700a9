/*
 * libseal — what a PDF holds: revisions and signature fields.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 *
 * Inspection describes; it does not judge. Checking that a signature is
 * genuine is the verifier's job.
 */
#ifndef SEAL_INSPECT_H
#define SEAL_INSPECT_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct seal_inspection seal_inspection;

typedef struct seal_revision_info {
    long long start; /* first byte of the revision (0 for the original) */
    long long end;   /* one past its last byte (after %%EOF and its end-of-line) */
    int signature;   /* index of the signature whose ByteRange ends here, or -1 */
} seal_revision_info;

typedef struct seal_signature_info {
    const char *field;        /* fully qualified field name */
    const char *type;         /* "Sig", "DocTimeStamp", or "" for an empty field */
    const char *subfilter;    /* e.g. "ETSI.CAdES.detached", or "" */
    const char *signer;       /* signer certificate's subject CN, or "" */
    const char *claimed_time; /* /M as ISO 8601 (claimed by the signer), or "" */
    const char *reason;       /* /Reason, or "" */
    int is_signed;            /* the field has a signature value */
    int byte_range_count;     /* number of integers in /ByteRange (4 when well formed) */
    long long byte_range[4];
    long long contents_len;   /* bytes of /Contents (decoded) */
    int covers_whole_file;    /* the ByteRange ends at the end of the file */
    int revision;             /* 1-based revision ending where the ByteRange ends, 0 if none */
    int certify;              /* DocMDP P when this is a certification signature, else 0 */
    int page;                 /* 1-based page of the first widget, 0 when it has none */
    double rect[4];           /* widget /Rect in PDF user space */
    int visible;              /* the widget has a non-empty rectangle */
} seal_signature_info;

/*
 * Read path and describe it. `password` may be NULL. Returns SEAL_OK with an
 * owned inspection, or SEAL_ERR_IO, SEAL_ERR_INPUT, SEAL_ERR_PASSWORD.
 */
SEAL_API seal_status seal_inspect_file(seal_ctx *ctx, const char *path, const char *password,
                                       seal_inspection **out);
SEAL_API void seal_inspection_free(seal_inspection *ins);

SEAL_API long long seal_inspection_file_size(const seal_inspection *ins);
SEAL_API int seal_inspection_page_count(const seal_inspection *ins);
SEAL_API size_t seal_inspection_revision_count(const seal_inspection *ins);
SEAL_API seal_status seal_inspection_revision(const seal_inspection *ins, size_t i,
                                              seal_revision_info *out);
SEAL_API size_t seal_inspection_signature_count(const seal_inspection *ins);
SEAL_API seal_status seal_inspection_signature(const seal_inspection *ins, size_t i,
                                               seal_signature_info *out);

/* A GB/T 38540 SES_Signature in a signature's /Contents (seal sign
 * --format ses, docs/eseal.md). Strings are owned by the inspection. */
typedef struct seal_ses_info {
    int version;             /* 4 (GB/T 38540-2020 layout) or 1 (GM/T 0031-2014) */
    const char *eseal_name;  /* the e-seal it carries: name and esID */
    const char *esid;
    const char *signer;      /* the signer certificate's subject (RFC 2253) */
    const char *algorithm;   /* e.g. "SM2-with-SM3" */
    const char *time;        /* timeInfo, the claimed signing time, ISO 8601, or "" */
    const char *data_hash;   /* dataHash in hex */
    const char *property;    /* propertyInfo */
    int timestamp;           /* it carries a [0] time-stamp token */
    int signature_valid;     /* the signer's signature over TBS_Sign: 1 verifies, 0 does not,
                                -1 algorithm not supported */
} seal_ses_info;

/* The SES_Signature of signature i: SEAL_OK, SEAL_ERR_NOT_FOUND when its
 * /Contents holds none (a CMS), SEAL_ERR_ARGS. */
SEAL_API seal_status seal_inspection_ses(const seal_inspection *ins, size_t i, seal_ses_info *out);

#ifdef __cplusplus
}
#endif

#endif /* SEAL_INSPECT_H */
