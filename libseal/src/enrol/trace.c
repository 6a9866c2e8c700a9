/*
 * Enrolment step 3: tracing the upright mask into Bézier paths (potrace).
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "enrol_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <potracelib.h>

int seal__art_add_path(seal_artwork *a, double x0, double y0)
{
    if (a->npaths == a->cap_paths) {
        size_t cap = a->cap_paths ? a->cap_paths * 2 : 64;
        struct seal_path *p = realloc(a->paths, cap * sizeof(*p));
        if (!p)
            return -1;
        a->paths = p;
        a->cap_paths = cap;
    }
    struct seal_path *p = &a->paths[a->npaths++];
    p->x0 = x0;
    p->y0 = y0;
    p->nseg = 0;
    p->seg_start = a->nsegs;
    return 0;
}

int seal__art_add_seg(seal_artwork *a, int type, const double *c)
{
    if (a->nsegs == a->cap_segs) {
        size_t cap = a->cap_segs ? a->cap_segs * 2 : 512;
        struct seal_seg *s = realloc(a->segs, cap * sizeof(*s));
        if (!s)
            return -1;
        a->segs = s;
        a->cap_segs = cap;
    }
    struct seal_seg *s = &a->segs[a->nsegs++];
    s->type = type;
    memcpy(s->c, c, sizeof(s->c));
    a->paths[a->npaths - 1].nseg++;
    return 0;
}

SEAL_API void seal_artwork_free(seal_artwork *art)
{
    if (!art)
        return;
    free(art->paths);
    free(art->segs);
    free(art->name);
    free(art->scores_json);
    free(art);
}

json_object *seal__json_num(double v, int decimals)
{
    char buf[64];
    snprintf(buf, sizeof(buf), "%.*f", decimals, v);
    return json_object_new_double_s(v, buf);
}

static const char *shape_name(seal_shape s)
{
    switch (s) {
    case SEAL_SHAPE_CIRCLE: return "circle";
    case SEAL_SHAPE_ELLIPSE: return "ellipse";
    case SEAL_SHAPE_SQUARE: return "square";
    case SEAL_SHAPE_FREE: return "free";
    case SEAL_SHAPE_NONE: break;
    }
    return "none";
}

/* The enrolment record kept in the artwork's /SealScores. */
static char *scores_json(const seal_mask *m)
{
    const seal_mask_info *in = &m->info;
    json_object *o = json_object_new_object(), *arr = json_object_new_array();
    char *res = NULL;
    if (!o || !arr)
        goto out;
    json_object_object_add(o, "decision", json_object_new_string(seal_decision_name(in->decision)));
    json_object_object_add(o, "kind", json_object_new_string(seal_kind_name(in->kind)));
    json_object_object_add(o, "shape", json_object_new_string(shape_name(in->shape)));
    json_object_object_add(o, "box", json_object_new_int(in->box));
    json_object *sz = json_object_new_array();
    json_object_array_add(sz, seal__json_num(in->width_mm, 2));
    json_object_array_add(sz, seal__json_num(in->height_mm, 2));
    json_object_object_add(o, "size_mm", sz);
    json_object_object_add(o, "rotation_deg",
                           seal__json_num(in->rotation_deg, 2));
    for (int k = 0; k < SEAL_MAX_BOXES; k++) {
        const seal_impression_score *s = &in->scores[k];
        if (!s->present)
            continue;
        json_object *b = json_object_new_object();
        json_object_object_add(b, "box", json_object_new_int(k + 1));
        json_object_object_add(b, "clarity", seal__json_num(s->clarity, 3));
        json_object_object_add(b, "sharpness", seal__json_num(s->sharpness, 3));
        json_object_object_add(b, "ring_continuity",
                               seal__json_num(s->ring_continuity, 3));
        json_object_object_add(b, "broken_strokes",
                               seal__json_num(s->broken_strokes, 3));
        json_object_object_add(b, "over_inking",
                               seal__json_num(s->over_inking, 3));
        json_object_object_add(b, "contrast", seal__json_num(s->contrast, 3));
        json_object_object_add(b, "density", seal__json_num(s->density, 3));
        json_object_array_add(arr, b);
    }
    json_object_object_add(o, "impressions", arr);
    arr = NULL;
    res = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
out:
    json_object_put(arr);
    json_object_put(o);
    return res;
}

