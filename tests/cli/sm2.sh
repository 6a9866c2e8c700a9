#!/usr/bin/env bash
# SM2/SM3 signatures (issue 14 parts 1-2) with software keys, on an SM2 PKI
# made by tests/tools/sm2pki.sh:
#   - sign with a PKCS#12 and a PEM SM2 key, ETSI.CAdES.detached by default
#     and adbe.pkcs7.detached on request: SM3 over the ByteRange, SignedData
#     with sm3 / SM2-with-SM3, signing-certificate-v2 with SM3; seal verify
#     --trust sm2root is TOTAL-PASSED; a changed byte is TOTAL-FAILED;
#   - our SM2 CMS verified by BouncyCastle (tests/tools/Sm2Bc.java) and the
#     SignerInfo by Botan (tests/tools/sm2botan.py); a CMS BouncyCastle made
#     (RFC 5652 and GM/T 0010 content types) verified by us;
#   - the flavours seen in the wild: raw r||s, non-minimal DER, GM/T 0010
#     identifiers — verified, the first two flagged; signed attributes in
#     BER verified over the bytes as received;
#   - chains: SM2 root > SM2 issuing CA > signer (the ID on every link), an
#     RSA root issuing an SM2 signer (accepted), a certificate signed over
#     the empty ID (refused: certificate signature failure);
#   - CRLs signed with SM2 by the issuing CA (good, revoked, forged);
#   - B-T with an SM2 signer (RSA time-stamp authority), as a CMS and as a
#     GB/T 38540 SES_Signature (--format ses) with its [0] time-stamp.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=../tools/ltvctl.sh
. "$TOOLS/ltvctl.sh"
require openssl python3 jq java javac curl

PKI=$T/pki
bash "$TOOLS/sm2pki.sh" "$PKI" || { echo "cannot make the SM2 PKI"; exit 1; }
IN=$FIX/pdf/three.pdf
P12=p12:$PKI/signer.p12
PEM=pem:$PKI/signer-all.pem
EDIT=$TOOLS/cmsedit.py
BCJARS=/usr/share/java/bcprov.jar:/usr/share/java/bcpkix.jar:/usr/share/java/bcutil.jar
# Debian's python3 has botan2 (python3-botan); another python3 first on PATH may not.
BOTAN_PY=/usr/bin/python3

# verdict FILE [TRUST...]: V gets "INDICATION SUBINDICATION" of the first
# signature (seal verify --json; its exit code in RC).
verdict() {
    local f=$1 a=() x
    shift
    for x in "$@"; do a+=(--trust "$x"); done
    run "$SEAL" verify "$f" "${a[@]}" --json
    V=$(jq -r '.signatures[0] | "\(.indication) \(.subindication)"' "$T/stdout")
}

# is_verdict WANT FILE [TRUST...]
is_verdict() {
    local want=$1
    shift
    verdict "$@"
    [ "$V" = "$want" ] || { show_output; die "$1: '$V', expected '$want'"; }
}

# message_digest CMS: the messageDigest signed attribute, hex.
message_digest() {
    PYTHONPATH=$TOOLS python3 - "$1" <<'PY'
import sys
from cmsedit import Node, signed_data, signer_infos, oid
si = signer_infos(signed_data(Node(open(sys.argv[1], "rb").read()))).kids[0]
attrs = next(k for k in si.kids if k.tag == 0xA0)
at = next(a for a in attrs.kids if a.kids[0].encode() == oid("1.2.840.113549.1.9.4"))
print(at.kids[1].kids[0].body.hex())
PY
}

# cms_print FILE: openssl's dump of the last signature's CMS.
cms_print() {
    python3 "$EDIT" extract "$1" "$T/x.cms" "$T/x.bin"
    openssl cms -cmsout -print -inform DER -in "$T/x.cms"
}

