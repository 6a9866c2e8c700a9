/*
 * seal decrypt: open sealed bids with the key on the token (or, for SM2
 * envelopes, an SKF container or a key file) — one bid, or
 * a folder of them at a bid opening (one PIN entry, workers, progress,
 * resume, a summary), each verified after decrypting with --verify.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "job.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static const char synopsis[] =
    "seal decrypt BID.p7m -o BID.pdf --key pkcs11:URI|skf:URI|p12:FILE|pem:FILE\n"
    "                 [--pin-file F]\n"
    "                 [--verify [--trust CERT|DIR]... [--deadline ISO-8601]]\n"
    "       seal decrypt BID.p7m... -o DIR/ --key KEY [the options above]\n"
    "                 [--jobs N] [--resume] [--fail-fast] [--json-log F] [--shard I/N]";

#define MAX_TRUST 32

enum { OPT_KEY = 256, OPT_PIN_FILE, OPT_PIN, OPT_VERIFY, OPT_TRUST, OPT_DEADLINE };

/* What one run decrypts with and checks against (the batch's user data). */
typedef struct decrypt_run {
    const char *key;
    cli_pin pin;
    seal_keyring *kr;
    int verify;
    seal_verify_options vo;
    const char *trust[MAX_TRUST];
    const char *reads[MAX_TRUST + 1 + CLI_KEY_FILES];
    char *keyfiles[CLI_KEY_FILES];
} decrypt_run;

static int open_keyring(seal_ctx *ctx, decrypt_run *d)
{
    seal_key_options ko = SEAL_KEY_OPTIONS_INIT;
    seal_status st;

    ko.pin_cb = cli_pin_cb;
    ko.pin_user = &d->pin;
    st = seal_keyring_open(ctx, &d->kr, d->key, &ko);
    return st == SEAL_OK ? EXIT_OK : cli_fail(ctx, st);
}

/* Decrypt one bid, then verify it when asked (and always for CBC, whose
 * integrity rests on the signatures inside). *check: the verification's
 * exit code, -1 when none was made. */
static seal_status decrypt_one(decrypt_run *d, seal_ctx *ctx, const char *in, const char *out,
                               int *check, char *note, size_t size)
{
    seal_decrypt_result res;
    seal_report *rep = NULL;
    seal_status st = seal_decrypt_file(ctx, d->kr, in, out, &res);

    *check = -1;
    note[0] = 0;
    if (st != SEAL_OK) {
        snprintf(note, size, "%s", seal_ctx_message(ctx));
        return st;
    }
    if (!d->verify && res.authenticated)
        return SEAL_OK;
    st = seal_verify_file(ctx, out, &d->vo, &rep);
    if (st != SEAL_OK) {
        *check = EXIT_INPUT;
        snprintf(note, size, "verify: %s", seal_ctx_message(ctx));
        return SEAL_OK;
    }
    *check = seal_report_exit_code(rep);
    if (!res.authenticated && seal_report_signature_count(rep) == 0 && *check == EXIT_OK)
        *check = EXIT_INDETERMINATE;
    snprintf(note, size, "verify %s%s%s%s", seal_report_verdict(rep),
             seal_report_verdict_reason(rep)[0] ? " (" : "", seal_report_verdict_reason(rep),
             seal_report_verdict_reason(rep)[0] ? ")" : "");
    if (!res.authenticated)
        snprintf(note + strlen(note), size - strlen(note),
                 "; CBC envelope without a tag: its integrity is the signatures'");
    seal_report_free(rep);
    return SEAL_OK;
}

/* The batch runner's hooks. */
static char *out_name(job *j, const char *input)
{
    const char *b = strrchr(input, '/') ? strrchr(input, '/') + 1 : input;
    size_t n = strlen(b);
    int p7m = n > 4 && !strcasecmp(b + n - 4, ".p7m");
    char *path, *kept;

    if (asprintf(&path, "%s/%.*s%s", j->outdir, (int)(p7m ? n - 4 : n), b,
                 p7m ? "" : ".decrypted") < 0)
        abort();
    kept = job_strdup(j, path);
    free(path);
    return kept;
}

static int batch_open(job *j)
{
    seal_ctx *ctx = cli_ctx_new();
    int rc = ctx ? open_keyring(ctx, j->ops->user) : EXIT_FAILED;
    seal_ctx_free(ctx);
    return rc;
}

static seal_status batch_one(job *j, seal_ctx *ctx, const char *in, const char *out, int *check,
                             char *note, size_t size)
{
    return decrypt_one(j->ops->user, ctx, in, out, check, note, size);
}

