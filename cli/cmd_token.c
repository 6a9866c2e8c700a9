/*
 * seal token: PKCS#11 slots, tokens and certificates.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "cli.h"

#include <getopt.h>
#include <json-c/json.h>
#include <string.h>

static const char synopsis[] = "seal token [--module PATH] [--json]";

static const struct {
    unsigned bit;
    const char *name;
} token_flag_names[] = {
    {SEAL_TOKEN_LOGIN_REQUIRED, "login-required"}, {SEAL_TOKEN_PROTECTED_AUTH, "pin-pad"},
    {SEAL_TOKEN_PIN_INITIALIZED, "pin-initialized"}, {SEAL_TOKEN_PIN_COUNT_LOW, "pin-count-low"},
    {SEAL_TOKEN_PIN_FINAL_TRY, "pin-final-try"}, {SEAL_TOKEN_PIN_LOCKED, "pin-locked"},
};

static const struct {
    unsigned bit;
    const char *name;
} ku_names[] = {
    {SEAL_KU_DIGITAL_SIGNATURE, "digitalSignature"}, {SEAL_KU_NON_REPUDIATION, "nonRepudiation"},
    {SEAL_KU_KEY_ENCIPHERMENT, "keyEncipherment"}, {SEAL_KU_DATA_ENCIPHERMENT, "dataEncipherment"},
    {SEAL_KU_KEY_AGREEMENT, "keyAgreement"}, {SEAL_KU_KEY_CERT_SIGN, "keyCertSign"},
    {SEAL_KU_CRL_SIGN, "cRLSign"},
};

static void ku_text(unsigned ku, char *buf, size_t size)
{
    buf[0] = 0;
    if (ku & SEAL_KU_ABSENT) {
        snprintf(buf, size, "(any)");
        return;
    }
    for (size_t i = 0; i < sizeof(ku_names) / sizeof(ku_names[0]); i++)
        if (ku & ku_names[i].bit)
            snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", buf[0] ? "," : "", ku_names[i].name);
}

int cmd_token(int argc, char **argv)
{
    static const struct option longopts[] = {{"module", required_argument, NULL, 'm'},
                                             {"json", no_argument, NULL, 'j'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *module = NULL;
    int json = 0, c;
    seal_ctx *ctx;
    seal_token_list *list = NULL;
    seal_status st;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'm': module = optarg; break;
        case 'j': json = 1; break;
        case 'h': printf("usage: %s\n", synopsis); return EXIT_OK;
        default: return cli_usage(synopsis, "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc)
        return cli_usage(synopsis, "unexpected argument '%s'", argv[optind]);
    ctx = cli_ctx_new();
    if (!ctx)
        return EXIT_FAILED;
    st = seal_token_list_load(ctx, &list, module);
    if (st != SEAL_OK) {
        int rc = cli_fail(ctx, st);
        seal_ctx_free(ctx);
        return rc;
    }
    json_object *root = json_object_new_object(), *arr = json_object_new_array();
    for (size_t i = 0; i < seal_token_list_count(list); i++) {
        seal_token_info t;
        char flags[200] = "";
        seal_token_list_get(list, i, &t);
        json_object *o = json_object_new_object(), *fl = json_object_new_array(),
                    *certs = json_object_new_array();
        for (size_t k = 0; k < sizeof(token_flag_names) / sizeof(token_flag_names[0]); k++)
            if (t.flags & token_flag_names[k].bit) {
                json_object_array_add(fl, json_object_new_string(token_flag_names[k].name));
                snprintf(flags + strlen(flags), sizeof(flags) - strlen(flags), "%s%s",
                         flags[0] ? ", " : "", token_flag_names[k].name);
            }
        json_object_object_add(o, "module", json_object_new_string(t.module));
        json_object_object_add(o, "slot", json_object_new_int64((int64_t)t.slot_id));
        json_object_object_add(o, "slot_description", json_object_new_string(t.slot_description));
        json_object_object_add(o, "present", json_object_new_boolean(t.flags & SEAL_TOKEN_PRESENT));
        json_object_object_add(o, "label", json_object_new_string(t.label));
        json_object_object_add(o, "serial", json_object_new_string(t.serial));
        json_object_object_add(o, "manufacturer", json_object_new_string(t.manufacturer));
        json_object_object_add(o, "model", json_object_new_string(t.model));
        json_object_object_add(o, "flags", fl);
        if (!json) {
            if (t.flags & SEAL_TOKEN_PRESENT)
                printf("token '%s' (serial %s, %s %s) in %s\n  flags: %s\n", t.label, t.serial,
                       t.manufacturer, t.model, t.module, flags[0] ? flags : "none");
            else
                printf("empty slot: %s (%s)\n", t.slot_description, t.module);
        }
        for (size_t j = 0; j < t.cert_count; j++) {
            seal_cert_info ci;
            char ku[200], na[32];
            seal_token_list_cert(list, i, j, &ci);
            ku_text(ci.key_usage, ku, sizeof(ku));
            cli_iso_time(ci.not_after, na, sizeof(na));
            json_object *co = json_object_new_object(), *kua = json_object_new_array();
            for (size_t k = 0; k < sizeof(ku_names) / sizeof(ku_names[0]); k++)
                if (ci.key_usage & ku_names[k].bit)
                    json_object_array_add(kua, json_object_new_string(ku_names[k].name));
            json_object_object_add(co, "label", json_object_new_string(ci.object_label ? ci.object_label : ""));
            json_object_object_add(co, "id", json_object_new_string(ci.object_id ? ci.object_id : ""));
            json_object_object_add(co, "subject", json_object_new_string(ci.subject));
            json_object_object_add(co, "issuer", json_object_new_string(ci.issuer));
            json_object_object_add(co, "serial", json_object_new_string(ci.serial));
            json_object_object_add(co, "key_type", json_object_new_string(ci.key_type));
            json_object_object_add(co, "key_usage", kua);
            json_object_object_add(co, "not_after", json_object_new_string(na));
            json_object_object_add(co, "days_left", json_object_new_int64(ci.days_left));
            json_object_array_add(certs, co);
            if (!json)
                printf("  certificate '%s' (id %s): %s\n    issuer %s, %s, usage %s, valid until %s "
                       "(%lld days)\n",
                       ci.object_label ? ci.object_label : "", ci.object_id ? ci.object_id : "-",
                       ci.subject, ci.issuer, ci.key_type, ku, na, ci.days_left);
        }
        json_object_object_add(o, "certificates", certs);
        json_object_array_add(arr, o);
    }
    json_object_object_add(root, "tokens", arr);
    if (json)
        puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
    else if (seal_token_list_count(list) == 0)
        printf("no slots\n");
    json_object_put(root);
    seal_token_list_free(list);
    seal_ctx_free(ctx);
    return EXIT_OK;
}
