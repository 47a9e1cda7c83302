//! Prose scopes: the pieces of a post a rule reads — title, each body block, alt texts,
//! hashtags — as plain text, each with a map back to the file's own line and column.
//!
//! The text a rule sees is not the source (Markdown markup, escapes, TOML quotes are gone), so
//! each scope keeps, for every byte of its text, the byte of the file it came from. Findings are
//! then exact in the file a person edits, not in some intermediate string.

use std::ops::Range;

use crate::error::line_col;
use crate::post::{BlockKind, Inline, Post};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScopeKind {
    Title,
    Heading,
    Paragraph,
    ListItem,
    Quote,
    Code,
    Alt,
    Hashtag,
}

impl ScopeKind {
    /// The name used in `[[rules]] scope = "…"`.
    pub fn name(self) -> &'static str {
        match self {
            ScopeKind::Title => "title",
            ScopeKind::Heading => "heading",
            ScopeKind::Paragraph => "paragraph",
            ScopeKind::ListItem => "list",
            ScopeKind::Quote => "quote",
            ScopeKind::Code => "code",
            ScopeKind::Alt => "alt",
            ScopeKind::Hashtag => "hashtag",
        }
    }

    /// Body text, as opposed to metadata: what most prose rules mean by "the text".
    pub fn is_body(self) -> bool {
        matches!(self, ScopeKind::Heading | ScopeKind::Paragraph | ScopeKind::ListItem | ScopeKind::Quote)
    }
}

#[derive(Debug, Clone)]
pub struct Scope {
    pub kind: ScopeKind,
    pub text: String,
    /// For each byte of `text` (and one past the end), the byte offset in the file.
    map: Vec<usize>,
    /// Byte ranges of `text` that are link targets or code: not prose.
    pub links: Vec<Range<usize>>,
    /// Filled by [`crate::check::text::Prose::of_scope`] on first use.
    pub(crate) prose_cache: std::sync::OnceLock<crate::check::text::ProseParts>,
    /// The addresses the links pack finds in `text`, found once for its three rules.
    pub(crate) urls_cache: std::sync::OnceLock<Vec<Range<usize>>>,
}

impl Scope {
    /// File byte offset of a byte offset in `text`.
    pub fn file_offset(&self, text_offset: usize) -> usize {
        self.map.get(text_offset).copied().or_else(|| self.map.last().copied()).unwrap_or(0)
    }

    /// 1-based (line, column) in the file of a range of `text`, start and end.
    pub fn position(&self, post: &Post, range: &Range<usize>) -> ((usize, usize), (usize, usize)) {
        let start = line_col(&post.source, self.file_offset(range.start));
        let end_offset = if range.end > range.start {
            // The end column points just past the last character, as editors expect.
            self.file_offset(range.end - 1) + self.text[..range.end].chars().next_back().map_or(1, char::len_utf8)
        } else {
            self.file_offset(range.end)
        };
        (start, line_col(&post.source, end_offset))
    }
}

/// Builds text from pieces whose source position is known, aligning each piece with its source
/// slice so that escapes, entities and line breaks in the source do not shift positions.
struct Builder<'a> {
    source: &'a str,
    text: String,
    map: Vec<usize>,
    links: Vec<Range<usize>>,
}

impl<'a> Builder<'a> {
    fn new(source: &'a str) -> Self {
        Builder { source, text: String::new(), map: Vec::new(), links: Vec::new() }
    }

    /// Appends `piece`, whose source is `source[range]`.
    fn push(&mut self, piece: &str, range: Range<usize>) {
        let src = self.source.get(range.clone()).unwrap_or("");
        let src_chars: Vec<(usize, char)> = src.char_indices().collect();
        let mut j = 0;
        for c in piece.chars() {
            // Skip source characters that produced nothing in the text (escapes, markup).
            let mut k = j;
            while k < src_chars.len() && !same(src_chars[k].1, c) {
                k += 1;
            }
            let offset = if k < src_chars.len() {
                j = k + 1;
                range.start + src_chars[k].0
            } else {
                // No match (an entity like &amp;): stay at the last known place.
                range.start + src_chars.get(j).map_or(src.len(), |x| x.0)
            };
            for _ in 0..c.len_utf8() {
                self.map.push(offset);
            }
            self.text.push(c);
        }
    }

    /// Appends text that has no source of its own (a separator), mapped to `at`.
    fn push_virtual(&mut self, piece: &str, at: usize) {
        for _ in 0..piece.len() {
            self.map.push(at);
        }
        self.text.push_str(piece);
    }

    fn finish(mut self, kind: ScopeKind, end: usize) -> Scope {
        self.map.push(end);
        Scope {
            kind,
            text: self.text,
            map: self.map,
            links: self.links,
            prose_cache: std::sync::OnceLock::new(),
            urls_cache: std::sync::OnceLock::new(),
        }
    }
}

