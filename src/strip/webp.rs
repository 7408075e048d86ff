//! WebP: the chunks of its RIFF file, as `img-parts` reads them.
//!
//! Kept: `VP8X` (its flags made true again), the image data (`VP8 `, `VP8L`,
//! `ALPH`), animation (`ANIM`, `ANMF` frames whole), the ICC profile (`ICCP`),
//! and the first `EXIF` reduced to its orientation when that is not 1, in its
//! place, in an extended file (`VP8X`: a simple file has no metadata a decoder
//! reads). Every other chunk goes: `XMP `, other `EXIF`, unknown chunks, and
//! bytes after the RIFF chunk.

use bytes::Bytes;
use img_parts::riff::{RiffChunk, RiffContent};
use img_parts::webp::{
    CHUNK_ALPH, CHUNK_ANIM, CHUNK_ANMF, CHUNK_EXIF, CHUNK_ICCP, CHUNK_VP8, CHUNK_VP8L, CHUNK_VP8X,
    WebP,
};

use super::Stripped;

/// The `VP8X` flags (its first byte) that say an EXIF or XMP chunk follows.
const FLAG_EXIF: u8 = 0b0000_1000;
const FLAG_XMP: u8 = 0b0000_0100;

pub(super) fn strip(bytes: &Bytes) -> Result<Stripped, String> {
    let webp = WebP::from_bytes(bytes.clone()).map_err(super::reason)?;
    let extended = webp.has_chunk(CHUNK_VP8X);
    let mut chunks = Vec::with_capacity(webp.chunks().len());
    let mut changed = false;
    let mut exif_seen = false;
    let mut exif_kept = false;
    for chunk in webp.chunks() {
        let data = chunk.content().data();
        let kept = match chunk.id() {
            CHUNK_EXIF if !exif_seen => {
                exif_seen = true;
                let tiff = data.map(|d| d.strip_prefix(b"Exif\0\0").unwrap_or(d));
                let kept = tiff.filter(|_| extended).and_then(super::kept_exif);
                exif_kept = kept.is_some();
                kept
            }
            CHUNK_VP8X | CHUNK_VP8 | CHUNK_VP8L | CHUNK_ALPH | CHUNK_ANIM | CHUNK_ANMF
            | CHUNK_ICCP => {
                chunks.push(chunk.clone());
                continue;
            }
            _ => None,
        };
        match kept {
            Some(new) => {
                changed |= data != Some(&new);
                chunks.push(RiffChunk::new(CHUNK_EXIF, RiffContent::Data(new)));
            }
            None => changed = true,
        }
    }
    changed |= fix_flags(&mut chunks, exif_kept);
    let riff = RiffChunk::new(
        *b"RIFF",
        RiffContent::List {
            kind: Some(*b"WEBP"),
            subchunks: chunks,
        },
    );
    Ok(Stripped {
        pieces: riff.encoder().collect(),
        changed,
    })
}

/// Makes the `VP8X` flags say what is left: no XMP, EXIF when kept. Whether
/// they changed.
fn fix_flags(chunks: &mut [RiffChunk], exif_kept: bool) -> bool {
    let Some(vp8x) = chunks.iter_mut().find(|c| c.id() == CHUNK_VP8X) else {
        return false;
    };
    let RiffContent::Data(data) = vp8x.content_mut() else {
        return false;
    };
    let Some(&flags) = data.first() else {
        return false;
    };
    let fixed = (flags & !(FLAG_EXIF | FLAG_XMP)) | if exif_kept { FLAG_EXIF } else { 0 };
    if fixed == flags {
        return false;
    }
    let mut new = data.to_vec();
    new[0] = fixed;
    *data = new.into();
    true
}

#[cfg(test)]
mod tests {
    use img_parts::ImageICC;

    use super::super::tests::{exif_fields, fixture, stripped};
    use super::super::{orientation_exif, strip_metadata};
    use super::*;

    fn ids(webp: &WebP) -> Vec<String> {
        webp.chunks()
            .iter()
            .map(|c| String::from_utf8_lossy(&c.id()).into_owned())
            .collect()
    }

    fn flags(webp: &WebP) -> u8 {
        webp.chunk_by_id(CHUNK_VP8X)
            .expect("VP8X")
            .content()
            .data()
            .expect("data")[0]
    }

    #[test]
    fn a_webp_keeps_its_pixels_profile_and_orientation_only() {
        let photo = fixture("photo.webp");
        let before = WebP::from_bytes(photo.clone()).expect("a WebP");
        assert_eq!(ids(&before), ["VP8X", "ICCP", "VP8 ", "EXIF", "XMP "]);
        assert_eq!(
            flags(&before) & (FLAG_EXIF | FLAG_XMP),
            FLAG_EXIF | FLAG_XMP
        );
        assert!(
            exif_fields(&photo)
                .iter()
                .any(|(t, _)| *t == exif::Tag::GPSLatitude)
        );

        let out = stripped(&photo);
        let after = WebP::from_bytes(out.clone()).expect("a WebP");
        assert_eq!(ids(&after), ["VP8X", "ICCP", "VP8 ", "EXIF"]);
        assert_eq!(flags(&after), flags(&before) & !FLAG_XMP);
        let exif = after
            .chunk_by_id(CHUNK_EXIF)
            .and_then(|c| c.content().data().cloned());
        assert_eq!(exif.as_deref(), Some(&orientation_exif(6)[..]));
        assert_eq!(after.icc_profile(), before.icc_profile());
        assert_eq!(after.chunk_by_id(CHUNK_VP8), before.chunk_by_id(CHUNK_VP8));
        let riff_size = u32::from_le_bytes([out[4], out[5], out[6], out[7]]);
        assert_eq!(riff_size as usize + 8, out.len(), "the RIFF size is right");
    }

    #[test]
    fn without_an_orientation_the_exif_flag_goes_with_the_chunk() {
        let mut webp = WebP::from_bytes(fixture("photo.webp")).expect("a WebP");
        for c in webp
            .chunks_mut()
            .iter_mut()
            .filter(|c| c.id() == CHUNK_EXIF)
        {
            *c = RiffChunk::new(
                CHUNK_EXIF,
                RiffContent::Data(Bytes::copy_from_slice(&orientation_exif(1))),
            );
        }
        let out = stripped(&webp.encoder().bytes());
        let after = WebP::from_bytes(out).expect("a WebP");
        assert_eq!(ids(&after), ["VP8X", "ICCP", "VP8 "]);
        assert_eq!(flags(&after) & (FLAG_EXIF | FLAG_XMP), 0);
    }

    #[test]
    fn a_cut_webp_is_an_error() {
        let photo = fixture("photo.webp");
        let e = strip_metadata(&photo.slice(..photo.len() - 10)).expect_err("refused");
        assert_eq!(
            e.to_string(),
            "the WebP image cannot be read (a part of it is cut short)"
        );
    }
}
