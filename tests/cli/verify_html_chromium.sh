# The HTML report as a browser shows it: headless Chromium (Debian package
# chromium, installed by scripts/install-deps) loads the self-contained
# report offline, at a fixed window size. A probe added to a copy of the
# report reports what was rendered: the verdict banner's text, one row per
# signature, every image decoded (naturalWidth > 0) at its seal's physical
# size, each placement's page, and no console message or error; a
# screenshot at the same window size is taken and compared against the
# element sizes the probe measured (sizes and boxes, never pixel-exact
# images). Skipped (77) without chromium.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || { echo "verify_html_chromium: chromium not installed"; exit 77; }
# Debian's Python, which has python3-pil (a pyenv python3 on PATH may not).
PY=/usr/bin/python3
[ -x "$PY" ] || { echo "verify_html_chromium: $PY not installed"; exit 1; }

export SEAL_P12_PASSWORD
SEAL_P12_PASSWORD=$(cat "$FIX/p12pass.txt")
WIN_W=1280 WIN_H=1400

# chromium ARGS... : headless, offline, no profile left behind; its log in
# $W/chromium.log.
chromium() {
    timeout 40 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-extensions --no-first-run \
        --disable-background-networking --user-data-dir="$W/profile" --enable-logging=stderr --v=0 \
        --hide-scrollbars --window-size=$WIN_W,$WIN_H --virtual-time-budget=5000 "$@" 2>>"$W/chromium.log" \
        || { tail -5 "$W/chromium.log"; die "chromium failed: $*"; }
}

# probe IN OUT: IN with an error catcher first in <head> and, at the end,
# a script writing what was rendered as JSON into <pre id="probe">.
probe() {
    python3 - "$1" "$2" <<'PY'
import sys
html = open(sys.argv[1], encoding="utf-8").read()
catcher = """<script>
window.__errors = [];
window.addEventListener('error', function (e) {
  var t = e.target && e.target.tagName ? e.target.tagName + ' ' + (e.target.className || '') + ' failed' : '';
  window.__errors.push('error: ' + (e.message || t));
}, true);
['error', 'warn', 'log', 'info'].forEach(function (k) {
  console[k] = function () { window.__errors.push('console.' + k + ': ' + Array.prototype.join.call(arguments, ' ')); };
});
</script>"""
report = """<script>
window.addEventListener('load', function () {
  function box(e) { var r = e.getBoundingClientRect();
    return {x: r.left, y: r.top + window.scrollY, w: r.width, h: r.height}; }
  var banner = document.querySelector('.banner');
  var out = {
    window: [window.innerWidth, window.innerHeight],
    verdict: banner.getAttribute('data-verdict'),
    banner_text: banner.textContent,
    banner: box(banner),
    table: box(document.querySelector('table.sigs')),
    rows: document.querySelectorAll('tr.sig').length,
    placements: Array.prototype.map.call(document.querySelectorAll('ul.placements li'), function (l) { return l.textContent; }),
    images: Array.prototype.map.call(document.querySelectorAll('img'), function (i) {
      var b = box(i); return {cls: i.className, complete: i.complete, nw: i.naturalWidth, nh: i.naturalHeight, w: b.w, h: b.h}; }),
    errors: window.__errors
  };
  var p = document.createElement('pre');
  p.id = 'probe';
  p.style.display = 'none';
  p.textContent = JSON.stringify(out);
  document.body.appendChild(p);
});
</script>"""
html = html.replace("<head>", "<head>" + catcher, 1).replace("</body>", report + "</body>", 1)
open(sys.argv[2], "w", encoding="utf-8").write(html)
PY
}

