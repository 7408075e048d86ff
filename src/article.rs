//! PARSE: one source file → one validated `Article`.
//!
//! Input: a Markdown file's bytes and the `ArticleSettings` of the site's `Config`. Output: the `Article`
//! (front matter checked, deals with parsed amounts and canonical parties, body
//! rendered) and its warnings, or every error found in the file, each placed at
//! the line and column of its field. Pure: no disk, no clock; runs in parallel.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;

use jiff::civil::Date;

use crate::config::ArticleSettings;
use crate::diag::{Diagnostic, Diagnostics};
use crate::frontmatter::{self, RawAmount, RawDeal, RawFrontMatter, Split};
use crate::i18n::Lang;
use crate::markdown::{self, MarkdownOptions, Rendered};
use crate::money::{self, Amount, Bound, Currency, Money};
use crate::places::PAGES_DIR;
use crate::slug::Slug;
use crate::source::SourceFile;
use crate::yaml;

/// A deal reported by an article.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deal {
    /// The amount, exact or bounded, or undisclosed.
    pub amount: Amount,
    /// The amount's value in the reporting currency, when there is a figure.
    pub reporting_value: Option<rust_decimal::Decimal>,
    /// Canonical party names, two or more, all different, in the order written.
    pub parties: Vec<String>,
    /// The deal's date (the article's unless given).
    pub date: Date,
    /// Free-text kind (`cloud`, `chips`…).
    pub kind: Option<String>,
    /// Free-text term (`7 years`).
    pub term: Option<String>,
    /// Its id as written (`id:`), by which other articles refer to it.
    pub id: Option<String>,
    /// The field of `id:` (`deals[1].id`) and its line and column, for errors.
    pub id_at: Option<(String, Option<(usize, usize)>)>,
    /// Its own field (`deals[1]`) and line and column, for warnings.
    pub at: (String, Option<(usize, usize)>),
    /// Announced, completed or cancelled.
    pub status: Status,
}

/// Where a deal stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    /// Reported, not yet completed (the default).
    #[default]
    Announced,
    /// Closed.
    Completed,
    /// Called off: listed, struck through, left out of totals.
    Cancelled,
}

impl Status {
    /// As written in front matter and exports.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Announced => "announced",
            Status::Completed => "completed",
            Status::Cancelled => "cancelled",
        }
    }

    /// Read from front matter.
    pub fn parse(text: &str) -> Option<Status> {
        match text.trim() {
            "announced" => Some(Status::Announced),
            "completed" => Some(Status::Completed),
            "cancelled" => Some(Status::Cancelled),
            _ => None,
        }
    }
}

/// A `ref:` entry: an article's coverage of a deal declared in another, and
/// the figures it revises (none for coverage alone).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Revision {
    /// The id of the deal it covers.
    pub target: String,
    /// Its field (`deals[1].ref`) and line and column, for errors.
    pub field: String,
    /// The line and column of `ref:`.
    pub position: Option<(usize, usize)>,
    /// A new amount, with its value in the reporting currency.
    pub amount: Option<(Amount, Option<rust_decimal::Decimal>)>,
    /// A new status.
    pub status: Option<Status>,
    /// A new term.
    pub term: Option<String>,
    /// New parties (canonical names).
    pub parties: Option<Vec<String>>,
}

impl Revision {
    /// Whether it changes any figure (else it is coverage only).
    pub fn revises(&self) -> bool {
        self.amount.is_some()
            || self.status.is_some()
            || self.term.is_some()
            || self.parties.is_some()
    }
}

/// An old path of the site that redirects to an article.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alias {
    /// As written (`/2015/02/old.html`, `/old/path/`).
    pub written: String,
    /// The output file that holds the redirect (`2015/02/old.html`,
    /// `old/path/index.html`).
    pub file: String,
    /// Its line and column in the source file.
    pub position: Option<(usize, usize)>,
}

/// What a content file is.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A dated article: on the lists, the feeds, the archive, the deals.
    Article,
    /// A standalone page of `content/pages/` (About, masthead, corrections):
    /// no date, at `FOLDERS/SLUG/` from the site's root, on no list.
    Page {
        /// The folders between `content/pages/` and the page, as URL
        /// segments, each followed by `/` (`""`, `legal/`).
        folders: String,
    },
}

/// A validated article, or a standalone page (`kind`).
#[derive(Clone, Debug)]
pub struct Article {
    /// Path of the source relative to the site root.
    pub source_path: String,
    /// An article, or a standalone page.
    pub kind: Kind,
    /// The hash of the source file's bytes (a cache key).
    pub source_hash: u64,
    /// Source path without `.md` and without a language suffix: translations share it.
    pub translation_key: String,
    /// Whether the file name carries a language suffix (`FILE.fr.md`): the
    /// model makes it a translation when the original exists
    /// (`site::Placed::is_translation`).
    pub has_language_suffix: bool,
    /// For `SLUG/index.md`, the folder whose other files are copied beside the page.
    pub bundle_dir: Option<String>,
    /// URL segment.
    pub slug: Slug,
    /// The article's language.
    pub lang: Lang,
    /// Title as written.
    pub title: String,
    /// Publication date (an RFC 3339 date-time counts by its own calendar
    /// date); a page has none, and keeps the earliest date (`Date::MIN`).
    pub date: Date,
    /// The RFC 3339 date-time as written, when the date has a time (feeds and
    /// JSON-LD carry it); `None` for a plain `YYYY-MM-DD`.
    pub date_time: Option<String>,
    /// The date of the last update, when given (`updated:`).
    pub updated: Option<Date>,
    /// Tags as written, with their slugs.
    pub tags: Vec<(String, Slug)>,
    /// Bylines: canonical author names, in the order written.
    pub authors: Vec<String>,
    /// Old paths that redirect here.
    pub aliases: Vec<Alias>,
    /// A page that only sends readers elsewhere (`redirect_to:`): an
    /// absolute http(s) URL, or a path on the site (under `base_url`).
    pub redirect: Option<String>,
    /// Drafts are built only on request.
    pub draft: bool,
    /// The summary as HTML (front matter `summary` escaped, or from the body).
    pub summary_html: String,
    /// The summary as plain text.
    pub summary_text: String,
    /// The rendered body; its links' lines count from `body_line`. In a
    /// streamed build its HTML is moved to disk (`body_on_disk`): read it
    /// with `body_html`.
    pub body: Rendered,
    /// Where the body's HTML is when a streamed build moved it to disk.
    pub body_on_disk: Option<crate::spill::Stored>,
    /// The 1-based file line where the body starts.
    pub body_line: usize,
    /// The lead image (`image:`, `image_alt:`): on cards, `og:image` and JSON-LD.
    pub image: Option<LeadImage>,
    /// The deals reported, possibly none.
    pub deals: Vec<Deal>,
    /// The deals of other articles it covers (`ref:`), with their revisions.
    pub refs: Vec<Revision>,
}

