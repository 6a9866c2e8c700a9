/*
 * Electronic seals in PDF signatures: the seal's own picture as the
 * appearance the signer draws, and the SES_Seal carried in the signed
 * revision, a stream referenced from the signature dictionary under
 * /SealESeal (docs/eseal.md).
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "esealint.h"
#include "pdfint.h"

#include <string.h>

#define MM_TO_PT (72.0 / 25.4)

/* Picture types MuPDF decodes; SVG and OFD pictures it cannot draw here. */
static int drawable(const char *type)
{
    static const char *const ok[] = {"PNG", "JPG", "JPEG", "GIF", "BMP", "TIF", "TIFF"};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        if (!strcmp(type, ok[i]))
            return 1;
    return 0;
}

fz_image *seal__eseal_image(seal_ctx *ctx, const seal_eseal *es)
{
    fz_context *fz = ctx->fz;
    seal_eseal_info ei;
    size_t len;
    const unsigned char *pic = seal_eseal_picture(es, &len);
    fz_buffer *buf;
    fz_image *img = NULL;

    seal_eseal_get_info(es, &ei);
    if (!drawable(ei.picture_type))
        seal__throw(ctx, SEAL_ERR_UNSUPPORTED, "e-seal \"%s\": a %s picture cannot be drawn", ei.name,
                    ei.picture_type);
    if (ei.width_mm < 1 || ei.height_mm < 1 || ei.width_mm > 200 || ei.height_mm > 200)
        seal__throw(ctx, SEAL_ERR_INPUT, "e-seal \"%s\" is %d x %d mm; a seal is between 1 and 200 mm",
                    ei.name, ei.width_mm, ei.height_mm);
    buf = fz_new_buffer_from_copied_data(fz, pic, len);
    fz_try(fz)
        img = fz_new_image_from_buffer(fz, buf);
    fz_always(fz)
        fz_drop_buffer(fz, buf);
    fz_catch(fz)
        seal__throw(ctx, SEAL_ERR_INPUT, "e-seal \"%s\": its %s picture cannot be decoded: %s", ei.name,
                    ei.picture_type, fz_caught_message(fz));
    return img;
}

pdf_obj *seal__eseal_xobject(seal_ctx *ctx, pdf_document *doc, const seal_eseal *es, fz_rect *bbox)
{
    fz_context *fz = ctx->fz;
    seal_eseal_info ei;
    fz_image *img = seal__eseal_image(ctx, es);
    pdf_obj *ref = NULL, *res = NULL, *xobj = NULL;
    fz_buffer *content = NULL;

    seal_eseal_get_info(es, &ei);
    fz_var(ref);
    fz_var(res);
    fz_var(content);
    fz_try(fz) {
        float w = (float)(ei.width_mm * MM_TO_PT), h = (float)(ei.height_mm * MM_TO_PT);
        *bbox = fz_make_rect(0, 0, w, h);
        ref = pdf_add_image(fz, doc, img);
        res = pdf_new_dict(fz, doc, 1);
        pdf_obj *xo = pdf_dict_put_dict(fz, res, PDF_NAME(XObject), 1);
        pdf_dict_puts(fz, xo, "ESeal", ref);
        content = fz_new_buffer(fz, 64);
        fz_append_printf(fz, content, "q %g 0 0 %g 0 0 cm /ESeal Do Q\n", w, h);
        xobj = pdf_new_xobject(fz, doc, *bbox, fz_identity, res, content);
    }
    fz_always(fz) {
        fz_drop_buffer(fz, content);
        pdf_drop_obj(fz, res);
        pdf_drop_obj(fz, ref);
        fz_drop_image(fz, img);
    }
    fz_catch(fz)
        fz_rethrow(fz);
    return xobj;
}

void seal__eseal_attach(seal_ctx *ctx, pdf_document *doc, int sig_num, const seal_eseal *es)
{
    fz_context *fz = ctx->fz;
    size_t len;
    const unsigned char *der = seal__eseal_der(es, &len);
    fz_buffer *buf = fz_new_buffer_from_copied_data(fz, der, len);
    pdf_obj *sig = NULL, *st = NULL;

    fz_var(sig);
    fz_var(st);
    fz_try(fz) {
        st = pdf_add_stream(fz, doc, buf, NULL, 0);
        sig = pdf_load_object(fz, doc, sig_num);
        pdf_dict_puts(fz, sig, SEAL_ESEAL_KEY, st);
    }
    fz_always(fz) {
        pdf_drop_obj(fz, st);
        pdf_drop_obj(fz, sig);
        fz_drop_buffer(fz, buf);
    }
    fz_catch(fz)
        fz_rethrow(fz);
}
