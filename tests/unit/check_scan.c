/*
 * Whole-file scans read in chunks (the verifier's hashing pass and the
 * revision index read a file through pread, a chunk at a time): a pattern
 * across a chunk's edge is found once, exactly where a scan of the whole
 * buffer finds it. Links the internal archive.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pdfint.h"
#include "verifyint.h"

#define LEN ((size_t)3 << 20)
#define CHUNK ((size_t)256 << 10) /* as in verify.c and pdfdoc.c */

/* Bytes with no '%' and no 'B', then the pattern at each offset given. */
static unsigned char *filled(const char *pat, const size_t *at, size_t n)
{
    unsigned char *b = malloc(LEN);
    ck_assert_ptr_nonnull(b);
    for (size_t i = 0; i < LEN; i++)
        b[i] = (unsigned char)("abcdefghij \n/<>0123456789"[(i * 7 + i / 13) % 25]);
    for (size_t k = 0; k < n; k++)
        memcpy(b + at[k], pat, strlen(pat));
    return b;
}

/* Around every chunk edge (LEN is a whole number of chunks, so the edges
 * of a scan from either end are the same), and the file's two ends. */
static size_t edges(size_t *at, size_t patlen)
{
    size_t n = 0, j = 0;
    at[n++] = 0;
    /* Edge j holds the pattern starting j % (patlen + 1) bytes before it:
     * at it, across it by every amount, and ending at it. */
    for (size_t e = CHUNK; e < LEN; e += CHUNK, j++)
        at[n++] = e - j % (patlen + 1);
    at[n++] = LEN - patlen;
    return n;
}

START_TEST(byterange_across_chunk_edges)
{
    size_t at[64], n = edges(at, 10);
    unsigned char *b = filled("/ByteRange", at, n);
    vdoc d;
    memset(&d, 0, sizeof(d));
    d.data = b;
    d.len = LEN;
    /* The hashing pass's windows: each chunk with 16 bytes either side,
     * copied (as pread gives them) so the scan cannot read the buffer. */
    unsigned char *win = malloc(CHUNK + 32);
    for (size_t a = 0; a < LEN; a += CHUNK) {
        size_t e = a + CHUNK < LEN ? a + CHUNK : LEN;
        size_t lo = a > 16 ? a - 16 : 0, hi = e + 16 < LEN ? e + 16 : LEN;
        memcpy(win, b + lo, hi - lo);
        seal__vfy_scan_br_in(&d, win, lo, hi - lo, e);
    }
    ck_assert_uint_eq(d.scanned, LEN);
    ck_assert_uint_eq(d.nbr_at, n);
    for (size_t k = 0; k < n; k++)
        ck_assert_uint_eq(d.br_at[k], at[k]);
    free(d.br_at);
    free(win);
    free(b);
}
END_TEST

START_TEST(eof_markers_across_chunk_edges)
{
    size_t at[64], n = edges(at, 6);
    unsigned char *b = filled("%%EOF\n", at, n);
    char path[] = "/tmp/seal-check-scan-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, b, LEN), (ssize_t)LEN);
    seal__revision *mem = calloc(512, sizeof(*mem)), *rd = calloc(512, sizeof(*rd));
    size_t nm = seal__pdf_revisions(b, -1, LEN, mem, 512);
    size_t nr = seal__pdf_revisions(b, fd, LEN, rd, 512);
    ck_assert_uint_eq(nm, n);
    ck_assert_uint_eq(nr, n);
    for (size_t k = 0; k < n; k++) {
        ck_assert_int_eq(mem[k].end, (int64_t)(at[k] + 6));
        ck_assert_int_eq(rd[k].start, mem[k].start);
        ck_assert_int_eq(rd[k].end, mem[k].end);
        ck_assert_int_eq(rd[k].terminated, 1);
    }
    close(fd);
    unlink(path);
    free(mem);
    free(rd);
    free(b);
}
END_TEST

Suite *suite_scan(void);
Suite *suite_scan(void)
{
    Suite *s = suite_create("scan");
    TCase *tc = tcase_create("scan");
    tcase_add_test(tc, byterange_across_chunk_edges);
    tcase_add_test(tc, eof_markers_across_chunk_edges);
    suite_add_tcase(s, tc);
    return s;
}
