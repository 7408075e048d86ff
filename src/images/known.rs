//! What a build learnt of each image file it read (its digest and its
//! header), kept in `.dealwire-cache/images/known` while the file stays the
//! same, so that a build with nothing changed reads no photo at all.
//!
//! Input: a source file's path, its metadata now, and (after reading it)
//! its SHA-256 digest and `Probe`. Output: the digest and probe a previous
//! build found, when the file is provably the one that build read.
//!
//! The cache key of a photo's variants is always the hash of its bytes
//! (`cache_key`), never a modification time: a CI checkout, which gives every
//! file a new time, finds its cached variants. What this memo saves is
//! computing that hash again. It trusts a previous digest only when the file
//! has the same device, inode, size, modification time *and* change time
//! (`ctime`) as when it was read, the rule Git's index and Bazel's digest
//! cache follow. The change time cannot be set by `touch`, `cp -p`, `rsync
//! -t` or an archive tool: any write to the file, or a replacement, moves it
//! to the time of the change. A file changed in the same tick of the clock
//! as the read could keep its stamp, so a file whose change time is less
//! than `RACY` before the read is not memorised (it is read again next
//! time). Anything else (another machine, a clock set back, a file system
//! without inodes) only costs a read.
//!
//! The memo file (integers little-endian):
//!
//! ```text
//! magic     8 bytes   "DWIMGK\r\n"
//! version   u32       FORMAT
//! count     u32
//! records   count × (path length u32, path UTF-8, dev u64, ino u64, size u64,
//!           mtime s i64, mtime ns u32, ctime s i64, ctime ns u32,
//!           digest 32 bytes, kind u8, width u32, height u32, alpha u8, animated u8)
//! checksum  32 bytes  SHA-256 of every byte before it
//! ```
//!
//! A damaged or foreign memo is ignored (and written anew): it only makes a
//! build read its photos. `save` keeps the files looked up by this build, so
//! a deleted photo leaves the memo.

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

use super::{CACHE_DIR, Kind, Probe};

const MAGIC: &[u8; 8] = b"DWIMGK\r\n";

/// The memo file's format version.
const FORMAT: u32 = 1;

/// How long before a read a file must have last changed to be memorised.
pub const RACY: Duration = Duration::from_secs(2);

/// The SHA-256 digest of a file's bytes.
pub type Digest32 = [u8; 32];

/// A file's identity on disk: equal stamps, same bytes (see the module).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    dev: u64,
    ino: u64,
    size: u64,
    mtime: (i64, u32),
    ctime: (i64, u32),
}

impl Stamp {
    /// The stamp of a file's metadata (`fs::metadata`, which follows links).
    #[cfg(unix)]
    pub fn of(meta: &fs::Metadata) -> Option<Stamp> {
        use std::os::unix::fs::MetadataExt;
        Some(Stamp {
            dev: meta.dev(),
            ino: meta.ino(),
            size: meta.size(),
            mtime: (meta.mtime(), u32::try_from(meta.mtime_nsec()).ok()?),
            ctime: (meta.ctime(), u32::try_from(meta.ctime_nsec()).ok()?),
        })
    }

    /// Without inodes and change times, nothing is memorised.
    #[cfg(not(unix))]
    pub fn of(_meta: &fs::Metadata) -> Option<Stamp> {
        None
    }

    /// Whether the file last changed at least `RACY` before `read_at`.
    fn settled(&self, read_at: SystemTime) -> bool {
        let Ok(since) = read_at.duration_since(SystemTime::UNIX_EPOCH) else {
            return false;
        };
        let changed = Duration::new(self.ctime.0.max(0) as u64, self.ctime.1);
        self.ctime.0 >= 0 && changed + RACY <= since
    }
}

/// What was learnt of a file: the digest of its bytes and its header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Known {
    /// SHA-256 of its bytes.
    pub digest: Digest32,
    /// Its header.
    pub probe: Probe,
}

/// The memo of a site's image files (see the module).
#[derive(Debug)]
pub struct KnownFiles {
    file: PathBuf,
    /// Before this build, by source path.
    before: HashMap<String, (Stamp, Known)>,
    /// Looked up or learnt by this build: what `save` keeps.
    now: Mutex<HashMap<String, (Stamp, Known)>>,
    /// When this build began: a file changed less than `RACY` before is not kept.
    began: SystemTime,
}

