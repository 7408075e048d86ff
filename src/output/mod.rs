//! WRITE: the built site in memory, and its safe replacement of an output folder.
//!
//! `Output` is an ordered map from site-relative path to bytes: two builds of the
//! same input compare equal. `write` stages the whole site beside the target,
//! then swaps it in, so a failed build or a crash never leaves a half-written
//! folder. It refuses a non-empty folder without our marker, or one holding the
//! site itself, and deletes nothing it did not create; top-level entries whose
//! names begin with a dot (`.git`, `.well-known`) survive a rebuild, and a file
//! whose bytes did not change keeps its modification time.
//!
//! Every decision is made on the *resolved* target: the longest part of the path
//! that exists, canonicalised by the file system (so symlinks and `..` mean what
//! they mean on disk), plus the components that do not exist yet, where `..` is
//! refused. The path that is checked is the path that is swapped. A lock file
//! beside the target keeps two builds from staging or swapping at once, and under
//! it what interrupted builds left is completed or removed (`staging`: the swap,
//! its manifest of the files dealwire wrote, and its recovery from a kill).

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use bytes::Bytes;

#[doc(hidden)]
pub mod drill;
mod staging;

#[doc(hidden)]
pub use staging::recover_killed_before;
pub use staging::{DISK_FULL, Staging, is_disk_full, write};

/// The file dealwire writes into every output folder it makes.
pub const MARKER: &str = ".dealwire-output";

/// A built site: site-relative path (`articles/x/index.html`) → bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Output {
    files: BTreeMap<String, Bytes>,
}

impl Output {
    /// An empty output.
    pub fn new() -> Self {
        Output::default()
    }

    /// Adds or replaces a file.
    /// A `Vec<u8>` or `String` moves in without a copy.
    pub fn insert(&mut self, path: impl Into<String>, bytes: impl Into<Bytes>) {
        self.files.insert(path.into(), bytes.into());
    }

    /// Moves every file of `other` in, replacing files at the same paths.
    pub fn extend(&mut self, other: Output) {
        self.files.extend(other.files);
    }

    /// Whether a path is taken.
    pub fn contains(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    /// A file's bytes as a shared buffer (cloning it does not copy).
    pub fn shared(&self, path: &str) -> Option<Bytes> {
        self.files.get(path).cloned()
    }

    /// Paths whose bytes differ between two outputs, or that only one has.
    pub fn changed_paths(&self, newer: &Output) -> Vec<String> {
        let mut changed: Vec<String> = newer
            .files
            .iter()
            .filter(|(p, b)| !self.files.get(*p).is_some_and(|old| same_bytes(old, b)))
            .map(|(p, _)| p.clone())
            .collect();
        changed.extend(
            self.files
                .keys()
                .filter(|p| !newer.files.contains_key(*p))
                .cloned(),
        );
        changed.sort();
        changed
    }

    /// Paths that are a file and also the folder of another file (`deals` and
    /// `deals/index.html`): no file system can hold both. Each pair is (the
    /// file, the first file under it).
    pub fn conflicts(&self) -> Vec<(&str, &str)> {
        self.files
            .keys()
            .filter_map(|file| {
                let folder = format!("{file}/");
                self.files
                    .range(folder.clone()..)
                    .next()
                    .filter(|(inner, _)| inner.starts_with(&folder))
                    .map(|(inner, _)| (file.as_str(), inner.as_str()))
            })
            .collect()
    }

    /// Whether `rel` is the folder of a file of the output, or has a file of
    /// the output among its folders: the clash `conflicts` reports, for one path.
    pub fn clashes(&self, rel: &str) -> bool {
        self.clash_with(rel).is_some()
    }

    /// The file of the output that `rel` clashes with (see `clashes`): a file
    /// under the folder `rel`, or a file that is one of `rel`'s folders.
    pub fn clash_with(&self, rel: &str) -> Option<&str> {
        let folder = format!("{rel}/");
        let inner = self
            .files
            .range(folder.clone()..)
            .next()
            .filter(|(p, _)| p.starts_with(&folder))
            .map(|(p, _)| p.as_str());
        inner.or_else(|| {
            rel.match_indices('/')
                .map(|(at, _)| &rel[..at])
                .find(|outer| self.files.contains_key(*outer))
                .and_then(|outer| self.files.get_key_value(outer).map(|(k, _)| k.as_str()))
        })
    }

    /// Every file, in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files.iter().map(|(p, b)| (p.as_str(), &b[..]))
    }

