//! [`ToPython`]: a Rust value written as Prefect 3's JSON encoder writes the Python value it
//! stands for, so that a flow reads back a `datetime`, a `UUID`, `bytes`, a `set` or its
//! pydantic model, not their text.
//!
//! serde's data model does not say that a string is a date-time or that a sequence is a set;
//! the Rust type does. `ToPython` is implemented for the types with a Python counterpart, and
//! `#[derive(ToPython)]` implements it for a struct from its fields' types; a field of a type
//! without one is a compile error at the field.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::hash::BuildHasher;

use serde::ser::{Error as _, SerializeSeq, SerializeStruct, SerializeTuple, Serializer};
use serde::Serialize;

use super::classes::{tagged, PythonClass};
use super::names::{BYTES, CLASS, CLASS_MARKER, DATA, EXCEPTION_MARKER, EXC_TYPE, MESSAGE, SET};

/// A Rust type with a Python counterpart in Prefect 3's results: its value is written as
/// Prefect 3's JSON encoder writes that Python value, tags included. See the
/// [module docs](super) for the types.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no Python counterpart in Prefect 3's results",
    label = "not a Python value",
    note = "Prefect 3's JSON holds `None` (`Option`, `()`), `bool`, `int`, `float`, `str`, lists, tuples, dicts, sets, `bytes` (`serde_bytes::ByteBuf`), `datetime`, `date`, `time`, `timedelta` (chrono), `UUID` (uuid), `Decimal` (rust_decimal), and the structs and fieldless enums that derive `ToPython`"
)]
pub trait ToPython {
    /// Writes the value as Prefect 3's JSON encoder writes its Python counterpart, in
    /// `layout`.
    fn to_python<S: Serializer>(&self, serializer: S, layout: Layout) -> Result<S::Ok, S::Error>;
}

/// Where a value is written, which decides whether its class is tagged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Where `json.dumps` calls Prefect's encoder for each value it cannot write: a
    /// `datetime` is `{"__class__": "datetime.datetime", "data": "..."}`.
    Tagged,
    /// Inside a pydantic model or dataclass, which Prefect's encoder writes whole with
    /// pydantic's `to_jsonable_python`: a `datetime` is its text, a `set` a list, a nested
    /// model a dict; the model's class says what each field is.
    Plain,
    /// For a pickle, which holds Python's objects themselves: every Python type tagged,
    /// inside models and sets too, and `bytes` as bytes; the pickle writer makes each tag its
    /// class.
    Pickle,
}

/// A value in a layout, as `Serialize`.
pub(super) struct In<'a, T: ?Sized>(pub(super) &'a T, pub(super) Layout);

impl<T: ToPython + ?Sized> Serialize for In<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.to_python(serializer, self.1)
    }
}

/// A [`ToPython`] value as `Serialize`, in Prefect 3's JSON layout (tags included), for
/// another serde serializer.
///
/// ```
/// use chrono::NaiveDate;
/// use serializer_core::prefect3::Python;
///
/// let day = NaiveDate::from_ymd_opt(2020, 12, 16).unwrap();
/// let json = serde_json::to_string(&Python(&vec![day]))?;
/// assert_eq!(json, r#"[{"__class__":"datetime.date","data":"2020-12-16"}]"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Python<'a, T: ?Sized>(pub &'a T);

impl<T: ToPython + ?Sized> Serialize for Python<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.to_python(serializer, Layout::Tagged)
    }
}

/// A value written as serde writes it, for a type that implements `Serialize` and not
/// [`ToPython`] (one of another crate): a struct as a `dict`, a date-time as its text.
///
/// ```
/// use serializer_core::prefect3::{write_result, Prefect3Serializer, SerdeValue};
///
/// let bytes = write_result(&Prefect3Serializer::json(), &SerdeValue(&[1, 2]))?;
/// assert_eq!(bytes, b"[1, 2]");
/// # Ok::<(), serializer_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct SerdeValue<'a, T: ?Sized>(pub &'a T);

impl<T: Serialize + ?Sized> ToPython for SerdeValue<'_, T> {
    fn to_python<S: Serializer>(&self, serializer: S, _: Layout) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

/// Types that serde writes as Python reads them back.
macro_rules! as_serde_writes {
    ($($ty:ty),* $(,)?) => {$(
        impl ToPython for $ty {
            fn to_python<S: Serializer>(&self, serializer: S, _: Layout) -> Result<S::Ok, S::Error> {
                self.serialize(serializer)
            }
        }
    )*};
}

as_serde_writes!(
    bool,
    i8,
    i16,
    i32,
    i64,
    isize,
    u8,
    u16,
    u32,
    u64,
    usize,
    f32,
    f64,
    char,
    str,
    String,
    (),
    serde_json::Value,
);

