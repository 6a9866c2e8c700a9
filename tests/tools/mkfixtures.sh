#!/usr/bin/env bash
# Test fixtures: a test PKI, a SoftHSM2 token with keys generated inside it,
# a PKCS#12 file, an NSS database for pdfsig, sample PDFs and seal artwork.
#
#   mkfixtures.sh FIXDIR FAKEP11_MODULE
#
# FIXDIR is removed and made afresh. Debian tools only: openssl, softhsm2-util,
# pkcs11-tool (opensc), certutil (libnss3-tools), qpdf, python3 (stdlib).
#
# Layout of FIXDIR:
#   ca/root.pem ca/root.key ca/inter.pem ca/inter.key   test root and intermediate CA
#   chain.pem                                           intermediate + root
#   softhsm2.conf tokens/                               private SoftHSM2 configuration
#   pin.txt badpin.txt sopin.txt                        user PIN 123456, a wrong one, SO PIN
#   certs/<label>.pem                                   token certificates (and p12.pem)
#   signer.p12 p12pass.txt                              PKCS#12 (CN=李四), password p12pass
#   nssdb/                                              NSS db: root trusted CT,C,C
#   pdf/*.pdf art/*.pdf                                 test documents and seal artwork
#   keys.env                                            shell-sourceable key URIs
#
# Token "SealToken" objects (private key, public key and certificate share
# CKA_ID and CKA_LABEL; every key pair is generated in the token and the
# request for its certificate is signed by the token):
#   company    01 RSA-2048   KU digitalSignature,nonRepudiation  CN=某某建设工程有限公司 company-seal
#   legalrep   02 EC P-256   KU digitalSignature,nonRepudiation  CN=张三
#   encryption 03 RSA-2048   KU keyEncipherment,dataEncipherment (the company's encryption cert)
#   expired    04 RSA-2048   certificate expired yesterday
#   expiring   05 RSA-2048   certificate expires in 10 days
# plus the intermediate (ca01) and root (ca02) CA certificates, without keys.
# Token "BareToken": key "bare" (01, RSA-2048, CN=... bare) and its
# certificate only, as most CA tokens hold no CA certificates.
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: mkfixtures.sh FIXDIR FAKEP11_MODULE" >&2
    exit 2
