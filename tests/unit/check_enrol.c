/*
 * Enrolment: synthetic collection-form scans drawn here (seals of known
 * centre, size and turn, on a form with known boxes), run through
 * load -> extract -> trace -> write, with exact tolerances.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <seal/seal.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define FIXDIR SEAL_TEST_FIXTURES "/enrol"

/* ---- a minimal PNG writer (stored deflate blocks), so the scans carry
 * pHYs and need nothing but libc ---------------------------------------- */

static uint32_t crc_table[256];

static void crc_init(void)
{
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
        crc_table[n] = c;
    }
}

static uint32_t crc(uint32_t c, const unsigned char *b, size_t n)
{
    c ^= 0xffffffffu;
    for (size_t i = 0; i < n; i++)
        c = crc_table[(c ^ b[i]) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}

static void chunk(FILE *f, const char *type, const unsigned char *data, uint32_t len)
{
    unsigned char hdr[8];
    put32(hdr, len);
    memcpy(hdr + 4, type, 4);
    fwrite(hdr, 1, 8, f);
    if (len)
        fwrite(data, 1, len, f);
    /* the CRC covers type and data */
    uint32_t c;
    unsigned char *tmp = malloc(len + 4);
    memcpy(tmp, type, 4);
    if (len)
        memcpy(tmp + 4, data, len);
    c = crc(0, tmp, len + 4);
    free(tmp);
    put32(hdr, c);
    fwrite(hdr, 1, 4, f);
}

/* Write w x h RGB (or only the header when rgb is NULL) with pHYs at dpi. */
static void write_png(const char *path, int w, int h, const unsigned char *rgb, double dpi)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot write %s: %s", path, strerror(errno));
    fwrite("\x89PNG\r\n\x1a\n", 1, 8, f);
    unsigned char ihdr[13] = {0};
    put32(ihdr, (uint32_t)w);
    put32(ihdr + 4, (uint32_t)h);
    ihdr[8] = 8;
    ihdr[9] = 2;
    chunk(f, "IHDR", ihdr, 13);
    unsigned char phys[9];
    put32(phys, (uint32_t)lround(dpi / 0.0254));
    put32(phys + 4, (uint32_t)lround(dpi / 0.0254));
    phys[8] = 1;
    if (dpi > 0) /* 0: a file that records no resolution */
        chunk(f, "pHYs", phys, 9);
    size_t raw_len = rgb ? (size_t)h * (3 * (size_t)w + 1) : 1;
    unsigned char *raw = calloc(raw_len, 1);
    if (rgb)
        for (int y = 0; y < h; y++)
            memcpy(raw + (size_t)y * (3 * w + 1) + 1, rgb + (size_t)y * 3 * w, 3 * (size_t)w);
    size_t nblk = raw_len / 65535 + 1;
    size_t zlen = 2 + raw_len + 5 * nblk + 4;
    unsigned char *z = malloc(zlen), *p = z;
    *p++ = 0x78;
    *p++ = 0x01;
    uint32_t a = 1, b = 0;
    for (size_t off = 0; off < raw_len || off == 0;) {
        size_t n = raw_len - off > 65535 ? 65535 : raw_len - off;
        *p++ = off + n >= raw_len ? 1 : 0;
        *p++ = n & 0xff;
        *p++ = n >> 8;
        *p++ = ~n & 0xff;
        *p++ = (~n >> 8) & 0xff;
        memcpy(p, raw + off, n);
        for (size_t i = 0; i < n; i++) {
            a = (a + raw[off + i]) % 65521;
            b = (b + a) % 65521;
        }
        p += n;
        off += n;
        if (off >= raw_len)
            break;
    }
    put32(p, b << 16 | a);
    p += 4;
    chunk(f, "IDAT", z, (uint32_t)(p - z));
    chunk(f, "IEND", NULL, 0);
    fclose(f);
    free(raw);
    free(z);
}

/* ---- drawing: designs in seal coordinates (mm, y down, centre 0,0) ----- */

enum { D_ROUND, D_OVAL, D_SQUARE };

typedef struct design {
    int kind;
    double w, h;    /* outer size, mm */
    double border;  /* ring / border width, mm */
} design;

/* Inside a bar of half-length hl and half-width hw along angle a, centred at (cx, cy). */
static int in_bar(double X, double Y, double cx, double cy, double a, double hl, double hw)
{
    double dx = X - cx, dy = Y - cy, c = cos(a), s = sin(a);
    double u = dx * c + dy * s, v = -dx * s + dy * c;
    return fabs(u) <= hl && fabs(v) <= hw;
}

static int in_star(double X, double Y, double r)
{
    double px[10], py[10];
    for (int k = 0; k < 10; k++) {
        double rr = k % 2 ? r * 0.381966 : r, a = (-90 + 36 * k) * M_PI / 180;
        px[k] = rr * cos(a);
        py[k] = rr * sin(a);
    }
    int in = 0;
    for (int i = 0, j = 9; i < 10; j = i++)
        if ((py[i] > Y) != (py[j] > Y) && X < (px[j] - px[i]) * (Y - py[i]) / (py[j] - py[i]) + px[i])
            in = !in;
    return in;
}

/* A "character": a box outline with a cross, size s, strokes t, turned by a. */
static int in_glyph(double X, double Y, double cx, double cy, double a, double s, double t)
{
    double h = s / 2;
    return in_bar(X, Y, cx, cy, a, h, t / 2) ||
           in_bar(X, Y, cx + h * sin(-a) * 0 + 0, cy, a + M_PI / 2, h, t / 2) ||
           in_bar(X, Y, cx - (h - t / 2) * sin(a), cy + (h - t / 2) * cos(a), a, h, t / 2) ||
           in_bar(X, Y, cx + (h - t / 2) * sin(a), cy - (h - t / 2) * cos(a), a, h, t / 2);
}

