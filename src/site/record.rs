//! What the archive knows beyond the posts at HEAD: where each post was published (from the
//! ledger) and every committed version of it (from git history). The ledger and git modules
//! fill this; the site only reads it, so it can be built from fixtures in tests.

use std::collections::HashMap;

use jiff::Timestamp;
use serde::Serialize;

use crate::platform::PlatformId;

#[derive(Debug, Clone, Default)]
pub struct Record {
    /// By post id: each platform it went out on.
    pub published: HashMap<String, Vec<Published>>,
    /// By post id: every committed version, oldest first (version 1 is the first commit).
    pub versions: HashMap<String, Vec<Version>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Published {
    pub platform: PlatformId,
    /// The live post, when the platform gave one.
    pub url: Option<String>,
    pub at: Timestamp,
    /// Set when the post was later removed from the platform (retracted).
    pub deleted_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Version {
    /// 1-based, in commit order.
    pub n: usize,
    pub commit: String,
    pub date: Timestamp,
    /// Only shown when `[site] show_authors = true`.
    pub author: Option<String>,
    /// The post file's full text at that commit.
    pub source: String,
}
