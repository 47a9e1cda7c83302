#!/usr/bin/env python3
"""A stateful fake of the X API v2 for budkavle's tests (standard library only).

    python3 tests/peers/x/server.py --port 0 [--seed seed.json]

Prints one JSON line with the URL and the seeded credentials when ready, then serves until
killed. See README.md in this folder for what is faithful and what is not.
"""

import argparse
import json
import os
import sys
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import api  # noqa: E402
import store as st  # noqa: E402


def log(msg):
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


# ====================================================================== control API (/_fake/)
def control(s, req):
    path = req.path
    if req.method == "GET" and path == "/_fake/state":
        return api.Resp(200, s.snapshot())
    if req.method != "POST":
        return api.Resp(404, {"error": "unknown control endpoint"})
    try:
        body = json.loads(req.body.decode("utf-8") or "{}") if req.body else {}
    except ValueError:
        return api.Resp(400, {"error": "body must be JSON"})
    if not isinstance(body, dict):
        return api.Resp(400, {"error": "body must be a JSON object"})
    try:
        if path == "/_fake/tokens":
            return fake_tokens(s, body)
        if path == "/_fake/quota":
            return fake_quota(s, body)
        if path == "/_fake/engage":
            return fake_engage(s, body)
        if path == "/_fake/clock":
            secs = body.get("advance", body.get("advance_secs", body.get("seconds", 0)))
            now = s.advance(float(secs))
            return api.Resp(200, {"now": st.iso(now), "now_epoch": now, "clock_offset_secs": s.clock_offset})
        if path == "/_fake/settings":
            with s.lock:
                for k, v in body.items():
                    if k not in st.DEFAULT_SETTINGS:
                        return api.Resp(400, {"error": f"unknown setting {k}"})
                    s.settings[k] = v
                return api.Resp(200, {"settings": s.settings})
        if path == "/_fake/media":
            with s.lock:
                m = s.media.get(str(body.get("id")))
                if m is None:
                    return api.Resp(404, {"error": "no such media"})
                if body.get("state") not in ("pending", "in_progress", "succeeded", "failed", None):
                    return api.Resp(400, {"error": "state must be pending, in_progress, succeeded or failed"})
                m["force_state"] = body.get("state")
                return api.Resp(200, {"id": m["id"], "state": st.media_state(s, m)})
    except (KeyError, TypeError, ValueError) as e:
        return api.Resp(400, {"error": f"bad control request: {e!r}"})
    return api.Resp(404, {"error": "unknown control endpoint"})


def _account(s, ref):
    if ref in (None, "main"):
        return s.main_id
    if ref == "citizen":
        return s.citizen_id
    if ref not in s.accounts:
        raise ValueError(f"no account {ref}")
    return ref


def fake_tokens(s, body):
    kind = body.get("kind", "oauth2_user")
    with s.lock:
        if kind == "oauth1":
            import secrets

            uid = _account(s, body.get("user_id") or body.get("account"))
            consumer = body.get("consumer_key") or next(iter(s.apps))
            if consumer not in s.apps:
                raise ValueError(f"no app {consumer}")
            tok = {
                "name": body.get("name"),
                "token": body.get("token") or f"{uid}-{secrets.token_urlsafe(24)}",
                "secret": body.get("secret") or secrets.token_urlsafe(33),
                "user_id": uid,
                "consumer_key": consumer,
            }
            s.oauth1_tokens[tok["token"]] = tok
            app = s.apps[consumer]
            return api.Resp(200, {
                "kind": "oauth1", "consumer_key": consumer, "consumer_secret": app["consumer_secret"],
                "access_token": tok["token"], "access_token_secret": tok["secret"], "user_id": uid,
            })
        if kind == "app":
            t = s.add_bearer_token({"name": body.get("name"), "token": body.get("token"), "user_id": None,
                                    "scopes": [], "expires_in": body.get("expires_in")})
        elif kind == "oauth2_user":
            uid = _account(s, body.get("user_id") or body.get("account"))
            rt = None
            scopes = body.get("scopes", st.ALL_USER_SCOPES)
            if isinstance(scopes, str):
                scopes = scopes.split()
            if "offline.access" in scopes:
                rt = st._token_like(kind="rt")
            t = s.add_bearer_token({
                "name": body.get("name"), "token": body.get("token"), "user_id": uid, "scopes": scopes,
                "expires_in": body.get("expires_in", 7200), "expires_at": body.get("expires_at"),
                "refresh_token": rt,
            })
        else:
            raise ValueError("kind must be oauth2_user, app or oauth1")
        return api.Resp(200, {
            "kind": kind, "token": t["token"], "user_id": t.get("user_id"), "scopes": t["scopes"],
            "expires_at": t["expires_at"], "refresh_token": t.get("refresh_token"),
        })


