//! Appending: one line per call, durable before the call returns.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use sha2::{Digest, Sha256};

use super::lock::Lock;
use super::{DIR, Entry, ErrorInfo, Event, FORMAT, Ledger, Loc, entry_problems};
use crate::error::{Diagnostic, Error, Result};
use crate::lock::tool;
use crate::platform::PlatformId;
use crate::platform::Remote;

/// What the caller says about an event; the appender adds `v`, `seq`, `prev`, `tool`, and
/// `at` when not given.
#[derive(Debug, Clone)]
pub struct NewEntry {
    /// `None`: now. The ledger's clock never runs backwards: a time earlier than the last
    /// line's (a stepped system clock) is recorded as the last line's time.
    pub at: Option<Timestamp>,
    pub event: Event,
    pub post: String,
    pub platform: PlatformId,
    pub content: Option<String>,
    pub source: Option<String>,
    pub approved_in: Option<String>,
    pub approvers: Vec<String>,
    pub key: Option<String>,
    pub remote: Option<Remote>,
    pub error: Option<ErrorInfo>,
    /// See [`Entry::texts`].
    pub texts: Vec<String>,
}

impl NewEntry {
    pub fn new(event: Event, post: impl Into<String>, platform: PlatformId) -> NewEntry {
        NewEntry {
            at: None,
            event,
            post: post.into(),
            platform,
            content: None,
            source: None,
            approved_in: None,
            approvers: Vec::new(),
            key: None,
            remote: None,
            error: None,
            texts: Vec::new(),
        }
    }
}

/// The only writer of the ledger. Holds the lock for its whole life and keeps the in-memory
/// [`Ledger`] current, so state queries during a run see what was just written.
#[derive(Debug)]
pub struct Appender {
    lock: Lock,
    ledger: Ledger,
    /// Length and line count of each month file when last read or written by us, to notice a
    /// write behind our back (a second writer that ignored the lock, an editor).
    lengths: HashMap<PathBuf, (u64, usize)>,
}

impl Appender {
    /// Locks, reads and verifies the ledger under `root`.
    pub fn open(root: &Path) -> Result<Appender> {
        Self::with_lock(Lock::acquire(root)?)
    }

    /// Opens with a lock already held, e.g. after [`repair_torn_tail`].
    pub fn with_lock(lock: Lock) -> Result<Appender> {
        let root = lock.root().to_path_buf();
        let ledger = Ledger::read(&root)?;
        ledger.verify()?;
        let mut lengths = HashMap::new();
        for (i, rel) in ledger.files().iter().enumerate() {
            let path = root.join(rel);
            let len = std::fs::metadata(&path).map_err(|e| Error::io("cannot read", &path, e))?.len();
            let lines = ledger.locs.iter().filter(|l| l.file == i).count();
            lengths.insert(rel.clone(), (len, lines));
        }
        Ok(Appender { lock, ledger, lengths })
    }

    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// Ends appending but keeps the lock, for work that must finish before the next publisher
    /// starts (committing the ledger).
    pub fn into_lock(self) -> Lock {
        self.lock
    }

