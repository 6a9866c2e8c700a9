/*
 * The verifier: every signature and document time-stamp of a PDF checked
 * for an evaluation committee — dictionary and ByteRange shape, the CMS
 * (vcms.c), what changed after each signature (changes.c), the PAdES level,
 * the bid deadline, and where each seal appears.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "ofdint.h"
#include "reportint.h"
#include "sesint.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>

#define MAX_FILE ((size_t)2 << 30)

/* ------------------------------------------------------------ signatures */



/* DSS certificates, CRLs and OCSP responses: intermediates and revocation
 * data for every signature. */
static void load_dss(seal_ctx *ctx, pdf_document *doc, vtrust *t)
{
    fz_context *fz = ctx->fz;
    pdf_obj *dss = pdf_dict_getp(fz, pdf_trailer(fz, doc), "Root/DSS");
    static const char *const keys[] = {"Certs", "CRLs", "OCSPs"};
    size_t total = 0;
    int items = 0;

    if (!pdf_is_dict(fz, dss))
        return;
    for (int k = 0; k < 3; k++) {
        pdf_obj *arr = pdf_dict_gets(fz, dss, keys[k]);
        int n = pdf_array_len(fz, arr);
        for (volatile int i = 0; i < n && items < VFY_MAX_DSS_ITEMS && total < VFY_MAX_DSS_BYTES;
             i++, items++) {
            fz_buffer *volatile buf = NULL;
            fz_stream *volatile stm = NULL;
            fz_try(fz) {
                pdf_obj *st = pdf_array_get(fz, arr, i);
                if (pdf_is_stream(fz, st)) {
                    int truncated = 0;
                    /* A deflate bomb stops at the limit, not at memory's end. */
                    stm = pdf_open_stream(fz, st);
                    buf = fz_read_best(fz, stm, 4096, &truncated, VFY_MAX_DSS_BYTES);
                    unsigned char *p;
                    size_t len = fz_buffer_storage(fz, buf, &p);
                    total += len;
                    if (len <= VFY_MAX_DSS_BYTES) {
                        if (k == 0)
                            seal__vtrust_add_cert(t, p, len);
                        else if (k == 1)
                            seal__vtrust_add_crl(t, p, len);
                        else
                            seal__vtrust_add_ocsp(t, p, len);
                    }
                }
            }
            fz_always(fz) {
                fz_drop_stream(fz, stm);
                fz_drop_buffer(fz, buf);
            }
            fz_catch(fz) {
                /* A broken DSS entry is skipped: revocation then is "not
                 * checked", which the report says. */
            }
        }
    }
}

/* pades.md item 1: a known /SubFilter matching the dictionary's /Type. */
static void check_dict(vsig *s)
{
    static const char *const known[] = {"ETSI.CAdES.detached", "adbe.pkcs7.detached",
                                        "adbe.pkcs7.sha1", "ETSI.RFC3161"};
    int k = -1;
    for (int i = 0; i < 4; i++)
        if (!strcmp(s->subfilter, known[i]))
            k = i;
    if (!strcmp(s->subfilter, "adbe.x509.rsa_sha1"))
        seal__vfy_set(s, SEAL_INDETERMINATE, SEAL_SUB_CRYPTO_CONSTRAINTS_FAILURE,
                      "/SubFilter adbe.x509.rsa_sha1 (a bare PKCS#1 SHA-1 signature) is not accepted");
    else if (k < 0)
        seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_FORMAT_FAILURE, "unknown /SubFilter '%s'",
                      s->subfilter);
    else if ((k == 3) != (s->doc_ts != 0))
        seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_FORMAT_FAILURE,
                      "/SubFilter %s does not go with /Type /%s", s->subfilter, s->type);
}

