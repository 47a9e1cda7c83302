//! What `inbox pull` hands the store: a platform's versions and its new cursor, taken in one
//! transaction, so a pull killed half-way stored either all of a platform's answer and the
//! cursor after it, or nothing (and the next pull asks again from the old cursor).
//!
//! The cursor is the client's own string (a notification id, a time), kept in `meta` under
//! `cursor:<platform>` and handed back unread.

use jiff::Timestamp;
use rusqlite::{OptionalExtension, params};

use super::import::Imported;
use super::{Added, Inbox, Incoming};
use crate::error::{Error, Result};

/// The `meta` key of a platform's cursor.
fn cursor_key(platform: &str) -> String {
    format!("cursor:{platform}")
}

impl Inbox {
    /// Where the last pull of `platform` stopped; `None` before the first.
    pub fn cursor(&self, platform: &str) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [cursor_key(platform)], |r| r.get(0))
            .optional()
            .map_err(|e| self.sql(e))
    }

    /// The items of `platform` whose first version came from `source` (a pull, not an
    /// import: an export's ids may be another server's), still open, not deleted, written at
    /// `since` or later: newest first. What `inbox pull` asks the platform about again, since
    /// no listing would show that they were deleted.
    pub fn recheck_candidates(&self, platform: &str, source: &str, since: Timestamp) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT i.remote_id FROM items i
                 JOIN versions v ON v.item = i.key AND v.n = i.latest
                 JOIN versions f ON f.item = i.key AND f.n = 1
                 WHERE i.platform = ?1 AND i.status = 'open' AND v.deleted = 0 AND i.first_at >= ?2 AND f.source = ?3
                 ORDER BY i.first_at DESC, i.key DESC",
            )
            .map_err(|e| self.sql(e))?;
        stmt.query_map(params![platform, super::ts_text(since), source], |r| r.get(0))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<String>>>())
            .map_err(|e| self.sql(e))
    }

    /// Adds every version of one platform's answer and moves its cursor (when `cursor` is
    /// `Some`), all or nothing. `source` says where the versions came from (`pull:mastodon`).
    ///
    /// A platform tells that something is gone, not what it said: a deletion takes the author,
    /// text and links of the latest stored version, and a deletion of an item the store never
    /// had is dropped (counted as unchanged) — nothing is stored that nobody saw.
    pub fn add_pulled(
        &mut self,
        platform: &str,
        versions: &[Incoming],
        cursor: Option<&str>,
        source: &str,
        now: Timestamp,
    ) -> Result<Imported> {
        self.triage()?;
        let path = self.path.clone();
        let sql = |e: rusqlite::Error| super::store::sql_error(&path, e);
        // Fields, not `self.write()`: the transaction borrows the connection while the
        // settings and rules are read.
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(sql)?;
        let triage = self.triage.get().ok_or_else(|| Error::Internal("triage not compiled".into()))?;
        let mut stats = Imported::default();
        for v in versions {
            let filled;
            let v = if v.deleted {
                match latest(&tx, &v.platform, &v.id).map_err(sql)? {
                    Some(last) => {
                        filled = Incoming { deleted: true, at: v.at, ..last };
                        &filled
                    }
                    None => {
                        stats.unchanged += 1;
                        continue;
                    }
                }
            } else {
                v
            };
            match Inbox::add_version(&tx, &self.settings, triage, v, source, now).map_err(sql)? {
                Added::NewItem => stats.new_items += 1,
                Added::NewVersion => stats.new_versions += 1,
                Added::Unchanged => stats.unchanged += 1,
            }
        }
        if let Some(cursor) = cursor {
            tx.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                params![cursor_key(platform), cursor],
            )
            .map_err(sql)?;
        }
        tx.commit().map_err(sql)?;
        Ok(stats)
    }
}

