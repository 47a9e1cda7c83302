//! `budkavle inbox pull`: what citizens wrote to the organisation's accounts — replies and
//! comments on its recent posts, mentions and quotes of the accounts — read from every
//! platform strategy.toml has an account on, into the inbox store.
//!
//! Per platform: the live published parts of the last `--days` days from the ledger, one
//! [`Connection::interactions`] call from the platform's stored cursor, then every version
//! and the new cursor in one store transaction. So a pull killed at any point resumes from
//! the last cursor it stored, a second pull adds nothing, and an edit or deletion is a new
//! version beside the old. A platform that fails is reported and the others go on.
//!
//! A mention outside the account's threads comes once, through the notifications, and no
//! later listing shows it again, so its deletion would never be seen. After the listing, the
//! items an earlier pull brought in that this one did not list — still open, not deleted, and
//! written in the last [`RECHECK_DAYS`] days, at most [`RECHECK_MAX`] of them, newest first —
//! are asked about by id ([`Connection::gone`]), and one the platform says is gone gets a
//! deletion version in the same transaction. Cost per pull: Mastodon one request per item
//! (at most [`RECHECK_MAX`]), Bluesky one per 25; other platforms are not asked.
//!
//! Nothing a citizen wrote is returned for printing: the report holds counts only, so it can
//! go to logs and CI output.
//!
//! [`Connection::interactions`]: crate::clients::api::Connection::interactions
//! [`Connection::gone`]: crate::clients::api::Connection::gone

use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use super::Stop;
use crate::clients::api::{ErrorKind, SendError};
use crate::clients::heard::deletion;
use crate::clients::http::{DEFAULT_TIMEOUT, Http};
use crate::error::Result;
use crate::inbox::Inbox;
use crate::ledger::Ledger;
use crate::platform::{PlatformId, Remote};
use crate::project::Project;
use crate::publish::{Budget, with_retry};

/// How far back published posts are read for replies by default. Mentions (and replies that
/// mention the account) come through the platforms' notifications whatever the post's age.
pub const DEFAULT_DAYS: i64 = 30;

/// How long after it was written a mention outside the threads is asked about again. Most
/// deletions come soon after posting (a regretted or mistaken post), and an item is usually
/// answered or resolved within days, after which it is not asked about at all; two weeks
/// catches those while keeping a pull's requests bounded however long the inbox grows.
pub const RECHECK_DAYS: i64 = 14;

/// The most items one pull asks about per platform, newest first: a bound on the requests
/// (Mastodon asks one status at a time, and allows 300 requests in 5 minutes).
pub const RECHECK_MAX: usize = 100;

/// How a run is made.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The clock (tests and `--now`); `None`: the system clock.
    pub now: Option<Timestamp>,
    /// Only these platforms; empty: every platform with an account.
    pub platforms: Vec<PlatformId>,
    /// Per request.
    pub timeout: Duration,
    /// For the whole run's retrying: a platform still refusing after it is left for the next
    /// run.
    pub budget: Duration,
    /// Posts published this long ago or less are read for replies.
    pub posts_within: SignedDuration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            now: None,
            platforms: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
            budget: Duration::from_secs(120),
            posts_within: SignedDuration::from_hours(24 * DEFAULT_DAYS),
        }
    }
}

/// What one platform's pull stored: counts, never text.
#[derive(Debug, Clone, Serialize)]
pub struct Pulled {
    pub platform: PlatformId,
    /// The published parts it was asked about.
    pub posts: usize,
    pub new_items: usize,
    pub new_versions: usize,
    pub unchanged: usize,
    /// Earlier items, not listed this time, asked about by id (see the module).
    pub rechecked: usize,
}

#[derive(Debug, Serialize)]
pub struct Report {
    /// The store the items went to.
    pub store: std::path::PathBuf,
    pub pulled: Vec<Pulled>,
    pub stopped: Vec<Stop>,
}

