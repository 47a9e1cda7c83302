"""The LinkedIn endpoints the fake serves (versioned /rest API, OAuth helpers, uploads).

Each handler takes (state, req) and returns a Response or raises ApiError.  The
README names the doc page behind every answer; where the docs are silent the
comment says what the fake chose.
"""

import json
import struct
from urllib.parse import parse_qs, quote

import littletext
import restli
from state import ACCESS_TOKEN_TTL, DAY_MS, ROLES

MAX_COMMENTARY = 3000  # "The maximum length of the text of a UGC Post is 3,000 characters."
MAX_ALT_TEXT = 4086  # Images API: "Maximum length is 4,086 characters"
MAX_COMMENT = 1250  # LinkedIn's composer limit for comments (not on an API page)
MAX_PIXELS = 36_152_320  # Images API: "Images with less than 36,152,320 pixels."
POSTING_ROLES = {"ADMINISTRATOR", "DIRECT_SPONSORED_CONTENT_POSTER", "CONTENT_ADMINISTRATOR"}
IMAGE_ROLES = {"ADMINISTRATOR", "DIRECT_SPONSORED_CONTENT_POSTER"}  # "ADMIN or DSC permissions"
STATS_ROLES = {"ADMINISTRATOR"}


class Response:
    def __init__(self, status, body=None, headers=None, raw=None, content_type="application/json"):
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        self.raw = raw
        self.content_type = content_type

    def encode(self):
        if self.raw is not None:
            return self.raw
        if self.body is None:
            return b""
        return json.dumps(self.body, ensure_ascii=False).encode("utf-8")


class ApiError(Exception):
    def __init__(self, status, body, headers=None):
        super().__init__(body)
        self.status = status
        self.body = body
        self.headers = headers or {}


class Request:
    def __init__(self, method, path, raw_query, headers, body, base_url):
        self.method = method
        self.path = path
        self.raw_query = raw_query
        self.headers = headers
        self.body = body
        self.base_url = base_url
        self.token = None  # filled in by authenticate()
        self.version = None
        self._query = None

    def header(self, name):
        return self.headers.get(name)

    @property
    def query(self):
        if self._query is None:
            self._query = restli.parse_query(self.raw_query)
        return self._query

    def param(self, name, default=None, required=False):
        vals = self.query.get(name)
        if not vals:
            if required:
                raise ApiError(400, {"status": 400, "message": "Missing required query parameter: %s" % name})
            return default
        try:
            return restli.decode(vals[-1])
        except restli.RestliDecodeError as e:
            raise ApiError(400, {"status": 400, "message": "Invalid value for query parameter %s: %s" % (name, e)})

    def json(self):
        if not self.body:
            raise ApiError(400, {"status": 400, "message": "Request body is empty; a JSON body is required"})
        try:
            data = json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise ApiError(400, {"status": 400, "message": "Unable to parse the request body as JSON: %s" % e})
        if not isinstance(data, dict):
            raise ApiError(400, {"status": 400, "message": "The request body must be a JSON object"})
        return data


# ---------------------------------------------------------------------------
# Error bodies
# ---------------------------------------------------------------------------

def err(status, code, message, service_code=None):
    body = {"status": status}
    if service_code is not None:
        body["serviceErrorCode"] = service_code
    body["code"] = code
    body["message"] = message
    return ApiError(status, body)


def input_error(status, code, field, description, message=None):
    """The shape LinkedIn uses for request-body validation (seen on DUPLICATE_POST)."""
    return ApiError(status, {
        "errorDetailType": "com.linkedin.common.error.BadRequest",
        "message": message or description,
        "errorDetails": {"inputErrors": [{
            "description": description,
            "input": {"inputPath": {"fieldPath": field}} if field else {},
            "code": code,
        }]},
        "status": status,
    })


def restli_field_error(path, what):
    """Rest.li data-template validation ("ERROR :: /field :: ...")."""
    return ApiError(422, {"message": "ERROR :: %s :: %s\n" % (path, what), "status": 422})


def not_found(message):
    return err(404, "NOT_FOUND", message)


def version_date(version):
    base, _, rev = version.partition(".")
    return base + "01" + ("." + rev if rev else "")


def access_denied(req, resource, method):
    ver = version_date(req.version) if req.version else "NO_VERSION"
    return err(403, "ACCESS_DENIED", "Not enough permissions to access: %s.%s.%s" % (resource, method, ver), 100)


# ---------------------------------------------------------------------------
# Authentication, versions, protocol header, throttling
# ---------------------------------------------------------------------------

def authenticate(st, req):
    auth = req.header("Authorization")
    if not auth or not auth.strip():
        raise err(401, "EMPTY_ACCESS_TOKEN", "Empty oauth2_access_token", 65604)
    parts = auth.strip().split(None, 1)
    if len(parts) != 2 or parts[0].lower() != "bearer":
        # error-handling doc: "Unknown authentication schema" (body wording not published)
        raise err(401, "UNKNOWN_AUTHENTICATION_SCHEME", "Unknown authentication scheme", 65603)
    tok = st.tokens.get(parts[1].strip())
    if tok is None:
        raise err(401, "INVALID_ACCESS_TOKEN", "Invalid access token", 65600)
    status = st.token_status(tok)
    if status == "revoked":
        raise err(401, "REVOKED_ACCESS_TOKEN", "The token used in the request has been revoked by the user", 65601)
    if status == "expired":
        raise err(401, "EXPIRED_ACCESS_TOKEN", "The token used in the request has expired", 65602)
    req.token = tok
    return tok


def check_version(st, req):
    v = req.header("LinkedIn-Version")
    if v is None or not v.strip():
        raise err(400, "VERSION_MISSING",
                  "A version must be present. Please specify a version by adding the LinkedIn-Version header.")
    v = v.strip()
    base = v.split(".", 1)[0]
    if not (len(base) == 6 and base.isdigit()) or base not in st.versions:
        shown = version_date(v) if len(base) == 6 and base.isdigit() else v
        raise err(426, "NONEXISTENT_VERSION", "Requested version %s is not active" % shown)
    req.version = v


def check_protocol(req):
    p = req.header("X-Restli-Protocol-Version")
    if p is None or p.strip() != "2.0.0":
        # The docs require the header on every /rest call but publish no error for its
        # absence; the fake refuses so a client that forgets it fails loudly.
        raise ApiError(400, {"status": 400, "message":
                             "X-Restli-Protocol-Version: 2.0.0 is required (got %r)" % p})


def check_method(req, expected, required=False):
    m = req.header("X-RestLi-Method")
    if m is None:
        if required:
            raise ApiError(400, {"status": 400, "message":
                                 "The X-RestLi-Method header is required for this request: %s" % expected})
        return
    if m.strip().upper() != expected:
        raise ApiError(400, {"status": 400, "message":
                             "Invalid X-RestLi-Method %r for this request; expected %s" % (m, expected)})


def throttle(st, req, resource):
    hit = st.take_quota(resource, req.token["member"])
    if hit:
        raise err(429, "TOO_MANY_REQUESTS",
                  "Resource level throttle %s DAY limit for calls to this resource is reached." % hit, 101)


def has_any_scope(req, scopes):
    return bool(set(req.token["scopes"]) & set(scopes))


