//! The commands: orchestration and I/O around the pure pipeline. Each returns
//! whether it succeeded; diagnostics go to stderr, summaries to stdout.

pub mod build;
pub mod check;
pub mod import;
pub mod init;
pub mod new;
pub mod serve;

use crate::diag::report;

/// Loads and builds the site at `root`. On failure, prints every diagnostic and
/// the last line `failed(error count)` and returns `None`. Returns the canonical
/// site root with the build.
pub fn load_and_build(
    root: &std::path::Path,
    options: &crate::pipeline::BuildOptions,
    failed: impl Fn(usize) -> String,
) -> Option<(std::path::PathBuf, crate::pipeline::Built)> {
    let source = match crate::source::load(root) {
        Ok(s) => s,
        Err(d) => {
            report(&d.sorted());
            return None;
        }
    };
    let root = source.root.clone();
    match crate::pipeline::build(source, options) {
        Ok(built) => Some((root, built)),
        Err(d) => {
            let all = d.sorted();
            let errors = all.iter().filter(|d| d.is_error()).count();
            report(&all);
            eprintln!("{}", failed(errors));
            None
        }
    }
}
