//! The swap: a new output staged beside the target and put in its place so
//! that no kill, at any point, loses a file dealwire did not write, and a
//! rebuild leaves unchanged files untouched.
//!
//! The marker file of every output lists the files dealwire wrote there (the
//! *manifest*). `Staging::begin`, under the target's lock, first finishes or
//! undoes what an interrupted build left (`recover`), then surveys the
//! previous output: a file it does not list is not ours, and the build is
//! refused rather than delete it; top-level entries whose names begin with a
//! dot (`.git`, `.well-known`) are the user's and are kept. Each staged file
//! whose bytes equal the previous output's file at its path is hard-linked
//! from it (same inode, same modification time) instead of written.
//!
//! `finish` then moves, one rename at a time:
//!
//! 1. each kept dot entry from the target into the staging folder;
//! 2. the target to `.NAME.dealwire-old-PID`;
//! 3. the staging folder to the target;
//! 4. and removes, from the old folder, the files its manifest lists.
//!
//! A kill between any two steps leaves a state `recover` completes: with the
//! target missing, the old folder goes back in its place; dot entries found in
//! a staging folder go back into the target; an old folder loses only the files
//! it lists, and stays (with a warning) while it holds anything else.

use std::collections::HashSet;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use super::{MARKER, WriteError, io_error, resolve_target};

/// The marker's text before its list of files.
const MARKER_HEAD: &str = "This folder is a dealwire build output; dealwire replaces it whole.\n\
It lists below every file dealwire wrote here, one per line; anything else is kept or refused.\n";

/// The line after which the manifest's paths follow.
const FILES_LINE: &str = "files:";

