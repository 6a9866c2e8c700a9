/*
 * The batch runner: every input through every step of a job, with worker
 * threads, one PIN entry per key, progress, resume and a summary.
 *
 * Safety: each key is opened (and its PIN asked for) once, before any file
 * is touched, so a wrong PIN stops the batch with nothing written and can
 * never lock a token. Every output is written to a temporary file, checked
 * and renamed by the library; a kill at any moment leaves only whole
 * outputs, and the next run removes stray temporary files.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "job.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef enum { F_PENDING, F_SEALED, F_SKIPPED, F_FAILED } file_state;

typedef struct file_result {
    file_state state;
    seal_status status;
    char reason[512];
    double seconds;
    int check;             /* job_ops: exit code of the check after, -1 none */
} file_result;

typedef struct runner {
    job *j;
    const batch_opts *o;
    size_t *todo;          /* indexes into j->inputs for this shard */
    size_t ntodo;
    char **outputs;        /* output path per input index */
    file_result *results;
    atomic_size_t next;
    pthread_mutex_t lock;  /* progress, log and counters */
    size_t done, sealed, skipped, failed;
    size_t checks[5];      /* job_ops checks by exit code: 0, 1, 3, 4 (2 unused) */
    double started;
    int tty;
    seal_ctx *logctx;      /* the --json-log output's context (used under lock) */
    seal_output *log;      /* written whole at the end (seal_output_commit) */
    int log_failed;
} runner;

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* outdir/NAME<suffix>.pdf */
static char *output_path(job *j, const char *input)
{
    char *buf, *kept;
    if (j->ops)
        return j->ops->output_path(j, input);
    const char *b = base_name(input);
    size_t n = strlen(b);
    int has_pdf = n > 4 && !strcasecmp(b + n - 4, ".pdf");
    if (asprintf(&buf, "%s/%.*s%s%s", j->outdir, (int)(has_pdf ? n - 4 : n), b, j->suffix,
                 has_pdf ? b + n - 4 : ".pdf") < 0)
        abort();
    kept = job_strdup(j, buf);
    free(buf);
    return kept;
}

/* An existing output is complete and valid when it carries the input as an
 * exact prefix and a signature per step, the last covering the whole file.
 * Outputs only ever appear by rename after checking, so this recognises
 * our own finished work. */
static int output_complete(seal_ctx *ctx, job *j, const char *in, const char *out)
{
    seal_inspection *ins = NULL, *orig = NULL;
    seal_signature_info last;
    int ok = 0;
    FILE *a = NULL, *b = NULL;

    if (access(out, F_OK) != 0)
        return 0;
    if (seal_inspect_file(ctx, out, j->password, &ins) != SEAL_OK ||
        seal_inspect_file(ctx, in, j->password, &orig) != SEAL_OK)
        goto out;
    size_t n = seal_inspection_signature_count(ins);
    if (n < seal_inspection_signature_count(orig) + j->nsteps ||
        seal_inspection_signature(ins, n - 1, &last) != SEAL_OK || !last.covers_whole_file)
        goto out;
    a = fopen(in, "rb");
    b = fopen(out, "rb");
    if (!a || !b)
        goto out;
    char ba[65536], bb[65536];
    size_t ra;
    ok = 1;
    while (ok && (ra = fread(ba, 1, sizeof(ba), a)) > 0)
        ok = fread(bb, 1, ra, b) == ra && !memcmp(ba, bb, ra);
out:
    if (a)
        fclose(a);
    if (b)
        fclose(b);
    seal_inspection_free(ins);
    seal_inspection_free(orig);
    return ok;
}

/* An input through the job's own operation (job_ops). Outputs appear
 * only whole, by rename: an existing one is finished work. */
static void run_op(runner *r, seal_ctx *ctx, size_t idx)
{
    job *j = r->j;
    file_result *res = &r->results[idx];
    double t0 = now();

    res->check = -1;
    if (r->o->resume && access(r->outputs[idx], F_OK) == 0) {
        res->state = F_SKIPPED;
        snprintf(res->reason, sizeof(res->reason), "already %s", j->ops->done);
        return;
    }
    res->status = j->ops->one(j, ctx, j->inputs[idx], r->outputs[idx], &res->check, res->reason,
                              sizeof(res->reason));
    res->state = res->status == SEAL_OK ? F_SEALED : F_FAILED;
    res->seconds = now() - t0;
}

