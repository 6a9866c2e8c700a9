#!/usr/bin/env bash
# Where the seal lands, as an independent renderer (poppler's pdftoppm) shows
# the page: centred at X,Y mm from the top-left corner of the page as
# displayed, at its physical size, upright — on plain, /Rotate 90 and
# offset-CropBox pages. The widget /Rect seal inspect reports is checked in
# PDF user space too.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require pdftoppm jq python3

DPI=100
PIN=(--pin-file "$FIX/pin.txt")
MM=2.834645669

# render FILE PAGE: the page as displayed, into $T/page.ppm.
render() {
    rm -f "$T/page.ppm"
    # -cropbox: show what a viewer shows (pdftoppm renders the MediaBox by default).
    pdftoppm -cropbox -r "$DPI" -f "$2" -l "$2" -singlefile "$1" "$T/page" 2>"$T/pdftoppm.log" \
        || { cat "$T/pdftoppm.log"; die "pdftoppm failed on $1"; }
}

# redbox [--at X,Y]...: JSON about the red in $T/page.ppm.
redbox() { python3 "$TOOLS/redbox.py" "$T/page.ppm" "$DPI" "$@"; }

near() {
    python3 -c 'import sys; a, b, t = map(float, sys.argv[1:4]); sys.exit(abs(a - b) > t)' "$1" "$2" "$3"
}

# check_seal X Y SIZE: one red square/circle of SIZE mm centred at X,Y mm.
check_seal() {
    local x=$1 y=$2 size=$3 j
    j=$(redbox)
    [ "$(jq .red_pixels <<<"$j")" -gt 0 ] || die "no seal on the rendered page"
    near "$(jq '.centre_mm[0]' <<<"$j")" "$x" 0.5 && near "$(jq '.centre_mm[1]' <<<"$j")" "$y" 0.5 \
        || die "seal centred at $(jq -c '.centre_mm' <<<"$j") mm, expected [$x,$y]"
    near "$(jq '.size_mm[0]' <<<"$j")" "$size" 0.6 && near "$(jq '.size_mm[1]' <<<"$j")" "$size" 0.6 \
        || die "seal size $(jq -c '.size_mm' <<<"$j") mm, expected $size"
}

# check_upright_legalrep X Y: the 4x4 checker of the 20 mm legal-rep seal
# reads upright (top-left and bottom-right cells empty, the other corners red).
check_upright_legalrep() {
    local x=$1 y=$2 j
    local l r t b
    l=$(python3 -c "print($x - 10 + 4.75)") r=$(python3 -c "print($x - 10 + 15.25)")
    t=$(python3 -c "print($y - 10 + 4.75)") b=$(python3 -c "print($y - 10 + 15.25)")
    j=$(redbox --at "$l,$t" --at "$r,$t" --at "$l,$b" --at "$r,$b")
    [ "$(jq -c '[.samples[].red]' <<<"$j")" = '[false,true,true,false]' ] \
        || die "seal not upright: corner cells TL,TR,BL,BR red = $(jq -c '[.samples[].red]' <<<"$j")"
}

# check_upright_company X Y: the star's point is up (red 5 mm above the
# centre, the gap between its legs 5 mm below).
check_upright_company() {
    local x=$1 y=$2 j
    j=$(redbox --at "$x,$(python3 -c "print($y - 5)")" --at "$x,$(python3 -c "print($y + 5)")")
    [ "$(jq -c '[.samples[].red]' <<<"$j")" = '[true,false]' ] || die "star not upright"
}

# check_rect FILE CX CY HALF: seal inspect's widget /Rect, PDF points.
check_rect() {
    local f=$1 cx=$2 cy=$3 h=$4 got
    expect_exit 0 "$SEAL" inspect "$f" --json
    got=$(jq -c '.signatures[-1].rect' "$T/stdout")
    python3 - "$got" "$cx" "$cy" "$h" <<'EOF' || die "rect $got, expected centre ($cx,$cy) half $h pt"
import json, sys
r = json.loads(sys.argv[1]); cx, cy, h = map(float, sys.argv[2:5])
want = [cx - h, cy - h, cx + h, cy + h]
sys.exit(any(abs(a - b) > 0.05 for a, b in zip(r, want)))
EOF
}

place() { # IN PAGE X Y ART OUT
    expect_exit 0 "$SEAL" sign "$1" -o "$6" --key "$KEY_COMPANY" "${PIN[@]}" \
        --seal "$FIX/art/$5.pdf" --page "$2" --at "$3,$4"
    expect_quiet
}

plain_page() {
    place "$FIX/pdf/one.pdf" 1 30 40 legalrep "$T/plain.pdf"
    render "$T/plain.pdf" 1
    check_seal 30 40 20
    check_upright_legalrep 30 40
    check_rect "$T/plain.pdf" "$(python3 -c "print(30 * $MM)")" "$(python3 -c "print(841.89 - 40 * $MM)")" "$(python3 -c "print(10 * $MM)")"
}

rotated_page() {
    # /Rotate 90: displayed landscape; X,Y are measured on what the reader sees.
    place "$FIX/pdf/rotate90.pdf" 1 30 40 legalrep "$T/rot.pdf"
    render "$T/rot.pdf" 1
    local w
    w=$(redbox | jq '.width_mm')
    near "$w" 297 1 || die "rendered width $w mm: the page is not shown rotated"
    check_seal 30 40 20
    check_upright_legalrep 30 40
    # User space: displayed (x, y-from-top) = (uy, ux) for /Rotate 90.
    check_rect "$T/rot.pdf" "$(python3 -c "print(40 * $MM)")" "$(python3 -c "print(30 * $MM)")" "$(python3 -c "print(10 * $MM)")"
}

cropbox_page() {
    # MediaBox [0 0 700 900], CropBox [50 60 645 902]: shown is [50 60 645 900].
    place "$FIX/pdf/cropbox.pdf" 1 30 40 legalrep "$T/crop.pdf"
    render "$T/crop.pdf" 1
    check_seal 30 40 20
    check_upright_legalrep 30 40
    check_rect "$T/crop.pdf" "$(python3 -c "print(50 + 30 * $MM)")" "$(python3 -c "print(900 - 40 * $MM)")" "$(python3 -c "print(10 * $MM)")"
}

company_page3() {
    place "$FIX/pdf/three.pdf" 3 105 250 company "$T/p3.pdf"
    render "$T/p3.pdf" 3
    check_seal 105 250 42
    check_upright_company 105 250
    local p
    for p in 1 2; do
        render "$T/p3.pdf" "$p"
        [ "$(redbox | jq .red_pixels)" = 0 ] || die "red on page $p, the seal belongs on page 3"
    done
}

off_page() {
    expect_failure 4 'page|outside|off' "$FIX/pdf/one.pdf" -- sign "$FIX/pdf/one.pdf" -o @OUT@ \
        --key "$KEY_COMPANY" "${PIN[@]}" --seal "$FIX/art/company.pdf" --page 1 --at 500,500
}

run_case "A4 page: legal-rep seal at 30,40 mm" plain_page
run_case "/Rotate 90 page: at 30,40 mm as displayed, upright" rotated_page
run_case "offset CropBox: at 30,40 mm from the visible corner" cropbox_page
run_case "three pages: company seal at page 3 only, star upright" company_page3
run_case "centre off the page -> 4" off_page
finish
