# seal verify on files made by our own signer: one seal, three seals,
# certified then sealed — TOTAL-PASSED with the test root — then the same
# files attacked (tests/tools/mutate.py), each caught with the right reason;
# the committee's rules, JSON fields, the HTML report, folders, bad input.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
require python3 jq

export SEAL_P12_PASSWORD
SEAL_P12_PASSWORD=$(cat "$FIX/p12pass.txt")
P12="p12:$FIX/signer.p12"
ROOT=$FIX/ca/root.pem
W=$T/work
mkdir -p "$W"

sign() { # IN OUT [sign options]
    local in=$1 out=$2
    shift 2
    expect_exit 0 "$SEAL" sign "$in" -o "$out" --key "$P12" "$@"
}

make_files() {
    [ -f "$W/three.pdf" ] && return 0
    sign "$FIX/pdf/three.pdf" "$W/one.pdf" --seal "$FIX/art/company.pdf" --page 1 --at 105,250
    sign "$W/one.pdf" "$W/two.pdf" --seal "$FIX/art/legalrep.pdf" --page 2 --at 60,250
    sign "$W/two.pdf" "$W/three.pdf" --seal "$FIX/art/company.pdf" --page 3 --at 150,60
    sign "$FIX/pdf/three.pdf" "$W/cert.pdf" --certify 2
    sign "$W/cert.pdf" "$W/certsealed.pdf" --seal "$FIX/art/company.pdf" --page 1 --at 105,250
}

# verify FILE [options]: JSON in $T/v.json, exit in RC.
verify() {
    local f=$1
    shift
    run "$SEAL" verify "$f" --json "$@"
    cp "$T/stdout" "$T/v.json"
}

sig() { jq -r ".signatures[$1].$2" "$T/v.json"; }

case_one_seal() {
    make_files
    verify "$W/one.pdf" --trust "$ROOT"
    [ "$RC" = 0 ] || { show_output; die "exit $RC, expected 0"; }
    [ "$(jq -r .indication "$T/v.json")" = TOTAL-PASSED ] || die "not TOTAL-PASSED"
    [ "$(sig 0 seal_kind)" = company ] || die "seal kind $(sig 0 seal_kind)"
    [ "$(sig 0 page)" = 1 ] || die "page $(sig 0 page)"
    [ "$(sig 0 level)" = B-B ] || die "level $(sig 0 level)"
    [ "$(sig 0 revision)" = 2 ] || die "revision $(sig 0 revision)"
    [ "$(sig 0 changes_after)" = none ] || die "changes_after $(sig 0 changes_after)"
    [ "$(sig 0 intact)" = true ] && [ "$(sig 0 byte_range_ok)" = true ] || die "not intact"
    [ "$(sig 0 revocation)" = "not checked" ] || die "revocation $(sig 0 revocation)"
    expect_quiet
    # Every field design.md promises.
    for k in file indication signatures; do jq -e "has(\"$k\")" "$T/v.json" >/dev/null || die "no $k"; done
    for k in field indication subindication intact byte_range_ok signer signing_time timestamp level \
        revision changes_after changes page rect seal_kind; do
        jq -e ".signatures[0] | has(\"$k\")" "$T/v.json" >/dev/null || die "no signatures[].$k"
    done
}

case_three_seals() {
    make_files
    verify "$W/three.pdf" --trust "$ROOT"
    [ "$RC" = 0 ] || { show_output; die "exit $RC"; }
    [ "$(jq '.signatures | length' "$T/v.json")" = 3 ] || die "not 3 signatures"
    [ "$(jq '[.signatures[] | select(.indication == "TOTAL-PASSED")] | length' "$T/v.json")" = 3 ] || die "not all passed"
    [ "$(sig 0 changes_after)" = allowed ] && [ "$(sig 1 changes_after)" = allowed ] && [ "$(sig 2 changes_after)" = none ] \
        || die "changes_after: $(jq -c '[.signatures[].changes_after]' "$T/v.json")"
    [ "$(sig 1 seal_kind)" = legal-rep ] && [ "$(sig 1 page)" = 2 ] || die "second seal: $(sig 1 seal_kind) page $(sig 1 page)"
    expect_exit 0 "$SEAL" verify "$W/three.pdf" --trust "$ROOT" --require company@1 --require legal-rep@2 --require company@3
    grep -q '签名 Signature 3' "$T/stdout" || die "text output lacks the third signature"
}

