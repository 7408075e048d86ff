//! YAML reading: the one place that calls the YAML library, and a small scanner
//! that finds where a field's value sits in the text.
//!
//! `from_str` turns YAML text into a typed serde shape, or a `YamlError` with the
//! field path (from `serde_path_to_error`) and 1-based position. Before the
//! typed pass, `keys` walks the document for a key given twice in any mapping.
//! The YAML crate gives positions only for its own errors, so semantic errors
//! found later (an amount that does not parse, one party twice) are placed by
//! `outline`, which follows block mappings and sequences by indentation over
//! lines indexed once. Every step takes time linear in the text: front matter
//! and `site.yaml` may hold lists of tens of thousands of items. Nothing here
//! knows about articles or sites.

use serde::de::DeserializeOwned;

mod keys;
mod outline;

pub use outline::{Outline, Step, locate, parse_path};

/// A YAML document that did not fit the expected shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlError {
    /// The field path, as `deal.amount` or `deals[1].parties`; empty at the top.
    pub field: String,
    /// 1-based line and column within the YAML text, when known.
    pub position: Option<(usize, usize)>,
    /// The problem, without position or path.
    pub message: String,
    /// For a key given twice: the key, and the line of its first occurrence
    /// when known (the message names it).
    duplicate: Option<(String, Option<usize>)>,
}

impl YamlError {
    fn new(field: String, position: Option<(usize, usize)>, message: String) -> YamlError {
        YamlError {
            field,
            position,
            message,
            duplicate: None,
        }
    }

    /// For a key given twice: the key, and the 1-based line of its first
    /// occurrence when known.
    pub fn duplicate(&self) -> Option<(&str, Option<usize>)> {
        self.duplicate.as_ref().map(|(k, l)| (k.as_str(), *l))
    }

    /// The same error with its lines counted in a file whose YAML text
    /// starts on 1-based line `first_line` (front matter, after its `---`).
    pub fn in_file(mut self, first_line: usize) -> YamlError {
        let shift = first_line.saturating_sub(1);
        self.position = self.position.map(|(l, c)| (l + shift, c));
        if let Some((key, first)) = &mut self.duplicate {
            *first = first.map(|l| l + shift);
            self.message = duplicate_message(key, *first);
        }
        self
    }
}

impl From<keys::Duplicate> for YamlError {
    fn from(d: keys::Duplicate) -> YamlError {
        let first = d.first.map(|(line, _)| line);
        YamlError {
            message: duplicate_message(&d.key, first),
            field: d.field,
            position: d.position,
            duplicate: Some((d.key, first)),
        }
    }
}

fn duplicate_message(key: &str, first: Option<usize>) -> String {
    match first {
        Some(line) => format!("duplicate key `{key}` (first at line {line})"),
        None => format!("duplicate key `{key}`"),
    }
}

/// Deserializes YAML 1.2 text. `yes`/`no` stay strings; a key given twice in
/// any mapping (`keys`) and alias expansion past the library's budget are
/// errors.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    flow_depth_within_limit(text)?;
    if let Some(duplicate) = keys::first_duplicate(text) {
        return Err(duplicate.into());
    }
    read(text)
}

/// Like `from_str`, but a key given twice is an error only where `T` reads
/// the mapping as a struct: for reading a few fields of a file that need
/// not validate (`site.yaml`'s `base_url` while serve shows its errors).
pub fn from_str_partial<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    flow_depth_within_limit(text)?;
    read(text)
}

fn read<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    // Most documents are valid: read them without the cost of tracking paths,
    // and read a failing one again to learn the path of its error.
    match serde_yaml::from_str(text) {
        Ok(value) => {
            // Escapes in double-quoted strings (`"\v"`, `"\x1b"`) and the few
            // raw control characters YAML allows (U+0085) make strings that no
            // page or feed may hold. Every string of the document is checked,
            // so none of `T`'s can slip through; plain documents skip it.
            if text.contains('\\') || text.contains(crate::text::is_forbidden) {
                forbidden_strings(text)?;
            }
            Ok(value)
        }
        Err(first) => Err(from_str_tracked::<T>(text).err().unwrap_or_else(|| {
            YamlError::new(
                String::new(),
                first.location().map(|l| (l.line(), l.column())),
                clean_message(&first.to_string()),
            )
        })),
    }
}

/// The keys of a top-level mapping field whose values are mappings
/// themselves (`rates:` entries given by date), for a typed pass that must
/// read the others' scalars as their text. Empty when the text does not
/// parse: the typed pass reports why.
pub fn mapping_entries(text: &str, field: &str) -> std::collections::BTreeSet<String> {
    let Ok(value) = serde_yaml::from_str::<serde_yaml::Value>(text) else {
        return Default::default();
    };
    let Some(entries) = value.get(field).and_then(|v| v.as_mapping()) else {
        return Default::default();
    };
    entries
        .iter()
        .filter(|(_, v)| v.is_mapping())
        .filter_map(|(k, _)| match k {
            serde_yaml::Value::String(s) => Some(s.clone()),
            other => serde_yaml::to_string(other)
                .ok()
                .map(|s| s.trim().to_string()),
        })
        .collect()
}

