//! The build cache: what `dealwire build` keeps under `.dealwire-cache/build/`
//! (beside the image cache) so that the next build makes again only what
//! changed.
//!
//! Input: the running code, then for each lookup exactly what the entry is
//! made from. Output: the entry made by an earlier build from the same
//! inputs, or nothing. Two kinds of entry, each named by its key, the
//! SHA-256 (in hexadecimal) of:
//!
//! - `bodies/KEY`: a Markdown body rendered (`markdown::Rendered`): the code,
//!   the rendering options and the body's text;
//! - `pages/KEY`: a page rendered through a template, its exact bytes: the
//!   code, the template set's fingerprint, the template's name and the
//!   context the template is given (every value it sees, in postcard's
//!   encoding). The output's
//!   file is a hard link to the entry, so a page unchanged since the last
//!   build keeps its inode and modification time, and no byte of it is
//!   read or written.
//!
//! "The code" is the SHA-256 of the running executable (`code_id`): a build
//! never reads what another version of dealwire made. No key holds a
//! modification time.
//!
//! A body entry is laid out as (integers little-endian):
//!
//! ```text
//! magic     8 bytes   "DWBODY\r\n"
//! key      32 bytes   the key it was written for (a renamed file is foreign)
//! length    u64       of the payload
//! crc       u32       CRC-32 (IEEE) of the payload
//! payload             the `Rendered`, in postcard
//! ```
//!
//! A page entry is the page's bytes alone (it is the published file), so
//! `pages/index` records each: magic `DWPAGI\r\n`, the code's 32 bytes, a
//! u64 count, then per page its key (32 bytes), length (u64) and the
//! modification time it was written with (seconds i64, nanoseconds u32),
//! and a CRC-32 of every byte before it. A page is reused only when its
//! entry is a plain file of the recorded length and time: one edited in place
//! in the output (the same inode) is made again, not published as edited.
//!
//! Every entry is written as a temporary file renamed into place. A damaged
//! or foreign entry (or index) is ignored with a warning and made again,
//! never trusted. After a build that succeeds, entries it did not use are
//! removed, so the folder holds one build's worth; it is safe to delete at
//! any time, and `dealwire build --no-cache` neither reads nor writes it.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use sha2::{Digest, Sha256};

use crate::diag::Diagnostic;
use crate::images::cache::{TEMP_MAX_AGE, TEMP_PREFIX, is_older, make_folder};
use crate::markdown::{MarkdownOptions, Rendered};

/// The folder of the build cache under the site's cache folder.
pub const BUILD_DIR: &str = "build";

const BODY_MAGIC: &[u8; 8] = b"DWBODY\r\n";
const INDEX_MAGIC: &[u8; 8] = b"DWPAGI\r\n";
/// Magic, key, length, CRC-32.
const BODY_HEAD: usize = 8 + 32 + 8 + 4;
/// Key, length, seconds, nanoseconds.
const ROW_LEN: usize = 32 + 8 + 8 + 4;
/// The index of the page entries, in `pages/`.
const INDEX: &str = "index";

/// A cache key: a SHA-256.
pub type Key = [u8; 32];

/// What identifies the running code: every key starts from it, so that a
/// build never reads entries that another version of the code made. It is
/// the build ID the linker wrote into the executable (a hash of its
/// content: `build_id`), else the SHA-256 of the whole executable. When the
/// executable cannot be read, the cache is not used.
pub fn code_id() -> Option<Key> {
    static ID: OnceLock<Option<Key>> = OnceLock::new();
    *ID.get_or_init(|| {
        let exe = std::env::current_exe().ok()?;
        let mut file = fs::File::open(exe).ok()?;
        let mut h = Sha256::new();
        h.update(concat!("dealwire ", env!("CARGO_PKG_VERSION"), "\0"));
        match build_id(&mut file) {
            Some(id) => h.update(id),
            None => {
                use std::io::Seek;
                file.rewind().ok()?;
                io::copy(&mut file, &mut h).ok()?;
            }
        }
        Some(h.finalize().into())
    })
}

