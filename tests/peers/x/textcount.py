"""X text counting and the text X stores, simplified from twitter-text (config v3).

What is implemented (see README "Text counting"):
- NFC normalisation before counting (https://docs.x.com/fundamentals/counting-characters).
- Weights of twitter-text config v3: code points in 0-4351, 8192-8205, 8208-8223 and 8242-8247
  weigh 1, every other code point 2; the limit is 280.
- Every URL weighs 23 (transformedURLLength): URLs with http:// or https://, and URLs without a
  scheme whose last domain label is in a short list of common TLDs (not the full IANA list).
- An emoji sequence (skin tones, ZWJ sequences, variation selector 16, flags, keycaps, tag
  sequences) weighs 2 as a whole.
- U+FFFE, U+FEFF and U+FFFF make a text invalid.

What X stores and returns as `text` differs from what was sent: every URL is replaced by a t.co
link and `&`, `<`, `>` are HTML-escaped (observed behaviour of the v2 API; see README).
"""

import re
import unicodedata

MAX_WEIGHTED_LENGTH = 280
SCALE = 100
DEFAULT_WEIGHT = 200
TRANSFORMED_URL_LENGTH = 23
RANGES = ((0, 4351, 100), (8192, 8205, 100), (8208, 8223, 100), (8242, 8247, 100))
INVALID_CHARS = ("\ufffe", "\ufeff", "\uffff")

# A short TLD list for links written without a scheme. twitter-text knows every IANA TLD; the
# fake knows the common ones and the Nordic ones a Swedish municipality writes.
TLDS = (
    "com net org info biz edu gov mil int io co app dev ai me tv ly gl to fm cc eu se nu dk no fi "
    "is ee lv lt de uk fr es it nl be ch at pl cz sk hu pt ie gr ro bg hr si us ca au nz jp cn in "
    "br mx ru ua news online site shop blog xyz"
).split()

_URL_WITH_SCHEME = re.compile(r"(?i)\bhttps?://[^\s<>\"]+")
_URL_WITHOUT_SCHEME = re.compile(
    r"(?i)(?<![\w@#$./:-])((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:%s))(?![\w-])(/[^\s<>\"]*)?"
    % "|".join(TLDS)
)
_TRAILING_PUNCT = ".,:;!?'\")]}"


def _trim_url(url):
    # twitter-text does not end a URL on punctuation; a closing parenthesis is kept when the URL
    # holds its opening one.
    while url and url[-1] in _TRAILING_PUNCT:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def _host_ok(host):
    # A domain label longer than 63 characters (punycode-encoded) makes no URL.
    for label in host.split("."):
        try:
            encoded = label.encode("idna") if label else b""
        except UnicodeError:
            return False
        if len(encoded) > 63:
            return False
    return bool(host)


def find_urls(text):
    """(start, end, url) for every URL in `text`, in order, by code point index."""
    found = []
    for m in _URL_WITH_SCHEME.finditer(text):
        url = _trim_url(m.group(0))
        host = re.split(r"[/?#]", url.split("//", 1)[1], 1)[0].split("@")[-1].split(":")[0]
        if _host_ok(host):
            found.append((m.start(), m.start() + len(url), url))
    taken = [(s, e) for s, e, _ in found]
    for m in _URL_WITHOUT_SCHEME.finditer(text):
        start = m.start()
        url = _trim_url(m.group(0))
        end = start + len(url)
        if not _host_ok(m.group(1)):
            continue
        if any(s <= start < e or s < end <= e for s, e in taken):
            continue
        found.append((start, end, url))
    found.sort()
    return found


def _is_pictographic(cp):
    return (
        0x1F000 <= cp <= 0x1FAFF
        or 0x2600 <= cp <= 0x27BF
        or 0x2300 <= cp <= 0x23FF
        or 0x2B00 <= cp <= 0x2BFF
        or 0x2190 <= cp <= 0x21FF
        or 0x1F900 <= cp <= 0x1F9FF
        or cp in (0x3030, 0x303D, 0x3297, 0x3299, 0x2122, 0x2139)
    )


def _emoji_cluster_end(chars, i):
    """If an emoji sequence starts at chars[i], the index after it, else None."""
    cp = ord(chars[i])
    n = len(chars)
    # Regional indicator pair (flag).
    if 0x1F1E6 <= cp <= 0x1F1FF:
        if i + 1 < n and 0x1F1E6 <= ord(chars[i + 1]) <= 0x1F1FF:
            return i + 2
        return i + 1
    # Keycap: [0-9#*] FE0F? 20E3
    if chars[i] in "0123456789#*":
        j = i + 1
        if j < n and chars[j] == "\ufe0f":
            j += 1
        if j < n and chars[j] == "\u20e3":
            return j + 1
        return None
    # (c) and (R) are emoji only with VS16.
    if cp in (0xA9, 0xAE):
        if i + 1 < n and chars[i + 1] == "\ufe0f":
            return i + 2
        return None
    if not _is_pictographic(cp):
        return None
    j = i + 1
    while j < n:
        c = ord(chars[j])
        if c == 0xFE0F or 0x1F3FB <= c <= 0x1F3FF or 0xE0020 <= c <= 0xE007F or c == 0x20E3:
            j += 1
        elif c == 0x200D and j + 1 < n and _is_pictographic(ord(chars[j + 1])):
            j += 2
        else:
            break
    return j


def _weight(cp):
    for start, end, weight in RANGES:
        if start <= cp <= end:
            return weight
    return DEFAULT_WEIGHT


def measure(text):
    """{'weightedLength', 'valid', 'permillage'} as twitter-text's parseTweet reports them."""
    nfc = unicodedata.normalize("NFC", text)
    urls = find_urls(nfc)
    total = 0
    i = 0
    chars = list(nfc)
    n = len(chars)
    url_at = {s: e for s, e, _ in urls}
    while i < n:
        if i in url_at:
            total += TRANSFORMED_URL_LENGTH * SCALE
            i = url_at[i]
            continue
        end = _emoji_cluster_end(chars, i)
        if end is not None:
            total += DEFAULT_WEIGHT
            i = end
            continue
        total += _weight(ord(chars[i]))
        i += 1
    weighted = total // SCALE
    valid = (
        0 < weighted <= MAX_WEIGHTED_LENGTH
        and nfc.strip() != ""
        and not any(c in nfc for c in INVALID_CHARS)
    )
    return {
        "weightedLength": weighted,
        "valid": valid,
        "permillage": weighted * 1000 // MAX_WEIGHTED_LENGTH,
    }


def html_escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def stored_text(text, tco_for):
    """The text as X stores and returns it, and its `entities.urls`.

    `tco_for(url)` returns the t.co link for a URL. Indices in the entities are code point
    offsets into the returned (escaped) text, as X gives them.
    """
    nfc = unicodedata.normalize("NFC", text)
    out = []
    entities = []
    pos = 0
    length = 0
    for start, end, url in find_urls(nfc):
        before = html_escape(nfc[pos:start])
        out.append(before)
        length += len(before)
        tco = tco_for(url)
        expanded = url if re.match(r"(?i)https?://", url) else "http://" + url
        display = re.sub(r"(?i)^https?://", "", url)
        if len(display) > 26:
            display = display[:25] + "\u2026"
        entities.append(
            {
                "start": length,
                "end": length + len(tco),
                "url": tco,
                "expanded_url": expanded,
                "display_url": display,
            }
        )
        out.append(tco)
        length += len(tco)
        pos = end
    out.append(html_escape(nfc[pos:]))
    return "".join(out), entities
