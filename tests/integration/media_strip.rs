//! Media safety (issue 5, item 4): every image is stripped of EXIF, XMP, IPTC and text chunks
//! before upload, turned upright, and refused when it cannot be made safe.
//! Fixtures: tests/fixtures/media/ (made by make.py there).

use std::io::Cursor;
use std::path::{Path, PathBuf};

use budkavle::media::{Prepared, prepare};
use image::{DynamicImage, GenericImageView, ImageDecoder, ImageReader, Rgba};

fn fixture(name: &str) -> (PathBuf, Vec<u8>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/media").join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (PathBuf::from(name), bytes)
}

fn prepared(name: &str) -> (Vec<u8>, Prepared) {
    let (path, bytes) = fixture(name);
    let prepared = prepare(&path, &bytes).unwrap_or_else(|d| panic!("{d}"));
    (bytes, prepared)
}

fn decode(bytes: &[u8]) -> DynamicImage {
    ImageReader::new(Cursor::new(bytes)).with_guessed_format().unwrap().decode().unwrap()
}

fn icc(bytes: &[u8]) -> Option<Vec<u8>> {
    let reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().unwrap();
    reader.into_decoder().unwrap().icc_profile().unwrap()
}

/// Every EXIF field kamadak-exif finds, from any container it knows (JPEG, PNG, WebP).
fn exif_fields(bytes: &[u8]) -> Result<Vec<exif::Tag>, exif::Error> {
    let exif = exif::Reader::new().read_from_container(&mut Cursor::new(bytes))?;
    Ok(exif.fields().map(|f| f.tag).collect())
}

fn sorted(list: &[String]) -> Vec<&str> {
    let mut list: Vec<&str> = list.iter().map(String::as_str).collect();
    list.sort_unstable();
    list
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Strings the fixtures hide in their metadata; none may survive stripping.
const SECRETS: &[&[u8]] = &[
    b"Exif\0\0",
    b"http://ns.adobe.com/xap",
    b"Photoshop 3.0",
    b"8BIM",
    b"FixtureCam",
    b"Anna Andersson",
    b"Taken at home",
    b"TRAILER",
    b"Hemlig plats",
    b"2026:11:01",
];

fn assert_no_secrets(name: &str, bytes: &[u8]) {
    for secret in SECRETS {
        assert!(!contains(bytes, secret), "{name}: {:?} is still in the output", String::from_utf8_lossy(secret));
    }
    match exif_fields(bytes) {
        Err(exif::Error::NotFound(_)) => {}
        other => panic!("{name}: kamadak-exif still finds EXIF: {other:?}"),
    }
}

/// The PNG chunk types of `bytes`, in order.
fn png_chunks(bytes: &[u8]) -> Vec<String> {
    let mut at = 8;
    let mut kinds = Vec::new();
    while at + 8 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        kinds.push(String::from_utf8_lossy(&bytes[at + 4..at + 8]).into_owned());
        at += 12 + len;
    }
    kinds
}

fn close(a: Rgba<u8>, b: [u8; 3]) -> bool {
    a.0.iter().zip(b).all(|(&x, y)| x.abs_diff(y) <= 40)
}

const RED: [u8; 3] = [255, 0, 0];
const BLUE: [u8; 3] = [0, 0, 255];

/// Which corner a colour is in: (right, bottom), probing 8 pixels in from each corner.
fn corner_of(image: &DynamicImage, colour: [u8; 3]) -> Option<(bool, bool)> {
    let (w, h) = image.dimensions();
    let corners = [(false, false), (true, false), (false, true), (true, true)];
    let found: Vec<_> = corners
        .into_iter()
        .filter(|&(right, bottom)| {
            let x = if right { w - 9 } else { 8 };
            let y = if bottom { h - 9 } else { 8 };
            close(image.get_pixel(x, y), colour)
        })
        .collect();
    assert!(found.len() <= 1, "{colour:?} in more than one corner: {found:?}");
    found.first().copied()
}

#[test]
fn the_fixture_photo_really_carries_gps_and_orientation_6() {
    let (_, bytes) = fixture("photo-gps-orient6.jpg");
    let exif = exif::Reader::new().read_from_container(&mut Cursor::new(&bytes)).unwrap();
    for tag in [exif::Tag::GPSLatitude, exif::Tag::GPSLongitude, exif::Tag::GPSAltitude] {
        assert!(exif.get_field(tag, exif::In::PRIMARY).is_some(), "fixture lacks {tag}");
    }
    let orientation = exif.get_field(exif::Tag::Orientation, exif::In::PRIMARY).unwrap();
    assert_eq!(orientation.value.get_uint(0), Some(6));
    for marker in [&b"http://ns.adobe.com/xap"[..], b"Photoshop 3.0", b"Taken at home", b"TRAILER"] {
        assert!(contains(&bytes, marker));
    }
    assert!(icc(&bytes).is_some(), "fixture has an ICC profile");
}

