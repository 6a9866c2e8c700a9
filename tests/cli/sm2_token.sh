#!/usr/bin/env bash
# SM2 keys on tokens: bids signed through a PKCS#11 module with each known
# vendor's mechanism value (DER and raw r||s output), an sm2-mechanism=
# override, an unknown vendor refused; and through a GM/T 0016 SKF library
# (sign, wrong PIN with the tries left, locked). The token modules are the
# OpenSSL-backed test ones (tests/tools/sm2p11.c, fakeskf.c): no Debian
# package has an SM2 token. Each signed file is checked with openssl alone
# (e = SM3(Z || signedAttrs) with ID 1234567812345678 over the extracted
# SignerInfo, messageDigest = SM3 of the signed bytes) and with seal verify.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require openssl python3 jq

: "${SM2P11:?SM2P11 must name the test SM2 PKCS#11 module}"
: "${FAKESKF:?FAKESKF must name the test SKF library}"
ONE=$FIX/pdf/one.pdf
ID=distid:1234567812345678

# The SM2 test PKI (root, intermediate, signer; tests/tools/sm2pki.sh).
P=$T/pki
bash "$TOOLS/sm2pki.sh" "$P" >"$T/pki.log" 2>&1 || { cat "$T/pki.log"; echo "cannot make the SM2 PKI"; exit 1; }
openssl pkey -in "$P/signer.key" -pubout -out "$P/signer.pub"
printf '123456\n' >"$T/pin"
printf '654321\n' >"$T/badpin"

export SM2P11_KEY=$P/signer.key SM2P11_CERT=$P/signer.pem
export FAKESKF_KEY=$P/signer.key FAKESKF_CERT=$P/signer.pem
P11URI="pkcs11:token=SM2Token;object=sm2sign?module-path=$SM2P11"

# check_sm2 PDF: the signature's SignerInfo checked by openssl alone.
check_sm2() {
    local pdf=$1 d=$T/x.$RANDOM info md
    mkdir -p "$d"
    python3 "$TOOLS/pdfsigs.py" "$pdf" --extract "$d" >/dev/null
    info=$(python3 "$TOOLS/sm2cms.py" "$d/sig1.der" "$d")
    [ "$(jq -r .digest_alg <<<"$info")" = 1.2.156.10197.1.401 ] || die "digest algorithm: $info"
    [ "$(jq -r .signature_alg <<<"$info")" = 1.2.156.10197.1.501 ] || die "signature algorithm: $info"
    [ "$(jq -r .signature_form <<<"$info")" = der ] || die "signature value not DER: $info"
    md=$(openssl dgst -sm3 -r "$d/sig1.bin" | cut -d' ' -f1)
    [ "$(jq -r .message_digest <<<"$info")" = "$md" ] || die "messageDigest is not SM3 of the signed bytes"
    openssl x509 -inform DER -in "$d/cert.der" -noout -pubkey >"$d/pub.pem"
    cmp -s "$d/pub.pem" "$P/signer.pub" || die "the certificate the SignerInfo names is not the signer's"
    openssl dgst -sm3 -verify "$P/signer.pub" -sigopt "$ID" -signature "$d/sig.bin" "$d/attrs.der" \
        >"$d/v" 2>&1 || { cat "$d/v"; die "openssl does not verify the SM2 signature"; }
    # and it is no signature without the ID (Z over an empty ID)
    if openssl dgst -sm3 -verify "$P/signer.pub" -signature "$d/sig.bin" "$d/attrs.der" >/dev/null 2>&1; then
        die "the signature verifies without the distinguishing ID"
    fi
}

# verify_sm2 PDF: seal verify with the SM2 root as the anchor.
verify_sm2() {
    expect_exit 0 "$SEAL" verify "$1" --trust "$P/root.pem" --json
    [ "$(jq -r '.signatures[0].indication' "$T/stdout")" = TOTAL-PASSED ] \
        || die "seal verify: $(jq -c '.signatures[0] | {indication, subindication}' "$T/stdout")"
}

# sign_p11 OUT [URI]: sign one.pdf with the SM2 token.
sign_p11() {
    expect_exit 0 "$SEAL" sign "$ONE" -o "$1" --key "${2:-$P11URI}" --pin-file "$T/pin" \
        --chain "$P/int.pem"
    expect_quiet
}

