/*
 * Enrolment step 1: loading a scan (PNG, JPEG, TIFF via MuPDF's image
 * loaders, or the largest image on a page of a scanned PDF).
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "enrol_internal.h"

#include <mupdf/pdf.h>

#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <openssl/evp.h>

#define SCAN_FILE_LIMIT ((size_t)512 << 20)
#define SCAN_DEFAULT_MAX_PIXELS 60000000UL

SEAL_API const char *seal_kind_name(seal_kind kind)
{
    switch (kind) {
    case SEAL_KIND_AUTO: return "auto";
    case SEAL_KIND_COMPANY: return "company";
    case SEAL_KIND_LEGAL_REP: return "legal-rep";
    case SEAL_KIND_SIGNATURE: return "signature";
    case SEAL_KIND_SPECIAL: return "special";
    case SEAL_KIND_INVOICE: return "invoice";
    case SEAL_KIND_FOREIGN: return "foreign";
    case SEAL_KIND_PERSONAL: return "personal";
    }
    return "unknown";
}

SEAL_API const char *seal_decision_name(seal_decision d)
{
    switch (d) {
    case SEAL_DECISION_ACCEPT: return "accept";
    case SEAL_DECISION_WARN: return "warn";
    case SEAL_DECISION_REJECT: return "reject";
    }
    return "unknown";
}

static unsigned be32(const unsigned char *p)
{
    return (unsigned)p[0] << 24 | (unsigned)p[1] << 16 | (unsigned)p[2] << 8 | p[3];
}

static unsigned be16(const unsigned char *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

/* What the header says, read by us before MuPDF decodes anything, so a
 * hostile size is refused without allocating for it and truncation (which
 * MuPDF's decoders paper over with grey) is caught. */
struct header {
    const char *format;
    long long w, h; /* -1 when the header does not say */
    double dpi_x, dpi_y;
    int truncated;
    int jpeg_quality;
};

static const unsigned char std_luma_q[64] = {
    16, 11, 10, 16, 24,  40,  51,  61,  12, 12, 14, 19, 26,  58,  60,  55,
    14, 13, 16, 24, 40,  57,  69,  56,  14, 17, 22, 29, 51,  87,  80,  62,
    18, 22, 37, 56, 68,  109, 103, 77,  24, 35, 55, 64, 81,  104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99};

/* IJG quality from the first quantisation table (the inverse of jcparam.c's
 * scaling; the table order, zig-zag or not, does not change the sum). */
static int jpeg_quality_from_dqt(const unsigned char *p, size_t n)
{
    double sum = 0, ref = 0;
    int prec = p[0] >> 4;
    if (n < 1 + 64u * (prec ? 2u : 1u))
        return 0;
    for (int i = 0; i < 64; i++) {
        sum += prec ? be16(p + 1 + 2 * i) : p[1 + i];
        ref += std_luma_q[i];
    }
    double scale = 100.0 * sum / ref;
    int q = scale <= 100.0 ? (int)lround((200.0 - scale) / 2.0) : (int)lround(5000.0 / scale);
    return q < 1 ? 1 : q > 100 ? 100 : q;
}

static void parse_png(const unsigned char *d, size_t n, struct header *h)
{
    size_t off = 8;
    h->format = "png";
    h->truncated = 1;
    while (off + 12 <= n) {
        unsigned len = be32(d + off);
        const unsigned char *type = d + off + 4;
        if (len > n - off - 12)
            break; /* chunk runs past the end: truncated */
        if (!memcmp(type, "IHDR", 4) && len >= 8) {
            h->w = be32(d + off + 8);
            h->h = be32(d + off + 12);
        } else if (!memcmp(type, "pHYs", 4) && len >= 9 && d[off + 16] == 1) {
            h->dpi_x = be32(d + off + 8) * 0.0254;
            h->dpi_y = be32(d + off + 12) * 0.0254;
        } else if (!memcmp(type, "IEND", 4)) {
            h->truncated = 0;
            break;
        }
        off += 12 + (size_t)len;
    }
}

