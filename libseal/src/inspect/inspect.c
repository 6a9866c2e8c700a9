/*
 * Inspection: the revisions of a PDF and its signature fields, described
 * without judging them (the verifier judges).
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "keyint.h"
#include "pdfint.h"
#include "sesint.h"

#include <stdlib.h>
#include <string.h>

#define MAX_REVISIONS 4096
#define MAX_SIGNATURES 1024
#define MAX_CONTENTS (1u << 20)

typedef struct insp_sig {
    seal_signature_info info;
    char *field, *type, *subfilter, *signer, *claimed_time, *reason;
    seal__ses_sig *ses;       /* /Contents is an SES_Signature */
    seal_ses_info ses_info;   /* its strings below, or owned by ses */
    char *ses_signer, *ses_hash, ses_time[32];
} insp_sig;

struct seal_inspection {
    long long size;
    int pages;
    seal_revision_info *revs;
    size_t nrevs;
    insp_sig *sigs;
    size_t nsigs;
};

/* The revisions, from the one revision index verify uses too: the same
 * numbers in both commands (linearized files, an unterminated tail). The
 * file is mapped, not read. */
/* The inspection outlives this call's MuPDF state, and the caller frees it
 * with seal_inspection_free: its memory comes from libc, never fz_malloc. */
static void *lib_calloc(fz_context *fz, size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (!p)
        fz_throw(fz, FZ_ERROR_MEMORY, "out of memory");
    return p;
}

static void find_revisions(seal_ctx *ctx, seal_inspection *ins, const char *path)
{
    fz_context *fz = ctx->fz;
    seal__revision *revs = NULL;
    size_t len = (size_t)ins->size, n, size = 0;
    unsigned char *map = NULL;

    ins->revs = lib_calloc(fz, MAX_REVISIONS, sizeof(seal_revision_info));
    if (!len)
        return;
    if (seal__load_file(ctx, path, len, &map, &size) != SEAL_OK)
        seal__throw_recorded(ctx);
    revs = malloc(MAX_REVISIONS * sizeof(*revs));
    if (!revs) {
        seal__big_free(map, size);
        seal__throw(ctx, SEAL_ERR_NOMEM, "out of memory");
    }
    n = seal__pdf_revisions(map, len, revs, MAX_REVISIONS);
    for (size_t r = 0; r < n; r++) {
        ins->revs[r].start = revs[r].start;
        ins->revs[r].end = revs[r].end;
        ins->revs[r].signature = -1;
    }
    ins->nrevs = n;
    free(revs);
    seal__big_free(map, size);
}

static char *dup_str(fz_context *fz, const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d)
        fz_throw(fz, FZ_ERROR_MEMORY, "out of memory");
    return d;
}

typedef struct walk_state {
    seal_inspection *ins;
    pdf_document *doc;
} walk_state;

/* /Contents holding an SES_Signature: its fields (libc memory). */
static void read_ses(seal_ctx *ctx, insp_sig *s, const unsigned char *p, size_t len)
{
    size_t used = seal__ses_sig_span(p, len), n;
    if (!used)
        return;
    if (seal__ses_sig_parse(ctx, p, used, &s->ses) != SEAL_OK) {
        seal__reset(ctx);
        return;
    }
    seal_ses_info *o = &s->ses_info;
    seal_eseal_info ei;
    seal_eseal_get_info(seal__ses_sig_eseal(s->ses), &ei);
    o->version = seal__ses_sig_version(s->ses);
    o->eseal_name = ei.name;
    o->esid = ei.esid;
    o->algorithm = seal__ses_sig_algorithm(s->ses);
    o->property = seal__ses_sig_property(s->ses);
    o->timestamp = seal__ses_sig_timestamp(s->ses, NULL) != NULL;
    o->signature_valid = seal__ses_sig_verify(s->ses);
    X509 *cert = seal__ses_sig_signer(s->ses);
    s->ses_signer = seal__name_line(X509_get_subject_name(cert));
    seal__iso_time(seal__ses_sig_time(s->ses), s->ses_time, sizeof(s->ses_time));
    const unsigned char *h = seal__ses_sig_data_hash(s->ses, &n);
    if ((s->ses_hash = malloc(2 * n + 1)) != NULL)
        seal__hex(h, n, s->ses_hash);
    seal__cert_text t;
    seal__cert_text_fill(&t, cert);
    free(s->signer);
    s->signer = strdup(t.cn && *t.cn ? t.cn : t.subject ? t.subject : "");
    seal__cert_text_free(&t);
}

