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
    /// The names and aliases as `near_miss` compares them, indexed.
    near: NearIndex,
}

/// Every declared name and alias reduced to its letters and digits, and an
/// index of their letter pairs: `near_miss` compares a name only with those
/// that share enough pairs to be within its edit budget (two strings within
/// `k` edits share all but at most `2k` of either one's distinct pairs), so a
/// site declaring thousands of parties does not compare each undeclared name
/// with every one of them.
#[derive(Clone, Debug, Default)]
struct NearIndex {
    /// (reduced form, its length in characters, lookup key, canonical name).
    keys: Vec<(String, usize, String, String)>,
    /// A pair of characters → the keys holding it (each key once).
    pairs: HashMap<(char, char), Vec<u32>>,
}

/// A name as `near_miss` compares it: its letters and digits, lowercase.
fn reduce(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The distinct pairs of adjacent characters of `s`.
fn pairs(s: &str) -> Vec<(char, char)> {
    let chars: Vec<char> = s.chars().collect();
    let mut pairs: Vec<(char, char)> = chars.windows(2).map(|w| (w[0], w[1])).collect();
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

impl NearIndex {
    fn new(lookup: &HashMap<String, String>) -> NearIndex {
        let mut keys: Vec<(String, usize, String, String)> = lookup
            .iter()
            .map(|(key, canonical)| {
                let reduced = reduce(key);
                let len = reduced.chars().count();
                (reduced, len, key.clone(), canonical.clone())
            })
            .collect();
        keys.sort();
        let mut index: HashMap<(char, char), Vec<u32>> = HashMap::new();
        for (i, (reduced, ..)) in keys.iter().enumerate() {
            for pair in pairs(reduced) {
                index.entry(pair).or_default().push(i as u32);
            }
        }
        NearIndex { keys, pairs: index }
    }

    /// The closest key within `budget` edits of `wanted` (reduced), by
    /// distance, then lookup key: its canonical name.
    fn closest(&self, wanted: &str, budget: usize) -> Option<&str> {
        let len = wanted.chars().count();
        let fits = |i: usize| self.keys[i].1.abs_diff(len) <= budget;
        let wanted_pairs = pairs(wanted);
        let needed = wanted_pairs.len().saturating_sub(2 * budget);
        let candidates: Vec<usize> = if needed == 0 {
            (0..self.keys.len()).filter(|&i| fits(i)).collect()
        } else {
            let mut shared: HashMap<u32, usize> = HashMap::new();
            for pair in &wanted_pairs {
                for &i in self.pairs.get(pair).map_or(&[][..], Vec::as_slice) {
                    *shared.entry(i).or_default() += 1;
                }
            }
            shared
                .into_iter()
                .filter(|&(i, n)| n >= needed && fits(i as usize))
                .map(|(i, _)| i as usize)
                .collect()
        };
        candidates
            .into_iter()
            .map(|i| {
                let (reduced, _, key, canonical) = &self.keys[i];
                (strsim::levenshtein(wanted, reduced), key, canonical)
            })
            .filter(|(distance, _, _)| *distance <= budget)
            .min()
            .map(|(_, _, canonical)| canonical.as_str())
    }
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
            parties.near = NearIndex::new(&parties.lookup);
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
        let wanted = reduce(written);
        if wanted.chars().count() < 3 {
            return None;
        }
        let budget = (wanted.chars().count() / 5).max(1);
        self.near.closest(&wanted, budget)
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

    /// `near_miss` as it was before the index: every key compared.
    fn near_miss_by_scan<'a>(names: &'a Names, written: &str) -> Option<&'a str> {
        if names.lookup.contains_key(&fold(written)) {
            return None;
        }
        let wanted = reduce(written);
        if wanted.chars().count() < 3 {
            return None;
        }
        let budget = (wanted.chars().count() / 5).max(1);
        names
            .lookup
            .iter()
            .map(|(key, canonical)| (strsim::levenshtein(&wanted, &reduce(key)), key, canonical))
            .filter(|(distance, _, _)| *distance <= budget)
            .min()
            .map(|(_, _, canonical)| canonical.as_str())
    }

    proptest::proptest! {
        /// The pair index finds exactly what comparing every key finds, for
        /// names near declared ones (a few edits away) and far from them.
        #[test]
        fn the_index_finds_what_a_scan_finds(
            declared in proptest::collection::btree_set("[a-dA-D0-9 .é]{1,12}", 1..40),
            queries in proptest::collection::vec(("[a-dA-D .é]{0,14}", 0usize..40, 0usize..4), 1..30),
        ) {
            let Ok(names) = Names::new(declared.iter().map(|n| (n.clone(), Vec::new()))) else {
                return Ok(());
            };
            let declared: Vec<&String> = declared.iter().collect();
            for (text, pick, edits) in queries {
                // A declared name with a few characters changed, or free text.
                let base = declared[pick % declared.len()];
                let mut near: Vec<char> = base.chars().collect();
                let len = near.len();
                for e in 0..edits.min(len) {
                    near[(e * 3) % len] = 'x';
                }
                let near: String = near.into_iter().collect();
                for written in [text.as_str(), near.as_str()] {
                    proptest::prop_assert_eq!(
                        names.near_miss(written),
                        near_miss_by_scan(&names, written),
                        "{:?}",
                        written
                    );
                }
            }
        }
    }

    #[test]
    fn party_slugs() {
        assert_eq!(party_slug("Mistral AI").unwrap().as_str(), "mistral-ai");
        assert_eq!(party_slug("SK Hynix").unwrap().as_str(), "sk-hynix");
    }
}
