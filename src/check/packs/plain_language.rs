//! What the two plain-language packs share: a word list with plain replacements, a readability
//! score and a sentence-length limit, for the posts of one language. `klarsprak` and `plain-en`
//! differ only in their data, language, metric and wording.

use std::sync::{LazyLock, OnceLock};

use crate::check::Level;
use crate::check::rule::{Emitter, PostCtx, Rule};
use crate::check::rules::{
    Common, Configured, Kind, Metric, Occurrence, Per, Readability, ScopeSet, Substitution, Swap, Token, WordEntry,
    WordList, escape_percent,
};
use crate::strategy::Strategy;

/// One plain-language pack, described.
pub(crate) struct Pack {
    /// The `lang` prefix of the posts it reads (`sv`, `en`).
    pub lang: &'static str,
    /// The word list (TOML, see data/), for the tests' consistency check, and its swaps.
    #[cfg(test)]
    pub data: &'static str,
    pub swaps: &'static LazyLock<Vec<Swap>>,
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

/// The swaps of a word list, for the pack's `LazyLock`: `'%s' is <flaw>; write '%s' (source)`.
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
            self.swaps.len(),
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
        assert_eq!(self.swaps.len(), list.entry.len());
    }
}

/// A pack's word list as a substitution rule, built on its first post in the pack's language:
/// parsing the list and indexing a few hundred inflected forms costs more than checking a post,
/// and a repository in one language never needs the other pack's list.
struct WordChoice {
    pack: &'static Pack,
    substitution: OnceLock<Substitution>,
}

impl Kind for WordChoice {
    fn check(&self, common: &Common, ctx: &PostCtx<'_>, out: &mut Emitter<'_>) {
        self.substitution.get_or_init(|| Substitution::new((*self.pack.swaps).clone(), true)).check(common, ctx, out);
    }

    fn describe(&self, _common: &Common) -> String {
        self.pack.words_description()
    }

    fn example(&self) -> String {
        self.pack.words_example.into()
    }
}
