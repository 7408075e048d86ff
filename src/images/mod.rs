//! Responsive images: the variants (several widths, WebP beside a JPEG or PNG
//! fallback) that the build publishes for an image an article shows.
//!
//! Input: an image file's bytes and the site's `images:` settings. Output:
//! what the image is (`probe`, from its header alone), which variants it gets
//! (`plan`, from the probe alone, so that pages can name them while the
//! pixels are still being made), and the variants' bytes (`process`, exactly
//! `plan`'s list, in its order). `Cache` keeps made variants on disk under
//! `.dealwire-cache/images/`, one folder per `cache_key` holding a file per
//! variant (hard-linked into the output by a build), so an unchanged image
//! is decoded and encoded once.
//!
//! `process` decodes one image at a time with `image` (limits on every
//! decode, so a decompression bomb or a damaged file is an `ImageError`,
//! never a panic or an exhausted memory), turns the pixels as the EXIF
//! orientation says, resizes with `fast_image_resize` (Lanczos3, each width
//! from the full-size pixels), and encodes WebP with libwebp (`webp`), JPEG
//! with `jpeg-encoder` (4:4:4, optimised Huffman tables) and PNG with
//! `image`. Variants keep the source's ICC profile and nothing else of its
//! metadata, unless `keep_metadata` asks for its EXIF (orientation set to 1)
//! and XMP too. Same bytes and settings, same output bytes.
//!
//! Pure, but for `Cache`: bytes in, bytes out.

use std::fmt;

pub(crate) mod cache;
mod known;
mod metadata;
mod probe;
mod process;

pub use cache::{Cache, CacheWarning, Key, Stored, cache_key, digest, key_of_digest};
pub use known::{Known, KnownFiles, Stamp};
pub use probe::probe;
pub use process::process;

/// The version of what `process` makes: bumped whenever its output bytes
/// would change for the same source and settings (an encoder's setting, the
/// resize filter, a crate update that changes the encoders' output), so that
/// cached variants of an older version are made again.
pub const PROCESS_VERSION: u32 = 2;

/// The folder, at the root of a site, that holds what builds keep between
/// runs (the processed images in `images/`); it holds a `.gitignore` that
/// ignores all of it.
pub const CACHE_DIR: &str = ".dealwire-cache";

/// The largest width or height a WebP image can have (its header holds 14
/// bits); a larger variant gets only its fallback.
pub const WEBP_MAX_SIDE: u32 = 16_383;

/// A modern format, published beside the fallback for the browsers that read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Modern {
    /// Lossy WebP (every current browser).
    Webp,
}

/// A source image's format, read from its bytes (their signature), never from
/// its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// JPEG: `FF D8 FF`.
    Jpeg,
    /// PNG (and APNG): the 8-byte PNG signature.
    Png,
    /// WebP: a RIFF file of form `WEBP`.
    Webp,
    /// GIF: `GIF87a` or `GIF89a`.
    Gif,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Jpeg => "JPEG",
            Kind::Png => "PNG",
            Kind::Webp => "WebP",
            Kind::Gif => "GIF",
        })
    }
}

/// The format of a variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OutFormat {
    /// Baseline JPEG (the fallback of an opaque JPEG or WebP source).
    Jpeg,
    /// PNG (the fallback of a PNG source and of any source with alpha).
    Png,
    /// Lossy WebP (with lossless alpha when the source has alpha).
    Webp,
}

impl OutFormat {
    /// The file extension of the format, without the dot: `jpg`, `png`, `webp`.
    pub fn extension(self) -> &'static str {
        match self {
            OutFormat::Jpeg => "jpg",
            OutFormat::Png => "png",
            OutFormat::Webp => "webp",
        }
    }

    /// The media type of the format, for `<source type>`: `image/webp`…
    pub fn mime(self) -> &'static str {
        match self {
            OutFormat::Jpeg => "image/jpeg",
            OutFormat::Png => "image/png",
            OutFormat::Webp => "image/webp",
        }
    }

    /// The format's byte in a cache entry.
    fn code(self) -> u8 {
        match self {
            OutFormat::Jpeg => 1,
            OutFormat::Png => 2,
            OutFormat::Webp => 3,
        }
    }

    /// The format of a cache entry's byte.
    fn from_code(code: u8) -> Option<OutFormat> {
        match code {
            1 => Some(OutFormat::Jpeg),
            2 => Some(OutFormat::Png),
            3 => Some(OutFormat::Webp),
            _ => None,
        }
    }
}

impl From<Modern> for OutFormat {
    fn from(modern: Modern) -> OutFormat {
        match modern {
            Modern::Webp => OutFormat::Webp,
        }
    }
}