/* ------------------------------------------------------------ ByteRange */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static void check_shape(seal_ctx *ctx, vdoc *d, vsig *s)
{
    fz_context *fz = ctx->fz;
    const unsigned char *data = d->data;
    int64_t len = (int64_t)d->len;
    int64_t a, b, c, e;

    s->r.byte_range_ok = 0;
    if (s->br_count != 4) {
        seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_FORMAT_FAILURE,
                      s->br_count < 0 ? "/ByteRange is missing or not an array"
                                      : "/ByteRange has %d numbers, not 4",
                      s->br_count);
        return;
    }
    a = s->br[0];
    b = s->br[1];
    c = s->br[2];
    e = s->br[3];
    if (a < 0 || b < 0 || c < 0 || e < 0 || a > len || b > len || c > len || e > len ||
        c + e > len || a + b > len) {
        seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_FORMAT_FAILURE,
                      "/ByteRange [%lld %lld %lld %lld] is not four non-negative offsets inside the file",
                      (long long)a, (long long)b, (long long)c, (long long)e);
        return;
    }
    if (a != 0) {
        seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_FORMAT_FAILURE,
                      "/ByteRange does not start at byte 0");
        return;
    }
    if (c < b + 2) {
        seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_FORMAT_FAILURE,
                      "/ByteRange ranges overlap or leave no gap for /Contents");
        return;
    }
    /* The gap is exactly a hex string whose value is this dictionary's
     * /Contents. Some signers leave a delimiter inside the signed bytes
     * (pdf.js's test files sign the '>'): fewer unsigned bytes, no room to
     * hide anything, so that is accepted too. */
    int64_t hs = data[b] == '<' ? b + 1 : b, he = data[c - 1] == '>' ? c - 1 : c;
    if ((hs == b && (b == 0 || data[b - 1] != '<')) || (he == c && (c >= len || data[c] != '>'))) {
        seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_FORMAT_FAILURE,
                      "the /ByteRange gap is not exactly the /Contents hex string");
        return;
    }
    /* Signature /Contents strings are never encrypted (ISO 32000-1
     * 7.6.1), but a reader decrypting every string garbles them: in an
     * encrypted document the gap's own hex is the CMS. */
    if (pdf_needs_password(fz, d->doc) || pdf_dict_get(fz, pdf_trailer(fz, d->doc), PDF_NAME(Encrypt))) {
        size_t n = (size_t)(he - hs + 1) / 2, k = 0;
        unsigned char *raw = malloc(n + 1);
        int h2 = -1;
        if (!raw)
            fz_throw(fz, FZ_ERROR_MEMORY, "out of memory");
        for (int64_t i = hs; i < he && k < n; i++) {
            int v = hexval(data[i]);
            if (v < 0)
                continue;
            if (h2 < 0)
                h2 = v;
            else {
                raw[k++] = (unsigned char)(h2 << 4 | v);
                h2 = -1;
            }
        }
        free(s->contents);
        s->contents = raw;
        s->contents_len = k;
        s->contents_ok = 1;
    }
    size_t nd = 0;
    int hi = -1, mismatch = 0;
    for (int64_t i = hs; i < he; i++) {
        int v = hexval(data[i]);
        if (v < 0) {
            mismatch = 2;
            break;
        }
        if (hi < 0) {
            hi = v;
            continue;
        }
        unsigned char byte = (unsigned char)(hi << 4 | v);
        hi = -1;
        if (nd >= s->contents_len || s->contents[nd] != byte)
            mismatch = 1;
        nd++;
    }
    if (hi >= 0)
        nd++; /* odd digit count: the last one is padded with 0 */
    if (mismatch == 2 || nd != s->contents_len || mismatch) {
        seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_FORMAT_FAILURE,
                      mismatch == 2 ? "the /ByteRange gap holds more than a hex string"
                                    : "the /ByteRange gap is not this signature's /Contents");
        return;
    }
    s->gap_ok = 1;
}

/* The rest of the shape: the ByteRange ends a revision, and the dictionary
 * holding the gap lies inside the signed bytes. */
static void check_place(seal_ctx *ctx, vdoc *d, vsig *s)
{
    fz_context *fz = ctx->fz;
    const unsigned char *data = d->data;
    int64_t b = s->br[1], c = s->br[2], e = s->br[3];

    if (!s->gap_ok)
        return;
    /* It ends a revision. */
    int at_end = 0;
    for (size_t i = 0; i < d->nrevs; i++)
        if (d->rev_ends[i] == c + e)
            at_end = 1;
    if (!at_end) {
        seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_FORMAT_FAILURE,
                      "/ByteRange ends at byte %lld, not at the end of a revision (%%%%EOF)",
                      (long long)(c + e));
        return;
    }
    /* The dictionary holding the gap lies inside the signed revision: its
     * object starts before the gap and ends after it. */
    int num = s->sig_num ? s->sig_num : s->field_num;
    pdf_xref_entry *x = num > 0 && num < pdf_xref_len(fz, d->doc) ? pdf_get_xref_entry(fz, d->doc, num) : NULL;
    if (!x || x->type != 'n' || x->ofs < 0 || x->ofs >= b) {
        seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_FORMAT_FAILURE,
                      "the signature dictionary (object %d) is not where the signed bytes put it: "
                      "it was replaced after signing",
                      num);
        return;
    }
    const unsigned char *endobj = memmem(data + c, (size_t)(c + e - c), "endobj", 6);
    const unsigned char *nextobj = memmem(data + x->ofs, (size_t)(b - x->ofs), "endobj", 6);
    if (!endobj || nextobj) {
        seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_FORMAT_FAILURE,
                      "the /Contents gap is not inside the signature dictionary's object");
        return;
    }
    s->r.byte_range_ok = 1;
}

/* ------------------------------------------------------------ rendering */

static void png_of(fz_context *fz, fz_pixmap *pix, vsig *s, int which)
{
    fz_buffer *buf = fz_new_buffer_from_pixmap_as_png(fz, pix, fz_default_color_params);
    unsigned char *p;
    size_t len = fz_buffer_storage(fz, buf, &p);
    s->png[which] = malloc(len);
    if (s->png[which]) {
        memcpy(s->png[which], p, len);
        s->pnglen[which] = len;
    }
    fz_drop_buffer(fz, buf);
}

