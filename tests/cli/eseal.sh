#!/usr/bin/env bash
# GB/T 38540 electronic seals (issue 14, parts 3-5): seal issue makes an
# SES_Seal from artwork, signed by a seal maker (here a self-signed EC
# maker certified by an SM2 CA, the --seal-trust anchors); seal inspect shows it; an independent
# reader (tests/tools/esealcheck.py, pyasn1 from the standard's ASN.1)
# parses it and checks the maker's signature. seal sign --eseal draws the
# seal's picture and carries the seal; it refuses (exit 5, naming the seal
# and the certificate) a seal for another certificate, one not listing the
# certificate, an expired one, and one whose maker signature fails (a
# forged or swapped picture). Files made by tampering
# (tests/tools/esealtamper.py: the signed revision rewritten and signed
# again with the signer's key) are caught by seal verify with the reason.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
require python3 jq openssl

ONE=$FIX/pdf/one.pdf
ROOT=$FIX/ca/root.pem
NAME=某某建设工程有限公司合同专用章
P12_SUBJECT='CN=李四,O=某某建设工程有限公司,C=CN'
MAKER_SUBJECT='CN=测试电子印章制作中心,O=测试制章者,C=CN'
SEAL_P12_PASSWORD=$(cat "$FIX/p12pass.txt")
export SEAL_P12_PASSWORD
# The independent reader wants pyasn1 (python3-pyasn1) and cryptography.
PY=python3
/usr/bin/python3 -c 'import pyasn1, cryptography' 2>/dev/null && PY=/usr/bin/python3
"$PY" -c 'import pyasn1, cryptography' || { echo "python3-pyasn1 not installed (scripts/install-deps)"; exit 1; }

# An SM2 PKI (tests/tools/sm2pki.sh) whose issuing CA also certifies the
# seal maker (an SM2 key, SM2-with-SM3 with the ID, as GB/T 38540 wants).
# The maker's anchors: that CA and its root (a seal carries no chain).
M=$T/maker
SM2=$T/sm2
bash "$TOOLS/sm2pki.sh" "$SM2" >/dev/null
bash "$TOOLS/sm2maker.sh" "$SM2" "$M"
MAKER=pem:$M/maker-all.pem

# issue OUT ART ARGS...: a seal made by the maker, valid 2026-2036 unless
# ARGS say otherwise.
issue() {
    local out=$1 art=$2
    shift 2
    expect_exit 0 "$SEAL" issue "$art" -o "$out" --maker-key "$MAKER" --valid-from 2026-01-01 \
        --valid-to 2036-01-01 "$@"
    expect_quiet
}

# The seals of the cases: A for the PKCS#12 signer (李四), C for the company
# key, W another company's seal, L a digest list naming two other
# certificates, E expired, B the legal-rep artwork for 李四.
issue "$M/a.esl" "$FIX/art/company.pdf" --name "$NAME" --holder "$FIX/certs/p12.pem" --esid ESEAL-A
issue "$M/c.esl" "$FIX/art/company.pdf" --name "$NAME" --holder "$FIX/certs/company.pem" --esid ESEAL-C
issue "$M/w.esl" "$FIX/art/company.pdf" --name 另一公司合同专用章 --holder "$FIX/certs/company.pem" \
    --esid ESEAL-W
issue "$M/l.esl" "$FIX/art/company.pdf" --name "$NAME" --holder "$FIX/certs/company.pem" \
    --holder "$FIX/certs/legalrep.pem" --holder-digests --esid ESEAL-L
issue "$M/e.esl" "$FIX/art/company.pdf" --name "$NAME" --holder "$FIX/certs/p12.pem" --esid ESEAL-E \
    --valid-from 2020-01-01 --valid-to 2021-01-01
issue "$M/b.esl" "$FIX/art/legalrep.pdf" --name 李四 --holder "$FIX/certs/p12.pem" --esid ESEAL-B
# F: seal A with one bit of its picture flipped (the maker's signature no
# longer holds); S: seal A with the legal-rep picture put in its place.
"$PY" - "$TOOLS" "$M" <<'EOF'
import sys
sys.path.insert(0, sys.argv[1])
from cmsedit import Node
m = sys.argv[2]
a = open(m + "/a.esl", "rb").read()
f = bytearray(a)
f[f.index(b"IDAT") + 20] ^= 0x01
open(m + "/f.esl", "wb").write(bytes(f))
seal, other = Node(a), Node(open(m + "/b.esl", "rb").read())
seal.kids[0].kids[3] = other.kids[0].kids[3]  # SES_SealInfo.picture
open(m + "/s.esl", "wb").write(seal.encode())
EOF

