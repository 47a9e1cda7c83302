#!/usr/bin/env bash
# Serve benchmark: how long from saving one post to the reload event in the browser, with
# `budkavle serve` running on a content repository of N generated posts.
#
#   bench/serve.sh [N ...]          default: 10000
#
# For each N: a temporary content repository (this repository's strategy.toml, themes/ and
# content/media/ plus N posts from bench/gen_posts.py, fixed seed), committed to git so the
# archive has versions as it would. `budkavle serve --port 0` starts on it (the initial full
# build is timed too). A client connects to the event stream (/__budkavle/events) as an open
# page does, then BENCH_EDITS times (default 20), each time on another post (not a draft, which
# is in no list): changes the post's
# title and appends a sentence to its text, and measures from just before the write to the
# `change` event that names that post's preview page. That is the whole path a reviewer waits
# for: the file-system notification, the debounce, reloading and re-checking the post,
# rendering its previews and its archive page, and the event. The previews index (every post's
# row) follows in a second event; then the archive's pages that depend on every post (lists,
# tags, months, feeds, search index, sitemap) in a third: the "lists" event, the first after
# the post's own that names an archive page other than a post's (`/p/…`). Their times from the
# write are reported too. Between edits the client waits for serve to have written dist/ (its
# log says so), so each edit is timed on a quiet machine.
#
# Reported: the initial build, then median, p95 and maximum of the edit → event time, the
# median edit → index event time, median and p95 of the edit → lists event time, and
# PASS/FAIL against the targets at 10,000 posts: edit → event median under 50 ms, and
# edit → lists median under 1 s.
#
# Environment:
#   BENCH_EDITS=20    edits timed per N
#   BENCH_SEED=2027   seed for the post generator
#   BENCH_NO_BUILD=1  skip `cargo build --release`
#   BENCH_KEEP=1      keep the generated repositories
#   BENCH_STRICT=1    exit 1 when a row FAILs the target
#   TMPDIR=/dev/shm   generate in memory
#
# Results are printed and written to bench/out/serve.txt (git-ignored).
set -euo pipefail

