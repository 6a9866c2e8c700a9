/*
 * GB/T 38540-2020 electronic seals (SES_Seal): reading v4 and GM/T 0031 v1,
 * checking the maker's signature over the bytes as received, and making
 * v4 seals from seal artwork (seal issue). The ASN.1 is in
 * docs/eseal.md; DER is walked with seal__der_next and written with
 * OpenSSL's ASN1_put_object, so nothing is ever re-encoded before a check.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "esealint.h"
#include "keyint.h"
#include "sm2int.h"
#include "verifyint.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#define ESEAL_MAX (8u << 20)
#define ESEAL_MAX_HOLDERS 64
#define HOLDER_FILE_MAX (1u << 20)
#define PICTURE_DPI 300
#define MM_PER_INCH 25.4

typedef struct holder {
    const unsigned char *p; /* certificate DER, or digest value */
    size_t len;
    char dtype[16];         /* digest list: ObjType as recorded */
    char *text;             /* seal_eseal_holder */
} holder;

struct seal_eseal {
    unsigned char *der;
    size_t len;
    int layout;                          /* 1: GM/T 0031 (2 fields), 4: GB/T 38540 */
    const unsigned char *info, *cert_tlv, *alg_tlv; /* whole encodings, into der */
    size_t info_len, cert_tlv_len, alg_tlv_len;
    const unsigned char *sig;            /* BIT STRING content after the unused-bits byte */
    size_t sig_len;
    int sig_unused;
    char *esid, *vid, *name, *pic_type, *maker_name;
    char alg[64];
    int version, type, cert_list_type, width, height;
    long long created, valid_from, valid_to;
    const unsigned char *pic;
    size_t pic_len;
    holder *holders;
    size_t nholders;
    X509 *maker;
};

/* ------------------------------------------------------------ reading */

static char *dup_n(const unsigned char *p, size_t n)
{
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, p, n);
        s[n] = 0;
        for (size_t i = 0; i < n; i++)
            if (!s[i])
                s[i] = '?';
    }
    return s;
}

static int next_is(seal__der *d, int want, const unsigned char **c, size_t *n)
{
    int tag;
    return seal__der_next(d, &tag, c, n, NULL, NULL) && tag == want;
}

/* A string of any of the character string types. */
static char *next_str(seal__der *d)
{
    const unsigned char *c;
    size_t n;
    int tag;
    if (!seal__der_next(d, &tag, &c, &n, NULL, NULL))
        return NULL;
    if (tag != 0x0c && tag != 0x13 && tag != 0x16 && tag != 0x1a && tag != 0x04)
        return NULL;
    return dup_n(c, n);
}

static int next_int(seal__der *d, int *out)
{
    const unsigned char *c;
    size_t n;
    long v = 0;
    if (!next_is(d, 0x02, &c, &n) || n < 1 || n > 4 || (c[0] & 0x80))
        return 0;
    for (size_t i = 0; i < n; i++)
        v = v * 256 + c[i];
    *out = (int)v;
    return 1;
}

static int all_digits(const unsigned char *p, int n)
{
    for (int i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return 0;
    return 1;
}

/* The value of n (at most 4) decimal digits, or -1. */
static int digits(const unsigned char *p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + p[i] - '0';
    }
    return v;
}

/* The text of a UTCTime or GeneralizedTime, tolerantly: a missing Z,
 * fractions, a two-digit year in a GeneralizedTime (seen in real seals),
 * ISO 8601 separators (GM/T 0031 timeInfo as text). UTC assumed. */
