//! Reading an image's header: its format (from its signature), its displayed
//! size (the EXIF orientation applied), alpha and animation.
//!
//! Input: a file's bytes. Output: a `Probe`, and for `process` the header-read
//! decoder of a JPEG, PNG or WebP, ready to decode. No pixel is decoded here:
//! `image`'s decoders read the headers when they are made (the JPEG frame
//! header and metadata segments, the PNG chunks before the image data, the
//! WebP chunk list), and a GIF's blocks are walked by hand (its pixels are
//! never decoded: a GIF is published as it is).

use std::io::Cursor;

use image::codecs::jpeg::JpegDecoder;
use image::codecs::png::PngDecoder;
use image::codecs::webp::WebPDecoder;
use image::metadata::Orientation;
use image::{ImageDecoder, ImageError as DecodeError};

use super::{ErrorKind, ImageError, Kind, Probe};

/// An image's header, read, with its decoder (none for a GIF).
pub(super) struct Opened<'a> {
    pub(super) probe: Probe,
    pub(super) source: Option<Source<'a>>,
}

/// A JPEG, PNG or WebP image ready to decode.
pub(super) struct Source<'a> {
    /// The decoder, its headers read.
    pub(super) decoder: Box<dyn ImageDecoder + 'a>,
    /// How the stored pixels are turned for display (EXIF orientation).
    pub(super) orientation: Orientation,
    /// The EXIF block (TIFF bytes, from `II` or `MM`), if any.
    pub(super) exif: Option<Vec<u8>>,
}

/// What `bytes` are, from their header alone: cheap, no pixel decoded.
///
/// An error when they are no JPEG, PNG, WebP or GIF image, or when their
/// header cannot be read.
pub fn probe(bytes: &[u8]) -> Result<Probe, ImageError> {
    open(bytes).map(|opened| opened.probe)
}

/// The format `bytes` claim by their signature.
/// The three formats whose metadata `strip` handles are sniffed there.
pub(super) fn sniff(bytes: &[u8]) -> Option<Kind> {
    match crate::strip::Format::sniff(bytes) {
        Some(crate::strip::Format::Jpeg) => Some(Kind::Jpeg),
        Some(crate::strip::Format::Png) => Some(Kind::Png),
        Some(crate::strip::Format::WebP) => Some(Kind::Webp),
        None if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") => Some(Kind::Gif),
        None => None,
    }
}

/// Reads the header of `bytes`, keeping the decoder for `process`.
pub(super) fn open(bytes: &[u8]) -> Result<Opened<'_>, ImageError> {
    let Some(kind) = sniff(bytes) else {
        return Err(not_an_image(bytes));
    };
    if kind == Kind::Gif {
        return gif(bytes).map(|probe| Opened {
            probe,
            source: None,
        });
    }
    let cursor = Cursor::new(bytes);
    let mut animated = false;
    let mut decoder: Box<dyn ImageDecoder + '_> = match kind {
        Kind::Jpeg => Box::new(JpegDecoder::new(cursor).map_err(decode_error)?),
        Kind::Png => {
            let png = PngDecoder::new(cursor).map_err(decode_error)?;
            animated = png.is_apng().map_err(decode_error)?;
            Box::new(png)
        }
        Kind::Webp => {
            let webp = WebPDecoder::new(cursor).map_err(decode_error)?;
            animated = webp.has_animation();
            Box::new(webp)
        }
        Kind::Gif => unreachable!("handled above"),
    };
    let (stored_w, stored_h) = decoder.dimensions();
    if stored_w == 0 || stored_h == 0 {
        return Err(ImageError::corrupt(format!(
            "its header gives a size of {stored_w}×{stored_h}"
        )));
    }
    let has_alpha = decoder.color_type().has_alpha();
    // A damaged EXIF block is no reason to refuse an image a browser shows:
    // it is read as none (no orientation, nothing to keep).
    let exif =
        decoder
            .exif_metadata()
            .ok()
            .flatten()
            .map(|exif| match exif.strip_prefix(b"Exif\0\0") {
                Some(tiff) => tiff.to_vec(),
                None => exif,
            });
    let orientation = exif
        .as_deref()
        .and_then(Orientation::from_exif_chunk)
        .unwrap_or(Orientation::NoTransforms);
    let (width, height) = if turns_a_quarter(orientation) {
        (stored_h, stored_w)
    } else {
        (stored_w, stored_h)
    };
    Ok(Opened {
        probe: Probe {
            kind,
            width,
            height,
            has_alpha,
            animated,
        },
        source: Some(Source {
            decoder,
            orientation,
            exif,
        }),
    })
}

