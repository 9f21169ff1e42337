//! [`Kwargs`]: a Python call's keyword arguments, in their order.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

/// Keyword arguments of a Python call (`json.dumps`' in Prefect 3's `JSONSerializer`), kept in
/// the order Python keeps them, so that metadata written again is Prefect's bytes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Kwargs(Vec<(String, Value)>);

impl Kwargs {
    /// No arguments.
    pub fn new() -> Self {
        Kwargs::default()
    }

    /// Sets `name` to `value`, where it was, or last.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<Value>) {
        let (name, value) = (name.into(), value.into());
        match self.0.iter_mut().find(|(key, _)| *key == name) {
            Some((_, slot)) => *slot = value,
            None => self.0.push((name, value)),
        }
    }

    /// The value of `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0
            .iter()
            .find_map(|(key, value)| (key == name).then_some(value))
    }

    /// The arguments, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(key, value)| (key.as_str(), value))
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<K: Into<String>, V: Into<Value>> FromIterator<(K, V)> for Kwargs {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut kwargs = Kwargs::new();
        for (name, value) in iter {
            kwargs.insert(name, value);
        }
        kwargs
    }
}

impl Serialize for Kwargs {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Kwargs {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KwargsVisitor;

        impl<'de> Visitor<'de> for KwargsVisitor {
            type Value = Kwargs;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of keyword arguments")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Kwargs, A::Error> {
                let mut kwargs = Kwargs::new();
                while let Some((name, value)) = map.next_entry::<String, Value>()? {
                    kwargs.insert(name, value);
                }
                Ok(kwargs)
            }
        }

        deserializer.deserialize_map(KwargsVisitor)
    }
}
