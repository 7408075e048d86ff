//! An imported post's body: the old generator's template constructs turned
//! into Markdown and dealwire embeds where their meaning is clear, and the
//! rest kept, unpublished, in an HTML comment the importer and `check`
//! report.
//!
//! Hugo: the built-in shortcodes `figure`, `youtube`, `vimeo`, `x` /
//! `tweet` / `twitter`, `gist`, `instagram`, `highlight`, `ref` / `relref`,
//! `param`, `comment`, and the escape form `{{</* name */>}}`. Jekyll's
//! Liquid: `highlight`, `raw`, `post_url`, `link`, `comment`,
//! `{{ site.KEY }}`, `{{ page.KEY }}` and `{{ "PATH" | relative_url }}`.
//! Zola's former built-in shortcodes `youtube`, `vimeo`, `gist`, `streamable`,
//! and its escape form `{{/* name() */}}`; any other (`{{ name(…) }}`, a
//! body one `{% name(…) %}…{% end %}` whole) is kept.
//!
//! Both generators expand their constructs everywhere, code blocks included
//! (hence Hugo's escape form and Liquid's `raw`), and so does this: a
//! construct converted in a code block is what the old site showed there. A
//! construct left in prose goes into a comment
//! (`<!-- dealwire import kept: … -->`, never shown to readers); one left in
//! code stays as it is (it is shown as code) and is reported too.

use std::ops::Range;

use serde_json::{Map, Value};

use super::Generator;

/// The marker that opens a comment holding a construct the importer kept.
pub const KEPT: &str = "<!-- dealwire import kept: ";

/// What a body's conversion needs to know of the site.
pub struct Context<'a> {
    /// The generator the body was written for.
    pub generator: Generator,
    /// The old site's configuration (`{{ site.KEY }}`, Hugo's `param`).
    pub site: &'a Map<String, Value>,
    /// The post's front matter as written (`{{ page.KEY }}`).
    pub page: &'a Map<String, Value>,
    /// The dealwire link (`@/articles/…md`) of a post the body names: a
    /// Hugo `ref` path, a Jekyll `post_url` name or `link` path.
    pub link: &'a dyn Fn(&str) -> Option<String>,
}

/// A body converted.
#[derive(Debug, Default, PartialEq)]
pub struct Converted {
    /// The new body.
    pub text: String,
    /// How many constructs were converted.
    pub converted: usize,
    /// Each construct kept: its line in the body (from 1) and its text.
    pub kept: Vec<(usize, String)>,
}

/// Converts the template constructs of `body`.
pub fn convert(body: &str, ctx: &Context) -> Converted {
    let code = code_ranges(body);
    let mut out = Out {
        body,
        code: &code,
        result: Converted::default(),
        unclosed: Default::default(),
        counted: (0, 1),
    };
    let mut at = 0;
    let mut copied = 0;
    while at < body.len() {
        let Some(found) = next_construct(body, at, ctx.generator) else {
            break;
        };
        let Some(c) = parse_construct(body, found, ctx.generator) else {
            at = found + 2;
            continue;
        };
        out.result.text.push_str(&body[copied..found]);
        let end = out.apply(c, ctx);
        copied = end;
        at = end;
    }
    out.result.text.push_str(&body[copied..]);
    out.result
}

/// Where the next construct may begin.
/// One search for the opening brace, then a look at what follows it: a
/// body is read once however many constructs it holds.
fn next_construct(body: &str, from: usize, generator: Generator) -> Option<usize> {
    let bytes = body.as_bytes();
    let mut at = from;
    loop {
        let found = at + memchr::memchr(b'{', &bytes[at..])?;
        let next = bytes.get(found + 1).copied();
        let third = bytes.get(found + 2).copied();
        let opens = match generator {
            Generator::Hugo => next == Some(b'{') && matches!(third, Some(b'<' | b'%')),
            Generator::Jekyll => matches!(next, Some(b'%' | b'{')),
            Generator::Zola => matches!(next, Some(b'%' | b'{')),
        };
        if opens {
            return Some(found);
        }
        at = found + 1;
    }
}

/// One construct found in a body.
#[derive(Debug)]
enum Construct<'a> {
    /// A Hugo shortcode: `{{< name args >}}` (`closing` for `{{< /name >}}`).
    Shortcode {
        span: Range<usize>,
        name: &'a str,
        args: Vec<(Option<String>, String)>,
        closing: bool,
        /// `{{</* … */>}}`: shown as the shortcode's text.
        escaped: bool,
    },
    /// A Liquid tag `{% name args %}`.
    Tag {
        span: Range<usize>,
        name: &'a str,
        args: &'a str,
    },
    /// A Liquid output `{{ expression }}`.
    Output { span: Range<usize>, expr: &'a str },
}

impl Construct<'_> {
    fn span(&self) -> Range<usize> {
        match self {
            Construct::Shortcode { span, .. }
            | Construct::Tag { span, .. }
            | Construct::Output { span, .. } => span.clone(),
        }
    }
}

fn parse_construct(body: &str, at: usize, generator: Generator) -> Option<Construct<'_>> {
    match generator {
        Generator::Hugo => parse_shortcode(body, at),
        Generator::Jekyll => parse_liquid(body, at),
        Generator::Zola => parse_zola(body, at),
    }
}