case_certified() {
    make_files
    verify "$W/certsealed.pdf" --trust "$ROOT"
    [ "$RC" = 0 ] || { show_output; die "exit $RC"; }
    [ "$(sig 0 certify)" = 2 ] || die "certify $(sig 0 certify)"
    [ "$(sig 0 changes_after)" = allowed ] || die "changes_after $(sig 0 changes_after)"
    [ "$(jq -r .docmdp "$T/v.json")" = 2 ] || die "docmdp"
}

case_untrusted() {
    make_files
    verify "$W/one.pdf"
    [ "$RC" = 3 ] || die "exit $RC without trust anchors, expected 3"
    [ "$(sig 0 subindication)" = NO_CERTIFICATE_CHAIN_FOUND ] || die "$(sig 0 subindication)"
    verify "$W/one.pdf" --trust "$ROOT" --revocation require
    [ "$RC" = 3 ] && [ "$(sig 0 subindication)" = TRY_LATER ] || die "--revocation require: exit $RC $(sig 0 subindication)"
    # A directory of anchors (non-certificates in it are skipped).
    verify "$W/one.pdf" --trust "$FIX/ca"
    [ "$RC" = 0 ] || die "--trust DIR: exit $RC"
}

# attack KIND FILE EXPECT-EXIT JQ-CONDITION DESCRIPTION
attack() {
    local kind=$1 f=$2 code=$3 cond=$4
    python3 "$TOOLS/mutate.py" "$kind" "$f" "$W/$kind.pdf" || die "mutate.py $kind failed"
    verify "$W/$kind.pdf" --trust "$ROOT"
    [ "$RC" = "$code" ] || { show_output; die "$kind: exit $RC, expected $code"; }
    jq -e "$cond" "$T/v.json" >/dev/null || { jq -c '[.signatures[] | [.indication, .subindication, .reason]]' "$T/v.json"; die "$kind: not caught as expected ($cond)"; }
    note "$kind: $(jq -r '.reason' "$T/v.json")"
}

case_attacks() {
    make_files
    attack content "$W/three.pdf" 1 '[.signatures[] | select(.changes_after == "disallowed") | .changes[] | select(.allowed == false and .kind == "content" and .page == 1)] | length >= 3'
    # An annotation painting "NEW PRICE" on a blank part of the page: no
    # certification forbids annotations, so the structure is allowed, but
    # the page now shows what nobody signed: INDETERMINATE, named by what
    # the pages show, never a pass.
    attack annot "$W/three.pdf" 3 '[.signatures[] | select(.indication == "INDETERMINATE" and (.reason | test("annotation after signing"))) | .changes[] | select(.kind == "rendering" and .page == 1)] | length >= 3'
    attack override "$W/three.pdf" 1 '[.signatures[] | .changes[] | select(.allowed == false and .kind == "content" and .object > 0)] | length == 3'
    attack pageobj "$W/three.pdf" 1 '[.signatures[] | .changes[] | select(.allowed == false and .kind == "page" and .page == 1)] | length >= 3'
    attack flip "$W/three.pdf" 1 '[.signatures[] | select(.indication == "TOTAL-FAILED" and .subindication == "HASH_FAILURE" and .intact == false)] | length == 3'
    # The third seal is still drawn, but its signature is broken: for the
    # earlier signatures that is a seal nobody validly signed added to
    # their pages (the rendering judge, crops of both renderings kept).
    attack zero "$W/three.pdf" 1 '.signatures[2].indication == "TOTAL-FAILED" and .signatures[2].subindication == "FORMAT_FAILURE" and ([.signatures[0].changes[] | select(.kind == "rendering" and .allowed == false and .page == 3 and (.detail | test("Seal3.*TOTAL-FAILED")))] | length >= 1)'
    attack byterange "$W/three.pdf" 1 '.signatures[2].subindication == "FORMAT_FAILURE" and .signatures[2].byte_range_ok == false'
    attack subfilter "$W/three.pdf" 1 '.signatures[2].subindication == "FORMAT_FAILURE" and (.signatures[2].reason | test("SubFilter"))'
    # On a certified document too.
    attack annot "$W/certsealed.pdf" 1 '[.signatures[] | .changes[] | select(.allowed == false)] | length >= 2'
}

