//! WRITE: the built site in memory, and its safe replacement of an output folder.
//!
//! `Output` is an ordered map from site-relative path to bytes: two builds of the
//! same input compare equal. `write` stages the whole site beside the target,
//! then swaps it in, so a failed build or a crash never leaves a half-written
//! folder. It refuses a non-empty folder without our marker, or one holding the
//! site itself, and deletes nothing it did not create; top-level entries whose
//! names begin with a dot (`.git`, `.well-known`) survive a rebuild.
//!
//! Every decision is made on the *resolved* target: the longest part of the path
//! that exists, canonicalised by the file system (so symlinks and `..` mean what
//! they mean on disk), plus the components that do not exist yet, where `..` is
//! refused. The path that is checked is the path that is swapped. A lock file
//! beside the target keeps two builds from staging or swapping at once, and under
//! it the leftovers of interrupted builds (which carry our marker) are removed.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use bytes::Bytes;

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
        let folder = format!("{rel}/");
        self.files
            .range(folder.clone()..)
            .next()
            .is_some_and(|(p, _)| p.starts_with(&folder))
            || rel
                .match_indices('/')
                .any(|(at, _)| self.files.contains_key(&rel[..at]))
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
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::Refused(m) => f.write_str(m),
            WriteError::Io(p, e) => write!(f, "{}: {e}", p.display()),
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

/// Checks that the resolved `target` may be replaced by a build of the site at
/// the canonical `root`.
fn check_target(target: &Path, root: &Path) -> Result<(), WriteError> {
    let refuse = |why: &str| {
        Err(WriteError::Refused(format!(
            "refusing to write to {}: {why}",
            target.display()
        )))
    };
    if target.parent().is_none() || root.starts_with(target) {
        return refuse("it contains the site itself");
    }
    for folder in crate::source::SITE_FOLDERS {
        if target.starts_with(root.join(folder)) {
            return refuse(&format!("it is inside the site's `{folder}/` folder"));
        }
    }
    if target == root.join(crate::config::CONFIG_FILE) {
        return refuse("it is the site configuration");
    }
    match fs::symlink_metadata(target) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(WriteError::Io(target.to_path_buf(), e)),
        Ok(meta) if !meta.is_dir() => refuse("it exists and is not a directory"),
        Ok(_) => {
            let empty = fs::read_dir(target)
                .map_err(io_error(target))?
                .next()
                .is_none();
            if empty || is_ours(target) {
                Ok(())
            } else {
                refuse(&format!(
                    "it is not empty and has no `{MARKER}` file, so it does not look like a previous dealwire build"
                ))
            }
        }
    }
}

/// Whether a folder carries our marker (as a plain file, not a link).
fn is_ours(dir: &Path) -> bool {
    fs::symlink_metadata(dir.join(MARKER)).is_ok_and(|m| m.is_file())
}

/// Writes `output` to `target` for the site at the canonical `root`: resolve,
/// check, lock, stage beside the target, swap. See the module doc.
pub fn write(output: &Output, target: &Path, root: &Path) -> Result<(), WriteError> {
    let staging = Staging::begin(target, root)?;
    stage(output, &staging.path)?;
    staging.finish()
}

/// A folder being filled beside the target, under the target's lock. `finish`
/// swaps it in; dropped unfinished (a failed build), it is removed and the
/// target is left as it was.
pub struct Staging {
    target: PathBuf,
    path: PathBuf,
    old: PathBuf,
    scratch: PathBuf,
    done: bool,
    _lock: Lock,
}

impl Staging {
    /// Resolves and checks `target` for the site at the canonical `root`, takes
    /// its lock, removes leftovers of interrupted builds and makes the staging
    /// folder with our marker.
    pub fn begin(target: &Path, root: &Path) -> Result<Staging, WriteError> {
        let target = resolve_target(target)?;
        check_target(&target, root)?;
        let (Some(parent), Some(name)) = (target.parent(), target.file_name()) else {
            unreachable!("check_target refuses a path without a parent");
        };
        let name = name.to_string_lossy().into_owned();
        fs::create_dir_all(parent).map_err(io_error(parent))?;
        let lock = Lock::take(parent.join(format!(".{name}.dealwire-lock")), &target)?;
        // Checked again under the lock: another build may have changed it meanwhile.
        check_target(&target, root)?;
        remove_leftovers(parent, &name)?;
        let pid = std::process::id();
        let path = parent.join(format!(".{name}.dealwire-staging-{pid}"));
        fs::create_dir(&path).map_err(io_error(&path))?;
        let staging = Staging {
            old: parent.join(format!(".{name}.dealwire-old-{pid}")),
            scratch: parent.join(format!(".{name}.dealwire-scratch-{pid}")),
            target,
            path,
            done: false,
            _lock: lock,
        };
        let marker = staging.path.join(MARKER);
        fs::write(
            &marker,
            b"This folder is a dealwire build output; dealwire replaces it whole.\n",
        )
        .map_err(io_error(&marker))?;
        Ok(staging)
    }

