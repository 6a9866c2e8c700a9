#!/usr/bin/env bash
# Sealed-bid benchmark (issue 15): seal encrypt and seal decrypt of one
# large bid (500 MB by default, made in $TMPDIR, never in the repository),
# time against `openssl enc` and `cp` of the same file, and peak RSS.
# `openssl enc` refuses AEAD ciphers, so the floor is AES-256-CTR (the same
# AES work as GCM without the GHASH). The content key is unwrapped by a
# SoftHSM2 token made here (RSA-OAEP). Each command's output is flushed to
# disk in its time, as seal flushes its own before the rename.
# Targets: RSS < 64 MB for both; time <= 1.5x `openssl enc -aes-256-ctr`.
#
#   bench/envelope.sh [SEAL-BINARY]      (default: build/seal; BENCH_MB=500)
#
# Prints the figures; exits 1 if a target is missed.
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SEAL=${1:-${SEAL:-$SRC/build/seal}}
MB=${BENCH_MB:-500}
[ -x "$SEAL" ] || { echo "bench: no seal binary at $SEAL (build first, or pass its path)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time missing (apt-get install time)" >&2; exit 2; }
MOD=
for m in /usr/lib/softhsm/libsofthsm2.so /usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so; do
    [ -f "$m" ] && MOD=$m && break
done
[ -n "$MOD" ] || { echo "bench: libsofthsm2.so not found (apt-get install softhsm2)" >&2; exit 2; }

T=$(mktemp -d "${TMPDIR:-/tmp}/seal-bench-env.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T"
mkdir tok
printf 'directories.tokendir = %s/tok\nobjectstore.backend = file\nlog.level = ERROR\n' "$T" >hsm.conf
export SOFTHSM2_CONF=$T/hsm.conf SEAL_PIN=123456
openssl req -x509 -newkey rsa:2048 -nodes -keyout enc.key -out enc.pem -subj "/CN=bench encryption" \
    -days 30 -addext keyUsage=critical,keyEncipherment 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in enc.key -out enc.p8
openssl x509 -in enc.pem -outform DER -out enc.der
softhsm2-util --init-token --free --label Bench --pin 123456 --so-pin 12345678 >/dev/null
softhsm2-util --import enc.p8 --token Bench --label enc --id 01 --pin 123456 >/dev/null
pkcs11-tool --module "$MOD" --token-label Bench --login --pin 123456 --write-object enc.der \
    --type cert --id 01 --label enc >/dev/null 2>&1
KEY="pkcs11:token=Bench?module-path=$MOD"

head -c $((MB * 1000000)) /dev/urandom >bid.bin
cat bid.bin >/dev/null

timed() { # NAME CMD... -> "seconds rss_kb" in $T/NAME.time
    local name=$1
    shift
    sync
    /usr/bin/time -f "%e %M" -o "$T/$name.time" "$@" >/dev/null 2>"$T/$name.err" \
        || { cat "$T/$name.err" >&2; exit 1; }
    rm -f "$T/$name.out"
}
# seal flushes its output to disk before renaming it into place (fsync): the
# floors are timed with the same flush of theirs.
timed cp sh -c 'cp bid.bin cp.out && sync cp.out'
timed enc sh -c "openssl enc -aes-256-ctr -K $(printf '%064d' 0) -iv $(printf '%032d' 0) -in bid.bin -out enc.out && sync enc.out"
timed sealenc "$SEAL" encrypt bid.bin -o bid.p7m --to enc.pem --allow-unsigned
timed sealdec "$SEAL" decrypt bid.p7m -o dec.out --key "$KEY"
cmp -s bid.bin dec.out || { echo "bench: the decrypted bid differs" >&2; exit 1; }

read -r t_cp _ <cp.time
read -r t_enc _ <enc.time
read -r t_e r_e <sealenc.time
read -r t_d r_d <sealdec.time
ratio() { awk "BEGIN { printf \"%.2f\", $1 / ($2 > 0 ? $2 : 0.01) }"; }
echo "bench: ${MB} MB bid; cp + sync ${t_cp} s, openssl enc -aes-256-ctr + sync ${t_enc} s"
echo "bench: seal encrypt ${t_e} s ($(ratio "$t_e" "$t_enc")x openssl enc, $(ratio "$t_e" "$t_cp")x cp), peak RSS $((r_e / 1024)) MB"
echo "bench: seal decrypt ${t_d} s ($(ratio "$t_d" "$t_enc")x openssl enc, $(ratio "$t_d" "$t_cp")x cp), peak RSS $((r_d / 1024)) MB"
fail=0
[ "$r_e" -lt 65536 ] || { echo "bench: encrypt RSS over 64 MB" >&2; fail=1; }
[ "$r_d" -lt 65536 ] || { echo "bench: decrypt RSS over 64 MB" >&2; fail=1; }
awk "BEGIN { exit !($t_e <= 1.5 * $t_enc + 0.2) }" || { echo "bench: encrypt slower than 1.5x openssl enc" >&2; fail=1; }
awk "BEGIN { exit !($t_d <= 1.5 * $t_enc + 0.2) }" || { echo "bench: decrypt slower than 1.5x openssl enc" >&2; fail=1; }
exit $fail