static void parse_jpeg(const unsigned char *d, size_t n, struct header *h)
{
    size_t off = 2;
    h->format = "jpeg";
    /* Entropy-coded data follows SOS; the image ends with EOI. Scanners and
     * encoders may append a few bytes, so look near the end. */
    h->truncated = 1;
    for (size_t i = n >= 2 ? n - 2 : 0, stop = n > 4096 ? n - 4096 : 0; i + 1 > stop; i--) {
        if (d[i] == 0xFF && d[i + 1] == 0xD9) {
            h->truncated = 0;
            break;
        }
        if (i == 0)
            break;
    }
    while (off + 4 <= n) {
        if (d[off] != 0xFF) {
            off++;
            continue;
        }
        unsigned m = d[off + 1];
        if (m == 0xFF) {
            off++;
            continue;
        }
        if (m == 0xD8 || (m >= 0xD0 && m <= 0xD7) || m == 0x01) {
            off += 2;
            continue;
        }
        unsigned len = be16(d + off + 2);
        const unsigned char *p = d + off + 4;
        if (len < 2 || off + 2 + len > n)
            break;
        if (m == 0xDA || m == 0xD9)
            break;
        if (m == 0xE0 && len >= 16 && !memcmp(p, "JFIF", 5)) {
            unsigned units = p[7], xd = be16(p + 8), yd = be16(p + 10);
            if (units == 1) {
                h->dpi_x = xd;
                h->dpi_y = yd;
            } else if (units == 2) {
                h->dpi_x = xd * 2.54;
                h->dpi_y = yd * 2.54;
            }
        } else if (m == 0xDB && len > 2 && !h->jpeg_quality && (p[0] & 15) == 0) {
            h->jpeg_quality = jpeg_quality_from_dqt(p, len - 2);
        } else if ((m >= 0xC0 && m <= 0xCF) && m != 0xC4 && m != 0xC8 && m != 0xCC && len >= 7) {
            h->h = be16(p + 1);
            h->w = be16(p + 3);
        }
        off += 2 + len;
    }
}

/* A TIFF's first image: its resolution tags (XResolution, YResolution,
 * ResolutionUnit), read here because MuPDF's loader reports 96 dpi for a
 * file that records none. */
static unsigned tiff16(const unsigned char *p, int le)
{
    return le ? (unsigned)p[0] | (unsigned)p[1] << 8 : be16(p);
}

static unsigned tiff32(const unsigned char *p, int le)
{
    return le ? (unsigned)p[0] | (unsigned)p[1] << 8 | (unsigned)p[2] << 16 | (unsigned)p[3] << 24
              : be32(p);
}

static void parse_tiff(const unsigned char *d, size_t n, struct header *h)
{
    int le = d[0] == 'I';
    double res[2] = {0, 0};
    unsigned unit = 2; /* inches unless told */
    size_t ifd = tiff32(d + 4, le);
    h->format = "tiff";
    if (ifd < 8 || ifd > n - 2)
        return;
    unsigned cnt = tiff16(d + ifd, le);
    for (unsigned i = 0; i < cnt && ifd + 2 + 12 * (size_t)(i + 1) <= n; i++) {
        const unsigned char *e = d + ifd + 2 + 12 * (size_t)i;
        unsigned tag = tiff16(e, le), type = tiff16(e + 2, le);
        if (tag == 296 && type == 3)
            unit = tiff16(e + 8, le);
        else if ((tag == 282 || tag == 283) && type == 5) {
            size_t off = tiff32(e + 8, le);
            if (off <= n - 8) {
                unsigned num = tiff32(d + off, le), den = tiff32(d + off + 4, le);
                res[tag - 282] = den ? (double)num / den : 0;
            }
        }
    }
    if (unit == 2 || unit == 3) {
        double f = unit == 3 ? 2.54 : 1.0;
        h->dpi_x = res[0] * f;
        h->dpi_y = res[1] * f;
    }
}

static void sniff(const unsigned char *d, size_t n, struct header *h)
{
    memset(h, 0, sizeof(*h));
    h->w = h->h = -1;
    if (n >= 8 && !memcmp(d, "\x89PNG\r\n\x1a\n", 8))
        parse_png(d, n, h);
    else if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF)
        parse_jpeg(d, n, h);
    else if (n >= 8 && (!memcmp(d, "II*\0", 4) || !memcmp(d, "MM\0*", 4)))
        parse_tiff(d, n, h);
    else if (n >= 5 && !memcmp(d, "%PDF-", 5))
        h->format = "pdf";
}

/* A device that remembers the largest image drawn on a page and where. */
typedef struct {
    fz_device super;
    fz_image *best;
    double best_px;
    fz_matrix ctm;
} image_finder;

static void finder_fill_image(fz_context *fz, fz_device *dev, fz_image *img, fz_matrix ctm,
                              float alpha, fz_color_params cp)
{
    image_finder *f = (image_finder *)dev;
    double px = (double)img->w * img->h;
    (void)alpha;
    (void)cp;
    if (px > f->best_px) {
        fz_drop_image(fz, f->best);
        f->best = fz_keep_image(fz, img);
        f->best_px = px;
        f->ctm = ctm;
    }
}

