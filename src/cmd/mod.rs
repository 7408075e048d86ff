//! The commands: orchestration and I/O around the pure pipeline. Each returns
//! whether it succeeded; diagnostics go to stderr, summaries to stdout.

pub mod build;
pub mod check;
pub mod import;
pub mod init;
pub mod new;
pub mod serve;

use crate::diag::report;

/// Loads the site at `root` (its articles read as they are parsed) and
/// builds it into the sink that `sink_for(canonical root)` gives. On failure,
/// prints every diagnostic and the last line `failed(error count)` and
/// returns `None`. Returns the build with what `sink_for` made the sink of.
pub fn load_and_build<T>(
    root: &std::path::Path,
    options: &crate::pipeline::BuildOptions,
    failed: impl Fn(usize) -> String,
    sink_for: impl FnOnce(&std::path::Path) -> Result<T, crate::diag::Diagnostic>,
    sink: impl FnOnce(&T) -> crate::output::Sink<'_>,
) -> Option<(T, crate::pipeline::Built)> {
    let source = match crate::source::load_deferred(root) {
        Ok(s) => s,
        Err(d) => {
            report(&d.sorted());
            return None;
        }
    };
    let holder = match sink_for(&source.root) {
        Ok(h) => h,
        Err(d) => {
            report([&d]);
            return None;
        }
    };
    let result = crate::pipeline::build_into(source, options, sink(&holder));
    match result {
        Ok(built) => Some((holder, built)),
        Err(d) => {
            let all = d.sorted();
            let errors = all.iter().filter(|d| d.is_error()).count();
            report(&all);
            eprintln!("{}", failed(errors));
            None
        }
    }
}
