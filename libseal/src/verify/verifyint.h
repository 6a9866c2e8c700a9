/*
 * Internal interface of the verifier: verify.c (document, ByteRange,
 * report), vhash.c (hashing), vcms.c (CMS, chains, time-stamps,
 * revocation, crypto policy) and changes.c (what later revisions
 * changed). Not installed.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef SEAL_VERIFYINT_H
#define SEAL_VERIFYINT_H

#include "pdfint.h"
#include "vroles.h"

#include <seal/report.h>

#include <pthread.h>

#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>

/* Hostile files: bounds on what is examined. */
#define VFY_MAX_SIGS 256
#define VFY_MAX_REVS 4096
#define VFY_MAX_CONTENTS (4u << 20)  /* decoded /Contents */
#define VFY_MAX_CHANGES 200          /* recorded per signature (more are counted) */
#define VFY_MAX_PLACEMENTS 4096      /* per signature (a cross-page seal has one per page) */
#define VFY_MAX_ANNOTS 50000         /* annotations examined for placements, all pages */
#define VFY_MAX_PAGES 100000         /* pages walked for placements */
#define VFY_MAX_DSS_ITEMS 2000
#define VFY_MAX_DSS_BYTES (16u << 20)

typedef struct vtrust {
    X509_STORE *store;            /* trust anchors */
    int anchors;                  /* how many */
    STACK_OF(X509) *extra;        /* DSS certificates: intermediates for chains */
    STACK_OF(X509_CRL) *crls;     /* DSS CRLs */
    OCSP_BASICRESP **ocsps;       /* DSS OCSP responses */
    int nocsps, capocsps;
    unsigned flags;               /* SEAL_VERIFY_* */
    X509_STORE *seal_store;       /* e-seal makers' anchors (--seal-trust), or NULL */
    int seal_anchors;
} vtrust;

typedef struct vchange {
    seal_change_info info;
    char kind[32];
    char detail[200];
    unsigned char *png[2];    /* crops of the signed revision (0) and of now (1), or NULL */
    size_t pnglen[2];
} vchange;

/* A rectangle on a page in PDF user space (its /Rect). */
typedef struct vrect {
    int page;                 /* 1-based */
    float rect[4];
} vrect;

struct vrender;               /* vrender.c: what the rendering judge found */

/* Where a signature's seal is drawn (vplace.c). */
typedef struct vplacement {
    seal_placement_info info; /* kind and seal_kind point into the fields below */
    char kind[16];
    char seal_kind[32];
} vplacement;

