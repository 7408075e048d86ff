//! Markdown → HTML with pulldown-cmark, plus what the pages need from the body:
//! the summary, headings for a table of contents, links and a word count.
//!
//! Raw HTML follows the site's `HtmlPolicy` (see `html`): sanitized by
//! default, shown as text, or trusted; comments never reach the page, and
//! `<!-- more -->` marks the end of the summary. Headings get ids unique on the
//! page; footnote ids are `fn-NAME`, so the two never meet. Tables sit in a
//! `div.table-wrap` that scrolls on narrow screens.
//! Fenced code is highlighted by `highlight`. No file system, no site knowledge.
//!
//! Links are handled on the parser's events, while they are still links: every
//! link and image destination becomes a numbered slot in the HTML (a `\0N\0`
//! marker, which no text can forge: the input is cleaned of U+0000 first) and a
//! `Link` in `Rendered::links`. `fill_links` writes the HTML with each slot
//! filled, escaped, for where it is shown: as written on the article's page,
//! rebased on a list page, absolute in a feed. A destination with a scheme that
//! can run code (`javascript:`, `data:text/html`…) is replaced by `#`.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet, VecDeque};

use pulldown_cmark::{
    CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd, html,
};
use serde::{Deserialize, Serialize};

use crate::escape;
use crate::html::{Cleaner, HtmlPolicy, Scan};
use crate::i18n::Lang;
use crate::slug::Slug;

pub mod embed;

/// One heading, for a table of contents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Heading {
    /// 1 to 6.
    pub level: u8,
    /// The `id` attribute, unique on the page.
    pub id: String,
    /// The heading's text.
    pub title: String,
}

/// A link or image destination of the body: one slot of the HTML.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// The destination as written (after Markdown's own unescaping).
    pub written: String,
    /// What is published instead of `written`, when anything: `#` for a scheme
    /// that can run code, the target's URL for an `@/` source link once the
    /// site is modelled. Most links keep their text, so most hold nothing here.
    pub replaced: Option<String>,
    /// 1-based line, counted from the start of the body.
    pub line: usize,
    /// 1-based column (in characters) where the link starts.
    pub col: usize,
    /// A Markdown image's source (`![alt](src)`), not a link.
    pub image: bool,
}

impl Link {
    /// The destination to publish.
    pub fn dest(&self) -> &str {
        self.replaced.as_deref().unwrap_or(&self.written)
    }

    /// A Zola-style link to a source file, `@/articles/FILE.md`, which the
    /// site model points at the target's URL.
    pub fn is_source(&self) -> bool {
        self.written.starts_with("@/")
    }
}

/// The rendered body and what was gathered on the way.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Rendered {
    /// The whole body as HTML, with link slots (see `fill_links`).
    pub html: String,
    /// The summary as HTML, with link slots: the part before `<!-- more -->`,
    /// else the first paragraph.
    pub summary_html: String,
    /// The summary as plain text, for descriptions: `html::text` of the
    /// published (cleaned) `summary_html`, so nothing the page does not show
    /// can reach a description.
    pub summary_text: String,
    /// Every heading, in order.
    pub headings: Vec<Heading>,
    /// Every link and image destination: slot `n` is `links[n]`.
    pub links: Vec<Link>,
    /// Words of prose (code excluded).
    pub words: usize,
    /// Code blocks whose language is unknown: (language, 1-based body line).
    pub unknown_languages: Vec<(String, usize)>,
    /// Destinations replaced because their scheme can run code: (destination, line, column).
    pub unsafe_links: Vec<(String, usize, usize)>,
    /// Markdown images written without alt text (`![](x.jpg)`): their slots.
    pub images_without_alt: Vec<usize>,
    /// What the raw HTML policy removed or found unbalanced.
    pub html_notes: Vec<crate::html::Note>,
    /// Elements made once the site is known (responsive images, embeds):
    /// element `n` is `elements[n]`, marked `\0eN\0` in the HTML.
    pub elements: Vec<Element>,
    /// Embeds written wrong: (message, line, column).
    pub embed_errors: Vec<(String, usize, usize)>,
}

/// An element of the body made once the site is known (see `fill`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Element {
    /// An image: responsive when its file is one the build processes.
    Image(ImageElement),
    /// A deal card: `{{ deal(id="…") }}`, the deal's current figures.
    Deal {
        /// The deal's id.
        id: String,
        /// 1-based body line.
        line: usize,
        /// 1-based column.
        col: usize,
    },
    /// A video, loaded from its host only when the reader asks.
    Video(Video),
}

/// An image of the body (`![alt](src "title")`, a raw `<img>`, or a figure).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ImageElement {
    /// The link slot of its source.
    pub slot: usize,
    /// Alt text.
    pub alt: String,
    /// Title attribute (an inline Markdown image's title).
    pub title: String,
    /// Shown in a `<figure>`: an image alone in its paragraph with a title
    /// (the title is its caption), or a `figure` embed.
    pub figure: Option<Caption>,
    /// A raw `<img>`'s `width`, `height` and `class`, as the sanitizer left
    /// them: kept when the image is not processed (a processed image's
    /// size is its file's).
    pub raw: Vec<(String, String)>,
}

/// A figure's caption and credit (plain text).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Caption {
    /// The caption, possibly empty.
    pub caption: String,
    /// Who made the image, possibly empty.
    pub credit: String,
}

/// A video embed.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Video {
    /// `youtube` or `vimeo`.
    pub host: VideoHost,
    /// The video's id on its host (checked: letters, digits, `-`, `_`).
    pub id: String,
    /// Its title, shown before it is loaded.
    pub title: String,
}

/// Where a video is hosted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum VideoHost {
    /// YouTube, played from `youtube-nocookie.com`.
    YouTube,
    /// Vimeo, played with `dnt=1`.
    Vimeo,
}

/// How to render.
#[derive(Clone, Copy, Debug)]
pub struct MarkdownOptions {
    /// What becomes of raw HTML.
    pub html: HtmlPolicy,
    /// Curly quotes, dashes and the language's spacing rules in prose. Off, the
    /// prose is pulldown-cmark's own; headings keep their ids and anchors.
    pub typography: bool,
    /// The language of the text.
    pub lang: Lang,
}

