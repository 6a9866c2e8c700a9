/*
 * What changed after a signature — the structural judge. Every update
 * after the signed revision is read strictly from its own bytes
 * (xrefraw.c): each entry of its cross-reference section must point into
 * that update at the object it names, chain to the revision before it,
 * and hold no dictionary with a key twice. Each object it adds, changes or
 * frees must then be explained by an allowed rule, judged by every role
 * the object has in the signed revision and in the document as shown
 * (vroles.c), the strictest winning: new signatures with their fields,
 * widgets and seal stamps; DSS and document time-stamps; form filling as
 * DocMDP and FieldMDP permit; annotations where no certification forbids
 * them; metadata; structure-tree entries for new annotations. Anything
 * else is a disallowed change, named by object, role and page. What the
 * pages show is judged separately by rendering them.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "vjudge.h"
#include "xrefraw.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ accounting */

/* The signed revision's entry for num, as MuPDF read it. */
static int old_entry(judge *j, int num, char *type, int64_t *ofs, int *gen)
{
    if (num <= 0 || num >= pdf_xref_len(j->fz, j->old))
        return 0;
    pdf_xref_entry *e = pdf_get_xref_entry(j->fz, j->old, num);
    if (!e || (e->type != 'n' && e->type != 'o'))
        return 0;
    *type = e->type;
    *ofs = e->ofs;
    *gen = e->gen;
    return 1;
}

static int same_as_old(judge *j, const xraw_entry *e)
{
    char t;
    int64_t ofs;
    int gen;
    return old_entry(j, e->num, &t, &ofs, &gen) && t == e->type && ofs == e->ofs && gen == e->gen;
}

/* One in-use entry of a later update: it must point into its own update
 * at the object it names, whose dictionaries hold no key twice. */
static void check_entry(judge *j, const xraw_section *sec, const xraw_entry *e)
{
    const unsigned char *data = j->d->data;
    size_t len = j->d->len;
    int num = e->num, onum = 0, ogen = 0;
    char key[128];

    if (same_as_old(j, e))
        return; /* listed again, unchanged */
    int header = seal__xraw_obj_at(data, len, e->ofs, &onum, &ogen);
    if (e->ofs < sec->start || e->ofs >= sec->end) {
        CHANGE(j, num, 0, "re-pointed object", 0, "object %d re-pointed to byte %lld, %s%s", num, (long long)e->ofs,
               e->ofs < sec->start ? "inside an earlier revision" : "outside the file",
               header && onum != num ? ", where another object (a different object number) is" : "");
        return;
    }
    if (!header || onum != num || ogen != e->gen) {
        CHANGE(j, num, 0, "cross-reference", 0,
               "the cross-reference entry for object %d points at byte %lld, which holds %s %d", num,
               (long long)e->ofs, onum ? "another object," : "no object header", onum);
        return;
    }
    int dup = seal__xraw_dup_key(j->fz, data, len, e->ofs, 1, key, sizeof(key));
    if (dup > 0)
        CHANGE(j, num, 0, "viewer differential", 0,
               "object %d has a duplicate key /%s: readers disagree on which one counts", num, key);
    else if (dup < 0)
        seal__vj_cap(j, "object %d is too large to check for duplicate keys", num);
}

/* An entry placing an object in an object stream of the same update. */
static void check_compressed(judge *j, const xraw_entry *e, const int *seen, int k)
{
    int num = e->num, stm = (int)e->ofs, listed = -1;
    size_t at = 0;
    char why[200], key[128];

    if (same_as_old(j, e))
        return;
    if (stm <= 0 || stm >= j->n || seen[stm] != k + 1 || j->fin[stm].type != 'n') {
        CHANGE(j, num, 0, "re-pointed object", 0,
               "object %d placed in object stream %d, which its update does not define", num, stm);
        return;
    }
    fz_buffer *buf = seal__xraw_objstm(j->fz, j->d->doc, j->d->data, j->d->len, j->fin[stm].ofs, e->gen, &listed,
                                       &at, why, sizeof(why));
    if (!buf) {
        CHANGE(j, num, 0, "cross-reference", 0, "object %d: %s", num, why);
        return;
    }
    if (listed != num) {
        CHANGE(j, num, 0, "cross-reference", 0, "the entry for object %d points at object %d in object stream %d",
               num, listed, stm);
    } else {
        unsigned char *p;
        size_t blen = fz_buffer_storage(j->fz, buf, &p);
        int dup = seal__xraw_dup_key(j->fz, p, blen, (int64_t)at, 0, key, sizeof(key));
        if (dup > 0)
            CHANGE(j, num, 0, "viewer differential", 0,
                   "object %d has a duplicate key /%s: readers disagree on which one counts", num, key);
        else if (dup < 0)
            seal__vj_cap(j, "object %d is too large to check for duplicate keys", num);
    }
    fz_drop_buffer(j->fz, buf);
}

