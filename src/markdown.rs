//! Markdown → HTML with pulldown-cmark, plus what the pages need from the body:
//! the summary, headings for a table of contents, links and a word count.
//!
//! Raw HTML is shown as text unless the site opts in; `<!-- more -->` marks the end
//! of the summary and never reaches the page. Headings get ids unique on the page.
//! Fenced code is highlighted by `highlight`. No file system, no site knowledge.

use std::collections::HashSet;

use pulldown_cmark::{
    CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html,
};
use serde::Serialize;

use crate::i18n::Lang;
use crate::slug::Slug;

/// One heading, for a table of contents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Heading {
    /// 1 to 6.
    pub level: u8,
    /// The `id` attribute, unique on the page.
    pub id: String,
    /// The heading's text.
    pub title: String,
}

/// A link found in the body, with its 1-based line within the body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// The destination as written.
    pub dest: String,
    /// 1-based line, counted from the start of the body.
    pub line: usize,
    /// 1-based column (in characters) where the link starts.
    pub col: usize,
}

/// The rendered body and what was gathered on the way.
#[derive(Clone, Debug, Default)]
pub struct Rendered {
    /// The whole body as HTML.
    pub html: String,
    /// The summary as HTML: the part before `<!-- more -->`, else the first paragraph.
    pub summary_html: String,
    /// The summary as plain text, for descriptions.
    pub summary_text: String,
    /// Every heading, in order.
    pub headings: Vec<Heading>,
    /// Every link and image destination.
    pub links: Vec<Link>,
    /// Words of prose (code excluded).
    pub words: usize,
    /// Code blocks whose language is unknown: (language, 1-based body line).
    pub unknown_languages: Vec<(String, usize)>,
}

/// How to render.
#[derive(Clone, Copy, Debug)]
pub struct MarkdownOptions {
    /// Let raw HTML through instead of showing it as text.
    pub unsafe_html: bool,
    /// Curly quotes, dashes and the language's spacing rules in prose. Off, the
    /// output is pulldown-cmark's own (plus heading ids, anchors and code).
    pub typography: bool,
    /// The language of the text.
    pub lang: Lang,
}

impl Default for MarkdownOptions {
    fn default() -> Self {
        MarkdownOptions {
            unsafe_html: false,
            typography: true,
            lang: Lang::En,
        }
    }
}

const MORE: &str = "<!-- more -->";