impl Default for MarkdownOptions {
    fn default() -> Self {
        MarkdownOptions {
            html: HtmlPolicy::default(),
            typography: true,
            lang: Lang::En,
        }
    }
}

const MORE: &str = "<!-- more -->";
const SLOT: char = '\0';
/// The prefix of an element slot (`\0eN\0`), beside link slots (`\0N\0`).
const ELEMENT: char = 'e';

/// Renders a Markdown body.
pub fn render(body: &str, opts: MarkdownOptions) -> Rendered {
    // Slots are marked with U+0000, so the text may hold none.
    let (body, _) = crate::text::clean(body);
    let body = body.as_ref();
    let mut options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    if opts.typography {
        options |= Options::ENABLE_SMART_PUNCTUATION;
    }
    let mut walk = Walk {
        opts,
        body,
        line_starts: std::iter::once(0)
            .chain(body.match_indices('\n').map(|(i, _)| i + 1))
            .collect(),
        parser: Parser::new_ext(body, options).into_offset_iter(),
        out: Rendered::default(),
        events: VecDeque::new(),
        summary: if body.contains(MORE) {
            Summary::UntilMore(Vec::new(), None)
        } else {
            Summary::FirstParagraph(Vec::new(), false)
        },
        ids: Ids::default(),
        heading: None,
        code: None,
        image: None,
        html_block: None,
        scan: Scan::default(),
        raw_html: false,
        footnotes: HashMap::new(),
        bare_paragraph: false,
        paragraph: None,
        last_image: None,
        skip_paragraph: false,
        end: 0,
    };
    let mut html = String::with_capacity(body.len() * 3 / 2);
    html::push_html(&mut html, walk.by_ref());
    walk.finish(html)
}

