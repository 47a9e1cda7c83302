#!/usr/bin/env python3
"""Replays the documented X API v2 examples quoted in README.md against the fake.

    python3 tests/peers/x/replay.py

Starts server.py on a free port, replays each example (same method, path, headers, body) and
checks status and response shape, then the error cases. Exit 0 when all pass; otherwise every
failed example is named on stderr and the exit status is 1.
"""

import json
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import oauth  # noqa: E402

FAILURES = []
PASSED = []


class Check(Exception):
    pass


def expect(cond, msg):
    if not cond:
        raise Check(msg)


def example(name, url=""):
    def wrap(fn):
        fn.example_name = name
        fn.doc_url = url
        EXAMPLES.append(fn)
        return fn
    return wrap


EXAMPLES = []


class Client:
    def __init__(self, ready):
        self.ready = ready
        self.base = ready["url"]

    def call(self, method, path, body=None, headers=None, auth="user", query=None, raw=None,
             content_type=None):
        url = self.base + path
        if query:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(query, safe=",:")
        hdrs = dict(headers or {})
        data = None
        if raw is not None:
            data = raw
        elif body is not None:
            data = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        if content_type is not None:
            hdrs["Content-Type"] = content_type
        if isinstance(auth, dict):
            hdrs["Authorization"] = auth["header"]
        elif auth == "user":
            hdrs["Authorization"] = "Bearer " + self.ready["bearer"]["user"]
        elif auth and auth.startswith("bearer:"):
            hdrs["Authorization"] = "Bearer " + self.ready["bearer"][auth.split(":", 1)[1]]
        elif auth and auth.startswith("token:"):
            hdrs["Authorization"] = "Bearer " + auth.split(":", 1)[1]
        elif auth and auth.startswith("oauth1"):
            creds = self.ready[{"oauth1": "oauth1", "oauth1:citizen": "oauth1_citizen",
                                "oauth1:read_only_app": "oauth1_read_only_app"}[auth]]
            form = []
            if hdrs.get("Content-Type") == "application/x-www-form-urlencoded" and data:
                form = urllib.parse.parse_qsl(data.decode())
            hdrs["Authorization"] = oauth1_header(method, url, creds, form)
        req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                status, rh, payload = r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
        except urllib.error.HTTPError as e:
            status, rh, payload = e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()
        try:
            js = json.loads(payload) if payload else None
        except ValueError:
            js = payload
        return status, rh, js

    def control(self, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + "/_fake/" + path, data=data,
                                     method="POST" if body is not None else "GET",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())


def oauth1_header(method, url, creds, form=(), nonce=None, timestamp=None, consumer_secret=None):
    parts = urllib.parse.urlsplit(url)
    base = f"{parts.scheme}://{parts.netloc}{parts.path}"
    params = {
        "oauth_consumer_key": creds["consumer_key"],
        "oauth_nonce": nonce or secrets.token_hex(16),
        "oauth_signature_method": "HMAC-SHA1",
        "oauth_timestamp": timestamp or str(int(time.time())),
        "oauth_token": creds["access_token"],
        "oauth_version": "1.0",
    }
    signed = list(params.items()) + urllib.parse.parse_qsl(parts.query, keep_blank_values=True) + list(form)
    params["oauth_signature"] = oauth.sign(
        method, base, signed, consumer_secret or creds["consumer_secret"], creds["access_token_secret"]
    )
    return oauth.authorization_header(params)


def is_id(v):
    return isinstance(v, str) and v.isdigit() and 1 <= len(v) <= 19


def rate_headers_ok(h, where):
    for k in ("x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset"):
        expect(k in h and h[k].isdigit(), f"{where}: header {k} missing or not a number: {h.get(k)!r}")


def problem(js, status, title, detail=None, type_="about:blank"):
    expect(isinstance(js, dict), f"expected a problem object, got {js!r}")
    expect(js.get("title") == title, f"title {js.get('title')!r} != {title!r}")
    expect(js.get("type") == type_ or (type_ != "about:blank" and str(js.get("type", "")).endswith(type_)),
           f"type {js.get('type')!r} != {type_!r}")
    expect(js.get("status") == status, f"status field {js.get('status')!r} != {status}")
    if detail is not None:
        expect(js.get("detail") == detail, f"detail {js.get('detail')!r} != {detail!r}")


def invalid(js, message_prefix):
    expect(isinstance(js, dict), f"expected an invalid-request problem, got {js!r}")
    expect(js.get("title") == "Invalid Request", f"title {js.get('title')!r}")
    expect(str(js.get("type", "")).endswith("/2/problems/invalid-request"), f"type {js.get('type')!r}")
    expect(js.get("detail") == "One or more parameters to your request was invalid.", f"detail {js.get('detail')!r}")
    msgs = [e.get("message", "") for e in js.get("errors", [])]
    expect(any(m.startswith(message_prefix) for m in msgs), f"no error message starts with {message_prefix!r}: {msgs}")


def post(c, text, auth="user", **extra):
    body = {"text": text}
    body.update(extra)
    return c.call("POST", "/2/tweets", body, auth=auth)


def created(c, text, **extra):
    st, h, js = post(c, text, **extra)
    expect(st == 201, f"creating {text!r}: status {st} {js}")
    return js["data"]["id"]


def upload_image(c, data=b"\x89PNG\r\n\x1a\n" + b"0" * 100, auth="user"):
    st, h, js = c.call("POST", "/2/media/upload/initialize",
                       {"media_type": "image/png", "total_bytes": len(data), "media_category": "tweet_image"}, auth=auth)
    expect(st == 200, f"initialize: {st} {js}")
    mid = js["data"]["id"]
    st, h, js = multipart_append(c, mid, 0, data, auth=auth)
    expect(st == 200, f"append: {st} {js}")
    st, h, js = c.call("POST", f"/2/media/upload/{mid}/finalize", auth=auth)
    expect(st == 200, f"finalize: {st} {js}")
    return mid


