#!/usr/bin/python3
"""An independent GM/T 0010 (GB/T 35275) envelope implementation for the
sealed-bid tests on SM2 certificates, written from the standard's ASN.1
(PKCS#7 EnvelopedData with the SM OIDs; RFC 5652's unprotectedAttrs) and
docs/sealed-bids.md's HMAC-SM3 attribute — nothing from libseal's C:
pyasn1 for the BER/DER, Botan (python3-botan) for SM2 encryption and
decryption (GM/T 0009 SM2Cipher), python3-cryptography for SM4-CBC and
HMAC-SM3.

  envsm2check.py decrypt ENVELOPE KEY.pem OUT   prints what it found, exit 0
                                                when the key opens it and the
                                                HMAC (if any) verifies
  envsm2check.py encrypt IN OUT CERT.pem... [--no-mac]
Run with Debian's python3 (botan2 is installed there).
SPDX-License-Identifier: AGPL-3.0-or-later
"""
import hmac as pyhmac
import os
import sys

import botan2
from cryptography.hazmat.primitives import hashes, hmac, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from pyasn1.codec.ber import decoder as ber_decoder
from pyasn1.codec.der import decoder as der_decoder
from pyasn1.codec.der import encoder
from pyasn1.type import namedtype, tag, univ

GM_ENVELOPED = univ.ObjectIdentifier("1.2.156.10197.6.1.4.2.3")
GM_DATA = univ.ObjectIdentifier("1.2.156.10197.6.1.4.2.1")
SM2_ENCRYPT = univ.ObjectIdentifier("1.2.156.10197.1.301.3")
SM4_CBC = univ.ObjectIdentifier("1.2.156.10197.1.104.2")
MAC_ATTR = univ.ObjectIdentifier("2.25.11176298465704925991319723088672629687")
MAC_LABEL = b"libseal SM4-CBC envelope MAC key"


def ctx_tag(n, constructed=True):
    return tag.Tag(tag.tagClassContext,
                   tag.tagFormatConstructed if constructed else tag.tagFormatSimple, n)


class AlgorithmIdentifier(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("algorithm", univ.ObjectIdentifier()),
        namedtype.OptionalNamedType("parameters", univ.Any()))


class IssuerAndSerialNumber(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("issuer", univ.Any()),  # a Name, kept as its bytes
        namedtype.NamedType("serialNumber", univ.Integer()))


class KeyTransRecipientInfo(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("version", univ.Integer()),
        namedtype.NamedType("issuerAndSerialNumber", IssuerAndSerialNumber()),
        namedtype.NamedType("keyEncryptionAlgorithm", AlgorithmIdentifier()),
        namedtype.NamedType("encryptedKey", univ.OctetString()))


class RecipientInfos(univ.SetOf):
    componentType = KeyTransRecipientInfo()


class EncryptedContentInfo(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("contentType", univ.ObjectIdentifier()),
        namedtype.NamedType("contentEncryptionAlgorithm", AlgorithmIdentifier()),
        namedtype.OptionalNamedType("encryptedContent", univ.OctetString().subtype(
            implicitTag=ctx_tag(0, False))))


class Attribute(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("attrType", univ.ObjectIdentifier()),
        namedtype.NamedType("attrValues", univ.SetOf(componentType=univ.Any())))


class UnprotectedAttributes(univ.SetOf):
    componentType = Attribute()


class EnvelopedData(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("version", univ.Integer()),
        namedtype.NamedType("recipientInfos", RecipientInfos()),
        namedtype.NamedType("encryptedContentInfo", EncryptedContentInfo()),
        namedtype.OptionalNamedType("unprotectedAttrs", UnprotectedAttributes().subtype(
            implicitTag=ctx_tag(1))))


class ContentInfo(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("contentType", univ.ObjectIdentifier()),
        namedtype.NamedType("content", EnvelopedData().subtype(explicitTag=ctx_tag(0))))


class SubjectPublicKeyInfo(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("algorithm", AlgorithmIdentifier()),
        namedtype.NamedType("subjectPublicKey", univ.BitString()))


