//! [`Prefect3Store`]: a Prefect 3 result location, read and written as Prefect 3's own
//! `ResultStore` does, on any backend a [`ResultStore`] opens.

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;

use super::{Prefect3Metadata, Prefect3Record, Prefect3Serializer, ToPython};
use crate::store::{ResultStore, StoreError};

/// Where Prefect 3 keeps results: its `result_storage`, and in the `split` layout its
/// `metadata_storage` beside it. Opened on the stores [`ResultStore::from_url`] opens (a local
/// directory, S3, Azure, GCS), with their paths as Prefect's keys.
///
/// - **`record` layout** ([`Prefect3Store::record`]): the key holds one JSON object,
///   `{"metadata": ..., "result": ...}` ([`Prefect3Record`]).
/// - **`split` layout** ([`Prefect3Store::split`]): the key holds the serializer's output alone,
///   and the metadata store holds its [`Prefect3Metadata`] at the same key, as Prefect 3 writes
///   it when its `ResultStore` has a `metadata_storage`.
///
/// As in Prefect, an expired result is absent: reading it is [`StoreError::Expired`], and
/// [`exists`](Prefect3Store::exists) is `false`. The result is read at the key, not at the
/// metadata's `storage_key` (Prefect writes the same object there as a path of its own
/// machine, often absolute); in the `split` layout a `storage_key` that names another result
/// ([`Prefect3Metadata::names_key`]) is [`StoreError::Corrupt`], since Prefect would read that
/// one. A write goes through the store's own write path: it holds the key's lock in the
/// results store ([locks and leases](crate::store#locks-and-leases)), so that two writers of
/// one key never interleave, and puts the result (a rename on the local disk, one put, or a
/// multipart upload past 16 MiB), then its metadata; each put replaces one whole object.
///
/// ```
/// # #[cfg(feature = "store")] {
/// use serializer_core::prefect3::{Prefect3Serializer, Prefect3Store};
/// use serializer_core::store::ResultStore;
///
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// let store = Prefect3Store::record(&ResultStore::memory());
/// store.write("daily-total", &vec![1.5, 2.0], &Prefect3Serializer::json(), None).await?;
/// assert_eq!(store.read::<Vec<f64>>("daily-total").await?, [1.5, 2.0]);
/// # Ok::<(), serializer_core::store::StoreError>(())
/// # })?;
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Prefect3Store {
    results: ResultStore,
    /// The `split` layout's metadata store; none in the `record` layout.
    metadata: Option<ResultStore>,
}

impl Prefect3Store {
    /// The `record` layout in `results`.
    pub fn record(results: &ResultStore) -> Self {
        Prefect3Store {
            results: results.clone(),
            metadata: None,
        }
    }

    /// The `split` layout: results in `results`, their metadata in `metadata`.
    pub fn split(results: &ResultStore, metadata: &ResultStore) -> Self {
        Prefect3Store {
            results: results.clone(),
            metadata: Some(metadata.clone()),
        }
    }

    /// The `record` layout at a URL: `file:///srv/prefect-results`, `s3://bucket/prefix`, ...
    /// (see [`ResultStore::from_url`]).
    pub fn record_at(url: &str) -> Result<Self, StoreError> {
        Ok(Prefect3Store::record(&ResultStore::from_url(url)?))
    }

    /// The `split` layout at two URLs: the results', and the metadata's.
    pub fn split_at(results: &str, metadata: &str) -> Result<Self, StoreError> {
        Ok(Prefect3Store::split(
            &ResultStore::from_url(results)?,
            &ResultStore::from_url(metadata)?,
        ))
    }

    /// The metadata of the result at `key`, expired or not.
    pub async fn metadata(&self, key: &str) -> Result<Prefect3Metadata, StoreError> {
        Ok(self.fetch(key).await?.0)
    }

    /// Whether an unexpired result is at `key`, as Prefect's `ResultStore.exists` says.
    pub async fn exists(&self, key: &str) -> Result<bool, StoreError> {
        match self.fetch(key).await {
            Ok((metadata, _)) => Ok(!metadata.is_expired_at(Utc::now())),
            Err(StoreError::NotFound { .. }) => Ok(false),
            Err(err) => Err(err),
        }
    }

    /// The result at `key`, read into `T` as its metadata's serializer wrote it.
    pub async fn read<T: DeserializeOwned>(&self, key: &str) -> Result<T, StoreError> {
        let (metadata, result) = self.fetch(key).await?;
        if let Some(expired_at) = metadata
            .expiration
            .filter(|_| metadata.is_expired_at(Utc::now()))
        {
            return Err(StoreError::Expired {
                location: key.to_owned(),
                expired_at: expired_at.to_rfc3339(),
            });
        }
        super::read_result(&metadata.serializer, &result)
            .map_err(|error| StoreError::serializer(key, error))
    }

