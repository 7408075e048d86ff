//! LOAD: reads a site from disk into memory, once, and is the only reader of it.
//!
//! Input: the site root. Output: a `SiteSource` holding `site.yaml`, every file
//! under `content/`, `static/`, `templates/` and `themes/`, as bytes, sorted by
//! path, plus the problems met on the way (a symlink leaving the site or looping,
//! an oversized file, an unreadable one). Nothing is parsed here, and the output
//! directory is never read.

use std::collections::{BTreeMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use bytes::Bytes;

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::config::CONFIG_FILE;
use crate::diag::{Diagnostic, Diagnostics};

/// The largest content file accepted.
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// The folders of a site that dealwire reads, besides `site.yaml`.
pub const SITE_FOLDERS: [&str; 5] = ["content", "static", "strings", "templates", "themes"];

/// One file of the site, as bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    /// Path relative to the site root, with `/` separators (`content/articles/a.md`).
    pub path: String,
    /// The file's bytes (shared: cloning does not copy).
    pub bytes: Bytes,
    /// A hash of the bytes, for caches keyed by content.
    pub hash: u64,
    /// Length and modification time when read, to skip unchanged files on a refresh.
    stamp: Option<(u64, SystemTime)>,
    /// Where to read the file when its reading was deferred (`load_deferred`);
    /// `bytes` are empty until `read_deferred`.
    deferred: Option<PathBuf>,
}

impl SourceFile {
    /// A file made in memory (tests, generated sources).
    pub fn new(path: impl Into<String>, bytes: impl Into<Bytes>) -> SourceFile {
        let bytes = bytes.into();
        SourceFile {
            path: path.into(),
            hash: content_hash(&bytes),
            bytes,
            stamp: None,
            deferred: None,
        }
    }

    /// Where the file is on disk when its reading was deferred (it is read
    /// when needed, from there); `None` when its bytes are in memory.
    pub fn deferred_path(&self) -> Option<&std::path::Path> {
        self.deferred.as_deref()
    }

    /// The file with its bytes: itself, or read now if `load_deferred` left it unread.
    pub fn read_deferred(self) -> Result<SourceFile, Diagnostic> {
        match &self.deferred {
            None => Ok(self),
            Some(abs) => read_file(&self.path, abs, None),
        }
    }
}

impl SourceFile {
    /// The file's bytes: those held, or read now when `load_deferred` left
    /// the file unread (not kept: the caller holds them as long as it needs).
    pub fn bytes_now(&self) -> Result<Bytes, Diagnostic> {
        let Some(abs) = &self.deferred else {
            return Ok(self.bytes.clone());
        };
        let meta = std::fs::metadata(abs)
            .map_err(|e| Diagnostic::error(&self.path, format!("cannot read: {e}")))?;
        if meta.len() > MAX_FILE_BYTES {
            return Err(Diagnostic::error(
                &self.path,
                format!("the file is {} bytes, over the 10 MiB limit", meta.len()),
            ));
        }
        std::fs::read(abs)
            .map(Bytes::from)
            .map_err(|e| Diagnostic::error(&self.path, format!("cannot read: {e}")))
    }
}

/// The hash used for content-keyed caches.
pub fn content_hash(bytes: &[u8]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

/// Whether a one-shot build leaves a file unread until it is used: articles
/// (read as they are parsed) and images (read as they are processed or
/// copied), so that a large archive is never held whole.
fn is_deferred(rel: &str) -> bool {
    let image = || {
        let lower = rel.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
        matches!(
            lower.as_deref(),
            Some("jpg" | "jpeg" | "png" | "webp" | "gif")
        )
    };
    (rel.starts_with("content/") && (rel.ends_with(".md") || image()))
        || (rel.starts_with("static/") && image())
}

/// A whole site, in memory.
#[derive(Clone, Debug, Default)]
pub struct SiteSource {
    /// The site root on disk, for messages and the output-directory checks.
    pub root: PathBuf,
    /// The text of `site.yaml`.
    pub config: String,
    /// Every file under the site folders, sorted by path.
    pub files: Vec<SourceFile>,
    /// Problems met while reading (they fail the build).
    pub diagnostics: Diagnostics,
}

impl SiteSource {
    /// The files under one top-level folder (`content/`, `static/`…).
    pub fn under<'a>(&'a self, folder: &'a str) -> impl Iterator<Item = &'a SourceFile> + 'a {
        self.files.iter().filter(move |f| {
            f.path
                .strip_prefix(folder)
                .is_some_and(|rest| rest.starts_with('/'))
        })
    }
}

/// Reads the site at `root`. A missing root or `site.yaml` is an error naming the path.
pub fn load(root: &Path) -> Result<SiteSource, Diagnostics> {
    load_reusing(root, None, &HashSet::new(), false)
}