/// An article's lead image, as its front matter gives it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LeadImage {
    /// The path as written, relative to the article's page (or root-relative).
    pub src: String,
    /// Its alt text (empty when not given: a warning).
    pub alt: String,
    /// The 1-based file line and column of `image:`.
    pub line: usize,
    /// See `line`.
    pub col: usize,
}

impl Article {
    /// Whether it is a standalone page (`content/pages/`), on no list.
    pub fn is_page(&self) -> bool {
        matches!(self.kind, Kind::Page { .. })
    }

    /// What places an article in the site: its file, order (date, slug,
    /// language), translation, draft flag and `@/` links. Two parses of one
    /// file with the same place take the same index in a model, so its lists
    /// can be made again without placing every article again
    /// (`Site::with_replaced`).
    fn place(&self) -> impl PartialEq + '_ {
        (
            (
                &self.source_path,
                &self.translation_key,
                self.has_language_suffix,
                &self.slug,
                self.lang,
            ),
            (self.date, self.draft),
            self.body
                .links
                .iter()
                .filter(|l| l.is_source())
                .map(|l| &l.written)
                .collect::<Vec<_>>(),
        )
    }

    /// Everything the site model and its list of files read of an article
    /// besides its deals: its place, its update date, the lists it is on,
    /// its aliases and bundle. Two parses of one file with the same shape
    /// and the same deals are interchangeable in a model
    /// (`Site::with_replaced`); the title, summary and body are read only
    /// when pages are made.
    fn shape(&self) -> impl PartialEq + '_ {
        (
            self.place(),
            (&self.bundle_dir, self.updated, &self.aliases),
            (&self.tags, &self.authors),
            // The images it shows: which files are processed follows them.
            (
                self.image.as_ref().map(|i| &i.src),
                self.body
                    .links
                    .iter()
                    .filter(|l| l.image)
                    .map(|l| &l.written)
                    .collect::<Vec<_>>(),
            ),
        )
    }

    /// The deal ids of the body's cards, with their body lines and columns.
    pub fn card_ids(&self) -> impl Iterator<Item = (&str, usize, usize)> + '_ {
        self.body.elements.iter().filter_map(|e| match e {
            crate::markdown::Element::Deal { id, line, col } => Some((id.as_str(), *line, *col)),
            _ => None,
        })
    }

    /// Whether the site model would place `other` at this article's index.
    pub fn same_place(&self, other: &Article) -> bool {
        self.place() == other.place()
    }

    /// Whether the site model's lists would be the same with `other` in
    /// this article's place, but for its deals (see `shape`).
    pub fn same_shape(&self, other: &Article) -> bool {
        self.shape() == other.shape()
    }

    /// Whether its deals and refs are the same, every field of them (the
    /// deal records derive from them whole, so no field can be left out).
    pub fn same_deals(&self, other: &Article) -> bool {
        (&self.deals, &self.refs) == (&other.deals, &other.refs)
            && self
                .card_ids()
                .map(|(id, ..)| id)
                .eq(other.card_ids().map(|(id, ..)| id))
    }

    /// The body's HTML (with link slots), read back from disk if it was moved there.
    pub fn body_html(&self) -> Result<std::borrow::Cow<'_, str>, Diagnostic> {
        match &self.body_on_disk {
            None => Ok(std::borrow::Cow::Borrowed(&self.body.html)),
            Some(stored) => stored.read().map(std::borrow::Cow::Owned).map_err(|e| {
                Diagnostic::error(
                    &self.source_path,
                    format!(
                        "cannot read the rendered body back from the build's scratch file: {e}"
                    ),
                )
            }),
        }
    }

    /// Moves the body's HTML to `spill`, freeing its memory.
    pub fn move_body_to(
        &mut self,
        spill: &std::sync::Arc<crate::spill::Spill>,
    ) -> Result<(), Diagnostic> {
        let stored = spill.keep(&self.body.html).map_err(|e| {
            let message = if crate::output::is_disk_full(&e) {
                crate::output::DISK_FULL.to_string()
            } else {
                format!("cannot write the rendered body to the build's scratch file: {e}")
            };
            Diagnostic::error(&self.source_path, message)
        })?;
        self.body.html = String::new();
        self.body_on_disk = Some(stored);
        Ok(())
    }
}

/// Parses one Markdown source file, adding its problems to `diags`: the
/// article, or `None` when any of them is an error.
pub fn parse(
    file: &SourceFile,
    config: &ArticleSettings,
    diags: &mut Diagnostics,
) -> Option<Article> {
    parse_cached(file, config, diags, None)
}

/// `parse`, taking the rendered body from `bodies` when an earlier build
/// rendered the same text with the same options.
pub fn parse_cached(
    file: &SourceFile,
    config: &ArticleSettings,
    diags: &mut Diagnostics,
    bodies: Option<&crate::build_cache::BuildCache>,
) -> Option<Article> {
    let path = file.path.as_str();
    let text = diags.ok(decode(path, &file.bytes))?;
    let (text, forbidden) = crate::text::clean(text);
    let text = text.as_ref();
    let Some(split) = frontmatter::split(text) else {
        diags.push(
            Diagnostic::error(
                path,
                "no front matter: the file must start with a `---` line, then YAML, then `---`",
            )
            .at(1, 1),
        );
        return None;
    };
    let raw = diags.ok(frontmatter::parse(path, &split))?;
    let mut ctx = Checker {
        path,
        split: &split,
        outline: std::cell::OnceCell::new(),
        config,
        diags,
        errors: 0,
        bodies,
    };
    if let Some(f) = forbidden {
        ctx.push(Diagnostic::warning(path, f.message()).at(f.line, f.col));
    }
    // What `dealwire import` could not convert, kept in a comment: never
    // published, reported by every build and check until rewritten.
    if text.contains(crate::import::body::KEPT) {
        for (i, line) in text.lines().enumerate() {
            if let Some(col) = line.find(crate::import::body::KEPT) {
                ctx.push(
                    Diagnostic::warning(
                        path,
                        "a template construct of the old site, kept in a comment by `dealwire import` (never published): rewrite it in Markdown or as an embed, then delete the comment",
                    )
                    .at(i + 1, col + 1),
                );
            }
        }
    }
    let article = ctx.article(raw, file.hash);
    (ctx.errors == 0).then_some(article)
}

