#!/usr/bin/env bash
# seal enrol through the command: a sample form gives artwork at physical
# size with the Info record; bad input exits 4 with one line on stderr and
# writes nothing; a rejected scan prints its JSON and writes nothing.
set -euo pipefail
: "${SEAL:?}" "${SRC:?}"
py=/usr/bin/python3
[ -x "$py" ] || { echo "no $py: skipped"; exit 77; }
form=$SRC/samples/company-form.jpg
[ -f "$form" ] || { echo "no $form: skipped"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# -- a good scan
"$SEAL" enrol "$form" -o "$T/c.pdf" --svg "$T/c.svg" --png "$T/c.png" --png-dpi 300 --json \
    --name 测试公司 >"$T/c.json" 2>"$T/c.err" || fail "enrol of the sample form: $(cat "$T/c.err")"
"$py" - "$T" <<'PY'
import json, re, sys, zlib
t = sys.argv[1]
j = json.load(open(t + "/c.json"))
assert j["decision"] in ("accept", "warn"), j
assert j["kind"] == "company" and j["box"] in (1, 2), j
for k in ("warnings", "reasons", "scores", "size_mm", "rotation_deg"):
    assert k in j, k
w, h = j["size_mm"]
assert 41.5 < w < 42.5 and 41.5 < h < 42.5, j["size_mm"]
pdf = open(t + "/c.pdf", "rb").read()
m = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
assert m, "no MediaBox"
assert abs(float(m.group(1)) - w * 72 / 25.4) < 0.05, (m.group(1), w)
for key in (b"/SealKind", b"/SealSourceSHA256", b"/SealScores", b"/Producer", b"/Title"):
    assert key in pdf, key
assert b"/Image" not in pdf and b"/XObject" not in pdf, "artwork holds an image"
png = open(t + "/c.png", "rb").read()
assert png[25] == 6, "PNG is not RGBA"
i = png.index(b"pHYs")
assert int.from_bytes(png[i + 4:i + 8], "big") == 11811, "pHYs"
svg = open(t + "/c.svg").read()
assert re.search(r'width="[\d.]+mm" height="[\d.]+mm"', svg), "SVG size in mm"
PY

# -- unusable input: exit 4, one line on stderr, no output
printf 'not an image\n' >"$T/text.png"
: >"$T/empty.png"
"$py" - "$T" "$form" <<'PY'
import struct, sys, zlib
t = sys.argv[1]
def png(path, w, h, data=b""):
    def chunk(tp, d):
        return struct.pack(">I", len(d)) + tp + d + struct.pack(">I", zlib.crc32(tp + d) & 0xffffffff)
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    open(path, "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) +
                           chunk(b"IDAT", zlib.compress(data)) + chunk(b"IEND", b""))
png(t + "/zero.png", 0, 0)
png(t + "/huge.png", 20000, 20000, b"\0" * 64)
# damaged entropy data, end marker intact: libjpeg would decode it to grey
d = bytearray(open(sys.argv[2], "rb").read())
for k in range(len(d) // 3, len(d) // 3 + 4000, 97):
    d[k] ^= 0x5A
open(t + "/flip.jpg", "wb").write(d)
PY
head -c 300000 "$form" >"$T/cut.jpg"
"$py" -c "import sys; d=open(sys.argv[1],'rb').read(); open(sys.argv[2],'wb').write(d[:len(d)//2])" \
    "$T/c.png" "$T/cut.png"
for f in text.png empty.png zero.png huge.png cut.jpg cut.png flip.jpg; do
    set +e
    timeout 20 "$SEAL" enrol "$T/$f" -o "$T/out-$f.pdf" >/dev/null 2>"$T/err"
    rc=$?
    set -e
    [ "$rc" = 4 ] || fail "$f: exit $rc, want 4 ($(cat "$T/err"))"
    [ "$(wc -l <"$T/err")" = 1 ] || fail "$f: want one line on stderr, got: $(cat "$T/err")"
    [ ! -e "$T/out-$f.pdf" ] || fail "$f: output written"
    ls "$T" | grep seal- >/dev/null && fail "$f: temporary file left"
    echo "ok $f: $(cat "$T/err")"
done

# -- other containers: TIFF, and a scan inside a PDF; a rejected scan: 150 dpi
"$py" - "$form" "$T" <<'PY' || { echo "no PIL: skipping the TIFF, PDF and low-resolution checks"; exit 0; }
import sys
from PIL import Image
im = Image.open(sys.argv[1])
t = sys.argv[2]
im.save(t + "/form.tif", dpi=(300, 300), compression="tiff_lzw")
im.save(t + "/form.pdf", resolution=300.0)
im.resize((im.width // 2, im.height // 2)).save(t + "/low.jpg", quality=92, dpi=(150, 150))
im.resize((im.width * 2, im.height * 2), Image.BICUBIC).save(t + "/form600.jpg", quality=92, dpi=(600, 600))
im.rotate(4, resample=Image.BICUBIC, fillcolor=(240, 240, 240)).save(t + "/skew4.jpg", quality=92, dpi=(300, 300))
PY
for f in form.tif form.pdf form600.jpg skew4.jpg; do
    "$SEAL" enrol "$T/$f" -o "$T/$f.seal.pdf" --json >"$T/$f.json" 2>"$T/err" || fail "$f: $(cat "$T/err")"
    "$py" -c "import json,sys; j=json.load(open(sys.argv[1])); assert j['kind']=='company' and abs(j['dpi']-(600 if '600' in sys.argv[1] else 300))<1 and 41.7<j['size_mm'][0]<42.3 and j['boxes_found']==2, j" "$T/$f.json" || fail "$f: record"
    echo "ok $f"
done
set +e
"$SEAL" enrol "$T/form.pdf" --page 2 -o "$T/p2.pdf" >/dev/null 2>"$T/err"
rc=$?
set -e
[ "$rc" = 4 ] && [ ! -e "$T/p2.pdf" ] || fail "page 2 of a one-page PDF: exit $rc"

set +e
"$SEAL" enrol "$T/low.jpg" -o "$T/low.pdf" --json >"$T/low.json" 2>"$T/err"
rc=$?
set -e
[ "$rc" = 4 ] || fail "150 dpi: exit $rc"
[ ! -e "$T/low.pdf" ] || fail "150 dpi: artwork written"
"$py" -c "import json,sys; j=json.load(open(sys.argv[1])); assert j['decision']=='reject' and 'low_resolution' in j['reasons'], j" "$T/low.json"
grep -q "150 dpi" "$T/err" || fail "150 dpi: reason not given: $(cat "$T/err")"
echo "ok 150 dpi rejected: $(tail -1 "$T/err")"
