/*
 * Captions under seals (the date under a handwritten signature), drawn as
 * glyph outlines from the font compiled into the library (fonts/), so the
 * signed PDF embeds no font and every viewer shows the same shapes.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "pdfint.h"

#include <string.h>

extern const unsigned char seal__caption_font[];
extern const size_t seal__caption_font_size;

typedef struct emit {
    fz_buffer *buf;
    float x0, y0; /* last point, for quadratic curves */
} emit;

static void e_moveto(fz_context *fz, void *arg, float x, float y)
{
    emit *e = arg;
    fz_append_printf(fz, e->buf, "%.3f %.3f m\n", x, y);
    e->x0 = x;
    e->y0 = y;
}

static void e_lineto(fz_context *fz, void *arg, float x, float y)
{
    emit *e = arg;
    fz_append_printf(fz, e->buf, "%.3f %.3f l\n", x, y);
    e->x0 = x;
    e->y0 = y;
}

static void e_curveto(fz_context *fz, void *arg, float x1, float y1, float x2, float y2, float x3,
                      float y3)
{
    emit *e = arg;
    fz_append_printf(fz, e->buf, "%.3f %.3f %.3f %.3f %.3f %.3f c\n", x1, y1, x2, y2, x3, y3);
    e->x0 = x3;
    e->y0 = y3;
}

static void e_quadto(fz_context *fz, void *arg, float x1, float y1, float x2, float y2)
{
    emit *e = arg;
    /* PDF has cubic curves only: raise the degree. */
    e_curveto(fz, arg, e->x0 + 2.0f / 3 * (x1 - e->x0), e->y0 + 2.0f / 3 * (y1 - e->y0),
              x2 + 2.0f / 3 * (x1 - x2), y2 + 2.0f / 3 * (y1 - y2), x2, y2);
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
    fz_path *path = NULL;
    fz_buffer *buf = NULL;
    emit e = {0};
    volatile float pen = 0;
    const fz_path_walker walker = {e_moveto, e_lineto, e_curveto, e_closepath, e_quadto,
                                   NULL, NULL, NULL};

    fz_var(font);
    fz_var(path);
    fz_var(buf);
    fz_try(fz) {
        font = fz_new_font_from_memory(fz, "seal-caption", seal__caption_font,
                                       (int)seal__caption_font_size, 0, 0);
        buf = fz_new_buffer(fz, 4096);
        e.buf = buf;
        for (const char *s = text; *s;) {
            int rune;
            s += fz_chartorune(&rune, s);
            int gid = fz_encode_character(fz, font, rune);
            if (gid == 0 && rune != ' ')
                seal__throw(ctx, SEAL_ERR_ARGS,
                            "the caption font has no glyph for U+%04X (it draws dates such as "
                            "2026年12月01日)",
                            (unsigned)rune);
            path = fz_outline_glyph(fz, font, gid, fz_make_matrix(size, 0, 0, size, pen, 0));
            if (path) {
                fz_walk_path(fz, path, &walker, &e);
                fz_drop_path(fz, path);
                path = NULL;
            }
            pen += fz_advance_glyph(fz, font, gid, 0) * size;
        }
        fz_append_string(fz, buf, "f\n");
    }
    fz_always(fz) {
        fz_drop_path(fz, path);
        fz_drop_font(fz, font);
    }
    fz_catch(fz) {
        fz_drop_buffer(fz, buf);
        fz_rethrow(fz);
    }
    *width = pen;
    return buf;
}
