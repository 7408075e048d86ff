//! `markdown::render` over arbitrary text with raw HTML off (the default), in
//! English and French with typography, and in English without; then
//! `markdown::rebase_links` over the result, as list pages do with summaries.
//!
//! Invariants: no panic; neither the body nor the summary HTML (nor their
//! rebased forms) can run script: no `<script>`/`<iframe>`/`<object>`/`<embed>`
//! element, no `on*` attribute, no `javascript:`/`vbscript:`/`data:text/html`
//! URL in `href`/`src` (after entity decoding); heading ids are unique.

#![no_main]

use dealwire::i18n::Lang;
use dealwire::markdown::{self, MarkdownOptions};
use dealwire_fuzz::{Scripts, check_html, ensure};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let variants = [(Lang::En, true), (Lang::Fr, true), (Lang::En, false)];
    for (lang, typography) in variants {
        let out = markdown::render(
            text,
            MarkdownOptions {
                unsafe_html: false,
                typography,
                lang,
            },
        );
        check_html(&out.html, "body", Scripts::None);
        check_html(&out.summary_html, "summary", Scripts::None);
        let page = "/briefing/articles/x/";
        check_html(
            &markdown::rebase_links(&out.html, page),
            "rebased body",
            Scripts::None,
        );
        check_html(
            &markdown::rebase_links(&out.summary_html, page),
            "rebased summary",
            Scripts::None,
        );
        let mut ids: Vec<&str> = out.headings.iter().map(|h| h.id.as_str()).collect();
        ids.sort_unstable();
        let before = ids.len();
        ids.dedup();
        ensure(ids.len() == before, "unique-heading-ids", || {
            format!("{:?}", out.headings)
        });
    }
});
