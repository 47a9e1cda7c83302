#!/usr/bin/env bash
# Per-post overhead of `budkavle publish` against the local Mastodon and Bluesky peers of the
# tests (bench/peers.py has the details). Needs `bash tests/peers/mastodon/install.sh` and
# `bash tests/peers/bluesky/install.sh` first.
#
#   bench/peers.sh [N]        default: 100 posts
set -euo pipefail
RUNS=1
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
build_release
mkdir -p "$OUT_DIR"
python3 "$BENCH/peers.py" "$BIN" "${1:-100}" | tee -a "$OUT_DIR/peers.txt"
