//! `markdown::render` over arbitrary text with raw HTML off (the default), in
//! English and French with typography, and in English without; then its link
//! slots filled as the article's page does (`page_html`) and as list pages and
//! feeds do (`rebased_html`).
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
        let body = markdown::page_html(&out.html, &out.links);
        let summary = markdown::page_html(&out.summary_html, &out.links);
        check_html(&body, "body", Scripts::None);
        check_html(&summary, "summary", Scripts::None);
        ensure(!body.contains('\0'), "slots-filled", || body.clone());
        let page = "/briefing/articles/x/";
        check_html(
            &markdown::rebased_html(&out.html, &out.links, page),
            "rebased body",
            Scripts::None,
        );
        check_html(
            &markdown::rebased_html(&out.summary_html, &out.links, page),
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
