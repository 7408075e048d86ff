//! The cache of processed images: one file per source and settings, under
//! `.dealwire-cache/images/` at the site's root.
//!
//! Input: a `Key` (SHA-256 of the source's bytes, the settings `process`
//! reads and `PROCESS_VERSION`) and the variants made. Output: the same
//! variants on a later build, or nothing when the entry is missing, or a
//! warning when it is damaged or foreign (it is then removed and made again).
//!
//! An entry's file is named by its key in hexadecimal and laid out as
//! (integers little-endian):
//!
//! ```text
//! magic      8 bytes   "DWIMGC\r\n" (a text tool that rewrote line ends breaks it)
//! version    u32       PROCESS_VERSION of the code that wrote it
//! key        32 bytes  the key it was written for (a renamed file is foreign)
//! count      u32       number of variants
//! table      count × 17 bytes: width u32, height u32, format u8 (1 JPEG,
//!            2 PNG, 3 WebP), length u64
//! data       the variants' bytes, one after another, in the table's order
//! checksum   4 bytes   CRC-32 (IEEE) of every byte before it
//! ```
//!
//! A `put` writes a temporary file in the same folder and renames it over the
//! entry, so a reader (another build, `dealwire serve`) sees the old entry or
//! the new one whole, never a part; a file cut short or damaged on disk fails
//! its checksum. The checksum guards against accidents, not forgery (whoever
//! can write the cache can write the site): CRC-32, which `crc32fast`
//! computes at several gigabytes a second, where SHA-256 took a quarter of a
//! build that found every photo in the cache. The variants a `get` returns
//! share the entry's bytes, with no copy.
//!
//! SHA-256 stays for the key (`digest`, `key_of_digest`): there, two
//! different photos must never meet, and a photo is hashed once, when a
//! build first reads it (`KnownFiles`).

use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use sha2::{Digest, Sha256};

use super::{CACHE_DIR, OutFormat, PROCESS_VERSION, Planned, Settings, Variant, modern_formats};

/// The first bytes of every entry.
const MAGIC: &[u8; 8] = b"DWIMGC\r\n";

/// Magic, version, key, count.
const HEAD_LEN: usize = 8 + 4 + 32 + 4;

/// One row of the table: width, height, format, length.
const ROW_LEN: usize = 4 + 4 + 1 + 8;

/// The checksum at the end.
const SUM_LEN: usize = 4;

/// The prefix of temporary files being written; one left by a build that was
/// killed is removed by the next `Cache::open` once it is an hour old.
const TEMP_PREFIX: &str = ".tmp-";

/// How old a temporary file is before `open` takes it for a leftover.
const TEMP_MAX_AGE: Duration = Duration::from_secs(3600);

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

impl Cache {
    /// The cache of the site at `site_root`: `.dealwire-cache/images/`,
    /// created when missing, with `.dealwire-cache/.gitignore` (`*`) written
    /// when it is missing (in a folder made by an older dealwire too), so the
    /// cache is never committed. Temporary files an interrupted build left
    /// are removed. Never fails: a folder that cannot be made shows in `put`.
    pub fn open(site_root: &Path) -> Cache {
        let root = site_root.join(CACHE_DIR);
        let dir = root.join("images");
        if fs::create_dir_all(&dir).is_ok() {
            // `create_new`: two builds starting at once both succeed.
            if let Ok(mut ignore) = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(root.join(".gitignore"))
            {
                let _ = ignore.write_all(b"*\n");
            }
            remove_old_temporaries(&dir);
        }
        Cache { dir }
    }

    /// The folder holding the entries.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, key: &Key) -> PathBuf {
        self.dir.join(key.to_string())
    }

    fn shown(key: &Key) -> String {
        format!("{CACHE_DIR}/images/{key}")
    }

    /// The variants kept for `key`, or `None` when there is no entry. A
    /// damaged or foreign entry is an `Err` (for the caller to warn) and is
    /// removed, so the next look-up finds nothing.
    pub fn get(&self, key: &Key) -> Result<Option<Vec<Variant>>, CacheWarning> {
        let path = self.path(key);
        let warning = |reason: String| CacheWarning {
            path: Cache::shown(key),
            reason,
        };
        let bytes = match fs::read(&path) {
            Ok(bytes) => Bytes::from(bytes),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(warning(format!("it cannot be read: {e}"))),
        };
        match decode(&bytes, key) {
            Ok(variants) => Ok(Some(variants)),
            Err(reason) => {
                let _ = fs::remove_file(&path);
                Err(warning(reason))
            }
        }
    }

    /// Keeps `variants` for `key`, replacing any entry atomically (a
    /// temporary file in the same folder, renamed over it).
    pub fn put(&self, key: &Key, variants: &[Variant]) -> io::Result<()> {
        fs::create_dir_all(&self.dir)?;
        let bytes = encode(key, variants)?;
        let mut temp = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .tempfile_in(&self.dir)?;
        temp.write_all(&bytes)?;
        temp.persist(self.path(key)).map_err(|e| e.error)?;
        Ok(())
    }
}