static int in_design(const design *d, double X, double Y)
{
    if (d->kind == D_ROUND) {
        double R = d->w / 2, r = hypot(X, Y);
        if (r > R)
            return 0;
        if (r >= R - d->border)
            return 1;
        if (in_star(X, Y, 7.0 * R / 21))
            return 1;
        /* ten glyphs along the top arc */
        double rc = R - d->border - 4.2 * R / 21;
        for (int k = 0; k < 10; k++) {
            double a = (-90 + (k - 4.5) * 24) * M_PI / 180;
            if (in_glyph(X, Y, rc * cos(a), rc * sin(a), a + M_PI / 2, 4.6 * R / 21, 0.55))
                return 1;
        }
        return in_bar(X, Y, 0, 11.0 * R / 21, 0, 6.5, 0.6);
    }
    if (d->kind == D_OVAL) {
        double a = d->w / 2, b = d->h / 2;
        double rho = sqrt((X / a) * (X / a) + (Y / b) * (Y / b));
        if (rho > 1)
            return 0;
        double inner = sqrt((X / (a - d->border)) * (X / (a - d->border)) +
                            (Y / (b - d->border)) * (Y / (b - d->border)));
        if (inner >= 1)
            return 1;
        for (int k = 0; k < 7; k++)
            if (in_glyph(X, Y, (k - 3) * 4.2, -7.0, 0, 3.4, 0.5))
                return 1;
        return in_bar(X, Y, 0, 0, 0, 12, 0.5) || in_bar(X, Y, 0, 6.5, 0, 8, 0.6);
    }
    double hs = d->w / 2;
    if (fabs(X) > hs || fabs(Y) > hs)
        return 0;
    if (fabs(X) >= hs - d->border || fabs(Y) >= hs - d->border)
        return 1;
    double q = (hs - d->border) / 2;
    for (int k = 0; k < 4; k++)
        if (in_glyph(X, Y, k % 2 ? q : -q, k / 2 ? q : -q, 0, 1.4 * q, 0.7))
            return 1;
    return 0;
}

typedef struct stamp {
    design d;
    double cx_mm, cy_mm; /* centre on the page */
    double rot_deg;      /* counter-clockwise as seen */
    double level;        /* ink density */
    int uneven;          /* density falls from 1 to 0.45 across the seal */
    int gaps;            /* a worn, broken impression */
    int quarter;         /* only the top right quarter inked: a fragment */
} stamp;

typedef struct page {
    int w, h;
    double ppm;
    float *t; /* w*h*3 transmittance */
} page;

static void page_new(page *p, double w_mm, double h_mm, double dpi)
{
    p->ppm = dpi / 25.4;
    p->w = (int)lround(w_mm * p->ppm);
    p->h = (int)lround(h_mm * p->ppm);
    p->t = malloc(sizeof(float) * 3 * (size_t)p->w * p->h);
    for (size_t i = 0; i < (size_t)p->w * p->h; i++) {
        p->t[3 * i] = 0.965f;
        p->t[3 * i + 1] = 0.955f;
        p->t[3 * i + 2] = 0.93f;
    }
}

/* Multiply a neutral (print) or coloured layer of coverage cov in. */
static void blend(page *p, int x, int y, double dens, const double T[3])
{
    if (x < 0 || y < 0 || x >= p->w || y >= p->h || dens <= 0)
        return;
    float *px = p->t + 3 * ((size_t)y * p->w + x);
    for (int c = 0; c < 3; c++)
        px[c] *= (float)pow(T[c], dens);
}

static const double BLACK[3] = {0.08, 0.08, 0.08};
static const double RED[3] = {0.88, 0.14, 0.18};
static const double BLUE[3] = {0.22, 0.33, 0.78};

/* A filled rectangle of print, mm. */
static void print_rect(page *p, double x0, double y0, double x1, double y1)
{
    for (int y = (int)floor(y0 * p->ppm) - 1; y <= (int)ceil(y1 * p->ppm) + 1; y++)
        for (int x = (int)floor(x0 * p->ppm) - 1; x <= (int)ceil(x1 * p->ppm) + 1; x++) {
            /* coverage of the pixel [x-.5, x+.5] by the rectangle */
            double ax = fmax(x - 0.5, x0 * p->ppm), bx = fmin(x + 0.5, x1 * p->ppm);
            double ay = fmax(y - 0.5, y0 * p->ppm), by = fmin(y + 0.5, y1 * p->ppm);
            if (bx > ax && by > ay)
                blend(p, x, y, (bx - ax) * (by - ay), BLACK);
        }
}

static void hline(page *p, double x0, double x1, double y)
{
    print_rect(p, x0, y - 0.18, x1, y + 0.18);
}

static void vline(page *p, double x, double y0, double y1)
{
    print_rect(p, x - 0.18, y0, x + 0.18, y1);
}

/* The collection form: boxes 1 [33,97] and 2 [115,179] mm across, 25-100 mm down. */
static void draw_form(page *p)
{
    hline(p, 15, 179, 12);
    hline(p, 15, 179, 25);
    hline(p, 15, 179, 100);
    vline(p, 15, 12, 100);
    vline(p, 33, 25, 100);
    vline(p, 97, 25, 100);
    vline(p, 115, 25, 100);
    vline(p, 179, 12, 100);
}

