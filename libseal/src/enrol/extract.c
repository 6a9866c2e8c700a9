/*
 * Enrolment step 2: from a scan to an upright seal mask with a decision.
 *
 * The page is first looked at in a coarse overview (about 75 dpi): paper
 * brightness (a phone photo is lit unevenly), the skew and the long black
 * table lines, and from those the collection boxes. Each box is then worked
 * at full resolution: the paper is flat-fielded tile by tile, seal ink is
 * told from paper and from black print by the difference of the red and
 * green optical densities (print is neutral, so that difference does not
 * change where red ink lies over black text), thresholded at a third of the
 * local ink level, cleaned of specks, fitted with a circle, ellipse or
 * square, turned upright and scored. The chosen impression is resampled at twice the
 * scan resolution into the upright frame, straight from the continuous ink
 * measure, so the traced outline keeps sub-pixel accuracy.
 *
 * This file is the entry point (seal_scan_extract): resolution, the checks
 * of the page as a whole, the form's kind, and for a seal form the refusals,
 * the choice of impression and the warnings. The steps are in extform.c
 * (overview, boxes), extink.c (ink), extfit.c (outline fits), extscore.c
 * (one impression), extsig.c (signatures), extmath.c and extmask.c
 * (enrol_internal.h says which declares what).
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "enrol_internal.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MM_PER_IN 25.4

/* Where the resolution came from. */
enum dpi_source {
    DPI_A4,   /* guessed: the image taken for an A4 page */
    DPI_FILE, /* the file's, the image a sheet of paper at it */
    DPI_CROP, /* the file's, the image smaller than a sheet: a cropped scan */
    DPI_GIVEN /* the caller's (seal enrol --dpi) */
};

/* Resolution: the caller's; else the file's own, when the image is a
 * plausible sheet of paper at it, or smaller (only the seal or only the
 * table, cropped from a scan); otherwise what the pixel size gives for A4
 * (a photo or a screenshot records 72 or 96 dpi whatever it shows, and is
 * larger than a page at it). */
static double decide_dpi(const seal_scan *s, double given, enum dpi_source *from)
{
    double fd = s->dpi_x > 0 ? s->dpi_x : 0;
    double lo = s->w < s->h ? s->w : s->h, hi = s->w < s->h ? s->h : s->w;
    if (given > 0) {
        *from = DPI_GIVEN;
        return given;
    }
    if (fd >= 30) {
        double a = lo / fd, b = hi / fd;
        if (a <= 12.5 && b <= 17.5) {
            *from = a >= 3.5 && b >= 4.5 ? DPI_FILE : DPI_CROP;
            return fd;
        }
    }
    *from = DPI_A4;
    return fmin(lo / 8.27, hi / 11.69);
}

/* A resolution below min_dpi: refused, saying how it was known. A guess
 * for an image with no sheet's proportions (A4, A5, Letter: 1.27-1.45) is
 * no measure at all: most likely a cropped scan of a file without one. */
static void refuse_low_dpi(seal_mask *m, const seal_scan *scan, const seal__page *p,
                           enum dpi_source from, double min_dpi)
{
    double lo = scan->w < scan->h ? scan->w : scan->h, hi = scan->w < scan->h ? scan->h : scan->w;
    if (from != DPI_A4)
        seal__mask_add_issue(m, SEAL_DECISION_REJECT, "low_resolution",
                             "scanned at %.0f dpi; at least %.0f dpi is needed", p->dpi, min_dpi);
    else if (hi / lo < 1.27 || hi / lo > 1.45)
        seal__mask_add_issue(
            m, SEAL_DECISION_REJECT, "unknown_resolution",
            "cropped scan: give its resolution with --dpi N (the %dx%d image records none%s "
            "and is not a whole page)",
            scan->w, scan->h, scan->dpi_x > 0 ? " that fits it" : "");
    else if (scan->dpi_x > 0)
        seal__mask_add_issue(
            m, SEAL_DECISION_REJECT, "low_resolution",
            "about %.0f dpi for an A4 page (the file says %.0f dpi, which fits no paper "
            "size); at least %.0f dpi is needed",
            p->dpi, scan->dpi_x, min_dpi);
    else
        seal__mask_add_issue(
            m, SEAL_DECISION_REJECT, "low_resolution",
            "about %.0f dpi for an A4 page (the file records no resolution; give it with "
            "--dpi N if this is not a whole page); at least %.0f dpi is needed",
            p->dpi, min_dpi);
}

