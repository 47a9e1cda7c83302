//! The `plain_en` pack.

use crate::check::rule::Rule;
use crate::strategy::Strategy;

pub(crate) fn rules(_strategy: &Strategy) -> Vec<Box<dyn Rule>> {
    Vec::new()
}
