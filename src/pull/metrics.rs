//! `budkavle metrics pull`: the platforms' figures for every published post, read on a
//! schedule (`[metrics]` in strategy.toml: by default about +1 h, +1 d, +7 d and +30 d after
//! publishing, never after 90 days) and appended to `metrics/YYYY-MM.jsonl`.
//!
//! Idempotent and resumable without any state of its own: a pair is due when the latest
//! schedule point has passed and no snapshot was taken since that point, and the snapshots of
//! each batch are appended before the next batch is asked for. A second run at once finds
//! nothing due; a run cut short finds exactly what it had not yet written.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

pub use super::Stop;
use crate::clients::api::Counts;
use crate::clients::http::{DEFAULT_TIMEOUT, Http};
use crate::error::{Error, Result};
use crate::ledger::Ledger;
use crate::lock::{Folder, Lock};
use crate::metrics::{Metrics, Snapshot};
use crate::platform::{PlatformId, Remote};
use crate::project::Project;
use crate::publish::{Budget, with_retry};

/// The lock of `metrics/` (its `.lock`, ignored by git and by the reader of `*.jsonl`).
const LOCK: Folder = Folder { dir: crate::metrics::DIR, what: "metrics/", runner: "metrics pull" };

/// How a run is made.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The clock (tests and `--now`); `None`: the system clock.
    pub now: Option<Timestamp>,
    /// List what is due, read nothing, write nothing.
    pub dry_run: bool,
    /// Only these platforms; empty: all.
    pub platforms: Vec<PlatformId>,
    /// Per request.
    pub timeout: Duration,
    /// For the whole run's retrying: a platform that is still refusing after it is left for the
    /// next run.
    pub budget: Duration,
    /// Commit the metrics files when anything was written.
    pub commit: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            now: None,
            dry_run: false,
            platforms: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
            budget: Duration::from_secs(120),
            commit: true,
        }
    }
}

/// A post × platform whose figures are to be read now.
#[derive(Debug, Clone, Serialize)]
pub struct Due {
    pub post: String,
    pub platform: PlatformId,
    pub remote: Remote,
    pub published: Timestamp,
    /// The schedule point this snapshot is for, as written in strategy.toml (`1h`, `7d`).
    pub point: String,
}

#[derive(Debug, Serialize)]
pub struct Report {
    /// What was due at the start of the run (for a dry run, the whole answer).
    pub due: Vec<Due>,
    /// The snapshots written in this run.
    pub written: Vec<Snapshot>,
    pub stopped: Vec<Stop>,
    /// The metrics commit, when one was made.
    pub commit: Option<String>,
    pub notes: Vec<String>,
}

/// The schedule point a pair is due for at `now`: the latest point that has passed, unless a
/// snapshot was taken at or after it, or the pair is past `until`. Taking only the latest
/// passed point means a pair found late (a run missed for a week) gets one snapshot, not one
/// per missed point.
pub fn due_point(
    published: Timestamp,
    last: Option<Timestamp>,
    now: Timestamp,
    points: &[SignedDuration],
    until: SignedDuration,
) -> Option<SignedDuration> {
    if now > published.checked_add(until).ok()? {
        return None;
    }
    let point = points.iter().copied().filter(|p| published.checked_add(*p).is_ok_and(|at| at <= now)).max()?;
    let at = published.checked_add(point).ok()?;
    match last {
        Some(last) if last >= at => None,
        _ => Some(point),
    }
}

/// A schedule point as people write it: `90m`, `1h`, `7d`.
pub fn point_name(point: SignedDuration) -> String {
    let s = point.as_secs();
    if s % 86_400 == 0 {
        format!("{}d", s / 86_400)
    } else if s % 3_600 == 0 {
        format!("{}h", s / 3_600)
    } else {
        format!("{}m", s / 60)
    }
}

/// Every published, not retracted, not deleted pair that is due at `now`, in ledger time order.
pub fn due(project: &Project, ledger: &Ledger, metrics: &Metrics, now: Timestamp, only: &[PlatformId]) -> Vec<Due> {
    let settings = &project.strategy.file.metrics;
    let (points, until) = (settings.points(), settings.until());
    let mut out = Vec::new();
    for pair in super::live(project, ledger) {
        if !only.is_empty() && !only.contains(&pair.platform) {
            continue;
        }
        let last = metrics.latest(pair.post, pair.platform).map(|s| s.at);
        if let Some(point) = due_point(pair.published, last, now, &points, until) {
            out.push(Due {
                post: pair.post.to_string(),
                platform: pair.platform,
                remote: pair.remote.clone(),
                published: pair.published,
                point: point_name(point),
            });
        }
    }
    out.sort_by(|a, b| (a.published, a.platform, &a.post).cmp(&(b.published, b.platform, &b.post)));
    out
}

