#!/usr/bin/env bash
# Sealed bids (issue 15): seal encrypt / seal decrypt / seal token --check.
# Interop both ways with `openssl cms` and with an independent envelope
# implementation (tests/tools/envcheck.py, RFC-based, python3-cryptography
# primitives), on RSA-OAEP and ECDH; SoftHSM2 tokens with RSA and EC
# encryption keys (a token holding a recovered older key opens old and new
# bids, a renewed token without it gives exit 5 naming the recipient);
# tampering and truncation (exit code, no output file); batch decryption
# with verification; the time-stamp receipt; memory on a 32 MB bid.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
require openssl python3 softhsm2-util pkcs11-tool cmp

export SEAL_P12_PASSWORD
SEAL_P12_PASSWORD=$(cat "$FIX/p12pass.txt")
M=$SOFTHSM2_MODULE
E=$T/e

# ---------------------------------------------------------------- set-up (once)
# A CA, encryption certificates (an old RSA one, its renewal, an EC one),
# a signing certificate, and two tokens of our own: BidToken holds the new
# RSA key, the EC key and the old RSA key recovered onto it (imported, as a
# key management centre does); RenewedToken holds only the new RSA key.
mkdir -p "$E/tok"
cat >"$E/hsm.conf" <<EOF
directories.tokendir = $E/tok
objectstore.backend = file
log.level = ERROR
EOF
cat >"$E/ext.cnf" <<'EOF'
[enc_rsa]
keyUsage = critical,keyEncipherment
subjectKeyIdentifier = hash
[enc_ec]
keyUsage = critical,keyAgreement
subjectKeyIdentifier = hash
[sign]
keyUsage = critical,digitalSignature,nonRepudiation
EOF
(
    cd "$E"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
        -subj "/CN=Test Encryption CA" -days 3650 2>/dev/null
    mkcert() { # NAME KEYSPEC EXT CN
        openssl req -new -newkey "$2" -nodes -keyout "$1.key" -out "$1.csr" -subj "/O=Bidder Co/CN=$4" 2>/dev/null
        openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 400 \
            -extfile ext.cnf -extensions "$3" -out "$1.pem" 2>/dev/null
        openssl pkcs8 -topk8 -nocrypt -in "$1.key" -out "$1.p8"
        openssl x509 -in "$1.pem" -outform DER -out "$1.der"
    }
    mkcert rsaold rsa:2048 enc_rsa "bidder encryption 2025"
    mkcert rsanew rsa:2048 enc_rsa "bidder encryption 2026"
    mkcert ecenc ec:<(openssl ecparam -name prime256v1) enc_ec "bidder EC encryption"
    mkcert signer rsa:2048 sign "bidder signing"
    openssl pkey -in ecenc.key -outform DER -out ecenc.keyder
) || { echo "envelope: cannot make the test PKI"; exit 1; }
hsm() { SOFTHSM2_CONF=$E/hsm.conf "$@"; }
p11() { hsm pkcs11-tool --module "$M" --token-label "$1" --login --pin 123456 "${@:2}" >/dev/null 2>&1; }
put_rsa() { # TOKEN NAME ID
    hsm softhsm2-util --import "$E/$2.p8" --token "$1" --label "$2" --id "$3" --pin 123456 >/dev/null
    p11 "$1" --write-object "$E/$2.der" --type cert --id "$3" --label "$2"
}
for tok in BidToken RenewedToken; do
    hsm softhsm2-util --init-token --free --label "$tok" --pin 123456 --so-pin 12345678 >/dev/null
done
put_rsa BidToken rsanew 21
put_rsa BidToken rsaold 20
p11 BidToken --write-object "$E/ecenc.keyder" --type privkey --id 22 --label ecenc --usage-derive
p11 BidToken --write-object "$E/ecenc.der" --type cert --id 22 --label ecenc
put_rsa RenewedToken rsanew 21
KEY_BID="pkcs11:token=BidToken?module-path=$M"
KEY_RENEWED="pkcs11:token=RenewedToken?module-path=$M"
export SEAL_PIN=123456

