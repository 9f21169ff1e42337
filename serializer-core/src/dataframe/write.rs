//! Writes frames with polars' own writers, straight into the caller's writer.

use std::io::Write;
use std::num::NonZeroUsize;

use chrono::{Offset, TimeZone as _};
use polars::error::PolarsError;
use polars::io::avro::AvroWriter;
use polars::polars_utils::compression::{BrotliLevel, GzipLevel, ZstdLevel};
use polars::prelude::{
    CsvWriter, DataFrame, DataType, IpcWriter, JsonFormat, JsonWriter, ParquetWriter, SerWriter,
    StatisticsOptions, TimeUnit,
};

use super::options::{AvroCompression, IpcCompression, ParquetCompression};
use super::FormatOptions;
use crate::panic::guard;
use crate::ErrorKind;

pub(super) fn write<W: Write>(
    options: &FormatOptions,
    frame: &DataFrame,
    writer: W,
) -> Result<(), ErrorKind> {
    // polars' writers take `&mut` to rechunk; the clone shares the columns' buffers.
    let mut frame = frame.clone();
    guard("polars", move || {
        match options {
            FormatOptions::Csv(csv) => {
                if csv.datetime_format.is_none() {
                    refuse_offsets_with_seconds(&frame)?;
                }
                CsvWriter::new(writer)
                    .with_separator(csv.separator)
                    .with_quote_char(csv.quote)
                    .include_header(csv.header)
                    .with_null_value(csv.null_value.as_str().into())
                    .with_date_format(csv.date_format.as_deref().map(Into::into))
                    .with_datetime_format(csv.datetime_format.as_deref().map(Into::into))
                    .with_float_precision(csv.float_precision)
                    .finish(&mut frame)
            }
            FormatOptions::Parquet(parquet) => ParquetWriter::new(writer)
                .with_compression(
                    parquet_compression(parquet.compression).map_err(ErrorKind::Polars)?,
                )
                .with_statistics(if parquet.statistics {
                    StatisticsOptions::default()
                } else {
                    StatisticsOptions::empty()
                })
                .with_row_group_size(parquet.row_group_size.map(NonZeroUsize::get))
                .finish(&mut frame)
                .map(drop),
            FormatOptions::Json(_) => {
                refuse_non_finite(&frame)?;
                JsonWriter::new(writer)
                    .with_json_format(JsonFormat::Json)
                    .finish(&mut frame)
            }
            FormatOptions::NdJson(_) => {
                refuse_non_finite(&frame)?;
                JsonWriter::new(writer)
                    .with_json_format(JsonFormat::JsonLines)
                    .finish(&mut frame)
            }
            FormatOptions::Ipc(ipc) => IpcWriter::new(writer)
                .with_compression(ipc_compression(ipc.compression).map_err(ErrorKind::Polars)?)
                .finish(&mut frame),
            FormatOptions::Avro(avro) => AvroWriter::new(writer)
                .with_compression(match avro.compression {
                    AvroCompression::Uncompressed => None,
                    AvroCompression::Deflate => Some(polars::io::avro::AvroCompression::Deflate),
                    AvroCompression::Snappy => Some(polars::io::avro::AvroCompression::Snappy),
                })
                .finish(&mut frame),
        }
        .map_err(ErrorKind::Polars)
    })
}

/// JSON has no NaN or infinity; polars would write `null`, another value.
fn refuse_non_finite(frame: &DataFrame) -> Result<(), ErrorKind> {
    for column in frame.columns() {
        let series = column.as_materialized_series();
        if !series.dtype().is_float() {
            continue;
        }
        let floats = series.cast(&DataType::Float64).map_err(ErrorKind::Polars)?;
        let found = floats
            .f64()
            .map_err(ErrorKind::Polars)?
            .iter()
            .flatten()
            .find(|value| !value.is_finite());
        if let Some(value) = found {
            return Err(ErrorKind::NonFiniteFloat { value });
        }
    }
    Ok(())
}

/// CSV writes a zoned date-time with its offset as `%z`, in hours and minutes: an offset with
/// seconds, as local mean time had before time zones were standardized (New York's -04:56:02
/// until 1883), would read back as another instant.
fn refuse_offsets_with_seconds(frame: &DataFrame) -> Result<(), ErrorKind> {
    for column in frame.columns() {
        let DataType::Datetime(unit, Some(zone)) = column.dtype() else {
            continue;
        };
        let tz = zone.to_chrono().map_err(ErrorKind::Polars)?;
        let datetimes = column
            .as_materialized_series()
            .datetime()
            .map_err(ErrorKind::Polars)?;
        for value in datetimes.physical().iter().flatten() {
            let instant = match unit {
                TimeUnit::Nanoseconds => Some(chrono::DateTime::from_timestamp_nanos(value)),
                TimeUnit::Microseconds => chrono::DateTime::from_timestamp_micros(value),
                TimeUnit::Milliseconds => chrono::DateTime::from_timestamp_millis(value),
            };
            let Some(instant) = instant else { continue };
            let offset = tz.offset_from_utc_datetime(&instant.naive_utc()).fix();
            if offset.local_minus_utc() % 60 != 0 {
                return Err(ErrorKind::Unrepresentable {
                    reason: format!(
                        "column `{}` holds {instant} in {zone}, at offset {offset}, which has \
                         seconds that CSV's `%z` cannot hold; convert the column to UTC or \
                         set a datetime format",
                        column.name()
                    )
                    .into(),
                });
            }
        }
    }
    Ok(())
}

fn parquet_compression(
    compression: ParquetCompression,
) -> Result<polars::prelude::ParquetCompression, PolarsError> {
    use polars::prelude::ParquetCompression as Polars;
    Ok(match compression {
        ParquetCompression::Uncompressed => Polars::Uncompressed,
        ParquetCompression::Snappy => Polars::Snappy,
        ParquetCompression::Lz4Raw => Polars::Lz4Raw,
        ParquetCompression::Gzip(level) => {
            Polars::Gzip(level.map(|l| GzipLevel::try_new(l.get())).transpose()?)
        }
        ParquetCompression::Brotli(level) => {
            Polars::Brotli(level.map(|l| BrotliLevel::try_new(l.get())).transpose()?)
        }
        ParquetCompression::Zstd(level) => {
            Polars::Zstd(level.map(|l| ZstdLevel::try_new(l.get())).transpose()?)
        }
    })
}

fn ipc_compression(
    compression: IpcCompression,
) -> Result<Option<polars::prelude::IpcCompression>, PolarsError> {
    use polars::prelude::IpcCompression as Polars;
    Ok(match compression {
        IpcCompression::Uncompressed => None,
        IpcCompression::Lz4 => Some(Polars::LZ4),
        IpcCompression::Zstd(level) => Some(Polars::ZSTD(
            level
                .map(|l| ZstdLevel::try_new(l.get()))
                .transpose()?
                .unwrap_or_default(),
        )),
    })
}
