/*
 * The seal command: helpers shared by the subcommands.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "cli.h"

#include <getopt.h>

#include <json-c/json.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

void cli_error(const char *fmt, ...)
{
    va_list ap;
    fputs("seal: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_usage(const char *synopsis, const char *fmt, ...)
{
    va_list ap;
    fputs("seal: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nusage: %s\n", synopsis);
    return EXIT_USAGE;
}

int cli_exit_code(seal_status st)
{
    switch (st) {
    case SEAL_OK:
        return EXIT_OK;
    case SEAL_ERR_ARGS:
        return EXIT_USAGE;
    case SEAL_ERR_IO:
    case SEAL_ERR_INPUT:
    case SEAL_ERR_UNSUPPORTED:
    case SEAL_ERR_REFUSED:
    case SEAL_ERR_PASSWORD:
    case SEAL_ERR_SCAN_REJECTED:
    case SEAL_ERR_NOT_FOUND:
        return EXIT_INPUT;
    case SEAL_ERR_TOKEN:
    case SEAL_ERR_KEY_NOT_FOUND:
    case SEAL_ERR_PIN_INCORRECT:
    case SEAL_ERR_PIN_LOCKED:
    case SEAL_ERR_CERT:
    case SEAL_ERR_CANCELLED:
        return EXIT_KEY;
    case SEAL_ERR_NETWORK:
        return EXIT_NETWORK;
    case SEAL_ERR_GENERIC:
    case SEAL_ERR_NOMEM:
    case SEAL_ERR_CRYPTO:
    case SEAL_ERR_INTERNAL:
        break;
    }
    return EXIT_FAILED;
}

int cli_fail(seal_ctx *ctx, seal_status st)
{
    const char *msg = ctx ? seal_ctx_message(ctx) : "";
    cli_error("%s", *msg ? msg : seal_status_str(st));
    return cli_exit_code(st);
}

static void print_warning(void *user, const char *message)
{
    (void)user;
    fprintf(stderr, "seal: warning: %s\n", message);
}

seal_ctx *cli_ctx_new(void)
{
    seal_ctx *ctx = NULL;
    if (seal_ctx_new(&ctx) != SEAL_OK) {
        cli_error("out of memory");
        return NULL;
    }
    seal_ctx_set_warning_cb(ctx, print_warning, NULL);
    return ctx;
}

static seal_status copy_secret(const char *src, size_t len, char *buf, size_t bufsize)
{
    while (len > 0 && (src[len - 1] == '\n' || src[len - 1] == '\r'))
        len--;
    if (len + 1 > bufsize)
        return SEAL_ERR_ARGS;
    memcpy(buf, src, len);
    buf[len] = 0;
    return SEAL_OK;
}

static seal_status read_pin_file(const char *path, char *buf, size_t bufsize)
{
    char tmp[512];
    ssize_t n;
    seal_status st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        cli_error("cannot read PIN file %s: %s", path, strerror(errno));
        return SEAL_ERR_CANCELLED;
    }
    n = read(fd, tmp, sizeof(tmp));
    close(fd);
    if (n < 0) {
        cli_error("cannot read PIN file %s: %s", path, strerror(errno));
        return SEAL_ERR_CANCELLED;
    }
    /* Only the first line is the PIN. */
    const char *nl = memchr(tmp, '\n', (size_t)n);
    st = copy_secret(tmp, nl ? (size_t)(nl - tmp) : (size_t)n, buf, bufsize);
    explicit_bzero(tmp, sizeof(tmp));
    return st;
}

