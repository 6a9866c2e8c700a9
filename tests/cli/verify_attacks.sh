#!/usr/bin/env bash
# The attack suite of issue 12 (docs/verify.md "Attack suite"): every class
# of tests/tools/mutate.py applied to documents made by our own `seal sign` —
# one signature, two signatures, certified P=1, P=2, P=3 — each must end
# TOTAL-FAILED with changes_after "disallowed" on every earlier signature and
# a change or reason that names the class; signature hiding and time claims
# TOTAL-FAILED / not passed with a named reason; an /Annots array of 10,000
# entries INDETERMINATE. Legitimate changes (more signatures, overlapping
# trusted seals, DSS and document time-stamps, filling an empty field,
# metadata, /Extensions, a structure-tree update, a regenerated appearance)
# must stay TOTAL-PASSED with changes_after "allowed".
#
# The expectations are the verifier's contract, not today's output: the
# table printed at the end lists what the verifier under test answered.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
require python3 jq openssl faketime qpdf

export SEAL_P12_PASSWORD
SEAL_P12_PASSWORD=$(cat "$FIX/p12pass.txt")
P12="p12:$FIX/signer.p12"
ROOT=$FIX/ca/root.pem
W=$T/work
A=$T/attacks
VERDICTS=$T/verdicts
mkdir -p "$W" "$A"
: >"$VERDICTS"
MUTATE=$TOOLS/mutate.py

BASES="one two p1 p2 p3"
# One signature on page 1 (every base has it, over nothing but margin).
SEAL1=(--seal "$FIX/art/company.pdf" --page 1 --at 105,250)
declare -A NSIG=([one]=1 [two]=2 [p1]=1 [p2]=1 [p3]=1 [xs]=1)

# Attack classes and what a disallowed change or a reason must say (ERE,
# case-insensitive), over "kind detail" of each change with allowed == false
# and each signature's reason.
declare -A NAMES=(
    [isa-content]='content'
    [isa-override]='content'
    [isa-pageobj]='page'
    [isa-ap-override]='appearance|seal|XObject'
    [res-gain]='resource|XObject|font'
    [res-gain-prepared]='resource|XObject'
    [res-font-override]='font'
    [res-xobj-override]='XObject'
    [ocg-on]='OCProperties|optional content|OCG|layer'
    [ocg-off]='OCProperties|optional content|OCG|layer'
    [act-openaction]='OpenAction|JavaScript|action'
    [act-aa]='/?AA|JavaScript|action'
    [act-names-js]='JavaScript|action'
    [shadow-hide]='shadow|earlier|prepared|before signing|annotation|appearance'
    [shadow-replace]='shadow|earlier|prepared|before signing|form|field'
    [shadow-hide-replace]='shadow|earlier|re-?point|xref|cross-reference|offset'
    [del-font]='free|delet'
    [del-ap]='free|delet'
    [del-annots]='free|delet'
    [del-content]='free|delet'
    [repoint-old]='earlier|older|re-?point|previous revision'
    [xref-wrongnum]='object number|another object|offset|xref|cross-reference'
    [dangling-content]='dangling|undefined|not defined|never defined|missing'
    [dangling-annot]='dangling|undefined|not defined|never defined|missing'
    [role-metadata]='role|metadata'
    [role-info]='role|info|font'
    [dup-annot]='duplicate'
    [dup-page]='duplicate'
    [flag-invisible]='flag|invisible'
    [flag-noview-print]='flag|noview|print'
    [flag-hidden-off]='flag|hidden'
    [link-ap]='link|appearance'
    [popup-ap]='popup|appearance'
    [needappearances]='NeedAppearances'
    [evil-sig-unsigned]='unsigned|signature field|cover|over|hid'
    [evil-freetext]='FreeText|annotation|cover|over|hid'
    [garbage-eof]='EOF|end of (the )?file|trailing|garbage'
)
ATTACKS="isa-content isa-override isa-pageobj isa-ap-override res-gain res-gain-prepared res-font-override
 res-xobj-override ocg-on ocg-off act-openaction act-aa act-names-js shadow-hide shadow-replace
 shadow-hide-replace del-font del-ap del-annots del-content repoint-old xref-wrongnum dangling-content
 dangling-annot role-metadata role-info dup-annot dup-page flag-invisible flag-noview-print
 flag-hidden-off link-ap popup-ap needappearances evil-sig-unsigned evil-freetext garbage-eof"
