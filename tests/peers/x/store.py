"""In-memory state of the X fake: clock, ids, accounts, credentials, posts, media, rate limits."""

import base64
import copy
import datetime
import hashlib
import json
import secrets
import threading
import time

TWITTER_EPOCH_MS = 1288834974657
WINDOW_SECS = 15 * 60

# Per-user and per-app limits per 15 minutes, from https://docs.x.com/x-api/fundamentals/rate-limits
# (endpoint key -> (per user, per app)); None where the endpoint has no such limit.
RATE_LIMITS = {
    "POST /2/tweets": (100, None),
    "DELETE /2/tweets/:id": (50, None),
    "GET /2/tweets/:id": (900, 450),
    "GET /2/tweets": (5000, 3500),
    "GET /2/tweets/search/recent": (300, 450),
    "GET /2/users/:id/tweets": (900, 10000),
    "GET /2/users/:id/mentions": (300, 450),
    "GET /2/tweets/:id/quote_tweets": (75, 75),
    "GET /2/users/me": (75, None),
    "PUT /2/tweets/:tweet_id/hidden": (50, None),
    "POST /2/media/upload": (500, None),
    "GET /2/media/upload": (1000, None),
    "POST /2/media/upload/initialize": (1875, None),
    "POST /2/media/upload/:id/append": (1875, None),
    "POST /2/media/upload/:id/finalize": (1875, None),
    "POST /2/media/metadata": (500, None),
    "POST /2/oauth2/token": (None, None),
}

ALL_USER_SCOPES = [
    "tweet.read",
    "tweet.write",
    "tweet.moderate.write",
    "users.read",
    "offline.access",
    "media.write",
    "like.read",
    "like.write",
]

DEFAULT_SETTINGS = {
    # Identical text from the same account within this many seconds is refused as duplicate
    # content. X does not document the window; the fake's default is 24 hours.
    "duplicate_window_secs": 86400,
    # OAuth 1.0a timestamps further than this from the wall clock are refused. X does not
    # document the bound; 0 turns the check off.
    "oauth1_timestamp_window_secs": 900,
    # Refuse an OAuth 1.0a nonce already seen with the same token and timestamp.
    "oauth1_reject_nonce_reuse": True,
    # Extra base URLs a signature may have been made for (besides the URL of the request as
    # received), e.g. "https://api.x.com" when a client signs for the production host.
    "oauth1_extra_base_urls": ["https://api.x.com", "https://api.twitter.com"],
    # Problem `type` URIs are this prefix plus the problem name.
    "problem_type_base": "https://api.x.com/2/problems/",
    # Seconds (of the fake clock) a video or animated GIF spends in processing after FINALIZE.
    "media_processing_secs": 3,
    # Seconds an upload session (INITIALIZE) stays valid; the documented example shows 1295999.
    "media_upload_expires_secs": 1295999,
    # Whether the account may edit posts (edit_options); X needs a paid subscription for it.
    "edit_allowed": True,
    # Lifetime of OAuth 2.0 access tokens made by the refresh grant.
    "oauth2_access_token_secs": 7200,
    # Window of recent search, in days.
    "recent_search_days": 7,
}


