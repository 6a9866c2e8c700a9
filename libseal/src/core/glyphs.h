/*
 * Glyph outlines (glyphs.c), for the caption and made seals.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef SEAL_GLYPHS_H
#define SEAL_GLYPHS_H

#include "internal.h"

/* A font from a file (face `index` of a collection); throws SEAL_ERR_INPUT
 * with MuPDF's reason when it cannot be used. */
fz_font *seal__font_open(seal_ctx *ctx, const char *path, int index);

/* The glyph of `rune`; throws SEAL_ERR_ARGS naming the character, e.g.
 * "FONT_LABEL has no glyph for U+9F98 (龘) WHERE". */
int seal__glyph_id(seal_ctx *ctx, fz_font *font, int rune, const char *font_label, const char *where);

/* Walk glyph gid's outline through m (glyph space: 1 unit = 1 em, y up).
 * With walker->quadto NULL the walker sees lines and cubic curves only. */
void seal__glyph_walk(fz_context *fz, fz_font *font, int gid, fz_matrix m,
                      const fz_path_walker *walker, void *arg);

/* The box of every point of the outline (control points included) in em
 * units, y up; empty for a blank glyph. */
fz_rect seal__glyph_extent(fz_context *fz, fz_font *font, int gid);

#endif /* SEAL_GLYPHS_H */