# The bid: a PDF signed with the fixture PKCS#12 signer.
"$SEAL" sign "$FIX/pdf/one.pdf" -o "$E/bid.pdf" --key "$KEY_P12" --chain "$FIX/chain.pem" 2>/dev/null \
    || { echo "envelope: cannot sign the test bid"; exit 1; }
head -c 3000001 /dev/urandom >"$E/blob.bin"

# seal with the tokens of ours
SD=(env "SOFTHSM2_CONF=$E/hsm.conf" "$SEAL")
same() { cmp -s "$1" "$2" || die "$2 differs from $1"; }

# ---------------------------------------------------------------- encrypt, and who can read it
encrypt_interop_openssl() {
    expect_exit 0 "$SEAL" encrypt "$E/bid.pdf" -o "$T/b.p7m" --to "$E/rsanew.pem" --to "$E/ecenc.pem"
    grep -q 'sealed to 2 recipients' "$T/stderr" || { show_output; die "no recipient summary"; }
    openssl cms -decrypt -binary -inform DER -in "$T/b.p7m" -recip "$E/rsanew.pem" \
        -inkey "$E/rsanew.key" -out "$T/o-rsa.pdf" || die "openssl cannot open the RSA-OAEP recipient"
    same "$E/bid.pdf" "$T/o-rsa.pdf"
    openssl cms -decrypt -binary -inform DER -in "$T/b.p7m" -recip "$E/ecenc.pem" \
        -inkey "$E/ecenc.key" -out "$T/o-ec.pdf" || die "openssl cannot open the ECDH recipient"
    same "$E/bid.pdf" "$T/o-ec.pdf"
    openssl cms -cmsout -print -inform DER -in "$T/b.p7m" >"$T/print" 2>/dev/null
    for want in id-smime-ct-authEnvelopedData aes-256-gcm rsaesOaep dhSinglePass-stdDH-sha256kdf-scheme id-aes256-wrap; do
        grep -q "$want" "$T/print" || die "the envelope has no $want"
    done
}
run_case "encrypt: AuthEnvelopedData AES-256-GCM, RSA-OAEP-SHA256 + ECDH, opened by openssl cms" \
    encrypt_interop_openssl

encrypt_interop_python() {
    expect_exit 0 "$SEAL" encrypt "$E/bid.pdf" -o "$T/b.p7m" --to "$E/rsanew.pem" --to "$E/ecenc.pem"
    python3 "$TOOLS/envcheck.py" decrypt "$T/b.p7m" "$E/rsanew.key" "$E/rsanew.pem" "$T/p-rsa.pdf" >"$T/how" \
        || die "envcheck.py cannot open the RSA recipient"
    grep -q 'authEnvelopedData aes256-GCM RSAES-OAEP-SHA256' "$T/how" || die "envcheck: $(cat "$T/how")"
    same "$E/bid.pdf" "$T/p-rsa.pdf"
    python3 "$TOOLS/envcheck.py" decrypt "$T/b.p7m" "$E/ecenc.key" "$E/ecenc.pem" "$T/p-ec.pdf" >"$T/how" \
        || die "envcheck.py cannot open the EC recipient"
    grep -q 'ECDH-stdDH-sha256kdf' "$T/how" || die "envcheck: $(cat "$T/how")"
    same "$E/bid.pdf" "$T/p-ec.pdf"
}
run_case "encrypt: opened by the independent envelope checker (RSA-OAEP, ECDH)" encrypt_interop_python

encrypt_cbc() {
    expect_exit 0 "$SEAL" encrypt "$E/bid.pdf" -o "$T/c.p7m" --to "$E/ecenc.pem" --cbc
    openssl cms -decrypt -binary -inform DER -in "$T/c.p7m" -recip "$E/ecenc.pem" \
        -inkey "$E/ecenc.key" -out "$T/o.pdf" || die "openssl cannot open the CBC envelope"
    same "$E/bid.pdf" "$T/o.pdf"
    expect_exit 0 "$SEAL" inspect "$T/c.p7m"
    grep -q 'CMS EnvelopedData, AES-256-CBC,' "$T/stdout" || { show_output; die "inspect"; }
    # CBC carries no tag: decrypting always verifies the signed PDF inside.
    expect_exit 3 "${SD[@]}" decrypt "$T/c.p7m" -o "$T/d.pdf" --key "$KEY_BID"
    grep -q 'verify INDETERMINATE.*CBC envelope without a tag: its integrity is the signatures' "$T/stderr" \
        || { show_output; die "no verification of the CBC bid"; }
    expect_exit 0 "${SD[@]}" decrypt "$T/c.p7m" -o "$T/d2.pdf" --key "$KEY_BID" --verify --trust "$FIX/ca/root.pem"
    grep -q 'verify TOTAL-PASSED' "$T/stderr" || { show_output; die "not TOTAL-PASSED"; }
    same "$E/bid.pdf" "$T/d2.pdf"
}
run_case "encrypt --cbc: EnvelopedData AES-256-CBC, verified after decrypting" encrypt_cbc