def iso(ts):
    dt = datetime.datetime.fromtimestamp(ts, tz=datetime.timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def parse_time(value):
    """An RFC 3339 date-time (YYYY-MM-DDTHH:mm:ssZ, fraction and offset allowed) -> epoch secs."""
    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        dt = datetime.datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        return None
    return dt.timestamp()


def _token_like(prefix_len=64, kind="at"):
    raw = base64.urlsafe_b64encode(secrets.token_bytes(prefix_len)).decode().rstrip("=")
    raw = raw.replace("-", "x").replace("_", "y")[:prefix_len]
    ms = int(time.time() * 1000)
    return base64.b64encode(f"{raw}:{ms}:1:0:{kind}:1".encode()).decode().rstrip("=")


DEFAULT_SEED = {
    "accounts": [
        {
            "id": "1790000000000000001",
            "username": "testkommunen",
            "name": "Testkommunen",
            "role": "main",
            "description": "Kommunens officiella konto (testmiljö).",
            "created_at": "2020-03-01T08:00:00.000Z",
            "verified": False,
            "protected": False,
        },
        {
            "id": "1790000000000000002",
            "username": "anna_medborgare",
            "name": "Anna Medborgare",
            "role": "citizen",
            "description": "",
            "created_at": "2021-05-05T10:00:00.000Z",
            "verified": False,
            "protected": False,
        },
    ],
    "apps": [
        {
            "consumer_key": "fakeXconsumerKeyBudkavle1",
            "consumer_secret": "fakeXconsumerSecretBudkavle0123456789abcdefghijklmn",
            "access_level": "read-write",
            "client_id": "ZmFrZVhDbGllbnRJZEJ1ZGthdmxlOjE6Y2k",
        },
        {
            "consumer_key": "fakeXreadOnlyAppKey000001",
            "consumer_secret": "fakeXreadOnlyAppSecret0123456789abcdefghijklmnopqr",
            "access_level": "read",
            "client_id": "ZmFrZVhSZWFkT25seUNsaWVudDoxOmNp",
        },
    ],
    "oauth1_tokens": [
        {
            "name": "main",
            "token": "1790000000000000001-fakeXaccessTokenMain0123456789abcd",
            "secret": "fakeXaccessTokenSecretMain0123456789abcdefghi",
            "user_id": "1790000000000000001",
            "consumer_key": "fakeXconsumerKeyBudkavle1",
        },
        {
            "name": "citizen",
            "token": "1790000000000000002-fakeXaccessTokenCitizen0123456789",
            "secret": "fakeXaccessTokenSecretCitizen0123456789abcdef",
            "user_id": "1790000000000000002",
            "consumer_key": "fakeXconsumerKeyBudkavle1",
        },
        {
            "name": "read_only_app",
            "token": "1790000000000000001-fakeXaccessTokenReadOnly012345678",
            "secret": "fakeXaccessTokenSecretReadOnly0123456789abcde",
            "user_id": "1790000000000000001",
            "consumer_key": "fakeXreadOnlyAppKey000001",
        },
    ],
    "bearer_tokens": [
        {
            "name": "user",
            "token": "ZmFrZVhVc2VyVG9rZW5NYWluMDEyMzQ1Njc4OWFiY2RlZmdoaWprbG1ub3A6MTc1MDAwMDAwMDAwMDoxOjA6YXQ6MQ",
            "user_id": "1790000000000000001",
            "scopes": ALL_USER_SCOPES,
            "expires_in": 86400 * 365,
            "refresh_token": "ZmFrZVhSZWZyZXNoVG9rZW5NYWluMDEyMzQ1Njc4OWFiY2RlZjoxNzUwMDAwMDAwMDAwOjE6MTpydDox",
            "client_id": "ZmFrZVhDbGllbnRJZEJ1ZGthdmxlOjE6Y2k",
        },
        {
            "name": "read_only",
            "token": "ZmFrZVhVc2VyVG9rZW5SZWFkT25seTAxMjM0NTY3ODlhYmNkZWZnaGlqazoxNzUwMDAwMDAwMDAwOjE6MDphdDox",
            "user_id": "1790000000000000001",
            "scopes": ["tweet.read", "users.read"],
            "expires_in": 86400 * 365,
        },
        {
            "name": "expired",
            "token": "ZmFrZVhVc2VyVG9rZW5FeHBpcmVkMDEyMzQ1Njc4OWFiY2RlZmdoaWprbDoxNzUwMDAwMDAwMDAwOjE6MDphdDox",
            "user_id": "1790000000000000001",
            "scopes": ALL_USER_SCOPES,
            "expires_in": -60,
        },
        {
            "name": "citizen",
            "token": "ZmFrZVhVc2VyVG9rZW5DaXRpemVuMDEyMzQ1Njc4OWFiY2RlZmdoaWprbDoxNzUwMDAwMDAwMDAwOjE6MDphdDox",
            "user_id": "1790000000000000002",
            "scopes": ALL_USER_SCOPES,
            "expires_in": 86400 * 365,
        },
        {
            "name": "app_only",
            "token": "AAAAAAAAAAAAAAAAAAAAAFakeXAppOnlyBearerTokenForTests0123456789abcdefghijklmnopqrstuvwxyz",
            "user_id": None,
            "scopes": [],
            "expires_in": None,
        },
    ],
    "settings": {},
    "posts": [],
}


class Store:
    def __init__(self, seed=None):
        self.lock = threading.RLock()
        self.clock_offset = 0.0
        self._seq = 0
        self._last_ms = 0
        self._tco = 0
        self.request_log = []
        seed = merge_seed(DEFAULT_SEED, seed or {})
        self.settings = dict(DEFAULT_SETTINGS)
        self.settings.update(seed.get("settings") or {})
        self.accounts = {}
        self.usernames = {}
        for acc in seed["accounts"]:
            self.add_account(acc)
        self.main_id = next(
            (a["id"] for a in seed["accounts"] if a.get("role") == "main"), seed["accounts"][0]["id"]
        )
        self.citizen_id = next(
            (a["id"] for a in seed["accounts"] if a.get("role") == "citizen"), None
        )
        self.apps = {a["consumer_key"]: dict(a) for a in seed["apps"]}
        self.oauth1_tokens = {}
        for t in seed["oauth1_tokens"]:
            self.oauth1_tokens[t["token"]] = dict(t)
        self.bearer_tokens = {}
        self.refresh_tokens = {}
        for t in seed["bearer_tokens"]:
            self.add_bearer_token(t)
        self.nonces = set()
        self.tweets = {}
        self.media = {}
        self.buckets = {}
        self.quota_defaults = {}
        self.daily = {
            "app": {"limit": 10000, "used": 0, "start": None, "override": None},
            "user": {},
        }
        self.user_daily_limit = 2400
        self.usage_cap = {"limit": 1000000, "remaining": 1000000, "period": "Monthly", "scope": "Product"}
        self.pagination = {}
        for post in seed.get("posts") or []:
            self.seed_post(post)

    # ---------------------------------------------------------------- clock and ids
    def now(self):
        return time.time() + self.clock_offset

    def advance(self, seconds):
        with self.lock:
            self.clock_offset += float(seconds)
            return self.now()

    def snowflake(self, at=None):
        with self.lock:
            ms = int((self.now() if at is None else at) * 1000)
            if at is None:
                if ms <= self._last_ms:
                    ms = self._last_ms
                    self._seq += 1
                else:
                    self._seq = 0
                self._last_ms = ms
                seq = self._seq
            else:
                self._seq += 1
                seq = self._seq
            return str(((ms - TWITTER_EPOCH_MS) << 22) | (1 << 17) | (1 << 12) | (seq & 0xFFF))

    def tco(self, url):
        with self.lock:
            self._tco += 1
            digest = hashlib.sha1(f"{url}:{self._tco}".encode()).hexdigest()
            alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
            n = int(digest, 16)
            code = ""
            for _ in range(10):
                n, r = divmod(n, len(alphabet))
                code += alphabet[r]
            return "https://t.co/" + code

    def problem_type(self, name):
        return self.settings["problem_type_base"] + name

    # ---------------------------------------------------------------- accounts and tokens
    def add_account(self, acc):
        acc = dict(acc)
        acc.setdefault("name", acc["username"])
        acc.setdefault("description", "")
        acc.setdefault("created_at", iso(self.now()))
        acc.setdefault("verified", False)
        acc.setdefault("protected", False)
        acc.setdefault("followers_count", 0)
        acc.setdefault("following_count", 0)
        self.accounts[acc["id"]] = acc
        self.usernames[acc["username"].lower()] = acc["id"]
        return acc

    def add_bearer_token(self, t):
        t = dict(t)
        if not t.get("token"):
            t["token"] = _token_like()
        scopes = t.get("scopes")
        if isinstance(scopes, str):
            scopes = scopes.split()
        t["scopes"] = list(scopes or [])
        if "expires_at" not in t or t["expires_at"] is None:
            exp = t.get("expires_in", 7200)
            t["expires_at"] = None if exp is None else self.now() + float(exp)
        t["kind"] = "app" if t.get("user_id") is None else "user"
        self.bearer_tokens[t["token"]] = t
        if t.get("refresh_token"):
            self.refresh_tokens[t["refresh_token"]] = {
                "user_id": t["user_id"],
                "scopes": t["scopes"],
                "client_id": t.get("client_id"),
            }
        return t

    def named_bearer(self, name):
        for t in self.bearer_tokens.values():
            if t.get("name") == name:
                return t
        return None

    def named_oauth1(self, name):
        for t in self.oauth1_tokens.values():
            if t.get("name") == name:
                return t
        return None

    # ---------------------------------------------------------------- rate limits
    def _bucket(self, endpoint, principal, is_app):
        key = (endpoint, principal)
        now = self.now()
        b = self.buckets.get(key)
        per_user, per_app = RATE_LIMITS.get(endpoint, (900, 900))
        default_limit = (per_app if is_app else per_user) or per_user or per_app or 900
        if b is None or now >= b["reset"]:
            b = {"limit": default_limit, "remaining": default_limit, "reset": int(now) + WINDOW_SECS}
            override = self.quota_defaults.get(endpoint)
            if override and override["until"] > now:
                # A quota set for every principal (/_fake/quota with "principal": "*") also
                # holds for principals that make their first request after it was set.
                b["limit"] = override.get("limit") or b["limit"]
                rem = override.get("remaining")
                b["remaining"] = b["limit"] if rem is None else min(int(rem), b["limit"])
                b["reset"] = int(override["until"])
            self.buckets[key] = b
        return b

    def take(self, endpoint, principal, is_app, consume=True):
        """Take one request from the 15-minute window; returns (allowed, headers)."""
        with self.lock:
            b = self._bucket(endpoint, principal, is_app)
            allowed = b["remaining"] > 0
            if allowed and consume:
                b["remaining"] -= 1
            return allowed, {
                "x-rate-limit-limit": str(b["limit"]),
                "x-rate-limit-remaining": str(max(b["remaining"], 0)),
                "x-rate-limit-reset": str(int(b["reset"])),
            }

    def set_quota(self, endpoint, principal, is_app=False, limit=None, remaining=None, reset_in=None):
        with self.lock:
            b = self._bucket(endpoint, principal, is_app)
            if limit is not None:
                b["limit"] = int(limit)
            if remaining is not None:
                b["remaining"] = int(remaining)
            if reset_in is not None:
                b["reset"] = int(self.now() + float(reset_in))
            return dict(b)

    def _daily(self, slot):
        now = self.now()
        if slot["start"] is None or now >= slot["start"] + 86400:
            slot["start"] = now
            slot["used"] = 0
        return slot

    def daily_slots(self, user_id):
        with self.lock:
            app = self._daily(self.daily["app"])
            user = self.daily["user"].setdefault(
                user_id, {"limit": self.user_daily_limit, "used": 0, "start": None}
            )
            user = self._daily(user)
            return app, user

    def daily_headers(self, user_id):
        app, user = self.daily_slots(user_id)
        return {
            "x-app-limit-24hour-limit": str(app["limit"]),
            "x-app-limit-24hour-remaining": str(max(app["limit"] - app["used"], 0)),
            "x-app-limit-24hour-reset": str(int(app["start"] + 86400)),
            "x-user-limit-24hour-limit": str(user["limit"]),
            "x-user-limit-24hour-remaining": str(max(user["limit"] - user["used"], 0)),
            "x-user-limit-24hour-reset": str(int(user["start"] + 86400)),
        }

    # ---------------------------------------------------------------- posts
    def seed_post(self, post):
        author = post.get("author", "main")
        author_id = {"main": self.main_id, "citizen": self.citizen_id}.get(author, author)
        at = self.now() - float(post.get("age_secs", 0))
        tid = self.snowflake(at)
        self.insert_tweet(tid, author_id, post["text"], at, reply_to=post.get("in_reply_to_tweet_id"))
        return tid

    def insert_tweet(self, tid, author_id, raw_text, at, reply_to=None, media_ids=None,
                     quote_tweet_id=None, reply_settings=None, poll=None, source="api"):
        from textcount import stored_text

        parent = self.tweets.get(reply_to) if reply_to else None
        text_in = raw_text
        display_start = 0
        if parent and parent["author_id"] != author_id:
            # X puts the @mention of the author replied to in front of the reply's text and
            # excludes it from the display range.
            mention = "@" + self.accounts[parent["author_id"]]["username"] + " "
            if not raw_text.lower().startswith(mention.lower()):
                text_in = mention + raw_text
                display_start = len(mention)
        text, urls = stored_text(text_in, self.tco)
        tweet = {
            "id": tid,
            "author_id": author_id,
            "raw_text": raw_text,
            "text": text,
            "url_entities": urls,
            "display_text_range": [display_start, len(text)],
            "created_at": at,
            "conversation_id": parent["conversation_id"] if parent else tid,
            "in_reply_to_tweet_id": reply_to if parent else None,
            "in_reply_to_user_id": parent["author_id"] if parent else None,
            "quote_tweet_id": quote_tweet_id,
            "media_ids": list(media_ids or []),
            "poll": poll,
            "reply_settings": reply_settings or "everyone",
            "deleted": False,
            "deleted_at": None,
            "hidden": False,
            "edit_chain": [tid],
            "superseded_by": None,
            "metrics": {
                "retweet_count": 0,
                "reply_count": 0,
                "like_count": 0,
                "quote_count": 0,
                "bookmark_count": 0,
                "impression_count": 0,
                "url_link_clicks": 0,
                "user_profile_clicks": 0,
            },
            "history": [{"at": iso(at), "event": "created", "source": source}],
        }
        self.tweets[tid] = tweet
        if parent:
            parent["metrics"]["reply_count"] += 1
        if quote_tweet_id and quote_tweet_id in self.tweets:
            self.tweets[quote_tweet_id]["metrics"]["quote_count"] += 1
        return tweet

    def latest_version(self, tweet):
        while tweet.get("superseded_by"):
            tweet = self.tweets[tweet["superseded_by"]]
        return tweet

    def visible_tweets(self):
        """Live posts in their latest version, newest first."""
        out = [
            t for t in self.tweets.values() if not t["deleted"] and not t.get("superseded_by")
        ]
        out.sort(key=lambda t: int(t["id"]), reverse=True)
        return out

    # ---------------------------------------------------------------- pagination tokens
    def page_token(self, scope, offset):
        tok = base64.b32encode(secrets.token_bytes(15)).decode().lower()
        self.pagination[tok] = (scope, offset)
        return tok

    # ---------------------------------------------------------------- control API views
    def snapshot(self):
        with self.lock:
            tweets = []
            for t in sorted(self.tweets.values(), key=lambda t: int(t["id"])):
                d = copy.deepcopy(t)
                d["created_at"] = iso(t["created_at"])
                if d["deleted_at"]:
                    d["deleted_at"] = iso(d["deleted_at"])
                tweets.append(d)
            media = []
            for m in sorted(self.media.values(), key=lambda m: int(m["id"])):
                d = {k: v for k, v in m.items() if k != "segments"}
                d["segments"] = {str(k): len(v) for k, v in sorted(m["segments"].items())}
                d["received_bytes"] = sum(len(v) for v in m["segments"].values())
                d["sha256"] = hashlib.sha256(
                    b"".join(v for _, v in sorted(m["segments"].items()))
                ).hexdigest()
                for k in ("created_at", "finalized_at", "expires_at"):
                    if d.get(k):
                        d[k] = iso(d[k])
                d["processing_state"] = media_state(self, m)
                media.append(d)
            return {
                "now": iso(self.now()),
                "now_epoch": self.now(),
                "clock_offset_secs": self.clock_offset,
                "accounts": list(self.accounts.values()),
                "posts": tweets,
                "media": media,
                "comments": [
                    t for t in tweets if t["in_reply_to_tweet_id"] is not None
                ],
                "tokens": {
                    "bearer": [
                        {
                            "name": t.get("name"),
                            "kind": t["kind"],
                            "user_id": t.get("user_id"),
                            "scopes": t["scopes"],
                            "expires_at": iso(t["expires_at"]) if t["expires_at"] else None,
                        }
                        for t in self.bearer_tokens.values()
                    ],
                    "oauth1": [
                        {"name": t.get("name"), "user_id": t["user_id"],
                         "consumer_key": t["consumer_key"]}
                        for t in self.oauth1_tokens.values()
                    ],
                },
                "quota": self.quota_view(),
                "settings": self.settings,
                "requests": list(self.request_log),
            }

    def quota_view(self):
        with self.lock:
            return {
                "rate_limits": [
                    {"endpoint": e, "principal": p, **b} for (e, p), b in sorted(self.buckets.items())
                ],
                "app_24h": {
                    "limit": self.daily["app"]["limit"],
                    "used": self.daily["app"]["used"],
                },
                "user_24h": {
                    u: {"limit": s["limit"], "used": s["used"]} for u, s in self.daily["user"].items()
                },
                "usage_cap": dict(self.usage_cap),
            }


def media_state(store, m):
    """Processing state of a media item at the current fake time."""
    if m["status"] != "finalized":
        return None
    if not m.get("needs_processing"):
        return "succeeded"
    if m.get("force_state"):
        return m["force_state"]
    elapsed = store.now() - m["finalized_at"]
    total = float(store.settings["media_processing_secs"])
    if elapsed >= total:
        return "succeeded"
    if elapsed >= total / 3:
        return "in_progress"
    return "pending"


def merge_seed(default, seed):
    """Seed lists replace the defaults for accounts/apps when given; tokens are added."""
    out = copy.deepcopy(default)
    if seed.get("replace_defaults"):
        out = {"accounts": [], "apps": [], "oauth1_tokens": [], "bearer_tokens": [], "settings": {},
               "posts": []}
    for key in ("accounts", "apps", "oauth1_tokens", "bearer_tokens", "posts"):
        extra = seed.get(key) or []
        if key == "accounts":
            ids = {a["id"] for a in extra}
            out[key] = [a for a in out[key] if a["id"] not in ids] + list(extra)
        else:
            out[key] = list(out[key]) + list(extra)
    out["settings"] = dict(out.get("settings") or {})
    out["settings"].update(seed.get("settings") or {})
    return out


def load_seed(path):
    if not path:
        return {}
    with open(path, encoding="utf-8") as f:
        return json.load(f)