/// UTF-8 text without a BOM, or an error placed at the first bad byte.
fn decode<'a>(path: &str, bytes: &'a [u8]) -> Result<&'a str, Diagnostic> {
    if bytes.is_empty() {
        return Err(Diagnostic::error(path, "the file is empty"));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let good = &bytes[..e.valid_up_to()];
        let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
        let col = good.len() - good.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1) + 1;
        Diagnostic::error(path, "the file is not UTF-8 text").at(line, col)
    })
}

/// The file name's parts: translation key, language suffix, slug source, bundle folder.
fn name_parts(path: &str) -> (String, Option<&str>, String, Option<String>) {
    let without_md = path.strip_suffix(".md").unwrap_or(path);
    let (key, suffix) = match without_md.rsplit_once('.') {
        Some((key, code)) if Lang::from_code(code).is_some() && !key.ends_with('/') => {
            (key, Some(code))
        }
        _ => (without_md, None),
    };
    let (dir, stem) = key.rsplit_once('/').unwrap_or(("", key));
    if stem == "index" && dir != "content" && !dir.is_empty() {
        let folder = dir.rsplit_once('/').map_or(dir, |(_, f)| f);
        return (
            key.to_string(),
            suffix,
            folder.to_string(),
            Some(dir.to_string()),
        );
    }
    (key.to_string(), suffix, stem.to_string(), None)
}

struct Checker<'a> {
    path: &'a str,
    split: &'a Split<'a>,
    /// The front matter's lines, indexed when a first position is asked for.
    outline: std::cell::OnceCell<yaml::Outline<'a>>,
    config: &'a ArticleSettings<'a>,
    diags: &'a mut Diagnostics,
    /// Errors this file added so far.
    errors: usize,
    /// Bodies rendered by earlier builds.
    bodies: Option<&'a crate::build_cache::BuildCache>,
}

