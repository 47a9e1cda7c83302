#!/usr/bin/env bash
# Build benchmark: times `budkavle build --only platforms` (the renderings for every platform;
# the archive site has its own benchmark, bench/site.sh) on generated content repositories.
#
#   bench/build.sh [N ...]          default: 1000 10000
#
# For each N: a temporary content repository (this repository's strategy.toml, themes/ and
# content/media/ plus N posts from bench/gen_posts.py --every-platform, fixed seed) is built once
# to warm up, then BENCH_RUNS times (default 3) under `/usr/bin/time -f "%e %M %U %S"`. Reported: renderings
# (posts × platforms), median wall seconds, median CPU seconds (user + sys), posts per second,
# peak RSS in MB (the largest of the timed runs), and PASS/FAIL against the target: 10,000 posts
# in under 2 s and under 300 MB. Two rows per N: "clean" removes dist/ before each run (untimed),
# so every file is written; "rebuild" builds again over an unchanged dist/, as a rebuild after no
# change does (the manifest finds every file unchanged). The posts live under $TMPDIR (default
# /tmp); TMPDIR=/dev/shm takes the disk out.
#
# Environment:
#   BENCH_RUNS=3      timed runs per N (the median is reported)
#   BENCH_SEED=2027   seed for the post generator
#   BENCH_NO_BUILD=1  skip `cargo build --release` (use the binary already in target/release)
#   BENCH_KEEP=1      keep the generated repositories (their paths are printed), e.g. to profile
#   BENCH_STRICT=1    exit 1 when a row FAILs the target
#   TMPDIR=/dev/shm   generate and build in memory (measures CPU, not the disk)
#
# Results are printed and written to bench/out/results.txt (git-ignored).
set -euo pipefail

RUNS="${BENCH_RUNS:-3}"
TARGET_POSTS=10000
TARGET_SECONDS=2
TARGET_MB=300
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
parse_sizes "$@"
build_release

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
ROWS=()
FAILED=0
for n in "${SIZES[@]}"; do
    echo "bench: generating $n posts" >&2
    make_repo build "$n" --every-platform
    dir="$REPO_DIR"
    if [[ "${BENCH_KEEP:-}" == 1 ]]; then echo "bench: keeping $dir" >&2; fi

    # Warm-up: fills the page cache and proves the generated posts are valid.
    log="$dir/.bench-build.log"
    if ! "$BIN" --root "$dir" build --only platforms >"$log" 2>&1; then
        cat "$log" >&2
        die "budkavle build failed on the generated $n posts (see above)"
    fi
    renderings="$(sed -n 's/.* = \([0-9][0-9]*\) renderings.*/\1/p' "$log" | tail -n 1)"
    if [[ -z "$renderings" ]]; then
        renderings="$(find "$dir/dist/platforms" -mindepth 2 -maxdepth 2 -name '*.json' | wc -l | tr -d ' ')"
    fi
    over="$(sed -n 's/.*(\([0-9][0-9]*\) over a limit.*/\1/p' "$log" | tail -n 1)"

    # Two kinds of build: "clean" (dist/ removed before each run, untimed: every file is written)
    # and "rebuild" (nothing changed since the run before: the manifest finds every file unchanged).
    for kind in clean rebuild; do
        walls=()
        cpus=()
        peak_kb=0
        for ((i = 1; i <= RUNS; i++)); do
            tf="$dir/.bench-time"
            if [[ $kind == clean ]]; then rm -rf -- "$dir/dist"; sync; fi
            if ! "$TIME" -f "%e %M %U %S" -o "$tf" "$BIN" --root "$dir" build --only platforms >"$log" 2>&1; then
                cat "$log" >&2
                die "budkavle build failed in timed run $i for N=$n"
            fi
            read -r wall kb user sys < <(tail -n 1 "$tf")
            walls+=("$wall")
            cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')")
            if ((kb > peak_kb)); then peak_kb=$kb; fi
            echo "bench: N=$n $kind run $i: ${wall} s wall (${user} s user, ${sys} s sys), $((kb / 1024)) MB" >&2
        done

        med="$(median "${walls[@]}")"
        cpu="$(median "${cpus[@]}")"
        row="$(awk -v n="$n" -v k="$kind" -v r="$renderings" -v w="$med" -v cpu="$cpu" -v kb="$peak_kb" \
            -v tp="$TARGET_POSTS" -v ts="$TARGET_SECONDS" -v tm="$TARGET_MB" -v over="${over:-0}" '
            BEGIN {
                mb = kb / 1024
                rate = (w > 0) ? n / w : 0
                if (n == tp) verdict = (w < ts && mb < tm) ? "PASS" : "FAIL"
                else verdict = "-"
                note = (over > 0) ? sprintf("  (%d over a limit)", over) : ""
                printf "%9d  %-7s  %10d  %8.2f  %8.2f  %9.0f  %7.1f  %s%s", n, k, r, w, cpu, rate, mb, verdict, note
            }')"
        ROWS+=("$row")
        if [[ "$row" == *FAIL* ]]; then FAILED=1; fi
    done
done

report="$(
    echo "budkavle build benchmark — $(date '+%Y-%m-%d %H:%M %Z')"
    dirty=""
    git -C "$REPO" diff --quiet HEAD -- src 2>/dev/null || dirty=" (+ uncommitted changes in src/)"
    echo "commit $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$dirty, $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
    echo "load average (1, 5, 15 min) after cargo build, before the runs: $LOAD_BEFORE"
    echo "wall and cpu (user + sys) s: median of $RUNS timed runs after 1 warm-up; posts/s = posts / median wall;"
    echo "peak MB = largest max RSS of the timed runs; posts in $(df -P "${TMPDIR:-/tmp}" | awk 'NR == 2 {print $1}') (${TMPDIR:-/tmp}); seed $SEED"
    echo "target: $TARGET_POSTS posts in < ${TARGET_SECONDS} s wall and < ${TARGET_MB} MB peak"
    echo
    printf '%9s  %-7s  %10s  %8s  %8s  %9s  %7s  %s\n' "posts" "build" "renderings" "wall s" "cpu s" "posts/s" "peak MB" "target"
    printf '%s\n' "${ROWS[@]}"
)"
printf '%s\n' "$report"
mkdir -p "$OUT_DIR"
printf '%s\n' "$report" >"$OUT_DIR/results.txt"

if [[ "${BENCH_STRICT:-}" == 1 && $FAILED == 1 ]]; then
    exit 1
fi
