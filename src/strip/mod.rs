//! Image metadata: what a published JPEG, PNG or WebP keeps of the file it was
//! copied from.
//!
//! Files copied into a site (its `static/` folder, a theme's, an article's
//! folder) are published as they are, except images: a phone photo carries its
//! GPS position, the camera's serial number, a thumbnail of the uncropped
//! picture, an editor's name. `strip_metadata` removes all of that at the
//! container level (JPEG segments, PNG chunks, RIFF chunks, read and written by
//! `img-parts`), so the compressed pixels are published byte for byte: nothing
//! is decoded or encoded again. What display needs stays: the ICC colour
//! profile, and the EXIF orientation, as a minimal EXIF holding that one tag
//! (read with `kamadak-exif`), in the place the original EXIF had.
//!
//! The format is read from the bytes (their signature), never from the name:
//! a file that is none of the three is left as it is. `publishable` is the
//! build's rule for one copied file: stripped bytes, a file left out with a
//! warning when its image cannot be read (its metadata could not be checked),
//! or a warning when its name promises an image its bytes are not.
//!
//! Pure: bytes in, bytes out. The pipeline calls `publishable` for every copied
//! file (`pipeline::assets`), the one place where copied files are produced.

use std::borrow::Cow;
use std::fmt;

use bytes::Bytes;

use crate::diag::Diagnostic;

mod jpeg;
mod png;
mod webp;

/// The largest image stripped; a larger one is refused (the site's own files
/// stop at `source::MAX_FILE_BYTES`, far below). RIFF and PNG lengths are 32-bit.
const MAX_BYTES: usize = 1 << 30;

/// An image format whose metadata is stripped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// JPEG (JFIF, EXIF): `FF D8 FF`.
    Jpeg,
    /// PNG (and APNG): the 8-byte PNG signature.
    Png,
    /// WebP: a RIFF file of form `WEBP`.
    WebP,
}

impl Format {
    /// The format of `bytes`, read from their signature as a browser sniffs an
    /// image; `None` for anything else (text, GIF, AVIF…).
    pub fn sniff(bytes: &[u8]) -> Option<Format> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Format::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Format::Png)
        } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
            Some(Format::WebP)
        } else {
            None
        }
    }

    /// The format a file's name promises by its extension, in any case
    /// (`photo.JPG`, `logo.png`); only for telling an editor when the bytes
    /// say otherwise.
    pub fn by_name(path: &str) -> Option<Format> {
        let name = path.rsplit('/').next().unwrap_or(path);
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "jpg" | "jpeg" | "jpe" | "jfif" => Some(Format::Jpeg),
            "png" | "apng" => Some(Format::Png),
            "webp" => Some(Format::WebP),
            _ => None,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Jpeg => "JPEG",
            Format::Png => "PNG",
            Format::WebP => "WebP",
        })
    }
}

/// An image whose structure cannot be read, so its metadata cannot be found
/// (a truncated file, a damaged segment or chunk).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StripError {
    /// The format the bytes' signature claims.
    pub format: Format,
    /// What is wrong, in a few words.
    pub reason: String,
}

impl fmt::Display for StripError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the {} image cannot be read ({})",
            self.format, self.reason
        )
    }
}

impl std::error::Error for StripError {}

/// `bytes` without their metadata, when they are a JPEG, PNG or WebP image.
///
/// Removed: EXIF (GPS position, camera and serial numbers, dates, its
/// thumbnail), XMP, IPTC and Photoshop blocks (JPEG APP13), comments, every
/// other application segment (JPEG), text chunks (`tEXt`, `iTXt`, `zTXt`),
/// `eXIf` and `tIME` and every other chunk that display does not read (PNG),
/// `EXIF`, `XMP ` and unknown chunks (WebP, with the `VP8X` flags made true
/// again), and anything after the end of the image (JPEG trailers such as the
/// extra pictures of MPF, PNG bytes after `IEND`, WebP bytes after the RIFF
/// chunk).
///
/// Kept: the pixel data byte for byte, every structure a decoder reads (JFIF
/// without its thumbnail, the Adobe colour transform, tables, frames, scans,
/// PNG palette, transparency, colour and animation chunks, WebP frames and
/// alpha), the ICC profile, and an EXIF orientation other than 1, rewritten as
/// an EXIF holding only that tag where the original EXIF stood (JPEG APP1,
/// WebP `EXIF`, PNG `eXIf`), so a browser that turned the picture still does
/// and one that did not still does not.
///
/// Bytes with nothing to remove, and bytes that are none of the three formats,
/// come back borrowed: nothing is copied. Stripping what was stripped changes
/// nothing.
pub fn strip_metadata(bytes: &Bytes) -> Result<Cow<'_, [u8]>, StripError> {
    let Some(format) = Format::sniff(bytes) else {
        return Ok(Cow::Borrowed(bytes));
    };
    let error = |reason: String| StripError { format, reason };
    if bytes.len() > MAX_BYTES {
        return Err(error("it is over 1 GiB".to_string()));
    }
    let stripped = match format {
        Format::Jpeg => jpeg::strip(bytes),
        Format::Png => png::strip(bytes),
        Format::WebP => webp::strip(bytes),
    }
    .map_err(error)?;
    let len: usize = stripped.pieces.iter().map(Bytes::len).sum();
    // Parts are only ever left out or rewritten (both flagged): a file whose
    // parts add up to its own length lost nothing.
    if !stripped.changed && len == bytes.len() {
        return Ok(Cow::Borrowed(bytes));
    }
    let mut out = Vec::with_capacity(len);
    for piece in &stripped.pieces {
        out.extend_from_slice(piece);
    }
    Ok(Cow::Owned(out))
}

