//! Finding a set of words and phrases in prose, as whole words: `post` is not found in
//! `e-post` nor in `postnummer`, and `i syfte att` is found across a line break.
//!
//! Plain words and phrases are looked up word by word in a hash map, which keeps a pack of a few
//! hundred inflected forms as fast as one word; an entry with characters a word never has
//! (`t.ex.`, `C#`) is matched as literal text with the same whole-word boundaries.
//!
//! The maps hash with foldhash rather than the standard SipHash: every word of every scope is
//! looked up once per word-list rule, the keys are short, and the lists are built into the binary
//! or written by the organisation, so there is no hash-flooding adversary to defend against.

use std::ops::Range;

use foldhash::HashMap;

use regex::{Regex, RegexBuilder};
use unicode_normalization::UnicodeNormalization;

use crate::check::text::{self, Prose};

#[derive(Debug, Default)]
pub(crate) struct Lexicon {
    ignorecase: bool,
    /// Plain entries, by their words joined by single spaces, normalised; and the first words
    /// of the multi-word entries, so that one lookup per word answers both questions.
    plain: HashMap<String, Entry>,
    max_words: usize,
    literal: Vec<(Regex, usize)>,
}

/// A plain entry as [`Lexicon::keys`] lists it: key, value, whether a phrase starts with it.
#[cfg(test)]
pub(crate) type KeyEntry = (String, Option<usize>, bool);

#[derive(Debug, Default, Clone, Copy)]
struct Entry {
    /// The entry's value, if this key is an entry (and not only the start of one).
    value: Option<usize>,
    /// Some multi-word entry starts with this word: only then is a longer phrase tried.
    starts_phrase: bool,
}

impl Lexicon {
    pub(crate) fn new(ignorecase: bool) -> Self {
        Lexicon { ignorecase, ..Lexicon::default() }
    }

    /// Adds `phrase` with `value`. Returns the value already stored for the same phrase (as
    /// the lexicon compares), if any; the first one stays.
    pub(crate) fn add(&mut self, phrase: &str, value: usize) -> Option<usize> {
        let phrase = phrase.trim();
        let words = text::words(phrase);
        let plain = !words.is_empty()
            && words.first().is_some_and(|w| w.start == 0)
            && words.last().is_some_and(|w| w.end == phrase.len())
            && words.windows(2).all(|p| p[0].end < p[1].start && text::is_space(phrase, p[0].end..p[1].start));
        if plain {
            let normed: Vec<String> = words.iter().map(|w| self.norm(&phrase[w.clone()]).into_owned()).collect();
            let key = normed.join(" ");
            self.max_words = self.max_words.max(words.len());
            if normed.len() > 1 {
                self.plain.entry(normed[0].clone()).or_default().starts_phrase = true;
            }
            let entry = self.plain.entry(key).or_default();
            if let Some(old) = entry.value {
                return Some(old);
            }
            entry.value = Some(value);
            return None;
        }
        let pattern = phrase.split_whitespace().map(regex::escape).collect::<Vec<_>>().join(r"\s+");
        // An escaped literal always compiles; a phrase of only spaces was refused above.
        if let Ok(re) = RegexBuilder::new(&pattern).case_insensitive(self.ignorecase).build() {
            self.literal.push((re, value));
        }
        None
    }

    /// A lexicon of plain entries given by their keys as [`Lexicon::keys`] lists them: a
    /// built-in word list is loaded so, without splitting and normalising each of its forms.
    pub(crate) fn from_keys(ignorecase: bool, keys: &[(&str, Option<u32>, bool)], max_words: usize) -> Self {
        let mut plain = HashMap::default();
        plain.reserve(keys.len());
        for &(key, value, starts_phrase) in keys {
            plain.insert(key.to_string(), Entry { value: value.map(|v| v as usize), starts_phrase });
        }
        Lexicon { ignorecase, plain, max_words, literal: Vec::new() }
    }

    /// The plain entries (key, value, whether a phrase starts with it) sorted by key, the most
    /// words of one, and how many literal entries there are besides.
    #[cfg(test)]
    pub(crate) fn keys(&self) -> (Vec<KeyEntry>, usize, usize) {
        let mut keys: Vec<_> = self.plain.iter().map(|(k, e)| (k.clone(), e.value, e.starts_phrase)).collect();
        keys.sort();
        (keys, self.max_words, self.literal.len())
    }