fn same(a: char, b: char) -> bool {
    a == b || (a.is_whitespace() && b.is_whitespace())
}

/// Every prose scope of a post, in file order.
pub fn scopes(post: &Post) -> Vec<Scope> {
    let mut out = Vec::new();
    let src = &post.source;
    let front = post.front_offset;

    let title = &post.front.title;
    out.push(string_scope(
        src,
        ScopeKind::Title,
        post.front.title.get_ref(),
        front + title.span().start,
        front + title.span().end,
    ));

    for block in post.body().blocks() {
        let kind = match block.kind {
            BlockKind::Paragraph => ScopeKind::Paragraph,
            BlockKind::Heading(_) => ScopeKind::Heading,
            BlockKind::ListItem { .. } => ScopeKind::ListItem,
            BlockKind::Quote => ScopeKind::Quote,
            BlockKind::Code => ScopeKind::Code,
        };
        let mut b = Builder::new(src);
        for inline in &block.inlines {
            match inline {
                Inline::Text { text, range } => b.push(text, range.clone()),
                Inline::Break => b.push_virtual("\n", b.map.last().copied().unwrap_or(block.range.start)),
                Inline::Link { text, url, range } => {
                    b.push(text, range.clone());
                    // The address is kept so privacy and link rules see it, marked as not prose.
                    let url_at = src.get(range.clone()).and_then(|s| s.find(url.as_str())).map(|i| range.start + i);
                    if let Some(at) = url_at {
                        if !text.is_empty() {
                            b.push_virtual(" ", at);
                        }
                        let start = b.text.len();
                        b.push(url, at..at + url.len());
                        let end = b.text.len();
                        b.links.push(start..end);
                    }
                }
            }
        }
        out.push(b.finish(kind, block.range.end));
    }

    for m in &post.front.media {
        if let Some(alt) = &m.alt {
            out.push(string_scope(
                src,
                ScopeKind::Alt,
                alt.get_ref(),
                front + alt.span().start,
                front + alt.span().end,
            ));
        }
    }
    for tag in &post.front.tags {
        out.push(string_scope(
            src,
            ScopeKind::Hashtag,
            tag.get_ref(),
            front + tag.span().start,
            front + tag.span().end,
        ));
    }
    out
}

/// A TOML string value; `start..end` is the whole value in the file, quotes included.
fn string_scope(src: &str, kind: ScopeKind, value: &str, start: usize, end: usize) -> Scope {
    let mut b = Builder::new(src);
    // Skip the opening quotes so an escaped quote inside cannot be mistaken for it.
    let raw = src.get(start..end).unwrap_or("");
    let skip = raw.len() - raw.trim_start_matches(['"', '\'']).len();
    let skip = if raw[skip..].starts_with('\n') { skip + 1 } else { skip };
    b.push(value, start + skip..end);
    b.finish(kind, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(src: &str) -> Post {
        crate::post::tests_support::post_from_source(src)
    }

    fn pos(p: &Post, s: &Scope, needle: &str) -> ((usize, usize), (usize, usize)) {
        let i = s.text.find(needle).unwrap();
        s.position(p, &(i..i + needle.len()))
    }

    #[test]
    fn body_positions_survive_markup_and_escapes() {
        let p = post(
            "+++\ntitle = \"Om \\\"ansökan\\\" här\"\n+++\n\nVi **erhåller** din\nansökan \\* nu. Se [sidan](https://a.se/x).\n",
        );
        let s = scopes(&p);
        assert_eq!(s[0].kind, ScopeKind::Title);
        assert_eq!(s[0].text, "Om \"ansökan\" här");
        assert_eq!(pos(&p, &s[0], "ansökan"), ((2, 15), (2, 22)));
        let body = &s[1];
        assert_eq!(body.text, "Vi erhåller din ansökan * nu. Se sidan https://a.se/x.");
        assert_eq!(pos(&p, body, "erhåller"), ((5, 6), (5, 14)));
        assert_eq!(pos(&p, body, "ansökan"), ((6, 1), (6, 8)));
        assert_eq!(pos(&p, body, "nu"), ((6, 12), (6, 14)));
        assert_eq!(pos(&p, body, "https://a.se/x"), ((6, 27), (6, 41)));
        assert_eq!(body.links.len(), 1);
        assert_eq!(&body.text[body.links[0].clone()], "https://a.se/x");
    }

    #[test]
    fn alt_and_tags_map_into_front_matter() {
        let p = post("+++\ntitle = \"T\"\ntags = [\"Snö\", \"KrisInfo\"]\n+++\n\nText.\n");
        let s = scopes(&p);
        let tags: Vec<_> = s.iter().filter(|s| s.kind == ScopeKind::Hashtag).collect();
        assert_eq!(tags.len(), 2);
        assert_eq!(pos(&p, tags[1], "KrisInfo"), ((3, 17), (3, 25)));
    }
}