# ------------------------------------------------------------ PKCS#11
vendor() {
    local maker=$1 mech=$2 out=$3
    export SM2P11_MANUFACTURER=$maker SM2P11_MECH=$mech SM2P11_OUTPUT=$out
    export SM2P11_LOG=$T/p11.log
    rm -f "$SM2P11_LOG"
    sign_p11 "$T/v.pdf"
    grep -qx "sign-init $(printf '0x%x' "$mech") rv=0x0" "$SM2P11_LOG" \
        || { cat "$SM2P11_LOG"; die "the token was not asked to sign with $mech"; }
    check_sm2 "$T/v.pdf"
    verify_sm2 "$T/v.pdf"
}

override() {
    # A vendor not in the table, named in the URI; raw r||s out.
    export SM2P11_MANUFACTURER="Acme Keys Co." SM2P11_MECH=0x80008105 SM2P11_OUTPUT=raw
    sign_p11 "$T/o.pdf" "pkcs11:token=SM2Token;object=sm2sign;sm2-mechanism=0x80008105?module-path=$SM2P11"
    check_sm2 "$T/o.pdf"
    # in the query part too
    sign_p11 "$T/o2.pdf" "pkcs11:token=SM2Token?module-path=$SM2P11&sm2-mechanism=2147516677"
    check_sm2 "$T/o2.pdf"
    verify_sm2 "$T/o2.pdf"
}

unknown_vendor() {
    export SM2P11_MANUFACTURER="Acme Keys Co." SM2P11_MECH=0x80008105
    expect_failure 5 "^seal: token 'SM2Token' holds an SM2 key, but its manufacturer 'Acme Keys Co\.' is not one whose SM2 mechanism is known, and PKCS#11 has no standard one: add the mechanism that signs a 32-byte SM2 digest to the key URI, e\.g\. ;sm2-mechanism=0x80008104 \(known: 0x80008104 Sansec CKM_SM2_SIGN, 0x80008000 TASS CKM_SM2, 0x80000B21 Luna CKM_SM2DSA, 0x8005000B IBM CKM_IBM_SM2, 0x00010002 Haitai CKM_SM2_SIGN_VERIFY\)$" \
        "$ONE" -- sign "$ONE" -o @OUT@ --key "$P11URI" --pin-file "$T/pin"
    # a known value the token lists is named as a hint, never chosen
    export SM2P11_MECH=0x8005000B
    expect_failure 5 "\(known: .*\); the token lists 0x8005000B \(IBM CKM_IBM_SM2\)$" \
        "$ONE" -- sign "$ONE" -o @OUT@ --key "$P11URI" --pin-file "$T/pin"
}

wrong_mechanism() {
    # The table says Sansec's 0x80008104; this token knows another value.
    export SM2P11_MANUFACTURER="Sansec Technology" SM2P11_MECH=0x80008105
    expect_failure 5 "^seal: token 'SM2Token' does not know the SM2 mechanism 0x80008104 \(CKR_MECHANISM_INVALID\); name the one it signs a 32-byte SM2 digest with by sm2-mechanism= in the key URI$" \
        "$ONE" -- sign "$ONE" -o @OUT@ --key "$P11URI" --pin-file "$T/pin"
}

z_mechanism() {
    # A mechanism that computes Z and hashes again signs the wrong thing:
    # caught before anything is embedded.
    export SM2P11_MANUFACTURER="Sansec Technology" SM2P11_MECH=0x80008104 SM2P11_ZHASH=1
    expect_failure 5 "^seal: token 'SM2Token' returned an SM2 signature that does not verify with its certificate: " \
        "$ONE" -- sign "$ONE" -o @OUT@ --key "$P11URI" --pin-file "$T/pin"
}

bad_override() {
    expect_failure 2 "^seal: sm2-mechanism= in the key URI is 'sansec', not a mechanism number \(e\.g\. sm2-mechanism=0x80008104\)$" \
        "$ONE" -- sign "$ONE" -o @OUT@ --key "pkcs11:token=SM2Token;sm2-mechanism=sansec?module-path=$SM2P11" --pin-file "$T/pin"
    expect_failure 2 "^seal: sm2-mechanism= is given twice in the key URI$" \
        "$ONE" -- sign "$ONE" -o @OUT@ --key "pkcs11:token=SM2Token;sm2-mechanism=1?module-path=$SM2P11&sm2-mechanism=2" --pin-file "$T/pin"
}

