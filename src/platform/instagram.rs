//! Instagram: a caption under an image. Links are not clickable there, but the URL is still the
//! most useful thing to print, so it stays.

use super::{Platform, PlatformId};

pub(crate) struct Instagram;

impl Platform for Instagram {
    fn id(&self) -> PlatformId {
        PlatformId::Instagram
    }
    fn char_limit(&self) -> usize {
        2_200
    }
    fn requires_media(&self) -> bool {
        true
    }
    fn max_media(&self) -> usize {
        10
    }
    fn max_hashtags(&self) -> Option<usize> {
        Some(30)
    }
}
