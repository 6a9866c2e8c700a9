/*
 * Shared PDF helpers: checking, opening, walking form fields, DocMDP.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "pdfint.h"

#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PDF_PROBE 1024

const char *seal__pdf_probe(const unsigned char *head, size_t n, const unsigned char *tail, size_t m)
{
    if (n < 8 || !memmem(head, n < PDF_PROBE ? n : PDF_PROBE, "%PDF-", 5))
        return "is not a PDF (no %PDF- header)";
    if (m > PDF_PROBE) {
        tail += m - PDF_PROBE;
        m = PDF_PROBE;
    }
    if (!memmem(tail, m, "%%EOF", 5))
        return "is truncated or damaged (no %%EOF at its end)";
    return NULL;
}

int64_t seal__pdf_check_file(seal_ctx *ctx, const char *path)
{
    struct stat st;
    unsigned char head[PDF_PROBE], tail[PDF_PROBE];
    ssize_t n, m;
    const char *bad;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        seal__throw(ctx, SEAL_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        seal__throw(ctx, SEAL_ERR_INPUT, "%s is not a regular file", path);
    }
    n = pread(fd, head, PDF_PROBE, 0);
    m = st.st_size > PDF_PROBE ? pread(fd, tail, PDF_PROBE, st.st_size - PDF_PROBE)
                               : pread(fd, tail, (size_t)st.st_size, 0);
    close(fd);
    if (n < 0 || m < 0)
        seal__throw(ctx, SEAL_ERR_IO, "cannot read %s", path);
    if ((bad = seal__pdf_probe(head, (size_t)n, tail, (size_t)m)) != NULL)
        seal__throw(ctx, SEAL_ERR_INPUT, "%s %s", path, bad);
    return (int64_t)st.st_size;
}

/* /L of the linearization dictionary when the file starts with one, else 0. */
static int64_t linearized_length(const unsigned char *data, size_t len)
{
    char head[PDF_PROBE + 1];
    size_t n = len < PDF_PROBE ? len : PDF_PROBE;
    const char *lin, *l, *end;

    memcpy(head, data, n);
    head[n] = 0;
    for (size_t i = 0; i < n; i++)
        if (!head[i])
            head[i] = ' ';
    lin = strstr(head, "/Linearized");
    if (!lin || !(end = strstr(lin, ">>")))
        return 0;
    /* The dictionary is the first object; /L is a key of it. */
    for (l = lin; (l = strstr(l, "/L")) != NULL && l < end; l += 2)
        if (l[2] == ' ' || (l[2] >= '0' && l[2] <= '9'))
            return strtoll(l + 2, NULL, 10);
    return 0;
}

/* The next "%%EOF" at or after pos, or NULL. Each '%' is found with
 * memchr (fast on image data, where one byte in 256 is a '%'; a search
 * that sanitizers check only up to what it found). */
static const unsigned char *next_eof(const unsigned char *data, size_t len, size_t pos)
{
    while (pos + 5 <= len) {
        const unsigned char *m = memchr(data + pos, '%', len - pos - 4);
        if (!m)
            return NULL;
        if (memcmp(m, "%%EOF", 5) == 0)
            return m;
        pos = (size_t)(m - data) + 1;
    }
    return NULL;
}

size_t seal__pdf_revisions(const unsigned char *data, size_t len, seal__revision *revs, size_t max)
{
    size_t n = 0, pos = 0;
    int64_t start = 0;
    const unsigned char *f;

    /* The first max revisions: the pattern cannot overlap itself, so a
     * forward scan finds every marker. */
    while (n < max && (f = next_eof(data, len, pos)) != NULL) {
        size_t e = (size_t)(f - data) + 5;
        if (e < len && data[e] == '\r')
            e += (e + 1 < len && data[e + 1] == '\n') ? 2 : 1;
        else if (e < len && data[e] == '\n')
            e += 1;
        revs[n].start = start;
        revs[n].end = (int64_t)e;
        revs[n].terminated = 1;
        n++;
        start = (int64_t)e;
        pos = e;
    }
    /* A linearized file carries a first-page trailer with its own %%EOF;
     * its first revision ends at the length the linearization dictionary
     * gives (/L), so markers before that are not revisions of their own. */
    int64_t lin = linearized_length(data, len);
    if (lin > 0) {
        size_t kept = 0;
        for (size_t r = 0; r < n; r++)
            if (revs[r].end >= lin || r + 1 == n)
                revs[kept++] = revs[r];
        n = kept;
        if (n)
            revs[0].start = 0;
    }
    /* Bytes after the last %%EOF form an unterminated revision. */
    if ((size_t)start < len && n < max) {
        revs[n].start = start;
        revs[n].end = (int64_t)len;
        revs[n].terminated = 0;
        n++;
    }
    return n;
}

