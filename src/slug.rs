//! Slugs: the URL segments of articles, parties and tags.
//!
//! A `Slug` holds only `[a-z0-9-]`, never empty, never starting or ending with a
//! hyphen, so a path built from it cannot leave the output directory. Slugs
//! written by editors are checked, never repaired; slugs derived from file names
//! and party names are folded to ASCII.

use std::fmt;

use serde::Serialize;

/// The longest slug, in bytes: well under the 255 bytes a file name may have,
/// and longer than any title needs.
pub const MAX_LEN: usize = 100;

/// A checked URL segment: `[a-z0-9-]+`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Slug(String);

impl Slug {
    /// Accepts a slug exactly as written, or says why not.
    pub fn parse(text: &str) -> Result<Slug, String> {
        if text.is_empty() {
            return Err("a slug cannot be empty".into());
        }
        if let Some(bad) = text
            .chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
        {
            return Err(format!(
                "`{text}` is not a valid slug: `{bad}` is not allowed (use lowercase letters, digits and hyphens)"
            ));
        }
        if text.len() > MAX_LEN {
            return Err(format!(
                "`{text}` is not a valid slug: it is longer than {MAX_LEN} characters"
            ));
        }
        if text.starts_with('-') || text.ends_with('-') {
            return Err(format!(
                "`{text}` is not a valid slug: it cannot start or end with a hyphen"
            ));
        }
        Ok(Slug(text.to_string()))
    }

    /// Derives a slug from free text: accents folded to ASCII, lowercase, every
    /// other run of characters one hyphen. `None` when nothing is left.
    pub fn from_text(text: &str) -> Option<Slug> {
        // ASCII needs no folding (and most names and tags are ASCII).
        let folded: std::borrow::Cow<str> = if text.is_ascii() {
            text.into()
        } else {
            deunicode::deunicode(text).into()
        };
        let mut out = String::with_capacity(folded.len());
        for c in folded.chars() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            } else if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        }
        if out.len() > MAX_LEN {
            // Cut at the last word boundary that fits (or at the limit).
            let cut = out[..=MAX_LEN]
                .rfind('-')
                .filter(|&i| i > 0)
                .unwrap_or(MAX_LEN);
            out.truncate(cut);
        }
        let trimmed = out.trim_end_matches('-');
        (!trimmed.is_empty()).then(|| Slug(trimmed.to_string()))
    }

    /// Derives an article slug from a file stem, dropping a leading `YYYY-MM-DD-`.
    pub fn from_file_stem(stem: &str) -> Option<Slug> {
        Slug::from_text(strip_date_prefix(stem))
    }

    /// The slug text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn strip_date_prefix(stem: &str) -> &str {
    let b = stem.as_bytes();
    let is_date = b.len() > 11
        && b[..10].iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
        && b[10] == b'-';
    if is_date { &stem[11..] } else { stem }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_fit_in_a_file_name() {
        let long = "Accord ".repeat(60);
        let slug = Slug::from_text(&long).expect("slug");
        assert!(slug.as_str().len() <= MAX_LEN, "{slug}");
        assert!(slug.as_str().ends_with("accord"), "{slug}");
        assert!(
            Slug::from_text(&"x".repeat(300))
                .expect("slug")
                .as_str()
                .len()
                == MAX_LEN
        );
        assert!(Slug::parse(&"a".repeat(MAX_LEN + 1)).is_err());
    }

    #[test]
    fn checks_written_slugs() {
        assert!(Slug::parse("openai-amazon-38").is_ok());
        assert!(Slug::parse("a/b").unwrap_err().contains("`/`"));
        assert!(Slug::parse("..").is_err());
        assert!(Slug::parse("Upper").is_err());
        assert!(Slug::parse("").is_err());
        assert!(Slug::parse("-x").is_err());
    }

    #[test]
    fn derives_from_file_names() {
        let s = |t: &str| Slug::from_file_stem(t).map(|s| s.0);
        assert_eq!(
            s("2025-11-03-OpenAI signe à Amazon").as_deref(),
            Some("openai-signe-a-amazon")
        );
        assert_eq!(
            s("Accord à 38 milliards").as_deref(),
            Some("accord-a-38-milliards")
        );
        assert_eq!(s("__x__y__").as_deref(), Some("x-y"));
        assert_eq!(s("2025-11-03").as_deref(), Some("2025-11-03"));
        assert_eq!(s("!!!"), None);
        assert_eq!(
            Slug::from_text("Mistral AI").unwrap().as_str(),
            "mistral-ai"
        );
    }
}
