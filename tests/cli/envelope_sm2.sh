#!/usr/bin/env bash
# Sealed bids to SM2 certificates (issue 14, part 7): seal encrypt writes a
# GM/T 0010 EnvelopedData (SM2 key transport, SM4-CBC, libseal's HMAC-SM3
# attribute); opened by the independent implementation
# (tests/tools/envsm2check.py: pyasn1, Botan SM2, cryptography SM4), and
# its envelopes opened by seal decrypt; decryption with PKCS#12 and PEM
# keys, the test SM2 token (tests/tools/sm2p11.c: a vendor decryption
# mechanism, DER or raw ciphertext) and the test SKF library
# (tests/tools/fakeskf.c: SKF_ECCDecrypt); the wrong key (exit 5 naming the
# recipient); tampering and truncation (exit 4, no output); mixed
# recipients refused; batch opening with verification; constant memory.
# (The time-stamp receipt of an SM2 envelope is checked in envelope.sh,
# which runs the time-stamp service anyway.)
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
require openssl python3 cmp
: "${SM2P11:?SM2P11 must name the test SM2 PKCS#11 module}"
: "${FAKESKF:?FAKESKF must name the test SKF library}"

PKI=$T/pki
bash "$TOOLS/sm2pki.sh" "$PKI" >"$T/pki.log" 2>&1 || { cat "$T/pki.log"; echo "cannot make the SM2 PKI"; exit 1; }
# Debian's python3 has botan2 (python3-botan); another python3 first on PATH may not.
PY=/usr/bin/python3
CHECK=$TOOLS/envsm2check.py
export SEAL_P12_PASSWORD=sm2pass
echo 123456 >"$T/pin"
# the SM2-signed bid, and the PEM key file of the other holder
"$SEAL" sign "$FIX/pdf/one.pdf" -o "$T/bid.pdf" --key "pem:$PKI/signer-all.pem" 2>/dev/null \
    || { echo "envelope_sm2: cannot sign the test bid"; exit 1; }
cat "$PKI/enc2.key" "$PKI/enc2.pem" >"$PKI/enc2-all.pem"
BID=$T/bid.pdf
same() { cmp -s "$1" "$2" || die "$2 differs from $1"; }
serial() { openssl x509 -in "$1" -noout -serial | cut -d= -f2; }
ENC_SERIAL=$(serial "$PKI/enc.pem")
ENC2_SERIAL=$(serial "$PKI/enc2.pem")
export SM2P11_KEY=$PKI/enc.key SM2P11_CERT=$PKI/enc.pem
P11="pkcs11:token=SM2Token?module-path=$SM2P11"
export FAKESKF_KEY=$PKI/signer.key FAKESKF_CERT=$PKI/signer.pem
export FAKESKF_ENC_KEY=$PKI/enc.key FAKESKF_ENC_CERT=$PKI/enc.pem
SKF="skf:lib=$FAKESKF"

encrypt_gm() {
    expect_exit 0 "$SEAL" encrypt "$BID" -o "$T/b.p7m" --to "$PKI/enc.pem" --to "$PKI/enc2.pem"
    grep -q 'sealed to 2 recipients' "$T/stderr" || { show_output; die "no recipient summary"; }
    expect_exit 0 "$SEAL" inspect "$T/b.p7m"
    grep -q "sealed bid, CMS EnvelopedData (GM/T 0010), SM4-CBC (authenticated), $(filesize "$T/b.p7m") bytes ($(( ($(filesize "$BID") / 16 + 1) * 16 )) of ciphertext), 2 recipients" \
        "$T/stdout" || { show_output; die "inspect summary"; }
    grep -q "recipient 1: issuer CN=SM2 Test Issuing CA,O=SM2 测试 CA,C=CN, serial $ENC_SERIAL, SM2-ENCRYPT" \
        "$T/stdout" || { show_output; die "recipient 1"; }
    for k in enc enc2; do
        $PY "$CHECK" decrypt "$T/b.p7m" "$PKI/$k.key" "$T/py-$k.pdf" >"$T/how" || die "envsm2check.py: $(cat "$T/how")"
        grep -q '^content type 1.2.156.10197.6.1.4.2.1, version 2, SM4-CBC, 2 recipients$' "$T/how" || die "$(cat "$T/how")"
        grep -q 'content key decrypted by Botan (16 bytes)' "$T/how" || die "$(cat "$T/how")"
        grep -qx 'HMAC-SM3 verified' "$T/how" || die "$(cat "$T/how")"
        same "$BID" "$T/py-$k.pdf"
    done
    # OpenSSL reads the outer structure: the GM/T 0010 content type and the recipient's SM2 ciphertext
    openssl asn1parse -inform DER -in "$T/b.p7m" >"$T/asn1" 2>/dev/null || die "openssl asn1parse"
    grep -q 'OBJECT            :1.2.156.10197.6.1.4.2.3' "$T/asn1" || die "no GM/T 0010 envelopedData"
    grep -q 'OBJECT            :sm4-cbc' "$T/asn1" || die "no SM4-CBC"
}
run_case "encrypt to SM2: GM/T 0010 EnvelopedData, opened by Botan + cryptography (envsm2check.py)" encrypt_gm