int seal__eseal_time_text(const unsigned char *text, size_t len, long long *out)
{
    unsigned char c[16];
    size_t n = 0;
    int ylen;
    struct tm tm = {0};

    for (size_t i = 0; i < len && n < sizeof(c); i++) {
        if (text[i] >= '0' && text[i] <= '9')
            c[n++] = text[i];
        else if (text[i] != '-' && text[i] != ':' && text[i] != 'T' && text[i] != ' ')
            break; /* fraction, Z, offset */
    }
    ylen = (n >= 14 && all_digits(c, 14)) ? 4 : 2;
    if (n < (size_t)ylen + 8)
        return 0;
    int y = digits(c, ylen);
    if (y < 0)
        return 0;
    if (ylen == 2)
        y += y < 50 ? 2000 : 1900;
    tm.tm_year = y - 1900;
    tm.tm_mon = digits(c + ylen, 2) - 1;
    tm.tm_mday = digits(c + ylen + 2, 2);
    tm.tm_hour = digits(c + ylen + 4, 2);
    tm.tm_min = digits(c + ylen + 6, 2);
    tm.tm_sec = n >= (size_t)ylen + 10 ? digits(c + ylen + 8, 2) : 0;
    if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour < 0 ||
        tm.tm_hour > 23 || tm.tm_min < 0 || tm.tm_min > 59 || tm.tm_sec < 0 || tm.tm_sec > 60)
        return 0;
    *out = (long long)timegm(&tm);
    return 1;
}

static int next_time(seal__der *d, long long *out)
{
    const unsigned char *c;
    size_t n;
    int tag;

    if (!seal__der_next(d, &tag, &c, &n, NULL, NULL) || (tag != 0x17 && tag != 0x18))
        return 0;
    return seal__eseal_time_text(c, n, out);
}

static void holder_text(holder *h, int digest)
{
    if (digest) {
        h->text = malloc(strlen(h->dtype) + 2 * h->len + 2);
        if (h->text) {
            sprintf(h->text, "%s:", h->dtype);
            seal__hex(h->p, h->len, h->text + strlen(h->text));
        }
        return;
    }
    const unsigned char *p = h->p;
    X509 *x = d2i_X509(NULL, &p, (long)h->len);
    h->text = x ? seal__name_line(X509_get_subject_name(x)) : strdup("(not a certificate)");
    X509_free(x);
}

/* certList: SEQUENCE OF Cert (OCTET STRING), or of CertDigestObj
 * (certListType 2); v1 lists may hold IA5String IDs, kept as given. */
static int parse_cert_list(seal_eseal *es, const unsigned char *c, size_t n)
{
    seal__der d = {c, c + n};
    const unsigned char *x;
    size_t xl;
    int tag;

    while (seal__der_next(&d, &tag, &x, &xl, NULL, NULL)) {
        if (es->nholders >= ESEAL_MAX_HOLDERS)
            return 0;
        holder *h = &es->holders[es->nholders];
        memset(h, 0, sizeof(*h));
        if (es->cert_list_type == SEAL_ESEAL_LIST_DIGESTS) {
            seal__der o = {x, x + xl};
            char *t = next_str(&o);
            if (tag != 0x30 || !t || !next_is(&o, 0x04, &h->p, &h->len)) {
                free(t);
                return 0;
            }
            snprintf(h->dtype, sizeof(h->dtype), "%s", t);
            free(t);
        } else if (tag == 0x04 || tag == 0x16) {
            h->p = x;
            h->len = xl;
        } else {
            return 0;
        }
        es->nholders++;
        holder_text(h, es->cert_list_type == SEAL_ESEAL_LIST_DIGESTS);
        if (!h->text)
            return 0;
    }
    return 1;
}

static const char *parse_property(seal_eseal *es, const unsigned char *c, size_t n)
{
    seal__der d = {c, c + n};
    const unsigned char *x;
    size_t xl;

    if (!next_int(&d, &es->type))
        return "property type";
    if (!(es->name = next_str(&d)))
        return "property name";
    es->cert_list_type = SEAL_ESEAL_LIST_CERTS;
    if (es->layout == 4 && !next_int(&d, &es->cert_list_type))
        return "certListType";
    if (es->cert_list_type != SEAL_ESEAL_LIST_CERTS && es->cert_list_type != SEAL_ESEAL_LIST_DIGESTS)
        return "certListType (neither 1 nor 2)";
    if (!next_is(&d, 0x30, &x, &xl) || !parse_cert_list(es, x, xl))
        return "certList";
    if (!next_time(&d, &es->created) || !next_time(&d, &es->valid_from) ||
        !next_time(&d, &es->valid_to))
        return "createDate, validStart or validEnd";
    return NULL;
}

