#!/usr/bin/env bash
# GB/T 38540 SES_Signature in PDF (issue 14, part 4): seal sign --format ses
# writes an SES_Signature into /Contents, with a software SM2 key and with
# the test SM2 PKCS#11 token (tests/tools/sm2p11.c). Each file is read by
# the independent reader (tests/tools/esealcheck.py: pyasn1 from the
# standard's ASN.1, Botan for SM2: the signer's signature over TBS_Sign,
# dataHash = SM3 of the ByteRange bytes, the seal inside) and by seal
# verify and seal inspect. The refusals (no e-seal, a key that is not SM2,
# B-LT, the e-seal refusals of --eseal) and tampering (a changed byte, the
# SES_Signature rewritten with another company's, an expired or a forged
# seal, a bad signature value) each give their exact verdict. B-T (the
# [0] time-stamp) is checked in tests/cli/sm2.sh, where the time-stamp
# authority already runs.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
require openssl python3 jq

: "${SM2P11:?SM2P11 must name the test SM2 PKCS#11 module}"
ONE=$FIX/pdf/one.pdf
NAME=某某建设工程有限公司合同专用章
# The independent reader wants pyasn1, cryptography and Botan (Debian's python3).
PY=python3
/usr/bin/python3 -c 'import pyasn1, cryptography, botan2' 2>/dev/null && PY=/usr/bin/python3
"$PY" -c 'import pyasn1, cryptography, botan2' || { echo "python3-pyasn1 or python3-botan not installed (scripts/install-deps)"; exit 1; }

# The SM2 PKI (tests/tools/sm2pki.sh) and a seal maker certified by its
# issuing CA. An SES_Signature carries the signer's certificate only: the
# committee's --trust names the issuing CA with the root.
P=$T/pki
M=$T/maker
bash "$TOOLS/sm2pki.sh" "$P" >"$T/pki.log" 2>&1 || { cat "$T/pki.log"; echo "cannot make the SM2 PKI"; exit 1; }
bash "$TOOLS/sm2maker.sh" "$P" "$M"
cp "$M/makers.pem" "$T/anchors.pem"
SIGNER_SUBJECT='CN=王五 SM2,O=某某建设工程有限公司,C=CN'
PEM=pem:$P/signer-all.pem

issue() {
    local out=$1
    shift
    expect_exit 0 "$SEAL" issue "$FIX/art/company.pdf" -o "$out" --maker-key "pem:$M/maker-all.pem" \
        --valid-from 2026-01-01 --valid-to 2036-01-01 "$@"
}
# G for the SM2 signer; W another company's (it lists another certificate);
# E expired; F seal G with one bit of its picture flipped; R for the RSA
# PKCS#12 signer.
issue "$M/g.esl" --name "$NAME" --holder "$P/signer.pem" --esid ESEAL-G
issue "$M/w.esl" --name 另一公司合同专用章 --holder "$P/noid.pem" --esid ESEAL-W
issue "$M/e.esl" --name "$NAME" --holder "$P/signer.pem" --esid ESEAL-E --valid-from 2020-01-01 \
    --valid-to 2021-01-01
issue "$M/r.esl" --name "$NAME" --holder "$FIX/certs/p12.pem" --esid ESEAL-R
"$PY" - "$M" <<'EOF'
import sys
m = sys.argv[1]
f = bytearray(open(m + "/g.esl", "rb").read())
f[f.index(b"IDAT") + 20] ^= 0x01
open(m + "/f.esl", "wb").write(bytes(f))
EOF

# reader PDF: the independent reader's view of the one SES signature,
# "VERSION|SIG|HASH|MAKER|LISTED|ESID|PROPERTY-IS-BYTERANGE|TIMESTAMP".
reader() {
    run "$PY" "$TOOLS/esealcheck.py" "$1" --signer "$P/signer.pem"
    local br
    br=$(grep -ao '/ByteRange *\[[0-9 ]*\]' "$1" | tail -1 | tr -s ' []' ' ' | sed 's|^/ByteRange \(.*[0-9]\) *$|/ByteRange [\1]|')
    jq -r --arg br "$br" '.[] | select(.kind == "ses") | [.version, .signer_signature, .data_hash_matches,
        .eseal.maker_signature, .eseal.signer_listed, .eseal.esid, (.property == $br), .timestamp]
        | map(tostring) | join("|")' "$T/stdout"
}

# verdict PDF CODE: seal verify --json with the SM2 anchors and the makers'
# CA, exit CODE; prints "INDICATION|SUB|REASON|INTACT".
verdict() {
    expect_exit "$2" "$SEAL" verify "$1" --trust "$T/anchors.pem" --seal-trust "$T/anchors.pem" --require eseal --json
    jq -r '.signatures[0] | [.indication, .subindication, .reason, .intact] | map(tostring) | join("|")' "$T/stdout"
}

