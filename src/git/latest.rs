//! The newest change of each post, and whether the work tree still holds exactly that text:
//! all that publishing needs from history. Unlike [`super::post_versions`] it reads no file
//! contents and stops as soon as every post is accounted for, so planning stays fast however
//! long the history.

use std::collections::HashMap;
use std::path::Path;

use git2::{ObjectType, Oid};

use super::{Change, TreeCache, first_parent_line, git_error, head_commit, open, posts_tree, rel_in_posts};
use crate::error::Result;
use crate::project::{POSTS_DIR, Project};

/// A post's newest change on HEAD's first-parent line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Latest {
    /// The commit on the line that brought the change (a merge commit for a merged request).
    pub commit: String,
    /// The work tree's file is byte for byte what HEAD has.
    pub committed: bool,
}

/// By post id; posts not in HEAD are absent. The notes say why history may be incomplete.
/// `compare` says for which posts the work tree is compared with HEAD (hashing the file); the
/// others count as committed — a caller that only acts on posts due now need not hash a year
/// of scheduled ones.
pub fn latest_changes(
    repo_root: &Path,
    project: &Project,
    compare: &dyn Fn(&crate::post::Post) -> bool,
) -> Result<(HashMap<String, Latest>, Vec<String>)> {
    let mut notes = Vec::new();
    let mut out = HashMap::new();
    let Some(opened) = open(repo_root, &mut notes)? else { return Ok((out, notes)) };
    let repo = &opened.repo;
    let err = git_error(repo_root);
    let Some(head) = head_commit(repo)? else { return Ok((out, notes)) };
    let posts_dir = format!("{}{POSTS_DIR}", opened.prefix);
    let chain = first_parent_line(repo, head, None, &mut notes)?.0;

    let mut trees = TreeCache::new(repo);
    let head_tree = posts_tree(repo, head, &posts_dir)?;
    let mut at_head: HashMap<String, Oid> = HashMap::new();
    let mut listed: Vec<Change> = Vec::new();
    trees.diff(None, head_tree, "", &mut listed).map_err(&err)?;
    at_head.extend(listed.into_iter().map(|c| (c.new_path, c.new_id)));

    // Posts that HEAD has, by path, with whether the work tree matches.
    let mut pending: HashMap<String, (String, bool)> = HashMap::new();
    for post in &project.posts {
        let Some(rel) = rel_in_posts(&post.path) else { continue };
        let Some(blob) = at_head.get(&rel) else { continue };
        let same =
            !compare(post) || Oid::hash_object(ObjectType::Blob, post.source.as_bytes()).is_ok_and(|o| o == *blob);
        pending.insert(rel, (post.id.clone(), same));
    }

    let mut newer = head_tree;
    for (i, commit) in chain.iter().enumerate() {
        if pending.is_empty() {
            break;
        }
        let older = match chain.get(i + 1) {
            Some(parent) => posts_tree(repo, *parent, &posts_dir)?,
            None => None,
        };
        if older != newer {
            let mut changes = Vec::new();
            trees.diff(older, newer, "", &mut changes).map_err(&err)?;
            trees.next_commit();
            for change in changes {
                if let Some((id, committed)) = pending.remove(&change.new_path) {
                    out.insert(id, Latest { commit: commit.to_string(), committed });
                }
            }
        }
        newer = older;
    }
    Ok((out, notes))
}