/// The latest stored version of an item, as an [`Incoming`].
fn latest(tx: &rusqlite::Transaction<'_>, platform: &str, id: &str) -> rusqlite::Result<Option<Incoming>> {
    tx.query_row(
        "SELECT v.author, v.text, v.at, v.in_reply_to, v.url, v.deleted
         FROM items i JOIN versions v ON v.item = i.key AND v.n = i.latest
         WHERE i.platform = ?1 AND i.remote_id = ?2",
        params![platform, id],
        |r| {
            let at: String = r.get(2)?;
            Ok(Incoming {
                platform: platform.to_string(),
                id: id.to_string(),
                author: r.get(0)?,
                text: r.get(1)?,
                at: super::parse_ts(&at).unwrap_or_default(),
                in_reply_to: r.get(3)?,
                url: r.get(4)?,
                deleted: r.get(5)?,
            })
        },
    )
    .optional()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incoming(id: &str, text: &str, deleted: bool) -> Incoming {
        Incoming {
            platform: "mastodon".into(),
            id: id.into(),
            author: if deleted { String::new() } else { "anna".into() },
            text: text.into(),
            at: "2026-12-01T09:00:00Z".parse().unwrap(),
            in_reply_to: Some("1".into()),
            url: None,
            deleted,
        }
    }

    #[test]
    fn a_deletion_keeps_the_last_text_and_one_never_seen_is_dropped() {
        let project = crate::project::Project::load(std::path::Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let now: Timestamp = "2026-12-01T10:00:00Z".parse().unwrap();
        let settings = super::super::Settings::of(&project).unwrap();
        let mut inbox = Inbox::open_at(&project, settings, &dir.path().join("s.sqlite3"), now).unwrap();
        assert_eq!(inbox.cursor("mastodon").unwrap(), None);

        let done =
            inbox.add_pulled("mastodon", &[incoming("7", "Hej?", false)], Some("c1"), "pull:mastodon", now).unwrap();
        assert_eq!((done.new_items, done.new_versions, done.unchanged), (1, 0, 0));
        let gone = [incoming("7", "", true), incoming("8", "", true)];
        let done = inbox.add_pulled("mastodon", &gone, None, "pull:mastodon", now).unwrap();
        assert_eq!((done.new_items, done.new_versions, done.unchanged), (0, 1, 1), "8 was never stored");
        assert_eq!(inbox.cursor("mastodon").unwrap().as_deref(), Some("c1"), "no cursor given: the old one stays");
        let last = latest(&inbox.conn.unchecked_transaction().unwrap(), "mastodon", "7").unwrap().unwrap();
        assert_eq!((last.text.as_str(), last.author.as_str(), last.deleted), ("Hej?", "anna", true));
        assert!(inbox.find("mastodon:8").is_err());
        let again = inbox.add_pulled("mastodon", &gone[..1], Some("c2"), "pull:mastodon", now).unwrap();
        assert_eq!((again.new_versions, again.unchanged), (0, 1));
        assert_eq!(inbox.cursor("mastodon").unwrap().as_deref(), Some("c2"));
    }

    #[test]
    fn only_open_live_recent_pulled_items_are_rechecked() {
        let project = crate::project::Project::load(std::path::Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let now: Timestamp = "2026-12-01T10:00:00Z".parse().unwrap();
        let settings = super::super::Settings::of(&project).unwrap();
        let mut inbox = Inbox::open_at(&project, settings, &dir.path().join("s.sqlite3"), now).unwrap();
        let at = |id: &str, when: &str| Incoming { at: when.parse().unwrap(), ..incoming(id, "Hej?", false) };
        let pulled = [
            at("old", "2026-11-01T09:00:00Z"),
            at("new", "2026-11-30T09:00:00Z"),
            at("newer", "2026-12-01T09:00:00Z"),
            at("resolved", "2026-12-01T09:00:00Z"),
            at("deleted", "2026-12-01T09:00:00Z"),
        ];
        inbox.add_pulled("mastodon", &pulled, None, "pull:mastodon", now).unwrap();
        inbox.add_pulled("mastodon", &[at("imported", "2026-12-01T09:00:00Z")], None, "import", now).unwrap();
        inbox.add_pulled("mastodon", &[incoming("deleted", "", true)], None, "pull:mastodon", now).unwrap();
        let key = inbox.find("mastodon:resolved").unwrap();
        inbox.resolve(key, "Kim", "Svarat per telefon", now).unwrap();
        let since: Timestamp = "2026-11-17T10:00:00Z".parse().unwrap();
        assert_eq!(inbox.recheck_candidates("mastodon", "pull:mastodon", since).unwrap(), ["newer", "new"]);
        assert!(inbox.recheck_candidates("bluesky", "pull:bluesky", since).unwrap().is_empty());
    }
}
