/*
 * Job files: JSON read with json-c. The format is documented in
 * docs/jobs.md; relative paths are relative to the job file.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "job.h"
#include "placement.h"

#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <json-c/json.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

job *job_new(void)
{
    job *j = calloc(1, sizeof(*j));
    if (j)
        j->suffix = "";
    return j;
}

char *job_strdup(job *j, const char *s)
{
    char *d;
    if (!s)
        return NULL;
    if (j->nowned == j->capowned) {
        size_t cap = j->capowned ? j->capowned * 2 : 32;
        char **grown = realloc(j->owned, cap * sizeof(*grown));
        if (!grown)
            abort();
        j->owned = grown;
        j->capowned = cap;
    }
    d = strdup(s);
    if (!d)
        abort();
    j->owned[j->nowned++] = d;
    return d;
}

void job_free(job *j)
{
    if (!j)
        return;
    for (size_t i = 0; i < j->nkeys; i++)
        seal_key_free(j->keys[i].key);
    for (size_t i = 0; i < j->nsteps; i++)
        free(j->steps[i].placements);
    for (size_t i = 0; i < j->nowned; i++)
        free(j->owned[i]);
    free(j->owned);
    free(j->keys);
    free(j->steps);
    free(j->inputs);
    free(j);
}

static void push_input(job *j, const char *path)
{
    char **grown = realloc(j->inputs, (j->ninputs + 1) * sizeof(*grown));
    if (!grown)
        abort();
    j->inputs = grown;
    j->inputs[j->ninputs++] = job_strdup(j, path);
}

static int ends_with(const char *name, const char *suffix)
{
    size_t n = strlen(name), k = strlen(suffix);
    return n > k && !strcasecmp(name + n - k, suffix);
}

int job_add_input(job *j, const char *spec)
{
    struct stat st;

    if (strpbrk(spec, "*?[")) {
        glob_t g;
        int r = glob(spec, 0, NULL, &g);
        if (r == GLOB_NOMATCH) {
            cli_error("no file matches %s", spec);
            return -1;
        }
        if (r != 0) {
            cli_error("cannot expand %s", spec);
            return -1;
        }
        for (size_t i = 0; i < g.gl_pathc; i++)
            push_input(j, g.gl_pathv[i]);
        globfree(&g);
        return 0;
    }
    if (stat(spec, &st) == 0 && S_ISDIR(st.st_mode)) {
        DIR *d = opendir(spec);
        struct dirent *e;
        if (!d) {
            cli_error("cannot read directory %s: %s", spec, strerror(errno));
            return -1;
        }
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.' || !ends_with(e->d_name, j->input_suffix ? j->input_suffix : ".pdf"))
                continue;
            char *path;
            if (asprintf(&path, "%s/%s", spec, e->d_name) < 0)
                abort();
            push_input(j, path);
            free(path);
        }
        closedir(d);
        return 0;
    }
    /* A missing file is reported when it is processed, with the others. */
    push_input(j, spec);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void job_finish_inputs(job *j)
{
    size_t n = 0;
    qsort(j->inputs, j->ninputs, sizeof(char *), cmp_str);
    for (size_t i = 0; i < j->ninputs; i++)
        if (n == 0 || strcmp(j->inputs[n - 1], j->inputs[i]))
            j->inputs[n++] = j->inputs[i];
    j->ninputs = n;
}

/* Relative paths in a job file are relative to the job file's directory. */
static char *resolve(job *j, const char *base, const char *path)
{
    char *joined, *kept;
    if (!path)
        return NULL;
    if (path[0] == '/' || !base[0])
        return job_strdup(j, path);
    if (asprintf(&joined, "%s/%s", base, path) < 0)
        abort();
    kept = job_strdup(j, joined);
    free(joined);
    return kept;
}

static const char *get_str(json_object *o, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

/* A finite JSON number (json-c also reads NaN and Infinity). */
static int is_number(json_object *v)
{
    return (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)) &&
           isfinite(json_object_get_double(v));
}

/* "key": [a, b] of two numbers. */
static int get_pair(json_object *o, const char *key, double *a, double *b)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v))
        return 0;
    if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) != 2)
        return -1;
    json_object *x = json_object_array_get_idx(v, 0), *y = json_object_array_get_idx(v, 1);
    if (!is_number(x) || !is_number(y))
        return -1;
    *a = json_object_get_double(x);
    *b = json_object_get_double(y);
    return 1;
}