sign_p12() {
    SEAL_P12_PASSWORD=sm2pass expect_exit 0 "$SEAL" sign "$IN" -o "$T/p12.pdf" --key "$P12"
    expect_quiet
    check_prefix "$IN" "$T/p12.pdf"
    grep -aq '/SubFilter */ETSI.CAdES.detached' "$T/p12.pdf" || die "not ETSI.CAdES.detached"
    local dump
    dump=$(cms_print "$T/p12.pdf")
    grep -q 'algorithm: sm3 (1.2.156.10197.1.401)' <<<"$dump" || die "no sm3 digestAlgorithm"
    grep -q 'algorithm: SM2-with-SM3 (1.2.156.10197.1.501)' <<<"$dump" || die "no SM2-with-SM3"
    grep -q 'object: id-smime-aa-signingCertificateV2' <<<"$dump" || die "no signing-certificate-v2"
    # The ByteRange digest is SM3 (messageDigest).
    local md
    md=$(openssl dgst -sm3 -binary "$T/x.bin" | xxd -p -c 64)
    [ "$(message_digest "$T/x.cms")" = "$md" ] || die "messageDigest is not SM3 of the ByteRange"
    is_verdict "TOTAL-PASSED " "$T/p12.pdf" "$PKI/root.pem"
    [ "$RC" = 0 ] || die "seal verify exit $RC"
    [ "$(jq -r '.signatures[0] | "\(.digest_algorithm) \(.key) \(.level)"' "$T/stdout")" = "SM3 SM2-256 B-B" ] \
        || die "digest/key/level: $(jq -c '.signatures[0] | [.digest_algorithm, .key, .level]' "$T/stdout")"
    [ "$(jq -r '.signatures[0].signer' "$T/stdout")" = "王五 SM2" ] || die "signer name"
    # Without the trust anchor: the chain is not found, nothing else.
    is_verdict "INDETERMINATE NO_CERTIFICATE_CHAIN_FOUND" "$T/p12.pdf"
}

sign_pem_pkcs7() {
    expect_exit 0 "$SEAL" sign "$IN" -o "$T/pem.pdf" --key "$PEM" --subfilter adbe.pkcs7.detached
    expect_quiet
    check_prefix "$IN" "$T/pem.pdf"
    grep -aq '/SubFilter */adbe.pkcs7.detached' "$T/pem.pdf" || die "not adbe.pkcs7.detached"
    is_verdict "TOTAL-PASSED " "$T/pem.pdf" "$PKI/root.pem"
    # The human report says so too, and exit 0.
    expect_exit 0 "$SEAL" verify "$T/pem.pdf" --trust "$PKI/root.pem"
    grep -q 'TOTAL-PASSED' "$T/stdout" || die "report"
    expect_exit 2 "$SEAL" sign "$IN" -o "$T/x.pdf" --key "$PEM" --subfilter x
    [ "$(head -1 "$T/stderr")" = "seal: --subfilter takes ETSI.CAdES.detached or adbe.pkcs7.detached, not 'x'" ] \
        || { show_output; die "usage message"; }
    [ ! -e "$T/x.pdf" ] || die "output written"
}

tampered() {
    [ -f "$T/pem.pdf" ] || skip_case "no signed file"
    python3 "$TOOLS/mutate.py" flip "$T/pem.pdf" "$T/flip.pdf"
    is_verdict "TOTAL-FAILED HASH_FAILURE" "$T/flip.pdf" "$PKI/root.pem"
    [ "$RC" = 1 ] || die "seal verify exit $RC for a changed document"
}

