# seal verify and the PKI: certificates that must not pass (an encryption
# certificate, RSA-1024, SHA-1), revocation from an embedded DSS (good,
# revoked before signing, revoked afterwards), a document time-stamp giving
# proof of existence (B-T/B-LTA levels, --deadline met and missed).
# Certificates come from the fixture CA, copied so its database is untouched;
# tests/tools/pdfpki.py does the PDF side with the openssl command.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
require python3 jq openssl

export SEAL_P12_PASSWORD
SEAL_P12_PASSWORD=$(cat "$FIX/p12pass.txt")
W=$T/pki
mkdir -p "$W"
ca_copy "$W/ca"
ROOT=$FIX/ca/root.pem
PKI="python3 $TOOLS/pdfpki.py"
stamp() { date -u -d "$1" +%Y%m%d%H%M%SZ; }

# issue NAME EXT [KEYSPEC [START END]]: key and certificate from the
# intermediate CA, valid from START to END (date(1) phrases).
issue() {
    local name=$1 ext=$2 spec=${3:-rsa:2048} start=${4:-1 day ago} end=${5:-1 year}
    openssl req -new -newkey "$spec" -nodes -keyout "$W/$name.key" -subj "/C=CN/O=libseal test/CN=$name" \
        -out "$W/$name.csr" 2>/dev/null
    (cd "$W/ca" && openssl ca -config openssl.cnf -batch -notext -preserveDN -md sha256 -cert inter.pem \
        -keyfile inter.key -in "$W/$name.csr" -out "$W/$name.pem" -extensions "$ext" \
        -startdate "$(stamp "$start")" -enddate "$(stamp "$end")" >/dev/null 2>"$W/ca.log") \
        || { cat "$W/ca.log"; die "cannot issue $name"; }
}

verify() {
    local f=$1
    shift
    run "$SEAL" verify "$f" --json "$@"
    cp "$T/stdout" "$T/v.json"
}
sig() { jq -r ".signatures[$1].$2" "$T/v.json"; }

base() {
    [ -f "$W/base.pdf" ] && return 0
    expect_exit 0 "$SEAL" sign "$FIX/pdf/one.pdf" -o "$W/base.pdf" --key "p12:$FIX/signer.p12" \
        --seal "$FIX/art/company.pdf" --page 1 --at 105,250
}

case_encryption_cert() {
    base
    issue enc v3_enc
    $PKI resign "$W/base.pdf" "$W/enc.pdf" "$W/enc.pem" "$W/enc.key" --chain "$FIX/ca/inter.pem"
    verify "$W/enc.pdf" --trust "$ROOT"
    [ "$RC" = 3 ] || { show_output; die "exit $RC"; }
    [ "$(sig 0 subindication)" = CHAIN_CONSTRAINTS_FAILURE ] || die "$(sig 0 subindication): $(sig 0 reason)"
    [ "$(sig 0 intact)" = true ] || die "not intact"
    # The same key with a signing certificate passes: only the usage differs.
    issue good v3_sign
    $PKI resign "$W/base.pdf" "$W/good.pdf" "$W/good.pem" "$W/good.key" --chain "$FIX/ca/inter.pem"
    verify "$W/good.pdf" --trust "$ROOT"
    [ "$RC" = 0 ] || { show_output; die "a plain openssl CMS with a signing certificate: exit $RC"; }
}

