//! What the report reads of the inbox: for each item that came in during a period, when it came
//! in, when it was due, when it was first answered and how long that took in office time —
//! never who wrote it or what. The report turns these into volume, median, 90th percentile
//! and the share answered in time (`docs/metrics.md`).
//!
//! The store is opened read-only and never created or migrated from here: a report on a
//! machine without an inbox says so instead of making an empty store.

use std::path::{Path, PathBuf};

use jiff::Timestamp;
use rusqlite::{Connection, OpenFlags};

use super::{Settings, due, parse_ts, store, ts_text};
use crate::error::{Error, Result};
use crate::project::Project;

/// The actions that answer an item: a reply sent through budkavle, or `resolve` (answered
/// elsewhere, or needing no answer). The first one counts.
pub const ANSWERS: [&str; 2] = ["reply", "resolve"];

/// One item's timing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timing {
    pub platform: String,
    /// Its kinds from triage (`question`, `criticism`, …); empty when no rule matched.
    pub kinds: Vec<String>,
    /// When the citizen wrote it.
    pub at: Timestamp,
    /// When the answer was promised by (`[interaction] response_time` in office time).
    pub due: Option<Timestamp>,
    /// The first answering action at or before the report's clock.
    pub answered: Option<Timestamp>,
    /// Office time from `at` to `answered`, in seconds.
    pub office_seconds: Option<i64>,
}

/// The timings of one period, and the promise they are measured against.
#[derive(Debug, Clone)]
pub struct Timings {
    pub store: PathBuf,
    /// `[interaction] response_time` as written (`1d` when the strategy makes no promise).
    pub promise: String,
    pub items: Vec<Timing>,
}

/// Where the project's store is, and whether it exists: `Ok(None)` when there is none.
pub fn existing_store(project: &Project) -> Result<Option<PathBuf>> {
    let path = Settings::of(project)?.store_path(project)?;
    Ok(path.is_file().then_some(path))
}

/// The items written in `[from, to)` with their first answer up to `now`; `Ok(None)` when the
/// project has no inbox store.
pub fn timings(project: &Project, from: Timestamp, to: Timestamp, now: Timestamp) -> Result<Option<Timings>> {
    let settings = Settings::of(project)?;
    let path = settings.store_path(project)?;
    if !path.is_file() {
        return Ok(None);
    }
    let conn = open_read_only(&path)?;
    let sql = |e| store::sql_error(&path, e);
    let mut stmt = conn
        .prepare(
            "SELECT i.platform, i.first_at, i.kinds,
                    (SELECT min(a.at) FROM actions a
                      WHERE a.item = i.key AND a.action IN (?4, ?5) AND a.at <= ?3)
             FROM items i WHERE i.first_at >= ?1 AND i.first_at < ?2 ORDER BY i.first_at, i.key",
        )
        .map_err(sql)?;
    let rows = stmt
        .query_map(rusqlite::params![ts_text(from), ts_text(to), ts_text(now), ANSWERS[0], ANSWERS[1]], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, Option<String>>(3)?))
        })
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
        .map_err(sql)?;
    let mut items = Vec::with_capacity(rows.len());
    for (platform, first_at, kinds, answered) in rows {
        let Some(at) = parse_ts(&first_at) else { continue };
        let answered = answered.as_deref().and_then(parse_ts);
        let kinds: Vec<super::Label> = serde_json::from_str(&kinds).unwrap_or_default();
        let mut kinds: Vec<String> = kinds.iter().map(|l| l.kind.name().to_string()).collect();
        kinds.dedup();
        items.push(Timing {
            platform,
            kinds,
            at,
            // Computed from the strategy as it is, like the queue after a refresh: the stored
            // column may predate a change of hours that the store has not seen yet.
            due: due(&settings, at),
            answered,
            office_seconds: answered.map(|a| settings.office_hours.between(at, a, &settings.timezone)),
        });
    }
    let promise = project.strategy.file.interaction.response_time.as_ref().map_or("1d", |v| v.get_ref()).to_string();
    Ok(Some(Timings { store: path, promise, items }))
}

