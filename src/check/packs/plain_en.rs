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

use super::plain_language::Pack;
use crate::check::rule::Rule;
use crate::check::rules::Metric;
use crate::strategy::Strategy;

#[cfg(test)]
const DATA: &str = include_str!("data/plain_en.toml");

pub(super) static PACK: Pack = Pack {
    lang: "en",
    #[cfg(test)]
    data: DATA,
    table: &super::word_tables::PLAIN_EN,
    sources: &["plainlanguage.gov", "Plain English Campaign", "GOV.UK style guide"],
    words_id: "plain-en.wordiness",
    score_id: "plain-en.flesch",
    sentence_id: "plain-en.sentence-length",
    flaw: "wordy",
    language: "English",
    metric: Metric::Flesch,
    words_example: "We will commence work in order to facilitate access.",
    sentence_example: "Due to the changed situation the library on the square will be closed from Monday, but you can still return books through the slot by the entrance or at any of the other libraries in the municipality.",
};

pub(crate) fn rules(strategy: &Strategy) -> Vec<Box<dyn Rule>> {
    PACK.rules(strategy)
}

#[cfg(test)]
mod tests {
    #[test]
    fn word_list_is_complete_and_consistent() {
        super::PACK.assert_consistent();
    }
}