/* A row of hollow "characters" of print, 4 mm high, centred at (cx, cy). */
static void draw_text_row(page *p, double cx, double cy, int n)
{
    for (int k = 0; k < n; k++) {
        double x = cx + (k - (n - 1) / 2.0) * 5.0;
        print_rect(p, x - 2, cy - 2, x + 2, cy - 1.6);
        print_rect(p, x - 2, cy + 1.6, x + 2, cy + 2);
        print_rect(p, x - 2, cy - 2, x - 1.6, cy + 2);
        print_rect(p, x + 1.6, cy - 2, x + 2, cy + 2);
        print_rect(p, x - 0.2, cy - 2, x + 0.2, cy + 2);
    }
}

static int gap_at(double X, double Y)
{
    return sin(X * 1.3 + Y * 0.7) * sin(Y * 1.1 - X * 0.4) > 0.45;
}

/* Stamp with 4x4 supersampling: pixel coverage of the design, times ink. */
static void draw_stamp(page *p, const stamp *s)
{
    double beta = -s->rot_deg * M_PI / 180, c = cos(beta), sn = sin(beta);
    double R = 0.5 * hypot(s->d.w, s->d.h) + 1;
    int x0 = (int)floor((s->cx_mm - R) * p->ppm), x1 = (int)ceil((s->cx_mm + R) * p->ppm);
    int y0 = (int)floor((s->cy_mm - R) * p->ppm), y1 = (int)ceil((s->cy_mm + R) * p->ppm);
    for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++) {
            int hit = 0;
            double X = 0, Y = 0;
            for (int sy = 0; sy < 4; sy++)
                for (int sx = 0; sx < 4; sx++) {
                    double dx = (x - 0.375 + 0.25 * sx) / p->ppm - s->cx_mm;
                    double dy = (y - 0.375 + 0.25 * sy) / p->ppm - s->cy_mm;
                    /* page -> seal: turn back by beta */
                    X = dx * c + dy * sn;
                    Y = -dx * sn + dy * c;
                    hit += in_design(&s->d, X, Y);
                }
            if (!hit)
                continue;
            double lev = s->level;
            if (s->uneven)
                lev *= 1.0 - 0.55 * (X + s->d.w / 2) / s->d.w;
            if (s->gaps && gap_at(X, Y))
                continue;
            if (s->quarter && (X < 0 || Y > 0))
                continue;
            blend(p, x, y, lev * hit / 16.0, RED);
        }
}

static void page_save(page *p, const char *path, double dpi)
{
    unsigned char *rgb = malloc(3 * (size_t)p->w * p->h);
    uint32_t seed = 12345;
    for (size_t i = 0; i < 3 * (size_t)p->w * p->h; i++) {
        seed = seed * 1103515245u + 12345u;
        double noise = ((seed >> 16) & 7) - 3.5;
        double v = 255.0 * p->t[i] + noise * 0.6;
        rgb[i] = (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : lround(v));
    }
    write_png(path, p->w, p->h, rgb, dpi);
    free(rgb);
    free(p->t);
    p->t = NULL;
}

static void fixdir(void)
{
    mkdir(SEAL_TEST_FIXTURES, 0755);
    mkdir(FIXDIR, 0755);
    crc_init();
}

static const design ROUND42 = {D_ROUND, 42, 42, 1.2};
static const design OVAL4030 = {D_OVAL, 40, 30, 1.0};
static const design SQUARE20 = {D_SQUARE, 20, 20, 1.0};

/* A form with up to two impressions (NULL: empty box). */
static void make_form(const char *path, double dpi, const stamp *s1, const stamp *s2, int text)
{
    page p;
    page_new(&p, 195, 120, dpi);
    if (text >= 0)
        draw_form(&p);
    if (text > 0)
        draw_text_row(&p, 65, 62.5, 9);
    if (s1)
        draw_stamp(&p, s1);
    if (s2)
        draw_stamp(&p, s2);
    page_save(&p, path, dpi);
}

typedef struct run {
    seal_ctx *ctx;
    seal_scan *scan;
    seal_mask *mask;
    seal_mask_info mi;
} run;

static void run_extract(run *r, const char *path, seal_kind kind)
{
    seal_extract_options xo = SEAL_EXTRACT_OPTIONS_INIT;
    memset(r, 0, sizeof(*r));
    ck_assert_int_eq(seal_ctx_new(&r->ctx), SEAL_OK);
    ck_assert_msg(seal_scan_load(r->ctx, &r->scan, path, NULL) == SEAL_OK, "load %s: %s", path,
                  seal_ctx_message(r->ctx));
    xo.kind = kind;
    ck_assert_msg(seal_scan_extract(r->ctx, r->scan, &xo, &r->mask) == SEAL_OK, "extract: %s",
                  seal_ctx_message(r->ctx));
    seal_mask_info_get(r->mask, &r->mi);
    /* the consistent names give the same as the deprecated ones */
    seal_mask_info gi;
    seal_scan_info si, so;
    seal_mask_get_info(r->mask, &gi);
    ck_assert_int_eq(gi.decision, r->mi.decision);
    ck_assert_int_eq(gi.width_px, r->mi.width_px);
    ck_assert_uint_eq(gi.issue_count, r->mi.issue_count);
    seal_scan_get_info(r->scan, &si);
    seal_scan_info_get(r->scan, &so);
    ck_assert_int_eq(si.width, so.width);
    ck_assert_int_eq(si.height, so.height);
}

static void run_free(run *r)
{
    seal_mask_free(r->mask);
    seal_scan_free(r->scan);
    seal_ctx_free(r->ctx);
}

/* The issue codes of a mask, space separated, for messages and checks. */
static void codes(const run *r, char *buf, size_t size)
{
    buf[0] = 0;
    for (size_t i = 0; i < r->mi.issue_count; i++) {
        seal_issue is;
        ck_assert_int_eq(seal_mask_issue(r->mask, i, &is), SEAL_OK);
        snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", i ? " " : "", is.code);
    }
}

