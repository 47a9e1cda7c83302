//! `repetition`: the same word twice in a row ("och och"), almost always a slip of editing.
//!
//! ```toml
//! [[rules]]
//! id = "org.upprepning"
//! type = "repetition"
//! tokens = ["och", "att"]     # optional: only these words
//! exceptions = ["that"]       # optional: words that may repeat ("I know that that is true")
//! message = "'%s' två gånger i rad."   # %s: the word
//! ```
//!
//! Only words separated by nothing but space count ("bra, bra" is deliberate). The finding
//! covers both words and the fix keeps one.

use std::collections::HashSet;

use super::{Common, Configured, Keys, Kind, scope_phrase};
use crate::check::rule::{Emitter, PostCtx, Rule};
use crate::check::text::{self, Prose};

pub(super) const KEYS: &[&str] = &["tokens", "exceptions"];

pub(crate) struct Repetition {
    tokens: HashSet<String>,
    exceptions: HashSet<String>,
    ignorecase: bool,
}

pub(super) fn compile(k: &mut Keys<'_>, common: Common) -> Option<Box<dyn Rule>> {
    let norm = |s: &str| if common.ignorecase { s.trim().to_lowercase() } else { s.trim().to_string() };
    let tokens = k.strings("tokens").unwrap_or_default().iter().map(|(t, _)| norm(t)).collect();
    let exceptions = k.strings("exceptions").unwrap_or_default().iter().map(|(t, _)| norm(t)).collect();
    let ignorecase = common.ignorecase;
    Some(Configured::boxed(common, Repetition { tokens, exceptions, ignorecase }))
}

impl Kind for Repetition {
    fn check(&self, common: &Common, ctx: &PostCtx<'_>, out: &mut Emitter<'_>) {
        for scope in common.scopes(ctx) {
            let prose = Prose::of_scope(scope);
            let mut i = 0;
            while i + 1 < prose.words.len() {
                let (a, b) = (&prose.words[i], &prose.words[i + 1]);
                let (wa, wb) = (prose.word(i), prose.word(i + 1));
                let same = if self.ignorecase { wa.to_lowercase() == wb.to_lowercase() } else { wa == wb };
                let key = if self.ignorecase { wa.to_lowercase() } else { wa.to_string() };
                if same
                    && wa.chars().any(char::is_alphabetic)
                    && text::is_space(prose.text, a.end..b.start)
                    && (self.tokens.is_empty() || self.tokens.contains(&key))
                    && !self.exceptions.contains(&key)
                {
                    let msg = common.message(|| format!("'{wa}' is written twice in a row"), &[wa]);
                    out.at(scope, a.start..b.end, msg).with_fix(wa);
                    i += 2;
                    continue;
                }
                i += 1;
            }
        }
    }

    fn describe(&self, common: &Common) -> String {
        format!("The same word twice in a row, {}.", scope_phrase(common.scopes))
    }

    fn example(&self) -> String {
        match self.tokens.iter().min() {
            Some(t) => format!("… {t} {t} …"),
            None => "Vi ses på på fredag.".into(),
        }
    }
}
