#!/usr/bin/env python3
"""A stateful fake of the Instagram API with Facebook Login (graph.facebook.com, an Instagram
professional account connected to a Page), written from Meta's documentation for the budkavle
publish tests. See README.md next to this file.

    python3 tests/peers/instagram/server.py --port 0 [--seed seed.json]

prints one JSON line ({"url": ..., "ig_user_id": ..., "access_token": ..., ...}) and serves until
killed. image_url is really fetched over HTTP. Standard library only."""

from __future__ import annotations

import base64
import os
import re
import secrets
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from meta_graph.core import (  # noqa: E402
    GraphApp, GraphError, Request, Token, err_no_object, err_no_permission, err_param_required,
    err_unknown_path, graph_time, main, paginate, parse_fields, select_fields)
from meta_graph.media import FetchFailed, dimensions, fetch, sniff  # noqa: E402

SCOPES = ["instagram_basic", "instagram_content_publish", "instagram_manage_comments",
          "instagram_manage_insights", "instagram_manage_contents", "pages_show_list",
          "pages_read_engagement", "business_management", "public_profile"]
PUBLISH_SCOPES = ("instagram_basic", "instagram_content_publish", "pages_read_engagement")
READ_SCOPES = ("instagram_basic", "pages_read_engagement")
COMMENT_SCOPES = ("instagram_basic", "instagram_manage_comments", "pages_read_engagement")
INSIGHT_SCOPES = ("instagram_basic", "instagram_manage_insights", "pages_read_engagement")
DELETE_SCOPES = ("instagram_basic", "instagram_manage_contents")

CAPTION_MAX = 2200
HASHTAGS_MAX = 30
MENTIONS_MAX = 20
IMAGE_MAX_BYTES = 8 * 1024 * 1024
QUOTA_TOTAL = 100
QUOTA_DURATION = 86400
CONTAINER_TTL = 86400

USER_FIELDS = {"id", "ig_id", "username", "name", "biography", "followers_count", "follows_count",
               "media_count", "profile_picture_url", "website", "media", "tags", "stories",
               "content_publishing_limit", "mentioned_media", "mentioned_comment", "insights",
               "business_discovery", "shopping_product_tag_eligibility", "has_profile_pic",
               "is_published", "legacy_instagram_user_id"}
CONTAINER_FIELDS = {"id", "status", "status_code", "copyright_check_status", "video_status"}
MEDIA_FIELDS = {"alt_text", "boost_eligibility_info", "caption", "comments_count",
                "copyright_check_information", "current_live_viewer_count", "has_poll", "has_slider",
                "id", "ig_id", "is_comment_enabled", "is_shared_to_feed", "legacy_instagram_media_id",
                "like_count", "media_audio_type", "media_product_type", "media_type", "media_url",
                "owner", "permalink", "reposts_count", "saved_count", "shares_count", "shortcode",
                "thumbnail_url", "timestamp", "total_comments_count", "total_like_count",
                "total_views_count", "username", "video_title", "view_count",
                "children", "comments", "insights", "collaborators"}
COMMENT_FIELDS = {"id", "from", "hidden", "legacy_instagram_comment_id", "like_count", "media",
                  "parent_id", "replies", "text", "timestamp", "user", "username"}

# Media insights (https://developers.facebook.com/docs/instagram-platform/reference/instagram-media/insights)
MEDIA_METRICS = {
    "views": ("Views", "The number of times the media was played or displayed."),
    "reach": ("Accounts reached", "The number of unique accounts that have seen the media at least once."),
    "likes": ("Likes", "The number of likes on the media."),
    "comments": ("Comments", "The number of comments on the media."),
    "shares": ("Shares", "The number of shares of the media."),
    "saved": ("Saved", "The number of saves of the media."),
    "total_interactions": ("Interactions", "Likes, saves, comments and shares on the media, minus unlikes, unsaves and deleted comments."),
    "follows": ("Follows", "The number of accounts that started following the account from the media."),
    "profile_visits": ("Profile visits", "The number of times the profile was visited from the media."),
    "profile_activity": ("Profile activity", "The number of actions people took on the profile after engaging with the media."),
    "reposts": ("Reposts", "The number of times the media was reposted."),
    "total_likes": ("Total likes", "Likes including those on ads containing the media."),
    "total_comments": ("Total comments", "Comments including those on ads containing the media."),
    "total_views": ("Total views", "Views including those of ads containing the media."),
}
REELS_ONLY = {"ig_reels_avg_watch_time", "ig_reels_video_view_total_time", "reels_skip_rate",
              "crossposted_views", "facebook_views"}
STORY_ONLY = {"navigation", "replies"}
# Deprecated for v22.0, and for all versions on April 21, 2025 (media insights reference)
RETIRED_V22 = {"impressions", "plays", "clips_replays_count", "ig_reels_aggregated_all_plays_count"}


class IGError(GraphError):
    """An Instagram publishing error as the Error Codes reference lays it out."""

    def __init__(self, code, subcode, message, user_title=None, user_msg=None, transient=False):
        super().__init__(code, message, subcode=subcode, user_title=user_title,
                         user_msg=user_msg or message, is_transient=transient)

    def as_tuple(self):
        return (self.code, self.subcode, self.message, self.user_title, self.user_msg)


def err_fetch(uri):
    return IGError(9004, 2207052, f"The media could not be fetched from this uri: {uri}",
                   "Media download has failed", f"The media could not be fetched from this uri: {uri}")