/* Prompt on the controlling terminal with echo off. */
static seal_status prompt_pin(const char *prompt, char *buf, size_t bufsize)
{
    struct termios old, quiet;
    char line[512];
    seal_status st = SEAL_ERR_CANCELLED;
    FILE *tty = fopen("/dev/tty", "r+");

    if (!tty)
        return SEAL_ERR_CANCELLED;
    if (tcgetattr(fileno(tty), &old) != 0) {
        fclose(tty);
        return SEAL_ERR_CANCELLED;
    }
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
    fputs(prompt, tty);
    fflush(tty);
    tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
    if (fgets(line, sizeof(line), tty))
        st = copy_secret(line, strlen(line), buf, bufsize);
    tcsetattr(fileno(tty), TCSAFLUSH, &old);
    fputc('\n', tty);
    fclose(tty);
    explicit_bzero(line, sizeof(line));
    return st;
}

seal_status cli_pin_cb(void *user, const char *label, unsigned flags, char *buf, size_t bufsize)
{
    const cli_pin *pin = user;
    const char *env = getenv((flags & SEAL_PIN_P12) ? "SEAL_P12_PASSWORD" : "SEAL_PIN");
    char prompt[300];

    if (pin && pin->pin_file)
        return read_pin_file(pin->pin_file, buf, bufsize);
    if (env)
        return copy_secret(env, strlen(env), buf, bufsize);
    snprintf(prompt, sizeof(prompt), "%s for %s%s: ",
             (flags & SEAL_PIN_P12) ? "Password" : "PIN", label,
             (flags & SEAL_PIN_FINAL_TRY) ? " (FINAL TRY before the token locks)"
             : (flags & SEAL_PIN_COUNT_LOW) ? " (the token reports a wrong PIN since its last login)" : "");
    return prompt_pin(prompt, buf, bufsize);
}

int cli_parse_num_to(const char *s, int stop, double *v, const char **endp)
{
    char *end;
    /* Plain decimal only: strtod would also take leading blanks, hex and "infinity". */
    size_t len = strspn(s, "0123456789.+-eE");
    errno = 0;
    *v = strtod(s, &end);
    if (end == s || end != s + len || errno || !isfinite(*v) || (*end && *end != stop))
        return -1;
    *endp = end;
    return 0;
}

int cli_parse_num(const char *s, double *v)
{
    const char *end;
    return cli_parse_num_to(s, 0, v, &end) || *end ? -1 : 0;
}

int cli_parse_pair(const char *s, double *a, double *b)
{
    const char *end;
    if (cli_parse_num_to(s, ',', a, &end) || *end != ',')
        return -1;
    return cli_parse_num(end + 1, b);
}

int cli_parse_int(const char *s, int min, int max, int *out)
{
    char *end;
    long v;
    errno = 0;
    v = strtol(s, &end, 10);
    if (end == s || *end || errno || v < min || v > max)
        return -1;
    *out = (int)v;
    return 0;
}

void cli_iso_time(long long t, char *buf, size_t size)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int cli_parse_level(const char *s, seal_level *out)
{
    for (int i = SEAL_LEVEL_B_B; i <= SEAL_LEVEL_B_LTA; i++)
        if (!strcasecmp(s, seal_level_name((seal_level)i))) {
            *out = (seal_level)i;
            return 0;
        }
    return -1;
}

void cli_today(char *buf, size_t size)
{
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, size, "%Y年%m月%d日", &tm);
}

const char *cli_password_env(const char *var)
{
    const char *pw = getenv(var);
    if (!pw)
        cli_error("--password-env %s: that environment variable is not set", var);
    return pw;
}

int cli_paths_check(const char *const *inputs, size_t n_inputs, const char *const *outputs,
                    size_t n_outputs)
{
    seal_ctx *ctx;
    seal_status st;
    size_t named = 0;
    int rc;

    /* No output, nothing to refuse: no context (a MuPDF one) made for it. */
    for (size_t i = 0; i < n_outputs; i++)
        named += outputs[i] != NULL;
    if (!named)
        return EXIT_OK;
    if (!(ctx = cli_ctx_new()))
        return EXIT_FAILED;
    st = seal_paths_check(ctx, inputs, n_inputs, outputs, n_outputs);
    rc = st == SEAL_OK ? EXIT_OK : cli_fail(ctx, st);
    seal_ctx_free(ctx);
    return rc;
}

