#!/usr/bin/env python3
"""Replays the documented LinkedIn examples quoted in README.md against the fake.

    python3 tests/peers/linkedin/replay.py [-v]

Starts server.py (port 0), reads its ready line, sends each example with the same
method, path, headers and body as the doc page (ids the fake generates -- post and
image URNs -- are substituted), checks status and the response's shape and fixed
values, then the error cases.  Exit 0 when every example passes; otherwise the
failing examples are named and the exit status is 1.
"""

import http.client
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import traceback
import zlib
from urllib.parse import quote, urlencode, urlparse

HERE = os.path.dirname(os.path.abspath(__file__))
VERBOSE = "-v" in sys.argv
DOCS = "https://learn.microsoft.com/en-us/linkedin"
POSTS_DOC = DOCS + "/marketing/community-management/shares/posts-api"
IMAGES_DOC = DOCS + "/marketing/community-management/shares/images-api"
MULTI_DOC = DOCS + "/marketing/community-management/shares/multiimage-post-api"
LITTLE_DOC = DOCS + "/marketing/community-management/shares/little-text-format"
COMMENTS_DOC = DOCS + "/marketing/community-management/shares/comments-api"
META_DOC = DOCS + "/marketing/community-management/shares/social-metadata-api"
STATS_DOC = DOCS + "/marketing/community-management/organizations/share-statistics"
ACL_DOC = DOCS + "/marketing/community-management/organizations/organization-access-control-by-role"
NETSIZE_DOC = DOCS + "/marketing/community-management/organizations/organization-lookup-api"
INTROSPECT_DOC = DOCS + "/shared/authentication/token-introspection"
ERRORS_DOC = DOCS + "/shared/api-guide/concepts/error-handling"
RATE_DOC = DOCS + "/shared/api-guide/concepts/rate-limits"
VERSION_DOC = DOCS + "/marketing/versioning"
REFRESH_DOC = DOCS + "/shared/authentication/programmatic-refresh-tokens"

ORG = "urn:li:organization:5515715"  # the posts-api examples' author
STATS_ORG = "urn:li:organization:2414183"  # the share-statistics and comments examples' organization
IMG_ORG = "urn:li:organization:5583111"  # the images-api example's owner
ORG_ENC = quote(ORG, safe="")
VERSION = "202611"

SEED = {
    "start_time": 1_795_000_000,  # 2026-11-18, a fixed clock for the replay
    "organization": {"id": 5515715, "name": "Devtestco", "followers": 1500},
    "organizations": [{"id": 2414183, "name": "LinkedIn Test Org", "followers": 219145},
                      {"id": 5583111, "name": "Image Owner Org", "followers": 10}],
    "acl": [{"member": "admin", "organization": STATS_ORG, "role": "ADMINISTRATOR"},
            {"member": "admin", "organization": IMG_ORG, "role": "ADMINISTRATOR"},
            {"member": "Ana1yst0x1", "organization": ORG, "role": "ANALYST"}],
    "tokens": [
        {"name": "read_only", "token": "AQVread-only", "scopes": ["r_organization_social"]},
        {"name": "no_scopes", "token": "AQVno-scopes", "scopes": ["openid", "profile"]},
        {"name": "expired", "token": "AQVexpired", "scopes": ["w_organization_social"], "expires_in": -10},
        {"name": "revoked", "token": "AQVrevoked", "scopes": ["w_organization_social"], "revoked": True},
        {"name": "analyst", "token": "AQVanalyst", "member": "Ana1yst0x1",
         "scopes": ["w_organization_social", "r_organization_social", "rw_organization_admin"]},
    ],
    "image_processing_seconds": 30,
    "active_versions": ["202512", "202601", "202602", "202603", "202604", "202605", "202606", "202607", "202608",
                        "202609", "202610", "202611"],
}


def png(width=4, height=3):
    """A valid PNG of the given size."""
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


class Peer:
    def __init__(self):
        self.seed_file = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
        json.dump(SEED, self.seed_file)
        self.seed_file.close()
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "server.py"), "--port", "0",
                                      "--seed", self.seed_file.name],
                                     stdout=subprocess.PIPE, stderr=None if VERBOSE else subprocess.DEVNULL,
                                     text=True)
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit("replay: server.py exited before printing its ready line")
        self.ready = json.loads(line)
        u = urlparse(self.ready["url"])
        self.host, self.port = u.hostname, u.port

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        os.unlink(self.seed_file.name)


class Resp:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = {k.lower(): v for k, v in headers}
        self.body = body
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    def __repr__(self):
        return "<%d %s %s>" % (self.status, self.headers.get("x-restli-id", ""), self.body[:400])


PEER = None


def call(method, path, body=None, headers=None, token="default", version=VERSION, restli=True, raw=None,
         content_type="application/json"):
    h = {}
    if token == "default":
        token = PEER.ready["token"]
    if token is not None:
        h["Authorization"] = "Bearer " + token
    if version is not None:
        h["LinkedIn-Version"] = version
    if restli:
        h["X-Restli-Protocol-Version"] = "2.0.0"
    data = None
    if raw is not None:
        data = raw
    elif body is not None:
        data = json.dumps(body).encode()
        h["Content-Type"] = content_type
    h.update(headers or {})
    conn = http.client.HTTPConnection(PEER.host, PEER.port, timeout=10)
    conn.request(method, path, body=data, headers=h)
    r = conn.getresponse()
    out = Resp(r.status, r.getheaders(), r.read())
    conn.close()
    if VERBOSE:
        print("   %s %s -> %r" % (method, path, out))
    return out


def fake(path, body=None):
    return call("POST" if body is not None else "GET", "/_fake/" + path, body=body, token=None, version=None,
                restli=False)


def expect(cond, msg, *args):
    if not cond:
        raise AssertionError(msg % args if args else msg)


def status(r, code):
    expect(r.status == code, "expected HTTP %d, got %r", code, r)


