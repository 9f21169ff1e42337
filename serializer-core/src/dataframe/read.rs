//! Reads frames without letting malformed bytes panic or abort the process.
//!
//! Every file type goes through polars' reader, under [`guard`](crate::panic::guard): a panic
//! becomes [`ErrorKind::Panicked`]. polars' parquet, IPC and avro readers also allocate sizes
//! read from the file, and an allocation that fails aborts the process; a guard module per
//! format checks those sizes against the bytes first (`parquet_guard`, `ipc_guard`,
//! `avro_guard`). A compressed IPC file is decompressed here first, on every core
//! (`ipc_inflate`), and polars reads the uncompressed stream.

use std::io::Cursor;
use std::num::NonZeroUsize;
use std::sync::Arc;

use polars::io::avro::AvroReader;
use polars::prelude::{
    ArrowSchema, CsvParseOptions, CsvReadOptions, DataFrame, DataType, IpcReader, IpcStreamReader,
    JsonFormat, JsonReader, NullValues, ParquetReader, PlSmallStr, Schema, SerReader,
};

use super::options::{CsvOptions, IpcOptions, JsonLayout, NdJsonOptions, ParquetOptions};
use super::{pandas_json, FormatOptions};
use crate::panic::guard;
use crate::ErrorKind;

pub(super) fn read(options: &FormatOptions, bytes: &[u8]) -> Result<DataFrame, ErrorKind> {
    match options {
        FormatOptions::Csv(csv) => guard("polars", || read_csv(csv, bytes)),
        FormatOptions::Parquet(parquet) => guard("polars", || read_parquet(parquet, bytes)),
        FormatOptions::Json(json) if json.layout == JsonLayout::PandasColumns => {
            guard("polars", || pandas_json::read(bytes))
        }
        FormatOptions::Json(json) => guard("polars", || {
            read_json(
                json.infer_schema_length,
                json.schema.as_deref(),
                bytes,
                JsonFormat::Json,
            )
        }),
        FormatOptions::NdJson(NdJsonOptions {
            infer_schema_length,
            schema,
        }) => guard("polars", || {
            read_json(
                *infer_schema_length,
                schema.as_deref(),
                bytes,
                JsonFormat::JsonLines,
            )
        }),
        FormatOptions::Ipc(ipc) => guard("polars", || read_ipc(ipc, bytes)),
        FormatOptions::Avro(_) => guard("polars", || {
            super::avro_guard::check(bytes)?;
            AvroReader::new(Cursor::new(bytes))
                .finish()
                .map_err(ErrorKind::Polars)
        }),
    }
}

fn names(columns: &[String]) -> Arc<[PlSmallStr]> {
    columns
        .iter()
        .map(|name| PlSmallStr::from(name.as_str()))
        .collect()
}

fn read_csv(csv: &CsvOptions, bytes: &[u8]) -> Result<DataFrame, ErrorKind> {
    let null_values = (!csv.null_values.is_empty()).then(|| {
        NullValues::AllColumns(csv.null_values.iter().map(|v| v.as_str().into()).collect())
    });
    let parse = CsvParseOptions::default()
        .with_separator(csv.separator)
        .with_quote_char(Some(csv.quote))
        .with_null_values(null_values)
        .with_try_parse_dates(csv.parse_dates);
    let overrides = (!csv.schema_overrides.is_empty()).then(|| {
        Arc::new(Schema::from_iter(csv.schema_overrides.iter().map(
            |(name, dtype)| (PlSmallStr::from(name.as_str()), dtype.clone()),
        )))
    });
    CsvReadOptions::default()
        .with_has_header(csv.header)
        .with_parse_options(parse)
        .with_columns(csv.columns.as_deref().map(names))
        .with_schema_overwrite(overrides)
        .into_reader_with_file_handle(Cursor::new(bytes))
        .finish()
        .map_err(ErrorKind::Polars)
}

fn read_json(
    infer_schema_length: Option<NonZeroUsize>,
    schema: Option<&[(String, DataType)]>,
    bytes: &[u8],
    format: JsonFormat,
) -> Result<DataFrame, ErrorKind> {
    let mut reader = JsonReader::new(Cursor::new(bytes))
        .with_json_format(format)
        .infer_schema_len(infer_schema_length);
    if let Some(schema) = schema {
        reader = reader.with_schema(Arc::new(Schema::from_iter(
            schema
                .iter()
                .map(|(name, dtype)| (PlSmallStr::from(name.as_str()), dtype.clone())),
        )));
    }
    reader.finish().map_err(ErrorKind::Polars)
}

fn read_parquet(parquet: &ParquetOptions, bytes: &[u8]) -> Result<DataFrame, ErrorKind> {
    let mut reader = ParquetReader::new(Cursor::new(bytes));
    let metadata = reader.get_metadata().map_err(ErrorKind::Polars)?;
    super::parquet_guard::check(metadata, bytes, parquet.max_decoded_bytes)?;
    if let Some(columns) = &parquet.columns {
        check_columns(&*reader.schema().map_err(ErrorKind::Polars)?, columns)?;
    }
    reader
        .with_columns(parquet.columns.clone())
        .with_slice(parquet.row_limit.map(|rows| (0, rows)))
        .finish()
        .map_err(ErrorKind::Polars)
}

fn read_ipc(ipc: &IpcOptions, bytes: &[u8]) -> Result<DataFrame, ErrorKind> {
    super::ipc_guard::check(bytes)?;
    if let Some(stream) = super::ipc_inflate::to_stream(bytes)? {
        let mut reader = IpcStreamReader::new(stream);
        if let Some(columns) = &ipc.columns {
            check_columns(&reader.arrow_schema().map_err(ErrorKind::Polars)?, columns)?;
        }
        return reader
            .with_columns(ipc.columns.clone())
            .finish()
            .map_err(ErrorKind::Polars);
    }
    let mut reader = IpcReader::new(Cursor::new(bytes));
    if let Some(columns) = &ipc.columns {
        check_columns(&*reader.schema().map_err(ErrorKind::Polars)?, columns)?;
    }
    reader
        .with_columns(ipc.columns.clone())
        .finish()
        .map_err(ErrorKind::Polars)
}

/// A column the file lacks is an error, not a column left out.
fn check_columns(schema: &ArrowSchema, columns: &[String]) -> Result<(), ErrorKind> {
    match columns.iter().find(|name| !schema.contains(name.as_str())) {
        Some(name) => Err(ErrorKind::InvalidOption {
            reason: format!("the file has no column `{name}`").into(),
        }),
        None => Ok(()),
    }
}
