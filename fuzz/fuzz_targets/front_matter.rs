//! `article::parse` over arbitrary file bytes, as an article of an English
//! site and as a standalone page (`content/pages/x.md`) of a French one, and
//! `yaml::locate` over the front-matter text.
//!
//! Invariants: no panic; an article that fails has at least one error, and every
//! diagnostic names the file (`error: content/articles/x.md…`) at a line inside
//! the file; a parsed deal has two or more different parties and a figure above
//! zero; `locate` answers a position inside the text.

#![no_main]

use std::sync::OnceLock;

use dealwire::article;
use dealwire::config::{self, Config};
use dealwire::diag::{Diagnostics, Severity};
use dealwire::money::Amount;
use dealwire::source::SourceFile;
use dealwire::{frontmatter, yaml};
use dealwire_fuzz::{check_message, ensure};
use libfuzzer_sys::fuzz_target;

/// The file as an article (English site), then as a page (French site).
const PATHS: [&str; 2] = ["content/articles/x.md", "content/pages/x.md"];

const SITE: &str = "title: Fuzz Briefing\nbase_url: https://example.org/briefing/\nreporting_currency: USD\nrates:\n  EUR: 1.08\n  GBP: 1.27\n  JPY: 0.0066\n  CHF: \"1.1\"\nparties:\n  Amazon: { aliases: [AWS, Amazon Web Services] }\n  OpenAI: {}\n  Nvidia: {}\n";

fn configs() -> &'static [Config; 2] {
    static CONFIGS: OnceLock<[Config; 2]> = OnceLock::new();
    CONFIGS.get_or_init(|| {
        let en =
            config::parse(&format!("{SITE}language: en\n")).expect("the English config parses");
        let fr = config::parse(&format!("{SITE}language: fr\n")).expect("the French config parses");
        [en, fr]
    })
}

const FIELDS: &[&str] = &[
    "title",
    "deal.amount",
    "deal.parties[1]",
    "deals[1].parties[0]",
    "deals[0].amount",
    "tags[2]",
];

fuzz_target!(|data: &[u8]| {
    // Lines as the YAML reader counts them (`\n`, `\r\n` or a lone `\r`): the
    // most any position may say. Lone CRs are reported apart (see docs/fuzzing.md).
    let lines = data
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && data.get(i + 1) != Some(&b'\n')))
        .count()
        + 1;
    for (config, path) in configs().iter().zip(PATHS) {
        let file = SourceFile::new(path, data.to_vec());
        let mut diagnostics = Diagnostics::new();
        let failed = match article::parse(&file, &config.article_settings(), &mut diagnostics) {
            Some(article) => {
                for deal in &article.deals {
                    ensure(deal.parties.len() >= 2, "article-shape", || {
                        format!("{:?}", deal.parties)
                    });
                    let mut unique = deal.parties.clone();
                    unique.sort();
                    unique.dedup();
                    ensure(unique.len() == deal.parties.len(), "article-shape", || {
                        format!("{:?}", deal.parties)
                    });
                    if let Amount::Figure { money, .. } = deal.amount {
                        ensure(
                            money.value > rust_decimal::Decimal::ZERO,
                            "article-shape",
                            || format!("{money:?}"),
                        );
                    }
                }
                false
            }
            None => true,
        };
        ensure(
            failed == diagnostics.has_errors(),
            "failure-has-error",
            || format!("{diagnostics:?}"),
        );
        if failed {
            ensure(
                diagnostics.iter().any(|d| d.severity == Severity::Error),
                "failure-has-error",
                || format!("{diagnostics:?}"),
            );
        }
        for d in &diagnostics {
            let label = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let shown = d.to_string();
            ensure(
                d.path == path && shown.starts_with(&format!("{label}: {path}")),
                "diagnostic-names-file",
                || shown.clone(),
            );
            check_message(d);
            if let Some((line, col)) = d.position {
                ensure(
                    line >= 1 && col >= 1 && line <= lines,
                    "diagnostic-position-in-file",
                    || format!("{shown} (the file has {lines} lines)"),
                );
            }
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let yaml_text = frontmatter::split(text).map_or(text, |s| s.yaml);
        let yaml_lines: Vec<&str> = yaml_text.lines().collect();
        for field in FIELDS {
            if let Some((line, col)) = yaml::locate(yaml_text, field) {
                let fits = line >= 1
                    && line <= yaml_lines.len()
                    && col >= 1
                    && col <= yaml_lines[line - 1].len() + 1;
                ensure(fits, "locate-in-text", || {
                    format!("{field} at {line}:{col} in {yaml_text:?}")
                });
            }
        }
    }
});
