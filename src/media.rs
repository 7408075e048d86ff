//! MEDIA: the images articles show, published responsive.
//!
//! Input: the files the build copies (`Copied`: the theme's statics, the
//! site's `static/`, content files) and the site model. `collect` finds every
//! image an article shows — Markdown images, raw `<img>`, `figure` embeds,
//! the lead image (`image:`) — reads each image file once, checks it
//! (`images::probe`: its kind matches its name, it is within the budget, it
//! can be read) and names its variants (`images::plan`): a `Picture`, known
//! before any pixel is decoded, so pages are rendered while images are
//! processed. `process` then makes the variants, in parallel, one image per
//! worker, through the cache in `.dealwire-cache/` (keyed on the source
//! bytes and the settings the processing reads) into the sink.
//!
//! Naming: the variants of `articles/x/photo.jpg` are
//! `articles/x/photo-480w.webp`, `photo-480w.jpg`, …; the widest variant
//! in the source's own format takes the original's path, so a link to the
//! original still works and publishes no metadata and no full-size photo.
//! An image that is not processed (SVG, GIF, a file outside the site) is
//! published as it is and shown with a plain `<img>`.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use bytes::Bytes;
use rayon::prelude::*;

use crate::diag::{Diagnostic, Diagnostics};
use crate::images::{self, Kind, OutFormat, Settings};
use crate::output::Sink;
use crate::source::SourceFile;

/// Where a copied file's bytes are.
#[derive(Clone, Debug)]
pub enum CopiedBytes<'s> {
    /// A file of the site (possibly not read yet).
    Source(&'s SourceFile),
    /// A file of the theme, in memory.
    Theme(Bytes),
}

/// A file the build copies: where it comes from and its output paths.
#[derive(Clone, Debug)]
pub struct Copied<'s> {
    /// Its source path (`content/articles/x/photo.jpg`, `themes/NAME/static/…`).
    pub origin: String,
    /// Its bytes.
    pub bytes: CopiedBytes<'s>,
    /// Where it is published.
    pub targets: Vec<String>,
}

impl Copied<'_> {
    /// The bytes, read now if the source left them unread.
    pub fn read(&self) -> Result<Bytes, Diagnostic> {
        match &self.bytes {
            CopiedBytes::Source(f) => f.bytes_now(),
            CopiedBytes::Theme(b) => Ok(b.clone()),
        }
    }
}

/// One variant of a picture, as published.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Published {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Its format.
    pub format: OutFormat,
    /// Its output path.
    pub path: String,
}

/// An image published responsive.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Picture {
    /// The source file (`content/articles/x/photo.jpg`).
    pub source: String,
    /// The original's output path (`articles/x/photo.jpg`).
    pub output: String,
    /// Its variants, by width, modern formats before the fallback.
    pub variants: Vec<Published>,
    /// The cache key of the source's bytes as they were read to plan it: a
    /// build whose cache holds the variants reads the source only once.
    pub key: images::Key,
}

impl Picture {
    /// Whether a variant is published at the original's path (else the
    /// original is copied as it is, without its metadata).
    pub fn replaces_original(&self) -> bool {
        self.variants.iter().any(|v| v.path == self.output)
    }

    /// The variants in one format, narrowest first.
    pub fn in_format(&self, format: OutFormat) -> impl Iterator<Item = &Published> + '_ {
        self.variants.iter().filter(move |v| v.format == format)
    }

    /// The fallback format (JPEG or PNG): the format of the last variant.
    pub fn fallback(&self) -> Option<OutFormat> {
        self.variants.last().map(|v| v.format)
    }

    /// The widest fallback variant (its width and height go on the `<img>`).
    pub fn widest(&self) -> Option<&Published> {
        self.variants.last()
    }

    /// The fallback variant closest to `width` from below (else the
    /// narrowest): one file for a feed, a card or `og:image`.
    pub fn near(&self, width: u32) -> Option<&Published> {
        let format = self.fallback()?;
        let mut fitting = self.in_format(format).filter(|v| v.width <= width).last();
        if fitting.is_none() {
            fitting = self.in_format(format).next();
        }
        fitting
    }
}

/// Every picture of the site, by the output path of its original.
#[derive(Clone, Debug, Default)]
pub struct Media {
    /// The site root, where `serve` reads a source when a variant is asked for.
    pub root: std::path::PathBuf,
    pictures: HashMap<String, Arc<Picture>>,
    /// Each variant's output path → the original's.
    variants: HashMap<String, String>,
    /// The settings they were planned with.
    pub settings: Settings,
}

impl Media {
    /// No picture yet, for a site at `root` with these settings.
    pub fn new(root: &std::path::Path, settings: Settings) -> Media {
        Media {
            root: root.to_path_buf(),
            settings,
            ..Media::default()
        }
    }

    /// Adds a picture.
    pub fn insert(&mut self, p: Picture) {
        for v in &p.variants {
            self.variants.insert(v.path.clone(), p.output.clone());
        }
        self.pictures.insert(p.output.clone(), Arc::new(p));
    }
    /// The bytes of the variant at `path` (`serve`: made when first asked
    /// for, through the cache; every variant of its source is returned, in
    /// the picture's order, for the caller to keep).
    pub fn make(&self, picture: &Picture) -> Result<Vec<Bytes>, Diagnostics> {
        let mut diags = Diagnostics::new();
        let read = || {
            std::fs::read(self.root.join(&picture.source))
                .map(Bytes::from)
                .map_err(|e| Diagnostic::error(&picture.source, format!("cannot read: {e}")))
        };
        let cache = images::Cache::open(&self.root);
        match made_from(picture, read, &self.settings, Some(&cache), &mut diags) {
            Ok(made) => Ok(made),
            Err(d) => {
                diags.push(d);
                Err(diags)
            }
        }
    }