static int get_int(json_object *o, const char *key, int *out)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v))
        return 0;
    if (!json_object_is_type(v, json_type_int))
        return -1;
    *out = json_object_get_int(v);
    return 1;
}

static int known_keys(json_object *o, const char *what, const char *const *allowed)
{
    json_object_object_foreach(o, k, v) {
        int ok = 0;
        (void)v;
        for (size_t i = 0; allowed[i]; i++)
            if (!strcmp(k, allowed[i]))
                ok = 1;
        if (!ok) {
            cli_error("job: unknown field \"%s\" in %s", k, what);
            return -1;
        }
    }
    return 0;
}

/* One placement object: read into the spec seal sign's options fill, and
 * checked by the same rules (placement.c). */
static int parse_placement(job *j, json_object *o, seal_placement *pl, size_t step, size_t idx)
{
    static const char *const allowed[] = {"page", "at", "pages", "keyword", "nth", "all", "offset",
                                          "cross_page", "edge", "y", "group", "field", NULL};
    char what[64];
    int has_at, has_offset, r = 0;
    json_object *v;
    cli_place_spec ps = {.job = 1};
    seal_placement pls[2];
    size_t n = 0;
    const char *bad;

    snprintf(what, sizeof(what), "steps[%zu].placements[%zu]", step, idx);
    if (!json_object_is_type(o, json_type_object)) {
        cli_error("job: %s is not an object", what);
        return -1;
    }
    if (known_keys(o, what, allowed))
        return -1;
    has_at = get_pair(o, "at", &ps.x_mm, &ps.y_mm);
    has_offset = get_pair(o, "offset", &ps.dx_mm, &ps.dy_mm);
    if (has_at < 0 || has_offset < 0 || get_int(o, "page", &ps.page) < 0) {
        cli_error("job: %s: \"at\" is [x, y] in mm, \"offset\" [dx, dy] in mm and \"page\" a number",
                  what);
        return -1;
    }
    ps.have_at = has_at > 0;
    ps.have_offset = has_offset > 0;
    ps.pages = job_strdup(j, get_str(o, "pages"));
    ps.keyword = job_strdup(j, get_str(o, "keyword"));
    ps.field = job_strdup(j, get_str(o, "field"));
    ps.cross = json_object_object_get_ex(o, "cross_page", &v) && json_object_get_boolean(v);
    ps.all = json_object_object_get_ex(o, "all", &v) && json_object_get_boolean(v);
    ps.have_nth = json_object_object_get_ex(o, "nth", NULL);
    if (get_int(o, "nth", &ps.nth) < 0)
        r = -1;
    if (json_object_object_get_ex(o, "edge", &v)) {
        const char *edge = get_str(o, "edge");
        if (!edge || (strcmp(edge, "right") && strcmp(edge, "left"))) {
            cli_error("job: %s: \"edge\" is \"right\" or \"left\"", what);
            return -1;
        }
        ps.have_edge = 1;
        ps.edge = !strcmp(edge, "left") ? SEAL_EDGE_LEFT : SEAL_EDGE_RIGHT;
    }
    if (json_object_object_get_ex(o, "y", &v)) {
        if (!is_number(v))
            r = -1;
        ps.have_y = 1;
        ps.y = json_object_get_double(v);
    }
    if (json_object_object_get_ex(o, "group", &v) && json_object_is_type(v, json_type_string) &&
        !strcmp(json_object_get_string(v), "auto"))
        ps.group = SEAL_GROUP_AUTO;
    else if (get_int(o, "group", &ps.group) < 0)
        r = -1;
    if (r < 0) {
        cli_error("job: %s has a field of the wrong type", what);
        return -1;
    }
    if ((bad = cli_place_build(&ps, pls, &n)) != NULL) {
        cli_error("job: %s: %s", what, bad);
        return -1;
    }
    if (n != 1) {
        cli_error("job: %s %s", what,
                  n ? "asks for two seals: give the cross-page seal a placement of its own"
                    : "needs page+at, pages+at, keyword, cross_page or field");
        return -1;
    }
    *pl = pls[0];
    return 0;
}

