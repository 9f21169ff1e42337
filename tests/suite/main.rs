//! Integration tests, in one binary so that the workspace links it once.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod binary;
mod compressed;
#[cfg(feature = "dataframe")]
mod dataframe;
mod datetime;
mod derive;
mod files;
mod hygiene;
mod json;
mod pickle;
#[cfg(feature = "prefect3")]
mod prefect3;
#[cfg(feature = "prefect3")]
mod prefect3_mutants;
#[cfg(feature = "prefect3")]
mod prefect3_strict;
mod prefect_datetime;
#[cfg(feature = "dataframe")]
mod prefect_pandas;
mod prefect_vectors;
mod properties;
mod python;
mod report;
#[cfg(feature = "dataframe")]
mod rows;
mod streaming;
/// Python virtual environments, made once for every test of the binary.
#[cfg(feature = "prefect3")]
#[path = "../common/venv.rs"]
mod venv;
mod whole_input;
mod workload_w1;

use result_serializers::{Error, ErrorKind, Operation};

/// Hands the bytes through unchanged: what a codec decodes, seen as it is.
#[derive(Debug, Clone, Copy)]
struct Passthrough;

impl result_serializers::Serializer<Vec<u8>> for Passthrough {
    fn serialize(&self, value: &Vec<u8>) -> Result<Vec<u8>, Error> {
        Ok(value.clone())
    }

    fn deserialize(&self, bytes: &[u8]) -> Result<Vec<u8>, Error> {
        Ok(bytes.to_vec())
    }
}

/// Prefect 1.4.1's golden vectors, kept in the repository.
fn vectors_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/prefect-vectors")
}

/// The vectors of the manifest written for `serializer` (a Prefect class name).
#[cfg(feature = "dataframe")]
fn vectors_of(serializer: &str) -> Vec<serde_json::Value> {
    let manifest = std::fs::read(vectors_dir().join("manifest.json")).unwrap();
    let manifest: serde_json::Value = serde_json::from_slice(&manifest).unwrap();
    manifest["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|vector| vector["serializer"] == serializer)
        .cloned()
        .collect()
}

/// Asserts that `result` failed in `serializer` during `operation` with a kind `check` accepts.
#[track_caller]
fn assert_error<T: std::fmt::Debug>(
    result: Result<T, Error>,
    serializer: &str,
    operation: Operation,
    check: impl FnOnce(&ErrorKind) -> bool,
) -> Error {
    let err = result.expect_err("expected an error");
    assert_eq!(err.serializer(), serializer, "{err}");
    assert_eq!(err.operation(), operation, "{err}");
    assert!(check(err.kind()), "unexpected kind: {err:?}");
    let message = err.to_string();
    assert!(
        message.starts_with(&format!("{serializer} serializer failed to {operation}: ")),
        "{message}"
    );
    err
}

/// `serializer.deserialize_as::<T>(bytes)`: the trait's `T` cannot take a turbofish.
trait DeserializeAs {
    fn deserialize_as<T>(&self, bytes: &[u8]) -> Result<T, Error>
    where
        Self: result_serializers::Serializer<T>;

    fn deserialize_from_as<T>(&self, reader: impl std::io::Read) -> Result<T, Error>
    where
        Self: result_serializers::Serializer<T>;
}

impl<S> DeserializeAs for S {
    fn deserialize_as<T>(&self, bytes: &[u8]) -> Result<T, Error>
    where
        S: result_serializers::Serializer<T>,
    {
        self.deserialize(bytes)
    }

    fn deserialize_from_as<T>(&self, reader: impl std::io::Read) -> Result<T, Error>
    where
        S: result_serializers::Serializer<T>,
    {
        self.deserialize_from(reader)
    }
}