decrypt_python_made() {
    $PY "$CHECK" encrypt "$BID" "$T/py.p7m" "$PKI/enc2.pem" "$PKI/enc.pem" || die "envsm2check.py encrypt"
    expect_exit 0 "$SEAL" decrypt "$T/py.p7m" -o "$T/py.pdf" --key "p12:$PKI/enc.p12"
    expect_msg "py.p7m decrypted to .*py.pdf$"
    same "$BID" "$T/py.pdf"
    # without the HMAC attribute (a GM/T 0010 envelope of another maker): the bid is verified
    $PY "$CHECK" encrypt "$BID" "$T/nomac.p7m" "$PKI/enc.pem" --no-mac || die "envsm2check.py encrypt --no-mac"
    expect_exit 0 "$SEAL" inspect "$T/nomac.p7m"
    grep -q "CMS EnvelopedData (GM/T 0010), SM4-CBC, " "$T/stdout" || { show_output; die "inspect --no-mac"; }
    expect_exit 0 "$SEAL" decrypt "$T/nomac.p7m" -o "$T/nomac.pdf" --key "pem:$PKI/enc-all.pem" \
        --verify --trust "$PKI/root.pem"
    grep -q 'verify TOTAL-PASSED' "$T/stderr" || { show_output; die "not verified"; }
    same "$BID" "$T/nomac.pdf"
}
run_case "decrypt envelopes made by the independent implementation (with and without the HMAC)" \
    decrypt_python_made

soft_keys() {
    expect_exit 0 "$SEAL" encrypt "$BID" -o "$T/s.p7m" --to "$PKI/enc.pem"
    expect_exit 0 "$SEAL" decrypt "$T/s.p7m" -o "$T/s1.pdf" --key "p12:$PKI/enc.p12"
    same "$BID" "$T/s1.pdf"
    expect_exit 0 "$SEAL" decrypt "$T/s.p7m" -o "$T/s2.pdf" --key "pem:$PKI/enc-all.pem"
    same "$BID" "$T/s2.pdf"
    # the other holder's key: exit 5 naming the recipient, nothing written
    expect_failure 5 "key file .*enc2-all.pem holds no key for .*s.p7m, which was sealed to: issuer CN=SM2 Test Issuing CA,O=SM2 测试 CA,C=CN, serial $ENC_SERIAL\\. A renewed certificate cannot open" \
        "$T/s.p7m" -- decrypt "$T/s.p7m" -o @OUT@ --key "pem:$PKI/enc2-all.pem"
    SEAL_P12_PASSWORD=wrong expect_failure 5 "wrong password for enc.p12" \
        "$T/s.p7m" -- decrypt "$T/s.p7m" -o @OUT@ --key "p12:$PKI/enc.p12"
}
run_case "PKCS#12 and PEM SM2 keys open it; the other holder's key: exit 5 naming the recipient" soft_keys

