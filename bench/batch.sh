#!/usr/bin/env bash
# Batch sealing benchmark (issue 7): throughput in files/s for 1,000
# one-page PDFs with 1 and 2 workers and for ten 20 MB PDFs, all with the
# SoftHSM2 token key (the token signs behind its lock), and peak RSS for 100
# against 1,000 files (it must stay flat as the file count grows).
# Target: >= 100 one-page files/s with 2 workers.
#
#   bench/batch.sh [SEAL-BINARY]        (default: build/seal)
#
# Prints the figures; exits 1 if a target is missed.
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SEAL=${1:-${SEAL:-$SRC/build/seal}}
[ -x "$SEAL" ] || { echo "bench: no seal binary at $SEAL (build first, or pass its path)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time missing (apt-get install time)" >&2; exit 2; }
N=${BENCH_FILES:-1000}

T=$(mktemp -d "${TMPDIR:-/tmp}/seal-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT
bash "$SRC/tests/tools/mkfixtures.sh" "$T/fix" "$(dirname "$SEAL")/tests/fakep11.so" >/dev/null 2>&1
# shellcheck source=/dev/null
. "$T/fix/keys.env"
export SOFTHSM2_CONF=$T/fix/softhsm2.conf

mkdir -p "$T/small" "$T/big"
for i in $(seq -w 1 "$N"); do cp "$T/fix/pdf/one.pdf" "$T/small/doc$i.pdf"; done
python3 "$SRC/tests/tools/mkpdf.py" "$T/big/big01.pdf" --pages 200 --image-kb 100 --title "libseal bench"
for i in 02 03 04 05 06 07 08 09 10; do cp "$T/big/big01.pdf" "$T/big/big$i.pdf"; done
cat "$T"/small/*.pdf "$T"/big/*.pdf >/dev/null

run() { # NAME JOBS INPUT-DIR -> prints "seconds rss_kb"
    local out=$T/out-$1
    rm -rf "$out"
    /usr/bin/time -f "%e %M" -o "$T/time" "$SEAL" sign "$3" -o "$out/" --key "$KEY_COMPANY" \
        --pin-file "$T/fix/pin.txt" --seal "$T/fix/art/company.pdf" --page 1 --at 100,100 \
        --jobs "$2" >/dev/null 2>"$T/err" || { cat "$T/err" >&2; exit 1; }
    cat "$T/time"
}

read -r s1 r1 <<<"$(run one-1 1 "$T/small")"
read -r s2 r2 <<<"$(run one-2 2 "$T/small")"
read -r sb rb <<<"$(run big-2 2 "$T/big")"
mkdir -p "$T/small100"
find "$T/small" -name '*.pdf' | sort | sed -n 1,100p | xargs cp -t "$T/small100/"
n100=$(find "$T/small100" -name '*.pdf' | wc -l)
read -r s3 r3 <<<"$(run hundred-2 2 "$T/small100")"

rate() { awk "BEGIN { printf \"%.1f\", $1 / $2 }"; }
echo "bench: $N one-page PDFs, 1 worker:  $(rate "$N" "$s1") files/s (${s1} s), peak RSS $((r1 / 1024)) MB"
echo "bench: $N one-page PDFs, 2 workers: $(rate "$N" "$s2") files/s (${s2} s), peak RSS $((r2 / 1024)) MB"
echo "bench: ten 20 MB PDFs, 2 workers:     $(rate 10 "$sb") files/s (${sb} s), peak RSS $((rb / 1024)) MB"
echo "bench: peak RSS $n100 files: $((r3 / 1024)) MB, $N files: $((r2 / 1024)) MB (flat: within 1.5x)"
ok=1
awk "BEGIN { exit !($N / $s2 >= 100) }" || { echo "bench: MISSED >= 100 files/s with 2 workers"; ok=0; }
awk "BEGIN { exit !($r2 <= 1.5 * $r3) }" || { echo "bench: MISSED flat RSS"; ok=0; }
[ "$ok" = 1 ] && echo "bench: targets met"
[ "$ok" = 1 ]
