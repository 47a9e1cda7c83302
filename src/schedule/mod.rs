//! What is due to go out, and what holds the rest (DESIGN §7.1): the plan that `publish` acts
//! on and `plan`, `publish --dry-run` and the previews' calendar show. Pure but for reading the
//! ledger and the approvals from git, so every one of them agrees by construction.

pub mod plan;
pub mod review;
mod slot;

use jiff::Timestamp;

pub use plan::{Action, Hold, Item, Options, Plan, ReplyTarget, describe, hold_at, hold_text};
pub use review::{Review, Reviews};
pub use slot::{Preferred, Proposal, next_free, next_free_preferring};

use crate::error::Result;
use crate::ledger::Ledger;
use crate::project::Project;

/// The plan at `now` from the ledger on disk and the approvals in git, with the notes a person
/// should see about the approvals (no merge commit, a shallow clone).
pub fn plan_at(project: &Project, now: Timestamp, options: &Options) -> Result<(Plan, Vec<String>)> {
    let ledger = Ledger::read(&project.root)?;
    let reviews = Reviews::load(project, now)?;
    let plan = plan::plan(project, &ledger, &reviews, now, options, &|p, e| reviews.changed_since(p, e));
    Ok((plan, reviews.notes.clone()))
}
