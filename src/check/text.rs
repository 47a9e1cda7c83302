//! Words and sentences of Swedish and English prose, shared by every rule that reads text.
//!
//! Rules must agree on what a word and a sentence are, or a post would have 24 words per
//! sentence for one rule and 26 for another. The tokeniser is deliberately simple and
//! predictable (no dictionary): a word is a run of letters and digits, held together by an inner
//! hyphen or apostrophe (`e-post`, `don't`) and, between digits, by `.`, `,` or `:` (`10.30`,
//! `3,5`); a genitive after an abbreviation (`SMHI:s`) is one word. Link targets, bare web and
//! e-mail addresses, @mentions and inline #hashtags are not prose: their words are skipped.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;
use unicode_normalization::char::is_combining_mark;

use crate::check::scan::{NonProse, non_prose};
use crate::check::scope::{Scope, ScopeKind};

/// A letter, digit or combining mark (a decomposed `ö` is still one word).
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c)
}

fn is_joiner(c: char) -> bool {
    matches!(c, '-' | '\u{2011}' | '\'' | '\u{2019}')
}

/// Byte ranges of the words of `text`, in order.
pub fn words(text: &str) -> Vec<Range<usize>> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (k, &(i, c)) in chars.iter().enumerate() {
        if is_word_char(c) {
            if start.is_none() {
                start = Some(i);
            }
            continue;
        }
        if let Some(s) = start {
            let prev = chars[k - 1].1;
            let next = chars.get(k + 1).map(|x| x.1);
            let joins = match (c, next) {
                (_, Some(n)) if is_joiner(c) => is_word_char(n),
                ('.' | ',' | ':', Some(n)) if prev.is_ascii_digit() && n.is_ascii_digit() => true,
                // `SMHI:s`, `2024:an`, `tv:n`: a Swedish suffix after a colon.
                (':', Some(n)) => {
                    (prev.is_uppercase() || prev.is_ascii_digit()) && n.is_lowercase() && short_suffix(&chars[k + 1..])
                }
                _ => false,
            };
            if !joins {
                out.push(s..i);
                start = None;
            }
        }
    }
    if let Some(s) = start {
        out.push(s..text.len());
    }
    out
}

/// A colon suffix (`:s`, `:n`, `:en`, `:ar`) is at most three letters.
fn short_suffix(rest: &[(usize, char)]) -> bool {
    rest.iter().take_while(|(_, c)| is_word_char(*c)).count() <= 3
}

/// Whether `range` of `text` lies only on whitespace.
pub fn is_space(text: &str, range: Range<usize>) -> bool {
    text.get(range).is_some_and(|s| s.chars().all(char::is_whitespace))
}

/// What [`Prose`] finds in a scope, kept with the scope so it is found once.
#[derive(Debug, Clone, Default)]
pub struct ProseParts {
    skip: Vec<Range<usize>>,
    urls: Vec<Range<usize>>,
    hashtags: Vec<Range<usize>>,
    words: Vec<Range<usize>>,
}

impl ProseParts {
    fn view<'a>(&self, text: &'a str) -> Prose<'a> {
        Prose {
            text,
            skip: self.skip.clone(),
            urls: self.urls.clone(),
            hashtags: self.hashtags.clone(),
            words: self.words.clone(),
        }
    }
}

/// The prose of one scope: its text, what in it is not prose, and its words.
#[derive(Debug, Clone)]
pub struct Prose<'a> {
    pub text: &'a str,
    /// Link targets, bare addresses, @mentions and #hashtags, sorted.
    pub skip: Vec<Range<usize>>,
    /// Web addresses: Markdown link targets and bare ones.
    pub urls: Vec<Range<usize>>,
    /// Inline `#hashtags`, `#` included.
    pub hashtags: Vec<Range<usize>>,
    /// The words outside `skip`.
    pub words: Vec<Range<usize>>,
}

