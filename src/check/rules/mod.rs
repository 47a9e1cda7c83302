//! The organisation's own rules, `[[rules]]` in strategy.toml, compiled once. A rule that cannot
//! work (unknown type, missing key, bad regex) is a configuration error naming its line.

use std::path::Path;

use toml::Spanned;

use crate::check::rule::Rule;
use crate::error::Diagnostic;
use crate::strategy::Strategy;
use crate::toml_diag;

/// Rule types an organisation can write (DESIGN §5), in the shape of Vale's.
pub const RULE_TYPES: &[&str] =
    &["existence", "substitution", "occurrence", "repetition", "consistency", "conditional", "capitalization", "readability"];

pub struct Compiled {
    pub rules: Vec<Box<dyn Rule>>,
    pub diagnostics: Vec<Diagnostic>,
}

/// The strategy's rules. Its diagnostics were already reported when the strategy was loaded.
pub fn compile(strategy: &Strategy) -> Compiled {
    compile_tables(Path::new(crate::strategy::FILE_NAME), &strategy.source, &strategy.file.rules)
}

pub(crate) fn compile_tables(file: &Path, text: &str, tables: &[Spanned<toml::Table>]) -> Compiled {
    let mut diagnostics = Vec::new();
    for rule in tables {
        let at = rule.span().start;
        let table = rule.get_ref();
        let mut err = |msg: String, hint: &str| diagnostics.push(Diagnostic::at(file, text, at, 1, msg).hint(hint));
        match table.get("id").map(|v| v.as_str()) {
            Some(Some(id)) if !id.is_empty() => {}
            _ => err("a rule needs an `id`".into(), "add e.g. id = \"org.ordval\"; findings and `ignore` lists name rules by it"),
        }
        match table.get("type").map(|v| v.as_str()) {
            Some(Some(t)) if RULE_TYPES.contains(&t) => {}
            Some(Some(t)) => {
                let hint = match toml_diag::closest(t, RULE_TYPES.iter().copied()) {
                    Some(best) => format!("did you mean `{best}`? (known: {})", RULE_TYPES.join(", ")),
                    None => format!("known rule types: {}", RULE_TYPES.join(", ")),
                };
                err(format!("unknown rule type `{t}`"), &hint);
            }
            _ => err("a rule needs a `type`".into(), &format!("one of: {}", RULE_TYPES.join(", "))),
        }
        if let Some(level) = table.get("level")
            && !matches!(level.as_str(), Some("error" | "warning" | "suggestion"))
        {
            err(format!("rule level {level} is not error, warning or suggestion"), "write level = \"warning\"");
        }
    }
    Compiled { rules: Vec::new(), diagnostics }
}
