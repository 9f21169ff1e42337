//! Prefect 3's JSON as a serde `Deserializer`: the parsed value, with the objects Prefect's
//! encoder tags (`{"__class__": "datetime.date", "data": "2020-12-16"}`) read as the class the
//! Rust type asks for, and only as that class.
//!
//! Prefect's decoder (`prefect_json_object_decoder`, the `object_hook` of `json.loads`) turns
//! every object with a `__class__` key into that class, and every object with an
//! `__exc_type__` key into that exception. A Rust type names its class in one of two ways: a
//! struct, newtype or enum whose serde name is a Python class (`#[serde(rename =
//! "module.Class")]`, [`tagged`](super::tagged) fields), or one of the types of the module
//! docs' table, known by its type (chrono's, `Uuid`, `Decimal`, `ByteBuf`, [`AwareTime`],
//! [`PythonException`]). A tag of another class is an error naming both; a sequence reads a
//! tagged `set`, `frozenset` or `bytes`, and a struct that names no class the fields of a
//! model or dataclass. With no object decoder (`object_decoder: null`) no object is a tag, as
//! to Prefect.
//!
//! [`AwareTime`]: super::AwareTime
//! [`PythonException`]: super::PythonException

use serde::de::value::{Error as DeError, MapDeserializer, SeqDeserializer};
use serde::de::{Deserializer, Error as _, Expected, IntoDeserializer, Visitor};

use super::names::{BYTES, CLASS, DATA, EXC_TYPE, FROZENSET, SET, WELL_KNOWN};
use crate::json::PythonValue as Value;

/// Whether objects are decoded as Prefect's object decoder decodes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decoder {
    /// Prefect's `prefect_json_object_decoder`.
    Prefect,
    /// No object decoder: every object is a `dict`.
    None,
}

/// A value of Prefect 3's JSON, read as Prefect's decoder would read it.
pub(crate) struct Tagged {
    value: Value,
    decoder: Decoder,
}

impl Tagged {
    pub(crate) fn new(value: Value, decoder: Decoder) -> Self {
        Tagged { value, decoder }
    }
}

/// What Prefect's decoder makes of a value.
enum Shape {
    /// An object with a `__class__`: that class, made from `data`.
    Tag { class: String, data: Value },
    /// An object with an `__exc_type__` and no `__class__`: that exception.
    Exception(Vec<(String, Value)>),
    /// Anything else, as it is.
    Plain(Value),
}

/// The last member named `key`: Python's `dict` keeps the last of repeated keys.
fn member<'a>(members: &'a [(String, Value)], key: &str) -> Option<&'a Value> {
    members
        .iter()
        .rev()
        .find(|(name, _)| name == key)
        .map(|(_, value)| value)
}

fn shape(value: Value, decoder: Decoder) -> Result<Shape, DeError> {
    let Value::Object(members) = value else {
        return Ok(Shape::Plain(value));
    };
    if decoder == Decoder::None {
        return Ok(Shape::Plain(Value::Object(members)));
    }
    match member(&members, CLASS) {
        Some(Value::String(class)) => {
            let class = class.clone();
            let Some(index) = members.iter().rposition(|(name, _)| name == DATA) else {
                return Err(DeError::custom(format_args!(
                    "the tagged `{class}` has no `{DATA}`, which Prefect's decoder refuses"
                )));
            };
            let data = members.into_iter().nth(index).map(|(_, data)| data);
            Ok(Shape::Tag {
                class,
                data: data.unwrap_or(Value::Null),
            })
        }
        // Prefect's decoder cannot import a class that is not named by text: a `dict`.
        Some(_) => Ok(Shape::Plain(Value::Object(members))),
        None if member(&members, EXC_TYPE).is_some() => Ok(Shape::Exception(members)),
        None => Ok(Shape::Plain(Value::Object(members))),
    }
}

