#!/usr/bin/env python3
"""Build a PKCS#10 request for a key that lives in a token, in two steps, so
the token itself makes the proof-of-possession signature (pkcs11-tool --sign):

    mkcsr.py tbs PUBKEY.der OUT.tbs RDN...    RDN = CN=..., O=..., C=... (UTF-8)
    mkcsr.py assemble IN.tbs SIG rsa|ec OUT.pem

SIG is a sha256WithRSAEncryption signature (raw) or a DER ECDSA-Sig-Value
over the DER of IN.tbs. Names are encoded as UTF8String (C as
PrintableString), the way Chinese CAs issue them. Python stdlib only.
"""
import base64
import sys

OIDS = {"CN": "2.5.4.3", "O": "2.5.4.10", "OU": "2.5.4.11", "C": "2.5.4.6",
        "L": "2.5.4.7", "ST": "2.5.4.8"}
SHA256_RSA = "1.2.840.113549.1.1.11"
ECDSA_SHA256 = "1.2.840.10045.4.3.2"


def tlv(tag, body):
    n = len(body)
    if n < 0x80:
        head = bytes([n])
    else:
        b = n.to_bytes((n.bit_length() + 7) // 8, "big")
        head = bytes([0x80 | len(b)]) + b
    return bytes([tag]) + head + body


def oid(dotted):
    parts = [int(p) for p in dotted.split(".")]
    out = bytearray([40 * parts[0] + parts[1]])
    for p in parts[2:]:
        chunk = [p & 0x7F]
        p >>= 7
        while p:
            chunk.append(0x80 | (p & 0x7F))
            p >>= 7
        out += bytes(reversed(chunk))
    return tlv(0x06, bytes(out))


def seq(*items):
    return tlv(0x30, b"".join(items))


def name(rdns):
    out = []
    for rdn in rdns:
        key, _, value = rdn.partition("=")
        if key not in OIDS or not value:
            raise SystemExit("mkcsr: bad RDN %r" % rdn)
        tag = 0x13 if key == "C" else 0x0C  # PrintableString / UTF8String
        atv = seq(oid(OIDS[key]), tlv(tag, value.encode("utf-8")))
        out.append(tlv(0x31, atv))
    return seq(*out)


def pem(label, der):
    b = base64.b64encode(der).decode()
    lines = [b[i:i + 64] for i in range(0, len(b), 64)]
    return "-----BEGIN %s-----\n%s\n-----END %s-----\n" % (label, "\n".join(lines), label)


def main(argv):
    if len(argv) >= 4 and argv[0] == "tbs":
        spki = open(argv[1], "rb").read()
        info = seq(tlv(0x02, b"\x00"), name(argv[3:]), spki, tlv(0xA0, b""))
        open(argv[2], "wb").write(info)
        return 0
    if len(argv) == 5 and argv[0] == "assemble":
        info = open(argv[1], "rb").read()
        sig = open(argv[2], "rb").read()
        if argv[3] == "rsa":
            alg = seq(oid(SHA256_RSA), b"\x05\x00")
        elif argv[3] == "ec":
            alg = seq(oid(ECDSA_SHA256))
        else:
            raise SystemExit("mkcsr: algorithm is rsa or ec")
        csr = seq(info, alg, tlv(0x03, b"\x00" + sig))
        open(argv[4], "w").write(pem("CERTIFICATE REQUEST", csr))
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
