//! [`ResultStore`]: results at locations in an object store, each with its record beside it.

use std::fmt::Debug;
use std::future::Future;
use std::io::{self, BufReader, BufWriter, Read, Seek, Write};
use std::sync::Arc;
use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt};
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path;
use object_store::{GetResult, ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart};

use super::error::{StoreError, TypeMismatch};
use super::hashing::{read_full, read_hashed, write_hashed, Tally};
use super::location::{
    check_writable, in_prefix, is_staging_name, lock_path, path, record_path, RECORDS,
};
use super::lock::{self, Lock, LockSettings};
use super::record::{embedded, Record, Written, RECORD_VERSION};
use crate::serializer::{ResultSerializer, Serializer};

/// Results at locations in an object store, each with its record beside it. See the
/// [module docs](super) for the layout and what a crash or a race can leave.
#[derive(Debug, Clone)]
pub struct ResultStore {
    store: Arc<dyn ObjectStore>,
    /// The same store, where it is the local file system: bytes are written to a temporary
    /// file beside their location and renamed into place, and read from the file.
    local: Option<Arc<LocalFileSystem>>,
    settings: Settings,
}

/// How a store waits, retries and buffers.
#[derive(Debug, Clone, Copy)]
struct Settings {
    /// How long a writer waits for another's lock, and how long a lease lasts.
    locks: LockSettings,
    /// How often a read whose bytes do not match their record (a write under way) is tried.
    read_attempts: u32,
    /// Results up to this size are held in memory on their way to and from the backend;
    /// larger ones go through a temporary file.
    in_memory: usize,
    /// The part size of multipart uploads.
    part_size: usize,
}

/// How old a leftover of an interrupted write (a temporary file, a lock no one renews) must be
/// before garbage collection takes it.
const LEFTOVER_AGE: Duration = Duration::from_secs(600);

impl Default for Settings {
    fn default() -> Self {
        Settings {
            locks: LockSettings::default(),
            read_attempts: 8,
            in_memory: 16 << 20,
            part_size: 8 << 20,
        }
    }
}

/// Options of one write: when the result expires.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteOptions {
    expires_in: Option<Duration>,
}

impl WriteOptions {
    /// A result that does not expire.
    pub fn new() -> Self {
        WriteOptions::default()
    }

    /// The result expires `duration` after it is written (Prefect 1.x's `cache_for`, Prefect
    /// 3's `cache_expiration`): then it reads as absent and `get_or_compute` computes it again.
    #[must_use]
    pub fn expires_in(mut self, duration: Duration) -> Self {
        self.expires_in = Some(duration);
        self
    }
}

/// What reading checks of the type that wrote a result.
#[derive(Clone, Copy)]
struct Reading<'a> {
    type_name: &'a str,
    shape: Option<&'a str>,
    /// Another type may read a self-describing format.
    any_type: bool,
}

/// The bytes of a result, serialized and hashed, before they go to the backend.
enum Staged {
    /// A temporary file beside the location, renamed into place.
    Local(tempfile::NamedTempFile, std::path::PathBuf),
    /// Few enough bytes for one put.
    Memory(Vec<u8>),
    /// A temporary file, uploaded in parts.
    File(std::fs::File),
}

/// Bytes staged by [`ResultStore::stage_bytes`].
pub(crate) struct StagedBytes(Staged);

/// Bytes written as they are.
struct RawBytes;

impl Serializer<Vec<u8>> for RawBytes {
    fn serialize(&self, value: &Vec<u8>) -> Result<Vec<u8>, crate::Error> {
        Ok(value.clone())
    }

    fn deserialize(&self, bytes: &[u8]) -> Result<Vec<u8>, crate::Error> {
        Ok(bytes.to_vec())
    }

    fn serialize_into<W: Write>(&self, value: &Vec<u8>, mut writer: W) -> Result<(), crate::Error> {
        writer
            .write_all(value)
            .map_err(|err| crate::Error::io("bytes", crate::Operation::Serialize, err))
    }

    fn name(&self) -> &'static str {
        "bytes"
    }

    fn format_identity(&self) -> String {
        "bytes".into()
    }
}

/// A read's bytes, checked against the record.
enum Fetched<T> {
    Value(T),
    /// The bytes do not match the record: a write may be under way.
    Mismatch(String),
}

impl ResultStore {
    /// A store over any `object_store` backend: S3 (`AmazonS3Builder`, with the `s3`
    /// feature), GCS (`gcs`), Azure (`azure`), or one of your own.
    pub fn new(store: Arc<dyn ObjectStore>) -> Self {
        ResultStore {
            store,
            local: None,
            settings: Settings::default(),
        }
    }

    /// Results under the directory `root` on the local file system, created if missing.
    pub fn local(root: impl AsRef<std::path::Path>) -> Result<Self, StoreError> {
        std::fs::create_dir_all(root.as_ref()).map_err(StoreError::io(root.as_ref().display()))?;
        let local = LocalFileSystem::new_with_prefix(root.as_ref()).map_err(|error| {
            StoreError::Backend {
                location: root.as_ref().display().to_string(),
                error,
            }
        })?;
        let local = Arc::new(local);
        Ok(ResultStore {
            store: local.clone(),
            local: Some(local),
            settings: Settings::default(),
        })
    }

    /// Results in memory, for tests.
    pub fn memory() -> Self {
        ResultStore::new(Arc::new(InMemory::new()))
    }

