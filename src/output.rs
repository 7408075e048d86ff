//! WRITE: the built site in memory, and its safe replacement of an output folder.
//!
//! `Output` is an ordered map from site-relative path to bytes: two builds of the
//! same input compare equal. `write` stages the whole site beside the target,
//! then swaps it in, so a failed build or a crash never leaves a half-written
//! folder. It refuses a non-empty folder without our marker, or one holding the
//! site itself, and deletes nothing it did not create; top-level entries whose
//! names begin with a dot (`.git`, `.well-known`) survive a rebuild.

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

    /// Every file, in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files.iter().map(|(p, b)| (p.as_str(), &b[..]))
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

/// Checks that `target` may be replaced by a build of the site at `root`.
pub fn check_target(target: &Path, root: &Path) -> Result<(), WriteError> {
    let refuse = |why: &str| {
        Err(WriteError::Refused(format!(
            "refusing to write to {}: {why}",
            target.display()
        )))
    };
    let abs_target = absolute(target);
    let abs_root = absolute(root);
    if abs_root.starts_with(&abs_target) {
        return refuse("it contains the site itself");
    }
    for folder in crate::source::SITE_FOLDERS {
        if abs_target.starts_with(abs_root.join(folder)) {
            return refuse(&format!("it is inside the site's `{folder}/` folder"));
        }
    }
    if abs_target == abs_root.join(crate::config::CONFIG_FILE) {
        return refuse("it is the site configuration");
    }
    match fs::symlink_metadata(target) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(WriteError::Io(target.to_path_buf(), e)),
        Ok(meta) if !meta.is_dir() => refuse("it exists and is not a directory"),
        Ok(_) => {
            let has_marker = target.join(MARKER).is_file();
            let empty = fs::read_dir(target)
                .map_err(|e| WriteError::Io(target.to_path_buf(), e))?
                .next()
                .is_none();
            if has_marker || empty {
                Ok(())
            } else {
                refuse(&format!(
                    "it is not empty and has no `{MARKER}` file, so it does not look like a previous dealwire build"
                ))
            }
        }
    }
}

/// Writes `output` to `target`: stage beside it, then swap. See the module doc.
pub fn write(output: &Output, target: &Path, root: &Path) -> Result<(), WriteError> {
    check_target(target, root)?;
    let target = absolute(target);
    let parent = target
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    let io_err = |p: &Path| {
        let p = p.to_path_buf();
        move |e| WriteError::Io(p, e)
    };
    fs::create_dir_all(&parent).map_err(io_err(&parent))?;
    let pid = std::process::id();
    let staging = parent.join(format!(".{name}.dealwire-staging-{pid}"));
    let old = parent.join(format!(".{name}.dealwire-old-{pid}"));
    // Leftovers of an interrupted run of ours carry our marker names; clear them.
    for leftover in [&staging, &old] {
        if leftover.exists() {
            fs::remove_dir_all(leftover).map_err(io_err(leftover))?;
        }
    }
    if let Err(e) = stage(output, &staging) {
        let _ = fs::remove_dir_all(&staging);
        return Err(e);
    }
    if target.exists() {
        // Keep the previous output's top-level dot entries (`.git`, `.well-known`).
        for entry in fs::read_dir(&target).map_err(io_err(&target))? {
            let entry = entry.map_err(io_err(&target))?;
            let file_name = entry.file_name();
            let keep = file_name.to_string_lossy().starts_with('.') && file_name != MARKER;
            if keep && !staging.join(&file_name).exists() {
                fs::rename(entry.path(), staging.join(&file_name))
                    .map_err(io_err(&entry.path()))?;
            }
        }
        fs::rename(&target, &old).map_err(io_err(&target))?;
        if let Err(e) = fs::rename(&staging, &target) {
            let _ = fs::rename(&old, &target);
            return Err(WriteError::Io(target, e));
        }
        remove_parallel(&old).map_err(io_err(&old))?;
    } else {
        fs::rename(&staging, &target).map_err(io_err(&target))?;
    }
    Ok(())
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
        if p.is_dir() {
            fs::remove_dir_all(p)
        } else {
            fs::remove_file(p)
        }
    })?;
    fs::remove_dir_all(dir)
}

fn stage(output: &Output, staging: &Path) -> Result<(), WriteError> {
    use rayon::prelude::*;
    fs::create_dir_all(staging).map_err(|e| WriteError::Io(staging.to_path_buf(), e))?;
    let dirs: std::collections::BTreeSet<PathBuf> = output
        .iter()
        .filter_map(|(p, _)| Path::new(p).parent().map(|d| staging.join(d)))
        .collect();
    for d in &dirs {
        fs::create_dir_all(d).map_err(|e| WriteError::Io(d.clone(), e))?;
    }
    let files: Vec<(&str, &[u8])> = output.iter().collect();
    files.par_iter().try_for_each(|(p, bytes)| {
        let path = staging.join(p);
        fs::write(&path, bytes).map_err(|e| WriteError::Io(path, e))
    })?;
    fs::write(
        staging.join(MARKER),
        b"This folder is a dealwire build output; dealwire replaces it whole.\n",
    )
    .map_err(|e| WriteError::Io(staging.join(MARKER), e))
}

/// An absolute, lexically normalised path (the target may not exist yet).
fn absolute(path: &Path) -> PathBuf {
    let base = if path.is_absolute() {
        PathBuf::new()
    } else {
        std::env::current_dir().unwrap_or_default()
    };
    let mut out = PathBuf::new();
    for c in base.join(path).components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    // Resolve symlinks in the part that exists, so `/tmp/link/x` compares right.
    let mut existing = out.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match existing.file_name() {
            Some(n) => rest.push(n.to_os_string()),
            None => break,
        }
        existing.pop();
    }
    let mut resolved = existing.canonicalize().unwrap_or(existing);
    for n in rest.into_iter().rev() {
        resolved.push(n);
    }
    resolved
}
