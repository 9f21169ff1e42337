//! The lock of a location: who may write it, how a holder keeps it for a computation of any
//! length, what a holder that dies leaves, and who takes it. The protocol is written down in the
//! [module docs](super#locks-and-leases); this file is its one implementation.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::future::{select, Either};
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload, UpdateVersion};

use super::error::StoreError;

/// How long a writer waits for another's lock, and how long a lease lasts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LockSettings {
    /// How long a writer waits for a live holder; `None`: as long as the holder lives.
    pub(crate) wait: Option<Duration>,
    /// How long a lease lasts without a heartbeat: a waiter takes a lock whose lease object
    /// has not changed for this long, by the waiter's own clock.
    pub(crate) lease: Duration,
}

impl Default for LockSettings {
    fn default() -> Self {
        LockSettings {
            wait: None,
            lease: Duration::from_secs(30),
        }
    }
}

/// What the lease object says when its holder let go: the next writer takes it at once.
const RELEASED: &str = r#"{"released":true}"#;

/// A holder's claim: its token, which only it writes.
fn claim(owner: &str, lease: Duration) -> String {
    format!(
        r#"{{"owner":"{owner}","pid":{},"lease_ms":{},"renewed_at":"{}"}}"#,
        std::process::id(),
        lease.as_millis(),
        chrono::Utc::now().to_rfc3339()
    )
}

/// A random token naming one holding of a lock.
fn token() -> String {
    use std::hash::{BuildHasher, Hasher};
    // `RandomState` is seeded from the operating system's randomness; two of them make 128
    // bits, with the time and the process id mixed in for good measure.
    let mut halves = [0u64; 2];
    for half in &mut halves {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |since| since.as_nanos()),
        );
        hasher.write_u32(std::process::id());
        *half = hasher.finish();
    }
    format!("{:016x}{:016x}", halves[0], halves[1])
}

/// A held lock. Dropped without [`Lock::release`] (a future dropped, a computation that
/// panicked), it lets go as well as it can at once: a lock file is unlocked and removed; a
/// lease is marked released by a task on the current tokio runtime, and where there is none it
/// lapses within one lease, its heartbeat gone with it.
pub(crate) struct Lock {
    held: Option<Held>,
}

enum Held {
    /// The local file system: the operating system's lock (`flock`) on the lock file, which
    /// the kernel releases when the process ends, however it ends.
    File {
        file: std::fs::File,
        path: std::path::PathBuf,
    },
    /// An object store: a lease object, renewed while it is held.
    Lease(Arc<Lease>),
    /// A backend with no conditional puts: writers are not kept apart.
    Unfenced,
}

/// A lease on an object store.
struct Lease {
    store: Arc<dyn ObjectStore>,
    path: Path,
    location: String,
    owner: String,
    lease: Duration,
    /// The lease object's version as this holder last wrote it; a renewal must find it so.
    version: tokio::sync::Mutex<UpdateVersion>,
    /// Set once a renewal found the object changed, or none succeeded for a whole lease.
    lost: AtomicBool,
}

fn version_of(e_tag: Option<String>, version: Option<String>) -> UpdateVersion {
    UpdateVersion { e_tag, version }
}

impl Lease {
    /// Writes a fresh claim over the one this holder wrote, if the object is still that one.
    async fn renew(&self) -> Result<(), StoreError> {
        if self.lost.load(Ordering::SeqCst) {
            return Err(self.lost_error());
        }
        let mut version = self.version.lock().await;
        let options = PutOptions {
            mode: PutMode::Update(version.clone()),
            ..PutOptions::default()
        };
        match self
            .store
            .put_opts(
                &self.path,
                PutPayload::from(claim(&self.owner, self.lease)),
                options,
            )
            .await
        {
            Ok(put) => {
                *version = version_of(put.e_tag, put.version);
                Ok(())
            }
            Err(
                object_store::Error::Precondition { .. } | object_store::Error::NotFound { .. },
            ) => {
                self.lost.store(true, Ordering::SeqCst);
                Err(self.lost_error())
            }
            // A backend without conditional updates cannot renew a lease: the lock holds as a
            // create-only put does (the module docs say what that leaves open).
            Err(object_store::Error::NotImplemented { .. }) => Ok(()),
            Err(source) => Err(StoreError::backend(&self.location, source)),
        }
    }

    fn lost_error(&self) -> StoreError {
        StoreError::LeaseLost {
            location: self.location.clone(),
        }
    }

