//! Prefect 3's JSON as a serde `Deserializer`: the parsed value, with the objects Prefect's
//! encoder tags (`{"__class__": "datetime.date", "data": "2020-12-16"}`) read as their data.
//!
//! What a tagged object becomes depends on what the Rust type asks for, as a serde reader
//! should: a date-time asks for a string and gets the ISO text; a `Vec<u8>` asks for a
//! sequence or bytes and gets the bytes of `builtins.bytes`; a struct gets the model's or
//! dataclass's fields; a set gets its members.

use serde::de::value::{Error as DeError, MapDeserializer, SeqDeserializer};
use serde::de::{Deserializer, IntoDeserializer, Visitor};

use crate::json::PythonValue as Value;

const CLASS: &str = "__class__";
const DATA: &str = "data";
const BYTES: &str = "builtins.bytes";

/// A value of Prefect 3's JSON, its tags read as their data.
pub(crate) struct Tagged(pub(crate) Value);

/// A tagged object's class and data, or the value as it was.
fn untag(value: Value) -> Result<(String, Value), Value> {
    let tagged = matches!(&value, Value::Object(members)
        if members.len() == 2
            && members.iter().any(|(key, value)| key == CLASS && matches!(value, Value::String(_)))
            && members.iter().any(|(key, _)| key == DATA));
    let Value::Object(members) = value else {
        return Err(value);
    };
    if !tagged {
        return Err(Value::Object(members));
    }
    let (mut class, mut data) = (String::new(), Value::Null);
    for (key, value) in members {
        match (key.as_str(), value) {
            (CLASS, Value::String(name)) => class = name,
            (_, value) => data = value,
        }
    }
    Ok((class, data))
}

/// The bytes of a tagged `builtins.bytes` (Prefect writes them as their UTF-8 text), or the
/// value as it was.
fn bytes_of(value: Value) -> Result<Vec<u8>, Value> {
    match untag(value) {
        Ok((class, Value::String(text))) if class == BYTES => Ok(text.into_bytes()),
        Ok((class, data)) => Err(retag(class, data)),
        Err(value) => Err(value),
    }
}

fn retag(class: String, data: Value) -> Value {
    Value::Object(vec![
        (CLASS.into(), Value::String(class)),
        (DATA.into(), data),
    ])
}

impl<'de> Deserializer<'de> for Tagged {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let value = match bytes_of(self.0) {
            Ok(bytes) => return visitor.visit_byte_buf(bytes),
            Err(value) => value,
        };
        match untag(value) {
            Ok((_, data)) => Tagged(data).deserialize_any(visitor),
            Err(Value::Array(items)) => {
                let mut seq = SeqDeserializer::new(items.into_iter().map(Tagged));
                let value = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(value)
            }
            Err(Value::Object(members)) => {
                let mut map = MapDeserializer::new(
                    members
                        .into_iter()
                        .map(|(key, value)| (Key(key), Tagged(value))),
                );
                let value = visitor.visit_map(&mut map)?;
                map.end()?;
                Ok(value)
            }
            Err(other) => other.deserialize_any(visitor),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match bytes_of(self.0) {
            Ok(bytes) => {
                let mut seq = SeqDeserializer::new(bytes.into_iter());
                let value = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(value)
            }
            Err(value) => Tagged(value).deserialize_any(visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            other => visitor.visit_some(Tagged(other)),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let value = untag(self.0).map_or_else(|value| value, |(_, data)| data);
        value.deserialize_enum(name, variants, visitor)
    }

    /// A struct whose serde name is a Python class (`#[serde(rename = "module.Class")]`) reads
    /// a tagged object of that class only; any other struct reads the fields of any.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match untag(self.0) {
            Ok((class, _)) if name.contains('.') && class != name => Err(serde::de::Error::custom(
                format_args!("the result holds a `{class}`, and `{name}` is read"),
            )),
            Ok((_, data)) => Tagged(data).deserialize_any(visitor),
            Err(value) => Tagged(value).deserialize_any(visitor),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct tuple tuple_struct map identifier ignored_any
    }
}

impl IntoDeserializer<'_, DeError> for Tagged {
    type Deserializer = Tagged;

    fn into_deserializer(self) -> Tagged {
        self
    }
}

/// An object's key, which JSON holds as text: read as a number or a `bool` where the Rust type
/// asks for one, as `json.dumps` writes a `dict`'s integer keys (`{1: "one"}` as `{"1": "one"}`).
struct Key(String);

macro_rules! parse_key {
    ($($method:ident => $visit:ident,)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
                match self.0.parse() {
                    Ok(value) => visitor.$visit(value),
                    Err(_) => visitor.visit_string(self.0),
                }
            }
        )*
    };
}

impl<'de> Deserializer<'de> for Key {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_string(self.0)
    }

    parse_key! {
        deserialize_bool => visit_bool,
        deserialize_i8 => visit_i8,
        deserialize_i16 => visit_i16,
        deserialize_i32 => visit_i32,
        deserialize_i64 => visit_i64,
        deserialize_i128 => visit_i128,
        deserialize_u8 => visit_u8,
        deserialize_u16 => visit_u16,
        deserialize_u32 => visit_u32,
        deserialize_u64 => visit_u64,
        deserialize_u128 => visit_u128,
        deserialize_f32 => visit_f32,
        deserialize_f64 => visit_f64,
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        Value::String(self.0).deserialize_enum(name, variants, visitor)
    }

    serde::forward_to_deserialize_any! {
        char str string bytes byte_buf option unit unit_struct seq tuple tuple_struct map
        struct identifier ignored_any
    }
}

impl IntoDeserializer<'_, DeError> for Key {
    type Deserializer = Key;

    fn into_deserializer(self) -> Key {
        self
    }
}
