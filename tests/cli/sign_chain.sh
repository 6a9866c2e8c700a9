#!/usr/bin/env bash
# Most CA tokens hold the signer's certificate but not its CA chain. The
# signer completes it — from the token, --chain CA.pem, SEAL_CA_PATH, the
# system trust store, and the certificate's AIA caIssuers URL (served here
# on loopback by tests/tools/ltvserve.py, which counts the requests) — so
# the CMS holds every intermediate and verifies against the root alone:
# openssl cms -verify, pdfsig with an NSS database holding only the root,
# and seal verify --trust root.pem.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=../tools/ltvctl.sh
. "$TOOLS/ltvctl.sh"
require pdfsig openssl python3 jq certutil softhsm2-util pkcs11-tool

ONE=$FIX/pdf/one.pdf

with_chain_option() {
    expect_exit 0 "$SEAL" sign "$ONE" -o "$T/bare.pdf" --key "$KEY_BARE" --pin-file "$FIX/pin.txt" \
        --chain "$FIX/chain.pem"
    expect_quiet
    check_prefix "$ONE" "$T/bare.pdf"
    check_pdfsig "$T/bare.pdf" 1
    check_cms "$T/bare.pdf" 1
}

chain_file_unusable() {
    expect_failure 4 'chain|certificate|notpdf' "$ONE" -- sign "$ONE" -o @OUT@ --key "$KEY_BARE" \
        --pin-file "$FIX/pin.txt" --chain "$FIX/pdf/notpdf.pdf"
}

# ---------------------------------------------------------------- AIA
# The LTV test PKI: signer and signer2 (by "libseal LTV Issuing CA") carry
# AIA caIssuers http://127.0.0.1:CRL/issuing.cer; the issuing CA's names
# .../root.cer. Two SoftHSM2 tokens of our own: AiaToken holds signer's key
# and certificate only; AiaInter holds signer2's and the issuing CA's.
HSM=$T/hsm
AIA_READY=0

# hsm_token LABEL WHO [CA...]: a token with WHO's key (imported) and
# certificate, and the CA certificates named (LTV PKI file names).
hsm_token() {
    local label=$1 who=$2 ca n=1
    shift 2
    softhsm2-util --init-token --free --label "$label" --pin 123456 --so-pin 12345678 >/dev/null
    softhsm2-util --import "$LTV_PKI/$who.key" --token "$label" --label "$who" --id 01 \
        --pin 123456 >/dev/null
    openssl x509 -in "$LTV_PKI/$who.pem" -outform DER -out "$HSM/$label-$who.cer"
    pkcs11-tool --module "$SOFTHSM2_MODULE" --token-label "$label" --login --pin 123456 \
        --write-object "$HSM/$label-$who.cer" --type cert --id 01 --label "$who" >/dev/null 2>&1
    for ca in "$@"; do
        openssl x509 -in "$LTV_PKI/$ca.pem" -outform DER -out "$HSM/$label-$ca.cer"
        pkcs11-tool --module "$SOFTHSM2_MODULE" --token-label "$label" --login --pin 123456 \
            --write-object "$HSM/$label-$ca.cer" --type cert --id "ca0$n" --label "$ca" >/dev/null 2>&1
        n=$((n + 1))
    done
}

aia_setup() {
    ltv_start "$T/ltv" || return 1
    mkdir -p "$HSM/tokens" "$T/rootdb"
    printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' \
        "$HSM/tokens" >"$HSM/softhsm2.conf"
    SOFTHSM2_CONF=$HSM/softhsm2.conf hsm_token AiaToken signer
    SOFTHSM2_CONF=$HSM/softhsm2.conf hsm_token AiaInter signer2 issuing
    # NSS database with the root only (ltv_nssdb adds the issuing CA too).
    certutil -N -d "sql:$T/rootdb" --empty-password
    certutil -A -d "sql:$T/rootdb" -n "libseal LTV Root CA" -t "CT,C,C" -i "$LTV_ROOT"
    AIA_READY=1
}
if aia_setup >"$T/aia-setup.log" 2>&1; then :; else cat "$T/aia-setup.log"; fi
KEY_AIA="pkcs11:token=AiaToken;object=signer?module-path=$SOFTHSM2_MODULE"
KEY_AIA_INTER="pkcs11:token=AiaInter;object=signer2?module-path=$SOFTHSM2_MODULE"
ISSUING_DN='CN=libseal LTV Issuing CA,O=libseal LTV test PKI,C=CN'

# aia_hits NAME: requests for /NAME the caIssuers server has had.
aia_hits() {
    jq -r --arg p "/$1" 'select(.service == "crl" and .path == $p) | .path' "$LTV_DIR/serve.log" | grep -c . || true
}

aia_case() {
    [ "$AIA_READY" = 1 ] || die "LTV services or test tokens not set up"
    export SOFTHSM2_CONF=$HSM/softhsm2.conf
    ltv_up crl
}

