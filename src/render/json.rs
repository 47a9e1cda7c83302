//! A rendering's `.json` in `dist/platforms`, written straight from the struct. The bytes are
//! exactly what `serde_json::to_vec_pretty` makes of a [`Rendered`] (the tests hold the two
//! together): that file is what reviewers diff, so its form must not drift. Going through serde's
//! generic machinery and its byte-at-a-time string escaping was a tenth of a clean platform
//! build's instructions; the fields are few and fixed, and most of the bytes are a post's text,
//! which [`string`] escapes eight bytes at a time.

use crate::json::string;
use crate::platform::{Facet, segment::Feature};

use super::{Rendered, RenderedMedia, RenderedPart};

impl Rendered {
    /// Appends the rendering as pretty-printed JSON (two-space indent, no newline at the end).
    /// A media path that is not UTF-8 cannot be JSON: serde's error says so, as it always did.
    pub(crate) fn write_json(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        if self.media.iter().any(|m| m.path.to_str().is_none()) {
            return serde_json::to_writer_pretty(out, self);
        }
        out.extend_from_slice(b"{\n  \"post\": ");
        string(&self.post, out);
        out.extend_from_slice(b",\n  \"platform\": ");
        string(self.platform.name(), out);
        out.extend_from_slice(b",\n  \"lang\": ");
        string(&self.lang, out);
        out.extend_from_slice(b",\n  \"limit\": ");
        number(self.limit, out);
        if let Some(max) = self.max_bytes {
            out.extend_from_slice(b",\n  \"max_bytes\": ");
            number(max, out);
        }
        out.extend_from_slice(b",\n  \"over_limit\": ");
        boolean(self.over_limit, out);
        out.extend_from_slice(b",\n  \"parts\": ");
        array(&self.parts, 2, out, part);
        out.extend_from_slice(b",\n  \"media\": ");
        array(&self.media, 2, out, media);
        if let Some(reply_to) = &self.reply_to {
            out.extend_from_slice(b",\n  \"reply_to\": ");
            string(reply_to, out);
        }
        out.extend_from_slice(b"\n}");
        Ok(())
    }
}

/// `items` as a JSON array whose opening bracket sits at `indent`: `[]` when empty, else one
/// item a line, two spaces further in.
fn array<T>(items: &[T], indent: usize, out: &mut Vec<u8>, item: fn(&T, usize, &mut Vec<u8>)) {
    if items.is_empty() {
        out.extend_from_slice(b"[]");
        return;
    }
    out.push(b'[');
    for (i, it) in items.iter().enumerate() {
        out.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
        spaces(indent + 2, out);
        item(it, indent + 2, out);
    }
    out.push(b'\n');
    spaces(indent, out);
    out.push(b']');
}

/// Starts the field `name` of an object whose opening brace sits at `indent`. The names are this
/// file's own and need no escaping.
fn field(name: &str, first: bool, indent: usize, out: &mut Vec<u8>) {
    out.extend_from_slice(if first { b"\n" } else { b",\n" });
    spaces(indent + 2, out);
    out.push(b'"');
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"\": ");
}

fn close(indent: usize, out: &mut Vec<u8>) {
    out.push(b'\n');
    spaces(indent, out);
    out.push(b'}');
}

fn part(p: &RenderedPart, indent: usize, out: &mut Vec<u8>) {
    out.push(b'{');
    field("text", true, indent, out);
    string(&p.text, out);
    field("length", false, indent, out);
    number(p.length, out);
    field("bytes", false, indent, out);
    number(p.bytes, out);
    field("over_limit", false, indent, out);
    boolean(p.over_limit, out);
    if !p.facets.is_empty() {
        field("facets", false, indent, out);
        array(&p.facets, indent + 2, out, facet);
    }
    close(indent, out);
}

fn facet(f: &Facet, indent: usize, out: &mut Vec<u8>) {
    out.push(b'{');
    field("index", true, indent, out);
    out.push(b'{');
    field("byteStart", true, indent + 2, out);
    number(f.index.byte_start, out);
    field("byteEnd", false, indent + 2, out);
    number(f.index.byte_end, out);
    close(indent + 2, out);
    field("features", false, indent, out);
    array(&f.features, indent + 2, out, feature);
    close(indent, out);
}

