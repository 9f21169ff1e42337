//! Reading a result: its record checked against the reader, then its bytes decoded while
//! hashed, returned only if they are the ones the record describes.

use std::io::{self, BufReader, BufWriter, Read, Seek, Write};
use std::time::Duration;

use futures_util::StreamExt;
use object_store::path::Path;
use object_store::{GetResult, ObjectStoreExt};

use super::error::{StoreError, TypeMismatch};
use super::hashing::read_hashed;
use super::location::{path, record_path};
use super::record::{embedded, Record, RECORD_VERSION};
use super::result_store::{trace_bytes, traced, ResultStore};
use crate::serializer::{ResultSerializer, Serializer};

impl ResultStore {
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

    /// The bytes at `location`, record or none.
    pub(crate) async fn read_raw_bytes(&self, location: &str) -> Result<bytes::Bytes, StoreError> {
        self.get_bytes(location, &path(location)?).await
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
    pub(super) async fn fetch<T, S: Serializer<T>>(
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
    pub(super) async fn fetch_embedded<T, S: Serializer<T>>(
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
    pub(super) async fn fetch_verified<T, S: Serializer<T>>(
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

    pub(super) async fn get_record(&self, location: &str) -> Result<Option<Record>, StoreError> {
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

    pub(super) async fn get(&self, location: &str, path: &Path) -> Result<GetResult, StoreError> {
        match self.store.get(path).await {
            Ok(result) => Ok(result),
            Err(object_store::Error::NotFound { .. }) => Err(StoreError::NotFound {
                location: location.to_owned(),
            }),
            Err(source) => Err(StoreError::backend(location, source)),
        }
    }

    pub(super) async fn get_bytes(
        &self,
        location: &str,
        path: &Path,
    ) -> Result<bytes::Bytes, StoreError> {
        self.get(location, path)
            .await?
            .bytes()
            .await
            .map_err(|source| StoreError::backend(location, source))
    }
}

/// What reading checks of the type that wrote a result.
#[derive(Clone, Copy)]
pub(super) struct Reading<'a> {
    type_name: &'a str,
    shape: Option<&'a str>,
    /// Another type may read a self-describing format.
    any_type: bool,
}

/// A read's bytes, checked against the record.
pub(super) enum Fetched<T> {
    Value(T),
    /// The bytes do not match the record: a write may be under way.
    Mismatch(String),
}

/// Refuses a record written by another serializer or type than the reader.
pub(super) fn check<T, S: Serializer<T>>(
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

pub(super) fn check_type(
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

pub(super) fn serializer_mismatch<T, S: Serializer<T>>(
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

pub(super) fn corrupt(location: &str, reason: String) -> StoreError {
    StoreError::Corrupt {
        location: location.to_owned(),
        reason,
    }
}

/// Why `length` bytes of SHA-256 `sha256` are not the ones `record` describes, if they are not.
pub(super) fn mismatch(record: &Record, length: u64, sha256: &str) -> Option<String> {
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
pub(super) fn decode_slice<T, S: Serializer<T>>(
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
pub(super) fn decode_reader<T, S: Serializer<T>>(
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
