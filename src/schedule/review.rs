//! The approval policy of `[review]`, enforced at publish time from git: a post goes out only
//! when the change that brought its current text into the branch was approved by enough
//! people. The approvers are read from the merge commit (see [`crate::git::Approval`]); the
//! forge's branch protection is what makes that trustworthy.

use std::collections::HashMap;

use serde::Serialize;

use crate::error::Result;
use crate::git::{Approvals, latest_changes};
use crate::ledger::Entry;
use crate::post::Post;
use crate::project::Project;

/// Whether a post's current text is approved, and by whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Review {
    /// The commit on the branch that last changed the post.
    pub commit: String,
    /// The merge (or pushed) commit that brought it in.
    pub merge_commit: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<u64>,
    pub approvers: Vec<String>,
    pub needed: u32,
    pub found: u32,
    pub met: bool,
    /// Why it is or is not met, in a sentence.
    pub detail: String,
    /// How far back on the branch the change is (0 = HEAD).
    #[serde(skip)]
    position: usize,
}

/// The reviews of every committed post, read from git once per run.
pub struct Reviews {
    by_post: HashMap<String, Review>,
    approvals: Approvals,
    /// Sentences about the repository (shallow clone, no git).
    pub notes: Vec<String>,
}

impl Reviews {
    /// `now`: posts dated later are not due, so their files are not compared with git (an
    /// uncommitted edit to one is caught by the run that finds it due).
    pub fn load(project: &Project, now: jiff::Timestamp) -> Result<Reviews> {
        let (latest, mut notes) = latest_changes(&project.root, project, &|p| p.date.is_none_or(|d| d <= now))?;
        let approvals = Approvals::load(&project.root)?;
        let policy = &project.strategy.file.review;
        let mut by_post = HashMap::new();
        // Many posts arrive in one merge: read each commit's approval once.
        let mut seen: HashMap<&str, Option<(crate::git::Approval, usize)>> = HashMap::new();
        for post in &project.posts {
            let Some(latest) = latest.get(&post.id) else { continue };
            let found = match seen.get(latest.commit.as_str()) {
                Some(found) => found.clone(),
                None => {
                    let found = approvals
                        .of(&latest.commit)?
                        .map(|a| (a, approvals.position(&latest.commit).unwrap_or(usize::MAX)));
                    seen.insert(&latest.commit, found.clone());
                    found
                }
            };
            let Some((approval, position)) = found else { continue };
            let needed = policy.per_kind.get(&post.kind).copied().unwrap_or(policy.approvals);
            let found = approval.approvers.len() as u32;
            let short = &approval.merge_commit[..approval.merge_commit.len().min(10)];
            let via = approval.number.map_or(String::new(), |n| format!(" (request {n})"));
            let (met, detail) = if !latest.committed {
                (
                    false,
                    format!(
                        "{} has changes that are not committed; only merged text is published",
                        post.path.display()
                    ),
                )
            } else if policy.require_signed_merges && !approval.signed {
                (false, format!("commit {short}{via} is not signed and [review] require_signed_merges = true"))
            } else if found < needed {
                (
                    false,
                    format!(
                        "commit {short}{via} names {found} approver(s){}; {} posts need {needed}. Approvers are read from the merge commit's Reviewed-by:/Approved-by: trailers",
                        names(&approval.approvers),
                        post.kind.name()
                    ),
                )
            } else {
                (true, format!("approved in {short}{via}{}", names(&approval.approvers)))
            };
            let review = Review {
                commit: latest.commit.clone(),
                merge_commit: approval.merge_commit,
                request: approval.number,
                approvers: approval.approvers,
                needed,
                found,
                met,
                detail,
                position,
            };
            by_post.insert(post.id.clone(), review);
        }
        notes.extend(approvals.notes.iter().cloned());
        notes.dedup();
        Ok(Reviews { by_post, approvals, notes })
    }

    pub fn get(&self, post: &str) -> Option<&Review> {
        self.by_post.get(post)
    }

    /// The commit HEAD points at: the `source` of what this run sends.
    pub fn head(&self) -> Option<String> {
        self.approvals.head()
    }

    /// Whether the post changed on the branch after the commit `entry` was sent from. Unknown
    /// commits (history rewritten, another branch) count as unchanged: an edit is only ever
    /// made for a change the branch can show.
    pub fn changed_since(&self, post: &Post, entry: &Entry) -> bool {
        let Some(review) = self.by_post.get(&post.id) else { return false };
        let Some(source) = entry.source.as_deref() else { return false };
        match self.approvals.position(source) {
            Some(sent_from) => review.position < sent_from,
            None => false,
        }
    }
}

fn names(approvers: &[String]) -> String {
    if approvers.is_empty() { String::new() } else { format!(" ({})", approvers.join(", ")) }
}
