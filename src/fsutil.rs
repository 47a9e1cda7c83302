//! Writing files so that a crash or an error never leaves a half-written one behind.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// Paths in the order of their bytes: a fixed order for lists of files, whatever order the
/// folders list them in, and much cheaper than comparing them component by component.
pub(crate) fn by_bytes(a: &Path, b: &Path) -> std::cmp::Ordering {
    a.as_os_str().as_encoded_bytes().cmp(b.as_os_str().as_encoded_bytes())
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, |file| file.write_all(bytes))
}

/// [`write_atomic`] of what `write` writes into the file, for a file not worth holding whole
/// first.
pub(crate) fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io("cannot create", dir, e))?;
    // A temporary file is private (0600) by default; the file it becomes is not: a replaced
    // file keeps its mode (`check --fix` must not hide a post from the team), a new one gets
    // 0644 less the umask, like any file an editor makes (a strategy or workflow that others
    // and CI read).
    let existing = std::fs::metadata(path).ok().map(|m| m.permissions());
    let mut builder = tempfile::Builder::new();
    if let Some(p) = existing.clone().or_else(new_file_permissions) {
        builder.permissions(p);
    }
    let mut tmp = builder.tempfile_in(dir).map_err(|e| Error::io("cannot write in", dir, e))?;
    write(tmp.as_file_mut()).map_err(|e| Error::io("cannot write", path, e))?;
    if let Some(p) = existing {
        // The umask narrowed the mode at creation; a replaced file keeps exactly its own.
        tmp.as_file().set_permissions(p).map_err(|e| Error::io("cannot write", path, e))?;
    }
    tmp.as_file().sync_all().map_err(|e| Error::io("cannot write", path, e))?;
    tmp.persist(path).map_err(|e| Error::io("cannot write", path, e.error))?;
    Ok(())
}

#[cfg(unix)]
fn new_file_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(std::fs::Permissions::from_mode(0o644))
}

/// Elsewhere a new file gets the platform's default.
#[cfg(not(unix))]
fn new_file_permissions() -> Option<std::fs::Permissions> {
    None
}

use crate::error::Diagnostic;

/// Reads a text file of the repository for loading: refuses a symbolic link that leads out of
/// the repository (its contents would otherwise be rendered and published), files over
/// `max_bytes`, and invalid UTF-8 — each as a diagnostic naming the file, and the line where
/// the encoding breaks.
pub(crate) fn read_text(root: &Path, canonical_root: &Path, rel: &Path, max_bytes: u64) -> Result<String, Diagnostic> {
    let abs = root.join(rel);
    let real = abs.canonicalize().map_err(|e| {
        let msg = if e.kind() == std::io::ErrorKind::NotFound {
            "the file does not exist".to_string()
        } else {
            format!("cannot read the file: {e}")
        };
        Diagnostic::file(rel, msg).hint("check the path and that the file is readable")
    })?;
    if !real.starts_with(canonical_root) {
        return Err(Diagnostic::file(rel, format!("the file is a link to {} outside the repository", real.display()))
            .hint("copy the file into the repository instead of linking to it"));
    }
    read_inside(&real, rel, max_bytes)
}

/// Reads a file already known to lie inside the repository (found by a walk that refuses links).
pub(crate) fn read_inside(real: &Path, rel: &Path, max_bytes: u64) -> Result<String, Diagnostic> {
    use std::io::Read;
    // One open and one fstat: the path is walked once (this runs for every post).
    let cannot = |e: std::io::Error| Diagnostic::file(rel, format!("cannot read the file: {e}"));
    let mut file = std::fs::File::open(real).map_err(cannot)?;
    let meta = file.metadata().map_err(cannot)?;
    if meta.len() > max_bytes {
        return Err(Diagnostic::file(
            rel,
            format!(
                "the file is {:.1} MB; at most {} KB is allowed here",
                meta.len() as f64 / 1_048_576.0,
                max_bytes / 1024
            ),
        )
        .hint("a post is a short text: move large data out of content/ (images belong in content/media/)"));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.read_to_end(&mut bytes).map_err(cannot)?;
    decode_utf8(rel, bytes)
}

/// UTF-8 text, or a diagnostic at the line and column where the encoding breaks.
pub(crate) fn decode_utf8(rel: &Path, bytes: Vec<u8>) -> Result<String, Diagnostic> {
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let line = bytes[..valid].iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = bytes[..valid].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&bytes[line_start..valid]).chars().count() + 1;
        Diagnostic::new(rel, line, column, "the file is not valid UTF-8")
            .hint("save the file as UTF-8 (most editors: \"Save with encoding\" → UTF-8)")
    })
}

/// Copies a folder tree, for unit tests that build a repository from the built-in theme.
#[cfg(test)]
pub(crate) fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}
