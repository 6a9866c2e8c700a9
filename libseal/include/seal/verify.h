/*
 * libseal — verifying the signatures of a PDF for an evaluation committee.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 *
 * "Could not verify" and "the signature is bad" are kept apart: a
 * seal_status error means the file could not be examined at all (unreadable,
 * not a PDF, wrong password, out of memory); every judgement about a
 * signature — broken, forged, untrusted, changed afterwards — is a result in
 * the report, with an ETSI EN 319 102-1 indication and sub-indication.
 */
#ifndef SEAL_VERIFY_H
#define SEAL_VERIFY_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ETSI EN 319 102-1 main indications. */
typedef enum seal_indication {
    SEAL_TOTAL_PASSED = 1,
    SEAL_TOTAL_FAILED = 2,
    SEAL_INDETERMINATE = 3
} seal_indication;

/* ETSI sub-indications (only appended; names from seal_subindication_name). */
typedef enum seal_subindication {
    SEAL_SUB_NONE = 0,
    SEAL_SUB_FORMAT_FAILURE,
    SEAL_SUB_HASH_FAILURE,
    SEAL_SUB_SIG_CRYPTO_FAILURE,
    SEAL_SUB_REVOKED,
    SEAL_SUB_EXPIRED,
    SEAL_SUB_NOT_YET_VALID,
    SEAL_SUB_NO_CERTIFICATE_CHAIN_FOUND,
    SEAL_SUB_CERTIFICATE_CHAIN_GENERAL_FAILURE,
    SEAL_SUB_CRYPTO_CONSTRAINTS_FAILURE,
    SEAL_SUB_OUT_OF_BOUNDS_NO_POE,
    SEAL_SUB_TRY_LATER,
    SEAL_SUB_NO_POE,
    SEAL_SUB_REVOKED_NO_POE,
    SEAL_SUB_SIGNED_DATA_NOT_FOUND,
    SEAL_SUB_NO_SIGNING_CERTIFICATE_FOUND,
    SEAL_SUB_CHAIN_CONSTRAINTS_FAILURE
} seal_subindication;

/* "TOTAL-PASSED", "TOTAL-FAILED", "INDETERMINATE"; never NULL. */
SEAL_API const char *seal_indication_name(seal_indication ind);
/* The ETSI name, e.g. "HASH_FAILURE"; "" for SEAL_SUB_NONE; never NULL. */
SEAL_API const char *seal_subindication_name(seal_subindication sub);
/* A plain explanation of a sub-indication for people, in English (zh = 0)
 * or Chinese (zh = 1); static storage, never NULL. */
SEAL_API const char *seal_subindication_text(seal_subindication sub, int zh);

/* Option flags. */
#define SEAL_VERIFY_REVOCATION_REQUIRE 0x1u /* no revocation data: INDETERMINATE TRY_LATER */
#define SEAL_VERIFY_ALLOW_LEGACY 0x2u       /* accept SHA-1 and RSA < 2048 (old CA certificates) */
#define SEAL_VERIFY_RENDER 0x4u             /* render PNGs of each seal and its page region */
#define SEAL_VERIFY_ONLINE 0x8u             /* fetch OCSP/CRL when nothing is embedded */

typedef struct seal_verify_options {
    unsigned version;
    /* Trust anchors: PEM or DER certificate files (several per PEM file
     * allowed) or directories of them. Nothing trusted: every chain is
     * INDETERMINATE NO_CERTIFICATE_CHAIN_FOUND. */
    const char *const *trust;
    size_t trust_count;
    /* Bid deadline, seconds since the epoch; 0: none. Each signature's
     * proof of existence (a time-stamp) must precede it. */
    long long deadline;
    unsigned flags;           /* SEAL_VERIFY_* */
    const char *password;     /* password of an encrypted document, or NULL */
    int render_dpi;           /* PNG resolution; 0: 96 */
    /* Version 2: the committee's rules (seal/report.h, seal_rule_check):
     * "company[@PAGE]", "legal-rep[@PAGE]", "signature[@PAGE]",
     * "cross-page". Judged into the report's final verdict. */
    const char *const *require;
    size_t require_count;
    /* Version 3: trust anchors for the makers of GB/T 38540 electronic
     * seals (制章者), as files or directories like `trust`. A signature
     * bound to an e-seal whose maker does not chain to one is INDETERMINATE. */
    const char *const *seal_trust;
    size_t seal_trust_count;
} seal_verify_options;

