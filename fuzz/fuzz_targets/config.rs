//! `config::parse` over arbitrary `site.yaml` text.
//!
//! Invariants: no panic; a refused configuration has at least one error and
//! every diagnostic names `site.yaml`; an accepted one has an http(s) base URL
//! ending in `/`, a base path that starts and ends with `/` and ends the base
//! URL, rates above zero and a feed limit of one or more.

#![no_main]

use dealwire::config;
use dealwire_fuzz::{check_message, ensure};
use libfuzzer_sys::fuzz_target;
use rust_decimal::Decimal;

fuzz_target!(|text: &str| {
    match config::parse(text) {
        Ok(c) => {
            ensure(
                (c.base_url.starts_with("https://") || c.base_url.starts_with("http://"))
                    && c.base_url.ends_with(&c.base_path)
                    && c.base_path.starts_with('/')
                    && c.base_path.ends_with('/'),
                "config-base-url",
                || format!("{:?} / {:?}", c.base_url, c.base_path),
            );
            ensure(
                c.rates
                    .values()
                    .all(|r| r.periods().iter().all(|(_, rate)| *rate > Decimal::ZERO)),
                "config-rates",
                || format!("{:?}", c.rates),
            );
            ensure(c.feed_limit >= 1, "config-feed-limit", || {
                format!("{}", c.feed_limit)
            });
            let _ = c.clone().with_base_url(text.lines().next().unwrap_or(""));
            let _ = c.absolute_url(text);
            let _ = c.path_url(text);
        }
        Err(diags) => {
            ensure(diags.has_errors(), "failure-has-error", || {
                format!("{diags:?}")
            });
            for d in diags.iter() {
                ensure(
                    d.path == config::CONFIG_FILE && d.to_string().starts_with("error: site.yaml"),
                    "diagnostic-names-file",
                    || d.to_string(),
                );
                check_message(d);
            }
        }
    }
});
