#!/usr/bin/env bash
# A test PKI for long-term signatures (B-T, B-LT, B-LTA): certificates that
# carry revocation pointers to services on loopback, a time-stamping
# authority, an OCSP responder certificate and an `openssl ca` database so
# certificates can be revoked later. Separate from mkfixtures.sh (whose
# certificates carry no URLs). openssl only; takes about a second.
#
#   ltvpki.sh OUTDIR                      make the PKI (OUTDIR is removed first)
#   ltvpki.sh revoke OUTDIR [WHO] [WHEN]  revoke WHO (signer, tsa, ocsp, signer2;
#                                         default signer; or issuing, by the root:
#                                         root.crl) and regenerate the CRLs;
#                                         WHEN (a `date -d` expression, default
#                                         now) back- or forward-dates the
#                                         revocation time in the database
#   ltvpki.sh crl OUTDIR                  regenerate both CRLs (fresh thisUpdate)
#
# Environment: LTV_OCSP_PORT (default 18960) and LTV_CRL_PORT (default 18961),
# the loopback ports written into the certificates (tests/tools/ltvctl.sh
# picks free ones); LTV_CRL_DAYS (default 7), the CRLs' nextUpdate;
# LTV_REVOKE_REASON (default keyCompromise; also superseded,
# cessationOfOperation, affiliationChanged, unspecified ...), for revoke.
#
# Layout of OUTDIR (PEM unless named .der/.crl/.cer):
#   root.pem root.key              root CA "libseal LTV Root CA" (self-signed)
#   issuing.pem issuing.key        issuing CA (by root); CRL DP .../root.crl
#   tsa.pem tsa.key                TSA (by issuing): EKU critical timeStamping,
#                                  KU digitalSignature; AIA OCSP + CRL DP
#   ocsp.pem ocsp.key              OCSP responder (by issuing): EKU OCSPSigning, ocsp-nocheck
#   signer.pem signer.key          signer RSA-2048 (by issuing): KU digitalSignature,
#                                  nonRepudiation; AIA OCSP http://127.0.0.1:OCSP/,
#                                  caIssuers .../issuing.cer; CRL DP .../issuing.crl
#   signer.p12 p12pass.txt         the signer as PKCS#12 with the chain (issuing, root)
#   signer2.pem signer2.key signer2.p12   a second signer like the first (never revoked
#                                  unless asked), e.g. for "B-B after revocation" contrasts
#   chain.pem                      issuing + root (the chain of signer, TSA and responder)
#   tsa-chain.pem                  issuing + root (what the TSA puts into its replies)
#   cafile.pem                     root only (the trust anchor)
#   tsa.cnf tsaserial              `openssl ts -reply` configuration (section tsa_config1)
#   ca.cnf db/                     `openssl ca` configuration and databases:
#                                  db/index.txt (issuing CA: signer, signer2, tsa, ocsp),
#                                  db/root-index.txt (root CA: issuing)
#   crl/issuing.crl crl/root.crl   the CRLs, DER (what the CRL server serves)
#   crl/issuing.cer crl/root.cer   the CA certificates, DER (AIA caIssuers targets)
#   rogue/ca.pem rogue/{tsa,ocsp}.{pem,key}   a CA outside the PKI named like the issuing
#                                  CA, and a TSA and responder named like the real ones
#                                  (same serials, other keys): ltvserve.py's "rogue" faults
#   serials.env                    SERIAL_SIGNER=… (hex, as the CRL and index list them)
#   env                            shell-sourceable: LTV_PKI, LTV_OCSP_PORT, LTV_CRL_PORT,
#                                  LTV_OCSP_URL, LTV_CRL_URL, LTV_ROOT_CRL_URL, LTV_P12, …
set -euo pipefail