/// The GNU build ID of a 64-bit little-endian ELF executable (its
/// `NT_GNU_BUILD_ID` note), reading only its headers and notes.
fn build_id(file: &mut fs::File) -> Option<Vec<u8>> {
    use std::io::{Read, Seek, SeekFrom};
    let mut read_at = |offset: u64, len: usize| -> Option<Vec<u8>> {
        let mut buf = vec![0; len];
        file.seek(SeekFrom::Start(offset)).ok()?;
        file.read_exact(&mut buf).ok()?;
        Some(buf)
    };
    let u16_at =
        |b: &[u8], at: usize| Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?));
    let u32_at =
        |b: &[u8], at: usize| Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?));
    let u64_at =
        |b: &[u8], at: usize| Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?));
    let head = read_at(0, 64)?;
    // `\x7fELF`, 64-bit, little-endian.
    if head[..4] != *b"\x7fELF" || head[4] != 2 || head[5] != 1 {
        return None;
    }
    let (phoff, phentsize, phnum) = (u64_at(&head, 32)?, u16_at(&head, 54)?, u16_at(&head, 58)?);
    if phentsize < 56 || phnum > 256 {
        return None;
    }
    let table = read_at(phoff, usize::from(phentsize) * usize::from(phnum))?;
    for ph in table.chunks_exact(usize::from(phentsize)) {
        // PT_NOTE
        if u32_at(ph, 0)? != 4 {
            continue;
        }
        let (offset, size) = (u64_at(ph, 8)?, u64_at(ph, 32)?);
        if size > 1 << 16 {
            continue;
        }
        let notes = read_at(offset, usize::try_from(size).ok()?)?;
        let mut at = 0;
        while at + 12 <= notes.len() {
            let namesz = usize::try_from(u32_at(&notes, at)?).ok()?;
            let descsz = usize::try_from(u32_at(&notes, at + 4)?).ok()?;
            let kind = u32_at(&notes, at + 8)?;
            let name_at = at + 12;
            let desc_at = name_at + namesz.next_multiple_of(4);
            let desc = notes.get(desc_at..desc_at + descsz)?;
            // NT_GNU_BUILD_ID, owner "GNU".
            if kind == 3 && notes.get(name_at..name_at + namesz)? == b"GNU\0" && !desc.is_empty() {
                return Some(desc.to_vec());
            }
            at = desc_at + descsz.next_multiple_of(4);
        }
    }
    None
}

/// A key in lowercase hexadecimal: its entry's file name.
fn hex(key: &Key) -> String {
    key.iter().map(|b| format!("{b:02x}")).collect()
}

/// The entry name `name` as a key, when it is one (64 hexadecimal digits).
fn parse_hex(name: &str) -> Option<Key> {
    if name.len() != 64 {
        return None;
    }
    let mut key = [0u8; 32];
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(name.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(key)
}

/// What the index records of a page entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Row {
    len: u64,
    secs: i64,
    nanos: u32,
}

impl Row {
    fn of(meta: &fs::Metadata) -> Row {
        Row {
            len: meta.len(),
            secs: meta.mtime(),
            nanos: u32::try_from(meta.mtime_nsec()).unwrap_or(0),
        }
    }
}

/// The build cache of one site, for one build.
pub struct BuildCache {
    /// `.dealwire-cache/build/` under the site's root.
    dir: PathBuf,
    code: Key,
    /// The page entries the last build recorded.
    recorded: HashMap<Key, Row>,
    /// The page entries this build used or made, with their rows.
    pages: Mutex<HashMap<Key, Row>>,
    /// The body entries this build used or made.
    bodies: Mutex<HashSet<Key>>,
    /// Damaged and foreign entries met.
    warnings: Mutex<Vec<Diagnostic>>,
    /// Names temporary files uniquely within the process.
    counter: AtomicU64,
    /// Set by `finish`: a cache dropped without it records its pages as a
    /// failed build does.
    finished: std::sync::atomic::AtomicBool,
}