/// What a full disk reports, once for the whole build (`Staging::full`).
pub const DISK_FULL: &str = "no space left on the device";

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
    // The cache folder too: the build writes and sweeps it while it runs.
    let folders = crate::source::SITE_FOLDERS
        .iter()
        .chain(std::iter::once(&crate::images::CACHE_DIR));
    for folder in folders {
        if target.starts_with(root.join(folder)) {
            return refuse(&format!("it is inside the site's `{folder}/` folder"));
        }
    }
    if target == root.join(crate::config::CONFIG_FILE) {
        return refuse("it is the site configuration");
    }
    for outer in target.ancestors().skip(1) {
        if is_ours(outer) {
            return refuse(&format!(
                "it is inside {}, the output of a dealwire build, which its next build replaces whole",
                outer.display()
            ));
        }
        if let Some(lock) = lock_path(outer)
            && is_locked(&lock)
        {
            return refuse(&format!(
                "it is inside {}, which another dealwire build is writing now",
                outer.display()
            ));
        }
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

/// The lock file of a build into `dir`: `.NAME.dealwire-lock` beside it.
fn lock_path(dir: &Path) -> Option<PathBuf> {
    let (parent, name) = (dir.parent()?, dir.file_name()?);
    Some(parent.join(format!(".{}.dealwire-lock", name.to_string_lossy())))
}

/// Whether a lock file exists and a running build holds it.
fn is_locked(lock: &Path) -> bool {
    let Ok(file) = fs::OpenOptions::new().write(true).open(lock) else {
        return false;
    };
    match file.try_lock() {
        Err(fs::TryLockError::WouldBlock) => true,
        // Released at once, explicitly: a child process forked meanwhile
        // shares the open file, and would otherwise keep it locked.
        Ok(()) => {
            let _ = file.unlock();
            false
        }
        Err(_) => false,
    }
}

/// Writes `output` to `target` for the site at the canonical `root`: resolve,
/// check, lock, recover, stage beside the target, swap. See the module doc.
pub fn write(output: &super::Output, target: &Path, root: &Path) -> Result<(), WriteError> {
    use rayon::prelude::*;
    let staging = Staging::begin(target, root)?;
    let files: Vec<(&str, &[u8])> = output.iter().collect();
    files
        .par_iter()
        .try_for_each(|(rel, bytes)| staging.put(rel, bytes))?;
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
    previous: Previous,
    manifest: Mutex<io::BufWriter<fs::File>>,
    full: AtomicBool,
    no_links: AtomicBool,
    written: AtomicU64,
    budget: AtomicU64,
    notes: Vec<String>,
    done: bool,
    lock: Lock,
}

impl Staging {
    /// Resolves and checks `target` for the site at the canonical `root`, takes
    /// its lock, completes what interrupted builds left (`notes` says what it
    /// could not), surveys the previous output and makes the staging folder
    /// with our marker.
    pub fn begin(target: &Path, root: &Path) -> Result<Staging, WriteError> {
        let target = resolve_target(target)?;
        check_target(&target, root)?;
        let (Some(parent), Some(name)) = (target.parent(), target.file_name()) else {
            unreachable!("check_target refuses a path without a parent");
        };
        let name = name.to_string_lossy().into_owned();
        fs::create_dir_all(parent).map_err(io_error(parent))?;
        let lock = Lock::take(parent.join(format!(".{name}.dealwire-lock")), &target)?;
        let notes = recover(&target, &mut Kill::never())?;
        // Checked again under the lock: another build may have changed it meanwhile.
        check_target(&target, root)?;
        let previous = survey(&target)?;
        let pid = std::process::id();
        let path = parent.join(format!(".{name}.dealwire-staging-{pid}"));
        fs::create_dir(&path).map_err(io_error(&path))?;
        let marker = path.join(MARKER);
        let manifest = fs::File::create(&marker)
            .and_then(|mut f| {
                f.write_all(MARKER_HEAD.as_bytes())?;
                f.write_all(FILES_LINE.as_bytes())?;
                f.write_all(b"\n")?;
                Ok(f)
            })
            .map_err(io_error(&marker));
        let manifest = match manifest {
            Ok(f) => f,
            Err(e) => {
                let _ = remove_staging(&path);
                return Err(e);
            }
        };
        Ok(Staging {
            old: parent.join(format!(".{name}.dealwire-old-{pid}")),
            scratch: parent.join(format!(".{name}.dealwire-scratch-{pid}")),
            target,
            path,
            previous,
            manifest: Mutex::new(io::BufWriter::with_capacity(1 << 16, manifest)),
            full: AtomicBool::new(false),
            no_links: AtomicBool::new(false),
            written: AtomicU64::new(0),
            budget: AtomicU64::new(u64::MAX),
            notes,
            done: false,
            lock,
        })
    }

    /// The resolved target.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// What `begin` found and could not complete of an interrupted build (an
    /// old output it kept because it holds files dealwire did not write):
    /// warnings for the user.
    pub fn notes(&self) -> &[String] {
        &self.notes
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

    /// Writes one file of the site (its folders made as needed), or links the
    /// previous output's file at `rel` when its bytes are the same. A later
    /// file at the same path replaces an earlier one (as a new file: a linked
    /// one is never written through).
    pub fn put(&self, rel: &str, bytes: &[u8]) -> Result<(), WriteError> {
        if self.full.load(Ordering::Relaxed) {
            return Err(WriteError::Full);
        }
        let path = self.path.join(rel);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| self.failed(dir, e))?;
        }
        if !self.link_unchanged(rel, bytes, &path) {
            let room = self.budget.load(Ordering::Relaxed);
            if self.written.load(Ordering::Relaxed) + bytes.len() as u64 > room {
                return Err(self.failed(&path, io::ErrorKind::StorageFull.into()));
            }
            let created = match create_new(&path, bytes) {
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    fs::remove_file(&path).and_then(|()| create_new(&path, bytes))
                }
                other => other,
            };
            created.map_err(|e| self.failed(&path, e))?;
            self.written
                .fetch_add(bytes.len() as u64, Ordering::Relaxed);
        }
        self.record(rel)
    }

    /// Puts the file at `from` (a cached image's variant) into the output at
    /// `rel` as a hard link to it: no byte is read or written, and a file
    /// unchanged since the last build keeps its inode and time. False when
    /// it cannot be linked (another file system, links refused), for the
    /// caller to `put` its bytes instead; after one link across file
    /// systems, no other is tried.
    pub fn put_link(&self, rel: &str, from: &Path) -> Result<bool, WriteError> {
        if self.full.load(Ordering::Relaxed) {
            return Err(WriteError::Full);
        }
        if self.no_links.load(Ordering::Relaxed) {
            return Ok(false);
        }
        let path = self.path.join(rel);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| self.failed(dir, e))?;
        }
        let linked = match fs::hard_link(from, &path) {
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                fs::remove_file(&path).and_then(|()| fs::hard_link(from, &path))
            }
            other => other,
        };
        match linked {
            Ok(()) => self.record(rel).map(|()| true),
            Err(e) if is_disk_full(&e) => Err(self.failed(&path, e)),
            Err(e) => {
                if e.kind() == io::ErrorKind::CrossesDevices {
                    self.no_links.store(true, Ordering::Relaxed);
                }
                Ok(false)
            }
        }
    }

    /// Adds `rel` to the manifest.
    fn record(&self, rel: &str) -> Result<(), WriteError> {
        let mut line = String::with_capacity(rel.len() + 1);
        push_manifest_line(&mut line, rel);
        self.manifest
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .write_all(line.as_bytes())
            .map_err(|e| self.failed(&self.path.join(MARKER), e))
    }

    /// The previous output's file at `rel`, when it holds exactly `bytes`.
    pub fn unchanged(&self, rel: &str, bytes: &[u8]) -> Option<PathBuf> {
        if self.previous.reusable.get(rel) != Some(&(bytes.len() as u64)) {
            return None;
        }
        let old = self.target.join(rel);
        holds_exactly(&old, bytes).then_some(old)
    }

    /// Links the previous output's file at `rel` to `path` when it holds
    /// exactly `bytes`; false when it does not or the link fails.
    fn link_unchanged(&self, rel: &str, bytes: &[u8], path: &Path) -> bool {
        let Some(old) = self.unchanged(rel, bytes) else {
            return false;
        };
        match fs::hard_link(&old, path) {
            Ok(()) => true,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                fs::remove_file(path).is_ok() && fs::hard_link(&old, path).is_ok()
            }
            Err(_) => false,
        }
    }

    /// The error for a failed write; a full disk is remembered, so the build
    /// stops writing and reports it once (`full`).
    fn failed(&self, path: &Path, e: io::Error) -> WriteError {
        if is_disk_full(&e) {
            self.full.store(true, Ordering::Relaxed);
            WriteError::Full
        } else {
            WriteError::Io(path.to_path_buf(), e)
        }
    }

    /// Makes the disk look full once `bytes` are written: for tests of a
    /// full disk, which no test machine can be asked to have.
    #[doc(hidden)]
    pub fn pretend_space(&self, bytes: u64) {
        self.budget.store(bytes, Ordering::Relaxed);
    }

    /// Records that the disk filled up (a write outside the staging folder,
    /// such as the build's scratch file, found it): later writes stop.
    pub fn mark_full(&self) {
        self.full.store(true, Ordering::Relaxed);
    }

    /// When the disk filled up during the build: one message naming the
    /// output folder, the space this build needs and the space there is.
    pub fn full(&self) -> Option<String> {
        if !self.full.load(Ordering::Relaxed) {
            return None;
        }
        let written = self.written.load(Ordering::Relaxed);
        let needed = written.max(self.previous.size);
        let parent = self.path.parent().unwrap_or(&self.path);
        let free = free_space(parent)
            .map(|b| format!("{} are free", megabytes(b)))
            .unwrap_or_else(|| "the free space could not be read".to_string());
        Some(format!(
            "{DISK_FULL} of {}: this build needs about {} beside it (the previous output holds {}, and the build had written {} when the disk filled); {free}. Free some space and build again",
            self.target.display(),
            megabytes(needed + (needed / 10)),
            megabytes(self.previous.size),
            megabytes(written),
        ))
    }

    /// Swaps the staged site in place of the target (see the module doc). If
    /// a step fails, what was done is undone as the next build would.
    pub fn finish(mut self) -> Result<(), WriteError> {
        self.done = true;
        match self.swap(&mut Kill::never()) {
            Ok(()) => Ok(()),
            Err(Stop::Failed(e)) => {
                let _ = recover(&self.target, &mut Kill::never());
                Err(e)
            }
            Err(Stop::Killed) => unreachable!("never killed"),
        }
    }

    /// `finish`, stopped dead before its `step`-th change to the file system
    /// (counted from 0), as a kill would stop it: nothing is cleaned up and
    /// the lock file stays. True when it stopped there; false when the swap
    /// had fewer steps and completed. For tests of interruptions.
    #[doc(hidden)]
    pub fn finish_killed_before(mut self, step: usize) -> Result<bool, WriteError> {
        self.done = true;
        match self.swap(&mut Kill::at(step)) {
            Ok(()) => Ok(false),
            Err(Stop::Failed(e)) => Err(e),
            Err(Stop::Killed) => {
                self.lock.stays = true;
                Ok(true)
            }
        }
    }

    /// Sorts the manifest (files arrive in any order) and, when it is the
    /// previous output's, links that marker instead: an unchanged site
    /// changes no file at all.
    fn seal_marker(&self) -> io::Result<()> {
        let marker = self.path.join(MARKER);
        let text = fs::read_to_string(&marker)?;
        let (head, files) = text
            .split_once(&format!("\n{FILES_LINE}\n"))
            .unwrap_or((&text, ""));
        let mut lines: Vec<&str> = files.lines().collect();
        lines.sort_unstable();
        lines.dedup();
        let mut sealed = String::with_capacity(text.len());
        sealed.push_str(head);
        sealed.push('\n');
        sealed.push_str(FILES_LINE);
        sealed.push('\n');
        for line in lines {
            sealed.push_str(line);
            sealed.push('\n');
        }
        let old = self.target.join(MARKER);
        let same = fs::read(&old).is_ok_and(|b| b == sealed.as_bytes());
        fs::remove_file(&marker)?;
        if same && fs::hard_link(&old, &marker).is_ok() {
            return Ok(());
        }
        create_new(&marker, sealed.as_bytes())
    }

    fn swap(&self, kill: &mut Kill) -> Result<(), Stop> {
        let marker = self.path.join(MARKER);
        self.manifest
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .flush()
            .map_err(|e| Stop::Failed(self.failed(&marker, e)))?;
        self.seal_marker()
            .map_err(|e| Stop::Failed(self.failed(&marker, e)))?;
        if fs::symlink_metadata(&self.target).is_err() {
            kill.step()?;
            return rename(&self.path, &self.target);
        }
        for name in kept_entries(&self.target).map_err(Stop::Failed)? {
            if fs::symlink_metadata(self.path.join(&name)).is_ok() {
                return Err(Stop::Failed(WriteError::Refused(format!(
                    "refusing to replace {}: the new output has an entry `{}` too",
                    self.target.display(),
                    name.to_string_lossy()
                ))));
            }
            kill.step()?;
            rename(&self.target.join(&name), &self.path.join(&name))?;
        }
        kill.step()?;
        rename(&self.target, &self.old)?;
        kill.step()?;
        rename(&self.path, &self.target)?;
        match remove_old(&self.old, &self.target, kill)? {
            None => Ok(()),
            Some(note) => Err(Stop::Failed(WriteError::Refused(format!(
                "the site was written to {}, but {note}",
                self.target.display()
            )))),
        }
    }
}

