#!/usr/bin/env bash
# --level is reached or the command fails (issue 17): a B-LT or B-LTA that
# can only reach a lower level — a certificate without a revocation source,
# a revocation service or the time-stamp authority not answering — is exit
# 6 naming what was missing, with nothing written; with --level-best-effort
# the document is signed at the level reachable and one warning says what
# was missing and which level it is, the level seal verify then reports.
# Against the loopback services of tests/tools/ltvctl.sh; the fixture
# signer's certificates name no OCSP or CRL URL, the LTV PKI's all do.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=../tools/ltvctl.sh
. "$TOOLS/ltvctl.sh"
require python3 jq openssl curl

ONE=$FIX/pdf/one.pdf
ltv_start "$T/ltv" >/dev/null || { echo "cannot start the LTV services"; exit 1; }
FIXKEY=p12:$FIX/signer.p12
LTVKEY=p12:$LTV_P12

# with_key KEY CMD...: CMD with that key's PKCS#12 password.
with_key() {
    local pass
    case $1 in
    "$FIXKEY") pass=$(cat "$FIX/p12pass.txt") ;;
    *) pass=$LTV_P12_PASS ;;
    esac
    shift
    SEAL_P12_PASSWORD=$pass "$@"
}

# first_line TEXT: the first line of stderr is TEXT ("after N ms" of a
# connection failure read as "after N ms").
first_line() {
    local got
    got=$(head -1 "$T/stderr" | sed -E 's/after [0-9]+ ms/after N ms/g')
    [ "$got" = "$1" ] || { show_output; die "stderr: expected '$1'"; }
}

# level_of FILE: the level seal verify reports for the first signature.
level_of() {
    run "$SEAL" verify "$1" --trust "$FIX/ca/root.pem" --trust "$LTV_ROOT" --json
    jq -r '.signatures[0].level' "$T/stdout"
}

no_revocation_source() {
    local missing="no revocation source (OCSP or CRL) for 李四 (and 1 more)"
    for lv in B-LT B-LTA; do
        with_key "$FIXKEY" expect_failure 6 . "$ONE" -- sign "$ONE" -o @OUT@ --key "$FIXKEY" \
            --level "$lv" --tsa "$LTV_TSA_URL"
        first_line "seal: PAdES $lv not reached: $missing; nothing written (--level-best-effort signs at the level reachable)"
    done
    with_key "$FIXKEY" expect_exit 0 "$SEAL" sign "$ONE" -o "$T/best.pdf" --key "$FIXKEY" \
        --level B-LTA --level-best-effort --tsa "$LTV_TSA_URL"
    [ "$(cat "$T/stderr")" = "seal: warning: PAdES B-LTA not reached: $missing; the signature is B-T" ] \
        || { show_output; die "the best-effort warning"; }
    check_prefix "$ONE" "$T/best.pdf"
    [ "$(level_of "$T/best.pdf")" = B-T ] || die "seal verify says $(level_of "$T/best.pdf"), the warning B-T"
    # What could be done was: the DSS and the document time-stamp are there.
    expect_exit 0 "$SEAL" inspect "$T/best.pdf" --json
    [ "$(jq -r '[.signatures[].type] | join(",")' "$T/stdout")" = "Sig,DocTimeStamp" ] \
        || die "fields: $(jq -c '[.signatures[].type]' "$T/stdout")"
    # B-T needs no revocation data: reached as asked, no warning.
    with_key "$FIXKEY" expect_exit 0 "$SEAL" sign "$ONE" -o "$T/bt.pdf" --key "$FIXKEY" \
        --level B-T --level-best-effort --tsa "$LTV_TSA_URL"
    [ ! -s "$T/stderr" ] || { show_output; die "a warning at B-T"; }
}

tsa_down() {
    ltv_down tsa
    with_key "$LTVKEY" expect_failure 6 . "$ONE" -- sign "$ONE" -o @OUT@ --key "$LTVKEY" \
        --level B-LTA --tsa "$LTV_TSA_URL"
    first_line "seal: PAdES B-LTA not reached: no signature time-stamp (cannot reach $LTV_TSA_URL: Failed to connect to 127.0.0.1 port $LTV_TSA_PORT after N ms: Couldn't connect to server); nothing written (--level-best-effort signs at the level reachable)"
    with_key "$LTVKEY" expect_exit 0 "$SEAL" sign "$ONE" -o "$T/bb.pdf" --key "$LTVKEY" \
        --level B-LTA --level-best-effort --tsa "$LTV_TSA_URL"
    first_line "seal: warning: PAdES B-LTA not reached: no signature time-stamp (cannot reach $LTV_TSA_URL: Failed to connect to 127.0.0.1 port $LTV_TSA_PORT after N ms: Couldn't connect to server); the signature is B-B"
    [ "$(grep -c . "$T/stderr")" = 1 ] || { show_output; die "more than one line"; }
    ltv_up tsa
    [ "$(level_of "$T/bb.pdf")" = B-B ] || die "seal verify says $(level_of "$T/bb.pdf")"
}