token_p11() {
    expect_exit 0 "$SEAL" encrypt "$BID" -o "$T/t.p7m" --to "$PKI/enc2.pem" --to "$PKI/enc.pem"
    export SM2P11_LOG=$T/p11.log
    SM2P11_MANUFACTURER="Sansec Technology" expect_exit 0 "$SEAL" decrypt "$T/t.p7m" -o "$T/t1.pdf" \
        --key "$P11" --pin-file "$T/pin"
    same "$BID" "$T/t1.pdf"
    grep -qx 'decrypt-init 0x80008200 rv=0x0' "$T/p11.log" || die "not the Sansec mechanism: $(cat "$T/p11.log")"
    # another vendor: its mechanism by sm2-decrypt-mechanism=, a token that takes raw C1||C3||C2
    SM2P11_DECRYPT_MECH=0x80001234 SM2P11_CIPHER=raw expect_exit 0 "$SEAL" decrypt "$T/t.p7m" -o "$T/t2.pdf" \
        --key "pkcs11:token=SM2Token;sm2-decrypt-mechanism=0x80001234?module-path=$SM2P11" --pin-file "$T/pin"
    same "$BID" "$T/t2.pdf"
    expect_failure 5 "token 'SM2Token' holds an SM2 key, but its manufacturer 'libseal tests' is not one whose SM2 decryption mechanism is known.*sm2-decrypt-mechanism=0x80008200" \
        "$T/t.p7m" -- decrypt "$T/t.p7m" -o @OUT@ --key "$P11" --pin-file "$T/pin"
    SM2P11_DECRYPT_MECH=0x80001234 expect_failure 5 "token 'SM2Token' does not know the SM2 decryption mechanism 0x80008200" \
        "$T/t.p7m" -- decrypt "$T/t.p7m" -o @OUT@ --key "pkcs11:token=SM2Token;sm2-decrypt-mechanism=0x80008200?module-path=$SM2P11" --pin-file "$T/pin"
    echo 000000 >"$T/badpin"
    SM2P11_STATE=$T/tries expect_failure 5 "wrong PIN for token 'SM2Token'" \
        "$T/t.p7m" -- decrypt "$T/t.p7m" -o @OUT@ --key "$P11;sm2-decrypt-mechanism=0x80008200" --pin-file "$T/badpin"
    # the holder's check before the opening
    SM2P11_MANUFACTURER=Sansec expect_exit 0 "$SEAL" token --check "$T/t.p7m" --key "$P11" --pin-file "$T/pin"
    grep -q "t.p7m: can be opened: recipient 2, 王五 SM2 加密" "$T/stdout" || { show_output; die "token --check"; }
    # a token holding the other key: exit 5 naming both recipients
    expect_exit 0 "$SEAL" encrypt "$BID" -o "$T/o.p7m" --to "$PKI/enc2.pem"
    SM2P11_MANUFACTURER=Sansec expect_failure 5 "token 'SM2Token' holds no key for .*o.p7m, which was sealed to: issuer CN=SM2 Test Issuing CA,O=SM2 测试 CA,C=CN, serial $ENC2_SERIAL\\. A renewed" \
        "$T/o.p7m" -- decrypt "$T/o.p7m" -o @OUT@ --key "$P11" --pin-file "$T/pin"
}
run_case "SM2 PKCS#11 token: vendor mechanism (table, sm2-decrypt-mechanism=), raw input, refusals" token_p11

token_skf() {
    expect_exit 0 "$SEAL" encrypt "$BID" -o "$T/k.p7m" --to "$PKI/enc.pem"
    export FAKESKF_LOG=$T/skf.log
    expect_exit 0 "$SEAL" decrypt "$T/k.p7m" -o "$T/k.pdf" --key "$SKF" --pin-file "$T/pin"
    same "$BID" "$T/k.pdf"
    grep -qx 'ecc-decrypt rv=0x00000000' "$T/skf.log" || die "SKF_ECCDecrypt not used: $(cat "$T/skf.log")"
    expect_exit 0 "$SEAL" token --check "$T/k.p7m" --key "$SKF" --pin-file "$T/pin"
    grep -q "k.p7m: can be opened: recipient 1, 王五 SM2 加密" "$T/stdout" || { show_output; die "token --check"; }
    FAKESKF_ENC_KEY=$PKI/enc2.key FAKESKF_ENC_CERT=$PKI/enc2.pem expect_failure 5 \
        "SKF container 'SealSign' of application 'SealApp' on device 'FakeKey-1' holds no key for .*k.p7m, which was sealed to: issuer CN=SM2 Test Issuing CA,O=SM2 测试 CA,C=CN, serial $ENC_SERIAL\\." \
        "$T/k.p7m" -- decrypt "$T/k.p7m" -o @OUT@ --key "$SKF" --pin-file "$T/pin"
    FAKESKF_ENC_CERT=$T/none expect_failure 5 "SKF container 'SealSign' of application 'SealApp' on device 'FakeKey-1' has no encryption certificate" \
        "$T/k.p7m" -- decrypt "$T/k.p7m" -o @OUT@ --key "$SKF" --pin-file "$T/pin"
}
run_case "SKF key: SKF_ECCDecrypt with the container's encryption pair; the wrong container: exit 5" token_skf