static void finder_drop(fz_context *fz, fz_device *dev)
{
    image_finder *f = (image_finder *)dev;
    fz_drop_image(fz, f->best);
    f->best = NULL;
}

static void sha256_hex(const unsigned char *d, size_t n, char out[65])
{
    unsigned char md[32];
    unsigned int mdlen = 0;
    static const char hx[] = "0123456789abcdef";
    seal__ossl_clear();
    if (!EVP_Digest(d, n, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32) {
        seal__ossl_clear();
        out[0] = 0;
        return;
    }
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hx[md[i] >> 4];
        out[2 * i + 1] = hx[md[i] & 15];
    }
    out[64] = 0;
}

/*
 * JPEG through libjpeg directly rather than MuPDF's loader: libjpeg's
 * default message handler writes "Corrupt JPEG data: ..." to stderr (the
 * library must never print), and a scan with damaged entropy data decodes
 * to smeared grey that must not be enrolled. Errors longjmp back here;
 * warnings are counted and make the scan unusable.
 */
struct jpeg_err {
    struct jpeg_error_mgr mgr;
    jmp_buf jb;
    char msg[JMSG_LENGTH_MAX];
    int warnings;
};

static void jpeg_fail(j_common_ptr ci)
{
    struct jpeg_err *e = (struct jpeg_err *)ci->err;
    e->mgr.format_message(ci, e->msg);
    longjmp(e->jb, 1);
}

static void jpeg_note(j_common_ptr ci, int level)
{
    struct jpeg_err *e = (struct jpeg_err *)ci->err;
    if (level < 0) {
        if (!e->warnings)
            e->mgr.format_message(ci, e->msg);
        e->warnings++;
    }
}

static void jpeg_quiet(j_common_ptr ci)
{
    (void)ci;
}

/* Returns 1 when decoded into scan->rgb, 0 when MuPDF should try (CMYK),
 * -1 on a damaged file (message in ctx). */
static int decode_jpeg(seal_ctx *ctx, const char *path, const unsigned char *data, size_t len,
                       unsigned long max_px, seal_scan *scan)
{
    struct jpeg_decompress_struct ci;
    struct jpeg_err err;
    unsigned char *volatile rgb = NULL;
    memset(&err, 0, sizeof(err));
    ci.err = jpeg_std_error(&err.mgr);
    err.mgr.error_exit = jpeg_fail;
    err.mgr.emit_message = jpeg_note;
    err.mgr.output_message = jpeg_quiet;
    if (setjmp(err.jb)) {
        jpeg_destroy_decompress(&ci);
        free(rgb);
        scan->rgb = NULL;
        seal__fail(ctx, SEAL_ERR_INPUT, "%s: damaged JPEG: %s", path, err.msg);
        return -1;
    }
    jpeg_create_decompress(&ci);
    jpeg_mem_src(&ci, data, (unsigned long)len);
    jpeg_read_header(&ci, TRUE);
    if (ci.jpeg_color_space == JCS_CMYK || ci.jpeg_color_space == JCS_YCCK) {
        jpeg_destroy_decompress(&ci);
        return 0;
    }
    if ((unsigned long long)ci.image_width * ci.image_height > max_px || !ci.image_width ||
        !ci.image_height) {
        seal__fail(ctx, SEAL_ERR_INPUT, "%s: %ux%u pixels is not a usable scan", path,
                   (unsigned)ci.image_width, (unsigned)ci.image_height);
        jpeg_destroy_decompress(&ci);
        return -1;
    }
    ci.out_color_space = JCS_RGB;
    jpeg_start_decompress(&ci);
    size_t w = ci.output_width, h = ci.output_height;
    rgb = malloc(w * h * 3);
    if (!rgb) {
        seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory for %zux%zu pixels", w, h);
        jpeg_destroy_decompress(&ci);
        return -1;
    }
    while (ci.output_scanline < ci.output_height) {
        JSAMPROW row = rgb + (size_t)ci.output_scanline * w * 3;
        jpeg_read_scanlines(&ci, &row, 1);
    }
    jpeg_finish_decompress(&ci);
    jpeg_destroy_decompress(&ci);
    if (err.warnings) {
        free(rgb);
        seal__fail(ctx, SEAL_ERR_INPUT, "%s: damaged JPEG data (%s)", path, err.msg);
        return -1;
    }
    scan->rgb = rgb;
    scan->w = (int)w;
    scan->h = (int)h;
    return 1;
}

struct load_job {
    const char *path;
    const unsigned char *data;
    size_t len;
    const struct header *hd;
    int page;
    unsigned long max_px;
    seal_scan *scan;
};

