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

/// A frame of several MiB is written in record batches encoded on every core; pyarrow and
/// pandas read every batch of it, lz4 and zstd alike, to the values written.
#[test]
fn pyarrow_reads_feather_written_in_parallel_batches() {
    use sha2::{Digest, Sha256};

    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pandas-interop-batches");
    std::fs::create_dir_all(&dir).unwrap();
    let rows = 200_000i64;
    let text: Vec<Option<String>> = (0..rows)
        .map(|i| (i % 7 != 0).then(|| format!("row number {i} of a large frame")))
        .collect();
    let frame = df!(
        "n" => (0..rows).collect::<Vec<_>>(),
        "x" => (0..rows).map(|i| (i % 5 != 0).then_some(i as f64 * 0.5)).collect::<Vec<_>>(),
        "s" => text.clone(),
    )
    .unwrap();
    let mut paths = Vec::new();
    for (name, compression) in [
        ("batches_lz4.feather", IpcCompression::Lz4),
        ("batches_zstd.feather", IpcCompression::Zstd(None)),
    ] {
        let path = dir.join(name);
        let serializer = DataFrameSerializer::ipc(IpcOptions::new().with_compression(compression));
        std::fs::write(&path, serializer.serialize(&frame).unwrap()).unwrap();
        paths.push(path);
    }
    let read = json_from(
        Command::new(python())
            .arg(
                Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/read_feather_batches.py"),
            )
            .args(&paths),
    );

    let joined = text
        .iter()
        .map(|s| s.as_deref().unwrap_or("<null>"))
        .collect::<Vec<_>>()
        .join("\n");
    let expected_x: f64 = (0..rows)
        .filter(|i| i % 5 != 0)
        .map(|i| i as f64 * 0.5)
        .sum();
    for name in ["batches_lz4.feather", "batches_zstd.feather"] {
        let file = &read[name];
        assert!(file["batches"].as_u64().unwrap() > 1, "{name}: {file}");
        assert_eq!(file["rows"], json!(rows), "{name}");
        assert_eq!(file["pandas_rows"], json!(rows), "{name}");
        assert_eq!(file["n_sum"], json!(rows * (rows - 1) / 2), "{name}");
        assert_eq!(file["x_nulls"], json!(rows / 5), "{name}");
        assert_eq!(file["x_sum"].as_f64().unwrap(), expected_x, "{name}");
        assert_eq!(
            file["s_sha256"].as_str().unwrap(),
            format!("{:x}", Sha256::digest(joined.as_bytes())),
            "{name}"
        );
        assert_eq!(
            file["pandas_s_nulls"],
            json!(text.iter().filter(|s| s.is_none()).count())
        );
    }
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
                  readings = pandas.read_parquet(sys.argv[2])\n\
                  summary = json.load(open(sys.argv[3]))\n\
                  print(json.dumps({'columns': list(stats.columns), 'rows': len(stats), \
                  'dtypes': [str(t) for t in stats.dtypes], 'summary_rows': summary['rows'], \
                  'readings': {c: str(t) for c, t in readings.dtypes.items()}, \
                  'readings_rows': len(readings)}))";
    let read = json_from(
        Command::new(python())
            .args(["-c", script])
            .arg(results.join("sensor-stats.parquet"))
            .arg(results.join("readings.parquet"))
            .arg(results.join("summary.json")),
    );
    assert_eq!(
        read,
        json!({
            "columns": ["sensor", "count", "mean"],
            "rows": 16,
            "dtypes": ["uint32", "uint32", "float64"],
            "summary_rows": 1000,
            "readings": {
                "sensor": "uint16", "value": "float32", "flagged": "bool",
                "at": "datetime64[ns, UTC]",
            },
            "readings_rows": 1000,
        })
    );
}

/// A typed row as W6 has it: unsigned integers, an optional float, a tag, a zoned date-time
/// and an optional string.
#[derive(Debug, Clone, PartialEq, result_serializers::Row)]
struct Typed {
    id: i64,
    sensor: u16,
    reading: Option<f64>,
    count: u32,
    flag: bool,
    tag: Tag,
    ts: chrono::DateTime<chrono::Utc>,
    note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, result_serializers::Row)]
#[serde(rename_all = "lowercase")]
enum Tag {
    Red,
    Green,
}

