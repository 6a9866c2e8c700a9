#!/usr/bin/env bash
# seal token --module PATH [--all] [--json]: tokens, their keys and
# certificates, compared with what pkcs11-tool and openssl read from the
# same token and files. By default only tokens holding keys are listed, each
# key with its usage and the --key URI that selects it; --all adds
# everything else (CA certificates, empty and uninitialised slots, the
# system trust module). Listing never logs in. A key URI matching several
# signing keys is refused, listing each.
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
    jq -r "$c | .subject" "$J" | grep '^CN=张三,' >/dev/null || die "legalrep subject $(jq -r "$c | .subject" "$J")"
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
    FAKEP11_MODE=$mode FAKEP11_LOG=$T/fake.log expect_exit 0 "$SEAL" token --module "$FAKEP11" --json --all
    local tok='.tokens[] | select(.label == "FakeToken")'
    [ "$(jq -r "$tok | .serial" "$T/stdout")" = FAKE0001 ] || die "fake token serial"
    [ "$(jq -r "$tok | .model" "$T/stdout")" = fakep11 ] || die "fake token model"
    [ "$(jq -r "$tok | .slot" "$T/stdout")" = 7 ] || die "fake token slot"
    jq -r "$tok | .flags[]" "$T/stdout" | grep -Eq "$re" \
        || die "flags $(jq -c "$tok | .flags" "$T/stdout") do not show /$re/"
    [ ! -s "$T/fake.log" ] || die "listing logged in: $(cat "$T/fake.log")"
    [ "$(jq "$tok | .certificates | length" "$T/stdout")" = 0 ] || die "the fake token has no certificates"
}

# The keys pkcs11-tool sees on SealToken (public key objects, no login),
# "LABEL ID" sorted.
p11_keys() {
    pkcs11-tool --module "$SOFTHSM2_MODULE" --token-label SealToken --list-objects --type pubkey 2>/dev/null \
        | awk '/^Public Key Object/ {k=1} k && /label:/ {l=$2} k && /ID:/ {print l, $2; k=0}' | sort
}

