/*
 * seal enrol: a seal collection-form scan in, seal artwork out.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "cli.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char synopsis[] =
    "seal enrol SCAN -o ART.pdf [--kind company|legal-rep|signature] [--box auto|1|2|3]\n"
    "                  [--dpi N] [--svg F] [--png F [--png-dpi N]] [--json] [--name TEXT]\n"
    "                  [--page N]";

static json_object *score_json(const seal_impression_score *s)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "clarity", cli_json_num(s->clarity, 3));
    json_object_object_add(o, "sharpness", cli_json_num(s->sharpness, 3));
    json_object_object_add(o, "ring_continuity", cli_json_num(s->ring_continuity, 3));
    json_object_object_add(o, "broken_strokes", cli_json_num(s->broken_strokes, 3));
    json_object_object_add(o, "over_inking", cli_json_num(s->over_inking, 3));
    json_object_object_add(o, "contrast", cli_json_num(s->contrast, 3));
    json_object_object_add(o, "density", cli_json_num(s->density, 3));
    return o;
}

static const char *shape_str(seal_shape s)
{
    switch (s) {
    case SEAL_SHAPE_CIRCLE: return "circle";
    case SEAL_SHAPE_ELLIPSE: return "ellipse";
    case SEAL_SHAPE_SQUARE: return "square";
    case SEAL_SHAPE_FREE: return "free";
    case SEAL_SHAPE_NONE: break;
    }
    return "none";
}

/* The --json record (design.md): decision, warnings, reasons, kind, box,
 * scores, size_mm, rotation_deg, plus details. */
static void print_json(const char *scan_path, const seal_scan *scan, const seal_mask *mask,
                       const char *load_error)
{
    json_object *o = json_object_new_object();
    json_object *warn = json_object_new_array(), *reasons = json_object_new_array();
    json_object *msgs = json_object_new_array();
    seal_mask_info mi;
    seal_mask_get_info(mask, &mi);
    json_object_object_add(o, "file", json_object_new_string(scan_path));
    if (load_error) {
        json_object_object_add(o, "decision", json_object_new_string("reject"));
        json_object_array_add(reasons, json_object_new_string("unreadable"));
        json_object_array_add(msgs, json_object_new_string(load_error));
    } else {
        json_object_object_add(o, "decision", json_object_new_string(seal_decision_name(mi.decision)));
        for (size_t i = 0; i < mi.issue_count; i++) {
            seal_issue is;
            if (seal_mask_issue(mask, i, &is) != SEAL_OK)
                continue;
            json_object_array_add(is.severity == SEAL_DECISION_REJECT ? reasons : warn,
                                  json_object_new_string(is.code));
            json_object_array_add(msgs, json_object_new_string(is.message));
        }
    }
    json_object_object_add(o, "warnings", warn);
    json_object_object_add(o, "reasons", reasons);
    json_object_object_add(o, "messages", msgs);
    if (!load_error) {
        json_object_object_add(o, "kind", json_object_new_string(seal_kind_name(mi.kind)));
        json_object_object_add(o, "box", mi.box ? json_object_new_int(mi.box) : NULL);
        json_object_object_add(o, "chosen", mi.box ? json_object_new_int(mi.box) : NULL);
        json_object *sc = json_object_new_object();
        for (int k = 0; k < SEAL_MAX_BOXES; k++) {
            char key[16];
            if (!mi.scores[k].present)
                continue;
            snprintf(key, sizeof(key), "box%d", k + 1);
            json_object_object_add(sc, key, score_json(&mi.scores[k]));
        }
        json_object_object_add(o, "scores", sc);
        json_object *sz = json_object_new_array();
        json_object_array_add(sz, cli_json_num(mi.width_mm, 2));
        json_object_array_add(sz, cli_json_num(mi.height_mm, 2));
        json_object_object_add(o, "size_mm", sz);
        json_object_object_add(o, "rotation_deg", cli_json_num(mi.rotation_deg, 2));
        json_object_object_add(o, "shape", json_object_new_string(shape_str(mi.shape)));
        json_object *cen = json_object_new_array();
        json_object_array_add(cen, cli_json_num(mi.center_x_mm, 2));
        json_object_array_add(cen, cli_json_num(mi.center_y_mm, 2));
        json_object_object_add(o, "center_mm", cen);
        json_object_object_add(o, "boxes_found", json_object_new_int(mi.box_count));
        json_object_object_add(o, "dpi", cli_json_num(mi.dpi, 1));
        json_object_object_add(o, "illumination", cli_json_num(mi.illumination, 3));
        char ink[8];
        snprintf(ink, sizeof(ink), "#%02x%02x%02x", mi.ink_rgb[0], mi.ink_rgb[1], mi.ink_rgb[2]);
        json_object_object_add(o, "ink", json_object_new_string(ink));
        if (scan) {
            seal_scan_info si;
            seal_scan_get_info(scan, &si);
            json_object_object_add(o, "jpeg_quality", si.jpeg_quality ? json_object_new_int(si.jpeg_quality) : NULL);
            json_object_object_add(o, "source_sha256", json_object_new_string(si.sha256));
        }
    }
    puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED));
    json_object_put(o);
}

