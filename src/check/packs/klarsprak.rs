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

use super::plain_language::Pack;
use crate::check::rule::Rule;
use crate::check::rules::Metric;
use crate::strategy::Strategy;

#[cfg(test)]
const DATA: &str = include_str!("data/klarsprak.toml");

pub(super) static PACK: Pack = Pack {
    lang: "sv",
    #[cfg(test)]
    data: DATA,
    table: &super::word_tables::KLARSPRAK,
    sources: &["Svarta listan", "Myndigheternas skrivregler", "Språkrådet"],
    words_id: "klarsprak.ordval",
    score_id: "klarsprak.lix",
    sentence_id: "klarsprak.meningslangd",
    flaw: "officialese",
    language: "Swedish",
    metric: Metric::Lix,
    words_example: "Du erhåller beslutet efter handläggning.",
    sentence_example: "Med anledning av det ändrade läget kommer vi från och med måndag att hålla stängt i biblioteket på torget, men du kan fortfarande lämna tillbaka böcker i inkastet vid entrén eller på något av de andra biblioteken i kommunen.",
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
