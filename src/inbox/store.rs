//! The SQLite file: opening it safely and bringing its schema up to date.
//!
//! The file is created mode 0600 in a folder made 0700 (SQLite gives its `-wal` and `-shm`
//! files the database's mode): it holds citizens' personal data. It runs in WAL mode with a
//! busy timeout, and every write is one `BEGIN IMMEDIATE` transaction, so a `pull`, a `serve`
//! and a person at the command line can use it at once: a writer waits for the other, readers
//! never block.
//!
//! The schema is versioned by `PRAGMA user_version`; [`MIGRATIONS`] are applied in order, each
//! in its own transaction, and never edited once released: a change is a new migration. A
//! store from a newer budkavle is refused rather than misread.
//!
//! Versions of an item are immutable and the action log is append-only: triggers refuse any
//! UPDATE of them, so a bug cannot rewrite what a citizen wrote or who did what. Rows leave
//! only by `inbox weed`, which applies the organisation's gallring decision.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::error::{Error, Result};

/// The schema, one step per version: `MIGRATIONS[i]` takes `user_version` i to i + 1.
pub(crate) const MIGRATIONS: [&str; 3] = [
    // 1: the records: items, their versions, and the log of what people did.
    "CREATE TABLE items (
        key INTEGER PRIMARY KEY,
        platform TEXT NOT NULL,
        remote_id TEXT NOT NULL,
        first_at TEXT NOT NULL,
        received TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'open',
        UNIQUE (platform, remote_id)
    );
    CREATE TABLE versions (
        item INTEGER NOT NULL REFERENCES items(key),
        n INTEGER NOT NULL,
        author TEXT NOT NULL,
        text TEXT NOT NULL,
        at TEXT NOT NULL,
        in_reply_to TEXT,
        url TEXT,
        deleted INTEGER NOT NULL DEFAULT 0,
        received TEXT NOT NULL,
        source TEXT NOT NULL,
        PRIMARY KEY (item, n)
    );
    CREATE TRIGGER versions_are_immutable BEFORE UPDATE ON versions
        BEGIN SELECT RAISE(ABORT, 'a version of an item is never changed: add a new version'); END;
    CREATE TABLE actions (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        item INTEGER,
        action TEXT NOT NULL,
        by TEXT NOT NULL,
        at TEXT NOT NULL,
        note TEXT
    );
    CREATE INDEX actions_item ON actions(item);
    CREATE TRIGGER actions_are_append_only BEFORE UPDATE ON actions
        BEGIN SELECT RAISE(ABORT, 'the action log is append-only'); END;",
    // 2: the queue: triage and due time of each item (derived, recomputed when the strategy's
    // rules or hours change), legal hold, and actions about an account (supervision).
    "ALTER TABLE items ADD COLUMN latest INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE items ADD COLUMN kinds TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE items ADD COLUMN due TEXT;
    ALTER TABLE items ADD COLUMN hold INTEGER NOT NULL DEFAULT 0;
    UPDATE items SET latest = (SELECT max(n) FROM versions WHERE versions.item = items.key);
    CREATE INDEX items_queue ON items(status, due);
    ALTER TABLE actions ADD COLUMN platform TEXT;
    CREATE INDEX actions_platform ON actions(platform, action);
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
    // 3: what the organisation sent to a platform about an item (a reply, hiding it), exactly
    // once like publishing: the intent is a row before the request, the platform's answer
    // (`remote`, `done_at`) is written after it, so a run that crashed in between finds the
    // row without `done_at` and looks the request up instead of sending again. `hidden` is
    // the item's state on the platform after the last hide or unhide.
    "CREATE TABLE sends (
        key TEXT PRIMARY KEY,
        item INTEGER NOT NULL REFERENCES items(key),
        platform TEXT NOT NULL,
        kind TEXT NOT NULL,
        text TEXT,
        by TEXT NOT NULL,
        intent_at TEXT NOT NULL,
        remote TEXT,
        url TEXT,
        done_at TEXT,
        abandoned_at TEXT
    );
    CREATE INDEX sends_item ON sends(item);
    ALTER TABLE items ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;",
];

pub(crate) fn schema_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// Opens (creating if need be) the store at `path` and migrates it to the current schema.
pub(crate) fn open(path: &Path) -> Result<Connection> {
    open_at_version(path, MIGRATIONS.len())
}

/// [`open`], migrating only up to `version`: the migration tests build an old store with it.
pub(crate) fn open_at_version(path: &Path, version: usize) -> Result<Connection> {
    create_private(path)?;
    // In WAL mode SQLite answers "database is locked" at once, without waiting out the busy
    // timeout, to a connection that opens while another process's last connection cleans up on
    // closing or runs recovery (https://www.sqlite.org/wal.html, "Sometimes Queries Return
    // SQLITE_BUSY In WAL Mode"). Two processes that open the store at once (two imports, a pull
    // beside `serve`) meet that, so opening is tried again for as long as the busy timeout.
    // Once open, a connection keeps the store from being cleaned up under it.
    let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
    loop {
        match connect(path, version) {
            Ok(conn) => {
                private_sidecars(path)?;
                return Ok(conn);
            }
            Err(Opening::Sql(e)) if is_busy(&e) && std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(Opening::Sql(e)) => return Err(sql_error(path, e)),
            Err(Opening::Newer(current)) => {
                return Err(Error::Usage(format!(
                    "the inbox store {} has schema version {current}, newer than this budkavle knows ({}): upgrade budkavle",
                    path.display(),
                    schema_version()
                )));
            }
        }
    }
}

