//! Fenced code blocks: the info string (`rust,linenos,hl_lines=3-5 8`), the
//! highlighted HTML, and the per-line wrappers that line numbers and highlighted
//! lines need.
//!
//! Input: the code and its info string. Output: a `<pre>` element, escaped or
//! highlighted by `highlight` with classes, never inline colours. An unknown
//! language is shown as plain, escaped code, and reported to the caller.

use crate::escape::html as html_escape;
use crate::highlight;

/// What a fence's info string asks for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Info {
    /// The language token, as written (may be empty).
    pub lang: String,
    /// Show line numbers.
    pub linenos: bool,
    /// 1-based inclusive ranges of lines to highlight.
    pub hl_lines: Vec<(usize, usize)>,
}

/// Reads `lang,opt,opt` (Zola's form) or `lang opt opt`.
pub fn parse_info(info: &str) -> Info {
    let mut parts = info
        .split(',')
        .flat_map(|p| p.split_whitespace().map(str::to_string).collect::<Vec<_>>());
    let mut out = Info {
        lang: String::new(),
        ..Info::default()
    };
    let mut rest: Vec<String> = Vec::new();
    if let Some(first) = parts.next() {
        if first.contains('=') || first == "linenos" {
            rest.push(first);
        } else {
            out.lang = first;
        }
    }
    rest.extend(parts);
    let mut in_hl = false;
    for part in rest {
        if part == "linenos" {
            out.linenos = true;
            in_hl = false;
            continue;
        }
        let value = match part.strip_prefix("hl_lines=") {
            Some(v) => {
                in_hl = true;
                v.to_string()
            }
            None if in_hl => part,
            None => continue,
        };
        for range in value.split_whitespace() {
            let (a, b) = range.split_once('-').unwrap_or((range, range));
            if let (Ok(a), Ok(b)) = (a.trim().parse::<usize>(), b.trim().parse::<usize>())
                && a >= 1
                && b >= a
            {
                out.hl_lines.push((a, b));
            }
        }
    }
    out
}

/// The `<pre>` of a code block, and whether its language was known (or absent).
pub fn render(code: &str, info: &Info) -> (String, bool) {
    let plain = info.lang.is_empty() || highlight::is_plain(&info.lang);
    let highlighted = (!plain)
        .then(|| highlight::highlight(code, &info.lang))
        .flatten();
    let known = plain || highlighted.is_some();
    let inner = highlighted.unwrap_or_else(|| html_escape(code));
    let inner = if info.linenos || !info.hl_lines.is_empty() {
        wrap_lines(&inner, info)
    } else {
        inner
    };
    let lang_attr = if info.lang.is_empty() {
        String::new()
    } else {
        format!(" data-lang=\"{}\"", html_escape(&info.lang))
    };
    let numbered = if info.linenos { " linenos" } else { "" };
    (
        format!(
            "<pre class=\"code z-code{numbered}\" tabindex=\"0\"{lang_attr}><code>{inner}</code></pre>\n"
        ),
        known,
    )
}

/// Puts each line in its own `<span class="line">`, closing the highlighting
/// spans still open at the end of a line and opening them again on the next, so
/// every line is well-formed HTML by itself.
fn wrap_lines(html: &str, info: &Info) -> String {
    let mut out = String::with_capacity(html.len() * 2);
    let mut open: Vec<&str> = Vec::new();
    let body = html.strip_suffix('\n').unwrap_or(html);
    let mut lines: Vec<String> = body.split('\n').map(str::to_string).collect();
    // Highlighting may close its outer spans after the last newline: those tags
    // belong to the last line, not to a line of their own.
    if lines.len() > 1 && lines.last().is_some_and(|l| is_only_tags(l)) {
        let tail = lines.pop().unwrap_or_default();
        if let Some(last) = lines.last_mut() {
            last.push_str(&tail);
        }
    }
    for (n, line) in lines.iter().enumerate() {
        let number = n + 1;
        let marked = info
            .hl_lines
            .iter()
            .any(|&(a, b)| (a..=b).contains(&number));
        out.push_str(if marked {
            "<span class=\"line hl\">"
        } else {
            "<span class=\"line\">"
        });
        if info.linenos {
            out.push_str(&format!(
                "<span class=\"lineno\" aria-hidden=\"true\">{number}</span>"
            ));
        }
        for tag in &open {
            out.push_str(tag);
        }
        let mut rest = line.as_str();
        while let Some(i) = rest.find('<') {
            out.push_str(&rest[..i]);
            let end = rest[i..].find('>').map_or(rest.len(), |e| i + e + 1);
            let tag = &rest[i..end];
            if tag.starts_with("</") {
                open.pop();
            } else {
                open.push(tag);
            }
            out.push_str(tag);
            rest = &rest[end..];
        }
        out.push_str(rest);
        for _ in &open {
            out.push_str("</span>");
        }
        out.push_str("</span>\n");
    }
    out
}

/// Whether a piece of HTML holds tags and nothing to show.
fn is_only_tags(html: &str) -> bool {
    let mut inside = false;
    html.chars().all(|c| match c {
        '<' => {
            inside = true;
            true
        }
        '>' => {
            inside = false;
            true
        }
        _ => inside,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_info_strings() {
        assert_eq!(
            parse_info("rust"),
            Info {
                lang: "rust".into(),
                ..Info::default()
            }
        );
        let i = parse_info("rust,linenos,hl_lines=3-5 8");
        assert_eq!(
            (i.lang.as_str(), i.linenos, i.hl_lines.clone()),
            ("rust", true, vec![(3, 5), (8, 8)])
        );
        let i = parse_info("py linenos hl_lines=2");
        assert_eq!(
            (i.lang.as_str(), i.linenos, i.hl_lines.clone()),
            ("py", true, vec![(2, 2)])
        );
        assert_eq!(parse_info("").lang, "");
        assert!(parse_info("rust,hl_lines=5-2,bogus").hl_lines.is_empty());
    }

    #[test]
    fn wraps_lines_with_balanced_spans() {
        let info = Info {
            lang: "x".into(),
            linenos: true,
            hl_lines: vec![(2, 2)],
        };
        let html = wrap_lines("<span class=\"a\">one\ntwo</span>\nthree\n", &info);
        let trailing = wrap_lines(
            "<span class=\"s\">x\n</span>",
            &Info {
                linenos: true,
                ..Info::default()
            },
        );
        assert_eq!(trailing.matches("class=\"line\"").count(), 1, "{trailing}");
        assert_eq!(
            html,
            "<span class=\"line\"><span class=\"lineno\" aria-hidden=\"true\">1</span><span class=\"a\">one</span></span>\n\
             <span class=\"line hl\"><span class=\"lineno\" aria-hidden=\"true\">2</span><span class=\"a\">two</span></span>\n\
             <span class=\"line\"><span class=\"lineno\" aria-hidden=\"true\">3</span>three</span>\n"
        );
    }

    #[test]
    fn unknown_languages_are_escaped_and_reported() {
        let (html, known) = render("<b>\n", &parse_info("klingon"));
        assert!(!known && html.contains("&lt;b&gt;") && html.contains("data-lang=\"klingon\""));
        let (html, known) = render("fn main() {}\n", &parse_info("rs,linenos"));
        assert!(known && html.contains("z-") && html.contains("class=\"lineno\""));
    }
}
