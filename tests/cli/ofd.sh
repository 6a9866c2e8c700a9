#!/usr/bin/env bash
# seal verify FILE.ofd (issue 14, part 6): GB/T 38540 signatures in OFD
# packages (GB/T 33190). The packages come from an independent generator
# (tests/tools/mkofd.py: pyasn1 and Botan, from the standards' structure)
# signing with an SM2 key and an SES_Seal made by seal issue; each attack
# variant gets its exact verdict, reason and exit code, and bad packages
# exit 4 with a one-line reason.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
require python3 jq openssl

PY=/usr/bin/python3
"$PY" -c 'import pyasn1, botan2' 2>/dev/null || { echo "python3-pyasn1 or python3-botan not installed (scripts/install-deps)"; exit 1; }
NAME=某某建设工程有限公司合同专用章
SM2=$T/sm2
M=$T/maker
bash "$TOOLS/sm2pki.sh" "$SM2" >/dev/null
bash "$TOOLS/sm2maker.sh" "$SM2" "$M"
# The SES_Signature carries the signer's certificate alone: the issuing CA
# is the committee's anchor (any certificate given is one).
TRUST=(--trust "$SM2/int.pem" --seal-trust "$SM2/int.pem")

issue() {
    local out=$1 name=$2 holder=$3 esid=$4
    shift 4
    "$SEAL" issue "$FIX/art/company.pdf" -o "$out" --maker-key "pem:$M/maker-all.pem" --name "$name" \
        --holder "$holder" --esid "$esid" --valid-from 2026-01-01 --valid-to 2036-01-01 "$@" >/dev/null 2>&1 \
        || die "seal issue $esid"
}
issue "$M/a.esl" "$NAME" "$SM2/signer.pem" OFD-A
issue "$M/w.esl" 另一公司合同专用章 "$SM2/mixed.pem" OFD-W
issue "$M/e.esl" "$NAME" "$SM2/signer.pem" OFD-E --valid-from 2020-01-01 --valid-to 2021-01-01

# mkofd OUT [mkofd.py options...]: a package signed by the SM2 signer.
mkofd() {
    local out=$1
    shift
    "$PY" "$TOOLS/mkofd.py" "$out" --key "$SM2/signer.key" --cert "$SM2/signer.pem" "$@" 2>/dev/null \
        || die "mkofd.py $*"
}

# verdict FILE EXIT WANT: seal verify --json exits EXIT and gives
# "indication|subindication|reason|changes_after" of the first signature.
verdict() {
    local f=$1 code=$2 want=$3 got
    expect_exit "$code" "$SEAL" verify "$f" "${TRUST[@]}" --json
    got=$(jq -r '.signatures[0] | [.indication, .subindication, .reason, .changes_after] | join("|")' "$T/stdout")
    [ "$got" = "$want" ] || { show_output; die "$(basename "$f"): got '$got', want '$want'"; }
}

case_signed() {
    mkofd "$T/ok.ofd" --seal "$M/a.esl"
    expect_exit 0 "$SEAL" verify "$T/ok.ofd" "${TRUST[@]}" --require eseal --json
    expect_quiet
    [ "$(jq -r '[.indication, .pages, (.signatures | length)] | map(tostring) | join("|")' "$T/stdout")" \
        = "TOTAL-PASSED|2|1" ] || { show_output; die "document"; }
    [ "$(jq -r '.signatures[0] | [.field, .type, .subfilter, .intact, .signer, .claimed_time, .digest_algorithm,
        .key, .page, .seal_kind, .eseal.esid, .eseal.bound, .eseal.picture, .changes_after] | map(tostring) | join("|")' \
        "$T/stdout")" = "Sign_0|Seal|GB/T 38540 SES_Signature|true|王五 SM2|2026-06-01T09:30:00Z|SM3|SM2-256|2|company|OFD-A|true|not-compared|none" ] \
        || { show_output; die "signature fields"; }
    # The text report and exit 3 without anchors, as for a PDF.
    expect_exit 3 "$SEAL" verify "$T/ok.ofd"
    grep -q "^结论 Verdict:   INDETERMINATE 不确定 — Sign_0: no trust anchor configured (--trust)" "$T/stdout" \
        || { show_output; die "text report"; }
    expect_exit 0 "$SEAL" verify "$T/ok.ofd" "${TRUST[@]}" --csv "$T/ok.csv" --html "$T/ok.html"
    grep -q "OFD-A): bound" "$T/ok.csv" || die "CSV eseals column"
}

