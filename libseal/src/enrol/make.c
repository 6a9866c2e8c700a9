/*
 * seal make: standard seals drawn from text (make.h). The maker object, its
 * checks and the seal's record; the layout of each shape is in makelay.c.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "makeint.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

SEAL_API const char *seal_make_default_font(seal_kind kind)
{
    if (kind == SEAL_KIND_LEGAL_REP || kind == SEAL_KIND_PERSONAL)
        return SEAL_FONT_KAI;
    return SEAL_FONT_SONG;
}

static int font_index(const char *path)
{
    if (!strcmp(path, SEAL_FONT_SONG))
        return SEAL_FONT_SONG_INDEX;
    if (!strcmp(path, SEAL_FONT_KAI))
        return SEAL_FONT_KAI_INDEX;
    if (!strcmp(path, SEAL_FONT_SANS))
        return SEAL_FONT_SANS_INDEX;
    return 0;
}

SEAL_API seal_status seal_maker_new(seal_ctx *ctx, seal_maker **out, seal_kind kind)
{
    if (!ctx)
        return SEAL_ERR_ARGS;
    seal__reset(ctx);
    if (!out)
        return seal__fail(ctx, SEAL_ERR_ARGS, "seal_maker_new: missing argument");
    *out = NULL;
    if (!seal__make_is_org(kind) && kind != SEAL_KIND_LEGAL_REP && kind != SEAL_KIND_PERSONAL)
        return seal__fail(ctx, SEAL_ERR_ARGS,
                          "seal make draws company, special, invoice, foreign, legal-rep and "
                          "personal seals, not %s", seal_kind_name(kind));
    seal_maker *m = calloc(1, sizeof(*m));
    if (!m)
        return seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
    m->ctx = ctx;
    m->kind = kind;
    m->border = -1; /* yang: a ring or frame; yin: none (seal__make_border) */
    m->suffix = 1;
    m->rgb[0] = 255; /* the standard seal red, as enrolment writes it */
    *out = m;
    return SEAL_OK;
}

SEAL_API void seal_maker_free(seal_maker *m)
{
    if (!m)
        return;
    free(m->name);
    free(m->text);
    free(m->code);
    free(m->tax_id);
    free(m->font);
    free(m->elems);
    free(m);
}

static seal_status set_string(seal_maker *m, char **slot, const char *v)
{
    if (!m)
        return SEAL_ERR_ARGS;
    seal__reset(m->ctx);
    char *copy = NULL;
    if (v && *v && !(copy = strdup(v)))
        return seal__fail(m->ctx, SEAL_ERR_NOMEM, "out of memory");
    free(*slot);
    *slot = copy;
    return SEAL_OK;
}

SEAL_API seal_status seal_maker_set_name(seal_maker *m, const char *v)
{
    return set_string(m, m ? &m->name : NULL, v);
}

SEAL_API seal_status seal_maker_set_text(seal_maker *m, const char *v)
{
    return set_string(m, m ? &m->text : NULL, v);
}

SEAL_API seal_status seal_maker_set_code(seal_maker *m, const char *v)
{
    return set_string(m, m ? &m->code : NULL, v);
}

SEAL_API seal_status seal_maker_set_tax_id(seal_maker *m, const char *v)
{
    return set_string(m, m ? &m->tax_id : NULL, v);
}

SEAL_API seal_status seal_maker_set_font(seal_maker *m, const char *v)
{
    return set_string(m, m ? &m->font : NULL, v);
}

SEAL_API seal_status seal_maker_set_size(seal_maker *m, double w, double h)
{
    if (!m)
        return SEAL_ERR_ARGS;
    seal__reset(m->ctx);
    if (!(w > 0 && w < 1000) || !(h >= 0 && h < 1000))
        return seal__fail(m->ctx, SEAL_ERR_ARGS, "seal size %g x %g mm is not a size", w, h);
    m->w = w;
    m->h = h;
    return SEAL_OK;
}

