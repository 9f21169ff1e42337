//! Looking after a store: listing, deleting, and collecting what no reader needs.

use std::time::Duration;

use futures_util::TryStreamExt;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt};

use super::error::StoreError;
use super::location::{in_prefix, is_staging_name, lock_path, path, record_path, RECORDS};
use super::lock;
use super::result_store::ResultStore;

impl ResultStore {
    /// Every object in the store: results, records, locks and leftovers (`prefix` names the
    /// listing an error is about).
    async fn all_objects(&self, prefix: &str) -> Result<Vec<object_store::ObjectMeta>, StoreError> {
        self.store
            .list(None)
            .try_collect()
            .await
            .map_err(|source| StoreError::backend(prefix, source))
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
        let objects = self.all_objects(prefix).await?;
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
    pub(super) async fn remove(&self, garbage: &Garbage) -> Result<(), StoreError> {
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
    pub(super) fn remove_empty_folders(&self, prefix: &str) {
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
        let objects = self.all_objects(prefix).await?;
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

    pub(super) async fn delete_unlocked(&self, location: &str) -> Result<(), StoreError> {
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

/// How old a leftover of an interrupted write (a temporary file, a lock no one renews) must be
/// before garbage collection takes it.
pub(super) const LEFTOVER_AGE: Duration = Duration::from_secs(600);
