#!/usr/bin/env python3
"""Writes N inbox items as JSONL for bench/inbox.sh: the texts of the triage corpus
(tests/fixtures/inbox/triage-corpus.jsonl), each varied with a street, a number and a time so no
two are alike, spread over the office hours and evenings of two years, on all seven platforms.
Deterministic for a seed."""
import argparse
import datetime
import json
import random
from pathlib import Path

ap = argparse.ArgumentParser()
ap.add_argument("--count", type=int, required=True)
ap.add_argument("--seed", type=int, default=2027)
ap.add_argument("--out", required=True)
a = ap.parse_args()
rng = random.Random(a.seed)
root = Path(__file__).resolve().parent.parent
texts = [json.loads(l)["text"] for l in (root / "tests/fixtures/inbox/triage-corpus.jsonl").read_text().splitlines()]
platforms = ["facebook", "instagram", "x", "mastodon", "bluesky", "threads", "linkedin"]
streets = ["Storgatan", "Björkvägen", "Skolgatan", "Kvarngatan", "Lindgatan", "Parkvägen", "Torget"]
names = ["Anna", "Bo", "Cecilia", "David", "Elin", "Farid", "Greta", "Hassan", "Ida", "Johan", "Karin", "Leo"]
start = datetime.datetime(2025, 1, 1, 6, 0, tzinfo=datetime.timezone.utc)
span = 2 * 365 * 24 * 3600
with open(a.out, "w") as f:
    for i in range(a.count):
        text = rng.choice(texts)
        extra = rng.random()
        if extra < 0.3:
            text += f" Gäller {rng.choice(streets)}, dag {rng.randint(1, 28)}."
        elif extra < 0.4:
            text += f" (#{rng.randint(1, 99999)})"
        at = start + datetime.timedelta(seconds=int(span * i / a.count) + rng.randint(0, 3000))
        item = {
            "platform": rng.choice(platforms),
            "id": str(10_000_000 + i),
            "author": f"{rng.choice(names)} {rng.randint(1, 500)}",
            "text": text,
            "at": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        if rng.random() < 0.2:
            item["in_reply_to"] = str(10_000_000 + rng.randint(0, max(0, i - 1)))
        f.write(json.dumps(item, ensure_ascii=False) + "\n")