/// How long a connection waits for another process's write to finish.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a connection could not be opened.
enum Opening {
    Sql(rusqlite::Error),
    /// The store has a schema version newer than this binary's.
    Newer(i64),
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if matches!(f.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked))
}

fn connect(path: &Path, version: usize) -> std::result::Result<Connection, Opening> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
    )
    .map_err(Opening::Sql)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(Opening::Sql)?;
    conn.pragma_update(None, "journal_mode", "WAL").map_err(Opening::Sql)?;
    conn.pragma_update(None, "synchronous", "NORMAL").map_err(Opening::Sql)?;
    conn.pragma_update(None, "foreign_keys", "ON").map_err(Opening::Sql)?;
    migrate(&conn, version)?;
    Ok(conn)
}

fn migrate(conn: &Connection, target: usize) -> std::result::Result<(), Opening> {
    loop {
        // Each step re-reads the version inside its own write transaction: another process
        // may have migrated in the meantime.
        let tx = rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate).map_err(Opening::Sql)?;
        let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(Opening::Sql)?;
        if current > schema_version() {
            return Err(Opening::Newer(current));
        }
        let current = usize::try_from(current).unwrap_or(0);
        if current >= target {
            return Ok(());
        }
        tx.execute_batch(MIGRATIONS[current]).map_err(Opening::Sql)?;
        tx.pragma_update(None, "user_version", (current + 1) as i64).map_err(Opening::Sql)?;
        tx.commit().map_err(Opening::Sql)?;
    }
}

/// Creates the folder (0700) and an empty file (0600) before SQLite does, so no other user can
/// ever read them; an existing file with a wider mode is narrowed.
fn create_private(path: &Path) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.exists()
    {
        let mut b = std::fs::DirBuilder::new();
        b.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
        b.create(dir).map_err(|e| Error::io("cannot create the inbox folder", dir, e))?;
    }
    let mut o = std::fs::OpenOptions::new();
    o.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    o.open(path).map_err(|e| Error::io("cannot create the inbox store", path, e))?;
    narrow(path)
}

/// The `-wal` and `-shm` files, 0600 like the database.
fn private_sidecars(path: &Path) -> Result<()> {
    for suffix in ["-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let p = std::path::PathBuf::from(p);
        if p.exists() {
            narrow(&p)?;
        }
    }
    Ok(())
}

#[cfg(unix)]
fn narrow(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path).map_err(|e| Error::io("cannot read", path, e))?;
    if meta.permissions().mode() & 0o077 != 0 {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| Error::io("cannot make private", path, e))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn narrow(_: &Path) -> Result<()> {
    Ok(())
}

pub(crate) fn sql_error(path: &Path, e: rusqlite::Error) -> Error {
    Error::Io { action: "inbox store", path: path.to_path_buf(), source: std::io::Error::other(e.to_string()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_actions_cannot_be_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open(&dir.path().join("s.sqlite3")).unwrap();
        conn.execute_batch(
            "INSERT INTO items (key, platform, remote_id, first_at, received) VALUES (1, 'x', '1', 't', 't');
             INSERT INTO versions (item, n, author, text, at, received, source) VALUES (1, 1, 'a', 'hej', 't', 't', 's');
             INSERT INTO actions (item, action, by, at) VALUES (1, 'resolve', 'a', 't');",
        )
        .unwrap();
        let e = conn.execute("UPDATE versions SET text = 'changed'", []).unwrap_err();
        assert!(e.to_string().contains("never changed"), "{e}");
        let e = conn.execute("UPDATE actions SET by = 'someone else'", []).unwrap_err();
        assert!(e.to_string().contains("append-only"), "{e}");
    }

    #[test]
    fn migrates_an_old_store_and_keeps_its_records() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite3");
        {
            let conn = open_at_version(&path, 1).unwrap();
            conn.execute_batch(
                "INSERT INTO items (key, platform, remote_id, first_at, received) VALUES (7, 'mastodon', '9', '2026-12-01T08:00:00Z', 't');
                 INSERT INTO versions (item, n, author, text, at, received, source) VALUES (7, 1, 'a', 'v1', 't', 't', 's');
                 INSERT INTO versions (item, n, author, text, at, received, source) VALUES (7, 2, 'a', 'v2', 't', 't', 's');",
            )
            .unwrap();
            let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
            assert_eq!(v, 1);
        }
        let conn = open(&path).unwrap();
        let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(v, schema_version());
        let (latest, kinds, hold): (i64, String, i64) = conn
            .query_row("SELECT latest, kinds, hold FROM items WHERE key = 7", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap();
        assert_eq!((latest, kinds.as_str(), hold), (2, "[]", 0));
    }

    #[test]
    fn a_newer_store_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.sqlite3");
        open(&path).unwrap().pragma_update(None, "user_version", 99).unwrap();
        let e = open(&path).unwrap_err().to_string();
        assert!(e.contains("newer than this budkavle"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn the_files_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("deep/er/s.sqlite3");
        let conn = open(&path).unwrap();
        conn.execute("INSERT INTO meta VALUES ('k', 'v')", []).unwrap();
        for p in [path.clone(), path.with_extension("sqlite3-wal"), path.with_extension("sqlite3-shm")] {
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", p.display());
        }
        let mode = std::fs::metadata(path.parent().unwrap()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
    }
}