    /// The resolved target.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// A scratch file beside the target for data too large to hold in memory
    /// between stages: already unlinked, so it vanishes with its handle, even
    /// if the build is killed.
    pub fn scratch(&self) -> Result<fs::File, WriteError> {
        let file = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&self.scratch)
            .map_err(io_error(&self.scratch))?;
        fs::remove_file(&self.scratch).map_err(io_error(&self.scratch))?;
        Ok(file)
    }

    /// Writes one file of the site (its folders made as needed).
    pub fn put(&self, rel: &str, bytes: &[u8]) -> Result<(), WriteError> {
        let path = self.path.join(rel);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(io_error(dir))?;
        }
        fs::write(&path, bytes).map_err(|e| WriteError::Io(path, e))
    }

    /// Swaps the staged site in place of the target.
    pub fn finish(mut self) -> Result<(), WriteError> {
        self.done = true;
        let swapped = swap(&self.path, &self.target, &self.old);
        if swapped.is_err() && self.path.exists() {
            let _ = remove_ours(&self.path);
        }
        swapped
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.done {
            let _ = remove_ours(&self.path);
        }
    }
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
}

impl<'a> Sink<'a> {
    /// A sink that keeps every file in memory.
    pub fn memory() -> Sink<'static> {
        Sink {
            files: Default::default(),
            pages: Default::default(),
            folder: None,
            keep_bytes: true,
        }
    }

    /// A sink that keeps the paths only (`dealwire check`: nothing is written).
    pub fn paths() -> Sink<'static> {
        Sink {
            files: Default::default(),
            pages: Default::default(),
            folder: None,
            keep_bytes: false,
        }
    }

    /// Whether the sink keeps neither files nor bytes (`Sink::paths`).
    pub fn paths_only(&self) -> bool {
        self.folder.is_none() && !self.keep_bytes
    }

    /// A sink that writes every file into `staging` at once.
    pub fn folder(staging: &'a Staging) -> Sink<'a> {
        Sink {
            files: Default::default(),
            pages: Default::default(),
            folder: Some(staging),
            keep_bytes: false,
        }
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

    /// Takes one rendered page: `put`, refusing a second page at the same
    /// path (a party or tag whose slug is a year's or another page's) rather
    /// than letting one silently replace the other.
    pub fn put_page(&self, rel: String, bytes: Bytes) -> Result<(), WriteError> {
        let first = self
            .pages
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(rel.clone());
        if !first {
            return Err(WriteError::Refused(format!(
                "two pages are made for `{rel}` (a party, tag or author named like another page, such as a year?): rename one"
            )));
        }
        self.put(rel, bytes)
    }

    /// Whether a path is taken.
    pub fn contains(&self, rel: &str) -> bool {
        self.lock().contains(rel)
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

/// The lock a build holds on its target while it stages and swaps: a file
/// beside the target, locked, and removed when the build is done (so nothing
/// is left in the user's folder). A build that finds it locked refuses at once.
struct Lock {
    path: PathBuf,
    _file: fs::File,
}

impl Lock {
    fn take(path: PathBuf, target: &Path) -> Result<Lock, WriteError> {
        let busy = || {
            WriteError::Refused(format!(
                "refusing to write to {}: another dealwire build is writing it (lock {})",
                target.display(),
                path.display()
            ))
        };
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io_error(&path))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => return Err(busy()),
            Err(fs::TryLockError::Error(e)) => return Err(WriteError::Io(path, e)),
        }
        // The file may have been removed by the build that held it just before
        // we locked: then our lock guards nothing, and another build may hold a
        // new file. Only the lock on the file still at the path counts.
        use std::os::unix::fs::MetadataExt;
        let ours = file.metadata().map_err(io_error(&path))?;
        match fs::metadata(&path) {
            Ok(now) if now.ino() == ours.ino() && now.dev() == ours.dev() => {
                Ok(Lock { path, _file: file })
            }
            _ => Err(busy()),
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still locked; the lock goes with the file handle after.
        let _ = fs::remove_file(&self.path);
    }
}

/// Removes the staging and old folders that interrupted builds left beside
/// `name`, whatever their process id, when they carry our marker, and a
/// scratch file that a build killed between making and unlinking it left.
fn remove_leftovers(parent: &Path, name: &str) -> Result<(), WriteError> {
    let prefixes = [
        format!(".{name}.dealwire-staging-"),
        format!(".{name}.dealwire-old-"),
        format!(".{name}.dealwire-scratch-"),
    ];
    for entry in fs::read_dir(parent).map_err(io_error(parent))? {
        let entry = entry.map_err(io_error(parent))?;
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let ours = prefixes.iter().any(|p| {
            file_name
                .strip_prefix(p.as_str())
                .is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
        });
        match entry.file_type() {
            Ok(t) if ours && t.is_dir() => remove_ours(&entry.path())?,
            Ok(t) if ours && t.is_file() && file_name.contains(".dealwire-scratch-") => {
                fs::remove_file(entry.path()).map_err(io_error(&entry.path()))?
            }
            _ => {}
        }
    }
    Ok(())
}

/// Removes a folder only if it carries our marker.
fn remove_ours(dir: &Path) -> Result<(), WriteError> {
    if is_ours(dir) {
        remove_parallel(dir).map_err(io_error(dir))?;
    }
    Ok(())
}

/// Puts `staging` in place of `target`; the previous output moves to `old`, its
/// top-level dot entries move into the new output, then `old` is removed. If a
/// dot entry cannot move, `old` stays (nothing of the user's is ever deleted)
/// and the error names it.
fn swap(staging: &Path, target: &Path, old: &Path) -> Result<(), WriteError> {
    if fs::symlink_metadata(target).is_err() {
        return fs::rename(staging, target).map_err(io_error(target));
    }
    fs::rename(target, old).map_err(io_error(target))?;
    if let Err(e) = fs::rename(staging, target) {
        let _ = fs::rename(old, target);
        return Err(WriteError::Io(target.to_path_buf(), e));
    }
    let mut kept_all = true;
    for entry in fs::read_dir(old).map_err(io_error(old))? {
        let entry = entry.map_err(io_error(old))?;
        let file_name = entry.file_name();
        let dotted = file_name.to_string_lossy().starts_with('.') && file_name != MARKER;
        if dotted
            && (fs::symlink_metadata(target.join(&file_name)).is_ok()
                || fs::rename(entry.path(), target.join(&file_name)).is_err())
        {
            kept_all = false;
        }
    }
    if !kept_all {
        return Err(WriteError::Refused(format!(
            "the site was written to {}, but some of the previous output's dot entries could not be moved into it; they are kept in {}",
            target.display(),
            old.display()
        )));
    }
    remove_parallel(old).map_err(io_error(old))
}

/// Removes a previous output (ours: it had the marker) using every core: its
/// subfolders, and their subfolders, go in parallel.
fn remove_parallel(dir: &Path) -> io::Result<()> {
    use rayon::prelude::*;
    let mut jobs = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            for inner in fs::read_dir(entry.path())? {
                jobs.push(inner?.path());
            }
        }
    }
    jobs.par_iter().try_for_each(|p| {
        if fs::symlink_metadata(p)?.is_dir() {
            fs::remove_dir_all(p)
        } else {
            fs::remove_file(p)
        }
    })?;
    fs::remove_dir_all(dir)
}

