//! `dealwire check`: everything a build checks, plus internal links; writes nothing.

use crate::cli::CheckArgs;
use crate::links;
use crate::pipeline::BuildOptions;

/// Runs the checks; false when the site has errors. Warnings never fail it.
pub fn run(args: &CheckArgs) -> bool {
    let options = BuildOptions {
        base_url: None,
        drafts: args.drafts,
    };
    let Some((_, built)) = super::load_and_build(&args.root, &options, |n| {
        format!("check failed: {n} error{}", crate::diag::plural(n))
    }) else {
        return false;
    };
    let broken = links::check(&built.links, &built.output, &built.config);
    let mut all: crate::diag::Diagnostics = built.warnings.into_iter().collect();
    all.extend(broken);
    let all = all.sorted();
    crate::diag::report(&all);
    let errors = all.iter().filter(|d| d.is_error()).count();
    let warnings = all.len() - errors;
    let link_count: usize = built.links.iter().map(|p| p.links.len()).sum();
    if errors > 0 {
        eprintln!(
            "check failed: {errors} error{}",
            crate::diag::plural(errors)
        );
        return false;
    }
    println!(
        "checked {} article{}, {} deal{} and {} link{}: no errors, {} warning{}",
        built.articles,
        crate::diag::plural(built.articles),
        built.deals,
        crate::diag::plural(built.deals),
        link_count,
        crate::diag::plural(link_count),
        warnings,
        crate::diag::plural(warnings)
    );
    true
}
