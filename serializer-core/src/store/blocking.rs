//! The store for synchronous code.

use std::fmt::Debug;

use super::error::StoreError;
use super::record::RecordHeader;
use super::result_store::ResultStore;
use crate::serializer::{ResultSerializer, Serializer};

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
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        Ok(BlockingResultStore { store, runtime })
    }

    /// The async store inside.
    pub fn store(&self) -> &ResultStore {
        &self.store
    }

    /// See [`ResultStore::write`].
    pub fn write<T>(&self, value: &T, location: &str) -> Result<RecordHeader, StoreError>
    where
        T: ResultSerializer,
        T::Serializer: Debug,
    {
        self.runtime.block_on(self.store.write(value, location))
    }

    /// See [`ResultStore::read`].
    pub fn read<T>(&self, location: &str) -> Result<T, StoreError>
    where
        T: ResultSerializer,
        T::Serializer: Debug,
    {
        self.runtime.block_on(self.store.read(location))
    }

    /// See [`ResultStore::read_with`].
    pub fn read_with<T, S>(&self, serializer: &S, location: &str) -> Result<T, StoreError>
    where
        S: Serializer<T> + Debug,
    {
        self.runtime
            .block_on(self.store.read_with(serializer, location))
    }

    /// See [`ResultStore::read_raw`].
    pub fn read_raw<T, S>(&self, serializer: &S, location: &str) -> Result<T, StoreError>
    where
        S: Serializer<T>,
    {
        self.runtime
            .block_on(self.store.read_raw(serializer, location))
    }

    /// See [`ResultStore::record`].
    pub fn record(&self, location: &str) -> Result<Option<RecordHeader>, StoreError> {
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
}