static const char *parse_picture(seal_eseal *es, const unsigned char *c, size_t n)
{
    seal__der d = {c, c + n};
    if (!(es->pic_type = next_str(&d)))
        return "picture type";
    if (!next_is(&d, 0x04, &es->pic, &es->pic_len))
        return "picture data";
    if (!next_int(&d, &es->width) || !next_int(&d, &es->height))
        return "picture width or height";
    for (char *t = es->pic_type; *t; t++)
        if (*t >= 'a' && *t <= 'z')
            *t = (char)(*t - 'a' + 'A');
    return NULL;
}

/* SES_SealInfo: header, esID, property, picture, extDatas (ignored). */
static const char *parse_info(seal_eseal *es)
{
    seal__der outer = {es->info, es->info + es->info_len}, d, h;
    const unsigned char *c, *x;
    size_t n, xl;
    const char *why;

    if (!next_is(&outer, 0x30, &c, &n))
        return "SES_SealInfo";
    d = (seal__der){c, c + n};
    if (!next_is(&d, 0x30, &x, &xl))
        return "SES_Header";
    h = (seal__der){x, x + xl};
    char *id = next_str(&h);
    int ok = id && !strcmp(id, "ES");
    free(id);
    if (!ok || !next_int(&h, &es->version) || !(es->vid = next_str(&h)))
        return "SES_Header (ID \"ES\", version, Vid)";
    if (!(es->esid = next_str(&d)))
        return "esID";
    if (!next_is(&d, 0x30, &x, &xl))
        return "property";
    if ((why = parse_property(es, x, xl)) != NULL)
        return why;
    if (!next_is(&d, 0x30, &x, &xl))
        return "picture";
    return parse_picture(es, x, xl);
}

int seal__eseal_bits(int tag, const unsigned char *c, size_t n, const unsigned char **v, size_t *vlen,
                     int *unused)
{
    if (tag == 0x04) { /* an OCTET STRING where a BIT STRING belongs (non-standard seals) */
        *v = c;
        *vlen = n;
        *unused = 0;
        return 1;
    }
    if (tag != 0x03 || n < 2 || c[0] > 7)
        return 0;
    *unused = c[0];
    *v = c + 1;
    *vlen = n - 1;
    return 1;
}

int seal__eseal_alg_name(const unsigned char *w, size_t wl, char *name, size_t size)
{
    const unsigned char *p = w;
    ASN1_OBJECT *o = d2i_ASN1_OBJECT(NULL, &p, (long)wl);
    if (!o)
        return 0;
    int nid = OBJ_obj2nid(o);
    char txt[64];
    OBJ_obj2txt(txt, sizeof(txt), o, 1);
    /* SM2-with-SM3, GM/T 0010's 1.2.156.10197.1.301.1 and the bare SM2 OID
     * all occur for the same signature in real seals. */
    if (nid == NID_SM2_with_SM3 || nid == NID_sm2 || !strcmp(txt, "1.2.156.10197.1.301.1"))
        snprintf(name, size, "SM2-with-SM3");
    else if (nid != NID_undef)
        snprintf(name, size, "%s", OBJ_nid2ln(nid));
    else
        OBJ_obj2txt(name, (int)size, o, 1);
    ASN1_OBJECT_free(o);
    return 1;
}

