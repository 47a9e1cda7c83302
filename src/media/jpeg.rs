//! JPEG: keeps the segments that decode the picture and decide its colours, drops the rest.
//!
//! A JPEG is a stream of marker segments. img-parts reads those before the first scan; the
//! scans that follow are walked here, so that metadata segments between the scans of a
//! progressive JPEG and anything after the end-of-image marker are dropped too.

use image::metadata::Orientation;
use img_parts::Bytes;
use img_parts::jpeg::{Jpeg, JpegSegment, markers};

use super::{Removed, Stripped};

const XMP: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
const XMP_EXTENDED: &[u8] = b"http://ns.adobe.com/xmp/extension/\0";

pub(super) fn strip(bytes: &[u8]) -> Result<Stripped, String> {
    let mut jpeg = Jpeg::from_bytes(Bytes::copy_from_slice(bytes))
        .map_err(|e| format!("the JPEG is corrupt or truncated ({e})"))?;
    let mut removed = Removed::default();
    let mut orientation = None;
    let mut segments = Vec::with_capacity(jpeg.segments().len());
    for segment in jpeg.segments() {
        let (marker, contents) = (segment.marker(), segment.contents());
        if segment.has_entropy() {
            // The first scan; its "entropy" is the rest of the file.
            let rest = segment.len_with_entropy() - segment.len();
            let tail = scans(&bytes[bytes.len() - rest..], &mut removed)?;
            segments.push(JpegSegment::new_with_entropy(marker, contents.clone(), Bytes::from(tail)));
            continue;
        }
        match marker {
            markers::APP1 if contents.starts_with(b"Exif\0\0") => {
                let o = removed.exif(&contents[6..]);
                orientation = orientation.or(o);
            }
            markers::APP0 if contents.starts_with(b"JFIF\0") => segments.push(jfif(segment, &mut removed)),
            _ if keep(marker, contents) => segments.push(segment.clone()),
            _ => removed.add(name(marker, contents)),
        }
    }
    if !segments.iter().any(JpegSegment::has_entropy) {
        return Err("the JPEG has no image data".into());
    }
    *jpeg.segments_mut() = segments;
    Ok(Stripped {
        bytes: jpeg.encoder().bytes().to_vec(),
        removed,
        orientation: orientation.unwrap_or(Orientation::NoTransforms),
        animated: false,
    })
}

/// Segments that decode the picture or decide its colours.
fn keep(marker: u8, contents: &[u8]) -> bool {
    match marker {
        // frame headers (SOF0–15), Huffman and arithmetic-coding tables
        0xC0..=0xCF => true,
        markers::SOS | markers::DQT | markers::DNL | markers::DRI | markers::DHP | markers::EXP => true,
        markers::APP2 => contents.starts_with(b"ICC_PROFILE\0"),
        markers::APP14 => contents.starts_with(b"Adobe"),
        _ => false,
    }
}

/// A name for the log of what a dropped segment held.
fn name(marker: u8, contents: &[u8]) -> String {
    match marker {
        markers::APP1 if contents.starts_with(XMP) || contents.starts_with(XMP_EXTENDED) => "XMP".into(),
        markers::APP2 if contents.starts_with(b"MPF\0") => "MPF (multi-picture index)".into(),
        markers::APP2 if contents.starts_with(b"FPXR\0") => "FlashPix data".into(),
        markers::APP0 if contents.starts_with(b"JFXX\0") => "JFIF thumbnail".into(),
        markers::APP11 => "APP11 (JUMBF/C2PA)".into(),
        markers::APP13 => "IPTC/Photoshop (APP13)".into(),
        markers::COM => "JPEG comment".into(),
        0xE0..=0xEF => format!("APP{} segment", marker - 0xE0),
        _ => format!("JPEG segment 0x{marker:02X}"),
    }
}

/// The JFIF header without its thumbnail (a thumbnail can show what a crop removed).
fn jfif(segment: &JpegSegment, removed: &mut Removed) -> JpegSegment {
    let contents = segment.contents();
    // "JFIF\0", version (2), units (1), densities (4), thumbnail width and height (1 + 1)
    if contents.len() < 14 || (contents.len() == 14 && contents[12] == 0 && contents[13] == 0) {
        return segment.clone();
    }
    removed.add("JFIF thumbnail");
    let mut header = contents[..14].to_vec();
    header[12] = 0;
    header[13] = 0;
    JpegSegment::new_with_contents(markers::APP0, Bytes::from(header))
}

/// Walks the scans after the first scan header up to the end-of-image marker: returns them
/// without APPn and COM segments and without anything after the end of the image.
fn scans(tail: &[u8], removed: &mut Removed) -> Result<Vec<u8>, String> {
    const TRUNCATED: &str = "the JPEG is truncated: it ends inside the image data, before its end-of-image marker";
    let mut out = Vec::with_capacity(tail.len());
    let (mut copied, mut at) = (0, 0);
    loop {
        let Some(ff) = tail[at..].iter().position(|&b| b == 0xFF).map(|p| at + p) else {
            return Err(TRUNCATED.into());
        };
        let Some(&marker) = tail.get(ff + 1) else { return Err(TRUNCATED.into()) };
        match marker {
            // a fill byte: the marker may follow
            0xFF => at = ff + 1,
            // stuffed 0xFF in entropy-coded data, restart markers, TEM: no length
            0x00 | 0x01 | 0xD0..=0xD7 => at = ff + 2,
            markers::EOI => {
                out.extend_from_slice(&tail[copied..ff + 2]);
                let after = tail.len() - (ff + 2);
                if after > 0 {
                    removed.add(format!("{after} bytes after the end of the picture"));
                }
                return Ok(out);
            }
            markers::SOI => return Err("the JPEG is corrupt: a second start-of-image marker inside the image".into()),
            _ => {
                let len = tail.get(ff + 2..ff + 4).ok_or(TRUNCATED)?;
                let end = ff + 2 + usize::from(u16::from_be_bytes([len[0], len[1]]));
                if end > tail.len() {
                    return Err(TRUNCATED.into());
                }
                if matches!(marker, 0xE0..=0xEF | markers::COM) {
                    out.extend_from_slice(&tail[copied..ff]);
                    removed.add(name(marker, &tail[ff + 4..end]));
                    copied = end;
                }
                at = end;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_drop_metadata_between_scans_and_after_the_end() {
        let mut removed = Removed::default();
        // entropy with a stuffed FF00 and a restart, a COM segment, a DHT, more entropy, EOI, trailer
        let tail = [
            &[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56][..],
            &[0xFF, 0xFE, 0x00, 0x05, b'h', b'i', b'!'],
            &[0xFF, 0xC4, 0x00, 0x04, 0xFF, 0xFE],
            &[0x78, 0xFF, 0xD9],
            b"secret",
        ]
        .concat();
        let out = scans(&tail, &mut removed).unwrap();
        let want = [
            &[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56][..],
            &[0xFF, 0xC4, 0x00, 0x04, 0xFF, 0xFE],
            &[0x78, 0xFF, 0xD9],
        ]
        .concat();
        assert_eq!(out, want);
        assert_eq!(removed.0, ["JPEG comment", "6 bytes after the end of the picture"]);
    }

    #[test]
    fn scans_without_an_end_are_truncated() {
        for tail in [&[0x12, 0x34][..], &[0x12, 0xFF], &[0xFF, 0xC4, 0x00, 0x09, 0x00]] {
            let err = scans(tail, &mut Removed::default()).unwrap_err();
            assert!(err.contains("truncated"), "{err}");
        }
    }
}
