#!/usr/bin/env python3
# An independent reader of GB/T 38540-2020 electronic seals (SES_Seal v4)
# and electronic signatures with a seal (SES_Signature v4), written from the
# standard's ASN.1 (§6.1 and §7.1, as transcribed in the shared design
# notes, gm.md §2.2), not from libseal's C: pyasn1 for the DER,
# python3-cryptography for RSA/ECDSA, Botan for SM2-with-SM3.
# SPDX-License-Identifier: AGPL-3.0-or-later
#
#   esealcheck.py SEAL.esl [--signer CERT.pem]
#   esealcheck.py SIGNED.pdf [--signer CERT.pem]
#
# A seal: prints JSON, the seal's fields, "maker_signature": "valid" |
# "invalid" (checked over the SES_SealInfo bytes as received), and with
# --signer whether that certificate is in the seal's list (certListType 1:
# the certificate itself; 2: its digest). Exit 0 when the maker's
# signature verifies, 1 when not.
#
# A PDF: a JSON list, one entry per /SealESeal stream (as for a seal) and
# one per signature whose /Contents (found through its /ByteRange's gap)
# is an SES_Signature: {"kind": "ses", its fields, "signer_signature"
# valid|invalid over TBS_Sign as received, "data_hash_matches" (SM3 of the
# ByteRange bytes), "eseal": the embedded seal as above, listed against the
# SES signer's certificate}. Exit 0 when every signature and seal verifies
# and every dataHash matches.
import argparse
import hashlib
import json
import re
import sys
import zlib

from pyasn1.codec.der import decoder, encoder
from pyasn1.type import char, namedtype, tag, univ, useful


class SESHeader(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("ID", char.IA5String()),
        namedtype.NamedType("version", univ.Integer()),
        namedtype.NamedType("Vid", char.IA5String()))


class CertDigestObj(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("type", char.PrintableString()),
        namedtype.NamedType("value", univ.OctetString()))


class CertInfoList(univ.SequenceOf):
    componentType = univ.OctetString()


class CertDigestList(univ.SequenceOf):
    componentType = CertDigestObj()


class SESESPropertyInfo(univ.Sequence):
    # certList is an untagged CHOICE of two SEQUENCE OFs, told apart by
    # certListType: read as ANY, decoded by the type afterwards.
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("type", univ.Integer()),
        namedtype.NamedType("name", char.UTF8String()),
        namedtype.NamedType("certListType", univ.Integer()),
        namedtype.NamedType("certList", univ.Any()),
        namedtype.NamedType("createDate", useful.GeneralizedTime()),
        namedtype.NamedType("validStart", useful.GeneralizedTime()),
        namedtype.NamedType("validEnd", useful.GeneralizedTime()))


class SESESPictrueInfo(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("type", char.IA5String()),
        namedtype.NamedType("data", univ.OctetString()),
        namedtype.NamedType("width", univ.Integer()),
        namedtype.NamedType("height", univ.Integer()))


class ExtData(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("extnID", univ.ObjectIdentifier()),
        namedtype.DefaultedNamedType("critical", univ.Boolean(False)),
        namedtype.NamedType("extnValue", univ.OctetString()))


class ExtensionDatas(univ.SequenceOf):
    componentType = ExtData()


class SESSealInfo(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("header", SESHeader()),
        namedtype.NamedType("esID", char.IA5String()),
        namedtype.NamedType("property", SESESPropertyInfo()),
        namedtype.NamedType("picture", SESESPictrueInfo()),
        namedtype.OptionalNamedType("extDatas", ExtensionDatas()))


class SESeal(univ.Sequence):
    # eSealInfo as ANY: the maker signed these bytes as they are.
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("eSealInfo", univ.Any()),
        namedtype.NamedType("cert", univ.OctetString()),
        namedtype.NamedType("signAlgID", univ.ObjectIdentifier()),
        namedtype.NamedType("signedValue", univ.BitString()))


class TBSSign(univ.Sequence):
    # GB/T 38540 §7.1; eseal as ANY: read by check() from its own bytes.
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("version", univ.Integer()),
        namedtype.NamedType("eseal", univ.Any()),
        namedtype.NamedType("timeInfo", useful.GeneralizedTime()),
        namedtype.NamedType("dataHash", univ.BitString()),
        namedtype.NamedType("propertyInfo", char.IA5String()),
        namedtype.OptionalNamedType("extDatas", ExtensionDatas().subtype(
            explicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 0))))


