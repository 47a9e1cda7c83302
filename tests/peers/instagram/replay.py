#!/usr/bin/env python3
"""Replays the documented Instagram content-publishing examples quoted in README.md against the
fake (image_url served from a local HTTP server that the fake really fetches), plus the error
cases. Exit 0 when all pass.

    python3 tests/peers/instagram/replay.py
"""

from __future__ import annotations

import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

from meta_graph.replaylib import (  # noqa: E402
    ImageHost, Opt, Peer, Replay, digits, error_shape, graph_time_shape, make_jpeg, make_mpo,
    make_png)

DOCS_PUBLISHING = "https://developers.facebook.com/docs/instagram-platform/content-publishing/"
DOCS_PUBLISHING_OLD = "https://developers.facebook.com/docs/instagram-api/guides/content-publishing"
DOCS_ERRORS = "https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/error-codes/"
DOCS_INSIGHTS = "https://developers.facebook.com/docs/instagram-platform/reference/instagram-media/insights"
DOCS_LIMIT = "https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/content_publishing_limit"
DOCS_MEDIA = "https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media"
DOCS_MEDIA_COMMENTS = "https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-media/comments"
DOCS_COMMENTS = "https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-comment"
DOCS_RATE = "https://developers.facebook.com/docs/graph-api/overview/rate-limiting/"


def main() -> int:
    peer = Peer(os.path.join(HERE, "server.py"))
    images = ImageHost()
    r = Replay("instagram replay")
    try:
        run(peer, images, r)
    except Exception as e:
        import traceback
        r.record("replay crashed", [f"{type(e).__name__}: {e}", traceback.format_exc()], None)
    finally:
        images.close()
        peer.close()
    return r.finish(peer)


def wait_status(peer, cid, token, want=("FINISHED", "ERROR"), timeout=10.0):
    """Polls the container as a client would; /_fake/clock makes it immediate."""
    peer.control("POST", "clock", {"advance": 5})
    deadline = time.time() + timeout
    while True:
        res = peer.request("GET", f"/v21.0/{cid}", query={"fields": "status_code,status", "access_token": token})
        if res.json and res.json.get("status_code") in want or time.time() > deadline:
            return res
        time.sleep(0.1)


