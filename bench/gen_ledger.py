#!/usr/bin/env python3
"""Writes a hash-chained ledger (DESIGN §7) into a content repository: an `intent` and a
`published` line for the first posts of content/posts on Mastodon, until LINES lines exist.
Used by bench/publish.sh so the plan is measured against a ledger of realistic size."""
import argparse
import hashlib
import json
import os
import re

p = argparse.ArgumentParser()
p.add_argument("--root", required=True)
p.add_argument("--lines", type=int, required=True)
args = p.parse_args()

posts_dir = os.path.join(args.root, "content", "posts")
ids = []
for dirpath, _, files in os.walk(posts_dir):
    for f in sorted(files):
        if f.endswith(".md"):
            text = open(os.path.join(dirpath, f), encoding="utf-8").read()
            m = re.search(r'^id = "([^"]+)"', text, re.M)
            ids.append(m.group(1) if m else f[:-3])
ids.sort()

prev = "0" * 64
seq = 0
out = os.path.join(args.root, "ledger")
os.makedirs(out, exist_ok=True)
lines = []
for n, post in enumerate(ids):
    if seq >= args.lines:
        break
    key = "bk-" + hashlib.sha256(f"bench/{post}".encode()).hexdigest()[:32]
    content = hashlib.sha256(post.encode()).hexdigest()
    for event in ("intent", "published"):
        seq += 1
        entry = {"v": 1, "seq": seq, "at": "2026-11-01T08:%02d:%02dZ" % (seq // 60 % 60, seq % 60),
                 "event": event, "post": post, "platform": "mastodon", "content": content,
                 "source": "0" * 40, "key": key}
        if event == "published":
            entry["remote"] = {"id": str(100000 + n), "url": f"https://social.exempelstad.se/@exempelstad/{100000 + n}"}
        entry["tool"] = "budkavle bench"
        entry["prev"] = prev
        line = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
        prev = hashlib.sha256(line.encode()).hexdigest()
        lines.append(line)
with open(os.path.join(out, "2026-11.jsonl"), "w", encoding="utf-8") as f:
    f.write("\n".join(lines) + "\n")
print(f"{len(lines)} ledger lines for {len(lines) // 2} posts")