    /// Every file with its shared buffer, in path order.
    pub fn into_files(self) -> impl Iterator<Item = (String, Bytes)> {
        self.files.into_iter()
    }

    /// How many files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether there are no files.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// Equal contents; shared buffers (a reused page) compare without a scan.
fn same_bytes(a: &Bytes, b: &Bytes) -> bool {
    (a.as_ptr() == b.as_ptr() && a.len() == b.len()) || a == b
}

/// Why an output folder was not written.
#[derive(Debug)]
pub enum WriteError {
    /// The folder is not ours to replace; the message says why. Nothing was touched.
    Refused(String),
    /// The file system failed.
    Io(PathBuf, io::Error),
    /// The disk is full: the build stops writing and says so once
    /// (`Staging::full`).
    Full,
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::Refused(m) => f.write_str(m),
            WriteError::Io(p, e) => write!(f, "{}: {e}", p.display()),
            WriteError::Full => f.write_str(DISK_FULL),
        }
    }
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |e| WriteError::Io(path.to_path_buf(), e)
}

/// The target as the file system sees it: the longest existing part of the
/// path, canonicalised, then the components that do not exist yet. A `..` (or
/// any component but a plain name) among those is refused: it would mean one
/// folder to a lexical check and another to the file system.
pub fn resolve_target(target: &Path) -> Result<PathBuf, WriteError> {
    let refuse = |why: String| {
        WriteError::Refused(format!("refusing to write to {}: {why}", target.display()))
    };
    let absolute = if target.is_absolute() {
        target.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(io_error(Path::new(".")))?
            .join(target)
    };
    let mut existing = PathBuf::new();
    let mut rest: Vec<&std::ffi::OsStr> = Vec::new();
    for component in absolute.components() {
        use std::path::Component;
        if !rest.is_empty() {
            match component {
                Component::Normal(name) => rest.push(name),
                Component::CurDir => {}
                _ => {
                    return Err(refuse(format!(
                        "`..` follows `{}`, which does not exist; write the path without `..`",
                        existing.join(rest.iter().collect::<PathBuf>()).display()
                    )));
                }
            }
            continue;
        }
        let next = existing.join(component.as_os_str());
        match (component, fs::symlink_metadata(&next)) {
            (Component::Normal(name), Err(e)) if e.kind() == io::ErrorKind::NotFound => {
                rest.push(name)
            }
            (_, Err(e)) => return Err(WriteError::Io(next, e)),
            (_, Ok(_)) => {
                // Canonicalise step by step: a symlink's `..` is its target's parent.
                existing = next.canonicalize().map_err(io_error(&next))?;
            }
        }
    }
    Ok(rest.iter().fold(existing, |path, name| path.join(name)))
}

/// Where a build puts its files: kept in memory (`serve`, tests), or written
/// into a `Staging` folder as they are made (`build`), so that the build holds
/// their paths only. Later files replace earlier ones at the same path.
pub struct Sink<'a> {
    files: std::sync::Mutex<Output>,
    /// The paths of pages (not copied files): two pages at one path is an error.
    pages: std::sync::Mutex<std::collections::HashSet<String>>,
    folder: Option<&'a Staging>,
    keep_bytes: bool,
    /// Whether a build into the folder uses the caches of `.dealwire-cache/`
    /// (`dealwire build --no-cache` does not).
    caches: bool,
    /// The build cache, when one is used.
    build_cache: Option<std::sync::Arc<crate::build_cache::BuildCache>>,
}

