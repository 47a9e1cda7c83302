"""What the three replay.py scripts share: start a fake as a subprocess and read its ready line,
send requests, compare answers with the documented shapes, serve test images on 127.0.0.1, and
make small but well-formed JPEG and PNG files. Standard library only."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


# ---------------------------------------------------------------------------------------------
# Images


def make_jpeg(width: int = 8, height: int = 8, extra_segment: bytes = b"", pad_to: int = 0) -> bytes:
    """A baseline greyscale JPEG of the given size, one flat grey: every 8x8 block is DC 0 and
    end-of-block, each coded with a one-symbol Huffman table. `extra_segment` is inserted after
    APP0 (an APP2 "MPF" segment makes an MPO); `pad_to` adds comment segments up to that size."""
    def seg(marker: int, payload: bytes) -> bytes:
        return b"\xff" + bytes([marker]) + struct.pack(">H", len(payload) + 2) + payload

    out = b"\xff\xd8" + seg(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    out += extra_segment
    out += seg(0xDB, b"\x00" + bytes([1] * 64))
    out += seg(0xC0, b"\x08" + struct.pack(">HH", height, width) + b"\x01" + b"\x01\x11\x00")
    out += seg(0xC4, b"\x00" + bytes([1] + [0] * 15) + b"\x00")
    out += seg(0xC4, b"\x10" + bytes([1] + [0] * 15) + b"\x00")
    while pad_to and len(out) < pad_to:
        n = min(65000, pad_to - len(out))
        out += seg(0xFE, b"x" * n)
    out += seg(0xDA, b"\x01\x01\x00\x00\x3f\x00")
    blocks = ((width + 7) // 8) * ((height + 7) // 8)
    bits = "00" * blocks
    bits += "1" * (-len(bits) % 8)
    data = bytearray()
    for i in range(0, len(bits), 8):
        b = int(bits[i:i + 8], 2)
        data.append(b)
        if b == 0xFF:
            data.append(0)
    return out + bytes(data) + b"\xff\xd9"


def make_mpo(width: int = 8, height: int = 8) -> bytes:
    """A JPEG carrying an APP2 MPF segment, which is what marks a Multi-Picture (MPO) file."""
    payload = b"MPF\x00" + b"MM\x00*\x00\x00\x00\x08"
    seg = b"\xff\xe2" + struct.pack(">H", len(payload) + 2) + payload
    return make_jpeg(width, height, extra_segment=seg)


def make_png(width: int = 4, height: int = 4) -> bytes:
    raw = b"".join(b"\x00" + b"\x80\x80\x80" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


class ImageHost:
    """A tiny HTTP server on 127.0.0.1 that serves fixed bodies (the 'public server' the
    Instagram and Threads fakes fetch image_url from)."""

    def __init__(self):
        self.routes: dict[str, tuple[int, str, bytes]] = {}
        self.hits: list[str] = []
        host = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                host.hits.append(self.path)
                status, ctype, body = host.routes.get(self.path.split("?")[0], (404, "text/plain", b"not found"))
                if ctype == "sleep":
                    time.sleep(float(body))
                    status, ctype, body = 200, "image/jpeg", make_jpeg()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def add(self, path: str, body: bytes, ctype: str = "image/jpeg", status: int = 200) -> str:
        self.routes[path] = (status, ctype, body)
        return self.url + path

    def close(self):
        self.server.shutdown()


# ---------------------------------------------------------------------------------------------
# The fake as a subprocess


class Response:
    def __init__(self, status: int, headers: dict, body: bytes):
        self.status = status
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.raw = body
        try:
            self.json = json.loads(body.decode("utf-8")) if body else None
        except (UnicodeDecodeError, json.JSONDecodeError):
            self.json = None

    def __repr__(self):
        return f"<{self.status} {self.raw[:400]!r}>"


def multipart(fields: dict, files: dict) -> tuple[str, bytes]:
    boundary = "----fake" + uuid.uuid4().hex
    out = b""
    for k, v in fields.items():
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n").encode() + str(v).encode() + b"\r\n"
    for k, (filename, ctype, data) in files.items():
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"{filename}\"\r\n"
                f"Content-Type: {ctype}\r\n\r\n").encode() + data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", out


class Peer:
    def __init__(self, server_py: str, args=()):
        self.proc = subprocess.Popen([sys.executable, server_py, "--port", "0", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.stderr_lines: list[str] = []
        threading.Thread(target=self._drain, daemon=True).start()
        line = self.proc.stdout.readline().decode()
        if not line:
            time.sleep(0.2)
            raise SystemExit(f"{server_py} printed no ready line; stderr:\n" + "".join(self.stderr_lines))
        self.ready = json.loads(line)
        self.url = self.ready["url"]

    def _drain(self):
        for raw in self.proc.stderr:
            self.stderr_lines.append(raw.decode("utf-8", "replace"))

    def request(self, method: str, path: str, *, query=None, form=None, json_body=None,
                files=None, headers=None, raw_body: bytes | None = None) -> Response:
        url = self.url + path
        if query:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(query)
        hdrs = dict(headers or {})
        data = None
        if files is not None:
            ctype, data = multipart(form or {}, files)
            hdrs["Content-Type"] = ctype
        elif json_body is not None:
            data = json.dumps(json_body).encode()
            hdrs["Content-Type"] = "application/json"
        elif form is not None:
            data = urllib.parse.urlencode(form).encode()
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        elif raw_body is not None:
            data = raw_body
        req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return Response(r.status, dict(r.headers), r.read())
        except urllib.error.HTTPError as e:
            return Response(e.code, dict(e.headers), e.read())

    def control(self, method: str, name: str, body=None) -> dict:
        r = self.request(method, "/_fake/" + name, json_body=body if body is not None else ({} if method == "POST" else None))
        if r.status != 200:
            raise SystemExit(f"control {method} /_fake/{name} failed: {r}")
        return r.json

    def close(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


# ---------------------------------------------------------------------------------------------
# Comparing answers with documented shapes


class Opt:
    """A key that may be missing."""

    def __init__(self, template):
        self.template = template


def match(template, actual, path: str = "$") -> list[str]:
    """Template values: a type (str, int, bool, dict, list), an exact value, a callable predicate,
    a dict (every key must be there, unless wrapped in Opt) or a one-element list (every item must
    match it)."""
    problems = []
    if isinstance(template, type):
        if template is int and isinstance(actual, bool):
            problems.append(f"{path}: expected int, got bool")
        elif not isinstance(actual, template):
            problems.append(f"{path}: expected {template.__name__}, got {type(actual).__name__} {actual!r:.80}")
    elif callable(template) and not isinstance(template, (dict, list)):
        try:
            ok = template(actual)
        except Exception as e:
            ok = False
            problems.append(f"{path}: check raised {e}")
        if not ok:
            problems.append(f"{path}: value {actual!r:.120} does not satisfy the check")
    elif isinstance(template, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected an object, got {actual!r:.120}"]
        for k, t in template.items():
            if isinstance(t, Opt):
                if k in actual:
                    problems += match(t.template, actual[k], f"{path}.{k}")
            elif k not in actual:
                problems.append(f"{path}: missing key {k!r} (keys: {sorted(actual)})")
            else:
                problems += match(t, actual[k], f"{path}.{k}")
    elif isinstance(template, list):
        if not isinstance(actual, list):
            return [f"{path}: expected a list, got {actual!r:.120}"]
        if template:
            for i, item in enumerate(actual):
                problems += match(template[0], item, f"{path}[{i}]")
    else:
        if template != actual:
            problems.append(f"{path}: expected {template!r:.120}, got {actual!r:.120}")
    return problems


def digits(s) -> bool:
    return isinstance(s, str) and s.isdigit()


def post_id_shape(s) -> bool:
    return isinstance(s, str) and len(s.split("_")) == 2 and all(p.isdigit() for p in s.split("_"))


def graph_time_shape(s) -> bool:
    import re
    return isinstance(s, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000", s) is not None


def error_shape(code: int, subcode=None, type_=None, message=None):
    e = {"message": (message if message is not None else str), "type": (type_ or str),
         "code": code, "fbtrace_id": str}
    if subcode is not None:
        e["error_subcode"] = subcode
    return {"error": e}


class Replay:
    def __init__(self, title: str):
        self.title = title
        self.failures: list[str] = []
        self.passed = 0
        self.current = ""

    def section(self, name: str, url: str = ""):
        self.current = name + (f" ({url})" if url else "")
        print(f"-- {self.current}")

    def check(self, name: str, resp: Response, status: int, shape=None, headers=None) -> Response:
        problems = []
        if resp.status != status:
            problems.append(f"HTTP {resp.status}, expected {status}")
        if shape is not None:
            problems += match(shape, resp.json)
        for h, pred in (headers or {}).items():
            v = resp.headers.get(h.lower())
            if v is None:
                problems.append(f"header {h} missing")
            elif callable(pred) and not pred(v):
                problems.append(f"header {h}: {v!r} does not satisfy the check")
            elif not callable(pred) and pred != v:
                problems.append(f"header {h}: {v!r} != {pred!r}")
        self.record(name, problems, resp)
        return resp

    def ok(self, name: str, cond: bool, detail: str = ""):
        self.record(name, [] if cond else [detail or "condition false"], None)

    def record(self, name, problems, resp):
        if problems:
            msg = f"FAIL [{self.current}] {name}: " + "; ".join(problems)
            if resp is not None:
                msg += f"\n      answer: {resp.status} {resp.raw[:600]!r}"
            self.failures.append(msg)
            print("   " + msg)
        else:
            self.passed += 1
            print(f"   ok  {name}")

    def finish(self, peer: Peer | None = None) -> int:
        print()
        if self.failures:
            print(f"{self.title}: {len(self.failures)} FAILED, {self.passed} passed")
            for f in self.failures:
                print(" - " + f)
            if peer is not None and peer.stderr_lines:
                tail = "".join(peer.stderr_lines[-40:])
                print("\nserver stderr (tail):\n" + tail)
            return 1
        print(f"{self.title}: all {self.passed} checks passed")
        return 0
