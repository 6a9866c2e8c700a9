#!/usr/bin/env python3
"""Print a made seal onto a collection form, and compare artwork.

    stampform.py stamp FORM.jpg SEAL.png OUT.png
        Lift the seal impressions off a sample collection form (samples/:
        every seal-red pixel becomes paper), then stamp SEAL.png (an RGBA
        PNG at 300 dpi, as `seal make --png F --dpi 300` writes it) where
        each impression was, in seal ink multiplied over the paper. OUT is a 300 dpi PNG scan.

    stampform.py iou A.png B.png
        IoU of the ink of two RGBA artwork PNGs of the same resolution,
        their centres aligned; prints it.

Needs numpy and PIL.
"""
import sys

import numpy as np
from PIL import Image

INK = np.array([205.0, 35.0, 45.0], np.float32)  # a seal-ink red as a scanner sees it


def seal_red(rgb):
    r, g, b = rgb[:, :, 0], rgb[:, :, 1], rgb[:, :, 2]
    return (r > g + 45) & (r > b + 45)


def centres(mask):
    """Centres of the ink in the left and right halves of the box row."""
    ys, xs = np.nonzero(mask)
    mid = mask.shape[1] / 2
    out = []
    for sel in (xs < mid, xs >= mid):
        if sel.sum() < 1000:
            raise SystemExit("stampform: no seal impression on the form's %s half" %
                             ("left" if len(out) == 0 else "right"))
        out.append((int(round(xs[sel].mean())), int(round(ys[sel].mean()))))
    return out


def stamp(form, seal, out):
    page = np.asarray(Image.open(form).convert("RGB")).copy()
    red = seal_red(page.astype(np.int16))
    where = centres(red)
    # paper where the old impressions were (grown a little for their fringes)
    grown = red.copy()
    for _ in range(2):
        g = grown.copy()
        g[1:] |= grown[:-1]
        g[:-1] |= grown[1:]
        g[:, 1:] |= grown[:, :-1]
        g[:, :-1] |= grown[:, 1:]
        grown = g
    page[grown] = np.median(page[~grown][::97], axis=0).astype(np.uint8)
    s = np.asarray(Image.open(seal).convert("RGBA")).astype(np.float32)
    a = s[:, :, 3:4] / 255.0
    h, w = a.shape[:2]
    rng = np.random.default_rng(16)
    for cx, cy in where:
        y0, x0 = cy - h // 2, cx - w // 2
        region = page[y0:y0 + h, x0:x0 + w].astype(np.float32)
        region *= 1 - a * (1 - INK / 255.0)
        region += rng.normal(0, 2.0, region.shape)
        page[y0:y0 + h, x0:x0 + w] = np.clip(region, 0, 255).astype(np.uint8)
    Image.fromarray(page).save(out, dpi=(300, 300))


def ink(path):
    return np.asarray(Image.open(path).convert("RGBA"))[:, :, 3] > 127


def iou(pa, pb):
    a, b = ink(pa), ink(pb)
    h, w = max(a.shape[0], b.shape[0]), max(a.shape[1], b.shape[1])

    def pad(m):
        out = np.zeros((h, w), bool)
        y, x = (h - m.shape[0]) // 2, (w - m.shape[1]) // 2
        out[y:y + m.shape[0], x:x + m.shape[1]] = m
        return out

    a, b = pad(a), pad(b)
    print("%.4f" % ((a & b).sum() / max(1, (a | b).sum())))


def main(argv):
    if len(argv) == 4 and argv[0] == "stamp":
        stamp(*argv[1:])
    elif len(argv) == 3 and argv[0] == "iou":
        iou(*argv[1:])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
