//! Reads the two things budkavle needs from an EXIF block before removing it: whether it holds a
//! location (for the log) and the Orientation (to turn the pixels). Nothing else is read.

use image::metadata::Orientation;

/// The GPS IFD pointer tag of IFD0.
const GPS_IFD: u16 = 0x8825;

#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Info {
    pub gps: bool,
    /// `None` when absent, invalid or unreadable: viewers then show the pixels as stored.
    pub orientation: Option<Orientation>,
}

/// `tiff` is the EXIF block from its TIFF header on (`II*\0` or `MM\0*`); a leading
/// `Exif\0\0`, as some WebP writers leave it, is skipped.
pub(super) fn inspect(tiff: &[u8]) -> Info {
    let tiff = tiff.strip_prefix(b"Exif\0\0").unwrap_or(tiff);
    Info { gps: ifd0_has(tiff, GPS_IFD), orientation: Orientation::from_exif_chunk(tiff) }
}

/// Whether IFD0 of a TIFF structure has an entry with `tag`.
fn ifd0_has(tiff: &[u8], tag: u16) -> bool {
    let big = match tiff.get(..4) {
        Some(b"MM\0*") => true,
        Some(b"II*\0") => false,
        _ => return false,
    };
    let u16_at = |pos: usize| {
        let b: [u8; 2] = tiff.get(pos..pos.checked_add(2)?)?.try_into().ok()?;
        Some(if big { u16::from_be_bytes(b) } else { u16::from_le_bytes(b) })
    };
    let u32_at = |pos: usize| {
        let b: [u8; 4] = tiff.get(pos..pos.checked_add(4)?)?.try_into().ok()?;
        Some(if big { u32::from_be_bytes(b) } else { u32::from_le_bytes(b) })
    };
    let Some(ifd) = u32_at(4).and_then(|o| usize::try_from(o).ok()) else { return false };
    let Some(count) = u16_at(ifd) else { return false };
    (0..usize::from(count)).any(|i| u16_at(ifd + 2 + 12 * i) == Some(tag))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A little-endian TIFF header and an IFD0 with the given (tag, short value) entries.
    fn tiff(entries: &[(u16, u16)]) -> Vec<u8> {
        let mut t = b"II*\0\x08\0\0\0".to_vec();
        t.extend((entries.len() as u16).to_le_bytes());
        for &(tag, value) in entries {
            t.extend(tag.to_le_bytes());
            t.extend(3u16.to_le_bytes()); // SHORT
            t.extend(1u32.to_le_bytes());
            t.extend(value.to_le_bytes());
            t.extend([0, 0]);
        }
        t.extend([0; 4]);
        t
    }

    #[test]
    fn reads_gps_pointer_and_orientation() {
        let info = inspect(&tiff(&[(0x0112, 6), (GPS_IFD, 0)]));
        assert_eq!(info, Info { gps: true, orientation: Some(Orientation::Rotate90) });
        let info = inspect(&tiff(&[(0x0112, 1)]));
        assert_eq!(info, Info { gps: false, orientation: Some(Orientation::NoTransforms) });
    }

    #[test]
    fn garbage_reads_as_nothing() {
        assert_eq!(inspect(b""), Info::default());
        assert_eq!(inspect(b"II*\0\xff\xff\xff\xff"), Info::default());
        assert_eq!(inspect(b"MM\0*\0\0\0\x08\xff\xff"), Info::default());
    }
}
