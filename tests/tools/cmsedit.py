#!/usr/bin/env python3
# Edits of the CMS of a signed PDF's last signature, for the verifier's
# tests: what a peer signer or an attacker can put into /Contents (stdlib
# and the openssl command only).
# SPDX-License-Identifier: AGPL-3.0-or-later
#
#   cmsedit.py decoy IN OUT
#       put first in the certificate bag a copy of the signer's certificate
#       with another public key (same issuer and serial): a look-alike that
#       must not turn the genuine signature into a failure (it takes the
#       place of the self-signed root, which a verifier never needs from
#       the bag, so that it fits the placeholder)
#   cmsedit.py plain-ecdsa IN OUT
#       re-encode an ECDSA signature value as r||s with the BSI TR-03111
#       identifier ecdsa-plain-SHA256 (0.4.0.127.0.7.1.1.4.1.3)
#   cmsedit.py content-type IN OUT KEY OID
#       set the contentType signed attribute to OID and sign the attributes
#       again with KEY (RSA, SHA-256): a genuine signature over a wrong type
#   cmsedit.py two-signers IN OUT
#       the SignerInfo twice
#   cmsedit.py sm2-raw IN OUT
#       an SM2 signature value as raw 64-byte r||s (as some tokens and OFD
#       tools write it)
#   cmsedit.py sm2-sloppy IN OUT
#       an SM2 signature value in non-minimal DER (INTEGERs with a leading
#       zero octet too many, the SEQUENCE length in long form)
#   cmsedit.py gmt IN OUT
#       GM/T 0010 identifiers: ContentInfo type 1.2.156.10197.6.1.4.2.2 and
#       signature algorithm 1.2.156.10197.1.301.1 (the signed bytes unchanged)
#   cmsedit.py sm2-sloppy-attrs IN OUT KEY
#       the messageDigest attribute's OCTET STRING with a long-form length
#       (BER, not DER), the attributes signed again as they now are with the
#       SM2 KEY (openssl, ID 1234567812345678): valid over the bytes
#       received, not over their DER re-encoding
#   cmsedit.py add-crl IN CRL OUT
#       a CRL (DER file) into the SignedData's crls [1]
#   cmsedit.py extract IN CMS CONTENT
#       the CMS of the last signature and the bytes its ByteRange covers
#   cmsedit.py splice IN CMS OUT
#       put another CMS (DER file) into the last signature's /Contents
import re
import subprocess
import sys
import tempfile


class Node:
    """A DER element; kids are parsed on demand, raw kept for the rest."""

    def __init__(self, raw):
        self.raw = raw
        self.tag = raw[0]
        hdr, length = header(raw, 0)
        self.body = raw[hdr:hdr + length]
        self._kids = None

    @property
    def kids(self):
        if self._kids is None:
            self._kids, i = [], 0
            while i < len(self.body):
                hdr, length = header(self.body, i)
                self._kids.append(Node(self.body[i:i + hdr + length]))
                i += hdr + length
        return self._kids

    def encode(self):
        if self._kids is None:
            return self.raw
        return tlv(self.tag, b"".join(k.encode() for k in self._kids))


def header(data, i):
    length = data[i + 1]
    if length < 0x80:
        return 2, length
    n = length & 0x7F
    return 2 + n, int.from_bytes(data[i + 2:i + 2 + n], "big")


def tlv(tag, body):
    n = len(body)
    if n < 0x80:
        return bytes([tag, n]) + body
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(b)]) + b + body


def oid(text):
    parts = [int(x) for x in text.split(".")]
    out = bytes([40 * parts[0] + parts[1]])
    for p in parts[2:]:
        enc = [p & 0x7F]
        p >>= 7
        while p:
            enc.append(0x80 | (p & 0x7F))
            p >>= 7
        out += bytes(reversed(enc))
    return tlv(0x06, out)


def load(path):
    data = open(path, "rb").read()
    brs = list(re.finditer(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data))
    if not brs:
        sys.exit("no signature")
    _, b, c, _ = (int(x) for x in brs[-1].groups())
    der = bytes.fromhex(data[b + 1:c - 1].decode())
    _, length = header(der, 0)
    hdr, _ = header(der, 0)
    return data, b, c, Node(der[:hdr + length])