static __attribute__((noinline)) int account(judge *j, xraw_section *secs, int nsecs, const int *revs)
{
    int *seen = fz_calloc(j->fz, (size_t)j->n + 1, sizeof(int));
    volatile int complete = 1;
    fz_try(j->fz) {
        for (int k = 0; k < nsecs && complete; k++) {
            xraw_section *sec = &secs[k];
            for (size_t i = 0; i < sec->n; i++) {
                xraw_entry *e = &sec->e[i];
                if (e->num == 0)
                    continue; /* the head of the free list */
                if (e->num >= j->n) {
                    seal__vj_cap(j, "object numbers beyond %d", j->n);
                    continue;
                }
                if (seen[e->num] == k + 1) {
                    CHANGE(j, e->num, 0, "cross-reference", 0,
                           "object %d is listed twice in one cross-reference section", e->num);
                    continue;
                }
                seen[e->num] = k + 1;
                j->fin[e->num] = (fentry){e->type, e->gen, e->ofs, revs[k]};
                if (e->type == 'n')
                    check_entry(j, sec, e);
                if ((i & 1023) == 1023 && seal__vfy_late(j->d)) {
                    seal__vj_cap(j, "the updates hold too many objects to check in time");
                    complete = 0;
                    break;
                }
            }
            for (size_t i = 0; i < sec->n && !j->capped; i++)
                if (sec->e[i].type == 'o' && sec->e[i].num > 0 && sec->e[i].num < j->n)
                    check_compressed(j, &sec->e[i], seen, k);
        }
    }
    fz_always(j->fz)
        fz_free(j->fz, seen);
    fz_catch(j->fz)
        fz_rethrow(j->fz);
    return complete;
}

static int is_self(judge *j, int num)
{
    for (int k = 0; k < j->nsecs; k++)
        if (j->secs[k].self_num == num)
            return 1;
    return 0;
}

/* What each object number became: the same, changed, new or freed — and
 * whether MuPDF, whose view is compared and drawn, reads every object
 * where the cross-reference chain says it is. */
static __attribute__((noinline)) void classify(judge *j)
{
    fz_context *fz = j->fz;
    int ncur = pdf_xref_len(fz, j->cur);

    for (int num = 1; num < j->n; num++) {
        fentry *f = &j->fin[num];
        char ot = 0;
        int64_t oofs = 0;
        int ogen = 0;
        int was = old_entry(j, num, &ot, &oofs, &ogen);
        pdf_xref_entry *c = num < ncur ? pdf_get_xref_entry(fz, j->cur, num) : NULL;
        int cur_used = c && (c->type == 'n' || c->type == 'o');

        if (!f->type) {
            /* Not redefined: MuPDF must read what the signed revision had
             * (a cross-reference stream need not list itself). */
            if (!was && cur_used && is_self(j, num))
                continue;
            if (was != cur_used || (was && (c->type != ot || c->ofs != oofs)))
                CHANGE(j, num, 0, "cross-reference", 0,
                       "object %d reads differently than the cross-reference chain says (a damaged or repaired file)",
                       num);
            continue;
        }
        if (f->type == 'f') {
            if (cur_used)
                CHANGE(j, num, 0, "cross-reference", 0, "object %d is freed, yet a reader still finds it", num);
            else if (was)
                j->kind[num] = K_FREED;
            continue;
        }
        if (!cur_used || c->type != f->type || c->ofs != f->ofs) {
            CHANGE(j, num, 0, "cross-reference", 0,
                   "object %d reads differently than its cross-reference entry says (a damaged or repaired file)",
                   num);
            continue;
        }
        if (!was)
            j->kind[num] = K_NEW;
        else if (ot != f->type || oofs != f->ofs || ogen != f->gen)
            j->kind[num] = K_CHANGED;
    }
}