    /// A store from a URL (or a plain path, a local directory): `file:///path/to/results`, `memory://`, `s3://bucket/prefix` (the
    /// `s3` feature), `gs://bucket/prefix` (`gcs`), `az://container/prefix` (`azure`). Cloud
    /// options come from the environment, as `object_store` names them (`AWS_ENDPOINT`,
    /// `AWS_REGION`, `AZURE_STORAGE_ACCOUNT_NAME`, `GOOGLE_SERVICE_ACCOUNT`, ...).
    pub fn from_url(url: &str) -> Result<Self, StoreError> {
        if !url.contains("://") {
            // A plain path: a local directory.
            return ResultStore::local(url);
        }
        let invalid = |reason: String| StoreError::InvalidUrl {
            url: url.to_owned(),
            reason,
        };
        let parsed = url::Url::parse(url).map_err(|err| invalid(err.to_string()))?;
        match parsed.scheme() {
            "memory" => return Ok(ResultStore::memory()),
            "file" => {
                let root = parsed
                    .to_file_path()
                    .map_err(|()| invalid("not an absolute file path".into()))?;
                return ResultStore::local(root);
            }
            _ => {}
        }
        let options = std::env::vars().filter(|(key, _)| {
            ["AWS_", "AZURE_", "GOOGLE_"]
                .iter()
                .any(|prefix| key.starts_with(prefix))
        });
        let (store, prefix) = object_store::parse_url_opts(&parsed, options)
            .map_err(|source| StoreError::backend(url, source))?;
        let store: Arc<dyn ObjectStore> = if prefix.as_ref().is_empty() {
            Arc::from(store)
        } else {
            Arc::new(object_store::prefix::PrefixStore::new(store, prefix))
        };
        Ok(ResultStore::new(store))
    }

