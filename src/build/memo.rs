//! The per-unit memo of a build (see [`crate::output::memo`]): where it is kept, and the key
//! of what every unit shares.
//!
//! One memo per output folder and part (`platforms`, `site`), in
//! `.budkavle/cache/memo/<folder>/`, with the hash of the manifest the build left in the
//! folder: a build that finds the manifest unchanged trusts it as the folder's list of files
//! instead of walking tens of thousands of them. Like the rest of the cache it is safe to
//! delete; without it a build does all the work.

use std::path::{Path, PathBuf};

use crate::output::memo::{Key, KeyHasher, Memo, key_of};
use crate::project::{POSTS_DIR, Project};

/// The memo of the part `part` of a build into `out`.
pub(crate) fn path(root: &Path, out: &Path, part: &str) -> PathBuf {
    let folder = key_of("out", out.as_os_str().as_encoded_bytes());
    let name: String = folder[..8].iter().map(|b| format!("{b:02x}")).collect();
    root.join(super::cache::DIR).join("memo").join(name).join(format!("{part}.bin"))
}

/// Where the memo keeps the hash of the output folder's manifest.
fn manifest_key() -> Key {
    key_of("manifest", b"")
}

/// The manifest hash the memo's build left, for [`crate::output::OutputDir::open_trusted`].
pub(crate) fn manifest(memo: &Memo) -> Option<u64> {
    Some(u64::from_le_bytes(memo.get(&manifest_key())?.try_into().ok()?))
}

pub(crate) fn set_manifest(memo: &mut Memo, hash: u64) {
    memo.insert(manifest_key(), hash.to_le_bytes().to_vec());
}

/// A hash of everything a post's renderings and pages depend on besides the posts themselves,
/// the ledger, git and the clock: this binary, the `BUDKAVLE_*` environment, strategy.toml, the
/// theme, and every file under `content/` but the posts (images, the crisis switch), with the
/// images posts name outside it. A change to any of them renders everything again.
///
/// `digests` are SHA-256 of files by path relative to the root, when the caller has them (the
/// build cache read and hashed every input): those files are not read again.
pub fn global_key(project: &Project, digests: Option<&crate::project::ByPath<[u8; 32]>>) -> Key {
    use rayon::prelude::*;
    use sha2::Digest;
    let root = &project.root;
    let mut h = KeyHasher::new("global");
    for (name, value) in super::cache::tool() {
        h.str(&name).str(&value);
    }
    h.str(&project.strategy.source);

    let posts = root.join(POSTS_DIR);
    let mut files: Vec<PathBuf> = Vec::new();
    let mut walk = |dir: PathBuf, skip: Option<&Path>| {
        let walker = walkdir::WalkDir::new(dir).follow_links(true).sort_by_file_name().into_iter();
        for entry in walker.filter_entry(|e| skip.is_none_or(|s| e.path() != s)).flatten() {
            if entry.file_type().is_file() {
                files.push(entry.into_path());
            }
        }
    };
    walk(root.join("content"), Some(&posts));
    walk(root.join(&project.theme.dir), None);
    let content = root.join("content");
    let mut outside: Vec<PathBuf> = project
        .posts
        .iter()
        .flat_map(|p| p.media.iter().map(|m| root.join(&m.path)))
        .filter(|p| !p.starts_with(&content))
        .collect();
    outside.sort();
    outside.dedup();
    files.extend(outside);
    // An unreadable file is hashed as such: the build that reads it fails anyway.
    let hashed: Vec<Option<[u8; 32]>> = files
        .par_iter()
        .map(|f| match digests.and_then(|d| d.get(f.strip_prefix(root).unwrap_or(f))) {
            Some(d) => Some(*d),
            None => std::fs::read(f).ok().map(|b| sha2::Sha256::digest(&b).into()),
        })
        .collect();
    for (file, digest) in files.iter().zip(&hashed) {
        h.str(&file.strip_prefix(root).unwrap_or(file).to_string_lossy());
        match digest {
            Some(d) => h.str("file").bytes(d),
            None => h.str("unreadable"),
        };
    }
    h.finish()
}
