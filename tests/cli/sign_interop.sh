#!/usr/bin/env bash
# Three seals in a row on one bid, checked by tools that are not ours:
#   1. SoftHSM2 RSA key "company", company seal on page 1 at (105,250) mm
#   2. SoftHSM2 EC P-256 key "legalrep", legal-rep seal on the result
#   3. PKCS#12 key (李四), invisible, on that
# Every file is an exact byte prefix of the next; pdfsig (poppler/NSS) calls
# every signature valid and trusted; openssl cms -verify accepts each one
# over its ByteRange; each CMS has exactly contentType, messageDigest and
# signingCertificateV2; qpdf --check is clean. Then one changed byte must be
# caught by the same checks.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require pdfsig qpdf openssl python3

IN=$FIX/pdf/three.pdf
S1=$T/s1.pdf S2=$T/s2.pdf S3=$T/s3.pdf
IN_SHA=$(sha256 "$IN")

sign_company() {
    expect_exit 0 "$SEAL" sign "$IN" -o "$S1" --key "$KEY_COMPANY" --pin-file "$FIX/pin.txt" \
        --seal "$FIX/art/company.pdf" --page 1 --at 105,250 --reason "投标文件盖章" --location "北京"
    expect_quiet
    [ "$(sha256 "$IN")" = "$IN_SHA" ] || die "input modified"
    check_prefix "$IN" "$S1"
    check_pdfsig "$S1" 1
    check_cms "$S1" 1
    check_qpdf "$S1"
}

sign_legalrep() {
    [ -f "$S1" ] || skip_case "no first signature"
    local s1sha
    s1sha=$(sha256 "$S1")
    # The PIN from the environment this time.
    SEAL_PIN=123456 expect_exit 0 "$SEAL" sign "$S1" -o "$S2" --key "$KEY_LEGALREP" \
        --seal "$FIX/art/legalrep.pdf" --page 1 --at 150,250
    expect_quiet
    [ "$(sha256 "$S1")" = "$s1sha" ] || die "input modified"
    check_prefix "$S1" "$S2"
    check_pdfsig "$S2" 2
    check_cms "$S2" 2
    check_qpdf "$S2"
}

sign_p12() {
    [ -f "$S2" ] || skip_case "no second signature"
    SEAL_P12_PASSWORD=p12pass expect_exit 0 "$SEAL" sign "$S2" -o "$S3" --key "p12:$FIX/signer.p12"
    expect_quiet
    check_prefix "$S2" "$S3"
    check_pdfsig "$S3" 3
    check_cms "$S3" 3
    check_qpdf "$S3"
}

chain_shape() {
    [ -f "$S3" ] || skip_case "no third signature"
    # Each earlier signature ends exactly where its own revision ended.
    local ends want
    ends=$(revision_ends "$S3" | tr '\n' ' ')
    want="$(filesize "$S1") $(filesize "$S2") $(filesize "$S3") "
    [ "$ends" = "$want" ] || die "ByteRanges end at [$ends], revisions at [$want]"
    # The signers, in order, as pdfsig reads them (UTF-8 names intact).
    local signers
    signers=$(pdfsig_signers "$S3" | tr '\n' '|')
    [ "$signers" = "某某建设工程有限公司 company-seal|张三|李四|" ] \
        || die "pdfsig signers: $signers"
    # Reason and location reach the first signature dictionary as text strings.
    python3 "$TOOLS/pdfsigs.py" "$S3" | python3 -c '
import json, re, sys
def text(v):
    if v is None: return None
    if v.startswith("<"): b = bytes.fromhex(v[1:-1])
    else:
        b = re.sub(r"\\([0-7]{1,3}|.)", lambda m: chr(int(m.group(1), 8)) if m.group(1)[0] in "01234567"
                   else {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}.get(m.group(1), m.group(1)),
                   v[1:-1]).encode("latin-1")
    if b.startswith(b"\xfe\xff"): return b[2:].decode("utf-16-be")
    if b.startswith(b"\xef\xbb\xbf"): return b[3:].decode("utf-8")
    return b.decode("latin-1")
d = json.load(sys.stdin)["signatures"][0]["dict"]
r, l = text(d.get("Reason")), text(d.get("Location"))
if (r, l) != ("投标文件盖章", "北京"):
    sys.exit("reason %r, location %r" % (r, l))' || die "/Reason or /Location wrong in the first signature"
}

form_structure() {
    [ -f "$S3" ] || skip_case "no third signature"
    # As qpdf reads it: AcroForm /SigFlags 3 (signatures exist, append only);
    # three signature fields; the two visible widgets are printable (/F 4, a
    # seal on a bid must print) and listed in page 1's /Annots.
    python3 - "$TOOLS" "$S3" <<'PY' || die "form structure"
import sys
sys.path.insert(0, sys.argv[1])
import pdfwalk
objs = pdfwalk.load(sys.argv[2])
w = lambda p: pdfwalk.walk(objs, p)
bad = []
if w("Root/AcroForm/SigFlags") != 3:
    bad.append("SigFlags %r" % w("Root/AcroForm/SigFlags"))
fields = [pdfwalk.resolve(objs, f) for f in w("Root/AcroForm/Fields")]
sigs = [f for f in fields if f.get("/FT") == "/Sig"]
if len(sigs) != 3:
    bad.append("%d signature fields" % len(sigs))
annots = [pdfwalk.resolve(objs, a) for a in w("Root/Pages/Kids/0/Annots")]
names = {a.get("/T") for a in annots if a.get("/Subtype") == "/Widget"}
for f in sigs[:2]:
    if not (int(f.get("/F", 0)) & 4):
        bad.append("%s: widget not printable (/F %r)" % (f.get("/T"), f.get("/F")))
    if f.get("/T") not in names:
        bad.append("%s: widget not in page 1's /Annots" % f.get("/T"))
    if "/N" not in (f.get("/AP") or {}):
        bad.append("%s: no normal appearance" % f.get("/T"))
for b in bad:
    print("      | " + b)
sys.exit(1 if bad else 0)
PY
}

tamper_caught() {
    [ -f "$S3" ] || skip_case "no signed file"
    # One byte changed inside the first revision (the original document).
    cp "$S3" "$T/tampered.pdf"
    local off
    off=$(grep -abo 'Bid section 1' "$T/tampered.pdf" | head -1 | cut -d: -f1)
    [ -n "$off" ] || die "marker text not found"
    printf 'b' | dd of="$T/tampered.pdf" bs=1 seek="$off" conv=notrunc status=none
    if (check_pdfsig "$T/tampered.pdf" 3) >/dev/null; then die "pdfsig check missed a changed byte"; fi
    if (check_cms "$T/tampered.pdf" 3) >/dev/null; then die "CMS check missed a changed byte"; fi
    local out
    out=$(pdfsig -nssdir "sql:$FIX/nssdb" "$T/tampered.pdf" 2>&1 || true)
    [ "$(grep -c 'Signature is Valid' <<<"$out" || true)" = 0 ] \
        || die "pdfsig still calls a signature over the changed byte valid"
}

run_case "RSA token key, company seal at page 1 (105,250)" sign_company
run_case "EC token key, legal-rep seal, PIN from SEAL_PIN" sign_legalrep
run_case "PKCS#12 key, invisible" sign_p12
run_case "each ByteRange ends its own revision; signers in order" chain_shape
run_case "AcroForm: SigFlags 3, printable widgets on page 1" form_structure
run_case "a changed byte is caught by pdfsig and openssl" tamper_caught
finish