static int has_code(const run *r, const char *code)
{
    for (size_t i = 0; i < r->mi.issue_count; i++) {
        seal_issue is;
        if (seal_mask_issue(r->mask, i, &is) == SEAL_OK && !strcmp(is.code, code))
            return 1;
    }
    return 0;
}

/* Share of the design's ink (drawn in the mask's upright frame) the mask
 * holds, and IoU; within the band |Y - band_y| < band_h when band_h > 0. */
static double mask_iou(const run *r, const design *d, double band_y, double band_h)
{
    const unsigned char *bits = seal_mask_bits(r->mask);
    int W = r->mi.width_px, H = r->mi.height_px;
    double s = r->mi.px_per_mm;
    long inter = 0, uni = 0;
    ck_assert_ptr_nonnull(bits);
    for (int j = 0; j < H; j++)
        for (int i = 0; i < W; i++) {
            double X = (i + 0.5) / s - W / (2 * s), Y = (j + 0.5) / s - H / (2 * s);
            if (band_h > 0 && fabs(Y - band_y) > band_h)
                continue;
            int a = in_design(d, X, Y), b = bits[(size_t)j * W + i];
            inter += a && b;
            uni += a || b;
        }
    return uni ? (double)inter / uni : 0;
}

static void check_geometry(const run *r, const stamp *s, double w, double h)
{
    ck_assert_msg(fabs(r->mi.center_x_mm - s->cx_mm) < 0.5 && fabs(r->mi.center_y_mm - s->cy_mm) < 0.5,
                  "centre %.2f,%.2f mm, drawn at %.2f,%.2f", r->mi.center_x_mm, r->mi.center_y_mm,
                  s->cx_mm, s->cy_mm);
    ck_assert_msg(fabs(r->mi.width_mm - w) < 0.3 && fabs(r->mi.height_mm - h) < 0.3,
                  "size %.2f x %.2f mm, drawn %.1f x %.1f", r->mi.width_mm, r->mi.height_mm, w, h);
    ck_assert_msg(fabs(r->mi.rotation_deg - s->rot_deg) < 1.0, "rotation %.2f deg, drawn %.2f",
                  r->mi.rotation_deg, s->rot_deg);
}

/* ---- the tests ----------------------------------------------------------- */

START_TEST(round_clear_in_box1)
{
    stamp a = {ROUND42, 64.3, 62.1, 7.0, 1.0, 0, 0};
    stamp b = {ROUND42, 146.8, 63.0, -4.0, 0.75, 0, 1};
    char path[512], buf[256];
    run r;
    fixdir();
    snprintf(path, sizeof(path), "%s/round1.png", FIXDIR);
    make_form(path, 300, &a, &b, 0);
    run_extract(&r, path, SEAL_KIND_AUTO);
    codes(&r, buf, sizeof(buf));
    ck_assert_msg(r.mi.decision == SEAL_DECISION_ACCEPT, "decision %s (%s)",
                  seal_decision_name(r.mi.decision), buf);
    ck_assert_int_eq(r.mi.box_count, 2);
    ck_assert_int_eq(r.mi.box, 1);
    ck_assert_int_eq(r.mi.kind, SEAL_KIND_COMPANY);
    ck_assert_int_eq(r.mi.shape, SEAL_SHAPE_CIRCLE);
    ck_assert(r.mi.scores[0].clarity > r.mi.scores[1].clarity);
    ck_assert(r.mi.scores[1].broken_strokes > r.mi.scores[0].broken_strokes);
    check_geometry(&r, &a, 42, 42);
    double iou = mask_iou(&r, &ROUND42, 0, 0);
    ck_assert_msg(iou > 0.88, "mask IoU with the design %.3f", iou);
    run_free(&r);
}
END_TEST

START_TEST(round_clear_in_box2)
{
    stamp a = {ROUND42, 63.0, 61.0, 3.0, 0.7, 0, 1};
    stamp b = {ROUND42, 148.2, 64.4, -8.5, 1.0, 0, 0};
    char path[512];
    run r;
    fixdir();
    snprintf(path, sizeof(path), "%s/round2.png", FIXDIR);
    make_form(path, 300, &a, &b, 0);
    run_extract(&r, path, SEAL_KIND_COMPANY);
    ck_assert_int_eq(r.mi.box, 2);
    check_geometry(&r, &b, 42, 42);
    run_free(&r);
}
END_TEST

START_TEST(oval_turned)
{
    stamp a = {OVAL4030, 66.0, 60.0, -6.0, 1.0, 0, 0};
    stamp b = {OVAL4030, 146.0, 62.0, 2.0, 0.7, 0, 1};
    char path[512];
    run r;
    fixdir();
    snprintf(path, sizeof(path), "%s/oval.png", FIXDIR);
    make_form(path, 300, &a, &b, 0);
    run_extract(&r, path, SEAL_KIND_AUTO);
    ck_assert_int_eq(r.mi.shape, SEAL_SHAPE_ELLIPSE);
    ck_assert_int_eq(r.mi.kind, SEAL_KIND_COMPANY);
    ck_assert_int_eq(r.mi.box, 1);
    check_geometry(&r, &a, 40, 30);
    run_free(&r);
}
END_TEST

START_TEST(square_legal_rep)
{
    stamp a = {SQUARE20, 62.0, 63.0, 3.0, 0.7, 0, 1};
    stamp b = {SQUARE20, 149.0, 61.5, 5.0, 1.0, 0, 0};
    char path[512];
    run r;
    fixdir();
    snprintf(path, sizeof(path), "%s/square.png", FIXDIR);
    make_form(path, 300, &a, &b, 0);
    run_extract(&r, path, SEAL_KIND_AUTO);
    ck_assert_int_eq(r.mi.shape, SEAL_SHAPE_SQUARE);
    ck_assert_int_eq(r.mi.kind, SEAL_KIND_LEGAL_REP);
    ck_assert_int_eq(r.mi.box, 2);
    check_geometry(&r, &b, 20, 20);
    run_free(&r);
}
END_TEST