encrypt_refusals() {
    expect_failure 5 "cannot receive a sealed bid: its key usage has no keyEncipherment: it is a signing certificate" \
        "$E/bid.pdf" -- encrypt "$E/bid.pdf" -o @OUT@ --to "$E/signer.pem"
    expect_failure 4 "carries no signature: seal it first" \
        "$FIX/pdf/one.pdf" -- encrypt "$FIX/pdf/one.pdf" -o @OUT@ --to "$E/rsanew.pem"
    expect_failure 4 "not a PDF.*--allow-unsigned" \
        "$E/blob.bin" -- encrypt "$E/blob.bin" -o @OUT@ --to "$E/rsanew.pem"
    expect_failure 4 "is not a certificate" \
        "$E/bid.pdf" -- encrypt "$E/bid.pdf" -o @OUT@ --to "$E/bid.pdf"
    expect_exit 2 "$SEAL" encrypt "$E/bid.pdf" -o "$T/x.p7m"
    grep -q '^seal: no recipient given' "$T/stderr" || { show_output; die "usage message"; }
    expect_exit 0 "$SEAL" encrypt "$E/blob.bin" -o "$T/blob.p7m" --to "$E/rsanew.pem" --allow-unsigned
    # expiry before the opening: a warning, exit 0
    expect_exit 0 "$SEAL" encrypt "$E/bid.pdf" -o "$T/w.p7m" --to "$E/rsanew.pem" --opening 2099-01-01T09:00:00+08:00
    grep -q '^seal: warning: the encryption certificate of bidder encryption 2026 expires on .*before the opening on 2099-01-01' \
        "$T/stderr" || { show_output; die "no warning for the opening date"; }
}
run_case "encrypt: signing certificate, unsigned input, not a certificate refused; --opening warns" \
    encrypt_refusals

encrypt_token_certs() {
    # the fixture token: its encryption certificate by URI, or every one with `--to token`
    expect_exit 0 "$SEAL" encrypt "$E/bid.pdf" -o "$T/t.p7m" --to "$KEY_ENCRYPTION"
    expect_exit 0 "$SEAL" encrypt "$E/bid.pdf" -o "$T/t2.p7m" --to token --key "$KEY_COMPANY"
    grep -q 'sealed to 1 recipient:' "$T/stderr" || { show_output; die "--to token took a signing certificate"; }
    expect_failure 5 "cannot receive a sealed bid.*signing certificate" \
        "$E/bid.pdf" -- encrypt "$E/bid.pdf" -o @OUT@ --to "$KEY_COMPANY"
    expect_exit 0 "$SEAL" decrypt "$T/t.p7m" -o "$T/t.pdf" --key "$KEY_ENCRYPTION" --pin-file "$FIX/pin.txt"
    same "$E/bid.pdf" "$T/t.pdf"
    expect_exit 0 "$SEAL" decrypt "$T/t2.p7m" -o "$T/t2.pdf" --key "pkcs11:token=SealToken?module-path=$M" \
        --pin-file "$FIX/pin.txt"
    same "$E/bid.pdf" "$T/t2.pdf"
}
run_case "encrypt --to pkcs11:URI and --to token (fixture token), decrypt on it" encrypt_token_certs

