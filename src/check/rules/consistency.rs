//! `consistency`: where two spellings are both right, one post uses one of them.
//!
//! ```toml
//! [[rules]]
//! id = "org.stavning"
//! type = "consistency"
//! either = { "e-post|e-posten" = "mejl|mejlet", "webbplats" = "webbsida" }
//! message = "'%s' här men '%s' på andra ställen i inlägget."   # %s: the match, the other spelling
//! ```
//!
//! Forms separated by `|` count as the same spelling (inflections), and pair up by position for
//! the fix. When both spellings occur, each occurrence of the less used one is a finding (on a
//! tie, of the one that came second), with the other spelling as fix.

use super::{Common, Configured, Keys, Kind, Lexicon, keep_case, scope_phrase};
use crate::check::rule::{Emitter, PostCtx, Rule};
use crate::check::text::Prose;

pub(super) const KEYS: &[&str] = &["either"];

struct Pair {
    sides: [Vec<String>; 2],
}

pub(crate) struct Consistency {
    pairs: Vec<Pair>,
    /// Lexicon value → (pair, side, form).
    forms: Vec<(usize, usize, usize)>,
    lexicon: Lexicon,
    keep_case: bool,
}

pub(super) fn compile(k: &mut Keys<'_>, common: Common) -> Option<Box<dyn Rule>> {
    let Some(entries) = k.string_pairs("either") else {
        if !k.has("either") {
            k.missing("either", "e.g. either = { \"e-post\" = \"mejl\" }");
        }
        return None;
    };
    let mut lexicon = Lexicon::new(common.ignorecase);
    let mut pairs = Vec::new();
    let mut forms = Vec::new();
    for (a, b, at) in entries {
        let split = |s: &str| s.split('|').map(|f| f.trim().to_string()).collect::<Vec<_>>();
        let sides = [split(&a), split(&b)];
        if sides.iter().flatten().any(String::is_empty) {
            k.error(at, format!("`either` pair `{a}` = `{b}` has an empty form"), "separate forms with a single `|`");
            continue;
        }
        let p = pairs.len();
        for (side, fs) in sides.iter().enumerate() {
            for (f, form) in fs.iter().enumerate() {
                if let Some(v) = lexicon.add(form, forms.len()) {
                    let (other, _, _) = forms[v];
                    if other == p {
                        k.error(at, format!("`either` pair `{a}` = `{b}` has `{form}` on both sides"), "");
                    }
                    continue;
                }
                forms.push((p, side, f));
            }
        }
        pairs.push(Pair { sides });
    }
    let keep_case = common.ignorecase;
    Some(Configured::boxed(common, Consistency { pairs, forms, lexicon, keep_case }))
}

impl Kind for Consistency {
    fn check(&self, common: &Common, ctx: &PostCtx<'_>, out: &mut Emitter<'_>) {
        // (scope index, range, pair, side, form) in post order.
        let scopes: Vec<_> = common.scopes(ctx).collect();
        let mut hits = Vec::new();
        for (si, scope) in scopes.iter().enumerate() {
            let prose = Prose::of_scope(scope);
            for (r, v) in self.lexicon.find(&prose) {
                let (p, side, form) = self.forms[v];
                hits.push((si, r, p, side, form));
            }
        }
        for (p, pair) in self.pairs.iter().enumerate() {
            let count = |side: usize| hits.iter().filter(|h| h.2 == p && h.3 == side).count();
            let (a, b) = (count(0), count(1));
            if a == 0 || b == 0 {
                continue;
            }
            let first = |side: usize| hits.iter().position(|h| h.2 == p && h.3 == side);
            let minority = match a.cmp(&b) {
                std::cmp::Ordering::Less => 0,
                std::cmp::Ordering::Greater => 1,
                std::cmp::Ordering::Equal => usize::from(first(1) > first(0)),
            };
            let majority = &pair.sides[1 - minority];
            for (si, r, _, _, form) in hits.iter().filter(|h| h.2 == p && h.3 == minority) {
                let scope = scopes[*si];
                let matched = &scope.text[r.clone()];
                let other = if majority.len() == pair.sides[minority].len() { &majority[*form] } else { &majority[0] };
                let fix = if self.keep_case { keep_case(matched, other) } else { other.clone() };
                let msg = common.message(
                    || format!("'{matched}' here but '{}' elsewhere in this post; use one spelling", majority[0]),
                    &[matched, &majority[0]],
                );
                out.at(scope, r.clone(), msg).with_fix(fix);
            }
        }
    }

    fn describe(&self, common: &Common) -> String {
        format!("One spelling of each pair within a post, {}.", scope_phrase(common.scopes))
    }

    fn example(&self) -> String {
        match self.pairs.first() {
            Some(p) => format!("Skicka {} … eller {}.", p.sides[0][0], p.sides[1][0]),
            None => "Both spellings of a pair in one post.".into(),
        }
    }
}