fn feature(f: &Feature, indent: usize, out: &mut Vec<u8>) {
    let (kind, name, value) = match f {
        Feature::Link { uri } => ("app.bsky.richtext.facet#link", "uri", uri),
        Feature::Tag { tag } => ("app.bsky.richtext.facet#tag", "tag", tag),
    };
    out.push(b'{');
    field("$type", true, indent, out);
    string(kind, out);
    field(name, false, indent, out);
    string(value, out);
    close(indent, out);
}

fn media(m: &RenderedMedia, indent: usize, out: &mut Vec<u8>) {
    out.push(b'{');
    field("path", true, indent, out);
    // `write_json` checked that every path is UTF-8.
    string(&m.path.to_string_lossy(), out);
    field("alt", false, indent, out);
    string(&m.alt, out);
    close(indent, out);
}

fn spaces(n: usize, out: &mut Vec<u8>) {
    const SPACES: &[u8; 16] = b"                ";
    match SPACES.get(..n) {
        Some(spaces) => out.extend_from_slice(spaces),
        None => out.resize(out.len() + n, b' '),
    }
}

fn boolean(b: bool, out: &mut Vec<u8>) {
    out.extend_from_slice(if b { b"true" } else { b"false" });
}

fn number(n: usize, out: &mut Vec<u8>) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::platform::PlatformId;
    use crate::platform::segment::ByteSlice;

    fn serde(r: &Rendered) -> Vec<u8> {
        serde_json::to_vec_pretty(r).unwrap()
    }

    fn ours(r: &Rendered) -> Vec<u8> {
        let mut out = Vec::new();
        r.write_json(&mut out).unwrap();
        out
    }

    fn part(text: &str, facets: Vec<Facet>) -> RenderedPart {
        RenderedPart { text: text.into(), length: text.chars().count(), bytes: text.len(), over_limit: false, facets }
    }

    fn rendering(parts: Vec<RenderedPart>) -> Rendered {
        Rendered {
            post: "a-post".into(),
            platform: PlatformId::Bluesky,
            lang: "sv".into(),
            limit: 300,
            max_bytes: None,
            over_limit: false,
            parts,
            media: Vec::new(),
            reply_to: None,
        }
    }

    #[test]
    fn every_shape_is_what_serde_writes() {
        let link = Feature::Link { uri: "https://a.se/x?\"q\"".into() };
        let tag = Feature::Tag { tag: "Snöröjning".into() };
        let facets = vec![
            Facet { index: ByteSlice { byte_start: 0, byte_end: 18_446 }, features: vec![link.clone(), tag.clone()] },
            Facet { index: ByteSlice { byte_start: 7, byte_end: 9 }, features: Vec::new() },
        ];
        let mut cases = vec![rendering(Vec::new()), rendering(vec![part("", Vec::new())])];
        for platform in PlatformId::ALL {
            let mut r = rendering(vec![part("Ett.", facets.clone()), part("Två\n\n1/2", Vec::new())]);
            r.platform = platform;
            r.max_bytes = Some(3000);
            r.over_limit = true;
            r.parts[1].over_limit = true;
            r.media = vec![
                RenderedMedia { path: PathBuf::from("content/media/a b.png"), alt: "En \"bil\"\t i snö".into() },
                RenderedMedia { path: PathBuf::from("c\\d.jpg"), alt: String::new() },
            ];
            r.reply_to = Some("an-earlier-post".into());
            r.limit = usize::MAX;
            cases.push(r);
        }
        for r in &cases {
            assert_eq!(String::from_utf8(ours(r)).unwrap(), String::from_utf8(serde(r)).unwrap());
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_path_that_is_not_utf8_is_serdes_error() {
        use std::os::unix::ffi::OsStrExt;
        let mut r = rendering(Vec::new());
        r.media
            .push(RenderedMedia { path: PathBuf::from(std::ffi::OsStr::from_bytes(b"a\xff.png")), alt: String::new() });
        assert!(r.write_json(&mut Vec::new()).is_err());
    }
}
