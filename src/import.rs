//! Importing an archive: a Zola, Hugo or Jekyll post → a dealwire article.
//!
//! Pure: text in, text out; `cmd::import` reads the other site and writes
//! the articles. The front matter (TOML `+++` or YAML `---`) is read into a
//! generic value, the keys dealwire knows are mapped, and every other key is
//! reported as dropped, with why. The body is kept byte for byte, except two
//! changes an editor would make: a leading `# Title` equal to the title is
//! dropped (the theme shows the title), and Zola's `@/PATH.md` links are
//! pointed at the article's new place under `content/articles/`.
//!
//! The old URL of each post is computed as its generator made it; when the
//! article's new URL differs, the old one becomes an alias, so old links
//! keep working.

use serde::Serialize;
use serde_json::Value;

use crate::slug::Slug;

/// The generator an archive comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Generator {
    /// Zola: `content/**/*.md`, TOML front matter, `_index.md` sections.
    Zola,
    /// Hugo: `content/**/*.md`, YAML or TOML front matter, `_index.md` sections.
    Hugo,
    /// Jekyll: `_posts/YYYY-MM-DD-TITLE.md` (or `.markdown`), YAML front matter.
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

    /// Where posts live, relative to the site root, and whether a path there
    /// is a post: Markdown, not a section's `_index.md`.
    pub fn posts_dir(self) -> &'static str {
        match self {
            Generator::Zola | Generator::Hugo => "content",
            Generator::Jekyll => "_posts",
        }
    }

    /// The old site's folders of static files (relative to its root), each
    /// copied under the new site's `static/` at the path given.
    pub fn static_dirs(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Generator::Zola | Generator::Hugo => &[("static", "")],
            Generator::Jekyll => &[("assets", "assets"), ("images", "images")],
        }
    }

    /// Whether a file under `posts_dir` is a post.
    pub fn is_post(self, rel: &str) -> bool {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        let markdown = name.ends_with(".md") || name.ends_with(".markdown");
        markdown && !name.starts_with("_index.") && !name.starts_with('.')
    }
}

/// One converted post.
#[derive(Debug)]
pub struct Converted {
    /// Where the article goes, relative to the dealwire site
    /// (`content/articles/blog/post.md`).
    pub target: String,
    /// Its front matter.
    front: FrontMatter,
    /// The slug its page will have (written, or from the file name).
    slug: Option<Slug>,
    /// The body.
    body: String,
    /// For a post that is a folder's `index.md`: the other files of that
    /// folder go beside it.
    pub bundle: bool,
    /// What was left out, and why.
    pub dropped: Vec<String>,
}

/// The dealwire front matter written, in this order.
#[derive(Serialize, Default, Debug)]
struct FrontMatter {
    title: String,
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
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    draft: bool,
}

