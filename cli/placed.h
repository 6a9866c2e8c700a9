/*
 * seal sign: the seals placed, collected through seal_sign_options.placed_cb.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef SEAL_CLI_PLACED_H
#define SEAL_CLI_PLACED_H

#include "cli.h"

#include <stdio.h>

typedef struct cli_placed {
    seal_placed *p; /* field pointers cleared; the name is in `field` */
    size_t n, cap;
    char field[256];
} cli_placed;

/* A seal_placed_cb appending to the cli_placed at `user`. */
void cli_placed_cb(void *user, const seal_placed *p);
void cli_placed_free(cli_placed *l);

/* "cross-page: N pages in G groups of K, strips W mm" (when there are
 * any), then "page P: seal at X,Y mm (KIND), field NAME" per seal. */
void cli_placed_print(const cli_placed *l, FILE *f);

/* The same as one JSON object: file, field, placements[], cross_page. */
void cli_placed_json(const cli_placed *l, const char *out, FILE *f);

#endif
