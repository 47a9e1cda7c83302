//! `existence`: words, phrases or patterns the organisation does not want to see at all.
//!
//! ```toml
//! [[rules]]
//! id = "org.ord"
//! type = "existence"
//! tokens = ["givetvis", "i dagsläget"]   # whole words and phrases
//! patterns = ['\bca\.? \d']               # regexes, matched anywhere
//! message = "Undvik '%s'."                # %s: the matched text
//! ```
//!
//! A finding on each match.

use regex::Regex;

use super::{Common, Configured, Keys, Kind, Lexicon, scope_phrase};
use crate::check::rule::{Emitter, PostCtx, Rule};
use crate::check::text::Prose;

pub(super) const KEYS: &[&str] = &["tokens", "patterns"];

pub(crate) struct Existence {
    tokens: Lexicon,
    patterns: Vec<Regex>,
    first: String,
}

pub(super) fn compile(k: &mut Keys<'_>, common: Common) -> Option<Box<dyn Rule>> {
    let tokens = k.strings("tokens").unwrap_or_default();
    let pattern_src = k.strings("patterns").unwrap_or_default();
    if tokens.is_empty() && pattern_src.is_empty() && !k.has("tokens") && !k.has("patterns") {
        k.missing("tokens", "list the words with tokens = [\"…\"] or regexes with patterns = ['…']");
        return None;
    }
    let mut lexicon = Lexicon::new(common.ignorecase);
    for (i, (t, at)) in tokens.iter().enumerate() {
        if t.trim().is_empty() {
            k.error(*at, "`tokens` has an empty entry", "remove it");
        }
        lexicon.add(t, i);
    }
    let patterns: Vec<Regex> =
        pattern_src.iter().filter_map(|(p, at)| k.regex(p, *at, common.ignorecase, "patterns")).collect();
    let first = tokens.first().map(|t| t.0.clone()).unwrap_or_default();
    Some(Configured::boxed(common, Existence { tokens: lexicon, patterns, first }))
}

impl Kind for Existence {
    fn check(&self, common: &Common, ctx: &PostCtx<'_>, out: &mut Emitter<'_>) {
        for scope in common.scopes(ctx) {
            let prose = Prose::of_scope(scope);
            let mut hits: Vec<std::ops::Range<usize>> = self.tokens.find(&prose).into_iter().map(|(r, _)| r).collect();
            for re in &self.patterns {
                hits.extend(
                    re.find_iter(&scope.text).map(|m| m.range()).filter(|r| !r.is_empty() && !prose.is_skipped(r)),
                );
            }
            hits.sort_by_key(|r| (r.start, r.end));
            hits.dedup();
            for r in hits {
                let matched = &scope.text[r.clone()];
                let msg = common.message(|| format!("avoid '{matched}'"), &[matched]);
                out.at(scope, r, msg);
            }
        }
    }

    fn describe(&self, common: &Common) -> String {
        format!("Words and patterns the organisation does not use, {}.", scope_phrase(common.scopes))
    }

    fn example(&self) -> String {
        if self.first.is_empty() {
            "A text matching one of the rule's patterns.".into()
        } else {
            format!("… {} …", self.first)
        }
    }
}