def multipart(fields):
    boundary = "----xfakereplay" + secrets.token_hex(8)
    out = b""
    for name, (filename, value) in fields.items():
        out += f"--{boundary}\r\n".encode()
        if filename:
            out += f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'.encode()
            out += b"Content-Type: application/octet-stream\r\n\r\n"
        else:
            out += f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        out += (value if isinstance(value, bytes) else str(value).encode()) + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return out, f"multipart/form-data; boundary={boundary}"


def multipart_append(c, mid, segment, chunk, auth="user"):
    body, ctype = multipart({"media": ("chunk", chunk), "segment_index": (None, str(segment))})
    return c.call("POST", f"/2/media/upload/{mid}/append", raw=body, content_type=ctype, auth=auth)


# ============================================================================ OAuth 1.0a vector
@example("OAuth 1.0a: the worked example of 'Creating a signature'",
         "https://docs.x.com/fundamentals/authentication/oauth-1-0a/creating-a-signature")
def ex_signature_vector(c):
    ex = oauth.DOC_EXAMPLE
    params = list(ex["query"]) + list(ex["body"]) + list(ex["oauth"].items())
    base = oauth.signature_base_string("POST", "https://api.x.com/1.1/statuses/update.json", params)
    expect(base == ex["expected_base_string_x"], f"signature base string differs:\n{base}")
    expect(oauth.signing_key(ex["consumer_secret"], ex["token_secret"])
           == "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw&LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
           "signing key differs")
    for url, (got, want) in oauth.doc_example_signatures().items():
        expect(got == want, f"signature for {url}: {got} != {want}")
    expect(oauth.doc_example_signatures()["https://api.twitter.com/1.1/statuses/update.json"][0]
           == "hCtSmYh+iHYCEqBWrE7C7hYmtUk=", "the api.twitter.com vector must be hCtSmYh+iHYCEqBWrE7C7hYmtUk=")
    expect(oauth.percent_encode("Ladies + Gentlemen") == "Ladies%20%2B%20Gentlemen", "percent encoding")
    expect(oauth.percent_encode("Dogs, Cats & Mice") == "Dogs%2C%20Cats%20%26%20Mice", "percent encoding")
    expect(oauth.percent_encode("☃") == "%E2%98%83", "percent encoding of a snowman")


@example("OAuth 1.0a: a request signed as documented is accepted by the fake",
         "https://docs.x.com/fundamentals/authentication/oauth-1-0a/authorizing-a-request")
def ex_oauth1_accepted(c):
    st, h, js = c.call("GET", "/2/users/me", auth="oauth1", query={"user.fields": "created_at"})
    expect(st == 200, f"status {st} {js}")
    expect(js["data"]["id"] == c.ready["account"]["id"], "users/me answered for another account")
    expect(h.get("x-access-level") == "read-write", f"x-access-level {h.get('x-access-level')!r}")
    st, h, js = post(c, "Signed with OAuth 1.0a " + secrets.token_hex(3), auth="oauth1")
    expect(st == 201, f"POST /2/tweets with OAuth 1.0a: {st} {js}")


# ============================================================================ Manage Posts
@example("Create a Post", "https://docs.x.com/x-api/posts/manage-tweets/quickstart")
def ex_create(c):
    st, h, js = c.call("POST", "/2/tweets", {"text": "Hello from the X API!"})
    expect(st == 201, f"status {st} {js}")
    d = js["data"]
    expect(is_id(d["id"]), f"id {d['id']!r}")
    expect(d["text"] == "Hello from the X API!", f"text {d['text']!r}")
    expect(d["edit_history_tweet_ids"] == [d["id"]], f"edit_history_tweet_ids {d['edit_history_tweet_ids']}")
    rate_headers_ok(h, "POST /2/tweets")
    for k in ("x-app-limit-24hour-limit", "x-app-limit-24hour-remaining", "x-app-limit-24hour-reset",
              "x-user-limit-24hour-remaining"):
        expect(k in h, f"{k} missing")
    c.hello_id = d["id"]


@example("Reply to a Post", "https://docs.x.com/x-api/posts/manage-tweets/quickstart")
def ex_reply(c):
    st, h, js = c.call("POST", "/2/tweets", {"text": "This is a reply!", "reply": {"in_reply_to_tweet_id": c.hello_id}})
    expect(st == 201, f"status {st} {js}")
    expect(js["data"]["text"] == "This is a reply!", "a reply to one's own post keeps its text")
    st, h, js = c.call("GET", f"/2/tweets/{js['data']['id']}", query={"tweet.fields": "conversation_id,referenced_tweets"})
    expect(js["data"]["conversation_id"] == c.hello_id, f"conversation_id {js['data'].get('conversation_id')}")
    expect(js["data"]["referenced_tweets"] == [{"type": "replied_to", "id": c.hello_id}], "referenced_tweets")


@example("Quote a Post", "https://docs.x.com/x-api/posts/manage-tweets/quickstart")
def ex_quote(c):
    st, h, js = c.call("POST", "/2/tweets", {"text": "Check this out!", "quote_tweet_id": c.hello_id})
    expect(st == 201, f"status {st} {js}")


@example("Post with media", "https://docs.x.com/x-api/posts/manage-tweets/quickstart")
def ex_media_post(c):
    mid = upload_image(c)
    st, h, js = c.call("POST", "/2/tweets", {"text": "Photo of the day!", "media": {"media_ids": [mid]}})
    expect(st == 201, f"status {st} {js}")
    st, h, js = c.call("GET", f"/2/tweets/{js['data']['id']}",
                       query={"tweet.fields": "attachments", "expansions": "attachments.media_keys"})
    expect(js["data"]["attachments"]["media_keys"][0].endswith("_" + mid), f"media_keys {js['data']}")
    expect(js["includes"]["media"][0]["type"] == "photo", f"includes.media {js.get('includes')}")


