//! A Markdown summary for a pull-request comment: counts, then one table row per finding.

use std::io::Write;

use super::counts;
use crate::check::{Finding, Level};

pub(super) fn write(findings: &[Finding], out: &mut dyn Write) -> std::io::Result<()> {
    let (errors, warnings, suggestions) = counts(findings);
    writeln!(out, "### budkavle check")?;
    writeln!(out)?;
    if findings.is_empty() {
        return writeln!(out, "No findings. ✔");
    }
    writeln!(out, "**{errors}** error(s), **{warnings}** warning(s), **{suggestions}** suggestion(s)")?;
    writeln!(out)?;
    writeln!(out, "| | Where | Rule | Platform | Finding | Fix |")?;
    writeln!(out, "|---|---|---|---|---|---|")?;
    for f in findings {
        let icon = match f.level {
            Level::Error => "❌",
            Level::Warning => "⚠️",
            Level::Suggestion => "💡",
        };
        writeln!(
            out,
            "| {icon} | `{}:{}:{}` | `{}` | {} | {} | {} |",
            cell(&f.file.to_string_lossy()),
            f.line,
            f.column,
            cell(&f.rule),
            f.platform.map(|p| p.display_name()).unwrap_or(""),
            cell(&f.message),
            f.fix.as_deref().map(|x| format!("`{}`", cell(x))).unwrap_or_default()
        )?;
    }
    Ok(())
}

/// Table cells cannot hold `|` or line breaks; HTML in a message must not become markup.
fn cell(s: &str) -> String {
    s.replace('\\', "\\\\").replace('|', "\\|").replace('\n', " ").replace('<', "&lt;").replace('>', "&gt;")
}
