//! A Rust step in a Prefect 3 pipeline: it reads a result a Prefect 3 flow persisted (a
//! pydantic model with a `datetime`, as Prefect 3.9.1 wrote it in the `record` layout) and
//! writes one back that the flow reads as a `dict` holding a `datetime`.
//!
//! ```sh
//! cargo run --example prefect3 -- /tmp/prefect3-results
//! ```
//!
//! The README shows the Python that reads the result back with Prefect's own `ResultStore`.

use std::error::Error;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use result_serializers::prefect3::{Prefect3Metadata, Prefect3Record, Prefect3Serializer};
use serde::{Deserialize, Serialize};

/// The flow's `prefect3_vector_models.Reading`.
#[derive(Debug, Deserialize)]
struct Reading {
    sensor: String,
    kelvin: f64,
    at: DateTime<Utc>,
    tags: Vec<String>,
}

/// What this step returns to the flow.
#[derive(Debug, Serialize)]
struct Summary {
    sensor: String,
    celsius: f64,
    /// Written tagged, so that the flow reads a `datetime`, not a string.
    #[serde(with = "result_serializers::prefect3::tagged")]
    measured_at: DateTime<Utc>,
    tags: Vec<String>,
}

fn main() -> Result<(), Box<dyn Error>> {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/prefect3-vectors/record/json/pydantic_model");
    let record = Prefect3Record::from_slice(&std::fs::read(&fixture)?)?;
    let reading: Reading = record.read()?;
    println!(
        "read {} (written by Prefect {}): {reading:?}",
        record.metadata.storage_key,
        record.metadata.prefect_version.as_deref().unwrap_or("?")
    );

    let summary = Summary {
        sensor: reading.sensor,
        celsius: ((reading.kelvin - 273.15) * 100.0).round() / 100.0,
        measured_at: reading.at,
        tags: reading.tags,
    };
    let dir = std::env::args().nth(1).map_or_else(
        || std::env::temp_dir().join("prefect3-results"),
        PathBuf::from,
    );
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("summary");
    let metadata =
        Prefect3Metadata::new(path.display().to_string(), Prefect3Serializer::json(), None);
    let out = Prefect3Record::of(metadata, &summary)?;
    std::fs::write(&path, out.to_vec()?)?;
    println!("wrote {}: {}", path.display(), out.result);
    Ok(())
}
