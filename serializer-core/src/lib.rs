//! The runtime of `result-serializers`: the [`Serializer`] trait and one serializer per format.
//!
//! A serializer turns a value into bytes and back, the way Prefect 1.x's result serializers
//! did (`serialize(value) -> bytes`, `deserialize(bytes) -> value`):
//!
//! ```
//! use serializer_core::{JsonSerializer, Serializer};
//!
//! let serializer = JsonSerializer::new();
//! let bytes = serializer.serialize(&vec![1, 2, 3])?;
//! assert_eq!(bytes, b"[1,2,3]");
//! let back: Vec<i32> = serializer.deserialize(&bytes)?;
//! assert_eq!(back, [1, 2, 3]);
//! # Ok::<(), serializer_core::Error>(())
//! ```
//!
//! | serializer | format | values |
//! |---|---|---|
//! | [`JsonSerializer`] | JSON through `serde_json` | any `Serialize + DeserializeOwned` |
//! | [`BinarySerializer`] | postcard, compact and fast | any `Serialize + DeserializeOwned` |
//! | [`DateTimeSerializer`] | ISO 8601 text, as Prefect writes it | [`DateTimeValue`]s: chrono date-times and newtypes over them |
//!
//! A type names its serializer once through [`ResultSerializer`], usually derived with
//! `#[derive(ResultSerializer)]` from the `result-serializers` crate.
#![forbid(unsafe_code)]

mod binary;
mod compressed;
#[cfg(feature = "dataframe")]
pub mod dataframe;
mod datetime;
mod error;
mod file;
mod json;
mod panic;
mod pickle;
#[cfg(feature = "store")]
pub mod store;

use std::io::{BufReader, Read, Write};
use std::path::Path;

pub use crate::binary::BinarySerializer;
pub use crate::compressed::{
    Codec, CompressedSerializer, Compression, CompressionError, DEFAULT_MAX_DECOMPRESSED,
};
#[cfg(feature = "dataframe")]
pub use crate::dataframe::{DataFrameSerializer, DataFrameValue};
pub use crate::datetime::{DateTimeParts, DateTimeSerializer, DateTimeValue, Zone};
pub use crate::error::{Error, ErrorKind, Operation};
pub use crate::json::{JsonSerializer, JsonStyle};
pub use crate::pickle::{
    PickleProtocol, PickleSerializer, DEFAULT_PICKLE_MAX_DEPTH, DEFAULT_PICKLE_MAX_OBJECTS,
};
/// The polars this crate is built with, for frames that match its version.
#[cfg(feature = "dataframe")]
pub use polars;
/// The `serde-pickle` this crate is built with, for [`PickleSerializer::deserialize_value`].
pub use serde_pickle;

/// Turns values of type `T` into bytes and back.
///
/// Implement [`serialize`](Serializer::serialize) and [`deserialize`](Serializer::deserialize)
/// to write a serializer of your own; the streaming forms have defaults built on them, which a
/// format that can stream overrides.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a serializer for `{T}`",
    label = "`{Self}` cannot serialize `{T}`",
    note = "a serializer for `{T}` implements `Serializer<{T}>`"
)]
pub trait Serializer<T> {
    /// Serializes `value` into a new byte vector.
    fn serialize(&self, value: &T) -> Result<Vec<u8>, Error>;

    /// Deserializes a value from the whole of `bytes`; bytes left over are an error.
    fn deserialize(&self, bytes: &[u8]) -> Result<T, Error>;

    /// Serializes `value` straight into `writer`.
    ///
    /// The writer is not buffered by the serializer: pass a [`std::io::BufWriter`] when writing
    /// to a file or socket.
    fn serialize_into<W: Write>(&self, value: &T, mut writer: W) -> Result<(), Error> {
        let bytes = self.serialize(value)?;
        writer
            .write_all(&bytes)
            .map_err(|err| Error::io(self.name(), Operation::Serialize, err))
    }

