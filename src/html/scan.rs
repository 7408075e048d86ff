//! The scan of an article's raw HTML, piece by piece as Markdown hands it
//! over: the notes an editor gets about what the sanitizer removes (one per
//! kind and article, with the lines of the others) and what is unbalanced,
//! the words it holds, and the line of each `href`/`src`.

use std::collections::HashMap;

use html5ever::tokenizer::{TagKind, Token};

use super::{HtmlPolicy, OPTIONAL_END, VOID, cell_alignment, lists, tokens, url_kept};

/// How many lines of the repeats of a removal its note lists.
const SHOWN_LINES: usize = 5;

/// A note for the editor about what the raw HTML policy changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Note {
    /// 1-based body line (of its first occurrence, for a removal).
    pub line: usize,
    /// What happened there.
    pub message: String,
    /// For a removal: later removals of its kind in the article.
    pub more: usize,
    /// Their body lines, the first few (`SHOWN_LINES`, and one to say there
    /// are more).
    more_lines: Vec<usize>,
    /// Whether it is the sanitizer's removal (else a note on balance).
    removal: bool,
    /// Another body line the message speaks of (where an element closed).
    other_line: Option<usize>,
}

impl Note {
    /// The note as the editor reads it, body lines shifted by `shift` (the
    /// file line before the body's first) so that they are the file's.
    pub fn text(&self, shift: usize) -> String {
        let mut text = self.message.clone();
        if let Some(line) = self.other_line {
            text.push_str(&format!(" (line {})", line + shift));
        }
        if self.more > 0 {
            let shown: Vec<String> = self
                .more_lines
                .iter()
                .take(SHOWN_LINES)
                .map(|l| (l + shift).to_string())
                .collect();
            let word = if self.more_lines.len() == 1 {
                "line"
            } else {
                "lines"
            };
            let etc = if self.more_lines.len() > SHOWN_LINES {
                "…"
            } else {
                ""
            };
            text.push_str(&format!(
                ", and {} more like it in this article ({word} {}{etc}; raw HTML is sanitized)",
                self.more,
                shown.join(", ")
            ));
        } else if self.removal {
            text.push_str(" (raw HTML is sanitized)");
        }
        text
    }

    fn balance(line: usize, message: String) -> Note {
        Note {
            line,
            message,
            ..Note::default()
        }
    }
}

/// What the scan of a body's raw HTML found.
#[derive(Debug, Default)]
pub struct Scan {
    /// Notes for the editor, in the order met.
    pub notes: Vec<Note>,
    /// Words of text inside the raw HTML (scripts and styles excluded).
    pub words: usize,
    /// Line and column of each `href`/`src` value, by value (first seen).
    pub urls: HashMap<String, (usize, usize)>,
    /// Elements opened and not closed yet: (name, line, whether it is or sits
    /// inside one that goes with its content).
    open: Vec<(String, usize, bool)>,
    /// For each kind of removal noted, its note's index.
    repeats: HashMap<String, usize>,
}

impl Scan {
    /// Reads one piece of raw HTML (an HTML block, or one inline tag) that
    /// starts on body line `line`.
    pub fn read(&mut self, html: &str, line: usize, policy: HtmlPolicy) {
        for (token, token_line) in tokens(html) {
            self.token(token, line + token_line.saturating_sub(1), policy);
        }
    }

    fn token(&mut self, token: Token, line: usize, policy: HtmlPolicy) {
        let lists = lists();
        match token {
            Token::CharacterTokens(text) if !self.hidden() => {
                self.words += text.split_whitespace().count();
            }
            Token::TagToken(tag) => {
                let name = tag.name.to_string();
                if tag.kind == TagKind::EndTag {
                    return self.close(&name, line, policy);
                }
                // What sits inside a removed element goes with it: no more notes.
                let hidden = self.hidden();
                if policy == HtmlPolicy::Sanitize && !hidden {
                    self.check_tag(&name, &tag.attrs, line);
                }
                for attr in &tag.attrs {
                    if matches!(&*attr.name.local, "href" | "src") && !hidden {
                        self.urls.entry(attr.value.to_string()).or_insert((line, 1));
                    }
                }
                if !tag.self_closing && !VOID.contains(&name.as_str()) {
                    let goes = hidden || lists.content_removed.contains(name.as_str());
                    self.open.push((name, line, goes));
                }
            }
            _ => {}
        }
    }

    /// Whether the scan is inside an element removed with its content.
    fn hidden(&self) -> bool {
        self.open.last().is_some_and(|(_, _, hidden)| *hidden)
    }

    /// Notes what the sanitizer removes from one start tag: one note per kind
    /// (an element, an attribute, any event handler) and article.
    fn check_tag(&mut self, name: &str, attrs: &[html5ever::Attribute], line: usize) {
        let lists = lists();
        if lists.content_removed.contains(name) {
            let note = format!("`<{name}>` is removed with its content");
            return self.note_once(name.to_string(), line, note);
        }
        if !lists.tags.contains(name) {
            let note = format!("`<{name}>` is removed, its text kept");
            return self.note_once(name.to_string(), line, note);
        }
        for attr in attrs {
            let attribute = &*attr.name.local;
            let value = attr.value.trim();
            let allowed = lists.generic.contains(attribute)
                || lists
                    .per_tag
                    .get(name)
                    .is_some_and(|a| a.contains(attribute))
                || lists
                    .values
                    .get(name)
                    .and_then(|a| a.get(attribute))
                    .is_some_and(|v| v.iter().any(|v| v.eq_ignore_ascii_case(value)));
            let bad_url = matches!(attribute, "href" | "src") && !url_kept(value);
            let bad_style = attribute == "style" && cell_alignment(name, value).is_none();
            if !allowed || bad_url || bad_style {
                let shown: String = value.chars().take(40).collect();
                let note = format!("`{attribute}=\"{shown}\"` is removed from `<{name}>`");
                let kind = if attribute.starts_with("on") {
                    "on*"
                } else {
                    attribute
                };
                self.note_once(format!("attribute {kind}"), line, note);
            }
        }
    }

