//! What git knows that the files do not: every committed version of each post (for the
//! archive), and who approved a change (for publishing). Local repositories only (git2).
//!
//! History is HEAD's first-parent line: the main branch as it was merged, one step per merge
//! or direct commit, which is what was public and when. A post's versions are the commits on
//! that line that changed its file, followed back through renames as long as the post keeps
//! its id; that makes `/p/<id>/v/<n>/` stable, since history only grows at the end.
//!
//! A folder that is not a git repository has no history (not an error), and a shallow clone
//! has only part of it; both come back with a note for the person building, because a CI
//! checkout with `fetch-depth: 1` would otherwise silently publish an archive without history.

use std::collections::HashMap;
use std::path::{Component, Path};
use std::sync::LazyLock;

use git2::{Delta, DiffFindOptions, DiffOptions, ErrorCode, Oid, Repository};
use jiff::Timestamp;
use regex::Regex;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::post::Head;
use crate::project::{POSTS_DIR, Project};

mod history;
mod init;
mod latest;
mod ledger;
pub use init::{init_repository, inside_repository};
pub use latest::{Latest, latest_changes};
pub use ledger::{commit_ledger, commit_records, ledger_history};

/// Every committed version of each post, plus what the reader of the build output should
/// know about how complete that is.
/// A committed version of a post file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Version {
    /// 1-based, in commit order.
    pub n: usize,
    pub commit: String,
    pub date: Timestamp,
    /// Only shown when `[site] show_authors = true`.
    pub author: Option<String>,
    /// The post file's full text at that commit: the post's own text when that is what the
    /// file holds now, shared rather than copied (ten thousand posts' worth of memory).
    pub source: std::sync::Arc<String>,
}

#[derive(Debug, Clone, Default)]
pub struct History {
    /// By post id, oldest first, `n` from 1.
    pub versions: HashMap<String, Vec<Version>>,
    /// Sentences for the person building (not a git repository, shallow clone, …).
    pub notes: Vec<String>,
}

/// The versions of every post of `project` in the repository containing `repo_root`, from one
/// pass over HEAD's first-parent history. Authors are always filled in; the site decides
/// whether to show them.
pub fn post_versions(repo_root: &Path, project: &Project) -> Result<History> {
    post_versions_cached(repo_root, project, None)
}

/// [`post_versions`], remembering the result in the file `cache` (see [`history`]): with HEAD
/// where it was, nothing is walked; after new commits, only they are.
pub fn post_versions_cached(repo_root: &Path, project: &Project, cache: Option<&Path>) -> Result<History> {
    let mut history = History::default();
    let Some(opened) = open(repo_root, &mut history.notes)? else { return Ok(history) };
    let repo = &opened.repo;
    let Some(head) = head_commit(repo)? else { return Ok(history) };
    let posts_dir = format!("{}{POSTS_DIR}", opened.prefix);
    let context = history::Context::of(repo, &posts_dir);
    let old = cache.and_then(|c| history::Cached::load(c, &context, repo, project));

    // The posts, by path inside the posts folder, as far as HEAD has them.
    let mut at_head = std::collections::HashSet::new();
    if let Some(t) = posts_tree(repo, head, &posts_dir)? {
        let mut trees = TreeCache::new(repo);
        let mut changes = Vec::new();
        trees.diff(None, Some(t), "", &mut changes).map_err(git_error(repo_root))?;
        at_head.extend(changes.into_iter().map(|c| c.new_path));
    }
    let mut live: HashMap<String, usize> = HashMap::new();
    for (i, post) in project.posts.iter().enumerate() {
        let Some(rel) = rel_in_posts(&post.path) else { continue };
        if at_head.contains(&rel) {
            live.insert(rel, i);
        }
    }
    let start = history::ids_of(project, &live);

    // The new commits since the cached walk, when its HEAD is on this one's first-parent line
    // and it started from these posts (or from more, with no two posts' paths ever crossing).
    if let Some(mut old) = old {
        let mut notes = Vec::new();
        let (chain, reached) = first_parent_line(repo, head, Some(old.head), &mut notes)?;
        if chain.is_empty() && reached && start == old.start {
            // HEAD where it was, the same posts: the cache is the answer.
            history.notes.extend(old.notes);
            history.versions = old.versions;
            return Ok(history);
        }
        if reached {
            let walk = walk(repo, repo_root, project, &chain, Some(old.head), live.clone(), &posts_dir)?;
            let at_old = history::ids_of(project, &walk.live);
            if old.continues(&at_old) {
                let crossed = old.crossed || walk.crossed;
                let mut walk_notes = std::mem::take(&mut old.notes);
                walk_notes.extend(notes);
                let versions = combine(repo, repo_root, project, &chain, walk.found, &at_old, old.versions)?;
                let updated = history::Cached { head, start, crossed, notes: walk_notes, versions };
                if let Some(cache) = cache {
                    updated.save(cache, &context, repo, project);
                }
                history.notes.extend(updated.notes);
                history.versions = updated.versions;
                return Ok(history);
            }
        }
    }

    let mut notes = Vec::new();
    let (chain, _) = first_parent_line(repo, head, None, &mut notes)?;
    let walk = walk(repo, repo_root, project, &chain, None, live, &posts_dir)?;
    let versions = combine(repo, repo_root, project, &chain, walk.found, &[], HashMap::new())?;
    let cached = history::Cached { head, start, crossed: walk.crossed, notes, versions };
    if let Some(cache) = cache {
        cached.save(cache, &context, repo, project);
    }
    history.notes.extend(cached.notes);
    history.versions = cached.versions;
    Ok(history)
}