/// A whole run. `env` reads the secrets strategy.toml names; nothing it returns is printed or
/// written.
pub fn run(root: &Path, settings: &Settings, env: &dyn Fn(&str) -> Option<String>) -> Result<Report> {
    let project = Project::load(root)?;
    // One run at a time, held from reading what is due to the commit: a second run stops, as a
    // second publisher does, rather than reading the same pairs and writing them twice. A dry
    // run writes nothing and takes no lock.
    let lock = if settings.dry_run { None } else { Some(Lock::acquire(root, &LOCK)?) };
    let ledger = Ledger::read(root)?;
    let metrics = Metrics::read(root)?;
    let now = settings.now.unwrap_or_else(Timestamp::now);
    let due = due(&project, &ledger, &metrics, now, &settings.platforms);
    let mut report = Report { due, written: Vec::new(), stopped: Vec::new(), commit: None, notes: Vec::new() };
    if settings.dry_run || report.due.is_empty() {
        return Ok(report);
    }

    let http = Http::new(settings.timeout)?;
    let budget = Budget::new(settings.budget);
    let mut by_platform: BTreeMap<PlatformId, Vec<&Due>> = BTreeMap::new();
    for d in &report.due {
        by_platform.entry(d.platform).or_default().push(d);
    }
    for (platform, pairs) in by_platform {
        let mut conn = match super::connect(&project, platform, env, &http, pairs.len()) {
            Ok(c) => c,
            Err(stop) => {
                report.stopped.push(stop);
                continue;
            }
        };
        let size = conn.counts_batch().max(1);
        let mut read = 0;
        for batch in pairs.chunks(size) {
            let remotes: Vec<Remote> = batch.iter().map(|d| d.remote.clone()).collect();
            let (result, _tries) = with_retry(&budget, || conn.counts(&remotes));
            let counts = match result {
                Ok(c) if c.len() == batch.len() => c,
                Ok(c) => {
                    return Err(Error::Internal(format!(
                        "the {platform} client answered {} counts for {} posts",
                        c.len(),
                        batch.len()
                    )));
                }
                Err(e) => {
                    report.stopped.push(Stop::of(platform, pairs.len() - read, &e));
                    break;
                }
            };
            let mut snapshots = Vec::new();
            for (d, c) in batch.iter().zip(counts) {
                match c {
                    Some(c) => snapshots.push(snapshot(now, d, c)),
                    None => report.notes.push(format!(
                        "{} on {}: the platform no longer has it ({}); no snapshot written",
                        d.post,
                        platform.display_name(),
                        d.remote.url.as_deref().unwrap_or(&d.remote.id)
                    )),
                }
            }
            // Written before the next request, so a run cut short keeps what it read.
            crate::metrics::append(root, &snapshots)?;
            report.written.extend(snapshots);
            read += batch.len();
        }
    }

    if !report.written.is_empty() && settings.commit {
        match crate::git::commit_records(root, crate::metrics::DIR, &commit_message(&report.written)) {
            Ok(Some(id)) => report.commit = Some(id),
            Ok(None) => report.notes.push("not a git repository: the snapshots were written but not committed".into()),
            Err(e) => return Err(e),
        }
    }
    if let Some(lock) = lock {
        lock.release()?;
    }
    Ok(report)
}

fn snapshot(at: Timestamp, d: &Due, c: Counts) -> Snapshot {
    let mut s = Snapshot::new(at, d.post.clone(), d.platform);
    s.remote = Some(d.remote.id.clone());
    s.views = c.views;
    s.reach = c.reach;
    s.likes = c.likes;
    s.reposts = c.reposts;
    s.replies = c.replies;
    s.quotes = c.quotes;
    s.clicks = c.clicks;
    s.saves = c.saves;
    s.shares = c.shares;
    s.followers = c.followers;
    s
}

/// A summary line, one line per snapshot, and trailers a machine can read back.
fn commit_message(written: &[Snapshot]) -> String {
    let mut msg =
        format!("budkavle metrics pull: {} snapshot{}\n\n", written.len(), if written.len() == 1 { "" } else { "s" });
    for s in written {
        msg.push_str(&format!("- {} on {}: {}\n", s.post, s.platform, figures(s)));
    }
    msg.push('\n');
    let platforms: std::collections::BTreeSet<_> = written.iter().map(|s| s.platform.name()).collect();
    for p in platforms {
        msg.push_str(&format!("Budkavle-Platform: {p}\n"));
    }
    msg.push_str(&format!("Budkavle-Snapshots: {}\n", written.len()));
    msg
}

