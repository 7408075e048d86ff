//! The cache of processed images: one folder per source and settings, under
//! `.dealwire-cache/images/` at the site's root, holding each variant as a
//! file of its own, so that a build hard-links an unchanged variant into its
//! output rather than read and write it.
//!
//! Input: a `Key` (SHA-256 of the source's bytes, the settings `process`
//! reads and `PROCESS_VERSION`) and the variants made. Output: the same
//! variants on a later build, as bytes (`get`) or as files to link
//! (`files`), or nothing when the entry is missing, or a warning when it is
//! damaged or foreign (it is then removed and made again).
//!
//! An entry is the folder `images/KEY/` (the key in hexadecimal) holding:
//!
//! ```text
//! N-I.EXT    variant I's bytes (N: a name chosen by the `put` that wrote it,
//!            unique to it; EXT: jpg, png or webp)
//! index      what they are, laid out as (integers little-endian):
//!   magic      8 bytes   "DWIMGI\r\n" (a text tool that rewrote line ends breaks it)
//!   version    u32       PROCESS_VERSION of the code that wrote it
//!   key        32 bytes  the key it was written for (a renamed folder is foreign)
//!   name       u64       N
//!   count      u32       number of variants
//!   table      count × 33 bytes: width u32, height u32, format u8 (1 JPEG,
//!              2 PNG, 3 WebP), length u64, CRC-32 of the bytes u32, and the
//!              file's modification time as written: seconds i64, nanoseconds u32
//!   checksum   4 bytes   CRC-32 (IEEE) of every byte of the index before it
//! ```
//!
//! A `put` writes the variants' files under a new name N, then the index as a
//! temporary file renamed over the old one, then removes the old index's
//! files: a reader (another build, `dealwire serve`) reads the old index or
//! the new one whole; a file it names that is gone meanwhile makes the entry
//! missing, not damaged.
//!
//! Reading bytes (`get`) checks each variant's length and CRC-32: a file cut
//! short or damaged on disk is caught. Linking (`files`) reads no byte: each
//! variant's file must be a plain file with the length and modification time
//! the index recorded. Published files are the same files (hard links), so
//! one edited in place in the output changes its time and is made again,
//! not published as it was edited. The checksums guard against accidents,
//! not forgery (whoever can write the cache can write the site): CRC-32,
//! which `crc32fast` computes at several gigabytes a second.
//!
//! SHA-256 stays for the key (`digest`, `key_of_digest`): there, two
//! different photos must never meet, and a photo is hashed once, when a
//! build first reads it (`KnownFiles`).

use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use sha2::{Digest, Sha256};

use super::{CACHE_DIR, OutFormat, PROCESS_VERSION, Planned, Settings, Variant, modern_formats};

/// The first bytes of every index.
const MAGIC: &[u8; 8] = b"DWIMGI\r\n";

/// Magic, version, key, name, count.
const HEAD_LEN: usize = 8 + 4 + 32 + 8 + 4;

/// One row of the table: width, height, format, length, CRC-32, seconds,
/// nanoseconds.
const ROW_LEN: usize = 4 + 4 + 1 + 8 + 4 + 8 + 4;

/// The checksum at the end.
const SUM_LEN: usize = 4;

/// The name of an entry's index, in its folder.
const INDEX: &str = "index";

/// The prefix of temporary files being written (here and in the build
/// cache); one left by a build that was killed is removed by a later build
/// once it is an hour old.
pub(crate) const TEMP_PREFIX: &str = ".tmp-";

/// How old a temporary or orphaned file is before it is taken for a leftover.
pub(crate) const TEMP_MAX_AGE: Duration = Duration::from_secs(3600);

/// What a cache entry is looked up by: the SHA-256 of a source's bytes, the
/// settings that change its variants, and `PROCESS_VERSION`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key([u8; 32]);

