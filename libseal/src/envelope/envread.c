/*
 * Reading envelopes: a streaming BER reader of CMS AuthEnvelopedData
 * (RFC 5083) and EnvelopedData (RFC 5652) files. The RecipientInfos and
 * algorithm parameters are read whole (they are small) and parsed with
 * OpenSSL's ASN.1; the encrypted content, definite or indefinite length,
 * primitive or in chunks, is handed out piece by piece, so a file of any
 * size is read in constant memory. OpenSSL's own CMS reader holds the
 * whole content in memory (315 MB of RSS for a 100 MB envelope).
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "envint.h"
#include "sm2int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>

#define ELEMENT_MAX (1u << 20) /* RecipientInfos and the like */

static seal_status damaged(seal_ctx *ctx, env_reader *r, const char *what)
{
    return seal__fail(ctx, SEAL_ERR_INPUT, "%s: the envelope is damaged: %s (at byte %lld)",
                      r->path, what, r->pos);
}

static seal_status rd_byte(seal_ctx *ctx, env_reader *r, int *b)
{
    int c = getc(r->f);
    if (c == EOF) {
        if (ferror(r->f))
            return seal__fail(ctx, SEAL_ERR_IO, "cannot read %s: %s", r->path, strerror(errno));
        return damaged(ctx, r, "truncated");
    }
    r->pos++;
    if (r->capturing) {
        if (r->caplen == r->capmax)
            return damaged(ctx, r, "an element larger than 1 MB");
        r->cap[r->caplen++] = (unsigned char)c;
    }
    *b = c;
    return SEAL_OK;
}

/* One BER header: identifier (single byte), length or indefinite. */
static seal_status rd_hdr(seal_ctx *ctx, env_reader *r, int *tag, long long *len, int *indef)
{
    int b, n;
    seal_status st;

    if ((st = rd_byte(ctx, r, tag)) != SEAL_OK)
        return st;
    if ((*tag & 0x1f) == 0x1f)
        return damaged(ctx, r, "a multi-byte tag");
    if ((st = rd_byte(ctx, r, &b)) != SEAL_OK)
        return st;
    *indef = 0;
    *len = 0;
    if (b < 0x80) {
        *len = b;
        return SEAL_OK;
    }
    if (b == 0x80) {
        if (!(*tag & 0x20))
            return damaged(ctx, r, "an indefinite length on a primitive element");
        *indef = 1;
        return SEAL_OK;
    }
    n = b & 0x7f;
    if (n > 7)
        return damaged(ctx, r, "a length too large");
    while (n-- > 0) {
        if ((st = rd_byte(ctx, r, &b)) != SEAL_OK)
            return st;
        *len = (*len << 8) | b;
    }
    return SEAL_OK;
}

static seal_status rd_skip(seal_ctx *ctx, env_reader *r, long long len)
{
    seal_status st;
    int b;
    while (len-- > 0)
        if ((st = rd_byte(ctx, r, &b)) != SEAL_OK)
            return st;
    return SEAL_OK;
}

/* The rest of an element whose header was read (nested indefinite lengths
 * included), captured when r->capturing. */
static seal_status rd_rest(seal_ctx *ctx, env_reader *r, int indef, long long len, int depth)
{
    int tag, ind;
    long long l;
    seal_status st;

    if (depth > 16)
        return damaged(ctx, r, "elements nested too deep");
    if (!indef)
        return rd_skip(ctx, r, len);
    for (;;) {
        if ((st = rd_hdr(ctx, r, &tag, &l, &ind)) != SEAL_OK)
            return st;
        if (tag == 0 && l == 0 && !ind)
            return SEAL_OK;
        if ((st = rd_rest(ctx, r, ind, l, depth + 1)) != SEAL_OK)
            return st;
    }
}

/* Read the element whose header was just read, whole: its content bytes
 * (for an indefinite length, the raw children) into r->cap. */
static seal_status rd_content(seal_ctx *ctx, env_reader *r, int indef, long long len)
{
    seal_status st;
    if (!indef && len > ELEMENT_MAX)
        return damaged(ctx, r, "an element larger than 1 MB");
    r->caplen = 0;
    r->capturing = 1;
    st = rd_rest(ctx, r, indef, len, 0);
    r->capturing = 0;
    if (st == SEAL_OK && indef)
        r->caplen -= 2; /* the end-of-contents octets */
    return st;
}

