#!/usr/bin/env bash
# Shared helpers for the CLI and interop tests (tests/cli/*.sh); sourced, not
# run (CTest runs every *.sh in this directory; this one only defines helpers).
#
# Environment (set by CTest): SEAL (the seal binary), FIX (fixture directory
# made by tests/tools/mkfixtures.sh), SRC (source tree), FAKEP11 (the fault
# module), SOFTHSM2_CONF.
#
# A test is a list of cases. Each case is a shell function run by `run_case`
# in a subshell with errexit on: the first failed check ends that case (with
# a FAIL line saying why) and the test goes on with the next case. The test
# exits 1 if any case failed, 77 if it was skipped.
set -euo pipefail

# Run directly (as CTest does for every *.sh here), it tests its own checks:
# each must catch the fault it exists to catch.
LIB_SELFTEST=0
[ "${BASH_SOURCE[0]}" != "$0" ] || LIB_SELFTEST=1

: "${SEAL:?SEAL must name the seal binary}" "${FIX:?FIX must name the fixture directory}"
: "${SRC:?SRC must name the source tree}"
[ -f "$FIX/keys.env" ] || { echo "no fixtures in $FIX (run tests/tools/mkfixtures.sh)"; exit 1; }
ENV_FAKEP11=${FAKEP11:-}
# shellcheck source=/dev/null
. "$FIX/keys.env"
export SOFTHSM2_CONF=${SOFTHSM2_CONF:-$FIX/softhsm2.conf}
FAKEP11=${ENV_FAKEP11:-$FAKEP11}
TOOLS=$SRC/tests/tools
# Secrets come only from what each case passes explicitly.
unset SEAL_PIN SEAL_P12_PASSWORD FAKEP11_MODE FAKEP11_LOG
export LC_ALL=C.UTF-8
SEAL_TIMEOUT=${SEAL_TIMEOUT:-120}

T=$(mktemp -d "${TMPDIR:-/tmp}/seal-$(basename "$0" .sh).XXXXXX")
trap 'rm -rf "$T"' EXIT
TEST_NAME=$(basename "$0" .sh)
FAILED=()
PASSED=0
SKIPPED=0

# ------------------------------------------------------------------ cases
die() {
    printf '    FAIL: %s\n' "$*"
    exit 1
}

note() { printf '    %s\n' "$*"; }

skip_case() {
    printf '    skip: %s\n' "$*"
    exit 77
}

run_case() {
    local name=$1 rc
    shift
    printf -- '-- %s\n' "$name"
    set +e
    (
        set -e
        "$@"
    )
    rc=$?
    set -e
    case $rc in
    0) printf 'ok   %s\n' "$name"; PASSED=$((PASSED + 1)) ;;
    77) printf 'skip %s\n' "$name"; SKIPPED=$((SKIPPED + 1)) ;;
    *) printf 'FAIL %s\n' "$name"; FAILED+=("$name") ;;
    esac
}