case_rendered() {
    W=$T/html
    mkdir -p "$W"
    local t0=$SECONDS
    expect_exit 0 "$SEAL" sign "$FIX/pdf/three.pdf" -o "$W/a.pdf" --key "p12:$FIX/signer.p12" \
        --seal "$FIX/art/company.pdf" --page 1 --at 105,250
    expect_exit 0 "$SEAL" sign "$W/a.pdf" -o "$W/b.pdf" --key "p12:$FIX/signer.p12" \
        --seal "$FIX/art/legalrep.pdf" --page 2 --at 105,250
    expect_exit 0 "$SEAL" verify "$W/b.pdf" --trust "$FIX/ca/root.pem" --html "$W/r.html"
    # The report as written holds no script of its own.
    ! grep -q '<script' "$W/r.html" || die "the report holds a script"
    probe "$W/r.html" "$W/probe.html"
    chromium --dump-dom "file://$W/probe.html" >"$W/dom.html"
    chromium --screenshot="$W/shot.png" "file://$W/r.html"
    # The report writes nothing to the console (the probe's own catcher
    # writes nowhere).
    ! grep 'CONSOLE' "$W/chromium.log" || die "console messages while showing the report"
    "$PY" - "$W/dom.html" "$W/shot.png" "$WIN_W" "$WIN_H" <<'PY' || die "rendered report differs from expectations"
import html, json, re, sys
from PIL import Image
dom, shot, win_w, win_h = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
m = re.search(r'<pre id="probe"[^>]*>(.*?)</pre>', open(dom, encoding="utf-8").read(), re.S)
if not m:
    print("      | the probe did not run"); sys.exit(1)
p = json.loads(html.unescape(m.group(1)))
bad = []
def expect(ok, what):
    if not ok: bad.append(what)
def near(a, b, tol): return abs(a - b) <= tol
expect(p["window"][0] == win_w, "window %s" % p["window"])
expect(p["verdict"] == "TOTAL-PASSED", "verdict %s" % p["verdict"])
expect(p["banner_text"].startswith("TOTAL-PASSED 通过"), "banner text %r" % p["banner_text"][:60])
expect(p["rows"] == 2, "%d signature rows" % p["rows"])
expect(p["placements"] == ["第 1 页 page 1: widget, company 公章", "第 2 页 page 2: widget, legal-rep 法人章"],
       "placements %s" % p["placements"])
expect(p["errors"] == [], "errors: %s" % p["errors"])
imgs = p["images"]
expect([i["cls"] for i in imgs] == ["seal", "region", "seal", "region"], "images %s" % [i["cls"] for i in imgs])
for i in imgs:
    expect(i["complete"] and i["nw"] > 0 and i["nh"] > 0, "image %s not decoded" % i)
    # Shown at its own aspect ratio, within the CSS bounds.
    if i["nw"] and i["nh"]:
        expect(near(i["w"] / i["h"], i["nw"] / i["nh"], 0.02), "image %s distorted" % i)
    cap = 160 if i["cls"] == "seal" else 320
    expect(i["w"] <= cap + 0.5 and (i["cls"] == "region" or i["h"] <= cap + 0.5), "image %s beyond its bound" % i)
# The seals at their physical size, 96 dpi: 42 mm company (158.7 px) and
# 20 mm legal-rep (75.6 px), drawn at that size (under the 160 px bound).
seal = [i for i in imgs if i["cls"] == "seal"]
if len(seal) == 2:
    for i, mm in zip(seal, (42, 20)):
        px = mm / 25.4 * 96
        expect(near(i["nw"], px, 2) and near(i["nh"], px, 2), "seal %s: natural size, expected ~%.0f px" % (i, px))
        expect(near(i["w"], i["nw"], 0.5) and near(i["h"], i["nh"], 0.5), "seal %s not shown at natural size" % i)
# Banner and table span the body (window less the 1.5em margins, 24 px each).
for name in ("banner", "table"):
    b = p[name]
    expect(near(b["w"], win_w - 48, 1) and near(b["x"], 24, 1), "%s box %s" % (name, b))
expect(30 <= p["banner"]["h"] <= 120, "banner height %s" % p["banner"]["h"])
expect(p["table"]["y"] > p["banner"]["y"] + p["banner"]["h"], "table not below the banner")
# The screenshot: the window's size; the banner where the probe measured it
# (its pass colour #d9f2d9 inside its left padding), the page white beside it.
img = Image.open(shot).convert("RGB")
expect(img.size == (win_w, win_h), "screenshot %s" % (img.size,))
b = p["banner"]
if img.size == (win_w, win_h) and b["y"] + b["h"] < win_h:
    inside = img.getpixel((int(b["x"] + 8), int(b["y"] + b["h"] / 2)))
    outside = img.getpixel((int(b["x"] / 2), int(b["y"] + b["h"] / 2)))
    expect(all(near(c, e, 10) for c, e in zip(inside, (0xd9, 0xf2, 0xd9))), "banner colour %s in the screenshot" % (inside,))
    expect(all(c >= 245 for c in outside), "margin %s in the screenshot" % (outside,))
for b_ in bad:
    print("      | " + b_)
print("    probe: seals %s, banner %.0fx%.0f, table %.0fx%.0f" % (
    [(i["nw"], i["nh"]) for i in seal], p["banner"]["w"], p["banner"]["h"], p["table"]["w"], p["table"]["h"]))
sys.exit(1 if bad else 0)
PY
    note "chromium case: $((SECONDS - t0)) s"
}

run_case "headless Chromium: verdict, rows, decoded seal images, pages, no console output, sizes and screenshot" \
    case_rendered
finish
