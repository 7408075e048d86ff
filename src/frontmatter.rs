//! Front matter: splits an article's `---` block from its body and reads it into
//! the unvalidated `RawFrontMatter` shape.
//!
//! Input: the article text (BOM already removed). Output: the raw fields and the
//! body, or a diagnostic whose line counts from the start of the file. Meaning
//! (dates, amounts, parties, slugs) is checked later, in `article`.

use serde::Deserialize;

use crate::config::RawNumber;
use crate::diag::Diagnostic;
use crate::yaml;

/// The front-matter fields as written.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct RawFrontMatter {
    /// Required title.
    pub title: String,
    /// The date, `YYYY-MM-DD` or RFC 3339: required of an article, refused
    /// on a page (`content/pages/`).
    #[serde(default)]
    pub date: Option<String>,
    /// Optional date of the last substantive update.
    #[serde(default)]
    pub updated: Option<String>,
    /// Optional language code.
    #[serde(default)]
    pub lang: Option<String>,
    /// Optional one-sentence summary.
    #[serde(default)]
    pub summary: Option<String>,
    /// Optional tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Drafts build only with `--drafts`.
    #[serde(default)]
    pub draft: bool,
    /// Optional slug; must already be valid.
    #[serde(default)]
    pub slug: Option<String>,
    /// Optional bylines: names or aliases of `site.yaml`'s `authors:`, or any name.
    #[serde(default)]
    pub authors: Vec<String>,
    /// Optional old URLs (paths on the site) that redirect here.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// A page only: where its URL (and its aliases) send readers, an
    /// http(s) URL or a path on the site; its body is never shown.
    #[serde(default)]
    pub redirect_to: Option<String>,
    /// Optional lead image: a path relative to the article's page, like a
    /// Markdown image's.
    #[serde(default)]
    pub image: Option<String>,
    /// The lead image's alt text.
    #[serde(default)]
    pub image_alt: Option<String>,
    /// One deal.
    #[serde(default)]
    pub deal: Option<RawDeal>,
    /// Several deals.
    #[serde(default)]
    pub deals: Option<Vec<RawDeal>>,
}

/// A deal as written.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct RawDeal {
    /// Text (`$38 billion`) or a mapping; required unless `ref` is given.
    #[serde(default)]
    pub amount: Option<RawAmount>,
    /// Two or more party names or aliases; required unless `ref` is given.
    #[serde(default)]
    pub parties: Option<Vec<String>>,
    /// A stable id (slug characters), by which other articles refer to it.
    #[serde(default)]
    pub id: Option<String>,
    /// The id of a deal declared in another article: this entry covers it,
    /// and revises the figures it gives.
    #[serde(default, rename = "ref")]
    pub reference: Option<String>,
    /// `announced` (the default), `completed` or `cancelled`.
    #[serde(default)]
    pub status: Option<String>,
    /// Optional deal date; defaults to the article's.
    #[serde(default)]
    pub date: Option<String>,
    /// Optional free-text kind.
    #[serde(default)]
    pub kind: Option<String>,
    /// Optional free-text term.
    #[serde(default)]
    pub term: Option<String>,
}

/// An amount as written: editor's text, or `{ value, currency }`.
#[derive(Debug)]
pub enum RawAmount {
    /// Text to parse in the article's language.
    Text(String),
    /// An exact value and an ISO currency code.
    Mapping(RawAmountMapping),
}

