//! CSV: polars' reader and writer with pandas' options.

use std::io::{Cursor, Write};
use std::sync::Arc;

use chrono::{Offset, TimeZone as _};
use polars::prelude::{
    CsvParseOptions, CsvReadOptions, CsvWriter, DataFrame, DataType, NullValues, PlSmallStr,
    Schema, SerReader, SerWriter, TimeUnit,
};

use super::columns::names;
use super::options::CsvOptions;
use crate::error::ErrorKind;

pub(super) fn read(csv: &CsvOptions, bytes: &[u8]) -> Result<DataFrame, ErrorKind> {
    let na_values = (!csv.na_values.is_empty())
        .then(|| NullValues::AllColumns(csv.na_values.iter().map(|v| v.as_str().into()).collect()));
    let parse = CsvParseOptions::default()
        .with_separator(csv.separator)
        .with_quote_char(Some(csv.quote))
        .with_null_values(na_values)
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

pub(super) fn write<W: Write>(
    csv: &CsvOptions,
    frame: &mut DataFrame,
    writer: W,
) -> Result<(), ErrorKind> {
    check(csv, frame)?;
    writer_of(csv, writer)
        .finish(frame)
        .map_err(ErrorKind::Polars)
}

/// What CSV cannot write back as it was, refused before writing.
pub(super) fn check(csv: &CsvOptions, frame: &DataFrame) -> Result<(), ErrorKind> {
    if csv.datetime_format.is_none() {
        refuse_offsets_with_seconds(frame)?;
    }
    Ok(())
}

/// polars' writer with the options.
pub(super) fn writer_of<W: Write>(csv: &CsvOptions, writer: W) -> CsvWriter<W> {
    CsvWriter::new(writer)
        .with_separator(csv.separator)
        .with_quote_char(csv.quote)
        .include_header(csv.header)
        .with_null_value(csv.na_rep.as_str().into())
        .with_date_format(csv.date_format.as_deref().map(Into::into))
        .with_datetime_format(csv.datetime_format.as_deref().map(Into::into))
        .with_float_precision(csv.float_precision)
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
                return Err(ErrorKind::unrepresentable(format!(
                    "column `{}` holds {instant} in {zone}, at offset {offset}, which has \
                         seconds that CSV's `%z` cannot hold; convert the column to UTC or \
                         set a datetime format",
                    column.name()
                )));
            }
        }
    }
    Ok(())
}
