#!/usr/bin/env python3
"""Find the signatures in a PDF the way an independent checker would: from
the bytes, without a PDF library. For tests of files we wrote ourselves.

    pdfsigs.py FILE [--extract DIR]

Prints a JSON list, one entry per /ByteRange found, in file order:
  byte_range, gap_ok (the gap is exactly one <hex> string), der_len,
  padding_zero, digest_ok (messageDigest == SHA-256 of the ranges),
  covers_whole_file, dict (Type, Filter, SubFilter, M, Reason, Location, Name,
  has_cert), cms (signer_infos, signed_attrs [names], unsigned_attrs,
  certificates, detached, digest_alg).
With --extract DIR, writes DIR/sigN.der (the CMS) and DIR/sigN.bin (the
signed bytes), N = 1, 2, ...
Python standard library only.
"""
import hashlib
import json
import os
import re
import sys

OID_NAMES = {
    "1.2.840.113549.1.7.1": "data",
    "1.2.840.113549.1.7.2": "signedData",
    "1.2.840.113549.1.9.3": "contentType",
    "1.2.840.113549.1.9.4": "messageDigest",
    "1.2.840.113549.1.9.5": "signingTime",
    "1.2.840.113549.1.9.16.2.12": "signingCertificate",
    "1.2.840.113549.1.9.16.2.47": "signingCertificateV2",
    "1.2.840.113549.1.9.16.2.14": "signatureTimeStampToken",
    "1.2.840.113549.1.9.16.2.20": "contentTimeStamp",
    "1.2.840.113549.1.9.16.2.15": "signaturePolicyIdentifier",
    "1.2.840.113549.1.9.16.2.16": "commitmentTypeIndication",
    "1.2.840.113549.1.9.52": "cmsAlgorithmProtection",
    "1.2.840.113583.1.1.8": "adbeRevocationInfoArchival",
    "2.16.840.1.101.3.4.2.1": "sha256",
    "2.16.840.1.101.3.4.2.2": "sha384",
    "2.16.840.1.101.3.4.2.3": "sha512",
    "1.3.14.3.2.26": "sha1",
}


class DerError(Exception):
    pass


def tlv(buf, pos, end=None):
    """(tag, content_start, content_end) of the element at pos."""
    end = len(buf) if end is None else end
    if pos + 2 > end:
        raise DerError("truncated at %d" % pos)
    tag = buf[pos]
    if tag & 0x1F == 0x1F:
        raise DerError("multi-byte tag at %d" % pos)
    n = buf[pos + 1]
    pos += 2
    if n == 0x80:
        raise DerError("indefinite length (BER, not DER) at %d" % (pos - 2))
    if n & 0x80:
        k = n & 0x7F
        if k > 4 or pos + k > end:
            raise DerError("bad length at %d" % pos)
        n = int.from_bytes(buf[pos:pos + k], "big")
        pos += k
    if pos + n > end:
        raise DerError("element overruns at %d" % pos)
    return tag, pos, pos + n


def children(buf, start, end):
    out = []
    pos = start
    while pos < end:
        t, s, e = tlv(buf, pos, end)
        out.append((t, s, e))
        pos = e
    return out


