//! The metadata a variant carries, put into its encoded file.
//!
//! Input: an encoded WebP or PNG file (JPEG metadata goes in through its
//! encoder, in `process`) and the source's ICC profile, EXIF and XMP to keep.
//! Output: the file with them, as a browser and a visitor's tool read them:
//! WebP `ICCP`, `EXIF` and `XMP ` chunks (the `VP8X` header and its flags
//! made by `img-parts`), PNG `iCCP` and `eXIf` (written by `image`'s encoder)
//! and an `iTXt` chunk for XMP. An encoder writes no metadata of its own, so a
//! variant holds nothing else.

use bytes::Bytes;
use img_parts::png::{Png, PngChunk};
use img_parts::riff::{RiffChunk, RiffContent};
use img_parts::webp::{CHUNK_XMP, WebP};
use img_parts::{ImageEXIF, ImageICC};

/// What a variant keeps of its source's metadata.
#[derive(Default)]
pub(super) struct Kept {
    /// The ICC colour profile (always kept).
    pub(super) icc: Option<Vec<u8>>,
    /// The EXIF block, TIFF bytes from `II` or `MM`, its orientation set to 1
    /// (only with `keep_metadata`).
    pub(super) exif: Option<Vec<u8>>,
    /// The XMP packet (only with `keep_metadata`).
    pub(super) xmp: Option<Vec<u8>>,
}

/// The namespace that opens a JPEG's XMP segment (APP1).
pub(super) const XMP_JPEG_HEADER: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";

/// The keyword of the PNG `iTXt` chunk that holds XMP.
const XMP_PNG_KEYWORD: &[u8] = b"XML:com.adobe.xmp";

/// A WebP file from libwebp with the kept metadata added (unchanged when
/// there is none). An error only when `img-parts` cannot read libwebp's file.
pub(super) fn webp(encoded: Vec<u8>, kept: &Kept) -> Result<Vec<u8>, String> {
    if kept.icc.is_none() && kept.exif.is_none() && kept.xmp.is_none() {
        return Ok(encoded);
    }
    let mut webp = WebP::from_bytes(Bytes::from(encoded))
        .map_err(|e| format!("the WebP encoder's output cannot be read again ({e})"))?;
    if let Some(xmp) = &kept.xmp {
        webp.chunks_mut().push(RiffChunk::new(
            CHUNK_XMP,
            RiffContent::Data(Bytes::copy_from_slice(xmp)),
        ));
    }
    webp.set_icc_profile(kept.icc.clone().map(Bytes::from));
    // Last: setting the EXIF sets the `VP8X` flags from every chunk present.
    webp.set_exif(kept.exif.clone().map(Bytes::from));
    Ok(webp.encoder().bytes().to_vec())
}

/// A PNG file from `image` with the kept XMP added as an `iTXt` chunk before
/// the image data (its ICC profile and EXIF are written by the encoder).
pub(super) fn png_xmp(encoded: Vec<u8>, xmp: Option<&[u8]>) -> Result<Vec<u8>, String> {
    let Some(xmp) = xmp else {
        return Ok(encoded);
    };
    let mut png = Png::from_bytes(Bytes::from(encoded))
        .map_err(|e| format!("the PNG encoder's output cannot be read again ({e})"))?;
    // Keyword, NUL, compression flag and method (none), empty language tag
    // and translated keyword (each NUL-ended), then the text.
    let mut data = Vec::with_capacity(XMP_PNG_KEYWORD.len() + 5 + xmp.len());
    data.extend_from_slice(XMP_PNG_KEYWORD);
    data.extend_from_slice(&[0, 0, 0, 0, 0]);
    data.extend_from_slice(xmp);
    let at = png
        .chunks()
        .iter()
        .position(|c| &c.kind() == b"IDAT")
        .unwrap_or(png.chunks().len());
    png.chunks_mut()
        .insert(at, PngChunk::new(*b"iTXt", Bytes::from(data)));
    Ok(png.encoder().bytes().to_vec())
}

/// `tiff` (an EXIF block) with its orientation set to 1, the pixels having
/// been turned: the entry 0x0112 of IFD0 is rewritten in place, everything
/// else kept byte for byte. A block without the entry stays as it is (1 is
/// the default); one whose IFD0 cannot be read is dropped (`None`): a reader
/// could turn the variant again by a damaged tag.
pub(super) fn exif_upright(tiff: &[u8]) -> Option<Vec<u8>> {
    let big = match tiff.get(..4)? {
        [b'M', b'M', 0, 42] => true,
        [b'I', b'I', 42, 0] => false,
        _ => return None,
    };
    let u16_at = |at: usize| -> Option<u16> {
        let b: [u8; 2] = tiff.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(if big {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        })
    };
    let u32_at = |at: usize| -> Option<u32> {
        let b: [u8; 4] = tiff.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(if big {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    };
    let ifd0 = usize::try_from(u32_at(4)?).ok()?;
    let entries = usize::from(u16_at(ifd0)?);
    let mut out = tiff.to_vec();
    for i in 0..entries {
        let entry = ifd0.checked_add(2 + 12 * i)?;
        if u16_at(entry)? != 0x0112 {
            continue;
        }
        // Type SHORT (3), count 1: the value is left-justified in the four
        // value bytes. Any other shape is not an orientation a reader uses.
        if u16_at(entry + 2)? != 3 || u32_at(entry + 4)? != 1 {
            return None;
        }
        let one = if big { [0, 1] } else { [1, 0] };
        out.get_mut(entry + 8..entry + 10)?.copy_from_slice(&one);
        return Some(out);
    }
    Some(out)
}