/// `load`, leaving the Markdown files under `content/` unread: each is read
/// by `SourceFile::read_deferred` when it is parsed, so a one-shot build never
/// holds the whole archive's text at once.
pub fn load_deferred(root: &Path) -> Result<SiteSource, Diagnostics> {
    load_reusing(root, None, &HashSet::new(), true)
}

/// Reads the site again, reusing the bytes of files from `previous` whose length
/// and modification time are unchanged, unless they are among `changed` (paths
/// a file watcher reported, which are always read again).
pub fn refresh(
    previous: &SiteSource,
    changed: &HashSet<PathBuf>,
) -> Result<SiteSource, Diagnostics> {
    load_reusing(&previous.root, Some(previous), changed, false)
}

/// The quick path of a refresh: when every changed path is `site.yaml` or a
/// file already known, reads just those into `source` (nothing else of it is
/// touched or copied). `Err` gives `source` back unchanged when the tree
/// itself may have changed (a new, removed or renamed file, a folder), so a
/// full `refresh` is due.
pub fn reread(
    mut source: SiteSource,
    changed: &HashSet<PathBuf>,
) -> Result<SiteSource, SiteSource> {
    if !source.diagnostics.is_empty() {
        return Err(source);
    }
    // Everything is read first: a failure leaves `source` as it was.
    let mut config = None;
    let mut files = Vec::with_capacity(changed.len());
    for abs in changed {
        let Some(read) = reread_one(&source, abs) else {
            return Err(source);
        };
        match read {
            Reread::Config(text) => config = Some(text),
            Reread::File(at, file) => files.push((at, file)),
        }
    }
    if let Some(text) = config {
        source.config = text;
    }
    for (at, file) in files {
        source.files[at] = file;
    }
    Ok(source)
}

/// One path read again by `reread`.
enum Reread {
    /// `site.yaml`'s new text.
    Config(String),
    /// A known file's new contents, with its place in `SiteSource::files`.
    File(usize, SourceFile),
}

/// `site.yaml`'s text as the build reads it: no byte-order mark, `\n` line ends.
fn config_text(text: &str) -> String {
    crate::text::line_ends(text.strip_prefix('\u{feff}').unwrap_or(text)).into_owned()
}

fn reread_one(source: &SiteSource, abs: &Path) -> Option<Reread> {
    let rel = relative(&source.root, abs)?;
    if rel == CONFIG_FILE {
        let text = String::from_utf8(std::fs::read(abs).ok()?).ok()?;
        return Some(Reread::Config(config_text(&text)));
    }
    let at = source
        .files
        .binary_search_by(|f| f.path.as_str().cmp(&rel))
        .ok()?;
    if !abs.is_file()
        || std::fs::symlink_metadata(abs)
            .ok()?
            .file_type()
            .is_symlink()
    {
        return None;
    }
    read_file(&rel, abs, None)
        .ok()
        .map(|file| Reread::File(at, file))
}