impl Key {
    /// The key's bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Display for Key {
    /// The key in lowercase hexadecimal (64 characters): its entry's file name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// The cache key of a source's `bytes` processed with `settings`
/// (`key_of_digest` of their `digest`).
pub fn cache_key(bytes: &[u8], settings: &Settings) -> Key {
    key_of_digest(&digest(bytes), settings)
}

/// The SHA-256 digest of a source's bytes.
pub fn digest(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// The cache key of a source whose bytes have the SHA-256 `digest`,
/// processed with `settings`: a hash of the digest, of exactly the settings
/// `process` makes its output from (the widths as a set, the quality, the
/// modern formats in order, whether metadata is kept; not `max_pixels`,
/// which only refuses), and of `PROCESS_VERSION`.
pub fn key_of_digest(digest: &[u8; 32], settings: &Settings) -> Key {
    let mut widths: Vec<u32> = settings.widths.iter().copied().filter(|&w| w > 0).collect();
    widths.sort_unstable();
    widths.dedup();
    let formats = modern_formats(settings);
    let mut h = Sha256::new();
    h.update(b"dealwire images\0");
    h.update(PROCESS_VERSION.to_le_bytes());
    h.update((widths.len() as u64).to_le_bytes());
    for w in widths {
        h.update(w.to_le_bytes());
    }
    h.update([settings.quality.clamp(1, 100)]);
    h.update((formats.len() as u64).to_le_bytes());
    for f in formats {
        h.update([f.code()]);
    }
    h.update([u8::from(settings.keep_metadata)]);
    h.update(digest);
    Key(h.finalize().into())
}

/// The processed images kept between builds, in `.dealwire-cache/images/`.
#[derive(Clone, Debug)]
pub struct Cache {
    dir: PathBuf,
}

/// A cache entry that cannot be used: damaged, cut short, written by another
/// version, or unreadable. It is treated as missing (and removed when it
/// could be read), so the image is made again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CacheWarning {
    /// The entry's path, from the site's root (`.dealwire-cache/images/…`).
    pub path: String,
    /// What is wrong with it, in a few words.
    pub reason: String,
}

impl fmt::Display for CacheWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the cached images {} cannot be used ({})",
            self.path, self.reason
        )
    }
}

impl std::error::Error for CacheWarning {}

/// A variant kept in the cache: what it is, and the file that holds it (a
/// build hard-links it into its output).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    /// Its size and format.
    pub planned: Planned,
    /// Its file, in the entry's folder.
    pub path: PathBuf,
    length: u64,
    crc: u32,
}

impl Stored {
    /// Its length in bytes.
    pub fn length(&self) -> u64 {
        self.length
    }

    /// Its bytes, read from its file and checked against the length and
    /// CRC-32 the index recorded (`InvalidData` when they differ).
    pub fn read(&self) -> io::Result<Bytes> {
        let bytes = fs::read(&self.path)?;
        if bytes.len() as u64 != self.length || crc32fast::hash(&bytes) != self.crc {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "the cached image {} was changed after it was written",
                    self.path.display()
                ),
            ));
        }
        Ok(Bytes::from(bytes))
    }
}

/// One row of an index.
#[derive(Clone, Copy, Debug)]
struct Row {
    planned: Planned,
    length: u64,
    crc: u32,
    seconds: i64,
    nanos: u32,
}

/// An entry's index: the name its files carry and what they are.
#[derive(Debug)]
struct Index {
    name: u64,
    rows: Vec<Row>,
}

impl Index {
    /// The file name of variant `i`.
    fn file(&self, i: usize) -> String {
        variant_file(self.name, i, self.rows[i].planned.format)
    }
}

/// The file name of variant `i` of a `put` that chose `name`.
fn variant_file(name: u64, i: usize, format: OutFormat) -> String {
    format!("{}{i}.{}", name_prefix(name), format.extension())
}

/// What the file names of a `put` that chose `name` begin with.
fn name_prefix(name: u64) -> String {
    format!("{name:016x}-")
}

/// A name for the files of one `put`, unlike any other's (a random hash of
/// the time, the process and a counter; `create_new` refuses the rare clash).
fn fresh_name() -> u64 {
    use std::hash::BuildHasher;
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    std::collections::hash_map::RandomState::new().hash_one((
        nanos,
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
    ))
}

impl Cache {
    /// The cache of the site at `site_root`: `.dealwire-cache/images/`,
    /// created when missing, with `.dealwire-cache/.gitignore` (`*`) written
    /// when it is missing (in a folder made by an older dealwire too), so the
    /// cache is never committed. Temporary files an interrupted build left,
    /// and entries of the older one-file layout, are removed. Never fails: a
    /// folder that cannot be made shows in `put`.
    pub fn open(site_root: &Path) -> Cache {
        match make_folder(site_root, "images") {
            Ok(dir) => {
                remove_leftovers(&dir);
                Cache { dir }
            }
            Err(_) => Cache {
                dir: site_root.join(CACHE_DIR).join("images"),
            },
        }
    }

    /// The folder holding the entries.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The folder of the entry for `key`.
    pub fn entry(&self, key: &Key) -> PathBuf {
        self.dir.join(key.to_string())
    }