/// Writes a value as YAML (for files dealwire writes, such as imported
/// articles' front matter).
pub fn to_string<T: serde::Serialize>(value: &T) -> Result<String, String> {
    serde_yaml::to_string(value).map_err(|e| format!("cannot write YAML: {e}"))
}

/// The first string (key or value) of the document that holds a forbidden
/// character, as an error at its field.
fn forbidden_strings(text: &str) -> Result<(), YamlError> {
    fn walk(value: &serde_yaml::Value, path: &str) -> Option<(String, char)> {
        use serde_yaml::Value;
        match value {
            Value::String(s) => s
                .chars()
                .find(|&c| crate::text::is_forbidden(c))
                .map(|c| (path.to_string(), c)),
            Value::Sequence(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, v)| walk(v, &format!("{path}[{i}]"))),
            Value::Mapping(map) => map.iter().find_map(|(k, v)| {
                let key = match k {
                    Value::String(s) => s.clone(),
                    other => serde_yaml::to_string(other)
                        .unwrap_or_default()
                        .trim()
                        .to_string(),
                };
                let field = if path.is_empty() {
                    key
                } else {
                    format!("{path}.{key}")
                };
                walk(k, &field).or_else(|| walk(v, &field))
            }),
            Value::Tagged(tagged) => walk(&tagged.value, path),
            _ => None,
        }
    }
    let Ok(value) = serde_yaml::from_str::<serde_yaml::Value>(text) else {
        return Ok(());
    };
    match walk(&value, "") {
        None => Ok(()),
        Some((field, c)) => Err(YamlError::new(
            field.clone(),
            locate(text, &field),
            format!(
                "the control character U+{:04X} may not appear in a page or a feed: remove it",
                c as u32
            ),
        )),
    }
}

/// How deep flow collections (`[`, `{`) may nest. The YAML library's scanner
/// costs time in proportion to the depth for every token, so a long run of
/// `[` takes minutes; no real front matter nests past a handful.
pub const MAX_FLOW_DEPTH: usize = 64;

/// Refuses text whose flow collections nest deeper than `MAX_FLOW_DEPTH`, in
/// one pass: quoted strings, comments and block scalars are skipped, and a `[`
/// or `{` inside a plain scalar (`title: a[b]`) does not open anything.
fn flow_depth_within_limit(text: &str) -> Result<(), YamlError> {
    let mut depth = 0usize;
    let mut block_scalar_indent: Option<usize> = None;
    for (line_no, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        if let Some(parent) = block_scalar_indent {
            if line.trim().is_empty() || indent > parent {
                continue;
            }
            block_scalar_indent = None;
        }
        let mut quote: Option<char> = None;
        // The last character outside quotes that is not white space; `\n` at
        // the start of the line; and whether white space followed it.
        let mut prev = '\n';
        let mut gap = true;
        let mut chars = line.char_indices();
        while let Some((at, c)) = chars.next() {
            match (quote, c) {
                (Some('"'), '\\') => {
                    chars.next();
                }
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => continue,
                (None, '#') if line[..at].ends_with([' ', '\t']) || at == 0 => break,
                (None, '"' | '\'') if opens_value(prev, gap, depth) => quote = Some(c),
                (None, '[' | '{') if depth > 0 || opens_value(prev, gap, depth) => {
                    depth += 1;
                    if depth > MAX_FLOW_DEPTH {
                        let col = line[..at].chars().count() + 1;
                        return Err(YamlError::new(
                            String::new(),
                            Some((line_no + 1, col)),
                            format!("lists and mappings nest deeper than {MAX_FLOW_DEPTH} levels"),
                        ));
                    }
                }
                (None, ']' | '}') if depth > 0 => depth -= 1,
                _ => {}
            }
            if c.is_whitespace() {
                gap = true;
            } else {
                prev = c;
                gap = false;
            }
        }
        let value = line.trim_end();
        if depth == 0
            && (value.ends_with(['|', '>'])
                || value
                    .rsplit_once(' ')
                    .is_some_and(|(_, v)| v.starts_with(['|', '>']) && v.len() <= 3))
        {
            block_scalar_indent = Some(indent);
        }
    }
    Ok(())
}