impl Checker<'_> {
    /// The file position of a field's value, from the front-matter scanner.
    fn position(&self, field: &str) -> Option<(usize, usize)> {
        self.outline()
            .locate(field)
            .map(|(l, c)| (l + self.split.yaml_line - 1, c))
    }

    fn outline(&self) -> &yaml::Outline<'_> {
        self.outline
            .get_or_init(|| yaml::Outline::new(self.split.yaml))
    }

    fn error(&mut self, field: &str, message: impl Into<String>) {
        let d = Diagnostic::error(self.path, message)
            .at_opt(self.position(field))
            .field(field);
        self.push(d);
    }

    fn push(&mut self, d: Diagnostic) {
        self.errors += usize::from(d.is_error());
        self.diags.push(d);
    }

    fn warn(&mut self, field: &str, message: impl Into<String>) {
        let d = Diagnostic::warning(self.path, message)
            .at_opt(self.position(field))
            .field(field);
        self.push(d);
    }

    fn article(&mut self, raw: RawFrontMatter, source_hash: u64) -> Article {
        let (translation_key, suffix, stem, bundle_dir) = name_parts(self.path);
        let suffix = suffix.and_then(Lang::from_code);
        let lang = self.language(raw.lang.as_deref(), suffix);
        if raw.title.trim().is_empty() {
            self.error("title", "the title is empty");
        }
        let kind = self.kind();
        let written = match (&kind, raw.date.as_deref()) {
            (Kind::Article, Some(d)) => self.date("date", d),
            (Kind::Article, None) => {
                let d = Diagnostic::error(self.path, "missing field `date`")
                    .at(self.split.yaml_line, 1)
                    .field("date");
                self.push(d);
                None
            }
            (Kind::Page { .. }, _) => {
                self.page_fields(&raw);
                None
            }
        };
        let date = match kind {
            Kind::Article => written.as_ref().map(|w| w.date).unwrap_or_default(),
            Kind::Page { .. } => Date::MIN,
        };
        let updated = raw.updated.as_deref().and_then(|u| self.date("updated", u));
        let updated = updated.map(|u| u.date);
        if updated.is_some_and(|u| u < date) {
            self.warn(
                "updated",
                format!("`updated` is before the article's date ({date})"),
            );
        }
        let slug = self.slug(raw.slug.as_deref(), &stem);
        let tags = self.tags(&raw.tags);
        let authors = self.authors(&raw.authors);
        let aliases = self.aliases(&raw.aliases);
        let redirect = self.redirect(raw.redirect_to.as_deref(), &kind);
        let (deals, refs) = self.deals(raw.deal, raw.deals, date, lang);
        let image = self.lead_image(raw.image, raw.image_alt);
        let mut body = self.body(lang);
        self.title_twice(&raw.title);
        // Titles and summaries get the punctuation the body gets.
        let prose = |text: &str| {
            if self.config.typography {
                crate::typography::smart_text(text.trim(), lang)
            } else {
                text.trim().to_string()
            }
        };
        let (summary_html, summary_text) = match raw.summary {
            Some(s) => {
                let s = prose(&s);
                (format!("<p>{}</p>", crate::escape::html(&s)), s)
            }
            // Moved, not copied: the article's fields are the summary's one home.
            None => (
                std::mem::take(&mut body.summary_html),
                std::mem::take(&mut body.summary_text),
            ),
        };
        Article {
            source_path: self.path.to_string(),
            kind,
            source_hash,
            translation_key,
            has_language_suffix: suffix.is_some(),
            bundle_dir,
            slug,
            lang,
            title: prose(&raw.title),
            date,
            date_time: written.and_then(|w| w.date_time),
            updated,
            tags,
            authors,
            aliases,
            redirect,
            draft: raw.draft,
            summary_html,
            summary_text,
            body,
            body_on_disk: None,
            body_line: self.split.body_line,
            image,
            deals,
            refs,
        }
    }

    /// Whether the file is a page (`content/pages/`) or an article; a page's
    /// folders become URL segments. `content/pages/index.md` would be the
    /// home page, which dealwire makes: an error.
    fn kind(&mut self) -> Kind {
        let Some(inner) = self.path.strip_prefix(PAGES_DIR) else {
            return Kind::Article;
        };
        if inner.split('.').next() == Some("index") {
            self.error(
                "",
                format!("`{PAGES_DIR}index.md` would be the home page, which dealwire makes from the articles: give the page a name of its own (`{PAGES_DIR}about.md`)"),
            );
        }
        let folders = crate::places::page_folders(inner).unwrap_or_else(|folder| {
            self.error(
                "",
                format!("the folder `{folder}` cannot be part of the page's URL: name it with letters or digits"),
            );
            String::new()
        });
        Kind::Page { folders }
    }

    /// `redirect_to:`, on a page only: an http(s) URL or a path on the site,
    /// checked as an alias is; a body beside it is never shown (a warning).
    fn redirect(&mut self, written: Option<&str>, kind: &Kind) -> Option<String> {
        let written = written?.trim();
        if *kind == Kind::Article {
            self.error(
                "redirect_to",
                "only a page (a file of `content/pages/`) redirects: an article keeps its old URLs in `aliases`",
            );
            return None;
        }
        let bad = |why: &str| format!("`redirect_to: {written}` {why}");
        let problem = if written.chars().any(|c| c.is_control() || c.is_whitespace()) {
            Some(bad("holds a space or a control character"))
        } else if let Some(scheme) = crate::urls::scheme(written) {
            match url::Url::parse(written) {
                Ok(u) if matches!(scheme, "http" | "https") && u.host().is_some() => None,
                _ => Some(bad(
                    "must be an http or https address, or a path on the site (`/deals/`)",
                )),
            }
        } else if !written.starts_with('/') || written.starts_with("//") {
            Some(bad(
                "must be an http or https address, or a path on the site (`/deals/`)",
            ))
        } else if written.split(['/', '?', '#']).any(|s| s == "..") {
            Some(bad("climbs with `..`"))
        } else {
            None
        };
        if let Some(message) = problem {
            self.error("redirect_to", message);
            return None;
        }
        if !self.split.body.trim().is_empty() {
            self.warn(
                "redirect_to",
                "a page that redirects is never shown: its text is not published",
            );
        }
        Some(written.to_string())
    }

    /// The fields a page cannot have, each an error: it has no date and
    /// is on no list, so a date, tags, bylines or deals would say nothing.
    fn page_fields(&mut self, raw: &RawFrontMatter) {
        let move_it = "or move the file out of `content/pages/` to make it an article";
        if raw.date.is_some() {
            self.error(
                "date",
                format!(
                    "a page has no date (it is on no list, in no feed): remove `date`, {move_it}"
                ),
            );
        }
        for (given, field, what) in [
            (!raw.tags.is_empty(), "tags", "tag lists"),
            (!raw.authors.is_empty(), "authors", "author pages"),
            (raw.deal.is_some(), "deal", "deals index"),
            (raw.deals.is_some(), "deals", "deals index"),
        ] {
            if given {
                self.error(
                    field,
                    format!(
                        "a page is on no list, and so in no {what}: remove `{field}`, {move_it}"
                    ),
                );
            }
        }
    }

    /// `image:` and `image_alt:`: a relative or root-relative path to an image
    /// of the site (checked, with the body's images, once the site is known).
    fn lead_image(&mut self, src: Option<String>, alt: Option<String>) -> Option<LeadImage> {
        let alt = alt.map(|a| a.trim().to_string()).unwrap_or_default();
        let Some(src) = src.map(|s| s.trim().to_string()) else {
            if !alt.is_empty() {
                self.warn(
                    "image_alt",
                    "`image_alt` without `image`: there is no lead image to describe",
                );
            }
            return None;
        };
        if src.is_empty() {
            self.error("image", "the lead image's path is empty");
            return None;
        }
        if crate::urls::scheme(&src).is_some() || src.starts_with("//") || src.starts_with("@/") {
            self.error(
                "image",
                format!("the lead image `{src}` must be a file of the site (a path relative to the article, like a Markdown image's, or from the site's root), not a URL"),
            );
            return None;
        }
        if alt.is_empty() {
            self.warn(
                "image",
                format!("the lead image `{src}` has no `image_alt`: say what it shows, for readers who cannot see it"),
            );
        }
        let (line, col) = self.position("image").unwrap_or((1, 1));
        Some(LeadImage {
            src,
            alt,
            line,
            col,
        })
    }

    /// `lang:` if given (it must agree with a `.fr.md` suffix), else the
    /// suffix's language, else the site's.
    fn language(&mut self, written: Option<&str>, suffix: Option<Lang>) -> Lang {
        let Some(code) = written else {
            return suffix.unwrap_or(self.config.language);
        };
        match Lang::from_code(code) {
            Some(l) if suffix.is_some_and(|s| s != l) => {
                let suffix = suffix.map_or("", Lang::code);
                self.error(
                    "lang",
                    format!("`lang: {code}` contradicts the file name's `.{suffix}.md`"),
                );
                l
            }
            Some(l) => l,
            None => {
                self.error(
                    "lang",
                    format!("unsupported language `{code}`: use `en` or `fr`"),
                );
                self.config.language
            }
        }
    }

    /// `slug:` if given, else one made from the file name.
    fn slug(&mut self, written: Option<&str>, stem: &str) -> Slug {
        let slug = match written {
            Some(s) => Slug::parse(s).map_err(|m| self.error("slug", m)).ok(),
            None => Slug::from_file_stem(stem).or_else(|| {
                self.error(
                    "",
                    format!("cannot make a slug from the file name `{stem}`: add `slug:`"),
                );
                None
            }),
        };
        // After an error the article is discarded; any slug stands in.
        slug.unwrap_or_else(fallback_slug)
    }

    /// The tags with their slugs.
    fn tags(&mut self, written: &[String]) -> Vec<(String, Slug)> {
        let written = self.at_most("tags", written, MAX_TAGS, |count| {
            format!("an article has at most {MAX_TAGS} tags (each tag page shows the article with all its tags), and this one has {count}")
        });
        let mut tags = Vec::new();
        for (i, tag) in written.iter().enumerate() {
            match Slug::from_text(tag) {
                Some(s) => tags.push((tag.trim().to_string(), s)),
                None => self.error(
                    &format!("tags[{i}]"),
                    format!("the tag `{tag}` needs at least one letter or digit"),
                ),
            }
        }
        tags
    }

    /// The first `max` items of a list, with an error at the first one past
    /// them (`message` is given the list's length): lists whose every item
    /// makes a page that shows the whole list cost their length squared.
    fn at_most<'w, T>(
        &mut self,
        field: &str,
        written: &'w [T],
        max: usize,
        message: impl FnOnce(usize) -> String,
    ) -> &'w [T] {
        if written.len() > max {
            self.error(&format!("{field}[{max}]"), message(written.len()));
        }
        &written[..written.len().min(max)]
    }

    /// The bylines by canonical name: each with a letter or digit, none twice.
    fn authors(&mut self, written: &[String]) -> Vec<String> {
        let mut authors: Vec<String> = Vec::new();
        let mut slugs = HashSet::new();
        for (i, name) in written.iter().enumerate() {
            let canonical = self.config.authors.resolve(name);
            let Some(slug) = Slug::from_text(&canonical) else {
                self.error(&format!("authors[{i}]"), format!("`{name}` is not a name"));
                continue;
            };
            if slugs.insert(slug) {
                authors.push(canonical);
            } else {
                self.error(
                    &format!("authors[{i}]"),
                    format!("`{name}` is listed twice ({canonical})"),
                );
            }
        }
        authors
    }

    /// The old paths that redirect here, as the output files that hold the
    /// redirects.
    fn aliases(&mut self, written: &[String]) -> Vec<Alias> {
        let mut aliases: Vec<Alias> = Vec::new();
        let mut files = HashSet::new();
        for (i, path) in written.iter().enumerate() {
            let field = format!("aliases[{i}]");
            match alias_file(path) {
                Ok(file) if !files.insert(file.clone()) => {
                    self.error(&field, format!("`{path}` is listed twice"))
                }
                Ok(file) => aliases.push(Alias {
                    written: path.trim().to_string(),
                    file,
                    position: self.position(&field),
                }),
                Err(why) => self.error(&field, why),
            }
        }
        aliases
    }

    /// The deals of `deal:` or `deals:` (not both): those it declares, and
    /// those of other articles it covers (`ref:`).
    fn deals(
        &mut self,
        one: Option<RawDeal>,
        many: Option<Vec<RawDeal>>,
        date: Date,
        lang: Lang,
    ) -> (Vec<Deal>, Vec<Revision>) {
        let entries: Vec<(String, RawDeal)> = match (one, many) {
            (Some(_), Some(_)) => {
                self.error("deals", "use either `deal:` or `deals:`, not both");
                Vec::new()
            }
            (Some(d), None) => vec![("deal".to_string(), d)],
            (None, Some(mut ds)) => {
                let kept = self
                    .at_most("deals", &ds, MAX_DEALS, |count| {
                        format!("an article reports at most {MAX_DEALS} deals (each makes its own page and rows on the party, year and index pages), and this one has {count}")
                    })
                    .len();
                ds.truncate(kept);
                ds.into_iter()
                    .enumerate()
                    .map(|(i, d)| (format!("deals[{i}]"), d))
                    .collect()
            }
            (None, None) => Vec::new(),
        };
        let (mut deals, mut refs) = (Vec::new(), Vec::new());
        for (field, raw) in entries {
            if raw.reference.is_some() {
                refs.extend(self.revision(&field, raw, lang, date));
            } else {
                deals.extend(self.deal(&field, raw, date, lang));
            }
        }
        (deals, refs)
    }

    /// A `ref:` entry: the id it covers and the figures it revises.
    fn revision(
        &mut self,
        field: &str,
        raw: RawDeal,
        lang: Lang,
        article_date: Date,
    ) -> Option<Revision> {
        let errors_before = self.errors;
        let ref_field = format!("{field}.ref");
        let target = raw.reference.unwrap_or_default();
        self.deal_id(&ref_field, &target);
        for (given, key) in [
            (raw.id.is_some(), "id"),
            (raw.date.is_some(), "date"),
            (raw.kind.is_some(), "kind"),
        ] {
            if given {
                self.error(
                    &format!("{field}.{key}"),
                    format!(
                        "a `ref:` entry covers the deal `{target}` declared elsewhere: it may revise `amount`, `status`, `term` or `parties`, not `{key}`"
                    ),
                );
            }
        }
        let amount_field = format!("{field}.amount");
        let amount = raw.amount.as_ref().and_then(|a| {
            let amount = self.amount(&amount_field, a, lang)?;
            // A revised amount converts at the rate in force on the
            // revising article's date.
            let value = amount
                .money()
                .and_then(|m| self.reporting_value(&amount_field, m, article_date));
            Some((amount, value))
        });
        let parties = raw.parties.as_ref().map(|p| self.parties(field, p));
        let status = self.status(field, raw.status.as_deref());
        let clean = |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        (self.errors == errors_before).then(|| Revision {
            target,
            position: self.position(&ref_field),
            field: ref_field,
            amount,
            status,
            term: clean(raw.term),
            parties,
        })
    }

    /// A deal id: slug characters only (`openai-aws-2025`).
    fn deal_id(&mut self, field: &str, id: &str) {
        let valid = !id.is_empty()
            && !id.starts_with('-')
            && !id.ends_with('-')
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !valid {
            self.error(
                field,
                format!(
                    "`{id}` is not a deal id: use lowercase letters, digits and dashes (`openai-aws-2025`)"
                ),
            );
        }
    }

    /// `status:` if given.
    fn status(&mut self, field: &str, written: Option<&str>) -> Option<Status> {
        let text = written?;
        let status = Status::parse(text);
        if status.is_none() {
            self.error(
                &format!("{field}.status"),
                format!("`{text}` is not a status: use `announced`, `completed` or `cancelled`"),
            );
        }
        status
    }

    /// A body that opens with `# Title`, the same as the front matter's: the
    /// theme shows the title already, so the page would show it twice.
    fn title_twice(&mut self, title: &str) {
        if let Some((breaks, _)) = markdown::leading_title(self.split.body, title) {
            let line = self.split.body_line + breaks;
            let d = Diagnostic::warning(
                self.path,
                "the body opens with `# ` and the title: the page shows the title already, so remove this heading",
            );
            self.push(d.at(line, 1));
        }
    }

    /// The Markdown body rendered, with a warning for each unknown code
    /// language and each link published as `#`.
    fn body(&mut self, lang: Lang) -> Rendered {
        let opts = MarkdownOptions {
            html: self.config.html,
            typography: self.config.typography,
            lang,
        };
        let text = self.split.body;
        let body = match self.bodies {
            Some(cache) => cache.body(text, opts, || markdown::render(text, opts)),
            None => markdown::render(text, opts),
        };
        let first = self.split.body_line - 1;
        for (code_lang, line) in &body.unknown_languages {
            let d = Diagnostic::warning(
                self.path,
                format!("unknown code language `{code_lang}`: the block is shown as plain text"),
            );
            self.push(d.at(line + first, 1));
        }
        for (dest, line, col) in &body.unsafe_links {
            let d = Diagnostic::warning(
                self.path,
                format!(
                    "the link `{dest}` uses a scheme outside the safe list (http, https, mailto, tel…; `javascript:` and the like can run code): it is published as `#`"
                ),
            );
            self.push(d.at(line + first, *col));
        }
        for note in &body.html_notes {
            let d = Diagnostic::warning(self.path, note.text(first));
            self.push(d.at(note.line + first, 1));
        }
        for (message, line, col) in &body.embed_errors {
            let d = Diagnostic::error(self.path, message.clone());
            self.push(d.at(line + first, *col));
        }
        for &slot in &body.images_without_alt {
            let image = &body.links[slot];
            let d = Diagnostic::warning(
                self.path,
                format!(
                    "the image `{}` has no alt text: say what it shows, for readers who cannot see it (`![a chart of the deal's value](…)`)",
                    image.written
                ),
            );
            self.push(d.at(image.line + first, image.col));
        }
        body
    }

    /// `YYYY-MM-DD`, or an RFC 3339 date-time counted by its own calendar date,
    /// within `YEARS`.
    fn date(&mut self, field: &str, text: &str) -> Option<Written> {
        let text = text.trim();
        let parsed = match parse_date(text) {
            Ok(written) if YEARS.contains(&written.date.year()) => Ok(written),
            Ok(_) => Err(format!(
                "`{text}` is outside the years {} to {}",
                YEARS.start(),
                YEARS.end()
            )),
            Err(why) => Err(why),
        };
        parsed.map_err(|why| self.error(field, why)).ok()
    }

    fn deal(&mut self, field: &str, raw: RawDeal, article_date: Date, lang: Lang) -> Option<Deal> {
        let errors_before = self.errors;
        let amount_field = format!("{field}.amount");
        let amount = match &raw.amount {
            Some(a) => self.amount(&amount_field, a, lang),
            None => {
                self.error(
                    field,
                    "a deal needs an `amount` (or `ref:` to cover a deal declared in another article)",
                );
                None
            }
        };
        let parties = match &raw.parties {
            Some(p) => self.parties(field, p),
            None => {
                self.error(field, "a deal needs its `parties`");
                Vec::new()
            }
        };
        if let Some(id) = &raw.id {
            self.deal_id(&format!("{field}.id"), id);
        }
        let status = self.status(field, raw.status.as_deref());
        let date_field = format!("{field}.date");
        let date = match raw.date.as_deref() {
            Some(d) => self.date(&date_field, d).map_or(article_date, |w| w.date),
            None => article_date,
        };
        if date > article_date {
            self.warn(
                &date_field,
                format!("the deal is dated {date}, after its article ({article_date})"),
            );
        }
        let reporting_value = amount
            .and_then(|a| a.money())
            .and_then(|m| self.reporting_value(&amount_field, m, date));
        let clean = |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        (self.errors == errors_before).then(|| Deal {
            amount: amount.unwrap_or(Amount::Undisclosed),
            reporting_value,
            parties,
            date,
            kind: clean(raw.kind),
            term: clean(raw.term),
            at: (field.to_string(), self.position(field)),
            id_at: raw.id.as_ref().map(|_| {
                let id_field = format!("{field}.id");
                let at = self.position(&id_field);
                (id_field, at)
            }),
            id: raw.id,
            status: status.unwrap_or_default(),
        })
    }

    /// A deal's parties by their canonical names: at least two, all different.
    fn parties(&mut self, field: &str, written: &[String]) -> Vec<String> {
        let written = self.at_most(&format!("{field}.parties"), written, MAX_PARTIES, |count| {
            format!("a deal has at most {MAX_PARTIES} parties (each party's page shows the deal with all its parties), and this one has {count}")
        });
        let mut parties: Vec<String> = Vec::new();
        // Each party's slug, and the index of the name it was written as.
        let mut slugs: HashMap<Slug, usize> = HashMap::new();
        for (i, name) in written.iter().enumerate() {
            let name_field = format!("{field}.parties[{i}]");
            let canonical = self.config.parties.resolve(name);
            let slug = crate::party::party_slug(&canonical);
            if let Some(known) = self.config.parties.near_miss(name) {
                self.warn(
                    &name_field,
                    format!("`{name}` is not a declared party; did you mean `{known}`?"),
                );
            }
            let Some(slug) = slug.filter(|_| !canonical.is_empty()) else {
                self.error(&name_field, format!("`{name}` is not a party name"));
                continue;
            };
            if let Some(&first) = slugs.get(&slug) {
                self.error(
                    &format!("{field}.parties"),
                    format!(
                        "`{}` and `{name}` are the same party ({canonical}): a deal needs two different parties",
                        written[first]
                    ),
                );
            } else {
                slugs.insert(slug, i);
                parties.push(canonical);
            }
        }
        if written.len() < 2 {
            self.error(
                &format!("{field}.parties"),
                "a deal needs at least two parties",
            );
        }
        parties
    }

    /// A figure in the reporting currency, within `money::MAX_VALUE`, at
    /// the rate in force on `date`.
    fn reporting_value(
        &mut self,
        field: &str,
        m: Money,
        date: Date,
    ) -> Option<rust_decimal::Decimal> {
        let reporting = self.config.reporting_currency;
        if m.value > money::MAX_VALUE {
            self.error(field, too_large(m.value));
            return None;
        }
        let rates = self.config.rates.get(&m.currency);
        if m.currency != reporting
            && let Some(Err(first)) = rates.map(|r| r.on(date))
        {
            self.error(
                field,
                format!(
                    "no {} rate in force on {date}: site.yaml's `rates.{}` starts on {first}; add a rate from an earlier year or date",
                    m.currency, m.currency
                ),
            );
            return None;
        }
        let value = money::convert(m, reporting, self.config.rates, date)
            .filter(|v| *v <= money::MAX_VALUE);
        if value.is_none() && (m.currency == reporting || rates.is_some()) {
            self.error(
                field,
                format!("{}, converted to {reporting}", too_large(m.value)),
            );
        } else if value.is_none() {
            self.error(
                field,
                format!(
                    "no rate for {} in site.yaml: add `rates: {{ {}: … }}` (its value in {reporting})",
                    m.currency, m.currency
                ),
            );
        }
        value
    }

    fn amount(&mut self, field: &str, raw: &RawAmount, lang: Lang) -> Option<Amount> {
        match raw {
            RawAmount::Text(text) => match money::parse_amount(text, lang) {
                Ok(parsed) => {
                    if parsed.french_billion {
                        let d = Diagnostic::warning(
                            self.path,
                            format!("`{}`: in French, `billion` means 10^12 (a thousand milliards); did you mean `milliard`?", text.trim()),
                        )
                        .at_opt(self.position(field))
                        .field(field);
                        self.push(d);
                    }
                    Some(parsed.amount)
                }
                Err(e) => {
                    let position = self.position(field).map(|(line, col)| {
                        let quoted = self
                            .outline()
                            .line(line - self.split.yaml_line)
                            .and_then(|l| l.chars().nth(col - 1))
                            .is_some_and(|c| matches!(c, '"' | '\''));
                        let shift = text.get(..e.offset).map_or(0, |t| t.chars().count());
                        (line, col + shift + usize::from(quoted))
                    });
                    self.push(
                        Diagnostic::error(self.path, e.message)
                            .at_opt(position)
                            .field(field),
                    );
                    None
                }
            },
            RawAmount::Mapping(m) => {
                let currency = Currency::new(m.currency.trim());
                let value = m.value.to_decimal();
                if currency.is_none() {
                    self.error(
                        &format!("{field}.currency"),
                        format!("`{}` is not an ISO 4217 currency code", m.currency),
                    );
                }
                match value {
                    Some(v) if v > rust_decimal::Decimal::ZERO => {}
                    _ => self.error(
                        &format!("{field}.value"),
                        "the value must be a number greater than zero",
                    ),
                }
                Some(Amount::Figure {
                    money: Money {
                        value: value?,
                        currency: currency?,
                    },
                    bound: Bound::Exact,
                })
            }
        }
    }
}

