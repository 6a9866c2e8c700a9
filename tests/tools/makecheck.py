#!/usr/bin/env python3
"""Checks of a seal drawn by `seal make`, measured on its output paths.

    makecheck.py geom ART.svg MAKE.json SPEC   geometry from the SVG paths
    makecheck.py ocr ART.png MAKE.json PART EXPECTED
                                              read PART back with Tesseract
    makecheck.py stamp FORM.jpg SEAL.png OUT.png
                                              print a made seal onto a form
    makecheck.py iou A.png B.png               IoU of two artwork PNGs

SPEC is `round:D:RING`, `oval:W:H:RING`, `square:S:BORDER` or, for a yin seal
with a border, `square:S:0:INSET:LINE` (a white line LINE mm wide INSET mm
inside the field's edge). The JSON is
`seal make --json`: its elements name which SVG subpaths draw which part and
the character each glyph is; every position, size and angle checked here is
measured from the paths themselves, never taken from the JSON.

Geometry (issue 16): outer size within 0.05 mm; ring width; star size and
centre; each name glyph's centre on the text line within 0.2 mm, equally
spaced, turned along the normal within 1 degree, the arc symmetric about the
vertical axis; horizontal lines centred; seal code digits in order. A glyph's
turn is measured as the angle at which the box around its points is
smallest (CJK glyphs are built of horizontal and vertical strokes).

OCR: PART is name (the arc straightened, glyph by glyph), text, tax_id,
code (the bottom arc straightened) or grid (a name seal's cells, read right
column first). Needs numpy, PIL and the tesseract command with chi_sim
(Chinese) and eng (the tax number and the seal code: Latin letters and
digits, which chi_sim confuses, 0 with O and 1 with I).
"""
import json
import math
import re
import subprocess
import sys
import tempfile

import numpy as np


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def subpaths(svg):
    d = re.search(r' d="([^"]*)"', open(svg, encoding="utf-8").read()).group(1)
    out = []
    for part in d.split("Z"):
        nums = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", part)]
        if nums:
            out.append(np.array(nums).reshape(-1, 2))
    return out


def element_paths(paths, el):
    first, count = el["paths"]
    return paths[first:first + count]


def turned_box(p, deg):
    """Box of points p turned back by deg (clockwise as seen, y down)."""
    a = math.radians(deg)
    c, s = math.cos(a), math.sin(a)
    # inverse of x' = x c - y s, y' = x s + y c
    u = p[:, 0] * c + p[:, 1] * s
    v = -p[:, 0] * s + p[:, 1] * c
    return u.min(), u.max(), v.min(), v.max(), c, s


def stroke_turn(subs, guess):
    """(turn, share) of a glyph from its strokes: CJK glyphs are built mostly of
    horizontal and vertical strokes whose outline edges are exactly parallel
    to the glyph's axes, while slanted strokes scatter. The turn is the
    sharpest peak of the edges' directions (modulo 90 degrees, weighted by
    length, 0.3-degree kernel) within 8 degrees of guess, the direction of
    the glyph from the seal's centre."""
    ds = np.vstack([np.diff(np.vstack([p, p[:1]]), axis=0) for p in subs])
    ln = np.hypot(ds[:, 0], ds[:, 1])
    th = np.degrees(np.arctan2(ds[:, 1], ds[:, 0]))
    cand = guess + np.arange(-8, 8.001, 0.02)
    off = (th[None, :] - cand[:, None] + 45) % 90 - 45
    score = np.sum(ln[None, :] * np.exp(-(off / 0.3) ** 2), axis=1)
    best = int(np.argmax(score))
    return float(cand[best]), float(np.sum(ln[np.abs(off[best]) < 0.5]) / np.sum(ln))


def measure(subs, guess):
    """(turn, centre, share) of a glyph: the turn from its strokes, the centre
    of its box in that turned frame and the share of its outline on the
    axes found (little for glyphs made of slanted strokes such as 公)."""
    p = np.vstack(subs)
    deg, share = stroke_turn(subs, guess)
    u0, u1, v0, v1, c, s = turned_box(p, deg)
    uc, vc = (u0 + u1) / 2, (v0 + v1) / 2
    return deg, (uc * c - vc * s, uc * s + vc * c), share


def wrap(d):
    return (d + 180) % 360 - 180