/// Writes every file under `staging` (made, with its marker, by `Staging::begin`).
fn stage(output: &Output, staging: &Path) -> Result<(), WriteError> {
    use rayon::prelude::*;
    let dirs: std::collections::BTreeSet<PathBuf> = output
        .iter()
        .filter_map(|(p, _)| Path::new(p).parent().map(|d| staging.join(d)))
        .collect();
    for d in &dirs {
        fs::create_dir_all(d).map_err(io_error(d))?;
    }
    let files: Vec<(&str, &[u8])> = output.iter().collect();
    files.par_iter().try_for_each(|(p, bytes)| {
        let path = staging.join(p);
        fs::write(&path, bytes).map_err(|e| WriteError::Io(path, e))
    })
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

    #[test]
    fn a_dot_entry_that_cannot_move_keeps_the_old_output() {
        let tmp = tempfile::tempdir().expect("tmp");
        let base = tmp.path();
        let (target, staging, old) = (base.join("public"), base.join("stage"), base.join("old"));
        fs::create_dir_all(target.join(".git")).expect("mkdir");
        fs::write(target.join(".git/HEAD"), "ref").expect("write");
        fs::write(target.join(MARKER), "").expect("write");
        // The new output already has an entry of that name: `.git` cannot move.
        fs::create_dir_all(staging.join(".git")).expect("mkdir");
        fs::write(staging.join("index.html"), "new").expect("write");
        let e = swap(&staging, &target, &old).expect_err("reported");
        assert!(e.to_string().contains("kept in"), "{e}");
        assert_eq!(
            fs::read_to_string(old.join(".git/HEAD")).expect("kept"),
            "ref"
        );
        assert_eq!(
            fs::read_to_string(target.join("index.html")).expect("new"),
            "new"
        );
    }
}