SIGHIDE="sighide-fields sighide-annots sighide-parent"
USF="zero byterange subfilter"
# Where the xref form matters: the same updates written as an xref stream
# and with the changed objects inside an object stream.
XFORMS="isa-override res-font-override del-content del-ap repoint-old xref-wrongnum dangling-content
 dup-annot flag-invisible shadow-hide sighide-fields fill-empty metadata structtree"
# Legitimate updates and the bases that permit them (elsewhere: disallowed).
declare -A LEGIT=(
    [fill-empty]="one two p2 p3"
    [ap-regen]="one two p2 p3"
    [metadata]="one two p1 p2 p3"
    [extensions]="one two p1 p2 p3"
    [structtree]="one two p3"
)

# ---------------------------------------------------------------- documents
sign() { # IN OUT [sign options]
    local in=$1 out=$2
    shift 2
    expect_exit 0 "$SEAL" sign "$in" -o "$out" --key "$P12" "$@"
}

# The prepared documents (shadow objects in the signed revision) and their
# signed bases: B.pdf from prepare, r-B.pdf from prepare-roles (role
# confusion needs /Metadata and /Info to be other things too).
make_bases() {
    printf '%s\n' "prepare $FIX/pdf/three.pdf $W/prep.pdf" "prepare-roles $FIX/pdf/three.pdf $W/prep-roles.pdf" \
        "prepare $FIX/pdf/xrefstream.pdf $W/prep-xs.pdf" | python3 "$MUTATE" --plan - \
        || die "mutate.py prepare failed"
    local p
    for p in "" r-; do
        local src=$W/prep.pdf
        [ -z "$p" ] || src=$W/prep-roles.pdf
        sign "$src" "$W/${p}one.pdf" "${SEAL1[@]}"
        sign "$W/${p}one.pdf" "$W/${p}two.pdf" --seal "$FIX/art/legalrep.pdf" --page 2 --at 60,250
        for n in 1 2 3; do sign "$src" "$W/${p}p$n.pdf" "${SEAL1[@]}" --certify "$n"; done
    done
    sign "$W/prep-xs.pdf" "$W/xs.pdf" "${SEAL1[@]}"
    # Every mutation, from one interpreter.
    local b k plan=$W/plan
    : >"$plan"
    for b in $BASES; do
        for k in $ATTACKS $SIGHIDE $USF annots-10000 xref-broken "${!LEGIT[@]}"; do
            case $k in role-*) echo "$k $W/r-$b.pdf $A/$b.$k.pdf" ;; *) echo "$k $W/$b.pdf $A/$b.$k.pdf" ;; esac
        done >>"$plan"
    done
    for k in $XFORMS; do
        printf '%s\n' "$k@xrefstm $W/one.pdf $A/one.$k@xrefstm.pdf" "$k@objstm $W/one.pdf $A/one.$k@objstm.pdf" \
            "$k $W/xs.pdf $A/xs.$k.pdf" >>"$plan"
    done
    python3 "$MUTATE" --plan "$plan" || die "mutate.py --plan failed"
}

