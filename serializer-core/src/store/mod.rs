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
//! large write costs the serializer's time, not that plus the hash's); then, holding the
//! location's lock ([below](#locks-and-leases)), it puts the bytes (a rename, one put, or a
//! multipart upload in 8 MiB parts: S3 takes no single put over 5 GiB; any failed part aborts
//! the upload, which S3 and GCS would otherwise keep) and then the record, and releases the
//! lock. A read takes the record, then decodes the bytes while hashing them (a second thread
//! reads and hashes the bytes a MiB at a time, a few MiB ahead of the decoder; a result of 16
//! MiB or less is read into memory and decoded there), and returns the value only if their
//! length and SHA-256 are the record's; a read that finds them apart (a writer between its two
//! puts) tries again, and after eight tries is [`StoreError::Corrupt`]. Bytes without a record
//! while the lock is held are a first write under way: [`StoreError::NotFound`], not another
//! tool's file. So a crash or a race never makes a read return bytes other than those its
//! record describes: it gives the old value, the new one, or an error. A writer that crashes
//! between its two puts leaves bytes that match no record, read as `Corrupt` until the next
//! write. A crashed local write can leave its temporary file, `.<name>.<random>.tmp`, beside
//! the location.
//!
//! # Locks and leases
//!
//! Every write of a location, and every computation of [`ResultStore::get_or_compute`], holds
//! the location's lock, `.records/<location>.lock`:
//!
//! - **On the local file system** the lock is the operating system's advisory lock (`flock`)
//!   on that file, taken by whichever writer, thread or process, gets it first. The kernel
//!   releases it when its holder's process ends, however it ends, so a killed holder blocks no
//!   one, and a live holder keeps it for as long as it computes: it cannot lose it. Release
//!   removes the file while it is still locked; a waiter that opened the file before checks,
//!   once it holds the lock, that the path still names its file, and tries again if not. The
//!   guarantee is the kernel's: on network file systems, `flock` is only as good as their
//!   lock support.
//! - **On an object store** (memory, S3, Azure, GCS) the lock is a lease object naming its
//!   holder (a random token), its process and its lease (30 s by default,
//!   [`ResultStore::with_lock_timeouts`]). A writer creates it with a create-only put
//!   (`PutMode::Create`), which one writer wins. The holder renews it every third of a lease
//!   with a put conditional on the version it last wrote (`PutMode::Update` with the e-tag or
//!   version), beside its computation, however long that runs. A waiter takes the lock when
//!   the object says it was released, or when its version has not changed for a whole lease by
//!   the waiter's own clock (so no two clocks need agree): a holder that died, or whose process
//!   paused, loses it within one lease. The takeover is a put conditional on the version the
//!   waiter saw, which one waiter wins. Before it commits, a holder renews once more: a holder
//!   whose lease was taken gets [`StoreError::LeaseLost`] and writes nothing. Release is a
//!   conditional put of `{"released":true}`, which does nothing to a successor's lease.
//! - **Abandoned**: a `get_or_compute` future that is dropped (a timeout) or unwinds (a
//!   panicking computation) lets go at once: a lock file is unlocked; a lease is marked
//!   released by a task on the current tokio runtime (without one, it lapses within a lease,
//!   its heartbeat dropped with it).
//!
//! Where each backend is weaker: the memory store lives in one process, so its locks keep
//! that process's tasks and threads apart, and nothing else. S3 needs conditional puts (`If-None-Match`, `If-Match`: AWS has both,
//! and `object_store`'s default `S3ConditionalPut::ETagMatch` uses them); a backend that
//! refuses them (`NotImplemented`; `object_store`'s local store without this crate's file lock,
//! as under a `PrefixStore`) keeps writers apart with create-only puts alone: the lease is not
//! renewed, release deletes it, and a stale lock is taken over by a delete and a create, which
//! two waiters can both win, and which a computation longer than a lease loses.
//! Between the last renewal and the commit's puts a holder is not fenced: one paused for a
//! whole lease exactly there (after its renewal succeeded) writes over its successor; its
//! record then matches its own bytes, and a reader gets one holder's whole value or
//! `Corrupt`, never a mix. Waiters wait for a live holder as long as it lives, unless
//! [`ResultStore::with_lock_timeouts`] sets a limit ([`StoreError::Busy`]).
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
mod garbage;
mod hashing;
mod location;
mod lock;
mod read;
mod record;
mod result_store;
mod template;
mod write;

pub(crate) use self::blocking::runtime;
pub use self::blocking::BlockingResultStore;
pub use self::cache::cache_key;
pub use self::error::{StoreError, TypeMismatch};

pub use self::garbage::{Garbage, GarbageOptions};
pub use self::record::Record;
pub use self::result_store::{ResultStore, WriteOptions};
pub use self::template::Template;
