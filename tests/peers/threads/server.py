#!/usr/bin/env python3
"""A stateful fake of the Threads API (graph.threads.net), written from Meta's Threads
documentation for the budkavle publish tests. See README.md next to this file.

    python3 tests/peers/threads/server.py --port 0 [--seed seed.json]

prints one JSON line ({"url": ..., "threads_user_id": ..., "access_token": ..., ...}) and serves
until killed. image_url is really fetched over HTTP. Standard library only."""

from __future__ import annotations

import base64
import os
import re
import secrets
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from meta_graph.core import (  # noqa: E402
    GraphApp, GraphError, Request, Token, err_no_object, err_no_permission, err_param_required,
    err_unknown_path, graph_time, main, paginate, parse_fields, parse_time_param, select_fields)
from meta_graph.media import FetchFailed, dimensions, fetch, sniff  # noqa: E402

SCOPES = ["threads_basic", "threads_content_publish", "threads_manage_replies",
          "threads_read_replies", "threads_manage_insights", "threads_delete", "threads_manage_mentions"]
TEXT_MAX = 500
ALT_TEXT_MAX = 1000
LINKS_MAX = 5
CAROUSEL_MAX = 20
IMAGE_MAX_BYTES = 8 * 1024 * 1024
DAY = 86400
LONG_LIVED = 60 * DAY
SHORT_LIVED = 3600
EARLIEST_SINCE = 1688540400
QUOTAS = {"posts": 250, "replies": 1000, "deletes": 100, "location_search": 500}
REPLY_CONTROLS = {"everyone", "accounts_you_follow", "mentioned_only", "parent_post_author_only", "followers_only"}
INSIGHT_METRICS = {
    "views": ("Views", "The number of times your post was played or displayed."),
    "likes": ("Likes", "The number of likes on the post."),
    "replies": ("Replies", "The number of replies on the post."),
    "reposts": ("Reposts", "The number of times the post was reposted."),
    "quotes": ("Quotes", "The number of times the post was quoted."),
    "shares": ("Shares", "The number of shares of the post."),
}
MEDIA_FIELDS = {"id", "media_product_type", "media_type", "media_url", "permalink", "owner", "username",
                "text", "timestamp", "shortcode", "thumbnail_url", "children", "is_quote_post",
                "alt_text", "link_attachment_url", "has_replies", "is_reply", "is_reply_owned_by_me",
                "root_post", "replied_to", "hide_status", "reply_audience", "quoted_post",
                "reposted_post", "gif_url", "poll_attachment", "topic_tag", "is_spoiler_media",
                "text_entities", "text_attachment", "location_id", "is_verified", "profile_picture_url",
                "insights"}
USER_FIELDS = {"id", "username", "name", "threads_profile_picture_url", "threads_biography", "is_verified"}
CONTAINER_FIELDS = {"id", "status", "error_message"}
LIMIT_FIELDS = {"quota_usage", "config", "reply_quota_usage", "reply_config", "delete_quota_usage",
                "delete_config", "location_search_quota_usage", "location_search_config"}

EMOJI_RANGES = [(0x1F000, 0x1FAFF), (0x2600, 0x27BF), (0x2300, 0x23FF), (0x2B00, 0x2BFF),
                (0xFE00, 0xFE0F), (0x200D, 0x200D), (0x1F1E6, 0x1F1FF), (0xE0020, 0xE007F), (0x3030, 0x303D)]
URL_RE = re.compile(r"(?:https?://|www\.)[^\s]+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|se|nu|io|eu|info|gov)\b[^\s]*", re.I)


def threads_length(text: str) -> int:
    """The documented count: characters, except that emojis count as their UTF-8 bytes."""
    n = 0
    for ch in text:
        cp = ord(ch)
        if any(lo <= cp <= hi for lo, hi in EMOJI_RANGES):
            n += len(ch.encode("utf-8"))
        else:
            n += 1
    return n


def not_found() -> GraphError:
    """Publishing a container that is not (or no longer) publishable."""
    return GraphError(24, "The requested resource does not exist", subcode=4279009, is_transient=False,
                      user_title="Media Not Found", user_msg="The requested resource does not exist.")


def shortcode() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(9)).decode()[:11]


