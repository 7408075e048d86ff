//! Raw HTML written in articles: the site's policy for it, the sanitizer that
//! applies it, and the notes an editor gets about what it changed.
//!
//! - `sanitize` (the default): ammonia keeps the formatting and structure tags
//!   articles use and removes scripts, event handlers, `style`, iframes and
//!   dangerous URL schemes.
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
//! list pages, made absolute in feeds and checked like Markdown links.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use serde::Deserialize;

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
        .filter_style_properties(["text-align"].into())
        .strip_comments(true);
    for (tag, attributes) in EXTRA_TAG_ATTRIBUTES {
        b.add_tag_attributes(tag, attributes);
    }
    // A box in an article is never a form control.
    b.add_tag_attribute_values("input", "type", ["checkbox"])
        .set_tag_attribute_value("input", "disabled", "");
    b
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

/// What the scan of a body's raw HTML found.
#[derive(Debug, Default)]
pub struct Scan {
    /// Notes for the editor: (1-based body line, message).
    pub notes: Vec<(usize, String)>,
    /// Words of text inside the raw HTML (scripts and styles excluded).
    pub words: usize,
    /// Line and column of each `href`/`src` value, by value (first seen).
    pub urls: HashMap<String, (usize, usize)>,
    /// Elements opened and not closed yet: (name, line).
    open: Vec<(String, usize)>,
    /// For each kind of removal noted, its note and how many more like it.
    repeats: HashMap<String, (usize, usize)>,
}

impl Scan {
    /// Reads one piece of raw HTML (an HTML block, or one inline tag) that
    /// starts on body line `line`.
    pub fn read(&mut self, html: &str, line: usize, policy: HtmlPolicy) {
        for (token, token_line) in tokens(html) {
            self.token(token, line + token_line.saturating_sub(1), policy);
        }
    }

    fn token(&mut self, token: Token, line: usize, policy: HtmlPolicy) {
        let lists = lists();
        match token {
            Token::CharacterTokens(text) => {
                let hidden = self
                    .open
                    .last()
                    .is_some_and(|(name, _)| lists.content_removed.contains(name.as_str()));
                if !hidden {
                    self.words += text.split_whitespace().count();
                }
            }
            Token::TagToken(tag) => {
                let name = tag.name.to_string();
                if tag.kind == TagKind::EndTag {
                    return self.close(&name, line, policy);
                }
                if policy == HtmlPolicy::Sanitize {
                    self.check_tag(&name, &tag.attrs, line);
                }
                for attr in &tag.attrs {
                    if matches!(&*attr.name.local, "href" | "src") {
                        self.urls.entry(attr.value.to_string()).or_insert((line, 1));
                    }
                }
                if !tag.self_closing && !VOID.contains(&name.as_str()) {
                    self.open.push((name, line));
                }
            }
            _ => {}
        }
    }

    /// Notes what the sanitizer removes from one start tag.
    fn check_tag(&mut self, name: &str, attrs: &[html5ever::Attribute], line: usize) {
        let lists = lists();
        if lists.content_removed.contains(name) {
            let note = format!("`<{name}>` is removed with its content");
            return self.note_once(name.to_string(), line, note);
        }
        if !lists.tags.contains(name) {
            let note = format!("`<{name}>` is removed, its text kept");
            return self.note_once(name.to_string(), line, note);
        }
        for attr in attrs {
            let attribute = &*attr.name.local;
            let value = attr.value.trim();
            let allowed = lists.generic.contains(attribute)
                || lists
                    .per_tag
                    .get(name)
                    .is_some_and(|a| a.contains(attribute))
                || lists
                    .values
                    .get(name)
                    .and_then(|a| a.get(attribute))
                    .is_some_and(|v| v.iter().any(|v| v.eq_ignore_ascii_case(value)));
            let bad_url = matches!(attribute, "href" | "src")
                && crate::urls::scheme(value)
                    .is_some_and(|s| !lists.schemes.contains(s.to_ascii_lowercase().as_str()));
            if !allowed || bad_url {
                let shown: String = value.chars().take(40).collect();
                let note = format!("`{attribute}=\"{shown}\"` is removed from `<{name}>`");
                self.note_once(format!("{name} {attribute}"), line, note);
            }
        }
    }