/* Version 1 (without the rules) and 2 (without seal_trust) are still accepted. */
#define SEAL_VERIFY_OPTIONS_VERSION 3
#define SEAL_VERIFY_OPTIONS_INIT {SEAL_VERIFY_OPTIONS_VERSION, NULL, 0, 0, 0, NULL, 0, NULL, 0, NULL, 0}

typedef struct seal_report seal_report;

/*
 * Verify every signature and document time-stamp of path. Returns SEAL_OK
 * with an owned report (whatever the signatures' verdicts), or
 * SEAL_ERR_ARGS, SEAL_ERR_IO, SEAL_ERR_INPUT (not a PDF, unreadable),
 * SEAL_ERR_PASSWORD, SEAL_ERR_NOMEM with *out NULL.
 */
SEAL_API seal_status seal_verify_file(seal_ctx *ctx, const char *path,
                                      const seal_verify_options *opts, seal_report **out);
/* The same over a PDF held in memory (not copied; must outlive the call). */
SEAL_API seal_status seal_verify_buffer(seal_ctx *ctx, const unsigned char *data, size_t len,
                                        const seal_verify_options *opts, seal_report **out);
SEAL_API void seal_report_free(seal_report *rep);

/* Whether later revisions changed the document, seen from one signature. */
typedef enum seal_changes {
    SEAL_CHANGES_NONE = 0,
    SEAL_CHANGES_ALLOWED = 1,   /* only DSS, time-stamps, signatures, permitted form filling/annotations */
    SEAL_CHANGES_DISALLOWED = 2 /* anything else: the signed document is not what is shown */
} seal_changes;

/* Deadline check of one signature. */
typedef enum seal_deadline {
    SEAL_DEADLINE_NONE = 0,     /* no deadline given */
    SEAL_DEADLINE_MET = 1,      /* a time-stamp proves existence before the deadline */
    SEAL_DEADLINE_MISSED = 2,   /* the time-stamped time is after the deadline */
    SEAL_DEADLINE_UNPROVEN = 3, /* only a claimed time: cannot prove it */
    SEAL_DEADLINE_CLAIMED_LATE = 4 /* no trusted time, and /M itself is after the deadline */
} seal_deadline;

/* Revocation status of the signer certificate. */
typedef enum seal_revocation {
    SEAL_REVOCATION_NOT_CHECKED = 0, /* no revocation data available */
    SEAL_REVOCATION_GOOD = 1,
    SEAL_REVOCATION_REVOKED = 2,
    SEAL_REVOCATION_REVOKED_AFTER = 3 /* revoked, but after the trusted signing time */
} seal_revocation;

typedef struct seal_report_info {
    const char *file;            /* the path given, or "" */
    seal_indication indication;  /* the worst of the signatures' (a document with
                                    no signature, only document time-stamps or
                                    nothing, is INDETERMINATE); the committee's
                                    final verdict is seal_report_verdict() */
    seal_subindication subindication;
    const char *reason;          /* one line on why, or "" when TOTAL-PASSED */
    long long size;
    int pages;
    size_t revisions;            /* revisions found by %%EOF markers */
    size_t signatures;
    int docmdp;                  /* P of the certification signature, 0 if none */
} seal_report_info;