case_issue_inspect() {
    expect_exit 0 "$SEAL" issue "$FIX/art/company.pdf" -o "$T/x.esl" --maker-key "$MAKER" --name "$NAME" \
        --holder "$FIX/certs/p12.pem" --valid-from 2026-01-01 --valid-to 2036-01-01 --esid ESEAL-X
    expect_quiet
    [ "$(cat "$T/stdout")" = "$T/x.esl: e-seal \"$NAME\" (esID ESEAL-X), 42 x 42 mm, 1 holder, signed by $MAKER_SUBJECT" ] \
        || die "issue said: $(cat "$T/stdout")"
    expect_exit 0 "$SEAL" inspect "$T/x.esl"
    for line in "$T/x.esl: electronic seal (SES_Seal, version 4)" "name:      $NAME" \
        "type:      1 (company 单位印章)" "esID:      ESEAL-X" "maker:     $MAKER_SUBJECT" \
        "algorithm: SM2-with-SM3" "valid:     2026-01-01T00:00:00Z to 2036-01-01T00:00:00Z" \
        "holders:   1 certificate" "  $P12_SUBJECT" "maker signature: valid"; do
        grep -Fxq -- "$line" "$T/stdout" || { show_output; die "inspect lacks: $line"; }
    done
    grep -Eq '^picture:   PNG, 42 x 42 mm, [0-9]+ bytes$' "$T/stdout" || die "picture line"
    expect_exit 0 "$SEAL" inspect --json "$M/l.esl"
    [ "$(jq -r '[.kind, .esid, .type, .cert_list_type, (.holders | length), .maker_signature] | join(" ")' "$T/stdout")" \
        = "eseal ESEAL-L 1 2 2 valid" ] || die "inspect --json: $(cat "$T/stdout")"
    jq -r '.holders[]' "$T/stdout" | grep -Eqx 'SM3:[0-9A-F]{64}' || die "digest holders"
    # A seal whose maker signature fails: shown, exit 1.
    expect_exit 1 "$SEAL" inspect "$M/f.esl"
    grep -Fxq "maker signature: INVALID: the seal maker's signature does not verify" "$T/stdout" \
        || { show_output; die "forged seal not shown as invalid"; }
}

case_independent_reader() {
    run "$PY" "$TOOLS/esealcheck.py" "$M/a.esl" --signer "$FIX/certs/p12.pem"
    [ "$RC" = 0 ] || { show_output; die "the independent reader rejects seal A"; }
    [ "$(jq -r '[.version, .id, .esid, .name, .type, .cert_list_type, .valid_from, .valid_to,
         .picture.type, .picture.width_mm, .picture.height_mm, .maker, .signature_algorithm,
         .maker_signature, .signer_listed, .reencodes_identically] | map(tostring) | join("|")' "$T/stdout")" \
        = "4|ES|ESEAL-A|$NAME|1|1|2026-01-01T00:00:00Z|2036-01-01T00:00:00Z|PNG|42|42|$MAKER_SUBJECT|1.2.156.10197.1.501|valid|true|true" ] \
        || { show_output; die "reader fields"; }
    # The same picture as seal inspect reports, byte for byte.
    expect_exit 0 "$SEAL" inspect --json "$M/a.esl"
    [ "$(jq .picture.bytes "$T/stdout")" = "$("$PY" "$TOOLS/esealcheck.py" "$M/a.esl" | jq .picture.bytes)" ] \
        || die "picture sizes differ"
    # Digest lists: SM3 of the certificate, as the standard's certListType 2.
    run "$PY" "$TOOLS/esealcheck.py" "$M/l.esl" --signer "$FIX/certs/legalrep.pem"
    [ "$RC" = 0 ] && [ "$(jq -r .signer_listed "$T/stdout")" = true ] || { show_output; die "digest list"; }
    run "$PY" "$TOOLS/esealcheck.py" "$M/l.esl" --signer "$FIX/certs/p12.pem"
    [ "$(jq -r .signer_listed "$T/stdout")" = false ] || die "p12 listed in L"
    # Forged and swapped pictures fail the maker's signature there too.
    for s in f s; do
        run "$PY" "$TOOLS/esealcheck.py" "$M/$s.esl"
        [ "$RC" = 1 ] && [ "$(jq -r .maker_signature "$T/stdout")" = invalid ] || { show_output; die "$s.esl"; }
    done
}