#[test]
fn photo_loses_gps_exif_xmp_iptc_comment_and_trailer() {
    let (original, p) = prepared("photo-gps-orient6.jpg");
    assert_eq!(p.mime, "image/jpeg");
    assert_no_secrets("photo-gps-orient6.jpg", &p.bytes);
    for what in
        ["EXIF (with GPS)", "XMP", "IPTC/Photoshop (APP13)", "JPEG comment", "orientation 6 (applied to the pixels)"]
    {
        assert!(p.stripped.iter().any(|s| s == what), "{what} not in {:?}", p.stripped);
    }
    assert!(p.stripped.iter().any(|s| s.ends_with("bytes after the end of the picture")), "{:?}", p.stripped);
    // the log names what was removed, never its values
    for s in &p.stripped {
        assert!(!s.contains("59") && !s.contains("Anna") && !s.contains("FixtureCam"), "{s}");
    }
    // the colour profile is kept
    assert_eq!(icc(&p.bytes), icc(&original));
}

#[test]
fn orientation_6_is_applied_to_the_pixels() {
    let (_, p) = prepared("photo-gps-orient6.jpg");
    // stored 120 x 80 lying on its side; upright it is 80 x 120
    assert_eq!((p.width, p.height), (80, 120));
    let image = decode(&p.bytes);
    assert_eq!(image.dimensions(), (80, 120));
    // turned 90° clockwise: the stored top-left goes top-right, the stored bottom-right bottom-left
    assert_eq!(corner_of(&image, RED), Some((true, false)));
    assert_eq!(corner_of(&image, BLUE), Some((false, true)));
}

/// The fixture photo with its EXIF Orientation set to `value` (a big-endian SHORT in IFD0).
fn with_orientation(bytes: &[u8], value: u8) -> Vec<u8> {
    let entry = [0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00];
    let at = bytes.windows(entry.len()).position(|w| w == entry).expect("Orientation entry") + entry.len();
    let mut bytes = bytes.to_vec();
    bytes[at] = value;
    bytes
}

#[test]
fn every_orientation_ends_upright() {
    let (path, bytes) = fixture("photo-gps-orient6.jpg");
    // (where the stored top-left red block ends up, where the stored bottom-right blue one does)
    let expected = [
        (1, (false, false), (true, true)),
        (2, (true, false), (false, true)),
        (3, (true, true), (false, false)),
        (4, (false, true), (true, false)),
        (5, (false, false), (true, true)),
        (6, (true, false), (false, true)),
        (7, (true, true), (false, false)),
        (8, (false, true), (true, false)),
    ];
    for (value, red, blue) in expected {
        let p = prepare(&path, &with_orientation(&bytes, value)).unwrap_or_else(|d| panic!("{value}: {d}"));
        let image = decode(&p.bytes);
        let size = if value >= 5 { (80, 120) } else { (120, 80) };
        assert_eq!((p.width, p.height), size, "orientation {value}");
        assert_eq!(image.dimensions(), size, "orientation {value}");
        assert_eq!(corner_of(&image, RED), Some(red), "orientation {value}: red");
        assert_eq!(corner_of(&image, BLUE), Some(blue), "orientation {value}: blue");
        assert_no_secrets(&format!("orientation {value}"), &p.bytes);
    }
}

#[test]
fn upright_photo_is_stripped_losslessly() {
    let (original, p) = prepared("gps-upright.jpg");
    assert_no_secrets("gps-upright.jpg", &p.bytes);
    assert_eq!(sorted(&p.stripped), ["EXIF (with GPS)", "XMP"]);
    assert_eq!((p.width, p.height), (120, 80));
    assert!(p.bytes.len() < original.len());
    // the compressed picture is untouched: identical pixels
    assert_eq!(decode(&p.bytes).to_rgb8(), decode(&original).to_rgb8());
    // make.py saved the same picture without metadata as clean.jpg: byte for byte what is left
    assert_eq!(p.bytes, fixture("clean.jpg").1);
}

