//! The organisation's own rules, `[[rules]]` in strategy.toml, compiled once. A rule that cannot
//! work (unknown type, missing or misspelt key, value of the wrong type, bad regex) is a
//! configuration error naming the line of the key at fault, so `check` stops with exit code 2
//! instead of silently checking less than the organisation believes.
//!
//! The rule types are Vale's, written in TOML; the built-in language packs are built from the
//! same types. Keys every rule takes:
//!
//! | key | meaning |
//! |-----|---------|
//! | `id` | required; findings, `ignore` lists and `budkavle-disable` comments name the rule by it |
//! | `type` | required: `existence`, `substitution`, `occurrence`, `repetition`, `consistency`, `conditional`, `capitalization`, `readability` |
//! | `level` | `error`, `warning` (default) or `suggestion` |
//! | `message` | the finding's text; `%s` is replaced by the matched text (see each type for a second `%s`) |
//! | `scope` | one name or a list: `title`, `heading`, `paragraph`, `list`, `quote`, `alt`, `hashtag`, `body` (heading, paragraph, list, quote), `text` (body, title, alt); plurals (`headings`) work too; default `text` |
//! | `link` | URL of the guidance behind the rule |
//! | `ignorecase` | match regardless of case (default `true`; `conditional` and `capitalization` are about case and ignore it) |
//! | `lang` | apply only to posts whose `lang` starts with this (`"sv"` covers `sv-FI`) |
//! | `description`, `example` | shown by `budkavle rules` |
//!
//! Per type (the module of each type documents it in full):
//!
//! - `existence`: `tokens` (words and phrases, matched as whole words) and/or `patterns`
//!   (regexes, matched anywhere); a finding on each match.
//! - `substitution`: `swap = { "word" = "replacement" }`; a key `"a|b|c"` with the value `"x|y|z"`
//!   swaps each form for the replacement in the same place (inflections), a value without `|`
//!   replaces every form. `regex = true` makes keys regexes (values may use `$1`). The message's
//!   second `%s` is the replacement, which is also the finding's `fix`, in the case of the match.
//! - `occurrence`: `token` (regex or `$word`, `$hashtag`, `$link`, `$emoji`, `$sentence`), `per`
//!   (`sentence`, `scope` — the default — or `post`), `min` and/or `max`; `%s` is the count.
//! - `repetition`: a word written twice in a row; optional `tokens` (only these) and
//!   `exceptions`.
//! - `consistency`: `either = { "e-post" = "mejl" }`; a post uses one of each pair.
//! - `conditional`: an acronym (`first`, default 2–6 capitals) must be spelled out once in the
//!   post, "Full name (ABC)" or "ABC (full name)"; `exceptions` lists well-known ones.
//! - `capitalization`: `match` = `$sentence`, `$title`, `$lower`, `$upper` or a regex the text
//!   must match; `exceptions` for proper nouns; default scope heading and title.
//! - `readability`: `metric` = `lix` or `flesch`, `max` and/or `min`, `min_words` (default 10);
//!   `%s` is the score; default scope heading, paragraph and list.
//!
//! Rules read prose only: code blocks are never in scope and link targets, bare addresses,
//! @mentions and #hashtags in running text are skipped (see [`crate::check::text`]).
//!
//! A rule with any error is not run (the others are): `check` stops with exit code 2 anyway,
//! and the diagnostics name the line of the key at fault — `[[rules]]` for a missing key, an
//! unknown type or level — with the closest known key or type for a typo, and the regex
//! engine's reason for a bad regex.

mod capitalization;
mod conditional;
mod config;
mod consistency;
mod existence;
mod lexicon;
mod occurrence;
pub(crate) mod readability;
mod repetition;
mod substitution;
#[cfg(test)]
mod word_list;

use std::path::Path;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::check::Level;
use crate::check::rule::{Emitter, PostCtx, Rule};
use crate::check::scope::{Scope, ScopeKind};
use crate::error::Diagnostic;
use crate::post::Post;
use crate::strategy::Strategy;
use crate::toml_diag;

pub(crate) use config::Keys;
pub(crate) use lexicon::{Lexicon, keep_case};
pub(crate) use occurrence::{Occurrence, Per, Token};
pub(crate) use readability::{Metric, Readability};
#[cfg(test)]
pub(crate) use substitution::escape_percent;
pub(crate) use substitution::{Substitution, Swap};
#[cfg(test)]
pub(crate) use word_list::{WordEntry, WordList};

