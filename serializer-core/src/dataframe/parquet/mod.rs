//! Parquet: polars' reader, after `validate` has checked every size the file declares, and
//! polars' writer.

mod validate;

use std::io::{Cursor, Write};
use std::num::NonZeroUsize;

use polars::error::PolarsError;
use polars::polars_utils::compression::{BrotliLevel, GzipLevel, ZstdLevel};
use polars::prelude::{DataFrame, ParquetReader, ParquetWriter, SerReader, StatisticsOptions};

use super::columns;
use super::options::{ParquetCompression, ParquetOptions};
use crate::error::ErrorKind;

pub(super) fn read(parquet: &ParquetOptions, bytes: &[u8]) -> Result<DataFrame, ErrorKind> {
    let mut reader = ParquetReader::new(Cursor::new(bytes));
    let metadata = reader.get_metadata().map_err(ErrorKind::Polars)?;
    validate::check(metadata, bytes, parquet.max_decoded_bytes)?;
    if let Some(selected) = &parquet.columns {
        columns::check(&*reader.schema().map_err(ErrorKind::Polars)?, selected)?;
    }
    reader
        .with_columns(parquet.columns.clone())
        .with_slice(parquet.row_limit.map(|rows| (0, rows)))
        .finish()
        .map_err(ErrorKind::Polars)
}

pub(super) fn write<W: Write>(
    parquet: &ParquetOptions,
    frame: &mut DataFrame,
    writer: W,
) -> Result<(), ErrorKind> {
    writer_of(parquet, writer)?
        .finish(frame)
        .map(drop)
        .map_err(ErrorKind::Polars)
}

/// polars' writer with the options.
pub(super) fn writer_of<W: Write>(
    parquet: &ParquetOptions,
    writer: W,
) -> Result<ParquetWriter<W>, ErrorKind> {
    Ok(ParquetWriter::new(writer)
        .with_compression(compression(parquet.compression).map_err(ErrorKind::Polars)?)
        .with_statistics(if parquet.statistics {
            StatisticsOptions::default()
        } else {
            StatisticsOptions::empty()
        })
        .with_row_group_size(parquet.row_group_size.map(NonZeroUsize::get)))
}

fn compression(
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