finish() {
    echo "$TEST_NAME: $PASSED passed, ${#FAILED[@]} failed, $SKIPPED skipped"
    if [ ${#FAILED[@]} -gt 0 ]; then
        printf '  failed: %s\n' "${FAILED[@]}"
        exit 1
    fi
    if [ "$PASSED" -eq 0 ] && [ "$SKIPPED" -gt 0 ]; then
        exit 77
    fi
    exit 0
}

require() {
    local t
    for t in "$@"; do
        command -v "$t" >/dev/null || { echo "$TEST_NAME: $t not installed (scripts/install-deps)"; exit 1; }
    done
}

# ------------------------------------------------------------------ running seal
# run CMD...: run with a time limit; RC, $T/stdout, $T/stderr hold the result.
# With NO_TTY=1 the command runs in a new session, without a controlling
# terminal to prompt on.
run() {
    local pre=()
    [ "${NO_TTY:-0}" = 0 ] || pre=(setsid -w)
    set +e
    timeout -k 5 "$SEAL_TIMEOUT" "${pre[@]}" "$@" >"$T/stdout" 2>"$T/stderr"
    RC=$?
    set -e
    if [ "$RC" = 124 ] || [ "$RC" = 137 ]; then
        die "timed out after ${SEAL_TIMEOUT}s: $*"
    fi
    return 0
}

show_output() {
    if [ -s "$T/stdout" ]; then note "stdout:"; sed 's/^/      | /' "$T/stdout" | head -20 || true; fi
    if [ -s "$T/stderr" ]; then note "stderr:"; sed 's/^/      | /' "$T/stderr" | head -20 || true; fi
}

# expect_exit CODE CMD...: run CMD and require exit status CODE.
expect_exit() {
    local want=$1
    shift
    run "$@"
    if [ "$RC" != "$want" ]; then
        show_output
        die "exit $RC, expected $want: $(printf '%q ' "$@")"
    fi
}

# expect_quiet: stderr holds nothing but "seal: warning: ..." lines (no stray
# MuPDF/OpenSSL chatter on success).
expect_quiet() {
    local other
    other=$(grep -v '^seal: warning: ' "$T/stderr" || true)
    [ -z "$other" ] || { show_output; die "unexpected stderr output on success"; }
}

# expect_msg REGEX: stderr is exactly one line (warnings aside), "seal: ...",
# and matches the extended REGEX, case-insensitively.
expect_msg() {
    local re=$1 lines
    lines=$(grep -v '^seal: warning: ' "$T/stderr" || true)
    if [ "$(printf '%s' "$lines" | grep -c '')" != 1 ]; then
        show_output
        die "expected a one-line message on stderr"
    fi
    case $lines in
    "seal: "*) ;;
    *) show_output; die "message does not start with 'seal: '" ;;
    esac
    grep -Eiq -- "$re" <<<"$lines" || { show_output; die "message does not match /$re/"; }
}

# expect_failure CODE REGEX IN -- SEAL-ARGS...: seal SEAL-ARGS must exit CODE
# with a one-line message matching REGEX, leave no output (not even a temp
# file) in the output directory, and leave IN unchanged. "@OUT@" in the
# arguments stands for a fresh output path.
N_FAIL_DIR=0
expect_failure() {
    local code=$1 re=$2 in=$3 before after dir out a
    shift 4
    N_FAIL_DIR=$((N_FAIL_DIR + 1))
    dir=$T/failure-$N_FAIL_DIR
    mkdir -p "$dir"
    out=$dir/out.pdf
    local args=()
    for a in "$@"; do args+=("${a//@OUT@/$out}"); done
    before=$(sha256 "$in")
    expect_exit "$code" "$SEAL" "${args[@]}"
    expect_msg "$re"
    [ ! -e "$out" ] || die "output file exists after a failure"
    [ -z "$(ls -A "$dir")" ] || die "left behind in the output directory: $(ls -A "$dir" | tr '\n' ' ')"
    after=$(sha256 "$in")
    [ "$before" = "$after" ] || die "input $in was modified"
    note "exit $code: $(head -c 200 "$T/stderr" | grep -v '^seal: warning: ' | head -1)"
}

# ------------------------------------------------------------------ checks
sha256() { sha256sum "$1" | cut -d' ' -f1; }

filesize() { stat -c %s "$1"; }

# check_prefix IN OUT: IN's bytes are an exact prefix of the longer OUT.
check_prefix() {
    local n
    [ -f "$2" ] || die "$2 does not exist"
    n=$(filesize "$1")
    [ "$(filesize "$2")" -gt "$n" ] || die "$2 is not longer than $1"
    cmp -s -n "$n" "$1" "$2" || die "$1 is not an exact prefix of $2"
}

# check_pdfsig FILE NSIG [PDFSIG-OPTIONS]: poppler's pdfsig (exits 0 even for
# bad signatures, so its text is parsed) finds NSIG signatures, all valid and
# trusted. Not -no-ocsp: poppler 22.12 then reports "Unknown issue with
# Certificate" for every certificate (our test certificates carry no OCSP
# URL, so nothing goes to the network anyway).
check_pdfsig() {
    local f=$1 n=$2 out count valid trusted
    shift 2
    out=$(pdfsig -nssdir "sql:$FIX/nssdb" "$@" "$f" 2>&1 || true)
    count=$(grep -c '^Signature #' <<<"$out" || true)
    valid=$(grep -c 'Signature Validation: Signature is Valid\.' <<<"$out" || true)
    trusted=$(grep -c 'Certificate Validation: Certificate is Trusted\.' <<<"$out" || true)
    if [ "$count" != "$n" ] || [ "$valid" != "$n" ] || [ "$trusted" != "$n" ]; then
        sed 's/^/      | /' <<<"$out"
        die "pdfsig: $count signatures, $valid valid, $trusted trusted; expected $n of each"
    fi
}

