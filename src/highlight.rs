//! Code highlighting with syntect, class-based.
//!
//! The syntax and theme sets load once, on the first code block or stylesheet
//! asked for, and are immutable after. Pages carry `z-` prefixed classes; the
//! colours live in one stylesheet made from the site's syntect theme.

use std::sync::OnceLock;

use syntect::highlighting::ThemeSet;
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

const STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "z-" };

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

fn themes() -> &'static ThemeSet {
    static SET: OnceLock<ThemeSet> = OnceLock::new();
    SET.get_or_init(ThemeSet::load_defaults)
}

/// Common short names that syntect's default set does not know by token.
fn alias(lang: &str) -> &str {
    match lang {
        "rs" => "rust",
        "py" => "python",
        "sh" | "shell" | "console" | "zsh" => "bash",
        "yml" => "yaml",
        "js" | "mjs" => "javascript",
        "ts" => "javascript",
        "toml" => "makefile",
        other => other,
    }
}

/// Highlights code in a language, or returns `None` when the language is unknown.
pub fn highlight(code: &str, lang: &str) -> Option<String> {
    let set = syntaxes();
    let syntax = set.find_syntax_by_token(alias(&lang.to_ascii_lowercase()))?;
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, set, STYLE);
    for line in LinesWithEndings::from(code) {
        generator
            .parse_html_for_line_which_includes_newline(line)
            .ok()?;
    }
    Some(generator.finalize())
}

/// Whether syntect has a theme of that name.
pub fn has_theme(name: &str) -> bool {
    themes().themes.contains_key(name)
}

/// The stylesheet for a syntect theme, or `None` when it does not exist.
pub fn stylesheet(theme: &str) -> Option<String> {
    let theme = themes().themes.get(theme)?;
    css_for_theme_with_class_style(theme, STYLE).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_known_languages_and_declines_unknown_ones() {
        let html = highlight("fn main() {}\n", "rs").unwrap();
        assert!(html.contains("z-"), "{html}");
        assert!(highlight("x", "no-such-language").is_none());
        assert!(has_theme("base16-ocean.dark"));
        assert!(stylesheet("base16-ocean.dark").unwrap().contains(".z-"));
    }
}
