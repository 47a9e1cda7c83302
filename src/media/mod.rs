//! Media safety: what is done to every image before it is uploaded.
//!
//! Photos carry more than the picture. A phone writes the place it was taken (GPS latitude,
//! longitude and altitude), the time, the device and often the owner's name into EXIF; editors
//! add XMP and IPTC; PNG files collect text chunks. A public authority must not publish where an
//! employee lives because a photo was taken from their kitchen window, so [`prepare`] removes all
//! of it before any upload, and a file it cannot make safe blocks its post.
//!
//! - **Removed**: JPEG APP1 (EXIF, XMP), APP13 (IPTC, Photoshop), every other APPn segment that
//!   is not listed as kept (MPF, FlashPix, C2PA/JUMBF, vendor data), COM comments, JFIF
//!   thumbnails and anything after the end-of-image marker (the extra images of a multi-picture
//!   file); PNG `tEXt`, `zTXt`, `iTXt`, `eXIf`, `tIME` and every ancillary chunk not listed as
//!   kept; WebP `EXIF`, `XMP ` and unknown chunks; GIF comments and application extensions other
//!   than the animation loop count.
//! - **Kept**: what decides how the picture looks. ICC colour profiles (JPEG APP2
//!   `ICC_PROFILE`, PNG `iCCP`, WebP `ICCP`, GIF `ICCRGBG1`) are kept: they describe the
//!   camera's or editor's colour space, hold no personal data, and dropping them shifts the
//!   colours. Also kept: JFIF APP0 (without thumbnail), Adobe APP14 (the colour transform of
//!   CMYK JPEGs), PNG gamma, chromaticities, sRGB, significant bits, background, transparency,
//!   physical size, HDR colour chunks and APNG animation; WebP alpha and animation.
//! - **Orientation**: removing EXIF removes the Orientation tag that told viewers to turn the
//!   picture. When it said anything but "upright" (1), the pixels are turned instead: the image
//!   is decoded, rotated or flipped, and encoded again (JPEG at quality 92, PNG and WebP
//!   losslessly). Otherwise removal is lossless: the compressed image data is not touched.
//! - **Checks**: the format is told by the file's first bytes, never by its name, and must be
//!   JPEG, PNG, WebP or GIF; the extension must agree with it; the result is decoded once in
//!   full, so a truncated or corrupt file is refused here rather than by a platform.

mod exif;
mod gif;
mod jpeg;
mod orient;
mod png;
mod webp;

use std::path::Path;

use image::metadata::Orientation;

use crate::error::Diagnostic;

/// An image made safe to upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    /// The bytes to upload: the picture without metadata, upright.
    pub bytes: Vec<u8>,
    /// `image/jpeg`, `image/png`, `image/webp` or `image/gif`.
    pub mime: &'static str,
    /// In pixels, after the orientation was applied.
    pub width: u32,
    pub height: u32,
    /// What was removed, for the log, e.g. `EXIF (with GPS)`, `XMP`, `PNG tEXt`: names only,
    /// never the values. Empty when the file was already clean.
    pub stripped: Vec<String>,
}

/// An image format budkavle uploads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    Webp,
    Gif,
}

impl Format {
    pub fn mime(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Webp => "image/webp",
            Format::Gif => "image/gif",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Jpeg => "JPEG",
            Format::Png => "PNG",
            Format::Webp => "WebP",
            Format::Gif => "GIF",
        }
    }

    fn extensions(self) -> &'static [&'static str] {
        match self {
            Format::Jpeg => &["jpg", "jpeg"],
            Format::Png => &["png"],
            Format::Webp => &["webp"],
            Format::Gif => &["gif"],
        }
    }

    fn image_format(self) -> image::ImageFormat {
        match self {
            Format::Jpeg => image::ImageFormat::Jpeg,
            Format::Png => image::ImageFormat::Png,
            Format::Webp => image::ImageFormat::WebP,
            Format::Gif => image::ImageFormat::Gif,
        }
    }

    /// The format of `bytes` by their first bytes (their magic number).
    pub fn sniff(bytes: &[u8]) -> Result<Format, String> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Ok(Format::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Ok(Format::Png)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Ok(Format::Webp)
        } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
            Ok(Format::Gif)
        } else if bytes.is_empty() {
            Err("the file is empty".into())
        } else {
            Err(match known_other(bytes) {
                Some(kind) => format!("this is {kind}, which budkavle does not upload"),
                None => "this is not an image budkavle knows (not JPEG, PNG, WebP or GIF)".into(),
            })
        }
    }
}

