#!/usr/bin/env bash
# Conformance over real PDFs nobody on this project wrote: every file in
# ../shared/corpus/plain is sealed (company seal on page 1, or an invisible
# signature where page 1 is too small for it; PKCS#12 key) and
# then the original is an exact prefix of the output, pdfsig calls the new
# signature valid and trusted, openssl verifies its CMS, qpdf --check finds
# nothing it did not find in the original — or the file is refused with exit
# 4 or 5 and a one-line reason, nothing written, input unchanged. Anything
# else (another exit code, a crash, a hang, a bad signature) fails the test.
# Skipped (77) when the corpus is not there.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require pdfsig qpdf openssl python3

CORPUS=${SEAL_CORPUS:-$SRC/../shared/corpus}
[ -d "$CORPUS/plain" ] || { echo "corpus_plain: no corpus at $CORPUS/plain; skipped"; exit 77; }
# shellcheck disable=SC2034 # read by run() in lib.sh
SEAL_TIMEOUT=${SEAL_TIMEOUT_CORPUS:-60}
export SEAL_P12_PASSWORD=p12pass

# qpdf_level FILE: 0 clean, 1 warnings, 2 errors (qpdf exits 0, 3, 2).
qpdf_level() {
    local rc=0
    qpdf --check "$1" >/dev/null 2>&1 || rc=$?
    case $rc in 0) echo 0 ;; 3) echo 1 ;; *) echo 2 ;; esac
}

# seal_one IN: writes the outcome line to $T/outcome ("sealed", "refused
# CODE: reason") and exits non-zero with a FAIL line when the outcome breaks
# the contract.
seal_one() {
    local in=$1 name dir out before nsig_before msg
    name=$(basename "$in")
    dir=$T/out/$name.d
    mkdir -p "$dir"
    out=$dir/$name
    before=$(sha256 "$in")
    nsig_before=$(python3 "$TOOLS/pdfsigs.py" "$in" 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["signatures"]))' 2>/dev/null || echo 0)
    run "$SEAL" sign "$in" -o "$out" --key "p12:$FIX/signer.p12" \
        --seal "$FIX/art/company.pdf" --page 1 --at 40,40
    if [ "$RC" = 4 ] && grep -q 'outside page' "$T/stderr"; then
        # A page too small for the seal there: an invisible signature instead.
        [ -z "$(ls -A "$dir")" ] || die "exit 4 left files behind: $(ls -A "$dir" | tr '\n' ' ')"
        run "$SEAL" sign "$in" -o "$out" --key "p12:$FIX/signer.p12"
    fi
    [ "$(sha256 "$in")" = "$before" ] || die "input modified"
    case $RC in
    0)
        expect_quiet
        check_prefix "$in" "$out"
        # Our signature is the one that covers the whole file: valid and trusted.
        local ps block
        ps=$(pdfsig -nssdir "sql:$FIX/nssdb" "$out" 2>&1 || true)
        block=$(awk 'BEGIN {RS = "Signature #"} /Total document signed/ {print}' <<<"$ps")
        grep -q 'Signature is Valid\.' <<<"$block" && grep -q 'Certificate is Trusted\.' <<<"$block" \
            || { sed 's/^/      | /' <<<"$ps" | tail -14; die "pdfsig does not call the new signature valid and trusted"; }
        check_cms "$out" $((nsig_before + 1))
        local lin lout
        lin=$(qpdf_level "$in") lout=$(qpdf_level "$out")
        [ "$lout" -le "$lin" ] || { qpdf --check "$out" 2>&1 | tail -5 | sed 's/^/      | /'; die "qpdf --check: level $lout after sealing, $lin before"; }
        echo "sealed" >"$T/outcome"
        rm -rf "$dir"
        ;;
    4 | 5)
        msg=$(grep -v '^seal: warning: ' "$T/stderr" || true)
        [ "$(printf '%s' "$msg" | grep -c '')" = 1 ] || { show_output; die "exit $RC without a one-line reason"; }
        case $msg in "seal: "*) ;; *) show_output; die "reason does not start with 'seal: '" ;; esac
        [ -z "$(ls -A "$dir")" ] || die "exit $RC left files behind: $(ls -A "$dir" | tr '\n' ' ')"
        echo "refused $RC: ${msg#seal: }" >"$T/outcome"
        ;;
    *)
        show_output
        die "exit $RC (expected 0, or 4/5 with a reason)"
        ;;
    esac
}

sealed=0 refused4=0 refused5=0 failed=0 total=0
TABLE=$T/table
: >"$TABLE"
start=$SECONDS
# SEAL_CORPUS_EVERY=N takes every Nth file (the sanitizer pass of .ci/run,
# where the whole corpus would take most of CI's time); 1, all, by default.
every=${SEAL_CORPUS_EVERY:-1}
nth=0
for f in "$CORPUS"/plain/*.pdf; do
    nth=$((nth + 1))
    [ $(((nth - 1) % every)) = 0 ] || continue
    total=$((total + 1))
    name=$(basename "$f")
    : >"$T/outcome"
    set +e
    (
        set -e
        seal_one "$f"
    ) >"$T/case.log" 2>&1
    rc=$?
    set -e
    outcome=$(cat "$T/outcome")
    if [ $rc = 0 ] && [ -n "$outcome" ]; then
        case $outcome in
        sealed) sealed=$((sealed + 1)) ;;
        "refused 4"*) refused4=$((refused4 + 1)); printf '%-58s %s\n' "$name" "${outcome:0:160}" >>"$TABLE" ;;
        "refused 5"*) refused5=$((refused5 + 1)); printf '%-58s %s\n' "$name" "${outcome:0:160}" >>"$TABLE" ;;
        esac
    else
        failed=$((failed + 1))
        FAILED+=("$name")
        echo "FAIL $name"
        sed 's/^/  /' "$T/case.log"
    fi
done

echo
echo "Refusals (file, exit code: reason):"
if [ -s "$TABLE" ]; then cat "$TABLE"; else echo "  none"; fi
echo
echo "corpus_plain: $total files: $sealed sealed and verified, $((refused4 + refused5)) refused" \
    "($refused4 with exit 4, $refused5 with exit 5), $failed failed, in $((SECONDS - start)) s"
[ "$failed" = 0 ] || { printf '  failed: %s\n' "${FAILED[@]}"; exit 1; }
exit 0
