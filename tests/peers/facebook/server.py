#!/usr/bin/env python3
"""A stateful fake of the Facebook Pages part of the Graph API (graph.facebook.com), written from
Meta's documentation for the budkavle publish tests. See README.md next to this file.

    python3 tests/peers/facebook/server.py --port 0 [--seed seed.json]

prints one JSON line ({"url": ..., "page_id": ..., "page_token": ..., ...}) and serves until
killed. Standard library only."""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from meta_graph.core import (  # noqa: E402
    FieldSpec, GraphApp, GraphError, Request, Token, err_no_object, err_nonexisting_field,
    err_param_required, err_unknown_path, graph_time, main, paginate, parse_fields,
    parse_time_param, select_fields)
from meta_graph.media import FetchFailed, dimensions, fetch, sniff  # noqa: E402

PAGE_SCOPES = ["pages_show_list", "pages_read_engagement", "pages_manage_posts",
               "pages_manage_engagement", "pages_read_user_content", "pages_manage_metadata",
               "read_insights", "public_profile"]
USER_SCOPES = PAGE_SCOPES + ["business_management"]

POST_PERMISSION_MESSAGE = (
    "(#200) If posting to a group, requires app being installed in the group, and either "
    "publish_to_groups permission with user token, or both pages_read_engagement and "
    "pages_manage_posts permission with page token; If posting to a page, requires both "
    "pages_read_engagement and pages_manage_posts as an admin with sufficient administrative permission")
READ_PERMISSION_MESSAGE = (
    "(#10) This endpoint requires the 'pages_read_engagement' permission or the 'Page Public "
    "Content Access' feature. Refer to https://developers.facebook.com/docs/apps/review/login-permissions#manage-pages "
    "and https://developers.facebook.com/docs/apps/review/feature#reference-PAGES_ACCESS for details.")
MESSAGE_MAX = 63206

# Fields of a Page post (the PagePost node of the official Business SDK, which is generated from
# the API's own schema), plus the edges that can be expanded as fields.
POST_FIELDS = {
    "actions", "admin_creator", "allowed_advertising_objectives", "application", "backdated_time",
    "call_to_action", "can_reply_privately", "child_attachments", "comments_mirroring_domain",
    "coordinates", "created_time", "event", "expanded_height", "expanded_width", "feed_targeting",
    "from", "full_picture", "height", "icon", "id", "instagram_eligibility", "is_app_share",
    "is_eligible_for_promotion", "is_expired", "is_hidden", "is_inline_created",
    "is_instagram_eligible", "is_popular", "is_published", "is_spherical", "message",
    "message_tags", "multi_share_end_card", "multi_share_optimized", "parent_id", "permalink_url",
    "picture", "place", "privacy", "promotable_id", "promotion_status", "properties",
    "scheduled_publish_time", "shares", "status_type", "story", "story_tags", "subscribed",
    "target", "targeting", "timeline_visibility", "updated_time", "via", "width",
    # edges
    "attachments", "comments", "likes", "reactions", "insights", "sharedposts", "sponsor_tags", "to",
}
PHOTO_FIELDS = {"id", "album", "alt_text", "alt_text_custom", "backdated_time", "can_delete",
                "can_tag", "created_time", "from", "height", "icon", "images", "link", "name",
                "name_tags", "page_story_id", "picture", "place", "updated_time", "webp_images",
                "width", "comments", "likes", "reactions", "insights"}
COMMENT_FIELDS = {"admin_creator", "application", "attachment", "can_comment", "can_hide",
                  "can_like", "can_remove", "can_reply_privately", "comment_count", "created_time",
                  "from", "id", "is_hidden", "is_private", "like_count", "live_broadcast_timestamp",
                  "message", "message_tags", "object", "parent", "permalink_url",
                  "private_reply_conversation", "user_likes", "comments", "likes", "reactions"}
PAGE_FIELDS = {"id", "name", "category", "category_list", "username", "link", "fan_count",
               "followers_count", "about", "access_token", "tasks", "verification_status",
               "is_published", "feed", "posts", "published_posts", "photos", "insights"}
USER_FIELDS = {"id", "name", "first_name", "last_name", "short_name", "picture", "accounts",
               "permissions", "email"}

# Post metrics that answer today (Page Insights reference and the November 2025 changelog).
POST_METRICS = {
    "post_media_view": ("Lifetime Post Media Views", "The number of times your post was on screen."),
    "post_total_media_view_unique": ("Lifetime Post Total Media Viewers", "The number of people who saw your post at least once."),
    "post_clicks": ("Lifetime Post Clicks", "The number of times people clicked anywhere in your post."),
    "post_clicks_by_type": ("Lifetime Post Clicks by Type", "Clicks on your post, by type."),
    "post_reactions_like_total": ("Lifetime Like Reactions", "Total 'like' reactions of a post."),
    "post_reactions_love_total": ("Lifetime Love Reactions", "Total 'love' reactions of a post."),
    "post_reactions_wow_total": ("Lifetime Wow Reactions", "Total 'wow' reactions of a post."),
    "post_reactions_haha_total": ("Lifetime Haha Reactions", "Total 'haha' reactions of a post."),
    "post_reactions_sorry_total": ("Lifetime Sorry Reactions", "Total 'sad' reactions of a post."),
    "post_reactions_anger_total": ("Lifetime Anger Reactions", "Total 'anger' reactions of a post."),
    "post_reactions_by_type_total": ("Lifetime Total post Reactions by Type", "Total post reactions by type."),
    "post_activity_by_action_type": ("Lifetime Post Stories by action type", "The number of stories created about your post, by action type."),
    "post_activity_by_action_type_unique": ("Lifetime Talking About This (Post) by action type", "The number of unique people who created a story about your post, by action type."),
    "post_video_views": ("Lifetime Total Video Views", "Times your video was viewed for 3 seconds or more."),
}
# Retired names: deprecated for all versions on March 14 2024, June 15 2025 and November 15 2025
# (https://developers.facebook.com/docs/pages-api/changelog/ and
# https://developers.facebook.com/documentation/pages-api/platforminsights/page/deprecated-metrics).
RETIRED_POST_METRICS = {
    "post_impressions", "post_impressions_unique", "post_impressions_paid", "post_impressions_paid_unique",
    "post_impressions_fan", "post_impressions_fan_unique", "post_impressions_organic",
    "post_impressions_organic_unique", "post_impressions_viral", "post_impressions_viral_unique",
    "post_impressions_nonviral", "post_impressions_nonviral_unique", "post_engaged_users",
    "post_engaged_fan", "post_negative_feedback", "post_negative_feedback_unique",
    "post_negative_feedback_by_type", "post_negative_feedback_by_type_unique", "post_clicks_unique",
    "post_clicks_by_type_unique", "post_impressions_by_story_type", "post_impressions_organic_v2",
    "post_consumptions", "post_consumptions_unique", "post_consumptions_by_type",
}
REACTIONS = ["LIKE", "LOVE", "WOW", "HAHA", "SORRY", "ANGRY"]