/// Rule types an organisation can write (DESIGN §5), in the shape of Vale's.
pub const RULE_TYPES: &[&str] = &[
    "existence",
    "substitution",
    "occurrence",
    "repetition",
    "consistency",
    "conditional",
    "capitalization",
    "readability",
];

const COMMON_KEYS: &[&str] =
    &["id", "type", "level", "message", "scope", "link", "ignorecase", "lang", "description", "example"];

pub struct Compiled {
    pub rules: Vec<Box<dyn Rule>>,
    pub diagnostics: Vec<Diagnostic>,
}

/// The strategy's rules, with a diagnostic for every table that does not compile.
pub fn compile(strategy: &Strategy) -> Compiled {
    compile_tables(Path::new(crate::strategy::FILE_NAME), &strategy.source, &strategy.file.rules)
}

/// Compiles `tables`, the `[[rules]]` of `text` (the strategy file, re-read here for the
/// positions of keys inside each rule).
fn compile_tables(file: &Path, text: &str, tables: &[Spanned<toml::Table>]) -> Compiled {
    let parsed = if tables.is_empty() { None } else { DeTable::parse(text).ok() };
    let spans: Vec<Option<&DeTable<'_>>> = match parsed.as_ref().and_then(|root| root.get_ref().get("rules")) {
        Some(v) => match v.get_ref() {
            DeValue::Array(items) => (0..tables.len())
                .map(|i| match items.get(i).map(|v| v.get_ref()) {
                    Some(DeValue::Table(t)) => Some(t),
                    _ => None,
                })
                .collect(),
            _ => vec![None; tables.len()],
        },
        None => vec![None; tables.len()],
    };
    let mut rules = Vec::new();
    let mut diagnostics = Vec::new();
    for (rule, spans) in tables.iter().zip(spans) {
        let mut keys = Keys::new(file, text, rule.get_ref(), spans, rule.span().start);
        if let Some(r) = compile_one(&mut keys) {
            rules.push(r);
        }
        diagnostics.append(&mut keys.diagnostics);
    }
    Compiled { rules, diagnostics }
}

fn compile_one(k: &mut Keys<'_>) -> Option<Box<dyn Rule>> {
    let id = match k.string("id") {
        Some(id) if !id.trim().is_empty() => Some(id),
        Some(_) => {
            let at = k.key_at("id");
            k.error(at, "a rule's `id` must not be empty", "e.g. id = \"org.ordval\"");
            None
        }
        None if k.has("id") => None,
        None => {
            k.error(
                k.header(),
                "a rule needs an `id`",
                "add e.g. id = \"org.ordval\"; findings and `ignore` lists name rules by it",
            );
            None
        }
    };
    let kind = match k.string("type") {
        Some(t) if RULE_TYPES.contains(&t.as_str()) => Some(t),
        Some(t) => {
            let hint = match toml_diag::closest(&t, RULE_TYPES.iter().copied()) {
                Some(best) => format!("did you mean `{best}`? (known: {})", RULE_TYPES.join(", ")),
                None => format!("known rule types: {}", RULE_TYPES.join(", ")),
            };
            k.error(k.header(), format!("unknown rule type `{t}`"), hint);
            None
        }
        None if k.has("type") => None,
        None => {
            k.error(k.header(), "a rule needs a `type`", format!("one of: {}", RULE_TYPES.join(", ")));
            None
        }
    };
    let level = match k.string("level").as_deref() {
        None => Level::Warning,
        Some("error") => Level::Error,
        Some("warning") => Level::Warning,
        Some("suggestion") => Level::Suggestion,
        Some(other) => {
            k.error(
                k.header(),
                format!("rule level `{other}` is not error, warning or suggestion"),
                "write level = \"warning\"",
            );
            Level::Warning
        }
    };
    // Until a rule says what it is and is called, its other keys cannot be judged.
    let (Some(id), Some(kind)) = (id, kind) else { return None };
    if !k.diagnostics.is_empty() {
        return None;
    }
    k.kind = kind.clone();

    let type_keys = type_keys(&kind);
    let unknown: Vec<String> = k
        .table()
        .keys()
        .filter(|key| !COMMON_KEYS.contains(&key.as_str()) && !type_keys.contains(&key.as_str()))
        .cloned()
        .collect();
    for key in unknown {
        let known: Vec<&str> = COMMON_KEYS.iter().chain(type_keys).copied().collect();
        let hint = match toml_diag::closest(&key, known.iter().copied()) {
            Some(best) => format!("did you mean `{best}`? ({} rules take: {})", kind, type_keys.join(", ")),
            None => format!("{} rules take: {} (and {})", kind, type_keys.join(", "), COMMON_KEYS.join(", ")),
        };
        k.error(k.key_at(&key), format!("unknown key `{key}` for {} rule", config::article(&kind)), hint);
    }

    let mut common = Common::new(&id, level);
    common.message = k.string("message");
    common.link = k.string("link");
    common.ignorecase = k.boolean("ignorecase").unwrap_or(true);
    common.lang = k.string("lang").map(|l| l.to_lowercase());
    common.description = k.string("description");
    common.example = k.string("example");
    common.scopes = default_scopes(&kind);
    if let Some(names) = k.strings("scope") {
        let mut set = ScopeSet::NONE;
        for (name, at) in names {
            match ScopeSet::parse(&name) {
                Some(s) => set = set.union(s),
                None => {
                    let hint = match toml_diag::closest(&name, ScopeSet::NAMES.iter().copied()) {
                        Some(best) => format!("did you mean `{best}`? (known: {})", ScopeSet::NAMES.join(", ")),
                        None => format!("known scopes: {}", ScopeSet::NAMES.join(", ")),
                    };
                    k.error(at, format!("unknown scope `{name}`"), hint);
                }
            }
        }
        if set != ScopeSet::NONE {
            common.scopes = set;
        }
    }

    let rule: Option<Box<dyn Rule>> = match kind.as_str() {
        "existence" => existence::compile(k, common),
        "substitution" => substitution::compile(k, common),
        "occurrence" => occurrence::compile(k, common),
        "repetition" => repetition::compile(k, common),
        "consistency" => consistency::compile(k, common),
        "conditional" => conditional::compile(k, common),
        "capitalization" => capitalization::compile(k, common),
        "readability" => readability::compile(k, common),
        _ => None,
    };
    // A rule with any error is not run: half a rule checks something nobody asked for.
    if k.diagnostics.is_empty() { rule } else { None }
}

