#!/usr/bin/env bash
# seal inspect IN.pdf [--json]: revisions, signature fields, signers, byte
# ranges, coverage, certification, placement, checked against what qpdf,
# pdfsig and a byte-level reading (pdfsigs.py) say about the same files.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require jq qpdf pdfsig python3

PIN=(--pin-file "$FIX/pin.txt")
PT_PER_MM=2.834645669

# inspect_json FILE [ARGS]: seal inspect --json into $T/inspect.json.
inspect_json() {
    local f=$1
    shift
    expect_exit 0 "$SEAL" inspect "$f" --json "$@"
    expect_quiet
    cp "$T/stdout" "$T/inspect.json"
    jq -e . "$T/inspect.json" >/dev/null || die "inspect --json output is not JSON"
}

# near A B [TOL]: two numbers agree within TOL (default 0.05).
near() {
    python3 -c 'import sys; a, b, t = map(float, sys.argv[1:4]); sys.exit(abs(a - b) > t)' "$1" "$2" "${3:-0.05}"
}

# expect_rect JSON-PATH CX_PT CY_PT HALF_PT: a square widget centred at (CX,CY).
expect_rect() {
    local path=$1 cx=$2 cy=$3 h=$4 got want i
    got=$(jq -r "$path | map(tostring) | join(\" \")" "$T/inspect.json")
    want=$(python3 -c 'import sys; cx, cy, h = map(float, sys.argv[1:4]); print(cx - h, cy - h, cx + h, cy + h)' "$cx" "$cy" "$h")
    read -ra g <<<"$got"
    read -ra w <<<"$want"
    [ ${#g[@]} = 4 ] || die "rect $got"
    for i in 0 1 2 3; do
        near "${g[$i]}" "${w[$i]}" 0.05 || die "rect [$got], expected [$want]"
    done
}

unsigned_files() {
    local f n
    for f in one three rotate90 cropbox xrefstream; do
        inspect_json "$FIX/pdf/$f.pdf"
        n=$(qpdf --show-npages "$FIX/pdf/$f.pdf")
        [ "$(jq .pages "$T/inspect.json")" = "$n" ] || die "$f: pages $(jq .pages "$T/inspect.json"), qpdf says $n"
        [ "$(jq .size "$T/inspect.json")" = "$(filesize "$FIX/pdf/$f.pdf")" ] || die "$f: size"
        [ "$(jq -c '[.revisions[] | [.start, .end, .signature]]' "$T/inspect.json")" = \
            "[[0,$(filesize "$FIX/pdf/$f.pdf"),null]]" ] || die "$f: revisions $(jq -c .revisions "$T/inspect.json")"
        [ "$(jq '.signatures | length' "$T/inspect.json")" = 0 ] || die "$f: signatures listed"
    done
}

linearized_one_revision() {
    # A linearized file has two xref sections and two %%EOF markers but is
    # one revision: the first-page trailer is not an incremental update.
    inspect_json "$FIX/pdf/linearized.pdf"
    [ "$(jq -c '[.revisions[] | [.start, .end]]' "$T/inspect.json")" = \
        "[[0,$(filesize "$FIX/pdf/linearized.pdf")]]" ] \
        || die "revisions $(jq -c '[.revisions[] | [.start, .end]]' "$T/inspect.json"), expected one"
}

encrypted_with_password() {
    PDFPW=upw inspect_json "$FIX/pdf/encrypted.pdf" --password-env PDFPW
    [ "$(jq .pages "$T/inspect.json")" = 1 ] || die "pages"
}

# Three signatures: certified company seal on page 2, legal-rep seal on
# page 1, invisible PKCS#12 signature.
S1=$T/s1.pdf S2=$T/s2.pdf S3=$T/s3.pdf
make_signed() {
    expect_exit 0 "$SEAL" sign "$FIX/pdf/three.pdf" -o "$S1" --key "$KEY_COMPANY" "${PIN[@]}" \
        --seal "$FIX/art/company.pdf" --page 2 --at 105,250 --certify 2 --reason "盖章"
    expect_exit 0 "$SEAL" sign "$S1" -o "$S2" --key "$KEY_LEGALREP" "${PIN[@]}" \
        --seal "$FIX/art/legalrep.pdf" --page 1 --at 30,40
    SEAL_P12_PASSWORD=p12pass expect_exit 0 "$SEAL" sign "$S2" -o "$S3" --key "p12:$FIX/signer.p12"
}

signed_file() {
    [ -f "$S3" ] || skip_case "signing failed"
    inspect_json "$S3"
    local j=$T/inspect.json s0 s1 s2 s3
    s0=$(filesize "$FIX/pdf/three.pdf") s1=$(filesize "$S1") s2=$(filesize "$S2") s3=$(filesize "$S3")
    [ "$(jq .size "$j")" = "$s3" ] || die "size"
    [ "$(jq .pages "$j")" = 3 ] || die "pages"
    [ "$(jq -c '[.revisions[] | [.start, .end, .signature]]' "$j")" = \
        "[[0,$s0,null],[$s0,$s1,0],[$s1,$s2,1],[$s2,$s3,2]]" ] \
        || die "revisions $(jq -c '[.revisions[] | [.start, .end, .signature]]' "$j")"
    [ "$(jq '.signatures | length' "$j")" = 3 ] || die "$(jq '.signatures | length' "$j") signatures"
    # Byte ranges as read from the bytes.
    local br
    br=$(python3 "$TOOLS/pdfsigs.py" "$S3" | jq -c '[.signatures[].byte_range]')
    [ "$(jq -c '[.signatures[].byte_range]' "$j")" = "$br" ] \
        || die "byte ranges $(jq -c '[.signatures[].byte_range]' "$j"), from the bytes $br"
    [ "$(jq -c '[.signatures[] | .covers_whole_file]' "$j")" = '[false,false,true]' ] || die "covers_whole_file"
    [ "$(jq -c '[.signatures[] | .revision]' "$j")" = '[2,3,4]' ] || die "revision $(jq -c '[.signatures[] | .revision]' "$j")"
    [ "$(jq -c '[.signatures[] | .certify]' "$j")" = '[2,0,0]' ] || die "certify $(jq -c '[.signatures[] | .certify]' "$j")"
    [ "$(jq -c '[.signatures[] | .type]' "$j")" = '["Sig","Sig","Sig"]' ] || die "type"
    [ "$(jq -c '[.signatures[] | .signed]' "$j")" = '[true,true,true]' ] || die "signed"
    [ "$(jq -c '[.signatures[] | .subfilter] | unique' "$j")" = '["ETSI.CAdES.detached"]' ] || die "subfilter"
    [ "$(jq -c '[.signatures[] | .visible]' "$j")" = '[true,true,false]' ] || die "visible $(jq -c '[.signatures[] | .visible]' "$j")"
    [ "$(jq -r '[.signatures[] | .signer] | join("|")' "$j")" = "某某建设工程有限公司 company-seal|张三|李四" ] \
        || die "signers $(jq -r '[.signatures[] | .signer] | join("|")' "$j")"
    [ "$(jq '[.signatures[] | .field] | unique | length' "$j")" = 3 ] || die "field names not unique"
    # Field names as pdfsig reads them.
    local names
    names=$(pdfsig "$S3" 2>/dev/null | sed -n 's/^  - Signature Field Name: //p' | paste -sd'|')
    [ "$(jq -r '[.signatures[] | .field] | join("|")' "$j")" = "$names" ] || die "fields vs pdfsig: $names"
    # The claimed time is now-ish and ISO 8601 UTC.
    jq -r '.signatures[] | .claimed_time' "$j" | while read -r t; do
        [[ $t =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$ ]] || die "claimed_time '$t'"
        [ $(($(date -u +%s) - $(date -u -d "$t" +%s))) -lt 600 ] || die "claimed_time $t is not now"
    done
    # Placement: company seal (42 mm) centred 105 mm from the left, 250 mm
    # from the top of A4 page 2; legal-rep seal (20 mm) at 30,40 on page 1.
    [ "$(jq -c '[.signatures[0].page, .signatures[1].page]' "$j")" = '[2,1]' ] || die "pages of the widgets"
    expect_rect '.signatures[0].rect' "$(bc_mm 105)" "$(python3 -c "print(841.89 - 250 * $PT_PER_MM)")" "$(bc_mm 21)"
    expect_rect '.signatures[1].rect' "$(bc_mm 30)" "$(python3 -c "print(841.89 - 40 * $PT_PER_MM)")" "$(bc_mm 10)"
}

bc_mm() { python3 -c "print($1 * $PT_PER_MM)"; }

text_output() {
    [ -f "$S3" ] || skip_case "signing failed"
    expect_exit 0 "$SEAL" inspect "$S3"
    expect_quiet
    local f
    for f in $(jq -r '.signatures[] | .field' "$T/inspect.json" 2>/dev/null || true); do
        grep -qF "$f" "$T/stdout" || die "text output lacks field $f"
    done
    grep -q '李四' "$T/stdout" || die "text output lacks a signer"
}

errors() {
    expect_exit 4 "$SEAL" inspect "$FIX/pdf/notpdf.pdf"
    expect_msg 'pdf'
    expect_exit 4 "$SEAL" inspect "$FIX/pdf/truncated.pdf" --json
    expect_msg 'truncat|damaged|broken|corrupt|xref|eof'
    [ ! -s "$T/stdout" ] || die "output on stdout for a failure"
    expect_exit 4 "$SEAL" inspect "$T/no-such.pdf"
    expect_msg 'no-such\.pdf|no such file|cannot open'
    expect_exit 4 "$SEAL" inspect "$FIX/pdf/encrypted.pdf"
    expect_msg 'password|encrypt'
    expect_exit 2 "$SEAL" inspect
    expect_exit 2 "$SEAL" inspect "$FIX/pdf/one.pdf" --frobnicate
}

run_case "unsigned files: pages (qpdf), size, one revision, no signatures" unsigned_files
run_case "a linearized file is one revision" linearized_one_revision
run_case "encrypted file with --password-env" encrypted_with_password
run_case "make a three-signature file" make_signed
run_case "three signatures: revisions, byte ranges, signers, certification, placement" signed_file
run_case "text output" text_output
run_case "errors: 4 for unusable input, 2 for usage" errors
finish
