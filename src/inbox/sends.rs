//! What the organisation sends to a platform about an item — a reply, hiding or showing it —
//! recorded exactly once the way the ledger records a post: the intent is a row written (and
//! committed) before the request, and the platform's answer is written after it together with
//! the action-log line, in one transaction. A run that died between the two leaves a row
//! without `done_at`: the next run looks the request up on the platform instead of sending it
//! again, and where the platform cannot tell, a person settles it. The requests themselves
//! are made by `respond`, in the sending layer; this is the store's half.

use jiff::Timestamp;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::actions::log_in;
use super::{Inbox, parse_ts, ts_text};
use crate::error::{Error, Result};

/// What a send does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SendKind {
    Reply,
    Hide,
    Unhide,
}

impl SendKind {
    /// The word in the store and, for a finished send, the action in the log.
    pub fn name(self) -> &'static str {
        match self {
            SendKind::Reply => "reply",
            SendKind::Hide => "hide",
            SendKind::Unhide => "unhide",
        }
    }

    fn from_name(name: &str) -> Option<SendKind> {
        [SendKind::Reply, SendKind::Hide, SendKind::Unhide].into_iter().find(|k| k.name() == name)
    }
}

/// One row of the sends table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Send {
    /// The idempotency key: the same request has the same key on every run.
    pub key: String,
    pub item: i64,
    pub platform: String,
    pub kind: SendKind,
    /// The reply's text as sent; `None` for hide and unhide.
    pub text: Option<String>,
    pub by: String,
    pub intent_at: String,
    /// The reply's id on the platform.
    pub remote: Option<String>,
    pub url: Option<String>,
    /// When the platform's answer was recorded; `None` while the request is unfinished.
    pub done_at: Option<String>,
    /// When a person recorded that an unfinished request never reached the platform.
    pub abandoned_at: Option<String>,
}

impl Send {
    pub fn intent_time(&self) -> Option<Timestamp> {
        parse_ts(&self.intent_at)
    }

    pub fn unfinished(&self) -> bool {
        self.done_at.is_none() && self.abandoned_at.is_none()
    }
}

/// The item as a reply or hide needs it: where it is, and its state.
#[derive(Debug, Clone, Serialize)]
pub struct Target {
    pub key: i64,
    pub platform: String,
    pub remote_id: String,
    /// The latest version's text, author and links.
    pub text: String,
    pub author: String,
    pub in_reply_to: Option<String>,
    pub url: Option<String>,
    /// The author deleted it (the latest version is a deletion).
    pub deleted: bool,
    pub status: String,
    pub hidden: bool,
}

const COLUMNS: &str = "key, item, platform, kind, text, by, intent_at, remote, url, done_at, abandoned_at";

fn send_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Send> {
    let kind: String = r.get(3)?;
    Ok(Send {
        key: r.get(0)?,
        item: r.get(1)?,
        platform: r.get(2)?,
        kind: SendKind::from_name(&kind).unwrap_or(SendKind::Reply),
        text: r.get(4)?,
        by: r.get(5)?,
        intent_at: r.get(6)?,
        remote: r.get(7)?,
        url: r.get(8)?,
        done_at: r.get(9)?,
        abandoned_at: r.get(10)?,
    })
}

/// What a finished request is recorded with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The reply's id and address on the platform; `None` for hide and unhide.
    pub remote: Option<String>,
    pub url: Option<String>,
    /// The action-log note: the reply's text, or why the item was hidden.
    pub note: String,
}

