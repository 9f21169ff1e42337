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
    /// Nothing is stored at the location.
    #[error("no result at `{location}`")]
    NotFound {
        /// The location.
        location: String,
    },
    /// The backend failed.
    #[error("storage failed at `{location}`: {source}")]
    Backend {
        /// The location.
        location: String,
        /// The `object_store` error.
        #[source]
        source: object_store::Error,
    },
    /// The serializer failed.
    #[error("result at `{location}`: {source}")]
    Serializer {
        /// The location.
        location: String,
        /// The serializer's error.
        #[source]
        source: Error,
    },
    /// The stored result has no record: bytes written by Prefect 1.x or another tool.
    #[error(
        "result at `{location}` has no record of its serializer (written by Prefect 1.x or \
         another tool?): read it with `read_raw` and the serializer that wrote it"
    )]
    NoRecord {
        /// The location.
        location: String,
    },
    /// The stored bytes are damaged: truncated, or their checksum does not match the record.
    #[error("result at `{location}` is corrupt: {reason}")]
    Corrupt {
        /// The location.
        location: String,
        /// What does not match.
        reason: String,
    },
    /// The result was written by another serializer or configuration than the one reading.
    #[error(
        "result at `{location}` was written by the {stored} serializer ({stored_config}) and \
         cannot be read by the {reading} serializer ({reading_config})"
    )]
    SerializerMismatch {
        /// The location.
        location: String,
        /// The serializer that wrote it.
        stored: String,
        /// Its configuration.
        stored_config: String,
        /// The serializer asked to read it.
        reading: String,
        /// Its configuration.
        reading_config: String,
    },
    /// The blocking store could not start its runtime, or the local root could not be made.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl StoreError {
    pub(crate) fn backend(location: &str, source: object_store::Error) -> Self {
        StoreError::Backend {
            location: location.to_owned(),
            source,
        }
    }

    pub(crate) fn serializer(location: &str, source: Error) -> Self {
        StoreError::Serializer {
            location: location.to_owned(),
            source,
        }
    }
}
