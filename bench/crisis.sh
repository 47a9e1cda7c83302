#!/usr/bin/env bash
# Crisis benchmark (issue 6): from `budkavle publish` starting to the crisis post's request
# reaching the Mastodon server, in a repository with N other posts (default 10000), all in git.
# The server is a minimal local endpoint (bench/crisis_timing.py) so the figure is budkavle's
# own: load, ledger, approvals from git, plan, connect, send. Target: under 300 ms.
#
#   bench/crisis.sh [N]
#
# Environment as in bench/check.sh (BENCH_RUNS, default 9; BENCH_SEED; BENCH_NO_BUILD;
# BENCH_KEEP; BENCH_STRICT; TMPDIR). Results go to bench/out/crisis.txt.
set -euo pipefail

RUNS="${BENCH_RUNS:-9}"
TARGET_MS=300
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
parse_sizes "${@:-10000}"
build_release
command -v git >/dev/null || die "git is missing"
mkdir -p "$OUT_DIR"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
status=0
for n in "${SIZES[@]}"; do
    make_repo crisis "$n"
    # Only Mastodon is enabled, pointing at the local endpoint; the generated posts are all
    # scheduled after the crisis, so the crisis post is the one thing due.
    python3 - "$REPO_DIR/strategy.toml" "$port" <<'PY'
import re, sys
path, port = sys.argv[1], sys.argv[2]
text = open(path, encoding="utf-8").read()
text = text.replace('instance = "https://social.exempelstad.se"', f'instance = "http://127.0.0.1:{port}"')
text = text.replace('token_env = "BUDKAVLE_MASTODON_TOKEN"', 'token_env = "BENCH_TOKEN"')
for p in ["bluesky", "x", "facebook", "instagram", "linkedin", "threads"]:
    text = text.replace(f"[platforms.{p}]\n", f"[platforms.{p}]\nenabled = false\n")
text = re.sub(r"(?m)^active = .*$", "active = false", text)
open(path, "w", encoding="utf-8").write(text)
PY
    cat > "$REPO_DIR/content/posts/kris-vattenlacka.md" <<'POST'
+++
title = "Vattenläcka: undvik Storgatan"
date = 2026-12-01T09:30:00
kind = "crisis"
platforms = ["mastodon"]
goal = "krisberedskap"
audiences = ["invanare"]

[crisis]
event = "Vattenläcka"
category = "Infra"
urgency = "Immediate"
severity = "Moderate"
certainty = "Observed"
area = { description = "Storgatan mellan torget och järnvägen" }
expires = 2026-12-02T18:00:00
+++

En vattenledning har gått sönder på Storgatan. Undvik gatan mellan torget och järnvägen.
POST
    (
        cd "$REPO_DIR"
        git init -q
        git -c user.name=Bench -c user.email=bench@example.org add -A
        git -c user.name=Bench -c user.email=bench@example.org commit -qm "Merge pull request #1 from exempelstad/kris

Reviewed-by: Bo Ek <bo.ek@exempelstad.se>
Reviewed-by: Cia Lund <cia.lund@exempelstad.se>"
    )
    read -r median min max < <(BENCH_PORT=$port python3 "$BENCH/crisis_timing.py" "$REPO_DIR" "$BIN" "$RUNS")
    verdict=""
    if [[ "$n" == 10000 ]]; then
        if (( median < TARGET_MS )); then verdict="PASS (< ${TARGET_MS} ms)"; else verdict="FAIL (target < ${TARGET_MS} ms)"; status=1; fi
    fi
    echo "publish start → crisis request, $n other posts: median ${median} ms (min ${min}, max ${max}) $verdict" | tee -a "$OUT_DIR/crisis.txt"
done
if [[ "${BENCH_STRICT:-}" == 1 ]]; then exit "$status"; fi
