//! The commands: orchestration and I/O around the pure pipeline. Each returns
//! whether it succeeded; diagnostics go to stderr, summaries to stdout.

pub mod build;

use crate::diag::Diagnostic;

/// Prints diagnostics to stderr, one a line, in the order given.
pub fn report<'a>(diagnostics: impl IntoIterator<Item = &'a Diagnostic>) {
    use std::io::Write;
    let stderr = std::io::stderr();
    let mut lock = stderr.lock();
    for d in diagnostics {
        let _ = writeln!(lock, "{d}");
    }
}
