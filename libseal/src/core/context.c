/*
 * The context, status strings, and the MuPDF and OpenSSL error bridges.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>

SEAL_API const char *seal_version(void)
{
    return SEAL_VERSION_STRING;
}

SEAL_API const char *seal_status_str(seal_status status)
{
    switch (status) {
    case SEAL_OK: return "success";
    case SEAL_ERR_GENERIC: return "error";
    case SEAL_ERR_ARGS: return "invalid argument";
    case SEAL_ERR_NOMEM: return "out of memory";
    case SEAL_ERR_IO: return "input/output error";
    case SEAL_ERR_INPUT: return "unusable input";
    case SEAL_ERR_UNSUPPORTED: return "not supported";
    case SEAL_ERR_REFUSED: return "refused by the document";
    case SEAL_ERR_PASSWORD: return "password required or wrong";
    case SEAL_ERR_TOKEN: return "token or module unusable";
    case SEAL_ERR_KEY_NOT_FOUND: return "key not found";
    case SEAL_ERR_PIN_INCORRECT: return "PIN incorrect";
    case SEAL_ERR_PIN_LOCKED: return "PIN locked";
    case SEAL_ERR_CERT: return "certificate unusable";
    case SEAL_ERR_CRYPTO: return "cryptographic failure";
    case SEAL_ERR_NETWORK: return "network service unreachable";
    case SEAL_ERR_SCAN_REJECTED: return "scan rejected";
    case SEAL_ERR_NOT_FOUND: return "not found";
    case SEAL_ERR_CANCELLED: return "cancelled";
    case SEAL_ERR_INTERNAL: return "internal error";
    }
    return "unknown status";
}

/* One lock set for every fz_context in the process: MuPDF shares glyph
 * caches and font data between contexts, and needs locking even when each
 * thread has its own context. */
static pthread_mutex_t fz_mutexes[FZ_LOCK_MAX];
static pthread_once_t fz_mutexes_once = PTHREAD_ONCE_INIT;

static void init_fz_mutexes(void)
{
    for (int i = 0; i < FZ_LOCK_MAX; i++)
        pthread_mutex_init(&fz_mutexes[i], NULL);
}

static void lock_fz(void *user, int lock)
{
    (void)user;
    pthread_mutex_lock(&fz_mutexes[lock]);
}

static void unlock_fz(void *user, int lock)
{
    (void)user;
    pthread_mutex_unlock(&fz_mutexes[lock]);
}

static fz_locks_context fz_locks = {NULL, lock_fz, unlock_fz};

/* MuPDF reports every throw and warning through these; the message of the
 * exception itself reaches the caller through seal__from_fz, so both are
 * kept quiet. */
static void quiet_fz(void *user, const char *message)
{
    (void)user;
    (void)message;
}

SEAL_API seal_status seal_ctx_new(seal_ctx **out)
{
    seal_ctx *ctx;

    if (!out)
        return SEAL_ERR_ARGS;
    *out = NULL;
    ctx = calloc(1, sizeof(*ctx));
    if (!ctx)
        return SEAL_ERR_NOMEM;
    pthread_once(&fz_mutexes_once, init_fz_mutexes);
    ctx->fz = fz_new_context(NULL, &fz_locks, FZ_STORE_DEFAULT);
    if (!ctx->fz) {
        free(ctx);
        return SEAL_ERR_NOMEM;
    }
    fz_set_error_callback(ctx->fz, quiet_fz, NULL);
    fz_set_warning_callback(ctx->fz, quiet_fz, NULL);
    /* No document handlers are registered: every document is a PDF
     * opened with pdf_open_document*, and images are loaded as images.
     * Registering them all would link MuPDF's XPS, EPUB, HTML and CBZ
     * readers, and with them harfbuzz, glib and gumbo: six more shared
     * libraries loaded at every start. */
    *out = ctx;
    return SEAL_OK;
}

SEAL_API void seal_ctx_free(seal_ctx *ctx)
{
    if (!ctx)
        return;
    fz_drop_context(ctx->fz);
    free(ctx);
}

SEAL_API const char *seal_ctx_message(const seal_ctx *ctx)
{
    return ctx ? ctx->msg : "no context";
}

SEAL_API seal_status seal_ctx_status(const seal_ctx *ctx)
{
    return ctx ? ctx->status : SEAL_ERR_ARGS;
}