# pdfsig_signers FILE: the signers' common names, one per line, in order.
pdfsig_signers() {
    pdfsig -nssdir "sql:$FIX/nssdb" "$1" 2>/dev/null | sed -n 's/^  - Signer Certificate Common Name: //p'
}

# check_cms FILE NSIG: NSIG signatures found from the bytes; each a PAdES
# B-B CMS that `openssl cms -verify` accepts over its ByteRange against the
# test root, with exactly the signed attributes contentType, messageDigest
# and signingCertificateV2; the last one covers the whole file.
check_cms() {
    local f=$1 n=$2 dir json i
    dir=$T/cms.$RANDOM
    json=$(python3 "$TOOLS/pdfsigs.py" "$f" --extract "$dir") || die "pdfsigs.py failed on $f"
    printf '%s\n' "$json" >"$dir/sigs.json"
    python3 - "$dir/sigs.json" "$n" <<'EOF' || die "CMS/signature dictionary checks failed for $f"
import json, sys
d = json.load(open(sys.argv[1])); n = int(sys.argv[2])
sigs = d["signatures"]; bad = []
if len(sigs) != n:
    bad.append("%d signatures found, expected %d" % (len(sigs), n))
want = ["contentType", "messageDigest", "signingCertificateV2"]
for i, s in enumerate(sigs, 1):
    def chk(cond, what):
        if not cond:
            bad.append("signature %d: %s" % (i, what))
    cms = s.get("cms", {})
    dct = s["dict"]
    chk(s["gap_ok"], "the ByteRange gap is not exactly the /Contents hex string")
    chk(s.get("padding_zero"), "non-zero bytes after the DER in /Contents")
    chk("cms_error" not in s, "CMS does not parse as DER: %s" % s.get("cms_error"))
    chk(s.get("digest_ok"), "messageDigest is not the digest of the ByteRange bytes")
    chk(dct.get("Type", "Sig") == "Sig", "/Type is %s" % dct.get("Type"))
    chk(dct.get("Filter") == "Adobe.PPKLite", "/Filter is %s" % dct.get("Filter"))
    chk(dct.get("SubFilter") == "ETSI.CAdES.detached", "/SubFilter is %s" % dct.get("SubFilter"))
    chk("M" in dct, "no /M")
    chk(not dct.get("has_cert"), "/Cert present (forbidden in PAdES)")
    chk(cms.get("signer_infos") == 1, "%s SignerInfos" % cms.get("signer_infos"))
    chk(cms.get("detached") is True, "CMS is not detached")
    chk(cms.get("econtent_type") == "data", "eContentType %s" % cms.get("econtent_type"))
    chk(sorted(cms.get("signed_attrs", [])) == sorted(want),
        "signed attributes %s, expected exactly %s" % (cms.get("signed_attrs"), want))
    chk("signingTime" not in cms.get("signed_attrs", []), "signingTime present")
    chk(cms.get("certificates", 0) >= 2, "%s certificates in the CMS (signer and chain expected)"
        % cms.get("certificates"))
    chk(cms.get("digest_alg") == "sha256", "digest %s" % cms.get("digest_alg"))
if sigs and not sigs[-1]["covers_whole_file"]:
    bad.append("the last signature does not cover the whole file")
for b in bad:
    print("      | " + b)
sys.exit(1 if bad else 0)
EOF
    # openssl's own reading of the signed attributes agrees: exactly these three.
    local attrs
    for i in $(seq 1 "$n"); do
        attrs=$(openssl cms -cmsout -print -inform DER -in "$dir/sig$i.der" 2>/dev/null \
            | awk '/^ *signedAttrs:/ {f=1; next} /^ *signatureAlgorithm:/ {f=0} f && /object:/' \
            | sed -n 's/.*(\([0-9.]*\)).*/\1/p' | sort | paste -sd' ')
        [ "$attrs" = "1.2.840.113549.1.9.16.2.47 1.2.840.113549.1.9.3 1.2.840.113549.1.9.4" ] \
            || die "openssl cms -print: signed attributes of signature $i are [$attrs]"
    done
    # The CMS must carry the chain: it verifies against the root alone. If it
    # verifies only when the intermediate is supplied (openssl cms 3.0 has no
    # -untrusted; -certfile adds it), the chain is missing.
    for i in $(seq 1 "$n"); do
        if ! openssl cms -verify -binary -inform DER -in "$dir/sig$i.der" -content "$dir/sig$i.bin" \
            -CAfile "$FIX/ca/root.pem" -out /dev/null >"$dir/verify$i.log" 2>&1; then
            if openssl cms -verify -binary -inform DER -in "$dir/sig$i.der" -content "$dir/sig$i.bin" \
                -CAfile "$FIX/ca/root.pem" -certfile "$FIX/ca/inter.pem" -out /dev/null >/dev/null 2>&1; then
                die "signature $i of $f verifies only with the intermediate supplied: the CMS lacks the chain"
            fi
            sed 's/^/      | /' "$dir/verify$i.log"
            die "openssl cms -verify failed for signature $i of $f"
        fi
    done
}