class SESSignature(univ.Sequence):
    # toSign as ANY: the signer signed these bytes as they are. The [0]
    # timeStamp is EXPLICIT, as written in practice (gm.md §2.2).
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("toSign", univ.Any()),
        namedtype.NamedType("cert", univ.OctetString()),
        namedtype.NamedType("signatureAlgID", univ.ObjectIdentifier()),
        namedtype.NamedType("signature", univ.BitString()),
        namedtype.OptionalNamedType("timeStamp", univ.BitString().subtype(
            explicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0))))


SM2_SM3 = "1.2.156.10197.1.501"
SM2_ID = b"1234567812345678"


def gentime(t):
    s = str(t)
    return "%s-%s-%sT%s:%s:%sZ" % (s[0:4], s[4:6], s[6:8], s[8:10], s[10:12], s[12:14])


def sm3(data):
    try:
        return hashlib.new("sm3", data).digest()
    except ValueError:
        from cryptography.hazmat.primitives import hashes
        h = hashes.Hash(hashes.SM3())
        h.update(data)
        return h.finalize()


def verify(alg, cert_der, msg, sig):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding
    try:
        if alg == SM2_SM3:
            # cryptography knows no SM2 curve: the point from the SPKI.
            import botan2
            point = sm2_point(cert_der)
            key = botan2.PublicKey.load_sm2("sm2p256v1", int.from_bytes(point[1:33], "big"),
                                            int.from_bytes(point[33:65], "big"))
            v = botan2.PKVerify(key, "%s,SM3" % SM2_ID.decode(), der=True)
            v.update(msg)
            return v.check_signature(sig)
        pub = x509.load_der_x509_certificate(cert_der).public_key()
        if alg == "1.2.840.113549.1.1.11":
            pub.verify(sig, msg, padding.PKCS1v15(), hashes.SHA256())
        elif alg == "1.2.840.10045.4.3.2":
            pub.verify(sig, msg, ec.ECDSA(hashes.SHA256()))
        else:
            sys.exit("unsupported maker signature algorithm " + alg)
        return True
    except Exception:  # InvalidSignature, malformed values
        return False


def sm2_point(cert_der):
    """The uncompressed public point of a certificate (RFC 5280 SPKI)."""
    cert, _ = decoder.decode(cert_der)
    tbs = cert[0]
    spki = tbs[6] if tbs[0].tagSet != univ.Integer.tagSet else tbs[5]
    point = spki[1].asOctets()
    if len(point) != 65 or point[0] != 4:
        raise ValueError("not an uncompressed EC point")
    return point


def subject(der):
    from cryptography import x509
    return x509.load_der_x509_certificate(der).subject.rfc4514_string()


def check(der, signer_der=None):
    seal, rest = decoder.decode(der, asn1Spec=SESeal())
    if rest:
        raise ValueError("trailing bytes after SES_Seal")
    info_der = bytes(seal["eSealInfo"])
    info, rest = decoder.decode(info_der, asn1Spec=SESSealInfo())
    if rest:
        raise ValueError("trailing bytes after SES_SealInfo")
    prop, pic = info["property"], info["picture"]
    list_type = int(prop["certListType"])
    raw_list = bytes(prop["certList"])
    if list_type == 1:
        certs, _ = decoder.decode(raw_list, asn1Spec=CertInfoList())
        holders = [bytes(c) for c in certs]
        shown = [subject(h) for h in holders]
    else:
        digests, _ = decoder.decode(raw_list, asn1Spec=CertDigestList())
        holders = [(str(d["type"]), bytes(d["value"])) for d in digests]
        shown = ["%s:%s" % (t, v.hex().upper()) for t, v in holders]
    bits = seal["signedValue"].asOctets()
    maker = bytes(seal["cert"])
    out = {
        "version": int(info["header"]["version"]),
        "id": str(info["header"]["ID"]),
        "vid": str(info["header"]["Vid"]),
        "esid": str(info["esID"]),
        "type": int(prop["type"]),
        "name": bytes(prop["name"]).decode("utf-8") if isinstance(prop["name"], univ.OctetString) else str(prop["name"]),
        "cert_list_type": list_type,
        "holders": shown,
        "created": gentime(prop["createDate"]),
        "valid_from": gentime(prop["validStart"]),
        "valid_to": gentime(prop["validEnd"]),
        "picture": {"type": str(pic["type"]), "bytes": len(bytes(pic["data"])),
                    "width_mm": int(pic["width"]), "height_mm": int(pic["height"]),
                    "sha256": hashlib.sha256(bytes(pic["data"])).hexdigest()},
        "maker": subject(maker),
        "signature_algorithm": str(seal["signAlgID"]),
        "maker_signature": "valid" if verify(str(seal["signAlgID"]), maker, info_der, bits) else "invalid",
        "reencodes_identically": encoder.encode(info) == info_der,
    }
    if signer_der is not None:
        if list_type == 1:
            out["signer_listed"] = signer_der in holders
        else:
            out["signer_listed"] = any(t.upper() == "SM3" and v == sm3(signer_der) for t, v in holders)
    return out


