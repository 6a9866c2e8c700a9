#!/usr/bin/env bash
# The long-term-validation services the B-T/B-LT/B-LTA tests use are real:
# an RFC 3161 TSA (openssl ts -reply), an OCSP responder (openssl ocsp) and a
# CRL server on loopback, over the test PKI of tests/tools/ltvpki.sh, checked
# with OpenSSL's own clients; revocation shows at once; the fault modes and
# the shutdown work. Nothing here runs seal.
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/tools/ltvctl.sh
. "$TOOLS/ltvctl.sh"
require openssl python3 curl certutil pdfsig qpdf jq

P= # the PKI directory, once started

# post URL CTYPE FILE OUT: POST FILE, body to OUT; prints "HTTP-CODE CONTENT-TYPE".
post() {
    curl --noproxy '*' -sS --max-time 20 -H "Content-Type: $2" --data-binary "@$3" -o "$4" \
        -w '%{http_code} %{content_type}' "$1"
}

# ocsp_status CERT: what openssl ocsp reports for CERT from the responder (the
# line "CERT: good|revoked|unknown"), after checking the response's signature.
ocsp_status() {
    local out
    out=$(openssl ocsp -issuer "$P/issuing.pem" -cert "$1" -url "$LTV_OCSP_URL" -CAfile "$P/root.pem" \
        -timeout 20 2>&1) || { sed 's/^/      | /' <<<"$out"; die "openssl ocsp failed for $1"; }
    grep -q '^Response verify OK' <<<"$out" || { sed 's/^/      | /' <<<"$out"; die "OCSP response does not verify"; }
    grep "^$1: " <<<"$out" | sed "s|^$1: ||"
    printf '%s\n' "$out" >"$T/ocsp.last"
}

case_start() {
    # Started at top level (below); here only the result is checked.
    [ -n "$P" ] || die "ltv_start failed"
    kill -0 "$LTV_SERVE_PID" || die "server not running"
    for v in LTV_TSA_URL LTV_OCSP_URL LTV_CRL_URL LTV_ROOT_CRL_URL LTV_CTL_URL LTV_P12 LTV_P12_PASS; do
        [ -n "${!v:-}" ] || die "$v not set"
    done
    for u in "$LTV_TSA_URL" "$LTV_OCSP_URL" "$LTV_CRL_URL" "$LTV_PROXY_URL" "$LTV_CTL_URL"; do
        case $u in http://127.0.0.1:[0-9]*) ;; *) die "not a loopback URL: $u" ;; esac
    done
    note "TSA $LTV_TSA_URL  OCSP $LTV_OCSP_URL  CRL $LTV_CRL_URL"
    # Counters start at zero (ltv_start's readiness probes are not counted).
    for s in tsa ocsp crl proxy; do
        [ "$(ltv_requests $s)" = 0 ] || die "$s has counted $(ltv_requests $s) requests already"
    done
    # Every listener is bound to loopback only.
    if command -v ss >/dev/null; then
        for port in "$LTV_TSA_PORT" "$LTV_OCSP_PORT" "$LTV_CRL_PORT" "$LTV_PROXY_PORT" "$LTV_CTL_PORT"; do
            ss -Hltn "sport = :$port" | awk '{print $4}' | grep -x "127.0.0.1:$port" >/dev/null \
                || die "port $port is not bound to 127.0.0.1 only: $(ss -Hltn "sport = :$port")"
        done
    fi
}

