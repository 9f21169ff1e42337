//! [`ResultStore`] and how it is opened: results at locations in an object store, each with
//! its record beside it. Writing (`write`), reading (`read`), locks (`lock`) and looking after a
//! store (`garbage`) are modules of their own.

use std::sync::Arc;
use std::time::Duration;

use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path;
use object_store::ObjectStore;

use super::error::StoreError;
use super::location::lock_path;
use super::lock::{self, Lock, LockSettings};

/// Results at locations in an object store, each with its record beside it. See the
/// [module docs](super) for the layout and what a crash or a race can leave.
#[derive(Debug, Clone)]
pub struct ResultStore {
    pub(super) store: Arc<dyn ObjectStore>,
    /// The same store, where it is the local file system: bytes are written to a temporary
    /// file beside their location and renamed into place, and read from the file.
    pub(super) local: Option<Arc<LocalFileSystem>>,
    pub(super) settings: Settings,
}

/// How a store waits, retries and buffers.
#[derive(Debug, Clone, Copy)]
pub(super) struct Settings {
    /// How long a writer waits for another's lock, and how long a lease lasts.
    pub(super) locks: LockSettings,
    /// How often a read whose bytes do not match their record (a write under way) is tried.
    pub(super) read_attempts: u32,
    /// Results up to this size are held in memory on their way to and from the backend;
    /// larger ones go through a temporary file.
    pub(super) in_memory: usize,
    /// The part size of multipart uploads.
    pub(super) part_size: usize,
}

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
    pub(super) expires_in: Option<Duration>,
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

    /// Takes the lock of `location` (see [locks and leases](super#locks-and-leases)).
    pub(super) async fn lock(&self, location: &str) -> Result<Lock, StoreError> {
        let path = lock_path(location)?;
        let local = self.local_lock_file(&path, location)?;
        lock::acquire(&self.store, local, path, location, self.settings.locks).await
    }

    /// The lock file of `path` on the local file system, where the store is local.
    pub(super) fn local_lock_file(
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
    pub(super) async fn write_under_way(&self, location: &str) -> Result<bool, StoreError> {
        let path = lock_path(location)?;
        let local = self.local_lock_file(&path, location)?;
        Ok(lock::is_held(&self.store, local.as_deref(), &path).await)
    }
}

/// Records on the current span (the store operation's, with the `tracing` feature) how many
/// bytes it moved.
pub(super) fn trace_bytes(bytes: u64) {
    #[cfg(feature = "tracing")]
    tracing::Span::current().record("bytes", bytes);
    #[cfg(not(feature = "tracing"))]
    let _ = bytes;
}

/// Records on the current span what the operation did, where the result does not say it.
pub(super) fn trace_outcome(outcome: &'static str) {
    #[cfg(feature = "tracing")]
    tracing::Span::current().record("outcome", outcome);
    #[cfg(not(feature = "tracing"))]
    let _ = outcome;
}

/// Records on the current span an error as the operation's outcome.
pub(super) fn trace_outcome_of(err: &StoreError) {
    #[cfg(feature = "tracing")]
    tracing::Span::current().record("outcome", tracing::field::display(err));
    #[cfg(not(feature = "tracing"))]
    let _ = err;
}

/// Records on the current span the result's outcome (`ok`, or the error's message) and the
/// bytes `bytes` gives, and returns the result.
pub(super) fn traced<T>(
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
