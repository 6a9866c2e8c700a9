/*
 * seal make: the layout of each standard shape and its drawing as artwork
 * paths (mm, origin top-left, y down, one even-odd fill).
 *
 * Round organisation seal: ring, five-pointed star, the name arced
 * clockwise from the left over the top (upright glyphs, compressed in width
 * as engravers do), a horizontal line under the star, the 13-digit seal code
 * along the bottom. Ovals: the same along an ellipse (cells of equal arc
 * length, glyphs on the ellipse's normal), the invoice seal's tax number
 * across the middle. Name seals: a grid of 1 to 4 characters read right
 * column first, a row or a column in a rectangle; yang or yin.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "makeint.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define KAPPA 0.55228474983079 /* quarter circle as one cubic */
#define DEG (M_PI / 180.0)
/* The narrowest a glyph is drawn, as a share of its height: below it a text
 * does not fit and is refused. */
#define MIN_WIDTH_RATIO 0.4

int seal__make_is_org(seal_kind kind)
{
    return kind == SEAL_KIND_COMPANY || kind == SEAL_KIND_SPECIAL || kind == SEAL_KIND_INVOICE ||
           kind == SEAL_KIND_FOREIGN;
}

int seal__make_border(const seal_maker *m)
{
    return m->border >= 0 ? m->border : m->style != SEAL_MAKE_STYLE_YIN;
}

static void oom(fz_context *fz)
{
    fz_throw(fz, FZ_ERROR_MEMORY, "out of memory drawing the seal");
}

static void move_to(seal__layout *L, double x, double y)
{
    if (seal__art_add_path(L->art, x, y))
        oom(L->ctx->fz);
}

static void line_to(seal__layout *L, double x, double y)
{
    double c[6] = {0, 0, 0, 0, x, y};
    if (seal__art_add_seg(L->art, SEG_LINE, c))
        oom(L->ctx->fz);
}

static void curve_to(seal__layout *L, double x1, double y1, double x2, double y2, double x3, double y3)
{
    double c[6] = {x1, y1, x2, y2, x3, y3};
    if (seal__art_add_seg(L->art, SEG_CURVE, c))
        oom(L->ctx->fz);
}

/* Record the paths drawn since `first` as one element. */
static void element(seal__layout *L, const char *role, int rune, size_t first, double x, double y,
                    double angle, double w, double h)
{
    seal_maker *m = L->m;
    if (m->nelems == m->cap_elems) {
        size_t cap = m->cap_elems ? m->cap_elems * 2 : 32;
        struct seal__elem *e = realloc(m->elems, cap * sizeof(*e));
        if (!e)
            oom(L->ctx->fz);
        m->elems = e;
        m->cap_elems = cap;
    }
    struct seal__elem *e = &m->elems[m->nelems++];
    memset(e, 0, sizeof(*e));
    snprintf(e->role, sizeof(e->role), "%s", role);
    if (rune)
        e->text[fz_runetochar(e->text, rune)] = 0;
    e->first = first;
    e->count = L->art->npaths - first;
    e->x = x;
    e->y = y;
    e->angle = angle;
    e->w = w;
    e->h = h;
}

/* ---- shapes ------------------------------------------------------------ */

/* An ellipse from its top, clockwise as seen. */
static void ellipse(seal__layout *L, double cx, double cy, double rx, double ry)
{
    double kx = KAPPA * rx, ky = KAPPA * ry;
    move_to(L, cx, cy - ry);
    curve_to(L, cx + kx, cy - ry, cx + rx, cy - ky, cx + rx, cy);
    curve_to(L, cx + rx, cy + ky, cx + kx, cy + ry, cx, cy + ry);
    curve_to(L, cx - kx, cy + ry, cx - rx, cy + ky, cx - rx, cy);
    curve_to(L, cx - rx, cy - ky, cx - kx, cy - ry, cx, cy - ry);
}

static void rect(seal__layout *L, double x0, double y0, double x1, double y1)
{
    move_to(L, x0, y0);
    line_to(L, x1, y0);
    line_to(L, x1, y1);
    line_to(L, x0, y1);
}