case_pki() {
    local txt
    for c in signer signer2 tsa ocsp; do
        openssl verify -CAfile "$P/root.pem" -untrusted "$P/issuing.pem" "$P/$c.pem" >/dev/null \
            || die "$c.pem does not chain to the root"
    done
    txt=$(openssl x509 -in "$P/signer.pem" -noout -text)
    grep -q "OCSP - URI:$LTV_OCSP_URL\$" <<<"$txt" || die "signer has no AIA OCSP $LTV_OCSP_URL"
    grep -q "URI:$LTV_CRL_URL\$" <<<"$txt" || die "signer has no CRL distribution point $LTV_CRL_URL"
    grep -A1 'Key Usage: critical' <<<"$txt" | grep 'Digital Signature, Non Repudiation' >/dev/null \
        || die "signer key usage"
    grep -q 'Public-Key: (2048 bit)' <<<"$txt" || die "signer is not RSA-2048"
    txt=$(openssl x509 -in "$P/tsa.pem" -noout -text)
    grep -A1 'Extended Key Usage: critical' <<<"$txt" | grep -x ' *Time Stamping' >/dev/null \
        || die "TSA certificate lacks critical EKU timeStamping"
    grep -A1 'X509v3 Key Usage: critical' <<<"$txt" | grep -x ' *Digital Signature' >/dev/null || die "TSA key usage"
    grep -q "OCSP - URI:$LTV_OCSP_URL\$" <<<"$txt" || die "TSA has no AIA OCSP"
    txt=$(openssl x509 -in "$P/ocsp.pem" -noout -text)
    grep -A1 'Extended Key Usage' <<<"$txt" | grep 'OCSP Signing' >/dev/null || die "responder lacks EKU OCSPSigning"
    grep -q 'OCSP No Check' <<<"$txt" || die "responder lacks ocsp-nocheck"
    grep -q "URI:$LTV_ROOT_CRL_URL\$" < <(openssl x509 -in "$P/issuing.pem" -noout -text) \
        || die "issuing CA has no CRL distribution point $LTV_ROOT_CRL_URL"
    # The PKCS#12: key + signer + chain, with the password in p12pass.txt.
    [ "$(cat "$P/p12pass.txt")" = "$LTV_P12_PASS" ] || die "p12pass.txt differs from LTV_P12_PASS"
    openssl pkcs12 -in "$LTV_P12" -passin "file:$P/p12pass.txt" -nodes -out "$T/p12.pem" 2>/dev/null \
        || die "signer.p12 does not open with p12pass.txt"
    [ "$(grep -c 'BEGIN CERTIFICATE' "$T/p12.pem")" = 3 ] || die "signer.p12 does not hold signer + 2 CA certificates"
    grep -q 'BEGIN PRIVATE KEY' "$T/p12.pem" || die "signer.p12 holds no key"
    # The database lists every certificate of the issuing CA as valid.
    [ "$(grep -c '^V' "$P/db/index.txt")" = 4 ] || die "index.txt: expected 4 valid entries"
}

case_tsa() {
    local res nonce_q nonce_r
    printf 'time-stamp me %s\n' "$RANDOM" >"$T/data.txt"
    openssl ts -query -data "$T/data.txt" -sha256 -cert -out "$T/q.tsq" 2>/dev/null
    nonce_q=$(openssl ts -query -in "$T/q.tsq" -text 2>/dev/null | sed -n 's/^Nonce: //p')
    [ -n "$nonce_q" ] || die "the query has no nonce"
    res=$(post "$LTV_TSA_URL" application/timestamp-query "$T/q.tsq" "$T/r.tsr")
    [ "$res" = "200 application/timestamp-reply" ] || die "TSA answered '$res'"
    # Verified by OpenSSL against the root alone: the reply carries the TSA
    # certificate and its chain (certReq), and matches the query (imprint, nonce).
    openssl ts -verify -in "$T/r.tsr" -queryfile "$T/q.tsq" -CAfile "$P/root.pem" >"$T/v.log" 2>&1 \
        || { sed 's/^/      | /' "$T/v.log"; die "openssl ts -verify failed"; }
    grep -q '^Verification: OK' "$T/v.log" || die "no 'Verification: OK'"
    openssl ts -verify -in "$T/r.tsr" -data "$T/data.txt" -CAfile "$P/root.pem" >/dev/null 2>&1 \
        || die "the token does not verify against the data"
    openssl ts -reply -in "$T/r.tsr" -text >"$T/r.txt" 2>/dev/null
    grep -q '^Status: Granted' "$T/r.txt" || die "status not granted"
    grep -q "^Policy OID: $LTV_TSA_POLICY\$" "$T/r.txt" || die "policy is not $LTV_TSA_POLICY"
    grep -q '^Hash Algorithm: sha256' "$T/r.txt" || die "imprint not SHA-256"
    nonce_r=$(sed -n 's/^Nonce: //p' "$T/r.txt")
    [ "$nonce_q" = "$nonce_r" ] || die "nonce $nonce_r in the reply, $nonce_q in the query"
    # Signed with SHA-256, ESSCertIDv2 (signing-certificate-v2) over the chain.
    openssl ts -reply -in "$T/r.tsr" -token_out -out "$T/tok.p7" 2>/dev/null
    openssl cms -cmsout -in "$T/tok.p7" -inform DER -print >"$T/tok.txt" 2>/dev/null
    grep -q 'id-smime-aa-signingCertificateV2' "$T/tok.txt" || die "the token has no signing-certificate-v2"
    [ "$(openssl pkcs7 -in "$T/tok.p7" -inform DER -print_certs 2>/dev/null | grep -c '^subject=')" = 3 ] \
        || die "the token does not carry TSA + issuing + root certificates"
    # A second request gets another serial number.
    post "$LTV_TSA_URL" application/timestamp-query "$T/q.tsq" "$T/r2.tsr" >/dev/null
    [ "$(sed -n 's/^Serial number: //p' "$T/r.txt")" != \
      "$(openssl ts -reply -in "$T/r2.tsr" -text 2>/dev/null | sed -n 's/^Serial number: //p')" ] \
        || die "two replies with one serial number"
}

