//! One publisher at a time: the ledger's lock is [`crate::lock`]'s on `ledger/.lock`.

use std::path::Path;

use crate::error::Result;
pub use crate::lock::Holder;
use crate::lock::{self, Folder};

const FOLDER: Folder = Folder { dir: super::DIR, what: "the ledger", runner: "publisher" };

/// The held lock of the ledger. Dropping it (or the process ending) releases it;
/// [`Lock::release`] reports a failure to clear the holder information.
#[derive(Debug)]
pub struct Lock(lock::Lock);

impl Lock {
    /// Takes the ledger's lock under `root` (see [`lock::Lock::acquire`]): a publisher that
    /// finds another one running stops.
    pub fn acquire(root: &Path) -> Result<Lock> {
        lock::Lock::acquire(root, &FOLDER).map(Lock)
    }

    /// The repository root whose ledger this lock guards.
    pub fn root(&self) -> &Path {
        self.0.root()
    }

    pub fn release(self) -> Result<()> {
        self.0.release()
    }
}

/// Who holds the ledger's lock under `root` (see [`lock::lock_holder`]).
pub fn lock_holder(root: &Path) -> Result<Option<Result<Holder, String>>> {
    lock::lock_holder(root, &FOLDER)
}
