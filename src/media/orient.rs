//! Decoding (to prove a file is whole) and turning pixels upright (when EXIF said to).

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageEncoder, ImageReader};

use super::Format;

/// The quality of a re-encoded JPEG: high enough that a second generation is not visibly worse.
pub(super) const JPEG_QUALITY: u8 = 92;

/// Decodes `bytes` in full, under the image crate's default memory limits (a file that would
/// need more is refused, as a decompression bomb would be). Returns the picture and its ICC
/// profile.
fn decode(format: Format, bytes: &[u8]) -> Result<(DynamicImage, Option<Vec<u8>>), String> {
    let what = |e: image::ImageError| format!("the {} does not decode: {e}", format.name());
    let mut decoder =
        ImageReader::with_format(Cursor::new(bytes), format.image_format()).into_decoder().map_err(what)?;
    let icc = decoder.icc_profile().ok().flatten();
    let image = DynamicImage::from_decoder(decoder).map_err(what)?;
    Ok((image, icc))
}

/// Proves that `bytes` decode; returns the picture's width and height.
pub(super) fn check_decodes(format: Format, bytes: &[u8]) -> Result<(u32, u32), String> {
    let (image, _) = decode(format, bytes)?;
    Ok((image.width(), image.height()))
}

/// Decodes `bytes`, applies `orientation` to the pixels and encodes them again in the same
/// format, with the same ICC profile and no other metadata (the encoders write none).
pub(super) fn apply(format: Format, bytes: &[u8], orientation: Orientation) -> Result<(Vec<u8>, u32, u32), String> {
    let (mut image, icc) = decode(format, bytes)?;
    image.apply_orientation(orientation);
    let (width, height) = (image.width(), image.height());
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 4);
    let encoded = match format {
        Format::Jpeg => {
            let image = match image {
                DynamicImage::ImageLuma8(_) => image,
                DynamicImage::ImageLuma16(_) | DynamicImage::ImageLumaA8(_) | DynamicImage::ImageLumaA16(_) => {
                    image.into_luma8().into()
                }
                _ => image.into_rgb8().into(),
            };
            encode(JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY), &image, icc)
        }
        Format::Png => encode(PngEncoder::new(&mut out), &image, icc),
        Format::Webp => {
            let image = if image.color().has_alpha() { image.into_rgba8().into() } else { image.into_rgb8().into() };
            encode(WebPEncoder::new_lossless(&mut out), &image, icc)
        }
        Format::Gif => return Err("a GIF has no orientation to apply".into()),
    };
    encoded.map_err(|e| format!("the turned {} could not be encoded again: {e}", format.name()))?;
    Ok((out, width, height))
}

fn encode(mut encoder: impl ImageEncoder, image: &DynamicImage, icc: Option<Vec<u8>>) -> image::ImageResult<()> {
    if let Some(icc) = icc {
        // An encoder that cannot carry a profile writes the picture without it.
        let _ = encoder.set_icc_profile(icc);
    }
    encoder.write_image(image.as_bytes(), image.width(), image.height(), image.color().into())
}
