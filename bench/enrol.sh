#!/usr/bin/env bash
# Enrolment benchmark: synthetic collection-form scans from sealgen.py
# (../shared/tools, relative to the repository), enrolled with `seal enrol`,
# scored with sealscore.py against the floors of issue 3.
#
#   bench/enrol.sh [SEAL_BINARY]        (default: build/seal or build-*/seal)
#   env: DEV_COUNT (40) HARD_COUNT (20) SEED (1) WORK (/tmp/seal-bench-enrol) JOBS (2)
#
# Prints the figures and a PASS/FAIL line per floor; exit 1 when a floor is
# missed, 77 when the tools are absent. Not part of ctest: it takes minutes.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
tools=$(cd "$repo/.." && pwd)/shared/tools
py=/usr/bin/python3
seal=${1:-}
if [ -z "$seal" ]; then
    for c in "$repo"/build/seal "$repo"/build-*/seal; do
        [ -x "$c" ] && { seal=$c; break; }
    done
fi
[ -x "${seal:-}" ] || { echo "bench: no seal binary (pass its path)"; exit 2; }
if [ ! -f "$tools/sealgen.py" ] || [ ! -f "$tools/sealscore.py" ] || [ ! -x "$py" ]; then
    echo "bench: $tools/sealgen.py or sealscore.py (or $py) not found: skipped"
    exit 77
fi
[ -x /usr/bin/time ] || { echo "bench: needs GNU time (apt-get install time)"; exit 2; }
work=${WORK:-/tmp/seal-bench-enrol}
seed=${SEED:-1}
jobs=${JOBS:-2}
mkdir -p "$work"

gen() { # profile count
    local dir=$work/scans-$1-$seed-$2
    if [ ! -f "$dir/.done" ]; then
        rm -rf "$dir"
        "$py" "$tools/sealgen.py" --seed "$seed" --count "$2" --profile "$1" --out "$dir" \
            --jobs "$jobs" >/dev/null
        touch "$dir/.done"
    fi
    echo "$dir"
}

run() { # profile scans-dir -> pred dir
    local prof=$1 dir=$2 pred=$work/pred-$1
    rm -rf "$pred"
    mkdir -p "$pred"
    for img in "$dir"/*_?????.png "$dir"/*_?????.jpg; do
        [ -e "$img" ] || continue
        local stem
        stem=$(basename "${img%.*}")
        set +e
        /usr/bin/time -v -o "$pred/$stem.time" "$seal" enrol "$img" -o "$pred/$stem.pdf" --json \
            >"$pred/$stem.json" 2>"$pred/$stem.err"
        echo $? >"$pred/$stem.rc"
        set -e
    done
    echo "$pred"
}

dev=$(gen dev "${DEV_COUNT:-40}")
hard=$(gen hard "${HARD_COUNT:-20}")
pdev=$(run dev "$dev")
phard=$(run hard "$hard")
"$py" "$tools/sealscore.py" --truth-dir "$dev" --pred-dir "$pdev" --json >"$work/score-dev.json"
"$py" "$tools/sealscore.py" --truth-dir "$hard" --pred-dir "$phard" --json >"$work/score-hard.json"
"$py" "$here/enrol_report.py" "$dev" "$pdev" "$work/score-dev.json" "$hard" "$phard" \
    "$work/score-hard.json"
