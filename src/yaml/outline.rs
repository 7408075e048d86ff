//! Positions: where a field's value sits in YAML text, for errors found after
//! a successful read (an amount that does not parse, one party twice), which
//! the YAML library cannot place.
//!
//! `Outline` indexes a text's lines once; `Outline::locate` then follows a
//! field path (`deals[1].parties`) through block mappings and sequences by
//! indentation. Nothing here reads YAML values or knows about articles.

use std::collections::HashMap;

/// One step of a field path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step<'a> {
    /// A mapping key.
    Key(&'a str),
    /// A sequence index, from 0.
    Index(usize),
}

/// Splits `deals[1].parties` into steps.
pub fn parse_path(path: &str) -> Vec<Step<'_>> {
    let mut steps = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        // Trailing `[N]` groups are indexes; any other bracket belongs to the
        // key (a mapping key is the editor's text: `rates.P[]]`).
        let mut key = part;
        let mut indexes = Vec::new();
        while let Some(open) = key.strip_suffix(']').and_then(|k| k.rfind('[')) {
            match key[open + 1..key.len() - 1].parse::<usize>() {
                Ok(n) => {
                    indexes.push(n);
                    key = &key[..open];
                }
                Err(_) => break,
            }
        }
        if !key.is_empty() {
            steps.push(Step::Key(key));
        }
        steps.extend(indexes.into_iter().rev().map(Step::Index));
    }
    steps
}

/// Finds the 1-based (line, column in characters) of the value at `path` in block-style YAML,
/// or of the deepest enclosing entry it could find (flow style, odd layouts).
/// Returns `None` only when not even the first key is found. For many
/// questions about one text, make its `Outline` once.
pub fn locate(text: &str, path: &str) -> Option<(usize, usize)> {
    Outline::new(text).locate(path)
}

/// A YAML text's lines, indexed once so that each `locate` costs time
/// logarithmic in the number of lines rather than a scan of all of them: a
/// front matter with 80,000 aliases asks where each one is.
///
/// The scanner follows block mappings and sequences by indentation: a
/// `key:` entry (or `"key":`) at the block's indent, or after `- ` ending
/// there; the `n`th `- ` item at the block's indent, or the key line itself
/// for a flow sequence. A nested block runs until the next line indented no
/// deeper than its entry; blank and comment lines count for nothing.
#[derive(Debug)]
pub struct Outline<'a> {
    lines: Vec<&'a str>,
    /// Per line, its indent counting every kind of white space.
    indent: Vec<usize>,
    /// Per line, the first significant line after it that is indented no
    /// deeper: where the block it opens ends (the line count if none).
    block_end: Vec<usize>,
    /// Per line, and one past the last: the first significant line at or after it.
    next_significant: Vec<usize>,
    /// `(indent, key)` → the lines with that `key:` entry at that indent and
    /// the byte column of each value, in line order.
    keys: HashMap<(usize, &'a str), Vec<(usize, usize)>>,
    /// Indent → the lines with a `- ` item at that indent and the byte
    /// column of each value, in line order.
    items: HashMap<usize, Vec<(usize, usize)>>,
}

impl<'a> Outline<'a> {
    /// Indexes `text`, in one pass over its lines.
    pub fn new(text: &'a str) -> Outline<'a> {
        let lines: Vec<&str> = text.lines().collect();
        let n = lines.len();
        let indent: Vec<usize> = lines
            .iter()
            .map(|l| l.len() - l.trim_start().len())
            .collect();
        let significant = |i: usize| {
            let l = lines[i].trim_start();
            !l.is_empty() && !l.starts_with('#')
        };
        let mut next_significant = vec![n; n + 1];
        let mut block_end = vec![n; n];
        // Significant lines below the current one, the nearest on top; their
        // indents never decrease towards the top, so the nearest indented no
        // deeper than a line is found by a binary search, and a significant
        // line hides every deeper one below it from the lines above.
        let mut below: Vec<usize> = Vec::new();
        for i in (0..n).rev() {
            let own = indent[i];
            let shallow = below.partition_point(|&j| indent[j] <= own);
            block_end[i] = shallow.checked_sub(1).map_or(n, |k| below[k]);
            if significant(i) {
                next_significant[i] = i;
                below.truncate(shallow);
                below.push(i);
            } else {
                next_significant[i] = next_significant[i + 1];
            }
        }
        let mut keys: HashMap<(usize, &str), Vec<(usize, usize)>> = HashMap::new();
        let mut items: HashMap<usize, Vec<(usize, usize)>> = HashMap::new();
        for (i, &line) in lines.iter().enumerate() {
            let lead = line.len() - line.trim_start_matches(' ').len();
            let rest = &line[lead..];
            let mut entry_at = |at: usize| {
                if let Some((key, value)) = entry_key(line, at) {
                    keys.entry((at, key)).or_default().push((i, value));
                }
            };
            entry_at(lead);
            if rest.starts_with("- ") {
                let after = &line[lead + 2..];
                entry_at(line.len() - after.trim_start_matches(' ').len());
            }
            if rest.starts_with("- ") || rest.trim_end() == "-" {
                let after = &line[lead + 1..];
                items
                    .entry(lead)
                    .or_default()
                    .push((i, line.len() - after.trim_start().len()));
            }
        }
        Outline {
            lines,
            indent,
            block_end,
            next_significant,
            keys,
            items,
        }
    }

    /// The 0-based line `i` of the text.
    pub fn line(&self, i: usize) -> Option<&'a str> {
        self.lines.get(i).copied()
    }