refusals() {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/ec.key" -out "$T/ec.pem" \
        -subj "/CN=bidder EC encryption" -days 30 -addext keyUsage=critical,keyAgreement 2>/dev/null || die "openssl req"
    expect_failure 5 "the certificate .*signer.pem \\(王五 SM2\\) cannot receive a sealed bid: its key usage has no keyEncipherment, dataEncipherment or keyAgreement: it is an SM2 signing certificate" \
        "$BID" -- encrypt "$BID" -o @OUT@ --to "$PKI/signer.pem"
    expect_failure 2 "the recipients mix SM2 \\(王五 SM2 加密\\) and RSA/EC \\(bidder EC encryption\\) certificates: an SM2 envelope is GM/T 0010 with SM4, the others CMS with AES, and no platform reads a mix; seal the bid once for each kind" \
        "$BID" -- encrypt "$BID" -o @OUT@ --to "$PKI/enc.pem" --to "$T/ec.pem"
}
run_case "SM2 signing certificate refused (exit 5); SM2 and RSA recipients in one envelope refused (exit 2)" refusals

# flip FILE OFFSET OUT: one byte changed
flip() { $PY -c "import sys; d=bytearray(open(sys.argv[1],'rb').read()); o=int(sys.argv[2]); d[o if o>=0 else len(d)+o]^=1; open(sys.argv[3],'wb').write(d)" "$@"; }
offset_of() { $PY -c "import sys; print(open(sys.argv[1],'rb').read().find(bytes.fromhex(sys.argv[2])))" "$@"; }

tampering() {
    local size off
    expect_exit 0 "$SEAL" encrypt "$BID" -o "$T/g.p7m" --to "$PKI/enc.pem" --to "$PKI/enc2.pem"
    size=$(filesize "$T/g.p7m")
    K=(--key "pem:$PKI/enc-all.pem")
    flip "$T/g.p7m" $((size / 2)) "$T/ct.p7m"
    expect_failure 4 "ct.p7m: the envelope is damaged: its HMAC-SM3 does not verify \\(the ciphertext, IV or RecipientInfos were changed\\)" \
        "$T/ct.p7m" -- decrypt "$T/ct.p7m" -o @OUT@ "${K[@]}"
    # the last ciphertext block (its padding)
    flip "$T/g.p7m" $((size - 100)) "$T/pad.p7m"
    expect_failure 4 "its HMAC-SM3 does not verify" "$T/pad.p7m" -- decrypt "$T/pad.p7m" -o @OUT@ "${K[@]}"
    # the IV (after the SM4-CBC OID)
    off=$(offset_of "$T/g.p7m" 06082a811ccf55016802)
    flip "$T/g.p7m" $((off + 14)) "$T/iv.p7m"
    expect_failure 4 "its HMAC-SM3 does not verify" "$T/iv.p7m" -- decrypt "$T/iv.p7m" -o @OUT@ "${K[@]}"
    # the HMAC itself (its last byte sits before the 3 x 2 end-of-contents octets)
    flip "$T/g.p7m" -7 "$T/mac.p7m"
    expect_failure 4 "its HMAC-SM3 does not verify" "$T/mac.p7m" -- decrypt "$T/mac.p7m" -o @OUT@ "${K[@]}"
    # the first recipient's encrypted key (its C2, just before the second recipient)
    off=$(offset_of "$T/g.p7m" "020100")
    off=$($PY -c "import sys; d=open(sys.argv[1],'rb').read(); print(d.find(bytes.fromhex('020100'), $off + 3))" "$T/g.p7m")
    flip "$T/g.p7m" $((off - 4)) "$T/ek.p7m"
    expect_failure 4 "the content key does not decrypt \\(SM2: its hash does not match\\): the envelope is damaged" \
        "$T/ek.p7m" -- decrypt "$T/ek.p7m" -o @OUT@ "${K[@]}"
    # the second recipient's, which this key does not use: the HMAC covers it
    expect_failure 4 "its HMAC-SM3 does not verify" "$T/ek.p7m" -- decrypt "$T/ek.p7m" -o @OUT@ --key "pem:$PKI/enc2-all.pem"
    for cut in 100 $((size / 2)) $((size - 3)); do
        head -c "$cut" "$T/g.p7m" >"$T/cut.p7m"
        expect_failure 4 "the envelope is damaged: truncated" "$T/cut.p7m" -- decrypt "$T/cut.p7m" -o @OUT@ "${K[@]}"
    done
    { cat "$T/g.p7m"; printf 'x'; } >"$T/more.p7m"
    expect_failure 4 "data after the envelope" "$T/more.p7m" -- decrypt "$T/more.p7m" -o @OUT@ "${K[@]}"
    # Botan's side agrees: the changed ciphertext is refused by the independent checker too
    if $PY "$CHECK" decrypt "$T/ct.p7m" "$PKI/enc.key" "$T/x.pdf" >/dev/null 2>"$T/err"; then
        die "envsm2check.py opened a changed envelope"
    fi
    grep -q 'the HMAC-SM3 does not verify' "$T/err" || die "envsm2check.py: $(cat "$T/err")"
}
run_case "tampering: ciphertext, padding, IV, HMAC, encrypted keys, truncation, appended data — exit 4, no output" \
    tampering

