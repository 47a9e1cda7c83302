//! `capitalization`: how headings and titles are capitalised. Swedish writes headings in
//! sentence case ("Nytt bibliotek öppnar i centrum"); English house styles differ.
//!
//! ```toml
//! [[rules]]
//! id = "org.rubriker"
//! type = "capitalization"
//! match = "$sentence"      # $sentence, $title, $lower, $upper, or a regex the text must match
//! exceptions = ["Exempelstad", "Region Exempel"]   # proper nouns, written as they must be
//! scope = ["heading", "title"]                     # the default
//! ```
//!
//! `$sentence`: the first word of each sentence starts with a capital, other words do not —
//! except words in `exceptions`, acronyms (`SMHI`), words with a capital inside (`iPhone`) and
//! words the post capitalises inside a sentence of its body text (`… i Västerås i dag`): those
//! are names. `$title`: every word but short function words (a, and, of, the, …) starts
//! with a capital. `$lower`/`$upper`: no capitals / only capitals. A finding per word, with the
//! word in the right case as fix; with a regex, a finding on the scope when it does not match.

use std::collections::HashSet;

use regex::Regex;

use super::{Common, Configured, Keys, Kind, Lexicon, scope_phrase};
use crate::check::rule::{Emitter, PostCtx, Rule};
use crate::check::scope::ScopeKind;
use crate::check::text::{self, Prose};

pub(super) const KEYS: &[&str] = &["match", "exceptions"];

enum Style {
    Sentence,
    Title,
    Lower,
    Upper,
    Regex(Regex),
}

pub(crate) struct Capitalization {
    style: Style,
    exceptions: Lexicon,
}

pub(super) fn compile(k: &mut Keys<'_>, common: Common) -> Option<Box<dyn Rule>> {
    let style = match k.string("match") {
        Some(m) => match m.as_str() {
            "$sentence" => Style::Sentence,
            "$title" => Style::Title,
            "$lower" => Style::Lower,
            "$upper" => Style::Upper,
            special if special.starts_with('$') => {
                let at = k.key_at("match");
                k.error(
                    at,
                    format!("unknown capitalization `{special}`"),
                    "use $sentence, $title, $lower, $upper or a regex",
                );
                return None;
            }
            re => Style::Regex(k.regex(re, k.key_at("match"), false, "match")?),
        },
        None => {
            if !k.has("match") {
                k.missing("match", "e.g. match = \"$sentence\" (or $title, $lower, $upper, or a regex)");
            }
            return None;
        }
    };
    // Exceptions are names: matched in their own case.
    let mut exceptions = Lexicon::new(false);
    for (i, (e, _)) in k.strings("exceptions").unwrap_or_default().into_iter().enumerate() {
        exceptions.add(&e, i);
    }
    Some(Configured::boxed(common, Capitalization { style, exceptions }))
}

const MINOR_WORDS: &[&str] = &[
    "a", "an", "the", "and", "but", "or", "nor", "for", "so", "yet", "as", "at", "by", "in", "of", "off", "on", "per",
    "to", "up", "via", "vs",
];