/* Seal one input through every step. */
static void seal_one(runner *r, seal_ctx *ctx, size_t idx)
{
    job *j = r->j;
    const char *in = j->inputs[idx], *out = r->outputs[idx];
    file_result *res = &r->results[idx];
    char prev[PATH_MAX + 64] = "", step_out[PATH_MAX + 64];
    double t0 = now();

    if (j->ops) {
        run_op(r, ctx, idx);
        return;
    }
    if (r->o->resume && output_complete(ctx, j, in, out)) {
        res->state = F_SKIPPED;
        snprintf(res->reason, sizeof(res->reason), "already sealed");
        return;
    }
    for (size_t s = 0; s < j->nsteps; s++) {
        const job_step *st = &j->steps[s];
        const char *src = s == 0 ? in : prev;
        seal_status stt = SEAL_OK;
        /* Between steps the file is a libseal temporary beside the output,
         * so a killed run's is cleaned up by the next run. */
        if (s + 1 == j->nsteps)
            snprintf(step_out, sizeof(step_out), "%s", out);
        else
            stt = seal_temp_path(ctx, out, step_out, sizeof(step_out));
        if (stt == SEAL_OK) {
            stt = seal_sign_file(ctx, src, step_out, j->keys[st->key].key, &st->opts);
            if (stt != SEAL_OK && s + 1 < j->nsteps)
                unlink(step_out);
        }
        if (prev[0])
            unlink(prev);
        if (stt != SEAL_OK) {
            res->state = F_FAILED;
            res->status = stt;
            if (j->nsteps > 1)
                snprintf(res->reason, sizeof(res->reason), "step %zu (%s): %s", s + 1,
                         j->keys[st->key].name, seal_ctx_message(ctx));
            else
                snprintf(res->reason, sizeof(res->reason), "%s", seal_ctx_message(ctx));
            return;
        }
        snprintf(prev, sizeof(prev), "%s", step_out);
    }
    res->state = F_SEALED;
    res->seconds = now() - t0;
}

static void progress(runner *r, size_t idx)
{
    const file_result *res = &r->results[idx];
    double el = now() - r->started, rate = el > 0 ? (double)r->done / el : 0;
    const char *const names[] = {"pending", r->j->ops ? r->j->ops->done : "sealed", "skipped",
                                 "failed"};
    int noted = res->state == F_FAILED || (res->state == F_SEALED && res->reason[0]);

    if (r->log) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "file", json_object_new_string(r->j->inputs[idx]));
        json_object_object_add(o, "output", json_object_new_string(r->outputs[idx]));
        json_object_object_add(o, "status", json_object_new_string(names[res->state]));
        if (res->state == F_FAILED || res->state == F_SKIPPED)
            json_object_object_add(o, "reason", json_object_new_string(res->reason));
        if (res->state == F_SEALED && res->check >= 0) {
            json_object_object_add(o, "check", json_object_new_string(res->reason));
            json_object_object_add(o, "check_exit_code", json_object_new_int(res->check));
        }
        if (res->state == F_FAILED)
            json_object_object_add(o, "exit_code", json_object_new_int(cli_exit_code(res->status)));
        json_object_object_add(o, "seconds", json_object_new_double(res->seconds));
        const char *line = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                                 JSON_C_TO_STRING_NOSLASHESCAPE);
        if (!r->log_failed && (seal_output_write(r->log, line, strlen(line)) != SEAL_OK ||
                               seal_output_write(r->log, "\n", 1) != SEAL_OK)) {
            /* Said once; the sealing goes on, the exit code tells. */
            r->log_failed = 1;
            cli_error("%s", seal_ctx_message(r->logctx));
        }
        json_object_put(o);
    }
    if (r->tty) {
        int width = 30, fill = r->ntodo ? (int)(width * r->done / r->ntodo) : width;
        double eta = rate > 0 ? (double)(r->ntodo - r->done) / rate : 0;
        fprintf(stderr, "\r[%.*s%*s] %zu/%zu  %.1f files/s  ETA %.0fs  %zu failed ", fill,
                "==============================", width - fill, "", r->done, r->ntodo, rate, eta,
                r->failed);
        if (noted)
            fprintf(stderr, "\n%s: %s\n", r->j->inputs[idx], res->reason);
    } else {
        fprintf(stderr, "seal: [%zu/%zu] %s: %s%s%s\n", r->done, r->ntodo, r->j->inputs[idx],
                names[res->state], noted ? ": " : "", noted ? res->reason : "");
    }
}

