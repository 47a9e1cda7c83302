#!/usr/bin/env bash
# `budkavle inbox pull` of N mentions (default 10000) from a local server speaking Mastodon's
# notifications API as documented (bench/inbox_pull.py): the first pull (all new), then a
# second (nothing new). Prints wall time, items/s, requests, budkavle's CPU and memory, and
# the load average; results go to bench/out/inbox_pull.txt.
#
#   bench/inbox_pull.sh [N]
#
# Environment as in bench/check.sh (BENCH_NO_BUILD, TMPDIR).
set -euo pipefail
RUNS=1 # one timed pull and one empty one; lib.sh checks RUNS
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
build_release
mkdir -p "$OUT_DIR"
report="$OUT_DIR/inbox_pull.txt"
{
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, uptime: $(uptime)"
    python3 "$BENCH/inbox_pull.py" "$BIN" "${1:-10000}"
} | tee "$report"