fn load_reusing(
    root: &Path,
    previous: Option<&SiteSource>,
    changed: &HashSet<PathBuf>,
    defer_articles: bool,
) -> Result<SiteSource, Diagnostics> {
    if !root.is_dir() {
        return Err(Diagnostic::error(
            root.display().to_string(),
            "the site root is not a directory",
        )
        .into());
    }
    let config_path = root.join(CONFIG_FILE);
    let config = std::fs::read(&config_path).map_err(|e| {
        Diagnostic::error(
            config_path.display().to_string(),
            format!("cannot read the site configuration: {e}"),
        )
    })?;
    let config = String::from_utf8(config)
        .map_err(|_| Diagnostic::error(CONFIG_FILE, "the file is not UTF-8"))?;
    let canonical_root = root.canonicalize().map_err(|e| {
        Diagnostic::error(
            root.display().to_string(),
            format!("cannot resolve the site root: {e}"),
        )
    })?;
    let mut diagnostics = Diagnostics::new();
    let mut paths = Vec::new();
    for folder in SITE_FOLDERS {
        walk(&canonical_root, folder, &mut paths, &mut diagnostics);
    }
    let known: BTreeMap<&str, &SourceFile> = previous
        .map(|p| p.files.iter().map(|f| (f.path.as_str(), f)).collect())
        .unwrap_or_default();
    let read: Vec<Result<SourceFile, Diagnostic>> = paths
        .par_iter()
        .map(|(rel, abs)| {
            if defer_articles && is_deferred(rel) {
                return Ok(SourceFile {
                    deferred: Some(abs.clone()),
                    ..SourceFile::new(rel.as_str(), Bytes::new())
                });
            }
            let reusable = known.get(rel.as_str()).filter(|_| !changed.contains(abs));
            read_file(rel, abs, reusable.copied())
        })
        .collect();
    let mut files = Vec::with_capacity(read.len());
    for r in read {
        match r {
            Ok(f) => files.push(f),
            Err(d) => diagnostics.push(d),
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(SiteSource {
        root: canonical_root,
        config: config_text(&config),
        files,
        diagnostics,
    })
}

/// Collects `(relative path, absolute path)` of the files under `root/folder`.
fn walk(root: &Path, folder: &str, out: &mut Vec<(String, PathBuf)>, diags: &mut Diagnostics) {
    let start = root.join(folder);
    if !start.exists() {
        return;
    }
    let mut escapes = Vec::new();
    let mut odd_names = Vec::new();
    let walker = WalkDir::new(&start)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let Some(name) = e.file_name().to_str() else {
                odd_names.push(e.path().to_path_buf());
                return false;
            };
            if e.depth() > 0 && is_editor_scratch(name) {
                return false;
            }
            if e.path_is_symlink() {
                let inside = e.path().canonicalize().is_ok_and(|p| p.starts_with(root));
                if !inside {
                    escapes.push(e.path().to_path_buf());
                    return false;
                }
            }
            true
        });
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                if let Some(rel) = relative(root, e.path()) {
                    if folder == "content" && is_misnamed_markdown(&rel) {
                        diags.push(Diagnostic::error(
                            rel,
                            "a Markdown file must end in `.md` (lowercase); rename it, or it would be published as it is, drafts included",
                        ));
                        continue;
                    }
                    out.push((rel, e.path().to_path_buf()));
                }
            }
            Ok(_) => {}
            Err(err) => {
                let path = err
                    .path()
                    .and_then(|p| relative(root, p))
                    .unwrap_or_else(|| folder.to_string());
                let message = if err.loop_ancestor().is_some() {
                    "symbolic link loop".to_string()
                } else {
                    format!("cannot read: {err}")
                };
                diags.push(Diagnostic::error(path, message));
            }
        }
    }
    for path in odd_names {
        diags.push(Diagnostic::error(
            escaped_path(path.strip_prefix(root).unwrap_or(&path)),
            "the name is not UTF-8 text: rename it",
        ));
    }
    for path in escapes {
        let rel = relative(root, &path).unwrap_or_else(|| path.display().to_string());
        diags.push(Diagnostic::error(
            rel,
            "symbolic link leads outside the site (or nowhere); it is not followed",
        ));
    }
}

/// Whether a file name is an editor's or a tool's scratch copy: hidden files,
/// swap and lock files, backups (`a.md~`, `#a.md#`, `a.md.bak`, `.orig`, `.rej`),
/// JetBrains' safe-write copies. They are never read, published or watched: a
/// backup of a draft would publish its text.
pub fn is_editor_scratch(name: &str) -> bool {
    const SUFFIXES: [&str; 14] = [
        "~",
        ".swp",
        ".swx",
        ".swo",
        ".swn",
        ".tmp",
        ".bak",
        ".orig",
        ".rej",
        ".kate-swp",
        ".crswap",
        "___jb_tmp___",
        "___jb_old___",
        "#",
    ];
    name.starts_with('.')
        || name.starts_with('#')
        || name == "4913"
        || SUFFIXES.iter().any(|s| name.ends_with(s))
}

/// A content file that looks like Markdown but is not named `.md`: `A.MD`,
/// `a.markdown`. Copied as it is, it would publish its source.
fn is_misnamed_markdown(rel: &str) -> bool {
    let lower = rel.to_ascii_lowercase();
    (lower.ends_with(".md") && !rel.ends_with(".md"))
        || [".markdown", ".mdown", ".mkd", ".mkdn", ".mdwn"]
            .iter()
            .any(|ext| lower.ends_with(ext))
}

/// A path that is not UTF-8, with each byte that is not valid UTF-8 written
/// `\xNN`, so that two such names never print alike.
fn escaped_path(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    path.as_os_str()
        .as_bytes()
        .utf8_chunks()
        .map(|chunk| {
            let bad: String = chunk
                .invalid()
                .iter()
                .map(|b| format!("\\x{b:02X}"))
                .collect();
            format!("{}{bad}", chunk.valid())
        })
        .collect()
}

fn relative(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(parts.join("/"))
}

fn read_file(
    rel: &str,
    abs: &Path,
    previous: Option<&SourceFile>,
) -> Result<SourceFile, Diagnostic> {
    let meta =
        std::fs::metadata(abs).map_err(|e| Diagnostic::error(rel, format!("cannot read: {e}")))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(Diagnostic::error(
            rel,
            format!("the file is {} bytes, over the 10 MiB limit", meta.len()),
        ));
    }
    let stamp = meta.modified().ok().map(|m| (meta.len(), m));
    if let Some(prev) = previous.filter(|p| stamp.is_some() && p.stamp == stamp) {
        return Ok(prev.clone());
    }
    let bytes =
        std::fs::read(abs).map_err(|e| Diagnostic::error(rel, format!("cannot read: {e}")))?;
    Ok(SourceFile {
        path: rel.to_string(),
        hash: content_hash(&bytes),
        bytes: bytes.into(),
        stamp,
        deferred: None,
    })
}