def has(obj, spec, where="body"):
    """spec: {key: type or exact value}"""
    expect(isinstance(obj, dict), "%s is not an object: %r", where, obj)
    for k, want in spec.items():
        expect(k in obj, "%s lacks %r: %r", where, k, obj)
        if isinstance(want, type) or isinstance(want, tuple):
            expect(isinstance(obj[k], want), "%s.%s should be %s, got %r", where, k, want, obj[k])
        elif hasattr(want, "match"):
            expect(isinstance(obj[k], str) and want.match(obj[k]), "%s.%s %r does not match %s", where, k, obj[k],
                   want.pattern)
        else:
            expect(obj[k] == want, "%s.%s should be %r, got %r", where, k, want, obj[k])


def error_body(r, status_code, code, message=None, service=None):
    status(r, status_code)
    has(r.json, {"status": status_code, "code": code})
    if message is not None:
        if hasattr(message, "match"):
            expect(message.match(r.json["message"]), "message %r does not match %s", r.json["message"],
                   message.pattern)
        else:
            expect(r.json["message"] == message, "message should be %r, got %r", message, r.json["message"])
    if service is not None:
        expect(r.json.get("serviceErrorCode") == service, "serviceErrorCode should be %r: %r", service, r.json)


SHARE = re.compile(r"^urn:li:share:\d{19}$")
UGC = re.compile(r"^urn:li:ugcPost:\d{19}$")
IMAGE = re.compile(r"^urn:li:image:[A-Za-z0-9_-]{19}$")
CTX = {}
EXAMPLES = []


def example(name, doc):
    def deco(fn):
        EXAMPLES.append((name, doc, fn))
        return fn
    return deco


def text_post(commentary, author=ORG):
    return {"author": author, "commentary": commentary, "visibility": "PUBLIC",
            "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [],
                             "thirdPartyDistributionChannels": []},
            "lifecycleState": "PUBLISHED", "isReshareDisabledByAuthor": False}


def post_view_shape(p):
    has(p, {"id": (str,), "author": str, "commentary": str, "visibility": str, "lifecycleState": str,
            "createdAt": int, "publishedAt": int, "lastModifiedAt": int, "isReshareDisabledByAuthor": bool,
            "distribution": dict, "lifecycleStateInfo": dict}, "post")


# ---------------------------------------------------------------- Posts API

@example("posts: create a text-only post (201, x-restli-id, empty body)", POSTS_DOC)
def _():
    r = call("POST", "/rest/posts", text_post("Sample text Post"))
    status(r, 201)
    expect(SHARE.match(r.headers.get("x-restli-id", "")), "x-restli-id %r is not urn:li:share:<19 digits>",
           r.headers.get("x-restli-id"))
    expect(r.body == b"", "a created post answers with an empty body, got %r", r.body)
    CTX["text"] = r.headers["x-restli-id"]


@example("posts: the post id carries its creation time (id >> 22 == createdAt)", POSTS_DOC)
def _():
    r = call("GET", "/rest/posts/" + quote(CTX["text"], safe=""))
    status(r, 200)
    expect(int(CTX["text"].rsplit(":", 1)[1]) >> 22 == r.json["createdAt"], "id/time mismatch: %r", r.json)


@example("posts: get a post by its URL-encoded URN", POSTS_DOC)
def _():
    r = call("GET", "/rest/posts/" + quote(CTX["text"], safe=""))
    status(r, 200)
    post_view_shape(r.json)
    has(r.json, {"id": CTX["text"], "author": ORG, "commentary": "Sample text Post", "visibility": "PUBLIC",
                 "lifecycleState": "PUBLISHED", "lifecycleStateInfo": {"isEditedByAuthor": False},
                 "distribution": {"feedDistribution": "MAIN_FEED", "thirdPartyDistributionChannels": []}})


@example("posts: find the organization's posts (q=author, newest first)", POSTS_DOC)
def _():
    r2 = call("POST", "/rest/posts", text_post("Second post, newer"))
    status(r2, 201)
    CTX["second"] = r2.headers["x-restli-id"]
    r = call("GET", "/rest/posts?author=%s&q=author&count=10&sortBy=LAST_MODIFIED" % ORG_ENC,
             headers={"X-RestLi-Method": "FINDER"})
    status(r, 200)
    has(r.json, {"paging": dict, "elements": list})
    has(r.json["paging"], {"start": 0, "count": 10}, "paging")
    ids = [p["id"] for p in r.json["elements"]]
    expect(ids[:2] == [CTX["second"], CTX["text"]], "newest first expected, got %r", ids)
    for p in r.json["elements"]:
        post_view_shape(p)


@example("posts: finder paging (count=1) gives a next link", POSTS_DOC)
def _():
    r = call("GET", "/rest/posts?author=%s&q=author&count=1&start=0" % ORG_ENC)
    status(r, 200)
    expect(len(r.json["elements"]) == 1, "count=1 gave %d elements", len(r.json["elements"]))
    rels = [l["rel"] for l in r.json["paging"]["links"]]
    expect("next" in rels, "no next link: %r", r.json["paging"])
    r2 = call("GET", r.json["paging"]["links"][rels.index("next")]["href"])
    status(r2, 200)
    expect(r2.json["elements"][0]["id"] == CTX["text"], "next page: %r", r2.json)


@example("posts: batch get (ids=List(...), X-RestLi-Method: BATCH_GET)", POSTS_DOC)
def _():
    missing = "urn:li:share:7000000000000000001"
    r = call("GET", "/rest/posts?ids=List(%s,%s)" % (quote(CTX["text"], safe=""), quote(missing, safe="")),
             headers={"X-RestLi-Method": "BATCH_GET"})
    status(r, 200)
    expect(list(r.json["results"]) == [CTX["text"]], "%r", r.json)
    has(r.json["statuses"], {CTX["text"]: 200, missing: 404}, "statuses")


@example("posts: unencoded URN in a query parameter is refused (400)", POSTS_DOC)
def _():
    r = call("GET", "/rest/posts?author=%s&q=author" % ORG)
    status(r, 400)