static seal_status rd_open(seal_ctx *ctx, env_reader *r, int want, const char *what)
{
    int tag, indef;
    long long len;
    seal_status st = rd_hdr(ctx, r, &tag, &len, &indef);
    if (st != SEAL_OK)
        return st;
    if (tag != want || r->depth == 8)
        return damaged(ctx, r, what);
    r->open[r->depth].indef = indef;
    r->open[r->depth].end = indef ? -1 : r->pos + len;
    r->depth++;
    return SEAL_OK;
}

static seal_status rd_close(seal_ctx *ctx, env_reader *r)
{
    int tag, indef;
    long long len;
    seal_status st;

    r->depth--;
    if (!r->open[r->depth].indef)
        return r->pos == r->open[r->depth].end ? SEAL_OK : damaged(ctx, r, "a length mismatch");
    if ((st = rd_hdr(ctx, r, &tag, &len, &indef)) != SEAL_OK)
        return st;
    return tag == 0 && len == 0 && !indef ? SEAL_OK : damaged(ctx, r, "unexpected data");
}

typedef seal__der der;

static char *hex_text(const unsigned char *p, size_t n)
{
    char *s = malloc(2 * n + 1);
    if (s)
        seal__hex(p, n, s);
    return s;
}

/* IssuerAndSerialNumber (whole encoding) into the recipient. */
static int parse_ias(env_recip *rc, const unsigned char *c, size_t clen)
{
    der d = {c, c + clen};
    const unsigned char *x, *w;
    size_t xl, wl;
    int tag;
    BIGNUM *bn;
    char *hex;

    if (!seal__der_next(&d, &tag, &x, &xl, &w, &wl) || tag != 0x30 ||
        !(rc->issuer = d2i_X509_NAME(NULL, &w, (long)wl)))
        return 0;
    if (!seal__der_next(&d, &tag, &x, &xl, &w, &wl) || tag != 0x02 ||
        !(rc->serial = d2i_ASN1_INTEGER(NULL, &w, (long)wl)))
        return 0;
    rc->issuer_s = seal__name_line(rc->issuer);
    if (!rc->issuer_s)
        rc->issuer_s = strdup("?");
    bn = ASN1_INTEGER_to_BN(rc->serial, NULL);
    hex = bn ? BN_bn2hex(bn) : NULL;
    rc->serial_s = strdup(hex ? hex : "?");
    OPENSSL_free(hex);
    BN_free(bn);
    return 1;
}

static int set_ski(env_recip *rc, const unsigned char *c, size_t clen)
{
    rc->ski = c;
    rc->skilen = clen;
    rc->ski_s = hex_text(c, clen);
    return rc->ski_s != NULL;
}

static int mgf1_md(const X509_ALGOR *mgf)
{
    const ASN1_OBJECT *obj;
    const void *pval;
    int ptype;
    X509_ALGOR *inner;
    int nid = NID_sha1;

    if (!mgf)
        return NID_sha1;
    X509_ALGOR_get0(&obj, &ptype, &pval, mgf);
    if (OBJ_obj2nid(obj) != NID_mgf1 || ptype != V_ASN1_SEQUENCE)
        return 0;
    const ASN1_STRING *s = pval;
    const unsigned char *p = ASN1_STRING_get0_data(s);
    inner = d2i_X509_ALGOR(NULL, &p, ASN1_STRING_length(s));
    if (!inner)
        return 0;
    nid = OBJ_obj2nid(inner->algorithm);
    X509_ALGOR_free(inner);
    return nid;
}

