# Conformance of `seal verify` over the public corpus (../shared/corpus):
# every file of signed-valid, signed-invalid, attacks and malformed, judged
# against the outcome its origin states in MANIFEST.tsv. Skipped (77) when
# the corpus is absent.
#
#   signed-valid    never TOTAL-FAILED; pyHanko's files that name the
#                   pyHanko testing root as anchor are TOTAL-PASSED with it
#                   (or, signed without a time-stamp by its signer
#                   certificate that expired in 2022, INDETERMINATE
#                   OUT_OF_BOUNDS_NO_POE: validity is judged today)
#   signed-invalid  not TOTAL-PASSED, and the failure kind matches the
#   attacks         stated outcome (crypto/format failure, chain failure,
#                   crypto constraints, modifications after signing)
#   malformed       an answer (a verdict, or exit 4 with one line) within
#                   5 s, never a crash
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

CORPUS=${SEAL_CORPUS:-$SRC/../shared/corpus}
[ -f "$CORPUS/MANIFEST.tsv" ] || { echo "verify_corpus: no corpus at $CORPUS"; exit 77; }
require python3

corpus_case() {
    local cat=$1
    python3 - "$SEAL" "$CORPUS" "$cat" <<'EOF' || die "conformance failures in $cat"
import csv, json, os, subprocess, sys, time
seal, corpus, cat = sys.argv[1:4]
root = corpus + "/certs/pyhanko_testing-ca-root.cert.pem"
rows = {}
with open(corpus + "/MANIFEST.tsv", newline="") as f:
    for r in csv.DictReader(f, delimiter="\t"):
        if r["category"] == cat and r["local_name"] not in rows:
            rows[r["local_name"]] = r
bad, n = [], 0
# 5 s on a normal build; SEAL_TIME_SCALE stretches it for the sanitizer
# build of .ci/run, which runs the same code several times slower.
LIMIT = 5.0 * float(os.environ.get("SEAL_TIME_SCALE", "1"))

def run(name, trust):
    args = [seal, "verify", corpus + "/" + name, "--json"]
    if trust:
        args += ["--trust", root]
    t = time.time()
    try:
        p = subprocess.run(args, capture_output=True, timeout=LIMIT)
    except subprocess.TimeoutExpired:
        return None, None, LIMIT, b""
    dt = time.time() - t
    try:
        doc = json.loads(p.stdout) if p.stdout.strip() else None
    except ValueError:
        doc = None
    return p.returncode, doc, dt, p.stderr

# pyHanko's signer certificate expired on 2022-01-01; its tests state these
# files valid at a frozen time before that. Validated today, a signature
# without a time-stamp has nothing to prove it was made while the
# certificate was valid: INDETERMINATE OUT_OF_BOUNDS_NO_POE (pyHanko says
# the same without its frozen clock), never TOTAL-FAILED.
def expired_only(rc, sigs):
    rest = [s for s in sigs if s["indication"] != "TOTAL-PASSED"]
    return rc == 3 and rest and all(s["subindication"] == "OUT_OF_BOUNDS_NO_POE" for s in rest)

for name, r in sorted(rows.items()):
    n += 1
    exp = r["expected_or_exercises"]
    trusted = "Trust anchor: certs/pyhanko_testing-ca-root" in exp
    rc, doc, dt, err = run(name, trusted)
    if rc is None:
        bad.append("%s: no answer within %g s" % (name, LIMIT)); continue
    if rc < 0 or rc >= 124:
        bad.append("%s: crashed or was killed (exit %d): %s" % (name, rc, err[:200])); continue
    sigs = (doc or {}).get("signatures", [])
    inds = [s["indication"] for s in sigs]
    subs = [s["subindication"] for s in sigs]
    ind = (doc or {}).get("indication")
    if cat == "malformed":
        if rc == 4:
            lines = [l for l in err.decode("utf-8", "replace").splitlines() if not l.startswith("seal: warning:")]
            if len(lines) != 1 or not lines[0].startswith("seal: "):
                bad.append("%s: exit 4 without a one-line 'seal: ' reason: %r" % (name, lines[:3]))
        elif rc not in (0, 1, 3):
            bad.append("%s: exit %d" % (name, rc))
        continue
    if cat == "signed-valid":
        if rc == 1 or "TOTAL-FAILED" in inds:
            bad.append("%s: TOTAL-FAILED (%s)" % (name, [s["reason"] for s in sigs if s["indication"] == "TOTAL-FAILED"]))
        elif trusted and (rc != 0 or ind != "TOTAL-PASSED") and not expired_only(rc, sigs):
            bad.append("%s: %s with the pyHanko root trusted, expected TOTAL-PASSED (%s)" % (name, ind, (doc or {}).get("reason")))
        continue
    # signed-invalid and attacks: never TOTAL-PASSED, and the right kind.
    if rc == 0 or ind == "TOTAL-PASSED":
        bad.append("%s: TOTAL-PASSED but the origin says: %s" % (name, exp[:120])); continue
    if rc == 4:
        bad.append("%s: unusable input (exit 4); expected a verdict" % name); continue
    e = exp.upper()
    changed = any(s["changes_after"] != "none" for s in sigs)
    failed = "TOTAL-FAILED" in inds
    if "CRYPTO_CONSTRAINTS" in e:
        ok, want = "CRYPTO_CONSTRAINTS_FAILURE" in subs, "CRYPTO_CONSTRAINTS_FAILURE"
    elif "CHAIN_GENERAL_FAILURE" in e:
        ok, want = "CERTIFICATE_CHAIN_GENERAL_FAILURE" in subs, "CERTIFICATE_CHAIN_GENERAL_FAILURE"
    elif "DOS" in e:
        ok, want = dt < LIMIT, "an answer within %g s" % LIMIT
    elif any(k in e for k in ("MODIF", "ADDED", "REMOVED", "SNEAKY", "OVERLAP", "VISIBLE CHANGE")):
        ok, want = changed or failed, "changes after signing reported"
    elif any(k in e for k in ("NOT INTACT", "BYTERANGE", "NO SIGNATURE", "HASH_FAILURE", "INVALID",
                              "NOT VALID", "SPOOFING", "WRAPPING", "COVERAGE", "FORMAT_FAILURE")):
        ok, want = failed, "a TOTAL-FAILED signature"
    else:
        ok, want = True, "not TOTAL-PASSED"
    if not ok:
        bad.append("%s: %s %s; expected %s (%s)" % (name, ind, subs, want, exp[:100]))
for b in bad:
    print("      | " + b)
print("    %s: %d files, %d failures" % (cat, n, len(bad)))
sys.exit(1 if bad else 0)
EOF
}

run_case "signed-valid: never TOTAL-FAILED; pyHanko's trusted files TOTAL-PASSED" corpus_case signed-valid
run_case "signed-invalid: not TOTAL-PASSED, the stated kind of failure" corpus_case signed-invalid
run_case "attacks: not TOTAL-PASSED, the attack reported" corpus_case attacks
run_case "malformed: an answer within 5 s, never a crash" corpus_case malformed
finish