# verify LABEL FILE [TRUST...]: JSON in $T/v.json, exit in RC, and one jq
# pass for the checks (jq's start-up is most of a case's time): $T/v.sum
# holds the indication, the signatures' changes_after, indications and
# sub-indications (comma-separated), their count, then one line per
# disallowed change ("kind detail") and per reason. A line in the table.
verify() {
    local label=$1 f=$2 t
    shift 2
    local trust=("$@")
    [ ${#trust[@]} -gt 0 ] || trust=("$ROOT")
    local args=()
    for t in "${trust[@]}"; do args+=(--trust "$t"); done
    run "$SEAL" verify "$f" "${args[@]}" --json
    cp "$T/stdout" "$T/v.json"
    jq -r '(.indication // "-"), ([.signatures[] | .changes_after // "-"] | join(",")),
        ([.signatures[] | .indication // "-"] | join(",")), ([.signatures[] | .subindication // ""] | join(",")),
        (.signatures | length), (.reason // ""),
        (.signatures[] | ((.changes[]? | select(.allowed == false) | "\(.kind) \(.detail)"), (.reason // "")))' \
        "$T/v.json" >"$T/v.sum" 2>/dev/null || printf -- '-\n-\n-\n-\n0\n' >"$T/v.sum"
    mapfile -t V <"$T/v.sum"
    printf '%-44s exit %s  %-14s %s\n' "$label" "$RC" "${V[0]}" "${V[1]}" >>"$VERDICTS"
}

explain() {
    jq -c '{indication, reason, sigs: [.signatures[] | {indication, subindication, changes_after, reason,
        changes: [.changes[]? | select(.allowed == false) | "\(.kind): \(.detail)"]}]}' "$T/v.json" 2>/dev/null \
        | head -c 1500 || show_output
    echo
}

# named RE: a disallowed change or a reason matches RE.
named() { tail -n +6 "$T/v.sum" | grep -Ei -- "$1" >/dev/null; } # not -q: an early exit would be SIGPIPE under pipefail

# first N CSV: the first N fields of CSV.
first() { tr ',' '\n' <<<"$2" | head -n "$1" | sort -u | paste -sd,; }

# expect_disallowed NSIG RE: exit 1, TOTAL-FAILED, the first NSIG signatures
# TOTAL-FAILED with changes_after "disallowed", the class named.
expect_disallowed() {
    local n=$1 re=$2
    [ "$RC" = 1 ] || { explain; die "exit $RC, expected 1"; }
    [ "${V[0]}" = TOTAL-FAILED ] || { explain; die "indication ${V[0]}, expected TOTAL-FAILED"; }
    [ "$(first "$n" "${V[1]}")" = disallowed ] && [ "$(first "$n" "${V[2]}")" = TOTAL-FAILED ] \
        || { explain; die "not every signed revision TOTAL-FAILED with changes_after disallowed"; }
    named "$re" || { explain; die "no disallowed change or reason matches /$re/"; }
}

expect_passed() {
    [ "$RC" = 0 ] || { explain; die "exit $RC, expected 0"; }
    [ "${V[0]}" = TOTAL-PASSED ] && [ "$(first 99 "${V[2]}")" = TOTAL-PASSED ] \
        || { explain; die "not TOTAL-PASSED"; }
    [ "${V[4]}" -lt 2 ] || [ "$(first $((V[4] - 1)) "${V[1]}")" = allowed ] \
        || { explain; die "changes_after is not 'allowed' for every earlier signature"; }
}

# ---------------------------------------------------------------- cases
case_attack() { # BASE KIND[@FORM]
    local b=$1 k=$2 re=${NAMES[${2%@*}]}
    # Where DocMDP forbids any new or changed annotation, saying so names it.
    case "$b:${k%@*}" in p[12]:shadow-hide | p[12]:dangling-annot | p[12]:dup-annot | p[12]:flag-* | p[12]:link-ap | \
        p[12]:popup-ap | p[12]:evil-* | p1:needappearances) re="$re|DocMDP|P=[12]" ;;
    esac
    verify "$b $k" "$A/$b.$k.pdf"
    expect_disallowed "${NSIG[$b]}" "$re"
}

case_sighide() { # BASE KIND: the victim is still found, and failed with a reason
    local b=$1 k=$2
    verify "$b $k" "$A/$b.$k.pdf"
    [ "$RC" = 1 ] || { explain; die "exit $RC, expected 1"; }
    [ "${V[0]}" = TOTAL-FAILED ] || { explain; die "indication ${V[0]}, expected TOTAL-FAILED"; }
    [ "${V[4]}" = "${NSIG[$b]}" ] || { explain; die "${V[4]} signatures found, expected ${NSIG[$b]}"; }
    [ "$(first 1 "${V[2]}")" = TOTAL-FAILED ] || { explain; die "the hidden signature is not TOTAL-FAILED"; }
    jq -e '.signatures[0].reason // "" | test("reachable|hidden|removed|unlinked|re-?pointed|no longer|widget|field|parent"; "i")' \
        "$T/v.json" >/dev/null || { explain; die "the hidden signature's reason does not name the hiding"; }
}

case_usf() { # BASE KIND: the last signature malformed
    local b=$1 k=$2
    verify "$b $k" "$A/$b.$k.pdf"
    [ "$RC" = 1 ] || { explain; die "exit $RC, expected 1"; }
    [ "${V[0]}" = TOTAL-FAILED ] && [ "${V[2]##*,}" = TOTAL-FAILED ] && [ "${V[3]##*,}" = FORMAT_FAILURE ] \
        || { explain; die "the last signature is not TOTAL-FAILED / FORMAT_FAILURE"; }
}

case_annots_10000() { # BASE: a limit stops the analysis: INDETERMINATE, never a pass
    local b=$1
    verify "$b annots-10000" "$A/$b.annots-10000.pdf"
    case $b in
    p1 | p2)
        # Adding any annotation is already disallowed here: failed or indeterminate.
        [ "$RC" = 1 ] || [ "$RC" = 3 ] || { explain; die "exit $RC, expected 1 or 3"; } ;;
    *)
        [ "$RC" = 3 ] || { explain; die "exit $RC, expected 3"; }
        [ "${V[0]}" = INDETERMINATE ] && named 'limit|too many|10,?000' \
            || { explain; die "not INDETERMINATE with a reason naming the limit"; } ;;
    esac
}

case_xref_broken() { # BASE: never passes; failed, or unusable with a reason
    local b=$1
    verify "$b xref-broken" "$A/$b.xref-broken.pdf"
    case $RC in
    1) expect_disallowed "${NSIG[$b]}" 'xref|cross-reference|malformed|broken|damaged' ;;
    4) expect_msg 'xref|cross-reference|damaged|malformed' ;;
    *) explain; die "exit $RC, expected 1 or 4" ;;
    esac
}