/// The site's `images:` settings: which variants an image gets and how they
/// are made.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Settings {
    /// The widths made, in pixels (in any order; repeats count once); an image
    /// is never made wider than it is. Default: 480, 800, 1200, 1600.
    pub widths: Vec<u32>,
    /// The encoders' quality, 1 to 100 (WebP and JPEG; PNG is lossless).
    /// Default: 84. Measured with SSIMULACRA2 (each variant against the same
    /// resize of the original) on the bench's grain-heavy 4000×3000 photos,
    /// the weakest WebP variant (always the weaker format) scores 69.4 to
    /// 72.6 at 82 and 71.4 to 72.1 at 84, JPEG about 80: 84 is the lowest
    /// quality that keeps every variant above 70, and the eight variants
    /// weigh a third to a half of the original file.
    pub quality: u8,
    /// The modern formats made beside the fallback, in the order a `<picture>`
    /// lists them. Default: WebP.
    pub formats: Vec<Modern>,
    /// Whether the variants carry the source's EXIF (its orientation set to
    /// 1) and XMP; by default they carry only its ICC colour profile.
    pub keep_metadata: bool,
    /// The largest image accepted, in pixels (width × height); a larger one is
    /// refused before it is decoded. Default: 40,000,000.
    pub max_pixels: u64,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            widths: vec![480, 800, 1200, 1600],
            quality: 84,
            formats: vec![Modern::Webp],
            keep_metadata: false,
            max_pixels: 40_000_000,
        }
    }
}

/// What an image's header says, read without decoding its pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Probe {
    /// Its format, from its signature.
    pub kind: Kind,
    /// Its width as displayed: an EXIF orientation of 5 to 8 (a quarter
    /// turn) swaps the stored width and height.
    pub width: u32,
    /// Its height as displayed.
    pub height: u32,
    /// Whether its pixels have an alpha channel (a PNG with `tRNS` does).
    pub has_alpha: bool,
    /// Whether it is animated: a GIF with more than one frame, an animated
    /// WebP, an APNG.
    pub animated: bool,
}

/// One variant to make: its size and format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Planned {
    /// Its width, in pixels.
    pub width: u32,
    /// Its height, in pixels (the source's aspect ratio, rounded, at least 1).
    pub height: u32,
    /// Its format.
    pub format: OutFormat,
}

/// A variant made: what was planned, and its file's bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variant {
    /// Its size and format, as `plan` gave them.
    pub planned: Planned,
    /// The encoded file (shared: cloning does not copy).
    pub bytes: bytes::Bytes,
}

/// The variants an image gets, from its probe alone (pages name them before
/// the pixels are made), in order: by width ascending, and for each width the
/// modern formats (in the settings' order) before the fallback.
///
/// The widths are the configured widths below the image's width, and
/// min(its width, the largest configured width): never wider than the source,
/// and an image narrower than every configured width still gets its own
/// width. The fallback is JPEG for a JPEG source and an opaque WebP source,
/// PNG for a PNG source and any source with alpha. WebP is left out of a
/// variant wider or taller than `WEBP_MAX_SIDE`. A GIF and an animated image
/// get no variants (they are published as they are), and so does an image
/// when no width is configured.
pub fn plan(probe: &Probe, settings: &Settings) -> Vec<Planned> {
    if probe.kind == Kind::Gif || probe.animated || probe.width == 0 || probe.height == 0 {
        return Vec::new();
    }
    let Some(largest) = settings.widths.iter().copied().filter(|&w| w > 0).max() else {
        return Vec::new();
    };
    let mut widths: Vec<u32> = settings
        .widths
        .iter()
        .copied()
        .filter(|&w| w > 0 && w < probe.width)
        .collect();
    widths.push(probe.width.min(largest));
    widths.sort_unstable();
    widths.dedup();
    let fallback = if probe.has_alpha || probe.kind == Kind::Png {
        OutFormat::Png
    } else {
        OutFormat::Jpeg
    };
    let modern = modern_formats(settings);
    let mut planned = Vec::with_capacity(widths.len() * (modern.len() + 1));
    for width in widths {
        let height = scaled_height(probe.width, probe.height, width);
        for &format in &modern {
            if format == OutFormat::Webp && (width > WEBP_MAX_SIDE || height > WEBP_MAX_SIDE) {
                continue;
            }
            planned.push(Planned {
                width,
                height,
                format,
            });
        }
        planned.push(Planned {
            width,
            height,
            format: fallback,
        });
    }
    planned
}

