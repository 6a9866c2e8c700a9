/*
 * seal make: a standard seal drawn from text, written as seal artwork.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "cli.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char synopsis[] =
    "seal make --kind company|special|invoice|foreign|legal-rep|personal --name TEXT\n"
    "                 [--text TEXT] [--code 13-DIGIT-SEAL-CODE] [--tax-id ID]\n"
    "                 [--size MM | --size WxH] [--shape round|oval|square|rect] [--style yang|yin]\n"
    "                 [--border|--no-border] [--no-suffix] [--color red|blue|black] [--font FILE]\n"
    "                 -o ART.pdf [--svg F] [--png F [--dpi N]] [--json]";

/* The --json record: the seal and where each of its parts was drawn. */
static void print_json(const char *out, const char *font, const seal_maker *mk, const seal_artwork *art)
{
    json_object *o = json_object_new_object(), *els = json_object_new_array();
    seal_artwork_info ai;
    char ink[8];
    seal_artwork_get_info(art, &ai);
    json_object_object_add(o, "file", json_object_new_string(out));
    json_object_object_add(o, "kind", json_object_new_string(seal_kind_name(ai.kind)));
    json_object_object_add(o, "name", json_object_new_string(ai.name));
    json_object_object_add(o, "size_mm", cli_json_pair(ai.width_mm, ai.height_mm, 2));
    snprintf(ink, sizeof(ink), "#%02x%02x%02x", ai.rgb[0], ai.rgb[1], ai.rgb[2]);
    json_object_object_add(o, "color", json_object_new_string(ink));
    json_object_object_add(o, "font", json_object_new_string(font));
    json_object_object_add(o, "path_count", json_object_new_int64((int64_t)ai.path_count));
    for (size_t i = 0; i < seal_maker_element_count(mk); i++) {
        seal_make_element e;
        if (seal_maker_element(mk, i, &e) != SEAL_OK)
            continue;
        json_object *j = json_object_new_object();
        json_object_object_add(j, "role", json_object_new_string(e.role));
        json_object_object_add(j, "text", json_object_new_string(e.text));
        json_object *p = json_object_new_array();
        json_object_array_add(p, json_object_new_int64((int64_t)e.first_path));
        json_object_array_add(p, json_object_new_int64((int64_t)e.path_count));
        json_object_object_add(j, "paths", p);
        json_object_object_add(j, "center_mm", cli_json_pair(e.x_mm, e.y_mm, 4));
        json_object_object_add(j, "angle_deg", cli_json_num(e.angle_deg, 4));
        json_object_object_add(j, "size_mm", cli_json_pair(e.width_mm, e.height_mm, 3));
        json_object_array_add(els, j);
    }
    json_object_object_add(o, "elements", els);
    puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED));
    json_object_put(o);
}

/* Parse "MM" or "WxH" (mm, finite and positive); 0 on success. */
static int parse_size(const char *s, double *w, double *h)
{
    const char *end;
    *h = 0;
    if (cli_parse_num_to(s, strchr(s, 'X') ? 'X' : 'x', w, &end) || !(*w > 0))
        return -1;
    if (*end && (cli_parse_num(end + 1, h) || !(*h > 0)))
        return -1;
    return 0;
}

struct make_args {
    const char *out, *svg, *png, *font;
    int json, dpi;
};

/* One option with its value (i advanced past it); EXIT_OK or the usage exit. */
static int make_option(seal_maker *mk, struct make_args *a, const char *opt, const char *v)
{
    seal_status st = SEAL_OK;
    if (!strcmp(opt, "-o") || !strcmp(opt, "--output"))
        a->out = v;
    else if (!strcmp(opt, "--svg"))
        a->svg = v;
    else if (!strcmp(opt, "--png"))
        a->png = v;
    else if (!strcmp(opt, "--dpi")) {
        if (cli_parse_int(v, 10, 4800, &a->dpi))
            return cli_usage(synopsis, "--dpi wants a number from 10 to 4800");
    } else if (!strcmp(opt, "--name"))
        st = seal_maker_set_name(mk, v);
    else if (!strcmp(opt, "--text"))
        st = seal_maker_set_text(mk, v);
    else if (!strcmp(opt, "--code"))
        st = seal_maker_set_code(mk, v);
    else if (!strcmp(opt, "--tax-id"))
        st = seal_maker_set_tax_id(mk, v);
    else if (!strcmp(opt, "--font")) {
        a->font = v;
        st = seal_maker_set_font(mk, v);
    } else if (!strcmp(opt, "--size")) {
        double w, h;
        if (parse_size(v, &w, &h))
            return cli_usage(synopsis, "--size is a diameter in mm (40) or WIDTHxHEIGHT (40x30)");
        st = seal_maker_set_size(mk, w, h);
    } else if (!strcmp(opt, "--shape")) {
        static const char *names[] = {"round", "oval", "square", "rect"};
        int k = 0;
        while (k < 4 && strcmp(v, names[k]))
            k++;
        if (k == 4)
            return cli_usage(synopsis, "--shape is round, oval, square or rect");
        st = seal_maker_set_shape(mk, (seal_make_shape)(k + 1));
    } else if (!strcmp(opt, "--style")) {
        if (strcmp(v, "yang") && strcmp(v, "yin"))
            return cli_usage(synopsis, "--style is yang or yin");
        st = seal_maker_set_style(mk, !strcmp(v, "yin") ? SEAL_MAKE_STYLE_YIN : SEAL_MAKE_STYLE_YANG);
    } else if (!strcmp(opt, "--color")) {
        if (!strcmp(v, "red"))
            st = seal_maker_set_color(mk, 255, 0, 0);
        else if (!strcmp(v, "blue"))
            st = seal_maker_set_color(mk, 0, 0x33, 0x99);
        else if (!strcmp(v, "black"))
            st = seal_maker_set_color(mk, 0, 0, 0);
        else
            return cli_usage(synopsis, "--color is red, blue or black");
    } else
        return cli_usage(synopsis, "unknown option %s", opt);
    return st == SEAL_OK ? EXIT_OK : cli_exit_code(st);
}