SEAL_API void seal_ctx_set_warning_cb(seal_ctx *ctx, seal_warning_cb cb, void *user)
{
    if (!ctx)
        return;
    ctx->warn_cb = cb;
    ctx->warn_user = user;
}

void seal__reset(seal_ctx *ctx)
{
    ctx->status = SEAL_OK;
    ctx->msg[0] = 0;
    ctx->thrown = 0;
}

/* Keep messages to one line: a reason shown to a person or logged as one
 * JSON field must not break across lines. */
static void one_line(char *s)
{
    for (; *s; s++)
        if (*s == '\n' || *s == '\r' || *s == '\t')
            *s = ' ';
}

static seal_status vfail(seal_ctx *ctx, seal_status st, const char *fmt, va_list ap)
{
    ctx->status = st;
    ctx->thrown = 0; /* a new error: seal__throw sets it again for its own */
    vsnprintf(ctx->msg, sizeof(ctx->msg), fmt, ap);
    one_line(ctx->msg);
    return st;
}

seal_status seal__fail(seal_ctx *ctx, seal_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(ctx, st, fmt, ap);
    va_end(ap);
    return st;
}

void seal__throw_recorded(seal_ctx *ctx)
{
    if (ctx->status == SEAL_OK)
        seal__fail(ctx, SEAL_ERR_INTERNAL, "an error was thrown without a status");
    ctx->thrown = 1;
    fz_throw(ctx->fz, FZ_ERROR_GENERIC, "%s", ctx->msg);
}

void seal__throw(seal_ctx *ctx, seal_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(ctx, st, fmt, ap);
    va_end(ap);
    seal__throw_recorded(ctx);
}

/* The size of the message buffer of MuPDF 1.21's fz_context (fz_error_context
 * keeps `char message[256]`): a longer message reaches fz_caught_message
 * cut to 255 bytes. */
#define FZ_ERROR_MESSAGE_KEPT 256

seal_status seal__from_fz(seal_ctx *ctx, seal_status fallback)
{
    int code = fz_caught(ctx->fz);
    const char *caught = fz_caught_message(ctx->fz);
    size_t n = strlen(caught);
    int ours = ctx->thrown;

    /* An error seal__throw raised keeps its status and whole message: the
     * flag says one is in flight, and the exception caught is that one if
     * its message is ours as far as MuPDF kept it (MuPDF 1.21 keeps 255
     * bytes; ours run to SEAL_MSG_MAX, and a long path or URL used to turn
     * exit 6 into exit 4 here). A MuPDF error thrown after one of ours was
     * swallowed does not match; one caught, taken back and rethrown
     * still does. */
    if (ours && ctx->status != SEAL_OK && strncmp(caught, ctx->msg, n) == 0 &&
        (ctx->msg[n] == 0 || n + 1 >= FZ_ERROR_MESSAGE_KEPT))
        return ctx->status;
    if (code == FZ_ERROR_MEMORY)
        return seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
    return seal__fail(ctx, fallback, "%s", fz_caught_message(ctx->fz));
}

void seal__ossl_clear(void)
{
    ERR_clear_error();
}

/* Append the OpenSSL error queue (most recent reasons) to the message and
 * empty it. */
static void drain_ossl(seal_ctx *ctx)
{
    unsigned long e;
    size_t used = strlen(ctx->msg);
    int first = 1;

    while ((e = ERR_get_error()) != 0) {
        char buf[256];
        if (used + 4 >= sizeof(ctx->msg))
            continue;
        ERR_error_string_n(e, buf, sizeof(buf));
        /* Keep the reason text only: "error:0480006C:PEM routines::no start line" */
        const char *reason = buf;
        const char *colon = strrchr(buf, ':');
        if (colon && colon[1])
            reason = colon + 1;
        snprintf(ctx->msg + used, sizeof(ctx->msg) - used, "%s%s", first ? ": " : "; ", reason);
        used = strlen(ctx->msg);
        first = 0;
    }
    one_line(ctx->msg);
}

seal_status seal__ossl_fail(seal_ctx *ctx, seal_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(ctx, st, fmt, ap);
    va_end(ap);
    drain_ossl(ctx);
    return st;
}

void seal__ossl_throw(seal_ctx *ctx, seal_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(ctx, st, fmt, ap);
    va_end(ap);
    drain_ossl(ctx);
    seal__throw_recorded(ctx);
}

