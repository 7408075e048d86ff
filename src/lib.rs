//! dealwire: a static site generator for a tech-news briefing that tracks deals.
//!
//! Editors write Markdown articles with YAML front matter (amount, parties,
//! date); dealwire renders them through Tera themes into a static site with a
//! deals index, totals, party and tag pages, and machine-readable exports.
//!
//! The build is a pipeline of values; disk is touched only where files are read (the source, and articles as they are parsed) and where they go (the sink):
//!
//! ```text
//!  source::load      Path        → SiteSource   (I/O: site.yaml, static/, templates/, themes/; `load_deferred` leaves articles to the parse)
//!  config::parse     site.yaml   → Config
//!  theme::resolve    SiteSource  → Theme → render::Templates
//!  article::parse    SourceFile  → Article      (parallel: frontmatter, money, party, markdown → code, highlight, typography)
//!  site::assemble    Articles    → Site         (URLs, order, deals index, totals, tags, parties, `@/` links)
//!  render::render_site Site      → Sink         (parallel pages, lists, feeds, exports, chart, each put as it is made)
//!  strip::publishable  SourceFile → Sink       (every copied file: static/, the theme's, articles' folders; images lose their metadata)
//!  output::Staging   Sink        → public/      (I/O: lock, stage, marker, swap; `output::write` for a whole `Output`)
//!  links::check      Output      → Diagnostics  (`dealwire check`: every internal link resolves)
//! ```
//!
//! `pipeline::build` runs the middle into memory, `pipeline::build_into` into
//! any `output::Sink` (`dealwire build` streams into a staging folder, so a
//! large archive is never held whole; `spill` keeps rendered bodies on disk
//! between parse and render); `cmd::*` do the I/O around it.
//! `serve` keeps a `pipeline::Cache` between rebuilds and serves `Output` from memory.
//! Problems are collected in one `diag::Diagnostics` passed down the stages,
//! every broken file in one run. The model's three index spaces (articles,
//! deals of the index, deals within an article) have their own types
//! (`index::ArticleIdx`, `DealIdx`, `DealNo`), so they cannot be mixed.

#![deny(missing_docs)]

pub mod article;
pub mod build_cache;
pub mod cli;
pub mod cmd;
pub mod code;
pub mod config;
pub mod diag;
pub mod escape;
pub mod frontmatter;
pub mod highlight;
pub mod html;
pub mod i18n;
pub mod images;
pub mod import;
pub mod index;
pub mod links;
pub mod live;
pub mod markdown;
pub mod media;
pub mod money;
pub mod output;
pub mod party;
pub mod pipeline;
pub mod places;
pub mod render;
pub mod serve;
pub mod site;
pub mod slug;
pub mod source;
pub mod spill;
pub mod strip;
pub mod text;
pub mod theme;
pub mod typography;
pub mod urls;
pub mod yaml;
