/*
 * Internal interface between the verifier (verify.c, vplace.c) and the
 * committee's report (report.c). Not installed.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef SEAL_REPORTINT_H
#define SEAL_REPORTINT_H

#include "verifyint.h"

typedef struct vrule {
    char *rule;
    int met;
    char why[300];
} vrule;

struct seal_report {
    seal_report_info info;
    char *file;
    char reason[300];
    vsig *sigs;
    size_t nsigs;
    /* The committee's judgement (report.c). */
    vrule *rules;
    size_t nrules;
    long long deadline;           /* epoch, 0: none */
    seal_deadline deadline_state;
    const char *verdict;          /* static string */
    char verdict_reason[400];
    int exit_code;
    char placements_limit[120];   /* why placements were not all examined, or "" */
};

/* vplace.c: every placement of every signature (widgets, seal stamps,
 * cross-page strips) from the pages' /Annots. When a bound stops the walk,
 * why is written to limit (never a silent cap). */
void seal__vfy_placements(seal_ctx *ctx, vdoc *d, char *limit, size_t limit_size);

/* vofd.c: the signatures of the OFD package d->data (GB/T 33190) into
 * rep->sigs and d->sigs, each verified and judged for changes, before the
 * verdicts are finished as a PDF's are. Throws SEAL_ERR_INPUT with a
 * one-line reason for a package that cannot be used. */
void seal__vofd_verify(seal_ctx *ctx, seal_report *rep, vdoc *d, vtrust *t);

/* report.c: the rules, the deadline and the final verdict of a verified
 * report. SEAL_ERR_NOMEM on failure. */
seal_status seal__report_judge(seal_report *rep, const seal_verify_options *opts);
void seal__report_free_rules(seal_report *rep);

/* vsigner.c: the rule signer=WANT (an organisation name or a unified social
 * credit code) judged on the report's signatures into r. */
void seal__signer_judge(const seal_report *rep, vrule *r, const char *want);

#endif /* SEAL_REPORTINT_H */
