/*
 * Outputs that never replace inputs, and outputs written whole or not at
 * all: the path check every command makes before it writes, and the one
 * atomic-write helper (temporary file beside the target, fsync, rename).
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------ path check */

/* What a path names: the file (device and inode) when it exists, and the
 * normalised absolute path it has or would be created at. */
typedef struct path_id {
    const char *shown;  /* the spelling to name in messages */
    int exists;
    dev_t dev;
    ino_t ino;
    char *where;        /* malloc'd normalised path, or NULL */
} path_id;

typedef struct path_set {
    path_id *v;
    size_t n, cap;
    char **names;       /* malloc'd "DIR/entry" spellings, freed with the set */
    size_t nnames, capnames;
} path_set;

static int set_push(path_set *s, path_id id)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        path_id *v = realloc(s->v, cap * sizeof(*v));
        if (!v)
            return -1;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = id;
    return 0;
}

static char *set_keep_name(path_set *s, char *name)
{
    if (s->nnames == s->capnames) {
        size_t cap = s->capnames ? s->capnames * 2 : 16;
        char **v = realloc(s->names, cap * sizeof(*v));
        if (!v) {
            free(name);
            return NULL;
        }
        s->names = v;
        s->capnames = cap;
    }
    s->names[s->nnames++] = name;
    return name;
}

static void set_free(path_set *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i].where);
    for (size_t i = 0; i < s->nnames; i++)
        free(s->names[i]);
    free(s->v);
    free(s->names);
}

/* Drop the last component of an absolute path in place ("/a/b" -> "/a"). */
static void drop_last(char *p)
{
    char *slash = strrchr(p, '/');
    if (slash == p)
        p[1] = 0;
    else if (slash)
        *slash = 0;
}

/* Append one component to an absolute path: "." is nothing, ".." goes up. */
static int append_part(char *p, size_t size, const char *part, size_t len)
{
    size_t used = strlen(p);
    if (len == 0 || (len == 1 && part[0] == '.'))
        return 0;
    if (len == 2 && part[0] == '.' && part[1] == '.') {
        drop_last(p);
        return 0;
    }
    if (used + len + 2 > size)
        return -1;
    if (used > 1 || p[0] != '/')
        p[used++] = '/';
    memcpy(p + used, part, len);
    p[used + len] = 0;
    return 0;
}

/*
 * The normalised absolute path of a file that does not exist (yet): the
 * real path of its longest existing ancestor (symlinks, "./" and "../"
 * resolved by the system), then the rest of the name lexically. An ancestor
 * that exists but is not a directory makes the path unwritable (ENOTDIR).
 */
static char *where_would_be(const char *path, int *err)
{
    char abs[PATH_MAX * 2], head[PATH_MAX * 2], real[PATH_MAX], *out;
    size_t cut;
    struct stat st;

    *err = 0;
    if (path[0] == '/') {
        snprintf(abs, sizeof(abs), "%s", path);
    } else {
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof(cwd))) {
            *err = errno;
            return NULL;
        }
        if (snprintf(abs, sizeof(abs), "%s/%s", cwd, path) >= (int)sizeof(abs)) {
            *err = ENAMETOOLONG;
            return NULL;
        }
    }
    /* The longest existing prefix ending at a '/' (the root always exists). */
    cut = strlen(abs);
    for (;;) {
        while (cut > 0 && abs[cut - 1] != '/')
            cut--;
        snprintf(head, sizeof(head), "%.*s", cut > 1 ? (int)cut - 1 : 1, abs);
        if (stat(head, &st) == 0)
            break;
        if (cut <= 1) {
            *err = errno;
            return NULL;
        }
        cut--;
    }
    if (!S_ISDIR(st.st_mode)) {
        *err = ENOTDIR;
        return NULL;
    }
    if (!realpath(head, real)) {
        *err = errno;
        return NULL;
    }
    out = malloc(PATH_MAX * 2);
    if (!out) {
        *err = ENOMEM;
        return NULL;
    }
    snprintf(out, PATH_MAX * 2, "%s", real);
    for (const char *p = abs + cut; *p;) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (append_part(out, PATH_MAX * 2, p, len) != 0) {
            free(out);
            *err = ENAMETOOLONG;
            return NULL;
        }
        p += len;
        while (*p == '/')
            p++;
    }
    return out;
}

