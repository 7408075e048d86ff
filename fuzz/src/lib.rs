//! What the fuzz targets share: named invariants and a small HTML scanner.
//!
//! Every check a target makes beyond "does not panic" is a named invariant
//! (`live-element`, `event-handler-attribute`…). A violation panics with its
//! name, so libFuzzer records the input as a crash. While a known violation is
//! waiting for its fix, `FUZZ_ALLOW=name,name` lets a run look past it for
//! other defects; panics inside dealwire itself are never allowed.
//!
//! The scanner reads HTML the way a browser's tokenizer starts to (tags,
//! attributes with quoted or bare values, comments, raw-text elements), which is
//! enough to tell whether rendered output can run script. It is not a parser of
//! the document tree.

use std::sync::OnceLock;

/// Invariant names listed in `FUZZ_ALLOW` (comma-separated) are not enforced.
fn allowed() -> &'static [String] {
    static ALLOWED: OnceLock<Vec<String>> = OnceLock::new();
    ALLOWED.get_or_init(|| {
        std::env::var("FUZZ_ALLOW")
            .unwrap_or_default()
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    })
}

/// Fails the run with the invariant's name, unless `FUZZ_ALLOW` lists it.
#[track_caller]
pub fn violation(invariant: &str, detail: impl std::fmt::Display) {
    if !allowed().iter().any(|a| a == invariant) {
        panic!("invariant `{invariant}` violated: {detail}");
    }
}

/// Checks `condition`; see [`violation`].
#[track_caller]
pub fn ensure(condition: bool, invariant: &str, detail: impl FnOnce() -> String) {
    if !condition {
        violation(invariant, detail());
    }
}

/// A diagnostic prints its position once, in front (`PATH:LINE:COL: FIELD:`):
/// its message must not carry another one (the YAML library's "at line N
/// column M" counts from the front matter, not the file).
pub fn check_message(d: &dealwire::diag::Diagnostic) {
    // Quoted spans (`…`, "…") are the editor's text, which may say anything.
    let mut m = String::new();
    let mut quote = None;
    for c in d.message.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '`' || c == '"' => quote = Some(c),
            None => m.push(c),
        }
    }
    let has_position = m.match_indices("at line ").any(|(i, _)| {
        let rest = m[i + 8..].trim_start_matches(|c: char| c.is_ascii_digit());
        rest.len() < m.len() - i - 8 && rest.starts_with(" column ")
    });
    ensure(!has_position, "diagnostic-message-position", || {
        d.to_string()
    });
}

/// One start or end tag of an HTML text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tag {
    /// Lowercase element name.
    pub name: String,
    /// Attributes in order: lowercase name, raw value (entities not decoded).
    pub attrs: Vec<(String, String)>,
    /// `</name>`.
    pub closing: bool,
    /// Byte offset of the `<`.
    pub offset: usize,
    /// For a raw-text element (`script`, `style`…), the text up to its end tag.
    pub raw_text: Option<String>,
    /// Byte offsets of quoted attribute values followed by neither space, `/`
    /// nor `>`: a browser reads on, so a quote got into a value unescaped.
    pub glued: Vec<usize>,
}

