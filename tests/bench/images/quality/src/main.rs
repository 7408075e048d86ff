//! How faithful and how light the published variants of a photo are.
//!
//! Input: `quality ORIGINAL VARIANT...`: a photo (JPEG, PNG or WebP) and the
//! variants a site generator published of it, in any of those formats.
//!
//! Output, on stdout, a Markdown table: for each variant its size in pixels,
//! its bytes and its SSIMULACRA2 score against the original turned upright
//! (its EXIF orientation applied) and resized to the variant's size with a
//! Lanczos3 filter; then the variants' total bytes against the original's, and
//! whether the two goals of tests/bench/images are met (the variants weigh
//! less in total than the original; every score is at least 70).
//!
//! Exit status: 0 once measured (goals met or not), 2 with a message naming
//! the file when a file cannot be read or decoded, 1 on a usage error.

#![deny(missing_docs)]

use std::fs;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use fast_image_resize::images::Image as ResizeImage;
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::{DynamicImage, ImageDecoder, ImageReader, RgbImage};
use ssimulacra2::{ColorPrimaries, Rgb, TransferCharacteristic, compute_frame_ssimulacra2};

/// The lowest SSIMULACRA2 score a variant may have ("high quality" in the
/// metric's scale: 70 is about what a viewer cannot tell apart at a glance).
const MIN_SCORE: f64 = 70.0;

/// A decoded image turned upright, with the size of its file.
struct Loaded {
    /// The pixels, upright, 8-bit RGB.
    pixels: RgbImage,
    /// The file's size in bytes.
    bytes: u64,
}

/// One measured variant.
struct Row {
    /// The variant's file.
    path: PathBuf,
    /// Its width in pixels.
    width: u32,
    /// Its height in pixels.
    height: u32,
    /// Its size in bytes.
    bytes: u64,
    /// SSIMULACRA2 against the original resized to its size.
    score: f64,
}

/// Reads and decodes an image file (its format from its bytes), applies its
/// EXIF orientation and converts it to 8-bit RGB. Errors name the file.
fn load(path: &Path) -> Result<Loaded, String> {
    let data = fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let bytes = data.len() as u64;
    let reader = ImageReader::new(Cursor::new(data))
        .with_guessed_format()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| format!("{}: not an image this tool reads: {e}", path.display()))?;
    let orientation = decoder
        .orientation()
        .map_err(|e| format!("{}: unreadable EXIF orientation: {e}", path.display()))?;
    let mut image = DynamicImage::from_decoder(decoder)
        .map_err(|e| format!("{}: cannot be decoded: {e}", path.display()))?;
    image.apply_orientation(orientation);
    Ok(Loaded {
        pixels: image.to_rgb8(),
        bytes,
    })
}

/// `source` resized to `width` x `height` with a Lanczos3 convolution (in the
/// sRGB values, as encoders and browsers resize).
fn resize(source: &RgbImage, width: u32, height: u32) -> Result<RgbImage, String> {
    let mut target = ResizeImage::new(width, height, PixelType::U8x3);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    Resizer::new()
        .resize(source, &mut target, &options)
        .map_err(|e| format!("resize to {width}x{height}: {e}"))?;
    RgbImage::from_raw(width, height, target.into_vec())
        .ok_or_else(|| format!("resize to {width}x{height}: wrong buffer size"))
}

/// The image as the metric's sRGB frame (values in 0..=1).
fn frame(image: &RgbImage) -> Result<Rgb, String> {
    let data = image
        .pixels()
        .map(|p| p.0.map(|c| f32::from(c) / 255.0))
        .collect();
    Rgb::new(
        data,
        image.width() as usize,
        image.height() as usize,
        TransferCharacteristic::SRGB,
        ColorPrimaries::BT709,
    )
    .map_err(|e| format!("{}x{} frame: {e:?}", image.width(), image.height()))
}