/// Whether the file at `path` holds exactly `bytes`: read in blocks into one
/// buffer, stopping at the first difference, so that checking a large
/// unchanged file (a photo's variant) allocates nothing and copies no more
/// than one block at a time.
fn holds_exactly(path: &Path, bytes: &[u8]) -> bool {
    use std::io::Read;
    let Ok(mut file) = fs::File::open(path) else {
        return false;
    };
    let mut block = [0u8; 64 * 1024];
    let mut rest = bytes;
    loop {
        let n = match file.read(&mut block) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return false,
        };
        if n == 0 {
            return rest.is_empty();
        }
        if n > rest.len() || block[..n] != rest[..n] {
            return false;
        }
        rest = &rest[n..];
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.done {
            let _ = remove_staging(&self.path);
        }
    }
}

/// Writes a new file (never through an existing one, which may be a link).
fn create_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?
        .write_all(bytes)
}

fn rename(from: &Path, to: &Path) -> Result<(), Stop> {
    fs::rename(from, to).map_err(|e| Stop::Failed(WriteError::Io(to.to_path_buf(), e)))
}

/// Whether a write failed because the disk (or the user's quota) is full.
pub fn is_disk_full(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded
    )
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

/// The bytes an unprivileged user may still write on the file system of `dir`.
fn free_space(dir: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    let mut stats = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: `path` is a valid C string and `stats` is written by statvfs
    // before it is read (only on success).
    let ok = unsafe { libc::statvfs(path.as_ptr(), stats.as_mut_ptr()) } == 0;
    ok.then(|| {
        // SAFETY: statvfs returned 0, so it filled `stats`.
        let stats = unsafe { stats.assume_init() };
        stats.f_bavail.saturating_mul(stats.f_frsize)
    })
}

