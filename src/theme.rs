//! Themes: which templates and static files a site renders with.
//!
//! A site's `themes/NAME/` folder wins; the `default` theme is also compiled into
//! the binary, so a site without a `themes/` folder builds. The site's own
//! `templates/` folder overrides any theme template of the same name, and its
//! `strings/LANG.yaml` files override the theme's interface words key by key.

use std::collections::BTreeMap;

use crate::diag::Diagnostic;
use crate::render::TemplateSource;
use crate::source::SiteSource;

/// The default theme's files, relative to `themes/default/`, embedded at compile time.
static BUILTIN: &[(&str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/builtin_theme.rs"));

/// A resolved theme: templates by name, static files by output path.
#[derive(Clone, Debug, Default)]
pub struct Theme {
    /// Template name (`article.html`) → source.
    pub templates: BTreeMap<String, TemplateSource>,
    /// Output path (`style.css`) → bytes.
    pub statics: BTreeMap<String, Vec<u8>>,
    /// Interface words: language code → key → text (or a flag), from the theme's
    /// `strings/LANG.yaml`, overridden key by key by the site's `strings/LANG.yaml`.
    pub strings: BTreeMap<String, BTreeMap<String, serde_json::Value>>,
    /// Site templates that replace nothing and that no template uses.
    pub warnings: Vec<Diagnostic>,
}

/// Resolves the theme `name` for a site, then applies the site's `templates/`.
pub fn resolve(source: &SiteSource, name: &str) -> Result<Theme, Diagnostic> {
    let prefix = format!("themes/{name}/");
    let mut files: Vec<(String, String, &[u8])> = source
        .files
        .iter()
        .filter_map(|f| {
            f.path
                .strip_prefix(&prefix)
                .map(|rel| (rel.to_string(), f.path.clone(), &f.bytes[..]))
        })
        .collect();
    if files.is_empty() {
        if name != "default" {
            return Err(Diagnostic::error(
                crate::config::CONFIG_FILE,
                format!("theme `{name}` not found: there is no `{prefix}` folder and no built-in theme of that name"),
            )
            .field("theme"));
        }
        files = BUILTIN
            .iter()
            .map(|(rel, bytes)| (rel.to_string(), format!("(built-in theme)/{rel}"), *bytes))
            .collect();
    }
    let mut theme = Theme::default();
    let theme_names: Vec<String> = files
        .iter()
        .filter_map(|(rel, _, _)| rel.strip_prefix("templates/").map(str::to_string))
        .collect();
    let site_templates = source.under("templates").map(|f| {
        (
            f.path["templates/".len()..].to_string(),
            f.path.clone(),
            &f.bytes[..],
        )
    });
    let site_strings = source
        .under("strings")
        .map(|f| (f.path.clone(), f.path.clone(), &f.bytes[..]));
    for (rel, path, bytes) in files
        .into_iter()
        .chain(site_templates.map(|(n, p, b)| (format!("templates/{n}"), p, b)))
        .chain(site_strings)
    {
        if let Some(name) = rel.strip_prefix("templates/") {
            let text = String::from_utf8(bytes.to_vec())
                .map_err(|_| Diagnostic::error(&path, "the template is not UTF-8 text"))?;
            theme
                .templates
                .insert(name.to_string(), TemplateSource { path, text });
        } else if let Some(file) = rel.strip_prefix("strings/") {
            let Some(lang) = file.strip_suffix(".yaml").filter(|l| !l.contains('/')) else {
                continue;
            };
            let text = std::str::from_utf8(bytes)
                .map_err(|_| Diagnostic::error(&path, "the file is not UTF-8 text"))?;
            let words: BTreeMap<String, serde_json::Value> =
                crate::yaml::from_str(text).map_err(|e| {
                    Diagnostic::error(&path, e.message)
                        .at_opt(e.position)
                        .field(e.field)
                })?;
            theme
                .strings
                .entry(lang.to_string())
                .or_default()
                .extend(words);
        } else if let Some(out) = rel.strip_prefix("static/") {
            theme.statics.insert(out.to_string(), bytes.to_vec());
        }
    }
    theme.warnings = unused_overrides(&theme.templates, &theme_names, name);
    Ok(theme)
}

/// A warning for each site template (under `templates/`) that replaces no
/// template of the theme and that no template includes, imports or extends:
/// dealwire would never read it (Zola's `index.html` is `home.html` here).
fn unused_overrides(
    templates: &BTreeMap<String, TemplateSource>,
    theme_names: &[String],
    theme: &str,
) -> Vec<Diagnostic> {
    let used: std::collections::HashSet<String> = templates
        .values()
        .flat_map(|t| referenced_templates(&t.text))
        .collect();
    templates
        .iter()
        .filter(|(name, t)| {
            t.path.starts_with("templates/")
                && !theme_names.contains(name)
                && !used.contains(name.as_str())
        })
        .map(|(name, t)| {
            let hint = match name.as_str() {
                "index.html" => " (the home page is `home.html`)",
                "page.html" | "single.html" | "post.html" => " (an article's page is `article.html`)",
                "taxonomy_single.html" | "term.html" | "taxonomy.html" => " (a tag's page is `tag.html`)",
                "section.html" | "list.html" => " (the deals index is `deals.html`)",
                _ => "",
            };
            Diagnostic::warning(
                &t.path,
                format!(
                    "this template replaces none of theme `{theme}`'s and no template includes, imports or extends it, so it is never used{hint}; the theme's templates: {}",
                    theme_names.join(", ")
                ),
            )
        })
        .collect()
}

/// The templates a template names in `{% include %}`, `{% import %}` and
/// `{% extends %}` tags.
fn referenced_templates(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{%") {
        let tag = &rest[start + 2..];
        let end = tag.find("%}").unwrap_or(tag.len());
        let inner = tag[..end].trim_start_matches(['-', '+']).trim_start();
        let keyword = inner.split_whitespace().next().unwrap_or("");
        if matches!(keyword, "include" | "import" | "extends") {
            let after = inner[keyword.len()..].trim_start();
            let quote = after
                .chars()
                .next()
                .filter(|c| matches!(c, '"' | '\'' | '`'));
            if let Some(quote) = quote
                && let Some(close) = after[1..].find(quote)
            {
                names.push(after[1..1 + close].to_string());
            }
        }
        rest = &tag[end.min(tag.len())..];
    }
    names
}

/// The theme's static files as they are published: stylesheets and scripts get
/// a content hash in their name (`style.3f9a12c4.css`), so a host may cache them
/// for ever; other files keep their names.
#[derive(Clone, Debug, Default)]
pub struct Assets {
    /// Output path → bytes.
    pub files: BTreeMap<String, Vec<u8>>,
    /// Theme path (`style.css`) → published path (`style.3f9a12c4.css`).
    pub names: BTreeMap<String, String>,
}

/// The content hash in a published asset name: the first 10 hex digits of the
/// SHA-256 of its bytes. A stable hash, so a toolchain upgrade renames no asset
/// and long cache lifetimes stay right.
fn published_hash(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)[..5]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Assets {
    /// Publishes the theme's statics plus the generated code stylesheet.
    pub fn new(statics: &BTreeMap<String, Vec<u8>>, syntax_css: Option<String>) -> Assets {
        let mut assets = Assets::default();
        let generated = syntax_css.map(|css| ("syntax.css".to_string(), css.into_bytes()));
        for (path, bytes) in statics
            .iter()
            .map(|(p, b)| (p.clone(), b.clone()))
            .chain(generated)
        {
            let published = match path.rsplit_once('.') {
                Some((stem, ext)) if ext == "css" || ext == "js" => {
                    format!("{stem}.{}.{ext}", published_hash(&bytes))
                }
                _ => path.clone(),
            };
            assets.names.insert(path, published.clone());
            assets.files.insert(published, bytes);
        }
        assets
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The published name must not depend on the toolchain: SHA-256's known
    /// answer for `abc` starts `ba7816bf8f`.
    #[test]
    fn published_names_use_a_stable_content_hash() {
        assert_eq!(published_hash(b"abc"), "ba7816bf8f");
        let assets = Assets::new(
            &BTreeMap::from([("style.css".to_string(), b"abc".to_vec())]),
            None,
        );
        assert_eq!(assets.names["style.css"], "style.ba7816bf8f.css");
    }

    #[test]
    fn stylesheets_and_scripts_carry_their_hash() {
        let statics: BTreeMap<String, Vec<u8>> = [
            ("style.css".to_string(), b"a{}".to_vec()),
            ("logo.png".to_string(), vec![1, 2]),
        ]
        .into();
        let a = Assets::new(&statics, Some(".z{}".into()));
        let css = &a.names["style.css"];
        assert!(
            css.starts_with("style.")
                && css.ends_with(".css")
                && css.len() == "style.0123456789.css".len(),
            "{css}"
        );
        assert_eq!(a.names["logo.png"], "logo.png");
        assert!(a.files.contains_key(&a.names["syntax.css"]));
        let changed = Assets::new(&[("style.css".to_string(), b"b{}".to_vec())].into(), None);
        assert_ne!(changed.names["style.css"], *css, "new content, new name");
    }
}