# ---------------------------------------------------------------- decrypt what others made
decrypt_openssl() {
    openssl cms -encrypt -binary -aes-256-gcm -in "$E/bid.pdf" -outform DER -out "$T/r.p7m" \
        -recip "$E/rsanew.pem" -keyopt rsa_padding_mode:oaep -keyopt rsa_oaep_md:sha256 \
        -keyopt rsa_mgf1_md:sha256 || die "openssl cms -encrypt (RSA-OAEP)"
    expect_exit 0 "${SD[@]}" decrypt "$T/r.p7m" -o "$T/r.pdf" --key "$KEY_BID"
    same "$E/bid.pdf" "$T/r.pdf"
    openssl cms -encrypt -binary -stream -aes-256-gcm -in "$E/bid.pdf" -outform DER -out "$T/e.p7m" \
        -recip "$E/ecenc.pem" || die "openssl cms -encrypt (ECDH)"
    expect_exit 0 "${SD[@]}" decrypt "$T/e.p7m" -o "$T/e.pdf" --key "$KEY_BID"
    same "$E/bid.pdf" "$T/e.pdf"
    openssl cms -encrypt -binary -aes-256-cbc -in "$E/bid.pdf" -outform DER -out "$T/v.p7m" \
        -recip "$E/rsaold.pem" -keyopt rsa_padding_mode:oaep || die "openssl cms -encrypt (OAEP-SHA1, CBC)"
    expect_exit 0 "${SD[@]}" decrypt "$T/v.p7m" -o "$T/v.pdf" --key "$KEY_BID" --verify --trust "$FIX/ca/root.pem"
    same "$E/bid.pdf" "$T/v.pdf"
}
run_case "decrypt: openssl cms envelopes (RSA-OAEP SHA-256 and SHA-1, ECDH, GCM and CBC) on the token" \
    decrypt_openssl

decrypt_python() {
    python3 "$TOOLS/envcheck.py" encrypt "$E/bid.pdf" "$T/py.p7m" "$E/rsanew.pem" "$E/ecenc.pem" \
        || die "envcheck.py encrypt"
    expect_exit 0 "${SD[@]}" decrypt "$T/py.p7m" -o "$T/py.pdf" --key "$KEY_BID"
    same "$E/bid.pdf" "$T/py.pdf"
    python3 "$TOOLS/envcheck.py" encrypt "$E/bid.pdf" "$T/pye.p7m" "$E/ecenc.pem" || die "envcheck.py encrypt"
    expect_exit 0 "${SD[@]}" decrypt "$T/pye.p7m" -o "$T/pye.pdf" --key "$KEY_BID"
    same "$E/bid.pdf" "$T/pye.pdf"
}
run_case "decrypt: envelopes of the independent implementation (RSA-OAEP, ECDH)" decrypt_python

# ---------------------------------------------------------------- keys kept, recovered, renewed
recovered_and_renewed() {
    expect_exit 0 "$SEAL" encrypt "$E/bid.pdf" -o "$T/old.p7m" --to "$E/rsaold.pem"
    expect_exit 0 "$SEAL" encrypt "$E/bid.pdf" -o "$T/new.p7m" --to "$E/rsanew.pem"
    # the token holding the recovered older key opens both
    expect_exit 0 "${SD[@]}" decrypt "$T/old.p7m" -o "$T/old.pdf" --key "$KEY_BID"
    same "$E/bid.pdf" "$T/old.pdf"
    expect_exit 0 "${SD[@]}" decrypt "$T/new.p7m" -o "$T/new.pdf" --key "$KEY_BID"
    same "$E/bid.pdf" "$T/new.pdf"
    expect_exit 0 "${SD[@]}" token --check "$T/old.p7m" "$T/new.p7m" --key "$KEY_BID"
    grep -q "old.p7m: can be opened: recipient 1, bidder encryption 2025" "$T/stdout" || { show_output; die "check"; }
    # the renewed token without it: exit 5, the recipient named, the advice given
    local serial
    serial=$(openssl x509 -in "$E/rsaold.pem" -noout -serial | cut -d= -f2)
    expect_exit 5 "${SD[@]}" decrypt "$T/old.p7m" -o "$T/none.pdf" --key "$KEY_RENEWED"
    expect_msg "token 'RenewedToken' holds no key for .*old.p7m, which was sealed to: issuer CN=Test Encryption CA, serial $serial\\. A renewed certificate cannot open a bid sealed to its predecessor: ask the CA for key recovery"
    [ ! -e "$T/none.pdf" ] || die "an output after exit 5"
    expect_exit 5 "${SD[@]}" token --check "$T/old.p7m" "$T/new.p7m" --key "$KEY_RENEWED"
    grep -q "old.p7m: CANNOT be opened: .*serial $serial" "$T/stdout" || { show_output; die "check old"; }
    grep -q "new.p7m: can be opened" "$T/stdout" || { show_output; die "check new"; }
    grep -q "1 of 2 bids can be opened" "$T/stderr" || { show_output; die "check summary"; }
}
run_case "a recovered older key opens old bids; a renewed token without it: exit 5 naming the recipient" \
    recovered_and_renewed

