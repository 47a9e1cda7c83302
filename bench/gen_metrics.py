#!/usr/bin/env python3
"""Write plausible metrics snapshots (docs/metrics.md) for the posts of a content repository,
deterministically: the example repository's metrics/ and the report benchmark's.

Usage: gen_metrics.py --root DIR [--until 2027-01-01] [--seed 2027] [--every-platform]

For every post that is not a draft and not retracted, dated before --until, and every platform it
goes to (its `platforms`, else every platform of strategy.toml; Instagram only with an image;
`[platform.<name>] skip` honoured; --every-platform: all seven for every post, as the report
benchmark's "posts x 7 platforms" needs),
four snapshots at about +1 h, +1 d, +7 d and +30 d after its date, appended to
metrics/YYYY-MM.jsonl by the month (UTC) of each snapshot. Files are rewritten whole, sorted by
time, so running the script twice gives the same bytes.

The figures follow what each platform's API gives (null where it gives nothing): Mastodon and
Bluesky no views or reach; X and Threads views but no reach; Facebook, Instagram and LinkedIn
reach and views. Sizes are a Swedish municipality of about 25,000 residents: a follower base per
platform, a post's reach a share of it, more for crisis and preparedness posts and posts with an
image, jobs doing best on LinkedIn; interactions 1-6 % of reach; figures grow to their final
value over the four snapshots. Standard library only.
"""

import argparse
import datetime
import json
import os
import random
import sys
import tomllib
import zlib
import zoneinfo

PLATFORMS = ["mastodon", "bluesky", "x", "facebook", "instagram", "linkedin", "threads"]
FOLLOWERS = {"mastodon": 650, "bluesky": 900, "x": 2400, "facebook": 8200, "instagram": 3100, "linkedin": 1900, "threads": 700}
# Share of followers a post reaches (the platforms' own algorithms in one number).
REACH_SHARE = {"mastodon": 0.45, "bluesky": 0.4, "x": 0.5, "facebook": 0.55, "instagram": 0.5, "linkedin": 0.45, "threads": 0.35}
GROWTH = [(datetime.timedelta(hours=1), 0.18), (datetime.timedelta(days=1), 0.72), (datetime.timedelta(days=7), 0.95), (datetime.timedelta(days=30), 1.0)]


def front_matter(path):
    text = open(path, encoding="utf-8").read()
    if not text.startswith("+++"):
        return None
    end = text.find("\n+++", 3)
    front = tomllib.loads(text[3:end])
    body = text[end + 4:]
    return front, body


def when(value, tz):
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=tz) if value.tzinfo is None else value
    if isinstance(value, datetime.date):
        return datetime.datetime(value.year, value.month, value.day, 9, 0, tzinfo=tz)
    return None


def remote_id(platform, rng):
    n = rng.randrange(10**15, 10**16)
    return {
        "mastodon": str(113_000_000_000_000_000 + n % 10**15),
        "bluesky": "at://did:plc:exempelstad/app.bsky.feed.post/3l" + format(n, "x")[:11],
        "x": str(1_860_000_000_000_000_000 + n),
        "facebook": "100000000000001_" + str(n),
        "instagram": "179" + str(n),
        "linkedin": "urn:li:share:7" + str(n)[:18],
        "threads": "180" + str(n),
    }[platform]