    /// A store that exists, for tools that only look: as [`from_url`](Self::from_url) (a
    /// plain path is a local directory too), but a missing local directory, or a bucket or
    /// container the backend does not find, is [`StoreError::NoStore`], and nothing is
    /// created.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let no_store = |reason: String| StoreError::NoStore {
            url: url.to_owned(),
            reason,
        };
        let local_root = if url.contains("://") {
            url::Url::parse(url)
                .ok()
                .filter(|parsed| parsed.scheme() == "file")
                .map(|parsed| parsed.to_file_path())
                .transpose()
                .map_err(|()| no_store("not an absolute file path".into()))?
        } else {
            Some(std::path::PathBuf::from(url))
        };
        if let Some(root) = local_root {
            return match std::fs::metadata(&root) {
                Ok(meta) if meta.is_dir() => ResultStore::local(root),
                Ok(_) => Err(no_store(format!("{} is not a directory", root.display()))),
                Err(err) => Err(no_store(format!("{}: {err}", root.display()))),
            };
        }
        let store = ResultStore::from_url(url)?;
        match store.store.list_with_delimiter(None).await {
            Ok(_) => Ok(store),
            Err(err) => Err(no_store(super::error::one_line(&err))),
        }
    }

    /// The same store waiting at most `wait` for a live writer of a location to finish (by
    /// default, as long as it lives), with leases of `lease` on object stores (30 s by
    /// default): a holder renews its lease every third of it, and a waiter takes a lease that
    /// has not been renewed for a whole one. See [locks and leases](super#locks-and-leases).
    #[must_use]
    pub fn with_lock_timeouts(mut self, wait: Duration, lease: Duration) -> Self {
        self.settings.locks = LockSettings {
            wait: Some(wait),
            lease,
        };
        self
    }

    /// The backend.
    pub fn object_store(&self) -> &Arc<dyn ObjectStore> {
        &self.store
    }

    /// Writes `value` at `location` with its type's serializer, and its record beside it.
    /// Replaces what was there.
    pub async fn write<T: ResultSerializer>(
        &self,
        value: &T,
        location: &str,
    ) -> Result<Record, StoreError> {
        self.write_with_options(value, location, &WriteOptions::new())
            .await
    }

    /// [`write`](Self::write), with an expiry.
    #[cfg_attr(
        feature = "tracing",
        tracing::instrument(
            name = "store.write",
            skip_all,
            fields(location = %location, serializer = Serializer::<T>::name(&T::serializer()), bytes = tracing::field::Empty, outcome = tracing::field::Empty),
        )
    )]
    pub async fn write_with_options<T: ResultSerializer>(
        &self,
        value: &T,
        location: &str,
        options: &WriteOptions,
    ) -> Result<Record, StoreError> {
        let serializer = T::serializer();
        let written = written::<T, _>(&serializer, T::shape(), options);
        // Serialized before the lock is taken, which then covers the two writes alone.
        let staged = self.stage(&serializer, value, location)?;
        let lock = self.lock(location).await?;
        let result = lock
            .hold(async {
                lock.confirm().await?;
                self.commit(staged, location, written).await
            })
            .await;
        lock.release().await;
        traced(result, |record| Some(record.length))
    }

    /// Reads the result at `location` as a `T`. Its record must name `T`'s serializer with
    /// the same format identity, and `T` itself (by the shape fingerprint where both sides
    /// have one, else by the type's name); its bytes must match the record's length and
    /// SHA-256, or the value is not returned.
    pub async fn read<T: ResultSerializer>(&self, location: &str) -> Result<T, StoreError> {
        let reading = Reading {
            type_name: std::any::type_name::<T>(),
            shape: T::shape(),
            any_type: false,
        };
        self.fetch(&T::serializer(), location, reading).await
    }

    /// [`read`](Self::read), but a result of a self-describing format (JSON, pickle,
    /// date-times, DataFrames) written by another type reads too; postcard's bytes still
    /// need the type that wrote them.
    pub async fn read_as<T: ResultSerializer>(&self, location: &str) -> Result<T, StoreError> {
        let reading = Reading {
            type_name: std::any::type_name::<T>(),
            shape: T::shape(),
            any_type: true,
        };
        self.fetch(&T::serializer(), location, reading).await
    }

    /// Reads the result at `location` with `serializer`, which must have the format identity
    /// its record names, as a `T`, which must be the type that wrote it.
    pub async fn read_with<T, S: Serializer<T>>(
        &self,
        serializer: &S,
        location: &str,
    ) -> Result<T, StoreError> {
        let reading = Reading {
            type_name: std::any::type_name::<T>(),
            shape: None,
            any_type: false,
        };
        self.fetch(serializer, location, reading).await
    }

    /// Reads bytes without a record, such as a result Prefect 1.x wrote, with `serializer`.
    #[cfg_attr(
        feature = "tracing",
        tracing::instrument(
            name = "store.read_raw",
            skip_all,
            fields(location = %location, serializer = serializer.name(), bytes = tracing::field::Empty, outcome = tracing::field::Empty),
        )
    )]
    pub async fn read_raw<T, S>(&self, serializer: &S, location: &str) -> Result<T, StoreError>
    where
        S: Serializer<T>,
    {
        let bytes = self.get_bytes(location, &path(location)?).await?;
        let value = serializer
            .deserialize(&bytes)
            .map_err(|source| StoreError::serializer(location, source));
        traced(value, |_| Some(bytes.len() as u64))
    }

    /// The record of the result at `location`, without its bytes; `None` for bytes without
    /// one.
    pub async fn record(&self, location: &str) -> Result<Option<Record>, StoreError> {
        if let Some(record) = self.get_record(location).await? {
            return Ok(Some(record));
        }
        let bytes = self.get_bytes(location, &path(location)?).await?;
        match embedded::decode(&bytes) {
            Ok(embedded::Stored::Record(record, _)) => Ok(Some(*record)),
            Ok(embedded::Stored::Raw) => Ok(None),
            Err(reason) => Err(corrupt(location, reason)),
        }
    }

    /// Loads the result at `location` if it is stored, valid and not expired; otherwise awaits
    /// `compute`, stores its value and returns it. Of several workers asking at once, one
    /// computes while the others wait for its lock, then read what it stored: all return the
    /// one stored value.
    pub async fn get_or_compute<T, E, F>(&self, location: &str, compute: F) -> Result<T, StoreError>
    where
        T: ResultSerializer,
        E: Into<Box<dyn std::error::Error + Send + Sync>>,
        F: Future<Output = Result<T, E>>,
    {
        self.get_or_compute_with_options(location, &WriteOptions::new(), compute)
            .await
    }

    /// [`get_or_compute`](Self::get_or_compute), storing with `options` (an expiry).
    #[cfg_attr(
        feature = "tracing",
        tracing::instrument(
            name = "store.get_or_compute",
            skip_all,
            fields(location = %location, serializer = Serializer::<T>::name(&T::serializer()), bytes = tracing::field::Empty, outcome = tracing::field::Empty),
        )
    )]
    pub async fn get_or_compute_with_options<T, E, F>(
        &self,
        location: &str,
        options: &WriteOptions,
        compute: F,
    ) -> Result<T, StoreError>
    where
        T: ResultSerializer,
        E: Into<Box<dyn std::error::Error + Send + Sync>>,
        F: Future<Output = Result<T, E>>,
    {
        if let Some(value) = stored_or_absent(self.read::<T>(location).await)? {
            trace_outcome("loaded");
            return Ok(value);
        }
        let lock = self.lock(location).await?;
        // The lease is renewed while the computation runs, however long it takes; dropped or
        // unwound, the lock lets go (`Lock`'s `Drop`).
        let outcome = lock
            .hold(async {
                // Another worker may have stored it while this one waited for the lock.
                if let Some(value) = stored_or_absent(self.read::<T>(location).await)? {
                    return Ok(value);
                }
                let value = compute.await.map_err(|err| StoreError::Compute {
                    location: location.to_owned(),
                    error: err.into(),
                })?;
                let serializer = T::serializer();
                let written = written::<T, _>(&serializer, T::shape(), options);
                let staged = self.stage(&serializer, &value, location)?;
                // A holder whose lease was taken while it computed writes nothing.
                lock.confirm().await?;
                let record = self.commit(staged, location, written).await?;
                trace_bytes(record.length);
                trace_outcome("computed");
                Ok(value)
            })
            .await;
        lock.release().await;
        if let Err(err) = &outcome {
            trace_outcome_of(err);
        }
        outcome
    }

    /// The bytes at `location` and their record, checked against it (length and SHA-256):
    /// for a tool that shows or copies results without knowing their Rust type. Bytes without
    /// a record come with `None`; a record of the first version is taken off its bytes.
    pub async fn read_bytes(
        &self,
        location: &str,
    ) -> Result<(Option<Record>, bytes::Bytes), StoreError> {
        let record = self.get_record(location).await?;
        let bytes = match self.get_bytes(location, &path(location)?).await {
            Err(StoreError::NotFound { .. }) if record.is_some() => {
                return Err(corrupt(
                    location,
                    "its record is there, but its bytes are missing".into(),
                ));
            }
            bytes => bytes?,
        };
        let Some(record) = record else {
            return match embedded::decode(&bytes) {
                Ok(embedded::Stored::Record(record, payload)) => {
                    let payload = bytes.slice_ref(payload);
                    Ok((Some(*record), payload))
                }
                Ok(embedded::Stored::Raw) => Ok((None, bytes)),
                Err(reason) => Err(corrupt(location, reason)),
            };
        };
        let sha256 = super::record::sha256_hex(&bytes);
        if let Some(reason) = mismatch(&record, bytes.len() as u64, &sha256) {
            return Err(corrupt(location, reason));
        }
        Ok((Some(record), bytes))
    }

    /// Checks the result at `location` against its record without decoding it: the record
    /// reads, the bytes are there, and their length and SHA-256 are the record's. Returns the
    /// record; bytes without one are [`StoreError::NoRecord`].
    pub async fn verify(&self, location: &str) -> Result<Record, StoreError> {
        match self.read_bytes(location).await? {
            (Some(record), _) => Ok(record),
            (None, _) => Err(StoreError::NoRecord {
                location: location.to_owned(),
            }),
        }
    }

    /// Finds, under `prefix` (`""` for all, a folder: `p/a` holds `p/a/b.json`, not
    /// `p/ab.json`), what no reader needs, and deletes it unless `dry_run`: expired results
    /// (bytes and record), records whose bytes are gone, locks no writer holds, and the
    /// temporary files of local writes (`.<name>.<random>.tmp`, a name no result can have)
    /// older than ten minutes. Returns what was found, sorted.
    pub async fn collect_garbage(
        &self,
        prefix: &str,
        dry_run: bool,
    ) -> Result<Vec<Garbage>, StoreError> {
        let options = GarbageOptions::new();
        self.collect_garbage_with(prefix, &options.dry_run(dry_run))
            .await
    }

    /// [`collect_garbage`](Self::collect_garbage), with its options: also records that do not
    /// read (and their bytes), and another age for leftovers.
    pub async fn collect_garbage_with(
        &self,
        prefix: &str,
        options: &GarbageOptions,
    ) -> Result<Vec<Garbage>, StoreError> {
        let mut found = Vec::new();
        let now = chrono::Utc::now();
        let older_than = |meta: &object_store::ObjectMeta, limit: Duration| {
            (now - meta.last_modified)
                .to_std()
                .is_ok_and(|age| age > limit)
        };
        let scope = |path: &str| in_prefix(path, prefix);
        let objects: Vec<object_store::ObjectMeta> = self
            .store
            .list(None)
            .try_collect()
            .await
            .map_err(|source| StoreError::backend(prefix, source))?;
        let stored: std::collections::HashSet<&str> =
            objects.iter().map(|meta| meta.location.as_ref()).collect();
        for meta in &objects {
            let path = meta.location.as_ref();
            if let Some(rest) = path.strip_prefix(".records/") {
                if let Some(location) = rest.strip_suffix(".json") {
                    if !scope(location) {
                        continue;
                    }
                    if !stored.contains(location) {
                        found.push(Garbage::Orphaned(location.to_owned()));
                        continue;
                    }
                    match self.get_record(location).await {
                        Ok(Some(record)) if record.is_expired_at(now) => {
                            found.push(Garbage::Expired(location.to_owned()));
                        }
                        Err(StoreError::Corrupt { .. }) if options.unreadable => {
                            found.push(Garbage::Unreadable(location.to_owned()));
                        }
                        _ => {}
                    }
                } else if let Some(location) = rest.strip_suffix(".lock") {
                    // A lock file no process holds; a lease no one has renewed for long.
                    let unheld = match self.local {
                        Some(_) => !self.write_under_way(location).await?,
                        None => older_than(
                            meta,
                            options.leftover_age.max(self.settings.locks.lease * 2),
                        ),
                    };
                    if scope(location) && unheld {
                        found.push(Garbage::StaleLock(location.to_owned()));
                    }
                }
                continue;
            }
            let name = path.rsplit('/').next().unwrap_or(path);
            let has_record = stored.contains(format!(".records/{path}.json").as_str());
            if scope(path)
                && is_staging_name(name)
                && !has_record
                && older_than(meta, options.leftover_age)
            {
                found.push(Garbage::Temporary(path.to_owned()));
            }
        }
        found.sort();
        if !options.dry_run {
            for garbage in &found {
                self.remove(garbage).await?;
            }
            self.remove_empty_folders(prefix);
        }
        Ok(found)
    }

    /// Deletes what `garbage` names.
    async fn remove(&self, garbage: &Garbage) -> Result<(), StoreError> {
        if let (Garbage::StaleLock(location), Some(_)) = (garbage, &self.local) {
            // Removed under its own lock, so that no writer that takes it meanwhile loses it.
            if let Some(file) = self.local_lock_file(&lock_path(location)?, location)? {
                lock::remove_unheld(&file);
            }
            return Ok(());
        }
        let paths = match garbage {
            Garbage::Expired(location) | Garbage::Unreadable(location) => {
                vec![record_path(location)?, path(location)?]
            }
            Garbage::Orphaned(location) => vec![record_path(location)?],
            Garbage::StaleLock(location) => vec![lock_path(location)?],
            Garbage::Temporary(location) => vec![Path::from(location.as_str())],
        };
        for path in paths {
            match self.store.delete(&path).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(source) => return Err(StoreError::backend(garbage.location(), source)),
            }
        }
        Ok(())
    }

    /// On the local file system, the folders under `prefix` that garbage collection left
    /// empty, deepest first (an object store has no folders).
    fn remove_empty_folders(&self, prefix: &str) {
        let Some(local) = &self.local else {
            return;
        };
        // The root: the folder of a name at the top.
        let Some(root) = local
            .path_to_filesystem(&Path::from("x"))
            .ok()
            .and_then(|top| top.parent().map(std::path::Path::to_path_buf))
        else {
            return;
        };
        let mut folders = Vec::new();
        let mut pending = vec![root.clone()];
        while let Some(dir) = pending.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                if entry.file_type().is_ok_and(|kind| kind.is_dir()) {
                    pending.push(entry.path());
                    folders.push(entry.path());
                }
            }
        }
        folders.sort_by_key(|dir| std::cmp::Reverse(dir.components().count()));
        for dir in folders {
            let relative = dir
                .strip_prefix(&root)
                .map(|rel| rel.to_string_lossy().replace('\\', "/"));
            let Ok(relative) = relative else {
                continue;
            };
            let under = relative.strip_prefix(".records/").unwrap_or(&relative);
            if relative != RECORDS && in_prefix(under, prefix) {
                // Only an empty folder is removed; one with anything in it stays.
                let _ = std::fs::remove_dir(&dir);
            }
        }
    }

    /// Every location under `prefix` that has bytes or a record, records whose bytes are
    /// gone included, sorted: what [`verify`](Self::verify) checks, one by one, to find every
    /// kind of damage (its bytes missing, no record, a record that does not read, bytes that
    /// do not match it). [`list`](Self::list) lists the bytes alone.
    pub async fn list_all(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        let objects: Vec<object_store::ObjectMeta> = self
            .store
            .list(None)
            .try_collect()
            .await
            .map_err(|source| StoreError::backend(prefix, source))?;
        let mut locations = std::collections::BTreeSet::new();
        for meta in &objects {
            let path = meta.location.as_ref();
            let location = match path.strip_prefix(".records/") {
                Some(rest) => match rest.strip_suffix(".json") {
                    Some(location) => location,
                    None => continue,
                },
                None if is_staging_name(path.rsplit('/').next().unwrap_or(path)) => continue,
                None => path,
            };
            if in_prefix(location, prefix) {
                locations.insert(location.to_owned());
            }
        }
        Ok(locations.into_iter().collect())
    }

    /// Whether a result, or bytes without a record, are stored at `location`.
    pub async fn exists(&self, location: &str) -> Result<bool, StoreError> {
        for path in [record_path(location)?, path(location)?] {
            match self.store.head(&path).await {
                Ok(_) => return Ok(true),
                Err(object_store::Error::NotFound { .. }) => {}
                Err(source) => return Err(StoreError::backend(location, source)),
            }
        }
        Ok(false)
    }

    /// Deletes the result at `location` and its record, holding its lock (so that no write is
    /// torn); deleting a missing one is not an error. A record that does not read is deleted
    /// with its bytes all the same.
    pub async fn delete(&self, location: &str) -> Result<(), StoreError> {
        let lock = self.lock(location).await?;
        let deleted = lock.hold(self.delete_unlocked(location)).await;
        lock.release().await;
        deleted
    }

    async fn delete_unlocked(&self, location: &str) -> Result<(), StoreError> {
        for path in [record_path(location)?, path(location)?] {
            match self.store.delete(&path).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(source) => return Err(StoreError::backend(location, source)),
            }
        }
        Ok(())
    }

    /// The locations stored under `prefix` (`""` for all), sorted; records, locks and the
    /// temporary files of writes under way are not listed.
    pub async fn list(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        let prefix = prefix.trim_end_matches('/');
        let prefix_path = if prefix.is_empty() {
            None
        } else {
            Some(path(prefix)?)
        };
        let mut locations: Vec<String> = self
            .store
            .list(prefix_path.as_ref())
            .map_ok(|meta| meta.location.to_string())
            .try_filter(|location| {
                // `rsplit` yields at least one piece: the default is never taken.
                let name = location.rsplit('/').next().unwrap_or_default();
                let staging = name.starts_with('.') && name.ends_with(".tmp");
                let record = location.split('/').next() == Some(RECORDS);
                std::future::ready(!staging && !record)
            })
            .try_collect()
            .await
            .map_err(|source| StoreError::backend(prefix, source))?;
        locations.sort();
        Ok(locations)
    }

    /// `bytes` staged for a write that keeps no record (a Prefect 3 result, its metadata):
    /// the same temporary file, spool and checks as a result's.
    pub(crate) fn stage_bytes(
        &self,
        location: &str,
        bytes: Vec<u8>,
    ) -> Result<StagedBytes, StoreError> {
        let (staged, _) = self.stage(&RawBytes, &bytes, location)?;
        Ok(StagedBytes(staged))
    }

    /// Puts staged bytes at `location` (a rename, one put, or a multipart upload); the caller
    /// holds the lock of [`lock_location`](Self::lock_location).
    pub(crate) async fn upload_staged(
        &self,
        staged: StagedBytes,
        location: &str,
    ) -> Result<(), StoreError> {
        self.upload(staged.0, location, &path(location)?).await
    }

    /// The lock of `location`, for a write through [`upload_staged`](Self::upload_staged).
    pub(crate) async fn lock_location(&self, location: &str) -> Result<Lock, StoreError> {
        self.lock(location).await
    }

    /// The bytes at `location`, record or none.
    pub(crate) async fn read_raw_bytes(&self, location: &str) -> Result<bytes::Bytes, StoreError> {
        self.get_bytes(location, &path(location)?).await
    }

    /// Writes staged bytes, then their record; the caller holds the lock.
    async fn commit(
        &self,
        (staged, tally): (Staged, Tally),
        location: &str,
        written: Written,
    ) -> Result<Record, StoreError> {
        let (length, sha256) = tally.finish();
        let record = written.record(length, sha256);
        self.upload(staged, location, &path(location)?).await?;
        let json = serde_json::to_vec_pretty(&record)
            .map_err(|err| StoreError::io(location)(io::Error::other(err)))?;
        self.store
            .put(&record_path(location)?, PutPayload::from(json))
            .await
            .map_err(|source| StoreError::backend(location, source))?;
        Ok(record)
    }

    /// The serializer's bytes, hashed as they are written: into a temporary file beside the
    /// location on the local file system, else into memory, spilling to a temporary file past
    /// [`Settings::in_memory`].
    #[cfg_attr(
        feature = "tracing",
        tracing::instrument(name = "serialize", skip_all, fields(serializer = serializer.name()))
    )]
    fn stage<T, S: Serializer<T>>(
        &self,
        serializer: &S,
        value: &T,
        location: &str,
    ) -> Result<(Staged, Tally), StoreError> {
        check_writable(location)?;
        let serialize = |sink: &mut (dyn Write + Send)| {
            write_hashed(sink, StoreError::io(location), |writer| {
                // A buffer of a known type: the serializer's many small writes stay inlined
                // instead of each calling through `dyn Write`.
                let mut buffered = BufWriter::with_capacity(64 << 10, writer);
                serializer
                    .serialize_into(value, &mut buffered)
                    .map_err(|source| StoreError::serializer(location, source))?;
                buffered.flush().map_err(StoreError::io(location))?;
                Ok::<_, StoreError>(())
            })
            .map(|((), tally)| tally)
        };
        if let Some(local) = &self.local {
            let target = local
                .path_to_filesystem(&path(location)?)
                .map_err(|source| StoreError::backend(location, source))?;
            let dir = target.parent().unwrap_or(std::path::Path::new("."));
            std::fs::create_dir_all(dir).map_err(StoreError::io(dir.display()))?;
            // A checked location has no `..` segment: its path always has a file name.
            let name = target.file_name().unwrap_or_default().to_string_lossy();
            let mut temp = tempfile::Builder::new()
                .prefix(&format!(".{name}."))
                .suffix(".tmp")
                .tempfile_in(dir)
                .map_err(StoreError::io(dir.display()))?;
            let tally = serialize(temp.as_file_mut())?;
            temp.as_file()
                .sync_all()
                .map_err(StoreError::io(temp.path().display()))?;
            return Ok((Staged::Local(temp, target), tally));
        }
        let mut spool = tempfile::SpooledTempFile::new(self.settings.in_memory);
        let tally = serialize(&mut spool)?;
        let staged = match spool.into_inner() {
            tempfile::SpooledData::InMemory(cursor) => Staged::Memory(cursor.into_inner()),
            tempfile::SpooledData::OnDisk(mut file) => {
                file.rewind().map_err(StoreError::io(location))?;
                Staged::File(file)
            }
        };
        Ok((staged, tally))
    }

    /// Puts staged bytes at `data`: a rename, one put, or a multipart upload.
    async fn upload(&self, staged: Staged, location: &str, data: &Path) -> Result<(), StoreError> {
        let backend = |source| StoreError::backend(location, source);
        match staged {
            Staged::Local(temp, target) => {
                temp.persist(&target)
                    .map_err(|err| StoreError::io(target.display())(err.error))?;
                #[cfg(unix)]
                if let Some(dir) = target.parent() {
                    std::fs::File::open(dir)
                        .and_then(|dir| dir.sync_all())
                        .map_err(StoreError::io(dir.display()))?;
                }
            }
            Staged::Memory(bytes) => {
                self.store
                    .put(data, PutPayload::from(bytes))
                    .await
                    .map_err(backend)?;
            }
            Staged::File(mut file) => {
                let upload = self.store.put_multipart(data).await.map_err(backend)?;
                let mut parts =
                    WriteMultipart::new_with_chunk_size(upload, self.settings.part_size);
                let mut buffer = vec![0; self.settings.part_size];
                loop {
                    let read = match read_full(&mut file, &mut buffer) {
                        Ok(read) => read,
                        Err(err) => {
                            let _ = parts.abort().await;
                            return Err(StoreError::io(location)(err));
                        }
                    };
                    if read == 0 {
                        break;
                    }
                    // `read_full` reads at most the buffer's length: the default is never taken.
                    parts.write(buffer.get(..read).unwrap_or_default());
                    if let Err(source) = parts.wait_for_capacity(2).await {
                        // S3 and GCS keep the parts of an upload (and bill them) until it is
                        // aborted; `finish` aborts on its own failures.
                        let _ = parts.abort().await;
                        return Err(backend(source));
                    }
                }
                parts.finish().await.map_err(backend)?;
            }
        }
        Ok(())
    }

    /// Reads the result at `location` after checking its record against the reader; a read
    /// whose bytes do not match the record is tried again, since a writer may be between its
    /// two writes.
    #[cfg_attr(
        feature = "tracing",
        tracing::instrument(
            name = "store.read",
            skip_all,
            fields(location = %location, serializer = serializer.name(), bytes = tracing::field::Empty, outcome = tracing::field::Empty),
        )
    )]
    async fn fetch<T, S: Serializer<T>>(
        &self,
        serializer: &S,
        location: &str,
        reading: Reading<'_>,
    ) -> Result<T, StoreError> {
        let result = async {
            let mut wait = Duration::from_millis(2);
            let mut attempt = 1;
            loop {
                let Some(record) = self.get_record(location).await? else {
                    match self.fetch_embedded(serializer, location, reading).await {
                        // Bytes without a record, while a writer holds the lock or once its
                        // record is there: a first write under way, not another tool's file.
                        Err(StoreError::NoRecord { .. })
                            if self.write_under_way(location).await?
                                || self.get_record(location).await?.is_some() =>
                        {
                            if attempt >= self.settings.read_attempts {
                                return Err(StoreError::NotFound {
                                    location: location.to_owned(),
                                });
                            }
                            futures_timer::Delay::new(wait).await;
                            wait = (wait * 2).min(Duration::from_millis(200));
                            attempt += 1;
                            continue;
                        }
                        other => return other,
                    }
                };
                check(location, &record, serializer, reading)?;
                if let Some(expired_at) = record
                    .expires_at
                    .as_ref()
                    .filter(|_| record.is_expired_at(chrono::Utc::now()))
                {
                    return Err(StoreError::Expired {
                        location: location.to_owned(),
                        expired_at: expired_at.clone(),
                    });
                }
                match self.fetch_verified(serializer, location, &record).await? {
                    Fetched::Value(value) => {
                        trace_bytes(record.length);
                        return Ok(value);
                    }
                    Fetched::Mismatch(reason) if attempt >= self.settings.read_attempts => {
                        return Err(corrupt(location, reason));
                    }
                    Fetched::Mismatch(_) => {
                        futures_timer::Delay::new(wait).await;
                        wait = (wait * 2).min(Duration::from_millis(200));
                        attempt += 1;
                    }
                }
            }
        }
        .await;
        traced(result, |_| None)
    }

    /// A result of the first version: its record in front of the bytes.
    async fn fetch_embedded<T, S: Serializer<T>>(
        &self,
        serializer: &S,
        location: &str,
        reading: Reading<'_>,
    ) -> Result<T, StoreError> {
        let bytes = self.get_bytes(location, &path(location)?).await?;
        let (record, payload) = match embedded::decode(&bytes) {
            Ok(embedded::Stored::Record(record, payload)) => (record, payload),
            Ok(embedded::Stored::Raw) => {
                return Err(StoreError::NoRecord {
                    location: location.to_owned(),
                })
            }
            Err(reason) => return Err(corrupt(location, reason)),
        };
        // The first version recorded the configuration as `Debug` text: the serializer's
        // name is what both versions share.
        if record.serializer != serializer.name() {
            return Err(serializer_mismatch(location, &record, serializer));
        }
        check_type(location, &record, reading, serializer.self_describing())?;
        serializer
            .deserialize(payload)
            .map_err(|source| StoreError::serializer(location, source))
    }

    /// Decodes the bytes at `location`, then checks them against `record`.
    async fn fetch_verified<T, S: Serializer<T>>(
        &self,
        serializer: &S,
        location: &str,
        record: &Record,
    ) -> Result<Fetched<T>, StoreError> {
        let data = path(location)?;
        let small = record.length <= self.settings.in_memory as u64;
        if let Some(local) = &self.local {
            let file = local
                .path_to_filesystem(&data)
                .map_err(|source| StoreError::backend(location, source))?;
            let file = match std::fs::File::open(file) {
                Ok(file) => file,
                Err(err) if err.kind() == io::ErrorKind::NotFound => {
                    return Ok(Fetched::Mismatch("its bytes are missing".into()));
                }
                Err(err) => return Err(StoreError::io(location)(err)),
            };
            if small {
                let mut bytes = Vec::new();
                BufReader::new(file)
                    .read_to_end(&mut bytes)
                    .map_err(StoreError::io(location))?;
                return decode_slice(serializer, location, record, &bytes);
            }
            return decode_reader(serializer, location, record, file);
        }
        let result = match self.get(location, &data).await {
            Ok(result) => result,
            Err(StoreError::NotFound { .. }) => {
                return Ok(Fetched::Mismatch("its bytes are missing".into()));
            }
            Err(err) => return Err(err),
        };
        if result.meta.size != record.length {
            return Ok(Fetched::Mismatch(format!(
                "the record covers {} bytes, {} are stored",
                record.length, result.meta.size
            )));
        }
        if small {
            let bytes = result
                .bytes()
                .await
                .map_err(|source| StoreError::backend(location, source))?;
            return decode_slice(serializer, location, record, &bytes);
        }
        // A large result goes through a temporary file: memory holds a chunk at a time.
        let spool = StoreError::io(format!("a temporary file of `{location}`"));
        let mut file = tempfile::tempfile().map_err(spool)?;
        {
            let mut writer = BufWriter::with_capacity(1 << 20, &mut file);
            let mut stream = result.into_stream();
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(|source| StoreError::backend(location, source))?;
                writer.write_all(&chunk).map_err(StoreError::io(location))?;
            }
            writer.flush().map_err(StoreError::io(location))?;
        }
        file.rewind().map_err(StoreError::io(location))?;
        decode_reader(serializer, location, record, file)
    }

    async fn get_record(&self, location: &str) -> Result<Option<Record>, StoreError> {
        let bytes = match self.get_bytes(location, &record_path(location)?).await {
            Ok(bytes) => bytes,
            Err(StoreError::NotFound { .. }) => return Ok(None),
            Err(err) => return Err(err),
        };
        let record: Record = serde_json::from_slice(&bytes)
            .map_err(|err| corrupt(location, format!("its record is not valid: {err}")))?;
        if record.version != RECORD_VERSION {
            return Err(corrupt(
                location,
                format!(
                    "its record has version {}, which this build does not read",
                    record.version
                ),
            ));
        }
        Ok(Some(record))
    }

    async fn get(&self, location: &str, path: &Path) -> Result<GetResult, StoreError> {
        match self.store.get(path).await {
            Ok(result) => Ok(result),
            Err(object_store::Error::NotFound { .. }) => Err(StoreError::NotFound {
                location: location.to_owned(),
            }),
            Err(source) => Err(StoreError::backend(location, source)),
        }
    }

    async fn get_bytes(&self, location: &str, path: &Path) -> Result<bytes::Bytes, StoreError> {
        self.get(location, path)
            .await?
            .bytes()
            .await
            .map_err(|source| StoreError::backend(location, source))
    }

    /// Takes the lock of `location` (see [locks and leases](super#locks-and-leases)).
    async fn lock(&self, location: &str) -> Result<Lock, StoreError> {
        let path = lock_path(location)?;
        let local = self.local_lock_file(&path, location)?;
        lock::acquire(&self.store, local, path, location, self.settings.locks).await
    }

    /// The lock file of `path` on the local file system, where the store is local.
    fn local_lock_file(
        &self,
        path: &Path,
        location: &str,
    ) -> Result<Option<std::path::PathBuf>, StoreError> {
        self.local
            .as_ref()
            .map(|local| {
                local
                    .path_to_filesystem(path)
                    .map_err(|source| StoreError::backend(location, source))
            })
            .transpose()
    }

    /// Whether a writer holds the lock of `location`.
    async fn write_under_way(&self, location: &str) -> Result<bool, StoreError> {
        let path = lock_path(location)?;
        let local = self.local_lock_file(&path, location)?;
        Ok(lock::is_held(&self.store, local.as_deref(), &path).await)
    }
}

