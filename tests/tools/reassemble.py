#!/usr/bin/env python3
"""Do the slices of a cross-page seal make the whole seal again?

    reassemble.py DPI EDGE SEAL.ppm PAGE1.ppm PAGE2.ppm ...

SEAL.ppm is the artwork rendered alone at DPI; each PAGE is a page rendered
at DPI. From each page the seal-red pixels in the strip at EDGE (right or
left) as wide as the seal's 1/N are cut out and laid side by side (page 1
leftmost for the right edge, rightmost for the left edge). Prints JSON: the
IoU of the reassembled red mask with the seal's, each strip's width in mm,
and the vertical centre of each strip's red in mm. Standard library only.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from redbox import read_ppm, is_red  # noqa: E402


def mask(img):
    w, h, px = img
    return w, h, [[is_red(px, w, x, y) for x in range(w)] for y in range(h)]


def red_rows(m, x0, x1):
    w, h, rows = m
    ys = [y for y in range(h) if any(rows[y][x0:x1])]
    return (min(ys), max(ys)) if ys else None


def main():
    dpi, edge, seal_path, pages = float(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
    sw, sh, srows = mask(read_ppm(seal_path))
    n = len(pages)
    strip = sw / n
    # The seal's red, cropped to its own box.
    ys = [y for y in range(sh) if any(srows[y])]
    xs = [x for x in range(sw) if any(r[x] for r in srows)]
    sx0, sy0 = min(xs), min(ys)
    seal = {(x - sx0, y - sy0) for y in range(sh) for x in range(sw) if srows[y][x]}
    got, widths, centres = set(), [], []
    order = pages if edge == "right" else list(reversed(pages))
    # The strips share the page's vertical frame: rows are kept as they are
    # on the page, and the whole is aligned on its top-left red pixel.
    for k, path in enumerate(order):
        w, h, rows = mask(read_ppm(path))
        x0 = int(round(w - strip)) if edge == "right" else 0
        x1 = w if edge == "right" else int(round(strip))
        box = red_rows((w, h, rows), x0, x1)
        if box is None:
            print(json.dumps({"error": "no red in the strip of %s" % path}))
            return
        widths.append((x1 - x0) / dpi * 25.4)
        centres.append((box[0] + box[1]) / 2 / dpi * 25.4)
        for y in range(box[0], box[1] + 1):
            for x in range(x0, x1):
                if rows[y][x]:
                    got.add((int(round(k * strip)) + x - x0, y))
    # Compare after aligning both on their top-left red pixel.
    gx0 = min(x for x, _ in got)
    gy0 = min(y for _, y in got)
    got = {(x - gx0, y - gy0) for x, y in got}
    inter = len(seal & got)
    union = len(seal | got)
    print(json.dumps({"iou": inter / union if union else 0.0, "strip_mm": widths,
                      "centre_y_mm": centres}))


if __name__ == "__main__":
    main()