def fake_quota(s, body):
    with s.lock:
        out = {}
        if "endpoint" in body:
            endpoint = body["endpoint"]
            if endpoint not in st.RATE_LIMITS:
                raise ValueError(f"unknown endpoint {endpoint}; one of {sorted(st.RATE_LIMITS)}")
            principal = body.get("principal")
            if principal is None:
                principal = "user:" + _account(s, body.get("user_id") or body.get("account"))
            if principal == "*":
                until = s.now() + float(body.get("reset_in", st.WINDOW_SECS))
                s.quota_defaults[endpoint] = {
                    "limit": body.get("limit"), "remaining": body.get("remaining"), "until": until,
                }
                for (e, pr) in list(s.buckets):
                    if e == endpoint:
                        s.set_quota(e, pr, limit=body.get("limit"), remaining=body.get("remaining"),
                                    reset_in=body.get("reset_in"))
            else:
                out["bucket"] = s.set_quota(
                    endpoint, principal, principal.startswith("app:"), body.get("limit"),
                    body.get("remaining"), body.get("reset_in"),
                )
        for slot_name in ("app_24h", "user_24h"):
            if slot_name in body:
                cfg = body[slot_name]
                uid = _account(s, cfg.get("user_id") or cfg.get("account"))
                app, user = s.daily_slots(uid)
                slot = app if slot_name == "app_24h" else user
                if "limit" in cfg:
                    slot["limit"] = int(cfg["limit"])
                if "remaining" in cfg:
                    slot["used"] = max(0, slot["limit"] - int(cfg["remaining"]))
                if "reset_in" in cfg:
                    slot["start"] = s.now() + float(cfg["reset_in"]) - 86400
        if "usage_cap" in body:
            cfg = body["usage_cap"]
            for k in ("limit", "remaining"):
                if k in cfg:
                    s.usage_cap[k] = int(cfg[k])
            if "period" in cfg:
                s.usage_cap["period"] = cfg["period"]
        out["quota"] = s.quota_view()
        return api.Resp(200, out)


METRIC_ACTIONS = {
    "like": ("like_count", 1), "unlike": ("like_count", -1),
    "retweet": ("retweet_count", 1), "repost": ("retweet_count", 1),
    "unretweet": ("retweet_count", -1), "bookmark": ("bookmark_count", 1),
    "impression": ("impression_count", 1), "impressions": ("impression_count", 1),
    "url_click": ("url_link_clicks", 1), "profile_click": ("user_profile_clicks", 1),
}


def fake_engage(s, body):
    tid = str(body.get("post_id") or body.get("tweet_id") or "")
    action = body.get("action")
    count = int(body.get("count", 1))
    with s.lock:
        if action == "mention":
            # A post of the citizen's own naming the account, outside any of its threads.
            uid = _account(s, body.get("user_id") or body.get("account") or "citizen")
            text = body.get("text") or f"@{s.accounts[s.main_id]['username']} Hej!"
            created = []
            for _ in range(count):
                nid = s.snowflake()
                s.insert_tweet(nid, uid, text, s.now(), source="engage")
                created.append(nid)
            return api.Resp(200, {"created": created})
        t = s.tweets.get(tid)
        if t is None or t["deleted"]:
            return api.Resp(404, {"error": f"no live post {tid}"})
        t = s.latest_version(t)
        uid = _account(s, body.get("user_id") or body.get("account") or "citizen")
        created = []
        if action in METRIC_ACTIONS:
            field, sign = METRIC_ACTIONS[action]
            t["metrics"][field] = max(0, t["metrics"][field] + sign * count)
            t["history"].append({"at": st.iso(s.now()), "event": "engaged", "action": action,
                                 "count": count, "by": uid})
        elif action in ("edit", "delete"):
            # The author edits or deletes a post of their own (`post_id`), as through the API:
            # an edit is a new post whose edit_history_tweet_ids end with it.
            if t["author_id"] != uid:
                return api.Resp(400, {"error": f"{t['id']} is not a post of {uid}"})
            if action == "edit":
                p = api.Principal("oauth2_user", uid, st.ALL_USER_SCOPES)
                try:
                    resp = api.edit_post(s, p, {}, body.get("text") or "", None, t["id"])
                except api.ApiError as e:
                    return e.resp
                created.append(resp.body["data"]["id"])
            else:
                for cid in t["edit_chain"]:
                    c = s.tweets[cid]
                    if not c["deleted"]:
                        c["deleted"] = True
                        c["deleted_at"] = s.now()
                        c["history"].append({"at": st.iso(s.now()), "event": "deleted"})
            return api.Resp(200, {"post_id": t["id"], "created": created})
        elif action in ("reply", "comment", "quote"):
            text = body.get("text") or ("Tack för informationen!" if action != "quote" else "Bra initiativ")
            for _ in range(count):
                nid = s.snowflake()
                if action == "quote":
                    s.insert_tweet(nid, uid, text, s.now(), quote_tweet_id=t["id"], source="engage")
                else:
                    s.insert_tweet(nid, uid, text, s.now(), reply_to=t["id"], source="engage")
                created.append(nid)
            t["history"].append({"at": st.iso(s.now()), "event": "engaged", "action": action,
                                 "count": count, "by": uid, "created": created})
        else:
            return api.Resp(400, {"error": "action must be one of "
                                  + ", ".join(sorted(list(METRIC_ACTIONS) + ["reply", "comment", "quote"]))})
        return api.Resp(200, {"post_id": t["id"], "metrics": dict(t["metrics"]), "created": created})