static const char *parse_envelope(seal_eseal *es)
{
    seal__der outer = {es->der, es->der + es->len}, d, si;
    const unsigned char *c, *x, *w;
    size_t n, xl, wl, count = 0;
    int tag;

    if (!next_is(&outer, 0x30, &c, &n) || outer.p != outer.end)
        return "not a DER SEQUENCE (SES_Seal)";
    d = (seal__der){c, c + n};
    while (seal__der_next(&d, &tag, &x, &xl, NULL, NULL))
        count++;
    if (d.p != d.end || (count != 2 && count != 4 && count != 5))
        return "SES_Seal has neither the GM/T 0031 (2) nor the GB/T 38540 (4) fields";
    es->layout = count == 2 ? 1 : 4;
    d = (seal__der){c, c + n};
    seal__der_next(&d, &tag, &x, &xl, &es->info, &es->info_len);
    if (es->layout == 1) {
        /* SES_SignInfo { cert, signatureAlgorithm, signData } */
        if (!next_is(&d, 0x30, &x, &xl))
            return "SES_SignInfo";
        si = (seal__der){x, x + xl};
    } else {
        si = d;
    }
    if (!seal__der_next(&si, &tag, &x, &xl, &es->cert_tlv, &es->cert_tlv_len) || tag != 0x04)
        return "maker certificate";
    const unsigned char *cp = x;
    if (!(es->maker = d2i_X509(NULL, &cp, (long)xl)) || cp != x + xl)
        return "maker certificate (not a DER certificate)";
    es->maker_name = seal__name_line(X509_get_subject_name(es->maker));
    seal__sm2_set_id(es->maker); /* its chain to --seal-trust anchors */
    if (!seal__der_next(&si, &tag, &x, &xl, &w, &wl) || tag != 0x06 ||
        !seal__eseal_alg_name(w, wl, es->alg, sizeof(es->alg)))
        return "signature algorithm";
    es->alg_tlv = w;
    es->alg_tlv_len = wl;
    if (!seal__der_next(&si, &tag, &x, &xl, NULL, NULL) || (tag != 0x03 && tag != 0x04))
        return "maker signature";
    if (!seal__eseal_bits(tag, x, xl, &es->sig, &es->sig_len, &es->sig_unused))
        return "maker signature (BIT STRING)";
    return NULL;
}

SEAL_API void seal_eseal_free(seal_eseal *es)
{
    if (!es)
        return;
    for (size_t i = 0; i < es->nholders; i++)
        free(es->holders[i].text);
    free(es->holders);
    free(es->esid);
    free(es->vid);
    free(es->name);
    free(es->pic_type);
    free(es->maker_name);
    X509_free(es->maker);
    free(es->der);
    free(es);
}

SEAL_API seal_status seal_eseal_parse(seal_ctx *ctx, seal_eseal **out, const unsigned char *der,
                                      size_t len)
{
    seal_eseal *es;
    const char *why;

    if (!ctx)
        return SEAL_ERR_ARGS;
    seal__reset(ctx);
    if (!out || !der)
        return seal__fail(ctx, SEAL_ERR_ARGS, "seal_eseal_parse: missing argument");
    *out = NULL;
    if (len > ESEAL_MAX)
        return seal__fail(ctx, SEAL_ERR_INPUT, "electronic seal larger than %u MB", ESEAL_MAX >> 20);
    es = calloc(1, sizeof(*es));
    if (!es || !(es->der = malloc(len ? len : 1)) ||
        !(es->holders = calloc(ESEAL_MAX_HOLDERS, sizeof(holder)))) {
        seal_eseal_free(es);
        return seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
    }
    memcpy(es->der, der, len);
    es->len = len;
    seal__ossl_clear();
    if (!(why = parse_envelope(es)))
        why = parse_info(es);
    seal__ossl_clear();
    if (why) {
        seal_eseal_free(es);
        return seal__fail(ctx, SEAL_ERR_INPUT, "not a GB/T 38540 electronic seal: bad %s", why);
    }
    *out = es;
    return SEAL_OK;
}

SEAL_API seal_status seal_eseal_load(seal_ctx *ctx, seal_eseal **out, const char *path)
{
    unsigned char *data = NULL;
    size_t len = 0;
    seal_status st;

    if (!ctx)
        return SEAL_ERR_ARGS;
    seal__reset(ctx);
    if (!out || !path)
        return seal__fail(ctx, SEAL_ERR_ARGS, "seal_eseal_load: missing argument");
    *out = NULL;
    if ((st = seal__read_file(ctx, path, ESEAL_MAX, &data, &len)) != SEAL_OK)
        return st;
    st = seal_eseal_parse(ctx, out, data, len);
    free(data);
    if (st != SEAL_OK && st != SEAL_ERR_NOMEM) {
        char msg[SEAL_MSG_MAX];
        snprintf(msg, sizeof(msg), "%s", seal_ctx_message(ctx));
        return seal__fail(ctx, st, "%s: %s", path, msg);
    }
    return st;
}