static int parse_keys(job *j, json_object *keys, const char *base)
{
    static const char *const allowed[] = {"uri", "pin_file", "chain", NULL};
    size_t n = 0;

    if (!json_object_is_type(keys, json_type_object)) {
        cli_error("job: \"keys\" is an object of named keys");
        return -1;
    }
    j->keys = calloc((size_t)json_object_object_length(keys) + 1, sizeof(job_key));
    if (!j->keys)
        abort();
    json_object_object_foreach(keys, name, k) {
        char what[160];
        snprintf(what, sizeof(what), "keys.%s", name);
        if (!json_object_is_type(k, json_type_object) || known_keys(k, what, allowed))
            return -1;
        const char *uri = get_str(k, "uri");
        if (!uri) {
            cli_error("job: %s has no \"uri\"", what);
            return -1;
        }
        j->keys[n].name = job_strdup(j, name);
        /* p12:FILE and pem:FILE are paths too. */
        if ((!strncmp(uri, "p12:", 4) || !strncmp(uri, "pem:", 4)) && uri[4] != '/' && base[0]) {
            char *p = resolve(j, base, uri + 4), *u;
            if (asprintf(&u, "%.4s%s", uri, p) < 0)
                abort();
            j->keys[n].uri = job_strdup(j, u);
            free(u);
        } else {
            j->keys[n].uri = job_strdup(j, uri);
        }
        j->keys[n].pin_file = resolve(j, base, get_str(k, "pin_file"));
        j->keys[n].chain = resolve(j, base, get_str(k, "chain"));
        n++;
    }
    j->nkeys = n;
    return 0;
}

static int parse_steps(job *j, json_object *steps, const char *base)
{
    static const char *const allowed[] = {"key", "seal", "reason", "location", "certify",
                                          "placements", "field_name", "level", "level_best_effort",
                                          "tsa", "date", NULL};
    size_t n = json_object_is_type(steps, json_type_array) ? json_object_array_length(steps) : 0;

    if (n == 0) {
        cli_error("job: \"steps\" is a non-empty array");
        return -1;
    }
    j->steps = calloc(n, sizeof(job_step));
    if (!j->steps)
        abort();
    j->nsteps = n; /* so job_free frees what a failed parse leaves */
    for (size_t i = 0; i < n; i++) {
        json_object *s = json_object_array_get_idx(steps, i), *pls;
        job_step *st = &j->steps[i];
        seal_sign_options init = SEAL_SIGN_OPTIONS_INIT;
        char what[32];
        const char *key;
        size_t k;

        snprintf(what, sizeof(what), "steps[%zu]", i);
        if (!json_object_is_type(s, json_type_object) || known_keys(s, what, allowed))
            return -1;
        st->opts = init;
        key = get_str(s, "key");
        for (k = 0; key && k < j->nkeys; k++)
            if (!strcmp(j->keys[k].name, key))
                break;
        if (!key || k == j->nkeys) {
            cli_error("job: %s names no key of \"keys\" (\"key\": \"%s\")", what, key ? key : "");
            return -1;
        }
        st->key = k;
        st->opts.artwork_path = resolve(j, base, get_str(s, "seal"));
        st->opts.reason = job_strdup(j, get_str(s, "reason"));
        st->opts.location = job_strdup(j, get_str(s, "location"));
        st->opts.field_name = job_strdup(j, get_str(s, "field_name"));
        if (get_int(s, "certify", &st->opts.certify) < 0 || st->opts.certify < 0 ||
            st->opts.certify > 3) {
            cli_error("job: %s: \"certify\" is 1, 2 or 3", what);
            return -1;
        }
        st->opts.tsa_url = job_strdup(j, get_str(s, "tsa"));
        json_object *date;
        if (json_object_object_get_ex(s, "date", &date)) {
            if (json_object_is_type(date, json_type_string)) {
                st->opts.caption = job_strdup(j, json_object_get_string(date));
            } else if (json_object_get_boolean(date)) {
                char today[64];
                cli_today(today, sizeof(today));
                st->opts.caption = job_strdup(j, today);
            }
        }
        if (get_str(s, "level") && cli_parse_level(get_str(s, "level"), &st->opts.level)) {
            cli_error("job: %s: \"level\" is B-B, B-T, B-LT or B-LTA", what);
            return -1;
        }
        if (st->opts.tsa_url && st->opts.level == SEAL_LEVEL_B_B)
            st->opts.level = SEAL_LEVEL_B_T;
        json_object *best;
        if (json_object_object_get_ex(s, "level_best_effort", &best) && json_object_get_boolean(best))
            st->opts.flags |= SEAL_SIGN_LEVEL_BEST_EFFORT;
        if (st->opts.level >= SEAL_LEVEL_B_T && !st->opts.tsa_url) {
            cli_error("job: %s: level %s needs \"tsa\"", what, get_str(s, "level"));
            return -1;
        }
        if (json_object_object_get_ex(s, "placements", &pls)) {
            size_t np = json_object_is_type(pls, json_type_array) ? json_object_array_length(pls) : 0;
            st->placements = calloc(np ? np : 1, sizeof(seal_placement));
            if (!st->placements)
                abort();
            for (size_t p = 0; p < np; p++)
                if (parse_placement(j, json_object_array_get_idx(pls, p), &st->placements[p], i, p))
                    return -1;
            st->opts.placements = st->placements;
            st->opts.placement_count = np;
        }
    }
    return 0;
}

