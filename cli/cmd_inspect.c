/*
 * seal inspect: the revisions and signature fields of a PDF.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "cli.h"

#include <getopt.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

static const char synopsis[] = "seal inspect IN.pdf|BID.p7m|SEAL.esl [--json] [--password-env VAR]";

static const char *ses_valid(int v)
{
    return v == 1 ? "valid" : v == 0 ? "INVALID" : "not supported";
}

/* A GB/T 38540 SES_Signature in /Contents (--format ses). */
static json_object *ses_json(const seal_ses_info *x)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "version", json_object_new_int(x->version));
    json_object_object_add(o, "eseal", json_object_new_string(x->eseal_name));
    json_object_object_add(o, "esid", json_object_new_string(x->esid));
    json_object_object_add(o, "signer", json_object_new_string(x->signer));
    json_object_object_add(o, "algorithm", json_object_new_string(x->algorithm));
    json_object_object_add(o, "time", json_object_new_string(x->time));
    json_object_object_add(o, "data_hash", json_object_new_string(x->data_hash));
    json_object_object_add(o, "property", json_object_new_string(x->property));
    json_object_object_add(o, "timestamp", json_object_new_boolean(x->timestamp));
    json_object_object_add(o, "signature", json_object_new_string(x->signature_valid == 1   ? "valid"
                                                                   : x->signature_valid == 0 ? "invalid"
                                                                                             : "unsupported"));
    return o;
}

static void ses_text(const seal_ses_info *x)
{
    printf("  SES:        GB/T 38540 SES_Signature v%d, %s, signature %s\n", x->version, x->algorithm,
           ses_valid(x->signature_valid));
    printf("  e-seal:     \"%s\" (esID %s)\n", x->eseal_name, x->esid);
    printf("  SES signer: %s\n", x->signer);
    printf("  timeInfo:   %s\n", x->time[0] ? x->time : "(unreadable)");
    printf("  dataHash:   %s\n", x->data_hash);
    printf("  property:   %s\n", x->property);
    printf("  timeStamp:  %s\n", x->timestamp ? "yes" : "none");
}

static json_object *to_json(const char *path, seal_inspection *ins)
{
    json_object *root = json_object_new_object(), *revs = json_object_new_array(),
                *sigs = json_object_new_array();
    json_object_object_add(root, "file", json_object_new_string(path));
    json_object_object_add(root, "size", json_object_new_int64(seal_inspection_file_size(ins)));
    json_object_object_add(root, "pages", json_object_new_int(seal_inspection_page_count(ins)));
    for (size_t i = 0; i < seal_inspection_revision_count(ins); i++) {
        seal_revision_info r;
        seal_inspection_revision(ins, i, &r);
        json_object *o = json_object_new_object();
        json_object_object_add(o, "revision", json_object_new_int((int)i + 1));
        json_object_object_add(o, "start", json_object_new_int64(r.start));
        json_object_object_add(o, "end", json_object_new_int64(r.end));
        json_object_object_add(o, "signature", r.signature >= 0 ? json_object_new_int(r.signature) : NULL);
        json_object_array_add(revs, o);
    }
    for (size_t i = 0; i < seal_inspection_signature_count(ins); i++) {
        seal_signature_info s;
        seal_inspection_signature(ins, i, &s);
        json_object *o = json_object_new_object(), *br = json_object_new_array(),
                    *rect = json_object_new_array();
        json_object_object_add(o, "field", json_object_new_string(s.field));
        json_object_object_add(o, "type", json_object_new_string(s.type));
        json_object_object_add(o, "subfilter", json_object_new_string(s.subfilter));
        json_object_object_add(o, "signer", json_object_new_string(s.signer));
        json_object_object_add(o, "claimed_time", json_object_new_string(s.claimed_time));
        json_object_object_add(o, "reason", json_object_new_string(s.reason));
        json_object_object_add(o, "signed", json_object_new_boolean(s.is_signed));
        for (int k = 0; k < s.byte_range_count && k < 4; k++)
            json_object_array_add(br, json_object_new_int64(s.byte_range[k]));
        json_object_object_add(o, "byte_range", br);
        json_object_object_add(o, "contents_bytes", json_object_new_int64(s.contents_len));
        json_object_object_add(o, "covers_whole_file", json_object_new_boolean(s.covers_whole_file));
        json_object_object_add(o, "revision", json_object_new_int(s.revision));
        json_object_object_add(o, "certify", json_object_new_int(s.certify));
        json_object_object_add(o, "page", json_object_new_int(s.page));
        for (int k = 0; k < 4; k++)
            json_object_array_add(rect, json_object_new_double(s.rect[k]));
        json_object_object_add(o, "rect", rect);
        json_object_object_add(o, "visible", json_object_new_boolean(s.visible));
        seal_ses_info x;
        if (seal_inspection_ses(ins, i, &x) == SEAL_OK)
            json_object_object_add(o, "ses", ses_json(&x));
        json_object_array_add(sigs, o);
    }
    json_object_object_add(root, "revisions", revs);
    json_object_object_add(root, "signatures", sigs);
    return root;
}