@example("posts: partial update of commentary (204) and read back", POSTS_DOC)
def _():
    r = call("POST", "/rest/posts/" + quote(CTX["text"], safe=""),
             {"patch": {"$set": {"commentary": "Update to the post", "contentCallToActionLabel": "LEARN_MORE"}}},
             headers={"X-RestLi-Method": "PARTIAL_UPDATE"})
    status(r, 204)
    g = call("GET", "/rest/posts/" + quote(CTX["text"], safe=""))
    has(g.json, {"commentary": "Update to the post", "lifecycleStateInfo": {"isEditedByAuthor": True}})


@example("posts: partial update without X-RestLi-Method is refused (400)", POSTS_DOC)
def _():
    r = call("POST", "/rest/posts/" + quote(CTX["text"], safe=""), {"patch": {"$set": {"commentary": "x"}}})
    status(r, 400)


@example("posts: a field that cannot be updated is refused (400)", POSTS_DOC)
def _():
    r = call("POST", "/rest/posts/" + quote(CTX["text"], safe=""), {"patch": {"$set": {"visibility": "LOGGED_IN"}}},
             headers={"X-RestLi-Method": "PARTIAL_UPDATE"})
    status(r, 400)


@example("posts: delete (204), delete again (204, idempotent), then GET is 404", POSTS_DOC)
def _():
    path = "/rest/posts/" + quote(CTX["second"], safe="")
    status(call("DELETE", path, headers={"X-RestLi-Method": "DELETE"}), 204)
    status(call("DELETE", path, headers={"X-RestLi-Method": "DELETE"}), 204)
    r = call("GET", path)
    error_body(r, 404, "NOT_FOUND")
    f = call("GET", "/rest/posts?author=%s&q=author" % ORG_ENC)
    expect(CTX["second"] not in [p["id"] for p in f.json["elements"]], "deleted post still listed")
    s = fake("state").json
    p = [x for x in s["posts"] if x["id"] == CTX["second"]][0]
    expect(p["deleted"] and [h["action"] for h in p["history"]] == ["CREATE", "DELETE", "DELETE (already deleted)"],
           "state history: %r", p["history"])


@example("posts: missing required field (400 MISSING_FIELD)", POSTS_DOC)
def _():
    body = text_post("x")
    del body["visibility"]
    r = call("POST", "/rest/posts", body)
    status(r, 400)
    expect(r.json["errorDetails"]["inputErrors"][0]["code"] == "MISSING_FIELD", "%r", r.json)


@example("posts: unknown field (422, Rest.li 'unrecognized field')", POSTS_DOC)
def _():
    body = text_post("x")
    body["title"] = "no such field"
    r = call("POST", "/rest/posts", body)
    status(r, 422)
    expect("unrecognized field" in r.json["message"], "%r", r.json)


@example("posts: commentary over 3000 characters (400 FIELD_LENGTH_TOO_LONG)", POSTS_DOC)
def _():
    r = call("POST", "/rest/posts", text_post("a" * 3001))
    status(r, 400)
    expect(r.json["errorDetails"]["inputErrors"][0]["code"] == "FIELD_LENGTH_TOO_LONG", "%r", r.json)
    status(call("POST", "/rest/posts", text_post("b" * 3000)), 201)


@example("posts: lifecycleState other than PUBLISHED at creation (400)", POSTS_DOC)
def _():
    body = text_post("draft")
    body["lifecycleState"] = "DRAFT"
    status(call("POST", "/rest/posts", body), 400)


@example("posts: identical content within 10 minutes (422 DUPLICATE_POST)", POSTS_DOC)
def _():
    r1 = call("POST", "/rest/posts", text_post("Duplicate me"))
    status(r1, 201)
    r = call("POST", "/rest/posts", text_post("Duplicate me"))
    status(r, 422)
    has(r.json, {"errorDetailType": "com.linkedin.common.error.BadRequest", "status": 422})
    expect(r.json["message"].endswith("Content is a duplicate of " + r1.headers["x-restli-id"]), "%r", r.json)
    expect(r.json["errorDetails"]["inputErrors"][0]["code"] == "DUPLICATE_POST", "%r", r.json)
    fake("clock", {"advance": 601})
    status(call("POST", "/rest/posts", text_post("Duplicate me")), 201)


@example("posts: an interrupted create is found again by its exact text (fault drop_after_commit)", POSTS_DOC)
def _():
    fake("fault", {"method": "POST", "path": "/rest/posts", "mode": "drop_after_commit"})
    try:
        call("POST", "/rest/posts", text_post("Kommunfullmäktige sammanträder \\(torsdag\\)"))
        raise AssertionError("the connection should have been dropped")
    except (http.client.HTTPException, ConnectionError, OSError):
        pass
    r = call("GET", "/rest/posts?author=%s&q=author&count=10" % ORG_ENC)
    texts = [p["commentary"] for p in r.json["elements"]]
    expect("Kommunfullmäktige sammanträder \\(torsdag\\)" in texts, "not found by exact text: %r", texts)


# ------------------------------------------------------------ little text

@example("little text: escaped reserved characters come back exactly as sent", LITTLE_DOC)
def _():
    text = "Hello, these are some bullet points:\n\n\\* Point 1\n\\* Point 2 \\(see \\@kommun\\)"
    r = call("POST", "/rest/posts", text_post(text))
    status(r, 201)
    g = call("GET", "/rest/posts/" + quote(r.headers["x-restli-id"], safe=""))
    expect(g.json["commentary"] == text, "commentary changed: %r", g.json["commentary"])


@example("little text: a mention and a hashtag (hashtag read back as {hashtag|\\#|...})", LITTLE_DOC)
def _():
    r = call("POST", "/rest/posts", text_post("Hello @[Acme Corp](urn:li:organization:1234) #Technology"))
    status(r, 201)
    g = call("GET", "/rest/posts/" + quote(r.headers["x-restli-id"], safe=""))
    expect(g.json["commentary"] == "Hello @[Acme Corp](urn:li:organization:1234) {hashtag|\\#|Technology}",
           "%r", g.json["commentary"])


