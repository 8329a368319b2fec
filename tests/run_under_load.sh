#!/usr/bin/env bash
# The whole suite N times in a row (default 5) with two CPU burners on the machine, as
# a loaded laptop or CI runner would be: it stops at the first failing run.
#   bash tests/run_under_load.sh [RUNS] [LOG_DIR]
# Each run's output is LOG_DIR/runN.log, one line per run in LOG_DIR/summary.
set -u
cd "$(dirname "$0")/.."
runs=${1:-5}
log=${2:-.under-load}
mkdir -p "$log"
python3 -c 'while True: pass' & burner1=$!
python3 -c 'while True: pass' & burner2=$!
trap 'kill $burner1 $burner2 2>/dev/null' EXIT
for n in $(seq 1 "$runs"); do
    started=$(date +%s)
    QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest -q -p no:cacheprovider >"$log/run$n.log" 2>&1
    status=$?
    echo "run $n: exit $status in $(($(date +%s) - started)) s — $(tail -n 1 "$log/run$n.log")" | tee -a "$log/summary"
    [ "$status" -ne 0 ] && exit "$status"
done
