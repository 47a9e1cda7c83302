//! The inbox: citizens' replies, comments and mentions, kept as records outside the
//! repository, triaged, timed against the promised response time, and handled with every
//! action logged (issue 14, DESIGN "The inbox").
//!
//! - [`store`]: the SQLite file (mode 0600, WAL, versioned migrations, immutable versions,
//!   append-only actions);
//! - [`settings`]: `[interaction]` of strategy.toml, validated with lines;
//! - [`office`] and [`holidays`]: working time in the organisation's time zone;
//! - [`triage`]: the kinds of an item from the rule packs and the privacy detectors;
//! - [`import`]: JSONL exports in, all or nothing; `inbox pull` (`crate::pull::inbox`) adds
//!   the platforms' versions through the same [`Inbox::add_version`], with its cursor per
//!   platform, in `pulled`;
//! - [`queue`]: open items by due time, and the supervision of each account;
//! - [`actions`]: resolve, hold, reviewed: who, when, why;
//! - [`sends`]: replies and hiding, which go to a platform: the intent before the request,
//!   the answer and the action-log line after it (the requests are `crate::respond`'s);
//! - [`stats`]: the timings `report` reads (read-only, no names, no texts);
//! - [`records`]: export for a records request, and gallring (`weed`).
//!
//! Citizens' messages go nowhere else: not into git, `dist/`, logs or CI output. Commands
//! print them only on the terminal of the person who asks.

pub mod actions;
mod holidays;
pub mod import;
mod office;
mod pattern;
mod pulled;
pub mod queue;
pub mod records;
pub mod sends;
pub mod settings;
pub mod stats;
mod store;
pub mod triage;

use std::path::{Path, PathBuf};

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::error::{Error, Result};
use crate::project::Project;
pub use settings::{STORE_ENV, Settings};
pub use triage::{ItemKind, Label, Triage};

/// Validates `[interaction]` and `[[interaction.rules]]`: every command that loads a project
/// runs this, so a broken office-hours line fails `check` as it fails `inbox`.
pub fn validate(project: &Project) -> Result<()> {
    let rules = Triage::check_strategy(&project.strategy);
    match Settings::of(project) {
        Ok(_) if rules.is_empty() => Ok(()),
        Ok(_) => Err(Error::Invalid(rules)),
        Err(Error::Invalid(mut d)) => {
            d.extend(rules);
            Err(Error::Invalid(d))
        }
        Err(e) => Err(e),
    }
}

/// An open store with the project's settings and rules.
pub struct Inbox {
    conn: Connection,
    path: PathBuf,
    pub settings: Settings,
    /// Compiled on first use: listing the queue needs no rules, and compiling the packs'
    /// regexes costs more than the listing itself.
    triage: std::cell::OnceCell<Triage>,
    strategy: crate::strategy::Strategy,
    today: jiff::civil::Date,
}

/// One version as it comes in, from an import file or a platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    pub platform: String,
    pub id: String,
    pub author: String,
    pub text: String,
    pub at: Timestamp,
    pub in_reply_to: Option<String>,
    pub url: Option<String>,
    pub deleted: bool,
}

/// What adding a version did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    NewItem,
    NewVersion,
    Unchanged,
}

