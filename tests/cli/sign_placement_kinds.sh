#!/usr/bin/env bash
# Keyword, page-list, cross-page and existing-field placements, checked on
# pages rendered by poppler (pdftoppm) and against poppler's own text boxes
# (pdftotext -bbox): the seal's centre within 0.5 mm, its size within 1%,
# cross-page slices that reassemble into the seal, one valid signature.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require pdftoppm pdftotext pdffonts jq python3

DPI=100
PIN=(--pin-file "$FIX/pin.txt")
BID=$SRC/samples/bid.pdf

render() { # FILE PAGE OUT.ppm
    pdftoppm -cropbox -r "$DPI" -f "$2" -l "$2" -singlefile "$1" "${3%.ppm}" 2>/dev/null \
        || die "pdftoppm failed on $1 page $2"
}
redbox() { python3 "$TOOLS/redbox.py" "$1" "$DPI"; }
near() { python3 -c 'import sys; a, b, t = map(float, sys.argv[1:4]); sys.exit(abs(a - b) > t)' "$1" "$2" "$3"; }

# check_at PPM X Y SIZE: the red on the page is one seal of SIZE mm at X,Y mm.
check_at() {
    local j
    j=$(redbox "$1")
    [ "$(jq .red_pixels <<<"$j")" -gt 0 ] || die "no seal on $1"
    near "$(jq '.centre_mm[0]' <<<"$j")" "$2" 0.5 && near "$(jq '.centre_mm[1]' <<<"$j")" "$3" 0.5 \
        || die "seal centred at $(jq -c .centre_mm <<<"$j") mm, expected [$2,$3]"
    near "$(jq '.size_mm[0]' <<<"$j")" "$4" "$(python3 -c "print($4 * 0.01 + 0.26)")" \
        || die "seal $(jq -c .size_mm <<<"$j") mm wide, expected $4"
}

# The centre (mm from the top-left) of a word on a page, as poppler reads it.
word_centre() { # FILE PAGE WORD
    pdftotext -bbox -f "$2" -l "$2" "$1" - | python3 -c '
import re, sys
word = sys.argv[1]
for m in re.finditer(r"<word xMin=\"([\d.]+)\" yMin=\"([\d.]+)\" xMax=\"([\d.]+)\" yMax=\"([\d.]+)\">(.*?)</word>", sys.stdin.read()):
    if m.group(5) == word:
        x0, y0, x1, y1 = map(float, m.groups()[:4])
        print((x0 + x1) / 2 * 25.4 / 72, (y0 + y1) / 2 * 25.4 / 72)
        break
' "$3"
}

