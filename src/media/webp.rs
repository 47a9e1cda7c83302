//! WebP: keeps the image, alpha, animation and ICC chunks, drops EXIF, XMP and anything else.

use image::metadata::Orientation;
use img_parts::Bytes;
use img_parts::riff::RiffContent;
use img_parts::webp::{
    CHUNK_ALPH, CHUNK_ANIM, CHUNK_ANMF, CHUNK_EXIF, CHUNK_ICCP, CHUNK_VP8, CHUNK_VP8L, CHUNK_VP8X, WebP,
};

use super::{Removed, Stripped};

const KEEP: &[[u8; 4]] = &[CHUNK_VP8X, CHUNK_VP8, CHUNK_VP8L, CHUNK_ALPH, CHUNK_ANIM, CHUNK_ANMF, CHUNK_ICCP];

/// The EXIF and XMP bits of the VP8X flags byte.
const VP8X_EXIF_XMP: u8 = 0b0000_1100;

pub(super) fn strip(bytes: &[u8]) -> Result<Stripped, String> {
    let mut webp = WebP::from_bytes(Bytes::copy_from_slice(bytes))
        .map_err(|e| format!("the WebP is corrupt or truncated ({e})"))?;
    let mut removed = Removed::default();
    let after = bytes.len().saturating_sub(webp.len() as usize);
    if after > 0 {
        removed.add(format!("{after} bytes after the end of the picture"));
    }
    let animated = webp.has_chunk(CHUNK_ANIM) || webp.has_chunk(CHUNK_ANMF);
    let mut orientation = None;
    webp.chunks_mut().retain(|chunk| {
        let id = chunk.id();
        if KEEP.contains(&id) {
            return true;
        }
        match (&id, chunk.content().data()) {
            (&CHUNK_EXIF, Some(data)) => {
                let o = removed.exif(data);
                orientation = orientation.or(o);
            }
            (b"XMP ", _) => removed.add("XMP"),
            _ => removed.add(format!("WebP {} chunk", String::from_utf8_lossy(&id).trim_end())),
        }
        false
    });
    for chunk in webp.chunks_mut().iter_mut().filter(|c| c.id() == CHUNK_VP8X) {
        if let RiffContent::Data(data) = chunk.content_mut()
            && let Some(&flags) = data.first()
        {
            let mut fixed = data.to_vec();
            fixed[0] = flags & !VP8X_EXIF_XMP;
            *data = Bytes::from(fixed);
        }
    }
    if !(webp.has_chunk(CHUNK_VP8) || webp.has_chunk(CHUNK_VP8L) || webp.has_chunk(CHUNK_ANMF)) {
        return Err("the WebP has no image data".into());
    }
    Ok(Stripped {
        bytes: webp.encoder().bytes().to_vec(),
        removed,
        orientation: orientation.unwrap_or(Orientation::NoTransforms),
        animated,
    })
}
