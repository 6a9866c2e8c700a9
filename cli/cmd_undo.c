/*
 * seal undo: remove the last signature before submission (撤章) by
 * restoring the revision before it, byte for byte.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "cli.h"

#include <getopt.h>
#include <json-c/json.h>
#include <stdlib.h>

static const char synopsis[] = "seal undo IN.pdf -o OUT.pdf [--json] [--password-env VAR]";

static void print_json(const char *in, const char *out, const seal_undo_info *ui)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "file", json_object_new_string(in));
    json_object_object_add(o, "output", json_object_new_string(out));
    json_object_object_add(o, "field", json_object_new_string(ui->field));
    json_object_object_add(o, "revision", json_object_new_int(ui->revision));
    json_object_object_add(o, "revisions_left", json_object_new_int(ui->revisions_left));
    json_object_object_add(o, "signatures_left", json_object_new_int(ui->signatures_left));
    json_object_object_add(o, "size", json_object_new_int64(ui->size));
    json_object_object_add(o, "removed_bytes", json_object_new_int64(ui->removed));
    puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
}

int cmd_undo(int argc, char **argv)
{
    static const struct option longopts[] = {{"output", required_argument, NULL, 'o'},
                                             {"json", no_argument, NULL, 'j'},
                                             {"password-env", required_argument, NULL, 'E'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    seal_undo_options uo = SEAL_UNDO_OPTIONS_INIT;
    seal_undo_info ui;
    const char *out = NULL;
    int c, rc, json = 0;
    seal_ctx *ctx;
    seal_status st;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'j': json = 1; break;
        case 'E':
            uo.password = cli_password_env(optarg);
            if (!uo.password)
                return EXIT_USAGE;
            break;
        case 'h': printf("usage: %s\n", synopsis); return EXIT_OK;
        default: return cli_usage(synopsis, "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if ((rc = cli_one_in_one_out(synopsis, argc, argv, out)) != EXIT_OK)
        return rc;
    ctx = cli_ctx_new();
    if (!ctx)
        return EXIT_FAILED;
    st = seal_undo_file(ctx, argv[optind], out, &uo, &ui);
    if (st != SEAL_OK)
        rc = cli_fail(ctx, st);
    else if (json)
        print_json(argv[optind], out, &ui);
    else
        printf("%s: removed signature '%s' (revision %d, %lld bytes); %s is revision %d as it was, "
               "%d signature%s left\n",
               argv[optind], ui.field, ui.revision, ui.removed, out, ui.revisions_left,
               ui.signatures_left, ui.signatures_left == 1 ? "" : "s");
    seal_ctx_free(ctx);
    return rc;
}