case_software_key() {
    expect_exit 0 "$SEAL" sign "$ONE" -o "$T/g.pdf" --key "$PEM" --eseal "$M/g.esl" --page 1 --at 100,100 \
        --format ses
    check_prefix "$ONE" "$T/g.pdf"
    [ "$(reader "$T/g.pdf")" = "4|valid|true|valid|true|ESEAL-G|true|false" ] || { show_output; die "reader: $(reader "$T/g.pdf")"; }
    [ "$RC" = 0 ] || die "the reader exits $RC"
    expect_exit 0 "$SEAL" verify "$T/g.pdf" --trust "$T/anchors.pem" --seal-trust "$T/anchors.pem" \
        --require eseal --json
    [ "$(jq -r '[.indication, (.signatures[0] | .indication, .subfilter, .digest_algorithm, .intact,
         .byte_range_ok, .signer, .changes_after, .seal_kind, .eseal.esid, .eseal.bound, .eseal.picture)]
         | map(tostring) | join("|")' "$T/stdout")" \
        = "TOTAL-PASSED|TOTAL-PASSED|adbe.pkcs7.detached|SM3|true|true|王五 SM2|none|company|ESEAL-G|true|matches" ] \
        || { show_output; die "verify --json"; }
    # The root alone: the issuing CA is nowhere in the file.
    expect_exit 3 "$SEAL" verify "$T/g.pdf" --trust "$P/root.pem" --seal-trust "$T/anchors.pem" --json
    [ "$(jq -r .signatures[0].subindication "$T/stdout")" = NO_CERTIFICATE_CHAIN_FOUND ] || die "root alone"
    expect_exit 0 "$SEAL" inspect "$T/g.pdf"
    for line in "  SES:        GB/T 38540 SES_Signature v4, SM2-with-SM3, signature valid" \
        "  e-seal:     \"$NAME\" (esID ESEAL-G)" "  SES signer: $SIGNER_SUBJECT" "  timeStamp:  none" \
        "  signer:     王五 SM2"; do
        grep -Fxq -- "$line" "$T/stdout" || { show_output; die "inspect lacks: $line"; }
    done
    grep -Eq '^  dataHash:   [0-9A-F]{64}$' "$T/stdout" || die "inspect dataHash"
    grep -Eq '^  property:   /ByteRange \[0 [0-9]+ [0-9]+ [0-9]+\]$' "$T/stdout" || die "inspect property"
    expect_exit 0 "$SEAL" inspect --json "$T/g.pdf"
    [ "$(jq -r '.signatures[0].ses | [.version, .esid, .algorithm, .signature, .timestamp] | map(tostring) | join("|")' \
        "$T/stdout")" = "4|ESEAL-G|SM2-with-SM3|valid|false" ] || { show_output; die "inspect --json"; }
}

case_token() {
    export SM2P11_KEY=$P/signer.key SM2P11_CERT=$P/signer.pem
    export SM2P11_MANUFACTURER="Sansec Technology" SM2P11_MECH=0x80008104 SM2P11_OUTPUT=raw
    printf '123456\n' >"$T/pin"
    expect_exit 0 "$SEAL" sign "$ONE" -o "$T/t.pdf" --key "pkcs11:token=SM2Token;object=sm2sign?module-path=$SM2P11" \
        --pin-file "$T/pin" --eseal "$M/g.esl" --page 1 --at 100,100 --format ses
    [ "$(reader "$T/t.pdf")" = "4|valid|true|valid|true|ESEAL-G|true|false" ] || { show_output; die "reader on the token's file"; }
    [ "$(verdict "$T/t.pdf" 0)" = "TOTAL-PASSED|||true" ] || { show_output; die "verify the token's file"; }
}

case_refusals() {
    expect_exit 2 "$SEAL" sign "$ONE" -o "$T/x.pdf" --key "$PEM" --format ses
    [ "$(head -1 "$T/stderr")" = "seal: --format ses needs --eseal SEAL.esl: a GB/T 38540 signature carries its e-seal" ] \
        || die "no e-seal: $(cat "$T/stderr")"
    expect_exit 2 "$SEAL" sign "$ONE" -o "$T/x.pdf" --key "$PEM" --eseal "$M/g.esl" --page 1 --at 100,100 \
        --format ses --level B-LT --tsa http://127.0.0.1:9/
    [ "$(head -1 "$T/stderr")" = "seal: --format ses goes up to --level B-T (its [0] time-stamp), not B-LT" ] \
        || die "B-LT: $(cat "$T/stderr")"
    expect_exit 2 "$SEAL" sign "$ONE" -o "$T/x.pdf" --key "$PEM" --eseal "$M/g.esl" --page 1 --at 100,100 \
        --format pkcs7
    [ ! -e "$T/x.pdf" ] || die "output after a usage error"
    SEAL_P12_PASSWORD=$(cat "$FIX/p12pass.txt") expect_failure 5 'SM2' "$ONE" -- sign "$ONE" -o @OUT@ \
        --key "p12:$FIX/signer.p12" --eseal "$M/r.esl" --page 1 --at 100,100 --format ses
    [ "$(grep -v '^seal: warning: ' "$T/stderr")" = "seal: an SES signature (--format ses) needs an SM2 key; CN=李四,O=某某建设工程有限公司,C=CN has none" ] \
        || die "RSA key: $(cat "$T/stderr")"
    # The e-seal's own refusals, as with a CMS.
    local who="cannot be used by $SIGNER_SUBJECT"
    for c in "w|e-seal \"另一公司合同专用章\" (esID ESEAL-W) $who: the certificate is not in its certificate list" \
        "e|e-seal \"$NAME\" (esID ESEAL-E) $who: it expired on 2021-01-01T00:00:00Z" \
        "f|e-seal \"$NAME\" (esID ESEAL-G) $who: the seal maker's signature does not verify"; do
        expect_failure 5 'e-seal' "$ONE" -- sign "$ONE" -o @OUT@ --key "$PEM" --eseal "$M/${c%%|*}.esl" \
            --page 1 --at 100,100 --format ses
        [ "$(grep -v '^seal: warning: ' "$T/stderr")" = "seal: ${c#*|}" ] || die "${c%%|*}.esl: $(cat "$T/stderr")"
    done
}

