//! `budkavle log POST`: everything the repository knows about one post, in time order — when
//! it was written and changed (git), who approved each change (the merge commits), and what
//! went where (the ledger). The answer to "who said this, and who let it out?".

use jiff::Timestamp;
use serde::Serialize;

use crate::error::Result;
use crate::git::{Approvals, post_versions};
use crate::ledger::{Event, Ledger};
use crate::platform::PlatformId;
use crate::post::Post;
use crate::project::Project;

#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub at: Timestamp,
    /// `written`, `changed`, `approved`, or a ledger event name.
    pub event: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<PlatformId>,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

pub fn trail(project: &Project, post: &Post) -> Result<Vec<Step>> {
    let mut steps = Vec::new();
    let history = post_versions(&project.root, project)?;
    let approvals = Approvals::load(&project.root)?;
    let mut approved_seen = std::collections::HashSet::new();
    for v in history.versions.get(&post.id).into_iter().flatten() {
        let by = v.author.as_deref().map_or(String::new(), |a| format!(" by {a}"));
        steps.push(Step {
            at: v.date,
            event: if v.n == 1 { "written".into() } else { "changed".into() },
            platform: None,
            detail: format!("version {}{by}", v.n),
            commit: Some(v.commit.clone()),
        });
        if let Some(a) = approvals.of(&v.commit)?
            && approved_seen.insert(a.merge_commit.clone())
        {
            let request = a.number.map_or(String::new(), |n| format!("request {n}, "));
            let who = if a.approvers.is_empty() { "no approvers named".into() } else { a.approvers.join(", ") };
            steps.push(Step {
                at: a.merged_at,
                event: "approved".into(),
                platform: None,
                detail: format!("{request}merged as {}: {who}", &a.merge_commit[..a.merge_commit.len().min(10)]),
                commit: Some(a.merge_commit.clone()),
            });
        }
    }
    let ledger = Ledger::read(&project.root)?;
    for e in ledger.for_post(&post.id) {
        let remote = e.remote.as_ref().map(|r| r.url.clone().unwrap_or_else(|| r.id.clone()));
        let error = e.error.as_ref().map(|x| format!("{}: {}", x.kind, x.message));
        let detail = match e.event {
            Event::Intent => "sending".to_string(),
            Event::Published | Event::Edited => remote.unwrap_or_default(),
            Event::Deleted => "removed from the platform".into(),
            Event::Pinned => format!("pinned to the profile: {}", remote.unwrap_or_default()),
            Event::Unpinned => "taken off the profile".into(),
            Event::Corrected => format!(
                "the platform cannot edit: the change went out as {} on the original: {}",
                crate::platform::correction_form(e.platform),
                remote.unwrap_or_default()
            ),
            Event::Failed | Event::Unknown => error.unwrap_or_default(),
            Event::Resolved => match remote {
                Some(r) => format!("settled by hand: published at {r}"),
                None => "settled by hand: not published".into(),
            },
        };
        steps.push(Step { at: e.at, event: e.event.name().into(), platform: Some(e.platform), detail, commit: None });
    }
    if let Some(reason) = &post.retracted {
        steps.push(Step {
            at: steps.last().map_or_else(Timestamp::now, |s| s.at),
            event: "retracted".into(),
            platform: None,
            detail: reason.clone(),
            commit: None,
        });
    }
    steps.sort_by_key(|s| s.at);
    Ok(steps)
}
