/*
 * Inspection: the revisions of a PDF and its signature fields, described
 * without judging them (the verifier judges).
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "keyint.h"
#include "pdfint.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define MAX_REVISIONS 4096
#define MAX_SIGNATURES 1024
#define MAX_CONTENTS (1u << 20)

typedef struct insp_sig {
    seal_signature_info info;
    char *field, *type, *subfilter, *signer, *claimed_time, *reason;
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
    size_t len = (size_t)ins->size, n;
    void *map = NULL;

    ins->revs = lib_calloc(fz, MAX_REVISIONS, sizeof(seal_revision_info));
    if (!len)
        return;
    if (seal__map_file(ctx, path, len, &map) != SEAL_OK)
        seal__throw_recorded(ctx);
    revs = malloc(MAX_REVISIONS * sizeof(*revs));
    if (!revs) {
        munmap(map, len);
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
    munmap(map, len);
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

static void pdf_date_iso(const char *d, char *out, size_t size)
{
    /* D:YYYYMMDDHHmmSS[Z|+HH'mm'] to YYYY-MM-DDTHH:mm:SS[Z|+HH:mm] */
    char digits[15] = "00000000000000";
    size_t n = 0;
    const char *p = d;

    out[0] = 0;
    if (!p || !*p)
        return;
    if (!strncmp(p, "D:", 2))
        p += 2;
    while (n < 14 && *p >= '0' && *p <= '9')
        digits[n++] = *p++;
    if (n < 4)
        return;
    if (n < 6) memcpy(digits + 4, "01", 2);
    if (n < 8) memcpy(digits + 6, "01", 2);
    char tz[8] = "";
    if (*p == 'Z')
        snprintf(tz, sizeof(tz), "Z");
    else if ((*p == '+' || *p == '-') && p[1] && p[2])
        snprintf(tz, sizeof(tz), "%c%c%c:%c%c", p[0], p[1], p[2], p[3] == '\'' ? p[4] : p[3] ? p[3] : '0',
                 p[3] == '\'' ? (p[5] ? p[5] : '0') : (p[4] ? p[4] : '0'));
    snprintf(out, size, "%.4s-%.2s-%.2sT%.2s:%.2s:%.2s%s", digits, digits + 4, digits + 6,
             digits + 8, digits + 10, digits + 12, tz);
}

static void add_field(seal_ctx *ctx, pdf_obj *field, const char *name, void *user)
{
    fz_context *fz = ctx->fz;
    walk_state *w = user;
    seal_inspection *ins = w->ins;
    pdf_obj *v, *br, *widget, *kids;
    insp_sig *s;
    char when[40];

    if (!pdf_name_eq(fz, pdf_dict_get_inheritable(fz, field, PDF_NAME(FT)), PDF_NAME(Sig)))
        return;
    if (ins->nsigs >= MAX_SIGNATURES)
        return;
    s = &ins->sigs[ins->nsigs++];
    memset(s, 0, sizeof(*s));
    v = pdf_dict_get(fz, field, PDF_NAME(V));
    s->field = dup_str(fz, name);
    s->type = dup_str(fz, pdf_is_dict(fz, v) ? (pdf_dict_get(fz, v, PDF_NAME(Type))
                                                    ? pdf_to_name(fz, pdf_dict_get(fz, v, PDF_NAME(Type)))
                                                    : "Sig")
                                             : "");
    s->subfilter = dup_str(fz, pdf_to_name(fz, pdf_dict_get(fz, v, PDF_NAME(SubFilter))));
    pdf_date_iso(pdf_dict_get_text_string(fz, v, PDF_NAME(M)), when, sizeof(when));
    s->claimed_time = dup_str(fz, when);
    s->reason = dup_str(fz, pdf_dict_get_text_string(fz, v, PDF_NAME(Reason)));
    s->info.is_signed = pdf_is_dict(fz, v);

    br = pdf_dict_get(fz, v, PDF_NAME(ByteRange));
    s->info.byte_range_count = pdf_array_len(fz, br);
    for (int i = 0; i < 4 && i < s->info.byte_range_count; i++)
        s->info.byte_range[i] = pdf_to_int64(fz, pdf_array_get(fz, br, i));
    if (s->info.byte_range_count == 4) {
        long long end = s->info.byte_range[2] + s->info.byte_range[3];
        s->info.covers_whole_file = s->info.byte_range[0] == 0 && end == ins->size;
        for (size_t r = 0; r < ins->nrevs; r++)
            if (ins->revs[r].end == end) {
                s->info.revision = (int)r + 1;
                ins->revs[r].signature = (int)(ins->nsigs - 1);
            }
    }
    pdf_obj *contents = pdf_dict_get(fz, v, PDF_NAME(Contents));
    if (pdf_is_string(fz, contents)) {
        size_t len = pdf_to_str_len(fz, contents);
        s->info.contents_len = (long long)len;
        char *name_cn = len <= MAX_CONTENTS
                            ? seal__cms_signer_name((const unsigned char *)pdf_to_str_buf(fz, contents), len)
                            : NULL;
        s->signer = dup_str(fz, name_cn);
        free(name_cn);
    } else {
        s->signer = dup_str(fz, "");
    }
    pdf_obj *perm = pdf_dict_getp(fz, pdf_trailer(fz, w->doc), "Root/Perms/DocMDP");
    if (perm && pdf_objcmp_resolve(fz, perm, v) == 0)
        s->info.certify = seal__pdf_docmdp(ctx, w->doc);

    /* The first widget: the field itself, or its first kid. */
    kids = pdf_dict_get(fz, field, PDF_NAME(Kids));
    widget = pdf_array_len(fz, kids) > 0 ? pdf_array_get(fz, kids, 0) : field;
    fz_rect r = pdf_dict_get_rect(fz, widget, PDF_NAME(Rect));
    s->info.rect[0] = r.x0;
    s->info.rect[1] = r.y0;
    s->info.rect[2] = r.x1;
    s->info.rect[3] = r.y1;
    s->info.visible = (r.x1 - r.x0) > 0 && (r.y1 - r.y0) > 0;
    s->info.page = seal__pdf_page_number(ctx, w->doc, pdf_dict_get(fz, widget, PDF_NAME(P)));
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
