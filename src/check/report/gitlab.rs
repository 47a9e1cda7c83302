//! GitLab Code Quality report: a JSON array of issues, each with a stable fingerprint so GitLab
//! can tell new findings in a merge request from old ones.

use std::io::Write;

use super::fingerprint;
use crate::check::{Finding, Level};

pub(super) fn write(findings: &[Finding], out: &mut dyn Write) -> std::io::Result<()> {
    let issues: Vec<serde_json::Value> = findings
        .iter()
        .map(|f| {
            serde_json::json!({
                "type": "issue",
                "description": match f.platform {
                    Some(p) => format!("{} [{}]", f.message, p.display_name()),
                    None => f.message.clone(),
                },
                "check_name": f.rule,
                "fingerprint": fingerprint(f),
                "severity": match f.level { Level::Error => "major", Level::Warning => "minor", Level::Suggestion => "info" },
                "location": { "path": f.file, "lines": { "begin": f.line, "end": f.end_line } },
            })
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &issues)?;
    writeln!(out)
}