/// An exception: `{"__exc_type__": ..., "message": ...}`, which Prefect's decoder makes the
/// exception of that class (only where it is one); a pickle holds the exception itself.
impl ToPython for super::PythonException {
    fn to_python<S: Serializer>(&self, serializer: S, _: Layout) -> Result<S::Ok, S::Error> {
        let mut exception = serializer.serialize_struct(EXCEPTION_MARKER, 2)?;
        exception.serialize_field(EXC_TYPE, &self.exc_type)?;
        exception.serialize_field(MESSAGE, &self.message)?;
        exception.end()
    }
}

// Integers past 64 bits: Python's `int` holds them, as digits in JSON.
as_serde_writes!(i128, u128);

/// Types of a Python class, written tagged.
macro_rules! tagged {
    ($($ty:ty),* $(,)?) => {$(
        impl ToPython for $ty {
            fn to_python<S: Serializer>(&self, serializer: S, layout: Layout) -> Result<S::Ok, S::Error> {
                match layout {
                    Layout::Tagged | Layout::Pickle => tagged::serialize(self, serializer),
                    Layout::Plain => serializer
                        .serialize_str(&PythonClass::to_data(self).map_err(S::Error::custom)?),
                }
            }
        }
    )*};
}

tagged!(
    chrono::DateTime<chrono::Utc>,
    chrono::DateTime<chrono::FixedOffset>,
    chrono::NaiveDateTime,
    chrono::NaiveDate,
    chrono::NaiveTime,
    chrono::TimeDelta,
    uuid::Uuid,
    rust_decimal::Decimal,
    super::AwareTime,
);

/// A class and its data: `{"__class__": class, "data": data}`, as a struct whose serde name
/// says that it is a class (a map with these keys is a `dict`).
pub(super) fn class<S: Serializer, D: Serialize + ?Sized>(
    serializer: S,
    class: &str,
    data: &D,
) -> Result<S::Ok, S::Error> {
    let mut tag = serializer.serialize_struct(CLASS_MARKER, 2)?;
    tag.serialize_field(CLASS, class)?;
    tag.serialize_field(DATA, data)?;
    tag.end()
}

/// `bytes`: Prefect's encoder writes their UTF-8 text, so bytes that are not UTF-8 cannot be
/// written (Prefect itself fails on them).
fn bytes<S: Serializer>(bytes: &[u8], serializer: S, layout: Layout) -> Result<S::Ok, S::Error> {
    if layout == Layout::Pickle {
        return serializer.serialize_bytes(bytes);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| {
        S::Error::custom(
            "Prefect 3's JSON writes `bytes` as their UTF-8 text, and these are not UTF-8: \
             write them with the pickle serializer",
        )
    })?;
    match layout {
        Layout::Plain => serializer.serialize_str(text),
        Layout::Tagged | Layout::Pickle => class(serializer, BYTES, text),
    }
}

impl ToPython for serde_bytes::ByteBuf {
    fn to_python<S: Serializer>(&self, serializer: S, layout: Layout) -> Result<S::Ok, S::Error> {
        bytes(self, serializer, layout)
    }
}

impl ToPython for serde_bytes::Bytes {
    fn to_python<S: Serializer>(&self, serializer: S, layout: Layout) -> Result<S::Ok, S::Error> {
        bytes(self, serializer, layout)
    }
}

impl<T: ToPython + ?Sized> ToPython for &T {
    fn to_python<S: Serializer>(&self, serializer: S, layout: Layout) -> Result<S::Ok, S::Error> {
        (**self).to_python(serializer, layout)
    }
}

impl<T: ToPython + ?Sized> ToPython for Box<T> {
    fn to_python<S: Serializer>(&self, serializer: S, layout: Layout) -> Result<S::Ok, S::Error> {
        (**self).to_python(serializer, layout)
    }
}

impl<T: ToPython + ?Sized> ToPython for std::sync::Arc<T> {
    fn to_python<S: Serializer>(&self, serializer: S, layout: Layout) -> Result<S::Ok, S::Error> {
        (**self).to_python(serializer, layout)
    }
}

impl<T: ToPython> ToPython for Option<T> {
    fn to_python<S: Serializer>(&self, serializer: S, layout: Layout) -> Result<S::Ok, S::Error> {
        match self {
            Some(value) => serializer.serialize_some(&In(value, layout)),
            None => serializer.serialize_none(),
        }
    }
}