/// Whether a `[`, `{` or quote after `prev` (the last character that is not
/// white space; `gap` when white space followed it) starts a value rather
/// than sitting inside plain text. Outside flow collections a value starts
/// a line, or follows `: `, `- ` or `? `; `title: a[[b` is text.
fn opens_value(prev: char, gap: bool, depth: usize) -> bool {
    if depth > 0 {
        matches!(prev, '[' | '{' | ',' | ':' | '?')
    } else {
        prev == '\n' || (gap && matches!(prev, ':' | '-' | '?'))
    }
}

fn from_str_tracked<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    let de = serde_yaml::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|err| {
        let field = clean_path(&err.path().to_string());
        let inner = err.into_inner();
        let position = inner.location().map(|l| (l.line(), l.column()));
        YamlError::new(field, position, clean_message(&inner.to_string()))
    })
}

fn clean_path(path: &str) -> String {
    // `?` is the path of a syntax error, found before any field.
    if path == "." || path == "?" {
        String::new()
    } else {
        path.to_string()
    }
}

/// The library's message carries the path and position; we print those apart.
fn clean_message(raw: &str) -> String {
    let without_position = strip_positions(raw);
    let mut msg = without_position.as_str();
    // The library prefixes its own path (`inner.n: …`); a path has no spaces.
    if let Some((head, rest)) = msg.split_once(": ")
        && !head.is_empty()
        && !head.contains(' ')
        && !head.contains('`')
    {
        msg = rest;
    }
    msg.replace(
        "repetition limit exceeded",
        "too many alias expansions (alias bomb?)",
    )
}

/// The message without the library's ` at line N column M` parts, which we
/// print apart (wherever they stand: `…, while scanning an anchor` may follow).
fn strip_positions(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.find(" at line ") {
        out.push_str(&rest[..at]);
        let after = &rest[at + " at line ".len()..];
        let digits = |s: &str| s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let line_len = digits(after);
        let tail = &after[line_len..];
        rest = match tail.strip_prefix(" column ") {
            Some(col) if line_len > 0 => &col[digits(col)..],
            _ if line_len > 0 => tail,
            _ => {
                out.push_str(" at line ");
                after
            }
        };
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_leave_messages() {
        assert_eq!(
            strip_positions("did not find x at line 1 column 3, while scanning an anchor"),
            "did not find x, while scanning an anchor"
        );
    }

    #[test]
    fn only_flow_collections_count_toward_the_depth() {
        let deep = "[".repeat(MAX_FLOW_DEPTH + 1);
        for refused in [
            format!("a: {deep}"),
            format!("- {deep}"),
            format!("a: {{b: {deep}"),
            format!("a:\n  {deep}"),
            format!("a: [\n{deep}"),
        ] {
            assert!(flow_depth_within_limit(&refused).is_err(), "{refused}");
        }
        for text in [
            format!("title: Nvidia {deep} deal"),
            format!("title: a, {deep}"),
            format!("title: a:{deep}"),
            format!("title: \"{deep}\""),
            format!("title: |\n  {deep}"),
        ] {
            assert!(flow_depth_within_limit(&text).is_ok(), "{text}");
        }
    }

    #[test]
    fn escaped_control_characters_are_errors_at_their_field() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Doc {
            title: String,
            tags: Vec<String>,
        }
        let e = from_str::<Doc>("title: ok\ntags: [a, \"b\\vc\"]\n").unwrap_err();
        assert_eq!((e.field.as_str(), e.position), ("tags[1]", Some((2, 7))));
        assert!(e.message.contains("U+000B"), "{}", e.message);
        let e = from_str::<Doc>("title: \"\\e[31m\\N\"\ntags: []\n").unwrap_err();
        assert_eq!(e.field, "title");
        assert!(from_str::<Doc>("title: \"a\\tb \\u00e9\"\ntags: []\n").is_ok());
    }

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Shape {
        flag: Option<bool>,
        inner: Option<Inner>,
    }
    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        n: Option<u32>,
    }

    #[test]
    fn errors_carry_field_and_position() {
        let e = from_str::<Shape>("flag: yes\n").unwrap_err();
        assert_eq!(e.field, "flag");
        assert_eq!(e.position, Some((1, 7)));
        assert!(e.message.contains("expected a boolean"), "{}", e.message);
        let e = from_str::<Shape>("inner:\n  n: 1\n  typo: 2\n").unwrap_err();
        assert_eq!(e.position.map(|p| p.0), Some(3));
        assert!(
            e.message.starts_with("unknown field `typo`"),
            "{}",
            e.message
        );
        assert_eq!(e.field, "inner.typo");
    }

    #[test]
    fn alias_bombs_fail_fast() {
        let mut doc = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..9 {
            let prev = (b'a' + i) as char;
            let next = (b'a' + i + 1) as char;
            doc.push_str(&format!("{next}: &{next} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        let e = from_str::<serde_yaml::Value>(&doc).unwrap_err();
        assert!(e.message.contains("alias"), "{}", e.message);
    }
}
