//! Built-in rule packs, enabled by name in `[voice] packs` (DESIGN §5).

mod limits;

use crate::check::rule::Rule;
use crate::strategy::Strategy;

/// The rules of a pack. Names are validated when strategy.toml is loaded.
pub fn rules(pack: &str, _strategy: &Strategy) -> Vec<Box<dyn Rule>> {
    match pack {
        "limits" => limits::rules(),
        _ => Vec::new(),
    }
}
