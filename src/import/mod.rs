//! Importing an archive: a Zola, Hugo or Jekyll post → a dealwire article.
//!
//! Pure: text in, text out; `cmd::import` reads the other site and writes
//! the articles. The old site's configuration (`config`) gives its URL
//! rules, languages and values. Each post's front matter (TOML `+++` or YAML
//! `---`, `front`) is read into a generic value, the keys dealwire knows are
//! mapped (dates read as the old generator reads them, `dates`), and every
//! other key is reported as dropped, with why. A post the old site did not
//! publish (expired, headless, never rendered) becomes a draft, one it had
//! scheduled keeps its date, each with a warning.
//!
//! The body is kept byte for byte, except the changes an editor would make:
//! a leading `# Title` equal to the title is dropped (the theme shows the
//! title), Zola's `@/PATH.md` links are pointed at the article's new place,
//! and the old generator's template constructs are converted or kept in a
//! comment (`body`), once every post's new place is known (`finish`).
//!
//! The old URL of each post is made by its generator's own rules (`urls`);
//! when the article's new URL differs, the old one becomes an alias, so old
//! links keep working.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::i18n::Lang;
use crate::slug::Slug;

pub mod body;
pub mod byline;
pub mod config;
pub mod dates;
pub mod front;
pub mod urls;

pub use config::OldSite;
use front::{dedup, take_bool, take_bool_default, take_text, texts};

/// The generator an archive comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Generator {
    /// Zola: `content/**/*.md`, TOML front matter, `_index.md` sections.
    Zola,
    /// Hugo: `content/**/*.md` (and each language's `contentDir`), YAML or
    /// TOML front matter, `_index.md` sections.
    Hugo,
    /// Jekyll: `_posts/YYYY-MM-DD-TITLE.md` (or `.markdown`, and
    /// `CATEGORY/_posts/`), YAML front matter.
    Jekyll,
}

impl Generator {
    /// The generator's name as written on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Generator::Zola => "zola",
            Generator::Hugo => "hugo",
            Generator::Jekyll => "jekyll",
        }
    }

    /// The folder a site of this generator always has (relative to its
    /// root): where its posts are, or begin.
    pub fn posts_dir(self) -> &'static str {
        match self {
            Generator::Zola | Generator::Hugo => "content",
            Generator::Jekyll => "_posts",
        }
    }
}

/// What a file of the old site (its path from the old site's root) is to
/// the importer.
#[derive(Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A post, in Markdown.
    Post,
    /// A post written in HTML: its body is kept as one block of HTML.
    Html,
    /// A Jekyll post whose file name has no date, which Jekyll skips.
    Undated,
    /// A Jekyll draft (`_drafts/`), published only with `--drafts`.
    Draft,
    /// Anything else (a section's `_index.md`, an image, a page).
    Other,
}

/// What `rel` (from the old site's root) is.
pub fn kind_of(generator: Generator, site: &OldSite, rel: &str) -> FileKind {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    if name.starts_with('.') || name.starts_with('_') || name.ends_with('~') {
        return FileKind::Other;
    }
    let markdown = name.ends_with(".md") || name.ends_with(".markdown");
    let html = name.ends_with(".html") || name.ends_with(".htm");
    if !markdown && !html {
        return FileKind::Other;
    }
    if generator == Generator::Jekyll && rel.split('/').any(|part| part == "_drafts") {
        return FileKind::Draft;
    }
    let inside = match generator {
        Generator::Zola => rel.starts_with("content/"),
        Generator::Hugo => hugo_root(site, rel).is_some(),
        Generator::Jekyll => rel.split('/').any(|part| part == "_posts"),
    };
    if !inside {
        return FileKind::Other;
    }
    if generator == Generator::Jekyll && dated_name(file_stem(rel)).0.is_none() {
        return FileKind::Undated;
    }
    if html {
        return FileKind::Html;
    }
    FileKind::Post
}

