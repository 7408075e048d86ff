//! Tests of the image processing core: plans, probes, variants, metadata,
//! budgets, damaged input, the cache, and a property test that `process`
//! makes exactly what `plan` names. Images are made here (gradients with a
//! coloured corner) or read from the metadata fixtures of `src/strip/`.

use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use img_parts::jpeg::Jpeg;
use img_parts::png::{Png, PngChunk};
use img_parts::webp::WebP;
use img_parts::{ImageEXIF, ImageICC};
use proptest::prelude::*;

use super::*;
use crate::strip::tests::{SECRETS, exif_fields, fixture, holds};

// ---------------------------------------------------------------- helpers

/// A `w`×`h` gradient, red in its top-left `w/4`×`h/4` corner, RGB or RGBA
/// (alpha fading to the right).
fn pixels(w: u32, h: u32, alpha: bool) -> Vec<u8> {
    let mut data = Vec::new();
    for y in 0..h {
        for x in 0..w {
            let corner = x < w.div_ceil(4) && y < h.div_ceil(4);
            let (r, g, b) = if corner {
                (230, 20, 20)
            } else {
                (20, (x * 200 / w.max(1)) as u8, 220)
            };
            data.extend_from_slice(&[r, g, b]);
            if alpha {
                data.push(255 - (x * 200 / w.max(1)) as u8);
            }
        }
    }
    data
}

fn jpeg_of(w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 90)
        .encode(
            &pixels(w, h, false),
            w as u16,
            h as u16,
            jpeg_encoder::ColorType::Rgb,
        )
        .expect("encodes");
    out
}

fn png_of(w: u32, h: u32, alpha: bool) -> Vec<u8> {
    use image::ImageEncoder;
    let mut out = Vec::new();
    let color = if alpha {
        image::ExtendedColorType::Rgba8
    } else {
        image::ExtendedColorType::Rgb8
    };
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(&pixels(w, h, alpha), w, h, color)
        .expect("encodes");
    out
}

fn webp_of(w: u32, h: u32, alpha: bool) -> Vec<u8> {
    let data = pixels(w, h, alpha);
    let encoder = if alpha {
        webp::Encoder::from_rgba(&data, w, h)
    } else {
        webp::Encoder::from_rgb(&data, w, h)
    };
    encoder
        .encode_simple(false, 90.0)
        .expect("encodes")
        .to_vec()
}

/// The smallest EXIF block holding an orientation (big-endian TIFF, IFD0
/// with one SHORT entry).
fn orientation_exif(o: u16) -> Vec<u8> {
    let [hi, lo] = o.to_be_bytes();
    vec![
        b'M', b'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, hi, lo, 0, 0, 0, 0, 0, 0,
    ]
}

fn with_exif_jpeg(jpeg: &[u8], exif: Vec<u8>) -> Vec<u8> {
    let mut j = Jpeg::from_bytes(Bytes::copy_from_slice(jpeg)).expect("a JPEG");
    j.set_exif(Some(exif.into()));
    j.encoder().bytes().to_vec()
}

fn decoded(bytes: &[u8]) -> image::RgbaImage {
    image::load_from_memory(bytes)
        .expect("decodes")
        .into_rgba8()
}

fn settings(widths: &[u32]) -> Settings {
    Settings {
        widths: widths.to_vec(),
        ..Settings::default()
    }
}

fn probe_of(kind: Kind, width: u32, height: u32, has_alpha: bool) -> Probe {
    Probe {
        kind,
        width,
        height,
        has_alpha,
        animated: false,
    }
}

fn summary(plan: &[Planned]) -> Vec<(u32, u32, &'static str)> {
    plan.iter()
        .map(|p| (p.width, p.height, p.format.extension()))
        .collect()
}

fn icc_of(bytes: &[u8]) -> Option<Bytes> {
    let b = Bytes::copy_from_slice(bytes);
    match probe::sniff(bytes) {
        Some(Kind::Jpeg) => Jpeg::from_bytes(b).ok()?.icc_profile(),
        Some(Kind::Png) => Png::from_bytes(b).ok()?.icc_profile(),
        Some(Kind::Webp) => WebP::from_bytes(b).ok()?.icc_profile(),
        _ => None,
    }
}

/// A GIF of `frames` 2×1 frames (their image data is not valid LZW: the
/// probe never decodes it), the first with a transparent colour.
fn gif_of(frames: usize) -> Vec<u8> {
    let mut g = b"GIF89a\x02\x00\x01\x00\x80\x00\x00".to_vec();
    g.extend_from_slice(&[0, 0, 0, 255, 255, 255]); // global colour table
    for i in 0..frames {
        let flags = u8::from(i == 0);
        g.extend_from_slice(&[0x21, 0xF9, 4, flags, 10, 0, 0, 0]);
        g.extend_from_slice(&[0x2C, 0, 0, 0, 0, 2, 0, 1, 0, 0, 2, 2, 0x44, 0x01, 0]);
    }
    g.push(0x3B);
    g
}