usage() {
    sed -n '7,13p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

stamp() { date -u -d "$1" +%Y%m%d%H%M%SZ; }

# ca_issuing ARGS...: `openssl ca` with the issuing CA, in OUTDIR.
ca_issuing() {
    (cd "$OUT" && openssl ca -config ca.cnf -name issuing_ca -batch "$@") >"$OUT/work/ca.log" 2>&1 \
        || { cat "$OUT/work/ca.log" >&2; echo "ltvpki: openssl ca $* failed" >&2; exit 1; }
}
ca_root() {
    (cd "$OUT" && openssl ca -config ca.cnf -name root_ca -batch "$@") >"$OUT/work/ca.log" 2>&1 \
        || { cat "$OUT/work/ca.log" >&2; echo "ltvpki: openssl ca $* failed" >&2; exit 1; }
}

# gen_crls: both CRLs afresh, written to crl/ atomically (the CRL server may
# be reading them).
gen_crls() {
    local days=${LTV_CRL_DAYS:-7}
    ca_issuing -gencrl -crldays "$days" -crlexts crl_ext -md sha256 -out work/issuing.crl.pem
    ca_root -gencrl -crldays "$days" -crlexts crl_ext -md sha256 -out work/root.crl.pem
    openssl crl -in "$OUT/work/issuing.crl.pem" -outform DER -out "$OUT/crl/.issuing.crl.tmp"
    openssl crl -in "$OUT/work/root.crl.pem" -outform DER -out "$OUT/crl/.root.crl.tmp"
    mv -f "$OUT/crl/.issuing.crl.tmp" "$OUT/crl/issuing.crl"
    mv -f "$OUT/crl/.root.crl.tmp" "$OUT/crl/root.crl"
}

# ---------------------------------------------------------------- revoke / crl
if [ "${1:-}" = revoke ] || [ "${1:-}" = crl ]; then
    cmd=$1
    [ $# -ge 2 ] || usage
    OUT=$(cd "$2" && pwd)
    [ -f "$OUT/ca.cnf" ] || { echo "ltvpki: no PKI in $OUT" >&2; exit 1; }
    if [ "$cmd" = revoke ]; then
        who=${3:-signer} when=${4:-}
        case $who in
        signer|signer2|tsa|ocsp) ca=ca_issuing db=$OUT/db/index.txt ;;
        issuing) ca=ca_root db=$OUT/db/root-index.txt ;; # by the root: root.crl lists it
        *) echo "ltvpki: cannot revoke '$who'" >&2; exit 2 ;;
        esac
        serial=$(openssl x509 -in "$OUT/$who.pem" -noout -serial | cut -d= -f2)
        if awk -F'\t' -v s="$serial" '$1 == "R" && $4 == s { f = 1 } END { exit !f }' "$db"; then
            echo "ltvpki: $who ($serial) is already revoked" >&2
        else
            "$ca" -revoke "$who.pem" -crl_reason "${LTV_REVOKE_REASON:-keyCompromise}"
        fi
        if [ -n "$when" ]; then
            # The database keeps the revocation time as UTCTime YYMMDDHHMMSSZ
            # (field 3, followed by ",reason"). Rewrite it, then replace the
            # file by rename, as openssl ca does.
            t=$(date -u -d "$when" +%y%m%d%H%M%SZ)
            awk -F'\t' -v OFS='\t' -v s="$serial" -v t="$t" \
                '$1 == "R" && $4 == s { sub(/^[0-9]+Z/, t, $3) } { print }' \
                "$db" >"$db.when"
            mv -f "$db.when" "$db"
        fi
    fi
    gen_crls
    exit 0
fi

[ $# -eq 1 ] || usage
OUT=$1
case $OUT in ""|/|.|..) echo "ltvpki: refusing to use '$OUT'" >&2; exit 2 ;; esac
command -v openssl >/dev/null || { echo "ltvpki: openssl not found" >&2; exit 1; }
OCSP_PORT=${LTV_OCSP_PORT:-18960}
CRL_PORT=${LTV_CRL_PORT:-18961}
case $OCSP_PORT$CRL_PORT in *[!0-9]*) echo "ltvpki: ports must be numbers" >&2; exit 2 ;; esac

rm -rf "$OUT"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
mkdir -p "$OUT"/{db,crl,work}
OCSP_URL=http://127.0.0.1:$OCSP_PORT/
CRL_BASE=http://127.0.0.1:$CRL_PORT