/// A Zola shortcode: `{{ name(key=value, …) }}`, a body one `{% name(…) %}
/// … {% end %}` (whole), or the escape `{{/* name(…) */}}`.
fn parse_zola(body: &str, at: usize) -> Option<Construct<'_>> {
    let block = body[at..].starts_with("{%");
    let close = if block { "%}" } else { "}}" };
    let inner_start = at + 2;
    if !block && body[inner_start..].starts_with("/*") {
        let end = body[inner_start..].find(&format!("*/{close}"))? + inner_start;
        let name = body[inner_start + 2..end].trim();
        return Some(Construct::Shortcode {
            span: at..end + 2 + close.len(),
            name,
            args: Vec::new(),
            closing: false,
            escaped: true,
        });
    }
    let rest = body[inner_start..].trim_start_matches([' ', '\t']);
    let name_start = body.len() - rest.len();
    let name_len = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))?;
    if name_len == 0 || !rest[name_len..].starts_with('(') {
        return None;
    }
    let name = &body[name_start..name_start + name_len];
    let args_start = name_start + name_len + 1;
    let args_len = find_close(&body[args_start..], ")")?;
    let args = zola_args(&body[args_start..args_start + args_len]);
    let after = &body[args_start + args_len + 1..];
    let trimmed = after.trim_start_matches([' ', '\t']);
    let tail = trimmed.strip_prefix(close)?;
    let mut end = body.len() - tail.len();
    if block {
        // The body shortcode's whole text, to its `{% end %}`.
        let mut from = end;
        loop {
            let found = body[from..].find("{%")? + from;
            let close = body[found..].find("%}")? + found;
            if body[found + 2..close].trim() == "end" {
                end = close + 2;
                break;
            }
            from = close + 2;
        }
    }
    Some(Construct::Shortcode {
        span: at..end,
        name,
        args,
        closing: false,
        escaped: false,
    })
}

/// A Zola shortcode's arguments: `key=value`, separated by commas, each
/// value a quoted string (`"`, `'` or `` ` ``), a number, a boolean or
/// anything else as written.
fn zola_args(text: &str) -> Vec<(Option<String>, String)> {
    let mut args = Vec::new();
    let mut quote: Option<char> = None;
    let mut part = String::new();
    let mut parts = Vec::new();
    for c in text.chars() {
        match quote {
            Some(q) if c == q => {
                quote = None;
                part.push(c);
            }
            Some(_) => part.push(c),
            None if matches!(c, '"' | '\'' | '`') => {
                quote = Some(c);
                part.push(c);
            }
            None if c == ',' => parts.push(std::mem::take(&mut part)),
            None => part.push(c),
        }
    }
    parts.push(part);
    for part in parts {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let (key, value) = match part.split_once('=') {
            Some((k, v)) => (Some(k.trim().to_string()), v.trim()),
            None => (None, part),
        };
        let value = ['"', '\'', '`']
            .iter()
            .find_map(|q| value.strip_prefix(*q).and_then(|v| v.strip_suffix(*q)))
            .unwrap_or(value);
        args.push((key, value.to_string()));
    }
    args
}

/// `{{< name a "b c" key="v" >}}`, `{{% … %}}`, `{{< /name >}}`,
/// `{{</* … */>}}`.
fn parse_shortcode(body: &str, at: usize) -> Option<Construct<'_>> {
    let delim = body[at + 2..].chars().next()?;
    let close = if delim == '<' { ">}}" } else { "%}}" };
    let inner_start = at + 3;
    let escaped = body[inner_start..].starts_with("/*");
    let end_rel = if escaped {
        body[inner_start..].find(&format!("*/{close}"))? + 2
    } else {
        find_close(&body[inner_start..], close)?
    };
    let inner = &body[inner_start..inner_start + end_rel];
    let span = at..inner_start + end_rel + close.len();
    if escaped {
        let name = inner.trim_start_matches("/*").trim_end_matches("*/");
        return Some(Construct::Shortcode {
            span,
            name,
            args: Vec::new(),
            closing: false,
            escaped: true,
        });
    }
    let inner = inner.trim().trim_end_matches('/').trim_end();
    let (closing, inner) = match inner.strip_prefix('/') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, inner),
    };
    let name_len = inner
        .find(|c: char| c.is_whitespace())
        .unwrap_or(inner.len());
    let name = &inner[..name_len];
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '/' | '.'))
    {
        return None;
    }
    Some(Construct::Shortcode {
        span,
        name,
        args: shortcode_args(&inner[name_len..]),
        closing,
        escaped: false,
    })
}

/// Where `close` ends the shortcode, outside quoted values.
fn find_close(text: &str, close: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' && q == '"' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None => {
                if text[i..].starts_with(close) {
                    return Some(i);
                }
                if c == '"' || c == '`' {
                    quote = Some(c);
                } else if c == '\n' && text[i + 1..].starts_with('\n') {
                    // A blank line: not a shortcode.
                    return None;
                }
            }
        }
    }
    None
}

/// A shortcode's arguments: `key=value` or positional, each value bare,
/// `"quoted"` (with `\"`) or `` `raw` ``.
fn shortcode_args(text: &str) -> Vec<(Option<String>, String)> {
    let mut args = Vec::new();
    let mut chars = text.trim().chars().peekable();
    while chars.peek().is_some() {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut word = String::new();
        let mut key = None;
        loop {
            match chars.peek().copied() {
                None => break,
                Some(c) if c.is_whitespace() => break,
                Some('=') if key.is_none() => {
                    chars.next();
                    key = Some(std::mem::take(&mut word));
                }
                Some(q @ ('"' | '`')) => {
                    chars.next();
                    while let Some(c) = chars.next() {
                        if c == q {
                            break;
                        }
                        if c == '\\' && q == '"' {
                            if let Some(next) = chars.next() {
                                word.push(next);
                            }
                            continue;
                        }
                        word.push(c);
                    }
                }
                Some(c) => {
                    chars.next();
                    word.push(c);
                }
            }
        }
        if key.is_some() || !word.is_empty() {
            args.push((key, word));
        }
    }
    args
}