def normal_at(dx, dy, a, b, bottom):
    """The turn of a glyph at (dx, dy) from the centre whose up is the
    ellipse's outward (top) or inward (bottom) normal."""
    nx, ny = dx / a ** 2, dy / b ** 2
    return math.degrees(math.atan2(-nx, ny) if bottom else math.atan2(nx, -ny))


# A glyph with less of its outline on its axes than this (公, 人 ...) has
# no turn to measure; its centre is still checked.
MIN_AXIS_SHARE = 0.12


def check_arc(name, glyphs, cx, cy, a, b, bottom):
    """Glyph centres on the ellipse (a, b) about (cx, cy), turned along its normal."""
    got, measured = [], 0
    for i, (el, p) in enumerate(glyphs):
        m = np.vstack(p).mean(axis=0)
        turn, (x, y), share = measure(p, normal_at(m[0] - cx, m[1] - cy, a, b, bottom))
        dx, dy = x - cx, y - cy
        normal = normal_at(dx, dy, a, b, bottom)
        if share >= MIN_AXIS_SHARE:
            measured += 1
            if abs(wrap(turn - normal)) > 1.0:
                fail(f"{name} glyph {i} ({el['text']}) turned {turn:.2f} deg, normal {normal:.2f}")
        else:
            turn, (x, y), _ = measure(p, normal)
            turn = normal
            dx, dy = x - cx, y - cy
        # distance to the ellipse: F / |grad F|
        F = (dx / a) ** 2 + (dy / b) ** 2 - 1
        dist = abs(F) / (2 * math.hypot(dx / a ** 2, dy / b ** 2))
        if dist > 0.2:
            fail(f"{name} glyph {i} ({el['text']}) centre {dist:.3f} mm off its line")
        got.append((x, y, turn))
    if measured < 0.7 * len(glyphs):
        fail(f"{name}: the turn of only {measured} of {len(glyphs)} glyphs could be measured")
    print(f"ok {name}: turns of {measured}/{len(glyphs)} glyphs measured on the normal within 1 deg")
    return got


def geom(svg, js, spec):
    paths = subpaths(svg)
    j = json.load(open(js, encoding="utf-8"))
    els = j["elements"]
    kind = spec.split(":")
    by_role = {}
    for el in els:
        by_role.setdefault(el["role"], []).append((el, element_paths(paths, el)))
    w, h = j["size_mm"]
    border = by_role.get("border") or by_role.get("field")
    outer = border[0][1]
    first, count = border[0][0]["paths"]
    op = paths[first]
    ow, oh = op[:, 0].max() - op[:, 0].min(), op[:, 1].max() - op[:, 1].min()
    cx, cy = (op[:, 0].max() + op[:, 0].min()) / 2, (op[:, 1].max() + op[:, 1].min()) / 2
    if kind[0] == "round":
        D, ring = float(kind[1]), float(kind[2])
        want = (D, D)
    elif kind[0] == "oval":
        want, ring = (float(kind[1]), float(kind[2])), float(kind[3])
    else:
        want, ring = (float(kind[1]), float(kind[1])), float(kind[2])
    if abs(ow - want[0]) > 0.05 or abs(oh - want[1]) > 0.05 or abs(w - want[0]) > 0.05:
        fail(f"outer size {ow:.3f} x {oh:.3f} mm, want {want[0]} x {want[1]}")
    def width(i):
        return paths[first + i][:, 0].max() - paths[first + i][:, 0].min()
    if kind[0] == "square" and len(kind) == 5:
        # yin with a border: a white line LINE wide at INSET from the edge
        inset, line = float(kind[3]), float(kind[4])
        if count != 3:
            fail(f"the yin field has {count} outlines, want 3 (field, white frame line)")
        gi, gl = (ow - width(1)) / 2, (width(1) - width(2)) / 2
        if abs(gi - inset) > 0.02 or abs(gl - line) > 0.02:
            fail(f"white frame line {gl:.3f} mm at {gi:.3f} mm, want {line} at {inset}")
        print(f"ok white frame line {gl:.3f} mm, {gi:.3f} mm inside the edge")
    elif ring == 0 and count != 1:
        fail(f"a seal without a border has {count} outlines around it, want 1")
    if ring and count == 2:
        rw = (ow - width(1)) / 2
        if abs(rw - ring) > 0.02:
            fail(f"ring/border {rw:.3f} mm, want {ring}")
    print(f"ok outer {ow:.3f} x {oh:.3f} mm, border {ring} mm, centre {cx:.3f},{cy:.3f}")
    if kind[0] in ("round", "oval"):
        check_org(kind[0], by_role, cx, cy, want, ring, j)
    else:
        check_grid(by_role, cx, cy, j)