/// The most tags an article may have: each tag's page shows the article
/// with all its tags, so an article's tags cost their number squared.
pub const MAX_TAGS: usize = 1_000;

/// The most deals (and refs) one article may list under `deals:`: each
/// makes pages of its own, so a hostile file of tens of thousands would
/// stall `check` and `serve` for seconds.
pub const MAX_DEALS: usize = 1_000;

/// The most parties a deal may have: each party's page shows the deal with
/// all its parties, so a deal's parties cost their number squared.
pub const MAX_PARTIES: usize = 1_000;

pub use crate::config::YEARS;

/// Reads `YYYY-MM-DD`, or an RFC 3339 date-time (`2025-11-03T09:00:00-05:00`,
/// offset within ±23:59, or `Z`) by its own calendar date.
/// A date as written in front matter: its calendar day, and the RFC 3339
/// date-time itself when one was written.
#[derive(Debug)]
struct Written {
    date: Date,
    date_time: Option<String>,
}

fn parse_date(text: &str) -> Result<Written, String> {
    let not_a_date =
        || format!("`{text}` is not a date: write YYYY-MM-DD or an RFC 3339 date-time");
    let shape_ok = |s: &str| {
        s.len() == 10
            && s.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            })
    };
    let (day, time) = match text.get(..10) {
        Some(day) if shape_ok(day) => (day, &text[10..]),
        _ => return Err(not_a_date()),
    };
    let date = Date::from_str(day).map_err(|_| not_a_date())?;
    if time.is_empty() {
        return Ok(Written {
            date,
            date_time: None,
        });
    }
    if !time.starts_with(['T', 't', ' ']) || jiff::Timestamp::from_str(text).is_err() {
        return Err(not_a_date());
    }
    let offset_ok = time.ends_with(['Z', 'z'])
        || time.len() >= 6 && {
            let offset = &time[time.len() - 6..];
            let (hours, minutes) = (offset.get(1..3), offset.get(4..6));
            offset.starts_with(['+', '-'])
                && offset.as_bytes()[3] == b':'
                && hours
                    .and_then(|h| h.parse::<u8>().ok())
                    .is_some_and(|h| h <= 23)
                && minutes
                    .and_then(|m| m.parse::<u8>().ok())
                    .is_some_and(|m| m <= 59)
        };
    if offset_ok {
        Ok(Written {
            date,
            date_time: Some(text.to_string()),
        })
    } else {
        Err(format!(
            "`{text}` has no valid offset: end it with `Z` or an offset from -23:59 to +23:59"
        ))
    }
}