/// Removes temporary files older than `TEMP_MAX_AGE` (a younger one may be
/// another build's, being written).
fn remove_old_temporaries(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        if !entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
            continue;
        }
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age > TEMP_MAX_AGE);
        if old {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// An entry's bytes (see the module's layout).
fn encode(key: &Key, variants: &[Variant]) -> io::Result<Vec<u8>> {
    let too_many = || io::Error::new(io::ErrorKind::InvalidInput, "too many variants");
    let count = u32::try_from(variants.len()).map_err(|_| too_many())?;
    let data: usize = variants.iter().map(|v| v.bytes.len()).sum();
    let mut out = Vec::with_capacity(HEAD_LEN + variants.len() * ROW_LEN + data + SUM_LEN);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&PROCESS_VERSION.to_le_bytes());
    out.extend_from_slice(&key.0);
    out.extend_from_slice(&count.to_le_bytes());
    for v in variants {
        out.extend_from_slice(&v.planned.width.to_le_bytes());
        out.extend_from_slice(&v.planned.height.to_le_bytes());
        out.push(v.planned.format.code());
        out.extend_from_slice(&(v.bytes.len() as u64).to_le_bytes());
    }
    for v in variants {
        out.extend_from_slice(&v.bytes);
    }
    let sum = crc32fast::hash(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    Ok(out)
}

/// The variants an entry holds, checked whole: magic, checksum, version, key,
/// table and lengths. The reason, in a few words, when it is not an entry
/// for `key` written by this version.
fn decode(bytes: &Bytes, key: &Key) -> Result<Vec<Variant>, String> {
    if !bytes.starts_with(MAGIC) {
        return Err("it is not a dealwire cache entry: its first bytes are wrong".to_string());
    }
    if bytes.len() < HEAD_LEN + SUM_LEN {
        return Err(format!("it is cut short ({} bytes)", bytes.len()));
    }
    let (body, sum) = bytes.split_at(bytes.len() - SUM_LEN);
    if crc32fast::hash(body).to_le_bytes() != sum {
        return Err("its checksum does not match: it is damaged or cut short".to_string());
    }
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
    let count = usize::try_from(u32_at(44)).map_err(|_| "its count is too large".to_string())?;
    let table_end = count
        .checked_mul(ROW_LEN)
        .and_then(|t| t.checked_add(HEAD_LEN))
        .filter(|&end| end <= body.len())
        .ok_or_else(|| format!("its table of {count} variants runs past its end"))?;
    let mut at = table_end;
    let mut variants = Vec::with_capacity(count);
    for row in body[HEAD_LEN..table_end].chunks_exact(ROW_LEN) {
        let width = u32::from_le_bytes([row[0], row[1], row[2], row[3]]);
        let height = u32::from_le_bytes([row[4], row[5], row[6], row[7]]);
        let format = OutFormat::from_code(row[8])
            .ok_or_else(|| format!("a variant has an unknown format ({})", row[8]))?;
        let len = u64::from_le_bytes(row[9..17].try_into().expect("8 bytes"));
        let end = usize::try_from(len)
            .ok()
            .and_then(|len| at.checked_add(len))
            .filter(|&end| end <= body.len())
            .ok_or_else(|| "a variant's bytes run past its end".to_string())?;
        variants.push(Variant {
            planned: Planned {
                width,
                height,
                format,
            },
            bytes: bytes.slice(at..end),
        });
        at = end;
    }
    if at != body.len() {
        return Err(format!("{} bytes follow its variants", body.len() - at));
    }
    Ok(variants)
}
