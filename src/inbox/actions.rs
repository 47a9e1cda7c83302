//! What people do with items, each logged with who, when and why in the append-only action
//! log: `resolve` (answered elsewhere, or needs no answer), `hold` and `release` (legal hold:
//! `weed` never deletes the item), `reviewed` (an account's comments were looked through,
//! §4 lagen (1998:112)). The item's status and hold flag are read from this log's latest
//! entries and kept beside the item for the queue.
//!
//! `inbox reply` and `inbox hide` send through the platform clients (`crate::respond`); their
//! lines (`reply`, `hide`, `unhide`, `settle`) are logged with [`log_in`] by [`super::sends`]
//! in the same transaction that records the platform's answer. A reply resolves the item.

use jiff::Timestamp;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Inbox, ts_text};
use crate::error::{Error, Result};

/// One line of the action log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Action {
    pub seq: i64,
    pub item: Option<i64>,
    pub platform: Option<String>,
    pub action: String,
    pub by: String,
    pub at: String,
    pub note: Option<String>,
}

/// Appends to the action log inside the caller's transaction.
pub(crate) fn log_in(
    conn: &rusqlite::Connection,
    item: Option<i64>,
    platform: Option<&str>,
    action: &str,
    by: &str,
    at: Timestamp,
    note: Option<&str>,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO actions (item, platform, action, by, at, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![item, platform, action, by, ts_text(at), note],
    )?;
    Ok(())
}

fn need(what: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::Usage(format!("{what} is empty: say who did it and why (--by, --note)")));
    }
    Ok(())
}

impl Inbox {
    /// Marks an item handled. Exactly once: a resolved item is not resolved again.
    pub fn resolve(&mut self, item: i64, by: &str, note: &str, now: Timestamp) -> Result<()> {
        need("the actor", by)?;
        need("the note", note)?;
        let path = self.path.clone();
        let sql = |e| super::store::sql_error(&path, e);
        let tx = self.write()?;
        let status: String =
            tx.query_row("SELECT status FROM items WHERE key = ?1", [item], |r| r.get(0)).map_err(sql)?;
        if status == "resolved" {
            let last: Option<(String, String, String)> = tx
                .query_row(
                    "SELECT by, at, action FROM actions WHERE item = ?1 AND action IN ('resolve', 'reply') ORDER BY seq DESC LIMIT 1",
                    [item],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()
                .map_err(sql)?;
            let (who, when, how): (String, String, String) = last.unwrap_or_default();
            let how = if how == "reply" { "answered" } else { "resolved" };
            return Err(Error::Usage(format!("item {item} is already {how} (by {who}, {when}); nothing was logged")));
        }
        tx.execute("UPDATE items SET status = 'resolved' WHERE key = ?1", [item]).map_err(sql)?;
        log_in(&tx, Some(item), None, "resolve", by, now, Some(note)).map_err(sql)?;
        tx.commit().map_err(sql)
    }

    /// Puts an item on legal hold (or releases it): `weed` keeps it whatever its age.
    pub fn hold(&mut self, item: i64, hold: bool, by: &str, note: &str, now: Timestamp) -> Result<bool> {
        need("the actor", by)?;
        need("the note", note)?;
        let path = self.path.clone();
        let sql = |e| super::store::sql_error(&path, e);
        let tx = self.write()?;
        let held: bool = tx.query_row("SELECT hold FROM items WHERE key = ?1", [item], |r| r.get(0)).map_err(sql)?;
        if held == hold {
            return Ok(false);
        }
        tx.execute("UPDATE items SET hold = ?2 WHERE key = ?1", params![item, hold]).map_err(sql)?;
        log_in(&tx, Some(item), None, if hold { "hold" } else { "release" }, by, now, Some(note)).map_err(sql)?;
        tx.commit().map_err(sql)?;
        Ok(true)
    }

    /// Records that `platform`'s account was reviewed now.
    pub fn reviewed(&mut self, platform: &str, by: &str, note: Option<&str>, now: Timestamp) -> Result<()> {
        need("the actor", by)?;
        let path = self.path.clone();
        let sql = |e| super::store::sql_error(&path, e);
        let tx = self.write()?;
        log_in(&tx, None, Some(platform), "reviewed", by, now, note).map_err(sql)?;
        tx.commit().map_err(sql)
    }

    /// When `platform` was last reviewed, and by whom.
    pub fn last_review(&self, platform: &str) -> Result<Option<(Timestamp, String)>> {
        let row: Option<(String, String)> = self
            .conn
            .query_row(
                "SELECT at, by FROM actions WHERE platform = ?1 AND action = 'reviewed' ORDER BY seq DESC LIMIT 1",
                [platform],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.sql(e))?;
        Ok(row.and_then(|(at, by)| super::parse_ts(&at).map(|t| (t, by))))
    }

    /// The log of one item, oldest first.
    pub fn history(&self, item: i64) -> Result<Vec<Action>> {
        let mut stmt = self
            .conn
            .prepare("SELECT seq, item, platform, action, by, at, note FROM actions WHERE item = ?1 ORDER BY seq")
            .map_err(|e| self.sql(e))?;
        stmt.query_map([item], action_row)
            .and_then(|r| r.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.sql(e))
    }

    /// Appends an action that concerns no single item (imports, weeding).
    pub fn log(&mut self, action: &str, by: &str, note: Option<&str>, now: Timestamp) -> Result<()> {
        let path = self.path.clone();
        log_in(&self.conn, None, None, action, by, now, note).map_err(|e| super::store::sql_error(&path, e))
    }
}

/// Who acts, for the log: `by` when given, else `$BUDKAVLE_ACTOR`, else git's
/// `user.name <user.email>` for the repository at `root`. The action log must name a person.
pub fn actor(root: &std::path::Path, by: Option<&str>) -> Result<String> {
    if let Some(by) = by.map(str::trim).filter(|b| !b.is_empty()) {
        return Ok(by.to_string());
    }
    if let Ok(v) = std::env::var(ACTOR_ENV)
        && !v.trim().is_empty()
    {
        return Ok(v.trim().to_string());
    }
    let config = git2::Repository::discover(root).and_then(|r| r.config()).or_else(|_| git2::Config::open_default());
    if let Ok(config) = config
        && let Ok(name) = config.get_string("user.name")
    {
        return Ok(match config.get_string("user.email") {
            Ok(email) => format!("{name} <{email}>"),
            Err(_) => name,
        });
    }
    Err(Error::Usage(format!(
        "who is doing this? The action log names a person: pass --by \"Name\", set {ACTOR_ENV}, or set git's user.name"
    )))
}

/// Environment variable naming who acts, for the action log.
pub const ACTOR_ENV: &str = "BUDKAVLE_ACTOR";

pub(crate) fn action_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Action> {
    Ok(Action {
        seq: r.get(0)?,
        item: r.get(1)?,
        platform: r.get(2)?,
        action: r.get(3)?,
        by: r.get(4)?,
        at: r.get(5)?,
        note: r.get(6)?,
    })
}
