//! PNG: keeps the chunks that decode the picture and decide its colours, drops the rest.

use image::metadata::Orientation;
use img_parts::Bytes;
use img_parts::png::Png;

use super::{Removed, Stripped};

/// Ancillary chunks that change how the picture looks (colour, transparency, size, animation).
/// Critical chunks (an upper-case first letter) are always kept: a decoder needs them.
const KEEP: &[&[u8; 4]] = &[
    b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT", b"bKGD", b"pHYs", // colour, size
    b"cICP", b"mDCV", b"mDCv", b"cLLI", b"cLLi", // HDR colour
    b"acTL", b"fcTL", b"fdAT", // APNG
];

pub(super) fn strip(bytes: &[u8]) -> Result<Stripped, String> {
    let mut png =
        Png::from_bytes(Bytes::copy_from_slice(bytes)).map_err(|e| format!("the PNG is corrupt or truncated ({e})"))?;
    if png.chunks().last().map(|c| c.kind()) != Some(*b"IEND") {
        return Err("the PNG is truncated: it ends before its IEND chunk".into());
    }
    let mut removed = Removed::default();
    let after = bytes.len() - png.len();
    if after > 0 {
        removed.add(format!("{after} bytes after the end of the picture"));
    }
    let mut orientation = None;
    let animated = png.chunks().iter().any(|c| &c.kind() == b"acTL");
    png.chunks_mut().retain(|chunk| {
        let kind = chunk.kind();
        if kind[0].is_ascii_uppercase() || KEEP.contains(&&kind) {
            return true;
        }
        if &kind == b"eXIf" {
            let o = removed.exif(chunk.contents());
            orientation = orientation.or(o);
        } else {
            removed.add(format!("PNG {}", String::from_utf8_lossy(&kind)));
        }
        false
    });
    Ok(Stripped {
        bytes: png.encoder().bytes().to_vec(),
        removed,
        orientation: orientation.unwrap_or(Orientation::NoTransforms),
        animated,
    })
}