def require_scope(req, scopes, resource, method):
    if not has_any_scope(req, scopes):
        raise access_denied(req, resource, method)


def require_role(st, req, org_urn, roles, resource, method):
    if not (st.roles_of(req.token["member"], org_urn) & set(roles)):
        raise access_denied(req, resource, method)


def act_as(st, req, actor, org_scope, member_scope, roles, resource, method):
    """Check that the token may act as `actor` (an organization or the member itself)."""
    if actor.startswith("urn:li:organization:"):
        require_scope(req, [org_scope], resource, method)
        require_role(st, req, actor, roles, resource, method)
    elif actor.startswith("urn:li:person:"):
        require_scope(req, [member_scope], resource, method)
        if actor != req.token["member"]:
            raise access_denied(req, resource, method)
    else:
        raise access_denied(req, resource, method)


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

def path_key(raw):
    """A key in the path.  LinkedIn's own examples put URNs in paths both encoded
    (posts-api: /rest/posts/urn%3Ali%3Ashare%3A...) and raw (images-api:
    /rest/images/urn:li:image:...), so a raw ':' is accepted here; a raw '(' ')' or
    ',' (a comment URN) would be read as a Rest.li complex key and is refused."""
    bad = sorted(set(raw) & set("(),"))
    if bad:
        raise ApiError(400, {"status": 400, "message":
                             "Invalid resource key in path %r: unescaped %s; percent-encode the URN"
                             % (raw, " ".join(bad))})
    from urllib.parse import unquote

    return unquote(raw)


def urn_kind(urn):
    parts = urn.split(":")
    if len(parts) < 4 or parts[0] != "urn" or parts[1] != "li":
        return None, None
    return parts[2], ":".join(parts[3:])


def check_author_urn(value, field="author"):
    if not isinstance(value, str):
        raise input_error(400, "INVALID_VALUE_FOR_FIELD", field, "%s must be a URN string" % field)
    kind, ident = urn_kind(value)
    if kind not in ("organization", "person"):
        raise input_error(400, "INVALID_URN_TYPE", field,
                          "Invalid URN type for %s: %s (expected urn:li:organization or urn:li:person)"
                          % (field, value))
    if kind == "organization" and not ident.isdigit():
        raise input_error(400, "INVALID_URN_ID", field, "Invalid URN id for %s: %s" % (field, value))
    if kind == "person" and not ident:
        raise input_error(400, "INVALID_URN_ID", field, "Invalid URN id for %s: %s" % (field, value))
    return value


def refresh_image(st, img):
    if img["status"] == "PROCESSING" and st.now_ms() >= img["ready_at"]:
        img["status"] = "PROCESSING_FAILED" if img.get("failure") else "AVAILABLE"
        img["statusChangedAt"] = st.now_ms()
    return img


def find_post(st, urn, include_deleted=False):
    kind, _ = urn_kind(urn)
    if kind == "activity":
        urn = st.activities.get(urn, urn)
    p = st.posts.get(urn)
    if p is None or (p["deleted"] and not include_deleted):
        return None
    return p


def post_view(p):
    dist = {"feedDistribution": p["distribution"].get("feedDistribution", "MAIN_FEED"),
            "thirdPartyDistributionChannels": p["distribution"].get("thirdPartyDistributionChannels", [])}
    if p["distribution"].get("targetEntities"):
        dist["targetEntities"] = p["distribution"]["targetEntities"]
    v = {
        "isReshareDisabledByAuthor": p["isReshareDisabledByAuthor"],
        "createdAt": p["createdAt"],
        "lifecycleState": p["lifecycleState"],
        "lastModifiedAt": p["lastModifiedAt"],
        "visibility": p["visibility"],
        "publishedAt": p["publishedAt"],
        "author": p["author"],
        "id": p["id"],
        "distribution": dist,
        "commentary": p["commentary"],
        "lifecycleStateInfo": {"isEditedByAuthor": p["edited"]},
    }
    if p.get("content"):
        v["content"] = p["content"]
    return v


def collection(elements, start, count, total=None, links=None):
    paging = {"start": start, "count": count, "links": links or []}
    if total is not None:
        paging["total"] = total
    return {"paging": paging, "elements": elements}


def int_param(req, name, default, lo=0, hi=None):
    v = req.param(name)
    if v is None:
        return default
    try:
        n = int(v)
    except (TypeError, ValueError):
        raise ApiError(400, {"status": 400, "message": "Query parameter %s must be an integer" % name})
    if n < lo or (hi is not None and n > hi):
        raise ApiError(400, {"status": 400, "message": "Query parameter %s out of range: %d" % (name, n)})
    return n


def process_commentary(st, text, field="commentary"):
    """-> (stored commentary, little-text report).  Mode from the seed, see README."""
    if not isinstance(text, str):
        raise input_error(400, "INVALID_VALUE_FOR_FIELD", field, "%s must be a string" % field)
    if len(text) > MAX_COMMENTARY:
        raise input_error(400, "FIELD_LENGTH_TOO_LONG", field,
                          "%s length %d exceeds the maximum of %d characters" % (field, len(text), MAX_COMMENTARY))
    elements, error = littletext.parse(text)
    mode = st.cfg["little_text"]
    report = {"sent": text, "error": None}
    if error:
        report["error"] = {"index": error[0], "message": error[1]}
        if mode == "reject":
            raise input_error(400, "INVALID_VALUE_FOR_FIELD", field,
                              "Invalid little text at index %d: %s" % error)
        if mode == "accept":
            report["rendered"] = text
            return text, report
        # mode == "truncate": what integrators report LinkedIn does: the post goes out
        # and everything from the first unparseable reserved character is dropped.
    stored = littletext.canonical(elements, st.cfg["hashtags_as_template"])
    report["rendered"] = littletext.rendered(elements)
    report["truncated"] = bool(error)
    return stored, report


