/*
 * seal token: PKCS#11 slots, tokens and certificates.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "cli.h"

#include <getopt.h>
#include <json-c/json.h>
#include <string.h>

static const char synopsis[] =
    "seal token [--module PATH] [--all] [--json]\n"
    "       seal token --check BID.p7m... --key pkcs11:URI|skf:URI [--pin-file F]";

/* "Can this token open these bids?" — the content key of each is
 * unwrapped (and wiped), nothing is decrypted. */
static int check_bids(char **bids, int n, const char *key, const char *pin_file)
{
    seal_key_options ko = SEAL_KEY_OPTIONS_INIT;
    cli_pin pin = {pin_file};
    seal_keyring *kr = NULL;
    seal_ctx *ctx = cli_ctx_new();
    seal_status st;
    int rc = EXIT_OK, ok = 0;

    if (!ctx)
        return EXIT_FAILED;
    ko.pin_cb = cli_pin_cb;
    ko.pin_user = &pin;
    st = seal_keyring_open(ctx, &kr, key, &ko);
    if (st != SEAL_OK) {
        rc = cli_fail(ctx, st);
        seal_ctx_free(ctx);
        return rc;
    }
    for (int i = 0; i < n; i++) {
        seal_envelope *env = NULL;
        size_t which = 0;
        st = seal_envelope_open(ctx, bids[i], &env);
        if (st == SEAL_OK)
            st = seal_keyring_check(ctx, kr, env, &which);
        if (st == SEAL_OK) {
            seal_recipient_info ri;
            char na[32];
            seal_envelope_recipient(env, which, &ri);
            cli_iso_time(ri.not_after, na, sizeof(na));
            printf("%s: can be opened: recipient %zu, %s (issuer %s, serial %s, valid until %s)\n",
                   bids[i], which + 1, ri.subject, ri.issuer, ri.serial, na);
            ok++;
        } else {
            printf("%s: CANNOT be opened: %s\n", bids[i], seal_ctx_message(ctx));
            if (rc == EXIT_OK || cli_exit_code(st) == EXIT_KEY)
                rc = cli_exit_code(st);
        }
        seal_envelope_free(env);
    }
    fprintf(stderr, "seal: %d of %d bid%s can be opened with this token\n", ok, n, n == 1 ? "" : "s");
    seal_keyring_free(kr);
    seal_ctx_free(ctx);
    return rc;
}

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

/* sign / encrypt / both, as people ask which key is which. */
static const char *usage_class(unsigned ku)
{
    int sign = (ku & SEAL_KU_ABSENT) || (ku & (SEAL_KU_DIGITAL_SIGNATURE | SEAL_KU_NON_REPUDIATION));
    int enc = (ku & SEAL_KU_ABSENT) ||
              (ku & (SEAL_KU_KEY_ENCIPHERMENT | SEAL_KU_DATA_ENCIPHERMENT | SEAL_KU_KEY_AGREEMENT));
    return sign && enc ? "both" : sign ? "sign" : enc ? "encrypt" : "none";
}

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

static size_t key_count(const seal_token_list *list, size_t i, size_t ncerts)
{
    size_t n = 0;
    for (size_t j = 0; j < ncerts; j++) {
        seal_cert_info ci;
        if (seal_token_list_cert(list, i, j, &ci) == SEAL_OK && ci.key_uri)
            n++;
    }
    return n;
}

/* One certificate as JSON; keys also say their usage class and URI. */
static json_object *cert_json(const seal_cert_info *ci)
{
    char na[32];
    json_object *co = json_object_new_object(), *kua = json_object_new_array();

    cli_iso_time(ci->not_after, na, sizeof(na));
    for (size_t k = 0; k < sizeof(ku_names) / sizeof(ku_names[0]); k++)
        if (ci->key_usage & ku_names[k].bit)
            json_object_array_add(kua, json_object_new_string(ku_names[k].name));
    json_object_object_add(co, "label", json_object_new_string(ci->object_label ? ci->object_label : ""));
    json_object_object_add(co, "id", json_object_new_string(ci->object_id ? ci->object_id : ""));
    json_object_object_add(co, "subject", json_object_new_string(ci->subject));
    json_object_object_add(co, "issuer", json_object_new_string(ci->issuer));
    json_object_object_add(co, "serial", json_object_new_string(ci->serial));
    json_object_object_add(co, "key_type", json_object_new_string(ci->key_type));
    json_object_object_add(co, "key_usage", kua);
    json_object_object_add(co, "usage", json_object_new_string(usage_class(ci->key_usage)));
    json_object_object_add(co, "not_after", json_object_new_string(na));
    json_object_object_add(co, "days_left", json_object_new_int64(ci->days_left));
    if (ci->key_uri)
        json_object_object_add(co, "uri", json_object_new_string(ci->key_uri));
    return co;
}

static void cert_text(const seal_cert_info *ci)
{
    char ku[200], na[32];

    ku_text(ci->key_usage, ku, sizeof(ku));
    cli_iso_time(ci->not_after, na, sizeof(na));
    if (ci->key_uri) {
        char left[48];
        if (ci->days_left < 0)
            snprintf(left, sizeof(left), "EXPIRED");
        else
            snprintf(left, sizeof(left), "%lld days left", ci->days_left);
        printf("  key '%s' (id %s): %s\n    issuer %s\n    usage %s (%s), %s, %s (until %s)\n"
               "    --key '%s'\n",
               ci->object_label ? ci->object_label : "", ci->object_id ? ci->object_id : "-",
               ci->subject, ci->issuer, usage_class(ci->key_usage), ku, ci->key_type, left, na,
               ci->key_uri);
    } else {
        printf("  certificate '%s' (id %s): %s\n    issuer %s, %s, usage %s, valid until %s "
               "(%lld days)\n",
               ci->object_label ? ci->object_label : "", ci->object_id ? ci->object_id : "-",
               ci->subject, ci->issuer, ci->key_type, ku, na, ci->days_left);
    }
}

