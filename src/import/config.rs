//! The old site's configuration, read for what decides its URLs and what its
//! posts may quote: Hugo's `hugo.toml` / `config.toml` (or `.yaml`, `.json`,
//! and `config/_default/`), Jekyll's `_config.yml`, Zola's `config.toml`.
//!
//! Input: the old site's root. Output: an `OldSite` with the rules the
//! importer applies (permalink patterns, ugly URLs, languages, time zone,
//! collections, feed paths), or an error naming the file that does not parse.
//! A site without a configuration file gets its generator's defaults.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value};

use super::Generator;
use super::front::from_toml;

/// What the importer reads of the old site's configuration.
#[derive(Debug, Default)]
pub struct OldSite {
    /// The configuration files read, relative to the old site's root.
    pub files: Vec<String>,
    /// Hugo's rules.
    pub hugo: Hugo,
    /// Jekyll's rules.
    pub jekyll: Jekyll,
    /// Every key of the configuration, as read (keys lowercased for Hugo,
    /// whose keys are not case-sensitive): Jekyll's `{{ site.KEY }}`.
    pub values: Map<String, Value>,
    /// What goes in front of the old URLs to make them paths of the new
    /// site: the old site's path (Hugo's `baseURL`, Jekyll's `baseurl`)
    /// beyond the new site's (`/blog` when the old site was at `/blog/` and
    /// the new one is at `/`); empty when they are the same (`with_new_base`).
    pub prefix: String,
}

impl OldSite {
    /// The old site's path: Hugo's `baseURL` path, Jekyll's `baseurl`, Zola's
    /// `base_url` path; `/` when none.
    pub fn base_path(&self) -> String {
        let written = ["baseurl", "base_url"]
            .iter()
            .find_map(|k| self.values.get(*k).and_then(Value::as_str))
            .unwrap_or("");
        let path = match written.split_once("://") {
            Some((_, rest)) => rest.split_once('/').map_or("", |(_, p)| p),
            None => written,
        };
        let path = path.trim_matches('/');
        if path.is_empty() {
            "/".into()
        } else {
            format!("/{path}/")
        }
    }

    /// Sets `prefix` for a new site at `new_path` (`/` or `/briefing/`): the
    /// old path beyond it. When the old site was not under that path, the
    /// prefix stays empty and the error says why the new site cannot answer
    /// the old URLs.
    pub fn set_new_base(&mut self, new_path: &str) -> Result<(), String> {
        let old = self.base_path();
        let Some(rest) = old.strip_prefix(new_path) else {
            return Err(format!(
                "the old site was at `{old}` and the new one is at `{new_path}` (`base_url` in site.yaml): the new site cannot answer the old URLs, which are made from its root"
            ));
        };
        self.prefix = rest.trim_end_matches('/').to_string();
        if !self.prefix.is_empty() {
            self.prefix.insert(0, '/');
        }
        Ok(())
    }
}

/// Hugo's URL rules.
#[derive(Debug)]
pub struct Hugo {
    /// `[permalinks]` (and `[permalinks.page]`): a pattern by section, the
    /// section lowercased.
    pub permalinks: BTreeMap<String, String>,
    /// `uglyURLs = true`: every page is `NAME.html`, not `NAME/`.
    pub ugly_all: bool,
    /// `uglyURLs` as a table: per section.
    pub ugly: BTreeMap<String, bool>,
    /// `defaultContentLanguage` (`en`).
    pub default_language: String,
    /// `defaultContentLanguageInSubdir`: the default language's pages under
    /// `/LANG/` too.
    pub in_subdir: bool,
    /// `[languages]`: each code with its `contentDir` (relative to the site
    /// root, without a trailing slash) when it has one.
    pub languages: Vec<(String, Option<String>)>,
    /// Paths lowercased (`disablePathToLower = false`, the default).
    pub lower: bool,
    /// The folders (from their content folder, `post/sub`) that hold an
    /// `_index` file: Hugo's nested sections (`cmd::import` finds them).
    pub branches: std::collections::HashSet<String>,
}

impl Default for Hugo {
    fn default() -> Hugo {
        Hugo {
            permalinks: BTreeMap::new(),
            ugly_all: false,
            ugly: BTreeMap::new(),
            default_language: "en".into(),
            in_subdir: false,
            languages: Vec::new(),
            lower: true,
            branches: Default::default(),
        }
    }
}

impl Hugo {
    /// Whether pages of `section` get ugly URLs.
    pub fn is_ugly(&self, section: &str) -> bool {
        self.ugly
            .get(&section.to_lowercase())
            .copied()
            .unwrap_or(self.ugly_all)
    }

    /// Whether `code` is one of the site's languages.
    pub fn has_language(&self, code: &str) -> bool {
        code == self.default_language || self.languages.iter().any(|(c, _)| c == code)
    }
}