pdf_document *seal__pdf_open(seal_ctx *ctx, const char *path, const char *password,
                             int for_update)
{
    fz_context *fz = ctx->fz;
    pdf_document *volatile doc = NULL;

    fz_try(fz)
        doc = pdf_open_document(fz, path);
    fz_catch(fz)
        seal__throw(ctx, SEAL_ERR_INPUT, "%s cannot be read as a PDF: %s", path,
                    fz_caught_message(fz));

    fz_try(fz) {
        if (pdf_needs_password(fz, doc)) {
            if (!password)
                seal__throw(ctx, SEAL_ERR_PASSWORD,
                            "%s is encrypted: give its password (--password-env VAR)", path);
            if (!pdf_authenticate_password(fz, doc, password))
                seal__throw(ctx, SEAL_ERR_PASSWORD, "wrong password for %s", path);
        } else if (password) {
            /* An owner password may still be given to lift permissions. */
            pdf_authenticate_password(fz, doc, password);
        }
        /* Load the page tree now: damage shows up here, not mid-signing. */
        pdf_count_pages(fz, doc);
        if (for_update && pdf_was_repaired(fz, doc))
            seal__throw(ctx, SEAL_ERR_INPUT,
                        "%s has a damaged cross-reference table; an incremental update on it would "
                        "not be valid (repair it first, e.g. with qpdf)",
                        path);
    }
    fz_catch(fz) {
        pdf_drop_document(fz, doc);
        if (ctx->status != SEAL_OK)
            fz_rethrow(fz);
        seal__throw(ctx, SEAL_ERR_INPUT, "%s cannot be read as a PDF: %s", path,
                    fz_caught_message(fz));
    }
    return doc;
}

static void walk_fields(seal_ctx *ctx, pdf_obj *field, const char *prefix, int depth, int *count,
                        seal__field_fn *fn, void *user)
{
    fz_context *fz = ctx->fz;
    char name[512];
    const char *t;
    pdf_obj *kids;
    int n;
    volatile int has_field_kids = 0;

    if (depth > SEAL_MAX_FIELD_DEPTH || ++*count > SEAL_MAX_FIELDS || !pdf_is_dict(fz, field))
        return;
    /* A loop in /Kids must not hang us. */
    if (pdf_mark_obj(fz, field))
        return;
    fz_try(fz) {
        t = pdf_dict_get_text_string(fz, field, PDF_NAME(T));
        if (t && *t)
            snprintf(name, sizeof(name), "%s%s%s", prefix, *prefix ? "." : "", t);
        else
            snprintf(name, sizeof(name), "%s", prefix);
        kids = pdf_dict_get(fz, field, PDF_NAME(Kids));
        n = pdf_array_len(fz, kids);
        for (int i = 0; i < n; i++)
            if (pdf_dict_get(fz, pdf_array_get(fz, kids, i), PDF_NAME(T)))
                has_field_kids = 1;
        if (has_field_kids) {
            for (int i = 0; i < n; i++)
                walk_fields(ctx, pdf_array_get(fz, kids, i), name, depth + 1, count, fn, user);
        } else {
            fn(ctx, field, name, user);
        }
    }
    fz_always(fz)
        pdf_unmark_obj(fz, field);
    fz_catch(fz)
        fz_rethrow(fz);
}

