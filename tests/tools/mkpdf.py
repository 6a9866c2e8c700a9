#!/usr/bin/env python3
"""Write small, well-formed test PDFs (classic xref table, one revision).

Python standard library only. Also used as a module by mkart.py (PdfWriter).

    mkpdf.py OUT [--pages N] [--rotate DEG] [--mediabox X0,Y0,X1,Y1]
                 [--cropbox X0,Y0,X1,Y1] [--image-kb K] [--seed S]
                 [--text PAGE:X,Y:TEXT]...

--image-kb K gives every page an uncompressed K KiB image of random bytes
(incompressible content, for benchmarks). --text draws TEXT (CJK allowed)
at 12 pt with its baseline starting X,Y mm from the top-left of the
MediaBox on page PAGE, in a non-embedded STSong-Light (UniGB-UCS2-H, every
glyph 1 em wide) so text extraction reads it back exactly.
"""
import argparse
import hashlib
import random
import sys

A4 = (0, 0, 595.276, 841.89)


def fmt(v):
    """A PDF number: integers bare, reals with at most 4 decimals."""
    if isinstance(v, int) or float(v).is_integer():
        return str(int(v))
    return ("%.4f" % v).rstrip("0").rstrip(".")


def pdf_text(s):
    """A PDF string: literal for ASCII, UTF-16BE hex with BOM otherwise."""
    try:
        b = s.encode("ascii")
    except UnicodeEncodeError:
        return "<FEFF" + s.encode("utf-16-be").hex().upper() + ">"
    b = b.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    return "(" + b.decode("ascii") + ")"


def box(b):
    return "[" + " ".join(fmt(v) for v in b) + "]"


class PdfWriter:
    """Objects are numbered from 1 in the order they are reserved or added."""

    def __init__(self, version="1.7"):
        self.version = version
        self.objs = []

    def reserve(self):
        self.objs.append(None)
        return len(self.objs)

    def set(self, num, body):
        if isinstance(body, str):
            body = body.encode("latin-1")
        self.objs[num - 1] = body

    def add(self, body):
        num = self.reserve()
        self.set(num, body)
        return num

    def add_stream(self, data, extra=""):
        if isinstance(data, str):
            data = data.encode("latin-1")
        head = ("<< /Length %d %s>>\nstream\n" % (len(data), extra + " " if extra else ""))
        return self.add(head.encode("latin-1") + data + b"\nendstream")

    def write(self, path, root, info=None):
        out = bytearray()
        out += b"%PDF-" + self.version.encode() + b"\n%\xe2\xe3\xcf\xd3\n"
        offsets = []
        for i, body in enumerate(self.objs, 1):
            if body is None:
                raise ValueError("object %d reserved but never set" % i)
            offsets.append(len(out))
            out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
        xref = len(out)
        out += b"xref\n0 %d\n" % (len(self.objs) + 1)
        out += b"0000000000 65535 f\r\n"
        for off in offsets:
            out += b"%010d 00000 n\r\n" % off
        fid = hashlib.md5(bytes(out)).hexdigest().upper()
        trailer = "<< /Size %d /Root %d 0 R" % (len(self.objs) + 1, root)
        if info:
            trailer += " /Info %d 0 R" % info
        trailer += " /ID [<%s> <%s>] >>" % (fid, fid)
        out += b"trailer\n" + trailer.encode() + b"\nstartxref\n%d\n%%%%EOF\n" % xref
        with open(path, "wb") as f:
            f.write(out)
        return len(out)


def page_text(n, total, media):
    x0, y0, x1, y1 = media
    top = y1 - 72
    lines = [
        "libseal test document",
        "Page %d of %d" % (n, total),
        "Bid section %d: technical proposal, schedule and price." % n,
        "The quick brown fox jumps over the lazy dog 0123456789.",
    ]
    ops = ["BT", "/F1 20 Tf", "%s %s Td" % (fmt(x0 + 72), fmt(top)), "24 TL"]
    for i, line in enumerate(lines):
        if i == 1:
            ops.append("/F1 12 Tf")
        ops.append(pdf_text(line) + " Tj T*")
    ops.append("ET")
    # A thin frame 1 inch inside the MediaBox, to see where the page is.
    ops.append("0.5 w 0 0 0.6 RG %s %s %s %s re S" % (
        fmt(x0 + 36), fmt(y0 + 36), fmt(x1 - x0 - 72), fmt(y1 - y0 - 72)))
    return "\n".join(ops) + "\n"


