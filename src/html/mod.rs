//! Raw HTML written in articles: the site's policy for it, the sanitizer that
//! applies it, and the notes an editor gets about what it changed.
//!
//! - `sanitize` (the default): ammonia keeps the formatting and structure tags
//!   articles use and removes scripts, event handlers, `style` (but one
//!   `text-align` on a table cell), iframes and dangerous URL schemes; what
//!   holds code or a fallback (`script`, `style`, `noscript`, `iframe`…) goes
//!   with its content. The scan notes each kind of removal once per article.
//! - `escape`: raw HTML is shown as text.
//! - `trust`: raw HTML passes as written.
//!
//! In every mode HTML comments are dropped and the result is balanced (an
//! article cannot close the theme's elements): `sanitize` and `trust` parse
//! the body with html5ever and write it again. Only bodies that hold raw HTML
//! take that path.
//!
//! The body's link slots (see `markdown`) must survive the parser, which
//! replaces U+0000: they are written as markers made from a hash of the body,
//! which no text of that body can contain, and turned back after. `href` and
//! `src` values of raw HTML become slots too, so that they are rebased on
//! list pages and checked like Markdown links.
//!
//! Beside the sanitizer and sharing its lists: `scan` (the notes for the
//! editor, read from the raw HTML as Markdown hands it over) and `read`, the
//! readers of published HTML: `text` (what a reader sees: descriptions,
//! search records) and `absolute_links` (every URL of a feed entry made
//! absolute).

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use serde::Deserialize;

mod read;
mod scan;

pub use read::{absolute_links, text};
pub use scan::{Note, Scan};

/// What becomes of raw HTML in Markdown (`markdown: { html: … }`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HtmlPolicy {
    /// Harmless tags stay live; the rest is removed, with a warning.
    #[default]
    Sanitize,
    /// Shown as text.
    Escape,
    /// Passed through as written (still balanced).
    Trust,
}

/// Tags added to ammonia's allowlist: what Markdown itself writes (task list
/// boxes) and the structure of figures and disclosures.
const EXTRA_TAGS: [&str; 7] = [
    "details",
    "summary",
    "figure",
    "figcaption",
    "input",
    "progress",
    "meter",
];

/// Tags removed with what they hold (ammonia's `script` and `style`, and
/// these): their content is code or a fallback, never the article's text.
const CONTENT_REMOVED: [&str; 6] = ["iframe", "noscript", "template", "object", "embed", "svg"];

/// Attributes any allowed tag may carry: ammonia's (`lang`, `title`) and
/// what the Markdown writer puts on headings, anchors and code.
const GENERIC_ATTRIBUTES: [&str; 7] = [
    "class",
    "id",
    "dir",
    "tabindex",
    "aria-hidden",
    "aria-label",
    "role",
];

/// Attributes added to ammonia's per-tag allowlist.
const EXTRA_TAG_ATTRIBUTES: [(&str, &[&str]); 12] = [
    ("progress", &["value", "max"]),
    ("meter", &["value", "min", "max", "low", "high", "optimum"]),
    ("a", &["title"]),
    ("img", &["title", "loading"]),
    ("pre", &["data-lang"]),
    ("ol", &["reversed", "type"]),
    ("td", &["style"]),
    ("th", &["style"]),
    ("details", &["open"]),
    ("time", &["datetime"]),
    ("data", &["value"]),
    ("input", &["checked", "disabled"]),
];

/// The sanitizer's settings; the notes are made from the same lists.
fn builder() -> ammonia::Builder<'static> {
    let mut b = ammonia::Builder::default();
    b.add_tags(EXTRA_TAGS)
        .add_clean_content_tags(CONTENT_REMOVED)
        .add_generic_attributes(GENERIC_ATTRIBUTES)
        .link_rel(None)
        .strip_comments(true);
    for (tag, attributes) in EXTRA_TAG_ATTRIBUTES {
        b.add_tag_attributes(tag, attributes);
    }
    // A box in an article is never a form control.
    b.add_tag_attribute_values("input", "type", ["checkbox"])
        .set_tag_attribute_value("input", "disabled", "");
    b
}