impl<'a> Prose<'a> {
    /// The scope's prose. Computed once per scope and shared by every rule that asks: finding
    /// what is not prose is the costliest step of most rules.
    pub fn of_scope(scope: &'a Scope) -> Self {
        scope
            .prose_cache
            .get_or_init(|| {
                if scope.kind == ScopeKind::Hashtag {
                    // The tag itself is the text here (without `#`): what a rule on hashtags reads.
                    Prose::new(&scope.text, &[]).into_owned_parts()
                } else {
                    Prose::new(&scope.text, &scope.links).into_owned_parts()
                }
            })
            .view(&scope.text)
    }

    fn into_owned_parts(self) -> ProseParts {
        ProseParts { skip: self.skip, urls: self.urls, hashtags: self.hashtags, words: self.words }
    }

    /// `links` are ranges already known not to be prose (Markdown link targets).
    pub fn new(text: &'a str, links: &[Range<usize>]) -> Self {
        let mut skip: Vec<Range<usize>> = links.to_vec();
        let mut urls: Vec<Range<usize>> = links.to_vec();
        let mut hashtags = Vec::new();
        if text.contains(['/', '@', '#']) || text.contains("www.") {
            for (kind, m) in non_prose(text) {
                match kind {
                    NonProse::Url => {
                        let r = m.start..m.start + trim_url(&text[m]).len();
                        urls.push(r.clone());
                        skip.push(r);
                    }
                    NonProse::Email | NonProse::Mention => skip.push(m),
                    NonProse::Tag => {
                        hashtags.push(m.clone());
                        skip.push(m);
                    }
                }
            }
        }
        skip.sort_by_key(|r| (r.start, r.end));
        urls.sort_by_key(|r| (r.start, r.end));
        urls.dedup_by(|a, b| a.start < b.end && b.start < a.end);
        let words = words(text).into_iter().filter(|w| !overlaps_any(&skip, w)).collect();
        Prose { text, skip, urls, hashtags, words }
    }

    pub fn word(&self, i: usize) -> &'a str {
        &self.text[self.words[i].clone()]
    }

    /// Whether `range` touches something that is not prose.
    pub fn is_skipped(&self, range: &Range<usize>) -> bool {
        overlaps_any(&self.skip, range)
    }

    /// The sentences of the text, each from its first character to its end punctuation, in
    /// order. A sentence ends at `.`, `!`, `?` or `…` followed by space and something that is
    /// not a lower-case letter, and at a line break. Only sentences with a word count.
    pub fn sentences(&self) -> Vec<Range<usize>> {
        let text = self.text;
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        let mut start: Option<usize> = None;
        let mut i = 0;
        let push = |s: usize, e: usize, out: &mut Vec<Range<usize>>| {
            let e = s + text[s..e].trim_end().len();
            if self.words.iter().any(|w| w.start >= s && w.end <= e) {
                out.push(s..e);
            }
        };
        while i < text.len() {
            let Some(c) = text[i..].chars().next() else { break };
            let len = c.len_utf8();
            if c == '\n' {
                if let Some(s) = start.take() {
                    push(s, i, &mut out);
                }
                i += len;
                continue;
            }
            if start.is_none() && !c.is_whitespace() {
                start = Some(i);
            }
            if matches!(c, '.' | '!' | '?' | '…') && !self.is_skipped(&(i..i + len)) {
                // The end mark with any further marks and closing quotes or brackets.
                let mut j = i + len;
                while let Some(n) = text[j..].chars().next() {
                    if matches!(n, '.' | '!' | '?' | '…' | '"' | '\'' | '”' | '’' | '»' | ')' | ']') {
                        j += n.len_utf8();
                    } else {
                        break;
                    }
                }
                let rest = &text[j..];
                let after_space = rest.trim_start();
                let at_end = after_space.is_empty();
                let spaced = rest.len() != after_space.len();
                let ends = at_end
                    || (spaced
                        && !after_space.starts_with(char::is_lowercase)
                        && !(c == '.' && j == i + 1 && self.abbreviation_before(i, after_space)));
                if ends {
                    if let Some(s) = start.take() {
                        push(s, j, &mut out);
                    }
                    // Continue after the space, so a line break there is not a second end.
                    i = j;
                    while i < text.len() && bytes[i] != b'\n' && text[i..].starts_with(char::is_whitespace) {
                        i += text[i..].chars().next().map_or(1, char::len_utf8);
                    }
                    continue;
                }
                i = j;
                continue;
            }
            i += len;
        }
        if let Some(s) = start {
            push(s, text.len(), &mut out);
        }
        out
    }

    /// Whether the `.` at `dot` closes an abbreviation that does not end a sentence (`t.ex.`,
    /// `kl.`, `Dr.`) before `next`.
    fn abbreviation_before(&self, dot: usize, next: &str) -> bool {
        let Some(w) = self.words.iter().rev().find(|w| w.end <= dot) else { return false };
        // `t.ex.`: the word right before is part of a dotted abbreviation.
        let mut start = w.start;
        while start >= 2 && self.text.as_bytes()[start - 1] == b'.' {
            match self.words.iter().rev().find(|v| v.end == start - 1) {
                Some(v) => start = v.start,
                None => break,
            }
        }
        if w.end != dot {
            return false;
        }
        let abbr = &self.text[start..dot];
        // Dotted letters (`t.ex.`) are an abbreviation; dotted digits (`18.00.`) are a time or
        // a number, and the dot after them can end the sentence.
        if abbr.contains('.') {
            return abbr.chars().any(char::is_alphabetic);
        }
        let lower = abbr.to_lowercase();
        let never_final =
            ["kl", "ca", "nr", "tel", "jfr", "resp", "mr", "mrs", "ms", "dr", "prof", "st", "vs", "approx"];
        never_final.contains(&lower.as_str()) && !next.starts_with(|c: char| c.is_uppercase() && lower == "st")
    }

    /// The words inside `range`, as indices into `words`.
    pub fn words_in(&self, range: &Range<usize>) -> Range<usize> {
        let first = self.words.partition_point(|w| w.start < range.start);
        let end = self.words.partition_point(|w| w.start < range.end);
        first..end.max(first)
    }
}

