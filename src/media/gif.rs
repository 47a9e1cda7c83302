//! GIF: walks the blocks and keeps the images, their graphic controls and the animation loop
//! count; drops comments, XMP and other application data, and anything after the trailer.
//! GIF has no EXIF, so it has no orientation to apply.

use image::metadata::Orientation;

use super::{Removed, Stripped};

const TRUNCATED: &str = "the GIF is truncated: it ends before its trailer";

pub(super) fn strip(bytes: &[u8]) -> Result<Stripped, String> {
    let mut removed = Removed::default();
    // header (6) and logical screen descriptor (7), then the global colour table
    let flags = *bytes.get(10).ok_or(TRUNCATED)?;
    let mut at = 13 + colour_table(flags);
    let mut out = bytes.get(..at).ok_or(TRUNCATED)?.to_vec();
    let mut images = 0;
    loop {
        let start = at;
        match *bytes.get(at).ok_or(TRUNCATED)? {
            // trailer
            0x3B => {
                out.push(0x3B);
                let after = bytes.len() - (at + 1);
                if after > 0 {
                    removed.add(format!("{after} bytes after the end of the picture"));
                }
                break;
            }
            // image descriptor (10 with its introducer), local colour table, LZW code size, data
            0x2C => {
                let flags = *bytes.get(at + 9).ok_or(TRUNCATED)?;
                at = sub_blocks(bytes, at + 10 + colour_table(flags) + 1)?;
                out.extend_from_slice(&bytes[start..at]);
                images += 1;
            }
            0x21 => {
                let label = *bytes.get(at + 1).ok_or(TRUNCATED)?;
                at = sub_blocks(bytes, at + 2)?;
                let keep = match label {
                    // graphic control (delay, transparency), plain text
                    0xF9 | 0x01 => true,
                    0xFE => {
                        removed.add("GIF comment");
                        false
                    }
                    0xFF => {
                        let id = bytes.get(start + 3..start + 14).unwrap_or_default();
                        let keep = matches!(id, b"NETSCAPE2.0" | b"ANIMEXTS1.0" | b"ICCRGBG1012");
                        if !keep {
                            removed.add(if id == b"XMP DataXMP" {
                                "XMP".to_string()
                            } else {
                                "GIF application data".to_string()
                            });
                        }
                        keep
                    }
                    other => {
                        removed.add(format!("GIF extension 0x{other:02X}"));
                        false
                    }
                };
                if keep {
                    out.extend_from_slice(&bytes[start..at]);
                }
            }
            other => return Err(format!("the GIF is corrupt: unexpected byte 0x{other:02X} at offset {at}")),
        }
    }
    if images == 0 {
        return Err("the GIF has no image data".into());
    }
    Ok(Stripped { bytes: out, removed, orientation: Orientation::NoTransforms, animated: images > 1 })
}

/// The size of the colour table that the packed `flags` byte announces.
fn colour_table(flags: u8) -> usize {
    if flags & 0x80 != 0 { 3 << ((flags & 0x07) + 1) } else { 0 }
}

/// Skips a chain of data sub-blocks starting at `at`; returns the offset after its terminator.
fn sub_blocks(bytes: &[u8], mut at: usize) -> Result<usize, String> {
    loop {
        let len = usize::from(*bytes.get(at).ok_or(TRUNCATED)?);
        at += 1;
        if len == 0 {
            return Ok(at);
        }
        at += len;
    }
}
