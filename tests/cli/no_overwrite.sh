#!/usr/bin/env bash
# Nothing lost (issue 10): no output may name a file the command reads, and
# no two outputs one file — for every command and every (input option,
# output option) pair, in every spelling (as given, ./, ../dir/, a symlink,
# a hard link): exit 2, one line naming both paths, the input's bytes
# unchanged, nothing new on disk. Then a full disk for each output kind (no
# file left behind, the message names the file), a failed --html write
# beside a failed bid (exit 1 all the same), and an empty PIN (exit 5 with
# no C_Login at all).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
require python3 sha256sum

export SEAL_P12_PASSWORD
SEAL_P12_PASSWORD=$(cat "$FIX/p12pass.txt")
SCAN=$SRC/samples/company-form.jpg

# A fresh working folder with one of every kind of input: a bid, a scan,
# artwork, a PIN file, a chain, a trust anchor, a PKCS#12 file, a job file,
# and a folder of bids.
fresh() {
    W=$T/w$RANDOM$RANDOM
    mkdir -p "$W/bids" "$W/trust" "$W/out"
    cp "$FIX/pdf/one.pdf" "$W/bid.pdf"
    cp "$FIX/pdf/one.pdf" "$W/bids/a.pdf"
    cp "$SCAN" "$W/form.jpg"
    cp "$FIX/art/company.pdf" "$W/art.pdf"
    cp "$FIX/pin.txt" "$W/pin.txt"
    cp "$SRC/fonts/NotoSerifCJKsc-Regular-date.otf" "$W/font.otf"
    cp "$FIX/chain.pem" "$W/chain.pem"
    cp "$FIX/ca/root.pem" "$W/root.pem"
    cp "$FIX/ca/root.pem" "$W/trust/root.pem"
    cp "$FIX/signer.p12" "$W/signer.p12"
    cd "$W"
    cat >"$W/job.json" <<EOF
{ "version": 1, "inputs": ["bid.pdf"], "output": "out",
  "keys": { "k": { "uri": "p12:signer.p12", "chain": "chain.pem" } },
  "steps": [ { "key": "k", "seal": "art.pdf", "placements": [ { "page": 1, "at": [50, 50] } ] } ] }
EOF
}

# The state of the working folder: every name, link target and content hash.
snapshot() {
    (cd "$W" && find . -printf '%p %y %l\n' | sort && find . -type f -print0 | sort -z \
        | xargs -0 sha256sum) >"$1"
}

# spell HOW PATH: PATH (relative to $W, where seal runs) written another
# way; symlink and hard link are made here, before the snapshot.
spell() {
    case $1 in
    plain) printf '%s' "$2" ;;
    dot) printf './%s' "$2" ;;
    updir) printf '../%s/%s' "$(basename "$W")" "$2" ;;
    symlink) ln -s "$(basename "$2")" "$W/$(dirname "$2")/sym-$(basename "$2")"
        printf '%s/sym-%s' "$(dirname "$2")" "$(basename "$2")" ;;
    hardlink) ln "$W/$2" "$W/$(dirname "$2")/hard-$(basename "$2")"
        printf '%s/hard-%s' "$(dirname "$2")" "$(basename "$2")" ;;
    esac
}

# refused HOW INPUT SHOWN -- SEAL-ARGS...: with @OUT@ replaced by INPUT
# spelt HOW, seal (run in $W) exits 2 with one line naming the output as
# spelt (or as $OUT_SHOWN) and the input as SHOWN, and the folder is exactly
# as before.
refused() {
    local how=$1 input=$2 shown=$3 out a args=()
    shift 4
    out=$(spell "$how" "$input")
    for a in "$@"; do args+=("${a//@OUT@/$out}"); done
    snapshot "$T/before"
    expect_exit 2 "$SEAL" "${args[@]}"
    expect_msg 'would replace|are one file'
    grep -qF -- "${OUT_SHOWN:-$out}" "$T/stderr" \
        || { show_output; die "the message does not name the output ${OUT_SHOWN:-$out}"; }
    grep -qF -- "$shown" "$T/stderr" || { show_output; die "the message does not name the input $shown"; }
    snapshot "$T/after"
    diff -u "$T/before" "$T/after" >"$T/diff" || { cat "$T/diff"; die "the folder changed: $(printf '%q ' "${args[@]}")"; }
}