void seal__pdf_each_field(seal_ctx *ctx, pdf_document *doc, seal__field_fn *fn, void *user)
{
    fz_context *fz = ctx->fz;
    pdf_obj *fields = pdf_dict_getp(fz, pdf_trailer(fz, doc), "Root/AcroForm/Fields");
    int n = pdf_array_len(fz, fields), count = 0;

    for (int i = 0; i < n; i++)
        walk_fields(ctx, pdf_array_get(fz, fields, i), "", 0, &count, fn, user);
}

int seal__pdf_docmdp(seal_ctx *ctx, pdf_document *doc)
{
    fz_context *fz = ctx->fz;
    pdf_obj *sig = pdf_dict_getp(fz, pdf_trailer(fz, doc), "Root/Perms/DocMDP");
    pdf_obj *refs = pdf_dict_get(fz, sig, PDF_NAME(Reference));
    int n = pdf_array_len(fz, refs);

    if (!sig)
        return 0;
    for (int i = 0; i < n; i++) {
        pdf_obj *r = pdf_array_get(fz, refs, i);
        if (pdf_name_eq(fz, pdf_dict_get(fz, r, PDF_NAME(TransformMethod)), PDF_NAME(DocMDP))) {
            pdf_obj *p = pdf_dict_getp(fz, r, "TransformParams/P");
            /* ISO 32000: a missing P means 2. */
            int v = p ? pdf_to_int(fz, p) : 2;
            return v >= 1 && v <= 3 ? v : 2;
        }
    }
    return 2;
}

#define PAGE_TREE_DEPTH 32

/* Append the pages under node, in MuPDF's order, to nums; 0 when the tree
 * is not one whose every /Count tells the truth (then MuPDF's lookups,
 * which skip by /Count, might find other pages than this walk). A node is
 * what MuPDF takes for one: /Type /Pages, or, untyped, /Kids without
 * /MediaBox. */
static int walk_pages(fz_context *fz, pdf_obj *node, int *nums, int *n, int max, int depth)
{
    pdf_obj *kids = pdf_dict_get(fz, node, PDF_NAME(Kids));
    int len = pdf_array_len(fz, kids);

    if (len == 0 || depth > PAGE_TREE_DEPTH)
        return 0;
    for (int i = 0; i < len; i++) {
        pdf_obj *kid = pdf_array_get(fz, kids, i);
        if (!pdf_is_indirect(fz, kid) || !pdf_is_dict(fz, kid))
            return 0;
        pdf_obj *type = pdf_dict_get(fz, kid, PDF_NAME(Type));
        int inner = type ? pdf_name_eq(fz, type, PDF_NAME(Pages))
                         : pdf_dict_get(fz, kid, PDF_NAME(Kids)) && !pdf_dict_get(fz, kid, PDF_NAME(MediaBox));
        if (inner) {
            int before = *n;
            if (!walk_pages(fz, kid, nums, n, max, depth + 1) ||
                *n - before != pdf_dict_get_int(fz, kid, PDF_NAME(Count)))
                return 0;
        } else {
            if (*n >= max)
                return 0;
            nums[(*n)++] = pdf_to_num(fz, kid);
        }
    }
    return 1;
}

int *seal__pdf_page_nums(fz_context *fz, pdf_document *doc, int *count)
{
    int *volatile nums = NULL;
    volatile int ok = 0, n = 0;

    fz_try(fz) {
        /* A real tree has no more pages than objects: /Count sizes the
         * array only within that. */
        int want = pdf_count_pages(fz, doc);
        if (want >= 0 && want <= pdf_xref_len(fz, doc)) {
            pdf_obj *root = pdf_dict_getp(fz, pdf_trailer(fz, doc), "Root/Pages");
            int got = 0;
            nums = fz_malloc_array(fz, want > 0 ? want : 1, int);
            ok = root && walk_pages(fz, root, nums, &got, want, 0) && got == want;
            n = got;
        }
    }
    fz_catch(fz) {
        if (fz_caught(fz) == FZ_ERROR_MEMORY) {
            fz_free(fz, nums);
            fz_rethrow(fz);
        }
        ok = 0;
    }
    if (!ok) {
        fz_free(fz, nums);
        return NULL;
    }
    *count = n;
    return nums;
}

