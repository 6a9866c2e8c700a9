#!/usr/bin/env bash
# seal undo (撤章, issue 17): the last signature removed by restoring the
# revision before it. A twice-sealed bid undone once is the once-sealed
# file byte for byte and verifies exactly as it did; undone again it is the
# unsigned original. Refused (exit 4, one line, nothing written, input
# untouched): an unsigned file; a signature covered by a later incremental
# update that is not a signature, by LTV data (DSS, B-LT) or by a document
# time-stamp (B-LTA, made against the loopback services of ltvctl.sh);
# bytes after the last %%EOF. -o IN is a usage error like for every command.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=../tools/ltvctl.sh
. "$TOOLS/ltvctl.sh"
require python3 jq openssl curl

ONE=$FIX/pdf/one.pdf

# seal_twice: $T/s1.pdf (one seal on one.pdf) and $T/s2.pdf (a second one).
seal_twice() {
    SEAL_P12_PASSWORD=$(cat "$FIX/p12pass.txt")
    export SEAL_P12_PASSWORD
    expect_exit 0 "$SEAL" sign "$ONE" -o "$T/s1.pdf" --key "p12:$FIX/signer.p12" \
        --seal "$FIX/art/company.pdf" --page 1 --at 50,60
    expect_exit 0 "$SEAL" sign "$T/s1.pdf" -o "$T/s2.pdf" --key "p12:$FIX/signer.p12" \
        --seal "$FIX/art/company.pdf" --page 1 --at 120,200
}

# verdicts FILE OUT: seal verify's JSON report on FILE (its name left out)
# and its exit code, into OUT.
verdicts() {
    run "$SEAL" verify "$1" --trust "$FIX/ca/root.pem" --json
    { echo "exit $RC"; jq 'del(.file)' "$T/stdout"; } >"$2"
}

undo_twice() {
    seal_twice
    verdicts "$T/s1.pdf" "$T/v-s1"
    expect_exit 0 "$SEAL" undo "$T/s2.pdf" -o "$T/u1.pdf"
    expect_quiet
    [ "$(cat "$T/stdout")" = "$T/s2.pdf: removed signature 'Seal2' (revision 3, $(($(filesize "$T/s2.pdf") - $(filesize "$T/s1.pdf"))) bytes); $T/u1.pdf is revision 2 as it was, 1 signature left" ] \
        || { show_output; die "the success line"; }
    cmp "$T/u1.pdf" "$T/s1.pdf" || die "undo of the second seal is not the once-sealed file"
    verdicts "$T/u1.pdf" "$T/v-u1"
    cmp -s "$T/v-s1" "$T/v-u1" || { diff "$T/v-s1" "$T/v-u1" | head -20; die "verify differs after undo"; }
    [ "$(head -1 "$T/v-u1")" = "exit 0" ] || die "the once-sealed file does not verify: $(head -1 "$T/v-u1")"
    note "s2.pdf $(filesize "$T/s2.pdf") bytes -> u1.pdf $(filesize "$T/u1.pdf") bytes = s1.pdf; verify: $(jq -c '[.signatures[] | [.field, .indication]]' "$T/stdout")"

    expect_exit 0 "$SEAL" undo "$T/u1.pdf" -o "$T/u0.pdf" --json
    cmp "$T/u0.pdf" "$ONE" || die "undo of the first seal is not the unsigned original"
    [ "$(jq -c . "$T/stdout")" = "{\"file\":\"$T/u1.pdf\",\"output\":\"$T/u0.pdf\",\"field\":\"Seal1\",\"revision\":2,\"revisions_left\":1,\"signatures_left\":0,\"size\":$(filesize "$ONE"),\"removed_bytes\":$(($(filesize "$T/s1.pdf") - $(filesize "$ONE")))}" ] \
        || { show_output; die "the --json report"; }
    # Nothing left to undo.
    expect_failure 4 . "$T/u0.pdf" -- undo "$T/u0.pdf" -o @OUT@
    [ "$(cat "$T/stderr")" = "seal: $T/u0.pdf has no signature to undo" ] || { show_output; die "unsigned"; }
}