#[test]
fn clean_jpeg_passes_unchanged() {
    let (original, p) = prepared("clean.jpg");
    assert!(p.stripped.is_empty(), "{:?}", p.stripped);
    assert_eq!(p.bytes, original);
    assert_eq!((p.width, p.height), (120, 80));
}

#[test]
fn png_text_exif_and_time_chunks_are_removed() {
    let (original, p) = prepared("text-chunks.png");
    let before = png_chunks(&original);
    for kind in ["tEXt", "zTXt", "iTXt", "eXIf", "tIME"] {
        assert!(before.iter().any(|k| k == kind), "fixture lacks {kind}: {before:?}");
    }
    assert!(exif_fields(&original).unwrap().contains(&exif::Tag::GPSLatitude), "fixture's eXIf has GPS");

    assert_eq!(p.mime, "image/png");
    assert_no_secrets("text-chunks.png", &p.bytes);
    let after = png_chunks(&p.bytes);
    for kind in ["tEXt", "zTXt", "iTXt", "eXIf", "tIME"] {
        assert!(!after.iter().any(|k| k == kind), "{kind} left in {after:?}");
    }
    for what in ["PNG tEXt", "PNG zTXt", "PNG iTXt", "EXIF (with GPS)", "PNG tIME"] {
        assert!(p.stripped.iter().any(|s| s == what), "{what} not in {:?}", p.stripped);
    }
    assert_eq!(decode(&p.bytes).to_rgba8(), decode(&original).to_rgba8());
}

#[test]
fn webp_exif_and_xmp_chunks_are_removed() {
    let (original, p) = prepared("meta.webp");
    assert!(exif_fields(&original).unwrap().contains(&exif::Tag::GPSLatitude), "fixture's EXIF has GPS");
    assert_eq!(p.mime, "image/webp");
    assert_no_secrets("meta.webp", &p.bytes);
    assert_eq!(sorted(&p.stripped), ["EXIF (with GPS)", "XMP"]);
    // the VP8X header no longer announces EXIF or XMP
    assert_eq!(&p.bytes[12..16], b"VP8X");
    assert_eq!(p.bytes[20] & 0b1100, 0);
    assert_eq!(decode(&p.bytes).to_rgba8(), decode(&original).to_rgba8());
}

#[test]
fn gif_comment_is_removed() {
    let (original, p) = prepared("comment.gif");
    assert_eq!(p.mime, "image/gif");
    assert!(!contains(&p.bytes, b"Taken at home"));
    assert_eq!(p.stripped, ["GIF comment"]);
    assert_eq!(decode(&p.bytes).to_rgba8(), decode(&original).to_rgba8());
}

#[test]
fn truncated_or_corrupt_files_are_refused_naming_the_file() {
    let (_, jpeg) = fixture("gps-upright.jpg");
    let (_, png) = fixture("text-chunks.png");
    let (_, webp) = fixture("meta.webp");
    let (_, gif) = fixture("comment.gif");
    let mut bad_crc = png.clone();
    let idat = bad_crc.windows(4).position(|w| w == b"IDAT").unwrap();
    bad_crc[idat + 10] ^= 0xFF;
    // the scan names a component (9) that the frame does not have
    let mut bad_scan = jpeg.clone();
    let sos = bad_scan.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap();
    bad_scan[sos + 5] = 9;
    // a Huffman table of an impossible class and slot
    let mut bad_table = jpeg.clone();
    let dht = bad_table.windows(2).position(|w| w == [0xFF, 0xC4]).unwrap();
    bad_table[dht + 4] = 0x55;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("half.jpg", jpeg[..jpeg.len() / 2].to_vec()),
        ("no-eoi.jpg", jpeg[..jpeg.len() - 2].to_vec()),
        ("headers-only.jpg", jpeg[..300].to_vec()),
        ("bad-scan.jpg", bad_scan),
        ("bad-table.jpg", bad_table),
        ("half.png", png[..png.len() / 2].to_vec()),
        ("no-iend.png", png[..png.len() - 12].to_vec()),
        ("bad-crc.png", bad_crc),
        ("half.webp", webp[..webp.len() / 2].to_vec()),
        ("half.gif", gif[..gif.len() / 2].to_vec()),
        ("empty.png", Vec::new()),
    ];
    for (name, bytes) in cases {
        let path = Path::new("content/media").join(name);
        let err = match prepare(&path, &bytes) {
            Ok(p) => panic!("{name} was accepted: {:?}", p.stripped),
            Err(err) => err,
        };
        assert_eq!(err.file, path, "{name}");
        let shown = err.to_string();
        assert!(shown.contains(&format!("content/media/{name}")), "{shown}");
        assert!(
            ["truncated", "corrupt", "does not decode", "empty", "no image data"].iter().any(|w| shown.contains(w)),
            "{name}: {shown}"
        );
        assert!(err.hint.is_some(), "{name}");
    }
}