pin_rules() {
    expect_exit 0 "$SEAL" encrypt "$E/bid.pdf" -o "$T/p.p7m" --to "$E/rsanew.pem"
    SEAL_PIN=654321 expect_exit 5 "${SD[@]}" decrypt "$T/p.p7m" -o "$T/p.pdf" --key "$KEY_BID"
    expect_msg "wrong PIN for token 'BidToken'"
    [ ! -e "$T/p.pdf" ] || die "output after a wrong PIN"
    SEAL_PIN=654321 expect_exit 5 "${SD[@]}" token --check "$T/p.p7m" --key "$KEY_BID"
    expect_msg "wrong PIN for token 'BidToken'"
}
run_case "wrong PIN: exit 5, nothing written, as for signing" pin_rules

# The fault-injecting token: a locked PIN, the final try, a wrong PIN at an
# opening of many bids — exit 5 and at most one C_Login, as for signing.
fake_token() {
    local mode re
    [ -n "$FAKEP11" ] && [ -f "$FAKEP11" ] || die "FAKEP11 module not built"
    expect_exit 0 "$SEAL" encrypt "$E/bid.pdf" -o "$T/f.p7m" --to "$E/rsanew.pem"
    cp "$T/f.p7m" "$T/g.p7m"
    for mode in locked finaltry; do
        case $mode in locked) re='locked' ;; finaltry) re='final' ;; esac
        : >"$T/fake.log"
        FAKEP11_MODE=$mode FAKEP11_LOG=$T/fake.log SEAL_PIN=000000 expect_failure 5 "$re" "$T/f.p7m" \
            -- decrypt "$T/f.p7m" -o @OUT@ --key "pkcs11:token=FakeToken?module-path=$FAKEP11"
        [ "$(grep -c '^C_Login' "$T/fake.log" || true)" -le 1 ] || die "C_Login retried: $(cat "$T/fake.log")"
    done
    : >"$T/fake.log"
    FAKEP11_LOG=$T/fake.log SEAL_PIN=000000 NO_TTY=1 expect_exit 5 "$SEAL" decrypt "$T/f.p7m" "$T/g.p7m" \
        -o "$T/fout/" --key "pkcs11:token=FakeToken?module-path=$FAKEP11" --jobs 2
    [ "$(grep -c '^C_Login' "$T/fake.log")" = 1 ] || die "one login for the batch: $(cat "$T/fake.log")"
    [ ! -e "$T/fout" ] || [ -z "$(ls -A "$T/fout")" ] || die "written after a wrong PIN"
}
run_case "locked token, final try, wrong PIN for a batch: exit 5, one C_Login at most" fake_token

# ---------------------------------------------------------------- tampering
# flip FILE OFFSET OUT: one byte changed
flip() { python3 -c "import sys; d=bytearray(open(sys.argv[1],'rb').read()); o=int(sys.argv[2]); d[o if o>=0 else len(d)+o]^=1; open(sys.argv[3],'wb').write(d)" "$@"; }
# offset of the first occurrence of a byte string given in hex
offset_of() { python3 -c "import sys; print(open(sys.argv[1],'rb').read().find(bytes.fromhex(sys.argv[2])))" "$@"; }

