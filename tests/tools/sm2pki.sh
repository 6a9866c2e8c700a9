#!/usr/bin/env bash
# An SM2 test PKI made with openssl (gm.md §5): every SM2 signature of a
# certificate is made with the distinguishing ID 1234567812345678
# (-sigopt distid), as real CAs do; OpenSSL 3.0 would use an empty one.
#   sm2pki.sh DIR
# writes into DIR:
#   root.pem root.key         SM2 root CA (self-signed, SM2-with-SM3)
#   int.pem int.key           SM2 intermediate CA, issued by the root
#   signer.key signer.pem     SM2 signer (key, certificate), issued by int
#   signer-all.pem            key + certificate + intermediate: a pem: key
#   signer.p12                the same as PKCS#12, password "sm2pass"
#   enc.key enc.pem           the signer's SM2 encryption key pair (keyUsage
#   enc-all.pem enc.p12       keyEncipherment, dataEncipherment, keyAgreement),
#                             as pem: and PKCS#12 ("sm2pass") keys
#   enc2.key enc2.pem         another holder's SM2 encryption key pair
#   rsaroot.pem rsaroot.key   an RSA root; mixed.pem/mixed-all.pem an SM2
#                             signer it issued (RSA-signed: a mixed chain)
#   int.crl int-revoked.crl   the issuing CA's CRLs (DER, SM2 with the ID):
#                             nothing revoked / the signer revoked
#   noid.pem noid-all.pem     an SM2 signer whose certificate the
#                             intermediate signed over an empty ID (what
#                             OpenSSL does unless told): refused by others
#   root.crl                  with SM2PKI_CRL_URL=http://HOST:PORT/ set: the
#                             root's CRL (nothing revoked); the intermediate
#                             then names URL/root.crl and every end-entity
#                             certificate URL/int.crl as CRL distribution
#                             point (serve the directory there for B-LT)
#   ocsp-good.txt ocsp-revoked.txt   with SM2PKI_OCSP_URL=http://HOST:PORT/ set:
#                             end-entity certificates name it as OCSP
#                             responder (instead of a CRL), and these are
#                             `openssl ocsp -index` files: the signer valid /
#                             revoked (respond with -rsigner int.pem -rkey
#                             int.key -rmd sm3 -rsigopt distid:1234567812345678)
# SPDX-License-Identifier: AGPL-3.0-or-later
set -euo pipefail
D=$1
mkdir -p "$D"
cd "$D"
ID=distid:1234567812345678
DAYS=3650
ossl() { openssl "$@" 2>/dev/null; }

printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' >ca.ext
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' >leaf.ext
if [ -n "${SM2PKI_CRL_URL:-}" ]; then
    printf 'crlDistributionPoints=URI:%sroot.crl\n' "$SM2PKI_CRL_URL" >>ca.ext
    [ -n "${SM2PKI_OCSP_URL:-}" ] || printf 'crlDistributionPoints=URI:%sint.crl\n' "$SM2PKI_CRL_URL" >>leaf.ext
fi
if [ -n "${SM2PKI_OCSP_URL:-}" ]; then
    printf 'authorityInfoAccess=OCSP;URI:%s\n' "$SM2PKI_OCSP_URL" >>leaf.ext
fi
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,keyEncipherment,dataEncipherment,keyAgreement\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' >enc.ext

# CSR of a new SM2 key: sm2csr NAME SUBJECT
sm2csr() {
    ossl genpkey -algorithm SM2 -out "$1.key"
    ossl req -new -utf8 -key "$1.key" -sm3 -sigopt "$ID" -subj "$2" -out "$1.csr"
}
# issue NAME CA EXT [extra x509 options]: NAME.csr signed by CA
issue() {
    local name=$1 ca=$2 ext=$3
    shift 3
    ossl x509 -req -in "$name.csr" -CA "$ca.pem" -CAkey "$ca.key" -set_serial "0x$(openssl rand -hex 8)" \
        -days $DAYS -extfile "$ext" "$@" -out "$name.pem"
}

