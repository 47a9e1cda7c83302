//! A new content repository's first commit (`budkavle init`): the tool is built on git (approvals
//! are merge commits, the ledger is committed), so a repository that is not one yet becomes one,
//! as `cargo new` does.

use std::path::{Path, PathBuf};

use git2::{IndexAddOption, Repository, RepositoryInitOptions, Signature};

use crate::error::{Error, Result};

/// Whether `dir` lies inside a git work tree already (then `init` leaves git alone).
/// The folder may not exist yet: its nearest existing ancestor decides.
pub fn inside_repository(dir: &Path) -> bool {
    let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let Some(existing) = dir.ancestors().find(|a| a.is_dir()) else { return false };
    let start = existing.canonicalize().unwrap_or_else(|_| existing.to_path_buf());
    Repository::discover(&start).is_ok_and(|r| !r.is_bare())
}

/// Makes `dir` a repository on branch `main` and commits `files` (relative to `dir`) as its first
/// commit; returns the commit id. The author is the user's git identity, or `budkavle`.
pub fn init_repository(dir: &Path, files: &[PathBuf], message: &str) -> Result<String> {
    let err = |e: git2::Error| {
        Error::io("cannot make a git repository in", dir, std::io::Error::other(e.message().to_string()))
    };
    let mut opts = RepositoryInitOptions::new();
    opts.initial_head("main");
    let repo = Repository::init_opts(dir, &opts).map_err(err)?;
    let mut index = repo.index().map_err(err)?;
    index.add_all(files.iter(), IndexAddOption::DEFAULT, None).map_err(err)?;
    index.write().map_err(err)?;
    let tree = repo.find_tree(index.write_tree().map_err(err)?).map_err(err)?;
    let signature = repo.signature().or_else(|_| Signature::now("budkavle", "budkavle@localhost")).map_err(err)?;
    let id = repo.commit(Some("HEAD"), &signature, &signature, message, &tree, &[]).map_err(err)?;
    Ok(id.to_string())
}