impl Report {
    /// Whether a platform failed with something other than "cannot be read this way": the
    /// command's exit status. An outage counts too — the run did not get what it came for —
    /// even though the next run carries on by itself.
    pub fn failed(&self) -> bool {
        self.stopped.iter().any(|s| !s.unsupported)
    }
}

/// The live published posts on `platform` from `since` on, oldest first.
pub fn posts(project: &Project, ledger: &Ledger, platform: PlatformId, since: Timestamp) -> Vec<Remote> {
    let mut live: Vec<_> =
        super::live(project, ledger).filter(|p| p.platform == platform && p.published >= since).collect();
    live.sort_by_key(|p| p.published);
    live.into_iter().map(|p| p.remote.clone()).collect()
}

/// A whole run. `env` reads the secrets strategy.toml names; nothing it returns is printed or
/// stored.
pub fn run(root: &Path, settings: &Settings, env: &dyn Fn(&str) -> Option<String>) -> Result<Report> {
    let project = Project::load(root)?;
    let ledger = Ledger::read(root)?;
    let now = settings.now.unwrap_or_else(Timestamp::now);
    let since = now.checked_sub(settings.posts_within).unwrap_or(Timestamp::MIN);
    let mut inbox = Inbox::open(&project, now)?;
    let mut report = Report { store: inbox.path().to_path_buf(), pulled: Vec::new(), stopped: Vec::new() };
    let http = Http::new(settings.timeout)?;
    let budget = Budget::new(settings.budget);
    let platforms: Vec<PlatformId> = project
        .strategy
        .enabled_platforms()
        .filter(|p| settings.platforms.is_empty() || settings.platforms.contains(p))
        .collect();
    for platform in platforms {
        let name = platform.name();
        let posts = posts(&project, &ledger, platform, since);
        let mut conn = match super::connect(&project, platform, env, &http, posts.len()) {
            Ok(c) => c,
            Err(stop) => {
                report.stopped.push(stop);
                continue;
            }
        };
        let cursor = inbox.cursor(name)?;
        let (result, _tries) = with_retry(&budget, || conn.interactions(&posts, cursor.as_deref()));
        let mut heard = match result {
            Ok(h) => h,
            Err(e) => {
                report.stopped.push(Stop::of(platform, posts.len(), &e));
                continue;
            }
        };
        let source = format!("pull:{name}");
        let listed: HashSet<&str> = heard.items.iter().map(|i| i.id.as_str()).collect();
        let recent = now.checked_sub(SignedDuration::from_hours(24 * RECHECK_DAYS)).unwrap_or(Timestamp::MIN);
        let unlisted: Vec<String> = inbox
            .recheck_candidates(name, &source, recent)?
            .into_iter()
            .filter(|id| !listed.contains(id.as_str()))
            .take(RECHECK_MAX)
            .collect();
        let mut rechecked = 0;
        if !unlisted.is_empty() {
            match with_retry(&budget, || conn.gone(&unlisted)).0 {
                Ok(gone) => {
                    rechecked = unlisted.len();
                    heard.items.extend(gone.iter().map(|id| deletion(platform, id, now)));
                }
                Err(SendError::Permanent { kind: ErrorKind::Unsupported, .. }) => {}
                Err(e) => {
                    report.stopped.push(Stop::of(platform, posts.len(), &e));
                    continue;
                }
            }
        }
        // The store files an item under the platform it was pulled from, whatever a client
        // wrote there.
        for item in &mut heard.items {
            item.platform = name.to_string();
        }
        let stats = inbox.add_pulled(name, &heard.items, heard.cursor.as_deref(), &source, now)?;
        report.pulled.push(Pulled {
            platform,
            posts: posts.len(),
            new_items: stats.new_items,
            new_versions: stats.new_versions,
            unchanged: stats.unchanged,
            rechecked,
        });
    }
    Ok(report)
}