ossl genpkey -algorithm SM2 -out root.key
ossl req -x509 -new -utf8 -key root.key -sm3 -sigopt "$ID" -subj "/C=CN/O=SM2 测试 CA/CN=SM2 Test Root" \
    -days $DAYS -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
    -out root.pem
sm2csr int "/C=CN/O=SM2 测试 CA/CN=SM2 Test Issuing CA"
issue int root ca.ext -sm3 -sigopt "$ID" -vfyopt "$ID"
sm2csr signer "/C=CN/O=某某建设工程有限公司/CN=王五 SM2"
issue signer int leaf.ext -sm3 -sigopt "$ID" -vfyopt "$ID"
cat signer.key signer.pem int.pem >signer-all.pem
ossl pkcs12 -export -inkey signer.key -in signer.pem -certfile int.pem -passout pass:sm2pass \
    -out signer.p12

# Encryption key pairs (sealed bids): the signer's, and another holder's.
sm2csr enc "/C=CN/O=某某建设工程有限公司/CN=王五 SM2 加密"
issue enc int enc.ext -sm3 -sigopt "$ID" -vfyopt "$ID"
cat enc.key enc.pem int.pem >enc-all.pem
ossl pkcs12 -export -inkey enc.key -in enc.pem -certfile int.pem -passout pass:sm2pass -out enc.p12
sm2csr enc2 "/C=CN/O=另一家公司/CN=赵六 SM2 加密"
issue enc2 int enc.ext -sm3 -sigopt "$ID" -vfyopt "$ID"

# A mixed chain: an RSA root issuing an SM2 signer (signature RSA/SHA-256).
ossl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsaroot.key
ossl req -x509 -new -utf8 -key rsaroot.key -sha256 -subj "/C=CN/O=RSA 测试 CA/CN=RSA Test Root" \
    -days $DAYS -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
    -out rsaroot.pem
sm2csr mixed "/C=CN/O=某某建设工程有限公司/CN=赵六 SM2 RSA-CA"
issue mixed rsaroot leaf.ext -sha256 -vfyopt "$ID"
cat mixed.key mixed.pem >mixed-all.pem

# Signed by the intermediate over the empty ID (no -sigopt distid).
sm2csr noid "/C=CN/O=某某建设工程有限公司/CN=钱七 SM2 no ID"
issue noid int leaf.ext -sm3 -vfyopt "$ID"
cat noid.key noid.pem int.pem >noid-all.pem
# CRLs of the issuing CA, SM2-signed with the ID (openssl ca -sigopt):
# int.crl revokes nothing, int-revoked.crl revokes the signer.
mkdir -p ca
: >ca/index.txt
echo 01 >ca/crlnumber
printf '[ca]\ndefault_ca = c\n[c]\ndatabase = ca/index.txt\ncrlnumber = ca/crlnumber\ndefault_md = sm3\ndefault_crl_days = 30\n' >ca.cnf
crl() { ossl ca -config ca.cnf -gencrl -keyfile int.key -cert int.pem -sigopt "$ID" -out "$1"; }
crl int.crl.pem
ossl crl -in int.crl.pem -outform DER -out int.crl
ossl ca -config ca.cnf -valid signer.pem -keyfile int.key -cert int.pem
cp ca/index.txt ocsp-good.txt
ossl ca -config ca.cnf -revoke signer.pem -keyfile int.key -cert int.pem -crl_reason keyCompromise
cp ca/index.txt ocsp-revoked.txt
[ -n "${SM2PKI_OCSP_URL:-}" ] || rm -f ocsp-good.txt ocsp-revoked.txt
crl int-revoked.crl.pem
ossl crl -in int-revoked.crl.pem -outform DER -out int-revoked.crl
if [ -n "${SM2PKI_CRL_URL:-}" ]; then
    rm -rf ca && mkdir ca && : >ca/index.txt && echo 01 >ca/crlnumber
    ossl ca -config ca.cnf -gencrl -keyfile root.key -cert root.pem -sigopt "$ID" -out root.crl.pem
    ossl crl -in root.crl.pem -outform DER -out root.crl
fi
rm -rf ./*.csr ./*.srl ./*.crl.pem ca ca.cnf
