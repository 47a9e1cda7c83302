//! One writer at a time in a folder of records (`ledger/` for publishing, `metrics/` for
//! `metrics pull`): an exclusive OS advisory lock (`flock` on Unix, `LockFileEx` on Windows) on
//! the folder's `.lock`. The operating system releases it when the holding process ends,
//! however it ends (a SIGKILLed or cancelled CI job, a crash, a reboot), so there is no stale
//! lock to detect and nothing to break: only the OS decides whether the lock is held.
//!
//! The file stays where it is between runs (ignored by git, skipped by the ledger reader). It
//! is never removed, because removing it races: a run that opened it just before would
//! hold a lock on a file that is gone while the next one creates and locks a new file, and two
//! would run. Its contents name the holder (pid, host, tool, time) for the message a refused
//! run shows, and nothing else: they are cleared on release but left behind by a killed
//! process, which is harmless because they are read only while the OS says the lock is held.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

const LOCK: &str = ".lock";

/// A folder of records with a lock, and the words its messages use.
#[derive(Debug, Clone, Copy)]
pub struct Folder {
    /// Relative to the repository root: `ledger`, `metrics`.
    pub dir: &'static str,
    /// What is locked, for messages: "the ledger".
    pub what: &'static str,
    /// Who takes the lock: "publisher", "metrics pull".
    pub runner: &'static str,
}

/// How long a taken lock is tried again before it counts as held. A released lock stays taken
/// while a child process that another thread of the releasing process was starting gets to
/// `exec` (the child inherits the descriptor, close-on-exec or not), and [`lock_holder`] takes
/// it for an instant; neither should refuse a run.
const GRACE: Duration = Duration::from_millis(500);
const POLL: Duration = Duration::from_millis(10);

/// Who holds the lock, as its lock file says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    pub pid: u32,
    pub host: String,
    pub at: Timestamp,
    #[serde(default)]
    pub tool: String,
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "process {} on host {}", self.pid, self.host)?;
        if !self.tool.is_empty() {
            write!(f, " ({})", self.tool)?;
        }
        write!(f, " since {}", self.at)
    }
}

/// The held lock. Dropping it (or the process ending) releases it; [`Lock::release`] reports a
/// failure to clear the holder information.
#[derive(Debug)]
pub struct Lock {
    file: File,
    path: PathBuf,
    root: PathBuf,
    released: bool,
}

impl Folder {
    fn lock_path(&self, root: &Path) -> PathBuf {
        root.join(self.dir).join(LOCK)
    }
}

impl Lock {
    /// Takes the lock of `folder` under `root`, creating the folder if needed, waiting no
    /// longer than half a second: a run that finds another one running stops, and the next
    /// scheduled run picks up what is left. A held lock is an `Error::Io` of kind `WouldBlock`
    /// naming the holder.
    pub fn acquire(root: &Path, folder: &Folder) -> Result<Lock> {
        let dir = root.join(folder.dir);
        std::fs::create_dir_all(&dir).map_err(|e| Error::io("cannot create", &dir, e))?;
        let path = folder.lock_path(root);
        // Not truncated on open: until the lock is ours, the contents are the holder's.
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| Error::io("cannot open", &path, e))?;
        match within_grace(|| file.try_lock()) {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => return Err(held(&path, folder)),
            Err(TryLockError::Error(e)) => return Err(Error::io("cannot lock", &path, e)),
        }
        let me = Holder { pid: std::process::id(), host: host_name(), at: Timestamp::now(), tool: tool() };
        // Information only: the lock is held whether or not this is written (a full disk shows
        // up at the first record written anyway).
        let _ = write_holder(&file, &me);
        Ok(Lock { file, path, root: root.to_path_buf(), released: false })
    }

    /// The repository root whose folder this lock guards.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Releases the lock, reporting a failure to clear the holder information (the lock itself
    /// is released either way, when the file is closed).
    pub fn release(mut self) -> Result<()> {
        self.released = true;
        self.file.set_len(0).map_err(|e| Error::io("cannot clear", &self.path, e))
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        if !self.released {
            let _ = self.file.set_len(0);
        }
    }
}

/// Who holds the lock of `folder` under `root`, for status messages: `Ok(None)` when it is
/// free, else the holder its file names (`Err` with the file's text when that is no holder,
/// empty while a run is starting). Like [`Lock::acquire`], it sees a lock as held only when it
/// stays taken for half a second.
pub fn lock_holder(root: &Path, folder: &Folder) -> Result<Option<Result<Holder, String>>> {
    let path = folder.lock_path(root);
    let file = match File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io("cannot open", &path, e)),
    };
    match within_grace(|| file.try_lock_shared()) {
        Ok(()) => Ok(None),
        Err(TryLockError::WouldBlock) => Ok(Some(read_holder(&path))),
        Err(TryLockError::Error(e)) => Err(Error::io("cannot lock", &path, e)),
    }
}

fn within_grace(mut take: impl FnMut() -> Result<(), TryLockError>) -> Result<(), TryLockError> {
    let started = Instant::now();
    loop {
        match take() {
            Err(TryLockError::WouldBlock) if started.elapsed() < GRACE => std::thread::sleep(POLL),
            other => return other,
        }
    }
}

fn write_holder(mut file: &File, holder: &Holder) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(holder)?;
    line.push(b'\n');
    file.set_len(0)?;
    file.write_all(&line)
}

/// What the lock file says. Unreadable counts as unknown: Windows refuses to read a file
/// another process has locked.
fn read_holder(path: &Path) -> Result<Holder, String> {
    let bytes = std::fs::read(path).unwrap_or_default();
    serde_json::from_slice(&bytes).map_err(|_| String::from_utf8_lossy(&bytes).trim().to_string())
}

fn held(path: &Path, folder: &Folder) -> Error {
    let runner = folder.runner;
    let who = match read_holder(path) {
        Ok(h) => format!("by {h}"),
        Err(text) if text.is_empty() => format!("by a {runner} that has not written who it is yet"),
        Err(text) => format!("(its lock file says: {text})"),
    };
    let msg = format!(
        "{} is locked {who}: another {runner} is running. Wait for it to finish, or stop it, \
         and run again. The lock is the operating system's and ends with that process, so there is \
         nothing to remove: deleting {} would let two of them run at once",
        folder.what,
        path.display()
    );
    Error::io("cannot lock", path, std::io::Error::new(ErrorKind::WouldBlock, msg))
}

/// The host name, so a refused run can tell where the running one is.
fn host_name() -> String {
    let from_proc = std::fs::read_to_string("/proc/sys/kernel/hostname").ok();
    let name = from_proc
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .unwrap_or_default();
    name.trim().to_string()
}

pub(crate) fn tool() -> String {
    format!("budkavle {}", env!("CARGO_PKG_VERSION"))
}
