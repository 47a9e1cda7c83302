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
