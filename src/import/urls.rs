//! The URL another generator gave a post, made by its own documented rules,
//! so that the importer can keep it as an alias.
//!
//! Hugo: `[permalinks]` patterns and their tokens, `uglyURLs`, `url` and
//! `slug`, section folders, page bundles, language prefixes. Jekyll:
//! `permalink` styles and placeholders, categories, collections, `baseurl`.
//! Every path returned is root-relative and not percent-encoded (dealwire
//! writes an alias at the path a static host decodes it to).

use jiff::civil::DateTime;

use super::config::Hugo;

/// Hugo's `urlize` (`MakePathSanitized`): letters, digits, marks and
/// `. / \ _ # + ~ - @` (and `%XX`) kept, a run of spaces one `-`, anything
/// else dropped; lowercased unless `disablePathToLower`.
pub fn hugo_urlize(text: &str, lower: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut hyphen = false;
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let percent = c == '%'
            && chars.get(i + 1).is_some_and(char::is_ascii_hexdigit)
            && chars.get(i + 2).is_some_and(char::is_ascii_hexdigit);
        let kept = c.is_alphanumeric()
            || matches!(c, '.' | '/' | '\\' | '_' | '#' | '+' | '~' | '-' | '@')
            || is_mark(c)
            || percent;
        if kept {
            if hyphen {
                out.push('-');
                hyphen = false;
            }
            out.push(c);
        } else if c.is_whitespace() && !out.is_empty() {
            hyphen = true;
        }
    }
    if lower { out.to_lowercase() } else { out }
}

/// Whether `c` is a combining mark (kept by Hugo and Jekyll as part of a word).
fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// A Hugo page, as its URL rules see it.
#[derive(Debug)]
pub struct HugoPage<'a> {
    /// The folders of its path below its language's content folder, the
    /// page bundle's own folder left out (`["post"]`).
    pub sections: &'a [String],
    /// Its sections as Hugo counts them for `:sections`: the top folder,
    /// then each nested folder that holds an `_index` file (a branch).
    pub tree: &'a [String],
    /// Its file's name without extension and language, or its bundle's folder.
    pub filename: &'a str,
    /// `slug` as written.
    pub slug: Option<&'a str>,
    /// `title`.
    pub title: &'a str,
    /// Its date as written (the URL's date tokens read it).
    pub date: Option<DateTime>,
    /// `url` as written.
    pub url: Option<&'a str>,
    /// Its language code.
    pub lang: &'a str,
}

/// The URL Hugo gives `page`.
pub fn hugo_path(hugo: &Hugo, page: &HugoPage) -> String {
    let section = page.sections.first().map_or("", String::as_str);
    let prefix = if page.lang != hugo.default_language || hugo.in_subdir {
        format!("/{}", page.lang)
    } else {
        String::new()
    };
    if let Some(url) = page.url {
        // `url` is the page's whole path, below the language's root.
        return format!("{prefix}{}", rooted(url));
    }
    let path = match hugo.permalinks.get(&section.to_lowercase()) {
        Some(pattern) => expand_hugo(pattern, page, hugo.lower),
        None => {
            let mut path = String::from("/");
            for s in page.sections {
                path.push_str(&hugo_urlize(s, hugo.lower));
                path.push('/');
            }
            let name = page.slug.unwrap_or(page.filename);
            path.push_str(&hugo_urlize(name, hugo.lower));
            path.push('/');
            path
        }
    };
    let path = squeeze(&rooted(&path));
    let path = if hugo.is_ugly(section) && path.len() > 1 && path.ends_with('/') {
        format!("{}.html", path.trim_end_matches('/'))
    } else {
        path
    };
    format!("{prefix}{path}")
}

