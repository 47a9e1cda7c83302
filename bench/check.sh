#!/usr/bin/env bash
# Check benchmark: times `budkavle check` on generated content repositories.
#
#   bench/check.sh [N ...]          default: 1000 10000
#
# (a) For each N: a temporary content repository (this repository's strategy.toml, themes/ and
#     content/media/ plus N posts from bench/gen_posts.py, fixed seed, a realistic schedule and
#     platform subsets) is checked once to warm up (and to count the findings), then BENCH_RUNS
#     times (default 5) as `budkavle --root DIR check --format json > /dev/null` under
#     `/usr/bin/time -f "%e %M %U %S"`. Reported: median wall seconds, median CPU seconds
#     (user + sys), posts per second, peak RSS in MB, findings, and PASS/FAIL for 10,000 posts
#     against the target: under 1 s.
# (b) The whole process for one post: a repository with exactly one post (the same strategy and
#     theme; the post goes to all 7 platforms), `budkavle --root DIR check` run BENCH_ONE_RUNS
#     times (default 50) after 5 warm-ups, with hyperfine if it is installed, else a loop timed
#     with `date +%s%N`. Reported: median and p95 wall ms, peak RSS, PASS/FAIL against 10 ms (issue 15).
#
# Environment:
#   BENCH_RUNS=5        timed runs per N for (a) (the median is reported)
#   BENCH_ONE_RUNS=50   timed runs for (b)
#   BENCH_SEED=2027     seed for the post generator
#   BENCH_NO_BUILD=1    skip `cargo build --release` (use the binary already in target/release)
#   BENCH_KEEP=1        keep the generated repositories (their paths are printed), e.g. to profile
#   BENCH_STRICT=1      exit 1 when a target FAILs
#   TMPDIR=/dev/shm     generate the repositories in memory (takes the disk out)
#
# Results are printed and written to bench/out/check.txt (git-ignored).
set -euo pipefail

RUNS="${BENCH_RUNS:-5}"
ONE_RUNS="${BENCH_ONE_RUNS:-50}"
TARGET_POSTS=10000
TARGET_SECONDS=1
TARGET_ONE_MS=10
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[[ "$ONE_RUNS" =~ ^[1-9][0-9]*$ ]] || die "BENCH_ONE_RUNS must be a positive number, not '$ONE_RUNS'"
parse_sizes "$@"
build_release
# Nearest-rank percentile P of the numbers on stdin.
percentile() { sort -g | awk -v p="$1" '{a[NR]=$1} END {i = int(NR * p / 100 + 0.999999); if (i < 1) i = 1; print a[i]}'; }

# `check` exits 1 when a finding is an error (--fail-on error); anything else is a failure here.
run_check() { # DIR OUT [extra args]
    local dir=$1 out=$2 rc=0
    shift 2
    "$BIN" --root "$dir" check "$@" >"$out" 2>"$dir/.bench-check.err" || rc=$?
    if ((rc > 1)); then
        cat "$dir/.bench-check.err" >&2
        die "budkavle check failed (exit $rc) on $dir"
    fi
}

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
ROWS=()
FAILED=0

