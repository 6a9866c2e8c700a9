#!/usr/bin/env python3
"""Where is the seal red on a rendered page? Reads a binary PPM (P6, as
pdftoppm writes it) rendered at DPI and prints JSON: the bounding box of the
seal-red pixels in millimetres from the top-left corner of the image, its
centre and size, the red pixel count, and for each --at X,Y (mm) whether the
pixels around that point are red.

    redbox.py PAGE.ppm DPI [--at X,Y]...

Seal red: R > 150, G < 110, B < 110. Python standard library only.
"""
import json
import sys


def read_ppm(path):
    data = open(path, "rb").read()
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    if fields[0] != b"P6" or int(fields[3]) != 255:
        raise SystemExit("redbox: not an 8-bit P6 PPM")
    return int(fields[1]), int(fields[2]), data[pos + 1:]


def is_red(px, w, x, y):
    i = (y * w + x) * 3
    r, g, b = px[i], px[i + 1], px[i + 2]
    return r > 150 and g < 110 and b < 110


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    w, h, px = read_ppm(argv[0])
    dpi = float(argv[1])
    mm = 25.4 / dpi
    n = 0
    x0, y0, x1, y1 = w, h, -1, -1
    for y in range(h):
        row = px[y * w * 3:(y + 1) * w * 3]
        for x in range(w):
            r = row[3 * x]
            if r > 150 and row[3 * x + 1] < 110 and row[3 * x + 2] < 110:
                n += 1
                if x < x0: x0 = x
                if x > x1: x1 = x
                if y < y0: y0 = y
                if y > y1: y1 = y
    out = {"width_mm": w * mm, "height_mm": h * mm, "red_pixels": n}
    if n:
        out["bbox_mm"] = [x0 * mm, y0 * mm, (x1 + 1) * mm, (y1 + 1) * mm]
        out["centre_mm"] = [(x0 + x1 + 1) / 2 * mm, (y0 + y1 + 1) / 2 * mm]
        out["size_mm"] = [(x1 + 1 - x0) * mm, (y1 + 1 - y0) * mm]
    samples = []
    args = argv[2:]
    while args:
        if args[0] != "--at" or len(args) < 2:
            sys.stderr.write(__doc__)
            return 2
        sx, sy = (float(v) for v in args[1].split(","))
        cx, cy = int(sx / mm), int(sy / mm)
        votes = sum(is_red(px, w, x, y) for x in range(cx - 1, cx + 2) for y in range(cy - 1, cy + 2)
                    if 0 <= x < w and 0 <= y < h)
        samples.append({"at_mm": [sx, sy], "red": votes >= 5})
        args = args[2:]
    out["samples"] = samples
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