// ------------------------------------------------------------------ plan

#[test]
fn a_large_photo_gets_every_width_webp_before_jpeg() {
    let plan = plan(
        &probe_of(Kind::Jpeg, 4000, 3000, false),
        &Settings::default(),
    );
    assert_eq!(
        summary(&plan),
        [
            (480, 360, "webp"),
            (480, 360, "jpg"),
            (800, 600, "webp"),
            (800, 600, "jpg"),
            (1200, 900, "webp"),
            (1200, 900, "jpg"),
            (1600, 1200, "webp"),
            (1600, 1200, "jpg"),
        ]
    );
}

#[test]
fn widths_stop_at_the_source_which_is_never_upscaled() {
    let s = settings(&[1600, 480, 800, 480, 1200]);
    let widths = |w: u32, h: u32| -> Vec<(u32, u32)> {
        let mut v: Vec<_> = plan(&probe_of(Kind::Jpeg, w, h, false), &s)
            .iter()
            .map(|p| (p.width, p.height))
            .collect();
        v.dedup();
        v
    };
    assert_eq!(widths(1000, 501), [(480, 240), (800, 401), (1000, 501)]);
    assert_eq!(widths(800, 600), [(480, 360), (800, 600)]);
    assert_eq!(widths(300, 200), [(300, 200)], "narrower than every width");
    assert_eq!(widths(1600, 900).last(), Some(&(1600, 900)));
    assert_eq!(widths(5000, 1), [(480, 1), (800, 1), (1200, 1), (1600, 1)]);
    assert_eq!(widths(1, 5000), [(1, 5000)]);
    // Heights round to the nearest pixel.
    assert_eq!(widths(3, 2), [(3, 2)]);
    assert_eq!(
        plan(&probe_of(Kind::Jpeg, 999, 333, false), &settings(&[500]))[0].height,
        167
    );
}

#[test]
fn the_fallback_is_jpeg_for_opaque_photos_and_png_otherwise() {
    let s = settings(&[100]);
    let fallback = |kind, alpha| {
        let p = plan(&probe_of(kind, 200, 100, alpha), &s);
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].format, OutFormat::Webp);
        p[1].format
    };
    assert_eq!(fallback(Kind::Jpeg, false), OutFormat::Jpeg);
    assert_eq!(fallback(Kind::Webp, false), OutFormat::Jpeg);
    assert_eq!(fallback(Kind::Webp, true), OutFormat::Png);
    assert_eq!(fallback(Kind::Png, false), OutFormat::Png);
    assert_eq!(fallback(Kind::Png, true), OutFormat::Png);

    let fallback_only = Settings {
        formats: vec![],
        ..settings(&[100, 150])
    };
    assert_eq!(
        summary(&plan(&probe_of(Kind::Png, 200, 100, true), &fallback_only)),
        [(100, 50, "png"), (150, 75, "png")]
    );
    let twice = Settings {
        formats: vec![Modern::Webp, Modern::Webp],
        ..settings(&[100])
    };
    assert_eq!(
        plan(&probe_of(Kind::Jpeg, 200, 100, false), &twice).len(),
        2
    );
}

#[test]
fn gifs_and_animations_get_no_variants() {
    let s = Settings::default();
    assert!(plan(&probe_of(Kind::Gif, 800, 600, false), &s).is_empty());
    for kind in [Kind::Webp, Kind::Png, Kind::Gif] {
        let animated = Probe {
            animated: true,
            ..probe_of(kind, 800, 600, false)
        };
        assert!(plan(&animated, &s).is_empty(), "{kind}");
    }
    assert!(plan(&probe_of(Kind::Jpeg, 800, 600, false), &settings(&[])).is_empty());
}

#[test]
fn webp_is_left_out_beyond_its_largest_side() {
    let tall = probe_of(Kind::Png, 1600, 40_000, false);
    let p = plan(&tall, &settings(&[400, 1600]));
    assert_eq!(
        summary(&p),
        [
            (400, 10_000, "webp"),
            (400, 10_000, "png"),
            (1600, 40_000, "png")
        ]
    );
}

// ----------------------------------------------------------------- probe

#[test]
fn probes_read_the_displayed_size_from_the_header() {
    // The fixtures are 16×8 with EXIF orientation 6: shown 8×16.
    for (name, kind) in [
        ("photo.jpg", Kind::Jpeg),
        ("photo.png", Kind::Png),
        ("photo.webp", Kind::Webp),
    ] {
        let p = probe(&fixture(name)).expect(name);
        assert_eq!(
            (p.kind, p.width, p.height, p.animated),
            (kind, 8, 16, false),
            "{name}"
        );
    }
    assert!(probe(&png_of(5, 3, true)).expect("probes").has_alpha);
    assert!(!probe(&png_of(5, 3, false)).expect("probes").has_alpha);
    assert!(probe(&webp_of(5, 3, true)).expect("probes").has_alpha);
    assert_eq!(
        probe(&jpeg_of(30, 20)).expect("probes"),
        probe_of(Kind::Jpeg, 30, 20, false)
    );
    let upright = with_exif_jpeg(&jpeg_of(30, 20), orientation_exif(3));
    assert_eq!(probe(&upright).expect("probes").width, 30, "a half turn");
}

