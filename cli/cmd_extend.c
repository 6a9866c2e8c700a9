/*
 * seal extend: archive renewal of a signed PDF.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>

static const char synopsis[] = "seal extend IN.pdf -o OUT.pdf --tsa URL [--password-env VAR]";

int cmd_extend(int argc, char **argv)
{
    static const struct option longopts[] = {{"output", required_argument, NULL, 'o'},
                                             {"tsa", required_argument, NULL, 't'},
                                             {"password-env", required_argument, NULL, 'E'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    seal_extend_options eo = SEAL_EXTEND_OPTIONS_INIT;
    const char *out = NULL;
    seal_ctx *ctx;
    seal_status st;
    int c, rc;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 't': eo.tsa_url = optarg; break;
        case 'E':
            eo.password = cli_password_env(optarg);
            if (!eo.password)
                return EXIT_USAGE;
            break;
        case 'h': printf("usage: %s\n", synopsis); return EXIT_OK;
        default: return cli_usage(synopsis, "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (!eo.tsa_url && optind == argc - 1 && out)
        return cli_usage(synopsis, "no time-stamp authority given (--tsa URL)");
    if ((rc = cli_one_in_one_out(synopsis, argc, argv, out)) != EXIT_OK)
        return rc;
    ctx = cli_ctx_new();
    if (!ctx)
        return EXIT_FAILED;
    st = seal_extend_file(ctx, argv[optind], out, &eo);
    rc = st == SEAL_OK ? EXIT_OK : cli_fail(ctx, st);
    seal_ctx_free(ctx);
    return rc;
}