RUNS="${BENCH_EDITS:-20}"
TARGET_POSTS=10000
TARGET_MS=50
TARGET_LISTS_MS=1000
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
parse_sizes "$@"
[[ $# -gt 0 ]] || SIZES=(10000)
command -v git >/dev/null || die "git is missing (the repository is committed so the archive has versions)"
build_release

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
ROWS=()
FAILED=0
for n in "${SIZES[@]}"; do
    echo "bench: generating $n posts" >&2
    make_repo serve "$n"
    dir="$REPO_DIR"
    git -C "$dir" init -q
    git -C "$dir" add -A
    git -C "$dir" -c user.name=bench -c user.email=bench@example.org -c commit.gpgsign=false commit -q -m posts

    log="$dir/serve.log"
    "$BIN" --root "$dir" serve --port 0 >"$dir/serve.out" 2>"$log" &
    pid=$!
    # The server's one stdout line names its address once the first build is done.
    start_ns=$(date +%s%N)
    for _ in $(seq 1 1200); do
        grep -q '^serving http' "$dir/serve.out" 2>/dev/null && break
        kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; die "budkavle serve stopped"; }
        sleep 0.1
    done
    initial_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
    addr="$(grep -o 'http://[0-9.:]*' "$dir/serve.out" | head -1)"
    [[ -n "$addr" ]] || { kill "$pid"; die "no address from budkavle serve"; }

    result="$(python3 - "$addr" "$dir" "$RUNS" "$log" <<'PY'
import json, os, socket, statistics, sys, time

addr, root, runs, log = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
host, port = addr.removeprefix("http://").split(":")

def dist_writes():
    with open(log, encoding="utf-8", errors="replace") as f:
        return sum(1 for line in f if line.startswith("then wrote what changed"))

sock = socket.create_connection((host, int(port)))
sock.sendall(f"GET /__budkavle/events HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
buf = b""

def next_event(deadline):
    global buf
    while True:
        if b"\n\n" in buf:
            block, buf = buf.split(b"\n\n", 1)
            name, data = "", ""
            for line in block.decode().splitlines():
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: "):
                    data = line[6:]
            if name:
                return name, data
            continue
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            return None
        if not chunk:
            return None
        buf += chunk

# Skip the HTTP header and the hello.
while b"\r\n\r\n" not in buf:
    buf += sock.recv(65536)
buf = buf.split(b"\r\n\r\n", 1)[1]
assert next_event(time.monotonic() + 10)[0] == "hello"

posts_dir = os.path.join(root, "content", "posts")
def archived(path):
    """Not a draft: a draft has no archive page and is in no list."""
    with open(path, encoding="utf-8") as f:
        return "\ndraft = true" not in f.read().split("+++")[1]

files = sorted(
    os.path.relpath(os.path.join(d, f), posts_dir)
    for d, _, names in os.walk(posts_dir)
    for f in names
    if f.endswith(".md") and archived(os.path.join(d, f))
)
step = max(1, len(files) // (runs + 1))
times = []
index_times = []
list_times = []
list_pages = []
for i in range(runs):
    name = files[(i + 1) * step % len(files)]
    path = os.path.join(posts_dir, name)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    # The post's id is its file stem unless it sets one; read it as budkavle does.
    post_id = os.path.basename(name)[:-3]
    for line in text.split("+++")[1].splitlines():
        if line.startswith("id = "):
            post_id = line.split("=", 1)[1].strip().strip('"')
    want = f'"/previews/p/{post_id}/index.html"'
    before = dist_writes()
    # A new title changes the post's row in the lists, its tags' and month's pages, the feeds
    # (when it is recent) and the search index, as a reviewer's edit would.
    head, sep, rest = text.partition("\ntitle = \"")
    edited = head + sep + f"Ändrad {i}: " + rest if sep else text
    t0 = time.monotonic()
    with open(path, "w", encoding="utf-8") as f:
        f.write(edited.rstrip("\n") + f"\n\nTillägg nummer {i} för mätningen.\n")
    deadline = t0 + 10
    while True:
        ev = next_event(deadline)
        if ev is None:
            sys.exit(f"no change event for {post_id} within 10 s")
        if ev[0] == "change" and (want in ev[1] or '"*"' in ev[1]):
            if '"*"' in ev[1]:
                sys.exit(f"the edit of {name} made the repository invalid: see {log}")
            break
    times.append((time.monotonic() - t0) * 1000)
    # The previews index follows in its own event (none when the post's row did not change),
    # then the archive's lists in theirs.
    lists_at = None
    deadline = t0 + 30
    while lists_at is None:
        ev = next_event(deadline)
        if ev is None:
            sys.exit(f"no lists event after the edit of {name} within 30 s: see {log}")
        if ev[0] != "change":
            continue
        paths = json.loads(ev[1])["paths"]
        if "/previews/index.html" in paths:
            index_times.append((time.monotonic() - t0) * 1000)
        if any(not p.startswith("/previews/") and not p.startswith("/p/") for p in paths):
            lists_at = time.monotonic()
            list_pages.append(len(paths))
    list_times.append((lists_at - t0) * 1000)
    # Let serve write dist/ before the next edit.
    end = time.monotonic() + 120
    while dist_writes() <= before and time.monotonic() < end:
        time.sleep(0.05)
        while next_event(time.monotonic() + 0.01):
            pass

def p95_of(values):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]

times.sort()
index = f"{statistics.median(index_times):.1f}" if index_times else "-"
print(
    f"{statistics.median(times):.1f} {p95_of(times):.1f} {times[-1]:.1f} {times[0]:.1f} {index}"
    f" {statistics.median(list_times):.1f} {p95_of(list_times):.1f} {max(list_times):.1f}"
    f" {statistics.median(list_pages):.0f}"
)
PY
)" || { kill "$pid" 2>/dev/null; die "the client failed: $result"; }
    lists_line="$(grep '^then the archive' "$log" | tail -1 || true)"
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    read -r median p95 max min index lists lists_p95 lists_max lists_pages <<<"$result"
    verdict="-"
    if [[ "$n" -eq "$TARGET_POSTS" ]]; then
        if awk -v m="$median" -v t="$TARGET_MS" 'BEGIN { exit !(m < t) }'; then verdict=PASS; else verdict=FAIL; FAILED=1; fi
        if awk -v m="$lists" -v t="$TARGET_LISTS_MS" 'BEGIN { exit !(m < t) }'; then verdict="$verdict/PASS"; else verdict="$verdict/FAIL"; FAILED=1; fi
    fi
    ROWS+=("$(printf '%8d %10.1f %8d %10s %10s %10s %10s %10s %10s %10s %10s %6s  %s' "$n" "$((initial_ms))e-3" "$RUNS" "$median" "$p95" "$max" "$min" "$index" "$lists" "$lists_p95" "$lists_max" "$lists_pages" "$verdict")")
    echo "bench: $n posts: edit → event median $median ms, → lists median $lists ms (last: ${lists_line:-none})" >&2
done

mkdir -p "$OUT_DIR"
{
    echo "budkavle serve benchmark — $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "commit $(git -C "$REPO" rev-parse --short HEAD), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | awk '{print $1, $2}')"
    echo "load average (1, 5, 15 min) before the runs: $LOAD_BEFORE; posts in ${TMPDIR:-/tmp}; seed $SEED"
    echo "edit → event: from just before writing one post file to the server-sent event naming its"
    echo "preview page (the post's previews and its archive page rebuilt); index: to the second"
    echo "event, naming the previews index; lists: to the third, with the archive's lists, tags,"
    echo "months, feeds, search index and sitemap (pages: how many it named, median);"
    echo "serve's write of dist/ is awaited between edits, untimed"
    echo "targets at ${TARGET_POSTS} posts: edit → event median < ${TARGET_MS} ms / edit → lists median < ${TARGET_LISTS_MS} ms"
    echo
    printf '%8s %10s %8s %10s %10s %10s %10s %10s %10s %10s %10s %6s  %s\n' posts "start s" edits "median ms" "p95 ms" "max ms" "min ms" "index ms" "lists ms" "lists p95" "lists max" pages targets
    printf '%s\n' "${ROWS[@]}"
} | tee "$OUT_DIR/serve.txt"

if [[ "${BENCH_STRICT:-}" == 1 && "$FAILED" == 1 ]]; then
    exit 1
fi