undo_refusals() {
    seal_twice
    # An unsigned original.
    expect_failure 4 . "$ONE" -- undo "$ONE" -o @OUT@
    [ "$(cat "$T/stderr")" = "seal: $ONE has no signature to undo" ] || { show_output; die "unsigned"; }
    # The output over the input, in two spellings: a usage error, as for
    # every command.
    cp "$T/s2.pdf" "$T/keep.pdf"
    expect_exit 2 "$SEAL" undo "$T/s2.pdf" -o "$T/s2.pdf"
    [ "$(cat "$T/stderr")" = "seal: the output $T/s2.pdf would replace the input $T/s2.pdf; nothing was written" ] \
        || { show_output; die "-o IN"; }
    expect_exit 2 "$SEAL" undo "$T/s2.pdf" -o "$T/../$(basename "$T")/s2.pdf"
    cmp -s "$T/s2.pdf" "$T/keep.pdf" || die "-o IN changed the input"
    # A later incremental update that is not a signature: new document
    # properties (an /Info dictionary), saved the way an editor does.
    python3 - "$T/s2.pdf" "$T/field.pdf" <<'EOF'
import re, sys
data = open(sys.argv[1], "rb").read()
size = int(re.findall(rb"/Size\s*(\d+)", data)[-1])
root = re.findall(rb"/Root\s*(\d+ \d+ R)", data)[-1]
prev = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
obj = b"%d 0 obj\n<< /Title (edited after sealing) >>\nendobj\n" % size
xref = len(data) + len(obj)
data += obj + b"xref\n%d 1\n%010d 00000 n \ntrailer\n<< /Size %d /Root %s /Info %d 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
    size, len(data), size + 1, root, size, prev, xref)
open(sys.argv[2], "wb").write(data)
EOF
    expect_failure 4 . "$T/field.pdf" -- undo "$T/field.pdf" -o @OUT@
    [ "$(cat "$T/stderr")" = "seal: cannot undo the last signature of $T/field.pdf (field Seal2, revision 3): a later incremental update (revision 4) that is not a signature covers it" ] \
        || { show_output; die "later update"; }
    # Bytes after the last %%EOF.
    { cat "$T/s2.pdf"; printf 'junk\n'; } >"$T/tail.pdf"
    expect_failure 4 . "$T/tail.pdf" -- undo "$T/tail.pdf" -o @OUT@
    [ "$(cat "$T/stderr")" = "seal: cannot undo the last signature of $T/tail.pdf (field Seal2): its ByteRange ends at byte $(filesize "$T/s2.pdf"), not at the end of the file: 5 bytes follow the last %%EOF" ] \
        || { show_output; die "trailing bytes"; }
}

undo_ltv() {
    ltv_start "$T/ltv" >/dev/null || die "cannot start the LTV services"
    export SEAL_P12_PASSWORD=$LTV_P12_PASS
    local lv
    for lv in B-LT B-LTA; do
        expect_exit 0 "$SEAL" sign "$ONE" -o "$T/$lv.pdf" --key "p12:$LTV_P12" --level "$lv" \
            --tsa "$LTV_TSA_URL" --seal "$FIX/art/company.pdf" --page 1 --at 105,250
        expect_quiet
    done
    expect_failure 4 . "$T/B-LT.pdf" -- undo "$T/B-LT.pdf" -o @OUT@
    [ "$(cat "$T/stderr")" = "seal: cannot undo the last signature of $T/B-LT.pdf (field Seal1, revision 2): LTV data (DSS, revision 3) covers it; undo works only before B-LT/B-LTA data are added" ] \
        || { show_output; die "B-LT"; }
    expect_failure 4 . "$T/B-LTA.pdf" -- undo "$T/B-LTA.pdf" -o @OUT@
    [ "$(cat "$T/stderr")" = "seal: cannot undo the last signature of $T/B-LTA.pdf (field Seal1, revision 2): a document time-stamp (revision 4) covers it" ] \
        || { show_output; die "B-LTA"; }
    # A B-T signature is the last revision's own: undone to the original.
    expect_exit 0 "$SEAL" sign "$ONE" -o "$T/B-T.pdf" --key "p12:$LTV_P12" --level B-T --tsa "$LTV_TSA_URL"
    expect_exit 0 "$SEAL" undo "$T/B-T.pdf" -o "$T/B-T-undone.pdf"
    cmp "$T/B-T-undone.pdf" "$ONE" || die "B-T undone is not the original"
}

run_case "sealed twice: undo gives the once-sealed file byte for byte, verifying as before; again the original" undo_twice
run_case "refused: unsigned, -o IN, a later non-signature update, bytes after %%EOF" undo_refusals
run_case "refused under LTV data (B-LT) and a document time-stamp (B-LTA); B-T undone" undo_ltv
finish