/// Jekyll's URL rules.
#[derive(Debug)]
pub struct Jekyll {
    /// The posts' permalink pattern (a style such as `pretty` already
    /// replaced by its pattern).
    pub permalink: String,
    /// `collections:` with `output: true`: name → permalink pattern.
    pub collections: BTreeMap<String, String>,
    /// `timezone:` (an IANA name), in which post dates without an offset are
    /// read and in which URLs are made.
    pub timezone: Option<jiff::tz::TimeZone>,
}

impl Default for Jekyll {
    fn default() -> Jekyll {
        Jekyll {
            permalink: permalink_style("date").expect("a style").to_string(),
            collections: BTreeMap::new(),
            timezone: None,
        }
    }
}

/// Jekyll's permalink styles, as its documentation lists them.
pub fn permalink_style(name: &str) -> Option<&'static str> {
    Some(match name {
        "date" => "/:categories/:year/:month/:day/:title:output_ext",
        "pretty" => "/:categories/:year/:month/:day/:title/",
        "ordinal" => "/:categories/:year/:y_day/:title:output_ext",
        "weekdate" => "/:categories/:year/W:week/:short_day/:title:output_ext",
        "none" => "/:categories/:title:output_ext",
        _ => return None,
    })
}

/// The default permalink of a collection's documents.
pub const COLLECTION_PERMALINK: &str = "/:collection/:path:output_ext";

impl OldSite {
    /// Reads the configuration of the `generator` site at `root`; an error
    /// names the file that does not parse and why.
    pub fn read(generator: Generator, root: &Path) -> Result<OldSite, String> {
        let mut site = OldSite::default();
        match generator {
            Generator::Hugo => {
                let mut values = Map::new();
                for name in ["hugo", "config"] {
                    for ext in ["toml", "yaml", "yml", "json"] {
                        let file = format!("{name}.{ext}");
                        if let Some(v) = read_file(root, &file)? {
                            merge(&mut values, lowercase_keys(v));
                            site.files.push(file);
                        }
                    }
                }
                // `config/_default/`: `hugo.*` and `config.*` at the top,
                // any other `KEY.*` under its key.
                let dir = root.join("config/_default");
                if let Ok(entries) = std::fs::read_dir(&dir) {
                    let mut names: Vec<String> = entries
                        .flatten()
                        .filter_map(|e| e.file_name().into_string().ok())
                        .collect();
                    names.sort();
                    for name in names {
                        let Some((stem, ext)) = name.rsplit_once('.') else {
                            continue;
                        };
                        if !matches!(ext, "toml" | "yaml" | "yml" | "json") {
                            continue;
                        }
                        let file = format!("config/_default/{name}");
                        let Some(v) = read_file(root, &file)? else {
                            continue;
                        };
                        let v = lowercase_keys(v);
                        // `params.toml` is `[params]`; `languages.fr.toml`
                        // is `[languages.fr]`; `menus.fr.toml` is
                        // `[languages.fr.menus]`.
                        let stem = stem.to_lowercase();
                        let path: Vec<&str> = match stem.split_once('.') {
                            _ if stem == "hugo" || stem == "config" => Vec::new(),
                            Some(("languages", lang)) => vec!["languages", lang],
                            Some((key, lang)) => vec!["languages", lang, key],
                            None => vec![stem.as_str()],
                        };
                        let wrapped = path.iter().rev().fold(v, |inner, key| {
                            let mut m = Map::new();
                            m.insert((*key).to_string(), inner);
                            Value::Object(m)
                        });
                        merge(&mut values, wrapped);
                        site.files.push(file);
                    }
                }
                site.hugo = hugo_rules(&values)?;
                site.values = values;
            }
            Generator::Jekyll => {
                if let Some(Value::Object(values)) = read_file(root, "_config.yml")? {
                    site.files.push("_config.yml".into());
                    site.jekyll = jekyll_rules(&values)?;
                    site.values = values;
                }
                let data = jekyll_data(root);
                if !data.is_empty() {
                    site.values.insert("data".into(), Value::Object(data));
                }
            }
            Generator::Zola => {
                if let Some(Value::Object(values)) = read_file(root, "config.toml")? {
                    site.files.push("config.toml".into());
                    site.values = values;
                }
            }
        }
        Ok(site)
    }
}

