#!/usr/bin/env python3
# An OFD package (GB/T 33190) of two text pages, signed with a GB/T 38540
# SES_Signature v4 — written from the standards' structure (the package
# layout, Signatures.xml / Signature.xml with References and their SM3
# CheckValues, dataHash = SM3 of the Signature.xml bytes, propertyInfo its
# path; TBS_Sign and SES_Signature from GB/T 38540 §7.1 as transcribed in
# the team's notes, gm.md §2.2), not from libseal's C: pyasn1 for the DER,
# Botan (python3-botan) for SM2-with-SM3 with the ID 1234567812345678.
# SPDX-License-Identifier: AGPL-3.0-or-later
#
#   mkofd.py OUT.ofd --key SM2.key --cert SM2.pem --seal SEAL.esl [--variant V]
#            [--second-key K --second-cert C --second-seal S]
#   (--variant V1,V2,... with "%s" in OUT: one package per variant)
#   (--seal cms, or --second-seal cms: a Type="Sign" signature instead, a
#    detached CMS SignedData by an RSA or EC key, SHA-256)
#
# With --second-*, a second signature is added afterwards as ofdrw's
# "continue signing" does (Signatures.xml unprotected). Variants, each an
# attack or a fault made after (or while) signing:
#   changed    page 1's content changed after signing
#   added      an annotation file added after signing
#   noref      the signature leaves page 2's content out of its References
#   dup        a second zip entry for page 1's content, added after signing
#   case       a look-alike name (pages/ for Pages/) added after signing
#   cdlocal    a local header naming another file than the central directory
#   datahash   dataHash over other bytes than the Signature.xml
#   property   propertyInfo naming another Signature.xml
#   value      the signature value corrupted
#   removed    a covered file (the public resources) removed after signing
#   junk       a SignedValue that is no SES_Signature
import argparse
import base64
import datetime
import hashlib
import io
import sys
import zipfile

import botan2
from pyasn1.codec.der import decoder, encoder
from pyasn1.type import char, namedtype, tag, univ, useful

NS = "http://www.ofdspec.org/2016"
SM2_SM3 = "1.2.156.10197.1.501"
SM3_OID = "1.2.156.10197.1.401"
ID = "1234567812345678"


class TBSSign(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("version", univ.Integer()),
        namedtype.NamedType("eseal", univ.Any()),          # SESeal, DER as issued
        namedtype.NamedType("timeInfo", useful.GeneralizedTime()),
        namedtype.NamedType("dataHash", univ.BitString()),
        namedtype.NamedType("propertyInfo", char.IA5String()))


class SESSignature(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("toSign", univ.Any()),         # DER(TBS_Sign) as signed
        namedtype.NamedType("cert", univ.OctetString()),
        namedtype.NamedType("signatureAlgID", univ.ObjectIdentifier()),
        namedtype.NamedType("signature", univ.BitString()),
        namedtype.OptionalNamedType("timeStamp", univ.BitString().subtype(
            explicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 0))))


def sm3(data):
    return hashlib.new("sm3", data).digest()


def pem_der(path):
    text = open(path, "rb").read().decode()
    body = text.split("-----")[2]
    return base64.b64decode("".join(body.split()))


def sm2_private(path):
    """The private scalar of a PKCS#8 (or SEC1) SM2 key in PEM."""
    node, _ = decoder.decode(pem_der(path))
    if isinstance(node[0], univ.Integer) and int(node[0]) == 0 and len(node) >= 3:
        inner, _ = decoder.decode(bytes(node[2]))  # PrivateKeyInfo.privateKey = ECPrivateKey
    else:
        inner = node
    return int.from_bytes(bytes(inner[1]), "big")


def sm2_sign(key_path, msg):
    key = botan2.PrivateKey.load_sm2("sm2p256v1", sm2_private(key_path))
    signer = botan2.PKSign(key, "%s,SM3" % ID, der=True)
    # PKSign.update() of Botan 2.19's binding takes str only: the C call.
    botan2._DLL.botan_pk_op_sign_update(signer._PKSign__obj, msg, len(msg))
    return signer.finish(botan2.RandomNumberGenerator())