impl KnownFiles {
    /// The memo of the site at `site_root` (empty when missing or damaged).
    pub fn open(site_root: &Path) -> KnownFiles {
        let file = site_root.join(CACHE_DIR).join("images").join("known");
        let before = fs::read(&file)
            .ok()
            .and_then(|bytes| decode(&bytes))
            .unwrap_or_default();
        KnownFiles {
            file,
            before,
            now: Mutex::default(),
            began: SystemTime::now(),
        }
    }

    /// What a previous build learnt of the file at `path` (from the site's
    /// root), when `stamp` shows it unchanged since.
    pub fn get(&self, path: &str, stamp: Stamp) -> Option<Known> {
        let (was, known) = self.before.get(path)?;
        if *was != stamp {
            return None;
        }
        self.lock().insert(path.to_string(), (stamp, *known));
        Some(*known)
    }

    /// Records what was learnt of the file at `path`, stamped `stamp` before
    /// it was read, unless it changed too recently to be told apart.
    pub fn learnt(&self, path: &str, stamp: Stamp, known: Known) {
        if stamp.settled(self.began) {
            self.lock().insert(path.to_string(), (stamp, known));
        }
    }

    /// Writes the memo (what this build looked up or learnt), atomically,
    /// when it differs from what was read; a failure only costs reads later.
    /// A build that looked nothing up (`serve`, which holds its files in
    /// memory, or a site without images) leaves the memo as it was.
    pub fn save(&self) {
        let now = self.lock();
        if now.is_empty() || *now == self.before {
            return;
        }
        let bytes = encode(&now);
        let Some(dir) = self.file.parent() else {
            return;
        };
        let Ok(mut temp) = tempfile::NamedTempFile::with_prefix_in(".tmp-known-", dir) else {
            return;
        };
        if temp.write_all(&bytes).is_ok() {
            let _ = temp.persist(&self.file);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Stamp, Known)>> {
        self.now.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn encode(entries: &HashMap<String, (Stamp, Known)>) -> Vec<u8> {
    let mut paths: Vec<&String> = entries.keys().collect();
    paths.sort();
    let mut out = Vec::with_capacity(16 + entries.len() * 128);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    out.extend_from_slice(&(paths.len() as u32).to_le_bytes());
    for path in paths {
        let (s, k) = &entries[path];
        out.extend_from_slice(&(path.len() as u32).to_le_bytes());
        out.extend_from_slice(path.as_bytes());
        for n in [s.dev, s.ino, s.size] {
            out.extend_from_slice(&n.to_le_bytes());
        }
        for (secs, nanos) in [s.mtime, s.ctime] {
            out.extend_from_slice(&secs.to_le_bytes());
            out.extend_from_slice(&nanos.to_le_bytes());
        }
        out.extend_from_slice(&k.digest);
        out.push(kind_code(k.probe.kind));
        out.extend_from_slice(&k.probe.width.to_le_bytes());
        out.extend_from_slice(&k.probe.height.to_le_bytes());
        out.push(u8::from(k.probe.has_alpha));
        out.push(u8::from(k.probe.animated));
    }
    let sum: [u8; 32] = Sha256::digest(&out).into();
    out.extend_from_slice(&sum);
    out
}

fn kind_code(kind: Kind) -> u8 {
    match kind {
        Kind::Jpeg => 1,
        Kind::Png => 2,
        Kind::Webp => 3,
        Kind::Gif => 4,
    }
}

fn kind_of(code: u8) -> Option<Kind> {
    Some(match code {
        1 => Kind::Jpeg,
        2 => Kind::Png,
        3 => Kind::Webp,
        4 => Kind::Gif,
        _ => return None,
    })
}

/// A reader of the memo's fields; `None` once past the end.
struct Fields<'a>(&'a [u8]);

impl<'a> Fields<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }
    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    fn u32(&mut self) -> Option<u32> {
        self.array().map(u32::from_le_bytes)
    }
    fn u64(&mut self) -> Option<u64> {
        self.array().map(u64::from_le_bytes)
    }
    fn time(&mut self) -> Option<(i64, u32)> {
        Some((self.array().map(i64::from_le_bytes)?, self.u32()?))
    }
    fn flag(&mut self) -> Option<bool> {
        match self.u8()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }
}

/// The memo's entries, or `None` when the bytes are not a whole memo of this format.
fn decode(bytes: &[u8]) -> Option<HashMap<String, (Stamp, Known)>> {
    let body = bytes.len().checked_sub(32).map(|n| &bytes[..n])?;
    if Sha256::digest(body).as_slice() != &bytes[body.len()..] {
        return None;
    }
    let mut f = Fields(body);
    if f.take(8)? != MAGIC || f.u32()? != FORMAT {
        return None;
    }
    let count = f.u32()?;
    let mut entries = HashMap::new();
    for _ in 0..count {
        let len = f.u32()? as usize;
        let path = std::str::from_utf8(f.take(len)?).ok()?.to_string();
        let stamp = Stamp {
            dev: f.u64()?,
            ino: f.u64()?,
            size: f.u64()?,
            mtime: f.time()?,
            ctime: f.time()?,
        };
        let digest = f.array()?;
        let probe = Probe {
            kind: kind_of(f.u8()?)?,
            width: f.u32()?,
            height: f.u32()?,
            has_alpha: f.flag()?,
            animated: f.flag()?,
        };
        entries.insert(path, (stamp, Known { digest, probe }));
    }
    f.0.is_empty().then_some(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(n: u8) -> Known {
        Known {
            digest: [n; 32],
            probe: Probe {
                kind: Kind::Jpeg,
                width: 4000,
                height: 3000,
                has_alpha: false,
                animated: false,
            },
        }
    }

    fn old_file(dir: &Path, name: &str, bytes: &[u8]) -> (String, Stamp) {
        let path = dir.join(name);
        fs::write(&path, bytes).unwrap();
        let meta = fs::metadata(&path).unwrap();
        (name.to_string(), Stamp::of(&meta).unwrap())
    }

    /// A memo with `began` moved past `RACY`, as if the file were older.
    fn later(root: &Path) -> KnownFiles {
        let mut memo = KnownFiles::open(root);
        memo.began += RACY + Duration::from_secs(1);
        memo
    }

    #[test]
    fn a_settled_file_is_known_to_the_next_build_until_it_changes() {
        let site = tempfile::tempdir().unwrap();
        fs::create_dir_all(site.path().join(CACHE_DIR).join("images")).unwrap();
        let (path, stamp) = old_file(site.path(), "photo.jpg", b"one");
        let memo = later(site.path());
        memo.learnt(&path, stamp, known(1));
        memo.save();

        let next = KnownFiles::open(site.path());
        assert_eq!(next.get(&path, stamp), Some(known(1)));
        // Rewritten with other bytes of the same length: a new change time.
        std::thread::sleep(Duration::from_millis(20));
        let (_, changed) = old_file(site.path(), "photo.jpg", b"two");
        assert_ne!(changed, stamp);
        assert_eq!(next.get(&path, changed), None);
    }

    #[test]
    fn a_file_changed_just_before_the_read_is_not_memorised() {
        let site = tempfile::tempdir().unwrap();
        fs::create_dir_all(site.path().join(CACHE_DIR).join("images")).unwrap();
        let (path, stamp) = old_file(site.path(), "photo.jpg", b"one");
        let memo = KnownFiles::open(site.path());
        memo.learnt(&path, stamp, known(1));
        memo.save();
        assert_eq!(KnownFiles::open(site.path()).get(&path, stamp), None);
    }

    #[test]
    fn a_damaged_memo_is_ignored_and_a_deleted_file_leaves_it() {
        let site = tempfile::tempdir().unwrap();
        fs::create_dir_all(site.path().join(CACHE_DIR).join("images")).unwrap();
        let (a, sa) = old_file(site.path(), "a.jpg", b"a");
        let (b, sb) = old_file(site.path(), "b.jpg", b"b");
        let memo = later(site.path());
        memo.learnt(&a, sa, known(1));
        memo.learnt(&b, sb, known(2));
        memo.save();
        let bytes = fs::read(&memo.file).unwrap();

        // Only `a` is looked up by the next build: `b` is dropped.
        let next = KnownFiles::open(site.path());
        assert!(next.get(&a, sa).is_some());
        next.save();
        let after = KnownFiles::open(site.path());
        assert!(after.get(&b, sb).is_none());
        assert!(after.get(&a, sa).is_some());

        // One flipped byte anywhere: nothing is trusted.
        for at in [0, 12, bytes.len() / 2, bytes.len() - 1] {
            let mut bad = bytes.clone();
            bad[at] ^= 1;
            fs::write(&memo.file, &bad).unwrap();
            assert!(KnownFiles::open(site.path()).before.is_empty(), "byte {at}");
        }
        assert_eq!(decode(&bytes).map(|e| e.len()), Some(2));
        assert_eq!(decode(&bytes[..bytes.len() - 1]), None);
    }
}