/* Set an int setting to v after checking it lies in lo..hi. */
static seal_status set_int(seal_maker *m, int *slot, int v, int lo, int hi, const char *what)
{
    if (!m)
        return SEAL_ERR_ARGS;
    seal__reset(m->ctx);
    if (v < lo || v > hi)
        return seal__fail(m->ctx, SEAL_ERR_ARGS, "unknown seal %s %d", what, v);
    *slot = v;
    return SEAL_OK;
}

SEAL_API seal_status seal_maker_set_shape(seal_maker *m, seal_make_shape shape)
{
    return set_int(m, m ? &m->shape : NULL, (int)shape, SEAL_MAKE_SHAPE_DEFAULT, SEAL_MAKE_SHAPE_RECT,
                   "shape");
}

SEAL_API seal_status seal_maker_set_style(seal_maker *m, seal_make_style style)
{
    return set_int(m, m ? &m->style : NULL, (int)style, SEAL_MAKE_STYLE_YANG, SEAL_MAKE_STYLE_YIN,
                   "style");
}

SEAL_API seal_status seal_maker_set_border(seal_maker *m, int on)
{
    return set_int(m, m ? &m->border : NULL, on != 0, 0, 1, "border");
}

SEAL_API seal_status seal_maker_set_suffix(seal_maker *m, int on)
{
    return set_int(m, m ? &m->suffix : NULL, on != 0, 0, 1, "suffix");
}

SEAL_API seal_status seal_maker_set_color(seal_maker *m, unsigned char r, unsigned char g,
                                          unsigned char b)
{
    if (!m)
        return SEAL_ERR_ARGS;
    seal__reset(m->ctx);
    m->rgb[0] = r;
    m->rgb[1] = g;
    m->rgb[2] = b;
    return SEAL_OK;
}

SEAL_API size_t seal_maker_element_count(const seal_maker *m)
{
    return m ? m->nelems : 0;
}

SEAL_API seal_status seal_maker_element(const seal_maker *m, size_t i, seal_make_element *out)
{
    if (!m || !out || i >= m->nelems)
        return SEAL_ERR_ARGS;
    const struct seal__elem *e = &m->elems[i];
    out->role = e->role;
    out->text = e->text;
    out->first_path = e->first;
    out->path_count = e->count;
    out->x_mm = e->x;
    out->y_mm = e->y;
    out->angle_deg = e->angle;
    out->width_mm = e->w;
    out->height_mm = e->h;
    return SEAL_OK;
}

/* ---- checks ------------------------------------------------------------ */

/* Decode UTF-8 text into at most SEAL_MAKE_MAX_CHARS runes; throws for
 * broken UTF-8, control characters and over-long text. */
static int decode(seal_ctx *ctx, const char *what, const char *s, int *runes)
{
    int n = 0;
    if (!s)
        return 0;
    while (*s) {
        int r;
        int len = fz_chartorune(&r, s);
        if (r == FZ_REPLACEMENT_CHARACTER && !(len == 3 && !memcmp(s, "\xEF\xBF\xBD", 3)))
            seal__throw(ctx, SEAL_ERR_ARGS, "the %s is not valid UTF-8", what);
        if (r < 0x20 || r == 0x7f)
            seal__throw(ctx, SEAL_ERR_ARGS, "the %s holds a control character (U+%04X)", what,
                        (unsigned)r);
        if (n == SEAL_MAKE_MAX_CHARS)
            seal__throw(ctx, SEAL_ERR_ARGS, "the %s is over %d characters", what,
                        SEAL_MAKE_MAX_CHARS);
        runes[n++] = r;
        s += len;
    }
    return n;
}

static int all_of(const int *r, int n, const char *set)
{
    for (int i = 0; i < n; i++)
        if (r[i] > 0x7f || !strchr(set, r[i]))
            return 0;
    return 1;
}

/* The shape and size, from the kind's defaults and what was set; throws
 * SEAL_ERR_ARGS for a combination no seal has or a size out of range. */
