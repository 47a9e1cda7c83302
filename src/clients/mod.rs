//! Sending: one client per platform behind [`api::Connection`], and the one HTTP stack they
//! share ([`http`]: timeouts, User-Agent, the reading of failures). Everything here does I/O;
//! the platforms' pure rules are [`crate::platform`], below. `publish` (and later metrics and
//! the inbox) reach a platform only through [`connect`].

pub mod account;
pub mod api;
mod bluesky;
pub(crate) mod heard;
pub mod http;
mod linkedin;
mod mastodon;
mod meta;
#[cfg(test)]
mod test_server;
mod x;

pub use account::Account;

use crate::error::Result;
use crate::platform::PlatformId;
use crate::strategy::Strategy;

/// Logs in to the account strategy.toml configures for `id`, reading its secrets through `env`
/// (the process environment in the CLI, a map in tests).
pub fn connect(
    strategy: &Strategy,
    id: PlatformId,
    env: &dyn Fn(&str) -> Option<String>,
    http: &http::Http,
) -> Result<Box<dyn api::Connection>> {
    let account = Account::of(strategy, id)?;
    match id {
        PlatformId::Mastodon => mastodon::connect(&account, env, http),
        PlatformId::Bluesky => bluesky::connect(&account, env, http),
        PlatformId::Linkedin => linkedin::connect(&account, env, http),
        PlatformId::X => x::connect(&account, env, http),
        PlatformId::Facebook => meta::facebook::connect(&account, env, http),
        PlatformId::Instagram => meta::instagram::connect(&account, env, http),
        PlatformId::Threads => meta::threads::connect(&account, env, http),
    }
}
