//! Built-in rule packs, enabled by name in `[voice] packs` (DESIGN §5).

mod a11y;
mod crisis;
mod klarsprak;
mod limits;
mod links;
mod plain_en;
mod plain_language;
mod privacy;
mod strategy;

use crate::check::rule::Rule;
use crate::strategy::Strategy;

/// The rules of a pack. Names are validated when strategy.toml is loaded.
pub fn rules(pack: &str, strategy: &Strategy) -> Vec<Box<dyn Rule>> {
    match pack {
        "klarsprak" => klarsprak::rules(strategy),
        "plain-en" => plain_en::rules(strategy),
        "a11y" => a11y::rules(strategy),
        "privacy" => privacy::rules(strategy),
        "limits" => limits::rules(),
        "strategy" => strategy::rules(strategy),
        "links" => links::rules(strategy),
        "crisis" => crisis::rules(strategy),
        _ => Vec::new(),
    }
}
