//! DataFrames through polars: Prefect's `PandasSerializer`.
//!
//! One folder per file type, each with its read path (parse the container, check what it
//! declares, hand it to polars) and its write path; `options` holds the typed options of
//! all, `bounds` what the format checks share, `columns` the column selections.

mod avro;
mod bounds;
mod columns;
mod csv;
mod ipc;
mod json;
mod options;
mod parquet;
mod rows;

use std::io::Write;
use std::str::FromStr;

use polars::frame::DataFrame;
use polars::prelude::JsonFormat;

use self::options::FormatOptions;
pub use self::options::{
    AvroCompression, AvroOptions, BrotliLevel, CsvOptions, FileType, GzipLevel, IpcCompression,
    IpcOptions, JsonLayout, JsonOptions, NdJsonOptions, ParquetCompression, ParquetOptions,
    UnknownFileType, ZstdLevel,
};
#[doc(hidden)]
pub use self::rows::__derive;
pub use self::rows::{CellError, ColumnType, Row, RowReader, RowsSerializer, RowsValue};
use crate::error::{Error, ErrorKind, Operation};
use crate::panic::catch_panic;
use crate::serializer::Serializer;

/// Serializes polars [`DataFrame`]s as csv, parquet, json, ndjson, Arrow IPC (feather) or
/// avro: Prefect's `PandasSerializer(file_type, serialize_kwargs, deserialize_kwargs)`, with
/// typed options per file type in place of the keyword arguments. Each file type has its own
/// options type, so an option that does not belong to a format cannot be given to it;
/// `#[serializer(dataframe(...))]` checks the same at compile time.
///
/// ```
/// use polars::prelude::*;
/// use serializer_core::dataframe::{CsvOptions, DataFrameSerializer, FileType};
/// use serializer_core::Serializer;
///
/// let frame = df!("city" => ["Oslo", "Lima"], "temp" => [3.5, 19.0]).unwrap();
/// let serializer = DataFrameSerializer::new(FileType::Parquet);
/// let bytes = serializer.serialize(&frame)?;
/// let back: DataFrame = serializer.deserialize(&bytes)?;
/// assert!(back.equals_missing(&frame));
///
/// let csv = DataFrameSerializer::csv(CsvOptions::new().with_separator(b';'));
/// assert_eq!(csv.serialize(&frame)?, b"city;temp\nOslo;3.5\nLima;19.0\n");
/// # Ok::<(), serializer_core::Error>(())
/// ```
///
/// # Bad input
///
/// Reading never panics and never ends the process on malformed bytes. polars' parquet, Arrow
/// IPC and avro readers allocate sizes read from the file at once, and an allocation that
/// fails aborts the process: before they run, every size a file declares (page and buffer
/// lengths, value and row counts, avro blocks) is checked against the bytes, and a parquet
/// file's declared values against [`ParquetOptions::with_max_decoded_bytes`]. Every reader
/// runs under [`std::panic::catch_unwind`], so a panic inside one becomes
/// [`ErrorKind::Panicked`] (the panic message is still printed by
/// the panic hook; with `panic = "abort"` a panic aborts).
///
/// # What each file type keeps
///
/// | dtype | parquet, ipc | avro | csv | json, ndjson |
/// |---|---|---|---|---|
/// | integers, floats, strings, booleans, nulls | kept | kept | kept (inferred back) | kept (inferred back) |
/// | date, date-time without zone | kept | kept | with `with_parse_dates(true)` | text, unless read with a schema |
/// | date-time with a time zone | kept | as UTC without the zone | text | text, unless read with a schema |
/// | duration | kept | refused | text | refused (polars cannot write it) |
///
/// The integration tests assert each cell.
#[derive(Debug, Clone, PartialEq)]
pub struct DataFrameSerializer {
    options: FormatOptions,
}

impl DataFrameSerializer {
    /// A serializer of `file_type` with its default options.
    pub fn new(file_type: FileType) -> Self {
        let options = match file_type {
            FileType::Csv => FormatOptions::Csv(CsvOptions::default()),
            FileType::Parquet => FormatOptions::Parquet(ParquetOptions::default()),
            FileType::Json => FormatOptions::Json(JsonOptions::default()),
            FileType::NdJson => FormatOptions::NdJson(NdJsonOptions::default()),
            FileType::Ipc => FormatOptions::Ipc(IpcOptions::default()),
            FileType::Avro => FormatOptions::Avro(AvroOptions::default()),
        };
        DataFrameSerializer { options }
    }

    /// A CSV serializer.
    pub fn csv(options: CsvOptions) -> Self {
        DataFrameSerializer {
            options: FormatOptions::Csv(options),
        }
    }

    /// A Parquet serializer.
    pub fn parquet(options: ParquetOptions) -> Self {
        DataFrameSerializer {
            options: FormatOptions::Parquet(options),
        }
    }

    /// A serializer of one JSON document.
    pub fn json(options: JsonOptions) -> Self {
        DataFrameSerializer {
            options: FormatOptions::Json(options),
        }
    }

