//! Article bodies kept on disk between parse and render.
//!
//! A streamed build (`dealwire build`) renders every body when it parses its
//! file, but writes the article's page only once the whole site is modelled.
//! Held in memory in between, the bodies of a large archive would outweigh the
//! model itself; a `Spill` keeps them in one scratch file instead (already
//! unlinked, see `output::Staging::scratch`), and a `Stored` reads one back.
//! Writers append in parallel: each reserves its range, then writes it.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// A scratch file that bodies are appended to.
#[derive(Debug)]
pub struct Spill {
    file: File,
    end: AtomicU64,
}

/// One body in a `Spill`.
#[derive(Clone, Debug)]
pub struct Stored {
    spill: Arc<Spill>,
    at: u64,
    len: usize,
}

impl Spill {
    /// Bodies will be appended to `file` (empty, readable and writable).
    pub fn new(file: File) -> Arc<Spill> {
        Arc::new(Spill {
            file,
            end: AtomicU64::new(0),
        })
    }

    /// Writes `text` at the end of the file.
    pub fn keep(self: &Arc<Self>, text: &str) -> io::Result<Stored> {
        let len = text.len();
        let at = self.end.fetch_add(len as u64, Ordering::Relaxed);
        self.file.write_all_at(text.as_bytes(), at)?;
        Ok(Stored {
            spill: Arc::clone(self),
            at,
            len,
        })
    }
}

impl Stored {
    /// The text, read back.
    pub fn read(&self) -> io::Result<String> {
        let mut bytes = vec![0; self.len];
        self.spill.file.read_exact_at(&mut bytes, self.at)?;
        String::from_utf8(bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_kept_in_parallel_read_back_whole() {
        use rayon::prelude::*;
        let spill = Spill::new(tempfile::tempfile().expect("scratch"));
        let texts: Vec<String> = (0..500)
            .map(|i| format!("<p>été {i}</p>").repeat(i % 7 + 1))
            .collect();
        let stored: Vec<Stored> = texts
            .par_iter()
            .map(|t| spill.keep(t).expect("kept"))
            .collect();
        for (text, s) in texts.iter().zip(&stored) {
            assert_eq!(&s.read().expect("read"), text);
        }
    }
}
