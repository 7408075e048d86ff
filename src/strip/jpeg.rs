//! JPEG: the segments before the first scan, as `img-parts` splits them, and
//! the scans after it, walked here marker by marker.
//!
//! Kept: every segment a decoder reads (tables, frame, scans, restart
//! intervals), JFIF (`APP0`, without its thumbnail), the ICC profile (`APP2
//! ICC_PROFILE`, every part), Adobe's colour transform (`APP14`), and the first
//! EXIF (`APP1`) reduced to its orientation when that is not 1. Every other
//! `APPn` segment (XMP, extended XMP, IPTC and Photoshop `APP13`, MPF, FlashPix,
//! JUMBF…) and every comment (`COM`) goes, before the first scan or between
//! scans. The scans' entropy-coded data is copied as it is, up to and with the
//! end-of-image marker; what follows it (MPF's extra pictures, a phone maker's
//! trailer, an appended file) goes.

use std::ops::Range;

use bytes::Bytes;
use img_parts::jpeg::{Jpeg, JpegSegment, markers};

use super::Stripped;

const EXIF: &[u8] = b"Exif\0\0";

pub(super) fn strip(bytes: &Bytes) -> Result<Stripped, String> {
    let jpeg = Jpeg::from_bytes(bytes.clone()).map_err(super::reason)?;
    let mut pieces = vec![Bytes::from_static(&[markers::P, markers::SOI])];
    let mut changed = false;
    let mut exif_seen = false;
    let mut scans_at = None;
    for segment in jpeg.segments() {
        let (marker, contents) = (segment.marker(), segment.contents());
        let kept = match marker {
            markers::APP0 if contents.starts_with(b"JFIF\0") => Some(jfif(contents)),
            markers::APP2 if contents.starts_with(b"ICC_PROFILE\0") => Some(contents.clone()),
            markers::APP14 if contents.starts_with(b"Adobe") => Some(contents.clone()),
            markers::APP1 if contents.starts_with(EXIF) && !exif_seen => {
                exif_seen = true;
                super::kept_exif(&contents[EXIF.len()..])
                    .map(|tiff| Bytes::from([EXIF, &tiff[..]].concat()))
            }
            markers::APP0..=markers::APP15 | markers::COM => None,
            _ => Some(contents.clone()),
        };
        match kept {
            Some(new) => {
                changed |= new != contents;
                // The first scan's header alone: its data is walked below.
                pieces.extend(JpegSegment::new_with_contents(marker, new).encoder());
            }
            None => changed = true,
        }
        if segment.has_entropy() {
            // The entropy of the first scan is the rest of the file.
            scans_at = Some(bytes.len() - (segment.len_with_entropy() - segment.len()));
        }
    }
    match scans_at {
        Some(at) => {
            let (kept, cut) = scans(&bytes[at..])?;
            changed |= cut;
            pieces.extend(
                kept.into_iter()
                    .map(|r| bytes.slice(at + r.start..at + r.end)),
            );
        }
        None => pieces.push(Bytes::from_static(&[markers::P, markers::EOI])),
    }
    Ok(Stripped { pieces, changed })
}

/// A JFIF segment without its thumbnail: the 14 bytes of its header with the
/// thumbnail's size set to 0 × 0 (a thumbnail can show what the picture was
/// cropped of). A shorter, malformed one is kept as it is.
fn jfif(contents: &Bytes) -> Bytes {
    if contents.len() < 14 || (contents.len() == 14 && contents[12..14] == [0, 0]) {
        return contents.clone();
    }
    let mut header = contents[..14].to_vec();
    header[12..14].copy_from_slice(&[0, 0]);
    header.into()
}