/// The body of a post written in HTML, as Markdown that keeps it whole: one
/// HTML block (a `<div>`), each blank line holding an empty comment, so
/// that no line of it is read as Markdown (an indented line as code, a
/// blank line as the block's end). The build sanitizes it like any HTML.
fn html_body(body: &str) -> String {
    let mut out = String::with_capacity(body.len() + 32);
    out.push_str("\n<div>\n");
    for line in body.trim_matches('\n').lines() {
        if line.trim().is_empty() {
            out.push_str("<!-- -->");
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out.push_str("</div>\n");
    out
}

/// The content folder of a Hugo site `rel` is in (a language's `contentDir`
/// first), and its language when that folder is a language's.
fn hugo_root<'a>(site: &'a OldSite, rel: &str) -> Option<(&'a str, Option<&'a str>)> {
    for (code, dir) in &site.hugo.languages {
        if let Some(dir) = dir
            && rel
                .strip_prefix(dir.as_str())
                .is_some_and(|r| r.starts_with('/'))
        {
            return Some((dir, Some(code)));
        }
    }
    // When the default language has a folder of its own, `content/` holds
    // nothing else Hugo reads.
    let default_has_dir = site
        .hugo
        .languages
        .iter()
        .any(|(code, dir)| *code == site.hugo.default_language && dir.is_some());
    (rel.starts_with("content/") && !default_has_dir).then_some(("content", None))
}

/// Notes the folder of a Hugo `_index` file at `rel` (from the old site's
/// root) as a branch of its content folder: a section for `:sections`.
pub fn note_branch(site: &mut OldSite, rel: &str) {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    if !name.starts_with("_index.") {
        return;
    }
    let Some((root, _)) = hugo_root(site, rel) else {
        return;
    };
    let inner = rel[root.len()..].trim_start_matches('/');
    if let Some((folder, _)) = inner.rsplit_once('/') {
        let folder = folder.to_string();
        site.hugo.branches.insert(folder);
    }
}

/// The outcome of converting one post.
#[derive(Debug)]
pub enum Outcome {
    /// The article.
    Post(Box<Converted>),
    /// Not imported, and why (a language dealwire has no edition for).
    Skipped(String),
}

/// One converted post.
#[derive(Debug)]
pub struct Converted {
    /// Where the article goes, relative to the dealwire site
    /// (`content/articles/blog/post.md`).
    pub target: String,
    /// Its path in the old site, from its root.
    pub source: String,
    /// Its front matter.
    front: FrontMatter,
    /// The slug its page will have (written, or from the file name).
    slug: Option<Slug>,
    /// The body.
    body: String,
    /// The line of the source file the body starts on.
    body_line: usize,
    /// The front matter as written (`{{ page.KEY }}`).
    fields: Map<String, Value>,
    /// Its language code in the old site.
    pub lang: String,
    /// Its URL on the old site (under the old site's path), when known:
    /// an alias whenever its new URL differs, also after its slug changes.
    old_url: Option<String>,
    /// Hugo's `translationKey`.
    translation_key: Option<String>,
    /// For a post that is a folder's `index.md`: the other files of that
    /// folder go beside it.
    pub bundle: bool,
    /// Written in HTML: its body is one block of HTML.
    html: bool,
    /// What was left out, and why.
    pub dropped: Vec<String>,
    /// What the importer decided that the editor should know (a post made a
    /// draft, a construct kept): with the line of the source, when it has one.
    pub notes: Vec<(Option<usize>, String)>,
}

/// The dealwire front matter written, in this order.
#[derive(Serialize, Default, Debug)]
struct FrontMatter {
    title: String,
    /// Empty for a page, which has none.
    #[serde(skip_serializing_if = "String::is_empty")]
    date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    aliases: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    slug: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    redirect_to: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    draft: bool,
}

/// Where a post is: its language, and its path below its language's content
/// folder (Hugo), below `content/` (Zola) or with `_posts` taken out
/// (Jekyll), the language suffix of its file name taken out.
struct Place {
    lang: String,
    inner: String,
    /// Jekyll: the folders above `_posts/`, its first categories.
    categories: Vec<String>,
}

fn place(generator: Generator, site: &OldSite, rel: &str, site_lang: Lang) -> Place {
    match generator {
        Generator::Zola => Place {
            lang: site_lang.code().into(),
            inner: rel.strip_prefix("content/").unwrap_or(rel).to_string(),
            categories: Vec::new(),
        },
        Generator::Hugo => {
            let (root, dir_lang) = hugo_root(site, rel).unwrap_or(("content", None));
            let inner = rel[root.len()..].trim_start_matches('/');
            // `post.fr.md`: the language in the file name.
            let (dir, name) = inner.rsplit_once('/').map_or(("", inner), |(d, n)| (d, n));
            let mut parts: Vec<&str> = name.split('.').collect();
            let mut lang = dir_lang.map(str::to_string);
            if parts.len() >= 3 {
                let code = parts[parts.len() - 2].to_lowercase();
                if site.hugo.has_language(&code) {
                    parts.remove(parts.len() - 2);
                    lang.get_or_insert(code);
                }
            }
            Place {
                lang: lang.unwrap_or_else(|| site.hugo.default_language.clone()),
                inner: join(dir, &parts.join(".")),
                categories: Vec::new(),
            }
        }
        Generator::Jekyll => {
            let parts: Vec<&str> = rel.split('/').collect();
            // A page (no `_posts/` in its path) keeps its whole path.
            let (categories, inner): (Vec<String>, Vec<&str>) =
                match parts.iter().position(|p| *p == "_posts" || *p == "_drafts") {
                    Some(at) => (
                        parts[..at].iter().map(|c| c.to_string()).collect(),
                        parts[..at]
                            .iter()
                            .chain(&parts[at + 1..])
                            .copied()
                            .collect(),
                    ),
                    None => (Vec::new(), parts),
                };
            // A collection's document: its folder without the `_`.
            let inner = inner.join("/");
            Place {
                lang: site_lang.code().into(),
                inner: inner.strip_prefix('_').unwrap_or(&inner).to_string(),
                categories,
            }
        }
    }
}

/// Converts the post at `rel` (from the old site's root) whose text is
/// `text`, for a dealwire site whose language is `site_lang`.
pub fn convert(
    generator: Generator,
    site: &OldSite,
    site_lang: Lang,
    rel: &str,
    text: &str,
) -> Result<Outcome, String> {
    convert_file(generator, site, site_lang, rel, text, None)
}

/// `convert`, for a file whose modification date (`YYYY-MM-DD`) is
/// `modified`: a Jekyll draft (`_drafts/`) without a date is dated by it,
/// as `jekyll --drafts` does.
pub fn convert_file(
    generator: Generator,
    site: &OldSite,
    site_lang: Lang,
    rel: &str,
    text: &str,
    modified: Option<&str>,
) -> Result<Outcome, String> {
    let jekyll_draft =
        generator == Generator::Jekyll && rel.split('/').any(|part| part == "_drafts");
    let (fields, body, twice) = front::front_matter(text, generator == Generator::Jekyll)?;
    let mut fields = match fields {
        Value::Object(map) => map,
        Value::Null => Default::default(),
        _ => return Err("the front matter is not a table of keys".into()),
    };
    // A key with no value says nothing.
    fields.retain(|_, v| !v.is_null());
    // A Jekyll file outside `_posts/` is a page, but a dated document of a
    // collection (a release note), which is an article; a Hugo or Zola
    // file is a page when it has no date (below).
    let in_posts = jekyll_draft || rel.split('/').any(|part| part == "_posts");
    let collection = (generator == Generator::Jekyll && !in_posts)
        .then(|| rel.split('/').next()?.strip_prefix('_'))
        .flatten()
        .filter(|c| site.jekyll.collections.contains_key(*c));
    let dated = fields.contains_key("date") || dated_name(file_stem(rel)).0.is_some();
    let jekyll_page =
        generator == Generator::Jekyll && !in_posts && !(collection.is_some() && dated);
    let defaulted = if generator == Generator::Jekyll {
        let kind = match collection {
            Some(c) => c,
            None if in_posts => "posts",
            None => "pages",
        };
        jekyll_defaults(site, rel, kind, &mut fields)
    } else {
        Vec::new()
    };
    // A redirect (jekyll-redirect-from's `redirect_to`) becomes a page that
    // redirects, at the same place: its URL and its old ones keep sending
    // readers on.
    let redirect = match fields.remove("redirect_to") {
        None => None,
        Some(to) => {
            let to = front::texts(Some(to), false)
                .into_iter()
                .next()
                .unwrap_or_default();
            let to = to.trim();
            if to.starts_with("http://") || to.starts_with("https://") {
                Some(to.to_string())
            } else if to.starts_with('/') && !to.starts_with("//") {
                Some(format!("{}{to}", site.prefix))
            } else {
                return Ok(Outcome::Skipped(format!(
                    "a redirect to `{to}`, neither an http(s) address nor a path of the site"
                )));
            }
        }
    };
    let written = fields.clone();
    let mut dropped = Vec::new();
    let mut notes: Vec<(Option<usize>, String)> = twice.into_iter().map(|n| (None, n)).collect();
    let mut out = FrontMatter::default();
    let mut place = place(generator, site, rel, site_lang);
    // A language of the front matter (Jekyll, Zola) when the path has none.
    if generator != Generator::Hugo
        && let Some(code) = ["lang", "language"]
            .iter()
            .find_map(|k| fields.get(*k).and_then(Value::as_str))
    {
        place.lang = code.to_lowercase();
        fields.remove("lang");
        fields.remove("language");
    }
    let Some(lang) = Lang::from_code(&place.lang) else {
        return Ok(Outcome::Skipped(format!(
            "written in `{}`, and a dealwire site has editions in English and French only",
            place.lang
        )));
    };
    let stem = file_stem(&place.inner);
    let (file_date, file_title) = dated_name(stem);

    // Jekyll titles a post or a collection's document after its file
    // (`titleize_slug`: each word capitalized); a page gets none.
    let document = generator == Generator::Jekyll && (in_posts || collection.is_some());
    let title = take_text(&mut fields, "title").or_else(|| document.then(|| titleize(file_title)));

    // The date: as the old generator reads it.
    let zone = match generator {
        Generator::Jekyll => site.jekyll.timezone.clone(),
        Generator::Hugo => site
            .values
            .get("timezone")
            .and_then(Value::as_str)
            .and_then(|z| jiff::tz::TimeZone::get(z).ok()),
        Generator::Zola => None,
    };
    let path_date = fields
        .get("path")
        .or_else(|| fields.get("url"))
        .or_else(|| fields.get("permalink"))
        .and_then(Value::as_str)
        .and_then(date_in_path);
    let publish = ["publishdate", "publishDate", "pubdate"]
        .iter()
        .find_map(|k| take_text(&mut fields, k));
    let date_text = take_text(&mut fields, "date")
        .or_else(|| file_date.map(str::to_string))
        .or(path_date)
        .or_else(|| publish.clone())
        .or_else(|| modified.filter(|_| jekyll_draft).map(str::to_string));
    out.title = match title {
        Some(t) => t,
        // Hugo publishes a page without a title; dealwire needs one.
        None => {
            // A folder's `index` is named after its folder.
            let base = match stem {
                "index" => place.inner.rsplit('/').nth(1).unwrap_or(stem),
                _ => stem,
            };
            let named = dated_name(base).1.replace(['-', '_'], " ");
            let mut chars = named.trim().chars();
            let named = match chars.next() {
                Some(c) => c.to_uppercase().chain(chars).collect(),
                None => return Err("no `title`, and no file name to make one of".into()),
            };
            notes.push((
                None,
                format!("no `title`: named `{named}` after its file (set a better one)"),
            ));
            named
        }
    };
    let is_page = jekyll_page || date_text.is_none() || redirect.is_some();
    // A post that redirects is a page, but its old URL is a post's, dated.
    let date = match date_text {
        Some(d) if jekyll_page => {
            if redirect.is_none() {
                dropped.push(format!("`date: {d}`: a page has no date"));
            }
            None
        }
        Some(d) => Some(post_date(
            generator,
            zone.as_ref(),
            &d,
            publish.as_deref(),
            &mut notes,
            &mut dropped,
        )?),
        None => None,
    };
    let url_date = date.as_ref().map(|(date, _)| match generator {
        Generator::Jekyll => date.in_zone(zone.as_ref()),
        _ => date.written,
    });
    let now = jiff::Timestamp::now();
    if let Some((_, date)) = date.as_ref().filter(|_| !is_page) {
        out.date = date.text.clone();
    }
    for key in ["updated", "lastmod", "modified"] {
        if let Some(u) = take_text(&mut fields, key) {
            match dates::read(&u, zone.as_ref()) {
                Ok(u) => out.updated = Some(u.text),
                Err(why) => dropped.push(format!("`{key}`: {why}")),
            }
        }
    }
    out.summary = take_text(&mut fields, "description")
        .or_else(|| take_text(&mut fields, "summary"))
        .or_else(|| take_text(&mut fields, "excerpt"))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());

    // What the old site did not publish.
    out.draft = take_bool(&mut fields, "draft")
        || take_bool_default(&mut fields, "published", true) == Some(false);
    if jekyll_draft {
        out.draft = true;
        notes.push((
            None,
            "a draft of the old site (`_drafts/`): imported as a draft, dated by its front matter or else its file's modification date, as `jekyll --drafts` dates it".into(),
        ));
    }
    for key in ["expirydate", "expiryDate", "unpublishdate"] {
        let Some(e) = take_text(&mut fields, key) else {
            continue;
        };
        match dates::read(&e, zone.as_ref()) {
            Ok(e) if later(&e, now) < now => {
                out.draft = true;
                notes.push((
                    None,
                    format!("expired on {} (`{key}`): imported as a draft", e.text),
                ));
            }
            Ok(e) => dropped.push(format!(
                "`{key}`: dealwire does not take an article down at a date ({})",
                e.text
            )),
            Err(why) => dropped.push(format!("`{key}`: {why}")),
        }
    }
    if take_bool(&mut fields, "headless") {
        out.draft = true;
        notes.push((
            None,
            "headless (`headless: true`): imported as a draft".into(),
        ));
    }
    for key in ["build", "_build"] {
        let Some(Value::Object(build)) = fields.get(key) else {
            continue;
        };
        let render = build.get("render").map(|v| match v {
            Value::Bool(b) => b.to_string(),
            Value::String(s) => s.to_lowercase(),
            other => other.to_string(),
        });
        if matches!(render.as_deref(), Some("never" | "link" | "false" | "0")) {
            out.draft = true;
            notes.push((
                None,
                format!("never rendered (`{key}.render`): imported as a draft"),
            ));
            fields.remove(key);
        }
    }
    let written_slug = take_text(&mut fields, "slug").map(|s| s.trim_matches('-').to_string());

    let mut taxonomies = match fields.remove("taxonomies") {
        Some(Value::Object(t)) => t,
        _ => Default::default(),
    };
    // Jekyll puts categories in the URL: the folders above `_posts/`, then
    // those written.
    let mut categories = place.categories.clone();
    categories.extend(
        ["categories", "category"]
            .iter()
            .flat_map(|k| texts(fields.get(*k).cloned(), true)),
    );
    for key in ["tags", "categories", "category"] {
        let values = fields.remove(key).or_else(|| taxonomies.remove(key));
        out.tags
            .extend(texts(values, generator == Generator::Jekyll));
    }
    let mut extra = match fields.remove("extra") {
        Some(Value::Object(e)) => e,
        _ => Default::default(),
    };
    for key in ["authors", "author"] {
        let values = fields
            .remove(key)
            .or_else(|| taxonomies.remove(key))
            .or_else(|| extra.remove(key));
        for written in texts(values, false) {
            let split = byline::split(&written);
            if split.people.len() > 1 || !split.left_out.is_empty() {
                notes.push((
                    None,
                    format!(
                        "the byline `{written}` is read as {}{}",
                        split.people.join("; "),
                        if split.left_out.is_empty() {
                            String::new()
                        } else {
                            format!(" (left out: {})", split.left_out.join("; "))
                        }
                    ),
                ));
            }
            out.authors.extend(split.people);
        }
    }
    dedup(&mut out.tags);
    dedup(&mut out.authors);
    if is_page {
        for (what, list) in [("tags", &mut out.tags), ("authors", &mut out.authors)] {
            if !list.is_empty() {
                dropped.push(format!(
                    "`{what}` ({}): a page is on no list",
                    std::mem::take(list).join(", ")
                ));
            }
        }
    }

    // The article's new place and URL; the old URL becomes an alias.
    let target = target_path(&place.inner, lang, site_lang, is_page);
    let derived = Slug::from_file_stem(&article_stem(&target));
    let slug = match written_slug.as_deref().map(Slug::parse) {
        Some(Ok(s)) => Some(s),
        Some(Err(_)) => written_slug.as_deref().and_then(Slug::from_text),
        None => derived.clone(),
    };
    if slug != derived {
        out.slug = slug.as_ref().map(|s| s.to_string());
    }
    if is_page && redirect.is_none() {
        if let Some(why) = body::made_by_templates(body) {
            return Ok(Outcome::Skipped(why));
        }
        let url = slug
            .as_ref()
            .map(|s| new_url(&target, s, None, site_lang))
            .unwrap_or_default();
        if let Some(first) = crate::places::reserved_root(&url) {
            return Ok(Outcome::Skipped(format!(
                "a page at `/{first}/`, where dealwire publishes its own pages (its lists, search, the other edition)"
            )));
        }
    }
    let old = match generator {
        Generator::Zola => zola_url(&place.inner, &mut fields, written_slug.as_deref()),
        Generator::Hugo => {
            let (sections, filename) = hugo_parts(&place.inner);
            let url = take_text(&mut fields, "url");
            // `:sections`: the top folder, then each nested one that is a
            // branch (holds an `_index` file), as long as they are.
            let mut tree = Vec::new();
            for (i, folder) in sections.iter().enumerate() {
                if i > 0 && !site.hugo.branches.contains(&sections[..=i].join("/")) {
                    break;
                }
                tree.push(folder.clone());
            }
            let page = urls::HugoPage {
                sections: &sections,
                tree: &tree,
                filename: &filename,
                slug: written_slug.as_deref(),
                title: &out.title,
                date: url_date,
                url: url.as_deref(),
                lang: &place.lang,
            };
            Some(urls::hugo_path(&site.hugo, &page))
        }
        Generator::Jekyll if jekyll_page => match take_text(&mut fields, "permalink") {
            Some(pattern) => {
                let path = rel.rsplit_once('.').map_or(rel, |(p, _)| p);
                let doc = urls::JekyllDoc {
                    categories: &[],
                    slug: stem,
                    date: None,
                    collection: "pages",
                    path,
                    basename: stem,
                };
                Some(urls::jekyll_path(&pattern, &doc))
            }
            None => old_page_url(generator, site, rel),
        },
        // A draft was never published: it has no old URL.
        Generator::Jekyll if jekyll_draft => None,
        Generator::Jekyll => {
            let slug_part = written_slug
                .clone()
                .unwrap_or_else(|| dated_name(stem).1.trim_end_matches('.').to_string());
            // The path inside the collection's folder (`_posts/`, `_NAME/`).
            let inside = match collection {
                Some(c) => rel.strip_prefix(&format!("_{c}/")).unwrap_or(rel),
                None => rel.split_once("_posts/").map_or(rel, |(_, r)| r),
            };
            let rel_in_posts = inside.rsplit_once('.').map_or(inside, |(p, _)| p);
            let doc = urls::JekyllDoc {
                categories: &categories,
                slug: &slug_part,
                date: url_date,
                collection: collection.unwrap_or("posts"),
                path: rel_in_posts,
                basename: stem,
            };
            let pattern = take_text(&mut fields, "permalink").unwrap_or_else(|| match collection {
                Some(c) => site.jekyll.collections.get(c).cloned().unwrap_or_default(),
                None => site.jekyll.permalink.clone(),
            });
            Some(urls::jekyll_path(&pattern, &doc))
        }
    };
    // Aliases written in the post, then the old URL.
    let old_dir = old
        .as_deref()
        .map(|o| {
            format!(
                "{}{}",
                site.prefix,
                o.rsplit_once('/').map_or("", |(d, _)| d)
            )
        })
        .unwrap_or_default();
    for key in ["aliases", "redirect_from"] {
        for alias in texts(fields.remove(key), false) {
            let alias = if alias.starts_with('/') || generator != Generator::Hugo {
                format!("{}{}", site.prefix, urls::rooted(&alias))
            } else {
                // Hugo: a relative alias is relative to the page's folder.
                urls::rooted(&format!("{}/{alias}", old_dir.trim_end_matches('/')))
            };
            match check_alias(&alias) {
                Ok(()) if !out.aliases.contains(&alias) => out.aliases.push(alias),
                Ok(()) => {}
                Err(why) => dropped.push(format!("the alias `{alias}`: {why}")),
            }
        }
    }
    let new = slug
        .as_ref()
        .map(|s| new_url(&target, s, Some(lang), site_lang));
    if is_page
        && old
            .as_deref()
            .is_some_and(|o| o.trim_end_matches("index.html") == "/")
    {
        return Ok(Outcome::Skipped(
            "the old site's home page: dealwire makes its own".into(),
        ));
    }
    let old_url = old.map(|o| format!("{}{o}", site.prefix));
    if let (Some(old), Some(new)) = (old_url.clone(), &new) {
        let new = new.clone();
        match check_alias(&old) {
            Ok(()) if old != new && !out.aliases.contains(&old) => out.aliases.push(old),
            Ok(()) => {}
            Err(why) => dropped.push(format!("its old URL `{old}`: {why}")),
        }
    }
    // An alias that is the new page itself (`/about/index.html`, `/about`
    // for `/about/`) says nothing.
    if let Some(new) = &new {
        out.aliases.retain(|a| !same_file(a, new));
    }
    let translation_key = take_text(&mut fields, "translationKey")
        .or_else(|| take_text(&mut fields, "translationkey"));

    for (key, _) in taxonomies {
        dropped.push(format!(
            "`taxonomies.{key}`: dealwire has tags and authors only"
        ));
    }
    for (key, _) in extra {
        dropped.push(format!("`extra.{key}`: a theme setting of the old site"));
    }
    for (key, _) in fields {
        // A default of the whole site is no loss of this post's.
        if !defaulted.contains(&key) {
            dropped.push(format!("`{key}`: {}", why_dropped(generator, &key)));
        }
    }

    let body_line = text[..text.len() - body.len()].matches('\n').count() + 1;
    let (body, body_line) = match crate::markdown::leading_title(body, &out.title) {
        Some((_, rest)) => (
            rest,
            body_line + body[..body.len() - rest.len()].matches('\n').count(),
        ),
        None => (body, body_line),
    };
    let html = rel.ends_with(".html") || rel.ends_with(".htm");
    if redirect.is_some() {
        notes.push((
            None,
            format!(
                "a redirect: imported as a page that sends its readers to {}",
                redirect.as_deref().unwrap_or_default()
            ),
        ));
    }
    out.redirect_to = redirect;
    let mut body = if out.redirect_to.is_some() {
        String::new()
    } else if html {
        html_body(body)
    } else {
        body.to_string()
    };
    if generator == Generator::Zola {
        body = zola_links(&body);
    }
    Ok(Outcome::Post(Box::new(Converted {
        target,
        source: rel.to_string(),
        front: out,
        slug,
        body,
        body_line,
        fields: written,
        lang: place.lang,
        old_url,
        translation_key,
        bundle: stem == "index",
        html,
        dropped,
        notes,
    })))
}