/// Whether an orientation swaps width and height (EXIF 5 to 8).
pub(super) fn turns_a_quarter(orientation: Orientation) -> bool {
    matches!(
        orientation,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    )
}

/// The error for bytes of no format read, showing how they start.
fn not_an_image(bytes: &[u8]) -> ImageError {
    let start = if bytes.is_empty() {
        "it is empty".to_string()
    } else {
        let hex: Vec<String> = bytes.iter().take(8).map(|b| format!("{b:02X}")).collect();
        let more = if bytes.len() > 8 { " …" } else { "" };
        format!("its bytes start with {}{more}", hex.join(" "))
    };
    ImageError::new(
        ErrorKind::NotAnImage,
        format!("is not a JPEG, PNG, WebP or GIF image ({start})"),
    )
}

/// An `image` error as an `ImageError`: over a limit, unsupported, or
/// damaged.
pub(super) fn decode_error(e: DecodeError) -> ImageError {
    match e {
        DecodeError::Limits(limit) => ImageError::new(
            ErrorKind::OverBudget,
            format!(
                "is too large to decode within the pixel budget (images: max_megapixels): {limit}"
            ),
        ),
        DecodeError::Unsupported(what) => ImageError::new(
            ErrorKind::Unsupported,
            format!(
                "uses a feature that cannot be decoded ({what}): save it again from an image editor"
            ),
        ),
        other => ImageError::corrupt(other),
    }
}

/// A GIF's header: its logical screen size, whether a frame is transparent,
/// and whether it has more than one frame. The blocks are walked (never
/// decoded) as far as they can be read: a GIF cut short after its first frame
/// is probed for what it shows.
fn gif(bytes: &[u8]) -> Result<Probe, ImageError> {
    // Header (6), logical screen descriptor (7): width, height, flags.
    if bytes.len() < 13 {
        return Err(ImageError::corrupt("the GIF header is cut short"));
    }
    let width = u32::from(u16::from_le_bytes([bytes[6], bytes[7]]));
    let height = u32::from(u16::from_le_bytes([bytes[8], bytes[9]]));
    if width == 0 || height == 0 {
        return Err(ImageError::corrupt(format!(
            "its header gives a size of {width}×{height}"
        )));
    }
    let mut at = 13 + color_table_len(bytes[10]);
    let mut frames = 0u32;
    let mut transparent = false;
    while let Some(&block) = bytes.get(at) {
        match block {
            // Extension: a label, then data sub-blocks.
            0x21 => {
                let label = bytes.get(at + 1).copied();
                // Graphic control extension: size 4, flags, delay, index.
                if label == Some(0xF9) && bytes.get(at + 2) == Some(&4) {
                    transparent |= bytes.get(at + 3).is_some_and(|flags| flags & 1 == 1);
                }
                match skip_sub_blocks(bytes, at + 2) {
                    Some(next) => at = next,
                    None => break,
                }
            }
            // Image descriptor (10 bytes with this one), a local colour
            // table, the LZW code size, then data sub-blocks.
            0x2C => {
                let Some(&flags) = bytes.get(at + 9) else {
                    break;
                };
                frames += 1;
                if frames > 1 {
                    break;
                }
                match skip_sub_blocks(bytes, at + 10 + color_table_len(flags) + 1) {
                    Some(next) => at = next,
                    None => break,
                }
            }
            // Trailer, or anything else: the end of what can be read.
            _ => break,
        }
    }
    if frames == 0 {
        return Err(ImageError::corrupt("the GIF has no image"));
    }
    Ok(Probe {
        kind: Kind::Gif,
        width,
        height,
        has_alpha: transparent,
        animated: frames > 1,
    })
}

/// The length of the colour table a GIF's flags byte announces (global in the
/// screen descriptor, local in an image descriptor).
fn color_table_len(flags: u8) -> usize {
    if flags & 0x80 == 0 {
        0
    } else {
        3 << ((flags & 0x07) + 1)
    }
}

/// Where the sub-blocks starting at `at` end (after their empty block), or
/// `None` when they run past the end of the bytes.
fn skip_sub_blocks(bytes: &[u8], mut at: usize) -> Option<usize> {
    loop {
        let len = usize::from(*bytes.get(at)?);
        at += 1;
        if len == 0 {
            return Some(at);
        }
        at += len;
    }
}
