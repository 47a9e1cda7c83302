//! Triage: the kinds a citizen's message gets, each with the rule that gave it.
//!
//! Rules come from two built-in packs, Swedish (`packs/sv.toml`) and English (`packs/en.toml`),
//! both always on since citizens write in either whatever the post's language, and from the
//! organisation's `[[interaction.rules]]` in strategy.toml, in the same form:
//!
//! ```toml
//! [[interaction.rules]]
//! id = "exempelstad.fjarrvarme"
//! kind = "criticism"
//! tokens = ["kallt element", "inget varmvatten"]  # whole words and phrases, any case
//! patterns = ['fjärrvärme\w* strejkar']  # regexes, any case
//! unless = ['\?$']                               # regexes that keep the rule from firing
//! ```
//!
//! `personal-data` also comes from the privacy detectors of `check` (personnummer and
//! samordningsnummer with date and Luhn checks, phone numbers by the Swedish numbering plan,
//! e-mail, IBAN, card numbers), with the organisation's own numbers and addresses allowed as
//! in posts; a street address comes from the packs. `abuse` marks what a person must look at
//! under §5 of lagen (1998:112) om ansvar för elektroniska anslagstavlor (olaga hot, hets mot
//! folkgrupp, olaga integritetsintrång, …): the tool flags, a person decides. Nothing here
//! removes or hides anything.

use std::collections::BTreeMap;
use std::path::Path;

use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};

use crate::check::packs::privacy;
use crate::check::rules::Lexicon;
use crate::check::text::Prose;
use crate::error::{Diagnostic, Diagnostics};
use crate::strategy::{InteractionRule, Strategy};

/// What an item is, for the person answering it. An item may have several kinds, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemKind {
    Question,
    Criticism,
    Praise,
    Abuse,
    PersonalData,
    Spam,
}

impl ItemKind {
    pub const ALL: [ItemKind; 6] = [
        ItemKind::Question,
        ItemKind::Criticism,
        ItemKind::Praise,
        ItemKind::Abuse,
        ItemKind::PersonalData,
        ItemKind::Spam,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ItemKind::Question => "question",
            ItemKind::Criticism => "criticism",
            ItemKind::Praise => "praise",
            ItemKind::Abuse => "abuse",
            ItemKind::PersonalData => "personal-data",
            ItemKind::Spam => "spam",
        }
    }

    pub fn from_name(name: &str) -> Option<ItemKind> {
        ItemKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

impl std::fmt::Display for ItemKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One kind of an item and the rule that gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    pub kind: ItemKind,
    pub rule: String,
}

const PACKS: [(&str, &str); 2] = [("sv", include_str!("packs/sv.toml")), ("en", include_str!("packs/en.toml"))];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PackFile {
    rules: Vec<InteractionRule>,
}

struct Rule {
    id: String,
    kind: ItemKind,
    patterns: Vec<Regex>,
    unless: Vec<Regex>,
}

/// The compiled rules: built once per command, then applied to every item.
pub struct Triage {
    rules: Vec<Rule>,
    /// Per kind, every token of its rules, valued by the rule's index.
    lexicons: Vec<(ItemKind, Lexicon)>,
    privacy: privacy::Config,
}

impl Triage {
    /// The built-in packs and the strategy's rules, or a diagnostic at the line of each rule
    /// that cannot work.
    pub fn new(strategy: &Strategy, today: jiff::civil::Date) -> Result<Triage, Vec<Diagnostic>> {
        Triage::build(strategy, today, true)
    }

    /// The problems of the strategy's own rules only: what every command checks on load,
    /// without compiling the built-in packs (their test does).
    pub(crate) fn check_strategy(strategy: &Strategy) -> Vec<Diagnostic> {
        Triage::build(strategy, jiff::civil::date(2026, 1, 1), false).err().unwrap_or_default()
    }

    fn build(strategy: &Strategy, today: jiff::civil::Date, packs: bool) -> Result<Triage, Vec<Diagnostic>> {
        let file = Path::new(crate::strategy::FILE_NAME);
        let mut diags = Diagnostics::default();
        let mut triage = Triage {
            rules: Vec::new(),
            lexicons: ItemKind::ALL.iter().map(|&k| (k, Lexicon::new(true))).collect(),
            privacy: privacy::Config::from_strategy(strategy, today),
        };
        for (lang, text) in PACKS.iter().filter(|_| packs) {
            let pack: PackFile = toml::from_str(text).map_err(|e| {
                vec![Diagnostic::file(format!("<built-in inbox pack {lang}>"), format!("does not parse: {e}"))]
            })?;
            let source = Path::new(lang);
            for rule in &pack.rules {
                triage.add_rule(source, text, rule, true, &mut diags);
            }
        }
        if !diags.0.is_empty() {
            // A built-in pack that does not compile is a bug; its test catches it first.
            return Err(diags.0);
        }
        let mut seen = std::collections::HashSet::new();
        for r in &triage.rules {
            seen.insert(r.id.clone());
        }
        for rule in &strategy.file.interaction.rules {
            if !seen.insert(rule.id.get_ref().clone()) {
                diags.push(
                    Diagnostic::at(
                        file,
                        &strategy.source,
                        rule.id.span().start,
                        1,
                        format!("inbox rule id `{}` is used twice (or by a built-in rule)", rule.id.get_ref()),
                    )
                    .hint("give each [[interaction.rules]] its own id, e.g. prefixed by the organisation's name"),
                );
            }
            // Only validating (no packs): the patterns are checked, not compiled.
            triage.add_rule(file, &strategy.source, rule, packs, &mut diags);
        }
        if diags.0.is_empty() { Ok(triage) } else { Err(diags.0) }
    }

