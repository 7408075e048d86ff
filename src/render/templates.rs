//! The template layer: a theme's templates, overridden by the site's own, in one
//! Tera instance with autoescaping on.
//!
//! Input: template sources by name, each with the site path it came from. Output:
//! a ready `Templates`, or diagnostics placed at the template's line and column.

use std::collections::BTreeMap;

use serde::Serialize;
use tera::{Context, ErrorKind, Tera};

use crate::diag::{Diagnostic, Diagnostics};

/// One template's text and where it came from (for messages).
#[derive(Clone, Debug)]
pub struct TemplateSource {
    /// Site-relative path, or `(built-in theme)/templates/NAME` for the embedded theme.
    pub path: String,
    /// The template text.
    pub text: String,
}

/// The templates every theme must provide.
pub const REQUIRED: [&str; 6] = [
    "home.html",
    "article.html",
    "deals.html",
    "party.html",
    "tag.html",
    "404.html",
];

/// Parsed templates, ready to render from many threads.
pub struct Templates {
    tera: Tera,
    sources: BTreeMap<String, TemplateSource>,
    words: Words,
    /// A hash of everything the templates were made from.
    fingerprint: u64,
}

/// Interface words by language code, then key (the theme's `strings/`, with
/// the site's overrides).
pub type Words = BTreeMap<String, BTreeMap<String, serde_json::Value>>;

