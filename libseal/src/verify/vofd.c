/*
 * The verifier of OFD packages (GB/T 33190) and their GB/T 38540
 * signatures: each Signature.xml listed in a Signatures.xml is checked as
 * a PDF signature is (same verdicts, same report): the SES_Signature's
 * dataHash over the Signature.xml bytes and propertyInfo naming it, every
 * Reference's CheckValue over the file it names, the signer's value, chain
 * and revocation (vcms.c), the e-seal (veseal.c); a Type="Sign"
 * signature's GB/T 35275 SignedData goes through the CMS verifier as a
 * detached signature over the Signature.xml bytes. What changed after
 * each signature is judged by a whitelist: every file of the package is
 * covered by the signature's References or is a file of a later signature.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "ofdint.h"
#include "esealint.h"
#include "reportint.h"
#include "sesint.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <stdlib.h>
#include <string.h>

#define OFD_MAX_DOCS 16
#define OFD_MAX_REFS 20000
#define OFD_MAX_STAMPS 256
#define PATHSZ (OFD_MAX_NAME + 2)

/* What the whitelist needs of one signature. */
typedef struct ofd_sig {
    char xml[PATHSZ];        /* its Signature.xml */
    char value[PATHSZ];      /* its SignedValue, or "" */
    char picture[PATHSZ];    /* its Seal/BaseLoc, or "" */
    char list[PATHSZ];       /* the Signatures.xml listing it */
    char **refs;             /* the paths its References cover */
    size_t nrefs;
} ofd_sig;

typedef struct ofd_doc {
    char **page_ids;         /* the pages' IDs in order (Document.xml) */
    size_t npages;
} ofd_doc;

typedef struct ofd_run {
    seal_ctx *ctx;
    vtrust *t;
    vdoc *d;
    seal__ofd *pk;
    ofd_sig *os;             /* parallel to the report's signatures */
    vsig *sigs;
    size_t n;
} ofd_run;

static fz_xml *load_xml(fz_context *fz, const seal__ofd *pk, const char *path, const char *what)
{
    const seal__zent *e = seal__ofd_find(pk, path);
    fz_xml *volatile x = NULL;
    if (!e)
        fz_throw(fz, FZ_ERROR_GENERIC, "%s %s is missing", what, path);
    fz_try(fz)
        x = seal__ofd_xml(fz, e);
    fz_catch(fz) {
        if (fz_caught(fz) == FZ_ERROR_MEMORY)
            fz_rethrow(fz);
        fz_throw(fz, FZ_ERROR_GENERIC, "%s %s is not XML: %s", what, path, fz_caught_message(fz));
    }
    return x;
}

/* ------------------------------------------------------------ digests */

static const EVP_MD *check_method(const char *m)
{
    if (!m || !*m)
        return NULL;
    if (!strcasecmp(m, "sm3") || !strcmp(m, "1.2.156.10197.1.401") || !strcmp(m, "1.2.156.10197.1.401.2"))
        return EVP_sm3();
    if (!strcasecmp(m, "sha1") || !strcasecmp(m, "sha-1") || !strcmp(m, "1.3.14.3.2.26"))
        return EVP_sha1();
    if (!strcasecmp(m, "sha256") || !strcasecmp(m, "sha-256") || !strcmp(m, "2.16.840.1.101.3.4.2.1"))
        return EVP_sha256();
    return NULL;
}

/* base64 text (blanks ignored) into out; the length, or -1. */
static int unbase64(const char *txt, unsigned char *out, size_t size)
{
    char clean[256];
    size_t n = 0, pad = 0;
    for (const char *c = txt; *c; c++) {
        if (*c == ' ' || *c == '\t' || *c == '\r' || *c == '\n')
            continue;
        if (n + 1 >= sizeof(clean))
            return -1;
        clean[n++] = *c;
        pad = *c == '=' ? pad + 1 : 0;
    }
    clean[n] = 0;
    if (n == 0 || n % 4 || n / 4 * 3 > size)
        return -1;
    int len = EVP_DecodeBlock(out, (const unsigned char *)clean, (int)n);
    ERR_clear_error();
    return len < 0 ? -1 : len - (int)pad;
}