p11_wrong_pin() {
    export SM2P11_MANUFACTURER=Sansec SM2P11_STATE=$T/p11state SM2P11_LOG=$T/p11pin.log
    rm -f "$SM2P11_STATE" "$SM2P11_LOG"
    expect_failure 5 "^seal: wrong PIN for token 'SM2Token' \(the token reports its PIN count low: a wrong PIN since the last successful login\)$" \
        "$ONE" -- sign "$ONE" -o @OUT@ --key "$P11URI" --pin-file "$T/badpin"
    [ "$(grep -c '^login ' "$SM2P11_LOG")" = 1 ] || die "$(grep -c '^login ' "$SM2P11_LOG") login attempts"
    printf '1\n' >"$SM2P11_STATE"
    expect_failure 5 "^seal: wrong PIN for token 'SM2Token': the token now reports the PIN locked$" \
        "$ONE" -- sign "$ONE" -o @OUT@ --key "$P11URI" --pin-file "$T/badpin"
    expect_failure 5 "^seal: the PIN of token 'SM2Token' is locked; " \
        "$ONE" -- sign "$ONE" -o @OUT@ --key "$P11URI" --pin-file "$T/pin"
    [ "$(grep -c '^login ' "$SM2P11_LOG")" = 2 ] || die "a locked token was tried"
}

listing() {
    export SM2P11_MANUFACTURER=Sansec
    expect_exit 0 "$SEAL" token --module "$SM2P11" --json
    local c='.tokens[] | select(.label == "SM2Token") | .certificates[] | select(.label == "sm2sign")'
    [ "$(jq -r "$c | .key_type" "$T/stdout")" = SM2 ] || die "key type $(jq -r "$c | .key_type" "$T/stdout")"
    [ "$(jq -r "$c | .uri" "$T/stdout")" = "$P11URI" ] || die "key URI $(jq -r "$c | .uri" "$T/stdout")"
    [ "$(jq -r "$c | .subject" "$T/stdout")" = "CN=王五 SM2,O=某某建设工程有限公司,C=CN" ] \
        || die "subject $(jq -r "$c | .subject" "$T/stdout")"
}

# ------------------------------------------------------------ SKF
SKFURI="skf:lib=$FAKESKF;dev=FakeKey-1;app=SealApp;con=SealSign"