case_overlap() {
    make_files
    # The legal representative's seal stamped across the company seal.
    sign "$W/one.pdf" "$W/overlap.pdf" --seal "$FIX/art/legalrep.pdf" --page 1 --at 120,255
    verify "$W/overlap.pdf" --trust "$ROOT"
    [ "$(sig 1 indication)" = TOTAL-PASSED ] || die "the overlapping seal: $(sig 1 reason)"
    [ "$(sig 0 indication)" = TOTAL-PASSED ] && [ "$RC" = 0 ] || die "the overlapped seal: exit $RC $(sig 0 reason)"
    # What the signer of the first saw is still there: the second seal only
    # adds ink.
    jq -e '[.signatures[0].changes[] | select(.kind == "rendering")] | length == 0' "$T/v.json" >/dev/null \
        || die "rendering: $(jq -c '[.signatures[0].changes[] | select(.kind == "rendering") | .detail]' "$T/v.json")"
}

case_rules() {
    make_files
    expect_exit 0 "$SEAL" verify "$W/one.pdf" --trust "$ROOT" --require company@1
    expect_exit 1 "$SEAL" verify "$W/one.pdf" --trust "$ROOT" --require legal-rep
    grep -q 'rule legal-rep not met' "$T/stderr" || die "the unmet rule is not named: $(cat "$T/stderr")"
    expect_exit 1 "$SEAL" verify "$W/one.pdf" --trust "$ROOT" --require company@2
    expect_exit 1 "$SEAL" verify "$W/three.pdf" --trust "$ROOT" --require cross-page
    grep -q 'cross-page' "$T/stderr" || die "cross-page not named"
    expect_exit 2 "$SEAL" verify "$W/one.pdf" --require president
    # A claimed time cannot prove a deadline; a missed one is a failure.
    expect_exit 3 "$SEAL" verify "$W/one.pdf" --trust "$ROOT" --deadline 2100-01-01T00:00:00+08:00
    [ "$(jq -r '.signatures[0].deadline' <<<"$("$SEAL" verify "$W/one.pdf" --trust "$ROOT" --json --deadline 2100-01-01)")" = unproven ] \
        || die "deadline not 'unproven'"
    expect_exit 2 "$SEAL" verify "$W/one.pdf" --deadline yesterday
}

