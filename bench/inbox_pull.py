#!/usr/bin/env python3
"""`budkavle inbox pull` of N citizens' mentions (default 10,000) from a local server that
speaks Mastodon's notifications API as documented
(https://docs.joinmastodon.org/methods/notifications/#get,
https://docs.joinmastodon.org/api/guidelines/#pagination,
https://docs.joinmastodon.org/entities/Notification/, .../entities/Status/):

* `GET /api/v1/notifications`: newest first; `limit` default 40, at most 80; `max_id`,
  `since_id`, `min_id`; `types[]` filter; a `Link` header with `rel="next"` (`max_id` of the
  page's last) and `rel="prev"` (`min_id` of its first);
* `GET /api/v1/accounts/verify_credentials`: the account (id "1");
* `GET /api/v1/statuses/:id`: one status (every mention is still there), which the second
  pull asks about for the open mentions of the last 14 days, at most 100.

The server is Python's standard library, each notification serialized once up front, so the
run measures budkavle (its requests, parsing, triage and the one store transaction) more than
the server. Timed: the first pull (N new items), then a second one (nothing new: one request
for the notifications newer than the cursor). Printed: wall time, items/s, requests, the
budkavle process's CPU time and peak memory, and the load average before.

    python3 bench/inbox_pull.py BINARY [N]
"""
import http.server
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

binary, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 10_000

QUESTIONS = [
    "@info När öppnar badhuset igen efter renoveringen?",
    "@info Varför har ingen plogat Björkvägen? Det är oacceptabelt.",
    "@info Tack för snabb information om vattnet, bra jobbat!",
    "@info Hur ansöker jag om bygglov för ett uteförråd?",
    "@info Ring mig på 070-123 45 67 om soptunnan.",
    "@info When does the library open on Saturdays?",
]


def status(i):
    text = QUESTIONS[i % len(QUESTIONS)] + f" ({i})"
    created = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(1_796_000_000 + i * 60))
    acct = f"invanare{i % 500}@example.org"
    return {
        "id": str(100_000 + i),
        "created_at": created,
        "in_reply_to_id": None,
        "in_reply_to_account_id": None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": "public",
        "language": "sv",
        "uri": f"https://example.org/users/{acct}/statuses/{100_000 + i}",
        "url": f"https://example.org/@{acct}/{100_000 + i}",
        "replies_count": 0,
        "reblogs_count": 0,
        "favourites_count": 0,
        "edited_at": None,
        "content": "<p>" + text.replace("&", "&amp;").replace("<", "&lt;") + "</p>",
        "reblog": None,
        "account": {"id": str(10 + i % 500), "username": acct.split("@")[0], "acct": acct},
        "media_attachments": [],
        "mentions": [{"id": "1", "username": "info", "acct": "info", "url": "http://localhost/@info"}],
        "tags": [],
        "emojis": [],
        "card": None,
        "poll": None,
    }


# id -> serialized notification, newest first; status id -> serialized status.
NOTES = []
STATUSES = {}
for i in range(n, 0, -1):
    note = {"id": str(i), "type": "mention", "created_at": status(i)["created_at"], "group_key": f"ungrouped-{i}"}
    note["account"] = status(i)["account"]
    note["status"] = status(i)
    NOTES.append((i, json.dumps(note)))
    STATUSES[note["status"]["id"]] = json.dumps(note["status"])

REQUESTS = {"count": 0}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, code, body, headers=()):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        REQUESTS["count"] += 1
        url = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(url.query)
        if self.headers.get("Authorization") != "Bearer bench-token":
            return self.send(401, '{"error":"The access token is invalid"}')
        if url.path == "/api/v1/accounts/verify_credentials":
            return self.send(200, '{"id":"1","username":"info","acct":"info"}')
        if url.path.startswith("/api/v1/statuses/"):
            found = STATUSES.get(url.path.rsplit("/", 1)[1])
            return self.send(200, found) if found else self.send(404, '{"error":"Record not found"}')
        if url.path != "/api/v1/notifications":
            return self.send(404, '{"error":"Record not found"}')
        types = q.get("types[]", []) + q.get("types", [])
        if types and "mention" not in types:
            return self.send(200, "[]")
        try:
            limit = max(1, min(int(q.get("limit", ["40"])[0]), 80))
        except ValueError:
            limit = 40
        num = lambda k: int(q[k][0]) if k in q and q[k][0].isdigit() else None
        max_id, since_id, min_id = num("max_id"), num("since_id"), num("min_id")
        rows = [(i, s) for i, s in NOTES if (max_id is None or i < max_id) and (since_id is None or i > since_id)]
        if min_id is not None:
            rows = [(i, s) for i, s in rows if i > min_id][-limit:]
        else:
            rows = rows[:limit]
        headers = []
        if rows:
            base = f"http://{self.headers.get('Host')}/api/v1/notifications"
            headers.append(("Link", f'<{base}?max_id={rows[-1][0]}>; rel="next", <{base}?min_id={rows[0][0]}>; rel="prev"'))
        self.send(200, "[" + ",".join(s for _, s in rows) + "]", headers)


def repo(port, root):
    os.makedirs(os.path.join(root, "content/posts"))
    here = os.path.dirname(os.path.abspath(__file__))
    shutil.copytree(os.path.join(os.path.dirname(here), "themes"), os.path.join(root, "themes"))
    with open(os.path.join(root, "strategy.toml"), "w") as f:
        f.write(
            f"""[organisation]
name = "Benchby kommun"
url = "https://www.benchby.se"
timezone = "Europe/Stockholm"

[[goals]]
id = "info"
description = "Informera"

[[audiences]]
id = "alla"
description = "Alla"

[platforms.mastodon]
account = "@info@127.0.0.1"
instance = "http://127.0.0.1:{port}"
token_env = "BENCH_MASTODON_TOKEN"

[interaction]
response_time = "4h"
office_hours = "mån–fre 08:00–16:30"
"""
        )
    subprocess.run(["git", "init", "-q", root], check=True)


def pull(root, store):
    env = dict(os.environ, BENCH_MASTODON_TOKEN="bench-token", BUDKAVLE_INBOX_STORE=store)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    requests = REQUESTS["count"]
    start = time.monotonic()
    out = subprocess.run(
        [binary, "--root", root, "inbox", "pull", "--json"], env=env, capture_output=True, text=True
    )
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0:
        sys.exit(f"inbox pull failed:\n{out.stdout}\n{out.stderr}")
    pulled = json.loads(out.stdout)["pulled"][0]
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return pulled, wall, cpu, after.ru_maxrss, REQUESTS["count"] - requests


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="budkavle-bench-inbox-pull-") as tmp:
        root = os.path.join(tmp, "repo")
        repo(server.server_address[1], root)
        store = os.path.join(tmp, "store", "inbox.sqlite3")
        first, wall, cpu, rss, requests = pull(root, store)
        assert first["new_items"] == n, first
        print(
            f"inbox pull, {n} new mentions: {wall:.2f} s wall, {n / wall:,.0f} items/s, {requests} requests, "
            f"budkavle CPU {cpu:.2f} s, peak RSS {rss / 1024:.0f} MB (load average before: {load[0]:.2f})"
        )
        again, wall, cpu, _, requests = pull(root, store)
        assert again["new_items"] == 0 and again["new_versions"] == 0, again
        print(f"inbox pull again, nothing new: {wall * 1000:.0f} ms wall, {requests} requests, budkavle CPU {cpu:.2f} s")
    server.shutdown()


main()