case_weak_crypto() {
    base
    issue weak v3_sign rsa:1024
    $PKI resign "$W/base.pdf" "$W/weak.pdf" "$W/weak.pem" "$W/weak.key" --chain "$FIX/ca/inter.pem"
    verify "$W/weak.pdf" --trust "$ROOT"
    [ "$RC" = 3 ] && [ "$(sig 0 subindication)" = CRYPTO_CONSTRAINTS_FAILURE ] || die "RSA-1024: exit $RC $(sig 0 subindication)"
    verify "$W/weak.pdf" --trust "$ROOT" --allow-legacy
    [ "$RC" = 0 ] || die "RSA-1024 with --allow-legacy: exit $RC $(sig 0 reason)"
    $PKI resign "$W/base.pdf" "$W/sha1.pdf" "$FIX/certs/p12.pem" "$FIX/keys/p12.key" --md sha1 --chain "$FIX/ca/inter.pem"
    verify "$W/sha1.pdf" --trust "$ROOT"
    [ "$RC" = 3 ] && [ "$(sig 0 subindication)" = CRYPTO_CONSTRAINTS_FAILURE ] || die "SHA-1: exit $RC $(sig 0 subindication)"
    verify "$W/sha1.pdf" --trust "$ROOT" --allow-legacy
    [ "$RC" = 0 ] || die "SHA-1 with --allow-legacy: exit $RC $(sig 0 reason)"
}

# crl FILE: a CRL of the (copied) intermediate CA, DER.
crl() {
    (cd "$W/ca" && openssl ca -config openssl.cnf -gencrl -crldays 30 -cert inter.pem -keyfile inter.key \
        -out "$W/crl.pem" >/dev/null 2>"$W/ca.log") || { cat "$W/ca.log"; die "gencrl"; }
    openssl crl -in "$W/crl.pem" -outform DER -out "$1"
}

case_revocation() {
    base
    # Good: a CRL that does not list the signer.
    crl "$W/good.crl"
    $PKI dss "$W/base.pdf" "$W/dss.pdf" --crl "$W/good.crl"
    verify "$W/dss.pdf" --trust "$ROOT" --revocation require
    [ "$RC" = 0 ] && [ "$(sig 0 revocation)" = good ] || die "good CRL: exit $RC, $(sig 0 revocation) $(sig 0 reason)"
    [ "$(sig 0 changes_after)" = allowed ] || die "a DSS update is not an allowed change"
    # Revoked, then used to sign: TOTAL-FAILED REVOKED.
    issue revoked v3_sign
    (cd "$W/ca" && openssl ca -config openssl.cnf -revoke "$W/revoked.pem" -cert inter.pem -keyfile inter.key \
        >/dev/null 2>&1) || die "revoke"
    sleep 1
    openssl pkcs12 -export -inkey "$W/revoked.key" -in "$W/revoked.pem" -certfile "$FIX/chain.pem" \
        -passout env:SEAL_P12_PASSWORD -out "$W/revoked.p12"
    expect_exit 0 "$SEAL" sign "$FIX/pdf/one.pdf" -o "$W/byrevoked.pdf" --key "p12:$W/revoked.p12"
    crl "$W/revoked.crl"
    $PKI dss "$W/byrevoked.pdf" "$W/byrevoked-dss.pdf" --crl "$W/revoked.crl"
    verify "$W/byrevoked-dss.pdf" --trust "$ROOT"
    [ "$RC" = 1 ] && [ "$(sig 0 subindication)" = REVOKED ] || die "revoked before signing: exit $RC $(sig 0 subindication) $(sig 0 reason)"
    # Signed, then revoked, no time-stamp: nothing proves which came first.
    issue later v3_sign
    openssl pkcs12 -export -inkey "$W/later.key" -in "$W/later.pem" -certfile "$FIX/chain.pem" \
        -passout env:SEAL_P12_PASSWORD -out "$W/later.p12"
    expect_exit 0 "$SEAL" sign "$FIX/pdf/one.pdf" -o "$W/bylater.pdf" --key "p12:$W/later.p12"
    sleep 1
    (cd "$W/ca" && openssl ca -config openssl.cnf -revoke "$W/later.pem" -cert inter.pem -keyfile inter.key \
        >/dev/null 2>&1) || die "revoke"
    crl "$W/later.crl"
    $PKI dss "$W/bylater.pdf" "$W/bylater-dss.pdf" --crl "$W/later.crl"
    verify "$W/bylater-dss.pdf" --trust "$ROOT"
    [ "$RC" = 3 ] && [ "$(sig 0 subindication)" = REVOKED_NO_POE ] || die "revoked after signing: exit $RC $(sig 0 subindication)"
}