    fn warning(key: &Key, reason: String) -> CacheWarning {
        CacheWarning {
            path: format!("{CACHE_DIR}/images/{key}"),
            reason,
        }
    }

    /// Removes the entry for `key` and says why.
    fn discard(&self, key: &Key, reason: String) -> CacheWarning {
        remove_entry(&self.entry(key));
        Cache::warning(key, reason)
    }

    /// The index of the entry for `key`, or `None` when there is none.
    fn index(&self, key: &Key) -> Result<Option<Index>, CacheWarning> {
        let bytes = match fs::read(self.entry(key).join(INDEX)) {
            Ok(bytes) => bytes,
            Err(e) if is_missing(&e) => return Ok(None),
            Err(e) => {
                return Err(Cache::warning(
                    key,
                    format!("its index cannot be read: {e}"),
                ));
            }
        };
        decode(&bytes, key)
            .map(Some)
            .map_err(|reason| self.discard(key, reason))
    }

    /// The variants kept for `key`, read and checked (length and CRC-32),
    /// or `None` when there is no entry (or a `put` replaced it while it
    /// was read). A damaged or foreign entry is an `Err` (for the caller to
    /// warn) and is removed, so the next look-up finds nothing.
    pub fn get(&self, key: &Key) -> Result<Option<Vec<Variant>>, CacheWarning> {
        let Some(files) = self.look_up(key, |_, _| Ok(()))? else {
            return Ok(None);
        };
        let mut variants = Vec::with_capacity(files.len());
        for (i, stored) in files.into_iter().enumerate() {
            match stored.read() {
                Ok(bytes) => variants.push(Variant {
                    planned: stored.planned,
                    bytes,
                }),
                Err(e) => {
                    return self.unusable(
                        key,
                        i,
                        e,
                        "is damaged or was changed after it was written",
                    );
                }
            }
        }
        Ok(Some(variants))
    }

    /// The files of the variants kept for `key`, to link, with none of their
    /// bytes read: each must be a plain file with the length and
    /// modification time its index recorded. `None` and `Err` as for `get`.
    pub fn files(&self, key: &Key) -> Result<Option<Vec<Stored>>, CacheWarning> {
        self.look_up(key, |row, path| {
            let meta = fs::symlink_metadata(path)?;
            let same = meta.is_file()
                && meta.len() == row.length
                && meta.mtime() == row.seconds
                && meta.mtime_nsec() == i64::from(row.nanos);
            if same {
                Ok(())
            } else {
                Err(io::ErrorKind::InvalidData.into())
            }
        })
    }

    /// What a variant's file that cannot be used makes of the entry:
    /// missing when it is gone (a `put` replaced the entry meanwhile),
    /// removed with a warning saying `why` when it was changed
    /// (`InvalidData`), else a warning that it cannot be read.
    fn unusable<T>(
        &self,
        key: &Key,
        i: usize,
        e: io::Error,
        why: &str,
    ) -> Result<Option<T>, CacheWarning> {
        if is_missing(&e) {
            return Ok(None);
        }
        if e.kind() == io::ErrorKind::InvalidData {
            return Err(self.discard(key, format!("the file of variant {i} {why}")));
        }
        Err(Cache::warning(
            key,
            format!("the file of variant {i} cannot be read: {e}"),
        ))
    }

    /// The index's variants for `key`, each passed through `check` (an
    /// `InvalidData` error: the file was changed; a missing file: the entry
    /// is missing).
    fn look_up(
        &self,
        key: &Key,
        check: impl Fn(&Row, &Path) -> io::Result<()>,
    ) -> Result<Option<Vec<Stored>>, CacheWarning> {
        let Some(index) = self.index(key)? else {
            return Ok(None);
        };
        let dir = self.entry(key);
        let mut files = Vec::with_capacity(index.rows.len());
        for (i, row) in index.rows.iter().enumerate() {
            let path = dir.join(index.file(i));
            match check(row, &path) {
                Ok(()) => {}
                Err(e) => {
                    return self.unusable(
                        key,
                        i,
                        e,
                        "was changed after it was written (a published copy edited in place?)",
                    );
                }
            }
            files.push(Stored {
                planned: row.planned,
                path,
                length: row.length,
                crc: row.crc,
            });
        }
        Ok(Some(files))
    }

