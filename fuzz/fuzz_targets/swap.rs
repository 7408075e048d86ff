//! The output swap killed at random points, checked against the model of
//! the folder in `output::drill`: a previous output (or none) holding the
//! user's dot entries, a new output, a kill before any step of the swap and,
//! sometimes, a second kill in the next build's recovery.
//!
//! Invariants (`swap-drill`): the user's files are never lost; a following
//! failed build leaves the old site or the new one whole; a following
//! successful build leaves the new site with every kept entry and nothing
//! beside the output.

#![no_main]

use arbitrary::Arbitrary;
use dealwire::output::drill::{Drill, run};
use dealwire_fuzz::ensure;
use libfuzzer_sys::fuzz_target;

/// Paths that can all be present at once (no file is another's folder).
const SITE: [&str; 6] = [
    "index.html",
    "atom.xml",
    "articles/a/index.html",
    "articles/b/index.html",
    "deals/2025/index.html",
    "search/x/y.js",
];
const USER: [&str; 4] = [
    ".git/HEAD",
    ".git/objects/ab/cd",
    ".well-known/security.txt",
    ".nojekyll",
];

#[derive(Arbitrary, Debug)]
struct Plan {
    had_output: bool,
    /// Per site path: present in the old output, and its byte.
    old: [(bool, u8); 6],
    /// Per site path: present in the new output, and its byte.
    new: [(bool, u8); 6],
    user: [bool; 4],
    kill_swap: u8,
    kill_recovery: Option<u8>,
}

fn files(chosen: &[(bool, u8); 6]) -> Vec<(String, Vec<u8>)> {
    SITE.iter()
        .zip(chosen)
        .filter(|(_, (present, _))| *present)
        .map(|(p, (_, b))| (p.to_string(), vec![*b; 3]))
        .collect()
}

fuzz_target!(|plan: Plan| {
    let drill = Drill {
        old: plan.had_output.then(|| files(&plan.old)),
        new: files(&plan.new),
        kept: USER
            .iter()
            .zip(plan.user)
            .filter(|(_, on)| *on)
            .map(|(p, _)| (p.to_string(), p.as_bytes().to_vec()))
            .collect(),
        kill_swap: usize::from(plan.kill_swap % 24),
        kill_recovery: plan.kill_recovery.map(|k| usize::from(k % 16)),
    };
    let dir = std::env::temp_dir().join(format!("dealwire-fuzz-swap-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temporary folder");
    let result = run(&dir, &drill);
    let _ = std::fs::remove_dir_all(&dir);
    ensure(result.is_ok(), "swap-drill", || {
        format!("{drill:?}: {result:?}")
    });
});
