//! `strip::strip_metadata` over arbitrary bytes (seeded with JPEG, PNG and
//! WebP photos full of metadata, so most runs reach a container parser).
//!
//! Invariants: no panic; an error names the format the bytes' signature
//! claims; bytes of no such format come back as they are; stripped bytes are
//! the same format and parse again (`img-parts`); stripping them again changes
//! nothing; and what is left holds no metadata: the only EXIF a reader finds
//! (`kamadak-exif`) is one orientation tag, no JPEG segment before the image
//! data is a comment or an application segment but JFIF, EXIF, ICC and Adobe,
//! no PNG chunk is text, time or a second `eXIf`, and no WebP chunk is XMP,
//! with `VP8X` flags that say so.

#![no_main]

use std::borrow::Cow;
use std::io::Cursor;

use bytes::Bytes;
use dealwire::strip::{Format, strip_metadata};
use dealwire_fuzz::{ensure, violation};
use img_parts::jpeg::{Jpeg, markers};
use img_parts::png::Png;
use img_parts::webp::{CHUNK_EXIF, CHUNK_VP8X, CHUNK_XMP, WebP};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let input = Bytes::copy_from_slice(data);
    let format = Format::sniff(&input);
    let out = match strip_metadata(&input) {
        Ok(out) => out,
        Err(e) => {
            ensure(Some(e.format) == format, "error-format", || {
                format!("{e} for {format:?}")
            });
            return;
        }
    };
    let Some(format) = format else {
        ensure(matches!(out, Cow::Borrowed(_)), "others-untouched", || {
            "bytes of no image format were rewritten".to_string()
        });
        return;
    };
    let out = Bytes::from(out.into_owned());
    ensure(Format::sniff(&out) == Some(format), "same-format", || {
        format!("{format} became {:?}", Format::sniff(&out))
    });
    match strip_metadata(&out) {
        Ok(Cow::Borrowed(_)) => {}
        Ok(Cow::Owned(again)) => violation(
            "strip-idempotent",
            format!("{format}: {} bytes, then {}", out.len(), again.len()),
        ),
        Err(e) => violation("stripped-parses", format!("{e}")),
    }
    if let Ok(exif) = exif::Reader::new().read_from_container(&mut Cursor::new(&out[..])) {
        for field in exif.fields() {
            ensure(
                field.tag == exif::Tag::Orientation && field.ifd_num == exif::In::PRIMARY,
                "exif-orientation-only",
                || format!("{format}: {} in {}", field.tag, field.ifd_num),
            );
        }
    }
    match format {
        Format::Jpeg => check_jpeg(&out),
        Format::Png => check_png(&out),
        Format::WebP => check_webp(&out),
    }
});

fn check_jpeg(out: &Bytes) {
    let Ok(jpeg) = Jpeg::from_bytes(out.clone()) else {
        return violation("stripped-parses", "JPEG");
    };
    for s in jpeg.segments() {
        let c = s.contents();
        let kept = match s.marker() {
            markers::APP0 => c.starts_with(b"JFIF\0"),
            markers::APP1 => c.starts_with(b"Exif\0\0") && c.len() == 6 + 26,
            markers::APP2 => c.starts_with(b"ICC_PROFILE\0"),
            markers::APP14 => c.starts_with(b"Adobe"),
            markers::APP3..=markers::APP13 | markers::APP15 | markers::COM => false,
            _ => true,
        };
        ensure(kept, "jpeg-metadata-left", || {
            format!("segment FF{:02X} of {} bytes", s.marker(), c.len())
        });
    }
    let exifs = jpeg.segments_by_marker(markers::APP1).count();
    ensure(exifs <= 1, "jpeg-metadata-left", || {
        format!("{exifs} EXIF segments")
    });
}

fn check_png(out: &Bytes) {
    let Ok(png) = Png::from_bytes(out.clone()) else {
        return violation("stripped-parses", "PNG");
    };
    let mut exifs = 0;
    for c in png.chunks() {
        let kind = c.kind();
        exifs += usize::from(&kind == b"eXIf");
        ensure(
            !matches!(&kind, b"tEXt" | b"iTXt" | b"zTXt" | b"tIME"),
            "png-metadata-left",
            || String::from_utf8_lossy(&kind).into_owned(),
        );
    }
    ensure(exifs <= 1, "png-metadata-left", || {
        format!("{exifs} eXIf chunks")
    });
}

fn check_webp(out: &Bytes) {
    let Ok(webp) = WebP::from_bytes(out.clone()) else {
        return violation("stripped-parses", "WebP");
    };
    ensure(!webp.has_chunk(CHUNK_XMP), "webp-metadata-left", || {
        "XMP".to_string()
    });
    let exifs = webp.chunks_by_id(CHUNK_EXIF).count();
    ensure(exifs <= 1, "webp-metadata-left", || {
        format!("{exifs} EXIF chunks")
    });
    let flags = webp
        .chunk_by_id(CHUNK_VP8X)
        .and_then(|c| c.content().data())
        .and_then(|d| d.first().copied());
    if let Some(flags) = flags {
        ensure(flags & 0b0100 == 0, "webp-flags", || {
            format!("XMP flag in {flags:08b}")
        });
        ensure((flags & 0b1000 != 0) == (exifs == 1), "webp-flags", || {
            format!("EXIF flag in {flags:08b}, {exifs} EXIF chunks")
        });
    }
}