/// The ranges of the scans (`data`: from the first scan's data to the end of
/// the file) to keep, and whether any of it was left out: everything up to
/// and with the end-of-image marker, less the `APPn` and `COM` segments
/// between scans. A marker segment running past the end of the file is an
/// error; scan data cut short (no end-of-image marker) is kept as it is, as a
/// browser shows it.
///
/// Markers are found as a decoder finds them: `FF` followed by neither `00`
/// (a stuffed byte of data) nor a restart marker, after any `FF` fill bytes.
/// A left-out segment takes its fill bytes with it, so the bytes on either
/// side of the cut never join into a new marker.
fn scans(data: &[u8]) -> Result<(Vec<Range<usize>>, bool), String> {
    let mut kept = Vec::new();
    let mut from = 0;
    let mut at = 0;
    let end = loop {
        let Some(ff) = memchr::memchr(markers::P, &data[at..]).map(|p| at + p) else {
            break data.len();
        };
        let mut m = ff + 1;
        while data.get(m) == Some(&markers::P) {
            m += 1;
        }
        let Some(&marker) = data.get(m) else {
            break data.len();
        };
        match marker {
            markers::EOI => break m + 1,
            markers::APP0..=markers::APP15
            | markers::COM
            | 0xC0..=0xCF
            | 0xDA..=0xDF
            | 0xF0..=0xFD => {
                let Some(&[hi, lo]) = data.get(m + 1..m + 3) else {
                    return Err("a segment after the image data is cut short".to_string());
                };
                let len = usize::from(u16::from_be_bytes([hi, lo]));
                let next = m + 1 + len;
                if len < 2 || next > data.len() {
                    return Err("a segment after the image data runs past the end".to_string());
                }
                if matches!(marker, markers::APP0..=markers::APP15 | markers::COM) {
                    kept.push(from..ff);
                    from = next;
                }
                at = next;
            }
            // Stuffed data, restart markers, and markers without a length.
            _ => at = m + 1,
        }
    };
    kept.push(from..end);
    let cut = kept.len() > 1 || end < data.len();
    kept.retain(|r| !r.is_empty());
    Ok((kept, cut))
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use img_parts::{ImageEXIF, ImageICC};

    use super::super::tests::{exif_fields, fixture, holds, stripped};
    use super::super::{StripError, strip_metadata};
    use super::*;

    fn parse(bytes: &Bytes) -> Jpeg {
        Jpeg::from_bytes(bytes.clone()).expect("a JPEG")
    }

    fn markers_of(jpeg: &Jpeg) -> Vec<u8> {
        jpeg.segments().iter().map(JpegSegment::marker).collect()
    }

    /// The first scan's data, to the end of the file.
    fn scan_data(bytes: &Bytes) -> Bytes {
        let jpeg = parse(bytes);
        let sos = jpeg
            .segments()
            .iter()
            .find(|s| s.has_entropy())
            .expect("a scan");
        bytes.slice(bytes.len() - (sos.len_with_entropy() - sos.len())..)
    }

    #[test]
    fn a_phone_photo_keeps_its_pixels_profile_and_orientation_only() {
        let photo = fixture("photo.jpg");
        let before = parse(&photo);
        assert!(before.exif().is_some() && before.segment_by_marker(markers::COM).is_some());
        let gps_before = exif_fields(&photo);
        assert!(gps_before.iter().any(|(t, _)| *t == exif::Tag::GPSLatitude));
        assert!(
            gps_before
                .iter()
                .any(|(t, _)| *t == exif::Tag::BodySerialNumber)
        );

        let out = stripped(&photo);
        let after = parse(&out);
        // Only the orientation is left of the EXIF (no GPS, serial, thumbnail).
        assert_eq!(
            exif_fields(&out),
            [(
                exif::Tag::Orientation,
                "row 0 at right and column 0 at top".to_string()
            )]
        );
        assert_eq!(
            after.exif().as_deref(),
            Some(&super::super::orientation_exif(6)[..])
        );
        // No XMP, IPTC, comment: the APPn segments left are JFIF, EXIF, ICC.
        let apps: Vec<u8> = markers_of(&after)
            .into_iter()
            .filter(|m| matches!(*m, markers::APP0..=markers::APP15 | markers::COM))
            .collect();
        assert_eq!(apps, [markers::APP0, markers::APP1, markers::APP2]);
        assert!(!holds(&out, b"http://ns.adobe.com/xap/1.0/"));
        assert!(!holds(&out, b"Photoshop 3.0"));
        assert_eq!(after.icc_profile(), before.icc_profile());
        assert!(after.icc_profile().is_some());
        // The decoder's segments and the scan data, byte for byte.
        let decoding = |j: &Jpeg| -> Vec<JpegSegment> {
            j.segments()
                .iter()
                .filter(|s| !matches!(s.marker(), markers::APP0..=markers::APP15 | markers::COM))
                .cloned()
                .collect()
        };
        assert_eq!(decoding(&after), decoding(&before));
        assert!(
            scan_data(&out) == scan_data(&photo),
            "the scan data differs"
        );
        assert!(out.ends_with(&[0xFF, markers::EOI]));
    }

    #[test]
    fn orientation_1_leaves_no_exif_at_all() {
        let mut jpeg = parse(&fixture("photo.jpg"));
        jpeg.set_exif(Some(Bytes::copy_from_slice(
            &super::super::orientation_exif(1),
        )));
        let out = stripped(&jpeg.encoder().bytes());
        assert_eq!(parse(&out).exif(), None);
        assert_eq!(exif_fields(&out), []);
    }

    #[test]
    fn a_jfif_thumbnail_goes() {
        let mut jpeg = parse(&stripped(&fixture("photo.jpg")));
        let mut jfif = parse(&fixture("photo.jpg")).segments()[0]
            .contents()
            .to_vec();
        assert!(jfif.starts_with(b"JFIF\0"));
        jfif[12..14].copy_from_slice(&[2, 1]);
        jfif.extend_from_slice(b"THUMBNAIL"); // not 2 × 1 × 3 bytes: browsers skip it anyway
        jpeg.segments_mut()[0] = JpegSegment::new_with_contents(markers::APP0, jfif.into());
        let out = stripped(&jpeg.encoder().bytes());
        assert_eq!(parse(&out).segments()[0].contents().len(), 14);
        assert!(!holds(&out, b"THUMBNAIL"));
    }

    #[test]
    fn metadata_between_scans_and_after_the_end_goes() {
        let clean = stripped(&fixture("photo.jpg"));
        let eoi = clean.len() - 2;
        // An XMP segment and a comment (with fill bytes) before the end of the
        // image, an extra picture with its own EXIF after it.
        let mut crafted = clean[..eoi].to_vec();
        crafted.extend_from_slice(b"\xFF\xFF\xFF\xE1\x00\x10http://x/Paris");
        crafted.extend_from_slice(b"\xFF\xFE\x00\x0Eshot at home");
        crafted.extend_from_slice(b"\xFF\xD9");
        crafted.extend_from_slice(&fixture("photo.jpg"));
        let out = stripped(&crafted.into());
        assert_eq!(out, clean);
    }

    #[test]
    fn scan_data_is_walked_as_a_decoder_walks_it() {
        // The one range kept (up to `end`), and whether anything went.
        let kept = |data: &[u8]| scans(data).map(|(r, cut)| (r.len(), r[0].end, cut));
        // Stuffed FF 00 and a restart marker are data; the end marker ends.
        let data = b"\x12\xFF\x00\x34\xFF\xD3\x56\xFF\xD9trailer";
        assert_eq!(kept(data), Ok((1, data.len() - 7, true)));
        // Cut short inside the data: kept as a browser shows it.
        assert_eq!(kept(b"\x12\xFF\x00\x34"), Ok((1, 4, false)));
        assert_eq!(kept(b"\x12\xFF\xFF"), Ok((1, 3, false)));
        // Segments between scans: a table stays, a comment goes with its fill.
        let data = b"\x12\xFF\xC4\x00\x03\x00\xFF\xFF\xFE\x00\x03x\x34\xFF\xD9";
        assert_eq!(scans(data), Ok((vec![0..6, 12..data.len()], true)));
        // A segment that runs past the end cannot be checked.
        assert!(scans(b"\x12\xFF\xE1\x00\x40Exif").is_err());
        assert!(scans(b"\x12\xFF\xC4\x00").is_err());
        assert!(scans(b"\x12\xFF\xC4\x00\x01").is_err());
    }

    #[test]
    fn a_broken_jpeg_is_an_error_never_a_panic() {
        let photo = fixture("photo.jpg");
        for len in [3, 4, 5, 20, 100, photo.len() / 2] {
            let cut = photo.slice(..len);
            match strip_metadata(&cut) {
                Err(StripError { reason, .. }) => assert!(reason.contains("cut short"), "{reason}"),
                other => panic!("{len}: {other:?}"),
            }
        }
        // Cut inside the scan data: nothing to refuse, the EXIF is gone.
        let cut = photo.slice(..photo.len() - 4);
        let out = strip_metadata(&cut).expect("strips");
        assert!(matches!(out, Cow::Owned(_)));
        assert!(!holds(&out, b"SN-4471-0042"));
        assert!(scan_data(&Bytes::from(out.into_owned())) == scan_data(&cut));
    }
}