KEY=p12:signer.p12
P11KEY=pkcs11:token=NoSuchToken

# The table: command, the input option, the output option, the arguments.
# Each row is "INPUT|SHOWN|ARGS..." with @OUT@ for the output.
TABLE=(
    "enrol SCAN -o|form.jpg|form.jpg|enrol form.jpg -o @OUT@"
    "enrol SCAN --svg|form.jpg|form.jpg|enrol form.jpg -o x.pdf --svg @OUT@"
    "enrol SCAN --png|form.jpg|form.jpg|enrol form.jpg -o x.pdf --png @OUT@"
    "make --font -o|font.otf|font.otf|make --kind personal --name 张三 --font font.otf -o @OUT@"
    "make --font --svg|font.otf|font.otf|make --kind personal --name 张三 --font font.otf -o x.pdf --svg @OUT@"
    "make --font --png|font.otf|font.otf|make --kind personal --name 张三 --font font.otf -o x.pdf --png @OUT@"
    "sign IN -o|bid.pdf|bid.pdf|sign bid.pdf -o @OUT@ --key $KEY"
    "sign --seal -o|art.pdf|art.pdf|sign bid.pdf -o @OUT@ --key $KEY --seal art.pdf --page 1 --at 50,50"
    "sign --pin-file -o|pin.txt|pin.txt|sign bid.pdf -o @OUT@ --key $KEY --pin-file pin.txt"
    "sign --chain -o|chain.pem|chain.pem|sign bid.pdf -o @OUT@ --key $KEY --chain chain.pem"
    "sign --key p12:FILE -o|signer.p12|signer.p12|sign bid.pdf -o @OUT@ --key p12:signer.p12"
    "sign IN --preview|bid.pdf|bid.pdf|sign bid.pdf --preview @OUT@ --seal art.pdf --page 1 --at 50,50"
    "sign --seal --preview|art.pdf|art.pdf|sign bid.pdf --preview @OUT@ --seal art.pdf --page 1 --at 50,50"
    "sign IN... --json-log|bid.pdf|bid.pdf|sign bid.pdf -o out/ --key $KEY --json-log @OUT@"
    "sign --seal --json-log|art.pdf|art.pdf|sign bid.pdf -o out/ --key $KEY --seal art.pdf --page 1 --at 50,50 --json-log @OUT@"
    "sign --pin-file --json-log|pin.txt|pin.txt|sign bid.pdf -o out/ --key $KEY --pin-file pin.txt --json-log @OUT@"
    "sign --chain --json-log|chain.pem|chain.pem|sign bid.pdf -o out/ --key $KEY --chain chain.pem --json-log @OUT@"
    "sign --key p12:FILE --json-log|signer.p12|signer.p12|sign bid.pdf -o out/ --key p12:signer.p12 --json-log @OUT@"
    "verify IN --html|bid.pdf|bid.pdf|verify bid.pdf --trust root.pem --html @OUT@"
    "verify --trust FILE --html|root.pem|root.pem|verify bid.pdf --trust root.pem --html @OUT@"
    "verify --trust DIR --html|trust/root.pem|trust/|verify bid.pdf --trust trust --html @OUT@"
    "verify DIR --html|bids/a.pdf|bids/|verify bids --trust root.pem --html @OUT@"
    "extend IN -o|bid.pdf|bid.pdf|extend bid.pdf -o @OUT@ --tsa http://127.0.0.1:9/"
    "undo IN -o|bid.pdf|bid.pdf|undo bid.pdf -o @OUT@"
    "encrypt IN -o|bid.pdf|bid.pdf|encrypt bid.pdf -o @OUT@ --to root.pem"
    "encrypt --to -o|root.pem|root.pem|encrypt bid.pdf -o @OUT@ --to root.pem"
    "decrypt IN -o|bid.pdf|bid.pdf|decrypt bid.pdf -o @OUT@ --key $P11KEY"
    "decrypt --pin-file -o|pin.txt|pin.txt|decrypt bid.pdf -o @OUT@ --key $P11KEY --pin-file pin.txt"
    "decrypt --trust -o|root.pem|root.pem|decrypt bid.pdf -o @OUT@ --key $P11KEY --verify --trust root.pem"
    "decrypt IN... --json-log|bid.pdf|bid.pdf|decrypt bid.pdf -o out/ --key $P11KEY --json-log @OUT@"
    "decrypt --trust --json-log|root.pem|root.pem|decrypt bid.pdf -o out/ --key $P11KEY --verify --trust root.pem --json-log @OUT@"
    "batch JOB --json-log|job.json|job.json|batch job.json --json-log @OUT@"
    "batch job input --json-log|bid.pdf|bid.pdf|batch job.json --json-log @OUT@"
    "batch job seal --json-log|art.pdf|art.pdf|batch job.json --json-log @OUT@"
    "batch job chain --json-log|chain.pem|chain.pem|batch job.json --json-log @OUT@"
    "batch job p12 --json-log|signer.p12|signer.p12|batch job.json --json-log @OUT@"
)

