#!/usr/bin/env python3
"""Replays the documented Threads API examples quoted in README.md against the fake (image_url
served from a local HTTP server the fake really fetches), plus the error cases. Exit 0 when all
pass.

    python3 tests/peers/threads/replay.py
"""

from __future__ import annotations

import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

from meta_graph.replaylib import (  # noqa: E402
    ImageHost, Opt, Peer, Replay, digits, error_shape, graph_time_shape, make_jpeg, make_png)

DOCS_POSTS = "https://developers.facebook.com/docs/threads/posts"
DOCS_QUOTE = "https://developers.facebook.com/documentation/threads/posts/quote-posts"
DOCS_DELETE = "https://developers.facebook.com/docs/threads/posts/delete-posts"
DOCS_TROUBLE = "https://developers.facebook.com/docs/threads/troubleshooting"
DOCS_REPLIES = "https://developers.facebook.com/documentation/threads/reply-management"
DOCS_REPLY_REF = "https://developers.facebook.com/documentation/threads/reference/reply-management"
DOCS_INSIGHTS = "https://developers.facebook.com/documentation/threads/insights"
DOCS_RETRIEVE = "https://developers.facebook.com/documentation/threads/retrieve-and-discover-posts/retrieve-posts"
DOCS_USER_REF = "https://developers.facebook.com/documentation/threads/reference/user"
DOCS_TOKENS = "https://developers.facebook.com/docs/threads/get-started/long-lived-tokens/"
DOCS_DEBUG = "https://developers.facebook.com/documentation/threads/troubleshooting/debug-access-token"
V = "/v1.0"


def main() -> int:
    peer = Peer(os.path.join(HERE, "server.py"))
    images = ImageHost()
    r = Replay("threads replay")
    try:
        run(peer, images, r)
    except Exception as e:
        import traceback
        r.record("replay crashed", [f"{type(e).__name__}: {e}", traceback.format_exc()], None)
    finally:
        images.close()
        peer.close()
    return r.finish(peer)


def settle(peer, cid, tok, timeout=10.0):
    peer.control("POST", "clock", {"advance": 5})
    deadline = time.time() + timeout
    while True:
        res = peer.request("GET", f"{V}/{cid}", query={"fields": "status,error_message", "access_token": tok})
        if res.json and res.json.get("status") in ("FINISHED", "ERROR") or time.time() > deadline:
            return res
        time.sleep(0.1)


def post_text(peer, uid, tok, text, **extra):
    cid = peer.request("POST", f"{V}/{uid}/threads", form={"media_type": "TEXT", "text": text, "access_token": tok, **extra}).json["id"]
    settle(peer, cid, tok)
    return peer.request("POST", f"{V}/{uid}/threads_publish", form={"creation_id": cid, "access_token": tok}).json["id"]