/// Why a swap stopped: a failure, or (in tests) a simulated kill.
enum Stop {
    Failed(WriteError),
    Killed,
}

impl From<WriteError> for Stop {
    fn from(e: WriteError) -> Stop {
        Stop::Failed(e)
    }
}

/// Counts the changes a swap or a recovery makes to the file system, and
/// stops at one of them when a test asks (a kill's simulation).
struct Kill {
    at: Option<usize>,
    steps: usize,
}

impl Kill {
    fn never() -> Kill {
        Kill { at: None, steps: 0 }
    }

    fn at(step: usize) -> Kill {
        Kill {
            at: Some(step),
            steps: 0,
        }
    }

    fn step(&mut self) -> Result<(), Stop> {
        if self.at == Some(self.steps) {
            return Err(Stop::Killed);
        }
        self.steps += 1;
        Ok(())
    }

    fn armed(&self) -> bool {
        self.at.is_some()
    }
}

/// Top-level entries of an output that are the user's: names that begin
/// with a dot, other than the marker.
fn kept_entries(dir: &Path) -> Result<Vec<std::ffi::OsString>, WriteError> {
    let mut kept = Vec::new();
    for entry in fs::read_dir(dir).map_err(io_error(dir))? {
        let name = entry.map_err(io_error(dir))?.file_name();
        if name.as_encoded_bytes().starts_with(b".") && name != MARKER {
            kept.push(name);
        }
    }
    kept.sort();
    Ok(kept)
}