static void settle_shape(seal_ctx *ctx, const seal_maker *m, seal__layout *L)
{
    int org = seal__make_is_org(m->kind);
    L->shape = (seal_make_shape)m->shape;
    if (L->shape == SEAL_MAKE_SHAPE_DEFAULT)
        L->shape = m->kind == SEAL_KIND_INVOICE || m->kind == SEAL_KIND_FOREIGN ? SEAL_MAKE_SHAPE_OVAL
                   : org                                                      ? SEAL_MAKE_SHAPE_ROUND
                                                                              : SEAL_MAKE_SHAPE_SQUARE;
    const char *kn = seal_kind_name(m->kind);
    if (org && L->shape != SEAL_MAKE_SHAPE_ROUND && L->shape != SEAL_MAKE_SHAPE_OVAL)
        seal__throw(ctx, SEAL_ERR_ARGS, "a %s seal is round or oval", kn);
    if (!org && L->shape == SEAL_MAKE_SHAPE_OVAL)
        seal__throw(ctx, SEAL_ERR_ARGS, "a %s seal is square, rect or round", kn);
    if (org && m->style == SEAL_MAKE_STYLE_YIN)
        seal__throw(ctx, SEAL_ERR_ARGS, "white characters on red (yin) are for name seals, not a %s seal",
                    kn);
    double w = m->w, h = m->h;
    if (w <= 0) {
        switch (L->shape) {
        case SEAL_MAKE_SHAPE_ROUND: w = h = org ? 40 : 20; break;
        case SEAL_MAKE_SHAPE_OVAL: w = m->kind == SEAL_KIND_FOREIGN ? 45 : 40, h = 30; break;
        case SEAL_MAKE_SHAPE_RECT: w = 24, h = 12; break;
        default: w = h = 20; break;
        }
    } else if (h <= 0) {
        h = L->shape == SEAL_MAKE_SHAPE_OVAL ? w * 0.75 : L->shape == SEAL_MAKE_SHAPE_RECT ? w / 2 : w;
    }
    if ((L->shape == SEAL_MAKE_SHAPE_ROUND || L->shape == SEAL_MAKE_SHAPE_SQUARE) && fabs(w - h) > 1e-9)
        seal__throw(ctx, SEAL_ERR_ARGS, "a %s seal has one size (asked %g x %g mm)",
                    L->shape == SEAL_MAKE_SHAPE_ROUND ? "round" : "square", w, h);
    if (L->shape == SEAL_MAKE_SHAPE_ROUND && org && w > 45)
        seal__throw(ctx, SEAL_ERR_ARGS, "an enterprise seal is at most 45 mm across (asked %g mm)", w);
    if (L->shape == SEAL_MAKE_SHAPE_ROUND && org && w < 30)
        seal__throw(ctx, SEAL_ERR_ARGS, "a round %s seal is at least 30 mm across (asked %g mm)", kn, w);
    if (L->shape == SEAL_MAKE_SHAPE_OVAL && (w > 60 || w < 30 || h < 20 || h >= w))
        seal__throw(ctx, SEAL_ERR_ARGS,
                    "an oval seal is 30 to 60 mm wide and 20 mm high or more, wider than high "
                    "(asked %g x %g mm)", w, h);
    if (!org && (w < 8 || h < 8 || w > 40 || h > 40))
        seal__throw(ctx, SEAL_ERR_ARGS, "a name seal is 8 to 40 mm on each side (asked %g x %g mm)",
                    w, h);
    L->W = w;
    L->H = h;
}

