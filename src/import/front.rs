//! Reading an imported post's front matter: TOML (`+++`) or YAML (`---`)
//! into a generic value, and taking its keys out one by one (what is left is
//! reported as dropped).

use serde_json::Value;

use crate::slug::Slug;

/// The front matter as a generic value, the body after it, and notes. With
/// `last_wins` (Jekyll, whose YAML reader keeps the last of a top-level key
/// given twice), such a key's earlier values are left out, each with a note
/// naming its lines, instead of an error.
pub fn front_matter(text: &str, last_wins: bool) -> Result<(Value, &str, Vec<String>), String> {
    let mut notes = Vec::new();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (fence, toml) in [("+++", true), ("---", false)] {
        let Some(rest) = text.strip_prefix(fence) else {
            continue;
        };
        let Some(rest) = rest
            .trim_start_matches([' ', '\t'])
            .strip_prefix('\n')
            .or_else(|| rest.strip_prefix("\r\n"))
        else {
            continue;
        };
        let mut offset = 0;
        for line in rest.split_inclusive('\n') {
            if line.trim_end() == fence {
                let head = &rest[..offset];
                let body = &rest[offset + line.len()..];
                let value = if toml {
                    toml::from_str::<toml::Value>(head)
                        .map(from_toml)
                        .map_err(|e| {
                            format!("the TOML front matter does not parse: {}", e.message())
                        })?
                } else {
                    yaml_last_wins(head, last_wins, &mut notes)?
                };
                return Ok((value, body, notes));
            }
            offset += line.len();
        }
        return Err(format!("the front matter has no closing `{fence}`"));
    }
    Err("no front matter (`+++` TOML or `---` YAML)".into())
}

/// YAML front matter (from the file's second line) as a generic value;
/// with `last_wins`, a top-level key given twice keeps its last value.
fn yaml_last_wins(head: &str, last_wins: bool, notes: &mut Vec<String>) -> Result<Value, String> {
    let mut lines: Vec<&str> = head.split_inclusive('\n').collect();
    loop {
        let text: String = lines.concat();
        let e = match crate::yaml::from_str::<Value>(&text) {
            Ok(value) => return Ok(value),
            Err(e) => e,
        };
        let again = match (last_wins, e.duplicate(), e.position) {
            (true, Some((key, Some(first))), Some((line, _))) if e.field == key && first < line => {
                Some((key.to_string(), first, line))
            }
            _ => None,
        };
        let Some((key, first, line)) = again else {
            let e = e.in_file(2);
            return Err(format!(
                "the YAML front matter does not parse: {}",
                e.message
            ));
        };
        // The first value's lines (the key's, then its indented or listed
        // ones) are blanked, so that lines keep their numbers.
        let mut end = first;
        while end < lines.len() {
            let next = lines[end];
            let inside = next.starts_with([' ', '\t', '-', '#']) || next.trim().is_empty();
            if !inside {
                break;
            }
            end += 1;
        }
        for l in &mut lines[first - 1..end] {
            *l = "\n";
        }
        notes.push(format!(
            "`{key}` is given twice (lines {} and {}): the last value is kept, as Jekyll keeps it",
            first + 1,
            line + 1
        ));
    }
}

/// A TOML value as a generic one (a date-time as its text).
pub fn from_toml(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(from_toml).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, from_toml(v))).collect())
        }
    }
}

/// A key's value as text (numbers and dates too).
pub fn take_text(fields: &mut serde_json::Map<String, Value>, key: &str) -> Option<String> {
    match fields.remove(key)? {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        other => {
            fields.insert(key.to_string(), other);
            None
        }
    }
}

/// A key's value as a flag (`true`, or the text `true`).
pub fn take_bool(fields: &mut serde_json::Map<String, Value>, key: &str) -> bool {
    take_bool_default(fields, key, false).unwrap_or(false)
}

/// A key's value as a flag, `default` when it is there but not a flag.
pub fn take_bool_default(
    fields: &mut serde_json::Map<String, Value>,
    key: &str,
    default: bool,
) -> Option<bool> {
    match fields.remove(key)? {
        Value::Bool(b) => Some(b),
        Value::String(s) if s == "true" || s == "false" => Some(s == "true"),
        _ => Some(default),
    }
}

/// A string or a list of strings; Jekyll also writes lists as words.
pub fn texts(value: Option<Value>, words: bool) -> Vec<String> {
    let items = match value {
        Some(Value::Array(a)) => a,
        Some(Value::String(s)) if words => s
            .split_whitespace()
            .map(|w| Value::String(w.into()))
            .collect(),
        Some(v @ Value::String(_)) => vec![v],
        _ => Vec::new(),
    };
    items
        .into_iter()
        .filter_map(|v| match v {
            Value::String(s) => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
        .filter(|s| !s.is_empty())
        .collect()
}

/// Removes names that make the same slug as an earlier one.
pub fn dedup(names: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    names.retain(|n| {
        seen.insert(
            Slug::from_text(n)
                .map(|s| s.to_string())
                .unwrap_or_else(|| n.clone()),
        )
    });
}