@example("Post with poll", "https://docs.x.com/x-api/posts/manage-tweets/quickstart")
def ex_poll(c):
    st, h, js = c.call("POST", "/2/tweets", {"text": "What is your favorite color?",
                                             "poll": {"options": ["Red", "Blue", "Green", "Yellow"], "duration_minutes": 1440}})
    expect(st == 201, f"status {st} {js}")


@example("Delete a Post", "https://docs.x.com/x-api/posts/manage-tweets/quickstart")
def ex_delete(c):
    tid = created(c, "To be deleted " + secrets.token_hex(3))
    st, h, js = c.call("DELETE", f"/2/tweets/{tid}")
    expect(st == 200 and js == {"data": {"deleted": True}}, f"{st} {js}")
    rate_headers_ok(h, "DELETE")
    st, h, js = c.call("GET", f"/2/tweets/{tid}")
    expect(st == 200 and "data" not in js, f"a deleted post is still returned: {js}")
    expect(js["errors"][0]["type"].endswith("/2/problems/resource-not-found"), f"{js}")
    expect(js["errors"][0]["detail"] == f"Could not find tweet with id: [{tid}].", f"{js}")
    state = c.control("state")
    rec = [p for p in state["posts"] if p["id"] == tid][0]
    expect(rec["deleted"] and rec["history"][-1]["event"] == "deleted", "state keeps the deleted post with its history")


@example("Create or Edit Post: the generated API reference example",
         "https://docs.x.com/x-api/posts/create-or-edit-post")
def ex_reference_example(c):
    text = "Learn how to use the user Tweet timeline and user mention timeline endpoints in the X API v2 to explore Tweet\\u2026 https:\\/\\/t.co\\/56a0vZUx7i"
    st, h, js = c.call("POST", "/2/tweets", {"text": text, "reply_settings": "following"})
    expect(st == 201, f"{st} {js}")
    expect(set(js["data"]) == {"id", "text", "edit_history_tweet_ids"}, f"data keys {sorted(js['data'])}")


# ============================================================================ Edit
@example("Edit Posts: edit_history_tweet_ids, edit_controls and the edit_history_tweet_ids expansion",
         "https://docs.x.com/x-api/fundamentals/edit-posts")
def ex_edit(c):
    first = created(c, "Original text (with typo) " + secrets.token_hex(2))
    st, h, js = c.call("POST", "/2/tweets", {"text": "Updated text (edited)", "edit_options": {"previous_post_id": first}})
    expect(st == 200, f"edit status {st} {js}")
    new = js["data"]["id"]
    expect(js["data"]["edit_history_tweet_ids"] == [first, new], f"{js}")
    st, h, js = c.call("GET", f"/2/tweets/{new}", query={"tweet.fields": "edit_controls", "expansions": "edit_history_tweet_ids"})
    d = js["data"]
    expect(d["edit_history_tweet_ids"] == [first, new], f"{d}")
    ec = d["edit_controls"]
    expect(ec["is_edit_eligible"] is True and ec["edits_remaining"] == 4 and ec["editable_until"].endswith("Z"), f"{ec}")
    expect(js["includes"]["tweets"][0]["id"] == first, f"includes {js.get('includes')}")
    st, h, js = c.call("GET", f"/2/tweets/{first}")
    expect(js["data"]["text"].startswith("Original text"), "the old version stays readable by its id")
    tl = c.call("GET", f"/2/users/{c.ready['account']['id']}/tweets", query={"max_results": "100"})[2]
    ids = [t["id"] for t in tl["data"]]
    expect(new in ids and first not in ids, "the timeline shows only the latest version")
    c.control("clock", {"advance": 1801})
    st, h, js = c.call("POST", "/2/tweets", {"text": "Too late", "edit_options": {"previous_post_id": new}})
    expect(st == 403, f"an edit after 30 minutes: {st} {js}")


# ============================================================================ Lookup and metrics
@example("Post lookup by ID", "https://docs.x.com/x-api/posts/lookup/quickstart")
def ex_lookup(c):
    st, h, js = c.call("GET", f"/2/tweets/{c.hello_id}")
    expect(st == 200, f"{st}")
    expect(set(js["data"]) == {"id", "text", "edit_history_tweet_ids"}, f"default fields {sorted(js['data'])}")
    rate_headers_ok(h, "GET /2/tweets/:id")
    st, h, js = c.call("GET", f"/2/tweets/{c.hello_id}", query={
        "tweet.fields": "created_at,author_id,public_metrics", "expansions": "author_id", "user.fields": "username,verified"})
    d = js["data"]
    expect(d["author_id"] == c.ready["account"]["id"], f"{d}")
    expect(d["created_at"].endswith(".000Z") or d["created_at"][-5] == ".", f"created_at {d['created_at']}")
    expect(set(d["public_metrics"]) == {"retweet_count", "reply_count", "like_count", "quote_count", "bookmark_count", "impression_count"},
           f"public_metrics {d['public_metrics']}")
    u = js["includes"]["users"][0]
    expect(u["id"] == d["author_id"] and u["username"] == c.ready["account"]["username"] and "verified" in u, f"{u}")


@example("Posts lookup by IDs with a partial error", "https://docs.x.com/x-api/fundamentals/response-codes-and-errors")
def ex_lookup_many(c):
    missing = "1234567891"
    st, h, js = c.call("GET", "/2/tweets", query={"ids": f"{c.hello_id},{missing}"})
    expect(st == 200, f"{st} {js}")
    expect([t["id"] for t in js["data"]] == [c.hello_id], f"{js}")
    e = js["errors"][0]
    expect(e["resource_id"] == missing and e["resource_type"] == "tweet" and e["title"] == "Not Found Error"
           and e["detail"] == f"Could not find tweet with id: [{missing}]." and e["type"].endswith("/2/problems/resource-not-found"), f"{e}")


