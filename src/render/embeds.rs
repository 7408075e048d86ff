//! The elements of an article's body — responsive images, figures, deal
//! cards, videos — filled for where the body is shown.
//!
//! Input: a body's HTML with its slots (see `markdown::fill`), the article,
//! the model (its `media` and deal records) and, on the article's page, the
//! templates. Output: the HTML to publish. On the article's page a deal card
//! and a video are the theme's `embed_deal.html` and `embed_video.html`,
//! rendered with their values escaped; on list pages and in feeds, where no
//! script runs and cards are light, each is one plain link. No editor text
//! reaches this markup unescaped: every value goes through `escape` or the
//! templates' autoescape.

use std::borrow::Cow;

use serde::Serialize;

use crate::diag::Diagnostic;
use crate::escape;
use crate::index::ArticleIdx;
use crate::markdown::{Element, ImageElement, Link, Video, VideoHost};
use crate::media::{Picture, Published};
use crate::render::Templates;
use crate::site::Site;

/// Where a body is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Surface {
    /// The article's own page: images responsive, the first one loaded at
    /// once, embeds through the theme's templates.
    Page,
    /// A list page's card: links rebased on the list, images lazy, embeds as links.
    List,
    /// A feed entry: one variant per image (made absolute afterwards), embeds as links.
    Feed,
}

