//! Mastodon counting, after `StatusLengthValidator` (app/validators/status_length_validator.rb).
//!
//! The server, not the composer, has the last word, so this follows the validator:
//! the spoiler (content warning) and the text are joined and counted in grapheme clusters,
//! after every URL *with a scheme* in the text is replaced by 23 `x` and every
//! `@user@domain` mention by `@user`. URL and mention matches that overlap are resolved the way
//! twitter-text's `remove_overlapping_entities` does: earlier start wins.
//!
//! URLs are found with the twitter-text crate (Mastodon also starts from twitter-text's
//! regex) and then re-measured with the looser path and query rules of Mastodon's
//! config/initializers/twitter_regex.rb, so `https://ja.wikipedia.org/wiki/日本` is one link,
//! as on Mastodon, not a link followed by two characters. Mastodon also links `gemini://`,
//! `dat://`, `ipfs://` … URLs; those are found by their scheme followed by a domain that
//! twitter-text accepts. Ruby's `[[:word:]]` (in mentions) is approximated with Rust's Unicode
//! predicates.

use std::borrow::Cow;
use std::ops::Range;

use unicode_normalization::char::is_combining_mark;

use super::{Length, graphemes, x};

/// Mastodon bills every link at this width, whatever its real length.
const URL_PLACEHOLDER: &str = "xxxxxxxxxxxxxxxxxxxxxxx";

/// Mastodon with a spoiler (content warning); both count together against one limit.
pub fn mastodon_with_spoiler(spoiler: &str, text: &str) -> Length {
    let countable = countable_text(text);
    // Joined before counting, as the validator does, so a text starting with a combining
    // mark merges into the spoiler's last grapheme exactly as on the server.
    let chars = if spoiler.is_empty() {
        graphemes(&countable)
    } else {
        let mut combined = String::with_capacity(spoiler.len() + countable.len());
        combined.push_str(spoiler);
        combined.push_str(&countable);
        graphemes(&combined)
    };
    Length { chars, bytes: spoiler.len() + text.len() }
}

/// A post without a content warning.
pub(crate) fn count(text: &str) -> Length {
    mastodon_with_spoiler("", text)
}

/// What the validator's `countable_text` does: the text with links and remote mentions
/// shortened to what they cost.
fn countable_text(text: &str) -> Cow<'_, str> {
    // Rails' `blank?`: a whitespace-only text counts as nothing.
    if text.chars().all(char::is_whitespace) {
        return Cow::Borrowed("");
    }
    let mut entities: Vec<Entity> =
        mastodon_urls(text).into_iter().map(|range| Entity { range, replacement: Replacement::Url }).collect();
    entities.extend(mentions(text));
    if entities.is_empty() {
        return Cow::Borrowed(text);
    }
    entities.sort_by_key(|e| e.range.start);

    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for entity in entities {
        if entity.range.start < last {
            // Overlaps an entity already kept.
            continue;
        }
        out.push_str(&text[last..entity.range.start]);
        match entity.replacement {
            Replacement::Url => out.push_str(URL_PLACEHOLDER),
            Replacement::Keep(local) => out.push_str(&text[local]),
        }
        last = entity.range.end;
    }
    out.push_str(&text[last..]);
    Cow::Owned(out)
}

struct Entity {
    /// Byte range in the text.
    range: Range<usize>,
    replacement: Replacement,
}

enum Replacement {
    Url,
    /// Keep only this byte range of the text (`@user` of `@user@domain`).
    Keep(Range<usize>),
}

/// Schemes Mastodon links besides `http(s)`, which twitter-text does not know.
const OTHER_SCHEMES: [&str; 7] = ["dat", "dweb", "ipfs", "ipns", "ssb", "gopher", "gemini"];

