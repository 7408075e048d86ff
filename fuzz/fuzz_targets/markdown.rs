//! `markdown::render` over arbitrary text with raw HTML sanitized (the
//! default) and escaped, in English and French with typography, and in
//! English without; then its link slots filled as the article's page does
//! (`page_html`) and as list pages and feeds do (`rebased_html`). Trusted
//! HTML is rendered too, for panics and unfilled slots only.
//!
//! Invariants: no panic; neither the body nor the summary HTML (nor their
//! rebased forms) can run script: no `<script>`/`<iframe>`/`<object>`/`<embed>`
//! element, no `on*` attribute, no `javascript:`/`vbscript:`/`data:text/html`
//! URL in `href`/`src` (after entity decoding); heading ids are unique.

#![no_main]

use dealwire::html::HtmlPolicy;
use dealwire::i18n::Lang;
use dealwire::markdown::{self, MarkdownOptions};
use dealwire_fuzz::{Scripts, check_html, ensure};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let trusted = markdown::render(
        text,
        MarkdownOptions {
            html: HtmlPolicy::Trust,
            ..MarkdownOptions::default()
        },
    );
    let page = markdown::page_html(&trusted.html, &trusted.links, &trusted.elements);
    ensure(!page.contains('\0'), "slots-filled", || page.clone());
    let variants = [
        (Lang::En, true, HtmlPolicy::Sanitize),
        (Lang::Fr, true, HtmlPolicy::Escape),
        (Lang::En, false, HtmlPolicy::Sanitize),
    ];
    for (lang, typography, html) in variants {
        let out = markdown::render(
            text,
            MarkdownOptions {
                html,
                typography,
                lang,
            },
        );
        let body = markdown::page_html(&out.html, &out.links, &out.elements);
        let summary = markdown::page_html(&out.summary_html, &out.links, &out.elements);
        check_html(&body, "body", Scripts::None);
        check_html(&summary, "summary", Scripts::None);
        ensure(!body.contains('\0'), "slots-filled", || body.clone());
        let page = "/briefing/articles/x/";
        check_html(
            &markdown::rebased_html(&out.html, &out.links, &out.elements, page),
            "rebased body",
            Scripts::None,
        );
        check_html(
            &markdown::rebased_html(&out.summary_html, &out.links, &out.elements, page),
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