START_TEST(uneven_ink)
{
    stamp a = {ROUND42, 65.0, 62.0, -3.0, 1.0, 1, 0};
    stamp b = {ROUND42, 147.0, 62.0, 4.0, 0.6, 1, 1};
    char path[512];
    run r;
    fixdir();
    snprintf(path, sizeof(path), "%s/uneven.png", FIXDIR);
    make_form(path, 300, &a, &b, 0);
    run_extract(&r, path, SEAL_KIND_AUTO);
    ck_assert_int_eq(r.mi.box, 1);
    check_geometry(&r, &a, 42, 42);
    /* the pale half keeps its strokes: the threshold follows the ink */
    double iou = mask_iou(&r, &ROUND42, 0, 0);
    ck_assert_msg(iou > 0.85, "mask IoU with the design %.3f", iou);
    run_free(&r);
}
END_TEST

START_TEST(red_over_black_text)
{
    stamp a = {ROUND42, 65.0, 62.5, 0.0, 1.0, 0, 0};
    stamp b = {ROUND42, 147.0, 62.0, 2.0, 0.9, 0, 1};
    char path[512], buf[256];
    run r;
    fixdir();
    snprintf(path, sizeof(path), "%s/overtext.png", FIXDIR);
    make_form(path, 300, &a, &b, 1);
    run_extract(&r, path, SEAL_KIND_AUTO);
    codes(&r, buf, sizeof(buf));
    ck_assert_int_eq(r.mi.box, 1);
    ck_assert_msg(has_code(&r, "overlaps_text"), "issues: %s", buf);
    ck_assert_int_eq(r.mi.decision, SEAL_DECISION_WARN);
    /* the band of text through the seal's middle: seal strokes kept, text not taken */
    double iou = mask_iou(&r, &ROUND42, 0, 2.2);
    ck_assert_msg(iou > 0.8, "IoU over the text band %.3f", iou);
    run_free(&r);
}
END_TEST

START_TEST(low_resolution_rejected)
{
    stamp a = {ROUND42, 65.0, 62.0, 0.0, 1.0, 0, 0};
    char path[512], art[512];
    run r;
    seal_artwork *aw = NULL;
    fixdir();
    snprintf(path, sizeof(path), "%s/dpi150.png", FIXDIR);
    make_form(path, 150, &a, NULL, 0);
    run_extract(&r, path, SEAL_KIND_AUTO);
    ck_assert_int_eq(r.mi.decision, SEAL_DECISION_REJECT);
    ck_assert(has_code(&r, "low_resolution"));
    ck_assert_int_eq(seal_mask_trace(r.ctx, r.mask, NULL, &aw), SEAL_ERR_SCAN_REJECTED);
    ck_assert_ptr_null(aw);
    ck_assert_ptr_nonnull(strstr(seal_ctx_message(r.ctx), "150 dpi"));
    snprintf(art, sizeof(art), "%s/dpi150.pdf", FIXDIR);
    ck_assert_int_ne(access(art, F_OK), 0);
    run_free(&r);
}
END_TEST

START_TEST(crossing_and_single)
{
    /* box 1 empty; the impression in box 2 hangs over its right line */
    stamp b = {ROUND42, 179 - 21 + 6, 62.0, 1.0, 1.0, 0, 0};
    char path[512], buf[256];
    run r;
    fixdir();
    snprintf(path, sizeof(path), "%s/cross.png", FIXDIR);
    make_form(path, 300, NULL, &b, 0);
    run_extract(&r, path, SEAL_KIND_AUTO);
    codes(&r, buf, sizeof(buf));
    ck_assert_int_eq(r.mi.decision, SEAL_DECISION_WARN);
    ck_assert_msg(has_code(&r, "crosses_box_line") && has_code(&r, "single_impression"), "issues: %s",
                  buf);
    ck_assert_msg(!has_code(&r, "overlaps_text") && !has_code(&r, "faint_impression"), "issues: %s",
                  buf);
    ck_assert_int_eq(r.mi.box, 2);
    check_geometry(&r, &b, 42, 42);
    run_free(&r);
}
END_TEST

START_TEST(no_table)
{
    /* the impressions on blank paper: found as blobs of red ink */
    stamp a = {ROUND42, 60.0, 60.0, -2.0, 0.7, 0, 1};
    stamp b = {ROUND42, 140.0, 58.0, 6.0, 1.0, 0, 0};
    char path[512];
    run r;
    fixdir();
    snprintf(path, sizeof(path), "%s/notable.png", FIXDIR);
    make_form(path, 300, &a, &b, -1);
    run_extract(&r, path, SEAL_KIND_AUTO);
    ck_assert_int_eq(r.mi.box_count, 0);
    ck_assert(r.mi.scores[0].present && r.mi.scores[1].present);
    ck_assert_int_eq(r.mi.box, 2);
    ck_assert_int_eq(r.mi.decision, SEAL_DECISION_ACCEPT);
    check_geometry(&r, &b, 42, 42);
    run_free(&r);
}
END_TEST

START_TEST(no_seal_rejected)
{
    char path[512];
    run r;
    fixdir();
    snprintf(path, sizeof(path), "%s/empty.png", FIXDIR);
    make_form(path, 300, NULL, NULL, 1);
    run_extract(&r, path, SEAL_KIND_AUTO);
    ck_assert_int_eq(r.mi.decision, SEAL_DECISION_REJECT);
    ck_assert(has_code(&r, "no_seal"));
    ck_assert_ptr_null(seal_mask_bits(r.mask));
    run_free(&r);
}
END_TEST

