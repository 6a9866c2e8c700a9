#!/usr/bin/env python3
"""Add an empty signature field to a simple PDF as an incremental update,
the way tendering platforms hand out templates.

    addfield.py IN.pdf OUT.pdf NAME X0,Y0,X1,Y1 [--lock-all]

IN must have a classic xref table (as tests/tools/mkpdf.py writes). The
field (merged with its widget) goes on the first page, /Rect in PDF user
space; --lock-all gives it /Lock << /Action /All >>. Standard library only.
"""
import re
import sys


def main(argv):
    src, dst, name, rect = argv[:4]
    lock = "--lock-all" in argv[4:]
    data = open(src, "rb").read()
    size = int(re.findall(rb"/Size\s+(\d+)", data)[-1])
    root = int(re.findall(rb"/Root\s+(\d+)\s+0\s+R", data)[-1])
    prev = int(re.findall(rb"startxref\s+(\d+)", data)[-1])

    def obj(num):
        """The object's last definition: what the document shows now."""
        hits = list(re.finditer(rb"(?<![0-9])%d 0 obj(.*?)endobj" % num, data, re.S))
        return hits[-1].group(1).strip()

    def add_to(body, key, fallback):
        """Add the field to an existing /Fields or /Annots array, or append one."""
        if re.search(rb"/%s\s*\[" % key, body):
            return re.sub(rb"/%s\s*\[" % key, b"/%s [%d 0 R " % (key, field), body, count=1)
        return body[:-2].rstrip() + fallback + b" >>"

    page = None
    for m in re.finditer(rb"(?<![0-9])(\d+) 0 obj(.*?)endobj", data, re.S):
        body = m.group(2).strip()
        if body.startswith(b"<<") and b"stream" not in body and re.search(rb"/Type\s*/Page(?![s])", body):
            page = int(m.group(1))
            break
    field = size
    x0, y0, x1, y1 = rect.split(",")
    lockd = b" /Lock << /Type /SigFieldLock /Action /All >>" if lock else b""
    body = {
        field: b"<< /Type /Annot /Subtype /Widget /FT /Sig /T (%s) /F 4 /Rect [%s %s %s %s] /P %d 0 R%s >>"
        % (name.encode(), x0.encode(), y0.encode(), x1.encode(), y1.encode(), page, lockd),
        root: add_to(obj(root), b"Fields", b" /AcroForm << /Fields [%d 0 R] >>" % field),
        page: add_to(obj(page), b"Annots", b" /Annots [%d 0 R]" % field),
    }
    out = bytearray(data)
    if not out.endswith(b"\n"):
        out += b"\n"
    offs = {}
    for num in sorted(body):
        offs[num] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (num, body[num])
    xref = len(out)
    out += b"xref\n"
    for num in sorted(body):
        out += b"%d 1\n%010d 00000 n \n" % (num, offs[num])
    out += b"trailer\n<< /Size %d /Root %d 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        size + 1, root, prev, xref)
    open(dst, "wb").write(out)


if __name__ == "__main__":
    main(sys.argv[1:])