static void add_field(seal_ctx *ctx, pdf_obj *field, const char *name, void *user)
{
    fz_context *fz = ctx->fz;
    walk_state *w = user;
    seal_inspection *ins = w->ins;
    seal__sig_field f;
    insp_sig *s;

    if (!pdf_name_eq(fz, pdf_dict_get_inheritable(fz, field, PDF_NAME(FT)), PDF_NAME(Sig)))
        return;
    if (ins->nsigs >= MAX_SIGNATURES)
        return;
    s = &ins->sigs[ins->nsigs++];
    memset(s, 0, sizeof(*s));
    seal__pdf_sig_field(ctx, w->doc, field, 1, &f);
    s->field = dup_str(fz, name);
    s->type = dup_str(fz, !f.v ? "" : *f.type ? f.type : "Sig");
    s->subfilter = dup_str(fz, f.subfilter);
    s->claimed_time = dup_str(fz, f.claimed_time);
    s->reason = dup_str(fz, f.reason);
    s->info.is_signed = f.v != NULL;
    s->info.byte_range_count = f.br_count < 0 ? 0 : f.br_count;
    for (int i = 0; i < 4 && i < f.br_count; i++)
        s->info.byte_range[i] = f.br[i];
    if (s->info.byte_range_count == 4) {
        long long end = s->info.byte_range[2] + s->info.byte_range[3];
        s->info.covers_whole_file = s->info.byte_range[0] == 0 && end == ins->size;
        for (size_t r = 0; r < ins->nrevs; r++)
            if (ins->revs[r].end == end) {
                s->info.revision = (int)r + 1;
                ins->revs[r].signature = (int)(ins->nsigs - 1);
            }
    }
    if (f.contents) {
        s->info.contents_len = (long long)f.contents_len;
        char *name_cn = f.contents_len <= MAX_CONTENTS
                            ? seal__cms_signer_name((const unsigned char *)f.contents, f.contents_len)
                            : NULL;
        s->signer = dup_str(fz, name_cn);
        free(name_cn);
        if (f.contents_len <= MAX_CONTENTS)
            read_ses(ctx, s, (const unsigned char *)f.contents, f.contents_len);
    } else {
        s->signer = dup_str(fz, "");
    }
    pdf_obj *perm = pdf_dict_getp(fz, pdf_trailer(fz, w->doc), "Root/Perms/DocMDP");
    if (perm && pdf_objcmp_resolve(fz, perm, f.v) == 0)
        s->info.certify = seal__pdf_docmdp(ctx, w->doc);

    memcpy(s->info.rect, f.rect, sizeof(s->info.rect));
    s->info.visible = f.visible;
    s->info.page = f.page;
}

SEAL_API seal_status seal_inspect_file(seal_ctx *ctx, const char *path, const char *password,
                                       seal_inspection **out)
{
    fz_context *fz;
    pdf_document *volatile doc = NULL;
    seal_inspection *volatile ins = NULL;
    volatile seal_status st = SEAL_OK;

    if (!ctx || !out)
        return SEAL_ERR_ARGS;
    seal__reset(ctx);
    *out = NULL;
    if (!path)
        return seal__fail(ctx, SEAL_ERR_ARGS, "no file given");
    fz = ctx->fz;
    seal__ossl_clear();
    fz_try(fz) {
        ins = lib_calloc(fz, 1, sizeof(*ins));
        ins->size = seal__pdf_check_file(ctx, path);
        doc = seal__pdf_open(ctx, path, password, 0);
        ins->pages = pdf_count_pages(fz, doc);
        find_revisions(ctx, ins, path);
        ins->sigs = lib_calloc(fz, MAX_SIGNATURES, sizeof(insp_sig));
        walk_state w = {ins, doc};
        seal__pdf_each_field(ctx, doc, add_field, &w);
    }
    fz_always(fz)
        pdf_drop_document(fz, doc);
    fz_catch(fz) {
        st = seal__from_fz(ctx, SEAL_ERR_INPUT);
        seal_inspection_free(ins);
        ins = NULL;
    }
    seal__ossl_clear();
    *out = ins;
    return st;
}

SEAL_API void seal_inspection_free(seal_inspection *ins)
{
    if (!ins)
        return;
    for (size_t i = 0; i < ins->nsigs; i++) {
        insp_sig *s = &ins->sigs[i];
        free(s->field);
        free(s->type);
        free(s->subfilter);
        free(s->signer);
        free(s->claimed_time);
        free(s->reason);
        seal__ses_sig_free(s->ses);
        free(s->ses_signer);
        free(s->ses_hash);
    }
    free(ins->sigs);
    free(ins->revs);
    free(ins);
}

SEAL_API long long seal_inspection_file_size(const seal_inspection *ins)
{
    return ins ? ins->size : 0;
}

SEAL_API int seal_inspection_page_count(const seal_inspection *ins)
{
    return ins ? ins->pages : 0;
}

SEAL_API size_t seal_inspection_revision_count(const seal_inspection *ins)
{
    return ins ? ins->nrevs : 0;
}

SEAL_API seal_status seal_inspection_revision(const seal_inspection *ins, size_t i,
                                              seal_revision_info *out)
{
    if (!ins || !out || i >= ins->nrevs)
        return SEAL_ERR_ARGS;
    *out = ins->revs[i];
    return SEAL_OK;
}

SEAL_API size_t seal_inspection_signature_count(const seal_inspection *ins)
{
    return ins ? ins->nsigs : 0;
}

SEAL_API seal_status seal_inspection_signature(const seal_inspection *ins, size_t i,
                                               seal_signature_info *out)
{
    if (!ins || !out || i >= ins->nsigs)
        return SEAL_ERR_ARGS;
    const insp_sig *s = &ins->sigs[i];
    *out = s->info;
    out->field = s->field;
    out->type = s->type;
    out->subfilter = s->subfilter;
    out->signer = s->signer;
    out->claimed_time = s->claimed_time;
    out->reason = s->reason;
    return SEAL_OK;
}

SEAL_API seal_status seal_inspection_ses(const seal_inspection *ins, size_t i, seal_ses_info *out)
{
    if (!ins || !out || i >= ins->nsigs)
        return SEAL_ERR_ARGS;
    const insp_sig *s = &ins->sigs[i];
    if (!s->ses)
        return SEAL_ERR_NOT_FOUND;
    *out = s->ses_info;
    out->signer = s->ses_signer ? s->ses_signer : "";
    out->time = s->ses_time;
    out->data_hash = s->ses_hash ? s->ses_hash : "";
    return SEAL_OK;
}