static int run_many(decrypt_run *d, int argc, char **argv, const char *out, const batch_opts *bo,
                    size_t nreads)
{
    job_ops ops = {"decrypted", out_name, batch_open, batch_one, d->reads, nreads, d};
    job *j;
    int rc = job_from_args(&j, out, ".p7m", argv, argc);

    if (rc != EXIT_OK)
        return rc;
    j->ops = &ops;
    rc = batch_run(j, bo);
    job_free(j);
    return rc;
}

int cmd_decrypt(int argc, char **argv)
{
    static const struct option longopts[] = {{"output", required_argument, NULL, 'o'},
                                             {"key", required_argument, NULL, OPT_KEY},
                                             {"pin-file", required_argument, NULL, OPT_PIN_FILE},
                                             {"pin", required_argument, NULL, OPT_PIN},
                                             {"verify", no_argument, NULL, OPT_VERIFY},
                                             {"trust", required_argument, NULL, OPT_TRUST},
                                             {"deadline", required_argument, NULL, OPT_DEADLINE},
                                             CLI_BATCH_LONGOPTS,
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    decrypt_run d;
    const char *out = NULL;
    int c, rc, ntrust = 0, batch_flags = 0;
    size_t nreads = 0;
    batch_opts bo = {0};
    seal_verify_options vo = SEAL_VERIFY_OPTIONS_INIT;

    memset(&d, 0, sizeof(d));
    d.vo = vo;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case OPT_KEY: d.key = optarg; break;
        case OPT_PIN_FILE: d.pin.pin_file = optarg; break;
        case OPT_PIN:
            return cli_usage(synopsis, "a PIN never goes on the command line (it would show in "
                                       "the process list): use --pin-file F or SEAL_PIN");
        case OPT_VERIFY: d.verify = 1; break;
        case OPT_TRUST:
            if (ntrust == MAX_TRUST)
                return cli_usage(synopsis, "at most %d --trust options", MAX_TRUST);
            d.trust[ntrust++] = optarg;
            break;
        case OPT_DEADLINE:
            if (cli_parse_iso(optarg, &d.vo.deadline) != 0)
                return cli_usage(synopsis, "--deadline %s is not an ISO 8601 time", optarg);
            break;
        case 'h': printf("usage: %s\n", synopsis); return EXIT_OK;
        default: {
            int r = cli_batch_arg(synopsis, c, optarg, argv[optind - 1], &bo);
            if (r != EXIT_OK)
                return r;
            batch_flags = 1;
        }
        }
    }
    if (optind >= argc)
        return cli_usage(synopsis, "no sealed bid given");
    if (!out || !out[0])
        return cli_usage(synopsis, "no output given (-o BID.pdf, or -o DIR/ for many bids)");
    if (!d.key)
        return cli_usage(synopsis, "no key given (--key pkcs11:...)");
    if ((ntrust || d.vo.deadline) && !d.verify)
        return cli_usage(synopsis, "--trust and --deadline go with --verify");
    d.vo.trust = d.trust;
    d.vo.trust_count = (size_t)ntrust;
    struct stat ost;
    int many = argc - optind > 1 || out[strlen(out) - 1] == '/' ||
               (stat(out, &ost) == 0 && S_ISDIR(ost.st_mode));
    if (!many && batch_flags)
        return cli_usage(synopsis, "--jobs, --resume, --fail-fast, --json-log and --shard need -o DIR/");

    cli_key_files(d.key, d.keyfiles);
    for (int i = 0; i < ntrust; i++)
        d.reads[nreads++] = d.trust[i];
    d.reads[nreads++] = d.pin.pin_file;
    for (int i = 0; i < CLI_KEY_FILES; i++)
        d.reads[nreads++] = d.keyfiles[i];
    if (many) {
        rc = run_many(&d, argc - optind, argv + optind, out, &bo, nreads);
    } else {
        const char *reads[MAX_TRUST + 2 + CLI_KEY_FILES];
        memcpy(reads, d.reads, nreads * sizeof(*reads));
        reads[nreads] = argv[optind];
        rc = cli_paths_check(reads, nreads + 1, &out, 1);
        seal_ctx *ctx = rc == EXIT_OK ? cli_ctx_new() : NULL;
        if (ctx && (rc = open_keyring(ctx, &d)) == EXIT_OK) {
            char note[1024];
            int check;
            seal_status st = decrypt_one(&d, ctx, argv[optind], out, &check, note, sizeof(note));
            if (st != SEAL_OK) {
                cli_error("%s", note);
                rc = cli_exit_code(st);
            } else {
                fprintf(stderr, "seal: %s decrypted to %s%s%s\n", argv[optind], out,
                        note[0] ? "; " : "", note);
                rc = check > 0 ? check : EXIT_OK;
            }
        } else if (!ctx && rc == EXIT_OK) {
            rc = EXIT_FAILED;
        }
        seal_ctx_free(ctx);
    }
    seal_keyring_free(d.kr);
    cli_key_files_free(d.keyfiles);
    return rc;
}
