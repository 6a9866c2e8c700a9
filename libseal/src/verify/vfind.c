/*
 * Every signature in the file, reachable or not. The form lists the
 * signatures a viewer shows; an attacker who unlinks a field from the form
 * (or points it at another value) hides a signature while its seal may
 * still be drawn. Every "/ByteRange" in the file's bytes is traced to its
 * object; a signature dictionary the form does not list is looked for in
 * the revision it signed, and if its field was there, the signature was
 * hidden after signing: it is reported, TOTAL-FAILED.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "verifyint.h"
#include "xrefraw.h"

#include <string.h>

#define MAX_UNKNOWN 64          /* unlisted signature dictionaries examined */
#define MAX_BACK (256u << 10)   /* bytes searched back for the object header */

/* The "num gen obj" header of the object holding byte at, or -1. */
static int64_t header_before(const unsigned char *data, size_t len, size_t at)
{
    size_t lo = at > MAX_BACK ? at - MAX_BACK : 0;
    for (size_t i = at; i-- > lo + 2;) {
        if (data[i] != 'j' || data[i - 1] != 'b' || data[i - 2] != 'o')
            continue;
        if (i >= 5 && !memcmp(data + i - 5, "endobj", 6))
            return -1; /* the previous object ended: no header for this one */
        size_t p = i - 2;
        int fields = 0;
        while (p > lo && fields < 2) {
            while (p > lo && strchr(" \r\n\t\f", data[p - 1]) && data[p - 1])
                p--;
            size_t e = p;
            while (p > lo && data[p - 1] >= '0' && data[p - 1] <= '9')
                p--;
            if (p == e)
                break;
            fields++;
        }
        int num, gen;
        if (fields == 2 && seal__xraw_obj_at(data, len, (int64_t)p, &num, &gen))
            return (int64_t)p;
        return -1;
    }
    return -1;
}

typedef struct match {
    int num;
    pdf_obj *field;
    char name[256];
} match;

static void match_field(seal_ctx *ctx, pdf_obj *field, const char *name, void *user)
{
    match *m = user;
    if (!m->field && pdf_to_num(ctx->fz, pdf_dict_get(ctx->fz, field, PDF_NAME(V))) == m->num) {
        m->field = field;
        snprintf(m->name, sizeof(m->name), "%s", name);
    }
}

static int known(vdoc *d, int num)
{
    for (size_t i = 0; i < d->nsigs; i++)
        if (d->sigs[i].sig_num == num)
            return 1;
    return 0;
}

/* The object at hdr: a signature dictionary's ByteRange end, or 0. */
static int64_t signed_end(fz_context *fz, vdoc *d, int64_t hdr)
{
    pdf_obj *volatile obj = NULL;
    volatile int64_t end = 0;
    int num;
    int64_t stm_ofs;

    fz_try(fz) {
        obj = seal__xraw_parse_at(fz, d->doc, d->data, d->len, hdr, &num, &stm_ofs);
        pdf_obj *br = pdf_dict_get(fz, obj, PDF_NAME(ByteRange));
        pdf_obj *type = pdf_dict_get(fz, obj, PDF_NAME(Type));
        if (pdf_array_len(fz, br) == 4 && pdf_dict_get(fz, obj, PDF_NAME(Contents)) &&
            (!type || pdf_name_eq(fz, type, PDF_NAME(Sig)) || !strcmp(pdf_to_name(fz, type), "DocTimeStamp")))
            end = pdf_array_get_int(fz, br, 2) + (int64_t)pdf_array_get_int(fz, br, 3);
    }
    fz_always(fz)
        pdf_drop_obj(fz, obj);
    fz_catch(fz) {
        if (fz_caught(fz) == FZ_ERROR_MEMORY)
            fz_rethrow(fz);
        end = 0;
    }
    return end;
}

/* Was signature dictionary num the value of a field of the revision it
 * signed? Then add it, from that revision, as a hidden signature. */
