//! A `serde::Serializer` adapter in front of `serde_json` for what it gets wrong about floats.
//!
//! `serde_json` writes a non-finite float as `null`, which reads back as another value, and its
//! `Formatter` hook only ever sees that `null`: so the check has to sit in front of the
//! serializer, on every value it is handed, nested ones included. In strict mode it refuses
//! the float; in Python mode it marks it and asks for a `null`, which the Python formatter
//! writes as `NaN`, `Infinity` or `-Infinity`, as `json.dumps` does. Everything else is
//! forwarded untouched.

use std::cell::Cell;
use std::fmt::Display;

use serde::ser::{self, Error as _, Serialize};

/// What the adapter does with a non-finite float, and where it records it.
#[derive(Clone, Copy)]
pub(crate) struct FloatCheck<'a> {
    /// Strict: the float that made serialization fail. Python: the float whose `null` the
    /// formatter is about to write.
    pub(crate) found: &'a Cell<Option<f64>>,
    /// Python's tokens instead of an error, and Python's text for `None` and non-finite keys.
    pub(crate) python: bool,
}

/// What `json.dumps` writes for a non-finite float.
pub(crate) fn python_token(value: f64) -> &'static str {
    if value.is_nan() {
        "NaN"
    } else if value > 0.0 {
        "Infinity"
    } else {
        "-Infinity"
    }
}

/// Wraps a serializer of a value, or of a map key when `key` is set.
pub(crate) struct FiniteFloats<'a, S> {
    inner: S,
    check: FloatCheck<'a>,
    key: bool,
}

impl<'a, S> FiniteFloats<'a, S> {
    pub(crate) fn new(inner: S, check: FloatCheck<'a>) -> Self {
        FiniteFloats {
            inner,
            check,
            key: false,
        }
    }
}

impl<S: ser::Serializer> FiniteFloats<'_, S> {
    fn non_finite(self, value: f64) -> Result<S::Ok, S::Error> {
        if !self.check.python {
            self.check.found.set(Some(value));
            return Err(S::Error::custom(format_args!(
                "non-finite float {value} has no JSON representation"
            )));
        }
        if self.key {
            return self.inner.serialize_str(python_token(value));
        }
        self.check.found.set(Some(value));
        self.inner.serialize_unit()
    }

    /// `None` as a key is `"null"` in Python.
    fn none(self) -> Result<S::Ok, S::Error> {
        if self.key && self.check.python {
            self.inner.serialize_str("null")
        } else {
            self.inner.serialize_unit()
        }
    }
}

/// A nested value (or key), serialized through the same check.
struct Checked<'a, T: ?Sized> {
    value: &'a T,
    check: FloatCheck<'a>,
    key: bool,
}

impl<T: Serialize + ?Sized> Serialize for Checked<'_, T> {
    #[inline]
    fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(FiniteFloats {
            inner: serializer,
            check: self.check,
            key: self.key,
        })
    }
}

/// A sequence, map, tuple or struct under construction whose elements go through the check.
pub(crate) struct Compound<'a, C> {
    inner: C,
    check: FloatCheck<'a>,
}

impl<'a, C> Compound<'a, C> {
    #[inline]
    fn checked<'v, T: ?Sized>(&self, value: &'v T, key: bool) -> Checked<'v, T>
    where
        'a: 'v,
    {
        Checked {
            value,
            check: self.check,
            key,
        }
    }
}

macro_rules! forward {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {
        $(
            #[inline]
            fn $method(self, $($arg: $ty),*) -> Result<S::Ok, S::Error> {
                self.inner.$method($($arg),*)
            }
        )*
    };
}

