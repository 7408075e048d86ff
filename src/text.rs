//! Text as dealwire reads it: the code points that may not reach a page or a
//! feed. XML 1.0 forbids C0 controls other than tab, line feed and carriage
//! return; HTML forbids the C1 controls and the noncharacters too. Each is
//! replaced by U+FFFD when a file is decoded, so every later stage (the
//! Markdown renderer, the feeds, the exports) sees only text that is safe to
//! write, and lines and columns (counted in characters) do not move.
//!
//! A lone carriage return (old Mac line ends) becomes a line feed: YAML and
//! CommonMark both read it as a line break, and so then does every line count
//! of ours, so positions in YAML errors and in our own agree.

use std::borrow::Cow;

/// Whether a character may not appear in a page or feed.
pub fn is_forbidden(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
        || matches!(c, '\u{fdd0}'..='\u{fdef}')
        || (c as u32) & 0xfffe == 0xfffe
}

/// The first forbidden character of a text: (1-based line, 1-based column in
/// characters, the character), and how many there are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Forbidden {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
    /// The first forbidden character.
    pub first: char,
    /// How many forbidden characters the text holds.
    pub count: usize,
}

/// The byte offset of the first forbidden character. Bytes are looked at
/// first: only a control byte or the lead byte of a sequence that may encode a
/// forbidden character (C1 controls start with 0xC2, noncharacters with 0xEF
/// or 0xF0–0xF4) sends the scan to decode characters, so prose costs a pass.
fn first_forbidden(text: &str) -> Option<usize> {
    // Branch-free, so that the check of a whole chunk compiles to vector code.
    fn suspect(b: u8) -> bool {
        (b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r')
            | (b == 0x7f)
            | (b == 0xc2)
            | (b == 0xef)
            | (b.wrapping_sub(0xf0) < 5)
    }
    const CHUNK: usize = 64;
    let bytes = text.as_bytes();
    let mut from = 0;
    while from < bytes.len() {
        let end = (from + CHUNK).min(bytes.len());
        if !bytes[from..end]
            .iter()
            .fold(false, |any, &b| any | suspect(b))
        {
            from = end;
            continue;
        }
        let Some(i) = bytes[from..end].iter().position(|&b| suspect(b)) else {
            from = end;
            continue;
        };
        let at = from + i;
        // `at` is a character boundary: every suspect byte is ASCII or a lead byte.
        match text[at..].chars().next() {
            Some(c) if is_forbidden(c) => return Some(at),
            Some(c) => from = at + c.len_utf8(),
            None => return None,
        }
    }
    None
}

/// `text` with every lone carriage return made a line feed (`\r\n` stays).
pub fn line_ends(text: &str) -> Cow<'_, str> {
    let lone = |t: &str| {
        t.contains('\r')
            && t.match_indices('\r')
                .any(|(i, _)| !t[i + 1..].starts_with('\n'))
    };
    if !lone(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(if c == '\r' && chars.peek() != Some(&'\n') {
            '\n'
        } else {
            c
        });
    }
    Cow::Owned(out)
}

/// `text` with lone carriage returns made line feeds (`line_ends`) and every
/// forbidden character replaced by U+FFFD, and where the first one was. Borrows when there is none (the common case).
pub fn clean(text: &str) -> (Cow<'_, str>, Option<Forbidden>) {
    let text = line_ends(text);
    let Some(at) = first_forbidden(&text) else {
        return (text, None);
    };
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    let first = text[at..].chars().next().unwrap_or('\u{0}');
    let count = text[at..].chars().filter(|&c| is_forbidden(c)).count();
    let cleaned: String = text
        .chars()
        .map(|c| if is_forbidden(c) { '\u{fffd}' } else { c })
        .collect();
    (
        Cow::Owned(cleaned),
        Some(Forbidden {
            line,
            col,
            first,
            count,
        }),
    )
}

impl Forbidden {
    /// The warning's message.
    pub fn message(&self) -> String {
        format!(
            "control character U+{:04X} replaced by U+FFFD{}",
            self.first as u32,
            match self.count {
                1 => String::new(),
                n => format!(" ({n} such characters in the file)"),
            }
        )
    }
}

/// At most `max` characters of `text`, cut at a word boundary with an
/// ellipsis when it is longer: what a page's meta description shows.
pub fn excerpt(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    let Some((cut, _)) = text.char_indices().nth(max) else {
        return std::borrow::Cow::Borrowed(text);
    };
    // Keep room for the ellipsis, end at the last space, drop trailing commas.
    let head = &text[..cut];
    let head = head
        .rsplit_once(char::is_whitespace)
        .map_or(head, |(h, _)| h);
    let head = head.trim_end_matches(|c: char| {
        c.is_whitespace() || matches!(c, ',' | ';' | ':' | '-' | '–' | '—')
    });
    std::borrow::Cow::Owned(format!("{head}…"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_end_at_a_word() {
        assert_eq!(excerpt("short", 160), "short");
        let long = "OpenAI signed a seven-year, $38 billion contract with Amazon Web Services, its first large cloud deal outside Microsoft Azure, on top of commitments with Oracle and Nvidia.";
        let cut = excerpt(long, 100);
        assert_eq!(
            cut,
            "OpenAI signed a seven-year, $38 billion contract with Amazon Web Services, its first large cloud…"
        );
        assert!(cut.chars().count() <= 101);
        assert_eq!(excerpt("ééééé ééééé", 8), "ééééé…");
        assert_eq!(excerpt("onewordthatislong", 5), "onewo…");
    }

    #[test]
    fn replaces_controls_and_says_where() {
        let (text, found) = clean("ok\ttab\nà\u{0}b\u{7}\u{85}\u{ffff}");
        assert_eq!(text, "ok\ttab\nà\u{fffd}b\u{fffd}\u{fffd}\u{fffd}");
        let found = found.expect("found");
        assert_eq!(
            (found.line, found.col, found.first, found.count),
            (2, 2, '\u{0}', 4)
        );
        assert!(matches!(clean("plain\r\n"), (Cow::Borrowed(_), None)));
        assert!(matches!(
            clean("é € 𝄞 \u{a0} \u{fffd}"),
            (Cow::Borrowed(_), None)
        ));
        for bad in [
            '\u{85}',
            '\u{9f}',
            '\u{fdd0}',
            '\u{fffe}',
            '\u{1fffe}',
            '\u{10ffff}',
            '\u{7f}',
        ] {
            let text = format!("é{bad}x");
            assert_eq!(first_forbidden(&text), Some(2), "U+{:04X}", bad as u32);
        }
        assert_eq!(clean("a\rb\r\nc\r").0, "a\nb\r\nc\n");
    }
}