static int whole(const seal__imp *im)
{
    return im->present && im->cover >= SEAL_MIN_COVERAGE;
}

/*
 * A fragment is not a seal (the form asks for impressions 盖得清晰饱满):
 * refuse when two whole-looking impressions differ in size by more than ink
 * spread (one is cut off where it does not show, or they are not the same
 * seal), or when the impression to be used (want_box, else either) has a
 * border less than nearly whole. Returns 1 when refused.
 */
static int refuse_incomplete(seal_mask *m, const seal__imp ims[2], int want_box, double ppm)
{
    const seal__imp *a = &ims[0], *b = &ims[1];
    /* an incomplete impression's fit measures nothing: compare whole ones */
    if (whole(a) && whole(b) &&
        !seal__sizes_agree(2 * a->g.a / ppm, 2 * a->g.b / ppm, 2 * b->g.a / ppm,
                           2 * b->g.b / ppm)) {
        seal__mask_add_issue(
            m, SEAL_DECISION_REJECT, "incomplete_impression",
            "the two impressions differ in size (%.1fx%.1f and %.1fx%.1f mm), more than "
            "ink spread explains: one is incomplete, or they are not the same seal",
            2 * a->g.a / ppm, 2 * a->g.b / ppm, 2 * b->g.a / ppm, 2 * b->g.b / ppm);
        return 1;
    }
    int best = -1;
    for (int k = 0; k < 2; k++) {
        if (!ims[k].present || (want_box && want_box != k + 1))
            continue;
        if (whole(&ims[k]))
            return 0;
        if (best < 0 || ims[k].cover > ims[best].cover)
            best = k;
    }
    if (best < 0)
        return 0; /* the asked box is empty: said elsewhere */
    seal__mask_add_issue(m, SEAL_DECISION_REJECT, "incomplete_impression",
                         "impression %d is incomplete: its %s is inked along %.0f%% of its length "
                         "(%.0f%% at least for a whole impression)",
                         best + 1,
                         ims[best].shape == SEAL_SHAPE_SQUARE ? "square border" : "border ring",
                         100 * ims[best].cover, 100 * SEAL_MIN_COVERAGE);
    return 1;
}

/* The kind asked for against the seal measured without bias (a whole
 * impression: refuse_incomplete passed). Returns 1 when refused. */
static int refuse_kind(seal_mask *m, const seal__imp ims[2], seal_kind kind, int want_box,
                       double ppm)
{
    char msg[160];
    for (int k = 0; k < 2; k++) {
        const seal__imp *im = &ims[k];
        if (!whole(im) || (want_box && want_box != k + 1))
            continue;
        if (seal__kind_conflict(kind, im->shape, 2 * im->g.a / ppm, 2 * im->g.b / ppm, msg,
                                sizeof(msg)) == SEAL_KIND_AUTO)
            return 0;
        seal__mask_add_issue(m, SEAL_DECISION_REJECT, "wrong_kind", "%s", msg);
        return 1;
    }
    return 0;
}

/* The impression to use: the asked box, else the clearer of the whole
 * impressions; -1 (refused) when the asked box is empty. */
static int choose_impression(seal_mask *m, const seal__imp ims[2], int want_box)
{
    int ch = -1;
    if (want_box) {
        ch = want_box - 1;
        if (!ims[ch].present) {
            seal__mask_add_issue(m, SEAL_DECISION_REJECT, "no_seal",
                                 "box %d holds no seal impression", want_box);
            return -1;
        }
    } else {
        /* the clearer of the whole impressions */
        for (int k = 0; k < 2; k++)
            if (ims[k].present && (ch < 0 || whole(&ims[k]) > whole(&ims[ch]) ||
                                   (whole(&ims[k]) == whole(&ims[ch]) &&
                                    m->info.scores[k].clarity > m->info.scores[ch].clarity)))
                ch = k;
    }
    return ch;
}

/* The chosen impression's box, shape, size and ink on the record, and the
 * kind: the one asked for, else decided from the shape and size. */
