//! The commands: orchestration and I/O around the pure pipeline. Each returns
//! whether it succeeded; diagnostics go to stderr, summaries to stdout.

pub mod build;
pub mod check;
pub mod init;
pub mod new;
pub mod serve;

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

/// `s` for counts other than one.
pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
