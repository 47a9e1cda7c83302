//! One publisher at a time: `ledger/.lock`, created with `create_new` (atomic on local file
//! systems) and holding who took it. A lock left by a publisher that died on this host is
//! broken, with a note the caller shows; every other held lock is refused with who holds it.
//!
//! Breaking is deliberately narrow. It needs the same host name, the same user (a process of
//! another user may be invisible in `/proc`), and `/proc/<pid>` to be gone. A reused pid looks
//! alive and is refused, which errs on the safe side. Two processes breaking the same stale
//! lock are kept apart by a second lock file, `ledger/.lock.break`, held only while the stale
//! lock is checked again, removed and replaced.

use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

const LOCK: &str = ".lock";
const BREAK: &str = ".lock.break";

/// Who holds the lock.
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
        write!(f, "process {} on host {} since {}", self.pid, self.host, self.at)
    }
}

/// The held lock; released on drop (or with [`Lock::release`] to see errors).
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
    root: PathBuf,
    contents: Vec<u8>,
    broke: Option<Holder>,
    released: bool,
}

impl Lock {
    /// Takes the lock of the ledger under `root`, creating `ledger/` if needed. A held lock is
    /// an `Error::Io` of kind `WouldBlock` naming the holder.
    pub fn acquire(root: &Path) -> Result<Lock> {
        let dir = root.join(super::DIR);
        std::fs::create_dir_all(&dir).map_err(|e| Error::io("cannot create", &dir, e))?;
        let path = dir.join(LOCK);
        let me = Holder { pid: std::process::id(), host: host_name(), at: Timestamp::now(), tool: tool() };
        let mut contents = serde_json::to_vec(&me).map_err(|e| Error::Usage(format!("cannot write the lock: {e}")))?;
        contents.push(b'\n');
        match create(&path, &contents) {
            Ok(()) => return Ok(Lock { path, root: root.to_path_buf(), contents, broke: None, released: false }),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
            Err(e) => return Err(Error::io("cannot create", &path, e)),
        }
        let seen = read_lock(&path)?;
        let Some(seen) = seen else {
            // Released between our attempt and the read: try once more, and report if that fails.
            return match create(&path, &contents) {
                Ok(()) => Ok(Lock { path, root: root.to_path_buf(), contents, broke: None, released: false }),
                Err(e) if e.kind() == ErrorKind::AlreadyExists => Err(held(&path, None)),
                Err(e) => Err(Error::io("cannot create", &path, e)),
            };
        };
        let holder: Option<Holder> = serde_json::from_slice(&seen).ok();
        match &holder {
            Some(h) if is_stale(h, &path) => {
                break_stale(&dir, &path, &seen, &contents, h)?;
                Ok(Lock { path, root: root.to_path_buf(), contents, broke: holder, released: false })
            }
            _ => Err(held(&path, holder.as_ref())),
        }
    }

    /// The dead publisher whose lock was broken to take this one, if any.
    pub fn broke_stale(&self) -> Option<&Holder> {
        self.broke.as_ref()
    }

    /// A sentence for the person running the command, when a stale lock was broken.
    pub fn note(&self) -> Option<String> {
        self.broke.as_ref().map(|h| {
            format!(
                "removed a stale ledger lock left by {h}: that process no longer runs. Any intent it left \
                 without an outcome is reconciled before anything is sent"
            )
        })
    }

    /// The repository root whose ledger this lock guards.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Releases the lock, reporting a failure to remove it.
    pub fn release(mut self) -> Result<()> {
        self.released = true;
        self.remove()
    }

    fn remove(&self) -> Result<()> {
        // Never remove a lock that is no longer ours (someone removed ours by hand and took it).
        match std::fs::read(&self.path) {
            Ok(now) if now == self.contents => {
                std::fs::remove_file(&self.path).map_err(|e| Error::io("cannot remove", &self.path, e))
            }
            Ok(_) => Ok(()),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::io("cannot read", &self.path, e)),
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        if !self.released {
            let _ = self.remove();
        }
    }
}