    /// Notes a removal the first time its kind is met; later ones are counted
    /// on that note, with their first lines, so an article with a hundred
    /// styled cells gets one warning.
    fn note_once(&mut self, kind: String, line: usize, note: String) {
        match self.repeats.get(&kind) {
            Some(&at) => {
                let first = &mut self.notes[at];
                first.more += 1;
                let lines = &mut first.more_lines;
                if lines.len() <= SHOWN_LINES && !lines.contains(&line) {
                    lines.push(line);
                }
            }
            None => {
                self.repeats.insert(kind, self.notes.len());
                self.notes.push(Note {
                    line,
                    message: note,
                    removal: true,
                    ..Note::default()
                });
            }
        }
    }

    fn close(&mut self, name: &str, line: usize, policy: HtmlPolicy) {
        match self.open.iter().rposition(|(open, _, _)| open == name) {
            Some(at) => {
                for (inner, opened, _) in self.open.drain(at + 1..).collect::<Vec<_>>() {
                    if !OPTIONAL_END.contains(&inner.as_str()) {
                        self.notes.push(Note {
                            other_line: Some(line),
                            ..Note::balance(
                                opened,
                                format!("`<{inner}>` is not closed before `</{name}>`"),
                            )
                        });
                    }
                }
                self.open.truncate(at);
            }
            None if policy != HtmlPolicy::Escape && !VOID.contains(&name) => {
                self.notes.push(Note::balance(
                    line,
                    format!("a stray `</{name}>` closes nothing the article opened: it is dropped"),
                ));
            }
            None => {}
        }
    }

    /// Whether the innermost element the raw HTML left open takes phrasing
    /// content only (`span`, `a`, `summary`…), where a `<p>` may not go.
    pub fn in_phrasing(&self) -> bool {
        const PHRASING: [&str; 24] = [
            "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "i", "kbd",
            "label", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "summary", "sup",
            "u",
        ];
        self.open
            .last()
            .is_some_and(|(name, _, _)| PHRASING.contains(&name.as_str()))
    }

    /// Ends the body: elements still open are noted.
    pub fn finish(&mut self, policy: HtmlPolicy) {
        self.repeats.clear();
        if policy == HtmlPolicy::Escape {
            return;
        }
        for (name, line, _) in std::mem::take(&mut self.open) {
            if !OPTIONAL_END.contains(&name.as_str()) {
                self.notes.push(Note::balance(
                    line,
                    format!("`<{name}>` is not closed: it ends with the article"),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_come_once_per_kind_in_an_article() {
        let mut scan = Scan::default();
        let p = HtmlPolicy::Sanitize;
        scan.read(
            "<table><tr><td style=\"color: red\">a</td><th style=\"x: y\">b</th><td style=\"text-align: center\">c</td></tr></table>",
            2,
            p,
        );
        scan.read("<p style=\"margin: 0\" onclick=\"a()\">d</p>", 4, p);
        scan.read(
            "<img src=\"i.png\" onerror=\"b()\"><a href=\"http://[bad\">x</a>",
            6,
            p,
        );
        scan.finish(p);
        let notes: Vec<String> = scan
            .notes
            .iter()
            .map(|n| format!("{}: {}", n.line, n.text(0)))
            .collect();
        assert_eq!(
            notes,
            [
                "2: `style=\"color: red\"` is removed from `<td>`, and 2 more like it in this article (lines 2, 4; raw HTML is sanitized)",
                "4: `onclick=\"a()\"` is removed from `<p>`, and 1 more like it in this article (line 6; raw HTML is sanitized)",
                "6: `href=\"http://[bad\"` is removed from `<a>` (raw HTML is sanitized)",
            ]
        );
    }

    #[test]
    fn the_scan_names_what_goes_and_what_is_unbalanced() {
        let mut scan = Scan::default();
        let p = HtmlPolicy::Sanitize;
        scan.read(
            "<div class=\"x\" onclick=\"go()\">\nsome words here\n<script>var a = 1;</script>",
            3,
            p,
        );
        scan.read("</span>", 9, p);
        scan.finish(p);
        let notes: Vec<String> = scan
            .notes
            .iter()
            .map(|n| format!("{}: {}", n.line, n.text(0)))
            .collect();
        assert_eq!(
            notes,
            [
                "3: `onclick=\"go()\"` is removed from `<div>` (raw HTML is sanitized)",
                "5: `<script>` is removed with its content (raw HTML is sanitized)",
                "9: a stray `</span>` closes nothing the article opened: it is dropped",
                "3: `<div>` is not closed: it ends with the article",
            ]
        );
        assert_eq!(scan.words, 3);
    }
}