/// `{% name args %}` or `{{ expression }}` (with `-` trimming markers).
fn parse_liquid(body: &str, at: usize) -> Option<Construct<'_>> {
    let tag = body[at..].starts_with("{%");
    let close = if tag { "%}" } else { "}}" };
    let end = body[at + 2..].find(close)? + at + 2;
    if body[at + 2..end].contains("\n\n") {
        return None;
    }
    let inner = body[at + 2..end]
        .trim_start_matches('-')
        .trim_end_matches('-')
        .trim();
    let span = at..end + 2;
    if tag {
        let name_len = inner
            .find(|c: char| c.is_whitespace())
            .unwrap_or(inner.len());
        let name = &inner[..name_len];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return None;
        }
        Some(Construct::Tag {
            span,
            name,
            args: inner[name_len..].trim(),
        })
    } else {
        (!inner.is_empty()).then_some(Construct::Output { span, expr: inner })
    }
}

/// Why a page is a list the old site's templates made (a Liquid loop over
/// its posts, tags, categories or pages, or its pagination), which dealwire
/// makes its own way; `None` for a page of content. Code (blocks, spans,
/// and Liquid's `raw` and `highlight` blocks), where a page shows such a
/// loop as an example, does not count.
pub fn made_by_templates(body: &str) -> Option<String> {
    const LISTS: [&str; 5] = [
        "site.posts",
        "site.categories",
        "site.tags",
        "site.pages",
        "paginator.",
    ];
    let code = code_ranges(body);
    let mut at = 0;
    while let Some(found) = next_construct(body, at, Generator::Jekyll) {
        let Some(c) = parse_liquid(body, found) else {
            at = found + 2;
            continue;
        };
        at = c.span().end;
        if inside(&code, found) {
            continue;
        }
        let source = match c {
            Construct::Tag {
                name: name @ ("raw" | "highlight"),
                ..
            } => {
                // Its text is shown as it is: on past its end tag.
                let end = format!("end{name}");
                at = body[at..]
                    .find(&end)
                    .map_or(body.len(), |e| at + e + end.len());
                continue;
            }
            Construct::Tag {
                name: "for", args, ..
            } => {
                let words: Vec<&str> = args.split_whitespace().collect();
                (words.get(1) == Some(&"in"))
                    .then(|| words.get(2).copied())
                    .flatten()
            }
            Construct::Output { expr, .. } => Some(expr),
            _ => None,
        };
        if let Some(list) = source.and_then(|s| LISTS.iter().find(|l| s.starts_with(*l))) {
            return Some(format!(
                "a list the old site's templates made (`{list}`): dealwire makes its own lists"
            ));
        }
    }
    None
}

/// The byte ranges of code (spans and blocks) in Markdown.
fn code_ranges(body: &str) -> Vec<Range<usize>> {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let mut ranges = Vec::new();
    let mut block: Option<usize> = None;
    for (event, range) in Parser::new(body).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(_)) => block = Some(range.start),
            Event::End(TagEnd::CodeBlock) => {
                if let Some(start) = block.take() {
                    ranges.push(start..range.end);
                }
            }
            Event::Code(_) => ranges.push(range),
            _ => {}
        }
    }
    ranges
}

/// Whether `at` is in one of `ranges` (sorted, not overlapping, as
/// `code_ranges` gives them): a binary search, so a body of many code
/// spans costs no more per construct.
fn inside(ranges: &[Range<usize>], at: usize) -> bool {
    let after = ranges.partition_point(|r| r.start <= at);
    after > 0 && ranges[after - 1].contains(&at)
}

struct Out<'a> {
    body: &'a str,
    code: &'a [Range<usize>],
    result: Converted,
    /// For each paired construct's name, where a search for its closing
    /// found none: a later search from there on finds none either, so a
    /// body of many unclosed constructs is read once, not once each.
    unclosed: std::collections::HashMap<String, usize>,
    /// The last position whose line was counted, and its line.
    counted: (usize, usize),
}

impl<'a> Out<'a> {
    fn in_code(&self, at: usize) -> bool {
        inside(self.code, at)
    }

    /// The line of `at`, counted on from the last line asked for (the
    /// constructs come in order), so the body is counted once.
    fn line(&mut self, at: usize) -> usize {
        let (from, line) = match self.counted {
            (pos, line) if pos <= at => (pos, line),
            _ => (0, 1),
        };
        let line = line + memchr::memchr_iter(b'\n', &self.body.as_bytes()[from..at]).count();
        self.counted = (at, line);
        line
    }

    /// Applies one construct; returns where the text after it starts.
    fn apply(&mut self, c: Construct, ctx: &Context) -> usize {
        let span = c.span();
        match c {
            Construct::Shortcode {
                name,
                args,
                closing,
                escaped,
                ..
            } => {
                if escaped {
                    let text = match ctx.generator {
                        Generator::Zola => format!("{{{{ {name} }}}}"),
                        _ => format!("{{{{<{name}>}}}}"),
                    };
                    self.converted(&text);
                    return span.end;
                }
                if closing {
                    self.keep(span.clone());
                    return span.end;
                }
                self.shortcode(span, name, &args, ctx)
            }
            Construct::Tag { name, args, .. } => self.tag(span, name, args, ctx),
            Construct::Output { expr, .. } => {
                match output_value(expr, ctx) {
                    Some(value) => self.converted(&value),
                    None => self.keep(span.clone()),
                }
                span.end
            }
        }
    }

    fn converted(&mut self, text: &str) {
        self.result.text.push_str(text);
        self.result.converted += 1;
    }