/// What a write of `T` with `serializer` records.
fn written<T, S: Serializer<T>>(
    serializer: &S,
    shape: Option<&'static str>,
    options: &WriteOptions,
) -> Written {
    Written {
        serializer: serializer.name(),
        format: serializer.format_identity(),
        type_name: std::any::type_name::<T>(),
        shape,
        expires_in: options.expires_in,
    }
}

/// A value read, or `None` where `get_or_compute` computes it again: nothing stored, an
/// expired result, or bytes that never matched their record (a writer that crashed).
fn stored_or_absent<T>(read: Result<T, StoreError>) -> Result<Option<T>, StoreError> {
    match read {
        Ok(value) => Ok(Some(value)),
        Err(
            StoreError::NotFound { .. } | StoreError::Expired { .. } | StoreError::Corrupt { .. },
        ) => Ok(None),
        Err(err) => Err(err),
    }
}

/// Refuses a record written by another serializer or type than the reader.
fn check<T, S: Serializer<T>>(
    location: &str,
    record: &Record,
    serializer: &S,
    reading: Reading<'_>,
) -> Result<(), StoreError> {
    // The format identity says what the bytes are; the name is for people (a rows result and
    // a DataFrame of the same options share one identity, and read as each other).
    if record.format != serializer.format_identity() {
        return Err(serializer_mismatch(location, record, serializer));
    }
    check_type(location, record, reading, serializer.self_describing())
}

