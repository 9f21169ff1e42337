//! Every `PandasSerializer` vector of Prefect 1.4.1 that a polars frame can hold.

use chrono::{DateTime, NaiveDateTime};
use result_serializers::dataframe::{
    CsvOptions, DataFrameSerializer, FileType, JsonLayout, JsonOptions,
};
use result_serializers::polars::prelude::*;
use result_serializers::ErrorKind;
use serde_json::Value;

use crate::prefect_vectors::{hex, Outcome};
use crate::{vectors_dir, vectors_of, DeserializeAs};

/// A cell as the manifest records it, in terms both sides can be compared in.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Number(f64),
    Text(String),
    Bool(bool),
    /// Nanoseconds since the epoch; wall time for a naive value.
    Instant(i64),
}

fn expected_cell(value: &Value) -> Option<Cell> {
    let (kind, payload) = value.as_object()?.iter().next()?;
    match kind.as_str() {
        "int" => Some(Cell::Number(payload.as_str()?.parse().ok()?)),
        // pandas writes the missing value of float and text columns as NaN.
        "float" => payload
            .as_str()?
            .parse::<f64>()
            .ok()
            .filter(|v| !v.is_nan())
            .map(Cell::Number),
        "str" => Some(Cell::Text(payload.as_str()?.into())),
        "bool" => Some(Cell::Bool(payload.as_bool()?)),
        "timestamp" => {
            let text = payload.as_str()?;
            let nanos = match DateTime::parse_from_rfc3339(text) {
                Ok(at) => at.timestamp_nanos_opt(),
                Err(_) => NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
                    .ok()?
                    .and_utc()
                    .timestamp_nanos_opt(),
            };
            Some(Cell::Instant(nanos?))
        }
        "na" => None,
        other => panic!("unknown cell kind {other}"),
    }
}

fn our_cells(frame: &DataFrame, name: &str) -> Vec<Option<Cell>> {
    let series = frame
        .column(name)
        .unwrap_or_else(|_| panic!("no column `{name}` in {frame}"))
        .as_materialized_series()
        .clone();
    match series.dtype() {
        DataType::Datetime(unit, _) => {
            let scale = match unit {
                TimeUnit::Nanoseconds => 1,
                TimeUnit::Microseconds => 1_000,
                TimeUnit::Milliseconds => 1_000_000,
            };
            let ints = series.cast(&DataType::Int64).unwrap();
            ints.i64()
                .unwrap()
                .iter()
                .map(|v| v.map(|v| Cell::Instant(v * scale)))
                .collect()
        }
        DataType::String => series
            .str()
            .unwrap()
            .iter()
            .map(|v| v.map(|v| Cell::Text(v.into())))
            .collect(),
        DataType::Boolean => series
            .bool()
            .unwrap()
            .iter()
            .map(|v| v.map(Cell::Bool))
            .collect(),
        dtype if dtype.is_primitive_numeric() => {
            let floats = series.cast(&DataType::Float64).unwrap();
            floats
                .f64()
                .unwrap()
                .iter()
                .map(|v| v.filter(|v| !v.is_nan()).map(Cell::Number))
                .collect()
        }
        DataType::Null => vec![None; series.len()],
        other => panic!("unexpected dtype {other} in column `{name}`"),
    }
}

/// Compares the manifest's columns with ours; `rename` maps a pandas name to ours.
fn assert_frame(
    id: &str,
    expected: &Value,
    ours: &DataFrame,
    rename: &dyn Fn(&str) -> String,
    skip: &[&str],
) {
    let columns = expected["columns"].as_array().unwrap();
    for column in columns {
        let name = column["name"].as_str().unwrap();
        if skip.contains(&name) {
            continue;
        }
        let want: Vec<Option<Cell>> = column["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(expected_cell)
            .collect();
        assert_eq!(
            our_cells(ours, &rename(name)),
            want,
            "{id}: column `{name}`"
        );
    }
}

fn read(serializer: &DataFrameSerializer, file: &str) -> DataFrame {
    let bytes = std::fs::read(vectors_dir().join(file)).unwrap();
    serializer
        .deserialize_as::<DataFrame>(&bytes)
        .unwrap_or_else(|err| panic!("{file}: {err}"))
}

fn same(name: &str) -> String {
    name.to_string()
}

/// pandas names the index column it reads back `Unnamed: 0`; its header is empty.
fn csv_index(name: &str) -> String {
    if name == "Unnamed: 0" {
        String::new()
    } else {
        name.to_string()
    }
}

fn string_index_labels(ours: &DataFrame, column: &str) {
    let labels: Vec<Option<String>> = ours
        .column(column)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|v| v.map(str::to_string))
        .collect();
    assert_eq!(
        labels,
        [Some("x".into()), Some("y".into()), Some("z".into())]
    );
}