@example("little text: the documented HashtagTemplate example", LITTLE_DOC)
def _():
    text = ("Excited to share my thoughts on the future of {hashtag|#|Technology} and how it's shaping the "
            "world we live in.")
    r = call("POST", "/rest/posts", text_post(text))
    status(r, 201)
    g = call("GET", "/rest/posts/" + quote(r.headers["x-restli-id"], safe=""))
    expect(g.json["commentary"] == text.replace("{hashtag|#|", "{hashtag|\\#|"), "%r", g.json["commentary"])


@example("little text: an unescaped '(' silently truncates the stored text", LITTLE_DOC)
def _():
    r = call("POST", "/rest/posts", text_post("I built it (in one prompt) yesterday"))
    status(r, 201)
    g = call("GET", "/rest/posts/" + quote(r.headers["x-restli-id"], safe=""))
    expect(g.json["commentary"] == "I built it ", "%r", g.json["commentary"])


# ----------------------------------------------------------------- Images

@example("images: initializeUpload (value.uploadUrl, uploadUrlExpiresAt, image)", IMAGES_DOC)
def _():
    r = call("POST", "/rest/images?action=initializeUpload",
             {"initializeUploadRequest": {"owner": IMG_ORG}})
    status(r, 200)
    has(r.json, {"value": dict})
    has(r.json["value"], {"uploadUrlExpiresAt": int, "uploadUrl": str, "image": IMAGE}, "value")
    r2 = call("POST", "/rest/images?action=initializeUpload", {"initializeUploadRequest": {"owner": ORG}})
    CTX["img"] = r2.json["value"]
    r3 = call("POST", "/rest/images?action=initializeUpload", {"initializeUploadRequest": {"owner": ORG}})
    CTX["img2"] = r3.json["value"]
    r4 = call("POST", "/rest/images?action=initializeUpload", {"initializeUploadRequest": {"owner": ORG}})
    CTX["img_never"] = r4.json["value"]


@example("images: GET before upload shows WAITING_UPLOAD; a post with it fails", IMAGES_DOC)
def _():
    r = call("GET", "/rest/images/" + CTX["img_never"]["image"])
    status(r, 200)
    has(r.json, {"status": "WAITING_UPLOAD", "owner": ORG, "id": CTX["img_never"]["image"]})
    body = text_post("image not uploaded")
    body["content"] = {"media": {"altText": "alt", "id": CTX["img_never"]["image"]}}
    p = call("POST", "/rest/posts", body)
    status(p, 400)
    expect(p.json["errorDetails"]["inputErrors"][0]["code"] == "MEDIA_ASSET_WAITING_UPLOAD", "%r", p.json)


def upload(info, data):
    u = urlparse(info["uploadUrl"])
    return call("PUT", u.path + "?" + u.query, raw=data, version=None, restli=False,
                headers={"Content-Type": "application/octet-stream"})


@example("images: PUT the bytes to uploadUrl with the OAuth token (201, empty body)", IMAGES_DOC)
def _():
    u = urlparse(CTX["img"]["uploadUrl"])
    r = call("PUT", u.path + "?" + u.query, raw=png(), version=None, restli=False, token=None)
    error_body(r, 401, "EMPTY_ACCESS_TOKEN")
    r = upload(CTX["img"], png())
    status(r, 201)
    expect(r.body == b"", "upload answered with a body: %r", r.body)
    status(upload(CTX["img2"], png(8, 8)), 201)


@example("images: PROCESSING until processed; a post with it fails; then AVAILABLE", IMAGES_DOC)
def _():
    r = call("GET", "/rest/images/" + quote(CTX["img"]["image"], safe=""))
    has(r.json, {"status": "PROCESSING"})
    body = text_post("image still processing")
    body["content"] = {"media": {"altText": "alt", "id": CTX["img"]["image"]}}
    p = call("POST", "/rest/posts", body)
    status(p, 400)
    fake("clock", {"advance": 31})
    r = call("GET", "/rest/images/" + CTX["img"]["image"])
    status(r, 200)
    has(r.json, {"status": "AVAILABLE", "owner": ORG, "id": CTX["img"]["image"], "downloadUrl": str,
                 "downloadUrlExpiresAt": int})


@example("posts: create an image post (content.media.id, altText) -> urn:li:ugcPost", POSTS_DOC)
def _():
    body = text_post("test strings!")
    body["content"] = {"media": {"altText": "testing for alt tags", "id": CTX["img"]["image"]}}
    r = call("POST", "/rest/posts", body)
    status(r, 201)
    expect(UGC.match(r.headers["x-restli-id"]), "%r", r.headers)
    g = call("GET", "/rest/posts/" + quote(r.headers["x-restli-id"], safe=""))
    has(g.json, {"content": {"media": {"altText": "testing for alt tags", "id": CTX["img"]["image"]}}})


@example("multiImage: a post with two images", MULTI_DOC)
def _():
    body = text_post("Two images")
    body["content"] = {"multiImage": {"images": [{"id": CTX["img"]["image"], "altText": "first"},
                                                 {"id": CTX["img2"]["image"], "altText": "second"}]}}
    r = call("POST", "/rest/posts", body)
    status(r, 201)
    expect(UGC.match(r.headers["x-restli-id"]), "%r", r.headers)
    body["content"]["multiImage"]["images"] = body["content"]["multiImage"]["images"][:1]
    body["commentary"] = "One image is not a multiImage"
    status(call("POST", "/rest/posts", body), 400)


@example("posts: an article post", POSTS_DOC)
def _():
    body = text_post("test article post")
    body["content"] = {"article": {"source": "https://lnkd.in/eABXNTG", "thumbnail": CTX["img"]["image"],
                                   "title": "prod test title two", "description": "test description"}}
    r = call("POST", "/rest/posts", body)
    status(r, 201)
    expect(SHARE.match(r.headers["x-restli-id"]), "%r", r.headers)


@example("images: batch get (ids=List(...))", IMAGES_DOC)
def _():
    ids = [CTX["img"]["image"], CTX["img_never"]["image"]]
    r = call("GET", "/rest/images?ids=List(%s)" % ",".join(quote(i, safe="") for i in ids),
             headers={"X-RestLi-Method": "BATCH_GET"})
    status(r, 200)
    expect(set(r.json["results"]) == set(ids), "%r", r.json)