static int stop_now(runner *r, const file_result *res)
{
    /* A key problem (a wrong PIN on a context-specific login, a locked
     * token) stops everything: retrying could lock the token. */
    return res->state == F_FAILED &&
           (r->o->fail_fast || cli_exit_code(res->status) == EXIT_KEY);
}

static atomic_int stopping;

/* A worker's warnings name the file they are about, each on a line of its
 * own (after the progress bar on a terminal). */
typedef struct warn_to {
    runner *r;
    size_t idx;
} warn_to;

static void file_warning(void *user, const char *message)
{
    const warn_to *w = user;
    pthread_mutex_lock(&w->r->lock);
    fprintf(stderr, "%sseal: warning: %s: %s\n", w->r->tty ? "\n" : "", w->r->j->inputs[w->idx], message);
    pthread_mutex_unlock(&w->r->lock);
}

static void *worker(void *arg)
{
    runner *r = arg;
    seal_ctx *ctx = cli_ctx_new();
    warn_to wt = {r, 0};

    if (!ctx)
        return NULL;
    seal_ctx_set_warning_cb(ctx, file_warning, &wt);
    for (;;) {
        if (interrupted || atomic_load(&stopping))
            break;
        size_t k = atomic_fetch_add(&r->next, 1);
        if (k >= r->ntodo)
            break;
        size_t idx = r->todo[k];
        wt.idx = idx;
        seal_one(r, ctx, idx);
        pthread_mutex_lock(&r->lock);
        r->done++;
        file_result *res = &r->results[idx];
        if (res->state == F_SEALED && res->check >= 0 && res->check < 5)
            r->checks[res->check]++;
        if (res->state == F_SEALED)
            r->sealed++;
        else if (res->state == F_SKIPPED)
            r->skipped++;
        else
            r->failed++;
        progress(r, idx);
        if (stop_now(r, res))
            atomic_store(&stopping, 1);
        pthread_mutex_unlock(&r->lock);
    }
    seal_ctx_free(ctx);
    return NULL;
}

static int open_keys(job *j)
{
    seal_ctx *ctx = cli_ctx_new();
    int rc = EXIT_OK;

    if (!ctx)
        return EXIT_FAILED;
    if (j->ops) {
        seal_ctx_free(ctx);
        return j->ops->open(j);
    }
    for (size_t i = 0; i < j->nkeys && rc == EXIT_OK; i++) {
        int used = 0;
        for (size_t s = 0; s < j->nsteps; s++)
            used |= j->steps[s].key == i;
        if (!used)
            continue;
        seal_key_options ko = SEAL_KEY_OPTIONS_INIT;
        cli_pin pin = {j->keys[i].pin_file};
        ko.pin_cb = cli_pin_cb;
        ko.pin_user = &pin;
        ko.chain_path = j->keys[i].chain;
        seal_status st = seal_key_open(ctx, &j->keys[i].key, j->keys[i].uri, &ko);
        if (st != SEAL_OK) {
            cli_error("key '%s': %s", j->keys[i].name, seal_ctx_message(ctx));
            rc = cli_exit_code(st);
        }
    }
    seal_ctx_free(ctx);
    return rc;
}

/* Nothing lost: no output (a sealed file, the JSON log) names a file the
 * job reads (inputs, the job file, artwork, PIN files, chains, PKCS#12
 * files). Returns 0 or an exit code, with the reason printed. */
