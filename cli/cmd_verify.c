/*
 * seal verify: check the signatures of bid PDFs (and OFD packages) for an evaluation
 * committee. The library judges everything (signatures, the committee's
 * rules --require and --deadline, the final verdict and exit code) and
 * renders the report (text, JSON, HTML, CSV); this file parses the options
 * and writes what it returns.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "cli.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char synopsis[] =
    "seal verify IN.pdf|IN.ofd|DIR [-r] [--trust CERT|DIR]... [--seal-trust CERT|DIR]... [--deadline ISO-8601]\n"
    "       [--require RULE]... [--require-signer NAME|CODE]... [--revocation soft|require] [--allow-legacy] [--online]\n"
    "       [--json] [--html OUT.html] [--csv OUT.csv] [--password-env VAR]\n"
    "  RULE: company[@PAGE], legal-rep[@PAGE], signature[@PAGE], cross-page, eseal, signer=NAME|CODE\n"
    "  -r, --recursive: a folder's subfolders too";

#define MAX_RULES 32
#define MAX_TRUST 64
#define MAX_DIR_FILES 10000
#define MAX_DIR_DEPTH 32
#define SIGNER_RULE_SIZE 216

typedef struct doc_result {
    const char *path;
    seal_report *rep;          /* NULL: could not verify */
    seal_status st;
    char error[1100];
} doc_result;

/* ------------------------------------------------------------ helpers */


/* ------------------------------------------------------------ main */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int has_pdf_suffix(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && !strcasecmp(name + n - 4, ".pdf");
}

typedef struct file_list {
    char **names;
    int n, cap;
    int too_many;
    char unreadable[512]; /* a folder that could not be read, or "" */
    int unreadable_errno;
} file_list;

/* dir/name, with one slash between them whatever dir ends with. */
static char *join_path(const char *dir, const char *name)
{
    size_t d = strlen(dir);
    int slash = d && dir[d - 1] != '/';
    char *p = malloc(d + (size_t)slash + strlen(name) + 1);
    if (p)
        sprintf(p, "%s%s%s", dir, slash ? "/" : "", name);
    return p;
}

static int list_add(file_list *l, char *path)
{
    if (!path)
        return -1;
    if (l->n == MAX_DIR_FILES) {
        l->too_many = 1;
        free(path);
        return -1;
    }
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 64;
        char **nn = realloc(l->names, (size_t)cap * sizeof(*nn));
        if (!nn) {
            free(path);
            return -1;
        }
        l->names = nn;
        l->cap = cap;
    }
    l->names[l->n++] = path;
    return 0;
}

/* The PDFs of a folder of submissions (regular files named *.pdf, hidden
 * names skipped); with recurse, those of its subfolders too, to a depth of
 * MAX_DIR_DEPTH (a symbolic link to a folder is not followed: no loops). */
static int list_dir(file_list *l, const char *dir, int recurse, int depth)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int rc = 0;

    if (!d) {
        /* A subfolder that cannot be read would hide its bids: an error. */
        snprintf(l->unreadable, sizeof(l->unreadable), "%s", dir);
        l->unreadable_errno = errno;
        return -1;
    }
    while (rc == 0 && (e = readdir(d)) != NULL) {
        struct stat st;
        if (e->d_name[0] == '.')
            continue;
        char *path = join_path(dir, e->d_name);
        if (!path || stat(path, &st) != 0) {
            free(path);
            continue;
        }
        if (S_ISREG(st.st_mode) && has_pdf_suffix(e->d_name)) {
            rc = list_add(l, path);
            continue;
        }
        if (recurse && S_ISDIR(st.st_mode) && depth < MAX_DIR_DEPTH && lstat(path, &st) == 0 &&
            S_ISDIR(st.st_mode))
            rc = list_dir(l, path, recurse, depth + 1);
        free(path);
    }
    closedir(d);
    if (depth == 0 && l->n)
        qsort(l->names, (size_t)l->n, sizeof(*l->names), cmp_str);
    return rc;
}

