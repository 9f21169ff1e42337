//! Arrow IPC (feather): the file parsed once (`file`), its declared sizes checked
//! (`validate`), compressed buffers decompressed on every core (`inflate`), then polars'
//! stream or file reader; polars' encoder on every core (`encode`).

mod encode;
mod file;
mod inflate;
mod validate;

use std::io::{Cursor, Write};

use polars::error::PolarsError;
use polars::polars_utils::compression::ZstdLevel;
use polars::prelude::{DataFrame, IpcReader, IpcStreamReader, IpcWriter, SerReader, SerWriter};

use rayon::prelude::*;

use self::file::IpcFile;
use super::columns;
use super::options::{IpcCompression, IpcOptions};
use crate::error::ErrorKind;

pub(super) fn read(ipc: &IpcOptions, bytes: &[u8]) -> Result<DataFrame, ErrorKind> {
    let file = IpcFile::parse(bytes)?;
    validate::check(&file)?;
    if let Some(streams) = inflate::to_streams(&file)? {
        let frames = streams
            .into_par_iter()
            .map(|stream| {
                let mut reader = IpcStreamReader::new(stream);
                if let Some(selected) = &ipc.columns {
                    columns::check(&reader.arrow_schema().map_err(ErrorKind::Polars)?, selected)?;
                }
                reader
                    .with_columns(ipc.columns.clone())
                    .set_rechunk(false)
                    .finish()
                    .map_err(ErrorKind::Polars)
            })
            .collect::<Result<Vec<_>, _>>()?;
        // One chunk per column, as polars' readers give.
        let mut frames = frames.into_iter();
        // `to_streams` gives at least one stream (one per batch, or the whole file as one).
        let mut frame = frames.next().unwrap_or_default();
        for next in frames {
            frame.vstack_mut_owned(next).map_err(ErrorKind::Polars)?;
        }
        frame.rechunk_mut_par();
        return Ok(frame);
    }
    let mut reader = IpcReader::new(Cursor::new(bytes));
    if let Some(selected) = &ipc.columns {
        columns::check(&*reader.schema().map_err(ErrorKind::Polars)?, selected)?;
    }
    reader
        .with_columns(ipc.columns.clone())
        .finish()
        .map_err(ErrorKind::Polars)
}

pub(super) fn write<W: Write>(
    ipc: &IpcOptions,
    frame: &mut DataFrame,
    writer: W,
) -> Result<(), ErrorKind> {
    let compression = compression(ipc.compression).map_err(ErrorKind::Polars)?;
    encode::write(writer_of(ipc, writer)?, compression.map(Into::into), frame)
}

/// polars' writer with the options.
pub(super) fn writer_of<W: Write>(ipc: &IpcOptions, writer: W) -> Result<IpcWriter<W>, ErrorKind> {
    Ok(IpcWriter::new(writer)
        .with_compression(compression(ipc.compression).map_err(ErrorKind::Polars)?))
}

fn compression(
    compression: IpcCompression,
) -> Result<Option<polars::prelude::IpcCompression>, PolarsError> {
    use polars::prelude::IpcCompression as Polars;
    Ok(match compression {
        IpcCompression::Uncompressed => None,
        IpcCompression::Lz4 => Some(Polars::LZ4),
        IpcCompression::Zstd(level) => Some(Polars::ZSTD(
            // No level given: zstd's default level, as documented.
            level
                .map(|l| ZstdLevel::try_new(l.get()))
                .transpose()?
                .unwrap_or_default(),
        )),
    })
}
