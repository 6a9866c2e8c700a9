/*
 * The signed revision, for the signer (pdfsign.c) and for the long-term
 * updates (ltv.c) alike: a signature dictionary with /ByteRange and
 * /Contents placeholders, an invisible field for it, free field names, the
 * incremental save, then the byte ranges patched, the signature value
 * written into the gap, checked as written, and the file re-opened.
 * Placeholders in, a checked revision out.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "pdfint.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#define CHUNK (1 << 16)
#define BYTE_RANGE_DIGITS 10 /* placeholder width: files up to 9.3 GB */

typedef struct name_scan {
    const char *want;
    int taken;
} name_scan;

static void scan_name(seal_ctx *ctx, pdf_obj *field, const char *name, void *user)
{
    name_scan *s = user;
    (void)ctx;
    (void)field;
    if (!strcmp(name, s->want))
        s->taken = 1;
}

int seal__field_name_taken(seal_ctx *ctx, pdf_document *doc, const char *name)
{
    name_scan s = {name, 0};
    seal__pdf_each_field(ctx, doc, scan_name, &s);
    return s.taken;
}

void seal__add_to_annots(seal_ctx *ctx, pdf_document *doc, pdf_obj *page, pdf_obj *widget)
{
    fz_context *fz = ctx->fz;
    pdf_obj *annots = pdf_dict_get(fz, page, PDF_NAME(Annots));
    (void)doc;
    if (!pdf_is_array(fz, annots))
        annots = pdf_dict_put_array(fz, page, PDF_NAME(Annots), 1);
    pdf_array_push(fz, annots, widget);
}

pdf_obj *seal__sig_dict(seal_ctx *ctx, pdf_document *doc, const char *type, const char *subfilter,
                        size_t contents_len)
{
    fz_context *fz = ctx->fz;
    pdf_obj *sig = pdf_add_new_dict(fz, doc, 8), *br;
    char *placeholder = NULL;

    fz_var(placeholder);
    fz_try(fz) {
        pdf_dict_put_name(fz, sig, PDF_NAME(Type), type);
        pdf_dict_put(fz, sig, PDF_NAME(Filter), PDF_NAME(Adobe_PPKLite));
        pdf_dict_put_name(fz, sig, PDF_NAME(SubFilter), subfilter);
        br = pdf_dict_put_array(fz, sig, PDF_NAME(ByteRange), 4);
        pdf_array_push_int(fz, br, 0);
        for (int i = 0; i < 3; i++)
            pdf_array_push_int(fz, br, 9999999999LL);
        /* Printable placeholder; replaced, delimiters included, by a hex
         * string once the byte ranges are known. */
        placeholder = fz_malloc(fz, contents_len * 2);
        memset(placeholder, '0', contents_len * 2);
        pdf_dict_put_string(fz, sig, PDF_NAME(Contents), placeholder, contents_len * 2);
    }
    fz_always(fz)
        fz_free(fz, placeholder);
    fz_catch(fz) {
        pdf_drop_obj(fz, sig);
        fz_rethrow(fz);
    }
    return sig;
}

void seal__invisible_widget(seal_ctx *ctx, pdf_document *doc, pdf_obj *field)
{
    fz_context *fz = ctx->fz;
    pdf_obj *page = pdf_lookup_page_obj(fz, doc, 0);

    pdf_dict_put(fz, field, PDF_NAME(Type), PDF_NAME(Annot));
    pdf_dict_put(fz, field, PDF_NAME(Subtype), PDF_NAME(Widget));
    pdf_dict_put_rect(fz, field, PDF_NAME(Rect), fz_make_rect(0, 0, 0, 0));
    pdf_dict_put_int(fz, field, PDF_NAME(F), 4 | 128); /* Print, Locked */
    pdf_dict_put(fz, field, PDF_NAME(P), page);
    seal__add_to_annots(ctx, doc, page, field);
}