fn check_type(
    location: &str,
    record: &Record,
    reading: Reading<'_>,
    self_describing: bool,
) -> Result<(), StoreError> {
    let same = match (record.shape.as_deref(), reading.shape) {
        (Some(stored), Some(asked)) => stored == asked,
        _ => record.type_name == reading.type_name,
    };
    if same || (reading.any_type && self_describing) {
        return Ok(());
    }
    Err(StoreError::TypeMismatch(Box::new(TypeMismatch {
        location: location.to_owned(),
        stored: record.type_name.clone(),
        stored_shape: record.shape.clone(),
        reading: reading.type_name.to_owned(),
        reading_shape: reading.shape.map(str::to_owned),
        self_describing,
    })))
}

fn serializer_mismatch<T, S: Serializer<T>>(
    location: &str,
    record: &Record,
    serializer: &S,
) -> StoreError {
    StoreError::SerializerMismatch {
        location: location.to_owned(),
        stored: record.serializer.clone(),
        stored_format: record.format.clone(),
        reading: serializer.name().to_owned(),
        reading_format: serializer.format_identity(),
    }
}

fn corrupt(location: &str, reason: String) -> StoreError {
    StoreError::Corrupt {
        location: location.to_owned(),
        reason,
    }
}

/// Why `length` bytes of SHA-256 `sha256` are not the ones `record` describes, if they are not.
fn mismatch(record: &Record, length: u64, sha256: &str) -> Option<String> {
    if length != record.length {
        return Some(format!(
            "the record covers {} bytes, {length} are stored",
            record.length
        ));
    }
    (sha256 != record.sha256).then(|| {
        format!(
            "the bytes' SHA-256 is {sha256}, the record says {}",
            record.sha256
        )
    })
}