/* The rule signer=TEXT of --require-signer TEXT, in out (SIGNER_RULE_SIZE
 * bytes); -1 (said) when TEXT cannot name a bidder. */
static int signer_rule(const char *text, char *out)
{
    char check = seal_credit_code_check(text);

    if (!*text || strlen(text) > 200) {
        cli_usage(synopsis, "--require-signer takes an organisation name or a unified social credit code "
                            "(at most 200 bytes)");
        return -1;
    }
    if (check && check != toupper((unsigned char)text[17])) {
        cli_usage(synopsis,
                  "--require-signer %s is not a unified social credit code: its check character is '%c', "
                  "not '%c' (统一社会信用代码校验码错误)",
                  text, check, text[17]);
        return -1;
    }
    snprintf(out, SIGNER_RULE_SIZE, "signer=%s", text);
    if (seal_rule_check(out) != SEAL_OK) {
        cli_usage(synopsis, "--require-signer '%s' cannot name a bidder", text);
        return -1;
    }
    return 0;
}

/* Write a rendered report (the HTML or CSV file) to out, whole or not at
 * all (seal_file_write: temporary file, fsync, rename). */
static int write_report(const char *out, const char *text, size_t len)
{
    seal_ctx *ctx = cli_ctx_new();
    seal_status st = ctx ? seal_file_write(ctx, out, text, len, 0) : SEAL_ERR_NOMEM;
    if (st != SEAL_OK)
        cli_fail(ctx, st);
    seal_ctx_free(ctx);
    return st == SEAL_OK ? 0 : -1;
}

/* Render the documents as fmt into out (a file), or to stdout when out is
 * NULL. */
static int emit(seal_ctx *ctx, const seal_report_entry *entries, size_t n, const char *folder,
                seal_report_format fmt, const char *out)
{
    char *text = NULL;
    size_t len = 0;
    int rc = 0;
    seal_status st = seal_report_render(ctx, entries, n, folder, fmt, &text, &len);

    if (st != SEAL_OK)
        return -cli_fail(ctx, st);
    if (out)
        rc = write_report(out, text, len) == 0 ? 0 : -EXIT_INPUT;
    else
        fwrite(text, 1, len, stdout);
    seal_report_text_free(text);
    return rc;
}