tampering() {
    local ser off size
    expect_exit 0 "$SEAL" encrypt "$E/bid.pdf" -o "$T/other.p7m" --to "$KEY_ENCRYPTION"
    export SOFTHSM2_CONF=$E/hsm.conf
    expect_exit 0 "$SEAL" encrypt "$E/bid.pdf" -o "$T/g.p7m" --to "$E/rsanew.pem"
    expect_exit 0 "$SEAL" encrypt "$E/bid.pdf" -o "$T/ge.p7m" --to "$E/ecenc.pem"
    size=$(filesize "$T/g.p7m")
    flip "$T/g.p7m" $((size / 2)) "$T/ct.p7m"
    expect_failure 4 "the envelope is damaged: the authentication tag does not verify" "$T/ct.p7m" \
        -- decrypt "$T/ct.p7m" -o @OUT@ --key "$KEY_BID"
    flip "$T/g.p7m" -10 "$T/tag.p7m"
    expect_failure 4 "the authentication tag does not verify" "$T/tag.p7m" -- decrypt "$T/tag.p7m" -o @OUT@ --key "$KEY_BID"
    # the RecipientInfo: its encrypted key (the last byte before the content info)...
    off=$(offset_of "$T/g.p7m" 06092a864886f70d010701)
    flip "$T/g.p7m" $((off - 4)) "$T/ek.p7m"
    expect_failure 4 "the content key does not unwrap" "$T/ek.p7m" -- decrypt "$T/ek.p7m" -o @OUT@ --key "$KEY_BID"
    # ... its serial number (no recipient is this token's any more: exit 5) ...
    ser=$(openssl x509 -in "$E/rsanew.pem" -noout -serial | cut -d= -f2)
    off=$(offset_of "$T/g.p7m" "$ser")
    flip "$T/g.p7m" $((off + 3)) "$T/ser.p7m"
    expect_failure 5 "holds no key for" "$T/ser.p7m" -- decrypt "$T/ser.p7m" -o @OUT@ --key "$KEY_BID"
    # ... the ephemeral ECDH key, and the wrapped key of a kari
    off=$(offset_of "$T/ge.p7m" 034200)
    flip "$T/ge.p7m" $((off + 20)) "$T/epk.p7m"
    expect_failure 4 "damaged" "$T/epk.p7m" -- decrypt "$T/epk.p7m" -o @OUT@ --key "$KEY_BID"
    off=$(offset_of "$T/ge.p7m" 06092a864886f70d010701)
    flip "$T/ge.p7m" $((off - 4)) "$T/wk.p7m"
    expect_failure 4 "AES key wrap integrity check failed" "$T/wk.p7m" -- decrypt "$T/wk.p7m" -o @OUT@ --key "$KEY_BID"
    # the GCM nonce
    off=$(offset_of "$T/g.p7m" 060960864801650304012e)
    flip "$T/g.p7m" $((off + 15)) "$T/iv.p7m"
    expect_failure 4 "the authentication tag does not verify" "$T/iv.p7m" -- decrypt "$T/iv.p7m" -o @OUT@ --key "$KEY_BID"
    # truncation, anywhere
    for cut in 100 $((size / 2)) $((size - 3)); do
        head -c "$cut" "$T/g.p7m" >"$T/cut.p7m"
        expect_failure 4 "the envelope is damaged: truncated" "$T/cut.p7m" -- decrypt "$T/cut.p7m" -o @OUT@ --key "$KEY_BID"
    done
    # data appended
    { cat "$T/g.p7m"; printf 'x'; } >"$T/more.p7m"
    expect_failure 4 "data after the envelope" "$T/more.p7m" -- decrypt "$T/more.p7m" -o @OUT@ --key "$KEY_BID"
    # a wrong recipient: sealed to someone else
    expect_failure 5 "token 'BidToken' holds no key" "$T/other.p7m" -- decrypt "$T/other.p7m" -o @OUT@ --key "$KEY_BID"
    # not an envelope at all
    expect_failure 4 "bid.pdf is not a sealed bid \\(not a CMS envelope\\)" "$E/bid.pdf" -- decrypt "$E/bid.pdf" -o @OUT@ --key "$KEY_BID"
}
run_case "tampering: ciphertext, tag, RecipientInfo, nonce, truncation, wrong recipient — exit code, no output" \
    tampering