def image_info(data):
    """(format, width, height) from the first bytes, or (None, 0, 0)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        w, h = struct.unpack(">II", data[16:24])
        return "PNG", w, h
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        w, h = struct.unpack("<HH", data[6:10])
        return "GIF", w, h
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                i += 2
                continue
            seg_len = struct.unpack(">H", data[i + 2:i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
                h, w = struct.unpack(">HH", data[i + 5:i + 9])
                return "JPEG", w, h
            i += 2 + seg_len
        return "JPEG", 0, 0
    return None, 0, 0


# ---------------------------------------------------------------------------
# Posts API
# https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api
# ---------------------------------------------------------------------------

POST_FIELDS = {"author", "commentary", "visibility", "distribution", "lifecycleState", "isReshareDisabledByAuthor",
               "content", "contentLandingPage", "contentCallToActionLabel", "container", "reshareContext",
               "adContext"}
READ_ONLY = {"id", "createdAt", "lastModifiedAt", "publishedAt", "lifecycleStateInfo"}
VISIBILITY = {"PUBLIC", "CONNECTIONS", "LOGGED_IN", "CONTAINER"}
FEED = {"MAIN_FEED", "NONE"}
UPDATABLE = {"commentary", "contentCallToActionLabel", "contentLandingPage", "lifecycleState", "adContext",
             "reshareContext"}


def check_media(st, req, urn, author, field):
    kind, _ = urn_kind(urn) if isinstance(urn, str) else (None, None)
    if kind != "image":
        if kind in ("video", "document"):
            raise input_error(400, "INVALID_URN_ID", field,
                              "%s: the fake only models images (urn:li:image); got %s" % (field, urn))
        raise input_error(400, "INVALID_URN_TYPE", field, "Invalid URN type for %s: %r" % (field, urn))
    img = st.images.get(urn)
    if img is None:
        raise input_error(400, "INVALID_URN_ID", field, "%s does not exist" % urn)
    refresh_image(st, img)
    if img["owner"] != author:
        raise input_error(400, "INVALID_VALUE_FOR_FIELD", field,
                          "Media %s is owned by %s, not by the post author %s" % (urn, img["owner"], author))
    if img["status"] == "WAITING_UPLOAD":
        raise input_error(400, "MEDIA_ASSET_WAITING_UPLOAD", field, "Media asset is waiting upload")
    if img["status"] == "PROCESSING_FAILED":
        raise input_error(400, "MEDIA_ASSET_PROCESSING_FAILED", field, "Media asset failed processing")
    if img["status"] == "PROCESSING" and st.cfg["media_processing_policy"] == "reject":
        raise input_error(400, "MEDIA_ASSET_PROCESSING", field,
                          "Media asset is still processing; wait for status AVAILABLE")


def validate_content(st, req, content, author):
    if not isinstance(content, dict):
        raise input_error(400, "INVALID_VALUE_FOR_FIELD", "content", "content must be an object")
    keys = set(content)
    if len(keys) != 1:
        raise input_error(400, "INVALID_VALUE_FOR_FIELD", "content",
                          "content must hold exactly one of media, multiImage, article (got %s)" % sorted(keys))
    kind = keys.pop()
    body = content[kind]
    if not isinstance(body, dict):
        raise input_error(400, "INVALID_VALUE_FOR_FIELD", "content/" + kind, "content.%s must be an object" % kind)
    if kind == "media":
        for k in body:
            if k not in ("id", "title", "altText"):
                raise restli_field_error("/content/media/" + k, "unrecognized field found but not allowed")
        if "id" not in body:
            raise input_error(400, "MISSING_FIELD", "content/media/id", "content.media.id is required")
        if "altText" in body and (not isinstance(body["altText"], str) or len(body["altText"]) > MAX_ALT_TEXT):
            raise input_error(400, "FIELD_LENGTH_TOO_LONG", "content/media/altText",
                              "altText must be a string of at most %d characters" % MAX_ALT_TEXT)
        check_media(st, req, body["id"], author, "content/media/id")
        return "ugcPost"
    if kind == "multiImage":
        for k in body:
            if k not in ("images", "altText"):
                raise restli_field_error("/content/multiImage/" + k, "unrecognized field found but not allowed")
        images = body.get("images")
        if not isinstance(images, list):
            raise input_error(400, "MISSING_FIELD", "content/multiImage/images", "content.multiImage.images is required")
        if not 2 <= len(images) <= 20:
            raise input_error(400, "INVALID_VALUE_FOR_FIELD", "content/multiImage/images",
                              "A multiImage post needs a minimum of 2 images and a maximum of 20 images (got %d)"
                              % len(images))
        for i, im in enumerate(images):
            f = "content/multiImage/images/%d" % i
            if not isinstance(im, dict) or "id" not in im:
                raise input_error(400, "MISSING_FIELD", f + "/id", "each image needs an id")
            for k in im:
                if k not in ("id", "altText"):
                    raise restli_field_error("/" + f + "/" + k, "unrecognized field found but not allowed")
            if "altText" in im and (not isinstance(im["altText"], str) or len(im["altText"]) > MAX_ALT_TEXT):
                raise input_error(400, "FIELD_LENGTH_TOO_LONG", f + "/altText",
                                  "altText must be a string of at most %d characters" % MAX_ALT_TEXT)
            check_media(st, req, im["id"], author, f + "/id")
        return "ugcPost"
    if kind == "article":
        for k in body:
            if k not in ("source", "title", "description", "thumbnail", "thumbnailAltText"):
                raise restli_field_error("/content/article/" + k, "unrecognized field found but not allowed")
        src = body.get("source")
        if not isinstance(src, str) or not src.startswith(("http://", "https://")):
            raise input_error(400, "MISSING_FIELD", "content/article/source", "content.article.source must be a URL")
        if "thumbnail" in body:
            check_media(st, req, body["thumbnail"], author, "content/article/thumbnail")
        return "share"
    raise restli_field_error("/content/" + kind, "content type %r is not modelled by the fake (media, multiImage, "
                                                 "article are)" % kind)


def create_post(st, req):
    check_method(req, "CREATE")
    require_scope(req, ["w_organization_social", "w_member_social"], "partnerApiPostsExternal", "CREATE")
    body = req.json()
    for k in body:
        if k in READ_ONLY:
            raise restli_field_error("/" + k, "ReadOnly field present in a create request")
        if k not in POST_FIELDS:
            raise restli_field_error("/" + k, "unrecognized field found but not allowed")
    if "author" not in body:
        raise input_error(400, "MISSING_FIELD", "author", "author is required")
    author = check_author_urn(body["author"])
    act_as(st, req, author, "w_organization_social", "w_member_social", POSTING_ROLES,
           "partnerApiPostsExternal", "CREATE")
    if author.startswith("urn:li:organization:") and author not in st.orgs:
        raise input_error(400, "INVALID_URN_ID", "author", "Organization %s does not exist" % author)
    if "commentary" not in body:
        raise input_error(400, "MISSING_FIELD", "commentary", "commentary is required")
    for f in ("visibility", "distribution", "lifecycleState"):
        if f not in body:
            raise input_error(400, "MISSING_FIELD", f, "%s is required" % f)
    if body["visibility"] not in VISIBILITY:
        raise input_error(400, "INVALID_VALUE_FOR_FIELD", "visibility",
                          "visibility must be one of %s" % ", ".join(sorted(VISIBILITY)))
    dist = body["distribution"]
    if not isinstance(dist, dict):
        raise input_error(400, "INVALID_VALUE_FOR_FIELD", "distribution", "distribution must be an object")
    for k in dist:
        if k not in ("feedDistribution", "targetEntities", "thirdPartyDistributionChannels"):
            raise restli_field_error("/distribution/" + k, "unrecognized field found but not allowed")
    if dist.get("feedDistribution") not in FEED:
        raise input_error(400, "INVALID_VALUE_FOR_FIELD", "distribution/feedDistribution",
                          "distribution.feedDistribution must be MAIN_FEED or NONE")
    for k in ("targetEntities", "thirdPartyDistributionChannels"):
        if k in dist and not isinstance(dist[k], list):
            raise input_error(400, "INVALID_VALUE_FOR_FIELD", "distribution/" + k, "distribution.%s must be an array" % k)
    if body["lifecycleState"] != "PUBLISHED":
        raise input_error(400, "INVALID_VALUE_FOR_FIELD", "lifecycleState",
                          "PUBLISHED is the only accepted lifecycleState during creation")
    reshare_off = body.get("isReshareDisabledByAuthor", False)
    if not isinstance(reshare_off, bool):
        raise input_error(400, "INVALID_VALUE_FOR_FIELD", "isReshareDisabledByAuthor", "must be a boolean")
    kind = "share"
    content = body.get("content")
    if content is not None:
        kind = validate_content(st, req, content, author)
    text = body["commentary"]
    if isinstance(text, str) and not text.strip() and content is None:
        raise input_error(400, "INVALID_VALUE_BLANK_FIELD", "commentary", "commentary cannot be blank")
    stored, report = process_commentary(st, text)

    now = st.now_ms()
    window = st.cfg["duplicate_window_seconds"] * 1000
    for p in st.posts.values():
        if (not p["deleted"] and p["author"] == author and p["sent_commentary"] == text
                and p.get("content") == content and now - p["createdAt"] < window):
            # Observed body (Arisamiga/Linkedin-RSS#5); ugcPost doc: "Wait 10 minutes for
            # the duplicate restriction to expire or modify the content."
            raise ApiError(422, {
                "errorDetailType": "com.linkedin.common.error.BadRequest",
                "message": "com.linkedin.content.common.exception.BadRequestResponseException: "
                           "Content is a duplicate of %s" % p["id"],
                "errorDetails": {"inputErrors": [{"description": "Duplicate post is detected", "input": {},
                                                  "code": "DUPLICATE_POST"}]},
                "status": 422,
            })

    urn = "urn:li:%s:%d" % (kind, st.new_id())
    activity = "urn:li:activity:%d" % st.new_id()
    post = {
        "id": urn,
        "activity": activity,
        "author": author,
        "commentary": stored,
        "sent_commentary": text,
        "little_text": report,
        "visibility": body["visibility"],
        "distribution": dist,
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": reshare_off,
        "content": content,
        "createdAt": now,
        "publishedAt": now,
        "lastModifiedAt": now,
        "edited": False,
        "deleted": False,
        "deletedAt": None,
        "commentsState": "OPEN",
        "createdBy": req.token["member"],
        "history": [{"at": now, "action": "CREATE", "by": req.token["member"], "commentary": stored}],
    }
    st.posts[urn] = post
    st.activities[activity] = urn
    return Response(201, None, {"x-restli-id": urn, "Location": "/rest/posts/" + quote(urn, safe="")})


def get_post(st, req, key):
    check_method(req, "GET")
    require_scope(req, ["r_organization_social", "r_member_social"], "partnerApiPostsExternal", "GET")
    p = find_post(st, key)
    if p is None:
        raise not_found("Post %s does not exist" % key)
    read_access(st, req, p["author"], "GET")
    return Response(200, post_view(p))


def read_access(st, req, author, method):
    if author.startswith("urn:li:organization:"):
        require_scope(req, ["r_organization_social"], "partnerApiPostsExternal", method)
        require_role(st, req, author, POSTING_ROLES, "partnerApiPostsExternal", method)
    else:
        require_scope(req, ["r_member_social"], "partnerApiPostsExternal", method)
        if author != req.token["member"]:
            raise access_denied(req, "partnerApiPostsExternal", method)


def find_posts_by_author(st, req):
    check_method(req, "FINDER")
    if req.param("q") != "author":
        raise ApiError(400, {"status": 400, "message": "Unsupported finder q=%r; the posts finder is q=author"
                                                       % req.param("q")})
    require_scope(req, ["r_organization_social", "r_member_social"], "partnerApiPostsExternal", "FINDER-author")
    author = req.param("author", required=True)
    check_author_urn(author)
    read_access(st, req, author, "FINDER-author")
    start = int_param(req, "start", 0)
    count = int_param(req, "count", 10, 0, 100)
    sort_by = req.param("sortBy", "LAST_MODIFIED")
    if sort_by not in ("LAST_MODIFIED", "CREATED"):
        raise ApiError(400, {"status": 400, "message": "sortBy must be LAST_MODIFIED or CREATED"})
    view = req.param("viewContext", "READER")
    if view not in ("READER", "AUTHOR"):
        raise ApiError(400, {"status": 400, "message": "viewContext must be READER or AUTHOR"})
    posts = [p for p in st.posts.values() if p["author"] == author and not p["deleted"]
             and (view == "AUTHOR" or p["lifecycleState"] == "PUBLISHED")]
    sort_key = "lastModifiedAt" if sort_by == "LAST_MODIFIED" else "createdAt"
    posts.sort(key=lambda p: (p[sort_key], p["id"]), reverse=True)
    page = posts[start:start + count]
    links = []
    base = "/rest/posts?author=%s&count=%d&q=author" % (quote(author, safe=""), count)
    if start > 0:
        links.append({"type": "application/json", "rel": "prev", "href": base + "&start=%d" % max(0, start - count)})
    if start + count < len(posts):
        links.append({"type": "application/json", "rel": "next", "href": base + "&start=%d" % (start + count)})
    return Response(200, collection([post_view(p) for p in page], start, count, len(posts), links))


def batch_get_posts(st, req):
    check_method(req, "BATCH_GET")
    require_scope(req, ["r_organization_social", "r_member_social"], "partnerApiPostsExternal", "BATCH_GET")
    ids = req.param("ids", required=True)
    if not isinstance(ids, list):
        raise ApiError(400, {"status": 400, "message": "ids must be a Rest.li List(...)"})
    results, statuses, errors = {}, {}, {}
    for urn in ids:
        p = find_post(st, urn)
        if p is None:
            statuses[urn] = 404
            errors[urn] = {"status": 404, "message": "Post %s does not exist" % urn}
            continue
        try:
            read_access(st, req, p["author"], "BATCH_GET")
        except ApiError as e:
            statuses[urn] = 403
            errors[urn] = e.body
            continue
        results[urn] = post_view(p)
        statuses[urn] = 200
    return Response(200, {"results": results, "statuses": statuses, "errors": errors})


def update_post(st, req, key):
    check_method(req, "PARTIAL_UPDATE", required=True)
    require_scope(req, ["w_organization_social", "w_member_social"], "partnerApiPostsExternal", "PARTIAL_UPDATE")
    p = find_post(st, key)
    if p is None:
        raise not_found("Post %s does not exist" % key)
    act_as(st, req, p["author"], "w_organization_social", "w_member_social", POSTING_ROLES,
           "partnerApiPostsExternal", "PARTIAL_UPDATE")
    body = req.json()
    patch = body.get("patch")
    if set(body) != {"patch"} or not isinstance(patch, dict):
        raise ApiError(400, {"status": 400, "message": 'A PARTIAL_UPDATE body is {"patch": {"$set": {...}}}'})
    for op in patch:
        if op != "$set":
            raise ApiError(400, {"status": 400, "message": "Unsupported patch operation %r (the fake models $set)" % op})
    sets = patch.get("$set") or {}
    if not isinstance(sets, dict) or not sets:
        raise ApiError(400, {"status": 400, "message": "$set must be a non-empty object"})
    for k in sets:
        if k not in UPDATABLE:
            raise input_error(400, "INVALID_VALUE_FOR_FIELD", k,
                              "Field %s cannot be updated; updatable fields: %s" % (k, ", ".join(sorted(UPDATABLE))))
    changes = {}
    if "commentary" in sets:
        stored, report = process_commentary(st, sets["commentary"])
        changes["commentary"] = stored
        changes["sent_commentary"] = sets["commentary"]
        changes["little_text"] = report
    if "lifecycleState" in sets:
        if sets["lifecycleState"] not in ("PUBLISHED", "DRAFT"):
            raise input_error(400, "INVALID_VALUE_FOR_FIELD", "lifecycleState", "invalid lifecycleState")
        changes["lifecycleState"] = sets["lifecycleState"]
    for k in ("contentCallToActionLabel", "contentLandingPage", "adContext", "reshareContext"):
        if k in sets:
            changes[k] = sets[k]
    now = st.now_ms()
    p.update(changes)
    p["lastModifiedAt"] = now
    if "commentary" in sets:
        p["edited"] = True
    p["history"].append({"at": now, "action": "PARTIAL_UPDATE", "by": req.token["member"],
                         "set": {k: v for k, v in changes.items() if k not in ("little_text",)}})
    return Response(204)


def delete_post(st, req, key):
    check_method(req, "DELETE")
    require_scope(req, ["w_organization_social", "w_member_social"], "partnerApiPostsExternal", "DELETE")
    p = find_post(st, key, include_deleted=True)
    if p is None:
        raise not_found("Post %s does not exist" % key)
    act_as(st, req, p["author"], "w_organization_social", "w_member_social", POSTING_ROLES,
           "partnerApiPostsExternal", "DELETE")
    now = st.now_ms()
    if not p["deleted"]:
        p["deleted"] = True
        p["deletedAt"] = now
        p["history"].append({"at": now, "action": "DELETE", "by": req.token["member"]})
    else:
        # "Post deletions are idempotent. Deletion requests for a previously deleted
        #  UGC Post will return a 204 code - No Content."
        p["history"].append({"at": now, "action": "DELETE (already deleted)", "by": req.token["member"]})
    return Response(204)


# ---------------------------------------------------------------------------
# Images API
# https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/images-api
# ---------------------------------------------------------------------------

def initialize_image_upload(st, req):
    check_method(req, "ACTION")
    if req.param("action") != "initializeUpload":
        raise ApiError(400, {"status": 400, "message": "POST /rest/images needs ?action=initializeUpload"})
    require_scope(req, ["w_organization_social", "w_member_social"], "images", "ACTION-initializeUpload")
    body = req.json()
    iur = body.get("initializeUploadRequest")
    if set(body) != {"initializeUploadRequest"} or not isinstance(iur, dict):
        raise input_error(400, "MISSING_FIELD", "initializeUploadRequest",
                          "The body is {\"initializeUploadRequest\": {\"owner\": ...}}")
    for k in iur:
        if k not in ("owner", "mediaLibraryMetadata"):
            raise restli_field_error("/initializeUploadRequest/" + k, "unrecognized field found but not allowed")
    if "owner" not in iur:
        raise input_error(400, "MISSING_FIELD", "initializeUploadRequest/owner", "owner is required")
    owner = check_author_urn(iur["owner"], "initializeUploadRequest/owner")
    act_as(st, req, owner, "w_organization_social", "w_member_social", IMAGE_ROLES, "images",
           "ACTION-initializeUpload")
    key = st.new_media_key()
    urn = "urn:li:image:" + key
    now = st.now_ms()
    expires = now + st.cfg["upload_url_ttl_seconds"] * 1000
    m = "AQ" + st.random_string(30)
    ut = st.random_string(28)
    upload_url = ("%s/dms-uploads/%s/uploaded-image/0?ca=vector_feedshare&cn=uploads&m=%s&app=%d&sync=0&v=beta&ut=%s"
                  % (req.base_url, key, m, 201094746, ut))
    st.images[urn] = {"id": urn, "key": key, "owner": owner, "status": "WAITING_UPLOAD", "createdAt": now,
                      "uploadUrl": upload_url, "uploadUrlExpiresAt": expires, "ready_at": None,
                      "bytes": None, "size": 0, "format": None, "width": 0, "height": 0, "failure": None,
                      "uploads": 0}
    st.uploads[key] = urn
    return Response(200, {"value": {"uploadUrlExpiresAt": expires, "uploadUrl": upload_url, "image": urn}})


def image_view(st, req, img):
    refresh_image(st, img)
    v = {"owner": img["owner"], "status": img["status"], "id": img["id"]}
    if img["status"] == "AVAILABLE":
        v["downloadUrlExpiresAt"] = st.now_ms() + 3_600_000
        v["downloadUrl"] = "%s/media/%s" % (req.base_url, img["key"])
    return v


def image_read_access(st, req, img):
    if not has_any_scope(req, ["r_organization_social", "w_organization_social", "rw_organization_admin",
                                "r_organization_admin", "r_member_social"]):
        # Images API: tokens with only w_member_social cannot GET rest/images.
        raise err(403, "ACCESS_DENIED", "Accessing this image resource is forbidden. "
                                        "Please check your permissions for this resource", 100)
    owner = img["owner"]
    if owner.startswith("urn:li:organization:"):
        if not st.roles_of(req.token["member"], owner):
            raise err(403, "ACCESS_DENIED", "Accessing this image resource is forbidden. "
                                            "Please check your permissions for this resource", 100)
    elif owner != req.token["member"]:
        raise err(403, "ACCESS_DENIED", "Accessing this image resource is forbidden. "
                                        "Please check your permissions for this resource", 100)


def get_image(st, req, key):
    check_method(req, "GET")
    img = st.images.get(key)
    if img is None:
        raise not_found("Image %s does not exist" % key)
    image_read_access(st, req, img)
    return Response(200, image_view(st, req, img))


def batch_get_images(st, req):
    check_method(req, "BATCH_GET")
    ids = req.param("ids", required=True)
    if not isinstance(ids, list):
        raise ApiError(400, {"status": 400, "message": "ids must be a Rest.li List(...)"})
    results, statuses, errors = {}, {}, {}
    for urn in ids:
        img = st.images.get(urn)
        if img is None:
            statuses[urn] = 404
            errors[urn] = {"status": 404, "message": "Image %s does not exist" % urn}
            continue
        try:
            image_read_access(st, req, img)
        except ApiError as e:
            statuses[urn] = 403
            errors[urn] = e.body
            continue
        results[urn] = image_view(st, req, img)
        statuses[urn] = 200
    return Response(200, {"results": results, "statuses": statuses, "errors": errors})


def upload_image_bytes(st, req, key):
    """PUT {uploadUrl}.  "The upload call requires a valid OAuth token in the
    'Authorization' header."  Success is 201 with an empty body."""
    urn = st.uploads.get(key)
    if urn is None:
        raise err(404, "NOT_FOUND", "Unknown upload URL")
    authenticate(st, req)
    img = st.images[urn]
    if st.now_ms() > img["uploadUrlExpiresAt"]:
        raise err(400, "EXPIRED_UPLOAD_URL", "The upload URL is expired")
    data = req.body or b""
    if not data:
        raise ApiError(400, {"status": 400, "message": "The upload body is empty"})
    fmt, w, h = image_info(data)
    failure = None
    if fmt is None:
        failure = "unsupported file format (JPG, GIF and PNG are supported)"
    elif w * h >= MAX_PIXELS:
        failure = "image has %d pixels; the limit is less than %d" % (w * h, MAX_PIXELS)
    import hashlib

    img.update({"bytes": data, "size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "format": fmt,
                "width": w, "height": h, "failure": failure, "status": "PROCESSING",
                "uploadedAt": st.now_ms(), "uploads": img["uploads"] + 1,
                "ready_at": st.now_ms() + int(st.cfg["image_processing_seconds"] * 1000)})
    refresh_image(st, img)
    return Response(201)


