#!/usr/bin/env bash
# A GB/T 38540 seal maker for the e-seal tests: an SM2 key certified by the
# issuing CA of an SM2 PKI made by tests/tools/sm2pki.sh (SM2-with-SM3 with
# the ID, as GB/T 38540 wants).
#   sm2maker.sh PKI DIR
# writes DIR/maker.key, DIR/maker.pem, DIR/maker-all.pem (key, certificate,
# issuing CA, root: a --maker-key pem: file) and DIR/makers.pem (the issuing
# CA and the root: the --seal-trust anchors; a seal carries no chain).
# SPDX-License-Identifier: AGPL-3.0-or-later
set -euo pipefail
PKI=${1:?usage: sm2maker.sh PKI DIR}
M=${2:?usage: sm2maker.sh PKI DIR}
ID=distid:1234567812345678
mkdir -p "$M"
openssl genpkey -algorithm SM2 -out "$M/maker.key" 2>/dev/null
openssl req -new -utf8 -key "$M/maker.key" -sm3 -sigopt "$ID" -subj "/C=CN/O=测试制章者/CN=测试电子印章制作中心" \
    -out "$M/maker.csr" 2>/dev/null
openssl x509 -req -in "$M/maker.csr" -CA "$PKI/int.pem" -CAkey "$PKI/int.key" -set_serial 0x5e41 -days 3650 \
    -extfile "$PKI/leaf.ext" -sm3 -sigopt "$ID" -vfyopt "$ID" -out "$M/maker.pem" 2>/dev/null
cat "$M/maker.key" "$M/maker.pem" "$PKI/int.pem" "$PKI/root.pem" >"$M/maker-all.pem"
cat "$PKI/int.pem" "$PKI/root.pem" >"$M/makers.pem"
