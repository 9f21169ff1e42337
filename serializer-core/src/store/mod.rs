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
mod record;
mod template;

use std::fmt::Debug;
use std::sync::Arc;

use futures_util::TryStreamExt;
use object_store::memory::InMemory;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

pub use self::blocking::BlockingResultStore;
pub use self::record::RecordHeader;
use self::record::Stored;
pub use self::template::Template;
use crate::{Error, ResultSerializer, Serializer};

/// What went wrong while storing or loading a result.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A location template could not be parsed.
    #[error("location template `{template}`: {reason}")]
    Template {
        /// The template.
        template: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A template names a field that was not given.
    #[error("location template `{template}` needs the field `{field}`, which was not given")]
    MissingField {
        /// The template.
        template: String,
        /// The missing field.
        field: String,
    },
    /// A location would leave the store, or is not a path.
    #[error("location `{location}` is not allowed: {reason}")]
    InvalidLocation {
        /// The location.
        location: String,
        /// Why.
        reason: &'static str,
    },
    /// Nothing is stored at the location.
    #[error("no result at `{location}`")]
    NotFound {
        /// The location.
        location: String,
    },
    /// The backend failed.
    #[error("storage failed at `{location}`: {source}")]
    Backend {
        /// The location.
        location: String,
        /// The `object_store` error.
        #[source]
        source: object_store::Error,
    },
    /// The serializer failed.
    #[error("result at `{location}`: {source}")]
    Serializer {
        /// The location.
        location: String,
        /// The serializer's error.
        #[source]
        source: Error,
    },
    /// The stored result has no record: bytes written by Prefect 1.x or another tool.
    #[error(
        "result at `{location}` has no record of its serializer (written by Prefect 1.x or \
         another tool?): read it with `read_raw` and the serializer that wrote it"
    )]
    NoRecord {
        /// The location.
        location: String,
    },
    /// The stored bytes are damaged: truncated, or their checksum does not match the record.
    #[error("result at `{location}` is corrupt: {reason}")]
    Corrupt {
        /// The location.
        location: String,
        /// What does not match.
        reason: String,
    },
    /// The result was written by another serializer or configuration than the one reading.
    #[error(
        "result at `{location}` was written by the {stored} serializer ({stored_config}) and \
         cannot be read by the {reading} serializer ({reading_config})"
    )]
    SerializerMismatch {
        /// The location.
        location: String,
        /// The serializer that wrote it.
        stored: String,
        /// Its configuration.
        stored_config: String,
        /// The serializer asked to read it.
        reading: String,
        /// Its configuration.
        reading_config: String,
    },
    /// The blocking store could not start its runtime, or the local root could not be made.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Results at locations in an object store, each with the record of its serializer.
#[derive(Debug, Clone)]
pub struct ResultStore {
    store: Arc<dyn ObjectStore>,
}

impl ResultStore {
    /// A store over any `object_store` backend: S3 (`AmazonS3Builder`, with the `s3`
    /// feature), GCS, Azure, or one of your own.
    pub fn new(store: Arc<dyn ObjectStore>) -> Self {
        ResultStore { store }
    }

    /// Results under the directory `root` on the local file system, created if missing.
    pub fn local(root: impl AsRef<std::path::Path>) -> Result<Self, StoreError> {
        std::fs::create_dir_all(root.as_ref())?;
        let local = object_store::local::LocalFileSystem::new_with_prefix(root.as_ref()).map_err(
            |source| StoreError::Backend {
                location: root.as_ref().display().to_string(),
                source,
            },
        )?;
        Ok(ResultStore::new(Arc::new(local)))
    }

    /// Results in memory, for tests.
    pub fn memory() -> Self {
        ResultStore::new(Arc::new(InMemory::new()))
    }

    /// The backend.
    pub fn object_store(&self) -> &Arc<dyn ObjectStore> {
        &self.store
    }

    /// Writes `value` at `location` with its type's serializer, behind a record of that
    /// serializer and the bytes' checksum. Replaces what was there, atomically.
    pub async fn write<T>(&self, value: &T, location: &str) -> Result<RecordHeader, StoreError>
    where
        T: ResultSerializer,
        T::Serializer: Debug,
    {
        let path = path(location)?;
        let serializer = T::serializer();
        let payload = serializer
            .serialize(value)
            .map_err(|source| serializer_error(location, source))?;
        let header = RecordHeader {
            serializer: serializer.name().to_owned(),
            config: format!("{serializer:?}"),
            type_name: std::any::type_name::<T>().to_owned(),
            length: payload.len() as u64,
            sha256: record::sha256_hex(&payload),
        };
        // The record and the bytes go as two parts of one put: no copy of the bytes.
        let parts = [record::encode(&header), payload].map(bytes::Bytes::from);
        self.store
            .put(&path, parts.into_iter().collect::<PutPayload>())
            .await
            .map_err(|source| backend(location, source))?;
        Ok(header)
    }