case_tampered() {
    [ -f "$T/g.pdf" ] || skip_case "no signed file"
    # One byte of the covered bytes.
    "$PY" - "$T/g.pdf" "$T/byte.pdf" <<'EOF'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
d[200] ^= 0x01
open(sys.argv[2], "wb").write(bytes(d))
EOF
    [ "$(verdict "$T/byte.pdf" 1)" = "TOTAL-FAILED|HASH_FAILURE|dataHash does not match the signed bytes: the document was changed|false" ] \
        || { show_output; die "a changed byte"; }
    run "$PY" "$TOOLS/esealcheck.py" "$T/byte.pdf"
    [ "$RC" = 1 ] && [ "$(jq -r '.[0].data_hash_matches' "$T/stdout")" = false ] || die "the reader misses the changed byte"
    # The SES_Signature rewritten by the signer's key holder: the same seal
    # (still valid), another company's, an expired one, a forged one.
    local key=$P/signer.key
    "$PY" "$TOOLS/sestamper.py" "$T/g.pdf" "$T/same.pdf" "$key"
    [ "$(verdict "$T/same.pdf" 0)" = "TOTAL-PASSED|||true" ] || { show_output; die "re-signed unchanged"; }
    "$PY" "$TOOLS/sestamper.py" "$T/g.pdf" "$T/w.pdf" "$key" --seal "$M/w.esl"
    [ "$(verdict "$T/w.pdf" 1)" = "TOTAL-FAILED|CHAIN_CONSTRAINTS_FAILURE|e-seal \"另一公司合同专用章\" (esID ESEAL-W): the signer's certificate is not in its certificate list|true" ] \
        || { show_output; die "another company's seal"; }
    [ "$(reader "$T/w.pdf")" = "4|valid|true|valid|false|ESEAL-W|true|false" ] || die "reader on the swapped seal"
    "$PY" "$TOOLS/sestamper.py" "$T/g.pdf" "$T/e.pdf" "$key" --seal "$M/e.esl"
    [ "$(verdict "$T/e.pdf" 1)" = "TOTAL-FAILED|EXPIRED|e-seal \"$NAME\" (esID ESEAL-E): signed after it expired on 2021-01-01T00:00:00Z|true" ] \
        || { show_output; die "an expired seal"; }
    "$PY" "$TOOLS/sestamper.py" "$T/g.pdf" "$T/f.pdf" "$key" --seal "$M/f.esl"
    [ "$(verdict "$T/f.pdf" 1)" = "TOTAL-FAILED|SIG_CRYPTO_FAILURE|e-seal \"$NAME\" (esID ESEAL-G): the seal maker's signature does not verify|true" ] \
        || { show_output; die "a forged seal"; }
    "$PY" "$TOOLS/sestamper.py" "$T/g.pdf" "$T/v.pdf" "$key" --flip-value
    [ "$(verdict "$T/v.pdf" 1)" = "TOTAL-FAILED|SIG_CRYPTO_FAILURE|the signature value does not verify with the signer's certificate|false" ] \
        || { show_output; die "a bad signature value"; }
    local got
    got=$(reader "$T/v.pdf")
    [ "$got" = "4|invalid|true|valid|true|ESEAL-G|true|false" ] \
        || die "reader on the bad value: $got ($(head -c 600 "$T/stdout" "$T/stderr" | tr '\n' ' '))"
}

run_case "a software SM2 key: the reader, verify and inspect" case_software_key
run_case "the SM2 PKCS#11 token (raw r||s out)" case_token
run_case "refusals: no e-seal, B-LT, an RSA key, the e-seal's own (exit 2, 5)" case_refusals
run_case "tampering: a byte, another's seal, expired, forged, a bad value" case_tampered
finish
