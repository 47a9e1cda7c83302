//! The JSON report. Its shape is a documented, stable interface (`docs/check-json.md`):
//! `version` changes only when a field changes meaning or disappears.

use std::io::Write;

use serde::Serialize;

use super::counts;
use crate::check::Finding;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    summary: Summary,
    findings: &'a [Finding],
}

#[derive(Serialize)]
struct Summary {
    errors: usize,
    warnings: usize,
    suggestions: usize,
}

pub(super) fn write(findings: &[Finding], out: &mut dyn Write) -> std::io::Result<()> {
    let (errors, warnings, suggestions) = counts(findings);
    let report = Report { version: 1, summary: Summary { errors, warnings, suggestions }, findings };
    serde_json::to_writer_pretty(&mut *out, &report)?;
    writeln!(out)
}
