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
//!
//! # The whole input, or an error
//!
#![doc = include_str!("../docs/whole-input.md")]
#![forbid(unsafe_code)]
// docs.rs marks each item with the features it needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod binary;
#[cfg(any(
    feature = "gzip",
    feature = "bz2",
    feature = "xz",
    feature = "zstd",
    feature = "lz4"
))]
mod compressed;
mod cursor;
#[cfg(feature = "dataframe")]
pub mod dataframe;
pub mod datetime;
mod error;
pub mod json;
mod panic;
#[cfg(feature = "pickle")]
mod pickle;
#[cfg(feature = "prefect3")]
pub mod prefect3;
mod serializer;
#[cfg(feature = "store")]
pub mod store;

pub use crate::binary::BinarySerializer;
#[cfg(any(
    feature = "gzip",
    feature = "bz2",
    feature = "xz",
    feature = "zstd",
    feature = "lz4"
))]
pub use crate::compressed::{
    Codec, CompressedSerializer, Compression, CompressionError, DEFAULT_MAX_DECOMPRESSED,
};
#[cfg(feature = "dataframe")]
pub use crate::dataframe::{DataFrameSerializer, DataFrameValue, Row, RowsSerializer};
pub use crate::datetime::{DateTimeParts, DateTimeSerializer, DateTimeValue, Zone};
pub use crate::error::{Error, ErrorKind, Operation};
pub use crate::json::{JsonSerializer, JsonStyle};
#[cfg(feature = "pickle")]
pub use crate::pickle::{
    PickleProtocol, PickleSerializer, DEFAULT_PICKLE_MAX_DEPTH, DEFAULT_PICKLE_MAX_OBJECTS,
};
pub use crate::serializer::{ResultSerializer, Serializer};
/// The polars this crate is built with, for frames that match its version.
#[cfg(feature = "dataframe")]
pub use polars;
/// The `serde-pickle` this crate is built with, for [`PickleSerializer::deserialize_value`].
#[cfg(feature = "pickle")]
pub use serde_pickle;

/// Not public API: what `#[derive(ResultSerializer)]` expands to refers to these.
#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;
