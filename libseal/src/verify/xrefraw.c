/*
 * Cross-reference sections read strictly from the bytes (see xrefraw.h).
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "xrefraw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_ws(unsigned char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0;
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* A non-negative decimal at *p (at most 18 digits); advances *p. */
static int read_uint(const unsigned char *data, size_t len, size_t *p, int64_t *out)
{
    size_t i = *p;
    int64_t v = 0;
    int n = 0;
    while (i < len && is_digit(data[i]) && n < 18) {
        v = v * 10 + (data[i] - '0');
        i++;
        n++;
    }
    if (!n || (i < len && is_digit(data[i])))
        return 0;
    *p = i;
    *out = v;
    return 1;
}

static void skip_ws(const unsigned char *data, size_t len, size_t *p)
{
    while (*p < len && is_ws(data[*p]))
        (*p)++;
}

int64_t seal__xraw_startxref(const unsigned char *data, size_t len, int64_t start, int64_t end)
{
    static const char kw[] = "startxref";
    if (end > (int64_t)len)
        end = (int64_t)len;
    for (int64_t i = end - (int64_t)sizeof(kw) + 1; i >= start; i--) {
        if (data[i] != 's' || memcmp(data + i, kw, sizeof(kw) - 1))
            continue;
        size_t p = (size_t)i + sizeof(kw) - 1;
        int64_t v;
        skip_ws(data, (size_t)end, &p);
        if (!read_uint(data, (size_t)end, &p, &v))
            return -1;
        skip_ws(data, (size_t)end, &p);
        if ((size_t)end - p < 5 || memcmp(data + p, "%%EOF", 5))
            return -1;
        return v;
    }
    return -1;
}

int seal__xraw_obj_at(const unsigned char *data, size_t len, int64_t ofs, int *num, int *gen)
{
    size_t p;
    int64_t a, b;
    if (ofs < 0 || (uint64_t)ofs >= len)
        return 0;
    p = (size_t)ofs;
    /* Readers skip white space before a header (offsets one byte early
     * are common). */
    for (int k = 0; k < 32 && p < len && is_ws(data[p]); k++)
        p++;
    if (!read_uint(data, len, &p, &a) || p >= len || !is_ws(data[p]))
        return 0;
    skip_ws(data, len, &p);
    if (!read_uint(data, len, &p, &b) || p >= len || !is_ws(data[p]))
        return 0;
    skip_ws(data, len, &p);
    if (len - p < 3 || memcmp(data + p, "obj", 3))
        return 0;
    if (len - p > 3 && !is_ws(data[p + 3]) && data[p + 3] != '<' && data[p + 3] != '[' &&
        data[p + 3] != '/' && data[p + 3] != '(' && data[p + 3] != '%')
        return 0;
    if (a > 0x7fffffff || b > 65535)
        return 0;
    *num = (int)a;
    *gen = (int)b;
    return 1;
}

static int add_entry(fz_context *fz, xraw_section *s, int num, int gen, char type, int64_t ofs)
{
    if (s->n >= XRAW_MAX_ENTRIES)
        return 0;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        s->e = fz_realloc_array(fz, s->e, cap, xraw_entry);
        s->cap = cap;
    }
    s->e[s->n].num = num;
    s->e[s->n].gen = gen;
    s->e[s->n].type = type;
    s->e[s->n].ofs = ofs;
    s->n++;
    return 1;
}

#define WHY(...) (snprintf(why, whysize, __VA_ARGS__), -1)

