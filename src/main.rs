//! The `dealwire` binary: parses the command line, runs a command, maps the
//! result to an exit status (0 ok, 1 the site has errors, 2 usage). Nothing else.

use std::process::ExitCode;

use clap::Parser;
use dealwire::cli::{Cli, Command};
use dealwire::cmd;

/// mimalloc: a build allocates and frees millions of small strings on every
/// core; the system allocator spent a fifth of the build's time on them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let ok = match cli.command {
        Command::Build(args) => cmd::build::run(&args),
        Command::Serve(args) => cmd::serve::run(&args),
        Command::Check(args) => cmd::check::run(&args),
        Command::New(args) => cmd::new::run(&args),
        Command::Init(args) => cmd::init::run(&args),
        Command::Import(args) => cmd::import::run(&args),
    };
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
