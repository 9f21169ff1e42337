//! Avro: polars' reader, after `validate` has walked the whole file, and polars' writer.

mod validate;

use std::io::{Cursor, Write};

use polars::io::avro::{AvroReader, AvroWriter};
use polars::prelude::{DataFrame, SerReader, SerWriter};
use polars_arrow::array::{Array, ListArray, StructArray};

use super::options::{AvroCompression, AvroOptions};
use crate::error::ErrorKind;

pub(super) fn read(bytes: &[u8]) -> Result<DataFrame, ErrorKind> {
    validate::check(bytes)?;
    AvroReader::new(Cursor::new(bytes))
        .finish()
        .map_err(ErrorKind::Polars)
}

pub(super) fn write<W: Write>(
    avro: &AvroOptions,
    frame: &mut DataFrame,
    writer: W,
) -> Result<(), ErrorKind> {
    refuse_empty_lists(frame)?;
    // A frame of no rows is written uncompressed: polars writes its one empty block compressed,
    // and its reader then fails on it (snappy: a subtraction that overflows in avro-schema;
    // deflate: "OutOfSpec"). No row is there to compress, and the file reads as no rows.
    let compression = match avro.compression {
        _ if frame.height() == 0 => None,
        AvroCompression::Uncompressed => None,
        AvroCompression::Deflate => Some(polars::io::avro::AvroCompression::Deflate),
        AvroCompression::Snappy => Some(polars::io::avro::AvroCompression::Snappy),
    };
    AvroWriter::new(writer)
        .with_compression(compression)
        .finish(frame)
        .map_err(ErrorKind::Polars)
}

/// polars' avro writer (0.55) writes an empty list as its length, 0, and then takes the next
/// list's items into it: the file it writes is corrupt from there on (the reader's check
/// refuses it). A frame holding an empty list is refused before writing.
pub(super) fn refuse_empty_lists(frame: &DataFrame) -> Result<(), ErrorKind> {
    for column in frame.columns() {
        let series = column.as_materialized_series();
        if series
            .chunks()
            .iter()
            .any(|chunk| holds_empty_list(chunk.as_ref()))
        {
            return Err(ErrorKind::unrepresentable(format!(
                "column `{}` holds an empty list, which polars' avro writer does not write \
                 correctly (it runs the next row's items into it); parquet and ipc hold it",
                series.name()
            )));
        }
    }
    Ok(())
}

fn holds_empty_list(array: &dyn Array) -> bool {
    if let Some(list) = array.as_any().downcast_ref::<ListArray<i64>>() {
        let empty = list
            .offsets()
            .lengths()
            .enumerate()
            .any(|(row, len)| len == 0 && list.is_valid(row));
        return empty || holds_empty_list(list.values().as_ref());
    }
    if let Some(fields) = array.as_any().downcast_ref::<StructArray>() {
        return fields
            .values()
            .iter()
            .any(|field| holds_empty_list(field.as_ref()));
    }
    false
}