/// Read-only, without creating or migrating: a store from another budkavle version is named.
fn open_read_only(path: &Path) -> Result<Connection> {
    let sql = |e| store::sql_error(path, e);
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
    )
    .map_err(sql)?;
    conn.busy_timeout(store::BUSY_TIMEOUT).map_err(sql)?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(sql)?;
    if version != store::schema_version() {
        return Err(Error::Usage(format!(
            "the inbox store {} has schema version {version}, this budkavle reads {}: run `budkavle inbox` once to bring it up to date (a newer store needs a newer budkavle)",
            path.display(),
            store::schema_version()
        )));
    }
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inbox::Inbox;
    use crate::inbox::actions::log_in;

    /// A project whose store is `store` (outside the repository).
    fn project(dir: &Path, store: &Path) -> Project {
        let repo = dir.join("repo");
        std::fs::create_dir_all(repo.join("content/posts")).unwrap();
        crate::fsutil::copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default"),
            &repo.join("themes/default"),
        );
        std::fs::write(
            repo.join("strategy.toml"),
            format!(
                "[organisation]\nname = \"Testkommun\"\nlang = \"sv\"\ntimezone = \"Europe/Stockholm\"\n\n[interaction]\nresponse_time = \"4h\"\noffice_hours = \"mån–fre 08:00–16:30\"\nstore = \"{}\"\n",
                store.display()
            ),
        )
        .unwrap();
        Project::load(&repo).unwrap()
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    const DEC: (&str, &str) = ("2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z");

    #[test]
    fn no_store_is_none_and_stays_absent() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("nowhere/inbox.sqlite3");
        let p = project(dir.path(), &store);
        assert!(timings(&p, ts(DEC.0), ts(DEC.1), ts("2027-01-02T00:00:00Z")).unwrap().is_none());
        assert!(!store.parent().unwrap().exists());
    }

    #[test]
    fn first_reply_or_resolve_counts_in_office_time() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("store/inbox.sqlite3");
        let p = project(dir.path(), &store);
        let now = ts("2026-12-10T00:00:00Z");
        let mut inbox = Inbox::open(&p, now).unwrap();
        // Tuesday 09:00, Friday 20:00 and Tuesday 09:00 in Stockholm (UTC+1).
        let lines = [("1", "2026-12-01T08:00:00Z"), ("2", "2026-12-04T19:00:00Z"), ("3", "2026-12-08T08:00:00Z")]
            .map(|(id, at)| {
                format!("{{\"platform\":\"mastodon\",\"id\":\"{id}\",\"author\":\"a\",\"text\":\"Hur gör jag?\",\"at\":\"{at}\"}}\n")
            })
            .concat();
        inbox.import(Path::new("in.jsonl"), &lines, "test", now).unwrap();
        // Item 1: replied at 10:30, resolved later (the reply counts).
        log_in(&inbox.conn, Some(1), None, "reply", "x", ts("2026-12-01T09:30:00Z"), None).unwrap();
        inbox.resolve(1, "x", "klart", ts("2026-12-01T12:00:00Z")).unwrap();
        // Item 2: Friday evening, resolved Monday 09:00: one office hour.
        inbox.resolve(2, "x", "klart", ts("2026-12-07T08:00:00Z")).unwrap();
        // Item 3: an action that answers nothing.
        inbox.hold(3, true, "x", "utredning", ts("2026-12-08T09:00:00Z")).unwrap();
        drop(inbox);

        let t = timings(&p, ts(DEC.0), ts(DEC.1), now).unwrap().unwrap();
        assert_eq!(t.promise, "4h");
        assert_eq!(t.items.len(), 3);
        assert_eq!(t.items[0].answered, Some(ts("2026-12-01T09:30:00Z")));
        assert_eq!(t.items[0].office_seconds, Some(5400));
        assert_eq!(t.items[0].kinds, vec!["question".to_string()]);
        assert_eq!(t.items[1].due, Some(ts("2026-12-07T11:00:00Z")));
        assert_eq!(t.items[1].office_seconds, Some(3600));
        assert_eq!((t.items[2].answered, t.items[2].office_seconds), (None, None));
        // The report's clock: an answer after it does not count yet.
        let early = timings(&p, ts(DEC.0), ts(DEC.1), ts("2026-12-01T09:00:00Z")).unwrap().unwrap();
        assert_eq!(early.items[0].answered, None);
        // The period: written in [from, to).
        let none = timings(&p, ts("2026-11-01T00:00:00Z"), ts(DEC.0), now).unwrap().unwrap();
        assert!(none.items.is_empty());
    }
}
