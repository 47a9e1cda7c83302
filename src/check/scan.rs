//! Hand-written equivalents of the regexes every post meets, and the cheap tests that tell when
//! a costlier regex cannot match at all.
//!
//! Compiling a regex with a Unicode class (`\w`, `\p{L}`) costs the regex crate about two
//! million instructions per class, more than checking a whole post does: before these, a
//! one-post `check` spent over half its instructions compiling patterns it then ran once. The
//! functions here find exactly what their regexes find, with the classes from regex-syntax's own
//! tables; each test holds one to its regex (kept there as the reference) on generated text.

use std::ops::Range;
use std::sync::LazyLock;

/// `\w` as the regex crate reads it: Unicode letters, marks, decimal digits, connector
/// punctuation and the joiners.
pub(crate) fn is_word(c: char) -> bool {
    if c.is_ascii() { c.is_ascii_alphanumeric() || c == '_' } else { regex_syntax::is_word_character(c) }
}

/// `[\p{L}\p{N}_]`: what a hashtag is made of.
pub(crate) fn is_tag_char(c: char) -> bool {
    static CLASS: LazyLock<Vec<(char, char)>> = LazyLock::new(|| unicode_class(r"[\p{L}\p{N}_]"));
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    in_ranges(&CLASS, c)
}

/// The ranges of a Unicode class, from regex-syntax's tables (parsing one is cheap; compiling
/// it into an automaton is what costs).
fn unicode_class(pattern: &str) -> Vec<(char, char)> {
    match regex_syntax::Parser::new().parse(pattern).map(|h| h.into_kind()) {
        Ok(regex_syntax::hir::HirKind::Class(regex_syntax::hir::Class::Unicode(class))) => {
            class.ranges().iter().map(|r| (r.start(), r.end())).collect()
        }
        _ => Vec::new(),
    }
}

