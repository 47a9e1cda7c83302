//! `budkavle publish` (DESIGN §7): plan what is due, send it exactly once with a write-ahead
//! ledger line before every request, reconcile what an interrupted run left, and commit the
//! ledger so git is the audit trail.
//!
//! The exactly-once argument, in short: every request is preceded by a durable `intent`
//! carrying a key derived only from the post, the platform and the thread part; a pair with an
//! intent and no outcome is never sent fresh — it is looked up on the platform (Bluesky: the
//! record key *is* the derived key; Mastodon: the server deduplicates a re-send with the same
//! `Idempotency-Key` for an hour) or, when neither can tell, held for a person.

mod resolve;
mod retry;
mod send;
mod trail;

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use jiff::Timestamp;
use serde::Serialize;

pub use resolve::{Resolution, resolve};
pub use retry::Budget;
pub(crate) use retry::with_retry;
pub use send::key;
pub use trail::{Step, trail};

use crate::clients::api::{Connection, Limits};
use crate::clients::http::{DEFAULT_TIMEOUT, Http};
use crate::error::Result;
use crate::ledger::{Appender, Ledger, Lock, repair_torn_tail};
use crate::platform::PlatformId;
use crate::project::Project;
use crate::schedule::{Action, Item, Options, Plan, Reviews, plan};

/// How a run is made.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The clock (tests and `--now`); `None`: the system clock.
    pub now: Option<Timestamp>,
    /// Print the plan, send nothing, write nothing.
    pub dry_run: bool,
    pub platforms: Vec<PlatformId>,
    /// Per request.
    pub timeout: Duration,
    /// For the whole run's retrying.
    pub budget: Duration,
    /// Commit the ledger when anything was written.
    pub commit: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            now: None,
            dry_run: false,
            platforms: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
            budget: Duration::from_secs(300),
            commit: true,
        }
    }
}