static int digest_of(const EVP_MD *md, const seal__zent *e, unsigned char *out, unsigned *len)
{
    int ok = EVP_Digest(e->data, e->len, out, len, md, NULL) == 1;
    ERR_clear_error();
    return ok;
}

/* ------------------------------------------------------------ references */

static void add_ref(ofd_sig *o, const char *path)
{
    char **n;
    if (o->nrefs >= OFD_MAX_REFS || !(n = realloc(o->refs, (o->nrefs + 1) * sizeof(*n))))
        return;
    o->refs = n;
    if ((o->refs[o->nrefs] = strdup(path)) != NULL)
        o->nrefs++;
}

/* Each Reference's CheckValue against the file it names: a file changed
 * or removed since is a change after signing that fails the signature
 * (its signed data no longer hashes to what was signed). */
static int check_refs(ofd_run *run, vsig *s, ofd_sig *o, fz_xml *info)
{
    fz_xml *refs = seal__ofd_child(info, "References");
    const char *method = refs ? fz_xml_att(refs, "CheckMethod") : NULL;
    const EVP_MD *md = check_method(method);
    int ok = 1, count = 0;

    if (!refs) {
        seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_FORMAT_FAILURE, "the signature has no References");
        return 0;
    }
    if (!md) {
        seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_HASH_FAILURE, "unknown CheckMethod '%s' in the References",
                      method ? method : "");
        return 0;
    }
    if (EVP_MD_get_type(md) == NID_sha1 && !(run->t->flags & SEAL_VERIFY_ALLOW_LEGACY))
        seal__vfy_set(s, SEAL_INDETERMINATE, SEAL_SUB_CRYPTO_CONSTRAINTS_FAILURE,
                      "the References' CheckMethod is SHA-1 (--allow-legacy accepts it)");
    for (fz_xml *r = seal__ofd_child(refs, "Reference"); r; r = seal__ofd_next(r, "Reference")) {
        char path[PATHSZ];
        unsigned char want[EVP_MAX_MD_SIZE], got[EVP_MAX_MD_SIZE];
        unsigned glen = 0;
        if (++count > OFD_MAX_REFS) {
            seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_FORMAT_FAILURE, "more than %d References", OFD_MAX_REFS);
            return 0;
        }
        const char *ref = fz_xml_att(r, "FileRef");
        int wlen = unbase64(seal__ofd_text(seal__ofd_child(r, "CheckValue")), want, sizeof(want));
        if (!ref || !seal__ofd_resolve("/", ref, path, sizeof(path)) || wlen < 0) {
            seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_FORMAT_FAILURE,
                          "a Reference with no usable FileRef or CheckValue ('%s')", ref ? ref : "");
            ok = 0;
            continue;
        }
        add_ref(o, path);
        const seal__zent *e = seal__ofd_find(run->pk, path);
        if (!e) {
            seal__vfy_add_change(s, 0, 0, 0, "removed", 0, "%s, which the signature covers, was removed", path);
            seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_HASH_FAILURE,
                          "%s, which the signature covers, is missing: removed after signing", path);
            ok = 0;
        } else if (!digest_of(md, e, got, &glen) || (unsigned)wlen != glen || memcmp(want, got, glen)) {
            seal__vfy_add_change(s, 0, 0, 0, "changed", 0, "%s was changed after signing", path);
            seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_HASH_FAILURE,
                          "the digest of %s does not match its Reference: changed after signing", path);
            ok = 0;
        }
    }
    return ok;
}

/* ------------------------------------------------------------ signatures */

/* A Type="Seal" signature: GB/T 38540 SES_Signature over the bytes of its
 * Signature.xml, judged by the PDF's SES verifier (vses.c: dataHash, the
 * signer's value, its [0] time-stamp, the signer's certificate) with the
 * Signature.xml's digest for the ByteRange's; propertyInfo names that
 * file. 1 when intact. */
