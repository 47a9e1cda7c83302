#!/usr/bin/env bash
# `budkavle publish` against the local peers of the tests, all seven platforms (mastodon-mock,
# the Bluesky dev network, the fakes of X, Facebook, Instagram, Threads and LinkedIn): time per
# post × platform and budkavle's own share of it (bench/peers.py has the method). Needs
# `bash tests/peers/mastodon/install.sh` and `bash tests/peers/bluesky/install.sh` first.
#
#   bench/peers.sh [N]        default: 100 posts
set -euo pipefail
RUNS=1
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
build_release
mkdir -p "$OUT_DIR"
python3 "$BENCH/peers.py" "$BIN" "${1:-100}" | tee -a "$OUT_DIR/peers.txt"
