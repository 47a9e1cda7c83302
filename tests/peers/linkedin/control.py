"""The /_fake/ control API (not part of LinkedIn; for tests).  See README "Control API"."""

import api
from api import ApiError, Response
from state import ROLES


def bad(msg):
    return ApiError(400, {"error": msg})


def body(req):
    if not req.body:
        return {}
    try:
        return req.json()
    except ApiError as e:
        raise bad(e.body.get("message", "bad JSON"))


def state(st, req):
    return Response(200, st.snapshot())


def clock(st, req):
    if req.method == "POST":
        b = body(req)
        if "advance" in b:
            st.advance(float(b["advance"]))
        elif "set" in b:
            st.set_time(float(b["set"]))
        else:
            raise bad('POST /_fake/clock takes {"advance": seconds} or {"set": epoch_seconds}')
    return Response(200, {"now_ms": st.now_ms(), "now_s": st.now_s()})


def tokens(st, req):
    if req.method == "GET":
        return Response(200, {"tokens": list(st.tokens.values())})
    b = body(req)
    existing = st.tokens.get(b.get("token")) if b.get("token") else None
    try:
        if existing is not None:  # change only what the body names
            if "scopes" in b:
                existing["scopes"] = list(b["scopes"])
            if "expires_in" in b:
                existing["expires_at"] = st.now_s() + int(b["expires_in"])
            if "revoked" in b:
                existing["revoked"] = bool(b["revoked"])
            if "member" in b:
                existing["member"] = st.member_ref(b["member"])
            return Response(200, existing)
        t = st.add_token(b.get("token"), st.member_ref(b.get("member", "admin")), b.get("scopes", []),
                         expires_in=b.get("expires_in", api.ACCESS_TOKEN_TTL), revoked=b.get("revoked", False),
                         name=b.get("name"), refresh_token=b.get("refresh_token"), client_id=b.get("client_id"))
    except (TypeError, ValueError) as e:
        raise bad(str(e))
    return Response(201, t)


def acl(st, req):
    if req.method == "GET":
        return Response(200, {"acls": st.acls})
    b = body(req)
    if b.get("role") not in ROLES:
        raise bad("role must be one of %s" % ", ".join(ROLES))
    try:
        a = st.set_acl(st.member_ref(b.get("member", "admin")), b.get("organization", st.org_urn), b["role"],
                       b.get("state", "APPROVED"))
    except ValueError as e:
        raise bad(str(e))
    return Response(200, a)


def quota(st, req):
    if req.method == "GET":
        return Response(200, {"quotas": list(st.quotas.values())})
    b = body(req)
    items = b if isinstance(b, list) else [b]
    out = []
    try:
        for q in items:
            out.append(st.set_quota(q))
    except ValueError as e:
        raise bad(str(e))
    return Response(200, {"quotas": out})


def versions(st, req):
    if req.method == "POST":
        b = body(req)
        act = b.get("active")
        if not isinstance(act, list) or not all(isinstance(v, str) and len(v) == 6 and v.isdigit() for v in act):
            raise bad('POST /_fake/versions takes {"active": ["YYYYMM", ...]}')
        st.versions = sorted(set(act))
    return Response(200, {"active": st.versions, "latest": st.versions[-1] if st.versions else None})


def fault(st, req):
    if req.method == "GET":
        return Response(200, {"faults": st.faults})
    b = body(req)
    mode = b.get("mode", "drop_after_commit")
    if mode not in ("drop_before_commit", "drop_after_commit", "error", "delay"):
        raise bad("mode must be drop_before_commit, drop_after_commit, error or delay")
    f = {"method": b.get("method", "POST").upper(), "path": b.get("path", "/rest/posts"), "mode": mode,
         "status": int(b.get("status", 500)), "seconds": float(b.get("seconds", 0)), "times": int(b.get("times", 1))}
    st.faults.append(f)
    return Response(200, f)


def image(st, req):
    b = body(req)
    img = st.images.get(b.get("image"))
    if img is None:
        raise bad("unknown image %r" % b.get("image"))
    status = b.get("status")
    if status not in ("WAITING_UPLOAD", "PROCESSING", "AVAILABLE", "PROCESSING_FAILED"):
        raise bad("status must be WAITING_UPLOAD, PROCESSING, AVAILABLE or PROCESSING_FAILED")
    img["status"] = status
    if status == "PROCESSING":
        img["ready_at"] = st.now_ms() + int(b.get("seconds", st.cfg["image_processing_seconds"]) * 1000)
    return Response(200, {k: v for k, v in img.items() if k != "bytes"})