# ====================================================================== HTTP plumbing
class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in separate writes: with Nagle on, the body waits for the
    # client's delayed ACK, 40 ms a request that no real server costs.
    disable_nagle_algorithm = True
    server_version = "tsa_x_fake"

    def version_string(self):
        return self.server_version

    def log_message(self, fmt, *args):
        log("x-fake: " + (fmt % args))

    def _read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                line = self.rfile.readline().strip()
                size = int(line.split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _handle(self):
        s = self.server.store
        body = self._read_body()
        req = api.Request(self.command, self.path, dict(self.headers.items()), body)
        try:
            if req.path.startswith("/_fake/"):
                resp = control(s, req)
            else:
                resp = api.dispatch(s, req)
        except Exception:  # a bug in the fake: say so loudly
            log(traceback.format_exc())
            resp = api.Resp(500, {"title": "Internal Server Error", "type": "about:blank", "status": 500,
                                  "detail": "x fake crashed; see its stderr"},
                            content_type="application/problem+json")
        if not req.path.startswith("/_fake/"):
            with s.lock:
                s.request_log.append({"at": st.iso(s.now()), "method": req.method, "path": req.raw_path,
                                      "status": resp.status})
                del s.request_log[:-500]
        payload = b"" if resp.body is None else json.dumps(resp.body, ensure_ascii=False).encode("utf-8")
        self.send_response(resp.status)
        if resp.body is not None:
            self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", "no-cache, no-store, max-age=0")
        for k, v in resp.headers.items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _handle


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def ready_line(s, url):
    def bearer(name):
        t = s.named_bearer(name)
        return t["token"] if t else None

    def o1(name):
        t = s.named_oauth1(name)
        if not t:
            return None
        app = s.apps[t["consumer_key"]]
        return {"consumer_key": app["consumer_key"], "consumer_secret": app["consumer_secret"],
                "access_token": t["token"], "access_token_secret": t["secret"], "user_id": t["user_id"],
                "access_level": app.get("access_level", "read-write")}

    def acc(uid):
        if uid is None:
            return None
        a = s.accounts[uid]
        return {"id": a["id"], "username": a["username"], "name": a["name"]}

    user = s.named_bearer("user")
    return {
        "url": url,
        "platform": "x",
        "api_version": "2",
        "account": acc(s.main_id),
        "citizen": acc(s.citizen_id),
        "oauth1": o1("main"),
        "oauth1_citizen": o1("citizen"),
        "oauth1_read_only_app": o1("read_only_app"),
        "bearer": {
            "user": bearer("user"),
            "user_scopes": user["scopes"] if user else None,
            "user_refresh_token": user.get("refresh_token") if user else None,
            "client_id": user.get("client_id") if user else None,
            "read_only": bearer("read_only"),
            "expired": bearer("expired"),
            "citizen": bearer("citizen"),
            "app_only": bearer("app_only"),
        },
        "control": url + "/_fake/",
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--seed", help="JSON seed file (see README, 'Seeding')")
    args = ap.parse_args(argv)
    s = st.Store(st.load_seed(args.seed))
    httpd = Server(("127.0.0.1", args.port), Handler)
    httpd.store = s
    url = f"http://127.0.0.1:{httpd.server_address[1]}"
    sys.stdout.write(json.dumps(ready_line(s, url)) + "\n")
    sys.stdout.flush()
    log(f"x-fake: listening on {url}")
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
