//! How long a post is on each platform, in that platform's own unit.
//!
//! No platform counts `str::len` or `chars().count()`: X weighs characters and bills links at a
//! fixed width, Mastodon counts grapheme clusters after shortening links and remote mentions,
//! Bluesky caps both graphemes and bytes, and the rest count user-perceived characters.
//! Getting this exactly right is the point: a post that overflows is rejected at post time.

pub mod bluesky;
pub mod mastodon;
pub mod x;

use unicode_segmentation::UnicodeSegmentation;

use crate::platform::PlatformId;

pub use mastodon::mastodon_with_spoiler;

/// The measured size of a text on one platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Length {
    /// The platform's own unit: weighted length for X, graphemes after the link and mention
    /// rules for Mastodon, graphemes elsewhere.
    pub chars: usize,
    /// UTF-8 bytes of the text as written (before any normalisation), which Bluesky also caps.
    pub bytes: usize,
}

/// The size of `text` on `platform`, without a content warning.
pub fn count(platform: PlatformId, text: &str) -> Length {
    match platform {
        PlatformId::Mastodon => mastodon::count(text),
        PlatformId::Bluesky => bluesky::count(text),
        PlatformId::X => Length { chars: x::weighted_length(text, x::XConfig::V3), bytes: text.len() },
        // Facebook, Instagram, LinkedIn and Threads document a limit in "characters" and
        // their composers stop at user-perceived characters, so a flag or a family emoji is
        // one, not the four to eleven code points it is made of.
        PlatformId::Facebook | PlatformId::Instagram | PlatformId::Linkedin | PlatformId::Threads => {
            Length { chars: graphemes(text), bytes: text.len() }
        }
    }
}

/// User-perceived characters: extended grapheme clusters (UAX #29), the unit Mastodon's and
/// Bluesky's own counters use.
pub fn graphemes(text: &str) -> usize {
    text.graphemes(true).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GRAPHEME_PLATFORMS: [PlatformId; 4] =
        [PlatformId::Facebook, PlatformId::Instagram, PlatformId::Linkedin, PlatformId::Threads];

    #[test]
    fn grapheme_platforms_count_user_perceived_characters() {
        let cases: &[(&str, usize, usize)] = &[
            ("", 0, 0),
            ("hej", 3, 3),
            ("👨\u{200D}👩\u{200D}👧\u{200D}👦", 1, 25),
            ("🇸🇪", 1, 8),
            ("👍🏽", 1, 8),
            ("1\u{FE0F}\u{20E3}", 1, 7),
            ("e\u{301}", 1, 3),
            ("a\u{30A}", 1, 3),
            ("å", 1, 2),
            ("日本語", 3, 9),
            // Links are not shortened on these platforms.
            ("https://example.com", 19, 19),
        ];
        for platform in GRAPHEME_PLATFORMS {
            for &(text, chars, bytes) in cases {
                assert_eq!(count(platform, text), Length { chars, bytes }, "{platform} {text:?}");
            }
        }
    }
}