static int check_paths(runner *r)
{
    job *j = r->j;
    size_t nr = 0, cap = 1 + j->ninputs + j->nsteps + j->nkeys * (2 + CLI_KEY_FILES) +
                         (j->ops ? j->ops->nreads : 0);
    const char **reads = calloc(cap, sizeof(*reads)), **writes = calloc(j->ninputs + 1, sizeof(*writes));
    char **keyfiles = calloc(j->nkeys * CLI_KEY_FILES + 1, sizeof(*keyfiles));
    int rc;

    if (!reads || !writes || !keyfiles)
        abort();
    reads[nr++] = j->file;
    for (size_t i = 0; i < j->ninputs; i++)
        reads[nr++] = j->inputs[i];
    for (size_t s = 0; s < j->nsteps; s++)
        reads[nr++] = j->steps[s].opts.artwork_path;
    for (size_t k = 0; j->ops && k < j->ops->nreads; k++)
        reads[nr++] = j->ops->reads[k];
    for (size_t k = 0; k < j->nkeys; k++) {
        reads[nr++] = j->keys[k].pin_file;
        reads[nr++] = j->keys[k].chain;
        cli_key_files(j->keys[k].uri, keyfiles + k * CLI_KEY_FILES);
        for (size_t f = 0; f < CLI_KEY_FILES; f++)
            reads[nr++] = keyfiles[k * CLI_KEY_FILES + f];
    }
    for (size_t i = 0; i < j->ninputs; i++)
        writes[i] = r->outputs[i];
    writes[j->ninputs] = r->o->json_log;
    rc = cli_paths_check(reads, nr, writes, j->ninputs + 1);
    for (size_t k = 0; k < j->nkeys; k++)
        cli_key_files_free(keyfiles + k * CLI_KEY_FILES);
    free(keyfiles);
    free(reads);
    free(writes);
    return rc;
}

static int plan_outputs(runner *r)
{
    job *j = r->j;
    for (size_t i = 0; i < j->ninputs; i++)
        r->outputs[i] = output_path(j, j->inputs[i]);
    /* Outputs are sorted like the inputs' names, so clashes sit anywhere:
     * compare all pairs by name (batches are hundreds, not millions). */
    for (size_t i = 0; i < j->ninputs; i++)
        for (size_t k = i + 1; k < j->ninputs; k++)
            if (!strcmp(r->outputs[i], r->outputs[k])) {
                cli_error("%s and %s would both be written to %s", j->inputs[i], j->inputs[k],
                          r->outputs[i]);
                return EXIT_USAGE;
            }
    return check_paths(r);
}