case_tsa_bad_requests() {
    local res
    printf 'not a time-stamp query' >"$T/junk"
    # OpenSSL's own rejection reply, as from a real TSA.
    res=$(post "$LTV_TSA_URL" application/timestamp-query "$T/junk" "$T/junk.tsr")
    [ "$res" = "200 application/timestamp-reply" ] || die "TSA answered '$res' to junk"
    openssl ts -reply -in "$T/junk.tsr" -text 2>/dev/null | grep '^Status: Rejected' >/dev/null \
        || die "junk was not rejected"
    # The wrong Content-Type is refused (the client must send the right one).
    res=$(post "$LTV_TSA_URL" application/octet-stream "$T/q.tsq" "$T/x") || true
    [ "${res%% *}" = 415 ] || die "wrong Content-Type answered '$res'"
    [ "$(curl --noproxy '*' -s -o /dev/null -w '%{http_code}' "$LTV_TSA_URL")" = 405 ] || die "GET not refused"
}

case_ocsp_good() {
    [ "$(ocsp_status "$P/signer.pem")" = good ] || die "signer is not good"
    grep -q 'Next Update:' "$T/ocsp.last" || die "no nextUpdate"
    [ "$(ocsp_status "$P/tsa.pem")" = good ] || die "TSA certificate is not good"
    # POST with curl: the media types of RFC 6960.
    openssl ocsp -issuer "$P/issuing.pem" -cert "$P/signer.pem" -reqout "$T/oq.der" 2>/dev/null
    res=$(post "$LTV_OCSP_URL" application/ocsp-request "$T/oq.der" "$T/or.der")
    [ "$res" = "200 application/ocsp-response" ] || die "OCSP answered '$res'"
    # (-no_nonce: with -issuer/-cert, openssl ocsp compares the response's
    # nonce with a request of its own, not with -reqin's; compared below.)
    openssl ocsp -respin "$T/or.der" -issuer "$P/issuing.pem" -cert "$P/signer.pem" -no_nonce \
        -CAfile "$P/root.pem" >"$T/or.txt" 2>&1 || die "curl'd OCSP response does not verify"
    grep -q ': good' "$T/or.txt" || die "curl'd OCSP response not good"
    # The request's nonce is echoed.
    nq=$(openssl ocsp -reqin "$T/oq.der" -req_text | grep -A1 'OCSP Nonce' | tail -1 | tr -d ' ')
    nr=$(openssl ocsp -respin "$T/or.der" -resp_text -noverify | grep -A1 'OCSP Nonce' | tail -1 | tr -d ' ')
    [ -n "$nq" ] && [ "$nq" = "$nr" ] || die "nonce '$nr' in the response, '$nq' in the request"
    # GET (RFC 6960 A.1): base64 of the DER request, URL-encoded, in the path.
    openssl ocsp -issuer "$P/issuing.pem" -cert "$P/signer2.pem" -no_nonce -reqout "$T/g.der" 2>/dev/null
    b=$(base64 -w0 "$T/g.der" | python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.stdin.read(), safe=""))')
    res=$(curl --noproxy '*' -sS --max-time 20 -o "$T/gr.der" -w '%{http_code} %{content_type}' "$LTV_OCSP_URL$b")
    [ "$res" = "200 application/ocsp-response" ] || die "OCSP GET answered '$res'"
    openssl ocsp -respin "$T/gr.der" -issuer "$P/issuing.pem" -cert "$P/signer2.pem" -CAfile "$P/root.pem" 2>&1 \
        | grep 'signer2.pem: good' >/dev/null || die "OCSP GET answer not good"
    # A request that is not DER gets malformedRequest.
    printf 'junk' >"$T/junk"
    post "$LTV_OCSP_URL" application/ocsp-request "$T/junk" "$T/jr.der" >/dev/null
    out=$(openssl ocsp -respin "$T/jr.der" -resp_text -noverify 2>&1 || true)
    grep -q 'Responder Error: malformedrequest' <<<"$out" || die "junk did not get malformedRequest: $out"
}