/* Three cells with a blue handwritten "signature" (a wave and a loop). */
static int in_sig(double X, double Y, int variant)
{
    double best = 1e9;
    for (int k = 0; k <= 240; k++) {
        double t = k / 240.0;
        double x = -14 + 28 * t, y = 3.5 * sin(t * 9.0 + variant * 0.3) - 2 * t;
        best = fmin(best, hypot(X - x, Y - y));
        double lx = 6 + 3 * cos(t * 2 * M_PI), ly = -2 + 4 * sin(t * 2 * M_PI);
        best = fmin(best, hypot(X - lx, Y - ly));
    }
    return best <= 0.3;
}

START_TEST(signature_three_samples)
{
    page p;
    char path[512], buf[256];
    run r;
    fixdir();
    snprintf(path, sizeof(path), "%s/signature.png", FIXDIR);
    page_new(&p, 195, 120, 300);
    hline(&p, 15, 185, 40);
    hline(&p, 15, 185, 76);
    for (int k = 0; k < 4; k++)
        vline(&p, 15 + k * 170.0 / 3, 40, 76);
    for (int k = 0; k < 3; k++) {
        double cx = 15 + (k + 0.5) * 170.0 / 3, cy = 59;
        double lev = k == 1 ? 1.0 : 0.7;
        for (int y = (int)((cy - 9) * p.ppm); y < (int)((cy + 9) * p.ppm); y++)
            for (int x = (int)((cx - 16) * p.ppm); x < (int)((cx + 16) * p.ppm); x++)
                if (in_sig(x / p.ppm - cx, y / p.ppm - cy, k))
                    blend(&p, x, y, lev, BLUE);
    }
    page_save(&p, path, 300);
    run_extract(&r, path, SEAL_KIND_SIGNATURE);
    codes(&r, buf, sizeof(buf));
    ck_assert_int_eq(r.mi.kind, SEAL_KIND_SIGNATURE);
    ck_assert_int_eq(r.mi.box_count, 3);
    ck_assert_msg(r.mi.decision == SEAL_DECISION_ACCEPT, "issues: %s", buf);
    ck_assert_int_eq(r.mi.box, 2);
    ck_assert(r.mi.scores[0].present && r.mi.scores[1].present && r.mi.scores[2].present);
    /* pen colour kept: blue, not red */
    ck_assert_msg(r.mi.ink_rgb[2] > r.mi.ink_rgb[0] + 40, "ink %d,%d,%d", r.mi.ink_rgb[0],
                  r.mi.ink_rgb[1], r.mi.ink_rgb[2]);
    /* the signature's extent: 28 mm wide plus the pen width */
    ck_assert_msg(fabs(r.mi.width_mm - 28.6) < 0.5, "width %.2f", r.mi.width_mm);
    run_free(&r);
}
END_TEST

static void read_all(const char *path, char **buf, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    *buf = malloc(*len + 1);
    ck_assert_uint_eq(fread(*buf, 1, *len, f), *len);
    (*buf)[*len] = 0;
    fclose(f);
}

static const char *memfind(const char *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (!memcmp(hay + i, needle, k))
            return hay + i;
    return NULL;
}

START_TEST(artwork_written)
{
    stamp a = {ROUND42, 64.3, 62.1, 7.0, 1.0, 0, 0};
    stamp b = {ROUND42, 146.8, 63.0, -4.0, 0.75, 0, 1};
    char path[512], pdf[512], svg[512], png[512];
    seal_trace_options to = SEAL_TRACE_OPTIONS_INIT;
    seal_artwork *aw = NULL;
    seal_artwork_info ai;
    run r;
    char *buf;
    size_t len;
    fixdir();
    snprintf(path, sizeof(path), "%s/art.png", FIXDIR);
    snprintf(pdf, sizeof(pdf), "%s/art.seal.pdf", FIXDIR);
    snprintf(svg, sizeof(svg), "%s/art.seal.svg", FIXDIR);
    snprintf(png, sizeof(png), "%s/art.seal.png", FIXDIR);
    make_form(path, 300, &a, &b, 0);
    run_extract(&r, path, SEAL_KIND_AUTO);
    to.name = "测试有限公司";
    ck_assert_int_eq(seal_mask_trace(r.ctx, r.mask, &to, &aw), SEAL_OK);
    seal_artwork_info_get(aw, &ai);
    /* ring (outline and hole), star, ten glyphs, the bar */
    ck_assert_msg(ai.path_count >= 14, "%zu paths", ai.path_count);
    ck_assert(ai.rgb[0] == 255 && ai.rgb[1] == 0 && ai.rgb[2] == 0);
    ck_assert_int_eq(seal_artwork_write_pdf(r.ctx, aw, pdf), SEAL_OK);
    ck_assert_int_eq(seal_artwork_write_svg(r.ctx, aw, svg), SEAL_OK);
    ck_assert_int_eq(seal_artwork_write_png(r.ctx, aw, png, 300), SEAL_OK);

    read_all(pdf, &buf, &len);
    ck_assert(len > 500 && !memcmp(buf, "%PDF-", 5));
    ck_assert_ptr_nonnull(memfind(buf, len, "/SealKind"));
    ck_assert_ptr_nonnull(memfind(buf, len, "/SealSourceSHA256"));
    ck_assert_ptr_nonnull(memfind(buf, len, "/SealScores"));
    ck_assert_ptr_null(memfind(buf, len, "/Image"));
    /* MediaBox: the seal's size in points */
    const char *mb = memfind(buf, len, "/MediaBox");
    ck_assert_ptr_nonnull(mb);
    double x0, y0, x1, y1;
    ck_assert_int_eq(sscanf(mb, "/MediaBox [%lf %lf %lf %lf]", &x0, &y0, &x1, &y1), 4);
    ck_assert_msg(fabs(x1 - 42 * 72 / 25.4) < 0.3 * 72 / 25.4, "MediaBox width %.2f pt", x1);
    free(buf);

    read_all(svg, &buf, &len);
    ck_assert_ptr_nonnull(strstr(buf, "mm\" height=\""));
    ck_assert_ptr_nonnull(strstr(buf, "fill=\"#ff0000\""));
    free(buf);

    read_all(png, &buf, &len);
    ck_assert(!memcmp(buf, "\x89PNG", 4));
    ck_assert_int_eq((unsigned char)buf[25], 6); /* RGBA */
    const char *ph = memfind(buf, len, "pHYs");
    ck_assert_ptr_nonnull(ph);
    unsigned ppmx = (unsigned char)ph[4] << 24 | (unsigned char)ph[5] << 16 | (unsigned char)ph[6] << 8 |
                    (unsigned char)ph[7];
    ck_assert_uint_eq(ppmx, 11811);
    free(buf);
    seal_artwork_free(aw);
    run_free(&r);
}
END_TEST

