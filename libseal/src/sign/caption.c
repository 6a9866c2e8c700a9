/*
 * Captions under seals (the date under a handwritten signature), drawn as
 * glyph outlines from the font compiled into the library (fonts/), so the
 * signed PDF embeds no font and every viewer shows the same shapes.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "glyphs.h"
#include "pdfint.h"

#include <string.h>

extern const unsigned char seal__caption_font[];
extern const size_t seal__caption_font_size;

typedef struct emit {
    fz_buffer *buf;
} emit;

static void e_moveto(fz_context *fz, void *arg, float x, float y)
{
    emit *e = arg;
    fz_append_printf(fz, e->buf, "%.3f %.3f m\n", x, y);
}

static void e_lineto(fz_context *fz, void *arg, float x, float y)
{
    emit *e = arg;
    fz_append_printf(fz, e->buf, "%.3f %.3f l\n", x, y);
}

static void e_curveto(fz_context *fz, void *arg, float x1, float y1, float x2, float y2, float x3,
                      float y3)
{
    emit *e = arg;
    fz_append_printf(fz, e->buf, "%.3f %.3f %.3f %.3f %.3f %.3f c\n", x1, y1, x2, y2, x3, y3);
}

static void e_closepath(fz_context *fz, void *arg)
{
    emit *e = arg;
    fz_append_string(fz, e->buf, "h\n");
}

fz_buffer *seal__caption_paths(seal_ctx *ctx, const char *text, float size, float *width)
{
    fz_context *fz = ctx->fz;
    fz_font *font = NULL;
    fz_buffer *buf = NULL;
    emit e = {0};
    volatile float pen = 0;
    /* no quadto: MuPDF raises quadratics to cubics, as PDF needs */
    const fz_path_walker walker = {e_moveto, e_lineto, e_curveto, e_closepath, NULL,
                                   NULL, NULL, NULL};

    fz_var(font);
    fz_var(buf);
    fz_try(fz) {
        font = fz_new_font_from_memory(fz, "seal-caption", seal__caption_font,
                                       (int)seal__caption_font_size, 0, 0);
        buf = fz_new_buffer(fz, 4096);
        e.buf = buf;
        for (const char *s = text; *s;) {
            int rune;
            s += fz_chartorune(&rune, s);
            int gid = seal__glyph_id(ctx, font, rune, "the caption font",
                                     "(it draws dates such as 2026年12月01日)");
            seal__glyph_walk(fz, font, gid, fz_make_matrix(size, 0, 0, size, pen, 0), &walker, &e);
            pen += fz_advance_glyph(fz, font, gid, 0) * size;
        }
        fz_append_string(fz, buf, "f\n");
    }
    fz_always(fz) {
        fz_drop_font(fz, font);
    }
    fz_catch(fz) {
        fz_drop_buffer(fz, buf);
        fz_rethrow(fz);
    }
    *width = pen;
    return buf;
}