    /// Writes one line and fsyncs it (and, for a new month file, its folder) before
    /// returning. On a failed write the file is cut back to where it was, so a full disk does
    /// not leave half a line.
    pub fn append(&mut self, new: NewEntry) -> Result<&Entry> {
        let last_at = self.ledger.last().map(|e| e.at);
        let now = new.at.unwrap_or_else(|| Timestamp::from_second(Timestamp::now().as_second()).unwrap_or_default());
        let at = match last_at {
            Some(last) if now < last => last,
            _ => now,
        };
        let entry = Entry {
            v: FORMAT,
            seq: self.ledger.last().map_or(1, |e| e.seq + 1),
            at,
            event: new.event,
            post: new.post,
            platform: new.platform,
            content: new.content,
            source: new.source,
            approved_in: new.approved_in,
            approvers: new.approvers,
            key: new.key,
            remote: new.remote,
            error: new.error,
            texts: new.texts,
            tool: tool(),
            prev: self.ledger.head(),
        };
        let problems = entry_problems(&entry);
        if !problems.is_empty() {
            return Err(Error::Internal(format!("refusing to write a ledger line: {}", problems.join("; "))));
        }
        let mut line =
            serde_json::to_vec(&entry).map_err(|e| Error::Internal(format!("cannot write a ledger line: {e}")))?;
        debug_assert!(!line.contains(&b'\n'));
        let hash: [u8; 32] = Sha256::digest(&line).into();
        line.push(b'\n');

        let root = self.lock.root().to_path_buf();
        let rel = Path::new(DIR).join(format!("{}.jsonl", at.strftime("%Y-%m")));
        let path = root.join(&rel);
        let expected = self.lengths.get(&rel).copied();
        let meta = match std::fs::symlink_metadata(&path) {
            Ok(m) => Some(m),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::io("cannot read", &path, e)),
        };
        match (&meta, expected) {
            (Some(m), _) if !m.is_file() => {
                return Err(Error::Invalid(vec![Diagnostic::file(&rel, "a ledger file must be a regular file")]));
            }
            (Some(m), Some((len, _))) if m.len() == len => {}
            (None, None) => {}
            _ => {
                return Err(Error::Invalid(vec![
                    Diagnostic::file(&rel, "the ledger file changed while this publisher held the lock").hint(
                        "another process wrote to the ledger without the lock; stop it and run `budkavle verify`",
                    ),
                ]));
            }
        }
        let created = meta.is_none();
        let dir = root.join(DIR);
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .create_new(created)
            .open(&path)
            .map_err(|e| Error::io("cannot open", &path, e))?;
        let (before, lines) = expected.unwrap_or((0, 0));
        if let Err(e) = file.write_all(&line).and_then(|()| file.sync_all()) {
            // Best effort: leave the file as it was, so the next run does not find half a line.
            let _ = file.set_len(before).and_then(|()| file.sync_all());
            return Err(Error::io("cannot write", &path, e));
        }
        if created {
            sync_dir(&dir).map_err(|e| Error::io("cannot sync", &dir, e))?;
        }
        let file_index = match self.ledger.files.iter().position(|f| *f == rel) {
            Some(i) => i,
            None => {
                self.ledger.files.push(rel.clone());
                self.ledger.files.len() - 1
            }
        };
        self.lengths.insert(rel, (before + line.len() as u64, lines + 1));
        self.ledger.push(entry, Loc { file: file_index, line: lines + 1, hash });
        Ok(self.ledger.entries.last().expect("just pushed"))
    }
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

/// An incomplete last line: what a crash in the middle of a write leaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TornTail {
    /// Relative to the repository root.
    pub file: PathBuf,
    /// 1-based.
    pub line: usize,
    /// The incomplete bytes.
    pub bytes: Vec<u8>,
}

/// The incomplete last line of the ledger under `root`, if the last write was interrupted.
pub fn torn_tail(root: &Path) -> Result<Option<TornTail>> {
    let files = super::read_files(root)?;
    let Some((rel, bytes)) = files.into_iter().last() else { return Ok(None) };
    if bytes.is_empty() || bytes.ends_with(b"\n") {
        return Ok(None);
    }
    let start = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let line = bytes[..start].iter().filter(|&&b| b == b'\n').count() + 1;
    Ok(Some(TornTail { file: rel, line, bytes: bytes[start..].to_vec() }))
}

/// Removes an incomplete last line, holding the lock so no publisher is mid-write. Returns
/// what was removed so the caller can show it; never touches a complete line.
pub fn repair_torn_tail(lock: &Lock) -> Result<Option<TornTail>> {
    let Some(torn) = torn_tail(lock.root())? else { return Ok(None) };
    let path = lock.root().join(&torn.file);
    let file = std::fs::OpenOptions::new().write(true).open(&path).map_err(|e| Error::io("cannot open", &path, e))?;
    let len = file.metadata().map_err(|e| Error::io("cannot read", &path, e))?.len();
    let keep = len - torn.bytes.len() as u64;
    file.set_len(keep).and_then(|()| file.sync_all()).map_err(|e| Error::io("cannot repair", &path, e))?;
    Ok(Some(torn))
}
