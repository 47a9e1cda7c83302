//! A rendered part's text as HTML, the way the platform would show it: links, mentions and
//! hashtags marked, and whatever lies past the platform's limit highlighted so a reviewer sees
//! exactly which words would be cut or refused.
//!
//! The input is the payload the renderer produced (never the Markdown), so what is marked is
//! what will be sent. Bluesky's links and tags come from its facets (byte offsets into the
//! payload, as the API reads them); other platforms link what they recognise in plain text,
//! which is approximated here with the same patterns the counting modules treat as links.

use crate::escape::html as escape;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use crate::platform::{self, PlatformId, segment::Feature};
use crate::render::RenderedPart;

/// What a span of the text is, as the platform shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Link(String),
    Mention,
    Tag,
}

#[derive(Debug)]
struct Span {
    range: Range<usize>,
    kind: Kind,
}

/// Web addresses as platforms auto-link them; trailing sentence punctuation is not part of one.
static URL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"https?://[^\s<>"]+"#).expect("valid regex"));
/// `#Tag` after a start, space or punctuation (not inside a word or an `&#…;` entity).
static TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?:^|[^\w&/])(#[\p{L}\p{N}_]+)").expect("valid regex"));
/// `@user` and Mastodon's `@user@example.org`.
static MENTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\w/])(@[A-Za-z0-9_.]+(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?)").expect("valid regex")
});

/// A part marked up for a preview.
pub(crate) struct MarkedPart {
    /// HTML, escaped; whitespace is kept by the stylesheet (`pre-wrap`).
    pub html: String,
    /// Characters over the limit (in the platform's unit), 0 when it fits.
    pub over_by: usize,
    /// The first web address in the part, for a link card.
    pub first_link: Option<String>,
}

/// LinkedIn's payload escapes its reserved characters and writes tags as `{hashtag|\#|Tag}`;
/// the reader sees the plain text, which is what the limit and the preview are about.
pub(crate) fn display_text(id: PlatformId, payload: &str) -> String {
    if id != PlatformId::Linkedin {
        return payload.to_string();
    }
    let mut out = String::with_capacity(payload.len());
    let mut rest = payload;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("{hashtag|\\#|")
            && let Some(end) = after.find('}')
        {
            out.push('#');
            out.push_str(&after[..end]);
            rest = &after[end + 1..];
            continue;
        }
        let mut chars = rest.chars();
        match chars.next() {
            Some('\\') => {
                if let Some(c) = chars.next() {
                    out.push(c);
                }
            }
            Some(c) => out.push(c),
            None => break,
        }
        rest = chars.as_str();
    }
    out
}

/// Marks `part` for `id`; `over_label` is read out by screen readers where the overflow starts.
pub(crate) fn mark(id: PlatformId, part: &RenderedPart, limit: usize, over_label: &str) -> MarkedPart {
    let text = display_text(id, &part.text);
    let spans = spans(id, part, &text);
    let cut = if part.over_limit { overflow_start(id, &text, limit) } else { text.len() };
    let over_by = if part.over_limit { part.length.saturating_sub(limit).max(1) } else { 0 };
    let first_link = spans.iter().find_map(|s| match &s.kind {
        Kind::Link(href) => Some(href.clone()),
        _ => None,
    });

    let mut html = String::with_capacity(text.len() + 64);
    let mut pos = 0;
    let mut pieces: Vec<(Range<usize>, Option<&Kind>)> = Vec::new();
    for s in &spans {
        if s.range.start > pos {
            pieces.push((pos..s.range.start, None));
        }
        pieces.push((s.range.clone(), Some(&s.kind)));
        pos = s.range.end;
    }
    if pos < text.len() {
        pieces.push((pos..text.len(), None));
    }
    let mut in_over = false;
    for (range, kind) in pieces {
        // A piece that straddles the cut is written in two halves.
        let halves =
            if range.start < cut && cut < range.end { vec![range.start..cut, cut..range.end] } else { vec![range] };
        for half in halves {
            let over = half.start >= cut;
            if over && !in_over {
                html.push_str("<mark class=\"pv-over\"><span class=\"pv-sr\">");
                html.push_str(&escape(over_label));
                html.push_str(" </span>");
                in_over = true;
            }
            write_piece(&mut html, id, &text[half], kind);
        }
    }
    if in_over {
        html.push_str("</mark>");
    }
    MarkedPart { html, over_by, first_link }
}