/// What a walk keeps of the events it hands on, for the summary.
enum Summary<'a> {
    /// No `<!-- more -->` in the text: the first paragraph's events, and
    /// whether it is closed.
    FirstParagraph(Vec<Event<'a>>, bool),
    /// The text holds `<!-- more -->` somewhere: every event so far, and the
    /// index range of the first paragraph among them, in case the marker turns
    /// out to sit in code.
    UntilMore(Vec<Event<'a>>, Option<(usize, Option<usize>)>),
    /// The marker was met: the events before it.
    Done(Vec<Event<'a>>),
}

/// One walk over a body's events: an iterator of the events to write, made
/// from the parser's as they come, so that memory holds one block at a time,
/// not the whole body (a 10 MiB table is millions of events).
struct Walk<'a> {
    opts: MarkdownOptions,
    body: &'a str,
    line_starts: Vec<usize>,
    parser: pulldown_cmark::OffsetIter<'a>,
    out: Rendered,
    /// Events made and not yet handed to the HTML writer: those of an open
    /// heading, image or code block wait for its end.
    events: VecDeque<Event<'a>>,
    summary: Summary<'a>,
    ids: Ids,
    /// An open heading: where its start event goes, its level and written id.
    heading: Option<(usize, HeadingLevel, Option<CowStr<'a>>)>,
    /// An open code block: its info, text and line.
    code: Option<(crate::code::Info, String, usize)>,
    /// An open image: its slot, title, alt text and nesting depth.
    image: Option<(usize, CowStr<'a>, String, usize)>,
    /// Inside an HTML block: its text so far and where it starts.
    html_block: Option<(String, usize)>,
    /// What the raw HTML holds.
    scan: Scan,
    /// Whether raw HTML went into the events (not `escape`): the body then
    /// goes through the HTML parser.
    raw_html: bool,
    /// Footnote numbers by name, in order of first mention.
    footnotes: HashMap<String, usize>,
    /// Inside a paragraph written without `<p>` (see `event`).
    bare_paragraph: bool,
    /// An open paragraph: where its start event waits (it may become a figure).
    paragraph: Option<usize>,
    /// The element of the last image made, and where its event is.
    last_image: Option<(usize, usize)>,
    /// Inside a paragraph that is an embed: its events are left out.
    skip_paragraph: bool,
    /// Where the event being handled ends in the body.
    end: usize,
}

impl<'a> Walk<'a> {
    fn line_col(&self, offset: usize) -> (usize, usize) {
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let col = self.body[self.line_starts[line - 1]..offset]
            .chars()
            .count()
            + 1;
        (line, col)
    }

    fn event(&mut self, event: Event<'a>, offset: usize) {
        if self.skip_paragraph {
            if matches!(event, Event::End(TagEnd::Paragraph)) {
                self.skip_paragraph = false;
            }
            return;
        }
        if self.code.is_some() {
            return self.code_event(event);
        }
        if self.image.is_some() {
            return self.image_event(event);
        }
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let info = match kind {
                    CodeBlockKind::Fenced(info) => crate::code::parse_info(&info),
                    CodeBlockKind::Indented => crate::code::Info::default(),
                };
                self.code = Some((info, String::new(), self.line_col(offset).0));
            }
            Event::Start(Tag::Heading { level, id, .. }) => {
                self.heading = Some((self.events.len(), level, id));
                self.events.push_back(Event::Text("".into()));
            }
            Event::End(TagEnd::Heading(level)) => self.end_heading(level),
            // A paragraph inside raw inline HTML (`<summary><span>` then a
            // Markdown paragraph) would put `<p>` where HTML allows only
            // phrasing: its text goes in bare, with a line break between.
            Event::Start(Tag::Paragraph)
                if self.opts.html != HtmlPolicy::Escape && self.scan.in_phrasing() =>
            {
                self.bare_paragraph = true;
            }
            Event::End(TagEnd::Paragraph) if self.bare_paragraph => {
                self.bare_paragraph = false;
                self.events.push_back(Event::Html("<br>\n".into()));
            }
            Event::Start(Tag::Paragraph) => {
                let source = &self.body[offset..self.end.min(self.body.len())];
                match crate::markdown::embed::parse(source) {
                    Some(call) => {
                        let (line, col) =
                            self.line_col(offset + (source.len() - source.trim_start().len()));
                        self.embed(call, line, col);
                        self.skip_paragraph = true;
                    }
                    None => self.open_paragraph(),
                }
            }
            Event::End(TagEnd::Paragraph) => self.close_paragraph(),
            Event::Html(t) | Event::InlineHtml(t) if t.trim() == MORE => {
                if let Summary::UntilMore(before, _) = &mut self.summary {
                    self.summary = Summary::Done(std::mem::take(before));
                }
            }
            // An HTML block arrives a line at a time: it is handled whole.
            Event::Start(Tag::HtmlBlock) => self.html_block = Some((String::new(), offset)),
            Event::Html(t) if self.html_block.is_some() => {
                if let Some((text, _)) = self.html_block.as_mut() {
                    text.push_str(&t);
                }
            }
            Event::End(TagEnd::HtmlBlock) => {
                // A block that held only `<!-- more -->` is empty: nothing to publish.
                if let Some((text, start)) =
                    self.html_block.take().filter(|(t, _)| !t.trim().is_empty())
                {
                    self.raw(text.into(), start, true);
                }
            }
            Event::Html(t) | Event::InlineHtml(t) => self.raw(t, offset, false),
            Event::Start(Tag::Table(alignments)) => {
                self.events
                    .push_back(Event::Html("<div class=\"table-wrap\">".into()));
                self.events.push_back(Event::Start(Tag::Table(alignments)));
            }
            Event::End(TagEnd::Table) => {
                self.events.push_back(Event::End(TagEnd::Table));
                self.events.push_back(Event::Html("</div>\n".into()));
            }
            Event::FootnoteReference(name) => {
                let (n, id) = self.footnote(&name);
                let html =
                    format!("<sup class=\"footnote-reference\"><a href=\"#{id}\">{n}</a></sup>");
                self.events.push_back(Event::Html(html.into()));
            }
            Event::Start(Tag::FootnoteDefinition(name)) => {
                let (n, id) = self.footnote(&name);
                let html = format!(
                    "<div class=\"footnote-definition\" id=\"{id}\"><sup class=\"footnote-definition-label\">{n}</sup>\n"
                );
                self.events.push_back(Event::Html(html.into()));
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                self.events.push_back(Event::Html("</div>\n".into()));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                ..
            }) => {
                let dest = match link_type {
                    LinkType::Email => format!("mailto:{dest_url}"),
                    _ => dest_url.to_string(),
                };
                let slot = self.slot(dest, false, offset);
                let mut tag = format!("<a href=\"{SLOT}{slot}{SLOT}\"");
                push_title(&mut tag, &title);
                tag.push('>');
                self.events.push_back(Event::Html(tag.into()));
            }
            Event::Start(Tag::Image {
                dest_url, title, ..
            }) => {
                let slot = self.slot(dest_url.to_string(), true, offset);
                self.image = Some((slot, title, String::new(), 0));
            }
            Event::Text(t) => {
                self.out.words += t.split_whitespace().count();
                let t = self.command_line_flag(t, offset);
                if self.opts.typography && self.opts.lang != Lang::En {
                    let text = crate::typography::apply(&t, self.opts.lang);
                    self.events.push_back(Event::Text(text.into()));
                } else {
                    self.events.push_back(Event::Text(t));
                }
            }
            other => self.events.push_back(other),
        }
    }

    /// Smart punctuation turns `--` into a dash; before a word, as in
    /// `--all-features`, it is a command-line flag and stays as written.
    fn command_line_flag(&self, text: CowStr<'a>, offset: usize) -> CowStr<'a> {
        if !self.opts.typography || !matches!(&*text, "–" | "—") {
            return text;
        }
        let source = &self.body[offset..];
        let dashes = source.len() - source.trim_start_matches('-').len();
        let after = source[dashes..].chars().next();
        let before = self.body[..offset].chars().next_back();
        let flag = dashes >= 2
            && after.is_some_and(|c| c.is_ascii_alphabetic())
            && before.is_none_or(|c| c.is_whitespace() || matches!(c, '(' | '[' | '"' | '\''));
        if flag {
            source[..dashes].to_string().into()
        } else {
            text
        }
    }

    /// Raw HTML at `offset`: an HTML block (whole) or one inline tag.
    fn raw(&mut self, html: CowStr<'a>, offset: usize, block: bool) {
        let line = self.line_col(offset).0;
        let policy = self.opts.html;
        if policy == HtmlPolicy::Escape {
            // Shown as text, without its comments; a block is a paragraph.
            let shown = crate::html::strip_comments(&html);
            let shown = if block { shown.trim_end() } else { &shown };
            if shown.trim().is_empty() {
                return;
            }
            self.out.words += shown.split_whitespace().count();
            if block {
                self.open_paragraph();
            }
            self.events.push_back(Event::Text(shown.to_string().into()));
            if block {
                self.close_paragraph();
            }
            return;
        }
        // A raw `<p>` inside a raw `<span>` (or another phrasing element) is
        // invalid HTML that browsers keep as written: it goes, its text stays.
        if !block && self.scan.in_phrasing() && is_p_tag(&html) {
            return;
        }
        // Comments alone: the sanitizer would drop them, so the body needs no
        // cleaning for them (trusted HTML keeps them as written).
        if policy == HtmlPolicy::Sanitize && crate::html::strip_comments(&html).trim().is_empty() {
            return;
        }
        self.scan.read(&html, line, policy);
        self.raw_html = true;
        self.events.push_back(if block {
            Event::Html(html)
        } else {
            Event::InlineHtml(html)
        });
    }

    /// A footnote's number (in order of first mention) and its element id.
    fn footnote(&mut self, name: &str) -> (usize, String) {
        let next = self.footnotes.len() + 1;
        let n = *self.footnotes.entry(name.to_string()).or_insert(next);
        (n, escape::html(&format!("fn-{name}")))
    }

    fn code_event(&mut self, event: Event<'a>) {
        let Some((info, text, line)) = self.code.as_mut() else {
            return;
        };
        match event {
            Event::Text(t) => text.push_str(&t),
            Event::End(TagEnd::CodeBlock) => {
                let (html, known) = crate::code::render(text, info);
                if !known {
                    self.out.unknown_languages.push((info.lang.clone(), *line));
                }
                self.events.push_back(Event::Html(html.into()));
                self.code = None;
            }
            _ => {}
        }
    }

    /// Inside an image, events make its alt text; the tag is written at its end.
    fn image_event(&mut self, event: Event<'a>) {
        let Some((slot, title, alt, depth)) = self.image.as_mut() else {
            return;
        };
        match event {
            Event::Start(_) => *depth += 1,
            Event::End(_) if *depth > 0 => *depth -= 1,
            Event::End(_) => {
                if alt.trim().is_empty() {
                    self.out.images_without_alt.push(*slot);
                }
                let element = Element::Image(ImageElement {
                    slot: *slot,
                    alt: std::mem::take(alt),
                    title: title.to_string(),
                    figure: None,
                    raw: Vec::new(),
                });
                self.image = None;
                let n = self.element(element);
                self.last_image = Some((n, self.events.len() - 1));
            }
            Event::Text(t) | Event::Code(t) | Event::InlineHtml(t) => alt.push_str(&t),
            Event::SoftBreak | Event::HardBreak => alt.push(' '),
            _ => {}
        }
    }

    /// Records a destination and returns its slot number.
    fn slot(&mut self, written: String, image: bool, offset: usize) -> usize {
        let (line, col) = self.line_col(offset);
        self.slot_at(written, image, line, col)
    }

    /// `slot`, at a known line and column.
    fn slot_at(&mut self, written: String, image: bool, line: usize, col: usize) -> usize {
        let replaced = (!is_safe_url(&written, image)).then(|| {
            self.out.unsafe_links.push((written.clone(), line, col));
            "#".to_string()
        });
        self.out.links.push(Link {
            written,
            replaced,
            line,
            col,
            image,
        });
        self.out.links.len() - 1
    }

    fn open_paragraph(&mut self) {
        self.paragraph = Some(self.events.len());
        self.events.push_back(Event::Start(Tag::Paragraph));
    }

    /// Closes a paragraph; one that holds only an image with a title
    /// becomes a figure, its title the caption (CommonMark keeps an inline
    /// image's title as its `title`, and a figure cannot sit in a `<p>`).
    fn close_paragraph(&mut self) {
        if let (Some(at), Some((n, event))) = (self.paragraph.take(), self.last_image)
            && event == at + 1
            && self.events.len() == at + 2
            && let Some(Element::Image(image)) = self.out.elements.get_mut(n)
            && !image.title.trim().is_empty()
        {
            image.figure = Some(Caption {
                caption: std::mem::take(&mut image.title).trim().to_string(),
                credit: String::new(),
            });
            self.events.truncate(at);
            self.events
                .push_back(Event::Html(format!("{SLOT}{ELEMENT}{n}{SLOT}\n").into()));
            return;
        }
        self.events.push_back(Event::End(TagEnd::Paragraph));
    }

    /// Adds an element and its slot in the events; returns its number.
    fn element(&mut self, element: Element) -> usize {
        self.out.elements.push(element);
        let n = self.out.elements.len() - 1;
        self.events
            .push_back(Event::Html(format!("{SLOT}{ELEMENT}{n}{SLOT}").into()));
        n
    }

    /// An embed standing as its own paragraph, at `line`, `col`.
    fn embed(&mut self, call: Result<embed::Call, String>, line: usize, col: usize) {
        let made = call.and_then(|call| {
            Ok(match call.name.as_str() {
                "deal" => Element::Deal {
                    id: call.required("id")?,
                    line,
                    col,
                },
                "youtube" | "vimeo" => Element::Video(call.video()?),
                "figure" => {
                    let src = call.required("src")?;
                    let alt = call.optional("alt");
                    let slot = self.slot_at(src, true, line, col);
                    if alt.trim().is_empty() {
                        self.out.images_without_alt.push(slot);
                    }
                    Element::Image(ImageElement {
                        slot,
                        alt,
                        title: String::new(),
                        raw: Vec::new(),
                        figure: Some(Caption {
                            caption: call.optional("caption"),
                            credit: call.optional("credit"),
                        }),
                    })
                }
                other => {
                    return Err(format!(
                        "unknown embed `{other}`: dealwire knows `deal`, `figure`, `youtube` and `vimeo`"
                    ));
                }
            })
        });
        match made {
            Ok(element) => {
                self.element(element);
                self.events.push_back(Event::Html("\n".into()));
            }
            Err(message) => self.out.embed_errors.push((message, line, col)),
        }
    }

    /// Keeps what the summary needs of an event handed on.
    fn keep_for_summary(&mut self, event: &Event<'a>) {
        // Heading anchors and footnote references point into the article; a
        // summary shown elsewhere drops them.
        if is_anchor_or_note(event) {
            return;
        }
        match &mut self.summary {
            Summary::FirstParagraph(kept, closed @ false)
                if (!kept.is_empty() || matches!(event, Event::Start(Tag::Paragraph))) =>
            {
                kept.push(event.clone());
                *closed = matches!(event, Event::End(TagEnd::Paragraph));
            }
            Summary::UntilMore(kept, first) => {
                match (first.as_mut(), event) {
                    (None, Event::Start(Tag::Paragraph)) => *first = Some((kept.len(), None)),
                    (Some((_, end @ None)), Event::End(TagEnd::Paragraph)) => {
                        *end = Some(kept.len() + 1)
                    }
                    _ => {}
                }
                kept.push(event.clone());
            }
            _ => {}
        }
    }

    fn end_heading(&mut self, level: HeadingLevel) {
        if let Some((at, _, written_id)) = self.heading.take() {
            let title = heading_text(self.events.range(at + 1..));
            let id = self.ids.unique(written_id.as_deref(), &title);
            self.events[at] = Event::Start(Tag::Heading {
                level,
                id: Some(id.clone().into()),
                classes: vec![],
                attrs: vec![],
            });
            let mut anchor = String::from("<a class=\"anchor\" href=\"#");
            escape::push_html(&mut anchor, &id);
            anchor.push_str("\" aria-hidden=\"true\" tabindex=\"-1\">#</a>");
            self.events.push_back(Event::Html(anchor.into()));
            self.out.headings.push(Heading {
                level: level as u8,
                id,
                title,
            });
        }
        self.events.push_back(Event::End(TagEnd::Heading(level)));
    }

    fn finish(mut self, html: String) -> Rendered {
        let summary: &[Event] = match &self.summary {
            Summary::FirstParagraph(kept, _) | Summary::Done(kept) => kept,
            Summary::UntilMore(kept, Some((start, Some(end)))) => &kept[*start..*end],
            Summary::UntilMore(..) => &[],
        };
        let mut out = self.out;
        html::push_html(&mut out.summary_html, summary.iter().cloned());
        out.html = html;
        self.scan.finish(self.opts.html);
        out.words += self.scan.words;
        out.html_notes = std::mem::take(&mut self.scan.notes);
        if self.raw_html {
            // Each `href`/`src` of raw HTML becomes a link slot, once per value.
            let cleaner = Cleaner::new(self.opts.html, self.body);
            let mut slots: HashMap<(String, bool), usize> = HashMap::new();
            let urls = &self.scan.urls;
            let links = &mut out.links;
            let mut raw_slot = |url: &str, image: bool| {
                *slots.entry((url.to_string(), image)).or_insert_with(|| {
                    let (line, col) = urls.get(url).copied().unwrap_or((1, 1));
                    links.push(Link {
                        written: url.to_string(),
                        replaced: None,
                        line,
                        col,
                        image,
                    });
                    links.len() - 1
                })
            };
            out.html = cleaner.clean(&out.html, SLOT, &mut raw_slot);
            out.summary_html = cleaner.clean(&out.summary_html, SLOT, &mut raw_slot);
            // Trusted HTML has no slots of its own: its images stay as written.
            if self.opts.html == HtmlPolicy::Sanitize {
                out.html = raw_images(&out.html, &out.links, &mut out.elements);
                out.summary_html = raw_images(&out.summary_html, &out.links, &mut out.elements);
            }
        }
        // The text of what is published, never of the events: a script's or
        // a fallback's text is in the events, between their raw tags (and
        // an element's, which the page fills, is not the article's text).
        out.summary_text =
            crate::html::text(&fill(&out.summary_html, &[], |_| "".into(), |_, _| {}));
        out
    }
}

/// Each raw `<img>` of cleaned HTML (as the serializer writes it: double-quoted
/// attributes) whose source is a slot becomes an image element, with its alt
/// text and title; the page writes it whole, responsive. Its other attributes
/// (`width`, `height`, `class`…) give way to the ones the image file dictates.
fn raw_images(html: &str, links: &[Link], elements: &mut Vec<Element>) -> String {
    if !html.contains("<img ") {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find("<img ") {
        out.push_str(&rest[..at]);
        let tag = &rest[at..];
        let Some((attrs, len)) = tag_attributes(&tag[5..]) else {
            out.push_str(tag);
            return out;
        };
        let value = |name: &str| {
            attrs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| unescape_attribute(v))
        };
        let slot = value("src").and_then(|src| {
            let n = src
                .strip_prefix(SLOT)?
                .strip_suffix(SLOT)?
                .parse::<usize>()
                .ok()?;
            links.get(n).filter(|l| l.image).map(|_| n)
        });
        match slot {
            Some(slot) => {
                elements.push(Element::Image(ImageElement {
                    slot,
                    alt: value("alt").unwrap_or_default(),
                    title: value("title").unwrap_or_default(),
                    figure: None,
                    raw: ["width", "height", "class"]
                        .into_iter()
                        .filter_map(|n| Some((n.to_string(), value(n)?)))
                        .collect(),
                }));
                out.push_str(&format!("{SLOT}{ELEMENT}{}{SLOT}", elements.len() - 1));
            }
            None => out.push_str(&tag[..5 + len]),
        }
        rest = &tag[5 + len..];
    }
    out.push_str(rest);
    out
}

/// The attributes of a serialized tag after its name (`a="x" b="y">`), and
/// the length up to and with its `>`.
fn tag_attributes(text: &str) -> Option<(Vec<(&str, &str)>, usize)> {
    let mut attrs = Vec::new();
    let mut i = 0;
    let bytes = text.as_bytes();
    loop {
        while i < bytes.len() && bytes[i] == b' ' {
            i += 1;
        }
        match bytes.get(i)? {
            b'>' => return Some((attrs, i + 1)),
            b'/' if bytes.get(i + 1) == Some(&b'>') => return Some((attrs, i + 2)),
            _ => {}
        }
        // Never empty, so every turn moves on (a stray `=` is a name of its own).
        let name_len = text[i..].find(['=', ' ', '>'])?.max(1);
        let name = &text[i..i + name_len];
        i += name_len;
        if bytes.get(i) == Some(&b'=') && bytes.get(i + 1) == Some(&b'"') {
            let value_len = text[i + 2..].find('"')?;
            attrs.push((name, &text[i + 2..i + 2 + value_len]));
            i += 2 + value_len + 1;
        } else {
            attrs.push((name, ""));
        }
    }
}

/// An attribute value as the serializer escaped it, as text.
fn unescape_attribute(value: &str) -> String {
    value
        .replace("&quot;", "\"")
        .replace("&nbsp;", "\u{a0}")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

impl<'a> Iterator for Walk<'a> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        loop {
            let waiting = self.heading.is_some()
                || self.image.is_some()
                || self.code.is_some()
                || self.paragraph.is_some();
            if !waiting && let Some(event) = self.events.pop_front() {
                self.keep_for_summary(&event);
                return Some(event);
            }
            let Some((event, range)) = self.parser.next() else {
                // The end: whatever still waits is handed on.
                self.paragraph = None;
                let event = self.events.pop_front()?;
                self.keep_for_summary(&event);
                return Some(event);
            };
            self.end = range.end;
            self.event(event, range.start);
        }
    }
}

