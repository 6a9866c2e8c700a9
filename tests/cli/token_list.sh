#!/usr/bin/env bash
# seal token --module PATH [--json]: slots, tokens and certificates, compared
# with what pkcs11-tool and openssl read from the same token and files.
# Listing never logs in.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require jq openssl pkcs11-tool

J=$T/token.json

list_softhsm() {
    expect_exit 0 "$SEAL" token --module "$SOFTHSM2_MODULE" --json
    expect_quiet
    cp "$T/stdout" "$J"
    jq -e . "$J" >/dev/null || die "not JSON"
    local tok='.tokens[] | select(.label == "SealToken")'
    [ "$(jq "[$tok] | length" "$J")" = 1 ] || die "SealToken listed $(jq "[$tok] | length" "$J") times"
    [ "$(jq -r "$tok | .module" "$J")" = "$SOFTHSM2_MODULE" ] || die "module path"
    [ "$(jq -r "$tok | .manufacturer" "$J")" = "SoftHSM project" ] || die "manufacturer"
    [ "$(jq -r "$tok | .model" "$J")" = "SoftHSM v2" ] || die "model"
    jq -e "$tok | .flags | index(\"login-required\")" "$J" >/dev/null || die "flags lack login-required"
    # Serial and slot as pkcs11-tool reads them.
    local p11 serial slot
    p11=$(pkcs11-tool --module "$SOFTHSM2_MODULE" --list-token-slots 2>/dev/null)
    serial=$(awk '/token label *: SealToken$/ {f=1} f && /serial num/ {print $NF; exit}' <<<"$p11")
    slot=$(awk '/^Slot [0-9]+ \(0x[0-9a-f]+\)/ {s=$3} /token label *: SealToken$/ {print s; exit}' <<<"$p11" | tr -d '():')
    [ "$(jq -r "$tok | .serial" "$J")" = "$serial" ] || die "serial $(jq -r "$tok | .serial" "$J"), pkcs11-tool says $serial"
    [ "$(jq -r "$tok | .slot" "$J")" = "$((slot))" ] || die "slot $(jq -r "$tok | .slot" "$J"), pkcs11-tool says $((slot))"
}

cert_fields() {
    [ -s "$J" ] || skip_case "no listing"
    local tok='.tokens[] | select(.label == "SealToken")' c l
    for l in company legalrep encryption expired expiring; do
        c="$tok | .certificates[] | select(.label == \"$l\")"
        [ "$(jq "[$c] | length" "$J")" = 1 ] || die "certificate $l listed $(jq "[$c] | length" "$J") times"
        # Subject, issuer and expiry as openssl reads the PEM written next to the token.
        local subj iss end
        subj=$(openssl x509 -in "$FIX/certs/$l.pem" -noout -subject -nameopt RFC2253,-esc_msb | sed 's/^subject=//')
        iss=$(openssl x509 -in "$FIX/certs/$l.pem" -noout -issuer -nameopt RFC2253,-esc_msb | sed 's/^issuer=//')
        end=$(openssl x509 -in "$FIX/certs/$l.pem" -noout -enddate -dateopt iso_8601 | sed 's/^notAfter=//; s/ /T/')
        [ "$(jq -r "$c | .subject" "$J")" = "$subj" ] || die "$l subject '$(jq -r "$c | .subject" "$J")', openssl: '$subj'"
        [ "$(jq -r "$c | .issuer" "$J")" = "$iss" ] || die "$l issuer '$(jq -r "$c | .issuer" "$J")', openssl: '$iss'"
        [ "$(jq -r "$c | .not_after" "$J")" = "$end" ] || die "$l not_after $(jq -r "$c | .not_after" "$J"), openssl: $end"
    done
    c="$tok | .certificates[] | select(.label == \"company\")"
    [ "$(jq -r "$c | .id" "$J" | tr A-F a-f)" = 01 ] || die "company id $(jq -r "$c | .id" "$J")"
    [ "$(jq -c "$c | .key_usage" "$J")" = '["digitalSignature","nonRepudiation"]' ] || die "company key usage"
    [ "$(jq -r "$c | .days_left" "$J")" -ge 729 ] && [ "$(jq -r "$c | .days_left" "$J")" -le 731 ] \
        || die "company days_left $(jq -r "$c | .days_left" "$J")"
    c="$tok | .certificates[] | select(.label == \"encryption\")"
    [ "$(jq -c "$c | .key_usage" "$J")" = '["keyEncipherment","dataEncipherment"]' ] \
        || die "encryption key usage $(jq -c "$c | .key_usage" "$J")"
    c="$tok | .certificates[] | select(.label == \"legalrep\")"
    jq -r "$c | .subject" "$J" | grep -q '^CN=张三,' || die "legalrep subject $(jq -r "$c | .subject" "$J")"
    c="$tok | .certificates[] | select(.label == \"expired\")"
    [ "$(jq -r "$c | .days_left" "$J")" -lt 0 ] || die "expired days_left $(jq -r "$c | .days_left" "$J")"
    c="$tok | .certificates[] | select(.label == \"expiring\")"
    [ "$(jq -r "$c | .days_left" "$J")" -ge 9 ] && [ "$(jq -r "$c | .days_left" "$J")" -le 10 ] \
        || die "expiring days_left $(jq -r "$c | .days_left" "$J")"
}