/* One slot: text to stdout unless json; its JSON object returned. */
static json_object *slot_out(const seal_token_list *list, size_t i, int all, int json)
{
    seal_token_info t;
    char flags[200] = "";
    json_object *o = json_object_new_object(), *fl = json_object_new_array(),
                *certs = json_object_new_array(), *keys = json_object_new_array();
    int present, initialized;

    seal_token_list_get(list, i, &t);
    present = (t.flags & SEAL_TOKEN_PRESENT) != 0;
    initialized = (t.flags & SEAL_TOKEN_INITIALIZED) != 0;
    for (size_t k = 0; k < sizeof(token_flag_names) / sizeof(token_flag_names[0]); k++)
        if (t.flags & token_flag_names[k].bit) {
            json_object_array_add(fl, json_object_new_string(token_flag_names[k].name));
            snprintf(flags + strlen(flags), sizeof(flags) - strlen(flags), "%s%s",
                     flags[0] ? ", " : "", token_flag_names[k].name);
        }
    json_object_object_add(o, "module", json_object_new_string(t.module));
    json_object_object_add(o, "slot", json_object_new_int64((int64_t)t.slot_id));
    json_object_object_add(o, "slot_description", json_object_new_string(t.slot_description));
    json_object_object_add(o, "present", json_object_new_boolean(present));
    json_object_object_add(o, "initialized", json_object_new_boolean(present && initialized));
    json_object_object_add(o, "label", json_object_new_string(t.label));
    json_object_object_add(o, "serial", json_object_new_string(t.serial));
    json_object_object_add(o, "manufacturer", json_object_new_string(t.manufacturer));
    json_object_object_add(o, "model", json_object_new_string(t.model));
    json_object_object_add(o, "flags", fl);
    if (!json) {
        if (!present)
            printf("empty slot: %s (%s)\n", t.slot_description, t.module);
        else if (!initialized)
            printf("slot %lu: %s (%s): the token is not initialised (no label, no keys yet)\n",
                   t.slot_id, t.slot_description, t.module);
        else
            printf("token '%s' (serial %s, %s %s) in %s\n  flags: %s\n", t.label, t.serial,
                   t.manufacturer, t.model, t.module, flags[0] ? flags : "none");
    }
    for (size_t j = 0; j < t.cert_count; j++) {
        seal_cert_info ci;
        seal_token_list_cert(list, i, j, &ci);
        json_object_array_add(certs, cert_json(&ci));
        if (ci.key_uri)
            json_object_array_add(keys, cert_json(&ci));
        if (!json && (all || ci.key_uri))
            cert_text(&ci);
    }
    json_object_object_add(o, "keys", keys);
    json_object_object_add(o, "certificates", certs);
    return o;
}

int cmd_token(int argc, char **argv)
{
    static const struct option longopts[] = {{"module", required_argument, NULL, 'm'},
                                             {"json", no_argument, NULL, 'j'},
                                             {"all", no_argument, NULL, 'a'},
                                             {"check", no_argument, NULL, 'c'},
                                             {"key", required_argument, NULL, 'k'},
                                             {"pin-file", required_argument, NULL, 'p'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *module = NULL, *key = NULL, *pin_file = NULL;
    int json = 0, all = 0, check = 0, c;
    size_t shown = 0, hidden = 0;
    seal_ctx *ctx;
    seal_token_list *list = NULL;
    seal_status st;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'm': module = optarg; break;
        case 'j': json = 1; break;
        case 'a': all = 1; break;
        case 'c': check = 1; break;
        case 'k': key = optarg; break;
        case 'p': pin_file = optarg; break;
        case 'h': printf("usage: %s\n", synopsis); return EXIT_OK;
        default: return cli_usage(synopsis, "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (check) {
        if (optind >= argc)
            return cli_usage(synopsis, "--check needs the sealed bids to check");
        if (!key || (strncmp(key, "pkcs11:", 7) && strncmp(key, "skf:", 4)))
            return cli_usage(synopsis, "--check needs --key pkcs11:... or skf:... naming the token");
        if (json || module || all)
            return cli_usage(synopsis, "--check takes no --json, --all or --module (the key URI names the module)");
        return check_bids(argv + optind, argc - optind, key, pin_file);
    }
    if (key || pin_file)
        return cli_usage(synopsis, "--key and --pin-file go with --check");
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
    /* By default only tokens with keys: not the trust module's system CAs,
     * empty or uninitialised slots (--all shows everything). */
    json_object *root = json_object_new_object(), *arr = json_object_new_array();
    for (size_t i = 0; i < seal_token_list_count(list); i++) {
        seal_token_info t;
        seal_token_list_get(list, i, &t);
        if (!all && !key_count(list, i, t.cert_count)) {
            hidden++;
            continue;
        }
        json_object_array_add(arr, slot_out(list, i, all, json));
        shown++;
    }
    json_object_object_add(root, "tokens", arr);
    if (json)
        puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
    else if (seal_token_list_count(list) == 0)
        printf("no slots\n");
    else if (!shown)
        printf("no token holds a key (%zu other slot%s: seal token --all lists them)\n", hidden,
               hidden == 1 ? "" : "s");
    else if (hidden)
        printf("(%zu other slot%s without keys: seal token --all lists them)\n", hidden,
               hidden == 1 ? "" : "s");
    json_object_put(root);
    seal_token_list_free(list);
    seal_ctx_free(ctx);
    return EXIT_OK;
}
