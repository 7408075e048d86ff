//! `dealwire init DIR`: a new briefing site that builds at once with the
//! built-in theme. Refuses a directory that is not empty.

use std::path::Path;

use crate::cli::InitArgs;

const SITE_YAML: &str = r#"# The briefing's configuration. Every key is described in dealwire's README.
title: My Deals Briefing
# The public address of the site; a sub-path such as /briefing/ works too.
base_url: https://example.org/
# en or fr: the default language of articles (an article may set `lang:`).
language: en
# The built-in theme; a folder themes/NAME/ holds your own.
theme: default
description: Who signed with whom, for how much, and when.
# Totals and sorting across currencies happen in this currency...
reporting_currency: USD
# ...using these rates: the value of 1 unit of each currency in it.
rates:
  EUR: 1.08
  GBP: 1.27
# Canonical party names and their aliases: `AWS` in an article counts as Amazon.
parties:
  Amazon: { aliases: [AWS, Amazon Web Services] }
  OpenAI: {}
# The syntect theme for code blocks.
highlight: { theme: base16-ocean.dark }
"#;

const SAMPLE: &str = r#"---
title: OpenAI signs a $38 billion cloud deal with Amazon Web Services
date: 2025-11-03
summary: A seven-year agreement for Nvidia GPU capacity on AWS.
tags: [cloud, compute]
deal:
  amount: $38 billion
  parties: [OpenAI, AWS]
  kind: cloud
  term: 7 years
---

This is a sample article. Its front matter records a deal, which appears on
the deals index with the totals. Replace it with your own reporting, or add an
article with `dealwire new "Title" --deal`.
"#;

const ABOUT: &str = r#"---
title: About this briefing
summary: Who writes this briefing, and how it counts the deals it tracks.
---

This is a standalone page: a file of `content/pages/` has no date and is on
no list, in no feed and in no deals index, but it is in the sitemap. This one
is at `/about/`; `content/pages/about.fr.md` would be its French edition.
Use pages for the masthead, the corrections policy or a privacy notice.
"#;

/// Creates the site; false (with a message) when it cannot.
pub fn run(args: &InitArgs) -> bool {
    match create(&args.dir) {
        Ok(()) => {
            println!("created a briefing in {}", args.dir.display());
            println!("next: cd {} && dealwire build", args.dir.display());
            true
        }
        Err(message) => {
            eprintln!("error: {message}");
            false
        }
    }
}

/// Writes `site.yaml`, a sample article, an About page and a `.gitignore`
/// into `dir`.
pub fn create(dir: &Path) -> Result<(), String> {
    let shown = dir.display();
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir).map_err(|e| format!("{shown}: {e}"))?;
        if entries.next().is_some() {
            return Err(format!(
                "{shown} is not empty; dealwire init only fills an empty or new directory"
            ));
        }
    }
    let articles = dir.join("content").join("articles");
    let pages = dir.join("content").join("pages");
    for folder in [&articles, &pages] {
        std::fs::create_dir_all(folder).map_err(|e| format!("{}: {e}", folder.display()))?;
    }
    for (path, text) in [
        (dir.join("site.yaml"), SITE_YAML),
        (articles.join("openai-aws-38-billion.md"), SAMPLE),
        (pages.join("about.md"), ABOUT),
        (dir.join(".gitignore"), "/public/\n"),
    ] {
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}
