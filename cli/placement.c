/*
 * One set of placement rules for seal sign's options and a job file's
 * placements (placement.h).
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "placement.h"

#include <string.h>

#define NAME(s, opt, key) ((s)->job ? (key) : (opt))

const char *cli_place_build(const cli_place_spec *s, seal_placement pls[2], size_t *n)
{
    int page_at = s->page && s->have_at, pages_at = !s->page && s->pages && s->have_at;
    int kinds = page_at + pages_at + !!s->keyword + !!s->field;
    seal_placement pl;

    *n = 0;
    if (kinds > 1 || (s->keyword && s->have_at) || (s->field && (s->have_at || s->page)))
        return NAME(s, "choose one of --page/--at, --pages/--at, --keyword and --field",
                    "choose one of page+at, pages+at, keyword and field");
    if ((s->page || s->pages) && !s->have_at && !s->keyword && !s->cross)
        return NAME(s, "--page and --pages need --at X,Y (or --keyword, --cross-page)",
                    "page and pages need at (or keyword, cross_page)");
    if (s->have_at && !s->page && !s->pages)
        return NAME(s, "--at needs --page N or --pages SPEC", "at needs page or pages");
    if ((s->have_nth || s->all || s->have_offset) && !s->keyword)
        return NAME(s, "--nth, --all and --offset go with --keyword", "nth, all and offset go with keyword");
    if (s->have_nth && s->all)
        return NAME(s, "--nth and --all exclude each other", "nth and all exclude each other");
    if (s->have_nth && s->nth < 1)
        return NAME(s, "--nth takes a hit number from 1", "nth is a hit number from 1");
    if ((s->have_y || s->group || s->have_edge) && !s->cross)
        return NAME(s, "--edge, --y and --group go with --cross-page", "edge, y and group go with cross_page");
    if (s->have_y && s->y <= 0)
        return NAME(s, "--y takes a height in mm", "y is a height in mm");
    if (s->group && s->group != SEAL_GROUP_AUTO && s->group < 2)
        return NAME(s, "--group takes a number of pages from 2 or auto",
                    "group is a number of pages from 2 or \"auto\"");
    memset(&pl, 0, sizeof(pl));
    pl.keyword = s->keyword;
    pl.field = s->field;
    if (page_at || pages_at) {
        pl.kind = page_at ? SEAL_PLACE_AT : SEAL_PLACE_PAGES;
        pl.page = s->page;
        pl.pages = page_at ? NULL : s->pages;
        pl.x_mm = s->x_mm;
        pl.y_mm = s->y_mm;
        pls[(*n)++] = pl;
    } else if (s->keyword) {
        pl.kind = SEAL_PLACE_KEYWORD;
        pl.nth = s->all ? SEAL_NTH_ALL : s->have_nth ? s->nth : 1;
        pl.dx_mm = s->dx_mm;
        pl.dy_mm = s->dy_mm;
        pl.pages = s->pages;
        pls[(*n)++] = pl;
    } else if (s->field) {
        pl.kind = SEAL_PLACE_FIELD;
        pls[(*n)++] = pl;
    }
    if (s->cross) {
        memset(&pl, 0, sizeof(pl));
        pl.kind = SEAL_PLACE_CROSS_PAGE;
        pl.edge = s->edge;
        pl.y_mm = s->y;
        pl.group = s->group;
        /* --pages belongs to the cross-page seal when it stands alone. */
        pl.pages = *n == 0 ? s->pages : NULL;
        pls[(*n)++] = pl;
    }
    return NULL;
}
