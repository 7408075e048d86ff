//! Making an image's variants: decode once, turn upright, resize, encode.
//!
//! Input: a source image's bytes and the settings. Output: the variants of
//! `plan`, in its order, or an `ImageError`.
//!
//! The budget is checked on the probe before anything is decoded; the decode
//! runs under `image::Limits` (the probed size, and an allocation cap from
//! the budget), so a file whose pixels claim more than its header, a
//! decompression bomb or a damaged file ends in an error. A JPEG is decoded
//! at the smallest IDCT scale that still covers the widest variant
//! (`scaled_jpeg`, with `jpeg-decoder`), so a 12-megapixel photo takes a
//! quarter of its full size in memory. Each width is then resized from the
//! decoded pixels (a width resized from the next larger one scored 94 to 96
//! in SSIMULACRA2 against the direct resize), encoded in every format and
//! dropped before the next, widest first: one image in memory at its decoded
//! size plus one width. Every encoder runs on one thread and is
//! deterministic: same bytes in, same bytes out.

use fast_image_resize as fr;
use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use image::{DynamicImage, ExtendedColorType, ImageEncoder, Limits};

use super::metadata::{self, Kept, XMP_JPEG_HEADER};
use super::probe::{decode_error, open, turns_a_quarter};
use super::{
    ErrorKind, ImageError, Kind, OutFormat, Planned, Settings, Variant, check_budget, plan,
};

/// The bytes per pixel of the widest buffer a decoder fills (RGBA, 16 bits a
/// channel), for the allocation cap.
const WIDEST_PIXEL: u64 = 8;

/// Room for a decoder's own tables and buffers besides its output.
const DECODER_SLACK: u64 = 64 << 20;

/// The variants of the image in `bytes`: exactly `plan(&probe(bytes)?,
/// settings)`, in that order (none for a GIF or an animated image).
///
/// An error when the bytes are no image read, when the image is over the
/// budget (refused before decoding), or when it cannot be decoded.
pub fn process(bytes: &[u8], settings: &Settings) -> Result<Vec<Variant>, ImageError> {
    let opened = open(bytes)?;
    check_budget(&opened.probe, settings)?;
    let planned = plan(&opened.probe, settings);
    let Some(mut source) = opened.source.filter(|_| !planned.is_empty()) else {
        return Ok(Vec::new());
    };
    let has_alpha = opened.probe.has_alpha;

    let kept = Kept {
        icc: source.decoder.icc_profile().ok().flatten(),
        exif: if settings.keep_metadata {
            source.exif.as_deref().and_then(metadata::exif_upright)
        } else {
            None
        },
        xmp: if settings.keep_metadata {
            source.decoder.xmp_metadata().ok().flatten().map(|xmp| {
                match xmp.strip_prefix(XMP_JPEG_HEADER) {
                    Some(packet) => packet.to_vec(),
                    None => xmp,
                }
            })
        } else {
            None
        },
    };

    let (stored_w, stored_h) = source.decoder.dimensions();
    let mut limits = Limits::default();
    limits.max_image_width = Some(stored_w);
    limits.max_image_height = Some(stored_h);
    let pixels = u64::from(stored_w) * u64::from(stored_h);
    limits.max_alloc = Some(
        pixels
            .min(settings.max_pixels)
            .saturating_mul(WIDEST_PIXEL)
            .saturating_add(DECODER_SLACK),
    );
    // The widest variant, in the stored orientation: what the decode must cover.
    let widest = planned
        .iter()
        .map(|p| (p.width, p.height))
        .max()
        .unwrap_or((stored_w, stored_h));
    // Sizes in the stored orientation: the pixels are turned upright once
    // resized, so a photo stored on its side is never copied at full size.
    let orientation = source.orientation;
    let stored_size = |(w, h): (u32, u32)| {
        if turns_a_quarter(orientation) {
            (h, w)
        } else {
            (w, h)
        }
    };
    let need = stored_size(widest);
    let scaled = match opened.probe.kind {
        Kind::Jpeg => scaled_jpeg(bytes, (stored_w, stored_h), need, limits.max_alloc),
        _ => None,
    };
    let image = match scaled {
        Some(image) => image,
        None => {
            source.decoder.set_limits(limits).map_err(decode_error)?;
            DynamicImage::from_decoder(source.decoder).map_err(decode_error)?
        }
    };
    let full = if has_alpha {
        Pixels::from_rgba(image.into_rgba8())
    } else {
        Pixels::from_rgb(image.into_rgb8())
    };

    // One width at a time, widest first: resized, encoded in each format,
    // dropped; the variants then go back to the plan's order.
    let mut sizes: Vec<(u32, u32)> = planned.iter().map(|p| (p.width, p.height)).collect();
    sizes.sort_unstable_by(|a, b| b.cmp(a));
    sizes.dedup();
    let mut made: Vec<Option<Vec<u8>>> = vec![None; planned.len()];
    for (width, height) in sizes {
        let (stored_w, stored_h) = stored_size((width, height));
        let resized = full.resized(stored_w, stored_h)?.oriented(orientation);
        for (slot, p) in made.iter_mut().zip(&planned) {
            if (p.width, p.height) == (width, height) {
                *slot = Some(encode(&resized, *p, settings.quality, &kept)?);
            }
        }
    }
    drop(full);
    let variants = planned
        .into_iter()
        .zip(made)
        .map(|(planned, bytes)| Variant {
            planned,
            bytes: bytes
                .expect("every planned size was resized and encoded")
                .into(),
        })
        .collect();
    Ok(variants)
}

