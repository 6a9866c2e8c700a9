/*
 * Enrolment internals shared by scan.c, extract.c, trace.c and artwork.c.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef SEAL_ENROL_INTERNAL_H
#define SEAL_ENROL_INTERNAL_H

#include "internal.h"
#include "seal/enrol.h"

struct seal_scan {
    int w, h;
    unsigned char *rgb; /* w*h*3, rows top to bottom */
    double dpi_x, dpi_y; /* from the file; 0 when absent */
    char format[8];
    int jpeg_quality;
    char sha256[65];
};

#define SEAL_MAX_ISSUES 16

struct seal_issue_rec {
    seal_decision severity;
    char code[24];
    char message[160];
};

struct seal_mask {
    seal_mask_info info;
    unsigned char *bits; /* info.width_px * info.height_px, 1 = ink */
    char sha256[65];
    struct seal_issue_rec issues[SEAL_MAX_ISSUES];
};

/* An impression turned upright: `bits` w x h (1 = ink) at px_per_mm, the
 * seal's centre in the middle, its outline's half axes a_mm x b_mm. */
struct seal__upright {
    const unsigned char *bits;
    int w, h;
    double px_per_mm;
    seal_shape shape;
    double a_mm, b_mm;
};

/* The checks before an impression may become artwork (extcheck.c).
 * Border continuity and coverage, each 0..1 (see there). */
void seal__border_measure(const struct seal__upright *u, double *continuity, double *coverage);
/* The kind a seal of this shape and size is when `asked` contradicts it
 * (msg: "this is a 42 mm round seal; use --kind company"), else
 * SEAL_KIND_AUTO. */
seal_kind seal__kind_conflict(seal_kind asked, seal_shape shape, double w_mm, double h_mm,
                              char *msg, size_t n);
/* 1 when two impressions' outlines (mm) differ by no more than ink spread. */
int seal__sizes_agree(double w1, double h1, double w2, double h2);
/* The lowest border coverage a whole impression has. */
#define SEAL_MIN_COVERAGE 0.9

/* One closed path: a start point and segments, coordinates in mm, origin at
 * the artwork's top-left, y down. */
enum { SEG_LINE = 1, SEG_CURVE = 2 };
struct seal_seg {
    int type;
    double c[6]; /* line: x,y in c[4..5]; curve: c1, c2, end */
};
struct seal_path {
    double x0, y0;
    size_t nseg, seg_start; /* segments[seg_start .. seg_start+nseg) */
};

struct seal_artwork {
    seal_kind kind;
    double width_mm, height_mm;
    unsigned char rgb[3];
    struct seal_path *paths;
    size_t npaths, cap_paths;
    struct seal_seg *segs;
    size_t nsegs, cap_segs;
    char *name;       /* UTF-8, never NULL */
    char sha256[65];
    char *scores_json; /* never NULL; a made seal's settings when made */
    int made;          /* drawn by seal make: no source scan, no scores */
};

/* Start a path at (x0, y0) / append a segment to the last one (trace.c);
 * -1 when out of memory. */
int seal__art_add_path(seal_artwork *a, double x0, double y0);
int seal__art_add_seg(seal_artwork *a, int type, const double *c);

/* A JSON number with a fixed number of decimals (json-c would print 17
 * digits), for the records kept in artwork (trace.c). */
struct json_object;
struct json_object *seal__json_num(double v, int decimals);

#endif /* SEAL_ENROL_INTERNAL_H */
