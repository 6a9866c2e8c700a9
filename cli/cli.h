/*
 * The seal command: shared helpers of the subcommands.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef SEAL_CLI_H
#define SEAL_CLI_H

#include <seal/seal.h>
#include <stdio.h>

/* Exit codes (docs/seal.1, design.md). */
enum {
    EXIT_OK = 0,
    EXIT_FAILED = 1,        /* verify: a signature TOTAL-FAILED; other unexpected failure */
    EXIT_USAGE = 2,
    EXIT_INDETERMINATE = 3,
    EXIT_INPUT = 4,         /* unusable input */
    EXIT_KEY = 5,           /* key or token problem */
    EXIT_NETWORK = 6
};

typedef int (*cli_cmd_fn)(int argc, char **argv);

int cmd_sign(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_enrol(int argc, char **argv);
int cmd_make(int argc, char **argv);
int cmd_encrypt(int argc, char **argv);
int cmd_decrypt(int argc, char **argv);
int cmd_batch(int argc, char **argv);
int cmd_issue(int argc, char **argv);
/* seal inspect of an electronic seal (cmd_issue.c): 0 when path is not
 * one; else 1, with *rc the exit status (1 when the maker's signature fails). */
int cli_inspect_eseal(seal_ctx *ctx, const char *path, int json, int *rc);

/* Batch options shared by `seal batch` and `seal sign IN... -o DIR/`. */
enum {
    CLI_OPT_JOBS = 1000, CLI_OPT_RESUME, CLI_OPT_FAIL_FAST, CLI_OPT_JSON_LOG, CLI_OPT_SHARD
};
#define CLI_BATCH_LONGOPTS                                         \
    {"jobs", required_argument, NULL, CLI_OPT_JOBS},               \
    {"resume", no_argument, NULL, CLI_OPT_RESUME},                 \
    {"fail-fast", no_argument, NULL, CLI_OPT_FAIL_FAST},           \
    {"json-log", required_argument, NULL, CLI_OPT_JSON_LOG},       \
    {"shard", required_argument, NULL, CLI_OPT_SHARD}
struct batch_opts;
/* Apply one batch option; 1 if it was one, 0 if not, -1 if its value is bad. */
int cli_batch_option(int c, const char *arg, struct batch_opts *o);
/* The same for a command's option loop: EXIT_OK when applied, else
 * EXIT_USAGE after the usage message naming the option `opt`. */
int cli_batch_arg(const char *synopsis, int c, const char *arg, const char *opt,
                  struct batch_opts *o);

/* Print "seal: MESSAGE" to stderr (one line). */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print a usage error with the subcommand's synopsis; returns EXIT_USAGE. */
int cli_usage(const char *synopsis, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Map a library status to the documented exit code. */
int cli_exit_code(seal_status st);

/* Report a library failure ("seal: message") and return its exit code. */
int cli_fail(seal_ctx *ctx, seal_status st);

/* A new context with warnings printed to stderr as "seal: warning: ...". */
seal_ctx *cli_ctx_new(void);

/* PIN sources for keys: --pin-file, SEAL_PIN / SEAL_P12_PASSWORD, no-echo prompt. */
typedef struct cli_pin {
    const char *pin_file; /* or NULL */
} cli_pin;
seal_status cli_pin_cb(void *user, const char *label, unsigned flags, char *buf, size_t bufsize);

/* Nothing lost: seal_paths_check before a command writes anything. Returns
 * EXIT_OK, or the exit code after printing the one-line reason. */
int cli_paths_check(const char *const *inputs, size_t n_inputs, const char *const *outputs,
                    size_t n_outputs);

/* A command reading one PDF (argv[optind], after its options) into one
 * output `out` (-o): exactly one input, an output given, and not over the
 * input (cli_paths_check). EXIT_OK, or the exit code after the message. */
int cli_one_in_one_out(const char *synopsis, int argc, char **argv, const char *out);

/* The files a key URI reads: the PKCS#12 file of p12:FILE, the module-path
 * and pin-source file of a pkcs11: URI. Up to CLI_KEY_FILES malloc'd paths
 * in files (NULL where none); cli_key_files_free frees them. */
#define CLI_KEY_FILES 3
void cli_key_files(const char *uri, char *files[CLI_KEY_FILES]);
void cli_key_files_free(char *files[CLI_KEY_FILES]);

/* Parse "X,Y" as two numbers; returns 0 on success. */
int cli_parse_pair(const char *s, double *a, double *b);
/* A finite number ("nan", "inf", "1e999" and trailing text refused); 0 on success. */
int cli_parse_num(const char *s, double *v);
/* The same, ending at the end of s or at the character `stop` (*endp points there). */
int cli_parse_num_to(const char *s, int stop, double *v, const char **endp);
/* Parse a whole positive int; returns 0 on success. */
int cli_parse_int(const char *s, int min, int max, int *out);

/* "B-B", "B-T", "B-LT", "B-LTA" (any case); returns 0 on success. */
int cli_parse_level(const char *s, seal_level *out);

int cmd_extend(int argc, char **argv);
int cmd_undo(int argc, char **argv);

/* The password in the environment variable --password-env names; NULL
 * (with the reason printed) when it is not set. */
const char *cli_password_env(const char *var);

/* A JSON number printed with a fixed number of decimals (json-c would
 * print 17 digits). */
struct json_object;
struct json_object *cli_json_num(double v, int decimals);
/* [a, b] as two such numbers. */
struct json_object *cli_json_pair(double a, double b, int decimals);

/* Today's local date as 2026年12月01日. */
void cli_today(char *buf, size_t size);

/* ISO 8601 time (YYYY-MM-DD[THH:MM[:SS]][Z|±HH:MM], UTC without a zone) as
 * seconds since the epoch; 0 on success, -1 when malformed. */
int cli_parse_iso(const char *s, long long *out);

/* Format seconds since the epoch as ISO 8601 UTC into buf (>= 21 bytes). */
void cli_iso_time(long long t, char *buf, size_t size);

#endif /* SEAL_CLI_H */