/* PNGs of the seal's appearance and of its page region as shown. */
static void render_sig(seal_ctx *ctx, pdf_document *doc, vsig *s, int dpi)
{
    fz_context *fz = ctx->fz;
    pdf_page *page = NULL;
    fz_pixmap *pix = NULL;
    fz_device *dev = NULL;
    float scale = (float)dpi / 72.0f;

    if (!s->r.page_count)
        return; /* nothing drawn */
    fz_var(page);
    fz_var(pix);
    fz_var(dev);
    fz_try(fz) {
        page = pdf_load_page(fz, doc, s->r.page - 1);
        /* The placement shown first: the widget, else a seal stamp. */
        int want = 0;
        for (size_t k = 0; k < s->npl && !want; k++)
            if (s->pl[k].info.page == s->r.page)
                want = s->pl[k].info.object;
        pdf_annot *w;
        for (w = pdf_first_widget(fz, page); w; w = pdf_next_widget(fz, w))
            if (pdf_to_num(fz, pdf_annot_obj(fz, w)) == want)
                break;
        for (pdf_annot *a = w ? NULL : pdf_first_annot(fz, page); a && !w; a = pdf_next_annot(fz, a))
            if (pdf_to_num(fz, pdf_annot_obj(fz, a)) == want)
                w = a;
        /* A seal is a few centimetres: a picture of a huge annotation
         * would take seconds to clear and says nothing. */
        if (w) {
            fz_rect ab = fz_transform_rect(pdf_bound_annot(fz, w), fz_scale(scale, scale));
            if ((ab.x1 - ab.x0) * (ab.y1 - ab.y0) > 4000.0f * 4000.0f)
                w = NULL;
        }
        if (w) {
            pix = pdf_new_pixmap_from_annot(fz, w, fz_scale(scale, scale), fz_device_rgb(fz), NULL, 1);
            png_of(fz, pix, s, 0);
            fz_drop_pixmap(fz, pix);
            pix = NULL;
            /* The region around the seal, page content and all annotations. */
            fz_rect r = pdf_bound_annot(fz, w);
            fz_rect pr = pdf_bound_page(fz, page);
            r.x0 -= 36;
            r.y0 -= 36;
            r.x1 += 36;
            r.y1 += 36;
            r = fz_intersect_rect(r, pr);
            fz_matrix ctm = fz_scale(scale, scale);
            fz_irect bbox = fz_round_rect(fz_transform_rect(r, ctm));
            if (bbox.x1 - bbox.x0 > 0 && bbox.y1 - bbox.y0 > 0 && bbox.x1 - bbox.x0 < 4000 &&
                bbox.y1 - bbox.y0 < 4000) {
                pix = fz_new_pixmap_with_bbox(fz, fz_device_rgb(fz), bbox, NULL, 0);
                fz_clear_pixmap_with_value(fz, pix, 255);
                dev = fz_new_draw_device(fz, fz_identity, pix);
                fz_run_page(fz, (fz_page *)page, dev, ctm, NULL);
                fz_close_device(fz, dev);
                png_of(fz, pix, s, 1);
            }
        }
    }
    fz_always(fz) {
        fz_drop_device(fz, dev);
        fz_drop_pixmap(fz, pix);
        fz_drop_page(fz, (fz_page *)page);
    }
    fz_catch(fz) {
        /* No picture is not a verdict: the report simply has none. */
        seal__warn(ctx, "%s: cannot render the seal: %s", s->field, fz_caught_message(fz));
    }
}

/* ------------------------------------------------------------ levels */

/* A disallowed change, found by either judge, fails the signature: the
 * committee is not looking at what was signed. */
static void changes_verdict(vsig *s)
{
    if (s->r.changes_after == SEAL_CHANGES_DISALLOWED) {
        const char *first = "";
        for (size_t k = 0; k < s->nchanges; k++)
            if (!s->changes[k].info.allowed) {
                first = s->changes[k].detail;
                break;
            }
        seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_FORMAT_FAILURE,
                      "the document was changed after signing in a way not allowed: %s", first);
    }
}