/* A classic table at p ("xref" already matched); its trailer parsed. */
static int read_table(fz_context *fz, pdf_document *doc, const unsigned char *data, size_t lim,
                      size_t p, xraw_section *s, char *why, size_t whysize)
{
    p += 4;
    for (;;) {
        int64_t first, count;
        skip_ws(data, lim, &p);
        if (lim - p >= 7 && !memcmp(data + p, "trailer", 7)) {
            p += 7;
            break;
        }
        if (!read_uint(data, lim, &p, &first) || p >= lim || (data[p] != ' ' && data[p] != '\t'))
            return WHY("malformed cross-reference subsection header at byte %zu", p);
        skip_ws(data, lim, &p);
        if (!read_uint(data, lim, &p, &count))
            return WHY("malformed cross-reference subsection header at byte %zu", p);
        if (first + count > 0x7fffffff || count > XRAW_MAX_ENTRIES)
            return WHY("cross-reference subsection of %lld entries from %lld is out of range",
                       (long long)count, (long long)first);
        /* The end of the header line, then fixed entries. */
        while (p < lim && (data[p] == ' ' || data[p] == '\t'))
            p++;
        if (p < lim && data[p] == '\r')
            p++;
        if (p < lim && data[p] == '\n')
            p++;
        for (int64_t k = 0; k < count; k++) {
            int64_t ofs, gen;
            size_t q = p;
            if (lim - p < 19 || !read_uint(data, lim, &q, &ofs) || q - p != 10 || data[q] != ' ')
                return WHY("malformed cross-reference entry %lld at byte %zu", (long long)(first + k), p);
            size_t g = q + 1;
            if (!read_uint(data, lim, &g, &gen) || g - q - 1 != 5 || data[g] != ' ' ||
                (data[g + 1] != 'n' && data[g + 1] != 'f'))
                return WHY("malformed cross-reference entry %lld at byte %zu", (long long)(first + k), p);
            char type = (char)data[g + 1];
            p = g + 2;
            /* Two end-of-line bytes (" \n", " \r", "\r\n"), or one. */
            if (p < lim && (data[p] == ' ' || data[p] == '\r' || data[p] == '\n'))
                p++;
            if (p < lim && (data[p] == '\n' || data[p] == '\r') && data[p - 1] != '\n')
                p++;
            if (!add_entry(fz, s, (int)(first + k), (int)gen, type, ofs))
                return WHY("more than %d cross-reference entries in one update", XRAW_MAX_ENTRIES);
        }
    }
    /* The trailer dictionary. */
    fz_stream *volatile stm = NULL;
    pdf_lexbuf lb;
    volatile int ok = 0;
    pdf_lexbuf_init(fz, &lb, PDF_LEXBUF_SMALL);
    fz_try(fz) {
        stm = fz_open_memory(fz, data + p, lim - p);
        if (pdf_lex(fz, stm, &lb) == PDF_TOK_OPEN_DICT) {
            s->trailer = pdf_parse_dict(fz, doc, stm, &lb);
            ok = 1;
        }
    }
    fz_always(fz) {
        fz_drop_stream(fz, stm);
        pdf_lexbuf_fin(fz, &lb);
    }
    fz_catch(fz) {
        if (fz_caught(fz) == FZ_ERROR_MEMORY)
            fz_rethrow(fz);
        ok = 0;
    }
    if (!ok)
        return WHY("malformed trailer dictionary after the cross-reference table at byte %zu", p);
    return 0;
}

static int64_t get_be(const unsigned char *p, int w)
{
    int64_t v = 0;
    for (int i = 0; i < w; i++)
        v = (v << 8) | p[i];
    return v;
}

/* The indirect object whose header is at ofs, parsed from data's bytes
 * (its dictionary when it is a stream; *stm_ofs: where the stream's data
 * starts, 0 for none). Throws as MuPDF's parser does. */
pdf_obj *seal__xraw_parse_at(fz_context *fz, pdf_document *doc, const unsigned char *data, size_t len,
                             int64_t ofs, int *num, int64_t *stm_ofs)
{
    fz_stream *volatile file = NULL;
    pdf_obj *volatile obj = NULL;
    int gen = 0, try_repair = 0;

    *stm_ofs = 0;
    fz_try(fz) {
        file = fz_open_memory(fz, data, len);
        fz_seek(fz, file, ofs, SEEK_SET);
        obj = pdf_parse_ind_obj(fz, doc, file, num, &gen, stm_ofs, &try_repair);
    }
    fz_always(fz)
        fz_drop_stream(fz, file);
    fz_catch(fz)
        fz_rethrow(fz);
    return obj;
}