/// SSIMULACRA2 of `distorted` against `reference`, two images of one size
/// (100 is identical; 90 and above, visually lossless; 70, high quality).
fn score(reference: &RgbImage, distorted: &RgbImage) -> Result<f64, String> {
    compute_frame_ssimulacra2(frame(reference)?, frame(distorted)?).map_err(|e| {
        format!(
            "SSIMULACRA2 of {}x{} against {}x{}: {e:?}",
            distorted.width(),
            distorted.height(),
            reference.width(),
            reference.height()
        )
    })
}

/// Measures one variant against the upright original.
fn measure(original: &RgbImage, path: &Path) -> Result<Row, String> {
    let variant = load(path)?;
    let (width, height) = variant.pixels.dimensions();
    let reference = resize(original, width, height)?;
    let score =
        score(&reference, &variant.pixels).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(Row {
        path: path.to_path_buf(),
        width,
        height,
        bytes: variant.bytes,
        score,
    })
}

/// The Markdown report of the rows against an original of `original_bytes`.
fn report(original: &Path, original_bytes: u64, rows: &[Row]) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "original: {} ({original_bytes} bytes)\n\n",
        original.display()
    ));
    out.push_str("| variant | pixels | bytes | SSIMULACRA2 |\n| --- | --- | ---: | ---: |\n");
    for row in rows {
        out.push_str(&format!(
            "| {} | {}x{} | {} | {:.2} |\n",
            row.path.display(),
            row.width,
            row.height,
            row.bytes,
            row.score
        ));
    }
    let total: u64 = rows.iter().map(|r| r.bytes).sum();
    let lowest = rows.iter().map(|r| r.score).fold(f64::INFINITY, f64::min);
    out.push_str(&format!(
        "| total of {} variants | | {total} ({:.1} % of the original) | lowest {lowest:.2} |\n\n",
        rows.len(),
        100.0 * total as f64 / original_bytes as f64
    ));
    let met = |ok: bool| if ok { "met" } else { "not met" };
    out.push_str(&format!(
        "goal: the variants weigh less than the original: {}\n",
        met(total < original_bytes)
    ));
    out.push_str(&format!(
        "goal: every variant scores at least {MIN_SCORE}: {}\n",
        met(!rows.is_empty() && lowest >= MIN_SCORE)
    ));
    out
}