void seal__warn(seal_ctx *ctx, const char *fmt, ...)
{
    char buf[SEAL_MSG_MAX];
    va_list ap;

    if (!ctx->warn_cb)
        return;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    one_line(buf);
    ctx->warn_cb(ctx->warn_user, buf);
}

#define HUGE_PAGE ((size_t)2 << 20)

seal_status seal__big_alloc(seal_ctx *ctx, const char *path, size_t len, unsigned char **data,
                            size_t *size)
{
    /* A file smaller than one huge page gets plain pages: a whole 2 MiB
     * page to clear would cost more than it saves. Larger ones get whole
     * huge pages, placed on a huge-page boundary: the slack before and
     * after the boundary is given back. */
    int small = len < HUGE_PAGE;
    size_t want = small ? (len ? len : 1) : (len + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    unsigned char *area = mmap(NULL, small ? want : want + HUGE_PAGE, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    *data = NULL;
    *size = 0;
    if (area == MAP_FAILED)
        return seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory reading %s", path);
    if (small) {
        *data = area;
        *size = want;
        return SEAL_OK;
    }
    unsigned char *buf = (unsigned char *)(((uintptr_t)area + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
    if (buf > area)
        munmap(area, (size_t)(buf - area));
    munmap(buf + want, (size_t)(area + want + HUGE_PAGE - (buf + want)));
    madvise(buf, want, MADV_HUGEPAGE); /* a hint: 4 KiB pages without it */
    *data = buf;
    *size = want;
    return SEAL_OK;
}

void seal__big_free(unsigned char *data, size_t size)
{
    if (data)
        munmap(data, size);
}

int seal__pread_full(int fd, unsigned char *buf, size_t n, int64_t off)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(fd, buf + got, n - got, (off_t)(off + (int64_t)got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return errno ? errno : EIO;
        if (r == 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

seal_status seal__read_failed(seal_ctx *ctx, const char *path, int err)
{
    return seal__fail(ctx, SEAL_ERR_IO, "cannot read %s: %s", path,
                      err > 0 ? strerror(err) : "the file became shorter while it was read");
}

seal_status seal__load_file(seal_ctx *ctx, const char *path, size_t len, unsigned char **data, size_t *size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC), e;
    seal_status st;

    *data = NULL;
    *size = 0;
    if (fd < 0)
        return seal__read_failed(ctx, path, errno ? errno : EIO);
    if ((st = seal__big_alloc(ctx, path, len, data, size)) == SEAL_OK && (e = seal__pread_full(fd, *data, len, 0))) {
        seal__big_free(*data, *size);
        *data = NULL;
        *size = 0;
        st = seal__read_failed(ctx, path, e);
    }
    close(fd);
    return st;
}

seal_status seal__read_file(seal_ctx *ctx, const char *path, size_t limit, unsigned char **data,
                            size_t *len)
{
    struct stat st;
    unsigned char *buf = NULL;
    size_t got = 0;
    int fd;

    *data = NULL;
    *len = 0;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return seal__fail(ctx, SEAL_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return seal__fail(ctx, SEAL_ERR_IO, "%s is not a regular file", path);
    }
    if ((unsigned long long)st.st_size > limit) {
        close(fd);
        return seal__fail(ctx, SEAL_ERR_INPUT, "%s is too large (%lld bytes, limit %zu)", path,
                          (long long)st.st_size, limit);
    }
    buf = malloc((size_t)st.st_size + 1);
    if (!buf) {
        close(fd);
        return seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory reading %s", path);
    }
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            free(buf);
            close(fd);
            return seal__fail(ctx, SEAL_ERR_IO, "cannot read %s: %s", path,
                              n < 0 ? strerror(errno) : "file shrank while reading");
        }
        got += (size_t)n;
    }
    close(fd);
    buf[got] = 0;
    *data = buf;
    *len = got;
    return SEAL_OK;
}

seal_status seal__temp_path(seal_ctx *ctx, const char *target, char *tmp, size_t tmpsize)
{
    const char *slash = strrchr(target, '/');
    size_t dirlen = slash ? (size_t)(slash - target) + 1 : 0;
    int fd, n;

    /* ".NAME.seal-HOST~PID~XXXXXX" in the target's directory: the final
     * rename is atomic, and a stray temporary is recognisable and tells
     * which process made it (seal__temp_owner_dead). */
    char host[64];
    seal__temp_host(host, sizeof(host));
    n = snprintf(tmp, tmpsize, "%.*s.%s.seal-%s~%ld~XXXXXX", (int)dirlen, target,
                 slash ? slash + 1 : target, host, (long)getpid());
    if (n < 0 || (size_t)n >= tmpsize)
        return seal__fail(ctx, SEAL_ERR_ARGS, "output path too long: %s", target);
    fd = mkstemp(tmp);
    if (fd < 0)
        return seal__fail(ctx, SEAL_ERR_IO, "cannot write %s: %s", target, strerror(errno));
    close(fd);
    return SEAL_OK;
}

void seal__temp_host(char *host, size_t size)
{
    if (gethostname(host, size) != 0)
        snprintf(host, size, "localhost");
    host[size - 1] = 0;
    for (char *c = host; *c; c++)
        if (*c == '/' || *c == '~' || *c == ' ')
            *c = '_';
}

int seal__temp_owner_dead(const char *name)
{
    const char *p = strstr(name, ".seal-");
    char host[64], mine[64];
    long pid;
    const char *t1, *t2;

    if (!p)
        return 0;
    p += 6;
    t1 = strchr(p, '~');
    t2 = t1 ? strchr(t1 + 1, '~') : NULL;
    if (!t1 || !t2 || (size_t)(t1 - p) >= sizeof(host))
        return 1; /* not a name of ours with an owner: an old leftover */
    snprintf(host, sizeof(host), "%.*s", (int)(t1 - p), p);
    seal__temp_host(mine, sizeof(mine));
    pid = strtol(t1 + 1, NULL, 10);
    /* Another machine's work (a shared directory): never ours to judge. */
    if (strcmp(host, mine) || pid <= 0)
        return 0;
    return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

seal_status seal__commit_file(seal_ctx *ctx, const char *tmp, const char *target)
{
    int fd = open(tmp, O_RDONLY | O_CLOEXEC);
    const char *slash;
    char dir[4096];

    if (fd < 0 || fsync(fd) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return seal__fail(ctx, SEAL_ERR_IO, "cannot write %s: %s", target, strerror(e));
    }
    close(fd);
    /* A name that holds a device, a pipe or a socket (/dev/null) is never
     * replaced by a file. */
    struct stat tst;
    if (stat(target, &tst) == 0 && !S_ISREG(tst.st_mode)) {
        unlink(tmp);
        return seal__fail(ctx, SEAL_ERR_ARGS, "the output %s is not a regular file; nothing was written", target);
    }
    if (chmod(tmp, 0644) != 0 || rename(tmp, target) != 0)
        return seal__fail(ctx, SEAL_ERR_IO, "cannot write %s: %s", target, strerror(errno));
    /* The rename itself reaches the disk with the directory. Best effort:
     * the file is already whole under its name. */
    slash = strrchr(target, '/');
    snprintf(dir, sizeof(dir), "%.*s", slash ? (slash == target ? 1 : (int)(slash - target)) : 1,
             slash ? target : ".");
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    return SEAL_OK;
}

void seal__hex(const unsigned char *data, size_t len, char *out)
{
    static const char digits[] = "0123456789ABCDEF";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 15];
    }
    out[2 * len] = 0;
}

SEAL_API seal_status seal_clean_temporaries(seal_ctx *ctx, const char *dir, int *removed)
{
    DIR *d;
    struct dirent *e;
    int n = 0;

    if (!ctx || !dir)
        return SEAL_ERR_ARGS;
    seal__reset(ctx);
    if (removed)
        *removed = 0;
    d = opendir(dir);
    if (!d)
        return seal__fail(ctx, SEAL_ERR_IO, "cannot read directory %s: %s", dir, strerror(errno));
    while ((e = readdir(d)) != NULL) {
        char path[4096];
        if (e->d_name[0] != '.' || !strstr(e->d_name, ".seal-") || !seal__temp_owner_dead(e->d_name))
            continue;
        if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) < (int)sizeof(path) &&
            unlink(path) == 0)
            n++;
    }
    closedir(d);
    if (removed)
        *removed = n;
    return SEAL_OK;
}

SEAL_API seal_status seal_temp_path(seal_ctx *ctx, const char *target, char *path, size_t size)
{
    if (!ctx || !target || !path || !size)
        return SEAL_ERR_ARGS;
    seal__reset(ctx);
    return seal__temp_path(ctx, target, path, size);
}

void seal__xml_escape(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}
