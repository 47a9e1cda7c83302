#!/usr/bin/env bash
# Publish planning benchmark: times `budkavle publish --dry-run` (load every post, read the
# ledger and verify nothing, read approvals and versions from git, plan) on a generated
# repository of N posts (default 10000) in git, with a 10,000-line ledger (bench/gen_ledger.py:
# 5,000 posts already out on Mastodon).
#
#   bench/publish.sh [N ...]
#
# Reported: median wall ms over BENCH_RUNS runs (default 7), peak RSS, PASS/FAIL against
# 200 ms for 10,000 posts. Environment as in bench/check.sh (BENCH_RUNS, BENCH_SEED,
# BENCH_NO_BUILD, BENCH_KEEP, BENCH_STRICT, TMPDIR). Results go to bench/out/publish.txt.
set -euo pipefail

RUNS="${BENCH_RUNS:-7}"
TARGET_POSTS=10000
TARGET_MS=200
LEDGER_LINES=10000
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
parse_sizes "$@"
[[ ${#SIZES[@]} -gt 0 && "$*" != "" ]] || SIZES=(10000)
build_release
command -v git >/dev/null || die "git is missing"
mkdir -p "$OUT_DIR"
report="$OUT_DIR/publish.txt"
: > "$report"
status=0

for n in "${SIZES[@]}"; do
    make_repo publish "$n"
    python3 "$BENCH/gen_ledger.py" --root "$REPO_DIR" --lines "$LEDGER_LINES" >&2
    (
        cd "$REPO_DIR"
        git init -q
        git -c user.name=Bench -c user.email=bench@example.org add -A
        git -c user.name=Bench -c user.email=bench@example.org commit -qm "Merge pull request #1 from exempelstad/inlagg

Reviewed-by: Bo Ek <bo.ek@exempelstad.se>
Reviewed-by: Cia Lund <cia.lund@exempelstad.se>"
    )
    # Warm-up, and the plan's size for the record.
    "$BIN" --root "$REPO_DIR" publish --dry-run --now 2027-01-15T12:00:00Z --json > "$OUT_DIR/publish-plan.json"
    items=$(python3 -c "import json,sys; p=json.load(open(sys.argv[1]))['plan']; print(len(p['items']), p['done'])" "$OUT_DIR/publish-plan.json")
    walls=() ; rss=()
    for _ in $(seq "$RUNS"); do
        read -r wall mem < <("$TIME" -f "%e %M" "$BIN" --root "$REPO_DIR" publish --dry-run --now 2027-01-15T12:00:00Z \
            2>&1 >/dev/null | tail -1)
        walls+=("$wall"); rss+=("$mem")
    done
    ms=$(awk -v s="$(median "${walls[@]}")" 'BEGIN { printf "%.0f", s * 1000 }')
    mb=$(awk -v k="$(median "${rss[@]}")" 'BEGIN { printf "%.0f", k / 1024 }')
    verdict=""
    if [[ "$n" == "$TARGET_POSTS" ]]; then
        if (( ms < TARGET_MS )); then verdict="PASS (< ${TARGET_MS} ms)"; else verdict="FAIL (target < ${TARGET_MS} ms)"; status=1; fi
    fi
    line="publish --dry-run, $n posts, $LEDGER_LINES ledger lines (plan items, done: $items): median ${ms} ms, ${mb} MB $verdict"
    echo "$line" | tee -a "$report"
done
if [[ "${BENCH_STRICT:-}" == 1 ]]; then exit "$status"; fi
