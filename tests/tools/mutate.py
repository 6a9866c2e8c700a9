#!/usr/bin/env python3
# Attacks on signed PDFs, for the verifier's tests (stdlib only).
# SPDX-License-Identifier: AGPL-3.0-or-later
#
#   mutate.py KIND IN.pdf OUT.pdf
#
# KIND:
#   content    an incremental update pointing page 1's /Contents at new content
#   annot      an incremental update adding an opaque Square annotation over page 1
#   override   an incremental update redefining page 1's content stream object
#              (same number, different drawing) — an overridden object
#   pageobj    an incremental update redefining page 1's object (same number)
#              with a smaller /MediaBox and /Rotate 180: content hidden, turned
#   flip       one byte of page 1's text changed inside the signed bytes
#   zero       the last signature's /Contents hex zeroed
#   byterange  the last signature's /ByteRange cut short of its revision's end
#   subfilter  the last signature's /SubFilter renamed (same length)
#   addtext    (not an attack) add a text field 'Price' = 100 on page 1
#   filltext   change the 'Price' field's value and appearance (form filling)
#
# The updates are classic cross-reference sections chained with /Prev, the
# way any PDF editor would append them; the signatures stay untouched.
import re
import sys


def last_obj(data, num):
    """Text of the last definition of object num (classic, not in a stream)."""
    hits = list(re.finditer(rb"(?<![0-9])%d 0 obj\b(.*?)endobj" % num, data, re.S))
    if not hits:
        sys.exit("object %d not found (object streams are not supported here)" % num)
    return hits[-1].group(1)


def trailer_info(data):
    startxref = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    root = int(re.findall(rb"/Root\s+(\d+)\s+0\s+R", data)[-1])
    size = max(int(x) for x in re.findall(rb"/Size\s+(\d+)", data))
    info = re.findall(rb"/Info\s+(\d+)\s+0\s+R", data)
    return startxref, root, size, int(info[-1]) if info else None


def first_page(data, root):
    pages = int(re.search(rb"/Pages\s+(\d+)\s+0\s+R", last_obj(data, root)).group(1))
    kids = re.search(rb"/Kids\s*\[\s*(\d+)\s+0\s+R", last_obj(data, pages))
    return int(kids.group(1))


def append_update(data, objs):
    """objs: {num: body bytes (between 'obj' and 'endobj')}"""
    startxref, root, size, info = trailer_info(data)
    out = bytearray(data)
    if not out.endswith(b"\n"):
        out += b"\n"
    offs = {}
    for num in sorted(objs):
        offs[num] = len(out)
        out += b"%d 0 obj\n" % num + objs[num].strip() + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n"
    for num in sorted(objs):
        out += b"%d 1\n%010d 00000 n \n" % (num, offs[num])
    newsize = max(size, max(objs) + 1)
    out += b"trailer\n<< /Size %d /Root %d 0 R" % (newsize, root)
    if info:
        out += b" /Info %d 0 R" % info
    out += b" /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (startxref, xref)
    return bytes(out)


def stream(body, extra=b""):
    return b"<< /Length %d %s>>\nstream\n" % (len(body), extra) + body + b"\nendstream"


def add_to_form(data, objs, root, field):
    """List field in the AcroForm (made if missing), updating objs."""
    cat = objs.get(root, last_obj(data, root))
    af = re.search(rb"/AcroForm\s+(\d+)\s+0\s+R", cat)
    if af:
        num = int(af.group(1))
        objs[num] = re.sub(rb"/Fields\s*\[", b"/Fields [%d 0 R " % field, last_obj(data, num), count=1)
    elif b"/AcroForm" in cat:
        objs[root] = re.sub(rb"/Fields\s*\[", b"/Fields [%d 0 R " % field, cat, count=1)
    else:
        cat = cat.rstrip()
        objs[root] = cat[: cat.rfind(b">>")] + b" /AcroForm << /Fields [%d 0 R] >> >>" % field


def text_ap(value):
    body = b"/Tx BMC BT /Helv 12 Tf 2 5 Td (" + value + b") Tj ET EMC"
    return stream(body, b"/Type /XObject /Subtype /Form /BBox [0 0 200 20] "
                        b"/Resources << /Font << /Helv << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> ")