def save(path, data, b, c, cms):
    hexed = cms.encode().hex().upper().encode()
    room = c - b - 2
    if len(hexed) > room:
        sys.exit("the edited CMS does not fit the placeholder")
    out = bytearray(data)
    out[b + 1:c - 1] = hexed + b"0" * (room - len(hexed))
    open(path, "wb").write(bytes(out))


def signed_data(cms):
    return cms.kids[1].kids[0]  # ContentInfo [0] SignedData


def certs_node(sd):
    return next(k for k in sd.kids if k.tag == 0xA0)


def signer_infos(sd):
    return sd.kids[-1]


def openssl(*args, data=None):
    p = subprocess.run(["openssl"] + list(args), input=data, capture_output=True)
    if p.returncode:
        sys.exit("openssl %s: %s" % (args[0], p.stderr.decode(errors="replace")))
    return p.stdout


def decoy(a):
    data, b, c, cms = load(a.input)
    sd = signed_data(cms)
    si = signer_infos(sd).kids[0]
    sid = si.kids[1].encode()  # IssuerAndSerialNumber
    bag = certs_node(sd)
    real = next(x for x in bag.kids
                if tlv(0x30, x.kids[0].kids[3].encode() + x.kids[0].kids[1].encode()) == sid)
    key = openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048")
    spki = openssl("pkey", "-pubout", "-outform", "DER", data=key)
    fake = Node(real.encode())
    tbs = fake.kids[0]
    spki_at = 6 if tbs.kids[0].tag == 0xA0 else 5
    tbs.kids[spki_at] = Node(spki)
    # Certificate = SEQUENCE {tbs, alg, sig}; tbs issuer (3) == subject (5)
    bag.kids[:] = [x for x in bag.kids if x.kids[0].kids[3].encode() != x.kids[0].kids[5].encode()]
    bag.kids.insert(0, fake)
    save(a.output, data, b, c, cms)


def plain_ecdsa(a):
    data, b, c, cms = load(a.input)
    si = signer_infos(signed_data(cms)).kids[0]
    idx = next(i for i, k in enumerate(si.kids) if k.tag == 0x04)
    sig = Node(si.kids[idx].body)  # ECDSA-Sig-Value
    r, s = (int.from_bytes(k.body, "big") for k in sig.kids)
    width = 32
    si.kids[idx] = Node(tlv(0x04, r.to_bytes(width, "big") + s.to_bytes(width, "big")))
    si.kids[idx - 1] = Node(tlv(0x30, oid("0.4.0.127.0.7.1.1.4.1.3")))
    save(a.output, data, b, c, cms)


def content_type(a):
    data, b, c, cms = load(a.input)
    si = signer_infos(signed_data(cms)).kids[0]
    attrs = next(k for k in si.kids if k.tag == 0xA0)
    for at in attrs.kids:
        if at.kids[0].encode() == oid("1.2.840.113549.1.9.3"):
            at.kids[1] = Node(tlv(0x31, oid(a.oid)))
    attrs.kids.sort(key=lambda k: k.encode())
    with tempfile.TemporaryDirectory() as t:
        open(t + "/attrs", "wb").write(tlv(0x31, b"".join(k.encode() for k in attrs.kids)))
        value = openssl("dgst", "-sha256", "-sign", a.key, t + "/attrs")
    idx = next(i for i, k in enumerate(si.kids) if k.tag == 0x04)
    si.kids[idx] = Node(tlv(0x04, value))
    save(a.output, data, b, c, cms)


def two_signers(a):
    data, b, c, cms = load(a.input)
    sis = signer_infos(signed_data(cms))
    sis.kids.append(Node(sis.kids[0].encode()))
    save(a.output, data, b, c, cms)


def sig_value(si):
    return next(i for i, k in enumerate(si.kids) if k.tag == 0x04)


