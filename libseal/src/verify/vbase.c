/*
 * What every stage of the verifier shares, below all of them: setting a
 * signature's verdict, the time budget, opening a revision (a byte prefix)
 * of the document, recording a change, and reading a signature field into
 * a signature. Calls nothing of the verifier's own.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "verifyint.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int seal__vfy_rank(seal_indication ind)
{
    return ind == SEAL_TOTAL_FAILED ? 2 : ind == SEAL_INDETERMINATE ? 1 : 0;
}

void seal__vfy_set(vsig *s, seal_indication ind, seal_subindication sub, const char *fmt, ...)
{
    char buf[300];
    va_list ap;

    if (seal__vfy_rank(ind) <= seal__vfy_rank(s->r.indication))
        return;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    for (char *c = buf; *c; c++)
        if (*c == '\n' || *c == '\r')
            *c = ' ';
    free(s->reason);
    s->reason = strdup(buf);
    s->r.indication = ind;
    s->r.subindication = sub;
}

#ifndef VFY_TIME_BUDGET
#define VFY_TIME_BUDGET 3.0 /* seconds; a build for profiling under valgrind may set it higher */
#endif

static double now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void seal__vfy_budget_start(vdoc *d)
{
    d->give_up_at = now_mono() + VFY_TIME_BUDGET;
}

int seal__vfy_late(const vdoc *d)
{
    return d->give_up_at > 0 && now_mono() > d->give_up_at;
}

/* ------------------------------------------------------------ documents */

pdf_document *seal__vfy_open_prefix(seal_ctx *ctx, const unsigned char *data, size_t len,
                                    const char *password)
{
    fz_context *fz = ctx->fz;
    fz_stream *stm = NULL;
    pdf_document *doc = NULL;

    fz_var(stm);
    fz_var(doc);
    fz_try(fz) {
        stm = fz_open_memory(fz, data, len);
        doc = pdf_open_document_with_stream(fz, stm);
        if (pdf_needs_password(fz, doc) && !pdf_authenticate_password(fz, doc, password ? password : ""))
            seal__throw(ctx, SEAL_ERR_PASSWORD,
                        password ? "wrong password for the document"
                                 : "the document is encrypted: give its password");
    }
    fz_always(fz)
        fz_drop_stream(fz, stm);
    fz_catch(fz) {
        pdf_drop_document(fz, doc);
        fz_rethrow(fz);
    }
    return doc;
}

/* ------------------------------------------------------------ changes */

