//! Reads frames without letting malformed bytes panic or abort the process.
//!
//! CSV, JSON and avro go through polars' readers. Parquet and Arrow IPC go through the Apache
//! Arrow Rust readers instead: polars' own readers of those formats panic on corrupt input
//! and can abort the process on a size read from it. The decoded record batches reach polars
//! as uncompressed Arrow IPC written here, which polars reads without surprises. Every reader
//! runs under [`guard`](crate::panic::guard).

use std::io::Cursor;
use std::num::NonZeroUsize;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::{ArrowError, SchemaRef};
use polars::io::avro::AvroReader;
use polars::prelude::{
    CsvParseOptions, CsvReadOptions, DataFrame, DataType, IpcStreamReader, JsonFormat, JsonReader,
    NullValues, PlSmallStr, Schema, SerReader,
};

use super::options::{CsvOptions, IpcOptions, JsonLayout, NdJsonOptions, ParquetOptions};
use super::{pandas_json, FormatOptions};
use crate::panic::guard;
use crate::ErrorKind;

pub(super) fn read(options: &FormatOptions, bytes: &[u8]) -> Result<DataFrame, ErrorKind> {
    match options {
        FormatOptions::Csv(csv) => guard("polars", || read_csv(csv, bytes)),
        FormatOptions::Parquet(parquet) => guard("parquet", || read_parquet(parquet, bytes)),
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
        FormatOptions::Ipc(ipc) => guard("arrow-ipc", || read_ipc(ipc, bytes)),
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

/// Rows decoded at a time from a parquet file.
const PARQUET_BATCH_ROWS: usize = 64 * 1024;

fn read_parquet(parquet: &ParquetOptions, bytes: &[u8]) -> Result<DataFrame, ErrorKind> {
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use parquet::arrow::ProjectionMask;

    // arrow-rs decodes 1,024 rows a batch by default; each batch costs an IPC message and a
    // polars chunk, which made a million-row read 50 times slower than polars' own reader.
    let mut builder =
        ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::copy_from_slice(bytes))
            .map_err(ErrorKind::Parquet)?
            .with_batch_size(PARQUET_BATCH_ROWS);
    if let Some(columns) = &parquet.columns {
        let indices = column_indices(builder.schema(), columns)?;
        let mask = ProjectionMask::roots(builder.parquet_schema(), indices);
        builder = builder.with_projection(mask);
    }
    if let Some(rows) = parquet.row_limit {
        builder = builder.with_limit(rows);
    }
    let reader = builder.build().map_err(ErrorKind::Parquet)?;
    let schema = arrow_array::RecordBatchReader::schema(&reader);
    to_polars(&schema, reader)
}

fn read_ipc(ipc: &IpcOptions, bytes: &[u8]) -> Result<DataFrame, ErrorKind> {
    use arrow_ipc::reader::FileReader;

    super::ipc_guard::check(bytes)?;
    let mut reader = FileReader::try_new(Cursor::new(bytes), None).map_err(ErrorKind::Arrow)?;
    if let Some(columns) = &ipc.columns {
        let indices = column_indices(&reader.schema(), columns)?;
        reader =
            FileReader::try_new(Cursor::new(bytes), Some(indices)).map_err(ErrorKind::Arrow)?;
    }
    let schema = reader.schema();
    to_polars(&schema, reader)
}

/// The positions of `columns` in `schema`; a name it lacks is an error, not a skipped column.
fn column_indices(schema: &SchemaRef, columns: &[String]) -> Result<Vec<usize>, ErrorKind> {
    columns
        .iter()
        .map(|name| {
            schema.index_of(name).map_err(|_| ErrorKind::InvalidOption {
                reason: format!("the file has no column `{name}`").into(),
            })
        })
        .collect()
}

/// Hands decoded batches to polars as an Arrow IPC stream.
fn to_polars(
    schema: &SchemaRef,
    batches: impl Iterator<Item = Result<RecordBatch, ArrowError>>,
) -> Result<DataFrame, ErrorKind> {
    let mut stream = Vec::new();
    {
        let mut writer = arrow_ipc::writer::StreamWriter::try_new(&mut stream, schema)
            .map_err(ErrorKind::Arrow)?;
        for batch in batches {
            writer
                .write(&batch.map_err(ErrorKind::Arrow)?)
                .map_err(ErrorKind::Arrow)?;
        }
        writer.finish().map_err(ErrorKind::Arrow)?;
    }
    IpcStreamReader::new(Cursor::new(stream))
        .finish()
        .map_err(ErrorKind::Polars)
}
