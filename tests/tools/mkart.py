#!/usr/bin/env python3
"""Write test seal artwork: one-page PDFs at the seal's physical size holding
only filled vector paths in seal red on a transparent page (no background).

    mkart.py company OUT     42 x 42 mm round company seal: ring + star
    mkart.py legalrep OUT    20 x 20 mm square legal-representative seal
    mkart.py twopage OUT     two pages: invalid artwork

Python standard library only.
"""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mkpdf import PdfWriter, fmt, pdf_text  # noqa: E402

MM = 72 / 25.4
RED = "0.85 0.1 0.1 rg"
KAPPA = 0.5522847498


def circle(cx, cy, r):
    """A closed circle as four Bezier curves, counter-clockwise."""
    k = KAPPA * r
    p = [
        "%s %s m" % (fmt(cx + r), fmt(cy)),
        "%s %s %s %s %s %s c" % (fmt(cx + r), fmt(cy + k), fmt(cx + k), fmt(cy + r), fmt(cx), fmt(cy + r)),
        "%s %s %s %s %s %s c" % (fmt(cx - k), fmt(cy + r), fmt(cx - r), fmt(cy + k), fmt(cx - r), fmt(cy)),
        "%s %s %s %s %s %s c" % (fmt(cx - r), fmt(cy - k), fmt(cx - k), fmt(cy - r), fmt(cx), fmt(cy - r)),
        "%s %s %s %s %s %s c" % (fmt(cx + k), fmt(cy - r), fmt(cx + r), fmt(cy - k), fmt(cx + r), fmt(cy)),
        "h",
    ]
    return "\n".join(p)


def star(cx, cy, r_out):
    """A five-pointed star, point up, as one closed polygon."""
    r_in = r_out * math.sin(math.radians(18)) / math.sin(math.radians(54))
    pts = []
    for i in range(10):
        r = r_out if i % 2 == 0 else r_in
        a = math.radians(90 + 36 * i)
        pts.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    ops = ["%s %s m" % (fmt(pts[0][0]), fmt(pts[0][1]))]
    ops += ["%s %s l" % (fmt(x), fmt(y)) for x, y in pts[1:]]
    ops.append("h")
    return "\n".join(ops)


def rect(x, y, w, h):
    return "%s %s %s %s re" % (fmt(x), fmt(y), fmt(w), fmt(h))


def company():
    size = 42 * MM
    c = size / 2
    ring = 1.2 * MM
    ops = [RED,
           circle(c, c, c), circle(c, c, c - ring), "f*",   # ring at the edge
           star(c, c, 7 * MM), "f"]                       # ~14 mm star
    info = {"Title": "某某建设工程有限公司", "SealKind": "/company",
            "SealName": "某某建设工程有限公司"}
    return size, "\n".join(ops) + "\n", info


def legalrep():
    size = 20 * MM
    frame = 1.5 * MM
    ops = [RED, rect(0, 0, size, size), rect(frame, frame, size - 2 * frame, size - 2 * frame), "f*"]
    # A 4 x 4 checker of cells inside the frame stands in for the characters.
    inner = size - 4 * frame
    cell = inner / 4
    for row in range(4):
        for col in range(4):
            if (row + col) % 2 == 0:
                ops.append(rect(2 * frame + col * cell, 2 * frame + row * cell, cell, cell))
    ops.append("f")
    info = {"Title": "张三", "SealKind": "/legal-rep", "SealName": "张三"}
    return size, "\n".join(ops) + "\n", info


def write(out, size, pages_content, info):
    w = PdfWriter()
    catalog = w.reserve()
    pages = w.reserve()
    items = ["/Producer (libseal tests/tools/mkart.py)", "/SealSource (test fixture)"]
    for k, v in info.items():
        items.append("/%s %s" % (k, v if v.startswith("/") else pdf_text(v)))
    info_num = w.add("<< " + " ".join(items) + " >>")
    kids = []
    for content in pages_content:
        cs = w.add_stream(content)
        kids.append(w.add("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s] "
                          "/Resources << >> /Contents %d 0 R >>" % (pages, fmt(size), fmt(size), cs)))
    w.set(pages, "<< /Type /Pages /Kids [%s] /Count %d >>" % (
        " ".join("%d 0 R" % k for k in kids), len(kids)))
    w.set(catalog, "<< /Type /Catalog /Pages %d 0 R >>" % pages)
    w.write(out, catalog, info_num)


def main(argv):
    if len(argv) != 2 or argv[0] not in ("company", "legalrep", "twopage"):
        sys.stderr.write(__doc__)
        return 2
    kind, out = argv
    if kind == "company":
        size, content, info = company()
        write(out, size, [content], info)
    elif kind == "legalrep":
        size, content, info = legalrep()
        write(out, size, [content], info)
    else:
        size, content, info = company()
        write(out, size, [content, content], info)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
