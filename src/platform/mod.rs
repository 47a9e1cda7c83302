//! One module per platform behind one trait. A platform knows how it counts, its limits, whether
//! it threads, and how a rendered text becomes its payload (escaping, facets). Sending comes with
//! the publish stage; everything here is pure so `check`, `build` and `preview` agree exactly
//! with what `publish` will send. Sending is the other half: [`api::Connection`], built by
//! [`connect`] from an account's configuration and secrets.

pub mod api;
mod bluesky;
pub mod count;
mod facebook;
pub mod http;
mod id;
mod instagram;
mod linkedin;
mod mastodon;
pub(crate) mod segment;
mod threads;
mod x;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::strategy::Strategy;

pub use count::Length;
pub use id::{PlatformId, UnknownPlatform};
pub use segment::{Facet, Segment};

/// What a platform receives for one thread part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Encoded {
    /// The payload text, exactly as sent.
    pub text: String,
    /// What a reader sees (differs from `text` where the payload escapes, as on LinkedIn);
    /// limits apply to this.
    #[serde(skip)]
    pub display: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub facets: Vec<Facet>,
}

pub trait Platform: Sync {
    fn id(&self) -> PlatformId;

    /// The platform's own limit in its counting unit.
    fn char_limit(&self) -> usize;

    /// A second, byte-based cap where the platform has one (Bluesky).
    fn max_bytes(&self) -> Option<usize> {
        None
    }

    /// Whether thematic breaks become a reply thread here; otherwise parts are joined.
    fn threads(&self) -> bool {
        false
    }

    fn max_media(&self) -> usize {
        4
    }

    fn requires_media(&self) -> bool {
        false
    }

    fn max_hashtags(&self) -> Option<usize> {
        None
    }

    /// Measures what a reader sees, by the platform's own rule.
    fn count(&self, display: &str) -> Length {
        count::count(self.id(), display)
    }

    /// Turns rendered segments into the payload. The default writes links as their URL and
    /// tags as `#Tag` in plain text, which is what most platforms auto-link.
    fn encode(&self, segments: &[Segment]) -> Encoded {
        let text = segment::plain(segments);
        Encoded { display: text.clone(), text, facets: Vec::new() }
    }
}

/// The platform implementation for an id.
pub fn get(id: PlatformId) -> &'static dyn Platform {
    match id {
        PlatformId::Mastodon => &mastodon::Mastodon,
        PlatformId::Bluesky => &bluesky::Bluesky,
        PlatformId::X => &x::X,
        PlatformId::Facebook => &facebook::Facebook,
        PlatformId::Instagram => &instagram::Instagram,
        PlatformId::Linkedin => &linkedin::Linkedin,
        PlatformId::Threads => &threads::Threads,
    }
}

/// Whether budkavle can send to this platform itself; the others are rendered for a person to
/// post by hand.
pub fn can_publish(id: PlatformId) -> bool {
    matches!(id, PlatformId::Mastodon | PlatformId::Bluesky)
}

/// Whether budkavle can pin a post to the account's profile there.
pub fn can_pin(id: PlatformId) -> bool {
    matches!(id, PlatformId::Mastodon | PlatformId::Bluesky)
}

/// Logs in to the account strategy.toml configures for `id`, reading its secrets through `env`
/// (the process environment in the CLI, a map in tests).
pub fn connect(
    strategy: &Strategy,
    id: PlatformId,
    env: &dyn Fn(&str) -> Option<String>,
    http: &http::Http,
) -> Result<Box<dyn api::Connection>> {
    match id {
        PlatformId::Mastodon => mastodon::connect(strategy, env, http),
        PlatformId::Bluesky => bluesky::connect(strategy, env, http),
        other => Err(Error::Usage(format!(
            "budkavle cannot publish to {} itself; its rendering in dist/{other}/ is for posting by hand",
            other.display_name()
        ))),
    }
}