table_row() {
    local row=$1 how=$2 name input shown args
    IFS='|' read -r name input shown args <<<"$row"
    fresh
    # shellcheck disable=SC2086 # the arguments are words without spaces
    refused "$how" "$input" "$shown" -- $args
}

for row in "${TABLE[@]}"; do
    for how in plain dot updir symlink hardlink; do
        run_case "${row%%|*} [$how]" table_row "$row" "$how"
    done
done

# ---------------------------------------------------------------- outputs in a directory
# An output directory that would place a file over an input (DIR/ + the
# input's name is that input), in each spelling of the directory.
dir_output() {
    local how=$1 dir
    fresh
    case $how in
    plain) dir=. ;;
    slash) dir=./ ;;
    updir) dir=../$(basename "$W")/ ;;
    symlink) ln -s . "$W/here"; dir=here/ ;;
    sub) dir=bids/../ ;;
    esac
    OUT_SHOWN=${dir%/}/bid.pdf refused plain bid.pdf bid.pdf -- sign bid.pdf bids/a.pdf -o "$dir" --key "$KEY"
}
for how in plain slash updir symlink sub; do
    run_case "sign IN... -o DIR/ over an input [$how]" dir_output "$how"
done

batch_output_dir() {
    fresh
    sed -i 's/"output": "out"/"output": "."/' "$W/job.json"
    snapshot "$T/before"
    expect_exit 2 "$SEAL" batch job.json
    expect_msg 'the output \./bid\.pdf would replace the input bid\.pdf'

    snapshot "$T/after"
    diff -u "$T/before" "$T/after" || die "the folder changed"
}
run_case "batch: job output directory over its input" batch_output_dir