/// Renders a Markdown body.
pub fn render(body: &str, opts: MarkdownOptions) -> Rendered {
    let mut options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    if opts.typography {
        options |= Options::ENABLE_SMART_PUNCTUATION;
    }
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(body.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |offset: usize| line_starts.partition_point(|&s| s <= offset);

    let mut out = Rendered::default();
    let mut events: Vec<Event> = Vec::new();
    let mut more_at = None;
    let mut first_paragraph: Option<(usize, Option<usize>)> = None;
    let mut ids = HashSet::new();
    let mut heading: Option<(usize, HeadingLevel, Option<CowStr>)> = None;
    let mut code: Option<(crate::code::Info, String, usize)> = None;
    // Inside an escaped HTML block: whether its paragraph is open yet.
    let mut html_block: Option<bool> = None;

    for (event, range) in Parser::new_ext(body, options).into_offset_iter() {
        if let Some((info, text, line)) = code.as_mut() {
            match event {
                Event::Text(t) => text.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    let (html, known) = crate::code::render(text, info);
                    if !known {
                        out.unknown_languages.push((info.lang.clone(), *line));
                    }
                    events.push(Event::Html(html.into()));
                    code = None;
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let info = match kind {
                    CodeBlockKind::Fenced(info) => crate::code::parse_info(&info),
                    CodeBlockKind::Indented => crate::code::Info::default(),
                };
                code = Some((info, String::new(), line_of(range.start)));
            }
            Event::Start(Tag::Heading { level, id, .. }) => {
                heading = Some((events.len(), level, id));
                events.push(Event::Text("".into()));
            }
            Event::End(TagEnd::Heading(level)) => {
                if let Some((at, _, written_id)) = heading.take() {
                    let title = plain_text(&events[at + 1..]);
                    let id = unique_id(written_id.as_deref(), &title, &mut ids);
                    out.headings.push(Heading {
                        level: level as u8,
                        id: id.clone(),
                        title,
                    });
                    events[at] = Event::Start(Tag::Heading {
                        level,
                        id: Some(id.into()),
                        classes: vec![],
                        attrs: vec![],
                    });
                }
                if opts.typography {
                    if let Some(h) = out.headings.last() {
                        events.push(Event::Html(
                            format!("<a class=\"anchor\" href=\"#{}\" aria-hidden=\"true\" tabindex=\"-1\">#</a>", h.id).into(),
                        ));
                    }
                }
                events.push(Event::End(TagEnd::Heading(level)));
            }
            Event::Start(Tag::Paragraph) => {
                if first_paragraph.is_none() {
                    first_paragraph = Some((events.len(), None));
                }
                events.push(Event::Start(Tag::Paragraph));
            }
            Event::End(TagEnd::Paragraph) => {
                events.push(Event::End(TagEnd::Paragraph));
                if let Some((_, end @ None)) = first_paragraph.as_mut() {
                    *end = Some(events.len());
                }
            }
            Event::Html(t) | Event::InlineHtml(t) if t.trim() == MORE => {
                more_at.get_or_insert(events.len());
            }
            // Escaped raw HTML blocks become paragraphs of text; the paragraph
            // opens with the first text, so a lone `<!-- more -->` leaves nothing.
            Event::Start(Tag::HtmlBlock) if !opts.unsafe_html => html_block = Some(false),
            Event::End(TagEnd::HtmlBlock) if !opts.unsafe_html => {
                if html_block.take() == Some(true) {
                    events.push(Event::End(TagEnd::Paragraph));
                }
            }
            Event::Html(t) | Event::InlineHtml(t) if !opts.unsafe_html => {
                if html_block == Some(false) {
                    html_block = Some(true);
                    events.push(Event::Start(Tag::Paragraph));
                }
                events.push(Event::Text(t));
            }
            Event::Start(Tag::Link { ref dest_url, .. })
            | Event::Start(Tag::Image { ref dest_url, .. }) => {
                out.links.push(Link {
                    dest: dest_url.to_string(),
                    line: line_of(range.start),
                    col: body[line_starts[line_of(range.start) - 1]..range.start]
                        .chars()
                        .count()
                        + 1,
                });
                events.push(event);
            }
            Event::Text(t) => {
                out.words += t.split_whitespace().count();
                if opts.typography && opts.lang != Lang::En {
                    events.push(Event::Text(crate::typography::apply(&t, opts.lang).into()));
                } else {
                    events.push(Event::Text(t));
                }
            }
            other => events.push(other),
        }
    }
    let summary_events = match (more_at, first_paragraph) {
        (Some(at), _) => &events[..at.min(events.len())],
        (None, Some((start, Some(end)))) => &events[start..end.min(events.len())],
        _ => &events[..0],
    };
    // Heading anchors point into the article; a summary shown elsewhere drops them.
    let is_anchor = |e: &Event| matches!(e, Event::Html(h) if h.starts_with("<a class=\"anchor\""));
    html::push_html(
        &mut out.summary_html,
        summary_events.iter().filter(|e| !is_anchor(e)).cloned(),
    );
    out.summary_text = plain_text(summary_events);
    out.html.reserve(body.len() * 3 / 2);
    html::push_html(&mut out.html, events.into_iter());
    out
}

/// Makes the relative `href`/`src` links of rendered HTML root-relative to the
/// page at `page_url` (`/briefing/articles/x/`), so a summary shown on another
/// page still points where the article meant.
pub fn rebase_links(html: &str, page_url: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find(['h', 's']) {
        let (before, tail) = rest.split_at(i);
        out.push_str(before);
        let attr = ["href=\"", "src=\""]
            .into_iter()
            .find(|a| tail.starts_with(a));
        let Some(attr) = attr else {
            out.push_str(&tail[..1]);
            rest = &tail[1..];
            continue;
        };
        out.push_str(attr);
        let value_start = &tail[attr.len()..];
        let end = value_start.find('"').unwrap_or(value_start.len());
        let value = &value_start[..end];
        if is_relative(value) {
            out.push_str(&resolve(page_url, value));
        } else {
            out.push_str(value);
        }
        rest = &value_start[end..];
    }
    out.push_str(rest);
    out
}

fn is_relative(link: &str) -> bool {
    !(link.is_empty()
        || link.starts_with(['/', '?'])
        || link.split_once(':').is_some_and(|(scheme, _)| {
            scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }))
}

/// `resolve("/b/articles/x/", "../y/")` → `/b/articles/y/`.
fn resolve(page_url: &str, link: &str) -> String {
    let mut parts: Vec<&str> = page_url.split('/').filter(|p| !p.is_empty()).collect();
    let (path, suffix) = link
        .find(['#', '?'])
        .map_or((link, ""), |i| link.split_at(i));
    for seg in path.split('/') {
        match seg {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            s => parts.push(s),
        }
    }
    let trailing = if path.ends_with('/')
        || path.ends_with("/..")
        || path == ".."
        || (path.is_empty() && page_url.ends_with('/'))
    {
        "/"
    } else {
        ""
    };
    format!("/{}{trailing}{suffix}", parts.join("/")).replace("//", "/")
}

/// Escapes text for HTML element content and attribute values.
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn plain_text(events: &[Event]) -> String {
    let mut text = String::new();
    for e in events {
        match e {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(TagEnd::Paragraph) if !text.is_empty() => text.push(' '),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn unique_id(written: Option<&str>, title: &str, seen: &mut HashSet<String>) -> String {
    let base = written
        .map(str::to_string)
        .or_else(|| Slug::from_text(title).map(|s| s.to_string()))
        .unwrap_or_else(|| "section".to_string());
    let mut id = base.clone();
    let mut n = 1;
    while !seen.insert(id.clone()) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(md: &str) -> Rendered {
        render(md, MarkdownOptions::default())
    }

    #[test]
    fn raw_html_is_shown_as_text_unless_allowed() {
        let out = r("Hi <script>alert(1)</script>\n\n<div onclick=x>b</div>\n");
        assert!(!out.html.contains("<script>"), "{}", out.html);
        assert!(out.html.contains("&lt;script&gt;"));
        assert!(out.html.contains("&lt;div onclick=x&gt;"));
        let open = render(
            "<b>x</b>\n",
            MarkdownOptions {
                unsafe_html: true,
                ..MarkdownOptions::default()
            },
        );
        assert!(open.html.contains("<b>x</b>"));
    }

    #[test]
    fn summary_from_more_marker_or_first_paragraph() {
        let out = r("One *a*.\n\n## Two\n\n<!-- more -->\n\nThree.\n");
        assert_eq!(
            out.summary_html,
            "<p>One <em>a</em>.</p>\n<h2 id=\"two\">Two</h2>\n"
        );
        assert_eq!(out.summary_text, "One a. Two");
        assert!(!out.html.contains("more"), "{}", out.html);
        assert!(!out.html.contains("<p></p>"));
        let out = r("# T\n\nFirst para.\n\nSecond.\n");
        assert_eq!(out.summary_html, "<p>First para.</p>\n");
    }

    #[test]
    fn headings_get_unique_ids() {
        let out = r("## Why it matters\n\n## Why it matters\n\n## Custom {#mine}\n");
        let ids: Vec<&str> = out.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["why-it-matters", "why-it-matters-1", "mine"]);
        assert!(out.html.contains("<h2 id=\"why-it-matters-1\">"));
        assert!(
            out.html.contains("<a class=\"anchor\" href=\"#mine\""),
            "anchor links to the heading"
        );
    }

    #[test]
    fn extensions_are_on() {
        let out = r("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~x~~ [^1]\n\n[^1]: note\n\n- [x] done\n");
        assert!(out.html.contains("<table>"));
        assert!(out.html.contains("<del>x</del>"));
        assert!(out.html.contains("footnote-definition"));
        assert!(out.html.contains("checkbox"));
    }

    #[test]
    fn code_is_highlighted_or_escaped() {
        let out = r("```rust\nfn main() {}\n```\n\n```nope\n<x>\n```\n");
        assert!(out.html.contains("class=\"z-"), "{}", out.html);
        assert!(out.html.contains("&lt;x&gt;"));
    }

    /// With typography off and raw HTML allowed, our stage adds nothing to
    /// CommonMark prose: the HTML is pulldown-cmark's own. (Headings gain ids and
    /// anchors, and code blocks highlighting, by design; they are tested apart.)
    #[test]
    fn typography_off_renders_commonmark_as_pulldown_cmark_does() {
        let cases = [
            "*a* **b** `c` ***d***\n",
            "- one\n- two\n  - nested\n\n1. x\n2. y\n",
            "> quote\n> more\n>\n> > inner\n",
            "[link](https://e.org \"t\") ![i](i.png) <https://auto.link> [ref]\n\n[ref]: /r\n",
            "a  \nb\\\nc\n\n---\n\nd\n",
            "| a | b |\n|---|:-:|\n| 1 | `2` |\n",
            "~~s~~ and a note[^1]\n\n[^1]: the note\n",
            "- [ ] todo\n- [x] done\n",
            "<b>raw</b> &amp; &copy; \"quotes\" -- it's ... 'single'\n\n<div>\nblock\n</div>\n",
            "Un texte : avec « guillemets » ; et ? et !\n",
        ];
        let options = Options::ENABLE_TABLES
            | Options::ENABLE_FOOTNOTES
            | Options::ENABLE_STRIKETHROUGH
            | Options::ENABLE_TASKLISTS
            | Options::ENABLE_HEADING_ATTRIBUTES;
        for md in cases {
            let mut theirs = String::new();
            html::push_html(&mut theirs, Parser::new_ext(md, options));
            for lang in [Lang::En, Lang::Fr] {
                let ours = render(
                    md,
                    MarkdownOptions {
                        unsafe_html: true,
                        typography: false,
                        lang,
                    },
                )
                .html;
                assert_eq!(ours, theirs, "{md:?}");
            }
        }
    }

    #[test]
    fn typography_is_per_language_and_never_in_code() {
        let fr = render(
            "Il dit \"oui\" : d'accord ?\n\n`a : b ?`\n",
            MarkdownOptions {
                lang: Lang::Fr,
                ..MarkdownOptions::default()
            },
        );
        assert!(
            fr.html
                .contains("Il dit «\u{202F}oui\u{202F}»\u{A0}: d’accord\u{202F}?"),
            "{}",
            fr.html
        );
        assert!(
            fr.html.contains("<code>a : b ?</code>"),
            "code untouched: {}",
            fr.html
        );
        let en = render("He said \"yes\" -- fine...\n", MarkdownOptions::default());
        assert!(en.html.contains("He said “yes” – fine…"), "{}", en.html);
    }

    #[test]
    fn rebases_relative_links() {
        let html = "<a href=\"../y/\">y</a> <img src=\"i.png\" alt=\"\"> <a href=\"https://e.org/\">e</a> <a href=\"#f\">f</a>";
        let out = rebase_links(html, "/b/articles/x/");
        assert_eq!(
            out,
            "<a href=\"/b/articles/y/\">y</a> <img src=\"/b/articles/x/i.png\" alt=\"\"> <a href=\"https://e.org/\">e</a> <a href=\"/b/articles/x/#f\">f</a>"
        );
        assert_eq!(
            resolve("/b/articles/x/", "../../fr/articles/z/#top"),
            "/b/fr/articles/z/#top"
        );
    }

    #[test]
    fn links_carry_their_line() {
        let out = r("a\n\nsee [b](../b/) and ![i](i.png)\n");
        assert_eq!(
            out.links,
            vec![
                Link {
                    dest: "../b/".into(),
                    line: 3,
                    col: 5
                },
                Link {
                    dest: "i.png".into(),
                    line: 3,
                    col: 20
                }
            ]
        );
    }
}