case_crl() {
    local res
    res=$(curl --noproxy '*' -sS --max-time 20 -o "$T/i.crl" -w '%{http_code} %{content_type}' "$LTV_CRL_URL")
    [ "$res" = "200 application/pkix-crl" ] || die "CRL server answered '$res'"
    openssl crl -inform DER -in "$T/i.crl" -CAfile "$P/chain.pem" -noout 2>&1 | grep 'verify OK' >/dev/null \
        || die "issuing.crl does not verify with the issuing CA"
    openssl crl -inform DER -in "$T/i.crl" -noout -text >"$T/i.txt"
    grep -q 'No Revoked Certificates' "$T/i.txt" || die "a fresh CRL lists revocations"
    grep -q 'Next Update:' "$T/i.txt" || die "CRL has no nextUpdate"
    curl --noproxy '*' -sS --max-time 20 -o "$T/r.crl" "$LTV_ROOT_CRL_URL"
    openssl crl -inform DER -in "$T/r.crl" -CAfile "$P/root.pem" -noout 2>&1 | grep 'verify OK' >/dev/null \
        || die "root.crl does not verify with the root"
    base=${LTV_CRL_URL%/issuing.crl}
    curl --noproxy '*' -sS --max-time 20 -o "$T/i.cer" "$base/issuing.cer"
    cmp -s "$T/i.cer" <(openssl x509 -in "$P/issuing.pem" -outform DER) || die "issuing.cer differs"
    for bad in nothing.crl ../env %2e%2e/env .issuing.crl.tmp; do
        [ "$(curl --noproxy '*' -s -o /dev/null -w '%{http_code}' "$base/$bad")" = 404 ] || die "$bad served"
    done
}

case_revoke() {
    local serial
    serial=$(openssl x509 -in "$P/signer.pem" -noout -serial | cut -d= -f2)
    ltv_revoke
    # No restart: the next OCSP answer and the next CRL download show it.
    [ "$(ocsp_status "$P/signer.pem")" = revoked ] || die "signer not revoked by OCSP after ltv_revoke"
    grep -q 'Reason: keyCompromise' "$T/ocsp.last" || die "no revocation reason"
    grep -q 'Revocation Time:' "$T/ocsp.last" || die "no revocation time"
    [ "$(ocsp_status "$P/signer2.pem")" = good ] || die "signer2 is no longer good"
    curl --noproxy '*' -sS --max-time 20 -o "$T/i2.crl" "$LTV_CRL_URL"
    openssl crl -inform DER -in "$T/i2.crl" -noout -text >"$T/i2.txt"
    grep -q "Serial Number: $serial\$" "$T/i2.txt" || { sed 's/^/      | /' "$T/i2.txt" | head -20; die "CRL does not list $serial"; }
    grep -q 'Key Compromise' "$T/i2.txt" || die "CRL entry has no reason"
    # The CRL number went up.
    n1=$(openssl crl -inform DER -in "$T/i.crl" -noout -crlnumber 2>/dev/null | sed 's/.*=\(0x\)\{0,1\}//')
    n2=$(openssl crl -inform DER -in "$T/i2.crl" -noout -crlnumber | sed 's/.*=\(0x\)\{0,1\}//')
    [ -z "$n1" ] || [ "$((16#$n2))" -gt "$((16#$n1))" ] || die "CRL number $n2 not above $n1"
    # Revoking again is harmless.
    ltv_revoke 2>/dev/null
    # A back-dated revocation (signer2, two hours ago) is reported with that time.
    ltv_revoke signer2 '2 hours ago'
    [ "$(ocsp_status "$P/signer2.pem")" = revoked ] || die "signer2 not revoked"
    want=$(date -u -d '2 hours ago' '+%b %e %H')
    grep 'Revocation Time:' "$T/ocsp.last" | grep "$want" >/dev/null \
        || die "revocation time $(grep 'Revocation Time:' "$T/ocsp.last") is not about 2 hours ago ($want)"
    # The issuing CA, revoked by the root, shows in root.crl.
    ltv_revoke issuing
    curl --noproxy '*' -sS --max-time 20 -o "$T/r2.crl" "$LTV_ROOT_CRL_URL"
    openssl crl -inform DER -in "$T/r2.crl" -noout -text | grep "Serial Number: $(openssl x509 -in "$P/issuing.pem" -noout -serial | cut -d= -f2)\$" >/dev/null \
        || die "root.crl does not list the issuing CA"
}