/// Checks one `PandasSerializer` vector.
pub(crate) fn check(vector: &Value) -> Outcome {
    let csv = DataFrameSerializer::new(FileType::Csv);
    let parquet = DataFrameSerializer::new(FileType::Parquet);
    let ipc = DataFrameSerializer::new(FileType::Ipc);
    let pandas_json =
        DataFrameSerializer::json(JsonOptions::new().with_layout(JsonLayout::PandasColumns));
    let id = vector["id"].as_str().unwrap();
    let file = vector["file"].as_str().unwrap_or_default();
    let result = &vector["result"];
    match id {
        "pandas.csv" | "pandas.csv_index-False" => {
            assert_frame(id, result, &read(&csv, file), &csv_index, &[]);
        }
        "pandas.csv_sep-x3a_index-False" => {
            // pandas' default reader fails on it; with the separator it was written with,
            // it reads as the frame that was written.
            let colon = DataFrameSerializer::csv(CsvOptions::new().with_separator(b':'));
            let ours = read(&colon, file);
            let expected = &vectors_of("PandasSerializer")[1]["result"];
            assert_frame(id, expected, &ours, &same, &["Unnamed: 0"]);
        }
        "pandas.csv_deser-na_values" => {
            // `na_values=[3000000000, 1.5]`. pandas also takes `1` as missing (it adds
            // `int(1.5)` to the texts); ours match the texts exactly.
            let ours = read(
                &DataFrameSerializer::csv(CsvOptions::new().with_na_values(["3000000000", "1.5"])),
                file,
            );
            assert_eq!(
                our_cells(&ours, "i"),
                [Some(Cell::Number(1.0)), Some(Cell::Number(-2.0)), None]
            );
            assert_eq!(our_cells(&ours, "f"), [None, Some(Cell::Number(0.1)), None]);
            assert_frame(id, result, &ours, &csv_index, &["Unnamed: 0", "i", "f"]);
        }
        "pandas.csv_deser-index_col-parse_dates" => {
            // pandas parsed the two listed columns; polars parses every date-like one.
            let ours = read(
                &DataFrameSerializer::csv(CsvOptions::new().with_parse_dates(true)),
                file,
            );
            assert_frame(id, result, &ours, &same, &["dt_ny"]);
        }
        "pandas.json" | "pandas.string_index.json" => {
            let ours = read(&pandas_json, file);
            assert_frame(id, result, &ours, &same, &[]);
            if id == "pandas.string_index.json" {
                string_index_labels(&ours, "index");
            }
        }
        "pandas.json_orient-records_date_format-iso" => {
            assert_frame(
                id,
                result,
                &read(&DataFrameSerializer::new(FileType::Json), file),
                &same,
                &[],
            );
        }
        "pandas.parquet" | "pandas.string_index.parquet" => {
            let ours = read(&parquet, file);
            assert_frame(id, result, &ours, &same, &[]);
            if id == "pandas.string_index.parquet" {
                // The named index is stored as a column, and read as one.
                string_index_labels(&ours, "key");
            }
        }
        "pandas.feather" | "pandas.string_index.feather" => {
            let ours = read(&ipc, file);
            assert_frame(id, result, &ours, &same, &[]);
            if id == "pandas.string_index.feather" {
                string_index_labels(&ours, "key");
            }
        }
        "pandas.string_index.csv" => {
            assert_frame(id, result, &read(&csv, file), &same, &[]);
        }
        _ if vector["op"] == "deserialize" => {
            let file_type: FileType = vector["ctor"]["file_type"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap();
            let bytes = hex(vector["input"]["bytes_hex"].as_str().unwrap());
            let ours = DataFrameSerializer::new(file_type).deserialize_as::<DataFrame>(&bytes);
            if vector.get("error").is_some() {
                let err = ours.expect_err(id);
                assert!(
                    !matches!(err.kind(), ErrorKind::Panicked { .. }),
                    "{id}: {err}"
                );
            } else {
                // `a,b\n1,2\n3\n`: the short row's missing field is null.
                assert_frame(
                    id,
                    result,
                    &ours.unwrap_or_else(|err| panic!("{id}: {err}")),
                    &same,
                    &[],
                );
            }
        }
        _ if vector["op"] == "construct" => {
            // Prefect refused the file type when built; so does parsing it here.
            let name = vector["ctor"]["file_type"].as_str().unwrap();
            assert!(name.parse::<FileType>().is_err(), "{id}");
        }
        "pandas.orc" | "pandas.html" => {
            return Outcome::NotCovered("polars reads neither orc nor html");
        }
        "pandas.input.small_df" | "pandas.eq" => {
            return Outcome::NotCovered("describes the input frame or Python equality: no bytes");
        }
        _ => {
            return Outcome::NotCovered(
                "pandas itself failed to write it, or wrote no file (stata, pickle, xml, excel, hdf)",
            );
        }
    }
    Outcome::Checked
}
