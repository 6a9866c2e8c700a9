#!/usr/bin/env bash
# Long-term signatures against real services on loopback (tests/tools/
# ltvctl.sh: openssl ts behind HTTP, openssl ocsp, a CRL server): B-T, B-LT
# and B-LTA made by seal sign are valid in pdfsig and in an OpenSSL-based
# check of every token, response and the DSS; seal verify reports the level;
# after the signer is revoked a B-LT file still verifies offline from its
# embedded data while a B-B file made after the revocation does not; seal
# extend adds a second document time-stamp; a TSA that is down or hangs is
# exit 6 with nothing written; forged answers are refused.
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/tools/ltvctl.sh
. "$TOOLS/ltvctl.sh"
require openssl python3 curl certutil pdfsig qpdf jq

ONE=$FIX/pdf/one.pdf
ltv_start "$T/ltv" >/dev/null || { echo "cannot start the LTV services"; exit 1; }
export SEAL_P12_PASSWORD=$LTV_P12_PASS
KEY=p12:$LTV_P12

sign_level() { # LEVEL OUT [INPUT]
    expect_exit 0 "$SEAL" sign "${3:-$ONE}" -o "$2" --key "$KEY" --level "$1" --tsa "$LTV_TSA_URL"
    expect_quiet
}

verify_level() { # FILE LEVEL [extra verify options]
    local f=$1 level=$2
    shift 2
    expect_exit 0 "$SEAL" verify "$f" --trust "$LTV_ROOT" --json "$@"
    [ "$(jq -r '.indication' "$T/stdout")" = TOTAL-PASSED ] || die "verify: $(jq -c '.signatures[0] | {indication, subindication}' "$T/stdout")"
    [ "$(jq -r '.signatures[0].level' "$T/stdout")" = "$level" ] \
        || die "verify says level $(jq -r '.signatures[0].level' "$T/stdout"), expected $level"
}

levels() {
    sign_level B-T "$T/bt.pdf"
    check_prefix "$ONE" "$T/bt.pdf"
    ltv_check "$T/bt.pdf" B-T || die "B-T check"
    ltv_check_pdfsig "$T/bt.pdf" 1 || die "pdfsig on B-T"
    verify_level "$T/bt.pdf" B-T

    sign_level B-LT "$T/blt.pdf"
    check_prefix "$ONE" "$T/blt.pdf"
    ltv_check "$T/blt.pdf" B-LT || die "B-LT check"
    ltv_check_pdfsig "$T/blt.pdf" 1 || die "pdfsig on B-LT"
    verify_level "$T/blt.pdf" B-LT
    [ "$(ltv_requests ocsp)" -ge 1 ] || die "no OCSP request was made for B-LT"

    sign_level B-LTA "$T/blta.pdf"
    ltv_check "$T/blta.pdf" B-LTA 1 || die "B-LTA check"
    ltv_check_pdfsig "$T/blta.pdf" 1 1 || die "pdfsig on B-LTA"
    verify_level "$T/blta.pdf" B-LTA
    expect_exit 0 "$SEAL" inspect "$T/blta.pdf" --json
    [ "$(jq -r '[.signatures[].subfilter] | join(",")' "$T/stdout")" = "ETSI.CAdES.detached,ETSI.RFC3161" ] \
        || die "B-LTA fields: $(jq -c '[.signatures[].subfilter]' "$T/stdout")"

    # Archive renewal: a second document time-stamp, all still valid.
    expect_exit 0 "$SEAL" extend "$T/blta.pdf" -o "$T/ext.pdf" --tsa "$LTV_TSA_URL"
    check_prefix "$T/blta.pdf" "$T/ext.pdf"
    ltv_check "$T/ext.pdf" B-LTA 2 || die "extended file check"
    ltv_check_pdfsig "$T/ext.pdf" 1 2 || die "pdfsig on the extended file"
    expect_exit 0 "$SEAL" inspect "$T/ext.pdf" --json
    [ "$(jq '[.signatures[] | select(.type == "DocTimeStamp")] | length' "$T/stdout")" = 2 ] \
        || die "extend did not add a second document time-stamp"
    verify_level "$T/ext.pdf" B-LTA
}

revoked_later() {
    sign_level B-LT "$T/before.pdf"
    sleep 1.1
    ltv_revoke signer >/dev/null
    # Signing now fails at B-LT: the OCSP answer says revoked.
    expect_failure 5 "revoked" "$ONE" -- sign "$ONE" -o @OUT@ --key "$KEY" --level B-LT --tsa "$LTV_TSA_URL"
    # A B-B signature made after the revocation.
    expect_exit 0 "$SEAL" sign "$ONE" -o "$T/after.pdf" --key "$KEY"
    ltv_down ocsp
    ltv_down crl
    # Offline, from the embedded data: the B-LT file still verifies.
    verify_level "$T/before.pdf" B-LT --revocation require
    # The B-B file made after the revocation cannot be TOTAL-PASSED once
    # revocation is checked.
    ltv_up ocsp
    ltv_up crl
    run "$SEAL" verify "$T/after.pdf" --trust "$LTV_ROOT" --online --json
    [ "$(jq -r '.indication' "$T/stdout")" != TOTAL-PASSED ] || die "a signature made after revocation passed"
    case $RC in 1 | 3) ;; *) show_output; die "exit $RC, expected 1 or 3" ;; esac
    note "after revocation: $(jq -c '.signatures[0] | {indication, subindication}' "$T/stdout")"
}