/// What the build publishes for a copied file at `path` (named for messages):
/// its bytes stripped of metadata (shared, not copied, when nothing was
/// stripped), and maybe a warning.
///
/// An image that cannot be read is left out (`None`) with a warning: its
/// metadata could not be checked, and a browser shows a damaged image as far
/// as it can, so publishing it could publish a GPS position. A file named like
/// an image whose bytes are no JPEG, PNG or WebP is published as it is, with a
/// warning: it is not an image of these formats, and probably not what the
/// editor meant to publish.
pub fn publishable(path: &str, bytes: &Bytes) -> (Option<Bytes>, Option<Diagnostic>) {
    match strip_metadata(bytes) {
        Ok(Cow::Owned(stripped)) => (Some(stripped.into()), None),
        Ok(Cow::Borrowed(_)) => {
            let warning = match (Format::sniff(bytes), Format::by_name(path)) {
                (None, Some(named)) => Some(Diagnostic::warning(
                    path,
                    format!(
                        "named like a {named} image, but it is not a JPEG, PNG or WebP image: published as it is, its metadata unchecked"
                    ),
                )),
                _ => None,
            };
            (Some(bytes.clone()), warning)
        }
        Err(e) => (
            None,
            Some(Diagnostic::warning(
                path,
                format!(
                    "{e}, so its metadata (GPS position, camera serial number…) could not be checked: not published; save it again from an image editor"
                ),
            )),
        ),
    }
}

/// A format's image taken apart: the pieces of the file to publish, in order,
/// and whether any part was left out or rewritten.
struct Stripped {
    pieces: Vec<Bytes>,
    changed: bool,
}

/// The few words for why a container could not be read.
fn reason(e: img_parts::Error) -> String {
    match e {
        img_parts::Error::WrongSignature => "its signature is wrong",
        img_parts::Error::BadCRC => "a chunk's checksum does not match its data",
        img_parts::Error::Truncated => "a part of it is cut short",
    }
    .to_string()
}

/// The EXIF to keep of an EXIF block (TIFF bytes, from `II` or `MM`): one
/// holding only the orientation, when the block gives one other than 1 (the
/// default); none otherwise, or when the block cannot be read (a browser
/// could not read it either).
fn kept_exif(tiff: &[u8]) -> Option<Bytes> {
    let exif = exif::Reader::new()
        .continue_on_error(true)
        .read_raw(tiff.to_vec())
        .or_else(|e| e.distill_partial_result(|_| {}))
        .ok()?;
    let value = exif
        .get_field(exif::Tag::Orientation, exif::In::PRIMARY)?
        .value
        .get_uint(0)?;
    let orientation = u16::try_from(value).ok().filter(|o| (2..=8).contains(o))?;
    Some(Bytes::copy_from_slice(&orientation_exif(orientation)))
}

