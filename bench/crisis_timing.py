#!/usr/bin/env python3
"""Times `budkavle publish` from process start to the crisis post's request (issue 6): a
minimal Mastodon endpoint on 127.0.0.1 notes when POST /api/v1/statuses arrives and answers
as Mastodon does; the publisher is started RUNS times against the same repository, each time
with a fresh ledger (the repository is reset with git), and the median is printed in ms."""
import http.server
import json
import os
import statistics
import subprocess
import sys
import threading
import time

repo, binary, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
arrived = []


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        if self.path == "/api/v1/statuses":
            arrived.append(time.perf_counter())
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        n = len(arrived)
        body = json.dumps({"id": str(n), "url": f"http://127.0.0.1/@k/{n}"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", int(os.environ["BENCH_PORT"])), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
times = []
for i in range(runs):
    subprocess.run(["git", "-c", "gc.auto=0", "-C", repo, "checkout", "-q", "--", "."], check=True)
    subprocess.run(["git", "-c", "gc.auto=0", "-C", repo, "clean", "-qfdx", "ledger"], check=True)
    before = len(arrived)
    start = time.perf_counter()
    done = subprocess.run(
        [binary, "--root", repo, "publish", "--now", "2026-12-01T10:00:00Z", "--no-commit", "-q"],
        env={**os.environ, "BENCH_TOKEN": "bench-token"},
        capture_output=True,
        text=True,
    )
    if done.returncode != 0 or len(arrived) <= before:
        sys.exit(f"publish failed or sent nothing:\n{done.stdout}{done.stderr}")
    times.append((arrived[before] - start) * 1000)
print(f"{statistics.median(times):.0f} {min(times):.0f} {max(times):.0f}")
