/*
 * Certificates as libseal describes and checks them: names on one line,
 * the texts a listing or message shows, key usage and its class, whether a
 * certificate may sign now, and a set of certificates without duplicates.
 * Below the key modules (key.c, token.c), the chain walk and CMS.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "keyint.h"
#include "sm2int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#define EXPIRY_WARN_DAYS 30

char *seal__name_line(const X509_NAME *name)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *s = NULL, *data;
    long len;

    if (!b)
        return NULL;
    if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
        len = BIO_get_mem_data(b, &data);
        s = malloc((size_t)len + 1);
        if (s) {
            memcpy(s, data, (size_t)len);
            s[len] = 0;
        }
    }
    BIO_free(b);
    return s;
}

static char *common_name(X509 *cert)
{
    const X509_NAME *subj = X509_get_subject_name(cert);
    int i = X509_NAME_get_index_by_NID(subj, NID_commonName, -1);
    unsigned char *utf8 = NULL;
    char *s;
    int n;

    if (i < 0)
        return seal__name_line(subj);
    n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, i)));
    if (n < 0)
        return seal__name_line(subj);
    s = malloc((size_t)n + 1);
    if (s) {
        memcpy(s, utf8, (size_t)n);
        s[n] = 0;
    }
    OPENSSL_free(utf8);
    return s;
}

static char *key_type(X509 *cert)
{
    EVP_PKEY *pk = X509_get0_pubkey(cert);
    char buf[64];

    if (!pk)
        return strdup("unknown");
    /* an SM2 certificate's key (id-ecPublicKey on the SM2 curve) has no
     * legacy type id in OpenSSL 3.0 */
    if (seal__sm2_is_key(pk))
        return strdup("SM2");
    switch (EVP_PKEY_get_base_id(pk)) {
    case EVP_PKEY_RSA:
        snprintf(buf, sizeof(buf), "RSA-%d", EVP_PKEY_get_bits(pk));
        break;
    case EVP_PKEY_EC: {
        char group[48] = "";
        size_t glen = 0;
        EVP_PKEY_get_utf8_string_param(pk, "group", group, sizeof(group), &glen);
        snprintf(buf, sizeof(buf), "EC-%s", group[0] ? group : "unknown");
        break;
    }
    case EVP_PKEY_SM2:
        snprintf(buf, sizeof(buf), "SM2");
        break;
    default:
        snprintf(buf, sizeof(buf), "%s", OBJ_nid2sn(EVP_PKEY_get_base_id(pk)));
    }
    return strdup(buf);
}

void seal__cert_text_fill(seal__cert_text *t, X509 *cert)
{
    memset(t, 0, sizeof(*t));
    t->subject = seal__name_line(X509_get_subject_name(cert));
    t->issuer = seal__name_line(X509_get_issuer_name(cert));
    t->cn = common_name(cert);
    t->key_type = key_type(cert);
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
    if (bn) {
        char *hex = BN_bn2hex(bn);
        if (hex) {
            t->serial = strdup(hex);
            OPENSSL_free(hex);
        }
        BN_free(bn);
    }
    ERR_clear_error();
}

void seal__cert_text_free(seal__cert_text *t)
{
    free(t->subject);
    free(t->issuer);
    free(t->cn);
    free(t->serial);
    free(t->key_type);
    free(t->label);
    free(t->id);
    free(t->uri);
    memset(t, 0, sizeof(*t));
}

const char *seal__ku_class(unsigned ku)
{
    int sign = (ku & SEAL_KU_ABSENT) || (ku & (SEAL_KU_DIGITAL_SIGNATURE | SEAL_KU_NON_REPUDIATION));
    int enc = (ku & SEAL_KU_ABSENT) ||
              (ku & (SEAL_KU_KEY_ENCIPHERMENT | SEAL_KU_DATA_ENCIPHERMENT | SEAL_KU_KEY_AGREEMENT));
    return sign && enc ? "both" : sign ? "sign" : enc ? "encrypt" : "none";
}

