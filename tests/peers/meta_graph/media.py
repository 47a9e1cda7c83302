"""Fetching an image from a URL the way the Instagram and Threads servers do ("We cURL media used
in publishing attempts"), and telling what the bytes are. Standard library only."""

from __future__ import annotations

import struct
import urllib.error
import urllib.parse
import urllib.request


class FetchFailed(Exception):
    def __init__(self, reason: str, timeout: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.timeout = timeout


def fetch(url: str, timeout: float = 10.0, max_bytes: int = 64 * 1024 * 1024) -> tuple[str, bytes]:
    """GET the URL; returns (content-type, body). Raises FetchFailed."""
    parts = urllib.parse.urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FetchFailed(f"not an http(s) URL: {url!r}")
    req = urllib.request.Request(url, headers={"User-Agent": "facebookexternalhit/1.1 (meta-graph-fake)"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            body = r.read(max_bytes + 1)
            return r.headers.get("Content-Type", ""), body
    except urllib.error.HTTPError as e:
        raise FetchFailed(f"HTTP {e.code}")
    except TimeoutError:
        raise FetchFailed("timed out", timeout=True)
    except urllib.error.URLError as e:
        if "timed out" in str(e.reason):
            raise FetchFailed("timed out", timeout=True)
        raise FetchFailed(f"cannot connect: {e.reason}")
    except OSError as e:
        raise FetchFailed(f"cannot fetch: {e}")


def sniff(data: bytes) -> str:
    """The format of the bytes, judged by their content (not the URL or the Content-Type)."""
    if data[:3] == b"\xff\xd8\xff":
        # Extended JPEG: MPO carries an APP2 "MPF" segment (JPS is stereo JPEG, also marked)
        head = data[:65536]
        if b"MPF\x00" in head:
            return "mpo"
        if b"_JPSJPS_" in head:
            return "jps"
        return "jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:2] == b"BM":
        return "bmp"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1"):
            return "heic"
        return "mp4"
    return "unknown"


def dimensions(data: bytes, fmt: str) -> tuple[int, int] | None:
    """(width, height) of a JPEG or PNG, None when it cannot be read."""
    try:
        if fmt == "png" and len(data) >= 24:
            w, h = struct.unpack(">II", data[16:24])
            return w, h
        if fmt in ("jpeg", "mpo", "jps"):
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
                    return w, h
                i += 2 + seg_len
    except struct.error:
        return None
    return None