    /// Writes `value` at `key` with `serializer`, expiring at `expiration` (`None`: never),
    /// in the store's layout; returns the metadata written. Replaces what was there.
    pub async fn write<T: ToPython + ?Sized>(
        &self,
        key: &str,
        value: &T,
        serializer: &Prefect3Serializer,
        expiration: Option<DateTime<Utc>>,
    ) -> Result<Prefect3Metadata, StoreError> {
        let metadata = Prefect3Metadata::new(key, serializer.clone(), expiration);
        let failed = |error| StoreError::serializer(key, error);
        let (result, metadata_bytes) = match &self.metadata {
            None => {
                let record = Prefect3Record::of(metadata.clone(), value).map_err(failed)?;
                (record.to_vec().map_err(failed)?, None)
            }
            Some(_) => (
                super::write_result(serializer, value).map_err(failed)?,
                Some(metadata.to_vec().map_err(failed)?),
            ),
        };
        let staged = self.results.stage_bytes(key, result)?;
        let lock = self.results.lock_location(key).await?;
        let written = lock
            .hold(async {
                lock.confirm().await?;
                self.results.upload_staged(staged, key).await?;
                if let (Some(store), Some(bytes)) = (&self.metadata, metadata_bytes) {
                    let staged = store.stage_bytes(key, bytes)?;
                    store.upload_staged(staged, key).await?;
                }
                Ok(())
            })
            .await;
        lock.release().await;
        written.map(|()| metadata)
    }

    /// The metadata and the serializer's output at `key`.
    async fn fetch(&self, key: &str) -> Result<(Prefect3Metadata, Vec<u8>), StoreError> {
        let failed = |error| StoreError::serializer(key, error);
        let Some(metadata_store) = &self.metadata else {
            let bytes = self.results.read_raw_bytes(key).await?;
            let record = Prefect3Record::from_slice(&bytes).map_err(failed)?;
            return Ok((record.metadata, record.result.into_bytes()));
        };
        let metadata = metadata_store.read_raw_bytes(key).await?;
        let metadata = Prefect3Metadata::from_slice(&metadata).map_err(failed)?;
        if !metadata.names_key(key) {
            return Err(StoreError::Corrupt {
                location: key.to_owned(),
                reason: match &metadata.storage_key {
                    Some(stored) => format!(
                        "its metadata's `storage_key` `{stored}` names another result, which Prefect would read instead"
                    ),
                    None => "its metadata has no `storage_key`, which Prefect needs to read it".into(),
                },
            });
        }
        match self.results.read_raw_bytes(key).await {
            Ok(result) => Ok((metadata, result.to_vec())),
            Err(StoreError::NotFound { .. }) => Err(StoreError::Corrupt {
                location: key.to_owned(),
                reason: "its metadata is in the metadata store, but the result is missing".into(),
            }),
            Err(err) => Err(err),
        }
    }
}

/// A [`Prefect3Store`] for synchronous code: each call runs the async one to completion on a
/// runtime of its own. Do not call it from inside an async runtime; use [`Prefect3Store`] there.
#[derive(Debug)]
pub struct BlockingPrefect3Store {
    store: Prefect3Store,
    runtime: tokio::runtime::Runtime,
}

impl BlockingPrefect3Store {
    /// Wraps `store`, starting a single-threaded runtime for it.
    pub fn new(store: Prefect3Store) -> Result<Self, StoreError> {
        Ok(BlockingPrefect3Store {
            store,
            runtime: crate::store::runtime()?,
        })
    }

    /// The async store inside.
    pub fn store(&self) -> &Prefect3Store {
        &self.store
    }

    /// See [`Prefect3Store::metadata`].
    pub fn metadata(&self, key: &str) -> Result<Prefect3Metadata, StoreError> {
        self.runtime.block_on(self.store.metadata(key))
    }

    /// See [`Prefect3Store::exists`].
    pub fn exists(&self, key: &str) -> Result<bool, StoreError> {
        self.runtime.block_on(self.store.exists(key))
    }

    /// See [`Prefect3Store::read`].
    pub fn read<T: DeserializeOwned>(&self, key: &str) -> Result<T, StoreError> {
        self.runtime.block_on(self.store.read(key))
    }

    /// See [`Prefect3Store::write`].
    pub fn write<T: ToPython + ?Sized>(
        &self,
        key: &str,
        value: &T,
        serializer: &Prefect3Serializer,
        expiration: Option<DateTime<Utc>>,
    ) -> Result<Prefect3Metadata, StoreError> {
        self.runtime
            .block_on(self.store.write(key, value, serializer, expiration))
    }
}
