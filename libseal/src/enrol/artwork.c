/*
 * Enrolment step 4: writing seal artwork as PDF (MuPDF), SVG and PNG
 * (MuPDF's rasteriser, libpng for the file so it carries pHYs).
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "enrol_internal.h"
#include "pdfint.h"

#include <errno.h>
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mupdf/pdf.h>

#define PT_PER_MM (72.0 / 25.4)

SEAL_API void seal_artwork_info_get(const seal_artwork *art, seal_artwork_info *out)
{
    if (!out)
        return;
    memset(out, 0, sizeof(*out));
    if (!art) {
        out->name = "";
        return;
    }
    out->kind = art->kind;
    out->width_mm = art->width_mm;
    out->height_mm = art->height_mm;
    out->path_count = art->npaths;
    out->segment_count = art->nsegs;
    memcpy(out->rgb, art->rgb, 3);
    out->name = art->name;
}

static const char *default_title(const seal_artwork *a)
{
    if (a->name[0])
        return a->name;
    switch (a->kind) {
    case SEAL_KIND_SIGNATURE: return "signature";
    case SEAL_KIND_LEGAL_REP: return "legal representative seal";
    case SEAL_KIND_PERSONAL: return "name seal";
    case SEAL_KIND_SPECIAL: return "special-purpose seal";
    case SEAL_KIND_INVOICE: return "invoice seal";
    case SEAL_KIND_FOREIGN: return "foreign-invested enterprise seal";
    default: return "company seal";
    }
}

static seal_status check_art(seal_ctx *ctx, const seal_artwork *art, const char *path)
{
    if (!ctx)
        return SEAL_ERR_ARGS;
    seal__reset(ctx);
    if (!art || !path || !*path)
        return seal__fail(ctx, SEAL_ERR_ARGS, "seal_artwork_write: missing argument");
    return SEAL_OK;
}

/* The page content: every path, filled once with even-odd (potrace nests
 * holes inside outlines), y flipped to PDF's upward axis. */
static void append_content(fz_context *fz, fz_buffer *buf, const seal_artwork *a)
{
    char tmp[256];
    double h = a->height_mm * PT_PER_MM, k = PT_PER_MM;
    snprintf(tmp, sizeof(tmp), "%.4f %.4f %.4f rg\n", a->rgb[0] / 255.0, a->rgb[1] / 255.0,
             a->rgb[2] / 255.0);
    fz_append_string(fz, buf, tmp);
    for (size_t i = 0; i < a->npaths; i++) {
        const struct seal_path *p = &a->paths[i];
        snprintf(tmp, sizeof(tmp), "%.3f %.3f m\n", p->x0 * k, h - p->y0 * k);
        fz_append_string(fz, buf, tmp);
        for (size_t j = 0; j < p->nseg; j++) {
            const struct seal_seg *s = &a->segs[p->seg_start + j];
            if (s->type == SEG_LINE)
                snprintf(tmp, sizeof(tmp), "%.3f %.3f l\n", s->c[4] * k, h - s->c[5] * k);
            else
                snprintf(tmp, sizeof(tmp), "%.3f %.3f %.3f %.3f %.3f %.3f c\n", s->c[0] * k,
                         h - s->c[1] * k, s->c[2] * k, h - s->c[3] * k, s->c[4] * k, h - s->c[5] * k);
            fz_append_string(fz, buf, tmp);
        }
        fz_append_string(fz, buf, "h\n");
    }
    fz_append_string(fz, buf, "f*\n");
}

