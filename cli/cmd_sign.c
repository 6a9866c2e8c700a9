/*
 * seal sign: seal a PDF with a PAdES signature.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "job.h"
#include "placed.h"
#include "placement.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char synopsis[] =
    "seal sign IN.pdf -o OUT.pdf --key KEY [--seal ART.pdf | --eseal SEAL.esl PLACEMENT...]\n"
    "                 [--reason T] [--location T] [--field-name NAME] [--certify 1|2|3]\n"
    "                 [--pin-file F] [--password-env VAR] [--chain CA.pem]\n"
    "                 [--level B-B|B-T|B-LT|B-LTA [--level-best-effort]] [--tsa URL]\n"
    "                 [--subfilter ETSI.CAdES.detached|adbe.pkcs7.detached | --format ses]\n"
    "                 [--date[=TEXT]] [--json]\n"
    "       seal sign IN.pdf --preview OUT.png --seal ART.pdf PLACEMENT... [--date[=TEXT]] [--json]\n"
    "  PLACEMENT: --page N --at X,Y | --pages SPEC --at X,Y\n"
    "           | --keyword TEXT [--nth K | --all] [--offset DX,DY] [--pages SPEC]\n"
    "           | --cross-page [--edge right|left] [--y MM] [--group K|auto] [--pages SPEC]\n"
    "           | --field NAME\n"
    "       seal sign IN.pdf... -o DIR/ --key KEY [the options above] [--jobs N] [--resume]\n"
    "                 [--fail-fast] [--json-log F] [--shard I/N]";

enum {
    OPT_KEY = 256, OPT_SEAL, OPT_PAGE, OPT_PAGES, OPT_AT, OPT_KEYWORD, OPT_NTH, OPT_ALL, OPT_OFFSET,
    OPT_CROSS, OPT_EDGE, OPT_Y, OPT_GROUP, OPT_FIELD, OPT_FIELD_NAME, OPT_REASON, OPT_LOCATION,
    OPT_CERTIFY, OPT_PIN_FILE, OPT_PIN, OPT_PASSWORD_ENV, OPT_CHAIN, OPT_LEVEL, OPT_TSA,
    OPT_DATE, OPT_PREVIEW, OPT_BEST_EFFORT, OPT_JSON, OPT_SUBFILTER, OPT_ESEAL, OPT_FORMAT
};

/* What was placed, on stdout; an invisible signature prints nothing
 * (--json: no placements). */
static void report(const cli_placed *placed, const char *out, int json)
{
    if (json)
        cli_placed_json(placed, out, stdout);
    else
        cli_placed_print(placed, stdout);
}