bouncycastle_botan() {
    [ -f "$T/pem.pdf" ] && [ -f "$T/p12.pdf" ] || skip_case "no signed files"
    [ -f /usr/share/java/bcpkix.jar ] || die "BouncyCastle not installed (scripts/install-deps)"
    mkdir -p "$T/java"
    javac -d "$T/java" -cp "$BCJARS" "$TOOLS/Sm2Bc.java" || die "javac"
    for f in p12 pem; do
        python3 "$EDIT" extract "$T/$f.pdf" "$T/$f.cms" "$T/$f.bin"
        expect_exit 0 java -cp "$T/java:$BCJARS" Sm2Bc verify "$T/$f.cms" "$T/$f.bin"
        grep -q '^BC: verified 1.2.156.10197.1.401 1.2.156.10197.1.501 ' "$T/stdout" || die "BC: $(cat "$T/stdout")"
        expect_exit 0 "$BOTAN_PY" "$TOOLS/sm2botan.py" "$T/$f.pdf"
        [ "$(cat "$T/stdout")" = "botan: verified" ] || die "botan"
    done
    # ... and both refuse a changed signature value.
    python3 "$EDIT" sm2-sloppy "$T/pem.pdf" "$T/sl.pdf"
    python3 - "$T/pem.pdf" "$T/bad.pdf" <<'PY'
import re, sys
d = bytearray(open(sys.argv[1], "rb").read())
m = list(re.finditer(rb"/Contents\s*<", d))[-1]
# the last nonzero hex digit of /Contents is in the signature value's s
end = d.index(b">", m.end())
i = end - 1
while d[i:i + 1] == b"0":
    i -= 1
d[i] = ord("1") if d[i] != ord("1") else ord("2")
open(sys.argv[2], "wb").write(bytes(d))
PY
    python3 "$EDIT" extract "$T/bad.pdf" "$T/bad.cms" "$T/bad.bin"
    expect_exit 1 java -cp "$T/java:$BCJARS" Sm2Bc verify "$T/bad.cms" "$T/bad.bin"
    expect_exit 1 "$BOTAN_PY" "$TOOLS/sm2botan.py" "$T/bad.pdf"
    is_verdict "TOTAL-FAILED SIG_CRYPTO_FAILURE" "$T/bad.pdf" "$PKI/root.pem"
}

bouncycastle_made() {
    [ -f "$T/pem.pdf" ] && [ -d "$T/java" ] || skip_case "no signed file or no BouncyCastle checker"
    python3 "$EDIT" extract "$T/pem.pdf" "$T/pem.cms" "$T/pem.bin"
    # RFC 5652 SignedData made by BouncyCastle, in place of ours.
    expect_exit 0 java -cp "$T/java:$BCJARS" Sm2Bc sign "$PKI/signer.key" "$PKI/signer.pem" "$T/pem.bin" "$T/bc.cms"
    python3 "$EDIT" splice "$T/pem.pdf" "$T/bc.cms" "$T/bc.pdf"
    is_verdict "TOTAL-PASSED " "$T/bc.pdf" "$PKI/root.pem" "$PKI/int.pem"
    # GM/T 0010: data type 1.2.156.10197.6.1.4.2.1 signed, then the
    # ContentInfo type 6.1.4.2.2 and signature algorithm 1.2.156.10197.1.301.1.
    expect_exit 0 java -cp "$T/java:$BCJARS" Sm2Bc sign "$PKI/signer.key" "$PKI/signer.pem" "$T/pem.bin" "$T/bcg.cms" gmt
    python3 "$EDIT" splice "$T/pem.pdf" "$T/bcg.cms" "$T/bcg1.pdf"
    python3 "$EDIT" gmt "$T/bcg1.pdf" "$T/bcg.pdf"
    cms_print "$T/bcg.pdf" >"$T/bcg.txt" 2>&1 || true
    is_verdict "TOTAL-PASSED " "$T/bcg.pdf" "$PKI/root.pem" "$PKI/int.pem"
}

wild_flavours() {
    [ -f "$T/pem.pdf" ] || skip_case "no signed file"
    local mode warn
    for mode in sm2-raw sm2-sloppy gmt; do
        python3 "$EDIT" "$mode" "$T/pem.pdf" "$T/$mode.pdf"
        is_verdict "TOTAL-PASSED " "$T/$mode.pdf" "$PKI/root.pem"
        case $mode in
        sm2-raw) warn="seal: warning: Seal1: the SM2 signature value is a raw 64-byte r||s, not DER SEQUENCE{r,s}" ;;
        sm2-sloppy) warn="seal: warning: Seal1: the SM2 signature value is not strict DER (read tolerantly)" ;;
        gmt) warn="" ;;
        esac
        [ "$(cat "$T/stderr")" = "$warn" ] || { show_output; die "$mode: warning"; }
    done
    # Signed attributes in BER (a long-form length), signed as they are:
    # verified over the bytes received; the same value over their DER
    # re-encoding would not verify.
    python3 "$EDIT" sm2-sloppy-attrs "$T/pem.pdf" "$T/ber.pdf" "$PKI/signer.key"
    is_verdict "TOTAL-PASSED " "$T/ber.pdf" "$PKI/root.pem"
    expect_exit 0 "$BOTAN_PY" "$TOOLS/sm2botan.py" "$T/ber.pdf"
    [ -d "$T/java" ] || return 0
    python3 "$EDIT" extract "$T/sm2-raw.pdf" "$T/raw.cms" "$T/raw.bin"
    # BouncyCastle wants DER: the raw form is what we tolerate, not what we write.
    run java -cp "$T/java:$BCJARS" Sm2Bc verify "$T/raw.cms" "$T/raw.bin"
    note "BouncyCastle on raw r||s: exit $RC"
}

