//! Bluesky counting.
//!
//! A post record has two caps (`app.bsky.feed.post`: `maxGraphemes: 300`, `maxLength: 3000`)
//! and the server enforces both on the text exactly as sent — no normalisation — so a
//! decomposed `å` costs the same grapheme as a precomposed one but one byte more. URLs count in
//! full: links are facets over the text, not rewritten.

use super::{Length, graphemes};

/// Graphemes are the unit the app shows; bytes are the second cap that long ZWJ sequences or
/// stacked combining marks can hit first.
pub(crate) fn count(text: &str) -> Length {
    Length { chars: graphemes(text), bytes: text.len() }
}
