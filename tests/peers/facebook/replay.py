#!/usr/bin/env python3
"""Replays the documented Facebook Pages examples quoted in README.md against the fake, plus the
error cases, and checks status codes and answer shapes. Exit 0 when all pass.

    python3 tests/peers/facebook/replay.py
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

from meta_graph.replaylib import (  # noqa: E402
    ImageHost, Opt, Peer, Replay, digits, error_shape, graph_time_shape, make_jpeg, make_png,
    post_id_shape)

DOCS_PAGE_CONTENT = "https://developers.facebook.com/docs/pages/publishing"
DOCS_GETTING_STARTED = "https://developers.facebook.com/docs/pages-api/getting-started"
DOCS_POSTS = "https://developers.facebook.com/docs/pages-api/posts"
DOCS_FEED = "https://developers.facebook.com/docs/graph-api/reference/page/feed"
DOCS_INSIGHTS = "https://developers.facebook.com/docs/graph-api/reference/insights"
DOCS_CHANGELOG = "https://developers.facebook.com/docs/pages-api/changelog/"
DOCS_ERRORS = "https://developers.facebook.com/docs/graph-api/guides/error-handling"
DOCS_RATE = "https://developers.facebook.com/docs/graph-api/overview/rate-limiting/"
DOCS_VERSIONS = "https://developers.facebook.com/docs/graph-api/guides/versioning"
DOCS_DEBUG = "https://developers.facebook.com/docs/graph-api/reference/debug_token"


def main() -> int:
    peer = Peer(os.path.join(HERE, "server.py"))
    images = ImageHost()
    r = Replay("facebook replay")
    try:
        run(peer, images, r)
    except Exception as e:  # a crash is a failure too, reported with the rest
        import traceback
        r.record("replay crashed", [f"{type(e).__name__}: {e}", traceback.format_exc()], None)
    finally:
        images.close()
        peer.close()
    return r.finish(peer)


def run(peer: Peer, images: ImageHost, r: Replay) -> None:
    ready = peer.ready
    page, pt, ut = ready["page_id"], ready["page_token"], ready["user_token"]
    latest = ready["graph_versions"]["latest"]
    oldest = ready["graph_versions"]["oldest"]
    jpeg_url = images.add("/images/bronz-fonz.jpg", make_jpeg(64, 48))
    V = "/v21.0"

    # --------------------------------------------------------------------------------------
    r.section("Page Content guide: publish a Page post, a link, a photo; get Page posts", DOCS_PAGE_CONTENT)
    res = r.check("POST /{page-id}/feed?message=Hello Fans! (unversioned)",
                  peer.request("POST", f"/{page}/feed", query={"message": "Hello Fans!", "access_token": pt}),
                  200, {"id": post_id_shape}, headers={"facebook-api-version": latest})
    hello_id = res.json["id"]
    r.ok("post id is {page-id}_{post-id}", hello_id.startswith(page + "_"), hello_id)
    res = r.check("POST /{page-id}/feed with link",
                  peer.request("POST", f"/{page}/feed", query={
                      "message": "Smart video calling to fit every family",
                      "link": "https://portal.facebook.com/products/", "access_token": pt}),
                  200, {"id": post_id_shape})
    res = r.check("POST /{page-id}/photos?url=...",
                  peer.request("POST", f"/{page}/photos", query={"url": jpeg_url, "access_token": pt}),
                  200, {"id": digits, "post_id": post_id_shape})
    r.ok("the photo was fetched from its URL", "/images/bronz-fonz.jpg" in images.hits)
    photo_post = res.json["post_id"]
    res = r.check("GET /{page-id}/feed (default fields)",
                  peer.request("GET", f"/{page}/feed", query={"access_token": pt}),
                  200, {"data": [{"created_time": graph_time_shape, "id": post_id_shape, "message": Opt(str)}],
                        "paging": {"cursors": {"before": str, "after": str}}})
    texts = [p.get("message") for p in res.json["data"]]
    r.ok("feed is newest first and holds the exact text", texts[-1] == "Hello Fans!" and photo_post == res.json["data"][0]["id"], str(texts))

    # --------------------------------------------------------------------------------------
    r.section("Posting to a Page (earlier edition of the guide): link without scheme, delete", DOCS_PAGE_CONTENT)
    res = r.check("POST /{page-id}/feed?message=For all Math geniuses :)&link=www.projecteuler.net",
                  peer.request("POST", f"/{page}/feed", query={"message": "For all Math geniuses :)",
                                                             "link": "www.projecteuler.net", "access_token": pt}),
                  200, {"id": post_id_shape})
    math_id = res.json["id"]
    r.check("DELETE /{post-id}", peer.request("DELETE", f"/{math_id}", query={"access_token": pt}),
            200, {"success": True})
    r.check("GET a deleted post: object does not exist",
            peer.request("GET", f"/{math_id}", query={"access_token": pt}), 400,
            error_shape(100, 33, "GraphMethodException"))
    r.check("DELETE it again", peer.request("DELETE", f"/{math_id}", query={"access_token": pt}), 400,
            error_shape(100, 33, "GraphMethodException"))
    st = peer.control("GET", "state")
    gone = [p for p in st["posts"] if p["id"] == math_id]
    r.ok("/_fake/state keeps the deleted post and its history",
         gone and gone[0]["deleted"] and [h["event"] for h in gone[0]["history"]] == ["created", "deleted"], str(gone))

    # --------------------------------------------------------------------------------------
    r.section("Pages API Get Started: /user_id/accounts and a JSON-bodied feed post", DOCS_GETTING_STARTED)
    res = r.check("GET /v24.0/{user_id}/accounts?access_token=user_access_token",
                  peer.request("GET", f"/v24.0/{ready['user_id']}/accounts", query={"access_token": ut}),
                  200, {"data": [{"access_token": str, "category": str, "category_list": [{"id": str, "name": str}],
                                   "name": str, "id": page, "tasks": [str]}]})
    r.ok("/accounts hands out the Page token", res.json["data"][0]["access_token"] == pt)
    r.check("GET /me/accounts (same, through /me)", peer.request("GET", "/v24.0/me/accounts", query={"access_token": ut}),
            200, {"data": [{"id": page, "access_token": pt}]})
    r.check("POST /v24.0/{page_id}/feed with Content-Type: application/json",
            peer.request("POST", f"/v24.0/{page}/feed", json_body={"message": "Hej från JSON", "access_token": pt}),
            200, {"id": post_id_shape})

    # --------------------------------------------------------------------------------------
    r.section("Posts guide: scheduled and unpublished posts, update a post", DOCS_POSTS)
    later = int(peer.control("POST", "clock", {"advance": 0})["now"]) + 3600
    res = r.check("POST feed published=false scheduled_publish_time=<unix>",
                  peer.request("POST", f"{V}/{page}/feed", json_body={
                      "message": "Schemalagd", "published": "false",
                      "scheduled_publish_time": str(later), "access_token": pt}),
                  200, {"id": post_id_shape})
    sched_id = res.json["id"]
    iso = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(later + 600))
    r.check("scheduled_publish_time as ISO 8601",
            peer.request("POST", f"{V}/{page}/feed", form={"message": "ISO-tid", "published": "false",
                                                            "scheduled_publish_time": iso, "access_token": pt}),
            200, {"id": post_id_shape})
    r.check("scheduled less than 10 minutes ahead is refused",
            peer.request("POST", f"{V}/{page}/feed", form={"message": "För tidigt", "published": "false",
                                                            "scheduled_publish_time": str(later - 3600 + 60), "access_token": pt}),
            400, error_shape(100, message="(#100) The specified scheduled publish time is invalid."))
    feed_ids = [p["id"] for p in peer.request("GET", f"{V}/{page}/feed", query={"access_token": pt, "limit": 100}).json["data"]]
    r.ok("a scheduled post is not in the feed yet", sched_id not in feed_ids)
    r.check("GET the scheduled post: is_published false, scheduled_publish_time",
            peer.request("GET", f"{V}/{sched_id}", query={"fields": "id,is_published,scheduled_publish_time", "access_token": pt}),
            200, {"id": sched_id, "is_published": False, "scheduled_publish_time": int})
    peer.control("POST", "clock", {"advance": 3601})
    feed_ids = [p["id"] for p in peer.request("GET", f"{V}/{page}/feed", query={"access_token": pt, "limit": 100}).json["data"]]
    r.ok("after /_fake/clock it is published", sched_id in feed_ids)
    r.check("POST /{post-id} with message (update)",
            peer.request("POST", f"{V}/{hello_id}", query={"message": "Hello Fans! (rättad)", "access_token": pt}),
            200, {"success": True})
    r.check("GET /{post-id}?fields=id,message,created_time,updated_time",
            peer.request("GET", f"{V}/{hello_id}", query={"fields": "id,message,created_time,updated_time", "access_token": pt}),
            200, {"id": hello_id, "message": "Hello Fans! (rättad)", "created_time": graph_time_shape, "updated_time": graph_time_shape})

    # --------------------------------------------------------------------------------------
    r.section("Multi-photo post: unpublished photos with alt_text_custom, then attached_media", DOCS_FEED)
    ids = []
    for i, img in enumerate([make_jpeg(32, 32), make_png(10, 8)]):
        res = r.check(f"POST /{{page-id}}/photos multipart source, published=false (#{i + 1})",
                      peer.request("POST", f"{V}/{page}/photos",
                                   form={"published": "false", "alt_text_custom": f"Alt text {i + 1}", "access_token": pt},
                                   files={"source": (f"p{i}.{'jpg' if i == 0 else 'png'}", "image/jpeg" if i == 0 else "image/png", img)}),
                      200, {"id": digits})
        r.ok("an unpublished photo has no post_id", "post_id" not in res.json, str(res.json))
        ids.append(res.json["id"])
    r.check("GET /{photo-id}?fields=alt_text_custom,alt_text",
            peer.request("GET", f"{V}/{ids[0]}", query={"fields": "alt_text_custom,alt_text", "access_token": pt}),
            200, {"id": ids[0], "alt_text_custom": "Alt text 1", "alt_text": "Alt text 1"})
    res = r.check("POST /{page-id}/feed with attached_media[0], attached_media[1]",
                  peer.request("POST", f"{V}/{page}/feed", form={
                      "message": "Två bilder", "access_token": pt,
                      "attached_media[0]": json.dumps({"media_fbid": ids[0]}),
                      "attached_media[1]": json.dumps({"media_fbid": ids[1]})}),
                  200, {"id": post_id_shape})
    album = res.json["id"]
    res = r.check("GET the post's attachments: an album of the two photos",
                  peer.request("GET", f"{V}/{album}", query={"fields": "attachments,message", "access_token": pt}),
                  200, {"attachments": {"data": [{"media_type": "album", "subattachments": {"data": [{"target": {"id": str}, "description": str}]}}]}})
    subs = [a["target"]["id"] for a in res.json["attachments"]["data"][0]["subattachments"]["data"]]
    r.ok("the album holds both photos in order", subs == ids, str(subs))
    r.check("a photo cannot be attached twice",
            peer.request("POST", f"{V}/{page}/feed", json_body={"message": "igen", "attached_media": [{"media_fbid": ids[0]}], "access_token": pt}),
            400, error_shape(100))
    r.check("not an image: #324",
            peer.request("POST", f"{V}/{page}/photos", form={"access_token": pt},
                         files={"source": ("x.jpg", "image/jpeg", b"this is not an image")}),
            400, error_shape(324, message="(#324) Missing or invalid image file"))
    r.check("no file and no url: #324",
            peer.request("POST", f"{V}/{page}/photos", form={"access_token": pt}),
            400, error_shape(324, message="(#324) Requires upload file"))
    images.add("/gone.jpg", b"no", "text/plain", 404)
    r.check("a photo url that cannot be fetched: #324",
            peer.request("POST", f"{V}/{page}/photos", form={"url": images.url + "/gone.jpg", "access_token": pt}),
            400, error_shape(324))

    # --------------------------------------------------------------------------------------
    r.section("Page feed / published_posts: fields, since, paging cursors", DOCS_FEED)
    for i in range(3):
        peer.request("POST", f"{V}/{page}/feed", form={"message": f"Serie {i}", "access_token": pt})
    res = r.check("GET /{page-id}/published_posts?fields=id,message,created_time&limit=2",
                  peer.request("GET", f"{V}/{page}/published_posts", query={"fields": "id,message,created_time", "limit": 2, "access_token": pt}),
                  200, {"data": [{"id": post_id_shape, "message": str, "created_time": graph_time_shape}],
                        "paging": {"cursors": {"before": str, "after": str}, "next": str}})
    first = [p["message"] for p in res.json["data"]]
    r.ok("newest first", first == ["Serie 2", "Serie 1"], str(first))
    nxt = res.json["paging"]["next"]
    res2 = r.check("follow paging.next", peer.request("GET", nxt[len(peer.url):]), 200, {"data": [{"id": post_id_shape}]})
    r.ok("the next page continues after the cursor", res2.json["data"][0]["message"] == "Serie 0", str(res2.json["data"][:1]))
    r.check("since in the future: no posts",
            peer.request("GET", f"{V}/{page}/feed", query={"since": str(int(time.time()) + 10 ** 7), "access_token": pt}),
            200, {"data": []})
    r.check("an unknown field is refused",
            peer.request("GET", f"{V}/{page}/feed", query={"fields": "id,bogus", "access_token": pt}),
            400, error_shape(100, message="(#100) Tried accessing nonexisting field (bogus) on node type (PagePost)"))

    # --------------------------------------------------------------------------------------
    r.section("Reactions, comments and shares counts through fields", "https://developers.facebook.com/docs/graph-api/reference/post")
    peer.control("POST", "engage", {"post_id": hello_id, "action": "like", "count": 3})
    peer.control("POST", "engage", {"post_id": hello_id, "action": "react", "reaction": "LOVE"})
    peer.control("POST", "engage", {"post_id": hello_id, "action": "share", "count": 2})
    com = peer.control("POST", "engage", {"post_id": hello_id, "action": "comment", "message": "När öppnar badhuset?"})
    peer.control("POST", "engage", {"post_id": hello_id, "action": "view", "count": 40, "unique": 25})
    r.check("GET /{post-id}?fields=shares,reactions.summary(total_count).limit(0),comments.summary(true).limit(0)",
            peer.request("GET", f"{V}/{hello_id}", query={
                "fields": "shares,reactions.summary(total_count).limit(0),comments.summary(true).limit(0)", "access_token": pt}),
            200, {"id": hello_id, "shares": {"count": 2},
                  "reactions": {"data": [], "summary": {"total_count": 4, "viewer_reaction": "NONE"}},
                  "comments": {"data": [], "summary": {"order": str, "total_count": 1, "can_comment": True}}})

    # --------------------------------------------------------------------------------------
    r.section("Post insights: current metrics, retired metrics fail the whole request", DOCS_INSIGHTS)
    res = r.check("GET /{post-id}/insights?metric=post_media_view,post_total_media_view_unique,post_reactions_by_type_total",
                  peer.request("GET", f"{V}/{hello_id}/insights", query={
                      "metric": "post_media_view,post_total_media_view_unique,post_reactions_by_type_total", "access_token": pt}),
                  200, {"data": [{"name": str, "period": "lifetime", "values": [{"value": lambda v: isinstance(v, (int, dict))}],
                                   "title": str, "description": str, "id": str}]})
    vals = {d["name"]: d["values"][0]["value"] for d in res.json["data"]}
    r.ok("values follow the engagement", vals == {"post_media_view": 40, "post_total_media_view_unique": 25,
                                                   "post_reactions_by_type_total": {"like": 3, "love": 1}}, str(vals))
    r.check("GET /{post-id}/insights/post_clicks (metric in the path)",
            peer.request("GET", f"{V}/{hello_id}/insights/post_clicks", query={"access_token": pt}),
            200, {"data": [{"name": "post_clicks", "values": [{"value": 0}]}]})
    r.section("Retired metrics", DOCS_CHANGELOG)
    for metric in ("post_impressions", "post_impressions_unique", "post_engaged_users", "post_media_view,post_impressions"):
        r.check(f"metric={metric}",
                peer.request("GET", f"{V}/{hello_id}/insights", query={"metric": metric, "access_token": pt}),
                400, error_shape(100, type_="OAuthException", message="(#100) The value must be a valid insights metric"))
    r.check("no metric: 3001 / 1504028",
            peer.request("GET", f"{V}/{hello_id}/insights", query={"access_token": pt}),
            400, error_shape(3001, 1504028))
    r.check("a user token on the insights edge",
            peer.request("GET", f"{V}/{hello_id}/insights", query={"metric": "post_media_view", "access_token": ut}),
            400, error_shape(190, message="(#190) This method must be called with a Page Access Token"))
    r.check("insights.metric(...) as a field",
            peer.request("GET", f"{V}/{hello_id}", query={"fields": "insights.metric(post_media_view)", "access_token": pt}),
            200, {"insights": {"data": [{"name": "post_media_view", "values": [{"value": 40}]}]}})

    # --------------------------------------------------------------------------------------
    r.section("Comments: list, reply as the Page, hide", "https://developers.facebook.com/docs/graph-api/reference/object/comments")
    r.check("GET /{post-id}/comments",
            peer.request("GET", f"{V}/{hello_id}/comments", query={"access_token": pt}),
            200, {"data": [{"created_time": graph_time_shape, "from": {"name": str, "id": ready["citizen_user_id"]},
                             "message": "När öppnar badhuset?", "id": lambda s: "_" in s}]})
    res = r.check("POST /{post-id}/comments (reply as the Page)",
                  peer.request("POST", f"{V}/{hello_id}/comments", form={"message": "Klockan 10.", "access_token": pt}),
                  200, {"id": lambda s: isinstance(s, str) and "_" in s})
    r.check("POST /{comment-id}/comments (threaded reply)",
            peer.request("POST", f"{V}/{com['comment_id']}/comments", form={"message": "Välkommen!", "access_token": pt}),
            200, {"id": str})
    r.check("POST /{comment-id}?is_hidden=true",
            peer.request("POST", f"{V}/{com['comment_id']}", form={"is_hidden": "true", "access_token": pt}),
            200, {"success": True})
    r.check("GET /{comment-id}?fields=is_hidden,message",
            peer.request("GET", f"{V}/{com['comment_id']}", query={"fields": "is_hidden,message", "access_token": pt}),
            200, {"id": com["comment_id"], "is_hidden": True, "message": "När öppnar badhuset?"})
    r.check("comments?filter=stream&summary=true counts all three",
            peer.request("GET", f"{V}/{hello_id}/comments", query={"filter": "stream", "summary": "true", "access_token": pt}),
            200, {"data": [{"id": str}], "summary": {"total_count": 3}})
    r.check("hiding without pages_manage_engagement",
            peer.request("POST", f"{V}/{com['comment_id']}", form={"is_hidden": "false", "access_token": ready["tokens"]["readonly_page_token"]}),
            403, error_shape(200))

    # --------------------------------------------------------------------------------------
    r.section("Comments as inbox pull reads them: the stream newest first, edits, deletions",
              "https://developers.facebook.com/docs/graph-api/reference/page-post/comments/")
    edit = peer.control("POST", "engage", {"post_id": hello_id, "action": "comment", "message": "Gäller det Norrby?"})
    reply = peer.control("POST", "engage", {"comment_id": edit["comment_id"], "action": "reply_comment", "message": "Samma fråga"})
    fields = "id,message,created_time,from,parent,permalink_url"
    res = r.check("GET /{page-post-id}/comments?filter=stream&order=reverse_chronological",
                  peer.request("GET", f"{V}/{hello_id}/comments", query={
                      "fields": fields, "filter": "stream", "order": "reverse_chronological", "access_token": pt}),
                  200, {"data": list})
    newest = res.json["data"]
    first = newest[0]
    r.ok("the newest is the reply, with its parent, author and link",
         first["id"] == reply["comment_id"] and first["message"] == "Samma fråga"
         and first["parent"] == {"id": edit["comment_id"]} and first["from"]["id"] == ready["citizen_user_id"]
         and "comment_id=" in first["permalink_url"] and graph_time_shape(first["created_time"]), str(first))
    r.ok("newest first, replies among them", [c["id"] for c in newest[:2]] == [reply["comment_id"], edit["comment_id"]],
         str([c["id"] for c in newest]))
    peer.control("POST", "engage", {"comment_id": edit["comment_id"], "action": "edit_comment", "message": "Gäller det Norrby också?"})
    r.check("an edited comment keeps its id",
            peer.request("GET", f"{V}/{edit['comment_id']}", query={"fields": "message", "access_token": pt}),
            200, {"id": edit["comment_id"], "message": "Gäller det Norrby också?"})
    peer.control("POST", "engage", {"comment_id": reply["comment_id"], "action": "delete_comment"})
    r.check("a deleted comment does not exist: 100 / 33",
            peer.request("GET", f"{V}/{reply['comment_id']}", query={"fields": "id", "access_token": pt}),
            400, error_shape(100, 33, type_="GraphMethodException"))
    res = r.check("the stream no longer lists it",
                  peer.request("GET", f"{V}/{hello_id}/comments", query={"fields": "id", "filter": "stream", "access_token": pt}),
                  200, {"data": [{"id": str}]})
    r.ok("deleted comment gone from the stream", reply["comment_id"] not in [c["id"] for c in res.json["data"]])

    # --------------------------------------------------------------------------------------
    r.section("Errors: tokens and permissions", DOCS_ERRORS)
    r.check("no access token", peer.request("GET", f"{V}/{page}/feed"), 400,
            error_shape(104, message="An access token is required to request this resource."))
    r.check("no access token on /me", peer.request("GET", f"{V}/me"), 400, error_shape(2500))
    res = r.check("a token that does not parse", peer.request("GET", f"{V}/{page}/feed", headers={"Authorization": "Bearer nonsense"}), 400,
                  error_shape(190, type_="OAuthException", message="Invalid OAuth access token - Cannot parse access token"),
                  headers={"WWW-Authenticate": lambda v: v.startswith('OAuth "Facebook Platform" "invalid_token"')})
    r.check("an expired token: 190 / 463",
            peer.request("POST", f"{V}/{page}/feed", form={"message": "x", "access_token": ready["tokens"]["expired_page_token"]}),
            400, error_shape(190, 463, message=lambda m: m.startswith("Error validating access token: Session has expired on")))
    r.check("password changed: 190 / 460",
            peer.request("POST", f"{V}/{page}/feed", form={"message": "x", "access_token": ready["tokens"]["password_changed_page_token"]}),
            400, error_shape(190, 460))
    r.check("a user token on a Page write", peer.request("POST", f"{V}/{page}/feed", form={"message": "x", "access_token": ut}),
            403, error_shape(200, message=lambda m: "pages_read_engagement and pages_manage_posts" in m))
    r.check("Bearer header works like access_token",
            peer.request("POST", f"{V}/{page}/feed", form={"message": "via header"}, headers={"Authorization": f"Bearer {pt}"}),
            200, {"id": post_id_shape})
    r.check("a Page token without pages_manage_posts",
            peer.request("POST", f"{V}/{page}/feed", form={"message": "x", "access_token": ready["tokens"]["readonly_page_token"]}),
            403, error_shape(200))
    r.check("a citizen's token reading the feed",
            peer.request("GET", f"{V}/{page}/feed", query={"access_token": ready["citizen_token"]}),
            403, error_shape(10, message=lambda m: "pages_read_engagement" in m))
    added = peer.control("POST", "tokens", {"kind": "PAGE", "scopes": ["pages_read_engagement"], "expires_in": 5, "label": "short"})
    r.check("a token added through /_fake/tokens works", peer.request("GET", f"{V}/{page}/feed", query={"access_token": added["access_token"]}), 200)
    peer.control("POST", "clock", {"advance": 10})
    r.check("... and expires on /_fake/clock", peer.request("GET", f"{V}/{page}/feed", query={"access_token": added["access_token"]}),
            400, error_shape(190, 463))
    r.check("missing message and attachment", peer.request("POST", f"{V}/{page}/feed", form={"access_token": pt}), 400, error_shape(100))
    r.check("the same text twice in a row: #506 duplicate",
            peer.request("POST", f"{V}/{page}/feed", form={"message": "via header", "access_token": pt}), 400,
            error_shape(506, message="(#506) Duplicate status message"))
    r.check("an unknown edge", peer.request("GET", f"{V}/{page}/nonsense", query={"access_token": pt}), 400,
            error_shape(2500, message="Unknown path components: /nonsense"))
    r.check("an object that does not exist", peer.request("GET", f"{V}/123456789", query={"access_token": pt}), 400,
            error_shape(100, 33, "GraphMethodException"))
    peer.control("POST", "config", {"blocked": True})
    r.check("blocked: #368", peer.request("POST", f"{V}/{page}/feed", form={"message": "spärrad", "access_token": pt}), 400, error_shape(368))
    peer.control("POST", "config", {"blocked": False})
    peer.control("POST", "config", {"require_appsecret_proof": True})
    r.check("appsecret_proof required and missing", peer.request("GET", f"{V}/{page}/feed", query={"access_token": pt}), 400,
            error_shape(100, type_="GraphMethodException", message="API calls from the server require an appsecret_proof argument"))
    proof = hmac.new(ready["app_secret"].encode(), pt.encode(), hashlib.sha256).hexdigest()
    r.check("with a right appsecret_proof", peer.request("GET", f"{V}/{page}/feed", query={"access_token": pt, "appsecret_proof": proof}), 200)
    r.check("with a wrong appsecret_proof", peer.request("GET", f"{V}/{page}/feed", query={"access_token": pt, "appsecret_proof": "00"}), 400,
            error_shape(100, type_="GraphMethodException"))
    peer.control("POST", "config", {"require_appsecret_proof": False})

    # --------------------------------------------------------------------------------------
    r.section("Rate limits: usage headers and throttling", DOCS_RATE)
    res = r.check("a Page token call carries X-Business-Use-Case-Usage",
                  peer.request("GET", f"{V}/{page}/feed", query={"access_token": pt}), 200,
                  headers={"X-Business-Use-Case-Usage": lambda v: page in json.loads(v) and json.loads(v)[page][0]["type"] == "pages"})
    r.check("a user token call carries X-App-Usage", peer.request("GET", f"{V}/me", query={"access_token": ut}), 200,
            headers={"X-App-Usage": lambda v: set(json.loads(v)) == {"call_count", "total_cputime", "total_time"}})
    peer.control("POST", "quota", {"bucket": "pages", "remaining": 0, "regain_seconds": 600})
    r.check("Page BUC limit reached: #80001",
            peer.request("GET", f"{V}/{page}/feed", query={"access_token": pt}), 400,
            error_shape(80001, message=lambda m: m.startswith("(#80001) There have been too many calls to this Page account")),
            headers={"X-Business-Use-Case-Usage": lambda v: json.loads(v)[page][0]["call_count"] == 100
                     and json.loads(v)[page][0]["estimated_time_to_regain_access"] == 10})
    peer.control("POST", "clock", {"advance": 601})
    r.check("the window passes: calls work again", peer.request("GET", f"{V}/{page}/feed", query={"access_token": pt}), 200)
    peer.control("POST", "quota", {"bucket": "pages", "remaining": 0, "code": 32})
    r.check("the same, answered as #32 Page request limit", peer.request("GET", f"{V}/{page}/feed", query={"access_token": pt}), 400,
            error_shape(32, message="(#32) Page request limit reached"))
    peer.control("POST", "quota", {"bucket": "pages", "remaining": 1000})
    peer.control("POST", "quota", {"bucket": "app", "remaining": 0})
    r.check("app limit reached for user-token calls: #4", peer.request("GET", f"{V}/me", query={"access_token": ut}), 400,
            error_shape(4, message="(#4) Application request limit reached"),
            headers={"X-App-Usage": lambda v: json.loads(v)["call_count"] == 100})
    peer.control("POST", "quota", {"bucket": "app", "remaining": 1000})

    # --------------------------------------------------------------------------------------
    r.section("Versions", DOCS_VERSIONS)
    r.check(f"an expired version is served as the oldest ({oldest})",
            peer.request("GET", f"/v2.12/{page}", query={"access_token": pt}), 200, {"id": page, "name": str},
            headers={"facebook-api-version": oldest})
    r.check("a version that does not exist yet", peer.request("GET", f"/v99.0/{page}/feed", query={"access_token": pt}), 400,
            error_shape(2500, message=f"Unknown path components: /{page}/feed"))
    r.check("any current vNN.N is served as asked", peer.request("GET", f"/v23.0/{page}", query={"access_token": pt}), 200,
            headers={"facebook-api-version": "v23.0"})

    # --------------------------------------------------------------------------------------
    r.section("debug_token and /me/permissions (the doctor pre-flight)", DOCS_DEBUG)
    app_tok = ready["app_token"]
    r.check("debug_token of the Page token",
            peer.request("GET", f"{V}/debug_token", query={"input_token": pt, "access_token": app_tok}), 200,
            {"data": {"app_id": ready["app_id"], "type": "PAGE", "application": str, "data_access_expires_at": int,
                      "expires_at": 0, "is_valid": True, "issued_at": int, "profile_id": page,
                      "scopes": lambda s: "pages_manage_posts" in s,
                      "granular_scopes": [{"scope": str, "target_ids": Opt([str])}], "user_id": ready["user_id"]}})
    r.check("debug_token of the user token (expires in 60 days)",
            peer.request("GET", f"{V}/debug_token", query={"input_token": ut, "access_token": ut}), 200,
            {"data": {"type": "USER", "is_valid": True, "expires_at": lambda v: v > time.time() + 59 * 86400}})
    r.check("debug_token of an expired token",
            peer.request("GET", f"{V}/debug_token", query={"input_token": ready["tokens"]["expired_page_token"], "access_token": app_tok}), 200,
            {"data": {"is_valid": False, "error": {"code": 190, "subcode": 463, "message": str}}})
    r.check("debug_token of garbage", peer.request("GET", f"{V}/debug_token", query={"input_token": "garbage", "access_token": app_tok}), 200,
            {"data": {"is_valid": False, "error": {"code": 190, "message": str}, "scopes": []}})
    r.check("debug_token without input_token", peer.request("GET", f"{V}/debug_token", query={"access_token": app_tok}), 400,
            error_shape(100, message="(#100) The parameter input_token is required"))
    r.section("/me/permissions", "https://developers.facebook.com/docs/graph-api/reference/user/permissions")
    r.check("GET /me/permissions with the user token", peer.request("GET", f"{V}/me/permissions", query={"access_token": ut}), 200,
            {"data": [{"permission": str, "status": "granted"}]})
    r.check("GET /me/permissions with a Page token", peer.request("GET", f"{V}/me/permissions", query={"access_token": pt}), 400,
            error_shape(100, message="(#100) Tried accessing nonexisting field (permissions) on node type (Page)"))
    r.check("GET /me with a Page token is the Page", peer.request("GET", f"{V}/me", query={"access_token": pt}), 200,
            {"id": page, "name": ready["page_name"]})
    r.check("GET /{page-id}?fields=access_token with the user token", peer.request("GET", f"{V}/{page}", query={"fields": "access_token", "access_token": ut}),
            200, {"id": page, "access_token": pt})


if __name__ == "__main__":
    sys.exit(main())
