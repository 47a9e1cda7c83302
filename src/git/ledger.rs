//! The ledger in git: committing it after a run, and proving from history that it only ever
//! grew. The hash chain shows a changed line; git shows a changed *last* line and a removed
//! tail, which the chain alone cannot.

use std::collections::BTreeMap;
use std::path::Path;

use git2::{ObjectType, Oid, Repository, Signature, build::TreeUpdateBuilder};

use super::{first_parent_line, git_error, head_commit, open};
use crate::error::{Error, Result};
use crate::ledger::DIR;

/// Commits the ledger files of the work tree on top of HEAD, and nothing else: whatever else
/// is staged or changed stays as it was. Returns the new commit, or `None` when there is no
/// repository or the ledger is already as committed.
pub fn commit_ledger(root: &Path, message: &str) -> Result<Option<String>> {
    commit_records(root, DIR, message)
}

/// Commits the `*.jsonl` files of one record folder (`ledger/`, `metrics/`) on top of HEAD,
/// and nothing else: whatever else is staged or changed stays as it was. Returns the new
/// commit, or `None` when there is no repository or the folder is already as committed.
pub fn commit_records(root: &Path, folder: &str, message: &str) -> Result<Option<String>> {
    let mut notes = Vec::new();
    let Some(opened) = open(root, &mut notes)? else { return Ok(None) };
    let repo = &opened.repo;
    let err = git_error(root);
    let head = head_commit(repo)?;
    let base = match head {
        Some(h) => Some(repo.find_commit(h).and_then(|c| c.tree()).map_err(&err)?),
        None => None,
    };

    let dir = root.join(folder);
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|e| Error::io("cannot read", &dir, e))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".jsonl"))
        .collect();
    files.sort();
    let mut update = TreeUpdateBuilder::new();
    let mut paths = Vec::new();
    for name in &files {
        let path = dir.join(name);
        let bytes = std::fs::read(&path).map_err(|e| Error::io("cannot read", &path, e))?;
        let blob = repo.blob(&bytes).map_err(&err)?;
        let rel = format!("{}{folder}/{name}", opened.prefix);
        update.upsert(&rel, blob, git2::FileMode::Blob);
        paths.push(rel);
    }
    let empty;
    let baseline = match &base {
        Some(t) => t,
        None => {
            let oid = repo.treebuilder(None).and_then(|b| b.write()).map_err(&err)?;
            empty = repo.find_tree(oid).map_err(&err)?;
            &empty
        }
    };
    let tree_id = update.create_updated(repo, baseline).map_err(&err)?;
    if base.as_ref().is_some_and(|b| b.id() == tree_id) {
        return Ok(None);
    }
    let tree = repo.find_tree(tree_id).map_err(&err)?;
    let signature = repo.signature().or_else(|_| Signature::now("budkavle", "budkavle@localhost")).map_err(&err)?;
    let parents: Vec<git2::Commit> = match head {
        Some(h) => vec![repo.find_commit(h).map_err(&err)?],
        None => Vec::new(),
    };
    let parent_refs: Vec<&git2::Commit> = parents.iter().collect();
    let id = repo.commit(Some("HEAD"), &signature, &signature, message, &tree, &parent_refs).map_err(&err)?;

    // Stage exactly what was committed, so `git status` shows the ledger clean.
    let mut index = repo.index().map_err(&err)?;
    for rel in &paths {
        index.add_path(Path::new(rel)).map_err(&err)?;
    }
    index.write().map_err(&err)?;
    Ok(Some(id.to_string()))
}

/// One place where history did something other than append to the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewrite {
    /// The commit that changed what an earlier commit had (or the work tree: `None`).
    pub commit: Option<String>,
    pub file: String,
    pub what: String,
}

/// Checks every step of HEAD's first-parent line, and the work tree against HEAD: each ledger
/// file of an older state must be a byte prefix of the same file in the newer one. Returns the
/// violations, oldest first, and how many commits changed the ledger.
pub fn ledger_history(root: &Path) -> Result<(Vec<Rewrite>, usize)> {
    let mut notes = Vec::new();
    let Some(opened) = open(root, &mut notes)? else { return Ok((Vec::new(), 0)) };
    let repo = &opened.repo;
    let err = git_error(root);
    let Some(head) = head_commit(repo)? else { return Ok((Vec::new(), 0)) };
    let chain = first_parent_line(repo, head, None, &mut notes)?.0;
    let ledger_path = format!("{}{DIR}", opened.prefix);

    let mut problems = Vec::new();
    let mut steps = 0;
    // Oldest first.
    let mut older: Option<(Oid, BTreeMap<String, Vec<u8>>)> = None;
    for commit in chain.iter().rev() {
        let tree = repo.find_commit(*commit).and_then(|c| c.tree()).map_err(&err)?;
        let dir_id =
            tree.get_path(Path::new(&ledger_path)).ok().filter(|e| e.kind() == Some(ObjectType::Tree)).map(|e| e.id());
        let Some(dir_id) = dir_id else {
            if let Some((_, files)) = &older
                && !files.is_empty()
            {
                problems.push(Rewrite {
                    commit: Some(commit.to_string()),
                    file: DIR.into(),
                    what: "removed the ledger".into(),
                });
                older = Some((Oid::ZERO_SHA1, BTreeMap::new()));
            }
            continue;
        };
        if older.as_ref().is_some_and(|(id, _)| *id == dir_id) {
            continue;
        }
        let files = read_dir(repo, dir_id).map_err(&err)?;
        if let Some((_, before)) = &older {
            compare(before, &files, Some(commit.to_string()), &mut problems);
        }
        steps += 1;
        older = Some((dir_id, files));
    }
    // The work tree: what the next commit would record.
    if let Some((_, before)) = &older {
        let dir = root.join(DIR);
        let mut now = BTreeMap::new();
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.ends_with(".jsonl") {
                    let bytes = std::fs::read(e.path()).map_err(|x| Error::io("cannot read", e.path(), x))?;
                    now.insert(name, bytes);
                }
            }
        }
        compare(before, &now, None, &mut problems);
    }
    Ok((problems, steps))
}

fn read_dir(repo: &Repository, dir: Oid) -> Result<BTreeMap<String, Vec<u8>>, git2::Error> {
    let tree = repo.find_tree(dir)?;
    let mut files = BTreeMap::new();
    for entry in tree.iter() {
        let Ok(name) = entry.name() else { continue };
        if !name.ends_with(".jsonl") || entry.kind() != Some(ObjectType::Blob) {
            continue;
        }
        let blob = repo.find_blob(entry.id())?;
        files.insert(name.to_string(), blob.content().to_vec());
    }
    Ok(files)
}

fn compare(
    before: &BTreeMap<String, Vec<u8>>,
    after: &BTreeMap<String, Vec<u8>>,
    commit: Option<String>,
    problems: &mut Vec<Rewrite>,
) {
    for (name, old) in before {
        let what = match after.get(name) {
            None => "removed the file".to_string(),
            Some(new) if new.starts_with(old) => continue,
            Some(new) => {
                let same = old.iter().zip(new).take_while(|(a, b)| a == b).count();
                let line = old[..same].iter().filter(|&&b| b == b'\n').count() + 1;
                format!("changed line {line} instead of appending")
            }
        };
        problems.push(Rewrite { commit: commit.clone(), file: format!("{DIR}/{name}"), what });
    }
}