    /// Writes `text` as a block of its own: a blank line before and after.
    fn block(&mut self, text: &str, next: usize) -> usize {
        let out = &mut self.result.text;
        let trimmed = out.trim_end_matches([' ', '\t']).len();
        out.truncate(trimmed);
        if !out.is_empty() && !out.ends_with("\n\n") {
            out.push_str(if out.ends_with('\n') { "\n" } else { "\n\n" });
        }
        self.converted(text);
        let rest = &self.body[next..];
        let rest_trimmed = rest.trim_start_matches([' ', '\t']);
        let newlines = rest_trimmed.len() - rest_trimmed.trim_start_matches('\n').len();
        if rest_trimmed.trim_start_matches('\n').is_empty() {
            // The body's end: one line end.
            if rest_trimmed.is_empty() {
                self.result.text.push('\n');
            }
        } else if newlines < 2 {
            self.result
                .text
                .push_str(if newlines == 1 { "\n" } else { "\n\n" });
        }
        next + (rest.len() - rest_trimmed.len())
    }

    /// Keeps the text at `span` as it was: in a comment in prose, as it is
    /// in code; reported either way.
    fn keep(&mut self, span: Range<usize>) {
        let text = &self.body[span.clone()];
        let line = self.line(span.start);
        self.result.kept.push((line, first_line(text)));
        if self.in_code(span.start) {
            self.result.text.push_str(text);
        } else {
            self.result.text.push_str(KEPT);
            // `--` would end the comment early.
            self.result.text.push_str(&text.replace("--", "- -"));
            self.result.text.push_str(" -->");
        }
    }

    fn shortcode(
        &mut self,
        span: Range<usize>,
        name: &str,
        args: &[(Option<String>, String)],
        ctx: &Context,
    ) -> usize {
        let get = |key: &str, position: Option<usize>| -> Option<String> {
            args.iter()
                .find(|(k, _)| k.as_deref() == Some(key))
                .or_else(|| position.and_then(|p| args.iter().filter(|(k, _)| k.is_none()).nth(p)))
                .map(|(_, v)| v.clone())
        };
        match name {
            "figure" => {
                let Some(src) = get("src", None) else {
                    self.keep(span.clone());
                    return span.end;
                };
                let mut call = format!("{{{{ figure(src={}", quote(&src));
                let alt = get("alt", None).or_else(|| get("caption", None).map(|c| plain(&c)));
                for (key, value) in [
                    ("alt", alt),
                    (
                        "caption",
                        get("caption", None).or_else(|| get("title", None)),
                    ),
                    ("credit", get("attr", None)),
                ] {
                    if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
                        call.push_str(&format!(", {key}={}", quote(&plain(&v))));
                    }
                }
                call.push_str(") }}");
                self.block(&call, span.end)
            }
            "youtube" | "vimeo" => {
                let Some(id) = get("id", Some(0)) else {
                    self.keep(span.clone());
                    return span.end;
                };
                let mut call = format!("{{{{ {name}(id={}", quote(&id));
                if let Some(title) = get("title", None) {
                    call.push_str(&format!(", title={}", quote(&title)));
                }
                call.push_str(") }}");
                self.block(&call, span.end)
            }
            "x" | "tweet" | "twitter" => match (get("user", Some(0)), get("id", Some(1))) {
                (Some(user), Some(id)) => {
                    self.converted(&format!(
                        "[A post by @{user} on X](https://x.com/{user}/status/{id})"
                    ));
                    span.end
                }
                _ => {
                    self.keep(span.clone());
                    span.end
                }
            },
            // Zola's: `gist(url=…, file=…)`, `streamable(id=…)`.
            "gist" if get("url", None).is_some() => {
                let url = get("url", None).unwrap_or_default();
                match url::Url::parse(&url) {
                    Ok(u) if matches!(u.scheme(), "http" | "https") => {
                        self.converted(&format!("[A gist on GitHub]({url})"))
                    }
                    _ => self.keep(span.clone()),
                }
                span.end
            }
            "streamable" if ctx.generator == Generator::Zola => {
                match get("id", Some(0)).filter(|id| id.chars().all(|c| c.is_ascii_alphanumeric()))
                {
                    Some(id) => self.converted(&format!(
                        "[A video on Streamable](https://streamable.com/{id})"
                    )),
                    None => self.keep(span.clone()),
                }
                span.end
            }
            "gist" => match (get("user", Some(0)), get("id", Some(1))) {
                (Some(user), Some(id)) => {
                    let file = get("file", Some(2))
                        .map(|f| format!("#file-{}", f.replace('.', "-")))
                        .unwrap_or_default();
                    self.converted(&format!(
                        "[Gist {user}/{id}](https://gist.github.com/{user}/{id}{file})"
                    ));
                    span.end
                }
                _ => {
                    self.keep(span.clone());
                    span.end
                }
            },
            "instagram" => match get("id", Some(0)) {
                Some(id) => {
                    self.converted(&format!(
                        "[A post on Instagram](https://www.instagram.com/p/{id}/)"
                    ));
                    span.end
                }
                None => {
                    self.keep(span.clone());
                    span.end
                }
            },
            "ref" | "relref" => {
                match get("path", Some(0)).and_then(|p| (ctx.link)(&p)) {
                    Some(link) => self.converted(&link),
                    None => self.keep(span.clone()),
                }
                span.end
            }
            "param" => {
                let value = get("name", Some(0)).and_then(|key| {
                    ctx.page
                        .get(&key)
                        .or_else(|| lookup(ctx.site, &format!("params.{}", key.to_lowercase())))
                        .and_then(scalar)
                });
                match value {
                    Some(v) => self.converted(&v),
                    None => self.keep(span.clone()),
                }
                span.end
            }
            "highlight" | "comment" => {
                let Some((inner, end)) = self.paired(span.end, name) else {
                    self.keep(span.clone());
                    return span.end;
                };
                if name == "comment" {
                    self.converted(&format!("<!-- {} -->", inner.replace("--", "- -")));
                    return end;
                }
                let lang = get("lang", Some(0)).unwrap_or_default().to_lowercase();
                let code = inner.trim_matches(['\n', '\r']);
                self.block(&format!("```{lang}\n{code}\n```"), end)
            }
            _ => {
                self.keep(span.clone());
                span.end
            }
        }
    }

    /// The text between a paired construct's opening (ending at `from`) and
    /// its closing `{{< /name >}}` / `{% endname %}`, and where the closing
    /// ends (`find_closing`, remembered when there is none).
    fn paired(&mut self, from: usize, name: &str) -> Option<(&'a str, usize)> {
        if self
            .unclosed
            .get(name)
            .is_some_and(|&none_after| from >= none_after)
        {
            return None;
        }
        let found = self.find_closing(from, name);
        if found.is_none() {
            self.unclosed.insert(name.to_string(), from);
        }
        found
    }

    fn find_closing(&self, from: usize, name: &str) -> Option<(&'a str, usize)> {
        let body: &'a str = self.body;
        let rest = &body[from..];
        let mut at = 0;
        while let Some(found) = rest[at..].find("{").map(|f| at + f) {
            let abs = from + found;
            let c = match self.body[abs..].starts_with("{{<") || self.body[abs..].starts_with("{{%")
            {
                true => parse_shortcode(self.body, abs),
                false if self.body[abs..].starts_with("{%") => parse_liquid(self.body, abs),
                false => None,
            };
            match c {
                Some(Construct::Shortcode {
                    name: n,
                    closing: true,
                    span,
                    ..
                }) if n == name => return Some((&rest[..found], span.end)),
                Some(Construct::Tag { name: n, span, .. }) if n == format!("end{name}") => {
                    return Some((&rest[..found], span.end));
                }
                _ => at = found + 1,
            }
        }
        None
    }

    fn tag(&mut self, span: Range<usize>, name: &str, args: &str, ctx: &Context) -> usize {
        match name {
            "highlight" => {
                let Some((inner, end)) = self.paired(span.end, name) else {
                    self.keep(span.clone());
                    return span.end;
                };
                let lang = args.split_whitespace().next().unwrap_or("").to_lowercase();
                let code = inner.trim_matches(['\n', '\r']);
                self.block(&format!("```{lang}\n{code}\n```"), end)
            }
            "raw" => match self.paired(span.end, name) {
                Some((inner, end)) => {
                    self.converted(inner);
                    end
                }
                None => {
                    self.keep(span.clone());
                    span.end
                }
            },
            "comment" => match self.paired(span.end, name) {
                Some((inner, end)) => {
                    self.converted(&format!("<!-- {} -->", inner.trim().replace("--", "- -")));
                    end
                }
                None => {
                    self.keep(span.clone());
                    span.end
                }
            },
            "post_url" | "link" => {
                let target = args.trim().trim_matches(['"', '\'']);
                match (ctx.link)(target) {
                    Some(link) => self.converted(&link),
                    None => self.keep(span.clone()),
                }
                span.end
            }
            "for" | "if" | "unless" | "case" | "capture" | "tablerow" => {
                // The whole block goes into one comment: its inside is
                // template too.
                let end = self.paired(span.end, name).map_or(span.end, |(_, end)| end);
                self.keep(span.start..end);
                end
            }
            _ => {
                self.keep(span.clone());
                span.end
            }
        }
    }
}

