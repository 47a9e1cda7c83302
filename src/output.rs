//! An output folder that budkavle owns (`dist/platforms`, `dist/site`), written incrementally:
//! a file whose bytes did not change is not touched, files no longer produced are removed, and
//! each changed file is replaced atomically (temporary file + rename).
//!
//! A manifest of content hashes from the previous build makes "unchanged" cheap to decide
//! without reading the old files back. Creating and deleting files dominates build time on a
//! real disk, so a rebuild writes only what changed; reviewers' diffs of `dist/` stay small too.
//! The folder belongs to budkavle: edit a file in it by hand and the next build may keep it, so
//! delete the folder to force a full rebuild.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};

/// Files made in memory before any is written (a site, the previews): each one's path in the
/// output folder, `/`-separated, and its bytes. Nothing is written until all of them are made,
/// so a failed build leaves the folder as it was.
pub type Files = Vec<(String, Vec<u8>)>;

pub(crate) const MANIFEST: &str = ".budkavle-manifest";

pub(crate) struct OutputDir {
    dir: PathBuf,
    /// Hash of each file as the previous build wrote it, by `/`-separated relative path.
    previous: HashMap<String, u64>,
    /// Files on disk now, relative.
    existing: HashSet<String>,
    written: Mutex<HashMap<String, u64>>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteStats {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

impl OutputDir {
    pub(crate) fn open(dir: &Path) -> Result<OutputDir> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("cannot create", dir, e))?;
        let previous = std::fs::read_to_string(dir.join(MANIFEST)).map(|s| parse_manifest(&s)).unwrap_or_default();
        let mut existing = HashSet::new();
        for entry in walkdir::WalkDir::new(dir).min_depth(1).into_iter().filter_map(|e| e.ok()) {
            if entry.file_type().is_file()
                && let Ok(rel) = entry.path().strip_prefix(dir)
            {
                existing.insert(slash(rel));
            }
        }
        existing.remove(MANIFEST);
        Ok(OutputDir { dir: dir.to_path_buf(), previous, existing, written: Mutex::new(HashMap::new()) })
    }

    /// Writes `bytes` to `rel` unless the file already holds exactly them. Returns whether it wrote.
    pub(crate) fn write(&self, rel: &str, bytes: &[u8]) -> Result<bool> {
        let hash = content_hash(bytes);
        let unchanged = self.previous.get(rel) == Some(&hash) && self.existing.contains(rel);
        if !unchanged {
            let path = self.dir.join(rel);
            let parent = path.parent().unwrap_or(&self.dir);
            if self.existing.contains(rel) {
                // Replacing a file a reader may have open: write beside it and rename over it.
                let tmp = path.with_file_name(format!(
                    ".{}.tmp-{}",
                    path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default(),
                    std::process::id()
                ));
                std::fs::write(&tmp, bytes).map_err(|e| Error::io("cannot write", &tmp, e))?;
                std::fs::rename(&tmp, &path).map_err(|e| Error::io("cannot write", &path, e))?;
            } else {
                // A new file: until the manifest (written last) names it, a half-written one
                // from a crash is simply written again by the next build.
                std::fs::create_dir_all(parent).map_err(|e| Error::io("cannot create", parent, e))?;
                std::fs::write(&path, bytes).map_err(|e| Error::io("cannot write", &path, e))?;
            }
        }
        self.written.lock().unwrap_or_else(|p| p.into_inner()).insert(rel.to_string(), hash);
        Ok(!unchanged)
    }

    /// Removes what this build did not produce and records the manifest.
    pub(crate) fn finish(self) -> Result<WriteStats> {
        let written = self.written.into_inner().unwrap_or_else(|p| p.into_inner());
        let mut stats = WriteStats::default();
        for rel in &self.existing {
            if !written.contains_key(rel) {
                let path = self.dir.join(rel);
                std::fs::remove_file(&path).map_err(|e| Error::io("cannot remove", &path, e))?;
                stats.removed += 1;
                remove_empty_parents(&self.dir, &path);
            }
        }
        for (rel, hash) in &written {
            if self.previous.get(rel) == Some(hash) && self.existing.contains(rel) {
                stats.unchanged += 1;
            } else {
                stats.written += 1;
            }
        }
        let mut lines: Vec<String> = written.iter().map(|(rel, hash)| format!("{hash:016x} {rel}")).collect();
        lines.sort_unstable();
        let mut manifest = lines.join("\n");
        manifest.push('\n');
        crate::fsutil::write_atomic(&self.dir.join(MANIFEST), manifest.as_bytes())?;
        Ok(stats)
    }
}

fn parse_manifest(s: &str) -> HashMap<String, u64> {
    s.lines()
        .filter_map(|l| {
            let (hash, rel) = l.split_once(' ')?;
            Some((rel.to_string(), u64::from_str_radix(hash, 16).ok()?))
        })
        .collect()
}

/// A hash that is the same from run to run of one budkavle binary (a fixed seed); another
/// version may change it, which costs one full rewrite. foldhash rather than SipHash: hashing
/// every output file's bytes was a twelfth of a build's CPU time with SipHash.
fn content_hash(bytes: &[u8]) -> u64 {
    use std::hash::BuildHasher;
    foldhash::quality::FixedState::with_seed(0x6275_646b_6176_6c65).hash_one(bytes)
}

fn slash(rel: &Path) -> String {
    rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

fn remove_empty_parents(root: &Path, path: &Path) {
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d == root || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_only_what_changed_and_removes_the_rest() {
        let tmp = tempfile::tempdir().unwrap();
        let out = OutputDir::open(tmp.path()).unwrap();
        assert!(out.write("a/x.txt", b"1").unwrap());
        assert!(out.write("a/y.txt", b"2").unwrap());
        assert!(out.write("b/z.txt", b"3").unwrap());
        assert_eq!(out.finish().unwrap(), WriteStats { written: 3, unchanged: 0, removed: 0 });

        let before = std::fs::metadata(tmp.path().join("a/x.txt")).unwrap().modified().unwrap();
        let out = OutputDir::open(tmp.path()).unwrap();
        assert!(!out.write("a/x.txt", b"1").unwrap());
        assert!(out.write("a/y.txt", b"22").unwrap());
        assert_eq!(out.finish().unwrap(), WriteStats { written: 1, unchanged: 1, removed: 1 });
        assert_eq!(std::fs::metadata(tmp.path().join("a/x.txt")).unwrap().modified().unwrap(), before);
        assert_eq!(std::fs::read(tmp.path().join("a/y.txt")).unwrap(), b"22");
        assert!(!tmp.path().join("b").exists(), "emptied folders go too");

        // A file deleted behind budkavle's back is written again even though the hash matches.
        std::fs::remove_file(tmp.path().join("a/x.txt")).unwrap();
        let out = OutputDir::open(tmp.path()).unwrap();
        assert!(out.write("a/x.txt", b"1").unwrap());
        out.write("a/y.txt", b"22").unwrap();
        out.finish().unwrap();
        let leftovers: Vec<_> = std::fs::read_dir(tmp.path().join("a")).unwrap().filter_map(|e| e.ok()).collect();
        assert_eq!(leftovers.len(), 2, "no temporary files remain");
    }
}