fn write_piece(html: &mut String, id: PlatformId, text: &str, kind: Option<&Kind>) {
    match kind {
        // Instagram does not link addresses in captions; show them as the reader sees them.
        Some(Kind::Link(href)) if id != PlatformId::Instagram && crate::escape::is_web_url(href) => {
            html.push_str("<a class=\"pv-link\" href=\"");
            html.push_str(&escape(href));
            html.push_str("\">");
            html.push_str(&escape(text));
            html.push_str("</a>");
        }
        Some(Kind::Link(_)) => {
            html.push_str("<span class=\"pv-url\">");
            html.push_str(&escape(text));
            html.push_str("</span>");
        }
        Some(Kind::Mention) => {
            html.push_str("<span class=\"pv-mention\">");
            html.push_str(&escape(text));
            html.push_str("</span>");
        }
        Some(Kind::Tag) => {
            html.push_str("<span class=\"pv-tag\">");
            html.push_str(&escape(text));
            html.push_str("</span>");
        }
        None => html.push_str(&escape(text)),
    }
}

/// Non-overlapping spans in text order.
fn spans(id: PlatformId, part: &RenderedPart, text: &str) -> Vec<Span> {
    let mut spans: Vec<Span> = Vec::new();
    if id == PlatformId::Bluesky && !part.facets.is_empty() {
        for f in &part.facets {
            let range = f.index.byte_start..f.index.byte_end;
            if text.get(range.clone()).is_none() {
                continue;
            }
            for feature in &f.features {
                let kind = match feature {
                    Feature::Link { uri } => Kind::Link(uri.clone()),
                    Feature::Tag { .. } => Kind::Tag,
                };
                spans.push(Span { range: range.clone(), kind });
            }
        }
    } else {
        for m in URL.find_iter(text) {
            let url = m.as_str().trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '\'', '»', '”']);
            spans.push(Span { range: m.start()..m.start() + url.len(), kind: Kind::Link(url.to_string()) });
        }
        for c in TAG.captures_iter(text) {
            if let Some(m) = c.get(1) {
                spans.push(Span { range: m.range(), kind: Kind::Tag });
            }
        }
    }
    for c in MENTION.captures_iter(text) {
        if let Some(m) = c.get(1) {
            spans.push(Span { range: m.range(), kind: Kind::Mention });
        }
    }
    spans.sort_by_key(|s| (s.range.start, std::cmp::Reverse(s.range.end)));
    // Earlier and longer wins: a mention inside a URL stays part of the URL.
    let mut kept: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        if kept.last().is_none_or(|k| s.range.start >= k.range.end) {
            kept.push(s);
        }
    }
    kept
}

/// The byte offset where `text` stops fitting `limit` as the platform counts (and, on Bluesky,
/// its byte cap): the longest prefix that fits, found by bisecting over character boundaries.
/// Counting a prefix is how the platform counts the whole, so a cut URL or emoji is treated as
/// the platform would.
fn overflow_start(id: PlatformId, text: &str, limit: usize) -> usize {
    let p = platform::get(id);
    let fits = |end: usize| {
        let len = p.count(&text[..end]);
        len.chars <= limit && p.max_bytes().is_none_or(|m| len.bytes <= m)
    };
    let bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).chain(std::iter::once(text.len())).collect();
    let (mut lo, mut hi) = (0usize, bounds.len() - 1);
    if fits(bounds[hi]) {
        return text.len();
    }
    // Invariant: bounds[lo] fits, bounds[hi] does not.
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        if fits(bounds[mid]) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    bounds[lo]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(text: &str, length: usize, over: bool) -> RenderedPart {
        RenderedPart { text: text.into(), length, bytes: text.len(), over_limit: over, facets: Vec::new() }
    }

    #[test]
    fn marks_links_tags_and_mentions() {
        let m = mark(
            PlatformId::Mastodon,
            &part("Se https://exempelstad.se/a. #Snö @kommun@social.example.se", 40, false),
            500,
            "över",
        );
        assert!(
            m.html.contains("<a class=\"pv-link\" href=\"https://exempelstad.se/a\">https://exempelstad.se/a</a>.")
        );
        assert!(m.html.contains("<span class=\"pv-tag\">#Snö</span>"));
        assert!(m.html.contains("<span class=\"pv-mention\">@kommun@social.example.se</span>"));
        assert_eq!(m.first_link.as_deref(), Some("https://exempelstad.se/a"));
        assert!(!m.html.contains("pv-over"));
    }

    #[test]
    fn highlights_what_is_past_the_limit() {
        let m = mark(PlatformId::Threads, &part("abcdefghij<", 11, true), 8, "över gränsen:");
        assert!(
            m.html.starts_with(
                "abcdefgh<mark class=\"pv-over\"><span class=\"pv-sr\">över gränsen: </span>ij&lt;</mark>"
            )
        );
        assert_eq!(m.over_by, 3);
    }

    #[test]
    fn linkedin_is_shown_unescaped() {
        assert_eq!(display_text(PlatformId::Linkedin, r"Hej \(alla\) {hashtag|\#|Snö}"), "Hej (alla) #Snö");
    }
}