static seal_status identify(seal_ctx *ctx, const char *path, path_id *id)
{
    struct stat st;
    int err;

    memset(id, 0, sizeof(*id));
    id->shown = path;
    if (stat(path, &st) == 0) {
        id->exists = 1;
        id->dev = st.st_dev;
        id->ino = st.st_ino;
        id->where = realpath(path, NULL);
        return SEAL_OK;
    }
    id->where = where_would_be(path, &err);
    if (!id->where) {
        if (err == ENOMEM)
            return seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
        return seal__fail(ctx, SEAL_ERR_ARGS, "%s cannot be a file: %s", path, strerror(err));
    }
    return SEAL_OK;
}

/* One file: the same inode (links included), or the same normalised path
 * (also when one of them does not exist yet: "missing/../bid.pdf"). */
static int same_id(const path_id *a, const path_id *b)
{
    if (a->exists && b->exists && a->dev == b->dev && a->ino == b->ino)
        return 1;
    return a->where && b->where && strcmp(a->where, b->where) == 0;
}

/* An input directory (a folder of bids, a trust directory): every file
 * directly in it is read. */
static seal_status add_dir_inputs(seal_ctx *ctx, path_set *s, const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    seal_status st = SEAL_OK;

    if (!d)
        return SEAL_OK; /* the command reports an unreadable input itself */
    while (st == SEAL_OK && (e = readdir(d)) != NULL) {
        struct stat fst;
        char *name;
        path_id id;
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        name = malloc(len);
        if (!name || !set_keep_name(s, name)) {
            st = seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
            break;
        }
        snprintf(name, len, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", e->d_name);
        if (stat(name, &fst) != 0 || S_ISDIR(fst.st_mode))
            continue;
        memset(&id, 0, sizeof(id));
        id.shown = name;
        id.exists = 1;
        id.dev = fst.st_dev;
        id.ino = fst.st_ino;
        if (set_push(s, id) != 0)
            st = seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
    }
    closedir(d);
    return st;
}

seal_status seal__paths_check(seal_ctx *ctx, const char *const *inputs, size_t n_inputs,
                              const char *const *outputs, size_t n_outputs)
{
    path_set in = {0}, out = {0};
    seal_status st = SEAL_OK;
    struct stat fst;

    for (size_t i = 0; i < n_outputs && st == SEAL_OK; i++) {
        path_id id;
        if (!outputs[i])
            continue;
        if (!outputs[i][0]) {
            st = seal__fail(ctx, SEAL_ERR_ARGS, "an output path is empty");
            break;
        }
        if (stat(outputs[i], &fst) == 0 && S_ISDIR(fst.st_mode)) {
            st = seal__fail(ctx, SEAL_ERR_ARGS, "the output %s is a directory, not a file",
                            outputs[i]);
            break;
        }
        if (stat(outputs[i], &fst) == 0 && !S_ISREG(fst.st_mode)) {
            /* /dev/null and its kind: an output is written to a temporary
             * file renamed over its name, which would replace the device. */
            st = seal__fail(ctx, SEAL_ERR_ARGS, "the output %s is not a regular file; nothing was written",
                            outputs[i]);
            break;
        }
        if ((st = identify(ctx, outputs[i], &id)) != SEAL_OK)
            break;
        if (set_push(&out, id) != 0) {
            free(id.where);
            st = seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
        }
    }
    for (size_t i = 0; i < n_inputs && st == SEAL_OK; i++) {
        path_id id;
        if (!inputs[i] || !inputs[i][0])
            continue;
        if (stat(inputs[i], &fst) == 0 && S_ISDIR(fst.st_mode)) {
            st = add_dir_inputs(ctx, &in, inputs[i]);
            continue;
        }
        if ((st = identify(ctx, inputs[i], &id)) != SEAL_OK) {
            /* An input that cannot exist is reported when it is read. */
            seal__reset(ctx);
            st = SEAL_OK;
            continue;
        }
        if (set_push(&in, id) != 0) {
            free(id.where);
            st = seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
        }
    }
    for (size_t o = 0; o < out.n && st == SEAL_OK; o++) {
        for (size_t i = 0; i < in.n && st == SEAL_OK; i++)
            if (same_id(&out.v[o], &in.v[i]))
                st = seal__fail(ctx, SEAL_ERR_ARGS,
                                "the output %s would replace the input %s; nothing was written",
                                out.v[o].shown, in.v[i].shown);
        for (size_t k = o + 1; k < out.n && st == SEAL_OK; k++)
            if (same_id(&out.v[o], &out.v[k]))
                st = seal__fail(ctx, SEAL_ERR_ARGS,
                                "the outputs %s and %s are one file; nothing was written",
                                out.v[o].shown, out.v[k].shown);
    }
    set_free(&in);
    set_free(&out);
    return st;
}

SEAL_API seal_status seal_paths_check(seal_ctx *ctx, const char *const *inputs, size_t n_inputs,
                                      const char *const *outputs, size_t n_outputs)
{
    if (!ctx)
        return SEAL_ERR_ARGS;
    seal__reset(ctx);
    if ((n_inputs && !inputs) || (n_outputs && !outputs))
        return seal__fail(ctx, SEAL_ERR_ARGS, "seal_paths_check: missing argument");
    return seal__paths_check(ctx, inputs, n_inputs, outputs, n_outputs);
}

/* ------------------------------------------------------------ atomic writes */

seal_status seal__write_all(seal_ctx *ctx, int fd, const void *data, size_t len, const char *target)
{
    const unsigned char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return seal__fail(ctx, SEAL_ERR_IO, "cannot write %s: %s", target,
                              n < 0 ? strerror(errno) : "nothing written");
        p += n;
        len -= (size_t)n;
    }
    return SEAL_OK;
}