    /// Keeps `variants` for `key`, replacing any entry: their files under a
    /// new name, then the index (a temporary file renamed over the old
    /// one), then the old index's files removed. Returns the files kept.
    pub fn put(&self, key: &Key, variants: &[Variant]) -> io::Result<Vec<Stored>> {
        let dir = self.entry(key);
        match fs::symlink_metadata(&dir) {
            Ok(meta) if meta.is_dir() => {}
            // An entry of the older one-file layout, or a link.
            Ok(_) => fs::remove_file(&dir)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        fs::create_dir_all(&dir)?;
        let old = fs::read(dir.join(INDEX))
            .ok()
            .and_then(|bytes| decode(&bytes, key).ok());
        let name = fresh_name();
        let written = write_files(&dir, name, variants);
        let rows = match written {
            Ok(rows) => rows,
            Err(e) => {
                remove_named(&dir, &name_prefix(name), Duration::MAX);
                return Err(e);
            }
        };
        let index = Index { name, rows };
        let mut temp = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .tempfile_in(&self.dir)?;
        temp.write_all(&encode(key, &index)?)?;
        if let Err(e) = temp.persist(dir.join(INDEX)) {
            remove_named(&dir, &name_prefix(name), Duration::MAX);
            return Err(e.error);
        }
        // The replaced index's files at once; any other file (left by a
        // `put` that was killed) once it is old enough not to be another
        // build's, being written.
        let replaced = old.filter(|o| o.name != name).map(|o| name_prefix(o.name));
        sweep_entry(&dir, &name_prefix(name), replaced.as_deref());
        Ok(index
            .rows
            .iter()
            .enumerate()
            .map(|(i, row)| Stored {
                planned: row.planned,
                path: dir.join(index.file(i)),
                length: row.length,
                crc: row.crc,
            })
            .collect())
    }
}

/// Whether an error says the file is not there (or a folder on its path is
/// a file: an entry of the older layout).
fn is_missing(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
    )
}

/// Writes each variant to its own new file in `dir`, named for `name`; the
/// index's rows for them (their modification times read once closed).
fn write_files(dir: &Path, name: u64, variants: &[Variant]) -> io::Result<Vec<Row>> {
    let mut rows = Vec::with_capacity(variants.len());
    for (i, v) in variants.iter().enumerate() {
        let path = dir.join(variant_file(name, i, v.planned.format));
        // The umask's permissions (not a temporary file's 0600): the file is
        // published as it is, linked into the output.
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;
        file.write_all(&v.bytes)?;
        drop(file);
        let meta = fs::symlink_metadata(&path)?;
        rows.push(Row {
            planned: v.planned,
            length: v.bytes.len() as u64,
            crc: crc32fast::hash(&v.bytes),
            seconds: meta.mtime(),
            nanos: u32::try_from(meta.mtime_nsec()).unwrap_or(0),
        });
    }
    Ok(rows)
}

/// Removes the files in an entry's folder that are not its index and not
/// named `keep…`: those named `replaced…` at once, others once older than
/// `TEMP_MAX_AGE`.
fn sweep_entry(dir: &Path, keep: &str, replaced: Option<&str>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name();
        let file = file.to_string_lossy();
        if file == INDEX || file.starts_with(keep) {
            continue;
        }
        if replaced.is_some_and(|r| file.starts_with(r)) || is_older(&entry, TEMP_MAX_AGE) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Removes the files in `dir` whose names begin with `prefix` and that are
/// older than `age`.
fn remove_named(dir: &Path, prefix: &str, age: Duration) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(prefix)
            && (age == Duration::MAX || is_older(&entry, age))
        {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// The folder `rel` of the site's cache folder (`.dealwire-cache/rel`),
/// made when missing, with the cache folder's `.gitignore` (`*`: git never
/// adds it).
pub(crate) fn make_folder(site_root: &Path, rel: &str) -> io::Result<PathBuf> {
    let root = site_root.join(CACHE_DIR);
    let dir = root.join(rel);
    fs::create_dir_all(&dir)?;
    // `create_new`: two builds starting at once both succeed.
    if let Ok(mut ignore) = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(root.join(".gitignore"))
    {
        let _ = ignore.write_all(b"*\n");
    }
    Ok(dir)
}

/// Whether a folder entry was last modified more than `age` ago.
pub(crate) fn is_older(entry: &fs::DirEntry, age: Duration) -> bool {
    entry
        .metadata()
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| SystemTime::now().duration_since(t).ok())
        .is_some_and(|a| a > age)
}

/// Removes an entry's folder (or the file or link in its place), never
/// following a link.
fn remove_entry(path: &Path) {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => {
            let _ = fs::remove_dir_all(path);
        }
        Ok(_) => {
            let _ = fs::remove_file(path);
        }
        Err(_) => {}
    }
}