class FacebookFake(GraphApp):
    platform = "facebook"

    def __init__(self, seed: dict):
        super().__init__(seed)
        p = seed.get("page", {})
        self.page = {"id": str(p.get("id") or self.ids.numeric("10", 15)),
                     "name": p.get("name", "Exempelby kommun"),
                     "category": p.get("category", "Government organization"),
                     "username": p.get("username", "exempelbykommun")}
        o = seed.get("owner", {})
        self.owner = {"id": str(o.get("id") or self.ids.numeric("10", 17)), "name": o.get("name", "Kommunikatör Test")}
        c = seed.get("citizen", {})
        self.citizen = {"id": str(c.get("id") or self.ids.numeric("10", 17)), "name": c.get("name", "Medborgare Test")}
        self.users = {self.owner["id"]: self.owner, self.citizen["id"]: self.citizen}
        self.posts: dict[str, dict] = {}
        self.photos: dict[str, dict] = {}
        self.comments: dict[str, dict] = {}
        self.comment_seq = 0
        self.page_token = self.add_token(kind="PAGE", user_id=self.owner["id"], profile_id=self.page["id"],
                                         scopes=PAGE_SCOPES, label="page", value=seed.get("page_token"))
        self.user_token = self.add_token(kind="USER", user_id=self.owner["id"], scopes=USER_SCOPES,
                                         expires_in=60 * 86400, label="user", value=seed.get("user_token"))
        self.citizen_token = self.add_token(kind="USER", user_id=self.citizen["id"], scopes=["public_profile"],
                                            expires_in=60 * 86400, label="citizen")
        self.named = {
            "expired_page_token": self.add_token(kind="PAGE", user_id=self.owner["id"], profile_id=self.page["id"],
                                                 scopes=PAGE_SCOPES, invalid="expired", label="expired_page_token").value,
            "password_changed_page_token": self.add_token(kind="PAGE", user_id=self.owner["id"], profile_id=self.page["id"],
                                                          scopes=PAGE_SCOPES, invalid="password_changed",
                                                          label="password_changed_page_token").value,
            "readonly_page_token": self.add_token(kind="PAGE", user_id=self.owner["id"], profile_id=self.page["id"],
                                                  scopes=["pages_show_list", "pages_read_engagement", "read_insights"],
                                                  label="readonly_page_token").value,
        }
        for spec in seed.get("tokens", []):
            t = self.make_token_from_control(spec)
            self.named[t.label or t.value] = t.value

    # -- tokens and limits ----------------------------------------------------------------

    def make_token_from_control(self, data: dict) -> Token:
        kind = str(data.get("kind", "PAGE")).upper()
        who = self.citizen if data.get("user") == "citizen" else self.owner
        scopes = data.get("scopes")
        if scopes is None:
            scopes = PAGE_SCOPES if kind == "PAGE" else (USER_SCOPES if who is self.owner else ["public_profile"])
        return self.add_token(kind=kind, user_id=who["id"],
                              profile_id=str(data.get("page_id", self.page["id"])) if kind == "PAGE" else None,
                              scopes=scopes, declined=data.get("declined", []),
                              expires_in=data.get("expires_in"), invalid=data.get("invalid"),
                              label=data.get("label", ""), value=data.get("token"))

    def buckets_for(self, req: Request, t: Token):
        lim = self.seed.get("limits", {})
        if t.kind == "PAGE":
            # Page tokens: Business Use Case limits only (rate-limiting doc)
            return [self.bucket(f"pages:{t.profile_id}", "pages", int(lim.get("pages", 48000)), 86400.0)]
        out = super().buckets_for(req, t)
        if t.kind == "USER":
            out.append(self.bucket(f"user:{t.user_id}", "user", int(lim.get("user", 5000)), 3600.0))
        return out

    def resolve_bucket(self, name: str):
        lim = self.seed.get("limits", {})
        if name == "pages":
            return self.bucket(f"pages:{self.page['id']}", "pages", int(lim.get("pages", 48000)), 86400.0)
        if name == "user":
            return self.bucket(f"user:{self.owner['id']}", "user", int(lim.get("user", 5000)), 3600.0)
        return super().resolve_bucket(name)

    def granular_scopes(self, t: Token):
        out = []
        for s in t.scopes:
            g = {"scope": s}
            if s.startswith("pages_") and s != "pages_show_list" or s == "read_insights":
                g["target_ids"] = [self.page["id"]]
            out.append(g)
        return out

    def ready_info(self) -> dict:
        return {
            "platform": "facebook", "graph_versions": {"oldest": self.versions[0], "latest": self.versions[1]},
            "app_id": self.app_id, "app_secret": self.app_secret, "app_token": self.app_token_value(),
            "page_id": self.page["id"], "page_name": self.page["name"], "page_token": self.page_token.value,
            "user_id": self.owner["id"], "user_token": self.user_token.value,
            "citizen_user_id": self.citizen["id"], "citizen_token": self.citizen_token.value,
            "tokens": dict(self.named),
        }

    # -- helpers --------------------------------------------------------------------------

    def now(self) -> float:
        return self.clock.now()

    def write_guard(self) -> None:
        if self.config["blocked"]:
            raise GraphError(368, "(#368) The action attempted has been deemed abusive or is otherwise disallowed")

    def page_token_for_writes(self, req: Request, page_id: str) -> Token:
        t = self.authenticate(req)
        if t.kind != "PAGE" or t.profile_id != page_id:
            raise GraphError(200, POST_PERMISSION_MESSAGE)
        if not {"pages_manage_posts", "pages_read_engagement"} <= set(t.scopes):
            raise GraphError(200, POST_PERMISSION_MESSAGE)
        self.write_guard()
        return t

    def reader(self, req: Request, page_id: str, scopes=("pages_read_engagement",)) -> Token:
        t = self.authenticate(req)
        if t.kind == "PAGE" and t.profile_id == page_id and set(scopes) <= set(t.scopes):
            return t
        if t.kind == "USER" and t.user_id == self.owner["id"] and set(scopes) <= set(t.scopes):
            return t
        raise GraphError(10, READ_PERMISSION_MESSAGE)

    def publish_due(self) -> None:
        now = self.now()
        for p in self.posts.values():
            if not p["published"] and not p["deleted"] and p.get("scheduled_publish_time") and p["scheduled_publish_time"] <= now:
                p["published"] = True
                p["created_time"] = p["scheduled_publish_time"]
                p["updated_time"] = p["scheduled_publish_time"]
                p["history"].append({"time": now, "event": "published (scheduled)"})

    def on_clock(self) -> None:
        self.publish_due()

    def new_post(self, *, message, link=None, published=True, scheduled=None, photos=(),
                 object_id=None) -> dict:
        object_id = object_id or self.ids.numeric("1", 16)
        pid = f"{self.page['id']}_{object_id}"
        now = self.now()
        post = {
            "id": pid, "object_id": object_id, "page_id": self.page["id"], "message": message,
            "link": link, "published": published, "scheduled_publish_time": scheduled,
            "created_time": now, "updated_time": now, "deleted": False, "deleted_time": None,
            "is_hidden": False, "photos": list(photos),
            "reactions": {r: [] for r in REACTIONS}, "shares": 0, "views": 0, "reach": 0, "clicks": 0,
            "history": [{"time": now, "event": "created", "message": message}],
        }
        self.posts[pid] = post
        return post

    def live_posts(self, include_unpublished=False) -> list:
        self.publish_due()
        out = [p for p in self.posts.values() if not p["deleted"] and (include_unpublished or p["published"])]
        out.sort(key=lambda p: (p["created_time"], p["object_id"]), reverse=True)
        return out

    def find(self, object_id: str):
        """What an id names: ('page'|'post'|'photo'|'comment'|'user', obj) or (None, None)."""
        if object_id == self.page["id"] or object_id == self.page["username"]:
            return "page", self.page
        p = self.posts.get(object_id)
        if p is not None and not p["deleted"]:
            return "post", p
        ph = self.photos.get(object_id)
        if ph is not None and not ph["deleted"]:
            return "photo", ph
        c = self.comments.get(object_id)
        if c is not None and not c["deleted"]:
            return "comment", c
        if object_id in self.users:
            return "user", self.users[object_id]
        return None, None

    # -- routing --------------------------------------------------------------------------

    def route(self, req: Request):
        seg = req.segments
        m = req.method
        if not seg:
            raise GraphError(100, "(#100) Unsupported request: no object given", type="GraphMethodException")
        head, rest = seg[0], seg[1:]
        if head == "debug_token" and not rest and m == "GET":
            return self.debug_token(req)
        if head == "me":
            return self.route_me(req, rest)
        kind, obj = self.find(head)
        if kind is None:
            # an unknown (or deleted) id: a missing/invalid token is reported first
            self.authenticate(req)
            raise err_no_object(m, head)
        if kind == "page":
            return self.route_page(req, obj, rest)
        if kind == "post":
            return self.route_post(req, obj, rest)
        if kind == "photo":
            return self.route_photo(req, obj, rest)
        if kind == "comment":
            return self.route_comment(req, obj, rest)
        if kind == "user":
            t = self.authenticate(req)
            if not rest and m == "GET":
                return select_fields("User", obj, parse_fields(req.params.str("fields")), ["name", "id"], USER_FIELDS)
            if t.kind == "USER" and t.user_id == obj["id"]:
                return self.user_edges(req, t, obj, rest)
            if rest and m == "GET":
                raise err_unknown_path("/" + "/".join(rest))
            raise err_no_object(m, head)
        raise err_no_object(m, head)

    def route_me(self, req: Request, rest: list):
        t = self.authenticate(req, missing=GraphError(
            2500, "An active access token must be used to query information about the current user."))
        if t.kind == "APP":
            raise GraphError(2500, "An active access token must be used to query information about the current user.")
        if t.kind == "PAGE":
            if rest == ["permissions"]:
                raise GraphError(100, "(#100) Tried accessing nonexisting field (permissions) on node type (Page)")
            if not rest:
                return self.page_node(req, t)
            return self.route_page(req, self.page, rest)
        return self.user_edges(req, t, self.users[t.user_id], rest)

    def user_edges(self, req: Request, t: Token, user: dict, rest: list):
        if not rest and req.method == "GET":
            return select_fields("User", user, parse_fields(req.params.str("fields")), ["name", "id"], USER_FIELDS)
        if rest == ["permissions"] and req.method == "GET":
            data = [{"permission": s, "status": "granted"} for s in t.scopes]
            data += [{"permission": s, "status": "declined"} for s in t.declined]
            return {"data": data}
        if rest == ["accounts"] and req.method == "GET":
            if "pages_show_list" not in t.scopes or t.user_id != self.owner["id"]:
                return {"data": []}
            page_tok = self.page_token.value
            entry = {"access_token": page_tok, "category": self.page["category"],
                     "category_list": [{"id": "2235", "name": self.page["category"]}],
                     "name": self.page["name"], "id": self.page["id"],
                     "tasks": ["ANALYZE", "ADVERTISE", "MESSAGING", "MODERATE", "CREATE_CONTENT", "MANAGE"]}
            data, paging = paginate(req, [entry])
            return {"data": data, "paging": paging}
        if req.method != "GET":
            raise err_no_object(req.method, "me")
        raise err_unknown_path("/" + "/".join(rest))

    # -- the Page -------------------------------------------------------------------------

    def page_node(self, req: Request, t: Token) -> dict:
        specs = parse_fields(req.params.str("fields"))
        values = dict(self.page)
        values["link"] = f"https://www.facebook.com/{self.page['username']}"
        values["category_list"] = [{"id": "2235", "name": self.page["category"]}]
        values["is_published"] = True
        values["followers_count"] = len(self.users)
        values["fan_count"] = len(self.users)
        if t.kind == "USER" and t.user_id == self.owner["id"] and "pages_show_list" in t.scopes:
            values["access_token"] = self.page_token.value
            values["tasks"] = ["ANALYZE", "ADVERTISE", "MESSAGING", "MODERATE", "CREATE_CONTENT", "MANAGE"]
        return select_fields("Page", values, specs, ["name", "id"], PAGE_FIELDS - {"feed", "posts", "published_posts", "photos", "insights"})

    def route_page(self, req: Request, page: dict, rest: list):
        m = req.method
        if not rest:
            t = self.authenticate(req)
            if m == "GET":
                return self.page_node(req, t)
            raise err_no_object(m, page["id"])
        edge = rest[0]
        if len(rest) > 1:
            self.authenticate(req)
            raise err_unknown_path("/" + "/".join(rest[1:]))
        if edge == "feed" and m == "POST":
            return self.create_feed_post(req, page)
        if edge == "photos" and m == "POST":
            return self.create_photo(req, page)
        if edge in ("feed", "posts", "published_posts") and m == "GET":
            return self.list_posts(req, page, edge)
        if edge == "photos" and m == "GET":
            self.reader(req, page["id"])
            items = [self.photo_node_values(ph) for ph in self.photos.values() if not ph["deleted"] and ph["published"]]
            items.sort(key=lambda v: v["_t"], reverse=True)
            chunk, paging = paginate(req, items)
            specs = parse_fields(req.params.str("fields"))
            data = [select_fields("Photo", v, specs, ["created_time", "name", "id"], PHOTO_FIELDS) for v in chunk]
            return {"data": data, "paging": paging} if data else {"data": []}
        self.authenticate(req)
        if m == "GET":
            raise err_unknown_path("/" + "/".join(rest))
        raise err_no_object(m, page["id"] + "/" + edge)

    def create_feed_post(self, req: Request, page: dict):
        self.page_token_for_writes(req, page["id"])
        p = req.params
        message = p.str("message")
        link = p.str("link")
        published = p.bool("published", True)
        sched_raw = p.get("scheduled_publish_time")
        attached = p.list("attached_media") or []
        if message is not None and len(message) > MESSAGE_MAX:
            raise GraphError(100, f"(#100) Param message must be at most {MESSAGE_MAX} characters long")
        photos = []
        for i, item in enumerate(attached):
            if isinstance(item, str):
                try:
                    import json as _json
                    item = _json.loads(item)
                except ValueError:
                    raise GraphError(100, f"(#100) param attached_media[{i}] must be a JSON object")
            fbid = str(item.get("media_fbid", "")) if isinstance(item, dict) else ""
            ph = self.photos.get(fbid)
            if not fbid or ph is None or ph["deleted"] or ph["published"] or ph["used_in"]:
                raise GraphError(100, f"(#100) param attached_media[{i}] has invalid media_fbid {fbid!r}: "
                                 "it must be an unpublished photo of this Page that is not attached to a post yet")
            photos.append(fbid)
        if not message and not link and not photos:
            raise GraphError(100, "(#100) Missing message or attachment")
        scheduled = None
        if sched_raw not in (None, ""):
            scheduled = parse_time_param(sched_raw, "scheduled_publish_time")
            if published:
                raise GraphError(100, "(#100) Cannot specify a scheduled publish time on a published post")
            if not (self.now() + 600 <= scheduled <= self.now() + 30 * 86400):
                raise GraphError(100, "(#100) The specified scheduled publish time is invalid.",
                                 user_title="Invalid scheduled publish time",
                                 user_msg="The publish date must be between 10 minutes and 30 days from now.")
        if published and not photos:
            latest = next(iter(self.live_posts()), None)
            if latest is not None and latest["message"] == message and latest["link"] == link and not latest["photos"]:
                raise GraphError(506, "(#506) Duplicate status message")
        post = self.new_post(message=message, link=link, published=published, scheduled=scheduled, photos=photos)
        for fbid in photos:
            self.photos[fbid]["used_in"] = post["id"]
        return {"id": post["id"]}

    def create_photo(self, req: Request, page: dict):
        self.page_token_for_writes(req, page["id"])
        p = req.params
        published = p.bool("published", True)
        temporary = p.bool("temporary", False)
        message = p.str("message") or p.str("caption")
        alt = p.str("alt_text_custom")
        if "source" in req.files:
            _, _, data = req.files["source"]
            origin = "upload"
            src_url = None
        elif p.str("url"):
            src_url = p.str("url")
            try:
                _, data = fetch(src_url, timeout=self.config["fetch_timeout"])
            except FetchFailed:
                raise GraphError(324, "(#324) Missing or invalid image file")
            origin = "url"
        else:
            raise GraphError(324, "(#324) Requires upload file")
        fmt = sniff(data)
        if fmt not in ("jpeg", "png", "gif", "bmp", "tiff", "mpo", "jps", "webp", "heic"):
            raise GraphError(324, "(#324) Missing or invalid image file")
        dims = dimensions(data, fmt) or (None, None)
        photo_id = self.ids.numeric("1", 16)
        now = self.now()
        photo = {"id": photo_id, "page_id": page["id"], "caption": message, "alt_text_custom": alt,
                 "published": bool(published and not temporary), "temporary": temporary,
                 "format": fmt, "bytes": len(data), "width": dims[0], "height": dims[1],
                 "origin": origin, "url": src_url, "created_time": now, "deleted": False,
                 "used_in": None, "post_id": None}
        self.photos[photo_id] = photo
        if not photo["published"]:
            return {"id": photo_id}
        post = self.new_post(message=message, photos=[photo_id], object_id=photo_id)
        photo["used_in"] = post["id"]
        photo["post_id"] = post["id"]
        return {"id": photo_id, "post_id": post["id"]}

    def list_posts(self, req: Request, page: dict, edge: str):
        self.reader(req, page["id"])
        posts = self.live_posts()
        since = req.params.get("since")
        until = req.params.get("until")
        if since not in (None, ""):
            s = parse_time_param(since, "since")
            posts = [x for x in posts if x["created_time"] >= s]
        if until not in (None, ""):
            u = parse_time_param(until, "until")
            posts = [x for x in posts if x["created_time"] <= u]
        chunk, paging = paginate(req, posts, default_limit=25, max_limit=100)
        specs = parse_fields(req.params.str("fields"))
        data = [self.post_node(req, x, specs, default=["created_time", "message", "id"]) for x in chunk]
        out = {"data": data}
        if paging:
            out["paging"] = paging
        return out

    # -- posts ----------------------------------------------------------------------------

    def post_values(self, post: dict) -> dict:
        photos = [self.photos[i] for i in post["photos"] if i in self.photos]
        kind = "added_photos" if photos else ("shared_story" if post["link"] else "mobile_status_update")
        v = {
            "id": post["id"], "created_time": graph_time(post["created_time"]),
            "updated_time": graph_time(post["updated_time"]), "message": post["message"] or None,
            "permalink_url": f"https://www.facebook.com/{post['page_id']}/posts/{post['object_id']}",
            "from": {"name": self.page["name"], "id": self.page["id"]},
            "is_published": post["published"], "is_hidden": post["is_hidden"],
            "is_expired": False, "is_popular": False, "is_spherical": False, "is_inline_created": False,
            "is_eligible_for_promotion": True, "is_instagram_eligible": False,
            "status_type": kind, "subscribed": True, "timeline_visibility": "normal",
            "privacy": {"allow": "", "deny": "", "description": "Public", "friends": "", "value": "EVERYONE"},
            "shares": {"count": post["shares"]} if post["shares"] else None,
            "scheduled_publish_time": int(post["scheduled_publish_time"]) if post.get("scheduled_publish_time") and not post["published"] else None,
            "full_picture": f"https://scontent.xx.fbcdn.net/v/t39.30808-6/{photos[0]['id']}_n.jpg" if photos else None,
            "picture": f"https://scontent.xx.fbcdn.net/v/t39.30808-6/s130x130/{photos[0]['id']}_n.jpg" if photos else None,
        }
        return v

    def attachments(self, post: dict) -> dict | None:
        photos = [self.photos[i] for i in post["photos"] if i in self.photos]

        def photo_att(ph):
            a = {"media": {"image": {"height": ph["height"] or 0, "width": ph["width"] or 0,
                                     "src": f"https://scontent.xx.fbcdn.net/v/t39.30808-6/{ph['id']}_n.jpg"}},
                 "target": {"id": ph["id"], "url": f"https://www.facebook.com/photo.php?fbid={ph['id']}"},
                 "type": "photo", "media_type": "photo",
                 "url": f"https://www.facebook.com/photo.php?fbid={ph['id']}"}
            if ph.get("alt_text_custom"):
                a["description"] = ph["alt_text_custom"]
            return a

        if len(photos) == 1:
            return {"data": [photo_att(photos[0])]}
        if len(photos) > 1:
            return {"data": [{"media_type": "album", "type": "album",
                              "target": {"id": post["object_id"], "url": f"https://www.facebook.com/{post['page_id']}/posts/{post['object_id']}"},
                              "url": f"https://www.facebook.com/{post['page_id']}/posts/{post['object_id']}",
                              "subattachments": {"data": [photo_att(p) for p in photos]}}]}
        if post["link"]:
            return {"data": [{"media_type": "link", "type": "share", "url": post["link"],
                              "target": {"url": post["link"]}, "title": post["link"]}]}
        return None

    def reaction_list(self, post: dict, only=None) -> list:
        out = []
        for r in REACTIONS:
            if only and r not in only:
                continue
            for uid in post["reactions"][r]:
                out.append({"id": uid, "name": self.users.get(uid, {}).get("name", "Someone"), "type": r})
        return out

    def edge_list(self, items: list, spec: FieldSpec, summary: dict | None, sub_default: list, sub_known: set, node_type: str):
        limit = spec.mods.get("limit")
        try:
            n = int(limit) if limit is not None else 25
        except ValueError:
            raise GraphError(100, f"(#100) Invalid limit {limit}")
        sub = spec.sub
        data = [select_fields(node_type, it, sub, sub_default, sub_known) for it in items[:n]]
        out = {"data": data}
        if spec.mods.get("summary") not in (None, "false", "0") and summary is not None:
            out["summary"] = summary
        return out

    def post_node(self, req: Request, post: dict, specs, default=("created_time", "message", "id")):
        t = req.token

        def expand(spec: FieldSpec):
            if spec.name == "attachments":
                return True, self.attachments(post)
            if spec.name in ("reactions", "likes"):
                only = ["LIKE"] if spec.name == "likes" else None
                typ = spec.mods.get("type")
                if typ:
                    only = [typ.upper()]
                items = self.reaction_list(post, only)
                summ = {"total_count": len(items), "viewer_reaction": "NONE"} if spec.name == "reactions" else \
                    {"total_count": len(items), "can_like": True, "has_liked": False}
                return True, self.edge_list(items, spec, summ, ["id", "name", "type"] if spec.name == "reactions" else ["id", "name"],
                                            {"id", "name", "type", "pic", "profile_type"}, "Reaction")
            if spec.name == "comments":
                items = [self.comment_values(c, t) for c in self.comments_of(post["id"], t, top_level=True)]
                summ = {"order": "chronological", "total_count": len(items), "can_comment": True}
                return True, self.edge_list(items, spec, summ, ["created_time", "from", "message", "id"], COMMENT_FIELDS, "Comment")
            if spec.name == "insights":
                metrics = spec.mods.get("metric")
                return True, {"data": self.insights_data(post, metrics, None)}
            if spec.name in ("sharedposts", "sponsor_tags", "to"):
                return True, {"data": []}
            return False, None

        return select_fields("PagePost", self.post_values(post), specs, list(default), POST_FIELDS, expand)

    def route_post(self, req: Request, post: dict, rest: list):
        m = req.method
        if not rest:
            if m == "GET":
                self.reader(req, post["page_id"])
                if not post["published"] and req.token.kind != "PAGE":
                    raise err_no_object(m, post["id"])
                return self.post_node(req, post, parse_fields(req.params.str("fields")))
            if m == "POST":
                return self.edit_post(req, post)
            if m == "DELETE":
                self.page_token_for_writes(req, post["page_id"])
                post["deleted"] = True
                post["deleted_time"] = self.now()
                post["history"].append({"time": self.now(), "event": "deleted"})
                for fbid in post["photos"]:
                    if fbid in self.photos and self.photos[fbid].get("post_id") == post["id"]:
                        self.photos[fbid]["deleted"] = True
                return {"success": True}
        edge = rest[0]
        if edge == "comments" and len(rest) == 1:
            if m == "GET":
                return self.list_comments(req, post["page_id"], post["id"])
            if m == "POST":
                return self.create_comment(req, post["page_id"], post["id"], None)
        if edge == "insights" and m == "GET" and len(rest) <= 2:
            return self.post_insights(req, post, rest[1] if len(rest) == 2 else None)
        if edge in ("reactions", "likes") and len(rest) == 1 and m == "GET":
            self.reader(req, post["page_id"])
            only = ["LIKE"] if edge == "likes" else ([req.params.str("type").upper()] if req.params.str("type") else None)
            items = self.reaction_list(post, only)
            chunk, paging = paginate(req, items)
            out = {"data": chunk}
            if paging:
                out["paging"] = paging
            if req.params.str("summary"):
                out["summary"] = {"total_count": len(items), "viewer_reaction": "NONE"}
            return out
        self.authenticate(req)
        raise err_unknown_path("/" + "/".join(rest))

    def edit_post(self, req: Request, post: dict):
        self.page_token_for_writes(req, post["page_id"])
        p = req.params
        changed = False
        msg = p.str("message")
        if msg is not None:
            if len(msg) > MESSAGE_MAX:
                raise GraphError(100, f"(#100) Param message must be at most {MESSAGE_MAX} characters long")
            post["history"].append({"time": self.now(), "event": "edited", "message": msg, "previous": post["message"]})
            post["message"] = msg
            changed = True
        hidden = p.bool("is_hidden")
        if hidden is not None:
            post["is_hidden"] = hidden
            post["history"].append({"time": self.now(), "event": "hidden" if hidden else "unhidden"})
            changed = True
        pub = p.bool("is_published")
        if pub is not None and pub and not post["published"]:
            post["published"] = True
            post["created_time"] = self.now()
            post["history"].append({"time": self.now(), "event": "published"})
            changed = True
        if changed:
            post["updated_time"] = self.now()
        return {"success": True}

    # -- insights -------------------------------------------------------------------------

    def metric_value(self, post: dict, name: str):
        counts = {r: len(post["reactions"][r]) for r in REACTIONS}
        comments = len([c for c in self.comments.values() if c["post_id"] == post["id"] and not c["deleted"]])
        if name == "post_media_view":
            return post["views"]
        if name == "post_total_media_view_unique":
            return post["reach"]
        if name == "post_clicks":
            return post["clicks"]
        if name == "post_clicks_by_type":
            return {"other clicks": post["clicks"]} if post["clicks"] else {}
        if name == "post_reactions_by_type_total":
            return {k.lower(): v for k, v in counts.items() if v}
        if name.startswith("post_reactions_") and name.endswith("_total"):
            key = name[len("post_reactions_"):-len("_total")].upper()
            key = {"ANGER": "ANGRY"}.get(key, key)
            return counts.get(key, 0)
        if name.startswith("post_activity_by_action_type"):
            d = {"comment": comments, "like": sum(counts.values()), "share": post["shares"]}
            return {k: v for k, v in d.items() if v}
        if name == "post_video_views":
            return 0
        return 0

    def insights_data(self, post: dict, metric_param, period) -> list:
        if metric_param in (None, ""):
            raise GraphError(3001, "No metric was specified to be fetched. Please specify one or more metrics to be fetched and try again.",
                             subcode=1504028, user_title="No Metric Specified",
                             user_msg="No metric was specified to be fetched. Please specify one or more metrics to be fetched and try again.")
        names = [x.strip() for x in str(metric_param).split(",") if x.strip()]
        for n in names:
            if n not in POST_METRICS:
                # one unknown or retired name fails the whole request
                raise GraphError(100, "(#100) The value must be a valid insights metric")
        if period not in (None, "", "lifetime"):
            return []
        out = []
        for n in names:
            title, desc = POST_METRICS[n]
            out.append({"name": n, "period": "lifetime", "values": [{"value": self.metric_value(post, n)}],
                        "title": title, "description": desc, "id": f"{post['id']}/insights/{n}/lifetime"})
        return out

    def post_insights(self, req: Request, post: dict, metric_path):
        t = self.authenticate(req)
        if t.kind != "PAGE":
            raise GraphError(190, "(#190) This method must be called with a Page Access Token")
        if t.profile_id != post["page_id"]:
            raise GraphError(10, "(#10) Application does not have permission for this action")
        if not {"read_insights", "pages_read_engagement"} <= set(t.scopes):
            raise GraphError(10, "(#10) Application does not have permission for this action")
        metric = metric_path if metric_path else req.params.str("metric")
        data = self.insights_data(post, metric, req.params.str("period"))
        return {"data": data, "paging": {
            "previous": f"{self.base_url}/{req.version}/{post['id']}/insights?metric={metric}",
            "next": f"{self.base_url}/{req.version}/{post['id']}/insights?metric={metric}"}}

    # -- photos ---------------------------------------------------------------------------

    def photo_node_values(self, ph: dict) -> dict:
        src = f"https://scontent.xx.fbcdn.net/v/t39.30808-6/{ph['id']}_n.jpg"
        return {"id": ph["id"], "_t": ph["created_time"], "created_time": graph_time(ph["created_time"]),
                "updated_time": graph_time(ph["created_time"]), "name": ph["caption"],
                "alt_text_custom": ph["alt_text_custom"],
                "alt_text": ph["alt_text_custom"] or "May be an image",
                "from": {"name": self.page["name"], "id": self.page["id"]},
                "height": ph["height"], "width": ph["width"], "picture": src,
                "images": [{"height": ph["height"] or 0, "width": ph["width"] or 0, "source": src}],
                "link": f"https://www.facebook.com/photo.php?fbid={ph['id']}",
                "page_story_id": ph["post_id"], "can_delete": True, "can_tag": True}

    def route_photo(self, req: Request, ph: dict, rest: list):
        m = req.method
        if rest:
            self.authenticate(req)
            raise err_unknown_path("/" + "/".join(rest))
        if m == "GET":
            self.reader(req, ph["page_id"])
            v = self.photo_node_values(ph)
            v.pop("_t")
            return select_fields("Photo", v, parse_fields(req.params.str("fields")), ["created_time", "from", "name", "id"], PHOTO_FIELDS)
        if m == "DELETE":
            self.page_token_for_writes(req, ph["page_id"])
            ph["deleted"] = True
            return {"success": True}
        if m == "POST":
            self.page_token_for_writes(req, ph["page_id"])
            if req.params.str("alt_text_custom") is not None:
                ph["alt_text_custom"] = req.params.str("alt_text_custom")
            if req.params.str("name") is not None:
                ph["caption"] = req.params.str("name")
            return {"success": True}
        raise err_no_object(m, ph["id"])

    # -- comments -------------------------------------------------------------------------

    def comments_of(self, parent_id: str, t: Token | None, top_level: bool) -> list:
        out = []
        for c in self.comments.values():
            if c["deleted"]:
                continue
            if top_level and (c["post_id"] != parent_id or c["parent_id"]):
                continue
            if not top_level and c["parent_id"] != parent_id:
                continue
            if c["is_hidden"] and not (t and t.kind == "PAGE"):
                continue
            out.append(c)
        out.sort(key=lambda c: (c["created_time"], c["seq"]))
        return out

    def comment_values(self, c: dict, t: Token | None) -> dict:
        author = self.users.get(c["from_id"]) or (self.page if c["from_id"] == self.page["id"] else None)
        v = {"id": c["id"], "created_time": graph_time(c["created_time"]), "message": c["message"],
             "is_hidden": c["is_hidden"], "can_hide": c["from_id"] != self.page["id"],
             "can_remove": True, "can_comment": True, "can_like": True, "is_private": False,
             "like_count": c["like_count"], "user_likes": False,
             "comment_count": len([x for x in self.comments.values() if x["parent_id"] == c["id"] and not x["deleted"]]),
             "permalink_url": f"https://www.facebook.com/{self.page['id']}/posts/{c['post_id'].split('_')[1]}?comment_id={c['id'].split('_')[1]}",
             "object": {"id": c["post_id"]}}
        if c["parent_id"]:
            v["parent"] = {"id": c["parent_id"]}
        # who wrote it is shown with pages_read_user_content (or when the Page wrote it)
        if t is not None and ("pages_read_user_content" in t.scopes or c["from_id"] == self.page["id"]):
            v["from"] = {"name": author["name"], "id": author["id"]} if author else None
        return v

    def list_comments(self, req: Request, page_id: str, parent_id: str, is_comment=False):
        t = self.reader(req, page_id)
        p = req.params
        filt = p.str("filter") or "toplevel"
        if is_comment:
            items = self.comments_of(parent_id, t, top_level=False)
        elif filt == "stream":
            items = [c for c in self.comments.values() if c["post_id"] == parent_id and not c["deleted"]
                     and (not c["is_hidden"] or t.kind == "PAGE")]
            items.sort(key=lambda c: (c["created_time"], c["seq"]))
        else:
            items = self.comments_of(parent_id, t, top_level=True)
        order = p.str("order") or "chronological"
        if order == "reverse_chronological":
            items = list(reversed(items))
        values = [self.comment_values(c, t) for c in items]
        chunk, paging = paginate(req, values)
        specs = parse_fields(p.str("fields"))
        data = [select_fields("Comment", v, specs, ["created_time", "from", "message", "id"], COMMENT_FIELDS) for v in chunk]
        out = {"data": data}
        if paging:
            out["paging"] = paging
        if p.bool("summary", False):
            out["summary"] = {"order": order, "total_count": len(values), "can_comment": True}
        return out

    def new_comment(self, post_id: str, parent_id: str | None, from_id: str, message: str) -> dict:
        self.comment_seq += 1
        obj = post_id.split("_")[1]
        cid = f"{obj}_{self.ids.numeric('1', 15)}"
        now = self.now()
        c = {"id": cid, "post_id": post_id, "parent_id": parent_id, "from_id": from_id,
             "message": message, "created_time": now, "is_hidden": False, "deleted": False,
             "like_count": 0, "seq": self.comment_seq, "history": [{"time": now, "event": "created", "message": message}]}
        self.comments[cid] = c
        return c

    def create_comment(self, req: Request, page_id: str, post_id: str, parent_id: str | None):
        t = self.authenticate(req)
        if t.kind != "PAGE" or t.profile_id != page_id or "pages_manage_engagement" not in t.scopes:
            raise GraphError(200, "(#200) Permissions error")
        self.write_guard()
        msg = req.params.str("message")
        if not msg and not req.params.str("attachment_url") and not req.params.str("attachment_id"):
            raise GraphError(100, "(#100) Missing message or attachment")
        c = self.new_comment(post_id, parent_id, page_id, msg or "")
        return {"id": c["id"]}

    def route_comment(self, req: Request, c: dict, rest: list):
        m = req.method
        page_id = self.page["id"]
        if rest == ["comments"]:
            if m == "GET":
                return self.list_comments(req, page_id, c["id"], is_comment=True)
            if m == "POST":
                return self.create_comment(req, page_id, c["post_id"], c["id"])
        if rest:
            self.authenticate(req)
            raise err_unknown_path("/" + "/".join(rest))
        if m == "GET":
            t = self.reader(req, page_id)
            if c["is_hidden"] and t.kind != "PAGE":
                raise err_no_object(m, c["id"])
            return select_fields("Comment", self.comment_values(c, t), parse_fields(req.params.str("fields")),
                                 ["created_time", "from", "message", "id"], COMMENT_FIELDS)
        t = self.authenticate(req)
        if t.kind != "PAGE" or t.profile_id != page_id or "pages_manage_engagement" not in t.scopes:
            raise GraphError(200, "(#200) Permissions error")
        self.write_guard()
        if m == "DELETE":
            c["deleted"] = True
            c["history"].append({"time": self.now(), "event": "deleted"})
            return {"success": True}
        if m == "POST":
            hidden = req.params.bool("is_hidden")
            msg = req.params.str("message")
            if hidden is not None:
                if c["from_id"] == page_id:
                    raise GraphError(100, "(#100) A Page cannot hide its own comment")
                c["is_hidden"] = hidden
                c["history"].append({"time": self.now(), "event": "hidden" if hidden else "unhidden"})
            if msg is not None:
                if c["from_id"] != page_id:
                    raise GraphError(200, "(#200) Permissions error")
                c["history"].append({"time": self.now(), "event": "edited", "message": msg, "previous": c["message"]})
                c["message"] = msg
            return {"success": True}
        raise err_no_object(m, c["id"])

    # -- control --------------------------------------------------------------------------

    def control_engage(self, data: dict) -> dict:
        action = data.get("action", "like")
        count = int(data.get("count", 1))
        target = str(data.get("post_id") or data.get("comment_id") or "")
        who = self.citizen["id"]
        if action in ("edit_comment", "delete_comment"):
            # The citizen edits or deletes a comment of their own, as in the app: the comment
            # keeps its id with the new message, or leaves every listing.
            c = self.comments.get(target)
            if not c or c["deleted"]:
                raise ValueError(f"no live comment {target}")
            if c["from_id"] == self.page["id"]:
                raise ValueError("the Page's own comments are edited through the API")
            if action == "edit_comment":
                msg = data.get("message", "Ändrad kommentar")
                c["history"].append({"time": self.now(), "event": "edited", "message": msg, "previous": c["message"]})
                c["message"] = msg
            else:
                c["deleted"] = True
                c["history"].append({"time": self.now(), "event": "deleted"})
            return {"comment_id": c["id"]}
        if action in ("reply_comment",):
            c = self.comments.get(target)
            if not c:
                raise ValueError(f"no comment {target}")
            nc = self.new_comment(c["post_id"], c["id"], who, data.get("message", "Svar"))
            return {"comment_id": nc["id"]}
        post = self.posts.get(target)
        if post is None or post["deleted"]:
            raise ValueError(f"no live post {target}")
        if action in ("like", "react"):
            r = str(data.get("reaction", "LIKE")).upper()
            if r not in REACTIONS:
                raise ValueError(f"reaction is one of {REACTIONS}")
            for i in range(count):
                uid = who if i == 0 else self.ids.numeric("10", 17)
                if uid not in self.users:
                    self.users[uid] = {"id": uid, "name": f"Medborgare {i + 1}"}
                if uid not in post["reactions"][r]:
                    post["reactions"][r].append(uid)
            return {"post_id": post["id"], "reactions": {k: len(v) for k, v in post["reactions"].items()}}
        if action == "comment":
            c = self.new_comment(post["id"], data.get("parent_id"), who, data.get("message", "En kommentar"))
            return {"comment_id": c["id"]}
        if action == "share":
            post["shares"] += count
            return {"post_id": post["id"], "shares": post["shares"]}
        if action == "view":
            post["views"] += count
            post["reach"] += int(data.get("unique", count))
            return {"post_id": post["id"], "views": post["views"], "reach": post["reach"]}
        if action == "click":
            post["clicks"] += count
            return {"post_id": post["id"], "clicks": post["clicks"]}
        raise ValueError("action is like, react, comment, reply_comment, edit_comment, delete_comment, share, view or click")

    def state(self) -> dict:
        self.publish_due()
        def ts(v):
            return graph_time(v) if v else None
        posts = []
        for p in sorted(self.posts.values(), key=lambda p: p["created_time"]):
            q = dict(p)
            q["created_time"] = ts(p["created_time"])
            q["updated_time"] = ts(p["updated_time"])
            q["deleted_time"] = ts(p["deleted_time"])
            q["scheduled_publish_time"] = ts(p["scheduled_publish_time"])
            q["reactions"] = {k: len(v) for k, v in p["reactions"].items()}
            q["comments"] = [c["id"] for c in self.comments.values() if c["post_id"] == p["id"]]
            q["history"] = [dict(h, time=ts(h["time"])) for h in p["history"]]
            posts.append(q)
        return {
            "platform": "facebook", "now": graph_time(self.now()), "page": self.page,
            "users": list(self.users.values()), "posts": posts,
            "photos": [dict(ph, created_time=ts(ph["created_time"])) for ph in self.photos.values()],
            "comments": [dict(c, created_time=ts(c["created_time"]),
                              history=[dict(h, time=ts(h["time"])) for h in c["history"]]) for c in self.comments.values()],
            "tokens": [t.public() for t in self.tokens.values()],
            "buckets": [vars(b) for b in self.buckets.values()],
            "config": self.config,
        }


if __name__ == "__main__":
    main(FacebookFake, "Fake Facebook Pages Graph API")