static void print_text(const char *path, seal_inspection *ins)
{
    size_t nrev = seal_inspection_revision_count(ins), nsig = seal_inspection_signature_count(ins);
    printf("%s: %lld bytes, %d page%s, %zu revision%s, %zu signature field%s\n", path,
           seal_inspection_file_size(ins), seal_inspection_page_count(ins),
           seal_inspection_page_count(ins) == 1 ? "" : "s", nrev, nrev == 1 ? "" : "s", nsig,
           nsig == 1 ? "" : "s");
    for (size_t i = 0; i < nrev; i++) {
        seal_revision_info r;
        seal_inspection_revision(ins, i, &r);
        printf("revision %zu: bytes %lld-%lld", i + 1, r.start, r.end);
        if (r.signature >= 0) {
            seal_signature_info s;
            seal_inspection_signature(ins, (size_t)r.signature, &s);
            printf(" (ends with signature '%s')", s.field);
        }
        putchar('\n');
    }
    for (size_t i = 0; i < nsig; i++) {
        seal_signature_info s;
        seal_inspection_signature(ins, i, &s);
        printf("signature %zu: field '%s'", i + 1, s.field);
        if (!s.is_signed) {
            printf(", empty\n");
            continue;
        }
        printf(", %s %s\n", s.type, s.subfilter);
        printf("  signer:     %s\n", s.signer[0] ? s.signer : "(unknown)");
        printf("  claimed at: %s\n", s.claimed_time[0] ? s.claimed_time : "(none)");
        if (s.byte_range_count == 4)
            printf("  byte range: [%lld %lld %lld %lld]%s\n", s.byte_range[0], s.byte_range[1],
                   s.byte_range[2], s.byte_range[3],
                   s.covers_whole_file ? ", covers the whole file" : ", does not cover the whole file");
        else
            printf("  byte range: malformed (%d numbers)\n", s.byte_range_count);
        if (s.revision)
            printf("  covers:     revisions 1-%d\n", s.revision);
        if (s.certify)
            printf("  certifies:  DocMDP P=%d\n", s.certify);
        if (s.visible)
            printf("  shown:      page %d at [%.1f %.1f %.1f %.1f]\n", s.page, s.rect[0], s.rect[1],
                   s.rect[2], s.rect[3]);
        else
            printf("  shown:      invisible\n");
        seal_ses_info x;
        if (seal_inspection_ses(ins, i, &x) == SEAL_OK)
            ses_text(&x);
    }
}

/* A sealed bid: recipients, algorithms, sizes, the receipt. */
static json_object *envelope_json(const char *path, seal_envelope *env)
{
    seal_envelope_info ei;
    json_object *root = json_object_new_object(), *arr = json_object_new_array();
    char when[32];

    seal_envelope_info_get(env, &ei);
    json_object_object_add(root, "file", json_object_new_string(path));
    json_object_object_add(root, "type", json_object_new_string(ei.type));
    json_object_object_add(root, "content_algorithm", json_object_new_string(ei.content_algorithm));
    json_object_object_add(root, "authenticated", json_object_new_boolean(ei.authenticated));
    json_object_object_add(root, "size", json_object_new_int64(ei.file_size));
    json_object_object_add(root, "content_size", json_object_new_int64(ei.content_size));
    for (size_t i = 0; i < ei.recipient_count; i++) {
        seal_recipient_info ri;
        json_object *o = json_object_new_object();
        seal_envelope_recipient(env, i, &ri);
        json_object_object_add(o, "kind", json_object_new_string(ri.kind));
        json_object_object_add(o, "issuer", json_object_new_string(ri.issuer));
        json_object_object_add(o, "serial", json_object_new_string(ri.serial));
        json_object_object_add(o, "key_id", json_object_new_string(ri.key_id));
        json_object_object_add(o, "algorithm", json_object_new_string(ri.algorithm));
        json_object_array_add(arr, o);
    }
    json_object_object_add(root, "recipients", arr);
    cli_iso_time(ei.receipt_time, when, sizeof(when));
    json_object_object_add(root, "receipt", json_object_new_string(
                                                ei.receipt == 0 ? "none" : ei.receipt > 0 ? "valid" : "invalid"));
    if (ei.receipt > 0) {
        json_object_object_add(root, "receipt_time", json_object_new_string(when));
        json_object_object_add(root, "receipt_tsa", json_object_new_string(ei.receipt_tsa));
    }
    return root;
}