/* Decode with MuPDF; the one fz_try of seal_scan_load. */
static seal_status decode(seal_ctx *ctx, struct load_job *j)
{
    fz_context *fz = ctx->fz;
    const char *path = j->path;
    const struct header *hd = j->hd;
    seal_scan *scan = j->scan;
    fz_buffer *v_buf = NULL;
    fz_image *v_img = NULL;
    fz_pixmap *v_pix = NULL;
    fz_pixmap *v_rgb = NULL;
    fz_document *v_doc = NULL;
    fz_page *v_page = NULL;
    image_finder *v_finder = NULL;
    fz_stream *v_stm = NULL;

    fz_var(v_buf);
    fz_var(v_stm);
    fz_var(v_img);
    fz_var(v_pix);
    fz_var(v_rgb);
    fz_var(v_doc);
    fz_var(v_page);
    fz_var(v_finder);
    fz_try(fz) {
        double dx = hd->dpi_x, dy = hd->dpi_y;
        v_buf = fz_new_buffer_from_shared_data(fz, j->data, j->len);
        if (!strcmp(hd->format, "pdf")) {
            v_stm = fz_open_buffer(fz, v_buf);
            v_doc = &pdf_open_document_with_stream(fz, v_stm)->super;
            int npages = fz_count_pages(fz, v_doc);
            int pno = j->page > 0 ? j->page : 1;
            if (pno > npages)
                seal__throw(ctx, SEAL_ERR_INPUT, "%s has %d page(s), not %d", path, npages, pno);
            v_page = fz_load_page(fz, v_doc, pno - 1);
            v_finder = (image_finder *)fz_new_device_of_size(fz, sizeof(image_finder));
            v_finder->super.fill_image = finder_fill_image;
            v_finder->super.drop_device = finder_drop;
            fz_run_page(fz, v_page, &v_finder->super, fz_identity, NULL);
            fz_close_device(fz, &v_finder->super);
            if (!v_finder->best)
                seal__throw(ctx, SEAL_ERR_INPUT, "%s: page %d holds no scanned image", path, pno);
            v_img = fz_keep_image(fz, v_finder->best);
            fz_matrix m = v_finder->ctm;
            double wpt = sqrt(m.a * m.a + m.b * m.b), hpt = sqrt(m.c * m.c + m.d * m.d);
            dx = wpt > 0 ? v_img->w / (wpt / 72.0) : 0;
            dy = hpt > 0 ? v_img->h / (hpt / 72.0) : 0;
        } else {
            v_img = fz_new_image_from_buffer(fz, v_buf);
        }
        if (v_img->w <= 0 || v_img->h <= 0)
            seal__throw(ctx, SEAL_ERR_INPUT, "%s: the image has zero size", path);
        if ((unsigned long long)v_img->w * (unsigned long long)v_img->h > j->max_px)
            seal__throw(ctx, SEAL_ERR_INPUT, "%s: %dx%d pixels is more than the %lu allowed", path,
                        v_img->w, v_img->h, j->max_px);
        v_pix = fz_get_pixmap_from_image(fz, v_img, NULL, NULL, NULL, NULL);
        if (v_pix->n == 3 && !v_pix->alpha && fz_colorspace_is_rgb(fz, v_pix->colorspace))
            v_rgb = fz_keep_pixmap(fz, v_pix);
        else
            v_rgb = fz_convert_pixmap(fz, v_pix, fz_device_rgb(fz), NULL, NULL,
                                      fz_default_color_params, 0);
        int w = v_rgb->w, h = v_rgb->h, n = v_rgb->n;
        scan->rgb = malloc((size_t)w * h * 3);
        if (!scan->rgb)
            fz_throw(fz, FZ_ERROR_MEMORY, "out of memory for %dx%d pixels", w, h);
        for (int y = 0; y < h; y++) {
            const unsigned char *src = v_rgb->samples + (size_t)y * v_rgb->stride;
            unsigned char *dst = scan->rgb + (size_t)y * w * 3;
            if (n == 3)
                memcpy(dst, src, (size_t)w * 3);
            else
                for (int x = 0; x < w; x++)
                    memcpy(dst + 3 * x, src + (size_t)n * x, 3);
        }
        scan->w = w;
        scan->h = h;
        scan->dpi_x = dx;
        scan->dpi_y = dy > 0 ? dy : dx;
    }
    fz_always(fz) {
        fz_drop_pixmap(fz, v_rgb);
        fz_drop_pixmap(fz, v_pix);
        fz_drop_image(fz, v_img);
        if (v_finder)
            fz_drop_device(fz, &v_finder->super);
        fz_drop_page(fz, v_page);
        fz_drop_document(fz, v_doc);
        fz_drop_stream(fz, v_stm);
        fz_drop_buffer(fz, v_buf);
    }
    fz_catch(fz) {
        seal_status st = seal__from_fz(ctx, SEAL_ERR_INPUT);
        if (st == SEAL_ERR_INPUT && strncmp(ctx->msg, path, strlen(path)) != 0) {
            char tmp[SEAL_MSG_MAX];
            snprintf(tmp, sizeof(tmp), "%s", ctx->msg);
            seal__fail(ctx, st, "%s: cannot decode the %s image: %s", path, hd->format, tmp);
        }
        return st;
    }
    return SEAL_OK;
}