@example("Metrics: public, non-public and organic metrics", "https://docs.x.com/x-api/fundamentals/metrics")
def ex_metrics(c):
    tid = created(c, "Metrics post https://example.com/info " + secrets.token_hex(2))
    c.control("engage", {"post_id": tid, "action": "like", "count": 3})
    c.control("engage", {"post_id": tid, "action": "impression", "count": 100})
    c.control("engage", {"post_id": tid, "action": "url_click", "count": 7})
    c.control("engage", {"post_id": tid, "action": "reply", "text": "Bra!"})
    st, h, js = c.call("GET", f"/2/tweets/{tid}", query={"tweet.fields": "public_metrics"}, auth="bearer:app_only")
    pm = js["data"]["public_metrics"]
    expect(pm == {"retweet_count": 0, "reply_count": 1, "like_count": 3, "quote_count": 0, "bookmark_count": 0,
                  "impression_count": 100}, f"public_metrics {pm}")
    st, h, js = c.call("GET", f"/2/tweets/{tid}", query={"tweet.fields": "non_public_metrics,organic_metrics"}, auth="oauth1")
    npm, om = js["data"]["non_public_metrics"], js["data"]["organic_metrics"]
    expect(set(npm) == {"impression_count", "url_link_clicks", "user_profile_clicks", "engagements"}, f"{npm}")
    expect(npm["url_link_clicks"] == 7 and npm["impression_count"] == 100, f"{npm}")
    expect(set(om) == {"impression_count", "like_count", "reply_count", "retweet_count", "url_link_clicks", "user_profile_clicks"}, f"{om}")
    expect("errors" not in js, f"unexpected errors {js.get('errors')}")
    st, h, js = c.call("GET", f"/2/tweets/{tid}", query={"tweet.fields": "non_public_metrics"}, auth="bearer:citizen")
    expect(st == 200 and "non_public_metrics" not in js["data"], f"{js}")
    e = js["errors"][0]
    expect(e["type"].endswith("/2/problems/not-authorized-for-field") and e["field"] == "non_public_metrics", f"{e}")


@example("A field name that is not in the documented list fails the request",
         "https://docs.x.com/x-api/fundamentals/fields")
def ex_bad_field(c):
    st, h, js = c.call("GET", f"/2/tweets/{c.hello_id}", query={"tweet.fields": "public_metrics,view_count"})
    expect(st == 400, f"{st} {js}")
    invalid(js, "The `tweet.fields` query parameter value [view_count] is not one of [article,attachments")


# ============================================================================ Users
@example("Authenticated user lookup (GET /2/users/me)", "https://docs.x.com/x-api/users/lookup/quickstart/authenticated-lookup")
def ex_me(c):
    st, h, js = c.call("GET", "/2/users/me", query={"user.fields": "created_at,description,public_metrics,verified"})
    expect(st == 200, f"{st} {js}")
    d = js["data"]
    for k in ("id", "name", "username", "created_at", "description", "verified", "public_metrics"):
        expect(k in d, f"{k} missing from {d}")
    expect(set(d["public_metrics"]) >= {"followers_count", "following_count", "tweet_count", "listed_count"}, f"{d}")
    rate_headers_ok(h, "GET /2/users/me")
    expect(h["x-rate-limit-limit"] == "75", f"users/me limit {h['x-rate-limit-limit']}")


# ============================================================================ Timelines
@example("User Posts timeline with start_time, max_results and pagination_token",
         "https://docs.x.com/x-api/posts/timelines/integrate")
def ex_timeline(c):
    now = c.control("clock", {"advance": 120})["now_epoch"]
    start = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - 1))
    texts = [f"Tråd {i} {secrets.token_hex(2)}" for i in range(7)]
    ids = [created(c, t) for t in texts]
    uid = c.ready["account"]["id"]
    q = {"max_results": "5", "start_time": start, "tweet.fields": "created_at,conversation_id"}
    st, h, js = c.call("GET", f"/2/users/{uid}/tweets", query=q)
    expect(st == 200, f"{st} {js}")
    expect(len(js["data"]) == 5 and js["meta"]["result_count"] == 5 and "next_token" in js["meta"], f"{js['meta']}")
    expect(js["data"][0]["id"] == ids[-1] and js["data"][0]["text"] == texts[-1], "newest first, exact text")
    for t in js["data"]:
        expect("created_at" in t and "conversation_id" in t, f"{t}")
    q["pagination_token"] = js["meta"]["next_token"]
    st, h, js2 = c.call("GET", f"/2/users/{uid}/tweets", query=q)
    expect(st == 200 and js2["data"][-1]["id"] == ids[0] and "previous_token" in js2["meta"], f"{js2.get('meta')}")
    expect(js2["meta"]["result_count"] == 2, f"{js2['meta']}")
    st, h, js3 = c.call("GET", f"/2/users/{uid}/tweets", query={"max_results": "5", "start_time": "2999-01-01T00:00:00Z"})
    expect(st == 200 and js3 == {"meta": {"result_count": 0}}, f"empty page: {st} {js3}")
    st, h, js4 = c.call("GET", f"/2/users/{uid}/tweets", query={"max_results": "4"})
    expect(st == 400, f"max_results 4: {st}")
    invalid(js4, "The `max_results` query parameter value [4] is not between 5 and 100")