impl Kind for Capitalization {
    fn check(&self, common: &Common, ctx: &PostCtx<'_>, out: &mut Emitter<'_>) {
        let english = ctx.post.lang.to_lowercase().starts_with("en");
        let names = if matches!(self.style, Style::Sentence) { names_in_running_text(ctx) } else { HashSet::new() };
        for scope in common.scopes(ctx) {
            let prose = Prose::of_scope(scope);
            if let Style::Regex(re) = &self.style {
                if !scope.text.trim().is_empty() && !re.is_match(&scope.text) {
                    let t = scope.text.as_str();
                    let msg = common.message(|| format!("'{t}' does not match the capitalization `{re}`"), &[t]);
                    out.at(scope, 0..scope.text.len(), msg);
                }
                continue;
            }
            let exempt: Vec<_> = self.exceptions.find(&prose).into_iter().map(|(r, _)| r).collect();
            let last = prose.words.len().saturating_sub(1);
            for i in 0..prose.words.len() {
                let r = prose.words[i].clone();
                let word = prose.word(i);
                if exempt.iter().any(|e| e.start <= r.start && r.end <= e.end) || !word.starts_with(char::is_alphabetic)
                {
                    continue;
                }
                let first_upper = word.starts_with(char::is_uppercase);
                let caps_inside = word.chars().skip(1).any(char::is_uppercase);
                let (bad, fix, want) = match &self.style {
                    Style::Sentence => {
                        if sentence_start(&prose, i) {
                            (
                                !first_upper && !caps_inside,
                                text::capitalize(word),
                                "sentence case: start with a capital",
                            )
                        } else {
                            let name = caps_inside
                                || text::is_all_caps(word)
                                || (english && word == "I")
                                || names.contains(word);
                            (
                                first_upper && !name,
                                text::decapitalize(word),
                                "sentence case: only the first word capitalised",
                            )
                        }
                    }
                    Style::Title => {
                        let minor = i != 0 && i != last && MINOR_WORDS.contains(&word.to_lowercase().as_str());
                        (!first_upper && !minor && !caps_inside, text::capitalize(word), "title case")
                    }
                    Style::Lower => (word.chars().any(char::is_uppercase), word.to_lowercase(), "lower case"),
                    Style::Upper => (word.chars().any(char::is_lowercase), word.to_uppercase(), "upper case"),
                    Style::Regex(_) => (false, String::new(), ""),
                };
                if bad && fix != word {
                    let msg =
                        common.message(|| format!("'{word}': write {} in {want}", kind_plural(scope.kind)), &[word]);
                    out.at(scope, r, msg).with_fix(fix);
                }
            }
        }
    }

    fn describe(&self, common: &Common) -> String {
        let style = match &self.style {
            Style::Sentence => "sentence case".to_string(),
            Style::Title => "title case".to_string(),
            Style::Lower => "lower case".to_string(),
            Style::Upper => "upper case".to_string(),
            Style::Regex(re) => format!("the pattern `{re}`"),
        };
        format!("Capitalization in {style}, {}.", scope_phrase(common.scopes))
    }

    fn example(&self) -> String {
        match &self.style {
            Style::Sentence => "## Nytt Bibliotek Öppnar".into(),
            Style::Title => "## A new library opens".into(),
            Style::Lower => "#KrisInfo".into(),
            Style::Upper => "Hej".into(),
            Style::Regex(_) => "A heading that does not match the pattern.".into(),
        }
    }
}

fn kind_plural(kind: ScopeKind) -> &'static str {
    match kind {
        ScopeKind::Title => "titles",
        ScopeKind::Heading => "headings",
        ScopeKind::Hashtag => "hashtags",
        ScopeKind::Alt => "alt texts",
        ScopeKind::ListItem => "list items",
        _ => "this text",
    }
}

/// Whether word `i` begins a sentence: the first word, or after `.`, `!`, `?`, `:` or a line
/// break (opening quotes and brackets between do not matter).
fn sentence_start(prose: &Prose<'_>, i: usize) -> bool {
    if i == 0 {
        return true;
    }
    let gap = &prose.text[prose.words[i - 1].end..prose.words[i].start];
    let gap = gap.trim_end_matches(['"', '\'', '(', '[', '“', '”', '‘', '’', '«', '»', ' ', '\t']);
    gap.contains('\n') || gap.trim_end().ends_with(['.', '!', '?', ':', '…'])
}

/// Words the post itself capitalises inside a sentence of its running text: names (`Västerås`,
/// `Stadsbiblioteket`), which a heading capitalises too. This spares the organisation from
/// listing every place name in `exceptions`.
fn names_in_running_text<'a>(ctx: &'a PostCtx<'_>) -> HashSet<&'a str> {
    let mut names = HashSet::new();
    for scope in
        ctx.scopes.iter().filter(|s| matches!(s.kind, ScopeKind::Paragraph | ScopeKind::ListItem | ScopeKind::Quote))
    {
        let prose = Prose::of_scope(scope);
        for i in 0..prose.words.len() {
            let w = prose.word(i);
            if w.starts_with(char::is_uppercase) && !text::is_all_caps(w) && !sentence_start(&prose, i) {
                names.insert(w);
            }
        }
    }
    names
}