#[test]
fn a_gif_is_probed_by_its_blocks_without_decoding() {
    let one = probe(&gif_of(1)).expect("probes");
    assert_eq!(
        one,
        Probe {
            kind: Kind::Gif,
            width: 2,
            height: 1,
            has_alpha: true,
            animated: false
        }
    );
    assert!(probe(&gif_of(3)).expect("probes").animated);
    // Cut inside the second frame: still two frames seen.
    let two = gif_of(2);
    assert!(probe(&two[..two.len() - 4]).expect("probes").animated);
    assert!(probe(&gif_of(0)).is_err(), "no frame");
    assert!(probe(b"GIF89a\x02\x00").is_err());
    assert!(
        process(&gif_of(2), &Settings::default())
            .expect("published as it is")
            .is_empty()
    );
}

#[test]
fn bytes_of_no_image_say_how_they_start() {
    let e = probe(b"<!DOCTYPE html><html>").expect_err("refused");
    assert_eq!(e.kind(), ErrorKind::NotAnImage);
    assert_eq!(
        e.to_string(),
        "is not a JPEG, PNG, WebP or GIF image (its bytes start with 3C 21 44 4F 43 54 59 50 …)"
    );
    assert_eq!(
        probe(b"").expect_err("refused").to_string(),
        "is not a JPEG, PNG, WebP or GIF image (it is empty)"
    );
    assert_eq!(
        probe(b"PNG").expect_err("refused").to_string(),
        "is not a JPEG, PNG, WebP or GIF image (its bytes start with 50 4E 47)"
    );
}

// --------------------------------------------------------------- process

#[test]
fn variants_are_the_plan_decode_to_their_size_and_keep_only_the_profile() {
    for name in ["photo.jpg", "photo.png", "photo.webp"] {
        let source = fixture(name);
        let source_icc = icc_of(&source).expect("the fixture has a profile");
        let s = settings(&[4, 6, 100]);
        let variants = process(&source, &s).expect(name);
        let planned: Vec<Planned> = variants.iter().map(|v| v.planned).collect();
        assert_eq!(
            planned,
            plan(&probe(&source).expect("probes"), &s),
            "{name}"
        );
        assert_eq!(variants.len(), 6, "{name}: 4, 6 and 8 wide, two formats");
        for v in &variants {
            let what = format!("{name} → {:?}", v.planned);
            assert_eq!(
                probe::sniff(&v.bytes),
                Some(kind_of(v.planned.format)),
                "{what}"
            );
            let image = decoded(&v.bytes);
            assert_eq!(
                (image.width(), image.height()),
                (v.planned.width, v.planned.height),
                "{what}"
            );
            for secret in SECRETS {
                assert!(
                    !holds(&v.bytes, secret),
                    "{what}: {}",
                    String::from_utf8_lossy(secret)
                );
            }
            assert!(!holds(&v.bytes, b"Exif\0\0"), "{what}");
            assert!(exif_fields(&v.bytes).is_empty(), "{what}");
            assert!(!holds(&v.bytes, b"ns.adobe.com/xap"), "{what}");
            assert_eq!(icc_of(&v.bytes).as_ref(), Some(&source_icc), "{what}");
        }
    }
}

fn kind_of(format: OutFormat) -> Kind {
    match format {
        OutFormat::Jpeg => Kind::Jpeg,
        OutFormat::Png => Kind::Png,
        OutFormat::Webp => Kind::Webp,
    }
}

#[test]
fn orientation_six_turns_the_pixels_a_quarter_clockwise() {
    // Stored 40×20, red in the top-left corner: shown 20×40, red top right.
    let turned = with_exif_jpeg(&jpeg_of(40, 20), orientation_exif(6));
    let variants = process(&turned, &settings(&[20])).expect("processes");
    assert_eq!(variants.len(), 2);
    for v in &variants {
        let image = decoded(&v.bytes);
        assert_eq!((image.width(), image.height()), (20, 40));
        let red = |x, y| {
            let p = image.get_pixel(x, y);
            p[0] > 150 && p[2] < 100
        };
        assert!(
            red(17, 2),
            "{:?}: top right {:?}",
            v.planned.format,
            image.get_pixel(17, 2)
        );
        assert!(!red(2, 2), "{:?}: top left", v.planned.format);
        assert!(!red(17, 37), "{:?}: bottom right", v.planned.format);
    }
    // The same picture without the tag stays as stored.
    let plain = process(&jpeg_of(40, 20), &settings(&[40])).expect("processes");
    let image = decoded(&plain[1].bytes);
    assert_eq!((image.width(), image.height()), (40, 20));
    assert!(image.get_pixel(2, 2)[0] > 150);
}

