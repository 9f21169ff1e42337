//! Avro: polars' reader, after `validate` has walked the whole file, and polars' writer.

mod validate;

use std::io::{Cursor, Write};

use polars::io::avro::{AvroReader, AvroWriter};
use polars::prelude::{DataFrame, SerReader, SerWriter};

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
    AvroWriter::new(writer)
        .with_compression(match avro.compression {
            AvroCompression::Uncompressed => None,
            AvroCompression::Deflate => Some(polars::io::avro::AvroCompression::Deflate),
            AvroCompression::Snappy => Some(polars::io::avro::AvroCompression::Snappy),
        })
        .finish(frame)
        .map_err(ErrorKind::Polars)
}