impl Templates {
    /// Parses every template; names are file names under `templates/`. `labels`
    /// (the theme's interface words) are visible to every template.
    ///
    /// `asset_urls` maps a theme file (`style.css`) to its published URL; templates
    /// get it with `asset_url(path="style.css")`.
    pub fn new(
        sources: BTreeMap<String, TemplateSource>,
        labels: &Words,
        asset_urls: BTreeMap<String, String>,
    ) -> Result<Templates, Diagnostics> {
        let fingerprint = {
            use std::hash::{Hash, Hasher};
            let mut h = std::hash::DefaultHasher::new();
            for (name, source) in &sources {
                (name, &source.path, &source.text).hash(&mut h);
            }
            serde_json::to_string(labels)
                .unwrap_or_default()
                .hash(&mut h);
            asset_urls.hash(&mut h);
            h.finish()
        };
        let mut tera = Tera::new();
        tera.global_context().insert("labels", labels);
        tera.register_function(
            "asset_url",
            move |kwargs: tera::Kwargs, _: &tera::State| -> tera::TeraResult<String> {
                let path: &str = kwargs.must_get("path")?;
                asset_urls.get(path).cloned().ok_or_else(|| {
                    tera::Error::message(format!("asset_url: the theme has no `{path}`"))
                })
            },
        );
        tera.autoescape_on(vec![".html", ".htm", ".xml", ".svg"]);
        let mut errors = Diagnostics::new();
        for name in REQUIRED {
            if !sources.contains_key(name) {
                errors.push(Diagnostic::error(
                    "templates",
                    format!("the theme has no `{name}` template"),
                ));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut templates = Templates {
            tera: Tera::new(),
            sources,
            words: labels.clone(),
            fingerprint,
        };
        // Each template is parsed on its own first, so that every broken one is
        // reported in one run; then all together, which checks what they share
        // (`extends`, `include`, macros).
        let broken: Diagnostics = templates
            .sources
            .iter()
            .filter_map(|(name, source)| {
                Tera::new()
                    .add_raw_template(name, &source.text)
                    .err()
                    .filter(|e| matches!(e.kind(), ErrorKind::SyntaxError(_)))
                    .map(|e| templates.diagnostic(&e, Some(name)))
            })
            .collect();
        if !broken.is_empty() {
            return Err(broken);
        }
        let result = tera.add_raw_templates(
            templates
                .sources
                .iter()
                .map(|(n, s)| (n.as_str(), s.text.as_str())),
        );
        match result {
            Ok(()) => {
                templates.tera = tera;
                Ok(templates)
            }
            Err(e) => Err(templates.reports(&e)),
        }
    }

    /// The diagnostics of a failure to put the templates together: Tera
    /// reports each unknown template, component or macro of every template
    /// in one message, each report pointing ` --> NAME:LINE:COL`; each
    /// becomes an error at its template's file, line and column.
    fn reports(&self, e: &tera::Error) -> Diagnostics {
        if !matches!(e.kind(), ErrorKind::Msg(_)) {
            return self.diagnostic(e, None).into();
        }
        let text = e.to_string();
        let placed: Diagnostics = text
            .split("\n\n")
            .filter_map(|report| {
                let message = report.lines().next()?.trim_start_matches("error: ").trim();
                let at = report.lines().find_map(|l| l.trim().strip_prefix("--> "))?;
                let mut parts = at.rsplitn(3, ':');
                let col: usize = parts.next()?.parse().ok()?;
                let line: usize = parts.next()?.parse().ok()?;
                let name = parts.next()?;
                let source = self.sources.get(name)?;
                Some(Diagnostic::error(&source.path, message).at(line, col))
            })
            .collect();
        if placed.is_empty() {
            self.diagnostic(e, None).into()
        } else {
            placed
        }
    }

    /// A hash of the templates' sources, interface words and asset URLs: two
    /// template sets with one fingerprint render one context alike.
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    /// An interface word in a language (`deals` → `Accords`): the one source of
    /// the words that pages show, whether a template or the renderer writes
    /// them. `{name}` placeholders are filled from `fill`. Falls back to the
    /// English word, then to the key itself, when the theme lacks it.
    pub fn word(&self, lang: crate::i18n::Lang, key: &str, fill: &[(&str, &str)]) -> String {
        let in_lang = |code: &str| {
            self.words
                .get(code)
                .and_then(|w| w.get(key))
                .and_then(|v| v.as_str())
        };
        let mut text = in_lang(lang.code())
            .or_else(|| in_lang("en"))
            .unwrap_or(key)
            .to_string();
        for (name, value) in fill {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    /// Renders a template with a serializable context.
    /// Whether the theme has a template of that name (optional pages, such
    /// as the archive, are made only when it does).
    pub fn has(&self, name: &str) -> bool {
        self.sources.contains_key(name)
    }

    /// Renders a template with a context.
    pub fn render<T: Serialize>(&self, name: &str, context: &T) -> Result<String, Diagnostic> {
        let ctx = Context::from_serialize(context).map_err(|e| self.diagnostic(&e, Some(name)))?;
        self.tera
            .render(name, &ctx)
            .map_err(|e| self.diagnostic(&e, Some(name)))
    }

    fn diagnostic(&self, e: &tera::Error, name: Option<&str>) -> Diagnostic {
        let path_of = |n: &str| {
            self.sources
                .get(n)
                .map_or_else(|| format!("templates/{n}"), |s| s.path.clone())
        };
        match e.kind() {
            ErrorKind::SyntaxError(r) | ErrorKind::RenderingError(r) => {
                let span = r.span();
                Diagnostic::error(path_of(r.filename()), r.message().to_string())
                    .at(span.start_line, span.start_col + 1)
            }
            _ => Diagnostic::error(
                name.map_or_else(|| "templates".to_string(), path_of),
                e.to_string(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_broken_template_is_reported() {
        let sources: BTreeMap<String, TemplateSource> = REQUIRED
            .iter()
            .map(|name| {
                let text = match *name {
                    "home.html" => "{{ oops }",
                    "tag.html" => "{% if %}",
                    _ => "<p>{{ page.title }}</p>",
                };
                let source = TemplateSource {
                    path: format!("templates/{name}"),
                    text: text.into(),
                };
                (name.to_string(), source)
            })
            .collect();
        let Err(errors) = Templates::new(sources, &Words::new(), BTreeMap::new()) else {
            panic!("broken templates were accepted");
        };
        let paths: Vec<&str> = errors.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(paths, ["templates/home.html", "templates/tag.html"]);
    }
}
