/*
 * Undo before submission (撤章): the last signature removed by restoring
 * the revision before it, byte for byte.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 *
 * Nothing is rewritten: each signature is its own incremental update, so
 * the document as it was before the last one is a prefix of the file. The
 * revisions and signatures come from the inspector (the one revision index
 * inspect and verify share); this file only decides whether the prefix is
 * the one the signer means, and writes it.
 */
#include "internal.h"

#include <seal/inspect.h>

#include <string.h>

typedef struct undo_plan {
    seal_signature_info sig; /* the last signature */
    int revision;            /* its revision, 1-based */
    long long keep;          /* bytes of the output */
    int signatures_left;
} undo_plan;

static int is_signature(const seal_signature_info *s)
{
    return s->is_signed && s->byte_range_count == 4 && strcmp(s->type, "DocTimeStamp") != 0;
}

static long long range_end(const seal_signature_info *s)
{
    return s->byte_range[2] + s->byte_range[3];
}

/* What the revisions after the last signature hold, named by the last of
 * them (what the signer would have to take off first). A /DSS is found by
 * its key in the revision's bytes: a word, not a parse, but it only picks
 * the wording of a refusal. */
static seal_status refuse_covered(seal_ctx *ctx, const char *path, const seal_inspection *ins,
                                  const unsigned char *data, const undo_plan *p)
{
    size_t last = seal_inspection_revision_count(ins) - 1;
    seal_revision_info r;
    seal_signature_info t;

    seal_inspection_revision(ins, last, &r);
    if (r.signature >= 0 && seal_inspection_signature(ins, (size_t)r.signature, &t) == SEAL_OK &&
        !strcmp(t.type, "DocTimeStamp"))
        return seal__fail(ctx, SEAL_ERR_REFUSED,
                          "cannot undo the last signature of %s (field %s, revision %d): "
                          "a document time-stamp (revision %zu) covers it",
                          path, p->sig.field, p->revision, last + 1);
    if (memmem(data + r.start, (size_t)(r.end - r.start), "/DSS", 4))
        return seal__fail(ctx, SEAL_ERR_REFUSED,
                          "cannot undo the last signature of %s (field %s, revision %d): "
                          "LTV data (DSS, revision %zu) covers it; undo works only before "
                          "B-LT/B-LTA data are added",
                          path, p->sig.field, p->revision, last + 1);
    return seal__fail(ctx, SEAL_ERR_REFUSED,
                      "cannot undo the last signature of %s (field %s, revision %d): "
                      "a later incremental update (revision %zu) that is not a signature covers it",
                      path, p->sig.field, p->revision, last + 1);
}

/* Decide what to keep, or refuse with the reason. */
static seal_status plan_undo(seal_ctx *ctx, const char *path, const seal_inspection *ins,
                             const unsigned char *data, undo_plan *p)
{
    size_t nrevs = seal_inspection_revision_count(ins), nsigs = seal_inspection_signature_count(ins);
    long long size = seal_inspection_file_size(ins);
    seal_revision_info last, own;
    seal_signature_info s;
    int found = 0;

    for (size_t i = 0; i < nsigs; i++)
        if (seal_inspection_signature(ins, i, &s) == SEAL_OK && is_signature(&s) &&
            (!found || range_end(&s) > range_end(&p->sig))) {
            p->sig = s;
            found = 1;
        }
    if (!found)
        return seal__fail(ctx, SEAL_ERR_REFUSED, "%s has no signature to undo", path);
    p->revision = p->sig.revision;
    seal_inspection_revision(ins, nrevs - 1, &last);
    if (!p->revision)
        return seal__fail(ctx, SEAL_ERR_REFUSED,
                          "cannot undo the last signature of %s (field %s): its ByteRange ends at "
                          "byte %lld, where no revision of the file ends",
                          path, p->sig.field, range_end(&p->sig));
    /* Bytes after the last %%EOF form an unterminated revision: no
     * "%%EOF" and end-of-line at its end. */
    long long tail = last.end - 7 > last.start ? last.end - 7 : last.start;
    if (!memmem(data + tail, (size_t)(last.end - tail), "%%EOF", 5))
        return seal__fail(ctx, SEAL_ERR_REFUSED,
                          "cannot undo the last signature of %s (field %s): its ByteRange ends at "
                          "byte %lld, not at the end of the file: %lld bytes follow the last %%%%EOF",
                          path, p->sig.field, range_end(&p->sig), size - last.start);
    if (p->revision < (int)nrevs)
        return refuse_covered(ctx, path, ins, data, p);
    /* Its own revision must hold its signature value; the revision before
     * it is what is restored. */
    seal_inspection_revision(ins, (size_t)p->revision - 1, &own);
    if (p->revision == 1)
        return seal__fail(ctx, SEAL_ERR_REFUSED,
                          "cannot undo the last signature of %s (field %s): it is in the file's "
                          "first revision, so there is no earlier revision to restore",
                          path, p->sig.field);
    if (p->sig.byte_range[0] != 0 || p->sig.byte_range[1] < own.start)
        return seal__fail(ctx, SEAL_ERR_REFUSED,
                          "cannot undo the last signature of %s (field %s, revision %d): its "
                          "signature value lies before its revision (byte %lld)",
                          path, p->sig.field, p->revision, own.start);
    p->keep = own.start;
    for (size_t i = 0; i < nsigs; i++)
        if (seal_inspection_signature(ins, i, &s) == SEAL_OK && is_signature(&s) &&
            range_end(&s) <= p->keep)
            p->signatures_left++;
    return SEAL_OK;
}

SEAL_API seal_status seal_undo_file(seal_ctx *ctx, const char *in_path, const char *out_path,
                                    const seal_undo_options *opts, seal_undo_info *info)
{
    seal_inspection *ins = NULL;
    undo_plan plan = {0};
    unsigned char *map = NULL;
    size_t len = 0, size = 0;
    seal_status st;

    if (!ctx)
        return SEAL_ERR_ARGS;
    seal__reset(ctx);
    if (info)
        memset(info, 0, sizeof(*info));
    if (!in_path || !out_path || !opts)
        return seal__fail(ctx, SEAL_ERR_ARGS, "seal_undo_file: missing argument");
    if (opts->version != SEAL_UNDO_OPTIONS_VERSION)
        return seal__fail(ctx, SEAL_ERR_ARGS, "unknown seal_undo_options version %u", opts->version);
    if (seal__paths_check(ctx, &in_path, 1, &out_path, 1) != SEAL_OK)
        return ctx->status;
    if ((st = seal_inspect_file(ctx, in_path, opts->password, &ins)) != SEAL_OK)
        return st;
    len = (size_t)seal_inspection_file_size(ins);
    if ((st = seal__load_file(ctx, in_path, len, &map, &size)) != SEAL_OK)
        goto out_ins;
    if ((st = plan_undo(ctx, in_path, ins, map, &plan)) != SEAL_OK)
        goto out_map;
    if ((st = seal_file_write(ctx, out_path, map, (size_t)plan.keep, 0)) != SEAL_OK)
        goto out_map;
    if (info) {
        snprintf(info->field, sizeof(info->field), "%s", plan.sig.field);
        info->revision = plan.revision;
        info->revisions_left = plan.revision - 1;
        info->signatures_left = plan.signatures_left;
        info->size = plan.keep;
        info->removed = (long long)len - plan.keep;
    }
out_map:
    seal__big_free(map, size);
out_ins:
    seal_inspection_free(ins);
    return st;
}
