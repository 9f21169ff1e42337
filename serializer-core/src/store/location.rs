//! Locations: relative paths that stay inside the store; and where a result's record and its
//! writers' lock are kept beside it.

use object_store::path::Path;

use super::error::StoreError;

/// Refuses a location that would leave the store's root or is not a plain relative path.
pub(crate) fn check_location(location: &str) -> Result<(), StoreError> {
    let invalid = |reason| {
        Err(StoreError::InvalidLocation {
            location: location.to_owned(),
            reason,
        })
    };
    if location.is_empty() {
        return invalid("it is empty");
    }
    if location.starts_with('/') || location.starts_with('\\') {
        return invalid("it is absolute");
    }
    if location.contains('\\') {
        return invalid("it contains `\\`; separate segments with `/`");
    }
    if location.split('/').next() == Some(RECORDS) {
        return invalid("`.records` holds the store's records");
    }
    for segment in location.split('/') {
        match segment {
            "" => return invalid("it has an empty segment"),
            "." | ".." => return invalid("a `.` or `..` segment could leave the store"),
            _ if segment.chars().any(char::is_control) => {
                return invalid("it contains a control character")
            }
            _ => {}
        }
    }
    Ok(())
}

/// Whether `name` (a path's last segment) has the shape of the store's unfinished local
/// writes, `.<name>.<random>.tmp`: no result may have it, so that garbage collection can never
/// take a result for one.
pub(crate) fn is_staging_name(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(".tmp")
}

/// Refuses what [`check_location`] refuses, and a name of the store's unfinished writes.
pub(crate) fn check_writable(location: &str) -> Result<(), StoreError> {
    check_location(location)?;
    if location.rsplit('/').next().is_some_and(is_staging_name) {
        return Err(StoreError::InvalidLocation {
            location: location.to_owned(),
            reason: "a name `.<...>.tmp` is kept for the store's unfinished writes",
        });
    }
    Ok(())
}

/// Whether `path` is under `prefix` as a folder: the path itself, or below it (`p/a` holds
/// `p/a` and `p/a/b.json`, not `p/ab.json`); every path is under `""`. The prefix's trailing
/// `/` is taken off first.
pub(crate) fn in_prefix(path: &str, prefix: &str) -> bool {
    let prefix = prefix.trim_end_matches('/');
    prefix.is_empty()
        || path
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

pub(crate) fn path(location: &str) -> Result<Path, StoreError> {
    check_location(location)?;
    path_of(location, location)
}

/// The folder of records, mirroring the locations: the record of `a/b.parquet` is
/// `.records/a/b.parquet.json`.
pub(crate) const RECORDS: &str = ".records";

/// Where the record of the result at `location` is kept.
pub(crate) fn record_path(location: &str) -> Result<Path, StoreError> {
    check_location(location)?;
    path_of(location, &format!("{RECORDS}/{location}.json"))
}

/// The lock a writer of `location` holds while it writes the bytes and the record.
pub(crate) fn lock_path(location: &str) -> Result<Path, StoreError> {
    check_location(location)?;
    path_of(location, &format!("{RECORDS}/{location}.lock"))
}

fn path_of(location: &str, path: &str) -> Result<Path, StoreError> {
    Path::parse(path).map_err(|_| StoreError::InvalidLocation {
        location: location.to_owned(),
        reason: "object_store cannot hold it as a path",
    })
}