@example("User mention timeline", "https://docs.x.com/x-api/posts/timelines/quickstart/user-mention-quickstart")
def ex_mentions(c):
    tid = created(c, "Vad tycker du om den nya parken? " + secrets.token_hex(2))
    r = c.control("engage", {"post_id": tid, "action": "reply", "text": "Hey, love the new park!"})
    uid = c.ready["account"]["id"]
    st, h, js = c.call("GET", f"/2/users/{uid}/mentions", query={
        "tweet.fields": "author_id,created_at,public_metrics", "expansions": "author_id", "user.fields": "username,name,verified"})
    expect(st == 200, f"{st} {js}")
    top = js["data"][0]
    expect(top["id"] == r["created"][0] and top["author_id"] == c.ready["citizen"]["id"], f"{top}")
    expect(top["text"] == "@" + c.ready["account"]["username"] + " Hey, love the new park!", f"{top['text']!r}")
    expect(js["includes"]["users"][0]["username"] == c.ready["citizen"]["username"], f"{js['includes']}")
    expect(js["meta"]["newest_id"] == top["id"], f"{js['meta']}")
    c.mention_parent, c.mention_reply = tid, r["created"][0]


@example("Quote posts of a post", "https://docs.x.com/x-api/posts/quote-tweets/quickstart")
def ex_quote_tweets(c):
    tid = created(c, "Nu öppnar den nya parken " + secrets.token_hex(2))
    quotes = [c.control("engage", {"post_id": tid, "action": "quote", "text": f"Great thread {n}!"})["created"][0]
              for n in range(12)]
    query = {"tweet.fields": "created_at,public_metrics,author_id", "expansions": "author_id",
             "user.fields": "username,verified", "max_results": "10"}
    st, h, js = c.call("GET", f"/2/tweets/{tid}/quote_tweets", query=query)
    expect(st == 200, f"{st} {js}")
    expect([t["id"] for t in js["data"]] == list(reversed(quotes))[:10], "newest first, ten a page")
    top = js["data"][0]
    expect(top["edit_history_tweet_ids"] == [top["id"]] and top["author_id"] == c.ready["citizen"]["id"], f"{top}")
    expect(js["includes"]["users"][0]["username"] == c.ready["citizen"]["username"], f"{js['includes']}")
    expect(set(js["meta"]) == {"result_count", "next_token"} and js["meta"]["result_count"] == 10, f"{js['meta']}")
    st, h, js2 = c.call("GET", f"/2/tweets/{tid}/quote_tweets",
                        query=dict(query, pagination_token=js["meta"]["next_token"]))
    expect(st == 200 and [t["id"] for t in js2["data"]] == list(reversed(quotes))[10:], f"second page {js2}")
    expect("next_token" not in js2["meta"], f"{js2['meta']}")
    st, h, js3 = c.call("GET", f"/2/tweets/{tid}/quote_tweets", query={"max_results": "5"})
    expect(st == 400, f"max_results 5: {st}")
    # The citizen edits a post of their own that mentions the account: a new id, the history grows.
    r = c.control("engage", {"action": "mention", "text": "@" + c.ready["account"]["username"] + " hej"})
    first = r["created"][0]
    r = c.control("engage", {"post_id": first, "action": "edit", "text": "@" + c.ready["account"]["username"] + " hej igen"})
    new = r["created"][0]
    st, h, js = c.call("GET", f"/2/tweets/{new}", query={"tweet.fields": "edit_history_tweet_ids"})
    expect(st == 200 and js["data"]["edit_history_tweet_ids"] == [first, new], f"{js}")


@example("Replies of a conversation through recent search (conversation_id:)",
         "https://docs.x.com/x-api/fundamentals/conversation-id")
def ex_conversation(c):
    st, h, js = c.call("GET", "/2/tweets/search/recent", query={
        "query": f"conversation_id:{c.mention_parent}", "tweet.fields": "author_id,created_at,in_reply_to_user_id",
        "expansions": "author_id"})
    expect(st == 200, f"{st} {js}")
    expect([t["id"] for t in js["data"]] == [c.mention_reply], f"{js}")
    t = js["data"][0]
    expect(t["in_reply_to_user_id"] == c.ready["account"]["id"] and t["author_id"] == c.ready["citizen"]["id"], f"{t}")
    expect(js["meta"]["result_count"] == 1 and js["meta"]["newest_id"] == t["id"], f"{js['meta']}")
    st, h, js = c.call("GET", "/2/tweets/search/recent", query={"query": f"conversation_id:{c.mention_parent}"}, auth="bearer:app_only")
    expect(st == 200 and js["data"][0]["id"] == c.mention_reply, "search with an app-only bearer")


@example("Hide a reply and unhide it", "https://docs.x.com/x-api/posts/hide-replies/quickstart")
def ex_hide(c):
    st, h, js = c.call("PUT", f"/2/tweets/{c.mention_reply}/hidden", {"hidden": True})
    expect(st == 200 and js == {"data": {"hidden": True}}, f"{st} {js}")
    rate_headers_ok(h, "PUT hidden")
    st, h, js = c.call("PUT", f"/2/tweets/{c.mention_reply}/hidden", {"hidden": False})
    expect(st == 200 and js == {"data": {"hidden": False}}, f"{st} {js}")
    st, h, js = c.call("PUT", f"/2/tweets/{c.mention_parent}/hidden", {"hidden": True})
    expect(st == 403, f"hiding a post that is no reply: {st} {js}")


# ============================================================================ Media
@example("Chunked media upload: initialize, append, finalize, status (dedicated v2 endpoints)",
         "https://docs.x.com/x-api/media/quickstart/media-upload-chunked")