    /// Reads the result at `location` as a `T`: the record must name `T`'s serializer and
    /// configuration, and the checksum must match, before the bytes are decoded.
    pub async fn read<T>(&self, location: &str) -> Result<T, StoreError>
    where
        T: ResultSerializer,
        T::Serializer: Debug,
    {
        self.read_with(&T::serializer(), location).await
    }

    /// Reads the result at `location` with `serializer`, which must be the one its record
    /// names.
    pub async fn read_with<T, S>(&self, serializer: &S, location: &str) -> Result<T, StoreError>
    where
        S: Serializer<T> + Debug,
    {
        let bytes = self.get(location).await?;
        let Some((header, payload)) = decode(location, &bytes)? else {
            return Err(StoreError::NoRecord {
                location: location.to_owned(),
            });
        };
        let config = format!("{serializer:?}");
        if header.serializer != serializer.name() || header.config != config {
            return Err(StoreError::SerializerMismatch {
                location: location.to_owned(),
                stored: header.serializer,
                stored_config: header.config,
                reading: serializer.name().to_owned(),
                reading_config: config,
            });
        }
        serializer
            .deserialize(payload)
            .map_err(|source| serializer_error(location, source))
    }

    /// Reads bytes without a record, such as a result Prefect 1.x wrote, with `serializer`.
    pub async fn read_raw<T, S>(&self, serializer: &S, location: &str) -> Result<T, StoreError>
    where
        S: Serializer<T>,
    {
        let bytes = self.get(location).await?;
        serializer
            .deserialize(&bytes)
            .map_err(|source| serializer_error(location, source))
    }

    /// The record of the result at `location`, without decoding it; `None` for bytes without
    /// one.
    pub async fn record(&self, location: &str) -> Result<Option<RecordHeader>, StoreError> {
        let bytes = self.get(location).await?;
        Ok(decode(location, &bytes)?.map(|(header, _)| header))
    }

    /// Whether a result is stored at `location`.
    pub async fn exists(&self, location: &str) -> Result<bool, StoreError> {
        match self.store.head(&path(location)?).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(source) => Err(backend(location, source)),
        }
    }

    /// Deletes the result at `location`; deleting a missing one is not an error.
    pub async fn delete(&self, location: &str) -> Result<(), StoreError> {
        match self.store.delete(&path(location)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(source) => Err(backend(location, source)),
        }
    }

    /// The locations stored under `prefix` (`""` for all), sorted.
    pub async fn list(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        let prefix_path = if prefix.is_empty() {
            None
        } else {
            Some(path(prefix)?)
        };
        let mut locations: Vec<String> = self
            .store
            .list(prefix_path.as_ref())
            .map_ok(|meta| meta.location.to_string())
            .try_collect()
            .await
            .map_err(|source| backend(prefix, source))?;
        locations.sort();
        Ok(locations)
    }

    async fn get(&self, location: &str) -> Result<bytes::Bytes, StoreError> {
        let result = match self.store.get(&path(location)?).await {
            Ok(result) => result,
            Err(object_store::Error::NotFound { .. }) => {
                return Err(StoreError::NotFound {
                    location: location.to_owned(),
                })
            }
            Err(source) => return Err(backend(location, source)),
        };
        result
            .bytes()
            .await
            .map_err(|source| backend(location, source))
    }
}

/// The record at the front of `bytes` and the bytes it covers, checked; `None` for bytes
/// without a record.
fn decode<'a>(
    location: &str,
    bytes: &'a [u8],
) -> Result<Option<(RecordHeader, &'a [u8])>, StoreError> {
    match record::decode(bytes) {
        Ok(Stored::Record(header, payload)) => Ok(Some((header, payload))),
        Ok(Stored::Raw) => Ok(None),
        Err(reason) => Err(StoreError::Corrupt {
            location: location.to_owned(),
            reason,
        }),
    }
}

fn serializer_error(location: &str, source: Error) -> StoreError {
    StoreError::Serializer {
        location: location.to_owned(),
        source,
    }
}

fn backend(location: &str, source: object_store::Error) -> StoreError {
    StoreError::Backend {
        location: location.to_owned(),
        source,
    }
}

/// Refuses a location that would leave the store's root or is not a plain relative path.
pub(crate) fn check_location(location: &str) -> Result<(), StoreError> {
    let invalid = |reason| {
        Err(StoreError::InvalidLocation {
            location: location.to_owned(),
            reason,
        })
    };
    if location.is_empty() {
        return invalid("it is empty");
    }
    if location.starts_with('/') || location.starts_with('\\') {
        return invalid("it is absolute");
    }
    if location.contains('\\') {
        return invalid("it contains `\\`; separate segments with `/`");
    }
    for segment in location.split('/') {
        match segment {
            "" => return invalid("it has an empty segment"),
            "." | ".." => return invalid("a `.` or `..` segment could leave the store"),
            _ if segment.chars().any(char::is_control) => {
                return invalid("it contains a control character")
            }
            _ => {}
        }
    }
    Ok(())
}

fn path(location: &str) -> Result<Path, StoreError> {
    check_location(location)?;
    Path::parse(location).map_err(|_| StoreError::InvalidLocation {
        location: location.to_owned(),
        reason: "object_store cannot hold it as a path",
    })
}