fn type_keys(kind: &str) -> &'static [&'static str] {
    match kind {
        "existence" => existence::KEYS,
        "substitution" => substitution::KEYS,
        "occurrence" => occurrence::KEYS,
        "repetition" => repetition::KEYS,
        "consistency" => consistency::KEYS,
        "conditional" => conditional::KEYS,
        "capitalization" => capitalization::KEYS,
        "readability" => readability::KEYS,
        _ => &[],
    }
}

fn default_scopes(kind: &str) -> ScopeSet {
    match kind {
        "capitalization" => ScopeSet::HEADING.union(ScopeSet::TITLE),
        "readability" => ScopeSet::HEADING.union(ScopeSet::PARAGRAPH).union(ScopeSet::LIST),
        "occurrence" => ScopeSet::TEXT.union(ScopeSet::HASHTAG),
        _ => ScopeSet::TEXT,
    }
}

/// A set of scope kinds a rule reads. Code is never one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ScopeSet(u16);

impl ScopeSet {
    pub(crate) const NONE: ScopeSet = ScopeSet(0);
    pub(crate) const TITLE: ScopeSet = ScopeSet(1);
    pub(crate) const HEADING: ScopeSet = ScopeSet(2);
    pub(crate) const PARAGRAPH: ScopeSet = ScopeSet(4);
    pub(crate) const LIST: ScopeSet = ScopeSet(8);
    pub(crate) const QUOTE: ScopeSet = ScopeSet(16);
    pub(crate) const ALT: ScopeSet = ScopeSet(32);
    pub(crate) const HASHTAG: ScopeSet = ScopeSet(64);
    pub(crate) const BODY: ScopeSet = ScopeSet(2 | 4 | 8 | 16);
    pub(crate) const TEXT: ScopeSet = ScopeSet(1 | 2 | 4 | 8 | 16 | 32);

    const NAMES: &[&str] = &["title", "heading", "paragraph", "list", "quote", "alt", "hashtag", "body", "text"];

    /// A scope name; the plural (`headings`) is accepted too, as people write it both ways.
    pub(crate) fn parse(name: &str) -> Option<ScopeSet> {
        let name = match name {
            "titles" | "headings" | "paragraphs" | "lists" | "quotes" | "alts" | "hashtags" => &name[..name.len() - 1],
            _ => name,
        };
        Some(match name {
            "title" => Self::TITLE,
            "heading" => Self::HEADING,
            "paragraph" => Self::PARAGRAPH,
            "list" => Self::LIST,
            "quote" => Self::QUOTE,
            "alt" => Self::ALT,
            "hashtag" => Self::HASHTAG,
            "body" => Self::BODY,
            "text" => Self::TEXT,
            _ => return None,
        })
    }