cat >"$OUT/ca.cnf" <<EOF
# openssl ca / req configuration of the LTV test PKI (made by ltvpki.sh).
[req]
distinguished_name = req_dn
string_mask = utf8only
utf8 = yes
prompt = no
[req_dn]
CN = unused

[issuing_ca]
dir = .
database = \$dir/db/index.txt
new_certs_dir = \$dir/db
serial = \$dir/db/serial
crlnumber = \$dir/db/crlnumber
certificate = \$dir/issuing.pem
private_key = \$dir/issuing.key
default_md = sha256
default_crl_days = 7
policy = policy_any
unique_subject = no
email_in_dn = no
copy_extensions = none
string_mask = utf8only
utf8 = yes
[root_ca]
dir = .
database = \$dir/db/root-index.txt
new_certs_dir = \$dir/db
serial = \$dir/db/root-serial
crlnumber = \$dir/db/root-crlnumber
certificate = \$dir/root.pem
private_key = \$dir/root.key
default_md = sha256
default_crl_days = 7
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

[crl_ext]
authorityKeyIdentifier = keyid:always

[v3_root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_issuing]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
crlDistributionPoints = URI:$CRL_BASE/root.crl
authorityInfoAccess = caIssuers;URI:$CRL_BASE/root.cer
[v3_signer]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
authorityInfoAccess = OCSP;URI:$OCSP_URL,caIssuers;URI:$CRL_BASE/issuing.cer
crlDistributionPoints = URI:$CRL_BASE/issuing.crl
[v3_tsa]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
authorityInfoAccess = OCSP;URI:$OCSP_URL,caIssuers;URI:$CRL_BASE/issuing.cer
crlDistributionPoints = URI:$CRL_BASE/issuing.crl
[v3_ocsp]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = OCSPSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
noCheck = ignored
EOF

: >"$OUT/db/index.txt"
: >"$OUT/db/root-index.txt"
echo 2001 >"$OUT/db/serial"
echo 10 >"$OUT/db/root-serial"
echo 01 >"$OUT/db/crlnumber"
echo 01 >"$OUT/db/root-crlnumber"
cd "$OUT"
W=$OUT/work

key() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$OUT/$1.key" 2>/dev/null; }
NOW_1D=$(stamp '1 day ago')
IN_2Y=$(stamp '2 years')
IN_5Y=$(stamp '5 years')

# Root (self-signed, 10 years) and issuing CA (by root, via openssl ca so the
# root's database lists it and its CRL can revoke it).
key root
openssl req -config ca.cnf -x509 -new -utf8 -key root.key -sha256 -days 3650 -set_serial 1 \
    -subj "/C=CN/O=libseal LTV test PKI/CN=libseal LTV Root CA" -extensions v3_root -out root.pem
key issuing
openssl req -config ca.cnf -new -utf8 -key issuing.key \
    -subj "/C=CN/O=libseal LTV test PKI/CN=libseal LTV Issuing CA" -out "$W/issuing.csr"
ca_root -notext -preserveDN -in work/issuing.csr -out issuing.pem -extensions v3_issuing \
    -startdate "$(stamp '2 days ago')" -enddate "$(stamp '9 years')"

# issue NAME EXTENSIONS END SUBJECT: an end-entity key and certificate by the issuing CA.
issue() {
    key "$1"
    openssl req -config ca.cnf -new -utf8 -key "$1.key" -subj "$4" -out "$W/$1.csr"
    ca_issuing -notext -preserveDN -in "work/$1.csr" -out "$1.pem" -extensions "$2" \
        -startdate "$NOW_1D" -enddate "$3"
}
COMPANY=某某建设工程有限公司
DN_tsa="/C=CN/O=libseal LTV test PKI/CN=libseal LTV Time-Stamping Authority"
DN_ocsp="/C=CN/O=libseal LTV test PKI/CN=libseal LTV OCSP Responder"
issue tsa v3_tsa "$IN_5Y" "$DN_tsa"
issue ocsp v3_ocsp "$IN_2Y" "$DN_ocsp"
issue signer v3_signer "$IN_2Y" "/C=CN/O=$COMPANY/CN=王五"
issue signer2 v3_signer "$IN_2Y" "/C=CN/O=$COMPANY/CN=赵六"

