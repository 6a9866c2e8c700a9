/*
 * The signed bytes hashed, and for a large file the reading and hashing
 * shared with a second thread: it helps read the file into memory while
 * the main thread loads the trust anchors, builds the revision index while
 * the main thread opens the document, then hashes every signature's
 * ByteRange while the main thread runs the structural and rendering
 * judges, which do not touch the digests.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "verifyint.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

/* A thread of its own from this size on; below it, starting one costs
 * more than it saves. */
#define HASH_THREAD_MIN ((size_t)4 << 20)
/* The file is read in parts of this size, each by whichever thread is
 * free: big enough to keep the system calls few, small enough for the two
 * threads to finish together. */
#define READ_PART ((size_t)2 << 20)
/* Hashed in parts that stay in the cache while the same bytes are searched
 * for "/ByteRange" (vfind.c): one pass over memory for both. */
#define SCAN_CHUNK ((size_t)256 << 10)

static int in_bounds(const vdoc *d, const vsig *s)
{
    int64_t len = (int64_t)d->len;
    return s->br_count == 4 && s->br[0] >= 0 && s->br[1] >= 0 && s->br[2] >= 0 && s->br[3] >= 0 &&
           s->br[0] <= len && s->br[1] <= len - s->br[0] && s->br[2] <= len &&
           s->br[3] <= len - s->br[2];
}

static void hash_ranges(vdoc *d, vsig *s)
{
    seal__digest *m = seal__digest_new(s->range_md);
    unsigned len = 0;

    if (m && seal__digest_update(m, d->data + s->br[0], (size_t)s->br[1]) &&
        seal__digest_update(m, d->data + s->br[2], (size_t)s->br[3]) &&
        seal__digest_final(m, s->digest, &len)) {
        s->digest_len = len;
        s->hashed = 1;
    }
    seal__digest_free(m);
}

void seal__vhash_one(vdoc *d, vsig *s)
{
    if (s->range_md && in_bounds(d, s))
        hash_ranges(d, s);
    ERR_clear_error();
}

static void update_and_scan(vdoc *d, seal__digest *m, int64_t from, int64_t to)
{
    for (size_t a = (size_t)from; a < (size_t)to;) {
        size_t b = (size_t)to - a > SCAN_CHUNK ? a + SCAN_CHUNK : (size_t)to;
        seal__digest_update(m, d->data + a, b - a);
        if (b > d->scanned && a <= d->scanned)
            seal__vfy_scan_br(d, b);
        a = b;
    }
}

/* Each signature covers a prefix of the file minus its own gap. The bytes
 * before the first gap and between gaps are hashed once: the running hash
 * state is copied at each gap and the copy finishes with that signature's
 * tail (the few bytes after its gap up to the end of its revision). */
static void hash_all(vdoc *d)
{
    vsig *order[VFY_MAX_SIGS];
    size_t n = 0;

    for (size_t i = 0; i < d->nsigs; i++) {
        vsig *s = &d->sigs[i];
        if (!s->range_md || !in_bounds(d, s))
            continue;
        if (s->br[0] == 0 && s->br[2] >= s->br[1])
            order[n++] = s;
        else
            hash_ranges(d, s);
    }
    /* Insertion sort by gap start. */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && order[j - 1]->br[1] > order[j]->br[1]; j--) {
            vsig *t = order[j - 1];
            order[j - 1] = order[j];
            order[j] = t;
        }
    for (size_t i = 0; i < n; i++) {
        if (order[i]->hashed)
            continue;
        const EVP_MD *md = order[i]->range_md;
        seal__digest *main = seal__digest_new(md);
        int64_t pos = 0;
        if (!main)
            break;
        for (size_t j = i; j < n; j++) {
            vsig *s = order[j];
            unsigned len = 0;
            if (s->range_md != md || s->hashed)
                continue;
            update_and_scan(d, main, pos, s->br[1]);
            pos = s->br[1];
            seal__digest *branch = seal__digest_dup(main);
            if (branch && seal__digest_update(branch, d->data + s->br[2], (size_t)s->br[3]) &&
                seal__digest_final(branch, s->digest, &len)) {
                s->digest_len = len;
                s->hashed = 1;
            }
            seal__digest_free(branch);
        }
        seal__digest_free(main);
    }
    seal__vfy_scan_br(d, d->len);
    ERR_clear_error();
}