impl BuildCache {
    /// The build cache of the site at `site_root`, made when missing; `None`
    /// when the running code cannot be identified (`code_id`) or the folder
    /// cannot be made: the build then goes on without it.
    pub fn open(site_root: &Path) -> Option<BuildCache> {
        let code = code_id()?;
        for kind in ["bodies", "pages"] {
            make_folder(site_root, &format!("{BUILD_DIR}/{kind}")).ok()?;
        }
        let dir = site_root.join(crate::images::CACHE_DIR).join(BUILD_DIR);
        let mut warnings = Vec::new();
        let recorded = match fs::read(dir.join("pages").join(INDEX)) {
            Ok(bytes) => match decode_index(&bytes, &code) {
                Ok(rows) => rows,
                Err(why) => {
                    warnings.push(Self::warning("pages/index", why));
                    HashMap::new()
                }
            },
            Err(_) => HashMap::new(),
        };
        Some(BuildCache {
            dir,
            code,
            recorded,
            pages: Mutex::default(),
            bodies: Mutex::default(),
            warnings: Mutex::new(warnings),
            counter: AtomicU64::new(0),
            finished: Default::default(),
        })
    }

    fn warning(entry: &str, why: impl std::fmt::Display) -> Diagnostic {
        Diagnostic::warning(
            format!("{}/{BUILD_DIR}/{entry}", crate::images::CACHE_DIR),
            format!("a cache entry that cannot be used ({why}): ignored and made again"),
        )
    }