case_doc_timestamp() {
    base
    issue tsa v3_tsa
    cat "$FIX/ca/inter.pem" "$FIX/ca/root.pem" >"$W/tsachain.pem"
    crl "$W/good.crl"
    $PKI dss "$W/base.pdf" "$W/lt.pdf" --crl "$W/good.crl"
    $PKI doctimestamp "$W/lt.pdf" "$W/lta.pdf" "$W/tsa.pem" "$W/tsa.key" "$W/tsachain.pem"
    verify "$W/lta.pdf" --trust "$ROOT"
    [ "$RC" = 0 ] || { jq -c '[.signatures[] | [.field, .indication, .reason]]' "$T/v.json"; die "exit $RC"; }
    [ "$(jq '.signatures | length' "$T/v.json")" = 2 ] || die "the time-stamp is not listed"
    [ "$(sig 1 type)" = DocTimeStamp ] && [ "$(sig 1 indication)" = TOTAL-PASSED ] || die "time-stamp: $(sig 1 indication) $(sig 1 reason)"
    [ -n "$(sig 1 timestamp)" ] || die "no genTime"
    [ "$(sig 0 level)" = B-LTA ] || die "level $(sig 0 level), expected B-LTA"
    [ "$(sig 0 changes_after)" = allowed ] || die "changes_after $(sig 0 changes_after)"
    # Proof of existence: the deadline is met before 2100 and missed before 2000.
    expect_exit 0 "$SEAL" verify "$W/lta.pdf" --trust "$ROOT" --deadline 2100-01-01T00:00:00Z
    verify "$W/lta.pdf" --trust "$ROOT" --deadline 2100-01-01T00:00:00Z
    [ "$(sig 0 deadline)" = met ] || die "deadline $(sig 0 deadline)"
    verify "$W/lta.pdf" --trust "$ROOT" --deadline 2000-01-01T00:00:00Z
    # The claimed /M (today) is itself after 2000: missed by its own claim.
    [ "$RC" = 1 ] && [ "$(sig 0 deadline)" = "claimed late" ] || die "deadline 2000: exit $RC $(sig 0 deadline)"
    # A time-stamp without DSS: B-T.
    $PKI doctimestamp "$W/base.pdf" "$W/t.pdf" "$W/tsa.pem" "$W/tsa.key" "$W/tsachain.pem"
    verify "$W/t.pdf" --trust "$ROOT"
    [ "$RC" = 0 ] && [ "$(sig 0 level)" = B-T ] || die "B-T: exit $RC level $(sig 0 level)"
    # Certified with P=1: a document time-stamp is still allowed.
    expect_exit 0 "$SEAL" sign "$FIX/pdf/one.pdf" -o "$W/p1.pdf" --key "p12:$FIX/signer.p12" --certify 1
    $PKI doctimestamp "$W/p1.pdf" "$W/p1-ts.pdf" "$W/tsa.pem" "$W/tsa.key" "$W/tsachain.pem"
    verify "$W/p1-ts.pdf" --trust "$ROOT"
    [ "$RC" = 0 ] && [ "$(sig 0 changes_after)" = allowed ] || die "P=1 + document time-stamp: exit $RC $(sig 0 reason)"
    # The token altered: the time-stamp fails, the signature stands.
    python3 "$TOOLS/mutate.py" zero "$W/t.pdf" "$W/t-bad.pdf"
    verify "$W/t-bad.pdf" --trust "$ROOT"
    [ "$RC" = 1 ] && [ "$(sig 1 indication)" = TOTAL-FAILED ] && [ "$(sig 0 indication)" = TOTAL-PASSED ] \
        || die "broken time-stamp: exit $RC, $(jq -c '[.signatures[].indication]' "$T/v.json")"
}

