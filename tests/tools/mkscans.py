#!/usr/bin/env python3
"""Collection-form scans that must not be enrolled, or only with care (issue 17).

    mkscans.py FORM.jpg SEAL.png OUTDIR

FORM is a 300 dpi collection form with one impression in each box (the
samples); SEAL the seal's artwork as an RGBA PNG at 300 dpi (`seal enrol
--png F --png-dpi 300` of that form). Written to OUTDIR, every page 300 dpi:

  quarter.png     both boxes hold only the top-right quarter of the seal
                  (a fragment: a quarter of the ring and of the text)
  half.png        both impressions with their lower half erased
  fragment2.png   box 1 whole, box 2 the quarter
  sizes.png       box 1 the seal, box 2 the same seal at 85% (another seal:
                  the two disagree by 6 mm, far more than ink spreads)
  seal.png        only the impression of box 1, cropped (50.8 mm square),
                  with its resolution (pHYs 300 dpi)
  seal-nodpi.png  the same without a resolution
  seal.jpg        JFIF density 300 dpi;  seal-nodpi.jpg: units 0 (none)
  seal.tif        TIFF resolution tags; seal-nodpi.tif: none
  table.png       only the row of the two boxes, with its resolution
  table-nodpi.png the same without
"""
import os
import sys

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import makecheck  # noqa: E402


def part(seal, keep):
    """The seal with the alpha outside keep(x, y) (pixel grids) cleared."""
    h, w = seal.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    out = seal.copy()
    out[~keep(xx - w / 2, yy - h / 2), 3] = 0
    return out


def main(form, seal_png, out):
    seal = np.asarray(Image.open(seal_png).convert("RGBA")).astype(np.float32)
    quarter = part(seal, lambda x, y: (x >= 0) & (y < 0))
    half = part(seal, lambda x, y: y < 0)
    im = Image.open(seal_png).convert("RGBA")
    small = im.resize((round(im.width * 0.85), round(im.height * 0.85)), Image.LANCZOS)
    small = np.asarray(small).astype(np.float32)
    for name, seals in (("quarter", (quarter, quarter)), ("half", (half, half)),
                        ("fragment2", (seal, quarter)), ("sizes", (seal, small))):
        makecheck.stamp_boxes(form, seals, os.path.join(out, name + ".png"))

    page = Image.open(form).convert("RGB")
    red = makecheck.seal_red(np.asarray(page).astype(np.int16))
    (cx, cy), _ = makecheck.centres(red)
    r = 300  # 25.4 mm at 300 dpi
    crop = page.crop((cx - r, cy - r, cx + r, cy + r))
    crop.save(os.path.join(out, "seal.png"), dpi=(300, 300))
    crop.save(os.path.join(out, "seal-nodpi.png"))
    crop.save(os.path.join(out, "seal.jpg"), quality=95, dpi=(300, 300))
    crop.save(os.path.join(out, "seal-nodpi.jpg"), quality=95)
    crop.save(os.path.join(out, "seal.tif"), dpi=(300, 300))
    crop.save(os.path.join(out, "seal-nodpi.tif"))
    table = page.crop((80, cy - 650, page.width - 80, cy + 650))
    table.save(os.path.join(out, "table.png"), dpi=(300, 300))
    table.save(os.path.join(out, "table-nodpi.png"))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.stderr.write(__doc__)
        sys.exit(2)
    main(*sys.argv[1:])
