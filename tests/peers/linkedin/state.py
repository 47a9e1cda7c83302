"""In-memory state of the fake LinkedIn: seed, clock, ids, tokens, quotas.

A fresh process is a fresh platform.  Every mutation happens under State.lock.
"""

import copy
import json
import random
import threading
import time
from collections import deque

DAY_MS = 86_400_000
ACCESS_TOKEN_TTL = 5_184_000  # 60 days, authorization-code-flow doc
REFRESH_TOKEN_TTL = 31_536_000  # 365 days, programmatic-refresh-tokens doc

ORG_SCOPES = ["w_organization_social", "r_organization_social", "rw_organization_admin", "r_organization_admin"]
ROLES = [
    "ADMINISTRATOR",
    "DIRECT_SPONSORED_CONTENT_POSTER",
    "RECRUITING_POSTER",
    "LEAD_CAPTURE_ADMINISTRATOR",
    "LEAD_GEN_FORMS_MANAGER",
    "ANALYST",
    "CURATOR",
    "CONTENT_ADMINISTRATOR",
]
ROLE_STATES = ["APPROVED", "REJECTED", "REQUESTED", "REVOKED"]


def default_versions():
    """Marketing versions taken as active in late 2026: 202512 up to 202611.

    The versioning page: monthly releases, each "supported and stable for a minimum of
    one year before sunset".  Twelve monthly versions ending with the latest one.
    """
    out = []
    y, m = 2025, 12
    for _ in range(12):
        out.append("%04d%02d" % (y, m))
        m += 1
        if m == 13:
            y, m = y + 1, 1
    return out


def parse_versions(spec):
    """'202510-202609' or '202510,202511' -> sorted list of YYYYMM strings."""
    out = []
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        if "-" in part:
            a, b = part.split("-", 1)
            y, m = int(a[:4]), int(a[4:6])
            end = (int(b[:4]), int(b[4:6]))
            while (y, m) <= end:
                out.append("%04d%02d" % (y, m))
                m += 1
                if m == 13:
                    y, m = y + 1, 1
        else:
            if len(part) != 6 or not part.isdigit():
                raise ValueError("version %r is not YYYYMM" % part)
            out.append(part)
    return sorted(set(out))


DEFAULT_SEED = {
    "start_time": None,  # epoch seconds; None = the real clock at start
    "client_id": "78fakeclient01",
    "client_secret": "fake-client-secret-not-real",
    "organization": {"id": 90123456, "name": "Exempelkommun", "vanityName": "exempelkommun", "followers": 1234},
    "admin": {"id": "Ab3dEf9HiJ", "name": "Kommunikatör Ett"},
    "citizen": {"id": "Ci7izEn0x1", "name": "Medborgare Två"},
    "admin_token": "AQVfake-admin-token-0001",
    "admin_refresh_token": "AQWfake-admin-refresh-0001",
    "citizen_token": "AQVfake-citizen-token-0001",
    "active_versions": None,  # None = default_versions()
    "image_processing_seconds": 1,
    "upload_url_ttl_seconds": 86_400,
    "duplicate_window_seconds": 600,
    "little_text": "truncate",  # truncate | reject | accept
    "hashtags_as_template": True,
    "media_processing_policy": "reject",  # reject | accept
    "tokens": [],
    "acl": [],
    "quota": [],
    "random_seed": 20260901,
}