/// Whitespace-separated tokens of `text` that contain "://", with their byte offsets: found
/// from each "://" outwards rather than by searching every token of the text.
fn tokens_with_scheme(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut from = 0;
    std::iter::from_fn(move || {
        let at = from + text.get(from..)?.find("://")?;
        let start =
            text[..at].rfind(char::is_whitespace).map_or(0, |i| i + text[i..].chars().next().map_or(1, char::len_utf8));
        let end = text[at..].find(char::is_whitespace).map_or(text.len(), |i| at + i);
        from = end;
        Some((start, &text[start..end]))
    })
}

/// Links with a scheme, measured the way Mastodon's URL regex measures them.
fn mastodon_urls(text: &str) -> Vec<Range<usize>> {
    // Mastodon bills only links with a scheme; without "://" there is nothing to extract.
    if !text.contains("://") {
        return Vec::new();
    }
    // (start, end of the scheme's "://", end as twitter-text found it). A URL never spans
    // whitespace and twitter-text judges it by the one character before it, which at a token's
    // start is whitespace either way: so only the tokens holding "://" need parsing, not the
    // whole text — the parser costs time in proportion to what it reads.
    let mut found: Vec<(usize, usize, usize)> = Vec::new();
    for (at, token) in tokens_with_scheme(text) {
        found.extend(x::url_entities(token, false).into_iter().filter_map(|u| {
            let scheme = token[u.bytes.clone()].find("://")?;
            Some((at + u.bytes.start, at + u.bytes.start + scheme + 3, at + u.bytes.end))
        }));
    }
    if text.contains("://") {
        found.extend(other_scheme_urls(text));
        found.sort_unstable();
    }
    let mut urls: Vec<Range<usize>> = Vec::new();
    for (start, host_start, end) in found {
        // A link whose path Mastodon extends can swallow the next one
        // (`https://a.example/x,https://b.example`), as one regex scan would.
        if urls.last().is_some_and(|prev| start < prev.end) {
            continue;
        }
        urls.push(start..mastodon_end(text, host_start, end));
    }
    urls
}

/// Links such as `gemini://example.org/`: the scheme, then what twitter-text accepts as a
/// domain.
fn other_scheme_urls(text: &str) -> Vec<(usize, usize, usize)> {
    let mut urls = Vec::new();
    for (i, _) in text.match_indices("://") {
        let before = &text.as_bytes()[..i];
        let Some(scheme) = OTHER_SCHEMES.iter().find(|scheme| {
            before.len() >= scheme.len()
                && before[before.len() - scheme.len()..].eq_ignore_ascii_case(scheme.as_bytes())
        }) else {
            continue;
        };
        let start = i - scheme.len();
        // twitter-text's `valid_url_preceding_chars`.
        if text[..start].chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric() || "@＠$#＃".contains(c)) {
            continue;
        }
        let host_start = i + 3;
        if let Some(domain) =
            x::url_entities(&text[host_start..], true).into_iter().next().filter(|u| u.bytes.start == 0)
        {
            urls.push((start, host_start, host_start + domain.bytes.end));
        }
    }
    urls
}

/// Where Mastodon's regex ends a link whose host starts at `host_start` and which twitter-text
/// ended at `found_end`: the host as found, then the path and query by Mastodon's rules.
fn mastodon_end(text: &str, host_start: usize, found_end: usize) -> usize {
    let found = &text[host_start..found_end];
    let host_len = found.find(['/', '?']).unwrap_or(found.len());
    // twitter-text truncates t.co links to their slug and Mastodon keeps that rule.
    if found[..host_len].eq_ignore_ascii_case("t.co") {
        return found_end;
    }
    let mut pos = host_start + host_len;
    if text[pos..].starts_with('/') {
        pos += path_len(&text[pos..]);
    }
    if text[pos..].starts_with('?') {
        pos += query_len(&text[pos..]);
    }
    pos
}