SEAL_API seal_status seal_artwork_write_pdf(seal_ctx *ctx, const seal_artwork *art, const char *path)
{
    char tmp[4096];
    seal_status st = check_art(ctx, art, path);
    fz_context *fz;
    pdf_document *doc = NULL;
    fz_buffer *contents = NULL;
    pdf_obj *res = NULL, *page = NULL, *info = NULL;
    pdf_document *chk = NULL;
    int have_tmp = 0;

    if (st != SEAL_OK)
        return st;
    if ((st = seal__temp_path(ctx, path, tmp, sizeof(tmp))) != SEAL_OK)
        return st;
    have_tmp = 1;
    fz = ctx->fz;
    fz_var(doc);
    fz_var(contents);
    fz_var(res);
    fz_var(page);
    fz_var(info);
    fz_var(chk);
    fz_try(fz) {
        char ver[64];
        fz_rect mb = fz_make_rect(0, 0, (float)(art->width_mm * PT_PER_MM),
                                  (float)(art->height_mm * PT_PER_MM));
        doc = pdf_create_document(fz);
        contents = fz_new_buffer(fz, 4096);
        append_content(fz, contents, art);
        res = pdf_new_dict(fz, doc, 1);
        page = pdf_add_page(fz, doc, mb, 0, res, contents);
        pdf_insert_page(fz, doc, -1, page);
        info = pdf_new_dict(fz, doc, 8);
        pdf_dict_put_text_string(fz, info, PDF_NAME(Title), default_title(art));
        pdf_dict_puts_drop(fz, info, "SealKind", pdf_new_text_string(fz, seal_kind_name(art->kind)));
        if (art->made) {
            pdf_dict_puts_drop(fz, info, "SealMake", pdf_new_text_string(fz, art->scores_json));
        } else {
            pdf_dict_puts_drop(fz, info, "SealSourceSHA256", pdf_new_text_string(fz, art->sha256));
            pdf_dict_puts_drop(fz, info, "SealScores", pdf_new_text_string(fz, art->scores_json));
        }
        snprintf(ver, sizeof(ver), "libseal %s", seal_version());
        pdf_dict_put_text_string(fz, info, PDF_NAME(Producer), ver);
        pdf_dict_put_drop(fz, pdf_trailer(fz, doc), PDF_NAME(Info), pdf_add_object(fz, doc, info));
        pdf_write_options wo = pdf_default_write_options;
        wo.do_compress = 1;
        wo.do_garbage = 1;
        pdf_save_document(fz, doc, tmp, &wo);
        /* read it back before it takes the target's name */
        chk = pdf_open_document(fz, tmp);
        if (pdf_count_pages(fz, chk) != 1)
            seal__throw(ctx, SEAL_ERR_INTERNAL, "the written artwork %s does not read back", tmp);
    }
    fz_always(fz) {
        pdf_drop_document(fz, chk);
        pdf_drop_obj(fz, info);
        pdf_drop_obj(fz, page);
        pdf_drop_obj(fz, res);
        fz_drop_buffer(fz, contents);
        pdf_drop_document(fz, doc);
    }
    fz_catch(fz) {
        st = seal__fz_write_error(ctx, path, SEAL_ERR_IO);
        if (have_tmp)
            unlink(tmp);
        return st;
    }
    st = seal__commit_file(ctx, tmp, path);
    if (st != SEAL_OK)
        unlink(tmp);
    return st;
}