static __attribute__((noinline)) void judge_all(judge *j)
{
    fz_context *fz = j->fz;
    /* Changed objects first: their rules may find new objects to be
     * copies of signed ones. */
    for (int pass = 0; pass < 2; pass++)
    for (int num = 1; num < j->n; num++) {
        int k = j->kind[num];
        if (k == K_SAME || k == K_COPY || (k == K_NEW) != (pass == 1))
            continue;
        if ((num & 255) == 0 && seal__vfy_late(j->d)) {
            seal__vj_cap(j, "too many changed objects to judge in time");
            return;
        }
        if (k == K_FREED) {
            if (j->ro.role[num])
                CHANGE(j, num, seal__vj_page_of(j, num), "deleted object", 0, "object %d (%s) freed: deleted after signing",
                       num, seal__vroles_name(j->ro.role[num]));
            continue;
        }
        pdf_obj *volatile o = NULL, *volatile n = NULL;
        fz_try(fz) {
            n = pdf_load_object(fz, j->cur, num);
            if (k == K_NEW) {
                seal__vj_judge_new(j, num, n);
            } else {
                o = pdf_load_object(fz, j->old, num);
                if (seal__vj_same_value(j, num, o, n))
                    j->kind[num] = K_SAME;
                else
                    seal__vj_judge_changed(j, num, o, n);
            }
        }
        fz_always(fz) {
            pdf_drop_obj(fz, o);
            pdf_drop_obj(fz, n);
        }
        fz_catch(fz) {
            if (fz_caught(fz) == FZ_ERROR_MEMORY)
                fz_rethrow(fz);
            CHANGE(j, num, seal__vj_page_of(j, num), "overridden object", 0, "object %d changed and cannot be read", num);
        }
    }
}

/* The later updates, each strictly read: [signed end, ...) cut at every
 * %%EOF that closes a section (an %%EOF with no startxref before it is
 * data, e.g. inside a stream). */
static int read_updates(judge *j, xraw_section *secs, int *revs)
{
    vdoc *d = j->d;
    int64_t start = j->s->rev_end;
    int nsecs = 0;
    char why[200];

    for (size_t r = 0; r < d->nrevs; r++) {
        int64_t end = d->rev_ends[r];
        if (end <= start)
            continue;
        if (seal__xraw_startxref(d->data, d->len, start, end) < start && r + 1 < d->nrevs)
            continue;
        if (nsecs >= MAX_SECTIONS) {
            seal__vj_cap(j, "more than %d updates", MAX_SECTIONS);
            break;
        }
        if (seal__xraw_read(j->fz, d->doc, d->data, d->len, start, end, &secs[nsecs], why, sizeof(why))) {
            seal__vfy_add_change(j->s, (int)r + 1, 0, 0, "malformed update", 0, "revision %d: %s", (int)r + 1, why);
            seal__xraw_free(j->fz, &secs[nsecs]);
            return -1;
        }
        revs[nsecs++] = (int)r + 1;
        start = end;
    }
    /* Each update must chain to the one before it, and keep the catalog
     * and encryption the signed revision had. */
    int64_t expect = seal__xraw_startxref(d->data, d->len, 0, j->s->rev_end);
    pdf_obj *ot = pdf_trailer(j->fz, j->old);
    for (int k = 0; k < nsecs; k++) {
        pdf_obj *t = secs[k].trailer;
        if (secs[k].prev != expect)
            seal__vfy_add_change(j->s, revs[k], 0, 0, "malformed update", 0,
                                 "revision %d: its /Prev (%lld) does not lead to the revision before it (%lld)",
                                 revs[k], (long long)secs[k].prev, (long long)expect);
        if (!seal__vj_same_obj(j->fz, pdf_dict_get(j->fz, t, PDF_NAME(Root)), pdf_dict_get(j->fz, ot, PDF_NAME(Root)), 0))
            seal__vfy_add_change(j->s, revs[k], 0, 0, "catalog", 0, "revision %d replaces the document catalog",
                                 revs[k]);
        if (!seal__vj_same_obj(j->fz, pdf_dict_get(j->fz, t, PDF_NAME(Encrypt)), pdf_dict_get(j->fz, ot, PDF_NAME(Encrypt)), 0))
            seal__vfy_add_change(j->s, revs[k], 0, 0, "encryption", 0, "revision %d changes the encryption",
                                 revs[k]);
        expect = secs[k].xref_ofs;
    }
    return nsecs;
}

static int max_num(const xraw_section *secs, int nsecs)
{
    int m = 0;
    for (int k = 0; k < nsecs; k++)
        for (size_t i = 0; i < secs[k].n; i++)
            if (secs[k].e[i].num > m)
                m = secs[k].e[i].num;
    return m;
}