case_legit() { # BASE KIND[@FORM]
    local b=$1 k=$2 allowed=${LEGIT[${2%@*}]}
    verify "$b $k" "$A/$b.$k.pdf"
    case " $allowed xs " in
    *" $b "*) expect_passed ;;
    *) expect_disallowed "${NSIG[$b]}" 'P=[12]|DocMDP|not permitted|annotation|form|field' ;;
    esac
}

case_more_signatures() {
    sign "$W/two.pdf" "$W/three.pdf" --seal "$FIX/art/company.pdf" --page 3 --at 150,60
    verify "one+two+three seals" "$W/three.pdf"
    expect_passed
    [ "${V[4]}" = 3 ] || die "${V[4]} signatures, expected 3"
    local n
    for n in 2 3; do
        sign "$W/p$n.pdf" "$W/p$n-2.pdf" --seal "$FIX/art/legalrep.pdf" --page 2 --at 60,250
        verify "p$n + second seal" "$W/p$n-2.pdf"
        expect_passed
    done
}

case_overlap() {
    # The legal representative's seal over a corner of the company seal.
    sign "$W/prep.pdf" "$W/ov1.pdf" "${SEAL1[@]}"
    sign "$W/ov1.pdf" "$W/ov2.pdf" --seal "$FIX/art/legalrep.pdf" --page 1 --at 125,235
    verify "overlapping trusted seals" "$W/ov2.pdf"
    expect_passed
    sign "$W/p2.pdf" "$W/ov3.pdf" --seal "$FIX/art/legalrep.pdf" --page 1 --at 125,235
    verify "p2 + overlapping seal" "$W/ov3.pdf"
    expect_passed
}

