/*
 * OFD packages (GB/T 33190) as a verifier must read them: the zip's
 * central directory is the list of files, each checked against its local
 * header (a reader going by the local headers must see the same package),
 * every byte outside the listed entries looked at for a hidden entry, and
 * every entry inflated within fixed bounds (zip bombs stop at the bound,
 * not at memory's end). MuPDF's zip reader gives neither duplicates nor the
 * local headers, so the directory is read here.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "ofdint.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_END 0x06054b50u
#define END_LEN 22
#define CENTRAL_LEN 46
#define LOCAL_LEN 30

static unsigned rd16(const unsigned char *p)
{
    return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static uint32_t rd32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int seal__ofd_is_zip(const unsigned char *data, size_t len)
{
    return len >= 4 && data[0] == 'P' && data[1] == 'K' &&
           ((data[2] == 3 && data[3] == 4) || (data[2] == 5 && data[3] == 6));
}

static void finding(seal__ofd *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void finding(seal__ofd *p, const char *fmt, ...)
{
    char buf[400];
    va_list ap;
    if (p->nfindings >= OFD_MAX_FINDINGS)
        return;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    p->findings[p->nfindings] = strdup(buf);
    if (p->findings[p->nfindings])
        p->nfindings++;
}

/* Normal form of a stored name: '/' and '\' separate, empty and "."
 * segments dropped, ".." takes one back (none to take: -1). */
static int normalise(const char *name, char *out, size_t size)
{
    size_t o = 0;
    const char *s = name;
    out[0] = 0;
    while (*s) {
        while (*s == '/' || *s == '\\')
            s++;
        const char *e = s;
        while (*e && *e != '/' && *e != '\\')
            e++;
        size_t n = (size_t)(e - s);
        if (n == 0 || (n == 1 && s[0] == '.')) {
            /* nothing */
        } else if (n == 2 && s[0] == '.' && s[1] == '.') {
            if (o == 0)
                return -1;
            while (o > 0 && out[o - 1] != '/')
                o--;
            o = o > 0 ? o - 1 : 0;
            out[o] = 0;
        } else {
            if (o + 1 + n + 1 > size)
                return -1;
            out[o++] = '/';
            memcpy(out + o, s, n);
            o += n;
            out[o] = 0;
        }
        s = e;
    }
    if (o == 0) {
        if (size < 2)
            return -1;
        strcpy(out, "/");
    }
    return 0;
}

int seal__ofd_resolve(const char *base, const char *ref, char *out, size_t size)
{
    char buf[2 * OFD_MAX_NAME + 4];
    size_t n = 0;

    if (!ref || strlen(ref) > OFD_MAX_NAME || strlen(base) > OFD_MAX_NAME)
        return 0;
    while (*ref == ' ' || *ref == '\t' || *ref == '\n' || *ref == '\r')
        ref++;
    if (*ref != '/' && *ref != '\\') {
        const char *slash = strrchr(base, '/');
        n = slash ? (size_t)(slash - base) : 0;
        memcpy(buf, base, n);
    }
    buf[n++] = '/';
    snprintf(buf + n, sizeof(buf) - n, "%s", ref);
    /* Trailing blanks of an XML text. */
    for (size_t k = strlen(buf); k > 0 && strchr(" \t\r\n", buf[k - 1]); k--)
        buf[k - 1] = 0;
    return normalise(buf, out, size) == 0;
}

/* Inflate (or copy) one entry's data into e; a reason or NULL. */
static const char *inflate_entry(seal__zent *e, const unsigned char *src, size_t csize, unsigned method,
                                 size_t usize, uint32_t crc)
{
    if (usize > OFD_MAX_ENTRY)
        return "has an entry larger than the limit (64 MiB)";
    e->data = malloc(usize ? usize : 1);
    if (!e->data)
        return "cannot be held in memory";
    e->len = usize;
    if (method == 0) {
        if (csize != usize)
            return "has a stored entry with two different sizes";
        memcpy(e->data, src, usize);
    } else {
        z_stream z;
        memset(&z, 0, sizeof(z));
        if (inflateInit2(&z, -15) != Z_OK)
            return "has an entry that cannot be inflated";
        z.next_in = (unsigned char *)src;
        z.avail_in = (uInt)csize;
        z.next_out = e->data;
        z.avail_out = (uInt)usize;
        int rc = inflate(&z, Z_FINISH);
        size_t got = usize - z.avail_out;
        inflateEnd(&z);
        if (rc != Z_STREAM_END || got != usize)
            return rc == Z_BUF_ERROR || rc == Z_OK ? "has an entry that inflates to more than its recorded size"
                                                   : "has an entry that is not valid deflate data";
    }
    if (crc32(0L, e->data, (uInt)usize) != crc)
        return "has a damaged entry (its CRC check fails)";
    return NULL;
}

/* One central-directory record at p (room checked by the caller): the
 * entry, checked against its local header. Returns a reason for refusing
 * the whole file, or NULL; directory entries leave e->name NULL. */
