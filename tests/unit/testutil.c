/*
 * Helpers shared by the unit suites.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "testutil.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mupdf/pdf.h>

const char *fx(const char *rel)
{
    static char bufs[8][4096];
    static int next;
    char *b = bufs[next++ % 8];
    snprintf(b, sizeof(bufs[0]), "%s/%s", SEAL_TEST_FIXTURES, rel);
    return b;
}

const char *tmpdir(void)
{
    static char path[4096];
    snprintf(path, sizeof(path), "%s/unit-XXXXXX", SEAL_TEST_FIXTURES);
    if (!mkdtemp(path))
        abort();
    return path;
}

unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *d;
    long n;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    d = malloc((size_t)n + 1);
    if (d && fread(d, 1, (size_t)n, f) != (size_t)n) {
        free(d);
        d = NULL;
    }
    fclose(f);
    if (d) {
        d[n] = 0;
        *len = (size_t)n;
    }
    return d;
}

int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

int is_prefix_file(const char *a, const char *b)
{
    size_t la, lb;
    unsigned char *da = slurp(a, &la), *db = slurp(b, &lb);
    int ok = da && db && la < lb && memcmp(da, db, la) == 0;
    free(da);
    free(db);
    return ok;
}

int dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    if (!d)
        return -1;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

const char *token_uri(const char *object)
{
    static char buf[4][512];
    static int next;
    char *b = buf[next++ % 4];
    snprintf(b, sizeof(buf[0]),
             "pkcs11:token=SealToken;object=%s?module-path=/usr/lib/softhsm/libsofthsm2.so", object);
    return b;
}

seal_status pin_from_file(void *user, const char *label, unsigned flags, char *buf, size_t size)
{
    size_t len;
    unsigned char *d = slurp(fx((const char *)user), &len);
    (void)label;
    (void)flags;
    if (!d)
        return SEAL_ERR_CANCELLED;
    while (len && (d[len - 1] == '\n' || d[len - 1] == '\r'))
        len--;
    if (len + 1 > size) {
        free(d);
        return SEAL_ERR_ARGS;
    }
    memcpy(buf, d, len);
    buf[len] = 0;
    free(d);
    return SEAL_OK;
}

static void tpdf_vadd(tpdf *p, const char *fmt, va_list ap)
{
    va_list aq;
    va_copy(aq, ap);
    int n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    if (n < 0)
        abort();
    if (p->len + (size_t)n + 1 > p->cap) {
        p->cap = (p->len + (size_t)n + 1) * 2;
        p->buf = realloc(p->buf, p->cap);
        if (!p->buf)
            abort();
    }
    vsnprintf(p->buf + p->len, (size_t)n + 1, fmt, ap);
    p->len += (size_t)n;
}

void tpdf_raw(tpdf *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tpdf_vadd(p, fmt, ap);
    va_end(ap);
}

void tpdf_init(tpdf *p)
{
    memset(p, 0, sizeof(*p));
    p->xref = -1;
    tpdf_raw(p, "%%PDF-1.7\n%%\xe2\xe3\xcf\xd3\n");
}

void tpdf_free(tpdf *p)
{
    free(p->buf);
    memset(p, 0, sizeof(*p));
}

static void tpdf_define(tpdf *p, int num)
{
    if (num <= 0 || num >= TPDF_MAX_OBJ)
        abort();
    p->ofs[num] = (long)p->len;
    for (int i = 0; i < p->npending; i++)
        if (p->pending[i] == num)
            return;
    p->pending[p->npending++] = num;
    if (num + 1 > p->size)
        p->size = num + 1;
}

void tpdf_obj(tpdf *p, int num, const char *fmt, ...)
{
    va_list ap;
    tpdf_define(p, num);
    tpdf_raw(p, "%d %d obj\n", num, p->gen[num]);
    va_start(ap, fmt);
    tpdf_vadd(p, fmt, ap);
    va_end(ap);
    tpdf_raw(p, "\nendobj\n");
}

void tpdf_stream(tpdf *p, int num, const char *dict_extra, const char *data)
{
    tpdf_obj(p, num, "<< /Length %zu %s>>\nstream\n%s\nendstream", strlen(data),
             dict_extra ? dict_extra : "", data);
}

long tpdf_xref(tpdf *p, const int *freed, long prev, const char *extra)
{
    long at = (long)p->len;
    tpdf_raw(p, "xref\n");
    if (p->xref < 0)
        tpdf_raw(p, "0 1\n0000000000 65535 f\r\n");
    for (int i = 0; i < p->npending; i++)
        tpdf_raw(p, "%d 1\n%010ld %05d n\r\n", p->pending[i], p->ofs[p->pending[i]], p->gen[p->pending[i]]);
    for (int i = 0; freed && freed[i]; i++) {
        p->gen[freed[i]]++;
        tpdf_raw(p, "%d 1\n0000000000 %05d f\r\n", freed[i], p->gen[freed[i]]);
    }
    if (prev == TPDF_PREV)
        prev = p->xref;
    tpdf_raw(p, "trailer\n<< /Size %d /Root 1 0 R ", p->size);
    if (prev >= 0)
        tpdf_raw(p, "/Prev %ld ", prev);
    tpdf_raw(p, "%s>>\nstartxref\n%ld\n%%%%EOF\n", extra ? extra : "", at);
    p->npending = 0;
    p->xref = at;
    return at;
}

pdf_document *tpdf_open(fz_context *fz, const tpdf *p, size_t len)
{
    fz_stream *stm = fz_open_memory(fz, (const unsigned char *)p->buf, len ? len : p->len);
    pdf_document *doc = NULL;
    fz_try(fz)
        doc = pdf_open_document_with_stream(fz, stm);
    fz_always(fz)
        fz_drop_stream(fz, stm);
    fz_catch(fz)
        fz_rethrow(fz);
    return doc;
}

void collect_warning(void *user, const char *message)
{
    warnbuf *w = user;
    size_t l = strlen(w->text);
    snprintf(w->text + l, sizeof(w->text) - l, "%s\n", message);
    w->count++;
}