# aia_sign OUT KEY [SEAL-OPTIONS...]: signs one.pdf with no warning.
aia_sign() {
    local out=$1 key=$2
    shift 2
    expect_exit 0 "$SEAL" sign "$ONE" -o "$out" --key "$key" --pin-file "$FIX/pin.txt" "$@"
    expect_quiet
    [ ! -s "$T/stderr" ] || { show_output; die "a warning although the chain is complete"; }
}

# check_root_only FILE: with the caIssuers server down (so no verifier can
# fetch what the CMS lacks), the CMS holds the issuing CA and verifies
# against the root alone in OpenSSL, pdfsig and seal verify.
check_root_only() {
    local f=$1 dir=$T/cms.$RANDOM
    ltv_down crl
    python3 "$TOOLS/pdfsigs.py" "$f" --extract "$dir" >/dev/null || die "pdfsigs.py failed on $f"
    openssl pkcs7 -inform DER -in "$dir/sig1.der" -print_certs -noout >"$dir/certs" 2>&1 \
        || die "openssl pkcs7 cannot read the CMS"
    grep -q "subject=.*CN = libseal LTV Issuing CA" "$dir/certs" \
        || { sed 's/^/      | /' "$dir/certs"; die "the CMS lacks the issuing CA"; }
    openssl cms -verify -binary -inform DER -in "$dir/sig1.der" -content "$dir/sig1.bin" \
        -CAfile "$LTV_ROOT" -out /dev/null >"$dir/verify.log" 2>&1 \
        || { sed 's/^/      | /' "$dir/verify.log"; die "openssl cms -verify with the root alone failed"; }
    local out
    out=$(pdfsig -nssdir "sql:$T/rootdb" "$f" 2>&1 || true)
    grep -q 'Certificate Validation: Certificate is Trusted\.' <<<"$out" \
        || { sed 's/^/      | /' <<<"$out"; die "pdfsig with the root alone does not trust the certificate"; }
    expect_exit 0 "$SEAL" verify "$f" --trust "$LTV_ROOT" --json
    [ "$(jq -r '.signatures[0].indication' "$T/stdout")" = TOTAL-PASSED ] || die "seal verify: not TOTAL-PASSED"
    ltv_up crl
}

aia_der() {
    aia_case
    local n=$(aia_hits issuing.cer)
    aia_sign "$T/aia.pdf" "$KEY_AIA"
    [ "$(aia_hits issuing.cer)" = $((n + 1)) ] || die "issuing.cer fetched $(( $(aia_hits issuing.cer) - n )) times, expected once"
    check_root_only "$T/aia.pdf"
}

aia_pkcs7() {
    aia_case
    local crl=$LTV_PKI/crl
    cp "$crl/issuing.cer" "$T/issuing.cer.saved"
    openssl crl2pkcs7 -nocrl -certfile "$LTV_PKI/issuing.pem" -outform DER -out "$crl/.p7.tmp"
    mv -f "$crl/.p7.tmp" "$crl/issuing.cer"
    aia_sign "$T/aia-p7.pdf" "$KEY_AIA"
    cp "$T/issuing.cer.saved" "$crl/issuing.cer"
    check_root_only "$T/aia-p7.pdf"
}

aia_proxy() {
    aia_case
    local n=$(aia_hits issuing.cer) p=$(ltv_requests proxy)
    # The TSA client's proxy rules: http_proxy is used (no_proxy no longer
    # exempts loopback here).
    env -u no_proxy -u NO_PROXY http_proxy="$LTV_PROXY_URL" \
        "$SEAL" sign "$ONE" -o "$T/proxy.pdf" --key "$KEY_AIA" --pin-file "$FIX/pin.txt" \
        >"$T/stdout" 2>"$T/stderr" || { show_output; die "sign through the proxy failed"; }
    [ ! -s "$T/stderr" ] || { show_output; die "a warning through the proxy"; }
    [ "$(aia_hits issuing.cer)" = $((n + 1)) ] || die "issuing.cer not fetched once through the proxy"
    [ "$(ltv_requests proxy)" -gt "$p" ] || die "the proxy saw no request"
    check_root_only "$T/proxy.pdf"
}

aia_chain_option() {
    aia_case
    ltv_down crl
    aia_sign "$T/opt.pdf" "$KEY_AIA" --chain "$LTV_CHAIN"
    check_root_only "$T/opt.pdf"
}

aia_ca_path() {
    aia_case
    ltv_down crl
    mkdir -p "$T/capath"
    cp "$LTV_PKI/issuing.pem" "$T/capath/issuing.pem"
    openssl x509 -in "$LTV_ROOT" -outform DER -out "$T/capath/root.der"
    SEAL_CA_PATH=$T/capath aia_sign "$T/capath.pdf" "$KEY_AIA"
    check_root_only "$T/capath.pdf"
}