/// A permalink pattern's tokens replaced for `page`.
fn expand_hugo(pattern: &str, page: &HugoPage, lower: bool) -> String {
    let urlize = |s: &str| hugo_urlize(s, lower);
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(at) = rest.find(':') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        // A token: letters and `_`, with an optional `[a:b]` slice; or a Go
        // date layout (`:2006`, `:01`, `:2006-01-02`, `:Jan`, `:Monday`).
        let name_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(after.len());
        let (mut name, mut tail) = after.split_at(name_len);
        let mut slice = None;
        if name == "sections"
            && let Some(end) = tail.strip_prefix('[').and_then(|t| t.find(']'))
        {
            slice = Some(&tail[1..=end]);
            tail = &tail[end + 2..];
        }
        if name.chars().next().is_some_and(|c| c.is_ascii_digit()) || is_go_word(name) {
            out.push_str(&go_layout(name, page.date));
            rest = tail;
            continue;
        }
        // `:slug` inside `:slugorfilename` etc.: the longest known name.
        if !is_hugo_token(name) {
            let known = (1..name.len())
                .rev()
                .find(|&n| name.is_char_boundary(n) && is_hugo_token(&name[..n]));
            if let Some(n) = known {
                tail = &after[n..];
                name = &name[..n];
            }
        }
        let date = page.date;
        let two = |n: i8| format!("{n:02}");
        let value = match name {
            "year" => date.map(|d| d.year().to_string()),
            "month" => date.map(|d| two(d.month())),
            "monthname" => date.map(|d| urlize(&month_name(d))),
            "day" => date.map(|d| two(d.day())),
            "weekday" => date.map(|d| d.weekday().to_sunday_zero_offset().to_string()),
            "weekdayname" => date.map(|d| urlize(&weekday_name(d))),
            "yearday" => date.map(|d| d.day_of_year().to_string()),
            "section" => Some(urlize(page.sections.first().map_or("", String::as_str))),
            "sections" => Some(sections(page.tree, slice, &urlize)),
            "title" => Some(urlize(page.title)),
            "slug" => Some(urlize(page.slug.unwrap_or(page.title))),
            "slugorfilename" | "slugorcontentbasename" => {
                Some(urlize(page.slug.unwrap_or(page.filename)))
            }
            "filename" | "contentbasename" => Some(urlize(page.filename)),
            _ => None,
        };
        match value {
            Some(v) => out.push_str(&v),
            None => {
                out.push(':');
                out.push_str(name);
            }
        }
        rest = tail;
    }
    out.push_str(rest);
    out
}

fn is_hugo_token(name: &str) -> bool {
    matches!(
        name,
        "year"
            | "month"
            | "monthname"
            | "day"
            | "weekday"
            | "weekdayname"
            | "yearday"
            | "section"
            | "sections"
            | "title"
            | "slug"
            | "slugorfilename"
            | "slugorcontentbasename"
            | "filename"
            | "contentbasename"
    )
}

/// `:sections[1:]`, `:sections[last]`, `:sections[0]`.
fn sections(all: &[String], slice: Option<&str>, urlize: &dyn Fn(&str) -> String) -> String {
    let parts: Vec<String> = all.iter().map(|s| urlize(s)).collect();
    let Some(slice) = slice else {
        return parts.join("/");
    };
    let index = |s: &str, default: usize| -> usize {
        match s.trim() {
            "" => default,
            "last" => parts.len().saturating_sub(1),
            n => n.parse().unwrap_or(default),
        }
    };
    let (from, to) = match slice.split_once(':') {
        Some((a, b)) => (index(a, 0), index(b, parts.len())),
        None => {
            let i = index(slice, 0);
            (i, i + 1)
        }
    };
    let to = to.min(parts.len());
    parts
        .get(from.min(to)..to)
        .map(|p| p.join("/"))
        .unwrap_or_default()
}

fn is_go_word(name: &str) -> bool {
    matches!(name, "Jan" | "January" | "Mon" | "Monday")
}

/// A Go time layout (`2006-01-02`, `06`, `Jan`) applied to `date`.
fn go_layout(layout: &str, date: Option<DateTime>) -> String {
    let Some(d) = date else {
        return String::new();
    };
    let mut out = String::new();
    let mut rest = layout;
    let table: [(&str, String); 10] = [
        ("2006", d.year().to_string()),
        ("January", month_name(d)),
        ("Monday", weekday_name(d)),
        ("Jan", d.strftime("%b").to_string()),
        ("Mon", d.strftime("%a").to_string()),
        ("06", format!("{:02}", d.year() % 100)),
        ("01", format!("{:02}", d.month())),
        ("02", format!("{:02}", d.day())),
        ("1", d.month().to_string()),
        ("2", d.day().to_string()),
    ];
    'outer: while !rest.is_empty() {
        for (token, value) in &table {
            if let Some(tail) = rest.strip_prefix(token) {
                out.push_str(value);
                rest = tail;
                continue 'outer;
            }
        }
        let c = rest.chars().next().expect("not empty");
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// The English name of `d`'s month (`November`), as Go's layouts write it.
fn month_name(d: DateTime) -> String {
    d.strftime("%B").to_string()
}

/// The English name of `d`'s weekday (`Monday`).
fn weekday_name(d: DateTime) -> String {
    d.strftime("%A").to_string()
}

/// A Jekyll document, as its URL placeholders see it.
#[derive(Debug)]
pub struct JekyllDoc<'a> {
    /// Its categories: the folders above `_posts/`, then `category` /
    /// `categories` as written.
    pub categories: &'a [String],
    /// Its slug: `slug` as written, else its file name's part after the date.
    pub slug: &'a str,
    /// Its date in the site's time zone.
    pub date: Option<DateTime>,
    /// Its collection (`posts`).
    pub collection: &'a str,
    /// Its path in the collection's folder, without extension.
    pub path: &'a str,
    /// Its file name without extension.
    pub basename: &'a str,
}