# A sneaky signature: a later signature by a key we do not trust, whose
# appearance is an opaque white box with other text, over the signed text.
case_untrusted_overlay() { # BASE
    local b=$1
    [ -f "$W/mallory.p12" ] || {
        openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/mallory.key" -out "$W/mallory.pem" -days 30 \
            -subj "/CN=Mallory" -addext "keyUsage=critical,digitalSignature,nonRepudiation" 2>/dev/null
        openssl pkcs12 -export -inkey "$W/mallory.key" -in "$W/mallory.pem" -passout pass:p12pass \
            -out "$W/mallory.p12"
        printf '%s\n' "whitebox - $W/white.pdf" | python3 "$MUTATE" --plan - || die "white box artwork"
    }
    expect_exit 0 "$SEAL" sign "$W/$b.pdf" -o "$A/$b.untrusted.pdf" --key "p12:$W/mallory.p12" \
        --seal "$W/white.pdf" --page 1 --at 105,50
    verify "$b evil-sig-untrusted" "$A/$b.untrusted.pdf"
    expect_disallowed "${NSIG[$b]}" 'signature|appearance|cover|over|untrusted'
}

# Time claims: without a time-stamp, a certificate expired now (or not yet
# valid) does not pass because /M says it was signed while it was valid.
make_time_pki() {
    [ -f "$W/tpki/expired.p12" ] && return 0
    mkdir -p "$W/tpki"
    local d=$W/tpki
    cat >"$d/ext.cnf" <<'EOF'
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_sign]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF
    faketime -f -800d openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/root.key" -out "$d/root.pem" \
        -days 3650 -subj "/CN=libseal time-claims root" -extensions v3_ca -config <(
        printf '[req]\ndistinguished_name=dn\n[dn]\n'; cat "$d/ext.cnf") 2>/dev/null || die "time root"
    local who when
    for who in expired future; do
        case $who in expired) when=-600d ;; future) when=+400d ;; esac
        openssl req -new -newkey rsa:2048 -nodes -keyout "$d/$who.key" -out "$d/$who.csr" \
            -subj "/CN=$who signer" 2>/dev/null
        faketime -f "$when" openssl x509 -req -in "$d/$who.csr" -CA "$d/root.pem" -CAkey "$d/root.key" \
            -set_serial "0x$(openssl rand -hex 8)" -days 200 -extfile "$d/ext.cnf" -extensions v3_sign \
            -out "$d/$who.pem" 2>/dev/null || die "$who certificate"
        openssl pkcs12 -export -inkey "$d/$who.key" -in "$d/$who.pem" -certfile "$d/root.pem" \
            -passout pass:p12pass -out "$d/$who.p12"
    done
}

case_time_claim() { # BASE expired|future
    local b=$1 who=$2 when in=$W/prep.pdf extra=()
    make_time_pki
    case $who in expired) when=-500d ;; future) when=+500d ;; esac
    case $b in two) in=$W/one.pdf ;; p2) extra=(--certify 2) ;; esac
    # libfaketime is preloaded ahead of an ASan build's runtime: tell ASan
    # that is expected (the sanitizer pass runs this suite too).
    run env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
        faketime -f "$when" "$SEAL" sign "$in" -o "$A/$b.time-$who.pdf" --key "p12:$W/tpki/$who.p12" \
        "${SEAL1[@]/105,250/60,250}" "${extra[@]}"
    [ "$RC" = 0 ] || { show_output; die "signing at $when failed"; }
    verify "$b time-$who" "$A/$b.time-$who.pdf" "$W/tpki/root.pem" "$ROOT"
    [ "$RC" = 1 ] || [ "$RC" = 3 ] || { explain; die "exit $RC, expected 1 or 3"; }
    [ "${V[0]}" != TOTAL-PASSED ] && [ "${V[2]##*,}" != TOTAL-PASSED ] \
        && grep -Eq 'OUT_OF_BOUNDS_NO_POE|EXPIRED|NOT_YET_VALID' <<<"${V[3]##*,}" \
        || { explain; die "a /M-dated signature whose certificate is invalid now is not failed or indeterminate"; }
}

