/*
 * seal make internals shared by make.c (the maker, its checks) and
 * makelay.c (the layout and drawing of each shape). makelay.c is the lower
 * file: it defines everything declared below (the kind and border rules
 * too) and calls nothing in make.c.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef SEAL_MAKEINT_H
#define SEAL_MAKEINT_H

#include "enrol_internal.h"
#include "glyphs.h"
#include "seal/make.h"

/* Default fonts, found at run time where their Debian packages put them
 * (CMake: SEAL_FONT_SONG, SEAL_FONT_KAI; fonts/README.md). */
#ifndef SEAL_FONT_SONG
#define SEAL_FONT_SONG "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc"
#endif
#ifndef SEAL_FONT_SONG_INDEX
#define SEAL_FONT_SONG_INDEX 2 /* Noto Serif CJK SC in the collection */
#endif
#ifndef SEAL_FONT_KAI
#define SEAL_FONT_KAI "/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Bold.ttf"
#endif
#ifndef SEAL_FONT_KAI_INDEX
#define SEAL_FONT_KAI_INDEX 0
#endif

/* Digits and letters (the seal code, the tax number) are set in a sans
 * face, as on real seals, unless a font is given. */
#ifndef SEAL_FONT_SANS
#define SEAL_FONT_SANS "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
#endif
#ifndef SEAL_FONT_SANS_INDEX
#define SEAL_FONT_SANS_INDEX 2 /* Noto Sans CJK SC */
#endif

#define SEAL_MAKE_MAX_CHARS 64

struct seal__elem {
    char role[8];
    char text[8];
    size_t first, count;
    double x, y, angle, w, h;
};

struct seal_maker {
    seal_ctx *ctx;
    seal_kind kind;
    int shape;   /* seal_make_shape */
    int style;   /* seal_make_style */
    double w, h; /* 0: the kind's default */
    int border, suffix;
    unsigned char rgb[3];
    char *name, *text, *code, *tax_id, *font;
    struct seal__elem *elems; /* of the last artwork made */
    size_t nelems, cap_elems;
};

/* One seal being made: the settled settings and the artwork drawn into. */
typedef struct seal__layout {
    seal_ctx *ctx;
    seal_maker *m;
    seal_artwork *art;
    fz_font *font;  /* Chinese text */
    fz_font *latin; /* the seal code and the tax number */
    char font_label[300], latin_label[300]; /* "the font FILE", for messages */
    seal_make_shape shape;
    double W, H;
    int name[SEAL_MAKE_MAX_CHARS + 2], nname; /* + 之印 */
    int text[SEAL_MAKE_MAX_CHARS], ntext;
    int code[SEAL_MAKE_MAX_CHARS], ncode;
    int tax[SEAL_MAKE_MAX_CHARS], ntax;
} seal__layout;

/* Company, special, invoice or foreign: an organisation's seal. */
int seal__make_is_org(seal_kind kind);

/* Whether the seal has its border: as set, else yang seals a ring or frame
 * and yin seals none (the edge of the inked field is their frame). */
int seal__make_border(const seal_maker *m);

/* Lay out and draw the seal into L->art, recording the elements on L->m.
 * Runs inside fz_try; throws SEAL_ERR_ARGS for text that does not fit. */
void seal__make_layout(seal__layout *L);

#endif /* SEAL_MAKEINT_H */
