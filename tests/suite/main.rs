//! dealwire's integration tests: one binary, a module per feature, a fixture
//! folder per case under `tests/fixtures/`.

mod harness;

// Headless Chromium, chromedriver and axe-core: `--features real-clients`,
// which `tests/run` always passes (it installs them first).
#[cfg(feature = "real-clients")]
mod browser;
mod build_cache;
mod check;
mod cli;
mod clients;
mod editions;
mod errors;
mod exports;
mod golden;
mod images;
mod import;
mod incremental;
mod layout;
mod lists;
mod media;
#[cfg(feature = "real-clients")]
mod media_browser;
mod output_dir;
mod pages;
mod properties;
mod records;
mod safety;
mod sanitize;
mod scaffold;
mod scale;
mod scheduled;
mod serve;
mod serve_safety;
mod standalone;

/// The demo briefing built once per call into a temporary folder (`public/`).
pub fn clients_demo() -> (tempfile::TempDir, std::path::PathBuf) {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("public");
    let out_arg = out.to_string_lossy().into_owned();
    let run = harness::run_in(repo, &["build", "--output-dir", &out_arg], repo);
    assert_eq!(run.status, 0, "{}", run.stderr);
    (tmp, out)
}
