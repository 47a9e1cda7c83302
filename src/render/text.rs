//! A parsed body becomes plain social-media text: emphasis dropped (never Unicode "bold"
//! letters, which screen readers spell out), headings as their own line, lists with bullets,
//! links as marked URLs that each platform then writes its own way.

use crate::platform::segment as marker;
use crate::post::{Block, BlockKind, Inline, Part};

/// The marked text of one part.
pub(crate) fn part_text(part: &Part) -> String {
    let mut out = String::new();
    let mut prev: Option<BlockKind> = None;
    for block in &part.blocks {
        if let Some(p) = prev {
            let same_list = matches!((p, block.kind), (BlockKind::ListItem { list: a, .. }, BlockKind::ListItem { list: b, .. }) if a == b);
            out.push_str(if same_list { "\n" } else { "\n\n" });
        }
        block_text(block, &mut out);
        prev = Some(block.kind);
    }
    out
}

/// Parts joined for platforms that do not thread.
#[cfg(test)]
pub(crate) fn joined_text(parts: &[Part]) -> String {
    join(&parts.iter().map(part_text).collect::<Vec<_>>())
}

/// The marked texts of parts joined for platforms that do not thread.
pub(crate) fn join(part_texts: &[String]) -> String {
    part_texts.iter().filter(|t| !t.is_empty()).map(String::as_str).collect::<Vec<_>>().join("\n\n")
}

fn block_text(block: &Block, out: &mut String) {
    match block.kind {
        BlockKind::ListItem { number, depth, .. } => {
            out.push_str(&"  ".repeat(depth));
            match number {
                Some(n) => out.push_str(&format!("{n}. ")),
                None => out.push_str("• "),
            }
        }
        BlockKind::Quote => out.push('”'),
        _ => {}
    }
    let start = out.len();
    for inline in &block.inlines {
        match inline {
            Inline::Text { text, .. } => mark_inline(&clean(text), out),
            Inline::Break => out.push('\n'),
            Inline::Link { text, url, .. } => link(text, url, out),
        }
    }
    // Trailing spaces from soft breaks or markup are noise in a post.
    let trimmed = out[start..].trim_end().len();
    out.truncate(start + trimmed);
    if block.kind == BlockKind::Quote {
        out.push('”');
    }
}

/// `[text](url)` reads "text (url)"; a link whose text is its address reads as the address.
/// Hiding the address behind other words is avoided on purpose: citizens should see where a
/// public authority sends them.
fn link(text: &str, url: &str, out: &mut String) {
    let bare = |s: &str| {
        s.trim_start_matches("https://")
            .trim_start_matches("http://")
            .trim_start_matches("mailto:")
            .trim_end_matches('/')
            .to_string()
    };
    if text.trim().is_empty() || bare(text) == bare(url) {
        out.push_str(&marker::link(url));
    } else {
        out.push_str(&clean(text));
        out.push_str(" (");
        out.push_str(&marker::link(url));
        out.push(')');
    }
}

/// Bare `https://` addresses and `#Hashtags` written in running text become marked links and
/// tags, so Bluesky gets facets for them (it links nothing by itself) and LinkedIn its hashtag
/// syntax, exactly as for links and tags written the Markdown way.
fn mark_inline(text: &str, out: &mut String) {
    let mut rest = text;
    while !rest.is_empty() {
        let next = next_entity(rest);
        let Some((start, end, is_url)) = next else {
            out.push_str(rest);
            return;
        };
        out.push_str(&rest[..start]);
        let entity = &rest[start..end];
        if is_url {
            out.push_str(&marker::link(entity));
        } else {
            out.push_str(&marker::tag(&entity[1..]));
        }
        rest = &rest[end..];
    }
}

/// The first URL or hashtag in `text`: byte range and whether it is a URL.
///
/// Both start with an ASCII byte, `h` or `#`: `memchr` finds those, and only there is the
/// character before looked at, instead of deciding for every character of every post whether
/// a word starts there.
fn next_entity(text: &str) -> Option<(usize, usize, bool)> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(offset) = memchr::memchr2(b'h', b'#', &bytes[from..]) {
        let i = from + offset;
        from = i + 1;
        let at_word_start = text[..i]
            .chars()
            .next_back()
            .is_none_or(|p| p.is_whitespace() || matches!(p, '(' | '"' | '”' | '\'' | '['));
        if !at_word_start {
            continue;
        }
        if bytes[i] == b'h' && (text[i..].starts_with("https://") || text[i..].starts_with("http://")) {
            let end = url_end(&text[i..]);
            let scheme_len = if text[i..].starts_with("https://") { 8 } else { 7 };
            if end > scheme_len {
                return Some((i, i + end, true));
            }
        }
        if bytes[i] == b'#' {
            let tail = &text[i + 1..];
            let len: usize = tail.chars().take_while(|c| c.is_alphanumeric() || *c == '_').map(char::len_utf8).sum();
            // A hashtag needs a letter: "#1" is a number, not a tag.
            if len > 0 && tail[..len].chars().any(char::is_alphabetic) {
                return Some((i, i + 1 + len, false));
            }
        }
    }
    None
}