impl<'a, S: ser::Serializer> ser::Serializer for FiniteFloats<'a, S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = Compound<'a, S::SerializeSeq>;
    type SerializeTuple = Compound<'a, S::SerializeTuple>;
    type SerializeTupleStruct = Compound<'a, S::SerializeTupleStruct>;
    type SerializeTupleVariant = Compound<'a, S::SerializeTupleVariant>;
    type SerializeMap = Compound<'a, S::SerializeMap>;
    type SerializeStruct = Compound<'a, S::SerializeStruct>;
    type SerializeStructVariant = Compound<'a, S::SerializeStructVariant>;

    forward! {
        serialize_bool(v: bool);
        serialize_i8(v: i8);
        serialize_i16(v: i16);
        serialize_i32(v: i32);
        serialize_i64(v: i64);
        serialize_i128(v: i128);
        serialize_u8(v: u8);
        serialize_u16(v: u16);
        serialize_u32(v: u32);
        serialize_u64(v: u64);
        serialize_u128(v: u128);
        serialize_char(v: char);
        serialize_str(v: &str);
        serialize_bytes(v: &[u8]);
        serialize_unit_struct(name: &'static str);
        serialize_unit_variant(name: &'static str, index: u32, variant: &'static str);
    }

    #[inline]
    fn serialize_none(self) -> Result<S::Ok, S::Error> {
        self.none()
    }

    #[inline]
    fn serialize_unit(self) -> Result<S::Ok, S::Error> {
        self.none()
    }

    #[inline]
    fn serialize_f32(self, v: f32) -> Result<S::Ok, S::Error> {
        if v.is_finite() {
            self.inner.serialize_f32(v)
        } else {
            self.non_finite(f64::from(v))
        }
    }

    #[inline]
    fn serialize_f64(self, v: f64) -> Result<S::Ok, S::Error> {
        if v.is_finite() {
            self.inner.serialize_f64(v)
        } else {
            self.non_finite(v)
        }
    }

    #[inline]
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
        let (check, key) = (self.check, self.key);
        self.inner.serialize_some(&Checked { value, check, key })
    }

    #[inline]
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        let (check, key) = (self.check, self.key);
        self.inner
            .serialize_newtype_struct(name, &Checked { value, check, key })
    }

    #[inline]
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        let check = self.check;
        let value = Checked {
            value,
            check,
            key: false,
        };
        self.inner
            .serialize_newtype_variant(name, index, variant, &value)
    }

    #[inline]
    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, S::Error> {
        let inner = self.inner.serialize_seq(len)?;
        Ok(Compound {
            inner,
            check: self.check,
        })
    }

    #[inline]
    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple, S::Error> {
        let inner = self.inner.serialize_tuple(len)?;
        Ok(Compound {
            inner,
            check: self.check,
        })
    }

    #[inline]
    fn serialize_tuple_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct, S::Error> {
        let inner = self.inner.serialize_tuple_struct(name, len)?;
        Ok(Compound {
            inner,
            check: self.check,
        })
    }

    #[inline]
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, S::Error> {
        let inner = self
            .inner
            .serialize_tuple_variant(name, index, variant, len)?;
        Ok(Compound {
            inner,
            check: self.check,
        })
    }

    #[inline]
    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, S::Error> {
        let inner = self.inner.serialize_map(len)?;
        Ok(Compound {
            inner,
            check: self.check,
        })
    }

    #[inline]
    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        let inner = self.inner.serialize_struct(name, len)?;
        Ok(Compound {
            inner,
            check: self.check,
        })
    }

    #[inline]
    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant, S::Error> {
        let inner = self
            .inner
            .serialize_struct_variant(name, index, variant, len)?;
        Ok(Compound {
            inner,
            check: self.check,
        })
    }

    #[inline]
    fn collect_str<T: Display + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
        self.inner.collect_str(value)
    }

    #[inline]
    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
    }
}

/// The compound traits whose elements arrive one method at a time: each checks the element.
macro_rules! compound {
    ($($trait:ident::$method:ident($($key:ident: $key_ty:ty)?) $(skip $skip:ident)?;)*) => {
        $(
            impl<C: ser::$trait> ser::$trait for Compound<'_, C> {
                type Ok = C::Ok;
                type Error = C::Error;

                #[inline]
                fn $method<T: Serialize + ?Sized>(
                    &mut self,
                    $($key: $key_ty,)?
                    value: &T,
                ) -> Result<(), C::Error> {
                    let value = self.checked(value, false);
                    self.inner.$method($($key,)? &value)
                }

                $(
                    #[inline]
                    fn $skip(&mut self, key: &'static str) -> Result<(), C::Error> {
                        self.inner.$skip(key)
                    }
                )?

                #[inline]
                fn end(self) -> Result<C::Ok, C::Error> {
                    self.inner.end()
                }
            }
        )*
    };
}

compound! {
    SerializeSeq::serialize_element();
    SerializeTuple::serialize_element();
    SerializeTupleStruct::serialize_field();
    SerializeTupleVariant::serialize_field();
    SerializeStruct::serialize_field(key: &'static str) skip skip_field;
    SerializeStructVariant::serialize_field(key: &'static str) skip skip_field;
}

impl<C: ser::SerializeMap> ser::SerializeMap for Compound<'_, C> {
    type Ok = C::Ok;
    type Error = C::Error;

    #[inline]
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), C::Error> {
        let key = self.checked(key, true);
        self.inner.serialize_key(&key)
    }

    #[inline]
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), C::Error> {
        let value = self.checked(value, false);
        self.inner.serialize_value(&value)
    }

    #[inline]
    fn serialize_entry<K, V>(&mut self, key: &K, value: &V) -> Result<(), C::Error>
    where
        K: Serialize + ?Sized,
        V: Serialize + ?Sized,
    {
        let (key, value) = (self.checked(key, true), self.checked(value, false));
        self.inner.serialize_entry(&key, &value)
    }

    #[inline]
    fn end(self) -> Result<C::Ok, C::Error> {
        self.inner.end()
    }
}
