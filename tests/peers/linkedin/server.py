#!/usr/bin/env python3
"""Stateful fake of LinkedIn's Community Management API for organisation pages.

    python3 tests/peers/linkedin/server.py --port 0 [--seed seed.json]

Binds 127.0.0.1, prints one JSON line when ready ({"url": ..., tokens, ids}), runs
until killed.  Python 3.11 standard library only.  README.md says what is faithful.
"""

import argparse
import json
import os
import socket
import sys
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import api  # noqa: E402
import control  # noqa: E402
from api import ApiError, Request, Response  # noqa: E402
from state import State, parse_versions  # noqa: E402

REST_RESOURCES = {"posts", "images", "socialActions", "socialMetadata", "organizationalEntityShareStatistics",
                  "networkSizes", "organizationAcls", "organizations"}


def method_not_allowed(req):
    return ApiError(405, {"status": 405, "message": "%s is not supported on %s" % (req.method, req.path)})


def route_rest(st, req, segs):
    api.authenticate(st, req)
    api.check_version(st, req)
    api.check_protocol(req)
    resource = segs[0] if segs else ""
    if resource not in REST_RESOURCES:
        raise ApiError(404, {"serviceErrorCode": 0, "message": "Resource %s does not exist" % resource,
                             "status": 404})
    api.throttle(st, req, resource)
    n, m = len(segs), req.method
    if resource == "posts":
        if n == 1:
            if m == "GET":
                if "ids" in req.query:
                    return api.batch_get_posts(st, req)
                if "q" in req.query:
                    return api.find_posts_by_author(st, req)
                raise ApiError(400, {"status": 400, "message": "GET /rest/posts needs q=author or ids=List(...)"})
            if m == "POST":
                return api.create_post(st, req)
        elif n == 2:
            key = api.path_key(segs[1])
            if m == "GET":
                return api.get_post(st, req, key)
            if m == "POST":
                return api.update_post(st, req, key)
            if m == "DELETE":
                return api.delete_post(st, req, key)
    elif resource == "images":
        if n == 1:
            if m == "POST":
                return api.initialize_image_upload(st, req)
            if m == "GET" and "ids" in req.query:
                return api.batch_get_images(st, req)
        elif n == 2 and m == "GET":
            return api.get_image(st, req, api.path_key(segs[1]))
    elif resource == "socialActions":
        if n >= 2:
            key = api.path_key(segs[1])
            if n == 2 and m == "GET":
                return api.social_actions_summary(st, req, key)
            if n == 3 and segs[2] == "comments":
                if m == "GET":
                    return api.list_comments(st, req, key)
                if m == "POST":
                    return api.create_comment(st, req, key)
            if n == 4 and segs[2] == "comments":
                cid = api.path_key(segs[3])
                if m == "GET":
                    return api.get_comment(st, req, key, cid)
                if m == "DELETE":
                    return api.delete_comment(st, req, key, cid)
    elif resource == "socialMetadata":
        if n == 2:
            key = api.path_key(segs[1])
            if m == "GET":
                return api.social_metadata(st, req, key)
            if m == "POST":
                return api.update_social_metadata(st, req, key)
    elif resource == "organizationalEntityShareStatistics":
        if n == 1 and m == "GET":
            return api.share_statistics(st, req)
    elif resource == "networkSizes":
        if n == 2 and m == "GET":
            return api.network_size(st, req, api.path_key(segs[1]))
    elif resource == "organizationAcls":
        if n == 1 and m == "GET":
            return api.organization_acls(st, req)
    elif resource == "organizations":
        if n == 2 and m == "GET":
            return api.get_organization(st, req, api.path_key(segs[1]))
    raise method_not_allowed(req)