impl<'a> Sink<'a> {
    /// A sink that keeps every file in memory.
    pub fn memory() -> Sink<'static> {
        Sink {
            files: Default::default(),
            pages: Default::default(),
            folder: None,
            keep_bytes: true,
            caches: false,
            build_cache: None,
        }
    }

    /// A sink that keeps the paths only (`dealwire check`: nothing is written).
    pub fn paths() -> Sink<'static> {
        Sink {
            files: Default::default(),
            pages: Default::default(),
            folder: None,
            keep_bytes: false,
            caches: false,
            build_cache: None,
        }
    }

    /// Whether the sink keeps neither files nor bytes (`Sink::paths`).
    pub fn paths_only(&self) -> bool {
        self.folder.is_none() && !self.keep_bytes
    }

    /// A sink that writes every file into `staging` at once, using the
    /// image cache.
    pub fn folder(staging: &'a Staging) -> Sink<'a> {
        Sink {
            files: Default::default(),
            pages: Default::default(),
            folder: Some(staging),
            keep_bytes: false,
            caches: true,
            build_cache: None,
        }
    }

    /// The sink, using `cache` too: a whole build then takes from it the
    /// bodies and pages an earlier build made from the same inputs.
    pub fn with_build_cache(
        self,
        cache: Option<std::sync::Arc<crate::build_cache::BuildCache>>,
    ) -> Sink<'a> {
        Sink {
            build_cache: cache.filter(|_| self.caches),
            ..self
        }
    }

    /// The sink, using no cache at all, the image cache included
    /// (`dealwire build --no-cache`).
    pub fn without_caches(self) -> Sink<'a> {
        Sink {
            caches: false,
            build_cache: None,
            ..self
        }
    }

    /// Whether the build uses the caches of `.dealwire-cache/`.
    pub fn caches(&self) -> bool {
        self.caches
    }

    /// The build cache, when the build uses one.
    pub fn build_cache(&self) -> Option<&crate::build_cache::BuildCache> {
        self.build_cache.as_deref()
    }

    /// Whether the files' bytes are kept (a memory sink).
    pub fn keeps_bytes(&self) -> bool {
        self.keep_bytes
    }

    /// The staging folder, when files go to disk.
    pub fn staging(&self) -> Option<&'a Staging> {
        self.folder
    }

    /// Takes one file. Written to disk, only its path is kept.
    pub fn put(&self, rel: impl Into<String>, bytes: impl Into<Bytes>) -> Result<(), WriteError> {
        let (rel, mut bytes) = (rel.into(), bytes.into());
        if let Some(staging) = self.folder {
            // A file where a folder of the site goes, or the reverse, cannot
            // be written; the build reports the clash, naming its source,
            // once every path is known (`conflicts`).
            if let Err(e) = staging.put(&rel, &bytes)
                && !self.lock().clashes(&rel)
            {
                return Err(e);
            }
        }
        if !self.keep_bytes {
            bytes = Bytes::new();
        }
        self.lock().insert(rel, bytes);
        Ok(())
    }

    /// Takes one file that is already on disk, a cached image's variant:
    /// hard-linked into the staging folder when it can be, else read (and
    /// checked against the cache's record) and `put` as bytes.
    pub fn put_file(
        &self,
        rel: impl Into<String>,
        stored: &crate::images::Stored,
    ) -> Result<(), WriteError> {
        self.put_linked(rel.into(), &stored.path, || {
            if self.paths_only() {
                return Ok(Bytes::new());
            }
            stored
                .read()
                .map_err(|e| WriteError::Io(stored.path.clone(), e))
        })
    }

    /// Takes the file at `from` as `rel`: hard-linked into the staging
    /// folder when it can be, else `put` with the `bytes` it gives.
    fn put_linked(
        &self,
        rel: String,
        from: &Path,
        bytes: impl FnOnce() -> Result<Bytes, WriteError>,
    ) -> Result<(), WriteError> {
        if let Some(staging) = self.folder {
            match staging.put_link(&rel, from) {
                Ok(true) => {
                    self.lock().insert(rel, Bytes::new());
                    return Ok(());
                }
                Ok(false) => {}
                // As in `put`: a clash is reported once every path is known.
                Err(e) if !self.lock().clashes(&rel) => return Err(e),
                Err(_) => {
                    self.lock().insert(rel, Bytes::new());
                    return Ok(());
                }
            }
        }
        self.put(rel, bytes()?)
    }

    /// Takes one rendered page: `put`, refusing a second page at the same
    /// path (a party or tag whose slug is a year's or another page's) rather
    /// than letting one silently replace the other.
    pub fn put_page(&self, rel: String, bytes: Bytes) -> Result<(), WriteError> {
        self.first_page(&rel)?;
        self.put(rel, bytes)
    }

    /// Takes one page kept in the build cache at `entry`: hard-linked into
    /// the staging folder when it can be, else written from `bytes` (or
    /// from the entry read back). As `put_page`, a second page at one path
    /// is refused.
    pub fn put_cached_page(
        &self,
        rel: String,
        entry: &Path,
        bytes: Option<Bytes>,
    ) -> Result<(), WriteError> {
        self.first_page(&rel)?;
        self.put_linked(rel, entry, || match bytes {
            Some(bytes) => Ok(bytes),
            None => fs::read(entry)
                .map(Bytes::from)
                .map_err(|e| WriteError::Io(entry.to_path_buf(), e)),
        })
    }

    /// Refuses a second page at `rel`.
    fn first_page(&self, rel: &str) -> Result<(), WriteError> {
        let first = self
            .pages
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(rel.to_string());
        if !first {
            return Err(WriteError::Refused(format!(
                "two pages are made for `{rel}` (a party, tag or author named like another page, such as a year?): rename one"
            )));
        }
        Ok(())
    }

    /// Whether a path is taken.
    pub fn contains(&self, rel: &str) -> bool {
        self.lock().contains(rel)
    }

    /// The file taken that `rel` cannot sit beside (`Output::clash_with`).
    pub fn clash_with(&self, rel: &str) -> Option<String> {
        self.lock().clash_with(rel).map(str::to_string)
    }

    /// Paths that are a file and also a folder (see `Output::conflicts`).
    pub fn conflicts(&self) -> Vec<(String, String)> {
        let files = self.lock();
        files
            .conflicts()
            .into_iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    /// Every file taken: with its bytes for a memory sink; otherwise the
    /// paths with empty bytes (written to disk, or not wanted).
    pub fn into_output(self) -> Output {
        self.files.into_inner().unwrap_or_else(|e| e.into_inner())
    }

    /// `into_output`, with the paths that were put as pages.
    pub fn into_parts(self) -> (Output, std::collections::HashSet<String>) {
        let Sink { files, pages, .. } = self;
        (
            files.into_inner().unwrap_or_else(|e| e.into_inner()),
            pages.into_inner().unwrap_or_else(|e| e.into_inner()),
        )
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Output> {
        self.files.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_dot_dot_only_where_the_path_exists() {
        let tmp = tempfile::tempdir().expect("tmp");
        let base = tmp.path().canonicalize().expect("canon");
        fs::create_dir_all(base.join("p")).expect("mkdir");
        assert_eq!(
            resolve_target(&base.join("p/../q")).expect("ok"),
            base.join("q")
        );
        let e = resolve_target(&base.join("p/nope/..")).expect_err("refused");
        assert!(e.to_string().contains("`..` follows"), "{e}");
    }

    #[test]
    fn resolves_through_symlinks_as_the_file_system_does() {
        let tmp = tempfile::tempdir().expect("tmp");
        let base = tmp.path().canonicalize().expect("canon");
        fs::create_dir_all(base.join("releases/r1")).expect("mkdir");
        fs::create_dir_all(base.join("releases/shared")).expect("mkdir");
        std::os::unix::fs::symlink(base.join("releases/r1"), base.join("current")).expect("link");
        assert_eq!(
            resolve_target(&base.join("current/../shared/uploads")).expect("ok"),
            base.join("releases/shared/uploads")
        );
    }
}