/// Removes from the cache folder the temporary files older than
/// `TEMP_MAX_AGE` (a younger one may be another build's, being written) and
/// the entries of the older one-file layout (a file named by a key).
fn remove_leftovers(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name();
        let file = file.to_string_lossy();
        let temporary = file.starts_with(TEMP_PREFIX) && is_older(&entry, TEMP_MAX_AGE);
        let one_file_entry = file.len() == 64
            && file.bytes().all(|b| b.is_ascii_hexdigit())
            && entry.file_type().is_ok_and(|t| t.is_file());
        if temporary || one_file_entry {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// An index's bytes (see the module's layout).
fn encode(key: &Key, index: &Index) -> io::Result<Vec<u8>> {
    let too_many = || io::Error::new(io::ErrorKind::InvalidInput, "too many variants");
    let count = u32::try_from(index.rows.len()).map_err(|_| too_many())?;
    let mut out = Vec::with_capacity(HEAD_LEN + index.rows.len() * ROW_LEN + SUM_LEN);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&PROCESS_VERSION.to_le_bytes());
    out.extend_from_slice(&key.0);
    out.extend_from_slice(&index.name.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    for row in &index.rows {
        out.extend_from_slice(&row.planned.width.to_le_bytes());
        out.extend_from_slice(&row.planned.height.to_le_bytes());
        out.push(row.planned.format.code());
        out.extend_from_slice(&row.length.to_le_bytes());
        out.extend_from_slice(&row.crc.to_le_bytes());
        out.extend_from_slice(&row.seconds.to_le_bytes());
        out.extend_from_slice(&row.nanos.to_le_bytes());
    }
    let sum = crc32fast::hash(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    Ok(out)
}

/// The index `bytes` hold, checked whole: magic, checksum, version, key and
/// table. The reason, in a few words, when it is not an index for `key`
/// written by this version.
fn decode(bytes: &[u8], key: &Key) -> Result<Index, String> {
    if !bytes.starts_with(MAGIC) {
        return Err("it is not a dealwire cache entry: its first bytes are wrong".to_string());
    }
    if bytes.len() < HEAD_LEN + SUM_LEN {
        return Err(format!("its index is cut short ({} bytes)", bytes.len()));
    }
    let (body, sum) = bytes.split_at(bytes.len() - SUM_LEN);
    if crc32fast::hash(body).to_le_bytes() != sum {
        return Err("its index's checksum does not match: it is damaged or cut short".to_string());
    }
    let array = |at: usize| -> [u8; 8] { body[at..at + 8].try_into().expect("8 bytes") };
    let u32_at =
        |at: usize| u32::from_le_bytes([body[at], body[at + 1], body[at + 2], body[at + 3]]);
    let version = u32_at(8);
    if version != PROCESS_VERSION {
        return Err(format!(
            "it was written by image processing version {version}, this is version {PROCESS_VERSION}"
        ));
    }
    if &body[12..44] != key.as_bytes() {
        return Err("it was written for another image or other settings".to_string());
    }
    let name = u64::from_le_bytes(array(44));
    let count = usize::try_from(u32_at(52)).map_err(|_| "its count is too large".to_string())?;
    let rows_len = count
        .checked_mul(ROW_LEN)
        .filter(|&len| HEAD_LEN + len == body.len())
        .ok_or_else(|| format!("its table does not hold {count} variants"))?;
    let mut rows = Vec::with_capacity(count);
    for row in body[HEAD_LEN..HEAD_LEN + rows_len].chunks_exact(ROW_LEN) {
        let at = |i: usize| -> [u8; 4] { row[i..i + 4].try_into().expect("4 bytes") };
        let format = OutFormat::from_code(row[8])
            .ok_or_else(|| format!("a variant has an unknown format ({})", row[8]))?;
        rows.push(Row {
            planned: Planned {
                width: u32::from_le_bytes(at(0)),
                height: u32::from_le_bytes(at(4)),
                format,
            },
            length: u64::from_le_bytes(row[9..17].try_into().expect("8 bytes")),
            crc: u32::from_le_bytes(at(17)),
            seconds: i64::from_le_bytes(row[21..29].try_into().expect("8 bytes")),
            nanos: u32::from_le_bytes(at(29)),
        });
    }
    Ok(Index { name, rows })
}