typedef struct seal_signature_result {
    const char *field;            /* fully qualified field name */
    const char *type;             /* "Sig" or "DocTimeStamp" */
    const char *subfilter;
    seal_indication indication;
    seal_subindication subindication;
    const char *reason;           /* one line on why, or "" */
    int intact;                   /* messageDigest matches the signed bytes and the value verifies */
    int byte_range_ok;            /* ByteRange shape checks passed */
    const char *signer;           /* signer certificate's subject CN (or whole subject), or "" */
    const char *signer_subject;   /* full subject, one line */
    const char *issuer;           /* issuer, one line */
    const char *serial;           /* hex */
    const char *signing_time;     /* ISO 8601: the trusted time, else the claimed /M, or "" */
    int time_trusted;             /* signing_time comes from a verified time-stamp */
    const char *claimed_time;     /* /M as ISO 8601, or "" */
    const char *timestamp;        /* signature time-stamp genTime, ISO 8601, or "" */
    int timestamp_ok;             /* the time-stamp token verifies and its TSA chain is trusted */
    const char *level;            /* "B-B", "B-T", "B-LT", "B-LTA" or "none" */
    int revision;                 /* 1-based revision the signature covers, 0 if none */
    seal_changes changes_after;
    size_t change_count;          /* seal_report_change(rep, i, k, …) for k < change_count */
    int page;                     /* page of the first placement (its widget when drawn); when
                                     none is drawn, the field's widget's page as seal_inspect_file
                                     gives it; 0 if it has none */
    double rect[4];               /* its /Rect in PDF user space */
    const int *pages;             /* every page a placement draws the seal on, ascending
                                     (seal_report_placement for each placement) */
    size_t page_count;
    const char *seal_kind;        /* "company", "legal-rep", … ; "invisible"; "" if not recorded */
    int certify;                  /* DocMDP P if this is the certification signature, else 0 */
    int chain_trusted;            /* the signer certificate chains to a trust anchor */
    seal_revocation revocation;
    seal_deadline deadline;
    const char *digest_algorithm; /* e.g. "SHA256" */
    const char *key;              /* e.g. "RSA-2048", "EC-256" */
    /* Intermediates missing from the file that SEAL_VERIFY_ONLINE fetched
     * from the certificates' AIA caIssuers URLs, "SUBJECT (URL); ...";
     * "" when none was needed. */
    const char *chain_fetched;
} seal_signature_result;

typedef struct seal_change_info {
    int revision;       /* 1-based revision that made the change */
    int object;         /* object number, 0 if not one object */
    int page;           /* 1-based page it affects, 0 if none */
    const char *kind;   /* e.g. "content", "resources", "overlay annotation", "overridden object",
                           "signature", "dss", "form fill", "annotation", "page added" */
    int allowed;        /* on the whitelist */
    const char *detail; /* one line */
} seal_change_info;

SEAL_API seal_status seal_report_document(const seal_report *rep, seal_report_info *out);
SEAL_API size_t seal_report_signature_count(const seal_report *rep);
SEAL_API seal_status seal_report_signature(const seal_report *rep, size_t i,
                                           seal_signature_result *out);
SEAL_API seal_status seal_report_change(const seal_report *rep, size_t sig, size_t k,
                                        seal_change_info *out);
/*
 * A PNG of signature i's appearance (which = 0) or of its page region with
 * the seal in place (which = 1), when SEAL_VERIFY_RENDER was given and the
 * signature is visible. Returns SEAL_OK with *png pointing into the report,
 * or SEAL_ERR_NOT_FOUND.
 */
SEAL_API seal_status seal_report_png(const seal_report *rep, size_t i, int which,
                                     const unsigned char **png, size_t *len);
/*
 * Crops of the area a "rendering" change names, as drawn from the signed
 * revision (which = 0) and from the document now (which = 1), so the
 * committee can compare them. Returns SEAL_OK with *png pointing into the
 * report, SEAL_ERR_NOT_FOUND when that change has no picture, or
 * SEAL_ERR_ARGS.
 */
SEAL_API seal_status seal_report_change_png(const seal_report *rep, size_t sig, size_t k, int which,
                                            const unsigned char **png, size_t *len);

#ifdef __cplusplus
}
#endif

#endif /* SEAL_VERIFY_H */
