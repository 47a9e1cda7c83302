//! Bluesky counting (300 graphemes and 3000 UTF-8 bytes, on the text as sent) and the
//! platforms that count plain graphemes.

use budkavle::platform::PlatformId;
use budkavle::platform::count::{Length, count, graphemes};
use unicode_normalization::UnicodeNormalization;

const FAMILY: &str = "👨\u{200D}👩\u{200D}👧\u{200D}👦";

/// (description, text, expected graphemes, expected bytes)
const CASES: &[(&str, &str, usize, usize)] = &[
    ("plain", "hej", 3, 3),
    ("empty", "", 0, 0),
    // Links count in full: they are facets over the text, not rewritten.
    ("https link", "https://example.com", 19, 19),
    ("link with path and query", "https://example.com/a/b?c=d", 27, 27),
    ("bare domain", "example.com", 11, 11),
    // Mentions count in full too.
    ("mention", "@anna.bsky.social", 17, 17),
    ("remote-style mention", "@anna@example.social", 20, 20),
    // Graphemes
    ("ZWJ family", FAMILY, 1, 25),
    ("flag", "🇸🇪", 1, 8),
    ("skin tone", "👍🏽", 1, 8),
    ("keycap", "1\u{FE0F}\u{20E3}", 1, 7),
    ("e + combining acute", "e\u{301}", 1, 3),
    ("decomposed å", "a\u{30A}", 1, 3),
    ("precomposed å", "å", 1, 2),
    ("CJK", "日本語", 3, 9),
    ("CRLF is one grapheme", "a\r\nb", 3, 4),
];

#[test]
fn bluesky_table() {
    for &(what, text, chars, bytes) in CASES {
        assert_eq!(count(PlatformId::Bluesky, text), Length { chars, bytes }, "{what}: {text:?}");
    }
}

/// 300 graphemes fit the grapheme cap but not the byte cap, which a grapheme-only check
/// would miss.
#[test]
fn byte_cap_binds_before_grapheme_cap() {
    let families = FAMILY.repeat(300);
    let length = count(PlatformId::Bluesky, &families);
    assert_eq!(length.chars, 300);
    assert_eq!(length.bytes, 300 * 25);
    assert!(length.chars <= 300 && length.bytes > 3000);

    // Stacked combining marks: one grapheme of 1 + 5 × 2 bytes.
    let zalgo = "a\u{300}\u{301}\u{302}\u{303}\u{304}".repeat(300);
    let length = count(PlatformId::Bluesky, &zalgo);
    assert_eq!(length.chars, 300);
    assert_eq!(length.bytes, 3300);
    assert!(length.chars <= 300 && length.bytes > 3000);

    // Plain ASCII hits the grapheme cap long before the byte cap.
    let ascii = "a".repeat(301);
    let length = count(PlatformId::Bluesky, &ascii);
    assert!(length.chars > 300 && length.bytes <= 3000);
}

/// Bluesky counts the text as sent: NFC and NFD spellings are the same graphemes but not the
/// same bytes, so nothing here normalises.
#[test]
fn nfc_and_nfd_differ_only_in_bytes() {
    let text = "Åsa åker på en blå båt";
    let nfc: String = text.nfc().collect();
    let nfd: String = text.nfd().collect();
    assert_ne!(nfc, nfd);
    let (a, b) = (count(PlatformId::Bluesky, &nfc), count(PlatformId::Bluesky, &nfd));
    assert_eq!(a.chars, 22);
    assert_eq!(b.chars, 22);
    assert_eq!(a.bytes, nfc.len());
    assert_eq!(b.bytes, nfd.len());
    // Five å/Å, each one byte longer decomposed.
    assert_eq!(b.bytes - a.bytes, 5);
}

#[test]
fn grapheme_platforms() {
    let platforms = [PlatformId::Facebook, PlatformId::Instagram, PlatformId::Linkedin, PlatformId::Threads];
    let texts = [
        "hej",
        FAMILY,
        "🇸🇪👍🏽1\u{FE0F}\u{20E3}",
        "e\u{301}a\u{30A}",
        "日本語",
        "https://example.com/a/very/long/path",
        "@anna@example.social",
    ];
    let expected = [3, 1, 3, 2, 3, 36, 20];
    for platform in platforms {
        for (text, chars) in texts.iter().zip(expected) {
            assert_eq!(count(platform, text), Length { chars, bytes: text.len() }, "{platform} {text:?}");
            assert_eq!(graphemes(text), chars);
        }
    }
}