job *job_load(const char *path)
{
    static const char *const allowed[] = {"version", "inputs", "output", "suffix", "keys",
                                          "steps", "password_env", NULL};
    json_object *root = json_object_from_file(path), *v;
    job *j = NULL;
    char base[PATH_MAX];
    const char *slash = strrchr(path, '/');

    if (strlen(path) >= sizeof(base)) {
        cli_error("job file path too long");
        return NULL;
    }

    if (!root) {
        cli_error("cannot read job file %s: %s", path, json_util_get_last_err());
        return NULL;
    }
    snprintf(base, sizeof(base), "%.*s", slash ? (int)(slash - path) : 0, path);
    j = job_new();
    if (!j)
        abort();
    j->file = job_strdup(j, path);
    if (!json_object_is_type(root, json_type_object) || known_keys(root, "the job", allowed))
        goto fail;
    int version = 1;
    if (get_int(root, "version", &version) < 0 || version != 1) {
        cli_error("job: unsupported \"version\" (this seal reads version 1)");
        goto fail;
    }
    if (!json_object_object_get_ex(root, "keys", &v) || parse_keys(j, v, base))
        goto fail;
    if (!json_object_object_get_ex(root, "steps", &v) || parse_steps(j, v, base))
        goto fail;
    if (!get_str(root, "output")) {
        cli_error("job: \"output\" (a directory) is missing");
        goto fail;
    }
    j->outdir = resolve(j, base, get_str(root, "output"));
    if (get_str(root, "suffix"))
        j->suffix = job_strdup(j, get_str(root, "suffix"));
    if (get_str(root, "password_env")) {
        j->password = getenv(get_str(root, "password_env"));
        if (!j->password) {
            cli_error("job: environment variable %s (password_env) is not set",
                      get_str(root, "password_env"));
            goto fail;
        }
    }
    if (!json_object_object_get_ex(root, "inputs", &v) || !json_object_is_type(v, json_type_array) ||
        json_object_array_length(v) == 0) {
        cli_error("job: \"inputs\" is a non-empty array of files, directories or patterns");
        goto fail;
    }
    for (size_t i = 0; i < json_object_array_length(v); i++) {
        json_object *in = json_object_array_get_idx(v, i);
        if (!json_object_is_type(in, json_type_string)) {
            cli_error("job: inputs[%zu] is not a string", i);
            goto fail;
        }
        char *p = resolve(j, base, json_object_get_string(in));
        if (job_add_input(j, p))
            goto fail;
    }
    job_finish_inputs(j);
    for (size_t i = 0; i < j->nsteps; i++)
        j->steps[i].opts.password = j->password;
    json_object_put(root);
    return j;
fail:
    json_object_put(root);
    job_free(j);
    return NULL;
}

int job_from_args(job **out, const char *outdir, const char *input_suffix, char **inputs, int n)
{
    job *j = job_new();

    *out = NULL;
    if (!j)
        return EXIT_FAILED;
    char *dir = job_strdup(j, outdir);
    for (size_t len = strlen(dir); len > 1 && dir[len - 1] == '/'; len--)
        dir[len - 1] = 0;
    j->outdir = dir;
    j->input_suffix = input_suffix;
    for (int i = 0; i < n; i++)
        if (job_add_input(j, inputs[i])) {
            job_free(j);
            return EXIT_USAGE;
        }
    job_finish_inputs(j);
    *out = j;
    return EXIT_OK;
}