def page(text, y):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<ofd:Page xmlns:ofd="%s"><ofd:Content><ofd:Layer ID="%d">'
            '<ofd:TextObject ID="%d" Boundary="20 %d 170 10" Font="3" Size="5">'
            '<ofd:TextCode X="0" Y="5">%s</ofd:TextCode></ofd:TextObject>'
            '</ofd:Layer></ofd:Content></ofd:Page>\n' % (NS, y, y + 1, y, text)).encode()


def package():
    f = {}
    f["OFD.xml"] = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                    '<ofd:OFD xmlns:ofd="%s" Version="1.0" DocType="OFD"><ofd:DocBody>'
                    '<ofd:DocInfo><ofd:DocID>6f2d1c0e9a8b4c3d</ofd:DocID><ofd:Title>投标文件</ofd:Title>'
                    '</ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>'
                    '<ofd:Signatures>Doc_0/Signs/Signatures.xml</ofd:Signatures>'
                    '</ofd:DocBody></ofd:OFD>\n' % NS).encode()
    f["Doc_0/Document.xml"] = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                               '<ofd:Document xmlns:ofd="%s"><ofd:CommonData><ofd:MaxUnitID>20</ofd:MaxUnitID>'
                               '<ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>'
                               '<ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData><ofd:Pages>'
                               '<ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/>'
                               '<ofd:Page ID="2" BaseLoc="Pages/Page_1/Content.xml"/>'
                               '</ofd:Pages></ofd:Document>\n' % NS).encode()
    f["Doc_0/PublicRes.xml"] = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                                '<ofd:Res xmlns:ofd="%s" BaseLoc="Res"><ofd:Fonts>'
                                '<ofd:Font ID="3" FontName="宋体" FamilyName="宋体"/>'
                                '</ofd:Fonts></ofd:Res>\n' % NS).encode()
    f["Doc_0/Pages/Page_0/Content.xml"] = page("投标总价：壹佰万元整", 10)
    f["Doc_0/Pages/Page_1/Content.xml"] = page("投标人（盖章）：某某建设工程有限公司", 12)
    return f


def signatures_xml(types):
    entries = len(types)
    items = "".join('<ofd:Signature ID="%d" Type="%s" BaseLoc="Sign_%d/Signature.xml"/>' % (i + 1, types[i], i)
                    for i in range(entries))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Signatures xmlns:ofd="%s">'
            '<ofd:MaxSignId>%d</ofd:MaxSignId>%s</ofd:Signatures>\n' % (NS, entries, items)).encode()