static const char *read_entry(seal__ofd *pk, const unsigned char *data, size_t len, const unsigned char *c,
                              seal__zent *e, size_t *total)
{
    unsigned flags = rd16(c + 8), method = rd16(c + 10);
    uint32_t crc = rd32(c + 16), csize = rd32(c + 20), usize = rd32(c + 24);
    unsigned nlen = rd16(c + 28);
    uint32_t off = rd32(c + 42);
    char path[OFD_MAX_NAME + 2];

    if (nlen == 0 || nlen > OFD_MAX_NAME)
        return "has an entry with an empty or over-long name";
    if (csize == 0xffffffffu || usize == 0xffffffffu || off == 0xffffffffu)
        return "is a ZIP64 archive, which OFD packages never need";
    if (flags & 1)
        return "has encrypted entries";
    if (c[CENTRAL_LEN + nlen - 1] == '/' && usize == 0)
        return NULL; /* a folder */
    if (method != 0 && method != 8)
        return "uses a compression method other than stored or deflate";
    if (memchr(c + CENTRAL_LEN, 0, nlen))
        return "has an entry name with a NUL byte";
    if ((size_t)off > len || len - off < LOCAL_LEN || rd32(data + off) != SIG_LOCAL)
        return "has a central directory entry whose local header is missing";
    const unsigned char *l = data + off;
    unsigned lflags = rd16(l + 6), lnlen = rd16(l + 26), lxlen = rd16(l + 28);
    size_t start = (size_t)off + LOCAL_LEN + lnlen + lxlen;
    if (start > len || len - start < csize)
        return "is truncated: an entry's data runs past the end of the file";
    e->name = malloc(nlen + 1);
    if (!e->name)
        return "cannot be held in memory";
    memcpy(e->name, c + CENTRAL_LEN, nlen);
    e->name[nlen] = 0;
    e->at = off;
    e->end = start + csize;
    int desc = (lflags & 8) != 0;
    if (lnlen != nlen || memcmp(l + LOCAL_LEN, e->name, nlen) || rd16(l + 8) != method ||
        ((lflags ^ flags) & 1) ||
        (!(desc && rd32(l + 14) == 0) && rd32(l + 14) != crc) ||
        (!(desc && rd32(l + 18) == 0) && rd32(l + 18) != csize) ||
        (!(desc && rd32(l + 22) == 0) && rd32(l + 22) != usize))
        finding(pk, "zip entry '%s': its local header disagrees with the central directory", e->name);
    if (normalise(e->name, path, sizeof(path)) != 0)
        return "has an entry name that leaves the package ('..')";
    if (strcmp(path + 1, e->name))
        finding(pk, "zip entry '%s' is not a plain path (read as %s)", e->name, path);
    if (!(e->path = strdup(path)))
        return "cannot be held in memory";
    if ((*total += usize) > OFD_MAX_TOTAL)
        return "inflates to more than the limit (256 MiB): a zip bomb?";
    return inflate_entry(e, data + start, csize, method, usize, crc);
}

static int cmp_ci(const void *a, const void *b)
{
    const seal__zent *x = *(const seal__zent *const *)a, *y = *(const seal__zent *const *)b;
    return strcasecmp(x->path, y->path);
}

static int cmp_at(const void *a, const void *b)
{
    const seal__zent *x = *(const seal__zent *const *)a, *y = *(const seal__zent *const *)b;
    return x->at < y->at ? -1 : x->at > y->at;
}

/* Names twice (or twice but for case), overlapping entries (refused:
 * the zip-bomb construction), local entries the directory does not list. */
static const char *cross_checks(seal__ofd *p, const unsigned char *data, size_t cd_at)
{
    seal__zent **v = malloc((p->n ? p->n : 1) * sizeof(*v));
    const char *bad = NULL;
    if (!v)
        return "cannot be held in memory";
    for (size_t i = 0; i < p->n; i++)
        v[i] = &p->e[i];
    qsort(v, p->n, sizeof(*v), cmp_ci);
    for (size_t i = 1; i < p->n; i++)
        if (strcmp(v[i - 1]->path, v[i]->path) == 0)
            finding(p, "zip entry '%s' is there twice", v[i]->name);
        else if (strcasecmp(v[i - 1]->path, v[i]->path) == 0)
            finding(p, "zip entries '%s' and '%s' differ only by case", v[i - 1]->name, v[i]->name);
    qsort(v, p->n, sizeof(*v), cmp_at);
    size_t from = 0;
    for (size_t i = 0; i <= p->n && !bad; i++) {
        size_t to = i < p->n ? v[i]->at : cd_at;
        if (to < from) {
            bad = "has zip entries that overlap (a zip bomb?)";
            break;
        }
        static const unsigned char sig[4] = {'P', 'K', 3, 4};
        const unsigned char *h = to - from >= 4 ? memmem(data + from, to - from, sig, 4) : NULL;
        if (h)
            finding(p, "bytes at offset %zu hold a zip entry the central directory does not list",
                    (size_t)(h - data));
        if (i < p->n)
            from = v[i]->end;
    }
    free(v);
    return bad;
}