#[cfg_attr(
    feature = "tracing",
    tracing::instrument(name = "deserialize", skip_all, fields(serializer = serializer.name()))
)]
fn decode_slice<T, S: Serializer<T>>(
    serializer: &S,
    location: &str,
    record: &Record,
    bytes: &[u8],
) -> Result<Fetched<T>, StoreError> {
    let sha256 = super::record::sha256_hex(bytes);
    if let Some(reason) = mismatch(record, bytes.len() as u64, &sha256) {
        return Ok(Fetched::Mismatch(reason));
    }
    serializer
        .deserialize(bytes)
        .map(Fetched::Value)
        .map_err(|source| StoreError::serializer(location, source))
}

/// Decodes while hashing, then reads what the decoder left: the value is returned only if
/// every byte matched the record.
#[cfg_attr(
    feature = "tracing",
    tracing::instrument(name = "deserialize", skip_all, fields(serializer = serializer.name()))
)]
fn decode_reader<T, S: Serializer<T>>(
    serializer: &S,
    location: &str,
    record: &Record,
    reader: impl Read + Send,
) -> Result<Fetched<T>, StoreError> {
    // Buffered by value: serde_json reads a `BufReader` (not a reference to one) a byte at a
    // time straight from its buffer, twice as fast.
    let (value, tally) = read_hashed(reader, |reader| {
        serializer.deserialize_from(BufReader::with_capacity(64 << 10, reader))
    })
    .map_err(StoreError::io(location))?;
    let (length, sha256) = tally.finish();
    if let Some(reason) = mismatch(record, length, &sha256) {
        return Ok(Fetched::Mismatch(reason));
    }
    value
        .map(Fetched::Value)
        .map_err(|source| StoreError::serializer(location, source))
}