void seal__vfy_add_change(vsig *s, int revision, int object, int page, const char *kind,
                          int allowed, const char *fmt, ...)
{
    vchange *c;
    va_list ap;

    if (!allowed)
        s->r.changes_after = SEAL_CHANGES_DISALLOWED;
    else if (s->r.changes_after == SEAL_CHANGES_NONE)
        s->r.changes_after = SEAL_CHANGES_ALLOWED;
    if (s->nchanges >= VFY_MAX_CHANGES) {
        s->changes_more++;
        return;
    }
    if (s->nchanges == s->changes_cap) {
        size_t cap = s->changes_cap ? s->changes_cap * 2 : 8;
        vchange *n = realloc(s->changes, cap * sizeof(*n));
        if (!n) {
            s->changes_more++;
            return;
        }
        s->changes = n;
        s->changes_cap = cap;
    }
    c = &s->changes[s->nchanges++];
    memset(c, 0, sizeof(*c));
    c->info.revision = revision;
    c->info.object = object;
    c->info.page = page;
    c->info.allowed = allowed;
    snprintf(c->kind, sizeof(c->kind), "%s", kind);
    va_start(ap, fmt);
    vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------ signatures */

static char *xstrdup(fz_context *fz, const char *s)
{
    char *r = strdup(s ? s : "");
    if (!r)
        fz_throw(fz, FZ_ERROR_MEMORY, "out of memory");
    return r;
}

/* FieldMDP: which fields a signature locks. */
static void read_locks(fz_context *fz, vsig *s, pdf_obj *sig, pdf_obj *field)
{
    pdf_obj *refs = pdf_dict_get(fz, sig, PDF_NAME(Reference));
    pdf_obj *params = NULL;
    int n = pdf_array_len(fz, refs);

    for (int i = 0; i < n && i < 16; i++) {
        pdf_obj *r = pdf_array_get(fz, refs, i);
        if (pdf_name_eq(fz, pdf_dict_get(fz, r, PDF_NAME(TransformMethod)), PDF_NAME(FieldMDP)))
            params = pdf_dict_get(fz, r, PDF_NAME(TransformParams));
    }
    if (!params)
        params = pdf_dict_get(fz, field, PDF_NAME(Lock));
    if (!pdf_is_dict(fz, params))
        return;
    pdf_obj *action = pdf_dict_get(fz, params, PDF_NAME(Action));
    s->lock_all = pdf_name_eq(fz, action, PDF_NAME(All))       ? 1
                  : pdf_name_eq(fz, action, PDF_NAME(Include)) ? 2
                  : pdf_name_eq(fz, action, PDF_NAME(Exclude)) ? 3
                                                               : 0;
    pdf_obj *fields = pdf_dict_get(fz, params, PDF_NAME(Fields));
    int nf = pdf_array_len(fz, fields);
    if (nf > 256)
        nf = 256;
    if (nf > 0) {
        s->lock_fields = calloc((size_t)nf, sizeof(char *));
        if (!s->lock_fields)
            fz_throw(fz, FZ_ERROR_MEMORY, "out of memory");
        for (int i = 0; i < nf; i++) {
            s->lock_fields[i] = xstrdup(fz, pdf_to_text_string(fz, pdf_array_get(fz, fields, i)));
            s->nlock_fields = i + 1;
        }
    }
}

void seal__vfy_add_sig(seal_ctx *ctx, pdf_obj *field, const char *name, void *user)
{
    fz_context *fz = ctx->fz;
    vcollect *c = user;
    vdoc *d = c->d;
    seal__sig_field f;
    pdf_obj *v;
    vsig *s;

    if (!pdf_name_eq(fz, pdf_dict_get_inheritable(fz, field, PDF_NAME(FT)), PDF_NAME(Sig)))
        return;
    if (!pdf_is_dict(fz, pdf_dict_get(fz, field, PDF_NAME(V))) || d->nsigs >= VFY_MAX_SIGS)
        return;
    seal__pdf_sig_field(ctx, d->doc, field, 0, &f);
    v = f.v;
    /* The same signature dictionary reached twice (shared /V) is one
     * signature. */
    for (size_t i = 0; i < d->nsigs; i++)
        if (pdf_is_indirect(fz, v) && d->sigs[i].sig_num == pdf_to_num(fz, v))
            return;
    s = &d->sigs[d->nsigs];
    s->id = (int)d->nsigs++;
    s->r.indication = SEAL_TOTAL_PASSED;
    s->field = xstrdup(fz, name);
    s->sig_num = pdf_is_indirect(fz, v) ? pdf_to_num(fz, v) : 0;
    s->field_num = pdf_to_num(fz, field);
    s->doc_ts = !strcmp(f.type, "DocTimeStamp");
    s->type = xstrdup(fz, s->doc_ts ? "DocTimeStamp" : "Sig");
    if (*f.type && !s->doc_ts && strcmp(f.type, "Sig"))
        seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_FORMAT_FAILURE,
                      "the signature dictionary's /Type is not /Sig or /DocTimeStamp");
    s->subfilter = xstrdup(fz, f.subfilter);
    s->claimed = f.claimed;
    memcpy(s->claimed_time, f.claimed_time, sizeof(s->claimed_time));
    s->visible = f.visible;
    s->widget_p = f.p_num;
    memcpy(s->widget_rect, f.rect, sizeof(s->widget_rect));
    if (c->docmdp && pdf_objcmp_resolve(fz, c->docmdp, v) == 0) {
        s->r.certify = d->docmdp;
        d->docmdp_sig_num = s->sig_num;
    }

    s->br_count = f.br_count;
    for (int i = 0; i < 4 && i < s->br_count; i++)
        s->br[i] = f.br[i];
    if (s->br_count == 4)
        s->rev_end = s->br[2] + s->br[3];
    if (f.contents) {
        size_t len = f.contents_len;
        s->contents_ok = 1;
        if (len > VFY_MAX_CONTENTS)
            len = 0;
        s->contents = malloc(len + 1);
        if (!s->contents)
            fz_throw(fz, FZ_ERROR_MEMORY, "out of memory");
        memcpy(s->contents, f.contents, len);
        s->contents_len = len;
    }
    read_locks(fz, s, v, field);

}
