//! Real git repositories for tests, made with git2: commits on main, pull requests merged the
//! way a forge merges them.

use std::path::Path;

use git2::{Commit, IndexAddOption, Oid, Repository, Signature, Time};

/// 2026-11-01T08:00:00Z; each commit of a test an hour later.
pub const T0: i64 = 1_793_520_000;

pub fn init(path: &Path) -> Repository {
    let repo = Repository::init(path).expect("git init");
    repo.config().unwrap().set_bool("core.autocrlf", false).unwrap();
    repo
}

pub fn sig(name: &str, when: i64) -> Signature<'static> {
    let email = format!("{}@exempelstad.se", name.to_lowercase().replace(' ', "."));
    Signature::new(name, &email, &Time::new(when, 60)).unwrap()
}

/// The work tree as a tree object (new, changed and removed files alike).
pub fn stage(repo: &Repository) -> Oid {
    let mut index = repo.index().unwrap();
    index.add_all(["*"].iter(), IndexAddOption::DEFAULT, None).unwrap();
    index.update_all(["*"].iter(), None).unwrap();
    index.write().unwrap();
    index.write_tree().unwrap()
}

pub fn head(repo: &Repository) -> Option<Commit<'_>> {
    repo.head().ok().and_then(|h| h.peel_to_commit().ok())
}

/// Commits everything on HEAD.
pub fn commit(repo: &Repository, message: &str, author: &str, when: i64) -> Oid {
    let tree = repo.find_tree(stage(repo)).unwrap();
    let parents: Vec<Commit<'_>> = head(repo).into_iter().collect();
    let refs: Vec<&Commit<'_>> = parents.iter().collect();
    repo.commit(Some("HEAD"), &sig(author, when), &sig(author, when), message, &tree, &refs).unwrap()
}

/// Commits everything on a side branch off HEAD (HEAD does not move): a pull request's commit.
pub fn branch_commit(repo: &Repository, message: &str, author: &str, when: i64) -> Oid {
    let tree = repo.find_tree(stage(repo)).unwrap();
    let parent = head(repo).unwrap();
    repo.commit(None, &sig(author, when), &sig(author, when), message, &tree, &[&parent]).unwrap()
}

/// Merges `branch` into HEAD with a merge commit, as a forge does.
pub fn merge(repo: &Repository, branch: Oid, message: &str, when: i64) -> Oid {
    let main = head(repo).unwrap();
    let side = repo.find_commit(branch).unwrap();
    let tree = side.tree().unwrap();
    let forge = sig("GitHub", when);
    repo.commit(Some("HEAD"), &forge, &forge, message, &tree, &[&main, &side]).unwrap()
}

/// The whole work tree as a pull request `number`, merged with `approvers` as `Reviewed-by:`
/// trailers: what a forge with required reviews writes.
pub fn merge_request(repo: &Repository, number: u64, approvers: &[&str], when: i64) -> Oid {
    let side = branch_commit(repo, "Ändra inlägg", "Anna Berg", when);
    let mut message = format!("Merge pull request #{number} from exempelstad/inlagg\n\nInlägg\n\n");
    for a in approvers {
        message.push_str(&format!("Reviewed-by: {a} <{}@exempelstad.se>\n", a.to_lowercase().replace(' ', ".")));
    }
    merge(repo, side, &message, when + 60)
}