static int check_ses(ofd_run *run, vsig *s, const seal__zent *xml, const seal__zent *val)
{
    char prop[PATHSZ];
    unsigned len = 0;

    if (!(s->contents = malloc(val->len ? val->len : 1)))
        fz_throw(run->ctx->fz, FZ_ERROR_MEMORY, "out of memory");
    memcpy(s->contents, val->data, val->len);
    s->contents_len = val->len;
    s->contents_ok = 1;
    /* Read once here for a reason that names the file (vses.c speaks of
     * /Contents), then by vses.c. */
    seal__ses_sig *probe = NULL;
    if (seal__ses_sig_parse(run->ctx, val->data, val->len, &probe) != SEAL_OK) {
        seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_FORMAT_FAILURE, "the SES_Signature %s cannot be read: %s",
                      val->path, seal_ctx_message(run->ctx));
        seal__reset(run->ctx);
        return 0;
    }
    seal__ses_sig_free(probe);
    if (!seal__vses_parse(run->ctx, s) || !s->ses || !s->range_md)
        return 0;
    seal_eseal_info ei;
    seal_eseal_get_info(seal__ses_sig_eseal(s->ses), &ei);
    snprintf(s->seal_kind, sizeof(s->seal_kind), "%s",
             ei.type == SEAL_ESEAL_COMPANY ? "company" : ei.type == SEAL_ESEAL_PERSONAL ? "personal" : "");
    seal__veseal_read(run->ctx, run->d, s);
    s->claimed = seal__ses_sig_time(s->ses);
    seal__iso_time(s->claimed, s->claimed_time, sizeof(s->claimed_time));
    const char *pi = seal__ses_sig_property(s->ses);
    int prop_ok = seal__ofd_resolve("/", pi, prop, sizeof(prop)) && !strcmp(prop, xml->path);
    if (!prop_ok)
        seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_FORMAT_FAILURE,
                      "the SES_Signature's propertyInfo names '%s', not %s", pi, xml->path);
    if (EVP_Digest(xml->data, xml->len, s->digest, &len, s->range_md, NULL) == 1) {
        s->digest_len = len;
        s->hashed = 1;
    }
    ERR_clear_error();
    seal__vses_verify(run->ctx, run->t, s);
    return s->r.intact && prop_ok;
}

/* A Type="Sign" signature: a GB/T 35275 (or RFC 5652) SignedData, detached,
 * over the bytes of its Signature.xml, through the CMS verifier. */
static int check_sign(ofd_run *run, vsig *s, const seal__zent *xml, const seal__zent *val)
{
    if (!(s->contents = malloc(val->len ? val->len : 1)))
        return 0;
    memcpy(s->contents, val->data, val->len);
    s->contents_len = val->len;
    s->contents_ok = 1;
    seal__vcms_parse(s);
    if (!s->cms || !s->range_md)
        return 0;
    unsigned len = 0;
    if (EVP_Digest(xml->data, xml->len, s->digest, &len, s->range_md, NULL) == 1) {
        s->digest_len = len;
        s->hashed = 1;
    }
    ERR_clear_error();
    seal__vcms_verify(run->ctx, run->t, s);
    return s->r.intact;
}

/* Where the seal is drawn: each StampAnnot's page (by its ID in the
 * document's page list) and Boundary (mm from the page's top-left corner,
 * kept in points as a PDF's placements are). */
static void read_stamps(vsig *s, fz_xml *info, const ofd_doc *doc)
{
    size_t n = 0;
    for (fz_xml *a = seal__ofd_child(info, "StampAnnot"); a; a = seal__ofd_next(a, "StampAnnot"))
        n++;
    if (!n)
        return;
    n = n > OFD_MAX_STAMPS ? OFD_MAX_STAMPS : n;
    s->pl = calloc(n, sizeof(*s->pl));
    s->pages = calloc(n, sizeof(*s->pages));
    if (!s->pl || !s->pages)
        return;
    for (fz_xml *a = seal__ofd_child(info, "StampAnnot"); a && s->npl < n; a = seal__ofd_next(a, "StampAnnot")) {
        const char *ref = fz_xml_att(a, "PageRef"), *box = fz_xml_att(a, "Boundary");
        double x = 0, y = 0, w = 0, h = 0;
        int page = 0;
        for (size_t k = 0; ref && k < doc->npages && !page; k++)
            if (!strcmp(doc->page_ids[k], ref))
                page = (int)k + 1;
        if (!page || !box || sscanf(box, "%lf %lf %lf %lf", &x, &y, &w, &h) != 4)
            continue;
        vplacement *pl = &s->pl[s->npl++];
        pl->info.page = page;
        pl->info.rect[0] = x * 72 / 25.4;
        pl->info.rect[1] = y * 72 / 25.4;
        pl->info.rect[2] = (x + w) * 72 / 25.4;
        pl->info.rect[3] = (y + h) * 72 / 25.4;
        snprintf(pl->kind, sizeof(pl->kind), "stamp");
        snprintf(pl->seal_kind, sizeof(pl->seal_kind), "%s", s->seal_kind);
        pl->info.seal_kind = pl->seal_kind;
        size_t k = 0;
        while (k < s->r.page_count && s->pages[k] < page)
            k++;
        if (k == s->r.page_count || s->pages[k] != page) {
            memmove(s->pages + k + 1, s->pages + k, (s->r.page_count - k) * sizeof(int));
            s->pages[k] = page;
            s->r.page_count++;
        }
    }
    if (s->npl) {
        s->r.page = s->pl[0].info.page;
        memcpy(s->r.rect, s->pl[0].info.rect, sizeof(s->r.rect));
    }
}

