//! Code highlighting with syntect, class-based.
//!
//! The syntax and theme sets load once, on the first code block or stylesheet
//! asked for, and are immutable after. Pages carry `z-` prefixed classes; the
//! colours live in one stylesheet made from the site's syntect theme.
//!
//! Highlighting is most of a build's work on code, and code repeats itself
//! line by line (blank lines, braces, imports, the same call in another
//! article). What syntect makes of a line depends only on the grammar, the
//! parser's state and the open scopes before it, and the line: each thread
//! remembers that for the lines it has seen (`Lines`), and a line met again in
//! the same states is not parsed again. The output is the same, by
//! construction: a remembered line is used only when both states are equal.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::OnceLock;

use syntect::highlighting::{Color, ThemeSet};
use syntect::html::{ClassStyle, css_for_theme_with_class_style, line_tokens_to_classed_spans};
use syntect::parsing::{ParseState, ScopeStack, SyntaxReference, SyntaxSet};
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
    let mut parse = ParseState::new(syntax);
    let mut scopes = ScopeStack::new();
    let mut html = String::with_capacity(code.len() * 3);
    let mut open_spans = 0isize;
    LINES.with_borrow_mut(|lines| {
        for line in LinesWithEndings::from(code) {
            open_spans += lines.line(set, syntax, &mut parse, &mut scopes, line, &mut html)?;
        }
        Some(())
    })?;
    for _ in 0..open_spans {
        html.push_str("</span>");
    }
    Some(html)
}

/// What one line made of the states before it.
struct Line {
    parse: ParseState,
    scopes: ScopeStack,
    html: String,
    open_spans: isize,
    parse_after: ParseState,
    scopes_after: ScopeStack,
}

/// The lines a thread has highlighted, by grammar and text.
#[derive(Default)]
struct Lines {
    seen: HashMap<usize, HashMap<String, Vec<Line>>>,
    count: usize,
}

/// Lines a thread remembers before it starts afresh (a few megabytes).
const LINES_KEPT: usize = 50_000;

thread_local! {
    static LINES: RefCell<Lines> = RefCell::new(Lines::default());
}

impl Lines {
    /// Highlights `text` from the states given, appends its HTML, moves the
    /// states past it, and returns the change in open spans.
    fn line(
        &mut self,
        set: &SyntaxSet,
        syntax: &SyntaxReference,
        parse: &mut ParseState,
        scopes: &mut ScopeStack,
        text: &str,
        html: &mut String,
    ) -> Option<isize> {
        let grammar = std::ptr::from_ref(syntax) as usize;
        if let Some(known) = self
            .seen
            .get(&grammar)
            .and_then(|by_text| by_text.get(text))
            .and_then(|all| {
                all.iter()
                    .find(|l| l.parse == *parse && l.scopes == *scopes)
            })
        {
            html.push_str(&known.html);
            parse.clone_from(&known.parse_after);
            scopes.clone_from(&known.scopes_after);
            return Some(known.open_spans);
        }
        let before = (parse.clone(), scopes.clone());
        let ops = parse.parse_line(text, set).ok()?;
        let (line_html, open_spans) =
            line_tokens_to_classed_spans(text, &ops, STYLE, scopes).ok()?;
        html.push_str(&line_html);
        if self.count >= LINES_KEPT {
            self.seen.clear();
            self.count = 0;
        }
        self.count += 1;
        self.seen
            .entry(grammar)
            .or_default()
            .entry(text.to_string())
            .or_default()
            .push(Line {
                parse: before.0,
                scopes: before.1,
                html: line_html,
                open_spans,
                parse_after: parse.clone(),
                scopes_after: scopes.clone(),
            });
        Some(open_spans)
    }
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

    /// syntect's own generator, line by line with nothing remembered.
    fn reference(code: &str, lang: &str) -> String {
        let set = syntaxes();
        let syntax = set.find_syntax_by_token(lang).expect("grammar");
        let mut g = syntect::html::ClassedHTMLGenerator::new_with_class_style(syntax, set, STYLE);
        for line in LinesWithEndings::from(code) {
            g.parse_html_for_line_which_includes_newline(line)
                .expect("line");
        }
        g.finalize()
    }

    #[test]
    fn remembered_lines_give_what_syntect_gives() {
        // The same lines in other states: inside a string, a comment, a
        // nested block; each snippet checked after the others have been seen.
        let snippets = [
            ("python", "x = 1\n\nprint(x)\n"),
            ("python", "\"\"\"\nx = 1\n\nprint(x)\n\"\"\"\nx = 1\n"),
            ("python", "def f():\n    x = 1\n    return x\n\nx = 1\n"),
            ("rust", "fn main() {\n    let x = 1;\n}\n"),
            (
                "rust",
                "/*\nfn main() {\n    let x = 1;\n}\n*/\nlet x = 1;\n",
            ),
            ("rust", "let s = r#\"\n}\n\"#;\n}\n"),
            ("yaml", "a: 1\nb: |\n  a: 1\n  b: 2\nc: 3\n"),
            (
                "bash",
                "echo \"$x\"\ncat <<EOF\necho \"$x\"\nEOF\necho \"$x\"\n",
            ),
        ];
        for _ in 0..2 {
            for (lang, code) in snippets {
                assert_eq!(
                    highlight(code, lang).as_deref(),
                    Some(reference(code, lang).as_str()),
                    "{lang}: {code}"
                );
            }
        }
        // And from another thread, whose memory starts empty.
        std::thread::spawn(move || {
            for (lang, code) in snippets.iter().rev() {
                assert_eq!(highlight(code, lang), Some(reference(code, lang)));
            }
        })
        .join()
        .expect("thread");
    }

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
