/*
 * seal encrypt: seal a signed bid shut — a CMS envelope to the bidder's
 * encryption certificates, with an optional time-stamp receipt.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char synopsis[] =
    "seal encrypt BID.pdf -o BID.pdf.p7m --to CERT|pkcs11:URI|token [--to ...]...\n"
    "                 [--key pkcs11:URI] [--cbc] [--opening ISO-8601] [--tsa URL]\n"
    "                 [--allow-unsigned]";

#define MAX_TO 32

enum { OPT_TO = 256, OPT_KEY, OPT_CBC, OPT_OPENING, OPT_TSA, OPT_ALLOW_UNSIGNED };

/* The bid must carry a signature: a sealed-shut bid nobody signed would be
 * opened to find nothing to verify. Returns EXIT_OK or the exit code. */
static int check_signed(seal_ctx *ctx, const char *in)
{
    seal_inspection *ins = NULL;
    seal_status st = seal_inspect_file(ctx, in, NULL, &ins);
    size_t signed_count = 0;

    if (st != SEAL_OK) {
        cli_error("%s: %s (a bid is a signed PDF; --allow-unsigned encrypts any file)", in,
                  seal_ctx_message(ctx));
        return cli_exit_code(st);
    }
    for (size_t i = 0; i < seal_inspection_signature_count(ins); i++) {
        seal_signature_info si;
        if (seal_inspection_signature(ins, i, &si) == SEAL_OK && si.is_signed)
            signed_count++;
    }
    seal_inspection_free(ins);
    if (signed_count == 0) {
        cli_error("%s carries no signature: seal it first (seal sign), then encrypt it; "
                  "--allow-unsigned encrypts it as it is",
                  in);
        return EXIT_INPUT;
    }
    return EXIT_OK;
}

/* Nothing lost: the envelope and receipt replace no input. */
static int check_paths(const char *in, const char *const *to, int nto, const char *key,
                       const char *out, const char *tsa)
{
    const char *reads[2 + MAX_TO * CLI_KEY_FILES + CLI_KEY_FILES];
    char *files[MAX_TO + 1][CLI_KEY_FILES], *receipt = NULL;
    size_t nr = 0;
    int rc;

    reads[nr++] = in;
    for (int i = 0; i <= nto; i++) {
        const char *spec = i < nto ? to[i] : key;
        memset(files[i], 0, sizeof(files[i]));
        if (spec && !strncmp(spec, "pkcs11:", 7)) {
            cli_key_files(spec, files[i]);
            for (int f = 0; f < CLI_KEY_FILES; f++)
                reads[nr++] = files[i][f];
        } else if (i < nto && strcmp(spec, "token")) {
            reads[nr++] = spec;
        }
    }
    if (tsa && asprintf(&receipt, "%s.tsr", out) < 0)
        abort();
    const char *outs[] = {out, receipt};
    rc = cli_paths_check(reads, nr, outs, 2);
    for (int i = 0; i <= nto; i++)
        cli_key_files_free(files[i]);
    free(receipt);
    return rc;
}

int cmd_encrypt(int argc, char **argv)
{
    static const struct option longopts[] = {{"output", required_argument, NULL, 'o'},
                                             {"to", required_argument, NULL, OPT_TO},
                                             {"key", required_argument, NULL, OPT_KEY},
                                             {"cbc", no_argument, NULL, OPT_CBC},
                                             {"opening", required_argument, NULL, OPT_OPENING},
                                             {"tsa", required_argument, NULL, OPT_TSA},
                                             {"allow-unsigned", no_argument, NULL, OPT_ALLOW_UNSIGNED},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    seal_encrypt_options eo = SEAL_ENCRYPT_OPTIONS_INIT;
    const char *out = NULL, *key = NULL, *to[MAX_TO];
    int nto = 0, allow_unsigned = 0, c, rc;
    seal_recipients *r = NULL;
    seal_status st = SEAL_OK;
    seal_ctx *ctx;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case OPT_TO:
            if (nto == MAX_TO)
                return cli_usage(synopsis, "at most %d --to options", MAX_TO);
            to[nto++] = optarg;
            break;
        case OPT_KEY: key = optarg; break;
        case OPT_CBC: eo.flags |= SEAL_ENCRYPT_CBC; break;
        case OPT_OPENING:
            if (cli_parse_iso(optarg, &eo.opening) != 0)
                return cli_usage(synopsis, "--opening %s is not an ISO 8601 time (e.g. 2026-12-20T09:30:00+08:00)",
                                 optarg);
            break;
        case OPT_TSA: eo.tsa_url = optarg; break;
        case OPT_ALLOW_UNSIGNED: allow_unsigned = 1; break;
        case 'h': printf("usage: %s\n", synopsis); return EXIT_OK;
        default: return cli_usage(synopsis, "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return cli_usage(synopsis, "no input given");
    if (argc - optind > 1)
        return cli_usage(synopsis, "one bid at a time; unexpected argument '%s'", argv[optind + 1]);
    if (!out)
        return cli_usage(synopsis, "no output given (-o BID.pdf.p7m)");
    if (nto == 0)
        return cli_usage(synopsis, "no recipient given (--to CERT, --to pkcs11:URI or --to token)");
    for (int i = 0; i < nto; i++)
        if (!strcmp(to[i], "token") && !key)
            return cli_usage(synopsis, "--to token needs --key pkcs11:... naming the token");
    if (key && strncmp(key, "pkcs11:", 7))
        return cli_usage(synopsis, "--key names a token here: pkcs11:...");
    if ((rc = check_paths(argv[optind], to, nto, key, out, eo.tsa_url)) != EXIT_OK)
        return rc;
    ctx = cli_ctx_new();
    if (!ctx)
        return EXIT_FAILED;
    if (!allow_unsigned && (rc = check_signed(ctx, argv[optind])) != EXIT_OK) {
        seal_ctx_free(ctx);
        return rc;
    }
    st = seal_recipients_new(ctx, &r);
    for (int i = 0; st == SEAL_OK && i < nto; i++) {
        int whole = !strcmp(to[i], "token");
        st = seal_recipients_add(ctx, r, whole ? key : to[i], whole ? SEAL_RECIPIENTS_WHOLE_TOKEN : 0);
    }
    if (st == SEAL_OK)
        st = seal_encrypt_file(ctx, argv[optind], out, r, &eo);
    if (st == SEAL_OK) {
        fprintf(stderr, "seal: %s sealed to %zu recipient%s:\n", out, seal_recipients_count(r),
                seal_recipients_count(r) == 1 ? "" : "s");
        for (size_t i = 0; i < seal_recipients_count(r); i++) {
            seal_cert_info ci;
            char na[32];
            seal_recipients_get(r, i, &ci);
            cli_iso_time(ci.not_after, na, sizeof(na));
            fprintf(stderr, "  %s (%s), issuer %s, serial %s, valid until %s\n", ci.common_name,
                    ci.key_type, ci.issuer, ci.serial, na);
        }
        if (eo.tsa_url)
            fprintf(stderr, "seal: receipt %s.tsr\n", out);
    }
    rc = st == SEAL_OK ? EXIT_OK : cli_fail(ctx, st);
    seal_recipients_free(r);
    seal_ctx_free(ctx);
    return rc;
}