int cmd_verify(int argc, char **argv)
{
    static const struct option longopts[] = {{"trust", required_argument, NULL, 't'},
                                             {"seal-trust", required_argument, NULL, 'T'},
                                             {"deadline", required_argument, NULL, 'd'},
                                             {"require", required_argument, NULL, 'q'},
                                             {"require-signer", required_argument, NULL, 'S'},
                                             {"recursive", no_argument, NULL, 'r'},
                                             {"revocation", required_argument, NULL, 'R'},
                                             {"allow-legacy", no_argument, NULL, 'L'},
                                             {"online", no_argument, NULL, 'o'},
                                             {"json", no_argument, NULL, 'j'},
                                             {"html", required_argument, NULL, 'H'},
                                             {"csv", required_argument, NULL, 'C'},
                                             {"password-env", required_argument, NULL, 'E'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *trust[MAX_TRUST], *seal_trust[MAX_TRUST], *rules[MAX_RULES];
    char signer_rules[MAX_RULES][SIGNER_RULE_SIZE];
    seal_verify_options opts = SEAL_VERIFY_OPTIONS_INIT;
    const char *html = NULL, *csv = NULL, *deadline_text = NULL;
    int json = 0, c, ntrust = 0, nseal_trust = 0, nrules = 0, nsigner = 0, ndocs = 0, is_dir = 0, recurse = 0, rc = EXIT_OK;
    char **files = NULL, *folder = NULL;
    doc_result *docs = NULL;
    seal_report_entry *entries = NULL;
    seal_ctx *ctx = NULL;
    struct stat st;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "hr", longopts, NULL)) != -1) {
        switch (c) {
        case 't':
            if (ntrust >= MAX_TRUST)
                return cli_usage(synopsis, "at most %d --trust options", MAX_TRUST);
            trust[ntrust++] = optarg;
            break;
        case 'T':
            if (nseal_trust >= MAX_TRUST)
                return cli_usage(synopsis, "at most %d --seal-trust options", MAX_TRUST);
            seal_trust[nseal_trust++] = optarg;
            break;
        case 'd':
            if (cli_parse_iso(optarg, &opts.deadline) != 0)
                return cli_usage(synopsis, "--deadline %s is not an ISO 8601 time (e.g. 2026-12-01T09:30:00+08:00)",
                                 optarg);
            deadline_text = optarg;
            break;
        case 'q':
            if (nrules >= MAX_RULES)
                return cli_usage(synopsis, "at most %d --require rules", MAX_RULES);
            if (seal_rule_check(optarg) != SEAL_OK)
                return cli_usage(synopsis, "unknown rule '%s'", optarg);
            rules[nrules++] = optarg;
            break;
        case 'S':
            if (nrules >= MAX_RULES)
                return cli_usage(synopsis, "at most %d --require rules", MAX_RULES);
            if (signer_rule(optarg, signer_rules[nsigner]) != 0)
                return EXIT_USAGE;
            rules[nrules++] = signer_rules[nsigner++];
            break;
        case 'r': recurse = 1; break;
        case 'R':
            if (!strcmp(optarg, "require"))
                opts.flags |= SEAL_VERIFY_REVOCATION_REQUIRE;
            else if (strcmp(optarg, "soft") != 0)
                return cli_usage(synopsis, "--revocation takes soft or require");
            break;
        case 'L': opts.flags |= SEAL_VERIFY_ALLOW_LEGACY; break;
        case 'o': opts.flags |= SEAL_VERIFY_ONLINE; break;
        case 'j': json = 1; break;
        case 'H':
            html = optarg;
            opts.flags |= SEAL_VERIFY_RENDER;
            break;
        case 'C': csv = optarg; break;
        case 'E':
            opts.password = cli_password_env(optarg);
            if (!opts.password)
                return EXIT_USAGE;
            break;
        case 'h': printf("usage: %s\n", synopsis); return EXIT_OK;
        default: return cli_usage(synopsis, "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return cli_usage(synopsis, optind >= argc ? "no input PDF or folder given"
                                                  : "one input (a PDF or a folder) at a time");
    opts.trust = trust;
    opts.trust_count = (size_t)ntrust;
    opts.require = rules;
    opts.require_count = (size_t)nrules;
    opts.seal_trust = seal_trust;
    opts.seal_trust_count = (size_t)nseal_trust;

    const char *in = argv[optind];
    if (stat(in, &st) != 0) {
        cli_error("cannot open %s: %s", in, strerror(errno));
        return EXIT_INPUT;
    }
    if (S_ISDIR(st.st_mode)) {
        file_list l = {0};
        is_dir = 1;
        /* "bids/" and "bids" alike: bids/a.pdf, never bids//a.pdf. */
        folder = strdup(in);
        if (!folder) {
            cli_error("out of memory");
            return EXIT_FAILED;
        }
        for (size_t n = strlen(folder); n > 1 && folder[n - 1] == '/'; n--)
            folder[n - 1] = 0;
        int lr = list_dir(&l, folder, recurse, 0);
        files = l.names;
        ndocs = l.n;
        if (lr != 0 || !ndocs) {
            rc = EXIT_INPUT;
            if (l.too_many)
                cli_error("more than %d PDF files in %s: verify its subfolders one by one", MAX_DIR_FILES, in);
            else if (l.unreadable[0])
                cli_error("cannot read the folder %s: %s", l.unreadable, strerror(l.unreadable_errno));
            else if (lr != 0) {
                rc = EXIT_FAILED;
                cli_error("out of memory");
            } else
                cli_error("no PDF files in %s%s", in, recurse ? " or its subfolders" : " (-r: its subfolders too)");
            goto out;
        }
    } else if (recurse) {
        return cli_usage(synopsis, "-r (--recursive) needs a folder; %s is a file", in);
    } else {
        files = malloc(sizeof(*files));
        if (!files || !(files[0] = strdup(in))) {
            free(files);
            cli_error("out of memory");
            return EXIT_FAILED;
        }
        ndocs = 1;
    }
    /* Nothing lost: no report replaces a bid or a trust anchor, and the
     * two reports are two files (a report already in the folder may be
     * replaced). */
    {
        const char **reads = calloc((size_t)(ndocs + ntrust + nseal_trust), sizeof(*reads));
        const char *outs[2];
        size_t nouts = 0;
        if (!reads) {
            rc = EXIT_FAILED;
            goto out;
        }
        memcpy(reads, files, (size_t)ndocs * sizeof(*reads));
        memcpy(reads + ndocs, trust, (size_t)ntrust * sizeof(*reads));
        if (nseal_trust)
            memcpy(reads + ndocs + ntrust, seal_trust, (size_t)nseal_trust * sizeof(*reads));
        if (html)
            outs[nouts++] = html;
        if (csv)
            outs[nouts++] = csv;
        rc = cli_paths_check(reads, (size_t)(ndocs + ntrust + nseal_trust), outs, nouts);
        free(reads);
        if (rc != EXIT_OK)
            goto out;
    }
    docs = calloc((size_t)ndocs, sizeof(*docs));
    entries = calloc((size_t)ndocs, sizeof(*entries));
    ctx = cli_ctx_new();
    if (!docs || !entries || !ctx) {
        rc = EXIT_FAILED;
        goto out;
    }

    for (int i = 0; i < ndocs; i++) {
        doc_result *dr = &docs[i];
        dr->path = files[i];
        dr->st = seal_verify_file(ctx, files[i], &opts, &dr->rep);
        if (dr->st != SEAL_OK) {
            snprintf(dr->error, sizeof(dr->error), "%s", seal_ctx_message(ctx));
            /* Bad trust anchors or options fail every file alike. */
            if (dr->st == SEAL_ERR_ARGS) {
                rc = cli_fail(ctx, dr->st);
                goto out;
            }
        }
        entries[i] = (seal_report_entry){dr->path, dr->rep, dr->st, dr->error};
    }
    if (!is_dir && !docs[0].rep) {
        rc = cli_fail(ctx, docs[0].st);
        goto out;
    }

    int e = emit(ctx, entries, (size_t)ndocs, folder, json ? SEAL_REPORT_JSON : SEAL_REPORT_TEXT, NULL);
    if (e != 0) {
        rc = -e;
        goto out;
    }
    /* A report that cannot be written is said besides the verdict and
     * counts as an I/O failure; it never hides a failed bid. */
    int unwritten = 0;
    if (html && emit(ctx, entries, (size_t)ndocs, folder, SEAL_REPORT_HTML, html) != 0)
        unwritten = 1;
    if (csv && emit(ctx, entries, (size_t)ndocs, folder, SEAL_REPORT_CSV, csv) != 0)
        unwritten = 1;
    rc = seal_report_entries_exit_code(entries, (size_t)ndocs);
    if (unwritten && rc != EXIT_FAILED)
        rc = EXIT_INPUT;
    /* One document that failed the committee's rules: say which. */
    if (!is_dir && rc == EXIT_FAILED) {
        for (size_t i = 0; i < seal_report_rule_count(docs[0].rep); i++) {
            seal_rule_result r;
            seal_report_rule(docs[0].rep, i, &r);
            if (!r.met)
                cli_error("rule %s not met: %s", r.rule, r.why);
        }
        seal_deadline dl = seal_report_deadline(docs[0].rep);
        if (dl == SEAL_DEADLINE_MISSED)
            cli_error("deadline %s missed: a time-stamped signature is later", deadline_text);
        else if (dl == SEAL_DEADLINE_CLAIMED_LATE)
            cli_error("deadline %s missed: signed after the deadline by its own claim", deadline_text);
    }
out:
    for (int i = 0; docs && i < ndocs; i++)
        seal_report_free(docs[i].rep);
    for (int i = 0; files && i < ndocs; i++)
        free(files[i]);
    free(files);
    free(folder);
    free(docs);
    free(entries);
    seal_ctx_free(ctx);
    return rc;
}