chains() {
    expect_exit 0 "$SEAL" sign "$FIX/pdf/one.pdf" -o "$T/mixed.pdf" --key "pem:$PKI/mixed-all.pem"
    is_verdict "TOTAL-PASSED " "$T/mixed.pdf" "$PKI/rsaroot.pem"
    is_verdict "INDETERMINATE NO_CERTIFICATE_CHAIN_FOUND" "$T/mixed.pdf" "$PKI/root.pem"
    expect_exit 0 "$SEAL" sign "$FIX/pdf/one.pdf" -o "$T/noid.pdf" --key "pem:$PKI/noid-all.pem"
    # The signer's chain walk found no issuer that verifies this certificate.
    grep -q "the certificate chain of $PKI/noid-all.pem is incomplete" "$T/stderr" || { show_output; die "no chain warning"; }
    is_verdict "INDETERMINATE CERTIFICATE_CHAIN_GENERAL_FAILURE" "$T/noid.pdf" "$PKI/root.pem" "$PKI/int.pem"
    [ "$(jq -r '.signatures[0].reason' "$T/stdout")" = "certificate chain: certificate signature failure" ] || die "reason"
}

revocation() {
    [ -f "$T/pem.pdf" ] || skip_case "no signed file"
    # CRLs signed with SM2 (and the ID) by the issuing CA, in the CMS:
    # OpenSSL alone cannot check them.
    python3 "$EDIT" add-crl "$T/pem.pdf" "$PKI/int.crl" "$T/crl-good.pdf"
    is_verdict "TOTAL-PASSED " "$T/crl-good.pdf" "$PKI/root.pem"
    [ "$(jq -r '.signatures[0].revocation' "$T/stdout")" = good ] || die "revocation: not good"
    python3 "$EDIT" add-crl "$T/pem.pdf" "$PKI/int-revoked.crl" "$T/crl-revoked.pdf"
    is_verdict "TOTAL-FAILED REVOKED" "$T/crl-revoked.pdf" "$PKI/root.pem"
    [ "$(jq -r '.signatures[0].reason' "$T/stdout")" = \
        "the signer's certificate was revoked (CRL) before the claimed signing time" ] || die "reason"
    # A CRL whose signature does not verify is no revocation data.
    python3 - "$PKI/int-revoked.crl" "$T/bad.crl" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
d[-3] ^= 1  # in the signature's s
open(sys.argv[2], "wb").write(bytes(d))
PY
    python3 "$EDIT" add-crl "$T/pem.pdf" "$T/bad.crl" "$T/crl-bad.pdf"
    is_verdict "TOTAL-PASSED " "$T/crl-bad.pdf" "$PKI/root.pem"
    [ "$(jq -r '.signatures[0].revocation' "$T/stdout")" = "not checked" ] || die "a bad CRL was used"
}