/* keyEncryptionAlgorithm of a ktri: rsaEncryption or RSAES-OAEP. */
static int parse_ktri_alg(env_recip *rc, const unsigned char *w, size_t wl)
{
    X509_ALGOR *alg = d2i_X509_ALGOR(NULL, &w, (long)wl);
    const ASN1_OBJECT *obj;
    const void *pval;
    int ptype, ok = 1;

    if (!alg)
        return 0;
    X509_ALGOR_get0(&obj, &ptype, &pval, alg);
    if (seal__sm2_oid_encrypt(obj)) {
        rc->sm2 = 1;
        snprintf(rc->alg, sizeof(rc->alg), "SM2-ENCRYPT");
        X509_ALGOR_free(alg);
        return 1;
    }
    switch (OBJ_obj2nid(obj)) {
    case NID_rsaEncryption:
        rc->oaep_md = 0;
        snprintf(rc->alg, sizeof(rc->alg), "RSA-PKCS1-v1_5");
        break;
    case NID_rsaesOaep: {
        RSA_OAEP_PARAMS *prm = NULL;
        rc->oaep_md = rc->mgf_md = NID_sha1;
        if (ptype == V_ASN1_SEQUENCE) {
            const unsigned char *p = ASN1_STRING_get0_data(pval);
            prm = d2i_RSA_OAEP_PARAMS(NULL, &p, ASN1_STRING_length(pval));
            if (!prm)
                ok = 0;
            else {
                if (prm->hashFunc)
                    rc->oaep_md = OBJ_obj2nid(prm->hashFunc->algorithm);
                rc->mgf_md = mgf1_md(prm->maskGenFunc);
                if (prm->pSourceFunc)
                    ok = 0; /* a label: not what CMS uses */
                RSA_OAEP_PARAMS_free(prm);
            }
        }
        snprintf(rc->alg, sizeof(rc->alg), "RSAES-OAEP-%s", OBJ_nid2sn(rc->oaep_md));
        if (!rc->mgf_md)
            ok = 0;
        break;
    }
    default:
        snprintf(rc->alg, sizeof(rc->alg), "%s", OBJ_nid2sn(OBJ_obj2nid(obj)));
        rc->kind = ENV_OTHER;
    }
    X509_ALGOR_free(alg);
    return ok;
}

static seal_status add_recip(seal_ctx *ctx, seal_envelope *env, env_recip **out)
{
    env_recip *grown = realloc(env->recips, (env->nrecips + 1) * sizeof(*grown));
    if (!grown)
        return seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
    env->recips = grown;
    *out = &grown[env->nrecips++];
    memset(*out, 0, sizeof(**out));
    return SEAL_OK;
}

static int parse_ktri(env_recip *rc, const unsigned char *c, size_t clen)
{
    der d = {c, c + clen};
    const unsigned char *x, *w;
    size_t xl, wl;
    int tag;

    rc->kind = ENV_KTRI;
    if (!seal__der_next(&d, &tag, &x, &xl, NULL, NULL) || tag != 0x02)
        return 0;
    if (!seal__der_next(&d, &tag, &x, &xl, &w, &wl))
        return 0;
    if (tag == 0x30 ? !parse_ias(rc, x, xl) : tag == 0x80 ? !set_ski(rc, x, xl) : 1)
        return 0;
    if (!seal__der_next(&d, &tag, &x, &xl, &w, &wl) || tag != 0x30 || !parse_ktri_alg(rc, w, wl))
        return 0;
    if (!seal__der_next(&d, &tag, &x, &xl, NULL, NULL) || tag != 0x04)
        return 0;
    rc->ek = x;
    rc->eklen = xl;
    return 1;
}

static int kdf_digest(int nid)
{
    switch (nid) {
    case NID_dhSinglePass_stdDH_sha1kdf_scheme:
    case NID_dhSinglePass_cofactorDH_sha1kdf_scheme: return NID_sha1;
    case NID_dhSinglePass_stdDH_sha224kdf_scheme:
    case NID_dhSinglePass_cofactorDH_sha224kdf_scheme: return NID_sha224;
    case NID_dhSinglePass_stdDH_sha256kdf_scheme:
    case NID_dhSinglePass_cofactorDH_sha256kdf_scheme: return NID_sha256;
    case NID_dhSinglePass_stdDH_sha384kdf_scheme:
    case NID_dhSinglePass_cofactorDH_sha384kdf_scheme: return NID_sha384;
    case NID_dhSinglePass_stdDH_sha512kdf_scheme:
    case NID_dhSinglePass_cofactorDH_sha512kdf_scheme: return NID_sha512;
    default: return 0;
    }
}