/// The video a player's address shows: `youtube` or `vimeo`, and its id,
/// when the address is a YouTube or Vimeo player's and the id is one.
fn video_of(src: &str) -> Option<(&'static str, String)> {
    let url = url::Url::parse(src.trim()).ok()?;
    let host = url.host_str()?.trim_start_matches("www.");
    let mut path = url.path_segments()?;
    let (kind, id) = match host {
        "youtube.com" | "youtube-nocookie.com" if path.next() == Some("embed") => {
            ("youtube", path.next()?.to_string())
        }
        "player.vimeo.com" if path.next() == Some("video") => ("vimeo", path.next()?.to_string()),
        _ => return None,
    };
    let valid = match kind {
        "youtube" => {
            id.len() == 11
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        }
        _ => !id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit()),
    };
    valid.then_some((kind, id))
}

/// An attribute's value in a start tag's text, unquoted.
fn attribute<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(name).map(|i| from + i) {
        from = i + name.len();
        let before = lower[..i].chars().next_back();
        if !before.is_some_and(char::is_whitespace) {
            continue;
        }
        let rest = tag[from..].trim_start();
        let Some(rest) = rest.strip_prefix('=') else {
            continue;
        };
        let rest = rest.trim_start();
        let (quote, rest) = match rest.chars().next()? {
            q @ ('"' | '\'') => (Some(q), &rest[1..]),
            _ => (None, rest),
        };
        let end = match quote {
            Some(q) => rest.find(q)?,
            None => rest
                .find(|c: char| c.is_whitespace() || c == '>')
                .unwrap_or(rest.len()),
        };
        return Some(&rest[..end]);
    }
    None
}

