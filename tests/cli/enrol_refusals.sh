#!/usr/bin/env bash
# seal enrol refusals (issue 17), on scans this test makes from the sample
# forms (tests/tools/mkscans.py): a fragment (a quarter of the seal in both
# boxes), a half-erased pair and two impressions of different sizes are
# refused with incomplete_impression (exit 4, nothing written), a fragment
# beside a whole impression enrols from the whole one; a --kind the measured
# seal contradicts is refused saying what was measured; a cropped 300 dpi
# scan (only the seal, only the table) enrols at the resolution its file
# records (PNG pHYs, JPEG JFIF, TIFF), one without a resolution is refused
# as a cropped scan unless --dpi N gives it.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require jq

PY=/usr/bin/python3
"$PY" -c 'import numpy, PIL' 2>/dev/null || { echo "enrol_refusals: no python3-numpy/python3-pil: skipped"; exit 77; }
COMPANY=$SRC/samples/company-form.jpg
LEGAL=$SRC/samples/legal-rep-form.jpg
S=$T/scans
mkdir -p "$S"
"$SEAL" enrol "$COMPANY" -o "$S/art.pdf" --png "$S/art.png" --png-dpi 300 >/dev/null \
    || { echo "enrol_refusals: the sample form does not enrol"; exit 1; }
"$PY" "$TOOLS/mkscans.py" "$COMPANY" "$S/art.png" "$S" || { echo "enrol_refusals: mkscans.py failed"; exit 1; }

# first_line TEXT: the first line on stderr is exactly TEXT.
first_line() {
    local got
    got=$(head -n 1 "$T/stderr")
    [ "$got" = "$1" ] || { show_output; die "first stderr line: '$got', expected '$1'"; }
}

# first_line_re REGEX: the first line on stderr matches the anchored REGEX;
# BASH_REMATCH holds the groups.
first_line_re() {
    local got
    got=$(head -n 1 "$T/stderr")
    [[ $got =~ $1 ]] || { show_output; die "first stderr line: '$got' does not match /$1/"; }
}

# refused IN ARGS...: seal enrol IN ARGS exits 4 with one line, writes no
# artwork, SVG or PNG and leaves IN unchanged.
refused() {
    local in=$1
    shift
    expect_failure 4 'scan rejected: ' "$in" -- enrol "$in" -o @OUT@ --svg @OUT@.svg --png @OUT@.png "$@"
}

# enrolled IN SIZE DPI BOXES ARGS...: exit 0, a SIZE mm seal (within 0.3 mm)
# measured at DPI, with BOXES collection boxes found.
enrolled() {
    local in=$1 size=$2 dpi=$3 boxes=$4
    shift 4
    expect_exit 0 "$SEAL" enrol "$in" -o "$T/ok.pdf" --json "$@"
    [ -s "$T/ok.pdf" ] || die "no artwork"
    rm -f "$T/ok.pdf"
    jq -e --argjson s "$size" --argjson d "$dpi" --argjson b "$boxes" \
        '(.size_mm[0] - $s | fabs) <= 0.3 and (.size_mm[1] - $s | fabs) <= 0.3 and .dpi == $d and .boxes_found == $b' \
        "$T/stdout" >/dev/null || die "enrolled as $(jq -c '{size_mm, dpi, boxes_found, decision}' "$T/stdout")"
    note "$(basename "$in") $*: $(jq -c '[.decision, .kind, .size_mm, .dpi, .box]' "$T/stdout")"
}

INCOMPLETE='^seal: scan rejected: impression ([12]) is incomplete: its border ring is inked along ([0-9]+)% of its length \(90% at least for a whole impression\) \(incomplete_impression\)$'

fragment() {
    refused "$S/quarter.png"
    first_line_re "$INCOMPLETE"
    [ "${BASH_REMATCH[2]}" -lt 90 ] || die "a quarter ring measured ${BASH_REMATCH[2]}% whole"
}

half_erased() {
    refused "$S/half.png"
    first_line_re "$INCOMPLETE"
    [ "${BASH_REMATCH[2]}" -lt 90 ] || die "a half ring measured ${BASH_REMATCH[2]}% whole"
}

fragment_json() {
    expect_exit 4 "$SEAL" enrol "$S/quarter.png" -o "$T/q.pdf" --json
    [ ! -e "$T/q.pdf" ] || die "artwork written"
    jq -e '.decision == "reject" and .reasons == ["incomplete_impression"]' "$T/stdout" >/dev/null \
        || die "record: $(jq -c '{decision, reasons}' "$T/stdout")"
    first_line_re "$INCOMPLETE"
}