static void envelope_text(const char *path, seal_envelope *env)
{
    seal_envelope_info ei;
    char when[32];

    seal_envelope_info_get(env, &ei);
    printf("%s: sealed bid, CMS %s, %s%s, %lld bytes (%lld of ciphertext), %zu recipient%s\n", path,
           ei.type, ei.content_algorithm, ei.authenticated ? " (authenticated)" : "", ei.file_size,
           ei.content_size, ei.recipient_count, ei.recipient_count == 1 ? "" : "s");
    for (size_t i = 0; i < ei.recipient_count; i++) {
        seal_recipient_info ri;
        seal_envelope_recipient(env, i, &ri);
        if (ri.issuer[0])
            printf("recipient %zu: issuer %s, serial %s, %s\n", i + 1, ri.issuer, ri.serial,
                   ri.algorithm[0] ? ri.algorithm : ri.kind);
        else if (ri.key_id[0])
            printf("recipient %zu: key identifier %s, %s\n", i + 1, ri.key_id, ri.algorithm);
        else
            printf("recipient %zu: %s (not opened by libseal)\n", i + 1, ri.kind);
    }
    cli_iso_time(ei.receipt_time, when, sizeof(when));
    if (ei.receipt > 0)
        printf("receipt: %s.tsr, time-stamp %s by %s, matches the envelope\n", path, when,
               ei.receipt_tsa[0] ? ei.receipt_tsa : "(unnamed TSA)");
    else if (ei.receipt < 0)
        printf("receipt: %s.tsr DOES NOT match the envelope (or is not a time-stamp token)\n", path);
    else
        printf("receipt: none\n");
}

/* A DER or BER SEQUENCE longer than 127 bytes: 0x30, then the long or
 * indefinite length form — never how a PDF starts. */
static int is_envelope(const char *path)
{
    FILE *f = fopen(path, "rb");
    int c = f ? getc(f) : EOF, l = f ? getc(f) : EOF;
    if (f)
        fclose(f);
    return c == 0x30 && l >= 0x80 && l <= 0x84;
}

static int inspect_envelope(seal_ctx *ctx, const char *path, int json)
{
    seal_envelope *env = NULL;
    seal_status st = seal_envelope_open(ctx, path, &env);
    seal_envelope_info ei;

    if (st != SEAL_OK)
        return cli_fail(ctx, st);
    if (json) {
        json_object *o = envelope_json(path, env);
        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
    } else {
        envelope_text(path, env);
    }
    seal_envelope_info_get(env, &ei);
    seal_envelope_free(env);
    return ei.receipt < 0 ? EXIT_INPUT : EXIT_OK;
}

int cmd_inspect(int argc, char **argv)
{
    static const struct option longopts[] = {{"json", no_argument, NULL, 'j'},
                                             {"password-env", required_argument, NULL, 'E'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    int json = 0, c, rc;
    const char *pw = NULL;
    seal_ctx *ctx;
    seal_inspection *ins = NULL;
    seal_status st;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'j': json = 1; break;
        case 'E':
            pw = cli_password_env(optarg);
            if (!pw)
                return EXIT_USAGE;
            break;
        case 'h': printf("usage: %s\n", synopsis); return EXIT_OK;
        default: return cli_usage(synopsis, "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return cli_usage(synopsis, optind >= argc ? "no input PDF given" : "one input PDF at a time");
    ctx = cli_ctx_new();
    if (!ctx)
        return EXIT_FAILED;
    if (is_envelope(argv[optind]) && cli_inspect_eseal(ctx, argv[optind], json, &rc)) {
        seal_ctx_free(ctx);
        return rc;
    }
    if (is_envelope(argv[optind])) {
        rc = inspect_envelope(ctx, argv[optind], json);
        seal_ctx_free(ctx);
        return rc;
    }
    st = seal_inspect_file(ctx, argv[optind], pw, &ins);
    if (st != SEAL_OK) {
        rc = cli_fail(ctx, st);
    } else {
        if (json) {
            json_object *o = to_json(argv[optind], ins);
            puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
            json_object_put(o);
        } else {
            print_text(argv[optind], ins);
        }
        rc = EXIT_OK;
    }
    seal_inspection_free(ins);
    seal_ctx_free(ctx);
    return rc;
}