    fn warn(&self, entry: String, why: impl std::fmt::Display) {
        self.warnings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Self::warning(&entry, why));
    }

    /// A hasher that has been given the code and a kind of entry.
    fn hasher(&self, kind: &str) -> Sha256 {
        let mut h = Sha256::new();
        h.update(self.code);
        h.update(kind.as_bytes());
        h.update([0]);
        h
    }

    /// The body rendered from `text` with `opts`: from the cache when an
    /// earlier build rendered the same, else `render`ed and kept.
    pub fn body(
        &self,
        text: &str,
        opts: MarkdownOptions,
        render: impl FnOnce() -> Rendered,
    ) -> Rendered {
        let mut h = self.hasher("body");
        // Every field of the options, so that none can be forgotten.
        h.update(format!("{opts:?}").as_bytes());
        h.update([0]);
        h.update(text.as_bytes());
        let key: Key = h.finalize().into();
        self.bodies
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key);
        let path = self.dir.join("bodies").join(hex(&key));
        match fs::read(&path) {
            Ok(bytes) => match decode_body(&bytes, &key) {
                Ok(body) => return body,
                Err(why) => self.warn(format!("bodies/{}", hex(&key)), why),
            },
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => self.warn(format!("bodies/{}", hex(&key)), e),
        }
        let body = render();
        if let Ok(payload) = postcard::to_stdvec(&body) {
            let mut bytes = Vec::with_capacity(BODY_HEAD + payload.len());
            bytes.extend_from_slice(BODY_MAGIC);
            bytes.extend_from_slice(&key);
            bytes.extend_from_slice(&(payload.len() as u64).to_le_bytes());
            bytes.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
            bytes.extend_from_slice(&payload);
            // A body that cannot be kept is made again next time.
            let _ = self.write_entry(&path, &bytes);
        }
        body
    }

    /// The key of a template page: the template set's `fingerprint`, the
    /// template's name and the context, every value the template sees;
    /// `None` for a context that cannot be serialized whole (never cached).
    pub fn page_key<C: serde::Serialize>(
        &self,
        fingerprint: u64,
        template: &str,
        context: &C,
    ) -> Option<Key> {
        let mut h = self.hasher("page");
        h.update(fingerprint.to_le_bytes());
        h.update(template.as_bytes());
        h.update([0]);
        // postcard: strings as their length and bytes, never escaped, so
        // hashing a page's inputs costs little beside rendering it.
        postcard::to_io(context, &mut h).ok()?;
        Some(h.finalize().into())
    }

    /// The entry of the page rendered from `key`'s inputs, to link into the
    /// output, when an earlier build made it and it is as it recorded.
    pub fn page(&self, key: &Key) -> Option<PathBuf> {
        let row = *self.recorded.get(key)?;
        let path = self.dir.join("pages").join(hex(key));
        let meta = fs::symlink_metadata(&path).ok()?;
        if !meta.is_file() || Row::of(&meta) != row {
            return None;
        }
        self.pages
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(*key, row);
        Some(path)
    }

    /// Keeps the page rendered from `key`'s inputs; its entry, to link into
    /// the output, or `None` when it could not be written. `same` is a file
    /// holding exactly `bytes` (the previous output's page, when unchanged):
    /// the entry is then a hard link to it, so that the published file
    /// keeps its inode and time.
    pub fn put_page(&self, key: &Key, bytes: &[u8], same: Option<&Path>) -> Option<PathBuf> {
        let path = self.dir.join("pages").join(hex(key));
        let linked = same.and_then(|same| self.link_entry(&path, same).ok());
        let meta = match linked {
            Some(meta) => meta,
            None => self.write_entry(&path, bytes).ok()?,
        };
        self.pages
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(*key, Row::of(&meta));
        Some(path)
    }

    /// A temporary name beside `path`.
    fn temp_for(&self, path: &Path) -> PathBuf {
        path.with_file_name(format!(
            "{TEMP_PREFIX}{}-{}",
            std::process::id(),
            self.counter.fetch_add(1, Ordering::Relaxed)
        ))
    }

    /// Writes `bytes` to a temporary file renamed to `path`; the written
    /// file's metadata.
    fn write_entry(&self, path: &Path, bytes: &[u8]) -> io::Result<fs::Metadata> {
        let temp = self.temp_for(path);
        let written = create_new(&temp).and_then(|mut f| {
            f.write_all(bytes)?;
            f.metadata()
        });
        self.rename_into(&temp, path, written)
    }

    /// Makes `path` a hard link to `same` (through a temporary name); the
    /// file's metadata.
    fn link_entry(&self, path: &Path, same: &Path) -> io::Result<fs::Metadata> {
        let temp = self.temp_for(path);
        let linked = fs::hard_link(same, &temp).and_then(|()| fs::symlink_metadata(&temp));
        self.rename_into(&temp, path, linked)
    }

    /// Renames `temp`, once `made`, to `path`; removes it when either fails.
    fn rename_into(
        &self,
        temp: &Path,
        path: &Path,
        made: io::Result<fs::Metadata>,
    ) -> io::Result<fs::Metadata> {
        let meta = made.and_then(|meta| fs::rename(temp, path).map(|()| meta));
        if meta.is_err() {
            let _ = fs::remove_file(temp);
        }
        meta
    }

    /// Ends the build's use of the cache: records the page entries (and,
    /// when the build `succeeded`, removes every entry it did not use, so
    /// that the folder holds one build's worth). The warnings met.
    /// Only the first call does anything.
    pub fn finish(&self, succeeded: bool) -> Vec<Diagnostic> {
        if self.finished.swap(true, Ordering::SeqCst) {
            return Vec::new();
        }
        let mut pages = take(&self.pages);
        let bodies = take(&self.bodies);
        let mut warnings = take(&self.warnings);
        if !succeeded {
            // What the last build recorded stays usable for the next.
            for (key, row) in &self.recorded {
                pages.entry(*key).or_insert(*row);
            }
        }
        let index = encode_index(&pages, &self.code);
        let path = self.dir.join("pages").join(INDEX);
        if let Err(e) = self.write_entry(&path, &index) {
            warnings.push(Diagnostic::warning(
                path.display().to_string(),
                format!("the build cache's index could not be written ({e}): the next build renders every page again"),
            ));
        }
        sweep(&self.dir.join("pages"), |k| {
            succeeded && !pages.contains_key(k)
        });
        sweep(&self.dir.join("bodies"), |k| {
            succeeded && !bodies.contains(k)
        });
        warnings
    }
}