b_t() {
    ltv_start "$T/ltv" >/dev/null || die "cannot start the LTV services"
    expect_exit 0 "$SEAL" sign "$IN" -o "$T/bt.pdf" --key "$PEM" --level B-T --tsa "$LTV_TSA_URL"
    expect_quiet
    run "$SEAL" verify "$T/bt.pdf" --trust "$PKI/root.pem" --trust "$LTV_ROOT" --json
    [ "$(jq -r '.signatures[0] | "\(.indication) \(.level) \(.timestamp_ok)"' "$T/stdout")" = "TOTAL-PASSED B-T true" ] \
        || { show_output; die "B-T"; }
    # A GB/T 38540 SES_Signature (--format ses; tests/cli/ses.sh has the
    # rest) time-stamped in its [0], with the LTV services running here: a
    # seal for the signer, issued by its own key as the maker.
    expect_exit 0 "$SEAL" issue "$FIX/art/company.pdf" -o "$T/self.esl" --maker-key "$PEM" --name 测试章 \
        --holder "$PKI/signer.pem" --valid-from 2026-01-01 --valid-to 2036-01-01 --esid ESEAL-BT
    expect_exit 0 "$SEAL" sign "$IN" -o "$T/ses-bt.pdf" --key "$PEM" --eseal "$T/self.esl" --page 1 --at 100,100 \
        --format ses --level B-T --tsa "$LTV_TSA_URL"
    expect_quiet
    expect_exit 0 "$SEAL" verify "$T/ses-bt.pdf" --trust "$PKI/int.pem" --trust "$PKI/root.pem" \
        --trust "$LTV_ROOT" --seal-trust "$PKI/int.pem" --require eseal --json
    [ "$(jq -r '.signatures[0] | [.indication, .timestamp_ok, (.signing_time == .timestamp), .eseal.bound]
         | map(tostring) | join("|")' "$T/stdout")" = "TOTAL-PASSED|true|true|true" ] || { show_output; die "SES B-T"; }
    run "$BOTAN_PY" "$TOOLS/esealcheck.py" "$T/ses-bt.pdf"
    [ "$RC" = 0 ] && [ "$(jq -r '.[0] | [.kind, .timestamp, .signer_signature, .data_hash_matches] | map(tostring)
         | join("|")' "$T/stdout")" = "ses|true|valid|true" ] || { show_output; die "the reader on the SES B-T file"; }
    # No revocation source for the SM2 certificates: B-LT is refused as for RSA.
    expect_failure 6 "PAdES B-LT not reached: no revocation source" "$IN" \
        -- sign "$IN" -o @OUT@ --key "$PEM" --level B-LT --tsa "$LTV_TSA_URL"
}

# B-LT and B-LTA with an SM2 chain whose certificates name SM2-signed CRLs
# served on loopback (python3 -m http.server), time-stamps from the LTV
# TSA: the signer fetches, judges and embeds the SM2 CRLs, the verifier
# judges them offline; a CRL revoking the signer stops B-LT with exit 5.
b_lt_lta() {
    ltv_start "$T/ltv" >/dev/null || die "cannot start the LTV services"
    local port oport pid opid
    # Two free loopback ports, as ltv_start picks its own: the CRL server's
    # and the OCSP responder's.
    read -r port oport < <(ltv__free_ports)
    SM2PKI_CRL_URL="http://127.0.0.1:$port/" bash "$TOOLS/sm2pki.sh" "$T/lt" >/dev/null
    # Bounded life (ltv_start keeps the case's EXIT trap); killed at the end.
    (cd "$T/lt" && exec timeout 120 python3 -m http.server --bind 127.0.0.1 "$port") >"$T/http.log" 2>&1 &
    pid=$!
    for _ in $(seq 100); do
        ltv__curl -f -o /dev/null "http://127.0.0.1:$port/int.crl" 2>/dev/null && break
        sleep 0.1
    done
    local key=pem:$T/lt/signer-all.pem
    for lv in B-LT B-LTA; do
        expect_exit 0 "$SEAL" sign "$IN" -o "$T/$lv.pdf" --key "$key" --chain "$T/lt/root.pem" --level "$lv" \
            --tsa "$LTV_TSA_URL"
        expect_quiet
        run "$SEAL" verify "$T/$lv.pdf" --trust "$T/lt/root.pem" --trust "$LTV_ROOT" --json
        [ "$(jq -r '.signatures[0] | "\(.indication) \(.level) \(.revocation) \(.digest_algorithm)"' "$T/stdout")" \
            = "TOTAL-PASSED $lv good SM3" ] || { show_output; die "$lv"; }
    done
    [ "$(jq -r '.signatures[1].type' "$T/stdout")" = DocTimeStamp ] || die "B-LTA: no document time-stamp"
    grep -q '"GET /int.crl' "$T/http.log" && grep -q '"GET /root.crl' "$T/http.log" \
        || die "the CRLs were not fetched: $(cat "$T/http.log")"
    cp "$T/lt/int-revoked.crl" "$T/lt/int.crl"
    expect_failure 5 "revoked" "$IN" -- sign "$IN" -o @OUT@ --key "$key" --chain "$T/lt/root.pem" --level B-LT \
        --tsa "$LTV_TSA_URL"

    # The signer's status from an SM2-signed OCSP response (openssl ocsp
    # signs with the ID through -rsigopt), the intermediate's from the CRL.
    SM2PKI_CRL_URL="http://127.0.0.1:$port/" SM2PKI_OCSP_URL="http://127.0.0.1:$oport/" \
        bash "$TOOLS/sm2pki.sh" "$T/lt2" >/dev/null
    cp "$T/lt2/root.crl" "$T/lt/root.crl"
    ocsp_serve() { # INDEX
        (cd "$T/lt2" && exec timeout 120 openssl ocsp -port "$oport" -index "$1" -CA int.pem \
            -rsigner int.pem -rkey int.key -rmd sm3 -rsigopt distid:1234567812345678) >>"$T/ocsp.log" 2>&1 &
        opid=$!
        for _ in $(seq 100); do
            openssl ocsp -issuer "$T/lt2/int.pem" -cert "$T/lt2/signer.pem" -url "http://127.0.0.1:$oport/" \
                -noverify >/dev/null 2>&1 && break
            sleep 0.1
        done
    }
    ocsp_serve ocsp-good.txt
    key=pem:$T/lt2/signer-all.pem
    expect_exit 0 "$SEAL" sign "$IN" -o "$T/ocsp.pdf" --key "$key" --chain "$T/lt2/root.pem" --level B-LT \
        --tsa "$LTV_TSA_URL"
    run "$SEAL" verify "$T/ocsp.pdf" --trust "$T/lt2/root.pem" --trust "$LTV_ROOT" --json
    [ "$(jq -r '.signatures[0] | "\(.indication) \(.level) \(.revocation)"' "$T/stdout")" = "TOTAL-PASSED B-LT good" ] \
        || { show_output; die "B-LT from SM2 OCSP"; }
    kill "$opid" 2>/dev/null || true
    wait "$opid" 2>/dev/null || true
    ocsp_serve ocsp-revoked.txt
    expect_failure 5 "revoked" "$IN" -- sign "$IN" -o @OUT@ --key "$key" --chain "$T/lt2/root.pem" --level B-LT \
        --tsa "$LTV_TSA_URL"
    grep -q 'OCSP' "$T/stderr" || die "the refusal does not name the OCSP answer: $(cat "$T/stderr")"
    kill "$opid" "$pid" 2>/dev/null || true
}

run_case "sign with a PKCS#12 SM2 key: SM3, SM2-with-SM3, CAdES, TOTAL-PASSED" sign_p12
run_case "sign with a PEM SM2 key, --subfilter adbe.pkcs7.detached" sign_pem_pkcs7
run_case "a changed byte: TOTAL-FAILED" tampered
run_case "BouncyCastle and Botan verify our SM2 signatures" bouncycastle_botan
run_case "a CMS made by BouncyCastle (RFC 5652, GM/T 0010) verifies" bouncycastle_made
run_case "raw r||s, sloppy DER, GM/T 0010 identifiers" wild_flavours
run_case "SM2 chains: the ID on every link, a mixed chain, an empty-ID certificate" chains
run_case "SM2-signed CRLs: good, revoked, a bad signature ignored" revocation
run_case "B-T with an SM2 signer (CMS, and SES_Signature [0])" b_t
run_case "B-LT and B-LTA with SM2-signed CRLs and OCSP answers fetched live; revoked: exit 5" b_lt_lta
finish
