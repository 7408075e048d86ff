//! `dealwire check`: everything a build checks, plus internal links; writes nothing.

use crate::cli::CheckArgs;
use crate::pipeline::BuildOptions;

/// Runs the checks; false when the site has errors. Warnings never fail it.
pub fn run(args: &CheckArgs) -> bool {
    let options = BuildOptions {
        base_url: None,
        drafts: args.drafts,
        future: args.future,
        preview: false,
    };
    let failed = |n| format!("check failed: {}", crate::diag::count(n, "error"));
    let paths_only = |_: &std::path::Path| Ok(());
    let Some((_, built)) = super::load_and_build(&args.root, &options, failed, paths_only, |_| {
        crate::output::Sink::paths()
    }) else {
        return false;
    };
    // The links were checked by the build itself (a check goes on past
    // errors, so one run reports them all).
    let mut all = built.warnings;
    all.extend(built.duplicates);
    let all = all.sorted();
    crate::diag::report(&all);
    let errors = all.iter().filter(|d| d.is_error()).count();
    let warnings = all.len() - errors;
    let link_count: usize = built.links.iter().map(|p| p.links.len()).sum();
    for (path, date) in &built.scheduled {
        println!(
            "scheduled: {path}: dated {date}, held back by `build` until that day (`build --future` publishes it now)"
        );
    }
    if errors > 0 {
        eprintln!("{}", failed(errors));
        return false;
    }
    println!(
        "checked {}, {} and {}: no errors, {}",
        crate::diag::count(built.articles, "article"),
        crate::diag::count(built.deals, "deal"),
        crate::diag::count(link_count, "link"),
        crate::diag::count(warnings, "warning"),
    );
    true
}