    pub(crate) const fn union(self, other: ScopeSet) -> ScopeSet {
        ScopeSet(self.0 | other.0)
    }

    pub(crate) fn contains(self, kind: ScopeKind) -> bool {
        let bit = match kind {
            ScopeKind::Title => Self::TITLE,
            ScopeKind::Heading => Self::HEADING,
            ScopeKind::Paragraph => Self::PARAGRAPH,
            ScopeKind::ListItem => Self::LIST,
            ScopeKind::Quote => Self::QUOTE,
            ScopeKind::Alt => Self::ALT,
            ScopeKind::Hashtag => Self::HASHTAG,
            ScopeKind::Code => return false,
        };
        self.0 & bit.0 != 0
    }

    /// How `budkavle rules` names the set: "the text", "headings and titles".
    fn names(self) -> Vec<&'static str> {
        let mut rest = self;
        let mut out = Vec::new();
        for (set, name) in [(Self::TEXT, "the text"), (Self::BODY, "the body")] {
            if rest.0 & set.0 == set.0 {
                out.push(name);
                rest = ScopeSet(rest.0 & !set.0);
            }
        }
        let kinds = [
            (Self::TITLE, "titles"),
            (Self::HEADING, "headings"),
            (Self::PARAGRAPH, "paragraphs"),
            (Self::LIST, "list items"),
            (Self::QUOTE, "quotes"),
            (Self::ALT, "alt texts"),
            (Self::HASHTAG, "hashtags"),
        ];
        out.extend(kinds.iter().filter(|(s, _)| rest.0 & s.0 != 0).map(|(_, n)| *n));
        out
    }
}

/// What every rule has, whatever its type.
#[derive(Debug, Clone)]
pub(crate) struct Common {
    pub id: String,
    pub level: Level,
    pub message: Option<String>,
    pub scopes: ScopeSet,
    pub link: Option<String>,
    pub ignorecase: bool,
    /// Lower-cased language prefix.
    pub lang: Option<String>,
    pub description: Option<String>,
    pub example: Option<String>,
}

impl Common {
    pub(crate) fn new(id: &str, level: Level) -> Self {
        Common {
            id: id.to_string(),
            level,
            message: None,
            scopes: ScopeSet::TEXT,
            link: None,
            ignorecase: true,
            lang: None,
            description: None,
            example: None,
        }
    }

    pub(crate) fn applies_to(&self, post: &Post) -> bool {
        self.lang.as_deref().is_none_or(|l| post.lang.to_lowercase().starts_with(l))
    }

    /// The scopes of the post this rule reads, in file order.
    pub(crate) fn scopes<'a>(&self, ctx: &'a PostCtx<'_>) -> impl Iterator<Item = &'a Scope> {
        let set = self.scopes;
        ctx.scopes.iter().filter(move |s| set.contains(s.kind))
    }

    /// The organisation's message with `args` in place of its `%s`, or `default`'s.
    pub(crate) fn message(&self, default: impl FnOnce() -> String, args: &[&str]) -> String {
        match &self.message {
            Some(m) => fill(m, args),
            None => default(),
        }
    }
}