keyword_cjk() {
    local kw="法定代表人（签字或盖章）：" c
    expect_exit 0 "$SEAL" sign "$BID" -o "$T/kw.pdf" --key "$KEY_LEGALREP" "${PIN[@]}" \
        --seal "$FIX/art/legalrep.pdf" --keyword "$kw"
    expect_quiet
    check_prefix "$BID" "$T/kw.pdf"
    check_pdfsig "$T/kw.pdf" 1
    c=$(word_centre "$BID" 1 "$kw")
    [ -n "$c" ] || die "poppler does not see '$kw' on page 1"
    render "$T/kw.pdf" 1 "$T/kw1.ppm"
    check_at "$T/kw1.ppm" ${c% *} ${c#* } 20
}

keyword_all_with_offset() {
    local kw="法定代表人（签字或盖章）" p
    expect_exit 0 "$SEAL" sign "$BID" -o "$T/all.pdf" --key "$KEY_LEGALREP" "${PIN[@]}" \
        --seal "$FIX/art/legalrep.pdf" --keyword "$kw" --all --offset 40,0
    check_pdfsig "$T/all.pdf" 1
    # The phrase stands on pages 1, 2 and 4 (page 3 is the identity page).
    for p in 1 2 4; do
        render "$T/all.pdf" "$p" "$T/all$p.ppm"
        [ "$(redbox "$T/all$p.ppm" | jq .red_pixels)" -gt 0 ] || die "no seal on page $p"
    done
    render "$T/all.pdf" 3 "$T/all3.ppm"
    [ "$(redbox "$T/all3.ppm" | jq .red_pixels)" = 0 ] || die "a seal on page 3"
    expect_exit 0 "$SEAL" inspect "$T/all.pdf" --json
    [ "$(jq '.signatures | length' "$T/stdout")" = 1 ] || die "expected one signature"
}

keyword_missing() {
    expect_failure 4 "keyword '不存在' not found on pages 1-last" "$BID" -- sign "$BID" -o @OUT@ \
        --key "$KEY_LEGALREP" "${PIN[@]}" --seal "$FIX/art/legalrep.pdf" --keyword "不存在"
    expect_failure 4 "found 3 times .* not the 5th" "$BID" -- sign "$BID" -o @OUT@ \
        --key "$KEY_LEGALREP" "${PIN[@]}" --seal "$FIX/art/legalrep.pdf" \
        --keyword "法定代表人（签字或盖章）" --nth 5
}

page_list() {
    local p
    expect_exit 0 "$SEAL" sign "$FIX/pdf/three.pdf" -o "$T/pages.pdf" --key "$KEY_COMPANY" "${PIN[@]}" \
        --seal "$FIX/art/company.pdf" --pages 1-2,last --at 100,120
    check_pdfsig "$T/pages.pdf" 1
    for p in 1 2 3; do
        render "$T/pages.pdf" "$p" "$T/pg$p.ppm"
        check_at "$T/pg$p.ppm" 100 120 42
    done
    expect_failure 4 "out of range" "$FIX/pdf/three.pdf" -- sign "$FIX/pdf/three.pdf" -o @OUT@ \
        --key "$KEY_COMPANY" "${PIN[@]}" --seal "$FIX/art/company.pdf" --pages 2-7 --at 100,120
    expect_failure 2 "bad page list" "$FIX/pdf/three.pdf" -- sign "$FIX/pdf/three.pdf" -o @OUT@ \
        --key "$KEY_COMPANY" "${PIN[@]}" --seal "$FIX/art/company.pdf" --pages 1-x --at 100,120
}

cross_page() { # EDGE
    local edge=$1 j p
    expect_exit 0 "$SEAL" sign "$FIX/pdf/three.pdf" -o "$T/cross-$edge.pdf" --key "$KEY_COMPANY" \
        "${PIN[@]}" --seal "$FIX/art/company.pdf" --cross-page --edge "$edge"
    check_pdfsig "$T/cross-$edge.pdf" 1
    pdftoppm -r "$DPI" -singlefile "$FIX/art/company.pdf" "$T/art" || die "cannot render the artwork"
    for p in 1 2 3; do render "$T/cross-$edge.pdf" "$p" "$T/c$p.ppm"; done
    j=$(python3 "$TOOLS/reassemble.py" "$DPI" "$edge" "$T/art.ppm" "$T/c1.ppm" "$T/c2.ppm" "$T/c3.ppm")
    note "$j"
    python3 -c 'import json,sys; sys.exit(json.loads(sys.argv[1])["iou"] < 0.85)' "$j" \
        || die "the slices do not reassemble into the seal"
    for p in 0 1 2; do
        near "$(jq ".strip_mm[$p]" <<<"$j")" 14 0.3 || die "strip $p is not a third of 42 mm"
        # No --y: the seal's centre is at mid-height of the A4 page.
        near "$(jq ".centre_y_mm[$p]" <<<"$j")" 148.5 0.5 || die "strip $p not at mid-height"
    done
}
cross_right() { cross_page right; }
cross_left() { cross_page left; }

cross_with_keyword() {
    expect_exit 0 "$SEAL" sign "$BID" -o "$T/both.pdf" --key "$KEY_COMPANY" "${PIN[@]}" \
        --seal "$FIX/art/company.pdf" --keyword "投标人（盖章）" --nth 1 --offset 60,0 --cross-page --y 100
    check_pdfsig "$T/both.pdf" 1
    expect_exit 0 "$SEAL" inspect "$T/both.pdf" --json
    [ "$(jq '.signatures[0].page' "$T/stdout")" = 1 ] || die "the keyword seal is not the widget on page 1"
}

existing_field() {
    python3 "$TOOLS/addfield.py" "$FIX/pdf/one.pdf" "$T/tpl.pdf" Bidder 200,300,400,500
    python3 "$TOOLS/addfield.py" "$FIX/pdf/one.pdf" "$T/tpl-lock.pdf" Bidder 200,300,400,500 --lock-all
    expect_exit 0 "$SEAL" sign "$T/tpl.pdf" -o "$T/field.pdf" --key "$KEY_COMPANY" "${PIN[@]}" \
        --seal "$FIX/art/company.pdf" --field Bidder
    check_prefix "$T/tpl.pdf" "$T/field.pdf"
    check_pdfsig "$T/field.pdf" 1
    expect_exit 0 "$SEAL" inspect "$T/field.pdf" --json
    [ "$(jq -r '.signatures[0].field' "$T/stdout")" = Bidder ] || die "field Bidder not signed"
    [ "$(jq -c '.signatures[0].rect' "$T/stdout")" = '[200,300,400,500]' ] || die "the field's /Rect changed"
    # Centred in the field: (300, 400) pt from the bottom-left of an A4 page.
    render "$T/field.pdf" 1 "$T/f.ppm"
    check_at "$T/f.ppm" "$(python3 -c 'print(300 * 25.4 / 72)')" "$(python3 -c 'print((841.89 - 400) * 25.4 / 72)')" 42
    expect_failure 4 "field 'Bidder' is already signed" "$T/field.pdf" -- sign "$T/field.pdf" -o @OUT@ \
        --key "$KEY_COMPANY" "${PIN[@]}" --field Bidder
    expect_failure 4 "no field named 'Nobody'" "$T/tpl.pdf" -- sign "$T/tpl.pdf" -o @OUT@ \
        --key "$KEY_COMPANY" "${PIN[@]}" --field Nobody
    # A field's /Lock travels into the signature as a FieldMDP reference.
    expect_exit 0 "$SEAL" sign "$T/tpl-lock.pdf" -o "$T/locked.pdf" --key "$KEY_COMPANY" "${PIN[@]}" --field Bidder
    grep -aq "/TransformMethod/FieldMDP" "$T/locked.pdf" || die "no FieldMDP reference for the locked field"
    check_pdfsig "$T/locked.pdf" 1
}

preview_no_key() {
    # No key, no output PDF: PNGs of the pages that would be stamped.
    expect_exit 0 "$SEAL" sign "$BID" --preview "$T/prev.png" --seal "$FIX/art/legalrep.pdf" \
        --keyword "法定代表人（签字或盖章）" --all --offset 40,0
    local p
    for p in 1 2 4; do
        [ "$(head -c 8 "$T/prev-$p.png" | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ] || die "prev-$p.png is not a PNG"
        # 100 dpi A4: 827 x 1170 pixels (IHDR width and height).
        [ "$(od -An -tu4 --endian=big -j16 -N8 "$T/prev-$p.png" | tr -s ' ')" = " 827 1170" ] || die "prev-$p.png is not an A4 page at 100 dpi"
    done
    [ ! -e "$T/prev-3.png" ] || die "page 3 has no seal but was rendered"
    expect_exit 2 "$SEAL" sign "$BID" --preview "$T/x.png" -o "$T/x.pdf" --seal "$FIX/art/legalrep.pdf" --page 1 --at 50,50
}

date_caption() {
    # The date under a seal, drawn as glyph outlines (no font in the output).
    expect_exit 0 "$SEAL" sign "$FIX/pdf/one.pdf" -o "$T/date.pdf" --key "$KEY_LEGALREP" "${PIN[@]}" \
        --seal "$FIX/art/legalrep.pdf" --page 1 --at 100,100 --date=2026年12月01日
    check_pdfsig "$T/date.pdf" 1
    [ "$(pdffonts "$T/date.pdf" | tail -n +3 | wc -l)" = "$(pdffonts "$FIX/pdf/one.pdf" | tail -n +3 | wc -l)" ] \
        || die "the caption added a font to the document"
    render "$T/date.pdf" 1 "$T/d.ppm"
    python3 - "$T/d.ppm" "$DPI" "$TOOLS" <<'PY' || die "no dark caption under the seal"
import sys
sys.path.insert(0, sys.argv[3])
from redbox import read_ppm
w, h, px = read_ppm(sys.argv[1]); dpi = float(sys.argv[2])
mm = lambda v: int(round(v / 25.4 * dpi))
# Seal and caption are centred together at 100,100 mm: the 20 mm seal sits
# above, the caption (about 4 mm) below, between y = 106 and 112 mm.
dark = sum(1 for y in range(mm(106), mm(112)) for x in range(mm(80), mm(120))
           if px[(y * w + x) * 3] < 90 and px[(y * w + x) * 3 + 1] < 90)
sys.exit(dark < 40)
PY
    expect_failure 2 "no glyph for U\\+7B7E" "$FIX/pdf/one.pdf" -- sign "$FIX/pdf/one.pdf" -o @OUT@ \
        --key "$KEY_LEGALREP" "${PIN[@]}" --seal "$FIX/art/legalrep.pdf" --page 1 --at 100,100 --date=签字
}

user_unit() {
    # /UserUnit 2: one unit is 2/72 inch, so an A4 page is 297.64 x 420.95
    # units and a 42 mm seal is 59.53 units wide; the widget must say so.
    python3 "$TOOLS/mkpdf.py" "$T/uu.pdf" --mediabox 0,0,297.64,420.95 --user-unit 2
    qpdf --check "$T/uu.pdf" >/dev/null || die "the UserUnit PDF is broken"
    expect_exit 0 "$SEAL" sign "$T/uu.pdf" -o "$T/uu.signed.pdf" --key "$KEY_COMPANY" "${PIN[@]}" \
        --seal "$FIX/art/company.pdf" --page 1 --at 50,60
    expect_exit 0 "$SEAL" inspect "$T/uu.signed.pdf" --json
    python3 - "$(jq -c '.signatures[0].rect' "$T/stdout")" <<'PY' || die "rect $(jq -c '.signatures[0].rect' "$T/stdout") not at physical size under UserUnit 2"
import json, sys
r = json.loads(sys.argv[1]); u = 72 / 25.4 / 2
want = [50 * u - 21 * u, 420.95 - 60 * u - 21 * u, 50 * u + 21 * u, 420.95 - 60 * u + 21 * u]
sys.exit(any(abs(a - b) > 0.05 for a, b in zip(r, want)))
PY
}

run_case "CJK keyword on a LibreOffice bid: centred on poppler's word box" keyword_cjk
run_case "keyword --all --offset: pages 1, 2, 4, one signature" keyword_all_with_offset
run_case "keyword missing or too few hits -> 4" keyword_missing
run_case "--pages 1-2,last --at: the seal on each listed page" page_list
run_case "--cross-page right edge: slices reassemble into the seal" cross_right
run_case "--cross-page left edge: slices reassemble into the seal" cross_left
run_case "keyword seal and cross-page seal in one signature" cross_with_keyword
run_case "--field: fill a template's empty signature field" existing_field
run_case "--preview: PNGs of the stamped pages, no key, no PDF" preview_no_key
run_case "--date: the date under the seal as outlines, valid signature" date_caption
run_case "/UserUnit 2: the widget is the seal's physical size in user units" user_unit
finish
