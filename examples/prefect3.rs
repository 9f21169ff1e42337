//! A Rust step in a Prefect 3 pipeline: it reads a result a Prefect 3 flow persisted (a
//! pydantic model with a `datetime`, as Prefect 3.9.1 wrote it in the `record` layout) and
//! writes one back that the flow reads as a `dict` holding a `datetime` and a `set`.
//!
//! ```sh
//! cargo run --example prefect3 -- /tmp/prefect3-results
//! ```
//!
//! The README shows the Python that reads the result back with Prefect's own `ResultStore`.

use std::collections::BTreeSet;
use std::error::Error;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use result_serializers::prefect3::{
    BlockingPrefect3Store, Prefect3Serializer, Prefect3Store, ToPython,
};
use result_serializers::store::ResultStore;
use serde::Deserialize;

/// The flow's `prefect3_vector_models.Reading`: the serde name is the Python class, checked
/// when it is read.
#[derive(Debug, Deserialize)]
#[serde(rename = "prefect3_vector_models.Reading")]
struct Reading {
    sensor: String,
    kelvin: f64,
    at: DateTime<Utc>,
    tags: Vec<String>,
}

/// What this step returns to the flow: a `dict` whose `measured_at` is a `datetime` and whose
/// `tags` are a `set`, as `#[derive(ToPython)]` writes them from the fields' types.
#[derive(Debug, ToPython)]
struct Summary {
    sensor: String,
    celsius: f64,
    measured_at: DateTime<Utc>,
    tags: BTreeSet<String>,
}

fn main() -> Result<(), Box<dyn Error>> {
    // Where the flow's result is: Prefect 3.9.1's own file, in the `record` layout.
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/prefect3-vectors/record");
    let flow_results =
        BlockingPrefect3Store::new(Prefect3Store::record(&ResultStore::local(fixture)?))?;
    let key = "json/pydantic_model";
    let metadata = flow_results.metadata(key)?;
    let reading: Reading = flow_results.read(key)?;
    println!(
        "read {key} (written by Prefect {}): {reading:?}",
        metadata.prefect_version.as_deref().unwrap_or("?")
    );

    let summary = Summary {
        sensor: reading.sensor,
        celsius: ((reading.kelvin - 273.15) * 100.0).round() / 100.0,
        measured_at: reading.at,
        tags: reading.tags.into_iter().collect(),
    };
    let dir = std::env::args().nth(1).map_or_else(
        || std::env::temp_dir().join("prefect3-results"),
        PathBuf::from,
    );
    let our_results =
        BlockingPrefect3Store::new(Prefect3Store::record(&ResultStore::local(&dir)?))?;
    our_results.write("summary", &summary, &Prefect3Serializer::json(), None)?;
    println!(
        "wrote {}: {}",
        dir.join("summary").display(),
        std::fs::read_to_string(dir.join("summary"))?
    );
    Ok(())
}
