//! The `klarsprak` pack: Swedish plain language (klarspråk) for posts in Swedish.
//!
//! - `klarsprak.ordval`: officialese words and phrases with plain replacements and their
//!   inflections (data/klarsprak.toml, from Svarta listan, Myndigheternas skrivregler and
//!   Språkrådet); a warning with the replacement as fix.
//! - `klarsprak.lix`: LIX of the post's text at most `[voice] readability.lix_max` (default
//!   50, the border between plain prose and hard text).
//! - `klarsprak.meningslangd`: sentences of at most `max_sentence_words` words (default 25); a
//!   suggestion, since a long list-like sentence can still be clear.
//!
//! Only posts whose `lang` starts with `sv`: English posts have the `plain-en` pack.

use std::sync::LazyLock;

use crate::check::Level;
use crate::check::rule::Rule;
use crate::check::rules::{
    Common, Configured, Metric, Occurrence, Per, Readability, ScopeSet, Substitution, Swap, Token, WordEntry, WordList,
    escape_percent,
};
use crate::strategy::Strategy;

const DATA: &str = include_str!("data/klarsprak.toml");

const DEFAULT_LIX_MAX: f64 = 50.0;
const DEFAULT_SENTENCE_WORDS: usize = 25;

static SWAPS: LazyLock<Vec<Swap>> =
    LazyLock::new(|| WordList::parse(DATA).map(|list| list.swaps(message)).unwrap_or_default());

/// `'erhåller' is officialese; write 'får' (Svarta listan)`, with the entry's note if any.
fn message(e: &WordEntry) -> String {
    let note = e.note.as_deref().map(|n| format!("; {}", escape_percent(n))).unwrap_or_default();
    format!("'%s' is officialese; write '%s' ({}{note})", escape_percent(&e.source))
}

/// What the pack's rules share: Swedish posts only, the text a reader reads.
fn common(id: &str, level: Level, scopes: ScopeSet) -> Common {
    let mut c = Common::new(id, level);
    c.lang = Some("sv".into());
    c.scopes = scopes;
    c
}

pub(crate) fn rules(strategy: &Strategy) -> Vec<Box<dyn Rule>> {
    let readability = &strategy.file.voice.readability;
    let text = ScopeSet::HEADING.union(ScopeSet::PARAGRAPH).union(ScopeSet::LIST);

    let ordval = Substitution::new(SWAPS.clone(), true);
    let mut c = common("klarsprak.ordval", Level::Warning, ScopeSet::TEXT);
    c.description = Some(format!(
        "Swedish officialese with plain replacements ({} words and phrases with their inflections, from Svarta listan, Myndigheternas skrivregler and Språkrådet).",
        ordval.len()
    ));
    c.example = Some("Du erhåller beslutet efter handläggning.".into());

    let lix_max = readability.lix_max.unwrap_or(DEFAULT_LIX_MAX);
    let mut l = common("klarsprak.lix", Level::Warning, text);
    l.description = Some(format!(
        "LIX of a Swedish post at most {lix_max} ([voice] readability.lix_max): long sentences and long words make a text hard to read."
    ));

    let max_words = readability.max_sentence_words.map_or(DEFAULT_SENTENCE_WORDS, |n| n as usize);
    let mut m = common("klarsprak.meningslangd", Level::Suggestion, text);
    m.message = Some(format!("sentence of %s words; at most {max_words} is easier to read, so split it"));
    m.description = Some(format!(
        "Sentences in Swedish posts of at most {max_words} words ([voice] readability.max_sentence_words)."
    ));
    m.example = Some(
        "Med anledning av det ändrade läget kommer vi från och med måndag att hålla stängt i biblioteket på torget, men du kan fortfarande lämna tillbaka böcker i inkastet vid entrén eller på något av de andra biblioteken i kommunen."
            .into(),
    );

    vec![
        Configured::boxed(c, ordval),
        Configured::boxed(l, Readability::new(Metric::Lix, Some(lix_max), None)),
        Configured::boxed(m, Occurrence { token: Token::Word, per: Per::Sentence, min: None, max: Some(max_words) }),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_list_is_complete_and_consistent() {
        let list = WordList::parse(DATA).expect("klarsprak.toml parses");
        assert!(list.entry.len() >= 80, "{} entries", list.entry.len());
        let mut seen = std::collections::HashSet::new();
        for e in &list.entry {
            assert!(!e.words.is_empty());
            assert!(
                ["Svarta listan", "Myndigheternas skrivregler", "Språkrådet"].contains(&e.source.as_str()),
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