def ex_chunked(c):
    video = os.urandom(3 * 1024)
    st, h, js = c.call("POST", "/2/media/upload/initialize",
                       {"media_type": "video/mp4", "total_bytes": len(video), "media_category": "amplify_video"})
    expect(st == 200, f"initialize {st} {js}")
    d = js["data"]
    expect(is_id(d["id"]) and d["media_key"] == "13_" + d["id"] and d["expires_after_secs"] > 0, f"{d}")
    mid = d["id"]
    for i in range(3):
        st, h, js = multipart_append(c, mid, i, video[i * 1024:(i + 1) * 1024])
        expect(st == 200, f"append {i}: {st} {js}")
    st, h, js = c.call("POST", "/2/tweets", {"text": "Too early", "media": {"media_ids": [mid]}})
    expect(st == 400, f"posting unfinalized media: {st}")
    invalid(js, "Your media IDs are invalid.")
    st, h, js = c.call("POST", f"/2/media/upload/{mid}/finalize")
    expect(st == 200, f"finalize {st} {js}")
    d = js["data"]
    expect(d["size"] == len(video) and d["processing_info"]["state"] == "pending" and d["processing_info"]["check_after_secs"] == 1, f"{d}")
    st, h, js = c.call("GET", "/2/media/upload", query={"command": "STATUS", "media_id": mid})
    expect(st == 200 and js["data"]["processing_info"]["state"] in ("pending", "in_progress"), f"{js}")
    c.control("clock", {"advance": 10})
    st, h, js = c.call("GET", "/2/media/upload", query={"command": "STATUS", "media_id": mid})
    expect(js["data"]["processing_info"]["state"] == "succeeded", f"{js}")
    st, h, js = c.call("POST", "/2/tweets", {"text": "Check out this video!", "media": {"media_ids": [mid]}})
    expect(st == 201, f"post with the processed video: {st} {js}")


@example("Chunked media upload, command form on POST /2/media/upload (as the quickstart's cURL shows)",
         "https://docs.x.com/x-api/media/quickstart/media-upload-chunked")
def ex_command_form(c):
    data = os.urandom(2048)
    body, ctype = multipart({"command": (None, "INIT"), "media_type": (None, "video/mp4"),
                             "total_bytes": (None, str(len(data))), "media_category": (None, "amplify_video")})
    st, h, js = c.call("POST", "/2/media/upload", raw=body, content_type=ctype)
    expect(st == 200 and js["data"]["media_key"].startswith("13_"), f"INIT {st} {js}")
    mid = js["data"]["id"]
    body, ctype = multipart({"command": (None, "APPEND"), "media_id": (None, mid), "segment_index": (None, "0"),
                             "media": ("chunk1.mp4", data)})
    st, h, js = c.call("POST", "/2/media/upload", raw=body, content_type=ctype)
    expect(st == 200, f"APPEND {st} {js}")
    body, ctype = multipart({"command": (None, "FINALIZE"), "media_id": (None, mid)})
    st, h, js = c.call("POST", "/2/media/upload", raw=body, content_type=ctype)
    expect(st == 200 and js["data"]["size"] == len(data) and "processing_info" in js["data"], f"FINALIZE {st} {js}")


@example("Simple (one-shot) image upload", "https://docs.x.com/x-api/media/upload-media")
def ex_one_shot(c):
    body, ctype = multipart({"media": ("cat.png", b"\x89PNG" + os.urandom(64)), "media_category": (None, "tweet_image"),
                             "media_type": (None, "image/png")})
    st, h, js = c.call("POST", "/2/media/upload", raw=body, content_type=ctype)
    expect(st == 200 and js["data"]["media_key"].startswith("3_") and "processing_info" not in js["data"], f"{st} {js}")


@example("Alt text through POST /2/media/metadata", "https://docs.x.com/x-api/media/create-media-metadata")
def ex_alt_text(c):
    mid = upload_image(c)
    st, h, js = c.call("POST", "/2/media/metadata", {"id": mid, "metadata": {"alt_text": {"text": "A dancing cat"}}})
    expect(st == 200 and js == {"data": {"id": mid, "associated_metadata": {"alt_text": {"text": "A dancing cat"}}}}, f"{st} {js}")
    tid = created(c, "Med alt-text " + secrets.token_hex(2), media={"media_ids": [mid]})
    st, h, js = c.call("GET", f"/2/tweets/{tid}", query={"expansions": "attachments.media_keys", "media.fields": "alt_text"})
    expect(js["includes"]["media"][0]["alt_text"] == "A dancing cat", f"{js}")
    st, h, js = c.call("POST", "/2/media/metadata", {"id": mid, "metadata": {"alt_text": {"text": "x" * 1001}}})
    expect(st == 400, f"alt text of 1001 characters: {st}")
    st, h, js = c.call("POST", "/2/media/metadata", {"id": mid, "metadata": {"alt_text": {"text": "x" * 1000}}})
    expect(st == 200, f"alt text of 1000 characters: {st} {js}")


# ============================================================================ OAuth 2.0 refresh
@example("OAuth 2.0 refresh token grant", "https://docs.x.com/fundamentals/authentication/oauth-2-0/user-access-token")
def ex_refresh(c):
    form = urllib.parse.urlencode({"refresh_token": c.ready["bearer"]["user_refresh_token"], "grant_type": "refresh_token",
                                   "client_id": c.ready["bearer"]["client_id"]}).encode()
    st, h, js = c.call("POST", "/2/oauth2/token", raw=form, content_type="application/x-www-form-urlencoded", auth=None)
    expect(st == 200 and js["token_type"] == "bearer" and js["expires_in"] == 7200 and js["access_token"] and js["refresh_token"], f"{st} {js}")
    expect("offline.access" in js["scope"].split(), f"scope {js['scope']}")
    st, h, me = c.call("GET", "/2/users/me", auth="token:" + js["access_token"])
    expect(st == 200, f"the refreshed token is accepted: {st}")
    st, h, js2 = c.call("POST", "/2/oauth2/token", raw=form, content_type="application/x-www-form-urlencoded", auth=None)
    expect(st == 400 and js2 == {"error": "invalid_request", "error_description": "Value passed for the token was invalid."},
           f"a used refresh token: {st} {js2}")


