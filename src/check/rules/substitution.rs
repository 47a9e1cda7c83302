//! `substitution`: a word the organisation replaces by another, with a `fix`.
//!
//! ```toml
//! [[rules]]
//! id = "org.ordval"
//! type = "substitution"
//! message = "Skriv '%s' som '%s'."   # first %s: the matched text, second: the replacement
//! swap = { "erhålla|erhåller|erhöll|erhållit" = "få|får|fick|fått", "i dagsläget" = "nu" }
//! ```
//!
//! Keys are words or phrases matched as whole words. `|` separates inflected forms: form *i* of
//! the key is replaced by form *i* of the value, which must then have as many forms; a value
//! without `|` replaces every form. With `regex = true` each key is a regex instead (no forms) and
//! the value may refer to its groups as `$1`, `${name}`. The fix keeps the case of the match:
//! `Erhåller` → `Får`, `ERHÅLLER` → `FÅR` (with `ignorecase = false` the value is used as written).

use std::ops::Range;

use regex::Regex;

use super::{Common, Configured, Keys, Kind, Lexicon, keep_case, scope_phrase};
use crate::check::rule::{Emitter, PostCtx, Rule};
use crate::check::text::Prose;

pub(super) const KEYS: &[&str] = &["swap", "regex"];

/// One entry: inflected forms and their replacements, with its own message if it has one
/// (the packs quote each entry's source).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Swap {
    pub forms: Vec<String>,
    pub replacements: Vec<String>,
    pub message: Option<String>,
}

impl Swap {
    fn replacement(&self, form: usize) -> &str {
        match self.replacements.len() {
            1 => &self.replacements[0],
            _ => self.replacements.get(form).map_or("", String::as_str),
        }
    }
}

pub(crate) struct Substitution {
    swaps: Vec<Swap>,
    /// Lexicon value → (swap, form).
    forms: Vec<(usize, usize)>,
    lexicon: Lexicon,
    regexes: Vec<(Regex, String)>,
    keep_case: bool,
}

impl Substitution {
    /// Entries whose forms do not pair with their replacements are left out; the caller has
    /// checked them.
    pub(crate) fn new(swaps: Vec<Swap>, ignorecase: bool) -> Self {
        let mut lexicon = Lexicon::new(ignorecase);
        let mut forms = Vec::new();
        for (i, s) in swaps.iter().enumerate() {
            for (j, f) in s.forms.iter().enumerate() {
                if lexicon.add(f, forms.len()).is_none() {
                    forms.push((i, j));
                }
            }
        }
        Substitution { swaps, forms, lexicon, regexes: Vec::new(), keep_case: ignorecase }
    }

    /// A substitution from its parts as [`Substitution::new`] makes them: the swaps, for each
    /// lexicon value its (swap, form), and the lexicon of the forms.
    pub(crate) fn from_index(swaps: Vec<Swap>, forms: Vec<(usize, usize)>, lexicon: Lexicon, ignorecase: bool) -> Self {
        Substitution { swaps, forms, lexicon, regexes: Vec::new(), keep_case: ignorecase }
    }

    /// The parts [`Substitution::from_index`] takes.
    #[cfg(test)]
    pub(crate) fn index(&self) -> (&[Swap], &[(usize, usize)], &Lexicon) {
        (&self.swaps, &self.forms, &self.lexicon)
    }

    fn matches(&self, prose: &Prose<'_>) -> Vec<(Range<usize>, String, Option<&str>)> {
        let mut out = Vec::new();
        for (r, v) in self.lexicon.find(prose) {
            let (swap, form) = self.forms[v];
            let s = &self.swaps[swap];
            out.push((r, s.replacement(form).to_string(), s.message.as_deref()));
        }
        for (re, template) in &self.regexes {
            for caps in re.captures_iter(prose.text) {
                let Some(m) = caps.get(0) else { continue };
                if m.is_empty() || prose.is_skipped(&m.range()) {
                    continue;
                }
                let mut replacement = String::new();
                caps.expand(template, &mut replacement);
                out.push((m.range(), replacement, None));
            }
        }
        if !self.regexes.is_empty() {
            out.sort_by_key(|(r, _, _)| (r.start, usize::MAX - r.end));
            let mut last_end = 0;
            out.retain(|(r, _, _)| {
                let keep = r.start >= last_end;
                last_end = last_end.max(if keep { r.end } else { 0 });
                keep
            });
        }
        out
    }
}

pub(super) fn compile(k: &mut Keys<'_>, common: Common) -> Option<Box<dyn Rule>> {
    let regex = k.boolean("regex").unwrap_or(false);
    let Some(pairs) = k.string_pairs("swap") else {
        if !k.has("swap") {
            k.missing("swap", "e.g. swap = { \"erhålla|erhåller\" = \"få|får\" }");
        }
        return None;
    };
    if pairs.is_empty() {
        let at = k.key_at("swap");
        k.error(at, "`swap` is empty", "add the words to replace, e.g. swap = { \"erhålla\" = \"få\" }");
        return None;
    }
    if regex {
        let mut regexes = Vec::new();
        for (key, value, at) in pairs {
            if let Some(re) = k.regex(&key, at, common.ignorecase, "swap") {
                regexes.push((re, value));
            }
        }
        let mut rule = Substitution::new(Vec::new(), common.ignorecase);
        rule.regexes = regexes;
        return Some(Configured::boxed(common, rule));
    }
    let mut swaps = Vec::new();
    for (key, value, at) in pairs {
        let forms: Vec<String> = key.split('|').map(|f| f.trim().to_string()).collect();
        let replacements: Vec<String> = value.split('|').map(|f| f.trim().to_string()).collect();
        if forms.iter().any(String::is_empty) {
            k.error(
                at,
                format!("`swap` key `{key}` has an empty form"),
                "separate forms with a single `|`: \"erhålla|erhåller\"",
            );
            continue;
        }
        if replacements.len() != 1 && replacements.len() != forms.len() {
            k.error(
                at,
                format!(
                    "`swap` key `{key}` has {} forms but its replacement `{value}` has {}",
                    forms.len(),
                    replacements.len()
                ),
                "give one replacement per form, in the same order, or a single replacement for all forms",
            );
            continue;
        }
        swaps.push(Swap { forms, replacements, message: None });
    }
    Some(Configured::boxed(common.clone(), Substitution::new(swaps, common.ignorecase)))
}

impl Kind for Substitution {
    fn check(&self, common: &Common, ctx: &PostCtx<'_>, out: &mut Emitter<'_>) {
        for scope in common.scopes(ctx) {
            let prose = Prose::of_scope(scope);
            for (r, replacement, entry_message) in self.matches(&prose) {
                let matched = &scope.text[r.clone()];
                let fix = if self.keep_case { keep_case(matched, &replacement) } else { replacement };
                if fix == matched {
                    continue;
                }
                let msg = match entry_message {
                    Some(m) => super::fill(m, &[matched, &fix]),
                    None => common.message(|| format!("write '{fix}' instead of '{matched}'"), &[matched, &fix]),
                };
                out.at(scope, r, msg).with_fix(fix);
            }
        }
    }

    fn describe(&self, common: &Common) -> String {
        format!("Words the organisation replaces by others, with a fix, {}.", scope_phrase(common.scopes))
    }

    fn example(&self) -> String {
        match self.swaps.first().and_then(|s| s.forms.first()) {
            Some(f) => format!("… {f} …"),
            None => "A text matching one of the rule's patterns.".into(),
        }
    }
}

/// `text` safe to put in a message template.
#[cfg(test)]
pub(crate) fn escape_percent(text: &str) -> String {
    text.replace('%', "%%")
}
