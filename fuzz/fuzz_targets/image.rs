//! `images::probe` and `images::process` over arbitrary bytes (seeded with
//! small JPEG, PNG, WebP and GIF images, with metadata, alpha, animation), with
//! a budget of one megapixel and small widths, so that every run decodes and
//! encodes in milliseconds.
//!
//! Invariants: no panic; `process` fails exactly when `probe` fails (with the
//! same message) or the image cannot be decoded, and refuses an image over
//! the budget before decoding it (`budget-first`); what it makes is exactly
//! `plan`'s list (`process-is-plan`); every variant is a file of its planned
//! format that decodes to its planned size (`variant-decodes`); without
//! `keep_metadata`, no variant holds EXIF or XMP (`no-metadata`); and the same
//! input makes the same bytes (`deterministic`, checked on one input in
//! eight).

#![no_main]

use std::io::Cursor;

use dealwire::images::{self, ErrorKind, Modern, OutFormat, Settings};
use dealwire_fuzz::{ensure, violation};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The settings vary with the input's length, not its bytes, so that the
    // seeds' signatures stay where the decoders look for them.
    let settings = Settings {
        widths: vec![8, 33, 64],
        quality: (data.len() % 100) as u8 + 1,
        formats: if data.len() % 3 == 0 {
            vec![]
        } else {
            vec![Modern::Webp]
        },
        keep_metadata: data.len() % 2 == 0,
        max_pixels: 1_000_000,
    };
    let probed = images::probe(data);
    let made = images::process(data, &settings);
    let probe = match probed {
        Ok(probe) => probe,
        Err(e) => {
            match &made {
                Err(f) => ensure(f == &e, "probe-process-agree", || {
                    format!("probe: {e}; process: {f}")
                }),
                Ok(v) => violation(
                    "probe-process-agree",
                    format!("probe failed ({e}) but process made {} variants", v.len()),
                ),
            }
            return;
        }
    };
    let over = images::check_budget(&probe, &settings).is_err();
    let variants = match made {
        Ok(variants) => {
            ensure(!over, "budget-first", || {
                format!("{probe:?} is over the budget, yet processed")
            });
            variants
        }
        Err(e) => {
            if over {
                ensure(e.kind() == ErrorKind::OverBudget, "budget-first", || {
                    format!("{probe:?}: {e}")
                });
            } else {
                ensure(
                    matches!(
                        e.kind(),
                        ErrorKind::Corrupt | ErrorKind::Unsupported | ErrorKind::OverBudget
                    ),
                    "process-error-kind",
                    || format!("{probe:?}: {e:?}"),
                );
            }
            return;
        }
    };
    let planned: Vec<_> = variants.iter().map(|v| v.planned).collect();
    ensure(
        planned == images::plan(&probe, &settings),
        "process-is-plan",
        || format!("{probe:?}: made {planned:?}"),
    );
    for v in &variants {
        let format = match v.planned.format {
            OutFormat::Jpeg => image::ImageFormat::Jpeg,
            OutFormat::Png => image::ImageFormat::Png,
            OutFormat::Webp => image::ImageFormat::WebP,
        };
        match image::load_from_memory_with_format(&v.bytes, format) {
            Ok(decoded) => ensure(
                (decoded.width(), decoded.height()) == (v.planned.width, v.planned.height),
                "variant-decodes",
                || {
                    format!(
                        "{:?} decodes to {}×{}",
                        v.planned,
                        decoded.width(),
                        decoded.height()
                    )
                },
            ),
            Err(e) => violation("variant-decodes", format!("{:?}: {e}", v.planned)),
        }
        if !settings.keep_metadata {
            let exif = exif::Reader::new().read_from_container(&mut Cursor::new(&v.bytes[..]));
            ensure(exif.is_err(), "no-metadata", || {
                format!("{:?} holds EXIF", v.planned)
            });
            // No XMP container: a WebP `XMP ` chunk, a JPEG APP1 segment
            // of the XMP namespace, a PNG `iTXt` chunk of XMP (the namespace
            // may appear inside the ICC profile a variant keeps by design).
            ensure(!holds_xmp(&v.bytes, v.planned.format), "no-metadata", || {
                format!("{:?} holds XMP", v.planned)
            });
        }
    }
    if data.len() % 8 == 0 {
        let again = images::process(data, &settings).map(|v| v == variants);
        ensure(again == Ok(true), "deterministic", || {
            format!("{probe:?}: a second run differs")
        });
    }
});

/// Whether an encoded variant holds an XMP container.
fn holds_xmp(bytes: &[u8], format: OutFormat) -> bool {
    let bytes = bytes::Bytes::copy_from_slice(bytes);
    match format {
        OutFormat::Webp => img_parts::webp::WebP::from_bytes(bytes)
            .is_ok_and(|w| w.chunk_by_id(*b"XMP ").is_some()),
        OutFormat::Jpeg => img_parts::jpeg::Jpeg::from_bytes(bytes).is_ok_and(|j| {
            j.segments().iter().any(|s| {
                s.marker() == img_parts::jpeg::markers::APP1
                    && s.contents().starts_with(b"http://ns.adobe.com/xap/1.0/")
            })
        }),
        OutFormat::Png => img_parts::png::Png::from_bytes(bytes).is_ok_and(|p| {
            p.chunks()
                .iter()
                .any(|c| c.kind() == *b"iTXt" && c.contents().starts_with(b"XML:com.adobe.xmp"))
        }),
    }
}
