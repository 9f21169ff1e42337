//! Persisted results, as Prefect's `Result` classes kept them: a [`ResultStore`] puts a value's
//! bytes at a location (often rendered from a [`Template`]) on the local file system, in memory,
//! or in object storage (S3 and S3-compatible servers with the `s3` feature; GCS and Azure
//! through `object_store`'s own features and [`ResultStore::new`]), and reads them back.
//!
//! Every stored result starts with a small record ([`RecordHeader`]): which serializer and
//! configuration wrote it, and the SHA-256 of its bytes. Reading checks the record against the
//! reading type's serializer and the checksum against the bytes before any decoder sees them,
//! so a result read with the wrong serializer, or corrupted, is an error rather than garbage.
//! Bytes without a record (written by Prefect 1.x) are read with [`ResultStore::read_raw`],
//! naming the serializer.
//!
//! Writes are atomic: each is one `put` of the record and the bytes together, which S3 and
//! memory apply whole and the local file system writes to a temporary file and renames. A
//! reader sees the old result or the new one. Of concurrent writers to one location, the last
//! to finish wins.
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
mod error;
mod location;
mod record;
mod result_store;
mod template;

pub use self::blocking::BlockingResultStore;
pub use self::error::StoreError;
pub use self::record::RecordHeader;
pub use self::result_store::ResultStore;
pub use self::template::Template;