#[test]
fn a_jpeg_decoded_at_a_smaller_scale_is_upright_and_faithful() {
    // Stored 320×160, shown 160×320 (orientation 6): variants 40 and 80
    // wide need 160×80 stored pixels, so the decode is at 1/2.
    let stored = jpeg_of(320, 160);
    assert!(
        super::process::scaled_jpeg(&stored, (320, 160), (160, 80), None).is_some_and(|i| (
            i.width(),
            i.height()
        ) == (
            160, 80
        )),
        "the photo is decoded at half its size"
    );
    assert!(
        super::process::scaled_jpeg(&stored, (320, 160), (161, 80), None).is_none(),
        "no smaller scale covers 161 pixels"
    );
    let turned = with_exif_jpeg(&stored, orientation_exif(6));
    let variants = process(&turned, &settings(&[40, 80])).expect("processes");
    assert_eq!(variants.len(), 4);
    // The reference: the same variants from the full decode (a width as
    // wide as the photo needs every stored pixel).
    let full = process(&turned, &settings(&[40, 80, 160])).expect("processes");
    for v in &variants {
        let (w, h) = (v.planned.width, v.planned.height);
        let twin = full
            .iter()
            .find(|f| f.planned == v.planned)
            .expect("same plan");
        let (got, reference) = (decoded(&v.bytes), decoded(&twin.bytes));
        assert_eq!((got.width(), got.height()), (w, h));
        let diff: u64 = got
            .pixels()
            .zip(reference.pixels())
            .map(|(a, b)| (0..3).map(|c| u64::from(a[c].abs_diff(b[c]))).sum::<u64>())
            .sum();
        let mean = diff as f64 / f64::from(w * h * 3);
        assert!(mean < 3.0, "{:?}: mean difference {mean:.2}", v.planned);
        let p = got.get_pixel(w - 3, 2);
        assert!(
            p[0] > 150 && p[2] < 100,
            "{:?}: red top right, got {p:?}",
            v.planned
        );
    }
}

#[test]
fn keep_metadata_keeps_exif_upright_and_xmp() {
    let keep = Settings {
        keep_metadata: true,
        ..settings(&[100])
    };
    for name in ["photo.jpg", "photo.webp", "photo.png"] {
        let variants = process(&fixture(name), &keep).expect(name);
        assert_eq!(variants.len(), 2);
        for v in &variants {
            let what = format!("{name} → {:?}", v.planned.format);
            let fields = exif_fields(&v.bytes);
            let orientation = fields
                .iter()
                .find(|(t, _)| *t == exif::Tag::Orientation)
                .map(|(_, value)| value.as_str());
            assert_eq!(
                orientation,
                Some("row 0 at top and column 0 at left"),
                "{what}"
            );
            assert!(
                fields.iter().any(|(t, _)| *t == exif::Tag::GPSLatitude),
                "{what}: {fields:?}"
            );
            assert!(holds(&v.bytes, b"SN-4471-0042"), "{what}");
            assert!(holds(&v.bytes, b"Jo Reporter"), "{what}: the XMP");
            assert!(icc_of(&v.bytes).is_some(), "{what}");
            // Upright pixels and an upright tag: shown 8×16 still.
            assert_eq!(probe(&v.bytes).expect("probes").width, 8, "{what}");
        }
    }
}

#[test]
fn exif_upright_rewrites_only_the_orientation() {
    for o in 1..=8 {
        let up = metadata::exif_upright(&orientation_exif(o)).expect("readable");
        assert_eq!(up, orientation_exif(1));
    }
    // Little-endian, the tag after another entry.
    let mut le = b"II\x2a\x00\x08\x00\x00\x00\x02\x00".to_vec();
    le.extend_from_slice(&[0x0F, 0x01, 2, 0, 4, 0, 0, 0, b'A', b'B', b'C', 0]);
    le.extend_from_slice(&[0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0]);
    le.extend_from_slice(&[0, 0, 0, 0]);
    let up = metadata::exif_upright(&le).expect("readable");
    assert_eq!(up[30..32], [1, 0]);
    assert_eq!(up[..30], le[..30]);
    assert_eq!(up[32..], le[32..]);
    // No orientation: kept as it is; unreadable: dropped.
    let mut none = le.clone();
    none[8] = 1;
    assert_eq!(metadata::exif_upright(&none), Some(none.clone()));
    assert_eq!(metadata::exif_upright(b"MM\x00\x2a\x00\x00\x00\x40"), None);
    assert_eq!(metadata::exif_upright(b"Exif"), None);
}

#[test]
fn alpha_is_kept_in_webp_and_png() {
    let source = png_of(60, 30, true);
    let variants = process(&source, &settings(&[30])).expect("processes");
    assert_eq!(
        summary(&variants.iter().map(|v| v.planned).collect::<Vec<_>>()),
        [(30, 15, "webp"), (30, 15, "png")]
    );
    for v in &variants {
        let image = decoded(&v.bytes);
        let (left, right) = (image.get_pixel(1, 10)[3], image.get_pixel(28, 10)[3]);
        assert!(
            left > 230 && right < 110,
            "{:?}: alpha {left} → {right}",
            v.planned.format
        );
    }
}