/// Records on the current span (the store operation's, with the `tracing` feature) how many
/// bytes it moved.
fn trace_bytes(bytes: u64) {
    #[cfg(feature = "tracing")]
    tracing::Span::current().record("bytes", bytes);
    #[cfg(not(feature = "tracing"))]
    let _ = bytes;
}

/// Records on the current span what the operation did, where the result does not say it.
fn trace_outcome(outcome: &'static str) {
    #[cfg(feature = "tracing")]
    tracing::Span::current().record("outcome", outcome);
    #[cfg(not(feature = "tracing"))]
    let _ = outcome;
}

/// Records on the current span an error as the operation's outcome.
fn trace_outcome_of(err: &StoreError) {
    #[cfg(feature = "tracing")]
    tracing::Span::current().record("outcome", tracing::field::display(err));
    #[cfg(not(feature = "tracing"))]
    let _ = err;
}

/// Records on the current span the result's outcome (`ok`, or the error's message) and the
/// bytes `bytes` gives, and returns the result.
fn traced<T>(
    result: Result<T, StoreError>,
    bytes: impl FnOnce(&T) -> Option<u64>,
) -> Result<T, StoreError> {
    #[cfg(feature = "tracing")]
    {
        let span = tracing::Span::current();
        match &result {
            Ok(value) => {
                if let Some(bytes) = bytes(value) {
                    span.record("bytes", bytes);
                }
                span.record("outcome", "ok");
            }
            Err(err) => trace_outcome_of(err),
        }
    }
    #[cfg(not(feature = "tracing"))]
    let _ = bytes;
    result
}