def check_org(shape, by_role, cx, cy, size, ring, j):
    W, H = size
    if "star" in by_role:
        p = by_role["star"][0][1][0]
        tips = p[::2]
        sc = tips.mean(axis=0)
        r = np.hypot(p[:, 0] - sc[0], p[:, 1] - sc[1]).max()
        if math.hypot(sc[0] - cx, sc[1] - cy) > 0.05 or abs(2 * r - 14 * W / 42) > 0.05:
            fail(f"star centre {sc}, tip circle {2 * r:.3f} mm, want {14 * W / 42:.3f}")
        print(f"ok star {2 * r:.3f} mm across at the centre")
    hg = 0.16 * H
    gap = 0.5 if shape == "oval" else 0.015 * W
    a, b = W / 2 - ring - gap - hg / 2, H / 2 - ring - gap - hg / 2
    names = by_role["name"]
    got = check_arc("name", names, cx, cy, a, b, False)
    # polar angle of each centre, from the top clockwise; equal steps on a
    # circle, equal arc length on an ellipse
    pol = [math.degrees(math.atan2((x - cx) / a, -(y - cy) / b)) for x, y, _ in got]
    if any(q <= p for p, q in zip(pol, pol[1:])):
        fail("name glyphs are not in reading order, clockwise from the left")
    if abs(pol[0] + pol[-1]) > 0.5:
        fail(f"name arc not symmetric: {pol[0]:.2f} .. {pol[-1]:.2f} deg")
    if shape == "round":
        steps = np.diff(pol)
        if steps.max() - steps.min() > 0.5:
            fail(f"name glyphs unequally spaced: steps {steps.min():.2f} .. {steps.max():.2f} deg")
        print(f"ok name: {len(pol)} glyphs on r={a:.2f} mm, {pol[0]:.1f} .. {pol[-1]:.1f} deg, "
              f"step {steps.mean():.2f} deg")
    else:
        s = [0.0]
        t = np.linspace(-math.pi, math.pi, 20001)
        xs, ys = a * np.sin(t), -b * np.cos(t)
        seg = np.hypot(np.diff(xs), np.diff(ys))
        cum = np.concatenate([[0], np.cumsum(seg)])
        ts = [math.atan2((x - cx) / a, -(y - cy) / b) for x, y, _ in got]
        s = np.interp(ts, t, cum)
        steps = np.diff(s)
        if steps.max() - steps.min() > 0.2:
            fail(f"name glyphs unequally spaced along the ellipse: {steps.min():.3f} .. {steps.max():.3f} mm")
        print(f"ok name: {len(ts)} glyphs on the {2 * a:.2f} x {2 * b:.2f} ellipse, "
              f"{steps.mean():.3f} mm apart")
    for role in ("text", "tax_id"):
        if role not in by_role:
            continue
        cs = [measure(p, 0.0) for _, p in by_role[role]]
        cs = [c if c[2] >= MIN_AXIS_SHARE else (0.0,) + c[1:] for c in cs]
        xs = [c[1][0] for c in cs]
        ys = [c[1][1] for c in cs]
        if abs((xs[0] + xs[-1]) / 2 - cx) > 0.1 or max(ys) - min(ys) > 0.3:
            fail(f"{role} not centred: x {xs[0]:.2f} .. {xs[-1]:.2f}, y {min(ys):.2f} .. {max(ys):.2f}")
        if any(abs(c[0]) > 1.0 for c in cs) or any(q <= p for p, q in zip(xs, xs[1:])):
            fail(f"{role} glyphs not upright and in order")
        print(f"ok {role}: {len(xs)} glyphs centred at x={(xs[0] + xs[-1]) / 2:.3f}")
    if "code" in by_role:
        hc = 0.07 * H if shape == "oval" else 0.055 * W
        ca, cb = W / 2 - ring - 0.8 * gap - hc / 2, H / 2 - ring - 0.8 * gap - hc / 2
        got = check_arc("code", by_role["code"], cx, cy, ca, cb, True)
        order = sorted(range(len(got)), key=lambda i: got[i][0])
        digits = "".join(by_role["code"][i][0]["text"] for i in order)
        if order != list(range(len(got))) or digits != j.get("code", digits):
            fail(f"code digits out of order: {digits}")
        print(f"ok code: {digits} left to right along the bottom")