/// Replaces each `%s` in `template` by the next of `args` (`%%` is a literal `%`).
pub(crate) fn fill(template: &str, args: &[&str]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut args = args.iter();
    let mut rest = template;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(tail) = after.strip_prefix('s') {
            out.push_str(args.next().copied().unwrap_or(""));
            rest = tail;
        } else if let Some(tail) = after.strip_prefix('%') {
            out.push('%');
            rest = tail;
        } else {
            out.push('%');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// What a rule type does; [`Configured`] adds what all types share.
pub(crate) trait Kind: Send + Sync {
    fn check(&self, common: &Common, ctx: &PostCtx<'_>, out: &mut Emitter<'_>);
    /// One sentence for `budkavle rules`, when the organisation wrote none.
    fn describe(&self, common: &Common) -> String;
    /// A text that makes the rule fire, when the organisation wrote none.
    fn example(&self) -> String;
}

/// A rule of some type with its common settings: what both organisation rules and the
/// built-in packs are made of.
pub(crate) struct Configured<K> {
    pub common: Common,
    pub kind: K,
}

impl<K: Kind + 'static> Configured<K> {
    pub(crate) fn boxed(common: Common, kind: K) -> Box<dyn Rule> {
        Box::new(Configured { common, kind })
    }
}

impl<K: Kind> Rule for Configured<K> {
    fn id(&self) -> &str {
        &self.common.id
    }
    fn level(&self) -> Level {
        self.common.level
    }
    fn description(&self) -> String {
        self.common.description.clone().unwrap_or_else(|| self.kind.describe(&self.common))
    }
    fn example(&self) -> String {
        self.common.example.clone().unwrap_or_else(|| self.kind.example())
    }
    fn link(&self) -> Option<String> {
        self.common.link.clone()
    }
    fn check_post(&self, ctx: &PostCtx<'_>, out: &mut Emitter<'_>) {
        if self.common.applies_to(ctx.post) {
            self.kind.check(&self.common, ctx, out);
        }
    }
}

/// "in headings and titles", for descriptions.
pub(crate) fn scope_phrase(set: ScopeSet) -> String {
    match set.names().as_slice() {
        [] => String::new(),
        [one] => format!("in {one}"),
        [init @ .., last] => format!("in {} and {last}", init.join(", ")),
    }
}

/// Where a finding about the whole text goes: the start of the first scope read.
pub(crate) fn first_scope<'a>(common: &Common, ctx: &'a PostCtx<'_>) -> Option<&'a Scope> {
    common.scopes(ctx).find(|s| !s.text.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compile(src: &str) -> Compiled {
        #[derive(serde::Deserialize)]
        struct F {
            rules: Vec<Spanned<toml::Table>>,
        }
        let f: F = toml::from_str(src).unwrap();
        compile_tables(Path::new("strategy.toml"), src, &f.rules)
    }

    fn errors(src: &str) -> Vec<(usize, String, String)> {
        compile(src).diagnostics.into_iter().map(|d| (d.line, d.message, d.hint.unwrap_or_default())).collect()
    }

    #[test]
    fn every_type_compiles() {
        let c = compile(
            r#"
[[rules]]
id = "a"
type = "existence"
tokens = ["x"]
[[rules]]
id = "b"
type = "substitution"
swap = { "a" = "b" }
[[rules]]
id = "c"
type = "occurrence"
token = "$word"
max = 3
[[rules]]
id = "d"
type = "repetition"
[[rules]]
id = "e"
type = "consistency"
either = { "e-post" = "mejl" }
[[rules]]
id = "f"
type = "conditional"
[[rules]]
id = "g"
type = "capitalization"
match = "$sentence"
[[rules]]
id = "h"
type = "readability"
metric = "lix"
max = 40
"#,
        );
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        assert_eq!(c.rules.iter().map(|r| r.id()).collect::<Vec<_>>(), ["a", "b", "c", "d", "e", "f", "g", "h"]);
    }

    #[test]
    fn errors_name_the_key_line() {
        let e =
            errors("[[rules]]\nid = \"a\"\ntype = \"existence\"\nlevel = \"warning\"\ntokenz = [\"x\"]\ntokens = 3\n");
        assert_eq!(e.len(), 2, "{e:?}");
        assert_eq!(e[0].0, 5);
        assert!(e[0].1.contains("unknown key `tokenz` for an existence rule"), "{e:?}");
        assert!(e[0].2.contains("did you mean `tokens`"), "{e:?}");
        assert_eq!(e[1].0, 6);
        assert!(e[1].1.contains("`tokens` must be a string or a list of strings, not an integer"), "{e:?}");

        let e = errors("[[rules]]\nid = \"a\"\ntype = \"existence\"\npatterns = [\"ok\",\n  \"(unclosed\"]\n");
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].0, 5);
        assert!(e[0].1.contains("invalid regex `(unclosed` in `patterns`: unclosed group"), "{e:?}");

        let e = errors(
            "[[rules]]\nid = \"a\"\ntype = \"substitution\"\n\n[[rules]]\nid = \"b\"\ntype = \"existence\"\nscope = [\"heading\", \"headlines\"]\ntokens = \"x\"\n",
        );
        assert_eq!(e.len(), 2, "{e:?}");
        assert_eq!((e[0].0, e[0].1.as_str()), (1, "a substitution rule needs `swap`"));
        assert_eq!(e[1].0, 8);
        assert!(e[1].1.contains("unknown scope `headlines`"), "{e:?}");
        assert!(e[1].2.contains("did you mean `heading`"), "{e:?}");
    }

    #[test]
    fn fill_replaces_in_order() {
        assert_eq!(fill("Skriv '%s', inte '%s' (100%%)", &["får", "erhåller"]), "Skriv 'får', inte 'erhåller' (100%)");
        assert_eq!(fill("%s och %s", &["a"]), "a och ");
    }
}
