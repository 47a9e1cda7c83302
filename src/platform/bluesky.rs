//! Bluesky: 300 graphemes and 3000 bytes. The text carries no markup: links and hashtags are
//! facets addressed by UTF-8 byte offsets, so a link can show a short form of its URL (as the
//! Bluesky app does) while the facet carries the full address.

use super::segment::{ByteSlice, Facet, Feature, Segment};
use super::{Encoded, Platform, PlatformId};

pub(crate) struct Bluesky;

impl Platform for Bluesky {
    fn id(&self) -> PlatformId {
        PlatformId::Bluesky
    }
    fn char_limit(&self) -> usize {
        300
    }
    fn max_bytes(&self) -> Option<usize> {
        Some(3000)
    }
    fn threads(&self) -> bool {
        true
    }

    fn encode(&self, segments: &[Segment]) -> Encoded {
        let mut text = String::with_capacity(super::segment::plain_len(segments));
        let mut facets = Vec::new();
        for seg in segments {
            match seg {
                Segment::Text(t) => text.push_str(t),
                Segment::Link(url) => {
                    let start = text.len();
                    text.push_str(&short_url(url));
                    facets.push(Facet {
                        index: ByteSlice { byte_start: start, byte_end: text.len() },
                        features: vec![Feature::Link { uri: url.to_string() }],
                    });
                }
                Segment::Tag(tag) => {
                    let start = text.len();
                    text.push('#');
                    text.push_str(tag);
                    facets.push(Facet {
                        index: ByteSlice { byte_start: start, byte_end: text.len() },
                        features: vec![Feature::Tag { tag: tag.to_string() }],
                    });
                }
            }
        }
        Encoded { display: text.clone(), text, facets }
    }
}

/// The Bluesky app's short form of a URL: host plus at most 13 characters of the rest and
/// `...` when the rest is longer than 15 (social-app `toShortUrl`).
pub(crate) fn short_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    if scheme != "http" && scheme != "https" {
        return url.to_string();
    }
    let split = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (host, tail) = rest.split_at(split);
    let host = host.rsplit('@').next().unwrap_or(host);
    let tail = if tail == "/" { "" } else { tail };
    if tail.chars().count() > 15 {
        let cut: String = tail.chars().take(13).collect();
        format!("{host}{cut}...")
    } else {
        format!("{host}{tail}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_urls() {
        assert_eq!(short_url("https://exempelstad.se/"), "exempelstad.se");
        assert_eq!(short_url("https://exempelstad.se/sno"), "exempelstad.se/sno");
        assert_eq!(short_url("https://exempelstad.se/snorojning/karta?omrade=1"), "exempelstad.se/snorojning/k...");
        assert_eq!(short_url("mailto:a@b.se"), "mailto:a@b.se");
    }

    #[test]
    fn facets_use_utf8_byte_offsets() {
        let segs = vec![
            Segment::Text("Snö på väg: "),
            Segment::Link("https://exempelstad.se/snorojning/karta"),
            Segment::Text(" "),
            Segment::Tag("Snöröjning"),
        ];
        let e = Bluesky.encode(&segs);
        assert_eq!(e.text, "Snö på väg: exempelstad.se/snorojning/k... #Snöröjning");
        let link = &e.facets[0].index;
        assert_eq!(&e.text[link.byte_start..link.byte_end], "exempelstad.se/snorojning/k...");
        assert_eq!(link.byte_start, "Snö på väg: ".len());
        assert_eq!(link.byte_start, 15);
        let tag = &e.facets[1].index;
        assert_eq!(&e.text[tag.byte_start..tag.byte_end], "#Snöröjning");
        let json = serde_json::to_value(&e.facets[1]).unwrap();
        assert_eq!(json["features"][0]["$type"], "app.bsky.richtext.facet#tag");
        assert_eq!(json["index"]["byteStart"], tag.byte_start);
    }
}