/// The Python class that the Rust type `T` stands for, where it is one of the foreign types
/// the module docs list (their serde impls name no class), or the exception marker.
fn class_of<T: ?Sized>() -> Option<&'static str> {
    use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Utc};
    let id = typeid::of::<T>();
    macro_rules! table {
        ($($ty:ty => $class:expr,)*) => {
            $(if id == typeid::of::<$ty>() { return Some($class); })*
        };
    }
    table! {
        DateTime<FixedOffset> => "datetime.datetime",
        DateTime<Utc> => "datetime.datetime",
        NaiveDateTime => "datetime.datetime",
        NaiveDate => "datetime.date",
        NaiveTime => "datetime.time",
        super::AwareTime => "datetime.time",
        uuid::Uuid => "uuid.UUID",
        rust_decimal::Decimal => "decimal.Decimal",
        serde_bytes::ByteBuf => BYTES,
        super::PythonException => EXC_TYPE,
    }
    None
}

/// The class a serde name asks for, where it is one (`module.Class`).
fn named(name: &'static str) -> Option<&'static str> {
    name.contains('.').then_some(name)
}

fn mismatch(held: &str, read: &str) -> DeError {
    if read == EXC_TYPE {
        return DeError::custom(format_args!(
            "the result holds a `{held}`, and an exception is read"
        ));
    }
    DeError::custom(format_args!(
        "the result holds a `{held}`, and a `{read}` is read"
    ))
}

fn unasked(held: &str, expected: &dyn Expected) -> DeError {
    DeError::custom(format_args!(
        "the result holds a `{held}`, and {expected} is read; read it as a type of that class"
    ))
}

fn exception_unasked(expected: &dyn Expected) -> DeError {
    DeError::custom(format_args!(
        "the result holds an exception (`{EXC_TYPE}`), and {expected} is read; read it as a `PythonException`"
    ))
}

/// Refuses an aware time of day read as a naive one, which chrono would call trailing input.
fn check_time<T: ?Sized>(data: &Value) -> Result<(), DeError> {
    let Value::String(text) = data else {
        return Ok(());
    };
    let aware = text.ends_with('Z') || text.get(8..).is_some_and(|rest| rest.contains(['+', '-']));
    if aware && typeid::of::<T>() == typeid::of::<chrono::NaiveTime>() {
        return Err(DeError::custom(format_args!(
            "`{text}` is a time of day with a UTC offset, which `NaiveTime` cannot hold: read it as `prefect3::AwareTime`"
        )));
    }
    Ok(())
}

/// `value` as it is: a list's items and an object's members each read as Prefect reads them, a
/// scalar as itself.
fn plain<'de, V: Visitor<'de>>(
    value: Value,
    decoder: Decoder,
    visitor: V,
) -> Result<V::Value, DeError> {
    match value {
        Value::Array(items) => {
            let mut seq =
                SeqDeserializer::new(items.into_iter().map(|item| Tagged::new(item, decoder)));
            let value = visitor.visit_seq(&mut seq)?;
            seq.end()?;
            Ok(value)
        }
        Value::Object(members) => {
            let mut map = MapDeserializer::new(
                members
                    .into_iter()
                    .map(|(key, value)| (Key(key), Tagged::new(value, decoder))),
            );
            let value = visitor.visit_map(&mut map)?;
            map.end()?;
            Ok(value)
        }
        other => other.deserialize_any(visitor),
    }
}

impl Tagged {
    /// The value for a reader asking for the class `wanted` (or none): a tag's data where its
    /// class is the one wanted, the value itself where it is no tag.
    fn read_as<'de, V: Visitor<'de>>(
        self,
        wanted: Option<&'static str>,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let decoder = self.decoder;
        match shape(self.value, decoder)? {
            Shape::Tag { class, data } => match wanted {
                Some(wanted) if wanted == class => {
                    if wanted == "datetime.time" {
                        check_time::<V::Value>(&data)?;
                    }
                    plain(data, decoder, visitor)
                }
                Some(wanted) => Err(mismatch(&class, wanted)),
                None => Err(unasked(&class, &visitor)),
            },
            Shape::Exception(members) => match wanted {
                Some(EXC_TYPE) => plain(Value::Object(members), decoder, visitor),
                Some(wanted) => Err(mismatch(EXC_TYPE, wanted)),
                None => Err(exception_unasked(&visitor)),
            },
            Shape::Plain(value) => plain(value, decoder, visitor),
        }
    }
}

impl<'de> Deserializer<'de> for Tagged {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.read_as(class_of::<V::Value>(), visitor)
    }

    /// A sequence also reads a tagged `set` or `frozenset` (its members), and `bytes`.
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let decoder = self.decoder;
        match shape(self.value, decoder)? {
            Shape::Tag { class, data } if class == SET || class == FROZENSET => match data {
                Value::Array(items) => plain(Value::Array(items), decoder, visitor),
                _ => Err(DeError::custom(format_args!(
                    "the data of a tagged `{class}` is not a list"
                ))),
            },
            Shape::Tag { class, data } if class == BYTES => match data {
                Value::String(text) => {
                    let mut seq = SeqDeserializer::new(text.into_bytes().into_iter());
                    let value = visitor.visit_seq(&mut seq)?;
                    seq.end()?;
                    Ok(value)
                }
                _ => Err(DeError::custom(format_args!(
                    "the data of a tagged `{BYTES}` is not text"
                ))),
            },
            shaped => Tagged::reshape(shaped, decoder).deserialize_any(visitor),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.value {
            Value::Null => visitor.visit_none(),
            value => visitor.visit_some(Tagged::new(value, self.decoder)),
        }
    }

    /// A newtype named after a class reads that class only; any other is transparent.
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let Some(wanted) = named(name) else {
            return visitor.visit_newtype_struct(self);
        };
        let decoder = self.decoder;
        match shape(self.value, decoder)? {
            Shape::Tag { class, data } if class == wanted => {
                visitor.visit_newtype_struct(Tagged::new(data, decoder))
            }
            Shape::Tag { class, .. } => Err(mismatch(&class, wanted)),
            Shape::Exception(_) => Err(mismatch(EXC_TYPE, wanted)),
            Shape::Plain(value) => visitor.visit_newtype_struct(Tagged::new(value, decoder)),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let value = match (shape(self.value, self.decoder)?, named(name)) {
            (Shape::Tag { class, data }, Some(wanted)) if class == wanted => data,
            (Shape::Tag { class, .. }, Some(wanted)) => return Err(mismatch(&class, wanted)),
            (Shape::Tag { class, .. }, None) => return Err(unasked(&class, &visitor)),
            (Shape::Exception(_), _) => return Err(exception_unasked(&visitor)),
            (Shape::Plain(value), _) => value,
        };
        value.deserialize_enum(name, variants, visitor)
    }

    /// A struct whose serde name is a Python class (`#[serde(rename = "module.Class")]`) reads
    /// a tagged object of that class only; any other struct reads the fields of a model or
    /// dataclass of any class, or a plain object.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let wanted = named(name).or_else(class_of::<V::Value>);
        let decoder = self.decoder;
        match (shape(self.value, decoder)?, wanted) {
            (Shape::Tag { class, data }, None) if !WELL_KNOWN.contains(&class.as_str()) => {
                plain(data, decoder, visitor)
            }
            (shaped, wanted) => Tagged::reshape(shaped, decoder).read_as(wanted, visitor),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct tuple_struct map identifier
    }
}

impl Tagged {
    /// A shaped value back as a value, to be read again.
    fn reshape(shaped: Shape, decoder: Decoder) -> Self {
        let value = match shaped {
            Shape::Tag { class, data } => Value::Object(vec![
                (CLASS.into(), Value::String(class)),
                (DATA.into(), data),
            ]),
            Shape::Exception(members) => Value::Object(members),
            Shape::Plain(value) => value,
        };
        Tagged::new(value, decoder)
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