unsigned seal__cert_key_usage(X509 *cert)
{
    uint32_t ku = X509_get_key_usage(cert);
    unsigned out = 0;

    if (ku == UINT32_MAX)
        return SEAL_KU_ABSENT;
    if (ku & KU_DIGITAL_SIGNATURE) out |= SEAL_KU_DIGITAL_SIGNATURE;
    if (ku & KU_NON_REPUDIATION) out |= SEAL_KU_NON_REPUDIATION;
    if (ku & KU_KEY_ENCIPHERMENT) out |= SEAL_KU_KEY_ENCIPHERMENT;
    if (ku & KU_DATA_ENCIPHERMENT) out |= SEAL_KU_DATA_ENCIPHERMENT;
    if (ku & KU_KEY_AGREEMENT) out |= SEAL_KU_KEY_AGREEMENT;
    if (ku & KU_KEY_CERT_SIGN) out |= SEAL_KU_KEY_CERT_SIGN;
    if (ku & KU_CRL_SIGN) out |= SEAL_KU_CRL_SIGN;
    return out;
}

void seal__cert_info(seal_cert_info *out, const seal__cert_text *t, X509 *cert)
{
    long long now = (long long)time(NULL);
    out->subject = t->subject ? t->subject : "";
    out->issuer = t->issuer ? t->issuer : "";
    out->common_name = t->cn ? t->cn : "";
    out->serial = t->serial ? t->serial : "";
    out->key_type = t->key_type ? t->key_type : "";
    out->not_before = seal__asn1_time(X509_get0_notBefore(cert));
    out->not_after = seal__asn1_time(X509_get0_notAfter(cert));
    out->days_left = (out->not_after - now) / 86400;
    out->key_usage = seal__cert_key_usage(cert);
    out->object_label = t->label;
    out->object_id = t->id;
    out->key_uri = t->uri;
}

seal_status seal__key_check_cert(seal_ctx *ctx, X509 *cert, const char *what)
{
    unsigned ku = seal__cert_key_usage(cert);
    long long now = (long long)time(NULL);
    long long nb = seal__asn1_time(X509_get0_notBefore(cert));
    long long na = seal__asn1_time(X509_get0_notAfter(cert));
    char *cn = common_name(cert);
    seal_status st = SEAL_OK;
    char when[32];

    if (!(ku & SEAL_KU_ABSENT) && !(ku & (SEAL_KU_DIGITAL_SIGNATURE | SEAL_KU_NON_REPUDIATION))) {
        st = seal__fail(ctx, SEAL_ERR_CERT,
                        "the certificate of %s (%s) is for encryption only (no digitalSignature or "
                        "nonRepudiation key usage)",
                        what, cn ? cn : "?");
    } else if (na < now) {
        seal__iso_date(na, when, sizeof(when));
        st = seal__fail(ctx, SEAL_ERR_CERT, "the certificate of %s (%s) expired on %s", what,
                        cn ? cn : "?", when);
    } else if (nb > now) {
        seal__iso_date(nb, when, sizeof(when));
        st = seal__fail(ctx, SEAL_ERR_CERT, "the certificate of %s (%s) is not valid before %s",
                        what, cn ? cn : "?", when);
    } else if (na - now < (long long)EXPIRY_WARN_DAYS * 86400) {
        seal__iso_date(na, when, sizeof(when));
        seal__warn(ctx, "the certificate of %s (%s) expires on %s, in %lld days; renew it before "
                        "sealing bids that are opened later",
                   what, cn ? cn : "?", when, (na - now) / 86400);
    }
    free(cn);
    return st;
}

void seal__certs_add_unique(STACK_OF(X509) *certs, X509 *x)
{
    for (int i = 0; i < sk_X509_num(certs); i++)
        if (X509_cmp(sk_X509_value(certs, i), x) == 0)
            return;
    if (X509_up_ref(x) && !sk_X509_push(certs, x))
        X509_free(x);
}
