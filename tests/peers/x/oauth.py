"""OAuth 1.0a HMAC-SHA1 signing as documented in "Creating a signature".

https://docs.x.com/fundamentals/authentication/oauth-1-0a/creating-a-signature
https://docs.x.com/fundamentals/authentication/oauth-1-0a/percent-encoding-parameters
https://docs.x.com/fundamentals/authentication/oauth-1-0a/authorizing-a-request
"""

import base64
import hashlib
import hmac
import urllib.parse


def percent_encode(value):
    """RFC 3986 percent-encoding of the UTF-8 bytes: only A-Z a-z 0-9 - . _ ~ stay as they are."""
    if isinstance(value, bytes):
        return urllib.parse.quote_from_bytes(value, safe="-._~")
    return urllib.parse.quote(str(value), safe="-._~")


def parameter_string(params):
    """Encode every key and value, sort by encoded key (then value), join key=value with '&'."""
    encoded = sorted((percent_encode(k), percent_encode(v)) for k, v in params)
    return "&".join(f"{k}={v}" for k, v in encoded)


def signature_base_string(method, base_url, params):
    return "&".join(
        [method.upper(), percent_encode(base_url), percent_encode(parameter_string(params))]
    )


def signing_key(consumer_secret, token_secret=""):
    return percent_encode(consumer_secret) + "&" + percent_encode(token_secret or "")


def hmac_sha1_signature(base_string, consumer_secret, token_secret=""):
    key = signing_key(consumer_secret, token_secret).encode("ascii")
    digest = hmac.new(key, base_string.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def sign(method, base_url, params, consumer_secret, token_secret=""):
    return hmac_sha1_signature(
        signature_base_string(method, base_url, params), consumer_secret, token_secret
    )


def base_url(scheme, host, path):
    """The base string URI (RFC 5849 3.4.1.2): lower-case scheme and host, the default port
    dropped, the path as sent, no query."""
    scheme = scheme.lower()
    host = host.lower()
    if (scheme == "http" and host.endswith(":80")) or (scheme == "https" and host.endswith(":443")):
        host = host.rsplit(":", 1)[0]
    return f"{scheme}://{host}{path}"


def parse_authorization_header(value):
    """The oauth_* parameters of an `Authorization: OAuth ...` header, percent-decoded.

    Returns None when the header is not an OAuth header or cannot be parsed.
    """
    if not value or not value[:6].lower() == "oauth ":
        return None
    params = {}
    for part in value[6:].split(","):
        part = part.strip()
        if not part:
            continue
        if "=" not in part:
            return None
        key, raw = part.split("=", 1)
        key = key.strip()
        raw = raw.strip()
        if len(raw) >= 2 and raw[0] == '"' and raw[-1] == '"':
            raw = raw[1:-1]
        params[urllib.parse.unquote(key)] = urllib.parse.unquote(raw)
    return params


def authorization_header(params):
    """Build the header string as "Building the header string" describes (used by replay.py)."""
    return "OAuth " + ", ".join(
        f'{percent_encode(k)}="{percent_encode(v)}"' for k, v in sorted(params.items())
    )


# The worked example of "Creating a signature". The current page signs a request to api.x.com;
# the same page on developer.twitter.com signed it for api.twitter.com. Both results are checked.
DOC_EXAMPLE = {
    "method": "POST",
    "query": [("include_entities", "true")],
    "body": [("status", "Hello Ladies + Gentlemen, a signed OAuth request!")],
    "oauth": {
        "oauth_consumer_key": "xvz1evFS4wEEPTGEFPHBog",
        "oauth_nonce": "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg",
        "oauth_signature_method": "HMAC-SHA1",
        "oauth_timestamp": "1318622958",
        "oauth_token": "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
        "oauth_version": "1.0",
    },
    "consumer_secret": "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
    "token_secret": "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
    "expected": {
        "https://api.twitter.com/1.1/statuses/update.json": "hCtSmYh+iHYCEqBWrE7C7hYmtUk=",
        "https://api.x.com/1.1/statuses/update.json": "Ls93hJiZbQ3akF3HF3x1Bz8/zU4=",
    },
    "expected_base_string_x": (
        "POST&https%3A%2F%2Fapi.x.com%2F1.1%2Fstatuses%2Fupdate.json&include_entities%3Dtrue"
        "%26oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%26oauth_nonce%3DkYjzVBB8Y0ZFabxSWbWovY3uYSQ"
        "2pTgmZeNu2VS4cg%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1318622958%26oaut"
        "h_token%3D370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb%26oauth_version%3D1.0%26statu"
        "s%3DHello%2520Ladies%2520%252B%2520Gentlemen%252C%2520a%2520signed%2520OAuth%2520request%2521"
    ),
}


def doc_example_signatures():
    """{base_url: (computed, expected)} for the documented example."""
    ex = DOC_EXAMPLE
    params = list(ex["query"]) + list(ex["body"]) + list(ex["oauth"].items())
    out = {}
    for url, expected in ex["expected"].items():
        out[url] = (
            sign(ex["method"], url, params, ex["consumer_secret"], ex["token_secret"]),
            expected,
        )
    return out