static void expect_load_error(const char *path, const char *what)
{
    seal_ctx *ctx;
    seal_scan *scan = NULL;
    ck_assert_int_eq(seal_ctx_new(&ctx), SEAL_OK);
    ck_assert_int_eq(seal_scan_load(ctx, &scan, path, NULL), SEAL_ERR_INPUT);
    ck_assert_ptr_null(scan);
    ck_assert_msg(strstr(seal_ctx_message(ctx), what) != NULL, "message '%s' lacks '%s'",
                  seal_ctx_message(ctx), what);
    seal_ctx_free(ctx);
}

START_TEST(bad_input)
{
    char path[512], buf[64];
    fixdir();
    snprintf(path, sizeof(path), "%s/notimage.png", FIXDIR);
    FILE *f = fopen(path, "w");
    fputs("this is not an image\n", f);
    fclose(f);
    expect_load_error(path, "not a PNG");

    snprintf(path, sizeof(path), "%s/zero.png", FIXDIR);
    write_png(path, 0, 0, NULL, 300);
    expect_load_error(path, "zero size");

    /* 20000 x 20000 claimed, a few bytes of data: refused before decoding */
    snprintf(path, sizeof(path), "%s/huge.png", FIXDIR);
    write_png(path, 20000, 20000, NULL, 300);
    expect_load_error(path, "20000x20000");

    /* a real scan cut short */
    stamp a = {ROUND42, 64.3, 62.1, 0.0, 1.0, 0, 0};
    char full[512];
    snprintf(full, sizeof(full), "%s/tocut.png", FIXDIR);
    make_form(full, 300, &a, NULL, 0);
    snprintf(path, sizeof(path), "%s/truncated.png", FIXDIR);
    char *data;
    size_t len;
    read_all(full, &data, &len);
    f = fopen(path, "wb");
    fwrite(data, 1, len / 2, f);
    fclose(f);
    free(data);
    expect_load_error(path, "truncated");
    snprintf(buf, sizeof(buf), "%s", "ok");
    ck_assert_str_eq(buf, "ok");
}
END_TEST

/* Form NAME with impressions s1 and s2: refused as incomplete, no artwork. */
static void incomplete_case(const char *name, const stamp *s1, const stamp *s2)
{
    char path[512], buf[256];
    seal_artwork *aw = NULL;
    run r;
    fixdir();
    snprintf(path, sizeof(path), "%s/%s.png", FIXDIR, name);
    make_form(path, 300, s1, s2, 0);
    run_extract(&r, path, SEAL_KIND_AUTO);
    codes(&r, buf, sizeof(buf));
    ck_assert_int_eq(r.mi.decision, SEAL_DECISION_REJECT);
    ck_assert_msg(has_code(&r, "incomplete_impression"), "%s: issues: %s", name, buf);
    ck_assert_int_eq(seal_mask_trace(r.ctx, r.mask, NULL, &aw), SEAL_ERR_SCAN_REJECTED);
    ck_assert_ptr_null(aw);
    run_free(&r);
}

/* A fragment (a quarter of the seal) in both boxes, and two whole
 * impressions of different seals (42 and 38 mm), are refused; a fragment
 * beside a whole impression: the whole one is used. */
START_TEST(fragment_refused)
{
    static const design ROUND38 = {D_ROUND, 38, 38, 1.2};
    stamp a = {ROUND42, 65.0, 62.0, 0.0, 1.0, 0, 0, 1};
    stamp b = {ROUND42, 147.0, 62.0, 2.0, 0.9, 0, 0, 1};
    stamp w = {ROUND42, 65.0, 62.0, 0.0, 1.0, 0, 0, 0};
    stamp o = {ROUND38, 147.0, 62.0, 0.0, 1.0, 0, 0, 0};
    char path[512], buf[256];
    run r;
    incomplete_case("quarter", &a, &b);
    incomplete_case("sizes", &w, &o);
    snprintf(path, sizeof(path), "%s/quarter2.png", FIXDIR);
    make_form(path, 300, &w, &b, 0);
    run_extract(&r, path, SEAL_KIND_AUTO);
    codes(&r, buf, sizeof(buf));
    ck_assert_msg(r.mi.decision != SEAL_DECISION_REJECT, "issues: %s", buf);
    ck_assert_int_eq(r.mi.box, 1);
    check_geometry(&r, &w, 42, 42);
    run_free(&r);
}
END_TEST

/* Form NAME with impressions s1 and s2: refused as `wrong` with `msg`,
 * accepted as `right`. */