    /// Notes a removal the first time its kind is met; later ones are counted
    /// on that note, so an article with a hundred styled cells gets one line.
    fn note_once(&mut self, kind: String, line: usize, note: String) {
        match self.repeats.get_mut(&kind) {
            Some((_, more)) => *more += 1,
            None => {
                self.repeats.insert(kind, (self.notes.len(), 0));
                self.notes.push((line, note));
            }
        }
    }

    fn close(&mut self, name: &str, line: usize, policy: HtmlPolicy) {
        match self.open.iter().rposition(|(open, _)| open == name) {
            Some(at) => {
                for (inner, opened) in self.open.drain(at + 1..).collect::<Vec<_>>() {
                    if !OPTIONAL_END.contains(&inner.as_str()) {
                        self.notes.push((
                            opened,
                            format!("`<{inner}>` is not closed before `</{name}>` (line {line})"),
                        ));
                    }
                }
                self.open.truncate(at);
            }
            None if policy != HtmlPolicy::Escape && !VOID.contains(&name) => {
                self.notes.push((
                    line,
                    format!("a stray `</{name}>` closes nothing the article opened: it is dropped"),
                ));
            }
            None => {}
        }
    }

    /// Whether the innermost element the raw HTML left open takes phrasing
    /// content only (`span`, `a`, `summary`…), where a `<p>` may not go.
    pub fn in_phrasing(&self) -> bool {
        const PHRASING: [&str; 24] = [
            "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "i", "kbd",
            "label", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "summary", "sup",
            "u",
        ];
        self.open
            .last()
            .is_some_and(|(name, _)| PHRASING.contains(&name.as_str()))
    }

    /// Ends the body: elements still open are noted.
    pub fn finish(&mut self, policy: HtmlPolicy) {
        for (at, more) in std::mem::take(&mut self.repeats).into_values() {
            let (_, note) = &mut self.notes[at];
            if more > 0 {
                note.push_str(&format!(", and {more} more like it in this article"));
            }
            note.push_str(" (raw HTML is sanitized)");
        }
        if policy == HtmlPolicy::Escape {
            return;
        }
        for (name, line) in std::mem::take(&mut self.open) {
            if !OPTIONAL_END.contains(&name.as_str()) {
                self.notes.push((
                    line,
                    format!("`<{name}>` is not closed: it ends with the article"),
                ));
            }
        }
    }
}

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

/// For `sanitize`: `<noscript>` and `</noscript>` tags removed, their content
/// kept. Scripts never run on a sanitized page, so what a page shows without
/// them (a chart's fallback image) is what readers get; the content is then
/// sanitized like the rest. A spelling this misses leaves a `noscript` that the
/// sanitizer removes with its content: never unsafe, only less complete.
pub fn unwrap_noscript(html: &str) -> Cow<'_, str> {
    let lower = html.to_ascii_lowercase();
    if !lower.contains("noscript") {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len());
    let mut at = 0;
    while let Some(found) = lower[at..].find("noscript") {
        let name = at + found;
        // Bytes, not `str` slices: the byte before may be inside a character.
        let bytes = lower.as_bytes();
        let open = name.checked_sub(1).filter(|&i| &bytes[i..name] == b"<");
        let close = name.checked_sub(2).filter(|&i| &bytes[i..name] == b"</");
        let end = lower[name + 8..]
            .find('>')
            .map(|e| name + 8 + e + 1)
            .filter(|&e| lower[name + 8..e - 1].trim().is_empty());
        match (open.or(close), end) {
            (Some(start), Some(end)) => {
                out.push_str(&html[at..start]);
                at = end;
            }
            _ => {
                out.push_str(&html[at..name + 8]);
                at = name + 8;
            }
        }
    }
    out.push_str(&html[at..]);
    Cow::Owned(out)
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
    /// The `href`/`src` values of raw HTML, in the order met.
    raw_urls: Arc<Mutex<Vec<String>>>,
}