fn push_title(tag: &mut String, title: &str) {
    if !title.is_empty() {
        tag.push_str(" title=\"");
        escape::push_html(tag, title);
        tag.push('"');
    }
}

/// A body that opens (after blank lines) with `# TITLE`, the title given:
/// how many line breaks come before that heading, and the body after it and
/// the blank lines that follow. The theme shows the title already.
pub fn leading_title<'a>(body: &'a str, title: &str) -> Option<(usize, &'a str)> {
    let skipped = body.len() - body.trim_start_matches(['\n', '\r']).len();
    let rest = &body[skipped..];
    let (first, after) = rest.split_once('\n').unwrap_or((rest, ""));
    let heading = first
        .trim_end()
        .strip_prefix("# ")
        .map(|h| h.trim().trim_end_matches('#').trim())?;
    (!heading.is_empty() && heading.eq_ignore_ascii_case(title.trim())).then(|| {
        let breaks = body[..skipped].matches('\n').count();
        (breaks, after.trim_start_matches(['\n', '\r']))
    })
}

/// Whether an inline HTML tag is `<p>`, `<p …>` or `</p>`.
fn is_p_tag(tag: &str) -> bool {
    let t = tag.trim().to_ascii_lowercase();
    let name = t.trim_start_matches('<').trim_start_matches('/');
    t.starts_with('<') && t.ends_with('>') && (name.starts_with("p>") || name.starts_with("p "))
}

