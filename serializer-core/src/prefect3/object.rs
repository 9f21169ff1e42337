//! The Python value a [`ToPython`](super::ToPython) value stands for, built once and written by
//! both of Prefect 3's writers: JSON (`dumps`) and pickle (`pickle`).
//!
//! A class is an [`Object::Class`] only where a Rust type says so, through the serde struct
//! names of [`names`](super::names) (`CLASS_MARKER`, `EXCEPTION_MARKER`); a map is a
//! [`Object::Dict`] whatever its keys, and its members keep their order.

use std::fmt;

use serde::ser::{self, Serialize};

use super::names::{
    builtin_exception, CLASS, CLASS_MARKER, DATA, EXCEPTION_MARKER, EXC_TYPE, MESSAGE,
};

/// A Python value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Object {
    None,
    Bool(bool),
    Int(i128),
    /// An integer above `i128::MAX`.
    BigUnsigned(u128),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    List(Vec<Object>),
    Tuple(Vec<Object>),
    /// Members in the order they were written.
    Dict(Vec<(Object, Object)>),
    /// A value of a class its Rust type names: a well-known class's text, a set's members, a
    /// model's or dataclass's fields.
    Class {
        class: String,
        data: Box<Object>,
    },
    /// An exception of `class` with its message.
    Exception {
        class: String,
        message: String,
    },
}

/// Why a value has no Python object.
#[derive(Debug)]
pub(crate) struct BuildError(pub(crate) String);

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BuildError {}

impl ser::Error for BuildError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        BuildError(msg.to_string())
    }
}

/// The Python object of `value`.
pub(crate) fn build<T: Serialize + ?Sized>(value: &T) -> Result<Object, BuildError> {
    value.serialize(Builder)
}

/// A serde serializer that builds the [`Object`] of a value.
struct Builder;

type Done = Result<Object, BuildError>;

/// The integers Python's `int` holds as `Object::Int` (every one that fits `i128`).
macro_rules! ints {
    ($($method:ident: $ty:ty),* $(,)?) => {$(
        fn $method(self, v: $ty) -> Done {
            Ok(Object::Int(v.into()))
        }
    )*};
}

impl ser::Serializer for Builder {
    type Ok = Object;
    type Error = BuildError;
    type SerializeSeq = Items;
    type SerializeTuple = Items;
    type SerializeTupleStruct = Items;
    type SerializeTupleVariant = Variant<Items>;
    type SerializeMap = Members;
    type SerializeStruct = Fields;
    type SerializeStructVariant = Variant<Fields>;

