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
    // Below U+0300 no character extends a cluster (combining marks, joiners, selectors and
    // emoji modifiers all lie above), nor among the dashes, quotes, bullets and ellipsis of
    // General Punctuation; so for most Swedish and English text one character is one grapheme —
    // except CR LF, which is one. Segmenting is far slower; do it only when needed.
    // The test reads UTF-8 bytes rather than decoded characters: below U+0300 a character is
    // ASCII or has a lead byte under 0xCC, and General Punctuation is 0xE2 0x80–0x81 ….
    // Eight bytes at a time where none is a CR and none leads a character from U+0300 up (lead
    // byte 0xCC or above): one character for each byte that does not continue one. A word
    // whose last byte leads a character takes that character's second byte with it, so a word
    // always starts a character. Where a word does not pass, its bytes go one by one before the
    // next word is tried. (Swedish has an å, ä or ö every few words: taking only ASCII words
    // left most of its text to the byte-by-byte path.)
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const ONES: u64 = 0x0101_0101_0101_0101;
    const CRS: u64 = 0x0D0D_0D0D_0D0D_0D0D;
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    // Added to a byte's low seven bits, sets its high bit when the byte is 0xCC or above (or,
    // for ASCII, 0x4C or above: masked off by the byte's own high bit).
    const FROM_CC: u64 = 0x3434_3434_3434_3434;
    let bytes = text.as_bytes();
    let mut chars = 0;
    let mut prev_cr = false;
    let mut i = 0;
    let mut bytewise_until = 0;
    while i < bytes.len() {
        if i >= bytewise_until
            && !prev_cr
            && let Some(word) = bytes.get(i..i + 8).and_then(|w| <[u8; 8]>::try_from(w).ok())
        {
            let w = u64::from_le_bytes(word);
            let cr = w ^ CRS;
            // No byte of `cr` zero (no CR), and no byte from 0xCC up.
            if cr.wrapping_sub(ONES) & !cr & HIGH == 0 && ((w & LOW7) + FROM_CC) & w & HIGH == 0 {
                // Continuation bytes are 10xxxxxx.
                let continuing = w & !(w << 1) & HIGH;
                chars += 8 - continuing.count_ones() as usize;
                i += if word[7] >= 0xC0 { 9 } else { 8 };
                continue;
            }
            bytewise_until = i + 8;
        }
        let b = bytes[i];
        if b < 0x80 {
            if !(prev_cr && b == b'\n') {
                chars += 1;
            }
            prev_cr = b == b'\r';
            i += 1;
            continue;
        }
        prev_cr = false;
        if b < 0xCC {
            // U+0080–U+02FF: two bytes.
            chars += 1;
            i += 2;
            continue;
        }
        if b == 0xE2
            && let (Some(&b1 @ (0x80 | 0x81)), Some(&b2)) = (bytes.get(i + 1), bytes.get(i + 2))
        {
            let c = 0x2000 | (u32::from(b1 & 0x3F) << 6) | u32::from(b2 & 0x3F);
            if matches!(c, 0x2010..=0x2027 | 0x2030..=0x205E) {
                chars += 1;
                i += 3;
                continue;
            }
        }
        return text.graphemes(true).count();
    }
    chars
}

#[cfg(test)]
mod tests {
    use super::*;

    const GRAPHEME_PLATFORMS: [PlatformId; 4] =
        [PlatformId::Facebook, PlatformId::Instagram, PlatformId::Linkedin, PlatformId::Threads];

    #[test]
    fn fast_path_agrees_with_segmentation() {
        for text in [
            "",
            "hej",
            "Snö på vägen.\r\nRad två\r",
            "a\r\n\r\nb",
            "åäö ÅÄÖ éü ß ø",
            "a\u{301}",
            "tab\there",
            "• punkt – ”citat” … ‰",
            "•\u{301}",
            "a\u{200D}b",
            "\u{2FF}\u{2010}\u{2027}\u{2028}x",
            "\u{2029}\u{202F}\u{2030}\u{205E}\u{205F}\u{2060}",
            "\r\u{2026}\n\r\n\u{2070}",
            "ʼa\u{300}\u{2011}\u{2012}",
        ] {
            assert_eq!(graphemes(text), text.graphemes(true).count(), "{text:?}");
        }
        // Every position of a CR, a CR LF, a non-ASCII letter and a combining mark against the
        // eight-byte words.
        for piece in ["\r", "\r\n", "\n", "å", "a\u{301}", "\u{2026}", "\r\r\n"] {
            for before in 0..20 {
                for after in [0, 1, 7, 8, 9, 17] {
                    let text = format!("{}{piece}{}", "x".repeat(before), "y\n".repeat(after));
                    assert_eq!(graphemes(&text), text.graphemes(true).count(), "{text:?}");
                }
            }
        }
    }

    #[test]
    fn words_of_latin_letters_agree_with_segmentation() {
        const PIECES: [&str; 16] =
            ["a", "x", " ", "å", "Ö", "é", "ʼ", "\u{2FF}", "\u{300}", "\u{301}", "\r", "\n", "\r\n", "•", "…", "€"];
        let mut next = crate::testing::seeded(9);
        for _ in 0..20_000 {
            // Mostly letters, so long runs reach the eight-byte path at every alignment.
            let text: String = (0..next(40))
                .map(|_| if next(4) == 0 { PIECES[next(PIECES.len())] } else { PIECES[next(7)] })
                .collect();
            assert_eq!(graphemes(&text), text.graphemes(true).count(), "{text:?}");
        }
    }

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