def sm2_raw(a):
    data, b, c, cms = load(a.input)
    si = signer_infos(signed_data(cms)).kids[0]
    idx = sig_value(si)
    r, s = (int.from_bytes(k.body, "big") for k in Node(si.kids[idx].body).kids)
    si.kids[idx] = Node(tlv(0x04, r.to_bytes(32, "big") + s.to_bytes(32, "big")))
    save(a.output, data, b, c, cms)


def sm2_sloppy(a):
    data, b, c, cms = load(a.input)
    si = signer_infos(signed_data(cms)).kids[0]
    idx = sig_value(si)
    ints = [b"\x00" + k.body for k in Node(si.kids[idx].body).kids]
    body = b"".join(bytes([0x02, len(x)]) + x for x in ints)
    si.kids[idx] = Node(tlv(0x04, bytes([0x30, 0x81, len(body)]) + body))
    save(a.output, data, b, c, cms)


def gmt(a):
    data, b, c, cms = load(a.input)
    cms.kids[0] = Node(oid("1.2.156.10197.6.1.4.2.2"))
    si = signer_infos(signed_data(cms)).kids[0]
    si.kids[sig_value(si) - 1] = Node(tlv(0x30, oid("1.2.156.10197.1.301.1") + b"\x05\x00"))
    save(a.output, data, b, c, cms)


def sm2_sloppy_attrs(a):
    data, b, c, cms = load(a.input)
    si = signer_infos(signed_data(cms)).kids[0]
    attrs = next(k for k in si.kids if k.tag == 0xA0)
    for at in attrs.kids:
        if at.kids[0].encode() == oid("1.2.840.113549.1.9.4"):
            md = at.kids[1].kids[0].body
            at.kids[1] = Node(tlv(0x31, bytes([0x04, 0x81, len(md)]) + md))
    with tempfile.TemporaryDirectory() as t:
        open(t + "/attrs", "wb").write(tlv(0x31, b"".join(k.encode() for k in attrs.kids)))
        value = openssl("dgst", "-sm3", "-sign", a.key, "-sigopt", "distid:1234567812345678",
                        t + "/attrs")
    si.kids[sig_value(si)] = Node(tlv(0x04, value))
    save(a.output, data, b, c, cms)


def add_crl(a):
    data, b, c, cms = load(a.input)
    sd = signed_data(cms)
    sd.kids.insert(len(sd.kids) - 1, Node(tlv(0xA1, open(a.crl, "rb").read())))
    save(a.output, data, b, c, cms)


def extract(a):
    data, b, c, cms = load(a.input)
    brs = list(re.finditer(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data))
    _, _, _, d = (int(x) for x in brs[-1].groups())
    open(a.cms, "wb").write(cms.encode())
    open(a.content, "wb").write(data[:b] + data[c:c + d])


def splice(a):
    data, b, c, _ = load(a.input)
    save(a.output, data, b, c, Node(open(a.cms, "rb").read()))


def main():
    import argparse
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("decoy", "plain-ecdsa", "two-signers", "sm2-raw", "sm2-sloppy", "gmt"):
        s = sub.add_parser(name)
        s.add_argument("input")
        s.add_argument("output")
    s = sub.add_parser("content-type")
    for x in ("input", "output", "key", "oid"):
        s.add_argument(x)
    s = sub.add_parser("sm2-sloppy-attrs")
    for x in ("input", "output", "key"):
        s.add_argument(x)
    s = sub.add_parser("add-crl")
    for x in ("input", "crl", "output"):
        s.add_argument(x)
    s = sub.add_parser("extract")
    for x in ("input", "cms", "content"):
        s.add_argument(x)
    s = sub.add_parser("splice")
    for x in ("input", "cms", "output"):
        s.add_argument(x)
    a = p.parse_args()
    {"decoy": decoy, "plain-ecdsa": plain_ecdsa, "content-type": content_type,
     "two-signers": two_signers, "sm2-raw": sm2_raw, "sm2-sloppy": sm2_sloppy, "gmt": gmt,
     "sm2-sloppy-attrs": sm2_sloppy_attrs, "add-crl": add_crl,
     "extract": extract, "splice": splice}[a.cmd](a)


if __name__ == "__main__":
    main()