/// The body `html` of article `i` with its links and elements filled for `surface`.
pub fn fill(
    site: &Site,
    templates: Option<&Templates>,
    i: ArticleIdx,
    html: &str,
    surface: Surface,
) -> Result<String, Diagnostic> {
    let p = &site.articles[i];
    let a = &p.article;
    let page_url = site.config.path_url(&p.rel_url);
    let links = &a.body.links;
    let dest = |l: &Link| -> String {
        match surface {
            Surface::List => crate::markdown::rebase(l.dest(), &page_url).into_owned(),
            _ => l.dest().to_string(),
        }
    };
    let mut filler = Filler {
        site,
        templates,
        i,
        surface,
        first_image: true,
        error: None,
    };
    let out = crate::markdown::fill(
        html,
        links,
        |l| Cow::Owned(dest(l)),
        |n, out| {
            if let Some(element) = a.body.elements.get(n) {
                filler.element(n, element, &dest, out);
            }
        },
    );
    match filler.error {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

struct Filler<'a> {
    site: &'a Site,
    templates: Option<&'a Templates>,
    i: ArticleIdx,
    surface: Surface,
    /// No image was written yet (the first loads at once).
    first_image: bool,
    error: Option<Diagnostic>,
}

impl Filler<'_> {
    fn element(
        &mut self,
        n: usize,
        element: &Element,
        dest: &dyn Fn(&Link) -> String,
        out: &mut String,
    ) {
        match element {
            Element::Image(image) => self.image(image, dest, out),
            Element::Deal { .. } => self.deal(n, out),
            Element::Video(video) => self.video(video, out),
        }
    }

    fn image(&mut self, image: &ImageElement, dest: &dyn Fn(&Link) -> String, out: &mut String) {
        let site = self.site;
        let p = &site.articles[self.i];
        let Some(link) = p.article.body.links.get(image.slot) else {
            return;
        };
        let picture = crate::links::target(link.dest(), &p.rel_url, &site.config)
            .ok()
            .and_then(|t| site.media.get(&t));
        let lazy = !(self.surface == Surface::Page && self.first_image);
        self.first_image = false;
        if let Some(caption) = &image.figure {
            out.push_str("<figure>");
            self.picture(image, picture, &dest(link), lazy, out);
            if !caption.caption.is_empty() || !caption.credit.is_empty() {
                out.push_str("<figcaption>");
                escape::push_html(out, &caption.caption);
                if !caption.credit.is_empty() {
                    if !caption.caption.is_empty() {
                        out.push(' ');
                    }
                    out.push_str("<span class=\"credit\">");
                    escape::push_html(out, &caption.credit);
                    out.push_str("</span>");
                }
                out.push_str("</figcaption>");
            }
            out.push_str("</figure>\n");
        } else {
            self.picture(image, picture, &dest(link), lazy, out);
        }
    }

    /// One image: a `<picture>` of its variants, or a plain `<img>` for an
    /// image that is not processed.
    fn picture(
        &self,
        image: &ImageElement,
        picture: Option<&Picture>,
        src: &str,
        lazy: bool,
        out: &mut String,
    ) {
        let sizes = &self.site.config.image_sizes;
        self.picture_sized(image, picture, src, lazy, sizes, "", out);
    }

    /// `picture`, with its `sizes` and a class for the `<img>`.
    #[allow(clippy::too_many_arguments)]
    fn picture_sized(
        &self,
        image: &ImageElement,
        picture: Option<&Picture>,
        src: &str,
        lazy: bool,
        sizes: &str,
        class: &str,
        out: &mut String,
    ) {
        let config = &self.site.config;
        let class_attr = |out: &mut String| {
            if !class.is_empty() {
                push_attribute(out, "class", class);
            }
        };
        let url = |v: &Published| config.path_url(&encode_path(&v.path));
        let Some((picture, widest)) = picture.and_then(|p| Some((p, p.widest()?))) else {
            out.push_str("<img src=\"");
            escape::push_href(out, src);
            out.push('"');
            class_attr(out);
            // A raw `<img>` of a file not processed keeps the size and class written.
            for (name, value) in &image.raw {
                if name != "class" || class.is_empty() {
                    push_attribute(out, name, value);
                }
            }
            attributes(out, image, None, lazy);
            out.push('>');
            return;
        };
        if self.surface == Surface::Feed {
            let one = picture.near(1200).unwrap_or(widest);
            out.push_str("<img src=\"");
            escape::push_href(out, &url(one));
            out.push('"');
            attributes(out, image, Some((one.width, one.height)), false);
            out.push('>');
            return;
        }
        let Some(fallback) = picture.fallback() else {
            return;
        };
        let srcset = |format| {
            picture
                .in_format(format)
                .map(|v| format!("{} {}w", url(v), v.width))
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push_str("<picture>");
        let mut seen = Vec::new();
        for v in &picture.variants {
            if v.format == fallback || seen.contains(&v.format) {
                continue;
            }
            seen.push(v.format);
            out.push_str("<source type=\"");
            out.push_str(v.format.mime());
            out.push_str("\" srcset=\"");
            escape::push_html(out, &srcset(v.format));
            out.push_str("\" sizes=\"");
            escape::push_html(out, sizes);
            out.push_str("\">");
        }
        let src = picture.near(1200).unwrap_or(widest);
        out.push_str("<img src=\"");
        escape::push_href(out, &url(src));
        out.push_str("\" srcset=\"");
        escape::push_html(out, &srcset(fallback));
        out.push_str("\" sizes=\"");
        escape::push_html(out, sizes);
        out.push('"');
        class_attr(out);
        attributes(out, image, Some((widest.width, widest.height)), lazy);
        out.push_str("></picture>");
    }

    fn deal(&mut self, n: usize, out: &mut String) {
        let site = self.site;
        let a = &site.articles[self.i].article;
        // The card's deal: the record of the same rank among the body's cards.
        let rank = a.body.elements[..n]
            .iter()
            .filter(|e| matches!(e, Element::Deal { .. }))
            .count();
        let Some(&k) = site.cards[self.i].get(rank) else {
            return;
        };
        let row = crate::render::views::row_in(site, k, a.lang);
        let ctx = DealCard {
            deal: &row,
            lang: a.lang.code(),
        };
        let parties: Vec<&str> = row.parties.iter().map(|p| p.name.as_str()).collect();
        let text = format!("{} — {}", parties.join(", "), row.amount);
        self.embed("embed_deal.html", &ctx, ("deal-link", &row.url, &text), out);
    }

    fn video(&mut self, video: &Video, out: &mut String) {
        let a = &self.site.articles[self.i].article;
        let view = VideoView::of(video);
        let ctx = VideoCard {
            video: &view,
            lang: a.lang.code(),
        };
        let title = if view.title.is_empty() {
            &view.url
        } else {
            &view.title
        };
        let text = format!("▶ {title}");
        self.embed(
            "embed_video.html",
            &ctx,
            ("video-link", &view.url, &text),
            out,
        );
    }

    /// An embed: its template on the article's page; elsewhere (lists,
    /// feeds) one paragraph holding a link, `(class, href, text)`.
    fn embed(
        &mut self,
        template: &str,
        ctx: &impl Serialize,
        (class, href, text): (&str, &str, &str),
        out: &mut String,
    ) {
        if let (Surface::Page, Some(templates)) = (self.surface, self.templates) {
            match templates.render(template, ctx) {
                Ok(html) => out.push_str(&html),
                Err(e) => self.error = Some(e),
            }
            return;
        }
        out.push_str("<p class=\"");
        out.push_str(class);
        out.push_str("\"><a href=\"");
        escape::push_href(out, href);
        out.push_str("\">");
        escape::push_html(out, text);
        out.push_str("</a></p>\n");
    }
}

/// An article's lead image (`image:`), when it has one: its absolute URL in
/// about 1200 pixels (for `og:image` and JSON-LD), with its size when known.
pub fn lead_image(site: &Site, i: ArticleIdx) -> Option<LeadView> {
    lead_near(site, i, 1200, true)
}

/// An article's lead image as a small file for a search result: the
/// fallback variant nearest 480 pixels, root-relative.
pub fn card_thumbnail(site: &Site, i: ArticleIdx) -> Option<LeadView> {
    lead_near(site, i, 480, false)
}

/// The lead image's fallback variant nearest `width` (the file itself when
/// it is not processed), absolute or root-relative.
fn lead_near(site: &Site, i: ArticleIdx, width: u32, absolute: bool) -> Option<LeadView> {
    let p = &site.articles[i];
    let lead = p.article.image.as_ref()?;
    let target = crate::links::target(&lead.src, &p.rel_url, &site.config).ok()?;
    let config = &site.config;
    let variant = site.media.get(&target).and_then(|pic| pic.near(width));
    let path = encode_path(variant.map_or(&target, |v| &v.path));
    Some(LeadView {
        url: if absolute {
            config.absolute_url(&path)
        } else {
            config.path_url(&path)
        },
        width: variant.map(|v| v.width),
        height: variant.map(|v| v.height),
        alt: lead.alt.clone(),
    })
}

/// An article card's lead image as HTML: a small responsive picture, lazy.
pub fn card_image(site: &Site, i: ArticleIdx) -> String {
    let p = &site.articles[i];
    let Some(lead) = p.article.image.as_ref() else {
        return String::new();
    };
    let Ok(target) = crate::links::target(&lead.src, &p.rel_url, &site.config) else {
        return String::new();
    };
    let filler = Filler {
        site,
        templates: None,
        i,
        surface: Surface::List,
        first_image: false,
        error: None,
    };
    let image = ImageElement {
        slot: 0,
        alt: lead.alt.clone(),
        title: String::new(),
        figure: None,
        raw: Vec::new(),
    };
    let mut out = String::new();
    let src = site.config.path_url(&encode_path(&target));
    filler.picture_sized(
        &image,
        site.media.get(&target),
        &src,
        true,
        CARD_SIZES,
        "card-image",
        &mut out,
    );
    out
}

/// How wide the default theme shows a card's image.
const CARD_SIZES: &str = "8rem";

/// A lead image as pages name it.
#[derive(Serialize, Debug, Clone, PartialEq, Eq, Hash)]
pub struct LeadView {
    /// Absolute URL.
    pub url: String,
    /// Width in pixels, when known.
    pub width: Option<u32>,
    /// Height in pixels, when known.
    pub height: Option<u32>,
    /// Alt text.
    pub alt: String,
}

/// ` NAME="VALUE"`, the value escaped (the name is one of ours).
fn push_attribute(out: &mut String, name: &str, value: &str) {
    out.push(' ');
    out.push_str(name);
    out.push_str("=\"");
    escape::push_html(out, value);
    out.push('"');
}

/// `alt`, `title`, `width`, `height`, and `loading`/`decoding` unless the
/// image is to load at once.
fn attributes(out: &mut String, image: &ImageElement, size: Option<(u32, u32)>, lazy: bool) {
    push_attribute(out, "alt", &image.alt);
    if !image.title.is_empty() {
        push_attribute(out, "title", &image.title);
    }
    if let Some((w, h)) = size {
        out.push_str(&format!(" width=\"{w}\" height=\"{h}\""));
    }
    if lazy {
        out.push_str(" loading=\"lazy\" decoding=\"async\"");
    }
}

/// An output path as a URL path: each segment percent-encoded where a
/// `srcset` or a URL needs it (spaces, commas, non-ASCII).
pub fn encode_path(path: &str) -> String {
    use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
    const SEGMENT: &AsciiSet = &CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'#')
        .add(b'%')
        .add(b'<')
        .add(b'>')
        .add(b'?')
        .add(b'`')
        .add(b'{')
        .add(b'}')
        .add(b',')
        .add(b'\'')
        .add(b'\\');
    path.split('/')
        .map(|s| utf8_percent_encode(s, SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

/// `embed_deal.html`'s context.
#[derive(Serialize)]
struct DealCard<'a> {
    /// The deal with its current figures, in the article's language.
    deal: &'a crate::render::context::DealRow,
    /// The article's language.
    lang: &'a str,
}

/// `embed_video.html`'s context.
#[derive(Serialize)]
struct VideoCard<'a> {
    video: &'a VideoView,
    lang: &'a str,
}

/// A video as its template sees it.
#[derive(Serialize)]
struct VideoView {
    /// `youtube` or `vimeo`.
    host: &'static str,
    /// Its id.
    id: String,
    /// Its title, possibly empty.
    title: String,
    /// Its page on the host: the link that works without script and in feeds.
    url: String,
    /// The player, loaded after the reader's click, without tracking cookies.
    player: String,
}

impl VideoView {
    fn of(video: &Video) -> VideoView {
        let (host, url, player) = match video.host {
            VideoHost::YouTube => (
                "youtube",
                format!("https://www.youtube.com/watch?v={}", video.id),
                format!(
                    "https://www.youtube-nocookie.com/embed/{}?autoplay=1",
                    video.id
                ),
            ),
            VideoHost::Vimeo => (
                "vimeo",
                format!("https://vimeo.com/{}", video.id),
                format!(
                    "https://player.vimeo.com/video/{}?dnt=1&autoplay=1",
                    video.id
                ),
            ),
        };
        VideoView {
            host,
            id: video.id.clone(),
            title: video.title.clone(),
            url,
            player,
        }
    }
}