/// A sequence of Python values: a `list`.
fn list<'a, S, T, I>(serializer: S, items: I, layout: Layout) -> Result<S::Ok, S::Error>
where
    S: Serializer,
    T: ToPython + 'a,
    I: ExactSizeIterator<Item = &'a T>,
{
    let mut seq = serializer.serialize_seq(Some(items.len()))?;
    for item in items {
        seq.serialize_element(&In(item, layout))?;
    }
    seq.end()
}

/// The members of a set, as the `data` of its tag: a list of what the iterator gives.
struct Members<F>(F, Layout);

impl<'a, T, I, F> Serialize for Members<F>
where
    T: ToPython + 'a,
    I: ExactSizeIterator<Item = &'a T>,
    F: Fn() -> I,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        list(serializer, (self.0)(), self.1)
    }
}

/// A `set`: `{"__class__": "builtins.set", "data": [...]}`, its members plain as pydantic
/// writes them for Prefect's encoder (a pickle holds the members themselves).
fn set<'a, S, T, I>(serializer: S, items: impl Fn() -> I, layout: Layout) -> Result<S::Ok, S::Error>
where
    S: Serializer,
    T: ToPython + 'a,
    I: ExactSizeIterator<Item = &'a T>,
{
    match layout {
        Layout::Tagged => class(serializer, SET, &Members(items, Layout::Plain)),
        Layout::Pickle => class(serializer, SET, &Members(items, layout)),
        Layout::Plain => list(serializer, items(), layout),
    }
}

impl<T: ToPython> ToPython for [T] {
    fn to_python<S: Serializer>(&self, serializer: S, layout: Layout) -> Result<S::Ok, S::Error> {
        list(serializer, self.iter(), layout)
    }
}

impl<T: ToPython, const N: usize> ToPython for [T; N] {
    fn to_python<S: Serializer>(&self, serializer: S, layout: Layout) -> Result<S::Ok, S::Error> {
        list(serializer, self.iter(), layout)
    }
}

impl<T: ToPython> ToPython for Vec<T> {
    fn to_python<S: Serializer>(&self, serializer: S, layout: Layout) -> Result<S::Ok, S::Error> {
        list(serializer, self.iter(), layout)
    }
}

impl<T: ToPython> ToPython for VecDeque<T> {
    fn to_python<S: Serializer>(&self, serializer: S, layout: Layout) -> Result<S::Ok, S::Error> {
        list(serializer, self.iter(), layout)
    }
}

impl<T: ToPython> ToPython for BTreeSet<T> {
    fn to_python<S: Serializer>(&self, serializer: S, layout: Layout) -> Result<S::Ok, S::Error> {
        set(serializer, || self.iter(), layout)
    }
}

impl<T: ToPython, H: BuildHasher> ToPython for HashSet<T, H> {
    fn to_python<S: Serializer>(&self, serializer: S, layout: Layout) -> Result<S::Ok, S::Error> {
        set(serializer, || self.iter(), layout)
    }
}

/// A `dict`, in the order of `members`: keys are `str` or `int` in JSON, as Python's `json`
/// writes them. A map is a `dict` whatever its keys: never a class.
fn dict<'a, S, K, V, I>(
    serializer: S,
    len: usize,
    members: I,
    layout: Layout,
) -> Result<S::Ok, S::Error>
where
    S: Serializer,
    K: ToPython + 'a,
    V: ToPython + 'a,
    I: Iterator<Item = (&'a K, &'a V)>,
{
    use serde::ser::SerializeMap;
    let mut map = serializer.serialize_map(Some(len))?;
    for (key, value) in members {
        map.serialize_entry(&In(key, layout), &In(value, layout))?;
    }
    map.end()
}

impl<K: ToPython, V: ToPython> ToPython for BTreeMap<K, V> {
    fn to_python<S: Serializer>(&self, serializer: S, layout: Layout) -> Result<S::Ok, S::Error> {
        dict(serializer, self.len(), self.iter(), layout)
    }
}

impl<K: ToPython, V: ToPython, H: BuildHasher> ToPython for HashMap<K, V, H> {
    fn to_python<S: Serializer>(&self, serializer: S, layout: Layout) -> Result<S::Ok, S::Error> {
        dict(serializer, self.len(), self.iter(), layout)
    }
}

/// Tuples of up to 16, as serde's: Prefect's JSON holds them as lists.
macro_rules! tuples {
    ($(($($name:ident),+))*) => {$(
        impl<$($name: ToPython),+> ToPython for ($($name,)+) {
            #[allow(non_snake_case)]
            fn to_python<S: Serializer>(&self, serializer: S, layout: Layout) -> Result<S::Ok, S::Error> {
                let ($($name,)+) = self;
                let mut tuple = serializer.serialize_tuple([$(stringify!($name)),+].len())?;
                $(tuple.serialize_element(&In($name, layout))?;)+
                tuple.end()
            }
        }
    )*};
}

