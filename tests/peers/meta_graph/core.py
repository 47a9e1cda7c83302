"""The machinery the three Meta fakes share: HTTP serving, request parsing, versions, access
tokens, the Graph API error envelope, rate-limit headers and throttling, the fake clock and the
`/_fake/` control API. Each platform (facebook/, instagram/, threads/) subclasses `GraphApp` and
adds its own routes. Standard library only.

Everything here follows the Graph API documentation where it says something; where it is silent
the choice is written down in the README of each platform.
"""

from __future__ import annotations

import argparse
import base64
import email.parser
import email.policy
import hashlib
import hmac
import json
import random
import re
import secrets
import sys
import threading
import time
import traceback
import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

VERSION_RE = re.compile(r"^v(\d+)\.(\d+)$")


def log(*parts) -> None:
    print(*parts, file=sys.stderr, flush=True)


def parse_version(v: str) -> tuple[int, int] | None:
    m = VERSION_RE.match(v or "")
    return (int(m.group(1)), int(m.group(2))) if m else None


def graph_time(ts: float) -> str:
    """Graph API timestamps: ISO 8601 in UTC with a +0000 offset, e.g. 2019-01-02T18:31:28+0000."""
    return datetime.fromtimestamp(int(ts), timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+0000")


def pst_time(ts: float) -> str:
    """The wording of the expired-session message: 'Tuesday, 10-Dec-19 04:00:00 PST'."""
    d = datetime.fromtimestamp(int(ts), timezone(timedelta(hours=-8)))
    return d.strftime("%A, %d-%b-%y %H:%M:%S PST")


def parse_time_param(value, name: str) -> float:
    """`since`/`until`: a UNIX timestamp or a date/datetime string (the real API takes anything
    PHP's strtotime() takes; the fake takes integers and ISO 8601)."""
    s = str(value).strip()
    if re.fullmatch(r"-?\d+", s):
        return float(int(s))
    try:
        t = s.replace("Z", "+00:00")
        if re.fullmatch(r".*[+-]\d{4}$", t):
            t = t[:-2] + ":" + t[-2:]
        d = datetime.fromisoformat(t)
        if d.tzinfo is None:
            d = d.replace(tzinfo=timezone.utc)
        return d.timestamp()
    except ValueError:
        raise GraphError(100, f"(#100) The parameter {name} is not a valid time: {s}")


# ---------------------------------------------------------------------------------------------
# Errors


class GraphError(Exception):
    """One Graph API error answer: {"error": {"message", "type", "code", "error_subcode",
    "fbtrace_id", ...}} (https://developers.facebook.com/docs/graph-api/guides/error-handling)."""

    def __init__(self, code: int, message: str, *, status: int | None = None,
                 type: str = "OAuthException", subcode: int | None = None,
                 user_title: str | None = None, user_msg: str | None = None,
                 is_transient: bool | None = None, www_kind: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.type = type
        self.subcode = subcode
        self.user_title = user_title
        self.user_msg = user_msg
        self.is_transient = is_transient
        if status is None:
            status = 403 if (code == 10 or 200 <= code <= 299) else 400
        self.status = status
        self.www_kind = www_kind or ("invalid_token" if code == 190 else "invalid_request")

    def payload(self, trace_id: str) -> dict:
        e = {"message": self.message, "type": self.type, "code": self.code}
        if self.subcode is not None:
            e["error_subcode"] = self.subcode
        if self.is_transient is not None:
            e["is_transient"] = self.is_transient
        if self.user_title is not None:
            e["error_user_title"] = self.user_title
        if self.user_msg is not None:
            e["error_user_msg"] = self.user_msg
        e["fbtrace_id"] = trace_id
        return {"error": e}


def err_param_required(name: str) -> GraphError:
    return GraphError(100, f"(#100) The parameter {name} is required")


def err_no_object(method: str, object_id: str) -> GraphError:
    verb = {"GET": "get", "POST": "post", "DELETE": "delete"}.get(method, method.lower())
    return GraphError(
        100,
        f"Unsupported {verb} request. Object with ID '{object_id}' does not exist, cannot be "
        "loaded due to missing permissions, or does not support this operation. Please read the "
        "Graph API documentation at https://developers.facebook.com/docs/graph-api",
        type="GraphMethodException", subcode=33)


def err_unknown_path(rest: str) -> GraphError:
    return GraphError(2500, f"Unknown path components: {rest}")


def err_nonexisting_field(field_name: str, node_type: str) -> GraphError:
    return GraphError(100, f"(#100) Tried accessing nonexisting field ({field_name}) on node type ({node_type})")


def err_no_permission() -> GraphError:
    return GraphError(10, "(#10) Application does not have permission for this action")


# ---------------------------------------------------------------------------------------------
# Clock, ids, tokens, buckets


class Clock:
    """Real time plus an offset that `/_fake/clock` moves forward."""

    def __init__(self):
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset


class IdGen:
    """Numeric ids of the platform's shape (Graph ids are decimal strings)."""

    def __init__(self, seed: int | None = None):
        self.rng = random.Random(seed)
        self.used: set[str] = set()

    def numeric(self, prefix: str, length: int) -> str:
        while True:
            rest = "".join(self.rng.choice("0123456789") for _ in range(length - len(prefix)))
            v = prefix + rest
            if v not in self.used:
                self.used.add(v)
                return v


@dataclass
class Token:
    value: str
    kind: str                      # USER, PAGE, APP, SYSTEM_USER
    app_id: str
    user_id: str | None = None     # the person (or Threads/IG user) the token is for
    profile_id: str | None = None  # the Page of a Page token
    scopes: list = field(default_factory=list)
    declined: list = field(default_factory=list)
    issued_at: float = 0.0
    expires_at: float = 0.0        # 0: never
    data_access_expires_at: float = 0.0
    invalid: str | None = None     # None | expired | password_changed | revoked
    label: str = ""
    long_lived: bool = True

    def public(self) -> dict:
        return {
            "access_token": self.value, "type": self.kind, "app_id": self.app_id,
            "user_id": self.user_id, "profile_id": self.profile_id, "scopes": list(self.scopes),
            "declined": list(self.declined), "issued_at": int(self.issued_at),
            "expires_at": int(self.expires_at),
            "data_access_expires_at": int(self.data_access_expires_at),
            "invalid": self.invalid, "label": self.label, "long_lived": self.long_lived,
        }


@dataclass
class Bucket:
    """A rate-limit counter over a fixed window, reported as a percentage in the usage headers."""
    name: str
    kind: str          # app | user | pages | instagram | threads
    limit: int
    window: float      # seconds
    used: int = 0
    start: float = 0.0
    throttle_code: int | None = None  # override of the error code while exhausted (32, 613, ...)

    def roll(self, now: float) -> None:
        if now - self.start >= self.window:
            self.start = now
            self.used = 0
            self.throttle_code = None

    def pct(self) -> int:
        return min(100, (self.used * 100) // max(1, self.limit))

    def regain_minutes(self, now: float) -> int:
        if self.used < self.limit:
            return 0
        return max(1, int((self.start + self.window - now + 59) // 60))


THROTTLE = {
    "app": (4, "(#4) Application request limit reached"),
    "user": (17, "(#17) User request limit reached"),
    "pages": (80001, "(#80001) There have been too many calls to this Page account. Wait a bit and try "
              "again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting."),
    "instagram": (80002, "(#80002) There have been too many calls to this Instagram account. Wait a bit and "
                  "try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting."),
    32: (32, "(#32) Page request limit reached"),
    613: (613, "(#613) Calls to this api have exceeded the rate limit."),
}


# ---------------------------------------------------------------------------------------------
# Requests


class Params(dict):
    """Query string and body parameters merged (the Graph API reads both)."""

    def str(self, name: str, required: bool = False):
        v = self.get(name)
        if v is None or (isinstance(v, str) and v == "" and required):
            if required:
                raise err_param_required(name)
            return None
        if isinstance(v, (dict, list)):
            return json.dumps(v)
        if isinstance(v, bool):
            return "true" if v else "false"
        return str(v)

    def bool(self, name: str, default=None):
        v = self.get(name)
        if v is None:
            return default
        if isinstance(v, bool):
            return v
        s = str(v).strip().lower()
        if s in ("true", "1"):
            return True
        if s in ("false", "0"):
            return False
        raise GraphError(100, f"(#100) Param {name} must be a boolean")

    def int(self, name: str, default=None):
        v = self.get(name)
        if v is None or v == "":
            return default
        try:
            return int(str(v))
        except ValueError:
            raise GraphError(100, f"(#100) Param {name} must be an integer")

    def list(self, name: str):
        """A list parameter: a JSON array, a comma-separated string, or name[0], name[1], ..."""
        v = self.get(name)
        if v is None:
            indexed = sorted(((int(m.group(1)), k) for k in self
                              if (m := re.fullmatch(re.escape(name) + r"\[(\d+)\]", k))))
            if not indexed:
                return None
            return [self[k] for _, k in indexed]
        if isinstance(v, list):
            return v
        s = str(v).strip()
        if s.startswith("["):
            try:
                parsed = json.loads(s)
                if isinstance(parsed, list):
                    return parsed
            except json.JSONDecodeError:
                pass
        return [x.strip() for x in s.split(",") if x.strip()]


@dataclass
class Request:
    method: str
    path: str
    segments: list
    version: str               # the version that serves the call
    asked_version: str | None  # what the path said (None: unversioned)
    params: Params
    files: dict                # name -> (filename, content_type, bytes)
    headers: dict              # lower-cased names
    token_value: str | None
    base_url: str
    raw_query: dict
    trace_id: str
    token: Token | None = None


def parse_body(ctype: str, body: bytes):
    """Returns (params, files) for form, JSON and multipart bodies."""
    params: dict = {}
    files: dict = {}
    if not body:
        return params, files
    main = (ctype or "").split(";")[0].strip().lower()
    if main == "application/json":
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise GraphError(100, "(#100) The request body is not valid JSON")
        if not isinstance(data, dict):
            raise GraphError(100, "(#100) The request body must be a JSON object")
        params.update(data)
    elif main == "multipart/form-data":
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + ctype.encode("latin-1") + b"\r\nMIME-Version: 1.0\r\n\r\n" + body)
        if not msg.is_multipart():
            raise GraphError(100, "(#100) Could not parse the multipart body")
        for part in msg.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not name:
                continue
            filename = part.get_filename()
            payload = part.get_payload(decode=True) or b""
            if filename is not None:
                files[name] = (filename, part.get_content_type(), payload)
            else:
                charset = part.get_content_charset() or "utf-8"
                params[name] = payload.decode(charset, "replace")
    else:
        # application/x-www-form-urlencoded, and what curl sends without a type
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise GraphError(100, "(#100) The request body is not valid UTF-8")
        for k, v in urllib.parse.parse_qsl(text, keep_blank_values=True):
            params[k] = v
    return params, files


# ---------------------------------------------------------------------------------------------
# Field selection: fields=id,message,comments.summary(true).limit(0){message},insights.metric(a,b)


@dataclass
class FieldSpec:
    name: str
    mods: dict
    sub: list | None


def parse_fields(s: str | None) -> list | None:
    if s is None:
        return None
    pos = 0

    def parse_list(end_char):
        nonlocal pos
        out = []
        while pos < len(s):
            while pos < len(s) and s[pos] in " \n\t":
                pos += 1
            if pos < len(s) and s[pos] == end_char:
                break
            m = re.compile(r"[A-Za-z0-9_]+").match(s, pos)
            if not m:
                raise GraphError(2500, f"Syntax error \"Expected name.\" at character {pos}: {s}")
            name = m.group(0)
            pos = m.end()
            mods, sub = {}, None
            while pos < len(s) and s[pos] in ".{":
                if s[pos] == ".":
                    m2 = re.compile(r"\.([A-Za-z_]+)\(([^)]*)\)").match(s, pos)
                    if not m2:
                        raise GraphError(2500, f"Syntax error \"Expected modifier.\" at character {pos}: {s}")
                    mods[m2.group(1)] = m2.group(2)
                    pos = m2.end()
                else:
                    pos += 1
                    sub = parse_list("}")
                    if pos >= len(s) or s[pos] != "}":
                        raise GraphError(2500, f"Syntax error \"Expected end of string instead of \"{{\".\" at character {pos}: {s}")
                    pos += 1
            out.append(FieldSpec(name, mods, sub))
            while pos < len(s) and s[pos] == " ":
                pos += 1
            if pos < len(s) and s[pos] == ",":
                pos += 1
                continue
            break
        return out

    result = parse_list(None)
    if pos != len(s):
        raise GraphError(2500, f"Syntax error \"Expected end of string instead of \"{s[pos]}\".\" at character {pos}: {s}")
    return [f for f in result if f.name]


def select_fields(node_type: str, values: dict, specs: list | None, default: list,
                  known: set, expand=None) -> dict:
    """Builds a node answer. `values` holds what the node has; a requested field the node type
    does not have is an error, a known field without a value is left out (as the Graph API does).
    `expand(spec)` answers edges and computed fields (comments, reactions, insights, ...)."""
    if specs is None:
        specs = [FieldSpec(n, {}, None) for n in default]
    out = {}
    for spec in specs:
        if spec.name not in known:
            raise err_nonexisting_field(spec.name, node_type)
        if expand is not None:
            handled, value = expand(spec)
            if handled:
                if value is not None:
                    out[spec.name] = value
                continue
        if spec.name in values and values[spec.name] is not None:
            out[spec.name] = values[spec.name]
    if "id" in values and "id" not in out and specs is not None:
        out["id"] = values["id"]
    return out


def paginate(req: Request, items: list, key=lambda x: x["id"], default_limit: int = 25,
             max_limit: int = 100):
    """Cursor paging: returns (slice, paging). Cursors are opaque (base64 of an id)."""
    limit = req.params.int("limit", default_limit)
    if limit is None or limit <= 0:
        limit = default_limit
    limit = min(limit, max_limit)
    after = req.params.str("after")
    before = req.params.str("before")
    if after and before:
        raise GraphError(100, "(#100) Both before and after parameters cannot be passed at the same time")
    ids = [key(x) for x in items]

    def decode(c):
        try:
            return base64.urlsafe_b64decode(c + "=" * (-len(c) % 4)).decode()
        except Exception:
            raise GraphError(100, "(#100) Invalid cursor")

    start = 0
    end = None
    if after:
        aid = decode(after)
        start = ids.index(aid) + 1 if aid in ids else len(ids)
    elif before:
        bid = decode(before)
        end = ids.index(bid) if bid in ids else 0
        start = max(0, end - limit)
    chunk = items[start:(end if end is not None else start + limit)]
    paging = {}
    if chunk:
        enc = lambda v: base64.urlsafe_b64encode(v.encode()).decode().rstrip("=")
        paging["cursors"] = {"before": enc(key(chunk[0])), "after": enc(key(chunk[-1]))}
        nxt = start + len(chunk)
        q = dict(req.raw_query)
        q.pop("before", None)
        if nxt < len(items):
            q["after"] = paging["cursors"]["after"]
            q["limit"] = str(limit)
            paging["next"] = f"{req.base_url}/{req.version}/{'/'.join(req.segments)}?{urllib.parse.urlencode(q)}"
        if start > 0:
            q2 = dict(req.raw_query)
            q2.pop("after", None)
            q2["before"] = paging["cursors"]["before"]
            q2["limit"] = str(limit)
            paging["previous"] = f"{req.base_url}/{req.version}/{'/'.join(req.segments)}?{urllib.parse.urlencode(q2)}"
    return chunk, paging


# ---------------------------------------------------------------------------------------------
# The application base


class GraphApp:
    """One fake platform. Subclasses set the class attributes and implement `route`."""

    platform = "graph"
    versions = ("v21.0", "v25.0")        # (oldest usable, latest); seedable
    usage_headers = True                 # X-App-Usage / X-Business-Use-Case-Usage
    app_name = "budkavle-test"

    def __init__(self, seed: dict):
        self.seed = seed
        self.lock = threading.RLock()
        self.clock = Clock()
        self.ids = IdGen(seed.get("random_seed"))
        self.tokens: dict[str, Token] = {}
        self.buckets: dict[str, Bucket] = {}
        self.config = {
            "container_delay": float(seed.get("container_delay", 1.0)),
            "fetch_errors": seed.get("fetch_errors", "async"),
            "blocked": bool(seed.get("blocked", False)),
            "require_appsecret_proof": bool(seed.get("require_appsecret_proof", False)),
            "fetch_timeout": float(seed.get("fetch_timeout", 10.0)),
        }
        if "versions" in seed:
            self.versions = (seed["versions"]["oldest"], seed["versions"]["latest"])
        self.app_id = str(seed.get("app_id") or self.ids.numeric("1", 16))
        self.app_secret = seed.get("app_secret") or secrets.token_hex(16)
        self.requests_log: list = []
        self.pending_threads: list[threading.Thread] = []
        self.base_url = ""

    # -- tokens ---------------------------------------------------------------------------

    def token_prefix(self) -> str:
        return "EAA"

    def new_token_value(self) -> str:
        return self.token_prefix() + secrets.token_urlsafe(48).replace("-", "A").replace("_", "Z")

    def add_token(self, *, kind: str, user_id=None, profile_id=None, scopes=(), declined=(),
                  expires_in=None, expires_at=None, invalid=None, label="", value=None,
                  long_lived=True, data_access_expires_in=None) -> Token:
        now = self.clock.now()
        if expires_at is None:
            expires_at = 0.0 if expires_in in (None, 0) else now + float(expires_in)
        if data_access_expires_in is None:
            dae = now + 90 * 86400
        else:
            dae = now + float(data_access_expires_in)
        t = Token(value=value or self.new_token_value(), kind=kind, app_id=self.app_id,
                  user_id=user_id, profile_id=profile_id, scopes=list(scopes),
                  declined=list(declined), issued_at=now, expires_at=float(expires_at),
                  data_access_expires_at=dae, invalid=invalid, label=label,
                  long_lived=long_lived)
        self.tokens[t.value] = t
        return t

    def app_token_value(self) -> str:
        return f"{self.app_id}|{self.app_secret}"

    def token_problem(self, t: Token | None, raw: str | None) -> GraphError | None:
        """What is wrong with a token, as the API words it (None: nothing)."""
        now = self.clock.now()
        if t is None:
            if raw == self.app_token_value():
                return None
            return GraphError(190, "Invalid OAuth access token - Cannot parse access token")
        if t.invalid == "password_changed":
            return GraphError(190, "Error validating access token: The session has been invalidated "
                              "because the user changed their password or Facebook has changed the "
                              "session for security reasons.", subcode=460)
        if t.invalid == "revoked":
            return GraphError(190, f"Error validating access token: The user has not authorized application {self.app_id}.",
                              subcode=458)
        if t.invalid == "expired" or (t.expires_at and t.expires_at <= now):
            when = t.expires_at if t.expires_at else now - 1
            return GraphError(190, f"Error validating access token: Session has expired on {pst_time(when)}. "
                              f"The current time is {pst_time(now)}.", subcode=463)
        return None

    def app_token(self) -> Token:
        return Token(value=self.app_token_value(), kind="APP", app_id=self.app_id,
                     scopes=[], issued_at=0, expires_at=0)

    def authenticate(self, req: Request, *, missing=None) -> Token:
        """Checks the token of a call and counts it against the rate limits."""
        raw = req.token_value
        if not raw:
            raise missing or GraphError(104, "An access token is required to request this resource.")
        t = self.tokens.get(raw)
        problem = self.token_problem(t, raw)
        if problem:
            raise problem
        if t is None:
            t = self.app_token()
        self.check_appsecret_proof(req, raw)
        req.token = t
        self.count_call(req, t)
        return t

    def check_appsecret_proof(self, req: Request, raw: str) -> None:
        proof = req.params.str("appsecret_proof")
        if proof is None:
            if self.config["require_appsecret_proof"] and "|" not in raw:
                raise GraphError(100, "API calls from the server require an appsecret_proof argument",
                                 type="GraphMethodException")
            return
        want = hmac.new(self.app_secret.encode(), raw.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(want, proof.lower()):
            raise GraphError(100, "Invalid appsecret_proof provided in the API argument",
                             type="GraphMethodException")

    @staticmethod
    def need_scopes(t: Token, scopes, error: GraphError | None = None) -> None:
        if t.kind == "APP":
            raise error or err_no_permission()
        missing = [s for s in scopes if s not in t.scopes]
        if missing:
            raise error or err_no_permission()

    # -- rate limits ----------------------------------------------------------------------

    def bucket(self, name: str, kind: str, limit: int, window: float) -> Bucket:
        b = self.buckets.get(name)
        if b is None:
            b = Bucket(name=name, kind=kind, limit=limit, window=window, start=self.clock.now())
            self.buckets[name] = b
        return b

    def buckets_for(self, req: Request, t: Token) -> list[Bucket]:
        """Which counters a call is counted against; subclasses add BUC buckets."""
        lim = self.seed.get("limits", {})
        return [self.bucket(f"app:{self.app_id}", "app", int(lim.get("app", 20000)), 3600.0)]

    def count_call(self, req: Request, t: Token) -> None:
        now = self.clock.now()
        buckets = self.buckets_for(req, t)
        for b in buckets:
            b.roll(now)
        for b in buckets:
            if b.used >= b.limit:
                req.usage = buckets  # type: ignore[attr-defined]
                key = b.throttle_code if b.throttle_code in THROTTLE else b.kind
                code, msg = THROTTLE.get(key, THROTTLE["app"])
                raise GraphError(code, msg, is_transient=True)
        for b in buckets:
            b.used += 1
        req.usage = buckets  # type: ignore[attr-defined]

    def usage_header_values(self, req: Request) -> dict:
        out = {}
        buckets = getattr(req, "usage", None)
        if not buckets or not self.usage_headers:
            return out
        now = self.clock.now()
        buc = {}
        platform = [b.pct() for b in buckets if b.kind in ("app", "user")]
        if platform:
            # one header for the app and the user limits: the one closer to its limit
            pct = max(platform)
            out["X-App-Usage"] = json.dumps({"call_count": pct, "total_cputime": pct // 4, "total_time": pct // 4})
        for b in buckets:
            pct = b.pct()
            if b.kind in ("app", "user"):
                continue
            else:
                obj = b.name.split(":", 1)[1]
                buc.setdefault(obj, []).append({
                    "type": b.kind, "call_count": pct, "total_cputime": pct // 4,
                    "total_time": pct // 4, "estimated_time_to_regain_access": b.regain_minutes(now)})
        if buc:
            out["X-Business-Use-Case-Usage"] = json.dumps(buc)
        return out

    # -- dispatch -------------------------------------------------------------------------

    def trace_id(self) -> str:
        return base64.urlsafe_b64encode(secrets.token_bytes(15)).decode().rstrip("=")[:23]

    def handle(self, method: str, target: str, headers: dict, body: bytes):
        """Returns (status, headers, body bytes)."""
        url = urllib.parse.urlsplit(target)
        path = urllib.parse.unquote(url.path)
        raw_query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        trace = self.trace_id()
        resp_headers = {"x-fb-trace-id": trace, "x-fb-rev": "1000000000"}
        if path.startswith("/_fake/") or path == "/_fake":
            try:
                with self.lock:
                    status, payload = self.control(method, path, raw_query, headers, body)
            except GraphError as e:
                status, payload = e.status, e.payload(trace)
            except (ValueError, KeyError, TypeError) as e:
                status, payload = 400, {"error": f"bad control request: {e}"}
            return self.json_response(status, payload, resp_headers)
        req = None
        try:
            params = Params(raw_query)
            body_params, files = parse_body(headers.get("content-type", ""), body)
            params.update(body_params)
            segments = [s for s in path.split("/") if s != ""]
            asked = None
            oldest, latest = self.versions
            version = latest
            if segments and parse_version(segments[0]):
                asked = segments.pop(0)
                pv = parse_version(asked)
                if pv > parse_version(latest):
                    # a version that does not exist yet: the rest of the path is not understood
                    raise err_unknown_path("/" + "/".join(segments))
                version = asked if pv >= parse_version(oldest) else oldest
            resp_headers["facebook-api-version"] = version
            override = params.get("method")
            if isinstance(override, str) and override.upper() in ("GET", "POST", "DELETE") and method in ("GET", "POST"):
                method = override.upper()
            token_value = params.get("access_token")
            auth = headers.get("authorization", "")
            if not token_value and auth:
                m = re.match(r"^\s*(Bearer|OAuth)\s+(\S+)\s*$", auth, re.I)
                if m:
                    token_value = m.group(2)
            req = Request(method=method, path=path, segments=segments, version=version,
                          asked_version=asked, params=params, files=files, headers=headers,
                          token_value=str(token_value) if token_value else None,
                          base_url=self.base_url, raw_query=raw_query, trace_id=trace)
            with self.lock:
                result = self.route(req)
            status, payload = (200, result) if not isinstance(result, tuple) else result
            resp_headers.update(self.usage_header_values(req))
            self.note(method, path, status)
            return self.json_response(status, payload, resp_headers)
        except GraphError as e:
            if req is not None:
                resp_headers.update(self.usage_header_values(req))
            resp_headers["WWW-Authenticate"] = f'OAuth "Facebook Platform" "{e.www_kind}" "{e.message}"'
            self.note(method, path, e.status, e.code)
            return self.json_response(e.status, e.payload(trace), resp_headers)
        except Exception:
            log(traceback.format_exc())
            e = GraphError(1, "An unknown error has occurred.", status=500)
            return self.json_response(500, e.payload(trace), resp_headers)

    def note(self, method, path, status, code=None):
        self.requests_log.append({"t": round(self.clock.now(), 3), "method": method, "path": path,
                                  "status": status, "code": code})
        if len(self.requests_log) > 2000:
            del self.requests_log[:1000]

    @staticmethod
    def json_response(status: int, payload, headers: dict):
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        h = {"Content-Type": "application/json; charset=UTF-8", **headers}
        return status, h, body

    def route(self, req: Request):
        raise NotImplementedError

    # -- shared Graph endpoints -----------------------------------------------------------

    def debug_token(self, req: Request, token_type_of=None) -> dict:
        """GET /debug_token?input_token=... (https://developers.facebook.com/docs/graph-api/reference/debug_token)."""
        self.authenticate(req)
        raw = req.params.str("input_token")
        if not raw:
            raise err_param_required("input_token")
        t = self.tokens.get(raw)
        if t is None:
            if raw == self.app_token_value():
                return {"data": {"app_id": self.app_id, "type": "APP", "application": self.app_name,
                                 "is_valid": True, "scopes": []}}
            return {"data": {"error": {"code": 190, "message": "Invalid OAuth access token."},
                             "is_valid": False, "scopes": []}}
        problem = self.token_problem(t, raw)
        d = {"app_id": t.app_id, "type": t.kind, "application": self.app_name,
             "data_access_expires_at": int(t.data_access_expires_at),
             "expires_at": int(t.expires_at), "is_valid": problem is None,
             "issued_at": int(t.issued_at)}
        if t.profile_id:
            d["profile_id"] = t.profile_id
        d["scopes"] = list(t.scopes)
        gs = self.granular_scopes(t)
        if gs is not None:
            d["granular_scopes"] = gs
        if t.user_id:
            d["user_id"] = t.user_id
        if problem is not None:
            e = {"code": problem.code, "message": problem.message}
            if problem.subcode:
                e["subcode"] = problem.subcode
            d["error"] = e
        return {"data": d}

    def granular_scopes(self, t: Token):
        return [{"scope": s} for s in t.scopes]

    # -- control API ----------------------------------------------------------------------

    def control(self, method, path, query, headers, body):
        data = {}
        if body:
            data = json.loads(body.decode("utf-8"))
        data.update({k: v for k, v in query.items() if k not in data})
        name = path[len("/_fake/"):].strip("/")
        if name == "state" and method == "GET":
            return 200, self.state()
        if name == "tokens" and method == "GET":
            return 200, {"tokens": [t.public() for t in self.tokens.values()],
                         "app_token": self.app_token_value()}
        if name == "tokens" and method == "POST":
            return 200, self.control_token(data)
        if name == "quota" and method == "POST":
            return 200, self.control_quota(data)
        if name == "clock" and method == "POST":
            return 200, self.control_clock(data)
        if name == "config" and method == "POST":
            for k in ("container_delay", "fetch_timeout"):
                if k in data:
                    self.config[k] = float(data[k])
            for k in ("blocked", "require_appsecret_proof"):
                if k in data:
                    self.config[k] = bool(data[k])
            if "fetch_errors" in data:
                if data["fetch_errors"] not in ("async", "sync"):
                    raise ValueError("fetch_errors is async or sync")
                self.config["fetch_errors"] = data["fetch_errors"]
            return 200, {"config": self.config}
        if name == "engage" and method == "POST":
            return 200, self.control_engage(data)
        if name == "requests" and method == "GET":
            return 200, {"requests": self.requests_log}
        return 404, {"error": f"no control endpoint {method} /_fake/{name}"}

    def control_token(self, data: dict) -> dict:
        if data.get("token") and data["token"] in self.tokens:
            t = self.tokens[data["token"]]
            if "invalidate" in data:
                t.invalid = data["invalidate"] or None
            if "scopes" in data:
                t.scopes = list(data["scopes"])
            if "expires_in" in data:
                t.expires_at = 0.0 if not data["expires_in"] else self.clock.now() + float(data["expires_in"])
            return t.public()
        t = self.make_token_from_control(data)
        return t.public()

    def make_token_from_control(self, data: dict) -> Token:
        raise NotImplementedError

    def control_quota(self, data: dict) -> dict:
        name = data.get("bucket", "app")
        b = self.resolve_bucket(name)
        now = self.clock.now()
        b.roll(now)
        if "limit" in data:
            b.limit = int(data["limit"])
        if "remaining" in data:
            b.used = max(0, b.limit - int(data["remaining"]))
        if "regain_seconds" in data:
            b.start = now - b.window + float(data["regain_seconds"])
        if "code" in data:
            b.throttle_code = int(data["code"]) if data["code"] else None
        return {"bucket": b.name, "kind": b.kind, "limit": b.limit, "used": b.used,
                "window": b.window, "resets_in": round(b.start + b.window - now, 3)}

    def resolve_bucket(self, name: str) -> Bucket:
        lim = self.seed.get("limits", {})
        if name == "app":
            return self.bucket(f"app:{self.app_id}", "app", int(lim.get("app", 20000)), 3600.0)
        if name in self.buckets:
            return self.buckets[name]
        raise ValueError(f"unknown bucket {name}; known: app, " + ", ".join(sorted(self.buckets)))

    def control_clock(self, data: dict) -> dict:
        # wait for image fetches under way, so a test that advances the clock sees their result
        for th in list(self.pending_threads):
            self.lock.release()
            try:
                th.join(timeout=self.config["fetch_timeout"] + 1)
            finally:
                self.lock.acquire()
        self.pending_threads = [t for t in self.pending_threads if t.is_alive()]
        self.clock.offset += float(data.get("advance", 0))
        self.on_clock()
        return {"now": self.clock.now(), "iso": graph_time(self.clock.now())}

    def on_clock(self) -> None:
        pass

    def control_engage(self, data: dict) -> dict:
        raise NotImplementedError

    def state(self) -> dict:
        return {}

    def spawn(self, fn, *args) -> None:
        th = threading.Thread(target=fn, args=args, daemon=True)
        self.pending_threads.append(th)
        th.start()

    def ready_info(self) -> dict:
        return {}


# ---------------------------------------------------------------------------------------------
# Serving


def make_handler(app: GraphApp):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body leave in separate writes: with Nagle on, the body waits for the
        # client's delayed ACK, 40 ms a request that no real server costs.
        disable_nagle_algorithm = True
        server_version = "meta-graph-fake"
        sys_version = ""

        def log_message(self, fmt, *args):
            line = re.sub(r"(access_token=)[^&\s]+", r"\1<redacted>", fmt % args)
            log(f"[{app.platform}] {self.address_string()} {line}")

        def _read_body(self) -> bytes:
            if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                out = b""
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass
                        return out
                    out += self.rfile.read(size)
                    self.rfile.readline()
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length > 0 else b""

        def _serve(self):
            body = self._read_body()
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, h, out = app.handle(self.command, self.path, headers, body)
            self.send_response(status)
            for k, v in h.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(out)

        do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = do_HEAD = _serve

    return Handler


def main(app_factory, description: str) -> None:
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--seed", help="JSON seed file (see README)")
    args = ap.parse_args()
    seed = {}
    if args.seed:
        with open(args.seed, encoding="utf-8") as f:
            seed = json.load(f)
    app = app_factory(seed)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(app))
    server.daemon_threads = True
    app.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    ready = {"url": app.base_url, **app.ready_info()}
    sys.stdout.write(json.dumps(ready) + "\n")
    sys.stdout.flush()
    log(f"[{app.platform}] listening on {app.base_url}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