static int parse_kind(const char *v, seal_kind *kind)
{
    static const seal_kind kinds[] = {SEAL_KIND_COMPANY, SEAL_KIND_SPECIAL, SEAL_KIND_INVOICE,
                                      SEAL_KIND_FOREIGN, SEAL_KIND_LEGAL_REP, SEAL_KIND_PERSONAL};
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (!strcmp(v, seal_kind_name(kinds[i]))) {
            *kind = kinds[i];
            return 0;
        }
    return -1;
}

/* The artwork's files: the extra exports first, the PDF last, so the
 * artwork appears only when all did; on failure none is left. */
static int write_all(seal_ctx *ctx, const seal_artwork *art, const struct make_args *a)
{
    seal_status st = SEAL_OK;
    int svg_done = 0, png_done = 0;
    if (a->svg)
        svg_done = (st = seal_artwork_write_svg(ctx, art, a->svg)) == SEAL_OK;
    if (st == SEAL_OK && a->png)
        png_done = (st = seal_artwork_write_png(ctx, art, a->png, a->dpi)) == SEAL_OK;
    if (st == SEAL_OK)
        st = seal_artwork_write_pdf(ctx, art, a->out);
    if (st == SEAL_OK)
        return EXIT_OK;
    int rc = cli_fail(ctx, st);
    if (svg_done)
        unlink(a->svg);
    if (png_done)
        unlink(a->png);
    return rc;
}

int cmd_make(int argc, char **argv)
{
    struct make_args a = {0};
    const char *kind_arg = NULL;
    seal_kind kind = SEAL_KIND_COMPANY;
    int rc = EXIT_FAILED;
    seal_ctx *ctx = NULL;
    seal_maker *mk = NULL;
    seal_artwork *art = NULL;

    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: %s\n", synopsis);
            return EXIT_OK;
        } else if (!strcmp(argv[i], "--kind") && i + 1 < argc)
            kind_arg = argv[++i];
    if (!kind_arg)
        return cli_usage(synopsis, "no --kind given");
    if (parse_kind(kind_arg, &kind))
        return cli_usage(synopsis, "unknown kind %s: --kind is company, special, invoice, foreign, "
                                   "legal-rep or personal", kind_arg);
    ctx = cli_ctx_new();
    if (!ctx)
        return EXIT_FAILED;
    if (seal_maker_new(ctx, &mk, kind) != SEAL_OK) {
        rc = cli_fail(ctx, seal_ctx_status(ctx));
        goto out;
    }
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(o, "--json"))
            a.json = 1;
        else if (!strcmp(o, "--border") || !strcmp(o, "--no-border"))
            seal_maker_set_border(mk, !strcmp(o, "--border"));
        else if (!strcmp(o, "--no-suffix"))
            seal_maker_set_suffix(mk, 0);
        else if (!strcmp(o, "--kind"))
            i++;
        else if (o[0] != '-' || !o[1]) {
            rc = cli_usage(synopsis, "unexpected argument %s", o);
            goto out;
        } else if (!v) {
            rc = cli_usage(synopsis, "%s needs a value", o);
            goto out;
        } else {
            i++;
            if ((rc = make_option(mk, &a, o, v)) != EXIT_OK) {
                if (rc != EXIT_USAGE || seal_ctx_status(ctx) != SEAL_OK)
                    cli_fail(ctx, seal_ctx_status(ctx));
                goto out;
            }
        }
    }
    if (!a.out) {
        rc = cli_usage(synopsis, "no output given (-o ART.pdf)");
        goto out;
    }
    if (a.dpi && !a.png) {
        rc = cli_usage(synopsis, "--dpi goes with --png");
        goto out;
    }
    {
        const char *reads[] = {a.font}, *writes[] = {a.out, a.svg, a.png};
        if ((rc = cli_paths_check(reads, a.font ? 1 : 0, writes, 3)) != EXIT_OK)
            goto out;
    }
    seal_status st = seal_maker_make(mk, &art);
    if (st != SEAL_OK) {
        rc = cli_fail(ctx, st);
        goto out;
    }
    if ((rc = write_all(ctx, art, &a)) != EXIT_OK)
        goto out;
    if (a.json)
        print_json(a.out, a.font ? a.font : seal_make_default_font(kind), mk, art);
    else {
        seal_artwork_info ai;
        seal_artwork_get_info(art, &ai);
        printf("%s: %s seal %.1f x %.1f mm (%zu paths)\n", a.out, seal_kind_name(kind), ai.width_mm,
               ai.height_mm, ai.path_count);
    }
out:
    seal_artwork_free(art);
    seal_maker_free(mk);
    seal_ctx_free(ctx);
    return rc;
}