/* The kari parts shared by its RecipientEncryptedKeys. */
typedef struct kari_common {
    const unsigned char *opk, *ukm;
    unsigned char wrap[64];
    size_t opklen, ukmlen, wraplen;
    int kdf_md, wrap_nid;
} kari_common;

static int parse_kari_alg(kari_common *k, const unsigned char *w, size_t wl)
{
    X509_ALGOR *alg = d2i_X509_ALGOR(NULL, &w, (long)wl), *wrap = NULL;
    const ASN1_OBJECT *obj;
    const void *pval;
    int ptype, ok = 0;

    if (!alg)
        return 0;
    X509_ALGOR_get0(&obj, &ptype, &pval, alg);
    k->kdf_md = kdf_digest(OBJ_obj2nid(obj));
    if (k->kdf_md && ptype == V_ASN1_SEQUENCE) {
        /* keyInfo of the ECC-CMS-SharedInfo is this encoding as it stands */
        const unsigned char *p = ASN1_STRING_get0_data(pval);
        size_t n = (size_t)ASN1_STRING_length(pval);
        if (n <= sizeof(k->wrap) && (wrap = d2i_X509_ALGOR(NULL, &p, (long)n)) != NULL) {
            memcpy(k->wrap, ASN1_STRING_get0_data(pval), n);
            k->wraplen = n;
            k->wrap_nid = OBJ_obj2nid(wrap->algorithm);
            ok = 1;
        }
    }
    X509_ALGOR_free(wrap);
    X509_ALGOR_free(alg);
    return ok;
}

static int parse_originator(kari_common *k, const unsigned char *c, size_t clen)
{
    der d = {c, c + clen}, e;
    const unsigned char *x;
    size_t xl;
    int tag;

    /* Only an originatorKey ([1]): ephemeral-static ECDH. */
    if (!seal__der_next(&d, &tag, &x, &xl, NULL, NULL) || tag != 0xa1)
        return 0;
    e = (der){x, x + xl};
    if (!seal__der_next(&e, &tag, &x, &xl, NULL, NULL) || tag != 0x30)
        return 0;
    if (!seal__der_next(&e, &tag, &x, &xl, NULL, NULL) || tag != 0x03 || xl < 2 || x[0] != 0)
        return 0;
    k->opk = x + 1;
    k->opklen = xl - 1;
    return 1;
}

static seal_status parse_kari(seal_ctx *ctx, seal_envelope *env, const unsigned char *c,
                              size_t clen, int *ok)
{
    der d = {c, c + clen}, keys, rek;
    const unsigned char *x, *w;
    size_t xl, wl;
    int tag;
    kari_common k;
    seal_status st;
    env_recip *rc;

    memset(&k, 0, sizeof(k));
    *ok = 0;
    if (!seal__der_next(&d, &tag, &x, &xl, NULL, NULL) || tag != 0x02)
        return SEAL_OK;
    if (!seal__der_next(&d, &tag, &x, &xl, NULL, NULL) || tag != 0xa0 || !parse_originator(&k, x, xl))
        return SEAL_OK;
    if (!seal__der_next(&d, &tag, &x, &xl, &w, &wl))
        return SEAL_OK;
    if (tag == 0xa1) {
        der u = {x, x + xl};
        if (!seal__der_next(&u, &tag, &k.ukm, &k.ukmlen, NULL, NULL) || tag != 0x04)
            return SEAL_OK;
        if (!seal__der_next(&d, &tag, &x, &xl, &w, &wl))
            return SEAL_OK;
    }
    if (tag != 0x30 || !parse_kari_alg(&k, w, wl))
        return SEAL_OK;
    if (!seal__der_next(&d, &tag, &x, &xl, NULL, NULL) || tag != 0x30)
        return SEAL_OK;
    keys = (der){x, x + xl};
    while (seal__der_next(&keys, &tag, &x, &xl, NULL, NULL)) {
        if (tag != 0x30)
            return SEAL_OK;
        if ((st = add_recip(ctx, env, &rc)) != SEAL_OK)
            return st;
        rc->kind = ENV_KARI;
        rc->opk = k.opk;
        rc->opklen = k.opklen;
        rc->ukm = k.ukm;
        rc->ukmlen = k.ukmlen;
        rc->kdf_md = k.kdf_md;
        memcpy(rc->wrap, k.wrap, k.wraplen);
        rc->wraplen = k.wraplen;
        rc->wrap_nid = k.wrap_nid;
        snprintf(rc->alg, sizeof(rc->alg), "ECDH-%sKDF-%s", OBJ_nid2sn(k.kdf_md),
                 k.wrap_nid == NID_id_aes128_wrap   ? "AES128-WRAP"
                 : k.wrap_nid == NID_id_aes192_wrap ? "AES192-WRAP"
                 : k.wrap_nid == NID_id_aes256_wrap ? "AES256-WRAP"
                                                    : OBJ_nid2sn(k.wrap_nid));
        rek = (der){x, x + xl};
        if (!seal__der_next(&rek, &tag, &x, &xl, &w, &wl))
            return SEAL_OK;
        if (tag == 0x30) {
            if (!parse_ias(rc, x, xl))
                return SEAL_OK;
        } else if (tag == 0xa0) {
            der rk = {x, x + xl};
            if (!seal__der_next(&rk, &tag, &x, &xl, NULL, NULL) || tag != 0x04 || !set_ski(rc, x, xl))
                return SEAL_OK;
        } else {
            return SEAL_OK;
        }
        if (!seal__der_next(&rek, &tag, &rc->ek, &rc->eklen, NULL, NULL) || tag != 0x04)
            return SEAL_OK;
    }
    *ok = 1;
    return SEAL_OK;
}

