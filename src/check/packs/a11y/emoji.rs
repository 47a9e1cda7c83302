//! Finding emoji in text without the full Unicode emoji tables: a grapheme cluster is an emoji
//! when it starts with a character that is drawn as a picture by default, or when it asks for
//! picture presentation (U+FE0F) or is a keycap. Text-style symbols (✓, ™, →) are not emoji: a
//! screen reader reads them, but as the one short word they are.

use std::ops::Range;

use unicode_segmentation::UnicodeSegmentation;

/// Byte ranges of the emoji in `text`, one per user-perceived character.
pub(crate) fn emoji(text: &str) -> Vec<Range<usize>> {
    // Every emoji holds a character from U+20E3 (keycap) up; most text has none, and
    // segmenting it into graphemes would be wasted.
    if !text.chars().any(|c| c >= '\u{20e3}') {
        return Vec::new();
    }
    text.grapheme_indices(true).filter(|(_, g)| is_emoji(g)).map(|(i, g)| i..i + g.len()).collect()
}

/// Whether one grapheme cluster is an emoji.
pub(crate) fn is_emoji(cluster: &str) -> bool {
    let Some(first) = cluster.chars().next() else { return false };
    if cluster.contains('\u{20e3}') {
        return true; // keycap: 1️⃣ #️⃣
    }
    if cluster.contains('\u{fe0f}') {
        return !first.is_alphanumeric() && !first.is_whitespace();
    }
    if cluster.contains('\u{fe0e}') {
        return false; // text presentation asked for
    }
    pictographic_by_default(first)
}

/// Characters shown as a picture without a variation selector (Emoji_Presentation, roughly,
/// plus the pictographs people type as emoji from an emoji keyboard).
fn pictographic_by_default(c: char) -> bool {
    let u = c as u32;
    matches!(u,
        // Mahjong, cards, enclosed alphanumeric supplement's emoji (🅰 🆗, regional indicators),
        // pictographs, emoticons, transport, supplemental symbols and pictographs, extended-A.
        0x1F004 | 0x1F0CF | 0x1F170..=0x1F171 | 0x1F17E..=0x1F17F | 0x1F18E | 0x1F191..=0x1F19A
        | 0x1F1E6..=0x1F1FF | 0x1F201..=0x1F202 | 0x1F21A | 0x1F22F | 0x1F232..=0x1F23A
        | 0x1F250..=0x1F251 | 0x1F300..=0x1F6FF | 0x1F7E0..=0x1F7EB | 0x1F7F0
        | 0x1F90C..=0x1F9FF | 0x1FA70..=0x1FAFF
        // Emoji_Presentation characters of the BMP.
        | 0x231A..=0x231B | 0x23E9..=0x23EC | 0x23F0 | 0x23F3 | 0x25FD..=0x25FE | 0x2614..=0x2615
        | 0x2648..=0x2653 | 0x267F | 0x2693 | 0x26A1 | 0x26AA..=0x26AB | 0x26BD..=0x26BE
        | 0x26C4..=0x26C5 | 0x26CE | 0x26D4 | 0x26EA | 0x26F2..=0x26F3 | 0x26F5 | 0x26FA | 0x26FD
        | 0x2705 | 0x270A..=0x270B | 0x2728 | 0x274C | 0x274E | 0x2753..=0x2755 | 0x2757
        | 0x2795..=0x2797 | 0x27B0 | 0x27BF | 0x2B1B..=0x2B1C | 0x2B50 | 0x2B55
        // Often typed without U+FE0F and shown as emoji anyway: ☀ ☎ ☑ ☔ ☝ ☺ ♻ ⚠ ⛔ ✂ ✈ ✉ ✌ ✍ ✏ ✔ ✖ ❄ ❤ ➡ ⬅ ⬆ ⬇.
        | 0x2600..=0x2604 | 0x260E | 0x2611 | 0x261D | 0x263A | 0x267B | 0x26A0 | 0x2702 | 0x2708..=0x2709
        | 0x270C..=0x270D | 0x270F | 0x2714 | 0x2716 | 0x2744 | 0x2764 | 0x27A1 | 0x2B05..=0x2B07
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(s: &str) -> usize {
        emoji(s).len()
    }

    #[test]
    fn emoji_and_not() {
        assert_eq!(count("Hej 👋 och ✅ och ❤️ och 🇸🇪 och 1️⃣"), 5);
        assert_eq!(count("👩‍👩‍👧 👍🏽"), 2);
        assert_eq!(count("✓ ™ © → € – … 1 # 2026"), 0);
        assert_eq!(count("⚠ Varning ☀"), 2);
        assert_eq!(count("☎︎ text style"), 0);
    }
}