# (a) N posts ----------------------------------------------------------------------------------
for n in "${SIZES[@]}"; do
    echo "bench: generating $n posts" >&2
    make_repo check "$n"
    dir="$REPO_DIR"
    if [[ "${BENCH_KEEP:-}" == 1 ]]; then echo "bench: keeping $dir" >&2; fi

    # Warm-up: fills the page cache, proves the posts load, and counts the findings.
    json="$dir/.bench-check.json"
    run_check "$dir" "$json" --format json
    read -r findings errors warnings suggestions < <(python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
print(s["errors"] + s["warnings"] + s["suggestions"], s["errors"], s["warnings"], s["suggestions"])' "$json") \
        || die "cannot read the summary of the JSON report for N=$n"

    walls=()
    cpus=()
    peak_kb=0
    for ((i = 1; i <= RUNS; i++)); do
        tf="$dir/.bench-time"
        rc=0
        "$TIME" -f "%e %M %U %S" -o "$tf" "$BIN" --root "$dir" check --format json >/dev/null 2>"$dir/.bench-check.err" || rc=$?
        if ((rc > 1)); then
            cat "$dir/.bench-check.err" >&2
            die "budkavle check failed (exit $rc) in timed run $i for N=$n"
        fi
        read -r wall kb user sys < <(tail -n 1 "$tf")
        walls+=("$wall")
        cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')")
        if ((kb > peak_kb)); then peak_kb=$kb; fi
        echo "bench: N=$n run $i: ${wall} s wall (${user} s user, ${sys} s sys), $((kb / 1024)) MB" >&2
    done

    med="$(median "${walls[@]}")"
    cpu="$(median "${cpus[@]}")"
    row="$(awk -v n="$n" -v w="$med" -v cpu="$cpu" -v kb="$peak_kb" -v f="$findings" \
        -v e="$errors" -v wa="$warnings" -v s="$suggestions" -v tp="$TARGET_POSTS" -v ts="$TARGET_SECONDS" '
        BEGIN {
            rate = (w > 0) ? n / w : 0
            if (n == tp) verdict = (w < ts) ? "PASS" : sprintf("FAIL (%.1fx the target)", w / ts)
            else verdict = "-"
            printf "%9d  %8.2f  %8.2f  %9.0f  %7.1f  %8d  %-16s  %s", n, w, cpu, rate, kb / 1024, f,
                sprintf("%d/%d/%d (%.2f%%)", e, wa, s, 100 * f / n), verdict
        }')"
    ROWS+=("$row")
    if [[ "$row" == *FAIL* ]]; then FAILED=1; fi
done

# (b) one post, the whole process --------------------------------------------------------------
echo "bench: one post, $ONE_RUNS runs" >&2
make_repo check 1 --every-platform
one="$REPO_DIR"
if [[ "${BENCH_KEEP:-}" == 1 ]]; then echo "bench: keeping $one" >&2; fi
run_check "$one" "$one/.bench-check.txt"
one_findings="$(tail -n 1 "$one/.bench-check.txt")"
tf="$one/.bench-time"
"$TIME" -f "%e %M" -o "$tf" "$BIN" --root "$one" check >/dev/null 2>&1 || true
one_kb="$(tail -n 1 "$tf" | cut -d' ' -f2)"
times_ms="$one/.bench-times"
if command -v hyperfine >/dev/null; then
    tool="hyperfine $(hyperfine --version | cut -d' ' -f2) (-N, 5 warm-ups)"
    hyperfine -N --warmup 5 --runs "$ONE_RUNS" -i --style none \
        --export-json "$one/.bench-hyperfine.json" "$BIN --root $one check" >/dev/null \
        || die "hyperfine failed"
    python3 -c '
import json, sys
for t in json.load(open(sys.argv[1]))["results"][0]["times"]:
    print(f"{t * 1000:.3f}")' "$one/.bench-hyperfine.json" >"$times_ms"
else
    tool="a shell loop and date +%s%N (5 warm-ups; hyperfine not installed)"
    for ((i = 0; i < 5; i++)); do "$BIN" --root "$one" check >/dev/null 2>&1 || true; done
    : >"$times_ms"
    for ((i = 0; i < ONE_RUNS; i++)); do
        t0=$(date +%s%N)
        "$BIN" --root "$one" check >/dev/null 2>&1 || true
        t1=$(date +%s%N)
        awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - a) / 1e6 }' >>"$times_ms"
    done
fi
one_med="$(median $(cat "$times_ms"))"
one_p95="$(percentile 95 <"$times_ms")"
one_min="$(sort -g "$times_ms" | head -n 1)"
one_row="$(awk -v m="$one_med" -v p="$one_p95" -v lo="$one_min" -v kb="$one_kb" -v t="$TARGET_ONE_MS" -v r="$ONE_RUNS" '
    BEGIN {
        verdict = (m <= t) ? "PASS" : "FAIL"
        if (verdict == "PASS" && p > t) verdict = "PASS (median; p95 over)"
        printf "%9d  %9.1f  %9.1f  %9.1f  %7.1f  %s", r, m, p, lo, kb / 1024, verdict
    }')"
if [[ "$one_row" == *FAIL* ]]; then FAILED=1; fi

report="$(
    echo "budkavle check benchmark — $(date '+%Y-%m-%d %H:%M %Z')"
    dirty=""
    git -C "$REPO" diff --quiet HEAD -- src 2>/dev/null || dirty=" (+ uncommitted changes in src/)"
    echo "commit $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$dirty, $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
    echo "load average (1, 5, 15 min) before the runs: $LOAD_BEFORE"
    echo "posts in $(df -P "${TMPDIR:-/tmp}" | awk 'NR == 2 {print $1}') (${TMPDIR:-/tmp}); seed $SEED"
    echo
    echo "(a) budkavle --root DIR check --format json > /dev/null"
    echo "    wall and cpu (user + sys) s: median of $RUNS timed runs after 1 warm-up; posts/s = posts / median wall;"
    echo "    peak MB = largest max RSS; findings = errors/warnings/suggestions (share of posts)"
    echo "    target: $TARGET_POSTS posts in < ${TARGET_SECONDS} s wall"
    echo
    printf '%9s  %8s  %8s  %9s  %7s  %8s  %-16s  %s\n' "posts" "wall s" "cpu s" "posts/s" "peak MB" "findings" "e/w/s" "target"
    printf '%s\n' "${ROWS[@]}"
    echo
    echo "(b) one post (to 7 platforms), the whole process: budkavle --root DIR check"
    echo "    timed with $tool; report: $one_findings"
    echo "    target: median ≤ ${TARGET_ONE_MS} ms"
    echo
    printf '%9s  %9s  %9s  %9s  %7s  %s\n' "runs" "median ms" "p95 ms" "min ms" "peak MB" "target"
    printf '%s\n' "$one_row"
)"
printf '%s\n' "$report"
mkdir -p "$OUT_DIR"
printf '%s\n' "$report" >"$OUT_DIR/check.txt"

if [[ "${BENCH_STRICT:-}" == 1 && $FAILED == 1 ]]; then
    exit 1
fi