static void finish_sig(vdoc *d, vsig *s, const seal_verify_options *opts)
{
    /* Proof of existence: the signature's own time-stamp, or a later valid
     * document time-stamp covering its revision. */
    int later_dts = 0, lta = 0;
    for (size_t i = 0; i < d->nsigs; i++) {
        vsig *t = &d->sigs[i];
        if (!t->doc_ts || t == s || t->r.indication == SEAL_TOTAL_FAILED || !t->r.intact ||
            t->rev_end < s->rev_end || !t->trusted)
            continue;
        if (t->r.chain_trusted) {
            later_dts = 1;
            if (!s->poe || t->trusted < s->poe)
                s->poe = t->trusted;
        }
        lta = 1;
    }
    if (s->doc_ts || strncmp(s->subfilter, "ETSI.", 5) != 0 || !s->r.intact) {
        snprintf(s->level, sizeof(s->level), "none");
    } else if (!s->level[0]) {
        int bt = s->r.timestamp_ok || later_dts;
        /* B-LT: revocation data for the signer embedded (DSS or CMS). */
        int blt = bt && s->r.revocation == SEAL_REVOCATION_GOOD;
        snprintf(s->level, sizeof(s->level), "%s",
                 seal_level_name(blt && lta ? SEAL_LEVEL_B_LTA : blt ? SEAL_LEVEL_B_LT
                                 : bt       ? SEAL_LEVEL_B_T
                                            : SEAL_LEVEL_B_B));
    }
    /* The time shown: trusted if time-stamped, else what the signer claims. */
    s->r.time_trusted = s->trusted != 0;
    seal__iso_time(s->trusted ? s->trusted : s->claimed, s->signing_time, sizeof(s->signing_time));
    if (opts && opts->deadline) {
        if (s->trusted && s->trusted > opts->deadline)
            s->r.deadline = SEAL_DEADLINE_MISSED;
        else if (s->poe && s->poe <= opts->deadline)
            s->r.deadline = SEAL_DEADLINE_MET;
        else if (s->claimed > opts->deadline)
            /* Its own claim already puts it after the deadline. */
            s->r.deadline = SEAL_DEADLINE_CLAIMED_LATE;
        else
            s->r.deadline = SEAL_DEADLINE_UNPROVEN;
    }
    changes_verdict(s);
}

/* ------------------------------------------------------------ entry */

static void fill_result(vsig *s)
{
    seal_signature_result *r = &s->r;
    r->field = s->field ? s->field : "";
    r->type = s->type ? s->type : "";
    r->subfilter = s->subfilter ? s->subfilter : "";
    r->reason = s->reason ? s->reason : "";
    r->signer = s->signer ? s->signer : "";
    r->signer_subject = s->signer_subject ? s->signer_subject : "";
    r->issuer = s->issuer ? s->issuer : "";
    r->serial = s->serial ? s->serial : "";
    r->signing_time = s->signing_time;
    r->claimed_time = s->claimed_time;
    r->timestamp = s->timestamp;
    r->digest_algorithm = s->digest_alg;
    r->key = s->key;
    r->level = s->level;
    r->seal_kind = s->seal_kind;
    r->chain_fetched = s->chain_fetched;
    r->pages = s->pages;
    r->change_count = s->nchanges;
    for (size_t k = 0; k < s->npl; k++)
        s->pl[k].info.kind = s->pl[k].kind;
}

static void free_sig(vsig *s)
{
    seal__veseal_free(s);
    free(s->field);
    free(s->type);
    free(s->subfilter);
    free(s->reason);
    free(s->signer);
    free(s->signer_subject);
    free(s->issuer);
    free(s->serial);
    free(s->contents);
    for (size_t k = 0; k < s->nchanges; k++) {
        free(s->changes[k].png[0]);
        free(s->changes[k].png[1]);
    }
    free(s->changes);
    free(s->touched);
    free(s->fills);
    free(s->pages);
    free(s->pl);
    seal__vrender_free(s);
    free(s->png[0]);
    free(s->png[1]);
    for (int i = 0; i < s->nlock_fields; i++)
        free(s->lock_fields[i]);
    free(s->lock_fields);
    CMS_ContentInfo_free(s->cms);
    seal__ses_sig_free(s->ses);
    X509_free(s->signer_cert);
    free(s->signer_orgs);
    free(s->signer_codes);
}

SEAL_API void seal_report_free(seal_report *rep)
{
    if (!rep)
        return;
    for (size_t i = 0; i < rep->nsigs; i++)
        free_sig(&rep->sigs[i]);
    free(rep->sigs);
    free(rep->file);
    seal__report_free_rules(rep);
    free(rep);
}


/* A signature's dictionary, shape and CMS, before any hashing. */
static void prepare_sig(seal_ctx *ctx, vdoc *d, vsig *s)
{
    check_dict(s);
    check_shape(ctx, d, s);
    if (!seal__vses_parse(ctx, s))
        seal__vcms_parse(s);
}

/* Where its ByteRange ends among the revisions, and every change after. */
static void place_and_judge(seal_ctx *ctx, vdoc *d, vsig *s)
{
    check_place(ctx, d, s);
    for (size_t r = 0; r < d->nrevs; r++)
        if (s->br_count == 4 && d->rev_ends[r] == s->rev_end)
            s->r.revision = (int)r + 1;
    if (s->br_count == 4 && s->r.byte_range_ok)
        seal__vfy_changes(ctx, d, s);
    else
        s->r.changes_after = SEAL_CHANGES_NONE;
}