# ---------------------------------------------------------------- two outputs, one file
# Rows "NAME|FILE|ARGS": @ONE@ and @OUT@ are two spellings of FILE (made
# empty first, so that the link spellings have a file to name).
two_outputs() {
    local how=$1 name file args
    IFS='|' read -r name file args <<<"$2"
    fresh
    mkdir -p "$(dirname "$file")"
    : >"$file"
    # shellcheck disable=SC2086
    refused "$how" "$file" "$file" -- ${args//@ONE@/$file}
}
TWO=(
    "enrol -o + --png|x.pdf|enrol form.jpg -o @ONE@ --png @OUT@"
    "enrol -o + --svg|x.pdf|enrol form.jpg -o @ONE@ --svg @OUT@"
    "enrol --svg + --png|x.svg|enrol form.jpg -o y.pdf --svg @ONE@ --png @OUT@"
    "make -o + --png|x.pdf|make --kind personal --name 张三 -o @ONE@ --png @OUT@"
    "make --svg + --png|x.svg|make --kind personal --name 张三 -o y.pdf --svg @ONE@ --png @OUT@"
    "sign IN... -o DIR/ + --json-log|out/bid.pdf|sign bid.pdf -o out/ --key $KEY --json-log @OUT@"
    "decrypt IN... -o DIR/ + --json-log|out/bid|decrypt bid.p7m -o out/ --key $P11KEY --json-log @OUT@"
)
for row in "${TWO[@]}"; do
    for how in plain dot updir symlink hardlink; do
        run_case "two outputs: ${row%%|*} [$how]" two_outputs "$how" "$row"
    done
done

# A missing directory in the spelling is no way round: missing/../bid.pdf
# is bid.pdf.
missing_dir_spelling() {
    fresh
    refused plain bid.pdf bid.pdf -- sign bid.pdf -o nosuch/../@OUT@ --key "$KEY"
}
run_case "output through a missing directory: nosuch/../bid.pdf" missing_dir_spelling

# A report already in the folder of bids is not a bid: it is replaced.
report_in_folder() {
    fresh
    echo old >bids/report.html
    expect_exit 1 "$SEAL" verify bids --trust root.pem --html bids/report.html
    grep -q '<!DOCTYPE html>' bids/report.html || die "the report was not replaced"
}
run_case "verify DIR --html DIR/report.html (not a bid) is replaced" report_in_folder

# The check refuses only what it must: distinct outputs beside the inputs
# are written.
distinct_ok() {
    fresh
    expect_exit 0 "$SEAL" sign bid.pdf -o sealed.pdf --key "$KEY" --chain chain.pem
    check_prefix "$W/bid.pdf" "$W/sealed.pdf"
}
run_case "distinct output beside its inputs is written" distinct_ok

# A name that holds a device or a pipe (-o /dev/null) is never replaced by
# the renamed temporary file: refused before any work, the pipe still a pipe.
device_output() {
    fresh
    mkfifo pipe
    local args
    for args in "sign bid.pdf -o pipe --key $KEY" "enrol form.jpg -o pipe" \
        "make --kind personal --name 张三 -o pipe" "verify bid.pdf --trust root.pem --html pipe" \
        "sign bid.pdf --preview pipe --seal art.pdf --page 1 --at 50,50"; do
        # shellcheck disable=SC2086
        expect_exit 2 "$SEAL" $args
        expect_msg 'pipe is not a regular file; nothing was written'
        [ -p pipe ] || die "the pipe was replaced: $args"
    done
}
run_case "an output that is a device or a pipe: refused, left as it is" device_output

# ---------------------------------------------------------------- a full disk
# full_dir: a directory on a full file system, in $FULL. A small tmpfs when
# this runs as root and mounting works (really full: ENOSPC); else a file
# size limit (ulimit -f, SIGXFSZ ignored: the write fails with EFBIG at the
# limit, the same code path); skip only when neither is possible.
# Cases run in subshells: the mounts they make are listed in a file.
: >"$T/mounts"
unmount_all() {
    local m
    while read -r m; do umount "$m" 2>/dev/null || true; done <"$T/mounts"
    rm -rf "$T"
}
trap unmount_all EXIT
FULL_HOW=${SEAL_TEST_FULL:-}
if [ -z "$FULL_HOW" ]; then
    probe=$T/probe-mount
    mkdir -p "$probe"
    if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=128k tmpfs "$probe" 2>/dev/null; then
        umount "$probe"
        FULL_HOW=tmpfs
    elif (ulimit -f 1) 2>/dev/null; then
        FULL_HOW=ulimit
    else
        FULL_HOW=none
    fi
fi
echo "full disk by: $FULL_HOW"

# Nothing but the filler (and directories asked for) on the full disk.
left_behind() {
    local left
    left=$(find "$FULL" -mindepth 1 ! -name .fill ! -type d)
    [ -z "$left" ] || die "left behind: $left"
}

full_dir() {
    FULL=$T/full$RANDOM$RANDOM
    mkdir -p "$FULL"
    case $FULL_HOW in
    tmpfs)
        mount -t tmpfs -o size=128k tmpfs "$FULL" || die "mount failed"
        echo "$FULL" >>"$T/mounts"
        dd if=/dev/zero of="$FULL/.fill" bs=4k 2>/dev/null || true
        ;;
    ulimit) ;;
    *) skip_case "no way to make a full disk here (not root, no ulimit -f)" ;;
    esac
}

