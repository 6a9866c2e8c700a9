/*
 * The library implies B-T when given a TSA URL: seal_sign_file with
 * SEAL_SIGN_OPTIONS_INIT (level B-B) and a tsa_url writes a signature with
 * a signature time-stamp, which seal_verify_file reports as B-T with a
 * trusted time; the same options without the URL stay B-B; an explicit
 * B-T without a URL is refused. Public API only (links libseal.so).
 *
 *   api-sign-tsa IN.pdf OUTDIR P12 TSA_URL TRUST...   (password in SEAL_P12_PASSWORD)
 *
 * Exit 0 when every check holds, else 1 naming the first that failed.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <seal/seal.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failed(const char *what, seal_ctx *ctx)
{
    fprintf(stderr, "api-sign-tsa: %s%s%s\n", what, ctx ? ": " : "", ctx ? seal_ctx_message(ctx) : "");
    return 1;
}

static seal_status p12_password(void *user, const char *label, unsigned flags, char *buf, size_t size)
{
    const char *pw = getenv("SEAL_P12_PASSWORD");
    (void)user;
    (void)label;
    (void)flags;
    if (!pw || strlen(pw) >= size)
        return SEAL_ERR_CANCELLED;
    strcpy(buf, pw);
    return SEAL_OK;
}

/* The level and time-stamp of out's only signature, as seal_verify_file
 * reports them. */
static int verified(seal_ctx *ctx, const char *path, const char *const *trust, size_t ntrust, char *level,
                    int *timestamp_ok, char *timestamp)
{
    seal_verify_options vo = SEAL_VERIFY_OPTIONS_INIT;
    seal_report *rep = NULL;
    seal_signature_result r;
    vo.trust = trust;
    vo.trust_count = ntrust;
    if (seal_verify_file(ctx, path, &vo, &rep) != SEAL_OK)
        return -1;
    int ok = seal_report_signature_count(rep) == 1 && seal_report_signature(rep, 0, &r) == SEAL_OK;
    if (ok) {
        snprintf(level, 16, "%s", r.level);
        *timestamp_ok = r.timestamp_ok;
        snprintf(timestamp, 40, "%s", r.timestamp);
    }
    seal_report_free(rep);
    return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
    seal_ctx *ctx = NULL;
    seal_key *key = NULL;
    seal_key_options ko = SEAL_KEY_OPTIONS_INIT;
    char keyuri[4096], bt[4096], bb[4096], level[16], ts[40];
    int ts_ok = -1, rc = 1;

    if (argc < 6) {
        fprintf(stderr, "usage: api-sign-tsa IN.pdf OUTDIR P12 TSA_URL TRUST...\n");
        return 2;
    }
    const char *const *trust = (const char *const *)argv + 5;
    size_t ntrust = (size_t)(argc - 5);
    snprintf(keyuri, sizeof(keyuri), "p12:%s", argv[3]);
    snprintf(bt, sizeof(bt), "%s/implied-bt.pdf", argv[2]);
    snprintf(bb, sizeof(bb), "%s/plain-bb.pdf", argv[2]);
    if (seal_ctx_new(&ctx) != SEAL_OK)
        return failed("no context", NULL);
    ko.pin_cb = p12_password;
    if (seal_key_open(ctx, &key, keyuri, &ko) != SEAL_OK) {
        rc = failed("seal_key_open", ctx);
        goto out;
    }

    /* The defaults (B-B) and a TSA URL: B-T. */
    seal_sign_options so = SEAL_SIGN_OPTIONS_INIT;
    so.tsa_url = argv[4];
    if (so.level != SEAL_LEVEL_B_B) {
        rc = failed("SEAL_SIGN_OPTIONS_INIT is not B-B", NULL);
        goto out;
    }
    if (seal_sign_file(ctx, argv[1], bt, key, &so) != SEAL_OK) {
        rc = failed("seal_sign_file with a TSA URL", ctx);
        goto out;
    }
    if (verified(ctx, bt, trust, ntrust, level, &ts_ok, ts) != 0) {
        rc = failed("seal_verify_file (implied B-T)", ctx);
        goto out;
    }
    if (strcmp(level, "B-T") != 0 || ts_ok != 1 || strlen(ts) < 20) {
        fprintf(stderr, "api-sign-tsa: a TSA URL with the default level gave level %s, timestamp_ok %d, "
                        "timestamp '%s' (want B-T, 1, a time)\n", level, ts_ok, ts);
        goto out;
    }

    /* Without the URL: B-B, no time-stamp. */
    so.tsa_url = NULL;
    if (seal_sign_file(ctx, argv[1], bb, key, &so) != SEAL_OK) {
        rc = failed("seal_sign_file without a TSA URL", ctx);
        goto out;
    }
    if (verified(ctx, bb, trust, ntrust, level, &ts_ok, ts) != 0) {
        rc = failed("seal_verify_file (B-B)", ctx);
        goto out;
    }
    if (strcmp(level, "B-B") != 0 || ts_ok != 0 || ts[0]) {
        fprintf(stderr, "api-sign-tsa: no TSA URL gave level %s, timestamp_ok %d, timestamp '%s' (want B-B, 0, '')\n",
                level, ts_ok, ts);
        goto out;
    }

    /* B-T asked for without a URL: refused, nothing written. */
    so.level = SEAL_LEVEL_B_T;
    snprintf(bb, sizeof(bb), "%s/refused.pdf", argv[2]);
    if (seal_sign_file(ctx, argv[1], bb, key, &so) != SEAL_ERR_ARGS ||
        strcmp(seal_ctx_message(ctx), "PAdES B-T needs a time-stamp authority (--tsa URL)") != 0) {
        rc = failed("B-T without a TSA URL was not refused as expected", ctx);
        goto out;
    }
    FILE *f = fopen(bb, "rb");
    if (f) {
        fclose(f);
        rc = failed("a refused signature left a file", NULL);
        goto out;
    }
    rc = 0;
out:
    seal_key_free(key);
    seal_ctx_free(ctx);
    return rc;
}