static seal_kind describe_seal(seal_mask *m, const seal__imp *c, int ch, seal_kind kind, double ppm)
{
    m->info.box = ch + 1;
    m->info.shape = c->shape;
    m->info.width_mm = 2 * c->g.a / ppm;
    m->info.height_mm = 2 * c->g.b / ppm;
    for (int k = 0; k < 3; k++)
        m->info.ink_rgb[k] = (unsigned char)lround(c->ink_rgb[k]);
    seal_kind decided = kind;
    if (decided == SEAL_KIND_AUTO)
        decided = c->shape == SEAL_SHAPE_SQUARE || m->info.width_mm < 32 ? SEAL_KIND_LEGAL_REP
                                                                         : SEAL_KIND_COMPANY;
    m->info.kind = decided;
    return decided;
}

/* Warnings about the impressions: one box empty, a box line crossed, print
 * under the ink, the chosen one faint. */
static void impression_warnings(seal_mask *m, const seal__imp ims[2], int ch, int nb, int present)
{
    if (nb >= 2 && present == 1)
        seal__mask_add_issue(m, SEAL_DECISION_WARN, "single_impression",
                             "only one impression: box %d is empty", ims[0].present ? 2 : 1);
    for (int k = 0; k < 2; k++) {
        if (!ims[k].present)
            continue;
        if (ims[k].crosses && m->info.box_count > 0)
            seal__mask_add_issue(m, SEAL_DECISION_WARN, "crosses_box_line",
                                 "impression %d crosses the box line (压线)", k + 1);
        if (ims[k].overlap >= 0.025)
            seal__mask_add_issue(m, SEAL_DECISION_WARN, "overlaps_text",
                                 "impression %d lies over printed text (%.0f%% of its ink)", k + 1,
                                 100 * ims[k].overlap);
    }
    const seal_impression_score *sc = &m->info.scores[ch];
    /* a well-inked impression keeps its border whole (>= 96% of 1-degree
     * bins on sealgen's good impressions); gaps mean faint or broken */
    if (sc->ring_continuity < 0.9)
        seal__mask_add_issue(
            m, SEAL_DECISION_WARN, "faint_impression",
            "faint or broken impression (outer border %.0f%% continuous, clarity %.2f)",
            100 * sc->ring_continuity, sc->clarity);
}

/* The measured size against the kind's usual sizes. */
static void size_warning(seal_mask *m, seal_shape shape, seal_kind decided)
{
    double w = m->info.width_mm, h = m->info.height_mm;
    const char *bad = NULL;
    if (decided == SEAL_KIND_COMPANY) {
        if (shape == SEAL_SHAPE_CIRCLE && (w < 37 || w > 46))
            bad = "a round company seal is 38-45 mm";
        else if (shape == SEAL_SHAPE_ELLIPSE && (w < 38 || w > 47 || h < 28 || h > 32))
            bad = "an oval seal is 40x30 or 45x30 mm";
        else if (shape == SEAL_SHAPE_SQUARE)
            bad = "a company seal is round or oval";
    } else if (decided == SEAL_KIND_LEGAL_REP) {
        if (w < 14 || w > 31 || h < 14 || h > 31)
            bad = "a legal representative's seal is 15-30 mm";
    }
    if (bad)
        seal__mask_add_issue(m, SEAL_DECISION_WARN, "unusual_size",
                             "the seal measures %.1f x %.1f mm; %s", w, h, bad);
}

/* A seal form (or a page of red impressions): measure both impressions,
 * refuse fragments and a kind the seal contradicts, score, choose, warn and
 * make the mask of the chosen one. */