/// Converts the post at `rel` (relative to the generator's posts folder)
/// whose text is `text`.
pub fn convert(generator: Generator, rel: &str, text: &str) -> Result<Converted, String> {
    let (fields, body) = front_matter(text)?;
    let mut fields = match fields {
        Value::Object(map) => map,
        Value::Null => Default::default(),
        _ => return Err("the front matter is not a table of keys".into()),
    };
    let mut dropped = Vec::new();
    let mut out = FrontMatter::default();
    let stem = file_stem(rel);
    let (file_date, file_title) = dated_name(stem);

    out.title = take_text(&mut fields, "title")
        .or_else(|| (generator == Generator::Jekyll).then(|| file_title.replace('-', " ")))
        .ok_or("no `title`")?;
    let path_date = fields
        .get("path")
        .or_else(|| fields.get("url"))
        .or_else(|| fields.get("permalink"))
        .and_then(Value::as_str)
        .and_then(date_in_path);
    out.date = take_text(&mut fields, "date")
        .or_else(|| file_date.map(str::to_string))
        .or(path_date)
        .ok_or("no `date` (nor a `YYYY-MM-DD-` file name, nor `/YYYY/MM/DD/` in its path)")?;
    out.updated = take_text(&mut fields, "updated").or_else(|| take_text(&mut fields, "lastmod"));
    out.summary = take_text(&mut fields, "description")
        .or_else(|| take_text(&mut fields, "summary"))
        .or_else(|| take_text(&mut fields, "excerpt"))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    out.draft = take_bool(&mut fields, "draft")
        || take_bool_default(&mut fields, "published", true) == Some(false);
    let written_slug = take_text(&mut fields, "slug");

    let mut taxonomies = match fields.remove("taxonomies") {
        Some(Value::Object(t)) => t,
        _ => Default::default(),
    };
    // Jekyll puts categories in the URL.
    let categories: Vec<String> = ["categories", "category"]
        .iter()
        .flat_map(|k| texts(fields.get(*k).cloned(), true))
        .collect();
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
        out.authors.extend(texts(values, false));
    }
    dedup(&mut out.tags);
    dedup(&mut out.authors);
    for key in ["aliases", "redirect_from"] {
        out.aliases.extend(texts(fields.remove(key), false));
    }

    // The article's new place and URL; the old URL becomes an alias.
    let target = target_path(rel);
    let derived = Slug::from_file_stem(&article_stem(&target));
    let slug = match written_slug.as_deref().map(Slug::parse) {
        Some(Ok(s)) => Some(s),
        Some(Err(_)) => written_slug.as_deref().and_then(Slug::from_text),
        None => derived.clone(),
    };
    if slug != derived {
        out.slug = slug.as_ref().map(|s| s.to_string());
    }
    let old = old_url(
        generator,
        rel,
        &mut fields,
        written_slug.as_deref(),
        &out.date,
        &categories,
    );
    if let (Some(old), Some(slug)) = (old, &slug) {
        let new = format!("/articles/{slug}/");
        if old != new && !out.aliases.contains(&old) {
            out.aliases.push(old);
        }
    }

    for (key, _) in taxonomies {
        dropped.push(format!(
            "`taxonomies.{key}`: dealwire has tags and authors only"
        ));
    }
    for (key, _) in extra {
        dropped.push(format!("`extra.{key}`: a theme setting of the old site"));
    }
    for (key, _) in fields {
        dropped.push(format!("`{key}`: {}", why_dropped(generator, &key)));
    }

    let body = crate::markdown::leading_title(body, &out.title).map_or(body, |(_, rest)| rest);
    let mut body = body.to_string();
    if generator == Generator::Zola {
        body = zola_links(&body);
    }
    let shortcodes = shortcodes(generator, &body);
    if shortcodes > 0 {
        dropped.push(format!(
            "{shortcodes} {} shortcode{} in the body: shown as text, rewrite them in Markdown or HTML",
            generator.name(),
            if shortcodes == 1 { "" } else { "s" }
        ));
    }
    Ok(Converted {
        target,
        front: out,
        slug,
        body,
        bundle: file_stem(rel) == "index",
        dropped,
    })
}

impl Converted {
    /// The article: YAML front matter, then the body.
    pub fn text(&self) -> Result<String, String> {
        let yaml = crate::yaml::to_string(&self.front)?;
        Ok(format!("---\n{yaml}---\n{}", self.body))
    }
}

/// Posts of different folders may share a slug (`all-hands.md` and
/// `inside-rust/all-hands.md`), which dealwire refuses: each later one gets
/// its folder's name in front (`inside-rust-all-hands`), written as `slug:`.
pub fn settle_slugs(posts: &mut [Converted]) {
    let mut taken = std::collections::HashSet::new();
    for post in posts.iter_mut() {
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
        let folder = post
            .target
            .trim_start_matches("content/articles/")
            .split('/')
            .next()
            .unwrap_or("");
        let mut n = 1;
        loop {
            let candidate = if n == 1 {
                format!("{folder}-{slug}")
            } else {
                format!("{folder}-{slug}-{n}")
            };
            if let Some(new) = Slug::from_text(&candidate)
                && taken.insert((new.to_string(), lang.clone()))
            {
                post.front.slug = Some(new.to_string());
                post.slug = Some(new);
                break;
            }
            n += 1;
        }
    }
}