/// The schemes a link may use (ammonia's list); anything else with a scheme is
/// replaced. Images may also be `data:image/…` (an image cannot run script).
const SAFE_SCHEMES: [&str; 25] = [
    "bitcoin",
    "ftp",
    "ftps",
    "geo",
    "http",
    "https",
    "im",
    "irc",
    "ircs",
    "magnet",
    "mailto",
    "mms",
    "mx",
    "news",
    "nntp",
    "openpgp4fpr",
    "sip",
    "sms",
    "smsto",
    "ssh",
    "tel",
    "url",
    "webcal",
    "wtai",
    "xmpp",
];

/// Whether a destination is relative, or has a scheme that cannot run code.
/// The scheme is read as a browser reads it: leading controls and spaces
/// dropped, tabs and newlines removed, case folded.
pub fn is_safe_url(dest: &str, image: bool) -> bool {
    let cleaned: String = dest
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .take(64)
        .collect::<String>()
        .to_ascii_lowercase();
    // No scheme (`a/b:c`, `x y:z`): a browser reads a relative URL.
    let Some(scheme) = crate::urls::scheme(&cleaned) else {
        return true;
    };
    let rest = &cleaned[scheme.len() + 1..];
    SAFE_SCHEMES.contains(&scheme)
        || (image
            && scheme == "data"
            && [
                "image/png",
                "image/gif",
                "image/jpeg",
                "image/webp",
                "image/avif",
            ]
            .iter()
            .any(|t| rest.starts_with(t)))
}

