//! `html::text` over arbitrary text. It reads dealwire's own rendered HTML
//! (an article's published summary for its descriptions, its body for its
//! search record), so its output is what a reader is told the article says.
//!
//! Invariants: no panic; the text is normal, with no leading, trailing or
//! doubled white space (`text-normal`); the text written back as a page
//! writes text (escaped) reads as itself (`text-idempotent`); whatever a
//! `<script>` or a `<style>` holds between two paragraphs never shows: the
//! text is that of the paragraphs (`hidden-content`). The last is checked
//! when the content cannot end its element early (no `</script`, `</style`
//! or, in a script, `<!--`, whose escape states a browser follows too).

#![no_main]

use dealwire::escape;
use dealwire::html::text;
use dealwire_fuzz::ensure;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    let read = text(input);
    let normal = read.split_whitespace().collect::<Vec<_>>().join(" ");
    ensure(read == normal, "text-normal", || format!("{read:?}"));
    let again = text(&escape::html(&read));
    ensure(again == read, "text-idempotent", || {
        format!("{read:?} read back as {again:?}")
    });
    let lower = input.to_ascii_lowercase();
    let wrappers = [
        (
            "script",
            !lower.contains("</script") && !lower.contains("<!--"),
        ),
        ("style", !lower.contains("</style")),
    ];
    for (element, closes) in wrappers {
        if !closes {
            continue;
        }
        let html = format!("<p>before</p><{element}>{input}</{element}><p>after</p>");
        let read = text(&html);
        ensure(read == "before after", "hidden-content", || {
            format!("<{element}> content shows: {read:?}")
        });
    }
});