# -------------------------------------------------- auth, headers, limits

@example("errors: missing LinkedIn-Version (400 VERSION_MISSING)", VERSION_DOC)
def _():
    r = call("GET", "/rest/posts?author=%s&q=author" % ORG_ENC, version=None)
    error_body(r, 400, "VERSION_MISSING")


@example("errors: sunset version 202409 (426 NONEXISTENT_VERSION)", VERSION_DOC)
def _():
    r = call("GET", "/rest/posts?author=%s&q=author" % ORG_ENC, version="202409")
    error_body(r, 426, "NONEXISTENT_VERSION", "Requested version 20240901 is not active")


@example("errors: a version not released yet (426)", VERSION_DOC)
def _():
    error_body(call("GET", "/rest/posts?author=%s&q=author" % ORG_ENC, version="209901"), 426, "NONEXISTENT_VERSION")


@example("errors: missing X-Restli-Protocol-Version (400)", POSTS_DOC)
def _():
    status(call("GET", "/rest/posts?author=%s&q=author" % ORG_ENC, restli=False), 400)


@example("errors: no token (401 EMPTY_ACCESS_TOKEN)", ERRORS_DOC)
def _():
    error_body(call("POST", "/rest/posts", text_post("x"), token=None), 401, "EMPTY_ACCESS_TOKEN",
               "Empty oauth2_access_token", 65604)


@example("errors: invalid token (401 INVALID_ACCESS_TOKEN, 65600)", ERRORS_DOC)
def _():
    error_body(call("POST", "/rest/posts", text_post("x"), token="nope"), 401, "INVALID_ACCESS_TOKEN",
               "Invalid access token", 65600)


@example("errors: expired token (401 EXPIRED_ACCESS_TOKEN, 65602)", ERRORS_DOC)
def _():
    error_body(call("POST", "/rest/posts", text_post("x"), token="AQVexpired"), 401, "EXPIRED_ACCESS_TOKEN",
               "The token used in the request has expired", 65602)


@example("errors: revoked token (401 REVOKED_ACCESS_TOKEN, 65601)", ERRORS_DOC)
def _():
    error_body(call("POST", "/rest/posts", text_post("x"), token="AQVrevoked"), 401, "REVOKED_ACCESS_TOKEN",
               "The token used in the request has been revoked by the user", 65601)


@example("errors: missing scope (403 ACCESS_DENIED, serviceErrorCode 100)", ERRORS_DOC)
def _():
    r = call("POST", "/rest/posts", text_post("no write scope"), token="AQVread-only")
    error_body(r, 403, "ACCESS_DENIED", "Not enough permissions to access: partnerApiPostsExternal.CREATE.20261101", 100)
    r = call("GET", "/rest/posts?author=%s&q=author" % ORG_ENC, token="AQVno-scopes")
    error_body(r, 403, "ACCESS_DENIED",
               "Not enough permissions to access: partnerApiPostsExternal.FINDER-author.20261101", 100)


@example("errors: the member is not ADMINISTRATOR/CONTENT_ADMINISTRATOR of the page (403)", POSTS_DOC)
def _():
    r = call("POST", "/rest/posts", text_post("analyst tries to post"), token="AQVanalyst")
    error_body(r, 403, "ACCESS_DENIED")
    fake("acl", {"member": "Ana1yst0x1", "organization": ORG, "role": "CONTENT_ADMINISTRATOR"})
    status(call("POST", "/rest/posts", text_post("content admin posts"), token="AQVanalyst"), 201)


@example("rate limits: application day limit (429, serviceErrorCode 101), reset at midnight UTC", RATE_DOC)
def _():
    fake("quota", {"kind": "application", "resource": "posts", "remaining": 1, "daily": 1})
    status(call("GET", "/rest/posts?author=%s&q=author" % ORG_ENC), 200)
    r = call("GET", "/rest/posts?author=%s&q=author" % ORG_ENC)
    error_body(r, 429, "TOO_MANY_REQUESTS",
               "Resource level throttle APPLICATION DAY limit for calls to this resource is reached.", 101)
    expect(not any(k.startswith("x-ratelimit") or k == "retry-after" for k in r.headers),
           "LinkedIn sends no rate-limit headers: %r", r.headers)
    status(call("GET", "/rest/images/" + CTX["img"]["image"]), 200)  # other resources are not limited
    now = fake("clock").json["now_ms"]
    fake("clock", {"advance": (86_400_000 - now % 86_400_000) / 1000 + 1})
    status(call("GET", "/rest/posts?author=%s&q=author" % ORG_ENC), 200)
    fake("quota", {"kind": "application", "resource": "posts"})  # remove the limit


@example("rate limits: member day limit (429 MEMBER DAY)", RATE_DOC)
def _():
    fake("quota", {"kind": "member", "member": "admin", "remaining": 0})
    r = call("GET", "/rest/posts?author=%s&q=author" % ORG_ENC)
    error_body(r, 429, "TOO_MANY_REQUESTS",
               "Resource level throttle MEMBER DAY limit for calls to this resource is reached.", 101)
    fake("quota", {"kind": "member", "member": "admin"})


# --------------------------------------- comments, social actions, statistics

@example("comments: the citizen comments; the page lists comments on its post", COMMENTS_DOC)
def _():
    r = call("POST", "/rest/posts", text_post("Post with engagement", author=STATS_ORG))
    status(r, 201)
    CTX["stats_post"] = r.headers["x-restli-id"]
    c = fake("engage", {"post": CTX["stats_post"], "action": "comment", "text": "Bra initiativ!"})
    status(c, 200)
    CTX["citizen_comment"] = c.json
    r = call("GET", "/rest/socialActions/%s/comments" % quote(CTX["stats_post"], safe=""))
    status(r, 200)
    has(r.json, {"paging": dict, "elements": list})
    el = r.json["elements"][0]
    has(el, {"actor": PEER.ready["citizen_member"], "id": str, "commentUrn": re.compile(r"^urn:li:comment:\(urn:li:activity:\d+,\d+\)$"),
             "message": {"attributes": [], "text": "Bra initiativ!"}, "object": re.compile(r"^urn:li:activity:\d+$"),
             "created": dict, "lastModified": dict, "$URN": str})


