/*
 * libseal — the committee's report on a verified PDF: where each seal is
 * drawn, the committee's rules (--require, --deadline), the document's final
 * verdict with its exit code, and the report as text (Chinese and English),
 * JSON, HTML or CSV, computed once here so that every front end says the
 * same thing.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef SEAL_REPORT_H
#define SEAL_REPORT_H

#include "verify.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------ placements */

/* One place a signature's seal is drawn: its widget, a seal stamp (a /Stamp
 * annotation naming the field in /SealField, in the signed revision), or a
 * strip of a cross-page seal (骑缝章; whatever annotation carries it). Only
 * annotations in the page's /Annots that are drawn (not Hidden or NoView,
 * not zero-sized, with an appearance, on the page) count. */
typedef struct seal_placement_info {
    int page;             /* 1-based */
    double rect[4];       /* the annotation's /Rect in PDF user space */
    const char *kind;     /* "widget", "stamp" or "cross-page" */
    const char *seal_kind; /* /SealKind of this appearance, or the signature's, or "" */
    int object;           /* the annotation's object number */
} seal_placement_info;

SEAL_API size_t seal_report_placement_count(const seal_report *rep, size_t sig);
SEAL_API seal_status seal_report_placement(const seal_report *rep, size_t sig, size_t k,
                                           seal_placement_info *out);

/* ------------------------------------------------------------ e-seals */

/* The GB/T 38540 electronic seal a signature is bound to (seal sign
 * --eseal; docs/eseal.md). Strings belong to the report. */
typedef struct seal_eseal_result {
    const char *name, *esid;  /* "" when the seal cannot be read */
    int type;                 /* SEAL_ESEAL_COMPANY (1), SEAL_ESEAL_PERSONAL (2), ... */
    const char *maker;        /* the maker certificate's subject */
    long long valid_from, valid_to;
    int maker_signature;      /* 1 verifies, 0 does not, -1 not checked */
    int maker_trusted;        /* the maker chains to a seal_trust anchor */
    int holder;               /* the signer's certificate is in the seal's list */
    int in_validity;          /* the signing time lies in the seal's validity */
    int picture;              /* 1 each whole seal drawn is its picture, 0 one is not,
                                 -1 none could be compared (cross-page strips only) */
    int bound;                /* every check above holds */
    const char *problem;      /* the first that does not, or "" */
} seal_eseal_result;

/* SEAL_OK, SEAL_ERR_NOT_FOUND when signature i carries no e-seal, or
 * SEAL_ERR_ARGS. */
SEAL_API seal_status seal_report_eseal(const seal_report *rep, size_t i, seal_eseal_result *out);

/* ------------------------------------------------------------ rules */

/* SEAL_OK when rule is one the report judges: company[@PAGE],
 * legal-rep[@PAGE] (also legalrep), signature[@PAGE], cross-page,
 * signer=TEXT; else SEAL_ERR_ARGS. seal_verify_* refuse an unknown rule the
 * same way.
 *
 * signer=TEXT: the bidder's certificate is the expected one. TEXT is an
 * organisation name, matched against the subject's O= values (full-width
 * parentheses as ASCII ones, spaces and ASCII case ignored), or a unified
 * social credit code (统一社会信用代码: 18 characters with a valid check
 * character, see seal_credit_code_check), found in the subject's
 * serialNumber, OU, O, CN or organizationIdentifier (2.5.4.97), alone or
 * at the end of a prefixed value ("NTRCN-…"). The signatures held to it are
 * the company seals when the document has any, else every signature;
 * those that failed provide nothing. Every one must match, and one at
 * least; else the rule is unmet, its why naming what the certificate says.
 * A code-shaped TEXT with a wrong check character is SEAL_ERR_ARGS. */
SEAL_API seal_status seal_rule_check(const char *rule);