    /// Renews every third of a lease until a renewal finds the lease taken, or none has
    /// succeeded for a whole lease (a waiter may then have taken it).
    async fn heartbeat(&self) -> StoreError {
        let mut renewed = Instant::now();
        loop {
            futures_timer::Delay::new(self.lease / 3).await;
            match self.renew().await {
                Ok(()) => renewed = Instant::now(),
                Err(err @ StoreError::LeaseLost { .. }) => return err,
                Err(_) if renewed.elapsed() >= self.lease => {
                    self.lost.store(true, Ordering::SeqCst);
                    return self.lost_error();
                }
                Err(_) => {}
            }
        }
    }

    /// Marks the lease released, if it is still this holder's.
    async fn release(&self) {
        let version = self.version.lock().await.clone();
        let options = PutOptions {
            mode: PutMode::Update(version),
            ..PutOptions::default()
        };
        // A lease that cannot be marked is no longer this holder's, or lapses within a lease;
        // a backend without conditional updates has it deleted instead.
        if let Err(object_store::Error::NotImplemented { .. }) = self
            .store
            .put_opts(&self.path, PutPayload::from(RELEASED), options)
            .await
        {
            let _ = self.store.delete(&self.path).await;
        }
    }
}

impl Lock {
    /// Runs `work` while the lock is held: a lease's heartbeat runs beside it, and a lease
    /// found lost ends `work` with [`StoreError::LeaseLost`].
    pub(crate) async fn hold<T>(
        &self,
        work: impl std::future::Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        let Some(Held::Lease(lease)) = &self.held else {
            return work.await;
        };
        let (work, heartbeat) = (std::pin::pin!(work), std::pin::pin!(lease.heartbeat()));
        match select(work, heartbeat).await {
            Either::Left((done, _)) => done,
            Either::Right((lost, _)) => Err(lost),
        }
    }

    /// Proves the lock is still this holder's, just before a commit: a lease is renewed (which
    /// fails where another holder has taken it); a file lock cannot be lost while the process
    /// lives.
    pub(crate) async fn confirm(&self) -> Result<(), StoreError> {
        match &self.held {
            Some(Held::Lease(lease)) => lease.renew().await,
            _ => Ok(()),
        }
    }

    /// Lets go of the lock.
    pub(crate) async fn release(mut self) {
        match self.held.take() {
            Some(Held::Lease(lease)) => lease.release().await,
            Some(Held::File { file, path }) => release_file(file, &path),
            Some(Held::Unfenced) | None => {}
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        match self.held.take() {
            Some(Held::File { file, path }) => release_file(file, &path),
            Some(Held::Lease(lease)) => {
                if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                    runtime.spawn(async move { lease.release().await });
                }
            }
            Some(Held::Unfenced) | None => {}
        }
    }
}

/// Removes the lock file while it is still locked, then unlocks it: a waiter that opened it
/// before finds, once it has the lock, that the path no longer names its file, and tries again.
fn release_file(file: std::fs::File, path: &std::path::Path) {
    // A lock file that cannot be removed is unlocked all the same, and taken by the next
    // writer (it finds no holder).
    let _ = std::fs::remove_file(path);
    drop(file);
}

/// Takes the lock of `location`, waiting for a live holder as long as `settings` say.
pub(crate) async fn acquire(
    store: &Arc<dyn ObjectStore>,
    local_file: Option<std::path::PathBuf>,
    lock_path: Path,
    location: &str,
    settings: LockSettings,
) -> Result<Lock, StoreError> {
    let started = Instant::now();
    let mut wait = Duration::from_millis(1);
    // The lease object as this waiter last saw it, and since when (by its own clock).
    let mut seen: Option<(UpdateVersion, Instant)> = None;
    loop {
        let attempt = match &local_file {
            Some(file) => try_file(file, location)?,
            None => try_lease(store, &lock_path, location, settings.lease, &mut seen).await?,
        };
        if let Some(held) = attempt {
            return Ok(Lock { held: Some(held) });
        }
        if settings.wait.is_some_and(|limit| started.elapsed() > limit) {
            return Err(StoreError::Busy {
                location: location.to_owned(),
            });
        }
        futures_timer::Delay::new(wait).await;
        wait = (wait * 2).min(Duration::from_millis(50));
    }
}