def figures(platform, front, has_image, is_thread, rng, scale):
    goal = front.get("goal", "")
    kind = front.get("kind", "news")
    boost = 1.0
    if kind == "crisis" or goal == "krisberedskap":
        boost *= 2.2
    if has_image:
        boost *= 1.3 if platform != "instagram" else 1.0
    if goal == "kompetensforsorjning" and platform == "linkedin":
        boost *= 2.0
    if front.get("lang", "sv") != "sv":
        boost *= 0.45
    base = FOLLOWERS[platform] * REACH_SHARE[platform] * boost * rng.uniform(0.6, 1.5)
    reach = base * scale
    rate = rng.uniform(0.012, 0.06) * (1.25 if is_thread else 1.0) * (1.2 if has_image else 1.0)
    inter = reach * rate
    f = {k: None for k in ["views", "reach", "likes", "reposts", "replies", "quotes", "clicks", "saves", "shares"]}
    f["likes"] = inter * 0.55
    f["replies"] = inter * 0.1
    if platform in ("mastodon", "bluesky", "x", "threads"):
        f["reposts"] = inter * 0.15
    if platform in ("bluesky", "x", "threads"):
        f["quotes"] = inter * 0.03
    if platform in ("facebook", "linkedin"):
        f["shares"] = inter * 0.12
    if platform in ("facebook", "linkedin", "x"):
        f["clicks"] = inter * (0.4 if goal == "kompetensforsorjning" else 0.2)
    if platform == "instagram":
        f["saves"] = inter * 0.1
    if platform in ("facebook", "instagram", "linkedin"):
        f["reach"] = reach
        f["views"] = reach * rng.uniform(1.3, 1.8)
    elif platform in ("x", "threads"):
        f["views"] = reach * rng.uniform(1.4, 2.0)
    return f


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--until", default="2027-01-01", help="leave out posts dated from this day on (local time)")
    ap.add_argument("--seed", type=int, default=2027)
    ap.add_argument("--every-platform", action="store_true")
    args = ap.parse_args()

    strategy = tomllib.load(open(os.path.join(args.root, "strategy.toml"), "rb"))
    tz = zoneinfo.ZoneInfo(strategy.get("organisation", {}).get("timezone", "Europe/Stockholm"))
    configured = [p for p in PLATFORMS if strategy.get("platforms", {}).get(p, {}).get("enabled", True) and p in strategy.get("platforms", {})]
    until = datetime.datetime.fromisoformat(args.until).replace(tzinfo=tz)
    lines = []
    posts_dir = os.path.join(args.root, "content", "posts")
    for dirpath, _, names in sorted(os.walk(posts_dir)):
        for name in sorted(names):
            if not name.endswith(".md"):
                continue
            parsed = front_matter(os.path.join(dirpath, name))
            if parsed is None:
                continue
            front, body = parsed
            if front.get("draft") or front.get("retracted"):
                continue
            at = when(front.get("date"), tz)
            if at is None or at >= until:
                continue
            post = front.get("id", name[:-3])
            has_image = bool(front.get("media"))
            is_thread = "\n---\n" in body
            platforms = PLATFORMS if args.every_platform else front.get("platforms", configured)
            for platform in platforms:
                if platform == "instagram" and not has_image and not args.every_platform:
                    continue
                if front.get("platform", {}).get(platform, {}).get("skip"):
                    continue
                rng = random.Random(args.seed * 1_000_003 + zlib.crc32(f"{post}:{platform}".encode()))
                final = figures(platform, front, has_image, is_thread, rng, 1.0)
                remote = remote_id(platform, rng)
                for offset, share in GROWTH:
                    taken = (at + offset + datetime.timedelta(minutes=rng.randrange(0, 20))).astimezone(datetime.timezone.utc)
                    followers = FOLLOWERS[platform] + int((taken - datetime.datetime(2026, 10, 1, tzinfo=datetime.timezone.utc)).days * FOLLOWERS[platform] * 0.0004)
                    line = {"at": taken.strftime("%Y-%m-%dT%H:%M:%SZ"), "post": post, "platform": platform, "remote": remote}
                    for k, v in final.items():
                        line[k] = None if v is None else int(round(v * share))
                    line["followers"] = followers
                    lines.append(line)
    lines.sort(key=lambda l: (l["at"], l["post"], l["platform"]))
    by_month = {}
    for l in lines:
        by_month.setdefault(l["at"][:7], []).append(l)
    out = os.path.join(args.root, "metrics")
    os.makedirs(out, exist_ok=True)
    for month, ls in sorted(by_month.items()):
        with open(os.path.join(out, f"{month}.jsonl"), "w", encoding="utf-8") as f:
            for l in ls:
                f.write(json.dumps(l, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"gen_metrics: {len(lines)} snapshots in {len(by_month)} files under {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