/// A post's date as the old generator reads it (its URL's), and as
/// dealwire will publish it: a later `publishDate` is its date; a date in
/// the future is noted (dealwire holds the article back until then).
fn post_date(
    generator: Generator,
    zone: Option<&jiff::tz::TimeZone>,
    date_text: &str,
    publish: Option<&str>,
    notes: &mut Vec<(Option<usize>, String)>,
    dropped: &mut Vec<String>,
) -> Result<(dates::PostDate, dates::PostDate), String> {
    let now = jiff::Timestamp::now();
    let mut date = match dates::read(date_text, zone) {
        Ok(date) => date,
        // Jekyll reads dates with Ruby's lenient `Time.parse`.
        Err(why) => match dates::read_lenient(date_text, zone) {
            Some(date) if generator == Generator::Jekyll => {
                notes.push((
                    None,
                    format!(
                        "`date: {date_text}` read as {}, as Jekyll reads it",
                        date.text
                    ),
                ));
                date
            }
            _ => return Err(format!("`date`: {why}")),
        },
    };
    let written = date.clone();
    if let Some(p) = publish {
        match dates::read(p, zone) {
            Ok(p) if later(&p, now) > now && later(&p, now) > later(&date, now) => {
                notes.push((
                    None,
                    format!(
                        "scheduled for {} (`publishDate`): that is its date now, and dealwire publishes it then",
                        p.text
                    ),
                ));
                date = p;
            }
            Ok(_) => {}
            Err(why) => dropped.push(format!("`publishDate`: {why}")),
        }
    }
    if later(&date, now) > now && publish.is_none() {
        notes.push((
            None,
            format!(
                "dated {}, in the future: dealwire holds it back until that day, as {} did",
                date.text,
                generator.name()
            ),
        ));
    }
    Ok((written, date))
}