MM = 72 / 25.4


def text_ops(lines, media):
    """Content operators drawing (x_mm, y_mm, text) lines with font /F2."""
    ops = []
    for x, y, t in lines:
        ops.append("BT /F2 12 Tf %s %s Td <%s> Tj ET" % (
            fmt(round(media[0] + x * MM, 3)), fmt(round(media[3] - y * MM, 3)),
            t.encode("utf-16-be").hex().upper()))
    return "".join(op + "\n" for op in ops)


def build(args):
    w = PdfWriter()
    catalog = w.reserve()
    pages = w.reserve()
    font = w.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
                 "/Encoding /WinAnsiEncoding >>")
    info = w.add("<< /Title %s /Producer (libseal tests/tools/mkpdf.py) "
                 "/CreationDate (D:20250101120000Z) >>" % pdf_text(args.title))
    cjk = None
    if args.text:
        desc = w.add("<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "
                     "/FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 "
                     "/CapHeight 880 /StemV 93 >>")
        cid = w.add("<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
                    "/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> "
                    "/FontDescriptor %d 0 R /DW 1000 >>" % desc)
        cjk = w.add("<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light "
                    "/Encoding /UniGB-UCS2-H /DescendantFonts [%d 0 R] >>" % cid)
    rng = random.Random(args.seed)
    kids = []
    for n in range(1, args.pages + 1):
        content = page_text(n, args.pages, args.mediabox)
        content += text_ops([(x, y, t) for p, x, y, t in args.text if p == n], args.mediabox)
        res = "/Font << /F1 %d 0 R%s >>" % (font, " /F2 %d 0 R" % cjk if cjk else "")
        if args.image_kb:
            side = int((args.image_kb * 1024 / 3) ** 0.5)
            data = rng.randbytes(side * side * 3)
            img = w.add_stream(data, "/Type /XObject /Subtype /Image /Width %d /Height %d "
                               "/ColorSpace /DeviceRGB /BitsPerComponent 8" % (side, side))
            res += " /XObject << /Im1 %d 0 R >>" % img
            x0, y0, x1, y1 = args.mediabox
            content += "q %s 0 0 %s %s %s cm /Im1 Do Q\n" % (
                fmt(x1 - x0 - 144), fmt(x1 - x0 - 144), fmt(x0 + 72), fmt(y0 + 120))
        cs = w.add_stream(content)
        page = "<< /Type /Page /Parent %d 0 R /MediaBox %s /Resources << %s >> /Contents %d 0 R" % (
            pages, box(args.mediabox), res, cs)
        if args.cropbox:
            page += " /CropBox %s" % box(args.cropbox)
        if args.rotate:
            page += " /Rotate %d" % args.rotate
        if args.user_unit:
            page += " /UserUnit %s" % fmt(args.user_unit)
        kids.append(w.add(page + " >>"))
    w.set(pages, "<< /Type /Pages /Kids [%s] /Count %d >>" % (
        " ".join("%d 0 R" % k for k in kids), len(kids)))
    w.set(catalog, "<< /Type /Catalog /Pages %d 0 R >>" % pages)
    return w.write(args.out, catalog, info)


def parse_box(s):
    v = [float(x) for x in s.split(",")]
    if len(v) != 4:
        raise argparse.ArgumentTypeError("a box is X0,Y0,X1,Y1")
    return tuple(v)


def parse_text(s):
    try:
        page, at, text = s.split(":", 2)
        x, y = (float(v) for v in at.split(","))
        return int(page), x, y, text
    except ValueError:
        raise argparse.ArgumentTypeError("--text takes PAGE:X,Y:TEXT (X,Y in mm from the top-left)")


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out")
    p.add_argument("--pages", type=int, default=1)
    p.add_argument("--rotate", type=int, default=0, choices=(0, 90, 180, 270))
    p.add_argument("--mediabox", type=parse_box, default=A4)
    p.add_argument("--cropbox", type=parse_box)
    p.add_argument("--image-kb", type=int, default=0)
    p.add_argument("--user-unit", type=float, default=0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--title", default="libseal test document")
    p.add_argument("--text", type=parse_text, action="append", default=[])
    args = p.parse_args(argv)
    build(args)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
