/*
 * libFuzzer target: the sealed-bid envelope reader (envread.c). The input
 * is written to a file, as envelopes are read from files, and read as
 * `seal inspect BID.p7m` reads it: header, RecipientInfos, the content
 * skipped piece by piece, tag and trailer.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <seal/seal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static seal_ctx *ctx;
    static char path[64];
    seal_envelope *env = NULL;
    FILE *f;

    if (!ctx && seal_ctx_new(&ctx) != SEAL_OK)
        return 0;
    if (!path[0])
        snprintf(path, sizeof(path), "/tmp/fuzz-envelope-%ld.p7m", (long)getpid());
    f = fopen(path, "wb");
    if (!f)
        return 0;
    if (size && fwrite(data, 1, size, f) != size) {
        fclose(f);
        return 0;
    }
    fclose(f);
    if (seal_envelope_open(ctx, path, &env) == SEAL_OK) {
        seal_envelope_info ei;
        seal_recipient_info ri;
        seal_envelope_info_get(env, &ei);
        for (size_t i = 0; i < ei.recipient_count; i++)
            seal_envelope_recipient(env, i, &ri);
    }
    seal_envelope_free(env);
    unlink(path);
    return 0;
}
