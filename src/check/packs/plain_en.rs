//! The `plain-en` pack: plain English for posts in English.
//!
//! - `plain-en.wordiness`: wordy and bureaucratic words and phrases with plain replacements and
//!   their inflections (data/plain_en.toml, from plainlanguage.gov, the Plain English Campaign
//!   and the GOV.UK style guide); a warning with the replacement as fix.
//! - `plain-en.flesch`: Flesch Reading Ease of the post's text at least `[voice]
//!   readability.flesch_min` (default 60, plain English).
//! - `plain-en.sentence-length`: sentences of at most `max_sentence_words` words (default 25);
//!   a suggestion.
//!
//! Only posts whose `lang` starts with `en`.

use std::sync::LazyLock;

use crate::check::Level;
use crate::check::rule::Rule;
use crate::check::rules::{
    Common, Configured, Metric, Occurrence, Per, Readability, ScopeSet, Substitution, Swap, Token, WordEntry, WordList,
    escape_percent,
};
use crate::strategy::Strategy;

const DATA: &str = include_str!("data/plain_en.toml");

const DEFAULT_FLESCH_MIN: f64 = 60.0;
const DEFAULT_SENTENCE_WORDS: usize = 25;

static SWAPS: LazyLock<Vec<Swap>> =
    LazyLock::new(|| WordList::parse(DATA).map(|list| list.swaps(message)).unwrap_or_default());

/// `'utilize' is wordy; write 'use' (plainlanguage.gov)`, with the entry's note if any.
fn message(e: &WordEntry) -> String {
    let note = e.note.as_deref().map(|n| format!("; {}", escape_percent(n))).unwrap_or_default();
    format!("'%s' is wordy; write '%s' ({}{note})", escape_percent(&e.source))
}

fn common(id: &str, level: Level, scopes: ScopeSet) -> Common {
    let mut c = Common::new(id, level);
    c.lang = Some("en".into());
    c.scopes = scopes;
    c
}

pub(crate) fn rules(strategy: &Strategy) -> Vec<Box<dyn Rule>> {
    let readability = &strategy.file.voice.readability;
    let text = ScopeSet::HEADING.union(ScopeSet::PARAGRAPH).union(ScopeSet::LIST);

    let wordiness = Substitution::new(SWAPS.clone(), true);
    let mut w = common("plain-en.wordiness", Level::Warning, ScopeSet::TEXT);
    w.description = Some(format!(
        "Wordy English with plain replacements ({} words and phrases with their inflections, from plainlanguage.gov, the Plain English Campaign and the GOV.UK style guide).",
        wordiness.len()
    ));
    w.example = Some("We will commence work in order to facilitate access.".into());

    let flesch_min = readability.flesch_min.unwrap_or(DEFAULT_FLESCH_MIN);
    let mut f = common("plain-en.flesch", Level::Warning, text);
    f.description = Some(format!(
        "Flesch Reading Ease of an English post at least {flesch_min} ([voice] readability.flesch_min): long sentences and long words make a text hard to read."
    ));

    let max_words = readability.max_sentence_words.map_or(DEFAULT_SENTENCE_WORDS, |n| n as usize);
    let mut s = common("plain-en.sentence-length", Level::Suggestion, text);
    s.message = Some(format!("sentence of %s words; at most {max_words} is easier to read, so split it"));
    s.description = Some(format!(
        "Sentences in English posts of at most {max_words} words ([voice] readability.max_sentence_words)."
    ));
    s.example = Some(
        "Due to the changed situation the library on the square will be closed from Monday, but you can still return books through the slot by the entrance or at any of the other libraries in the municipality."
            .into(),
    );

    vec![
        Configured::boxed(w, wordiness),
        Configured::boxed(f, Readability::new(Metric::Flesch, None, Some(flesch_min))),
        Configured::boxed(s, Occurrence { token: Token::Word, per: Per::Sentence, min: None, max: Some(max_words) }),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_list_is_complete_and_consistent() {
        let list = WordList::parse(DATA).expect("plain_en.toml parses");
        assert!(list.entry.len() >= 80, "{} entries", list.entry.len());
        let mut seen = std::collections::HashSet::new();
        for e in &list.entry {
            assert!(!e.words.is_empty());
            assert!(
                ["plainlanguage.gov", "Plain English Campaign", "GOV.UK style guide"].contains(&e.source.as_str()),
                "{}: {}",
                e.words[0],
                e.source
            );
            for w in &e.words {
                assert!(seen.insert(w.to_lowercase()), "{w} twice");
            }
        }
        // An entry whose replacements do not pair with its forms is dropped.
        assert_eq!(SWAPS.len(), list.entry.len());
    }
}
