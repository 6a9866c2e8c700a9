#!/usr/bin/python3
"""Figures of bench/enrol.sh against the floors of issue 3 (medians, shares)."""
import glob
import json
import os
import re
import statistics
import sys


def med(v):
    v = [x for x in v if x is not None]
    return statistics.median(v) if v else float("nan")


def resources(pred):
    secs, rss = [], []
    for t in sorted(glob.glob(os.path.join(pred, "*.time"))):
        s = open(t).read()
        m = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", s)
        if m:
            secs.append(int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3)))
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", s)
        if m:
            rss.append(int(m.group(1)) / 1024.0)
    return secs, rss


def decisions(truth, pred):
    rows = []
    for tj in sorted(glob.glob(os.path.join(truth, "*_?????.json"))):
        stem = os.path.basename(tj)[:-5]
        gt = json.load(open(tj))
        exp = gt["expected"]
        try:
            out = json.load(open(os.path.join(pred, stem + ".json")))
        except (OSError, ValueError):
            out = {"decision": "error", "warnings": [], "reasons": []}
        rc = int(open(os.path.join(pred, stem + ".rc")).read().strip() or 1)
        got = set(out.get("warnings", [])) | set(out.get("reasons", []))
        has_pdf = os.path.exists(os.path.join(pred, stem + ".pdf"))
        rows.append(dict(stem=stem, exp=exp["decision"], codes=exp["reasons"], got=out.get("decision"),
                         got_codes=sorted(got), rc=rc, pdf=has_pdf))
    return rows


def main():
    dev, pdev, sdev, hard, phard, shard = sys.argv[1:7]
    ok = True

    def floor(name, val, target, higher=True, fmt="%.3f"):
        nonlocal ok
        good = val >= target if higher else val <= target
        ok = ok and good
        print("  %-34s %s  (floor %s %s)  %s" % (name, fmt % val, ">=" if higher else "<=", fmt % target,
                                                "PASS" if good else "FAIL"))

    d = json.load(open(sdev))
    pages = [p for p in d["pages"] if p.get("expected_decision") != "reject"]
    print("dev profile: %d pages scored, %d missing" % (len(pages), d["n_missing"]))
    floor("median BF2", med([p.get("bf2") for p in pages]), 0.95)
    floor("median HD95 (mm)", med([p.get("hd95_mm") for p in pages]), 0.15, higher=False)
    floor("median IoU", med([p.get("iou") for p in pages]), 0.90)
    ch = [p["chosen_correct"] for p in pages if "chosen_correct" in p]
    floor("clearer box chosen", sum(ch) / max(len(ch), 1), 0.95)
    tb = [p.get("transparent_bg", False) for p in pages]
    floor("transparent artwork", sum(tb) / max(len(tb), 1), 1.0)
    for kind in sorted({p.get("kind", "?") for p in pages}):
        ks = [p for p in pages if p.get("kind") == kind]
        print("    %-18s n=%2d  IoU %.3f  BF2 %.3f  HD95 %.3f mm  |scale| %.2f%%" % (
            kind, len(ks), med([p.get("iou") for p in ks]), med([p.get("bf2") for p in ks]),
            med([p.get("hd95_mm") for p in ks]),
            med([abs(p["scale_err_pct"]) if p.get("scale_err_pct") is not None else None for p in ks])))
    worst = sorted(pages, key=lambda p: p.get("bf2") or 0)[:5]
    print("    worst BF2: " + ", ".join("%s %.3f" % (p["page_id"], p.get("bf2") or 0) for p in worst))
    rows = decisions(dev, pdev)
    acc = sum(r["got"] == r["exp"] for r in rows) / max(len(rows), 1)
    print("  decision agreement on dev         %.3f" % acc)
    for r in rows:
        if r["got"] != r["exp"]:
            print("    %s expected %s %s, got %s %s" % (r["stem"], r["exp"], r["codes"], r["got"], r["got_codes"]))

    print("hard profile:")
    rows = decisions(hard, phard)
    rej = [r for r in rows if r["exp"] == "reject"]
    rej_ok = [r for r in rej if r["got"] == "reject" and r["rc"] == 4 and not r["pdf"] and
              set(r["codes"]) & set(r["got_codes"])]
    floor("rejects rejected, right reason", len(rej_ok) / max(len(rej), 1), 1.0)
    wrn = [r for r in rows if r["exp"] == "warn"]
    wrn_ok = [r for r in wrn if r["got"] in ("warn",) and set(r["codes"]) <= set(r["got_codes"])]
    floor("warns warned (all codes)", len(wrn_ok) / max(len(wrn), 1), 1.0)
    acc = sum(r["got"] == r["exp"] for r in rows) / max(len(rows), 1)
    print("  decision agreement on hard        %.3f" % acc)
    for r in rows:
        bad = (r["exp"] == "reject" and r not in rej_ok) or (r["exp"] == "warn" and r not in wrn_ok) or \
              (r["exp"] != r["got"])
        if bad:
            print("    %s expected %s %s, got %s %s" % (r["stem"], r["exp"], r["codes"], r["got"], r["got_codes"]))
    h = json.load(open(shard))
    hp = [p for p in h["pages"] if p.get("expected_decision") != "reject"]
    if hp:
        print("  hard (not rejected): median IoU %.3f BF2 %.3f HD95 %.3f mm" % (
            med([p.get("iou") for p in hp]), med([p.get("bf2") for p in hp]), med([p.get("hd95_mm") for p in hp])))

    secs, rss = [], []
    for pr in (pdev, phard):
        s, r = resources(pr)
        secs += s
        rss += r
    print("resources (%d runs, wall clock including the fsync of the artwork):" % len(secs))
    floor("max time per page (s)", max(secs), 1.0, higher=False, fmt="%.2f")
    ss = sorted(secs)
    print("    median time %.2f s, 95th percentile %.2f s" % (med(secs), ss[int(0.95 * (len(ss) - 1))]))
    floor("max peak RSS (MB)", max(rss), 300, higher=False, fmt="%.0f")
    print("RESULT: %s" % ("all floors met" if ok else "some floors missed"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
