//! GitHub Actions workflow commands: each finding becomes an annotation on the pull request's
//! diff. `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`.

use std::io::Write;

use crate::check::{Finding, Level};

pub(super) fn write(findings: &[Finding], out: &mut dyn Write) -> std::io::Result<()> {
    for f in findings {
        let level = match f.level {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Suggestion => "notice",
        };
        let platform = f.platform.map(|p| format!(" [{}]", p.display_name())).unwrap_or_default();
        let fix = f.fix.as_ref().map(|x| format!(" → {x}")).unwrap_or_default();
        writeln!(
            out,
            "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}{platform}{fix}",
            property(&f.file.to_string_lossy()),
            f.line,
            f.column,
            f.end_line,
            f.end_column,
            property(&f.rule),
            data(&f.message)
        )?;
    }
    Ok(())
}

/// The escapes the workflow-command syntax requires in the message.
fn data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// And in property values, also `:` and `,`.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes() {
        assert_eq!(super::data("50%\nok"), "50%25%0Aok");
        assert_eq!(super::property("a:b,c"), "a%3Ab%2Cc");
    }
}
