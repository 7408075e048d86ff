//! Making an image's variants: decode once, turn upright, resize, encode.
//!
//! Input: a source image's bytes and the settings. Output: the variants of
//! `plan`, in its order, or an `ImageError`.
//!
//! The budget is checked on the probe before anything is decoded; the decode
//! runs under `image::Limits` (the probed size, and an allocation cap from
//! the budget), so a file whose pixels claim more than its header, a
//! decompression bomb or a damaged file ends in an error. The full-size pixels
//! are dropped as soon as every width is resized (each from them: a width
//! resized from the next larger one scored 94 to 96 in SSIMULACRA2 against
//! the direct resize, and saved 5% of the time). Every encoder runs on one
//! thread and is deterministic: same bytes in, same bytes out.

use fast_image_resize as fr;
use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use image::{DynamicImage, ExtendedColorType, ImageEncoder, Limits};

use super::metadata::{self, Kept, XMP_JPEG_HEADER};
use super::probe::{decode_error, open};
use super::{ErrorKind, ImageError, OutFormat, Planned, Settings, Variant, check_budget, plan};

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
    source.decoder.set_limits(limits).map_err(decode_error)?;
    let mut image = DynamicImage::from_decoder(source.decoder).map_err(decode_error)?;
    image.apply_orientation(source.orientation);
    let full = if has_alpha {
        Pixels::from_rgba(image.into_rgba8())
    } else {
        Pixels::from_rgb(image.into_rgb8())
    };

    // Every width first, so that the full-size pixels go before encoding.
    let mut sizes: Vec<(u32, u32)> = planned.iter().map(|p| (p.width, p.height)).collect();
    sizes.dedup();
    let mut resized = Vec::with_capacity(sizes.len());
    for &(width, height) in &sizes {
        resized.push(full.resized(width, height)?);
    }
    drop(full);

    let mut variants = Vec::with_capacity(planned.len());
    for p in planned {
        let at = sizes
            .iter()
            .position(|&s| s == (p.width, p.height))
            .expect("every planned size was resized");
        let bytes = encode(&resized[at], p, settings.quality, &kept)?;
        variants.push(Variant { planned: p, bytes });
    }
    Ok(variants)
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
            let encoded = encoder
                .encode_simple(false, f32::from(quality))
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