/// The smallest EXIF block (TIFF, big-endian) holding an orientation: the
/// header, then IFD0 with one entry (tag 0x0112, type SHORT, count 1, the
/// value left-justified in its four bytes) and no next IFD.
fn orientation_exif(orientation: u16) -> [u8; 26] {
    let [hi, lo] = orientation.to_be_bytes();
    [
        b'M', b'M', 0x00, 0x2A, 0x00, 0x00, 0x00, 0x08, // header: IFD0 at 8
        0x00, 0x01, // one entry
        0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, hi, lo, 0x00, 0x00, // Orientation
        0x00, 0x00, 0x00, 0x00, // no next IFD
    ]
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The test images, made by `cjpeg`, ImageMagick, `cwebp` and `exiftool`
    /// (see the fixture's README): orientation 6, a GPS position, a serial
    /// number, an ICC profile, XMP, a comment, and more for each format.
    pub(crate) fn fixture(name: &str) -> Bytes {
        let path = format!(
            "{}/tests/fixtures/ok-image-metadata/static/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path)
            .unwrap_or_else(|e| panic!("{path}: {e}"))
            .into()
    }

    /// Words the fixtures' metadata holds; none may be published.
    pub(crate) const SECRETS: [&[u8]; 7] = [
        b"SN-4471-0042",
        b"Jo Reporter",
        b"Phonemaker",
        b"Eiffel",
        b"shot at home",
        b"quiet street",
        b"Paris",
    ];

    pub(crate) fn holds(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    /// Every EXIF field in an image file, as `kamadak-exif` reads the
    /// container (the way a visitor's tool would).
    pub(crate) fn exif_fields(image: &[u8]) -> Vec<(exif::Tag, String)> {
        match exif::Reader::new().read_from_container(&mut std::io::Cursor::new(image)) {
            Ok(exif) => exif
                .fields()
                .map(|f| (f.tag, f.display_value().to_string()))
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    /// Strips, checks that nothing of the metadata is left but the
    /// orientation, and that stripping again changes nothing.
    pub(crate) fn stripped(image: &Bytes) -> Bytes {
        let out = Bytes::from(strip_metadata(image).expect("strips").into_owned());
        for secret in SECRETS {
            assert!(!holds(&out, secret), "{}", String::from_utf8_lossy(secret));
        }
        assert!(matches!(strip_metadata(&out), Ok(Cow::Borrowed(_))));
        out
    }

    #[test]
    fn formats_are_read_from_the_bytes_not_the_name() {
        assert_eq!(Format::sniff(&fixture("photo.jpg")), Some(Format::Jpeg));
        assert_eq!(Format::sniff(&fixture("photo.png")), Some(Format::Png));
        assert_eq!(Format::sniff(&fixture("photo.webp")), Some(Format::WebP));
        assert_eq!(Format::sniff(b"PNG"), None);
        assert_eq!(Format::sniff(b"RIFF\0\0\0\0WAVE"), None);
        assert_eq!(Format::by_name("static/a.b/Photo.JPG"), Some(Format::Jpeg));
        assert_eq!(Format::by_name("static/jpg"), None);
    }

    #[test]
    fn the_orientation_exif_reads_back_as_that_tag_alone() {
        for o in 1..=8 {
            let exif = exif::Reader::new()
                .read_raw(orientation_exif(o).to_vec())
                .expect("reads");
            let fields: Vec<_> = exif.fields().collect();
            assert_eq!(fields.len(), 1);
            assert_eq!(fields[0].tag, exif::Tag::Orientation);
            assert_eq!(fields[0].value.get_uint(0), Some(u32::from(o)));
        }
        assert_eq!(kept_exif(&orientation_exif(1)), None, "1 is the default");
        assert_eq!(kept_exif(&orientation_exif(9)), None, "not an orientation");
        assert_eq!(kept_exif(b"MM\0*garbage"), None);
        assert_eq!(
            kept_exif(&orientation_exif(6)).as_deref(),
            Some(&orientation_exif(6)[..])
        );
    }

    #[test]
    fn other_files_come_back_untouched_and_uncopied() {
        for bytes in [
            Bytes::from_static(b"body { color: red }"),
            Bytes::from_static(b"GIF89a"),
            Bytes::new(),
        ] {
            match strip_metadata(&bytes) {
                Ok(Cow::Borrowed(same)) => assert_eq!(same.as_ptr(), bytes.as_ptr()),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn an_unreadable_image_is_left_out_with_a_warning_naming_it() {
        let photo = fixture("photo.jpg");
        let cut = photo.slice(..photo.len() / 3);
        let (bytes, warning) = publishable("static/photo.jpg", &cut);
        assert_eq!(bytes, None);
        let warning = warning.expect("warned");
        assert!(!warning.is_error());
        assert_eq!(warning.path, "static/photo.jpg");
        assert!(
            warning.message.starts_with("the JPEG image cannot be read")
                && warning.message.contains("not published"),
            "{}",
            warning.message
        );
    }

    #[test]
    fn a_file_named_like_an_image_that_is_none_is_published_with_a_warning() {
        let text = Bytes::from_static(b"PNG");
        let (bytes, warning) = publishable("content/chart.png", &text);
        assert_eq!(bytes, Some(text));
        assert!(
            warning
                .expect("warned")
                .message
                .starts_with("named like a PNG image, but it is not")
        );
        let (_, quiet) = publishable("static/notes.txt", &Bytes::from_static(b"PNG"));
        assert_eq!(quiet, None);
    }

    #[test]
    fn a_clean_image_is_published_without_a_copy() {
        let clean = stripped(&fixture("photo.png"));
        let (bytes, warning) = publishable("static/photo.png", &clean);
        assert_eq!(warning, None);
        assert_eq!(bytes.expect("published").as_ptr(), clean.as_ptr());
    }
}
