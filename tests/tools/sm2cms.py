#!/usr/bin/env python3
"""Take apart the SignerInfo of a CMS SignedData, to check an SM2 signature
with openssl alone (no libseal code): the first SignerInfo's signed
attributes re-tagged as the SET OF they are signed as (RFC 5652 §5.4), its
signature value, and the certificate its sid (issuerAndSerialNumber) names.

    sm2cms.py CMS.der OUTDIR

Writes OUTDIR/attrs.der, OUTDIR/sig.bin and OUTDIR/cert.der; prints one line
of JSON: the SignerInfo's digest_alg and signature_alg OIDs, the
messageDigest (hex) and the signature value's form ("der" SEQUENCE{r,s} or
"raw"). Python standard library only.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pdfsigs import oid_str, tlv  # noqa: E402


def elems(buf, start, end):
    """(tag, element_start, content_start, content_end) of each child."""
    out, pos = [], start
    while pos < end:
        t, s, e = tlv(buf, pos, end)
        out.append((t, pos, s, e))
        pos = e
    return out


def first_oid(der, el):
    o = elems(der, el[2], el[3])[0]
    return oid_str(der[o[2]:o[3]])


def main(argv):
    der = open(argv[1], "rb").read()
    outdir = argv[2]
    top = elems(der, 0, len(der))[0]
    ci = elems(der, top[2], top[3])
    sdseq = elems(der, ci[1][2], ci[1][3])[0]
    sd = elems(der, sdseq[2], sdseq[3])
    i, certs = 3, []
    while sd[i][0] in (0xA0, 0xA1):
        if sd[i][0] == 0xA0:
            certs = elems(der, sd[i][2], sd[i][3])
        i += 1
    sis = elems(der, sd[i][2], sd[i][3])
    si = elems(der, sis[0][2], sis[0][3])
    sid = [der[x[1]:x[3]] for x in elems(der, si[1][2], si[1][3])] if si[1][0] == 0x30 else None
    cert = None
    for c in certs:
        tbs = elems(der, *elems(der, c[2], c[3])[0][2:])
        k = 1 if tbs[0][0] == 0xA0 else 0
        if sid == [der[tbs[k + 2][1]:tbs[k + 2][3]], der[tbs[k][1]:tbs[k][3]]]:
            cert = der[c[1]:c[3]]
    info = {"digest_alg": first_oid(der, si[2])}
    j, attrs = 3, b""
    if si[j][0] == 0xA0:
        attrs = b"\x31" + der[si[j][1] + 1:si[j][3]]
        for a in elems(der, si[j][2], si[j][3]):
            parts = elems(der, a[2], a[3])
            if oid_str(der[parts[0][2]:parts[0][3]]) == "1.2.840.113549.1.9.4":
                v = elems(der, parts[1][2], parts[1][3])[0]
                info["message_digest"] = der[v[2]:v[3]].hex()
        j += 1
    info["signature_alg"] = first_oid(der, si[j])
    sig = der[si[j + 1][2]:si[j + 1][3]]
    info["signature_form"] = "der" if sig[:1] == b"\x30" else "raw"
    for name, data in (("attrs.der", attrs), ("sig.bin", sig), ("cert.der", cert or b"")):
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)
    print(json.dumps(info))


if __name__ == "__main__":
    main(sys.argv)