# A rogue CA outside the PKI, with a TSA and an OCSP responder of the same
# names as the real ones but another key: what the fault modes "rogue" sign with.
mkdir -p rogue
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rogue/ca.key 2>/dev/null
openssl req -config ca.cnf -x509 -new -utf8 -key rogue/ca.key -sha256 -days 3650 -set_serial 666 \
    -subj "/C=CN/O=libseal LTV test PKI/CN=libseal LTV Issuing CA" -extensions v3_root -out rogue/ca.pem
for r in tsa ocsp; do
    cp rogue/ca.key "rogue/$r.key" # one key for all three: keys are what takes time here
    dn=DN_$r
    openssl req -config ca.cnf -new -utf8 -key "rogue/$r.key" -subj "${!dn}" -out "$W/rogue-$r.csr"
    openssl x509 -req -in "$W/rogue-$r.csr" -CA rogue/ca.pem -CAkey rogue/ca.key -sha256 -days 365 \
        -set_serial "0x$(openssl x509 -in "$r.pem" -noout -serial | cut -d= -f2)" \
        -extfile ca.cnf -extensions "v3_$r" -out "rogue/$r.pem" 2>/dev/null
done

cat issuing.pem root.pem >chain.pem
cp chain.pem tsa-chain.pem
cp root.pem cafile.pem
openssl x509 -in issuing.pem -outform DER -out crl/issuing.cer
openssl x509 -in root.pem -outform DER -out crl/root.cer

printf 'p12pass\n' >p12pass.txt
for s in signer signer2; do
    openssl pkcs12 -export -inkey "$s.key" -in "$s.pem" -certfile chain.pem -name "$s" \
        -passout pass:p12pass -keypbe AES-256-CBC -certpbe AES-256-CBC -macalg sha256 -out "$s.p12"
done

gen_crls

# The TSA: `openssl ts -reply -config tsa.cnf ...` (section tsa_config1).
echo 01 >tsaserial
cat >tsa.cnf <<EOF
# openssl ts -reply configuration of the LTV test TSA (made by ltvpki.sh).
[tsa]
default_tsa = tsa_config1
[tsa_config1]
dir = $OUT
serial = \$dir/tsaserial
crypto_device = builtin
signer_cert = \$dir/tsa.pem
certs = \$dir/tsa-chain.pem
signer_key = \$dir/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.59999.3161.1
other_policies = 1.3.6.1.4.1.59999.3161.2
digests = sha256, sha384, sha512, sha1
accuracy = secs:1
clock_precision_digits = 0
ordering = no
tsa_name = yes
ess_cert_id_chain = yes
ess_cert_id_alg = sha256
EOF

{
    for s in signer signer2 tsa ocsp; do
        printf 'SERIAL_%s=%s\n' "$(echo "$s" | tr '[:lower:]' '[:upper:]')" "$(openssl x509 -in "$s.pem" -noout -serial | cut -d= -f2)"
    done
} >serials.env

cat >"$OUT/env" <<EOF
# The LTV test PKI (ltvpki.sh): source this file.
export LTV_PKI='$OUT'
export LTV_OCSP_PORT=$OCSP_PORT
export LTV_CRL_PORT=$CRL_PORT
export LTV_OCSP_URL='$OCSP_URL'
export LTV_CRL_URL='$CRL_BASE/issuing.crl'
export LTV_ROOT_CRL_URL='$CRL_BASE/root.crl'
export LTV_P12='$OUT/signer.p12'
export LTV_P12_2='$OUT/signer2.p12'
export LTV_P12_PASS=p12pass
export LTV_ROOT='$OUT/root.pem'
export LTV_CHAIN='$OUT/chain.pem'
export LTV_TSA_POLICY=1.3.6.1.4.1.59999.3161.1
EOF
rm -f "$W"/*.csr