/// The front matter as a generic value, and the body after it.
fn front_matter(text: &str) -> Result<(Value, &str), String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (fence, toml) in [("+++", true), ("---", false)] {
        let Some(rest) = text.strip_prefix(fence) else {
            continue;
        };
        let Some(rest) = rest
            .trim_start_matches([' ', '\t'])
            .strip_prefix('\n')
            .or_else(|| rest.strip_prefix("\r\n"))
        else {
            continue;
        };
        let mut offset = 0;
        for line in rest.split_inclusive('\n') {
            if line.trim_end() == fence {
                let head = &rest[..offset];
                let body = &rest[offset + line.len()..];
                let value = if toml {
                    toml::from_str::<toml::Value>(head)
                        .map(from_toml)
                        .map_err(|e| {
                            format!("the TOML front matter does not parse: {}", e.message())
                        })?
                } else {
                    // The YAML starts on the file's second line.
                    crate::yaml::from_str::<Value>(head).map_err(|e| {
                        let e = e.in_file(2);
                        format!("the YAML front matter does not parse: {}", e.message)
                    })?
                };
                return Ok((value, body));
            }
            offset += line.len();
        }
        return Err(format!("the front matter has no closing `{fence}`"));
    }
    Err("no front matter (`+++` TOML or `---` YAML)".into())
}

fn from_toml(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(from_toml).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, from_toml(v))).collect())
        }
    }
}

/// A key's value as text (numbers and dates too).
fn take_text(fields: &mut serde_json::Map<String, Value>, key: &str) -> Option<String> {
    match fields.remove(key)? {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        other => {
            fields.insert(key.to_string(), other);
            None
        }
    }
}

fn take_bool(fields: &mut serde_json::Map<String, Value>, key: &str) -> bool {
    take_bool_default(fields, key, false).unwrap_or(false)
}

fn take_bool_default(
    fields: &mut serde_json::Map<String, Value>,
    key: &str,
    default: bool,
) -> Option<bool> {
    match fields.remove(key)? {
        Value::Bool(b) => Some(b),
        Value::String(s) if s == "true" || s == "false" => Some(s == "true"),
        _ => Some(default),
    }
}

