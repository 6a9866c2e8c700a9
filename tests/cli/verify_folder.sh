# seal verify DIR as a committee clerk uses it: the summary table (file,
# bidder, seals, verdict, reason) aligned by display width for Chinese
# names, -r into subfolders, "DIR/" joined without "//", the NO-SIGNATURE
# verdict (no signature at all, or only document time-stamps) in text, JSON,
# CSV and HTML with its exit status, the minutes as CSV (UTF-8 with a BOM,
# RFC 4180 quoting, CRLF) and the HTML report listing every page a seal is on.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
require python3 jq openssl

export SEAL_P12_PASSWORD
SEAL_P12_PASSWORD=$(cat "$FIX/p12pass.txt")
ROOT=$FIX/ca/root.pem
W=$T/work
mkdir -p "$W"

# A document time-stamp alone (a TSA certificate from a copy of the fixture CA).
ts_only() { # OUT
    [ -f "$W/tsa.pem" ] || {
        ca_copy "$W/ca"
        openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$W/tsa.key" \
            -subj "/C=CN/O=libseal test/CN=tsa" -out "$W/tsa.csr" 2>/dev/null
        (cd "$W/ca" && openssl ca -config openssl.cnf -batch -notext -preserveDN -md sha256 -cert inter.pem \
            -keyfile inter.key -in "$W/tsa.csr" -out "$W/tsa.pem" -extensions v3_tsa -days 30 >/dev/null 2>&1) \
            || die "cannot issue the TSA certificate"
        cat "$FIX/ca/inter.pem" "$ROOT" >"$W/tsachain.pem"
    }
    python3 "$TOOLS/pdfpki.py" doctimestamp "$FIX/pdf/one.pdf" "$1" "$W/tsa.pem" "$W/tsa.key" "$W/tsachain.pem"
}

# bids/ with a sealed bid under a Chinese name (three pages, one seal on
# each), a tampered copy, and in subfolders an unsigned bid and one with a
# document time-stamp only.
make_bids() {
    [ -d "$W/bids" ] && return 0
    mkdir -p "$W/bids/乙组/deep"
    expect_exit 0 "$SEAL" sign "$FIX/pdf/three.pdf" -o "$W/bids/甲建设投标文件.pdf" --key "p12:$FIX/signer.p12" \
        --seal "$FIX/art/company.pdf" --pages 1-3 --at 105,250
    python3 "$TOOLS/mutate.py" flip "$W/bids/甲建设投标文件.pdf" "$W/bids/b.pdf"
    cp "$FIX/pdf/one.pdf" "$W/bids/乙组/未签名.pdf"
    ts_only "$W/bids/乙组/deep/ts.pdf"
    echo "not a bid" >"$W/bids/notes.txt"
    mkdir -p "$W/bids/x.pdf" # a folder named like a PDF is no bid
}

FLIP_REASON="Seal1: messageDigest does not match the signed bytes: the document was changed"