/// The output file of a redirect from an old path of the site: `/a/b.html`
/// (or `.htm`, `.php`… a page's extension) is `a/b.html`; `/a/b/`, `/a/b`
/// and `/a/Rust-1.0` are `…/index.html` (a host serves both forms from it). The path is percent-decoded, as hosts decode request paths; it
/// may not leave the site nor be the home page.
fn alias_file(written: &str) -> Result<String, String> {
    let path = written.trim();
    let shape = || {
        format!(
            "`{path}` is not a path on this site: write it as `/old/path/` or `/2015/02/13/old.html`"
        )
    };
    if crate::urls::scheme(path).is_some()
        || path.starts_with("//")
        || path.contains(['?', '#', '\\'])
    {
        return Err(shape());
    }
    let decoded = crate::urls::decode(path).ok_or_else(shape)?;
    let rel = decoded.trim_start_matches('/');
    if rel.is_empty() {
        return Err(format!(
            "`{path}` is the home page: an alias must be another path"
        ));
    }
    let segments: Vec<&str> = rel.trim_end_matches('/').split('/').collect();
    let bad = |s: &&str| {
        s.is_empty()
            || matches!(*s, "." | "..")
            || s.starts_with('.')
            || s.chars().any(|c| c.is_control() || c == '\\')
    };
    if segments.iter().any(bad) {
        return Err(shape());
    }
    let last = segments.last().copied().unwrap_or("");
    // Only a page's extension makes a file: `/v/Rust-1.0-alpha` is a folder.
    const PAGES: [&str; 8] = ["html", "htm", "xhtml", "shtml", "php", "asp", "aspx", "jsp"];
    let is_file = !rel.ends_with('/')
        && last.rsplit_once('.').is_some_and(|(stem, ext)| {
            !stem.is_empty() && PAGES.contains(&ext.to_ascii_lowercase().as_str())
        });
    let joined = segments.join("/");
    Ok(if is_file {
        joined
    } else {
        format!("{joined}/index.html")
    })
}

