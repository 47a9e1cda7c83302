//! Mastodon: 500 by default (instances differ: `char_limit` in strategy.toml), threads by reply.

use super::{Platform, PlatformId};

pub(crate) struct Mastodon;

impl Platform for Mastodon {
    fn id(&self) -> PlatformId {
        PlatformId::Mastodon
    }
    fn char_limit(&self) -> usize {
        500
    }
    fn threads(&self) -> bool {
        true
    }
}

/// Placeholder until the client lands; replaced by the Mastodon client.
pub(crate) fn connect(
    _strategy: &crate::strategy::Strategy,
    _env: &dyn Fn(&str) -> Option<String>,
    _http: &super::http::Http,
) -> crate::error::Result<Box<dyn super::api::Connection>> {
    Err(crate::error::Error::Usage("the Mastodon client is not built yet".into()))
}