    fn serialize_bool(self, v: bool) -> Done {
        Ok(Object::Bool(v))
    }
    ints! {
        serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_i128: i128, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32,
        serialize_u64: u64,
    }
    fn serialize_u128(self, v: u128) -> Done {
        Ok(i128::try_from(v).map_or(Object::BigUnsigned(v), Object::Int))
    }
    fn serialize_f32(self, v: f32) -> Done {
        Ok(Object::Float(v.into()))
    }
    fn serialize_f64(self, v: f64) -> Done {
        Ok(Object::Float(v))
    }
    fn serialize_char(self, v: char) -> Done {
        Ok(Object::Str(v.into()))
    }
    fn serialize_str(self, v: &str) -> Done {
        Ok(Object::Str(v.into()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Done {
        Ok(Object::Bytes(v.into()))
    }
    fn serialize_none(self) -> Done {
        Ok(Object::None)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Done {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Done {
        Ok(Object::None)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Done {
        Ok(Object::None)
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Done {
        Ok(Object::Str(variant.into()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Done {
        value.serialize(self)
    }
    /// As serde_json writes it: `{variant: value}`.
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Done {
        Ok(Object::Dict(vec![(
            Object::Str(variant.into()),
            value.serialize(Builder)?,
        )]))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Items, BuildError> {
        Ok(Items::new(len, false))
    }
    fn serialize_tuple(self, len: usize) -> Result<Items, BuildError> {
        Ok(Items::new(Some(len), true))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Items, BuildError> {
        Ok(Items::new(Some(len), true))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Variant<Items>, BuildError> {
        Ok(Variant(variant, Items::new(Some(len), false)))
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Members, BuildError> {
        Ok(Members {
            members: Vec::with_capacity(len.unwrap_or(0).min(4096)),
            key: None,
        })
    }
    fn serialize_struct(self, name: &'static str, len: usize) -> Result<Fields, BuildError> {
        Ok(Fields {
            name,
            fields: Vec::with_capacity(len.min(4096)),
        })
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Variant<Fields>, BuildError> {
        Ok(Variant(
            variant,
            Fields {
                name: "",
                fields: Vec::with_capacity(len.min(4096)),
            },
        ))
    }
}

/// A list's or tuple's items.
pub(crate) struct Items {
    items: Vec<Object>,
    tuple: bool,
}

impl Items {
    fn new(len: Option<usize>, tuple: bool) -> Self {
        Items {
            items: Vec::with_capacity(len.unwrap_or(0).min(4096)),
            tuple,
        }
    }

    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), BuildError> {
        self.items.push(value.serialize(Builder)?);
        Ok(())
    }

    fn done(self) -> Object {
        if self.tuple {
            Object::Tuple(self.items)
        } else {
            Object::List(self.items)
        }
    }
}

/// A sequence, a tuple and a tuple struct: each a list of items (a tuple a Python tuple).
macro_rules! items {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for Items {
            type Ok = Object;
            type Error = BuildError;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), BuildError> {
                self.push(value)
            }
            fn end(self) -> Done {
                Ok(self.done())
            }
        }
    )*};
}

items!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field
);

/// A map's members.
pub(crate) struct Members {
    members: Vec<(Object, Object)>,
    key: Option<Object>,
}

impl ser::SerializeMap for Members {
    type Ok = Object;
    type Error = BuildError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), BuildError> {
        self.key = Some(key.serialize(Builder)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), BuildError> {
        let key = self
            .key
            .take()
            .ok_or_else(|| BuildError("a map's value was written before its key".into()))?;
        self.members.push((key, value.serialize(Builder)?));
        Ok(())
    }
    fn end(self) -> Done {
        Ok(Object::Dict(self.members))
    }
}

/// A struct's fields: a `dict`, or the class or exception its serde name says it writes.
pub(crate) struct Fields {
    name: &'static str,
    fields: Vec<(&'static str, Object)>,
}

impl Fields {
    fn take(&mut self, key: &str) -> Option<Object> {
        let index = self.fields.iter().position(|(name, _)| *name == key)?;
        Some(self.fields.remove(index).1)
    }

    fn done(mut self) -> Done {
        let malformed =
            |what: &str| BuildError(format!("a Python {what} written without its parts"));
        match self.name {
            CLASS_MARKER => match (self.take(CLASS), self.take(DATA)) {
                (Some(Object::Str(class)), Some(data)) => Ok(Object::Class {
                    class,
                    data: Box::new(data),
                }),
                _ => Err(malformed("class")),
            },
            EXCEPTION_MARKER => match (self.take(EXC_TYPE), self.take(MESSAGE)) {
                (Some(Object::Str(class)), Some(Object::Str(message))) => {
                    if builtin_exception(&class).is_none() {
                        return Err(BuildError(format!(
                            "the exception class `{class}` is not one of Python's builtin \
                             exceptions, the only ones written (another would make the reader \
                             import the module it names)"
                        )));
                    }
                    Ok(Object::Exception { class, message })
                }
                _ => Err(malformed("exception")),
            },
            _ => Ok(Object::Dict(
                self.fields
                    .into_iter()
                    .map(|(name, value)| (Object::Str(name.into()), value))
                    .collect(),
            )),
        }
    }
}

impl ser::SerializeStruct for Fields {
    type Ok = Object;
    type Error = BuildError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), BuildError> {
        self.fields.push((key, value.serialize(Builder)?));
        Ok(())
    }
    fn end(self) -> Done {
        self.done()
    }
}

/// An enum variant with fields, as serde_json writes it: `{variant: ...}`.
pub(crate) struct Variant<T>(&'static str, T);

impl ser::SerializeTupleVariant for Variant<Items> {
    type Ok = Object;
    type Error = BuildError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), BuildError> {
        self.1.push(value)
    }
    fn end(self) -> Done {
        Ok(Object::Dict(vec![(
            Object::Str(self.0.into()),
            self.1.done(),
        )]))
    }
}

impl ser::SerializeStructVariant for Variant<Fields> {
    type Ok = Object;
    type Error = BuildError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), BuildError> {
        ser::SerializeStruct::serialize_field(&mut self.1, key, value)
    }
    fn end(self) -> Done {
        Ok(Object::Dict(vec![(
            Object::Str(self.0.into()),
            self.1.done()?,
        )]))
    }
}