/// Length in bytes of `(/valid_url_path*)?` at the start of `s`, which starts with `/`.
///
/// The path runs over "general" characters and balanced parentheses and ends at the last
/// character allowed to end a path (a terminal parenthesised group counts only when its
/// content is made of twitter-text's stricter path characters, as in Mastodon's regex).
fn path_len(s: &str) -> usize {
    let mut pos = 1;
    let mut end = 1;
    while let Some(c) = s[pos..].chars().next() {
        if c == '(' {
            let Some(len) = balanced_parens(&s[pos..], is_general_path_char) else {
                break;
            };
            if balanced_parens(&s[pos..], is_twitter_path_char) == Some(len) {
                end = pos + len;
            }
            pos += len;
        } else if is_general_path_char(c) {
            pos += c.len_utf8();
            if is_path_ending_char(c) {
                end = pos;
            }
        } else {
            break;
        }
    }
    end
}

/// Length of a balanced parenthesised group at the start of `s` (one nesting level allowed),
/// whose other characters satisfy `inner`.
fn balanced_parens(s: &str, inner: fn(char) -> bool) -> Option<usize> {
    let body = s.strip_prefix('(')?;
    let run = |t: &str| -> usize { t.char_indices().find(|&(_, c)| !inner(c)).map_or(t.len(), |(i, _)| i) };
    let first = run(body);
    let after = &body[first..];
    if first > 0 && after.starts_with(')') {
        return Some(1 + first + 1);
    }
    // G* ( G+ ) G* )
    let nested = after.strip_prefix('(')?;
    let inner_len = run(nested);
    if inner_len == 0 {
        return None;
    }
    let close = nested[inner_len..].strip_prefix(')')?;
    let tail = run(close);
    close[tail..].strip_prefix(')')?;
    Some(1 + first + 1 + inner_len + 1 + tail + 1)
}

/// Length in bytes of `\?valid_url_query_chars*valid_url_query_ending_chars` at the start of
/// `s` (which starts with `?`), or 0 when no query ending character follows.
fn query_len(s: &str) -> usize {
    let mut end = 0;
    for (i, c) in s.char_indices().skip(1) {
        if !is_query_char(c) {
            break;
        }
        if is_query_ending_char(c) {
            end = i + c.len_utf8();
        }
    }
    end
}

/// `[^\p{White_Space}<>()?]`
fn is_general_path_char(c: char) -> bool {
    !c.is_whitespace() && !matches!(c, '<' | '>' | '(' | ')' | '?')
}

/// `[^\p{White_Space}()?!*"'「」<>;:=,.$%\[\]~&|@]`
fn is_path_ending_char(c: char) -> bool {
    !c.is_whitespace()
        && !matches!(
            c,
            '(' | ')'
                | '?'
                | '!'
                | '*'
                | '"'
                | '\''
                | '「'
                | '」'
                | '<'
                | '>'
                | ';'
                | ':'
                | '='
                | ','
                | '.'
                | '$'
                | '%'
                | '['
                | ']'
                | '~'
                | '&'
                | '|'
                | '@'
        )
}

/// twitter-text's own `valid_general_url_path_chars`, which Mastodon still uses inside a
/// path-final parenthesised group.
fn is_twitter_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!*';:=+,.$/%#[]-_~&|@\u{2013}".contains(c) || is_cyrillic(c) || is_latin_accent(c)
}

/// `[a-z0-9!?*'();:&=+$/%#\[\]\-_.,~|@\^UCHARS]`
fn is_query_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!?*'();:&=+$/%#[]-_.,~|@^".contains(c) || is_uchar(c)
}

/// `[a-z0-9_&=#/\-UCHARS]`
fn is_query_ending_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_&=#/-".contains(c) || is_uchar(c)
}

/// Mastodon's `UCHARS`: the non-ASCII code points RFC 3987 allows in an IRI query.
fn is_uchar(c: char) -> bool {
    let cp = u32::from(c);
    match cp {
        0xA0..=0xD7FF | 0xE000..=0xF8FF | 0xF900..=0xFDCF | 0xFDF0..=0xFFEF => true,
        0xE0000..=0xE0FFF => false,
        0x10000..=0x10FFFF => cp & 0xFFFF <= 0xFFFD,
        _ => false,
    }
}