tsa_down() {
    ltv_down tsa
    expect_failure 6 "$LTV_TSA_URL" "$ONE" -- sign "$ONE" -o @OUT@ --key "$KEY" --level B-T --tsa "$LTV_TSA_URL"
    # A message longer than MuPDF keeps (255 bytes) keeps its exit code
    # and its end: the whole URL, then the reason.
    local long
    long="$LTV_TSA_URL?pad=$(printf 'x%.0s' $(seq 300))"
    expect_failure 6 "pad=x{300}: .*(onnect|refused)" "$ONE" -- sign "$ONE" -o @OUT@ --key "$KEY" --level B-T --tsa "$long"
    ltv_up tsa
    ltv_fault tsa hang count=10 >/dev/null
    SEAL_NET_TIMEOUT=1 expect_failure 6 "$LTV_TSA_URL" "$ONE" -- sign "$ONE" -o @OUT@ --key "$KEY" \
        --level B-T --tsa "$LTV_TSA_URL"
    ltv_fault tsa ok >/dev/null
    # One failure is retried.
    ltv_fault tsa status count=1 >/dev/null
    sign_level B-T "$T/retried.pdf"
    ltv_fault tsa ok >/dev/null
}

forged_answers() {
    ltv_fault tsa mismatch >/dev/null
    expect_failure 1 "does not match the request" "$ONE" -- sign "$ONE" -o @OUT@ --key "$KEY" --level B-T --tsa "$LTV_TSA_URL"
    ltv_fault tsa ok >/dev/null
    ltv_fault ocsp rogue >/dev/null
    expect_failure 1 "not signed by the certificate's issuer" "$ONE" -- sign "$ONE" -o @OUT@ --key "$KEY" \
        --level B-LT --tsa "$LTV_TSA_URL"
    # Signed by a certificate of the right CA that is not an OCSP responder.
    ltv_fault ocsp noeku >/dev/null
    expect_failure 1 "the OCSP response from $LTV_OCSP_URL cannot be relied on: it is not signed by the certificate's issuer or a responder the issuer authorised for OCSP signing" \
        "$ONE" -- sign "$ONE" -o @OUT@ --key "$KEY" --level B-LT --tsa "$LTV_TSA_URL"
    ltv_fault ocsp ok >/dev/null
}

# One judgement of revocation answers for the signer and the verifier
# (revoke.c): a responder naming the certificate by a SHA-256 CertID is
# embedded by the signer and counted by the verifier; one signed by a
# certificate not authorised for OCSP signing is refused by the signer and
# not counted by the verifier.
same_judgement() {
    ltv_fault ocsp sha256 >/dev/null
    sign_level B-LT "$T/sha256.pdf"
    ltv_fault ocsp ok >/dev/null
    ltv_check "$T/sha256.pdf" B-LT || die "B-LT check (SHA-256 CertID)"
    python3 - "$T/sha256.pdf" <<'PY' || die "the DSS holds no OCSP response with a SHA-256 CertID"
import re, subprocess, sys, zlib
data = open(sys.argv[1], "rb").read()
# The DSS's OCSP streams are the ones openssl reads as OCSP responses.
found = False
for m in re.finditer(rb"stream\r?\n", data):
    end = data.find(b"endstream", m.end())
    raw = data[m.end():end]
    for blob in (raw, ):
        try:
            blob = zlib.decompress(blob)
        except zlib.error:
            pass
        p = subprocess.run(["openssl", "ocsp", "-respin", "/dev/stdin", "-resp_text", "-noverify"],
                           input=blob, capture_output=True)
        if p.returncode == 0 and b"Hash Algorithm: sha256" in p.stdout:
            found = True
sys.exit(0 if found else 1)
PY
    expect_exit 0 "$SEAL" verify "$T/sha256.pdf" --trust "$LTV_ROOT" --json --revocation require
    [ "$(jq -r '.signatures[0].revocation' "$T/stdout")" = good ] \
        || die "verify: revocation $(jq -r '.signatures[0].revocation' "$T/stdout")"

    # B-B, nothing embedded: --online asks; an answer signed by signer2 is
    # not counted, so the status stays unknown.
    expect_exit 0 "$SEAL" sign "$ONE" -o "$T/bb.pdf" --key "$KEY"
    ltv_fault ocsp noeku >/dev/null
    run "$SEAL" verify "$T/bb.pdf" --trust "$LTV_ROOT" --online --revocation require --json
    ltv_fault ocsp ok >/dev/null
    [ "$RC" = 3 ] && [ "$(jq -r '.signatures[0].revocation' "$T/stdout")" != good ] \
        || die "an unauthorised responder's answer counted: exit $RC, revocation $(jq -r '.signatures[0].revocation' "$T/stdout")"
    run "$SEAL" verify "$T/bb.pdf" --trust "$LTV_ROOT" --online --revocation require --json
    [ "$RC" = 0 ] && [ "$(jq -r '.signatures[0].revocation' "$T/stdout")" = good ] \
        || die "the responder's own answer: exit $RC, revocation $(jq -r '.signatures[0].revocation' "$T/stdout")"
}

run_case "B-T, B-LT, B-LTA and extend: pdfsig, OpenSSL checks, seal verify levels" levels
run_case "TSA down, hung, or failing once: exit 6 with nothing written, or a retry" tsa_down
run_case "forged time-stamp and OCSP answers are refused" forged_answers
run_case "signer and verifier judge OCSP answers alike (SHA-256 CertID, unauthorised responder)" same_judgement
run_case "signer revoked later: B-LT verifies offline, a later B-B does not" revoked_later
finish