static void kind_case(const char *name, const stamp *s1, const stamp *s2, seal_kind wrong,
                      const char *msg, seal_kind right)
{
    char path[512];
    seal_issue is;
    run r;
    fixdir();
    snprintf(path, sizeof(path), "%s/%s.png", FIXDIR, name);
    make_form(path, 300, s1, s2, 0);
    run_extract(&r, path, wrong);
    ck_assert_int_eq(r.mi.decision, SEAL_DECISION_REJECT);
    ck_assert_int_eq(seal_mask_issue(r.mask, 0, &is), SEAL_OK);
    ck_assert_str_eq(is.code, "wrong_kind");
    ck_assert_str_eq(is.message, msg);
    run_free(&r);
    run_extract(&r, path, right);
    ck_assert_int_eq(r.mi.decision, SEAL_DECISION_ACCEPT);
    ck_assert_msg(fabs(r.mi.width_mm - s2->d.w) < 0.3 && fabs(r.mi.height_mm - s2->d.h) < 0.3,
                  "size %.2f x %.2f mm", r.mi.width_mm, r.mi.height_mm);
    run_free(&r);
}

/* A kind that contradicts the measured seal is refused, saying what it is. */
START_TEST(kind_contradicted)
{
    stamp a = {ROUND42, 65.0, 62.0, 0.0, 1.0, 0, 0};
    stamp b = {ROUND42, 147.0, 62.0, 2.0, 1.0, 0, 0};
    stamp c = {SQUARE20, 62.0, 63.0, 3.0, 0.8, 0, 0};
    stamp d = {SQUARE20, 149.0, 61.5, 5.0, 1.0, 0, 0};
    kind_case("kind-round", &a, &b, SEAL_KIND_LEGAL_REP,
              "this is a 42 mm round seal; use --kind company", SEAL_KIND_COMPANY);
    kind_case("kind-square", &c, &d, SEAL_KIND_COMPANY,
              "this is a 20 mm square seal; use --kind legal-rep", SEAL_KIND_LEGAL_REP);
}
END_TEST

/* Only the seal, cropped from a 300 dpi scan: measured at the file's
 * resolution; without one, refused as a cropped scan unless the caller
 * gives it (version 2 options; version 1 still accepted). */
START_TEST(cropped_scan)
{
    struct v1 {
        unsigned version;
        seal_kind kind;
        int box;
        double min_dpi;
    } o1 = {1, SEAL_KIND_AUTO, 0, 0.0};
    stamp a = {ROUND42, 28.0, 28.0, 0.0, 1.0, 0, 0};
    seal_extract_options xo = SEAL_EXTRACT_OPTIONS_INIT;
    char with[512], without[512], buf[256];
    seal_mask *m = NULL;
    page p;
    run r;
    fixdir();
    snprintf(with, sizeof(with), "%s/crop300.png", FIXDIR);
    snprintf(without, sizeof(without), "%s/crop-nodpi.png", FIXDIR);
    page_new(&p, 56, 56, 300);
    draw_stamp(&p, &a);
    page_save(&p, with, 300);
    page_new(&p, 56, 56, 300);
    draw_stamp(&p, &a);
    page_save(&p, without, 0);

    run_extract(&r, with, SEAL_KIND_AUTO);
    codes(&r, buf, sizeof(buf));
    ck_assert_msg(r.mi.decision == SEAL_DECISION_ACCEPT, "issues: %s", buf);
    ck_assert(fabs(r.mi.dpi - 300) < 0.5 && fabs(r.mi.width_mm - 42) < 0.3);
    /* a version 1 caller */
    ck_assert_int_eq(seal_scan_extract(r.ctx, r.scan, (const seal_extract_options *)&o1, &m), SEAL_OK);
    seal_mask_free(m);
    m = NULL;
    run_free(&r);

    run_extract(&r, without, SEAL_KIND_AUTO);
    ck_assert_int_eq(r.mi.decision, SEAL_DECISION_REJECT);
    ck_assert(has_code(&r, "unknown_resolution") && r.mi.dpi == 0);
    xo.dpi = 300;
    ck_assert_int_eq(seal_scan_extract(r.ctx, r.scan, &xo, &m), SEAL_OK);
    seal_mask_info mi;
    seal_mask_info_get(m, &mi);
    ck_assert_int_eq(mi.decision, SEAL_DECISION_ACCEPT);
    ck_assert(fabs(mi.width_mm - 42) < 0.3);
    seal_mask_free(m);
    m = NULL;
    xo.dpi = 5;
    ck_assert_int_eq(seal_scan_extract(r.ctx, r.scan, &xo, &m), SEAL_ERR_ARGS);
    ck_assert_ptr_null(m);
    run_free(&r);
}
END_TEST

Suite *suite_enrol(void);
Suite *suite_enrol(void)
{
    Suite *s = suite_create("enrol");
    TCase *tc = tcase_create("enrol");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, round_clear_in_box1);
    tcase_add_test(tc, round_clear_in_box2);
    tcase_add_test(tc, oval_turned);
    tcase_add_test(tc, square_legal_rep);
    tcase_add_test(tc, uneven_ink);
    tcase_add_test(tc, red_over_black_text);
    tcase_add_test(tc, low_resolution_rejected);
    tcase_add_test(tc, crossing_and_single);
    tcase_add_test(tc, no_table);
    tcase_add_test(tc, no_seal_rejected);
    tcase_add_test(tc, signature_three_samples);
    tcase_add_test(tc, artwork_written);
    tcase_add_test(tc, bad_input);
    tcase_add_test(tc, fragment_refused);
    tcase_add_test(tc, kind_contradicted);
    tcase_add_test(tc, cropped_scan);
    suite_add_tcase(s, tc);
    return s;
}
