//! Files this crate writes are read by pandas (with pyarrow), the library Prefect users read
//! results with. The test installs pandas and pyarrow into a virtual environment of its own
//! on first run (from `tests/interop/requirements.txt`; needs `python3` with `venv` and pip
//! access), then has pandas read our parquet, feather, csv and json files.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "common/venv.rs"]
mod venv;

use std::path::{Path, PathBuf};
use std::process::Command;

use result_serializers::dataframe::{
    DataFrameSerializer, FileType, IpcCompression, IpcOptions, ParquetCompression, ParquetOptions,
};
use result_serializers::polars::prelude::*;
use result_serializers::Serializer;
use serde_json::{json, Value};

/// The Python of a virtual environment with pandas, made on first use.
fn python() -> PathBuf {
    venv::venv("pandas-venv", "tests/interop/requirements.txt").join("bin/python")
}

/// Runs a Python `command` that prints one JSON value, and parses it.
fn json_from(command: &mut Command) -> Value {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn sample() -> DataFrame {
    let at = |name: &str, tz: Option<&str>| {
        Series::new(name.into(), [Some(1_592_224_245_123_456i64), None, Some(0)])
            .cast(&DataType::Datetime(
                TimeUnit::Microseconds,
                TimeZone::opt_try_new(tz).unwrap(),
            ))
            .unwrap()
    };
    let columns = vec![
        Series::new("int".into(), [Some(1i64), Some(-3_000_000_000), None]),
        Series::new("float".into(), [Some(1.5f64), None, Some(-0.1)]),
        Series::new("text".into(), [Some("a"), Some("héllo, \"w\""), None]),
        Series::new("flag".into(), [true, false, true]),
        Series::new("day".into(), [Some(18_262i32), None, Some(0)])
            .cast(&DataType::Date)
            .unwrap(),
        at("at", None),
        at("at_utc", Some("UTC")),
        at("at_ny", Some("America/New_York")),
        Series::new("took".into(), [Some(90_000_000i64), None, Some(1)])
            .cast(&DataType::Duration(TimeUnit::Microseconds))
            .unwrap(),
    ];
    DataFrame::new_infer_height(columns.into_iter().map(Column::from).collect()).unwrap()
}

/// Numbers as `f64`, so that `1` and `1.0` compare equal.
fn as_floats(values: &Value) -> Vec<Value> {
    values
        .as_array()
        .unwrap()
        .iter()
        .map(|value| match value.as_f64() {
            Some(number) => json!(number),
            None => value.clone(),
        })
        .collect()
}

#[test]
fn pandas_reads_what_we_write() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pandas-interop-files");
    std::fs::create_dir_all(&dir).unwrap();
    let full = sample();
    let plain = full.select(["int", "float", "text", "flag"]).unwrap();
    let files = [
        (
            "ours.parquet",
            DataFrameSerializer::new(FileType::Parquet),
            &full,
        ),
        (
            "ours_snappy.parquet",
            DataFrameSerializer::parquet(
                ParquetOptions::new().with_compression(ParquetCompression::Snappy),
            ),
            &full,
        ),
        (
            "ours.feather",
            DataFrameSerializer::new(FileType::Ipc),
            &full,
        ),
        (
            "ours_lz4.feather",
            DataFrameSerializer::ipc(IpcOptions::new().with_compression(IpcCompression::Lz4)),
            &full,
        ),
        ("ours.csv", DataFrameSerializer::new(FileType::Csv), &plain),
        (
            "ours.json",
            DataFrameSerializer::new(FileType::Json),
            &plain,
        ),
    ];
    let mut paths = Vec::new();
    for (name, serializer, frame) in &files {
        let path = dir.join(name);
        std::fs::write(&path, serializer.serialize(*frame).unwrap()).unwrap();
        paths.push(path);
    }

    let read = json_from(
        Command::new(python())
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/read_with_pandas.py"))
            .args(&paths),
    );

    let plain_values = json!({
        "int": [1, -3_000_000_000i64, null],
        "float": [1.5, null, -0.1],
        "text": ["a", "héllo, \"w\"", null],
        "flag": [true, false, true],
    });
    for (name, _, frame) in &files {
        let columns = &read[name]["columns"];
        for column in ["int", "float", "text", "flag"] {
            // pandas widens an integer column with a missing value to float64.
            assert_eq!(
                as_floats(&columns[column]),
                as_floats(&plain_values[column]),
                "{name}: column {column}"
            );
        }
        if frame.width() == full.width() {
            // The binary formats keep every dtype, time zones and durations included.
            assert_eq!(
                columns["day"],
                json!(["2020-01-01", null, "1970-01-01"]),
                "{name}"
            );
            assert_eq!(
                columns["at"],
                json!(["2020-06-15T12:30:45.123456", null, "1970-01-01T00:00:00"]),
                "{name}"
            );
            assert_eq!(
                columns["at_utc"],
                json!([
                    "2020-06-15T12:30:45.123456+00:00",
                    null,
                    "1970-01-01T00:00:00+00:00"
                ]),
                "{name}"
            );
            assert_eq!(
                columns["at_ny"],
                json!([
                    "2020-06-15T08:30:45.123456-04:00",
                    null,
                    "1969-12-31T19:00:00-05:00"
                ]),
                "{name}"
            );
            assert_eq!(columns["took"], json!([90.0, null, 0.000001]), "{name}");
            let dtypes = &read[name]["dtypes"];
            assert_eq!(
                dtypes["at_ny"], "datetime64[us, America/New_York]",
                "{name}"
            );
            assert_eq!(dtypes["took"], "timedelta64[us]", "{name}");
        }
    }
    println!(
        "pandas read {} files we wrote: {}",
        files.len(),
        serde_json::to_string(&read).unwrap().len()
    );
}

/// The quickstart's stored results are the files their names say: pandas opens its parquet
/// and Python's `json.load` its JSON. Runs the quickstart that `cargo test` built (its
/// features: `derive`, `dataframe`, `store`).
#[test]
fn the_quickstarts_results_open_in_pandas_and_json_load() {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap();
    let quickstart = target.join("debug/examples/quickstart");
    assert!(
        quickstart.exists(),
        "{} is missing: run with --all-features so that cargo test builds the quickstart",
        quickstart.display()
    );
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("quickstart-results");
    let _ = std::fs::remove_dir_all(&dir);
    let run = Command::new(&quickstart).arg(&dir).output().unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let results = dir.join("sensor-etl/2026-11-24");
    let script = "import json, sys, pandas\n\
                  stats = pandas.read_parquet(sys.argv[1])\n\
                  summary = json.load(open(sys.argv[2]))\n\
                  print(json.dumps({'columns': list(stats.columns), 'rows': len(stats), \
                  'dtypes': [str(t) for t in stats.dtypes], 'summary_rows': summary['rows']}))";
    let read = json_from(
        Command::new(python())
            .args(["-c", script])
            .arg(results.join("sensor-stats.parquet"))
            .arg(results.join("summary.json")),
    );
    assert_eq!(
        read,
        json!({
            "columns": ["sensor", "count", "mean"],
            "rows": 16,
            "dtypes": ["uint32", "uint32", "float64"],
            "summary_rows": 1000,
        })
    );
}