# Without a trusted time-stamp a certificate is judged now: /M is a claim.
case_validity_now() {
    base
    issue old v3_sign rsa:2048 '2 years ago' '1 day ago'
    $PKI resign "$W/base.pdf" "$W/old.pdf" "$W/old.pem" "$W/old.key" --chain "$FIX/ca/inter.pem" \
        --claimed "$(date -u -d '1 year ago' +%Y%m%d%H%M%S)"
    verify "$W/old.pdf" --trust "$ROOT"
    [ "$RC" = 3 ] && [ "$(sig 0 subindication)" = OUT_OF_BOUNDS_NO_POE ] \
        || die "expired, /M back-dated: exit $RC $(sig 0 subindication) $(sig 0 reason)"
    [ "$(sig 0 intact)" = true ] && [ "$(sig 0 time_trusted)" = false ] || die "intact/time_trusted"
    jq -e '.signatures[0].reason | test("has expired, and no time-stamp proves")' "$T/v.json" >/dev/null \
        || die "reason: $(sig 0 reason)"
    issue future v3_sign rsa:2048 '1 year' '2 years'
    $PKI resign "$W/base.pdf" "$W/future.pdf" "$W/future.pem" "$W/future.key" --chain "$FIX/ca/inter.pem" \
        --claimed "$(date -u -d '18 months' +%Y%m%d%H%M%S)"
    verify "$W/future.pdf" --trust "$ROOT"
    [ "$RC" = 1 ] && [ "$(sig 0 subindication)" = NOT_YET_VALID ] \
        || die "not yet valid, /M forward-dated: exit $RC $(sig 0 subindication) $(sig 0 reason)"
    # The claim inside the validity of a current certificate changes nothing.
    issue current v3_sign
    $PKI resign "$W/base.pdf" "$W/current.pdf" "$W/current.pem" "$W/current.key" --chain "$FIX/ca/inter.pem" \
        --claimed "$(date -u -d '3 years ago' +%Y%m%d%H%M%S)"
    verify "$W/current.pdf" --trust "$ROOT"
    [ "$RC" = 0 ] || die "a valid certificate, /M before its validity: exit $RC $(sig 0 reason)"
}