/// One path of the manifest, with `\`, line feeds and carriage returns escaped.
fn push_manifest_line(out: &mut String, rel: &str) {
    for c in rel.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('\n');
}

fn unescape_manifest_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (c, c == '\\') {
            (_, true) => match chars.next() {
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            },
            (c, false) => out.push(c),
        }
    }
    out
}

/// The files an output's marker lists; `None` for a marker written before
/// markers held a list (every file but the kept entries is then ours).
fn read_manifest(dir: &Path) -> Result<Option<HashSet<String>>, WriteError> {
    let marker = dir.join(MARKER);
    let bytes = fs::read(&marker).map_err(io_error(&marker))?;
    let text = String::from_utf8_lossy(&bytes);
    let mut lines = text.lines();
    if !lines.any(|l| l == FILES_LINE) {
        return Ok(None);
    }
    Ok(Some(lines.map(unescape_manifest_line).collect()))
}

/// A previous output, as `Staging::begin` finds it.
#[derive(Default)]
struct Previous {
    /// The regular files dealwire wrote there, with their sizes.
    reusable: rustc_hash::FxHashMap<String, u64>,
    /// Their bytes in all.
    size: u64,
}

/// One file or link found under an output.
enum Found {
    File(String, u64),
    Other(String),
}

/// Every file and link under `dir` but its top-level dot entries, with
/// paths relative to `dir`, found in parallel (the second level of folders
/// gives the jobs: an archive's `articles/` has one folder per article).
fn walk(dir: &Path) -> Result<Vec<Found>, WriteError> {
    use rayon::prelude::*;
    let mut jobs = Vec::new();
    for entry in fs::read_dir(dir).map_err(io_error(dir))? {
        let entry = entry.map_err(io_error(dir))?;
        let name = entry.file_name();
        if name.as_encoded_bytes().starts_with(b".") {
            continue;
        }
        let is_dir = entry.file_type().map_err(io_error(&entry.path()))?.is_dir();
        if is_dir {
            for inner in fs::read_dir(entry.path()).map_err(io_error(&entry.path()))? {
                jobs.push(inner.map_err(io_error(&entry.path()))?.path());
            }
        } else {
            jobs.push(entry.path());
        }
    }
    let found: Result<Vec<Vec<Found>>, WriteError> = jobs
        .par_iter()
        .map(|job| {
            let mut found = Vec::new();
            for entry in walkdir::WalkDir::new(job)
                .follow_links(false)
                .follow_root_links(false)
            {
                let entry = entry.map_err(|e| {
                    let path = e.path().unwrap_or(job).to_path_buf();
                    WriteError::Io(path, e.into())
                })?;
                if entry.file_type().is_dir() {
                    continue;
                }
                let rel = entry
                    .path()
                    .strip_prefix(dir)
                    .unwrap_or(entry.path())
                    .to_string_lossy()
                    .into_owned();
                if entry.file_type().is_file() {
                    let len = entry.metadata().map(|m| m.len()).unwrap_or(0);
                    found.push(Found::File(rel, len));
                } else {
                    found.push(Found::Other(rel));
                }
            }
            Ok(found)
        })
        .collect();
    Ok(found?.into_iter().flatten().collect())
}

