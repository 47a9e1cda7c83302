//! Built-in rule packs, enabled by name in `[voice] packs` (DESIGN §5).

mod a11y;
mod corrections;
mod crisis;
mod klarsprak;
mod limits;
mod links;
mod plain_en;
mod plain_language;
/// Also the inbox's detector of personal data in citizens' messages.
pub(crate) mod privacy;
mod strategy;
mod unfinished;
/// Generated from the word lists in data/ (see `plain_language::Table`); not formatted.
#[rustfmt::skip]
mod word_tables;

use crate::check::rule::Rule;
use crate::strategy::Strategy;

/// A built-in pack: the one list of their names. An unknown name in strategy.toml is an error
/// ([`crate::check::validate`]), never a pack that silently has no rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pack {
    Klarsprak,
    PlainEn,
    A11y,
    Privacy,
    Limits,
    Strategy,
    Links,
    Crisis,
}

/// Rules that hold whatever packs are on: a post that is plainly not finished.
pub(crate) fn always() -> Vec<Box<dyn Rule>> {
    let mut rules = unfinished::rules();
    rules.extend(corrections::rules());
    rules
}

impl Pack {
    pub const ALL: [Pack; 8] = [
        Pack::Klarsprak,
        Pack::PlainEn,
        Pack::A11y,
        Pack::Privacy,
        Pack::Limits,
        Pack::Strategy,
        Pack::Links,
        Pack::Crisis,
    ];

    /// The name strategy.toml uses.
    pub fn name(self) -> &'static str {
        match self {
            Pack::Klarsprak => "klarsprak",
            Pack::PlainEn => "plain-en",
            Pack::A11y => "a11y",
            Pack::Privacy => "privacy",
            Pack::Limits => "limits",
            Pack::Strategy => "strategy",
            Pack::Links => "links",
            Pack::Crisis => "crisis",
        }
    }

    pub fn from_name(name: &str) -> Option<Pack> {
        Pack::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The pack's rules for this organisation.
    pub fn rules(self, strategy: &Strategy) -> Vec<Box<dyn Rule>> {
        match self {
            Pack::Klarsprak => klarsprak::rules(strategy),
            Pack::PlainEn => plain_en::rules(strategy),
            Pack::A11y => a11y::rules(strategy),
            Pack::Privacy => privacy::rules(strategy),
            Pack::Limits => limits::rules(),
            Pack::Strategy => strategy::rules(strategy),
            Pack::Links => links::rules(strategy),
            Pack::Crisis => crisis::rules(strategy),
        }
    }
}