# DSS and document time-stamps (real TSA and OCSP on loopback).
case_ltv() {
    # shellcheck source=tests/tools/ltvctl.sh
    . "$TOOLS/ltvctl.sh"
    ltv_start "$T/ltv" >/dev/null || die "cannot start the LTV services"
    local key=p12:$LTV_P12 pw=$LTV_P12_PASS
    SEAL_P12_PASSWORD=$pw expect_exit 0 "$SEAL" sign "$W/prep.pdf" -o "$W/lt-bb.pdf" --key "$key" "${SEAL1[@]}"
    # B-B, then seal extend: DSS and a document time-stamp after the signature.
    expect_exit 0 "$SEAL" extend "$W/lt-bb.pdf" -o "$W/lt-ext.pdf" --tsa "$LTV_TSA_URL"
    verify "one + extend (DSS, doc time-stamp)" "$W/lt-ext.pdf" "$LTV_ROOT"
    expect_passed
    # Certified P=1: DSS and document time-stamps are not changes (ISO 32000-2).
    SEAL_P12_PASSWORD=$pw expect_exit 0 "$SEAL" sign "$W/prep.pdf" -o "$W/lt-p1.pdf" --key "$key" \
        --level B-LTA --tsa "$LTV_TSA_URL" "${SEAL1[@]}" --certify 1
    verify "p1 B-LTA (DSS, doc time-stamp)" "$W/lt-p1.pdf" "$LTV_ROOT"
    expect_passed
}

case_all_kinds_covered() {
    local k missing=() all
    all=" $(echo $ATTACKS $SIGHIDE $USF annots-10000 xref-broken "${!LEGIT[@]}" prepare prepare-roles whitebox) "
    for k in $(python3 "$MUTATE" --list); do
        case $all in
        *" $k "*) ;;
        *) case $k in content | annot | override | pageobj | flip | addtext | filltext) ;; *) missing+=("$k") ;; esac ;;
        esac
    done
    [ ${#missing[@]} = 0 ] || die "generator kinds not in the suite: ${missing[*]}"
}

make_bases
echo "bases signed and $(ls "$A" | wc -l) mutations made in ${SECONDS}s"

for b in $BASES; do
    for k in $ATTACKS; do run_case "$k on $b" case_attack "$b" "$k"; done
    for k in $SIGHIDE; do run_case "$k on $b" case_sighide "$b" "$k"; done
    for k in $USF; do run_case "$k on $b" case_usf "$b" "$k"; done
    run_case "annots-10000 on $b" case_annots_10000 "$b"
    run_case "xref-broken on $b" case_xref_broken "$b"
    for k in "${!LEGIT[@]}"; do run_case "$k on $b" case_legit "$b" "$k"; done
done
for k in $XFORMS; do
    for f in "$k@xrefstm" "$k@objstm"; do
        if [ -n "${LEGIT[$k]:-}" ]; then run_case "$f on one" case_legit one "$f"
        elif [ "${k#sighide}" != "$k" ]; then run_case "$f on one" case_sighide one "$f"
        else run_case "$f on one" case_attack one "$f"; fi
    done
    if [ -n "${LEGIT[$k]:-}" ]; then run_case "$k on xs" case_legit xs "$k"
    elif [ "${k#sighide}" != "$k" ]; then run_case "$k on xs" case_sighide xs "$k"
    else run_case "$k on xs" case_attack xs "$k"; fi
done
for b in one two p2 p3; do run_case "evil-sig-untrusted on $b" case_untrusted_overlay "$b"; done
for b in one two p2; do
    run_case "time claim, expired certificate, /M back-dated, on $b" case_time_claim "$b" expired
    run_case "time claim, not-yet-valid certificate, /M forward-dated, on $b" case_time_claim "$b" future
done
run_case "legitimate: second and third signatures (also on P=2, P=3)" case_more_signatures
run_case "legitimate: two trusted seals overlapping" case_overlap
run_case "legitimate: DSS and document time-stamps (seal extend, B-LTA on P=1)" case_ltv
run_case "every generator kind is in this suite" case_all_kinds_covered

echo "== verdicts of the verifier under test (case, exit, indication, changes_after per signature)"
sort "$VERDICTS"
finish
