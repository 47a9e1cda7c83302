//! `check --fix`: applies the replacements findings carry, in place, atomically per file.
//! Overlapping fixes are not guessed at: the first wins and the rest wait for the next run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::check::Finding;
use crate::error::Result;
use crate::fsutil::write_atomic;

/// Applies every fix to its file under `root`; returns how many were applied per file.
pub fn apply(root: &Path, findings: &[Finding]) -> Result<BTreeMap<PathBuf, usize>> {
    let mut by_file: BTreeMap<&Path, Vec<&Finding>> = BTreeMap::new();
    for f in findings.iter().filter(|f| f.fix.is_some() && f.line > 0) {
        by_file.entry(f.file.as_path()).or_default().push(f);
    }
    let mut applied = BTreeMap::new();
    for (file, fixes) in by_file {
        let path = root.join(file);
        let source = std::fs::read_to_string(&path).map_err(|e| crate::Error::io("cannot read", &path, e))?;
        let (text, n) = apply_to(&source, &fixes);
        if n > 0 {
            write_atomic(&path, text.as_bytes())?;
            applied.insert(file.to_path_buf(), n);
        }
    }
    Ok(applied)
}

/// The text with the fixes applied, and how many were.
pub(crate) fn apply_to(source: &str, fixes: &[&Finding]) -> (String, usize) {
    let mut edits: Vec<(usize, usize, &str)> = fixes
        .iter()
        .filter_map(|f| {
            let start = offset(source, f.line, f.column)?;
            let end = offset(source, f.end_line, f.end_column)?;
            Some((start, end.max(start), f.fix.as_deref()?))
        })
        .collect();
    edits.sort_by_key(|e| (e.0, e.1));
    edits.dedup();
    let mut out = String::with_capacity(source.len());
    let mut pos = 0;
    let mut n = 0;
    for (start, end, replacement) in edits {
        if start < pos {
            continue;
        }
        out.push_str(&source[pos..start]);
        out.push_str(replacement);
        pos = end;
        n += 1;
    }
    out.push_str(&source[pos..]);
    (out, n)
}

/// Byte offset of a 1-based line and character column.
fn offset(source: &str, line: usize, column: usize) -> Option<usize> {
    let mut start = 0;
    for _ in 1..line {
        start += source[start..].find('\n')? + 1;
    }
    let rest = &source[start..];
    let line_text = &rest[..rest.find('\n').unwrap_or(rest.len())];
    let mut chars = line_text.char_indices().map(|(i, _)| i).chain(std::iter::once(line_text.len()));
    chars.nth(column.checked_sub(1)?).map(|i| start + i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Level;

    fn fix(line: usize, col: usize, end: usize, text: &str) -> Finding {
        Finding {
            file: "a.md".into(),
            line,
            column: col,
            end_line: line,
            end_column: end,
            rule: "x".into(),
            level: Level::Warning,
            message: String::new(),
            fix: Some(text.into()),
            platform: None,
        }
    }

    #[test]
    fn applies_in_order_and_skips_overlaps() {
        let src = "rad ett\nVi erhåller och erhåller.\n";
        let a = fix(2, 4, 12, "får");
        let b = fix(2, 17, 25, "får");
        let overlapping = fix(2, 5, 8, "x");
        let (out, n) = apply_to(src, &[&b, &a, &overlapping]);
        assert_eq!(out, "rad ett\nVi får och får.\n");
        assert_eq!(n, 2);
    }
}