    /// The form words are compared in. Most words need no change, so nothing is allocated
    /// for them: this runs for every word of every scope for every word-list rule.
    fn norm<'w>(&self, word: &'w str) -> std::borrow::Cow<'w, str> {
        use std::borrow::Cow;
        if word.is_ascii() {
            // ASCII is always in NFC, and its case is a byte's.
            return if self.ignorecase && word.bytes().any(|b| b.is_ascii_uppercase()) {
                Cow::Owned(word.to_ascii_lowercase())
            } else {
                Cow::Borrowed(word)
            };
        }
        let w: Cow<'w, str> =
            if unicode_normalization::is_nfc_quick(word.chars()) == unicode_normalization::IsNormalized::Yes {
                Cow::Borrowed(word)
            } else {
                Cow::Owned(word.nfc().collect())
            };
        if self.ignorecase && w.chars().any(char::is_uppercase) { Cow::Owned(w.to_lowercase()) } else { w }
    }

    /// Every match in the prose, leftmost and then longest first, none overlapping.
    pub(crate) fn find(&self, prose: &Prose<'_>) -> Vec<(Range<usize>, usize)> {
        let mut out = Vec::new();
        if !self.plain.is_empty() {
            // A phrase's key is built in this one buffer rather than a `String` per candidate.
            let mut key = String::new();
            let norm: Vec<std::borrow::Cow<'_, str>> =
                (0..prose.words.len()).map(|i| self.norm(prose.word(i))).collect();
            let mut i = 0;
            while i < norm.len() {
                let mut hit = None;
                let first = self.plain.get(norm[i].as_ref()).copied().unwrap_or_default();
                let longest = if first.starts_phrase { self.max_words.min(norm.len() - i) } else { 1 };
                for n in (1..=longest).rev() {
                    let ws = &prose.words[i..i + n];
                    if !ws.windows(2).all(|p| text::is_space(prose.text, p[0].end..p[1].start)) {
                        continue;
                    }
                    let found = if n == 1 {
                        first.value
                    } else {
                        key.clear();
                        for (k, w) in norm[i..i + n].iter().enumerate() {
                            if k > 0 {
                                key.push(' ');
                            }
                            key.push_str(w);
                        }
                        self.plain.get(key.as_str()).and_then(|e| e.value)
                    };
                    if let Some(v) = found {
                        hit = Some((ws[0].start..ws[n - 1].end, v, n));
                        break;
                    }
                }
                match hit {
                    Some((r, v, n)) => {
                        out.push((r, v));
                        i += n;
                    }
                    None => i += 1,
                }
            }
        }
        for (re, v) in &self.literal {
            for m in re.find_iter(prose.text) {
                if whole_word(prose.text, m.range()) && !prose.is_skipped(&m.range()) {
                    out.push((m.range(), *v));
                }
            }
        }
        if !self.literal.is_empty() {
            out.sort_by_key(|(r, _)| (r.start, usize::MAX - r.end));
            let mut last_end = 0;
            out.retain(|(r, _)| {
                let keep = r.start >= last_end;
                if keep {
                    last_end = r.end;
                }
                keep
            });
        }
        out
    }
}

/// Whether `range` of `text` neither starts nor ends inside a word (or a hyphenated compound).
pub(crate) fn whole_word(text: &str, range: Range<usize>) -> bool {
    let s = &text[range.clone()];
    let before = text[..range.start].chars().next_back();
    let after = text[range.end..].chars().next();
    let starts_in_word = s.starts_with(text::is_word_char)
        && before.is_some_and(|b| {
            text::is_word_char(b) || (matches!(b, '-' | '\'' | '’') && joined_before(text, range.start))
        });
    let ends_in_word = s.ends_with(text::is_word_char)
        && after.is_some_and(|a| {
            text::is_word_char(a)
                || (matches!(a, '-' | '\'' | '’') && text[range.end + a.len_utf8()..].starts_with(text::is_word_char))
        });
    !starts_in_word && !ends_in_word
}

fn joined_before(text: &str, at: usize) -> bool {
    text[..at].chars().rev().nth(1).is_some_and(text::is_word_char)
}

/// `replacement` written in the case of `matched`: `Erhåller` → `Får`, `ERHÅLLER` → `FÅR`.
pub(crate) fn keep_case(matched: &str, replacement: &str) -> String {
    if text::is_all_caps(matched) && matched.chars().filter(|c| c.is_alphabetic()).count() > 1 {
        return replacement.to_uppercase();
    }
    match matched.chars().next() {
        Some(c) if c.is_uppercase() => text::capitalize(replacement),
        _ => replacement.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(lex: &Lexicon, t: &str) -> Vec<(String, usize)> {
        let p = Prose::new(t, &[]);
        lex.find(&p).into_iter().map(|(r, v)| (t[r].to_string(), v)).collect()
    }

    #[test]
    fn whole_words_and_phrases() {
        let mut lex = Lexicon::new(true);
        lex.add("post", 0);
        lex.add("i syfte att", 1);
        lex.add("syfte", 2);
        lex.add("t.ex.", 3);
        assert_eq!(
            found(&lex, "E-post och postnummer, men Post. I  syfte\natt hjälpa, t.ex. syfte"),
            [
                ("Post".to_string(), 0),
                ("I  syfte\natt".to_string(), 1),
                ("t.ex.".to_string(), 3),
                ("syfte".to_string(), 2)
            ]
        );
        // A phrase does not run across punctuation.
        assert_eq!(found(&lex, "i syfte. Att"), [("syfte".to_string(), 2)]);
        assert_eq!(lex.add("POST", 9), Some(0));
        // Literal entries keep whole-word boundaries, also next to a typographic apostrophe.
        lex.add("e.g", 4);
        assert_eq!(found(&lex, "e.g’s e.g’"), [("e.g".to_string(), 4)]);
    }

    #[test]
    fn case_follows_the_match() {
        assert_eq!(keep_case("Erhåller", "får"), "Får");
        assert_eq!(keep_case("ERHÅLLER", "får"), "FÅR");
        assert_eq!(keep_case("erhåller", "får"), "får");
        assert_eq!(keep_case("kommun", "Exempelstads kommun"), "Exempelstads kommun");
    }
}