static seal_status extract_seal(seal_mask *m, seal__page *p, const seal__fbox *boxes, int nb,
                                seal_kind kind, int want_box)
{
    seal__imp ims[2];
    seal_status st = SEAL_OK;
    double ppm = p->ppm;
    int present = 0, ch;
    memset(ims, 0, sizeof(ims));
    /* measured without bias first: a kind asked for must fit the seal */
    if ((st = seal__measure_boxes(p, boxes, nb, SEAL_KIND_AUTO, ims, &present)) != SEAL_OK)
        goto out;
    if (!present) {
        seal__mask_add_issue(m, SEAL_DECISION_REJECT, "no_seal",
                             nb >= 2 ? "no seal impression found in box 1 (印章1) or box 2 (印章2)"
                                     : "no seal impression found");
        goto out;
    }
    if (refuse_incomplete(m, ims, want_box, ppm) ||
        (kind != SEAL_KIND_AUTO && refuse_kind(m, ims, kind, want_box, ppm)))
        goto out;
    if (kind == SEAL_KIND_LEGAL_REP) {
        seal__imp_free(&ims[0]);
        seal__imp_free(&ims[1]);
        if ((st = seal__measure_boxes(p, boxes, nb, kind, ims, &present)) != SEAL_OK)
            goto out;
    }
    seal__score_pair(ims, m->info.scores);
    if ((ch = choose_impression(m, ims, want_box)) < 0)
        goto out;
    const seal__imp *c = &ims[ch];
    seal_kind decided = describe_seal(m, c, ch, kind, ppm);
    impression_warnings(m, ims, ch, nb, present);
    size_warning(m, c->shape, decided);
    st = seal__final_mask(m, p, c, c->g.a / ppm + 1.0, c->g.b / ppm + 1.0);
out:
    seal__imp_free(&ims[0]);
    seal__imp_free(&ims[1]);
    return st;
}

/* The form: its table lines, then collection boxes, signature areas or,
 * without a table, blobs of red ink; the seal or the signature taken from
 * them. */
static seal_status extract_form(seal_mask *m, seal__page *p, const seal_extract_options *opts)
{
    seal_status st;
    if ((st = seal__find_lines(p, 1, &p->hl, &p->nh)) != SEAL_OK ||
        (st = seal__find_lines(p, 0, &p->vl, &p->nv)) != SEAL_OK)
        return st;

    seal__cell cells[3], sig[3];
    seal__fbox boxes[3];
    int nc = 0, ns = 0;
    seal_kind kind = opts->kind;
    if (kind != SEAL_KIND_SIGNATURE)
        nc = seal__find_cells(p, 40, 115, 40, 125, cells, 2);
    if (kind == SEAL_KIND_SIGNATURE || (kind == SEAL_KIND_AUTO && nc < 2)) {
        ns = seal__find_cells(p, 22, 55, 35, 90, sig, 3);
        if (ns < 3)
            ns = seal__find_ruled(p, sig);
        if (ns < 3)
            ns = 0;
    }
    if (kind == SEAL_KIND_AUTO && nc >= 1 && ns == 3) {
        double red = 0;
        for (int i = 0; i < nc; i++)
            red += seal__cell_red(p, &cells[i]);
        if (red < 50)
            nc = 0;
    }
    if (kind == SEAL_KIND_SIGNATURE || (kind == SEAL_KIND_AUTO && nc == 0 && ns == 3)) {
        m->info.kind = SEAL_KIND_SIGNATURE;
        for (int i = 0; i < ns; i++)
            seal__cell_to_fbox(p, &sig[i], &boxes[i]);
        m->info.box_count = ns;
        if (ns == 0) {
            seal__mask_add_issue(
                m, SEAL_DECISION_REJECT, "no_signature",
                "no signature areas (three cells or three ruled lines) found on the form");
            return SEAL_OK;
        }
        return seal__extract_signature(m, p, boxes, ns, opts->box);
    }
    if (nc >= 1) {
        for (int i = 0; i < nc; i++)
            seal__cell_to_fbox(p, &cells[i], &boxes[i]);
        m->info.box_count = nc;
    } else {
        /* no table: the impressions themselves, as blobs of red ink */
        m->info.box_count = 0;
        nc = seal__red_blobs(p, cells, 2);
        if (nc < 0)
            return SEAL_ERR_NOMEM;
        if (nc == 0) {
            seal__mask_add_issue(
                m, SEAL_DECISION_REJECT, "no_seal",
                kind == SEAL_KIND_AUTO
                    ? "no collection boxes, signature areas or seal impression found on the page"
                    : "no seal impression found on the page");
            return SEAL_OK;
        }
        for (int i = 0; i < nc; i++)
            seal__cell_to_fbox(p, &cells[i], &boxes[i]);
    }
    if (opts->box > nc) {
        seal__mask_add_issue(m, SEAL_DECISION_REJECT, "no_box",
                             "box %d asked for, but the form has %d", opts->box, nc);
        return SEAL_OK;
    }
    return extract_seal(m, p, boxes, nc, kind, opts->box);
}

