//! `dealwire build`: load, build, write, and one summary line.

use std::time::Instant;

use crate::cli::BuildArgs;
use crate::diag::Diagnostic;
use crate::output;
use crate::pipeline::BuildOptions;

/// Runs a build; false when the site has errors or could not be written.
pub fn run(args: &BuildArgs) -> bool {
    let started = Instant::now();
    let options = BuildOptions {
        base_url: args.base_url.clone(),
        drafts: args.drafts,
        future: args.future,
        preview: false,
    };
    let failed = |n| {
        format!(
            "build failed: {}; the output directory was not changed",
            crate::diag::count(n, "error")
        )
    };
    let target = args
        .output_dir
        .clone()
        .unwrap_or_else(|| args.root.join("public"));
    let refused =
        |e: output::WriteError| Diagnostic::error(target.display().to_string(), e.to_string());
    // The target is checked, locked and staged before the build, which writes
    // each page into the staging folder as it is made.
    // The build cache (`.dealwire-cache/build/`), unless `--no-cache`.
    let staged = super::load_and_build(
        &args.root,
        &options,
        failed,
        |root| {
            let staging = output::Staging::begin(&target, root).map_err(refused)?;
            let cache = (!args.no_cache)
                .then(|| crate::build_cache::BuildCache::open(root))
                .flatten()
                .map(std::sync::Arc::new);
            Ok((staging, cache))
        },
        |(staging, cache)| {
            let sink = output::Sink::folder(staging);
            if args.no_cache {
                sink.without_caches()
            } else {
                sink.with_build_cache(cache.clone())
            }
        },
    );
    let Some(((staging, cache), built)) = staged else {
        return false;
    };
    let recovered = staging
        .notes()
        .iter()
        .map(|note| Diagnostic::warning(target.display().to_string(), note.clone()));
    crate::diag::report(&recovered.collect::<Vec<_>>());
    crate::diag::report(&built.warnings);
    if let Err(e) = staging.finish() {
        crate::diag::report([&refused(e)]);
        return false;
    }
    if let Some(cache) = cache {
        crate::diag::report(&cache.finish(true));
    }
    if let Some((_, first)) = built.scheduled.first() {
        println!(
            "held back {} dated after today (the first on {first}; `check` lists them, `--future` publishes them)",
            crate::diag::count(built.scheduled.len(), "scheduled article"),
        );
    }
    println!(
        "built {}, {}, {} into {} in {} ms",
        crate::diag::count(built.articles, "article"),
        crate::diag::count(built.deals, "deal"),
        crate::diag::count(built.pages, "page"),
        target.display(),
        started.elapsed().as_millis()
    );
    true
}