ocsp_down() {
    # The responder down, the CRL up: revocation data from the CRL, B-LT.
    ltv_down ocsp
    with_key "$LTVKEY" expect_exit 0 "$SEAL" sign "$ONE" -o "$T/crl.pdf" --key "$LTVKEY" \
        --level B-LT --tsa "$LTV_TSA_URL"
    [ ! -s "$T/stderr" ] || { show_output; die "a warning at B-LT reached through the CRL"; }
    [ "$(level_of "$T/crl.pdf")" = B-LT ] || die "seal verify says $(level_of "$T/crl.pdf")"
    # Both down: exit 6 naming both.
    ltv_down crl
    with_key "$LTVKEY" expect_failure 6 . "$ONE" -- sign "$ONE" -o @OUT@ \
        --key "$LTVKEY" --level B-LT --tsa "$LTV_TSA_URL"
    first_line "seal: PAdES B-LT not reached: cannot reach $LTV_OCSP_URL: Failed to connect to 127.0.0.1 port $LTV_OCSP_PORT after N ms: Couldn't connect to server; and its CRL: cannot reach $LTV_CRL_URL: Failed to connect to 127.0.0.1 port $LTV_CRL_PORT after N ms: Couldn't connect to server; nothing written (--level-best-effort signs at the level reachable)"
    with_key "$LTVKEY" expect_exit 0 "$SEAL" sign "$ONE" -o "$T/ocsp.pdf" --key "$LTVKEY" \
        --level B-LT --level-best-effort --tsa "$LTV_TSA_URL"
    # Three certificates name a revocation source there: the signer, the TSA
    # (OCSP and CRL) and the issuing CA (the root's CRL).
    [ "$(grep -c . "$T/stderr")" = 1 ] || { show_output; die "not one line"; }
    sed -E "s/after [0-9]+ ms/after N ms/g" "$T/stderr" >"$T/got"
    [ "$(cat "$T/got")" = "seal: warning: PAdES B-LT not reached: cannot reach $LTV_OCSP_URL: Failed to connect to 127.0.0.1 port $LTV_OCSP_PORT after N ms: Couldn't connect to server; and its CRL: cannot reach $LTV_CRL_URL: Failed to connect to 127.0.0.1 port $LTV_CRL_PORT after N ms: Couldn't connect to server (and 2 more); the signature is B-T" ] \
        || { show_output; die "the best-effort warning"; }
    ltv_up ocsp
    ltv_up crl
    [ "$(level_of "$T/ocsp.pdf")" = B-T ] || die "seal verify says $(level_of "$T/ocsp.pdf")"
    # Everything answering: B-LT as asked, quietly.
    with_key "$LTVKEY" expect_exit 0 "$SEAL" sign "$ONE" -o "$T/blt.pdf" --key "$LTVKEY" \
        --level B-LT --level-best-effort --tsa "$LTV_TSA_URL"
    [ ! -s "$T/stderr" ] || { show_output; die "a warning at B-LT reached"; }
    [ "$(level_of "$T/blt.pdf")" = B-LT ] || die "seal verify says $(level_of "$T/blt.pdf")"
}

usage() {
    with_key "$FIXKEY" expect_exit 2 "$SEAL" sign "$ONE" -o "$T/x.pdf" --key "$FIXKEY" --level-best-effort
    first_line "seal: --level-best-effort goes with --level B-T, B-LT or B-LTA"
    [ ! -e "$T/x.pdf" ] || die "output written"
}

run_case "no revocation source: exit 6 naming it; best effort: B-T, said so, verify agrees" no_revocation_source
run_case "TSA down: exit 6; best effort: B-B, said so" tsa_down
run_case "OCSP down: B-LT from the CRL; OCSP and CRL down: exit 6 naming both; best effort: B-T, said so; all up: B-LT without a word" ocsp_down
run_case "--level-best-effort without a level from B-T is a usage error" usage
finish