SEAL_API seal_status seal_artwork_write_svg(seal_ctx *ctx, const seal_artwork *art, const char *path)
{
    char tmp[4096];
    seal_status st = check_art(ctx, art, path);
    FILE *f;

    if (st != SEAL_OK)
        return st;
    if ((st = seal__temp_path(ctx, path, tmp, sizeof(tmp))) != SEAL_OK)
        return st;
    f = fopen(tmp, "w");
    if (!f) {
        st = seal__fail(ctx, SEAL_ERR_IO, "cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
        return st;
    }
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(f,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.3fmm\" height=\"%.3fmm\" "
            "viewBox=\"0 0 %.3f %.3f\">\n<title>",
            art->width_mm, art->height_mm, art->width_mm, art->height_mm);
    seal__xml_escape(f, default_title(art));
    fprintf(f, "</title>\n<desc>");
    seal__xml_escape(f, art->scores_json);
    fprintf(f, "</desc>\n<path fill=\"#%02x%02x%02x\" fill-rule=\"evenodd\" d=\"", art->rgb[0],
            art->rgb[1], art->rgb[2]);
    for (size_t i = 0; i < art->npaths; i++) {
        const struct seal_path *p = &art->paths[i];
        fprintf(f, "M%.4f %.4f", p->x0, p->y0);
        for (size_t j = 0; j < p->nseg; j++) {
            const struct seal_seg *s = &art->segs[p->seg_start + j];
            if (s->type == SEG_LINE)
                fprintf(f, "L%.4f %.4f", s->c[4], s->c[5]);
            else
                fprintf(f, "C%.4f %.4f %.4f %.4f %.4f %.4f", s->c[0], s->c[1], s->c[2], s->c[3],
                        s->c[4], s->c[5]);
        }
        fputs("Z\n", f);
    }
    fprintf(f, "\"/>\n</svg>\n");
    int bad = ferror(f), err = errno;
    if (fclose(f) != 0 && !bad) {
        bad = 1;
        err = errno;
    }
    if (bad) {
        st = seal__fail(ctx, SEAL_ERR_IO, "cannot write %s: %s", path, strerror(err ? err : EIO));
        unlink(tmp);
        return st;
    }
    st = seal__commit_file(ctx, tmp, path);
    if (st != SEAL_OK)
        unlink(tmp);
    return st;
}

/* libpng prints its errors unless given these: the library never prints.
 * The reason reaches the caller through errno (a failed write) instead. */
static void png_quiet_error(png_structp png, png_const_charp msg)
{
    (void)msg;
    png_longjmp(png, 1);
}

static void png_quiet_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

/* Write an RGBA PNG with pHYs from an alpha plane and one colour into
 * `file`, the temporary file of `target` (named in messages). Uses libpng's
 * setjmp error path; nothing here touches MuPDF. */
static seal_status write_png_file(seal_ctx *ctx, const char *file, const char *target,
                                  const unsigned char *alpha, int w, int h,
                                  const unsigned char rgb[3], double dpi)
{
    FILE *f = fopen(file, "wb");
    png_structp png = NULL;
    png_infop info = NULL;
    unsigned char *volatile row = NULL;
    if (!f)
        return seal__fail(ctx, SEAL_ERR_IO, "cannot write %s: %s", target, strerror(errno));
    errno = 0;
    png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, png_quiet_error, png_quiet_warning);
    if (png)
        info = png_create_info_struct(png);
    if (!png || !info) {
        png_destroy_write_struct(&png, NULL);
        fclose(f);
        return seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory writing PNG");
    }
    if (setjmp(png_jmpbuf(png))) {
        int err = errno;
        png_destroy_write_struct(&png, &info);
        free(row);
        fclose(f);
        return seal__fail(ctx, SEAL_ERR_IO, "cannot write %s: %s", target,
                          err ? strerror(err) : "PNG encoding failed");
    }
    row = malloc((size_t)w * 4);
    if (!row)
        png_error(png, "out of memory");
    png_init_io(png, f);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGBA, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_uint_32 ppm = (png_uint_32)lround(dpi / 0.0254);
    png_set_pHYs(png, info, ppm, ppm, PNG_RESOLUTION_METER);
    png_write_info(png, info);
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            unsigned char *o = row + 4 * x;
            unsigned char al = alpha[(size_t)y * w + x];
            o[0] = al ? rgb[0] : 0;
            o[1] = al ? rgb[1] : 0;
            o[2] = al ? rgb[2] : 0;
            o[3] = al;
        }
        png_write_row(png, row);
    }
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    free(row);
    if (fclose(f) != 0)
        return seal__fail(ctx, SEAL_ERR_IO, "cannot write %s: %s", target, strerror(errno));
    return SEAL_OK;
}

struct raster {
    double k; /* px per mm */
    int w, h;
    unsigned char *alpha;
};

/* Rasterise the paths into a coverage plane (MuPDF's anti-aliased filler). */
static seal_status render_alpha(seal_ctx *ctx, const seal_artwork *art, struct raster *ra)
{
    fz_context *fz = ctx->fz;
    fz_pixmap *pix = NULL;
    fz_device *dev = NULL;
    fz_path *fp = NULL;

    ra->alpha = NULL;
    fz_var(pix);
    fz_var(dev);
    fz_var(fp);
    fz_try(fz) {
        float col[1] = {0};
        float k = (float)ra->k;
        pix = fz_new_pixmap(fz, NULL, ra->w, ra->h, NULL, 1); /* coverage only */
        fz_clear_pixmap(fz, pix);
        dev = fz_new_draw_device(fz, fz_identity, pix);
        fp = fz_new_path(fz);
        for (size_t i = 0; i < art->npaths; i++) {
            const struct seal_path *p = &art->paths[i];
            fz_moveto(fz, fp, (float)p->x0 * k, (float)p->y0 * k);
            for (size_t j = 0; j < p->nseg; j++) {
                const struct seal_seg *s = &art->segs[p->seg_start + j];
                if (s->type == SEG_LINE)
                    fz_lineto(fz, fp, (float)s->c[4] * k, (float)s->c[5] * k);
                else
                    fz_curveto(fz, fp, (float)s->c[0] * k, (float)s->c[1] * k, (float)s->c[2] * k,
                               (float)s->c[3] * k, (float)s->c[4] * k, (float)s->c[5] * k);
            }
            fz_closepath(fz, fp);
        }
        fz_fill_path(fz, dev, fp, 1, fz_identity, fz_device_gray(fz), col, 1.0f,
                     fz_default_color_params);
        fz_close_device(fz, dev);
        ra->alpha = malloc((size_t)ra->w * ra->h);
        if (!ra->alpha)
            fz_throw(fz, FZ_ERROR_MEMORY, "out of memory");
        for (int y = 0; y < ra->h; y++)
            memcpy(ra->alpha + (size_t)y * ra->w, pix->samples + (size_t)y * pix->stride,
                   (size_t)ra->w);
    }
    fz_always(fz) {
        fz_drop_path(fz, fp);
        fz_drop_device(fz, dev);
        fz_drop_pixmap(fz, pix);
    }
    fz_catch(fz) {
        free(ra->alpha);
        ra->alpha = NULL;
        return seal__from_fz(ctx, SEAL_ERR_GENERIC);
    }
    return SEAL_OK;
}

