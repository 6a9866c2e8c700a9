#!/usr/bin/env bash
# The shared library exports exactly the symbols listed in libseal/seal.sym.
set -euo pipefail
lib=$1 list=$2
actual=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRW]$/ {print $3}' | sort -u)
expected=$(grep -v '^#' "$list" | sed '/^$/d' | sort -u)
if [ "$actual" != "$expected" ]; then
    echo "exported symbols differ from $list (< exported, > listed):"
    diff <(echo "$actual") <(echo "$expected") || true
    exit 1
fi
echo "exported symbols: $(echo "$actual" | wc -l), all listed"
