//! Names: the canonical names of the companies in deals, and their aliases.
//!
//! Input: the `parties:` mapping of `site.yaml`. `resolve` maps a name as an
//! editor wrote it (`AWS`) to its canonical name (`Amazon`); a name the site does
//! not declare is kept as written. Matching ignores case and surrounding spaces.

use std::collections::{BTreeMap, HashMap};

use crate::slug::Slug;

/// A name as names are compared: trimmed, in Unicode NFC (an `é` typed as
/// `e` and a combining accent is the `é` of one code point), lowercase.
fn fold(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    name.trim().nfc().collect::<String>().to_lowercase()
}

/// The site's declared names (parties, or authors) and their aliases.
#[derive(Clone, Debug, Default)]
pub struct Names {
    /// Canonical name → aliases, in name order.
    declared: BTreeMap<String, Vec<String>>,
    /// Lowercased name or alias → canonical name.
    lookup: HashMap<String, String>,
}

/// Two tables declaring the same names hash alike (the lookup is made from them).
impl std::hash::Hash for Names {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.declared.hash(state);
    }
}

impl Names {
    /// Builds the table, or lists `(canonical name, problem)` pairs: an alias
    /// claimed by two parties, or a name without any letter or digit.
    pub fn new(
        entries: impl IntoIterator<Item = (String, Vec<String>)>,
    ) -> Result<Names, Vec<(String, String)>> {
        let mut parties = Names::default();
        let mut problems = Vec::new();
        for (name, aliases) in entries {
            if Slug::from_text(&name).is_none() {
                problems.push((
                    name.clone(),
                    format!("`{name}` needs at least one letter or digit"),
                ));
            }
            for key in std::iter::once(&name).chain(&aliases) {
                let folded = fold(key);
                match parties.lookup.get(&folded) {
                    Some(owner) if *owner != name => problems.push((
                        name.clone(),
                        format!("`{key}` is already a name or alias of `{owner}`"),
                    )),
                    _ => {
                        parties.lookup.insert(folded, name.clone());
                    }
                }
            }
            parties.declared.insert(name, aliases);
        }
        if problems.is_empty() {
            Ok(parties)
        } else {
            Err(problems)
        }
    }

    /// The canonical names the site declares, in name order.
    pub fn canonical_names(&self) -> impl Iterator<Item = &str> {
        self.declared.keys().map(String::as_str)
    }

    /// Whether `name` is a canonical name the site declares.
    pub fn declares(&self, name: &str) -> bool {
        self.declared.contains_key(name)
    }

    /// The canonical name for a name as written; undeclared names are kept.
    pub fn resolve(&self, written: &str) -> String {
        let trimmed = written.trim();
        self.lookup
            .get(&fold(trimmed))
            .cloned()
            .unwrap_or_else(|| trimmed.to_string())
    }

    /// For a name the site does not declare, the canonical name of a declared
    /// party or alias that it nearly spells (`Open AI` → `OpenAI`): case, spaces
    /// and punctuation ignored, then at most one edit per five letters.
    pub fn near_miss(&self, written: &str) -> Option<&str> {
        if self.lookup.contains_key(&fold(written)) {
            return None;
        }
        let fold = |s: &str| -> String {
            s.chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect()
        };
        let wanted = fold(written);
        if wanted.chars().count() < 3 {
            return None;
        }
        let budget = (wanted.chars().count() / 5).max(1);
        self.lookup
            .iter()
            .map(|(key, canonical)| (strsim::levenshtein(&wanted, &fold(key)), key, canonical))
            .filter(|(distance, _, _)| *distance <= budget)
            .min()
            .map(|(_, _, canonical)| canonical.as_str())
    }
}

/// The URL slug of a party, from its canonical name.
pub fn party_slug(canonical: &str) -> Option<Slug> {
    Slug::from_text(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Names {
        Names::new([
            (
                "Amazon".to_string(),
                vec!["AWS".to_string(), "Amazon Web Services".to_string()],
            ),
            ("OpenAI".to_string(), vec![]),
        ])
        .unwrap()
    }

    #[test]
    fn resolves_aliases_and_keeps_unknown_names() {
        let p = table();
        assert_eq!(p.resolve("AWS"), "Amazon");
        assert_eq!(p.resolve(" amazon web services "), "Amazon");
        assert_eq!(p.resolve("openai"), "OpenAI");
        assert_eq!(p.resolve("Cisco"), "Cisco");
    }

    #[test]
    fn rejects_an_alias_claimed_twice() {
        let e = Names::new([
            ("Amazon".to_string(), vec!["AWS".to_string()]),
            ("Other".to_string(), vec!["aws".to_string()]),
        ])
        .unwrap_err();
        assert_eq!(e[0].0, "Other");
    }

    #[test]
    fn near_misses_are_found() {
        let p = table();
        assert_eq!(p.near_miss("Open AI"), Some("OpenAI"));
        assert_eq!(p.near_miss("Amazn"), Some("Amazon"));
        assert_eq!(p.near_miss("Amazon Web Service"), Some("Amazon"));
        assert_eq!(p.near_miss("AWS"), None, "declared names are no miss");
        assert_eq!(p.near_miss("Oracle"), None);
    }

    #[test]
    fn party_slugs() {
        assert_eq!(party_slug("Mistral AI").unwrap().as_str(), "mistral-ai");
        assert_eq!(party_slug("SK Hynix").unwrap().as_str(), "sk-hynix");
    }
}