def run(peer: Peer, images: ImageHost, r: Replay) -> None:
    ready = peer.ready
    ig, tok = ready["ig_user_id"], ready["access_token"]
    V = "/v18.0"
    jpg = images.add("/images/bronz-fonz.jpg", make_jpeg(1080, 1080))
    sq = [images.add(f"/images/candy-{i}.jpg", make_jpeg(800, 800)) for i in range(3)]

    # --------------------------------------------------------------------------------------
    r.section("Single media post: create container, check status, publish", DOCS_PUBLISHING_OLD)
    res = r.check("POST /{ig-user-id}/media ?image_url=…/bronz-fonz.jpg &caption=#BronzFonz",
                  peer.request("POST", f"{V}/{ig}/media", query={"image_url": jpg, "caption": "#BronzFonz", "access_token": tok}),
                  200, {"id": digits})
    cid = res.json["id"]
    r.check("GET /{ig-container-id}?fields=status_code right away: IN_PROGRESS",
            peer.request("GET", f"{V}/{cid}", query={"fields": "status_code", "access_token": tok}),
            200, {"status_code": "IN_PROGRESS", "id": cid})
    r.check("media_publish before it is finished: 9007 / 2207027",
            peer.request("POST", f"{V}/{ig}/media_publish", query={"creation_id": cid, "access_token": tok}),
            400, {"error": {"message": "Media ID is not available", "type": "OAuthException", "code": 9007,
                            "error_subcode": 2207027, "is_transient": False, "error_user_title": str,
                            "error_user_msg": "The media is not ready for publishing, please wait for a moment",
                            "fbtrace_id": str}})
    r.ok("the fake fetched image_url", "/images/bronz-fonz.jpg" in images.hits)
    res = wait_status(peer, cid, tok)
    r.check("GET /{ig-container-id}?fields=status_code,status: FINISHED", res, 200,
            {"status_code": "FINISHED", "status": str, "id": cid})
    res = r.check("POST /{ig-user-id}/media_publish ?creation_id=…",
                  peer.request("POST", f"{V}/{ig}/media_publish", query={"creation_id": cid, "access_token": tok}),
                  200, {"id": digits})
    media1 = res.json["id"]
    r.check("the container is PUBLISHED", peer.request("GET", f"{V}/{cid}", query={"fields": "status_code", "access_token": tok}),
            200, {"status_code": "PUBLISHED"})
    r.check("publishing it again is refused (no second post)",
            peer.request("POST", f"{V}/{ig}/media_publish", query={"creation_id": cid, "access_token": tok}),
            400, error_shape(24, 2207008))

    # --------------------------------------------------------------------------------------
    r.section("Carousel post: item containers, carousel container, publish", DOCS_PUBLISHING_OLD)
    items = []
    for i, u in enumerate(sq):
        res = r.check(f"POST /{{ig-user-id}}/media ?image_url=…&is_carousel_item=true (#{i + 1})",
                      peer.request("POST", f"{V}/{ig}/media", query={"image_url": u, "is_carousel_item": "true",
                                                                     "alt_text": f"Godis nummer {i + 1}", "access_token": tok}),
                      200, {"id": digits})
        items.append(res.json["id"])
    res = r.check("POST /{ig-user-id}/media ?caption=Fruit candies&media_type=CAROUSEL&children=a,b,c",
                  peer.request("POST", f"{V}/{ig}/media", query={"caption": "Fruit candies", "media_type": "CAROUSEL",
                                                                 "children": ",".join(items), "access_token": tok}),
                  200, {"id": digits})
    carousel = res.json["id"]
    wait_status(peer, carousel, tok)
    res = r.check("POST /{ig-user-id}/media_publish ?creation_id=<carousel>",
                  peer.request("POST", f"{V}/{ig}/media_publish", query={"creation_id": carousel, "access_token": tok}),
                  200, {"id": digits})
    album = res.json["id"]
    res = r.check("GET /{ig-media-id}?fields=media_type,children{id,alt_text},caption",
                  peer.request("GET", f"{V}/{album}", query={"fields": "media_type,children{id,alt_text},caption", "access_token": tok}),
                  200, {"id": album, "media_type": "CAROUSEL_ALBUM", "caption": "Fruit candies",
                        "children": {"data": [{"id": digits, "alt_text": str}]}})
    r.ok("the album has the three items with their alt text in order",
         [c["alt_text"] for c in res.json["children"]["data"]] == ["Godis nummer 1", "Godis nummer 2", "Godis nummer 3"])
    r.check("one child is not a carousel: 2207028",
            peer.request("POST", f"{V}/{ig}/media", query={"media_type": "CAROUSEL", "children": items[0], "access_token": tok}),
            400, error_shape(100, 2207028))

    # --------------------------------------------------------------------------------------
    r.section("Newer style: Authorization: Bearer header, JSON body, alt_text", DOCS_PUBLISHING)
    res = r.check("POST /{ig-user-id}/media (JSON body, Bearer) with alt_text",
                  peer.request("POST", f"/v25.0/{ig}/media",
                               json_body={"image_url": jpg, "caption": "Vattenavstängning på Storgatan i dag.",
                                          "alt_text": "Karta över Storgatan med avstängt område markerat"},
                               headers={"Authorization": f"Bearer {tok}"}),
                  200, {"id": digits})
    c3 = res.json["id"]
    wait_status(peer, c3, tok)
    res = r.check("media_publish with JSON body",
                  peer.request("POST", f"/v25.0/{ig}/media_publish", json_body={"creation_id": c3},
                               headers={"Authorization": f"Bearer {tok}"}),
                  200, {"id": digits})
    media3 = res.json["id"]
    r.check("GET /{ig-media-id}?fields=alt_text,caption,timestamp,permalink",
            peer.request("GET", f"/v25.0/{media3}", query={"fields": "alt_text,caption,timestamp,permalink", "access_token": tok}),
            200, {"id": media3, "alt_text": "Karta över Storgatan med avstängt område markerat",
                  "caption": "Vattenavstängning på Storgatan i dag.", "timestamp": graph_time_shape,
                  "permalink": lambda s: s.startswith("https://www.instagram.com/p/")})

    # --------------------------------------------------------------------------------------
    r.section("Own recent posts: GET /{ig-user-id}/media", DOCS_MEDIA)
    res = r.check("GET /{ig-user-id}/media?fields=id,caption,timestamp,permalink",
                  peer.request("GET", f"{V}/{ig}/media", query={"fields": "id,caption,timestamp,permalink", "access_token": tok}),
                  200, {"data": [{"id": digits, "caption": Opt(str), "timestamp": graph_time_shape, "permalink": str}],
                        "paging": {"cursors": {"before": str, "after": str}}})
    caps = [m.get("caption") for m in res.json["data"]]
    r.ok("newest first, exact captions", caps == ["Vattenavstängning på Storgatan i dag.", "Fruit candies", "#BronzFonz"], str(caps))
    r.check("default fields: id only", peer.request("GET", f"{V}/{ig}/media", query={"access_token": tok, "limit": 1}),
            200, {"data": [lambda d: set(d) == {"id"}], "paging": {"next": str}})

    # --------------------------------------------------------------------------------------
    r.section("Publishing limit: GET /{ig-user-id}/content_publishing_limit", DOCS_LIMIT)
    r.check("?fields=quota_usage,config",
            peer.request("GET", f"{V}/{ig}/content_publishing_limit", query={"fields": "quota_usage,config", "access_token": tok}),
            200, {"data": [{"quota_usage": 3, "config": {"quota_total": 100, "quota_duration": 86400}}]})
    peer.control("POST", "quota", {"bucket": "publishing", "remaining": 0})
    c4 = peer.request("POST", f"{V}/{ig}/media", query={"image_url": jpg, "caption": "Kvot slut", "access_token": tok}).json["id"]
    wait_status(peer, c4, tok)
    r.check("publishing past the limit: 9 / 2207042",
            peer.request("POST", f"{V}/{ig}/media_publish", query={"creation_id": c4, "access_token": tok}),
            400, error_shape(9, 2207042))
    r.check("quota_usage is 100", peer.request("GET", f"{V}/{ig}/content_publishing_limit", query={"fields": "quota_usage", "access_token": tok}),
            200, {"data": [{"quota_usage": 100}]})
    peer.control("POST", "clock", {"advance": 86400})
    r.check("24 h later the window has moved",
            peer.request("GET", f"{V}/{ig}/content_publishing_limit", query={"fields": "quota_usage", "access_token": tok}),
            200, {"data": [{"quota_usage": 0}]})
    r.check("… and the 24 h old container has EXPIRED",
            peer.request("GET", f"{V}/{c4}", query={"fields": "status_code", "access_token": tok}), 200, {"status_code": "EXPIRED"})
    r.check("publishing an expired container: -2 / 2207020",
            peer.request("POST", f"{V}/{ig}/media_publish", query={"creation_id": c4, "access_token": tok}),
            400, error_shape(-2, 2207020))

    # --------------------------------------------------------------------------------------
    r.section("image_url problems: the container goes to ERROR with the documented error", DOCS_ERRORS)
    cases = [
        ("a URL that answers 404", images.add("/missing.jpg", b"nope", "text/plain", 404), 9004, 2207052),
        ("a PNG (JPEG is the only format)", images.add("/logo.png", make_png(100, 100), "image/png"), 36001, 2207005),
        ("an MPO (extended JPEG)", images.add("/stereo.jpg", make_mpo(100, 100)), 36001, 2207005),
        ("an HTML page", images.add("/page.jpg", b"<html>hi</html>", "text/html"), 36001, 2207005),
        ("larger than 8 MiB", images.add("/big.jpg", make_jpeg(100, 100, pad_to=8 * 1024 * 1024 + 10)), 36000, 2207004),
        ("aspect ratio 3:1", images.add("/wide.jpg", make_jpeg(900, 300)), 36003, 2207009),
        ("nobody listening", "http://127.0.0.1:9/x.jpg", 9004, 2207052),
    ]
    for name, url, code, sub in cases:
        cid_bad = peer.request("POST", f"{V}/{ig}/media", query={"image_url": url, "access_token": tok}).json["id"]
        res = wait_status(peer, cid_bad, tok)
        r.check(f"{name}: status_code ERROR", res, 200, {"status_code": "ERROR", "status": lambda s: str(sub) in s})
        r.check(f"{name}: media_publish answers {code} / {sub}",
                peer.request("POST", f"{V}/{ig}/media_publish", query={"creation_id": cid_bad, "access_token": tok}),
                400, error_shape(code, sub))
    peer.control("POST", "config", {"fetch_errors": "sync"})
    r.check("with fetch_errors=sync the create call itself answers 9004 / 2207052",
            peer.request("POST", f"{V}/{ig}/media", query={"image_url": images.url + "/missing.jpg", "access_token": tok}),
            400, {"error": {"message": str, "type": "OAuthException", "code": 9004, "error_subcode": 2207052,
                            "is_transient": False, "error_user_title": str, "error_user_msg": str, "fbtrace_id": str}})
    peer.control("POST", "config", {"fetch_errors": "async"})
    r.check("no image_url", peer.request("POST", f"{V}/{ig}/media", query={"caption": "x", "access_token": tok}),
            400, error_shape(100, message="(#100) The parameter image_url is required"))
    r.check("caption over 2,200 characters",
            peer.request("POST", f"{V}/{ig}/media", form={"image_url": jpg, "caption": "a" * 2201, "access_token": tok}),
            400, error_shape(36004, 2207010))
    r.check("an unknown creation_id", peer.request("POST", f"{V}/{ig}/media_publish", query={"creation_id": "17800000000000000", "access_token": tok}),
            400, error_shape(24, 2207006))
    r.check("no creation_id", peer.request("POST", f"{V}/{ig}/media_publish", query={"access_token": tok}),
            400, error_shape(100, message="(#100) The parameter creation_id is required"))

    # --------------------------------------------------------------------------------------
    r.section("Media insights: current metrics; retired ones fail the request", DOCS_INSIGHTS)
    peer.control("POST", "engage", {"media_id": media1, "action": "like", "count": 7})
    peer.control("POST", "engage", {"media_id": media1, "action": "view", "count": 120, "unique": 90})
    peer.control("POST", "engage", {"media_id": media1, "action": "save", "count": 2})
    com = peer.control("POST", "engage", {"media_id": media1, "action": "comment", "message": "Vilken fin bild!"})
    res = r.check("GET /{ig-media-id}/insights?metric=views,reach,likes,comments,shares,saved,total_interactions",
                  peer.request("GET", f"/v22.0/{media1}/insights",
                               query={"metric": "views,reach,likes,comments,shares,saved,total_interactions", "access_token": tok}),
                  200, {"data": [{"name": str, "period": "lifetime", "values": [{"value": int}], "title": str,
                                  "description": str, "id": lambda s: s.endswith("/lifetime")}]})
    vals = {d["name"]: d["values"][0]["value"] for d in res.json["data"]}
    r.ok("values follow the engagement", vals == {"views": 120, "reach": 90, "likes": 7, "comments": 1, "shares": 0,
                                                   "saved": 2, "total_interactions": 10}, str(vals))
    for metric in ("impressions", "plays", "views,impressions"):
        r.check(f"metric={metric}: retired",
                peer.request("GET", f"/v22.0/{media1}/insights", query={"metric": metric, "access_token": tok}),
                400, error_shape(100, message=lambda m: m.startswith("(#100) Starting from version v22.0 and above, the")))
    r.check("metric=video_views (deprecated earlier): not one of the values",
            peer.request("GET", f"/v22.0/{media1}/insights", query={"metric": "video_views", "access_token": tok}),
            400, error_shape(100, message=lambda m: m.startswith("(#100) metric[0] must be one of the following values")))
    r.check("a Reels-only metric on an image",
            peer.request("GET", f"/v22.0/{media1}/insights", query={"metric": "ig_reels_avg_watch_time", "access_token": tok}),
            400, error_shape(100))
    r.check("without instagram_manage_insights",
            peer.request("GET", f"/v22.0/{media1}/insights", query={"metric": "reach", "access_token": ready["tokens"]["no_insights"]}),
            403, error_shape(10, message="(#10) Application does not have permission for this action"))

    # --------------------------------------------------------------------------------------
    r.section("Comments: list, reply, hide", DOCS_COMMENTS)
    r.check("GET /{ig-media-id}/comments",
            peer.request("GET", f"{V}/{media1}/comments", query={"access_token": tok}),
            200, {"data": [{"timestamp": graph_time_shape, "text": "Vilken fin bild!", "id": com["comment_id"]}]})
    res = r.check("POST /{ig-comment-id}/replies ?message=Tack!",
                  peer.request("POST", f"{V}/{com['comment_id']}/replies", query={"message": "Tack!", "access_token": tok}),
                  200, {"id": digits})
    r.check("POST /{ig-comment-id} ?hide=true", peer.request("POST", f"{V}/{com['comment_id']}", query={"hide": "true", "access_token": tok}),
            200, {"success": True})
    r.check("GET /{ig-comment-id}?fields=hidden,username,text,replies",
            peer.request("GET", f"{V}/{com['comment_id']}", query={"fields": "hidden,username,text,replies{text}", "access_token": tok}),
            200, {"id": com["comment_id"], "hidden": True, "username": ready["citizen_username"], "text": "Vilken fin bild!",
                  "replies": {"data": [{"text": "Tack!", "id": digits}]}})
    r.check("GET /{ig-media-id}?fields=comments_count,like_count",
            peer.request("GET", f"{V}/{media1}", query={"fields": "comments_count,like_count", "access_token": tok}),
            200, {"comments_count": 2, "like_count": 7, "id": media1})

    # --------------------------------------------------------------------------------------
    # The documented example of reading comments (comment moderation guide):
    # GET graph.facebook.com /17895695668004550/comments →
    # {"data": [{"timestamp": "2017-08-31T18:10:30+0000", "text": "I love this!", "id": "17873440459141021"}, …]}
    # inbox pull asks for the author and the replies too, and takes "does not exist" for a
    # comment that vanished as its deletion.
    r.section("Comments as inbox pull reads them: replies nested, deletions",
              "https://developers.facebook.com/docs/instagram-api/guides/comment-moderation")
    first = peer.control("POST", "engage", {"media_id": media1, "action": "comment", "message": "I love this!"})
    second = peer.control("POST", "engage", {"comment_id": first["comment_id"], "action": "reply_comment", "message": "Me too"})
    fields = "id,text,username,timestamp,from,parent_id"
    res = r.check("GET /{ig-media-id}/comments?fields=…,replies{…}",
                  peer.request("GET", f"{V}/{media1}/comments",
                               query={"fields": f"{fields},replies{{{fields}}}", "access_token": tok}),
                  200, {"data": list})
    top = [c for c in res.json["data"] if c["id"] == first["comment_id"]]
    r.ok("the comment with its author and its reply nested, parent_id on the reply",
         len(top) == 1 and top[0]["username"] == ready["citizen_username"] and graph_time_shape(top[0]["timestamp"])
         and top[0]["from"]["username"] == ready["citizen_username"]
         and [(x["id"], x["text"], x["parent_id"]) for x in top[0]["replies"]["data"]]
         == [(second["comment_id"], "Me too", first["comment_id"])], str(top))
    r.ok("replies are not listed at the top level", second["comment_id"] not in [c["id"] for c in res.json["data"]])
    peer.control("POST", "engage", {"comment_id": second["comment_id"], "action": "delete_comment"})
    r.check("a deleted comment does not exist: 100 / 33",
            peer.request("GET", f"{V}/{second['comment_id']}", query={"fields": "id", "access_token": tok}),
            400, error_shape(100, 33))

    # --------------------------------------------------------------------------------------
    # The documented example: POST graph.facebook.com /17895695668004550/comments?message=This%20is%20awesome!
    # → {"id": "17870913679156914"}. budkavle comments a correction this way (Instagram cannot
    # edit a caption) and looks for it among the media's comments after an interruption.
    r.section("Commenting as the account: POST /{ig-media-id}/comments", DOCS_MEDIA_COMMENTS)
    made = r.check("POST /{ig-media-id}/comments ?message=This is awesome!",
                   peer.request("POST", f"{V}/{media1}/comments", query={"message": "This is awesome!", "access_token": tok}),
                   200, {"id": digits})
    listed = peer.request("GET", f"{V}/{media1}/comments", query={"fields": "id,text,timestamp,from", "access_token": tok}).json["data"]
    own = [c for c in listed if c["id"] == made.json["id"]]
    r.ok("the comment is listed with its exact text, from the account itself",
         len(own) == 1 and own[0]["text"] == "This is awesome!" and own[0]["from"]["id"] == ig)
    r.check("without message", peer.request("POST", f"{V}/{media1}/comments", query={"access_token": tok}), 400, error_shape(100))
    r.check("DELETE /{ig-comment-id}", peer.request("DELETE", f"{V}/{made.json['id']}", query={"access_token": tok}),
            200, {"success": True})

    # --------------------------------------------------------------------------------------
    r.section("Editing published media: comment_enabled only", "https://developers.facebook.com/docs/instagram-platform/reference/instagram-media")
    r.check("POST /{ig-media-id} ?comment_enabled=false",
            peer.request("POST", f"{V}/{media1}", query={"comment_enabled": "false", "access_token": tok}), 200, {"success": True})
    r.check("the caption cannot be edited",
            peer.request("POST", f"{V}/{media1}", query={"caption": "ny text", "access_token": tok}), 400, error_shape(100))

    r.section("Deleting published media: DELETE /{ig-media-id}", "https://developers.facebook.com/docs/instagram-platform/reference/instagram-media")
    r.check("DELETE /{ig-media-id}", peer.request("DELETE", f"{V}/{media3}", query={"access_token": tok}), 200, {"success": True})
    r.check("GET after delete: does not exist", peer.request("GET", f"{V}/{media3}", query={"access_token": tok}), 400,
            error_shape(100, 33, "GraphMethodException"))
    ids = [m["id"] for m in peer.request("GET", f"{V}/{ig}/media", query={"access_token": tok}).json["data"]]
    r.ok("the deleted media is gone from /media", media3 not in ids)
    st = peer.control("GET", "state")
    r.ok("/_fake/state keeps it, marked deleted", any(m["id"] == media3 and m["deleted"] for m in st["media"]))

    # --------------------------------------------------------------------------------------
    r.section("Mentions: GET /{ig-user-id}/tags", "https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/tags")
    peer.control("POST", "engage", {"action": "mention", "message": "Tack @exempelbykommun för snöröjningen"})
    r.check("GET /{ig-user-id}/tags?fields=id,caption,username,timestamp",
            peer.request("GET", f"{V}/{ig}/tags", query={"fields": "id,caption,username,timestamp", "access_token": tok}),
            200, {"data": [{"id": digits, "caption": "Tack @exempelbykommun för snöröjningen", "username": ready["citizen_username"],
                            "timestamp": graph_time_shape}]})

    # --------------------------------------------------------------------------------------
    r.section("Tokens, permissions, rate limits", DOCS_RATE)
    r.check("no token", peer.request("POST", f"{V}/{ig}/media", query={"image_url": jpg}), 400, error_shape(104))
    r.check("bad token", peer.request("POST", f"{V}/{ig}/media", query={"image_url": jpg}, headers={"Authorization": "Bearer x"}),
            400, error_shape(190))
    r.check("expired token: 190 / 463", peer.request("GET", f"{V}/{ig}/media", query={"access_token": ready["tokens"]["expired"]}),
            400, error_shape(190, 463))
    r.check("password changed: 190 / 460", peer.request("GET", f"{V}/{ig}/media", query={"access_token": ready["tokens"]["password_changed"]}),
            400, error_shape(190, 460))
    r.check("without instagram_content_publish",
            peer.request("POST", f"{V}/{ig}/media", query={"image_url": jpg, "access_token": ready["tokens"]["no_publish"]}),
            403, error_shape(10))
    r.check("calls carry X-Business-Use-Case-Usage of type instagram",
            peer.request("GET", f"{V}/{ig}", query={"fields": "username", "access_token": tok}), 200,
            {"id": ig, "username": ready["username"]},
            headers={"X-Business-Use-Case-Usage": lambda v: json.loads(v)[ig][0]["type"] == "instagram"})
    peer.control("POST", "quota", {"bucket": "instagram", "remaining": 0, "regain_seconds": 300})
    r.check("throttled: 80002", peer.request("GET", f"{V}/{ig}/media", query={"access_token": tok}), 400,
            error_shape(80002), headers={"X-Business-Use-Case-Usage": lambda v: json.loads(v)[ig][0]["call_count"] == 100
                                         and json.loads(v)[ig][0]["estimated_time_to_regain_access"] == 5})
    peer.control("POST", "quota", {"bucket": "instagram", "remaining": 1000})
    r.check("GET /{page-id}?fields=instagram_business_account",
            peer.request("GET", f"{V}/{ready['page_id']}", query={"fields": "instagram_business_account", "access_token": tok}),
            200, {"instagram_business_account": {"id": ig}, "id": ready["page_id"]})
    r.check("debug_token", peer.request("GET", f"{V}/debug_token", query={"input_token": tok, "access_token": ready["app_token"]}),
            200, {"data": {"app_id": ready["app_id"], "type": "USER", "is_valid": True, "expires_at": int,
                           "data_access_expires_at": int, "scopes": lambda s: "instagram_content_publish" in s,
                           "granular_scopes": [{"scope": str}]}})
    r.check("GET /me/permissions", peer.request("GET", f"{V}/me/permissions", query={"access_token": tok}),
            200, {"data": [{"permission": str, "status": "granted"}]})


if __name__ == "__main__":
    sys.exit(main())