def check_grid(by_role, cx, cy, j):
    names = by_role["name"]
    cs = [measure(p, 0.0)[1] for _, p in names]
    # read right column first, top to bottom
    order = sorted(range(len(cs)), key=lambda i: (cs[i][0] < cx, cs[i][1]))
    text = "".join(names[i][0]["text"] for i in order)
    want = "".join(el["text"] for el, _ in names)
    if text != want:
        fail(f"grid reads {text}, want {want}")
    print(f"ok grid reads {text}, right column first")


# ---- round trip through a collection form ---------------------------------

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
            raise SystemExit("makecheck stamp: no seal impression on the form's %s half" %
                             ("left" if len(out) == 0 else "right"))
        out.append((int(round(xs[sel].mean())), int(round(ys[sel].mean()))))
    return out


def stamp(form, seal, out):
    from PIL import Image
    s = np.asarray(Image.open(seal).convert("RGBA")).astype(np.float32)
    stamp_boxes(form, (s, s), out)


def stamp_boxes(form, seals, out):
    """Print seals[0] in box 1 and seals[1] in box 2 (RGBA arrays at the
    form's 300 dpi; None leaves the box empty) where the form's own
    impressions were, on paper cleared of them."""
    from PIL import Image
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
    rng = np.random.default_rng(16)
    for (cx, cy), s in zip(where, seals):
        if s is None:
            continue
        a = s[:, :, 3:4] / 255.0
        h, w = a.shape[:2]
        y0, x0 = cy - h // 2, cx - w // 2
        region = page[y0:y0 + h, x0:x0 + w].astype(np.float32)
        region *= 1 - a * (1 - INK / 255.0)
        region += rng.normal(0, 2.0, region.shape)
        page[y0:y0 + h, x0:x0 + w] = np.clip(region, 0, 255).astype(np.uint8)
    Image.fromarray(page).save(out, dpi=(300, 300))


def ink(path):
    from PIL import Image
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



# ---- OCR ------------------------------------------------------------------

def load_white(png):
    from PIL import Image
    im = Image.open(png).convert("RGBA")
    a = np.asarray(im).astype(float)
    ink = a[:, :, 3] / 255.0  # coverage; ink is dark on white for Tesseract
    return 255 - 255 * ink, im.info.get("dpi", (300, 300))[0]


def tesseract(gray, psm, lang="chi_sim"):
    from PIL import Image
    img = Image.fromarray(np.clip(gray, 0, 255).astype(np.uint8))
    pad = Image.new("L", (img.width + 60, img.height + 60), 255)
    pad.paste(img, (30, 30))
    with tempfile.NamedTemporaryFile(suffix=".png") as f:
        pad.save(f.name, dpi=(300, 300))
        out = subprocess.run(["tesseract", f.name, "-", "-l", lang, "--psm", str(psm)],
                             capture_output=True, text=True, timeout=60)
    return re.sub(r"\s+", "", out.stdout)


def sample(gray, x, y):
    """Bilinear samples of gray at pixel positions x, y (arrays)."""
    x0 = np.clip(np.floor(x).astype(int), 0, gray.shape[1] - 2)
    y0 = np.clip(np.floor(y).astype(int), 0, gray.shape[0] - 2)
    fx, fy = np.clip(x - x0, 0, 1), np.clip(y - y0, 0, 1)
    return ((gray[y0, x0] * (1 - fx) + gray[y0, x0 + 1] * fx) * (1 - fy) +
            (gray[y0 + 1, x0] * (1 - fx) + gray[y0 + 1, x0 + 1] * fx) * fy)