/* One listed signature: its Signature.xml, the signed value and the
 * References; the verdicts recorded in s. */
static void check_sig(ofd_run *run, vsig *s, ofd_sig *o, const ofd_doc *doc)
{
    fz_context *fz = run->ctx->fz;
    const seal__zent *xml = seal__ofd_find(run->pk, o->xml), *val = NULL;
    fz_xml *volatile x = NULL;

    if (!xml) {
        seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_FORMAT_FAILURE, "its Signature.xml %s is missing", o->xml);
        return;
    }
    fz_try(fz)
        x = seal__ofd_xml(fz, xml);
    fz_catch(fz) {
        if (fz_caught(fz) == FZ_ERROR_MEMORY)
            fz_rethrow(fz);
        seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_FORMAT_FAILURE, "%s is not XML: %s", o->xml,
                      fz_caught_message(fz));
        return;
    }
    fz_xml *root = fz_xml_root(x);
    fz_xml *info = seal__ofd_child(root, "SignedInfo");
    const char *sv = seal__ofd_text(seal__ofd_child(root, "SignedValue"));
    fz_xml *seal = seal__ofd_child(seal__ofd_child(info, "Seal"), "BaseLoc");
    if (seal && !seal__ofd_resolve(o->xml, seal__ofd_text(seal), o->picture, sizeof(o->picture)))
        o->picture[0] = 0;
    if (!info || !*sv || !seal__ofd_resolve(o->xml, sv, o->value, sizeof(o->value)) ||
        !(val = seal__ofd_find(run->pk, o->value))) {
        seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_FORMAT_FAILURE, "%s has no SignedInfo or no SignedValue%s%s",
                      o->xml, *sv ? " file " : "", sv);
    } else {
        int value_ok = !strcmp(s->type, "Sign") ? check_sign(run, s, xml, val) : check_ses(run, s, xml, val);
        int refs_ok = check_refs(run, s, o, info);
        s->r.intact = value_ok && refs_ok;
        s->r.byte_range_ok = refs_ok;
        read_stamps(s, info, doc);
    }
    fz_drop_xml(fz, x);
}

/* ------------------------------------------------------------ whitelist */

static int is_sig_file(const ofd_sig *o, const char *path)
{
    return !strcmp(o->xml, path) || !strcmp(o->value, path) || (o->picture[0] && !strcmp(o->picture, path));
}

static const char *kind_of(const char *path)
{
    if (strstr(path, "/Annot"))
        return "annotation";
    if (strstr(path, "/Pages/"))
        return "page content";
    if (strstr(path, "/Res") || strstr(path, "Res.xml"))
        return "resources";
    return "file";
}

/* Every file of the package is covered by the References of signature k,
 * or is a file of a signature made after it (its own, or a later one's,
 * or a Signatures.xml listing one): anything else was added or changed
 * after signing. The container's own problems count against every
 * signature. */
