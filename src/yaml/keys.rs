//! Duplicate keys: a walk over a YAML document, before any typed reading,
//! that finds a key given twice in one mapping, block or flow, at any depth.
//!
//! The typed shapes cannot do it: a derived struct reports a repeated field
//! at the start of its mapping, without the key's line, and a map type
//! (`rates:`, `parties:`) keeps the later value silently. The walk reads the
//! document through the YAML library, as the typed pass does, so both see
//! the same keys. The library places an error raised while a key is read at
//! that key: one walk stops at the second key, and a second walk, made only
//! then, stops at the first. Each mapping keeps a hash set of its keys, so
//! the walk takes time linear in the document.

use std::collections::HashSet;
use std::fmt;

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, IgnoredAny, MapAccess, SeqAccess,
    VariantAccess, Visitor,
};

/// A key given twice in one mapping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Duplicate {
    /// The field path of the second key (`rates.EUR`, `deals[0].amount`).
    pub field: String,
    /// The key as the typed pass reads it.
    pub key: String,
    /// 1-based line and column of the second key.
    pub position: Option<(usize, usize)>,
    /// 1-based line and column of the first.
    pub first: Option<(usize, usize)>,
}

/// The first key of the document (in reading order) that its mapping
/// already has, or `None`; a document that does not parse has none here
/// (the typed pass says why it does not parse).
pub fn first_duplicate(text: &str) -> Option<Duplicate> {
    let mut walk = Walk::default();
    let second = walk.run(text).err()?;
    let (field, key, mapping) = walk.found?;
    let mut again = Walk {
        stop_at: Some((mapping, key.clone())),
        ..Walk::default()
    };
    let first = again.run(text).err();
    let at = |e: serde_yaml::Error| e.location().map(|l| (l.line(), l.column()));
    Some(Duplicate {
        field,
        key,
        position: at(second),
        first: first.and_then(at),
    })
}

/// One step of the path to the node being read.
enum Segment {
    Key(String),
    Index(usize),
}

#[derive(Default)]
struct Walk {
    /// How many mappings the walk has entered, in reading order: a
    /// mapping's number, the same in both walks.
    mappings: usize,
    /// The path to the node being read.
    path: Vec<Segment>,
    /// In the second walk, the mapping and key whose first reading stops it.
    stop_at: Option<(usize, String)>,
    /// What stopped the first walk: the field, the key and its mapping.
    found: Option<(String, String, usize)>,
}

impl Walk {
    fn run(&mut self, text: &str) -> Result<(), serde_yaml::Error> {
        Node(self).deserialize(serde_yaml::Deserializer::from_str(text))
    }

    /// The path as the typed pass names fields: `deals[1].parties`.
    fn field(&self, last: &str) -> String {
        let mut field = String::new();
        for segment in &self.path {
            match segment {
                Segment::Key(key) if field.is_empty() => field.push_str(key),
                Segment::Key(key) => {
                    field.push('.');
                    field.push_str(key);
                }
                Segment::Index(i) => field.push_str(&format!("[{i}]")),
            }
        }
        if !field.is_empty() {
            field.push('.');
        }
        field.push_str(last);
        field
    }
}

/// Any node: walks into sequences and mappings, passes over scalars.
struct Node<'w>(&'w mut Walk);

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML node")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        Node(&mut *self.0).deserialize(deserializer)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        for i in 0.. {
            self.0.path.push(Segment::Index(i));
            let more = seq.next_element_seed(Node(&mut *self.0))?;
            self.0.path.pop();
            if more.is_none() {
                break;
            }
        }
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mapping = self.0.mappings;
        self.0.mappings += 1;
        let mut seen = HashSet::new();
        loop {
            let key = Key {
                walk: &mut *self.0,
                seen: &mut seen,
                mapping,
            };
            let Some(key) = map.next_key_seed(key)? else {
                break;
            };
            // A key that is itself a list or mapping has no name of its own.
            self.0
                .path
                .push(Segment::Key(key.unwrap_or_else(|| "?".into())));
            map.next_value_seed(Node(&mut *self.0))?;
            self.0.path.pop();
        }
        Ok(())
    }
    /// A tagged node (`!tag value`): its value.
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
        let (IgnoredAny, value) = data.variant()?;
        value.newtype_variant_seed(Node(&mut *self.0))
    }
}

