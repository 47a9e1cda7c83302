//! `conditional`: an acronym must be spelled out once in the post, because the reader of a
//! single social-media post has no glossary and no earlier chapter.
//!
//! ```toml
//! [[rules]]
//! id = "org.forkortningar"
//! type = "conditional"
//! first = '\b[A-ZÅÄÖ]{2,6}\b'            # optional: what an acronym is (this is the default)
//! exceptions = ["SMHI", "EU", "SVT"]    # known to everyone: never flagged
//! message = "Skriv ut '%s' en gång."    # %s: the acronym
//! ```
//!
//! An acronym counts as spelled out when the post (any text scope) has "Full name (ABC)",
//! "ABC (full name)" or the Swedish apposition ", ABC,". The finding is on the first use of each
//! acronym that is not; `ignorecase` does not apply. Words in a run of capitals ("STÄNGT IDAG")
//! are shouting, not acronyms, and Roman numerals (`XII`) are not acronyms either.

use std::collections::HashSet;

use regex::Regex;

use super::{Common, Configured, Keys, Kind, ScopeSet, scope_phrase};
use crate::check::rule::{Emitter, PostCtx, Rule};
use crate::check::text::{self, Prose};

pub(super) const KEYS: &[&str] = &["first", "exceptions"];

const DEFAULT: &str = r"\b[A-ZÅÄÖ]{2,6}\b";

pub(crate) struct Conditional {
    first: Regex,
    exceptions: HashSet<String>,
}

pub(super) fn compile(k: &mut Keys<'_>, common: Common) -> Option<Box<dyn Rule>> {
    let first = match k.string("first") {
        Some(src) => k.regex(&src, k.key_at("first"), false, "first")?,
        None if k.has("first") => return None,
        None => Regex::new(DEFAULT).ok()?,
    };
    let exceptions =
        k.strings("exceptions").unwrap_or_default().into_iter().map(|(e, _)| e.trim().to_string()).collect();
    Some(Configured::boxed(common, Conditional { first, exceptions }))
}

impl Conditional {
    /// Whether `acronym` is explained anywhere in `texts`.
    fn spelled_out(acronym: &str, texts: &[&str]) -> bool {
        texts.iter().any(|t| {
            t.match_indices(acronym).any(|(i, _)| {
                let before = t[..i].trim_end();
                let after = &t[i + acronym.len()..];
                let after_word = after.trim_start_matches(|c: char| c == ':' || c.is_lowercase());
                // "Full name (ABC)", "Full name (ABC:s)".
                let in_parens = before.ends_with('(') && after_word.trim_start().starts_with(')') && before.len() > 1;
                // "ABC (full name)".
                let explained =
                    after.trim_start().strip_prefix('(').is_some_and(|inner| {
                        inner.split(')').next().is_some_and(|x| x.chars().any(char::is_lowercase))
                    }) && after.len() != after.trim_start().len();
                // "Full name, ABC, …".
                let apposition = before.ends_with(',') && after_word.starts_with(',');
                in_parens || explained || apposition
            })
        })
    }
}

fn is_roman(word: &str) -> bool {
    word.chars().all(|c| matches!(c, 'I' | 'V' | 'X'))
}

impl Kind for Conditional {
    fn check(&self, common: &Common, ctx: &PostCtx<'_>, out: &mut Emitter<'_>) {
        let all: Vec<&str> =
            ctx.scopes.iter().filter(|s| ScopeSet::TEXT.contains(s.kind)).map(|s| s.text.as_str()).collect();
        let mut seen: HashSet<&str> = HashSet::new();
        for scope in common.scopes(ctx) {
            let prose = Prose::of_scope(scope);
            for m in self.first.find_iter(&scope.text) {
                let acronym = m.as_str();
                if m.is_empty()
                    || prose.is_skipped(&m.range())
                    || self.exceptions.contains(acronym)
                    || is_roman(acronym)
                {
                    continue;
                }
                // Shouting ("STÄNGT IDAG"): a neighbouring word is in capitals too.
                let w = prose.words_in(&m.range());
                let caps = |j: usize| {
                    prose.words.get(j).is_some_and(|_| {
                        let n = prose.word(j);
                        text::is_all_caps(n) && !self.exceptions.contains(n)
                    })
                };
                if !w.is_empty() && ((w.start > 0 && caps(w.start - 1)) || caps(w.end)) {
                    continue;
                }
                if !seen.insert(acronym) {
                    continue;
                }
                if Self::spelled_out(acronym, &all) {
                    continue;
                }
                let msg = common.message(
                    || format!("'{acronym}' is not spelled out in this post; write it in full once, e.g. \"full name ({acronym})\""),
                    &[acronym, acronym],
                );
                out.at(scope, m.range(), msg);
            }
        }
    }

    fn describe(&self, common: &Common) -> String {
        format!("Acronyms spelled out once per post, {}.", scope_phrase(common.scopes))
    }

    fn example(&self) -> String {
        "Läs mer hos MSB.".into()
    }
}