case_two_signatures() {
    # The second signature added as ofdrw's "continue signing" does: the
    # first one's whitelist allows the later signature's files.
    mkofd "$T/two.ofd" --seal "$M/a.esl" --second-key "$SM2/signer.key" --second-cert "$SM2/signer.pem" \
        --second-seal "$M/a.esl"
    expect_exit 0 "$SEAL" verify "$T/two.ofd" "${TRUST[@]}" --json
    [ "$(jq -r '[.signatures[] | .field + ":" + .indication + ":" + .changes_after + ":" + (.revision | tostring)] | join(" ")' \
        "$T/stdout")" = "Sign_0:TOTAL-PASSED:allowed:1 Sign_1:TOTAL-PASSED:none:2" ] || { show_output; die "two"; }
    [ "$(jq -r '[.signatures[0].changes[] | .kind + " " + .detail] | join(";")' "$T/stdout")" \
        = "signature /Doc_0/Signs/Sign_1/Signature.xml: a later signature;signature /Doc_0/Signs/Sign_1/SignedValue.dat: a later signature" ] \
        || { show_output; die "allowed changes"; }
}

case_attacks() {
    mkofd "$T/%s.ofd" --seal "$M/a.esl" --variant changed,added,noref,dup,case,cdlocal,datahash,property,value,removed,junk
    verdict "$T/changed.ofd" 1 "TOTAL-FAILED|HASH_FAILURE|the digest of /Doc_0/Pages/Page_0/Content.xml does not match its Reference: changed after signing|disallowed"
    verdict "$T/removed.ofd" 1 "TOTAL-FAILED|HASH_FAILURE|/Doc_0/PublicRes.xml, which the signature covers, is missing: removed after signing|disallowed"
    verdict "$T/added.ofd" 1 "TOTAL-FAILED|FORMAT_FAILURE|the document was changed after signing in a way not allowed: /Doc_0/Pages/Page_0/Annot_0.xml is not covered by the signature: added or changed after signing|disallowed"
    verdict "$T/noref.ofd" 1 "TOTAL-FAILED|FORMAT_FAILURE|the document was changed after signing in a way not allowed: /Doc_0/Pages/Page_1/Content.xml is not covered by the signature: added or changed after signing|disallowed"
    verdict "$T/dup.ofd" 1 "TOTAL-FAILED|FORMAT_FAILURE|the document was changed after signing in a way not allowed: zip entry 'Doc_0/Pages/Page_0/Content.xml' is there twice|disallowed"
    verdict "$T/case.ofd" 1 "TOTAL-FAILED|FORMAT_FAILURE|the document was changed after signing in a way not allowed: zip entries 'Doc_0/Pages/Page_0/Content.xml' and 'Doc_0/pages/Page_0/Content.xml' differ only by case|disallowed"
    verdict "$T/cdlocal.ofd" 1 "TOTAL-FAILED|FORMAT_FAILURE|the document was changed after signing in a way not allowed: zip entry 'OFD.xml': its local header disagrees with the central directory|disallowed"
    verdict "$T/datahash.ofd" 1 "TOTAL-FAILED|HASH_FAILURE|dataHash does not match the signed bytes: the document was changed|none"
    verdict "$T/property.ofd" 1 "TOTAL-FAILED|FORMAT_FAILURE|the SES_Signature's propertyInfo names '/Doc_0/Signs/Sign_9/Signature.xml', not /Doc_0/Signs/Sign_0/Signature.xml|none"
    expect_exit 1 "$SEAL" verify "$T/junk.ofd" "${TRUST[@]}" --json
    jq -r '.signatures[0] | [.subindication, .reason] | join("|")' "$T/stdout" \
        | grep -q "^FORMAT_FAILURE|the SES_Signature /Doc_0/Signs/Sign_0/SignedValue.dat cannot be read: not a GB/T 38540" \
        || { show_output; die "junk"; }
    verdict "$T/value.ofd" 1 "TOTAL-FAILED|SIG_CRYPTO_FAILURE|the signature value does not verify with the signer's certificate|none"
}

