/*
 * seal — electronic seals on PDFs: the command's entry point.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "cli.h"

#include <string.h>

static const struct {
    const char *name;
    cli_cmd_fn fn;
    const char *summary;
} commands[] = {
    {"sign", cmd_sign, "seal a PDF with a PAdES signature"},
    {"inspect", cmd_inspect, "list the revisions and signatures of a PDF"},
    {"token", cmd_token, "list PKCS#11 tokens and their certificates"},
    {"verify", cmd_verify, "check the signatures of PDFs for an evaluation committee"},
    {"enrol", cmd_enrol, "turn a seal collection-form scan into seal artwork"},
    {"make", cmd_make, "draw a standard seal from text as seal artwork"},
    {"issue", cmd_issue, "make a GB/T 38540 electronic seal from seal artwork (seal makers)"},
    {"batch", cmd_batch, "run a job file: many bids, several seals each"},
    {"extend", cmd_extend, "renew long-term validation data and time-stamp (archive)"},
    {"undo", cmd_undo, "remove the last signature: restore the revision before it (撤章)"},
    {"encrypt", cmd_encrypt, "seal a signed bid shut: encrypt it to encryption certificates"},
    {"decrypt", cmd_decrypt, "open sealed bids with the key on the token (and verify them)"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: seal COMMAND [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'seal help COMMAND' (or 'seal COMMAND --help') shows a command's options;\n"
               "'man seal' has the rest: the page is docs/seal.1, installed by 'cmake --install build'\n"
               "(read it before installing with 'man -l docs/seal.1').\n");
}

static int find(const char *name)
{
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(name, commands[i].name))
            return (int)i;
    return -1;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "help") && argc > 2) {
        /* seal help CMD: that command's own --help */
        int i = find(argv[2]);
        if (i < 0 || argc > 3) {
            if (i < 0)
                cli_error("unknown command '%s'", argv[2]);
            else
                cli_error("'seal help' takes one command (got %d words)", argc - 2);
            usage(stderr);
            return EXIT_USAGE;
        }
        char *args[] = {argv[2], "--help", NULL};
        return commands[i].fn(2, args);
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return EXIT_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("seal %s\n", seal_version());
        return EXIT_OK;
    }
    int i = find(argv[1]);
    if (i >= 0)
        return commands[i].fn(argc - 1, argv + 1);
    cli_error("unknown command '%s'", argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}