/* A stream's decoded bytes (bounded), read through doc's filters. */
static fz_buffer *decode_at(fz_context *fz, pdf_document *doc, int num, pdf_obj *dict, int64_t stm_ofs)
{
    fz_stream *volatile dec = NULL;
    fz_buffer *volatile buf = NULL;

    fz_try(fz) {
        dec = pdf_open_stream_with_offset(fz, doc, num, dict, stm_ofs);
        buf = fz_read_best(fz, dec, 0, NULL, XRAW_MAX_OBJSTM);
    }
    fz_always(fz)
        fz_drop_stream(fz, dec);
    fz_catch(fz)
        fz_rethrow(fz);
    return buf;
}

/*
 * A cross-reference stream whose header is at ofs: entries appended to s.
 * When s->trailer is NULL the stream's dictionary becomes the trailer.
 */
static int read_xref_stream(fz_context *fz, pdf_document *doc, const unsigned char *data, size_t len,
                            int64_t ofs, xraw_section *s, char *why, size_t whysize)
{
    fz_buffer *volatile buf = NULL;
    pdf_obj *volatile dict = NULL;
    volatile int rc = 0;
    int num = 0, gen = 0;
    int64_t stm_ofs = 0;

    if (!seal__xraw_obj_at(data, len, ofs, &num, &gen))
        return WHY("startxref %lld points at neither a cross-reference table nor a stream", (long long)ofs);
    /* A cross-reference stream is never encrypted, but MuPDF, asked after
     * it has opened the document, would decrypt it: its crypt is set aside
     * while the filter chain is made. */
    pdf_crypt *crypt = doc->crypt;
    doc->crypt = NULL;
    fz_try(fz) {
        dict = seal__xraw_parse_at(fz, doc, data, len, ofs, &num, &stm_ofs);
        s->self_num = num;
        pdf_obj *w = pdf_dict_get(fz, dict, PDF_NAME(W));
        pdf_obj *length = pdf_dict_get(fz, dict, PDF_NAME(Length));
        if (!pdf_name_eq(fz, pdf_dict_get(fz, dict, PDF_NAME(Type)), PDF_NAME(XRef)) || stm_ofs <= 0) {
            rc = WHY("object %d at byte %lld is not a cross-reference stream", num, (long long)ofs);
            break;
        }
        if (pdf_is_indirect(fz, length) || !pdf_is_int(fz, length) || pdf_array_len(fz, w) != 3) {
            rc = WHY("cross-reference stream %d: /Length or /W malformed", num);
            break;
        }
        int ws[3], rowlen = 0;
        for (int i = 0; i < 3; i++) {
            pdf_obj *x = pdf_array_get(fz, w, i);
            ws[i] = pdf_is_int(fz, x) && !pdf_is_indirect(fz, x) ? pdf_to_int(fz, x) : -1;
            if (ws[i] < 0 || ws[i] > 8) {
                rc = WHY("cross-reference stream %d: /W malformed", num);
                break;
            }
            rowlen += ws[i];
        }
        if (rc || rowlen == 0) {
            if (!rc)
                rc = WHY("cross-reference stream %d: /W malformed", num);
            break;
        }
        buf = decode_at(fz, doc, num, dict, stm_ofs);
        unsigned char *bp;
        size_t blen = fz_buffer_storage(fz, buf, &bp), at = 0;
        pdf_obj *index = pdf_dict_get(fz, dict, PDF_NAME(Index));
        int size = pdf_dict_get_int(fz, dict, PDF_NAME(Size));
        int nidx = index ? pdf_array_len(fz, index) : 2;
        if (nidx % 2 || size < 0) {
            rc = WHY("cross-reference stream %d: /Index or /Size malformed", num);
            break;
        }
        for (int k = 0; k < nidx && !rc; k += 2) {
            int64_t first = index ? pdf_array_get_int(fz, index, k) : 0;
            int64_t count = index ? pdf_array_get_int(fz, index, k + 1) : size;
            if (first < 0 || count < 0 || first + count > 0x7fffffff) {
                rc = WHY("cross-reference stream %d: /Index out of range", num);
                break;
            }
            for (int64_t j = 0; j < count; j++) {
                if (blen - at < (size_t)rowlen) {
                    rc = WHY("cross-reference stream %d: %zu bytes, fewer than its /Index lists", num, blen);
                    break;
                }
                int64_t t = ws[0] ? get_be(bp + at, ws[0]) : 1;
                int64_t f2 = get_be(bp + at + ws[0], ws[1]);
                int64_t f3 = get_be(bp + at + ws[0] + ws[1], ws[2]);
                at += (size_t)rowlen;
                char type = t == 0 ? 'f' : t == 1 ? 'n' : t == 2 ? 'o' : '?';
                if (type == '?') {
                    rc = WHY("cross-reference stream %d: entry %lld has unknown type %lld", num,
                             (long long)(first + j), (long long)t);
                    break;
                }
                if (f3 > 0x7fffffff) {
                    rc = WHY("cross-reference stream %d: entry %lld out of range", num, (long long)(first + j));
                    break;
                }
                if (!add_entry(fz, s, (int)(first + j), (int)f3, type, f2)) {
                    rc = WHY("more than %d cross-reference entries in one update", XRAW_MAX_ENTRIES);
                    break;
                }
            }
        }
        if (!rc && !s->trailer) {
            s->trailer = pdf_keep_obj(fz, dict);
            s->is_stream = 1;
        }
    }
    fz_always(fz) {
        doc->crypt = crypt;
        fz_drop_buffer(fz, buf);
        pdf_drop_obj(fz, dict);
    }
    fz_catch(fz) {
        if (fz_caught(fz) == FZ_ERROR_MEMORY)
            fz_rethrow(fz);
        rc = WHY("cross-reference stream at byte %lld cannot be read: %s", (long long)ofs,
                 fz_caught_message(fz));
    }
    return rc;
}

