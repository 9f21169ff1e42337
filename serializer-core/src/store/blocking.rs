//! The store for synchronous code.

use super::error::StoreError;
use super::garbage::{Garbage, GarbageOptions};
use super::record::Record;
use super::result_store::{ResultStore, WriteOptions};
use crate::serializer::{ResultSerializer, Serializer};

/// The single-threaded runtime a blocking store runs its calls on.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, StoreError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(StoreError::io("the blocking store's runtime"))
}

/// A [`ResultStore`] for synchronous code: each call runs the async one to completion on a
/// runtime of its own. Do not call it from inside an async runtime; use [`ResultStore`] there.
#[derive(Debug)]
pub struct BlockingResultStore {
    store: ResultStore,
    runtime: tokio::runtime::Runtime,
}

impl BlockingResultStore {
    /// Wraps `store`, starting a single-threaded runtime for it.
    pub fn new(store: ResultStore) -> Result<Self, StoreError> {
        Ok(BlockingResultStore {
            store,
            runtime: runtime()?,
        })
    }

    /// See [`ResultStore::from_url`].
    pub fn from_url(url: &str) -> Result<Self, StoreError> {
        BlockingResultStore::new(ResultStore::from_url(url)?)
    }

    /// The async store inside.
    pub fn store(&self) -> &ResultStore {
        &self.store
    }

    /// See [`ResultStore::write`].
    pub fn write<T: ResultSerializer>(
        &self,
        value: &T,
        location: &str,
    ) -> Result<Record, StoreError> {
        self.runtime.block_on(self.store.write(value, location))
    }

    /// See [`ResultStore::write_with_options`].
    pub fn write_with_options<T: ResultSerializer>(
        &self,
        value: &T,
        location: &str,
        options: &WriteOptions,
    ) -> Result<Record, StoreError> {
        self.runtime
            .block_on(self.store.write_with_options(value, location, options))
    }

    /// See [`ResultStore::read`].
    pub fn read<T: ResultSerializer>(&self, location: &str) -> Result<T, StoreError> {
        self.runtime.block_on(self.store.read(location))
    }

    /// See [`ResultStore::read_as`].
    pub fn read_as<T: ResultSerializer>(&self, location: &str) -> Result<T, StoreError> {
        self.runtime.block_on(self.store.read_as(location))
    }

    /// See [`ResultStore::read_with`].
    pub fn read_with<T, S: Serializer<T>>(
        &self,
        serializer: &S,
        location: &str,
    ) -> Result<T, StoreError> {
        self.runtime
            .block_on(self.store.read_with(serializer, location))
    }

    /// See [`ResultStore::read_raw`].
    pub fn read_raw<T, S: Serializer<T>>(
        &self,
        serializer: &S,
        location: &str,
    ) -> Result<T, StoreError> {
        self.runtime
            .block_on(self.store.read_raw(serializer, location))
    }

    /// See [`ResultStore::get_or_compute`]: `compute` runs only where no valid result is
    /// stored.
    pub fn get_or_compute<T, E, F>(&self, location: &str, compute: F) -> Result<T, StoreError>
    where
        T: ResultSerializer,
        E: Into<Box<dyn std::error::Error + Send + Sync>>,
        F: FnOnce() -> Result<T, E>,
    {
        self.get_or_compute_with_options(location, &WriteOptions::new(), compute)
    }

    /// See [`ResultStore::get_or_compute_with_options`].
    pub fn get_or_compute_with_options<T, E, F>(
        &self,
        location: &str,
        options: &WriteOptions,
        compute: F,
    ) -> Result<T, StoreError>
    where
        T: ResultSerializer,
        E: Into<Box<dyn std::error::Error + Send + Sync>>,
        F: FnOnce() -> Result<T, E>,
    {
        self.runtime
            .block_on(
                self.store
                    .get_or_compute_with_options(location, options, async move { compute() }),
            )
    }

    /// See [`ResultStore::record`].
    pub fn record(&self, location: &str) -> Result<Option<Record>, StoreError> {
        self.runtime.block_on(self.store.record(location))
    }

    /// See [`ResultStore::exists`].
    pub fn exists(&self, location: &str) -> Result<bool, StoreError> {
        self.runtime.block_on(self.store.exists(location))
    }

    /// See [`ResultStore::delete`].
    pub fn delete(&self, location: &str) -> Result<(), StoreError> {
        self.runtime.block_on(self.store.delete(location))
    }

    /// See [`ResultStore::list`].
    pub fn list(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        self.runtime.block_on(self.store.list(prefix))
    }

    /// See [`ResultStore::read_bytes`].
    pub fn read_bytes(&self, location: &str) -> Result<(Option<Record>, bytes::Bytes), StoreError> {
        self.runtime.block_on(self.store.read_bytes(location))
    }

    /// See [`ResultStore::verify`].
    pub fn verify(&self, location: &str) -> Result<Record, StoreError> {
        self.runtime.block_on(self.store.verify(location))
    }

    /// See [`ResultStore::collect_garbage`].
    pub fn collect_garbage(&self, prefix: &str, dry_run: bool) -> Result<Vec<Garbage>, StoreError> {
        self.runtime
            .block_on(self.store.collect_garbage(prefix, dry_run))
    }

    /// See [`ResultStore::collect_garbage_with`].
    pub fn collect_garbage_with(
        &self,
        prefix: &str,
        options: &GarbageOptions,
    ) -> Result<Vec<Garbage>, StoreError> {
        self.runtime
            .block_on(self.store.collect_garbage_with(prefix, options))
    }

    /// See [`ResultStore::list_all`].
    pub fn list_all(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        self.runtime.block_on(self.store.list_all(prefix))
    }
}