    /// A newline-delimited JSON serializer.
    pub fn ndjson(options: NdJsonOptions) -> Self {
        DataFrameSerializer {
            options: FormatOptions::NdJson(options),
        }
    }

    /// An Arrow IPC (feather) serializer.
    pub fn ipc(options: IpcOptions) -> Self {
        DataFrameSerializer {
            options: FormatOptions::Ipc(options),
        }
    }

    /// An Avro serializer.
    pub fn avro(options: AvroOptions) -> Self {
        DataFrameSerializer {
            options: FormatOptions::Avro(options),
        }
    }

    /// The file type this serializer writes and reads.
    pub fn file_type(&self) -> FileType {
        match self.options {
            FormatOptions::Csv(_) => FileType::Csv,
            FormatOptions::Parquet(_) => FileType::Parquet,
            FormatOptions::Json(_) => FileType::Json,
            FormatOptions::NdJson(_) => FileType::NdJson,
            FormatOptions::Ipc(_) => FileType::Ipc,
            FormatOptions::Avro(_) => FileType::Avro,
        }
    }
}

impl FromStr for DataFrameSerializer {
    type Err = UnknownFileType;

    /// A serializer with default options from a file type name, as Prefect's
    /// `PandasSerializer("parquet")`.
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        name.parse().map(DataFrameSerializer::new)
    }
}

/// What errors of a file type's serializer are called.
fn name(file_type: FileType) -> &'static str {
    match file_type {
        FileType::Csv => "dataframe (csv)",
        FileType::Parquet => "dataframe (parquet)",
        FileType::Json => "dataframe (json)",
        FileType::NdJson => "dataframe (ndjson)",
        FileType::Ipc => "dataframe (ipc)",
        FileType::Avro => "dataframe (avro)",
    }
}

/// A value [`DataFrameSerializer`] can write and read: a polars [`DataFrame`], or a newtype
/// over one that derives `ResultSerializer` with `#[serializer(dataframe(...))]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a DataFrame that `#[serializer(dataframe(...))]` can store",
    label = "not `polars::frame::DataFrame`",
    note = "`#[serializer(dataframe(...))]` goes on a newtype over `polars::frame::DataFrame`, such as `struct Sales(DataFrame);`"
)]
pub trait DataFrameValue: Sized {
    /// The frame to write.
    fn as_data_frame(&self) -> &DataFrame;

    /// The value holding a frame that was read.
    fn from_data_frame(frame: DataFrame) -> Self;
}

impl DataFrameValue for DataFrame {
    fn as_data_frame(&self) -> &DataFrame {
        self
    }

    fn from_data_frame(frame: DataFrame) -> Self {
        frame
    }
}

impl<T: DataFrameValue> Serializer<T> for DataFrameSerializer {
    fn serialize(&self, value: &T) -> Result<Vec<u8>, Error> {
        // An IPC file is the frame's buffers, compressed or not: with room for them, the
        // output is not copied as it grows (memory is used only as it is written).
        let mut bytes = match self.options {
            FormatOptions::Ipc(_) => Vec::with_capacity(value.as_data_frame().estimated_size()),
            _ => Vec::new(),
        };
        self.serialize_into(value, &mut bytes)?;
        Ok(bytes)
    }

    fn deserialize(&self, bytes: &[u8]) -> Result<T, Error> {
        read(&self.options, bytes)
            .map(T::from_data_frame)
            .map_err(|kind| Error::new(name(self.file_type()), Operation::Deserialize, kind))
    }

    /// Streams into `writer` as polars writes, without building the file in memory first
    /// (Parquet and IPC buffer one row group or record batch at a time).
    fn serialize_into<W: Write>(&self, value: &T, writer: W) -> Result<(), Error> {
        write(&self.options, value.as_data_frame(), writer)
            .map_err(|kind| Error::new(name(self.file_type()), Operation::Serialize, kind))
    }

    fn name(&self) -> &'static str {
        name(self.file_type())
    }

    fn format_identity(&self) -> String {
        let options = self.options.write_identity();
        if options.is_empty() {
            name(self.file_type()).to_owned()
        } else {
            format!("{} {options}", name(self.file_type()))
        }
    }

    fn self_describing(&self) -> bool {
        true
    }
}

/// Reads a frame with the reader of its file type, behind the panic boundary: a panic left in
/// polars becomes [`ErrorKind::Panicked`].
fn read(options: &FormatOptions, bytes: &[u8]) -> Result<DataFrame, ErrorKind> {
    catch_panic("polars", || match options {
        FormatOptions::Csv(csv) => csv::read(csv, bytes),
        FormatOptions::Parquet(parquet) => parquet::read(parquet, bytes),
        FormatOptions::Json(json) => json::read(json, bytes),
        FormatOptions::NdJson(ndjson) => json::read_lines(ndjson, bytes),
        FormatOptions::Ipc(ipc) => ipc::read(ipc, bytes),
        FormatOptions::Avro(_) => avro::read(bytes),
    })
}

