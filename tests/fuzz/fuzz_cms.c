/*
 * libFuzzer target: the CMS parser and verifier. The input is taken as the
 * DER in a signature's /Contents: it is placed into a minimal signed-PDF
 * template with a correct ByteRange, so that everything after the
 * ByteRange checks — CMS parsing, attributes, time-stamp tokens,
 * certificates, chains — sees the fuzzer's bytes.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <seal/seal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_CMS 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static seal_ctx *ctx;
    static const char head[] =
        "%%PDF-1.7\n"
        "1 0 obj\n<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] /SigFlags 3 >> >>\nendobj\n"
        "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
        "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Annots [4 0 R] >>\nendobj\n"
        "4 0 obj\n<< /FT /Sig /T (S) /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P 3 0 R /V 5 0 R >>\nendobj\n"
        "5 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached "
        "/M (D:20260101000000Z) /ByteRange [0 %010zu %010zu %010zu] /Contents ";
    static const char tail[] = " >>\nendobj\n";
    seal_verify_options opts = SEAL_VERIFY_OPTIONS_INIT;
    seal_report *rep = NULL;
    char *pdf, *p;
    size_t cap, gap_start, gap_end, xref, n;

    if (size > MAX_CMS)
        return 0;
    if (!ctx && seal_ctx_new(&ctx) != SEAL_OK)
        return 0;
    cap = sizeof(head) + 64 + 2 * size + 2 + sizeof(tail) + 512;
    pdf = malloc(cap);
    if (!pdf)
        return 0;
    /* First pass with placeholders to learn the offsets, then for real. */
    n = (size_t)snprintf(pdf, cap, head, (size_t)0, (size_t)0, (size_t)0);
    gap_start = n;
    gap_end = gap_start + 2 + 2 * size;
    size_t objs_end = gap_end + strlen(tail);
    xref = objs_end;
    char trailer[256];
    int tl = snprintf(trailer, sizeof(trailer),
                      "trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n", xref);
    size_t total = objs_end + (size_t)tl;
    snprintf(pdf, cap, head, gap_start, gap_end, total - gap_end);
    p = pdf + gap_start;
    *p++ = '<';
    for (size_t i = 0; i < size; i++) {
        static const char hex[] = "0123456789ABCDEF";
        *p++ = hex[data[i] >> 4];
        *p++ = hex[data[i] & 15];
    }
    *p++ = '>';
    memcpy(p, tail, strlen(tail));
    p += strlen(tail);
    memcpy(p, trailer, (size_t)tl);
    /* FUZZ_CMS_DUMP=FILE keeps the last PDF, to look at by hand. */
    if (getenv("FUZZ_CMS_DUMP")) {
        FILE *f = fopen(getenv("FUZZ_CMS_DUMP"), "wb");
        if (f) {
            fwrite(pdf, 1, total, f);
            fclose(f);
        }
    }
    /* No xref table: MuPDF repairs, which is also worth exercising. */
    if (seal_verify_buffer(ctx, (const unsigned char *)pdf, total, &opts, &rep) == SEAL_OK)
        seal_report_free(rep);
    free(pdf);
    return 0;
}