/// The Cyrillic blocks, standing in for Ruby's `\p{Cyrillic}`.
fn is_cyrillic(c: char) -> bool {
    matches!(
        u32::from(c),
        0x0400..=0x052F | 0x1C80..=0x1C8F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F | 0x1E030..=0x1E08F
    )
}

/// twitter-text's `LATIN_ACCENTS`.
fn is_latin_accent(c: char) -> bool {
    matches!(
        u32::from(c),
        0xC0..=0xD6
            | 0xD8..=0xF6
            | 0xF8..=0xFF
            | 0x100..=0x24F
            | 0x253
            | 0x254
            | 0x256
            | 0x257
            | 0x259
            | 0x25B
            | 0x263
            | 0x268
            | 0x26F
            | 0x272
            | 0x289
            | 0x28B
            | 0x2BB
            | 0x300..=0x36F
            | 0x1E00..=0x1EFF
    )
}

/// Ruby's `[[:word:]]` (letters, marks, decimal digits, connector punctuation), approximated.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
        || is_combining_mark(c)
        || matches!(
            c,
            '_' | '\u{203F}' | '\u{2040}' | '\u{2054}' | '\u{FE33}' | '\u{FE34}' | '\u{FE4D}'..='\u{FE4F}' | '\u{FF3F}'
        )
}

fn is_username_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Mentions as Mastodon's `Extractor.extract_mentions_or_lists_with_indices` finds them with
/// `Account::MENTION_RE`:
/// `(?<![=/[:word:]])@(([a-z0-9_]+([a-z0-9_.-]+[a-z0-9_]+)?)(?:@[[:word:].-]+[[:word:]]+)?)`,
/// dropping a match followed by `@`, a Latin accent or `://`.
fn mentions(text: &str) -> Vec<Entity> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(offset) = text[from..].find('@') {
        let at = from + offset;
        from = at + 1;
        if text[..at].chars().next_back().is_some_and(|c| c == '=' || c == '/' || is_word_char(c)) {
            continue;
        }
        let user_start = at + 1;
        let user_len =
            trimmed_run(&text[user_start..], |c| is_username_char(c) || c == '.' || c == '-', is_username_char);
        if user_len == 0 || !text[user_start..].starts_with(is_username_char) {
            continue;
        }
        let user_end = user_start + user_len;
        let mut end = user_end;
        if let Some(domain) = text[user_end..].strip_prefix('@') {
            let domain_len = trimmed_run(domain, |c| is_word_char(c) || c == '.' || c == '-', is_word_char);
            // `[[:word:].-]+[[:word:]]+` needs at least two characters.
            if domain[..domain_len].chars().nth(1).is_some() {
                end = user_end + 1 + domain_len;
            }
        }
        // The regex scan resumes after the match even when the match is then rejected.
        from = end;
        let after = &text[end..];
        if after.starts_with(['@', '＠']) || after.starts_with("://") {
            continue;
        }
        if after.chars().next().is_some_and(is_latin_accent) {
            continue;
        }
        found.push(Entity { range: at..end, replacement: Replacement::Keep(at..user_end) });
    }
    found
}

/// Byte length of the longest prefix of `s` made of `run` characters, cut back to its last
/// `last` character: what a greedy `[run]*[last]` settles on after backtracking.
fn trimmed_run(s: &str, run: impl Fn(char) -> bool, last: impl Fn(char) -> bool) -> usize {
    let mut end = 0;
    for (i, c) in s.char_indices() {
        if !run(c) {
            break;
        }
        if last(c) {
            end = i + c.len_utf8();
        }
    }
    end
}

#[cfg(test)]
mod tests {

