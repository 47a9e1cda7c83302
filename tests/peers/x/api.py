"""The X API v2 endpoints of the fake: authentication, validation, and the handlers.

Every request goes through `dispatch`: route -> authenticate -> scope/permission -> rate limit ->
handler. Problems are answered in the v2 error envelope (see README "Errors").
"""

import base64
import hmac
import json
import re
import time
import unicodedata
import urllib.parse

import oauth
import store as st
import textcount

ID_RE = re.compile(r"^[0-9]{1,19}$")

TWEET_FIELDS = [
    "article", "attachments", "author_id", "card_uri", "community_id", "context_annotations",
    "conversation_id", "created_at", "display_text_range", "edit_controls",
    "edit_history_tweet_ids", "entities", "geo", "id", "in_reply_to_user_id", "lang",
    "matched_media_notes", "media_metadata", "non_public_metrics", "note_tweet",
    "organic_metrics", "possibly_sensitive", "promoted_metrics", "public_metrics",
    "referenced_tweets", "reply_settings", "scopes", "source", "suggested_source_links",
    "suggested_source_links_with_counts", "text", "withheld",
]
USER_FIELDS = [
    "affiliation", "confirmed_email", "connection_status", "created_at", "description",
    "entities", "id", "is_identity_verified", "location", "most_recent_tweet_id", "name",
    "parody", "pinned_tweet_id", "profile_banner_url", "profile_image_url", "protected",
    "public_metrics", "receives_your_dm", "subscription", "subscription_type", "url", "username",
    "verified", "verified_followers_count", "verified_type", "withheld",
]
MEDIA_FIELDS = [
    "alt_text", "duration_ms", "height", "media_key", "non_public_metrics", "organic_metrics",
    "preview_image_url", "promoted_metrics", "public_metrics", "type", "url", "variants", "width",
]
POLL_FIELDS = ["duration_minutes", "end_datetime", "id", "options", "voting_status"]
PLACE_FIELDS = [
    "contained_within", "country", "country_code", "full_name", "geo", "id", "name", "place_type",
]
TWEET_EXPANSIONS = [
    "article.cover_media", "article.media_entities", "attachments.media_keys",
    "attachments.media_source_tweet", "attachments.poll_ids", "author_id",
    "edit_history_tweet_ids", "entities.mentions.username", "geo.place_id", "in_reply_to_user_id",
    "entities.note.mentions.username", "referenced_tweets.id",
    "referenced_tweets.id.attachments.media_keys", "referenced_tweets.id.author_id",
]
USER_EXPANSIONS = ["affiliation.user_id", "most_recent_tweet_id", "pinned_tweet_id"]

MEDIA_TYPES = [
    "video/mp4", "video/webm", "video/mp2t", "video/quicktime", "text/srt", "text/vtt",
    "image/jpeg", "image/gif", "image/bmp", "image/png", "image/webp", "image/pjpeg",
    "image/tiff", "model/gltf-binary", "model/vnd.usdz+zip",
]
MEDIA_CATEGORIES = [
    "amplify_video", "tweet_gif", "tweet_image", "tweet_video", "dm_gif", "dm_image", "dm_video",
    "subtitles",
]
ONE_SHOT_CATEGORIES = ["tweet_image", "dm_image", "subtitles"]
# Size limits of https://docs.x.com/x-api/media/introduction
SIZE_LIMITS = {"image": 5 * 1024 * 1024, "gif": 15 * 1024 * 1024, "video": 512 * 1024 * 1024}
# media_key prefixes X uses: 3 photo, 7 video, 13 amplify video, 16 animated GIF.
KEY_PREFIX = {
    "tweet_image": "3", "dm_image": "3", "subtitles": "3", "tweet_video": "7", "dm_video": "7",
    "amplify_video": "13", "tweet_gif": "16", "dm_gif": "16",
}

TEXT_TOO_LONG = (
    "Your Tweet text is too long. For more information on how Twitter determines text length "
    "see https://github.com/twitter/twitter-text."
)


# ====================================================================== responses and problems
class Resp:
    def __init__(self, status, body=None, headers=None, content_type="application/json; charset=utf-8"):
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        self.content_type = content_type


class ApiError(Exception):
    def __init__(self, resp):
        super().__init__(resp.status)
        self.resp = resp


def generic_problem(status, title, detail):
    """The `about:blank` problem X answers for authentication, permission and rate limits."""
    return Resp(
        status,
        {"title": title, "type": "about:blank", "status": status, "detail": detail},
        content_type="application/problem+json",
    )


def unauthorized():
    return ApiError(generic_problem(401, "Unauthorized", "Unauthorized"))


def forbidden(detail="Forbidden"):
    return ApiError(generic_problem(403, "Forbidden", detail))


def too_many_requests():
    return ApiError(generic_problem(429, "Too Many Requests", "Too Many Requests"))


def invalid_request(s, errors, status=400):
    """errors: [(parameters dict, message)]"""
    return ApiError(
        Resp(
            status,
            {
                "errors": [{"parameters": p, "message": m} for p, m in errors],
                "title": "Invalid Request",
                "detail": "One or more parameters to your request was invalid.",
                "type": s.problem_type("invalid-request"),
            },
        )
    )


def not_found_error(s, resource_type, value, parameter="id"):
    return {
        "value": value,
        "detail": f"Could not find {resource_type} with {'id' if parameter in ('id', 'ids') else parameter}: [{value}].",
        "title": "Not Found Error",
        "resource_type": resource_type,
        "parameter": parameter,
        "resource_id": value,
        "type": s.problem_type("resource-not-found"),
    }


# ====================================================================== request helpers
class Request:
    def __init__(self, method, raw_path, headers, body, scheme="http"):
        self.method = method.upper()
        self.raw_path = raw_path
        parsed = urllib.parse.urlsplit(raw_path)
        self.path = parsed.path
        self.raw_query = parsed.query
        self.query_list = urllib.parse.parse_qsl(parsed.query, keep_blank_values=True)
        self.query = {}
        for k, v in self.query_list:
            self.query.setdefault(k, v)
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.body = body or b""
        self.scheme = scheme
        self.params = {}
        self._json = None

    @property
    def content_type(self):
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


def csv_param(s, req, name, allowed):
    raw = req.query.get(name)
    if raw is None:
        return []
    values = [v for v in raw.split(",")]
    for v in values:
        if v not in allowed:
            raise invalid_request(
                s,
                [({name: [raw]}, f"The `{name}` query parameter value [{v}] is not one of [{','.join(allowed)}]")],
            )
    return values


def int_param(s, req, name, lo, hi, default):
    raw = req.query.get(name)
    if raw is None:
        return default
    if not re.fullmatch(r"-?[0-9]+", raw):
        raise invalid_request(
            s, [({name: [raw]}, f"The `{name}` query parameter value [{raw}] is not a valid integer")]
        )
    v = int(raw)
    if v < lo or v > hi:
        raise invalid_request(
            s,
            [({name: [raw]}, f"The `{name}` query parameter value [{raw}] is not between {lo} and {hi}")],
        )
    return v


def id_param(s, name, value, where="query"):
    if not ID_RE.match(value or ""):
        raise invalid_request(
            s, [({name: [value]}, f"The `{name}` {where} parameter value [{value}] does not match ^[0-9]{{1,19}}$")]
        )
    return value


def time_param(s, req, name):
    raw = req.query.get(name)
    if raw is None:
        return None
    t = st.parse_time(raw)
    if t is None:
        raise invalid_request(
            s,
            [({name: [raw]}, f"The `{name}` query parameter value [{raw}] is not a valid RFC 3339 date-time (YYYY-MM-DDTHH:mm:ssZ)")],
        )
    return t