# a fragment beside a whole impression: the whole one is the seal; the
# fragment asked for by --box is refused
fragment_beside_whole() {
    enrolled "$S/fragment2.png" 42 300 2
    jq -e '.box == 1 and .reasons == []' "$T/stdout" >/dev/null || die "not box 1: $(jq -c . "$T/stdout")"
    refused "$S/fragment2.png" --box 2
    first_line_re "$INCOMPLETE"
    [ "${BASH_REMATCH[1]}" = 2 ] || die "names impression ${BASH_REMATCH[1]}"
}

sizes_disagree() {
    refused "$S/sizes.png"
    first_line_re '^seal: scan rejected: the two impressions differ in size \((4[12]\.[0-9])x(4[12]\.[0-9]) and (3[56]\.[0-9])x(3[56]\.[0-9]) mm\), more than ink spread explains: one is incomplete, or they are not the same seal \(incomplete_impression\)$'
}

wrong_kind() {
    refused "$COMPANY" --kind legal-rep
    first_line 'seal: scan rejected: this is a 42 mm round seal; use --kind company (wrong_kind)'
    refused "$LEGAL" --kind company
    first_line 'seal: scan rejected: this is a 21 mm square seal; use --kind legal-rep (wrong_kind)'
    refused "$S/seal.png" --kind legal-rep
    first_line 'seal: scan rejected: this is a 42 mm round seal; use --kind company (wrong_kind)'
}

right_kind() {
    enrolled "$COMPANY" 42.04 300 2 --kind company
    enrolled "$LEGAL" 21.5 300 2 --kind legal-rep
    jq -e '.kind == "legal-rep" and .shape == "square"' "$T/stdout" >/dev/null || die "not a square legal-rep seal"
}

cropped_with_resolution() {
    local f
    for f in seal.png seal.jpg seal.tif; do
        enrolled "$S/$f" 42 300 0
        expect_quiet
    done
    enrolled "$S/table.png" 42 300 2
    expect_quiet
}

cropped_without_resolution() {
    local f
    for f in seal-nodpi.png seal-nodpi.jpg seal-nodpi.tif; do
        refused "$S/$f"
        first_line 'seal: scan rejected: cropped scan: give its resolution with --dpi N (the 600x600 image records none and is not a whole page) (unknown_resolution)'
    done
    refused "$S/table-nodpi.png"
    first_line 'seal: scan rejected: cropped scan: give its resolution with --dpi N (the 2320x1300 image records none and is not a whole page) (unknown_resolution)'
    expect_exit 4 "$SEAL" enrol "$S/seal-nodpi.png" -o "$T/n.pdf" --json
    jq -e '.reasons == ["unknown_resolution"] and .dpi == 0' "$T/stdout" >/dev/null \
        || die "record: $(jq -c '{reasons, dpi}' "$T/stdout")"
}

cropped_given_dpi() {
    enrolled "$S/seal-nodpi.png" 42 300 0 --dpi 300
    expect_quiet
    enrolled "$S/seal-nodpi.jpg" 42 300 0 --dpi 300
    enrolled "$S/table-nodpi.png" 42 300 2 --dpi 300
    # --dpi over a file's own resolution: obeyed, and said
    enrolled "$S/seal.png" 21 600 0 --dpi 600
    first_line "seal: warning: --dpi 600 overrides the 300 dpi $S/seal.png records"
}

# a whole page without a resolution is still taken for A4, and says so
page_without_resolution() {
    "$PY" -c 'import sys; from PIL import Image; im = Image.open(sys.argv[1]); im.resize((im.width // 2, im.height // 2)).save(sys.argv[2])' \
        "$COMPANY" "$S/half-res.png"
    refused "$S/half-res.png"
    first_line 'seal: scan rejected: about 150 dpi for an A4 page (the file records no resolution; give it with --dpi N if this is not a whole page); at least 300 dpi is needed (low_resolution)'
}

usage() {
    expect_exit 2 "$SEAL" enrol "$S/seal.png" -o "$T/u.pdf" --dpi 5
    first_line 'seal: --dpi wants a number from 10 to 4800'
    expect_exit 2 "$SEAL" enrol "$S/seal.png" -o "$T/u.pdf" --png-dpi 300
    first_line 'seal: --png-dpi goes with --png'
    [ ! -e "$T/u.pdf" ] || die "artwork written"
}

run_case fragment fragment
run_case half_erased half_erased
run_case fragment_json fragment_json
run_case fragment_beside_whole fragment_beside_whole
run_case sizes_disagree sizes_disagree
run_case wrong_kind wrong_kind
run_case right_kind right_kind
run_case cropped_with_resolution cropped_with_resolution
run_case cropped_without_resolution cropped_without_resolution
run_case cropped_given_dpi cropped_given_dpi
run_case page_without_resolution page_without_resolution
run_case usage usage
finish
