//! Crisis mode and crisis chains: one model for `publish` (pins), the archive (banner and
//! timelines), the calendar and CAP, so that none of them can disagree about whether a crisis
//! is still going on.
//!
//! A chain is a post and every post whose `updates`, `corrects` or `cancels` leads back to it,
//! when any of them is a crisis post. Drafts are not part of any chain. Whether a chain is still
//! on depends on which of its messages have gone out, which each caller knows in its own terms
//! (the archive: the message's time has come; `publish`: it is out on this platform), so
//! [`Chain::status`] takes that as a function:
//!
//! - it has **ended** when a message that cancels it has gone out;
//! - it has **expired** when the `[crisis] expires` of its latest message that has gone out has
//!   passed. The latest message decides, like a CAP `Update` replaces what it updates: an
//!   update that shortens the expiry ends the crisis sooner everywhere, pins included.

use std::collections::HashMap;
use std::path::Path;

use jiff::Timestamp;

use crate::kind::Kind;
use crate::post::Post;
use crate::project::Project;

/// The file whose presence switches crisis mode on: one line anyone can merge.
pub const CRISIS_FILE: &str = "content/CRISIS";

/// Chains deeper than this are a loop in `updates`/`corrects`/`cancels`, not a story (the
/// loader rejects cycles; the bound guards against a slip).
const MAX_DEPTH: usize = 1000;

/// The first post of the story `post` belongs to, following what it updates, corrects or
/// cancels among the published (non-draft) posts. `serve` works chains out on every save, over
/// every post: no allocation, and only a post that replies to another looks anything up.
fn root_of<'p>(project: &'p Project, post: &'p Post) -> &'p str {
    let mut at = post;
    for _ in 0..MAX_DEPTH {
        match at.reply_to().filter(|t| *t != at.id).and_then(|t| project.post(t)).filter(|p| !p.draft) {
            Some(target) => at = target,
            None => break,
        }
    }
    at.id.as_str()
}

/// Whether crisis mode is on: `[crisis] active = true`, or the kill-switch file exists.
pub fn mode(project: &Project) -> bool {
    project.strategy.file.crisis.active || project.root.join(CRISIS_FILE).exists()
}

/// `content/CRISIS` relative to the repository, for readers of its text.
pub fn file() -> &'static Path {
    Path::new(CRISIS_FILE)
}

/// Every crisis chain of a project.
#[derive(Debug, Clone, Default)]
pub struct Chains {
    chains: Vec<Chain>,
    /// Post id → its chain in `chains`.
    chain_of: HashMap<String, usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    /// The first post's id.
    pub root: String,
    /// Oldest first (by [`Member::at`], then id); a message with no time goes out on merge, so
    /// it is the newest.
    pub members: Vec<Member>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: String,
    /// When it went or goes out, as the caller of [`Chains::of`] reckons it.
    pub at: Option<Timestamp>,
    pub expires: Option<Timestamp>,
    /// It cancels the chain (and is not itself retracted).
    pub cancels: bool,
    pub crisis: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Active,
    /// The latest message's expiry, which has passed.
    Expired {
        at: Timestamp,
    },
    /// By the cancelling message, sent at `at` when that is known.
    Ended {
        at: Option<Timestamp>,
    },
}

/// Oldest first; a post with no time goes out on merge, so it is the newest.
fn order_key(at: Option<Timestamp>) -> (bool, Timestamp) {
    (at.is_none(), at.unwrap_or(Timestamp::MIN))
}