/* The whole file as MuPDF opens it; what cannot be read is SEAL_ERR_INPUT. */
static pdf_document *open_whole(seal_ctx *ctx, const unsigned char *data, size_t len, const char *password)
{
    fz_context *fz = ctx->fz;
    pdf_document *volatile doc = NULL;
    fz_try(fz)
        doc = seal__vfy_open_prefix(ctx, data, len, password);
    fz_catch(fz) {
        if (ctx->status != SEAL_OK)
            fz_rethrow(fz);
        seal__throw(ctx, SEAL_ERR_INPUT, "cannot be read as a PDF: %s", fz_caught_message(fz));
    }
    return doc;
}

/* The document's facts for the report, and room for its signatures. */
static void describe_doc(seal_ctx *ctx, seal_report *rep, vdoc *d)
{
    fz_context *fz = ctx->fz;
    rep->info.pages = pdf_count_pages(fz, d->doc);
    rep->info.size = (long long)d->len;
    d->docmdp = seal__pdf_docmdp(ctx, d->doc);
    rep->info.docmdp = d->docmdp;
    rep->sigs = calloc(VFY_MAX_SIGS, sizeof(vsig));
    if (!rep->sigs)
        fz_throw(fz, FZ_ERROR_MEMORY, "out of memory");
    d->sigs = rep->sigs;
}

/* Signatures the form no longer lists (from listed on). Until now they
 * were absent, which the structural judge treats as it treats hidden ones. */
static void judge_hidden(seal_ctx *ctx, vdoc *d, vcollect *c, size_t listed)
{
    seal__vfy_find_hidden(ctx, d, c);
    for (size_t i = listed; i < d->nsigs; i++) {
        vsig *s = &d->sigs[i];
        prepare_sig(ctx, d, s);
        seal__vhash_one(d, s);
        place_and_judge(ctx, d, s);
    }
}

/* Signing order (the revision each covers), not the order the form lists
 * the fields; ISO 32000: the certification signature is the first. */
static void order_signatures(vdoc *d)
{
    for (size_t i = 1; i < d->nsigs; i++)
        for (size_t j = i; j > 0; j--) {
            int64_t a = d->sigs[j - 1].br_count == 4 ? d->sigs[j - 1].rev_end : INT64_MAX;
            int64_t b = d->sigs[j].br_count == 4 ? d->sigs[j].rev_end : INT64_MAX;
            if (a <= b)
                break;
            vsig tmp = d->sigs[j - 1];
            d->sigs[j - 1] = d->sigs[j];
            d->sigs[j] = tmp;
        }
    for (size_t i = 1; i < d->nsigs; i++)
        if (d->sigs[i].r.certify && !d->sigs[i].doc_ts)
            seal__vfy_set(&d->sigs[i], SEAL_TOTAL_FAILED, SEAL_SUB_FORMAT_FAILURE,
                          "a certification (DocMDP) signature must be the document's first signature");
}

/* What the signer saw drawn now (judged by judge_rendering once every
 * verdict is known), for signatures from `from` on: the e-seals' bytes
 * first (read from the signed revision the rendering judge then takes). */
static void prepare_rendering(seal_ctx *ctx, vdoc *d, size_t from)
{
    for (size_t i = from; i < d->nsigs; i++)
        seal__veseal_read(ctx, d, &d->sigs[i]);
    seal__vrender_prepare(ctx, d);
}

/* Each signature's CMS, chain, time-stamps and revocation. */
static void judge_signatures(seal_ctx *ctx, vdoc *d, vtrust *trust)
{
    for (size_t i = 0; i < d->nsigs; i++) {
        seal__vcms_verify(ctx, trust, &d->sigs[i]);
        seal__vses_verify(ctx, trust, &d->sigs[i]);
    }
}

/* Last to first: a later signature's own verdict decides whether its
 * appearance may change an earlier signature's pages. */
static void judge_rendering(seal_ctx *ctx, vdoc *d, const seal_verify_options *opts)
{
    for (size_t i = 0; i < d->nsigs; i++)
        finish_sig(d, &d->sigs[i], opts);
    for (size_t i = d->nsigs; i-- > 0;)
        if (seal__vrender_judge(ctx, d, &d->sigs[i]))
            changes_verdict(&d->sigs[i]);
}

/* Pictures of the seals, from rdoc: a separate instance, since loading
 * pages may synthesise appearances, which must not touch the document
 * compared. */
static void render_all(seal_ctx *ctx, vdoc *d, pdf_document *rdoc, int dpi)
{
    for (size_t i = 0; i < d->nsigs; i++) {
        if (seal__vfy_late(d)) {
            seal__warn(ctx, "pictures of the seals skipped: the document takes too long to draw");
            break;
        }
        render_sig(ctx, rdoc, &d->sigs[i], dpi);
    }
}

/* The document's verdict: the worst signature's; without a signature
 * (document time-stamps prove when, not who) never TOTAL-PASSED. */
