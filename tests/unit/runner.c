/*
 * Runs one Check suite by name: `seal-unit NAME`. Each suite is its own
 * CTest entry (tests/CMakeLists.txt generates the list).
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#define SEAL_SUITE(name) Suite *suite_##name(void);
#include "suites.h"
#undef SEAL_SUITE

static const struct {
    const char *name;
    Suite *(*make)(void);
} suites[] = {
#define SEAL_SUITE(name) {#name, suite_##name},
#include "suites.h"
#undef SEAL_SUITE
};

int main(int argc, char **argv)
{
    for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
        if (argc > 1 && strcmp(argv[1], suites[i].name) != 0)
            continue;
        SRunner *sr = srunner_create(suites[i].make());
        srunner_run_all(sr, CK_NORMAL);
        int failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        if (argc > 1)
            return failed ? 1 : 0;
        if (failed)
            return 1;
    }
    if (argc > 1) {
        fprintf(stderr, "no suite named %s\n", argv[1]);
        return 2;
    }
    return 0;
}
