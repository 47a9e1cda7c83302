//! What the two plain-language packs share: a word list with plain replacements, a readability
//! score and a sentence-length limit, for the posts of one language. `klarsprak` and `plain-en`
//! differ only in their data, language, metric and wording.

use std::sync::OnceLock;

use crate::check::Level;
use crate::check::rule::{Emitter, PostCtx, Rule};
use crate::check::rules::{
    Common, Configured, Kind, Lexicon, Metric, Occurrence, Per, Readability, ScopeSet, Substitution, Swap, Token,
};
#[cfg(test)]
use crate::check::rules::{WordEntry, WordList, escape_percent};
use crate::strategy::Strategy;

/// One plain-language pack, described.
pub(crate) struct Pack {
    /// The `lang` prefix of the posts it reads (`sv`, `en`).
    pub lang: &'static str,
    /// The word list (TOML, see data/), for the tests: its consistency, and its table.
    #[cfg(test)]
    pub data: &'static str,
    /// The word list as its rule uses it, generated from `data` (`word_tables.rs`).
    pub table: &'static Table,
    /// The sources an entry may name.
    pub sources: &'static [&'static str],
    /// Rule ids: word choice, readability, sentence length.
    pub words_id: &'static str,
    pub score_id: &'static str,
    pub sentence_id: &'static str,
    /// `officialese`, `wordy`: what a flagged word is called in messages.
    pub flaw: &'static str,
    pub language: &'static str,
    pub metric: Metric,
    pub words_example: &'static str,
    pub sentence_example: &'static str,
}

pub(crate) const DEFAULT_SENTENCE_WORDS: usize = 25;

/// A word list as its substitution rule uses it: the swaps (forms, replacements, message) and
/// the lexicon of the forms, already split and normalised. `word_tables.rs` holds one for each
/// list, generated from its TOML by [`Pack::table_source`]: reading the Swedish list and
/// indexing its 491 forms took 3 M instructions on every run, a fifth of a one-post check.
pub(crate) struct Table {
    pub swaps: &'static [(&'static [&'static str], &'static [&'static str], &'static str)],
    /// (key, lexicon value, whether a phrase starts with the key), as [`Lexicon::keys`] lists them.
    pub keys: &'static [(&'static str, Option<u32>, bool)],
    pub max_words: usize,
    /// Lexicon value → (swap, form).
    pub forms: &'static [(u16, u16)],
}

impl Table {
    fn substitution(&self) -> Substitution {
        let owned = |list: &[&str]| list.iter().map(|s| s.to_string()).collect();
        let swaps = self
            .swaps
            .iter()
            .map(|(forms, replacements, message)| Swap {
                forms: owned(forms),
                replacements: owned(replacements),
                message: Some(message.to_string()),
            })
            .collect();
        let forms = self.forms.iter().map(|&(s, f)| (usize::from(s), usize::from(f))).collect();
        Substitution::from_index(swaps, forms, Lexicon::from_keys(true, self.keys, self.max_words), true)
    }
}

/// The swaps of a word list: `'%s' is <flaw>; write '%s' (source)`.
#[cfg(test)]
pub(crate) fn swaps(data: &str, flaw: &'static str) -> Vec<Swap> {
    let message = |e: &WordEntry| {
        let note = e.note.as_deref().map(|n| format!("; {}", escape_percent(n))).unwrap_or_default();
        format!("'%s' is {flaw}; write '%s' ({}{note})", escape_percent(&e.source))
    };
    WordList::parse(data).map(|list| list.swaps(message)).unwrap_or_default()
}

impl Pack {
    fn common(&self, id: &str, level: Level, scopes: ScopeSet) -> Common {
        let mut c = Common::new(id, level);
        c.lang = Some(self.lang.into());
        c.scopes = scopes;
        c
    }

    pub(crate) fn rules(&'static self, strategy: &Strategy) -> Vec<Box<dyn Rule>> {
        let readability = &strategy.file.voice.readability;
        let text = ScopeSet::HEADING.union(ScopeSet::PARAGRAPH).union(ScopeSet::LIST);

        let words = WordChoice { pack: self, substitution: OnceLock::new() };
        let mut w = self.common(self.words_id, Level::Warning, ScopeSet::TEXT);
        w.example = Some(self.words_example.into());

        let (score, bounds, limit_text) = match self.metric {
            Metric::Lix => {
                let max = readability.lix_max.unwrap_or(50.0);
                (
                    self.common(self.score_id, Level::Warning, text),
                    (Some(max), None),
                    format!("LIX of a {} post at most {max} ([voice] readability.lix_max)", self.language),
                )
            }
            Metric::Flesch => {
                let min = readability.flesch_min.unwrap_or(60.0);
                (
                    self.common(self.score_id, Level::Warning, text),
                    (None, Some(min)),
                    format!(
                        "Flesch Reading Ease of an {} post at least {min} ([voice] readability.flesch_min)",
                        self.language
                    ),
                )
            }
        };
        let mut score = score;
        score.description = Some(format!("{limit_text}: long sentences and long words make a text hard to read."));

        let max_words = readability.max_sentence_words.map_or(DEFAULT_SENTENCE_WORDS, |n| n as usize);
        let mut s = self.common(self.sentence_id, Level::Suggestion, text);
        s.message = Some(format!("sentence of %s words; at most {max_words} is easier to read, so split it"));
        s.description = Some(format!(
            "Sentences in {} posts of at most {max_words} words ([voice] readability.max_sentence_words).",
            self.language
        ));
        s.example = Some(self.sentence_example.into());

        vec![
            Configured::boxed(w, words),
            Configured::boxed(score, Readability::new(self.metric, bounds.0, bounds.1)),
            Configured::boxed(
                s,
                Occurrence { token: Token::Word, per: Per::Sentence, min: None, max: Some(max_words) },
            ),
        ]
    }

