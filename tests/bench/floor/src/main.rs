//! The floor of a build: what any generator must do to publish an archive's
//! articles, and nothing else. Every `.md` file under `SITE/content/` is
//! read, its front matter skipped, its Markdown rendered to HTML with
//! pulldown-cmark (the options dealwire uses) and its fenced code
//! highlighted with syntect (class-based spans, the grammars dealwire
//! loads first), in parallel with rayon; each body is written to
//! `OUT/N.html`. No templates, lists, feeds, deals or search.
//!
//!     floor SITE OUT
//!
//! Prints the articles and the wall time. `tests/bench/floor/run` compares
//! it with `dealwire build`, alternated, on the same corpus.

use std::path::{Path, PathBuf};
use std::time::Instant;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd, html};
use rayon::prelude::*;
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, site, out] = args.as_slice() else {
        eprintln!("usage: floor SITE OUT");
        std::process::exit(2);
    };
    let start = Instant::now();
    let out = PathBuf::from(out);
    std::fs::create_dir_all(&out).expect("the output folder");
    let files: Vec<PathBuf> = walkdir::WalkDir::new(Path::new(site).join("content"))
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| e.into_path())
        .collect();
    let syntaxes = SyntaxSet::load_defaults_newlines();
    let bytes: usize = files
        .par_iter()
        .enumerate()
        .map(|(n, path)| {
            let text = std::fs::read_to_string(path).expect("an article");
            let body = body_of(&text);
            let html = render(body, &syntaxes);
            std::fs::write(out.join(format!("{n}.html")), &html).expect("a page");
            html.len()
        })
        .sum();
    println!(
        "floor: {} articles, {} bytes of HTML, in {} ms",
        files.len(),
        bytes,
        start.elapsed().as_millis()
    );
}

/// The text after the front matter (`---` … `---`).
fn body_of(text: &str) -> &str {
    let Some(rest) = text.strip_prefix("---\n") else {
        return text;
    };
    match rest.find("\n---\n") {
        Some(end) => &rest[end + 5..],
        None => rest,
    }
}

/// Markdown to HTML, fenced code highlighted.
fn render(body: &str, syntaxes: &SyntaxSet) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION;
    let mut events = Vec::new();
    let mut code: Option<(String, String)> = None;
    for event in Parser::new_ext(body, options) {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(l) => {
                        l.split_whitespace().next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
            }
            Event::Text(t) if code.is_some() => {
                if let Some((_, text)) = code.as_mut() {
                    text.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                let (lang, text) = code.take().unwrap_or_default();
                events.push(Event::Html(highlight(&lang, &text, syntaxes).into()));
            }
            other => events.push(other),
        }
    }
    let mut out = String::with_capacity(body.len() * 3 / 2);
    html::push_html(&mut out, events.into_iter());
    out
}

/// A code block as class-based spans in `<pre><code>`.
fn highlight(lang: &str, code: &str, syntaxes: &SyntaxSet) -> String {
    let syntax = syntaxes
        .find_syntax_by_token(lang)
        .unwrap_or_else(|| syntaxes.find_syntax_plain_text());
    let mut generator = ClassedHTMLGenerator::new_with_class_style(
        syntax,
        syntaxes,
        ClassStyle::SpacedPrefixed { prefix: "z-" },
    );
    for line in LinesWithEndings::from(code) {
        // A line the grammar cannot parse is left plain, as it would be shown.
        let _ = generator.parse_html_for_line_which_includes_newline(line);
    }
    format!("<pre><code>{}</code></pre>", generator.finalize())
}