impl Tag {
    /// The first value of an attribute, as written.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

const RAW_TEXT: &[&str] = &[
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes",
];

/// The tags of `html`, as a browser's tokenizer would split them.
pub fn tags(html: &str) -> Vec<Tag> {
    let b = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(lt) = html[i..].find('<').map(|p| p + i) {
        i = lt + 1;
        let Some(&next) = b.get(i) else { break };
        if html[lt..].starts_with("<!--") {
            i = html[lt + 4..]
                .find("-->")
                .map_or(b.len(), |p| lt + 4 + p + 3);
            continue;
        }
        if next == b'!' || next == b'?' {
            i = html[i..].find('>').map_or(b.len(), |p| i + p + 1);
            continue;
        }
        let closing = next == b'/';
        let name_start = if closing { i + 1 } else { i };
        if !b.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        let name_end = html[name_start..]
            .find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
            .map_or(b.len(), |p| name_start + p);
        let name = html[name_start..name_end].to_ascii_lowercase();
        let (attrs, end, glued) = attributes(html, name_end);
        i = end;
        let mut tag = Tag {
            name,
            attrs: if closing { Vec::new() } else { attrs },
            closing,
            offset: lt,
            raw_text: None,
            glued,
        };
        if !closing && RAW_TEXT.contains(&tag.name.as_str()) {
            let close = format!("</{}", tag.name);
            let lower = html[i..].to_ascii_lowercase();
            let text_end = lower.find(&close).map_or(b.len(), |p| i + p);
            tag.raw_text = Some(html[i..text_end].to_string());
            i = text_end;
        }
        out.push(tag);
    }
    out
}

/// Reads attributes from `at` to the tag's `>`; returns them, the offset after
/// it, and where a quoted value runs into what follows.
fn attributes(html: &str, mut at: usize) -> (Vec<(String, String)>, usize, Vec<usize>) {
    let b = html.as_bytes();
    let mut attrs = Vec::new();
    let mut glued = Vec::new();
    loop {
        while at < b.len() && (b[at].is_ascii_whitespace() || b[at] == b'/') {
            at += 1;
        }
        if at >= b.len() {
            return (attrs, at, glued);
        }
        if b[at] == b'>' {
            return (attrs, at + 1, glued);
        }
        // The first character of a name may be `=`; after that `=` ends it.
        let name_start = at;
        at += 1;
        while at < b.len() && !(b[at].is_ascii_whitespace() || matches!(b[at], b'/' | b'>' | b'='))
        {
            at += 1;
        }
        let name = html[name_start..at].to_ascii_lowercase();
        let mut look = at;
        while look < b.len() && b[look].is_ascii_whitespace() {
            look += 1;
        }
        let mut value = String::new();
        if b.get(look) == Some(&b'=') {
            at = look + 1;
            while at < b.len() && b[at].is_ascii_whitespace() {
                at += 1;
            }
            match b.get(at) {
                Some(&q @ (b'"' | b'\'')) => {
                    let end = html[at + 1..]
                        .find(q as char)
                        .map_or(b.len(), |p| at + 1 + p);
                    value = html[at + 1..end].to_string();
                    at = (end + 1).min(b.len());
                    if b.get(at)
                        .is_some_and(|c| !(c.is_ascii_whitespace() || matches!(c, b'/' | b'>')))
                    {
                        glued.push(at);
                    }
                }
                _ => {
                    let end = html[at..]
                        .find(|c: char| c.is_ascii_whitespace() || c == '>')
                        .map_or(b.len(), |p| at + p);
                    value = html[at..end].to_string();
                    at = end;
                }
            }
        }
        attrs.push((name, value));
    }
}

/// Decodes the character references a browser decodes in an attribute value
/// (numeric ones, and the named ones that matter for URL schemes).
pub fn decode_entities(s: &str) -> String {
    const NAMED: &[(&str, char)] = &[
        ("amp", '&'),
        ("lt", '<'),
        ("gt", '>'),
        ("quot", '"'),
        ("apos", '\''),
        ("colon", ':'),
        ("tab", '\t'),
        ("newline", '\n'),
        ("nbsp", '\u{a0}'),
        ("lpar", '('),
        ("rpar", ')'),
        ("sol", '/'),
        ("period", '.'),
    ];
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let (decoded, used) = if let Some(num) = after.strip_prefix('#') {
            let (hex, digits) = match num.strip_prefix(['x', 'X']) {
                Some(h) => (true, h),
                None => (false, num),
            };
            let len = digits
                .find(|c: char| {
                    !(if hex {
                        c.is_ascii_hexdigit()
                    } else {
                        c.is_ascii_digit()
                    })
                })
                .unwrap_or(digits.len());
            let value = u32::from_str_radix(&digits[..len], if hex { 16 } else { 10 }).ok();
            match value {
                Some(v) if len > 0 => {
                    let prefix = 1 + usize::from(hex) + len;
                    let semi = usize::from(digits[len..].starts_with(';'));
                    (Some(char::from_u32(v).unwrap_or('\u{fffd}')), prefix + semi)
                }
                _ => (None, 0),
            }
        } else {
            NAMED
                .iter()
                .find_map(|(name, c)| {
                    let lower = after.get(..name.len())?.to_ascii_lowercase();
                    (lower == *name).then(|| {
                        let semi = usize::from(after[name.len()..].starts_with(';'));
                        (Some(*c), name.len() + semi)
                    })
                })
                .unwrap_or((None, 0))
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &after[used..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Attributes whose value a browser may load or navigate to.
const URL_ATTRS: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "poster",
    "data",
    "srcdoc",
];

/// Elements that run script or load active content by themselves.
const LIVE_ELEMENTS: &[&str] = &["script", "iframe", "object", "embed", "frame", "frameset"];

/// Whether a URL (entities decoded) runs script when followed or loaded.
pub fn is_script_url(decoded: &str) -> bool {
    // Browsers drop tabs and newlines anywhere in a URL, and leading C0 and spaces.
    let cleaned: String = decoded
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect::<String>()
        .trim_start_matches(|c: char| c <= ' ')
        .to_ascii_lowercase();
    ["javascript:", "vbscript:", "data:text/html"]
        .iter()
        .any(|s| cleaned.starts_with(s))
}

/// Which `<script>` elements a page may hold.
#[derive(Clone, Copy, Debug)]
pub enum Scripts {
    /// None: rendered Markdown.
    None,
    /// The default theme's: `<script src="…/code.HASH.js" defer>`,
    /// `<script src="…/deals.HASH.js" defer>`, `<script
    /// src="…/embeds.HASH.js" defer>` (videos load on a click), `<script
    /// src="…/search.HASH.js" defer>` (search is on by default) and one
    /// JSON-LD block.
    Theme,
}

fn is_theme_script(tag: &Tag) -> bool {
    let only = |names: &[&str]| tag.attrs.iter().all(|(n, _)| names.contains(&n.as_str()));
    if let Some(src) = tag.attr("src") {
        let file = src.rsplit('/').next().unwrap_or("");
        let known = ["code.", "deals.", "embeds.", "search."]
            .iter()
            .any(|stem| {
                file.strip_prefix(stem)
                    .and_then(|r| r.strip_suffix(".js"))
                    .is_some_and(|h| h.len() == 10 && h.bytes().all(|b| b.is_ascii_hexdigit()))
            });
        return known && src.starts_with('/') && only(&["src", "defer"]);
    }
    tag.attr("type") == Some("application/ld+json") && only(&["type"])
}

/// Checks that `html` cannot run script: no live elements (but the theme's
/// scripts where allowed), no `on*` attributes, no script URLs.
/// `what` names the HTML in the messages.
pub fn check_html(html: &str, what: &str, scripts: Scripts) {
    for tag in tags(html).iter().filter(|t| !t.closing) {
        let excerpt = || {
            let end = (tag.offset + 160).min(html.len());
            let end = (end..=html.len())
                .find(|&e| html.is_char_boundary(e))
                .unwrap_or(html.len());
            html[tag.offset..end].to_string()
        };
        if LIVE_ELEMENTS.contains(&tag.name.as_str()) {
            let theirs = matches!(scripts, Scripts::Theme) && tag.name == "script";
            if !(theirs && is_theme_script(tag)) {
                violation(
                    "live-element",
                    format!("{what}: <{}> in {:?}", tag.name, excerpt()),
                );
            }
        }
        if !tag.glued.is_empty() {
            violation(
                "attribute-syntax",
                format!(
                    "{what}: a quoted value runs on in <{}> in {:?}",
                    tag.name,
                    excerpt()
                ),
            );
        }
        for (name, value) in &tag.attrs {
            if name.starts_with("on") {
                violation(
                    "event-handler-attribute",
                    format!("{what}: `{name}` on <{}> in {:?}", tag.name, excerpt()),
                );
            }
            if URL_ATTRS.contains(&name.as_str()) && is_script_url(&decode_entities(value)) {
                violation(
                    "script-url",
                    format!(
                        "{what}: {name}={value:?} on <{}> in {:?}",
                        tag.name,
                        excerpt()
                    ),
                );
            }
        }
    }
}

/// The control characters XML 1.0 forbids, even written as references.
pub fn first_forbidden_xml_char(text: &str) -> Option<(usize, char)> {
    text.char_indices().find(|&(_, c)| {
        (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{fffe}' || c == '\u{ffff}'
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scanner_reads_tags_like_a_browser() {
        let t = tags(
            "<p>a</p><a class=\"anchor\" href=\"#x\"/onfocus=\"alert(1)\" aria-hidden=true>#</a>",
        );
        let a = t.iter().find(|t| t.name == "a" && !t.closing).unwrap();
        assert_eq!(a.attr("href"), Some("#x"));
        assert_eq!(a.attr("onfocus"), Some("alert(1)"));
        assert_eq!(a.attr("aria-hidden"), Some("true"));
        assert!(a.glued.is_empty());
        let t = tags("<a href=\"#b\"\" x=\"1\">");
        assert_eq!(t[0].glued.len(), 1);
        let t =
            tags("<!-- <script> --><pre>&lt;script&gt;</pre><SCRIPT type=x>if (a<b) {}</script>");
        let names: Vec<_> = t.iter().map(|t| (t.name.as_str(), t.closing)).collect();
        assert_eq!(
            names,
            [
                ("pre", false),
                ("pre", true),
                ("script", false),
                ("script", true)
            ]
        );
    }

    #[test]
    fn script_urls_after_decoding() {
        for bad in [
            "javascript:alert(1)",
            "JaVa&#x09;Script:x",
            "&#106;avascript:x",
            " \u{1}javascript&colon;x",
            "data:text/html,<b>",
        ] {
            assert!(is_script_url(&decode_entities(bad)), "{bad}");
        }
        for ok in [
            "https://e.org/",
            "/a/javascript:x",
            "#javascript:",
            "data:image/png,x",
        ] {
            assert!(!is_script_url(&decode_entities(ok)), "{ok}");
        }
    }

    #[test]
    fn theme_scripts_only() {
        let ok = "<script src=\"/b/code.0123abcd.js\" defer></script><script type=\"application/ld+json\">{}</script>";
        check_html(ok, "page", Scripts::Theme);
        let r =
            std::panic::catch_unwind(|| check_html("<script>x</script>", "page", Scripts::Theme));
        assert!(r.is_err());
    }
}
