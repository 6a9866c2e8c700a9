#!/usr/bin/env bash
# seal make (issue 16): standard seals drawn from text. Geometry measured on
# the output paths (tests/tools/makecheck.py): outer size within 0.05 mm,
# ring, star, name glyphs on their circle/ellipse within 0.2 mm, equally
# spaced, turned along the normal within 1 degree, symmetric; lines centred;
# code digits in order. Legibility: Tesseract (chi_sim) reads the lines,
# the seal code, the name grids and the arced names (straightened) at 300 dpi.
# Round trip: printed onto a collection form and enrolled back, IoU >= 0.9.
# The made seal signs (keyword, cross-page) and verifies with its kind. Bad
# input: exit 2 or 4, one line naming the reason, nothing written.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require jq

PY=/usr/bin/python3
"$PY" -c 'import numpy, PIL' 2>/dev/null || { echo "make: no python3-numpy/python3-pil: skipped"; exit 77; }
CHECK=("$PY" "$TOOLS/makecheck.py")
PIN=(--pin-file "$FIX/pin.txt")
NAME=北京市海淀区测试科技有限公司
CODE=1101080012345
TAX=91110108MA01ABCD2X

# mk NAME ARGS...: seal make ARGS -o $T/NAME.pdf with SVG, PNG (300 dpi) and JSON.
mk() {
    local n=$1
    shift
    expect_exit 0 "$SEAL" make "$@" -o "$T/$n.pdf" --svg "$T/$n.svg" --png "$T/$n.png" --dpi 300 --json
    expect_quiet
    cp "$T/stdout" "$T/$n.json"
}

geom() { # NAME SPEC
    "${CHECK[@]}" geom "$T/$1.svg" "$T/$1.json" "$2" >"$T/geom.out" || { cat "$T/geom.out"; die "geometry of $1"; }
    sed 's/^/    /' "$T/geom.out"
}

outputs() {
    mk s --kind special --name "$NAME" --text 合同专用章 --code "$CODE"
    "$PY" - "$T" <<'PY' || die "artwork files"
import json, re, sys, zlib
t = sys.argv[1]
j = json.load(open(t + "/s.json"))
assert j["kind"] == "special" and j["size_mm"] == [40.0, 40.0], j
pdf = open(t + "/s.pdf", "rb").read()
m = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
assert m and abs(float(m.group(1)) - 40 * 72 / 25.4) < 0.01, m
for key in (b"/SealKind", b"/SealMake", b"/Producer", b"/Title"):
    assert key in pdf, key
for bad in (b"/Image", b"/XObject", b"/Font", b"/SealScores"):
    assert bad not in pdf, bad
streams = [zlib.decompress(s) for s in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S)
           if s[:1] in (b"x", b"\x78")]
body = b"".join(streams)
assert body.count(b"f*") == 1 and b" BT" not in body and b"Tj" not in body, "one fill, no text"
png = open(t + "/s.png", "rb").read()
assert png[25] == 6 and int.from_bytes(png[png.index(b"pHYs") + 4:][:4], "big") == 11811
svg = open(t + "/s.svg", encoding="utf-8").read()
assert 'width="40.000mm" height="40.000mm"' in svg and svg.count("<path") == 1
PY
    "$SEAL" inspect "$T/s.pdf" >/dev/null 2>&1 || true
}

geom_round() {
    mk c40 --kind company --name "$NAME" --code "$CODE"
    geom c40 round:40:1.0
    mk c42 --kind special --size 42 --name 中国测试集团股份有限公司 --text 投标专用章 --code "$CODE"
    geom c42 round:42:1.2
    mk c38 --kind company --size 38 --name 广州市天河区小小商行
    geom c38 round:38:1.0
}

geom_oval() {
    mk inv --kind invoice --name "$NAME" --tax-id "$TAX" --code "$CODE"
    geom inv oval:40:30:1.0
    mk fgn --kind foreign --name 深圳市外资合作实业有限公司 --text 合同专用章
    geom fgn oval:45:30:1.0
}