typedef struct vsig {
    seal_signature_result r;  /* r's strings point into the fields below */
    char *field, *type, *subfilter, *reason, *signer, *signer_subject, *issuer, *serial;
    char *signer_orgs;        /* the subject's O= values, one a line (vsigner.c), or NULL */
    char *signer_codes;       /* the credit codes the subject holds, one a line, or NULL */
    char signing_time[32], claimed_time[32], timestamp[32], digest_alg[24], key[24], level[8];
    char seal_kind[32];
    char chain_fetched[600];  /* issuers --online fetched by AIA: "SUBJECT (URL); ..." */
    int *pages;               /* distinct pages of the placements, ascending (malloc'd) */
    vplacement *pl;           /* placements (malloc'd) */
    size_t npl;
    vchange *changes;
    size_t nchanges, changes_cap, changes_more;
    unsigned char *png[2];
    size_t pnglen[2];

    /* Working state. */
    int sig_num;              /* object number of the signature dictionary, 0 if direct */
    int field_num;            /* object number of the field */
    int doc_ts;               /* a document time-stamp */
    int br_count;
    int64_t br[4];
    int64_t rev_end;          /* c + d */
    unsigned char *contents;  /* decoded /Contents (fz_malloc'd) */
    size_t contents_len;
    int contents_ok;          /* /Contents is a string */
    long long claimed;        /* /M, epoch; 0 if none */
    int visible;              /* the first widget's /Rect is not empty (seal__sig_field) */
    int widget_p;             /* object number of its /P (its page), 0 if none */
    double widget_rect[4];
    long long trusted;        /* genTime of a verified signature time-stamp; 0 if none */
    long long poe;            /* earliest proof of existence (time-stamps), 0 if none */
    CMS_ContentInfo *cms;
    const EVP_MD *range_md;   /* digest over the ByteRange */
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned digest_len;
    int hashed;
    int gap_ok;               /* the gap is exactly this dictionary's /Contents */
    int has_tst;              /* a signature time-stamp attribute */
    X509 *signer_cert;        /* owned */
    int hidden;               /* found only in the bytes: no longer in the form */
    int id;                   /* its index in d->sigs when found, kept when they are put in
                               * signing order: the rendering judge's name for it */
    int lock_all;             /* FieldMDP: 1 all, 2 include, 3 exclude; 0 none */
    char **lock_fields;
    int nlock_fields;

    /* The rendering judge's pages to draw (1-based, touched[page - 1]: 1
     * the whole page, 2 only the changed annotations' areas; all of them
     * when touched_all), and, from the structural judge, the rects of
     * empty, unlocked fields it lets be filled (malloc'd). */
    unsigned char *touched;
    int ntouched;
    int touched_all;
    vrect *fills;
    int nfills;
    struct vrender *vr;       /* the rendering judge's findings until judged */
    /* The signed revision as the structural judge opened and walked it
     * (its objects parsed), handed on to the rendering judge; whoever
     * holds it last drops it (verify_doc at the latest). */
    pdf_document *signed_doc;
    struct veseal *es;        /* veseal.c: the e-seal the signature is bound to, or NULL */
    struct seal__ses_sig *ses; /* vses.c: /Contents is an SES_Signature, or NULL */
} vsig;

/* vsigner.c: the organisation names and unified social credit codes of
 * the signer's certificate subject, into s->signer_orgs and signer_codes. */
void seal__vfy_signer_ids(vsig *s, X509 *x);