def engage(st, req):
    """The citizen (or any member) likes, comments, replies, reposts, views, clicks, follows."""
    b = body(req)
    action = b.get("action")
    actor = st.member_ref(b.get("actor", "citizen")) if not str(b.get("actor", "")).startswith(
        "urn:li:organization:") else b["actor"]
    now = st.now_ms()
    if action in ("follow", "unfollow"):
        org = st.orgs.get(b.get("organization", st.org_urn))
        if org is None:
            raise bad("unknown organization")
        n = int(b.get("count", 1))
        org["followers"] = max(0, org["followers"] + (n if action == "follow" else -n))
        return Response(200, {"followers": org["followers"]})
    post = api.find_post(st, b.get("post") or "")
    if post is None:
        raise bad("unknown or deleted post %r" % b.get("post"))
    pid = post["id"]

    def event(metric, delta):
        st.events.append({"at": now, "post": pid, "metric": metric, "delta": delta, "actor": actor})

    if action in ("like", "react"):
        rtype = b.get("reaction", "LIKE")
        if rtype not in ("LIKE", "PRAISE", "EMPATHY", "INTEREST", "APPRECIATION", "ENTERTAINMENT", "MAYBE"):
            raise bad("unknown reaction type %r" % rtype)
        reactions = st.reactions.setdefault(pid, {})
        if actor not in reactions:
            event("likeCount", 1)
        reactions[actor] = rtype
        return Response(200, api.metadata_view(st, post))
    if action in ("unlike", "unreact"):
        reactions = st.reactions.setdefault(pid, {})
        if reactions.pop(actor, None):
            event("likeCount", -1)
        return Response(200, api.metadata_view(st, post))
    if action in ("comment", "reply"):
        text = b.get("text")
        if not isinstance(text, str) or not text:
            raise bad("comment/reply needs text")
        parent = None
        if action == "reply":
            parent = b.get("parent")
            if not any(c["urn"] == parent and not c["deleted"] and c["post"] == pid for c in st.comments.values()):
                raise bad("reply needs parent: the URN of a live comment on this post")
        if post["commentsState"] != "OPEN":
            raise bad("comments are closed on this post")
        c = api.new_comment(st, post, actor, actor if actor.startswith("urn:li:person:") else st.admin_urn, text,
                            parent)
        return Response(200, api.comment_view(st, c))
    if action in ("edit_comment", "delete_comment"):
        # The member edits or deletes a comment of their own, as in the app: the same URN with
        # the new text (and lastModified), or gone from every listing.
        c = next((c for c in st.comments.values() if c["urn"] == b.get("comment") and not c["deleted"]), None)
        if c is None or c["post"] != pid:
            raise bad("unknown comment on this post")
        if c["actor"] != actor:
            raise bad("%s did not write %s" % (actor, c["urn"]))
        if action == "edit_comment":
            text = b.get("text")
            if not isinstance(text, str) or not text:
                raise bad("edit_comment needs text")
            c["text"] = text
            c["lastModified"] = now
        else:
            c["deleted"] = True
            c["deletedAt"] = now
            c["deletedBy"] = actor
            event("commentCount", -1)
        return Response(200, api.comment_view(st, c))
    if action == "like_comment":
        c = next((c for c in st.comments.values() if c["urn"] == b.get("comment")), None)
        if c is None:
            raise bad("unknown comment")
        if actor not in c["likes"]:
            c["likes"].append(actor)
        return Response(200, api.comment_view(st, c))
    if action in ("repost", "share"):
        event("shareCount", int(b.get("count", 1)))
    elif action == "impression":
        n = int(b.get("count", 1))
        event("impressionCount", n)
        event("uniqueImpressionsCount", int(b.get("unique", n)))
    elif action == "click":
        event("clickCount", int(b.get("count", 1)))
    else:
        raise bad("action must be like, react, unlike, comment, reply, edit_comment, delete_comment, like_comment, repost, impression, click, "
                  "follow or unfollow")
    return Response(200, api.stats_for(st, {pid}, 0, now + 1))


ROUTES = {
    ("GET", "state"): state,
    ("GET", "clock"): clock,
    ("POST", "clock"): clock,
    ("GET", "tokens"): tokens,
    ("POST", "tokens"): tokens,
    ("GET", "acl"): acl,
    ("POST", "acl"): acl,
    ("GET", "quota"): quota,
    ("POST", "quota"): quota,
    ("GET", "versions"): versions,
    ("POST", "versions"): versions,
    ("GET", "fault"): fault,
    ("POST", "fault"): fault,
    ("POST", "image"): image,
    ("POST", "engage"): engage,
}