/// What happened to one pair in this run.
#[derive(Debug, Clone, Serialize)]
pub struct Done {
    pub post: String,
    pub platform: PlatformId,
    #[serde(flatten)]
    pub result: Outcome,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum Outcome {
    Published {
        url: Option<String>,
        reused: bool,
    },
    Edited {
        url: Option<String>,
    },
    /// The platform cannot edit: the change went out as a reply or comment on the original.
    Corrected {
        url: Option<String>,
        reused: bool,
    },
    Deleted,
    Pinned,
    Unpinned,
    /// The platform refused or could not be reached within the budget.
    Failed {
        kind: String,
        message: String,
        retry: bool,
    },
    /// Held for a person: `budkavle resolve`.
    Unknown {
        message: String,
    },
    /// Not attempted (media could not be made safe, text over the limit).
    Blocked {
        message: String,
    },
}

impl Outcome {
    /// Whether a person must act.
    pub fn needs_person(&self) -> bool {
        matches!(self, Outcome::Failed { retry: false, .. } | Outcome::Unknown { .. } | Outcome::Blocked { .. })
    }
}

#[derive(Debug, Serialize)]
pub struct Report {
    /// The plan as it stood at the start of the run (for a dry run, the whole answer).
    pub plan: Plan,
    pub done: Vec<Done>,
    /// The ledger commit, when one was made.
    pub commit: Option<String>,
    pub notes: Vec<String>,
}

/// Plans without sending (also what `--dry-run` prints).
pub fn plan_only(project: &Project, settings: &Settings) -> Result<(Plan, Vec<String>)> {
    let now = settings.now.unwrap_or_else(Timestamp::now);
    crate::schedule::plan_at(project, now, &Options { platforms: settings.platforms.clone() })
}

/// A whole run. `env` reads the secrets strategy.toml names (the process environment in the
/// CLI); nothing it returns is ever printed or written.
pub fn run(root: &Path, settings: &Settings, env: &dyn Fn(&str) -> Option<String>) -> Result<Report> {
    let project = Project::load(root)?;
    if settings.dry_run {
        let (plan, notes) = plan_only(&project, settings)?;
        return Ok(Report { plan, done: Vec::new(), commit: None, notes });
    }

    let lock = Lock::acquire(root)?;
    let mut notes = Vec::new();
    if let Some(torn) = repair_torn_tail(&lock)? {
        notes.push(format!(
            "removed an incomplete last line of {} (line {}), left by an interrupted write; its request was never sent",
            torn.file.display(),
            torn.line
        ));
    }
    let mut appender = Appender::with_lock(lock)?;
    let now = settings.now.unwrap_or_else(Timestamp::now);
    let reviews = Reviews::load(&project, now)?;
    notes.extend(reviews.notes.iter().cloned());
    let options = Options { platforms: settings.platforms.clone() };
    let http = Http::new(settings.timeout)?;
    let budget = Budget::new(settings.budget);
    let written_before = appender.ledger().len();

    let first = plan::plan(&project, appender.ledger(), &reviews, now, &options, &|p, e| reviews.changed_since(p, e));
    let mut connections: HashMap<PlatformId, (Box<dyn Connection>, Option<Limits>)> = HashMap::new();
    let mut done: Vec<Done> = Vec::new();
    let mut attempted = std::collections::HashSet::new();
    let mut current = first.clone();
    // A pass can make more due: an update waits for the post it replies to, which this very
    // run may just have published. Re-plan until a pass does nothing new.
    for _pass in 0..8 {
        let items: Vec<Item> = current.actions().filter(|i| !attempted.contains(&attempt(i))).cloned().collect();
        if items.is_empty() {
            break;
        }
        for item in &items {
            attempted.insert(attempt(item));
            let (conn, limits) = match connections.entry(item.platform) {
                std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
                std::collections::hash_map::Entry::Vacant(v) => {
                    let mut conn = crate::clients::connect(&project.strategy, item.platform, env, &http)?;
                    // The server's own limits, once per run; when it cannot say, the configured
                    // ones stand.
                    let limits = conn.limits().ok();
                    v.insert((conn, limits))
                }
            };
            let Some(post) = project.post(&item.post) else { continue };
            let ctx = send::Ctx { project: &project, head: reviews.head(), budget: &budget, limits: *limits };
            let result = send::execute(&ctx, &mut appender, conn.as_mut(), post, item)?;
            done.push(Done { post: item.post.clone(), platform: item.platform, result });
        }
        current = plan::plan(&project, appender.ledger(), &reviews, now, &options, &|p, e| reviews.changed_since(p, e));
    }

    let written = appender.ledger().len() - written_before;
    let head = appender.ledger().head();
    let lock = appender.into_lock();
    let mut commit = None;
    if written > 0 && settings.commit {
        let message = commit_message(&done, reviews.head().as_deref(), &head, &reviews);
        match crate::git::commit_ledger(root, &message) {
            Ok(Some(id)) => commit = Some(id),
            Ok(None) => notes.push("not a git repository: the ledger was written but not committed".into()),
            Err(e) => {
                lock.release()?;
                return Err(e);
            }
        }
    }
    lock.release()?;
    Ok(Report { plan: first, done, commit, notes })
}

/// What a pass did, so a later pass does not try the same thing twice in one run (a failure
/// waits for the next run) but may do the next step for the same pair (publish, then pin).
fn attempt(item: &Item) -> (String, PlatformId, &'static str) {
    let what = match &item.action {
        Action::Send { .. } => "send",
        Action::Edit { .. } => "edit",
        Action::Correct { .. } => "correct",
        Action::Delete { .. } => "delete",
        Action::Pin { .. } => "pin",
        Action::Unpin { .. } => "unpin",
        Action::Hold { .. } => "hold",
    };
    (item.post.clone(), item.platform, what)
}

/// The ledger commit's message: a summary line, one line per pair, and trailers a machine can
/// read back (`git log --format=%(trailers)`).
fn commit_message(done: &[Done], source: Option<&str>, ledger_head: &str, reviews: &Reviews) -> String {
    let count = |f: fn(&Outcome) -> bool| done.iter().filter(|d| f(&d.result)).count();
    let published = count(|o| matches!(o, Outcome::Published { .. }));
    let edited = count(|o| matches!(o, Outcome::Edited { .. }));
    let corrected = count(|o| matches!(o, Outcome::Corrected { .. }));
    let deleted = count(|o| matches!(o, Outcome::Deleted));
    let failed = count(|o| matches!(o, Outcome::Failed { .. } | Outcome::Unknown { .. }));
    let mut parts = Vec::new();
    for (n, word) in [
        (published, "published"),
        (edited, "edited"),
        (corrected, "corrected"),
        (deleted, "deleted"),
        (failed, "failed"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {word}"));
        }
    }
    let mut msg =
        format!("budkavle publish: {}\n\n", if parts.is_empty() { "ledger".into() } else { parts.join(", ") });
    for d in done {
        let what = match &d.result {
            Outcome::Published { url, .. } => format!("published {}", url.as_deref().unwrap_or("")),
            Outcome::Edited { url } => format!("edited {}", url.as_deref().unwrap_or("")),
            Outcome::Corrected { url, .. } => format!("corrected {}", url.as_deref().unwrap_or("")),
            Outcome::Deleted => "deleted".into(),
            Outcome::Pinned => "pinned".into(),
            Outcome::Unpinned => "unpinned".into(),
            Outcome::Failed { kind, .. } => format!("failed ({kind})"),
            Outcome::Unknown { .. } => "unknown: held for `budkavle resolve`".into(),
            Outcome::Blocked { .. } => continue,
        };
        msg.push_str(&format!("- {} on {}: {}\n", d.post, d.platform, what.trim_end()));
    }
    msg.push('\n');
    if let Some(source) = source {
        msg.push_str(&format!("Budkavle-Source: {source}\n"));
    }
    let mut seen = std::collections::BTreeSet::new();
    for d in done {
        if seen.insert(d.post.clone()) {
            msg.push_str(&format!("Budkavle-Post: {}\n", d.post));
            if let Some(r) = reviews.get(&d.post) {
                msg.push_str(&format!("Approved-In: {}\n", r.merge_commit));
                for a in &r.approvers {
                    msg.push_str(&format!("Approved-By: {a}\n"));
                }
            }
        }
    }
    let platforms: std::collections::BTreeSet<_> = done.iter().map(|d| d.platform.name()).collect();
    for p in platforms {
        msg.push_str(&format!("Budkavle-Platform: {p}\n"));
    }
    msg.push_str(&format!("Budkavle-Ledger-Head: {ledger_head}\n"));
    msg
}

/// What `budkavle verify` found.
#[derive(Debug, Serialize)]
pub struct Verification {
    pub entries: usize,
    pub files: usize,
    pub head: String,
    /// Commits that changed the ledger, all of which only appended.
    pub commits: usize,
}

/// The hash chain, then history: every commit (and the work tree) only appended.
pub fn verify(root: &Path) -> Result<Verification> {
    let ledger = Ledger::read(root)?;
    let verified = ledger.verify()?;
    let (rewrites, commits) = crate::git::ledger_history(root)?;
    if !rewrites.is_empty() {
        let lines: Vec<String> = rewrites
            .iter()
            .map(|r| {
                let at = r
                    .commit
                    .as_deref()
                    .map_or("the work tree".to_string(), |c| format!("commit {}", &c[..c.len().min(10)]));
                format!("{at} {} in {}", r.what, r.file)
            })
            .collect();
        return Err(crate::error::Error::Usage(format!(
            "the ledger's history was rewritten, not appended to:\n  {}\nThe ledger is an append-only record: restore the lines from git (`git show <commit>:ledger/<file>`) and append corrections as new events",
            lines.join("\n  ")
        )));
    }
    Ok(Verification { entries: verified.entries, files: verified.files, head: verified.head, commits })
}
