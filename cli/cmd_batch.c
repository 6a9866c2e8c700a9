/*
 * seal batch: run a job file (docs/jobs.md).
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "job.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char synopsis[] =
    "seal batch JOB.json [--jobs N] [--resume] [--fail-fast] [--json-log F] [--shard I/N]";

int cli_batch_option(int c, const char *arg, batch_opts *o)
{
    switch (c) {
    case CLI_OPT_JOBS:
        return cli_parse_int(arg, 1, 256, &o->jobs) ? -1 : 1;
    case CLI_OPT_RESUME:
        o->resume = 1;
        return 1;
    case CLI_OPT_FAIL_FAST:
        o->fail_fast = 1;
        return 1;
    case CLI_OPT_JSON_LOG:
        o->json_log = arg;
        return 1;
    case CLI_OPT_SHARD: {
        char *end;
        long i = strtol(arg, &end, 10), n;
        if (end == arg || *end != '/')
            return -1;
        n = strtol(end + 1, &end, 10);
        if (*end || n < 1 || i < 1 || i > n || n > 1000000)
            return -1;
        o->shard_i = (int)i;
        o->shard_n = (int)n;
        return 1;
    }
    }
    return 0;
}

int cli_batch_arg(const char *usage_text, int c, const char *arg, const char *opt, batch_opts *o)
{
    int r = cli_batch_option(c, arg, o);
    if (r < 0)
        return cli_usage(usage_text, "bad value '%s' for %s", arg, opt);
    if (r == 0)
        return cli_usage(usage_text, "unknown or incomplete option '%s'", opt);
    return EXIT_OK;
}

int cmd_batch(int argc, char **argv)
{
    static const struct option longopts[] = {CLI_BATCH_LONGOPTS,
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    batch_opts o = {0};
    int c, r;
    job *j;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 'h') {
            printf("usage: %s\n", synopsis);
            return EXIT_OK;
        }
        if ((r = cli_batch_arg(synopsis, c, optarg, argv[optind - 1], &o)) != EXIT_OK)
            return r;
    }
    if (optind != argc - 1)
        return cli_usage(synopsis, optind >= argc ? "no job file given" : "one job file at a time");
    j = job_load(argv[optind]);
    if (!j)
        return EXIT_USAGE;
    r = batch_run(j, &o);
    job_free(j);
    return r;
}