/// A JPEG's pixels decoded at the smallest of the IDCT's scales (1/8, 1/4,
/// 1/2) that still covers `need` (stored orientation) on both sides: a
/// 4000×3000 photo whose widest variant is 1600 pixels is decoded at
/// 2000×1500, a quarter of the memory and a quicker decode, and Lanczos3
/// finishes the resize (after encoding, SSIMULACRA2 within 0.6 of a full
/// decode on the bench's photos). `None` when no smaller scale covers
/// `need`, when the pixels are neither RGB nor grey (CMYK), or when this
/// decoder fails or disagrees with the probe: the full decode then runs.
pub(super) fn scaled_jpeg(
    bytes: &[u8],
    stored: (u32, u32),
    need: (u32, u32),
    max_alloc: Option<u64>,
) -> Option<DynamicImage> {
    if need.0.saturating_mul(2) > stored.0 || need.1.saturating_mul(2) > stored.1 {
        return None;
    }
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    if let Some(max) = max_alloc {
        decoder.set_max_decoding_buffer_size(usize::try_from(max).unwrap_or(usize::MAX));
    }
    decoder.read_info().ok()?;
    let info = decoder.info()?;
    if (u32::from(info.width), u32::from(info.height)) != stored {
        return None;
    }
    let (width, height) = decoder
        .scale(u16::try_from(need.0).ok()?, u16::try_from(need.1).ok()?)
        .ok()?;
    let (width, height) = (u32::from(width), u32::from(height));
    if width < need.0 || height < need.1 || (width, height) == stored {
        return None;
    }
    let pixels = decoder.decode().ok()?;
    match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => {
            image::RgbImage::from_raw(width, height, pixels).map(DynamicImage::ImageRgb8)
        }
        jpeg_decoder::PixelFormat::L8 => {
            image::GrayImage::from_raw(width, height, pixels).map(DynamicImage::ImageLuma8)
        }
        _ => None,
    }
}

/// 8-bit pixels, RGB or RGBA, row by row.
struct Pixels {
    width: u32,
    height: u32,
    alpha: bool,
    data: Vec<u8>,
}

impl Pixels {
    fn from_rgb(image: image::RgbImage) -> Pixels {
        Pixels {
            width: image.width(),
            height: image.height(),
            alpha: false,
            data: image.into_raw(),
        }
    }

    fn from_rgba(image: image::RgbaImage) -> Pixels {
        Pixels {
            width: image.width(),
            height: image.height(),
            alpha: true,
            data: image.into_raw(),
        }
    }

    /// These pixels turned as `orientation` says (a copy only when it turns them).
    fn oriented(self, orientation: image::metadata::Orientation) -> Pixels {
        if orientation == image::metadata::Orientation::NoTransforms {
            return self;
        }
        let mut image = if self.alpha {
            image::RgbaImage::from_raw(self.width, self.height, self.data)
                .map(DynamicImage::ImageRgba8)
        } else {
            image::RgbImage::from_raw(self.width, self.height, self.data)
                .map(DynamicImage::ImageRgb8)
        }
        .expect("a buffer of width × height pixels");
        image.apply_orientation(orientation);
        if self.alpha {
            Pixels::from_rgba(image.into_rgba8())
        } else {
            Pixels::from_rgb(image.into_rgb8())
        }
    }

    fn pixel_type(&self) -> fr::PixelType {
        if self.alpha {
            fr::PixelType::U8x4
        } else {
            fr::PixelType::U8x3
        }
    }

    /// These pixels at `width`×`height` (Lanczos3; alpha premultiplied while
    /// resizing, so transparent pixels' colours do not bleed in).
    fn resized(&self, width: u32, height: u32) -> Result<Pixels, ImageError> {
        let failed = |e: &dyn std::fmt::Display| {
            ImageError::new(
                ErrorKind::Corrupt,
                format!("cannot be resized to {width}×{height}: {e}"),
            )
        };
        if (width, height) == (self.width, self.height) {
            return Ok(Pixels {
                data: self.data.clone(),
                ..*self
            });
        }
        let src = fr::images::ImageRef::new(self.width, self.height, &self.data, self.pixel_type())
            .map_err(|e| failed(&e))?;
        let mut dst = fr::images::Image::new(width, height, self.pixel_type());
        let options = fr::ResizeOptions::new()
            .resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Lanczos3));
        fr::Resizer::new()
            .resize(&src, &mut dst, &options)
            .map_err(|e| failed(&e))?;
        Ok(Pixels {
            width,
            height,
            alpha: self.alpha,
            data: dst.into_vec(),
        })
    }
}

