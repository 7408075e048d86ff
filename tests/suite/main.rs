//! dealwire's integration tests: one binary, a module per feature, a fixture
//! folder per case under `tests/fixtures/`.

mod harness;

mod check;
mod clients;
mod cli;
mod errors;
mod exports;
mod incremental;
mod output_dir;
mod pages;
mod scaffold;
mod serve;