impl Cleaner {
    /// A cleaner for a body whose text is `body`.
    pub fn new(policy: HtmlPolicy, body: &str) -> Cleaner {
        use sha2::Digest;
        let hash = sha2::Sha256::digest(body.as_bytes());
        let hex: String = hash[..10].iter().map(|b| format!("{b:02x}")).collect();
        let marker = format!("dw{hex}");
        let raw_urls: Arc<Mutex<Vec<String>>> = Arc::default();
        let sanitizer = (policy != HtmlPolicy::Trust).then(|| {
            let mut b = builder();
            let prefix = marker.clone();
            let urls = Arc::clone(&raw_urls);
            b.attribute_filter(move |_, attribute, value| {
                if !matches!(attribute, "href" | "src") || value.starts_with(&prefix) {
                    return Some(Cow::Borrowed(value));
                }
                let mut urls = urls.lock().unwrap_or_else(|e| e.into_inner());
                urls.push(value.to_string());
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
    /// becomes the slot `raw_slot` gives it.
    pub fn clean(&self, html: &str, slot: char, mut raw_slot: impl FnMut(&str) -> usize) -> String {
        let marked = self.mark(html, slot);
        let cleaned = match &self.sanitizer {
            Some(sanitizer) => sanitizer.clean(&marked).to_string(),
            None => balanced(&marked),
        };
        let urls = self.raw_urls.lock().unwrap_or_else(|e| e.into_inner());
        self.unmark(&cleaned, slot, |n| raw_slot(&urls[n]))
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
            match (kind, digits[..len].parse::<usize>()) {
                (Some('s'), Ok(n)) => out.push_str(&format!("{slot}{n}{slot}")),
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

/// The text of a piece of HTML, as a reader sees it: character references
/// decoded, tags dropped (a tag separates words), the content of scripts,
/// styles and templates left out, runs of white space made one space. What
/// the search index reads of an article's body.
pub fn text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut hidden: usize = 0;
    for (token, _) in tokens(html) {
        match token {
            Token::CharacterTokens(t) if hidden == 0 => text.push_str(&t),
            Token::TagToken(tag) if matches!(&*tag.name, "script" | "style" | "template") => {
                if tag.kind == TagKind::StartTag {
                    hidden += 1;
                } else {
                    hidden = hidden.saturating_sub(1);
                }
            }
            Token::TagToken(_) => text.push(' '),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(policy: HtmlPolicy, html: &str) -> String {
        let mut raw = Vec::new();
        Cleaner::new(policy, html).clean(html, '\0', |u| {
            raw.push(u.to_string());
            100 + raw.len() - 1
        })
    }

    #[test]
    fn text_is_what_a_reader_sees() {
        assert_eq!(
            text(
                "<p>L\u{2019}accord <em>d\u{e9}finitif</em> &amp; <a href=\"x\">AT&amp;T</a></p>\n<ul><li>un</li><li>deux</li></ul><script>var x = 1;</script><style>p{}</style>"
            ),
            "L\u{2019}accord d\u{e9}finitif & AT&T un deux"
        );
        assert_eq!(text("a&lt;b"), "a<b");
        assert_eq!(text(""), "");
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
    fn noscript_fallbacks_are_kept() {
        assert_eq!(
            unwrap_noscript("<div><noscript>\n<img src=\"a.png\"/>\n</NoScript ></div> noscript"),
            "<div>\n<img src=\"a.png\"/>\n</div> noscript"
        );
        assert_eq!(
            unwrap_noscript("<noscript class=x>y</noscript>"),
            "<noscript class=x>y"
        );
        // A character of several bytes right before the name.
        assert_eq!(unwrap_noscript("énoscript"), "énoscript");
        assert_eq!(unwrap_noscript("x€noscript>y"), "x€noscript>y");
        assert_eq!(unwrap_noscript("é<noscript>y"), "éy");
    }

    #[test]
    fn comments_are_stripped_from_text() {
        assert_eq!(strip_comments("a<!-- x -->b<!---->c<!-->d"), "abcd");
        assert_eq!(strip_comments("a<!-- open"), "a");
        assert_eq!(strip_comments("a --> b"), "a --> b");
    }

    #[test]
    fn the_scan_names_what_goes_and_what_is_unbalanced() {
        let mut scan = Scan::default();
        let p = HtmlPolicy::Sanitize;
        scan.read(
            "<div class=\"x\" onclick=\"go()\">\nsome words here\n<script>var a = 1;</script>",
            3,
            p,
        );
        scan.read("</span>", 9, p);
        scan.finish(p);
        let notes: Vec<String> = scan
            .notes
            .iter()
            .map(|(l, m)| format!("{l}: {m}"))
            .collect();
        assert_eq!(
            notes,
            [
                "3: `onclick=\"go()\"` is removed from `<div>` (raw HTML is sanitized)",
                "5: `<script>` is removed with its content (raw HTML is sanitized)",
                "9: a stray `</span>` closes nothing the article opened: it is dropped",
                "3: `<div>` is not closed: it ends with the article",
            ]
        );
        assert_eq!(scan.words, 3);
    }
}