def err_timeout():
    return IGError(-2, 2207003, "It takes too long to download the media.", "Timeout",
                   "It takes too long to download the media.", transient=True)


def err_format():
    return IGError(36001, 2207005, "The image format is not supported.", "Unsupported image format",
                   "The image format is not supported. Supported formats are: JPEG")


def err_too_large():
    return IGError(36000, 2207004, "The image size is too large.", "Image size too large",
                   "The image is too large to download. It should be less than 8 MiB.")


def err_aspect(w, h):
    return IGError(36003, 2207009, f"The submitted image with aspect ratio ('{w / h:.4f}') cannot be published. "
                   "Please submit an image with a valid aspect ratio.", "Invalid aspect ratio",
                   f"The submitted image with aspect ratio ('{w / h:.4f}') cannot be published. "
                   "Please submit an image with a valid aspect ratio.")


def err_not_ready():
    return IGError(9007, 2207027, "Media ID is not available", "Media not ready for publishing",
                   "The media is not ready for publishing, please wait for a moment")


def err_expired():
    return IGError(-2, 2207020, "The media you are trying to access has expired. Please try to upload again.",
                   "Media expired", "The media you are trying to access has expired. Please try to upload again.")


def err_builder_gone(cid):
    return IGError(24, 2207008, f"The media builder with creation id = {cid} does not exist or has been expired.",
                   "Media builder not found",
                   f"The media builder with creation id = {cid} does not exist or has been expired.")


def err_media_missing(cid):
    return IGError(24, 2207006, f"The media with id {cid} cannot be found.", "Media not found",
                   f"The media with id {cid} cannot be found.")


def err_quota():
    return IGError(9, 2207042, "Application request limit reached", "Maximum number of posts reached",
                   "You reached maximum number of posts that is allowed to be published by Content Publishing API.")


def err_carousel_count():
    return IGError(100, 2207028, "Invalid parameter", "Carousel needs 2 to 10 items",
                   "Your post won't work as a carousel. Carousels need at least 2 photos/videos and no more than 10 photos/videos.")


def shortcode() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(9)).decode()[:11]