geom_name_seals() {
    mk p2 --kind personal --name 张三
    geom p2 square:20:1.0
    [ "$(jq -r '[.elements[] | select(.role == "name") | .text] | join("")' "$T/p2.json")" = 张三之印 ] \
        || die "two characters take 之印"
    mk p3 --kind legal-rep --name 王小明 --style yin
    geom p3 square:20:0
    mk p3b --kind legal-rep --name 王小明 --style yin --border
    geom p3b square:20:0:0.8:1.0
    [ "$(jq -r '[.elements[] | select(.role == "name") | .text] | join("")' "$T/p3.json")" = 王小明印 ] \
        || die "three characters take 印"
    mk p4 --kind personal --name 欧阳明日 --size 24
    geom p4 square:24:1.2
    mk pn --kind personal --name 李四 --no-suffix --no-border
    [ "$(jq -r '[.elements[] | .role] | join(",")' "$T/pn.json")" = name,name ] || die "--no-suffix --no-border"
    mk pr --kind personal --name 李四 --shape rect --color blue
    [ "$(jq -r .color "$T/pr.json")" = "#003399" ] && [ "$(jq -c .size_mm "$T/pr.json")" = "[24,12]" ] \
        || die "rect, blue: $(jq -c '[.color, .size_mm]' "$T/pr.json")"
    mk po --kind personal --name 李四 --shape round --size 18 --color black
    [ "$(jq -r .color "$T/po.json")" = "#000000" ] || die "black"
}