#[test]
fn processing_is_deterministic() {
    let source = webp_of(90, 60, false);
    let s = settings(&[20, 50]);
    let first = process(&source, &s).expect("processes");
    assert_eq!(first.len(), 4, "20 and 50 wide, two formats");
    assert_eq!(process(&source, &s).expect("processes"), first);
    let lower = Settings { quality: 30, ..s };
    let other = process(&source, &lower).expect("processes");
    assert_ne!(other[0].bytes, first[0].bytes, "the quality is used");
}

// ---------------------------------------------------- budget and damage

/// A PNG whose header claims `w`×`h` (a valid chunk, checksum and all) and
/// whose image data is that of a 1×1 image.
fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    let mut png = Png::from_bytes(png_of(1, 1, false).into()).expect("a PNG");
    let ihdr = png
        .chunk_by_type(*b"IHDR")
        .expect("IHDR")
        .contents()
        .to_vec();
    let mut new = ihdr.clone();
    new[..4].copy_from_slice(&w.to_be_bytes());
    new[4..8].copy_from_slice(&h.to_be_bytes());
    png.chunks_mut()[0] = PngChunk::new(*b"IHDR", new.into());
    png.encoder().bytes().to_vec()
}

/// A JPEG whose frame header claims `w`×`h`.
fn jpeg_claiming(w: u16, h: u16) -> Vec<u8> {
    let mut j = jpeg_of(8, 8);
    let sof = j.windows(2).position(|m| m == [0xFF, 0xC0]).expect("SOF0");
    j[sof + 5..sof + 7].copy_from_slice(&h.to_be_bytes());
    j[sof + 7..sof + 9].copy_from_slice(&w.to_be_bytes());
    j
}

#[test]
fn a_header_over_the_budget_is_refused_before_decoding() {
    let s = Settings::default();
    for (what, bytes) in [
        ("PNG", png_claiming(60_000, 60_000)),
        ("JPEG", jpeg_claiming(60_000, 60_000)),
    ] {
        let started = Instant::now();
        let p = probe(&bytes).expect(what);
        assert_eq!((p.width, p.height), (60_000, 60_000), "{what}");
        let e = process(&bytes, &s).expect_err(what);
        assert!(started.elapsed() < Duration::from_secs(2), "{what}: fast");
        assert_eq!(e.kind(), ErrorKind::OverBudget, "{what}");
        assert_eq!(
            e.to_string(),
            "is 60000×60000 (3600 megapixels), over the 40-megapixel budget (images: max_megapixels): resize it before publishing"
        );
    }
    let small = Settings {
        max_pixels: 1_500_000,
        ..Settings::default()
    };
    let e = process(&png_claiming(2000, 1000), &small).expect_err("refused");
    assert!(
        e.to_string()
            .starts_with("is 2000×1000 (2 megapixels), over the 1.5-megapixel budget"),
        "{e}"
    );
    assert!(check_budget(&probe_of(Kind::Png, 1500, 1000, false), &small).is_ok());
}

#[test]
fn a_header_claiming_more_than_its_data_is_an_error_not_a_panic() {
    // Within the budget, so it is decoded: the data ends long before.
    for bytes in [png_claiming(3000, 3000), jpeg_claiming(3000, 3000)] {
        match process(&bytes, &Settings::default()) {
            Ok(variants) => assert_eq!(variants.len(), 8, "a decoder filled what was missing"),
            Err(e) => assert_eq!(e.kind(), ErrorKind::Corrupt, "{e}"),
        }
    }
}

#[test]
fn truncated_damaged_and_misnamed_images_never_panic() {
    let s = settings(&[8, 20]);
    for source in [
        jpeg_of(40, 30),
        png_of(40, 30, true),
        webp_of(40, 30, false),
    ] {
        for len in [
            0,
            1,
            3,
            10,
            30,
            source.len() / 3,
            source.len() / 2,
            source.len() - 8,
        ] {
            let cut = &source[..len];
            if let Ok(variants) = process(cut, &s) {
                assert_eq!(variants.len(), plan(&probe(cut).expect("probes"), &s).len());
            }
        }
        let mut flipped = source.clone();
        for at in (20..flipped.len()).step_by(7) {
            flipped[at] ^= 0x5A;
        }
        let _ = process(&flipped, &s);
    }
    let e = process(&png_of(40, 30, false)[..60], &s).expect_err("cut");
    assert_eq!(e.kind(), ErrorKind::Corrupt);
    assert!(
        e.to_string().starts_with("is truncated or corrupt: "),
        "{e}"
    );
    let e = process(b"\xFF\xD8\xFF\xE0 not really", &s).expect_err("garbage");
    assert!(
        e.to_string().starts_with("is truncated or corrupt: "),
        "{e}"
    );
    // A PNG named photo.jpg: the bytes decide.
    let misnamed = png_of(40, 30, false);
    let variants = process(&misnamed, &s).expect("a PNG is a PNG");
    assert_eq!(
        variants.last().map(|v| v.planned.format),
        Some(OutFormat::Png)
    );
}