batch_opening() {
    mkdir -p "$T/bids"
    for n in a b c; do
        expect_exit 0 "$SEAL" encrypt "$BID" -o "$T/bids/$n.pdf.p7m" --to "$PKI/enc.pem"
    done
    NO_TTY=1 expect_exit 0 "$SEAL" decrypt "$T/bids" -o "$T/open/" --key "p12:$PKI/enc.p12" --jobs 2 \
        --verify --trust "$PKI/root.pem"
    grep -q "seal: 3 decrypted, 0 skipped, 0 failed" "$T/stderr" || { show_output; die "summary"; }
    grep -q "seal: verified: 3 TOTAL-PASSED, 0 TOTAL-FAILED, 0 INDETERMINATE" "$T/stderr" || { show_output; die "verified"; }
    for n in a b c; do same "$BID" "$T/open/$n.pdf"; done
}
run_case "an opening of SM2 bids (parallel, verified)" batch_opening

memory() {
    [ -x /usr/bin/time ] || skip_case "/usr/bin/time not installed"
    ! ldd "$SEAL" 2>/dev/null | grep libasan >/dev/null || skip_case "AddressSanitizer build"
    head -c 32000000 /dev/zero >"$T/big.bin"
    /usr/bin/time -f '%M' -o "$T/rss-enc" "$SEAL" encrypt "$T/big.bin" -o "$T/big.p7m" \
        --to "$PKI/enc.pem" --allow-unsigned 2>/dev/null || die "encrypt"
    /usr/bin/time -f '%M' -o "$T/rss-dec" "$SEAL" decrypt "$T/big.p7m" -o "$T/big.out" \
        --key "pem:$PKI/enc-all.pem" 2>/dev/null || die "decrypt"
    same "$T/big.bin" "$T/big.out"
    note "32 MB bid: RSS encrypt $(cat "$T/rss-enc") KB, decrypt $(cat "$T/rss-dec") KB"
    [ "$(cat "$T/rss-enc")" -lt 40000 ] || die "encrypt RSS $(cat "$T/rss-enc") KB"
    [ "$(cat "$T/rss-dec")" -lt 40000 ] || die "decrypt RSS $(cat "$T/rss-dec") KB"
}
run_case "32 MB bid to SM2: encrypt and decrypt in constant memory (RSS < 40 MB)" memory

finish