/* A five-pointed star of circumradius r, a tip straight up. */
static void star(seal__layout *L, double cx, double cy, double r)
{
    size_t first = L->art->npaths;
    double inner = r * sin(18 * DEG) / sin(126 * DEG);
    for (int k = 0; k < 10; k++) {
        double a = k * 36 * DEG, rr = k % 2 ? inner : r;
        if (k == 0)
            move_to(L, cx, cy - r);
        else
            line_to(L, cx + rr * sin(a), cy - rr * cos(a));
    }
    element(L, "star", 0, first, cx, cy, 0, 2 * r * sin(72 * DEG), r * (1 + cos(36 * DEG)));
}

/* ---- glyphs ------------------------------------------------------------ */

static void aw_moveto(fz_context *fz, void *arg, float x, float y)
{
    (void)fz;
    move_to(arg, x, y);
}

static void aw_lineto(fz_context *fz, void *arg, float x, float y)
{
    (void)fz;
    line_to(arg, x, y);
}

static void aw_curveto(fz_context *fz, void *arg, float x1, float y1, float x2, float y2, float x3,
                       float y3)
{
    (void)fz;
    curve_to(arg, x1, y1, x2, y2, x3, y3);
}

static void aw_closepath(fz_context *fz, void *arg)
{
    (void)fz;
    (void)arg; /* artwork paths are closed */
}

/* The font a part is set in: digits and letters in the sans face. */
static fz_font *font_for(seal__layout *L, const char *role)
{
    return !strcmp(role, "code") || !strcmp(role, "tax_id") ? L->latin : L->font;
}

static double advance(seal__layout *L, fz_font *font, int rune)
{
    fz_context *fz = L->ctx->fz;
    double adv = fz_advance_glyph(fz, font, fz_encode_character(fz, font, rune), 0);
    return adv > 0.2 ? adv : 1.0;
}

/*
 * Draw one character: its ink box centred on (px, py), turned by angle
 * (degrees, clockwise as seen), an em of ch mm high and at most cw mm wide
 * per advance (narrower glyphs are compressed, never widened).
 */
static void glyph(seal__layout *L, const char *role, int rune, double px, double py, double angle,
                  double cw, double ch)
{
    static const fz_path_walker walker = {aw_moveto, aw_lineto, aw_curveto, aw_closepath,
                                          NULL, NULL, NULL, NULL};
    fz_context *fz = L->ctx->fz;
    fz_font *font = font_for(L, role);
    int gid = fz_encode_character(fz, font, rune);
    fz_rect ext = seal__glyph_extent(fz, font, gid);
    if (fz_is_empty_rect(ext))
        return; /* a space */
    double sy = ch, sx = fmin(ch, cw / advance(L, font, rune));
    double bx = (ext.x0 + ext.x1) / 2, by = (ext.y0 + ext.y1) / 2;
    double c = cos(angle * DEG), s = sin(angle * DEG);
    /* glyph space (em, y up) -> scale, flip y, turn clockwise, move */
    double a = sx * c, b = sx * s, cc = sy * s, d = -sy * c;
    fz_matrix mt = fz_make_matrix((float)a, (float)b, (float)cc, (float)d,
                                  (float)(px - (a * bx + cc * by)), (float)(py - (b * bx + d * by)));
    size_t first = L->art->npaths;
    seal__glyph_walk(fz, font, gid, mt, &walker, L);
    element(L, role, rune, first, px, py, angle, sx * (ext.x1 - ext.x0), sy * (ext.y1 - ext.y0));
}

/* A horizontal line of text centred on (cx, cy), ch mm high, squeezed to
 * avail mm when longer; refused when it would be squeezed below
 * MIN_WIDTH_RATIO. */