int cli_one_in_one_out(const char *synopsis, int argc, char **argv, const char *out)
{
    if (optind != argc - 1)
        return cli_usage(synopsis, optind >= argc ? "no input PDF given" : "one input PDF at a time");
    if (!out)
        return cli_usage(synopsis, "no output given (-o OUT.pdf)");
    return cli_paths_check((const char *const *)&argv[optind], 1, &out, 1);
}

/* The value of query attribute `name` in a pkcs11: URI, percent-decoded
 * (RFC 7512); NULL when absent. */
static char *uri_query_value(const char *uri, const char *name)
{
    const char *q = strchr(uri, '?');
    size_t nlen = strlen(name);

    while (q) {
        q++;
        if (!strncmp(q, name, nlen) && q[nlen] == '=') {
            const char *v = q + nlen + 1;
            size_t len = strcspn(v, "&");
            char *out = malloc(len + 1), *o = out;
            if (!out)
                return NULL;
            for (size_t i = 0; i < len; i++) {
                unsigned hex;
                if (v[i] == '%' && i + 2 < len && sscanf(v + i + 1, "%2x", &hex) == 1) {
                    *o++ = (char)hex;
                    i += 2;
                } else {
                    *o++ = v[i];
                }
            }
            *o = 0;
            return out;
        }
        q = strchr(q, '&');
    }
    return NULL;
}

void cli_key_files(const char *uri, char *files[CLI_KEY_FILES])
{
    for (int i = 0; i < CLI_KEY_FILES; i++)
        files[i] = NULL;
    if (!uri)
        return;
    if (!strncmp(uri, "p12:", 4) || !strncmp(uri, "pem:", 4)) {
        files[0] = strdup(uri + 4);
        return;
    }
    if (strncmp(uri, "pkcs11:", 7) != 0)
        return;
    files[0] = uri_query_value(uri, "module-path");
    files[1] = uri_query_value(uri, "pin-source");
    if (files[1] && !strncmp(files[1], "file:", 5))
        memmove(files[1], files[1] + 5, strlen(files[1] + 5) + 1);
}

void cli_key_files_free(char *files[CLI_KEY_FILES])
{
    for (int i = 0; i < CLI_KEY_FILES; i++) {
        free(files[i]);
        files[i] = NULL;
    }
}

struct json_object *cli_json_num(double v, int decimals)
{
    char buf[64];
    snprintf(buf, sizeof(buf), "%.*f", decimals, v);
    return json_object_new_double_s(v, buf);
}

struct json_object *cli_json_pair(double a, double b, int decimals)
{
    json_object *p = json_object_new_array();
    json_object_array_add(p, cli_json_num(a, decimals));
    json_object_array_add(p, cli_json_num(b, decimals));
    return p;
}

/* ISO 8601: YYYY-MM-DD[THH:MM[:SS]][Z|±HH:MM]; a missing zone means UTC
 * ... and a date alone means the end of that day is NOT assumed: 00:00. */
int cli_parse_iso(const char *s, long long *out)
{
    struct tm tm;
    int y, mo, d, h = 0, mi = 0, sec = 0, n = 0, off = 0;
    const char *p;

    memset(&tm, 0, sizeof(tm));
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3)
        return -1;
    p = s + n;
    if (*p == 'T' || *p == ' ') {
        int m = 0;
        if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &m) != 2)
            return -1;
        p += 1 + m;
        if (*p == ':') {
            if (sscanf(p + 1, "%2d%n", &sec, &m) != 1)
                return -1;
            p += 1 + m;
        }
    }
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh = 0, om = 0, m = 0;
        if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &m) != 2)
            return -1;
        off = (oh * 3600 + om * 60) * (*p == '+' ? 1 : -1);
        p += 1 + m;
    }
    if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return -1;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    *out = (long long)timegm(&tm) - off;
    return 0;
}
