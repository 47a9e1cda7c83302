//! Output formats for findings, one file each: people on a terminal, JSON for tools, GitHub
//! workflow annotations, GitLab Code Quality, SARIF for code-scanning dashboards, and a Markdown
//! table for a pull-request comment.

mod github;
mod gitlab;
mod human;
mod json;
mod markdown;
mod sarif;

use std::io::Write;

use crate::check::{Finding, Level};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Github,
    Gitlab,
    Sarif,
    Markdown,
}

/// What a report may need beyond the findings.
pub struct Context<'a> {
    /// The text of a reported file, for quoting source lines.
    pub source: &'a dyn Fn(&std::path::Path) -> Option<String>,
    /// Colour for a terminal.
    pub color: bool,
    /// Description and link per rule id (SARIF lists its rules).
    pub rules: &'a [RuleInfo],
}

#[derive(Debug, Clone)]
pub struct RuleInfo {
    pub id: String,
    pub description: String,
    pub link: Option<String>,
}

pub fn write(format: Format, findings: &[Finding], ctx: &Context<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    match format {
        Format::Human => human::write(findings, ctx, out),
        Format::Json => json::write(findings, out),
        Format::Github => github::write(findings, out),
        Format::Gitlab => gitlab::write(findings, out),
        Format::Sarif => sarif::write(findings, ctx, out),
        Format::Markdown => markdown::write(findings, out),
    }
}

pub(crate) fn counts(findings: &[Finding]) -> (usize, usize, usize) {
    let count = |l: Level| findings.iter().filter(|f| f.level == l).count();
    (count(Level::Error), count(Level::Warning), count(Level::Suggestion))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A fingerprint that survives unrelated edits (no line number): file, rule, platform, message.
pub(crate) fn fingerprint(f: &Finding) -> String {
    use sha2::Digest;
    let key = format!("{}|{}|{}|{:?}", f.file.display(), f.rule, f.message, f.platform);
    hex(&sha2::Sha256::digest(key.as_bytes()))
}
