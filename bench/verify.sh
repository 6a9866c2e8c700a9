#!/usr/bin/env bash
# Verification benchmark: a generated 20 MB, 200-page PDF carrying three
# seals (three incremental updates), verified with `seal verify` and timed
# against one `openssl dgst -sha256` of the same file in the same run.
# Each signature covers a prefix of the file; the verifier hashes the shared
# prefix once and branches the hash state at each gap. Target: <= 1.5x the
# floor. pdfsig's time on the same file is printed beside it.
#
#   bench/verify.sh [SEAL-BINARY]        (default: build/seal)
#
# Prints the figures; exits 1 if the target is missed.
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SEAL=${1:-${SEAL:-$SRC/build/seal}}
[ -x "$SEAL" ] || { echo "bench: no seal binary at $SEAL (build first, or pass its path)" >&2; exit 2; }
RUNS=${BENCH_RUNS:-5}
PAGES=${BENCH_PAGES:-200}
IMAGE_KB=${BENCH_IMAGE_KB:-100}

T=$(mktemp -d "${TMPDIR:-/tmp}/seal-bench-verify.XXXXXX")
trap '[ -n "${BENCH_KEEP:-}" ] || rm -rf "$T"' EXIT

echo "bench: fixtures"
fake=$(dirname "$SEAL")/tests/fakep11.so
bash "$SRC/tests/tools/mkfixtures.sh" "$T/fix" "$fake" >/dev/null 2>&1 \
    || { bash "$SRC/tests/tools/mkfixtures.sh" "$T/fix" "$fake" >&2; exit 1; }
export SEAL_P12_PASSWORD
SEAL_P12_PASSWORD=$(cat "$T/fix/p12pass.txt")

echo "bench: generating a $PAGES-page PDF with ${IMAGE_KB} KiB of incompressible image data per page"
python3 "$SRC/tests/tools/mkpdf.py" "$T/big.pdf" --pages "$PAGES" --image-kb "$IMAGE_KB" --title "libseal bench"
key="p12:$T/fix/signer.p12"
"$SEAL" sign "$T/big.pdf" -o "$T/s1.pdf" --key "$key" --seal "$T/fix/art/company.pdf" --page 1 --at 105,250
"$SEAL" sign "$T/s1.pdf" -o "$T/s2.pdf" --key "$key" --seal "$T/fix/art/legalrep.pdf" --page 2 --at 105,250
"$SEAL" sign "$T/s2.pdf" -o "$T/s3.pdf" --key "$key" --seal "$T/fix/art/company.pdf" --page "$PAGES" --at 105,250
BIG=$T/s3.pdf
size=$(stat -c %s "$BIG")
cat "$BIG" >/dev/null # warm the page cache for every measurement

now() { date +%s.%N; }
calc() { awk "BEGIN { print $1 }"; }
best() { sort -g | head -1; }

"$SEAL" verify "$BIG" --trust "$T/fix/ca/root.pem" >"$T/verify.out" \
    || { cat "$T/verify.out"; echo "bench: the three seals do not verify" >&2; exit 1; }
[ "$(grep -c 'TOTAL-PASSED (' "$T/verify.out")" = 3 ] || { cat "$T/verify.out"; exit 1; }

for _ in $(seq "$RUNS"); do
    t0=$(now); openssl dgst -sha256 "$BIG" >/dev/null; t1=$(now)
    calc "$t1 - $t0" >>"$T/floor"
    t0=$(now); "$SEAL" verify "$BIG" --trust "$T/fix/ca/root.pem" >/dev/null; t1=$(now)
    calc "$t1 - $t0" >>"$T/seal"
    # Process start-up alone, to separate it from the work.
    t0=$(now); "$SEAL" --version >/dev/null; t1=$(now)
    calc "$t1 - $t0" >>"$T/seal0"
    t0=$(now); openssl version >/dev/null; t1=$(now)
    calc "$t1 - $t0" >>"$T/openssl0"
    if command -v pdfsig >/dev/null; then
        t0=$(now); pdfsig -nocert -no-ocsp "$BIG" >/dev/null 2>&1 || true; t1=$(now)
        calc "$t1 - $t0" >>"$T/pdfsig"
    fi
done
floor=$(best <"$T/floor")
sealt=$(best <"$T/seal")
ratio=$(calc "$sealt / $floor")
printf 'bench: %s bytes, 3 signatures, best of %s runs\n' "$size" "$RUNS"
printf '  openssl dgst -sha256 (floor):  %8.3f s\n' "$floor"
printf '  seal verify:                   %8.3f s   %.2fx the floor (target <= 1.5x)\n' "$sealt" "$ratio"
seal0=$(best <"$T/seal0")
ossl0=$(best <"$T/openssl0")
printf '  start-up alone: seal %.3f s, openssl %.3f s; without it: %.2fx\n' "$seal0" "$ossl0" \
    "$(calc "($sealt - $seal0) / ($floor - $ossl0)")"
if [ -s "$T/pdfsig" ]; then
    printf '  pdfsig (for comparison):       %8.3f s\n' "$(best <"$T/pdfsig")"
fi
if awk "BEGIN { exit !($ratio <= 1.5) }"; then
    echo "PASS verify <= 1.5x openssl dgst -sha256"
else
    echo "FAIL verify is $ratio x openssl dgst -sha256 (target 1.5x)"
    exit 1
fi