static void doc_verdict(seal_report *rep)
{
    int worst = -1;
    size_t signatures = 0;

    rep->info.indication = SEAL_TOTAL_PASSED;
    for (size_t i = 0; i < rep->nsigs; i++) {
        vsig *s = &rep->sigs[i];
        int r = seal__vfy_rank(s->r.indication);
        fill_result(s);
        if (worst < 0 || r > seal__vfy_rank(rep->sigs[worst].r.indication))
            worst = (int)i;
        signatures += !s->doc_ts;
    }
    if (worst >= 0 && rep->sigs[worst].r.indication == SEAL_TOTAL_FAILED) {
        vsig *s = &rep->sigs[worst];
        rep->info.indication = s->r.indication;
        rep->info.subindication = s->r.subindication;
        snprintf(rep->reason, sizeof(rep->reason), "%s: %s", s->field, s->reason ? s->reason : "");
    } else if (signatures == 0) {
        rep->info.indication = SEAL_INDETERMINATE;
        rep->info.subindication = SEAL_SUB_SIGNED_DATA_NOT_FOUND;
        snprintf(rep->reason, sizeof(rep->reason), "%s",
                 rep->nsigs ? "the document has no signature, only document time-stamps"
                            : "the document has no signature");
    } else if (worst >= 0) {
        vsig *s = &rep->sigs[worst];
        rep->info.indication = s->r.indication;
        rep->info.subindication = s->r.subindication;
        if (s->r.indication != SEAL_TOTAL_PASSED)
            snprintf(rep->reason, sizeof(rep->reason), "%s: %s", s->field, s->reason ? s->reason : "");
    }
}

/* The stages in order (architecture.md, "The verifier"): the signatures
 * the form lists, hashed in a second thread while the revision index, the
 * structural judge and the drawing for the rendering judge run here; the
 * hidden ones; signing order and where the seals are; CMS and e-seals;
 * the rendering judge's verdicts; the pictures. */
static void verify_doc(seal_ctx *ctx, seal_report *rep, const unsigned char *data, size_t len,
                       const seal_verify_options *opts, vtrust *trust, vhasher *h)
{
    fz_context *fz = ctx->fz;
    vdoc d;
    pdf_document *volatile doc = NULL, *volatile rdoc = NULL, *volatile edoc = NULL;
    int64_t *volatile ends = NULL;
    const char *password = opts ? opts->password : NULL;

    memset(&d, 0, sizeof(d));
    fz_try(fz) {
        ends = fz_malloc_array(fz, VFY_MAX_REVS, int64_t);
        d.rev_ends = ends;
        d.data = data;
        d.len = len;
        d.password = password;
        seal__vfy_budget_start(&d);
        d.doc = doc = open_whole(ctx, data, len, password);
        describe_doc(ctx, rep, &d);
        vcollect c = {&d, pdf_dict_getp(fz, pdf_trailer(fz, doc), "Root/Perms/DocMDP")};
        seal__pdf_each_field(ctx, doc, seal__vfy_add_sig, &c);
        load_dss(ctx, doc, trust);
        size_t listed = d.nsigs;
        for (size_t i = 0; i < listed; i++)
            prepare_sig(ctx, &d, &d.sigs[i]);
        /* From here until the join, the hashing thread owns the digest
         * fields of every signature and the "/ByteRange" scan (vdoc);
         * this thread touches everything else and adds, removes or
         * reorders no signature. */
        seal__vhash_go(h, &d);
        if ((rep->info.revisions = seal__vhash_revisions(h, ends, &d.nrevs)) == SIZE_MAX)
            fz_throw(fz, FZ_ERROR_MEMORY, "out of memory");
        for (size_t i = 0; i < listed; i++)
            place_and_judge(ctx, &d, &d.sigs[i]);
        prepare_rendering(ctx, &d, 0);
        seal__vhash_finish(h);
        judge_hidden(ctx, &d, &c, listed);
        if (d.nsigs > listed) /* rare: drawn again with the hidden ones */
            prepare_rendering(ctx, &d, listed);
        rep->nsigs = d.nsigs;
        order_signatures(&d);
        /* Where each seal is drawn: structure only. */
        seal__vfy_placements(ctx, &d, rep->placements_limit, sizeof(rep->placements_limit));
        judge_signatures(ctx, &d, trust);
        if (seal__veseal_any(&d)) {
            edoc = seal__vfy_open_prefix(ctx, data, len, password);
            for (size_t i = 0; i < d.nsigs; i++)
                seal__veseal_check(ctx, &d, &d.sigs[i], trust, edoc);
        }
        judge_rendering(ctx, &d, opts);
        if (opts && (opts->flags & SEAL_VERIFY_RENDER)) {
            rdoc = seal__vfy_open_prefix(ctx, data, len, password);
            render_all(ctx, &d, rdoc, opts->render_dpi > 0 ? opts->render_dpi : 96);
        }
    }
    fz_always(fz) {
        /* Never leave the hashing thread running over freed memory. */
        seal__vhash_finish(h);
        free(d.br_at);
        seal__vroles_free(fz, &d.roles);
        for (size_t i = 0; i < d.nsigs; i++) {
            pdf_drop_document(fz, d.sigs[i].signed_doc);
            d.sigs[i].signed_doc = NULL;
        }
        pdf_drop_document(fz, rdoc);
        pdf_drop_document(fz, edoc);
        pdf_drop_document(fz, doc);
        fz_free(fz, ends);
    }
    fz_catch(fz)
        fz_rethrow(fz);
    doc_verdict(rep);
}