/// Replaces each YouTube or Vimeo `<iframe>` (outside code), which the
/// build's sanitizer would remove, by dealwire's video embed, as a block of
/// its own; in a body that is one block of HTML (`html`), where an embed
/// cannot stand, by a link to the video's page. Returns the body and how
/// many were replaced.
pub fn iframes(body: &str, html: bool) -> (String, usize) {
    let code = code_ranges(body);
    let lower = body.to_ascii_lowercase();
    let mut out = String::with_capacity(body.len());
    let (mut copied, mut at, mut replaced) = (0, 0, 0);
    let mut no_close_after: Option<usize> = None;
    while let Some(start) = lower[at..].find("<iframe").map(|i| at + i) {
        at = start + 7;
        // The start tag's end: the first `>` outside quoted values.
        let mut quoted: Option<char> = None;
        let tag_end = body[start..].char_indices().find_map(|(i, c)| {
            match (quoted, c) {
                (Some(q), c) if c == q => quoted = None,
                (None, '"' | '\'') => quoted = Some(c),
                (None, '>') => return Some(start + i + 1),
                _ => {}
            }
            None
        });
        let Some(tag_end) = tag_end else {
            break;
        };
        // The closing tag, unless a search found none after an earlier
        // iframe (then none follows this one either).
        let close = if no_close_after.is_some_and(|p| p <= tag_end) {
            None
        } else {
            let found = lower[tag_end..].find("</iframe>");
            if found.is_none() {
                no_close_after = Some(tag_end);
            }
            found
        };
        let end = match close {
            Some(i) if !lower[start..tag_end].ends_with("/>") => tag_end + i + "</iframe>".len(),
            _ => tag_end,
        };
        let tag = &body[start..tag_end];
        let Some((kind, id)) = attribute(tag, "src").and_then(video_of) else {
            continue;
        };
        if inside(&code, start) {
            continue;
        }
        let title = attribute(tag, "title")
            .map(str::trim)
            .filter(|t| !t.is_empty());
        out.push_str(&body[copied..start]);
        if html {
            let (page, host) = match kind {
                "youtube" => (format!("https://www.youtube.com/watch?v={id}"), "YouTube"),
                _ => (format!("https://vimeo.com/{id}"), "Vimeo"),
            };
            let text = title.map_or_else(|| format!("Watch on {host}"), escape_text);
            out.push_str(&format!("<p><a href=\"{page}\">▶ {text}</a></p>"));
        } else {
            let trimmed = out.trim_end_matches([' ', '\t']).len();
            out.truncate(trimmed);
            if !out.is_empty() && !out.ends_with("\n\n") {
                out.push_str(if out.ends_with('\n') { "\n" } else { "\n\n" });
            }
            out.push_str(&format!("{{{{ {kind}(id={}", quote(&id)));
            if let Some(title) = title {
                out.push_str(&format!(", title={}", quote(title)));
            }
            out.push_str(") }}");
            let rest = body[end..].trim_start_matches([' ', '\t']);
            let newlines = rest.len() - rest.trim_start_matches('\n').len();
            if !rest.trim_start_matches('\n').is_empty() && newlines < 2 {
                out.push_str(if newlines == 1 { "\n" } else { "\n\n" });
            }
        }
        copied = end;
        at = end;
        replaced += 1;
    }
    out.push_str(&body[copied..]);
    (out, replaced)
}

/// Text made safe inside HTML.
fn escape_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Points each Markdown link to a Markdown file (`[x](other-post.md)`,
/// `[y](/_pages/about.md#team)`, as jekyll-relative-links and editors'
/// previews read them) where `resolve` says the file is published now (an
/// `@/` link, or the page's old URL), outside code. Returns the body and how
/// many links were pointed.
pub fn md_links(body: &str, resolve: &dyn Fn(&str) -> Option<String>) -> (String, usize) {
    let code = code_ranges(body);
    let mut out = String::with_capacity(body.len());
    let (mut copied, mut at, mut pointed) = (0, 0, 0);
    while let Some(start) = body[at..].find("](").map(|i| at + i + 2) {
        at = start;
        let rest = &body[start..];
        let end = rest
            .find(|c: char| c.is_whitespace() || matches!(c, ')' | '<' | '>' | '"'))
            .unwrap_or(rest.len());
        let target = &rest[..end];
        let (path, anchor) = target.split_once('#').map_or((target, ""), |(p, a)| (p, a));
        let markdown = path.ends_with(".md") || path.ends_with(".markdown");
        if !markdown || path.contains("://") || path.starts_with("@/") || inside(&code, start) {
            continue;
        }
        let Some(link) = resolve(path) else {
            continue;
        };
        out.push_str(&body[copied..start]);
        out.push_str(&link);
        if !anchor.is_empty() {
            out.push('#');
            out.push_str(anchor);
        }
        copied = start + end;
        at = copied;
        pointed += 1;
    }
    out.push_str(&body[copied..]);
    (out, pointed)
}

/// Points the root-relative links of `body` (Markdown destinations and
/// reference definitions, HTML `href` and `src`) that the new site does not
/// serve (`served` is false for their path) at the old site, `old_base`
/// (`https://example.org`, no trailing `/`), outside code. Returns the body
/// and how many links were pointed there.
pub fn point_old_links(
    body: &str,
    served: &dyn Fn(&str) -> bool,
    old_base: &str,
) -> (String, usize) {
    let code = code_ranges(body);
    let mut out = String::with_capacity(body.len());
    let mut copied = 0;
    let mut pointed = 0;
    let mut at = 0;
    const MARKS: [&str; 6] = ["](/", "]: /", "href=\"/", "src=\"/", "href='/", "src='/"];
    // Where each mark is next found (its `/`), searched again only once
    // passed: the body is read once per mark, however many links it holds.
    let find = |mark: &str, at: usize| body[at..].find(mark).map(|i| at + i + mark.len() - 1);
    let mut next: [Option<usize>; 6] = MARKS.map(|mark| find(mark, 0));
    loop {
        for (slot, mark) in next.iter_mut().zip(MARKS) {
            if slot.is_some_and(|n| n < at) {
                *slot = find(mark, at);
            }
        }
        let Some(start) = next.iter().flatten().min().copied() else {
            break;
        };
        let rest = &body[start..];
        let end = rest
            .find(|c: char| c.is_whitespace() || matches!(c, ')' | '"' | '\'' | '>' | '<'))
            .unwrap_or(rest.len());
        let target = &rest[..end];
        let path = target.split(['#', '?']).next().unwrap_or("");
        at = start + end.max(1);
        if target.starts_with("//") || inside(&code, start) || served(path) {
            continue;
        }
        out.push_str(&body[copied..start]);
        out.push_str(old_base);
        out.push_str(target);
        copied = start + end;
        pointed += 1;
    }
    out.push_str(&body[copied..]);
    (out, pointed)
}

/// The value of a Liquid output Jekyll would have printed, when it is clear:
/// `site.KEY`, `page.KEY`, a quoted string through `relative_url` or
/// `absolute_url`; `site.url` and `site.baseurl` are empty (the new site's
/// links are root-relative).
fn output_value(expr: &str, ctx: &Context) -> Option<String> {
    let mut parts = expr.split('|').map(str::trim);
    let head = parts.next()?;
    let filters: Vec<&str> = parts.collect();
    if !filters.iter().all(|f| {
        matches!(
            *f,
            "relative_url" | "absolute_url" | "escape" | "xml_escape"
        )
    }) {
        return None;
    }
    if let Some(s) = head
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .or_else(|| head.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))
    {
        // `relative_url` and `absolute_url` root a path (Jekyll's
        // `ensure_leading_slash`); a URL with a scheme stays as it is.
        let rooted = filters.iter().any(|f| f.ends_with("_url"))
            && !s.starts_with('/')
            && crate::urls::scheme(s).is_none();
        return Some(if rooted {
            format!("/{s}")
        } else {
            s.to_string()
        });
    }
    if matches!(head, "site.url" | "site.baseurl" | "site.github.url") {
        return Some(String::new());
    }
    if let Some(key) = head.strip_prefix("site.") {
        return lookup(ctx.site, key).and_then(scalar);
    }
    if let Some(key) = head.strip_prefix("page.") {
        return lookup(ctx.page, key).and_then(scalar);
    }
    None
}

