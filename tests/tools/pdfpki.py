#!/usr/bin/env python3
# PKI situations for the verifier's tests, made with the openssl command
# (stdlib Python otherwise).
# SPDX-License-Identifier: AGPL-3.0-or-later
#
#   pdfpki.py resign IN OUT CERT KEY [--md sha256|sha1] [--chain PEM] [--claimed YYYYMMDDHHMMSS]
#       replace the last signature's CMS with one made by CERT/KEY over the
#       same ByteRange (an encryption certificate, a weak key, SHA-1 ...);
#       --claimed first changes its /M (a back- or forward-dated claim)
#   pdfpki.py dss IN OUT [--cert DER]... [--crl DER]...
#       append an incremental update adding a /DSS with those streams
#   pdfpki.py doctimestamp IN OUT TSA-CERT TSA-KEY TSA-CHAIN
#       append a document time-stamp (ETSI.RFC3161) made by an openssl TSA
import argparse
import hashlib
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mutate import append_update, first_page, last_obj, stream, trailer_info  # noqa: E402


def last_byterange(data):
    brs = list(re.finditer(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data))
    if not brs:
        sys.exit("no signature")
    return [int(x) for x in brs[-1].groups()]


def openssl(*args, **kw):
    p = subprocess.run(["openssl"] + list(args), capture_output=True, **kw)
    if p.returncode:
        sys.exit("openssl %s failed: %s" % (args[0], p.stderr.decode(errors="replace")))
    return p.stdout


def resign(a):
    data = open(a.input, "rb").read()
    s, b, c, d = last_byterange(data)
    if a.claimed:
        ms = list(re.finditer(rb"/M\s*\(D:(\d{14})", data[:c + d]))
        if not ms or len(a.claimed) != 14:
            sys.exit("no /M to change, or --claimed is not YYYYMMDDHHMMSS")
        data = data[:ms[-1].start(1)] + a.claimed.encode() + data[ms[-1].end(1):]
    content = data[s:s + b] + data[c:c + d]
    with tempfile.TemporaryDirectory() as t:
        open(t + "/content", "wb").write(content)
        args = ["cms", "-sign", "-binary", "-nosmimecap", "-md", a.md, "-signer", a.cert,
                "-inkey", a.key, "-outform", "DER", "-in", t + "/content", "-out", t + "/cms"]
        if a.chain:
            args += ["-certfile", a.chain]
        openssl(*args)
        cms = open(t + "/cms", "rb").read()
    hexed = cms.hex().upper().encode()
    room = c - b - 2
    if len(hexed) > room:
        sys.exit("CMS of %d bytes does not fit the %d hex digits reserved" % (len(cms), room))
    out = bytearray(data)
    out[b + 1:c - 1] = hexed + b"0" * (room - len(hexed))
    open(a.output, "wb").write(bytes(out))


def dss(a):
    data = open(a.input, "rb").read()
    _, root, size, _ = trailer_info(data)
    objs, refs = {}, {"Certs": [], "CRLs": []}
    n = size
    for key, files in (("Certs", a.cert or []), ("CRLs", a.crl or [])):
        for f in files:
            objs[n] = stream(open(f, "rb").read())
            refs[key].append(n)
            n += 1
    dss_txt = b"/DSS <<" + b"".join(
        b" /%s [%s]" % (k.encode(), b" ".join(b"%d 0 R" % r for r in v)) for k, v in refs.items() if v) + b" >>"
    cat = last_obj(data, root).rstrip()
    cat = cat[: cat.rfind(b">>")] + b" " + dss_txt + b" >>"
    objs[root] = cat
    open(a.output, "wb").write(append_update(data, objs))


