/*
 * SM2/SM3 (GB/T 32918, GM/T 0003) helpers for signing and verification:
 * the distinguishing ID, Z and e, signature value normalisation. Not
 * installed. OpenSSL 3.0 applies no default ID, so every SM2 operation of
 * libseal goes through these.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef SEAL_SM2INT_H
#define SEAL_SM2INT_H

#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

/* The distinguishing ID of every SM2 signature seen in the wild (ENTL 0x0080). */
#define SEAL_SM2_ID "1234567812345678"
#define SEAL_SM2_ID_LEN 16

/* 1 when pk is an SM2 key (EVP_PKEY_SM2, or an EC key on the SM2 curve
 * 1.2.156.10197.1.301). NULL: 0. */
int seal__sm2_is_key(EVP_PKEY *pk);

/* Z = SM3(ENTL || ID || a || b || xG || yG || xA || yA) with SEAL_SM2_ID
 * and pub's point (GM/T 0003.2 §5.5). 0 on failure. */
int seal__sm2_z(EVP_PKEY *pub, unsigned char z[32]);

/* e = SM3(Z || msg), Z per GM/T 0003.2 with SEAL_SM2_ID and pub's point.
 * 0 on failure. */
int seal__sm2_digest(EVP_PKEY *pub, const unsigned char *msg, size_t len, unsigned char e[32]);

/* A signature value as a token or file gives it — DER SEQUENCE{r,s}
 * (tolerant: non-minimal lengths and INTEGERs, missing sign octets;
 * trailing garbage refused) or raw 64-byte r||s — as strict DER
 * (malloc'd, free()). *raw (when raw is not NULL) is set to 1 when the
 * input was raw r||s, to 2 when it was DER but not strict DER, else 0.
 * 0 on failure. */
int seal__sm2_sig_to_der_ex(const unsigned char *in, size_t inlen, unsigned char **der,
                            size_t *derlen, int *raw);
int seal__sm2_sig_to_der(const unsigned char *in, size_t inlen, unsigned char **der, size_t *derlen);

/* 1 when der is a valid SM2 signature over the digest e for pub. */
int seal__sm2_verify_digest(EVP_PKEY *pub, const unsigned char e[32], const unsigned char *der,
                            size_t derlen);

/* 1 when der (any form seal__sm2_sig_to_der accepts) is a valid SM2
 * signature of msg (e computed with SEAL_SM2_ID) for pub. */
int seal__sm2_verify_msg(EVP_PKEY *pub, const unsigned char *msg, size_t len,
                         const unsigned char *sig, size_t siglen);

/* Sign the digest e with a software SM2 private key: strict DER r,s
 * (malloc'd, free()). 0 on failure (OpenSSL queue holds the reason). */
int seal__sm2_sign_digest(EVP_PKEY *priv, const unsigned char e[32], unsigned char **der,
                          size_t *derlen);

/* Set SEAL_SM2_ID as distinguishing ID on each certificate signed with
 * SM2 (SM2-with-SM3) in the stack / on one certificate, so that
 * X509_verify_cert checks every link of an SM2 chain with it. Others are
 * left alone (an ID on an RSA-signed certificate makes its check fail). */
void seal__sm2_set_ids(STACK_OF(X509) *certs);
void seal__sm2_set_id(X509 *cert);

/* SM2 encryption of a short message (a content key) to pub, as the GM/T
 * 0009 SM2Cipher DER SEQUENCE { x, y, hash, ciphertext } (malloc'd), and
 * its decryption with a software private key (malloc'd, cleanse before
 * free). 0 on failure (a damaged ciphertext, whose hash does not match). */
int seal__sm2_encrypt(EVP_PKEY *pub, const unsigned char *in, size_t inlen, unsigned char **der,
                      size_t *derlen);
int seal__sm2_decrypt(EVP_PKEY *priv, const unsigned char *der, size_t derlen, unsigned char **out,
                      size_t *outlen);
/* The parts of an SM2Cipher DER, for tokens that take another layout (raw
 * 04||x||y||C3||C2, GM/T 0016 ECCCIPHERBLOB): C1's coordinates
 * right-aligned, C3, and C2 pointing into der. 0 when malformed. */