class InstagramFake(GraphApp):
    platform = "instagram"

    def __init__(self, seed: dict):
        super().__init__(seed)
        a = seed.get("account", {})
        self.account = {"id": str(a.get("id") or self.ids.numeric("178414", 17)),
                        "username": a.get("username", "exempelbykommun"),
                        "name": a.get("name", "Exempelby kommun"),
                        "biography": a.get("biography", "Officiellt konto för Exempelby kommun."),
                        "followers_count": int(a.get("followers_count", 1234)), "follows_count": 12}
        self.page = {"id": str(seed.get("page_id") or self.ids.numeric("10", 15)), "name": self.account["name"]}
        o = seed.get("owner", {})
        self.owner = {"id": str(o.get("id") or self.ids.numeric("10", 17)), "name": o.get("name", "Kommunikatör Test")}
        c = seed.get("citizen", {})
        self.citizen = {"id": str(c.get("id") or self.ids.numeric("178414", 17)), "username": c.get("username", "medborgare_test")}
        self.carousel_max = int(seed.get("carousel_max", 10))
        self.quota_total = int(seed.get("quota_total", QUOTA_TOTAL))
        self.containers: dict[str, dict] = {}
        self.media: dict[str, dict] = {}
        self.comments: dict[str, dict] = {}
        self.tagged: list[dict] = []
        self.publishes: list[float] = []
        self.token = self.add_token(kind="USER", user_id=self.owner["id"], scopes=SCOPES, expires_in=60 * 86400,
                                    label="user", value=seed.get("access_token"))
        self.page_token = self.add_token(kind="PAGE", user_id=self.owner["id"], profile_id=self.page["id"],
                                         scopes=SCOPES, label="page", value=seed.get("page_token"))
        self.named = {
            "expired": self.add_token(kind="USER", user_id=self.owner["id"], scopes=SCOPES, invalid="expired", label="expired").value,
            "password_changed": self.add_token(kind="USER", user_id=self.owner["id"], scopes=SCOPES,
                                               invalid="password_changed", label="password_changed").value,
            "no_publish": self.add_token(kind="USER", user_id=self.owner["id"],
                                         scopes=[s for s in SCOPES if s != "instagram_content_publish"], label="no_publish").value,
            "no_insights": self.add_token(kind="USER", user_id=self.owner["id"],
                                          scopes=[s for s in SCOPES if s != "instagram_manage_insights"], label="no_insights").value,
        }
        for spec in seed.get("tokens", []):
            t = self.make_token_from_control(spec)
            self.named[t.label or t.value] = t.value

    # -- tokens, limits -------------------------------------------------------------------

    def make_token_from_control(self, data: dict) -> Token:
        kind = str(data.get("kind", "USER")).upper()
        scopes = data.get("scopes", SCOPES)
        return self.add_token(kind=kind, user_id=self.owner["id"],
                              profile_id=self.page["id"] if kind == "PAGE" else None, scopes=scopes,
                              declined=data.get("declined", []), expires_in=data.get("expires_in"),
                              invalid=data.get("invalid"), label=data.get("label", ""), value=data.get("token"))

    def buckets_for(self, req: Request, t: Token):
        # Instagram Platform calls are subject to Business Use Case limits (rate-limiting doc)
        lim = self.seed.get("limits", {})
        return [self.bucket(f"instagram:{self.account['id']}", "instagram", int(lim.get("instagram", 48000)), 86400.0)]

    def resolve_bucket(self, name: str):
        if name == "instagram":
            lim = self.seed.get("limits", {})
            return self.bucket(f"instagram:{self.account['id']}", "instagram", int(lim.get("instagram", 48000)), 86400.0)
        return super().resolve_bucket(name)

    def control_quota(self, data: dict) -> dict:
        if data.get("bucket") == "publishing":
            now = self.clock.now()
            self.prune_publishes()
            if "limit" in data:
                self.quota_total = int(data["limit"])
            if "remaining" in data:
                want_used = max(0, self.quota_total - int(data["remaining"]))
                self.publishes = self.publishes[-want_used:] if want_used else []
                while len(self.publishes) < want_used:
                    self.publishes.insert(0, now)
            return {"bucket": "publishing", "quota_usage": len(self.publishes), "quota_total": self.quota_total,
                    "quota_duration": QUOTA_DURATION}
        return super().control_quota(data)

    def ready_info(self) -> dict:
        return {"platform": "instagram", "graph_versions": {"oldest": self.versions[0], "latest": self.versions[1]},
                "app_id": self.app_id, "app_secret": self.app_secret, "app_token": self.app_token_value(),
                "ig_user_id": self.account["id"], "username": self.account["username"],
                "page_id": self.page["id"], "user_id": self.owner["id"],
                "access_token": self.token.value, "page_token": self.page_token.value,
                "citizen_ig_user_id": self.citizen["id"], "citizen_username": self.citizen["username"],
                "tokens": dict(self.named)}

    # -- helpers --------------------------------------------------------------------------

    def now(self):
        return self.clock.now()

    def need(self, req: Request, scopes) -> Token:
        t = self.authenticate(req)
        if t.kind == "APP":
            raise err_no_permission()
        if t.kind not in ("USER", "PAGE", "SYSTEM_USER") or any(s not in t.scopes for s in scopes):
            raise err_no_permission()
        return t

    def write_guard(self):
        if self.config["blocked"]:
            raise IGError(4, 2207051, "Application request limit reached", "Action is blocked",
                          "We restrict certain activity to protect our community. Tell us if you think we made a mistake.")

    def prune_publishes(self):
        now = self.now()
        self.publishes = [t for t in self.publishes if now - t < QUOTA_DURATION]

    def container_state(self, c: dict) -> str:
        """Moves a container along IN_PROGRESS -> FINISHED/ERROR, or to EXPIRED after 24 h."""
        now = self.now()
        if c["status_code"] in ("PUBLISHED", "ERROR", "EXPIRED"):
            return c["status_code"]
        if now - c["created"] >= CONTAINER_TTL:
            c["status_code"] = "EXPIRED"
            return c["status_code"]
        if c["media_type"] == "CAROUSEL":
            states = [self.container_state(self.containers[k]) for k in c["children"]]
            if "ERROR" in states or "EXPIRED" in states:
                c["status_code"] = "ERROR"
                c["error"] = IGError(-1, 2207032, "Create media fail, please try to re-create media",
                                     "Create media fail", "Create media fail, please try to re-create media").as_tuple()
                return "ERROR"
            if all(s == "FINISHED" for s in states) and now >= c["ready_at"]:
                c["status_code"] = "FINISHED"
            return c["status_code"]
        f = c["fetch"]
        if not f["done"]:
            return "IN_PROGRESS"
        if f["error"]:
            c["status_code"] = "ERROR"
            c["error"] = f["error"]
            return "ERROR"
        if now >= c["ready_at"]:
            c["status_code"] = "FINISHED"
        return c["status_code"]

    @staticmethod
    def status_text(c: dict) -> str:
        s = c["status_code"]
        if s == "FINISHED":
            return "Finished: Media has been uploaded and it is ready to be published."
        if s == "IN_PROGRESS":
            return "In Progress: Media is still being processed."
        if s == "PUBLISHED":
            return "Published: Media has been successfully published."
        if s == "EXPIRED":
            return "Expired: Media container was not published within 24 hours."
        code, sub, msg = c["error"][0], c["error"][1], c["error"][4] or c["error"][2]
        return f"Error: {msg} (error code {code}, subcode {sub})"

    def check_image(self, url: str, data: bytes):
        if len(data) > IMAGE_MAX_BYTES:
            raise err_too_large()
        fmt = sniff(data)
        if fmt != "jpeg":
            raise err_format()
        dims = dimensions(data, fmt)
        if dims and dims[1]:
            ratio = dims[0] / dims[1]
            if not (0.8 - 1e-9 <= ratio <= 1.91 + 1e-9):
                raise err_aspect(*dims)
        return fmt, dims

    def fetch_image(self, url: str):
        try:
            _, data = fetch(url, timeout=self.config["fetch_timeout"])
        except FetchFailed as e:
            raise err_timeout() if e.timeout else err_fetch(url)
        fmt, dims = self.check_image(url, data)
        return {"format": fmt, "bytes": len(data), "width": dims[0] if dims else None, "height": dims[1] if dims else None}

    def background_fetch(self, cid: str, url: str):
        try:
            info = self.fetch_image(url)
            err = None
        except IGError as e:
            info, err = None, e.as_tuple()
        with self.lock:
            c = self.containers[cid]
            c["fetch"] = {"done": True, "error": err, "info": info}

    # -- routing --------------------------------------------------------------------------

    def route(self, req: Request):
        seg = req.segments
        if not seg:
            raise GraphError(100, "(#100) Unsupported request: no object given", type="GraphMethodException")
        head, rest = seg[0], seg[1:]
        m = req.method
        if head == "debug_token" and not rest and m == "GET":
            return self.debug_token(req)
        if head == "me":
            return self.route_me(req, rest)
        if head == self.account["id"]:
            return self.route_user(req, rest)
        if head == self.page["id"]:
            return self.route_page(req, rest)
        if head in self.containers:
            return self.route_container(req, self.containers[head], rest)
        if head in self.media and not self.media[head]["deleted"]:
            return self.route_media(req, self.media[head], rest)
        if head in self.comments and not self.comments[head]["deleted"]:
            return self.route_comment(req, self.comments[head], rest)
        self.authenticate(req)
        raise err_no_object(m, head)

    def route_me(self, req: Request, rest: list):
        t = self.authenticate(req, missing=GraphError(2500, "An active access token must be used to query information about the current user."))
        if t.kind == "APP":
            raise GraphError(2500, "An active access token must be used to query information about the current user.")
        if t.kind == "PAGE" and not rest:
            return select_fields("Page", {"id": self.page["id"], "name": self.page["name"]},
                                 parse_fields(req.params.str("fields")), ["name", "id"], {"id", "name", "instagram_business_account"})
        if not rest:
            return select_fields("User", self.owner, parse_fields(req.params.str("fields")), ["name", "id"], {"id", "name"})
        if rest == ["permissions"] and t.kind == "USER":
            return {"data": [{"permission": s, "status": "granted"} for s in t.scopes]
                    + [{"permission": s, "status": "declined"} for s in t.declined]}
        if rest == ["accounts"] and t.kind == "USER":
            if "pages_show_list" not in t.scopes:
                return {"data": []}
            entry = {"access_token": self.page_token.value, "name": self.page["name"], "id": self.page["id"],
                     "category": "Government organization",
                     "instagram_business_account": {"id": self.account["id"]},
                     "tasks": ["ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MANAGE"]}
            specs = parse_fields(req.params.str("fields"))
            data = [select_fields("Page", entry, specs, ["access_token", "category", "name", "id", "tasks"],
                                  set(entry))]
            return {"data": data, "paging": {"cursors": {"before": "QVFI", "after": "QVFI"}}}
        raise err_unknown_path("/" + "/".join(rest))

    def route_page(self, req: Request, rest: list):
        t = self.authenticate(req)
        if rest or req.method != "GET":
            raise err_unknown_path("/" + "/".join(rest)) if rest else err_no_object(req.method, self.page["id"])
        values = {"id": self.page["id"], "name": self.page["name"],
                  "instagram_business_account": {"id": self.account["id"]}}
        if t.kind == "USER" and "pages_show_list" in t.scopes:
            values["access_token"] = self.page_token.value
        return select_fields("Page", values, parse_fields(req.params.str("fields")), ["name", "id"],
                             {"id", "name", "instagram_business_account", "access_token", "connected_instagram_account"})

    # -- the IG user ----------------------------------------------------------------------

    def route_user(self, req: Request, rest: list):
        m = req.method
        if not rest:
            if m != "GET":
                self.authenticate(req)
                raise err_no_object(m, self.account["id"])
            self.need(req, ("instagram_basic",))
            live = [x for x in self.media.values() if not x["deleted"] and not x["child"]]
            values = dict(self.account, ig_id=int(self.account["id"][-10:]), media_count=len(live),
                          profile_picture_url=f"https://scontent.cdninstagram.com/v/t51.2885-19/{self.account['id']}_n.jpg",
                          website="https://www.exempelby.se")
            return select_fields("IGUser", values, parse_fields(req.params.str("fields")), ["id"], USER_FIELDS)
        edge = rest[0]
        if len(rest) > 1:
            self.authenticate(req)
            raise err_unknown_path("/" + "/".join(rest[1:]))
        if edge == "media" and m == "POST":
            return self.create_container(req)
        if edge == "media_publish" and m == "POST":
            return self.publish(req)
        if edge == "media" and m == "GET":
            return self.list_media(req)
        if edge == "content_publishing_limit" and m == "GET":
            return self.publishing_limit(req)
        if edge == "tags" and m == "GET":
            self.need(req, READ_SCOPES)
            items = sorted(self.tagged, key=lambda x: x["timestamp"], reverse=True)
            vals = [{"id": x["id"], "caption": x["caption"], "timestamp": graph_time(x["timestamp"]),
                     "username": self.citizen["username"], "media_type": "IMAGE", "permalink": x["permalink"],
                     "like_count": 0, "comments_count": 0} for x in items]
            chunk, paging = paginate(req, vals)
            specs = parse_fields(req.params.str("fields"))
            out = {"data": [select_fields("IGMedia", v, specs, ["id"], MEDIA_FIELDS) for v in chunk]}
            if paging:
                out["paging"] = paging
            return out
        self.authenticate(req)
        if m == "GET":
            raise err_unknown_path("/" + edge)
        raise err_no_object(m, f"{self.account['id']}/{edge}")

    def create_container(self, req: Request):
        self.need(req, PUBLISH_SCOPES)
        self.write_guard()
        p = req.params
        media_type = (p.str("media_type") or "").upper()
        image_url = p.str("image_url")
        caption = p.str("caption")
        alt = p.str("alt_text")
        is_item = p.bool("is_carousel_item", False)
        if media_type in ("VIDEO", "REELS", "STORIES") or p.str("video_url"):
            raise GraphError(100, "(#100) [fake] video, reels and stories are not simulated by this fake")
        if media_type and media_type not in ("IMAGE", "CAROUSEL"):
            raise IGError(100, 2207023, f"The media type {media_type} is unknown.", "Unknown media type",
                          f"The media type {media_type} is unknown.")
        if caption is not None:
            hashtags = len(re.findall(r"(?<![\w&])#\w+", caption))
            mentions = len(re.findall(r"(?<![\w])@[\w.]+", caption))
            if len(caption) > CAPTION_MAX or hashtags > HASHTAGS_MAX:
                raise IGError(36004, 2207010, "The caption is too long.", "Caption too long",
                              "The caption can have at most 2,200 characters and 30 hashtags.")
            if mentions > MENTIONS_MAX:
                raise IGError(100, 2207040, f"Cannot use more than {MENTIONS_MAX} tags per created media.",
                              "Too many tags", f"Cannot use more than {MENTIONS_MAX} tags per created media.")
        now = self.now()
        delay = self.config["container_delay"]
        cid = self.ids.numeric("178", 17)
        c = {"id": cid, "owner": self.account["id"], "media_type": media_type or "IMAGE", "image_url": image_url,
             "caption": caption, "alt_text": alt, "is_carousel_item": bool(is_item), "children": [],
             "created": now, "ready_at": now + delay, "status_code": "IN_PROGRESS", "error": None,
             "fetch": {"done": False, "error": None, "info": None}, "published_media_id": None,
             "used_in": None}
        if media_type == "CAROUSEL":
            if is_item:
                raise GraphError(100, "(#100) A carousel container cannot be a carousel item")
            if alt is not None:
                raise GraphError(100, "(#100) alt_text is only supported for image media")
            children = [str(x) for x in (p.list("children") or [])]
            if not (2 <= len(children) <= self.carousel_max):
                raise err_carousel_count()
            for k in children:
                child = self.containers.get(k)
                if child is None or child["owner"] != self.account["id"] or not child["is_carousel_item"] or child["used_in"]:
                    raise IGError(100, 2207006 if child is None else 2207028,
                                  f"The media with id {k} cannot be used as a carousel item.", "Invalid carousel item",
                                  f"The media with id {k} cannot be used as a carousel item.")
            c["children"] = children
            c["fetch"] = {"done": True, "error": None, "info": None}
            self.containers[cid] = c
            for k in children:
                self.containers[k]["used_in"] = cid
            return {"id": cid}
        if not image_url:
            raise err_param_required("image_url")
        if self.config["fetch_errors"] == "sync":
            # the variant where the create call itself answers the fetch/format error
            info = self.fetch_image(image_url)
            c["fetch"] = {"done": True, "error": None, "info": info}
            self.containers[cid] = c
        else:
            self.containers[cid] = c
            self.spawn(self.background_fetch, cid, image_url)
        return {"id": cid}

    def publish(self, req: Request):
        self.need(req, PUBLISH_SCOPES)
        self.write_guard()
        cid = req.params.str("creation_id")
        if not cid:
            raise err_param_required("creation_id")
        c = self.containers.get(cid)
        if c is None or c["owner"] != self.account["id"]:
            raise err_media_missing(cid)
        state = self.container_state(c)
        if c["is_carousel_item"]:
            raise GraphError(100, "(#100) A carousel item container cannot be published on its own; publish the carousel container")
        if state == "PUBLISHED":
            raise err_builder_gone(cid)
        if state == "EXPIRED":
            raise err_expired()
        if state == "ERROR":
            code, sub, msg, title, umsg = c["error"]
            raise IGError(code, sub, msg, title, umsg)
        if state != "FINISHED":
            raise err_not_ready()
        self.prune_publishes()
        if len(self.publishes) >= self.quota_total:
            raise err_quota()
        now = self.now()
        media_id = self.ids.numeric("179", 17)
        sc = shortcode()
        media = self.new_media(media_id, c, now, sc, child=False)
        if c["media_type"] == "CAROUSEL":
            media["media_type"] = "CAROUSEL_ALBUM"
            for k in c["children"]:
                child = self.containers[k]
                ch_id = self.ids.numeric("179", 17)
                self.new_media(ch_id, child, now, sc, child=True)
                media["children"].append(ch_id)
                child["status_code"] = "PUBLISHED"
        c["status_code"] = "PUBLISHED"
        c["published_media_id"] = media_id
        self.publishes.append(now)
        return {"id": media_id}

    def new_media(self, media_id, c, now, sc, child: bool) -> dict:
        info = (c.get("fetch") or {}).get("info") or {}
        m = {"id": media_id, "container_id": c["id"], "caption": None if child else c["caption"],
             "alt_text": c["alt_text"], "media_type": "IMAGE", "media_product_type": "FEED",
             "timestamp": now, "shortcode": sc, "permalink": f"https://www.instagram.com/p/{sc}/",
             "media_url": f"https://scontent.cdninstagram.com/v/t51.29350-15/{media_id}_n.jpg",
             "image_url": c["image_url"], "width": info.get("width"), "height": info.get("height"),
             "children": [], "child": child, "deleted": False, "deleted_time": None,
             "comment_enabled": True, "likes": 0, "views": 0, "reach": 0, "saved": 0, "shares": 0,
             "follows": 0, "profile_visits": 0, "reposts": 0,
             "history": [{"time": now, "event": "published", "caption": c["caption"]}]}
        self.media[media_id] = m
        return m

    def publishing_limit(self, req: Request):
        self.need(req, ("instagram_basic", "instagram_content_publish"))
        self.prune_publishes()
        since = req.params.get("since")
        usage = len(self.publishes)
        if since not in (None, ""):
            from meta_graph.core import parse_time_param
            s = parse_time_param(since, "since")
            usage = len([t for t in self.publishes if t >= s])
        values = {"quota_usage": usage, "config": {"quota_total": self.quota_total, "quota_duration": QUOTA_DURATION}}
        specs = parse_fields(req.params.str("fields"))
        item = select_fields("ContentPublishingLimit", values, specs, ["quota_usage"], {"quota_usage", "config"})
        item.pop("id", None)
        return {"data": [item]}

    def media_values(self, m: dict) -> dict:
        comments = [c for c in self.comments.values() if c["media_id"] == m["id"] and not c["deleted"]]
        return {"id": m["id"], "caption": m["caption"], "alt_text": m["alt_text"],
                "comments_count": len(comments), "like_count": m["likes"],
                "is_comment_enabled": m["comment_enabled"], "is_shared_to_feed": None,
                "media_product_type": m["media_product_type"], "media_type": m["media_type"],
                "media_url": m["media_url"] if m["media_type"] != "CAROUSEL_ALBUM" else self.media[m["children"][0]]["media_url"] if m["children"] else None,
                "owner": {"id": self.account["id"]}, "permalink": m["permalink"], "shortcode": m["shortcode"],
                "timestamp": graph_time(m["timestamp"]), "username": self.account["username"],
                "ig_id": m["id"][-10:], "legacy_instagram_media_id": m["id"],
                "total_like_count": m["likes"], "total_comments_count": len(comments), "view_count": m["views"],
                "total_views_count": m["views"], "saved_count": m["saved"], "shares_count": m["shares"],
                "reposts_count": m["reposts"], "has_poll": False, "has_slider": False}

    def media_node(self, req: Request, m: dict, specs):
        def expand(spec):
            if spec.name == "children":
                if not m["children"]:
                    return True, None
                vals = [self.media_values(self.media[k]) for k in m["children"]]
                return True, {"data": [select_fields("IGMedia", v, spec.sub, ["id"], MEDIA_FIELDS) for v in vals]}
            if spec.name == "comments":
                vals = [self.comment_values(c) for c in self.comments_of(m["id"], None)]
                return True, {"data": [select_fields("IGComment", v, spec.sub, ["timestamp", "text", "id"], COMMENT_FIELDS) for v in vals]}
            if spec.name == "insights":
                return True, {"data": self.insights_data(m, spec.mods.get("metric"))}
            if spec.name == "collaborators":
                return True, {"data": []}
            return False, None

        return select_fields("IGMedia", self.media_values(m), specs, ["id"], MEDIA_FIELDS, expand)

    def list_media(self, req: Request):
        self.need(req, READ_SCOPES)
        items = [x for x in self.media.values() if not x["deleted"] and not x["child"]]
        items.sort(key=lambda x: (x["timestamp"], x["id"]), reverse=True)
        chunk, paging = paginate(req, items, default_limit=25, max_limit=100)
        specs = parse_fields(req.params.str("fields"))
        out = {"data": [self.media_node(req, x, specs) for x in chunk]}
        if paging:
            out["paging"] = paging
        return out

    # -- containers and media -------------------------------------------------------------

    def route_container(self, req: Request, c: dict, rest: list):
        self.need(req, ("instagram_basic",))
        if rest or req.method != "GET":
            raise err_unknown_path("/" + "/".join(rest)) if rest else err_no_object(req.method, c["id"])
        self.container_state(c)
        values = {"id": c["id"], "status_code": c["status_code"], "status": self.status_text(c),
                  "copyright_check_status": {"status": "not_started", "matches_found": False}}
        return select_fields("IGContainer", values, parse_fields(req.params.str("fields")), ["id"], CONTAINER_FIELDS)

    def route_media(self, req: Request, m: dict, rest: list):
        meth = req.method
        if not rest:
            if meth == "GET":
                self.need(req, READ_SCOPES)
                return self.media_node(req, m, parse_fields(req.params.str("fields")))
            if meth == "POST":
                self.need(req, ("instagram_basic", "instagram_manage_comments"))
                self.write_guard()
                p = req.params
                if p.get("caption") is not None:
                    raise GraphError(100, "(#100) Param caption is not supported: the caption of published media cannot be edited")
                ce = p.bool("comment_enabled")
                if ce is None:
                    raise err_param_required("comment_enabled")
                m["comment_enabled"] = ce
                m["history"].append({"time": self.now(), "event": "comments " + ("enabled" if ce else "disabled")})
                return {"success": True}
            if meth == "DELETE":
                self.need(req, DELETE_SCOPES)
                self.write_guard()
                if m["child"]:
                    raise GraphError(100, "(#100) A single carousel item cannot be deleted; delete the album")
                m["deleted"] = True
                m["deleted_time"] = self.now()
                m["history"].append({"time": self.now(), "event": "deleted"})
                for k in m["children"]:
                    self.media[k]["deleted"] = True
                return {"success": True}
        edge = rest[0] if rest else ""
        if len(rest) == 1 and edge == "children" and meth == "GET":
            self.need(req, READ_SCOPES)
            vals = [self.media_values(self.media[k]) for k in m["children"]]
            specs = parse_fields(req.params.str("fields"))
            return {"data": [select_fields("IGMedia", v, specs, ["id"], MEDIA_FIELDS) for v in vals]}
        if len(rest) == 1 and edge == "insights" and meth == "GET":
            self.need(req, INSIGHT_SCOPES)
            if m["child"]:
                raise GraphError(100, "(#100) Insights data is not available for media within an album")
            return {"data": self.insights_data(m, req.params.str("metric"))}
        if len(rest) == 1 and edge == "comments":
            if meth == "GET":
                self.need(req, COMMENT_SCOPES)
                return self.list_comments(req, self.comments_of(m["id"], None))
            if meth == "POST":
                self.need(req, COMMENT_SCOPES)
                self.write_guard()
                msg = req.params.str("message")
                if not msg:
                    raise err_param_required("message")
                if not m["comment_enabled"]:
                    raise GraphError(100, "(#100) Comments are disabled for this media")
                c = self.new_comment(m["id"], None, self.account, msg)
                return {"id": c["id"]}
        self.authenticate(req)
        raise err_unknown_path("/" + "/".join(rest))

    # -- insights -------------------------------------------------------------------------

    def insights_data(self, m: dict, metric_param) -> list:
        if not metric_param:
            raise err_param_required("metric")
        names = [x.strip() for x in str(metric_param).split(",") if x.strip()]
        allowed = list(MEDIA_METRICS)
        for i, n in enumerate(names):
            if n in RETIRED_V22:
                raise GraphError(100, f"(#100) Starting from version v22.0 and above, the {n} metric is no longer supported for the queried media.")
            if n in REELS_ONLY or n in STORY_ONLY:
                raise GraphError(100, f"(#100) The Media Insights API does not support the {n} metric for this media product type.")
            if n not in MEDIA_METRICS:
                raise GraphError(100, f"(#100) metric[{i}] must be one of the following values: " + ", ".join(allowed))
        comments = len([c for c in self.comments.values() if c["media_id"] == m["id"] and not c["deleted"]])
        values = {"views": m["views"], "reach": m["reach"], "likes": m["likes"], "comments": comments,
                  "shares": m["shares"], "saved": m["saved"],
                  "total_interactions": m["likes"] + comments + m["shares"] + m["saved"],
                  "follows": m["follows"], "profile_visits": m["profile_visits"],
                  "profile_activity": m["profile_visits"], "reposts": m["reposts"],
                  "total_likes": m["likes"], "total_comments": comments, "total_views": m["views"]}
        out = []
        for n in names:
            title, desc = MEDIA_METRICS[n]
            out.append({"name": n, "period": "lifetime", "values": [{"value": values[n]}], "title": title,
                        "description": desc, "id": f"{m['id']}/insights/{n}/lifetime"})
        return out

    # -- comments -------------------------------------------------------------------------

    def new_comment(self, media_id, parent_id, author: dict, text: str) -> dict:
        cid = self.ids.numeric("178", 17)
        now = self.now()
        c = {"id": cid, "media_id": media_id, "parent_id": parent_id,
             "from": {"id": author["id"], "username": author["username"]}, "text": text,
             "timestamp": now, "hidden": False, "deleted": False, "like_count": 0,
             "history": [{"time": now, "event": "created", "text": text}]}
        self.comments[cid] = c
        return c

    def comments_of(self, media_id, parent_id):
        out = [c for c in self.comments.values() if c["media_id"] == media_id and c["parent_id"] == parent_id and not c["deleted"]]
        out.sort(key=lambda c: (c["timestamp"], c["id"]), reverse=True)
        return out

    def comment_values(self, c: dict) -> dict:
        return {"id": c["id"], "text": c["text"], "timestamp": graph_time(c["timestamp"]),
                "username": c["from"]["username"], "from": dict(c["from"]), "hidden": c["hidden"],
                "like_count": c["like_count"], "media": {"id": c["media_id"]},
                "parent_id": c["parent_id"], "user": {"id": c["from"]["id"]} if c["from"]["id"] != self.account["id"] else None,
                "legacy_instagram_comment_id": c["id"]}

    def list_comments(self, req: Request, items: list):
        vals = [self.comment_values(c) for c in items]
        chunk, paging = paginate(req, vals)
        specs = parse_fields(req.params.str("fields"))

        def expander(c_id):
            def expand(spec):
                if spec.name == "replies":
                    rs = [self.comment_values(r) for r in self.comments_of(self.comments[c_id]["media_id"], c_id)]
                    return True, {"data": [select_fields("IGComment", v, spec.sub, ["timestamp", "text", "id"], COMMENT_FIELDS) for v in rs]}
                return False, None
            return expand

        out = {"data": [select_fields("IGComment", v, specs, ["timestamp", "text", "id"], COMMENT_FIELDS, expander(v["id"])) for v in chunk]}
        if paging:
            out["paging"] = paging
        return out

    def route_comment(self, req: Request, c: dict, rest: list):
        meth = req.method
        if rest == ["replies"]:
            if meth == "GET":
                self.need(req, COMMENT_SCOPES)
                return self.list_comments(req, self.comments_of(c["media_id"], c["id"]))
            if meth == "POST":
                self.need(req, COMMENT_SCOPES)
                self.write_guard()
                if c["parent_id"]:
                    raise GraphError(100, "(#100) Replies can only be made to top-level comments")
                msg = req.params.str("message")
                if not msg:
                    raise err_param_required("message")
                r = self.new_comment(c["media_id"], c["id"], self.account, msg)
                return {"id": r["id"]}
        if rest:
            self.authenticate(req)
            raise err_unknown_path("/" + "/".join(rest))
        self.need(req, COMMENT_SCOPES)
        if meth == "GET":
            def expand(spec):
                if spec.name == "replies":
                    rs = [self.comment_values(r) for r in self.comments_of(c["media_id"], c["id"])]
                    return True, {"data": [select_fields("IGComment", v, spec.sub, ["timestamp", "text", "id"], COMMENT_FIELDS) for v in rs]}
                return False, None
            return select_fields("IGComment", self.comment_values(c), parse_fields(req.params.str("fields")),
                                 ["timestamp", "text", "id"], COMMENT_FIELDS, expand)
        self.write_guard()
        if meth == "POST":
            hide = req.params.bool("hide")
            if hide is None:
                raise err_param_required("hide")
            if c["from"]["id"] == self.account["id"]:
                raise GraphError(100, "(#100) Comments made by the media owner cannot be hidden")
            c["hidden"] = hide
            c["history"].append({"time": self.now(), "event": "hidden" if hide else "unhidden"})
            return {"success": True}
        if meth == "DELETE":
            c["deleted"] = True
            c["history"].append({"time": self.now(), "event": "deleted"})
            return {"success": True}
        raise err_no_object(meth, c["id"])

    # -- control --------------------------------------------------------------------------

    def control_engage(self, data: dict) -> dict:
        action = data.get("action", "like")
        count = int(data.get("count", 1))
        if action == "mention":
            mid = self.ids.numeric("179", 17)
            sc = shortcode()
            item = {"id": mid, "caption": data.get("message", f"Hej @{self.account['username']}!"),
                    "timestamp": self.now(), "permalink": f"https://www.instagram.com/p/{sc}/"}
            self.tagged.append(item)
            return {"media_id": mid}
        if action == "delete_comment":
            # The citizen deletes a comment of their own (Instagram comments cannot be edited).
            c = self.comments.get(str(data.get("comment_id")))
            if not c or c["deleted"]:
                raise ValueError("no such comment")
            if c["from"]["id"] == self.account["id"]:
                raise ValueError("the account's own comments are deleted through the API")
            c["deleted"] = True
            c["history"].append({"time": self.now(), "event": "deleted"})
            return {"comment_id": c["id"]}
        if action == "reply_comment":
            c = self.comments.get(str(data.get("comment_id")))
            if not c:
                raise ValueError("no such comment")
            r = self.new_comment(c["media_id"], c["id"], self.citizen, data.get("message", "Svar"))
            return {"comment_id": r["id"]}
        m = self.media.get(str(data.get("media_id") or data.get("post_id")))
        if m is None or m["deleted"]:
            raise ValueError("media_id names no live media")
        if action == "like":
            m["likes"] += count
        elif action == "comment":
            c = self.new_comment(m["id"], None, self.citizen, data.get("message", "En kommentar"))
            return {"comment_id": c["id"]}
        elif action == "save":
            m["saved"] += count
        elif action == "share":
            m["shares"] += count
        elif action == "repost":
            m["reposts"] += count
        elif action == "view":
            m["views"] += count
            m["reach"] += int(data.get("unique", count))
        elif action == "follow":
            m["follows"] += count
        elif action == "profile_visit":
            m["profile_visits"] += count
        else:
            raise ValueError("action is like, comment, reply_comment, delete_comment, save, share, repost, view, follow, profile_visit or mention")
        return {"media_id": m["id"], "likes": m["likes"], "views": m["views"], "reach": m["reach"],
                "saved": m["saved"], "shares": m["shares"]}

    def on_clock(self):
        for c in self.containers.values():
            self.container_state(c)

    def state(self) -> dict:
        for c in self.containers.values():
            self.container_state(c)

        def ts(v):
            return graph_time(v) if v else None
        return {
            "platform": "instagram", "now": graph_time(self.now()), "account": self.account, "page": self.page,
            "containers": [dict(c, created=ts(c["created"]), ready_at=ts(c["ready_at"]),
                                status=self.status_text(c), error=list(c["error"]) if c["error"] else None,
                                fetch={"done": c["fetch"]["done"], "error": list(c["fetch"]["error"]) if c["fetch"]["error"] else None,
                                       "info": c["fetch"]["info"]})
                           for c in self.containers.values()],
            "media": [dict(m, timestamp=ts(m["timestamp"]), deleted_time=ts(m["deleted_time"]),
                           history=[dict(h, time=ts(h["time"])) for h in m["history"]]) for m in self.media.values()],
            "comments": [dict(c, timestamp=ts(c["timestamp"]), history=[dict(h, time=ts(h["time"])) for h in c["history"]])
                         for c in self.comments.values()],
            "tagged": [dict(t, timestamp=ts(t["timestamp"])) for t in self.tagged],
            "publishing": {"quota_usage": len([t for t in self.publishes if self.now() - t < QUOTA_DURATION]),
                           "quota_total": self.quota_total, "quota_duration": QUOTA_DURATION},
            "tokens": [t.public() for t in self.tokens.values()],
            "buckets": [vars(b) for b in self.buckets.values()], "config": self.config,
        }


if __name__ == "__main__":
    main(InstagramFake, "Fake Instagram API with Facebook Login")