@example("comments: the organization replies to the comment (201 with the comment)", COMMENTS_DOC)
def _():
    parent = CTX["citizen_comment"]
    r = call("POST", "/rest/socialActions/%s/comments" % quote(parent["commentUrn"], safe=""),
             {"actor": STATS_ORG, "object": parent["object"], "parentComment": parent["commentUrn"],
              "message": {"text": "Tack! Vi återkommer."}})
    status(r, 201)
    has(r.json, {"actor": STATS_ORG, "parentComment": parent["commentUrn"], "message": {"attributes": [],
                 "text": "Tack! Vi återkommer."}})
    expect(r.headers.get("x-restli-id") == r.json["id"], "x-restli-id %r", r.headers)
    CTX["reply"] = r.json
    replies = call("GET", "/rest/socialActions/%s/comments" % quote(parent["commentUrn"], safe=""))
    expect([c["id"] for c in replies.json["elements"]] == [r.json["id"]], "%r", replies.json)


@example("comments: get one comment (socialActions/{post}/comments/{id})", COMMENTS_DOC)
def _():
    c = CTX["citizen_comment"]
    r = call("GET", "/rest/socialActions/%s/comments/%s" % (quote(CTX["stats_post"], safe=""), c["id"]))
    status(r, 200)
    has(r.json, {"id": c["id"], "commentUrn": c["commentUrn"], "commentsSummary": dict})


@example("comments: the organization comments on its own post", COMMENTS_DOC)
def _():
    post = call("GET", "/rest/socialActions/%s" % quote(CTX["stats_post"], safe=""))
    r = call("POST", "/rest/socialActions/%s/comments" % quote(CTX["stats_post"], safe=""),
             {"actor": STATS_ORG, "object": CTX["stats_post"], "message": {"text": "Mer information på webben."}})
    status(r, 201)
    CTX["org_comment"] = r.json
    del post


@example("comments: the page deletes its own comment (204) but not the citizen's (403)", COMMENTS_DOC)
def _():
    r = call("DELETE", "/rest/socialActions/%s/comments/%s?actor=%s"
             % (quote(CTX["stats_post"], safe=""), CTX["citizen_comment"]["id"], quote(STATS_ORG, safe="")))
    error_body(r, 403, "ACCESS_DENIED")
    r = call("DELETE", "/rest/socialActions/%s/comments/%s?actor=%s"
             % (quote(CTX["stats_post"], safe=""), CTX["org_comment"]["id"], quote(STATS_ORG, safe="")))
    status(r, 204)


@example("comments: a comment URN with raw parentheses in the path is refused (400)", COMMENTS_DOC)
def _():
    status(call("GET", "/rest/socialActions/%s/comments" % CTX["citizen_comment"]["commentUrn"]), 400)


@example("comments as inbox pull reads them: paging to the end, replies, an edit, a deletion (404)", COMMENTS_DOC)
def _():
    r = call("POST", "/rest/posts", text_post("Post with many comments", author=STATS_ORG))
    status(r, 201)
    post = r.headers["x-restli-id"]
    enc = quote(post, safe="")
    made = [fake("engage", {"post": post, "action": "comment", "text": "Kommentar %d" % n}).json for n in range(12)]
    first = call("GET", "/rest/socialActions/%s/comments?start=0&count=10" % enc)
    status(first, 200)
    has(first.json["paging"], {"start": 0, "count": 10, "total": 12})
    rest = call("GET", "/rest/socialActions/%s/comments?start=10&count=10" % enc)
    got = [c["commentUrn"] for c in first.json["elements"] + rest.json["elements"]]
    expect(got == [c["commentUrn"] for c in made], "every comment once, oldest first: %r", got)
    reply = fake("engage", {"post": post, "action": "reply", "parent": made[0]["commentUrn"], "text": "Svar"}).json
    summary = call("GET", "/rest/socialActions/%s/comments?start=0&count=1" % enc).json["elements"][0]
    has(summary, {"commentsSummary": {"aggregatedTotalComments": 1, "totalFirstLevelComments": 1,
                                      "selectedComments": [reply["commentUrn"]]}})
    edited = fake("engage", {"post": post, "action": "edit_comment", "comment": made[1]["commentUrn"], "text": "Ändrad"}).json
    expect(edited["commentUrn"] == made[1]["commentUrn"] and edited["message"]["text"] == "Ändrad", "%r", edited)
    fake("engage", {"post": post, "action": "delete_comment", "comment": made[2]["commentUrn"]})
    r = call("GET", "/rest/socialActions/%s/comments/%s" % (enc, made[2]["id"]))
    status(r, 404)
    r = call("GET", "/rest/socialActions/%s/comments?start=0&count=100" % enc)
    expect(made[2]["commentUrn"] not in [c["commentUrn"] for c in r.json["elements"]], "a deleted comment is not listed")


@example("socialActions: likes and comments summary", COMMENTS_DOC)
def _():
    fake("engage", {"post": CTX["stats_post"], "action": "like"})
    r = call("GET", "/rest/socialActions/%s" % quote(CTX["stats_post"], safe=""))
    status(r, 200)
    has(r.json, {"target": CTX["stats_post"], "likesSummary": dict, "commentsSummary": dict})
    has(r.json["likesSummary"], {"totalLikes": 1, "aggregatedTotalLikes": 1, "likedByCurrentUser": False})
    has(r.json["commentsSummary"], {"totalFirstLevelComments": 1, "aggregatedTotalComments": 2,
                                    "commentsState": "OPEN"})


@example("socialMetadata: reaction and comment counts", META_DOC)
def _():
    fake("engage", {"post": CTX["stats_post"], "action": "react", "reaction": "PRAISE",
                    "actor": "urn:li:person:Ot5erPers0"})
    r = call("GET", "/rest/socialMetadata/%s" % quote(CTX["stats_post"], safe=""))
    status(r, 200)
    has(r.json, {"entity": CTX["stats_post"], "commentsState": "OPEN",
                 "commentSummary": {"count": 2, "topLevelCount": 1},
                 "reactionSummaries": {"LIKE": {"reactionType": "LIKE", "count": 1},
                                       "PRAISE": {"reactionType": "PRAISE", "count": 1}}})