/// The file `rel` under `root` as a value, `None` when it is missing.
/// Jekyll's `site.data`: each YAML or JSON file of `_data/` under its name
/// (`_data/ruby.yml` is `site.data.ruby`, `_data/a/b.json`
/// `site.data.a.b`). A file that does not parse is left out: the constructs
/// that read it are then kept, each with its warning. Symbolic links are
/// not followed.
fn jekyll_data(root: &Path) -> Map<String, Value> {
    let mut data = Map::new();
    let folder = root.join("_data");
    for entry in walkdir::WalkDir::new(&folder)
        .max_depth(8)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
    {
        let Ok(rel) = entry.path().strip_prefix(root) else {
            continue;
        };
        let Some(rel) = rel.to_str().map(|r| r.replace('\\', "/")) else {
            continue;
        };
        let Some((path, ext)) = rel.strip_prefix("_data/").and_then(|r| r.rsplit_once('.')) else {
            continue;
        };
        if !matches!(ext, "yml" | "yaml" | "json") {
            continue;
        }
        let Ok(Some(value)) = read_file(root, &rel) else {
            continue;
        };
        let parts: Vec<&str> = path.split('/').collect();
        insert_at(&mut data, &parts, value);
    }
    data
}

/// `value` at the path `parts` of nested tables in `map`, the tables made
/// as needed (a value in the way is replaced).
fn insert_at(map: &mut Map<String, Value>, parts: &[&str], value: Value) {
    match parts {
        [] => {}
        [last] => {
            map.insert(last.to_string(), value);
        }
        [first, rest @ ..] => {
            let slot = map
                .entry(first.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            if let Value::Object(inner) = slot {
                insert_at(inner, rest, value);
            }
        }
    }
}

fn read_file(root: &Path, rel: &str) -> Result<Option<Value>, String> {
    let text = match std::fs::read_to_string(root.join(rel)) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{rel}: cannot read: {e}")),
    };
    let value = if rel.ends_with(".toml") {
        toml::from_str::<toml::Value>(&text)
            .map(from_toml)
            .map_err(|e| format!("{rel}: the TOML does not parse: {}", e.message()))?
    } else if rel.ends_with(".json") {
        serde_json::from_str(&text).map_err(|e| format!("{rel}: the JSON does not parse: {e}"))?
    } else if text.trim().is_empty() {
        Value::Object(Map::new())
    } else {
        crate::yaml::from_str::<Value>(&text)
            .map_err(|e| format!("{rel}: the YAML does not parse: {}", e.message))?
    };
    Ok(Some(value))
}

/// Hugo's keys are not case-sensitive: every table key lowercased.
fn lowercase_keys(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k.to_lowercase(), lowercase_keys(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(lowercase_keys).collect()),
        other => other,
    }
}

/// Merges `add` into `into`, tables key by key (`add` wins).
fn merge(into: &mut Map<String, Value>, add: Value) {
    let Value::Object(add) = add else {
        return;
    };
    for (key, value) in add {
        match (into.get_mut(&key), value) {
            (Some(Value::Object(old)), Value::Object(new)) => merge(old, Value::Object(new)),
            (_, value) => {
                into.insert(key, value);
            }
        }
    }
}

fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn flag(value: Option<&Value>) -> Option<bool> {
    match value? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn hugo_rules(values: &Map<String, Value>) -> Result<Hugo, String> {
    let mut hugo = Hugo::default();
    if let Some(Value::Object(links)) = values.get("permalinks") {
        for (key, value) in links {
            match value {
                Value::String(pattern) => {
                    hugo.permalinks.insert(key.clone(), pattern.clone());
                }
                // `[permalinks.page]`: the pages of each section.
                Value::Object(kind) if key == "page" => {
                    for (section, pattern) in kind {
                        if let Value::String(pattern) = pattern {
                            hugo.permalinks.insert(section.clone(), pattern.clone());
                        }
                    }
                }
                _ => {}
            }
        }
    }
    match values.get("uglyurls") {
        Some(Value::Object(sections)) => {
            for (section, on) in sections {
                if let Some(on) = flag(Some(on)) {
                    hugo.ugly.insert(section.clone(), on);
                }
            }
        }
        other => hugo.ugly_all = flag(other).unwrap_or(false),
    }
    if let Some(code) = text(values.get("defaultcontentlanguage")) {
        hugo.default_language = code.to_lowercase();
    }
    hugo.in_subdir = flag(values.get("defaultcontentlanguageinsubdir")).unwrap_or(false);
    hugo.lower = !flag(values.get("disablepathtolower")).unwrap_or(false);
    let main_dir = text(values.get("contentdir")).unwrap_or_else(|| "content".into());
    if let Some(Value::Object(languages)) = values.get("languages") {
        for (code, settings) in languages {
            let dir = match settings {
                Value::Object(s) => text(s.get("contentdir")),
                _ => None,
            };
            // A folder of the site: the importer reads nothing outside it.
            if let Some(d) = &dir
                && (d.starts_with('/') || d.split(['/', '\\']).any(|p| p == ".."))
            {
                return Err(format!(
                    "`languages.{code}.contentDir = \"{d}\"` leaves the site's folder: the importer reads only inside it"
                ));
            }
            let dir = dir
                .map(|d| d.trim_matches('/').to_string())
                .filter(|d| *d != main_dir);
            hugo.languages.push((code.to_lowercase(), dir));
        }
    }
    Ok(hugo)
}

fn jekyll_rules(values: &Map<String, Value>) -> Result<Jekyll, String> {
    let mut jekyll = Jekyll::default();
    if let Some(permalink) = text(values.get("permalink")) {
        jekyll.permalink = permalink_style(&permalink)
            .map(str::to_string)
            .unwrap_or(permalink);
    }
    if let Some(Value::Object(collections)) = values.get("collections") {
        for (name, settings) in collections {
            let settings = match settings {
                Value::Object(s) => s.clone(),
                _ => Map::new(),
            };
            // The posts are a collection too: its permalink is theirs.
            if name == "posts" {
                if let Some(p) = text(settings.get("permalink")) {
                    jekyll.permalink = permalink_style(&p).map(str::to_string).unwrap_or(p);
                }
                continue;
            }
            if flag(settings.get("output")) == Some(true) {
                let permalink = text(settings.get("permalink"))
                    .map(|p| permalink_style(&p).map(str::to_string).unwrap_or(p))
                    .unwrap_or_else(|| COLLECTION_PERMALINK.to_string());
                jekyll.collections.insert(name.clone(), permalink);
            }
        }
    }
    if let Some(zone) = text(values.get("timezone")) {
        jekyll.timezone = Some(jiff::tz::TimeZone::get(&zone).map_err(|e| {
            format!("_config.yml: `timezone: {zone}` is not a time zone this machine knows: {e}")
        })?);
    }
    Ok(jekyll)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_urls_are_put_under_the_new_site_path() {
        let site = |base: &str| {
            let mut s = OldSite::default();
            s.values
                .insert("baseurl".into(), Value::String(base.into()));
            s
        };
        let prefix = |old: &str, new: &str| {
            let mut s = site(old);
            s.set_new_base(new).map(|()| s.prefix)
        };
        assert_eq!(prefix("https://e.org/blog/", "/"), Ok("/blog".to_string()));
        assert_eq!(prefix("/blog", "/blog/"), Ok(String::new()));
        assert_eq!(prefix("https://e.org/", "/"), Ok(String::new()));
        assert_eq!(prefix("https://e.org/a/b", "/a/"), Ok("/b".to_string()));
        let mut elsewhere = site("/blog/");
        let why = elsewhere.set_new_base("/news/").expect_err("elsewhere");
        assert!(
            elsewhere.prefix.is_empty() && why.contains("cannot answer the old URLs"),
            "{why}"
        );
    }

    #[test]
    fn a_content_folder_outside_the_site_is_refused() {
        let site = tempfile::tempdir().expect("a folder");
        for dir in ["../../etc", "/etc", "content/../.."] {
            std::fs::write(
                site.path().join("hugo.toml"),
                format!("[languages.fr]\ncontentDir = \"{dir}\"\n"),
            )
            .expect("write");
            let e = OldSite::read(Generator::Hugo, site.path()).expect_err(dir);
            assert!(e.contains("leaves the site's folder"), "{e}");
        }
    }

    #[test]
    fn hugo_config_files_merge_as_hugo_merges_them() {
        let site = tempfile::tempdir().expect("a folder");
        let dir = site.path().join("config/_default");
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(
            dir.join("hugo.toml"),
            "defaultContentLanguage = \"fr\"\n[uglyURLs]\nPost = true\n",
        )
        .expect("write");
        std::fs::write(
            dir.join("languages.en.toml"),
            "contentDir = \"content/en\"\n",
        )
        .expect("write");
        std::fs::write(dir.join("permalinks.yaml"), "post: /:year/:slug/\n").expect("write");
        std::fs::write(dir.join("params.fr.toml"), "x = 1\n").expect("write");
        let read = OldSite::read(Generator::Hugo, site.path()).expect("reads");
        assert_eq!(read.hugo.default_language, "fr");
        assert!(read.hugo.is_ugly("Post"));
        assert_eq!(
            read.hugo.languages,
            [
                ("en".to_string(), Some("content/en".to_string())),
                ("fr".to_string(), None)
            ]
        );
        assert_eq!(
            read.hugo.permalinks.get("post").map(String::as_str),
            Some("/:year/:slug/")
        );
        assert!(read.values["languages"]["fr"]["params"]["x"] == 1);
        // A file that does not parse is an error naming it.
        std::fs::write(dir.join("menus.toml"), "[broken").expect("write");
        let e = OldSite::read(Generator::Hugo, site.path()).expect_err("broken");
        assert!(
            e.starts_with("config/_default/menus.toml: the TOML does not parse"),
            "{e}"
        );
    }
}