    /// Where the value at `path` is, as the free function `locate` says.
    pub fn locate(&self, path: &str) -> Option<(usize, usize)> {
        let lines = &self.lines;
        let mut found = None;
        // The block we search in: lines [start, end) whose entries sit at `indent`.
        let (mut start, mut end, mut indent) = (0usize, lines.len(), 0usize);
        for step in parse_path(path) {
            let hit = match step {
                Step::Key(key) => self.find_key(start, end, indent, key),
                Step::Index(n) => self.find_item(start, end, indent, n),
            };
            let Some((line, value_col)) = hit else { break };
            // Columns count characters, like every position dealwire prints.
            let col = lines[line]
                .get(..value_col)
                .map_or(value_col, |b| b.chars().count());
            found = Some((line + 1, col + 1));
            let entry_indent = self.indent[line];
            let block_end = self.block_end[line].min(end);
            // A value on the same line (`- amount: x` or `key: [a, b]`) continues at
            // its own column; a nested block continues on the next lines.
            let rest = lines[line][value_col.min(lines[line].len())..].trim();
            if rest.is_empty() {
                start = line + 1;
                end = block_end;
                let first = self.next_significant[start];
                indent = if first < end {
                    self.indent[first]
                } else {
                    entry_indent + 2
                };
            } else {
                start = line;
                end = block_end;
                indent = value_col;
            }
        }
        found
    }

    /// The first `key:` entry at exactly `indent` (or after `- ` ending at
    /// `indent`) in lines [start, end): its line and value column.
    fn find_key(
        &self,
        start: usize,
        end: usize,
        indent: usize,
        key: &str,
    ) -> Option<(usize, usize)> {
        let hits = self.keys.get(&(indent, key))?;
        let first = hits.partition_point(|&(line, _)| line < start);
        hits.get(first).filter(|&&(line, _)| line < end).copied()
    }

    /// The `n`th `- ` item of a block sequence at `indent` in lines [start,
    /// end), or the key line itself for a flow sequence.
    fn find_item(
        &self,
        start: usize,
        end: usize,
        indent: usize,
        n: usize,
    ) -> Option<(usize, usize)> {
        if start < end
            && self
                .lines
                .get(start)
                .and_then(|l| l.get(indent..))
                .is_some_and(|rest| rest.trim_start().starts_with('['))
        {
            return Some((start, indent));
        }
        let hits = self.items.get(&indent)?;
        let first = hits.partition_point(|&(line, _)| line < start);
        hits.get(first.checked_add(n)?)
            .filter(|&&(line, _)| line < end)
            .copied()
    }
}