    /// Adds `rule`, its patterns compiled, or only checked when `build` is false (a
    /// [`Triage`] that only validates is never applied).
    fn add_rule(&mut self, file: &Path, text: &str, rule: &InteractionRule, build: bool, diags: &mut Diagnostics) {
        let at = |span: std::ops::Range<usize>, msg: String| Diagnostic::at(file, text, span.start, 1, msg);
        let Some(kind) = ItemKind::from_name(rule.kind.get_ref()) else {
            let names: Vec<&str> = ItemKind::ALL.iter().map(|k| k.name()).collect();
            let d = at(rule.kind.span(), format!("`{}` is not a kind of inbox item", rule.kind.get_ref()));
            diags.push(match crate::toml_diag::closest(rule.kind.get_ref(), names.iter().copied()) {
                Some(best) => d.hint(format!("did you mean `{best}`? (kinds: {})", names.join(", "))),
                None => d.hint(format!("kinds: {}", names.join(", "))),
            });
            return;
        };
        if rule.tokens.is_empty() && rule.patterns.is_empty() {
            diags.push(
                at(rule.id.span(), format!("inbox rule `{}` has neither tokens nor patterns", rule.id.get_ref()))
                    .hint("list words with tokens = [\"…\"] or regexes with patterns = ['…']"),
            );
            return;
        }
        let mut compile = |list: &[toml::Spanned<String>], key: &str| -> Vec<Regex> {
            let mut out = Vec::new();
            for p in list {
                let built = if build {
                    RegexBuilder::new(p.get_ref()).case_insensitive(true).build().map(|re| out.push(re))
                } else {
                    super::pattern::check(p.get_ref())
                };
                if let Err(e) = built {
                    diags.push(
                        at(p.span(), format!("`{key}` entry is not a valid regular expression: {e}"))
                            .hint("write the regex in single quotes ('…') so backslashes stay as they are"),
                    );
                }
            }
            out
        };
        let patterns = compile(&rule.patterns, "patterns");
        let unless = compile(&rule.unless, "unless");
        let index = self.rules.len();
        if let Some((_, lexicon)) = self.lexicons.iter_mut().find(|(k, _)| *k == kind) {
            for token in &rule.tokens {
                if token.get_ref().trim().is_empty() {
                    diags.push(at(token.span(), "`tokens` has an empty entry".into()).hint("remove it"));
                    continue;
                }
                lexicon.add(token.get_ref(), index);
            }
        }
        self.rules.push(Rule { id: rule.id.get_ref().clone(), kind, patterns, unless });
    }

    /// The kinds of `text`, in the order of [`ItemKind::ALL`], each with the first rule (in
    /// pack order, then the strategy's) that matched and was not vetoed by its `unless`.
    pub fn classify(&self, text: &str) -> Vec<Label> {
        let mut found: BTreeMap<ItemKind, (usize, String)> = BTreeMap::new();
        fn note(found: &mut BTreeMap<ItemKind, (usize, String)>, kind: ItemKind, order: usize, rule: &str) {
            let e = found.entry(kind).or_insert_with(|| (order, rule.to_string()));
            if order < e.0 {
                *e = (order, rule.to_string());
            }
        }
        let prose = Prose::new(text, &[]);
        let vetoed = |r: &Rule| r.unless.iter().any(|u| u.is_match(text));
        for (_, lexicon) in &self.lexicons {
            for (_, index) in lexicon.find(&prose) {
                let rule = &self.rules[index];
                if !vetoed(rule) {
                    note(&mut found, rule.kind, index, &rule.id);
                }
            }
        }
        for (index, rule) in self.rules.iter().enumerate() {
            if found.get(&rule.kind).is_some_and(|(o, _)| *o < index) {
                continue;
            }
            if rule.patterns.iter().any(|p| p.is_match(text)) && !vetoed(rule) {
                note(&mut found, rule.kind, index, &rule.id);
            }
        }
        // The privacy detectors come after the packs' own personal-data rules only in name:
        // a number they find is the surer reading, so it is the rule reported.
        if let Some(hit) = self.privacy.scan(text, &[]).first() {
            found.insert(ItemKind::PersonalData, (0, hit.kind.id().to_string()));
        }
        found.into_iter().map(|(kind, (_, rule))| Label { kind, rule }).collect()
    }