case_eseal() {
    # Another company's seal (its list names another certificate), and an
    # expired one: the e-seal verdicts of docs/eseal.md.
    mkofd "$T/other.ofd" --seal "$M/w.esl"
    verdict "$T/other.ofd" 1 "TOTAL-FAILED|CHAIN_CONSTRAINTS_FAILURE|e-seal \"另一公司合同专用章\" (esID OFD-W): the signer's certificate is not in its certificate list|none"
    mkofd "$T/expired.ofd" --seal "$M/e.esl"
    verdict "$T/expired.ofd" 1 "TOTAL-FAILED|EXPIRED|e-seal \"$NAME\" (esID OFD-E): signed after it expired on 2021-01-01T00:00:00Z|none"
    # Without --seal-trust the maker is not trusted: INDETERMINATE, exit 3.
    expect_exit 3 "$SEAL" verify "$T/ok.ofd" --trust "$SM2/int.pem" --json
    [ "$(jq -r .signatures[0].reason "$T/stdout")" \
        = "e-seal \"$NAME\" (esID OFD-A): the seal maker's certificate does not chain to a --seal-trust anchor" ] \
        || { show_output; die "seal-trust"; }
}

case_bad_input() {
    printf 'not a zip' >"$T/text.ofd"
    expect_exit 4 "$SEAL" verify "$T/text.ofd"
    expect_msg "^seal: $T/text.ofd is not an OFD package \(not a zip file\)$"
    : >"$T/empty.ofd"
    expect_exit 4 "$SEAL" verify "$T/empty.ofd"
    expect_msg "empty.ofd: empty file, not an OFD package$"
    head -c 400 "$T/ok.ofd" >"$T/trunc.ofd"
    expect_exit 4 "$SEAL" verify "$T/trunc.ofd"
    expect_msg "trunc.ofd: the OFD package has no zip end record: truncated, or not a zip$"
    "$PY" - "$T" <<'EOF'
import io, struct, sys, zipfile
t = sys.argv[1]
with zipfile.ZipFile(t + "/noofd.ofd", "w") as z:
    z.writestr("Doc_0/Document.xml", "<ofd:Document/>")
with zipfile.ZipFile(t + "/bomb.ofd", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("OFD.xml", b"\0" * (65 << 20))
with zipfile.ZipFile(t + "/badxml.ofd", "w") as z:
    z.writestr("OFD.xml", "<ofd:OFD><")
with zipfile.ZipFile(t + "/dotdot.ofd", "w") as z:
    z.writestr("../evil.xml", "<x/>")
# The signed package with one more entry whose central-directory record is
# dropped: a reader walking the local headers would see it.
src = zipfile.ZipFile(t + "/ok.ofd")
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
    for n in src.namelist():
        z.writestr(n, src.read(n))
    z.writestr("Doc_0/Pages/Page_0/Evil.xml", "<x/>")
d = buf.getvalue()
end = d.rindex(b"PK\x05\x06")
count, size, at = struct.unpack("<HII", d[end + 10:end + 20])
last = d.rindex(b"PK\x01\x02", 0, end)
open(t + "/hidden.ofd", "wb").write(d[:last] + d[end:end + 8] +
                                     struct.pack("<HHII", count - 1, count - 1, size - (end - last), at) + d[end + 20:])
with zipfile.ZipFile(t + "/unsigned.ofd", "w") as z:
    z.writestr("OFD.xml", '<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"><ofd:DocBody>'
               '<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>')
    z.writestr("Doc_0/Document.xml", '<ofd:Document xmlns:ofd="http://www.ofdspec.org/2016"/>')
EOF
    expect_exit 4 "$SEAL" verify "$T/noofd.ofd"
    expect_msg "noofd.ofd: not a usable OFD file: the package's main entry /OFD.xml is missing$"
    expect_exit 4 "$SEAL" verify "$T/bomb.ofd"
    expect_msg "bomb.ofd: the OFD package has an entry larger than the limit \(64 MiB\)$"
    expect_exit 4 "$SEAL" verify "$T/badxml.ofd"
    expect_msg "badxml.ofd: not a usable OFD file: the package's main entry /OFD.xml is not XML: "
    expect_exit 4 "$SEAL" verify "$T/dotdot.ofd"
    expect_msg "dotdot.ofd: the OFD package has an entry name that leaves the package \('\.\.'\)$"
    expect_exit 1 "$SEAL" verify "$T/hidden.ofd" "${TRUST[@]}" --json
    jq -r .signatures[0].reason "$T/stdout" | grep -Eqx "the document was changed after signing in a way not allowed: bytes at offset [0-9]+ hold a zip entry the central directory does not list" \
        || { show_output; die "hidden entry"; }
    expect_exit 1 "$SEAL" verify "$T/unsigned.ofd" --json
    [ "$(jq -r '[.indication, .reason] | join("|")' "$T/stdout")" = "NO-SIGNATURE|the document has no signature" ] \
        || { show_output; die "unsigned"; }
}

case_type_sign() {
    # Type="Sign": a detached CMS SignedData (RSA, SHA-256, by
    # python3-cryptography) over the Signature.xml, through the CMS verifier.
    openssl req -new -utf8 -newkey rsa:2048 -nodes -keyout "$T/rsa.key" -subj "/C=CN/O=某某建设工程有限公司/CN=赵六 RSA" \
        -out "$T/rsa.csr" 2>/dev/null
    openssl x509 -req -in "$T/rsa.csr" -CA "$SM2/rsaroot.pem" -CAkey "$SM2/rsaroot.key" -set_serial 77 -days 3650 \
        -extfile "$SM2/leaf.ext" -out "$T/rsa.pem" 2>/dev/null
    "$PY" "$TOOLS/mkofd.py" "$T/sign-%s.ofd" --key "$T/rsa.key" --cert "$T/rsa.pem" --seal cms --variant ok,changed \
        || die "mkofd.py cms"
    expect_exit 0 "$SEAL" verify "$T/sign-ok.ofd" --trust "$SM2/rsaroot.pem" --json
    [ "$(jq -r '.signatures[0] | [.field, .type, .subfilter, .indication, .signer, .digest_algorithm, .intact] | map(tostring) | join("|")' \
        "$T/stdout")" = "Sign_0|Sign|GB/T 35275 SignedData|TOTAL-PASSED|赵六 RSA|SHA256|true" ] || { show_output; die "Sign"; }
    expect_exit 1 "$SEAL" verify "$T/sign-changed.ofd" --trust "$SM2/rsaroot.pem" --json
    [ "$(jq -r '.signatures[0] | [.indication, .subindication, .reason] | join("|")' "$T/stdout")" \
        = "TOTAL-FAILED|HASH_FAILURE|the digest of /Doc_0/Pages/Page_0/Content.xml does not match its Reference: changed after signing" ] \
        || { show_output; die "Sign changed"; }
    # An SES signature, then a Sign one: both pass.
    mkofd "$T/mixed.ofd" --seal "$M/a.esl" --second-key "$T/rsa.key" --second-cert "$T/rsa.pem" --second-seal cms
    expect_exit 0 "$SEAL" verify "$T/mixed.ofd" "${TRUST[@]}" --trust "$SM2/rsaroot.pem" --json
    [ "$(jq -r '[.signatures[] | .type + ":" + .indication] | join(" ")' "$T/stdout")" = "Seal:TOTAL-PASSED Sign:TOTAL-PASSED" ] \
        || { show_output; die "mixed"; }
}

run_case "a signed OFD: TOTAL-PASSED, the report as for a PDF" case_signed
run_case "two signatures (continue signing)" case_two_signatures
run_case "changes after signing and forged values, each with its reason" case_attacks
run_case "e-seal checks: another's seal, expired, maker not trusted" case_eseal
run_case "Type=\"Sign\" signatures (CMS SignedData)" case_type_sign
run_case "bad packages: exit 4 with one line; a hidden zip entry" case_bad_input
finish