// ----------------------------------------------------------------- cache

fn sample_variants() -> Vec<Variant> {
    vec![
        Variant {
            planned: Planned {
                width: 10,
                height: 5,
                format: OutFormat::Webp,
            },
            bytes: bytes::Bytes::from_static(b"RIFF webp bytes"),
        },
        Variant {
            planned: Planned {
                width: 10,
                height: 5,
                format: OutFormat::Jpeg,
            },
            bytes: vec![0xFF; 300].into(),
        },
        Variant {
            planned: Planned {
                width: 20,
                height: 10,
                format: OutFormat::Png,
            },
            bytes: bytes::Bytes::new(),
        },
    ]
}

/// The names in a folder, sorted.
fn names_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .expect("lists")
        .map(|e| e.expect("entry").file_name().into_string().expect("UTF-8"))
        .collect();
    names.sort();
    names
}

#[test]
fn the_cache_keeps_variants_and_ignores_itself_in_git() {
    let site = tempfile::tempdir().expect("a folder");
    let cache = Cache::open(site.path());
    let ignore = site.path().join(".dealwire-cache/.gitignore");
    assert_eq!(std::fs::read_to_string(&ignore).expect("written"), "*\n");
    let key = cache_key(b"source", &Settings::default());
    assert_eq!(cache.get(&key), Ok(None));
    assert_eq!(cache.files(&key), Ok(None));
    let stored = cache.put(&key, &sample_variants()).expect("puts");
    assert_eq!(cache.get(&key), Ok(Some(sample_variants())));
    assert_eq!(cache.files(&key), Ok(Some(stored.clone())));
    for (file, variant) in stored.iter().zip(sample_variants()) {
        assert_eq!(file.planned, variant.planned);
        assert_eq!(file.length(), variant.bytes.len() as u64);
        assert_eq!(file.read().expect("reads"), variant.bytes);
        assert!(file.path.starts_with(cache.entry(&key)), "{:?}", file.path);
    }
    // Published as they are: the umask's permissions, not a temporary file's.
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&stored[0].path)
        .expect("stat")
        .permissions()
        .mode();
    assert_ne!(mode & 0o044, 0, "readable by others: {mode:o}");

    cache.put(&key, &sample_variants()[..1]).expect("replaces");
    assert_eq!(cache.get(&key), Ok(Some(sample_variants()[..1].to_vec())));
    assert_eq!(
        names_in(cache.dir()),
        [key.to_string()],
        "no temporary file left"
    );
    let files = cache.files(&key).expect("well formed").expect("present");
    let mut expected = vec!["index".to_string()];
    expected.extend(files.iter().map(|f| {
        f.path
            .file_name()
            .expect("a name")
            .to_string_lossy()
            .into_owned()
    }));
    expected.sort();
    assert_eq!(
        names_in(&cache.entry(&key)),
        expected,
        "the replaced entry's files are removed"
    );
    cache.put(&key, &[]).expect("replaces");
    assert_eq!(cache.get(&key), Ok(Some(vec![])));

    // A folder made before the ignore file existed gets one.
    std::fs::remove_file(&ignore).expect("removes");
    let again = Cache::open(site.path());
    assert_eq!(std::fs::read_to_string(&ignore).expect("written"), "*\n");
    assert_eq!(again.get(&key), Ok(Some(vec![])));
    // A file the user wrote is left alone.
    std::fs::write(&ignore, "images/\n").expect("writes");
    Cache::open(site.path());
    assert_eq!(
        std::fs::read_to_string(&ignore).expect("reads"),
        "images/\n"
    );
}