pdf_obj *seal__pdf_page_ref(fz_context *fz, pdf_document *doc, const int *nums, int count, int p)
{
    if (nums && p >= 0 && p < count && nums[p] > 0 && nums[p] < pdf_xref_len(fz, doc)) {
        pdf_xref_entry *e = pdf_get_xref_entry(fz, doc, nums[p]);
        return pdf_new_indirect(fz, doc, nums[p], e && e->type != 'o' ? e->gen : 0);
    }
    return pdf_keep_obj(fz, pdf_lookup_page_obj(fz, doc, p));
}

int seal__pdf_page_number(seal_ctx *ctx, pdf_document *doc, pdf_obj *page)
{
    fz_context *fz = ctx->fz;
    int n = 0;
    if (!page)
        return 0;
    fz_var(n);
    fz_try(fz)
        n = pdf_lookup_page_number(fz, doc, page) + 1;
    fz_catch(fz)
        n = 0;
    return n;
}

void seal__pdf_sig_field(seal_ctx *ctx, pdf_document *doc, pdf_obj *field, int with_page,
                         seal__sig_field *out)
{
    fz_context *fz = ctx->fz;
    pdf_obj *v = pdf_dict_get(fz, field, PDF_NAME(V)), *kids, *br, *contents;

    memset(out, 0, sizeof(*out));
    out->v = pdf_is_dict(fz, v) ? v : NULL;
    out->type = pdf_to_name(fz, pdf_dict_get(fz, out->v, PDF_NAME(Type)));
    out->subfilter = pdf_to_name(fz, pdf_dict_get(fz, out->v, PDF_NAME(SubFilter)));
    out->reason = pdf_dict_get_text_string(fz, out->v, PDF_NAME(Reason));
    out->claimed = out->v ? pdf_dict_get_date(fz, out->v, PDF_NAME(M)) : 0;
    if (out->claimed < 0)
        out->claimed = 0;
    seal__iso_time(out->claimed, out->claimed_time, sizeof(out->claimed_time));
    br = pdf_dict_get(fz, out->v, PDF_NAME(ByteRange));
    out->br_count = pdf_is_array(fz, br) ? pdf_array_len(fz, br) : -1;
    for (int i = 0; i < 4 && i < out->br_count; i++) {
        pdf_obj *o = pdf_array_get(fz, br, i);
        out->br[i] = pdf_is_int(fz, o) ? pdf_to_int64(fz, o) : -1;
    }
    contents = pdf_dict_get(fz, out->v, PDF_NAME(Contents));
    if (pdf_is_string(fz, contents)) {
        out->contents = pdf_to_str_buf(fz, contents);
        out->contents_len = pdf_to_str_len(fz, contents);
    }
    kids = pdf_dict_get(fz, field, PDF_NAME(Kids));
    out->widget = pdf_array_len(fz, kids) > 0 ? pdf_array_get(fz, kids, 0) : field;
    fz_rect r = pdf_dict_get_rect(fz, out->widget, PDF_NAME(Rect));
    out->rect[0] = r.x0;
    out->rect[1] = r.y0;
    out->rect[2] = r.x1;
    out->rect[3] = r.y1;
    out->visible = r.x1 - r.x0 > 0 && r.y1 - r.y0 > 0;
    pdf_obj *p = pdf_dict_get(fz, out->widget, PDF_NAME(P));
    out->p_num = pdf_is_indirect(fz, p) ? pdf_to_num(fz, p) : 0;
    if (with_page)
        out->page = seal__pdf_page_number(ctx, doc, p);
}

/* The PAdES level names, for the signer and the verifier alike. */
SEAL_API const char *seal_level_name(seal_level level)
{
    static const char *const names[] = {"B-B", "B-T", "B-LT", "B-LTA"};
    return level >= SEAL_LEVEL_B_B && level <= SEAL_LEVEL_B_LTA ? names[level] : NULL;
}

void seal__level_not_reached(seal_ctx *ctx, const char *level, const char *what)
{
    char copy[640];
    snprintf(copy, sizeof(copy), "%s", what);
    seal__throw(ctx, SEAL_ERR_NETWORK,
                "PAdES %s not reached: %s; nothing written (--level-best-effort signs at the level "
                "reachable)",
                level, copy);
}