# revision_ends FILE: the end offsets (c+d) of every signature's ByteRange.
revision_ends() {
    python3 "$TOOLS/pdfsigs.py" "$1" | python3 -c '
import json, sys
for s in json.load(sys.stdin)["signatures"]:
    br = s["byte_range"]; print(br[2] + br[3])'
}

# check_qpdf FILE [qpdf options]: qpdf --check finds no errors or warnings.
check_qpdf() {
    local f=$1 out
    shift
    out=$(qpdf "$@" --check "$f" 2>&1) || { sed 's/^/      | /' <<<"$out" | tail -20; die "qpdf --check failed on $f"; }
    grep -q 'No syntax or stream encoding errors found' <<<"$out" \
        || { sed 's/^/      | /' <<<"$out" | tail -20; die "qpdf --check reports problems in $f"; }
    ! grep -qi '^WARNING' <<<"$out" || { sed 's/^/      | /' <<<"$out" | tail -20; die "qpdf --check warns about $f"; }
}

# agree_inspect_verify FILE VERIFY-ARGS...: seal inspect and seal verify
# read every signature field alike (one reader): the same fields, revision
# numbers, pages, rectangles, visibility and claimed times, in the same
# order; and at least one signature, so the comparison compares something.
agree_inspect_verify() {
    local f=$1 ins ver
    shift
    local sel='[.signatures[] | [.field, .revision, .page, .rect, .visible, .claimed_time]] | sort'
    "$SEAL" inspect "$f" --json >"$T/agree-i.json" 2>"$T/agree-i.err" || die "inspect $f: $(cat "$T/agree-i.err")"
    "$SEAL" verify "$f" "$@" --json >"$T/agree-v.json" 2>"$T/agree-v.err" || true # the verdict is not compared
    ins=$(jq -c "$sel" "$T/agree-i.json") ver=$(jq -c "$sel" "$T/agree-v.json")
    [ "$(jq 'length' <<<"$ins")" -gt 0 ] || die "inspect finds no signature in $f"
    [ "$ins" = "$ver" ] || die "inspect and verify read $f differently: inspect $ins, verify $ver"
}

# json_get FILE JQ-FILTER: one value from a JSON file (jq -r).
json_get() {
    jq -er "$2" "$1" 2>/dev/null || die "JSON $1 has no $2"
}

# ca_copy DIR: a copy of the fixture CA in DIR (its database is then this
# test's to change), its openssl.cnf also holding a v3_tsa section for
# time-stamping certificates.
ca_copy() {
    cp -r "$FIX/ca" "$1"
    cat >>"$1/openssl.cnf" <<'CNF'
[v3_tsa]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
extendedKeyUsage = critical,timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
CNF
}

