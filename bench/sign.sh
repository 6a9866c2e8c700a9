#!/usr/bin/env bash
# Sealing benchmark: a generated 20 MB, 200-page PDF sealed with the SoftHSM2
# RSA key (company seal on page 1), timed against the floor measured in the
# same run on the same file: `openssl dgst -sha256` plus `cp` (one read to
# hash, one copy to write). Targets: sealing <= 3x the floor, peak RSS < 64 MB.
#
#   bench/sign.sh [SEAL-BINARY]        (default: build/seal)
#
# Prints the figures; exits 1 if a target is missed. Needs the test tools
# (scripts/install-deps) and /usr/bin/time (Debian package "time").
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SEAL=${1:-${SEAL:-$SRC/build/seal}}
[ -x "$SEAL" ] || { echo "bench: no seal binary at $SEAL (build first, or pass its path)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time missing (apt-get install time)" >&2; exit 2; }
RUNS=${BENCH_RUNS:-3}
PAGES=${BENCH_PAGES:-200}
IMAGE_KB=${BENCH_IMAGE_KB:-100}

T=$(mktemp -d "${TMPDIR:-/tmp}/seal-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT

echo "bench: fixtures"
fake=$(dirname "$SEAL")/tests/fakep11.so
bash "$SRC/tests/tools/mkfixtures.sh" "$T/fix" "$fake" >/dev/null 2>&1 \
    || { bash "$SRC/tests/tools/mkfixtures.sh" "$T/fix" "$fake" >&2; exit 1; }
# shellcheck source=/dev/null
. "$T/fix/keys.env"
export SOFTHSM2_CONF=$T/fix/softhsm2.conf

echo "bench: generating a $PAGES-page PDF with ${IMAGE_KB} KiB of incompressible image data per page"
BIG=$T/big.pdf
python3 "$SRC/tests/tools/mkpdf.py" "$BIG" --pages "$PAGES" --image-kb "$IMAGE_KB" --title "libseal bench"
size=$(stat -c %s "$BIG")
qpdf --check "$BIG" >/dev/null || { echo "bench: generated PDF is broken" >&2; exit 1; }
cat "$BIG" >/dev/null # warm the page cache for both measurements

now() { date +%s.%N; }
calc() { awk "BEGIN { print $1 }"; }
best() { sort -g | head -1; }

floor_once() {
    local t0 t1
    t0=$(now)
    openssl dgst -sha256 "$BIG" >/dev/null
    cp "$BIG" "$T/copy.pdf"
    t1=$(now)
    rm -f "$T/copy.pdf"
    calc "$t1 - $t0" >>"$T/floor_times"
}

seal_once() {
    local t0 t1
    rm -f "$T/out.pdf"
    t0=$(now)
    /usr/bin/time -v -o "$T/time.log" "$SEAL" sign "$BIG" -o "$T/out.pdf" --key "$KEY_COMPANY" \
        --pin-file "$T/fix/pin.txt" --seal "$T/fix/art/company.pdf" --page 1 --at 105,250 \
        >"$T/seal.out" 2>"$T/seal.err" || { cat "$T/seal.err" >&2; exit 1; }
    t1=$(now)
    sed -n 's/^\tMaximum resident set size (kbytes): //p' "$T/time.log" >>"$T/rss"
    calc "$t1 - $t0" >>"$T/seal_times"
}

: >"$T/rss"
: >"$T/floor_times"
: >"$T/seal_times"
for _ in $(seq "$RUNS"); do
    floor_once
    seal_once
done
floor=$(best <"$T/floor_times")
sealt=$(best <"$T/seal_times")
floors=$(paste -sd' ' "$T/floor_times")
seals=$(paste -sd' ' "$T/seal_times")
rss_kb=$(sort -n "$T/rss" | tail -1)

# The sealed file must be right, or the timing means nothing.
cmp -s -n "$size" "$BIG" "$T/out.pdf" || { echo "bench: input is not a prefix of the output" >&2; exit 1; }
pdfsig -nssdir "sql:$T/fix/nssdb" "$T/out.pdf" 2>/dev/null | grep 'Signature is Valid' >/dev/null \
    || { echo "bench: pdfsig does not call the signature valid" >&2; exit 1; }

ratio=$(calc "$sealt / $floor")
rss_mb=$(calc "$rss_kb / 1024")
ok_ratio=$(calc "($ratio <= 3) ? 1 : 0")
ok_rss=$(calc "($rss_mb < 64) ? 1 : 0")
verdict() { if [ "$1" = 1 ]; then echo met; else echo MISSED; fi; }

printf '\nbench/sign.sh — %s pages, %.1f MB = %.1f MiB (%d bytes), best of %d runs\n' "$PAGES" \
    "$(calc "$size / 1000000")" "$(calc "$size / 1048576")" "$size" "$RUNS"
printf '  floor (openssl dgst -sha256 + cp): %8.3f s   runs: %s\n' "$floor" "$floors"
printf '  seal sign (SoftHSM2 RSA-2048):      %8.3f s   runs: %s\n' "$sealt" "$seals"
printf '  ratio seal / floor:                 %8.2f x   (target <= 3x: %s)\n' "$ratio" "$(verdict "$ok_ratio")"
printf '  peak RSS of seal sign:              %8.1f MB  (target < 64 MB: %s)\n' "$rss_mb" "$(verdict "$ok_rss")"
printf '  output: %d bytes (+%d)\n' "$(stat -c %s "$T/out.pdf")" "$(($(stat -c %s "$T/out.pdf") - size))"
[ "$ok_ratio" = 1 ] && [ "$ok_rss" = 1 ]