/* Parts are taken under the lock, read outside it. */
static void read_parts(vhasher *h)
{
    pthread_mutex_lock(&h->mu);
    while (h->fd >= 0 && h->next < h->len && !h->err) {
        size_t from = h->next, n = h->len - from < READ_PART ? h->len - from : READ_PART;
        h->next += n;
        h->reading++;
        pthread_mutex_unlock(&h->mu);
        int e = seal__pread_full(h->fd, h->into + from, n, (int64_t)from);
        pthread_mutex_lock(&h->mu);
        h->reading--;
        if (e && !h->err)
            h->err = e;
        pthread_cond_broadcast(&h->cv);
    }
    pthread_mutex_unlock(&h->mu);
}

/* Once every part is in: the revision index (seal__pdf_revisions), unless
 * the reading failed. */
static void index_revisions(vhasher *h)
{
    pthread_mutex_lock(&h->mu);
    while (h->reading > 0)
        pthread_cond_wait(&h->cv, &h->mu);
    int ok = !h->err && (h->fd < 0 || h->next >= h->len);
    pthread_mutex_unlock(&h->mu);
    seal__revision *revs = ok ? malloc(VFY_MAX_REVS * sizeof(*revs)) : NULL;
    size_t n = revs ? seal__pdf_revisions(h->data, h->len, revs, VFY_MAX_REVS) : 0;
    pthread_mutex_lock(&h->mu);
    h->revs = revs;
    h->nrevs = n;
    h->indexed = 1;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
}

static void *run(void *arg)
{
    vhasher *h = arg;
    int go;

    read_parts(h);
    index_revisions(h);
    pthread_mutex_lock(&h->mu);
    while (!h->go)
        pthread_cond_wait(&h->cv, &h->mu);
    go = h->go;
    pthread_mutex_unlock(&h->mu);
    if (go > 0)
        hash_all(h->d);
    return NULL;
}

void seal__vhash_start(vhasher *h, const unsigned char *data, size_t len, int fd)
{
    memset(h, 0, sizeof(*h));
    h->fd = fd;
    h->data = data;
    h->into = fd >= 0 ? (unsigned char *)data : NULL; /* the caller's memory to fill */
    h->len = len;
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->cv, NULL);
    h->threaded = len >= HASH_THREAD_MIN && pthread_create(&h->thread, NULL, run, h) == 0;
}

int seal__vhash_read(vhasher *h)
{
    read_parts(h);
    pthread_mutex_lock(&h->mu);
    while (h->reading > 0)
        pthread_cond_wait(&h->cv, &h->mu);
    int e = h->err;
    pthread_mutex_unlock(&h->mu);
    return e;
}

size_t seal__vhash_revisions(vhasher *h, int64_t *ends, size_t *nends)
{
    if (!h->threaded && !h->indexed)
        index_revisions(h);
    pthread_mutex_lock(&h->mu);
    while (!h->indexed)
        pthread_cond_wait(&h->cv, &h->mu);
    pthread_mutex_unlock(&h->mu);
    *nends = 0;
    if (!h->revs)
        return SIZE_MAX;
    for (size_t r = 0; r < h->nrevs; r++)
        if (h->revs[r].terminated)
            ends[(*nends)++] = h->revs[r].end;
    return h->nrevs;
}

void seal__vhash_go(vhasher *h, vdoc *d)
{
    if (!h->threaded) {
        if (d)
            hash_all(d);
        return;
    }
    pthread_mutex_lock(&h->mu);
    if (!h->go) {
        h->d = d;
        h->go = d ? 1 : -1;
        pthread_cond_broadcast(&h->cv);
    }
    pthread_mutex_unlock(&h->mu);
}

void seal__vhash_finish(vhasher *h)
{
    if (h->threaded) {
        pthread_mutex_lock(&h->mu);
        h->next = h->len; /* no more parts: nobody will look at them */
        pthread_mutex_unlock(&h->mu);
        seal__vhash_go(h, NULL); /* never handed a document: it stops */
        pthread_join(h->thread, NULL);
        h->threaded = 0;
    }
}

void seal__vhash_free(vhasher *h)
{
    seal__vhash_finish(h);
    free(h->revs);
    pthread_cond_destroy(&h->cv);
    pthread_mutex_destroy(&h->mu);
}