def download_image(st, req, key):
    urn = st.uploads.get(key)
    img = st.images.get(urn) if urn else None
    if img is None or refresh_image(st, img)["status"] != "AVAILABLE":
        raise err(404, "NOT_FOUND", "No such media")
    mime = {"PNG": "image/png", "GIF": "image/gif", "JPEG": "image/jpeg"}.get(img["format"], "application/octet-stream")
    return Response(200, raw=img["bytes"], content_type=mime)


# ---------------------------------------------------------------------------
# Comments, social actions, social metadata
# https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/comments-api
# https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/social-metadata-api
# ---------------------------------------------------------------------------

def comment_view(st, c):
    likes = sorted(c["likes"])
    stamp = {"actor": c["actor"]}
    if c["actor"].startswith("urn:li:organization:"):
        stamp["impersonator"] = c["agent"]  # the member who acted for the page
    v = {
        "actor": c["actor"],
        "commentUrn": c["urn"],
        "created": dict(stamp, time=c["created"]),
        "id": c["id"],
        "lastModified": dict(stamp, time=c["lastModified"]),
        "likesSummary": {"selectedLikes": ["urn:li:like:(%s,%s)" % (a, c["urn"]) for a in likes[:10]],
                         "aggregatedTotalLikes": len(likes), "likedByCurrentUser": False,
                         "totalLikes": len(likes)},
        "message": {"attributes": [], "text": c["text"]},
        "object": c["object"],
        "$URN": c["urn"],
    }
    if c["actor"].startswith("urn:li:organization:"):
        v["agent"] = c["agent"]
    if c["parent"]:
        v["parentComment"] = c["parent"]
    replies = [x for x in st.comments.values() if x["parent"] == c["urn"] and not x["deleted"]]
    if replies:
        v["commentsSummary"] = {"totalFirstLevelComments": len(replies), "aggregatedTotalComments": len(replies),
                                "selectedComments": [x["urn"] for x in replies[:10]]}
    return v


