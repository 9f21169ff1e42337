//! Locations: relative paths that stay inside the store.

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

pub(crate) fn path(location: &str) -> Result<Path, StoreError> {
    check_location(location)?;
    Path::parse(location).map_err(|_| StoreError::InvalidLocation {
        location: location.to_owned(),
        reason: "object_store cannot hold it as a path",
    })
}