/// Reads the previous output at `target`: its reusable files, and a refusal
/// when it holds a file its manifest does not list (not ours to delete) or a
/// build is writing a folder inside it.
fn survey(target: &Path) -> Result<Previous, WriteError> {
    if !is_ours(target) {
        return Ok(Previous::default());
    }
    for name in kept_entries(target)? {
        let name = name.to_string_lossy();
        if let Some(inner) = name
            .strip_prefix('.')
            .and_then(|n| n.strip_suffix(".dealwire-lock"))
            && is_locked(&target.join(name.as_ref()))
        {
            return Err(WriteError::Refused(format!(
                "refusing to write to {}: another dealwire build is writing {} inside it",
                target.display(),
                target.join(inner).display()
            )));
        }
    }
    let listed = read_manifest(target)?;
    let mut previous = Previous::default();
    let mut foreign = Vec::new();
    for found in walk(target)? {
        match found {
            Found::File(rel, len) if listed.as_ref().is_none_or(|l| l.contains(&rel)) => {
                previous.size += len;
                previous.reusable.insert(rel, len);
            }
            Found::Other(rel) if listed.as_ref().is_none_or(|l| l.contains(&rel)) => {}
            Found::File(rel, _) | Found::Other(rel) => foreign.push(rel),
        }
    }
    if foreign.is_empty() {
        return Ok(previous);
    }
    foreign.sort();
    let shown: Vec<String> = foreign.iter().take(10).map(|f| format!("`{f}`")).collect();
    let more = match foreign.len() {
        n if n > 10 => format!(" and {} more", n - 10),
        _ => String::new(),
    };
    Err(WriteError::Refused(format!(
        "refusing to replace {}: it holds files dealwire did not write, which a rebuild would delete: {}{more}. Move them into the site's `static/` folder (copied into every build), or delete them yourself",
        target.display(),
        shown.join(", ")
    )))
}

/// The leftovers of interrupted builds into `target`: its staging and old
/// folders and scratch files, by the process id in their names.
fn leftovers(target: &Path) -> Result<Leftovers, WriteError> {
    let (Some(parent), Some(name)) = (target.parent(), target.file_name()) else {
        return Ok(Leftovers::default());
    };
    let name = name.to_string_lossy();
    let kinds = [
        format!(".{name}.dealwire-staging-"),
        format!(".{name}.dealwire-old-"),
        format!(".{name}.dealwire-scratch-"),
    ];
    let mut found: [Vec<PathBuf>; 3] = Default::default();
    for entry in fs::read_dir(parent).map_err(io_error(parent))? {
        let entry = entry.map_err(io_error(parent))?;
        let file_name = entry.file_name().to_string_lossy().into_owned();
        // A link by one of these names is not ours, whatever it points at.
        if entry.file_type().map_err(io_error(parent))?.is_symlink() {
            continue;
        }
        for (kind, list) in kinds.iter().zip(found.iter_mut()) {
            let pid = file_name.strip_prefix(kind.as_str());
            if pid.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())) {
                list.push(entry.path());
            }
        }
    }
    let [mut stagings, mut olds, scratches] = found;
    stagings.sort();
    // The newest old folder first: the one to put back if the target is missing.
    olds.sort_by_key(|p| {
        std::cmp::Reverse(fs::symlink_metadata(p).and_then(|m| m.modified()).ok())
    });
    Ok(Leftovers {
        stagings,
        olds,
        scratches,
    })
}

/// What interrupted builds left beside a target (`leftovers`).
#[derive(Default)]
struct Leftovers {
    stagings: Vec<PathBuf>,
    olds: Vec<PathBuf>,
    scratches: Vec<PathBuf>,
}

/// Completes what interrupted builds into `target` left, under its lock: puts
/// the old output back if the target is missing, moves kept dot entries from
/// staging and old folders back into the target, removes what is ours. Returns
/// notes on what it had to keep.
fn recover(target: &Path, kill: &mut Kill) -> Result<Vec<String>, WriteError> {
    let Leftovers {
        stagings,
        olds,
        scratches,
    } = leftovers(target)?;
    let mut notes = Vec::new();
    for scratch in scratches {
        if fs::symlink_metadata(&scratch).is_ok_and(|m| m.is_file()) {
            step(kill)?;
            fs::remove_file(&scratch).map_err(io_error(&scratch))?;
        }
    }
    let mut olds: Vec<PathBuf> = olds
        .into_iter()
        .filter(|o| is_ours(o) || is_empty_dir(o))
        .collect();
    if fs::symlink_metadata(target).is_err()
        && let Some(at) = olds.iter().position(|o| is_ours(o))
    {
        let old = olds.remove(at);
        step(kill)?;
        fs::rename(&old, target).map_err(io_error(target))?;
    }
    for staging in stagings {
        if !is_ours(&staging) {
            if is_empty_dir(&staging) {
                step(kill)?;
                let _ = fs::remove_dir(&staging);
            }
            continue;
        }
        if fs::symlink_metadata(target).is_err() && !kept_entries(&staging)?.is_empty() {
            // Only the user's entries and an unfinished site: it becomes the
            // target, which this build replaces, keeping them.
            step(kill)?;
            fs::rename(&staging, target).map_err(io_error(target))?;
            continue;
        }
        match move_kept(&staging, target, kill)? {
            Some(stuck) => notes.push(format!(
                "{} holds {stuck}, which could not go back into {}: it is kept",
                staging.display(),
                target.display()
            )),
            None => {
                step(kill)?;
                remove_staging(&staging).map_err(io_error(&staging))?;
            }
        }
    }
    for old in olds {
        if let Some(note) = remove_old(&old, target, kill).map_err(|s| match s {
            Stop::Failed(e) => e,
            Stop::Killed => WriteError::Refused("killed".into()),
        })? {
            notes.push(note);
        }
    }
    Ok(notes)
}

