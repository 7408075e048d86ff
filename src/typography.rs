//! Typography per language, applied to prose text only (never to code, which
//! the Markdown stage keeps apart): after pulldown-cmark's smart punctuation has
//! made quotes curly, French gets « » with narrow no-break spaces inside, and a
//! narrow no-break space (U+202F) before `; ! ?` and a no-break space (U+00A0)
//! before `:` where the editor typed a plain space.

use crate::i18n::Lang;

const NNBSP: char = '\u{202F}';
const NBSP: char = '\u{A0}';

/// Applies the language's rules to one run of text.
pub fn apply(text: &str, lang: Lang) -> String {
    match lang {
        Lang::En => text.to_string(),
        Lang::Fr => french(text),
    }
}

/// Plain text written outside the Markdown body (a title, a summary in
/// front matter) with what the body's smart punctuation gives prose:
/// curly quotes and apostrophes, `–` for `--`, `—` for `---`, `…` for
/// `...`; then the language's rules.
pub fn smart_text(text: &str, lang: Lang) -> String {
    let text = text
        .replace("---", "—")
        .replace("--", "–")
        .replace("...", "…");
    let mut out = String::with_capacity(text.len() + 8);
    let mut before: Option<char> = None;
    for c in text.chars() {
        // A quote opens after nothing, a space or an opening bracket.
        let opens =
            before.is_none_or(|b| b.is_whitespace() || matches!(b, '(' | '[' | '{' | '—' | '–'));
        out.push(match c {
            '"' if opens => '“',
            '"' => '”',
            '\'' if opens => '‘',
            '\'' => '’',
            c => c,
        });
        before = Some(c);
    }
    apply(&out, lang)
}

fn french(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            '“' | '«' => {
                out.push('«');
                out.push(NNBSP);
                if next == Some(' ') || next == Some(NBSP) {
                    i += 1;
                }
            }
            '”' | '»' => {
                if out.ends_with(' ') || out.ends_with(NBSP) {
                    out.pop();
                }
                if !out.ends_with(NNBSP) {
                    out.push(NNBSP);
                }
                out.push('»');
            }
            ' ' | NBSP if matches!(next, Some(';' | '!' | '?' | '%')) => out.push(NNBSP),
            ' ' if next == Some(':') => out.push(NBSP),
            c => out.push(c),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_get_the_punctuation_bodies_get() {
        assert_eq!(
            smart_text("OpenAI's \"big\" deal -- and 'more'...", Lang::En),
            "OpenAI’s “big” deal – and ‘more’…"
        );
        assert_eq!(
            smart_text("L'accord \"historique\" : 62 % du total", Lang::Fr),
            "L’accord «\u{202F}historique\u{202F}»\u{A0}: 62\u{202F}% du total"
        );
    }

    #[test]
    fn french_spacing_and_quotes() {
        assert_eq!(
            apply("Vraiment ? Oui ! Ceci : cela ; fin.", Lang::Fr),
            "Vraiment\u{202F}? Oui\u{202F}! Ceci\u{A0}: cela\u{202F}; fin."
        );
        assert_eq!(
            apply("il a dit “bonjour”", Lang::Fr),
            "il a dit «\u{202F}bonjour\u{202F}»"
        );
        assert_eq!(apply("« déjà »", Lang::Fr), "«\u{202F}déjà\u{202F}»");
        assert_eq!(
            apply("https://example.org?x", Lang::Fr),
            "https://example.org?x",
            "no space typed, nothing added"
        );
        assert_eq!(apply("Really ? “yes”", Lang::En), "Really ? “yes”");
    }
}
