/*
 * Helpers shared by the unit suites.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
