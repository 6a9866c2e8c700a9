/*
 * Enrolment internals: the one private header of the enrolment stage.
 * What is declared here and which file defines it:
 *   scan.c       struct seal_scan (the decoded scan)
 *   the mask     struct seal_mask; extmask.c the mask object and its issues
 *   extcheck.c   struct seal__upright, border, size and kind checks
 *   extmath.c    image maths: percentile, histogram quantile, Otsu
 *   extform.c    the page overview: skew, table lines, boxes, red blobs;
 *                the deskewed (u, v) frame
 *   extink.c     a region at full resolution: ink measure, threshold,
 *                connected components
 *   extfit.c     fitting the outline: ellipse, rectangle, border points,
 *                the star's turn
 *   extscore.c   one impression: find, fit, straighten and score it; the
 *                final upright mask
 *   extsig.c     signatures (pen samples)
 *   extract.c    the entry point seal_scan_extract (defines nothing here)
 *   trace.c      artwork paths, JSON numbers; artwork.c the artwork object
 * make.c and makelay.c have their own header (makeint.h).
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

/* ---- extraction (extmask.c .. extract.c) --------------------------------- */

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* extmask.c: one issue per code on the mask (the first message says it);
 * the decision rises to the worst severity. */
void seal__mask_add_issue(seal_mask *m, seal_decision sev, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int seal__mask_has_issue(const seal_mask *m, const char *code);

/* extmath.c: image maths. */
double seal__clampd(double v, double lo, double hi);
/* qsort comparison of doubles, ascending. */
int seal__cmp_double(const void *a, const void *b);
/* Percentile p (0..1) of n values, nearest rank (sorts them); 0 for none. */
double seal__percentile(double *v, size_t n, double p);
/* The first bin below which (inclusive) a share p of a histogram's mass lies. */
int seal__hist_quantile(const unsigned *h, int nbins, double p);
/* Otsu's threshold of a histogram: the bin that ends the dark class. */
int seal__otsu(const double *h, int n);

/* extform.c: the page overview (about 75 dpi). */
typedef struct seal__line_seg {
    double pos;  /* deskewed position (v for horizontal, u for vertical), overview px */
    double a, b; /* extent along the line, overview px (deskewed) */
} seal__line_seg;

typedef struct seal__page {
    const seal_scan *s;
    double dpi, ppm;     /* full-resolution pixels per inch / per mm */
    int F, ow, oh;       /* overview: F x F blocks */
    double oppm;         /* overview pixels per mm */
    unsigned char *dark; /* overview: block holds black print */
    unsigned char *red;  /* overview: block holds red ink */
    float *lum;          /* overview: block mean brightness */
    double white;        /* paper brightness, 0..255 */
    double illum;        /* darkest / brightest paper region */
    double surround;     /* share of the image's edge band that is not paper */
    double t;            /* tan(skew) */
    seal__line_seg *hl, *vl;
    size_t nh, nv;
} seal__page;

/* A collection box (or signature area) in the deskewed overview frame. */
typedef struct seal__cell {
    double u0, u1, v0, v1;
    int open_sides; /* signature lines: only the bottom side is a line */
} seal__cell;

/* Box in scan pixels (deskewed frame). */
typedef struct seal__fbox {
    double u0, u1, v0, v1;
    int open_sides;
} seal__fbox;

void seal__page_free(seal__page *p);
/* Fill the overview of p (p->s, dpi and ppm set): dark and red blocks,
 * brightness, paper white, illumination, surround. SEAL_ERR_INPUT when
 * the image is too small. */
seal_status seal__page_overview(seal__page *p);
/* Long straight lines (horizontal: also sets the skew p->t). */
seal_status seal__find_lines(seal__page *p, int horizontal, seal__line_seg **out, size_t *nout);
int seal__find_cells(const seal__page *p, double hmin, double hmax, double wmin, double wmax,
                     seal__cell *outc, int maxc);
int seal__find_ruled(const seal__page *p, seal__cell *outc);
void seal__cell_to_fbox(const seal__page *p, const seal__cell *c, seal__fbox *b);
double seal__cell_red(const seal__page *p, const seal__cell *c);
int seal__red_blobs(const seal__page *p, seal__cell *out, int maxc);
/* Scan pixels to the deskewed frame (u along the lines, v across) and back. */
void seal__to_uv(const seal__page *p, double x, double y, double *u, double *v);
void seal__from_uv(const seal__page *p, double u, double v, double *x, double *y);
/* A box's bounding rectangle in scan pixels, grown by margin px. */
void seal__box_bounds(const seal__page *p, const seal__fbox *b, double margin, int *x0, int *y0,
                      int *x1, int *y1);

/* extink.c: a region at full resolution. */
enum { SEAL__MEASURE_SEAL = 0, SEAL__MEASURE_PEN = 1 };

typedef struct seal__roi {
    int x0, y0, w, h; /* in scan pixels */
    float *f;         /* ink measure: seal D_G - D_R; pen D_R */
    float *thr;       /* threshold for f */
    float *pd;        /* print (neutral) density D_R, seals only */
    unsigned char *m; /* f > thr */
    int *lab;         /* component of each mask pixel, -1 none */
    int ncomp;
    struct seal__comp {
        long area;
        double sx, sy, sf;
        int x0, y0, x1, y1;
        int keep;
    } *comps;
    double level; /* strong ink level (99th percentile of f over ink) */
    double otsu;
} seal__roi;

void seal__roi_free(seal__roi *r);
/* Whether pixel i is ink of a kept component (labelled). */
static inline int seal__roi_kept(const seal__roi *r, size_t i)
{
    int l = r->lab[i];
    return l >= 0 && r->comps[l].keep;
}
/* 8-connected components of r->m, with their areas, centroids, sums of r->f
 * and bounds. */
seal_status seal__roi_label(seal__roi *r);
/* Measure [x0,x1) x [y0,y1) of the scan (clipped): ink measure, threshold,
 * mask and components. SEAL_ERR_INPUT when under 8 px a side. */
seal_status seal__roi_measure(const seal__page *p, seal__roi *r, int x0, int y0, int x1, int y1,
                              int mode);
double seal__roi_sample(const seal__roi *r, double x, double y, int *kept);
seal_status seal__roi_crop(seal__roi *r, int x0, int y0, int x1, int y1);
/* The mean colour (0..255 a channel) under the kept ink with f >= min_f and
 * print density pd <= max_pd; 0 when there is none. */
void seal__roi_ink_rgb(const seal__page *p, const seal__roi *r, double min_f, double max_pd,
                       double out[3]);

/* extfit.c: fitting the outline. */
typedef struct seal__fit {
    double cx, cy, a, b, beta; /* centre (scan px), semi-axes (px), rotation (rad, clockwise) */
    double rms;                /* px */
} seal__fit;

/* An ellipse (or a circle) through the points with w[i] set, searched
 * over turns of +-25 degrees around (ox, oy); w[i] is cleared for outliers.
 * 0 on success. */
int seal__fit_ellipse(const double *px, const double *py, int *w, int n, double ox, double oy,
                      int circle_only, seal__fit *out);
int seal__fit_rect(const double *px, const double *py, const int *w0, int n, double ox, double oy,
                   seal__fit *out);
int seal__outline_points(const seal__roi *r, double cx, double cy, double rmax, double *px,
                         double *py);
double seal__star_turn(const seal__roi *r, double cx, double cy, double rs, double *conf);
void seal__outline_extent(const seal__fit *g, seal_shape shape, double *ex, double *ey);
int seal__inside_outline(seal_shape shape, double X, double Y, double a, double b);

/* extscore.c: one impression. */
typedef struct seal__imp {
    int present;
    seal__fit g; /* outline (scan px) */
    seal_shape shape;
    double rmax;        /* search radius used, px */
    unsigned char *can; /* upright mask at scan resolution */
    int cw, chh;        /* its size */
    long ink;           /* pixels in can */
    double medf, sharp, ring, cover, overlap, ink_rgb[3];
    int crosses;
    seal_impression_score sc;
    seal__roi r;
} seal__imp;

typedef struct seal__boxinfo {
    seal__fbox box;
    double rmax_mm;
    seal_kind kind;
} seal__boxinfo;

void seal__imp_free(seal__imp *im);
double seal__edge_sharpness(const seal__roi *r);
seal_status seal__measure_boxes(const seal__page *p, const seal__fbox *boxes, int nb,
                                seal_kind kind, seal__imp ims[2], int *present);
void seal__score_pair(const seal__imp ims[2], seal_impression_score scores[2]);
seal_status seal__final_mask(seal_mask *m, const seal__page *p, const seal__imp *im,
                             double half_w, double half_h);

/* extsig.c: the signature samples of a signature form. */
seal_status seal__extract_signature(seal_mask *m, seal__page *p, const seal__fbox *boxes, int nb,
                                    int want_box);

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