/// Timestamps are stored in UTC at whole seconds, so they sort as text.
pub(crate) fn ts_text(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub(crate) fn parse_ts(s: &str) -> Option<Timestamp> {
    s.parse().ok()
}

impl Inbox {
    /// Opens the project's store (creating it), and brings triage and due times up to date if
    /// the strategy's rules or hours changed since they were computed.
    pub fn open(project: &Project, now: Timestamp) -> Result<Inbox> {
        let settings = Settings::of(project)?;
        let path = settings.store_path(project)?;
        Inbox::open_at(project, settings, &path, now)
    }

    fn open_at(project: &Project, settings: Settings, path: &Path, now: Timestamp) -> Result<Inbox> {
        let today = now.to_zoned_datetime(settings.timezone.clone()).date();
        let conn = store::open(path)?;
        let mut inbox = Inbox {
            conn,
            path: path.to_path_buf(),
            settings,
            triage: std::cell::OnceCell::new(),
            strategy: project.strategy.clone(),
            today,
        };
        let stored: Option<String> = inbox
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'derived'", [], |r| r.get(0))
            .optional()
            .map_err(|e| inbox.sql(e))?;
        if stored.as_deref() != Some(inbox.settings.fingerprint.as_str()) {
            inbox.refresh()?;
        }
        Ok(inbox)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The compiled triage rules.
    pub fn triage(&self) -> Result<&Triage> {
        if let Some(t) = self.triage.get() {
            return Ok(t);
        }
        let t = Triage::new(&self.strategy, self.today).map_err(Error::Invalid)?;
        Ok(self.triage.get_or_init(|| t))
    }

    fn sql(&self, e: rusqlite::Error) -> Error {
        store::sql_error(&self.path, e)
    }

    /// A write transaction that waits for other writers (`pull`, `serve`) instead of failing.
    fn write(&mut self) -> Result<rusqlite::Transaction<'_>> {
        let path = self.path.clone();
        self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| store::sql_error(&path, e))
    }

    /// Re-triages every item's latest version and recomputes every due time, in one
    /// transaction. Returns how many items it went through.
    pub fn refresh(&mut self) -> Result<usize> {
        let rows: Vec<(i64, String, String)> = {
            let mut stmt = self
                .conn
                .prepare(
                    "SELECT i.key, i.first_at, v.text FROM items i JOIN versions v ON v.item = i.key AND v.n = i.latest",
                )
                .map_err(|e| self.sql(e))?;
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(|e| self.sql(e))?
        };
        let derived: Vec<(i64, String, Option<String>)> = {
            use rayon::prelude::*;
            let (triage, settings) = (self.triage()?, &self.settings);
            rows.par_iter()
                .map(|(key, first_at, text)| {
                    let kinds = kinds_json(&triage.classify(text));
                    (*key, kinds, parse_ts(first_at).and_then(|t| due(settings, t)).map(ts_text))
                })
                .collect()
        };
        let fingerprint = self.settings.fingerprint.clone();
        let path = self.path.clone();
        let tx = self.write()?;
        {
            let mut stmt = tx
                .prepare("UPDATE items SET kinds = ?2, due = ?3 WHERE key = ?1")
                .map_err(|e| store::sql_error(&path, e))?;
            for (key, kinds, due) in &derived {
                stmt.execute(params![key, kinds, due]).map_err(|e| store::sql_error(&path, e))?;
            }
        }
        tx.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('derived', ?1)", params![fingerprint])
            .map_err(|e| store::sql_error(&path, e))?;
        tx.commit().map_err(|e| store::sql_error(&path, e))?;
        Ok(derived.len())
    }

    /// Adds one version inside `tx`: a new item, a new version of a known one (its text,
    /// author, links or deletion changed), or nothing when it is the latest version again.
    pub(crate) fn add_version(
        tx: &rusqlite::Transaction<'_>,
        settings: &Settings,
        triage: &Triage,
        v: &Incoming,
        source: &str,
        now: Timestamp,
    ) -> rusqlite::Result<Added> {
        let known: Option<(i64, i64)> = tx
            .query_row(
                "SELECT key, latest FROM items WHERE platform = ?1 AND remote_id = ?2",
                params![v.platform, v.id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let kinds = kinds_json(&triage.classify(&v.text));
        let received = ts_text(now);
        let insert_version = |key: i64, n: i64| {
            tx.execute(
                "INSERT INTO versions (item, n, author, text, at, in_reply_to, url, deleted, received, source)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![key, n, v.author, v.text, ts_text(v.at), v.in_reply_to, v.url, v.deleted, received, source],
            )
        };
        match known {
            None => {
                let due = due(settings, v.at).map(ts_text);
                tx.execute(
                    "INSERT INTO items (platform, remote_id, first_at, received, latest, kinds, due) VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6)",
                    params![v.platform, v.id, ts_text(v.at), received, kinds, due],
                )?;
                insert_version(tx.last_insert_rowid(), 1)?;
                Ok(Added::NewItem)
            }
            Some((key, latest)) => {
                let same: bool = tx.query_row(
                    "SELECT author = ?3 AND text = ?4 AND deleted = ?5 AND in_reply_to IS ?6 AND url IS ?7
                     FROM versions WHERE item = ?1 AND n = ?2",
                    params![key, latest, v.author, v.text, v.deleted, v.in_reply_to, v.url],
                    |r| r.get(0),
                )?;
                if same {
                    return Ok(Added::Unchanged);
                }
                insert_version(key, latest + 1)?;
                tx.execute("UPDATE items SET latest = ?2, kinds = ?3 WHERE key = ?1", params![key, latest + 1, kinds])?;
                Ok(Added::NewVersion)
            }
        }
    }

    /// The item a person names: its number in the list (`12`), or `platform:id`.
    pub fn find(&self, name: &str) -> Result<i64> {
        let found: Option<i64> = if let Ok(key) = name.trim_start_matches('#').parse::<i64>() {
            self.conn.query_row("SELECT key FROM items WHERE key = ?1", [key], |r| r.get(0)).optional()
        } else if let Some((platform, id)) = name.split_once(':') {
            self.conn
                .query_row("SELECT key FROM items WHERE platform = ?1 AND remote_id = ?2", [platform, id], |r| r.get(0))
                .optional()
        } else {
            return Err(Error::Usage(format!(
                "`{name}` names no item: use its number from `budkavle inbox` (e.g. 12) or platform:id (e.g. mastodon:1093)"
            )));
        }
        .map_err(|e| self.sql(e))?;
        found.ok_or_else(|| {
            Error::Usage(format!(
                "no item `{name}` in the inbox ({}); `budkavle inbox` lists them",
                self.path.display()
            ))
        })
    }
}

fn kinds_json(labels: &[Label]) -> String {
    serde_json::to_string(labels).unwrap_or_else(|_| "[]".into())
}

/// When an answer to something written at `at` is due.
fn due(settings: &Settings, at: Timestamp) -> Option<Timestamp> {
    settings.office_hours.add(at, settings.response_time, &settings.timezone)
}