@example("share statistics: per share (shares=List(...)) with the documented metric names", STATS_DOC)
def _():
    fake("engage", {"post": CTX["stats_post"], "action": "impression", "count": 200, "unique": 150})
    fake("engage", {"post": CTX["stats_post"], "action": "click", "count": 7})
    fake("engage", {"post": CTX["stats_post"], "action": "repost"})
    quiet = call("POST", "/rest/posts", text_post("A post nobody saw", author=STATS_ORG)).headers["x-restli-id"]
    r = call("GET", "/rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity=%s"
             "&shares=List(%s,%s)" % (quote(STATS_ORG, safe=""), quote(CTX["stats_post"], safe=""),
                                      quote(quiet, safe="")))
    status(r, 200)
    expect(len(r.json["elements"]) == 1, "shares with no activity are not included: %r", r.json)
    el = r.json["elements"][0]
    has(el, {"share": CTX["stats_post"], "organizationalEntity": STATS_ORG})
    s = el["totalShareStatistics"]
    # comments: the citizen's and the org's reply (the org's own comment was deleted)
    has(s, {"impressionCount": 200, "uniqueImpressionsCount": 150, "clickCount": 7, "likeCount": 2,
            "commentCount": 2, "shareCount": 1}, "totalShareStatistics")
    expect(abs(s["engagement"] - (7 + 2 + 2 + 1) / 200) < 1e-9, "engagement %r", s["engagement"])


@example("share statistics: lifetime aggregate for the organization", STATS_DOC)
def _():
    r = call("GET", "/rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity=%s"
             % quote(STATS_ORG, safe=""))
    status(r, 200)
    s = r.json["elements"][0]["totalShareStatistics"]
    has(s, {"impressionCount": 200, "shareMentionsCount": int, "commentMentionsCount": int})


@example("share statistics: time-bound (timeIntervals=(timeRange:(start,end),timeGranularityType:DAY))", STATS_DOC)
def _():
    now = fake("clock").json["now_ms"]
    start = now - now % 86_400_000 - 86_400_000
    r = call("GET", "/rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity=%s"
             "&timeIntervals=(timeRange:(start:%d,end:%d),timeGranularityType:DAY)"
             % (quote(STATS_ORG, safe=""), start, now))
    status(r, 200)
    expect(len(r.json["elements"]) == 2, "two days expected: %r", r.json)
    expect(all("timeRange" in e for e in r.json["elements"]), "%r", r.json)
    expect(r.json["elements"][-1]["totalShareStatistics"]["impressionCount"] == 200, "%r", r.json)


@example("share statistics: needs rw_organization_admin (403) and ADMINISTRATOR", STATS_DOC)
def _():
    r = call("GET", "/rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity=%s"
             % quote(STATS_ORG, safe=""), token="AQVread-only")
    error_body(r, 403, "ACCESS_DENIED")
    r = call("GET", "/rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity=%s"
             % quote(STATS_ORG, safe=""), token="AQVanalyst")
    error_body(r, 403, "ACCESS_DENIED")


@example("share statistics: the v1 'shares[0]=' syntax is refused (400)", STATS_DOC)
def _():
    r = call("GET", "/rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity=%s"
             "&shares[0]=%s" % (quote(STATS_ORG, safe=""), quote(CTX["stats_post"], safe="")))
    status(r, 400)


@example("socialMetadata: closing comments (PARTIAL_UPDATE commentsState CLOSED)", META_DOC)
def _():
    r = call("POST", "/rest/socialMetadata/%s?actor=%s" % (quote(CTX["stats_post"], safe=""),
                                                           quote(STATS_ORG, safe="")),
             {"patch": {"$set": {"commentsState": "CLOSED"}}}, headers={"X-RestLi-Method": "PARTIAL_UPDATE"})
    status(r, 204)
    m = call("GET", "/rest/socialMetadata/%s" % quote(CTX["stats_post"], safe=""))
    has(m.json, {"commentsState": "CLOSED", "commentSummary": {"count": 0, "topLevelCount": 0}})
    c = call("POST", "/rest/socialActions/%s/comments" % quote(CTX["stats_post"], safe=""),
             {"actor": STATS_ORG, "object": CTX["stats_post"], "message": {"text": "closed?"}})
    status(c, 403)


@example("networkSizes: follower count (edgeType=COMPANY_FOLLOWED_BY_MEMBER)", NETSIZE_DOC)
def _():
    r = call("GET", "/rest/networkSizes/%s?edgeType=COMPANY_FOLLOWED_BY_MEMBER" % quote(STATS_ORG, safe=""))
    status(r, 200)
    has(r.json, {"firstDegreeSize": 219145})
    fake("engage", {"action": "follow", "organization": STATS_ORG, "count": 5})
    r = call("GET", "/rest/networkSizes/urn:li:organization:2414183?edgeType=COMPANY_FOLLOWED_BY_MEMBER")
    has(r.json, {"firstDegreeSize": 219150})
    status(call("GET", "/rest/networkSizes/%s?edgeType=CompanyFollowedByMember" % quote(STATS_ORG, safe="")), 400)


@example("organizationAcls: q=roleAssignee&role=ADMINISTRATOR&state=APPROVED", ACL_DOC)
def _():
    r = call("GET", "/rest/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED")
    status(r, 200)
    has(r.json, {"paging": dict, "elements": list})
    orgs = sorted(a["organization"] for a in r.json["elements"])
    expect(orgs == sorted([ORG, STATS_ORG, IMG_ORG]), "%r", r.json)
    for a in r.json["elements"]:
        has(a, {"roleAssignee": PEER.ready["admin_member"], "role": "ADMINISTRATOR", "state": "APPROVED"})


