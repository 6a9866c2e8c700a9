/*
 * seal sign: seal a PDF with a PAdES signature.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char synopsis[] =
    "seal sign IN.pdf -o OUT.pdf --key KEY [--seal ART.pdf --page N --at X,Y]\n"
    "                 [--reason T] [--location T] [--field NAME] [--certify 1|2|3]\n"
    "                 [--pin-file F] [--password-env VAR] [--chain CA.pem]";

int cmd_sign(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"key", required_argument, NULL, 'k'},
        {"seal", required_argument, NULL, 's'},
        {"page", required_argument, NULL, 'p'},
        {"at", required_argument, NULL, 'a'},
        {"reason", required_argument, NULL, 'r'},
        {"location", required_argument, NULL, 'l'},
        {"field", required_argument, NULL, 'f'},
        {"certify", required_argument, NULL, 'c'},
        {"pin-file", required_argument, NULL, 'P'},
        {"password-env", required_argument, NULL, 'E'},
        {"chain", required_argument, NULL, 'C'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    seal_sign_options so = SEAL_SIGN_OPTIONS_INIT;
    seal_key_options ko = SEAL_KEY_OPTIONS_INIT;
    seal_placement pl = {SEAL_PLACE_AT, 0, 0, 0};
    cli_pin pin = {NULL};
    const char *out = NULL, *keyuri = NULL, *pwenv = NULL;
    int have_at = 0, c;
    seal_ctx *ctx;
    seal_key *key = NULL;
    seal_status st;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'k': keyuri = optarg; break;
        case 's': so.artwork_path = optarg; break;
        case 'p':
            if (cli_parse_int(optarg, 1, 1000000, &pl.page))
                return cli_usage(synopsis, "--page takes a page number, not '%s'", optarg);
            break;
        case 'a':
            if (cli_parse_pair(optarg, &pl.x_mm, &pl.y_mm))
                return cli_usage(synopsis, "--at takes X,Y in mm, not '%s'", optarg);
            have_at = 1;
            break;
        case 'r': so.reason = optarg; break;
        case 'l': so.location = optarg; break;
        case 'f': so.field_name = optarg; break;
        case 'c':
            if (cli_parse_int(optarg, 1, 3, &so.certify))
                return cli_usage(synopsis, "--certify takes 1, 2 or 3, not '%s'", optarg);
            break;
        case 'P': pin.pin_file = optarg; break;
        case 'E': pwenv = optarg; break;
        case 'C': ko.chain_path = optarg; break;
        case 'h': printf("usage: %s\n", synopsis); return EXIT_OK;
        default:
            return cli_usage(synopsis, "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return cli_usage(synopsis, optind >= argc ? "no input PDF given" : "one input PDF at a time");
    if (!out)
        return cli_usage(synopsis, "no output given (-o OUT.pdf)");
    if (!keyuri)
        return cli_usage(synopsis, "no key given (--key pkcs11:... or --key p12:FILE)");
    if (so.artwork_path && (!pl.page || !have_at))
        return cli_usage(synopsis, "--seal needs --page N and --at X,Y");
    if (!so.artwork_path && (pl.page || have_at))
        return cli_usage(synopsis, "--page and --at need --seal ART.pdf");
    if (pwenv) {
        so.password = getenv(pwenv);
        if (!so.password) {
            cli_error("--password-env %s: that environment variable is not set", pwenv);
            return EXIT_USAGE;
        }
    }
    if (so.artwork_path) {
        so.placements = &pl;
        so.placement_count = 1;
    }

    ctx = cli_ctx_new();
    if (!ctx)
        return EXIT_FAILED;
    ko.pin_cb = cli_pin_cb;
    ko.pin_user = &pin;
    st = seal_key_open(ctx, &key, keyuri, &ko);
    if (st == SEAL_OK)
        st = seal_sign_file(ctx, argv[optind], out, key, &so);
    int rc = st == SEAL_OK ? EXIT_OK : cli_fail(ctx, st);
    seal_key_free(key);
    seal_ctx_free(ctx);
    return rc;
}