def resolve_target(st, key):
    """socialActions/{target}: a post (share, ugcPost, activity) or a comment URN."""
    kind, _ = urn_kind(key)
    if kind == "comment":
        for c in st.comments.values():
            if c["urn"] == key and not c["deleted"]:
                return find_post(st, c["post"]), c
        return None, None
    if kind in ("share", "ugcPost", "activity"):
        return find_post(st, key), None
    return None, None


def comments_read_access(st, req, post, method):
    author = post["author"]
    if author.startswith("urn:li:organization:"):
        require_scope(req, ["r_organization_social"], "socialActions", method)
        require_role(st, req, author, POSTING_ROLES, "socialActions", method)
    else:
        require_scope(req, ["r_member_social"], "socialActions", method)


def list_comments(st, req, key):
    check_method(req, "GET_ALL")
    post, parent = resolve_target(st, key)
    if post is None:
        raise not_found("%s does not exist" % key)
    comments_read_access(st, req, post, "comments.GET_ALL")
    start = int_param(req, "start", 0)
    count = int_param(req, "count", 10, 0, 100)
    want_parent = parent["urn"] if parent else None
    items = [c for c in st.comments.values()
             if c["post"] == post["id"] and not c["deleted"] and c["parent"] == want_parent]
    items.sort(key=lambda c: (c["created"], int(c["id"])))
    page = items[start:start + count]
    return Response(200, collection([comment_view(st, c) for c in page], start, count, len(items)))


