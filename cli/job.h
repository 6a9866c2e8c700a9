/*
 * Sealing jobs: many inputs, one or more seal steps per input, each step a
 * signature of its own made with its own key. Read from a JSON job file
 * (docs/jobs.md) or built from `seal sign IN... -o DIR/`, and run by the
 * batch runner (batch.c).
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef SEAL_CLI_JOB_H
#define SEAL_CLI_JOB_H

#include "cli.h"

typedef struct job_key {
    char *name;
    char *uri;
    char *pin_file;   /* or NULL: SEAL_PIN / prompt */
    char *chain;      /* issuer certificates to include, or NULL */
    seal_key *key;    /* opened by batch_run */
} job_key;

typedef struct job_step {
    size_t key;       /* index into job.keys */
    seal_sign_options opts;
    seal_placement *placements;
} job_step;

typedef struct job job;

/* What the batch runner does to each input when it is not sealing with
 * the job's steps (seal decrypt DIR/ -o OUTDIR/). */
typedef struct job_ops {
    const char *done;                 /* the word for a finished file: "decrypted" */
    char *(*output_path)(job *j, const char *input); /* owned by the job */
    int (*open)(job *j);              /* keys, before any file is touched; exit code */
    /* One input to out: SEAL_OK or the failure, with the reason (or a
     * note on the check) in note. *check: the exit code of a check made
     * after (verification: 0, 1, 3, 4), -1 for none. */
    seal_status (*one)(job *j, seal_ctx *ctx, const char *in, const char *out, int *check,
                       char *note, size_t size);
    const char *const *reads;         /* files it reads besides the inputs (NULLs skipped) */
    size_t nreads;
    void *user;
} job_ops;

struct job {
    const char *file; /* the job file, or NULL (seal sign IN... -o DIR/) */
    char **inputs;    /* expanded, sorted, unique */
    size_t ninputs;
    char *outdir;
    char *suffix;     /* inserted before ".pdf" in output names; "" by default */
    job_key *keys;
    size_t nkeys;
    job_step *steps;
    size_t nsteps;
    const char *password; /* of encrypted inputs, or NULL */
    const job_ops *ops;   /* NULL: seal every input with the steps */
    const char *input_suffix; /* files taken from an input directory; NULL: ".pdf" */
    /* Every string the job owns, freed together. */
    char **owned;
    size_t nowned, capowned;
};

typedef struct batch_opts {
    int jobs;          /* worker threads; 0: number of cores */
    int resume;        /* skip outputs that are already complete and valid */
    int fail_fast;     /* stop at the first failed file */
    const char *json_log;
    int shard_i, shard_n; /* process only the shard_i-th of shard_n slices (1-based) */
} batch_opts;

/* Parse a job file; on error print a one-line reason and return NULL. */
job *job_load(const char *path);
/* An empty job to fill from the command line. */
job *job_new(void);
void job_free(job *j);
/* Keep a copy of s owned by the job; NULL stays NULL. */
char *job_strdup(job *j, const char *s);
/* Add input names (files, directories of PDFs, glob patterns); 0 or -1
 * after printing a reason. */
int job_add_input(job *j, const char *spec);
/* Sort and de-duplicate the inputs. */
void job_finish_inputs(job *j);

/* A job for the command line's inputs (files, directories of files ending
 * in input_suffix, NULL: ".pdf", patterns) into outdir, sorted; EXIT_OK,
 * or the exit code after printing the reason. */
int job_from_args(job **out, const char *outdir, const char *input_suffix, char **inputs, int n);

/* Run the job; returns the exit code. */
int batch_run(job *j, const batch_opts *o);

#endif /* SEAL_CLI_JOB_H */
