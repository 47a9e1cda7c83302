#!/usr/bin/env bash
# Inbox benchmark: N stored items (default 100000) from bench/gen_inbox.py, imported once into a
# store in TMPDIR, then timed:
#
#   1. `budkavle inbox triage`: every stored item triaged again (packs, the strategy's rules,
#      the privacy detectors) and its due time recomputed, in one transaction (figure);
#   2. `budkavle inbox` and `budkavle inbox --format json`: the queue (all N open, the worst
#      case), the first 100 by due time with the counts of all, and the supervision warnings —
#      the whole process, target under 50 ms at 100,000 items.
#
#   bench/inbox.sh [N ...]
#
# The import itself is timed once (figure). Environment as in bench/check.sh (BENCH_RUNS,
# BENCH_SEED, BENCH_NO_BUILD, BENCH_KEEP, BENCH_STRICT, TMPDIR). Results go to
# bench/out/inbox.txt.
set -euo pipefail

RUNS="${BENCH_RUNS:-7}"
TARGET_ITEMS=100000
TARGET_MS=50
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
parse_sizes "$@"
[[ "$*" != "" ]] || SIZES=(100000)
build_release
mkdir -p "$OUT_DIR"
report="$OUT_DIR/inbox.txt"
: > "$report"
status=0
export BUDKAVLE_ACTOR="Bench" BUDKAVLE_NOW="2027-01-04T09:00:00Z"

ms_of() { awk -v s="$1" 'BEGIN { printf "%.0f", s * 1000 }'; }

for n in "${SIZES[@]}"; do
    make_repo inbox 0
    export BUDKAVLE_INBOX_STORE="$(mktemp -d "${TMPDIR:-/tmp}/budkavle-bench-inbox-store.XXXXXX")/inbox.sqlite3"
    TMPDIRS+=("$(dirname "$BUDKAVLE_INBOX_STORE")")
    items="$(dirname "$BUDKAVLE_INBOX_STORE")/items.jsonl"
    python3 "$BENCH/gen_inbox.py" --count "$n" --seed "$SEED" --out "$items"
    read -r wall _ < <("$TIME" -f "%e %M" "$BIN" --root "$REPO_DIR" -q inbox import "$items" 2>&1 >/dev/null | tail -1)
    echo "inbox import, $n items: $(ms_of "$wall") ms" | tee -a "$report"

    walls=()
    for _ in $(seq 3); do
        read -r wall _ < <("$TIME" -f "%e %M" "$BIN" --root "$REPO_DIR" -q inbox triage 2>&1 >/dev/null | tail -1)
        walls+=("$wall")
    done
    echo "inbox triage, $n stored items: median $(ms_of "$(median "${walls[@]}")") ms" | tee -a "$report"

    for format in text json; do
        "$BIN" --root "$REPO_DIR" -q inbox --format "$format" >/dev/null 2>&1 # warm-up
        walls=() ; rss=()
        for _ in $(seq "$RUNS"); do
            read -r wall mem < <("$TIME" -f "%e %M" "$BIN" --root "$REPO_DIR" -q inbox --format "$format" 2>&1 >/dev/null | tail -1)
            walls+=("$wall"); rss+=("$mem")
        done
        ms=$(ms_of "$(median "${walls[@]}")")
        mb=$(awk -v k="$(median "${rss[@]}")" 'BEGIN { printf "%.0f", k / 1024 }')
        verdict=""
        if [[ "$n" == "$TARGET_ITEMS" ]]; then
            if (( ms <= TARGET_MS )); then verdict="PASS (<= ${TARGET_MS} ms)"; else verdict="FAIL (target <= ${TARGET_MS} ms)"; status=1; fi
        fi
        echo "inbox (queue, --format $format), $n open items: median ${ms} ms, ${mb} MB $verdict" | tee -a "$report"
    done
done
echo "load: $(uptime)" | tee -a "$report"
if [[ "${BENCH_STRICT:-}" == 1 ]]; then exit "$status"; fi