/* The check character (GB 32100-2015) that the first 17 characters of an
 * 18-character unified social credit code imply, upper case; 0 when text
 * is not 18 characters of the code alphabet (digits and upper- or
 * lower-case letters other than I, O, S, V, Z). text is a valid code when
 * its 18th character is the one returned. */
SEAL_API char seal_credit_code_check(const char *text);

typedef struct seal_rule_result {
    const char *rule; /* as given */
    int met;          /* a signature that did not fail provides it */
    const char *why;  /* why not, one line; "" when met */
} seal_rule_result;

SEAL_API size_t seal_report_rule_count(const seal_report *rep);
SEAL_API seal_status seal_report_rule(const seal_report *rep, size_t i, seal_rule_result *out);

/* The document's deadline state: SEAL_DEADLINE_NONE without a deadline;
 * MISSED or CLAIMED_LATE when a signature is after it (time-stamped, or by
 * its own claim); UNPROVEN when one has no time-stamp before it; MET. */
SEAL_API seal_deadline seal_report_deadline(const seal_report *rep);

/* ------------------------------------------------------------ verdict */

/* The document's final verdict, the committee's rules and deadline
 * included: "TOTAL-PASSED", "TOTAL-FAILED", "NO-SIGNATURE" (nothing failed,
 * but the document has no signature: none at all, or only document
 * time-stamps, which prove when, not who), "RULES-FAILED" (the signatures
 * did not fail, a rule or the deadline did) or "INDETERMINATE". Never
 * NULL. Its Chinese label: seal_verdict_label(). */
SEAL_API const char *seal_report_verdict(const seal_report *rep);
/* One line on why the final verdict is not TOTAL-PASSED, "" when it is. */
SEAL_API const char *seal_report_verdict_reason(const seal_report *rep);
/* A verdict's plain label, Chinese (zh = 1) or English; "ERROR" is the
 * label of a document that could not be verified. Never NULL. */
SEAL_API const char *seal_verdict_label(const char *verdict, int zh);
/* The exit code of the final verdict: 0 TOTAL-PASSED, 1 TOTAL-FAILED,
 * NO-SIGNATURE or RULES-FAILED, 3 INDETERMINATE. */
SEAL_API int seal_report_exit_code(const seal_report *rep);

/* ------------------------------------------------------------ rendering */

typedef enum seal_report_format {
    SEAL_REPORT_TEXT = 0, /* one document: every signature, Chinese and English labels;
                             several: a summary table (file, bidder, seals, verdict,
                             reason), columns aligned by display width (汉字 two) */
    SEAL_REPORT_JSON = 1, /* one document: the object of design.md; several:
                             {"directory": …, "documents": […]} */
    SEAL_REPORT_HTML = 2, /* a self-contained page (inline seal images) */
    SEAL_REPORT_CSV = 3   /* one row per document for the minutes: UTF-8 with BOM, CRLF,
                             every field quoted (RFC 4180) */
} seal_report_format;

/* One document of a report: verified (rep), or not (rep NULL, status and
 * the one-line error). */
typedef struct seal_report_entry {
    const char *path;
    const seal_report *rep;
    seal_status status;
    const char *error;
} seal_report_entry;

/*
 * Render n documents (a folder's when folder is not NULL, else one) as fmt.
 * The summary and CSV name a document by its path below folder (a path
 * that does not start with folder, by its file name).
 * On SEAL_OK, *out is a NUL-terminated malloc'd text of *len bytes that the
 * caller frees with seal_report_text_free. SEAL_ERR_ARGS, SEAL_ERR_NOMEM.
 */
SEAL_API seal_status seal_report_render(seal_ctx *ctx, const seal_report_entry *docs, size_t n,
                                        const char *folder, seal_report_format fmt, char **out,
                                        size_t *len);
SEAL_API void seal_report_text_free(char *text);
/* The exit code of several documents: 1 if any is 1, else 4 if any could
 * not be verified, else 3 if any is INDETERMINATE, else 0. */
SEAL_API int seal_report_entries_exit_code(const seal_report_entry *docs, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* SEAL_REPORT_H */
