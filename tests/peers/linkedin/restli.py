"""Rest.li protocol 2.0.0 encoding, as LinkedIn's versioned API parses it.

What the fake enforces (README "Rest.li encoding"):

* Query values are Rest.li 2.0 values: a primitive is percent-encoded as a whole
  (`urn%3Ali%3Ashare%3A1`), a list is `List(a,b)` and an object is `(k:v,k2:v2)`,
  with the structural characters `( ) , :` left literal and every primitive inside
  percent-encoded.  A primitive that carries a raw `:`, `(`, `)` or `,` is not a
  valid Rest.li 2.0 value; the fake answers 400 as Rest.li's parser does.
* Path keys (`/rest/posts/{key}`) are percent-decoded; a raw `:` is accepted there
  (LinkedIn's own Images API examples put `urn:li:image:...` raw in the path), a raw
  `(` `)` `,` is not (see api.path_key).  The decoder below mirrors LinkedIn's own
  clients (linkedin-developers/linkedin-api-python-client, restli/utils/decoder.py).

Everything here is pure: no state, no I/O.
"""

from urllib.parse import unquote

LIST_PREFIX = "List("
STRUCTURAL = set("(),:")


class RestliDecodeError(ValueError):
    """The value is not valid Rest.li 2.0 URL encoding."""


def decode_primitive(raw):
    """A primitive: reject raw structural characters, then percent-decode."""
    if raw == "''":
        return ""
    bad = sorted(set(raw) & STRUCTURAL)
    if bad:
        raise RestliDecodeError(
            "unescaped reserved character(s) %s in %r; Rest.li 2.0 needs them percent-encoded"
            % (" ".join(bad), raw)
        )
    return unquote(raw)


def _match_bracket(s, open_idx):
    depth = 0
    for i in range(open_idx, len(s)):
        if s[i] == "(":
            depth += 1
        elif s[i] == ")":
            depth -= 1
            if depth == 0:
                return i
    raise RestliDecodeError("unbalanced brackets in %r" % s)


def _split_top(s):
    """Split on top-level commas."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(s):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                raise RestliDecodeError("unbalanced brackets in %r" % s)
        elif ch == "," and depth == 0:
            parts.append(s[start:i])
            start = i + 1
    if depth != 0:
        raise RestliDecodeError("unbalanced brackets in %r" % s)
    parts.append(s[start:])
    return parts


def decode(raw):
    """Decode one Rest.li 2.0 URL-encoded value (query value or path key)."""
    if raw.startswith(LIST_PREFIX):
        end = _match_bracket(raw, len(LIST_PREFIX) - 1)
        if end != len(raw) - 1:
            raise RestliDecodeError("trailing characters after List(...) in %r" % raw)
        inner = raw[len(LIST_PREFIX):-1]
        if inner == "":
            return []
        return [decode(p) for p in _split_top(inner)]
    if raw.startswith("("):
        end = _match_bracket(raw, 0)
        if end != len(raw) - 1:
            raise RestliDecodeError("trailing characters after (...) in %r" % raw)
        inner = raw[1:-1]
        out = {}
        if inner == "":
            return out
        for pair in _split_top(inner):
            if ":" not in pair:
                raise RestliDecodeError("object entry without ':' in %r" % raw)
            k, v = pair.split(":", 1)
            out[decode_primitive(k)] = decode(v)
        return out
    return decode_primitive(raw)


def parse_query(raw_query):
    """Raw query string -> {name: [raw values]} (values NOT yet decoded)."""
    out = {}
    if not raw_query:
        return out
    for piece in raw_query.split("&"):
        if piece == "":
            continue
        if "=" in piece:
            k, v = piece.split("=", 1)
        else:
            k, v = piece, ""
        out.setdefault(unquote(k), []).append(v)
    return out


def encode_primitive(value):
    from urllib.parse import quote

    return quote(str(value), safe="")


def encode(value):
    """Encode a value the way LinkedIn's clients do (for links in paging)."""
    if isinstance(value, list):
        return "List(" + ",".join(encode(v) for v in value) + ")"
    if isinstance(value, dict):
        return "(" + ",".join("%s:%s" % (encode_primitive(k), encode(v)) for k, v in value.items()) + ")"
    if isinstance(value, bool):
        return "true" if value else "false"
    return encode_primitive(value)