def oid_str(b):
    vals, v = [], 0
    for x in b:
        v = (v << 7) | (x & 0x7F)
        if not x & 0x80:
            vals.append(v)
            v = 0
    first = min(vals[0] // 40, 2)
    return ".".join(str(x) for x in [first, vals[0] - 40 * first] + vals[1:])


def name(o):
    return OID_NAMES.get(o, o)


def parse_cms(der):
    info = {}
    t, s, e = tlv(der, 0)
    ci = children(der, s, e)
    if ci[0][0] != 0x06 or oid_str(der[ci[0][1]:ci[0][2]]) != "1.2.840.113549.1.7.2":
        raise DerError("not a SignedData ContentInfo")
    t, s, e = tlv(der, ci[1][1], ci[1][2])  # [0] EXPLICIT -> SEQUENCE
    sd = children(der, s, e)
    i = 1
    algs = children(der, sd[i][1], sd[i][2])
    info["digest_algs"] = [name(oid_str(der[children(der, a[1], a[2])[0][1]:children(der, a[1], a[2])[0][2]]))
                           for a in algs]
    i += 1
    eci = children(der, sd[i][1], sd[i][2])
    info["econtent_type"] = name(oid_str(der[eci[0][1]:eci[0][2]]))
    info["detached"] = len(eci) == 1
    i += 1
    info["certificates"] = 0
    info["crls"] = 0
    while sd[i][0] in (0xA0, 0xA1):
        n = len(children(der, sd[i][1], sd[i][2]))
        info["certificates" if sd[i][0] == 0xA0 else "crls"] = n
        i += 1
    sis = children(der, sd[i][1], sd[i][2])
    info["signer_infos"] = len(sis)
    if sis:
        si = children(der, sis[0][1], sis[0][2])
        j = 2
        da = children(der, si[j][1], si[j][2])
        info["digest_alg"] = name(oid_str(der[da[0][1]:da[0][2]]))
        j += 1
        info["signed_attrs"] = []
        info["message_digest"] = None
        if si[j][0] == 0xA0:
            for a in children(der, si[j][1], si[j][2]):
                parts = children(der, a[1], a[2])
                o = name(oid_str(der[parts[0][1]:parts[0][2]]))
                info["signed_attrs"].append(o)
                if o == "messageDigest":
                    v = children(der, parts[1][1], parts[1][2])[0]
                    info["message_digest"] = der[v[1]:v[2]].hex()
            j += 1
        j += 2  # signatureAlgorithm, signature
        info["unsigned_attrs"] = []
        if j < len(si) and si[j][0] == 0xA1:
            for a in children(der, si[j][1], si[j][2]):
                parts = children(der, a[1], a[2])
                info["unsigned_attrs"].append(name(oid_str(der[parts[0][1]:parts[0][2]])))
    return info


def sig_dict(data, pos):
    """The object around pos: the signature dictionary's simple keys."""
    start = data.rfind(b" obj", 0, pos)
    end = data.find(b"endobj", pos)
    if start < 0 or end < 0:
        return {}
    body = data[start:end]
    d = {}
    for key in ("Type", "Filter", "SubFilter"):
        m = re.search(rb"/" + key.encode() + rb"\s*/([^\s/<>\[\]()]+)", body)
        if m:
            d[key] = m.group(1).decode("latin-1")
    for key in ("M", "Reason", "Location", "Name"):
        m = re.search(rb"/" + key.encode() + rb"\s*(\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f]*>)", body)
        if m:
            d[key] = m.group(1).decode("latin-1")
    d["has_cert"] = re.search(rb"/Cert[\s\[<(/]", body) is not None
    return d


def scan(path, extract=None):
    data = open(path, "rb").read()
    sigs = []
    for n, m in enumerate(re.finditer(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data), 1):
        a, b, c, d = (int(x) for x in m.groups())
        ent = {"byte_range": [a, b, c, d], "covers_whole_file": c + d == len(data),
               "dict": sig_dict(data, m.start())}
        gap = data[a + b:c] if a + b <= c <= len(data) else b""
        ent["gap_ok"] = a == 0 and re.fullmatch(rb"<[0-9A-Fa-f]*>", gap) is not None
        signed = data[a:a + b] + data[c:c + d]
        ent["signed_len"] = len(signed)
        ent["in_bounds"] = c + d <= len(data)
        if ent["gap_ok"]:
            raw = bytes.fromhex(gap[1:-1].decode())
            try:
                _, s, e = tlv(raw, 0)
                der = raw[:e]
                ent["der_len"] = e
                ent["contents_len"] = len(raw)
                ent["padding_zero"] = not any(raw[e:])
                ent["cms"] = parse_cms(der)
                md = ent["cms"].get("message_digest")
                alg = ent["cms"].get("digest_alg", "sha256")
                ent["digest_ok"] = alg in hashlib.algorithms_available and \
                    md == hashlib.new(alg, signed).hexdigest()
            except (DerError, IndexError, ValueError) as exc:
                ent["cms_error"] = str(exc)
                der = raw
            if extract:
                open(os.path.join(extract, "sig%d.der" % n), "wb").write(der)
                open(os.path.join(extract, "sig%d.bin" % n), "wb").write(signed)
        sigs.append(ent)
    return {"file": path, "size": len(data), "signatures": sigs}


def main(argv):
    if len(argv) not in (1, 3) or (len(argv) == 3 and argv[1] != "--extract"):
        sys.stderr.write(__doc__)
        return 2
    extract = argv[2] if len(argv) == 3 else None
    if extract:
        os.makedirs(extract, exist_ok=True)
    json.dump(scan(argv[0], extract), sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