def unroll(gray, k, cx, cy, a, b, ts, half, band, bottom, px=42):
    """The line of text along the ellipse (a, b) straightened: one tile per
    glyph, centred on parametric angle ts[i], `half` mm either side along the
    curve's tangent and `band` mm either side along its normal, sampled in
    that glyph's own frame (the engraving turns each glyph whole, so a polar
    transform would bend it: at a 15 mm radius a 6 mm glyph's top came out a
    third narrower than its foot). Each tile is square, which undoes the
    engraver's compression of the glyph's width. Tiles are set side by side,
    upright (bottom text read from the left, its feet on the rim), scaled so a glyph is
    about `px` pixels high, the size Tesseract reads best (it misread a 70
    pixel glyph)."""
    scale = min(1.0, px / (band / 0.56 * k))
    size = max(8, int(2 * band * k * scale))
    u = ((np.arange(size)[None, :] + 0.5) / size * 2 - 1) * half
    v = band - 2 * band * (np.arange(size)[:, None] + 0.5) / size
    tiles = []
    for t in ts:
        px0, py0 = cx + a * math.sin(t), cy - b * math.cos(t)
        tx, ty = a * math.cos(t), b * math.sin(t)
        tl = math.hypot(tx, ty)
        tx, ty = tx / tl, ty / tl
        nx, ny = ty, -tx  # outward
        if bottom:
            tx, ty, nx, ny = -tx, -ty, -nx, -ny
        x = (px0 + u * tx + v * nx) * k
        y = (py0 + u * ty + v * ny) * k
        tiles += [sample(gray, x, y), np.full((size, max(2, size // 6)), 255.0)]
    return np.hstack(tiles)


def ocr(png, js, part, expected):
    gray, dpi = load_white(png)
    k = dpi / 25.4
    j = json.load(open(js, encoding="utf-8"))
    els = [e for e in j["elements"] if e["role"] == ("name" if part == "grid" else part)]
    W, H = j["size_mm"]
    cx, cy = W / 2, H / 2
    if part in ("text", "tax_id"):
        x0 = min(e["center_mm"][0] - e["size_mm"][0] for e in els)
        x1 = max(e["center_mm"][0] + e["size_mm"][0] for e in els)
        y0 = min(e["center_mm"][1] - e["size_mm"][1] for e in els)
        y1 = max(e["center_mm"][1] + e["size_mm"][1] for e in els)
        got = tesseract(gray[int(y0 * k):int(y1 * k), int(x0 * k):int(x1 * k)], 7,
                        "chi_sim")
    elif part == "grid":
        # each glyph's box, in the seal's reading order, set in one line
        from PIL import Image
        hw = max(e["size_mm"][0] for e in els) * 0.55
        hh = max(e["size_mm"][1] for e in els) * 0.55
        side = int(2 * max(hw, hh) * k)
        tiles = []
        for e in els:
            x, y = e["center_mm"]
            cell = gray[int((y - hh) * k):int((y + hh) * k), int((x - hw) * k):int((x + hw) * k)]
            if cell.mean() < 128:  # yin: white characters on ink
                cell = 255 - cell
            img = Image.fromarray(np.clip(cell, 0, 255).astype(np.uint8)).resize((side, side))
            tiles += [np.asarray(img).astype(float), np.full((side, side // 6), 255.0)]
        got = tesseract(np.hstack(tiles), 7)
    else:
        # the line of the glyph centres, fitted to their positions
        bottom = part == "code"
        xs = np.array([e["center_mm"][0] - cx for e in els])
        ys = np.array([e["center_mm"][1] - cy for e in els])
        inv = np.linalg.lstsq(np.vstack([xs ** 2, ys ** 2]).T, np.ones(len(xs)), rcond=None)[0]
        a, b = 1 / math.sqrt(inv[0]), 1 / math.sqrt(inv[1])
        ts = np.unwrap([math.atan2(x / a, -y / b) for x, y in zip(xs, ys)])
        hg = max(e["size_mm"][1] for e in els)
        half = max(e["size_mm"][0] for e in els) * 0.6
        got = tesseract(unroll(gray, k, cx, cy, a, b, ts, half, 0.56 * hg, bottom), 7,
                        "eng" if bottom else "chi_sim")
    if part == "tax_id":
        # the unified social credit code (GB 32100) has no I, O, S, V or Z:
        # read the look-alikes as the digits they must be
        got = got.translate(str.maketrans("IOSZ", "1052"))
    if got != expected:
        fail(f"OCR of the {part} reads {got!r}, want {expected!r}")
    print(f"ok OCR {part}: {got}")


def main(argv):
    if len(argv) >= 3 and argv[0] == "geom":
        geom(argv[1], argv[2], argv[3])
    elif len(argv) == 5 and argv[0] == "ocr":
        ocr(argv[1], argv[2], argv[3], argv[4])
    elif len(argv) == 4 and argv[0] == "stamp":
        stamp(*argv[1:])
    elif len(argv) == 3 and argv[0] == "iou":
        iou(*argv[1:])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