int seal__xraw_read(fz_context *fz, pdf_document *doc, const unsigned char *data, size_t len,
                    int64_t start, int64_t end, xraw_section *out, char *why, size_t whysize)
{
    int64_t sx;
    size_t p;

    memset(out, 0, sizeof(*out));
    out->start = start;
    out->end = end;
    out->prev = -1;
    if (start < 0 || end > (int64_t)len || start >= end)
        return WHY("update bytes %lld-%lld out of the file", (long long)start, (long long)end);
    sx = seal__xraw_startxref(data, len, start, end);
    out->xref_ofs = sx;
    if (sx < 0)
        return WHY("the update ending at byte %lld has no startxref", (long long)end);
    if (sx < start || sx >= end)
        return WHY("the update ending at byte %lld points its startxref (%lld) outside itself",
                   (long long)end, (long long)sx);
    p = (size_t)sx;
    for (int k = 0; k < 32 && p < (size_t)end && is_ws(data[p]); k++)
        p++;
    if ((size_t)end - p >= 4 && !memcmp(data + p, "xref", 4)) {
        if (read_table(fz, doc, data, (size_t)end, p, out, why, whysize))
            return -1;
        /* A hybrid file: the table's trailer names a stream with more. */
        pdf_obj *xs = pdf_dict_get(fz, out->trailer, PDF_NAME(XRefStm));
        if (xs) {
            int64_t xo = pdf_is_int(fz, xs) && !pdf_is_indirect(fz, xs) ? pdf_to_int64(fz, xs) : -1;
            if (xo < start || xo >= sx)
                return WHY("the trailer's /XRefStm (%lld) lies outside its update", (long long)xo);
            if (read_xref_stream(fz, doc, data, len, xo, out, why, whysize))
                return -1;
            out->is_stream = 1;
        }
    } else if (read_xref_stream(fz, doc, data, len, sx, out, why, whysize)) {
        return -1;
    }
    pdf_obj *prev = pdf_dict_get(fz, out->trailer, PDF_NAME(Prev));
    if (prev) {
        if (pdf_is_indirect(fz, prev) || !pdf_is_number(fz, prev) || pdf_to_int64(fz, prev) < 0)
            return WHY("the trailer's /Prev is not a byte offset");
        out->prev = pdf_to_int64(fz, prev);
    }
    return 0;
}