fn typed() -> Vec<Typed> {
    use chrono::TimeZone;
    (0..4)
        .map(|i| Typed {
            id: i,
            sensor: u16::try_from(65_000 + i).unwrap(),
            reading: (i != 1).then_some(0.5 * i as f64),
            count: 4_000_000_000 + u32::try_from(i).unwrap(),
            flag: i % 2 == 0,
            tag: if i == 2 { Tag::Green } else { Tag::Red },
            ts: chrono::Utc
                .timestamp_opt(1_700_000_000 + i, 123_456_000)
                .unwrap(),
            note: (i != 3).then(|| format!("note {i}")),
        })
        .collect()
}

/// Our rows read in pandas with the dtypes a person expects: `u16` as `uint16`, an
/// `Option<f64>` as float with NaN for `None`, a zoned date-time as `datetime64[ns, UTC]`.
#[test]
fn pandas_reads_our_rows_with_the_dtypes_a_person_expects() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pandas-interop-rows");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("typed.parquet");
    let rows = result_serializers::RowsSerializer::new(DataFrameSerializer::new(FileType::Parquet));
    std::fs::write(&path, rows.serialize(&typed()).unwrap()).unwrap();
    let script = "import json, sys, pandas\n\
                  df = pandas.read_parquet(sys.argv[1])\n\
                  print(json.dumps({'dtypes': {c: str(t) for c, t in df.dtypes.items()},\n\
                  'reading': [None if x != x else x for x in df['reading']],\n\
                  'note': [None if x is None or x != x else x for x in df['note']],\n\
                  'ts0': df['ts'][0].isoformat(), 'count0': int(df['count'][0]), 'tag': list(df['tag'])}))";
    let read = json_from(Command::new(python()).args(["-c", script]).arg(&path));
    assert_eq!(
        read,
        json!({
            "dtypes": {
                "id": "int64", "sensor": "uint16", "reading": "float64", "count": "uint32",
                "flag": "bool", "tag": read["dtypes"]["tag"], "ts": "datetime64[ns, UTC]",
                "note": read["dtypes"]["note"],
            },
            "reading": [0.0, null, 1.0, 1.5],
            "note": ["note 0", "note 1", "note 2", null],
            "ts0": "2023-11-14T22:13:20.123456+00:00",
            "count0": 4_000_000_000_u64,
            "tag": ["red", "red", "green", "red"],
        })
    );
    // pandas 2 reads strings as `object`, pandas 3 as `str`: either is text.
    for column in ["tag", "note"] {
        let dtype = read["dtypes"][column].as_str().unwrap();
        assert!(
            ["object", "str", "string"].contains(&dtype),
            "{column}: {dtype}"
        );
    }
}

/// A parquet file pandas wrote from records of the same shape (as Prefect's
/// `PandasSerializer("parquet")` writes `pd.DataFrame(records)`) reads into `Vec<Typed>`;
/// one whose column does not fit is an error naming it.
#[test]
fn rows_read_what_pandas_wrote() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pandas-interop-rows");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("from-pandas.parquet");
    let wide = dir.join("from-pandas-wide.parquet");
    let script = "import sys, datetime, pandas\n\
                  utc = datetime.timezone.utc\n\
                  records = [{'id': i, 'sensor': 65000 + i, 'reading': None if i == 1 else 0.5 * i,\n\
                  'count': 4000000000 + i, 'flag': i % 2 == 0, 'tag': 'green' if i == 2 else 'red',\n\
                  'ts': datetime.datetime.fromtimestamp(1700000000 + i, utc) + datetime.timedelta(microseconds=123456),\n\
                  'note': None if i == 3 else f'note {i}'} for i in range(4)]\n\
                  df = pandas.DataFrame(records).astype({'sensor': 'uint16', 'count': 'uint32'})\n\
                  df.to_parquet(sys.argv[1])\n\
                  pandas.DataFrame(records).to_parquet(sys.argv[2])\n\
                  print('null')";
    json_from(
        Command::new(python())
            .args(["-c", script])
            .arg(&path)
            .arg(&wide),
    );
    let rows = result_serializers::RowsSerializer::new(DataFrameSerializer::new(FileType::Parquet));
    let back: Vec<Typed> = rows.deserialize(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(back, typed());
    // Without `astype`, pandas stores the integers as int64: they still fit their fields.
    let back: Vec<Typed> = rows.deserialize(&std::fs::read(&wide).unwrap()).unwrap();
    assert_eq!(back, typed());
}