static void row(seal__layout *L, const char *role, const int *r, int n, double cx, double cy,
                double ch, double avail, const char *what)
{
    fz_font *font = font_for(L, role);
    double natural = 0;
    for (int i = 0; i < n; i++)
        natural += advance(L, font, r[i]) * ch;
    double k = natural > avail ? avail / natural : 1.0;
    if (k < MIN_WIDTH_RATIO)
        seal__throw(L->ctx, SEAL_ERR_ARGS,
                    "the %s has %d characters; a %g x %g mm seal holds at most %d there", what, n,
                    L->W, L->H, (int)floor(n * avail / (natural * MIN_WIDTH_RATIO)));
    double pen = cx - natural * k / 2;
    for (int i = 0; i < n; i++) {
        double w = advance(L, font, r[i]) * ch * k;
        glyph(L, role, r[i], pen + w / 2, cy, 0, w, ch);
        pen += w;
    }
}

/* ---- text along an ellipse ---------------------------------------------- */

typedef struct arc {
    double cx, cy, ax, by; /* centre, semi-axes of the line through the glyph centres */
    int bottom;            /* read along the bottom: glyph tops towards the centre */
} arc;

/* The point at parametric angle t (clockwise from the top) and the glyph's
 * turn there: its up along the ellipse's outward (top) or inward (bottom)
 * normal. */
static void arc_at(const arc *c, double t, double *x, double *y, double *angle)
{
    double nx = sin(t) / c->ax, ny = -cos(t) / c->by;
    *x = c->cx + c->ax * sin(t);
    *y = c->cy - c->by * cos(t);
    *angle = (c->bottom ? atan2(-nx, ny) : atan2(nx, -ny)) / DEG;
}

#define ARC_STEPS 4096

static double arc_step(const arc *c, double ta, double tb)
{
    return hypot(c->ax * (sin(tb) - sin(ta)), c->by * (cos(tb) - cos(ta)));
}

/* Centres of n cells of equal arc length from t0 to t1 into ts (may be
 * NULL); returns the arc's length. */
static double arc_cells(const arc *c, double t0, double t1, int n, double *ts)
{
    double dt = (t1 - t0) / ARC_STEPS, total = 0, run = 0;
    for (int i = 0; i < ARC_STEPS; i++)
        total += arc_step(c, t0 + dt * i, t0 + dt * (i + 1));
    for (int i = 0, k = 0; ts && i < ARC_STEPS && k < n; i++) {
        double l = arc_step(c, t0 + dt * i, t0 + dt * (i + 1));
        while (k < n && run + l >= total * (k + 0.5) / n) {
            ts[k] = t0 + dt * (i + (total * (k + 0.5) / n - run) / l);
            k++;
        }
        run += l;
    }
    return total;
}

/* The arc a name of n characters takes: 210 to 250 degrees for the usual
 * lengths, less for very short names. */
static double name_span(int n, double max_deg)
{
    return fmin(max_deg, 170.0 + 5.0 * n) * DEG;
}

/* Glyph width for n characters in `span` along c, ch mm high: cells of
 * equal arc length measured on the glyphs' inner edge, 90% inked. */
static double arc_glyph_width(const arc *c, double span, int n, double ch)
{
    double r = fmin(c->ax, c->by), len = arc_cells(c, -span / 2, span / 2, 0, NULL);
    return fmin(0.8 * ch, 0.9 * len / n * (r - ch / 2) / r);
}

/* The name over the top from the left, clockwise. */
static void name_arc(seal__layout *L, const arc *c, double ch, double max_deg)
{
    int n = L->nname, most = 0;
    double ts[SEAL_MAKE_MAX_CHARS + 2];
    for (int k = 1; k <= SEAL_MAKE_MAX_CHARS; k++)
        if (arc_glyph_width(c, name_span(k, max_deg), k, ch) >= MIN_WIDTH_RATIO * ch)
            most = k;
    if (n > most)
        seal__throw(L->ctx, SEAL_ERR_ARGS,
                    "the name has %d characters; a %g x %g mm %s seal holds at most %d", n, L->W,
                    L->H, L->shape == SEAL_MAKE_SHAPE_OVAL ? "oval" : "round", most);
    double span = name_span(n, max_deg), cw = arc_glyph_width(c, span, n, ch);
    arc_cells(c, -span / 2, span / 2, n, ts);
    for (int i = 0; i < n; i++) {
        double x, y, ang;
        arc_at(c, ts[i], &x, &y, &ang);
        glyph(L, "name", L->name[i], x, y, ang, cw, ch);
    }
}

