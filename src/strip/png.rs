//! PNG (and APNG): its chunks, as `img-parts` reads them (every checksum
//! checked).
//!
//! Kept: the critical chunks (`IHDR`, `PLTE`, `IDAT`, `IEND`, and any other a
//! decoder must know), the ancillary chunks display reads (transparency,
//! gamma, chromaticities, sRGB, the ICC profile, significant bits, CICP and
//! HDR levels, background, pixel size, animation), and the first `eXIf`
//! reduced to its orientation when that is not 1, in its place: Safari and
//! Chromium turn a PNG by an `eXIf` before the image data, Firefox does not
//! turn it at all, and the place kept keeps each browser's picture. Every other
//! ancillary chunk goes: text (`tEXt`, `iTXt` with XMP, `zTXt` with raw EXIF or
//! IPTC profiles), `tIME`, other `eXIf`, signatures and private chunks. Bytes
//! after `IEND` go.

use bytes::Bytes;
use img_parts::png::{Png, PngChunk};

use super::Stripped;

/// The ancillary chunks a browser or decoder reads to show the image.
const DISPLAYED: [&[u8; 4]; 16] = [
    b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT", b"cICP", b"mDCV", b"cLLI", b"mDCv",
    b"cLLi", b"bKGD", b"pHYs", b"acTL", b"fcTL", b"fdAT",
];

const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

pub(super) fn strip(bytes: &Bytes) -> Result<Stripped, String> {
    let png = Png::from_bytes(bytes.clone()).map_err(super::reason)?;
    let mut pieces = vec![Bytes::from_static(SIGNATURE)];
    let mut changed = false;
    let mut exif_seen = false;
    for chunk in png.chunks() {
        let kind = chunk.kind();
        let kept = if &kind == b"eXIf" && !exif_seen {
            exif_seen = true;
            super::kept_exif(chunk.contents())
        } else if kind[0].is_ascii_uppercase() || DISPLAYED.contains(&&kind) {
            Some(chunk.contents().clone())
        } else {
            None
        };
        match kept {
            Some(same) if same == chunk.contents() => pieces.extend(chunk.clone().encoder()),
            Some(new) => {
                changed = true;
                pieces.extend(PngChunk::new(kind, new).encoder());
            }
            None => changed = true,
        }
    }
    Ok(Stripped { pieces, changed })
}

#[cfg(test)]
mod tests {
    use img_parts::{ImageEXIF, ImageICC};

    use super::super::tests::{exif_fields, fixture, stripped};
    use super::super::{orientation_exif, strip_metadata};
    use super::*;

    fn kinds(png: &Png) -> Vec<String> {
        png.chunks()
            .iter()
            .map(|c| String::from_utf8_lossy(&c.kind()).into_owned())
            .collect()
    }

    #[test]
    fn a_png_keeps_its_pixels_profile_and_orientation_only() {
        let photo = fixture("photo.png");
        let before = Png::from_bytes(photo.clone()).expect("a PNG");
        for kind in ["tEXt", "zTXt", "iTXt", "tIME", "eXIf"] {
            assert!(kinds(&before).iter().any(|k| k == kind), "{kind}");
        }
        assert!(
            exif_fields(&photo)
                .iter()
                .any(|(t, _)| *t == exif::Tag::GPSLatitude)
        );

        let out = stripped(&photo);
        let after = Png::from_bytes(out.clone()).expect("a PNG");
        assert_eq!(
            kinds(&after),
            ["IHDR", "iCCP", "PLTE", "eXIf", "IDAT", "IEND"]
        );
        assert_eq!(after.exif().as_deref(), Some(&orientation_exif(6)[..]));
        assert_eq!(after.icc_profile(), before.icc_profile());
        let data = |p: &Png| -> Vec<PngChunk> {
            p.chunks()
                .iter()
                .filter(|c| {
                    ["IHDR", "PLTE", "IDAT", "IEND", "iCCP"]
                        .contains(&&*String::from_utf8_lossy(&c.kind()))
                })
                .cloned()
                .collect()
        };
        assert_eq!(data(&after), data(&before));
    }

    #[test]
    fn bytes_after_the_end_go_and_a_bad_checksum_is_an_error() {
        let clean = stripped(&fixture("photo.png"));
        let mut trailing = clean.to_vec();
        trailing.extend_from_slice(b"Jo Reporter was here");
        assert_eq!(stripped(&trailing.into()), clean);

        let mut damaged = clean.to_vec();
        let at = damaged.len() - 20; // inside IDAT
        damaged[at] ^= 1;
        let e = strip_metadata(&damaged.into()).expect_err("refused");
        assert_eq!(
            e.to_string(),
            "the PNG image cannot be read (a chunk's checksum does not match its data)"
        );
        assert!(strip_metadata(&clean.slice(..clean.len() - 3)).is_err());
    }
}