def json_body(s, req, required=True):
    if req._json is not None:
        return req._json
    if not req.body and not required:
        return None
    if req.content_type != "application/json":
        raise invalid_request(s, [({}, "Requests with bodies must have content-type of application/json.")])
    try:
        data = json.loads(req.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise invalid_request(s, [({}, "Request body is not valid JSON.")])
    if not isinstance(data, dict):
        raise invalid_request(s, [({}, "Request body must be a JSON object.")])
    req._json = data
    return data


def parse_multipart(req):
    """{name: (filename or None, bytes)} of a multipart/form-data body."""
    ctype = req.headers.get("content-type", "")
    m = re.search(r'boundary="?([^";]+)"?', ctype)
    if not m:
        return None
    boundary = b"--" + m.group(1).encode()
    out = {}
    for part in req.body.split(boundary)[1:]:
        if part.startswith(b"--"):
            break
        part = part[2:] if part.startswith(b"\r\n") else part
        head, _, content = part.partition(b"\r\n\r\n")
        if content.endswith(b"\r\n"):
            content = content[:-2]
        disp = ""
        for line in head.decode("utf-8", "replace").split("\r\n"):
            if line.lower().startswith("content-disposition:"):
                disp = line
        name = re.search(r'\bname="([^"]*)"', disp)
        filename = re.search(r'\bfilename="([^"]*)"', disp)
        if name:
            out[name.group(1)] = (filename.group(1) if filename else None, content)
    return out


def form_fields(req):
    """Fields of a form body (urlencoded or multipart) as {name: (filename, bytes)}."""
    if req.content_type == "multipart/form-data":
        return parse_multipart(req) or {}
    if req.content_type == "application/x-www-form-urlencoded":
        return {
            k: (None, v.encode())
            for k, v in urllib.parse.parse_qsl(req.body.decode("utf-8", "replace"), keep_blank_values=True)
        }
    return {}


# ====================================================================== authentication
class Principal:
    def __init__(self, kind, user_id=None, scopes=(), access_level="read-write", key=""):
        self.kind = kind  # "oauth1", "oauth2_user", "app"
        self.user_id = user_id
        self.scopes = set(scopes)
        self.access_level = access_level
        self.key = key

    @property
    def is_app(self):
        return self.kind == "app"


def authenticate(s, req):
    header = req.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        token = header[7:].strip()
        with s.lock:
            t = s.bearer_tokens.get(token)
            if t is None:
                raise unauthorized()
            if t["expires_at"] is not None and s.now() >= t["expires_at"]:
                raise unauthorized()
            if t["kind"] == "app":
                return Principal("app", key="app:" + token[-12:])
            return Principal("oauth2_user", t["user_id"], t["scopes"], key="user:" + t["user_id"])
    params = oauth.parse_authorization_header(header)
    if params is None:
        raise unauthorized()
    return verify_oauth1(s, req, params)


def verify_oauth1(s, req, params):
    for required in ("oauth_consumer_key", "oauth_nonce", "oauth_signature", "oauth_signature_method",
                     "oauth_timestamp", "oauth_token"):
        if not params.get(required):
            raise unauthorized()
    if params["oauth_signature_method"] != "HMAC-SHA1":
        raise unauthorized()
    if params.get("oauth_version", "1.0") != "1.0":
        raise unauthorized()
    with s.lock:
        app = s.apps.get(params["oauth_consumer_key"])
        tok = s.oauth1_tokens.get(params["oauth_token"])
        if app is None or tok is None or tok["consumer_key"] != app["consumer_key"]:
            raise unauthorized()
        window = float(s.settings.get("oauth1_timestamp_window_secs") or 0)
        if not re.fullmatch(r"[0-9]+", params["oauth_timestamp"]):
            raise unauthorized()
        if window and abs(time.time() - int(params["oauth_timestamp"])) > window:
            raise unauthorized()
        signed = [(k, v) for k, v in params.items() if k not in ("oauth_signature", "realm")]
        signed += req.query_list
        if req.content_type == "application/x-www-form-urlencoded":
            signed += urllib.parse.parse_qsl(req.body.decode("utf-8", "replace"), keep_blank_values=True)
        host = req.headers.get("host", "127.0.0.1")
        urls = [oauth.base_url(req.scheme, host, req.path)]
        for base in s.settings.get("oauth1_extra_base_urls") or []:
            urls.append(base.rstrip("/") + req.path)
        given = params["oauth_signature"]
        ok = any(
            hmac.compare_digest(
                oauth.sign(req.method, url, signed, app["consumer_secret"], tok["secret"]), given
            )
            for url in urls
        )
        if not ok:
            raise unauthorized()
        nonce_key = (params["oauth_token"], params["oauth_timestamp"], params["oauth_nonce"])
        if s.settings.get("oauth1_reject_nonce_reuse") and nonce_key in s.nonces:
            raise unauthorized()
        s.nonces.add(nonce_key)
        return Principal(
            "oauth1", tok["user_id"], access_level=app.get("access_level", "read-write"),
            key="user:" + tok["user_id"],
        )


UNSUPPORTED_APP_ONLY = (
    "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  Supported "
    "authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context]."
)


def authorize(s, principal, route):
    if principal.is_app and not route["app_ok"]:
        raise ApiError(
            Resp(
                403,
                {
                    "title": "Unsupported Authentication",
                    "detail": UNSUPPORTED_APP_ONLY,
                    "type": s.problem_type("unsupported-authentication"),
                    "status": 403,
                },
            )
        )
    if principal.kind == "oauth2_user":
        missing = [sc for sc in route["scopes"] if sc not in principal.scopes]
        if missing:
            raise forbidden()
    if principal.kind == "oauth1" and route["write"] and principal.access_level == "read":
        raise ApiError(
            Resp(
                403,
                {
                    "detail": "Your client app is not configured with the appropriate oauth1 app "
                    "permissions for this endpoint.",
                    "type": s.problem_type("oauth1-permissions"),
                    "title": "Forbidden",
                    "status": 403,
                },
            )
        )


# ====================================================================== rendering
def tweet_object(s, t, fields, principal, errors, section="data"):
    obj = {"id": t["id"], "text": t["text"], "edit_history_tweet_ids": list(t["edit_chain"])}
    f = set(fields)
    if "author_id" in f:
        obj["author_id"] = t["author_id"]
    if "created_at" in f:
        obj["created_at"] = st.iso(t["created_at"])
    if "conversation_id" in f:
        obj["conversation_id"] = t["conversation_id"]
    if "in_reply_to_user_id" in f and t["in_reply_to_user_id"]:
        obj["in_reply_to_user_id"] = t["in_reply_to_user_id"]
    if "referenced_tweets" in f:
        refs = []
        if t["in_reply_to_tweet_id"]:
            refs.append({"type": "replied_to", "id": t["in_reply_to_tweet_id"]})
        if t["quote_tweet_id"]:
            refs.append({"type": "quoted", "id": t["quote_tweet_id"]})
        if refs:
            obj["referenced_tweets"] = refs
    if "attachments" in f and t["media_ids"]:
        obj["attachments"] = {"media_keys": [s.media[m]["media_key"] for m in t["media_ids"] if m in s.media]}
    if "display_text_range" in f:
        obj["display_text_range"] = t["display_text_range"]
    if "entities" in f:
        ents = {}
        if t["url_entities"]:
            ents["urls"] = t["url_entities"]
        mentions = []
        for m in re.finditer(r"(?<![\w@])@([A-Za-z0-9_]{1,15})\b", t["text"]):
            uid = s.usernames.get(m.group(1).lower())
            ent = {"start": m.start(), "end": m.end(), "username": m.group(1)}
            if uid:
                ent["id"] = uid
            mentions.append(ent)
        if mentions:
            ents["mentions"] = mentions
        hashtags = [
            {"start": m.start(), "end": m.end(), "tag": m.group(1)}
            for m in re.finditer(r"(?<![\w&])#(\w+)", t["text"])
        ]
        if hashtags:
            ents["hashtags"] = hashtags
        if ents:
            obj["entities"] = ents
    if "edit_controls" in f:
        first = s.tweets[t["edit_chain"][0]]
        until = first["created_at"] + 1800
        remaining = max(0, 6 - len(t["edit_chain"]))
        eligible = (
            first["poll"] is None
            and not (first["in_reply_to_user_id"] and first["in_reply_to_user_id"] != first["author_id"])
        )
        obj["edit_controls"] = {
            "edits_remaining": remaining if eligible else 0,
            "is_edit_eligible": eligible,
            "editable_until": st.iso(until),
        }
    if "reply_settings" in f:
        obj["reply_settings"] = t["reply_settings"]
    if "lang" in f:
        obj["lang"] = "sv" if re.search(r"[åäöÅÄÖ]", t["raw_text"]) else "en"
    if "possibly_sensitive" in f:
        obj["possibly_sensitive"] = False
    if "public_metrics" in f:
        m = t["metrics"]
        obj["public_metrics"] = {
            "retweet_count": m["retweet_count"],
            "reply_count": m["reply_count"],
            "like_count": m["like_count"],
            "quote_count": m["quote_count"],
            "bookmark_count": m["bookmark_count"],
            "impression_count": m["impression_count"],
        }
    for private in ("non_public_metrics", "organic_metrics", "promoted_metrics"):
        if private not in f:
            continue
        reason = None
        if principal.is_app or principal.user_id != t["author_id"]:
            reason = f"Sorry, you are not authorized to access '{private}' on the Tweet with id : [{t['id']}]."
        elif s.now() - t["created_at"] > 30 * 86400:
            reason = (
                f"Sorry, you are not authorized to access '{private}' on the Tweet with id : "
                f"[{t['id']}]. Non-public metrics are only available for Posts created in the last 30 days."
            )
        elif private == "promoted_metrics":
            # Only promoted posts have promoted metrics; the fake promotes nothing.
            reason = f"Sorry, you are not authorized to access '{private}' on the Tweet with id : [{t['id']}]."
        if reason:
            errors.append(
                {
                    "value": t["id"],
                    "detail": reason,
                    "title": "Field Authorization Error",
                    "resource_type": "tweet",
                    "parameter": "tweet.fields",
                    "resource_id": t["id"],
                    "field": private,
                    "section": section,
                    "type": s.problem_type("not-authorized-for-field"),
                }
            )
            continue
        m = t["metrics"]
        engagements = (
            m["like_count"] + m["retweet_count"] + m["reply_count"] + m["quote_count"]
            + m["url_link_clicks"] + m["user_profile_clicks"] + m["bookmark_count"]
        )
        if private == "non_public_metrics":
            npm = {
                "impression_count": m["impression_count"],
                "user_profile_clicks": m["user_profile_clicks"],
                "engagements": engagements,
            }
            if t["url_entities"]:
                npm["url_link_clicks"] = m["url_link_clicks"]
            obj["non_public_metrics"] = npm
        else:
            om = {
                "impression_count": m["impression_count"],
                "like_count": m["like_count"],
                "reply_count": m["reply_count"],
                "retweet_count": m["retweet_count"],
                "user_profile_clicks": m["user_profile_clicks"],
            }
            if t["url_entities"]:
                om["url_link_clicks"] = m["url_link_clicks"]
            obj["organic_metrics"] = om
    return obj


def user_object(s, uid, fields):
    a = s.accounts[uid]
    obj = {"id": a["id"], "name": a["name"], "username": a["username"]}
    f = set(fields)
    for k in ("created_at", "description", "verified", "protected", "location", "url"):
        if k in f and a.get(k) is not None:
            obj[k] = a[k]
    if "profile_image_url" in f:
        obj["profile_image_url"] = a.get(
            "profile_image_url", "https://pbs.twimg.com/profile_images/0/default_normal.png"
        )
    if "public_metrics" in f:
        own = [t for t in s.tweets.values() if t["author_id"] == uid and not t["deleted"] and not t["superseded_by"]]
        obj["public_metrics"] = {
            "followers_count": a.get("followers_count", 0),
            "following_count": a.get("following_count", 0),
            "tweet_count": len(own),
            "listed_count": 0,
            "like_count": 0,
            "media_count": sum(1 for t in own if t["media_ids"]),
        }
    if "most_recent_tweet_id" in f:
        own = [t for t in s.visible_tweets() if t["author_id"] == uid]
        if own:
            obj["most_recent_tweet_id"] = own[0]["id"]
    if "verified_type" in f:
        obj["verified_type"] = "none"
    return obj


def media_object(s, m, fields):
    obj = {"media_key": m["media_key"], "type": media_kind(m)}
    f = set(fields)
    if "alt_text" in f and m.get("alt_text"):
        obj["alt_text"] = m["alt_text"]
    if "url" in f and obj["type"] == "photo":
        obj["url"] = f"https://pbs.twimg.com/media/{m['id']}.jpg"
    return obj


def media_kind(m):
    cat = m["media_category"]
    if cat.endswith("gif"):
        return "animated_gif"
    if cat.endswith("video"):
        return "video"
    return "photo"


class Fields:
    def __init__(self, s, req, tweet=True):
        self.tweet = csv_param(s, req, "tweet.fields", TWEET_FIELDS)
        self.user = csv_param(s, req, "user.fields", USER_FIELDS)
        self.media = csv_param(s, req, "media.fields", MEDIA_FIELDS) if tweet else []
        if tweet:
            csv_param(s, req, "poll.fields", POLL_FIELDS)
            csv_param(s, req, "place.fields", PLACE_FIELDS)
        self.expansions = csv_param(s, req, "expansions", TWEET_EXPANSIONS if tweet else USER_EXPANSIONS)


def render_tweets(s, tweets, fields, principal):
    """data list, includes dict and errors for a list of posts."""
    errors = []
    data = [tweet_object(s, t, fields.tweet, principal, errors) for t in tweets]
    includes = expand(s, tweets, fields, principal, errors)
    return data, includes, errors


def expand(s, tweets, fields, principal, errors):
    ex = set(fields.expansions)
    users, media, inc_tweets = [], [], []
    seen_u, seen_m, seen_t = set(), set(), set()

    def add_user(uid):
        if uid and uid not in seen_u and uid in s.accounts:
            seen_u.add(uid)
            users.append(user_object(s, uid, fields.user))

    def add_tweet(tid):
        if tid and tid not in seen_t and tid in s.tweets and not s.tweets[tid]["deleted"]:
            seen_t.add(tid)
            inc_tweets.append(tweet_object(s, s.tweets[tid], fields.tweet, principal, errors, "includes"))

    for t in tweets:
        if "author_id" in ex:
            add_user(t["author_id"])
        if "in_reply_to_user_id" in ex:
            add_user(t["in_reply_to_user_id"])
        if "entities.mentions.username" in ex:
            for m in re.finditer(r"@([A-Za-z0-9_]{1,15})", t["text"]):
                add_user(s.usernames.get(m.group(1).lower()))
        if "attachments.media_keys" in ex:
            for mid in t["media_ids"]:
                if mid in s.media and mid not in seen_m:
                    seen_m.add(mid)
                    media.append(media_object(s, s.media[mid], fields.media))
        if "referenced_tweets.id" in ex:
            add_tweet(t["in_reply_to_tweet_id"])
            add_tweet(t["quote_tweet_id"])
        if "edit_history_tweet_ids" in ex:
            for tid in t["edit_chain"]:
                if tid != t["id"]:
                    add_tweet(tid)
    out = {}
    if users:
        out["users"] = users
    if inc_tweets:
        out["tweets"] = inc_tweets
    if media:
        out["media"] = media
    return out


def envelope(data, includes, errors, meta=None):
    body = {}
    if data is not None:
        body["data"] = data
    if includes:
        body["includes"] = includes
    if errors:
        body["errors"] = errors
    if meta is not None:
        body["meta"] = meta
    return body


# ====================================================================== handlers: posts
def create_post(s, req, p):
    body = json_body(s, req)
    allowed = {
        "card_uri", "community_id", "direct_message_deep_link", "edit_options",
        "for_super_followers_only", "geo", "made_with_ai", "media", "nullcast", "paid_partnership",
        "poll", "quote_tweet_id", "reply", "reply_settings", "share_with_followers", "text",
    }
    errs = []
    for k in body:
        if k not in allowed:
            errs.append(({}, f"$.{k}: is not defined in the schema and the schema does not allow additional properties"))
    text = body.get("text", "")
    if "text" in body and not isinstance(text, str):
        errs.append(({}, f"$.text: {type(text).__name__} found, string expected"))
    media = body.get("media")
    media_ids = []
    if media is not None:
        if not isinstance(media, dict) or "media_ids" not in media:
            errs.append(({}, "$.media.media_ids: is missing but it is required"))
        else:
            for k in media:
                if k not in ("media_ids", "tagged_user_ids", "description", "preview_media_id", "title", "call_to_actions", "embeddable"):
                    errs.append(({}, f"$.media.{k}: is not defined in the schema and the schema does not allow additional properties"))
            media_ids = media.get("media_ids")
            if not isinstance(media_ids, list) or not (1 <= len(media_ids) <= 4):
                errs.append(({}, "$.media.media_ids: there must be a minimum of 1 items and a maximum of 4 items in the array"))
                media_ids = []
            else:
                for mid in media_ids:
                    if not isinstance(mid, str) or not ID_RE.match(mid):
                        errs.append(({}, f"$.media.media_ids: does not match the regex pattern ^[0-9]{{1,19}}$"))
    reply = body.get("reply")
    reply_to = None
    if reply is not None:
        if not isinstance(reply, dict) or "in_reply_to_tweet_id" not in reply:
            errs.append(({}, "$.reply.in_reply_to_tweet_id: is missing but it is required"))
        else:
            for k in reply:
                if k not in ("in_reply_to_tweet_id", "auto_populate_reply_metadata", "exclude_reply_user_ids"):
                    errs.append(({}, f"$.reply.{k}: is not defined in the schema and the schema does not allow additional properties"))
            reply_to = reply["in_reply_to_tweet_id"]
            if not isinstance(reply_to, str) or not ID_RE.match(reply_to):
                errs.append(({}, "$.reply.in_reply_to_tweet_id: does not match the regex pattern ^[0-9]{1,19}$"))
    quote = body.get("quote_tweet_id")
    if quote is not None and (not isinstance(quote, str) or not ID_RE.match(quote)):
        errs.append(({}, "$.quote_tweet_id: does not match the regex pattern ^[0-9]{1,19}$"))
    rs = body.get("reply_settings")
    if rs is not None and rs not in ("following", "mentionedUsers", "subscribers", "verified"):
        errs.append(({}, f"$.reply_settings: does not have a value in the enumeration [following, mentionedUsers, subscribers, verified]"))
    poll = body.get("poll")
    if poll is not None:
        opts = poll.get("options") if isinstance(poll, dict) else None
        dur = poll.get("duration_minutes") if isinstance(poll, dict) else None
        if not isinstance(opts, list) or not (2 <= len(opts) <= 4) or any(
            not isinstance(o, str) or not (1 <= len(o) <= 25) for o in opts
        ):
            errs.append(({}, "$.poll.options: must have 2 to 4 options of 1 to 25 characters"))
        if not isinstance(dur, int) or not (5 <= dur <= 10080):
            errs.append(({}, "$.poll.duration_minutes: must have a minimum value of 5 and a maximum value of 10080"))
    edit = body.get("edit_options")
    if edit is not None and (not isinstance(edit, dict) or not ID_RE.match(str(edit.get("previous_post_id", "")))):
        errs.append(({}, "$.edit_options.previous_post_id: is missing but it is required"))
    if errs:
        raise invalid_request(s, errs)
    exclusive = [k for k in ("media", "poll", "quote_tweet_id", "card_uri") if body.get(k) is not None]
    if len(exclusive) > 1 and not (set(exclusive) == {"media", "quote_tweet_id"}):
        raise invalid_request(
            s, [({k: [] for k in exclusive}, f"[{', '.join(exclusive)}] are mutually exclusive parameters")]
        )
    if (text == "" or text is None) and not media_ids:
        raise invalid_request(s, [({"text": [""]}, "Post text is empty. Provide text or media.")])
    if text:
        m = textcount.measure(text)
        if m["weightedLength"] > textcount.MAX_WEIGHTED_LENGTH:
            raise invalid_request(s, [({}, TEXT_TOO_LONG)])
        if not m["valid"]:
            raise invalid_request(s, [({"text": [text]}, "Your Tweet text contains characters that are not allowed.")])
    uid = p.user_id
    with s.lock:
        # Media must exist, belong to the author, be finalized and processed.
        kinds = []
        for mid in media_ids:
            m = s.media.get(mid)
            ok = (
                m is not None
                and (m["owner_id"] == uid or uid in m.get("additional_owners", []))
                and m["status"] == "finalized"
                and st.media_state(s, m) == "succeeded"
                and s.now() < m["expires_at"]
                and m["media_category"] not in ("dm_image", "dm_video", "dm_gif", "subtitles")
            )
            if not ok:
                raise invalid_request(s, [({"media.media_ids": media_ids}, "Your media IDs are invalid.")])
            kinds.append(media_kind(m))
        if len(kinds) > 1 and any(k != "photo" for k in kinds):
            raise invalid_request(s, [({"media.media_ids": media_ids}, "Your media IDs are invalid.")])
        parent = None
        if reply_to:
            parent = s.tweets.get(reply_to)
            if parent is None or parent["deleted"]:
                raise forbidden("You attempted to reply to a Tweet that is deleted or not visible to you.")
        if quote and (quote not in s.tweets or s.tweets[quote]["deleted"]):
            raise forbidden("You attempted to quote a Tweet that is deleted or not visible to you.")
        if edit is not None:
            return edit_post(s, p, body, text, media_ids, edit["previous_post_id"])
        # Duplicate content: identical text from the same account within the window.
        if text:
            norm = unicodedata.normalize("NFC", text).strip()
            window = float(s.settings["duplicate_window_secs"])
            for t in s.tweets.values():
                if (
                    t["author_id"] == uid
                    and not t["deleted"]
                    and not t["superseded_by"]
                    and s.now() - t["created_at"] <= window
                    and unicodedata.normalize("NFC", t["raw_text"]).strip() == norm
                ):
                    raise ApiError(
                        Resp(
                            403,
                            {
                                "detail": "You are not allowed to create a Tweet with duplicate content.",
                                "type": "about:blank",
                                "title": "Forbidden",
                                "status": 403,
                            },
                        )
                    )
        # 24-hour posting limits and the monthly usage cap.
        app, user = s.daily_slots(uid)
        if app["used"] >= app["limit"] or user["used"] >= user["limit"]:
            err = too_many_requests()
            err.resp.headers.update(s.daily_headers(uid))
            raise err
        if s.usage_cap["remaining"] <= 0:
            raise ApiError(
                Resp(
                    429,
                    {
                        "account_id": 1790000000,
                        "product_name": "standard-basic",
                        "title": "UsageCapExceeded",
                        "period": s.usage_cap["period"],
                        "scope": s.usage_cap["scope"],
                        "detail": f"Usage cap exceeded: {s.usage_cap['period']} product cap",
                        "type": s.problem_type("usage-capped"),
                        "status": 429,
                    },
                )
            )
        tid = s.snowflake()
        t = s.insert_tweet(
            tid, uid, text or "", s.now(), reply_to=reply_to, media_ids=media_ids,
            quote_tweet_id=quote, reply_settings=rs, poll=poll,
        )
        for mid in media_ids:
            s.media[mid].setdefault("used_in", []).append(tid)
        app["used"] += 1
        user["used"] += 1
        s.usage_cap["remaining"] -= 1
        return Resp(
            201,
            {"data": {"id": t["id"], "text": t["text"], "edit_history_tweet_ids": list(t["edit_chain"])}},
            headers=s.daily_headers(uid),
        )


def edit_post(s, p, body, text, media_ids, prev_id):
    prev = s.tweets.get(prev_id)
    if prev is None or prev["deleted"]:
        raise ApiError(Resp(200, {"errors": [not_found_error(s, "tweet", prev_id, "edit_options.previous_post_id")]}))
    if prev["author_id"] != p.user_id:
        raise forbidden("You are not allowed to edit this Tweet.")
    current = s.latest_version(prev)
    if current["id"] != prev["id"]:
        raise forbidden("This Tweet has already been edited; edit the latest version.")
    first = s.tweets[prev["edit_chain"][0]]
    eligible = (
        s.settings.get("edit_allowed", True)
        and first["poll"] is None
        and not (first["in_reply_to_user_id"] and first["in_reply_to_user_id"] != first["author_id"])
    )
    if not eligible or s.now() > first["created_at"] + 1800 or len(prev["edit_chain"]) >= 6:
        raise forbidden("This Tweet is not eligible for editing.")
    tid = s.snowflake()
    new = s.insert_tweet(
        tid, p.user_id, text or "", s.now(), reply_to=prev["in_reply_to_tweet_id"],
        media_ids=media_ids or prev["media_ids"], quote_tweet_id=prev["quote_tweet_id"],
        reply_settings=prev["reply_settings"], poll=None, source="edit",
    )
    if prev["in_reply_to_tweet_id"] and prev["in_reply_to_tweet_id"] in s.tweets:
        s.tweets[prev["in_reply_to_tweet_id"]]["metrics"]["reply_count"] -= 1
    new["conversation_id"] = prev["conversation_id"]
    chain = prev["edit_chain"] + [tid]
    for cid in chain:
        s.tweets[cid]["edit_chain"] = list(chain)
    prev["superseded_by"] = tid
    prev["history"].append({"at": st.iso(s.now()), "event": "edited", "new_id": tid})
    new["history"] = [{"at": st.iso(s.now()), "event": "created", "source": "edit", "previous_id": prev_id}]
    return Resp(200, {"data": {"id": new["id"], "text": new["text"], "edit_history_tweet_ids": chain}})


def delete_post(s, req, p):
    tid = id_param(s, "id", req.params["id"], "path")
    with s.lock:
        t = s.tweets.get(tid)
        if t is None or t["deleted"]:
            raise ApiError(
                Resp(404, {**not_found_error(s, "tweet", tid), "status": 404})
            )
        if t["author_id"] != p.user_id:
            raise forbidden("You are not allowed to delete this Tweet.")
        # Deleting any version of an edited post deletes the whole chain.
        for cid in t["edit_chain"]:
            c = s.tweets[cid]
            if not c["deleted"]:
                c["deleted"] = True
                c["deleted_at"] = s.now()
                c["history"].append({"at": st.iso(s.now()), "event": "deleted"})
                parent = s.tweets.get(c["in_reply_to_tweet_id"] or "")
                if parent and not c["superseded_by"]:
                    parent["metrics"]["reply_count"] = max(0, parent["metrics"]["reply_count"] - 1)
        return Resp(200, {"data": {"deleted": True}})


def get_post(s, req, p):
    tid = id_param(s, "id", req.params["id"], "path")
    fields = Fields(s, req)
    with s.lock:
        t = s.tweets.get(tid)
        if t is None or t["deleted"]:
            return Resp(200, {"errors": [not_found_error(s, "tweet", tid)]})
        data, includes, errors = render_tweets(s, [t], fields, p)
        return Resp(200, envelope(data[0], includes, errors))


def get_posts(s, req, p):
    raw = req.query.get("ids")
    if raw is None:
        raise invalid_request(s, [({"ids": []}, "The `ids` query parameter can not be empty")])
    ids = raw.split(",")
    if not (1 <= len(ids) <= 100):
        raise invalid_request(s, [({"ids": [raw]}, f"The number of values in the `ids` query parameter list [{len(ids)}] is not between 1 and 100")])
    for i in ids:
        id_param(s, "ids", i)
    fields = Fields(s, req)
    with s.lock:
        found, errors = [], []
        for i in ids:
            t = s.tweets.get(i)
            if t is None or t["deleted"]:
                errors.append(not_found_error(s, "tweet", i, "ids"))
            else:
                found.append(t)
        data, includes, ferrors = render_tweets(s, found, fields, p)
        return Resp(200, envelope(data or None, includes, errors + ferrors))


def hide_reply(s, req, p):
    tid = id_param(s, "tweet_id", req.params["tweet_id"], "path")
    body = json_body(s, req)
    for k in body:
        if k != "hidden":
            raise invalid_request(s, [({}, f"$.{k}: is not defined in the schema and the schema does not allow additional properties")])
    if not isinstance(body.get("hidden"), bool):
        raise invalid_request(s, [({}, "$.hidden: is missing but it is required")])
    with s.lock:
        t = s.tweets.get(tid)
        if t is None or t["deleted"]:
            raise ApiError(Resp(404, {**not_found_error(s, "tweet", tid, "tweet_id"), "status": 404}))
        root = s.tweets.get(t["conversation_id"])
        if (
            t["in_reply_to_tweet_id"] is None
            or root is None
            or root["author_id"] != p.user_id
            or t["author_id"] == p.user_id
        ):
            raise forbidden("You can only hide or unhide replies to conversations you authored.")
        if t["hidden"] != body["hidden"]:
            t["hidden"] = body["hidden"]
            t["history"].append({"at": st.iso(s.now()), "event": "hidden" if body["hidden"] else "unhidden"})
        return Resp(200, {"data": {"hidden": t["hidden"]}})


# ====================================================================== handlers: timelines and search
def _paginate(s, req, scope, items, max_results, token_param="pagination_token"):
    token = req.query.get(token_param) or (req.query.get("next_token") if token_param != "next_token" else None)
    offset = 0
    if token:
        entry = s.pagination.get(token)
        if entry is None or entry[0] != scope:
            raise invalid_request(s, [({token_param: [token]}, f"The `{token_param}` query parameter value [{token}] is not valid")])
        offset = entry[1]
    page = items[offset: offset + max_results]
    meta = {"result_count": len(page)}
    if page:
        meta["newest_id"] = page[0]["id"]
        meta["oldest_id"] = page[-1]["id"]
    if offset + max_results < len(items):
        meta["next_token"] = s.page_token(scope, offset + max_results)
    if offset > 0:
        meta["previous_token"] = s.page_token(scope, max(0, offset - max_results))
    return page, meta


def _scope(prefix, req):
    """Pagination tokens are valid for the same query (less the token itself)."""
    rest = sorted((k, v) for k, v in req.query_list if k not in ("pagination_token", "next_token"))
    return prefix + "?" + urllib.parse.urlencode(rest)


def _filter_window(req, s, items):
    since_id = req.query.get("since_id")
    until_id = req.query.get("until_id")
    if since_id is not None:
        id_param(s, "since_id", since_id)
    if until_id is not None:
        id_param(s, "until_id", until_id)
    start = time_param(s, req, "start_time")
    end = time_param(s, req, "end_time")
    out = []
    for t in items:
        if since_id is not None and int(t["id"]) <= int(since_id):
            continue
        if until_id is not None and int(t["id"]) >= int(until_id):
            continue
        if since_id is None and start is not None and t["created_at"] < start:
            continue
        if until_id is None and end is not None and t["created_at"] >= end:
            continue
        out.append(t)
    return out


def user_posts(s, req, p):
    uid = id_param(s, "id", req.params["id"], "path")
    max_results = int_param(s, req, "max_results", 5, 100, 10)
    exclude = csv_param(s, req, "exclude", ["replies", "retweets"])
    fields = Fields(s, req)
    with s.lock:
        if uid not in s.accounts:
            return Resp(200, {"errors": [not_found_error(s, "user", uid)]})
        items = [t for t in s.visible_tweets() if t["author_id"] == uid]
        if "replies" in exclude:
            items = [t for t in items if not t["in_reply_to_tweet_id"]]
        items = items[:3200]
        items = _filter_window(req, s, items)
        scope = _scope("users_tweets:" + uid, req)
        page, meta = _paginate(s, req, scope, items, max_results)
        data, includes, errors = render_tweets(s, page, fields, p)
        return Resp(200, envelope(data or None, includes, errors, meta))


def user_mentions(s, req, p):
    uid = id_param(s, "id", req.params["id"], "path")
    max_results = int_param(s, req, "max_results", 5, 100, 10)
    fields = Fields(s, req)
    with s.lock:
        if uid not in s.accounts:
            return Resp(200, {"errors": [not_found_error(s, "user", uid)]})
        handle = "@" + s.accounts[uid]["username"].lower()
        items = [
            t for t in s.visible_tweets()
            if t["author_id"] != uid
            and re.search(r"(?<![\w@])" + re.escape(handle) + r"\b", t["text"].lower())
        ][:800]
        items = _filter_window(req, s, items)
        scope = _scope("mentions:" + uid, req)
        page, meta = _paginate(s, req, scope, items, max_results)
        data, includes, errors = render_tweets(s, page, fields, p)
        return Resp(200, envelope(data or None, includes, errors, meta))


def quote_tweets(s, req, p):
    """GET /2/tweets/:id/quote_tweets: the live posts quoting a post, newest first
    (https://docs.x.com/x-api/posts/quote-tweets/quickstart). max_results 10..100."""
    tid = id_param(s, "id", req.params["id"], "path")
    max_results = int_param(s, req, "max_results", 10, 100, 10)
    exclude = csv_param(s, req, "exclude", ["replies", "retweets"])
    fields = Fields(s, req)
    with s.lock:
        t = s.tweets.get(tid)
        if t is None or t["deleted"]:
            return Resp(200, {"errors": [not_found_error(s, "tweet", tid)]})
        chain = set(t["edit_chain"])
        items = [x for x in s.visible_tweets() if x["quote_tweet_id"] in chain]
        if "replies" in exclude:
            items = [x for x in items if not x["in_reply_to_tweet_id"]]
        scope = _scope("quote_tweets:" + tid, req)
        page, meta = _paginate(s, req, scope, items, max_results)
        meta.pop("newest_id", None)
        meta.pop("oldest_id", None)
        meta.pop("previous_token", None)
        data, includes, errors = render_tweets(s, page, fields, p)
        return Resp(200, envelope(data or None, includes, errors, meta))


def _query_terms(q):
    return re.findall(r'-?"[^"]*"|-?\S+', q.replace("(", " ").replace(")", " "))


def _matches(s, t, term):
    neg = term.startswith("-")
    if neg:
        term = term[1:]
    low = term.lower()
    raw = t["raw_text"].lower()
    if term.startswith('"') and term.endswith('"'):
        ok = term[1:-1].lower() in raw
    elif ":" in term and not low.startswith("http"):
        op, _, val = term.partition(":")
        op = op.lower()
        if op == "conversation_id":
            # The replies of the conversation; the post that started it is not among them.
            ok = t["conversation_id"] == val and t["id"] != val
        elif op == "from":
            ok = s.accounts[t["author_id"]]["username"].lower() == val.lstrip("@").lower() or t["author_id"] == val
        elif op == "to":
            target = s.usernames.get(val.lstrip("@").lower(), val)
            ok = t["in_reply_to_user_id"] == target
        elif op == "in_reply_to_tweet_id":
            ok = t["in_reply_to_tweet_id"] == val
        elif op == "is":
            ok = {
                "reply": t["in_reply_to_tweet_id"] is not None,
                "quote": t["quote_tweet_id"] is not None,
                "retweet": False,
                "verified": s.accounts[t["author_id"]].get("verified", False),
            }.get(val.lower(), False)
        elif op == "has":
            ok = {
                "media": bool(t["media_ids"]),
                "images": any(s.media.get(m, {}).get("media_category") == "tweet_image" for m in t["media_ids"]),
                "links": bool(t["url_entities"]),
                "mentions": "@" in t["text"],
                "hashtags": "#" in t["text"],
            }.get(val.lower(), False)
        elif op == "url":
            ok = any(val.strip('"').lower() in e["expanded_url"].lower() for e in t["url_entities"])
        else:
            ok = low in raw
    elif low.startswith("@"):
        ok = low in t["text"].lower()
    else:
        ok = low in raw
    return ok != neg


def search_recent(s, req, p):
    q = req.query.get("query")
    if q is None or q.strip() == "":
        raise invalid_request(s, [({"query": [q or ""]}, "The `query` query parameter can not be empty")])
    if len(q) > 512:
        raise invalid_request(s, [({"query": [q]}, f"The `query` query parameter value [{q}] is not between 1 and 512 characters long")])
    max_results = int_param(s, req, "max_results", 10, 100, 10)
    sort = req.query.get("sort_order")
    if sort is not None and sort not in ("recency", "relevancy"):
        raise invalid_request(s, [({"sort_order": [sort]}, f"The `sort_order` query parameter value [{sort}] is not one of [recency,relevancy]")])
    fields = Fields(s, req)
    with s.lock:
        oldest = s.now() - float(s.settings["recent_search_days"]) * 86400
        start = time_param(s, req, "start_time")
        if start is not None and start < oldest:
            raise invalid_request(s, [({"start_time": [req.query['start_time']]}, "Invalid 'start_time':'" + req.query["start_time"] + "'. 'start_time' must be on or after " + st.iso(oldest)[:19] + "Z")])
        alternatives = []
        current = []
        for term in _query_terms(q):
            if term == "OR":
                alternatives.append(current)
                current = []
            else:
                current.append(term)
        alternatives.append(current)
        items = [
            t for t in s.visible_tweets()
            if t["created_at"] >= oldest
            and any(alt and all(_matches(s, t, term) for term in alt) for alt in alternatives)
        ]
        items = _filter_window(req, s, items)
        scope = _scope("search", req)
        page, meta = _paginate(s, req, scope, items, max_results, token_param="next_token")
        meta.pop("previous_token", None)
        data, includes, errors = render_tweets(s, page, fields, p)
        return Resp(200, envelope(data or None, includes, errors, meta))


# ====================================================================== handlers: users
def users_me(s, req, p):
    fields = Fields(s, req, tweet=False)
    with s.lock:
        data = user_object(s, p.user_id, fields.user)
        includes = {}
        if "most_recent_tweet_id" in fields.expansions:
            own = [t for t in s.visible_tweets() if t["author_id"] == p.user_id]
            if own:
                includes["tweets"] = [tweet_object(s, own[0], fields.tweet, p, [])]
        return Resp(200, envelope(data, includes, None))


# ====================================================================== handlers: media
def _media_or_error(s, mid, p, param="id"):
    m = s.media.get(mid)
    if m is None or m["owner_id"] != p.user_id or s.now() >= m["expires_at"]:
        raise invalid_request(s, [({param: [mid]}, f"The `{param}` parameter value [{mid}] is not a valid media id")])
    return m


def _init_media(s, p, media_type, total_bytes, category, additional_owners=None, shared=False):
    errs = []
    if media_type not in MEDIA_TYPES:
        errs.append(({"media_type": [str(media_type)]}, f"The `media_type` parameter value [{media_type}] is not one of [{','.join(MEDIA_TYPES)}]"))
    if not isinstance(total_bytes, int) or isinstance(total_bytes, bool) or total_bytes < 0 or total_bytes > 17179869184:
        errs.append(({"total_bytes": [str(total_bytes)]}, "The `total_bytes` parameter must be an integer between 0 and 17179869184"))
    if category is not None and category not in MEDIA_CATEGORIES:
        errs.append(({"media_category": [str(category)]}, f"The `media_category` parameter value [{category}] is not one of [{','.join(MEDIA_CATEGORIES)}]"))
    if errs:
        raise invalid_request(s, errs)
    if category is None:
        category = (
            "tweet_gif" if media_type == "image/gif"
            else "tweet_video" if media_type.startswith("video/")
            else "subtitles" if media_type.startswith("text/")
            else "tweet_image"
        )
    kind = "gif" if category.endswith("gif") else "video" if category.endswith("video") else "image"
    if total_bytes > SIZE_LIMITS[kind]:
        raise invalid_request(s, [({"total_bytes": [str(total_bytes)]}, f"File size exceeds {SIZE_LIMITS[kind]} bytes.")])
    mid = s.snowflake()
    m = {
        "id": mid,
        "media_key": f"{KEY_PREFIX[category]}_{mid}",
        "media_type": media_type,
        "media_category": category,
        "total_bytes": total_bytes,
        "owner_id": p.user_id,
        "additional_owners": list(additional_owners or []),
        "shared": bool(shared),
        "segments": {},
        "status": "initialized",
        "needs_processing": kind in ("video", "gif"),
        "created_at": s.now(),
        "finalized_at": None,
        "expires_at": s.now() + float(s.settings["media_upload_expires_secs"]),
        "alt_text": None,
    }
    s.media[mid] = m
    return m


def _media_response(s, m, with_size=False):
    data = {
        "id": m["id"],
        "media_key": m["media_key"],
        "expires_after_secs": max(0, int(m["expires_at"] - s.now())),
    }
    if with_size:
        data["size"] = sum(len(v) for v in m["segments"].values())
    state = st.media_state(s, m)
    if m["status"] == "finalized" and m["needs_processing"]:
        info = {"state": state}
        if state in ("pending", "in_progress"):
            info["check_after_secs"] = 1
            info["progress_percent"] = 0 if state == "pending" else 50
        elif state == "succeeded":
            info["progress_percent"] = 100
        data["processing_info"] = info
    return data


def media_initialize(s, req, p):
    body = json_body(s, req)
    for k in body:
        if k not in ("media_type", "total_bytes", "media_category", "additional_owners", "shared"):
            raise invalid_request(s, [({}, f"$.{k}: is not defined in the schema and the schema does not allow additional properties")])
    with s.lock:
        m = _init_media(
            s, p, body.get("media_type"), body.get("total_bytes"), body.get("media_category"),
            body.get("additional_owners"), body.get("shared", False),
        )
        return Resp(200, {"data": _media_response(s, m)})


def _append(s, m, segment, chunk):
    if m["status"] != "initialized":
        raise invalid_request(s, [({"id": [m["id"]]}, "Media upload has already been finalized.")])
    if not isinstance(segment, str) or not re.fullmatch(r"[0-9]{1,3}", segment):
        raise invalid_request(s, [({"segment_index": [str(segment)]}, f"The `segment_index` parameter value [{segment}] is not an integer between 0 and 999")])
    m["segments"][int(segment)] = chunk
    return {"expires_at": int(m["expires_at"])}


def media_append(s, req, p):
    mid = id_param(s, "id", req.params["id"], "path")
    if req.content_type == "application/json":
        body = json_body(s, req)
        media_b64 = body.get("media")
        segment = body.get("segment_index")
        if media_b64 is None or segment is None:
            raise invalid_request(s, [({}, "$.media, $.segment_index: are required")])
        try:
            chunk = base64.b64decode(media_b64, validate=True)
        except (ValueError, TypeError):
            raise invalid_request(s, [({"media": []}, "The `media` parameter is not valid base64")])
        segment = str(segment)
    elif req.content_type == "multipart/form-data":
        parts = parse_multipart(req) or {}
        if "media" not in parts or "segment_index" not in parts:
            raise invalid_request(s, [({}, "The `media` and `segment_index` parameters are required")])
        chunk = parts["media"][1]
        segment = parts["segment_index"][1].decode("ascii", "replace").strip()
    else:
        raise invalid_request(s, [({}, "Requests with bodies must have content-type of multipart/form-data or application/json.")])
    with s.lock:
        m = _media_or_error(s, mid, p)
        return Resp(200, {"data": _append(s, m, segment, chunk)})


def _finalize(s, m):
    if m["status"] == "finalized":
        return
    got = sum(len(v) for v in m["segments"].values())
    indexes = sorted(m["segments"])
    if indexes != list(range(len(indexes))) or got != m["total_bytes"]:
        raise invalid_request(s, [({"id": [m["id"]]}, f"Segments do not add up to provided total file size (received {got} of {m['total_bytes']} bytes).")])
    m["status"] = "finalized"
    m["finalized_at"] = s.now()
    m["expires_at"] = s.now() + 86400


def media_finalize(s, req, p):
    mid = id_param(s, "id", req.params["id"], "path")
    with s.lock:
        m = _media_or_error(s, mid, p)
        _finalize(s, m)
        return Resp(200, {"data": _media_response(s, m, with_size=True)})


def media_status(s, req, p):
    mid = req.query.get("media_id")
    if mid is None:
        raise invalid_request(s, [({"media_id": []}, "The `media_id` query parameter can not be empty")])
    id_param(s, "media_id", mid)
    cmd = req.query.get("command")
    if cmd is not None and cmd != "STATUS":
        raise invalid_request(s, [({"command": [cmd]}, f"The `command` query parameter value [{cmd}] is not one of [STATUS]")])
    with s.lock:
        m = _media_or_error(s, mid, p, "media_id")
        data = _media_response(s, m)
        if m["status"] == "finalized" and not m["needs_processing"]:
            data["processing_info"] = {"state": "succeeded", "progress_percent": 100}
        return Resp(200, {"data": data})


def media_upload_form(s, req, p):
    """POST /2/media/upload: the one-shot upload (media + media_category), and the older
    command=INIT|APPEND|FINALIZE form the chunked quickstart still shows."""
    fields = form_fields(req)
    if not fields and req.content_type == "application/json":
        body = json_body(s, req)
        fields = {k: (None, (v if isinstance(v, str) else json.dumps(v)).encode()) for k, v in body.items()}
        if "media" in body:
            try:
                fields["media"] = (None, base64.b64decode(body["media"]))
            except (ValueError, TypeError):
                raise invalid_request(s, [({"media": []}, "The `media` parameter is not valid base64")])
    for k, v in req.query_list:
        fields.setdefault(k, (None, v.encode()))

    def text(name):
        v = fields.get(name)
        return None if v is None else v[1].decode("utf-8", "replace")

    cmd = text("command")
    with s.lock:
        if cmd == "INIT":
            tb = text("total_bytes")
            m = _init_media(
                s, p, text("media_type"), int(tb) if tb and tb.isdigit() else tb, text("media_category")
            )
            return Resp(200, {"data": _media_response(s, m)})
        if cmd in ("APPEND", "FINALIZE"):
            mid = text("media_id") or ""
            id_param(s, "media_id", mid)
            m = _media_or_error(s, mid, p, "media_id")
            if cmd == "APPEND":
                if "media" not in fields:
                    raise invalid_request(s, [({}, "The `media` parameter is required")])
                return Resp(200, {"data": _append(s, m, text("segment_index") or "", fields["media"][1])})
            _finalize(s, m)
            return Resp(200, {"data": _media_response(s, m, with_size=True)})
        if cmd is not None:
            raise invalid_request(s, [({"command": [cmd]}, f"The `command` parameter value [{cmd}] is not one of [INIT,APPEND,FINALIZE]")])
        if "media" not in fields:
            raise invalid_request(s, [({}, "The `media` parameter is required")])
        category = text("media_category")
        if category not in ONE_SHOT_CATEGORIES:
            raise invalid_request(s, [({"media_category": [str(category)]}, f"The `media_category` parameter value [{category}] is not one of [{','.join(ONE_SHOT_CATEGORIES)}]")])
        data = fields["media"][1]
        media_type = text("media_type") or ("text/srt" if category == "subtitles" else "image/png")
        m = _init_media(s, p, media_type, len(data), category)
        m["segments"][0] = data
        _finalize(s, m)
        return Resp(200, {"data": _media_response(s, m, with_size=True)})


def media_metadata(s, req, p):
    body = json_body(s, req)
    mid = body.get("id")
    errs = []
    if not isinstance(mid, str) or not ID_RE.match(mid):
        errs.append(({}, "$.id: is missing but it is required" if mid is None else "$.id: does not match the regex pattern ^[0-9]{1,19}$"))
    meta = body.get("metadata") or {}
    alt = meta.get("alt_text") if isinstance(meta, dict) else None
    if alt is not None:
        if not isinstance(alt, dict) or not isinstance(alt.get("text"), str):
            errs.append(({}, "$.metadata.alt_text.text: is missing but it is required"))
        elif len(alt["text"]) > 1000:
            errs.append(({}, "$.metadata.alt_text.text: may only be 1000 characters long"))
    if errs:
        raise invalid_request(s, errs)
    with s.lock:
        m = s.media.get(mid)
        if m is None or m["owner_id"] != p.user_id:
            raise invalid_request(s, [({"id": [mid]}, f"The `id` parameter value [{mid}] is not a valid media id")])
        if alt is not None:
            m["alt_text"] = alt["text"]
        m.setdefault("metadata", {}).update(meta)
        return Resp(200, {"data": {"id": mid, "associated_metadata": meta}})


# ====================================================================== OAuth 2.0 refresh
def oauth2_token(s, req):
    fields = {
        k: v for k, v in urllib.parse.parse_qsl(req.body.decode("utf-8", "replace"), keep_blank_values=True)
    }
    if fields.get("grant_type") != "refresh_token":
        return Resp(400, {"error": "invalid_request", "error_description": "Value passed for the grant type was invalid."})
    with s.lock:
        entry = s.refresh_tokens.pop(fields.get("refresh_token", ""), None)
        if entry is None:
            return Resp(400, {"error": "invalid_request", "error_description": "Value passed for the token was invalid."})
        access = st._token_like(kind="at")
        refresh = st._token_like(kind="rt")
        life = float(s.settings["oauth2_access_token_secs"])
        s.add_bearer_token(
            {"name": "refreshed", "token": access, "user_id": entry["user_id"], "scopes": entry["scopes"],
             "expires_in": life, "refresh_token": refresh, "client_id": entry.get("client_id")}
        )
        return Resp(
            200,
            {"token_type": "bearer", "expires_in": int(life), "access_token": access,
             "scope": " ".join(entry["scopes"]), "refresh_token": refresh},
        )


# ====================================================================== routing
ROUTES = []


def route(method, pattern, key, handler, scopes, app_ok=False, write=False):
    regex = re.compile("^" + re.sub(r":(\w+)", r"(?P<\1>[^/]+)", pattern) + "$")
    ROUTES.append({"method": method, "regex": regex, "key": key, "handler": handler,
                   "scopes": scopes, "app_ok": app_ok, "write": write})


READ = ["tweet.read", "users.read"]
route("POST", "/2/tweets", "POST /2/tweets", create_post, ["tweet.read", "tweet.write", "users.read"], write=True)
route("GET", "/2/tweets/search/recent", "GET /2/tweets/search/recent", search_recent, READ, app_ok=True)
route("GET", "/2/tweets", "GET /2/tweets", get_posts, READ, app_ok=True)
route("PUT", "/2/tweets/:tweet_id/hidden", "PUT /2/tweets/:tweet_id/hidden", hide_reply,
      ["tweet.moderate.write", "tweet.read", "users.read"], write=True)
route("GET", "/2/tweets/:id/quote_tweets", "GET /2/tweets/:id/quote_tweets", quote_tweets, READ, app_ok=True)
route("GET", "/2/tweets/:id", "GET /2/tweets/:id", get_post, READ, app_ok=True)
route("DELETE", "/2/tweets/:id", "DELETE /2/tweets/:id", delete_post, ["tweet.read", "tweet.write", "users.read"], write=True)
route("GET", "/2/users/me", "GET /2/users/me", users_me, READ)
route("GET", "/2/users/:id/tweets", "GET /2/users/:id/tweets", user_posts, READ, app_ok=True)
route("GET", "/2/users/:id/mentions", "GET /2/users/:id/mentions", user_mentions, READ, app_ok=True)
route("POST", "/2/media/upload/initialize", "POST /2/media/upload/initialize", media_initialize, ["media.write"], write=True)
route("POST", "/2/media/upload/:id/append", "POST /2/media/upload/:id/append", media_append, ["media.write"], write=True)
route("POST", "/2/media/upload/:id/finalize", "POST /2/media/upload/:id/finalize", media_finalize, ["media.write"], write=True)
route("GET", "/2/media/upload", "GET /2/media/upload", media_status, ["media.write"])
route("POST", "/2/media/upload", "POST /2/media/upload", media_upload_form, ["media.write"], write=True)
route("POST", "/2/media/metadata", "POST /2/media/metadata", media_metadata, ["media.write"], write=True)


def not_found_page():
    return Resp(404, {"errors": [{"message": "Sorry, that page does not exist", "code": 34}]})


def dispatch(s, req):
    if req.path == "/2/oauth2/token" and req.method == "POST":
        return oauth2_token(s, req)
    matched = None
    path_matched = False
    for r in ROUTES:
        m = r["regex"].match(req.path)
        if not m:
            continue
        path_matched = True
        if r["method"] == req.method:
            matched = r
            req.params = m.groupdict()
            break
    if matched is None:
        return not_found_page() if not path_matched else Resp(
            405, {"title": "Method Not Allowed", "type": "about:blank", "status": 405,
                  "detail": "Method Not Allowed"}, content_type="application/problem+json")
    rate_headers = {}
    principal = None
    try:
        principal = authenticate(s, req)
        try:
            authorize(s, principal, matched)
        except ApiError:
            _, rate_headers = s.take(matched["key"], principal.key, principal.is_app, consume=False)
            raise
        allowed, rate_headers = s.take(matched["key"], principal.key, principal.is_app)
        if not allowed:
            raise too_many_requests()
        resp = matched["handler"](s, req, principal)
    except ApiError as e:
        resp = e.resp
    if not rate_headers:
        # Unauthenticated answers: the window of no principal, not consumed.
        _, rate_headers = s.take(matched["key"], "anonymous", False, consume=False)
    for k, v in rate_headers.items():
        resp.headers.setdefault(k, v)
    if principal is not None and principal.kind == "oauth1":
        resp.headers.setdefault("x-access-level", principal.access_level)
    return resp