/// `recover`, stopped dead before its `step`-th change to the file system,
/// as a kill would stop it (an error then says "killed"). For tests of
/// interruptions.
#[doc(hidden)]
pub fn recover_killed_before(target: &Path, step: usize) -> Result<Vec<String>, WriteError> {
    recover(&resolve_target(target)?, &mut Kill::at(step))
}

/// `Kill::step` for `recover`, whose kills surface as an error (only tests
/// kill a recovery).
fn step(kill: &mut Kill) -> Result<(), WriteError> {
    kill.step()
        .map_err(|_| WriteError::Refused("killed".into()))
}

fn is_empty_dir(dir: &Path) -> bool {
    fs::read_dir(dir).is_ok_and(|mut d| d.next().is_none())
}

/// Moves the kept dot entries of `from` into `target` (where none of that name
/// is). Returns the entries that could not move.
fn move_kept(from: &Path, target: &Path, kill: &mut Kill) -> Result<Option<String>, WriteError> {
    let mut stuck = Vec::new();
    for name in kept_entries(from)? {
        let to = target.join(&name);
        if fs::symlink_metadata(target).is_err() || fs::symlink_metadata(&to).is_ok() {
            stuck.push(format!("`{}`", name.to_string_lossy()));
            continue;
        }
        step(kill)?;
        if fs::rename(from.join(&name), &to).is_err() {
            stuck.push(format!("`{}`", name.to_string_lossy()));
        }
    }
    Ok((!stuck.is_empty()).then(|| stuck.join(", ")))
}

/// Removes a staging folder: ours whole (its kept entries, if any, were
/// moved out first), the marker last, so an interrupted removal is still
/// recognised as ours.
fn remove_staging(dir: &Path) -> io::Result<()> {
    use rayon::prelude::*;
    let mut jobs = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name() != MARKER {
            jobs.push(entry.path());
        }
    }
    jobs.par_iter().try_for_each(|p| {
        if fs::symlink_metadata(p)?.is_dir() {
            remove_dir_parallel(p)
        } else {
            fs::remove_file(p)
        }
    })?;
    let _ = fs::remove_file(dir.join(MARKER));
    fs::remove_dir(dir)
}

/// Removes a folder whose every entry is ours, its subfolders in parallel.
fn remove_dir_parallel(dir: &Path) -> io::Result<()> {
    use rayon::prelude::*;
    let entries: Vec<PathBuf> = fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<io::Result<_>>()?;
    entries.par_iter().try_for_each(|p| {
        if fs::symlink_metadata(p)?.is_dir() {
            fs::remove_dir_all(p)
        } else {
            fs::remove_file(p)
        }
    })?;
    fs::remove_dir(dir)
}

/// Removes a previous output moved aside (`old`): its kept dot entries first
/// go into `target`, then the files its manifest lists, then its folders that
/// are left empty, the marker last. Anything else stays, and so does the
/// folder: the note says where.
fn remove_old(old: &Path, target: &Path, kill: &mut Kill) -> Result<Option<String>, Stop> {
    if !is_ours(old) {
        if is_empty_dir(old) {
            kill.step()?;
            let _ = fs::remove_dir(old);
        }
        return Ok(None);
    }
    let stuck = move_kept(old, target, kill).map_err(Stop::Failed)?;
    let listed = read_manifest(old).map_err(Stop::Failed)?;
    let found = walk(old).map_err(Stop::Failed)?;
    let ours: Vec<String> = found
        .into_iter()
        .filter_map(|f| match f {
            Found::File(rel, _) | Found::Other(rel)
                if listed.as_ref().is_none_or(|l| l.contains(&rel)) =>
            {
                Some(rel)
            }
            _ => None,
        })
        .collect();
    if kill.armed() {
        for rel in &ours {
            kill.step()?;
            let _ = fs::remove_file(old.join(rel));
        }
    } else {
        use rayon::prelude::*;
        ours.par_iter().for_each(|rel| {
            let _ = fs::remove_file(old.join(rel));
        });
    }
    remove_empty_dirs(old);
    kill.step()?;
    let _ = fs::remove_file(old.join(MARKER));
    if fs::remove_dir(old).is_ok() {
        return Ok(None);
    }
    // Something that is not ours is still there: put the marker back, so the
    // folder is known for what it is, and say so.
    let _ = fs::write(old.join(MARKER), format!("{MARKER_HEAD}{FILES_LINE}\n"));
    let what = stuck.unwrap_or_else(|| "files dealwire did not write".to_string());
    Ok(Some(format!(
        "the previous output, moved to {}, holds {what}: it is kept there; move what you need and delete it",
        old.display()
    )))
}