typedef struct seal__sm2_cipher {
    unsigned char x[32], y[32], hash[32];
    const unsigned char *c2;
    size_t c2len;
} seal__sm2_cipher;
int seal__sm2_cipher_parts(const unsigned char *der, size_t len, seal__sm2_cipher *c);

/* ---- SM2 in CMS (sm2cms.c) ---- */
#include <openssl/cms.h>

/* Which algorithm identifiers mean SM2 with SM3 in a SignerInfo: SM2-with-SM3
 * 1.2.156.10197.1.501 (RFC 5652 practice), GM/T 0010's 1.2.156.10197.1.301.1
 * and the bare sm2 key OID 1.2.156.10197.1.301. */
int seal__sm2_sigalg(const X509_ALGOR *alg);
/* GM/T 0010 (GB/T 35275) content types 1.2.156.10197.6.1.4.2.1 (data) and
 * .2 (signedData). */
int seal__gm_oid_data(const ASN1_OBJECT *o);
int seal__gm_oid_signed(const ASN1_OBJECT *o);
/* GM/T 0010 envelopedData 1.2.156.10197.6.1.4.2.3; SM2 encryption
 * (sm2-3) 1.2.156.10197.1.301.3. */
int seal__gm_oid_enveloped(const ASN1_OBJECT *o);
int seal__sm2_oid_encrypt(const ASN1_OBJECT *o);

/* A CMS ContentInfo from DER, also when its contentType is GM/T 0010
 * signedData (re-wrapped under id-signedData so OpenSSL parses the same
 * SignedData bytes; *gm set to 1). *used: bytes of der the ContentInfo
 * took. NULL when it does not parse. */
CMS_ContentInfo *seal__cms_parse_any(const unsigned char *der, size_t len, size_t *used, int *gm);

/* The signed attributes of the first SignerInfo exactly as received in a
 * ContentInfo's DER, with their [0] IMPLICIT tag made the SET OF tag they
 * are signed with (RFC 5652 §5.4) — never a re-encoding. malloc'd; 0 when
 * the bytes cannot be walked (indefinite lengths) or carry none. */
int seal__cms_raw_signed_attrs(const unsigned char *der, size_t len, unsigned char **out,
                               size_t *outlen);

/* Verify an SM2 SignerInfo with cert's key: the value (DER, sloppy DER or
 * raw r||s; *form as seal__sm2_sig_to_der_ex reports) over e = SM3(Z ||
 * signed attributes as received in der), or over the re-encoded
 * attributes when der is NULL or cannot be walked. 1 when it verifies. */
int seal__sm2_cms_verify(CMS_SignerInfo *si, X509 *cert, const unsigned char *der, size_t len,
                         int *form);

/* An X.509-style SIGNED structure — SEQUENCE { tbs, AlgorithmIdentifier,
 * BIT STRING } as a certificate, CRL or BasicOCSPResponse is — whose
 * signature is SM2 by issuer (its key), checked over the tbs bytes as
 * they are in der. 1 when it verifies. */
int seal__sm2_verify_signed(EVP_PKEY *issuer, const unsigned char *der, size_t len);
/* A CRL's / an OCSP response's signature by an SM2 key (OpenSSL 3.0 has
 * no way to give their checks the ID). */
int seal__sm2_crl_verify(X509_CRL *crl, EVP_PKEY *issuer);
#include <openssl/ocsp.h>
int seal__sm2_ocsp_verify(OCSP_BASICRESP *bs, EVP_PKEY *signer);
/* The signature of a SignerInfo (time-stamp tokens: eContent digest and
 * value) when cert's key is SM2: messageDigest equals the digest of the
 * encapsulated content, and the value verifies over the signed attributes
 * as received in der. */
int seal__sm2_cms_verify_content(CMS_ContentInfo *cms, CMS_SignerInfo *si, X509 *cert,
                                 const unsigned char *der, size_t len);

#endif /* SEAL_SM2INT_H */
