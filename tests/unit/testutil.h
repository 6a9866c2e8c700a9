/*
 * Helpers shared by the unit suites: fixture paths, files, running the CLI.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef SEAL_TESTUTIL_H
#define SEAL_TESTUTIL_H

#include <seal/seal.h>
#include <stddef.h>

/* $SEAL_TEST_FIXTURES/rel into a static buffer (one of 8 rotating). */
const char *fx(const char *rel);
/* A fresh empty directory for one test's outputs. */
const char *tmpdir(void);
/* Read a whole file; NULL when missing. */
unsigned char *slurp(const char *path, size_t *len);
int file_exists(const char *path);
/* 1 when the first len(a) bytes of b equal a. */
int is_prefix_file(const char *a, const char *b);
/* Number of directory entries other than . and .. */
int dir_entries(const char *dir);
/* The softhsm URI of a key on the test token. */
const char *token_uri(const char *object);
/* A PIN callback reading a fixture file given as user data. */
seal_status pin_from_file(void *user, const char *label, unsigned flags, char *buf, size_t size);

#endif
