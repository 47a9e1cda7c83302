//! The platforms' rules, pure: one module per platform behind one trait. A platform knows how it
//! counts, its limits, whether it threads, and how a rendered text becomes its payload
//! (escaping, facets), so `check`, `build` and `preview` agree exactly with what `publish` will
//! send. Nothing here does I/O; sending is [`crate::clients`], a layer above.

mod bluesky;
pub mod count;
mod editing;
mod facebook;
mod id;
mod instagram;
pub(crate) mod linkedin;
mod mastodon;
mod remote;
pub(crate) mod segment;
mod threads;
mod x;

use serde::Serialize;

pub use count::Length;
pub use editing::{Editing, correction_form, correction_label, editing};
pub use id::{PlatformId, UnknownPlatform};
pub use remote::Remote;
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

    /// What a post with `images` images lacks for this platform, in a few words for a note
    /// ("no image"): a post that does not name its platforms is simply not sent here.
    fn unmet(&self, images: usize) -> Option<&'static str> {
        (self.requires_media() && images == 0).then_some("no image")
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

/// Whether budkavle can pin a post to the account's profile there.
pub fn can_pin(id: PlatformId) -> bool {
    matches!(id, PlatformId::Mastodon | PlatformId::Bluesky)
}
