#!/usr/bin/env bash
# Report benchmark (issue 13, item 7): times `budkavle report` on a generated repository of N posts
# (default 10000) x 7 platforms x 4 snapshots each in metrics/ (bench/gen_metrics.py
# --every-platform: 280,000 snapshot lines for 10,000 posts).
#
#   bench/report.sh [N ...]
#
# Two rows per N: the whole span of the posts as one period (every post and snapshot counted:
# goals, breakdowns, weekday x hour) and one month (`--period 2027-06`, the usual report; it still
# reads every snapshot file). Reported: median wall ms over BENCH_RUNS runs (default 5), peak
# RSS, PASS/FAIL against 1 s for 10,000 posts. Environment as in bench/check.sh (BENCH_RUNS,
# BENCH_SEED, BENCH_NO_BUILD, BENCH_KEEP, BENCH_STRICT, TMPDIR). Results go to bench/out/report.txt.
set -euo pipefail

RUNS="${BENCH_RUNS:-5}"
TARGET_POSTS=10000
TARGET_MS=1000
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
parse_sizes "$@"
[[ ${#SIZES[@]} -gt 0 && "$*" != "" ]] || SIZES=(10000)
build_release
mkdir -p "$OUT_DIR"
out="$OUT_DIR/report.txt"
: > "$out"
status=0
NOW=2040-01-01T00:00:00Z
# No inbox store: the benchmark is the posts and metrics/, not whatever inbox this machine has
# (the report reads one read-only when it exists; `bench/inbox.sh` measures the inbox).
BUDKAVLE_INBOX_STORE="$(mktemp -d "${TMPDIR:-/tmp}/budkavle-bench-noinbox.XXXXXX")/inbox.sqlite3"
TMPDIRS+=("$(dirname "$BUDKAVLE_INBOX_STORE")")
export BUDKAVLE_INBOX_STORE

for n in "${SIZES[@]}"; do
    make_repo report "$n" --every-platform
    python3 "$BENCH/gen_metrics.py" --root "$REPO_DIR" --until 2100-01-01 --seed "$SEED" --every-platform >&2
    lines=$(cat "$REPO_DIR"/metrics/*.jsonl | wc -l)
    for period in "--from 2027-01-01 --to 2039-12-31" "--period 2027-06"; do
        # shellcheck disable=SC2086 # the period is two or four words on purpose
        # Warm-up (and proof that the figures are read): the JSON's total of posts with data.
        "$BIN" --root "$REPO_DIR" report $period --now "$NOW" --format json > "$OUT_DIR/report.json"
        posts=$(python3 -c "import json,sys; t=json.load(open(sys.argv[1]))['totals']; print(t['posts_with_data'])" "$OUT_DIR/report.json")
        walls=() ; rss=()
        for _ in $(seq "$RUNS"); do
            # shellcheck disable=SC2086
            read -r wall mem < <("$TIME" -f "%e %M" "$BIN" --root "$REPO_DIR" report $period --now "$NOW" --format json \
                2>&1 >/dev/null | tail -1)
            walls+=("$wall"); rss+=("$mem")
        done
        ms=$(awk -v s="$(median "${walls[@]}")" 'BEGIN { printf "%.0f", s * 1000 }')
        mb=$(awk -v k="$(median "${rss[@]}")" 'BEGIN { printf "%.0f", k / 1024 }')
        verdict=""
        if [[ "$n" == "$TARGET_POSTS" ]]; then
            if (( ms <= TARGET_MS )); then verdict="PASS (<= ${TARGET_MS} ms)"; else verdict="FAIL (target <= ${TARGET_MS} ms)"; status=1; fi
        fi
        line="report $period, $n posts, $lines snapshot lines ($posts posts with data in the period): median ${ms} ms, ${mb} MB $verdict"
        echo "$line" | tee -a "$out"
    done
done
echo "load: $(uptime)" | tee -a "$out"
if [[ "${BENCH_STRICT:-}" == 1 ]]; then exit "$status"; fi