def run(peer: Peer, images: ImageHost, r: Replay) -> None:
    ready = peer.ready
    uid, tok = ready["threads_user_id"], ready["access_token"]
    jpg = images.add("/images/bronz-fonz.jpg", make_jpeg(1080, 1350))

    # --------------------------------------------------------------------------------------
    r.section("Single thread post: create a media container, publish it", DOCS_POSTS)
    res = r.check("POST /{threads-user-id}/threads ?media_type=IMAGE&image_url=…/bronz-fonz.jpg&text=BronzFonz",
                  peer.request("POST", f"{V}/{uid}/threads", query={"media_type": "IMAGE", "image_url": jpg,
                                                                     "text": "BronzFonz", "alt_text": "En solbränd Fonzie",
                                                                     "access_token": tok}),
                  200, {"id": digits})
    cid = res.json["id"]
    r.check("publishing at once: the container is not ready (24 / 4279009)",
            peer.request("POST", f"{V}/{uid}/threads_publish", query={"creation_id": cid, "access_token": tok}),
            400, {"error": {"message": "The requested resource does not exist", "type": "OAuthException", "code": 24,
                            "error_subcode": 4279009, "is_transient": False, "error_user_title": "Media Not Found",
                            "error_user_msg": str, "fbtrace_id": str}})
    r.section("Container status", DOCS_TROUBLE)
    r.check("GET /{container-id}?fields=status,error_message while processing",
            peer.request("GET", f"{V}/{cid}", query={"fields": "status,error_message", "access_token": tok}),
            200, {"status": "IN_PROGRESS", "id": cid})
    r.check("… then FINISHED", settle(peer, cid, tok), 200, {"status": "FINISHED", "id": cid})
    r.section("Publish", DOCS_POSTS)
    res = r.check("POST /{threads-user-id}/threads_publish ?creation_id=…",
                  peer.request("POST", f"{V}/{uid}/threads_publish", query={"creation_id": cid, "access_token": tok}),
                  200, {"id": digits})
    img_post = res.json["id"]
    r.ok("the fake fetched image_url", "/images/bronz-fonz.jpg" in images.hits)
    r.check("the container is PUBLISHED", peer.request("GET", f"{V}/{cid}", query={"fields": "status", "access_token": tok}),
            200, {"status": "PUBLISHED"})
    r.check("publishing the same container again does not make a second post",
            peer.request("POST", f"{V}/{uid}/threads_publish", query={"creation_id": cid, "access_token": tok}),
            400, error_shape(24, 4279009))
    r.check("GET /{threads-media-id}?fields=id,media_type,text,alt_text,permalink,timestamp",
            peer.request("GET", f"{V}/{img_post}", query={"fields": "id,media_type,text,alt_text,permalink,timestamp,media_product_type", "access_token": tok}),
            200, {"id": img_post, "media_type": "IMAGE", "text": "BronzFonz", "alt_text": "En solbränd Fonzie",
                  "permalink": lambda s: s.startswith(f"https://www.threads.net/@{ready['username']}/post/"),
                  "timestamp": graph_time_shape, "media_product_type": "THREADS"})

    # text post through /me with a JSON body and a Bearer header
    res = r.check("POST /me/threads media_type=TEXT (JSON body, Bearer)",
                  peer.request("POST", f"{V}/me/threads", json_body={"media_type": "TEXT", "text": "Snöröjningen börjar kl 04 i natt. ❄️"},
                               headers={"Authorization": f"Bearer {tok}"}), 200, {"id": digits})
    settle(peer, res.json["id"], tok)
    res = r.check("POST /me/threads_publish (JSON body)",
                  peer.request("POST", f"{V}/me/threads_publish", json_body={"creation_id": res.json["id"]},
                               headers={"Authorization": f"Bearer {tok}"}), 200, {"id": digits})
    text_post = res.json["id"]

    # --------------------------------------------------------------------------------------
    r.section("Thread parts: reply_to_id", DOCS_POSTS)
    part2 = post_text(peer, uid, tok, "Del 2: plogbilarna tar huvudgatorna först.", reply_to_id=text_post)
    r.check("the second part is a reply to the first",
            peer.request("GET", f"{V}/{part2}", query={"fields": "id,is_reply,replied_to,root_post,text", "access_token": tok}),
            200, {"id": part2, "is_reply": True, "replied_to": {"id": text_post}, "root_post": {"id": text_post}})
    r.check("GET /{threads-user-id}/replies lists it",
            peer.request("GET", f"{V}/{uid}/replies", query={"fields": "id,text", "access_token": tok}),
            200, {"data": [{"id": part2, "text": "Del 2: plogbilarna tar huvudgatorna först."}]})

    # --------------------------------------------------------------------------------------
    r.section("Carousel post", DOCS_POSTS)
    items = []
    for i, body in enumerate([make_jpeg(800, 800), make_png(40, 40)]):
        u = images.add(f"/c{i}", body, "image/jpeg" if i == 0 else "image/png")
        res = r.check(f"item container #{i + 1} (is_carousel_item=true)",
                      peer.request("POST", f"{V}/{uid}/threads", form={"media_type": "IMAGE", "image_url": u, "is_carousel_item": "true",
                                                                        "access_token": tok}), 200, {"id": digits})
        items.append(res.json["id"])
    res = r.check("carousel container media_type=CAROUSEL&children=a,b",
                  peer.request("POST", f"{V}/{uid}/threads", form={"media_type": "CAROUSEL", "children": ",".join(items),
                                                                    "text": "Två bilder från invigningen", "access_token": tok}),
                  200, {"id": digits})
    settle(peer, res.json["id"], tok)
    res = r.check("publish the carousel", peer.request("POST", f"{V}/{uid}/threads_publish", form={"creation_id": res.json["id"], "access_token": tok}),
                  200, {"id": digits})
    r.check("the album and its children", peer.request("GET", f"{V}/{res.json['id']}", query={"fields": "media_type,children", "access_token": tok}),
            200, {"media_type": "CAROUSEL_ALBUM", "children": {"data": [{"id": digits}]}})
    r.check("one child is not a carousel", peer.request("POST", f"{V}/{uid}/threads", form={"media_type": "CAROUSEL", "children": items[0], "access_token": tok}),
            400, error_shape(100))

    # --------------------------------------------------------------------------------------
    r.section("Quote posts", DOCS_QUOTE)
    res = r.check("POST …/threads?media_type=IMAGE&image_url=…&text=BronzFonz -d quote_post_id=…",
                  peer.request("POST", f"{V}/{uid}/threads", query={"media_type": "IMAGE", "image_url": jpg, "text": "BronzFonz", "access_token": tok},
                               form={"quote_post_id": text_post}), 200, {"id": digits})
    settle(peer, res.json["id"], tok)
    quote = peer.request("POST", f"{V}/{uid}/threads_publish", form={"creation_id": res.json["id"], "access_token": tok}).json["id"]
    r.check("GET /{threads-media-id}?fields=id,is_quote_post,quoted_post",
            peer.request("GET", f"{V}/{quote}", query={"fields": "id,is_quote_post,quoted_post", "access_token": tok}),
            200, {"id": quote, "is_quote_post": True, "quoted_post": {"id": text_post}})

    # --------------------------------------------------------------------------------------
    r.section("Own posts: GET /me/threads", DOCS_RETRIEVE)
    res = r.check("GET /me/threads?fields=id,text,timestamp,permalink,media_type",
                  peer.request("GET", f"{V}/me/threads", query={"fields": "id,text,timestamp,permalink,media_type", "access_token": tok}),
                  200, {"data": [{"id": digits, "text": Opt(str), "timestamp": graph_time_shape, "permalink": str, "media_type": str}],
                        "paging": {"cursors": {"before": str, "after": str}}})
    texts = [p.get("text") for p in res.json["data"]]
    r.ok("newest first, replies not included, exact text",
         texts == ["BronzFonz", "Två bilder från invigningen", "Snöröjningen börjar kl 04 i natt. ❄️", "BronzFonz"], str(texts))
    r.section("since/until and limit", DOCS_USER_REF)
    r.check("limit=1 gives paging.next", peer.request("GET", f"{V}/{uid}/threads", query={"limit": 1, "access_token": tok}),
            200, {"data": [lambda d: set(d) == {"id"}], "paging": {"next": str}})
    r.check("since before 1688540400 is refused", peer.request("GET", f"{V}/me/threads", query={"since": "1600000000", "access_token": tok}),
            400, error_shape(100))
    r.check("until in the future is refused", peer.request("GET", f"{V}/me/threads", query={"until": str(int(time.time()) + 10 ** 6), "access_token": tok}),
            400, error_shape(100))
    r.check("since=now-1h", peer.request("GET", f"{V}/me/threads", query={"since": str(int(time.time()) - 3600), "access_token": tok}),
            200, {"data": [{"id": digits}]})

    # --------------------------------------------------------------------------------------
    r.section("Publishing limit", DOCS_USER_REF)
    r.check("GET /me/threads_publishing_limit?fields=quota_usage,config,reply_quota_usage,reply_config",
            peer.request("GET", f"{V}/me/threads_publishing_limit",
                         query={"fields": "quota_usage,config,reply_quota_usage,reply_config", "access_token": tok}),
            200, {"data": [{"quota_usage": 4, "config": {"quota_total": 250, "quota_duration": 86400},
                            "reply_quota_usage": 1, "reply_config": {"quota_total": 1000, "quota_duration": 86400}}]})
    peer.control("POST", "quota", {"bucket": "posts", "remaining": 0})
    cid = peer.request("POST", f"{V}/{uid}/threads", form={"media_type": "TEXT", "text": "För många", "access_token": tok}).json["id"]
    settle(peer, cid, tok)
    r.check("publishing past 250 posts in 24 h", peer.request("POST", f"{V}/{uid}/threads_publish", form={"creation_id": cid, "access_token": tok}),
            400, error_shape(4))
    peer.control("POST", "quota", {"bucket": "posts", "remaining": 250})

    # --------------------------------------------------------------------------------------
    r.section("Replies: list, conversation, hide", DOCS_REPLIES)
    rep = peer.control("POST", "engage", {"post_id": text_post, "action": "reply", "message": "Gäller det Ekvägen också?"})
    nested = peer.control("POST", "engage", {"post_id": rep["reply_id"], "action": "reply", "message": "Undrar samma sak"})
    r.section("GET replies / conversation", DOCS_REPLY_REF)
    r.check("GET /{media}/replies?fields=id,text,username,timestamp,hide_status",
            peer.request("GET", f"{V}/{text_post}/replies", query={"fields": "id,text,username,timestamp,hide_status", "access_token": tok}),
            200, {"data": [{"id": digits, "text": str, "username": str, "timestamp": graph_time_shape, "hide_status": "NOT_HUSHED"}]})
    res = r.check("GET /{media}/conversation (flattened, nested replies included)",
                  peer.request("GET", f"{V}/{text_post}/conversation", query={"fields": "id,text", "reverse": "false", "access_token": tok}),
                  200, {"data": [{"id": digits}]})
    r.ok("conversation has the thread part, the reply and the nested reply",
         {d["id"] for d in res.json["data"]} == {part2, rep["reply_id"], nested["reply_id"]}, str(res.json["data"]))
    r.section("Replies and mentions as inbox pull reads them",
              "https://developers.facebook.com/documentation/threads/retrieve-and-manage-replies/replies-and-conversations")
    fields = "id,text,username,timestamp,permalink,is_reply,replied_to,root_post,is_reply_owned_by_me"
    res = r.check("GET /{media}/conversation?fields=…,replied_to,root_post,is_reply_owned_by_me",
                  peer.request("GET", f"{V}/{text_post}/conversation", query={"fields": fields, "reverse": "false", "access_token": tok}),
                  200, {"data": list})
    got = {d["id"]: d for d in res.json["data"]}
    n = got.get(nested["reply_id"], {})
    r.ok("a nested reply names what it answers and the root; the profile's own part is marked",
         n.get("replied_to") == {"id": rep["reply_id"]} and n.get("root_post") == {"id": text_post}
         and n.get("is_reply") is True and n.get("is_reply_owned_by_me") is False
         and got.get(part2, {}).get("is_reply_owned_by_me") is True, str(res.json["data"]))
    peer.control("POST", "engage", {"post_id": rep["reply_id"], "action": "edit", "message": "Gäller det Ekvägen och Björkvägen?"})
    r.check("an edited reply keeps its id", peer.request("GET", f"{V}/{rep['reply_id']}", query={"fields": "text", "access_token": tok}),
            200, {"id": rep["reply_id"], "text": "Gäller det Ekvägen och Björkvägen?"})
    # https://developers.facebook.com/documentation/threads/threads-mentions:
    # curl -s -X GET https://graph.threads.net/<THREADS_USER_ID>/mentions?fields=<LIST_OF_FIELDS>&access_token=<ACCESS_TOKEN>
    men = peer.control("POST", "engage", {"action": "mention", "message": f"Hej @{ready['username']}, när töms soporna?"})
    res = r.check("GET /me/mentions?fields=id,text,username,timestamp,permalink",
                  peer.request("GET", f"{V}/me/mentions", query={"fields": "id,text,username,timestamp,permalink", "access_token": tok}),
                  200, {"data": [{"id": men["post_id"], "text": str, "username": str, "timestamp": graph_time_shape, "permalink": str}]})
    r.check("mentions need threads_manage_mentions",
            peer.request("GET", f"{V}/me/mentions", query={"access_token": peer.control("POST", "tokens", {"scopes": ["threads_basic"]})["access_token"]}),
            403, error_shape(10))
    peer.control("POST", "engage", {"post_id": men["post_id"], "action": "delete"})
    r.check("a deleted post does not exist: 100 / 33",
            peer.request("GET", f"{V}/{men['post_id']}", query={"fields": "id", "access_token": tok}), 400, error_shape(100, 33))
    r.section("Hide a reply", DOCS_REPLIES)
    r.check("POST /{reply-id}/manage_reply -F hide=true",
            peer.request("POST", f"{V}/{rep['reply_id']}/manage_reply", form={"hide": "true", "access_token": tok},
                         files={}), 200, {"success": True})
    r.check("the reply and its nested reply are HIDDEN",
            peer.request("GET", f"{V}/{nested['reply_id']}", query={"fields": "hide_status", "access_token": tok}),
            200, {"hide_status": "HIDDEN"})
    r.check("a nested reply cannot be targeted on its own",
            peer.request("POST", f"{V}/{nested['reply_id']}/manage_reply", form={"hide": "false", "access_token": tok}), 400, error_shape(100))
    res = r.check("reply_control=accounts_you_follow",
                  peer.request("POST", f"{V}/me/threads", form={"media_type": "TEXT", "text": "Bara för följare", "reply_control": "accounts_you_follow",
                                                                  "access_token": tok}, files={}), 200, {"id": digits})

    # --------------------------------------------------------------------------------------
    r.section("Media insights", DOCS_INSIGHTS)
    peer.control("POST", "engage", {"post_id": text_post, "action": "like", "count": 5})
    peer.control("POST", "engage", {"post_id": text_post, "action": "view", "count": 300})
    peer.control("POST", "engage", {"post_id": text_post, "action": "repost", "count": 2})
    peer.control("POST", "engage", {"post_id": text_post, "action": "quote"})
    res = r.check("GET /{media}/insights?metric=views,likes,replies,reposts,quotes,shares",
                  peer.request("GET", f"{V}/{text_post}/insights", query={"metric": "views,likes,replies,reposts,quotes,shares", "access_token": tok}),
                  200, {"data": [{"name": str, "period": "lifetime", "values": [{"value": int}], "title": str, "description": str,
                                  "id": lambda s: s.startswith(text_post + "/insights/")}]})
    vals = {d["name"]: d["values"][0]["value"] for d in res.json["data"]}
    r.ok("values follow the engagement (replies of a root post count nested ones)",
         vals == {"views": 300, "likes": 5, "replies": 3, "reposts": 2, "quotes": 2, "shares": 0}, str(vals))
    r.check("an unknown metric", peer.request("GET", f"{V}/{text_post}/insights", query={"metric": "impressions", "access_token": tok}),
            400, error_shape(100, message=lambda m: m.startswith("(#100) metric[0] must be one of the following values")))
    r.check("without threads_manage_insights", peer.request("GET", f"{V}/{text_post}/insights",
                                                             query={"metric": "views", "access_token": ready["tokens"]["basic_only"]}),
            403, error_shape(10))

    # --------------------------------------------------------------------------------------
    r.section("Delete; no edit", DOCS_DELETE)
    r.check("DELETE /{threads-media-id}", peer.request("DELETE", f"{V}/{quote}", query={"access_token": tok}),
            200, {"success": True, "deleted_id": quote})
    r.check("GET it afterwards", peer.request("GET", f"{V}/{quote}", query={"access_token": tok}), 400, error_shape(100, 33))
    r.check("delete_quota_usage counts it",
            peer.request("GET", f"{V}/me/threads_publishing_limit", query={"fields": "delete_quota_usage,delete_config", "access_token": tok}),
            200, {"data": [{"delete_quota_usage": 1, "delete_config": {"quota_total": 100, "quota_duration": 86400}}]})
    r.check("without threads_delete", peer.request("DELETE", f"{V}/{text_post}", query={"access_token": ready["tokens"]["basic_only"]}),
            403, error_shape(10))
    r.check("there is no edit: POST on a post is not supported",
            peer.request("POST", f"{V}/{text_post}", form={"text": "ändrad", "access_token": tok}), 400,
            error_shape(100, 33, "GraphMethodException"))

    # --------------------------------------------------------------------------------------
    r.section("Text rules", DOCS_POSTS)
    r.check("500 characters with å ä ö is accepted", peer.request("POST", f"{V}/me/threads", form={"media_type": "TEXT", "text": "åäö" * 166 + "ab", "access_token": tok}),
            200, {"id": digits})
    r.check("501 characters is refused", peer.request("POST", f"{V}/me/threads", form={"media_type": "TEXT", "text": "a" * 501, "access_token": tok}),
            400, error_shape(100))
    r.check("emojis count as their UTF-8 bytes: 496 + one 4-byte emoji is over",
            peer.request("POST", f"{V}/me/threads", form={"media_type": "TEXT", "text": "a" * 497 + "🎉", "access_token": tok}),
            400, error_shape(100))
    r.check("more than 5 links: THREADS_API__LINK_LIMIT_EXCEEDED",
            peer.request("POST", f"{V}/me/threads", form={"media_type": "TEXT", "access_token": tok,
                                                           "text": " ".join(f"https://exempelby.se/{i}" for i in range(6))}),
            400, error_shape(100, message=lambda m: "THREADS_API__LINK_LIMIT_EXCEEDED" in m))
    r.check("TEXT without text", peer.request("POST", f"{V}/me/threads", form={"media_type": "TEXT", "access_token": tok}),
            400, error_shape(100, message="(#100) The parameter text is required"))
    r.check("no media_type", peer.request("POST", f"{V}/me/threads", form={"text": "x", "access_token": tok}),
            400, error_shape(100, message="(#100) The parameter media_type is required"))

    r.section("image_url problems", DOCS_TROUBLE)
    for name, url, msg in [("404", images.add("/nope.jpg", b"x", "text/plain", 404), "UNKNOWN"),
                           ("a GIF", images.add("/anim.gif", b"GIF89a" + b"\x00" * 20, "image/gif"), "UNKNOWN"),
                           ("aspect ratio 12:1", images.add("/strip.jpg", make_jpeg(1200, 100)), "INVALID_ASPEC_RATIO")]:
        c = peer.request("POST", f"{V}/me/threads", form={"media_type": "IMAGE", "image_url": url, "access_token": tok}).json["id"]
        r.check(f"{name}: status ERROR with error_message {msg}", settle(peer, c, tok), 200,
                {"status": "ERROR", "id": c, "error_message": msg})

    # --------------------------------------------------------------------------------------
    r.section("Profile and tokens", DOCS_TOKENS)
    r.check("GET /me?fields=id,username,name,threads_profile_picture_url,threads_biography",
            peer.request("GET", f"{V}/me", query={"fields": "id,username,name,threads_profile_picture_url,threads_biography", "access_token": tok}),
            200, {"id": uid, "username": ready["username"], "name": str, "threads_profile_picture_url": str, "threads_biography": str})
    r.check("refreshing a token younger than 24 h is refused",
            peer.request("GET", "/refresh_access_token", query={"grant_type": "th_refresh_token", "access_token": tok}), 400, error_shape(100))
    peer.control("POST", "clock", {"advance": 86400 + 60})
    res = r.check("GET /refresh_access_token?grant_type=th_refresh_token&access_token=<long-lived>",
                  peer.request("GET", "/refresh_access_token", query={"grant_type": "th_refresh_token", "access_token": tok}),
                  200, {"access_token": str, "token_type": "bearer", "expires_in": lambda n: 5180000 < n <= 5184000})
    newtok = res.json["access_token"]
    r.check("GET /access_token?grant_type=th_exchange_token (short-lived -> long-lived)",
            peer.request("GET", "/access_token", query={"grant_type": "th_exchange_token", "client_secret": ready["app_secret"],
                                                        "access_token": ready["tokens"]["short_lived"]}),
            400, error_shape(190, 463))
    short = peer.control("POST", "tokens", {"long_lived": False, "expires_in": 3600})["access_token"]
    r.check("… with a fresh short-lived token",
            peer.request("GET", "/access_token", query={"grant_type": "th_exchange_token", "client_secret": ready["app_secret"], "access_token": short}),
            200, {"access_token": str, "token_type": "bearer", "expires_in": lambda n: 5183000 < n <= 5184000})
    r.section("debug_token", DOCS_DEBUG)
    r.check("GET /v1.0/debug_token?access_token=…&input_token=…",
            peer.request("GET", f"{V}/debug_token", query={"access_token": newtok, "input_token": newtok}),
            200, {"data": {"type": "USER", "application": str, "data_access_expires_at": int, "expires_at": int, "is_valid": True,
                           "issued_at": int, "scopes": lambda s: "threads_content_publish" in s, "user_id": uid}})
    r.check("debug_token of an expired token", peer.request("GET", f"{V}/debug_token", query={"access_token": newtok, "input_token": ready["tokens"]["expired"]}),
            200, {"data": {"is_valid": False, "error": {"code": 190, "subcode": 463, "message": str}}})

    r.section("Errors", "https://developers.facebook.com/docs/graph-api/guides/error-handling")
    r.check("no token", peer.request("GET", f"{V}/me/threads"), 400, error_shape(2500))
    r.check("bad token", peer.request("GET", f"{V}/me/threads", query={"access_token": "THAAbogus"}), 400, error_shape(190))
    r.check("expired token", peer.request("GET", f"{V}/me/threads", query={"access_token": ready["tokens"]["expired"]}), 400, error_shape(190, 463))
    r.check("password changed", peer.request("GET", f"{V}/me/threads", query={"access_token": ready["tokens"]["password_changed"]}), 400, error_shape(190, 460))
    r.check("without threads_content_publish", peer.request("POST", f"{V}/me/threads", form={"media_type": "TEXT", "text": "x",
                                                                                            "access_token": ready["tokens"]["basic_only"]}),
            403, error_shape(10))
    r.check("a Graph API version on graph.threads.net", peer.request("GET", "/v21.0/me", query={"access_token": newtok}), 400, error_shape(2500))
    peer.control("POST", "quota", {"bucket": "threads", "remaining": 0})
    r.check("throttled: #4", peer.request("GET", f"{V}/me", query={"access_token": newtok}), 400,
            error_shape(4, message="(#4) Application request limit reached"))


if __name__ == "__main__":
    sys.exit(main())