/* The seal code along the bottom, left to right, ch mm digits. */
static void code_arc(seal__layout *L, const arc *c, double ch)
{
    int n = L->ncode;
    double ts[SEAL_MAKE_MAX_CHARS], pitch = 0.7 * ch;
    double half = n * pitch / 2 / c->ax; /* near the bottom dx/dt is about ax */
    arc_cells(c, M_PI + half, M_PI - half, n, ts);
    for (int i = 0; i < n; i++) {
        double x, y, ang;
        arc_at(c, ts[i], &x, &y, &ang);
        glyph(L, "code", L->code[i], x, y, ang, 0.6 * ch, ch);
    }
}

/* Half the width of the ellipse (a, b) at height dy from its centre. */
static double half_chord(double a, double b, double dy)
{
    double q = 1 - (dy * dy) / (b * b);
    return q > 0 ? a * sqrt(q) : 0;
}

/* ---- organisation seals ------------------------------------------------- */

static void layout_org(seal__layout *L)
{
    seal_maker *m = L->m;
    int oval = L->shape == SEAL_MAKE_SHAPE_OVAL;
    double W = L->W, H = L->H, cx = W / 2, cy = H / 2, a0 = W / 2, b0 = H / 2;
    int border = seal__make_border(m);
    double ring = border ? (oval ? 1.0 : W >= 42 ? 1.2 : 1.0) : 0;
    double gap = oval ? 0.5 : 0.015 * W;
    double hg = 0.16 * H, hc = oval ? 0.07 * H : 0.055 * W;
    if (border) {
        size_t first = L->art->npaths;
        ellipse(L, cx, cy, a0, b0);
        ellipse(L, cx, cy, a0 - ring, b0 - ring);
        element(L, "border", 0, first, cx, cy, 0, W, H);
    }
    if (!oval && (m->kind == SEAL_KIND_COMPANY || m->kind == SEAL_KIND_SPECIAL))
        star(L, cx, cy, W / 6); /* 14 mm tip to tip at 42 mm */
    arc top = {cx, cy, a0 - ring - gap - hg / 2, b0 - ring - gap - hg / 2, 0};
    /* on an oval the ends come down beside the middle line: less arc */
    name_arc(L, &top, hg, !oval ? 250 : L->ntax ? 200 : 230);
    /* the inside free of the ring and the code: where lines may go */
    double ia = a0 - ring - gap, ib = b0 - ring - gap;
    if (L->ncode) {
        arc bot = {cx, cy, a0 - ring - 0.8 * gap - hc / 2, b0 - ring - 0.8 * gap - hc / 2, 1};
        code_arc(L, &bot, hc);
        ia -= hc + gap;
        ib -= hc + gap;
    }
    if (L->ntax) {
        double ht = 0.11 * H, avail = 2 * (top.ax - hg / 2 - 1.2);
        row(L, "tax_id", L->tax, L->ntax, cx, cy, ht, avail, "tax number");
    }
    if (L->ntext) {
        double ht = oval ? 0.12 * H : 0.11 * W;
        double y = oval ? cy + (L->ntax ? 0.24 : 0.12) * H : cy + 0.26 * W;
        double avail = 2 * half_chord(ia, ib, y - cy + ht / 2) * 0.95;
        row(L, "text", L->text, L->ntext, cx, y, ht, avail, "text");
    }
}

/* ---- name seals --------------------------------------------------------- */

/* The characters in the box (x0, y0)-(x1, y1): 4 as 2x2, 3 as a full-height
 * right column and two on the left, 2 as two full-height columns, 1 alone;
 * read right column first, top to bottom. */
