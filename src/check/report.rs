//! Output formats for findings: people on a terminal, JSON for tools, GitHub workflow
//! annotations and GitLab Code Quality for review.

use std::io::Write;

use serde::Serialize;

use crate::check::{Finding, Level};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Github,
    Gitlab,
}

pub fn write(format: Format, findings: &[Finding], sources: &dyn Fn(&std::path::Path) -> Option<String>, out: &mut dyn Write) -> std::io::Result<()> {
    match format {
        Format::Human => human(findings, sources, out),
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &Json { version: 1, findings })?;
            writeln!(out)
        }
        Format::Github => github(findings, out),
        Format::Gitlab => gitlab(findings, out),
    }
}

#[derive(Serialize)]
struct Json<'a> {
    version: u32,
    findings: &'a [Finding],
}

fn human(findings: &[Finding], sources: &dyn Fn(&std::path::Path) -> Option<String>, out: &mut dyn Write) -> std::io::Result<()> {
    for f in findings {
        let platform = f.platform.map(|p| format!(" [{}]", p.name())).unwrap_or_default();
        writeln!(out, "{}:{}:{}: {}: {}{} ({})", f.file.display(), f.line, f.column, f.level.name(), f.message, platform, f.rule)?;
        if let Some(line) = sources(&f.file).and_then(|s| s.lines().nth(f.line.saturating_sub(1)).map(str::to_string)) {
            writeln!(out, "  | {line}")?;
            writeln!(out, "  | {}^", " ".repeat(f.column.saturating_sub(1)))?;
        }
        if let Some(fix) = &f.fix {
            writeln!(out, "  = fix: {fix}")?;
        }
    }
    let errors = findings.iter().filter(|f| f.level == Level::Error).count();
    let warnings = findings.iter().filter(|f| f.level == Level::Warning).count();
    if findings.is_empty() {
        writeln!(out, "no findings")
    } else {
        writeln!(out, "{errors} error(s), {warnings} warning(s), {} suggestion(s)", findings.len() - errors - warnings)
    }
}

/// `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`, with the escapes the
/// workflow-command syntax requires.
fn github(findings: &[Finding], out: &mut dyn Write) -> std::io::Result<()> {
    for f in findings {
        let level = match f.level {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Suggestion => "notice",
        };
        writeln!(
            out,
            "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            gh_property(&f.file.to_string_lossy()),
            f.line,
            f.column,
            f.end_line,
            f.end_column,
            gh_property(&f.rule),
            gh_data(&f.message)
        )?;
    }
    Ok(())
}

fn gh_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn gh_property(s: &str) -> String {
    gh_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// GitLab Code Quality report: an array of issues with a stable fingerprint per finding.
fn gitlab(findings: &[Finding], out: &mut dyn Write) -> std::io::Result<()> {
    use sha2::Digest;
    let issues: Vec<serde_json::Value> = findings
        .iter()
        .map(|f| {
            let key = format!("{}|{}|{}|{}|{:?}", f.file.display(), f.line, f.rule, f.message, f.platform);
            let fingerprint = hex(&sha2::Sha256::digest(key.as_bytes()));
            serde_json::json!({
                "description": f.message,
                "check_name": f.rule,
                "fingerprint": fingerprint,
                "severity": match f.level { Level::Error => "major", Level::Warning => "minor", Level::Suggestion => "info" },
                "location": { "path": f.file, "lines": { "begin": f.line, "end": f.end_line } },
            })
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &issues)?;
    writeln!(out)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
