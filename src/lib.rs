//! Result serializers in the shape of Prefect 1.x's: a value becomes bytes, and bytes become
//! the value again, with the format chosen per type at compile time.
//!
//! ```
//! use chrono::{DateTime, TimeZone, Utc};
//! use result_serializers::ResultSerializer;
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Debug, PartialEq, Serialize, Deserialize, ResultSerializer)]
//! #[serializer(json)]
//! struct Summary {
//!     rows: u64,
//!     mean: f64,
//! }
//!
//! #[derive(Debug, PartialEq, ResultSerializer)]
//! #[serializer(datetime)]
//! struct Finished(DateTime<Utc>);
//!
//! let summary = Summary { rows: 3, mean: 1.5 };
//! let bytes = summary.to_result_bytes()?;
//! assert_eq!(bytes, br#"{"rows":3,"mean":1.5}"#);
//! assert_eq!(Summary::from_result_bytes(&bytes)?, summary);
//!
//! let finished = Finished(Utc.with_ymd_and_hms(2020, 12, 16, 21, 36, 0).unwrap());
//! assert_eq!(finished.to_result_bytes()?, b"2020-12-16T21:36:00Z");
//! # Ok::<(), result_serializers::Error>(())
//! ```
//!
//! # The attribute
//!
//! | attribute | serializer |
//! |---|---|
//! | `#[serializer(json)]` | [`JsonSerializer::new`]: compact JSON, as `serde_json::to_vec` |
//! | `#[serializer(json(pretty))]` | [`JsonSerializer::pretty`]: indented JSON |
//! | `#[serializer(binary)]` | [`BinarySerializer`]: postcard |
//! | `#[serializer(json(python))]` | [`JsonSerializer::python`]: byte for byte Python's `json.dumps` |
//! | `#[serializer(pickle)]` | [`PickleSerializer`]: Python pickles of plain data |
//! | `#[serializer(datetime)]` | [`DateTimeSerializer`], on a newtype over a chrono date-time |
//! | `#[serializer(dataframe(file_type = "parquet", ...))]` | `DataFrameSerializer` (feature `dataframe`), on a newtype over a polars `DataFrame` |
//! | `#[serializer(rows(file_type = "parquet", ...))]` | `RowsSerializer` (feature `dataframe`), on a newtype over `Vec<T>` where `T` derives [`Row`](macro@Row): one column per field |
//! | `#[serializer(with = path::To::Serializer)]` | any `Serializer<Self> + Default` |
//!
//! Beside any of them, `compress = "gzip"` (or `compress(codec = "zstd", level = 19,
//! max_decompressed_size = N)`) wraps the serializer in a [`CompressedSerializer`].
//! `#[serializer(crate = "path")]` names this crate where it is not `::result_serializers`.
//! `json` and `binary` need the type to implement serde's `Serialize` and `Deserialize`.
//! On a generic type the impl is bounded by what the serializer needs, so `Page<T>` is a
//! `ResultSerializer` for exactly the `T` it can be serialized with.
#![forbid(unsafe_code)]
// docs.rs marks each item with the features it needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use serializer_core::*;

/// Derives [`ResultSerializer`](trait@ResultSerializer) with the serializer named in
/// `#[serializer(...)]`; see the [crate documentation](crate).
#[cfg(feature = "derive")]
pub use serializer_derive::ResultSerializer;

/// Derives [`Row`](trait@Row) and [`ColumnType`](dataframe::ColumnType): a struct as one row
/// of a table, a column per field, named as serde names them; `#[serializer(rows(...))]`
/// stores a `Vec` of them.
#[cfg(all(feature = "derive", feature = "dataframe"))]
pub use serializer_derive::Row;

/// Prefect 3's result records: see [`serializer_core::prefect3`]. With the `derive` feature,
/// `prefect3::ToPython` is also the derive of the trait of that name, as serde's `Serialize` is.
#[cfg(feature = "prefect3")]
pub mod prefect3 {
    #[doc(inline)]
    pub use serializer_core::prefect3::*;
    #[cfg(feature = "derive")]
    pub use serializer_derive::ToPython;
}

// The README's examples compile and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