int cmd_enrol(int argc, char **argv)
{
    const char *scan_path = NULL, *out = NULL, *svg = NULL, *png = NULL, *name = NULL;
    int json = 0, dpi = 0, png_dpi = 0, page = 0, rc = EXIT_FAILED;
    seal_extract_options xo = SEAL_EXTRACT_OPTIONS_INIT;
    seal_trace_options to = SEAL_TRACE_OPTIONS_INIT;
    seal_scan_options so = SEAL_SCAN_OPTIONS_INIT;
    seal_ctx *ctx = NULL;
    seal_scan *scan = NULL;
    seal_mask *mask = NULL;
    seal_artwork *art = NULL;
    seal_status st;
    const char *written[3] = {NULL, NULL, NULL};

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            printf("usage: %s\n", synopsis);
            return EXIT_OK;
        } else if (!strcmp(a, "--json")) {
            json = 1;
            continue;
        }
        if (a[0] == '-' && a[1]) {
            if (!v)
                return cli_usage(synopsis, "%s needs a value", a);
            i++;
            if (!strcmp(a, "-o") || !strcmp(a, "--output"))
                out = v;
            else if (!strcmp(a, "--svg"))
                svg = v;
            else if (!strcmp(a, "--png"))
                png = v;
            else if (!strcmp(a, "--name"))
                name = v;
            else if (!strcmp(a, "--dpi")) {
                if (cli_parse_int(v, 10, 4800, &dpi))
                    return cli_usage(synopsis, "--dpi wants a number from 10 to 4800");
            } else if (!strcmp(a, "--png-dpi")) {
                if (cli_parse_int(v, 10, 4800, &png_dpi))
                    return cli_usage(synopsis, "--png-dpi wants a number from 10 to 4800");
            } else if (!strcmp(a, "--page")) {
                if (cli_parse_int(v, 1, 100000, &page))
                    return cli_usage(synopsis, "--page wants a page number");
            } else if (!strcmp(a, "--kind")) {
                if (!strcmp(v, "company"))
                    xo.kind = SEAL_KIND_COMPANY;
                else if (!strcmp(v, "legal-rep"))
                    xo.kind = SEAL_KIND_LEGAL_REP;
                else if (!strcmp(v, "signature"))
                    xo.kind = SEAL_KIND_SIGNATURE;
                else if (!strcmp(v, "auto"))
                    xo.kind = SEAL_KIND_AUTO;
                else
                    return cli_usage(synopsis, "--kind is company, legal-rep or signature");
            } else if (!strcmp(a, "--box")) {
                if (!strcmp(v, "auto"))
                    xo.box = 0;
                else if (cli_parse_int(v, 1, 3, &xo.box))
                    return cli_usage(synopsis, "--box is auto, 1, 2 (or 3 for signatures)");
            } else
                return cli_usage(synopsis, "unknown option %s", a);
            continue;
        }
        if (scan_path)
            return cli_usage(synopsis, "one scan at a time (got %s and %s)", scan_path, a);
        scan_path = a;
    }
    if (!scan_path)
        return cli_usage(synopsis, "no scan given");
    if (!out)
        return cli_usage(synopsis, "no output given (-o ART.pdf)");
    if (png_dpi && !png)
        return cli_usage(synopsis, "--png-dpi goes with --png");
    if (xo.box == 3 && xo.kind != SEAL_KIND_SIGNATURE)
        return cli_usage(synopsis, "--box 3 is for --kind signature");
    {
        const char *reads[] = {scan_path}, *writes[] = {out, svg, png};
        if ((rc = cli_paths_check(reads, 1, writes, 3)) != EXIT_OK)
            return rc;
    }

    ctx = cli_ctx_new();
    if (!ctx)
        return EXIT_FAILED;
    so.page = page;
    st = seal_scan_load(ctx, &scan, scan_path, &so);
    if (st != SEAL_OK) {
        if (json)
            print_json(scan_path, NULL, NULL, seal_ctx_message(ctx));
        rc = cli_fail(ctx, st);
        goto out;
    }
    if (dpi) {
        seal_scan_info si;
        seal_scan_get_info(scan, &si);
        if (si.dpi_x > 0 && (si.dpi_x < dpi - 1 || si.dpi_x > dpi + 1))
            cli_error("warning: --dpi %d overrides the %.0f dpi %s records", dpi, si.dpi_x,
                      scan_path);
        xo.dpi = dpi;
    }
    st = seal_scan_extract(ctx, scan, &xo, &mask);
    if (st != SEAL_OK) {
        rc = cli_fail(ctx, st);
        goto out;
    }
    seal_mask_info mi;
    seal_mask_get_info(mask, &mi);
    if (json)
        print_json(scan_path, scan, mask, NULL);
    for (size_t i = 0; i < mi.issue_count; i++) {
        seal_issue is;
        if (seal_mask_issue(mask, i, &is) == SEAL_OK && is.severity == SEAL_DECISION_WARN)
            cli_error("warning: %s", is.message);
    }
    if (mi.decision == SEAL_DECISION_REJECT) {
        /* one line: every reason, most important first */
        char line[1024] = "scan rejected: ";
        for (size_t i = 0, n = 0; i < mi.issue_count; i++) {
            seal_issue is;
            if (seal_mask_issue(mask, i, &is) != SEAL_OK || is.severity != SEAL_DECISION_REJECT)
                continue;
            size_t used = strlen(line);
            snprintf(line + used, sizeof(line) - used, "%s%s (%s)", n++ ? "; " : "", is.message,
                     is.code);
        }
        cli_error("%s", line);
        rc = EXIT_INPUT;
        goto out;
    }
    to.name = name;
    st = seal_mask_trace(ctx, mask, &to, &art);
    if (st != SEAL_OK) {
        rc = cli_fail(ctx, st);
        goto out;
    }
    /* the extra exports first: the artwork PDF appears only when all did */
    if (svg) {
        if ((st = seal_artwork_write_svg(ctx, art, svg)) != SEAL_OK) {
            rc = cli_fail(ctx, st);
            goto out;
        }
        written[0] = svg;
    }
    if (png) {
        if ((st = seal_artwork_write_png(ctx, art, png, png_dpi)) != SEAL_OK) {
            rc = cli_fail(ctx, st);
            goto out;
        }
        written[1] = png;
    }
    if ((st = seal_artwork_write_pdf(ctx, art, out)) != SEAL_OK) {
        rc = cli_fail(ctx, st);
        goto out;
    }
    if (!json) {
        seal_artwork_info ai;
        seal_artwork_get_info(art, &ai);
        printf("%s: %s %s %.1f x %.1f mm from box %d, %s (%zu paths)\n", out,
               seal_kind_name(mi.kind), shape_str(mi.shape), mi.width_mm, mi.height_mm, mi.box,
               seal_decision_name(mi.decision), ai.path_count);
    }
    written[0] = written[1] = NULL;
    rc = EXIT_OK;
out:
    for (int i = 0; i < 2; i++)
        if (written[i])
            unlink(written[i]);
    seal_artwork_free(art);
    seal_mask_free(mask);
    seal_scan_free(scan);
    seal_ctx_free(ctx);
    return rc;
}