/* Rank of an indication for "worst of": PASSED < INDETERMINATE < FAILED. */
int seal__vfy_rank(seal_indication ind);
/* Record a verdict unless a worse (or an equally bad, earlier) one is set. */
void seal__vfy_set(vsig *s, seal_indication ind, seal_subindication sub, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* vcms.c */
seal_status seal__vtrust_init(seal_ctx *ctx, vtrust *t, const seal_verify_options *opts);
void seal__vtrust_free(vtrust *t);
/* Add DSS material (DER blobs); bad items are skipped. */
void seal__vtrust_add_cert(vtrust *t, const unsigned char *der, size_t len);
void seal__vtrust_add_crl(vtrust *t, const unsigned char *der, size_t len);
void seal__vtrust_add_ocsp(vtrust *t, const unsigned char *der, size_t len);
/* Parse s->contents (DER, trailing zero padding checked) and choose the
 * digest for the ByteRange. Records a verdict on failure. */
void seal__vcms_parse(vsig *s);
/* Verify the parsed CMS against s->digest (the ByteRange digest). */
void seal__vcms_verify(seal_ctx *ctx, vtrust *t, vsig *s);
/* Building blocks shared with the SES_Signature verifier (vses.c): the
 * signer's texts in the report; a signature time-stamp token over the
 * signature value (the trusted time when valid and trusted); the signer's
 * certificate judged — crypto policy for md, key usage, the chain at the
 * trusted time with certs (NULL: the DSS's and cert), revocation. */
void seal__vcms_cert_strings(vsig *s, X509 *x);
void seal__vcms_sig_timestamp(seal_ctx *ctx, vtrust *t, vsig *s, const unsigned char *tok, size_t toklen,
                              const unsigned char *value, size_t valuelen);
void seal__vcms_judge_signer(seal_ctx *ctx, vtrust *t, vsig *s, X509 *cert, const EVP_MD *md,
                             STACK_OF(X509) *certs);

/* vses.c: /Contents holding a GB/T 38540 SES_Signature instead of a CMS.
 * Parse: 0 when the bytes are no SES_Signature (the CMS reader takes
 * them), else 1 with s->ses set, or a verdict when it cannot be read, and
 * the ByteRange digest chosen (SM3). Verify: dataHash against the digest,
 * the signer's signature over TBS_Sign, the [0] time-stamp, and the
 * signer's certificate as for a CMS. */
int seal__vses_parse(seal_ctx *ctx, vsig *s);
void seal__vses_verify(seal_ctx *ctx, vtrust *t, vsig *s);

/* changes.c */
typedef struct vdoc {
    pdf_document *doc;        /* the whole file as shown */
    const unsigned char *data;
    size_t len;
    int docmdp;               /* P of the certification signature, 0 if none */
    int docmdp_sig_num;
    vsig *sigs;
    size_t nsigs;
    int64_t *rev_ends;
    size_t nrevs;
    const char *password;
    double give_up_at;        /* monotonic seconds: optional work stops after it */
    /* Where "/ByteRange" occurs in the bytes: found by the hashing pass,
     * chunk by chunk while each is in the cache (seal__vfy_scan_br), and
     * read by vfind.c after the join. */
    size_t *br_at;
    size_t nbr_at;
    int br_more;              /* br_at filled up: the scan goes on from its last entry */
    size_t scanned;           /* bytes [0, scanned) looked at */
    /* The document's object roles, the same for every signature's
     * structural judge: walked once (changes.c), freed with the vdoc. */
    vroles roles;
    int roles_rc;             /* what seal__vroles_walk returned; roles.n 0: not walked */
} vdoc;
/* vhash.c: each signature's ByteRange digest (s->digest, s->hashed), the
 * "/ByteRange" scan and the revision index. For a large file a second
 * thread first helps read it into memory and builds the index, then
 * hashes while this thread judges:
 *   seal__vhash_start      before anything else; fd >= 0: len bytes of the
 *                          file are to be read into data (writable memory
 *                          of the caller's), else data holds them
 *   seal__vhash_read       this thread's share of the reading; 0 when all
 *                          of it is in data, else an errno, or -1 when
 *                          the file ended before len
 *   seal__vhash_revisions  the index: the ends of the %%EOF-terminated
 *                          revisions (what a ByteRange may end at, how
 *                          changes are numbered) into ends (VFY_MAX_REVS)
 *                          and *nends; returns the count inspect shows,
 *                          an unterminated tail included (SIZE_MAX: out
 *                          of memory)
 *   seal__vhash_go         the signatures to hash: from here until
 *                          seal__vhash_finish the digest fields and the
 *                          scan are the hashing thread's; nothing may add,
 *                          remove or move a signature
 *   seal__vhash_finish     the join (also stops a thread never handed one)
 *   seal__vhash_free       after the last use
 * Without a thread (a small file) each does its work when called. */
typedef struct vhasher {
    int fd;                     /* the file being read into `into`, or -1 */
    const unsigned char *data;
    unsigned char *into;
    size_t len;
    size_t next;                /* the next part to read */
    int reading;                /* parts being read now */
    int err;                    /* the first failed read's errno, -1: the file ended first */
    seal__revision *revs;       /* the index, when indexed (NULL: none, no memory) */
    size_t nrevs;
    int indexed;
    vdoc *d;
    int go;                     /* 1: hash d; -1: stop */
    int threaded;
    pthread_t thread;
    pthread_mutex_t mu;         /* guards next, reading, err, indexed (revs, nrevs are
                                 * the worker's until indexed) and go, d */
    pthread_cond_t cv;
} vhasher;
void seal__vhash_start(vhasher *h, const unsigned char *data, size_t len, int fd);
int seal__vhash_read(vhasher *h);
size_t seal__vhash_revisions(vhasher *h, int64_t *ends, size_t *nends);
void seal__vhash_go(vhasher *h, vdoc *d);
void seal__vhash_finish(vhasher *h);
void seal__vhash_free(vhasher *h);
/* One signature hashed here (one found after the join). */
void seal__vhash_one(vdoc *d, vsig *s);

/* vbase.c: start the time budget; past it, optional, expensive checks take
 * their cautious answer instead of running (a verdict within seconds on
 * hostile files). */
void seal__vfy_budget_start(vdoc *d);
int seal__vfy_late(const vdoc *d);
/* Compare the revision signed by s with the whole document; record every
 * change in s->changes and set s->r.changes_after. */
void seal__vfy_changes(seal_ctx *ctx, vdoc *d, vsig *s);
void seal__vfy_add_change(vsig *s, int revision, int object, int page, const char *kind,
                          int allowed, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
/* verify.c: a signature field of the document (a seal__field_fn) added to
 * d->sigs; user is a vcollect. */
typedef struct vcollect {
    vdoc *d;
    pdf_obj *docmdp; /* /Perms /DocMDP of the document, or NULL */
} vcollect;
void seal__vfy_add_sig(seal_ctx *ctx, pdf_obj *field, const char *name, void *user);

/* veseal.c: the GB/T 38540 e-seal a signature carries (/SealESeal).
 * Read its bytes from the signed revision (before the rendering judge
 * takes s->signed_doc); then, once the signer's certificate is known,
 * judge the maker's signature and trust, the signer in its list, its
 * validity at the signing time and its picture as drawn (rendered from
 * rdoc, a document instance of its own), recording the verdicts in s. */
void seal__veseal_read(seal_ctx *ctx, vdoc *d, vsig *s);
int seal__veseal_any(const vdoc *d);
void seal__veseal_check(seal_ctx *ctx, vdoc *d, vsig *s, vtrust *t, pdf_document *rdoc);
void seal__veseal_free(vsig *s);
/* The signature is bound to an e-seal that passed every check; its type. */
int seal__veseal_bound(const vsig *s);
int seal__veseal_type(const vsig *s);
/* Why the e-seal of s is not bound, or NULL (no e-seal, or bound). */
const char *seal__veseal_problem(const vsig *s);
/* The e-seal in the report: text lines, a JSON object, an HTML line, and
 * "NAME (esID X): bound|why" appended to a CSV cell ("; " between). */
struct json_object;
void seal__veseal_text(FILE *f, const vsig *s);
struct json_object *seal__veseal_json(const vsig *s);
void seal__veseal_html(FILE *f, const vsig *s);
void seal__veseal_line(const vsig *s, char *buf, size_t size);

/* vfind.c: every other signature dictionary in the file's bytes, reachable
 * or not; one whose field was in the form when it was signed and is not
 * now is added to d->sigs as hidden, TOTAL-FAILED. */
void seal__vfy_find_hidden(seal_ctx *ctx, vdoc *d, vcollect *c);
/* Record each "/ByteRange" starting in [d->scanned, to) and move
 * d->scanned to `to`. Plain C, no MuPDF: runs on the hashing thread. */
void seal__vfy_scan_br(vdoc *d, size_t to);

/* vrender.c: what the signer saw. Render the touched pages of every
 * signed revision and of the document now and find where pixels differ
 * (before the signatures' verdicts are known: it runs beside the hashing
 * thread; called again when signatures were added, it starts over). */
void seal__vrender_prepare(seal_ctx *ctx, vdoc *d);
/* Judge s's differences now that the later signatures' verdicts are final
 * (call from the last signature to the first): record each difference not
 * covered by a later trusted seal or a permitted form fill as a disallowed
 * "rendering" change (returns 1 if any was recorded), or set INDETERMINATE
 * when the pages could not all be compared. */
int seal__vrender_judge(seal_ctx *ctx, vdoc *d, vsig *s);
void seal__vrender_free(vsig *s);

/* Open the first len bytes of data as their own document. */
pdf_document *seal__vfy_open_prefix(seal_ctx *ctx, const unsigned char *data, size_t len,
                                    const char *password);

#endif /* SEAL_VERIFYINT_H */