def get_comment(st, req, key, comment_id):
    check_method(req, "GET")
    post, _ = resolve_target(st, key)
    c = st.comments.get(comment_id)
    if post is None or c is None or c["deleted"] or c["post"] != post["id"]:
        raise not_found("Comment %s does not exist" % comment_id)
    comments_read_access(st, req, post, "comments.GET")
    return Response(200, comment_view(st, c))


def new_comment(st, post, actor, agent, text, parent=None):
    now = st.now_ms()
    cid = str(st.new_id())
    urn = "urn:li:comment:(%s,%s)" % (post["activity"], cid)
    c = {"id": cid, "urn": urn, "post": post["id"], "object": post["activity"], "actor": actor, "agent": agent,
         "text": text, "created": now, "lastModified": now, "parent": parent, "deleted": False, "deletedAt": None,
         "deletedBy": None, "likes": []}
    st.comments[cid] = c
    st.events.append({"at": now, "post": post["id"], "metric": "commentCount", "delta": 1})
    return c


def create_comment(st, req, key):
    check_method(req, "CREATE")
    post, parent = resolve_target(st, key)
    if post is None:
        raise not_found("%s does not exist" % key)
    require_scope(req, ["w_organization_social", "w_member_social"], "socialActions", "comments.CREATE")
    body = req.json()
    for k in body:
        if k not in ("actor", "object", "message", "parentComment", "content", "agent"):
            raise restli_field_error("/" + k, "unrecognized field found but not allowed")
    for f in ("actor", "object", "message"):
        if f not in body:
            raise input_error(400, "MISSING_FIELD", f, "%s is required" % f)
    actor = check_author_urn(body["actor"], "actor")
    act_as(st, req, actor, "w_organization_social", "w_member_social", POSTING_ROLES, "socialActions",
           "comments.CREATE")
    obj = body["object"]
    if find_post(st, obj) is not post:
        raise input_error(400, "INVALID_VALUE_FOR_FIELD", "object",
                          "object %r does not match the post in the path (%s / %s)" % (obj, post["id"], post["activity"]))
    msg = body["message"]
    if not isinstance(msg, dict) or not isinstance(msg.get("text"), str) or not msg["text"].strip():
        raise input_error(400, "MISSING_FIELD", "message/text", "message.text is required")
    if len(msg["text"]) > MAX_COMMENT:
        raise input_error(400, "FIELD_LENGTH_TOO_LONG", "message/text",
                          "message.text is longer than %d characters" % MAX_COMMENT)
    want_parent = parent["urn"] if parent else None
    if "parentComment" in body and body["parentComment"] != want_parent:
        raise input_error(400, "INVALID_VALUE_FOR_FIELD", "parentComment",
                          "parentComment must be the comment URN in the path")
    if post["commentsState"] != "OPEN":
        raise err(403, "ACCESS_DENIED", "Comments are closed on %s" % post["id"], 100)
    c = new_comment(st, post, actor, req.token["member"], msg["text"], want_parent)
    return Response(201, comment_view(st, c), {"x-restli-id": c["id"]})


def delete_comment(st, req, key, comment_id):
    check_method(req, "DELETE")
    post, _ = resolve_target(st, key)
    c = st.comments.get(comment_id)
    if post is None or c is None or c["post"] != post["id"]:
        raise not_found("Comment %s does not exist" % comment_id)
    require_scope(req, ["w_organization_social", "w_member_social"], "socialActions", "comments.DELETE")
    actor = req.param("actor", required=True)
    check_author_urn(actor, "actor")
    act_as(st, req, actor, "w_organization_social", "w_member_social", POSTING_ROLES, "socialActions",
           "comments.DELETE")
    if c["actor"] != actor:
        # The Comments API documents deleting as the comment's actor; nothing documents a
        # page admin deleting other people's comments, and integrations report LinkedIn
        # refuses it.  The fake refuses too (README "Comments").
        raise err(403, "ACCESS_DENIED", "Actor %s cannot delete a comment made by %s" % (actor, c["actor"]), 100)
    if not c["deleted"]:
        c["deleted"] = True
        c["deletedAt"] = st.now_ms()
        c["deletedBy"] = actor
        st.events.append({"at": st.now_ms(), "post": post["id"], "metric": "commentCount", "delta": -1})
    return Response(204)