# on_full CODE OUTPUT SEAL-ARGS...: run seal against the full disk; exit
# CODE, a line "cannot write OUTPUT: <no space>", and in $FULL nothing but
# the filler.
on_full() {
    local code=$1 target=$2
    shift 2
    if [ "$FULL_HOW" = ulimit ]; then
        run bash -c 'trap "" XFSZ; ulimit -f 2; exec "$@"' limit "$SEAL" "$@"
    else
        run "$SEAL" "$@"
    fi
    [ "$RC" = "$code" ] || { show_output; die "exit $RC, expected $code"; }
    grep -qE "^seal: (.*: )?cannot write $target: (No space left on device|File too large)\$" \
        "$T/stderr" || { show_output; die "no 'cannot write $target: ...' line"; }
    left_behind
    note "exit $RC: $(grep 'cannot write' "$T/stderr" | head -1)"
}

full_enrol_pdf() { full_dir; on_full 4 "$FULL/a.pdf" enrol "$SCAN" -o "$FULL/a.pdf"; }
full_make_pdf() { full_dir; on_full 4 "$FULL/a.pdf" make --kind company --name 测试有限公司 -o "$FULL/a.pdf"; }
full_enrol_svg() {
    full_dir
    on_full 4 "$FULL/a.svg" enrol "$SCAN" -o "$T/elsewhere-$RANDOM.pdf" --svg "$FULL/a.svg"
}
full_enrol_png() {
    full_dir
    on_full 4 "$FULL/a.png" enrol "$SCAN" -o "$T/elsewhere-$RANDOM.pdf" --png "$FULL/a.png"
}
full_sign_pdf() {
    full_dir
    on_full 4 "$FULL/s.pdf" sign "$FIX/pdf/one.pdf" -o "$FULL/s.pdf" --key "p12:$FIX/signer.p12" \
        --seal "$FIX/art/company.pdf" --page 1 --at 50,50
}
full_preview_png() {
    full_dir
    on_full 4 "$FULL/p.png" sign "$FIX/pdf/one.pdf" --preview "$FULL/p.png" \
        --seal "$FIX/art/company.pdf" --page 1 --at 50,50
}
SIGNED=$T/signed.pdf
signed() {
    [ -f "$SIGNED" ] || "$SEAL" sign "$FIX/pdf/one.pdf" -o "$SIGNED" --key "p12:$FIX/signer.p12" \
        --seal "$FIX/art/company.pdf" --page 1 --at 50,50 2>/dev/null || die "cannot make a signed bid"
}
full_verify_html() {
    signed
    full_dir
    on_full 4 "$FULL/report.html" verify "$SIGNED" --trust "$FIX/ca/root.pem" --html "$FULL/report.html"
}
full_batch_pdf() {
    full_dir
    on_full 4 "$FULL/out/one.pdf" sign "$FIX/pdf/one.pdf" -o "$FULL/out/" --key "p12:$FIX/signer.p12" \
        --seal "$FIX/art/company.pdf" --page 1 --at 50,50
    # the output directory is made (it was asked for), the file is not there
    rmdir "$FULL/out"
}
full_batch_log() {
    local out=$T/logged-$RANDOM
    # A size limit fails the sealed files too, not the log alone.
    [ "$FULL_HOW" != ulimit ] || skip_case "needs a full file system (ulimit -f limits every file)"
    full_dir
    on_full 4 "$FULL/log.jsonl" sign "$FIX/pdf/one.pdf" -o "$out/" --key "p12:$FIX/signer.p12" \
        --json-log "$FULL/log.jsonl"
    [ -f "$out/one.pdf" ] || die "the sealing did not go on without the log"
}
run_case "full disk: enrol artwork PDF" full_enrol_pdf
run_case "full disk: make artwork PDF" full_make_pdf
run_case "full disk: enrol --svg" full_enrol_svg
run_case "full disk: enrol --png" full_enrol_png
run_case "full disk: sign -o" full_sign_pdf
run_case "full disk: sign --preview" full_preview_png
run_case "full disk: verify --html" full_verify_html
run_case "full disk: sign IN... -o DIR/" full_batch_pdf
run_case "full disk: --json-log" full_batch_log

