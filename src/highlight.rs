//! Code highlighting with syntect, class-based.
//!
//! The syntax and theme sets load once, on the first code block or stylesheet
//! asked for, and are immutable after. Pages carry `z-` prefixed classes; the
//! colours live in one stylesheet made from the site's syntect theme.

use std::sync::OnceLock;

use syntect::highlighting::{Color, ThemeSet};
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

const STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "z-" };

/// syntect's own grammars: the languages it knows are highlighted with them
/// (bat's newer versions of the same grammars are slower, for the same
/// result on an article's code).
fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// The grammars bat carries beyond syntect's (TOML, TypeScript, Dockerfile,
/// PowerShell, INI, Nix, Zig, Kotlin, Swift, GraphQL, Protobuf, SCSS,
/// nginx…), through `two-face`: loaded the first time a block needs one.
fn extra_syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(two_face::syntax::extra_newlines)
}

fn themes() -> &'static ThemeSet {
    static SET: OnceLock<ThemeSet> = OnceLock::new();
    SET.get_or_init(ThemeSet::load_defaults)
}

/// Common names that the grammars do not know by token: short forms, and
/// rustdoc's attributes, which mark Rust code.
fn alias(lang: &str) -> &str {
    match lang {
        "rs" | "ignore" | "no_run" | "should_panic" | "compile_fail" | "test_harness"
        | "standalone_crate" => "rust",
        l if l.starts_with("edition20") => "rust",
        "py" => "python",
        "sh" | "shell" | "zsh" | "console" | "shell-session" | "shellsession" | "terminal" => {
            "bash"
        }
        "yml" => "yaml",
        "js" | "mjs" | "cjs" => "javascript",
        "ts" | "mts" => "typescript",
        "ps1" | "pwsh" => "powershell",
        "docker" => "dockerfile",
        "proto" | "protobuf" => "proto",
        "asm" | "nasm" | "x86asm" => "asm",
        // WebAssembly text is S-expressions.
        "wasm" | "wat" | "wast" => "lisp",
        "kt" | "kts" => "kotlin",
        "gql" => "graphql",
        other => other,
    }
}

/// Languages that mean "no highlighting": shown as written, without a warning.
pub fn is_plain(lang: &str) -> bool {
    matches!(
        lang.to_ascii_lowercase().as_str(),
        "text" | "plaintext" | "plain" | "txt" | "none" | "nohighlight" | "output"
    )
}

/// Highlights code in a language, or returns `None` when the language is unknown.
pub fn highlight(code: &str, lang: &str) -> Option<String> {
    let lower = lang.to_ascii_lowercase();
    let token = alias(&lower);
    let in_set = |set: &'static SyntaxSet| set.find_syntax_by_token(token).map(|s| (set, s));
    let (set, syntax) = in_set(syntaxes()).or_else(|| in_set(extra_syntaxes()))?;
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

/// The code stylesheet: the light theme's rules, then the dark theme's (when
/// given) under `prefers-color-scheme: dark`. `None` when a theme does not exist.
pub fn stylesheet(theme: &str, dark: Option<&str>) -> Option<String> {
    let mut css = theme_css(theme)?;
    if let Some(dark) = dark {
        css.push_str("\n@media (prefers-color-scheme: dark) {\n");
        css.push_str(&theme_css(dark)?);
        css.push_str("}\n");
    }
    Some(css)
}

/// One theme's rules. Token colours too close to the background (many themes
/// grey their comments) are moved away from it until they reach WCAG AA, 4.5:1.
fn theme_css(theme: &str) -> Option<String> {
    let mut theme = themes().themes.get(theme)?.clone();
    let background = theme.settings.background.unwrap_or(Color::WHITE);
    if let Some(fg) = theme.settings.foreground.as_mut() {
        *fg = with_contrast(*fg, background);
    }
    for item in &mut theme.scopes {
        if let Some(fg) = item.style.foreground.as_mut() {
            *fg = with_contrast(*fg, background);
        }
    }
    css_for_theme_with_class_style(&theme, STYLE).ok()
}

/// WCAG relative luminance.
fn luminance(c: Color) -> f64 {
    let channel = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v <= 0.03928 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b)
}

fn contrast(a: Color, b: Color) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// Mixes `fg` toward white (on a dark background) or black until it reads.
fn with_contrast(fg: Color, bg: Color) -> Color {
    let target = if luminance(bg) < 0.5 { 255.0 } else { 0.0 };
    let mut c = fg;
    for step in 1..=20 {
        if contrast(c, bg) >= 4.5 {
            break;
        }
        let t = f64::from(step) / 20.0;
        let mix = |v: u8| (f64::from(v) + (target - f64::from(v)) * t).round() as u8;
        c = Color {
            r: mix(fg.r),
            g: mix(fg.g),
            b: mix(fg.b),
            a: fg.a,
        };
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_known_languages_and_declines_unknown_ones() {
        let html = highlight("fn main() {}\n", "rs").unwrap();
        for alias in [
            "rs",
            "py",
            "sh",
            "bash",
            "shell",
            "console",
            "yml",
            "js",
            "ts",
            "toml",
            "json",
            "diff",
            "shell-session",
            "powershell",
            "ini",
            "dockerfile",
            "nix",
            "asm",
            "wasm",
            "tsx",
            "jsx",
            "kotlin",
            "swift",
            "zig",
            "graphql",
            "proto",
            "scss",
            "http",
            "nginx",
            "ignore",
            "no_run",
            "should_panic",
            "compile_fail",
            "edition2021",
            "typescript",
        ] {
            assert!(highlight("a = 1\n", alias).is_some(), "{alias} is known");
        }
        for plain in ["text", "plaintext", "txt", "plain", "none", "TEXT"] {
            assert!(is_plain(plain), "{plain} is plain");
        }
        assert!(html.contains("z-"), "{html}");
        assert!(highlight("x", "no-such-language").is_none());
        assert!(has_theme("base16-ocean.dark"));
        assert!(
            stylesheet("base16-ocean.dark", None)
                .unwrap()
                .contains(".z-")
        );
        let both = stylesheet("InspiredGitHub", Some("base16-ocean.dark")).unwrap();
        assert!(both.contains("@media (prefers-color-scheme: dark)"));
        assert!(stylesheet("InspiredGitHub", Some("nope")).is_none());
        let grey = Color {
            r: 0x65,
            g: 0x73,
            b: 0x7e,
            a: 0xff,
        };
        let bg = Color {
            r: 0x2b,
            g: 0x30,
            b: 0x3b,
            a: 0xff,
        };
        assert!(contrast(grey, bg) < 4.5 && contrast(with_contrast(grey, bg), bg) >= 4.5);
        assert!(
            !stylesheet("base16-ocean.dark", None)
                .unwrap()
                .contains("#65737e"),
            "the grey comments are lifted"
        );
    }
}
