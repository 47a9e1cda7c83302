//! LinkedIn: the Posts API takes "little text", in which `| { } @ [ ] ( ) < > # \ * _ ~` are
//! markup and must be backslash-escaped; a hashtag is written `{hashtag|\#|Tag}`. The limit
//! applies to what the reader sees, so length is measured before escaping.

use super::segment::{self, Segment};
use super::{Encoded, Platform, PlatformId};

pub(crate) struct Linkedin;

const RESERVED: &[char] = &['|', '{', '}', '@', '[', ']', '(', ')', '<', '>', '#', '\\', '*', '_', '~'];

pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if RESERVED.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl Platform for Linkedin {
    fn id(&self) -> PlatformId {
        PlatformId::Linkedin
    }
    fn char_limit(&self) -> usize {
        3_000
    }
    fn max_media(&self) -> usize {
        9
    }

    fn encode(&self, segments: &[Segment]) -> Encoded {
        let mut text = String::new();
        for seg in segments {
            match seg {
                Segment::Text(t) | Segment::Link(t) => text.push_str(&escape(t)),
                Segment::Tag(t) => {
                    text.push_str("{hashtag|\\#|");
                    text.push_str(&escape(t));
                    text.push('}');
                }
            }
        }
        Encoded { text, display: segment::plain(segments), facets: Vec::new() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn little_text_escaping() {
        let segs = vec![
            Segment::Text("Fika (gratis) & *kaka* @ kl. 10_00 "),
            Segment::Link("https://a.se/x_(y)"),
            Segment::Text(" "),
            Segment::Tag("Exempelstad"),
        ];
        let e = Linkedin.encode(&segs);
        assert_eq!(
            e.text,
            "Fika \\(gratis\\) & \\*kaka\\* \\@ kl. 10\\_00 https://a.se/x\\_\\(y\\) {hashtag|\\#|Exempelstad}"
        );
        assert_eq!(e.display, "Fika (gratis) & *kaka* @ kl. 10_00 https://a.se/x_(y) #Exempelstad");
    }
}