SEAL_API seal_status seal_eseal_get_info(const seal_eseal *es, seal_eseal_info *out)
{
    if (!es || !out)
        return SEAL_ERR_ARGS;
    memset(out, 0, sizeof(*out));
    out->version = es->version;
    out->esid = es->esid;
    out->vid = es->vid;
    out->type = es->type;
    out->name = es->name;
    out->cert_list_type = es->cert_list_type;
    out->holder_count = es->nholders;
    out->created = es->created;
    out->valid_from = es->valid_from;
    out->valid_to = es->valid_to;
    out->picture_type = es->pic_type;
    out->picture_len = es->pic_len;
    out->width_mm = es->width;
    out->height_mm = es->height;
    out->maker = es->maker_name ? es->maker_name : "";
    out->signature_algorithm = es->alg;
    return SEAL_OK;
}

SEAL_API const char *seal_eseal_holder(const seal_eseal *es, size_t i)
{
    return es && i < es->nholders ? es->holders[i].text : NULL;
}

SEAL_API const unsigned char *seal_eseal_picture(const seal_eseal *es, size_t *len)
{
    if (len)
        *len = es ? es->pic_len : 0;
    return es ? es->pic : NULL;
}

const unsigned char *seal__eseal_der(const seal_eseal *es, size_t *len)
{
    *len = es->len;
    return es->der;
}

X509 *seal__eseal_maker(const seal_eseal *es)
{
    return es->maker;
}

/* ------------------------------------------------------------ checks */