# What a check must catch: a glyph turned 1.5 degrees or moved 0.25 mm.
geom_selftest() {
    [ -f "$T/c40.json" ] || mk c40 --kind company --name "$NAME" --code "$CODE"
    "$PY" - "$T/c40.svg" "$T/c40.json" "$T/bad" <<'PY' || die "cannot make the faulty seals"
import json, math, re, sys
svg, js, out = sys.argv[1:]
j = json.load(open(js, encoding="utf-8"))
t = open(svg, encoding="utf-8").read()
m = re.search(r' d="([^"]*)"', t)
def fault(who, fn, path):
    el = [e for e in j["elements"] if e["text"] == who][0]
    parts = m.group(1).split("Z")
    for k in range(el["paths"][0], el["paths"][0] + el["paths"][1]):
        v = [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", parts[k])]
        pts = [fn(el, v[i], v[i + 1]) for i in range(0, len(v), 2)]
        it = iter([c for p in pts for c in p])
        parts[k] = re.sub(r"-?\d+(?:\.\d+)?", lambda _: "%.4f" % next(it), parts[k])
    open(path, "w", encoding="utf-8").write(t[:m.start(1)] + "Z".join(parts) + t[m.end(1):])
def turn(el, x, y, a=math.radians(1.5)):
    cx, cy = el["center_mm"]
    return cx + (x - cx) * math.cos(a) - (y - cy) * math.sin(a), cy + (x - cx) * math.sin(a) + (y - cy) * math.cos(a)
fault("京", turn, out + "-turn.svg")
fault("京", lambda el, x, y: (x + 0.25, y), out + "-moved.svg")
fault("3", turn, out + "-code.svg")
PY
    local f
    for f in turn moved code; do
        if "${CHECK[@]}" geom "$T/bad-$f.svg" "$T/c40.json" round:40:1.0 >"$T/geom.out"; then
            die "a glyph $f passes the geometry check"
        fi
        note "caught: $(grep FAIL "$T/geom.out")"
    done
}

ocr() {
    command -v tesseract >/dev/null || skip_case "no tesseract (tesseract-ocr)"
    tesseract --list-langs 2>/dev/null | grep -x chi_sim >/dev/null || skip_case "no tesseract-ocr-chi-sim"
    [ -f "$T/s.json" ] || mk s --kind special --name "$NAME" --text 合同专用章 --code "$CODE"
    [ -f "$T/inv.json" ] || mk inv --kind invoice --name "$NAME" --tax-id "$TAX" --code "$CODE"
    local rows=(
        "s text 合同专用章" "s code $CODE" "inv text 发票专用章" "inv tax_id $TAX"
    )
    mk p2 --kind personal --name 张三
    mk p3 --kind legal-rep --name 王小明 --style yin
    mk p3b --kind legal-rep --name 王小明 --style yin --border
    mk bank --kind foreign --name 中国人民银行
    mk c14 --kind company --name 上海浦东发展建设集团股份有限公司
    rows+=("p2 grid 张三之印" "p3 grid 王小明印" "p3b grid 王小明印" "bank name 中国人民银行"
        "s name $NAME" "c14 name 上海浦东发展建设集团股份有限公司" "inv name $NAME")
    local r n part want
    for r in "${rows[@]}"; do
        read -r n part want <<<"$r"
        "${CHECK[@]}" ocr "$T/$n.png" "$T/$n.json" "$part" "$want" >"$T/ocr.out" \
            || { cat "$T/ocr.out"; die "OCR of $n $part"; }
        note "$(cat "$T/ocr.out")"
    done
}

round_trip() { # KIND FORM NAME ARGS...
    local kind=$1 form=$2 n=$3 iou
    shift 3
    mk "$n" --kind "$kind" "$@"
    "${CHECK[@]}" stamp "$SRC/samples/$form" "$T/$n.png" "$T/$n-form.png" \
        || die "cannot print the seal onto $form"
    expect_exit 0 "$SEAL" enrol "$T/$n-form.png" --kind "$(jq -r .kind "$T/$n.json" | sed 's/special/company/;s/personal/legal-rep/')" \
        -o "$T/$n-back.pdf" --png "$T/$n-back.png" --png-dpi 300
    iou=$("${CHECK[@]}" iou "$T/$n.png" "$T/$n-back.png")
    note "$n: enrolled back, IoU $iou"
    "$PY" -c 'import sys; sys.exit(float(sys.argv[1]) < 0.9)' "$iou" || die "IoU $iou < 0.9"
}
trip_company() { round_trip special company-form.jpg trip-c --name 郑州二七区金泰电子有限公司 --text 合同专用章 --code "$CODE"; }
trip_legal() { round_trip legal-rep legal-rep-form.jpg trip-l --name 王小明; }

sign_and_verify() {
    mk sv --kind special --name "$NAME" --text 投标专用章 --code "$CODE"
    expect_exit 0 "$SEAL" sign "$SRC/samples/bid.pdf" -o "$T/signed.pdf" --key "$KEY_COMPANY" "${PIN[@]}" \
        --seal "$T/sv.pdf" --keyword "投标人（盖章）" --nth 1 --cross-page
    expect_quiet
    check_prefix "$SRC/samples/bid.pdf" "$T/signed.pdf"
    run "$SEAL" verify "$T/signed.pdf" --trust "$FIX/ca/root.pem" --json
    [ "$RC" = 0 ] || { show_output; die "verify exit $RC"; }
    [ "$(jq -r '.signatures[0].indication' "$T/stdout")" = TOTAL-PASSED ] || die "not TOTAL-PASSED"
    [ "$(jq -r '.signatures[0].seal_kind' "$T/stdout")" = special ] \
        || die "seal kind $(jq -r '.signatures[0].seal_kind' "$T/stdout")"
    local kinds
    kinds=$(jq -r '[.signatures[0].placements[] | .kind] | unique | join(",")' "$T/stdout")
    note "placements: $kinds"
    [ "$(jq '.signatures[0].placements | length' "$T/stdout")" -gt 1 ] || die "keyword and cross-page placements: $kinds"
}

# bad CODE REGEX SEAL-ARGS...: exit CODE, stderr's first line "seal: ..."
# matching REGEX (usage errors add the synopsis below it), nothing written.
N_BAD=0
bad() {
    local code=$1 re=$2 dir a args=()
    shift 2
    N_BAD=$((N_BAD + 1))
    dir=$T/bad-$N_BAD
    mkdir -p "$dir"
    for a in "$@"; do args+=("${a//@OUT@/$dir/out.pdf}"); done
    expect_exit "$code" "$SEAL" "${args[@]}" --svg "$dir/out.svg" --png "$dir/out.png"
    head -1 "$T/stderr" | grep -Eq -- "^seal: .*($re)" || { show_output; die "message does not match /$re/"; }
    [ -z "$(ls -A "$dir")" ] || die "left behind: $(ls -A "$dir" | tr '\n' ' ')"
    note "exit $code: $(head -1 "$T/stderr")"
}

bad_input() {
    local f=$SRC/fonts/NotoSerifCJKsc-Regular-date.otf
    bad 2 'needs --name' make --kind company -o @OUT@
    bad 2 'unknown kind seal' make --kind seal --name 甲 -o @OUT@
    bad 2 'no --kind' make --name 甲 -o @OUT@
    bad 2 'has 24 characters; a 40 x 40 mm round seal holds at most 18' \
        make --kind company --name 北京市海淀区测试科技有限公司北京市海淀区测试科技 -o @OUT@
    bad 2 'has 20 characters; a 40 x 30 mm oval seal holds at most 1[0-9]$' \
        make --kind invoice --name 北京市海淀区测试科技有限公司北京市海淀区 --tax-id "$TAX" -o @OUT@
    bad 2 'at most 45 mm across \(asked 50 mm\)' make --kind company --name "$NAME" --size 50 -o @OUT@
    bad 2 'at least 30 mm' make --kind company --name "$NAME" --size 20 -o @OUT@
    bad 2 'oval seal is 30 to 60 mm' make --kind foreign --name "$NAME" --size 70x30 -o @OUT@
    bad 2 'holds 2 to 4 characters \(the name has 5\)' make --kind legal-rep --name 一二三四五 -o @OUT@
    bad 2 'holds 2 to 4 characters \(the name has 1\)' make --kind personal --name 张 -o @OUT@
    bad 2 'no glyph for U\+1F600 \(.*\) in the name' make --kind personal --name "张😀" -o @OUT@
    bad 2 'no glyph for U\+5F20 \(张\) in the name' make --kind personal --name 张三 --font "$f" -o @OUT@
    bad 2 'the name is not valid UTF-8' make --kind personal --name $'\xff\xfe' -o @OUT@
    bad 2 'seal code is 13 digits' make --kind company --name "$NAME" --code 12345 -o @OUT@
    bad 2 'needs its tax number' make --kind invoice --name "$NAME" -o @OUT@
    bad 2 'tax number is 15 to 20 digits' make --kind invoice --name "$NAME" --tax-id 9111-01 -o @OUT@
    bad 2 'without the letters I, O, S, V and Z' make --kind invoice --name "$NAME" --tax-id 91110108MAO1ABCD2X -o @OUT@
    bad 2 'needs its purpose' make --kind special --name "$NAME" -o @OUT@
    bad 2 'round or oval' make --kind company --name "$NAME" --shape square -o @OUT@
    bad 2 'are for name seals' make --kind company --name "$NAME" --style yin -o @OUT@
    bad 2 'carries the name only' make --kind personal --name 张三 --code "$CODE" -o @OUT@
    bad 2 '--shape is' make --kind company --name "$NAME" --shape star -o @OUT@
    bad 2 '--size is' make --kind company --name "$NAME" --size big -o @OUT@
    bad 2 '--color is' make --kind company --name "$NAME" --color green -o @OUT@
    bad 2 'no output given' make --kind company --name "$NAME"
    printf 'not a font\n' >"$T/not-a-font.ttf"
    bad 4 'cannot use the font .*not-a-font' make --kind personal --name 张三 --font "$T/not-a-font.ttf" -o @OUT@
    bad 4 'cannot use the font' make --kind personal --name 张三 --font "$T/missing.ttf" -o @OUT@
}

run_case "artwork files: one page at size, one fill, no image or font" outputs
run_case "geometry: round 40, 42 and 38 mm" geom_round
run_case "geometry: invoice and foreign ovals" geom_oval
run_case "geometry: name seals (square, yin, suffix, rect, round)" geom_name_seals
run_case "geometry checks catch a turned or moved glyph" geom_selftest
run_case "legibility: Tesseract reads the seals back" ocr
run_case "round trip: special seal on a form, enrolled back" trip_company
run_case "round trip: legal-rep seal on a form, enrolled back" trip_legal
run_case "made seal signs (keyword, cross-page) and verifies with its kind" sign_and_verify
run_case "bad input: exit 2 or 4 with the reason, nothing written" bad_input
finish