    /// The picture whose original is published at `output`.
    pub fn get(&self, output: &str) -> Option<&Picture> {
        self.pictures.get(output).map(|p| &**p)
    }

    /// The picture a variant at `path` belongs to.
    pub fn of_variant(&self, path: &str) -> Option<&Picture> {
        self.get(self.variants.get(path)?)
    }

    /// Every picture, in no order.
    pub fn pictures(&self) -> impl Iterator<Item = &Picture> + '_ {
        self.pictures.values().map(|p| &**p)
    }
}

/// The kind of image a file name promises, when it is one dealwire processes.
pub fn named_kind(path: &str) -> Option<Kind> {
    let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
    match ext.as_str() {
        "jpg" | "jpeg" => Some(Kind::Jpeg),
        "png" => Some(Kind::Png),
        "webp" => Some(Kind::Webp),
        "gif" => Some(Kind::Gif),
        _ => None,
    }
}

/// The output format of a source kind, for the variant that takes the original's path.
fn own_format(kind: Kind) -> Option<OutFormat> {
    match kind {
        Kind::Jpeg => Some(OutFormat::Jpeg),
        Kind::Png => Some(OutFormat::Png),
        Kind::Webp => Some(OutFormat::Webp),
        Kind::Gif => None,
    }
}

/// Names the variants of the image at `output` (from `source`, of `kind`, planned `plan`).
pub fn picture(
    source: &str,
    output: &str,
    kind: Kind,
    plan: &[images::Planned],
    key: images::Key,
) -> Picture {
    let (dir, name) = output
        .rsplit_once('/')
        .map_or(("", output), |(d, n)| (d, n));
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let own = own_format(kind);
    let widest_own = plan.iter().rposition(|v| Some(v.format) == own);
    let variants = plan
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let path = if Some(i) == widest_own {
                output.to_string()
            } else {
                let file = format!("{stem}-{}w.{}", v.width, v.format.extension());
                if dir.is_empty() {
                    file
                } else {
                    format!("{dir}/{file}")
                }
            };
            Published {
                width: v.width,
                height: v.height,
                format: v.format,
                path,
            }
        })
        .collect();
    Picture {
        source: source.to_string(),
        output: output.to_string(),
        variants,
        key,
    }
}

/// Makes every picture's variants (through the cache, when there is one)
/// and puts them into the sink, in parallel, one image per worker.
pub fn process(
    media: &Media,
    copies: &[Copied],
    cache: Option<&images::Cache>,
    sink: &Sink,
) -> Diagnostics {
    let by_origin: HashMap<&str, &Copied> = copies.iter().map(|c| (c.origin.as_str(), c)).collect();
    let mut by_source: BTreeMap<&str, Vec<&Picture>> = BTreeMap::new();
    for p in media.pictures() {
        by_source.entry(p.source.as_str()).or_default().push(p);
    }
    let groups: Vec<_> = by_source.into_iter().collect();
    let problems: Vec<Diagnostics> = groups
        .par_iter()
        .with_max_len(1)
        .map(|(source, pictures)| {
            let mut diags = Diagnostics::new();
            let Some(copy) = by_origin.get(source) else {
                return diags;
            };
            match made_from(
                pictures[0],
                || copy.read(),
                &media.settings,
                cache,
                &mut diags,
            ) {
                Ok(made) => {
                    for p in pictures {
                        for (v, bytes) in p.variants.iter().zip(&made) {
                            if let Err(e) = sink.put(v.path.clone(), bytes.clone()) {
                                diags.push(Diagnostic::error(&v.path, e.to_string()));
                            }
                        }
                    }
                }
                Err(d) => diags.push(d),
            }
            diags
        })
        .collect();
    problems.into_iter().flatten().collect()
}

/// The variants of a picture's source, in plan order: from the cache when
/// it holds them under the picture's key (the source is then not read
/// again), else made now from the bytes `read` gives (and kept there).
fn made_from(
    picture: &Picture,
    read: impl FnOnce() -> Result<Bytes, Diagnostic>,
    settings: &Settings,
    cache: Option<&images::Cache>,
    diags: &mut Diagnostics,
) -> Result<Vec<Bytes>, Diagnostic> {
    let key = picture.key;
    if let Some(cache) = cache {
        match cache.get(&key) {
            Ok(Some(variants)) => {
                return Ok(variants.into_iter().map(|v| v.bytes.into()).collect());
            }
            Ok(None) => {}
            Err(warning) => diags.push(Diagnostic::warning(
                crate::images::CACHE_DIR,
                format!("{warning}: the entry is ignored and made again"),
            )),
        }
    }
    let bytes = read()?;
    let made = images::process(&bytes, settings)
        .map_err(|e| Diagnostic::error(&picture.source, format!("this image {e}")))?;
    if let Some(cache) = cache
        && let Err(e) = cache.put(&key, &made)
    {
        diags.push(Diagnostic::warning(
            crate::images::CACHE_DIR,
            format!("cannot keep a processed image in the cache: {e}"),
        ));
    }
    Ok(made.into_iter().map(|v| v.bytes.into()).collect())
}