aia_token_inter() {
    aia_case
    local n=$(aia_hits issuing.cer) r=$(aia_hits root.cer)
    aia_sign "$T/inter.pdf" "$KEY_AIA_INTER"
    [ "$(aia_hits issuing.cer)" = "$n" ] || die "issuing.cer fetched although the token holds it"
    [ "$(aia_hits root.cer)" = $((r + 1)) ] || die "the root was not completed from the issuing CA's caIssuers"
    check_root_only "$T/inter.pdf"
}

aia_down() {
    aia_case
    ltv_down crl
    expect_exit 0 "$SEAL" sign "$ONE" -o "$T/down.pdf" --key "$KEY_AIA" --pin-file "$FIX/pin.txt"
    grep -q "^seal: warning: .*issuer '$ISSUING_DN' was not found.*caIssuers http://127.0.0.1:$LTV_CRL_PORT/issuing.cer failed" \
        "$T/stderr" || { show_output; die "the warning does not name the missing issuer and its URL"; }
    [ "$(grep -c . "$T/stderr")" = 1 ] || { show_output; die "more than the one warning"; }
    # B-LT needs the issuer for the revocation data: refused as before,
    # nothing written.
    expect_failure 6 'cannot reach' "$ONE" -- sign "$ONE" -o @OUT@ --key "$KEY_AIA" \
        --pin-file "$FIX/pin.txt" --level B-LT --tsa "$LTV_TSA_URL"
    ltv_up crl
    # Offline, the verifier cannot build the chain; --online completes it
    # from the same caIssuers URL and says so.
    expect_exit 3 "$SEAL" verify "$T/down.pdf" --trust "$LTV_ROOT" --json
    [ "$(jq -r '.signatures[0].subindication' "$T/stdout")" = NO_CERTIFICATE_CHAIN_FOUND ] \
        || die "offline: $(jq -c '.signatures[0] | [.indication, .subindication]' "$T/stdout")"
    expect_exit 0 "$SEAL" verify "$T/down.pdf" --trust "$LTV_ROOT" --online --json
    jq -r '.signatures[0].chain_fetched' "$T/stdout" | grep -F "$ISSUING_DN (http://127.0.0.1:$LTV_CRL_PORT/issuing.cer)" >/dev/null \
        || die "the JSON report does not say the issuer was fetched: $(jq -c '.signatures[0].chain_fetched' "$T/stdout")"
    expect_exit 0 "$SEAL" verify "$T/down.pdf" --trust "$LTV_ROOT" --online
    grep -q "fetched online (AIA).*libseal LTV Issuing CA" "$T/stdout" || die "the text report does not say so"
    # A directory of such files: one fetch for all of them.
    local n=$(aia_hits issuing.cer) i
    mkdir -p "$T/vdir"
    for i in 1 2 3 4 5 6; do cp "$T/down.pdf" "$T/vdir/bid$i.pdf"; done
    expect_exit 0 "$SEAL" verify "$T/vdir" --trust "$LTV_ROOT" --online
    [ "$(aia_hits issuing.cer)" = $((n + 1)) ] \
        || die "6 files verified fetched issuing.cer $(( $(aia_hits issuing.cer) - n )) times, expected once"
}

aia_batch() {
    aia_case
    local n=$(aia_hits issuing.cer) i
    mkdir -p "$T/batch/in" "$T/batch/out"
    for i in $(seq -w 1 300); do cp "$ONE" "$T/batch/in/f$i.pdf"; done
    expect_exit 0 "$SEAL" sign "$T"/batch/in/*.pdf -o "$T/batch/out/" --key "$KEY_AIA" \
        --pin-file "$FIX/pin.txt" --jobs 2
    [ "$(find "$T/batch/out" -name '*.pdf' | wc -l)" = 300 ] || die "$(find "$T/batch/out" -name '*.pdf' | wc -l) outputs"
    [ "$(aia_hits issuing.cer)" = $((n + 1)) ] \
        || die "300 files fetched issuing.cer $(( $(aia_hits issuing.cer) - n )) times, expected once"
    check_root_only "$T/batch/out/f150.pdf"
}

run_case "token without CA certificates, --chain chain.pem: chain in the CMS" with_chain_option
run_case "--chain file that holds no certificate is refused" chain_file_unusable
run_case "AIA caIssuers (DER): the intermediate fetched once, verifies with the root alone" aia_der
run_case "AIA caIssuers serving a PKCS#7 certs-only bundle" aia_pkcs7
run_case "AIA caIssuers through http_proxy, like the TSA client" aia_proxy
run_case "--chain with the AIA server down" aia_chain_option
run_case "SEAL_CA_PATH (PEM and DER files) with the AIA server down" aia_ca_path
run_case "token holding the intermediate: not fetched; the root completed by AIA" aia_token_inter
run_case "AIA down: the warning names the issuer; B-LT refuses; verify --online completes it" aia_down
run_case "a batch of 300 files fetches the issuer once" aia_batch
finish