    /// The word-choice rule's description, which counts the word list's entries.
    fn words_description(&self) -> String {
        format!(
            "{} {} with plain replacements ({} words and phrases with their inflections, from {}).",
            self.language,
            self.flaw,
            self.table.swaps.len(),
            self.sources.join(", ")
        )
    }

    /// The word list's own invariants, for each pack's tests.
    #[cfg(test)]
    pub(crate) fn assert_consistent(&self) {
        let list = WordList::parse(self.data).expect("the word list parses");
        assert!(list.entry.len() >= 80, "{} entries", list.entry.len());
        let mut seen = std::collections::HashSet::new();
        for e in &list.entry {
            assert!(!e.words.is_empty());
            assert!(self.sources.contains(&e.source.as_str()), "{}: {}", e.words[0], e.source);
            for w in &e.words {
                assert!(seen.insert(w.to_lowercase()), "{w} twice");
            }
        }
        // An entry whose replacements do not pair with its forms is dropped.
        assert_eq!(self.table.swaps.len(), list.entry.len());
    }

    /// The source of `static <name>: Table` for `word_tables.rs`, made the way a rule of the
    /// list is made from its TOML.
    #[cfg(test)]
    pub(crate) fn table_source(&self, name: &str) -> String {
        use std::fmt::Write;
        let rule = Substitution::new(swaps(self.data, self.flaw), true);
        let (swaps, forms, lexicon) = rule.index();
        let (keys, max_words, literal) = lexicon.keys();
        assert_eq!(literal, 0, "{name}: a form that is not plain words needs the table to hold literal entries");
        let mut out = format!("\npub(crate) static {name}: Table = Table {{\n    swaps: &[\n");
        for s in swaps {
            let message = s.message.as_deref().expect("a word list's entry has its message");
            writeln!(out, "        (&{:?}, &{:?}, {message:?}),", s.forms, s.replacements).unwrap();
        }
        out.push_str("    ],\n    keys: &[\n");
        for (key, value, starts) in keys {
            writeln!(out, "        ({key:?}, {value:?}, {starts}),").unwrap();
        }
        writeln!(out, "    ],\n    max_words: {max_words},\n    forms: &[").unwrap();
        for (s, f) in forms {
            writeln!(out, "        ({s}, {f}),").unwrap();
        }
        out.push_str("    ],\n};\n");
        out
    }

    /// The rule made from the table is the rule made from the list.
    #[cfg(test)]
    pub(crate) fn assert_table_is_the_list(&self) {
        let table = self.table.substitution();
        let list = Substitution::new(swaps(self.data, self.flaw), true);
        let (a, b) = (table.index(), list.index());
        assert_eq!(a.0, b.0);
        assert_eq!(a.1, b.1);
        assert_eq!(a.2.keys(), b.2.keys());
        assert!(!a.0.is_empty());
    }
}

/// A pack's word list as a substitution rule, built on its first post in the pack's language:
/// a repository in one language never needs the other pack's list.
struct WordChoice {
    pack: &'static Pack,
    substitution: OnceLock<Substitution>,
}

impl Kind for WordChoice {
    fn check(&self, common: &Common, ctx: &PostCtx<'_>, out: &mut Emitter<'_>) {
        self.substitution.get_or_init(|| self.pack.table.substitution()).check(common, ctx, out);
    }

    fn describe(&self, _common: &Common) -> String {
        self.pack.words_description()
    }

    fn example(&self) -> String {
        self.pack.words_example.into()
    }
}

#[cfg(test)]
mod tests {
    const HEADER: &str = "//! The built-in word lists as their rules use them, generated from `data/klarsprak.toml` and\n//! `data/plain_en.toml` (see `plain_language::Table`). Do not edit: `BUDKAVLE_BLESS=1 cargo test\n//! --lib word_tables_are_the_lists` writes this file again, and that test fails while it differs.\n\nuse super::plain_language::Table;\n";

    /// `word_tables.rs` is what the lists make; `BUDKAVLE_BLESS=1` writes it again.
    #[test]
    fn word_tables_are_the_lists() {
        let source = format!(
            "{}{}{}",
            HEADER,
            super::super::klarsprak::PACK.table_source("KLARSPRAK"),
            super::super::plain_en::PACK.table_source("PLAIN_EN")
        );
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/check/packs/word_tables.rs");
        if std::env::var_os("BUDKAVLE_BLESS").is_some() {
            std::fs::write(&path, &source).unwrap();
        }
        let stored = std::fs::read_to_string(&path).unwrap();
        assert!(stored == source, "{} is out of date: run with BUDKAVLE_BLESS=1 to write it again", path.display());
        super::super::klarsprak::PACK.assert_table_is_the_list();
        super::super::plain_en::PACK.assert_table_is_the_list();
    }
}