/* The end record: the last one, which must end the file. */
static const char *find_end(const unsigned char *data, size_t len, size_t *cd_at, size_t *cd_len,
                            size_t *count)
{
    if (len < END_LEN)
        return "is too short to be a zip file";
    size_t lo = len > 0xffff + END_LEN ? len - 0xffff - END_LEN : 0;
    for (size_t i = len - END_LEN + 1; i-- > lo;) {
        const unsigned char *q = data + i;
        if (rd32(q) != SIG_END)
            continue;
        if (i + END_LEN + rd16(q + 20) != len)
            return "has bytes after the zip's end record, or a truncated one";
        if (rd16(q + 4) || rd16(q + 6) || rd16(q + 8) != rd16(q + 10))
            return "is a multi-volume zip";
        *count = rd16(q + 10);
        *cd_len = rd32(q + 12);
        *cd_at = rd32(q + 16);
        if (*count == 0xffff || *cd_at == 0xffffffffu)
            return "is a ZIP64 archive, which OFD packages never need";
        if (*cd_at > i || i - *cd_at < *cd_len)
            return "has a central directory outside the file: truncated?";
        return NULL;
    }
    return "has no zip end record: truncated, or not a zip";
}

static const char *read_package(seal__ofd *p, const unsigned char *data, size_t len)
{
    size_t cd_at, cd_len, count, total = 0;
    const char *bad = find_end(data, len, &cd_at, &cd_len, &count);
    if (bad)
        return bad;
    if (count > OFD_MAX_ENTRIES)
        return "has more than 10000 entries";
    if (!(p->e = calloc(count + 1, sizeof(*p->e))))
        return "cannot be held in memory";
    size_t pos = cd_at, end = cd_at + cd_len;
    for (size_t i = 0; i < count; i++) {
        if (end - pos < CENTRAL_LEN || rd32(data + pos) != SIG_CENTRAL)
            return "has a damaged central directory";
        const unsigned char *c = data + pos;
        size_t rec = CENTRAL_LEN + (size_t)rd16(c + 28) + rd16(c + 30) + rd16(c + 32);
        if (end - pos < rec)
            return "has a damaged central directory";
        seal__zent *e = &p->e[p->n];
        if ((bad = read_entry(p, data, len, c, e, &total)) != NULL)
            return bad;
        if (e->name)
            p->n++;
        pos += rec;
    }
    if (pos != end)
        return "has a central directory longer than its entries";
    return cross_checks(p, data, cd_at);
}

seal_status seal__ofd_open(seal_ctx *ctx, const unsigned char *data, size_t len, seal__ofd **out)
{
    seal__ofd *p = calloc(1, sizeof(*p));
    *out = NULL;
    if (!p)
        return seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
    const char *bad = read_package(p, data, len);
    if (bad) {
        /* The entry being read when it failed is freed too. */
        if (p->e && p->e[p->n].name)
            p->n++;
        seal__ofd_free(p);
        return seal__fail(ctx, SEAL_ERR_INPUT, "%s", bad);
    }
    *out = p;
    return SEAL_OK;
}

void seal__ofd_free(seal__ofd *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++) {
        free(p->e[i].name);
        free(p->e[i].path);
        free(p->e[i].data);
    }
    free(p->e);
    for (size_t i = 0; i < p->nfindings; i++)
        free(p->findings[i]);
    free(p);
}

const seal__zent *seal__ofd_find(const seal__ofd *p, const char *path)
{
    for (size_t i = 0; i < p->n; i++)
        if (!strcmp(p->e[i].path, path))
            return &p->e[i];
    return NULL;
}

/* ------------------------------------------------------------ XML */

static int is_named(fz_xml *x, const char *local)
{
    const char *t = fz_xml_tag(x);
    if (!t)
        return 0;
    const char *colon = strrchr(t, ':');
    return !strcmp(colon ? colon + 1 : t, local);
}

fz_xml *seal__ofd_child(fz_xml *x, const char *local)
{
    for (fz_xml *k = x ? fz_xml_down(x) : NULL; k; k = fz_xml_next(k))
        if (is_named(k, local))
            return k;
    return NULL;
}

fz_xml *seal__ofd_next(fz_xml *x, const char *local)
{
    for (fz_xml *k = x ? fz_xml_next(x) : NULL; k; k = fz_xml_next(k))
        if (is_named(k, local))
            return k;
    return NULL;
}

const char *seal__ofd_text(fz_xml *x)
{
    fz_xml *k = x ? fz_xml_down(x) : NULL;
    const char *t = k ? fz_xml_text(k) : NULL;
    return t ? t : "";
}

fz_xml *seal__ofd_xml(fz_context *fz, const seal__zent *e)
{
    fz_buffer *buf = fz_new_buffer_from_copied_data(fz, e->data, e->len);
    fz_xml *volatile x = NULL;
    fz_try(fz)
        x = fz_parse_xml(fz, buf, 0);
    fz_always(fz)
        fz_drop_buffer(fz, buf);
    fz_catch(fz)
        fz_rethrow(fz);
    return x;
}