/// A string or a list of strings; Jekyll also writes lists as words.
fn texts(value: Option<Value>, words: bool) -> Vec<String> {
    let items = match value {
        Some(Value::Array(a)) => a,
        Some(Value::String(s)) if words => s
            .split_whitespace()
            .map(|w| Value::String(w.into()))
            .collect(),
        Some(v @ Value::String(_)) => vec![v],
        _ => Vec::new(),
    };
    items
        .into_iter()
        .filter_map(|v| match v {
            Value::String(s) => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
        .filter(|s| !s.is_empty())
        .collect()
}

fn dedup(names: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    names.retain(|n| {
        seen.insert(
            Slug::from_text(n)
                .map(|s| s.to_string())
                .unwrap_or_else(|| n.clone()),
        )
    });
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

/// Where a post goes: `content/articles/` plus its path in the old posts
/// folder, with `.markdown` made `.md`.
fn target_path(rel: &str) -> String {
    let rel = rel
        .strip_suffix(".markdown")
        .map_or_else(|| rel.to_string(), |r| format!("{r}.md"));
    format!("content/articles/{rel}")
}

/// The stem dealwire makes the slug from: the folder of `SLUG/index.md`.
fn article_stem(target: &str) -> String {
    let without = target.strip_suffix(".md").unwrap_or(target);
    let (dir, stem) = without.rsplit_once('/').unwrap_or(("", without));
    if stem == "index" {
        dir.rsplit('/').next().unwrap_or(dir).to_string()
    } else {
        stem.to_string()
    }
}

/// The URL the old site gave the post, root-relative.
fn old_url(
    generator: Generator,
    rel: &str,
    fields: &mut serde_json::Map<String, Value>,
    slug: Option<&str>,
    date: &str,
    categories: &[String],
) -> Option<String> {
    let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
    let stem = file_stem(rel);
    let is_bundle = stem == "index";
    let (dir, stem) = if is_bundle {
        dir.rsplit_once('/').map_or(("", dir), |(d, s)| (d, s))
    } else {
        (dir, stem)
    };
    let rooted = |p: &str| {
        let p = p.trim();
        let p = if p.starts_with('/') {
            p.to_string()
        } else {
            format!("/{p}")
        };
        if p.ends_with('/') || p.rsplit('/').next().is_some_and(|l| l.contains('.')) {
            p
        } else {
            format!("{p}/")
        }
    };
    match generator {
        Generator::Zola => {
            if let Some(path) = take_text(fields, "path") {
                return Some(rooted(&path));
            }
            let name = slug.map_or_else(
                || {
                    Slug::from_text(dated_name(stem).1)
                        .map(|s| s.to_string())
                        .unwrap_or_default()
                },
                str::to_string,
            );
            Some(rooted(&join(dir, &name)))
        }
        Generator::Hugo => {
            if let Some(url) = take_text(fields, "url") {
                return Some(rooted(&url));
            }
            let name = slug.map_or_else(|| stem.to_string(), str::to_string);
            Some(rooted(&join(&dir.to_lowercase(), &name)))
        }
        Generator::Jekyll => {
            if let Some(permalink) = take_text(fields, "permalink") {
                return Some(rooted(&permalink));
            }
            // Jekyll's default: /:categories/:year/:month/:day/:title.html
            let (_, title) = dated_name(stem);
            let day = date.get(..10)?.replace('-', "/");
            let mut path = String::from("/");
            for category in categories {
                path.push_str(&category.to_lowercase());
                path.push('/');
            }
            Some(format!("{path}{day}/{title}.html"))
        }
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
        "keywords" | "images" | "image" | "cover" | "thumbnail" | "og_image" | "series" => {
            "dealwire has no such field (the body keeps its images)"
        }
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

/// How many template shortcodes the body holds (they are not Markdown).
fn shortcodes(generator: Generator, body: &str) -> usize {
    match generator {
        Generator::Hugo => body.matches("{{<").count() + body.matches("{{%").count(),
        Generator::Zola => body
            .match_indices("{{ ")
            .chain(body.match_indices("{% "))
            .filter(|(at, _)| {
                let after = &body[at + 3..];
                let name_len = after
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(0);
                name_len > 0 && after[name_len..].starts_with('(')
            })
            .count(),
        Generator::Jekyll => body.matches("{% ").count(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_twice_in_yaml_front_matter_names_the_file_lines() {
        let e = front_matter("---\ntitle: A\ndate: 2024-05-01\ntitle: B\n---\nx\n").unwrap_err();
        assert_eq!(
            e,
            "the YAML front matter does not parse: duplicate key `title` (first at line 2)"
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
                "1 zola shortcode in the body: shown as text, rewrite them in Markdown or HTML",
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
            "---\ntitle: big news\ndate: 2023-07-04\ntags:\n- news\n- cloud\naliases:\n- /old.html\n- /news/cloud/2023/07/04/big-news.html\ndraft: true\n---\nText.\n"
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
        settle_slugs(&mut posts);
        let slugs: Vec<Option<String>> = posts.iter().map(|p| p.front.slug.clone()).collect();
        assert_eq!(slugs, [None, Some("inside-rust-all-hands".into()), None]);
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
            convert(Generator::Hugo, "a.md", "---\ntitle: T\n---\n")
                .unwrap_err()
                .contains("no `date`")
        );
        assert!(
            convert(Generator::Hugo, "a.md", "---\ntitle: T\n")
                .unwrap_err()
                .contains("closing")
        );
    }
}
