/*
 * Where a seal goes, as the command line (seal sign) and a job file's
 * "placements" (seal batch) ask for it: both fill a cli_place_spec, and one
 * function checks the combination and makes the library's placements, so
 * the two front-ends accept and refuse the same things.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef SEAL_CLI_PLACEMENT_H
#define SEAL_CLI_PLACEMENT_H

#include <seal/seal.h>
#include <stddef.h>

typedef struct cli_place_spec {
    int job;             /* name things as a job file does ("nth"), not as options ("--nth") */
    int page;            /* --page N / "page"; 0 none */
    const char *pages;   /* --pages SPEC / "pages"; NULL none */
    int have_at;         /* --at X,Y / "at" */
    double x_mm, y_mm;
    const char *keyword; /* --keyword / "keyword" */
    int have_nth, nth, all;
    int have_offset;
    double dx_mm, dy_mm;
    const char *field;   /* --field / "field" */
    int cross;           /* --cross-page / "cross_page" */
    int have_edge;
    seal_edge edge;
    int have_y;
    double y;            /* cross-page height, mm */
    int group;           /* 0 none, SEAL_GROUP_AUTO, or pages per group (>= 2) */
} cli_place_spec;

/* The placements s asks for — at most a main one (at, pages, keyword or
 * field) and a cross-page seal — into pls[0..*n). Returns NULL, or the
 * reason the combination is refused (static text). */
const char *cli_place_build(const cli_place_spec *s, seal_placement pls[2], size_t *n);

#endif /* SEAL_CLI_PLACEMENT_H */
