/*
 * Text as outlines: a character's glyph in a font, walked as lines and
 * cubic curves through a matrix. Shared by the date caption (caption.c,
 * content-stream paths) and made seals (make.c, artwork paths).
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "glyphs.h"

#include <string.h>

fz_font *seal__font_open(seal_ctx *ctx, const char *path, int index)
{
    fz_context *fz = ctx->fz;
    fz_font *font = NULL;
    fz_var(font);
    fz_try(fz)
        font = fz_new_font_from_file(fz, NULL, path, index, 0);
    fz_catch(fz)
        seal__throw(ctx, SEAL_ERR_INPUT, "cannot use the font %s: %s", path, fz_caught_message(fz));
    return font;
}

/* "U+XXXX (X)" for a message. */
static void describe_rune(int rune, char *buf, size_t size)
{
    char utf8[8];
    int n = fz_runetochar(utf8, rune);
    utf8[n] = 0;
    if (rune >= 0x20 && rune != 0x7f)
        snprintf(buf, size, "U+%04X (%s)", (unsigned)rune, utf8);
    else
        snprintf(buf, size, "U+%04X", (unsigned)rune);
}

int seal__glyph_id(seal_ctx *ctx, fz_font *font, int rune, const char *font_label, const char *where)
{
    int gid = fz_encode_character(ctx->fz, font, rune);
    if (gid == 0 && rune != ' ') {
        char ch[32];
        describe_rune(rune, ch, sizeof(ch));
        seal__throw(ctx, SEAL_ERR_ARGS, "%s has no glyph for %s%s%s", font_label, ch,
                    where && *where ? " " : "", where ? where : "");
    }
    return gid;
}

void seal__glyph_walk(fz_context *fz, fz_font *font, int gid, fz_matrix m,
                      const fz_path_walker *walker, void *arg)
{
    fz_path *path = fz_outline_glyph(fz, font, gid, m);
    if (!path)
        return;
    fz_try(fz)
        fz_walk_path(fz, path, walker, arg);
    fz_always(fz)
        fz_drop_path(fz, path);
    fz_catch(fz)
        fz_rethrow(fz);
}

fz_rect seal__glyph_extent(fz_context *fz, fz_font *font, int gid)
{
    /* The extent of the outline, control points included: MuPDF's own
     * path bound (a space has no outline: the empty rect). */
    fz_path *path = fz_outline_glyph(fz, font, gid, fz_identity);
    fz_rect r = fz_empty_rect;
    if (!path)
        return r;
    fz_try(fz)
        r = fz_bound_path(fz, path, NULL, fz_identity);
    fz_always(fz)
        fz_drop_path(fz, path);
    fz_catch(fz)
        fz_rethrow(fz);
    return r;
}