/// Names a few formats people do try to attach, for a clearer message.
fn known_other(bytes: &[u8]) -> Option<&'static str> {
    let ftyp = |brands: &[&[u8]]| bytes.len() >= 12 && &bytes[4..8] == b"ftyp" && brands.contains(&&bytes[8..12]);
    if ftyp(&[b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis"]) {
        Some("a HEIC/HEIF image")
    } else if ftyp(&[b"avif", b"avis"]) {
        Some("an AVIF image")
    } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        Some("a TIFF image")
    } else if bytes.starts_with(b"BM") {
        Some("a BMP image")
    } else if bytes.starts_with(b"%PDF") {
        Some("a PDF document")
    } else {
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(256)]).to_ascii_lowercase();
        head.contains("<svg").then_some("an SVG drawing")
    }
}

/// What a format's stripper hands back: the bytes without metadata, and what the metadata said
/// about orientation before it was removed.
struct Stripped {
    bytes: Vec<u8>,
    removed: Removed,
    orientation: Orientation,
    /// Animated GIF, APNG or animated WebP: cannot be turned by re-encoding one frame.
    animated: bool,
}

/// The names of what was removed, each once, in the order first met.
#[derive(Debug, Default)]
struct Removed(Vec<String>);

impl Removed {
    fn add(&mut self, what: impl Into<String>) {
        let what = what.into();
        if !self.0.contains(&what) {
            self.0.push(what);
        }
    }

    /// Notes an EXIF block, with whether it held a location; returns its orientation.
    fn exif(&mut self, tiff: &[u8]) -> Option<Orientation> {
        let info = exif::inspect(tiff);
        self.add(if info.gps { "EXIF (with GPS)" } else { "EXIF" });
        info.orientation
    }
}

/// Makes one image safe to upload: removes its metadata, turns it upright and checks that it
/// decodes. `path` names the file in the error (as the user knows it); `bytes` is its content.
///
/// An error means the post must not be published with this file: it names the file and says
/// what is wrong.
pub fn prepare(path: &Path, bytes: &[u8]) -> Result<Prepared, Diagnostic> {
    let fail = |message: String, hint: &str| {
        Diagnostic::file(path, format!("image cannot be made safe to upload: {message}")).hint(hint)
    };
    let format = Format::sniff(bytes).map_err(|m| fail(m, "Attach a JPEG, PNG, WebP or GIF image."))?;
    check_extension(path, format).map_err(|m| {
        fail(
            m,
            &format!(
                "Rename the file to end in .{}, or export it again in the format its name says.",
                format.extensions()[0]
            ),
        )
    })?;

    const REEXPORT: &str = "Open it in an image editor and export it again; the post is held until then.";
    let stripped = match format {
        Format::Jpeg => jpeg::strip(bytes),
        Format::Png => png::strip(bytes),
        Format::Webp => webp::strip(bytes),
        Format::Gif => gif::strip(bytes),
    }
    .map_err(|m| fail(m, REEXPORT))?;

    let Stripped { bytes: clean, mut removed, orientation, animated } = stripped;
    let (bytes, width, height) = if orientation == Orientation::NoTransforms {
        let (width, height) = orient::check_decodes(format, &clean).map_err(|m| fail(m, REEXPORT))?;
        (clean, width, height)
    } else {
        if animated {
            return Err(fail(
                format!(
                    "the animated {} says to turn it (EXIF Orientation), which budkavle cannot do to an animation",
                    format.name()
                ),
                "Turn it upright in an editor and export it again.",
            ));
        }
        let turned = orient::apply(format, &clean, orientation).map_err(|m| fail(m, REEXPORT))?;
        removed.add(format!("orientation {} (applied to the pixels)", orientation.to_exif()));
        turned
    };
    Ok(Prepared { bytes, mime: format.mime(), width, height, stripped: removed.0 })
}

fn check_extension(path: &Path, format: Format) -> Result<(), String> {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    match ext {
        Some(ext) if format.extensions().contains(&ext.as_str()) => Ok(()),
        Some(ext) => Err(format!("the name ends in .{ext} but the file is a {} image", format.name())),
        None => Err(format!("the name has no extension; the file is a {} image", format.name())),
    }
}
