#!/usr/bin/env bash
# Instructions a night of the simulated year (docs/performance.md, "A year of backup plans"):
# the plan_year benchmark of 1,000 accounts under cachegrind, stopped after 40 and after 60 days;
# the difference is 20 nights at the steady state (30 days of job records kept). Instruction
# counts do not vary with the machine's other guests, as the wall clock does: compare two
# commits by running this at each.
#
#   scripts/perf-year-instructions.sh [RETENTION_DAYS]   (0: no Lifecycle; default 0)
#
# Needs valgrind (apt-get install valgrind).
set -euo pipefail
retention="${1:-0}"
cd "$(dirname "$0")/.."
bench=$(cargo bench -p copylab-server --bench plan_year --no-run --message-format=json 2>/dev/null \
  | python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "plan_year" and m.get("executable"):
        print(m["executable"])')
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
instructions() {
  YEAR_DAYS="$1" valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file="$out/cg.$1" \
    "$bench" --one 1000 "$retention" 2>&1 | sed -n 's/.*I *refs: *//p' | tr -d ,
}
forty=$(instructions 40)
sixty=$(instructions 60)
echo "1,000 accounts, retention ${retention}: $(( (sixty - forty) / 20 )) instructions a night (days 41 to 60)"