case_sign_verify() {
    expect_exit 0 "$SEAL" sign "$ONE" -o "$T/c.pdf" --key "$KEY_COMPANY" --pin-file "$FIX/pin.txt" \
        --eseal "$M/c.esl" --page 1 --at 100,100
    expect_quiet
    check_prefix "$ONE" "$T/c.pdf"
    expect_exit 0 "$SEAL" verify "$T/c.pdf" --trust "$ROOT" --seal-trust "$M/makers.pem" \
        --require eseal --require company@1 --json
    [ "$(jq -r '[.indication, .signatures[0].indication, .signatures[0].seal_kind,
         (.signatures[0].eseal | .name, .esid, .type, .maker, .maker_signature, .maker_trusted, .holder,
          .in_validity, .picture, .bound)] | map(tostring) | join("|")' "$T/stdout")" \
        = "TOTAL-PASSED|TOTAL-PASSED|company|$NAME|ESEAL-C|1|$MAKER_SUBJECT|valid|true|true|true|matches|true" ] \
        || { show_output; die "verify --json"; }
    [ "$(jq -r '.rules | map(.met) | all' "$T/stdout")" = true ] || die "rules"
    expect_exit 0 "$SEAL" verify "$T/c.pdf" --trust "$ROOT" --seal-trust "$M/makers.pem"
    grep -Fxq "  绑定 Bound:          yes 是; certificate listed, in validity, picture matches" "$T/stdout" \
        || { show_output; die "text report"; }
    # The seal as carried in the PDF, read independently.
    run "$PY" "$TOOLS/esealcheck.py" "$T/c.pdf" --signer "$FIX/certs/company.pem"
    [ "$RC" = 0 ] && [ "$(jq -r '.[0] | .esid + " " + (.signer_listed | tostring)' "$T/stdout")" = "ESEAL-C true" ] \
        || { show_output; die "reader on the PDF"; }
    # The maker not trusted: not established.
    expect_exit 3 "$SEAL" verify "$T/c.pdf" --trust "$ROOT" --json
    [ "$(jq -r .signatures[0].reason "$T/stdout")" = "e-seal \"$NAME\" (esID ESEAL-C): the seal maker's certificate does not chain to a --seal-trust anchor" ] \
        || { show_output; die "untrusted maker"; }
    # CSV: the e-seal column.
    expect_exit 0 "$SEAL" verify "$T/c.pdf" --trust "$ROOT" --seal-trust "$M/makers.pem" --csv "$T/c.csv"
    [ "$(sed -n 2p "$T/c.csv" | tr -d '\r')" = "\"c.pdf\",\"某某建设工程有限公司 company-seal\",\"1\",\"TOTAL-PASSED\",\"通过\",\"\",\"$NAME (esID ESEAL-C): bound\"" ] \
        || die "CSV row: $(sed -n 2p "$T/c.csv")"
}

case_sm2_signer() {
    # 国密 throughout: an SM2 signer's PDF signature bound to an SM2 maker's seal.
    issue "$T/g.esl" "$FIX/art/company.pdf" --name "$NAME" --holder "$SM2/signer.pem" --esid ESEAL-G
    expect_exit 0 "$SEAL" sign "$ONE" -o "$T/g.pdf" --key "pem:$SM2/signer-all.pem" --eseal "$T/g.esl" \
        --page 1 --at 100,100
    expect_exit 0 "$SEAL" verify "$T/g.pdf" --trust "$SM2/root.pem" --seal-trust "$M/makers.pem" \
        --require eseal --json
    [ "$(jq -r '[.indication, .signatures[0].digest_algorithm, .signatures[0].eseal.bound] | map(tostring) | join("|")' "$T/stdout")" \
        = "TOTAL-PASSED|SM3|true" ] || { show_output; die "SM2 verify"; }
    run "$PY" "$TOOLS/esealcheck.py" "$T/g.pdf" --signer "$SM2/signer.pem"
    [ "$RC" = 0 ] && [ "$(jq -r '.[0] | .signature_algorithm + " " + .maker_signature + " " + (.signer_listed | tostring)' "$T/stdout")" \
        = "1.2.156.10197.1.501 valid true" ] || { show_output; die "reader on the SM2 PDF"; }
}