# A failed --html write never hides a failed bid: folder mode with one
# tampered bid still exits 1, and the write failure is said besides.
full_html_keeps_verdict() {
    signed
    full_dir
    local bids=$T/bids-$RANDOM
    mkdir -p "$bids"
    cp "$SIGNED" "$bids/good.pdf"
    python3 "$TOOLS/mutate.py" flip "$SIGNED" "$bids/bad.pdf" || die "mutate.py failed"
    if [ "$FULL_HOW" = ulimit ]; then
        run bash -c 'trap "" XFSZ; ulimit -f 2; exec "$@"' limit "$SEAL" verify "$bids" \
            --trust "$FIX/ca/root.pem" --html "$FULL/report.html"
    else
        run "$SEAL" verify "$bids" --trust "$FIX/ca/root.pem" --html "$FULL/report.html"
    fi
    [ "$RC" = 1 ] || { show_output; die "exit $RC, expected 1 (a bid TOTAL-FAILED)"; }
    grep -q "TOTAL-FAILED" "$T/stdout" || { show_output; die "no TOTAL-FAILED in the summary"; }
    grep -q "^seal: cannot write $FULL/report.html: " "$T/stderr" || { show_output; die "write error not reported"; }
    left_behind
}
run_case "verify folder: a failed --html write keeps exit 1" full_html_keeps_verdict

# ---------------------------------------------------------------- PINs
# An empty PIN is refused before any login: a real token would count it.
empty_pin() {
    local how=$1 log=$T/fake-empty-$how.log
    [ -n "$FAKEP11" ] && [ -f "$FAKEP11" ] || die "FAKEP11 module not built"
    : >"$log"
    : >"$T/empty.pin"
    local key="pkcs11:token=FakeToken;object=company?module-path=$FAKEP11"
    case $how in
    pin-file) FAKEP11_LOG=$log expect_failure 5 'PIN .*empty' "$FIX/pdf/one.pdf" -- \
        sign "$FIX/pdf/one.pdf" -o @OUT@ --key "$key" --pin-file "$T/empty.pin" ;;
    env) SEAL_PIN= FAKEP11_LOG=$log expect_failure 5 'PIN .*empty' "$FIX/pdf/one.pdf" -- \
        sign "$FIX/pdf/one.pdf" -o @OUT@ --key "$key" ;;
    newline) printf '\n' >"$T/empty.pin"
        FAKEP11_LOG=$log expect_failure 5 'PIN .*empty' "$FIX/pdf/one.pdf" -- \
        sign "$FIX/pdf/one.pdf" -o @OUT@ --key "$key" --pin-file "$T/empty.pin" ;;
    batch) FAKEP11_LOG=$log expect_failure 5 'PIN .*empty' "$FIX/pdf/one.pdf" -- \
        sign "$FIX/pdf/one.pdf" -o "$T/empty-batch/" --key "$key" --pin-file "$T/empty.pin"
        [ ! -e "$T/empty-batch" ] || die "the batch made its output directory" ;;
    esac
    [ "$(grep -c '^C_Login' "$log" || true)" = 0 ] || die "C_Login was called: $(cat "$log")"
    note "C_Login calls: 0"
}
for how in pin-file env newline batch; do
    run_case "empty PIN ($how) -> 5, no C_Login" empty_pin "$how"
done

# What the token says, not a guess: the first wrong PIN is never "an
# earlier attempt".
pin_messages() {
    local mode=$1 re=$2
    local key="pkcs11:token=FakeToken;object=company?module-path=$FAKEP11"
    : >"$T/fake-$mode.log"
    FAKEP11_MODE=$mode FAKEP11_LOG=$T/fake-$mode.log expect_failure 5 "$re" "$FIX/pdf/one.pdf" -- \
        sign "$FIX/pdf/one.pdf" -o @OUT@ --key "$key" --pin-file "$FIX/badpin.txt"
    ! grep -qi 'earlier attempt' "$T/stderr" || die "calls the first attempt an earlier one"
}
run_case "wrong PIN, count low: says so" pin_messages countlow 'wrong PIN.*count low'
run_case "wrong PIN, final try: says so" pin_messages finaltry 'wrong PIN.*final try'
run_case "wrong PIN: not retried" pin_messages "" 'wrong PIN.*not retried'
finish