/// The known figures of a snapshot, for a person: `likes 3, reposts 1`.
pub fn figures(s: &Snapshot) -> String {
    let all = [
        ("views", s.views),
        ("reach", s.reach),
        ("likes", s.likes),
        ("reposts", s.reposts),
        ("replies", s.replies),
        ("quotes", s.quotes),
        ("clicks", s.clicks),
        ("saves", s.saves),
        ("shares", s.shares),
        ("followers", s.followers),
    ];
    let known: Vec<String> = all.iter().filter_map(|(k, v)| v.map(|v| format!("{k} {v}"))).collect();
    if known.is_empty() { "no figures given".into() } else { known.join(", ") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn defaults() -> (Vec<SignedDuration>, SignedDuration) {
        let m = crate::strategy::MetricsSettings::default();
        (m.points(), m.until())
    }

    #[test]
    fn nothing_is_due_before_the_first_point() {
        let (points, until) = defaults();
        let p = at("2026-12-01T09:00:00Z");
        assert_eq!(due_point(p, None, at("2026-12-01T09:59:59Z"), &points, until), None);
        assert_eq!(due_point(p, None, at("2026-12-01T10:00:00Z"), &points, until), Some(SignedDuration::from_hours(1)));
    }

    #[test]
    fn each_point_is_taken_once() {
        let (points, until) = defaults();
        let p = at("2026-12-01T09:00:00Z");
        let first = at("2026-12-01T10:05:00Z");
        assert_eq!(due_point(p, Some(first), at("2026-12-01T12:00:00Z"), &points, until), None);
        assert_eq!(
            due_point(p, Some(first), at("2026-12-02T09:00:00Z"), &points, until),
            Some(SignedDuration::from_hours(24))
        );
        let second = at("2026-12-02T09:00:00Z");
        assert_eq!(due_point(p, Some(second), at("2026-12-05T09:00:00Z"), &points, until), None);
        assert_eq!(
            due_point(p, Some(second), at("2026-12-08T09:00:00Z"), &points, until),
            Some(SignedDuration::from_hours(7 * 24))
        );
    }

    #[test]
    fn a_late_run_takes_one_snapshot_for_the_latest_point() {
        let (points, until) = defaults();
        let p = at("2026-12-01T09:00:00Z");
        let now = at("2026-12-10T09:00:00Z");
        assert_eq!(due_point(p, None, now, &points, until), Some(SignedDuration::from_hours(7 * 24)));
        assert_eq!(due_point(p, Some(now), now, &points, until), None);
    }

    #[test]
    fn never_after_until() {
        let (points, until) = defaults();
        let p = at("2026-12-01T09:00:00Z");
        let day = |n: i64| p.checked_add(SignedDuration::from_hours(24 * n)).unwrap();
        // The 30-day point not yet taken at day 89 is still taken; at day 91 nothing is.
        assert_eq!(due_point(p, Some(day(8)), day(89), &points, until), Some(SignedDuration::from_hours(30 * 24)));
        assert_eq!(due_point(p, Some(day(8)), day(91), &points, until), None);
        assert_eq!(due_point(p, None, day(91), &points, until), None);
    }

    #[test]
    fn a_configured_schedule_is_sorted_and_named_back() {
        let m = crate::strategy::MetricsSettings {
            snapshots: Some(vec!["2d".into(), "90m".into(), "6h".into()]),
            until: Some("14d".into()),
        };
        let names: Vec<String> = m.points().into_iter().map(point_name).collect();
        assert_eq!(names, ["90m", "6h", "2d"]);
        assert_eq!(m.until(), SignedDuration::from_hours(14 * 24));
    }

    #[test]
    fn the_commit_message_lists_figures_and_trailers() {
        let mut s = Snapshot::new(at("2026-12-01T10:00:00Z"), "vatten", PlatformId::Mastodon);
        s.likes = Some(3);
        s.reposts = Some(1);
        let msg = commit_message(&[s]);
        assert!(msg.starts_with("budkavle metrics pull: 1 snapshot\n"), "{msg}");
        assert!(msg.contains("- vatten on mastodon: likes 3, reposts 1\n"), "{msg}");
        assert!(msg.ends_with("Budkavle-Platform: mastodon\nBudkavle-Snapshots: 1\n"), "{msg}");
    }
}
