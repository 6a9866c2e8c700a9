/*
 * seal issue: the seal maker (制章者) makes a GB/T 38540 electronic seal
 * from seal artwork; and how seal inspect shows one.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "cli.h"

#include <getopt.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

static const char synopsis[] =
    "seal issue ART.pdf -o SEAL.esl --name NAME --holder CERT... --valid-to ISO-8601\n"
    "           --maker-key KEY [--type company|personal|N] [--valid-from ISO-8601]\n"
    "           [--esid ID] [--holder-digests] [--pin-file F] [--json]";

#define MAX_HOLDER_ARGS 64

static const char *type_name(int type)
{
    return type == SEAL_ESEAL_COMPANY ? "company 单位印章" : type == SEAL_ESEAL_PERSONAL ? "personal 个人印章" : "issuer-defined";
}

static json_object *eseal_json(const char *path, const seal_eseal *es, seal_status check, const char *why)
{
    seal_eseal_info ei;
    char t[3][32];
    json_object *o = json_object_new_object(), *pic = json_object_new_object(), *h = json_object_new_array();

    seal_eseal_get_info(es, &ei);
    cli_iso_time(ei.created, t[0], sizeof(t[0]));
    cli_iso_time(ei.valid_from, t[1], sizeof(t[1]));
    cli_iso_time(ei.valid_to, t[2], sizeof(t[2]));
    json_object_object_add(o, "file", json_object_new_string(path));
    json_object_object_add(o, "kind", json_object_new_string("eseal"));
    json_object_object_add(o, "version", json_object_new_int(ei.version));
    json_object_object_add(o, "name", json_object_new_string(ei.name));
    json_object_object_add(o, "type", json_object_new_int(ei.type));
    json_object_object_add(o, "esid", json_object_new_string(ei.esid));
    json_object_object_add(o, "vid", json_object_new_string(ei.vid));
    json_object_object_add(o, "maker", json_object_new_string(ei.maker));
    json_object_object_add(o, "signature_algorithm", json_object_new_string(ei.signature_algorithm));
    json_object_object_add(o, "created", json_object_new_string(t[0]));
    json_object_object_add(o, "valid_from", json_object_new_string(t[1]));
    json_object_object_add(o, "valid_to", json_object_new_string(t[2]));
    json_object_object_add(pic, "type", json_object_new_string(ei.picture_type));
    json_object_object_add(pic, "bytes", json_object_new_int64((int64_t)ei.picture_len));
    json_object_object_add(pic, "width_mm", json_object_new_int(ei.width_mm));
    json_object_object_add(pic, "height_mm", json_object_new_int(ei.height_mm));
    json_object_object_add(o, "picture", pic);
    json_object_object_add(o, "cert_list_type", json_object_new_int(ei.cert_list_type));
    for (size_t i = 0; i < ei.holder_count; i++)
        json_object_array_add(h, json_object_new_string(seal_eseal_holder(es, i)));
    json_object_object_add(o, "holders", h);
    json_object_object_add(o, "maker_signature",
                           json_object_new_string(check == SEAL_OK            ? "valid"
                                                  : check == SEAL_ERR_CRYPTO ? "invalid"
                                                                              : "unchecked"));
    if (check != SEAL_OK)
        json_object_object_add(o, "maker_signature_why", json_object_new_string(why));
    return o;
}

static void eseal_text(const char *path, const seal_eseal *es, seal_status check, const char *why)
{
    seal_eseal_info ei;
    char t[3][32];

    seal_eseal_get_info(es, &ei);
    cli_iso_time(ei.created, t[0], sizeof(t[0]));
    cli_iso_time(ei.valid_from, t[1], sizeof(t[1]));
    cli_iso_time(ei.valid_to, t[2], sizeof(t[2]));
    printf("%s: electronic seal (SES_Seal, version %d)\n", path, ei.version);
    printf("name:      %s\n", ei.name);
    printf("type:      %d (%s)\n", ei.type, type_name(ei.type));
    printf("esID:      %s\n", ei.esid);
    printf("maker:     %s\n", ei.maker);
    printf("algorithm: %s\n", ei.signature_algorithm);
    printf("made by:   %s, %s\n", ei.vid, t[0]);
    printf("valid:     %s to %s\n", t[1], t[2]);
    printf("picture:   %s, %d x %d mm, %zu bytes\n", ei.picture_type, ei.width_mm, ei.height_mm,
           ei.picture_len);
    printf("holders:   %zu certificate%s%s\n", ei.holder_count,
           ei.cert_list_type == SEAL_ESEAL_LIST_DIGESTS ? " digest" : "", ei.holder_count == 1 ? "" : "s");
    for (size_t i = 0; i < ei.holder_count; i++)
        printf("  %s\n", seal_eseal_holder(es, i));
    if (check == SEAL_OK)
        printf("maker signature: valid\n");
    else
        printf("maker signature: %s: %s\n", check == SEAL_ERR_CRYPTO ? "INVALID" : "not checked", why);
}

int cli_inspect_eseal(seal_ctx *ctx, const char *path, int json, int *rc)
{
    seal_eseal *es = NULL;
    if (seal_eseal_load(ctx, &es, path) != SEAL_OK)
        return 0;
    seal_status check = seal_eseal_check(ctx, es);
    const char *why = check == SEAL_OK ? "" : seal_ctx_message(ctx);
    if (json) {
        json_object *o = eseal_json(path, es, check, why);
        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
    } else {
        eseal_text(path, es, check, why);
    }
    *rc = check == SEAL_OK ? EXIT_OK : check == SEAL_ERR_CRYPTO ? EXIT_FAILED : EXIT_INDETERMINATE;
    seal_eseal_free(es);
    return 1;
}

static int parse_type(const char *s, int *type)
{
    if (!strcmp(s, "company"))
        *type = SEAL_ESEAL_COMPANY;
    else if (!strcmp(s, "personal") || !strcmp(s, "legal-rep"))
        *type = SEAL_ESEAL_PERSONAL;
    else
        return cli_parse_int(s, 1, 99, type);
    return 0;
}

enum { OPT_NAME = 1, OPT_TYPE, OPT_HOLDER, OPT_DIGESTS, OPT_FROM, OPT_TO, OPT_MAKER, OPT_ESID, OPT_PINF, OPT_JSON };

int cmd_issue(int argc, char **argv)
{
    static const struct option longopts[] = {{"output", required_argument, NULL, 'o'},
                                             {"name", required_argument, NULL, OPT_NAME},
                                             {"type", required_argument, NULL, OPT_TYPE},
                                             {"holder", required_argument, NULL, OPT_HOLDER},
                                             {"holder-digests", no_argument, NULL, OPT_DIGESTS},
                                             {"valid-from", required_argument, NULL, OPT_FROM},
                                             {"valid-to", required_argument, NULL, OPT_TO},
                                             {"maker-key", required_argument, NULL, OPT_MAKER},
                                             {"esid", required_argument, NULL, OPT_ESID},
                                             {"pin-file", required_argument, NULL, OPT_PINF},
                                             {"json", no_argument, NULL, OPT_JSON},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    seal_eseal_issue_options io = SEAL_ESEAL_ISSUE_OPTIONS_INIT;
    seal_key_options ko = SEAL_KEY_OPTIONS_INIT;
    const char *holders[MAX_HOLDER_ARGS], *out = NULL, *keyuri = NULL;
    cli_pin pin = {NULL};
    seal_key *key = NULL;
    int c, rc, json = 0;
    size_t nh = 0;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case OPT_NAME: io.name = optarg; break;
        case OPT_TYPE:
            if (parse_type(optarg, &io.type) != 0)
                return cli_usage(synopsis, "--type takes company, personal or 1 to 99, not '%s'", optarg);
            break;
        case OPT_HOLDER:
            if (nh >= MAX_HOLDER_ARGS)
                return cli_usage(synopsis, "at most %d --holder files", MAX_HOLDER_ARGS);
            holders[nh++] = optarg;
            break;
        case OPT_DIGESTS: io.cert_list_type = SEAL_ESEAL_LIST_DIGESTS; break;
        case OPT_FROM:
        case OPT_TO:
            if (cli_parse_iso(optarg, c == OPT_FROM ? &io.valid_from : &io.valid_to) != 0)
                return cli_usage(synopsis, "--valid-%s takes an ISO 8601 time, not '%s'",
                                 c == OPT_FROM ? "from" : "to", optarg);
            break;
        case OPT_MAKER: keyuri = optarg; break;
        case OPT_ESID: io.esid = optarg; break;
        case OPT_PINF: pin.pin_file = optarg; break;
        case OPT_JSON: json = 1; break;
        case 'h': printf("usage: %s\n", synopsis); return EXIT_OK;
        default: return cli_usage(synopsis, "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return cli_usage(synopsis, optind >= argc ? "no seal artwork given" : "one seal artwork at a time");
    if (!out)
        return cli_usage(synopsis, "no output given (-o SEAL.esl)");
    if (!keyuri)
        return cli_usage(synopsis, "no seal maker's key given (--maker-key pkcs11:... or p12:FILE)");
    if (!io.name || !nh || !io.valid_to)
        return cli_usage(synopsis, "an e-seal needs --name, --holder and --valid-to");
    io.holders = holders;
    io.holder_count = nh;

    char *keyfiles[CLI_KEY_FILES];
    cli_key_files(keyuri, keyfiles);
    const char *reads[2 + CLI_KEY_FILES] = {argv[optind], pin.pin_file};
    for (int i = 0; i < CLI_KEY_FILES; i++)
        reads[2 + i] = keyfiles[i];
    rc = cli_paths_check(reads, 2 + CLI_KEY_FILES, &out, 1);
    cli_key_files_free(keyfiles);
    if (rc != EXIT_OK)
        return rc;

    seal_ctx *ctx = cli_ctx_new();
    if (!ctx)
        return EXIT_FAILED;
    ko.pin_cb = cli_pin_cb;
    ko.pin_user = &pin;
    seal_status st = seal_key_open(ctx, &key, keyuri, &ko);
    if (st == SEAL_OK)
        st = seal_eseal_issue(ctx, argv[optind], out, key, &io);
    rc = st == SEAL_OK ? EXIT_OK : cli_fail(ctx, st);
    if (rc == EXIT_OK && !json) {
        seal_eseal *es = NULL;
        seal_eseal_info ei;
        if (seal_eseal_load(ctx, &es, out) == SEAL_OK && seal_eseal_get_info(es, &ei) == SEAL_OK)
            printf("%s: e-seal \"%s\" (esID %s), %d x %d mm, %zu holder%s, signed by %s\n", out, ei.name,
                   ei.esid, ei.width_mm, ei.height_mm, ei.holder_count, ei.holder_count == 1 ? "" : "s",
                   ei.maker);
        seal_eseal_free(es);
    } else if (rc == EXIT_OK) {
        int ignored;
        cli_inspect_eseal(ctx, out, 1, &ignored);
    }
    seal_key_free(key);
    seal_ctx_free(ctx);
    return rc;
}
