/*
 * Enrolment step 2, the checks on a fitted impression that decide whether
 * it may become artwork at all: is its border whole (a fragment is not a
 * seal: the collection form asks for impressions 盖得清晰饱满), do the two
 * impressions agree in size, and does the kind asked for fit what was
 * measured.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "enrol_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define NBINS 360

/* Ink and pixels of the border band, per bin. */
struct bins {
    int on[NBINS], all[NBINS];
};

/*
 * Walk the border band (0.1 to 0.9 mm inside the outline) of an upright
 * mask and count, per bin, its pixels and its ink: by angle around the
 * centre (`ang`), and by position along the border (`pos`): the same for a
 * round or oval border, 90 bins a side for a square one, so that each side
 * weighs the same whatever the seal's proportions.
 */
static void band_bins(const struct seal__upright *u, struct bins *ang, struct bins *pos)
{
    double a = u->a_mm, b = u->b_mm, s = u->px_per_mm;
    memset(ang, 0, sizeof(*ang));
    memset(pos, 0, sizeof(*pos));
    for (int j = 0; j < u->h; j++) {
        double Y = (j + 0.5) / s - u->h / (2 * s);
        for (int i = 0; i < u->w; i++) {
            double X = (i + 0.5) / s - u->w / (2 * s);
            double din;
            int k = (int)floor((atan2(Y, X) + M_PI) * 180 / M_PI), kp = k;
            if (u->shape == SEAL_SHAPE_SQUARE) {
                double dx = a - fabs(X), dy = b - fabs(Y);
                din = fmin(dx, dy);
                if (dx < dy) /* on the left or right side: how far down it */
                    kp = (X > 0 ? 90 : 270) + (int)floor(45 * (1 + fmax(-1, fmin(1, Y / b))));
                else
                    kp = (Y > 0 ? 180 : 0) + (int)floor(45 * (1 + fmax(-1, fmin(1, X / a))));
            } else {
                double rho = sqrt((X / a) * (X / a) + (Y / b) * (Y / b));
                double r = hypot(X, Y);
                din = rho > 0 ? r / rho - r : a;
            }
            if (din < 0.1 || din > 0.9)
                continue;
            int ink = u->bits[(size_t)j * u->w + i];
            k = k < 0 ? 0 : k >= NBINS ? NBINS - 1 : k;
            kp = kp < 0 ? 0 : kp >= NBINS ? NBINS - 1 : kp;
            ang->all[k]++;
            ang->on[k] += ink;
            pos->all[kp]++;
            pos->on[kp] += ink;
        }
    }
}

/*
 * Continuity: the share of 1-degree bins inked on at least 30% of their
 * band (a well-inked impression keeps its border whole). Coverage: the share
 * of the border (by angle, or along the sides of a square) lying within 7
 * bins of a bin holding some ink (10% of its band): the gaps of a faint or
 * speckled impression (up to 14 degrees, 5 mm of a 42 mm ring) are bridged,
 * the missing arc of a fragment is not. On sealgen's pages whole impressions
 * cover 92-100% (the faintest of the hard profile 92%), a quarter or half
 * of a seal 50-70% around the centre its remains are fitted with.
 */
void seal__border_measure(const struct seal__upright *u, double *continuity, double *coverage)
{
    struct bins ang, pos;
    int inked[NBINS], good = 0, tot = 0, covered = 0;
    band_bins(u, &ang, &pos);
    for (int k = 0; k < NBINS; k++) {
        inked[k] = pos.all[k] && pos.on[k] >= 0.1 * pos.all[k];
        if (!ang.all[k])
            continue;
        tot++;
        good += ang.on[k] >= 0.3 * ang.all[k];
    }
    for (int k = 0; k < NBINS; k++) {
        int near = 0;
        for (int d = -7; d <= 7 && !near; d++)
            near = inked[(k + d + NBINS) % NBINS];
        covered += near;
    }
    *continuity = tot ? (double)good / tot : 0;
    *coverage = (double)covered / NBINS;
}

static void shape_words(seal_shape shape, double w, double h, char *out, size_t n)
{
    if (shape == SEAL_SHAPE_CIRCLE)
        snprintf(out, n, "%.0f mm round", w);
    else if (shape == SEAL_SHAPE_ELLIPSE)
        snprintf(out, n, "%.0fx%.0f mm oval", w, h);
    else if (fabs(w - h) < 1)
        snprintf(out, n, "%.0f mm square", w);
    else
        snprintf(out, n, "%.0fx%.0f mm rectangular", w, h);
}

/*
 * The kind a seal of this measured shape and size must be when it is not
 * `asked`, or SEAL_KIND_AUTO when `asked` fits. A company seal is round or
 * oval and 38-47 mm across; a legal representative's seal is square, or
 * round and small (15-30 mm). Sizes between (31-34 mm) are left to the
 * warnings: only a plain contradiction is refused.
 */
seal_kind seal__kind_conflict(seal_kind asked, seal_shape shape, double w_mm, double h_mm,
                              char *msg, size_t n)
{
    seal_kind want = SEAL_KIND_AUTO;
    char what[48];
    if (asked == SEAL_KIND_COMPANY &&
        (shape == SEAL_SHAPE_SQUARE || (shape != SEAL_SHAPE_NONE && w_mm <= 30)))
        want = SEAL_KIND_LEGAL_REP;
    else if (asked == SEAL_KIND_LEGAL_REP &&
             (shape == SEAL_SHAPE_CIRCLE || shape == SEAL_SHAPE_ELLIPSE) && w_mm >= 35)
        want = SEAL_KIND_COMPANY;
    if (want == SEAL_KIND_AUTO)
        return want;
    shape_words(shape, w_mm, h_mm, what, sizeof(what));
    snprintf(msg, n, "this is a %s seal; use --kind %s", what, seal_kind_name(want));
    return want;
}

/*
 * Do two impressions of the same seal agree in size? Ink spreading under
 * pressure grows the outline by up to about half a millimetre a side
 * (1 mm across) and the fit is good to a few tenths: 1.5 mm plus 3% across
 * either axis is still the same seal; more means one of them is cut off.
 */
int seal__sizes_agree(double w1, double h1, double w2, double h2)
{
    double tw = 1.5 + 0.03 * fmax(w1, w2), th = 1.5 + 0.03 * fmax(h1, h2);
    return fabs(w1 - w2) <= tw && fabs(h1 - h2) <= th;
}
