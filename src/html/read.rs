//! Readers of the HTML dealwire publishes, as a browser reads it
//! (html5ever): `text`, what a reader sees of it (an article's description
//! from its summary, its search record from its body). It leaves out what
//! the sanitizer removes with its content, so trusted and sanitized HTML
//! read alike.

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
}