#[test]
fn a_jpg_that_is_really_a_png_is_refused() {
    let (_, png) = fixture("text-chunks.png");
    let err = prepare(Path::new("content/media/photo.jpg"), &png).unwrap_err();
    assert_eq!(err.file, Path::new("content/media/photo.jpg"));
    assert!(err.message.contains(".jpg") && err.message.contains("PNG"), "{}", err.message);
    assert!(err.hint.as_deref().unwrap().contains(".png"));

    let (_, jpeg) = fixture("clean.jpg");
    assert!(prepare(Path::new("a.png"), &jpeg).unwrap_err().message.contains("JPEG"));
    assert!(prepare(Path::new("noext"), &jpeg).unwrap_err().message.contains("no extension"));
    // the extension's case does not matter
    assert!(prepare(Path::new("A.JPEG"), &jpeg).is_ok());
}

#[test]
fn unknown_formats_are_refused_by_content_not_name() {
    let cases: [(&str, &[u8], &str); 4] = [
        ("notes.png", b"just some text, not a picture", "not an image"),
        ("logo.png", b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>", "SVG"),
        ("phone.jpg", b"\0\0\0\x18ftypheic\0\0\0\0mif1heic", "HEIC"),
        ("scan.png", b"II*\0\x08\0\0\0", "TIFF"),
    ];
    for (name, bytes, says) in cases {
        let err = prepare(Path::new(name), bytes).unwrap_err();
        assert!(err.message.contains(says), "{name}: {}", err.message);
        assert_eq!(err.file, Path::new(name));
    }
}

#[test]
fn the_example_repositorys_media_pass() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("content/media");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("png") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let p = prepare(&path, &bytes).unwrap_or_else(|d| panic!("{d}"));
        assert_eq!(p.mime, "image/png");
        let image = decode(&p.bytes);
        assert_eq!(image.dimensions(), (p.width, p.height), "{}", path.display());
        assert_eq!(image.to_rgba8(), decode(&bytes).to_rgba8(), "{}: pixels changed", path.display());
        assert_no_secrets(&path.display().to_string(), &p.bytes);
        seen += 1;
    }
    assert!(seen >= 5, "only {seen} PNGs in content/media");
}

#[test]
fn comments_between_the_scans_of_a_progressive_jpeg_are_removed() {
    let (original, p) = prepared("progressive-comment.jpg");
    assert!(contains(&original, b"Taken at home"), "fixture has the comment");
    assert_no_secrets("progressive-comment.jpg", &p.bytes);
    assert_eq!(p.stripped, ["JPEG comment"]);
    assert_eq!(decode(&p.bytes).to_rgb8(), decode(&original).to_rgb8());
}

#[test]
fn png_orientation_8_is_applied_and_its_colour_profile_kept() {
    let (original, p) = prepared("orient8.png");
    assert_eq!(p.mime, "image/png");
    assert_no_secrets("orient8.png", &p.bytes);
    assert_eq!(sorted(&p.stripped), ["EXIF (with GPS)", "orientation 8 (applied to the pixels)"]);
    let image = decode(&p.bytes);
    assert_eq!((p.width, p.height), (80, 120));
    assert_eq!(image.dimensions(), (80, 120));
    // turned 90° counter-clockwise: stored top-left goes bottom-left, stored bottom-right top-right
    assert_eq!(corner_of(&image, RED), Some((false, true)));
    assert_eq!(corner_of(&image, BLUE), Some((true, false)));
    // PNG is re-encoded losslessly: exactly the original pixels, turned
    assert_eq!(image.to_rgba8(), decode(&original).rotate270().to_rgba8());
    assert!(icc(&original).is_some());
    assert_eq!(icc(&p.bytes), icc(&original));
}

#[test]
fn webp_orientation_3_is_applied() {
    let (original, p) = prepared("orient3.webp");
    assert_eq!(p.mime, "image/webp");
    assert_no_secrets("orient3.webp", &p.bytes);
    let image = decode(&p.bytes);
    assert_eq!((p.width, p.height), (120, 80));
    assert_eq!(corner_of(&image, RED), Some((true, true)));
    assert_eq!(corner_of(&image, BLUE), Some((false, false)));
    assert_eq!(image.to_rgba8(), decode(&original).rotate180().to_rgba8());
}