/// The settings' modern formats, each once, in their order.
fn modern_formats(settings: &Settings) -> Vec<OutFormat> {
    let mut formats: Vec<OutFormat> = Vec::with_capacity(settings.formats.len());
    for &m in &settings.formats {
        let format = OutFormat::from(m);
        if !formats.contains(&format) {
            formats.push(format);
        }
    }
    formats
}

/// The height of a `width`-pixel variant of a `source_w`×`source_h` image:
/// the aspect ratio kept, rounded to the nearest pixel, at least 1.
fn scaled_height(source_w: u32, source_h: u32, width: u32) -> u32 {
    let h =
        (u64::from(source_h) * u64::from(width) + u64::from(source_w) / 2) / u64::from(source_w);
    u32::try_from(h.max(1)).unwrap_or(u32::MAX)
}

/// About how many bytes `process` holds at its peak for an image of this
/// probe and plan: the decoded pixels (at the JPEG scale `process` decodes
/// at) twice over (the decoder's own planes), the resizer's intermediate
/// rows for the widest variant, and four times the widest variant (its
/// pixels and the encoders' buffers). Measured against the peak of
/// `process` on the bench's 12-megapixel photos: 48 MB estimated for 63 used
/// (upright, decoded at half size), 132 for 115 (stored on its side, decoded
/// whole). Zero when nothing is made.
pub fn working_set(probe: &Probe, plan: &[Planned]) -> u64 {
    let Some(widest) = plan.iter().map(|p| (p.width, p.height)).max() else {
        return 0;
    };
    let channels: u64 = if probe.has_alpha { 4 } else { 3 };
    let (mut w, mut h) = (probe.width, probe.height);
    if probe.kind == Kind::Jpeg {
        for _ in 0..3 {
            if w.div_ceil(2) < widest.0 || h.div_ceil(2) < widest.1 {
                break;
            }
            (w, h) = (w.div_ceil(2), h.div_ceil(2));
        }
    }
    let (w, h) = (u64::from(w), u64::from(h));
    let (vw, vh) = (u64::from(widest.0), u64::from(widest.1));
    let decoded = w * h * channels * 2;
    let rows = (vw * h).max(vh * w) * channels;
    decoded + rows + vw * vh * channels * 4
}

/// Refuses an image over the settings' pixel budget (`max_pixels`), from its
/// probe: `process` checks it before decoding anything, and a caller can
/// check it as early as it probes.
pub fn check_budget(probe: &Probe, settings: &Settings) -> Result<(), ImageError> {
    let pixels = u64::from(probe.width) * u64::from(probe.height);
    if pixels <= settings.max_pixels {
        return Ok(());
    }
    Err(ImageError::new(
        ErrorKind::OverBudget,
        format!(
            "is {}×{} ({} megapixels), over the {}-megapixel budget (images: max_megapixels): resize it before publishing",
            probe.width,
            probe.height,
            megapixels(pixels),
            megapixels(settings.max_pixels)
        ),
    ))
}

/// A count of pixels in megapixels, for a message: whole from 10 on, else
/// with at most two decimals (`108`, `1.5`, `0.25`).
fn megapixels(pixels: u64) -> String {
    if pixels >= 10_000_000 {
        return ((pixels + 500_000) / 1_000_000).to_string();
    }
    let hundredths = (pixels + 5_000) / 10_000;
    let text = format!("{}.{:02}", hundredths / 100, hundredths % 100);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// What kind of problem an `ImageError` is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The bytes are none of the formats read (or no bytes at all).
    NotAnImage,
    /// The image is larger than the pixel budget allows.
    OverBudget,
    /// The image cannot be read: cut short, damaged, inconsistent.
    Corrupt,
    /// The image uses a feature the decoder does not support.
    Unsupported,
    /// An encoder refused the pixels (should not happen for a readable image).
    Encode,
}

/// An image that cannot be processed. Its message is a sentence without the
/// file's name, to follow it: `photo.jpg` + ` is truncated or corrupt: …`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageError {
    kind: ErrorKind,
    message: String,
}

impl ImageError {
    fn new(kind: ErrorKind, message: String) -> ImageError {
        ImageError { kind, message }
    }

    fn corrupt(reason: impl fmt::Display) -> ImageError {
        // Some decoders end their reason with an escaped line break.
        let reason = reason.to_string();
        let reason = reason.trim().trim_end_matches("\\n").trim();
        ImageError::new(
            ErrorKind::Corrupt,
            format!("is truncated or corrupt: {reason}"),
        )
    }

    /// What kind of problem it is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
}

impl fmt::Display for ImageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ImageError {}

#[cfg(test)]
mod tests;