def route(st, req):
    path = req.path
    segs = [s for s in path.split("/") if s != ""]
    if segs[:1] == ["rest"]:
        return route_rest(st, req, segs[1:])
    if segs[:1] == ["_fake"] and len(segs) == 2:
        fn = control.ROUTES.get((req.method, segs[1]))
        if fn is None:
            raise ApiError(404, {"error": "no control route %s %s" % (req.method, path)})
        return fn(st, req)
    if segs[:1] == ["dms-uploads"] and len(segs) >= 2:
        if req.method != "PUT":
            raise method_not_allowed(req)
        return api.upload_image_bytes(st, req, segs[1])
    if segs[:1] == ["media"] and len(segs) == 2 and req.method == "GET":
        return api.download_image(st, req, segs[1])
    if path == "/oauth/v2/introspectToken" and req.method == "POST":
        return api.introspect_token(st, req)
    if path == "/oauth/v2/accessToken" and req.method == "POST":
        return api.access_token(st, req)
    if segs[:1] == ["v2"]:
        raise ApiError(404, {"serviceErrorCode": 0, "message": "The fake serves the versioned /rest API only",
                             "status": 404})
    raise ApiError(404, {"status": 404, "message": "No route for %s %s" % (req.method, path)})


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in separate writes: with Nagle on, the body waits for the
    # client's delayed ACK, 40 ms a request that no real server costs.
    disable_nagle_algorithm = True
    server_version = "fake-linkedin/1"
    sys_version = ""

    def log_message(self, fmt, *args):
        sys.stderr.write("fake-linkedin: %s\n" % (fmt % args))

    def read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            chunks = []
            while True:
                line = self.rfile.readline().strip()
                size = int(line.split(b";", 1)[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def handle_any(self):
        st = self.server.state
        raw_path, _, raw_query = self.path.partition("?")
        body = self.read_body()
        # Addresses handed out (uploadUrl, downloadUrl) name the host the client asked, as a
        # server behind a proxy does: a client reaching the fake through a proxy uploads there too.
        host = "http://" + (self.headers.get("Host") or "%s:%d" % self.server.server_address[:2])
        req = Request(self.command, raw_path, raw_query, self.headers, body, host)
        fault = None
        with st.lock:
            if not raw_path.startswith("/_fake/"):
                for f in st.faults:
                    if f["times"] > 0 and f["method"] == self.command and raw_path.startswith(f["path"]):
                        f["times"] -= 1
                        fault = f
                        break
                st.faults[:] = [f for f in st.faults if f["times"] > 0]
        if fault and fault["mode"] == "drop_before_commit":
            self.drop()
            return
        if fault and fault["mode"] == "delay":
            time.sleep(fault["seconds"])
        with st.lock:
            if fault and fault["mode"] == "error":
                resp = Response(fault["status"], {"status": fault["status"], "message": "Internal Server Error"})
            else:
                try:
                    resp = route(st, req)
                except ApiError as e:
                    resp = Response(e.status, e.body, e.headers)
                except Exception as e:  # a bug in the fake: say so loudly
                    import traceback

                    traceback.print_exc()
                    resp = Response(500, {"status": 500, "message": "fake-linkedin internal error: %r" % e})
            if not raw_path.startswith("/_fake/"):
                st.requests.append({"at": st.now_ms(), "method": self.command, "path": raw_path, "query": raw_query,
                                    "status": resp.status,
                                    "token": (req.token or {}).get("name") or (req.token or {}).get("token"),
                                    "fault": fault["mode"] if fault else None})
        if fault and fault["mode"] == "drop_after_commit":
            self.drop()
            return
        self.send(resp, rest=raw_path.startswith("/rest/"))

    def drop(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def send(self, resp, rest):
        data = resp.encode()
        self.send_response(resp.status)
        for k, v in resp.headers.items():
            self.send_header(k, v)
        if rest:
            self.send_header("X-RestLi-Protocol-Version", "2.0.0")
            self.send_header("X-LI-UUID", uuid.uuid4().hex[:22])
        if data or resp.status not in (201, 204):
            self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if data:
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--seed", help="JSON seed file (see README and seed.example.json)")
    ap.add_argument("--versions", help="active LinkedIn-Version values: 202510-202609 or 202601,202602")
    ap.add_argument("--start-time", type=float, help="fake clock start, epoch seconds")
    ap.add_argument("--little-text", choices=["truncate", "reject", "accept"])
    ap.add_argument("--image-processing-seconds", type=float)
    args = ap.parse_args(argv)
    seed = {}
    if args.seed:
        with open(args.seed, encoding="utf-8") as fh:
            seed = json.load(fh)
    if args.versions:
        seed["active_versions"] = parse_versions(args.versions)
    if args.start_time is not None:
        seed["start_time"] = args.start_time
    if args.little_text:
        seed["little_text"] = args.little_text
    if args.image_processing_seconds is not None:
        seed["image_processing_seconds"] = args.image_processing_seconds
    st = State(seed)
    httpd = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    httpd.daemon_threads = True
    httpd.state = st
    host, port = httpd.server_address[:2]
    extra = {t["name"]: t["token"] for t in st.tokens.values() if t.get("name") not in (None, "admin", "citizen")}
    ready = {
        "url": "http://%s:%d" % (host, port),
        "client_id": st.client_id,
        "client_secret": st.client_secret,
        "organization": st.org_urn,
        "organization_id": st.orgs[st.org_urn]["id"],
        "admin_member": st.admin_urn,
        "citizen_member": st.citizen_urn,
        "token": st.cfg["admin_token"],
        "refresh_token": st.cfg["admin_refresh_token"],
        "citizen_token": st.cfg["citizen_token"],
        "scopes": st.tokens[st.cfg["admin_token"]]["scopes"],
        "versions": st.versions,
        "latest_version": st.versions[-1] if st.versions else None,
        "tokens": extra,
    }
    sys.stdout.write(json.dumps(ready) + "\n")
    sys.stdout.flush()
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