/// Where a bare URL ends: at whitespace, minus trailing punctuation that belongs to the
/// sentence, and minus a closing bracket that has no opening one inside the URL.
fn url_end(text: &str) -> usize {
    let mut end = text.find(char::is_whitespace).unwrap_or(text.len());
    loop {
        let url = &text[..end];
        let Some(last) = url.chars().last() else { return end };
        let unbalanced = last == ')' && url.matches('(').count() < url.matches(')').count();
        if matches!(last, '.' | ',' | ';' | ':' | '!' | '?' | '"' | '”' | '\'' | '»') || unbalanced {
            end -= last.len_utf8();
        } else {
            return end;
        }
    }
}

/// Removes marker characters a post could smuggle in. They are private-use characters whose
/// UTF-8 starts with the byte 0xEE, which ordinary text almost never holds; so the bytes are
/// scanned first and only text that has one is rebuilt.
fn clean(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.as_bytes().contains(&0xEE) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(text.chars().filter(|c| !marker::is_marker(*c)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::segment::strip;

    fn render(md: &str) -> String {
        let body = crate::post::parse_body(md);
        strip(&joined_text(&body.parts))
    }

    #[test]
    fn emphasis_is_dropped_and_lists_are_bulleted() {
        assert_eq!(
            render("# Rubrik\n\nDet är **viktigt** och *snabbt*.\n\n- ett\n- två\n\n1. a\n2. b\n"),
            "Rubrik\n\nDet är viktigt och snabbt.\n\n• ett\n• två\n\n1. a\n2. b"
        );
    }

    #[test]
    fn links() {
        assert_eq!(
            render("Se [vår sida](https://a.se/x) och <https://b.se>."),
            "Se vår sida (https://a.se/x) och https://b.se."
        );
        assert_eq!(render("[a.se/x](https://a.se/x)"), "https://a.se/x");
    }

    #[test]
    fn bare_urls_and_hashtags_in_text_are_marked() {
        let body =
            crate::post::parse_body("Läs på https://a.se/x_(y). Eller (https://b.se/z), #Snöröjning och #1 och a#b.");
        let marked = joined_text(&body.parts);
        let segs = crate::platform::segment::decode(&marked);
        use crate::platform::Segment::*;
        assert_eq!(
            segs,
            vec![
                Text("Läs på "),
                Link("https://a.se/x_(y)"),
                Text(". Eller ("),
                Link("https://b.se/z"),
                Text("), "),
                Tag("Snöröjning"),
                Text(" och #1 och a#b."),
            ]
        );
    }

    /// The first way of finding the next entity, character by character, kept to hold the
    /// `memchr` one to it.
    fn next_entity_by_chars(text: &str) -> Option<(usize, usize, bool)> {
        let mut prev: Option<char> = None;
        for (i, c) in text.char_indices() {
            let at_word_start = prev.is_none_or(|p| p.is_whitespace() || matches!(p, '(' | '"' | '”' | '\'' | '['));
            if at_word_start && (c == 'h') && (text[i..].starts_with("https://") || text[i..].starts_with("http://")) {
                let end = url_end(&text[i..]);
                let scheme_len = if text[i..].starts_with("https://") { 8 } else { 7 };
                if end > scheme_len {
                    return Some((i, i + end, true));
                }
            }
            if at_word_start && c == '#' {
                let tail = &text[i + 1..];
                let len: usize =
                    tail.chars().take_while(|c| c.is_alphanumeric() || *c == '_').map(char::len_utf8).sum();
                // A hashtag needs a letter: "#1" is a number, not a tag.
                if len > 0 && tail[..len].chars().any(char::is_alphabetic) {
                    return Some((i, i + 1 + len, false));
                }
            }
            prev = Some(c);
        }
        None
    }

    #[test]
    fn entities_are_found_where_the_character_walk_finds_them() {
        const PIECES: [&str; 20] = [
            "h", "#", "https://", "http://", "a.se/x", " ", "\n", "(", ")", "\"", "”", "'", "[", "å", "_", "1", "Snö",
            ".", "x#", "\u{3000}",
        ];
        let mut next = crate::testing::seeded(11);
        for _ in 0..20_000 {
            let text: String = (0..next(12)).map(|_| PIECES[next(PIECES.len())]).collect();
            assert_eq!(next_entity(&text), next_entity_by_chars(&text), "{text:?}");
        }
    }

    #[test]
    fn parts_join_for_non_threading_platforms() {
        assert_eq!(render("Ett.\n\n---\n\nTvå."), "Ett.\n\nTvå.");
    }
}