# ---------------------------------------------------------------- inspect, receipt
inspect_envelope() {
    expect_exit 0 "$SEAL" encrypt "$E/bid.pdf" -o "$T/i.p7m" --to "$E/rsanew.pem" --to "$E/ecenc.pem"
    expect_exit 0 "$SEAL" inspect "$T/i.p7m"
    grep -q "sealed bid, CMS AuthEnvelopedData, AES-256-GCM (authenticated), $(filesize "$T/i.p7m") bytes ($(filesize "$E/bid.pdf") of ciphertext), 2 recipients" \
        "$T/stdout" || { show_output; die "inspect summary"; }
    grep -q "recipient 1: issuer CN=Test Encryption CA, serial .*, RSAES-OAEP-SHA256" "$T/stdout" || { show_output; die "ktri"; }
    grep -q "recipient 2: issuer CN=Test Encryption CA, serial .*, ECDH-SHA256KDF-AES256-WRAP" "$T/stdout" || { show_output; die "kari"; }
    grep -q "receipt: none" "$T/stdout" || die "receipt line"
    expect_exit 0 "$SEAL" inspect --json "$T/i.p7m"
    python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['type']=='AuthEnvelopedData' and len(d['recipients'])==2 and d['recipients'][1]['kind']=='kari', d" "$T/stdout" \
        || die "inspect --json"
}
run_case "inspect BID.p7m: recipients, algorithms, sizes" inspect_envelope

receipt() {
    # shellcheck source=tests/tools/ltvctl.sh
    . "$TOOLS/ltvctl.sh"
    ltv_start "$T/ltv"
    expect_exit 0 "$SEAL" encrypt "$E/bid.pdf" -o "$T/r.p7m" --to "$E/rsanew.pem" --tsa "$LTV_TSA_URL"
    [ -s "$T/r.p7m.tsr" ] || die "no receipt"
    openssl ts -verify -token_in -in "$T/r.p7m.tsr" -data "$T/r.p7m" -CAfile "$LTV_ROOT" \
        -untrusted "$LTV_CHAIN" >/dev/null 2>&1 || die "openssl ts does not verify the receipt"
    expect_exit 0 "$SEAL" inspect "$T/r.p7m"
    grep -q "receipt: .*r.p7m.tsr, time-stamp .* matches the envelope" "$T/stdout" || { show_output; die "receipt"; }
    flip "$T/r.p7m" $(($(filesize "$T/r.p7m") / 2)) "$T/r2.p7m"
    cp "$T/r.p7m.tsr" "$T/r2.p7m.tsr"
    expect_exit 4 "$SEAL" inspect "$T/r2.p7m"
    grep -q "DOES NOT match" "$T/stdout" || { show_output; die "a receipt of other bytes passed"; }
    # an SM2 envelope (GM/T 0010, written by envsm2.c) gets its receipt the same way
    openssl genpkey -algorithm SM2 -out "$T/sm2.key" 2>/dev/null
    openssl req -x509 -new -key "$T/sm2.key" -sm3 -sigopt distid:1234567812345678 -subj "/CN=SM2 bidder" \
        -days 30 -addext keyUsage=critical,keyEncipherment -out "$T/sm2.pem" 2>/dev/null || die "SM2 certificate"
    expect_exit 0 "$SEAL" encrypt "$E/bid.pdf" -o "$T/s.p7m" --to "$T/sm2.pem" --tsa "$LTV_TSA_URL"
    openssl ts -verify -token_in -in "$T/s.p7m.tsr" -data "$T/s.p7m" -CAfile "$LTV_ROOT" \
        -untrusted "$LTV_CHAIN" >/dev/null 2>&1 || die "openssl ts does not verify the SM2 envelope's receipt"
    expect_exit 0 "$SEAL" inspect "$T/s.p7m"
    grep -q "receipt: .*s.p7m.tsr, time-stamp .* matches the envelope" "$T/stdout" || { show_output; die "SM2 receipt"; }
    ltv_down tsa
    expect_exit 6 "$SEAL" encrypt "$E/bid.pdf" -o "$T/n.p7m" --to "$E/rsanew.pem" --tsa "$LTV_TSA_URL"
    expect_msg "was sealed, but no receipt"
    ltv_up tsa
}
run_case "--tsa: an RFC 3161 receipt over the envelope's hash (CMS and SM2), checked by inspect and openssl ts" receipt

