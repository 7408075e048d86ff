//! The command line, as clap derive types. No logic lives here.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// dealwire: builds a deals briefing from Markdown into a static site.
#[derive(Parser, Debug)]
#[command(name = "dealwire", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Builds the site into the output directory (default `public/`).
    Build(BuildArgs),
}

/// Options of `dealwire build`.
#[derive(clap::Args, Debug, Clone)]
pub struct BuildArgs {
    /// The site root, where `site.yaml` is.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Where to write the site (relative paths start from the current directory);
    /// default: `public/` under the root.
    #[arg(long)]
    pub output_dir: Option<PathBuf>,
    /// Replaces `base_url` from `site.yaml` (for preview deploys).
    #[arg(long)]
    pub base_url: Option<String>,
    /// Builds drafts too.
    #[arg(long)]
    pub drafts: bool,
}
