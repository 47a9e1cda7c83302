//! LinkedIn: the Posts API takes "little text", in which `| { } @ [ ] ( ) < > # \ * _ ~` are
//! markup and must be backslash-escaped; a hashtag is written `{hashtag|\#|Tag}`. The limit
//! applies to what the reader sees, so length is measured before escaping.

use super::segment::{self, Segment};
use super::{Encoded, Platform, PlatformId};

pub(crate) struct Linkedin;

/// The characters little text gives a meaning, all ASCII.
pub(crate) const RESERVED: &[char] = &['|', '{', '}', '@', '[', ']', '(', ')', '<', '>', '#', '\\', '*', '_', '~'];

/// [`RESERVED`] by byte: a byte can be one, since they are all ASCII.
const RESERVED_BYTES: [bool; 128] = {
    let mut table = [false; 128];
    let mut i = 0;
    while i < RESERVED.len() {
        table[RESERVED[i] as usize] = true;
        i += 1;
    }
    table
};

/// Whether `b` is one of [`RESERVED`].
fn reserved(b: u8) -> bool {
    RESERVED_BYTES.get(usize::from(b)).copied().unwrap_or(false)
}

/// Appends `text` with a backslash before each reserved character, copying the runs between
/// them whole (a search of the list for every character was a hundredth of a build).
pub(crate) fn escape_into(text: &str, out: &mut String) {
    let mut run = 0;
    for (i, b) in text.bytes().enumerate() {
        if reserved(b) {
            // `i` is an ASCII byte, so both slices end on a character boundary.
            out.push_str(&text[run..i]);
            out.push('\\');
            run = i;
        }
    }
    out.push_str(&text[run..]);
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
        // Escaping adds a little; the hashtags' braces a little more.
        let mut text = String::with_capacity(segment::plain_len(segments) + segments.len() * 16);
        for seg in segments {
            match seg {
                Segment::Text(t) | Segment::Link(t) => escape_into(t, &mut text),
                Segment::Tag(t) => {
                    text.push_str("{hashtag|\\#|");
                    escape_into(t, &mut text);
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
    fn a_reserved_byte_is_a_reserved_character() {
        for b in 0u8..=255 {
            assert_eq!(reserved(b), RESERVED.contains(&char::from(b)), "{b:#x}");
        }
        let mut out = String::from(">");
        escape_into("å|ö\\ (x)_", &mut out);
        assert_eq!(out, ">å\\|ö\\\\ \\(x\\)\\_");
    }

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