/* Every text's characters and format; throws SEAL_ERR_ARGS. */
static void settle_texts(seal_ctx *ctx, const seal_maker *m, seal__layout *L)
{
    int org = seal__make_is_org(m->kind);
    const char *kn = seal_kind_name(m->kind);
    L->nname = decode(ctx, "name", m->name, L->name);
    L->ntext = decode(ctx, "text", m->text, L->text);
    L->ncode = decode(ctx, "seal code", m->code, L->code);
    L->ntax = decode(ctx, "tax number", m->tax_id, L->tax);
    if (L->nname == 0)
        seal__throw(ctx, SEAL_ERR_ARGS, "no name given: a %s seal needs --name", kn);
    for (int i = 0; i < L->nname; i++)
        if (L->name[i] == ' ' || L->name[i] == 0x3000)
            seal__throw(ctx, SEAL_ERR_ARGS, "the name holds a space: seal text is set without spaces");
    if (!org && (L->ntext || L->ncode || L->ntax))
        seal__throw(ctx, SEAL_ERR_ARGS, "a %s seal carries the name only (no --text, --code or --tax-id)",
                    kn);
    if (L->ncode && (L->ncode != 13 || !all_of(L->code, L->ncode, "0123456789")))
        seal__throw(ctx, SEAL_ERR_ARGS, "the seal code is 13 digits (got \"%s\")", m->code);
    if (m->kind == SEAL_KIND_INVOICE && !L->ntax)
        seal__throw(ctx, SEAL_ERR_ARGS, "an invoice seal needs its tax number (--tax-id)");
    if (L->ntax && m->kind != SEAL_KIND_INVOICE)
        seal__throw(ctx, SEAL_ERR_ARGS, "the tax number goes on an invoice seal only");
    if (L->ntax && (L->ntax < 15 || L->ntax > 20 ||
                    !all_of(L->tax, L->ntax, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")))
        seal__throw(ctx, SEAL_ERR_ARGS,
                    "the tax number is 15 to 20 digits and capital letters (got \"%s\")", m->tax_id);
    /* an 18-character number is the unified social credit code (GB 32100):
     * no I, O, S, V or Z, which read as digits */
    if (L->ntax == 18 && !all_of(L->tax, L->ntax, "0123456789ABCDEFGHJKLMNPQRTUWXY"))
        seal__throw(ctx, SEAL_ERR_ARGS,
                    "the 18-character tax number is a unified social credit code, without the letters "
                    "I, O, S, V and Z (got \"%s\")", m->tax_id);
    if (m->kind == SEAL_KIND_INVOICE && !L->ntext)
        L->ntext = decode(ctx, "text", "发票专用章", L->text);
    if (m->kind == SEAL_KIND_SPECIAL && !L->ntext)
        seal__throw(ctx, SEAL_ERR_ARGS, "a special seal needs its purpose (--text 合同专用章, "
                                        "财务专用章, 投标专用章 ...)");
    /* name seals: 印 or 之印 fill the square's 2x2 grid */
    if (!org && L->shape == SEAL_MAKE_SHAPE_SQUARE) {
        if (L->nname > 4 || L->nname < 2)
            seal__throw(ctx, SEAL_ERR_ARGS,
                        "a square name seal holds 2 to 4 characters (the name has %d)", L->nname);
        if (m->suffix && L->nname == 3)
            L->name[L->nname++] = 0x5370; /* 印 */
        else if (m->suffix && L->nname == 2) {
            L->name[L->nname++] = 0x4E4B; /* 之 */
            L->name[L->nname++] = 0x5370;
        }
    }
    if (!org && L->shape != SEAL_MAKE_SHAPE_SQUARE && L->nname > 6)
        seal__throw(ctx, SEAL_ERR_ARGS, "a %s name seal holds at most 6 characters (the name has %d)",
                    L->shape == SEAL_MAKE_SHAPE_RECT ? "rect" : "round", L->nname);
}

static void check_glyphs(seal_ctx *ctx, fz_font *font, const char *label, const int *r, int n,
                         const char *where)
{
    for (int i = 0; i < n; i++)
        seal__glyph_id(ctx, font, r[i], label, where);
}

/* ---- the record ---------------------------------------------------------- */

static const char *shape_word(seal_make_shape s)
{
    switch (s) {
    case SEAL_MAKE_SHAPE_ROUND: return "round";
    case SEAL_MAKE_SHAPE_OVAL: return "oval";
    case SEAL_MAKE_SHAPE_SQUARE: return "square";
    case SEAL_MAKE_SHAPE_RECT: return "rect";
    case SEAL_MAKE_SHAPE_DEFAULT: break;
    }
    return "default";
}

static void jstr(json_object *o, const char *k, const char *v)
{
    if (v)
        json_object_object_add(o, k, json_object_new_string(v));
}

/* The settings kept in the artwork's /SealMake. */
static char *make_record(const seal_maker *m, const seal__layout *L, const char *font)
{
    json_object *o = json_object_new_object();
    char buf[64], *res = NULL;
    if (!o)
        return NULL;
    jstr(o, "kind", seal_kind_name(m->kind));
    jstr(o, "shape", shape_word(L->shape));
    jstr(o, "style", m->style == SEAL_MAKE_STYLE_YIN ? "yin" : "yang");
    json_object *sz = json_object_new_array();
    json_object_array_add(sz, seal__json_num(L->W, 2));
    json_object_array_add(sz, seal__json_num(L->H, 2));
    json_object_object_add(o, "size_mm", sz);
    jstr(o, "name", m->name);
    jstr(o, "text", m->text);
    jstr(o, "code", m->code);
    jstr(o, "tax_id", m->tax_id);
    json_object_object_add(o, "border", json_object_new_boolean(seal__make_border(m)));
    snprintf(buf, sizeof(buf), "#%02x%02x%02x", m->rgb[0], m->rgb[1], m->rgb[2]);
    jstr(o, "color", buf);
    jstr(o, "font", font);
    const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
    if (s)
        res = strdup(s);
    json_object_put(o);
    return res;
}

/* ---- make -------------------------------------------------------------- */

SEAL_API seal_status seal_maker_make(seal_maker *m, seal_artwork **out)
{
    seal__layout *L = NULL;
    seal_artwork *a = NULL;
    seal_ctx *ctx;
    fz_context *fz;
    seal_status st = SEAL_OK;

    if (!m)
        return SEAL_ERR_ARGS;
    ctx = m->ctx;
    seal__reset(ctx);
    if (!out)
        return seal__fail(ctx, SEAL_ERR_ARGS, "seal_maker_make: missing argument");
    *out = NULL;
    m->nelems = 0;
    L = calloc(1, sizeof(*L));
    a = calloc(1, sizeof(*a));
    if (!L || !a) {
        free(L);
        free(a);
        return seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
    }
    const char *font = m->font ? m->font : seal_make_default_font(m->kind);
    const char *latin = m->font ? m->font : SEAL_FONT_SANS;
    const char *slash = strrchr(font, '/');
    snprintf(L->font_label, sizeof(L->font_label), "the font %s", slash ? slash + 1 : font);
    slash = strrchr(latin, '/');
    snprintf(L->latin_label, sizeof(L->latin_label), "the font %s", slash ? slash + 1 : latin);
    L->ctx = ctx;
    L->m = m;
    L->art = a;
    fz = ctx->fz;
    fz_var(st);
    fz_try(fz) {
        settle_shape(ctx, m, L);
        settle_texts(ctx, m, L);
        L->font = seal__font_open(ctx, font, font_index(font));
        L->latin = L->ncode || L->ntax ? seal__font_open(ctx, latin, font_index(latin)) : NULL;
        check_glyphs(ctx, L->font, L->font_label, L->name, L->nname, "in the name");
        check_glyphs(ctx, L->font, L->font_label, L->text, L->ntext, "in the text");
        check_glyphs(ctx, L->latin, L->latin_label, L->code, L->ncode, "in the seal code");
        check_glyphs(ctx, L->latin, L->latin_label, L->tax, L->ntax, "in the tax number");
        a->kind = m->kind;
        a->made = 1;
        a->width_mm = L->W;
        a->height_mm = L->H;
        memcpy(a->rgb, m->rgb, 3);
        a->name = strdup(m->name);
        a->scores_json = make_record(m, L, font);
        if (!a->name || !a->scores_json)
            fz_throw(fz, FZ_ERROR_MEMORY, "out of memory");
        seal__make_layout(L);
    }
    fz_always(fz) {
        fz_drop_font(fz, L->font);
        fz_drop_font(fz, L->latin);
    }
    fz_catch(fz)
        st = seal__from_fz(ctx, SEAL_ERR_GENERIC);
    free(L);
    if (st != SEAL_OK) {
        m->nelems = 0;
        seal_artwork_free(a);
        return st;
    }
    *out = a;
    return SEAL_OK;
}