impl Chains {
    /// The chains of `project`. `at` tells when a post went or goes out: its date, or for a post
    /// without one, when it was first published (the caller has the ledger).
    pub fn of(project: &Project, at: impl Fn(&Post) -> Option<Timestamp>) -> Chains {
        let tz = &project.strategy.timezone;
        let root_of = |post| root_of(project, post);
        // Only the stories with a crisis message in them are chains.
        let mut groups: HashMap<&str, Vec<&Post>> = project
            .posts
            .iter()
            .filter(|p| !p.draft && p.kind == Kind::Crisis)
            .map(|p| (root_of(p), Vec::new()))
            .collect();
        // A post that replies to none is the first of its own story only.
        for (root, group) in groups.iter_mut() {
            group.extend(project.post(root).filter(|p| !p.draft));
        }
        if !groups.is_empty() {
            for post in project.posts.iter().filter(|p| !p.draft && p.reply_to().is_some()) {
                let root = root_of(post);
                if root != post.id
                    && let Some(group) = groups.get_mut(root)
                {
                    group.push(post);
                }
            }
        }
        let mut chains: Vec<Chain> = groups
            .into_iter()
            .map(|(root, posts)| {
                let mut members: Vec<Member> = posts
                    .iter()
                    .map(|p| Member {
                        id: p.id.clone(),
                        at: at(p),
                        expires: p
                            .crisis
                            .as_ref()
                            .and_then(|c| c.expires.as_ref())
                            .and_then(|e| crate::datetime::resolve_datetime(e, tz).ok()),
                        cancels: p.cancels.is_some() && p.retracted.is_none(),
                        crisis: p.kind == Kind::Crisis,
                    })
                    .collect();
                members.sort_by(|a, b| (order_key(a.at), &a.id).cmp(&(order_key(b.at), &b.id)));
                Chain { root: root.to_string(), members }
            })
            .collect();
        chains.sort_by(|a, b| a.root.cmp(&b.root));
        let chain_of =
            chains.iter().enumerate().flat_map(|(i, c)| c.members.iter().map(move |m| (m.id.clone(), i))).collect();
        Chains { chains, chain_of }
    }

    /// The chain `post` belongs to, if it is in one.
    pub fn of_post(&self, post: &str) -> Option<&Chain> {
        self.chains.get(*self.chain_of.get(post)?)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Chain> {
        self.chains.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.chains.is_empty()
    }
}

impl Chain {
    /// Where the chain stands at `now`, given which of its messages have gone out.
    pub fn status(&self, now: Timestamp, out: impl Fn(&Member) -> bool) -> Status {
        if let Some(m) = self.members.iter().find(|m| m.cancels && out(m)) {
            return Status::Ended { at: m.at };
        }
        match self.members.iter().rev().filter(|m| out(m)).find_map(|m| m.expires) {
            Some(at) if at <= now => Status::Expired { at },
            _ => Status::Active,
        }
    }

    /// Whether the chain is over at `now`: ended or expired.
    pub fn over(&self, now: Timestamp, out: impl Fn(&Member) -> bool) -> bool {
        self.status(now, out) != Status::Active
    }
}

impl Member {
    /// Whether its time has come at `now` (a message without a time goes out on merge).
    pub fn due(&self, now: Timestamp) -> bool {
        self.at.is_none_or(|t| t <= now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn member(id: &str, at: &str, expires: Option<&str>, cancels: bool) -> Member {
        Member { id: id.into(), at: Some(t(at)), expires: expires.map(t), cancels, crisis: true }
    }

    /// The case the archive and `publish` used to disagree on: an update that brings the
    /// expiry forward. The latest message decides, so the chain is over at the new expiry for
    /// every caller, whichever way it reckons what has gone out.
    #[test]
    fn an_update_that_shortens_the_expiry_ends_the_chain_at_the_new_expiry() {
        let chain = Chain {
            root: "a".into(),
            members: vec![
                member("a", "2027-01-19T10:00:00Z", Some("2027-01-25T10:00:00Z"), false),
                member("b", "2027-01-20T10:00:00Z", Some("2027-01-21T10:00:00Z"), false),
            ],
        };
        let now = t("2027-01-22T10:00:00Z");
        let site = |m: &Member| m.due(now);
        let published_everywhere = |_: &Member| true;
        assert_eq!(chain.status(now, site), Status::Expired { at: t("2027-01-21T10:00:00Z") });
        assert!(chain.over(now, published_everywhere));
        // Before the update has gone out, the first message's expiry still holds.
        let before = t("2027-01-19T12:00:00Z");
        assert_eq!(chain.status(before, |m: &Member| m.due(before)), Status::Active);
        // An update not yet out on a platform leaves that platform's pin up.
        assert!(!chain.over(now, |m: &Member| m.id == "a"));
    }

    #[test]
    fn a_cancellation_ends_the_chain_once_it_is_out() {
        let chain = Chain {
            root: "a".into(),
            members: vec![
                member("a", "2027-01-19T10:00:00Z", None, false),
                member("c", "2027-01-20T10:00:00Z", None, true),
            ],
        };
        assert_eq!(
            chain.status(t("2027-01-20T11:00:00Z"), |_: &Member| true),
            Status::Ended { at: Some(t("2027-01-20T10:00:00Z")) }
        );
        assert_eq!(
            chain.status(t("2027-01-19T11:00:00Z"), |m: &Member| m.due(t("2027-01-19T11:00:00Z"))),
            Status::Active
        );
    }
}
