//! Which posts a pull request changes: `--changed-since REV` compares the posts folder at `REV`
//! with the working tree (which includes HEAD and anything staged), read with git2 so CI needs
//! no git binary. A reviewer's previews index and summary then list just those posts.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use git2::{Delta, DiffOptions, Repository};

use crate::error::{Error, Result};
use crate::project::POSTS_DIR;

/// The post files that differ between a revision and the working tree, relative to the
/// content repository's root.
#[derive(Debug, Clone, Default)]
pub struct Changed {
    /// The revision as the user named it (`origin/main`, a commit id).
    pub rev: String,
    /// Added, modified or renamed posts (their new paths).
    pub posts: HashSet<PathBuf>,
    /// Posts deleted since `rev` (their old paths): they have no preview, but the summary says so.
    pub removed: Vec<PathBuf>,
    /// `strategy.toml` or the theme changed too, so every post may render differently.
    pub settings_changed: bool,
}

impl Changed {
    pub fn contains(&self, path: &Path) -> bool {
        self.posts.contains(path)
    }
}

/// Why the changed posts cannot be found; each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum ChangedError {
    #[error("--changed-since needs a git repository, and {root} is not in one ({source})")]
    NoRepository { root: PathBuf, source: git2::Error },
    #[error(
        "--changed-since {rev}: git knows no such revision ({source}); in CI, fetch it first (e.g. `git fetch origin main` and pass origin/main)"
    )]
    UnknownRevision { rev: String, source: git2::Error },
    #[error("--changed-since {rev}: cannot compare with the working tree: {source}")]
    Diff { rev: String, source: git2::Error },
    #[error("{root} is a bare git repository: --changed-since compares with a working tree")]
    Bare { root: PathBuf },
}

/// The posts of the content repository at `root` that changed since `rev`.
pub fn changed_since(root: &Path, rev: &str) -> Result<Changed> {
    // A usage error: exit code 2, like any other flag that cannot work here.
    find(root, rev).map_err(|e| Error::Usage(e.to_string()))
}

fn find(root: &Path, rev: &str) -> std::result::Result<Changed, ChangedError> {
    let repo =
        Repository::discover(root).map_err(|source| ChangedError::NoRepository { root: root.to_path_buf(), source })?;
    let workdir = repo.workdir().ok_or_else(|| ChangedError::Bare { root: root.to_path_buf() })?;
    // The content repository may be a folder inside the git repository.
    let prefix: PathBuf = match (root.canonicalize(), workdir.canonicalize()) {
        (Ok(r), Ok(w)) => r.strip_prefix(&w).map(Path::to_path_buf).unwrap_or_default(),
        _ => PathBuf::new(),
    };
    let tree = repo
        .revparse_single(rev)
        .and_then(|o| o.peel_to_tree())
        .map_err(|source| ChangedError::UnknownRevision { rev: rev.to_string(), source })?;
    let mut opts = DiffOptions::new();
    opts.include_untracked(true).recurse_untracked_dirs(true);
    let diff_err = |source| ChangedError::Diff { rev: rev.to_string(), source };
    let mut diff = repo.diff_tree_to_workdir_with_index(Some(&tree), Some(&mut opts)).map_err(diff_err)?;
    diff.find_similar(None).map_err(diff_err)?;

    let posts_dir = prefix.join(POSTS_DIR);
    let strategy = prefix.join(crate::strategy::FILE_NAME);
    let themes = prefix.join("themes");
    let mut changed = Changed { rev: rev.to_string(), ..Changed::default() };
    let in_posts = |p: &Path| p.starts_with(&posts_dir) && p.extension().is_some_and(|x| x == "md");
    let relative = |p: &Path| p.strip_prefix(&prefix).unwrap_or(p).to_path_buf();
    for delta in diff.deltas() {
        let old = delta.old_file().path();
        let new = delta.new_file().path();
        for p in [old, new].into_iter().flatten() {
            if p == strategy || p.starts_with(&themes) {
                changed.settings_changed = true;
            }
        }
        match delta.status() {
            Delta::Deleted => {
                if let Some(p) = old.filter(|p| in_posts(p)) {
                    changed.removed.push(relative(p));
                }
            }
            Delta::Unmodified | Delta::Ignored => {}
            _ => {
                if let Some(p) = new.filter(|p| in_posts(p)) {
                    changed.posts.insert(relative(p));
                }
                // A post moved out of the posts folder is gone from the posts.
                if delta.status() == Delta::Renamed
                    && let Some(p) = old.filter(|p| in_posts(p))
                    && !new.is_some_and(in_posts)
                {
                    changed.removed.push(relative(p));
                }
            }
        }
    }
    changed.removed.sort();
    Ok(changed)
}