def cms_sign(key, cert, data):
    """Type="Sign": a detached RFC 5652 SignedData over data (RSA or EC
    signer, SHA-256), made by python3-cryptography."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.serialization import pkcs7
    k = serialization.load_pem_private_key(open(key, "rb").read(), None)
    c = x509.load_pem_x509_certificate(open(cert, "rb").read())
    return (pkcs7.PKCS7SignatureBuilder().set_data(data).add_signer(c, k, hashes.SHA256())
            .sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary]))


TYPES = []


def sign(f, n, key, cert, seal, variant, when):
    """Signature n (0-based): every file but Signatures.xml referenced."""
    del TYPES[n:]
    TYPES.append("Sign" if seal == "cms" else "Seal")
    f["Doc_0/Signs/Signatures.xml"] = signatures_xml(TYPES)
    refs = ""
    for name in sorted(f):
        if name == "Doc_0/Signs/Signatures.xml":
            continue
        if variant == "noref" and name == "Doc_0/Pages/Page_1/Content.xml":
            continue
        refs += ('<ofd:Reference FileRef="/%s"><ofd:CheckValue>%s</ofd:CheckValue></ofd:Reference>'
                 % (name, base64.b64encode(sm3(f[name])).decode()))
    d = "Doc_0/Signs/Sign_%d" % n
    xml = ('<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Signature xmlns:ofd="%s"><ofd:SignedInfo>'
           '<ofd:Provider ProviderName="mkofd.py" Version="1.0" Company="libseal tests"/>'
           '<ofd:SignatureMethod>%s</ofd:SignatureMethod>'
           '<ofd:SignatureDateTime>%s</ofd:SignatureDateTime>'
           '<ofd:References CheckMethod="%s">%s</ofd:References>'
           '<ofd:StampAnnot ID="%d" PageRef="2" Boundary="%d 200 42 42"/>'
           '</ofd:SignedInfo><ofd:SignedValue>/%s/SignedValue.dat</ofd:SignedValue></ofd:Signature>\n'
           % (NS, SM2_SM3, when.strftime("%Y%m%d%H%M%SZ"), SM3_OID, refs, 100 + n, 40 + 80 * n, d)).encode()
    f[d + "/Signature.xml"] = xml
    if seal == "cms":
        f[d + "/SignedValue.dat"] = cms_sign(key, cert, xml)
        return
    tbs = TBSSign()
    tbs["version"] = 4
    tbs["eseal"] = open(seal, "rb").read()
    tbs["timeInfo"] = useful.GeneralizedTime(when.strftime("%Y%m%d%H%M%SZ"))
    tbs["dataHash"] = univ.BitString.fromOctetString(sm3(b"other bytes" if variant == "datahash" else xml))
    tbs["propertyInfo"] = "/Doc_0/Signs/Sign_9/Signature.xml" if variant == "property" else "/%s/Signature.xml" % d
    tbs_der = encoder.encode(tbs)
    value = sm2_sign(key, tbs_der)
    if variant == "value":
        value = value[:-3] + bytes([value[-3] ^ 0x55]) + value[-2:]
    ses = SESSignature()
    ses["toSign"] = tbs_der
    ses["cert"] = pem_der(cert)
    ses["signatureAlgID"] = univ.ObjectIdentifier(SM2_SM3)
    ses["signature"] = univ.BitString.fromOctetString(value)
    f[d + "/SignedValue.dat"] = b"\x30\x03\x02\x01\x04" if variant == "junk" else encoder.encode(ses)


def write_zip(path, f, extra):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name in f:
            z.writestr(name, f[name])
        for name, data in extra:
            z.writestr(name, data)
    return buf.getvalue()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--key", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--seal", required=True)
    ap.add_argument("--second-key")
    ap.add_argument("--second-cert")
    ap.add_argument("--second-seal")
    ap.add_argument("--variant", default="")
    a = ap.parse_args()
    # Several variants at once (one start-up): OUT holds "%s" for the name.
    for v in a.variant.split(","):
        make(a, v, a.out.replace("%s", v) if "%s" in a.out else a.out)


def make(a, v, path):
    when = datetime.datetime(2026, 6, 1, 9, 30, 0)
    f = package()
    sign(f, 0, a.key, a.cert, a.seal, v, when)
    if a.second_key:
        sign(f, 1, a.second_key, a.second_cert, a.second_seal, "", when + datetime.timedelta(hours=1))
    extra = []
    if v == "changed":
        f["Doc_0/Pages/Page_0/Content.xml"] = page("投标总价：贰佰万元整", 10)
    elif v == "added":
        f["Doc_0/Pages/Page_0/Annot_0.xml"] = page("已审核", 30)
    elif v == "dup":
        extra.append(("Doc_0/Pages/Page_0/Content.xml", page("投标总价：贰佰万元整", 10)))
    elif v == "case":
        extra.append(("Doc_0/pages/Page_0/Content.xml", page("投标总价：贰佰万元整", 10)))
    elif v == "removed":
        del f["Doc_0/PublicRes.xml"]
    data = write_zip(path, f, extra)
    if v == "cdlocal":
        # The first local header's name, one letter changed: a reader that
        # walks the local headers finds another file than the directory lists.
        assert data[30:37] == b"OFD.xml"
        data = data[:30] + b"OFD.xmL" + data[37:]
    with open(path, "wb") as out:
        out.write(data)


if __name__ == "__main__":
    sys.exit(main())