/// The URL Jekyll gives `doc` with the permalink `pattern` (a style already
/// replaced by its pattern), from the site's root: `baseurl` is where the
/// old site was served, and the new site takes its place.
pub fn jekyll_path(pattern: &str, doc: &JekyllDoc) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(at) = rest.find(':') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let len = after
            .find(|c: char| !(c.is_ascii_lowercase() || c == '_'))
            .unwrap_or(after.len());
        let name = &after[..len];
        match jekyll_value(name, doc).or_else(|| {
            // `:title_`: Jekyll tries the name without its last `_` too.
            name.strip_suffix('_').and_then(|n| jekyll_value(n, doc))
        }) {
            Some(v) => out.push_str(&v),
            None => {
                out.push(':');
                out.push_str(name);
            }
        }
        rest = &after[len..];
    }
    out.push_str(rest);
    // Jekyll's `sanitize_url`: `..` made `/`, `./` removed, runs of `/` one.
    let path = format!("/{out}").replace("..", "/").replace("./", "");
    squeeze(&path)
}

fn jekyll_value(name: &str, doc: &JekyllDoc) -> Option<String> {
    let d = doc.date;
    let f = |fmt: &str| d.map(|d| d.strftime(fmt).to_string());
    Some(match name {
        "year" => f("%Y")?,
        "short_year" => f("%y")?,
        "month" => f("%m")?,
        "i_month" => d?.month().to_string(),
        "short_month" => f("%b")?,
        "long_month" => f("%B")?,
        "day" => f("%d")?,
        "i_day" => d?.day().to_string(),
        "y_day" => f("%j")?,
        "hour" => f("%H")?,
        "minute" => f("%M")?,
        "second" => f("%S")?,
        "week" => f("%V")?,
        "short_day" => f("%a")?,
        "long_day" => f("%A")?,
        "title" => jekyll_slugify(doc.slug, true, true),
        "slug" => jekyll_slugify(doc.slug, false, false),
        "name" => jekyll_slugify(doc.basename, false, false),
        "categories" => {
            let mut seen = Vec::new();
            for c in doc.categories {
                let c = c.to_lowercase();
                if !seen.contains(&c) {
                    seen.push(c);
                }
            }
            seen.join("/")
        }
        "collection" => doc.collection.to_string(),
        "path" => doc.path.to_string(),
        "basename" => doc.basename.to_string(),
        "output_ext" => ".html".to_string(),
        _ => return None,
    })
}

/// Jekyll's `Utils.slugify`: mode `pretty` keeps letters, digits and
/// `._~!$&'()+,;=@`, mode `default` letters and digits; each run of other
/// characters is one `-`, none at either end; lowercased unless `cased`.
pub fn jekyll_slugify(text: &str, pretty: bool, cased: bool) -> String {
    let kept = |c: char| {
        c.is_alphanumeric()
            || is_mark(c)
            || (pretty
                && matches!(
                    c,
                    '.' | '_'
                        | '~'
                        | '!'
                        | '$'
                        | '&'
                        | '\''
                        | '('
                        | ')'
                        | '+'
                        | ','
                        | ';'
                        | '='
                        | '@'
                ))
    };
    let mut out = String::with_capacity(text.len());
    let mut hyphen = false;
    for c in text.chars() {
        if kept(c) {
            if hyphen && !out.is_empty() {
                out.push('-');
            }
            hyphen = false;
            out.push(c);
        } else {
            hyphen = true;
        }
    }
    if cased { out } else { out.to_lowercase() }
}

/// `p` with a leading `/`, and a trailing one unless its last part has an
/// extension.
pub fn rooted(p: &str) -> String {
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
}