class ThreadsFake(GraphApp):
    platform = "threads"
    versions = ("v1.0", "v1.0")
    usage_headers = False  # the Threads docs describe no usage headers

    def __init__(self, seed: dict):
        super().__init__(seed)
        u = seed.get("user", {})
        self.user = {"id": str(u.get("id") or self.ids.numeric("2", 17)), "username": u.get("username", "exempelbykommun"),
                     "name": u.get("name", "Exempelby kommun"),
                     "threads_biography": u.get("threads_biography", "Officiellt konto för Exempelby kommun."),
                     "is_verified": False}
        self.user["threads_profile_picture_url"] = f"https://scontent.cdninstagram.com/v/t51.2885-19/{self.user['id']}_n.jpg"
        c = seed.get("citizen", {})
        self.citizen = {"id": str(c.get("id") or self.ids.numeric("2", 17)), "username": c.get("username", "medborgare_test")}
        self.people = {self.user["id"]: self.user, self.citizen["id"]: self.citizen}
        self.quotas = dict(QUOTAS, **seed.get("quotas", {}))
        self.usage: dict[str, list] = {k: [] for k in QUOTAS}
        self.containers: dict[str, dict] = {}
        self.posts: dict[str, dict] = {}
        self.token = self.add_token(kind="USER", user_id=self.user["id"], scopes=SCOPES, expires_in=LONG_LIVED,
                                    label="user", value=seed.get("access_token"))
        self.named = {
            "expired": self.add_token(kind="USER", user_id=self.user["id"], scopes=SCOPES, invalid="expired", label="expired").value,
            "password_changed": self.add_token(kind="USER", user_id=self.user["id"], scopes=SCOPES,
                                               invalid="password_changed", label="password_changed").value,
            "basic_only": self.add_token(kind="USER", user_id=self.user["id"], scopes=["threads_basic"], label="basic_only").value,
            "short_lived": self.add_token(kind="USER", user_id=self.user["id"], scopes=SCOPES, expires_in=SHORT_LIVED,
                                          label="short_lived", long_lived=False).value,
        }
        for spec in seed.get("tokens", []):
            t = self.make_token_from_control(spec)
            self.named[t.label or t.value] = t.value

    def token_prefix(self) -> str:
        return "THAA"

    def make_token_from_control(self, data: dict) -> Token:
        who = self.citizen if data.get("user") == "citizen" else self.user
        return self.add_token(kind="USER", user_id=who["id"], scopes=data.get("scopes", SCOPES),
                              expires_in=data.get("expires_in", LONG_LIVED), invalid=data.get("invalid"),
                              label=data.get("label", ""), value=data.get("token"),
                              long_lived=bool(data.get("long_lived", True)))

    def buckets_for(self, req: Request, t: Token):
        lim = self.seed.get("limits", {})
        return [self.bucket(f"threads:{t.user_id or self.app_id}", "app", int(lim.get("threads", 48000)), 86400.0)]

    def resolve_bucket(self, name: str):
        if name == "threads":
            lim = self.seed.get("limits", {})
            return self.bucket(f"threads:{self.user['id']}", "app", int(lim.get("threads", 48000)), 86400.0)
        return super().resolve_bucket(name)

    def granular_scopes(self, t: Token):
        return None  # the Threads debug_token example has no granular_scopes

    def debug_token(self, req: Request, token_type_of=None) -> dict:
        out = super().debug_token(req)
        out["data"].pop("app_id", None)  # nor an app_id
        return out

    def ready_info(self) -> dict:
        return {"platform": "threads", "api_version": "v1.0", "app_id": self.app_id, "app_secret": self.app_secret,
                "threads_user_id": self.user["id"], "username": self.user["username"],
                "access_token": self.token.value, "citizen_user_id": self.citizen["id"],
                "citizen_username": self.citizen["username"], "tokens": dict(self.named)}

    # -- helpers --------------------------------------------------------------------------

    def now(self):
        return self.clock.now()

    def need(self, req: Request, scopes=("threads_basic",)) -> Token:
        t = self.authenticate(req)
        if t.kind == "APP" or any(s not in t.scopes for s in ("threads_basic", *scopes)):
            raise err_no_permission()
        return t

    def write_guard(self):
        if self.config["blocked"]:
            raise GraphError(368, "(#368) The action attempted has been deemed abusive or is otherwise disallowed")

    def used(self, kind: str) -> int:
        now = self.now()
        self.usage[kind] = [t for t in self.usage[kind] if now - t < DAY]
        return len(self.usage[kind])

    def control_quota(self, data: dict) -> dict:
        kind = data.get("bucket")
        if kind in QUOTAS:
            now = self.now()
            if "limit" in data:
                self.quotas[kind] = int(data["limit"])
            if "remaining" in data:
                want = max(0, self.quotas[kind] - int(data["remaining"]))
                self.used(kind)
                self.usage[kind] = self.usage[kind][-want:] if want else []
                while len(self.usage[kind]) < want:
                    self.usage[kind].insert(0, now)
            return {"bucket": kind, "usage": self.used(kind), "quota_total": self.quotas[kind], "quota_duration": DAY}
        return super().control_quota(data)

    def user_node(self, req: Request, who: dict):
        return select_fields("ThreadsUser", who, parse_fields(req.params.str("fields")), ["id"], USER_FIELDS)

    def resolve_user(self, head: str, t: Token | None):
        if head == "me":
            return self.people.get(t.user_id) if t else None
        return self.people.get(head)

    # -- containers -----------------------------------------------------------------------

    def container_state(self, c: dict) -> str:
        now = self.now()
        if c["status"] in ("PUBLISHED", "ERROR", "EXPIRED"):
            return c["status"]
        if now - c["created"] >= DAY:
            c["status"] = "EXPIRED"
            return c["status"]
        if c["media_type"] == "CAROUSEL":
            states = [self.container_state(self.containers[k]) for k in c["children"]]
            if "ERROR" in states or "EXPIRED" in states:
                c["status"], c["error_message"] = "ERROR", "UNKNOWN"
            elif all(s == "FINISHED" for s in states) and now >= c["ready_at"]:
                c["status"] = "FINISHED"
            return c["status"]
        if not c["fetch_done"]:
            return "IN_PROGRESS"
        if c["fetch_error"]:
            c["status"], c["error_message"] = "ERROR", c["fetch_error"]
            return "ERROR"
        if now >= c["ready_at"]:
            c["status"] = "FINISHED"
        return c["status"]

    def fetch_image(self, url: str) -> str | None:
        """None when the image is usable, else the container's error_message."""
        try:
            _, data = fetch(url, timeout=self.config["fetch_timeout"])
        except FetchFailed:
            return "UNKNOWN"
        fmt = sniff(data)
        if fmt not in ("jpeg", "png") or len(data) > IMAGE_MAX_BYTES:
            return "UNKNOWN"
        dims = dimensions(data, fmt)
        if dims and dims[0] and dims[1] and max(dims[0] / dims[1], dims[1] / dims[0]) > 10:
            return "INVALID_ASPEC_RATIO"
        return None

    def background_fetch(self, cid: str, url: str):
        err = self.fetch_image(url)
        with self.lock:
            c = self.containers[cid]
            c["fetch_done"] = True
            c["fetch_error"] = err

    def create_container(self, req: Request, owner: dict):
        t = self.need(req, ("threads_content_publish",))
        if t.user_id != owner["id"]:
            raise err_no_permission()
        self.write_guard()
        p = req.params
        media_type = (p.str("media_type") or "").upper()
        if not media_type:
            raise err_param_required("media_type")
        if media_type not in ("TEXT", "IMAGE", "VIDEO", "CAROUSEL"):
            raise GraphError(100, f"(#100) Param media_type must be one of {{TEXT, IMAGE, VIDEO, CAROUSEL}} - got \"{media_type}\".")
        if media_type == "VIDEO" or p.str("video_url"):
            raise GraphError(100, "(#100) [fake] video posts are not simulated by this fake")
        text = p.str("text")
        image_url = p.str("image_url")
        alt = p.str("alt_text")
        is_item = p.bool("is_carousel_item", False)
        reply_to = p.str("reply_to_id")
        quote = p.str("quote_post_id")
        link = p.str("link_attachment")
        control = p.str("reply_control")
        if text is not None and threads_length(text) > TEXT_MAX:
            raise GraphError(100, f"(#100) The parameter text is too long: at most {TEXT_MAX} characters "
                             "(emojis count as their UTF-8 bytes).", user_title="Text too long",
                             user_msg=f"Posts can have at most {TEXT_MAX} characters.")
        links = set(m.group(0).rstrip(".,!?)") for m in URL_RE.finditer(text or ""))
        if link:
            links.add(link)
        if len(links) > LINKS_MAX:
            raise GraphError(100, "THREADS_API__LINK_LIMIT_EXCEEDED: a post can have at most 5 links",
                             user_title="Too many links", user_msg="Posts can have at most 5 links.")
        if media_type == "TEXT" and not text:
            raise err_param_required("text")
        if media_type == "TEXT" and is_item:
            raise GraphError(100, "(#100) Only images and videos can be carousel items")
        if alt is not None:
            if media_type not in ("IMAGE",):
                raise GraphError(100, "(#100) alt_text is only supported for image and video media")
            if len(alt) > ALT_TEXT_MAX:
                raise GraphError(100, f"(#100) The parameter alt_text is too long: at most {ALT_TEXT_MAX} characters")
        if control is not None and control not in REPLY_CONTROLS:
            raise GraphError(100, "(#100) Param reply_control must be one of {" + ", ".join(sorted(REPLY_CONTROLS)) + "}")
        for pid, name in ((reply_to, "reply_to_id"), (quote, "quote_post_id")):
            if pid is not None:
                target = self.posts.get(pid)
                if target is None or target["deleted"]:
                    raise GraphError(100, f"(#100) Param {name} must be the id of an existing post", subcode=4279001)
        now = self.now()
        cid = self.ids.numeric("1", 17)
        c = {"id": cid, "owner": owner["id"], "media_type": media_type, "text": text, "image_url": image_url,
             "alt_text": alt, "is_carousel_item": bool(is_item), "children": [], "reply_to_id": reply_to,
             "quote_post_id": quote, "link_attachment": link, "reply_control": control or "everyone",
             "topic_tag": p.str("topic_tag"), "created": now, "ready_at": now + self.config["container_delay"],
             "status": "IN_PROGRESS", "error_message": None, "fetch_done": True, "fetch_error": None,
             "used_in": None, "published_id": None}
        if media_type == "CAROUSEL":
            if is_item:
                raise GraphError(100, "(#100) A carousel container cannot be a carousel item")
            children = [str(x) for x in (p.list("children") or [])]
            if not (2 <= len(children) <= CAROUSEL_MAX):
                raise GraphError(100, f"(#100) A carousel needs at least 2 and at most {CAROUSEL_MAX} children",
                                 user_title="Invalid carousel", user_msg=f"Carousels can have 2 to {CAROUSEL_MAX} items.")
            for k in children:
                ch = self.containers.get(k)
                if ch is None or ch["owner"] != owner["id"] or not ch["is_carousel_item"] or ch["used_in"]:
                    raise GraphError(100, f"(#100) Param children contains an id that is not an unused carousel item container: {k}")
            c["children"] = children
            for k in children:
                self.containers[k]["used_in"] = cid
            self.containers[cid] = c
            return {"id": cid}
        if media_type == "IMAGE":
            if not image_url:
                raise err_param_required("image_url")
            c["fetch_done"] = False
            self.containers[cid] = c
            self.spawn(self.background_fetch, cid, image_url)
            return {"id": cid}
        self.containers[cid] = c
        return {"id": cid}

    def publish(self, req: Request, owner: dict):
        t = self.need(req, ("threads_content_publish",))
        if t.user_id != owner["id"]:
            raise err_no_permission()
        self.write_guard()
        cid = req.params.str("creation_id")
        if not cid:
            raise err_param_required("creation_id")
        c = self.containers.get(cid)
        if c is None or c["owner"] != owner["id"] or c["is_carousel_item"]:
            raise not_found()
        if self.container_state(c) != "FINISHED":
            raise not_found()
        kind = "replies" if c["reply_to_id"] else "posts"
        if self.used(kind) >= self.quotas[kind]:
            what = "replies" if kind == "replies" else "posts"
            raise GraphError(4, "Application request limit reached", is_transient=False,
                             user_title="Publishing limit reached",
                             user_msg=f"You reached the maximum number of {what} that can be published through the API in 24 hours.")
        post = self.new_post(owner, c)
        c["status"] = "PUBLISHED"
        c["published_id"] = post["id"]
        self.usage[kind].append(self.now())
        return {"id": post["id"]}

    def new_post(self, owner: dict, c: dict, child=False) -> dict:
        now = self.now()
        pid = self.ids.numeric("1", 17)
        sc = shortcode()
        parent = self.posts.get(c["reply_to_id"]) if c.get("reply_to_id") else None
        root = (parent["root_id"] or parent["id"]) if parent else None
        mt = {"TEXT": "TEXT_POST", "IMAGE": "IMAGE", "CAROUSEL": "CAROUSEL_ALBUM"}[c["media_type"]]
        post = {"id": pid, "owner": owner["id"], "media_type": mt, "text": c["text"], "timestamp": now,
                "shortcode": sc, "permalink": f"https://www.threads.net/@{owner['username']}/post/{sc}",
                "alt_text": c["alt_text"], "image_url": c["image_url"], "children": [], "child": child,
                "reply_to": parent["id"] if parent else None, "root_id": root, "quote_of": c.get("quote_post_id"),
                "link_attachment": c.get("link_attachment"), "topic_tag": c.get("topic_tag"),
                "reply_audience": c.get("reply_control", "everyone").upper(), "hide_status": "NOT_HUSHED",
                "deleted": False, "deleted_time": None, "container_id": c["id"],
                "likes": 0, "views": 0, "reposts": 0, "quotes": 0, "shares": 0,
                "history": [{"time": now, "event": "published", "text": c["text"]}]}
        self.posts[pid] = post
        for k in c.get("children", []):
            ch = self.new_post(owner, self.containers[k], child=True)
            self.containers[k]["status"] = "PUBLISHED"
            post["children"].append(ch["id"])
        if c.get("quote_post_id") in self.posts:
            self.posts[c["quote_post_id"]]["quotes"] += 1
        return post

    # -- routing --------------------------------------------------------------------------

    def route(self, req: Request):
        seg = req.segments
        m = req.method
        if not seg:
            raise GraphError(100, "(#100) Unsupported request: no object given", type="GraphMethodException")
        head, rest = seg[0], seg[1:]
        if head == "debug_token" and not rest and m == "GET":
            return self.debug_token(req)
        if head == "refresh_access_token" and not rest and m == "GET":
            return self.refresh(req)
        if head == "access_token" and not rest and m == "GET":
            return self.exchange(req)
        if head == "me" or head in self.people:
            t = self.authenticate(req, missing=GraphError(2500, "An active access token must be used to query information about the current user.") if head == "me" else None)
            who = self.resolve_user(head, t)
            if who is None:
                raise err_no_object(m, head)
            return self.route_user(req, who, rest)
        if head in self.containers and not rest:
            c = self.containers[head]
            self.need(req)
            if m != "GET":
                raise err_no_object(m, head)
            self.container_state(c)
            values = {"id": c["id"], "status": c["status"], "error_message": c["error_message"]}
            return select_fields("ThreadsContainer", values, parse_fields(req.params.str("fields")), ["id"], CONTAINER_FIELDS)
        p = self.posts.get(head)
        if p is not None and not p["deleted"]:
            return self.route_post(req, p, rest)
        self.authenticate(req)
        raise err_no_object(m, head)

    def route_user(self, req: Request, who: dict, rest: list):
        m = req.method
        t = req.token
        own = t.user_id == who["id"]
        if not rest:
            if m != "GET":
                raise err_no_object(m, who["id"])
            self.need(req)
            return self.user_node(req, who)
        edge = rest[0]
        if len(rest) > 1:
            raise err_unknown_path("/" + "/".join(rest[1:]))
        if edge == "threads" and m == "POST":
            return self.create_container(req, who)
        if edge == "threads_publish" and m == "POST":
            return self.publish(req, who)
        if edge == "threads_publishing_limit" and m == "GET":
            self.need(req)
            if not own:
                raise err_no_permission()
            values = {"quota_usage": self.used("posts"), "config": {"quota_total": self.quotas["posts"], "quota_duration": DAY},
                      "reply_quota_usage": self.used("replies"), "reply_config": {"quota_total": self.quotas["replies"], "quota_duration": DAY},
                      "delete_quota_usage": self.used("deletes"), "delete_config": {"quota_total": self.quotas["deletes"], "quota_duration": DAY},
                      "location_search_quota_usage": self.used("location_search"),
                      "location_search_config": {"quota_total": self.quotas["location_search"], "quota_duration": DAY}}
            item = select_fields("ThreadsPublishingLimit", values, parse_fields(req.params.str("fields")), ["quota_usage"], LIMIT_FIELDS)
            item.pop("id", None)
            return {"data": [item]}
        if edge in ("threads", "replies", "mentions") and m == "GET":
            # https://developers.facebook.com/documentation/threads/threads-mentions:
            # "threads_manage_mentions — Required for making any calls to the mentions endpoint."
            self.need(req, {"replies": ("threads_read_replies",), "mentions": ("threads_manage_mentions",)}.get(edge, ()))
            if not own:
                raise err_no_permission()
            if edge == "threads":
                items = [p for p in self.posts.values() if p["owner"] == who["id"] and not p["reply_to"] and not p["child"] and not p["deleted"]]
            elif edge == "replies":
                items = [p for p in self.posts.values() if p["owner"] == who["id"] and p["reply_to"] and not p["deleted"]]
            else:
                items = [p for p in self.posts.values() if p["owner"] != who["id"] and not p["deleted"]
                         and f"@{who['username']}".lower() in (p["text"] or "").lower()]
            return self.list_posts(req, items)
        raise err_unknown_path("/" + edge) if m == "GET" else err_no_object(m, f"{who['id']}/{edge}")

    def list_posts(self, req: Request, items: list):
        p = req.params
        since, until = p.get("since"), p.get("until")
        now = self.now()
        if since not in (None, ""):
            s = parse_time_param(since, "since")
            if s < EARLIEST_SINCE:
                raise GraphError(100, f"(#100) Param since must be greater than or equal to {EARLIEST_SINCE}")
            items = [x for x in items if x["timestamp"] >= s]
        if until not in (None, ""):
            u = parse_time_param(until, "until")
            if u > now + 60:
                raise GraphError(100, "(#100) Param until must be less than or equal to the current time")
            if since not in (None, "") and u <= parse_time_param(since, "since"):
                raise GraphError(100, "(#100) Param until must be greater than since")
            items = [x for x in items if x["timestamp"] <= u]
        items = sorted(items, key=lambda x: (x["timestamp"], x["id"]), reverse=True)
        chunk, paging = paginate(req, items, default_limit=25, max_limit=100)
        specs = parse_fields(p.str("fields"))
        out = {"data": [self.post_node(req, x, specs) for x in chunk]}
        if paging:
            out["paging"] = paging
        return out

    # -- posts ----------------------------------------------------------------------------

    def post_values(self, p: dict, viewer: Token | None) -> dict:
        author = self.people[p["owner"]]
        replies = [x for x in self.posts.values() if x["reply_to"] == p["id"] and not x["deleted"]]
        v = {"id": p["id"], "media_product_type": "THREADS", "media_type": p["media_type"], "text": p["text"],
             "timestamp": graph_time(p["timestamp"]), "shortcode": p["shortcode"], "permalink": p["permalink"],
             "username": author["username"], "is_quote_post": bool(p["quote_of"]),
             "has_replies": bool(replies), "is_reply": bool(p["reply_to"]), "alt_text": p["alt_text"],
             "link_attachment_url": p["link_attachment"], "topic_tag": p["topic_tag"],
             "reply_audience": p["reply_audience"], "is_verified": False, "is_spoiler_media": False,
             "profile_picture_url": author.get("threads_profile_picture_url")}
        if p["media_type"] in ("IMAGE",):
            v["media_url"] = f"https://scontent.cdninstagram.com/v/t51.2885-15/{p['id']}_n.jpg"
        if not p["reply_to"] and not p["child"] and p["owner"] == (viewer.user_id if viewer else None):
            v["owner"] = {"id": p["owner"]}
        if p["reply_to"]:
            v["replied_to"] = {"id": p["reply_to"]}
            v["root_post"] = {"id": p["root_id"]}
            v["is_reply_owned_by_me"] = viewer is not None and p["owner"] == viewer.user_id
            v["hide_status"] = p["hide_status"]
        else:
            v["hide_status"] = "NOT_HUSHED"
        if p["quote_of"]:
            v["quoted_post"] = {"id": p["quote_of"]}
        return v

    def post_node(self, req: Request, p: dict, specs):
        def expand(spec):
            if spec.name == "children":
                if not p["children"]:
                    return True, None
                vals = [self.post_values(self.posts[k], req.token) for k in p["children"]]
                return True, {"data": [select_fields("ThreadsMedia", v, spec.sub, ["id"], MEDIA_FIELDS) for v in vals]}
            if spec.name == "insights":
                return True, {"data": self.insights_data(p, spec.mods.get("metric"))}
            return False, None
        return select_fields("ThreadsMedia", self.post_values(p, req.token), specs, ["id"], MEDIA_FIELDS, expand)

    def route_post(self, req: Request, p: dict, rest: list):
        m = req.method
        if not rest:
            if m == "GET":
                self.need(req)
                return self.post_node(req, p, parse_fields(req.params.str("fields")))
            if m == "DELETE":
                t = self.need(req, ("threads_delete",))
                if p["owner"] != t.user_id:
                    raise err_no_permission()
                if self.used("deletes") >= self.quotas["deletes"]:
                    raise GraphError(4, "Application request limit reached",
                                     user_title="Delete limit reached",
                                     user_msg=f"You can delete at most {self.quotas['deletes']} posts in 24 hours through the API.")
                p["deleted"] = True
                p["deleted_time"] = self.now()
                p["history"].append({"time": self.now(), "event": "deleted"})
                self.usage["deletes"].append(self.now())
                return {"success": True, "deleted_id": p["id"]}
            # there is no edit in the Threads API: a POST on a post is not an operation it supports
            self.authenticate(req)
            raise err_no_object(m, p["id"])
        edge = rest[0]
        if len(rest) == 1 and edge == "insights" and m == "GET":
            t = self.need(req, ("threads_manage_insights",))
            if p["owner"] != t.user_id:
                raise err_no_permission()
            return {"data": self.insights_data(p, req.params.str("metric"))}
        if len(rest) == 1 and edge in ("replies", "conversation") and m == "GET":
            t = self.authenticate(req)
            if not ({"threads_read_replies", "threads_manage_replies"} & set(t.scopes)) or "threads_basic" not in t.scopes:
                raise err_no_permission()
            if edge == "replies":
                items = [x for x in self.posts.values() if x["reply_to"] == p["id"] and not x["deleted"]]
            else:
                root = p["root_id"] or p["id"]
                items = [x for x in self.posts.values() if x["root_id"] == root and x["id"] != p["id"] and not x["deleted"]
                         and self.descends(x, p["id"])]
            reverse = req.params.bool("reverse", True)
            items.sort(key=lambda x: (x["timestamp"], x["id"]), reverse=reverse)
            chunk, paging = paginate(req, items)
            specs = parse_fields(req.params.str("fields"))
            out = {"data": [self.post_node(req, x, specs) for x in chunk]}
            if paging:
                out["paging"] = paging
            return out
        if len(rest) == 1 and edge == "manage_reply" and m == "POST":
            t = self.need(req, ("threads_manage_replies",))
            self.write_guard()
            hide = req.params.bool("hide")
            if hide is None:
                raise err_param_required("hide")
            parent = self.posts.get(p["reply_to"]) if p["reply_to"] else None
            if parent is None:
                raise GraphError(100, "(#100) Only replies can be hidden")
            root = self.posts.get(p["root_id"])
            if root is None or root["owner"] != t.user_id:
                raise err_no_permission()
            if p["reply_to"] != p["root_id"]:
                raise GraphError(100, "(#100) Only top-level replies can be hidden or unhidden")
            status = "HIDDEN" if hide else "UNHUSHED"
            for x in [p] + [x for x in self.posts.values() if self.descends(x, p["id"])]:
                x["hide_status"] = status
                x["history"].append({"time": self.now(), "event": "hidden" if hide else "unhidden"})
            return {"success": True}
        self.authenticate(req)
        raise err_unknown_path("/" + "/".join(rest)) if m == "GET" else err_no_object(m, p["id"] + "/" + "/".join(rest))

    def descends(self, x: dict, ancestor: str) -> bool:
        cur = x
        while cur and cur["reply_to"]:
            if cur["reply_to"] == ancestor:
                return True
            cur = self.posts.get(cur["reply_to"])
        return False

    def insights_data(self, p: dict, metric_param) -> list:
        if not metric_param:
            raise err_param_required("metric")
        names = [x.strip() for x in str(metric_param).split(",") if x.strip()]
        for i, n in enumerate(names):
            if n not in INSIGHT_METRICS:
                raise GraphError(100, f"(#100) metric[{i}] must be one of the following values: " + ", ".join(INSIGHT_METRICS))
        if p["reply_to"] is None:
            replies = len([x for x in self.posts.values() if x["root_id"] == p["id"] and not x["deleted"]])
        else:
            replies = len([x for x in self.posts.values() if x["reply_to"] == p["id"] and not x["deleted"]])
        values = {"views": p["views"], "likes": p["likes"], "replies": replies, "reposts": p["reposts"],
                  "quotes": p["quotes"], "shares": p["shares"]}
        out = []
        for n in names:
            title, desc = INSIGHT_METRICS[n]
            out.append({"name": n, "period": "lifetime", "values": [{"value": values[n]}], "title": title,
                        "description": desc, "id": f"{p['id']}/insights/{n}/lifetime"})
        return out

    # -- tokens ---------------------------------------------------------------------------

    def refresh(self, req: Request):
        """GET /refresh_access_token?grant_type=th_refresh_token&access_token=<long-lived>."""
        if req.params.str("grant_type") != "th_refresh_token":
            raise GraphError(100, "(#100) Param grant_type must be th_refresh_token")
        t = self.authenticate(req)
        if t.kind == "APP" or not t.long_lived or "threads_basic" not in t.scopes:
            raise GraphError(190, "Error validating access token: only unexpired long-lived Threads user access tokens can be refreshed")
        if self.now() - t.issued_at < DAY:
            raise GraphError(100, "(#100) A long-lived access token can be refreshed only when it is at least 24 hours old")
        new = self.add_token(kind="USER", user_id=t.user_id, scopes=t.scopes, expires_in=LONG_LIVED, label=(t.label or "") + "+refreshed")
        return {"access_token": new.value, "token_type": "bearer", "expires_in": int(round(new.expires_at - self.now()))}

    def exchange(self, req: Request):
        """GET /access_token?grant_type=th_exchange_token&client_secret=…&access_token=<short-lived>."""
        if req.params.str("grant_type") != "th_exchange_token":
            raise GraphError(100, "(#100) Param grant_type must be th_exchange_token")
        if req.params.str("client_secret") != self.app_secret:
            raise GraphError(100, "(#100) Error validating client secret.")
        t = self.authenticate(req)
        if t.kind == "APP" or t.long_lived:
            raise GraphError(100, "(#100) Only short-lived Threads user access tokens can be exchanged")
        new = self.add_token(kind="USER", user_id=t.user_id, scopes=t.scopes, expires_in=LONG_LIVED, label=(t.label or "") + "+long")
        return {"access_token": new.value, "token_type": "bearer", "expires_in": int(round(new.expires_at - self.now()))}

    # -- control --------------------------------------------------------------------------

    def control_engage(self, data: dict) -> dict:
        action = data.get("action", "like")
        count = int(data.get("count", 1))
        if action == "mention":
            c = {"id": "engage", "media_type": "TEXT", "text": data.get("message", f"Hej @{self.user['username']}!"),
                 "alt_text": None, "image_url": None, "reply_to_id": None, "quote_post_id": None, "children": []}
            post = self.new_post(self.citizen, c)
            return {"post_id": post["id"]}
        p = self.posts.get(str(data.get("post_id") or data.get("media_id")))
        if p is None or p["deleted"]:
            raise ValueError("post_id names no live post")
        if action in ("edit", "delete"):
            # The citizen edits (in the app; the API has no edit) or deletes a post or reply of
            # their own: the same id with the new text, or gone from every listing.
            if p["owner"] == self.user["id"]:
                raise ValueError("the profile's own posts are deleted through the API")
            if action == "edit":
                text = data.get("message", "Ändrat svar")
                p["history"].append({"time": self.now(), "event": "edited", "text": text, "previous": p["text"]})
                p["text"] = text
            else:
                p["deleted"] = True
                p["deleted_time"] = self.now()
                p["history"].append({"time": self.now(), "event": "deleted"})
            return {"post_id": p["id"]}
        if action in ("reply", "comment"):
            c = {"id": "engage", "media_type": "TEXT", "text": data.get("message", "Ett svar"), "alt_text": None,
                 "image_url": None, "reply_to_id": p["id"], "quote_post_id": None, "children": []}
            r = self.new_post(self.citizen, c)
            return {"reply_id": r["id"]}
        if action == "quote":
            c = {"id": "engage", "media_type": "TEXT", "text": data.get("message", "Citerar detta"), "alt_text": None,
                 "image_url": None, "reply_to_id": None, "quote_post_id": p["id"], "children": []}
            q = self.new_post(self.citizen, c)
            return {"post_id": q["id"], "quotes": p["quotes"]}
        key = {"like": "likes", "view": "views", "repost": "reposts", "share": "shares"}.get(action)
        if key is None:
            raise ValueError("action is like, view, repost, share, reply, quote, mention, edit or delete")
        p[key] += count
        return {"post_id": p["id"], key: p[key]}

    def on_clock(self):
        for c in self.containers.values():
            self.container_state(c)

    def state(self) -> dict:
        for c in self.containers.values():
            self.container_state(c)

        def ts(v):
            return graph_time(v) if v else None
        return {"platform": "threads", "now": graph_time(self.now()), "user": self.user, "citizen": self.citizen,
                "containers": [dict(c, created=ts(c["created"]), ready_at=ts(c["ready_at"])) for c in self.containers.values()],
                "posts": [dict(p, timestamp=ts(p["timestamp"]), deleted_time=ts(p["deleted_time"]),
                               history=[dict(h, time=ts(h["time"])) for h in p["history"]]) for p in self.posts.values()],
                "quotas": {k: {"usage": self.used(k), "quota_total": self.quotas[k], "quota_duration": DAY} for k in QUOTAS},
                "tokens": [t.public() for t in self.tokens.values()],
                "buckets": [vars(b) for b in self.buckets.values()], "config": self.config}


if __name__ == "__main__":
    main(ThreadsFake, "Fake Threads API")