class State:
    def __init__(self, seed=None):
        cfg = copy.deepcopy(DEFAULT_SEED)
        for k, v in (seed or {}).items():
            if isinstance(v, dict) and isinstance(cfg.get(k), dict):
                cfg[k].update(v)
            else:
                cfg[k] = v
        self.cfg = cfg
        self.lock = threading.RLock()
        self.rng = random.Random(cfg["random_seed"])
        real = int(time.time() * 1000)
        self.clock_offset_ms = 0 if cfg["start_time"] is None else int(cfg["start_time"] * 1000) - real
        self.counter = 0
        self.versions = parse_versions(",".join(cfg["active_versions"])) if cfg["active_versions"] else default_versions()

        self.client_id = cfg["client_id"]
        self.client_secret = cfg["client_secret"]
        org = cfg["organization"]
        self.org_urn = "urn:li:organization:%d" % int(org["id"])
        self.orgs = {self.org_urn: {"id": int(org["id"]), "name": org["name"], "vanityName": org.get("vanityName", ""),
                                    "followers": int(org.get("followers", 0))}}
        for extra in cfg.get("organizations", []):
            urn = "urn:li:organization:%d" % int(extra["id"])
            self.orgs[urn] = {"id": int(extra["id"]), "name": extra.get("name", "Org %s" % extra["id"]),
                              "vanityName": extra.get("vanityName", ""), "followers": int(extra.get("followers", 0))}
        self.admin_urn = "urn:li:person:" + cfg["admin"]["id"]
        self.citizen_urn = "urn:li:person:" + cfg["citizen"]["id"]
        self.members = {
            self.admin_urn: {"name": cfg["admin"]["name"]},
            self.citizen_urn: {"name": cfg["citizen"]["name"]},
        }
        for m in cfg.get("members", []):
            self.members["urn:li:person:" + m["id"]] = {"name": m.get("name", m["id"])}

        self.acls = [{"roleAssignee": self.admin_urn, "organization": self.org_urn, "role": "ADMINISTRATOR",
                      "state": "APPROVED"}]
        for a in cfg.get("acl", []):
            self.set_acl(self.member_ref(a["member"]), a.get("organization", self.org_urn), a["role"],
                         a.get("state", "APPROVED"))

        self.tokens = {}
        self.refresh_tokens = {}
        now_s = self.now_s()
        self.add_token(cfg["admin_token"], self.admin_urn, ORG_SCOPES + ["openid", "profile", "email"],
                       expires_in=ACCESS_TOKEN_TTL, refresh_token=cfg["admin_refresh_token"], name="admin")
        self.add_token(cfg["citizen_token"], self.citizen_urn, ["openid", "profile", "w_member_social"],
                       expires_in=ACCESS_TOKEN_TTL, name="citizen")
        for t in cfg.get("tokens", []):
            self.add_token(t.get("token"), self.member_ref(t.get("member", "admin")), t.get("scopes", []),
                           expires_in=t.get("expires_in", ACCESS_TOKEN_TTL), revoked=t.get("revoked", False),
                           name=t.get("name"), refresh_token=t.get("refresh_token"),
                           client_id=t.get("client_id"))
        del now_s

        self.posts = {}
        self.activities = {}  # activity urn -> post urn
        self.images = {}
        self.uploads = {}  # upload key -> image urn
        self.comments = {}  # comment id -> comment
        self.reactions = {}  # post urn -> {actor: reactionType}
        self.events = []  # engagement log for time-bound statistics
        self.quotas = {}  # (kind, resource, member|None) -> {"daily": n|None, "remaining": n, "day": d}
        for q in cfg.get("quota", []):
            self.set_quota(q)
        self.faults = []
        self.requests = deque(maxlen=500)

    # ---- clock and ids -------------------------------------------------
    def now_ms(self):
        return int(time.time() * 1000) + self.clock_offset_ms

    def now_s(self):
        return self.now_ms() // 1000

    def advance(self, seconds):
        self.clock_offset_ms += int(seconds * 1000)

    def set_time(self, epoch_seconds):
        self.clock_offset_ms = int(epoch_seconds * 1000) - int(time.time() * 1000)

    def new_id(self):
        """A LinkedIn-shaped numeric id: creation time in ms in the bits above 22.

        Real ids carry their timestamp the same way (urn:li:share:7045020441609936898
        >> 22 is 1679663763430; that post's createdAt is 1679663763610).
        """
        self.counter += 1
        return (self.now_ms() << 22) | (self.counter & 0x3FFFFF)

    def new_media_key(self, prefix="D4E10AQ"):
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
        return prefix + "".join(self.rng.choice(alphabet) for _ in range(12))

    def random_string(self, n):
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    # ---- members, roles, tokens -----------------------------------------
    def member_ref(self, ref):
        if ref in (None, "admin"):
            return self.admin_urn
        if ref == "citizen":
            return self.citizen_urn
        if not ref.startswith("urn:li:person:"):
            ref = "urn:li:person:" + ref
        self.members.setdefault(ref, {"name": ref.rsplit(":", 1)[1]})
        return ref

    def set_acl(self, member, organization, role, state="APPROVED"):
        if role not in ROLES:
            raise ValueError("unknown role %r (one of %s)" % (role, ", ".join(ROLES)))
        if state not in ROLE_STATES:
            raise ValueError("unknown role state %r (one of %s)" % (state, ", ".join(ROLE_STATES)))
        for a in self.acls:
            if a["roleAssignee"] == member and a["organization"] == organization and a["role"] == role:
                a["state"] = state
                return a
        a = {"roleAssignee": member, "organization": organization, "role": role, "state": state}
        self.acls.append(a)
        return a

    def roles_of(self, member, organization):
        return {a["role"] for a in self.acls
                if a["roleAssignee"] == member and a["organization"] == organization and a["state"] == "APPROVED"}

    def add_token(self, token, member, scopes, expires_in=ACCESS_TOKEN_TTL, revoked=False, name=None,
                  refresh_token=None, client_id=None):
        now = self.now_s()
        if token in self.tokens:  # update in place (scopes, expiry, revocation)
            t = self.tokens[token]
            t["scopes"] = list(scopes) if scopes is not None else t["scopes"]
            t["expires_at"] = now + int(expires_in)
            t["revoked"] = bool(revoked)
            return t
        if not token:
            token = "AQV" + self.random_string(40)
        t = {
            "token": token,
            "name": name,
            "member": member,
            "scopes": list(scopes),
            "client_id": client_id or self.client_id,
            "created_at": now,
            "authorized_at": now,
            "expires_at": now + int(expires_in),
            "revoked": bool(revoked),
            "refresh_token": refresh_token,
        }
        self.tokens[token] = t
        if refresh_token:
            self.refresh_tokens[refresh_token] = {"refresh_token": refresh_token, "member": member,
                                                  "scopes": list(scopes), "client_id": t["client_id"],
                                                  "expires_at": now + REFRESH_TOKEN_TTL, "revoked": False,
                                                  "authorized_at": now}
        return t

    def token_status(self, t):
        if t["revoked"]:
            return "revoked"
        if self.now_s() >= t["expires_at"]:
            return "expired"
        return "active"

    # ---- quotas ----------------------------------------------------------
    def set_quota(self, q):
        kind = q.get("kind", "application")
        if kind not in ("application", "member"):
            raise ValueError("quota kind must be 'application' or 'member'")
        resource = q.get("resource", "*")
        member = self.member_ref(q.get("member", "admin")) if kind == "member" else None
        key = (kind, resource, member)
        if q.get("remaining") is None and q.get("daily") is None:
            self.quotas.pop(key, None)
            return None
        daily = q.get("daily")
        remaining = q.get("remaining", daily)
        self.quotas[key] = {"kind": kind, "resource": resource, "member": member, "daily": daily,
                            "remaining": int(remaining), "day": self.now_ms() // DAY_MS}
        return self.quotas[key]

    def take_quota(self, resource, member):
        """-> None when the call may go on, else 'APPLICATION' or 'MEMBER'."""
        today = self.now_ms() // DAY_MS
        hit = None
        matching = []
        for (kind, res, mem), q in self.quotas.items():
            if res not in ("*", resource):
                continue
            if kind == "member" and mem != member:
                continue
            if q["day"] != today:  # daily limits reset at midnight UTC
                q["day"] = today
                if q["daily"] is not None:
                    q["remaining"] = int(q["daily"])
            matching.append(q)
            if q["remaining"] <= 0 and hit is None:
                hit = "APPLICATION" if kind == "application" else "MEMBER"
        if hit:
            return hit
        for q in matching:
            q["remaining"] -= 1
        return None

    # ---- snapshot ----------------------------------------------------------
    def snapshot(self):
        def strip(img):
            d = {k: v for k, v in img.items() if k != "bytes"}
            return d

        return json.loads(json.dumps({
            "now_ms": self.now_ms(),
            "versions": {"active": self.versions, "latest": self.versions[-1] if self.versions else None},
            "config": {k: self.cfg[k] for k in ("image_processing_seconds", "upload_url_ttl_seconds",
                                                "duplicate_window_seconds", "little_text", "hashtags_as_template",
                                                "media_processing_policy")},
            "client_id": self.client_id,
            "organizations": self.orgs,
            "members": self.members,
            "acls": self.acls,
            "tokens": list(self.tokens.values()),
            "refresh_tokens": list(self.refresh_tokens.values()),
            "posts": list(self.posts.values()),
            "images": [strip(i) for i in self.images.values()],
            "comments": list(self.comments.values()),
            "reactions": {k: v for k, v in self.reactions.items()},
            "events": self.events,
            "quotas": list(self.quotas.values()),
            "faults": self.faults,
            "requests": list(self.requests),
        }, default=str))