static seal_status parse_recipients(seal_ctx *ctx, env_reader *r, seal_envelope *env)
{
    der d = {env->ri, env->ri + env->rilen};
    const unsigned char *x;
    size_t xl;
    int tag, ok;
    env_recip *rc;
    seal_status st;

    while (d.p < d.end) {
        if (!seal__der_next(&d, &tag, &x, &xl, NULL, NULL))
            return damaged(ctx, r, "a malformed RecipientInfo");
        if (tag == 0x30) {
            if ((st = add_recip(ctx, env, &rc)) != SEAL_OK)
                return st;
            if (!parse_ktri(rc, x, xl))
                return damaged(ctx, r, "a malformed key transport RecipientInfo");
        } else if (tag == 0xa1) {
            if ((st = parse_kari(ctx, env, x, xl, &ok)) != SEAL_OK)
                return st;
            if (!ok)
                return damaged(ctx, r, "a malformed key agreement RecipientInfo");
        } else {
            static const char *const kinds[] = {"kekri", "pwri", "ori"};
            if ((st = add_recip(ctx, env, &rc)) != SEAL_OK)
                return st;
            rc->kind = ENV_OTHER;
            snprintf(rc->alg, sizeof(rc->alg), "%s",
                     tag >= 0xa2 && tag <= 0xa4 ? kinds[tag - 0xa2] : "unknown");
        }
    }
    if (env->nrecips == 0)
        return damaged(ctx, r, "no RecipientInfo");
    return SEAL_OK;
}