/// What a `style` attribute may keep: one `text-align` on a table cell
/// (what Markdown writes for an aligned column), in the form Markdown writes
/// it. Anything else and the whole attribute goes: never an emptied
/// `style=""`, never half of what the editor wrote.
fn cell_alignment(tag: &str, style: &str) -> Option<&'static str> {
    if !matches!(tag, "td" | "th") {
        return None;
    }
    let declaration = style.trim().trim_end_matches(';');
    let (property, value) = declaration.split_once(':')?;
    if !property.trim().eq_ignore_ascii_case("text-align") {
        return None;
    }
    let value = value.trim();
    [
        "text-align: left",
        "text-align: center",
        "text-align: right",
        "text-align: justify",
        "text-align: start",
        "text-align: end",
    ]
    .into_iter()
    .find(|a| a["text-align: ".len()..].eq_ignore_ascii_case(value))
}

/// Whether ammonia keeps a URL attribute: relative, or absolute with a scheme
/// of its list (its own test, so that the notes say what it does).
fn url_kept(value: &str) -> bool {
    match url::Url::parse(value) {
        Ok(url) => lists().schemes.contains(url.scheme()),
        Err(e) => e == url::ParseError::RelativeUrlWithoutBase,
    }
}

/// The allowlists, read once from the builder.
struct Lists {
    tags: std::collections::HashSet<&'static str>,
    content_removed: std::collections::HashSet<&'static str>,
    generic: std::collections::HashSet<&'static str>,
    per_tag: HashMap<&'static str, std::collections::HashSet<&'static str>>,
    /// Attributes allowed on a tag with some values only (`type="checkbox"`).
    values: HashMap<&'static str, HashMap<&'static str, std::collections::HashSet<&'static str>>>,
    schemes: std::collections::HashSet<&'static str>,
}

fn lists() -> &'static Lists {
    static LISTS: std::sync::OnceLock<Lists> = std::sync::OnceLock::new();
    LISTS.get_or_init(|| {
        let b = builder();
        Lists {
            tags: b.clone_tags(),
            content_removed: b.clone_clean_content_tags(),
            generic: b.clone_generic_attributes(),
            per_tag: b.clone_tag_attributes(),
            values: b.clone_tag_attribute_values(),
            schemes: b.clone_url_schemes(),
        }
    })
}

/// Elements whose end tag HTML lets an author leave out: not worth a note.
const OPTIONAL_END: [&str; 12] = [
    "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "option", "rt", "rp",
];

/// Elements that never have an end tag.
const VOID: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// Collects tokens; `Tokenizer` hands them over through `&self`.
struct Sink {
    tokens: RefCell<Vec<(Token, usize)>>,
}

/// The tokens of a piece of HTML, each with its 1-based line.
fn tokens(html: &str) -> Vec<(Token, usize)> {
    let sink = Sink {
        tokens: RefCell::new(Vec::new()),
    };
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let queue = BufferQueue::default();
    queue.push_back(StrTendril::from(html));
    let _ = tokenizer.feed(&queue);
    tokenizer.end();
    tokenizer.sink.tokens.take()
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, line: u64) -> TokenSinkResult<()> {
        use html5ever::tokenizer::states::RawKind;
        let raw = match &token {
            Token::TagToken(tag) if tag.kind == TagKind::StartTag => match &*tag.name {
                "script" => Some(RawKind::ScriptData),
                "style" | "xmp" | "iframe" | "noembed" | "noframes" => Some(RawKind::Rawtext),
                "title" | "textarea" => Some(RawKind::Rcdata),
                _ => None,
            },
            _ => None,
        };
        let line = usize::try_from(line).unwrap_or(usize::MAX);
        self.tokens.borrow_mut().push((token, line));
        match raw {
            Some(kind) => TokenSinkResult::RawData(kind),
            None => TokenSinkResult::Continue,
        }
    }
}

