/*
 * libFuzzer target: open and verify an arbitrary PDF from memory. Every
 * input must come back as a report or an error status — no crash, no hang,
 * no leak (the sanitizers judge).
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <seal/seal.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static seal_ctx *ctx;
    seal_verify_options opts = SEAL_VERIFY_OPTIONS_INIT;
    seal_report *rep = NULL;

    if (!ctx && seal_ctx_new(&ctx) != SEAL_OK)
        return 0;
    /* Rendering too, on small inputs: it runs page content and
     * appearances, the most hostile parts. */
    if (size < 20000)
        opts.flags |= SEAL_VERIFY_RENDER;
    opts.render_dpi = 24;
    if (seal_verify_buffer(ctx, data, size, &opts, &rep) == SEAL_OK) {
        seal_report_info info;
        seal_report_document(rep, &info);
        for (size_t i = 0; i < seal_report_signature_count(rep); i++) {
            seal_signature_result s;
            seal_change_info c;
            seal_report_signature(rep, i, &s);
            for (size_t k = 0; k < s.change_count; k++)
                seal_report_change(rep, i, k, &c);
        }
    }
    seal_report_free(rep);
    return 0;
}
