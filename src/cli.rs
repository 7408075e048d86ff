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
    /// Builds, serves from memory, rebuilds on change and reloads the browser.
    Serve(ServeArgs),
    /// Checks everything a build would, plus internal links; writes nothing.
    Check(CheckArgs),
    /// Creates a dated article with a front-matter skeleton.
    New(NewArgs),
    /// Creates a new, buildable briefing site in an empty directory.
    Init(InitArgs),
    /// Converts another generator's posts (Zola, Hugo, Jekyll) into articles.
    Import(ImportArgs),
}

/// Options of `dealwire import`.
#[derive(clap::Args, Debug, Clone)]
pub struct ImportArgs {
    /// The generator the archive was made with.
    #[arg(value_enum)]
    pub generator: crate::import::Generator,
    /// The root of the other site (where its `content/` or `_posts/` is).
    pub source: PathBuf,
    /// The dealwire site to import into (it must exist: `dealwire init DIR`).
    #[arg(long, default_value = ".")]
    pub into: PathBuf,
    /// Reports what would be imported and left out; writes nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Where the old site stays online (`https://example.org/`): a link to
    /// one of its pages that was not imported (`/docs/…`, `/about/`) points
    /// there, absolute, rather than nowhere on the new site.
    #[arg(long, value_name = "URL")]
    pub old_base_url: Option<String>,
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
    /// Publishes articles dated after today too (held back by default).
    #[arg(long)]
    pub future: bool,
    /// Builds from scratch: reads and writes no cache (`.dealwire-cache/`).
    #[arg(long)]
    pub no_cache: bool,
}

/// Options of `dealwire check`.
#[derive(clap::Args, Debug, Clone)]
pub struct CheckArgs {
    /// The site root, where `site.yaml` is.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Checks drafts too.
    #[arg(long)]
    pub drafts: bool,
    /// Checks the site as `build --future` makes it (scheduled articles published).
    #[arg(long)]
    pub future: bool,
}

/// Options of `dealwire new`.
#[derive(clap::Args, Debug, Clone)]
pub struct NewArgs {
    /// The article's title; the file name comes from it. With
    /// `--translation-of`, optional: the original's title, to translate.
    #[arg(required_unless_present = "translation_of")]
    pub title: Option<String>,
    /// Adds a commented `deal:` skeleton.
    #[arg(long, conflicts_with = "translation_of")]
    pub deal: bool,
    /// The article's language (`en` or `fr`), when not the site's; with
    /// `--translation-of`, the translation's (default: the other language).
    #[arg(long)]
    pub lang: Option<String>,
    /// Starts the translation of this article (relative to `--root`, or to the
    /// current directory) beside it, as `NAME.LANG.md`, referring to its deals.
    #[arg(long, value_name = "FILE")]
    pub translation_of: Option<PathBuf>,
    /// The site root, where `site.yaml` is.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
}

/// Options of `dealwire init`.
#[derive(clap::Args, Debug, Clone)]
pub struct InitArgs {
    /// The directory to create the site in (new or empty).
    pub dir: PathBuf,
}

/// Options of `dealwire serve`.
#[derive(clap::Args, Debug, Clone)]
pub struct ServeArgs {
    /// The site root, where `site.yaml` is.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// The address to listen on; anything but loopback is reachable from other machines.
    #[arg(long, default_value = "127.0.0.1")]
    pub interface: std::net::IpAddr,
    /// The port; 0 picks a free one (printed at start).
    #[arg(long, default_value_t = 1111)]
    pub port: u16,
    /// Builds drafts too.
    #[arg(long)]
    pub drafts: bool,
}