/// Writes a frame with polars' writer of its file type, straight into `writer`, behind the
/// panic boundary.
fn write<W: Write>(options: &FormatOptions, frame: &DataFrame, writer: W) -> Result<(), ErrorKind> {
    // polars' writers take `&mut` to rechunk; the clone shares the columns' buffers.
    let mut frame = frame.clone();
    catch_panic("polars", move || match options {
        FormatOptions::Csv(csv) => csv::write(csv, &mut frame, writer),
        FormatOptions::Parquet(parquet) => parquet::write(parquet, &mut frame, writer),
        FormatOptions::Json(_) => json::write(&mut frame, writer, JsonFormat::Json),
        FormatOptions::NdJson(_) => json::write(&mut frame, writer, JsonFormat::JsonLines),
        FormatOptions::Ipc(ipc) => ipc::write(ipc, &mut frame, writer),
        FormatOptions::Avro(avro) => avro::write(avro, &mut frame, writer),
    })
}

/// One table written a frame at a time: parquet (a row group or more per frame), IPC (a
/// record batch per frame) and CSV through polars' batched writers, NDJSON as each frame's
/// lines; JSON (one document) and avro, which polars writes only whole, gather the frames
/// and write them at the end. Every frame passes the checks its file type makes before a
/// write, and every call into polars runs behind the panic boundary.
pub(crate) struct TableWriter<W: Write> {
    sink: Sink<W>,
}

enum Sink<W: Write> {
    // Boxed: polars' parquet writer is several times the size of the others.
    Parquet(Box<polars::io::parquet::write::BatchedWriter<W>>),
    Ipc(polars::io::ipc::BatchedWriter<W>),
    Csv(polars::io::csv::write::BatchedWriter<W>, CsvOptions),
    Lines(W),
    Whole(W, FormatOptions, Option<DataFrame>),
}

impl DataFrameSerializer {
    /// A writer of one table whose frames have `schema`.
    pub(crate) fn table_writer<W: Write>(
        &self,
        schema: &polars::prelude::Schema,
        writer: W,
    ) -> Result<TableWriter<W>, ErrorKind> {
        let sink = catch_panic("polars", || {
            Ok(match &self.options {
                FormatOptions::Parquet(options) => Sink::Parquet(Box::new(
                    parquet::writer_of(options, writer)?
                        .batched(schema)
                        .map_err(ErrorKind::Polars)?,
                )),
                FormatOptions::Ipc(options) => {
                    use polars::prelude::{CompatLevel, SchemaExt};
                    // IPC fields as polars' own writer makes them for a whole frame.
                    let arrow = schema.to_arrow(CompatLevel::newest());
                    let fields =
                        polars_arrow::io::ipc::write::default_ipc_fields(arrow.iter_values());
                    Sink::Ipc(
                        ipc::writer_of(options, writer)?
                            .batched(schema, fields)
                            .map_err(ErrorKind::Polars)?,
                    )
                }
                FormatOptions::Csv(options) => Sink::Csv(
                    csv::writer_of(options, writer)
                        .batched(schema)
                        .map_err(ErrorKind::Polars)?,
                    options.clone(),
                ),
                FormatOptions::NdJson(_) => Sink::Lines(writer),
                other => Sink::Whole(writer, other.clone(), None),
            })
        })?;
        Ok(TableWriter { sink })
    }
}

impl<W: Write> TableWriter<W> {
    /// Writes the next frame.
    pub(crate) fn write(&mut self, frame: &DataFrame) -> Result<(), ErrorKind> {
        catch_panic("polars", || match &mut self.sink {
            Sink::Parquet(writer) => writer.write_batch(frame).map_err(ErrorKind::Polars),
            Sink::Ipc(writer) => writer.write_batch(frame).map_err(ErrorKind::Polars),
            Sink::Csv(writer, options) => {
                csv::check(options, frame)?;
                writer.write_batch(frame).map_err(ErrorKind::Polars)
            }
            Sink::Lines(writer) => {
                json::write(&mut frame.clone(), &mut *writer, JsonFormat::JsonLines)
            }
            Sink::Whole(_, _, gathered) => match gathered {
                Some(all) => all.vstack_mut(frame).map(drop).map_err(ErrorKind::Polars),
                None => {
                    *gathered = Some(frame.clone());
                    Ok(())
                }
            },
        })
    }

    /// Ends the file: a footer, or the gathered frames written whole.
    pub(crate) fn finish(self) -> Result<(), ErrorKind> {
        catch_panic("polars", move || match self.sink {
            Sink::Parquet(writer) => writer.finish().map(drop).map_err(ErrorKind::Polars),
            Sink::Ipc(mut writer) => writer.finish().map_err(ErrorKind::Polars),
            Sink::Csv(mut writer, _) => writer.finish().map_err(ErrorKind::Polars),
            Sink::Lines(mut writer) => writer.flush().map_err(ErrorKind::Io),
            Sink::Whole(writer, options, gathered) => {
                // No batch came: the table has no rows, and the file says so.
                let frame = gathered.unwrap_or_default();
                write(&options, &frame, writer)
            }
        })
    }
}