/// What one walk down the first-parent line found.
struct Walked {
    /// For each post of the project, its versions in the walked commits: the commit's place on
    /// the line and the file's text, newest first.
    found: Vec<Vec<(usize, String)>>,
    /// Where the walk left each post it still follows: path in the posts folder → post.
    live: HashMap<String, usize>,
    /// Whether one post's path ever took the place of another's (see [`history`]).
    crossed: bool,
}

/// Walks `chain` (newest first) from the posts `live` at its head, down to `stop` (whose own
/// changes are not walked) or the root.
fn walk(
    repo: &Repository,
    repo_root: &Path,
    project: &Project,
    chain: &[Oid],
    stop: Option<Oid>,
    mut live: HashMap<String, usize>,
    posts_dir: &str,
) -> Result<Walked> {
    let mut posts_trees: Vec<Option<Oid>> =
        chain.iter().map(|c| posts_tree(repo, *c, posts_dir)).collect::<Result<_>>()?;
    if let Some(stop) = stop {
        posts_trees.push(posts_tree(repo, stop, posts_dir)?);
    }
    let all_changes = changes_along(repo, &posts_trees, chain.len()).map_err(git_error(repo_root))?;

    // Newest first; for each post the versions found so far, newest first.
    let mut found: Vec<Vec<(usize, String)>> = vec![Vec::new(); project.posts.len()];
    let mut crossed = false;
    for (i, changes) in all_changes {
        if live.is_empty() {
            break;
        }
        let mut removed = Vec::new();
        let mut added = Vec::new();
        for change in &changes {
            if change.status == Delta::Deleted {
                continue;
            }
            let Some(&p) = live.get(&change.new_path) else { continue };
            if change.status == Delta::Modified && change.old_id == change.new_id {
                continue; // only the file mode changed
            }
            let text = blob_text(repo, change.new_id).map_err(git_error(repo_root))?;
            let post = &project.posts[p];
            if id_of(&text, &change.new_path) != post.id {
                // The file held another post here (its id changed in place): history ends.
                removed.push(change.new_path.clone());
                continue;
            }
            let explicit_id = Head::of(&text).id.is_some();
            found[p].push((i, text));
            match change.status {
                Delta::Renamed if change.old_path != change.new_path => {
                    removed.push(change.new_path.clone());
                    added.push((change.old_path.clone(), p));
                }
                Delta::Added | Delta::Copied => {
                    removed.push(change.new_path.clone());
                    // A rename git did not pair (heavily edited in the same commit): with an
                    // explicit id, the deleted file carrying the same id is the same post.
                    if explicit_id {
                        for d in changes.iter().filter(|d| d.status == Delta::Deleted) {
                            let old_text = blob_text(repo, d.old_id).map_err(git_error(repo_root))?;
                            if id_of(&old_text, &d.old_path) == post.id {
                                added.push((d.old_path.clone(), p));
                                break;
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        for path in removed {
            live.remove(&path);
        }
        for (path, p) in added {
            if live.insert(path, p).is_some_and(|other| other != p) {
                crossed = true;
            }
        }
    }
    Ok(Walked { found, live, crossed })
}

/// The versions of each post: what `found` has in the walked `chain` (newest first), after
/// what the cached walk `old` has of the posts `at_old` (where the walk stopped).
fn combine(
    repo: &Repository,
    repo_root: &Path,
    project: &Project,
    chain: &[Oid],
    found: Vec<Vec<(usize, String)>>,
    at_old: &[(String, String)],
    mut old: HashMap<String, Vec<Version>>,
) -> Result<HashMap<String, Vec<Version>>> {
    let continued: std::collections::HashSet<&str> = at_old.iter().map(|(_, id)| id.as_str()).collect();
    let mailmap = repo.mailmap().ok();
    let mut meta: HashMap<usize, (Timestamp, Option<String>)> = HashMap::new();
    let mut out = HashMap::new();
    for (p, mut list) in found.into_iter().enumerate() {
        let id = &project.posts[p].id;
        let mut versions: Vec<Version> = match old.remove(id) {
            Some(before) if continued.contains(id.as_str()) => before,
            _ => Vec::new(),
        };
        if list.is_empty() && versions.is_empty() {
            continue;
        }
        list.reverse();
        for (i, source) in list {
            let (date, author) = match meta.get(&i) {
                Some(m) => m.clone(),
                None => {
                    let commit = repo.find_commit(chain[i]).map_err(git_error(repo_root))?;
                    let author = match &mailmap {
                        Some(m) => commit.author_with_mailmap(m).ok().map(|s| signature_name(&s)),
                        None => Some(signature_name(&commit.author())),
                    };
                    let m = (commit_time(&commit), author);
                    meta.insert(i, m.clone());
                    m
                }
            };
            versions.push(Version { n: 0, commit: chain[i].to_string(), date, author, source: source.into() });
        }
        for (n, v) in versions.iter_mut().enumerate() {
            v.n = n + 1;
        }
        out.insert(id.clone(), versions);
    }
    Ok(out)
}

/// Who approved the change that brought a commit into HEAD's first-parent line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Approval {
    /// The commit on the first-parent line that brought it in: a merge commit, or the commit
    /// itself when it was pushed or squashed onto the line.
    pub merge_commit: String,
    /// The pull or merge request: GitHub "Merge pull request #N from …", GitLab "See merge
    /// request group/project!N".
    pub number: Option<u64>,
    /// Names from `Reviewed-by:` / `Approved-by:` trailers, deduplicated, in order. Only the
    /// names: e-mail addresses would end up in the public ledger.
    pub approvers: Vec<String>,
    pub merged_at: Timestamp,
    /// Whether that commit carries a signature (not verified here).
    pub signed: bool,
}

/// Approvals of commits in one repository; the first-parent line is read once, the commits
/// merged in from side branches only when a commit off the line is asked for.
pub struct Approvals {
    repo: Option<Repository>,
    root: std::path::PathBuf,
    chain: Vec<Oid>,
    on_line: HashMap<Oid, usize>,
    brought: std::cell::OnceCell<HashMap<Oid, usize>>,
    /// Sentences for the person publishing (not a repository, shallow clone).
    pub notes: Vec<String>,
}

impl Approvals {
    pub fn load(repo_root: &Path) -> Result<Approvals> {
        let mut notes = Vec::new();
        let mut chain = Vec::new();
        let repo = match open(repo_root, &mut notes)? {
            Some(opened) => {
                if let Some(head) = head_commit(&opened.repo)? {
                    chain = first_parent_line(&opened.repo, head, None, &mut notes)?.0;
                }
                Some(opened.repo)
            }
            None => None,
        };
        let on_line = chain.iter().enumerate().map(|(i, c)| (*c, i)).collect();
        Ok(Approvals {
            repo,
            root: repo_root.to_path_buf(),
            chain,
            on_line,
            brought: std::cell::OnceCell::new(),
            notes,
        })
    }

    /// The approval of `commit` (any revision git understands: an id, a short id, `HEAD`).
    /// `Ok(None)` when the commit is not in HEAD's history (not merged) or there is no
    /// repository; an error when no such commit exists.
    pub fn of(&self, commit: &str) -> Result<Option<Approval>> {
        let Some(repo) = &self.repo else { return Ok(None) };
        let oid = resolve(repo, commit)
            .map_err(|e| Error::Usage(format!("no commit `{commit}` in {}: {}", self.root.display(), e.message())))?;
        let index = match self.on_line.get(&oid) {
            Some(&i) => Some(i),
            None => self.brought(repo)?.get(&oid).copied(),
        };
        index.map(|i| approval(repo, self.chain[i]).map_err(git_error(&self.root))).transpose()
    }

    /// How far back on HEAD's first-parent line the change that brought `commit` in sits
    /// (0 = HEAD): a smaller number is a later change. `None` when it is not in HEAD's history.
    pub fn position(&self, commit: &str) -> Option<usize> {
        let repo = self.repo.as_ref()?;
        let oid = resolve(repo, commit).ok()?;
        match self.on_line.get(&oid) {
            Some(&i) => Some(i),
            None => self.brought(repo).ok()?.get(&oid).copied(),
        }
    }

    /// The commit HEAD points at, when there is one.
    pub fn head(&self) -> Option<String> {
        self.chain.first().map(|c| c.to_string())
    }

    fn brought(&self, repo: &Repository) -> Result<&HashMap<Oid, usize>> {
        if let Some(b) = self.brought.get() {
            return Ok(b);
        }
        let mut brought = HashMap::new();
        for (i, &m) in self.chain.iter().enumerate() {
            let commit = repo.find_commit(m).map_err(git_error(&self.root))?;
            if commit.parent_count() < 2 {
                continue;
            }
            let parents: Vec<Oid> = commit.parent_ids().collect();
            let mut walk = repo.revwalk().map_err(git_error(&self.root))?;
            let pushed = parents[1..].iter().try_for_each(|p| walk.push(*p)).and_then(|()| walk.hide(parents[0]));
            if pushed.is_err() {
                continue; // parents missing in a shallow clone: noted when loading
            }
            for oid in walk.flatten() {
                brought.entry(oid).or_insert(i);
            }
        }
        Ok(self.brought.get_or_init(|| brought))
    }
}

/// A commit from what a person or the ledger wrote. A full id is looked up as an object
/// directly: `revparse` would first try it as the name of a branch, tag and remote, several
/// file look-ups each, which adds up over thousands of ledger lines.
fn resolve(repo: &Repository, commit: &str) -> Result<Oid, git2::Error> {
    if commit.len() == 40 && commit.bytes().all(|b| b.is_ascii_hexdigit()) {
        let oid = Oid::from_str(commit)?;
        return repo.find_commit(oid).map(|c| c.id());
    }
    repo.revparse_single(commit).and_then(|o| o.peel_to_commit()).map(|c| c.id())
}

/// One-off [`Approvals::of`].
pub fn approval_of(repo_root: &Path, commit: &str) -> Result<Option<Approval>> {
    Approvals::load(repo_root)?.of(commit)
}

fn approval(repo: &Repository, oid: Oid) -> Result<Approval, git2::Error> {
    let commit = repo.find_commit(oid)?;
    let message = String::from_utf8_lossy(commit.message_bytes());
    Ok(Approval {
        merge_commit: oid.to_string(),
        number: request_number(&message),
        approvers: approvers(&message),
        merged_at: commit_time(&commit),
        signed: repo.extract_signature(&oid, None).is_ok(),
    })
}

static GITHUB_MERGE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\AMerge pull request #(\d+) from ").expect("valid regex"));
static GITLAB_MERGE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?m)^See merge request (?:[^\s!]+)?!(\d+)\s*$").expect("valid regex"));
static TRAILER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\A([A-Za-z0-9][A-Za-z0-9-]*):\s*(\S.*)\z").expect("valid regex"));

/// The pull or merge request number named by a merge commit's message.
pub(crate) fn request_number(message: &str) -> Option<u64> {
    GITHUB_MERGE
        .captures(message.trim_start())
        .or_else(|| GITLAB_MERGE.captures(message))
        .and_then(|c| c[1].parse().ok())
}

/// Approvers from the trailer block: the paragraphs at the end of the message made only of
/// `Key: value` lines (and GitLab's "See merge request" line). Trailer-like lines earlier in
/// the message are prose (a pull request description), not approvals.
pub(crate) fn approvers(message: &str) -> Vec<String> {
    let paragraphs: Vec<Vec<&str>> = message
        .split("\n\n")
        .map(|p| p.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>())
        .filter(|p| !p.is_empty())
        .collect();
    let mut block = Vec::new();
    // The subject is never a trailer block.
    for p in paragraphs.iter().skip(1).rev() {
        if p.iter().all(|l| TRAILER.is_match(l) || GITLAB_MERGE.is_match(l)) {
            block.push(p);
        } else {
            break;
        }
    }
    block.reverse();
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for line in block.into_iter().flatten() {
        let Some(c) = TRAILER.captures(line) else { continue };
        let key = c[1].to_ascii_lowercase();
        if key != "reviewed-by" && key != "approved-by" {
            continue;
        }
        let value = c[2].trim();
        let (name, email) = match value.split_once('<') {
            Some((name, rest)) => (name.trim(), rest.trim_end_matches('>').trim()),
            None => (value, ""),
        };
        let name = if name.is_empty() { email } else { name };
        let identity = if email.is_empty() { name.to_lowercase() } else { email.to_lowercase() };
        if !name.is_empty() && seen.insert(identity) {
            out.push(name.to_string());
        }
    }
    out
}

struct Opened {
    repo: Repository,
    /// The content root inside the work tree, `/`-separated with a trailing `/`, or empty.
    prefix: String,
}

fn open(root: &Path, notes: &mut Vec<String>) -> Result<Option<Opened>> {
    let repo = match Repository::discover(root) {
        Ok(r) => r,
        Err(e) if e.code() == ErrorCode::NotFound => {
            notes.push(format!("{} is not in a git repository: the archive has no version history", root.display()));
            return Ok(None);
        }
        Err(e) if e.code() == ErrorCode::Owner => {
            notes.push(format!(
                "git refuses to read the repository at {}: it belongs to another user ({}). Add it to \
                 `safe.directory` in git's configuration; the archive has no version history until then",
                root.display(),
                e.message()
            ));
            return Ok(None);
        }
        Err(e) => return Err(git_error(root)(e)),
    };
    let Some(workdir) = repo.workdir() else {
        notes.push(format!("{} is a bare repository: no version history", root.display()));
        return Ok(None);
    };
    let canonical = |p: &Path| p.canonicalize().map_err(|e| Error::io("cannot open", p, e));
    let (root_abs, work_abs) = (canonical(root)?, canonical(workdir)?);
    let prefix = match root_abs.strip_prefix(&work_abs) {
        Ok(rel) => {
            let parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            parts.iter().map(|p| format!("{p}/")).collect()
        }
        Err(_) => String::new(),
    };
    if repo.is_shallow() {
        notes.push(
            "the git history is shallow (a shallow clone): versions older than its oldest commit are missing, \
             so version numbers and pages are incomplete. Fetch the whole history: `git fetch --unshallow`, or \
             `fetch-depth: 0` for actions/checkout, `GIT_DEPTH: 0` on GitLab"
                .to_string(),
        );
    }
    Ok(Some(Opened { repo, prefix }))
}

fn head_commit(repo: &Repository) -> Result<Option<Oid>> {
    match repo.head() {
        Ok(h) => Ok(h.target()),
        Err(e) if matches!(e.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => Ok(None),
        Err(e) => Err(git_error(repo.path())(e)),
    }
}

/// HEAD, its first parent, and so on, down to (without) `stop` when it is on the line: then
/// the second value is true. Stops early (with a note) where a parent is missing.
fn first_parent_line(
    repo: &Repository,
    head: Oid,
    stop: Option<Oid>,
    notes: &mut Vec<String>,
) -> Result<(Vec<Oid>, bool)> {
    let mut chain = Vec::new();
    let mut next = Some(head);
    while let Some(oid) = next {
        if Some(oid) == stop {
            return Ok((chain, true));
        }
        let commit = repo.find_commit(oid).map_err(git_error(repo.path()))?;
        chain.push(oid);
        next = if commit.parent_count() == 0 {
            None
        } else {
            match commit.parent_id(0).and_then(|p| repo.find_commit(p).map(|c| c.id())) {
                Ok(p) => Some(p),
                Err(_) => {
                    if !repo.is_shallow() {
                        notes.push(format!("the parent of commit {oid} is missing: history stops there"));
                    }
                    None
                }
            }
        };
    }
    Ok((chain, false))
}

/// The posts folder's tree at a commit, if the commit has one.
fn posts_tree(repo: &Repository, commit: Oid, posts_dir: &str) -> Result<Option<Oid>> {
    let tree = repo.find_commit(commit).and_then(|c| c.tree()).map_err(git_error(repo.path()))?;
    Ok(tree.get_path(Path::new(posts_dir)).ok().filter(|e| e.kind() == Some(git2::ObjectType::Tree)).map(|e| e.id()))
}

struct Change {
    status: Delta,
    old_path: String,
    new_path: String,
    old_id: Oid,
    new_id: Oid,
}

/// The changes in the posts folder of each of the first `count` commits on the line that has
/// any, newest first (`posts_trees` may hold one more: the parent of the last). Commits are
/// independent here, so runs of them are diffed in parallel, each run with its own repository
/// handle (libgit2 handles are not shared between threads) and tree cache.
fn changes_along(
    repo: &Repository,
    posts_trees: &[Option<Oid>],
    count: usize,
) -> Result<Vec<(usize, Vec<Change>)>, git2::Error> {
    use rayon::prelude::*;
    let pairs: Vec<(usize, Option<Oid>, Option<Oid>)> = (0..count.min(posts_trees.len()))
        .map(|i| (i, posts_trees.get(i + 1).copied().flatten(), posts_trees[i]))
        .filter(|(_, old, new)| old != new)
        .collect();
    let run = (pairs.len() / (rayon::current_num_threads() * 4)).max(64);
    let path = repo.path().to_path_buf();
    let runs: Vec<Vec<(usize, Vec<Change>)>> = pairs
        .par_chunks(run)
        .map(|chunk| {
            let repo = Repository::open(&path)?;
            let mut trees = TreeCache::new(&repo);
            let mut out = Vec::with_capacity(chunk.len());
            for &(i, old, new) in chunk {
                trees.next_commit();
                let mut changes = Vec::new();
                trees.diff(old, new, "", &mut changes)?;
                let has = |s: Delta| changes.iter().any(|c| c.status == s);
                if has(Delta::Added) && has(Delta::Deleted) {
                    changes = paired_changes(&repo, old, new)?;
                }
                out.push((i, changes));
            }
            Ok(out)
        })
        .collect::<Result<_, git2::Error>>()?;
    Ok(runs.into_iter().flatten().collect())
}

/// What changed between two trees of the posts folder, renames paired by git's similarity
/// detection. Only used for commits that add and delete files; the rest go through
/// [`TreeCache::diff`], which reads each tree once instead of once per commit that shows it.
fn paired_changes(repo: &Repository, old: Option<Oid>, new: Option<Oid>) -> Result<Vec<Change>, git2::Error> {
    let old = old.map(|t| repo.find_tree(t)).transpose()?;
    let new = new.map(|t| repo.find_tree(t)).transpose()?;
    let mut opts = DiffOptions::new();
    opts.skip_binary_check(true);
    let mut diff = repo.diff_tree_to_tree(old.as_ref(), new.as_ref(), Some(&mut opts))?;
    diff.find_similar(Some(DiffFindOptions::new().renames(true)))?;
    let path = |f: git2::DiffFile<'_>| f.path().map(|p| p.to_string_lossy().replace('\\', "/")).unwrap_or_default();
    Ok(diff
        .deltas()
        .map(|d| Change {
            status: d.status(),
            old_path: path(d.old_file()),
            new_path: path(d.new_file()),
            old_id: d.old_file().id(),
            new_id: d.new_file().id(),
        })
        .collect())
}

/// Git's order of tree entries: by name, a folder's name read as if it ended in `/`. Equal
/// means the same name and kind; a file and a folder of one name are different entries.
fn tree_order(a: (&str, &Item), b: (&str, &Item)) -> std::cmp::Ordering {
    fn key<'a>((name, i): (&'a str, &Item)) -> impl Iterator<Item = u8> + 'a {
        name.bytes().chain(i.tree.then_some(b'/'))
    }
    key(a).cmp(key(b))
}

/// A tree entry as the history pass needs it; its name is in [`Items::names`].
struct Item {
    name: std::ops::Range<usize>,
    id: Oid,
    tree: bool,
    mode: i32,
}

/// A tree's entries, names in one buffer: folders of thousands of posts are read once per
/// commit, and an allocation per name was a fifth of the time.
#[derive(Default)]
struct Items {
    names: String,
    items: Vec<Item>,
}

impl Items {
    fn name(&self, i: &Item) -> &str {
        &self.names[i.name.clone()]
    }

    fn get(&self, n: usize) -> Option<(&str, &Item)> {
        self.items.get(n).map(|i| (self.name(i), i))
    }
}

/// Trees read during the walk. Walking newest to oldest, the old side of one commit is the new
/// side of the next, so keeping the trees of the last two commits reads each tree once.
/// libgit2's own cache skips trees over 4 KB, i.e. any posts folder of more than about a
/// hundred files, which made every diff re-read and re-hash both folders.
struct TreeCache<'r> {
    repo: &'r Repository,
    current: HashMap<Oid, std::rc::Rc<Items>>,
    previous: HashMap<Oid, std::rc::Rc<Items>>,
}

impl<'r> TreeCache<'r> {
    fn new(repo: &'r Repository) -> Self {
        TreeCache { repo, current: HashMap::new(), previous: HashMap::new() }
    }

    /// Forgets trees not used since the commit before.
    fn next_commit(&mut self) {
        self.previous = std::mem::take(&mut self.current);
    }

    fn items(&mut self, id: Oid) -> Result<std::rc::Rc<Items>, git2::Error> {
        if let Some(items) = self.current.get(&id) {
            return Ok(items.clone());
        }
        let items = match self.previous.remove(&id) {
            Some(items) => items,
            None => {
                let tree = self.repo.find_tree(id)?;
                let mut items = Items { names: String::new(), items: Vec::with_capacity(tree.len()) };
                for e in tree.iter() {
                    let start = items.names.len();
                    items.names.push_str(&String::from_utf8_lossy(e.name_bytes()));
                    items.items.push(Item {
                        name: start..items.names.len(),
                        id: e.id(),
                        tree: e.kind() == Some(git2::ObjectType::Tree),
                        mode: e.filemode(),
                    });
                }
                std::rc::Rc::new(items)
            }
        };
        self.current.insert(id, items.clone());
        Ok(items)
    }

    /// Files added, deleted or modified between two trees (renames unpaired), below `prefix`.
    fn diff(
        &mut self,
        old: Option<Oid>,
        new: Option<Oid>,
        prefix: &str,
        out: &mut Vec<Change>,
    ) -> Result<(), git2::Error> {
        if old == new {
            return Ok(());
        }
        let old = old.map(|t| self.items(t)).transpose()?.unwrap_or_default();
        let new = new.map(|t| self.items(t)).transpose()?.unwrap_or_default();
        let path = |name: &str| format!("{prefix}{name}");
        // Both lists are in git's tree order, so one merge pass pairs them.
        let (mut o, mut n) = (0, 0);
        loop {
            let order = match (old.get(o), new.get(n)) {
                (Some(a), Some(b)) => tree_order(a, b),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => break,
            };
            match order {
                std::cmp::Ordering::Less => {
                    self.side(&old, o, prefix, Delta::Deleted, out)?;
                    o += 1;
                }
                std::cmp::Ordering::Greater => {
                    self.side(&new, n, prefix, Delta::Added, out)?;
                    n += 1;
                }
                std::cmp::Ordering::Equal => {
                    let (a, b) = (&old.items[o], &new.items[n]);
                    if a.id != b.id || a.mode != b.mode {
                        let name = path(new.name(b));
                        if a.tree && b.tree {
                            self.diff(Some(a.id), Some(b.id), &format!("{name}/"), out)?;
                        } else {
                            out.push(Change {
                                status: Delta::Modified,
                                old_path: name.clone(),
                                new_path: name,
                                old_id: a.id,
                                new_id: b.id,
                            });
                        }
                    }
                    o += 1;
                    n += 1;
                }
            }
        }
        Ok(())
    }

    /// Every file of an entry that exists on one side only.
    fn side(
        &mut self,
        items: &Items,
        n: usize,
        prefix: &str,
        status: Delta,
        out: &mut Vec<Change>,
    ) -> Result<(), git2::Error> {
        let item = &items.items[n];
        let path = format!("{prefix}{}", items.name(item));
        if item.tree {
            let (old, new) = if status == Delta::Added { (None, Some(item.id)) } else { (Some(item.id), None) };
            return self.diff(old, new, &format!("{path}/"), out);
        }
        let (old_id, new_id) =
            if status == Delta::Added { (Oid::ZERO_SHA1, item.id) } else { (item.id, Oid::ZERO_SHA1) };
        out.push(Change { status, old_path: path.clone(), new_path: path, old_id, new_id });
        Ok(())
    }
}

fn blob_text(repo: &Repository, oid: Oid) -> Result<String, git2::Error> {
    let blob = repo.find_blob(oid)?;
    Ok(String::from_utf8_lossy(blob.content()).into_owned())
}

fn signature_name(s: &git2::Signature<'_>) -> String {
    String::from_utf8_lossy(s.name_bytes()).into_owned()
}

fn commit_time(commit: &git2::Commit<'_>) -> Timestamp {
    Timestamp::from_second(commit.committer().when().seconds()).unwrap_or_default()
}

/// A post file's path inside the posts folder, `/`-separated.
fn rel_in_posts(path: &Path) -> Option<String> {
    let rel = path.strip_prefix(POSTS_DIR).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect::<Option<_>>()?;
    Some(parts.join("/"))
}

/// The id a post file's text gives it: the explicit `id`, or the file stem.
fn id_of(text: &str, path: &str) -> String {
    if let Some(id) = Head::of(text).id {
        return id;
    }
    let name = path.rsplit('/').next().unwrap_or(path);
    name.strip_suffix(".md").unwrap_or(name).to_string()
}

/// Whether a version's text says `draft = true`.
pub(crate) fn is_draft(text: &str) -> bool {
    Head::of(text).draft
}

fn git_error(root: &Path) -> impl Fn(git2::Error) -> Error + '_ {
    move |e| Error::io("cannot read the git history of", root, std::io::Error::other(e.message().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_of_versions() {
        let text = "+++
title = \"A\"
id = \"x-1\"
draft = true
+++
Body
";
        assert!(is_draft(text));
        assert_eq!(id_of(text, "a/b.md"), "x-1");
        assert_eq!(
            id_of(
                "+++
title = \"A\"
+++
",
                "a/b-c.md"
            ),
            "b-c"
        );
    }

    #[test]
    fn request_numbers() {
        assert_eq!(request_number("Merge pull request #12 from x/y\n\nTitle"), Some(12));
        assert_eq!(
            request_number("Merge branch 'a' into 'main'\n\nTitle\n\nSee merge request group/sub/project!34\n"),
            Some(34)
        );
        assert_eq!(request_number("Fix #12 in the text"), None);
    }

    #[test]
    fn approvers_from_the_trailer_block_only() {
        let msg = "Merge pull request #12 from x/y\n\nNew post\nReviewed-by: Mallory <m@x.se>\n\n\
                   Reviewed-by: Anna <a@x.se>\nApproved-by: Bo Ek <b@x.se>\nreviewed-by: Anna Svensson <A@x.se>\n\
                   Signed-off-by: Cecilia <c@x.se>\n";
        assert_eq!(approvers(msg), vec!["Anna", "Bo Ek"]);
        let gitlab = "Merge branch 'a' into 'main'\n\nTitle\n\nApproved-by: Dan <d@x.se>\n\nSee merge request g/p!3";
        assert_eq!(approvers(gitlab), vec!["Dan"]);
        assert!(approvers("Reviewed-by: Anna <a@x.se>").is_empty());
    }
}