/// HTML text with its comments removed (for `escape`, where the parser does
/// not run). A comment ends at the first `-->` (or `--!>`); an unclosed one
/// runs to the end, as a browser reads it.
pub fn strip_comments(html: &str) -> Cow<'_, str> {
    if !html.contains("<!--") {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        let inner = &rest[start + 4..];
        // `<!-->` and `<!--->` are empty comments.
        let end = if inner.starts_with('>') {
            Some((0, 1))
        } else if inner.starts_with("->") {
            Some((0, 2))
        } else {
            [("-->", 3), ("--!>", 4)]
                .iter()
                .filter_map(|(m, len)| inner.find(m).map(|at| (at, *len)))
                .min()
        };
        match end {
            Some((at, len)) => rest = &inner[at + len..],
            None => rest = "",
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// One body's pass through the HTML parser.
pub struct Cleaner {
    /// The sanitizer for `sanitize` (made once for the body and its
    /// summary); `None` for `trust`, which only parses and writes again.
    sanitizer: Option<ammonia::Builder<'static>>,
    /// Marks a slot while the parser holds the HTML: `{marker}s{N}-` for a
    /// Markdown slot, `{marker}r{N}-` for a raw HTML URL.
    marker: String,
    /// The `href`/`src` values of raw HTML, in the order met, each with
    /// whether it is an `<img>`'s source.
    raw_urls: Arc<Mutex<Vec<(String, bool)>>>,
}

impl Cleaner {
    /// A cleaner for a body whose text is `body`.
    pub fn new(policy: HtmlPolicy, body: &str) -> Cleaner {
        use sha2::Digest;
        let hash = sha2::Sha256::digest(body.as_bytes());
        let hex: String = hash[..10].iter().map(|b| format!("{b:02x}")).collect();
        let marker = format!("dw{hex}");
        let raw_urls: Arc<Mutex<Vec<(String, bool)>>> = Arc::default();
        let sanitizer = (policy != HtmlPolicy::Trust).then(|| {
            let mut b = builder();
            let prefix = marker.clone();
            let urls = Arc::clone(&raw_urls);
            b.attribute_filter(move |element, attribute, value| {
                // `style` is allowed on table cells only, and then only this.
                if attribute == "style" {
                    return cell_alignment(element, value).map(Cow::Borrowed);
                }
                if !matches!(attribute, "href" | "src") || value.starts_with(&prefix) {
                    return Some(Cow::Borrowed(value));
                }
                let mut urls = urls.lock().unwrap_or_else(|e| e.into_inner());
                urls.push((value.to_string(), element == "img" && attribute == "src"));
                Some(Cow::Owned(format!("{prefix}r{}-", urls.len() - 1)))
            });
            b
        });
        Cleaner {
            sanitizer,
            marker,
            raw_urls,
        }
    }

    /// The HTML with link slots written as `slot` (`\0N\0`), parsed, cleaned
    /// per the policy and written again balanced; each raw `href`/`src`
    /// becomes the slot `raw_slot` gives it (told whether it is an `<img>`'s
    /// source). Element slots (`\0eN\0`) survive as they are.
    pub fn clean(
        &self,
        html: &str,
        slot: char,
        mut raw_slot: impl FnMut(&str, bool) -> usize,
    ) -> String {
        let marked = self.mark(html, slot);
        let cleaned = match &self.sanitizer {
            Some(sanitizer) => sanitizer.clean(&marked).to_string(),
            None => balanced(&marked),
        };
        let urls = self.raw_urls.lock().unwrap_or_else(|e| e.into_inner());
        self.unmark(&cleaned, slot, |n| raw_slot(&urls[n].0, urls[n].1))
    }

    fn mark(&self, html: &str, slot: char) -> String {
        let mut out = String::with_capacity(html.len() + html.len() / 16);
        let mut parts = html.split(slot);
        if let Some(first) = parts.next() {
            out.push_str(first);
        }
        while let (Some(n), Some(text)) = (parts.next(), parts.next()) {
            out.push_str(&format!("{}s{n}-", self.marker));
            out.push_str(text);
        }
        out
    }

    fn unmark(&self, html: &str, slot: char, mut raw: impl FnMut(usize) -> usize) -> String {
        let mut out = String::with_capacity(html.len());
        let mut rest = html;
        while let Some(at) = rest.find(&self.marker) {
            out.push_str(&rest[..at]);
            let after = &rest[at + self.marker.len()..];
            let kind = after.chars().next();
            let digits = after.get(1..).unwrap_or("");
            let len = digits.find('-').unwrap_or(digits.len());
            let element = digits[..len].strip_prefix('e');
            match (kind, digits[..len].parse::<usize>()) {
                (Some('s'), Ok(n)) => out.push_str(&format!("{slot}{n}{slot}")),
                (Some('s'), Err(_)) if element.is_some_and(|n| n.parse::<usize>().is_ok()) => {
                    out.push_str(&format!("{slot}e{}{slot}", element.unwrap_or_default()));
                }
                (Some('r'), Ok(n)) => out.push_str(&format!("{slot}{}{slot}", raw(n))),
                _ => {}
            }
            rest = digits.get(len + 1..).unwrap_or("");
        }
        out.push_str(rest);
        out
    }
}

/// HTML as the parser reads it, comments dropped, written again: what
/// `trust` publishes.
pub fn balanced(html: &str) -> String {
    let mut fragment = scraper::Html::parse_fragment(html);
    let comments: Vec<_> = fragment
        .tree
        .nodes()
        .filter(|n| n.value().is_comment())
        .map(|n| n.id())
        .collect();
    for id in comments {
        if let Some(mut node) = fragment.tree.get_mut(id) {
            node.detach();
        }
    }
    fragment.root_element().inner_html()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(policy: HtmlPolicy, html: &str) -> String {
        let mut raw = Vec::new();
        Cleaner::new(policy, html).clean(html, '\0', |u, _| {
            raw.push(u.to_string());
            100 + raw.len() - 1
        })
    }

    #[test]
    fn sanitize_keeps_structure_and_removes_what_runs() {
        let out = clean(
            HtmlPolicy::Sanitize,
            "<details open><summary>More</summary><figure><img src=\"a.png\" alt=\"A\" width=\"3\" onerror=\"x()\"><figcaption>Cap</figcaption></figure></details><script>alert(1)</script><a href=\"javascript:alert(1)\" onclick=\"x\">l</a><iframe src=\"https://e.org\"></iframe><p style=\"color:red\">t</p>",
        );
        assert_eq!(
            out,
            "<details open=\"\"><summary>More</summary><figure><img src=\"\x00100\x00\" alt=\"A\" width=\"3\"><figcaption>Cap</figcaption></figure></details><a>l</a><p>t</p>"
        );
    }

    #[test]
    fn slots_survive_and_cannot_be_forged() {
        let html = "<p><a href=\"\x002\x00\">x</a> <a href=\"dw00s1-\">y</a></p>";
        let out = clean(HtmlPolicy::Sanitize, html);
        assert!(out.contains("href=\"\x002\x00\""), "{out:?}");
        // Text that looks like a marker of another body is a plain raw URL.
        assert!(out.contains("href=\"\x00100\x00\""), "{out:?}");
    }

    #[test]
    fn every_mode_is_balanced_and_drops_comments() {
        for policy in [HtmlPolicy::Sanitize, HtmlPolicy::Trust] {
            let out = clean(policy, "<div><p>a</div></div></article><!-- note -->b");
            assert_eq!(out, "<div><p>a</p></div>b", "{policy:?}");
        }
        assert_eq!(
            clean(
                HtmlPolicy::Trust,
                "<script>go()</script><b onclick=\"x\">b</b>"
            ),
            "<script>go()</script><b onclick=\"x\">b</b>"
        );
    }

    #[test]
    fn style_goes_whole_but_one_alignment_on_a_cell() {
        let out = clean(
            HtmlPolicy::Sanitize,
            "<table><tr><td style=\"color: red\">a</td><td style=\" TEXT-ALIGN : Right; \">b</td><th style=\"text-align: right; color: red\">c</th><td style=\"\">d</td></tr></table><p style=\"text-align: left\">e</p>",
        );
        assert_eq!(
            out,
            "<table><tbody><tr><td>a</td><td style=\"text-align: right\">b</td><th>c</th><td>d</td></tr></tbody></table><p>e</p>"
        );
    }

    #[test]
    fn noscript_goes_with_its_content() {
        let html = "<p>a</p><noscript><p>fallback</p><img src=\"x.png\" onerror=\"y()\"></noscript><p>b</p>";
        assert_eq!(clean(HtmlPolicy::Sanitize, html), "<p>a</p><p>b</p>");
        let mut scan = Scan::default();
        scan.read(html, 1, HtmlPolicy::Sanitize);
        scan.finish(HtmlPolicy::Sanitize);
        let notes: Vec<String> = scan.notes.iter().map(|n| n.text(0)).collect();
        // One note: what sat inside goes with it, unnamed.
        assert_eq!(
            notes,
            ["`<noscript>` is removed with its content (raw HTML is sanitized)"]
        );
        assert!(scan.urls.is_empty());
        assert_eq!(scan.words, 2);
    }

    #[test]
    fn comments_are_stripped_from_text() {
        assert_eq!(strip_comments("a<!-- x -->b<!---->c<!-->d"), "abcd");
        assert_eq!(strip_comments("a<!-- open"), "a");
        assert_eq!(strip_comments("a --> b"), "a --> b");
    }
}