SEAL_API seal_status seal_scan_load(seal_ctx *ctx, seal_scan **out, const char *path,
                                    const seal_scan_options *opts)
{
    seal_scan_options defaults = SEAL_SCAN_OPTIONS_INIT;
    unsigned char *data = NULL;
    size_t len = 0;
    struct header hd;
    seal_status st;
    seal_scan *scan = NULL;
    unsigned long max_px;

    if (!ctx)
        return SEAL_ERR_ARGS;
    seal__reset(ctx);
    if (!out || !path)
        return seal__fail(ctx, SEAL_ERR_ARGS, "seal_scan_load: missing argument");
    *out = NULL;
    if (!opts)
        opts = &defaults;
    if (opts->version != SEAL_SCAN_OPTIONS_VERSION)
        return seal__fail(ctx, SEAL_ERR_ARGS, "seal_scan_options: unknown version %u", opts->version);
    max_px = opts->max_pixels ? opts->max_pixels : SCAN_DEFAULT_MAX_PIXELS;

    st = seal__read_file(ctx, path, SCAN_FILE_LIMIT, &data, &len);
    if (st != SEAL_OK)
        return st;
    if (len == 0) {
        free(data);
        return seal__fail(ctx, SEAL_ERR_INPUT, "%s is empty", path);
    }
    sniff(data, len, &hd);
    if (!hd.format) {
        free(data);
        return seal__fail(ctx, SEAL_ERR_INPUT, "%s is not a PNG, JPEG, TIFF or PDF scan", path);
    }
    if (hd.w == 0 || hd.h == 0) {
        free(data);
        return seal__fail(ctx, SEAL_ERR_INPUT, "%s: the image has zero size (%lldx%lld)", path, hd.w,
                          hd.h);
    }
    if (hd.w > 0 && hd.h > 0 && (unsigned long long)hd.w * (unsigned long long)hd.h > max_px) {
        free(data);
        return seal__fail(ctx, SEAL_ERR_INPUT,
                          "%s: %lldx%lld pixels is more than the %lu allowed; not decoded", path,
                          hd.w, hd.h, max_px);
    }
    if (hd.truncated) {
        free(data);
        return seal__fail(ctx, SEAL_ERR_INPUT, "%s: truncated %s file", path, hd.format);
    }
    scan = calloc(1, sizeof(*scan));
    if (!scan) {
        free(data);
        return seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
    }
    snprintf(scan->format, sizeof(scan->format), "%s", hd.format);
    scan->jpeg_quality = hd.jpeg_quality;
    sha256_hex(data, len, scan->sha256);
    int done = 0;
    if (!strcmp(hd.format, "jpeg")) {
        done = decode_jpeg(ctx, path, data, len, max_px, scan);
        if (done > 0) {
            scan->dpi_x = hd.dpi_x;
            scan->dpi_y = hd.dpi_y > 0 ? hd.dpi_y : hd.dpi_x;
        }
    }
    if (done < 0) {
        st = ctx->status;
    } else if (done == 0) {
        struct load_job job = {path, data, len, &hd, opts->page, max_px, scan};
        st = decode(ctx, &job);
    } else
        st = SEAL_OK;
    free(data);
    if (st != SEAL_OK) {
        seal_scan_free(scan);
        return st;
    }
    *out = scan;
    return SEAL_OK;
}

SEAL_API void seal_scan_free(seal_scan *scan)
{
    if (!scan)
        return;
    free(scan->rgb);
    free(scan);
}

SEAL_API void seal_scan_info_get(const seal_scan *scan, seal_scan_info *out)
{
    if (!out)
        return;
    memset(out, 0, sizeof(*out));
    if (!scan)
        return;
    out->width = scan->w;
    out->height = scan->h;
    out->dpi_x = scan->dpi_x;
    out->dpi_y = scan->dpi_y;
    out->format = scan->format;
    out->jpeg_quality = scan->jpeg_quality;
    out->sha256 = scan->sha256;
}