void seal__xraw_free(fz_context *fz, xraw_section *s)
{
    if (!s)
        return;
    fz_free(fz, s->e);
    pdf_drop_obj(fz, s->trailer);
    memset(s, 0, sizeof(*s));
}

/* ------------------------------------------------------------ duplicate keys */

typedef struct dframe {
    int is_dict;
    int expect_key;
    size_t first_key; /* index into the key list where this frame's keys start */
} dframe;

int seal__xraw_dup_key(fz_context *fz, const unsigned char *data, size_t len, int64_t ofs, int header,
                       char *key, size_t keysize)
{
    fz_stream *volatile stm = NULL;
    pdf_lexbuf lb;
    dframe stack[64];
    char (*volatile keys)[128] = NULL;
    volatile size_t nkeys = 0, capkeys = 0;
    volatile int depth = 0, rc = 0;
    volatile long tokens = 0;

    if (ofs < 0 || (uint64_t)ofs >= len)
        return 0;
    pdf_lexbuf_init(fz, &lb, PDF_LEXBUF_SMALL);
    fz_try(fz) {
        stm = fz_open_memory(fz, data + ofs, len - (size_t)ofs);
        if (header) {
            pdf_token a = pdf_lex(fz, stm, &lb), b = pdf_lex(fz, stm, &lb), c = pdf_lex(fz, stm, &lb);
            if (a != PDF_TOK_INT || b != PDF_TOK_INT || c != PDF_TOK_OBJ)
                break;
        }
        for (;;) {
            pdf_token t = pdf_lex(fz, stm, &lb);
            if (++tokens > XRAW_MAX_TOKENS) {
                rc = -1;
                break;
            }
            if (t == PDF_TOK_EOF || t == PDF_TOK_ERROR || t == PDF_TOK_ENDOBJ || t == PDF_TOK_STREAM ||
                t == PDF_TOK_OBJ)
                break;
            dframe *top = depth > 0 ? &stack[depth - 1] : NULL;
            if (t == PDF_TOK_NAME && top && top->is_dict && top->expect_key) {
                for (size_t i = top->first_key; i < nkeys; i++)
                    if (!strncmp(keys[i], lb.scratch, sizeof(keys[i]) - 1)) {
                        snprintf(key, keysize, "%s", lb.scratch);
                        rc = 1;
                        break;
                    }
                if (rc)
                    break;
                if (nkeys == capkeys) {
                    size_t cap = capkeys ? capkeys * 2 : 32;
                    keys = fz_realloc(fz, keys, cap * sizeof(*keys));
                    capkeys = cap;
                }
                snprintf(keys[nkeys], sizeof(keys[nkeys]), "%s", lb.scratch);
                nkeys++;
                top->expect_key = 0;
                continue;
            }
            if (t == PDF_TOK_OPEN_DICT || t == PDF_TOK_OPEN_ARRAY) {
                if (depth >= (int)(sizeof(stack) / sizeof(stack[0]))) {
                    rc = -1;
                    break;
                }
                stack[depth].is_dict = t == PDF_TOK_OPEN_DICT;
                stack[depth].expect_key = 1;
                stack[depth].first_key = nkeys;
                depth++;
                continue;
            }
            if (t == PDF_TOK_CLOSE_DICT || t == PDF_TOK_CLOSE_ARRAY) {
                if (depth == 0)
                    break;
                depth--;
                nkeys = stack[depth].first_key;
                if (depth == 0)
                    break; /* the object's value is complete */
                stack[depth - 1].expect_key = 1;
                continue;
            }
            /* A value: the next name in a dictionary is a key again. A
             * reference's "gen R" tokens that follow change nothing. */
            if (top && top->is_dict)
                top->expect_key = 1;
            if (!top)
                break; /* a plain value at the top: no dictionary */
        }
    }
    fz_always(fz) {
        fz_drop_stream(fz, stm);
        fz_free(fz, keys);
        pdf_lexbuf_fin(fz, &lb);
    }
    fz_catch(fz) {
        if (fz_caught(fz) == FZ_ERROR_MEMORY)
            fz_rethrow(fz);
        rc = 0; /* unreadable: other checks report the object */
    }
    return rc;
}