static void whitelist(ofd_run *run, size_t k)
{
    vsig *s = &run->sigs[k];
    const ofd_sig *o = &run->os[k];
    for (size_t i = 0; i < run->pk->nfindings; i++)
        seal__vfy_add_change(s, 0, 0, 0, "package", 0, "%s", run->pk->findings[i]);
    for (size_t i = 0; i < run->pk->n; i++) {
        const char *path = run->pk->e[i].path;
        int covered = 0, later = 0, own = 0, list = 0;
        for (size_t r = 0; r < o->nrefs && !covered; r++)
            covered = !strcmp(o->refs[r], path);
        if (covered)
            continue;
        for (size_t j = k; j < run->n; j++) {
            if (is_sig_file(&run->os[j], path) && j == k)
                own = 1;
            else if (is_sig_file(&run->os[j], path))
                later = (int)j + 1;
            if (!strcmp(run->os[j].list, path))
                list = 1;
        }
        if (own || (list && !later))
            continue;
        if (later)
            seal__vfy_add_change(s, later, 0, 0, "signature", 1, "%s: a later signature", path);
        else if (list)
            continue; /* the list of signatures, which later ones extend */
        else
            seal__vfy_add_change(s, 0, 0, 0, kind_of(path), 0,
                                 "%s is not covered by the signature: added or changed after signing", path);
    }
}

/* ------------------------------------------------------------ package */

/* The pages of a document (Document.xml: Pages/Page ID), for StampAnnot
 * PageRef. */
static void read_pages(fz_context *fz, const seal__ofd *pk, const char *path, ofd_doc *doc)
{
    fz_xml *x = load_xml(fz, pk, path, "the document");
    fz_try(fz) {
        fz_xml *pages = seal__ofd_child(fz_xml_root(x), "Pages");
        for (fz_xml *p = seal__ofd_child(pages, "Page"); p && doc->npages < VFY_MAX_PAGES;
             p = seal__ofd_next(p, "Page")) {
            const char *id = fz_xml_att(p, "ID");
            char **n = realloc(doc->page_ids, (doc->npages + 1) * sizeof(*n));
            if (!n)
                fz_throw(fz, FZ_ERROR_MEMORY, "out of memory");
            doc->page_ids = n;
            if (!(n[doc->npages] = strdup(id ? id : "")))
                fz_throw(fz, FZ_ERROR_MEMORY, "out of memory");
            doc->npages++;
        }
    }
    fz_always(fz)
        fz_drop_xml(fz, x);
    fz_catch(fz)
        fz_rethrow(fz);
}

static void free_doc(ofd_doc *doc)
{
    for (size_t i = 0; i < doc->npages; i++)
        free(doc->page_ids[i]);
    free(doc->page_ids);
    memset(doc, 0, sizeof(*doc));
}

/* The signatures a Signatures.xml lists, each verified. */
static void read_list(ofd_run *run, const char *list, const ofd_doc *doc)
{
    fz_context *fz = run->ctx->fz;
    fz_xml *x = load_xml(fz, run->pk, list, "the signature list");
    fz_try(fz) {
        for (fz_xml *e = seal__ofd_child(fz_xml_root(x), "Signature"); e; e = seal__ofd_next(e, "Signature")) {
            if (run->n >= VFY_MAX_SIGS)
                fz_throw(fz, FZ_ERROR_GENERIC, "more than %d signatures", VFY_MAX_SIGS);
            vsig *s = &run->sigs[run->n];
            ofd_sig *o = &run->os[run->n++];
            const char *type = fz_xml_att(e, "Type"), *loc = fz_xml_att(e, "BaseLoc");
            s->r.indication = SEAL_TOTAL_PASSED;
            s->r.revision = (int)run->n;
            snprintf(o->list, sizeof(o->list), "%s", list);
            s->type = strdup(type && !strcmp(type, "Sign") ? "Sign" : "Seal");
            s->subfilter = strdup(type && !strcmp(type, "Sign") ? "GB/T 35275 SignedData" : "GB/T 38540 SES_Signature");
            if (!loc || !seal__ofd_resolve(list, loc, o->xml, sizeof(o->xml)))
                snprintf(o->xml, sizeof(o->xml), "%s", loc ? loc : "");
            const char *slash = strrchr(o->xml, '/');
            size_t dl = slash ? (size_t)(slash - o->xml) : 0;
            const char *dir = dl ? memrchr(o->xml, '/', dl) : NULL;
            /* The field: the signature's folder (Sign_0), else its ID. */
            s->field = dir ? strndup(dir + 1, dl - (size_t)(dir + 1 - o->xml))
                           : strdup(fz_xml_att(e, "ID") ? fz_xml_att(e, "ID") : "?");
            if (!s->type || !s->subfilter || !s->field)
                fz_throw(fz, FZ_ERROR_MEMORY, "out of memory");
            if (type && strcmp(type, "Seal") && strcmp(type, "Sign"))
                seal__vfy_set(s, SEAL_TOTAL_FAILED, SEAL_SUB_FORMAT_FAILURE, "unknown signature Type '%s'", type);
            else
                check_sig(run, s, o, doc);
        }
    }
    fz_always(fz)
        fz_drop_xml(fz, x);
    fz_catch(fz)
        fz_rethrow(fz);
}