int cmd_sign(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"key", required_argument, NULL, OPT_KEY},
        {"seal", required_argument, NULL, OPT_SEAL},
        {"eseal", required_argument, NULL, OPT_ESEAL},
        {"page", required_argument, NULL, OPT_PAGE},
        {"pages", required_argument, NULL, OPT_PAGES},
        {"at", required_argument, NULL, OPT_AT},
        {"keyword", required_argument, NULL, OPT_KEYWORD},
        {"nth", required_argument, NULL, OPT_NTH},
        {"all", no_argument, NULL, OPT_ALL},
        {"offset", required_argument, NULL, OPT_OFFSET},
        {"cross-page", no_argument, NULL, OPT_CROSS},
        {"edge", required_argument, NULL, OPT_EDGE},
        {"y", required_argument, NULL, OPT_Y},
        {"group", required_argument, NULL, OPT_GROUP},
        {"field", required_argument, NULL, OPT_FIELD},
        {"field-name", required_argument, NULL, OPT_FIELD_NAME},
        {"reason", required_argument, NULL, OPT_REASON},
        {"location", required_argument, NULL, OPT_LOCATION},
        {"certify", required_argument, NULL, OPT_CERTIFY},
        {"pin-file", required_argument, NULL, OPT_PIN_FILE},
        /* Listed so that "--pin" is not taken for an abbreviation of --pin-file. */
        {"pin", required_argument, NULL, OPT_PIN},
        {"password-env", required_argument, NULL, OPT_PASSWORD_ENV},
        {"chain", required_argument, NULL, OPT_CHAIN},
        {"level", required_argument, NULL, OPT_LEVEL},
        {"level-best-effort", no_argument, NULL, OPT_BEST_EFFORT},
        {"tsa", required_argument, NULL, OPT_TSA},
        {"date", optional_argument, NULL, OPT_DATE},
        {"preview", required_argument, NULL, OPT_PREVIEW},
        {"json", no_argument, NULL, OPT_JSON},
        {"subfilter", required_argument, NULL, OPT_SUBFILTER},
        {"format", required_argument, NULL, OPT_FORMAT},
        CLI_BATCH_LONGOPTS,
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    seal_sign_options so = SEAL_SIGN_OPTIONS_INIT;
    seal_key_options ko = SEAL_KEY_OPTIONS_INIT;
    cli_place_spec ps = {0};
    seal_placement pls[2];
    cli_pin pin = {NULL};
    const char *out = NULL, *keyuri = NULL, *pwenv = NULL;
    int c;
    seal_ctx *ctx;
    seal_key *key = NULL;
    seal_status st;
    batch_opts bo = {0};
    int batch_flags = 0;
    char today[64];
    const char *preview = NULL;
    int json = 0;
    cli_placed placed = {0};

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case OPT_KEY: keyuri = optarg; break;
        case OPT_SEAL: so.artwork_path = optarg; break;
        case OPT_ESEAL: so.eseal_path = optarg; break;
        case OPT_PAGE:
            if (cli_parse_int(optarg, 1, 10000000, &ps.page))
                return cli_usage(synopsis, "--page takes a page number, not '%s'", optarg);
            break;
        case OPT_PAGES: ps.pages = optarg; break;
        case OPT_AT:
            if (cli_parse_pair(optarg, &ps.x_mm, &ps.y_mm))
                return cli_usage(synopsis, "--at takes X,Y in mm, not '%s'", optarg);
            ps.have_at = 1;
            break;
        case OPT_KEYWORD: ps.keyword = optarg; break;
        case OPT_NTH:
            if (cli_parse_int(optarg, 1, 1000000, &ps.nth))
                return cli_usage(synopsis, "--nth takes a hit number from 1, not '%s'", optarg);
            ps.have_nth = 1;
            break;
        case OPT_ALL: ps.all = 1; break;
        case OPT_OFFSET:
            if (cli_parse_pair(optarg, &ps.dx_mm, &ps.dy_mm))
                return cli_usage(synopsis, "--offset takes DX,DY in mm, not '%s'", optarg);
            ps.have_offset = 1;
            break;
        case OPT_CROSS: ps.cross = 1; break;
        case OPT_EDGE:
            if (!strcmp(optarg, "right"))
                ps.edge = SEAL_EDGE_RIGHT;
            else if (!strcmp(optarg, "left"))
                ps.edge = SEAL_EDGE_LEFT;
            else
                return cli_usage(synopsis, "--edge takes right or left, not '%s'", optarg);
            ps.have_edge = 1;
            break;
        case OPT_Y:
            if (cli_parse_num(optarg, &ps.y) || ps.y <= 0)
                return cli_usage(synopsis, "--y takes a height in mm, not '%s'", optarg);
            ps.have_y = 1;
            break;
        case OPT_GROUP:
            if (!strcmp(optarg, "auto"))
                ps.group = SEAL_GROUP_AUTO;
            else if (cli_parse_int(optarg, 2, 1000000, &ps.group))
                return cli_usage(synopsis, "--group takes a number of pages from 2 or auto, not '%s'",
                                 optarg);
            break;
        case OPT_FIELD: ps.field = optarg; break;
        case OPT_FIELD_NAME: so.field_name = optarg; break;
        case OPT_REASON: so.reason = optarg; break;
        case OPT_LOCATION: so.location = optarg; break;
        case OPT_CERTIFY:
            if (cli_parse_int(optarg, 1, 3, &so.certify))
                return cli_usage(synopsis, "--certify takes 1, 2 or 3, not '%s'", optarg);
            break;
        case OPT_PIN_FILE: pin.pin_file = optarg; break;
        case OPT_PIN:
            return cli_usage(synopsis, "a PIN never goes on the command line (it would show in "
                                       "the process list): use --pin-file F or SEAL_PIN");
        case OPT_PASSWORD_ENV: pwenv = optarg; break;
        case OPT_CHAIN: ko.chain_path = optarg; break;
        case OPT_LEVEL:
            if (cli_parse_level(optarg, &so.level))
                return cli_usage(synopsis, "--level takes B-B, B-T, B-LT or B-LTA, not '%s'", optarg);
            break;
        case OPT_BEST_EFFORT: so.flags |= SEAL_SIGN_LEVEL_BEST_EFFORT; break;
        case OPT_SUBFILTER:
            if (!strcmp(optarg, "adbe.pkcs7.detached"))
                so.flags |= SEAL_SIGN_ADBE_PKCS7;
            else if (!strcmp(optarg, "ETSI.CAdES.detached"))
                so.flags &= ~SEAL_SIGN_ADBE_PKCS7;
            else
                return cli_usage(synopsis,
                                 "--subfilter takes ETSI.CAdES.detached or adbe.pkcs7.detached, not '%s'",
                                 optarg);
            break;
        case OPT_FORMAT:
            if (!strcmp(optarg, "ses"))
                so.flags |= SEAL_SIGN_FORMAT_SES;
            else if (!strcmp(optarg, "cms"))
                so.flags &= ~SEAL_SIGN_FORMAT_SES;
            else
                return cli_usage(synopsis, "--format takes cms or ses, not '%s'", optarg);
            break;
        case OPT_TSA: so.tsa_url = optarg; break;
        case OPT_DATE:
            if (optarg) {
                so.caption = optarg;
            } else {
                cli_today(today, sizeof(today));
                so.caption = today;
            }
            break;
        case OPT_PREVIEW: preview = optarg; break;
        case OPT_JSON: json = 1; break;
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
        return cli_usage(synopsis, "no input PDF given");
    if (preview && (out || keyuri || argc - optind > 1))
        return cli_usage(synopsis, "--preview renders one input and takes no -o or --key");
    if (!out && !preview)
        return cli_usage(synopsis, "no output given (-o OUT.pdf, or -o DIR/ for many files)");
    /* Many files: several inputs, or -o DIR/, or -o naming an existing
     * directory (like cp: the output goes inside it under the input's name). */
    struct stat ost;
    int many = !preview && (argc - optind > 1 || out[strlen(out) - 1] == '/' ||
                            (stat(out, &ost) == 0 && S_ISDIR(ost.st_mode)));
    if (many && json)
        return cli_usage(synopsis, "--json reports one output; for many files use --json-log F");
    if (!many && batch_flags)
        return cli_usage(synopsis, "--jobs, --resume, --fail-fast, --json-log and --shard need -o DIR/");
    if (!keyuri && !preview)
        return cli_usage(synopsis, "no key given (--key pkcs11:..., --key skf:lib=..., --key p12:FILE or "
                                   "--key pem:FILE)");
    if (so.level >= SEAL_LEVEL_B_T && !so.tsa_url)
        return cli_usage(synopsis, "--level B-T and above need --tsa URL");
    if (so.tsa_url && so.level == SEAL_LEVEL_B_B)
        so.level = SEAL_LEVEL_B_T;
    if ((so.flags & SEAL_SIGN_LEVEL_BEST_EFFORT) && so.level == SEAL_LEVEL_B_B)
        return cli_usage(synopsis, "--level-best-effort goes with --level B-T, B-LT or B-LTA");

    /* One main placement (at, pages, keyword or field), plus a cross-page seal. */
    size_t n = 0;
    const char *bad = cli_place_build(&ps, pls, &n);
    if (bad)
        return cli_usage(synopsis, "%s", bad);
    if (so.eseal_path && so.artwork_path)
        return cli_usage(synopsis, "--seal and --eseal exclude each other (an e-seal brings its picture)");
    if (n && !so.artwork_path && !so.eseal_path && !(n == 1 && pls[0].kind == SEAL_PLACE_FIELD))
        return cli_usage(synopsis, "a placement needs --seal ART.pdf");
    if ((so.flags & SEAL_SIGN_FORMAT_SES) && !so.eseal_path)
        return cli_usage(synopsis, "--format ses needs --eseal SEAL.esl: a GB/T 38540 signature carries its e-seal");
    if ((so.flags & SEAL_SIGN_FORMAT_SES) && (so.flags & SEAL_SIGN_ADBE_PKCS7))
        return cli_usage(synopsis, "--subfilter is for CMS signatures; --format ses writes adbe.pkcs7.detached itself");
    if ((so.flags & SEAL_SIGN_FORMAT_SES) && so.level > SEAL_LEVEL_B_T)
        return cli_usage(synopsis, "--format ses goes up to --level B-T (its [0] time-stamp), not %s",
                         seal_level_name(so.level));
    if ((so.artwork_path || so.eseal_path) && !n)
        return cli_usage(synopsis, "%s needs a placement (e.g. --page N --at X,Y)",
                         so.eseal_path ? "--eseal" : "--seal");
    so.placements = pls;
    so.placement_count = n;
    so.placed_cb = cli_placed_cb;
    so.placed_user = &placed;
    if (pwenv && !(so.password = cli_password_env(pwenv)))
        return EXIT_USAGE;
    if (so.caption && !so.artwork_path)
        return cli_usage(synopsis, "--date goes under a seal (--seal ART.pdf)");
    if (preview) {
        int rc;
        if (!n)
            return cli_usage(synopsis, "--preview needs --seal ART.pdf and a placement");
        const char *reads[] = {argv[optind], so.artwork_path, so.eseal_path};
        if ((rc = cli_paths_check(reads, 3, &preview, 1)) != EXIT_OK)
            return rc;
        ctx = cli_ctx_new();
        if (!ctx)
            return EXIT_FAILED;
        st = seal_sign_preview(ctx, argv[optind], &so, preview, 100);
        rc = st == SEAL_OK ? EXIT_OK : cli_fail(ctx, st);
        if (rc == EXIT_OK)
            report(&placed, preview, json);
        cli_placed_free(&placed);
        seal_ctx_free(ctx);
        return rc;
    }
    if (many) {
        /* Many files: a one-step job for the batch runner. */
        job *j;
        int rc = job_from_args(&j, out, NULL, argv + optind, argc - optind);
        if (rc != EXIT_OK)
            return rc;
        j->password = so.password;
        j->keys = calloc(1, sizeof(job_key));
        j->steps = calloc(1, sizeof(job_step));
        if (!j->keys || !j->steps)
            abort();
        j->nkeys = j->nsteps = 1;
        j->keys[0].name = job_strdup(j, "key");
        j->keys[0].uri = job_strdup(j, keyuri);
        j->keys[0].pin_file = job_strdup(j, pin.pin_file);
        j->keys[0].chain = job_strdup(j, ko.chain_path);
        j->steps[0].opts = so;
        j->steps[0].opts.placed_cb = NULL;
        j->steps[0].opts.placed_user = NULL;
        j->steps[0].placements = calloc(n ? n : 1, sizeof(seal_placement));
        if (!j->steps[0].placements)
            abort();
        memcpy(j->steps[0].placements, pls, n * sizeof(seal_placement));
        j->steps[0].opts.placements = j->steps[0].placements;
        rc = batch_run(j, &bo);
        job_free(j);
        return rc;
    }

    /* Nothing lost: the output names no file the command reads. */
    char *keyfiles[CLI_KEY_FILES];
    cli_key_files(keyuri, keyfiles);
    const char *reads[5 + CLI_KEY_FILES] = {argv[optind], so.artwork_path, pin.pin_file,
                                            ko.chain_path, so.eseal_path};
    for (int i = 0; i < CLI_KEY_FILES; i++)
        reads[5 + i] = keyfiles[i];
    int rc = cli_paths_check(reads, 5 + CLI_KEY_FILES, &out, 1);
    cli_key_files_free(keyfiles);
    if (rc != EXIT_OK)
        return rc;

    ctx = cli_ctx_new();
    if (!ctx)
        return EXIT_FAILED;
    ko.pin_cb = cli_pin_cb;
    ko.pin_user = &pin;
    st = seal_key_open(ctx, &key, keyuri, &ko);
    if (st == SEAL_OK)
        st = seal_sign_file(ctx, argv[optind], out, key, &so);
    rc = st == SEAL_OK ? EXIT_OK : cli_fail(ctx, st);
    if (rc == EXIT_OK)
        report(&placed, out, json);
    cli_placed_free(&placed);
    seal_key_free(key);
    seal_ctx_free(ctx);
    return rc;
}
