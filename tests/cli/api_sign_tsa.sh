#!/usr/bin/env bash
# The library, not only the CLI, signs B-T when given a TSA URL with the
# default level: tests/api/sign_tsa.c (public API only) against the
# loopback TSA of tests/tools/ltvctl.sh.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=../tools/ltvctl.sh
. "$TOOLS/ltvctl.sh"
require python3 openssl curl
[ -x "${API_SIGN_TSA:-}" ] || { echo "API_SIGN_TSA is not set"; exit 1; }

ltv_start "$T/ltv" >/dev/null || { echo "cannot start the LTV services"; exit 1; }

implied_bt() {
    mkdir -p "$T/api"
    SEAL_P12_PASSWORD=$LTV_P12_PASS expect_exit 0 "$API_SIGN_TSA" "$FIX/pdf/one.pdf" "$T/api" "$LTV_P12" \
        "$LTV_TSA_URL" "$LTV_ROOT"
    check_prefix "$FIX/pdf/one.pdf" "$T/api/implied-bt.pdf"
}

run_case "seal_sign_file: a TSA URL with the default level signs B-T" implied_bt
finish