case_faults() {
    local res t0 rc n0
    n0=$(ltv_requests tsa)
    ltv_fault tsa status status=500 count=2
    for want in 500 500 200; do
        res=$(post "$LTV_TSA_URL" application/timestamp-query "$T/q.tsq" "$T/f.tsr" || true)
        [ "${res%% *}" = "$want" ] || die "TSA answered '$res', expected $want"
    done
    [ "$(ltv_requests tsa)" = $((n0 + 3)) ] || die "request count $(ltv_requests tsa), expected $((n0 + 3))"
    # hang: no answer for the given time, then the connection closes.
    ltv_fault tsa hang seconds=2 count=1
    t0=$SECONDS
    rc=0
    curl --noproxy '*' -s --max-time 20 -H 'Content-Type: application/timestamp-query' \
        --data-binary "@$T/q.tsq" -o /dev/null "$LTV_TSA_URL" || rc=$?
    [ "$rc" = 52 ] || die "curl exit $rc against a hanging TSA, expected 52 (empty reply)"
    [ $((SECONDS - t0)) -ge 1 ] || die "the TSA did not hang"
    # ... and a client time-out fires first when shorter.
    ltv_fault tsa hang seconds=30 count=1
    rc=0
    curl --noproxy '*' -s --max-time 1 -H 'Content-Type: application/timestamp-query' \
        --data-binary "@$T/q.tsq" -o /dev/null "$LTV_TSA_URL" || rc=$?
    [ "$rc" = 28 ] || die "curl exit $rc, expected 28 (time-out)"
    # garbage and close; OCSP faults too.
    ltv_fault tsa garbage count=1
    res=$(post "$LTV_TSA_URL" application/timestamp-query "$T/q.tsq" "$T/g.tsr")
    [ "$res" = "200 application/timestamp-reply" ] || die "garbage mode answered '$res'"
    ! openssl ts -reply -in "$T/g.tsr" -text >/dev/null 2>&1 || die "garbage mode sent a parseable reply"
    ltv_fault ocsp close count=1
    rc=0
    post "$LTV_OCSP_URL" application/ocsp-request "$T/oq.der" "$T/x" >/dev/null 2>&1 || rc=$?
    [ "$rc" = 52 ] || die "curl exit $rc against close mode, expected 52"
    # delay: a normal answer, late; wrongtype: the real answer, as text/html.
    ltv_fault ocsp delay seconds=1 count=1
    t0=$(date +%s%N)
    res=$(post "$LTV_OCSP_URL" application/ocsp-request "$T/oq.der" "$T/d.der")
    [ "$res" = "200 application/ocsp-response" ] || die "delay mode answered '$res'"
    [ $(($(date +%s%N) - t0)) -ge 900000000 ] || die "delay mode did not delay"
    openssl ocsp -respin "$T/d.der" -resp_text -noverify >/dev/null 2>&1 || die "delay mode: not an OCSP response"
    ltv_fault crl wrongtype count=1
    res=$(curl --noproxy '*' -sS --max-time 20 -o "$T/w.crl" -w '%{http_code} %{content_type}' "$LTV_CRL_URL")
    [ "$res" = "200 text/html" ] || die "wrongtype mode answered '$res'"
    openssl crl -inform DER -in "$T/w.crl" -noout || die "wrongtype mode: not the CRL"
    ltv_fault crl status status=404
    [ "$(curl --noproxy '*' -s -o /dev/null -w '%{http_code}' "$LTV_CRL_URL")" = 404 ] || die "CRL fault 404"
    ltv_fault crl ok
    [ "$(curl --noproxy '*' -s -o /dev/null -w '%{http_code}' "$LTV_CRL_URL")" = 200 ] || die "CRL back to ok"
    # Down: connection refused on the same URL; up again.
    ltv_down tsa
    rc=0
    curl --noproxy '*' -s --max-time 5 -o /dev/null "$LTV_TSA_URL" || rc=$?
    [ "$rc" = 7 ] || die "curl exit $rc against a stopped TSA, expected 7 (refused)"
    ltv_up tsa
    res=$(post "$LTV_TSA_URL" application/timestamp-query "$T/q.tsq" "$T/u.tsr")
    [ "$res" = "200 application/timestamp-reply" ] || die "TSA not back after ltv_up: '$res'"
    ltv_fault tsa status count=0
    ltv_reset
    res=$(post "$LTV_TSA_URL" application/timestamp-query "$T/q.tsq" "$T/u.tsr")
    [ "$res" = "200 application/timestamp-reply" ] || die "faults not cleared by ltv_reset: '$res'"
    # Bad control requests are refused.
    ! ltv_fault nosuch status 2>/dev/null || die "unknown service accepted"
    ! ltv_fault tsa explode 2>/dev/null || die "unknown mode accepted"
}