class TBSCertificate(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType("version", univ.Integer().subtype(explicitTag=ctx_tag(0))),
        namedtype.NamedType("serialNumber", univ.Integer()),
        namedtype.NamedType("signature", AlgorithmIdentifier()),
        namedtype.NamedType("issuer", univ.Any()),
        namedtype.NamedType("validity", univ.Any()),
        namedtype.NamedType("subject", univ.Any()),
        namedtype.NamedType("subjectPublicKeyInfo", SubjectPublicKeyInfo()),
        namedtype.OptionalNamedType("extensions", univ.Any().subtype(explicitTag=ctx_tag(3))))


class Certificate(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("tbsCertificate", TBSCertificate()),
        namedtype.NamedType("signatureAlgorithm", AlgorithmIdentifier()),
        namedtype.NamedType("signature", univ.BitString()))


def pem_blocks(path, kind):
    import base64
    text = open(path).read()
    out, inside = [], None
    for line in text.splitlines():
        if line.startswith("-----BEGIN %s" % kind):
            inside = []
        elif line.startswith("-----END %s" % kind) and inside is not None:
            out.append(base64.b64decode("".join(inside)))
            inside = None
        elif inside is not None:
            inside.append(line.strip())
    return out


def content_octets(der):
    n = der[1]
    if n < 0x80:
        return der[2:2 + n]
    k = n & 0x7F
    return der[2 + k:2 + k + int.from_bytes(der[2:2 + k], "big")]


def sm3_hmac(key, *parts):
    h = hmac.HMAC(key, hashes.SM3())
    for p in parts:
        h.update(p)
    return h.finalize()


def mac_of(cek, ri_bytes, algid_bytes, ciphertext):
    return sm3_hmac(sm3_hmac(cek, MAC_LABEL), ri_bytes, algid_bytes, ciphertext)


def sm4_cbc(key, iv, data, enc):
    c = Cipher(algorithms.SM4(key), modes.CBC(iv))
    if enc:
        p = padding.PKCS7(128).padder()
        e = c.encryptor()
        return e.update(p.update(data) + p.finalize()) + e.finalize()
    d = c.decryptor()
    u = padding.PKCS7(128).unpadder()
    return u.update(d.update(data) + d.finalize()) + u.finalize()


def decrypt(path, key_path, out):
    ci, rest = ber_decoder.decode(open(path, "rb").read(), asn1Spec=ContentInfo())
    if rest:
        sys.exit("envsm2check: data after the envelope")
    if ci["contentType"] != GM_ENVELOPED:
        sys.exit("envsm2check: not a GM/T 0010 envelopedData: %s" % ci["contentType"])
    ed = ci["content"]
    eci = ed["encryptedContentInfo"]
    alg = eci["contentEncryptionAlgorithm"]
    if alg["algorithm"] != SM4_CBC:
        sys.exit("envsm2check: content algorithm %s, not SM4-CBC" % alg["algorithm"])
    iv = bytes(der_decoder.decode(bytes(alg["parameters"]), asn1Spec=univ.OctetString())[0])
    print("content type %s, version %d, %s, %d recipients" % (
        eci["contentType"], int(ed["version"]), "SM4-CBC", len(ed["recipientInfos"])))
    pem_key = open(key_path).read()
    sk = botan2.PrivateKey.load(pem_key)
    sk = botan2.PrivateKey.load_sm2("sm2p256v1", sk.get_field("x"))
    cek = None
    for ri in ed["recipientInfos"]:
        if ri["keyEncryptionAlgorithm"]["algorithm"] != SM2_ENCRYPT:
            continue
        try:
            cek = botan2.PKDecrypt(sk, "SM3").decrypt(bytes(ri["encryptedKey"]))
            print("recipient serial %X: content key decrypted by Botan (%d bytes)" % (
                int(ri["issuerAndSerialNumber"]["serialNumber"]), len(cek)))
            break
        except botan2.BotanException:
            continue
    if cek is None:
        sys.exit("envsm2check: no recipient this key opens")
    ciphertext = bytes(eci["encryptedContent"])
    ri_bytes = b"".join(encoder.encode(r) for r in ed["recipientInfos"])
    want = None
    if ed["unprotectedAttrs"].isValue:
        for a in ed["unprotectedAttrs"]:
            if a["attrType"] == MAC_ATTR:
                want = bytes(der_decoder.decode(bytes(a["attrValues"][0]),
                                                asn1Spec=univ.OctetString())[0])
    if want is not None:
        got = mac_of(cek, ri_bytes, encoder.encode(alg), ciphertext)
        if not pyhmac.compare_digest(got, want):
            sys.exit("envsm2check: the HMAC-SM3 does not verify")
        print("HMAC-SM3 verified")
    else:
        print("no HMAC-SM3 attribute")
    plain = sm4_cbc(cek, iv, ciphertext, False)
    open(out, "wb").write(plain)
    print("%d bytes decrypted with SM4-CBC" % len(plain))