/// Read by hand rather than as an untagged enum: serde buffers an untagged
/// value, which would turn the mapping's `value` into a float before
/// `RawNumber` could keep its text.
impl<'de> Deserialize<'de> for RawAmount {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Amount;
        impl<'de> serde::de::Visitor<'de> for Amount {
            type Value = RawAmount;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "text such as `$38 billion`, or a mapping `{ value: 38000000000, currency: USD }`",
                )
            }
            fn visit_str<E>(self, v: &str) -> Result<RawAmount, E> {
                Ok(RawAmount::Text(v.to_string()))
            }
            // A bare number is read as text, so the amount parser can say that
            // it names no currency.
            fn visit_i64<E>(self, v: i64) -> Result<RawAmount, E> {
                Ok(RawAmount::Text(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<RawAmount, E> {
                Ok(RawAmount::Text(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<RawAmount, E> {
                Ok(RawAmount::Text(v.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<RawAmount, A::Error> {
                RawAmountMapping::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(RawAmount::Mapping)
            }
        }
        deserializer.deserialize_any(Amount)
    }
}

/// The mapping form of an amount.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct RawAmountMapping {
    /// The value in units of the currency.
    pub value: RawNumber,
    /// An ISO 4217 code.
    pub currency: String,
}

/// An article file split in two.
#[derive(Debug)]
pub struct Split<'a> {
    /// The YAML between the `---` lines.
    pub yaml: &'a str,
    /// The 1-based file line of the YAML's first line.
    pub yaml_line: usize,
    /// The Markdown after the closing `---`.
    pub body: &'a str,
    /// The 1-based file line where the body starts.
    pub body_line: usize,
}

/// Finds the `---` block at the very start of the text.
pub fn split(text: &str) -> Option<Split<'_>> {
    let rest = text.strip_prefix("---")?;
    let rest = rest.trim_start_matches([' ', '\t']);
    let rest = rest
        .strip_prefix("\r\n")
        .or_else(|| rest.strip_prefix('\n'))?;
    let yaml_start = text.len() - rest.len();
    let mut offset = yaml_start;
    for line in text[yaml_start..].split_inclusive('\n') {
        if line.trim_end() == "---" {
            let body_start = offset + line.len();
            return Some(Split {
                yaml: &text[yaml_start..offset],
                yaml_line: 2,
                body: &text[body_start..],
                body_line: text[..body_start].matches('\n').count() + 1,
            });
        }
        offset += line.len();
    }
    None
}

/// Reads the YAML of a split file; positions count from the start of the file.
pub fn parse(path: &str, split: &Split<'_>) -> Result<RawFrontMatter, Diagnostic> {
    yaml::from_str(split.yaml).map_err(|mut e| {
        if e.position.is_none() {
            e.position = yaml::locate(split.yaml, &e.field);
        }
        let e = e.in_file(split.yaml_line);
        let message = if e.message.contains("did not match any variant") {
            "expected text such as `$38 billion`, or a mapping `{ value: 38000000000, currency: USD }`".into()
        } else {
            e.message
        };
        Diagnostic::error(path, message)
            .at_opt(e.position)
            .field(e.field)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter() {
        let s = split("---\ntitle: T\n---\nBody\n").unwrap();
        assert_eq!(s.yaml, "title: T\n");
        assert_eq!(s.body, "Body\n");
        assert_eq!(s.body_line, 4);
        assert!(split("title: T\n").is_none());
        assert!(split("---\ntitle: T\n").is_none());
        let crlf = split("---\r\ntitle: T\r\n---\r\nB").unwrap();
        assert_eq!(crlf.body, "B");
    }

    #[test]
    fn errors_count_lines_from_the_file_start() {
        let text = "---\ntitle: T\ndate: 2025-01-01\ndraft: yes\n---\n";
        let e = parse("a.md", &split(text).unwrap()).unwrap_err();
        assert_eq!(e.position, Some((4, 8)));
        assert_eq!(e.field.as_deref(), Some("draft"));
    }

    #[test]
    fn unknown_keys_are_errors() {
        let text = "---\ntitle: T\ndate: 2025-01-01\ndeal:\n  amount: $1B\n  parties: [A, B]\n  valeur: 3\n---\n";
        let e = parse("a.md", &split(text).unwrap()).unwrap_err();
        assert_eq!(e.position.map(|p| p.0), Some(7));
        assert!(
            e.message.contains("unknown field `valeur`"),
            "{}",
            e.message
        );
    }
}