def social_actions_summary(st, req, key):
    check_method(req, "GET")
    post, parent = resolve_target(st, key)
    if post is None:
        raise not_found("%s does not exist" % key)
    comments_read_access(st, req, post, "GET")
    if parent:
        likes = sorted(parent["likes"])
        target = parent["urn"]
        comments = [c for c in st.comments.values() if c["parent"] == parent["urn"] and not c["deleted"]]
        top = comments
    else:
        likes = sorted(st.reactions.get(post["id"], {}))
        target = post["id"]
        comments = [c for c in st.comments.values() if c["post"] == post["id"] and not c["deleted"]]
        top = [c for c in comments if c["parent"] is None]
    return Response(200, {
        "likesSummary": {"selectedLikes": ["urn:li:like:(%s,%s)" % (a, target) for a in likes[:10]],
                         "aggregatedTotalLikes": len(likes), "likedByCurrentUser": req.token["member"] in likes,
                         "totalLikes": len(likes)},
        "commentsSummary": {"selectedComments": [c["urn"] for c in top[:10]],
                            "totalFirstLevelComments": len(top), "commentsState": post["commentsState"],
                            "aggregatedTotalComments": len(comments)},
        "target": target,
    })


def social_metadata(st, req, key):
    check_method(req, "GET")
    post, _ = resolve_target(st, key)
    if post is None:
        raise not_found("%s does not exist" % key)
    comments_read_access(st, req, post, "socialMetadata.GET")
    return Response(200, metadata_view(st, post))


def metadata_view(st, post):
    summaries = {}
    for actor, rtype in st.reactions.get(post["id"], {}).items():
        s = summaries.setdefault(rtype, {"reactionType": rtype, "count": 0})
        s["count"] += 1
    comments = [c for c in st.comments.values() if c["post"] == post["id"] and not c["deleted"]]
    return {"reactionSummaries": summaries, "commentsState": post["commentsState"],
            "commentSummary": {"count": len(comments), "topLevelCount": len([c for c in comments if not c["parent"]])},
            "entity": post["id"]}


def update_social_metadata(st, req, key):
    check_method(req, "PARTIAL_UPDATE", required=True)
    post, _ = resolve_target(st, key)
    if post is None:
        raise not_found("%s does not exist" % key)
    require_scope(req, ["w_organization_social", "w_member_social"], "socialMetadata", "PARTIAL_UPDATE")
    actor = req.param("actor", required=True)
    check_author_urn(actor, "actor")
    act_as(st, req, actor, "w_organization_social", "w_member_social", POSTING_ROLES, "socialMetadata",
           "PARTIAL_UPDATE")
    if actor != post["author"]:
        raise access_denied(req, "socialMetadata", "PARTIAL_UPDATE")
    body = req.json()
    sets = (body.get("patch") or {}).get("$set")
    if not isinstance(sets, dict) or set(sets) != {"commentsState"} or sets["commentsState"] not in ("OPEN", "CLOSED"):
        raise ApiError(400, {"status": 400, "message":
                             'The body is {"patch": {"$set": {"commentsState": "OPEN" | "CLOSED"}}}'})
    if sets["commentsState"] == "CLOSED" and post["commentsState"] != "CLOSED":
        # Closing a thread removes the comments on it (see README); they stay in /_fake/state.
        for c in st.comments.values():
            if c["post"] == post["id"] and not c["deleted"]:
                c["deleted"] = True
                c["deletedAt"] = st.now_ms()
                c["deletedBy"] = "commentsState=CLOSED"
                st.events.append({"at": st.now_ms(), "post": post["id"], "metric": "commentCount", "delta": -1})
    post["commentsState"] = sets["commentsState"]
    post["history"].append({"at": st.now_ms(), "action": "commentsState=" + sets["commentsState"],
                            "by": req.token["member"]})
    return Response(204)


# ---------------------------------------------------------------------------
# Organization: share statistics, network size, access control
# ---------------------------------------------------------------------------

METRICS = ["uniqueImpressionsCount", "shareCount", "engagement", "clickCount", "likeCount", "impressionCount",
           "commentCount"]


def stats_for(st, post_ids, start_ms, end_ms):
    tot = {m: 0 for m in METRICS if m != "engagement"}
    for e in st.events:
        if e["post"] in post_ids and start_ms <= e["at"] < end_ms and e["metric"] in tot:
            tot[e["metric"]] += e["delta"]
    out = dict(tot)
    engaged = tot["clickCount"] + tot["likeCount"] + tot["commentCount"] + tot["shareCount"]
    out["engagement"] = (engaged / tot["impressionCount"]) if tot["impressionCount"] else 0.0
    return out


def share_statistics(st, req):
    check_method(req, "FINDER")
    if req.param("q") != "organizationalEntity":
        raise ApiError(400, {"status": 400, "message": "q must be organizationalEntity"})
    require_scope(req, ["rw_organization_admin", "r_organization_admin"], "organizationalEntityShareStatistics",
                  "FINDER-organizationalEntity")
    for name in req.query:
        if name not in ("q", "organizationalEntity", "shares", "ugcPosts", "timeIntervals", "fields"):
            raise ApiError(400, {"status": 400, "message": "Query parameter %r is not recognized "
                                                           "(Rest.li 2.0 lists are shares=List(...))" % name})
    org = req.param("organizationalEntity", required=True)
    if org not in st.orgs:
        raise input_error(400, "INVALID_URN_ID", "organizationalEntity", "Unknown organization %s" % org)
    require_role(st, req, org, STATS_ROLES, "organizationalEntityShareStatistics", "FINDER-organizationalEntity")
    now = st.now_ms()
    window_start = now - 365 * DAY_MS  # "only within the past 12 months, using a rolling 12-month window"
    wanted = []
    for name, kind in (("shares", "share"), ("ugcPosts", "ugcPost")):
        val = req.param(name)
        if val is None:
            continue
        if not isinstance(val, list):
            raise ApiError(400, {"status": 400, "message": "%s must be a Rest.li List(...)" % name})
        for urn in val:
            if urn_kind(urn)[0] != kind:
                raise input_error(400, "INVALID_URN_TYPE", name, "%s holds %s URNs, got %s" % (name, kind, urn))
            wanted.append((kind, urn))
    ti = req.param("timeIntervals")
    buckets = [(window_start, now + 1, None)]
    if ti is not None:
        try:
            tr = ti["timeRange"]
            t0, t1 = int(tr["start"]), int(tr.get("end", now))
            gran = ti.get("timeGranularityType", "DAY")
        except (TypeError, KeyError, ValueError):
            raise ApiError(400, {"status": 400, "message": "timeIntervals must be "
                                 "(timeRange:(start:ms,end:ms),timeGranularityType:DAY|MONTH)"})
        if gran not in ("DAY", "MONTH"):
            raise ApiError(400, {"status": 400, "message": "timeGranularityType must be DAY or MONTH"})
        t0 = max(t0, window_start)
        buckets = []
        if gran == "DAY":
            cur = t0 - (t0 % DAY_MS)
            while cur < t1:
                buckets.append((cur, min(cur + DAY_MS, t1), True))
                cur += DAY_MS
        else:
            import datetime as _dt

            d = _dt.datetime.fromtimestamp(t0 / 1000, _dt.timezone.utc).replace(
                day=1, hour=0, minute=0, second=0, microsecond=0)
            while int(d.timestamp() * 1000) < t1:
                nd = d.replace(year=d.year + 1, month=1) if d.month == 12 else d.replace(month=d.month + 1)
                buckets.append((int(d.timestamp() * 1000), min(int(nd.timestamp() * 1000), t1), True))
                d = nd
    org_posts = {p["id"] for p in st.posts.values() if p["author"] == org}
    elements = []
    if wanted:
        for kind, urn in wanted:
            p = st.posts.get(urn)
            if p is None or p["author"] != org:
                continue
            for b0, b1, timed in buckets:
                s = stats_for(st, {urn}, b0, b1)
                if not any(s[m] for m in METRICS):
                    continue  # "Shares with no actions or impressions are not included."
                el = {"totalShareStatistics": s, kind: urn, "organizationalEntity": org}
                if timed:
                    el["timeRange"] = {"start": b0, "end": b1}
                elements.append(el)
    else:
        for b0, b1, timed in buckets:
            s = stats_for(st, org_posts, b0, b1)
            s["shareMentionsCount"] = 0  # no value when individual shares are requested
            s["commentMentionsCount"] = 0
            el = {"totalShareStatistics": s, "organizationalEntity": org}
            if timed:
                el["timeRange"] = {"start": b0, "end": b1}
            elements.append(el)
    return Response(200, {"paging": {"count": 10, "start": 0, "links": []}, "elements": elements})