fn in_ranges(ranges: &[(char, char)], c: char) -> bool {
    ranges
        .binary_search_by(|&(lo, hi)| {
            if hi < c {
                std::cmp::Ordering::Less
            } else if lo > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// `c` as `(?i)` compares it with the letters of the patterns here: ASCII in lower case, and the
/// only other characters whose simple case folding lands on one of those letters, `ſ` (s), the
/// Kelvin sign (k) and `Ä` (ä). A unit test holds this to regex-syntax's case folding.
fn fold(c: char) -> char {
    match c {
        'ſ' => 's',
        '\u{212A}' => 'k',
        'Ä' => 'ä',
        c => c.to_ascii_lowercase(),
    }
}

/// The end of `pattern` (lower case) if `text` has it at `at`, in any case as `(?i)` compares.
fn folded_at(text: &str, at: usize, pattern: &str) -> Option<usize> {
    let mut chars = text[at..].char_indices();
    for p in pattern.chars() {
        let (_, c) = chars.next()?;
        if fold(c) != p {
            return None;
        }
    }
    Some(at + chars.offset())
}

/// Whether `text` ends with `pattern` (lower case), in any case as `(?i)` compares.
pub(crate) fn ends_folded(text: &str, pattern: &str) -> bool {
    let mut chars = text.chars().rev();
    pattern.chars().rev().all(|p| chars.next().is_some_and(|c| fold(c) == p))
}

/// Whether `text` starts with `pattern` (lower case), in any case as `(?i)` compares.
pub(crate) fn starts_folded(text: &str, pattern: &str) -> bool {
    folded_at(text, 0, pattern).is_some()
}

/// Whether `text` holds `pattern` (lower case) anywhere, in any case as `(?i)` compares.
pub(crate) fn contains_folded(text: &str, pattern: &str) -> bool {
    text.char_indices().any(|(i, _)| folded_at(text, i, pattern).is_some())
}

/// The end of the run of characters from `at` that `class` takes.
fn run(text: &str, at: usize, class: impl Fn(char) -> bool) -> usize {
    text[at..].char_indices().find(|&(_, c)| !class(c)).map_or(text.len(), |(i, _)| at + i)
}

/// What [`non_prose`] finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NonProse {
    Url,
    Email,
    Mention,
    Tag,
}

/// Web addresses, e-mail addresses, @mentions and #hashtags in running text, as the regex
///
/// ```text
/// (?i)(?P<url>(?:https?://|www\.)[^\s<>]+)
///    |(?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)
///    |(?:^|[^\w&/@])(?P<mention>@\w+(?:@[\w-]+(?:\.[\w-]+)+)?)
///    |(?:^|[^\w&/\x23])(?P<tag>\x23\w+)
/// ```
///
/// finds them one after the other: the named group's range of each match, leftmost first and at
/// one place the first alternative that matches there. (`\w` and the classes around it are
/// closed under case folding, so `(?i)` only matters for `http`, `https` and `www`.)
pub(crate) fn non_prose(text: &str) -> Vec<(NonProse, Range<usize>)> {
    let mut out = Vec::new();
    // No e-mail address starts before this: the run of address characters from here on is not
    // followed by one, so it is not for any place inside that run either.
    let mut no_email_before = 0;
    let mut p = 0;
    while let Some(c) = text[p..].chars().next() {
        match non_prose_at(text, p, c, &mut no_email_before) {
            Some((kind, group)) => {
                p = group.end;
                out.push((kind, group));
            }
            None => p += c.len_utf8(),
        }
    }
    out
}

/// The match starting at `p` (whose character is `c`), if any: its kind and group.
fn non_prose_at(text: &str, p: usize, c: char, no_email_before: &mut usize) -> Option<(NonProse, Range<usize>)> {
    if matches!(c, 'h' | 'H' | 'w' | 'W') {
        for prefix in ["https://", "http://", "www."] {
            if let Some(e) = folded_at(text, p, prefix) {
                let end = run(text, e, |c| !c.is_whitespace() && c != '<' && c != '>');
                if end > e {
                    return Some((NonProse::Url, p..end));
                }
            }
        }
    }
    if p >= *no_email_before {
        let local = run(text, p, |c| is_word(c) || matches!(c, '.' | '+' | '-'));
        if local > p {
            if text[local..].starts_with('@')
                && let Some(end) = domain(text, local + 1)
            {
                return Some((NonProse::Email, p..end));
            }
            *no_email_before = local;
        }
    }
    for (sigil, kind) in [('@', NonProse::Mention), ('#', NonProse::Tag)] {
        let body = |at: usize| {
            let end = run(text, at, is_word);
            if end == at {
                return None;
            }
            if kind == NonProse::Mention && text[end..].starts_with('@') {
                return Some(domain(text, end + 1).unwrap_or(end));
            }
            Some(end)
        };
        if p == 0
            && c == sigil
            && let Some(end) = body(1)
        {
            return Some((kind, 0..end));
        }
        if !is_word(c) && !matches!(c, '&' | '/') && c != sigil {
            let at = p + c.len_utf8();
            if text[at..].starts_with(sigil)
                && let Some(end) = body(at + 1)
            {
                return Some((kind, at..end));
            }
        }
    }
    None
}

/// The end of `[\w-]+(?:\.[\w-]+)+` from `at`: a host name with at least one dot.
fn domain(text: &str, at: usize) -> Option<usize> {
    let label = |c: char| is_word(c) || c == '-';
    let mut end = run(text, at, label);
    if end == at {
        return None;
    }
    let mut dots = 0;
    while text[end..].starts_with('.') {
        let next = run(text, end + 1, label);
        if next == end + 1 {
            break;
        }
        end = next;
        dots += 1;
    }
    (dots > 0).then_some(end)
}

/// Addresses with a scheme or from `www.`, as the regex
///
/// ```text
/// (?i)(?-u:\b)(?:[a-z][a-z0-9+.\-]*://|www\.)[^\s<>"'\[\]{}|\\^`]+
/// ```
///
/// finds them, one after the other (the links pack's `SCHEME_URL`, kept there as the reference).
/// `(?i)` adds `ſ` and the Kelvin sign to `[a-z]`; the class of the address has no letters.
pub(crate) fn scheme_urls(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut p = 0;
    while let Some(c) = text[p..].chars().next() {
        match scheme_url_at(text, p) {
            Some(end) => {
                out.push(p..end);
                p = end;
            }
            None => p += c.len_utf8(),
        }
    }
    out
}

/// The end of the address starting at `p`, if one does.
fn scheme_url_at(text: &str, p: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    // `(?-u:\b)`: ASCII word bytes on one side only.
    let word = |i: usize| bytes.get(i).is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_');
    if (p > 0 && word(p - 1)) == word(p) {
        return None;
    }
    let letter = |c: char| c.is_ascii_alphabetic() || c == 'ſ' || c == '\u{212A}';
    let address = |from: usize| {
        let end = run(text, from, |c| !c.is_whitespace() && !"<>\"'[]{}|\\^`".contains(c));
        (end > from).then_some(end)
    };
    let scheme = || {
        let first = text[p..].chars().next().filter(|&c| letter(c))?;
        let end = run(text, p + first.len_utf8(), |c| letter(c) || c.is_ascii_digit() || matches!(c, '+' | '.' | '-'));
        text[end..].starts_with("://").then_some(end + 3)
    };
    scheme().and_then(address).or_else(|| folded_at(text, p, "www.").and_then(address))
}

/// Hashtags in running text, `#` included, as the regex `(?:^|[^\w&/#])(#[\p{L}\p{N}_]+)` finds
/// them (its group 1), one after the other.
pub(crate) fn body_hashtags(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut p = 0;
    while let Some(c) = text[p..].chars().next() {
        let tag = |at: usize| {
            if !text[at..].starts_with('#') {
                return None;
            }
            let end = run(text, at + 1, is_tag_char);
            (end > at + 1).then_some(at..end)
        };
        let mut found = None;
        if p == 0 {
            found = tag(0);
        }
        if found.is_none() && !is_word(c) && !matches!(c, '&' | '/' | '#') {
            found = tag(p + c.len_utf8());
        }
        match found {
            Some(r) => {
                p = r.end;
                out.push(r);
            }
            None => p += c.len_utf8(),
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use regex::Regex;

    /// A deterministic stream of strings over `alphabet`, up to `max` characters each.
    pub(crate) fn generated(alphabet: &[&str], count: usize, max: usize) -> Vec<String> {
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        (0..count)
            .map(|_| {
                let len = (next() % (max as u64 + 1)) as usize;
                (0..len).map(|_| alphabet[(next() % alphabet.len() as u64) as usize]).collect()
            })
            .collect()
    }

    /// Pieces that exercise every branch: address characters, the sigils, the characters the
    /// classes treat specially (the folds of s and k, a joiner, a mark, other digits), spaces.
    pub(crate) const PIECES: &[&str] = &[
        "a", "Z", "ö", "Å", "_", "-", ".", "+", "&", "/", ":", "@", "#", "<", ">", " ", "\u{a0}", "\n", "http",
        "HTTPS", "httpſ", "://", "www.", "wWw.", "se", "x.y", "ſ", "\u{212A}", "\u{200d}", "\u{301}", "٣", "²", "7",
        "🎉", "‿", "(", ")", ",", "'", "\"", "%",
    ];

    const NON_PROSE: &str = concat!(
        r"(?i)(?P<url>(?:https?://|www\.)[^\s<>]+)",
        r"|(?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)",
        r"|(?:^|[^\w&/@])(?P<mention>@\w+(?:@[\w-]+(?:\.[\w-]+)+)?)",
        r"|(?:^|[^\w&/\x23])(?P<tag>\x23\w+)",
    );

    fn by_regex(re: &Regex, text: &str) -> Vec<(NonProse, Range<usize>)> {
        re.captures_iter(text)
            .filter_map(|caps| {
                [
                    ("url", NonProse::Url),
                    ("email", NonProse::Email),
                    ("mention", NonProse::Mention),
                    ("tag", NonProse::Tag),
                ]
                .into_iter()
                .find_map(|(name, kind)| caps.name(name).map(|m| (kind, m.range())))
            })
            .collect()
    }

    #[test]
    fn non_prose_finds_what_the_regex_finds() {
        let re = Regex::new(NON_PROSE).unwrap();
        let fixed = [
            "Mejla info@kommun.se eller @SMHI@mastodon.se, se www.kommun.se/a). #KrisInfo C# (se https://x.se/a_(b))",
            "@a@b.c.d. #x#y a#b &#c /#d /@e x@y a.b@c. https:// https://x HTTPſ://y WWW.z",
            "#tag@x.se @m@ @m@x @m@x.y-z.å #å\u{301} e.g@x.y@z.w",
        ];
        let mut n = 0;
        for text in fixed.iter().map(|s| s.to_string()).chain(generated(PIECES, 20_000, 24)) {
            assert_eq!(non_prose(&text), by_regex(&re, &text), "{text:?}");
            n += non_prose(&text).len();
        }
        assert!(n > 10_000, "the generated texts hold matches: {n}");
    }

    #[test]
    fn scheme_urls_find_what_the_regex_finds() {
        let re = Regex::new(r#"(?i)(?-u:\b)(?:[a-z][a-z0-9+.\-]*://|www\.)[^\s<>"'\[\]{}|\\^`]+"#).unwrap();
        let pieces =
            [PIECES, &["[", "]", "{", "|", "\\", "^", "`", "\t", "\u{2003}", "\u{85}", "9", "ftp", "k", "s"]].concat();
        let fixed = [
            "se https://www.kommun.se/a). eller www.x.se, ſ://a K://b aſ://c é://d _http://e 1http://f",
            "www.a:// b http:// www. git+ssh://x wWw.y xwww.z <https://a.b> \"http://q\"",
        ];
        let mut n = 0;
        for text in fixed.iter().map(|s| s.to_string()).chain(generated(&pieces, 30_000, 20)) {
            let want: Vec<Range<usize>> = re.find_iter(&text).map(|m| m.range()).collect();
            assert_eq!(scheme_urls(&text), want, "{text:?}");
            n += want.len();
        }
        assert!(n > 5_000, "the generated texts hold addresses: {n}");
    }

    #[test]
    fn body_hashtags_find_what_the_regex_finds() {
        let re = Regex::new(r"(?:^|[^\w&/#])(#[\p{L}\p{N}_]+)").unwrap();
        let pieces = [PIECES, &["#", "#", "Ⅻ", "ª", "\u{300}"]].concat();
        let mut n = 0;
        for text in generated(&pieces, 20_000, 16) {
            let want: Vec<Range<usize>> = re.captures_iter(&text).filter_map(|c| c.get(1)).map(|m| m.range()).collect();
            assert_eq!(body_hashtags(&text), want, "{text:?}");
            n += want.len();
        }
        assert!(n > 1_000, "the generated texts hold tags: {n}");
    }

    /// Every character of a class, from regex-syntax's tables, as (first, last) ranges.
    fn class(pattern: &str) -> Vec<(char, char)> {
        let ranges = unicode_class(pattern);
        assert!(!ranges.is_empty(), "{pattern}");
        ranges
    }

    fn chars_of(ranges: &[(char, char)]) -> Vec<char> {
        ranges.iter().flat_map(|&(lo, hi)| lo..=hi).collect()
    }

    #[test]
    fn classes_are_the_regex_crates() {
        let all = || (0..=0x10FFFF_u32).filter_map(char::from_u32);
        let word = class(r"\w");
        assert!(all().all(|c| is_word(c) == in_ranges(&word, c)));
        let tag = class(r"[\p{L}\p{N}_]");
        assert!(all().all(|c| is_tag_char(c) == in_ranges(&tag, c)));
        // `\s` is White_Space, as Rust's `char::is_whitespace`.
        let space = class(r"\s");
        assert!(all().all(|c| c.is_whitespace() == in_ranges(&space, c)));
        // Case folding changes none of the classes used under `(?i)` above.
        for set in [r"\w", r"[\w.+-]", r"[\w-]", r"[^\w&/@]", r"[^\w&/\x23]", r"[^\s<>]"] {
            assert_eq!(class(&format!("(?i){set}")), class(set), "{set}");
        }
    }

    #[test]
    fn folding_is_the_regex_crates() {
        let letters: Vec<char> = ('a'..='z').chain(['ä']).collect();
        let to_letters: Vec<(char, char)> = (0..=0x10FFFF_u32)
            .filter_map(char::from_u32)
            .map(|c| (c, fold(c)))
            .filter(|(_, f)| letters.contains(f))
            .collect();
        for &p in &letters {
            let folded = chars_of(&class(&format!("(?i){p}")));
            let mine: Vec<char> = to_letters.iter().filter(|(_, f)| *f == p).map(|(c, _)| *c).collect();
            assert_eq!(mine, folded, "{p}");
        }
        assert!(ends_folded("IMG.JPEG", ".jpeg") && ends_folded("a.ſvg", ".svg") && !ends_folded("peg", ".jpeg"));
        assert!(contains_folded("xWwW.y", "www.") && !contains_folded("ww.w", "www."));
    }
}