/// libwebp's effort, 0 (fastest) to 6. Measured with SSIMULACRA2 on four
/// 4000×3000 photos at quality 82, method 2 scores 1.6 to 2.8 points above
/// libwebp's default 4 for 1 to 3 % more bytes (4's rate-distortion search
/// spends its bits on PSNR, which the eye and SSIMULACRA2 weigh less), and
/// encodes a 1600-pixel variant in a fifth of the time.
const WEBP_METHOD: i32 = 2;

/// One variant's file.
fn encode(
    pixels: &Pixels,
    planned: Planned,
    quality: u8,
    kept: &Kept,
) -> Result<Vec<u8>, ImageError> {
    let quality = quality.clamp(1, 100);
    let failed = |format: &str, e: &dyn std::fmt::Display| {
        ImageError::new(
            ErrorKind::Encode,
            format!(
                "cannot be encoded as a {}×{} {format}: {e}",
                pixels.width, pixels.height
            ),
        )
    };
    match planned.format {
        OutFormat::Webp => {
            let encoder = if pixels.alpha {
                webp::Encoder::from_rgba(&pixels.data, pixels.width, pixels.height)
            } else {
                webp::Encoder::from_rgb(&pixels.data, pixels.width, pixels.height)
            };
            let mut config = webp::WebPConfig::new()
                .map_err(|()| failed("WebP", &"libwebp refused its own defaults"))?;
            config.quality = f32::from(quality);
            config.method = WEBP_METHOD;
            let encoded = encoder
                .encode_advanced(&config)
                .map_err(|e| failed("WebP", &format!("{e:?}")))?;
            metadata::webp(encoded.to_vec(), kept).map_err(|e| failed("WebP", &e))
        }
        OutFormat::Jpeg => jpeg(pixels, quality, kept).map_err(|e| failed("JPEG", &e)),
        OutFormat::Png => {
            let mut out = Vec::new();
            let mut encoder =
                PngEncoder::new_with_quality(&mut out, CompressionType::Fast, PngFilter::Adaptive);
            if let Some(icc) = &kept.icc {
                encoder
                    .set_icc_profile(icc.clone())
                    .map_err(|e| failed("PNG", &e))?;
            }
            if let Some(exif) = &kept.exif {
                encoder
                    .set_exif_metadata(exif.clone())
                    .map_err(|e| failed("PNG", &e))?;
            }
            let color = if pixels.alpha {
                ExtendedColorType::Rgba8
            } else {
                ExtendedColorType::Rgb8
            };
            encoder
                .write_image(&pixels.data, pixels.width, pixels.height, color)
                .map_err(|e| failed("PNG", &e))?;
            metadata::png_xmp(out, kept.xmp.as_deref()).map_err(|e| failed("PNG", &e))
        }
    }
}

/// A baseline JPEG: 4:4:4 (no chroma subsampling: smaller than 4:2:0 at the
/// same SSIMULACRA2 score on the test photos), optimised Huffman tables. A
/// profile, EXIF or XMP too large for its segments is left out.
fn jpeg(pixels: &Pixels, quality: u8, kept: &Kept) -> Result<Vec<u8>, String> {
    let too_large = || {
        format!(
            "{}×{} is beyond JPEG's 65,535 pixels a side",
            pixels.width, pixels.height
        )
    };
    let width = u16::try_from(pixels.width).map_err(|_| too_large())?;
    let height = u16::try_from(pixels.height).map_err(|_| too_large())?;
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, quality);
    encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::R_4_4_4);
    encoder.set_optimized_huffman_tables(true);
    if let Some(icc) = &kept.icc {
        let _ = encoder.add_icc_profile(icc);
    }
    if let Some(exif) = &kept.exif {
        let _ = encoder.add_exif_metadata(exif);
    }
    if let Some(xmp) = &kept.xmp {
        let mut segment = XMP_JPEG_HEADER.to_vec();
        segment.extend_from_slice(xmp);
        let _ = encoder.add_app_segment(1, segment);
    }
    let color = if pixels.alpha {
        jpeg_encoder::ColorType::Rgba
    } else {
        jpeg_encoder::ColorType::Rgb
    };
    encoder
        .encode(&pixels.data, width, height, color)
        .map_err(|e| e.to_string())?;
    Ok(out)
}