/// `a.b.c` in a table.
fn lookup<'a>(map: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('.');
    let mut value = map.get(parts.next()?)?;
    for part in parts {
        value = value.as_object()?.get(part)?;
    }
    Some(value)
}

fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A value for an embed's argument: double-quoted, `\` and `"` escaped.
fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Markdown or HTML of a caption made plain text: tags removed, `*`, `_`
/// and backquotes of emphasis dropped.
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            '*' | '`' if !in_tag => {}
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn first_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or("");
    if text.contains('\n') {
        format!("{line} …")
    } else {
        line.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(generator: Generator, body: &str) -> Converted {
        let site: Map<String, Value> = serde_json::from_str(
            r#"{"repository": "jekyll/jekyll", "params": {"cdn": "https://cdn.example"}, "title": "Old"}"#,
        )
        .expect("json");
        let page: Map<String, Value> =
            serde_json::from_str(r#"{"title": "A post"}"#).expect("json");
        let link = |p: &str| -> Option<String> {
            matches!(
                p,
                "2010-07-21-name" | "_posts/2016-07-26-other.md" | "/post/first" | "post/first.md"
            )
            .then(|| "@/articles/x.md".to_string())
        };
        convert(
            body,
            &Context {
                generator,
                site: &site,
                page: &page,
                link: &link,
            },
        )
    }

    #[test]
    fn hugo_builtins_become_embeds_links_and_code() {
        let body = "Intro.\n\n{{< figure src=\"chart.png\" caption=\"Capacity, *in GW*\" attr=\"Filings\" >}}\n\nSee {{< youtube dQw4w9WgXcQ >}} and [first]({{< ref \"/post/first\" >}}).\n\n{{< highlight go \"linenos=table\" >}}\nfmt.Println(1)\n{{< /highlight >}}\n\n{{< x user=\"SanDiegoZoo\" id=\"1453110110599868418\" >}}\n\n`{{</* figure src=\"x\" */>}}` is how.\n\n{{< plotly json=\"a--b.json\" >}}\n";
        let c = run(Generator::Hugo, body);
        assert_eq!(
            c.text,
            "Intro.\n\n{{ figure(src=\"chart.png\", alt=\"Capacity, in GW\", caption=\"Capacity, in GW\", credit=\"Filings\") }}\n\nSee\n\n{{ youtube(id=\"dQw4w9WgXcQ\") }}\n\nand [first](@/articles/x.md).\n\n```go\nfmt.Println(1)\n```\n\n[A post by @SanDiegoZoo on X](https://x.com/SanDiegoZoo/status/1453110110599868418)\n\n`{{< figure src=\"x\" >}}` is how.\n\n<!-- dealwire import kept: {{< plotly json=\"a- -b.json\" >}} -->\n"
        );
        assert_eq!(
            c.kept,
            [(15, "{{< plotly json=\"a--b.json\" >}}".to_string())]
        );
        assert_eq!(c.converted, 6);
    }

    #[test]
    fn liquid_becomes_markdown_and_the_rest_is_kept_in_a_comment() {
        let body = "Repo: {{ site.repository }}, {{ page.title }}, {{ site.baseurl }}/x.png, {{ \"/a.png\" | relative_url }}.\n\n{% highlight ruby linenos %}\nputs 1\n{% endhighlight %}\n\nSee [old]({% post_url 2010-07-21-name %}) and [o]({% link _posts/2016-07-26-other.md %}).\n\n{% raw %}{{ not.this }}{% endraw %}\n\n{% include note.html %}\n\n{% for p in site.posts %}\n- {{ p.title }}\n{% endfor %}\n\n```\n{% include code.html %}\n```\n";
        let c = run(Generator::Jekyll, body);
        assert_eq!(
            c.text,
            "Repo: jekyll/jekyll, A post, /x.png, /a.png.\n\n```ruby\nputs 1\n```\n\nSee [old](@/articles/x.md) and [o](@/articles/x.md).\n\n{{ not.this }}\n\n<!-- dealwire import kept: {% include note.html %} -->\n\n<!-- dealwire import kept: {% for p in site.posts %}\n- {{ p.title }}\n{% endfor %} -->\n\n```\n{% include code.html %}\n```\n"
        );
        assert_eq!(
            c.kept,
            [
                (11, "{% include note.html %}".to_string()),
                (13, "{% for p in site.posts %} …".to_string()),
                (18, "{% include code.html %}".to_string()),
            ]
        );
    }

    #[test]
    fn links_to_pages_left_behind_point_at_the_old_site() {
        let served = |p: &str| p == "/articles/x/" || p == "/images/a.png";
        let body = "[docs](/docs/history/#top) [x](/articles/x/) ![a](/images/a.png) <a href=\"/about\">a</a> `[c](/code/)` [p](//cdn.example/x) [r]: /team/\n";
        let (out, n) = point_old_links(body, &served, "https://old.example");
        assert_eq!(
            out,
            "[docs](https://old.example/docs/history/#top) [x](/articles/x/) ![a](/images/a.png) <a href=\"https://old.example/about\">a</a> `[c](/code/)` [p](//cdn.example/x) [r]: https://old.example/team/\n"
        );
        assert_eq!(n, 3);
    }

    #[test]
    fn video_iframes_become_embeds_or_links() {
        let body = "Watch:\n<iframe width=\"560\" src=\"https://www.youtube.com/embed/dQw4w9WgXcQ?rel=0\" title=\"The keynote\" allowfullscreen></iframe>\nAfter.\n\n<IFRAME src='https://player.vimeo.com/video/76979871'></IFRAME>\n\n<iframe src=\"https://evil.example/embed/x\"></iframe>\n\n<iframe src=\"https://www.youtube.com/embed/bad\\\" onload=\\\"x\"></iframe>\n\n`<iframe src=\"https://www.youtube.com/embed/dQw4w9WgXcQ\"></iframe>`\n";
        let (out, n) = iframes(body, false);
        assert_eq!(n, 2);
        assert_eq!(
            out,
            "Watch:\n\n{{ youtube(id=\"dQw4w9WgXcQ\", title=\"The keynote\") }}\n\nAfter.\n\n{{ vimeo(id=\"76979871\") }}\n\n<iframe src=\"https://evil.example/embed/x\"></iframe>\n\n<iframe src=\"https://www.youtube.com/embed/bad\\\" onload=\\\"x\"></iframe>\n\n`<iframe src=\"https://www.youtube.com/embed/dQw4w9WgXcQ\"></iframe>`\n"
        );
        let (out, n) = iframes(
            "<div>\n<iframe src=\"https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ\" title=\"<b>x</b>\"></iframe>\n</div>\n",
            true,
        );
        assert_eq!(n, 1);
        assert_eq!(
            out,
            "<div>\n<p><a href=\"https://www.youtube.com/watch?v=dQw4w9WgXcQ\">▶ &lt;b&gt;x&lt;/b&gt;</a></p>\n</div>\n"
        );
    }

    #[test]
    fn many_links_and_unclosed_iframes_are_read_once() {
        let body =
            "[a](/x/) <iframe src=\"https://www.youtube.com/embed/dQw4w9WgXcQ\">\n".repeat(20_000);
        let (out, n) = point_old_links(&body, &|_| false, "https://old.example");
        assert_eq!(n, 20_000);
        assert_eq!(out.matches("https://old.example/x/").count(), 20_000);
        let (_, n) = iframes(&body, true);
        assert_eq!(n, 20_000);
    }

    #[test]
    fn many_unclosed_constructs_are_read_once() {
        // Each would search the rest of the body for its closing tag: read
        // once per construct, 20,000 of them would take minutes.
        let body = "{{< highlight go >}}\n`x` a\n".repeat(20_000);
        let c = run(Generator::Hugo, &body);
        assert_eq!(c.kept.len(), 20_000);
        let body = "{% for x in y %}\n`x` b\n".repeat(20_000);
        assert_eq!(run(Generator::Jekyll, &body).kept.len(), 20_000);
        assert!(inside(&[1..3, 5..9], 6) && !inside(&[1..3, 5..9], 4) && !inside(&[], 0));
    }

    #[test]
    fn hostile_arguments_stay_inside_their_quotes() {
        let c = run(
            Generator::Hugo,
            "{{< figure src=\"a.png\\\" onerror=\\\"x\" caption=\"<script>x</script> --> \" >}}\n",
        );
        assert_eq!(
            c.text,
            r#"{{ figure(src="a.png\" onerror=\"x", alt="x -->", caption="x -->") }}"#.to_string()
                + "\n"
        );
        // Unclosed or blank-line-broken constructs are text.
        let c = run(Generator::Hugo, "{{< figure src=\"a\"\n\n>}} and {{< \n");
        assert_eq!(c.converted, 0);
        assert!(c.kept.is_empty());
        let c = run(Generator::Jekyll, "{% if x\n\n%} {{ \n");
        assert_eq!(c.text, "{% if x\n\n%} {{ \n");
    }
}