keys_default() {
    expect_exit 0 "$SEAL" token --module "$SOFTHSM2_MODULE" --json
    cp "$T/stdout" "$T/keys.json"
    local tok='.tokens[] | select(.label == "SealToken")' want got l u
    want=$(p11_keys)
    got=$(jq -r "$tok | .keys[] | \"\(.label) \(.id | ascii_downcase)\"" "$T/keys.json" | sort)
    [ "$got" = "$want" ] || die "keys listed [$got], pkcs11-tool sees [$want]"
    # Usage classes and URIs, exactly.
    for l in company:sign legalrep:sign encryption:encrypt expired:sign expiring:sign; do
        u=${l#*:} l=${l%%:*}
        [ "$(jq -r "$tok | .keys[] | select(.label == \"$l\") | .usage" "$T/keys.json")" = "$u" ] \
            || die "$l usage $(jq -r "$tok | .keys[] | select(.label == \"$l\") | .usage" "$T/keys.json"), expected $u"
        [ "$(jq -r "$tok | .keys[] | select(.label == \"$l\") | .uri" "$T/keys.json")" = \
          "pkcs11:token=SealToken;object=$l?module-path=$SOFTHSM2_MODULE" ] || die "$l uri"
    done
    # The CA certificates are certificates, not keys; no slot without keys.
    [ "$(jq "[$tok | .keys[] | select(.label | startswith(\"libseal\"))] | length" "$T/keys.json")" = 0 ] \
        || die "CA certificates listed as keys"
    [ "$(jq '[.tokens[] | select(.keys | length == 0)] | length' "$T/keys.json")" = 0 ] \
        || die "a slot without keys is listed by default"
    # The text listing says the same, per key.
    expect_exit 0 "$SEAL" token --module "$SOFTHSM2_MODULE"
    for l in company legalrep encryption expired expiring; do
        grep -qF "  key '$l' (id " "$T/stdout" || die "text: no key $l"
        grep -qF "    --key 'pkcs11:token=SealToken;object=$l?module-path=$SOFTHSM2_MODULE'" "$T/stdout" \
            || die "text: no URI for $l"
    done
    grep -q "usage encrypt (keyEncipherment,dataEncipherment)" "$T/stdout" || die "text: encryption usage"
    grep -q "key 'expired' .*" "$T/stdout" && grep -q "EXPIRED" "$T/stdout" || die "text: expired not shown"
    ! grep -q "libseal Test Root CA' (id" "$T/stdout" || die "text: CA certificate shown by default"
    ! grep -q "token ''" "$T/stdout" || die "text: token ''"
    # Each listed signing URI signs, and signs with that key.
    expect_exit 0 "$SEAL" sign "$FIX/pdf/one.pdf" -o "$T/by-uri.pdf" --pin-file "$FIX/pin.txt" \
        --key "$(jq -r "$tok | .keys[] | select(.label == \"legalrep\") | .uri" "$T/keys.json")"
    [ "$(pdfsig_signers "$T/by-uri.pdf")" = 张三 ] || die "the legalrep URI signed as $(pdfsig_signers "$T/by-uri.pdf")"
}

all_and_uninitialised() {
    expect_exit 0 "$SEAL" token --module "$SOFTHSM2_MODULE" --all
    grep -qF "  certificate 'libseal Test Root CA' (id" "$T/stdout" || die "--all: CA certificate not shown"
    grep -q "the token is not initialised" "$T/stdout" || die "--all: uninitialised slot not named"
    ! grep -q "token ''" "$T/stdout" || die "--all: token ''"
    expect_exit 0 "$SEAL" token --module "$SOFTHSM2_MODULE" --all --json
    [ "$(jq '[.tokens[] | select(.present and (.initialized | not))] | length' "$T/stdout")" -ge 1 ] \
        || die "--all --json: no uninitialised slot"
    # Every registered module: the trust module's system CAs only with --all.
    expect_exit 0 "$SEAL" token
    ! grep -q "System Trust" "$T/stdout" || die "the system trust module is listed by default"
    grep -q "SealToken" "$T/stdout" || die "SealToken not listed from the registered modules"
    if p11-kit list-modules 2>/dev/null | grep 'token: System Trust' >/dev/null; then
        expect_exit 0 "$SEAL" token --all
        grep -q "System Trust" "$T/stdout" || die "--all does not list the system trust module"
    fi
}

ambiguous_uri() {
    local uri="pkcs11:token=SealToken?module-path=$SOFTHSM2_MODULE" l
    expect_failure 5 'matches 4 signing keys' "$FIX/pdf/one.pdf" -- sign "$FIX/pdf/one.pdf" -o @OUT@ \
        --key "$uri" --pin-file "$FIX/pin.txt"
    for l in company legalrep expired expiring; do
        grep -qF "usage sign: --key 'pkcs11:token=SealToken;object=$l?module-path=$SOFTHSM2_MODULE'" "$T/stderr" \
            || die "candidate $l not listed with its URI"
    done
    grep -qF "CN=张三,O=某某建设工程有限公司,C=CN, usage sign" "$T/stderr" || die "legalrep subject not listed"
    grep -qF "CN=某某建设工程有限公司 company-seal,O=某某建设工程有限公司,C=CN, usage sign" "$T/stderr" \
        || die "company subject not listed"
    ! grep -q "object=encryption" "$T/stderr" || die "the encryption-only key is listed as a candidate"
    # With object= it signs, with that key.
    expect_exit 0 "$SEAL" sign "$FIX/pdf/one.pdf" -o "$T/company.pdf" --pin-file "$FIX/pin.txt" \
        --key "pkcs11:token=SealToken;object=company?module-path=$SOFTHSM2_MODULE"
    [ "$(pdfsig_signers "$T/company.pdf")" = "某某建设工程有限公司 company-seal" ] || die "signed by $(pdfsig_signers "$T/company.pdf")"
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
run_case "default: keys with usage and URI exactly as on the token; the URI signs" keys_default
run_case "--all: CA certificates, uninitialised slot named, system trust module" all_and_uninitialised
run_case "a URI matching several signing keys: exit 5 listing each; object= signs" ambiguous_uri
run_case "no such module -> 5; bad option -> 2" errors
finish