static void run(judge *j)
{
    fz_context *fz = j->fz;
    xraw_section *volatile secs = NULL;
    int *volatile revs = NULL;
    volatile int nsecs = 0;

    fz_try(fz) {
        secs = fz_calloc(fz, MAX_SECTIONS, sizeof(xraw_section));
        revs = fz_calloc(fz, MAX_SECTIONS, sizeof(int));
        nsecs = read_updates(j, secs, revs);
        if (nsecs <= 0)
            break;
        int64_t n = max_num(secs, nsecs) + 1;
        if (n < pdf_xref_len(fz, j->old))
            n = pdf_xref_len(fz, j->old);
        if (n < pdf_xref_len(fz, j->cur))
            n = pdf_xref_len(fz, j->cur);
        if (n > MAX_OBJECTS) {
            seal__vj_cap(j, "more than %d objects", MAX_OBJECTS);
            n = MAX_OBJECTS;
        }
        j->n = (int)n;
        j->fin = fz_calloc(fz, (size_t)n + 1, sizeof(fentry));
        j->kind = fz_calloc(fz, (size_t)n + 1, 1);
        j->mark = fz_calloc(fz, (size_t)n + 1, sizeof(int));
        j->secs = secs;
        j->nsecs = nsecs;
        /* Stopped part-way (the time budget), the accounting is
         * incomplete: classifying would take every object not yet
         * accounted for as read from the wrong place. The cap gives the
         * verdict (INDETERMINATE), with the findings made so far. */
        if (!account(j, secs, nsecs, revs))
            break;
        classify(j);
        if (seal__vroles_walk(fz, j->old, j->n, 1, &j->ro) < 0)
            seal__vj_cap(j, "the signed revision: %s", j->ro.why);
        vdoc *d = j->d;
        if (d->roles.n < j->n) {
            /* Walked once for all signatures, over the most objects any
             * needs: the roles are the document's, not the signature's. */
            seal__vroles_free(fz, &d->roles);
            d->roles_rc = seal__vroles_walk(fz, j->cur, j->n, 0, &d->roles);
        }
        j->rn = d->roles;
        if (d->roles_rc < 0)
            seal__vj_cap(j, "the document: %s", j->rn.why);
        judge_all(j);
        seal__vj_settle_pending(j);
    }
    fz_always(fz) {
        for (int k = 0; secs && k < MAX_SECTIONS && (k < nsecs || secs[k].trailer); k++)
            seal__xraw_free(fz, &secs[k]);
        fz_free(fz, secs);
        fz_free(fz, revs);
    }
    fz_catch(fz)
        fz_rethrow(fz);
}

void seal__vfy_changes(seal_ctx *ctx, vdoc *d, vsig *s)
{
    fz_context *fz = ctx->fz;
    judge j;

    s->r.changes_after = SEAL_CHANGES_NONE;
    if ((size_t)s->rev_end >= d->len)
        return;
    memset(&j, 0, sizeof(j));
    j.ctx = ctx;
    j.fz = fz;
    j.d = d;
    j.s = s;
    j.cur = d->doc;
    for (size_t r = 0; r < d->nrevs; r++)
        if (d->rev_ends[r] > s->rev_end) {
            j.revision = (int)r + 1;
            break;
        }
    if (!j.revision)
        j.revision = (int)d->nrevs + 1;

    fz_var(j.old);
    fz_try(fz) {
        j.old = seal__vfy_open_prefix(ctx, d->data, (size_t)s->rev_end, d->password);
        run(&j);
        pdf_drop_document(fz, s->signed_doc);
        s->signed_doc = j.old;
        j.old = NULL;
    }
    fz_always(fz) {
        seal__vroles_free(fz, &j.ro); /* j.rn is the vdoc's */
        fz_free(fz, j.fin);
        fz_free(fz, j.kind);
        fz_free(fz, j.mark);
        pdf_drop_document(fz, j.old);
    }
    fz_catch(fz) {
        if (fz_caught(fz) == FZ_ERROR_MEMORY)
            fz_rethrow(fz);
        /* The signed revision, or the document now, cannot be read
         * through: what was signed cannot be compared with what is shown. */
        seal__vfy_add_change(s, j.revision, 0, 0, "unreadable revision", 0,
                             "the signed revision cannot be compared with the document now: %s",
                             fz_caught_message(fz));
    }
    /* Bytes after the last revision that no cross-reference section
     * describes: another reader may take them for an update. */
    if (d->nrevs && (size_t)d->rev_ends[d->nrevs - 1] < d->len) {
        int junk = 0;
        for (size_t i = (size_t)d->rev_ends[d->nrevs - 1]; i < d->len && !junk; i++)
            junk = !(d->data[i] == ' ' || d->data[i] == '\r' || d->data[i] == '\n' || d->data[i] == '\t' ||
                     d->data[i] == 0 || d->data[i] == '\f');
        if (junk)
            seal__vfy_add_change(s, (int)d->nrevs + 1, 0, 0, "unsigned data", 0,
                                 "%zu bytes after the last %%%%EOF that no revision accounts for",
                                 d->len - (size_t)d->rev_ends[d->nrevs - 1]);
    }
    if (j.capped)
        seal__vfy_set(s, SEAL_INDETERMINATE, SEAL_SUB_NONE,
                      "the changes after signing could not all be examined: %s", j.capwhy);
}