void seal__add_invisible_field(seal_ctx *ctx, pdf_document *doc, const char *name, pdf_obj *sig)
{
    fz_context *fz = ctx->fz;
    pdf_obj *root = pdf_dict_get(fz, pdf_trailer(fz, doc), PDF_NAME(Root));
    pdf_obj *field = pdf_add_new_dict(fz, doc, 8), *acroform, *fields;

    fz_try(fz) {
        pdf_dict_put(fz, field, PDF_NAME(FT), PDF_NAME(Sig));
        pdf_dict_put_text_string(fz, field, PDF_NAME(T), name);
        pdf_dict_put(fz, field, PDF_NAME(V), sig);
        seal__invisible_widget(ctx, doc, field);
        acroform = pdf_dict_get(fz, root, PDF_NAME(AcroForm));
        if (!pdf_is_dict(fz, acroform)) {
            pdf_dict_put_drop(fz, root, PDF_NAME(AcroForm), pdf_add_new_dict(fz, doc, 2));
            acroform = pdf_dict_get(fz, root, PDF_NAME(AcroForm));
        }
        fields = pdf_dict_get(fz, acroform, PDF_NAME(Fields));
        if (!pdf_is_array(fz, fields))
            fields = pdf_dict_put_array(fz, acroform, PDF_NAME(Fields), 1);
        pdf_array_push(fz, fields, field);
        pdf_dict_put_int(fz, acroform, PDF_NAME(SigFlags), 3);
    }
    fz_always(fz)
        pdf_drop_obj(fz, field);
    fz_catch(fz)
        fz_rethrow(fz);
}

void seal__unique_field_name(seal_ctx *ctx, pdf_document *doc, const char *stem, char *out,
                             size_t size)
{
    name_scan s = {out, 0};
    for (int i = 1; i < 10000; i++) {
        snprintf(out, size, "%s%d", stem, i);
        s.taken = 0;
        seal__pdf_each_field(ctx, doc, scan_name, &s);
        if (!s.taken)
            return;
    }
    seal__throw(ctx, SEAL_ERR_INPUT, "no free signature field name");
}

/* Where the placeholders landed in the written file. */
typedef struct sig_span {
    int64_t br_start, br_end;       /* "[0 ... ]" */
    int64_t contents_start, contents_end; /* string token, delimiters included */
} sig_span;

/* Skip a PDF string token starting at s[i] ('(' or '<'); returns the index
 * after it, or -1. */
static int64_t skip_string(const char *s, int64_t i, int64_t n)
{
    if (s[i] == '<') {
        for (i++; i < n; i++)
            if (s[i] == '>')
                return i + 1;
        return -1;
    }
    int depth = 0;
    for (; i < n; i++) {
        if (s[i] == '\\') {
            i++;
        } else if (s[i] == '(') {
            depth++;
        } else if (s[i] == ')') {
            if (--depth == 0)
                return i + 1;
        }
    }
    return -1;
}

/* Find the signature object in the tail written by the incremental save
 * and, at its top dictionary level, the /ByteRange array and the /Contents
 * string. Strings are skipped so no text inside /Reason can be mistaken
 * for a key. */