/// Writes `html` with each link slot filled by `dest(link)`, escaped for an
/// attribute. `links` are the `Rendered::links` the HTML was made with.
/// Images are written plain (`<img src alt title />`, as the body gives
/// them) and embeds left out: see `fill` for the page's elements.
pub fn fill_links<'l>(
    html: &str,
    links: &'l [Link],
    elements: &[Element],
    dest: impl Fn(&'l Link) -> Cow<'l, str>,
) -> String {
    fill(html, links, &dest, |n, out| {
        if let Some(Element::Image(image)) = elements.get(n)
            && let Some(link) = links.get(image.slot)
        {
            out.push_str("<img src=\"");
            escape::push_href(out, &dest(link));
            out.push_str("\" alt=\"");
            escape::push_html(out, &image.alt);
            out.push('"');
            push_title(out, &image.title);
            out.push_str(" />");
        }
    })
}

/// Writes `html` with each link slot filled by `dest(link)`, escaped for an
/// attribute, and each element slot (`\0eN\0`) by `element(n, out)`, which
/// writes the element's markup (it escapes what it writes).
pub fn fill<'l>(
    html: &str,
    links: &'l [Link],
    dest: impl Fn(&'l Link) -> Cow<'l, str>,
    mut element: impl FnMut(usize, &mut String),
) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 16);
    let mut parts = html.split(SLOT);
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    while let (Some(slot), Some(text)) = (parts.next(), parts.next()) {
        if let Some(n) = slot.strip_prefix(ELEMENT) {
            if let Ok(n) = n.parse::<usize>() {
                element(n, &mut out);
            }
        } else if let Some(link) = slot.parse::<usize>().ok().and_then(|n| links.get(n)) {
            escape::push_href(&mut out, &dest(link));
        }
        out.push_str(text);
    }
    out
}

/// `fill_links` for the article's own page: each destination as published.
pub fn page_html(html: &str, links: &[Link], elements: &[Element]) -> String {
    fill_links(html, links, elements, |l| Cow::Borrowed(l.dest()))
}

/// `fill_links` for another page: relative destinations made root-relative to
/// the article's page at `page_url` (`/briefing/articles/x/`).
pub fn rebased_html(html: &str, links: &[Link], elements: &[Element], page_url: &str) -> String {
    fill_links(html, links, elements, |l| rebase(l.dest(), page_url))
}

/// A destination as seen from another page: root-relative when it was relative
/// to the article's page at `page_url`; unchanged otherwise.
pub fn rebase<'d>(dest: &'d str, page_url: &str) -> Cow<'d, str> {
    if crate::urls::is_relative(dest) {
        Cow::Owned(crate::urls::join(page_url, dest))
    } else {
        Cow::Borrowed(dest)
    }
}

/// A heading anchor or a footnote reference: links into the article page.
fn is_anchor_or_note(event: &Event) -> bool {
    matches!(event, Event::Html(h)
        if h.starts_with("<a class=\"anchor\"") || h.starts_with("<sup class=\"footnote-reference\""))
}

/// A heading's text for the table of contents and its id. Raw HTML in it
/// is read as the page shows it (`html::text`): a `<script>` in a heading
/// lends it no words.
fn heading_text<'e>(events: impl Iterator<Item = &'e Event<'e>> + Clone) -> String {
    if !events.clone().any(|e| matches!(e, Event::InlineHtml(_))) {
        return plain_text(events);
    }
    let mut html = String::new();
    html::push_html(&mut html, events.filter(|e| !is_anchor_or_note(e)).cloned());
    crate::html::text(&html)
}

fn plain_text<'e>(events: impl IntoIterator<Item = &'e Event<'e>>) -> String {
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

/// Heading ids given so far, and the next number to try for each base: a
/// thousand equal headings cost a thousand steps, not half a million.
#[derive(Default)]
struct Ids {
    taken: HashSet<String>,
    next: HashMap<String, usize>,
}