SEAL_API seal_status seal_scan_extract(seal_ctx *ctx, const seal_scan *scan,
                                       const seal_extract_options *opts, seal_mask **out)
{
    seal_extract_options defaults = SEAL_EXTRACT_OPTIONS_INIT;
    seal__page p;
    seal_status st = SEAL_OK;
    seal_mask *m;

    if (!ctx)
        return SEAL_ERR_ARGS;
    seal__reset(ctx);
    if (!scan || !out)
        return seal__fail(ctx, SEAL_ERR_ARGS, "seal_scan_extract: missing argument");
    *out = NULL;
    if (!opts)
        opts = &defaults;
    if (opts->version != 1 && opts->version != SEAL_EXTRACT_OPTIONS_VERSION)
        return seal__fail(ctx, SEAL_ERR_ARGS, "seal_extract_options: unknown version %u",
                          opts->version);
    if (opts->kind < SEAL_KIND_AUTO || opts->kind > SEAL_KIND_SIGNATURE || opts->box < 0 ||
        opts->box > (opts->kind == SEAL_KIND_SIGNATURE ? 3 : 2))
        return seal__fail(ctx, SEAL_ERR_ARGS, "seal_scan_extract: bad kind or box");
    if (opts->version >= 2 && !(opts->dpi == 0 || (opts->dpi >= 10 && opts->dpi <= 4800)))
        return seal__fail(ctx, SEAL_ERR_ARGS, "seal_scan_extract: dpi %g is not 10 to 4800",
                          opts->dpi);
    m = calloc(1, sizeof(*m));
    if (!m)
        return seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
    memcpy(m->sha256, scan->sha256, sizeof(m->sha256));
    m->info.kind = opts->kind;
    m->info.jpeg_quality = scan->jpeg_quality;
    memset(&p, 0, sizeof(p));
    p.s = scan;

    enum dpi_source from;
    double min_dpi = opts->min_dpi > 0 ? opts->min_dpi : 300;
    p.dpi = decide_dpi(scan, opts->version >= 2 ? opts->dpi : 0, &from);
    p.ppm = p.dpi / MM_PER_IN;
    m->info.dpi = p.dpi;
    if ((st = seal__page_overview(&p)) != SEAL_OK) {
        if (st == SEAL_ERR_INPUT) {
            seal__mask_add_issue(m, SEAL_DECISION_REJECT, "low_resolution",
                                 "the image (%dx%d) is too small to be a scan", scan->w, scan->h);
            st = SEAL_OK;
        }
        goto done;
    }
    m->info.illumination = p.illum;
    /* A dark surround alone could be a scanner's black backing; with a
     * resolution that fits no sheet of paper it is a camera's frame. */
    if (p.surround > 0.5 && from == DPI_A4)
        seal__mask_add_issue(
            m, SEAL_DECISION_REJECT, "perspective",
            "the sheet does not fill the image (%.0f%% of its edge is dark surround): this "
            "looks like a photo, not a flatbed scan",
            100 * p.surround);
    if (p.illum < 0.85)
        seal__mask_add_issue(
            m, SEAL_DECISION_REJECT, "perspective",
            "uneven light: the darkest paper is %.0f%% of the brightest; this looks like a "
            "photo, not a flatbed scan",
            100 * p.illum);
    if (p.dpi < min_dpi - 3) {
        refuse_low_dpi(m, scan, &p, from, min_dpi);
        if (seal__mask_has_issue(m, "unknown_resolution")) {
            m->info.dpi = 0; /* not known: no size can be measured */
            goto done;
        }
    }
    if (scan->jpeg_quality > 0 && scan->jpeg_quality < 50)
        seal__mask_add_issue(
            m, SEAL_DECISION_WARN, "heavy_jpeg",
            "heavy JPEG compression (quality about %d): fine strokes may be smeared",
            scan->jpeg_quality);
    if (seal__mask_has_issue(m, "perspective"))
        goto done; /* box and seal geometry mean nothing on a photo */

    st = extract_form(m, &p, opts);
done:
    seal__page_free(&p);
    if (st != SEAL_OK) {
        seal_mask_free(m);
        return st == SEAL_ERR_NOMEM ? seal__fail(ctx, st, "out of memory extracting the seal")
                                    : seal__fail(ctx, st, "cannot extract the seal");
    }
    *out = m;
    return SEAL_OK;
}