static void find_placeholders(seal_ctx *ctx, const char *tail, int64_t n, int64_t base, int num,
                              sig_span *span)
{
    char head[32];
    int hl = snprintf(head, sizeof(head), "%d 0 obj", num);
    int64_t i = -1;

    memset(span, 0, sizeof(*span));
    for (int64_t k = 0; k + hl <= n; k++) {
        if ((k == 0 || tail[k - 1] == '\n' || tail[k - 1] == '\r') && !memcmp(tail + k, head, (size_t)hl)) {
            i = k + hl;
            break;
        }
    }
    if (i < 0)
        seal__throw(ctx, SEAL_ERR_INTERNAL, "signature object %d not found in the written update", num);
    int depth = 0;
    for (; i < n; i++) {
        char c = tail[i];
        if (c == '<' && i + 1 < n && tail[i + 1] == '<') {
            depth++;
            i++;
        } else if (c == '>' && i + 1 < n && tail[i + 1] == '>') {
            if (--depth == 0)
                break;
            i++;
        } else if (c == '(' || c == '<') {
            int64_t e = skip_string(tail, i, n);
            if (e < 0)
                break;
            i = e - 1;
        } else if (c == '/' && depth == 1) {
            if (!strncmp(tail + i, "/ByteRange", 10)) {
                int64_t j = i + 10;
                while (j < n && tail[j] != '[')
                    j++;
                span->br_start = base + j;
                while (j < n && tail[j] != ']')
                    j++;
                span->br_end = base + j + 1;
                i = j;
            } else if (!strncmp(tail + i, "/Contents", 9)) {
                int64_t j = i + 9;
                while (j < n && (tail[j] == ' ' || tail[j] == '\n' || tail[j] == '\r'))
                    j++;
                if (j < n && (tail[j] == '(' || tail[j] == '<')) {
                    int64_t e = skip_string(tail, j, n);
                    if (e > 0) {
                        span->contents_start = base + j;
                        span->contents_end = base + e;
                        i = e - 1;
                    }
                }
            }
        }
    }
    if (!span->br_start || !span->br_end || !span->contents_start)
        seal__throw(ctx, SEAL_ERR_INTERNAL, "placeholders of signature object %d not found", num);
}

