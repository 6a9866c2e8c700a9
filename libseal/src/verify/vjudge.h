/*
 * The structural judge's shared state (changes.c reads and accounts for
 * the updates; vrules.c holds the rules objects are judged by). Not
 * installed.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef SEAL_VJUDGE_H
#define SEAL_VJUDGE_H

#include "verifyint.h"
#include "vroles.h"

#define MAX_OBJECTS 2000000
#define MAX_SECTIONS 4096
#define MAX_LIST 5000     /* annotations of a page, fields of a form, examined */
#define MAX_PENDING 4096
#define MAX_AP_WALK 4000
#define MAX_FILLS 256

enum { K_SAME = 0, K_CHANGED, K_NEW, K_FREED, K_COPY /* new, an identical copy of a signed object */ };

typedef struct fentry {
    char type; /* 0: not redefined after the signed revision */
    int gen;
    int64_t ofs;
    int rev;   /* the revision that defined it last */
} fentry;

typedef struct judge {
    seal_ctx *ctx;
    fz_context *fz;
    vdoc *d;
    vsig *s;
    pdf_document *old, *cur;
    int n;           /* object numbers covered */
    int revision;    /* the first revision after the signed one */
    fentry *fin;     /* per object number */
    unsigned char *kind;
    int *mark;       /* per object number: the walk epoch that last saw it */
    int epoch;
    vroles ro, rn;
    int filled[MAX_PENDING];
    int nfilled;
    int pending[MAX_PENDING];
    int npending;
    int capped;
    char capwhy[200];
    struct xraw_section *secs; /* the later updates */
    int nsecs;
} judge;


/* The revision that last defined num (for change lists). */
int seal__vj_rev_of(judge *j, int num);
/* Record that a bound stopped the analysis: the verdict becomes
 * INDETERMINATE with this reason, never a pass. */
void seal__vj_cap(judge *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* 1-based page of an object in the document as shown (else as signed). */
int seal__vj_page_of(judge *j, int num);

#define CHANGE(j, num, pg, kind, ok, ...) \
    seal__vfy_add_change((j)->s, seal__vj_rev_of((j), (num)), (num), (pg), (kind), (ok), __VA_ARGS__)

/* vrules.c */
/* What an object is, for a change list: "font", "form XObject" … */
void seal__vj_describe(fz_context *fz, pdf_obj *o, char *buf, size_t size);
int seal__vj_same_obj(fz_context *fz, pdf_obj *a, pdf_obj *b, int depth);
int seal__vj_same_value(judge *j, int num, pdf_obj *a, pdf_obj *b);
void seal__vj_judge_changed(judge *j, int num, pdf_obj *o, pdf_obj *n);
void seal__vj_judge_new(judge *j, int num, pdf_obj *n);
void seal__vj_settle_pending(judge *j);

#endif /* SEAL_VJUDGE_H */