# ============================================================================ error cases
@example("401 without credentials", "https://docs.x.com/x-api/fundamentals/response-codes-and-errors")
def err_no_auth(c):
    st, h, js = c.call("POST", "/2/tweets", {"text": "hej"}, auth=None)
    expect(st == 401, f"{st}")
    problem(js, 401, "Unauthorized", "Unauthorized")
    expect(h["content-type"].startswith("application/problem+json"), h["content-type"])
    rate_headers_ok(h, "401")


@example("401 with an unknown or expired bearer token", "https://docs.x.com/x-api/fundamentals/response-codes-and-errors")
def err_bad_bearer(c):
    st, h, js = c.call("GET", "/2/users/me", auth="token:notatoken")
    expect(st == 401, f"unknown token {st}")
    problem(js, 401, "Unauthorized", "Unauthorized")
    st, h, js = c.call("GET", "/2/users/me", auth="bearer:expired")
    expect(st == 401, f"expired token {st}")
    problem(js, 401, "Unauthorized", "Unauthorized")
    t = c.control("tokens", {"kind": "oauth2_user", "scopes": ["tweet.read", "users.read"], "expires_in": 60})
    st, h, js = c.call("GET", "/2/users/me", auth="token:" + t["token"])
    expect(st == 200, f"fresh token {st}")
    c.control("clock", {"advance": 61})
    st, h, js = c.call("GET", "/2/users/me", auth="token:" + t["token"])
    expect(st == 401, f"token expired by the clock: {st}")


@example("401 for a wrong OAuth 1.0a signature, a wrong secret, a stale timestamp, a reused nonce",
         "https://docs.x.com/fundamentals/authentication/oauth-1-0a/creating-a-signature")
def err_oauth1(c):
    creds = c.ready["oauth1"]
    url = c.base + "/2/users/me"
    good = oauth1_header("GET", url, creds)
    bad = good.replace('oauth_signature="', 'oauth_signature="AAAA', 1)
    st, h, js = c.call("GET", "/2/users/me", auth={"header": bad})
    expect(st == 401, f"tampered signature: {st}")
    problem(js, 401, "Unauthorized", "Unauthorized")
    st, h, js = c.call("GET", "/2/users/me", auth={"header": oauth1_header("GET", url, creds, consumer_secret="wrong")})
    expect(st == 401, f"wrong consumer secret: {st}")
    st, h, js = c.call("GET", "/2/users/me", auth={"header": oauth1_header("GET", url, creds, timestamp=str(int(time.time()) - 3600))})
    expect(st == 401, f"stale timestamp: {st}")
    hdr = oauth1_header("GET", url, creds, nonce="fixednonce" + secrets.token_hex(4))
    st1 = c.call("GET", "/2/users/me", auth={"header": hdr})[0]
    st2 = c.call("GET", "/2/users/me", auth={"header": hdr})[0]
    expect(st1 == 200 and st2 == 401, f"nonce reuse: {st1}, {st2}")
    # Query parameters are part of the signature: changing one after signing fails.
    signed = oauth1_header("GET", url + "?user.fields=created_at", creds)
    st, h, js = c.call("GET", "/2/users/me?user.fields=description", auth={"header": signed})
    expect(st == 401, f"query changed after signing: {st}")


@example("403 for a missing OAuth 2.0 scope", "https://docs.x.com/fundamentals/authentication/oauth-2-0/authorization-code")
def err_scope(c):
    st, h, js = post(c, "Read-only token tries to post", auth="bearer:read_only")
    expect(st == 403, f"{st} {js}")
    problem(js, 403, "Forbidden", "Forbidden")
    rate_headers_ok(h, "403")
    t = c.control("tokens", {"kind": "oauth2_user", "scopes": ["tweet.read", "tweet.write", "users.read"]})
    st, h, js = c.call("POST", "/2/media/upload/initialize", {"media_type": "image/png", "total_bytes": 10}, auth="token:" + t["token"])
    expect(st == 403, f"media upload without media.write: {st}")


@example("403 Unsupported Authentication for an app-only bearer on a user-context endpoint",
         "https://docs.x.com/fundamentals/authentication/guides/v2-authentication-mapping")
def err_app_only(c):
    st, h, js = post(c, "App-only tries to post", auth="bearer:app_only")
    expect(st == 403, f"{st}")
    problem(js, 403, "Unsupported Authentication", type_="/2/problems/unsupported-authentication")
    expect(js["detail"].startswith("Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint."), js["detail"])


@example("403 for an OAuth 1.0a app without write permission", "https://docs.x.com/x-api/fundamentals/response-codes-and-errors")
def err_read_only_app(c):
    st, h, js = post(c, "Read-only app tries to post", auth="oauth1:read_only_app")
    expect(st == 403, f"{st} {js}")
    problem(js, 403, "Forbidden", type_="/2/problems/oauth1-permissions")
    expect(h.get("x-access-level") == "read", f"x-access-level {h.get('x-access-level')}")


@example("400 without the Content-Type header / with a body that is no JSON object / with an unknown field",
         "https://docs.x.com/x-api/posts/create-post")
def err_body(c):
    st, h, js = c.call("POST", "/2/tweets", raw=json.dumps({"text": "no content type"}).encode())
    expect(st == 400, f"no content-type: {st}")
    invalid(js, "Requests with bodies must have content-type of application/json.")
    st, h, js = c.call("POST", "/2/tweets", raw=b"[1,2]", content_type="application/json")
    expect(st == 400, f"array body: {st}")
    st, h, js = c.call("POST", "/2/tweets", {"text": "x", "status": "v1.1 field"})
    expect(st == 400, f"unknown field: {st}")
    invalid(js, "$.status: is not defined in the schema")
    st, h, js = c.call("POST", "/2/tweets", {})
    expect(st == 400, f"neither text nor media: {st}")
    st, h, js = c.call("POST", "/2/tweets", {"text": "x", "media": {"media_ids": ["1", "2", "3", "4", "5"]}})
    expect(st == 400, f"five media ids: {st}")


