//! Writing a result: staging its bytes (serialized and hashed), then, holding the location's
//! lock, putting them and their record; and computing a result once.

use std::future::Future;
use std::io::{self, BufWriter, Seek, Write};

use object_store::path::Path;
use object_store::{ObjectStoreExt, PutPayload, WriteMultipart};

use super::error::StoreError;
use super::hashing::{read_full, write_hashed, Tally};
use super::location::{check_writable, path, record_path};
use super::lock::Lock;
use super::record::{Record, Written};
use super::result_store::{
    trace_bytes, trace_outcome, trace_outcome_of, traced, ResultStore, WriteOptions,
};
use crate::serializer::{ResultSerializer, Serializer};

impl ResultStore {
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

    /// Writes staged bytes, then their record; the caller holds the lock.
    pub(super) async fn commit(
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
    pub(super) fn stage<T, S: Serializer<T>>(
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
    pub(super) async fn upload(
        &self,
        staged: Staged,
        location: &str,
        data: &Path,
    ) -> Result<(), StoreError> {
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
}

/// The bytes of a result, serialized and hashed, before they go to the backend.
pub(super) enum Staged {
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
pub(super) struct RawBytes;

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

/// What a write of `T` with `serializer` records.
pub(super) fn written<T, S: Serializer<T>>(
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
pub(super) fn stored_or_absent<T>(read: Result<T, StoreError>) -> Result<Option<T>, StoreError> {
    match read {
        Ok(value) => Ok(Some(value)),
        Err(
            StoreError::NotFound { .. } | StoreError::Expired { .. } | StoreError::Corrupt { .. },
        ) => Ok(None),
        Err(err) => Err(err),
    }
}