/// Who holds the lock of the ledger under `root`, for status messages. `Ok(None)` when free;
/// a lock file that cannot be parsed is reported as held by an unknown process.
pub fn lock_holder(root: &Path) -> Result<Option<Result<Holder, String>>> {
    let path = root.join(super::DIR).join(LOCK);
    Ok(read_lock(&path)?
        .map(|bytes| serde_json::from_slice(&bytes).map_err(|_| String::from_utf8_lossy(&bytes).trim().to_string())))
}

fn create(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(path)?;
    let written = f.write_all(contents).and_then(|()| f.sync_all());
    if let Err(e) = written {
        drop(f);
        let _ = std::fs::remove_file(path);
        return Err(e);
    }
    Ok(())
}

fn read_lock(path: &Path) -> Result<Option<Vec<u8>>> {
    match std::fs::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io("cannot read", path, e)),
    }
}

fn held(path: &Path, holder: Option<&Holder>) -> Error {
    let msg = match holder {
        Some(h) => format!(
            "the ledger is locked by {h}: another publisher is running. Wait for it to finish; if it is \
             certain that none runs (e.g. its machine is gone), remove {} by hand",
            path.display()
        ),
        None => format!(
            "the ledger is locked, and the lock file cannot be read (a publisher may be starting). If it is \
             certain that none runs, remove {} by hand",
            path.display()
        ),
    };
    Error::io("cannot lock", path, std::io::Error::new(ErrorKind::WouldBlock, msg))
}

/// Whether `h` is a publisher of this user on this host that no longer runs.
fn is_stale(h: &Holder, lock: &Path) -> bool {
    if h.host.is_empty() || h.host != host_name() || h.pid == std::process::id() {
        return false;
    }
    same_user(lock) && process_gone(h.pid)
}

#[cfg(target_os = "linux")]
fn process_gone(pid: u32) -> bool {
    // Without /proc nothing can be known; zombies still have an entry and count as alive.
    Path::new("/proc/self").exists() && !Path::new("/proc").join(pid.to_string()).exists()
}

#[cfg(not(target_os = "linux"))]
fn process_gone(_pid: u32) -> bool {
    false
}

#[cfg(unix)]
fn same_user(lock: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(lock), std::fs::metadata("/proc/self")) {
        (Ok(l), Ok(me)) => l.uid() == me.uid(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_user(_lock: &Path) -> bool {
    false
}

fn break_stale(dir: &Path, path: &Path, seen: &[u8], mine: &[u8], stale: &Holder) -> Result<()> {
    let guard = dir.join(BREAK);
    match create(&guard, mine) {
        Ok(()) => {}
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {
            return Err(Error::io(
                "cannot lock",
                path,
                std::io::Error::new(
                    ErrorKind::WouldBlock,
                    format!(
                        "the ledger lock of {stale} is stale, but another process is breaking it right now. \
                         Try again; if {} stays, remove it by hand",
                        guard.display()
                    ),
                ),
            ));
        }
        Err(e) => return Err(Error::io("cannot create", &guard, e)),
    }
    let result = (|| {
        // Checked again under the guard: another breaker may have taken the lock meanwhile.
        if read_lock(path)?.as_deref() != Some(seen) {
            return Err(held(path, read_lock(path)?.and_then(|b| serde_json::from_slice(&b).ok()).as_ref()));
        }
        std::fs::remove_file(path).map_err(|e| Error::io("cannot remove the stale lock", path, e))?;
        match create(path, mine) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => Err(held(path, None)),
            Err(e) => Err(Error::io("cannot create", path, e)),
        }
    })();
    let _ = std::fs::remove_file(&guard);
    result
}

/// The host name, to tell whether a lock's process could be checked from here. Empty when
/// unknown, which never matches a lock (so it is never broken).
pub(crate) fn host_name() -> String {
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