/// One try at the local lock file: its `flock`, where no other holder has it.
fn try_file(path: &std::path::Path, location: &str) -> Result<Option<Held>, StoreError> {
    let io =
        |error| StoreError::io(format!("{} (the lock of `{location}`)", path.display()))(error);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => return Ok(None),
        Err(std::fs::TryLockError::Error(error)) => return Err(io(error)),
    }
    // The holder before may have removed the file after this one opened it.
    if !same_file(&file, path) {
        return Ok(None);
    }
    Ok(Some(Held::File {
        file,
        path: path.to_owned(),
    }))
}

#[cfg(unix)]
fn same_file(file: &std::fs::File, path: &std::path::Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(open), Ok(named)) => open.ino() == named.ino() && open.dev() == named.dev(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &std::fs::File, path: &std::path::Path) -> bool {
    path.exists()
}

/// One try at a lease: create it, take it where it was released, or take it over where it has
/// not changed for a whole lease; each by a conditional put, which one writer wins.
async fn try_lease(
    store: &Arc<dyn ObjectStore>,
    path: &Path,
    location: &str,
    lease: Duration,
    seen: &mut Option<(UpdateVersion, Instant)>,
) -> Result<Option<Held>, StoreError> {
    let owner = token();
    let held = |put: object_store::PutResult| {
        Some(Held::Lease(Arc::new(Lease {
            store: store.clone(),
            path: path.clone(),
            location: location.to_owned(),
            owner: owner.clone(),
            lease,
            version: tokio::sync::Mutex::new(version_of(put.e_tag, put.version)),
            lost: AtomicBool::new(false),
        })))
    };
    let put = |mode| {
        store.put_opts(
            path,
            PutPayload::from(claim(&owner, lease)),
            PutOptions {
                mode,
                ..PutOptions::default()
            },
        )
    };
    match put(PutMode::Create).await {
        Ok(result) => return Ok(held(result)),
        Err(
            object_store::Error::AlreadyExists { .. } | object_store::Error::Precondition { .. },
        ) => {}
        Err(object_store::Error::NotImplemented { .. }) => return Ok(Some(Held::Unfenced)),
        Err(source) => return Err(StoreError::backend(location, source)),
    }
    let current = match store.get(path).await {
        Ok(current) => current,
        // Released and removed between the two calls: try again at once.
        Err(object_store::Error::NotFound { .. }) => return Ok(None),
        Err(source) => return Err(StoreError::backend(location, source)),
    };
    let version = version_of(current.meta.e_tag.clone(), current.meta.version.clone());
    let content = current
        .bytes()
        .await
        .map_err(|source| StoreError::backend(location, source))?;
    let released = content.as_ref() == RELEASED.as_bytes();
    let lapsed = match seen {
        Some((before, since)) if *before == version => since.elapsed() >= lease,
        _ => {
            *seen = Some((version.clone(), Instant::now()));
            false
        }
    };
    if !released && !lapsed {
        return Ok(None);
    }
    match put(PutMode::Update(version)).await {
        Ok(result) => Ok(held(result)),
        // Another waiter took it first.
        Err(object_store::Error::Precondition { .. } | object_store::Error::NotFound { .. }) => {
            *seen = None;
            Ok(None)
        }
        Err(object_store::Error::NotImplemented { .. }) => {
            // No conditional update: the lease is taken over by a delete and a create, which
            // two waiters can both win.
            match store.delete(path).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(source) => Err(StoreError::backend(location, source)),
            }
        }
        Err(source) => Err(StoreError::backend(location, source)),
    }
}

/// Removes the lock file at `path` if no process holds it, taking it first.
pub(crate) fn remove_unheld(path: &std::path::Path) {
    if let Ok(Some(Held::File { file, path })) = try_file(path, "") {
        release_file(file, &path);
    }
}

/// Whether a lock other than a released one is on `location`: a write may be under way.
pub(crate) async fn is_held(
    store: &Arc<dyn ObjectStore>,
    local_file: Option<&std::path::Path>,
    lock_path: &Path,
) -> bool {
    if let Some(path) = local_file {
        let Ok(file) = std::fs::File::open(path) else {
            return false;
        };
        return matches!(file.try_lock(), Err(std::fs::TryLockError::WouldBlock));
    }
    match store.get(lock_path).await {
        Ok(current) => current
            .bytes()
            .await
            .is_ok_and(|content| content.as_ref() != RELEASED.as_bytes()),
        Err(_) => false,
    }
}