# ------------------------------------------------------------------ self-test
selftest_prefix() {
    cp "$FIX/pdf/one.pdf" "$T/a.pdf"
    { cat "$T/a.pdf"; echo "appended"; } >"$T/b.pdf"
    check_prefix "$T/a.pdf" "$T/b.pdf"
    printf 'X' | dd of="$T/b.pdf" bs=1 seek=100 conv=notrunc status=none
    if (check_prefix "$T/a.pdf" "$T/b.pdf") >/dev/null; then die "check_prefix missed a changed byte"; fi
    if (check_prefix "$T/a.pdf" "$T/a.pdf") >/dev/null; then die "check_prefix accepted an equal file"; fi
}

selftest_msg() {
    printf 'seal: wrong PIN for token SealToken\n' >"$T/stderr"
    expect_msg 'PIN'
    if (expect_msg 'locked') >/dev/null; then die "expect_msg matched a wrong message"; fi
    printf 'seal: first\nseal: second\n' >"$T/stderr"
    if (expect_msg 'first') >/dev/null; then die "expect_msg accepted two lines"; fi
    printf 'error: cannot open\n' >"$T/stderr"
    if (expect_msg 'open') >/dev/null; then die "expect_msg accepted a line without 'seal: '"; fi
    printf 'seal: warning: certificate expires in 9 days\nseal: no such token\n' >"$T/stderr"
    expect_msg 'no such token'
}

selftest_failure() {
    # A stand-in for seal that fails cleanly passes.
    printf '#!/bin/sh\necho "seal: refused: certified with DocMDP P=1" >&2; exit 4\n' >"$T/clean"
    chmod +x "$T/clean"
    (SEAL=$T/clean expect_failure 4 'refused' "$FIX/pdf/one.pdf" -- sign "$FIX/pdf/one.pdf" -o @OUT@) >/dev/null \
        || die "expect_failure rejected a clean failure"
    # A stand-in for seal that fails but leaves its temporary file behind.
    printf '#!/bin/sh\nfor a; do case $a in */out.pdf) : >"${a%%/out.pdf}/.out.pdf.seal-1";; esac; done\necho "seal: refused" >&2; exit 4\n' >"$T/leaky"
    chmod +x "$T/leaky"
    if (SEAL=$T/leaky expect_failure 4 refused "$FIX/pdf/one.pdf" -- sign "$FIX/pdf/one.pdf" -o @OUT@) >/dev/null; then
        die "expect_failure missed a leftover temporary file"
    fi
    # One that modifies its input.
    cp "$FIX/pdf/one.pdf" "$T/victim.pdf"
    printf '#!/bin/sh\necho x >>"$2"\necho "seal: refused" >&2; exit 4\n' >"$T/vandal"
    chmod +x "$T/vandal"
    if (SEAL=$T/vandal expect_failure 4 refused "$T/victim.pdf" -- sign "$T/victim.pdf" -o @OUT@) >/dev/null; then
        die "expect_failure missed a modified input"
    fi
    # One that exits with the wrong code.
    printf '#!/bin/sh\necho "seal: refused" >&2; exit 1\n' >"$T/wrongcode"
    chmod +x "$T/wrongcode"
    if (SEAL=$T/wrongcode expect_failure 4 refused "$FIX/pdf/one.pdf" -- sign x -o @OUT@) >/dev/null; then
        die "expect_failure accepted exit 1 for 4"
    fi
}

selftest_unsigned() {
    if (check_pdfsig "$FIX/pdf/one.pdf" 1) >/dev/null; then die "check_pdfsig accepted an unsigned PDF"; fi
    if (check_cms "$FIX/pdf/one.pdf" 1) >/dev/null; then die "check_cms accepted an unsigned PDF"; fi
    check_qpdf "$FIX/pdf/three.pdf"
    if (check_qpdf "$FIX/pdf/truncated.pdf") >/dev/null 2>&1; then die "check_qpdf accepted a truncated PDF"; fi
}

if [ "$LIB_SELFTEST" = 1 ]; then
    require pdfsig qpdf openssl python3 jq
    run_case "check_prefix catches a changed byte" selftest_prefix
    run_case "expect_msg wants one 'seal: ' line" selftest_msg
    run_case "expect_failure catches leftovers, modified input, wrong code" selftest_failure
    run_case "signature checks reject an unsigned PDF" selftest_unsigned
    finish
fi