#[test]
fn a_damaged_or_foreign_entry_is_a_warning_then_missing() {
    let site = tempfile::tempdir().expect("a folder");
    let cache = Cache::open(site.path());
    let key = cache_key(b"source", &Settings::default());
    let index = cache.entry(&key).join("index");
    type Damage<'a> = (&'a str, &'a dyn Fn(&mut Vec<u8>));
    let damage: [Damage; 7] = [
        ("a flipped byte", &|b| b[60] ^= 1),
        ("a flipped byte in the table", &|b| b[80] ^= 1),
        ("a flipped checksum", &|b| {
            *b.last_mut().expect("bytes") ^= 0x80
        }),
        ("cut short", &|b| b.truncate(b.len() - 10)),
        ("cut to its magic", &|b| b.truncate(8)),
        ("wrong magic", &|b| b[0] = b'X'),
        ("empty", &|b| b.clear()),
    ];
    let check = |what: &str, warning: CacheWarning| {
        assert_eq!(warning.path, format!(".dealwire-cache/images/{key}"));
        assert!(
            warning.to_string().starts_with(&format!(
                "the cached images .dealwire-cache/images/{key} cannot be used ("
            )),
            "{what}: {warning}"
        );
        assert_eq!(cache.get(&key), Ok(None), "{what}: removed");
        assert!(!cache.entry(&key).exists(), "{what}: its folder is removed");
    };
    for (what, harm) in damage {
        for files in [false, true] {
            cache.put(&key, &sample_variants()).expect("puts");
            let mut bytes = std::fs::read(&index).expect("reads");
            harm(&mut bytes);
            std::fs::write(&index, &bytes).expect("writes");
            let warning = if files {
                cache.files(&key).expect_err(what)
            } else {
                cache.get(&key).expect_err(what)
            };
            check(what, warning);
        }
    }
    // A variant's file damaged in place: `get` sees its checksum, `files`
    // (which reads no byte) its time; one cut short, both its length.
    let changed = |stored: &[Stored], bytes: &[u8]| {
        let path = &stored[1].path;
        std::fs::write(path, bytes).expect("writes");
        std::fs::File::options()
            .write(true)
            .open(path)
            .expect("opens")
            .set_modified(SystemTime::now() + Duration::from_secs(5))
            .expect("sets the time");
    };
    let same_length = vec![0xFE; 300];
    for (what, bytes) in [("edited", &same_length[..]), ("cut", &[0xFF; 10][..])] {
        let stored = cache.put(&key, &sample_variants()).expect("puts");
        changed(&stored, bytes);
        let warning = cache.get(&key).expect_err(what);
        assert!(warning.reason.contains("variant 1"), "{warning}");
        check(what, warning);
        let stored = cache.put(&key, &sample_variants()).expect("puts");
        changed(&stored, bytes);
        let warning = cache.files(&key).expect_err(what);
        assert!(warning.reason.contains("edited in place"), "{warning}");
        check(what, warning);
        assert!(
            stored[1].read().is_err(),
            "{what}: a stale record reads nothing"
        );
    }
    // A variant's file gone (a `put` replaced the entry meanwhile): missing.
    let stored = cache.put(&key, &sample_variants()).expect("puts");
    std::fs::remove_file(&stored[2].path).expect("removes");
    assert_eq!(cache.files(&key), Ok(None));
    assert_eq!(cache.get(&key), Ok(None));
    // A link in a variant's place is refused, never followed.
    let stored = cache.put(&key, &sample_variants()).expect("puts");
    let elsewhere = site.path().join("elsewhere");
    std::fs::write(&elsewhere, b"RIFF webp bytes").expect("writes");
    std::fs::remove_file(&stored[0].path).expect("removes");
    std::os::unix::fs::symlink(&elsewhere, &stored[0].path).expect("links");
    check("a link", cache.files(&key).expect_err("a link"));
    assert!(elsewhere.exists(), "what a link pointed to is left alone");
    // An entry renamed to another key's name is foreign.
    let other = cache_key(b"other", &Settings::default());
    cache.put(&other, &sample_variants()).expect("puts");
    std::fs::rename(cache.entry(&other), cache.entry(&key)).expect("renames");
    let warning = cache.get(&key).expect_err("foreign");
    assert!(warning.reason.contains("another image"), "{warning}");
    // A well-formed entry of another version (checksum redone) is refused.
    cache.put(&key, &sample_variants()).expect("puts");
    let mut bytes = std::fs::read(&index).expect("reads");
    bytes[8..12].copy_from_slice(&(PROCESS_VERSION + 1).to_le_bytes());
    let body = bytes.len() - 4;
    let sum = crc32fast::hash(&bytes[..body]).to_le_bytes();
    bytes[body..].copy_from_slice(&sum);
    std::fs::write(&index, &bytes).expect("writes");
    let warning = cache.get(&key).expect_err("another version");
    assert!(warning.reason.contains("version"), "{warning}");
}

#[test]
fn readers_see_a_whole_entry_while_it_is_replaced() {
    let site = tempfile::tempdir().expect("a folder");
    let cache = Cache::open(site.path());
    let key = cache_key(b"source", &Settings::default());
    let small = sample_variants();
    let mut large = sample_variants();
    large[1].bytes = vec![7; 2_000_000].into();
    cache.put(&key, &small).expect("puts");
    std::thread::scope(|scope| {
        let writer = scope.spawn(|| {
            for i in 0..40 {
                let v = if i % 2 == 0 { &large } else { &small };
                cache.put(&key, v).expect("puts");
            }
        });
        let (mut seen, mut whole) = (0, 0);
        while !writer.is_finished() || whole < 20 {
            // An entry replaced while it is read is missing, never damaged.
            let got = cache.get(&key).expect("never a damaged entry");
            if let Some(got) = got {
                assert!(got == small || got == large);
                whole += 1;
            }
            if let Some(files) = cache.files(&key).expect("never a changed file") {
                assert!(files.len() == small.len());
            }
            seen += 1;
        }
        assert!(seen >= whole);
    });
}