tuples! {
    (A)
    (A, B)
    (A, B, C)
    (A, B, C, D)
    (A, B, C, D, E)
    (A, B, C, D, E, F)
    (A, B, C, D, E, F, G)
    (A, B, C, D, E, F, G, H)
    (A, B, C, D, E, F, G, H, I)
    (A, B, C, D, E, F, G, H, I, J)
    (A, B, C, D, E, F, G, H, I, J, K)
    (A, B, C, D, E, F, G, H, I, J, K, L)
    (A, B, C, D, E, F, G, H, I, J, K, L, M)
    (A, B, C, D, E, F, G, H, I, J, K, L, M, N)
    (A, B, C, D, E, F, G, H, I, J, K, L, M, N, O)
    (A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P)
}

/// What `#[derive(ToPython)]` expands to calls.
#[doc(hidden)]
pub mod __derive {
    pub use serde::ser::{SerializeMap, SerializeTuple, Serializer};
    pub use serde::Serialize;

    pub use super::{Layout, ToPython};

    /// Writes a field into a struct's `dict`; the one bound names a field's type without a
    /// Python counterpart.
    pub fn entry<T: ToPython + ?Sized, M: SerializeMap>(
        map: &mut M,
        key: &str,
        value: &T,
        layout: Layout,
    ) -> Result<(), M::Error> {
        map.serialize_entry(key, &super::In(value, layout))
    }

    /// Writes a field into a tuple struct's list.
    pub fn element<T: ToPython + ?Sized, M: SerializeTuple>(
        tuple: &mut M,
        value: &T,
        layout: Layout,
    ) -> Result<(), M::Error> {
        tuple.serialize_element(&super::In(value, layout))
    }

    /// A struct's fields, each written as its Python value.
    pub trait Fields {
        /// How many are written.
        fn count(&self) -> usize;

        /// Writes them into `map`, in `layout`.
        fn write<M: SerializeMap>(&self, map: &mut M, layout: Layout) -> Result<(), M::Error>;
    }

    /// The fields of `T` as a `dict`.
    struct Data<'a, T: ?Sized>(&'a T, Layout);

    impl<T: Fields + ?Sized> Serialize for Data<'_, T> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut map = serializer.serialize_map(Some(self.0.count()))?;
            self.0.write(&mut map, self.1)?;
            map.end()
        }
    }

    /// A struct: a pydantic model or dataclass of `class`, tagged with it (its fields plain,
    /// as pydantic writes them) where the layout is tagged; else a `dict` of its fields.
    pub fn object<S: Serializer, T: Fields + ?Sized>(
        serializer: S,
        class: Option<&str>,
        value: &T,
        layout: Layout,
    ) -> Result<S::Ok, S::Error> {
        match (class, layout) {
            (Some(class), Layout::Pickle) => super::class(serializer, class, &Data(value, layout)),
            (Some(class), Layout::Tagged) => {
                super::class(serializer, class, &Data(value, Layout::Plain))
            }
            _ => Data(value, layout).serialize(serializer),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::Python;
    use crate::json::to_python_json;

    fn text<T: super::ToPython + ?Sized>(value: &T) -> String {
        String::from_utf8(to_python_json(&Python(value)).unwrap()).unwrap()
    }

    #[test]
    fn python_types_are_tagged_and_plain_ones_are_not() {
        let day = chrono::NaiveDate::from_ymd_opt(2020, 12, 16).unwrap();
        assert_eq!(
            text(&(day, Some(1.5), None::<i64>, "é")),
            r#"[{"__class__": "datetime.date", "data": "2020-12-16"}, 1.5, null, "\u00e9"]"#
        );
        assert_eq!(
            text(&BTreeSet::from([3, 1])),
            r#"{"__class__": "builtins.set", "data": [1, 3]}"#
        );
        assert_eq!(
            text(&serde_bytes::ByteBuf::from(b"abc".to_vec())),
            r#"{"__class__": "builtins.bytes", "data": "abc"}"#
        );
        assert_eq!(
            text(&BTreeMap::from([(1, vec![uuid::Uuid::nil()])])),
            r#"{"1": [{"__class__": "uuid.UUID", "data": "00000000-0000-0000-0000-000000000000"}]}"#
        );
        // Bytes that are not UTF-8 have no place in Prefect's JSON.
        let err = to_python_json(&Python(&serde_bytes::ByteBuf::from(vec![0xff]))).unwrap_err();
        assert!(err.to_string().contains("not UTF-8"), "{err}");
    }
}
