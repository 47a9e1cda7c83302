//! Facebook Page posts: one long text; thematic breaks become paragraph breaks.

use super::{Platform, PlatformId};

pub(crate) struct Facebook;

impl Platform for Facebook {
    fn id(&self) -> PlatformId {
        PlatformId::Facebook
    }
    fn char_limit(&self) -> usize {
        63_206
    }
    fn max_media(&self) -> usize {
        10
    }
}