    /// Deserializes a value from everything `reader` yields.
    fn deserialize_from<R: Read>(&self, mut reader: R) -> Result<T, Error> {
        let mut bytes = Vec::new();
        reader
            .read_to_end(&mut bytes)
            .map_err(|err| Error::io(self.name(), Operation::Deserialize, err))?;
        self.deserialize(&bytes)
    }

    /// Serializes `value` into the file at `path`, atomically: the bytes go to a temporary
    /// file in the same directory, are flushed to disk, and the temporary file is renamed over
    /// `path`. A reader or a crash sees the old file or the new one, never a half-written
    /// one; on an error, `path` is untouched.
    fn serialize_to_file<P: AsRef<Path>>(&self, value: &T, path: P) -> Result<(), Error> {
        file::write_atomically(self.name(), path.as_ref(), |writer| {
            self.serialize_into(value, writer)
        })
    }

    /// Deserializes a value from the whole file at `path`.
    fn deserialize_from_file<P: AsRef<Path>>(&self, path: P) -> Result<T, Error> {
        let file = file::open(self.name(), path.as_ref())?;
        self.deserialize_from(BufReader::new(file))
    }

    /// The short name errors of this serializer carry; the type's name unless overridden.
    fn name(&self) -> &'static str {
        std::any::type_name::<Self>()
    }
}

/// A type that knows how it is persisted as a result.
///
/// Derive it with `#[derive(ResultSerializer)]` and `#[serializer(json)]` (or `binary`,
/// `datetime`, `with = path::To::Serializer`), or implement it by hand.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no result serializer",
    label = "`{Self}` does not implement `ResultSerializer`",
    note = "add `#[derive(ResultSerializer)]` and `#[serializer(json)]` (or `binary`, `datetime`, `with = ...`) to `{Self}`"
)]
pub trait ResultSerializer: Sized {
    /// The serializer that persists this type.
    type Serializer: Serializer<Self>;

    /// The serializer, configured as the type asks.
    fn serializer() -> Self::Serializer;

    /// Serializes `self` into bytes.
    fn to_result_bytes(&self) -> Result<Vec<u8>, Error> {
        Self::serializer().serialize(self)
    }

    /// Deserializes a value from bytes written by [`to_result_bytes`](Self::to_result_bytes).
    fn from_result_bytes(bytes: &[u8]) -> Result<Self, Error> {
        Self::serializer().deserialize(bytes)
    }

    /// Serializes `self` straight into `writer` (unbuffered: see [`Serializer::serialize_into`]).
    fn write_result<W: Write>(&self, writer: W) -> Result<(), Error> {
        Self::serializer().serialize_into(self, writer)
    }

    /// Deserializes a value from everything `reader` yields.
    fn read_result<R: Read>(reader: R) -> Result<Self, Error> {
        Self::serializer().deserialize_from(reader)
    }

    /// Saves `self` to the file at `path`, atomically (see [`Serializer::serialize_to_file`]).
    fn save<P: AsRef<Path>>(&self, path: P) -> Result<(), Error> {
        Self::serializer().serialize_to_file(self, path)
    }

    /// Loads a value from the file at `path`.
    fn load<P: AsRef<Path>>(path: P) -> Result<Self, Error> {
        Self::serializer().deserialize_from_file(path)
    }
}

/// Not public API: what `#[derive(ResultSerializer)]` expands to refers to these.
#[doc(hidden)]
pub mod __private {
    pub use core::default::Default;
    pub use core::option::Option;

    /// The serializer of the stub impl emitted beside a derive error; it has no values.
    #[derive(Debug)]
    pub enum Never {}

    impl<T> crate::Serializer<T> for Never {
        fn serialize(&self, _: &T) -> Result<Vec<u8>, crate::Error> {
            match *self {}
        }

        fn deserialize(&self, _: &[u8]) -> Result<T, crate::Error> {
            match *self {}
        }
    }
}
