//! Embeds: the one syntax editors write to place something dealwire makes
//! itself in an article — a deal card, a video, a figure with its credit.
//!
//! An embed stands alone in its paragraph, Zola's shortcode form:
//!
//! ```text
//! {{ deal(id="openai-aws-2025") }}
//! {{ youtube(id="dQw4w9WgXcQ", title="The keynote") }}
//! {{ vimeo(id="76979871", title="Inside the data centre") }}
//! {{ figure(src="chart.png", alt="…", caption="…", credit="…") }}
//! ```
//!
//! Input: a paragraph's source text. Output: `None` when it is not written
//! as an embed (it stays a paragraph), else the call or why it is wrong.
//! Values are quoted strings (`"…"` or `'…'`, with `\"`, `\'` and `\\`) or
//! bare words of letters, digits, `-`, `_` and `.`. Nothing here makes
//! markup: the body holds a slot where the embed stands, and the page fills
//! it with dealwire's own templates, every value escaped (see `render`).

use super::{Video, VideoHost};

/// An embed as written: its name and its arguments, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    /// `deal`, `youtube`, `vimeo`, `figure`.
    pub name: String,
    /// `key = value` pairs.
    pub args: Vec<(String, String)>,
}

/// The longest embed read (a figure's caption may be long; a page of text is not an embed).
const MAX_LEN: usize = 4096;

/// Reads a paragraph's source as an embed.
pub fn parse(source: &str) -> Option<Result<Call, String>> {
    let text = source.trim();
    if text.len() > MAX_LEN {
        return None;
    }
    let inner = text.strip_prefix("{{")?.strip_suffix("}}")?.trim();
    let name_len = inner
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(inner.len());
    let (name, rest) = inner.split_at(name_len);
    let rest = rest.trim_start();
    if name.is_empty() || !rest.starts_with('(') {
        return None;
    }
    Some(arguments(&rest[1..]).map(|args| Call {
        name: name.to_string(),
        args,
    }))
}

/// `key = value, …)`: the arguments up to the closing parenthesis, which must end the text.
fn arguments(mut rest: &str) -> Result<Vec<(String, String)>, String> {
    let mut args: Vec<(String, String)> = Vec::new();
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return Err("the embed's `(` is not closed: `name(key=\"value\")`".into());
        }
        if let Some(after) = rest.strip_prefix(')') {
            if !after.trim().is_empty() {
                return Err(format!(
                    "unexpected `{}` after the embed's `)`",
                    after.trim()
                ));
            }
            return Ok(args);
        }
        if !args.is_empty() {
            rest = rest
                .strip_prefix(',')
                .ok_or("the embed's arguments are separated by commas: `name(a=\"…\", b=\"…\")`")?
                .trim_start();
            if let Some(after) = rest.strip_prefix(')') {
                rest = after;
                if !rest.trim().is_empty() {
                    return Err("unexpected text after the embed's `)`".into());
                }
                return Ok(args);
            }
        }
        let key_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if key_len == 0 {
            return Err("an embed argument is written `name=\"value\"`".into());
        }
        let key = &rest[..key_len];
        rest = rest[key_len..]
            .trim_start()
            .strip_prefix('=')
            .ok_or_else(|| format!("the argument `{key}` needs a value: `{key}=\"…\"`"))?
            .trim_start();
        let (value, after) = value(rest).ok_or_else(|| {
            format!(
                "the value of `{key}` is a quoted string (`{key}=\"…\"`), and it must be closed"
            )
        })?;
        if args.iter().any(|(k, _)| k == key) {
            return Err(format!("the argument `{key}` is given twice"));
        }
        args.push((key.to_string(), value));
        rest = after;
    }
}

/// A quoted string or a bare word, and the text after it.
fn value(text: &str) -> Option<(String, &str)> {
    let quote = text.chars().next()?;
    if quote != '"' && quote != '\'' {
        let len = text
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
            .unwrap_or(text.len());
        return (len > 0).then(|| (text[..len].to_string(), &text[len..]));
    }
    let mut out = String::new();
    let mut chars = text[1..].char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some((_, e @ ('"' | '\'' | '\\'))) => out.push(e),
                Some((_, other)) => {
                    out.push('\\');
                    out.push(other);
                }
                None => return None,
            },
            c if c == quote => return Some((out, &text[1 + i + 1..])),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    None
}

