//! The error of the store.

use crate::error::Error;

/// What went wrong while storing or loading a result.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A location template could not be parsed.
    #[error("location template `{template}`: {reason}")]
    Template {
        /// The template.
        template: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A template names a field that was not given.
    #[error("location template `{template}` needs the field `{field}`, which was not given")]
    MissingField {
        /// The template.
        template: String,
        /// The missing field.
        field: String,
    },
    /// A location would leave the store, or is not a path.
    #[error("location `{location}` is not allowed: {reason}")]
    InvalidLocation {
        /// The location.
        location: String,
        /// Why.
        reason: &'static str,
    },
    /// A store URL that cannot be opened.
    #[error("store URL `{url}`: {reason}")]
    InvalidUrl {
        /// The URL.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Nothing is stored at the location.
    #[error("no result at `{location}`")]
    NotFound {
        /// The location.
        location: String,
    },
    /// The backend failed.
    #[error("storage failed at {}: {}", where_(location), one_line(error))]
    Backend {
        /// The location.
        location: String,
        /// The `object_store` error.
        #[source]
        error: object_store::Error,
    },
    /// The serializer failed.
    #[error("result at `{location}`: {error}")]
    Serializer {
        /// The location.
        location: String,
        /// The serializer's error.
        error: Error,
    },
    /// The stored bytes have no record: written by Prefect 1.x or another tool.
    #[error(
        "result at `{location}` has no record of its serializer (written by Prefect 1.x or \
         another tool?): read it with `read_raw` and the serializer that wrote it"
    )]
    NoRecord {
        /// The location.
        location: String,
    },
    /// The stored bytes do not match their record: damaged, or written by a writer that was
    /// interrupted, or replaced again and again while this read went on.
    #[error("result at `{location}` is corrupt: {reason}")]
    Corrupt {
        /// The location.
        location: String,
        /// What does not match.
        reason: String,
    },
    /// The result was written by another serializer, or by one whose options shape the bytes
    /// differently, than the one reading.
    #[error(
        "result at `{location}` was written by the {stored} serializer ({stored_format}) and \
         cannot be read by the {reading} serializer ({reading_format})"
    )]
    SerializerMismatch {
        /// The location.
        location: String,
        /// The serializer that wrote it.
        stored: String,
        /// Its format identity.
        stored_format: String,
        /// The serializer asked to read it.
        reading: String,
        /// Its format identity.
        reading_format: String,
    },
    /// The result was written by another type, or by a type of another shape, than the one
    /// reading it.
    #[error("{0}")]
    TypeMismatch(Box<TypeMismatch>),
    /// The result expired: it reads as absent.
    #[error("result at `{location}` expired at {expired_at}")]
    Expired {
        /// The location.
        location: String,
        /// When it expired, RFC 3339.
        expired_at: String,
    },
    /// Another writer held the location's lock for longer than the store waits.
    #[error("result at `{location}` is being written by another writer, which has held it for longer than the store waits")]
    Busy {
        /// The location.
        location: String,
    },
    /// This writer's lease on the location's lock was taken by another writer (it was not
    /// renewed for a whole lease: the process paused, or the backend was out of reach), so it
    /// wrote nothing.
    #[error("the lock of `{location}` was taken by another writer while this one held it (its lease lapsed): nothing was written")]
    LeaseLost {
        /// The location.
        location: String,
    },
    /// The computation of `get_or_compute` failed; its error is the [`source`](std::error::Error::source).
    #[error("computing the result for `{location}` failed: {error}")]
    Compute {
        /// The location.
        location: String,
        /// The computation's error.
        #[source]
        error: Box<dyn std::error::Error + Send + Sync>,
    },
    /// There is no store at the URL: a read-only open ([`ResultStore::open`](super::ResultStore::open))
    /// creates none.
    #[error("no store at `{url}`: {reason}")]
    NoStore {
        /// The URL or path.
        url: String,
        /// Why it is not one.
        reason: String,
    },
    /// Local I/O failed: a file of the store, a temporary file of a write, the lock file, or
    /// the blocking store's runtime.
    #[error("I/O failed at `{location}`: {error}")]
    Io {
        /// The location, or the path of the file, that the I/O was for.
        location: String,
        /// The error.
        #[source]
        error: std::io::Error,
    },
}

impl StoreError {
    pub(crate) fn backend(location: &str, error: object_store::Error) -> Self {
        StoreError::Backend {
            location: location.to_owned(),
            error,
        }
    }

    /// The error of local I/O for `location` (a location, or a file's path).
    pub(crate) fn io(location: impl std::fmt::Display) -> impl FnOnce(std::io::Error) -> Self {
        move |error| StoreError::Io {
            location: location.to_string(),
            error,
        }
    }

    pub(crate) fn serializer(location: &str, error: Error) -> Self {
        StoreError::Serializer {
            location: location.to_owned(),
            error,
        }
    }
}

/// Where a backend error happened: a location, or the store itself.
fn where_(location: &str) -> String {
    if location.is_empty() {
        "the store's root".to_owned()
    } else {
        format!("`{location}`")
    }
}

/// An `object_store` error on one line: the first line of its text, before any response body
/// a server sent (S3's XML), with its white space folded.
pub(crate) fn one_line(error: &object_store::Error) -> String {
    let text = error.to_string();
    let text = text.split("<?xml").next().unwrap_or(&text);
    let folded: Vec<&str> = text.split_whitespace().collect();
    let mut line = folded.join(" ");
    if line.len() > 400 {
        let cut = (0..=400)
            .rev()
            .find(|&at| line.is_char_boundary(at))
            .unwrap_or(0);
        line.truncate(cut);
        line.push_str("...");
    }
    line.trim_end_matches([',', ':', ' ']).to_owned()
}

/// A result written by another type, or a type of another shape, than the one reading it.
#[derive(Debug, thiserror::Error)]
#[error(
    "result at `{location}` was written as `{stored}` (shape {}) and cannot be read as \
     `{reading}` (shape {}){}",
    stored_shape.as_deref().unwrap_or("unknown"),
    reading_shape.as_deref().unwrap_or("unknown"),
    if *self_describing { "; its format says what it holds: `read_as` reads it as another type" } else { "" }
)]
#[non_exhaustive]
pub struct TypeMismatch {
    /// The location.
    pub location: String,
    /// The type that wrote it.
    pub stored: String,
    /// Its shape fingerprint.
    pub stored_shape: Option<String>,
    /// The type asked for.
    pub reading: String,
    /// Its shape fingerprint.
    pub reading_shape: Option<String>,
    /// Whether the format says what it holds, so that `read_as` can read it anyway.
    pub self_describing: bool,
}