/// Addresses often end a sentence: the sentence's punctuation is not part of them. A closing
/// bracket is, when the address opened one (Wikipedia-style).
fn trim_url(url: &str) -> &str {
    let mut s = url;
    loop {
        let Some(last) = s.chars().last() else { return s };
        let trim = match last {
            '.' | ',' | ';' | ':' | '!' | '?' | '"' | '\'' | '”' | '’' | '»' => true,
            ')' => s.matches('(').count() < s.matches(')').count(),
            _ => false,
        };
        if !trim {
            return s;
        }
        s = &s[..s.len() - last.len_utf8()];
    }
}

pub fn overlaps_any(ranges: &[Range<usize>], r: &Range<usize>) -> bool {
    ranges.iter().any(|s| s.start < r.end.max(r.start + 1) && r.start < s.end)
}

/// Letters of a word, for "long word" counts: digits and hyphens are not letters.
pub fn letters(word: &str) -> usize {
    word.chars().filter(|c| c.is_alphabetic()).count()
}

/// `word` with its first letter upper-cased.
pub fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `word` with its first letter lower-cased.
pub fn decapitalize(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Whether a word is written in capitals only (`SMHI`, `EU:s`), with at least two letters.
pub fn is_all_caps(word: &str) -> bool {
    word.chars().filter(|c| c.is_alphabetic()).count() >= 2 && !word.chars().any(char::is_lowercase)
}

/// Counts of emoji in `text`: each grapheme with a pictographic character is one, so a family
/// joined with zero-width joiners or a flag is one emoji. `©`, `®` and `™` are letters-like
/// symbols unless written with the emoji variation selector.
pub fn emoji(text: &str) -> Vec<Range<usize>> {
    use unicode_segmentation::UnicodeSegmentation;
    static PICTO: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\p{Extended_Pictographic}|\p{Regional_Indicator}").expect("static regex"));
    if text.is_ascii() {
        return Vec::new();
    }
    text.grapheme_indices(true)
        .filter(|(_, g)| {
            let text_symbol = matches!(g.chars().next(), Some('©' | '®' | '™' | '‼' | '↔' | '↕'));
            !g.is_ascii() && PICTO.is_match(g) && (!text_symbol || g.contains('\u{fe0f}'))
        })
        .map(|(i, g)| i..i + g.len())
        .collect()
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_clock_time_can_end_a_sentence() {
        let p = Prose::new("Vi öppnar klockan 18.00. Kundcenter svarar t.ex. på frågor. Ring kl. 9 i dag.", &[]);
        let s: Vec<&str> = p.sentences().into_iter().map(|r| &p.text[r]).collect();
        assert_eq!(s, vec!["Vi öppnar klockan 18.00.", "Kundcenter svarar t.ex. på frågor.", "Ring kl. 9 i dag."]);
    }
    use super::*;

    fn ws(text: &str) -> Vec<&str> {
        words(text).into_iter().map(|r| &text[r]).collect()
    }

    fn ss(text: &str) -> Vec<&str> {
        let p = Prose::new(text, &[]);
        p.sentences().into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn words_keep_hyphens_numbers_and_genitives() {
        assert_eq!(
            ws("Skicka e-post kl. 10.30, ca 3,5 km – SMHI:s råd!"),
            ["Skicka", "e-post", "kl", "10.30", "ca", "3,5", "km", "SMHI:s", "råd"]
        );
        assert_eq!(ws("don't re-use it - ok"), ["don't", "re-use", "it", "ok"]);
        assert_eq!(ws("Tid: 10:00"), ["Tid", "10:00"]);
        // A decomposed ö (o + combining diaeresis) is one word.
        assert_eq!(ws("mo\u{308}te"), ["mo\u{308}te"]);
    }

    #[test]
    fn sentences_split_on_end_marks_not_abbreviations() {
        assert_eq!(
            ss("Vi öppnar kl. 10. Välkommen! Frågor? Ring oss."),
            ["Vi öppnar kl. 10.", "Välkommen!", "Frågor?", "Ring oss."]
        );
        assert_eq!(
            ss("Ta med t.ex. Matsäck och vatten. Sedan går vi."),
            ["Ta med t.ex. Matsäck och vatten.", "Sedan går vi."]
        );
        assert_eq!(ss("Han sa \"hej.\" Sen gick han... hem igen"), ["Han sa \"hej.\"", "Sen gick han... hem igen"]);
        assert_eq!(ss("Rad ett\nRad två"), ["Rad ett", "Rad två"]);
        assert_eq!(ss("Läs mer på https://a.se/x.html. Tack."), ["Läs mer på https://a.se/x.html.", "Tack."]);
        assert_eq!(ss("🎉 🎉"), Vec::<&str>::new());
        assert_eq!(ss("The cat sat on the mat. It was happy."), ["The cat sat on the mat.", "It was happy."]);
    }

    #[test]
    fn addresses_mentions_and_tags_are_not_prose() {
        let t =
            "Mejla info@kommun.se eller @SMHI@mastodon.se, se www.kommun.se/a). #KrisInfo C# (se https://x.se/a_(b))";
        let p = Prose::new(t, &[]);
        let words: Vec<&str> = (0..p.words.len()).map(|i| p.word(i)).collect();
        assert_eq!(words, ["Mejla", "eller", "se", "C", "se"]);
        assert_eq!(p.hashtags.iter().map(|r| &t[r.clone()]).collect::<Vec<_>>(), ["#KrisInfo"]);
        assert_eq!(p.urls.iter().map(|r| &t[r.clone()]).collect::<Vec<_>>(), ["www.kommun.se/a", "https://x.se/a_(b)"]);
    }

    #[test]
    fn emoji_are_graphemes() {
        assert_eq!(emoji("Hej 👋🏽 familj 👨‍👩‍👧 🇸🇪 © ©\u{fe0f} å").len(), 4);
        assert!(emoji("Inga emoji här, 123 #").is_empty());
    }
}