case_protocol_faults() {
    local res out
    # rejected: status rejection in a well-formed TimeStampResp.
    ltv_fault tsa rejected count=1
    res=$(post "$LTV_TSA_URL" application/timestamp-query "$T/q.tsq" "$T/rj.tsr")
    [ "$res" = "200 application/timestamp-reply" ] || die "rejected mode answered '$res'"
    openssl ts -reply -in "$T/rj.tsr" -text 2>/dev/null | grep '^Status: Rejected' >/dev/null || die "not a rejection"
    # mismatch: a granted, validly signed token for another query.
    ltv_fault tsa mismatch count=1
    post "$LTV_TSA_URL" application/timestamp-query "$T/q.tsq" "$T/mm.tsr" >/dev/null
    openssl ts -reply -in "$T/mm.tsr" -text >"$T/mm.txt" 2>/dev/null
    grep -q '^Status: Granted' "$T/mm.txt" || die "mismatch: not granted"
    ! openssl ts -verify -in "$T/mm.tsr" -queryfile "$T/q.tsq" -CAfile "$P/root.pem" >/dev/null 2>&1 \
        || die "mismatch: the token verifies against the query"
    [ "$(sed -n 's/^Nonce: //p' "$T/mm.txt")" != "$(openssl ts -query -in "$T/q.tsq" -text 2>/dev/null | sed -n 's/^Nonce: //p')" ] \
        || die "mismatch: same nonce"
    # rogue: well-formed and verifiable, but only against the rogue CA.
    ltv_fault tsa rogue count=1
    post "$LTV_TSA_URL" application/timestamp-query "$T/q.tsq" "$T/rg.tsr" >/dev/null
    ! openssl ts -verify -in "$T/rg.tsr" -queryfile "$T/q.tsq" -CAfile "$P/root.pem" >/dev/null 2>&1 \
        || die "rogue: the token verifies against the LTV root"
    openssl ts -verify -in "$T/rg.tsr" -queryfile "$T/q.tsq" -CAfile "$P/rogue/ca.pem" >/dev/null 2>&1 \
        || die "rogue: the token is not a valid token of the rogue TSA"
    post "$LTV_TSA_URL" application/timestamp-query "$T/q.tsq" "$T/ok.tsr" >/dev/null
    openssl ts -verify -in "$T/ok.tsr" -queryfile "$T/q.tsq" -CAfile "$P/root.pem" >/dev/null 2>&1 \
        || die "the TSA did not return to normal after count=1"
    # OCSP: tryLater, unauthorized; a response signed outside the PKI.
    for m in trylater:3 unauthorized:6; do
        ltv_fault ocsp "${m%%:*}" count=1
        post "$LTV_OCSP_URL" application/ocsp-request "$T/oq.der" "$T/st.der" >/dev/null
        out=$(openssl ocsp -respin "$T/st.der" -resp_text -noverify 2>&1 || true)
        grep -q "Responder Error: ${m%%:*} (${m#*:})" <<<"$out" || die "${m%%:*}: $out"
    done
    ltv_fault ocsp rogue count=1
    out=$(openssl ocsp -issuer "$P/issuing.pem" -cert "$P/signer2.pem" -url "$LTV_OCSP_URL" \
        -CAfile "$P/root.pem" 2>&1 || true)
    grep -q 'Response Verify Failure' <<<"$out" || die "rogue OCSP response verified: $out"
    [ "$(ocsp_status "$P/signer2.pem")" != "" ] || die "OCSP not back to normal"
    ! ltv_fault crl rogue 2>/dev/null || die "a TSA/OCSP-only mode accepted for the CRL server"
}

