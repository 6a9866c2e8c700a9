#!/usr/bin/env bash
# Certification (DocMDP): a certified P=1 document refuses any further
# signature (exit 4, nothing written); P=2 and P=3 accept an approval
# signature after the certification and both stay valid. Certification is
# only ever the first signature.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require pdfsig qpdf openssl python3

ONE=$FIX/pdf/one.pdf
PIN=(--pin-file "$FIX/pin.txt")

# docmdp_p FILE: the P of the document's certification, from qpdf's reading.
docmdp_p() {
    python3 "$TOOLS/pdfwalk.py" "$1" Root/Perms/DocMDP/Reference/0/TransformParams/P 2>/dev/null || echo none
}

certify() { # P OUT
    expect_exit 0 "$SEAL" sign "$ONE" -o "$2" --key "$KEY_COMPANY" "${PIN[@]}" --certify "$1" \
        --seal "$FIX/art/company.pdf" --page 1 --at 105,250
    expect_quiet
    check_prefix "$ONE" "$2"
    check_pdfsig "$2" 1
    check_cms "$2" 1
    check_qpdf "$2"
    [ "$(docmdp_p "$2")" = "$1" ] || die "Perms/DocMDP P is $(docmdp_p "$2"), expected $1"
    # The signature referenced from /Perms is the one in the field.
    local tm
    tm=$(python3 "$TOOLS/pdfwalk.py" "$2" Root/Perms/DocMDP/Reference/0/TransformMethod)
    [ "$tm" = '"/DocMDP"' ] || die "TransformMethod $tm"
}

certify_p1_then_refuse() {
    certify 1 "$T/p1.pdf"
    expect_failure 4 'certif|DocMDP|no changes|P=1|locked|not allowed|permit' "$T/p1.pdf" -- \
        sign "$T/p1.pdf" -o @OUT@ --key "$KEY_LEGALREP" "${PIN[@]}" \
        --seal "$FIX/art/legalrep.pdf" --page 1 --at 150,250
    # Invisible signatures are changes too.
    SEAL_P12_PASSWORD=p12pass expect_failure 4 'certif|DocMDP|no changes|P=1|locked|not allowed|permit' \
        "$T/p1.pdf" -- sign "$T/p1.pdf" -o @OUT@ --key "p12:$FIX/signer.p12"
}

certify_then_approve() { # P
    local p=$1
    certify "$p" "$T/p$p.pdf"
    SEAL_PIN=123456 expect_exit 0 "$SEAL" sign "$T/p$p.pdf" -o "$T/p$p-2.pdf" --key "$KEY_LEGALREP" \
        --seal "$FIX/art/legalrep.pdf" --page 1 --at 150,250
    expect_quiet
    check_prefix "$T/p$p.pdf" "$T/p$p-2.pdf"
    check_pdfsig "$T/p$p-2.pdf" 2
    check_cms "$T/p$p-2.pdf" 2
    check_qpdf "$T/p$p-2.pdf"
    [ "$(docmdp_p "$T/p$p-2.pdf")" = "$p" ] || die "DocMDP lost or changed by the second signature"
}

certify_not_first() {
    # A document that already carries an approval signature cannot be certified.
    SEAL_P12_PASSWORD=p12pass expect_exit 0 "$SEAL" sign "$ONE" -o "$T/approved.pdf" \
        --key "p12:$FIX/signer.p12"
    expect_failure 4 'certif|first|already signed|DocMDP' "$T/approved.pdf" -- sign "$T/approved.pdf" \
        -o @OUT@ --key "$KEY_COMPANY" "${PIN[@]}" --certify 2
}

run_case "certify P=1, then a second signature is refused (4)" certify_p1_then_refuse
run_case "certify P=2, then an approval signature: both valid" certify_then_approve 2
run_case "certify P=3, then an approval signature: both valid" certify_then_approve 3
run_case "certification only as the first signature" certify_not_first
finish
