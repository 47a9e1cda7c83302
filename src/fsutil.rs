//! Writing files so that a crash or an error never leaves a half-written one behind.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io("cannot create", dir, e))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io("cannot write in", dir, e))?;
    tmp.write_all(bytes).map_err(|e| Error::io("cannot write", path, e))?;
    tmp.as_file().sync_all().map_err(|e| Error::io("cannot write", path, e))?;
    tmp.persist(path).map_err(|e| Error::io("cannot write", path, e.error))?;
    Ok(())
}
