//! [`ResultStore`]: results at locations in an object store.

use std::fmt::Debug;
use std::sync::Arc;

use futures_util::TryStreamExt;
use object_store::memory::InMemory;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

use super::error::StoreError;
use super::location::path;
use super::record::{self, RecordHeader, Stored};
use crate::serializer::{ResultSerializer, Serializer};

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
            .map_err(|source| StoreError::serializer(location, source))?;
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
            .map_err(|source| StoreError::backend(location, source))?;
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
            .map_err(|source| StoreError::serializer(location, source))
    }

    /// Reads bytes without a record, such as a result Prefect 1.x wrote, with `serializer`.
    pub async fn read_raw<T, S>(&self, serializer: &S, location: &str) -> Result<T, StoreError>
    where
        S: Serializer<T>,
    {
        let bytes = self.get(location).await?;
        serializer
            .deserialize(&bytes)
            .map_err(|source| StoreError::serializer(location, source))
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
            Err(source) => Err(StoreError::backend(location, source)),
        }
    }

    /// Deletes the result at `location`; deleting a missing one is not an error.
    pub async fn delete(&self, location: &str) -> Result<(), StoreError> {
        match self.store.delete(&path(location)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(source) => Err(StoreError::backend(location, source)),
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
            .map_err(|source| StoreError::backend(prefix, source))?;
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
            Err(source) => return Err(StoreError::backend(location, source)),
        };
        result
            .bytes()
            .await
            .map_err(|source| StoreError::backend(location, source))
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
