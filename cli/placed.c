/*
 * seal sign's account of where the seals went: one line per seal drawn
 * (page, centre in mm, kind, signature field), a cross-page summary, or
 * the same as JSON.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "placed.h"

#include <json-c/json.h>

#include <stdlib.h>
#include <string.h>

static const char *kind_name(seal_place_kind k)
{
    switch (k) {
    case SEAL_PLACE_AT: return "at";
    case SEAL_PLACE_KEYWORD: return "keyword";
    case SEAL_PLACE_PAGES: return "pages";
    case SEAL_PLACE_CROSS_PAGE: return "cross-page";
    case SEAL_PLACE_FIELD: return "field";
    }
    return "?";
}

void cli_placed_cb(void *user, const seal_placed *p)
{
    cli_placed *l = user;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->p = realloc(l->p, l->cap * sizeof(*l->p));
        if (!l->p)
            abort();
    }
    l->p[l->n] = *p;
    l->p[l->n].field = NULL;
    l->n++;
    if (!l->field[0])
        snprintf(l->field, sizeof(l->field), "%s", p->field);
}

void cli_placed_free(cli_placed *l)
{
    free(l->p);
    memset(l, 0, sizeof(*l));
}

/* The cross-page seals: pages, groups, smallest and largest group, and
 * the narrowest and widest slice (mm). Returns the number of slices. */
static size_t cross_summary(const cli_placed *l, int *groups, int gp[2], double strip[2])
{
    size_t pages = 0;
    for (size_t i = 0; i < l->n; i++) {
        const seal_placed *p = &l->p[i];
        if (p->kind != SEAL_PLACE_CROSS_PAGE)
            continue;
        if (!pages++) {
            gp[0] = gp[1] = p->group_pages;
            strip[0] = strip[1] = p->w_mm;
        }
        *groups = p->groups;
        gp[0] = p->group_pages < gp[0] ? p->group_pages : gp[0];
        gp[1] = p->group_pages > gp[1] ? p->group_pages : gp[1];
        strip[0] = p->w_mm < strip[0] ? p->w_mm : strip[0];
        strip[1] = p->w_mm > strip[1] ? p->w_mm : strip[1];
    }
    return pages;
}

void cli_placed_print(const cli_placed *l, FILE *f)
{
    int groups = 0, gp[2];
    double strip[2];
    size_t pages = cross_summary(l, &groups, gp, strip);

    if (pages) {
        fprintf(f, "cross-page: %zu pages in %d group%s of ", pages, groups, groups == 1 ? "" : "s");
        fprintf(f, gp[0] == gp[1] ? "%d" : "%d-%d", gp[0], gp[1]);
        fprintf(f, ", strips %.3g", strip[0]);
        if (strip[1] - strip[0] >= 0.0005)
            fprintf(f, "-%.3g", strip[1]);
        fputs(" mm\n", f);
    }
    for (size_t i = 0; i < l->n; i++) {
        const seal_placed *p = &l->p[i];
        fprintf(f, "page %d: %s at %.1f,%.1f mm", p->page,
                p->kind == SEAL_PLACE_CROSS_PAGE ? "strip" : "seal", p->x_mm, p->y_mm);
        if (p->kind == SEAL_PLACE_CROSS_PAGE)
            fprintf(f, " (cross-page, group %d/%d, strip %d/%d)", p->group, p->groups, p->strip,
                    p->group_pages);
        else
            fprintf(f, " (%s)", kind_name(p->kind));
        fprintf(f, ", field %s\n", l->field);
    }
}

void cli_placed_json(const cli_placed *l, const char *out, FILE *f)
{
    json_object *o = json_object_new_object(), *arr = json_object_new_array();
    int groups = 0, gp[2];
    double strip[2];
    size_t pages = cross_summary(l, &groups, gp, strip);

    json_object_object_add(o, "file", json_object_new_string(out));
    json_object_object_add(o, "field", l->field[0] ? json_object_new_string(l->field) : NULL);
    for (size_t i = 0; i < l->n; i++) {
        const seal_placed *p = &l->p[i];
        json_object *j = json_object_new_object();
        json_object_object_add(j, "page", json_object_new_int(p->page));
        json_object_object_add(j, "kind", json_object_new_string(kind_name(p->kind)));
        json_object_object_add(j, "center_mm", cli_json_pair(p->x_mm, p->y_mm, 2));
        json_object_object_add(j, "size_mm", cli_json_pair(p->w_mm, p->h_mm, 3));
        json_object_object_add(j, "field", json_object_new_string(l->field));
        if (p->kind == SEAL_PLACE_CROSS_PAGE) {
            json_object_object_add(j, "group", json_object_new_int(p->group));
            json_object_object_add(j, "groups", json_object_new_int(p->groups));
            json_object_object_add(j, "group_pages", json_object_new_int(p->group_pages));
            json_object_object_add(j, "strip", json_object_new_int(p->strip));
        }
        json_object_array_add(arr, j);
    }
    json_object_object_add(o, "placements", arr);
    if (pages) {
        json_object *c = json_object_new_object();
        json_object_object_add(c, "pages", json_object_new_int((int)pages));
        json_object_object_add(c, "groups", json_object_new_int(groups));
        json_object_object_add(c, "group_pages", cli_json_pair(gp[0], gp[1], 0));
        json_object_object_add(c, "strip_mm", cli_json_pair(strip[0], strip[1], 3));
        json_object_object_add(o, "cross_page", c);
    }
    fprintf(f, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED));
    json_object_put(o);
}