@example("share statistics: per ugcPost (ugcPosts=List(...))", STATS_DOC)
def _():
    r = call("POST", "/rest/images?action=initializeUpload", {"initializeUploadRequest": {"owner": STATS_ORG}})
    info = r.json["value"]
    status(upload(info, png()), 201)
    fake("clock", {"advance": 31})
    body = text_post("Image post for statistics", author=STATS_ORG)
    body["content"] = {"media": {"id": info["image"], "altText": "alt"}}
    ugc = call("POST", "/rest/posts", body).headers["x-restli-id"]
    fake("engage", {"post": ugc, "action": "impression", "count": 10})
    r = call("GET", "/rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity=%s"
             "&ugcPosts=List(%s)" % (quote(STATS_ORG, safe=""), quote(ugc, safe="")))
    status(r, 200)
    has(r.json["elements"][0], {"ugcPost": ugc, "organizationalEntity": STATS_ORG})
    has(r.json["elements"][0]["totalShareStatistics"], {"impressionCount": 10, "engagement": 0.0})
    expect("shareMentionsCount" not in r.json["elements"][0]["totalShareStatistics"], "%r", r.json)


@example("organizationAcls: q=organization lists the page's roles", ACL_DOC)
def _():
    r = call("GET", "/rest/organizationAcls?q=organization&organization=%s" % ORG_ENC)
    status(r, 200)
    roles = sorted((a["roleAssignee"].rsplit(":", 1)[1], a["role"]) for a in r.json["elements"])
    expect(roles == [("Ab3dEf9HiJ", "ADMINISTRATOR"), ("Ana1yst0x1", "ANALYST"),
                     ("Ana1yst0x1", "CONTENT_ADMINISTRATOR")], "%r", roles)


@example("organizations: GET /rest/organizations/{id}", NETSIZE_DOC)
def _():
    r = call("GET", "/rest/organizations/5515715")
    status(r, 200)
    has(r.json, {"id": 5515715, "localizedName": "Devtestco"})


@example("versions: the pinned version is sunset while running (426)", VERSION_DOC)
def _():
    fake("versions", {"active": ["202612", "202701"]})
    error_body(call("GET", "/rest/posts?author=%s&q=author" % ORG_ENC), 426, "NONEXISTENT_VERSION",
               "Requested version 20261101 is not active")
    status(call("GET", "/rest/posts?author=%s&q=author" % ORG_ENC, version="202612"), 200)
    fake("versions", {"active": SEED["active_versions"]})


# ------------------------------------------------------------------ OAuth

def introspect(token, secret=None):
    data = urlencode({"client_id": PEER.ready["client_id"], "client_secret": secret or PEER.ready["client_secret"],
                      "token": token}).encode()
    return call("POST", "/oauth/v2/introspectToken", raw=data, token=None, version=None, restli=False,
                headers={"Content-Type": "application/x-www-form-urlencoded"})


@example("introspectToken: an active token", INTROSPECT_DOC)
def _():
    r = introspect(PEER.ready["token"])
    status(r, 200)
    has(r.json, {"active": True, "client_id": PEER.ready["client_id"], "authorized_at": int, "created_at": int,
                 "status": "active", "expires_at": int, "scope": str, "auth_type": "3L"})
    expect(r.json["expires_at"] - r.json["created_at"] == 5_184_000, "60-day token expected: %r", r.json)
    expect(set(r.json["scope"].split(",")) >= {"w_organization_social", "r_organization_social",
                                               "rw_organization_admin", "r_organization_admin"}, "%r", r.json)


@example("introspectToken: expired and revoked tokens; wrong secret (401)", INTROSPECT_DOC)
def _():
    has(introspect("AQVexpired").json, {"active": False, "status": "expired"})
    has(introspect("AQVrevoked").json, {"active": False, "status": "revoked"})
    status(introspect(PEER.ready["token"], secret="wrong"), 401)
    status(introspect("AQVunknown"), 400)


@example("tokens: after 60 days the token expires (401 65602); a refresh token gives a new one", REFRESH_DOC)
def _():
    fake("clock", {"advance": 5_184_000})
    error_body(call("GET", "/rest/posts?author=%s&q=author" % ORG_ENC), 401, "EXPIRED_ACCESS_TOKEN")
    data = urlencode({"grant_type": "refresh_token", "refresh_token": PEER.ready["refresh_token"],
                      "client_id": PEER.ready["client_id"], "client_secret": PEER.ready["client_secret"]}).encode()
    r = call("POST", "/oauth/v2/accessToken", raw=data, token=None, version=None, restli=False,
             headers={"Content-Type": "application/x-www-form-urlencoded"})
    status(r, 200)
    has(r.json, {"access_token": str, "expires_in": 5_184_000, "refresh_token": PEER.ready["refresh_token"],
                 "refresh_token_expires_in": int})
    expect(r.json["refresh_token_expires_in"] < 31_536_000 - 5_184_000 + 10, "refresh TTL kept: %r", r.json)
    status(call("GET", "/rest/posts?author=%s&q=author" % ORG_ENC, token=r.json["access_token"]), 200)


@example("control: /_fake/state shows posts (with deleted ones), images, comments", "README.md#control-api")
def _():
    s = fake("state").json
    for k in ("posts", "images", "comments", "tokens", "acls", "quotas", "events", "requests"):
        expect(k in s, "state lacks %s", k)
    expect(any(p["deleted"] for p in s["posts"]), "deleted posts kept in state")
    expect(all("bytes" not in i for i in s["images"]), "state must not dump image bytes")


def main():
    global PEER
    PEER = Peer()
    failures = []
    try:
        for name, doc, fn in EXAMPLES:
            try:
                fn()
                print("ok   %s" % name)
            except Exception as e:  # noqa: BLE001 - report every failure by name
                failures.append(name)
                print("FAIL %s\n     doc: %s\n     %s" % (name, doc, e if isinstance(e, AssertionError)
                                                           else traceback.format_exc().strip()))
    finally:
        PEER.stop()
    print("\n%d examples, %d failed" % (len(EXAMPLES), len(failures)))
    if failures:
        for f in failures:
            print("  failed: %s" % f)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