/// The error for an amount over `money::MAX_VALUE`.
fn too_large(value: rust_decimal::Decimal) -> String {
    format!(
        "{} is more than 10^18, larger than any deal can be",
        money::plain_decimal(value)
    )
}

/// Stands in while an error is reported; the article is discarded anyway.
fn fallback_slug() -> Slug {
    Slug::from_text("invalid").unwrap_or_else(|| unreachable!("a literal slug"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_are_files_of_the_site() {
        for (written, file) in [
            ("/2015/02/13/old.html", "2015/02/13/old.html"),
            ("/old/path/", "old/path/index.html"),
            ("old/path", "old/path/index.html"),
            ("/blog/accord-%C3%A9t%C3%A9/", "blog/accord-été/index.html"),
            ("/v1.2/", "v1.2/index.html"),
            (
                "/2015/02/13/Final-1.0-timeline",
                "2015/02/13/Final-1.0-timeline/index.html",
            ),
            ("/old/page.PHP", "old/page.PHP"),
        ] {
            assert_eq!(alias_file(written).as_deref(), Ok(file), "{written}");
        }
        for bad in [
            "/",
            "",
            "https://e.org/x/",
            "//e.org/x",
            "/a/../../etc/",
            "/a/./b",
            "/a//b",
            "/x?y=1",
            "/x#f",
            "/.git/config",
            "/a\\b",
            "/%2e%2e/x/",
            "/a%00b/",
        ] {
            assert!(alias_file(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn name_parts_find_translations_and_bundles() {
        assert_eq!(
            name_parts("content/articles/a.fr.md"),
            ("content/articles/a".into(), Some("fr"), "a".into(), None)
        );
        assert_eq!(name_parts("content/articles/a.md").1, None);
        assert_eq!(
            name_parts("content/articles/my-deal/index.md"),
            (
                "content/articles/my-deal/index".into(),
                None,
                "my-deal".into(),
                Some("content/articles/my-deal".into())
            )
        );
        assert_eq!(name_parts("content/x.v2.md").2, "x.v2");
    }

    #[test]
    fn dates_are_rfc_3339_within_the_years() {
        let day = parse_date("2025-11-03").unwrap();
        assert_eq!(
            (day.date.to_string(), day.date_time),
            ("2025-11-03".into(), None)
        );
        let late = parse_date("2025-11-03T23:30:00-05:00").unwrap();
        assert_eq!(late.date.to_string(), "2025-11-03");
        assert_eq!(late.date_time.as_deref(), Some("2025-11-03T23:30:00-05:00"));
        assert!(parse_date("2025-11-03T09:00:00Z").is_ok());
        for bad in [
            "2025-11-03T09:00:00+25:00",
            "2025-11-03T09:00:00+23:60",
            "2025-11-3",
            "2025-11-03x",
            "+02025-11-03",
            "2025-02-30",
            "2025-11-03T09:00:00",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
        assert!(!YEARS.contains(&0) && !YEARS.contains(&9999));
    }

    #[test]
    fn decode_rejects_empty_and_non_utf8() {
        assert!(decode("a", b"").is_err());
        assert_eq!(decode("a", b"\xEF\xBB\xBFok").unwrap(), "ok");
        let e = decode("a", b"ab\ncd\xff").unwrap_err();
        assert_eq!(e.position, Some((2, 3)));
    }
}

#[cfg(test)]
mod robustness {
    use super::*;

    /// Every prefix of a valid file, and a few mangled ones, parse or fail
    /// cleanly: no input may panic.
    #[test]
    fn truncated_and_mangled_files_never_panic() {
        let config = crate::config::parse("title: T\nbase_url: https://e.org/\n").unwrap();
        let text = "---\ntitle: Accord à 38 milliards\ndate: 2025-11-03T09:00:00+01:00\nlang: fr\ntags: [a, b]\ndeals:\n  - amount: 38 milliards de dollars\n    parties: [OpenAI, AWS]\n    date: 2025-11-03\n---\n# Titre\n\nTexte <!-- more --> suite.\n";
        let mut inputs: Vec<Vec<u8>> = (0..=text.len())
            .filter(|&i| text.is_char_boundary(i))
            .map(|i| text.as_bytes()[..i].to_vec())
            .collect();
        inputs.push(text.replace(": ", ":").into_bytes());
        inputs.push(text.replace("  ", "\t").into_bytes());
        inputs.push(text.replace('[', "{").into_bytes());
        inputs.push(text.replace("2025", "99999").into_bytes());
        inputs.push(b"---\n---\n".to_vec());
        inputs.push(b"---\n- a\n- b\n---\n".to_vec());
        inputs.push(b"---\n\"unterminated\n---\n".to_vec());
        for bytes in inputs {
            let file = SourceFile::new("content/x.md", bytes);
            let mut diags = Diagnostics::new();
            let article = parse(&file, &config.article_settings(), &mut diags);
            assert_eq!(article.is_none(), diags.has_errors(), "{diags:?}");
        }
    }
}
