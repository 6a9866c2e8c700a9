#!/usr/bin/env bash
# seal batch and seal sign IN... -o DIR/: a three-seal bid from a job file,
# 300 files with a token key and two workers, a SIGKILL mid-run then
# --resume, a corrupt input among ten, a wrong PIN, shards, stray temporaries.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require pdfsig jq python3

PIN=(--pin-file "$FIX/pin.txt")
BID=$SRC/samples/bid.pdf

# n_valid DIR: how many PDFs in DIR pdfsig calls valid and trusted (one signature each).
all_valid() { # DIR N
    local f n=0 bad=0
    for f in "$1"/*.pdf; do
        if pdfsig -nssdir "sql:$FIX/nssdb" "$f" 2>/dev/null | grep 'Signature is Valid' >/dev/null; then
            n=$((n + 1))
        else
            bad=$((bad + 1))
            note "not valid: $f"
        fi
    done
    [ "$bad" = 0 ] && [ "$n" = "$2" ] || die "$n valid outputs (expected $2), $bad bad"
}

no_temps() { [ -z "$(find "$1" -name '.*seal-*')" ] || die "temporary files left: $(find "$1" -name '.*seal-*')"; }

three_seal_job() {
    mkdir -p "$T/job"
    cat >"$T/job/bid.json" <<JSON
{ "version": 1, "inputs": ["$BID"], "output": "out",
  "keys": { "company": { "uri": "$KEY_COMPANY", "pin_file": "$FIX/pin.txt" },
            "legal": { "uri": "$KEY_LEGALREP", "pin_file": "$FIX/pin.txt" },
            "agent": { "uri": "$KEY_P12" } },
  "steps": [
    { "key": "company", "seal": "$FIX/art/company.pdf", "reason": "投标文件盖章",
      "placements": [ { "keyword": "投标人（盖章）：", "all": true, "offset": [55, 0] },
                      { "cross_page": true, "y": 262 } ] },
    { "key": "legal", "seal": "$FIX/art/legalrep.pdf",
      "placements": [ { "keyword": "法定代表人（签字或盖章）：", "all": true, "offset": [85, 0] } ] },
    { "key": "agent", "seal": "$FIX/art/legalrep.pdf", "date": "2026年12月01日",
      "placements": [ { "keyword": "委托代理人（签字）：", "all": true, "offset": [120, 0] } ] } ] }
JSON
    SEAL_P12_PASSWORD=$(cat "$FIX/p12pass.txt") expect_exit 0 "$SEAL" batch "$T/job/bid.json"
    local out=$T/job/out/bid.pdf
    check_prefix "$BID" "$out"
    check_pdfsig "$out" 3
    expect_exit 0 "$SEAL" inspect "$out" --json
    [ "$(jq '.signatures | length' "$T/stdout")" = 3 ] || die "expected three signatures"
    [ "$(jq -r '[.signatures[].signer] | join("|")' "$T/stdout")" = "某某建设工程有限公司 company-seal|张三|李四" ] \
        || die "signers in the wrong order: $(jq -c '[.signatures[].signer]' "$T/stdout")"
    # Each signature is its own revision, covering the ones before.
    [ "$(jq -c '[.signatures[].revision]' "$T/stdout")" = '[2,3,4]' ] || die "revisions $(jq -c '[.signatures[].revision]' "$T/stdout")"
    # The later seals' extra placements (stamps of their own signature) are
    # allowed changes for the earlier signatures: every one TOTAL-PASSED.
    expect_exit 0 "$SEAL" verify "$out" --trust "$FIX/ca/root.pem" --json
    [ "$(jq -r '[.signatures[].indication] | join(",")' "$T/stdout")" = "TOTAL-PASSED,TOTAL-PASSED,TOTAL-PASSED" ] \
        || die "verify: $(jq -c '[.signatures[] | {field, indication, subindication, changes_after}]' "$T/stdout")"
}

job_errors() {
    echo '{ "version": 1, "inputs": ["a.pdf"], "output": "o", "keys": {}, "steps": [ { "key": "x" } ] }' >"$T/bad1.json"
    expect_exit 2 "$SEAL" batch "$T/bad1.json"
    expect_msg 'names no key'
    echo '{ "version": 1, "inputs": ["a.pdf"], "output": "o", "keys": { "k": { "uri": "p12:x" } }, "steps": [ { "key": "k", "placements": [ { "keywords": "x" } ] } ] }' >"$T/bad2.json"
    expect_exit 2 "$SEAL" batch "$T/bad2.json"
    expect_msg 'unknown field "keywords"'
    echo '{ not json' >"$T/bad3.json"
    expect_exit 2 "$SEAL" batch "$T/bad3.json"
    expect_msg 'cannot read job file'
    # A job file's placements follow seal sign's rules (cli/placement.c):
    # what the command line refuses, a job refuses too.
    local pl
    while IFS='|' read -r pl msg; do
        printf '{ "version": 1, "inputs": ["a.pdf"], "output": "o", "keys": { "k": { "uri": "p12:x" } }, "steps": [ { "key": "k", "seal": "s.pdf", "placements": [ %s ] } ] }\n' "$pl" >"$T/bad4.json"
        expect_exit 2 "$SEAL" batch "$T/bad4.json"
        expect_msg "^seal: job: steps\\[0\\]\\.placements\\[0\\]:? $msg\$"
    done <<'CASES'
{ "keyword": "x", "nth": 2, "all": true }|nth and all exclude each other
{ "keyword": "x", "nth": 0 }|nth is a hit number from 1
{ "keyword": "x", "page": 1, "at": [10, 10] }|choose one of page\+at, pages\+at, keyword and field
{ "page": 1, "at": [10, 10], "offset": [1, 1] }|nth, all and offset go with keyword
{ "page": 1, "at": [10, 10], "edge": "left" }|edge, y and group go with cross_page
{ "cross_page": true, "y": -3 }|y is a height in mm
{ "cross_page": true, "group": 1 }|group is a number of pages from 2 or "auto"
{ "at": [10, 10] }|at needs page or pages
{ "keyword": "x", "cross_page": true }|asks for two seals: give the cross-page seal a placement of its own
CASES
    # The same refusals on the command line.
    expect_exit 2 "$SEAL" sign "$FIX/pdf/one.pdf" -o "$T/x.pdf" --key p12:x --seal s.pdf --keyword x --nth 2 --all
    [ "$(head -1 "$T/stderr")" = "seal: --nth and --all exclude each other" ] || { show_output; die "sign --nth --all"; }
}

make_inputs() { # DIR N
    mkdir -p "$1"
    local i
    for i in $(seq -w 1 "$2"); do cp "$FIX/pdf/one.pdf" "$1/doc$i.pdf"; done
}

three_hundred() {
    make_inputs "$T/in300" 300
    expect_exit 0 "$SEAL" sign "$T/in300" -o "$T/out300/" --key "$KEY_COMPANY" "${PIN[@]}" \
        --seal "$FIX/art/company.pdf" --page 1 --at 100,100 --jobs 2 --json-log "$T/log.jsonl"
    grep -q '^seal: 300 sealed, 0 skipped, 0 failed' "$T/stderr" || { show_output; die "no 300-sealed summary"; }
    [ "$(ls "$T/out300" | wc -l)" = 300 ] || die "$(ls "$T/out300" | wc -l) outputs"
    [ "$(grep -c '"status":"sealed"' "$T/log.jsonl")" = 300 ] || die "json log does not list 300 sealed files"
    no_temps "$T/out300"
    all_valid "$T/out300" 300
}

killed_then_resumed() {
    make_inputs "$T/ink" 300
    # One worker, so the run is long enough to be killed in the middle.
    "$SEAL" sign "$T/ink" -o "$T/outk/" --key "$KEY_COMPANY" "${PIN[@]}" \
        --seal "$FIX/art/company.pdf" --page 1 --at 100,100 --jobs 1 >/dev/null 2>&1 &
    local pid=$! n=0 i
    for i in $(seq 1 1000); do
        n=$( (find "$T/outk" -maxdepth 1 -name 'doc*.pdf' 2>/dev/null || true) | wc -l)
        [ "$n" -lt 30 ] || break
        sleep 0.01
    done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    n=$(find "$T/outk" -maxdepth 1 -name 'doc*.pdf' | wc -l)
    [ "$n" -lt 300 ] || skip_case "the run finished before it could be killed"
    note "killed after $n outputs"
    # Whatever exists is whole and valid.
    all_valid "$T/outk" "$n"
    expect_exit 0 "$SEAL" sign "$T/ink" -o "$T/outk/" --key "$KEY_COMPANY" "${PIN[@]}" \
        --seal "$FIX/art/company.pdf" --page 1 --at 100,100 --jobs 2 --resume
    grep -Eq "^seal: $((300 - n)) sealed, $n skipped, 0 failed" "$T/stderr" \
        || { show_output; die "expected $((300 - n)) sealed and $n skipped"; }
    no_temps "$T/outk"
    all_valid "$T/outk" 300
    # None sealed twice.
    local f
    for f in "$T"/outk/doc00[1-9].pdf; do
        expect_exit 0 "$SEAL" inspect "$f" --json
        [ "$(jq '.signatures | length' "$T/stdout")" = 1 ] || die "$f carries more than one signature"
    done
}

corrupt_among_ten() {
    make_inputs "$T/in10" 9
    head -c 300 "$FIX/pdf/one.pdf" >"$T/in10/doc05x.pdf"
    expect_exit 4 "$SEAL" sign "$T/in10" -o "$T/out10/" --key "$KEY_COMPANY" "${PIN[@]}" \
        --seal "$FIX/art/company.pdf" --page 1 --at 100,100 --jobs 2
    grep -q '^seal: 9 sealed, 0 skipped, 1 failed' "$T/stderr" || { show_output; die "no 9-sealed summary"; }
    grep -q "^seal: failed: $T/in10/doc05x.pdf: .*truncated" "$T/stderr" || { show_output; die "the corrupt file is not named"; }
    [ ! -e "$T/out10/doc05x.pdf" ] || die "an output for the corrupt input"
    all_valid "$T/out10" 9
    no_temps "$T/out10"
    # --fail-fast stops at the first failure.
    mkdir -p "$T/inff" && head -c 300 "$FIX/pdf/one.pdf" >"$T/inff/a.pdf" && make_inputs "$T/inff" 5
    expect_exit 4 "$SEAL" sign "$T/inff" -o "$T/outff/" --key "$KEY_COMPANY" "${PIN[@]}" --jobs 1 --fail-fast
    grep -q '^seal: 0 sealed, 0 skipped, 1 failed, stopped early' "$T/stderr" || { show_output; die "--fail-fast did not stop"; }
}

wrong_pin() {
    make_inputs "$T/inp" 3
    expect_exit 5 "$SEAL" sign "$T/inp" -o "$T/outp/" --key "$KEY_COMPANY" --pin-file "$FIX/badpin.txt" \
        --seal "$FIX/art/company.pdf" --page 1 --at 100,100
    expect_msg "wrong PIN"
    [ ! -e "$T/outp" ] || die "the output directory was created before the PIN was checked"
}

shards_and_strays() {
    make_inputs "$T/ins" 10
    # Strays: an old-style leftover and one of a process that is gone are
    # removed; one of a process that still runs (a concurrent shard) is not.
    local host live
    host=$(hostname | tr '/~ ' '___')
    mkdir -p "$T/outs" && : >"$T/outs/.doc01.pdf.seal-AbC123"
    sleep 30 & live=$!
    : >"$T/outs/.doc02.pdf.seal-$host~$live~LiVe12"
    (exit 0) & local dead=$!
    wait "$dead"
    : >"$T/outs/.doc03.pdf.seal-$host~$dead~DeAd12"
    local i
    for i in 1 2 3; do
        expect_exit 0 "$SEAL" sign "$T/ins" -o "$T/outs/" --key "$KEY_COMPANY" "${PIN[@]}" --shard "$i/3"
    done
    [ "$(ls "$T/outs" | wc -l)" = 10 ] || die "shards produced $(ls "$T/outs" | wc -l) outputs"
    [ -e "$T/outs/.doc02.pdf.seal-$host~$live~LiVe12" ] || die "a running process's temporary file was removed"
    kill "$live" 2>/dev/null || true
    rm -f "$T/outs/.doc02.pdf.seal-$host~$live~LiVe12"
    no_temps "$T/outs"
    expect_exit 2 "$SEAL" sign "$T/ins" -o "$T/outs/" --key "$KEY_COMPANY" --shard 4/3
    expect_exit 2 "$SEAL" sign "$FIX/pdf/one.pdf" -o "$T/x.pdf" --key "$KEY_COMPANY" --jobs 2
    # A usage error: the reason on the first line, the synopsis after it.
    head -1 "$T/stderr" | grep '^seal: .*need -o DIR/$' >/dev/null || { show_output; die "no reason line"; }
}

run_case "job file: company, legal-rep and agent seals in three signatures" three_seal_job
run_case "job file errors -> 2 with the reason" job_errors
run_case "300 one-page PDFs, token key, --jobs 2: all valid" three_hundred
run_case "SIGKILL mid-run, then --resume: 300 valid, none twice, no temporaries" killed_then_resumed
run_case "a corrupt input among ten: nine sealed, named, exit 4; --fail-fast" corrupt_among_ten
run_case "wrong PIN: exit 5 before anything is written" wrong_pin
run_case "--shard 1/3..3/3 cover the inputs; stray temporaries removed" shards_and_strays
finish