case_sign_refusals() {
    local who="cannot be used by $P12_SUBJECT"
    for c in "w|e-seal \"另一公司合同专用章\" (esID ESEAL-W) $who: the certificate is not in its certificate list" \
        "l|e-seal \"$NAME\" (esID ESEAL-L) $who: the certificate is not in its certificate list" \
        "e|e-seal \"$NAME\" (esID ESEAL-E) $who: it expired on 2021-01-01T00:00:00Z" \
        "f|e-seal \"$NAME\" (esID ESEAL-A) $who: the seal maker's signature does not verify" \
        "s|e-seal \"$NAME\" (esID ESEAL-A) $who: the seal maker's signature does not verify"; do
        expect_failure 5 'e-seal' "$ONE" -- sign "$ONE" -o @OUT@ --key "p12:$FIX/signer.p12" \
            --eseal "$M/${c%%|*}.esl" --page 1 --at 100,100
        [ "$(cat "$T/stderr")" = "seal: ${c#*|}" ] || die "${c%%|*}.esl: $(cat "$T/stderr")"
    done
    # Usage: an e-seal brings its picture.
    expect_exit 2 "$SEAL" sign "$ONE" -o "$T/x.pdf" --key "p12:$FIX/signer.p12" --eseal "$M/a.esl" \
        --seal "$FIX/art/company.pdf" --page 1 --at 100,100
    expect_exit 2 "$SEAL" sign "$ONE" -o "$T/x.pdf" --key "p12:$FIX/signer.p12" --eseal "$M/a.esl"
    [ ! -e "$T/x.pdf" ] || die "output after a usage error"
}

case_issue_errors() {
    expect_exit 2 "$SEAL" issue "$FIX/art/company.pdf" -o "$T/x.esl" --maker-key "$MAKER" --name "$NAME" \
        --holder "$FIX/certs/p12.pem"
    [ "$(head -1 "$T/stderr")" = "seal: an e-seal needs --name, --holder and --valid-to" ] || die "$(cat "$T/stderr")"
    expect_exit 2 "$SEAL" issue "$FIX/art/company.pdf" -o "$T/x.esl" --maker-key "$MAKER" --name "$NAME" \
        --holder "$FIX/certs/p12.pem" --valid-to 2036-01-01 --type chairman
    expect_failure 4 "is not a certificate" "$FIX/art/company.pdf" -- issue "$FIX/art/company.pdf" -o @OUT@ \
        --maker-key "$MAKER" --name "$NAME" --holder "$ONE" --valid-to 2036-01-01
    [ "$(grep -v '^seal: warning: ' "$T/stderr")" = "seal: $ONE is not a certificate (PEM or DER)" ] || die "$(cat "$T/stderr")"
    expect_failure 2 "validity end after its start" "$FIX/art/company.pdf" -- issue "$FIX/art/company.pdf" \
        -o @OUT@ --maker-key "$MAKER" --name "$NAME" --holder "$FIX/certs/p12.pem" --valid-from 2030-01-01 \
        --valid-to 2029-01-01
    expect_failure 4 "must be a one-page PDF" "$FIX/art/twopage.pdf" -- issue "$FIX/art/twopage.pdf" -o @OUT@ \
        --maker-key "$MAKER" --name "$NAME" --holder "$FIX/certs/p12.pem" --valid-to 2036-01-01
}

# tampered KIND OUT [ESL]: the PKCS#12 signer's seal-A signature rewritten.
tampered() {
    "$PY" "$TOOLS/esealtamper.py" "$1" "$T/a.pdf" "$ONE" "$2" "$FIX/keys/p12.key" ${3:+"$3"}
}

# caught FILE SUB REASON: verify says TOTAL-FAILED, SUB, REASON (exit 1).
caught() {
    expect_exit 1 "$SEAL" verify "$1" --trust "$ROOT" --seal-trust "$M/makers.pem" --json
    [ "$(jq -r '.signatures[0] | [.indication, .subindication, .reason, .intact] | map(tostring) | join("|")' "$T/stdout")" \
        = "TOTAL-FAILED|$2|$3|true" ] || { show_output; die "$1: $(jq -c '.signatures[0] | [.subindication, .reason]' "$T/stdout")"; }
}