    /// Parsing only the tokens that hold "://" finds what parsing the whole text finds.
    /// Tokens found from each "://" are the tokens a split of the whole text finds.
    #[test]
    fn tokens_with_scheme_are_the_split_tokens_holding_one() {
        for text in [
            "",
            "://",
            "a://b c://d://e  x:// \u{a0}y://z\u{3000}w",
            "Läs https://a.se/x och\nhttp://b.se,https://c.se\t:// slut",
            "ingen länk här",
            "é://å ö",
        ] {
            let split: Vec<(usize, &str)> = text
                .split(char::is_whitespace)
                .filter(|t| t.contains("://"))
                .map(|t| (t.as_ptr() as usize - text.as_ptr() as usize, t))
                .collect();
            assert_eq!(tokens_with_scheme(text).collect::<Vec<_>>(), split, "{text:?}");
        }
    }

    #[test]
    fn token_wise_extraction_matches_the_whole_text() {
        for text in [
            "Se https://www.exempelstad.se/snö, och (https://a.se/x_(y)) samt\u{a0}http://b.se/?q=1.",
            "ahttps://no.se https://ok.se/väg\nnästa rad:https://c.se @x@y.se https://d.se/#frag!",
            "”https://e.se/citat” https://f.se,https://g.se gemini://h.se/x",
        ] {
            let whole: Vec<(usize, usize)> = super::x::url_entities(text, false)
                .into_iter()
                .filter(|u| text[u.bytes.clone()].contains("://"))
                .map(|u| (u.bytes.start, u.bytes.end))
                .collect();
            let mut tokens: Vec<(usize, usize)> = Vec::new();
            for (at, token) in tokens_with_scheme(text) {
                for u in super::x::url_entities(token, false) {
                    if token[u.bytes.clone()].contains("://") {
                        tokens.push((at + u.bytes.start, at + u.bytes.end));
                    }
                }
            }
            assert_eq!(tokens, whole, "{text:?}");
        }
    }
    use super::*;

    #[test]
    fn remote_mention_is_shortened() {
        assert_eq!(countable_text("hi @anna@example.social!"), "hi @anna!");
    }

    #[test]
    fn mention_rejected_when_followed_by_at_sign() {
        assert_eq!(countable_text("@anna@x@y"), "@anna@x@y");
    }

    #[test]
    fn mention_needs_free_left_side() {
        assert_eq!(countable_text("mail anna@example.social"), "mail anna@example.social");
        assert_eq!(countable_text("a=@anna@example.social"), "a=@anna@example.social");
    }

    #[test]
    fn trailing_dots_are_not_part_of_a_mention() {
        assert_eq!(countable_text("@anna.@example.social."), "@anna.@example.social.");
        assert_eq!(countable_text("(@anna@example.social.)"), "(@anna.)");
    }

    #[test]
    fn url_path_follows_mastodon() {
        assert_eq!(countable_text("https://ja.wikipedia.org/wiki/日本 ok"), format!("{URL_PLACEHOLDER} ok"));
        assert_eq!(countable_text("https://example.com/a=."), format!("{URL_PLACEHOLDER}=."));
        assert_eq!(countable_text("https://en.wikipedia.org/wiki/Foo_(bar))"), format!("{URL_PLACEHOLDER})"));
        assert_eq!(countable_text("https://example.com/?q=1&r=å."), format!("{URL_PLACEHOLDER}."));
    }

    #[test]
    fn other_schemes_are_links() {
        assert_eq!(countable_text("gemini://gemini.circumlunar.space/docs/ x"), format!("{URL_PLACEHOLDER} x"));
        assert_eq!(countable_text("GOPHER://example.org"), URL_PLACEHOLDER);
        assert_eq!(countable_text("xgemini://example.org"), "xgemini://example.org");
        assert_eq!(countable_text("gemini://nodomain"), "gemini://nodomain");
    }

    #[test]
    fn balanced_parens_nest_once() {
        assert_eq!(balanced_parens("(a)", is_general_path_char), Some(3));
        assert_eq!(balanced_parens("(a(b)c)", is_general_path_char), Some(7));
        assert_eq!(balanced_parens("()", is_general_path_char), None);
        assert_eq!(balanced_parens("(a", is_general_path_char), None);
    }

    #[test]
    fn blank_text_counts_nothing() {
        assert_eq!(count(" \n\t").chars, 0);
    }
}