impl Inbox {
    /// The item `key` with its latest version.
    pub fn target(&self, key: i64) -> Result<Target> {
        self.conn
            .query_row(
                "SELECT i.key, i.platform, i.remote_id, v.text, v.author, v.in_reply_to, v.url, v.deleted, i.status, i.hidden
                 FROM items i JOIN versions v ON v.item = i.key AND v.n = i.latest WHERE i.key = ?1",
                [key],
                |r| {
                    Ok(Target {
                        key: r.get(0)?,
                        platform: r.get(1)?,
                        remote_id: r.get(2)?,
                        text: r.get(3)?,
                        author: r.get(4)?,
                        in_reply_to: r.get(5)?,
                        url: r.get(6)?,
                        deleted: r.get(7)?,
                        status: r.get(8)?,
                        hidden: r.get(9)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.sql(e))?
            .ok_or_else(|| Error::Usage(format!("no item {key} in the inbox; `budkavle inbox` lists them")))
    }

    /// The send with this idempotency key, if one was ever started.
    pub fn send(&self, key: &str) -> Result<Option<Send>> {
        self.conn
            .query_row(&format!("SELECT {COLUMNS} FROM sends WHERE key = ?1"), [key], send_row)
            .optional()
            .map_err(|e| self.sql(e))
    }

    /// Every send about an item, oldest first.
    pub fn sends(&self, item: i64) -> Result<Vec<Send>> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {COLUMNS} FROM sends WHERE item = ?1 ORDER BY intent_at, key"))
            .map_err(|e| self.sql(e))?;
        stmt.query_map([item], send_row).and_then(|r| r.collect::<rusqlite::Result<Vec<_>>>()).map_err(|e| self.sql(e))
    }

    /// Records the intent to send, committed before any request goes out. A key whose earlier
    /// request was abandoned (it never reached the platform) starts again; a key already in
    /// flight or done is refused: the caller looks it up instead.
    #[allow(clippy::too_many_arguments)]
    pub fn send_intent(
        &mut self,
        key: &str,
        item: i64,
        platform: &str,
        kind: SendKind,
        text: Option<&str>,
        by: &str,
        now: Timestamp,
    ) -> Result<()> {
        let path = self.path.clone();
        let sql = |e| super::store::sql_error(&path, e);
        let tx = self.write()?;
        let existing = tx
            .query_row(&format!("SELECT {COLUMNS} FROM sends WHERE key = ?1"), [key], send_row)
            .optional()
            .map_err(sql)?;
        match existing {
            None => {
                tx.execute(
                    "INSERT INTO sends (key, item, platform, kind, text, by, intent_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![key, item, platform, kind.name(), text, by, ts_text(now)],
                )
                .map_err(sql)?;
            }
            Some(s) if s.abandoned_at.is_some() => {
                // The row is the intent, not a record of what happened: an abandoned request
                // never reached anyone (the action log keeps the `settle` line).
                tx.execute(
                    "UPDATE sends SET by = ?2, intent_at = ?3, abandoned_at = NULL WHERE key = ?1",
                    params![key, by, ts_text(now)],
                )
                .map_err(sql)?;
            }
            Some(s) => {
                return Err(Error::Internal(format!(
                    "send {key} exists ({}); it must be looked up, not started again",
                    if s.done_at.is_some() { "done" } else { "unfinished" }
                )));
            }
        }
        tx.commit().map_err(sql)
    }

    /// Records the platform's answer and logs the action (`reply`, `hide`, `unhide`) with who
    /// and why, in one transaction: a reply marks the item resolved, a hide or unhide sets
    /// whether it is hidden. Returns false (and changes nothing) when the send was already
    /// done: two processes may settle the same request.
    pub fn send_done(&mut self, key: &str, answer: &Answer, now: Timestamp) -> Result<bool> {
        let path = self.path.clone();
        let sql = |e| super::store::sql_error(&path, e);
        let tx = self.write()?;
        let s = tx
            .query_row(&format!("SELECT {COLUMNS} FROM sends WHERE key = ?1"), [key], send_row)
            .optional()
            .map_err(sql)?
            .ok_or_else(|| Error::Internal(format!("send {key} has no intent")))?;
        if s.done_at.is_some() {
            return Ok(false);
        }
        tx.execute(
            "UPDATE sends SET remote = ?2, url = ?3, done_at = ?4, abandoned_at = NULL WHERE key = ?1",
            params![key, answer.remote, answer.url, ts_text(now)],
        )
        .map_err(sql)?;
        match s.kind {
            SendKind::Reply => tx.execute("UPDATE items SET status = 'resolved' WHERE key = ?1", [s.item]),
            SendKind::Hide => tx.execute("UPDATE items SET hidden = 1 WHERE key = ?1", [s.item]),
            SendKind::Unhide => tx.execute("UPDATE items SET hidden = 0 WHERE key = ?1", [s.item]),
        }
        .map_err(sql)?;
        log_in(&tx, Some(s.item), None, s.kind.name(), &s.by, now, Some(&answer.note)).map_err(sql)?;
        tx.commit().map_err(sql)?;
        Ok(true)
    }

    /// Records that an unfinished request never reached the platform (the platform refused it,
    /// or a person looked and found nothing): a later run may send it again. `why` goes to the
    /// action log as a `settle` line when a person decided; a refusal by the platform is not
    /// an action of anyone's and is only kept on the row.
    pub fn send_abandoned(&mut self, key: &str, by: Option<&str>, why: &str, now: Timestamp) -> Result<()> {
        let path = self.path.clone();
        let sql = |e| super::store::sql_error(&path, e);
        let tx = self.write()?;
        let item: Option<i64> = tx
            .query_row("SELECT item FROM sends WHERE key = ?1 AND done_at IS NULL", [key], |r| r.get(0))
            .optional()
            .map_err(sql)?;
        let Some(item) = item else { return Ok(()) };
        tx.execute("UPDATE sends SET abandoned_at = ?2 WHERE key = ?1", params![key, ts_text(now)]).map_err(sql)?;
        if let Some(by) = by {
            log_in(&tx, Some(item), None, "settle", by, now, Some(why)).map_err(sql)?;
        }
        tx.commit().map_err(sql)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inbox() -> (tempfile::TempDir, Inbox) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        std::fs::create_dir_all(root.join("content/posts")).unwrap();
        std::fs::write(root.join("strategy.toml"), "[organisation]\nname = \"T\"\n[platforms.mastodon]\n").unwrap();
        crate::fsutil::copy_dir(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default"),
            &root.join("themes/default"),
        );
        let project = crate::project::Project::load(&root).unwrap();
        let settings = super::super::Settings::of(&project).unwrap();
        let now: Timestamp = "2026-12-01T09:00:00Z".parse().unwrap();
        let mut inbox = Inbox::open_at(&project, settings, &dir.path().join("s/inbox.sqlite3"), now).unwrap();
        inbox
            .import(
                std::path::Path::new("x.jsonl"),
                r#"{"platform":"mastodon","id":"9","author":"@a","text":"Hur gör jag?","at":"2026-12-01T08:00:00Z"}"#,
                "t",
                now,
            )
            .unwrap();
        (dir, inbox)
    }

    #[test]
    fn a_reply_is_logged_once_and_resolves_the_item() {
        let (_d, mut inbox) = inbox();
        let now: Timestamp = "2026-12-01T10:00:00Z".parse().unwrap();
        inbox.send_intent("k1", 1, "mastodon", SendKind::Reply, Some("Hej!"), "Kim", now).unwrap();
        assert!(inbox.send("k1").unwrap().unwrap().unfinished());
        assert!(inbox.send_intent("k1", 1, "mastodon", SendKind::Reply, Some("Hej!"), "Kim", now).is_err());
        let answer = Answer { remote: Some("77".into()), url: None, note: "Hej!".into() };
        assert!(inbox.send_done("k1", &answer, now).unwrap());
        assert!(!inbox.send_done("k1", &answer, now).unwrap());
        let t = inbox.target(1).unwrap();
        assert_eq!(t.status, "resolved");
        let log = inbox.history(1).unwrap();
        let replies: Vec<_> = log.iter().filter(|a| a.action == "reply").collect();
        assert_eq!(replies.len(), 1);
        assert_eq!((replies[0].by.as_str(), replies[0].note.as_deref()), ("Kim", Some("Hej!")));
        assert_eq!(inbox.sends(1).unwrap()[0].remote.as_deref(), Some("77"));
    }

    #[test]
    fn an_abandoned_send_may_start_again() {
        let (_d, mut inbox) = inbox();
        let now: Timestamp = "2026-12-01T10:00:00Z".parse().unwrap();
        inbox.send_intent("k2", 1, "mastodon", SendKind::Hide, None, "Kim", now).unwrap();
        inbox.send_abandoned("k2", Some("Kim"), "not on the platform", now).unwrap();
        assert!(!inbox.send("k2").unwrap().unwrap().unfinished());
        inbox.send_intent("k2", 1, "mastodon", SendKind::Hide, None, "Kim", now).unwrap();
        let answer = Answer { remote: None, url: None, note: "hot".into() };
        inbox.send_done("k2", &answer, now).unwrap();
        assert!(inbox.target(1).unwrap().hidden);
        assert!(inbox.history(1).unwrap().iter().any(|a| a.action == "settle"));
    }
}
