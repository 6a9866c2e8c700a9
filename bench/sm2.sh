#!/usr/bin/env bash
# SM2 against RSA: the generated 20 MB, 200-page bid signed (invisible, B-B)
# and then verified, once with an SM2 software key (SM3 digest; SM2 root >
# issuing CA > signer from tests/tools/sm2pki.sh) and once with an RSA-2048
# software key of the same shape (RSA root > issuing CA > signer, SHA-256),
# both as pem: keys carrying their whole chain, both verified with their
# root as --trust. Target: SM2 sign and verify each <= 1.5x the RSA figure.
#
#   bench/sm2.sh [SEAL-BINARY]        (default: build/seal)
#
# Prints the figures (best of BENCH_RUNS, default 5); exits 1 if a target
# is missed.
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SEAL=${1:-${SEAL:-$SRC/build/seal}}
[ -x "$SEAL" ] || { echo "bench: no seal binary at $SEAL (build first, or pass its path)" >&2; exit 2; }
RUNS=${BENCH_RUNS:-5}
PAGES=${BENCH_PAGES:-200}
IMAGE_KB=${BENCH_IMAGE_KB:-100}

T=$(mktemp -d "${TMPDIR:-/tmp}/seal-bench-sm2.XXXXXX")
trap 'rm -rf "$T"' EXIT

echo "bench: SM2 and RSA PKIs"
bash "$SRC/tests/tools/sm2pki.sh" "$T/sm2" >/dev/null
cat "$T/sm2/signer-all.pem" "$T/sm2/root.pem" >"$T/sm2.pem"
(
    cd "$T"
    o() { openssl "$@" 2>/dev/null; }
    o genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out root.key
    o req -x509 -new -key root.key -sha256 -subj "/CN=RSA bench root" -days 30 \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign -out root.pem
    o genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out int.key
    o req -new -key int.key -subj "/CN=RSA bench issuing CA" -out int.csr
    o x509 -req -in int.csr -CA root.pem -CAkey root.key -set_serial 2 -days 30 -sha256 \
        -extfile "$T/sm2/ca.ext" -out int.pem
    o genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out signer.key
    o req -new -key signer.key -subj "/CN=RSA bench signer" -out signer.csr
    o x509 -req -in signer.csr -CA int.pem -CAkey int.key -set_serial 3 -days 30 -sha256 \
        -extfile "$T/sm2/leaf.ext" -out signer.pem
    cat signer.key signer.pem int.pem root.pem >rsa.pem
)

echo "bench: generating a $PAGES-page PDF with ${IMAGE_KB} KiB of incompressible image data per page"
BIG=$T/big.pdf
python3 "$SRC/tests/tools/mkpdf.py" "$BIG" --pages "$PAGES" --image-kb "$IMAGE_KB" --title "libseal bench"
size=$(stat -c %s "$BIG")
cat "$BIG" >/dev/null # warm the page cache

now() { date +%s.%N; }
calc() { awk "BEGIN { print $1 }"; }
best() { sort -g | head -1; }

# once KIND: sign then verify with KIND's key, times appended to T/KIND.sign, T/KIND.verify.
once() {
    local kind=$1 key root t0 t1 t2
    case $kind in
    sm2) key=$T/sm2.pem root=$T/sm2/root.pem ;;
    rsa) key=$T/rsa.pem root=$T/root.pem ;;
    esac
    rm -f "$T/$kind.pdf"
    t0=$(now)
    "$SEAL" sign "$BIG" -o "$T/$kind.pdf" --key "pem:$key" >"$T/out" 2>"$T/err" || { cat "$T/err" >&2; exit 1; }
    t1=$(now)
    "$SEAL" verify "$T/$kind.pdf" --trust "$root" >"$T/out" 2>"$T/err" || { cat "$T/out" "$T/err" >&2; exit 1; }
    t2=$(now)
    calc "$t1 - $t0" >>"$T/$kind.sign"
    calc "$t2 - $t1" >>"$T/$kind.verify"
}

: >"$T/sm2.sign" ; : >"$T/sm2.verify" ; : >"$T/rsa.sign" ; : >"$T/rsa.verify"
for _ in $(seq "$RUNS"); do
    once rsa
    once sm2
done
grep -q 'TOTAL-PASSED' "$T/out" || { echo "bench: the SM2 signature does not verify" >&2; exit 1; }

verdict() { if [ "$1" = 1 ]; then echo met; else echo MISSED; fi; }
rs=$(best <"$T/rsa.sign") rv=$(best <"$T/rsa.verify")
ss=$(best <"$T/sm2.sign") sv=$(best <"$T/sm2.verify")
rsign=$(calc "$ss / $rs") rver=$(calc "$sv / $rv")
ok_s=$(calc "($rsign <= 1.5) ? 1 : 0") ok_v=$(calc "($rver <= 1.5) ? 1 : 0")
sm3=$(openssl speed -seconds 1 -bytes 16384 -evp sm3 2>/dev/null | awk '/^sm3/ {print $2}')
sha=$(openssl speed -seconds 1 -bytes 16384 -evp sha256 2>/dev/null | awk '/^sha256/ {print $2}')

printf '\nbench/sm2.sh — %s pages, %.1f MB (%d bytes), best of %d runs\n' "$PAGES" \
    "$(calc "$size / 1000000")" "$size" "$RUNS"
printf '  seal sign    RSA-2048/SHA-256: %7.3f s   SM2/SM3: %7.3f s   ratio %.2f x (target <= 1.5x: %s)\n' \
    "$rs" "$ss" "$rsign" "$(verdict "$ok_s")"
printf '  seal verify  RSA-2048/SHA-256: %7.3f s   SM2/SM3: %7.3f s   ratio %.2f x (target <= 1.5x: %s)\n' \
    "$rv" "$sv" "$rver" "$(verdict "$ok_v")"
printf '  runs: sign RSA %s | SM2 %s\n' "$(paste -sd' ' "$T/rsa.sign")" "$(paste -sd' ' "$T/sm2.sign")"
printf '        verify RSA %s | SM2 %s\n' "$(paste -sd' ' "$T/rsa.verify")" "$(paste -sd' ' "$T/sm2.verify")"
printf '  openssl speed (16 KiB blocks): sha256 %s, sm3 %s (kB/s)\n' "$sha" "$sm3"
[ "$ok_s" = 1 ] && [ "$ok_v" = 1 ]