/// What [`ResultStore::collect_garbage`] finds.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Garbage {
    /// A result past its expiry: its bytes and its record.
    Expired(String),
    /// A record whose bytes are gone.
    Orphaned(String),
    /// A writer's lock older than the stale age: its writer crashed.
    StaleLock(String),
    /// The temporary file of a local write that did not finish.
    Temporary(String),
    /// A record that does not read, with its bytes (only with
    /// [`GarbageOptions::unreadable_records`]).
    Unreadable(String),
}

/// What [`ResultStore::collect_garbage_with`] takes, and how old a leftover must be.
#[derive(Debug, Clone)]
pub struct GarbageOptions {
    dry_run: bool,
    unreadable: bool,
    leftover_age: Duration,
}

impl Default for GarbageOptions {
    fn default() -> Self {
        GarbageOptions {
            dry_run: false,
            unreadable: false,
            leftover_age: LEFTOVER_AGE,
        }
    }
}

impl GarbageOptions {
    /// Expired results, orphaned records, unheld locks, and temporary files older than ten
    /// minutes.
    pub fn new() -> Self {
        GarbageOptions::default()
    }

    /// Finds, and deletes nothing.
    #[must_use]
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    /// Whether it only finds.
    pub fn is_dry_run(&self) -> bool {
        self.dry_run
    }

    /// Also records that do not read, with their bytes: a result no reader can read.
    #[must_use]
    pub fn unreadable_records(mut self, remove: bool) -> Self {
        self.unreadable = remove;
        self
    }

    /// How old a temporary file (or a lease no one renews) must be to be taken: ten minutes by
    /// default, for a write that may still be serializing.
    #[must_use]
    pub fn leftover_age(mut self, age: Duration) -> Self {
        self.leftover_age = age;
        self
    }
}

impl Garbage {
    /// The location (or, for a temporary file, its path).
    pub fn location(&self) -> &str {
        match self {
            Garbage::Expired(location)
            | Garbage::Orphaned(location)
            | Garbage::StaleLock(location)
            | Garbage::Temporary(location)
            | Garbage::Unreadable(location) => location,
        }
    }

    /// What it is, in a word or two.
    pub fn kind(&self) -> &'static str {
        match self {
            Garbage::Expired(_) => "expired",
            Garbage::Orphaned(_) => "orphaned record",
            Garbage::StaleLock(_) => "stale lock",
            Garbage::Temporary(_) => "unfinished write",
            Garbage::Unreadable(_) => "unreadable record",
        }
    }
}
