#!/usr/bin/env python3
# Tampered e-seal signatures for the verifier's tests: what a signer who
# bypasses libseal's checks can produce. The signed revision of a PDF that
# `seal sign --eseal` made (one signature, over BASE.pdf) is rewritten with
# another SES_Seal or another appearance, then signed again with KEY (RSA,
# SHA-256): the CMS is genuine, only the e-seal binding is wrong.
# SPDX-License-Identifier: AGPL-3.0-or-later
#
#   esealtamper.py eseal IN.pdf BASE.pdf OUT.pdf KEY.pem NEW.esl
#       the /SealESeal stream replaced by NEW.esl
#   esealtamper.py squash IN.pdf BASE.pdf OUT.pdf KEY.pem
#       the seal's appearance draws the picture at half its height
import hashlib
import os
import re
import sys
import tempfile
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cmsedit import Node, oid, openssl, signed_data, signer_infos, tlv  # noqa: E402


def objects(update):
    """(number, dict bytes, stream bytes or None) of each object, in order."""
    out, pos = [], 0
    head = re.compile(rb"(\d+) 0 obj\s*")
    while True:
        m = head.search(update, pos)
        if not m:
            return out
        start = m.end()
        s = update.find(b"stream", start)
        e = update.find(b"endobj", start)
        if s != -1 and s < e and not update[start:s].rstrip().endswith(b"end"):
            d = update[start:s].rstrip()
            n = int(re.search(rb"/Length\s+(\d+)", d).group(1))
            body = s + len(b"stream")
            body += 2 if update[body:body + 2] == b"\r\n" else 1
            out.append((int(m.group(1)), d, update[body:body + n]))
            pos = update.find(b"endobj", body + n) + 6
        else:
            out.append((int(m.group(1)), update[start:e].rstrip(), None))
            pos = e + 6


def with_stream(d, data, flate):
    d = re.sub(rb"/Filter\s*/FlateDecode", b"", d)
    d = re.sub(rb"/Length\s+\d+", b"/Length %d" % len(data), d)
    if flate:
        d = d[:-2] + b"/Filter/FlateDecode>>"
    return d


def rebuild(base_len, objs, trailer):
    out = bytearray()
    offsets = {}
    for num, d, stream in objs:
        offsets[num] = base_len + len(out)
        out += b"%d 0 obj\n" % num + d
        if stream is not None:
            out += b"\nstream\n" + stream + b"\nendstream"
        out += b"\nendobj\n"
    xref = base_len + len(out)
    out += b"xref\n"
    for num in sorted(offsets):
        out += b"%d 1\n%010d 00000 n \n" % (num, offsets[num])
    out += b"trailer\n" + trailer + b"\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def resign(data, key):
    br = list(re.finditer(rb"/ByteRange\s*\[[^\]]*\]", data))[-1]
    cont = re.compile(rb"/Contents\s*<").search(data, br.end()) or re.compile(rb"/Contents\s*<").search(data)
    b = cont.end() - 1
    c = data.index(b">", b) + 1
    width = br.end() - br.start() - len(b"/ByteRange[]")
    rng = b"0 %d %d %d" % (b, c, len(data) - c)
    data = data[:br.start()] + b"/ByteRange[" + rng.ljust(width) + b"]" + data[br.end():]
    der = bytes.fromhex(data[b + 1:c - 1].decode())
    cms = Node(der)
    cms = Node(cms.raw[:len(cms.encode())])
    digest = hashlib.sha256(data[:b] + data[c:]).digest()
    si = signer_infos(signed_data(cms)).kids[0]
    attrs = next(k for k in si.kids if k.tag == 0xA0)
    for at in attrs.kids:
        if at.kids[0].encode() == oid("1.2.840.113549.1.9.4"):
            at.kids[1] = Node(tlv(0x31, tlv(0x04, digest)))
    attrs.kids.sort(key=lambda k: k.encode())
    with tempfile.TemporaryDirectory() as t:
        open(t + "/attrs", "wb").write(tlv(0x31, b"".join(k.encode() for k in attrs.kids)))
        value = openssl("dgst", "-sha256", "-sign", key, t + "/attrs")
    idx = next(i for i, k in enumerate(si.kids) if k.tag == 0x04)
    si.kids[idx] = Node(tlv(0x04, value))
    hexed = cms.encode().hex().upper().encode()
    room = c - b - 2
    assert len(hexed) <= room, "CMS does not fit"
    return data[:b + 1] + hexed + b"0" * (room - len(hexed)) + data[c - 1:]


def main():
    kind, src, base, dst, key = sys.argv[1:6]
    data, base_data = open(src, "rb").read(), open(base, "rb").read()
    assert data.startswith(base_data), "BASE.pdf is not the signed file's prefix"
    update = data[len(base_data):]
    objs = objects(update)
    trailer = re.search(rb"trailer\s*(<<.*>>)\s*startxref", update, re.S).group(1)
    if kind == "eseal":
        new = open(sys.argv[6], "rb").read()
        num = int(re.search(rb"/SealESeal\s+(\d+)\s+0\s+R", update).group(1))
        objs = [(n, with_stream(d, zlib.compress(new), True), zlib.compress(new)) if n == num else (n, d, s)
                for n, d, s in objs]
    elif kind == "squash":
        def squash(n, d, s):
            if s is None or b"/ESeal" not in d or b"/Form" not in d:
                return (n, d, s)
            text = zlib.decompress(s) if b"FlateDecode" in d else s
            m = re.search(rb"q ([\d.]+) 0 0 ([\d.]+) 0 0 cm", text)
            h = float(m.group(2))
            text = text[:m.start()] + b"q %s 0 0 %.4f 0 %.4f cm" % (m.group(1), h / 2, h / 4) + text[m.end():]
            return (n, with_stream(d, text, False), text)
        objs = [squash(*o) for o in objs]
    else:
        sys.exit("unknown kind " + kind)
    out = resign(base_data + rebuild(len(base_data), objs, trailer), key)
    open(dst, "wb").write(out)


if __name__ == "__main__":
    main()