static const EVP_MD *digest_named(const char *t)
{
    char n[16];
    size_t k = 0;
    for (const char *p = t; *p && k + 1 < sizeof(n); p++)
        if (*p != '-' && *p != ' ')
            n[k++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
    n[k] = 0;
    if (!strcmp(n, "SM3"))
        return EVP_sm3();
    if (!strcmp(n, "SHA256"))
        return EVP_sha256();
    if (!strcmp(n, "SHA1"))
        return EVP_sha1();
    return NULL;
}

int seal__eseal_holds(const seal_eseal *es, X509 *cert)
{
    unsigned char *der = NULL, md[EVP_MAX_MD_SIZE];
    unsigned mdlen;
    int len = i2d_X509(cert, &der), found = 0;

    for (size_t i = 0; len > 0 && i < es->nholders && !found; i++) {
        const holder *h = &es->holders[i];
        if (es->cert_list_type == SEAL_ESEAL_LIST_CERTS) {
            found = h->len == (size_t)len && !memcmp(h->p, der, h->len);
            continue;
        }
        const EVP_MD *md_type = digest_named(h->dtype);
        found = md_type && EVP_Digest(der, (size_t)len, md, &mdlen, md_type, NULL) &&
                mdlen == h->len && !memcmp(md, h->p, mdlen);
    }
    OPENSSL_free(der);
    return found;
}

/* What the maker signed: v4 the SES_SealInfo; v1 SEQUENCE{SES_SealInfo,
 * cert, signatureAlgorithm}, each element as received. */
static unsigned char *signed_bytes(const seal_eseal *es, size_t *len)
{
    if (es->layout == 4) {
        unsigned char *b = malloc(es->info_len);
        if (b)
            memcpy(b, es->info, es->info_len);
        *len = es->info_len;
        return b;
    }
    int body = (int)(es->info_len + es->cert_tlv_len + es->alg_tlv_len);
    int total = ASN1_object_size(1, body, V_ASN1_SEQUENCE);
    unsigned char *b = total > 0 ? malloc((size_t)total) : NULL, *p = b;
    if (!b)
        return NULL;
    ASN1_put_object(&p, 1, body, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL);
    memcpy(p, es->info, es->info_len);
    memcpy(p + es->info_len, es->cert_tlv, es->cert_tlv_len);
    memcpy(p + es->info_len + es->cert_tlv_len, es->alg_tlv, es->alg_tlv_len);
    *len = (size_t)total;
    return b;
}

int seal__eseal_verify_value(EVP_PKEY *pub, const char *alg, const unsigned char *msg, size_t len,
                             const unsigned char *sig, size_t siglen, int unused)
{
    unsigned char *padded = NULL;
    int rc = 0, md_nid = NID_undef, pk_nid = NID_undef;

    if (!pub)
        return 0;
    /* A BIT STRING whose trailing zero bits were trimmed (unused bits
     * set, seen in real seals) verifies once re-padded. */
    if (unused && (padded = malloc(siglen + 1)) != NULL) {
        memcpy(padded, sig, siglen);
        padded[siglen] = 0;
    }
    if (!strcmp(alg, "SM2-with-SM3")) {
        /* DER or raw r||s, with the default ID (gm.md §0). */
        rc = seal__sm2_verify_msg(pub, msg, len, sig, siglen);
        if (rc != 1 && padded)
            rc = seal__sm2_verify_msg(pub, msg, len, padded, siglen + 1);
        free(padded);
        return rc == 1;
    }
    ASN1_OBJECT *o = OBJ_txt2obj(alg, 0);
    int nid = o ? OBJ_obj2nid(o) : NID_undef;
    ASN1_OBJECT_free(o);
    if (!OBJ_find_sigid_algs(nid, &md_nid, &pk_nid) || md_nid == NID_undef) {
        free(padded);
        return -1;
    }
    for (int k = 0; k < (padded ? 2 : 1) && rc != 1; k++) {
        EVP_MD_CTX *m = EVP_MD_CTX_new();
        rc = m && EVP_DigestVerifyInit(m, NULL, EVP_get_digestbynid(md_nid), NULL, pub) == 1 &&
             EVP_DigestVerify(m, k ? padded : sig, k ? siglen + 1 : siglen, msg, len) == 1;
        EVP_MD_CTX_free(m);
    }
    free(padded);
    return rc;
}

SEAL_API seal_status seal_eseal_check(seal_ctx *ctx, const seal_eseal *es)
{
    size_t len;
    unsigned char *msg;
    int rc;

    if (!ctx)
        return SEAL_ERR_ARGS;
    seal__reset(ctx);
    if (!es)
        return seal__fail(ctx, SEAL_ERR_ARGS, "seal_eseal_check: missing argument");
    if (!(msg = signed_bytes(es, &len)))
        return seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
    seal__ossl_clear();
    rc = seal__eseal_verify_value(X509_get0_pubkey(es->maker), es->alg, msg, len, es->sig, es->sig_len,
                                  es->sig_unused);
    seal__ossl_clear();
    free(msg);
    if (rc < 0)
        return seal__fail(ctx, SEAL_ERR_UNSUPPORTED,
                          "the seal maker's signature algorithm %s is not supported", es->alg);
    if (!rc)
        return seal__fail(ctx, SEAL_ERR_CRYPTO, "the seal maker's signature does not verify");
    return SEAL_OK;
}

/* "NAME (esID ESID)" */
static void seal_label(const seal_eseal *es, char *buf, size_t size)
{
    snprintf(buf, size, "e-seal \"%s\" (esID %s)", es->name, es->esid);
}

seal_status seal__eseal_usable(seal_ctx *ctx, const seal_eseal *es, X509 *cert, long long t)
{
    char label[300], why[300] = "", when[32], *who = seal__name_line(X509_get_subject_name(cert));
    seal_status st = SEAL_OK;

    seal_label(es, label, sizeof(label));
    if (seal_eseal_check(ctx, es) != SEAL_OK) {
        snprintf(why, sizeof(why), "%s", seal_ctx_message(ctx));
    } else if (t < es->valid_from || t > es->valid_to) {
        seal__iso_time(t < es->valid_from ? es->valid_from : es->valid_to, when, sizeof(when));
        snprintf(why, sizeof(why), "%s %s", t < es->valid_from ? "it is not valid before" : "it expired on",
                 when);
    } else if (!seal__eseal_holds(es, cert)) {
        snprintf(why, sizeof(why), "the certificate is not in its certificate list");
    }
    if (why[0])
        st = seal__fail(ctx, SEAL_ERR_CERT, "%s cannot be used by %s: %s", label, who ? who : "?", why);
    else
        seal__reset(ctx);
    free(who);
    return st;
}