/* contentEncryptionAlgorithm: AES-GCM (GCMParameters) or AES-CBC (IV). */
static seal_status parse_content_alg(seal_ctx *ctx, env_reader *r, seal_envelope *env)
{
    const unsigned char *p = r->cap;
    X509_ALGOR *alg = d2i_X509_ALGOR(NULL, &p, (long)r->caplen);
    const ASN1_OBJECT *obj;
    const void *pval;
    int ptype, nid, ok = 0;

    if (!alg)
        return damaged(ctx, r, "a malformed content encryption algorithm");
    X509_ALGOR_get0(&obj, &ptype, &pval, alg);
    nid = OBJ_obj2nid(obj);
    env->cipher_nid = nid;
    if (nid == NID_aes_128_gcm || nid == NID_aes_192_gcm || nid == NID_aes_256_gcm) {
        der d = {NULL, NULL}, s;
        const unsigned char *x;
        size_t xl;
        int tag;
        env->taglen = 12;
        if (ptype == V_ASN1_SEQUENCE) {
            d.p = ASN1_STRING_get0_data(pval);
            d.end = d.p + ASN1_STRING_length(pval);
            if (seal__der_next(&d, &tag, &x, &xl, NULL, NULL) && tag == 0x30) {
                s = (der){x, x + xl};
                if (seal__der_next(&s, &tag, &x, &xl, NULL, NULL) && tag == 0x04 && xl >= 1 &&
                    xl <= sizeof(env->iv)) {
                    memcpy(env->iv, x, xl);
                    env->ivlen = xl;
                    ok = 1;
                    if (seal__der_next(&s, &tag, &x, &xl, NULL, NULL)) {
                        ok = tag == 0x02 && xl == 1 && x[0] >= 12 && x[0] <= 16;
                        env->taglen = ok ? x[0] : 0;
                    }
                }
            }
        }
    } else if (nid == NID_aes_128_cbc || nid == NID_aes_192_cbc || nid == NID_aes_256_cbc ||
               nid == NID_sm4_cbc) {
        if (ptype == V_ASN1_OCTET_STRING && ASN1_STRING_length(pval) == 16) {
            memcpy(env->iv, ASN1_STRING_get0_data(pval), 16);
            env->ivlen = 16;
            ok = 1;
        }
    } else {
        X509_ALGOR_free(alg);
        return seal__fail(ctx, SEAL_ERR_UNSUPPORTED,
                          "%s: content encrypted with %s; libseal opens AES-GCM, AES-CBC and "
                          "SM4-CBC",
                          r->path, OBJ_nid2ln(nid));
    }
    X509_ALGOR_free(alg);
    if (ok && r->caplen <= sizeof(env->algid)) { /* an SM2 envelope's HMAC covers it */
        memcpy(env->algid, r->cap, r->caplen);
        env->algidlen = r->caplen;
    }
    return ok ? SEAL_OK : damaged(ctx, r, "malformed content encryption parameters");
}

/* The OBJECT IDENTIFIER element next in the stream: its NID, and whether
 * it is GM/T 0010 envelopedData (*gm, may be NULL). */
static seal_status rd_oid(seal_ctx *ctx, env_reader *r, int *nid, int *gm)
{
    int tag, indef;
    long long len;
    seal_status st = rd_hdr(ctx, r, &tag, &len, &indef);
    const unsigned char *p;
    ASN1_OBJECT *o;
    unsigned char buf[64];

    if (st != SEAL_OK)
        return st;
    if (tag != 0x06 || len < 1 || len > 60)
        return damaged(ctx, r, "an object identifier expected");
    buf[0] = 0x06;
    buf[1] = (unsigned char)len;
    if (fread(buf + 2, 1, (size_t)len, r->f) != (size_t)len)
        return damaged(ctx, r, "truncated");
    r->pos += len;
    p = buf;
    o = d2i_ASN1_OBJECT(NULL, &p, len + 2);
    *nid = o ? OBJ_obj2nid(o) : NID_undef;
    if (gm)
        *gm = seal__gm_oid_enveloped(o);
    ASN1_OBJECT_free(o);
    return SEAL_OK;
}

