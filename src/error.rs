//! Errors of the library. Problems in user content are collected as [`Diagnostic`]s so one run
//! reports all of them at once; they are rendered once, at the edge, by `main.rs`.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// One problem in a user's file, with a position a person can jump to and a hint on how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Path as the user knows it: relative to the repository root where possible.
    pub file: PathBuf,
    /// 1-based; 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    pub message: String,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub(crate) fn new(file: impl Into<PathBuf>, line: usize, column: usize, message: impl Into<String>) -> Self {
        Diagnostic { file: file.into(), line, column, message: message.into(), hint: None }
    }

    /// A problem with the file as a whole (unreadable, empty, too large).
    pub(crate) fn file(file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self::new(file, 0, 0, message)
    }

    /// Positions a diagnostic at a byte offset of `text`, which starts at `first_line` of the file.
    pub(crate) fn at(file: &Path, text: &str, offset: usize, first_line: usize, message: impl Into<String>) -> Self {
        let (line, column) = line_col(text, offset);
        Self::new(file, line + first_line - 1, column, message)
    }

    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file.display(), self.message)?;
        } else {
            write!(f, "{}:{}:{}: {}", self.file.display(), self.line, self.column, self.message)?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// 1-based line and character column of a byte offset. Offsets inside a character or past the
/// end are clamped, so a slightly-off span from a parser still points somewhere sensible.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The content repository has problems; each names its file and line.
    #[error("{} problem{} found", .0.len(), if .0.len() == 1 { "" } else { "s" })]
    Invalid(Vec<Diagnostic>),
    #[error("{action} {path}: {source}")]
    Io { action: &'static str, path: PathBuf, source: std::io::Error },
    /// A command was called in a way that cannot work (unknown post, bad flag combination).
    /// Something the person running budkavle can fix: a flag, a name, a setting.
    #[error("{0}")]
    Usage(String),
    /// A bug in budkavle (or a broken built-in file), never the user's input: the message asks
    /// for a report instead of a fix.
    #[error(
        "internal error: {0}\n  this is a bug in budkavle, not in your content: please report it with the command you ran"
    )]
    Internal(String),
}

impl Error {
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { action, path: path.into(), source }
    }

    /// 2 for anything the user must fix in their input or invocation, 1 otherwise.
    /// 2: fix your input; 1: the system failed (a file, the network); 70 (`EX_SOFTWARE`): a bug.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Invalid(_) | Error::Usage(_) => 2,
            Error::Io { .. } => 1,
            Error::Internal(_) => 70,
        }
    }

    /// Whether this is a write to a reader that has gone away (`budkavle check | head`): not a
    /// failure of the command, which ends quietly.
    pub fn is_closed_pipe(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error's message and every cause below it, one per line: Tera names the template at
/// fault only in a cause.
pub(crate) fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(err) = cur {
        out.push('\n');
        out.push_str(&err.to_string());
        cur = err.source();
    }
    out
}

/// Collects diagnostics across a whole load so every problem is reported in one run.
#[derive(Debug, Default)]
pub(crate) struct Diagnostics(pub(crate) Vec<Diagnostic>);

impl Diagnostics {
    pub(crate) fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    pub(crate) fn into_result<T>(self, value: T) -> Result<T> {
        if self.0.is_empty() { Ok(value) } else { Err(self.into_error()) }
    }

    /// The collected problems as one error, in file order.
    pub(crate) fn into_error(mut self) -> Error {
        self.0.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
        self.0.dedup();
        Error::Invalid(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let text = "a\nåäö x";
        let off = text.find('x').unwrap();
        assert_eq!(line_col(text, off), (2, 5));
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 999), (2, 6));
    }
}
