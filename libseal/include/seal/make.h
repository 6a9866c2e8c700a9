/*
 * libseal — standard seals drawn from text (seal make).
 * SPDX-License-Identifier: AGPL-3.0-or-later
 *
 * A seal_maker collects what a seal says (name, horizontal text, seal code,
 * tax number) and how it looks (kind, shape, size, style, border, colour,
 * font), then draws it as the same seal_artwork enrolment produces: vector
 * paths at the seal's physical size in one ink colour, written with
 * seal_artwork_write_pdf / _svg / _png. Text is set from a CJK font through
 * FreeType and written as glyph outlines; no font is embedded.
 *
 *   seal_maker_new        a maker for a kind, with that kind's default shape and size
 *   seal_maker_set_*      override any of them
 *   seal_maker_make       check everything, lay the seal out, draw it -> seal_artwork
 *   seal_maker_element    where each part was drawn (for checks and reports)
 *
 * The maker belongs to the context it was made with; messages go there.
 */
#ifndef SEAL_MAKE_H
#define SEAL_MAKE_H

#include "common.h"
#include "enrol.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum seal_make_shape {
    SEAL_MAKE_SHAPE_DEFAULT = 0, /* the kind's: round, oval (invoice, foreign) or square */
    SEAL_MAKE_SHAPE_ROUND = 1,
    SEAL_MAKE_SHAPE_OVAL = 2,
    SEAL_MAKE_SHAPE_SQUARE = 3,
    SEAL_MAKE_SHAPE_RECT = 4
} seal_make_shape;

typedef enum seal_make_style {
    SEAL_MAKE_STYLE_YANG = 0, /* 阳文: ink characters on paper */
    SEAL_MAKE_STYLE_YIN = 1   /* 阴文: paper-white characters on an inked field */
} seal_make_style;

typedef struct seal_maker seal_maker;

/*
 * A maker for `kind`: SEAL_KIND_COMPANY (round 40 mm, star), SEAL_KIND_SPECIAL
 * (round 40 mm, star, horizontal text such as 合同专用章), SEAL_KIND_INVOICE
 * (oval 40x30 mm with the tax number and 发票专用章), SEAL_KIND_FOREIGN (oval
 * 45x30 mm), SEAL_KIND_LEGAL_REP and SEAL_KIND_PERSONAL (square 20x20 mm name
 * seal). Returns SEAL_OK with an owned maker, SEAL_ERR_ARGS (another kind) or
 * SEAL_ERR_NOMEM.
 */
SEAL_API seal_status seal_maker_new(seal_ctx *ctx, seal_maker **out, seal_kind kind);
SEAL_API void seal_maker_free(seal_maker *m);

/* Texts, UTF-8, copied. NULL or "" clears. The name is required; the others
 * are optional: text is the horizontal line (e.g. 合同专用章; an invoice seal
 * defaults to 发票专用章), code the 13-digit seal code (印章编码), tax_id the
 * invoice seal's taxpayer number (15 to 20 digits and capital letters).
 * Checked by seal_maker_make. Return SEAL_OK, SEAL_ERR_ARGS or SEAL_ERR_NOMEM. */
SEAL_API seal_status seal_maker_set_name(seal_maker *m, const char *name);
SEAL_API seal_status seal_maker_set_text(seal_maker *m, const char *text);
SEAL_API seal_status seal_maker_set_code(seal_maker *m, const char *code);
SEAL_API seal_status seal_maker_set_tax_id(seal_maker *m, const char *tax_id);
/* The font file (TrueType, OpenType or a collection's first face); NULL: the
 * built-in default for the kind (seal_make_default_font). */
SEAL_API seal_status seal_maker_set_font(seal_maker *m, const char *path);

/* Outer size in mm: a round seal's diameter is width (height must equal it or
 * be 0). Ranges are checked by seal_maker_make. */
SEAL_API seal_status seal_maker_set_size(seal_maker *m, double width_mm, double height_mm);
SEAL_API seal_status seal_maker_set_shape(seal_maker *m, seal_make_shape shape);
SEAL_API seal_status seal_maker_set_style(seal_maker *m, seal_make_style style);
/* Border ring or frame on or off. Default: on for yang (阳文) seals; off for
 * yin (阴文) seals, whose inked field is their edge; a yin seal's border is a
 * white frame line cut into the field. */
SEAL_API seal_status seal_maker_set_border(seal_maker *m, int on);
/* Square name seals: add 印 (three characters) or 之印 (two) to fill the
 * 2x2 grid, as is customary (default on). */
SEAL_API seal_status seal_maker_set_suffix(seal_maker *m, int on);
/* Ink colour; the default is the standard seal red #ff0000. */
SEAL_API seal_status seal_maker_set_color(seal_maker *m, unsigned char r, unsigned char g,
                                          unsigned char b);

/*
 * Check the settings against the kind and size, lay the seal out and draw it.
 * Returns SEAL_OK with an owned artwork, SEAL_ERR_ARGS (a missing or
 * over-long name, a size out of range, a character the font lacks — the
 * message names it and the limit), SEAL_ERR_INPUT (the font file is
 * unusable), SEAL_ERR_NOMEM.
 */
SEAL_API seal_status seal_maker_make(seal_maker *m, seal_artwork **out);

/* One drawn part of the last artwork made: the paths [first_path,
 * first_path + path_count) of the artwork; for a character its centre, its
 * rotation (degrees clockwise as seen; 0 = upright) and its cell. */
typedef struct seal_make_element {
    const char *role; /* "border", "field" (yin), "star", "name", "text", "code", "tax_id" */
    const char *text; /* the character, UTF-8; "" for shapes */
    size_t first_path, path_count;
    double x_mm, y_mm; /* centre, from the artwork's top-left, y down */
    double angle_deg;
    double width_mm, height_mm;
} seal_make_element;

SEAL_API size_t seal_maker_element_count(const seal_maker *m);
/* Element i of the last artwork made; strings belong to the maker. SEAL_ERR_ARGS when out of range. */
SEAL_API seal_status seal_maker_element(const seal_maker *m, size_t i, seal_make_element *out);

/* The font file drawn with when none is set: a Song (宋) face for
 * organisation seals, a Kai (楷) face for name seals. Never NULL. */
SEAL_API const char *seal_make_default_font(seal_kind kind);

#ifdef __cplusplus
}
#endif

#endif /* SEAL_MAKE_H */
