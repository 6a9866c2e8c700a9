# seal verify on long-term signatures made by `seal sign --level` against the
# local TSA/OCSP/CRL services (tests/tools/ltvctl.sh): the levels reached, the
# trusted time from the signature time-stamp, --deadline met and missed, and
# revocation seen through the embedded DSS (before signing: REVOKED; after a
# time-stamped signature: still TOTAL-PASSED).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=../tools/ltvctl.sh
. "$SRC/tests/tools/ltvctl.sh"
require python3 jq openssl

verify() {
    local f=$1
    shift
    run "$SEAL" verify "$f" --json "$@"
    cp "$T/stdout" "$T/v.json"
}
sig() { jq -r ".signatures[$1].$2" "$T/v.json"; }

lsign() { # OUT LEVEL [P12]
    expect_exit 0 "$SEAL" sign "$FIX/pdf/one.pdf" -o "$1" --key "p12:${3:-$LTV_P12}" --level "$2" \
        --tsa "$LTV_TSA_URL" --seal "$FIX/art/company.pdf" --page 1 --at 105,250
}

case_levels() {
    ltv_start "$T/ltv"
    export SEAL_P12_PASSWORD=$LTV_P12_PASS
    local lv
    for lv in B-T B-LT B-LTA; do
        lsign "$T/$lv.pdf" "$lv"
        verify "$T/$lv.pdf" --trust "$LTV_ROOT"
        [ "$RC" = 0 ] || { show_output; die "$lv: exit $RC"; }
        [ "$(sig 0 level)" = "$lv" ] || die "$lv: level $(sig 0 level)"
        [ "$(sig 0 time_trusted)" = true ] && [ -n "$(sig 0 timestamp)" ] || die "$lv: time not trusted"
    done
    [ "$(sig 0 revocation)" = good ] || die "B-LTA: revocation $(sig 0 revocation)"
    [ "$(jq -r '.signatures[1].type' "$T/v.json")" = DocTimeStamp ] || die "B-LTA: no document time-stamp"
    agree_inspect_verify "$T/B-LTA.pdf" --trust "$LTV_ROOT"
    # The signature time-stamp proves the deadline either way.
    expect_exit 0 "$SEAL" verify "$T/B-T.pdf" --trust "$LTV_ROOT" --deadline 2100-01-01T00:00:00+08:00
    expect_exit 1 "$SEAL" verify "$T/B-T.pdf" --trust "$LTV_ROOT" --deadline 2000-01-01T00:00:00+08:00
    grep -q 'deadline .* missed' "$T/stderr" || die "a missed deadline is not named: $(cat "$T/stderr")"
    # B-LT under --revocation require: the embedded data suffice.
    expect_exit 0 "$SEAL" verify "$T/B-LT.pdf" --trust "$LTV_ROOT" --revocation require
    expect_exit 3 "$SEAL" verify "$T/B-T.pdf" --trust "$LTV_ROOT" --revocation require
}

case_revoked_after() {
    ltv_start "$T/ltv2"
    export SEAL_P12_PASSWORD=$LTV_P12_PASS
    lsign "$T/t.pdf" B-T
    sleep 1.1
    ltv_revoke signer
    # Extending now embeds revocation data dated after the time-stamp.
    expect_exit 0 "$SEAL" extend "$T/t.pdf" -o "$T/t-ext.pdf" --tsa "$LTV_TSA_URL"
    verify "$T/t-ext.pdf" --trust "$LTV_ROOT"
    [ "$RC" = 0 ] || { jq -c '[.signatures[] | [.indication, .reason, .revocation]]' "$T/v.json"; die "exit $RC"; }
    [ "$(sig 0 revocation)" = "revoked after signing" ] || die "revocation: $(sig 0 revocation)"
}

case_revoked_before() {
    ltv_start "$T/ltv3"
    export SEAL_P12_PASSWORD=$LTV_P12_PASS
    # Our signer refuses a revoked certificate, so the revocation is
    # back-dated to an hour before the time-stamped signature.
    lsign "$T/r.pdf" B-T
    ltv_revoke signer "1 hour ago"
    verify "$T/r.pdf" --trust "$LTV_ROOT" --online
    [ "$RC" = 1 ] && [ "$(sig 0 subindication)" = REVOKED ] || die "--online: exit $RC, $(sig 0 subindication): $(sig 0 reason)"
    run "$SEAL" extend "$T/r.pdf" -o "$T/r-ext.pdf" --tsa "$LTV_TSA_URL"
    [ "$RC" = 0 ] || skip_case "seal extend refuses a revoked signer (exit $RC)"
    verify "$T/r-ext.pdf" --trust "$LTV_ROOT"
    [ "$RC" = 1 ] && [ "$(sig 0 subindication)" = REVOKED ] || die "embedded: exit $RC, $(sig 0 subindication): $(sig 0 reason)"
}

case_online() {
    ltv_start "$T/ltv4"
    export SEAL_P12_PASSWORD=$LTV_P12_PASS
    lsign "$T/o.pdf" B-T
    # Nothing embedded: --online asks the responder.
    expect_exit 3 "$SEAL" verify "$T/o.pdf" --trust "$LTV_ROOT" --revocation require
    verify "$T/o.pdf" --trust "$LTV_ROOT" --revocation require --online
    [ "$RC" = 0 ] && [ "$(sig 0 revocation)" = good ] || { show_output; die "--online: exit $RC, $(sig 0 revocation)"; }
    sleep 1.1
    ltv_revoke signer
    verify "$T/o.pdf" --trust "$LTV_ROOT" --online
    [ "$RC" = 0 ] && [ "$(sig 0 revocation)" = "revoked after signing" ] || die "revoked later: exit $RC, $(sig 0 revocation)"
    # Services gone: a warning, and TRY_LATER when revocation is required.
    ltv_stop
    verify "$T/o.pdf" --trust "$LTV_ROOT" --online --revocation require
    [ "$RC" = 3 ] && [ "$(sig 0 subindication)" = TRY_LATER ] || die "unreachable: exit $RC $(sig 0 subindication)"
    grep -q 'seal: warning: ' "$T/stderr" || die "no warning about the unreachable service"
}

run_case "B-T, B-LT, B-LTA: levels, trusted time, deadline, revocation require" case_levels
run_case "--online: revocation from the responder; unreachable: TRY_LATER" case_online
run_case "revoked after a time-stamped signature: still TOTAL-PASSED" case_revoked_after
run_case "revoked before signing: TOTAL-FAILED REVOKED" case_revoked_before
finish
