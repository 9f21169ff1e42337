//! JSON: one document of records (or pandas' columns layout, `pandas`) and newline-delimited
//! JSON, through polars' reader and writer.

mod pandas;

use std::io::{Cursor, Write};
use std::num::NonZeroUsize;
use std::sync::Arc;

use polars::prelude::{
    DataFrame, DataType, JsonFormat, JsonReader, JsonWriter, PlSmallStr, Schema, SerReader,
    SerWriter, Series,
};

use super::options::{JsonLayout, JsonOptions, NdJsonOptions};
use crate::error::ErrorKind;

pub(super) fn read(json: &JsonOptions, bytes: &[u8]) -> Result<DataFrame, ErrorKind> {
    match json.layout {
        JsonLayout::PandasColumns => pandas::read(bytes),
        JsonLayout::Records => read_json(
            json.infer_schema_length,
            json.schema.as_deref(),
            json.overwrite.as_deref(),
            bytes,
            JsonFormat::Json,
        ),
    }
}

/// Newline-delimited JSON. A file of no lines (what a frame of no rows writes) is a table of
/// no rows, as pandas reads it, where polars' reader refuses empty input.
pub(super) fn read_lines(ndjson: &NdJsonOptions, bytes: &[u8]) -> Result<DataFrame, ErrorKind> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(match ndjson.schema.as_deref() {
            Some(schema) => DataFrame::empty_with_schema(&schema_of(schema)),
            None => DataFrame::empty(),
        });
    }
    read_json(
        ndjson.infer_schema_length,
        ndjson.schema.as_deref(),
        ndjson.overwrite.as_deref(),
        bytes,
        JsonFormat::JsonLines,
    )
}

/// Writes one document (`JsonFormat::Json`) or one line per row (`JsonFormat::JsonLines`).
pub(super) fn write<W: Write>(
    frame: &mut DataFrame,
    writer: W,
    format: JsonFormat,
) -> Result<(), ErrorKind> {
    refuse_non_finite(frame)?;
    JsonWriter::new(writer)
        .with_json_format(format)
        .finish(frame)
        .map_err(ErrorKind::Polars)
}

fn read_json(
    infer_schema_length: Option<NonZeroUsize>,
    schema: Option<&[(String, DataType)]>,
    overwrite: Option<&[(String, DataType)]>,
    bytes: &[u8],
    format: JsonFormat,
) -> Result<DataFrame, ErrorKind> {
    let overwrite = overwrite.map(schema_of);
    // An empty document infers nothing, and polars' reader reads it as no table only when
    // it is given no dtypes at all.
    if schema.is_none() && matches!(format, JsonFormat::Json) && is_empty_array(bytes) {
        return Ok(DataFrame::empty());
    }
    let mut reader = JsonReader::new(Cursor::new(bytes))
        .with_json_format(format)
        .infer_schema_len(infer_schema_length);
    if let Some(schema) = schema {
        reader = reader.with_schema(Arc::new(schema_of(schema)));
    }
    if let Some(overwrite) = &overwrite {
        reader = reader.with_schema_overwrite(overwrite);
    }
    reader.finish().map_err(ErrorKind::Polars)
}

/// Whether `bytes` is the JSON document `[]`.
fn is_empty_array(bytes: &[u8]) -> bool {
    let text: Vec<u8> = bytes
        .iter()
        .copied()
        .filter(|byte| !byte.is_ascii_whitespace())
        .collect();
    text == b"[]"
}

fn schema_of(columns: &[(String, DataType)]) -> Schema {
    Schema::from_iter(
        columns
            .iter()
            .map(|(name, dtype)| (PlSmallStr::from(name.as_str()), dtype.clone())),
    )
}

/// JSON has no NaN or infinity; polars would write `null`, another value: refused at every
/// depth, inside lists and struct fields too.
fn refuse_non_finite(frame: &DataFrame) -> Result<(), ErrorKind> {
    for column in frame.columns() {
        refuse_non_finite_in(column.as_materialized_series())?;
    }
    Ok(())
}

fn refuse_non_finite_in(series: &Series) -> Result<(), ErrorKind> {
    match series.dtype() {
        dtype if dtype.is_float() => {
            let floats = series.cast(&DataType::Float64).map_err(ErrorKind::Polars)?;
            let found = floats
                .f64()
                .map_err(ErrorKind::Polars)?
                .iter()
                .flatten()
                .find(|value| !value.is_finite());
            match found {
                Some(value) => Err(ErrorKind::NonFiniteFloat { value }),
                None => Ok(()),
            }
        }
        DataType::List(inner) if inner.contains_floats_nested() => {
            let values = series.list().map_err(ErrorKind::Polars)?.get_inner();
            refuse_non_finite_in(&values)
        }
        DataType::Struct(fields)
            if fields
                .iter()
                .any(|field| field.dtype().contains_floats_nested()) =>
        {
            let columns = series
                .struct_()
                .map_err(ErrorKind::Polars)?
                .fields_as_series();
            columns.iter().try_for_each(refuse_non_finite_in)
        }
        _ => Ok(()),
    }
}

/// Whether a type holds floats, at any depth.
trait HoldsFloats {
    fn contains_floats_nested(&self) -> bool;
}

impl HoldsFloats for DataType {
    fn contains_floats_nested(&self) -> bool {
        match self {
            DataType::List(inner) => inner.contains_floats_nested(),
            DataType::Struct(fields) => fields
                .iter()
                .any(|field| field.dtype().contains_floats_nested()),
            dtype => dtype.is_float(),
        }
    }
}