const char *seal__fz_io_reason(seal_ctx *ctx)
{
    static const char *const stdio[] = {"cannot fwrite: ", "cannot fclose: ", "cannot fseek: ",
                                        "cannot ftell: ", "cannot fflush: "};
    const char *msg = fz_caught_message(ctx->fz);

    for (size_t i = 0; i < sizeof(stdio) / sizeof(stdio[0]); i++)
        if (!strncmp(msg, stdio[i], strlen(stdio[i])))
            return msg + strlen(stdio[i]);
    return NULL;
}

seal_status seal__fz_write_error(seal_ctx *ctx, const char *target, seal_status fallback)
{
    const char *why = seal__fz_io_reason(ctx);

    /* MuPDF's file output says which call failed, not which file. */
    if (why)
        return seal__fail(ctx, SEAL_ERR_IO, "cannot write %s: %s", target, why);
    return seal__from_fz(ctx, fallback);
}

struct seal_output {
    seal_ctx *ctx;
    char *target;
    char tmp[PATH_MAX + 64];
    int fd;
};

SEAL_API seal_status seal_output_open(seal_ctx *ctx, seal_output **out, const char *path,
                                      unsigned flags)
{
    seal_output *o;
    seal_status st;

    if (!ctx)
        return SEAL_ERR_ARGS;
    seal__reset(ctx);
    if (!out || !path || !path[0])
        return seal__fail(ctx, SEAL_ERR_ARGS, "seal_output_open: missing argument");
    *out = NULL;
    if (flags & ~(unsigned)SEAL_OUTPUT_APPEND)
        return seal__fail(ctx, SEAL_ERR_ARGS, "seal_output_open: unknown flags 0x%x", flags);
    o = calloc(1, sizeof(*o));
    if (!o || !(o->target = strdup(path))) {
        free(o);
        return seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
    }
    o->ctx = ctx;
    o->fd = -1;
    if ((st = seal__temp_path(ctx, path, o->tmp, sizeof(o->tmp))) != SEAL_OK) {
        free(o->target);
        free(o);
        return st;
    }
    o->fd = open(o->tmp, O_WRONLY | O_CLOEXEC);
    if (o->fd < 0) {
        st = seal__fail(ctx, SEAL_ERR_IO, "cannot write %s: %s", path, strerror(errno));
        seal_output_free(o);
        return st;
    }
    if (flags & SEAL_OUTPUT_APPEND) {
        /* The earlier content first: the target is replaced, never written
         * in place, so a failure keeps it as it was. */
        int in = open(path, O_RDONLY | O_CLOEXEC);
        if (in < 0 && errno != ENOENT) {
            st = seal__fail(ctx, SEAL_ERR_IO, "cannot read %s: %s", path, strerror(errno));
            seal_output_free(o);
            return st;
        }
        while (in >= 0) {
            char buf[65536];
            ssize_t n = read(in, buf, sizeof(buf));
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                st = seal__fail(ctx, SEAL_ERR_IO, "cannot read %s: %s", path, strerror(errno));
            else if (n > 0)
                st = seal__write_all(ctx, o->fd, buf, (size_t)n, path);
            if (n <= 0 || st != SEAL_OK)
                break;
        }
        if (in >= 0)
            close(in);
        if (st != SEAL_OK) {
            seal_output_free(o);
            return st;
        }
    }
    *out = o;
    return SEAL_OK;
}