static void add_if_hidden(seal_ctx *ctx, vdoc *d, vcollect *c, int num, int64_t end)
{
    fz_context *fz = ctx->fz;
    pdf_document *volatile doc = NULL;
    match m;

    memset(&m, 0, sizeof(m));
    m.num = num;
    fz_try(fz) {
        doc = seal__vfy_open_prefix(ctx, d->data, (size_t)end, d->password);
        seal__pdf_each_field(ctx, doc, match_field, &m);
        if (m.field && d->nsigs < VFY_MAX_SIGS) {
            size_t before = d->nsigs;
            pdf_obj *docmdp = c->docmdp;
            c->docmdp = NULL; /* a certification of the hidden one is not this document's */
            seal__vfy_add_sig(ctx, m.field, m.name, c);
            c->docmdp = docmdp;
            if (d->nsigs > before) {
                vsig *s = &d->sigs[d->nsigs - 1];
                s->hidden = 1;
                seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_FORMAT_FAILURE,
                              "signature hidden after signing: its field '%s' is no longer in the form, or no "
                              "longer shows this signature",
                              m.name);
            }
        }
    }
    fz_always(fz)
        pdf_drop_document(fz, doc);
    fz_catch(fz) {
        if (fz_caught(fz) == FZ_ERROR_MEMORY)
            fz_rethrow(fz);
        /* A revision that cannot be opened showed no field. */
    }
}

#define MAX_BR_AT 1024 /* offsets kept by the scan; past it the scan goes on here */

void seal__vfy_scan_br_in(vdoc *d, const unsigned char *p, size_t lo, size_t n, size_t to)
{
    size_t end = lo + n;

    if (to > d->len)
        to = d->len;
    /* memchr is far faster than memmem on megabytes of image data; the
     * 'B' of a match starting at s lies at s + 1. */
    size_t b = d->scanned + 1, lim = to + 1 < d->len ? to + 1 : d->len;
    if (lim > end)
        lim = end;
    while (!d->br_more && b < lim && b >= lo) {
        const unsigned char *q = memchr(p + (b - lo), 'B', lim - b);
        if (!q)
            break;
        size_t at = lo + (size_t)(q - p);
        b = at + 1;
        size_t s = at - 1;
        if (s < lo || s + 10 > end || memcmp(p + (s - lo), "/ByteRange", 10) != 0)
            continue;
        if (d->nbr_at % 64 == 0) {
            size_t *more = d->nbr_at < MAX_BR_AT ? realloc(d->br_at, (d->nbr_at + 64) * sizeof(*more)) : NULL;
            if (!more) {
                d->br_more = 1; /* the rest is scanned after the join */
                break;
            }
            d->br_at = more;
        }
        d->br_at[d->nbr_at++] = s;
    }
    if (!d->br_more && to > d->scanned)
        d->scanned = to;
}

void seal__vfy_scan_br(vdoc *d, size_t to)
{
    seal__vfy_scan_br_in(d, d->data, 0, d->len, to);
}

/* One "/ByteRange" at offset at: a signature dictionary the form does not
 * list? Returns 0 when the examination limit is reached. */
static int examine(seal_ctx *ctx, vdoc *d, vcollect *c, size_t at, int *unknown)
{
    int num, gen;
    int64_t hdr = header_before(d->data, d->len, at);
    if (hdr < 0 || !seal__xraw_obj_at(d->data, d->len, hdr, &num, &gen) || known(d, num))
        return 1;
    if (++*unknown > MAX_UNKNOWN) {
        for (size_t i = 0; i < d->nsigs; i++)
            seal__vfy_set(&d->sigs[i], SEAL_INDETERMINATE, SEAL_SUB_NONE,
                          "more than %d signature dictionaries outside the form: not all examined", MAX_UNKNOWN);
        return 0;
    }
    int64_t e = signed_end(ctx->fz, d, hdr);
    if (e > 0 && (uint64_t)e <= d->len)
        add_if_hidden(ctx, d, c, num, e);
    return 1;
}

void seal__vfy_find_hidden(seal_ctx *ctx, vdoc *d, vcollect *c)
{
    int unknown = 0;

    for (size_t i = 0; i < d->nbr_at; i++)
        if (!examine(ctx, d, c, d->br_at[i], &unknown))
            return;
    /* What the hashing pass did not keep or did not reach. */
    size_t from = d->nbr_at ? d->br_at[d->nbr_at - 1] + 1 : 0;
    if (d->br_more || d->scanned < d->len) {
        if (!d->br_more && d->scanned > from)
            from = d->scanned;
        free(d->br_at);
        d->br_at = NULL;
        d->nbr_at = 0;
        d->br_more = 0;
        d->scanned = from;
        while (d->scanned < d->len) {
            seal__vfy_scan_br(d, d->len);
            for (size_t i = 0; i < d->nbr_at; i++)
                if (!examine(ctx, d, c, d->br_at[i], &unknown))
                    return;
            if (!d->br_more)
                break;
            d->scanned = d->br_at[d->nbr_at - 1] + 1;
            d->nbr_at = 0;
            d->br_more = 0;
        }
    }
}