#[test]
fn an_old_temporary_file_and_an_entry_of_the_older_layout_are_removed_by_the_next_open() {
    let site = tempfile::tempdir().expect("a folder");
    let cache = Cache::open(site.path());
    let old = cache.dir().join(".tmp-killed");
    let young = cache.dir().join(".tmp-writing");
    let one_file = cache.dir().join("ab".repeat(32));
    let known = cache.dir().join("known");
    for path in [&old, &young, &one_file, &known] {
        std::fs::write(path, b"part").expect("writes");
    }
    std::fs::File::options()
        .write(true)
        .open(&old)
        .expect("opens")
        .set_modified(SystemTime::now() - Duration::from_secs(7200))
        .expect("sets the time");
    Cache::open(site.path());
    assert!(!old.exists());
    assert!(!one_file.exists(), "an entry of the one-file layout");
    assert!(young.exists(), "another build's file being written");
    assert!(known.exists(), "the memo of known files");
    // A `put` replaces an older entry left at its key too.
    let key = cache_key(b"source", &Settings::default());
    std::fs::write(cache.entry(&key), b"DWIMGC\r\n").expect("writes");
    assert_eq!(cache.get(&key), Ok(None));
    cache.put(&key, &sample_variants()).expect("puts");
    assert_eq!(cache.get(&key), Ok(Some(sample_variants())));
}

#[test]
fn the_key_hashes_the_bytes_and_the_settings_process_reads() {
    let base = Settings::default();
    let key = cache_key(b"source", &base);
    assert_eq!(key, cache_key(b"source", &base.clone()));
    assert_eq!(key.to_string().len(), 64);
    let same = [
        Settings {
            max_pixels: 5,
            ..base.clone()
        },
        Settings {
            widths: vec![1600, 1200, 800, 480, 800],
            ..base.clone()
        },
    ];
    for s in same {
        assert_eq!(cache_key(b"source", &s), key, "{s:?}");
    }
    let different = [
        Settings {
            quality: 50,
            ..base.clone()
        },
        Settings {
            widths: vec![480, 800],
            ..base.clone()
        },
        Settings {
            formats: vec![],
            ..base.clone()
        },
        Settings {
            keep_metadata: true,
            ..base.clone()
        },
    ];
    for s in different {
        assert_ne!(cache_key(b"source", &s), key, "{s:?}");
    }
    assert_ne!(cache_key(b"sourcf", &base), key);
}

// -------------------------------------------------------------- property

/// A small source image of a random format, size and alpha.
fn source_image() -> impl Strategy<Value = Vec<u8>> {
    (0..5u8, 1..48u32, 1..48u32).prop_map(|(kind, w, h)| match kind {
        0 => jpeg_of(w, h),
        1 => png_of(w, h, false),
        2 => png_of(w, h, true),
        3 => webp_of(w, h, false),
        _ => webp_of(w, h, true),
    })
}

fn random_settings() -> impl Strategy<Value = Settings> {
    (
        proptest::collection::vec(1..70u32, 0..5),
        1..=100u8,
        any::<bool>(),
        any::<bool>(),
        any::<u8>(),
    )
        .prop_map(
            |(widths, quality, webp, keep_metadata, orientation)| Settings {
                widths,
                quality,
                formats: if webp { vec![Modern::Webp] } else { vec![] },
                keep_metadata,
                max_pixels: if orientation == 0 { 100 } else { 40_000_000 },
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn process_makes_exactly_the_plan(source in source_image(), s in random_settings(), o in 1..=8u16) {
        let source = if probe::sniff(&source) == Some(Kind::Jpeg) {
            with_exif_jpeg(&source, orientation_exif(o))
        } else {
            source
        };
        let probed = probe(&source).expect("probes");
        match process(&source, &s) {
            Ok(variants) => {
                let made: Vec<Planned> = variants.iter().map(|v| v.planned).collect();
                prop_assert_eq!(made, plan(&probed, &s));
                for v in &variants {
                    let image = decoded(&v.bytes);
                    prop_assert_eq!((image.width(), image.height()), (v.planned.width, v.planned.height));
                }
            }
            Err(e) => {
                prop_assert_eq!(e.kind(), ErrorKind::OverBudget);
                prop_assert!(check_budget(&probed, &s).is_err());
            }
        }
    }
}

#[test]
fn a_jpeg_with_a_damaged_exif_is_still_processed() {
    let broken = with_exif_jpeg(&jpeg_of(30, 20), b"MM\x00\x2a\xFF\xFF\xFF\xFF".to_vec());
    assert_eq!(probe(&broken).expect("probes").width, 30);
    let keep = Settings {
        keep_metadata: true,
        ..settings(&[10])
    };
    let variants = process(&broken, &keep).expect("processes");
    assert!(variants.iter().all(|v| exif_fields(&v.bytes).is_empty()));
}
