//! `dealwire build`: load, build, write, and one summary line.

use std::time::Instant;

use crate::cli::BuildArgs;
use crate::diag::Diagnostic;
use crate::output;
use crate::pipeline::{self, BuildOptions};
use crate::source;

/// Runs a build; false when the site has errors or could not be written.
pub fn run(args: &BuildArgs) -> bool {
    let started = Instant::now();
    let source = match source::load(&args.root) {
        Ok(s) => s,
        Err(d) => {
            super::report(&d.sorted());
            return false;
        }
    };
    let options = BuildOptions {
        base_url: args.base_url.clone(),
        drafts: args.drafts,
        collect_links: false,
    };
    let root = source.root.clone();
    let built = match pipeline::build(source, &options) {
        Ok(b) => b,
        Err(d) => {
            let all = d.sorted();
            let errors = all.iter().filter(|d| d.is_error()).count();
            super::report(&all);
            eprintln!(
                "build failed: {errors} error{}; the output directory was not changed",
                super::plural(errors)
            );
            return false;
        }
    };
    super::report(&built.warnings);
    let target = args
        .output_dir
        .clone()
        .unwrap_or_else(|| args.root.join("public"));
    if let Err(e) = output::write(&built.output, &target, &root) {
        super::report([&Diagnostic::error(
            target.display().to_string(),
            e.to_string(),
        )]);
        return false;
    }
    println!(
        "built {} article{}, {} deal{}, {} page{} into {} in {} ms",
        built.articles,
        super::plural(built.articles),
        built.deals,
        super::plural(built.deals),
        built.pages,
        super::plural(built.pages),
        target.display(),
        started.elapsed().as_millis()
    );
    true
}