/// A mapping's key: its text, checked against the keys before it. A key
/// that is a list or a mapping is passed over (`None`).
struct Key<'w, 's> {
    walk: &'w mut Walk,
    seen: &'s mut HashSet<String>,
    mapping: usize,
}

impl Key<'_, '_> {
    /// Fails, while the library reads the key (so at its position), on the
    /// key that the walk looks for.
    fn check<E: de::Error>(self, key: String) -> Result<Option<String>, E> {
        match &self.walk.stop_at {
            Some((mapping, first)) if *mapping == self.mapping && *first == key => {
                Err(E::custom("the first of two equal keys"))
            }
            Some(_) => Ok(Some(key)),
            None if self.seen.contains(&key) => {
                let field = self.walk.field(&key);
                self.walk.found = Some((field, key, self.mapping));
                Err(E::custom("a key given twice"))
            }
            None => {
                self.seen.insert(key.clone());
                Ok(Some(key))
            }
        }
    }
}

impl<'de> DeserializeSeed<'de> for Key<'_, '_> {
    type Value = Option<String>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// Scalar keys compare by the value YAML gives them (`0x10` and `16` are one
/// key, as they are one number); strings by their text.
impl<'de> Visitor<'de> for Key<'_, '_> {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping key")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        self.check(v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        self.check(v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        self.check(v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        self.check(v.to_string())
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        self.check(v.to_string())
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        self.check("null".into())
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.check("null".into())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        let (IgnoredAny, value) = data.variant()?;
        value.newtype_variant::<IgnoredAny>()?;
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use first_duplicate as found;

    #[test]
    fn finds_a_key_twice_in_any_mapping() {
        let at = |field: &str, key: &str, second, first| {
            Some(Duplicate {
                field: field.into(),
                key: key.into(),
                position: Some(second),
                first: Some(first),
            })
        };
        assert_eq!(found("a: 1\nb: 2\na: 3\n"), at("a", "a", (3, 1), (1, 1)));
        assert_eq!(
            found("rates:\n  EUR: 1.1\n  GBP: 1.2\n  EUR: 1.3\n"),
            at("rates.EUR", "EUR", (4, 3), (2, 3))
        );
        assert_eq!(
            found("rates: { EUR: 1.1,\n  EUR: 1.2 }\n"),
            at("rates.EUR", "EUR", (2, 3), (1, 10))
        );
        assert_eq!(
            found("deals:\n  - amount: x\n  - amount: y\n    parties: [A]\n    amount: z\n"),
            at("deals[1].amount", "amount", (5, 5), (3, 5))
        );
        // A quoted key and a plain one are one key; so are two spellings of one number.
        assert_eq!(
            found("r:\n  \"2024\": 1\n  2024: 2\n"),
            at("r.2024", "2024", (3, 3), (2, 3))
        );
        assert_eq!(found("0x10: a\n16: b\n"), at("16", "16", (2, 1), (1, 1)));
        // Later duplicates wait for the first one to be fixed.
        assert_eq!(found("a: 1\na: 2\nb: 1\nb: 2\n").unwrap().key, "a");
    }

    #[test]
    fn equal_keys_in_different_mappings_are_no_duplicates() {
        for text in [
            "a:\n  x: 1\nb:\n  x: 1\n",
            "- x: 1\n- x: 2\n",
            "a: &m { x: 1 }\nb: *m\n",
            "? [x, y]\n: 1\n? [x, y]\n: 2\n",
            "a: !tag { x: 1 }\n",
            "",
            "just text",
            "a: [unclosed\n",
        ] {
            assert_eq!(first_duplicate(text), None, "{text}");
        }
        let tagged = first_duplicate("a: !tag { x: 1, x: 2 }\n").unwrap();
        assert_eq!(
            (tagged.field.as_str(), tagged.position),
            ("a.x", Some((1, 17)))
        );
    }

    #[test]
    fn one_walk_reads_a_long_mapping() {
        let mut text = String::from("parties:\n");
        for i in 0..20_000 {
            text.push_str(&format!("  P{i}:\n    aliases: [Q{i}]\n"));
        }
        assert_eq!(first_duplicate(&text), None);
        text.push_str("  P7:\n");
        let d = first_duplicate(&text).unwrap();
        assert_eq!((d.position, d.first), (Some((40_002, 3)), Some((16, 3))));
    }
}