impl Ids {
    fn unique(&mut self, written: Option<&str>, title: &str) -> String {
        let base = written
            .map(str::to_string)
            .or_else(|| Slug::from_text(title).map(|s| s.to_string()))
            .unwrap_or_else(|| "section".to_string());
        if self.taken.insert(base.clone()) {
            return base;
        }
        let n = self.next.entry(base.clone()).or_insert(1);
        loop {
            let id = format!("{base}-{n}");
            *n += 1;
            if self.taken.insert(id.clone()) {
                return id;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(md: &str) -> Rendered {
        render(md, MarkdownOptions::default())
    }

    fn with(md: &str, html: HtmlPolicy) -> Rendered {
        render(
            md,
            MarkdownOptions {
                html,
                ..MarkdownOptions::default()
            },
        )
    }

    #[test]
    fn raw_html_follows_the_policy() {
        let md = "Hi <script>alert(1)</script> <!-- note -->\n\n<div onclick=x>b</div>\n\n<!--\nhidden\n-->\n";
        let escaped = with(md, HtmlPolicy::Escape);
        assert_eq!(
            escaped.html,
            "<p>Hi &lt;script&gt;alert(1)&lt;/script&gt; </p>\n<p>&lt;div onclick=x&gt;b&lt;/div&gt;</p>\n"
        );
        let sanitized = with(md, HtmlPolicy::Sanitize);
        assert_eq!(sanitized.html, "<p>Hi  </p>\n<div>b</div>\n");
        let notes: Vec<String> = sanitized.html_notes.iter().map(|n| n.text(0)).collect();
        assert_eq!(
            notes,
            [
                "`<script>` is removed with its content (raw HTML is sanitized)",
                "`onclick=\"x\"` is removed from `<div>` (raw HTML is sanitized)"
            ]
        );
        let trusted = with(md, HtmlPolicy::Trust);
        assert_eq!(
            trusted.html,
            "<p>Hi <script>alert(1)</script> </p>\n<div onclick=\"x\">b</div>\n\n"
        );
    }

    #[test]
    fn paragraphs_inside_phrasing_html_lose_their_p() {
        let out = r(
            "<details>\n<summary>\n<span>\n\nOne update.\n\n</span>\n</summary>\n\nBody.\n\n</details>\n",
        );
        assert_eq!(
            out.html,
            "<details>\n<summary>\n<span>\nOne update.<br>\n</span>\n</summary>\n<p>Body.</p>\n</details>\n"
        );
    }

    #[test]
    fn a_raw_p_inside_a_raw_span_goes() {
        let out = r("Read <span class=\"x\"><p>one update</p></span> now.\n");
        assert_eq!(
            out.html,
            "<p>Read <span class=\"x\">one update</span> now.</p>\n"
        );
    }

    #[test]
    fn odd_img_tags_end_the_raw_image_scan() {
        // Found by fuzzing: `<img` text with a stray `=` in a script (trusted
        // HTML) or in any attribute list once made the scan loop for ever.
        let text = "This <b\n\n<script><img src=x alert(1)</script>>bold</b>\n\n<script>alert(0)</script>\n";
        for html in [HtmlPolicy::Trust, HtmlPolicy::Sanitize] {
            let out = render(
                text,
                MarkdownOptions {
                    html,
                    ..MarkdownOptions::default()
                },
            );
            assert!(page_html(&out.html, &out.links, &out.elements).contains("bold"));
        }
        for tag in ["a =b>", "=>", "= =\">", "x=\"y", "="] {
            assert!(
                tag_attributes(tag).is_none_or(|(_, len)| len <= tag.len()),
                "{tag}"
            );
        }
    }

    #[test]
    fn raw_urls_become_links_and_words_count() {
        let out = r(
            "<p>Read <a href=\"other/\">the other one</a> now.</p>\n\n<img src=\"chart.png\" alt=\"c\">\n",
        );
        let written: Vec<&str> = out.links.iter().map(|l| l.written.as_str()).collect();
        assert_eq!(written, ["other/", "chart.png"]);
        assert_eq!((out.links[1].line, out.links[1].col), (3, 1));
        assert_eq!(
            rebased_html(&out.html, &out.links, &out.elements, "/b/articles/x/"),
            "<p>Read <a href=\"/b/articles/x/other/\">the other one</a> now.</p>\n<img src=\"/b/articles/x/chart.png\" alt=\"c\" />\n"
        );
        // A raw image is an image element, like a Markdown one.
        assert!(out.links[1].image);
        assert!(matches!(&out.elements[..], [Element::Image(i)] if i.alt == "c" && i.slot == 1));
        assert_eq!(out.words, 5);
    }

    #[test]
    fn comments_alone_leave_the_body_as_markdown_made_it() {
        // The sanitizer rewrites what it cleans (`text-align:right`); a body
        // whose only raw HTML is `<!-- more -->` or a comment is not cleaned,
        // so it is the same as the body without them.
        let table = "| a | b |\n| -: | :-: |\n| 1 | 2 |\n";
        let plain = r(&format!("One.\n\n{table}"));
        for marked in [
            format!("One.\n\n<!-- more -->\n\n{table}"),
            format!("One.\n\n<!-- a note -->\n\n{table}"),
        ] {
            assert_eq!(r(&marked).html, plain.html, "{marked}");
        }
        assert!(
            plain.html.contains("style=\"text-align: right\""),
            "{}",
            plain.html
        );
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
    fn anchors_do_not_depend_on_typography() {
        let off = render(
            "## Why \"it\" matters\n",
            MarkdownOptions {
                typography: false,
                ..MarkdownOptions::default()
            },
        );
        assert!(
            off.html.contains("Why &quot;it&quot; matters")
                || off.html.contains("Why \"it\" matters"),
            "{}",
            off.html
        );
        assert!(
            off.html
                .contains("<a class=\"anchor\" href=\"#why-it-matters\""),
            "{}",
            off.html
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
            "![i *em*](i.png \"a \\\"title\\\"\") [t](x \"<t>\") <me@e.org>\n",
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
                        html: HtmlPolicy::Trust,
                        typography: false,
                        lang,
                    },
                );
                // Known differences: tables sit in a scrolling box, footnote
                // ids are namespaced, and raw HTML is written by html5ever.
                let expected = theirs
                    .replace("<table>", "<div class=\"table-wrap\"><table>")
                    .replace("</table>\n", "</table>\n</div>\n")
                    .replace("href=\"#1\"", "href=\"#fn-1\"")
                    .replace("id=\"1\"", "id=\"fn-1\"");
                let ours = page_html(&ours.html, &ours.links, &ours.elements);
                assert_eq!(
                    crate::html::balanced(&ours),
                    crate::html::balanced(&expected),
                    "{md:?}"
                );
            }
        }
    }

    #[test]
    fn flags_stay_flags_and_quotes_after_code_are_apostrophes() {
        let out =
            r("Use --all-features (or --release), 1--2, a -- b and `rustup show`'s output.\n");
        assert_eq!(
            out.html,
            "<p>Use --all-features (or --release), 1–2, a – b and <code>rustup show</code>’s output.</p>\n"
        );
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
    fn rebases_relative_links_on_other_pages() {
        let out = r("[y](../y/) ![i](i.png) [e](https://e.org/) [f](#f) [self]()\n");
        assert_eq!(
            page_html(&out.html, &out.links, &out.elements),
            "<p><a href=\"../y/\">y</a> <img src=\"i.png\" alt=\"i\" /> <a href=\"https://e.org/\">e</a> <a href=\"#f\">f</a> <a href=\"\">self</a></p>\n"
        );
        assert_eq!(
            rebased_html(&out.html, &out.links, &out.elements, "/b/articles/x/"),
            "<p><a href=\"/b/articles/y/\">y</a> <img src=\"/b/articles/x/i.png\" alt=\"i\" /> <a href=\"https://e.org/\">e</a> <a href=\"/b/articles/x/#f\">f</a> <a href=\"/b/articles/x/\">self</a></p>\n"
        );
    }

    /// Text that looks like a link is not one: code and escaped HTML are never
    /// rewritten, and a real link after them still is.
    #[test]
    fn only_real_links_are_rebased() {
        let md = "Set `href=\"` then go /../ up, and [a link](other/).\n\n<a href=\"x/\">raw</a>\n";
        let out = with(md, HtmlPolicy::Escape);
        let html = rebased_html(&out.html, &out.links, &out.elements, "/b/articles/x/");
        assert!(html.contains("<code>href=\"</code>"), "{html}");
        assert!(
            html.contains("<a href=\"/b/articles/x/other/\">a link</a>"),
            "{html}"
        );
        assert!(html.contains("&lt;a href=\"x/\"&gt;raw"), "{html}");
        // Sanitized, the raw link is a link, rebased like the others.
        let out = r(md);
        let html = rebased_html(&out.html, &out.links, &out.elements, "/b/articles/x/");
        assert!(html.contains("<code>href=\"</code>"), "{html}");
        assert!(
            html.contains("<a href=\"/b/articles/x/x/\">raw</a>"),
            "{html}"
        );
    }

    #[test]
    fn scripts_in_urls_never_go_live() {
        for md in [
            "[x](javascript:alert(1))",
            "[x](JaVaScRiPt:alert(1))",
            "<javascript:alert(1)>",
            "[x](<\tjava\tscript:alert(1)>)",
            "[x](vbscript:msgbox)",
            "[x](data:text/html;base64,PHNjcmlwdD4=)",
            "![x](data:text/html,<script>alert(1)</script>)",
            "![x](javascript:alert(1))",
        ] {
            let out = r(md);
            let html = page_html(&out.html, &out.links, &out.elements);
            assert!(
                html.contains("href=\"#\"") || html.contains("src=\"#\""),
                "{md}: {html}"
            );
            assert_eq!(
                html.matches("=\"").count(),
                1 + usize::from(html.contains("alt=")),
                "{md}: {html}"
            );
            assert_eq!(out.unsafe_links.len(), 1, "{md}");
        }
        for ok in [
            "https://e.org",
            "mailto:a@b.c",
            "tel:+331",
            "../x/",
            "a/b:c",
            "x y:z",
            "#top",
        ] {
            assert!(is_safe_url(ok, false), "{ok}");
        }
        assert!(is_safe_url("data:image/png;base64,AAA", true));
        assert!(!is_safe_url("data:image/png;base64,AAA", false));
    }

    #[test]
    fn heading_ids_are_escaped_everywhere() {
        let out = r("## Deal terms {#terms\"/autofocus/onfocus=\"alert(1)}\n");
        let html = page_html(&out.html, &out.links, &out.elements);
        assert!(!html.contains("\"/autofocus"), "{html}");
        assert!(
            html.contains("href=\"#terms&quot;/autofocus/onfocus=&quot;alert(1)\""),
            "{html}"
        );
    }

    #[test]
    fn many_equal_headings_stay_linear_and_unique() {
        let md = "## Same\n\n## Same-1\n\n".repeat(3) + &"## Same\n\n".repeat(20_000);
        let started = std::time::Instant::now();
        let out = r(&md);
        let ids: HashSet<&str> = out.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids.len(), out.headings.len(), "ids are unique");
        // Quadratic numbering took 16 s here; linear takes milliseconds. The bound
        // is loose on purpose (a noisy machine), yet far below the old cost.
        assert!(started.elapsed() < std::time::Duration::from_secs(8));
    }

    #[test]
    fn slots_cannot_be_forged_by_the_text() {
        let out = r("a\u{0}0\u{0}b [l](x/)\n");
        let html = page_html(&out.html, &out.links, &out.elements);
        assert!(html.contains("a\u{fffd}0\u{fffd}b"), "{html}");
        assert!(html.contains("href=\"x/\""), "{html}");
    }

    #[test]
    fn links_carry_their_line() {
        let out = r("a\n\nsee [b](../b/) and ![i](i.png)\n");
        assert_eq!(
            out.links,
            vec![
                Link {
                    written: "../b/".into(),
                    replaced: None,
                    line: 3,
                    col: 5,
                    image: false
                },
                Link {
                    written: "i.png".into(),
                    replaced: None,
                    line: 3,
                    col: 20,
                    image: true
                }
            ]
        );
    }
}