fn main() -> ExitCode {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if args.len() < 2 || args[0].as_os_str() == "--help" {
        eprintln!(
            "usage: quality ORIGINAL VARIANT...\n\
             SSIMULACRA2 and bytes of each variant against ORIGINAL (upright) resized to its size with Lanczos3"
        );
        return ExitCode::from(1);
    }
    let run = || -> Result<String, String> {
        let original = load(&args[0])?;
        let rows = args[1..]
            .iter()
            .map(|p| measure(&original.pixels, p))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(report(&args[0], original.bytes, &rows))
    };
    match run() {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("quality: {e}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::codecs::jpeg::JpegEncoder;
    use image::{ImageEncoder, Rgb as Px};

    /// A photo-like test picture: gradients, a hard-edged block, fine texture.
    fn picture(width: u32, height: u32) -> RgbImage {
        RgbImage::from_fn(width, height, |x, y| {
            let texture = ((x * 7919 + y * 104_729) % 23) as u8;
            let block = if (width / 3..width / 2).contains(&x) && y > height / 2 {
                90
            } else {
                0
            };
            Px([
                (x * 200 / width) as u8 + texture,
                (y * 160 / height) as u8 + block,
                120 + texture,
            ])
        })
    }

    fn jpeg(image: &RgbImage, quality: u8, exif: Option<Vec<u8>>) -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = JpegEncoder::new_with_quality(&mut out, quality);
        if let Some(exif) = exif {
            encoder.set_exif_metadata(exif).unwrap();
        }
        encoder
            .write_image(
                image,
                image.width(),
                image.height(),
                image::ExtendedColorType::Rgb8,
            )
            .unwrap();
        out
    }

    /// A little-endian TIFF header and one IFD holding Orientation = `value`.
    fn exif_orientation(value: u16) -> Vec<u8> {
        let mut e = b"II*\0".to_vec();
        e.extend(8u32.to_le_bytes());
        e.extend(1u16.to_le_bytes());
        e.extend(0x0112u16.to_le_bytes());
        e.extend(3u16.to_le_bytes());
        e.extend(1u32.to_le_bytes());
        e.extend(value.to_le_bytes());
        e.extend([0, 0]);
        e.extend(0u32.to_le_bytes());
        e
    }

    fn temp(name: &str, data: &[u8]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("quality-test-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        fs::write(&path, data).unwrap();
        path
    }

    #[test]
    fn identical_pixels_score_100() {
        let image = picture(64, 48);
        let s = score(&image, &image).unwrap();
        assert!((s - 100.0).abs() < 1e-6, "{s}");
    }

    #[test]
    fn a_faithful_variant_scores_high_and_a_wrong_one_low() {
        let original = picture(400, 300);
        let small = resize(&original, 200, 150).unwrap();
        let good = temp("good.jpg", &jpeg(&small, 95, None));
        let row = measure(&original, &good).unwrap();
        assert_eq!((row.width, row.height), (200, 150));
        assert!(row.score > 80.0, "{}", row.score);
        // The same size, but the picture mirrored: the metric must see it.
        let mirrored = image::imageops::flip_horizontal(&small);
        let bad = temp("bad.jpg", &jpeg(&mirrored, 95, None));
        let row = measure(&original, &bad).unwrap();
        assert!(row.score < MIN_SCORE, "{}", row.score);
    }

    #[test]
    fn the_original_is_turned_upright_before_resizing() {
        let stored = picture(80, 40);
        let plain = load(&temp("plain.jpg", &jpeg(&stored, 95, None))).unwrap();
        let turned = temp("turned.jpg", &jpeg(&stored, 95, Some(exif_orientation(6))));
        let loaded = load(&turned).unwrap();
        assert_eq!(loaded.pixels.dimensions(), (40, 80));
        // Orientation 6 is a quarter turn clockwise: the stored bottom-left
        // corner becomes the top-left one.
        assert!(loaded.pixels == image::imageops::rotate90(&plain.pixels));
        assert!(loaded.pixels != image::imageops::rotate270(&plain.pixels));
    }

    #[test]
    fn the_report_says_when_a_goal_is_not_met() {
        let rows = vec![
            Row {
                path: "a.webp".into(),
                width: 480,
                height: 360,
                bytes: 600,
                score: 82.0,
            },
            Row {
                path: "a.jpg".into(),
                width: 480,
                height: 360,
                bytes: 500,
                score: 64.5,
            },
        ];
        let text = report(Path::new("photo.jpg"), 1000, &rows);
        assert!(
            text.contains(
                "| total of 2 variants | | 1100 (110.0 % of the original) | lowest 64.50 |"
            ),
            "{text}"
        );
        assert!(
            text.contains("weigh less than the original: not met"),
            "{text}"
        );
        assert!(text.contains("at least 70: not met"), "{text}");
        let text = report(Path::new("photo.jpg"), 2000, &rows[..1]);
        assert!(text.contains("weigh less than the original: met"), "{text}");
        assert!(text.contains("at least 70: met"), "{text}");
    }

    #[test]
    fn errors_name_the_file() {
        let missing = Path::new("/nonexistent/photo.jpg");
        assert!(
            load(missing)
                .err()
                .unwrap()
                .contains("/nonexistent/photo.jpg")
        );
        let text = temp("not-an-image.jpg", b"just text");
        let err = load(&text).err().unwrap();
        assert!(err.contains("not-an-image.jpg"), "{err}");
        let cut = temp("cut.jpg", &jpeg(&picture(64, 48), 90, None)[..300]);
        let err = load(&cut).err().unwrap();
        assert!(err.contains("cut.jpg"), "{err}");
    }
}
