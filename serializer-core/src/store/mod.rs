//! Persisted results, as Prefect's `Result` classes kept them: a [`ResultStore`] puts a value's
//! bytes at a location (often rendered from a [`Template`]) on the local file system, in memory,
//! or in object storage (S3 and S3-compatible servers with the `s3` feature, GCS with `gcs`,
//! Azure Blob Storage with `azure`; opened by URL with [`ResultStore::from_url`]), and reads
//! them back. The local file system, memory, S3 (moto's server) and Azure (azurite) are tested
//! against real servers; GCS is not, as no emulator installable from a package registry takes
//! `object_store`'s XML API requests yet.
//!
//! # Layout
//!
//! The object at a location is exactly what the serializer wrote: a `.parquet` result opens in
//! pandas, polars or duckdb, a `.json` one in `json.load`. Its [`Record`] (serializer and format
//! identity, Rust type and shape fingerprint, length, SHA-256, creation and expiry, crate
//! version) is a JSON object beside it, at `.records/<location>.json`; `list` shows neither
//! records nor the `.records/<location>.lock` a writer holds while it writes. Results that the
//! store's first version wrote, with the record in front of the bytes, still read.
//!
//! # Writes, crashes and races
//!
//! A write serializes into a temporary file beside the location (on the local file system)
//! or into memory, spilling to a temporary file past 16 MiB, taking the SHA-256 as the bytes
//! go (on a second thread, which hashes each MiB while the serializer writes the next, so a
//! large write costs the serializer's time, not that plus the hash's); then, holding the location's lock (a create-only put of `.records/<location>.lock`),
//! it puts the bytes (a rename, one put, or a multipart upload in 8 MiB parts: S3 takes no
//! single put over 5 GiB) and then the record, and releases the lock. A read takes the record,
//! then decodes the bytes while hashing them (a second thread reads and hashes the bytes a
//! MiB at a time, a few MiB ahead of the decoder; a result of 16 MiB or less is read into
//! memory and decoded there), and returns the value only if their length and
//! SHA-256 are the record's; a read that finds them apart (a writer between its two puts) tries
//! again, and after eight tries is [`StoreError::Corrupt`]. So a crash or a race never makes a
//! read return bytes other than those its record describes: it gives the old value, the new
//! one, or an error. A writer that crashes between its two puts leaves bytes that match no
//! record, read as `Corrupt` until the next write; one that crashes holding the lock leaves a
//! lock that the next writer takes over once it is older than the stale age (10 minutes by
//! default, [`ResultStore::with_lock_timeouts`]). A crashed local write can leave its
//! temporary file, `.<name>.<random>.tmp`, beside the location.
//!
//! # Identity
//!
//! A result reads only with a serializer of the same
//! [format identity](crate::Serializer::format_identity) (kind, layout, codec and level, file
//! type, write options; not read limits, so raising a limit keeps every result readable) and
//! as the type that wrote it: the same [shape fingerprint](crate::ResultSerializer::shape)
//! where both sides have one, else the same type name. [`ResultStore::read_as`] reads a
//! self-describing format (JSON, pickle, date-times, DataFrames) into another type.
//!
//! # Compute once
//!
//! [`ResultStore::get_or_compute`] loads a valid, unexpired result, or computes it under the
//! location's lock and stores it: of several workers, one computes and the others read its
//! value. Expiry comes from [`WriteOptions::expires_in`]; [`cache_key`] names a result by its
//! inputs for a [`Template`].
//!
//! ```
//! # #[cfg(feature = "store")] {
//! use serializer_core::store::{BlockingResultStore, ResultStore};
//! # use serializer_core::{JsonSerializer, ResultSerializer};
//! # #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
//! # struct Counts(Vec<u32>);
//! # impl ResultSerializer for Counts {
//! #     type Serializer = JsonSerializer;
//! #     fn serializer() -> JsonSerializer { JsonSerializer::new() }
//! # }
//! let store = BlockingResultStore::new(ResultStore::memory())?;
//! store.write(&Counts(vec![1, 2]), "etl/counts.json")?;
//! assert_eq!(store.read::<Counts>("etl/counts.json")?, Counts(vec![1, 2]));
//! assert_eq!(store.list("etl")?, ["etl/counts.json"]);
//! # }
//! # Ok::<(), serializer_core::store::StoreError>(())
//! ```

mod blocking;
mod cache;
mod error;
mod hashing;
mod location;
mod lock;
mod record;
mod result_store;
mod template;

pub(crate) use self::blocking::runtime;
pub use self::blocking::BlockingResultStore;
pub use self::cache::cache_key;
pub use self::error::{StoreError, TypeMismatch};
pub(crate) use self::location::path;
pub use self::record::Record;
pub use self::result_store::{Garbage, ResultStore, WriteOptions};
pub use self::template::Template;