fi
FIX=$1 FAKEP11=$2
case $FAKEP11 in /*) ;; *) FAKEP11=$PWD/$FAKEP11 ;; esac
case $FIX in ""|/|.|..) echo "mkfixtures: refusing to use '$FIX'" >&2; exit 2 ;; esac
TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

SOFTHSM=${SOFTHSM2_MODULE:-}
if [ -z "$SOFTHSM" ]; then
    for m in /usr/lib/softhsm/libsofthsm2.so /usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so \
             /usr/lib/"$(uname -m)"-linux-gnu/softhsm/libsofthsm2.so; do
        if [ -f "$m" ]; then SOFTHSM=$m; break; fi
    done
fi
[ -n "$SOFTHSM" ] || { echo "mkfixtures: libsofthsm2.so not found (apt-get install softhsm2)" >&2; exit 1; }
for tool in openssl softhsm2-util pkcs11-tool certutil qpdf python3; do
    command -v "$tool" >/dev/null || { echo "mkfixtures: $tool not found" >&2; exit 1; }
done

rm -rf "$FIX"
mkdir -p "$FIX"
FIX=$(cd "$FIX" && pwd)
mkdir -p "$FIX"/{ca/db,certs,tokens,pdf,art,work}
W=$FIX/work
SECONDS=0

step() { printf 'mkfixtures: %s\n' "$*"; }
stamp() { date -u -d "$1" +%Y%m%d%H%M%SZ; }

# ---------------------------------------------------------------- the PKI
cat > "$FIX/ca/openssl.cnf" <<'EOF'
[req]
distinguished_name = req_dn
string_mask = utf8only
utf8 = yes
prompt = no
[req_dn]
CN = unused

[ca]
default_ca = inter_ca
[inter_ca]
dir = .
database = $dir/db/index.txt
new_certs_dir = $dir/db
serial = $dir/db/serial
default_md = sha256
policy = policy_any
unique_subject = no
email_in_dn = no
copy_extensions = none
string_mask = utf8only
utf8 = yes
[policy_any]
countryName = optional
organizationName = optional
organizationalUnitName = optional
commonName = supplied

[v3_root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_inter]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[v3_sign]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[v3_enc]
basicConstraints = critical,CA:FALSE
keyUsage = critical,keyEncipherment,dataEncipherment
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF
CNF=$FIX/ca/openssl.cnf
: > "$FIX/ca/db/index.txt"
echo 1001 > "$FIX/ca/db/serial"

step "test PKI"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$FIX/ca/root.key" 2>/dev/null
openssl req -config "$CNF" -x509 -new -utf8 -key "$FIX/ca/root.key" -sha256 -days 3650 \
    -subj "/C=CN/O=libseal test PKI/CN=libseal Test Root CA" \
    -extensions v3_root -set_serial 1 -out "$FIX/ca/root.pem"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$FIX/ca/inter.key" 2>/dev/null
openssl req -config "$CNF" -new -utf8 -key "$FIX/ca/inter.key" \
    -subj "/C=CN/O=libseal test PKI/CN=libseal Test Signing CA" -out "$W/inter.csr"
openssl x509 -req -in "$W/inter.csr" -CA "$FIX/ca/root.pem" -CAkey "$FIX/ca/root.key" -sha256 \
    -days 3640 -set_serial 2 -extfile "$CNF" -extensions v3_inter -out "$FIX/ca/inter.pem" 2>/dev/null
cat "$FIX/ca/inter.pem" "$FIX/ca/root.pem" > "$FIX/chain.pem"

# issue CSR CERT_OUT EXTENSIONS START END: the intermediate signs.
issue() {
    (cd "$FIX/ca" && openssl ca -config "$CNF" -batch -notext -preserveDN -md sha256 \
        -cert inter.pem -keyfile inter.key -in "$1" -out "$2" -extensions "$3" \
        -startdate "$4" -enddate "$5" 2>"$W/ca.log") || { cat "$W/ca.log" >&2; exit 1; }
}

# ---------------------------------------------------------------- the token
step "SoftHSM2 token SealToken ($SOFTHSM)"
cat > "$FIX/softhsm2.conf" <<EOF
directories.tokendir = $FIX/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
EOF
export SOFTHSM2_CONF=$FIX/softhsm2.conf
printf '123456\n' > "$FIX/pin.txt"
printf '654321\n' > "$FIX/badpin.txt"
printf '12345678\n' > "$FIX/sopin.txt"
softhsm2-util --init-token --free --label SealToken --pin 123456 --so-pin 12345678 >/dev/null

TOKEN=SealToken
p11() { pkcs11-tool --module "$SOFTHSM" --token-label "$TOKEN" --login --pin 123456 "$@"; }

# token_cert LABEL ID KEYTYPE EXTENSIONS START END RDN...
token_cert() {
    local label=$1 id=$2 type=$3 ext=$4 start=$5 end=$6
    shift 6
    p11 --keypairgen --key-type "$type" --id "$id" --label "$label" >/dev/null 2>"$W/p11.log" \
        || { cat "$W/p11.log" >&2; exit 1; }
    pkcs11-tool --module "$SOFTHSM" --token-label "$TOKEN" --read-object --type pubkey \
        --id "$id" -o "$W/$label.pub.der" >/dev/null 2>&1
    python3 "$TOOLS/mkcsr.py" tbs "$W/$label.pub.der" "$W/$label.tbs" "$@"
    case $type in
    rsa:*)
        p11 --sign -m SHA256-RSA-PKCS --id "$id" -i "$W/$label.tbs" -o "$W/$label.sig" >/dev/null 2>&1
        python3 "$TOOLS/mkcsr.py" assemble "$W/$label.tbs" "$W/$label.sig" rsa "$W/$label.csr" ;;
    EC:*)
        # SoftHSM2 has no CKM_ECDSA_SHA256: hash here, sign the hash with CKM_ECDSA.
        openssl dgst -sha256 -binary "$W/$label.tbs" > "$W/$label.hash"
        p11 --sign -m ECDSA --signature-format openssl --id "$id" -i "$W/$label.hash" \
            -o "$W/$label.sig" >/dev/null 2>&1
        python3 "$TOOLS/mkcsr.py" assemble "$W/$label.tbs" "$W/$label.sig" ec "$W/$label.csr" ;;
    esac
    openssl req -in "$W/$label.csr" -noout -verify 2>/dev/null \
        || { echo "mkfixtures: token-signed request for $label does not verify" >&2; exit 1; }
    issue "$W/$label.csr" "$FIX/certs/$label.pem" "$ext" "$start" "$end"
    openssl x509 -in "$FIX/certs/$label.pem" -outform DER -out "$W/$label.cer"
    p11 --write-object "$W/$label.cer" --type cert --id "$id" --label "$label" >/dev/null 2>&1
}

COMPANY=某某建设工程有限公司
NOW_1D=$(stamp '1 day ago')
IN_2Y=$(stamp '2 years')
token_cert company 01 rsa:2048 v3_sign "$NOW_1D" "$IN_2Y" C=CN "O=$COMPANY" "CN=$COMPANY company-seal"
token_cert legalrep 02 EC:prime256v1 v3_sign "$NOW_1D" "$IN_2Y" C=CN "O=$COMPANY" "CN=张三"
token_cert encryption 03 rsa:2048 v3_enc "$NOW_1D" "$IN_2Y" C=CN "O=$COMPANY" "CN=$COMPANY company-seal"
token_cert expired 04 rsa:2048 v3_sign "$(stamp '1 year ago')" "$(stamp '1 day ago')" \
    C=CN "O=$COMPANY" "CN=$COMPANY expired"
token_cert expiring 05 rsa:2048 v3_sign "$(stamp '355 days ago')" "$(stamp '10 days')" \
    C=CN "O=$COMPANY" "CN=$COMPANY expiring"

# The CA certificates too, as CA tokens carry them (no keys), so a signer can
# put the chain into its CMS.
openssl x509 -in "$FIX/ca/inter.pem" -outform DER -out "$W/inter.cer"
openssl x509 -in "$FIX/ca/root.pem" -outform DER -out "$W/root.cer"
p11 --write-object "$W/inter.cer" --type cert --id ca01 --label "libseal Test Signing CA" >/dev/null 2>&1
p11 --write-object "$W/root.cer" --type cert --id ca02 --label "libseal Test Root CA" >/dev/null 2>&1

# A second token like most CA keys: the signer's key and certificate only,
# no CA certificates (the chain must come from elsewhere, e.g. --chain).
softhsm2-util --init-token --free --label BareToken --pin 123456 --so-pin 12345678 >/dev/null
TOKEN=BareToken
token_cert bare 01 rsa:2048 v3_sign "$NOW_1D" "$IN_2Y" C=CN "O=$COMPANY" "CN=$COMPANY bare"
TOKEN=SealToken

# ---------------------------------------------------------------- PKCS#12
step "PKCS#12 signer.p12"
mkdir -p "$FIX/keys"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$FIX/keys/p12.key" 2>/dev/null
openssl req -config "$CNF" -new -utf8 -key "$FIX/keys/p12.key" -subj "/C=CN/O=$COMPANY/CN=李四" \
    -out "$W/p12.csr"
issue "$W/p12.csr" "$FIX/certs/p12.pem" v3_sign "$NOW_1D" "$IN_2Y"
printf 'p12pass\n' > "$FIX/p12pass.txt"
openssl pkcs12 -export -inkey "$FIX/keys/p12.key" -in "$FIX/certs/p12.pem" -certfile "$FIX/chain.pem" \
    -name "李四" -passout pass:p12pass -keypbe AES-256-CBC -certpbe AES-256-CBC -macalg sha256 \
    -out "$FIX/signer.p12"

# ---------------------------------------------------------------- NSS db
step "NSS database for pdfsig"
mkdir -p "$FIX/nssdb"
certutil -N -d "sql:$FIX/nssdb" --empty-password
certutil -A -d "sql:$FIX/nssdb" -n "libseal Test Root CA" -t "CT,C,C" -i "$FIX/ca/root.pem"
certutil -A -d "sql:$FIX/nssdb" -n "libseal Test Signing CA" -t ",," -i "$FIX/ca/inter.pem"
for c in company legalrep encryption expired expiring bare p12; do
    certutil -A -d "sql:$FIX/nssdb" -n "$c" -t ",," -i "$FIX/certs/$c.pem"
done

# ---------------------------------------------------------------- PDFs
step "PDFs and seal artwork"
P=$FIX/pdf
python3 "$TOOLS/mkpdf.py" "$P/one.pdf"
python3 "$TOOLS/mkpdf.py" "$P/three.pdf" --pages 3
python3 "$TOOLS/mkpdf.py" "$P/rotate90.pdf" --rotate 90
python3 "$TOOLS/mkpdf.py" "$P/cropbox.pdf" --mediabox 0,0,700,900 --cropbox 50,60,645,902
qpdf --encrypt upw opw 256 -- "$P/one.pdf" "$P/encrypted.pdf"
qpdf --object-streams=generate "$P/three.pdf" "$P/xrefstream.pdf"
qpdf --linearize "$P/three.pdf" "$P/linearized.pdf"
printf 'This is a plain text file, not a PDF.\n' > "$P/notpdf.pdf"
size=$(stat -c %s "$P/one.pdf")
head -c $((size / 2)) "$P/one.pdf" > "$P/truncated.pdf"
python3 "$TOOLS/mkart.py" company "$FIX/art/company.pdf"
python3 "$TOOLS/mkart.py" legalrep "$FIX/art/legalrep.pdf"
python3 "$TOOLS/mkart.py" twopage "$FIX/art/twopage.pdf"

cat > "$FIX/keys.env" <<EOF
# Key URIs for the fixtures (source this file).
SOFTHSM2_MODULE='$SOFTHSM'
KEY_COMPANY='pkcs11:token=SealToken;object=company?module-path=$SOFTHSM'
KEY_LEGALREP='pkcs11:token=SealToken;object=legalrep?module-path=$SOFTHSM'
KEY_ENCRYPTION='pkcs11:token=SealToken;object=encryption?module-path=$SOFTHSM'
KEY_EXPIRED='pkcs11:token=SealToken;object=expired?module-path=$SOFTHSM'
KEY_EXPIRING='pkcs11:token=SealToken;object=expiring?module-path=$SOFTHSM'
KEY_BARE='pkcs11:token=BareToken;object=bare?module-path=$SOFTHSM'
KEY_P12='p12:$FIX/signer.p12'
FAKEP11='$FAKEP11'
EOF

# ---------------------------------------------------------------- self-check
step "self-check"
fail() { echo "mkfixtures: self-check failed: $*" >&2; exit 1; }
for c in company legalrep encryption expiring bare p12; do
    openssl verify -CAfile "$FIX/ca/root.pem" -untrusted "$FIX/ca/inter.pem" "$FIX/certs/$c.pem" \
        >/dev/null 2>&1 || fail "certs/$c.pem does not verify"
done
out=$(openssl verify -CAfile "$FIX/ca/root.pem" -untrusted "$FIX/ca/inter.pem" \
      "$FIX/certs/expired.pem" 2>&1 || true)
grep -q 'certificate has expired' <<<"$out" || fail "certs/expired.pem is not expired"
objs=$(p11 --list-objects 2>/dev/null)
[ "$(grep -c '^Private Key Object' <<<"$objs")" = 5 ] || fail "token does not hold 5 private keys"
[ "$(grep -c '^Certificate Object' <<<"$objs")" = 7 ] || fail "token does not hold 7 certificates"
out=$(openssl pkcs12 -in "$FIX/signer.p12" -passin pass:p12pass -nokeys 2>/dev/null || true)
[ "$(grep -c 'BEGIN CERTIFICATE' <<<"$out")" = 3 ] || fail "signer.p12 does not hold 3 certificates"
for f in one three rotate90 cropbox xrefstream linearized; do
    qpdf --check "$P/$f.pdf" >/dev/null || fail "pdf/$f.pdf"
done
for f in company legalrep twopage; do
    qpdf --check "$FIX/art/$f.pdf" >/dev/null || fail "art/$f.pdf"
done
if [ -f "$FAKEP11" ] && readelf -d "$FAKEP11" 2>/dev/null | grep -Eq 'NEEDED.*lib(a|ub|t|l)san'; then
    # A sanitizer build: the module needs the sanitizer runtime loaded first,
    # which pkcs11-tool does not have; seal (built the same way) loads it fine.
    step "fake module built with sanitizers: not loaded into pkcs11-tool"
elif [ -f "$FAKEP11" ]; then
    out=$(env -u FAKEP11_MODE -u FAKEP11_LOG pkcs11-tool --module "$FAKEP11" --list-token-slots 2>&1 || true)
    grep -q 'FakeToken' <<<"$out" || fail "fake module $FAKEP11 shows no FakeToken: $out"
else
    echo "mkfixtures: warning: fake module $FAKEP11 not built" >&2
fi
rm -rf "$W"
step "done in ${SECONDS}s: $FIX"