case_html() {
    make_files
    expect_exit 0 "$SEAL" verify "$W/three.pdf" --trust "$ROOT" --html "$W/r.html"
    [ -s "$W/r.html" ] || die "no HTML written"
    [ "$(grep -o '<tr class="sig' "$W/r.html" | wc -l)" = 3 ] || die "not one row per signature"
    [ "$(grep -o 'class="seal" alt="seal" src="data:image/png;base64,' "$W/r.html" | wc -l)" = 3 ] || die "seal images missing"
    [ "$(grep -o 'class="region" alt="page region" src="data:image/png;base64,' "$W/r.html" | wc -l)" = 3 ] || die "page regions missing"
    ! grep -Eq '(src|href)="(https?:)?//' "$W/r.html" || die "the report is not self-contained"
    # A PNG that decodes.
    python3 - "$W/r.html" <<'PY' || die "embedded PNG is broken"
import base64, re, sys, zlib
html = open(sys.argv[1]).read()
png = base64.b64decode(re.search(r'src="data:image/png;base64,([^"]+)"', html).group(1))
assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
PY
    python3 "$TOOLS/mutate.py" content "$W/one.pdf" "$W/bad.pdf"
    expect_exit 1 "$SEAL" verify "$W/bad.pdf" --trust "$ROOT" --html "$W/bad.html"
    grep -q 'banner fail' "$W/bad.html" || die "no failure banner"
    grep -q 'content: page 1' "$W/bad.html" || die "the change is not shown"
}

case_folder() {
    make_files
    mkdir -p "$W/bids"
    cp "$W/one.pdf" "$W/bids/a.pdf"
    cp "$W/three.pdf" "$W/bids/b.pdf"
    expect_exit 0 "$SEAL" verify "$W/bids" --trust "$ROOT"
    [ "$(grep -c 'TOTAL-PASSED' "$T/stdout")" = 2 ] || { show_output; die "summary table"; }
    python3 "$TOOLS/mutate.py" flip "$W/one.pdf" "$W/bids/c.pdf"
    expect_exit 1 "$SEAL" verify "$W/bids" --trust "$ROOT" --json
    [ "$(jq '.documents | length' "$T/stdout")" = 3 ] || die "JSON documents"
}

case_bad_input() {
    expect_failure 4 'not a PDF' "$FIX/pdf/notpdf.pdf" -- verify "$FIX/pdf/notpdf.pdf"
    expect_failure 4 'no such file|cannot open' "$FIX/pdf/one.pdf" -- verify "$W/missing.pdf"
    # No signature at all: NO-SIGNATURE, exit 1 (tests/cli/verify_folder.sh).
    expect_exit 1 "$SEAL" verify "$FIX/pdf/one.pdf"
    expect_exit 2 "$SEAL" verify "$FIX/pdf/one.pdf" --trust "$FIX/pin.txt"
}

case_token() {
    # A seal made on the token, the anchors given as a folder.
    [ -f "$FIX/pin.txt" ] || skip_case "no token"
    expect_exit 0 "$SEAL" sign "$FIX/pdf/one.pdf" -o "$W/tok.pdf" --key "$KEY_COMPANY" --pin-file "$FIX/pin.txt" \
        --seal "$FIX/art/company.pdf" --page 1 --at 105,250
    verify "$W/tok.pdf" --trust "$FIX/ca"
    [ "$RC" = 0 ] || { show_output; die "token-made seal: exit $RC"; }
    # The legal representative's EC key on top; the root alone as anchor.
    expect_exit 0 "$SEAL" sign "$W/tok.pdf" -o "$W/tok2.pdf" --key "$KEY_LEGALREP" --pin-file "$FIX/pin.txt" \
        --seal "$FIX/art/legalrep.pdf" --page 1 --at 40,250
    verify "$W/tok2.pdf" --trust "$ROOT" --require company@1 --require legal-rep@1
    [ "$RC" = 0 ] || { show_output; die "token-made RSA + EC seals: exit $RC"; }
    [ "$(sig 1 key)" = EC-256 ] || die "second key: $(sig 1 key)"
}

case_form_fill() {
    python3 "$TOOLS/mutate.py" addtext "$FIX/pdf/one.pdf" "$W/form.pdf"
    # A field filled in (Price = 100) when signed and changed afterwards:
    # the structure allows a form fill, but what the page shows changed
    # where no empty field was filled — the price the signer saw is gone.
    python3 "$TOOLS/addfield.py" "$W/form.pdf" "$W/form-free.pdf" Free 300,600,400,700
    sign "$W/form-free.pdf" "$W/free.pdf" --field Free
    python3 "$TOOLS/mutate.py" filltext "$W/free.pdf" "$W/free-filled.pdf"
    verify "$W/free-filled.pdf" --trust "$ROOT"
    [ "$RC" = 1 ] && [ "$(sig 0 changes_after)" = disallowed ] || die "refill: exit $RC $(sig 0 reason)"
    jq -e '.signatures[0].changes[] | select(.kind == "form fill" and .allowed)' "$T/v.json" >/dev/null \
        || die "form fill not listed"
    jq -e '.signatures[0].changes[] | select(.kind == "rendering" and (.allowed | not) and .page == 1)' \
        "$T/v.json" >/dev/null || die "the changed price is not named: $(sig 0 reason)"
    # The same under a FieldMDP lock of all fields: disallowed by the lock.
    python3 "$TOOLS/addfield.py" "$W/form.pdf" "$W/form-lock.pdf" Lockme 300,600,400,700 --lock-all
    sign "$W/form-lock.pdf" "$W/locked.pdf" --field Lockme
    python3 "$TOOLS/mutate.py" filltext "$W/locked.pdf" "$W/locked-filled.pdf"
    verify "$W/locked-filled.pdf" --trust "$ROOT"
    [ "$RC" = 1 ] && jq -e '.signatures[0].reason | test("FieldMDP")' "$T/v.json" >/dev/null || die "FieldMDP: exit $RC $(sig 0 reason)"
    # Certified P=2 permits filling (of empty fields: tests/cli/verify_attacks.sh
    # fill-empty), P=1 nothing.
    sign "$W/form.pdf" "$W/p2.pdf" --certify 2
    python3 "$TOOLS/mutate.py" filltext "$W/p2.pdf" "$W/p2-filled.pdf"
    verify "$W/p2-filled.pdf" --trust "$ROOT"
    [ "$RC" = 1 ] && jq -e '[.signatures[0].changes[] | select(.kind == "form fill" and .allowed)] | length == 1' \
        "$T/v.json" >/dev/null || die "P=2 refill: exit $RC $(sig 0 reason)"
    sign "$W/form.pdf" "$W/p1.pdf" --certify 1
    python3 "$TOOLS/mutate.py" filltext "$W/p1.pdf" "$W/p1-filled.pdf"
    verify "$W/p1-filled.pdf" --trust "$ROOT"
    [ "$RC" = 1 ] && jq -e '.signatures[0].reason | test("P=1")' "$T/v.json" >/dev/null || die "P=1 fill: exit $RC $(sig 0 reason)"
}

# One revision index: verify numbers revisions (of signatures and of
# changes) as inspect does, linearized files included; a truncated file is
# unusable with the reason sign and inspect give.
case_revisions() {
    sign "$FIX/pdf/linearized.pdf" "$W/lin1.pdf" --seal "$FIX/art/company.pdf" --page 1 --at 105,250
    sign "$W/lin1.pdf" "$W/lin2.pdf"
    python3 "$TOOLS/mutate.py" content "$W/lin2.pdf" "$W/lin3.pdf"
    expect_exit 0 "$SEAL" inspect "$W/lin3.pdf" --json
    local ins
    ins=$(jq -c '[[.signatures[].revision], (.revisions | length)]' "$T/stdout")
    [ "$ins" = '[[2,3],4]' ] || die "inspect: $ins"
    verify "$W/lin3.pdf" --trust "$ROOT"
    [ "$RC" = 1 ] || die "exit $RC"
    [ "$(jq -c '[[.signatures[].revision], .revisions]' "$T/v.json")" = "$ins" ] \
        || die "verify: $(jq -c '[[.signatures[].revision], .revisions]' "$T/v.json"), inspect: $ins"
    # The content update is inspect's revision 4 (changes after the first
    # signature are numbered by the first later revision, 3).
    [ "$(jq -c '[.signatures[1].changes[] | select(.allowed == false) | .revision] | unique' "$T/v.json")" = '[4]' ] \
        || die "change revisions: $(jq -c '[.signatures[].changes[].revision]' "$T/v.json")"
    # The same field facts from both: linearized, three revisions, one
    # visible and one invisible signature, then content changed.
    agree_inspect_verify "$W/lin3.pdf" --trust "$ROOT"
    expect_failure 4 "^seal: $FIX/pdf/truncated.pdf is truncated or damaged \(no %%EOF at its end\)\$" \
        "$FIX/pdf/truncated.pdf" -- verify "$FIX/pdf/truncated.pdf"
    local sign_msg verify_msg
    verify_msg=$(cat "$T/stderr")
    expect_exit 4 "$SEAL" inspect "$FIX/pdf/truncated.pdf"
    [ "$(cat "$T/stderr")" = "$verify_msg" ] || die "inspect says: $(cat "$T/stderr")"
    expect_exit 4 "$SEAL" sign "$FIX/pdf/truncated.pdf" -o "$W/t.pdf" --key "$P12"
    sign_msg=$(cat "$T/stderr")
    [ "$sign_msg" = "$verify_msg" ] || die "sign says: $sign_msg; verify: $verify_msg"
}

# Every placement counts: widget, seal stamps, cross-page strips, on every
# page they are drawn; one that is no longer in a page's /Annots does not.
case_placements() {
    sign "$FIX/pdf/three.pdf" "$W/all3.pdf" --seal "$FIX/art/company.pdf" --pages 1-3 --at 105,250
    verify "$W/all3.pdf" --trust "$ROOT" --require company@3 --require company@2
    [ "$RC" = 0 ] || { show_output; die "company@3 on a --pages 1-3 seal: exit $RC $(jq -c .rules "$T/v.json")"; }
    [ "$(jq -c '[.signatures[0].placements[] | [.page, .kind, .seal_kind]]' "$T/v.json")" \
        = '[[1,"widget","company"],[2,"stamp","company"],[3,"stamp","company"]]' ] \
        || die "placements: $(jq -c '.signatures[0].placements' "$T/v.json")"
    [ "$(jq -c '.signatures[0].pages' "$T/v.json")" = '[1,2,3]' ] || die "pages $(jq -c '.signatures[0].pages' "$T/v.json")"
    jq -e '.signatures[0].placements[2].rect | length == 4' "$T/v.json" >/dev/null || die "no rect"
    # seal sign --cross-page meets --require cross-page.
    sign "$FIX/pdf/three.pdf" "$W/cross.pdf" --seal "$FIX/art/company.pdf" --cross-page --pages 1-3
    verify "$W/cross.pdf" --trust "$ROOT" --require cross-page --require company@2
    [ "$RC" = 0 ] || { show_output; die "cross-page output: exit $RC $(jq -c .rules "$T/v.json")"; }
    [ "$(jq -c '[.signatures[0].placements[] | [.page, .kind]]' "$T/v.json")" \
        = '[[1,"cross-page"],[2,"cross-page"],[3,"cross-page"]]' ] \
        || die "strips: $(jq -c '.signatures[0].placements' "$T/v.json")"
    expect_exit 0 "$SEAL" verify "$W/cross.pdf" --trust "$ROOT"
    grep -q '页面 Pages:          1, 2, 3 (3 placements: cross-page 3)' "$T/stdout" || { show_output; die "text: pages"; }
    # A seal on one page is not a cross-page seal.
    expect_exit 1 "$SEAL" verify "$W/all3.pdf" --trust "$ROOT" --require cross-page
    # The stamp taken out of page 3's /Annots no longer draws the seal there.
    python3 - "$W/all3.pdf" "$W/unlinked.pdf" "$TOOLS" <<'PY'
import re, sys
sys.path.insert(0, sys.argv[3])
from mutate import append_update, last_obj
data = open(sys.argv[1], "rb").read()
stamps = sorted({int(m.group(1)) for m in re.finditer(rb"(?<![0-9])(\d+) 0 obj\b(.*?)endobj", data, re.S)
                 if b"/SealField" in m.group(2)})
victim = stamps[-1]
for m in reversed(list(re.finditer(rb"(?<![0-9])(\d+) 0 obj\b", data))):
    num = int(m.group(1))
    body = last_obj(data, num)
    if b"/Annots" in body and re.search(rb"/Annots\s*\[[^\]]*\b%d 0 R" % victim, body):
        body = re.sub(rb"\b%d 0 R" % victim, b"", body, count=1)
        open(sys.argv[2], "wb").write(append_update(data, {num: body}))
        break
else:
    sys.exit("no page lists the stamp")
PY
    verify "$W/unlinked.pdf" --trust "$ROOT" --require company@3
    [ "$RC" = 1 ] || die "unlinked stamp: exit $RC"
    [ "$(jq -c '.signatures[0].pages' "$T/v.json")" = '[1,2]' ] || die "pages $(jq -c '.signatures[0].pages' "$T/v.json")"
    [ "$(jq -c '.rules' "$T/v.json")" = '[{"rule":"company@3","met":false,"why":"no valid company seal on page 3"}]' ] \
        || die "rules $(jq -c '.rules' "$T/v.json")"
}

# The final verdict: rules and deadline included, in JSON "indication", the
# text and its Chinese label alike; the deadline judged on a claimed time.
case_final_verdict() {
    make_files
    verify "$W/one.pdf" --trust "$ROOT" --require legal-rep
    [ "$RC" = 1 ] || die "exit $RC"
    [ "$(jq -r '[.indication, .verdict, .verdict_zh, .signatures_indication, .exit_code] | join(" ")' "$T/v.json")" \
        = "RULES-FAILED RULES-FAILED 不符合要求 TOTAL-PASSED 1" ] || die "JSON: $(jq -c '[.indication, .verdict_zh]' "$T/v.json")"
    [ "$(jq -r .reason "$T/v.json")" = "rule legal-rep not met: no valid legal-rep seal" ] || die "reason $(jq -r .reason "$T/v.json")"
    expect_exit 1 "$SEAL" verify "$W/one.pdf" --trust "$ROOT" --require legal-rep
    grep -qx '结论 Verdict:   RULES-FAILED 不符合要求 — rule legal-rep not met: no valid legal-rep seal' "$T/stdout" \
        || { show_output; die "text verdict line"; }
    ! grep -q '^结论 Verdict:.*通过' "$T/stdout" || die "通过 beside a failed verdict"
    # Unproven deadline: INDETERMINATE 不确定, never 通过.
    expect_exit 3 "$SEAL" verify "$W/one.pdf" --trust "$ROOT" --deadline 2100-01-01
    grep -q '^结论 Verdict:   INDETERMINATE 不确定 — deadline 2100-01-01T00:00:00Z unproven' "$T/stdout" \
        || { show_output; die "unproven deadline verdict"; }
    # /M itself after the deadline: failed by its own claim.
    expect_exit 1 "$SEAL" verify "$W/one.pdf" --trust "$ROOT" --deadline 2001-02-03T04:05:06+08:00
    expect_msg '^seal: deadline 2001-02-03T04:05:06\+08:00 missed: signed after the deadline by its own claim$'
    verify "$W/one.pdf" --trust "$ROOT" --deadline 2001-02-03T04:05:06+08:00
    [ "$(jq -r '[.indication, .deadline, .deadline_result, .signatures[0].deadline] | join("|")' "$T/v.json")" \
        = "RULES-FAILED|2001-02-02T20:05:06Z|claimed late|claimed late" ] \
        || die "claimed-late JSON: $(jq -c '[.indication, .deadline, .deadline_result, .signatures[0].deadline]' "$T/v.json")"
    # The HTML banner says the same.
    expect_exit 1 "$SEAL" verify "$W/one.pdf" --trust "$ROOT" --require legal-rep --html "$W/rules.html"
    grep -q 'data-verdict="RULES-FAILED"><b>RULES-FAILED 不符合要求</b>' "$W/rules.html" || die "HTML banner"
}

# A folder's minutes as CSV (UTF-8 with BOM) beside the summary.
case_csv() {
    make_files
    mkdir -p "$W/csv"
    cp "$W/one.pdf" "$W/csv/a.pdf"
    python3 "$TOOLS/mutate.py" flip "$W/one.pdf" "$W/csv/b.pdf"
    expect_exit 1 "$SEAL" verify "$W/csv" --trust "$ROOT" --csv "$W/minutes.csv"
    [ "$(head -c 3 "$W/minutes.csv" | od -An -tx1 | tr -d ' ')" = efbbbf ] || die "no BOM"
    [ "$(sed -n 1p "$W/minutes.csv" | tr -d '\r' | sed 's/^\xef\xbb\xbf//')" = "file,bidder,signatures,verdict,verdict_zh,reason,eseals" ] \
        || die "header: $(sed -n 1p "$W/minutes.csv")"
    [ "$(sed -n 2p "$W/minutes.csv" | tr -d '\r')" = '"a.pdf","李四","1","TOTAL-PASSED","通过","",""' ] \
        || die "row a: $(sed -n 2p "$W/minutes.csv")"
    sed -n 3p "$W/minutes.csv" | grep '^"b.pdf","李四","1","TOTAL-FAILED","失败","Seal1: messageDigest does not match' >/dev/null \
        || die "row b: $(sed -n 3p "$W/minutes.csv")"
    [ "$(grep -c $'\r$' "$W/minutes.csv")" = 3 ] || die "not CRLF"
    grep -q '^b.pdf  .* TOTAL-FAILED 失败  Seal1: messageDigest' "$T/stdout" || { show_output; die "summary reason column"; }
}

# An encrypted document with cross-reference streams and object streams,
# sealed twice: the later update's cross-reference stream is read as it is
# written (never encrypted), so the first seal stays TOTAL-PASSED.
case_encrypted_xrefstream() {
    require qpdf
    qpdf --object-streams=generate --encrypt upw opw 256 -- "$FIX/pdf/three.pdf" "$W/enc-xs.pdf" \
        || die "qpdf could not encrypt"
    export PDFPW=upw
    sign "$W/enc-xs.pdf" "$W/enc1.pdf" --password-env PDFPW --seal "$FIX/art/company.pdf" --page 1 --at 105,250
    sign "$W/enc1.pdf" "$W/enc2.pdf" --password-env PDFPW --seal "$FIX/art/legalrep.pdf" --page 2 --at 60,250
    verify "$W/enc2.pdf" --trust "$ROOT" --password-env PDFPW
    [ "$RC" = 0 ] || die "encrypted, sealed twice: exit $RC $(sig 0 reason)"
    [ "$(sig 0 changes_after)" = allowed ] || die "changes_after $(sig 0 changes_after)"
}

# A later update that sets the page tree's /Count to billions: MuPDF's page
# map would be sized and sorted by it. An answer within seconds, and the
# change named.
case_hostile_count() {
    make_files
    python3 - "$W/one.pdf" "$W/count.pdf" "$TOOLS" <<'PY'
import re, sys
sys.path.insert(0, sys.argv[3])
from mutate import append_update, last_obj
data = open(sys.argv[1], "rb").read()
for m in re.finditer(rb"(?<![0-9])(\d+) 0 obj\b", data):
    num = int(m.group(1))
    body = last_obj(data, num)
    if re.search(rb"/Type\s*/Pages\b", body) and b"/Kids" in body:
        body = re.sub(rb"/Count\s+\d+", b"/Count 1410065407", body, count=1)
        open(sys.argv[2], "wb").write(append_update(data, {num: body}))
        break
else:
    sys.exit("no page tree root")
PY
    local t0=$SECONDS
    verify "$W/count.pdf" --trust "$ROOT"
    [ $((SECONDS - t0)) -le 5 ] || die "took $((SECONDS - t0)) s"
    [ "$RC" = 1 ] || die "exit $RC: $(sig 0 reason)"
    [ "$(sig 0 changes_after)" = disallowed ] || die "changes_after $(sig 0 changes_after)"
}

# A file of 4 MB and more is read and hashed by a second thread beside the
# judges (vhash.c): the same verdicts as on a small file.
case_large() {
    python3 "$TOOLS/mkpdf.py" "$W/large.pdf" --pages 6 --image-kb 900 --title "large bid"
    [ "$(filesize "$W/large.pdf")" -gt $((5 << 20)) ] || die "the large file is $(filesize "$W/large.pdf") bytes"
    sign "$W/large.pdf" "$W/large1.pdf" --seal "$FIX/art/company.pdf" --page 1 --at 105,250
    sign "$W/large1.pdf" "$W/large2.pdf" --seal "$FIX/art/legalrep.pdf" --page 6 --at 60,250
    verify "$W/large2.pdf" --trust "$ROOT"
    [ "$RC" = 0 ] || { show_output; die "exit $RC"; }
    [ "$(jq -c '[.signatures[] | [.indication, .changes_after, .revision]]' "$T/v.json")" = \
        '[["TOTAL-PASSED","allowed",2],["TOTAL-PASSED","none",3]]' ] || die "$(jq -c '.signatures' "$T/v.json")"
    agree_inspect_verify "$W/large2.pdf"
    attack flip "$W/large2.pdf" 1 '[.signatures[] | select(.indication == "TOTAL-FAILED" and .subindication == "HASH_FAILURE" and .intact == false)] | length == 2'
    attack content "$W/large2.pdf" 1 '[.signatures[] | .changes[] | select(.allowed == false and .kind == "content" and .page == 1)] | length >= 2'
}

run_case "one seal: TOTAL-PASSED with the test root, every JSON field" case_one_seal
run_case "three seals: all TOTAL-PASSED, later ones allowed changes" case_three_seals
run_case "certified (P=2) then sealed: TOTAL-PASSED" case_certified
run_case "no anchor: INDETERMINATE; --revocation require: TRY_LATER; anchors from a folder" case_untrusted
run_case "attacks: content, overlay annotation, overridden content stream, overridden page object, flipped byte, zeroed contents, short ByteRange, unknown SubFilter" case_attacks
run_case "form filling: a signed value changed is caught; a FieldMDP lock or DocMDP P=1 named" case_form_fill
run_case "a later seal overlapping an earlier one: it passes, nothing hidden" case_overlap
run_case "rules: --require and --deadline" case_rules
run_case "HTML report: one row per signature, seal images, self-contained" case_html
run_case "a folder of bids: summary table, JSON" case_folder
run_case "unusable input and bad options" case_bad_input
run_case "token-made seals (RSA, then EC)" case_token
run_case "placements: widget, stamps, cross-page strips; --require cross-page and company@N; an unlinked stamp" case_placements
run_case "final verdict: RULES-FAILED in JSON, text, HTML; deadline claimed late" case_final_verdict
run_case "folder minutes: --csv with BOM, reason column" case_csv
run_case "revisions, pages, visibility, claimed times as inspect gives them (linearized); truncated file: exit 4, sign's reason" case_revisions
run_case "encrypted, cross-reference streams, sealed twice: TOTAL-PASSED" case_encrypted_xrefstream
run_case "a page tree claiming 1.4 billion pages after signing: caught within seconds" case_hostile_count
run_case "a large file (read and hashed by a second thread): two seals pass, a flipped byte and changed content caught" case_large
finish