static void grid(seal__layout *L, double x0, double y0, double x1, double y1)
{
    int n = L->nname;
    double w = (x1 - x0) / 2, h = (y1 - y0) / 2, f = 0.96;
    struct { double x, y, w, h; } cell[4];
    if (n == 1) {
        cell[0].x = x0, cell[0].y = y0, cell[0].w = 2 * w, cell[0].h = 2 * h;
    } else {
        /* right column */
        cell[0].x = x0 + w, cell[0].y = y0, cell[0].w = w, cell[0].h = n == 4 ? h : 2 * h;
        int k = 1;
        if (n == 4) {
            cell[k].x = x0 + w, cell[k].y = y0 + h, cell[k].w = w, cell[k].h = h;
            k++;
        }
        if (n == 2) {
            cell[k].x = x0, cell[k].y = y0, cell[k].w = w, cell[k].h = 2 * h;
        } else {
            cell[k].x = x0, cell[k].y = y0, cell[k].w = w, cell[k].h = h;
            cell[k + 1].x = x0, cell[k + 1].y = y0 + h, cell[k + 1].w = w, cell[k + 1].h = h;
        }
    }
    for (int i = 0; i < n; i++)
        glyph(L, "name", L->name[i], cell[i].x + cell[i].w / 2, cell[i].y + cell[i].h / 2, 0,
              f * cell[i].w, f * cell[i].h);
}

static void layout_name_seal(seal__layout *L)
{
    seal_maker *m = L->m;
    int yin = m->style == SEAL_MAKE_STYLE_YIN, round = L->shape == SEAL_MAKE_SHAPE_ROUND;
    int border = seal__make_border(m);
    double W = L->W, H = L->H, s = fmin(W, H);
    /* yang: an inked frame b wide; yin with a border: a white line of that
     * width cut into the field at inset `edge`, the text inside it */
    double bw = fmin(1.5, fmax(0.5, 0.05 * s));
    double edge = yin && border ? fmin(1.2, fmax(0.4, 0.04 * s)) : 0;
    double b = border ? (yin ? edge + bw : bw) : 0;
    double gap = yin ? (border ? 0.05 * s : 0.08 * s) : border ? 0.04 * s : 0.02 * s;
    size_t first = L->art->npaths;
    if (yin || border) {
        /* even-odd: each further outline turns ink off, then on again */
        double insets[3] = {0, yin ? edge : bw, edge + bw};
        int n = yin ? (border ? 3 : 1) : 2;
        for (int i = 0; i < n; i++) {
            double d = insets[i];
            if (round)
                ellipse(L, W / 2, H / 2, W / 2 - d, H / 2 - d);
            else
                rect(L, d, d, W - d, H - d);
        }
        element(L, yin ? "field" : "border", 0, first, W / 2, H / 2, 0, W, H);
    }
    double x0 = b + gap, y0 = b + gap, x1 = W - b - gap, y1 = H - b - gap;
    if (round) {
        double r = (W / 2 - b - gap) / sqrt(2.0);
        x0 = y0 = W / 2 - r;
        x1 = y1 = W / 2 + r;
    }
    if (L->shape == SEAL_MAKE_SHAPE_RECT) {
        int n = L->nname, across = W >= H;
        double cw = (x1 - x0) / (across ? n : 1), chh = (y1 - y0) / (across ? 1 : n);
        if (fmin(cw, chh) < MIN_WIDTH_RATIO * fmax(cw, chh) && across)
            seal__throw(L->ctx, SEAL_ERR_ARGS,
                        "the name has %d characters; a %g x %g mm rect seal holds at most %d", n, W, H,
                        (int)floor((x1 - x0) / (MIN_WIDTH_RATIO * (y1 - y0))));
        for (int i = 0; i < n; i++)
            glyph(L, "name", L->name[i], across ? x0 + cw * (i + 0.5) : (x0 + x1) / 2,
                  across ? (y0 + y1) / 2 : y0 + chh * (i + 0.5), 0, 0.96 * cw, 0.96 * fmin(chh, 2 * cw));
        return;
    }
    if (L->nname > 4)
        seal__throw(L->ctx, SEAL_ERR_ARGS, "a %s name seal holds at most 4 characters (the name has %d)",
                    round ? "round" : "square", L->nname);
    grid(L, x0, y0, x1, y1);
}

void seal__make_layout(seal__layout *L)
{
    if (seal__make_is_org(L->m->kind))
        layout_org(L);
    else
        layout_name_seal(L);
    if (L->art->npaths == 0)
        seal__throw(L->ctx, SEAL_ERR_ARGS, "nothing to draw");
}