SEAL_API seal_status seal_mask_trace(seal_ctx *ctx, const seal_mask *mask,
                                     const seal_trace_options *opts, seal_artwork **out)
{
    seal_trace_options defaults = SEAL_TRACE_OPTIONS_INIT;
    potrace_bitmap_t bm = {0};
    potrace_param_t *prm = NULL;
    potrace_state_t *state = NULL;
    seal_artwork *a = NULL;
    seal_status st = SEAL_OK;

    if (!ctx)
        return SEAL_ERR_ARGS;
    seal__reset(ctx);
    if (!mask || !out)
        return seal__fail(ctx, SEAL_ERR_ARGS, "seal_mask_trace: missing argument");
    *out = NULL;
    if (!opts)
        opts = &defaults;
    if (opts->version != SEAL_TRACE_OPTIONS_VERSION)
        return seal__fail(ctx, SEAL_ERR_ARGS, "seal_trace_options: unknown version %u", opts->version);
    const seal_mask_info *in = &mask->info;
    if (in->decision == SEAL_DECISION_REJECT || !mask->bits) {
        for (size_t i = 0; i < in->issue_count; i++)
            if (mask->issues[i].severity == SEAL_DECISION_REJECT)
                return seal__fail(ctx, SEAL_ERR_SCAN_REJECTED, "scan rejected (%s): %s",
                                  mask->issues[i].code, mask->issues[i].message);
        return seal__fail(ctx, SEAL_ERR_SCAN_REJECTED, "scan rejected: no seal to trace");
    }
    int W = in->width_px, H = in->height_px;
    double s = in->px_per_mm;

    bm.w = W;
    bm.h = H;
    bm.dy = (W + (int)(8 * sizeof(potrace_word)) - 1) / (int)(8 * sizeof(potrace_word));
    bm.map = calloc((size_t)bm.dy * H, sizeof(potrace_word));
    a = calloc(1, sizeof(*a));
    prm = potrace_param_default();
    if (!bm.map || !a || !prm) {
        st = seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory tracing the seal");
        goto out;
    }
    const int bits = (int)(8 * sizeof(potrace_word));
    /* potrace's y axis points up: mask row j becomes potrace row H-1-j */
    for (int j = 0; j < H; j++) {
        potrace_word *row = bm.map + (size_t)(H - 1 - j) * bm.dy;
        const unsigned char *src = mask->bits + (size_t)j * W;
        for (int i = 0; i < W; i++)
            if (src[i])
                row[i / bits] |= (potrace_word)1 << (bits - 1 - i % bits);
    }
    /* Specks up to ~0.03 mm^2 go (dust, paper fibre); corners are kept a
     * little sharper than potrace's default so star tips stay pointed. */
    prm->turdsize = opts->turdsize >= 0 ? opts->turdsize : (int)lround(0.03 * s * s);
    prm->alphamax = opts->alphamax >= 0 ? opts->alphamax : 1.0;
    prm->opticurve = 1;
    prm->opttolerance = opts->opttolerance >= 0 ? opts->opttolerance : 0.2;
    state = potrace_trace(prm, &bm);
    if (!state || state->status != POTRACE_STATUS_OK) {
        st = seal__fail(ctx, SEAL_ERR_INTERNAL, "potrace failed on a %dx%d mask", W, H);
        goto out;
    }
    a->kind = in->kind;
    a->width_mm = in->width_mm;
    a->height_mm = in->height_mm;
    if (in->kind == SEAL_KIND_SIGNATURE)
        memcpy(a->rgb, in->ink_rgb, 3);
    else {
        a->rgb[0] = 255; /* the standard seal red */
        a->rgb[1] = 0;
        a->rgb[2] = 0;
    }
    memcpy(a->sha256, mask->sha256, sizeof(a->sha256));
    a->name = strdup(opts->name ? opts->name : "");
    a->scores_json = scores_json(mask);
    if (!a->name || !a->scores_json) {
        st = seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
        goto out;
    }
    /* bitmap pixels -> mm on the page, the page centred on the bitmap */
    double offx = (W / s - a->width_mm) / 2, offy = (H / s - a->height_mm) / 2;
#define MX(pt) ((pt).x / s - offx)
#define MY(pt) ((H - (pt).y) / s - offy)
    for (potrace_path_t *p = state->plist; p; p = p->next) {
        potrace_curve_t *cv = &p->curve;
        if (cv->n <= 0)
            continue;
        if (seal__art_add_path(a, MX(cv->c[cv->n - 1][2]), MY(cv->c[cv->n - 1][2]))) {
            st = seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
            goto out;
        }
        for (int i = 0; i < cv->n; i++) {
            double c[6];
            int e;
            if (cv->tag[i] == POTRACE_CORNER) {
                double l1[6] = {0, 0, 0, 0, MX(cv->c[i][1]), MY(cv->c[i][1])};
                double l2[6] = {0, 0, 0, 0, MX(cv->c[i][2]), MY(cv->c[i][2])};
                e = seal__art_add_seg(a, SEG_LINE, l1) || seal__art_add_seg(a, SEG_LINE, l2);
            } else {
                c[0] = MX(cv->c[i][0]);
                c[1] = MY(cv->c[i][0]);
                c[2] = MX(cv->c[i][1]);
                c[3] = MY(cv->c[i][1]);
                c[4] = MX(cv->c[i][2]);
                c[5] = MY(cv->c[i][2]);
                e = seal__art_add_seg(a, SEG_CURVE, c);
            }
            if (e) {
                st = seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
                goto out;
            }
        }
    }
#undef MX
#undef MY
    if (a->npaths == 0) {
        st = seal__fail(ctx, SEAL_ERR_SCAN_REJECTED, "scan rejected: the mask holds no ink to trace");
        goto out;
    }
    *out = a;
    a = NULL;
out:
    if (state)
        potrace_state_free(state);
    if (prm)
        potrace_param_free(prm);
    free(bm.map);
    seal_artwork_free(a);
    return st;
}