static seal_status rd_header(seal_ctx *ctx, env_reader *r, seal_envelope *env)
{
    int tag, indef, nid;
    long long len;
    seal_status st;

    int first = getc(r->f);
    if (first != 0x30)
        return seal__fail(ctx, SEAL_ERR_INPUT, "%s is not a sealed bid (not a CMS envelope)",
                          r->path);
    ungetc(first, r->f);
    if ((st = rd_open(ctx, r, 0x30, "not a CMS envelope")) != SEAL_OK ||
        (st = rd_oid(ctx, r, &nid, &env->gm)) != SEAL_OK)
        return st;
    if (nid == NID_id_smime_ct_authEnvelopedData)
        env->auth = 1;
    else if (nid != NID_pkcs7_enveloped && !env->gm)
        return seal__fail(ctx, SEAL_ERR_INPUT, "%s is not a sealed bid (a CMS %s, not "
                                               "AuthEnvelopedData or EnvelopedData)",
                          r->path, nid == NID_undef ? "object" : OBJ_nid2ln(nid));
    if ((st = rd_open(ctx, r, 0xa0, "no content")) != SEAL_OK ||
        (st = rd_open(ctx, r, 0x30, "no envelope")) != SEAL_OK ||
        (st = rd_hdr(ctx, r, &tag, &len, &indef)) != SEAL_OK)
        return st;
    if (tag != 0x02 || indef || len != 1 || (st = rd_skip(ctx, r, 1)) != SEAL_OK)
        return st != SEAL_OK ? st : damaged(ctx, r, "no version");
    if ((st = rd_hdr(ctx, r, &tag, &len, &indef)) != SEAL_OK)
        return st;
    if (tag == 0xa0) { /* originatorInfo: certificates we do not need */
        if ((st = rd_content(ctx, r, indef, len)) != SEAL_OK ||
            (st = rd_hdr(ctx, r, &tag, &len, &indef)) != SEAL_OK)
            return st;
    }
    if (tag != 0x31)
        return damaged(ctx, r, "no RecipientInfos");
    if ((st = rd_content(ctx, r, indef, len)) != SEAL_OK)
        return st;
    if (!(env->ri = malloc(r->caplen ? r->caplen : 1)))
        return seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
    memcpy(env->ri, r->cap, r->caplen);
    env->rilen = r->caplen;
    if ((st = parse_recipients(ctx, r, env)) != SEAL_OK)
        return st;
    /* EncryptedContentInfo: contentType, algorithm, [0] content */
    if ((st = rd_open(ctx, r, 0x30, "no encrypted content info")) != SEAL_OK ||
        (st = rd_oid(ctx, r, &nid, NULL)) != SEAL_OK || (st = rd_hdr(ctx, r, &tag, &len, &indef)) != SEAL_OK)
        return st;
    if (tag != 0x30 || indef)
        return damaged(ctx, r, "no content encryption algorithm");
    r->caplen = 0;
    r->capturing = 1;
    r->cap[r->caplen++] = 0x30;
    if (len < 128) {
        r->cap[r->caplen++] = (unsigned char)len;
    } else if (len < 256) {
        r->cap[r->caplen++] = 0x81;
        r->cap[r->caplen++] = (unsigned char)len;
    } else {
        r->capturing = 0;
        return damaged(ctx, r, "content encryption parameters too large");
    }
    st = rd_skip(ctx, r, len);
    r->capturing = 0;
    if (st != SEAL_OK || (st = parse_content_alg(ctx, r, env)) != SEAL_OK)
        return st;
    if ((st = rd_hdr(ctx, r, &tag, &len, &indef)) != SEAL_OK)
        return st;
    if (tag == 0x80) {
        r->cons = 0;
        r->left = len;
    } else if (tag == 0xa0) {
        r->cons = 1;
        r->indef = indef;
        r->end = indef ? -1 : r->pos + len;
        r->left = 0;
    } else {
        return seal__fail(ctx, SEAL_ERR_UNSUPPORTED,
                          "%s: the envelope does not hold its content (detached)", r->path);
    }
    return SEAL_OK;
}

seal_status seal__env_start(seal_ctx *ctx, env_reader *r, const char *path, seal_envelope *env)
{
    memset(r, 0, sizeof(*r));
    r->path = path;
    r->capmax = ELEMENT_MAX;
    if (!(r->cap = malloc(r->capmax)))
        return seal__fail(ctx, SEAL_ERR_NOMEM, "out of memory");
    r->f = fopen(path, "rb");
    if (!r->f)
        return seal__fail(ctx, SEAL_ERR_IO, "cannot read %s: %s", path, strerror(errno));
    setvbuf(r->f, NULL, _IOFBF, 1u << 16);
    if (fseeko(r->f, 0, SEEK_END) == 0) {
        env->file_size = ftello(r->f);
        fseeko(r->f, 0, SEEK_SET);
    }
    seal__ossl_clear();
    seal_status st = rd_header(ctx, r, env);
    ERR_clear_error();
    return st;
}