def doctimestamp(a):
    data = open(a.input, "rb").read()
    _, root, size, _ = trailer_info(data)
    page = first_page(data, root)
    sig, field = size, size + 1
    placeholder = b"0" * 16384
    width = b"0000000000"
    objs = {
        sig: b"<< /Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161 "
             b"/ByteRange [0 " + width + b" " + width + b" " + width + b"] /Contents <" + placeholder + b"> >>",
        field: b"<< /FT /Sig /T (DocTimeStamp1) /Type /Annot /Subtype /Widget /F 132 "
               b"/Rect [0 0 0 0] /P %d 0 R /V %d 0 R >>" % (page, sig),
    }
    pagetxt = last_obj(data, page)
    if re.search(rb"/Annots\s*\[", pagetxt):
        pagetxt = re.sub(rb"/Annots\s*\[", b"/Annots [%d 0 R " % field, pagetxt, count=1)
    else:
        pagetxt = pagetxt.rstrip()
        pagetxt = pagetxt[: pagetxt.rfind(b">>")] + b" /Annots [%d 0 R] >>" % field
    objs[page] = pagetxt
    cat = last_obj(data, root)
    af = re.search(rb"/AcroForm\s+(\d+)\s+0\s+R", cat)
    if af:
        num = int(af.group(1))
        objs[num] = re.sub(rb"/Fields\s*\[", b"/Fields [%d 0 R " % field, last_obj(data, num), count=1)
    elif b"/AcroForm" in cat:
        objs[root] = re.sub(rb"/Fields\s*\[", b"/Fields [%d 0 R " % field, cat, count=1)
    else:
        cat = cat.rstrip()
        objs[root] = cat[: cat.rfind(b">>")] + b" /AcroForm << /Fields [%d 0 R] /SigFlags 3 >> >>" % field
    out = bytearray(append_update(data, objs))
    # Fill in the ByteRange around the new /Contents, then the token.
    start = out.rfind(b"/Contents <" + placeholder[:16]) + len(b"/Contents ")
    end = start + len(placeholder) + 2
    br = out.rfind(b"/ByteRange [0 " + width)
    fixed = b"/ByteRange [0 %010d %010d %010d]" % (start, end, len(out) - end)
    out[br:br + len(fixed)] = fixed
    digest = hashlib.sha256(bytes(out[:start]) + bytes(out[end:])).hexdigest()
    with tempfile.TemporaryDirectory() as t:
        open(t + "/serial", "w").write("01\n")
        open(t + "/tsa.cnf", "w").write(
            "[tsa]\ndefault_tsa = tsa1\n[tsa1]\ndir = %s\nserial = $dir/serial\n"
            "signer_digest = sha256\ndefault_policy = 1.2.3.4.1\ndigests = sha256\n"
            "accuracy = secs:1\ness_cert_id_alg = sha256\ness_cert_id_chain = no\n" % t)
        openssl("ts", "-query", "-digest", digest, "-sha256", "-cert", "-no_nonce", "-out", t + "/q")
        openssl("ts", "-reply", "-config", t + "/tsa.cnf", "-queryfile", t + "/q", "-signer", a.tsa_cert,
                "-inkey", a.tsa_key, "-chain", a.tsa_chain, "-token_out", "-out", t + "/tok")
        tok = open(t + "/tok", "rb").read().hex().upper().encode()
    if len(tok) > len(placeholder):
        sys.exit("time-stamp token too large")
    out[start + 1:start + 1 + len(tok)] = tok
    open(a.output, "wb").write(bytes(out))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("resign")
    for x in ("input", "output", "cert", "key"):
        r.add_argument(x)
    r.add_argument("--md", default="sha256")
    r.add_argument("--chain")
    r.add_argument("--claimed")
    d = sub.add_parser("dss")
    d.add_argument("input")
    d.add_argument("output")
    d.add_argument("--cert", action="append")
    d.add_argument("--crl", action="append")
    t = sub.add_parser("doctimestamp")
    for x in ("input", "output", "tsa_cert", "tsa_key", "tsa_chain"):
        t.add_argument(x)
    a = p.parse_args()
    {"resign": resign, "dss": dss, "doctimestamp": doctimestamp}[a.cmd](a)


if __name__ == "__main__":
    main()