text_listing() {
    expect_exit 0 "$SEAL" token --module "$SOFTHSM2_MODULE"
    expect_quiet
    grep -q "SealToken" "$T/stdout" || die "text listing lacks SealToken"
    grep -q "张三" "$T/stdout" || die "text listing lacks the legalrep subject"
    grep -q "某某建设工程有限公司 company-seal" "$T/stdout" || die "text listing lacks the company subject"
}

# fake_flags MODE FLAG-REGEX: the PIN state the fake token reports shows in
# the listing, and listing does not log in.
fake_flags() {
    local mode=$1 re=$2
    [ -n "$FAKEP11" ] && [ -f "$FAKEP11" ] || die "FAKEP11 module not built"
    : >"$T/fake.log"
    FAKEP11_MODE=$mode FAKEP11_LOG=$T/fake.log expect_exit 0 "$SEAL" token --module "$FAKEP11" --json
    local tok='.tokens[] | select(.label == "FakeToken")'
    [ "$(jq -r "$tok | .serial" "$T/stdout")" = FAKE0001 ] || die "fake token serial"
    [ "$(jq -r "$tok | .model" "$T/stdout")" = fakep11 ] || die "fake token model"
    [ "$(jq -r "$tok | .slot" "$T/stdout")" = 7 ] || die "fake token slot"
    jq -r "$tok | .flags[]" "$T/stdout" | grep -Eq "$re" \
        || die "flags $(jq -c "$tok | .flags" "$T/stdout") do not show /$re/"
    [ ! -s "$T/fake.log" ] || die "listing logged in: $(cat "$T/fake.log")"
    [ "$(jq "$tok | .certificates | length" "$T/stdout")" = 0 ] || die "the fake token has no certificates"
}

errors() {
    expect_exit 5 "$SEAL" token --module "$T/no-such-module.so"
    expect_msg 'module|no-such-module'
    expect_exit 2 "$SEAL" token --module "$SOFTHSM2_MODULE" --frobnicate
    grep -q '^seal: ' "$T/stderr" || die "usage error without a 'seal: ' message"
}

run_case "SoftHSM2 token: module, model, serial and slot as pkcs11-tool sees them" list_softhsm
run_case "certificates: subject, issuer, expiry as openssl reads them; usage; days left" cert_fields
run_case "text listing" text_listing
run_case "fakep11 locked: flag shown, no login" fake_flags locked 'lock'
run_case "fakep11 final try: flag shown, no login" fake_flags finaltry 'final'
run_case "fakep11 count low: flag shown, no login" fake_flags countlow 'low'
run_case "fakep11 pin-pad: flag shown" fake_flags pinpad 'pad|protected'
run_case "no such module -> 5; bad option -> 2" errors
finish
