"""LinkedIn's "little" text format (the `commentary` of a post).

Doc: https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/little-text-format
  "Characters reserved for little elements must be escaped to be treated as
   plaintext." / "All reserved characters need to be escaped with a backslash,
   even if those characters are not used in one of the supported elements or
   templates."
Reserved set (the grammar's Text production): | { } @ [ ] ( ) < > # \\ * _ ~

Elements the parser knows:
  TextElement      plain text, reserved characters escaped with a backslash
  MentionElement   @[Fallback text](urn:li:organization:123)
  HashtagElement   #word
  HashtagTemplate  {hashtag|\\#|word}  (sign '#', '\\#' or the full-width '＃')

`parse()` stops at the first character that fits no element and reports where.
`canonical()` writes parsed elements back in the form LinkedIn returns on read:
text re-escaped, mentions unchanged, every hashtag as a HashtagTemplate.
"""

RESERVED = set("|{}@[]()<>#\\*_~")


def escape(text):
    """Escape every reserved character (what a client must do to plain prose)."""
    return "".join("\\" + c if c in RESERVED else c for c in text)


def _is_word_char(c):
    return c.isalnum()  # '_' is reserved, so it cannot be part of a hashtag word


def _parse_mention(s, i):
    # s[i] == '@'
    if i + 1 >= len(s) or s[i + 1] != "[":
        return None
    j = i + 2
    name = []
    while j < len(s) and s[j] != "]":
        if s[j] == "\\" and j + 1 < len(s) and s[j + 1] in RESERVED:
            name.append(s[j + 1])
            j += 2
            continue
        if s[j] in RESERVED:
            return None
        name.append(s[j])
        j += 1
    if j >= len(s) or j + 1 >= len(s) or s[j + 1] != "(":
        return None
    k = s.find(")", j + 2)
    if k < 0:
        return None
    urn = s[j + 2:k]
    if not urn.startswith("urn:li:") or any(c in urn for c in " ()"):
        return None
    return ("mention", "".join(name), urn), k + 1


def _parse_hashtag(s, i):
    j = i + 1
    while j < len(s) and _is_word_char(s[j]):
        j += 1
    if j == i + 1:
        return None
    return ("hashtag", s[i + 1:j]), j


def _parse_template(s, i):
    # {hashtag|#|word}  {hashtag|\#|word}  {hashtag|＃|word}
    for sign in ("\\#", "#", "\uff03"):
        head = "{hashtag|" + sign + "|"
        if s.startswith(head, i):
            j = i + len(head)
            k = j
            while k < len(s) and _is_word_char(s[k]):
                k += 1
            if k > j and k < len(s) and s[k] == "}":
                return ("hashtag", s[j:k]), k + 1
            return None
    return None


def parse(s):
    """-> (elements, error) where error is None or (index, message)."""
    elements = []
    buf = []
    i = 0

    def flush():
        if buf:
            elements.append(("text", "".join(buf)))
            buf.clear()

    while i < len(s):
        c = s[i]
        if c == "\\":
            if i + 1 < len(s) and s[i + 1] in RESERVED:
                buf.append(s[i + 1])
                i += 2
                continue
            flush()
            return elements, (i, "a backslash must be followed by a reserved character")
        if c not in RESERVED:
            buf.append(c)
            i += 1
            continue
        got = None
        if c == "@":
            got = _parse_mention(s, i)
        elif c == "#":
            got = _parse_hashtag(s, i)
        elif c == "{":
            got = _parse_template(s, i)
        if got is None:
            flush()
            return elements, (i, "unescaped reserved character %r" % c)
        flush()
        elements.append(got[0])
        i = got[1]
    flush()
    return elements, None


def canonical(elements, hashtag_template=True):
    out = []
    for el in elements:
        if el[0] == "text":
            out.append(escape(el[1]))
        elif el[0] == "mention":
            out.append("@[%s](%s)" % (escape(el[1]), el[2]))
        elif el[0] == "hashtag":
            out.append("{hashtag|\\#|%s}" % el[1] if hashtag_template else "#" + el[1])
    return "".join(out)


def rendered(elements):
    """What a reader sees on linkedin.com (no markup)."""
    out = []
    for el in elements:
        if el[0] == "text":
            out.append(el[1])
        elif el[0] == "mention":
            out.append(el[1])
        elif el[0] == "hashtag":
            out.append("#" + el[1])
    return "".join(out)
