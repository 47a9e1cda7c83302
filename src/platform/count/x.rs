//! X (Twitter) counting.
//!
//! Everything here delegates to the `twitter-text` crate, which passes the upstream
//! twitter-text conformance suite: X's limit depends on NFC normalisation, per-range weights,
//! emoji clustering and the t.co rewrite of every URL, and a re-derivation of those rules
//! would drift from what X's composer shows.

use std::ops::Range;

use twitter_text::ParserBackend;
use twitter_text::extractor::{Extract, Extractor};
use twitter_text_config::Configuration;

/// The twitter-text counting configurations. X counts with [`XConfig::V3`]; the older ones
/// exist because the conformance data is written against them and so a preview can explain
/// why an old tool disagrees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum XConfig {
    /// Legacy 140-character tweets: every code point weighs 1.
    V1,
    /// 280 weighted: Latin-ish code points weigh 1, everything else 2, emoji per code point.
    V2,
    /// V2 plus emoji sequences counted as one emoji (weight 2). What X uses today.
    #[default]
    V3,
}

impl XConfig {
    /// `twitter_text_config` keeps each configuration in its own `LazyLock`, so every call
    /// after the first is a pointer read — this sits on the build's hot path.
    fn configuration(self) -> &'static Configuration {
        match self {
            XConfig::V1 => twitter_text_config::config_v1(),
            XConfig::V2 => twitter_text_config::config_v2(),
            XConfig::V3 => twitter_text_config::config_v3(),
        }
    }
}

/// The full verdict of X's counter, for previews that want to show where a post overflows,
/// not only by how much.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XMeasure {
    pub weighted_length: usize,
    /// Within the configuration's limit, not empty, and free of characters X rejects
    /// (U+FFFE, U+FFFF, U+202A–U+202E …).
    pub valid: bool,
    /// The weighted length per thousand of the limit, as X's progress ring shows it.
    pub permillage: usize,
    /// Inclusive UTF-16 index of the last code unit of the text, as twitter-text reports it.
    pub display_range_end: usize,
    /// Inclusive UTF-16 index of the last code unit that still fits the limit; everything after
    /// it is the overflow a preview should mark.
    pub valid_range_end: usize,
}

/// The parser backend for counting and extraction alike, so both always agree on what a link is.
///
/// twitter-text 0.3.1's default (Nom) backend finds `example.com` as a URL but then weighs it by
/// its characters instead of as a 23-character t.co link; upstream twitter-text counts a URL
/// without a scheme as 23 (twitter/twitter-text#142), and so does X. The External backend
/// (PEG grammar plus the same TLD table) gets it right and passes the same conformance cases.
const BACKEND: ParserBackend = ParserBackend::External;

/// X's weighted length of `text` under `config`: what the composer's counter shows.
pub fn weighted_length(text: &str, config: XConfig) -> usize {
    measure(text, config).weighted_length
}

/// X's full length verdict of `text` under `config`.
pub fn measure(text: &str, config: XConfig) -> XMeasure {
    let parsed = twitter_text::parse_with_parser_backend(
        text,
        config.configuration(),
        true,
        BACKEND,
    );
    XMeasure {
        weighted_length: non_negative(parsed.weighted_length),
        valid: parsed.is_valid,
        permillage: non_negative(parsed.permillage),
        display_range_end: non_negative(parsed.display_text_range.end()),
        valid_range_end: non_negative(parsed.valid_text_range.end()),
    }
}

/// A URL found in a text, with both index conventions: UTF-16 because that is what X and the
/// conformance data use, bytes because that is what Rust slicing needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlEntity {
    pub url: String,
    /// Half-open range in UTF-16 code units.
    pub utf16: Range<usize>,
    /// Half-open byte range into the text.
    pub bytes: Range<usize>,
}

/// The URLs X would turn into t.co links, including bare domains such as `example.com`.
pub fn extract_urls(text: &str) -> Vec<String> {
    extract_urls_with_indices(text)
        .into_iter()
        .map(|u| u.url)
        .collect()
}

/// [`extract_urls`] with the position of each URL.
pub fn extract_urls_with_indices(text: &str) -> Vec<UrlEntity> {
    url_entities(text, true)
}

/// URL extraction shared with Mastodon, which uses the same twitter-text rules but ignores
/// bare domains (`extract_url_without_protocol: false` in its status length validator).
pub(crate) fn url_entities(text: &str, without_protocol: bool) -> Vec<UrlEntity> {
    let mut extractor = Extractor::with_parser_backend(BACKEND);
    extractor.set_extract_url_without_protocol(without_protocol);
    let entities = extractor.extract_urls_with_indices(text);
    let mut cursor = Utf16Cursor::new(text);
    entities
        .into_iter()
        .map(|e| {
            let start = non_negative(e.get_start());
            let end = non_negative(e.get_end());
            let bytes = cursor.byte_at(start)..cursor.byte_at(end);
            UrlEntity {
                url: e.get_value().to_owned(),
                utf16: start..end,
                bytes,
            }
        })
        .collect()
}

/// Translates ascending UTF-16 offsets into byte offsets in one pass over the text, because
/// twitter-text reports entity positions in UTF-16 and entities come in document order.
struct Utf16Cursor<'a> {
    chars: std::str::CharIndices<'a>,
    utf16: usize,
    byte: usize,
    len: usize,
}

impl<'a> Utf16Cursor<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            chars: text.char_indices(),
            utf16: 0,
            byte: 0,
            len: text.len(),
        }
    }

    /// Byte offset of the char boundary at or after `target` UTF-16 units. Offsets that go
    /// backwards (never produced by twitter-text) restart nothing and return the current spot,
    /// so a surprise in the crate cannot make us slice inside a character.
    fn byte_at(&mut self, target: usize) -> usize {
        while self.utf16 < target {
            match self.chars.next() {
                Some((i, c)) => {
                    self.utf16 += c.len_utf16();
                    self.byte = i + c.len_utf8();
                }
                None => {
                    self.byte = self.len;
                    break;
                }
            }
        }
        self.byte
    }
}

/// twitter-text reports counts and indices as `i32`; none is ever negative except an empty
/// text's display range end (-1), which reads naturally as 0.
fn non_negative(v: i32) -> usize {
    usize::try_from(v).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_maps_astral_characters() {
        let text = "🐱 http://example.com";
        let urls = extract_urls_with_indices(text);
        assert_eq!(urls.len(), 1);
        assert_eq!(urls[0].utf16, 3..21);
        assert_eq!(&text[urls[0].bytes.clone()], "http://example.com");
    }

    #[test]
    fn bare_domain_counts_as_a_link() {
        assert_eq!(weighted_length("see example.com", XConfig::V3), 4 + 23);
    }
}