def recipient(cert_der, cek):
    cert = der_decoder.decode(cert_der, asn1Spec=Certificate())[0]
    tbs = cert["tbsCertificate"]
    point = tbs["subjectPublicKeyInfo"]["subjectPublicKey"].asOctets()
    if len(point) != 65 or point[0] != 4:
        sys.exit("envsm2check: not an uncompressed SM2 point")
    pub = botan2.PublicKey.load_sm2("sm2p256v1", int.from_bytes(point[1:33], "big"),
                                    int.from_bytes(point[33:], "big"))
    ek = botan2.PKEncrypt(pub, "SM3").encrypt(cek, botan2.RandomNumberGenerator())
    ri = KeyTransRecipientInfo()
    ri["version"] = 0
    ri["issuerAndSerialNumber"]["issuer"] = tbs["issuer"]
    ri["issuerAndSerialNumber"]["serialNumber"] = tbs["serialNumber"]
    ri["keyEncryptionAlgorithm"]["algorithm"] = SM2_ENCRYPT
    ri["encryptedKey"] = ek
    return ri


def encrypt(inp, out, certs, with_mac):
    cek, iv = os.urandom(16), os.urandom(16)
    ed = EnvelopedData().subtype(explicitTag=ctx_tag(0))
    ed["version"] = 2 if with_mac else 0
    for i, path in enumerate(certs):
        ed["recipientInfos"][i] = recipient(pem_blocks(path, "CERTIFICATE")[0], cek)
    eci = ed["encryptedContentInfo"]
    eci["contentType"] = GM_DATA
    eci["contentEncryptionAlgorithm"]["algorithm"] = SM4_CBC
    eci["contentEncryptionAlgorithm"]["parameters"] = encoder.encode(univ.OctetString(iv))
    ciphertext = sm4_cbc(cek, iv, open(inp, "rb").read(), True)
    eci["encryptedContent"] = ciphertext
    if with_mac:
        # the SET OF's content as the DER encoder writes it (sorted)
        ri_bytes = content_octets(encoder.encode(ed["recipientInfos"]))
        mac = mac_of(cek, ri_bytes, encoder.encode(eci["contentEncryptionAlgorithm"]), ciphertext)
        a = Attribute()
        a["attrType"] = MAC_ATTR
        a["attrValues"][0] = encoder.encode(univ.OctetString(mac))
        ed["unprotectedAttrs"][0] = a
    ci = ContentInfo()
    ci["contentType"] = GM_ENVELOPED
    ci["content"] = ed
    open(out, "wb").write(encoder.encode(ci))


def main(argv):
    if len(argv) == 4 and argv[0] == "decrypt":
        decrypt(argv[1], argv[2], argv[3])
    elif len(argv) >= 4 and argv[0] == "encrypt":
        certs = [a for a in argv[3:] if a != "--no-mac"]
        encrypt(argv[1], argv[2], certs, "--no-mac" not in argv[3:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
