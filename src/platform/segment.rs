//! Rendered text travels through the theme's templates as a plain string in which links and
//! hashtags are wrapped in Unicode private-use markers. Templates stay simple strings, and after
//! templating each platform still knows exactly where its links and tags are — which Bluesky
//! needs for byte-offset facets and LinkedIn for its hashtag syntax.

use serde::Serialize;

const LINK: char = '\u{E000}';
const TAG: char = '\u{E001}';
const END: char = '\u{E002}';

/// The marker characters; a post's own text must not contain them (they are private-use).
pub(crate) fn is_marker(c: char) -> bool {
    matches!(c, LINK | TAG | END)
}

pub(crate) fn link(url: &str) -> String {
    marked(LINK, url)
}

pub(crate) fn tag(name: &str) -> String {
    marked(TAG, name)
}

/// Pushed rather than formatted: every rendering marks its tags and archive link anew, and
/// `format!` cost several times the copying.
fn marked(marker: char, inner: &str) -> String {
    let mut s = String::with_capacity(inner.len() + 2 * 3);
    s.push(marker);
    s.push_str(inner);
    s.push(END);
    s
}

/// A piece of marked text, borrowed from it: decoding runs for every thread part on every
/// platform, so it allocates nothing but the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment<'a> {
    Text(&'a str),
    Link(&'a str),
    Tag(&'a str),
}

/// Splits marked text into segments. Unbalanced markers (a template that cut a string in the
/// middle) degrade to plain text rather than failing: the stray marker is left out.
pub(crate) fn decode(marked: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    while let Some(at) = next_marker(marked, i) {
        let c = marked[at..].chars().next().unwrap_or(END);
        let after = at + c.len_utf8();
        if at > text_start {
            out.push(Segment::Text(&marked[text_start..at]));
        }
        if c != END
            && let Some(end) = find_end(&marked[after..])
        {
            let inner = &marked[after..after + end];
            out.push(if c == LINK { Segment::Link(inner) } else { Segment::Tag(inner) });
            i = after + end + END.len_utf8();
        } else {
            i = after;
        }
        text_start = i;
    }
    if text_start < marked.len() {
        out.push(Segment::Text(&marked[text_start..]));
    }
    out
}

/// The markers' UTF-8 (EE 80 80–82) all start with 0xEE, which ordinary Swedish and English
/// text never holds: finding that byte with `memchr` is far cheaper than decoding every
/// character to test it, and decoding runs for every candidate part on every platform.
const LEAD: u8 = 0xEE;
const END_UTF8: &str = "\u{E002}";

/// The byte offset of the first marker at or after `from` (a character boundary).
fn next_marker(marked: &str, from: usize) -> Option<usize> {
    let bytes = marked.as_bytes();
    let mut i = from;
    while let Some(offset) = memchr::memchr(LEAD, &bytes[i..]) {
        let at = i + offset;
        // 0xEE leads every character of U+E000–U+EFFF; only three of them are markers.
        if let [0x80, 0x80..=0x82, ..] = &bytes[at + 1..] {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

/// `s.find(END_UTF8)`, by its lead byte as [`next_marker`] finds markers: a substring search
/// sets itself up for every call, and this runs for every link and tag of every candidate part.
/// (UTF-8 synchronises itself: the three bytes occur only where the character does.)
fn find_end(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut i = 0;
    while let Some(offset) = memchr::memchr(LEAD, &bytes[i..]) {
        let at = i + offset;
        if bytes[at + 1..].starts_with(&END_UTF8.as_bytes()[1..]) {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

/// Marked text as plain text: links as their URL, tags as `#Tag`.
pub(crate) fn plain(segments: &[Segment]) -> String {
    let mut s = String::with_capacity(plain_len(segments));
    for seg in segments {
        match seg {
            Segment::Text(t) => s.push_str(t),
            Segment::Link(url) => s.push_str(url),
            Segment::Tag(t) => {
                s.push('#');
                s.push_str(t);
            }
        }
    }
    s
}

/// The length of [`plain`]'s text, an upper bound for an encoding that shortens links: a string
/// made that long at once is not grown step by step, copied over again each time, for every
/// measure of every rendering.
pub(crate) fn plain_len(segments: &[Segment]) -> usize {
    segments
        .iter()
        .map(|seg| match seg {
            Segment::Text(t) | Segment::Link(t) => t.len(),
            Segment::Tag(t) => t.len() + 1,
        })
        .sum()
}

/// Strips the markers.
#[cfg(test)]
pub(crate) fn strip(marked: &str) -> String {
    plain(&decode(marked))
}

/// A Bluesky rich-text facet, in the lexicon's own shape (`app.bsky.richtext.facet`), so the
/// JSON in `dist/` is what the API receives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Facet {
    pub index: ByteSlice,
    pub features: Vec<Feature>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ByteSlice {
    pub byte_start: usize,
    pub byte_end: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "$type")]
pub enum Feature {
    #[serde(rename = "app.bsky.richtext.facet#link")]
    Link { uri: String },
    #[serde(rename = "app.bsky.richtext.facet#tag")]
    Tag { tag: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let marked = format!("Läs {} nu {}", link("https://a.se/x"), tag("KrisInfo"));
        let segs = decode(&marked);
        assert_eq!(
            segs,
            vec![
                Segment::Text("Läs "),
                Segment::Link("https://a.se/x"),
                Segment::Text(" nu "),
                Segment::Tag("KrisInfo")
            ]
        );
        assert_eq!(plain(&segs), "Läs https://a.se/x nu #KrisInfo");
    }

    #[test]
    fn other_private_use_characters_are_text() {
        // U+E003, U+E040 and U+EFFF share the markers' lead byte; U+E080 their second byte.
        let marked = format!("a\u{E003}{}\u{E040}b\u{EFFF}\u{E080}{}", link("https://a.se"), tag("T\u{E0FF}"));
        assert_eq!(
            decode(&marked),
            vec![
                Segment::Text("a\u{E003}"),
                Segment::Link("https://a.se"),
                Segment::Text("\u{E040}b\u{EFFF}\u{E080}"),
                Segment::Tag("T\u{E0FF}"),
            ]
        );
    }

    #[test]
    fn the_end_is_found_where_find_finds_it() {
        for s in ["", "x", "\u{E002}", "a\u{E001}\u{E003}b\u{E002}", "\u{E082}\u{E000}", "åäö\u{EFFF}\u{E002}x\u{E002}"]
        {
            for from in (0..=s.len()).filter(|&i| s.is_char_boundary(i)) {
                assert_eq!(find_end(&s[from..]), s[from..].find(END_UTF8), "{s:?} {from}");
            }
        }
    }

    #[test]
    fn unbalanced_marker_is_dropped() {
        assert_eq!(strip("a\u{E000}b"), "ab");
        assert_eq!(strip("a\u{E002}b\u{E001}c"), "abc");
        assert_eq!(strip("\u{E001}tag\u{E002}\u{E002}"), "#tag");
    }
}