SEAL_API seal_status seal_artwork_write_png(seal_ctx *ctx, const seal_artwork *art, const char *path,
                                            double dpi)
{
    char tmp[4096];
    struct raster ra;
    seal_status st = check_art(ctx, art, path);

    if (st != SEAL_OK)
        return st;
    if (dpi <= 0)
        dpi = 600;
    if (dpi < 10 || dpi > 4800)
        return seal__fail(ctx, SEAL_ERR_ARGS, "PNG resolution %.0f dpi is out of range", dpi);
    ra.k = dpi / 25.4;
    ra.w = (int)ceil(art->width_mm * ra.k);
    ra.h = (int)ceil(art->height_mm * ra.k);
    if ((st = render_alpha(ctx, art, &ra)) != SEAL_OK)
        return st;
    st = seal__temp_path(ctx, path, tmp, sizeof(tmp));
    if (st == SEAL_OK) {
        st = write_png_file(ctx, tmp, path, ra.alpha, ra.w, ra.h, art->rgb, dpi);
        if (st == SEAL_OK)
            st = seal__commit_file(ctx, tmp, path);
        if (st != SEAL_OK)
            unlink(tmp);
    }
    free(ra.alpha);
    return st;
}

pdf_document *seal__artwork_open(seal_ctx *ctx, const char *path, fz_rect *bbox, char *kind,
                                 size_t kind_size)
{
    fz_context *fz = ctx->fz;
    pdf_document *volatile src = NULL;

    seal__pdf_check_file(ctx, path);
    fz_try(fz)
        src = pdf_open_document(fz, path);
    fz_catch(fz)
        seal__throw(ctx, SEAL_ERR_INPUT, "seal artwork %s cannot be read: %s", path, fz_caught_message(fz));
    fz_try(fz) {
        if (pdf_needs_password(fz, src))
            seal__throw(ctx, SEAL_ERR_INPUT, "seal artwork %s is encrypted", path);
        if (pdf_count_pages(fz, src) != 1)
            seal__throw(ctx, SEAL_ERR_INPUT,
                        "seal artwork %s must be a one-page PDF at the seal's size (it has %d pages)",
                        path, pdf_count_pages(fz, src));
        pdf_obj *page = pdf_lookup_page_obj(fz, src, 0);
        *bbox = pdf_to_rect(fz, pdf_dict_get_inheritable(fz, page, PDF_NAME(MediaBox)));
        double w = (bbox->x1 - bbox->x0) * 25.4 / 72, h = (bbox->y1 - bbox->y0) * 25.4 / 72;
        if (!(w >= 1 && h >= 1 && w <= SEAL_MAX_ARTWORK_MM && h <= SEAL_MAX_ARTWORK_MM))
            seal__throw(ctx, SEAL_ERR_INPUT, "seal artwork %s is %.1f x %.1f mm; a seal is between 1 and %.0f mm",
                        path, w, h, SEAL_MAX_ARTWORK_MM);
        /* Recorded by seal enrol as a text string; a name is accepted too. */
        pdf_obj *k = pdf_dict_getp(fz, pdf_trailer(fz, src), "Info/SealKind");
        snprintf(kind, kind_size, "%s", pdf_is_name(fz, k) ? pdf_to_name(fz, k) : pdf_to_text_string(fz, k));
        for (char *c = kind; *c; c++)
            if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-'))
                *c = '-';
    }
    fz_catch(fz) {
        pdf_drop_document(fz, src);
        fz_rethrow(fz);
    }
    return src;
}
