//! Readers of the HTML dealwire publishes, as a browser reads it
//! (html5ever): `text`, what a reader sees of it (an article's description
//! from its summary, its search record from its body), and
//! `absolute_links`, the same HTML with every URL absolute (what a feed
//! carries). `text` leaves out what the sanitizer removes with its content,
//! so trusted and sanitized HTML read alike.

use html5ever::tokenizer::{TagKind, Token};

use super::{VOID, lists, tokens};

/// Elements that do not separate the words around them (`H<sub>2</sub>O`
/// reads `H2O`); any other tag does.
const INLINE: [&str; 30] = [
    "a", "abbr", "b", "bdi", "bdo", "big", "cite", "code", "data", "del", "dfn", "em", "font", "i",
    "ins", "kbd", "label", "mark", "nobr", "q", "s", "samp", "small", "span", "strike", "strong",
    "sub", "sup", "time", "u",
];

/// The text of a piece of HTML, as a reader sees it: character references
/// decoded, comments and tags dropped (a tag other than an inline one such
/// as `em` or `sub` separates words), runs of white space made one space.
/// What the sanitizer removes with its content (`script`, `style`,
/// `noscript`, `template`, `iframe`, `object`, `embed`, `svg`) is left out
/// whatever the policy, so trusted HTML gives the same text as sanitized
/// HTML; so is what is marked decorative (`aria-hidden="true"`: a heading's
/// `#` anchor). The one reader of an article's text: its description (from
/// the published summary) and its search record (from the published body).
pub fn text(html: &str) -> String {
    let removed = &lists().content_removed;
    let mut text = String::with_capacity(html.len());
    // The outermost element whose content is left out, and how deep
    // elements of its name are nested in it (its end is the matching one).
    let mut hidden: Option<(String, usize)> = None;
    for (token, _) in tokens(html) {
        match token {
            Token::CharacterTokens(t) if hidden.is_none() => text.push_str(&t),
            Token::TagToken(tag) => {
                let name = &*tag.name;
                // A void element (`embed`) and a self-closed `<svg/>` hold nothing.
                let empty = VOID.contains(&name) || (tag.self_closing && name == "svg");
                match (&mut hidden, tag.kind) {
                    (Some((outer, depth)), kind) if outer.as_str() == name && !empty => {
                        if kind == TagKind::StartTag {
                            *depth += 1;
                        } else {
                            *depth -= 1;
                            if *depth == 0 {
                                hidden = None;
                            }
                        }
                    }
                    (None, TagKind::StartTag) if !empty => {
                        let decorative = tag.attrs.iter().any(|a| {
                            &*a.name.local == "aria-hidden" && a.value.eq_ignore_ascii_case("true")
                        });
                        if removed.contains(name) || decorative {
                            hidden = Some((name.to_string(), 1));
                        }
                    }
                    _ => {}
                }
                if !INLINE.contains(&name) {
                    text.push(' ');
                }
            }
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Attributes whose value is a URL, or a list of them (`srcset`,
/// `imagesrcset`: candidates with descriptors; `ping`: separated by spaces).
/// `href` covers SVG's `xlink:href`, which the parser reads as `href`.
const URL_ATTRIBUTES: [&str; 13] = [
    "href",
    "src",
    "srcset",
    "imagesrcset",
    "poster",
    "cite",
    "action",
    "formaction",
    "data",
    "longdesc",
    "background",
    "ping",
    "manifest",
];

/// The HTML with every URL it holds made absolute against `page` (the
/// address of the page it comes from): what a feed carries, since a feed
/// reader resolves a relative link against the feed, not the article.
/// `#fragment` links become the page's address and fragment, relative paths
/// are joined to the page, root-relative ones to its origin (see
/// `urls::resolve`); links with a scheme stay as written. Every element of
/// the parsed HTML is visited, so links written by Markdown, by the theme's
/// anchors and footnotes, and by raw HTML (trusted or not) are all reached.
pub fn absolute_links(html: &str, page: &url::Url) -> String {
    let mut fragment = scraper::Html::parse_fragment(html);
    let elements: Vec<_> = fragment
        .tree
        .nodes()
        .filter(|n| n.value().is_element())
        .map(|n| n.id())
        .collect();
    for id in elements {
        let Some(mut node) = fragment.tree.get_mut(id) else {
            continue;
        };
        let scraper::Node::Element(element) = node.value() else {
            continue;
        };
        // `data` is a URL on `<object>` only.
        let object = &*element.name.local == "object";
        element.attrs.iter_mut().for_each(|(name, value)| {
            let name = &*name.local;
            if !URL_ATTRIBUTES.contains(&name) || (name == "data" && !object) {
                return;
            }
            let absolute = match name {
                "srcset" | "imagesrcset" => absolute_srcset(value, page),
                "ping" => value
                    .split_ascii_whitespace()
                    .map(|u| crate::urls::resolve(page, u))
                    .collect::<Vec<_>>()
                    .join(" "),
                _ => crate::urls::resolve(page, value).into_owned(),
            };
            if absolute != **value {
                *value = scraper::StrTendril::from(absolute.as_str());
            }
        });
    }
    fragment.root_element().inner_html()
}

/// A `srcset` with each candidate's URL absolute, read as the HTML standard
/// reads it: a URL runs to the next white space (trailing commas end the
/// candidate), then descriptors run to the next comma outside parentheses.
fn absolute_srcset(srcset: &str, page: &url::Url) -> String {
    let mut candidates = Vec::new();
    let mut rest = srcset;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == ',');
        if rest.is_empty() {
            break;
        }
        let end = rest
            .find(|c: char| c.is_ascii_whitespace())
            .unwrap_or(rest.len());
        let (url, after) = rest.split_at(end);
        let trimmed = url.trim_end_matches(',');
        let mut candidate = crate::urls::resolve(page, trimmed).into_owned();
        rest = after;
        if trimmed.len() == url.len() {
            let mut depth = 0usize;
            let end = rest
                .char_indices()
                .find(|&(_, c)| {
                    match c {
                        '(' => depth += 1,
                        ')' => depth = depth.saturating_sub(1),
                        _ => {}
                    }
                    c == ',' && depth == 0
                })
                .map_or(rest.len(), |(i, _)| i);
            let descriptors = rest[..end].trim();
            if !descriptors.is_empty() {
                candidate.push(' ');
                candidate.push_str(descriptors);
            }
            rest = &rest[end..];
        }
        candidates.push(candidate);
    }
    candidates.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn text_leaves_out_what_the_sanitizer_removes_whatever_the_policy() {
        let html = "<p>Lead <script>stolen()</script><style>p{}</style><noscript><p>fallback</p></noscript><template><b>t</b></template><iframe>frame</iframe><object data=\"x\"><p>obj</p></object><embed src=\"e\"> and <svg><text>drawn</text></svg><svg/>end.</p>";
        assert_eq!(text(html), "Lead and end.");
        // Inline elements do not split words; blocks and line breaks do.
        assert_eq!(
            text("<p>H<sub>2</sub>O at x<sup>2</sup>, <em>fast</em>.</p><p>Next<br>line</p>"),
            "H2O at x2, fast. Next line"
        );
        // An unclosed hidden element hides the rest; a stray end tag nothing.
        assert_eq!(text("a</noscript>b<template>c"), "a b");
        // A hidden element ends at its own end tag, nested ones counted.
        assert_eq!(
            text("<template>a<template>b</template>c</noscript></template>d"),
            "d"
        );
        // Decorative marks are not text: a heading's anchor.
        assert_eq!(
            text(
                "<h2 id=\"t\">Terms<a class=\"anchor\" href=\"#t\" aria-hidden=\"true\">#</a></h2><p>Body</p>"
            ),
            "Terms Body"
        );
    }

    #[test]
    fn every_link_of_a_feed_entry_is_absolute() {
        let page = url::Url::parse("https://e.org/briefing/articles/x/").expect("url");
        let html = "<h2 id=\"h\">H<a class=\"anchor\" href=\"#h\">#</a></h2><p>See<sup><a href=\"#fn-1\">1</a></sup> <a href=\"../y/\">y</a> <a href=\"/briefing/deals/\">d</a> <a href=\"/other/\">o</a> <a href=\"https://a.org/\">a</a> <a href=\"mailto:a@b.c\">m</a></p><img src=\"i.png\" srcset=\"i.png 1x, /briefing/i@2x.png 2x,data:image/png;base64,AA 3x\"><video poster=\"p.jpg\"><source src=\"v.mp4\"></video><blockquote cite=\"q/\">q</blockquote><object data=\"o.svg\"></object><data value=\"7\">7</data><a ping=\"/p1 p2\" href=\"\">self</a>";
        assert_eq!(
            absolute_links(html, &page),
            "<h2 id=\"h\">H<a class=\"anchor\" href=\"https://e.org/briefing/articles/x/#h\">#</a></h2><p>See<sup><a href=\"https://e.org/briefing/articles/x/#fn-1\">1</a></sup> <a href=\"https://e.org/briefing/articles/y/\">y</a> <a href=\"https://e.org/briefing/deals/\">d</a> <a href=\"https://e.org/other/\">o</a> <a href=\"https://a.org/\">a</a> <a href=\"mailto:a@b.c\">m</a></p><img src=\"https://e.org/briefing/articles/x/i.png\" srcset=\"https://e.org/briefing/articles/x/i.png 1x, https://e.org/briefing/i@2x.png 2x, data:image/png;base64,AA 3x\"><video poster=\"https://e.org/briefing/articles/x/p.jpg\"><source src=\"https://e.org/briefing/articles/x/v.mp4\"></video><blockquote cite=\"https://e.org/briefing/articles/x/q/\">q</blockquote><object data=\"https://e.org/briefing/articles/x/o.svg\"></object><data value=\"7\">7</data><a href=\"https://e.org/briefing/articles/x/\" ping=\"https://e.org/p1 https://e.org/briefing/articles/x/p2\">self</a>"
        );
    }

    #[test]
    fn srcset_candidates_are_read_as_the_standard_reads_them() {
        let page = url::Url::parse("https://e.org/b/").expect("url");
        assert_eq!(
            absolute_srcset(
                " a.png, b.png 2x ,c, d.png 100w, e(1).png (max-width: 9px, x) 1x,f,g.png",
                &page
            ),
            // A comma inside a URL is part of it (`f,g.png`); one ending it
            // ends the candidate (`c,`).
            "https://e.org/b/a.png, https://e.org/b/b.png 2x, https://e.org/b/c, https://e.org/b/d.png 100w, https://e.org/b/e(1).png (max-width: 9px, x) 1x, https://e.org/b/f,g.png"
        );
        assert_eq!(absolute_srcset("", &page), "");
    }
}