int batch_run(job *j, const batch_opts *o)
{
    runner r;
    int rc, jobs = o->jobs > 0 ? o->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN);
    pthread_t *threads = NULL;
    struct sigaction sa, old;

    memset(&r, 0, sizeof(r));
    r.j = j;
    r.o = o;
    if (j->ninputs == 0) {
        cli_error("no input files");
        return EXIT_USAGE;
    }
    r.outputs = calloc(j->ninputs, sizeof(char *));
    r.results = calloc(j->ninputs, sizeof(file_result));
    r.todo = calloc(j->ninputs, sizeof(size_t));
    if (!r.outputs || !r.results || !r.todo)
        abort();
    if ((rc = plan_outputs(&r)) != EXIT_OK)
        goto out;
    /* Shard I of N: a contiguous slice of the sorted inputs. */
    size_t lo = 0, hi = j->ninputs;
    if (o->shard_n > 0) {
        lo = j->ninputs * (size_t)(o->shard_i - 1) / (size_t)o->shard_n;
        hi = j->ninputs * (size_t)o->shard_i / (size_t)o->shard_n;
    }
    for (size_t i = lo; i < hi; i++)
        r.todo[r.ntodo++] = i;

    /* Keys first: a wrong PIN ends the batch before anything is written. */
    if ((rc = open_keys(j)) != EXIT_OK)
        goto out;
    if (mkdir(j->outdir, 0777) != 0 && errno != EEXIST) {
        cli_error("cannot create output directory %s: %s", j->outdir, strerror(errno));
        rc = EXIT_INPUT;
        goto out;
    }
    int cleaned = 0;
    {
        seal_ctx *cctx = cli_ctx_new();
        if (cctx)
            seal_clean_temporaries(cctx, j->outdir, &cleaned);
        if (cctx && o->json_log) {
            /* and a killed run's log, beside the log */
            char logdir[PATH_MAX];
            const char *slash = strrchr(o->json_log, '/');
            int more = 0;
            snprintf(logdir, sizeof(logdir), "%.*s", slash ? (int)(slash - o->json_log) + 1 : 1,
                     slash ? o->json_log : ".");
            seal_clean_temporaries(cctx, logdir, &more);
            cleaned += more;
        }
        seal_ctx_free(cctx);
    }
    if (cleaned)
        fprintf(stderr, "seal: removed %d temporary file%s left by an interrupted run\n", cleaned,
                cleaned == 1 ? "" : "s");
    if (o->json_log) {
        /* Earlier lines and this run's go to a temporary file beside the
         * log, renamed onto it at the end: the log is never half written. */
        r.logctx = cli_ctx_new();
        if (!r.logctx) {
            rc = EXIT_FAILED;
            goto out;
        }
        seal_status lst = seal_output_open(r.logctx, &r.log, o->json_log, SEAL_OUTPUT_APPEND);
        if (lst != SEAL_OK) {
            rc = cli_fail(r.logctx, lst);
            goto out;
        }
    }
    r.tty = isatty(STDERR_FILENO);
    pthread_mutex_init(&r.lock, NULL);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_sigint;
    sigaction(SIGINT, &sa, &old);
    r.started = now();
    if ((size_t)jobs > r.ntodo)
        jobs = (int)(r.ntodo ? r.ntodo : 1);
    threads = calloc((size_t)jobs, sizeof(pthread_t));
    if (!threads)
        abort();
    for (int t = 0; t < jobs; t++)
        pthread_create(&threads[t], NULL, worker, &r);
    for (int t = 0; t < jobs; t++)
        pthread_join(threads[t], NULL);
    sigaction(SIGINT, &old, NULL);
    pthread_mutex_destroy(&r.lock);
    if (r.tty)
        fputc('\n', stderr);

    double el = now() - r.started;
    size_t left = r.ntodo - r.done;
    fprintf(stderr, "seal: %zu %s, %zu skipped, %zu failed%s in %.1f s (%.1f files/s)\n",
            r.sealed, j->ops ? j->ops->done : "sealed", r.skipped, r.failed,
            left ? (interrupted ? ", stopped by Ctrl-C" : ", stopped early") : "", el,
            el > 0 ? (double)(r.sealed + r.skipped) / el : 0.0);
    if (r.checks[0] + r.checks[1] + r.checks[3] + r.checks[4])
        fprintf(stderr, "seal: verified: %zu TOTAL-PASSED, %zu TOTAL-FAILED, %zu INDETERMINATE, "
                        "%zu could not be verified\n",
                r.checks[0], r.checks[1], r.checks[3], r.checks[4]);
    rc = EXIT_OK;
    for (size_t k = 0; k < r.ntodo; k++) {
        file_result *res = &r.results[r.todo[k]];
        if (res->state != F_FAILED)
            continue;
        fprintf(stderr, "seal: failed: %s: %s\n", j->inputs[r.todo[k]], res->reason);
        if (rc == EXIT_OK)
            rc = cli_exit_code(res->status);
    }
    if (rc == EXIT_OK && left)
        rc = interrupted ? 130 : EXIT_FAILED;
    /* Every file decrypted: the checks decide, the worst first. */
    if (rc == EXIT_OK)
        rc = r.checks[1] ? EXIT_FAILED : r.checks[4] ? EXIT_INPUT : r.checks[3] ? EXIT_INDETERMINATE : EXIT_OK;
    if (r.log && !r.log_failed && seal_output_commit(r.log) != SEAL_OK) {
        cli_error("%s", seal_ctx_message(r.logctx));
        r.log_failed = 1;
    }
    if (r.log_failed && rc == EXIT_OK)
        rc = EXIT_INPUT;
out:
    seal_output_free(r.log);
    seal_ctx_free(r.logctx);
    free(threads);
    free(r.outputs);
    free(r.results);
    free(r.todo);
    return rc;
}