case_nssdb() {
    # The helpers for pdfsig: an NSS database trusting the LTV root; an
    # unsigned file is refused.
    if (ltv_check_pdfsig "$FIX/pdf/one.pdf" 1) >/dev/null 2>&1; then die "ltv_check_pdfsig accepted an unsigned PDF"; fi
    certutil -L -d "sql:$LTV_DIR/nssdb" | grep 'libseal LTV Root CA *CT,C,C' >/dev/null || die "the LTV root is not trusted in nssdb"
    # ltvcheck.py (ltv_check) refuses a file without signatures at any level.
    cp "$FIX/pdf/one.pdf" "$T/unsigned.pdf"
    for l in B-T B-LT B-LTA; do
        if ltv_check "$T/unsigned.pdf" "$l" 2>/dev/null; then die "ltv_check accepted an unsigned PDF as $l"; fi
    done
    jq -e '.errors | length > 0' "$T/unsigned.pdf.ltvcheck.json" >/dev/null || die "no errors in the ltvcheck report"
}

case_proxy() {
    local res n_tsa n_proxy rc
    n_tsa=$(ltv_requests tsa) n_proxy=$(ltv_requests proxy)
    # By name: tsa.ltv.test resolves nowhere, so an answer came through the proxy.
    res=$(curl --noproxy "" --proxy "$LTV_PROXY_URL" -sS --max-time 20 -H 'Content-Type: application/timestamp-query' \
        --data-binary "@$T/q.tsq" -o "$T/px.tsr" -w '%{http_code} %{content_type}' http://tsa.ltv.test/)
    [ "$res" = "200 application/timestamp-reply" ] || die "TSA through the proxy answered '$res'"
    openssl ts -verify -in "$T/px.tsr" -queryfile "$T/q.tsq" -CAfile "$P/root.pem" >/dev/null 2>&1 \
        || die "the proxied reply does not verify"
    [ "$(ltv_requests tsa)" = $((n_tsa + 1)) ] && [ "$(ltv_requests proxy)" = $((n_proxy + 1)) ] \
        || die "counts: tsa $(ltv_requests tsa), proxy $(ltv_requests proxy)"
    # http_proxy from the environment (curl, like libcurl, honours it), to the
    # loopback URLs in the certificates too; no_proxy (set by ltv_start) unset.
    res=$(env -u no_proxy -u NO_PROXY http_proxy="$LTV_PROXY_URL" \
        curl -sS --max-time 20 -o "$T/px.crl" -w '%{http_code}' "$LTV_CRL_URL")
    [ "$res" = 200 ] && openssl crl -inform DER -in "$T/px.crl" -noout || die "CRL through http_proxy: '$res'"
    [ "$(ltv_requests proxy)" = $((n_proxy + 2)) ] || die "the CRL request did not go through the proxy"
    # Only its own services; no CONNECT.
    res=$(curl --noproxy "" --proxy "$LTV_PROXY_URL" -s --max-time 20 -o /dev/null -w '%{http_code}' http://example.com/) || true
    [ "$res" = 403 ] || die "proxy to example.com answered '$res'"
    res=$(curl --noproxy "" --proxy "$LTV_PROXY_URL" -s --max-time 20 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$LTV_CTL_PORT/ping") || true
    [ "$res" = 403 ] || die "proxy to the control port answered '$res'"
    rc=0
    curl --noproxy "" --proxy "$LTV_PROXY_URL" -s --max-time 5 -o /dev/null https://tsa.ltv.test/ || rc=$?
    [ "$rc" != 0 ] || die "CONNECT accepted"
    # A proxy that is down: connection refused.
    ltv_down proxy
    rc=0
    curl --noproxy "" --proxy "$LTV_PROXY_URL" -s --max-time 5 -o /dev/null http://crl.ltv.test/issuing.crl || rc=$?
    [ "$rc" = 7 ] || die "curl exit $rc through a stopped proxy, expected 7"
    ltv_up proxy
}

case_stop() {
    local pid=$LTV_SERVE_PID port=$LTV_TSA_PORT rc
    # Stopping while a request hangs is still prompt.
    ltv_fault tsa hang seconds=60
    (curl --noproxy '*' -s --max-time 30 -H 'Content-Type: application/timestamp-query' \
        --data-binary "@$T/q.tsq" -o /dev/null "$LTV_TSA_URL" || true) &
    sleep 0.5
    t0=$SECONDS
    ltv_stop
    [ $((SECONDS - t0)) -le 3 ] || die "ltv_stop took $((SECONDS - t0)) s"
    wait
    ! kill -0 "$pid" 2>/dev/null || die "server $pid still running"
    [ ! -e "$LTV_DIR/serve.env" ] || die "serve.env left behind"
    grep -q '"stopped": "signal"' "$LTV_DIR/serve.log" || die "no clean shutdown in serve.log"
    [ -z "$(ls -d "$P"/ltvserve.* 2>/dev/null)" ] || die "scratch directory left behind"
    rc=0
    curl --noproxy '*' -s --max-time 5 -o /dev/null "http://127.0.0.1:$port/" || rc=$?
    [ "$rc" = 7 ] || die "port $port still answers (curl $rc)"
    # Started again on the same PKI (same OCSP and CRL ports): the revocations stay.
    ltv_start "$LTV_DIR"
    [ "$(ocsp_status "$P/signer.pem")" = revoked ] || die "signer not revoked after restart"
    ltv_stop
}

case_watch() {
    # The server ends by itself when the shell that started it is gone.
    local d=$T/watch pid
    bash -c ". '$TOOLS/ltvctl.sh'; ltv_start '$d' >/dev/null; echo \$LTV_SERVE_PID >'$d.pid'; trap - EXIT"
    pid=$(cat "$d.pid")
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    ! kill -0 "$pid" 2>/dev/null || { kill "$pid"; die "server $pid outlived its shell"; }
    grep -q 'watched process' "$d/serve.log" || die "no 'watched process gone' in the log"
}

SECONDS=0
if ltv_start "$T/ltv"; then
    P=$LTV_PKI
    note "services up in ${SECONDS}s (PKI and server)"
fi
run_case "services start on loopback" case_start
if [ -n "$P" ]; then
    run_case "PKI: chains, AIA OCSP, CRL DP, TSA and responder EKUs, PKCS#12" case_pki
    run_case "TSA: openssl ts -verify accepts the reply (nonce, policy, certs, ESSCertIDv2)" case_tsa
    run_case "TSA: junk rejected RFC 3161-style, wrong Content-Type and GET refused" case_tsa_bad_requests
    run_case "OCSP: good, signed by the responder, POST and GET, nonce, malformedRequest" case_ocsp_good
    run_case "CRL: DER CRLs and CA certificates served, verified; nothing else" case_crl
    run_case "revocation shows at once in OCSP and the CRLs; back-dated revocation; the issuing CA" case_revoke
    run_case "fault modes: HTTP 500, hang, time-out, garbage, close, delay, wrong type, down/up, reset" case_faults
    run_case "protocol faults: rejected, mismatched and rogue tokens; tryLater, rogue OCSP" case_protocol_faults
    run_case "HTTP proxy: forwards to the services only (by name and loopback URL), down/up" case_proxy
    run_case "check helpers: NSS database trusting the LTV root; ltvcheck.py refuses an unsigned file" case_nssdb
    run_case "ltv_stop is prompt and clean; restart keeps the revocations" case_stop
    run_case "the server exits when its shell is gone" case_watch
fi
finish