/// Jekyll's `Utils.titleize_slug`: the slug's words, each capitalized
/// (its first letter upper case, the rest lower case).
fn titleize(slug: &str) -> String {
    slug.split('-')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first
                    .to_uppercase()
                    .chain(chars.flat_map(char::to_lowercase))
                    .collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<String>>()
        .join(" ")
}

/// The instant a date stands for (a plain date at midnight UTC).
fn later(d: &dates::PostDate, now: jiff::Timestamp) -> jiff::Timestamp {
    d.instant.unwrap_or_else(|| {
        jiff::tz::TimeZone::UTC
            .to_timestamp(d.written)
            .unwrap_or(now)
    })
}

/// `a/b/../c` → `a/c`; `None` when `..` climbs above the root.
fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// Jekyll's front matter defaults (`defaults:` in `_config.yml`): the
/// values of each entry whose scope is the posts (or any type) and whose
/// path holds the post, for the keys the post does not write; a later entry
/// wins over an earlier one.
fn jekyll_defaults(
    site: &OldSite,
    rel: &str,
    kind: &str,
    fields: &mut Map<String, Value>,
) -> Vec<String> {
    let Some(Value::Array(entries)) = site.values.get("defaults") else {
        return Vec::new();
    };
    let mut merged = Map::new();
    for entry in entries {
        let scope = entry.get("scope");
        let path = scope
            .and_then(|s| s.get("path"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim_matches('/');
        let scope_kind = scope.and_then(|s| s.get("type")).and_then(Value::as_str);
        let in_path = path.is_empty()
            || rel == path
            || rel.strip_prefix(path).is_some_and(|r| r.starts_with('/'));
        if in_path
            && scope_kind.is_none_or(|k| k == kind)
            && let Some(Value::Object(values)) = entry.get("values")
        {
            for (key, value) in values {
                merged.insert(key.clone(), value.clone());
            }
        }
    }
    let mut added = Vec::new();
    for (key, value) in merged {
        if !fields.contains_key(&key) {
            added.push(key.clone());
            fields.insert(key, value);
        }
    }
    added
}

/// Why an old URL cannot be an alias, if it cannot: it must be a path on
/// the site, without `..`, a scheme or control characters.
fn check_alias(alias: &str) -> Result<(), String> {
    if alias.contains("://") || alias.starts_with("//") || alias.contains(':') {
        return Err("not a path on the site".into());
    }
    if alias.split('/').any(|part| part == ".." || part == ".") {
        return Err("`..` or `.` in a path".into());
    }
    if alias.chars().any(char::is_control) {
        return Err("a control character".into());
    }
    Ok(())
}

/// Hugo's sections (the folders of `inner`, a bundle's own folder left out)
/// and file name (a bundle's folder).
fn hugo_parts(inner: &str) -> (Vec<String>, String) {
    let mut dirs: Vec<String> = inner.split('/').map(str::to_string).collect();
    let file = dirs.pop().unwrap_or_default();
    let stem = file
        .rsplit_once('.')
        .map_or(file.as_str(), |(s, _)| s)
        .to_string();
    if stem == "index" {
        let folder = dirs.pop().unwrap_or_default();
        (dirs, folder)
    } else {
        (dirs, stem)
    }
}

/// Zola's URL: `path`, else the folders and the slug (or the file name
/// without its date).
fn zola_url(inner: &str, fields: &mut Map<String, Value>, slug: Option<&str>) -> Option<String> {
    if let Some(path) = take_text(fields, "path") {
        return Some(urls::rooted(&path));
    }
    let dir = inner.rsplit_once('/').map_or("", |(d, _)| d);
    let stem = file_stem(inner);
    let (dir, stem) = if stem == "index" {
        dir.rsplit_once('/').map_or(("", dir), |(d, s)| (d, s))
    } else {
        (dir, stem)
    };
    let name = slug.map_or_else(
        || {
            Slug::from_text(dated_name(stem).1)
                .map(|s| s.to_string())
                .unwrap_or_default()
        },
        str::to_string,
    );
    Some(urls::rooted(&join(dir, &name)))
}

/// Where a post goes: `content/articles/` plus its place, `.markdown` made
/// `.md`, and `.LANG` before it when its language is not the site's.
fn target_path(inner: &str, lang: Lang, site_lang: Lang, page: bool) -> String {
    let without = [".markdown", ".md", ".html", ".htm"]
        .iter()
        .find_map(|ext| inner.strip_suffix(ext))
        .unwrap_or(inner);
    let folder = if page { "pages" } else { "articles" };
    if lang == site_lang {
        format!("content/{folder}/{without}.md")
    } else {
        format!("content/{folder}/{without}.{}.md", lang.code())
    }
}

/// The URL path of a converted article or page (`/articles/SLUG/`,
/// `/FOLDERS/SLUG/`), under its language's prefix.
fn new_url(target: &str, slug: &Slug, lang: Option<Lang>, site_lang: Lang) -> String {
    let prefix = match lang {
        Some(lang) if lang != site_lang => format!("/{}", lang.code()),
        _ => String::new(),
    };
    let Some(inner) = target.strip_prefix(crate::places::PAGES_DIR) else {
        return format!("{prefix}/articles/{slug}/");
    };
    // The folders above the page, as the build makes them.
    let folders = crate::places::page_folders(inner).unwrap_or_default();
    let url = format!("{prefix}/{folders}");
    format!("{url}{slug}/")
}

impl Converted {
    /// The article: YAML front matter, then the body.
    pub fn text(&self) -> Result<String, String> {
        let yaml = crate::yaml::to_string(&self.front)?;
        Ok(format!("---\n{yaml}---\n{}", self.body))
    }

    /// The paths the new site will serve for this article: its page and
    /// its aliases.
    pub fn paths(&self, site_lang: Lang) -> Vec<String> {
        let mut paths = self.front.aliases.clone();
        if let Some(slug) = &self.slug {
            paths.push(new_url(
                &self.target,
                slug,
                Lang::from_code(&self.lang),
                site_lang,
            ));
        }
        paths
    }

    /// Its old URL as an alias, when its new URL (after a change of slug
    /// or place) differs from it.
    fn keep_old_url(&mut self, site_lang: Lang) {
        let (Some(old), Some(slug)) = (&self.old_url, &self.slug) else {
            return;
        };
        let new = new_url(&self.target, slug, Lang::from_code(&self.lang), site_lang);
        if !same_file(old, &new) && !self.front.aliases.contains(old) && check_alias(old).is_ok() {
            self.front.aliases.push(old.clone());
        }
    }

    /// Whether it is a standalone page (`content/pages/`), not an article.
    pub fn is_page(&self) -> bool {
        self.target.starts_with(crate::places::PAGES_DIR)
    }

    /// The people its byline names.
    pub fn authors(&self) -> &[String] {
        &self.front.authors
    }

    /// The link other articles write to this one (`@/articles/….md`).
    pub fn link(&self) -> String {
        format!("@/{}", self.target.trim_start_matches("content/"))
    }
}

/// What the posts of one import know of each other: the link of each post
/// by the names the old site's templates use for it.
#[derive(Debug, Default)]
pub struct Links {
    by_name: std::collections::HashMap<String, String>,
}

impl Links {
    /// The names of every post: Hugo's `ref` paths (with and without the
    /// extension, from the content folder, with and without a leading `/`,
    /// and the file name alone when no other post has it), Jekyll's
    /// `post_url` names and `link` paths.
    pub fn of(posts: &[Converted]) -> Links {
        let mut by_name = std::collections::HashMap::new();
        let mut file_names: std::collections::HashMap<String, Option<String>> = Default::default();
        for post in posts {
            let link = post.link();
            let inner = post
                .target
                .strip_prefix(crate::places::PAGES_DIR)
                .unwrap_or(post.target.trim_start_matches("content/articles/"));
            let source = post.source.as_str();
            let mut names = vec![source.to_string()];
            let without_ext = |p: &str| {
                p.rsplit_once('.')
                    .map_or(p.to_string(), |(s, _)| s.to_string())
            };
            // Hugo: paths from the content folder.
            for path in [
                inner.to_string(),
                source.trim_start_matches("content/").to_string(),
            ] {
                names.push(path.clone());
                names.push(without_ext(&path));
                if let Some(folder) = path.strip_suffix("/index.md") {
                    names.push(folder.to_string());
                }
            }
            // Jekyll: `post_url` names the file without extension, from
            // `_posts/` (or `DIR/_posts/`, `_posts/DIR/` with its folders).
            if let Some((before, after)) = source.split_once("_posts/") {
                let name = without_ext(after);
                names.push(name.clone());
                names.push(format!("{before}{name}"));
            }
            let file = inner.rsplit('/').next().unwrap_or(inner).to_string();
            file_names
                .entry(without_ext(&file))
                .and_modify(|l| *l = None)
                .or_insert(Some(link.clone()));
            for name in names {
                by_name
                    .entry(name.trim_start_matches('/').to_string())
                    .or_insert(link.clone());
            }
        }
        for (name, link) in file_names {
            if let Some(link) = link {
                by_name.entry(name).or_insert(link);
            }
        }
        Links { by_name }
    }

    /// The link of the post `name` names, if one does.
    pub fn get(&self, name: &str) -> Option<String> {
        let name = name.trim().trim_start_matches("./").trim_start_matches('/');
        let (name, anchor) = name.split_once('#').map_or((name, ""), |(n, a)| (n, a));
        let name = name.trim_end_matches('/');
        let link = self.by_name.get(name).or_else(|| {
            let without = name.rsplit_once('.').map_or(name, |(s, _)| s);
            self.by_name.get(without)
        })?;
        Some(if anchor.is_empty() {
            link.clone()
        } else {
            format!("{link}#{anchor}")
        })
    }
}

/// The old URL of a page of the old site that is not a post, from the
/// name a `ref` or `{% link %}` gives it: a Jekyll collection's document by
/// its collection's permalink, a Jekyll page by the site's permalink style,
/// a Hugo page by its path (`/docs/faq/`).
fn old_page_url(generator: Generator, site: &OldSite, name: &str) -> Option<String> {
    let name = name.trim().trim_start_matches('/');
    if name.is_empty() || name.contains("..") || name.contains(':') {
        return None;
    }
    let without_ext = name.rsplit_once('.').map_or(name, |(s, _)| s);
    match generator {
        Generator::Jekyll => {
            let (first, rest) = name.split_once('/').unwrap_or(("", name));
            if let Some(pattern) = first
                .strip_prefix('_')
                .and_then(|c| site.jekyll.collections.get(c).map(|p| (c, p)))
            {
                let (collection, pattern) = pattern;
                let path = rest.rsplit_once('.').map_or(rest, |(s, _)| s);
                let basename = path.rsplit('/').next().unwrap_or(path);
                let doc = urls::JekyllDoc {
                    categories: &[],
                    slug: basename,
                    date: None,
                    collection,
                    path,
                    basename,
                };
                return Some(urls::jekyll_path(pattern, &doc));
            }
            let page = without_ext.strip_suffix("/index").unwrap_or(without_ext);
            let page = if page == "index" { "" } else { page };
            if site.jekyll.permalink.ends_with('/')
                || page.is_empty()
                || without_ext.ends_with("index")
            {
                Some(urls::rooted(&format!("{page}/")))
            } else {
                Some(format!("/{page}.html"))
            }
        }
        Generator::Hugo => {
            let page = without_ext.strip_suffix("/_index").unwrap_or(without_ext);
            let page = page.strip_suffix("/index").unwrap_or(page);
            Some(urls::rooted(&format!(
                "{}/",
                urls::hugo_urlize(page, site.hugo.lower)
            )))
        }
        Generator::Zola => None,
    }
}

/// The old site's address (`https://example.org`, no trailing `/`) and
/// whether the new site serves a path.
pub type OldBase<'a> = (&'a str, &'a dyn Fn(&str) -> bool);

/// Converts the post's body now that every post's place is known (`links`),
/// and notes each construct kept, at its line in the source file. With the
/// old site's address (`old_base`), a link to one of its pages that the new
/// site does not serve (`served`) points there.
pub fn finish(
    post: &mut Converted,
    generator: Generator,
    site: &OldSite,
    links: &Links,
    old_base: Option<OldBase>,
) {
    if let Some((base, served)) = old_base {
        let (body, pointed) = body::point_old_links(&post.body, served, base);
        if pointed > 0 {
            post.body = body;
        }
    }
    let (body, videos) = body::iframes(&post.body, post.html);
    if videos > 0 {
        post.body = body;
        post.notes.push((
            None,
            format!(
                "{} (YouTube or Vimeo) made {}",
                crate::diag::count(videos, "video <iframe>"),
                if post.html {
                    "links to the video's page (the build removes every <iframe>)"
                } else {
                    "video embeds, which load the player only when the reader asks"
                }
            ),
        ));
    }
    // Links to Markdown files: from the site's root, or from the post's
    // folder (Zola's links are `@/` links, made dealwire's already).
    let folder = post
        .source
        .rsplit_once('/')
        .map_or("", |(d, _)| d)
        .to_string();
    let resolve = |path: &str| {
        let joined = match path.strip_prefix('/') {
            Some(rooted) => rooted.to_string(),
            None => join(&folder, path),
        };
        let normal = normalize(&joined)?;
        links
            .get(&normal)
            .or_else(|| old_page_url(generator, site, &normal))
    };
    if generator != Generator::Zola {
        let (body, pointed) = body::md_links(&post.body, &resolve);
        if pointed > 0 {
            post.body = body;
        }
    }
    let link = |name: &str| {
        links
            .get(name)
            .or_else(|| old_page_url(generator, site, name))
    };
    let converted = body::convert(
        &post.body,
        &body::Context {
            generator,
            site: &site.values,
            page: &post.fields,
            link: &link,
        },
    );
    for (line, construct) in &converted.kept {
        post.notes.push((
            Some(post.body_line + line - 1),
            format!(
                "`{construct}`: a {} construct the importer cannot convert, kept in a comment (never published): rewrite it in Markdown or as an embed",
                generator.name()
            ),
        ));
    }
    post.body = converted.text;
    if let Some((base, served)) = old_base {
        // The links the constructs became (a `{% link %}` to a page).
        post.body = body::point_old_links(&post.body, served, base).0;
    }
}

/// The old site's feeds, as `(path, format)`: Hugo's RSS `index.xml` of
/// the home page and of each section that held a post (per language, unless
/// `disableKinds` has `rss`), jekyll-feed's Atom `feed.xml` (or its
/// `feed: { path }`), Zola's feeds whose names are not dealwire's own.
pub fn old_feeds<'a>(
    generator: Generator,
    site: &OldSite,
    posts: impl IntoIterator<Item = &'a Converted>,
) -> Vec<(String, &'static str)> {
    let mut feeds = std::collections::BTreeSet::new();
    let values = &site.values;
    match generator {
        Generator::Hugo => {
            let disabled = values
                .get("disablekinds")
                .and_then(Value::as_array)
                .is_some_and(|kinds| {
                    kinds
                        .iter()
                        .any(|k| k.as_str().is_some_and(|k| k.eq_ignore_ascii_case("rss")))
                });
            if disabled {
                return Vec::new();
            }
            for post in posts {
                let prefix = if post.lang != site.hugo.default_language || site.hugo.in_subdir {
                    format!("{}/", post.lang)
                } else {
                    String::new()
                };
                feeds.insert((format!("{prefix}index.xml"), "rss"));
                if let Some(root) = hugo_root(site, &post.source) {
                    let inner = post.source[root.0.len()..].trim_start_matches('/');
                    // The top section, and each nested one that is a
                    // branch (holds an `_index` file), has its feed.
                    let folders: Vec<&str> = inner.split('/').collect();
                    let folders = &folders[..folders.len().saturating_sub(1)];
                    for depth in 1..=folders.len() {
                        let path = folders[..depth].join("/");
                        if depth > 1 && !site.hugo.branches.contains(&path) {
                            break;
                        }
                        let url: Vec<String> = folders[..depth]
                            .iter()
                            .map(|f| urls::hugo_urlize(f, site.hugo.lower))
                            .collect();
                        feeds.insert((format!("{prefix}{}/index.xml", url.join("/")), "rss"));
                    }
                }
            }
        }
        Generator::Jekyll => {
            let plugins = ["plugins", "gems"].iter().any(|k| {
                values
                    .get(*k)
                    .and_then(Value::as_array)
                    .is_some_and(|list| list.iter().any(|p| p.as_str() == Some("jekyll-feed")))
            });
            let path = values
                .get("feed")
                .and_then(|f| f.get("path"))
                .and_then(Value::as_str)
                .map(|p| p.trim_start_matches('/').to_string());
            if plugins || path.is_some() {
                feeds.insert((path.unwrap_or_else(|| "feed.xml".into()), "atom"));
            }
        }
        Generator::Zola => {
            let on = ["generate_feeds", "generate_feed"]
                .iter()
                .any(|k| values.get(*k).and_then(Value::as_bool) == Some(true));
            if on {
                let names: Vec<String> = match values
                    .get("feed_filenames")
                    .or_else(|| values.get("feed_filename"))
                {
                    Some(Value::Array(list)) => list
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect(),
                    Some(Value::String(one)) => vec![one.clone()],
                    _ => vec!["atom.xml".into()],
                };
                for name in names {
                    if name != "atom.xml" && name != "rss.xml" {
                        let format = if name.contains("rss") { "rss" } else { "atom" };
                        feeds.insert((name, format));
                    }
                }
            }
        }
    }
    feeds.into_iter().collect()
}

/// Hugo translations: a post with the `translationKey` of a post in the
/// site's language goes beside it (`FILE.fr.md`), whatever its own name.
pub fn pair_translations(posts: &mut [Converted], site_lang: Lang) {
    let originals: std::collections::HashMap<String, String> = posts
        .iter()
        .filter(|p| p.lang == site_lang.code())
        .filter_map(|p| Some((p.translation_key.clone()?, p.target.clone())))
        .collect();
    for post in posts.iter_mut() {
        let Some(lang) = Lang::from_code(&post.lang).filter(|l| *l != site_lang) else {
            continue;
        };
        let Some(original) = post.translation_key.as_ref().and_then(|k| originals.get(k)) else {
            continue;
        };
        let base = original.strip_suffix(".md").unwrap_or(original);
        post.target = format!("{base}.{}.md", lang.code());
    }
    // A translation (`FILE.fr.md` beside `FILE.md`, paired by key or by
    // path) takes its original's slug in the build: its own is dropped,
    // and its old URL is an alias when its new one differs.
    let slugs: std::collections::HashMap<String, Option<Slug>> = posts
        .iter()
        .map(|p| (p.target.clone(), p.slug.clone()))
        .collect();
    for post in posts.iter_mut() {
        let Some(lang) = Lang::from_code(&post.lang).filter(|l| *l != site_lang) else {
            continue;
        };
        let Some(base) = post.target.strip_suffix(&format!(".{}.md", lang.code())) else {
            continue;
        };
        let Some(slug) = slugs.get(&format!("{base}.md")) else {
            continue;
        };
        post.front.slug = None;
        post.slug = slug.clone();
        post.keep_old_url(site_lang);
    }
}

/// Posts of different folders may share a slug (`all-hands.md` and
/// `inside-rust/all-hands.md`), which dealwire refuses: each later one gets
/// its folder's name in front (`inside-rust-all-hands`), written as `slug:`.
pub fn settle_slugs(posts: &mut [Converted], site_lang: Lang) {
    let mut taken = std::collections::HashSet::new();
    // A page's URL has its folders: only articles' slugs may clash.
    for post in posts.iter_mut().filter(|p| !p.is_page()) {
        // Translations (`FILE.fr.md`) share their original's slug.
        let name = post.target.rsplit('/').next().unwrap_or("");
        let lang = name
            .strip_suffix(".md")
            .and_then(|n| n.rsplit_once('.'))
            .map(|(_, l)| l.to_string());
        let Some(slug) = post.slug.clone() else {
            continue;
        };
        if taken.insert((slug.to_string(), lang.clone())) {
            continue;
        }
        // Its folder's name in front, else a number after.
        let folder = post
            .target
            .trim_start_matches("content/articles/")
            .split_once('/')
            .map(|(folder, _)| folder.to_string());
        let mut n = 1;
        loop {
            let candidate = match (&folder, n) {
                (Some(folder), 1) => format!("{folder}-{slug}"),
                (Some(folder), n) => format!("{folder}-{slug}-{n}"),
                (None, n) => format!("{slug}-{}", n + 1),
            };
            if let Some(new) = Slug::from_text(&candidate)
                && taken.insert((new.to_string(), lang.clone()))
            {
                post.notes.push((
                    None,
                    format!("another post has the slug `{slug}`: this one is `{new}`"),
                ));
                post.front.slug = Some(new.to_string());
                post.slug = Some(new);
                post.keep_old_url(site_lang);
                break;
            }
            n += 1;
        }
    }
}

/// Whether two paths of the site are published as one file: `/x/`,
/// `/x/index.html` and `/x` are.
fn same_file(a: &str, b: &str) -> bool {
    same_key(a) == same_key(b)
}

/// An alias that two posts give (Jekyll's `redirect_from` on two
/// documents, the last one written winning), or that is another post's
/// page, is kept by the first post only (by source path), with a warning
/// on the others.
pub fn settle_aliases(posts: &mut [Converted], site_lang: Lang) {
    let mut taken: std::collections::HashMap<String, String> = Default::default();
    for post in posts.iter() {
        if let Some(slug) = &post.slug {
            let url = new_url(&post.target, slug, Lang::from_code(&post.lang), site_lang);
            taken.insert(same_key(&url), post.source.clone());
        }
    }
    let mut order: Vec<usize> = (0..posts.len()).collect();
    order.sort_by(|&a, &b| posts[a].source.cmp(&posts[b].source));
    for i in order {
        let post = &mut posts[i];
        let mut dropped = Vec::new();
        post.front
            .aliases
            .retain(|alias| match taken.get(&same_key(alias)) {
                Some(other) if *other != post.source => {
                    dropped.push(format!(
                        "the alias `{alias}`: {other} has it already (its page, or the same alias)"
                    ));
                    false
                }
                _ => {
                    taken.insert(same_key(alias), post.source.clone());
                    true
                }
            });
        post.dropped.extend(dropped);
    }
}

/// The key two paths published as one file share (`same_file`).
fn same_key(path: &str) -> String {
    let p = path.strip_suffix("index.html").unwrap_or(path);
    p.trim_end_matches('/').to_string()
}

/// The file name without its extension (`index` for a folder's post).
fn file_stem(rel: &str) -> &str {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    name.rsplit_once('.').map_or(name, |(stem, _)| stem)
}

/// `2025-11-03-title` → (`2025-11-03`, `title`); Zola also writes `2025-11-03_title`.
fn dated_name(stem: &str) -> (Option<&str>, &str) {
    let dated = stem.len() > 11
        && stem.is_char_boundary(10)
        && stem[..10].bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
        && matches!(stem.as_bytes()[10], b'-' | b'_');
    if dated {
        (Some(&stem[..10]), &stem[11..])
    } else {
        (None, stem)
    }
}

/// The date in an old URL path: `2019/05/15/4-Years-Of-Rust` → `2019-05-15`.
fn date_in_path(path: &str) -> Option<String> {
    let parts: Vec<&str> = path.split('/').collect();
    parts.windows(3).find_map(|w| {
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        (digits(w[0], 4) && digits(w[1], 2) && digits(w[2], 2))
            .then(|| format!("{}-{}-{}", w[0], w[1], w[2]))
    })
}

/// The stem dealwire makes the slug from: the file name without its
/// language suffix (`FILE.fr.md`), or the folder of `SLUG/index.md`.
fn article_stem(target: &str) -> String {
    let without = target.strip_suffix(".md").unwrap_or(target);
    let without = match without.rsplit_once('.') {
        Some((key, code)) if Lang::from_code(code).is_some() && !key.ends_with('/') => key,
        _ => without,
    };
    let (dir, stem) = without.rsplit_once('/').unwrap_or(("", without));
    if stem == "index" {
        dir.rsplit('/').next().unwrap_or(dir).to_string()
    } else {
        stem.to_string()
    }
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

fn why_dropped(generator: Generator, key: &str) -> &'static str {
    match key {
        "template"
        | "layout"
        | "type"
        | "weight"
        | "render"
        | "in_search_index"
        | "insert_anchor_links"
        | "sort_by"
        | "paginate_by"
        | "page_template"
        | "transparent"
        | "headless"
        | "cascade"
        | "build"
        | "outputs"
        | "markup" => "a page setting of the old generator",
        "images" | "cover" | "thumbnail" | "og_image" => {
            "dealwire has no such field (the body keeps its images; a lead image is `image:`)"
        }
        "keywords" | "series" => "dealwire has no such field (tags are `tags:`)",
        "toc" | "comments" | "share" | "math" | "mermaid" | "showToc" | "ShowToc" => {
            "a theme option"
        }
        _ => match generator {
            Generator::Zola => "not a Zola page key dealwire maps",
            Generator::Hugo => "not a Hugo key dealwire maps",
            Generator::Jekyll => "not a Jekyll key dealwire maps",
        },
    }
}

/// Zola's `@/PATH.md` links point into the old `content/`; the articles now
/// live under `content/articles/`.
fn zola_links(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(at) = rest.find("@/") {
        let before = rest[..at].chars().next_back();
        let target = &rest[at + 2..];
        let end = target
            .find(|c: char| c.is_whitespace() || matches!(c, ')' | '"' | '\'' | '>' | ']'))
            .unwrap_or(target.len());
        let path = target[..end].split('#').next().unwrap_or("");
        out.push_str(&rest[..at]);
        if matches!(before, Some('(' | '"' | '\'' | ' ' | '<')) && path.ends_with(".md") {
            out.push_str("@/articles/");
        } else {
            out.push_str("@/");
        }
        rest = target;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `convert` for a site with no configuration, in English.
    /// A post (or a page) of the old site's posts folder; `/rel` is `rel`
    /// from the old site's root.
    fn convert(generator: Generator, rel: &str, text: &str) -> Result<Converted, String> {
        let root = match generator {
            Generator::Jekyll => "_posts/",
            _ => "content/",
        };
        let path = match rel.strip_prefix('/') {
            Some(rel) => rel.to_string(),
            None => format!("{root}{rel}"),
        };
        match super::convert(generator, &OldSite::default(), Lang::En, &path, text)? {
            Outcome::Post(c) => Ok(*c),
            Outcome::Skipped(why) => Err(why),
        }
    }

    #[test]
    fn a_key_twice_in_yaml_front_matter_names_the_file_lines() {
        let text = "---\ntitle: A\ndate: 2024-05-01\ntitle: B\n---\nx\n";
        let e = super::front::front_matter(text, false).unwrap_err();
        assert_eq!(
            e,
            "the YAML front matter does not parse: duplicate key `title` (first at line 2)"
        );
        // Jekyll keeps the last value of a top-level key, the list under
        // the first one included; a key twice deeper is an error still.
        let c = convert(
            Generator::Jekyll,
            "2024-05-01-a.md",
            "---\ntags:\n- x\n- y\ntitle: A\ntags: [z]\ntitle: B\n---\nx\n",
        )
        .unwrap();
        assert_eq!(c.front.title, "B");
        assert_eq!(c.front.tags, ["z"]);
        assert_eq!(
            c.notes.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>(),
            [
                "`tags` is given twice (lines 2 and 6): the last value is kept, as Jekyll keeps it",
                "`title` is given twice (lines 5 and 7): the last value is kept, as Jekyll keeps it"
            ]
        );
        assert!(convert(Generator::Hugo, "a.md", text).is_err());
        let deep = "---\ntitle: A\nx:\n  a: 1\n  a: 2\n---\nx\n";
        assert!(
            convert(Generator::Jekyll, "2024-05-01-a.md", deep)
                .unwrap_err()
                .contains("duplicate key `a`")
        );
    }

    #[test]
    fn zola_posts_keep_their_body_and_old_url() {
        let text = "+++\ntitle = \"Hello, world\"\ndate = 2019-02-13\ndescription = \"First post.\"\naliases = [\"/2019/02/13/hello.html\"]\ntemplate = \"page.html\"\n[taxonomies]\ntags = [\"rust\", \"web\"]\ncategories = [\"notes\"]\n[extra]\nauthor = \"Ada\"\ntoc = true\n+++\n\n# Hello, world\n\nSee [the next one](@/blog/next.md#end) and `@/not-a-link`.\n\n{{ youtube(id=\"x\") }}\n";
        let c = convert(Generator::Zola, "blog/hello.md", text).unwrap();
        assert_eq!(c.target, "content/articles/blog/hello.md");
        assert_eq!(
            c.text().unwrap(),
            "---\ntitle: Hello, world\ndate: 2019-02-13\nsummary: First post.\ntags:\n- rust\n- web\n- notes\nauthors:\n- Ada\naliases:\n- /2019/02/13/hello.html\n- /blog/hello/\n---\nSee [the next one](@/articles/blog/next.md#end) and `@/not-a-link`.\n\n{{ youtube(id=\"x\") }}\n"
        );
        assert_eq!(
            c.dropped,
            [
                "`extra.toc`: a theme setting of the old site",
                "`template`: a page setting of the old generator",
            ]
        );
    }

    #[test]
    fn hugo_and_jekyll_posts() {
        let hugo = "---\ntitle: Deal day\ndate: 2024-05-01T10:00:00+02:00\nlastmod: 2024-05-02\ndraft: true\nslug: Deal Day\ntags: [cloud]\nauthor: Sam\nurl: /old/deal-day/\nweight: 3\n---\nBody {{< figure src=\"a.png\" >}}\n";
        let c = convert(Generator::Hugo, "posts/deal-day/index.md", hugo).unwrap();
        assert_eq!(c.target, "content/articles/posts/deal-day/index.md");
        assert!(c.bundle);
        assert!(c.text().unwrap().starts_with("---\ntitle: Deal day\ndate: 2024-05-01T10:00:00+02:00\nupdated: 2024-05-02\ntags:\n- cloud\nauthors:\n- Sam\naliases:\n- /old/deal-day/\ndraft: true\n---\nBody"), "{:?}", c.text());
        let jekyll = "---\nlayout: post\ncategories: news cloud\nredirect_from: /old.html\npublished: false\n---\nText.\n";
        let c = convert(Generator::Jekyll, "2023-07-04-big-news.markdown", jekyll).unwrap();
        assert_eq!(c.target, "content/articles/2023-07-04-big-news.md");
        assert_eq!(
            c.text().unwrap(),
            "---\ntitle: Big News\ndate: 2023-07-04\ntags:\n- news\n- cloud\naliases:\n- /old.html\n- /news/cloud/2023/07/04/big-news.html\ndraft: true\n---\nText.\n"
        );
        assert_eq!(c.dropped, ["`layout`: a page setting of the old generator"]);
    }

    #[test]
    fn zola_dates_may_live_in_the_path() {
        let text = "+++\npath = \"inside-rust/2026/01/27/annual-report\"\ntitle = \"Report\"\nauthors = [\"Carol\"]\n[extra]\nteam = \"Directors\"\n+++\nBody\n";
        let c = convert(Generator::Zola, "inside-rust/annual-report.md", text).unwrap();
        assert!(c.text().unwrap().starts_with("---\ntitle: Report\ndate: 2026-01-27\nauthors:\n- Carol\naliases:\n- /inside-rust/2026/01/27/annual-report/\n---\n"), "{:?}", c.text());
    }

    #[test]
    fn shared_slugs_get_their_folder() {
        let post = |rel: &str| {
            convert(
                Generator::Zola,
                rel,
                "+++\ntitle = \"T\"\ndate = 2020-01-01\n+++\n",
            )
            .unwrap()
        };
        let mut posts = vec![
            post("all-hands.md"),
            post("inside-rust/all-hands.md"),
            post("all-hands.fr.md"),
        ];
        settle_slugs(&mut posts, Lang::En);
        let slugs: Vec<Option<String>> = posts.iter().map(|p| p.front.slug.clone()).collect();
        assert_eq!(slugs, [None, Some("inside-rust-all-hands".into()), None]);
    }

    #[test]
    fn an_html_post_stays_one_block_of_html() {
        let c = convert(
            Generator::Hugo,
            "post/letter.html",
            "---\ntitle: A letter\ndate: 2022-04-13\n---\n<p>Dear reader,</p>\n\n    <p>indented, not code</p>\n\n<pre>a\n\nb</pre>\n",
        )
        .unwrap();
        assert_eq!(c.target, "content/articles/post/letter.md");
        assert_eq!(
            c.body,
            "\n<div>\n<p>Dear reader,</p>\n<!-- -->\n    <p>indented, not code</p>\n<!-- -->\n<pre>a\n<!-- -->\nb</pre>\n</div>\n"
        );
        let html = crate::markdown::render(&c.body, Default::default()).html;
        assert!(!html.contains("<code>"), "{html}");
        assert!(html.contains("<p>indented, not code</p>"), "{html}");
    }

    #[test]
    fn a_file_without_a_date_is_a_page_on_no_list() {
        let page = "---\ntitle: About\ntags: [team]\naliases: [/who/]\n---\nWe are three.\n";
        let c = convert(Generator::Hugo, "about/index.md", page).unwrap();
        assert_eq!(c.target, "content/pages/about/index.md");
        assert!(c.is_page());
        let text = c.text().unwrap();
        assert!(
            text.starts_with("---\ntitle: About\naliases:\n- /who/\n---\n"),
            "{text}"
        );
        assert_eq!(c.dropped, ["`tags` (team): a page is on no list"]);
        // A Jekyll page has no date even when it gives one; its URL is
        // its old site's, by the `permalink` style.
        let jekyll = "---\ntitle: Team\ndate: 2020-01-01\n---\nHi\n";
        let c = convert(Generator::Jekyll, "/team.md", jekyll).unwrap();
        assert_eq!(c.target, "content/pages/team.md");
        assert_eq!(c.dropped, ["`date: 2020-01-01`: a page has no date"]);
        assert_eq!(c.front.aliases, ["/team.html"]);
        // A list the old templates made, or a page at one of dealwire's
        // own URLs, is left out.
        let list = "---\ntitle: Blog\n---\n{% for post in paginator.posts %}{% endfor %}\n";
        assert!(
            convert(Generator::Jekyll, "/blog/index.html", list)
                .unwrap_err()
                .contains("a list the old site's templates made (`paginator.`)")
        );
        assert!(
            convert(Generator::Hugo, "tags/x.md", "---\ntitle: T\n---\n")
                .unwrap_err()
                .contains("a page at `/tags/`")
        );
        // A loop shown as an example, in code, is content.
        let docs = "---\ntitle: Posts\n---\nWrite `{% for post in site.posts %}`:\n\n```liquid\n{% for post in site.posts %}\n```\n\n{% raw %}\n{{ paginator.posts }}\n{% endraw %}\n";
        assert!(convert(Generator::Jekyll, "/docs/posts.md", docs).is_ok());
        // An output before any tag is read too.
        let paged = "---\ntitle: Blog\n---\n{{ paginator.posts }}\n{% if x %}y{% endif %}\n";
        assert!(
            convert(Generator::Jekyll, "/blog/index.md", paged)
                .unwrap_err()
                .contains("`paginator.`")
        );
        let live = "---\ntitle: Blog\n---\n{%- for post in site.categories.news -%}\n";
        assert!(
            convert(Generator::Jekyll, "/blog.md", live)
                .unwrap_err()
                .contains("`site.categories`")
        );
        // A page with no title is named after its file (Hugo publishes it).
        let c = convert(
            Generator::Hugo,
            "legal/privacy-policy/index.md",
            "---\n---\nx\n",
        )
        .unwrap();
        assert_eq!(c.front.title, "Privacy policy");
        assert_eq!(
            c.notes[0].1,
            "no `title`: named `Privacy policy` after its file (set a better one)"
        );
    }

    #[test]
    fn a_jekyll_draft_is_a_draft_dated_by_its_file() {
        let text = "---\ntitle: Soon\n---\nx\n";
        let site = OldSite::default();
        let c = match super::convert_file(
            Generator::Jekyll,
            &site,
            Lang::En,
            "_drafts/soon.md",
            text,
            Some("2026-12-01"),
        )
        .unwrap()
        {
            Outcome::Post(c) => c,
            Outcome::Skipped(why) => panic!("{why}"),
        };
        assert_eq!(c.target, "content/articles/soon.md");
        assert!(c.text().unwrap().contains("date: 2026-12-01\n"));
        assert!(c.text().unwrap().contains("draft: true\n"));
        assert!(c.front.aliases.is_empty(), "never published: no old URL");
        assert_eq!(
            kind_of(Generator::Jekyll, &site, "_drafts/soon.md"),
            FileKind::Draft
        );
    }

    #[test]
    fn broken_posts_say_why() {
        assert!(
            convert(Generator::Zola, "a.md", "no front matter")
                .unwrap_err()
                .contains("no front matter")
        );
        assert!(
            convert(Generator::Zola, "a.md", "+++\ntitle = \n+++\n")
                .unwrap_err()
                .contains("TOML")
        );
        assert!(
            convert(Generator::Hugo, "a.md", "---\ntitle: T\n")
                .unwrap_err()
                .contains("closing")
        );
    }
}