@example("403 duplicate content", "https://docs.x.com/x-api/fundamentals/response-codes-and-errors")
def err_duplicate(c):
    text = "Samma text två gånger " + secrets.token_hex(3)
    created(c, text)
    st, h, js = post(c, text)
    expect(st == 403, f"{st} {js}")
    expect(js == {"detail": "You are not allowed to create a Tweet with duplicate content.", "type": "about:blank",
                  "title": "Forbidden", "status": 403}, f"{js}")
    st, h, js = post(c, text, auth="bearer:citizen")
    expect(st == 201, f"another account may post the same text: {st}")
    window = c.control("state")["settings"]["duplicate_window_secs"]
    c.control("clock", {"advance": window + 1})
    st, h, js = post(c, text)
    expect(st == 201, f"after the duplicate window: {st} {js}")


@example("Text length: 280 weighted characters, URLs count 23, over-long text is refused",
         "https://docs.x.com/fundamentals/counting-characters")
def err_length(c):
    tag = secrets.token_hex(2)
    ok = ("a" * (280 - 5)) + " " + tag
    expect(len(ok) == 280, "test text")
    st, h, js = post(c, ok)
    expect(st == 201, f"280 characters: {st} {js}")
    st, h, js = post(c, ok + "b")
    expect(st == 400, f"281 characters: {st}")
    invalid(js, "Your Tweet text is too long.")
    url = "https://example.com/" + "p" * 200
    st, h, js = post(c, ("b" * (280 - 24 - 5)) + " " + url + " " + tag[:3])
    expect(st == 201, f"a long URL counts 23: {st} {js}")
    expect("https://t.co/" in js["data"]["text"], "URLs are returned as t.co links")
    st, h, js = post(c, "å" * 140 + "漢" * 71)
    expect(st == 400, f"CJK weighs 2: {st}")
    st, h, js = post(c, "👨‍👩‍👧‍👦" * 140)
    expect(st == 201, f"140 family emoji weigh 280: {st} {js}")


@example("429 Too Many Requests when the 15-minute window is used up", "https://docs.x.com/x-api/fundamentals/rate-limits")
def err_429(c):
    c.control("quota", {"endpoint": "GET /2/users/me", "remaining": 0, "reset_in": 120})
    st, h, js = c.call("GET", "/2/users/me")
    expect(st == 429, f"{st}")
    problem(js, 429, "Too Many Requests", "Too Many Requests")
    expect(h["x-rate-limit-remaining"] == "0", f"{h['x-rate-limit-remaining']}")
    reset = int(h["x-rate-limit-reset"])
    expect(reset > time.time(), "reset in the future")
    c.control("clock", {"advance": 121})
    st, h, js = c.call("GET", "/2/users/me")
    expect(st == 200, f"after the reset: {st}")


@example("429 when the 24-hour posting limit or the monthly usage cap is used up",
         "https://docs.x.com/x-api/fundamentals/post-cap")
def err_daily(c):
    c.control("quota", {"app_24h": {"remaining": 0}})
    st, h, js = post(c, "Over the daily limit " + secrets.token_hex(2))
    expect(st == 429 and h.get("x-app-limit-24hour-remaining") == "0", f"{st} {h.get('x-app-limit-24hour-remaining')}")
    problem(js, 429, "Too Many Requests", "Too Many Requests")
    c.control("quota", {"app_24h": {"remaining": 100}, "usage_cap": {"remaining": 0}})
    st, h, js = post(c, "Over the monthly cap " + secrets.token_hex(2))
    expect(st == 429 and js["title"] == "UsageCapExceeded" and js["type"].endswith("/2/problems/usage-capped")
           and js["period"] == "Monthly", f"{st} {js}")
    c.control("quota", {"usage_cap": {"remaining": 1000}})
    st, h, js = post(c, "Under the cap again " + secrets.token_hex(2))
    expect(st == 201, f"{st} {js}")


@example("Ids have the documented shape and unknown paths answer 404", "https://docs.x.com/x-api/posts/get-post-by-id")
def err_ids(c):
    st, h, js = c.call("GET", "/2/tweets/abc")
    expect(st == 400, f"non-numeric id: {st}")
    invalid(js, "The `id` path parameter value [abc] does not match ^[0-9]{1,19}$")
    st, h, js = c.call("GET", "/1.1/media/upload.json")
    expect(st == 404, f"v1.1 media upload: {st}")


@example("Control API: state lists posts with history, media and requests", "")
def ctl_state(c):
    s = c.control("state")
    for k in ("posts", "media", "comments", "accounts", "quota", "requests", "now"):
        expect(k in s, f"{k} missing from /_fake/state")
    expect(any(p["deleted"] for p in s["posts"]), "deleted posts are kept")
    expect(all(p["history"] for p in s["posts"]), "every post has a history")


def start_server():
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "server.py"), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if not line:
        err = proc.stderr.read()
        raise SystemExit(f"replay.py: server.py did not start:\n{err}")
    return proc, json.loads(line)


def main():
    proc, ready = start_server()
    c = Client(ready)
    try:
        for fn in EXAMPLES:
            try:
                fn(c)
                PASSED.append(fn.example_name)
            except Check as e:
                FAILURES.append((fn.example_name, fn.doc_url, str(e)))
            except Exception as e:  # noqa: BLE001
                FAILURES.append((fn.example_name, fn.doc_url, f"{type(e).__name__}: {e}"))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
    for name in PASSED:
        print(f"ok    {name}")
    for name, url, msg in FAILURES:
        sys.stderr.write(f"FAIL  {name}\n      {url}\n      {msg}\n")
    print(f"{len(PASSED)} passed, {len(FAILURES)} failed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