/// A new file at `path`, never an existing one (nor through a link there).
fn create_new(path: &Path) -> io::Result<fs::File> {
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

/// What a mutex holds, left empty.
fn take<T: Default>(m: &Mutex<T>) -> T {
    std::mem::take(&mut *m.lock().unwrap_or_else(|e| e.into_inner()))
}

impl Drop for BuildCache {
    fn drop(&mut self) {
        self.finish(false);
    }
}

/// Removes from `dir` the entries `unused` says to, and temporary files
/// left by a build that was killed.
fn sweep(dir: &Path, unused: impl Fn(&Key) -> bool) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let remove = match parse_hex(&name) {
            Some(key) => unused(&key),
            None => name.starts_with(TEMP_PREFIX) && is_older(&entry, TEMP_MAX_AGE),
        };
        if remove {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// A body entry's `Rendered`, or why it cannot be used.
fn decode_body(bytes: &[u8], key: &Key) -> Result<Rendered, String> {
    let head = bytes.get(..BODY_HEAD).ok_or("cut short")?;
    if &head[..8] != BODY_MAGIC {
        return Err("not a body entry".into());
    }
    if &head[8..40] != key {
        return Err("written for another key".into());
    }
    let len = u64::from_le_bytes(head[40..48].try_into().unwrap_or_default());
    let crc = u32::from_le_bytes(head[48..52].try_into().unwrap_or_default());
    let payload = &bytes[BODY_HEAD..];
    if payload.len() as u64 != len {
        return Err("cut short".into());
    }
    if crc32fast::hash(payload) != crc {
        return Err("damaged: its checksum does not match".into());
    }
    postcard::from_bytes(payload).map_err(|e| format!("unreadable: {e}"))
}

fn encode_index(rows: &HashMap<Key, Row>, code: &Key) -> Vec<u8> {
    let mut sorted: Vec<(&Key, &Row)> = rows.iter().collect();
    sorted.sort_by_key(|(key, _)| **key);
    let mut out = Vec::with_capacity(8 + 32 + 8 + rows.len() * ROW_LEN + 4);
    out.extend_from_slice(INDEX_MAGIC);
    out.extend_from_slice(code);
    out.extend_from_slice(&(rows.len() as u64).to_le_bytes());
    for (key, row) in sorted {
        out.extend_from_slice(key);
        out.extend_from_slice(&row.len.to_le_bytes());
        out.extend_from_slice(&row.secs.to_le_bytes());
        out.extend_from_slice(&row.nanos.to_le_bytes());
    }
    let sum = crc32fast::hash(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    out
}

/// The rows of an index, none when another version of the code wrote it,
/// or why it cannot be used.
fn decode_index(bytes: &[u8], code: &Key) -> Result<HashMap<Key, Row>, String> {
    let (body, sum) = bytes
        .split_last_chunk::<4>()
        .ok_or_else(|| "cut short".to_string())?;
    if bytes.len() < 8 + 32 + 8 + 4 || &body[..8] != INDEX_MAGIC {
        return Err("not an index of pages".into());
    }
    if crc32fast::hash(body) != u32::from_le_bytes(*sum) {
        return Err("damaged: its checksum does not match".into());
    }
    if &body[8..40] != code {
        return Ok(HashMap::new());
    }
    let count = u64::from_le_bytes(body[40..48].try_into().unwrap_or_default());
    let rows = &body[48..];
    if rows.len() as u64 != count.saturating_mul(ROW_LEN as u64) {
        return Err("cut short".into());
    }
    let int = |b: &[u8]| -> [u8; 8] { b.try_into().unwrap_or_default() };
    Ok(rows
        .chunks_exact(ROW_LEN)
        .map(|r| {
            let key: Key = r[..32].try_into().unwrap_or_default();
            let row = Row {
                len: u64::from_le_bytes(int(&r[32..40])),
                secs: i64::from_le_bytes(int(&r[40..48])),
                nanos: u32::from_le_bytes(r[48..52].try_into().unwrap_or_default()),
            };
            (key, row)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_code_is_known_by_its_build_id() {
        let exe = std::env::current_exe().expect("exe");
        let id = build_id(&mut fs::File::open(&exe).expect("open")).expect("a build ID");
        // As `readelf -n` shows it: 20 bytes from GNU ld's SHA-1.
        assert!(id.len() >= 8, "{id:?}");
        assert!(code_id().is_some());
        // Not an ELF file: none.
        let tmp = tempfile::NamedTempFile::new().expect("tmp");
        fs::write(tmp.path(), b"#!/bin/sh\necho hi\n").expect("write");
        assert_eq!(
            build_id(&mut fs::File::open(tmp.path()).expect("open")),
            None
        );
    }

    fn body(text: &str) -> Rendered {
        crate::markdown::render(text, MarkdownOptions::default())
    }

    #[test]
    fn a_body_is_rendered_once_then_read_back_equal() {
        let tmp = tempfile::tempdir().expect("tmp");
        let text = "# Hi\n\nA [link](https://example.com) and `code`.\n\n```rust\nfn x() {}\n```\n";
        let cache = BuildCache::open(tmp.path()).expect("open");
        let first = cache.body(text, MarkdownOptions::default(), || body(text));
        assert!(cache.finish(true).is_empty());
        let cache = BuildCache::open(tmp.path()).expect("open");
        let again = cache.body(text, MarkdownOptions::default(), || {
            panic!("rendered again")
        });
        assert_eq!(format!("{again:?}"), format!("{first:?}"));
        // Other options are another entry.
        let french = MarkdownOptions {
            lang: crate::i18n::Lang::Fr,
            ..MarkdownOptions::default()
        };
        let mut rendered = false;
        cache.body(text, french, || {
            rendered = true;
            body(text)
        });
        assert!(rendered, "the options are part of the key");
        assert!(cache.finish(true).is_empty());
    }

    #[test]
    fn damaged_and_foreign_bodies_are_ignored_with_a_warning() {
        let tmp = tempfile::tempdir().expect("tmp");
        let cache = BuildCache::open(tmp.path()).expect("open");
        cache.body("one", MarkdownOptions::default(), || body("one"));
        cache.body("two", MarkdownOptions::default(), || body("two"));
        cache.finish(true);
        let dir = tmp.path().join(".dealwire-cache/build/bodies");
        let mut entries: Vec<PathBuf> = fs::read_dir(&dir)
            .expect("dir")
            .map(|e| e.expect("entry").path())
            .collect();
        entries.sort();
        assert_eq!(entries.len(), 2);
        // One damaged in its last byte; the other renamed to the first's name
        // after the first is moved away (foreign).
        let mut bytes = fs::read(&entries[0]).expect("read");
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        fs::write(&entries[0], &bytes).expect("write");
        let cache = BuildCache::open(tmp.path()).expect("open");
        let mut made = 0;
        for text in ["one", "two"] {
            let got = cache.body(text, MarkdownOptions::default(), || {
                made += 1;
                body(text)
            });
            assert_eq!(got.html, body(text).html);
        }
        assert_eq!(made, 1, "the damaged entry only is made again");
        let warnings = cache.finish(true);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].message.contains("checksum"), "{warnings:?}");
        // Foreign: an entry under another key's name.
        fs::copy(&entries[0], &entries[1]).expect("copy");
        let cache = BuildCache::open(tmp.path()).expect("open");
        for text in ["one", "two"] {
            cache.body(text, MarkdownOptions::default(), || body(text));
        }
        let warnings = cache.finish(true);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].message.contains("another key"), "{warnings:?}");
    }

    #[test]
    fn a_page_entry_is_reused_only_as_recorded_and_unused_ones_go() {
        let tmp = tempfile::tempdir().expect("tmp");
        let cache = BuildCache::open(tmp.path()).expect("open");
        let key = cache.page_key(1, "article.html", &("A", 2)).expect("key");
        let other = cache.page_key(1, "article.html", &("A", 3)).expect("key");
        assert_ne!(key, other);
        assert_ne!(Some(key), cache.page_key(2, "article.html", &("A", 2)));
        assert_ne!(Some(key), cache.page_key(1, "tag.html", &("A", 2)));
        assert_eq!(cache.page(&key), None, "nothing recorded yet");
        let path = cache.put_page(&key, b"<p>A</p>", None).expect("kept");
        cache.put_page(&other, b"<p>B</p>", None).expect("kept");
        assert!(cache.finish(true).is_empty());

        let cache = BuildCache::open(tmp.path()).expect("open");
        assert_eq!(cache.page(&key).as_deref(), Some(path.as_path()));
        assert!(cache.finish(true).is_empty());
        assert!(path.exists());
        let other_path = tmp
            .path()
            .join(".dealwire-cache/build/pages")
            .join(hex(&other));
        assert!(
            !other_path.exists(),
            "an entry the build did not use is removed"
        );

        // Edited in place (through a published hard link): not reused.
        std::thread::sleep(Duration::from_millis(20));
        fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .and_then(|mut f| f.write_all(b"!"))
            .expect("edit");
        let cache = BuildCache::open(tmp.path()).expect("open");
        assert_eq!(cache.page(&key), None);
        cache.finish(false);
    }

    #[test]
    fn an_entry_is_never_written_through_a_link_planted_at_its_temporary_name() {
        let tmp = tempfile::tempdir().expect("tmp");
        let victim = tmp.path().join("victim");
        fs::write(&victim, b"keep").expect("write");
        let cache = BuildCache::open(tmp.path()).expect("open");
        let planted = tmp
            .path()
            .join(".dealwire-cache/build/pages")
            .join(format!("{TEMP_PREFIX}{}-0", std::process::id()));
        std::os::unix::fs::symlink(&victim, &planted).expect("symlink");
        let key = cache.page_key(1, "a.html", &1).expect("key");
        assert_eq!(cache.put_page(&key, b"page", None), None, "not kept");
        assert_eq!(fs::read(&victim).expect("read"), b"keep");
        // The next name is free: the page is kept.
        assert!(cache.put_page(&key, b"page", None).is_some());
        cache.finish(true);
    }

    #[test]
    fn a_damaged_index_is_a_warning_and_nothing_is_reused() {
        let tmp = tempfile::tempdir().expect("tmp");
        let cache = BuildCache::open(tmp.path()).expect("open");
        let key = cache.page_key(1, "a.html", &1).expect("key");
        cache.put_page(&key, b"x", None).expect("kept");
        cache.finish(true);
        let index = tmp.path().join(".dealwire-cache/build/pages/index");
        let mut bytes = fs::read(&index).expect("read");
        bytes[50] ^= 0xff;
        fs::write(&index, &bytes).expect("write");
        let cache = BuildCache::open(tmp.path()).expect("open");
        assert_eq!(cache.page(&key), None);
        let warnings = cache.finish(false);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0]
                .path
                .contains(".dealwire-cache/build/pages/index"),
            "{warnings:?}"
        );
    }
}