/// Runs of `/` made one.
fn squeeze(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if c == '/' && out.ends_with('/') {
            continue;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Option<DateTime> {
        Some(text.parse().expect("a date-time"))
    }

    #[test]
    fn hugo_urlize_keeps_what_hugo_keeps() {
        assert_eq!(
            hugo_urlize("Let's Encrypt is Trusted", true),
            "lets-encrypt-is-trusted"
        );
        assert_eq!(hugo_urlize("  Été  à Paris ", true), "été-à-paris");
        assert_eq!(hugo_urlize("C++ & Go: 100%", false), "C++-Go-100");
    }

    #[test]
    fn hugo_permalinks_ugly_urls_and_languages() {
        let mut hugo = Hugo::default();
        hugo.permalinks
            .insert("post".into(), "/:year/:month/:day/:slug/".into());
        hugo.ugly.insert("post".into(), true);
        let sections = vec!["post".to_string()];
        let mut page = HugoPage {
            sections: &sections,
            tree: &sections,
            filename: "trusted",
            slug: Some("lets-encrypt-is-trusted"),
            title: "Let's Encrypt is Trusted",
            date: date("2015-10-19T12:00:00"),
            url: None,
            lang: "en",
        };
        assert_eq!(
            hugo_path(&hugo, &page),
            "/2015/10/19/lets-encrypt-is-trusted.html"
        );
        page.lang = "fr";
        hugo.languages
            .push(("fr".into(), Some("content/fr".into())));
        assert_eq!(
            hugo_path(&hugo, &page),
            "/fr/2015/10/19/lets-encrypt-is-trusted.html"
        );
        page.lang = "en";
        hugo.in_subdir = true;
        hugo.ugly.clear();
        page.slug = None;
        assert_eq!(
            hugo_path(&hugo, &page),
            "/en/2015/10/19/lets-encrypt-is-trusted/"
        );
        // No pattern for the section: its folders and the file name.
        let docs = vec!["Docs".to_string(), "API Guide".to_string()];
        page.sections = &docs;
        page.filename = "Getting Started";
        assert_eq!(
            hugo_path(&hugo, &page),
            "/en/docs/api-guide/getting-started/"
        );
        page.url = Some("/about/me");
        assert_eq!(hugo_path(&hugo, &page), "/en/about/me/");
    }

    #[test]
    fn hugo_tokens_and_go_layouts() {
        let sections = vec!["news".to_string(), "cloud".to_string()];
        let tree = sections.clone();
        let page = HugoPage {
            sections: &sections,
            tree: &tree,
            filename: "big-deal",
            slug: None,
            title: "Big Deal",
            date: date("2025-11-03T09:00:00"),
            url: None,
            lang: "en",
        };
        let cases = [
            ("/:sections/:filename/", "/news/cloud/big-deal/"),
            ("/:sections[1:]/:slugorfilename/", "/cloud/big-deal/"),
            ("/:section/:2006/:01/:title/", "/news/2025/11/big-deal/"),
            (
                "/:year/:monthname/:weekdayname/:yearday/",
                "/2025/november/monday/307/",
            ),
            ("/:06-:1-:2/:contentbasename/", "/25-11-3/big-deal/"),
        ];
        for (pattern, want) in cases {
            assert_eq!(expand_hugo(pattern, &page, true), want, "{pattern}");
        }
        // A nested folder without `_index.md` is not a section.
        let top = vec!["news".to_string()];
        let flat = HugoPage { tree: &top, ..page };
        assert_eq!(
            expand_hugo("/:sections/:filename/", &flat, true),
            "/news/big-deal/"
        );
    }

    #[test]
    fn jekyll_styles_and_placeholders() {
        let categories = vec![
            "News".to_string(),
            "Cloud Deals".to_string(),
            "news".to_string(),
        ];
        let doc = JekyllDoc {
            categories: &categories,
            slug: "Big-Deal's day",
            date: date("2013-05-06T02:12:52"),
            collection: "posts",
            path: "_posts/2013-05-06-big-deal",
            basename: "2013-05-06-big-deal",
        };
        let style = |s| super::super::config::permalink_style(s).expect("style");
        let cases = [
            (
                style("date"),
                "/news/cloud deals/2013/05/06/Big-Deal's-day.html",
            ),
            (
                style("pretty"),
                "/news/cloud deals/2013/05/06/Big-Deal's-day/",
            ),
            (
                style("ordinal"),
                "/news/cloud deals/2013/126/Big-Deal's-day.html",
            ),
            (style("none"), "/news/cloud deals/Big-Deal's-day.html"),
            ("/blog/:i_month/:i_day/:slug", "/blog/5/6/big-deal-s-day"),
            ("/:year/W:week/:short_day/", "/2013/W19/Mon/"),
        ];
        for (pattern, want) in cases {
            assert_eq!(jekyll_path(pattern, &doc), want, "{pattern}");
        }
        let none: Vec<String> = Vec::new();
        let plain = JekyllDoc {
            categories: &none,
            ..doc
        };
        assert_eq!(
            jekyll_path(style("date"), &plain),
            "/2013/05/06/Big-Deal's-day.html"
        );
    }
}