    /// `text` with every identity number (personnummer, samordningsnummer) in it masked, for a
    /// records request: a third party's identity number is secret (OSL 21 kap. and GDPR art. 87
    /// with lag (2018:218) 3 kap. 10 §), the rest of the message is the public record.
    pub fn mask_identity_numbers(&self, text: &str) -> String {
        let mut out = text.to_string();
        let hits = self.privacy.scan(text, &[]);
        for hit in hits.iter().rev() {
            if hit.kind.is_identity_number() {
                let masked: String =
                    text[hit.range.clone()].chars().map(|c| if c.is_ascii_digit() { '•' } else { c }).collect();
                out.replace_range(hit.range.clone(), &masked);
            }
        }
        out
    }

    /// Every rule id and its kind, built-in first: for `inbox rules` and the corpus test.
    pub fn rule_ids(&self) -> impl Iterator<Item = (&str, ItemKind)> {
        self.rules.iter().map(|r| (r.id.as_str(), r.kind))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strategy(extra: &str) -> Strategy {
        let text = format!(
            "[organisation]\nname = \"X kommun\"\nurl = \"https://www.x.se\"\nphone = \"0123-45 67 00\"\n{extra}"
        );
        let mut d = Diagnostics::default();
        let s = Strategy::from_str(Path::new("strategy.toml"), &text, &mut d).unwrap();
        assert!(d.0.is_empty(), "{:?}", d.0);
        s
    }

    fn today() -> jiff::civil::Date {
        jiff::civil::date(2026, 12, 3)
    }

    fn kinds(t: &Triage, text: &str) -> Vec<String> {
        t.classify(text).into_iter().map(|l| format!("{}:{}", l.kind, l.rule)).collect()
    }

    #[test]
    fn built_in_packs_compile() {
        let t = Triage::new(&strategy(""), today()).unwrap();
        for kind in ItemKind::ALL {
            assert!(t.rule_ids().any(|(_, k)| k == kind) || kind == ItemKind::PersonalData, "{kind}");
        }
    }

    #[test]
    fn personal_data_names_the_detector_and_spares_the_organisation() {
        let t = Triage::new(&strategy(""), today()).unwrap();
        assert_eq!(kinds(&t, "Ring mig på 070-123 45 67"), ["personal-data:privacy.phone"]);
        assert!(kinds(&t, "Ring kundcenter på 0123-45 67 00").is_empty());
        assert!(kinds(&t, "Mejla info@x.se").is_empty());
        assert_eq!(t.mask_identity_numbers("Jag är 19121212-1212."), "Jag är ••••••••-••••.");
        assert_eq!(t.mask_identity_numbers("Ring 070-123 45 67"), "Ring 070-123 45 67");
    }

    #[test]
    fn organisation_rules_extend_and_unless_vetoes() {
        let t = Triage::new(
            &strategy(
                "[[interaction.rules]]\nid = \"x.fjarrvarme\"\nkind = \"criticism\"\ntokens = [\"kallt element\"]\npatterns = ['fjärrvärme\\w* strejkar']\nunless = ['\\?']\n",
            ),
            today(),
        )
        .unwrap();
        assert_eq!(kinds(&t, "Fjärrvärmen strejkar igen"), ["criticism:x.fjarrvarme"]);
        assert_eq!(kinds(&t, "Kallt element i hela huset."), ["criticism:x.fjarrvarme"]);
        let vetoed = kinds(&t, "Kallt element – vem ringer man?");
        assert!(!vetoed.iter().any(|k| k.contains("x.fjarrvarme")), "{vetoed:?}");
    }

    #[test]
    fn bad_organisation_rules_are_placed_at_their_line() {
        let mut d = Diagnostics::default();
        let text = "[organisation]\nname = \"X\"\n\n[[interaction.rules]]\nid = \"x.a\"\nkind = \"critisism\"\ntokens = [\"a\"]\n\n[[interaction.rules]]\nid = \"x.b\"\nkind = \"spam\"\npatterns = ['(unclosed']\n";
        let s = Strategy::from_str(Path::new("strategy.toml"), text, &mut d).unwrap();
        let errs = Triage::new(&s, today()).err().unwrap();
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert_eq!(errs[0].line, 6);
        assert!(errs[0].hint.as_deref().unwrap().contains("did you mean `criticism`"));
        assert_eq!(errs[1].line, 12);
        assert!(errs[1].message.contains("not a valid regular expression"));
    }
}