def network_size(st, req, key):
    check_method(req, "GET")
    if not has_any_scope(req, ["r_organization_admin", "rw_organization_admin", "r_organization_social",
                               "w_organization_social"]):
        raise access_denied(req, "networkSizes", "GET")
    edge = req.param("edgeType", required=True)
    if edge != "COMPANY_FOLLOWED_BY_MEMBER":
        raise ApiError(400, {"status": 400, "message":
                             "Invalid edgeType %r; the versioned API takes COMPANY_FOLLOWED_BY_MEMBER" % edge})
    org = st.orgs.get(key)
    if org is None:
        raise not_found("%s does not exist" % key)
    return Response(200, {"firstDegreeSize": org["followers"]})


def organization_acls(st, req):
    check_method(req, "FINDER")
    require_scope(req, ["rw_organization_admin", "r_organization_admin"], "organizationAcls", "FINDER")
    q = req.param("q")
    role = req.param("role")
    state = req.param("state")
    if role is not None and role not in ROLES:
        raise ApiError(400, {"status": 400, "message": "Unknown role %r" % role})
    if q == "roleAssignee":
        rows = [a for a in st.acls if a["roleAssignee"] == req.token["member"]]
    elif q == "organization":
        org = req.param("organization", required=True)
        require_role(st, req, org, {"ADMINISTRATOR"}, "organizationAcls", "FINDER-organization")
        rows = [a for a in st.acls if a["organization"] == org]
    else:
        raise ApiError(400, {"status": 400, "message": "q must be roleAssignee or organization"})
    if role:
        rows = [a for a in rows if a["role"] == role]
    if state:
        rows = [a for a in rows if a["state"] == state]
    start = int_param(req, "start", 0)
    count = int_param(req, "count", 10, 0, 100)
    page = [dict(a) for a in rows[start:start + count]]
    return Response(200, collection(page, start, count, len(rows)))


def get_organization(st, req, key):
    check_method(req, "GET")
    require_scope(req, ["rw_organization_admin", "r_organization_admin"], "organizations", "GET")
    org_urn = "urn:li:organization:%s" % key
    org = st.orgs.get(org_urn)
    if org is None:
        raise not_found("Organization %s does not exist" % key)
    return Response(200, {"id": org["id"], "localizedName": org["name"], "vanityName": org["vanityName"],
                          "$URN": org_urn})


# ---------------------------------------------------------------------------
# OAuth on www.linkedin.com (served on the same base URL by the fake)
# ---------------------------------------------------------------------------

def form(req):
    try:
        data = parse_qs((req.body or b"").decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        data = {}
    return {k: v[-1] for k, v in data.items()}


def oauth_error(status, error, description):
    return ApiError(status, {"error": error, "error_description": description})


def introspect_token(st, req):
    """https://learn.microsoft.com/en-us/linkedin/shared/authentication/token-introspection"""
    f = form(req)
    for k in ("client_id", "client_secret", "token"):
        if not f.get(k):
            raise oauth_error(400, "invalid_request", "A required parameter \"%s\" is missing" % k)
    if f["client_id"] != st.client_id:
        raise oauth_error(400, "invalid_request", "Invalid client id or token")  # "400 Invalid client id or token"
    if f["client_secret"] != st.client_secret:
        raise oauth_error(401, "invalid_client", "Client authentication failed")  # "401 Invalid client secret"
    t = st.tokens.get(f["token"])
    if t is None:
        raise oauth_error(400, "invalid_request", "Invalid client id or token")
    if t["client_id"] != st.client_id:
        return Response(200, {"active": False})
    status = st.token_status(t)
    return Response(200, {
        "active": status == "active",
        "client_id": t["client_id"],
        "authorized_at": t["authorized_at"],
        "created_at": t["created_at"],
        "status": status,
        "expires_at": t["expires_at"],
        "scope": ",".join(t["scopes"]),
        "auth_type": "3L",
    })


def access_token(st, req):
    """grant_type=refresh_token only (programmatic-refresh-tokens doc)."""
    f = form(req)
    if f.get("grant_type") != "refresh_token":
        raise oauth_error(400, "unsupported_grant_type", "The fake only serves grant_type=refresh_token")
    for k in ("refresh_token", "client_id", "client_secret"):
        if not f.get(k):
            raise oauth_error(400, "invalid_request", "A required parameter \"%s\" is missing" % k)
    if f["client_id"] != st.client_id or f["client_secret"] != st.client_secret:
        raise oauth_error(401, "invalid_client", "Client authentication failed")
    rt = st.refresh_tokens.get(f["refresh_token"])
    if rt is None or rt["revoked"] or st.now_s() >= rt["expires_at"]:
        raise oauth_error(400, "invalid_request",
                          "The provided authorization grant or refresh token is invalid, expired or revoked")
    new = st.add_token(None, rt["member"], rt["scopes"], expires_in=ACCESS_TOKEN_TTL, name="refreshed")
    # The refresh token keeps its original time to live.
    return Response(200, {"access_token": new["token"], "expires_in": ACCESS_TOKEN_TTL,
                          "refresh_token": rt["refresh_token"],
                          "refresh_token_expires_in": max(0, rt["expires_at"] - st.now_s()),
                          "scope": ",".join(rt["scopes"])})