static void pread_all(seal_ctx *ctx, int fd, void *buf, size_t len, int64_t off)
{
    size_t got = 0;
    while (got < len) {
        ssize_t r = pread(fd, (char *)buf + got, len - got, (off_t)(off + (int64_t)got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            seal__throw(ctx, SEAL_ERR_IO, "cannot read the temporary output: %s",
                        r < 0 ? strerror(errno) : "short file");
        got += (size_t)r;
    }
}

static void pwrite_all(seal_ctx *ctx, int fd, const void *buf, size_t len, int64_t off)
{
    size_t done = 0;
    while (done < len) {
        ssize_t r = pwrite(fd, (const char *)buf + done, len - done, (off_t)(off + (int64_t)done));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            seal__throw(ctx, SEAL_ERR_IO, "cannot write the temporary output: %s", strerror(errno));
        done += (size_t)r;
    }
}

/* SHA-256 (or the 32-byte digest md_nid) over [0, a) and [b, end) of fd;
 * when in_fd >= 0, also check that the first in_len bytes equal the input
 * file's. */
static void hash_ranges(seal_ctx *ctx, int fd, int64_t a, int64_t b, int64_t end, int in_fd,
                        int64_t in_len, int md_nid, unsigned char digest[32])
{
    seal__digest *md = seal__digest_new(md_nid ? EVP_get_digestbynid(md_nid) : EVP_sha256());
    unsigned char *buf = malloc(CHUNK), *ibuf = in_fd >= 0 ? malloc(CHUNK) : NULL;
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    int ok = md && buf && (in_fd < 0 || ibuf);

    for (int part = 0; ok && part < 2; part++) {
        int64_t off = part ? b : 0, stop = part ? end : a;
        while (ok && off < stop) {
            size_t len = (size_t)(stop - off < CHUNK ? stop - off : CHUNK);
            ssize_t r = pread(fd, buf, len, (off_t)off);
            if (r <= 0) {
                ok = 0;
                break;
            }
            if (ibuf && off < in_len) {
                size_t cmp = (size_t)r;
                if (off + (int64_t)cmp > in_len)
                    cmp = (size_t)(in_len - off);
                if (pread(in_fd, ibuf, cmp, (off_t)off) != (ssize_t)cmp || memcmp(buf, ibuf, cmp)) {
                    free(buf);
                    free(ibuf);
                    seal__digest_free(md);
                    seal__throw(ctx, SEAL_ERR_INTERNAL,
                                "the output does not start with the input's exact bytes");
                }
            }
            ok = seal__digest_update(md, buf, (size_t)r);
            off += r;
        }
    }
    if (ok)
        ok = seal__digest_final(md, out, &dlen) && dlen == 32;
    if (ok)
        memcpy(digest, out, 32);
    free(buf);
    free(ibuf);
    seal__digest_free(md);
    if (!ok)
        seal__ossl_throw(ctx, SEAL_ERR_IO, "cannot hash the signed byte ranges");
}

/* Patch ByteRange and Contents in the written file and fill the gap. */
static void patch_and_fill(seal_ctx *ctx, const char *tmp, const char *in_path, int64_t in_len,
                           int sig_num, size_t contents_len, const seal__filler *fill)
{
    int fd = -1, in_fd = -1;
    char *tail = NULL, *hex = NULL;
    unsigned char *der = NULL, digest[32];
    size_t derlen = 0;
    struct stat st;
    sig_span span;
    fz_context *fz = ctx->fz;

    fz_var(fd);
    fz_var(in_fd);
    fz_var(tail);
    fz_var(hex);
    fz_var(der);
    fz_try(fz) {
        fd = open(tmp, O_RDWR | O_CLOEXEC);
        in_fd = open(in_path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || in_fd < 0 || fstat(fd, &st) != 0)
            seal__throw(ctx, SEAL_ERR_IO, "cannot reopen the output: %s", strerror(errno));
        int64_t end = (int64_t)st.st_size;
        if (end <= in_len)
            seal__throw(ctx, SEAL_ERR_INTERNAL, "the incremental update is empty");
        tail = malloc((size_t)(end - in_len));
        if (!tail)
            seal__throw(ctx, SEAL_ERR_NOMEM, "out of memory");
        pread_all(ctx, fd, tail, (size_t)(end - in_len), in_len);
        find_placeholders(ctx, tail, end - in_len, in_len, sig_num, &span);

        /* The gap is exactly the /Contents string, delimiters included. */
        int64_t a = span.contents_start, b = span.contents_end;
        size_t width = (size_t)(b - a);
        if (width < 2 * contents_len + 2)
            seal__throw(ctx, SEAL_ERR_INTERNAL, "the signature placeholder shrank when written");
        char br[64];
        int brlen = snprintf(br, sizeof(br), "[0 %lld %lld %lld]", (long long)a, (long long)b,
                             (long long)(end - b));
        if (brlen > span.br_end - span.br_start)
            seal__throw(ctx, SEAL_ERR_INTERNAL, "the ByteRange placeholder is too small");
        /* Pad inside the brackets so the array stays the same width. */
        char padded[64];
        int64_t brw = span.br_end - span.br_start;
        memset(padded, ' ', (size_t)brw);
        memcpy(padded, br, (size_t)brlen - 1);
        padded[brw - 1] = ']';
        pwrite_all(ctx, fd, padded, (size_t)brw, span.br_start);

        hash_ranges(ctx, fd, a, b, end, in_fd, in_len, fill->md_nid, digest);
        if (fill->range) {
            fill->range[0] = 0;
            fill->range[1] = a;
            fill->range[2] = b;
            fill->range[3] = end - b;
        }
        if (fill->make(ctx, fill->user, digest, &der, &derlen) != SEAL_OK)
            seal__throw_recorded(ctx);
        if (2 * derlen + 2 > width)
            seal__throw(ctx, SEAL_ERR_INTERNAL,
                        "the signature (%zu bytes) is larger than its reserved space (%zu)", derlen,
                        (width - 2) / 2);
        hex = malloc(width + 1);
        if (!hex)
            seal__throw(ctx, SEAL_ERR_NOMEM, "out of memory");
        memset(hex, '0', width);
        hex[0] = '<';
        seal__hex(der, derlen, hex + 1);
        hex[1 + 2 * derlen] = '0';
        hex[width - 1] = '>';
        pwrite_all(ctx, fd, hex, width, a);

        /* Check what is on disk. The digest was computed from the written
         * file itself and only the gap has been written since, so the file
         * must still have its length, and what is read back from the gap
         * must carry that digest and verify. */
        if (fstat(fd, &st) != 0 || (int64_t)st.st_size != end)
            seal__throw(ctx, SEAL_ERR_IO, "the output changed while it was being signed");
        pread_all(ctx, fd, hex, width, a);
        for (size_t k = 0; k < derlen; k++) {
            unsigned v;
            sscanf(hex + 1 + 2 * k, "%2x", &v);
            der[k] = (unsigned char)v;
        }
        if (fill->check(ctx, fill->user, der, derlen, digest) != SEAL_OK)
            seal__throw_recorded(ctx);
    }
    fz_always(fz) {
        if (fd >= 0)
            close(fd);
        if (in_fd >= 0)
            close(in_fd);
        free(tail);
        free(hex);
        free(der);
    }
    fz_catch(fz)
        fz_rethrow(fz);
}

/* Re-open the finished file: MuPDF must read it without repair and find the
 * signature where we put it. */
static void reopen_check(seal_ctx *ctx, const char *tmp, const char *password, int sig_num)
{
    fz_context *fz = ctx->fz;
    pdf_document *doc = NULL;

    fz_var(doc);
    fz_try(fz) {
        doc = pdf_open_document(fz, tmp);
        if (pdf_needs_password(fz, doc))
            pdf_authenticate_password(fz, doc, password ? password : "");
        pdf_count_pages(fz, doc);
        if (pdf_was_repaired(fz, doc))
            seal__throw(ctx, SEAL_ERR_INTERNAL, "the signed output needed repair when re-read");
        pdf_obj *sig = pdf_load_object(fz, doc, sig_num);
        pdf_obj *type = pdf_dict_get(fz, sig, PDF_NAME(Type));
        int ok = (pdf_name_eq(fz, type, PDF_NAME(Sig)) || !strcmp(pdf_to_name(fz, type), "DocTimeStamp")) &&
                 pdf_array_len(fz, pdf_dict_get(fz, sig, PDF_NAME(ByteRange))) == 4;
        pdf_drop_obj(fz, sig);
        if (!ok)
            seal__throw(ctx, SEAL_ERR_INTERNAL, "the signature is not found when the output is re-read");
    }
    fz_always(fz)
        pdf_drop_document(fz, doc);
    fz_catch(fz) {
        if (ctx->status == SEAL_OK)
            seal__throw(ctx, SEAL_ERR_INTERNAL, "the signed output cannot be re-read: %s",
                        fz_caught_message(fz));
        fz_rethrow(fz);
    }
}

void seal__save_revision(seal_ctx *ctx, pdf_document *doc, const char *target, char *tmp,
                         size_t tmpsize)
{
    fz_context *fz = ctx->fz;
    pdf_write_options wo = {0};

    if (seal__temp_path(ctx, target, tmp, tmpsize) != SEAL_OK)
        seal__throw_recorded(ctx);
    wo.do_incremental = 1;
    wo.do_compress = 1;
    fz_try(fz)
        pdf_save_document(fz, doc, tmp, &wo);
    fz_catch(fz) {
        unlink(tmp);
        /* Damage found only while objects were read for the update. */
        if (pdf_was_repaired(fz, doc))
            seal__throw(ctx, SEAL_ERR_INPUT,
                        "the document has a damaged cross-reference table; an incremental "
                        "update on it would not be valid (repair it first, e.g. with qpdf)");
        if (seal__fz_io_reason(ctx))
            seal__throw(ctx, SEAL_ERR_IO, "cannot write %s: %s", target, seal__fz_io_reason(ctx));
        fz_rethrow(fz);
    }
}

void seal__write_signed_revision(seal_ctx *ctx, pdf_document *doc, const char *in_path,
                                 int64_t in_len, const char *target, int sig_num,
                                 size_t contents_len, const seal__filler *fill,
                                 const char *password, char *tmp, size_t tmpsize)
{
    fz_context *fz = ctx->fz;

    seal__save_revision(ctx, doc, target, tmp, tmpsize);
    fz_try(fz) {
        patch_and_fill(ctx, tmp, in_path, in_len, sig_num, contents_len, fill);
        reopen_check(ctx, tmp, password, sig_num);
    }
    fz_catch(fz) {
        unlink(tmp);
        fz_rethrow(fz);
    }
}