def mutate(kind, data):
    startxref, root, size, _ = trailer_info(data)
    page = first_page(data, root)
    pagetxt = last_obj(data, page)
    if kind == "content":
        new = size
        body = b"q 1 0 0 rg 72 600 300 80 re f Q BT /F1 24 Tf 80 620 Td (PRICE: 1 YUAN) Tj ET"
        pagetxt = re.sub(rb"/Contents\s*(\d+\s+0\s+R|\[[^\]]*\])", b"/Contents %d 0 R" % new, pagetxt)
        return append_update(data, {new: stream(body), page: pagetxt})
    if kind == "annot":
        ap, annot = size, size + 1
        body = b"1 1 1 rg 0 0 400 300 re f 0 0 0 rg BT /Helv 30 Tf 20 140 Td (NEW PRICE) Tj ET"
        annot_txt = (b"<< /Type /Annot /Subtype /Square /Rect [100 300 500 600] /F 4 "
                     b"/C [1 1 1] /IC [1 1 1] /AP << /N %d 0 R >> >>" % ap)
        if re.search(rb"/Annots\s*\[", pagetxt):
            pagetxt = re.sub(rb"/Annots\s*\[", b"/Annots [%d 0 R " % annot, pagetxt, count=1)
        elif re.search(rb"/Annots\s+\d+\s+0\s+R", pagetxt):
            sys.exit("indirect /Annots arrays are not supported here")
        else:
            pagetxt = pagetxt.rstrip()
            pagetxt = pagetxt[: pagetxt.rfind(b">>")] + b" /Annots [%d 0 R] >>" % annot
        return append_update(data, {ap: stream(body, b"/Type /XObject /Subtype /Form /BBox [0 0 400 300] "),
                                    annot: annot_txt, page: pagetxt})
    if kind == "override":
        m = re.search(rb"/Contents\s*(\d+)\s+0\s+R", pagetxt) or re.search(rb"/Contents\s*\[\s*(\d+)\s+0\s+R", pagetxt)
        num = int(m.group(1))
        body = b"BT /F1 24 Tf 72 700 Td (This page was replaced after signing) Tj ET"
        return append_update(data, {num: stream(body)})
    if kind == "pageobj":
        pagetxt = re.sub(rb"/MediaBox\s*\[[^\]]*\]", b"/MediaBox [0 0 300 300]", pagetxt)
        pagetxt = pagetxt.rstrip()
        pagetxt = pagetxt[: pagetxt.rfind(b">>")] + b" /Rotate 180 >>"
        return append_update(data, {page: pagetxt})
    if kind == "addtext":
        ap, field = size, size + 1
        objs = {ap: text_ap(b"100"),
                field: b"<< /FT /Tx /T (Price) /V (100) /DA (/Helv 12 Tf 0 g) /Type /Annot /Subtype /Widget "
                       b"/Rect [100 40 300 60] /F 4 /P %d 0 R /AP << /N %d 0 R >> >>" % (page, ap)}
        if re.search(rb"/Annots\s*\[", pagetxt):
            pagetxt = re.sub(rb"/Annots\s*\[", b"/Annots [%d 0 R " % field, pagetxt, count=1)
        else:
            pagetxt = pagetxt.rstrip()
            pagetxt = pagetxt[: pagetxt.rfind(b">>")] + b" /Annots [%d 0 R] >>" % field
        objs[page] = pagetxt
        add_to_form(data, objs, root, field)
        return append_update(data, objs)
    if kind == "filltext":
        m = list(re.finditer(rb"(?<![0-9])(\d+) 0 obj\s*<< /FT /Tx /T \(Price\)", data))
        if not m:
            sys.exit("no Price field")
        num = int(m[-1].group(1))
        txt = last_obj(data, num)
        ap = size
        txt = re.sub(rb"/V \([^)]*\)", b"/V (1)", txt)
        txt = re.sub(rb"/AP << /N \d+ 0 R >>", b"/AP << /N %d 0 R >>" % ap, txt)
        return append_update(data, {ap: text_ap(b"1"), num: txt})
    if kind == "flip":
        i = data.find(b"Tj")
        j = data.rfind(b"(", 0, i) + 1
        out = bytearray(data)
        out[j] = ord("X") if out[j] != ord("X") else ord("Y")
        return bytes(out)
    brs = list(re.finditer(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data))
    if not brs:
        sys.exit("no signature")
    br = brs[-1]
    a, b, c, d = (int(x) for x in br.groups())
    if kind == "subfilter":
        i = data.rfind(b"ETSI.CAdES.detached")
        if i < 0:
            sys.exit("no ETSI.CAdES.detached signature")
        return data[:i] + b"ETSI.CAdES.detacheX" + data[i + 19:]
    if kind == "zero":
        out = bytearray(data)
        out[b + 1 : c - 1] = b"0" * (c - 1 - (b + 1))
        return bytes(out)
    if kind == "byterange":
        old = br.group(0)
        # The second range stops short of the revision's %%EOF.
        new = b"/ByteRange [%d %d %d %d]" % (a, b, c, d - 2)
        if len(new) > len(old):
            sys.exit("no room to rewrite /ByteRange")
        new = new[:-1] + b" " * (len(old) - len(new)) + b"]"
        return data[: br.start()] + new + data[br.end():]
    sys.exit("unknown mutation %s" % kind)


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__ or "usage: mutate.py KIND IN OUT")
    kind, src, dst = argv
    data = open(src, "rb").read()
    open(dst, "wb").write(mutate(kind, data))


if __name__ == "__main__":
    main(sys.argv[1:])