def seals_in_pdf(data):
    """The /SealESeal streams of a PDF (uncompressed or FlateDecode), by regex."""
    found = []
    for m in re.finditer(rb"/SealESeal\s+(\d+)\s+0\s+R", data):
        num = m.group(1)
        objs = list(re.finditer(rb"(?<![0-9])" + num + rb"\s+0\s+obj\s*<<(.*?)>>\s*stream\r?\n", data, re.S))
        o = objs[-1]
        length = int(re.search(rb"/Length\s+(\d+)", o.group(1)).group(1))
        body = data[o.end():o.end() + length]
        found.append(zlib.decompress(body) if b"FlateDecode" in o.group(1) else body)
    return found


def check_ses(der, signed_bytes, signer_der=None):
    """An SES_Signature: its signer's signature over TBS_Sign as received,
    dataHash against SM3 of the bytes it protects, and the seal inside."""
    sig, rest = decoder.decode(der, asn1Spec=SESSignature())
    if rest:
        raise ValueError("trailing bytes after SES_Signature")
    tbs_der = bytes(sig["toSign"])
    tbs, rest = decoder.decode(tbs_der, asn1Spec=TBSSign())
    if rest:
        raise ValueError("trailing bytes after TBS_Sign")
    cert, alg = bytes(sig["cert"]), str(sig["signatureAlgID"])
    data_hash = tbs["dataHash"].asOctets()
    seal = check(bytes(tbs["eseal"]), cert)
    return {
        "kind": "ses",
        "version": int(tbs["version"]),
        "time": gentime(tbs["timeInfo"]),
        "property": str(tbs["propertyInfo"]),
        "data_hash": data_hash.hex().upper(),
        "data_hash_matches": data_hash == sm3(signed_bytes),
        "signer": subject(cert),
        "signer_is": None if signer_der is None else cert == signer_der,
        "signature_algorithm": alg,
        "signer_signature": "valid" if verify(alg, cert, tbs_der, sig["signature"].asOctets()) else "invalid",
        "timestamp": sig["timeStamp"].isValue,
        "eseal": seal,
    }


def ses_in_pdf(data):
    """(SES_Signature DER, the bytes its ByteRange covers) for each signature
    whose /Contents gap holds one; CMS values are left alone."""
    found = []
    for m in re.finditer(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data):
        a, b, c, d = (int(x) for x in m.groups())
        gap = data[a + b:c].strip()
        if not (gap.startswith(b"<") and gap.endswith(b">")):
            continue
        value = bytes.fromhex(gap[1:-1].decode()).rstrip(b"\0")
        # A ContentInfo starts with its OID; an SES_Signature with TBS_Sign.
        try:
            outer, _ = decoder.decode(value)
        except Exception:
            continue
        if len(outer) and isinstance(outer[0], univ.Sequence):
            found.append((value, data[a:a + b] + data[c:c + d]))
    return found


def main():
    p = argparse.ArgumentParser()
    p.add_argument("seal")
    p.add_argument("--signer")
    a = p.parse_args()
    data = open(a.seal, "rb").read()
    signer = None
    if a.signer:
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization
        signer = x509.load_pem_x509_certificate(open(a.signer, "rb").read()).public_bytes(
            serialization.Encoding.DER)
    pdf = data.startswith(b"%PDF")
    seals = seals_in_pdf(data) if pdf else [data]
    results = [check(s, signer) for s in seals]
    if pdf:
        results += [check_ses(v, signed, signer) for v, signed in ses_in_pdf(data)]
    print(json.dumps(results if pdf else results[0], ensure_ascii=False, indent=1))
    ok = all(r["maker_signature"] == "valid" if r.get("kind") != "ses" else
             r["signer_signature"] == "valid" and r["data_hash_matches"] and r["eseal"]["maker_signature"] == "valid"
             for r in results)
    sys.exit(0 if results and ok else 1)


if __name__ == "__main__":
    main()