SEAL_API seal_status seal_output_write(seal_output *out, const void *data, size_t len)
{
    if (!out)
        return SEAL_ERR_ARGS;
    seal__reset(out->ctx);
    if (out->fd < 0)
        return seal__fail(out->ctx, SEAL_ERR_ARGS, "%s is already closed", out->target);
    if (!data && len)
        return seal__fail(out->ctx, SEAL_ERR_ARGS, "seal_output_write: missing data");
    return seal__write_all(out->ctx, out->fd, data, len, out->target);
}

SEAL_API seal_status seal_output_commit(seal_output *out)
{
    seal_status st;
    int fd;

    if (!out)
        return SEAL_ERR_ARGS;
    seal__reset(out->ctx);
    if (out->fd < 0)
        return seal__fail(out->ctx, SEAL_ERR_ARGS, "%s is already closed", out->target);
    fd = out->fd;
    out->fd = -1;
    if (close(fd) != 0) {
        st = seal__fail(out->ctx, SEAL_ERR_IO, "cannot write %s: %s", out->target, strerror(errno));
        unlink(out->tmp);
        out->tmp[0] = 0;
        return st;
    }
    st = seal__commit_file(out->ctx, out->tmp, out->target);
    if (st != SEAL_OK)
        unlink(out->tmp);
    out->tmp[0] = 0;
    return st;
}

SEAL_API void seal_output_free(seal_output *out)
{
    if (!out)
        return;
    if (out->fd >= 0)
        close(out->fd);
    if (out->tmp[0])
        unlink(out->tmp);
    free(out->target);
    free(out);
}

SEAL_API seal_status seal_file_write(seal_ctx *ctx, const char *path, const void *data, size_t len,
                                     unsigned flags)
{
    seal_output *o = NULL;
    seal_status st;

    if (!ctx)
        return SEAL_ERR_ARGS;
    if (!data && len) {
        seal__reset(ctx);
        return seal__fail(ctx, SEAL_ERR_ARGS, "seal_file_write: missing data");
    }
    st = seal_output_open(ctx, &o, path, flags);
    if (st == SEAL_OK)
        st = seal_output_write(o, data, len);
    if (st == SEAL_OK)
        st = seal_output_commit(o);
    seal_output_free(o);
    return st;
}
