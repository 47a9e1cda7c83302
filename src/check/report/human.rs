//! For people: `file:line:col: level: message`, the source line and a caret under the span,
//! colour only when writing to a terminal.

use std::io::Write;

use super::{Context, counts};
use crate::check::{Finding, Level};

pub(super) fn write(findings: &[Finding], ctx: &Context<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    let paint = |code: &str, s: &str| if ctx.color { format!("\x1b[{code}m{s}\x1b[0m") } else { s.to_string() };
    for f in findings {
        let level = match f.level {
            Level::Error => paint("1;31", "error"),
            Level::Warning => paint("1;33", "warning"),
            Level::Suggestion => paint("1;36", "suggestion"),
        };
        let platform = f.platform.map(|p| format!(" [{}]", p.name())).unwrap_or_default();
        writeln!(out, "{}:{}:{}: {level}: {}{platform} ({})", f.file.display(), f.line, f.column, f.message, f.rule)?;
        if let Some(line) =
            (ctx.source)(&f.file).and_then(|s| s.lines().nth(f.line.saturating_sub(1)).map(str::to_string))
        {
            let width = if f.end_line == f.line && f.end_column > f.column { f.end_column - f.column } else { 1 };
            writeln!(out, "  | {line}")?;
            writeln!(out, "  | {}{}", " ".repeat(f.column.saturating_sub(1)), paint("1;32", &"^".repeat(width)))?;
        }
        if let Some(fix) = &f.fix {
            writeln!(out, "  = fix: {fix}")?;
        }
    }
    let (errors, warnings, suggestions) = counts(findings);
    if findings.is_empty() {
        writeln!(out, "no findings")
    } else {
        writeln!(out, "{errors} error(s), {warnings} warning(s), {suggestions} suggestion(s)")
    }
}