seal_status seal__env_chunk(seal_ctx *ctx, env_reader *r, unsigned char *buf, size_t cap,
                            size_t *got)
{
    int tag, indef;
    long long len;
    seal_status st;

    *got = 0;
    while (!r->done && r->left == 0) {
        if (!r->cons) {
            r->done = 1;
            break;
        }
        if (!r->indef && r->pos >= r->end) {
            if (r->pos != r->end)
                return damaged(ctx, r, "a length mismatch");
            r->done = 1;
            break;
        }
        if ((st = rd_hdr(ctx, r, &tag, &len, &indef)) != SEAL_OK)
            return st;
        if (r->indef && tag == 0 && len == 0 && !indef) {
            r->done = 1;
            break;
        }
        if (tag != 0x04)
            return damaged(ctx, r, "content that is not an OCTET STRING");
        r->left = len;
    }
    if (r->done)
        return SEAL_OK;
    size_t want = r->left < (long long)cap ? (size_t)r->left : cap;
    size_t n = fread(buf, 1, want, r->f);
    r->pos += (long long)n;
    r->left -= (long long)n;
    if (n < want) {
        if (ferror(r->f))
            return seal__fail(ctx, SEAL_ERR_IO, "cannot read %s: %s", r->path, strerror(errno));
        return damaged(ctx, r, "truncated");
    }
    *got = n;
    return SEAL_OK;
}

seal_status seal__env_finish(seal_ctx *ctx, env_reader *r, seal_envelope *env)
{
    int tag, indef;
    long long len;
    seal_status st;

    if ((st = rd_close(ctx, r)) != SEAL_OK) /* EncryptedContentInfo */
        return st;
    if (env->auth) {
        if ((st = rd_hdr(ctx, r, &tag, &len, &indef)) != SEAL_OK)
            return st;
        if (tag == 0xa1)
            return seal__fail(ctx, SEAL_ERR_UNSUPPORTED,
                              "%s: authenticated attributes in an AuthEnvelopedData are not "
                              "supported", r->path);
        if (tag != 0x04 || len != (long long)env->taglen)
            return damaged(ctx, r, "no authentication tag of the declared length");
        if (fread(env->tag, 1, (size_t)len, r->f) != (size_t)len)
            return damaged(ctx, r, "truncated");
        r->pos += len;
    }
    /* unprotected / unauthenticated attributes: read past them */
    if (r->open[r->depth - 1].indef || r->pos < r->open[r->depth - 1].end) {
        long long at = r->pos;
        if ((st = rd_hdr(ctx, r, &tag, &len, &indef)) != SEAL_OK)
            return st;
        if (tag == 0xa1 && !env->auth) { /* unprotectedAttrs: libseal's HMAC-SM3? */
            if ((st = rd_content(ctx, r, indef, len)) != SEAL_OK)
                return st;
            int found = seal__env_mac_attr(r->cap, r->caplen, env->mac);
            if (found < 0)
                return damaged(ctx, r, "a malformed unprotected attribute");
            env->has_mac = found && env->gm; /* only SM2 envelopes are checked by it */
        } else if (tag == 0xa2 && env->auth) {
            if ((st = rd_rest(ctx, r, indef, len, 0)) != SEAL_OK)
                return st;
        } else if (fseeko(r->f, at, SEEK_SET) == 0) {
            r->pos = at;
        }
    }
    for (int i = 0; i < 3; i++)
        if ((st = rd_close(ctx, r)) != SEAL_OK)
            return st;
    if (getc(r->f) != EOF)
        return damaged(ctx, r, "data after the envelope");
    return SEAL_OK;
}

void seal__env_close(env_reader *r)
{
    if (r->f)
        fclose(r->f);
    free(r->cap);
    memset(r, 0, sizeof(*r));
}

void seal__env_clear(seal_envelope *env)
{
    for (size_t i = 0; i < env->nrecips; i++) {
        env_recip *rc = &env->recips[i];
        X509_NAME_free(rc->issuer);
        ASN1_INTEGER_free(rc->serial);
        free(rc->issuer_s);
        free(rc->serial_s);
        free(rc->ski_s);
        free(rc->subject_s);
    }
    free(env->recips);
    free(env->ri);
    free(env->receipt_tsa);
    env->recips = NULL;
    env->nrecips = 0;
    env->ri = NULL;
    env->receipt_tsa = NULL;
}