/// Removes every empty folder under `dir` (not `dir`), deepest first.
fn remove_empty_dirs(dir: &Path) {
    let mut dirs: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .follow_root_links(false)
        .min_depth(1)
        .follow_links(false)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_dir())
        .map(|e| e.into_path())
        .collect();
    dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    for d in dirs {
        let _ = fs::remove_dir(d);
    }
}

/// The lock a build holds on its target while it stages and swaps: a file
/// beside the target, locked, and removed when the build is done (so nothing
/// is left in the user's folder). A build that finds it locked refuses at once.
struct Lock {
    path: PathBuf,
    file: fs::File,
    /// Left in place when the build ends (a simulated kill).
    stays: bool,
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
            Ok(now) if now.ino() == ours.ino() && now.dev() == ours.dev() => Ok(Lock {
                path,
                file,
                stays: false,
            }),
            _ => Err(busy()),
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still locked, then released explicitly: closing the
        // handle would not release it while a child process forked by another
        // thread (not yet at its exec) shares the open file.
        if !self.stays {
            let _ = fs::remove_file(&self.path);
        }
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_lines_read_back_whatever_a_file_name_holds() {
        for name in [
            "a.html",
            "dir/été.txt",
            "back\\slash",
            "line\nfeed",
            "cr\r.txt",
            "\\n",
        ] {
            let mut line = String::new();
            push_manifest_line(&mut line, name);
            assert_eq!(line.matches('\n').count(), 1, "{line:?}");
            assert_eq!(unescape_manifest_line(line.trim_end_matches('\n')), name);
        }
    }

    #[test]
    fn a_link_inside_an_old_output_is_removed_never_followed() {
        let tmp = tempfile::tempdir().expect("tmp");
        let base = tmp.path();
        let (root, target, elsewhere) =
            (base.join("site"), base.join("out"), base.join("elsewhere"));
        fs::create_dir_all(&root).expect("mkdir");
        fs::create_dir_all(&elsewhere).expect("mkdir");
        fs::write(elsewhere.join("keep.txt"), "precious").expect("write");
        let mut site = super::super::Output::new();
        site.insert("articles/a/index.html", "a");
        write(&site, &target, &root).expect("first build");
        // An output from before markers listed their files: all is dealwire's,
        // including a link someone put in it, at a job's root and deeper.
        fs::write(target.join(MARKER), MARKER_HEAD).expect("marker");
        std::os::unix::fs::symlink(&elsewhere, target.join("articles/evil")).expect("link");
        std::os::unix::fs::symlink(&elsewhere, target.join("articles/a/deeper")).expect("link");
        let found: Vec<String> = walk(&target)
            .expect("walk")
            .into_iter()
            .map(|f| match f {
                Found::File(rel, _) | Found::Other(rel) => rel,
            })
            .collect();
        assert!(
            found.iter().all(|rel| !rel.contains("keep.txt")),
            "a walk never goes through a link: {found:?}"
        );
        write(&site, &target, &root).expect("rebuild");
        assert_eq!(
            fs::read_to_string(elsewhere.join("keep.txt")).expect("kept"),
            "precious"
        );
        assert!(!target.join("articles/evil").exists());
    }

    #[test]
    fn a_link_named_like_a_leftover_is_never_followed() {
        let tmp = tempfile::tempdir().expect("tmp");
        let base = tmp.path();
        let elsewhere = base.join("elsewhere");
        fs::create_dir_all(&elsewhere).expect("mkdir");
        fs::write(
            elsewhere.join(MARKER),
            format!("{MARKER_HEAD}{FILES_LINE}\nkeep.txt\n"),
        )
        .expect("marker");
        fs::write(elsewhere.join("keep.txt"), "precious").expect("write");
        std::os::unix::fs::symlink(&elsewhere, base.join(".out.dealwire-old-7")).expect("link");
        let notes = recover(&base.join("out"), &mut Kill::never()).expect("recover");
        assert!(notes.is_empty());
        assert_eq!(
            fs::read_to_string(elsewhere.join("keep.txt")).expect("kept"),
            "precious"
        );
        assert!(
            !base.join("out").exists(),
            "a link is not put back as the output"
        );
    }
}