# ---------------------------------------------------------------- an opening: many bids
batch_opening() {
    mkdir -p "$T/bids"
    for n in a b c; do
        expect_exit 0 "$SEAL" encrypt "$E/bid.pdf" -o "$T/bids/$n.pdf.p7m" --to "$E/rsanew.pem"
    done
    expect_exit 0 "$SEAL" encrypt "$E/bid.pdf" -o "$T/bids/d.pdf.p7m" --to "$E/ecenc.pem" --cbc
    NO_TTY=1 expect_exit 0 "${SD[@]}" decrypt "$T/bids" -o "$T/open/" --key "$KEY_BID" --jobs 2 \
        --verify --trust "$FIX/ca/root.pem" --json-log "$T/log.jsonl"
    grep -q "seal: 4 decrypted, 0 skipped, 0 failed" "$T/stderr" || { show_output; die "summary"; }
    grep -q "seal: verified: 4 TOTAL-PASSED, 0 TOTAL-FAILED, 0 INDETERMINATE" "$T/stderr" || { show_output; die "verified"; }
    for n in a b c d; do same "$E/bid.pdf" "$T/open/$n.pdf"; done
    [ "$(grep -c '"check_exit_code":0' "$T/log.jsonl")" = 4 ] || die "json log: $(cat "$T/log.jsonl")"
    # resume: nothing done twice
    rm "$T/open/b.pdf"
    NO_TTY=1 expect_exit 0 "${SD[@]}" decrypt "$T"/bids/*.p7m -o "$T/open/" --key "$KEY_BID" --resume
    grep -q "seal: 1 decrypted, 3 skipped, 0 failed" "$T/stderr" || { show_output; die "resume"; }
    # a damaged bid among them: the others are opened, the exit code tells
    flip "$T/bids/a.pdf.p7m" -10 "$T/bids/a.pdf.p7m"
    NO_TTY=1 expect_exit 4 "${SD[@]}" decrypt "$T/bids" -o "$T/open2/" --key "$KEY_BID"
    grep -q "seal: 3 decrypted, 0 skipped, 1 failed" "$T/stderr" || { show_output; die "damaged one"; }
    [ ! -e "$T/open2/a.pdf" ] || die "the damaged bid was written"
    # a wrong PIN: one login, nothing written
    SEAL_PIN=000000 NO_TTY=1 expect_exit 5 "${SD[@]}" decrypt "$T/bids" -o "$T/open3/" --key "$KEY_BID"
    [ ! -e "$T/open3" ] || [ -z "$(ls -A "$T/open3")" ] || die "written after a wrong PIN"
}
run_case "seal decrypt DIR -o OUTDIR/: parallel, summary with verification, resume, damaged bid, wrong PIN" \
    batch_opening

# ---------------------------------------------------------------- constant memory
memory() {
    [ -x /usr/bin/time ] || skip_case "/usr/bin/time not installed"
    # A sanitizer build's quarantine and shadow memory say nothing of ours.
    ! ldd "$SEAL" 2>/dev/null | grep libasan >/dev/null || skip_case "AddressSanitizer build"
    head -c 32000000 /dev/zero >"$T/big.bin"
    /usr/bin/time -f '%M' -o "$T/rss-enc" "$SEAL" encrypt "$T/big.bin" -o "$T/big.p7m" \
        --to "$E/rsanew.pem" --allow-unsigned 2>/dev/null || die "encrypt"
    SOFTHSM2_CONF=$E/hsm.conf /usr/bin/time -f '%M' -o "$T/rss-dec" "$SEAL" decrypt "$T/big.p7m" \
        -o "$T/big.out" --key "$KEY_BID" 2>/dev/null || die "decrypt"
    same "$T/big.bin" "$T/big.out"
    note "32 MB bid: RSS encrypt $(cat "$T/rss-enc") KB, decrypt $(cat "$T/rss-dec") KB"
    [ "$(cat "$T/rss-enc")" -lt 40000 ] || die "encrypt RSS $(cat "$T/rss-enc") KB"
    [ "$(cat "$T/rss-dec")" -lt 40000 ] || die "decrypt RSS $(cat "$T/rss-dec") KB"
}
run_case "32 MB bid: encrypt and decrypt in constant memory (RSS < 40 MB)" memory

finish
