//! Listening: reading back from the platforms what happened to what was published. Each
//! reader goes through the same clients as `publish` ([`crate::clients::connect`]) and writes
//! only to its own records: `metrics` to its folder, committed like the ledger; `inbox` to the
//! inbox store outside the repository.
//!
//! What both share lives here: which published parts are still live, and how a platform that
//! could not be read is reported ([`Stop`]) while the others go on.

pub mod inbox;
pub mod metrics;

use jiff::Timestamp;
use serde::Serialize;

use crate::clients::api::{Connection, ErrorKind, SendError};
use crate::clients::http::Http;
use crate::ledger::Ledger;
use crate::platform::{PlatformId, Remote};
use crate::project::Project;

/// Why a platform was left before all its posts were read.
#[derive(Debug, Clone, Serialize)]
pub struct Stop {
    pub platform: PlatformId,
    /// The posts not read in this run.
    pub left: usize,
    pub message: String,
    /// A limit or an outage: the next run carries on by itself. Otherwise a person must act
    /// (credentials, configuration), or the platform cannot be read this way.
    pub transient: bool,
    /// budkavle cannot read this from the platform at all.
    pub unsupported: bool,
}

impl Stop {
    /// A failure of a client call. The message is the client's, which never holds a secret.
    pub(crate) fn of(platform: PlatformId, left: usize, e: &SendError) -> Stop {
        let (transient, unsupported) = match e {
            SendError::Transient { .. } => (true, false),
            SendError::Permanent { kind, .. } => (false, *kind == ErrorKind::Unsupported),
        };
        // An unsupported platform's message says all there is; the others carry their advice.
        let message = if unsupported { e.message().to_string() } else { e.to_string() };
        Stop { platform, left, message, transient, unsupported }
    }
}

/// Logs in to `platform`, or says why not as a [`Stop`] that needs a person (a missing
/// secret, a bad URL in strategy.toml).
pub(crate) fn connect(
    project: &Project,
    platform: PlatformId,
    env: &dyn Fn(&str) -> Option<String>,
    http: &Http,
    left: usize,
) -> Result<Box<dyn Connection>, Stop> {
    crate::clients::connect(&project.strategy, platform, env, http).map_err(|e| Stop {
        platform,
        left,
        message: e.to_string(),
        transient: false,
        unsupported: false,
    })
}

/// A published part that is still on its platform as far as budkavle knows: not deleted
/// since, its post not retracted.
#[derive(Debug, Clone)]
pub(crate) struct Live<'a> {
    pub post: &'a str,
    pub platform: PlatformId,
    pub remote: &'a Remote,
    pub published: Timestamp,
}

/// Every live published pair of the ledger, in ledger order.
pub(crate) fn live<'a>(project: &'a Project, ledger: &'a Ledger) -> impl Iterator<Item = Live<'a>> + 'a {
    ledger.states().filter_map(move |(post, platform, state)| {
        let (Some(published), Some(remote)) = (state.published, state.remote) else { return None };
        if state.deleted.is_some_and(|d| d.seq > published.seq) {
            return None;
        }
        if project.post(post).is_some_and(|p| p.retracted.is_some()) {
            return None;
        }
        Some(Live { post, platform, remote, published: published.at })
    })
}