case_verify_tampered() {
    expect_exit 0 "$SEAL" sign "$ONE" -o "$T/a.pdf" --key "p12:$FIX/signer.p12" --eseal "$M/a.esl" \
        --page 1 --at 100,100
    # The tool itself: the same seal, signed again, still passes.
    tampered eseal "$T/same.pdf" "$M/a.esl"
    expect_exit 0 "$SEAL" verify "$T/same.pdf" --trust "$ROOT" --seal-trust "$M/makers.pem" --require eseal
    tampered eseal "$T/w.pdf" "$M/w.esl"
    caught "$T/w.pdf" CHAIN_CONSTRAINTS_FAILURE \
        "e-seal \"另一公司合同专用章\" (esID ESEAL-W): the signer's certificate is not in its certificate list"
    tampered eseal "$T/l.pdf" "$M/l.esl"
    caught "$T/l.pdf" CHAIN_CONSTRAINTS_FAILURE \
        "e-seal \"$NAME\" (esID ESEAL-L): the signer's certificate is not in its certificate list"
    tampered eseal "$T/e.pdf" "$M/e.esl"
    caught "$T/e.pdf" EXPIRED "e-seal \"$NAME\" (esID ESEAL-E): signed after it expired on 2021-01-01T00:00:00Z"
    tampered eseal "$T/f.pdf" "$M/f.esl"
    caught "$T/f.pdf" SIG_CRYPTO_FAILURE "e-seal \"$NAME\" (esID ESEAL-A): the seal maker's signature does not verify"
    # Swapped pictures: the appearance no longer the seal's picture, and a
    # genuine seal with another picture put in the signature's place.
    tampered squash "$T/sq.pdf"
    caught "$T/sq.pdf" FORMAT_FAILURE "e-seal \"$NAME\" (esID ESEAL-A): the seal drawn on page 1 is not the e-seal's picture"
    tampered eseal "$T/b.pdf" "$M/b.esl"
    caught "$T/b.pdf" FORMAT_FAILURE \
        "e-seal \"李四\" (esID ESEAL-B): the seal on page 1 is drawn 42 x 42 mm, the e-seal's picture is 20 x 20 mm"
    # Not readable at all.
    printf 'not a seal' >"$T/junk.esl"
    tampered eseal "$T/j.pdf" "$T/junk.esl"
    caught "$T/j.pdf" FORMAT_FAILURE \
        "the e-seal it carries cannot be read: not a GB/T 38540 electronic seal: bad not a DER SEQUENCE (SES_Seal)"
}

case_rules() {
    # A seal without an e-seal: --require eseal is not met.
    expect_exit 0 "$SEAL" sign "$ONE" -o "$T/plain.pdf" --key "p12:$FIX/signer.p12" --seal "$FIX/art/company.pdf" \
        --page 1 --at 100,100
    expect_exit 1 "$SEAL" verify "$T/plain.pdf" --trust "$ROOT" --require eseal --json
    [ "$(jq -r '[.indication, .rules[0].why] | join("|")' "$T/stdout")" \
        = "RULES-FAILED|the seal of 'Seal1' is not bound to a GB/T 38540 e-seal" ] || { show_output; die "eseal rule"; }
    # A company e-seal used by a personal certificate is no company seal.
    expect_exit 0 "$SEAL" sign "$ONE" -o "$T/a.pdf" --key "p12:$FIX/signer.p12" --eseal "$M/a.esl" \
        --page 1 --at 100,100
    expect_exit 1 "$SEAL" verify "$T/a.pdf" --trust "$ROOT" --seal-trust "$M/makers.pem" --require eseal \
        --require company@1 --json
    [ "$(jq -r '[.indication, (.rules | map(.met | tostring) | join(",")), .rules[1].why] | join("|")' "$T/stdout")" \
        = "RULES-FAILED|true,false|no valid company seal on page 1 bound to a company e-seal and an organisation's certificate" ] \
        || { show_output; die "company rule"; }
}

run_case "issue and inspect" case_issue_inspect
run_case "the independent reader (pyasn1, from the standard's ASN.1)" case_independent_reader
run_case "issue: usage and input errors" case_issue_errors
run_case "sign --eseal, verify TOTAL-PASSED with --require eseal" case_sign_verify
run_case "SM2 signer, SM2 maker" case_sm2_signer
run_case "sign refuses: another's seal, not listed, expired, forged, swapped picture (exit 5)" case_sign_refusals
run_case "verify catches tampered files, each with its reason" case_verify_tampered
run_case "rules: eseal, company@N with e-seals" case_rules
finish