# What a peer's CMS may hold, and what an attacker may put into one.
case_cms() {
    base
    # A look-alike certificate (same issuer and serial, another key) first
    # in the bag: the genuine signer is still found.
    python3 "$TOOLS/cmsedit.py" decoy "$W/base.pdf" "$W/decoy.pdf"
    verify "$W/decoy.pdf" --trust "$ROOT"
    [ "$RC" = 0 ] && [ "$(sig 0 indication)" = TOTAL-PASSED ] || die "decoy certificate: exit $RC $(sig 0 reason)"
    # ECDSA in plain r||s (BSI TR-03111 ecdsa-plain-SHA256).
    openssl ecparam -name prime256v1 -out "$W/p256.pem"
    issue ecsig v3_sign "ec:$W/p256.pem"
    $PKI resign "$W/base.pdf" "$W/ec.pdf" "$W/ecsig.pem" "$W/ecsig.key" --chain "$FIX/ca/inter.pem"
    python3 "$TOOLS/cmsedit.py" plain-ecdsa "$W/ec.pdf" "$W/plain.pdf"
    verify "$W/plain.pdf" --trust "$ROOT"
    [ "$RC" = 0 ] && [ "$(sig 0 key)" = EC-256 ] || die "plain ECDSA: exit $RC $(sig 0 subindication) $(sig 0 reason)"
    python3 "$TOOLS/mutate.py" flip "$W/plain.pdf" "$W/plain-flip.pdf"
    verify "$W/plain-flip.pdf" --trust "$ROOT"
    [ "$RC" = 1 ] && [ "$(sig 0 subindication)" = HASH_FAILURE ] || die "plain ECDSA, changed: exit $RC $(sig 0 subindication)"
    # contentType signed attribute other than id-data, genuinely signed.
    python3 "$TOOLS/cmsedit.py" content-type "$W/base.pdf" "$W/ctype.pdf" "$FIX/keys/p12.key" 1.2.840.113549.1.7.2
    verify "$W/ctype.pdf" --trust "$ROOT"
    [ "$RC" = 1 ] && [ "$(sig 0 subindication)" = FORMAT_FAILURE ] \
        && [ "$(sig 0 reason)" = "the contentType signed attribute does not match the encapsulated content type" ] \
        || die "contentType: exit $RC $(sig 0 subindication) $(sig 0 reason)"
    # The same edit with id-data kept: only the re-signing, which passes.
    python3 "$TOOLS/cmsedit.py" content-type "$W/base.pdf" "$W/ctype-ok.pdf" "$FIX/keys/p12.key" 1.2.840.113549.1.7.1
    verify "$W/ctype-ok.pdf" --trust "$ROOT"
    [ "$RC" = 0 ] || die "re-signed with id-data: exit $RC $(sig 0 reason)"
    # Two SignerInfos: refused as pyHanko refuses them (PAdES: exactly one).
    python3 "$TOOLS/cmsedit.py" two-signers "$W/base.pdf" "$W/two.pdf"
    verify "$W/two.pdf" --trust "$ROOT"
    [ "$RC" = 1 ] && [ "$(sig 0 subindication)" = FORMAT_FAILURE ] \
        && jq -e '.signatures[0].reason | test("2 SignerInfos")' "$T/v.json" >/dev/null \
        || die "two SignerInfos: exit $RC $(sig 0 subindication) $(sig 0 reason)"
}

# A document time-stamp proves when, not who: alone it is no signature.
case_timestamp_only() {
    issue tsa2 v3_tsa
    cat "$FIX/ca/inter.pem" "$FIX/ca/root.pem" >"$W/tsachain.pem"
    $PKI doctimestamp "$FIX/pdf/one.pdf" "$W/ts-only.pdf" "$W/tsa2.pem" "$W/tsa2.key" "$W/tsachain.pem"
    verify "$W/ts-only.pdf" --trust "$ROOT"
    [ "$RC" = 1 ] || { show_output; die "exit $RC"; }
    [ "$(jq -r '[.indication, .subindication, .reason, .signatures_indication] | join("|")' "$T/v.json")" \
        = "NO-SIGNATURE|SIGNED_DATA_NOT_FOUND|the document has no signature, only document time-stamps|INDETERMINATE" ] \
        || die "$(jq -c '[.indication, .subindication, .reason]' "$T/v.json")"
    [ "$(sig 0 indication)" = TOTAL-PASSED ] || die "the time-stamp itself: $(sig 0 indication) $(sig 0 reason)"
    # seal extend has no signature to keep valid there (refused before any
    # time-stamp authority is asked).
    expect_failure 4 "^seal: $W/ts-only.pdf has no signature to extend \(document time-stamps alone are not one\): seal it first\$" \
        "$W/ts-only.pdf" -- extend "$W/ts-only.pdf" -o @OUT@ --tsa http://127.0.0.1:9/
}

run_case "validity judged now without a time-stamp: expired and not-yet-valid certificates with a dated /M" case_validity_now
run_case "CMS: decoy certificate, plain ECDSA, contentType, two SignerInfos" case_cms
run_case "an encryption certificate never passes" case_encryption_cert
run_case "RSA-1024 and SHA-1: CRYPTO_CONSTRAINTS_FAILURE unless --allow-legacy" case_weak_crypto
run_case "revocation from the DSS: good, revoked before, revoked after" case_revocation
run_case "document time-stamp: B-T, B-LTA, deadline" case_doc_timestamp
run_case "only a document time-stamp: never TOTAL-PASSED; seal extend refuses it" case_timestamp_only
finish