/// The key of a `key:` or `"key":` entry starting at byte `at` of `line`, and
/// the byte column of its value (past the colon and the white space after
/// it). A plain key ends at the first colon followed by white space or the
/// end of the line, as YAML's do.
fn entry_key(line: &str, at: usize) -> Option<(&str, usize)> {
    let rest = line.get(at..)?;
    let quoted = rest.strip_prefix('"').and_then(|inner| {
        let close = inner.find('"')?;
        inner[close + 1..]
            .starts_with(':')
            .then(|| (&inner[..close], close + 3))
    });
    let (key, past_colon) = quoted.or_else(|| {
        let bytes = rest.as_bytes();
        let (colon, _) = rest
            .match_indices(':')
            .find(|&(i, _)| matches!(bytes.get(i + 1), None | Some(b' ' | b'\t')))?;
        Some((&rest[..colon], colon + 1))
    })?;
    let after_colon = &rest[past_colon..];
    let skip = after_colon.len() - after_colon.trim_start().len();
    Some((key, at + past_colon + skip))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FM: &str = "title: T\ndate: 2025-11-03\ndeal:\n  amount: 38 zillion\n  parties: [OpenAI]\ndeals:\n  - amount: $1B\n    parties:\n      - A\n      - B\n  - amount: $2B\n    parties: [C, C]\n";

    #[test]
    fn locates_nested_fields() {
        assert_eq!(locate(FM, "title"), Some((1, 8)));
        assert_eq!(locate(FM, "deal.amount"), Some((4, 11)));
        assert_eq!(locate(FM, "deal.parties"), Some((5, 12)));
        assert_eq!(locate(FM, "deals[0].amount"), Some((7, 13)));
        assert_eq!(locate(FM, "deals[0].parties[1]"), Some((10, 9)));
        assert_eq!(locate(FM, "deals[1].amount"), Some((11, 13)));
        assert_eq!(locate(FM, "deals[1].parties"), Some((12, 14)));
        assert_eq!(locate(FM, "deals[1].parties[1]"), Some((12, 14)));
    }

    #[test]
    fn falls_back_to_the_enclosing_entry() {
        let flow = "deal: { amount: x, parties: [A] }\n";
        assert_eq!(locate(flow, "deal.amount"), Some((1, 7)));
        assert_eq!(locate(flow, "missing"), None);
    }

    #[test]
    fn odd_keys_are_keys() {
        assert_eq!(
            parse_path("rates.P[]]"),
            vec![Step::Key("rates"), Step::Key("P[]]")]
        );
        assert_eq!(
            parse_path("a[x][2]"),
            vec![Step::Key("a[x]"), Step::Index(2)]
        );
        assert_eq!(locate("rates:\n P[]]: s\n", "rates.P[]]"), Some((2, 8)));
    }

    #[test]
    fn parses_paths() {
        assert_eq!(
            parse_path("deals[1].parties[0]"),
            vec![
                Step::Key("deals"),
                Step::Index(1),
                Step::Key("parties"),
                Step::Index(0)
            ]
        );
    }

    // The scanner as it was before `Outline`, one scan of the lines per
    // step: the reference that the indexed one must agree with.
    // Finds the 1-based (line, column in characters) of the value at `path` in block-style YAML,
    // or of the deepest enclosing entry it could find (flow style, odd layouts).
    // Returns `None` only when not even the first key is found.
    fn scan_locate(text: &str, path: &str) -> Option<(usize, usize)> {
        let lines: Vec<&str> = text.lines().collect();
        let mut found = None;
        // The block we search in: lines [start, end) whose entries sit at `indent`.
        let (mut start, mut end, mut indent) = (0usize, lines.len(), 0usize);
        for step in parse_path(path) {
            let hit = match step {
                Step::Key(key) => scan_find_key(&lines, start, end, indent, key),
                Step::Index(n) => scan_find_item(&lines, start, end, indent, n),
            };
            let Some((line, value_col)) = hit else { break };
            // Columns count characters, like every position dealwire prints.
            let col = lines[line]
                .get(..value_col)
                .map_or(value_col, |b| b.chars().count());
            found = Some((line + 1, col + 1));
            let entry_indent = lines[line].len() - lines[line].trim_start().len();
            let block_end = (line + 1..end)
                .find(|&i| {
                    let l = lines[i];
                    !l.trim().is_empty()
                        && !l.trim_start().starts_with('#')
                        && l.len() - l.trim_start().len() <= entry_indent
                })
                .unwrap_or(end);
            // A value on the same line (`- amount: x` or `key: [a, b]`) continues at
            // its own column; a nested block continues on the next lines.
            let rest = lines[line][value_col.min(lines[line].len())..].trim();
            if rest.is_empty() {
                start = line + 1;
                end = block_end;
                indent = (start..end)
                    .map(|i| lines[i])
                    .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
                    .map(|l| l.len() - l.trim_start().len())
                    .unwrap_or(entry_indent + 2);
            } else {
                start = line;
                end = block_end;
                indent = value_col;
            }
        }
        found
    }

    // A `key:` entry at exactly `indent` (or after `- ` ending at `indent`).
    fn scan_find_key(
        lines: &[&str],
        start: usize,
        end: usize,
        indent: usize,
        key: &str,
    ) -> Option<(usize, usize)> {
        (start..end).find_map(|i| {
            let line = lines[i];
            let at = scan_entry_start(line, indent)?;
            let rest = &line[at..];
            let after = rest.strip_prefix(key).or_else(|| {
                rest.strip_prefix('"')
                    .and_then(|r| r.strip_prefix(key))
                    .and_then(|r| r.strip_prefix('"'))
            })?;
            let after_colon = after.strip_prefix(':')?;
            let skip = after_colon.len() - after_colon.trim_start().len();
            Some((i, line.len() - after_colon.len() + skip))
        })
    }

    // Where an entry of a block at `indent` starts on `line`, if it does.
    fn scan_entry_start(line: &str, indent: usize) -> Option<usize> {
        let lead = line.len() - line.trim_start_matches(' ').len();
        if lead == indent {
            return Some(indent);
        }
        // `- key:` where the key lands at `indent`.
        if lead < indent && line[lead..].starts_with("- ") {
            let after = lead
                + 2
                + (line[lead + 2..].len() - line[lead + 2..].trim_start_matches(' ').len());
            return (after == indent).then_some(indent);
        }
        None
    }

    // The `n`th `- ` item of a block sequence at `indent`, or the key line itself
    // for a flow sequence.
    fn scan_find_item(
        lines: &[&str],
        start: usize,
        end: usize,
        indent: usize,
        n: usize,
    ) -> Option<(usize, usize)> {
        if start < lines.len() && start < end {
            let line = lines[start];
            if line
                .get(indent..)
                .is_some_and(|rest| rest.trim_start().starts_with('['))
            {
                return Some((start, indent));
            }
        }
        (start..end)
            .filter(|&i| {
                let l = lines[i];
                let lead = l.len() - l.trim_start_matches(' ').len();
                lead == indent && (l[lead..].starts_with("- ") || l[lead..].trim_end() == "-")
            })
            .nth(n)
            .map(|i| {
                let l = lines[i];
                let after = &l[indent + 1..];
                (i, l.len() - after.trim_start().len())
            })
    }

    fn yaml_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let key = prop::sample::select(vec!["a", "b", "deal", "parties", "\"a\""]);
        let value = prop::sample::select(vec!["", " x", " [A, B]", " { a: 1 }", " # c", "  y"]);
        let line = prop_oneof![
            (0..7usize, any::<bool>(), key, value).prop_map(|(indent, dash, key, value)| {
                let dash = if dash { "- " } else { "" };
                format!("{}{dash}{key}:{value}", " ".repeat(indent))
            }),
            (
                0..7usize,
                prop::sample::select(vec!["- x", "-", "- [A]", "# note", "", "\tx"])
            )
                .prop_map(|(indent, rest)| format!("{}{rest}", " ".repeat(indent))),
        ];
        prop::collection::vec(line, 0..24).prop_map(|lines| lines.join("\n"))
    }

    fn field_path() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let step = prop_oneof![
            prop::sample::select(vec![".a", ".b", ".deal", ".parties"]).prop_map(String::from),
            (0..4usize).prop_map(|i| format!("[{i}]")),
        ];
        prop::collection::vec(step, 1..5).prop_map(|steps| steps.concat())
    }

    proptest::proptest! {
        #[test]
        fn the_index_answers_as_the_scan(text in yaml_text(), paths in proptest::collection::vec(field_path(), 1..8)) {
            let outline = Outline::new(&text);
            for path in &paths {
                let path = path.trim_start_matches('.');
                proptest::prop_assert_eq!(outline.locate(path), scan_locate(&text, path), "{} in {:?}", path, text);
            }
        }
    }

    #[test]
    fn the_index_answers_as_the_scan_on_the_examples() {
        let texts = [
            FM,
            "deal: { amount: x, parties: [A] }\n",
            "rates:\n P[]]: s\n",
            "a:\n\n  # c\n  b:\n    - x\n    -\n    - c: 1\n      d: [2]\n",
        ];
        for text in texts {
            let outline = Outline::new(text);
            for path in [
                "a",
                "a.b",
                "a.b[1]",
                "a.b[2].c",
                "a.b[2].d",
                "a.b[2].d[0]",
                "deal.parties[1]",
                "deals[1].parties[1]",
                "deals[0].parties[1]",
                "rates.P[]]",
                "title",
                "deal",
            ] {
                assert_eq!(
                    outline.locate(path),
                    scan_locate(text, path),
                    "{path} in {text:?}"
                );
            }
        }
    }

    #[test]
    fn a_long_list_is_indexed_once() {
        let mut text = String::from("title: T\naliases:\n");
        for i in 0..80_000 {
            text.push_str(&format!("  - /old/{i}/\n"));
        }
        text.push_str("deals:\n  - amount: x\n    parties: [A, B]\n");
        let outline = Outline::new(&text);
        assert_eq!(outline.locate("aliases[0]"), Some((3, 5)));
        assert_eq!(outline.locate("aliases[79999]"), Some((80_002, 5)));
        assert_eq!(outline.locate("aliases[80000]"), Some((2, 9)));
        assert_eq!(outline.locate("deals[0].parties"), Some((80_005, 14)));
        assert_eq!(
            outline.locate(&format!("aliases[{}]", usize::MAX)),
            Some((2, 9))
        );
    }
}