skf_sign() {
    export FAKESKF_STATE=$T/skfstate FAKESKF_LOG=$T/skf.log
    rm -f "$FAKESKF_STATE" "$FAKESKF_LOG"
    expect_exit 0 "$SEAL" sign "$ONE" -o "$T/s.pdf" --key "$SKFURI" --pin-file "$T/pin" --chain "$P/int.pem"
    expect_quiet
    [ "$(cat "$FAKESKF_LOG")" = "verify-pin rv=0x00000000
ecc-sign rv=0x00000000" ] || die "SKF calls: $(cat "$FAKESKF_LOG")"
    check_sm2 "$T/s.pdf"
    verify_sm2 "$T/s.pdf"
    # dev, app and con may be left out when there is one of each
    expect_exit 0 "$SEAL" sign "$ONE" -o "$T/s2.pdf" --key "skf:lib=$FAKESKF" --pin-file "$T/pin" --chain "$P/int.pem"
    check_sm2 "$T/s2.pdf"
}

skf_wrong_pin() {
    export FAKESKF_STATE=$T/skfstate2 FAKESKF_LOG=$T/skf2.log
    rm -f "$FAKESKF_STATE" "$FAKESKF_LOG"
    expect_failure 5 "^seal: wrong PIN for SKF container 'SealSign' of application 'SealApp' on device 'FakeKey-1' \(the key reports 5 tries left; not retried\)$" \
        "$ONE" -- sign "$ONE" -o @OUT@ --key "$SKFURI" --pin-file "$T/badpin"
    [ "$(cat "$FAKESKF_LOG")" = "verify-pin rv=0x0A000024" ] || die "SKF calls: $(cat "$FAKESKF_LOG")"
    printf '2\n' >"$FAKESKF_STATE"
    expect_failure 5 "\(the key reports 1 try left; not retried\)$" \
        "$ONE" -- sign "$ONE" -o @OUT@ --key "$SKFURI" --pin-file "$T/badpin"
    expect_failure 5 "^seal: wrong PIN for SKF container 'SealSign' of application 'SealApp' on device 'FakeKey-1': the key now reports the PIN locked$" \
        "$ONE" -- sign "$ONE" -o @OUT@ --key "$SKFURI" --pin-file "$T/badpin"
    [ "$(cat "$FAKESKF_STATE")" = 0 ] || die "tries left: $(cat "$FAKESKF_STATE")"
}

skf_locked() {
    export FAKESKF_STATE=$T/skfstate3 FAKESKF_LOG=$T/skf3.log
    rm -f "$FAKESKF_LOG"
    printf '0\n' >"$FAKESKF_STATE"
    expect_failure 5 "^seal: the user PIN of SKF container 'SealSign' of application 'SealApp' on device 'FakeKey-1' is locked; unlock it with the key's administration tool \(admin PIN\) before using it$" \
        "$ONE" -- sign "$ONE" -o @OUT@ --key "$SKFURI" --pin-file "$T/pin"
    [ ! -e "$FAKESKF_LOG" ] || die "a locked key was tried: $(cat "$FAKESKF_LOG")"
}

skf_choose() {
    export FAKESKF_CONS=SealSign,Encrypt FAKESKF_STATE=$T/skfstate4
    rm -f "$FAKESKF_STATE"
    expect_failure 5 "^seal: 2 SKF containers in application 'SealApp' on device 'FakeKey-1' \('SealSign', 'Encrypt'\); none is chosen for you, name one with con=$" \
        "$ONE" -- sign "$ONE" -o @OUT@ --key "skf:lib=$FAKESKF" --pin-file "$T/pin"
    expect_failure 4 "^seal: SKF container 'Encrypt' of application 'SealApp' on device 'FakeKey-1' holds no key pair, not an SM2 \(ECC\) key pair$" \
        "$ONE" -- sign "$ONE" -o @OUT@ --key "skf:lib=$FAKESKF;con=Encrypt" --pin-file "$T/pin"
    expect_failure 5 "^seal: no SKF device 'Other' is present \(present: 'FakeKey-1'\)$" \
        "$ONE" -- sign "$ONE" -o @OUT@ --key "skf:lib=$FAKESKF;dev=Other" --pin-file "$T/pin"
}

skf_uri_errors() {
    expect_failure 2 "^seal: bad SKF key URI: unknown attribute 'slot' \(an skf: URI has lib=, dev=, app=, con= and pin-source=\)$" \
        "$ONE" -- sign "$ONE" -o @OUT@ --key "skf:lib=$FAKESKF;slot=1" --pin-file "$T/pin"
    expect_failure 2 "^seal: an skf: key URI names the vendor's SKF library with lib=PATH$" \
        "$ONE" -- sign "$ONE" -o @OUT@ --key "skf:dev=FakeKey-1" --pin-file "$T/pin"
    expect_failure 2 "^seal: pin-value in a key URI is refused" \
        "$ONE" -- sign "$ONE" -o @OUT@ --key "skf:lib=$FAKESKF;pin-value=123456"
    expect_failure 5 "^seal: $T/no-such-skf\.so is not an SKF library|^seal: cannot load SKF library $T/no-such-skf\.so: " \
        "$ONE" -- sign "$ONE" -o @OUT@ --key "skf:lib=$T/no-such-skf.so" --pin-file "$T/pin"
    expect_failure 5 "^seal: $SM2P11 is not an SKF library: it has no SKF_EnumDev$" \
        "$ONE" -- sign "$ONE" -o @OUT@ --key "skf:lib=$SM2P11" --pin-file "$T/pin"
}

run_case "Sansec 0x80008104, DER" vendor "Sansec Technology" 0x80008104 der
run_case "Sansec 0x80008104, raw r||s" vendor "Sansec Technology" 0x80008104 raw
run_case "TASS 0x80008000, DER" vendor "TASS" 0x80008000 der
run_case "SafeNet Luna 0x80000B21, raw r||s" vendor "SafeNet, Inc." 0x80000B21 raw
run_case "Gemalto Luna 0x80000B21, DER" vendor "Gemalto" 0x80000B21 der
run_case "IBM 0x8005000B, DER" vendor "IBM" 0x8005000B der
run_case "IBM 0x8005000B, raw r||s" vendor "IBM" 0x8005000B raw
run_case "Haitai 0x00010002, raw r||s" vendor "Haitai" 0x00010002 raw
run_case "Haitai 0x00010002, DER" vendor "HAITAI Co." 0x00010002 der
run_case "sm2-mechanism= override for an unknown vendor" override
run_case "unknown vendor without override: refused (5)" unknown_vendor
run_case "token without the table's mechanism: refused (5)" wrong_mechanism
run_case "a Z-computing mechanism: signature checked, refused (5)" z_mechanism
run_case "bad sm2-mechanism= (2)" bad_override
run_case "wrong PIN, last try, locked (5), never retried" p11_wrong_pin
run_case "seal token lists the SM2 key" listing
run_case "SKF: sign, checked by openssl and seal verify" skf_sign
run_case "SKF: wrong PIN (5) with the tries left, then locked" skf_wrong_pin
run_case "SKF: locked (5) without a PIN attempt" skf_locked
run_case "SKF: device, application, container chosen only when one" skf_choose
run_case "SKF: bad URIs" skf_uri_errors
finish