# Every line's column starts (after runs of 2+ spaces) at the same display
# column, computed independently (Python's East Asian Width: W and F are two).
check_aligned() { # FILE
    python3 - "$1" <<'PY' || die "columns not aligned by display width"
import sys, unicodedata, re
def width(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
starts = None
for l in lines:
    cols = [width(l[:m.end()]) for m in re.finditer(r"  +", l)]
    # Right-aligned counts: the seal count column ends where its header does.
    if starts is None:
        starts = cols
        continue
    for k, c in enumerate(cols):
        if k == 1:
            continue   # the padding before the right-aligned count varies
        if k < len(starts) and c != starts[k]:
            print("line %r: column %d starts at %d, header at %d" % (l, k, c, starts[k])); sys.exit(1)
    if l.rstrip() != l:
        print("trailing blanks: %r" % l); sys.exit(1)
PY
}

case_summary() {
    make_bids
    # Without -r: the folder's own PDFs; "bids/" joined without "//".
    expect_exit 1 "$SEAL" verify "$W/bids/" --trust "$ROOT"
    cat >"$T/want" <<EOF
文件 File           投标人 Bidder  印章 Seals  结论 Verdict       原因 Reason
b.pdf               李四                    1  TOTAL-FAILED 失败  $FLIP_REASON
甲建设投标文件.pdf  李四                    1  TOTAL-PASSED 通过
EOF
    diff -u "$T/want" "$T/stdout" || die "summary table"
    check_aligned "$T/stdout"
    expect_exit 1 "$SEAL" verify "$W/bids/" --trust "$ROOT" --json
    [ "$(jq -r '.directory, .documents[].file' "$T/stdout")" = "$W/bids
$W/bids/b.pdf
$W/bids/甲建设投标文件.pdf" ] || die "JSON paths: $(jq -c '[.directory, .documents[].file]' "$T/stdout")"
    ! grep -q '//' "$T/stdout" || die "a path with //"
}

case_recursive() {
    make_bids
    expect_exit 1 "$SEAL" verify "$W/bids//" -r --trust "$ROOT"
    cat >"$T/want" <<EOF
文件 File           投标人 Bidder  印章 Seals  结论 Verdict               原因 Reason
b.pdf               李四                    1  TOTAL-FAILED 失败          $FLIP_REASON
乙组/deep/ts.pdf    -                       1  NO-SIGNATURE 无投标人签名  the document has no signature, only document time-stamps
乙组/未签名.pdf     -                       0  NO-SIGNATURE 无投标人签名  the document has no signature
甲建设投标文件.pdf  李四                    1  TOTAL-PASSED 通过
EOF
    diff -u "$T/want" "$T/stdout" || die "recursive summary table"
    check_aligned "$T/stdout"
    expect_exit 1 "$SEAL" verify "$W/bids/" --recursive --trust "$ROOT" --json
    [ "$(jq -r '.documents[] | [.file, .indication, .verdict_zh, .signatures_indication, (.exit_code|tostring)] | join("|")' \
        "$T/stdout")" = "$W/bids/b.pdf|TOTAL-FAILED|失败|TOTAL-FAILED|1
$W/bids/乙组/deep/ts.pdf|NO-SIGNATURE|无投标人签名|INDETERMINATE|1
$W/bids/乙组/未签名.pdf|NO-SIGNATURE|无投标人签名|INDETERMINATE|1
$W/bids/甲建设投标文件.pdf|TOTAL-PASSED|通过|TOTAL-PASSED|0" ] || { show_output; die "recursive JSON"; }
    # A folder whose PDFs are all in subfolders: -r says where to look.
    mkdir -p "$W/only-sub/a"
    cp "$FIX/pdf/one.pdf" "$W/only-sub/a/x.pdf"
    expect_exit 4 "$SEAL" verify "$W/only-sub"
    [ "$(cat "$T/stderr")" = "seal: no PDF files in $W/only-sub (-r: its subfolders too)" ] || { show_output; die "message"; }
    # -r takes a folder.
    expect_exit 2 "$SEAL" verify -r "$FIX/pdf/one.pdf"
    [ "$(head -1 "$T/stderr")" = "seal: -r (--recursive) needs a folder; $FIX/pdf/one.pdf is a file" ] || { show_output; die "-r on a file"; }
}

# No bidder signature: its own verdict and exit status (1: the bid is not
# signed — nothing failed and nothing is uncertain).
case_no_signature() {
    make_bids
    run "$SEAL" verify "$FIX/pdf/one.pdf" --trust "$ROOT"
    [ "$RC" = 1 ] || { show_output; die "exit $RC, expected 1"; }
    [ "$(sed -n 2p "$T/stdout")" = "结论 Verdict:   NO-SIGNATURE 无投标人签名 — the document has no signature" ] \
        || { show_output; die "text verdict"; }
    expect_exit 1 "$SEAL" verify "$W/bids/乙组/deep/ts.pdf" --trust "$ROOT" --json
    [ "$(jq -r '[.indication, .verdict, .verdict_zh, .subindication, .reason, .signatures_indication, (.exit_code|tostring)] | join("|")' \
        "$T/stdout")" = "NO-SIGNATURE|NO-SIGNATURE|无投标人签名|SIGNED_DATA_NOT_FOUND|the document has no signature, only document time-stamps|INDETERMINATE|1" ] \
        || die "JSON: $(jq -c . "$T/stdout" | head -c 300)"
    # A rule or a deadline does not hide it.
    expect_exit 1 "$SEAL" verify "$FIX/pdf/one.pdf" --trust "$ROOT" --require company --deadline 2100-01-01
    [ "$(sed -n 2p "$T/stdout")" = "结论 Verdict:   NO-SIGNATURE 无投标人签名 — the document has no signature" ] \
        || { show_output; die "with a rule"; }
    # A tampered document time-stamp is still a forgery.
    python3 "$TOOLS/mutate.py" flip "$W/bids/乙组/deep/ts.pdf" "$W/ts-flip.pdf"
    expect_exit 1 "$SEAL" verify "$W/ts-flip.pdf" --trust "$ROOT" --json
    [ "$(jq -r .indication "$T/stdout")" = TOTAL-FAILED ] || die "tampered time-stamp: $(jq -r .indication "$T/stdout")"
    # HTML: its own banner.
    expect_exit 1 "$SEAL" verify "$FIX/pdf/one.pdf" --html "$W/nosig.html"
    grep -q '<div class="banner nosig" data-verdict="NO-SIGNATURE"><b>NO-SIGNATURE 无投标人签名</b>' "$W/nosig.html" \
        || die "HTML banner"
}

# The minutes: exact bytes — BOM, header, RFC 4180 quoting (a comma and
# quotes in a file name), CRLF, paths below the folder.
case_csv() {
    make_bids
    mkdir -p "$W/minutes/sub"
    cp "$W/bids/甲建设投标文件.pdf" "$W/minutes/甲.pdf"
    cp "$FIX/pdf/one.pdf" "$W/minutes/sub/投标,\"乙\".pdf"
    expect_exit 1 "$SEAL" verify "$W/minutes/" -r --trust "$ROOT" --csv "$W/m.csv"
    printf '\xef\xbb\xbffile,bidder,signatures,verdict,verdict_zh,reason,eseals\r\n"sub/投标,""乙"".pdf","","0","NO-SIGNATURE","无投标人签名","the document has no signature",""\r\n"甲.pdf","李四","1","TOTAL-PASSED","通过","",""\r\n' \
        >"$T/want.csv"
    cmp "$T/want.csv" "$W/m.csv" || { od -c "$W/m.csv" | head -20; die "CSV bytes"; }
    [ "$(python3 -c 'import csv,sys; r=list(csv.reader(open(sys.argv[1], encoding="utf-8-sig", newline=""))); print(r[1][0], r[2][3])' "$W/m.csv")" \
        = 'sub/投标,"乙".pdf TOTAL-PASSED' ] || die "CSV does not read back"
}

# The HTML report: every page each seal is drawn on, one item per placement.
case_html_pages() {
    make_bids
    expect_exit 0 "$SEAL" verify "$W/bids/甲建设投标文件.pdf" --trust "$ROOT" --html "$W/r.html"
    grep -o '<ul class="placements">.*</ul>' "$W/r.html" >"$T/pl" || die "no placements list"
    [ "$(cat "$T/pl")" = '<ul class="placements"><li data-page="1">第 1 页 page 1: widget, company 公章</li><li data-page="2">第 2 页 page 2: stamp, company 公章</li><li data-page="3">第 3 页 page 3: stamp, company 公章</li></ul>' ] \
        || die "placements: $(cat "$T/pl")"
    # A cross-page seal: one strip on each page.
    expect_exit 0 "$SEAL" sign "$FIX/pdf/three.pdf" -o "$W/cross.pdf" --key "p12:$FIX/signer.p12" \
        --seal "$FIX/art/company.pdf" --cross-page --pages 1-3
    expect_exit 0 "$SEAL" verify "$W/cross.pdf" --trust "$ROOT" --html "$W/c.html"
    [ "$(grep -o '<li data-page="[0-9]*">第 [0-9] 页 page [0-9]: cross-page' "$W/c.html" | wc -l)" = 3 ] \
        || die "cross-page strips: $(grep -o '<ul class="placements">.*</ul>' "$W/c.html")"
}

run_case "DIR/: the summary table, aligned by display width, paths without //" case_summary
run_case "-r: subfolders, paths below the folder; no PDF without -r says so; -r on a file" case_recursive
run_case "no bidder signature: NO-SIGNATURE in text, JSON and HTML, exit 1" case_no_signature
run_case "--csv: UTF-8 BOM, RFC 4180 quoting, CRLF (exact bytes)" case_csv
run_case "HTML: every page each seal appears on" case_html_pages
finish