/* An OFD package (vofd.c): its signatures verified there, their verdicts
 * finished here as a PDF's. */
static void verify_ofd(seal_ctx *ctx, seal_report *rep, const unsigned char *data, size_t len,
                       const seal_verify_options *opts, vtrust *trust)
{
    vdoc d;
    memset(&d, 0, sizeof(d));
    d.data = data;
    d.len = len;
    seal__vofd_verify(ctx, rep, &d, trust);
    for (size_t i = 0; i < d.nsigs; i++)
        finish_sig(&d, &d.sigs[i], opts);
    doc_verdict(rep);
}

/* The file opened and measured, and room for it (read later, beside the
 * trust anchors' loading). *fd -1 on failure, with the reason. */
static seal_status open_input(seal_ctx *ctx, const char *path, int *fd, size_t *len, unsigned char **buf,
                              size_t *size)
{
    struct stat sb;
    int f = open(path, O_RDONLY | O_CLOEXEC);
    seal_status st;

    *fd = -1;
    if (f < 0 || fstat(f, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        int e = errno;
        if (f >= 0)
            close(f);
        return seal__fail(ctx, f < 0 ? SEAL_ERR_IO : SEAL_ERR_INPUT, "%s: %s", path,
                          f < 0 ? strerror(e) : "not a regular file");
    }
    if ((unsigned long long)sb.st_size > MAX_FILE || sb.st_size == 0) {
        close(f);
        return seal__fail(ctx, SEAL_ERR_INPUT, "%s: %s", path,
                          sb.st_size                                                         ? "too large"
                          : strlen(path) > 4 && !strcasecmp(path + strlen(path) - 4, ".ofd") ? "empty file, not an OFD package"
                                                                                             : "empty file, not a PDF");
    }
    *len = (size_t)sb.st_size;
    if ((st = seal__big_alloc(ctx, path, *len, buf, size)) != SEAL_OK) {
        close(f);
        return st;
    }
    *fd = f;
    return SEAL_OK;
}

/* The trust anchors loaded while the file is read (by a second thread
 * beside this one when it is large): a bad anchor is still the reason
 * given before a bad file. */
static seal_status load_inputs(seal_ctx *ctx, const char *path, const unsigned char *data,
                               const seal_verify_options *opts, vtrust *trust, vhasher *h,
                               unsigned char **buf, size_t *size, size_t *len)
{
    char why[SEAL_MSG_MAX] = "";
    seal_status in = SEAL_OK, st;
    int fd = -1;

    if (path && (in = open_input(ctx, path, &fd, len, buf, size)) != SEAL_OK) {
        snprintf(why, sizeof(why), "%s", ctx->msg);
        seal__reset(ctx);
    }
    seal__vhash_start(h, path ? *buf : data, in == SEAL_OK ? *len : 0, fd);
    if ((st = seal__vtrust_init(ctx, trust, opts)) != SEAL_OK) {
        in = st;
    } else if (in != SEAL_OK) {
        seal__fail(ctx, in, "%s", why);
        seal__vtrust_free(trust);
    } else if (fd >= 0) {
        int e = seal__vhash_read(h);
        if (e) {
            in = seal__read_failed(ctx, path, e);
            seal__vtrust_free(trust);
        }
    }
    if (in != SEAL_OK)
        seal__vhash_finish(h); /* no longer reading when fd closes */
    if (fd >= 0)
        close(fd);
    return in;
}

static seal_status verify_common(seal_ctx *ctx, const char *path,
                                 const unsigned char *volatile data, volatile size_t len, const seal_verify_options *opts, seal_report **out)
{
    fz_context *fz = ctx->fz;
    seal_report *volatile rep = NULL;
    unsigned char *buf = NULL;
    size_t bufsize = 0, flen = len;
    volatile seal_status st = SEAL_OK;
    vtrust trust;
    vhasher h;

    if (opts && (opts->version < 1 || opts->version > SEAL_VERIFY_OPTIONS_VERSION))
        return seal__fail(ctx, SEAL_ERR_ARGS, "unknown seal_verify_options version %u", opts->version);
    for (size_t i = 0; opts && opts->version >= 2 && i < opts->require_count; i++)
        if (seal_rule_check(opts->require[i]) != SEAL_OK)
            return seal__fail(ctx, SEAL_ERR_ARGS, "unknown rule '%s'", opts->require[i] ? opts->require[i] : "");
    seal__ossl_clear();
    /* Read once into memory: hashed in place, parsed and searched there,
     * never copied again. */
    if ((st = load_inputs(ctx, path, data, opts, &trust, &h, &buf, &bufsize, &flen)) != SEAL_OK) {
        seal__vhash_free(&h);
        seal__big_free(buf, bufsize);
        return st;
    }
    if (path) {
        data = buf;
        len = flen;
    }
    /* The same reason sign and inspect give for a file that is not a PDF
     * or lost its end; a zip is an OFD package. */
    int ofd = seal__ofd_is_zip(data, len);
    size_t pl = path ? strlen(path) : 0;
    const char *bad = ofd ? NULL
                      : pl > 4 && !strcasecmp(path + pl - 4, ".ofd") ? "is not an OFD package (not a zip file)"
                                                                     : seal__pdf_probe(data, len, data, len);
    rep = bad ? NULL : calloc(1, sizeof(*rep));
    if (bad || !rep || !(rep->file = strdup(path ? path : ""))) {
        free(rep);
        seal__vhash_free(&h);
        seal__big_free(buf, bufsize);
        seal__vtrust_free(&trust);
        return bad ? seal__fail(ctx, SEAL_ERR_INPUT, "%s %s", path ? path : "the document", bad)
                   : seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
    }
    fz_try(fz) {
        if (ofd)
            verify_ofd(ctx, rep, data, len, opts, &trust);
        else
            verify_doc(ctx, rep, data, len, opts, &trust, &h);
    }
    fz_catch(fz) {
        st = seal__from_fz(ctx, SEAL_ERR_INPUT);
        if (path && st != SEAL_ERR_NOMEM) {
            char msg[SEAL_MSG_MAX];
            snprintf(msg, sizeof(msg), "%s", ctx->msg);
            seal__fail(ctx, st, "%s: %s", path, msg);
        }
        seal_report_free(rep);
        rep = NULL;
    }
    seal__vhash_free(&h);
    seal__big_free(buf, bufsize);
    seal__vtrust_free(&trust);
    ERR_clear_error();
    if (rep) {
        rep->info.file = rep->file;
        rep->info.reason = rep->reason;
        rep->info.signatures = rep->nsigs;
        if (seal__report_judge(rep, opts) != SEAL_OK) {
            seal_report_free(rep);
            rep = NULL;
            st = seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
        }
    }
    *out = rep;
    return st;
}

SEAL_API seal_status seal_verify_file(seal_ctx *ctx, const char *path,
                                      const seal_verify_options *opts, seal_report **out)
{
    if (!ctx || !out)
        return SEAL_ERR_ARGS;
    seal__reset(ctx);
    *out = NULL;
    if (!path)
        return seal__fail(ctx, SEAL_ERR_ARGS, "no file given");
    return verify_common(ctx, path, NULL, 0, opts, out);
}

SEAL_API seal_status seal_verify_buffer(seal_ctx *ctx, const unsigned char *data, size_t len,
                                        const seal_verify_options *opts, seal_report **out)
{
    if (!ctx || !out)
        return SEAL_ERR_ARGS;
    seal__reset(ctx);
    *out = NULL;
    if (!data)
        return seal__fail(ctx, SEAL_ERR_ARGS, "no data given");
    return verify_common(ctx, NULL, data, len, opts, out);
}

SEAL_API seal_status seal_report_document(const seal_report *rep, seal_report_info *out)
{
    if (!rep || !out)
        return SEAL_ERR_ARGS;
    *out = rep->info;
    return SEAL_OK;
}

SEAL_API size_t seal_report_signature_count(const seal_report *rep)
{
    return rep ? rep->nsigs : 0;
}

SEAL_API seal_status seal_report_signature(const seal_report *rep, size_t i,
                                           seal_signature_result *out)
{
    if (!rep || !out || i >= rep->nsigs)
        return SEAL_ERR_ARGS;
    *out = rep->sigs[i].r;
    return SEAL_OK;
}

SEAL_API seal_status seal_report_change(const seal_report *rep, size_t sig, size_t k,
                                        seal_change_info *out)
{
    if (!rep || !out || sig >= rep->nsigs || k >= rep->sigs[sig].nchanges)
        return SEAL_ERR_ARGS;
    *out = rep->sigs[sig].changes[k].info;
    out->kind = rep->sigs[sig].changes[k].kind;
    out->detail = rep->sigs[sig].changes[k].detail;
    return SEAL_OK;
}

SEAL_API seal_status seal_report_change_png(const seal_report *rep, size_t sig, size_t k, int which,
                                            const unsigned char **png, size_t *len)
{
    if (!rep || !png || !len || sig >= rep->nsigs || k >= rep->sigs[sig].nchanges || which < 0 ||
        which > 1)
        return SEAL_ERR_ARGS;
    const vchange *c = &rep->sigs[sig].changes[k];
    if (!c->png[which])
        return SEAL_ERR_NOT_FOUND;
    *png = c->png[which];
    *len = c->pnglen[which];
    return SEAL_OK;
}