/* ------------------------------------------------------------ object streams */

fz_buffer *seal__xraw_objstm(fz_context *fz, pdf_document *doc, const unsigned char *data, size_t len,
                             int64_t stm_ofs_hdr, int idx, int *num, size_t *obj_start, char *why,
                             size_t whysize)
{
    fz_buffer *volatile buf = NULL;
    pdf_obj *volatile dict = NULL;
    volatile int bad = 0;
    int onum = 0, ogen = 0;
    int64_t stm_ofs = 0;

    if (!seal__xraw_obj_at(data, len, stm_ofs_hdr, &onum, &ogen)) {
        snprintf(why, whysize, "no object stream header at byte %lld", (long long)stm_ofs_hdr);
        return NULL;
    }
    fz_try(fz) {
        dict = seal__xraw_parse_at(fz, doc, data, len, stm_ofs_hdr, &onum, &stm_ofs);
        int n = pdf_dict_get_int(fz, dict, PDF_NAME(N));
        int first = pdf_dict_get_int(fz, dict, PDF_NAME(First));
        if (!pdf_name_eq(fz, pdf_dict_get(fz, dict, PDF_NAME(Type)), PDF_NAME(ObjStm)) || stm_ofs <= 0 ||
            n <= 0 || first < 0 || idx < 0 || idx >= n) {
            snprintf(why, whysize, "object %d is not an object stream holding entry %d", onum, idx);
            bad = 1;
            break;
        }
        buf = decode_at(fz, doc, onum, dict, stm_ofs);
        unsigned char *bp;
        size_t blen = fz_buffer_storage(fz, buf, &bp), p = 0;
        int64_t a = 0, b = 0;
        int pairs = 0;
        for (; pairs <= idx; pairs++) {
            skip_ws(bp, blen, &p);
            if (!read_uint(bp, blen, &p, &a))
                break;
            skip_ws(bp, blen, &p);
            if (!read_uint(bp, blen, &p, &b))
                break;
        }
        if (pairs <= idx || a > 0x7fffffff || (uint64_t)first + (uint64_t)b >= blen || p > (size_t)first) {
            snprintf(why, whysize, "object stream %d: entry %d malformed", onum, idx);
            bad = 1;
            break;
        }
        *num = (int)a;
        *obj_start = (size_t)first + (size_t)b;
    }
    fz_always(fz)
        pdf_drop_obj(fz, dict);
    fz_catch(fz) {
        if (fz_caught(fz) == FZ_ERROR_MEMORY) {
            fz_drop_buffer(fz, buf);
            fz_rethrow(fz);
        }
        snprintf(why, whysize, "object stream at byte %lld cannot be read: %s", (long long)stm_ofs_hdr,
                 fz_caught_message(fz));
        bad = 1;
    }
    if (bad) {
        fz_drop_buffer(fz, buf);
        return NULL;
    }
    return buf;
}
