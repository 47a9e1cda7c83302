//! The queue: open items, the one due first on top, overdue ones marked; and the supervision
//! of each account (§4 lagen (1998:112): an account's comments are looked through at least
//! every `supervise_every` of working time).

use jiff::Timestamp;
use rusqlite::params;
use serde::Serialize;

use super::{Inbox, Label, parse_ts, ts_text};
use crate::error::Result;

#[derive(Debug, Clone, Serialize)]
pub struct QueueItem {
    /// The number people type: `budkavle inbox resolve 12`.
    pub key: i64,
    pub platform: String,
    pub id: String,
    pub author: String,
    /// The latest version's text.
    pub text: String,
    /// When the citizen first wrote.
    pub at: String,
    /// When an answer is due under `response_time` and `office_hours`.
    pub due: Option<String>,
    pub overdue: bool,
    pub kinds: Vec<Label>,
    /// How many versions the item has (edits and deletions are versions).
    pub versions: i64,
    pub deleted: bool,
    pub in_reply_to: Option<String>,
    pub url: Option<String>,
    pub hold: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Queue {
    /// All open items, and how many of them are overdue (the list may be cut by `limit`).
    pub open: usize,
    pub overdue: usize,
    pub items: Vec<QueueItem>,
    pub supervision: Vec<Supervision>,
}

/// One account's review status.
#[derive(Debug, Clone, Serialize)]
pub struct Supervision {
    pub platform: String,
    pub last_reviewed: Option<String>,
    pub by: Option<String>,
    /// When the next review is due; `None` when never reviewed (due now).
    pub due: Option<String>,
    pub overdue: bool,
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub kind: Option<super::ItemKind>,
    pub platform: Option<String>,
    /// At most this many items (the counts are of all).
    pub limit: Option<usize>,
}

impl Inbox {
    pub fn queue(&self, now: Timestamp, filter: &Filter, platforms: &[String]) -> Result<Queue> {
        let now_text = ts_text(now);
        let sql = |e| self.sql(e);
        let kind_like = filter.kind.map(|k| format!("%\"kind\":\"{}\"%", k.name()));
        let (open, overdue): (i64, i64) = self
            .conn
            .query_row(
                "SELECT count(*), coalesce(sum(due < ?1), 0) FROM items
                 WHERE status = 'open' AND (?2 IS NULL OR kinds LIKE ?2) AND (?3 IS NULL OR platform = ?3)",
                params![now_text, kind_like, filter.platform],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(sql)?;
        let limit = filter.limit.map_or(-1, |l| l as i64);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT i.key, i.platform, i.remote_id, v.author, v.text, i.first_at, i.due, i.kinds, i.latest,
                        v.deleted, v.in_reply_to, v.url, i.hold
                 FROM items i JOIN versions v ON v.item = i.key AND v.n = i.latest
                 WHERE i.status = 'open' AND (?2 IS NULL OR i.kinds LIKE ?2) AND (?3 IS NULL OR i.platform = ?3)
                 ORDER BY i.due, i.key LIMIT ?1",
            )
            .map_err(sql)?;
        let items = stmt
            .query_map(params![limit, kind_like, filter.platform], |r| {
                let due: Option<String> = r.get(6)?;
                let kinds: String = r.get(7)?;
                Ok(QueueItem {
                    key: r.get(0)?,
                    platform: r.get(1)?,
                    id: r.get(2)?,
                    author: r.get(3)?,
                    text: r.get(4)?,
                    at: r.get(5)?,
                    overdue: due.as_deref().is_some_and(|d| d < now_text.as_str()),
                    due,
                    kinds: serde_json::from_str(&kinds).unwrap_or_default(),
                    versions: r.get(8)?,
                    deleted: r.get(9)?,
                    in_reply_to: r.get(10)?,
                    url: r.get(11)?,
                    hold: r.get(12)?,
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(sql)?;
        let supervision = self.supervision(now, platforms)?;
        Ok(Queue { open: open as usize, overdue: overdue as usize, items, supervision })
    }

    /// The review status of each of `platforms` (the strategy's enabled accounts).
    pub fn supervision(&self, now: Timestamp, platforms: &[String]) -> Result<Vec<Supervision>> {
        let s = &self.settings;
        platforms
            .iter()
            .map(|p| {
                let last = self.last_review(p)?;
                let due = last.as_ref().and_then(|(t, _)| s.office_hours.add(*t, s.supervise_every, &s.timezone));
                Ok(Supervision {
                    platform: p.clone(),
                    last_reviewed: last.as_ref().map(|(t, _)| ts_text(*t)),
                    by: last.map(|(_, b)| b),
                    overdue: due.is_none_or(|d| d < now),
                    due: due.map(ts_text),
                })
            })
            .collect()
    }
}

/// An item as a thread lists it: whatever its status.
#[derive(Debug, Clone, Serialize)]
pub struct ThreadItem {
    pub key: i64,
    pub id: String,
    pub author: String,
    /// The latest version's text.
    pub text: String,
    pub at: String,
    pub status: String,
    pub deleted: bool,
    pub in_reply_to: Option<String>,
}

impl Inbox {
    /// The items of `platform` whose latest version answers one of `ids` (a post's remote ids,
    /// or other items'): one level of a thread, oldest first.
    pub fn replies_to(&self, platform: &str, ids: &[String]) -> Result<Vec<ThreadItem>> {
        let sql = |e| self.sql(e);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT i.key, i.remote_id, v.author, v.text, i.first_at, i.status, v.deleted, v.in_reply_to
                 FROM items i JOIN versions v ON v.item = i.key AND v.n = i.latest
                 WHERE i.platform = ?1 AND v.in_reply_to = ?2 ORDER BY i.first_at, i.key",
            )
            .map_err(sql)?;
        let mut out = Vec::new();
        for id in ids {
            let rows = stmt
                .query_map(params![platform, id], |r| {
                    Ok(ThreadItem {
                        key: r.get(0)?,
                        id: r.get(1)?,
                        author: r.get(2)?,
                        text: r.get(3)?,
                        at: r.get(4)?,
                        status: r.get(5)?,
                        deleted: r.get(6)?,
                        in_reply_to: r.get(7)?,
                    })
                })
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(sql)?;
            out.extend(rows);
        }
        Ok(out)
    }

    /// When an answer to `item` is due (`None`: the office hours give no time).
    pub fn due_of(&self, item: i64) -> Result<Option<String>> {
        self.conn.query_row("SELECT due FROM items WHERE key = ?1", [item], |r| r.get(0)).map_err(|e| self.sql(e))
    }
}

/// A stored time in the organisation's zone, as people read it: `tis 1 dec 13:00`.
pub fn local(ts: &str, tz: &jiff::tz::TimeZone) -> String {
    parse_ts(ts)
        .map_or_else(|| ts.to_string(), |t| t.to_zoned_datetime(tz.clone()).strftime("%Y-%m-%d %H:%M").to_string())
}