/* Every document body of OFD.xml: its pages and its signatures. */
static void read_bodies(ofd_run *run, seal_report *rep)
{
    fz_context *fz = run->ctx->fz;
    fz_xml *x = load_xml(fz, run->pk, "/OFD.xml", "the package's main entry");
    ofd_doc doc = {0};
    fz_try(fz) {
        fz_xml *root = fz_xml_root(x);
        fz_xml *body = seal__ofd_child(root, "DocBody");
        const char *tag = root ? fz_xml_tag(root) : NULL;
        if (!tag || strcmp(strrchr(tag, ':') ? strrchr(tag, ':') + 1 : tag, "OFD") || !body)
            fz_throw(fz, FZ_ERROR_GENERIC, "OFD.xml is not an OFD main entry (no ofd:OFD with a DocBody)");
        for (int nb = 0; body && nb < OFD_MAX_DOCS; body = seal__ofd_next(body, "DocBody"), nb++) {
            char path[PATHSZ];
            if (!seal__ofd_resolve("/OFD.xml", seal__ofd_text(seal__ofd_child(body, "DocRoot")), path, sizeof(path)))
                fz_throw(fz, FZ_ERROR_GENERIC, "OFD.xml names no DocRoot");
            read_pages(fz, run->pk, path, &doc);
            if (nb == 0)
                rep->info.pages = (int)doc.npages;
            fz_xml *list = seal__ofd_child(body, "Signatures");
            if (list && seal__ofd_resolve("/OFD.xml", seal__ofd_text(list), path, sizeof(path)))
                read_list(run, path, &doc);
            free_doc(&doc);
        }
    }
    fz_always(fz) {
        free_doc(&doc);
        fz_drop_xml(fz, x);
    }
    fz_catch(fz)
        fz_rethrow(fz);
}

void seal__vofd_verify(seal_ctx *ctx, seal_report *rep, vdoc *d, vtrust *t)
{
    fz_context *fz = ctx->fz;
    ofd_run run = {ctx, t, d, NULL, NULL, NULL, 0};

    if (seal__ofd_open(ctx, d->data, d->len, &run.pk) != SEAL_OK) {
        char why[300];
        snprintf(why, sizeof(why), "%s", seal_ctx_message(ctx));
        seal__throw(ctx, ctx->status, "the OFD package %s", why);
    }
    fz_try(fz) {
        rep->sigs = calloc(VFY_MAX_SIGS, sizeof(vsig));
        run.os = calloc(VFY_MAX_SIGS, sizeof(ofd_sig));
        if (!rep->sigs || !run.os)
            fz_throw(fz, FZ_ERROR_MEMORY, "out of memory");
        run.sigs = d->sigs = rep->sigs;
        rep->info.size = (long long)d->len;
        fz_try(fz)
            read_bodies(&run, rep);
        fz_always(fz)
            d->nsigs = rep->nsigs = run.n;
        fz_catch(fz) {
            if (fz_caught(fz) == FZ_ERROR_MEMORY || ctx->status != SEAL_OK)
                fz_rethrow(fz);
            seal__throw(ctx, SEAL_ERR_INPUT, "not a usable OFD file: %s", fz_caught_message(fz));
        }
        rep->info.revisions = run.n;
        for (size_t k = 0; k < run.n; k++) {
            whitelist(&run, k);
            seal__veseal_check(ctx, d, &run.sigs[k], t, NULL);
        }
    }
    fz_always(fz) {
        for (size_t k = 0; run.os && k < VFY_MAX_SIGS; k++) {
            for (size_t r = 0; r < run.os[k].nrefs; r++)
                free(run.os[k].refs[r]);
            free(run.os[k].refs);
        }
        free(run.os);
        seal__ofd_free(run.pk);
    }
    fz_catch(fz)
        fz_rethrow(fz);
}