impl Call {
    /// The names this embed takes.
    fn known(&self) -> &'static [&'static str] {
        match self.name.as_str() {
            "deal" => &["id"],
            "youtube" | "vimeo" => &["id", "title"],
            "figure" => &["src", "alt", "caption", "credit"],
            _ => &[],
        }
    }

    /// A required argument, checked with the rest: an unknown name is an error.
    pub fn required(&self, key: &str) -> Result<String, String> {
        self.check_names()?;
        self.args
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| format!("the `{}` embed needs `{key}=\"…\"`", self.name))
    }

    /// An optional argument, empty when absent.
    pub fn optional(&self, key: &str) -> String {
        self.args
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    }

    fn check_names(&self) -> Result<(), String> {
        let known = self.known();
        if known.is_empty() {
            return Ok(());
        }
        match self.args.iter().find(|(k, _)| !known.contains(&k.as_str())) {
            Some((k, _)) => Err(format!(
                "the `{}` embed takes {}, not `{k}`",
                self.name,
                known
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            None => Ok(()),
        }
    }

    /// A `youtube` or `vimeo` call as a video, its id checked (it goes into
    /// the player's address).
    pub fn video(&self) -> Result<Video, String> {
        let id = self.required("id")?;
        let host = if self.name == "youtube" {
            VideoHost::YouTube
        } else {
            VideoHost::Vimeo
        };
        let valid = match host {
            VideoHost::YouTube => {
                id.len() == 11
                    && id
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            }
            VideoHost::Vimeo => {
                (1..=12).contains(&id.len()) && id.chars().all(|c| c.is_ascii_digit())
            }
        };
        if !valid {
            let expected = match host {
                VideoHost::YouTube => {
                    "eleven letters, digits, `-` or `_`, as in `youtube.com/watch?v=dQw4w9WgXcQ`"
                }
                VideoHost::Vimeo => "digits, as in `vimeo.com/76979871`",
            };
            return Err(format!(
                "`{id}` is not a {} video id: it is {expected}",
                self.name
            ));
        }
        Ok(Video {
            host,
            id,
            title: self.optional("title"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_calls_and_leaves_other_text_alone() {
        let call = parse("{{ deal(id=\"openai-aws-2025\") }}\n")
            .unwrap()
            .unwrap();
        assert_eq!(call.name, "deal");
        assert_eq!(call.args, vec![("id".into(), "openai-aws-2025".into())]);
        let call = parse("{{figure(src='a b.png', alt=\"say \\\"hi\\\"\", caption=\"x\",)}}")
            .unwrap()
            .unwrap();
        assert_eq!(call.optional("alt"), "say \"hi\"");
        assert_eq!(call.optional("src"), "a b.png");
        assert_eq!(call.optional("credit"), "");
        assert_eq!(
            parse("{{ vimeo(id=76979871) }}")
                .unwrap()
                .unwrap()
                .optional("id"),
            "76979871"
        );
        for text in [
            "Plain text.",
            "{{ not an embed }}",
            "{{ x }} and more",
            "{deal(id=\"a\")}",
        ] {
            assert!(parse(text).is_none(), "{text}");
        }
    }

    #[test]
    fn wrong_calls_say_why() {
        for (text, says) in [
            ("{{ deal(id=\"a\" }}", "not closed"),
            ("{{ deal(id=\"a) }}", "closed"),
            ("{{ deal(id) }}", "needs a value"),
            ("{{ deal(id=\"a\") extra }}", "after the embed"),
            ("{{ deal(id=\"a\" id=\"b\") }}", "commas"),
            ("{{ deal(id=\"a\", id=\"b\") }}", "twice"),
        ] {
            let e = parse(text).unwrap().unwrap_err();
            assert!(e.contains(says), "{text}: {e}");
        }
        let call = parse("{{ deal(ref=\"a\") }}").unwrap().unwrap();
        assert!(call.required("id").unwrap_err().contains("takes `id`"));
        let call = parse("{{ youtube(id=\"javascript:x\") }}")
            .unwrap()
            .unwrap();
        assert!(call.video().unwrap_err().contains("not a youtube video id"));
        let call = parse("{{ vimeo(id=\"12a\") }}").unwrap().unwrap();
        assert!(call.video().is_err());
        let call = parse("{{ youtube(id=\"dQw4w9WgXcQ\", title=\"T\") }}")
            .unwrap()
            .unwrap();
        assert_eq!(call.video().unwrap().title, "T");
    }
}
