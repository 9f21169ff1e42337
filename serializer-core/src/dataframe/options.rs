//! Typed options per file type: the Rust form of Prefect's `serialize_kwargs` and
//! `deserialize_kwargs`. Each file type has its own options type, so an option that does not
//! belong to a format cannot be given to it.

use std::fmt;
use std::num::NonZeroUsize;
use std::str::FromStr;

use polars::prelude::DataType;

/// The file types [`DataFrameSerializer`](super::DataFrameSerializer) reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileType {
    /// Comma-separated values.
    Csv,
    /// Apache Parquet.
    Parquet,
    /// One JSON document: an array of row objects (see [`JsonLayout`] for pandas' layout).
    Json,
    /// Newline-delimited JSON: one row object per line.
    NdJson,
    /// The Arrow IPC file format, which pandas calls feather (version 2).
    Ipc,
    /// Apache Avro object container files.
    Avro,
}

impl FileType {
    /// Every file type, in the order error messages list them.
    pub const ALL: [FileType; 6] = [
        FileType::Csv,
        FileType::Parquet,
        FileType::Json,
        FileType::NdJson,
        FileType::Ipc,
        FileType::Avro,
    ];

    /// The name [`FromStr`] accepts: `csv`, `parquet`, `json`, `ndjson`, `ipc`, `avro`.
    pub const fn name(self) -> &'static str {
        match self {
            FileType::Csv => "csv",
            FileType::Parquet => "parquet",
            FileType::Json => "json",
            FileType::NdJson => "ndjson",
            FileType::Ipc => "ipc",
            FileType::Avro => "avro",
        }
    }
}

impl fmt::Display for FileType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A file type name that is none of the known ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown file type `{name}`; expected one of: csv, parquet, json, ndjson, ipc (or feather), avro"
)]
pub struct UnknownFileType {
    /// The name given.
    pub name: String,
}

impl FromStr for FileType {
    type Err = UnknownFileType;

    /// Parses a lowercase name, as Prefect's `PandasSerializer(file_type=...)` took it;
    /// `feather` is Prefect's name for `ipc`.
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name {
            "feather" => Ok(FileType::Ipc),
            _ => FileType::ALL
                .into_iter()
                .find(|file_type| file_type.name() == name)
                .ok_or_else(|| UnknownFileType { name: name.into() }),
        }
    }
}

macro_rules! level {
    ($(#[$doc:meta])* $name:ident($ty:ty), $min:literal..=$max:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name($ty);

        impl $name {
            /// The lowest level.
            pub const MIN: $name = $name($min);
            /// The highest level.
            pub const MAX: $name = $name($max);

            /// The level, or `None` outside
            #[doc = concat!("`", stringify!($min), "..=", stringify!($max), "`.")]
            #[allow(unused_comparisons)]
            pub const fn new(level: $ty) -> Option<Self> {
                if level >= $min && level <= $max {
                    Some($name(level))
                } else {
                    None
                }
            }

            /// The level as a number.
            pub const fn get(self) -> $ty {
                self.0
            }
        }
    };
}

level!(
    /// A gzip compression level, 0 to 9.
    GzipLevel(u8), 0..=9
);
level!(
    /// A brotli compression level, 0 to 11.
    BrotliLevel(u32), 0..=11
);
level!(
    /// A zstd compression level, 1 to 22.
    ZstdLevel(i32), 1..=22
);

/// CSV options. Separator and quote apply to writing and reading alike.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvOptions {
    pub(super) separator: u8,
    pub(super) quote: u8,
    pub(super) header: bool,
    pub(super) na_rep: String,
    pub(super) date_format: Option<String>,
    pub(super) datetime_format: Option<String>,
    pub(super) float_precision: Option<usize>,
    pub(super) na_values: Vec<String>,
    pub(super) parse_dates: bool,
    pub(super) columns: Option<Vec<String>>,
    pub(super) schema_overrides: Vec<(String, DataType)>,
}

impl Default for CsvOptions {
    /// Separator `,`, quote `"`, a header row, nulls written as empty fields, polars' date and
    /// float formats; reading takes every column, parses no dates (text stays text, as in
    /// pandas) and reads only empty fields as null.
    fn default() -> Self {
        CsvOptions {
            separator: b',',
            quote: b'"',
            header: true,
            na_rep: String::new(),
            date_format: None,
            datetime_format: None,
            float_precision: None,
            na_values: Vec::new(),
            parse_dates: false,
            columns: None,
            schema_overrides: Vec::new(),
        }
    }
}

impl CsvOptions {
    /// The defaults.
    pub fn new() -> Self {
        CsvOptions::default()
    }

    /// The field separator for writing and reading (pandas' `sep`).
    #[must_use]
    pub fn with_separator(mut self, separator: u8) -> Self {
        self.separator = separator;
        self
    }

    /// The quote character for writing and reading.
    #[must_use]
    pub fn with_quote(mut self, quote: u8) -> Self {
        self.quote = quote;
        self
    }

    /// Whether the first row holds the column names, written and read (pandas' `header`).
    #[must_use]
    pub fn with_header(mut self, header: bool) -> Self {
        self.header = header;
        self
    }

    /// Writing: the text written for a null (pandas' `na_rep`).
    #[must_use]
    pub fn with_na_rep(mut self, text: impl Into<String>) -> Self {
        self.na_rep = text.into();
        self
    }

    /// Writing: the strftime format of dates.
    #[must_use]
    pub fn with_date_format(mut self, format: impl Into<String>) -> Self {
        self.date_format = Some(format.into());
        self
    }

    /// Writing: the strftime format of date-times (pandas' `date_format`).
    #[must_use]
    pub fn with_datetime_format(mut self, format: impl Into<String>) -> Self {
        self.datetime_format = Some(format.into());
        self
    }

    /// Writing: the number of decimals of floats (pandas' `float_format="%.Nf"`).
    ///
    /// Rounding changes values, so a frame written with a precision reads back different.
    #[must_use]
    pub fn with_float_precision(mut self, decimals: usize) -> Self {
        self.float_precision = Some(decimals);
        self
    }

    /// Reading: field texts read as null, besides empty fields (pandas' `na_values`). Texts
    /// match exactly: `"3"` makes `3` null, not `3.0`.
    #[must_use]
    pub fn with_na_values<I, S>(mut self, texts: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.na_values = texts.into_iter().map(Into::into).collect();
        self
    }

    /// Reading: whether to parse columns that look like dates and date-times (pandas'
    /// `parse_dates`).
    #[must_use]
    pub fn with_parse_dates(mut self, parse: bool) -> Self {
        self.parse_dates = parse;
        self
    }

    /// Reading: only these columns (pandas' `usecols`).
    #[must_use]
    pub fn with_columns<I, S>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.columns = Some(columns.into_iter().map(Into::into).collect());
        self
    }

    /// Reading: the dtype of a column instead of the inferred one (pandas' `dtype`).
    #[must_use]
    pub fn with_schema_override(mut self, column: impl Into<String>, dtype: DataType) -> Self {
        self.schema_overrides.push((column.into(), dtype));
        self
    }
}

/// The compression of a Parquet file's pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParquetCompression {
    /// No compression.
    Uncompressed,
    /// Snappy: what pandas (pyarrow) writes by default.
    Snappy,
    /// Gzip, at a level or the codec's default.
    Gzip(Option<GzipLevel>),
    /// Brotli, at a level or the codec's default.
    Brotli(Option<BrotliLevel>),
    /// Zstd, at a level or the codec's default. The default, at the codec's default level.
    Zstd(Option<ZstdLevel>),
    /// LZ4 without framing.
    Lz4Raw,
}

impl Default for ParquetCompression {
    fn default() -> Self {
        ParquetCompression::Zstd(None)
    }
}

/// Parquet options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParquetOptions {
    pub(super) compression: ParquetCompression,
    pub(super) statistics: bool,
    pub(super) row_group_size: Option<NonZeroUsize>,
    pub(super) columns: Option<Vec<String>>,
    pub(super) row_limit: Option<usize>,
    pub(super) max_decoded_bytes: u64,
}

impl Default for ParquetOptions {
    /// Zstd at its default level, column statistics, polars' row group size; reading takes
    /// every column and every row, up to [`ParquetOptions::DEFAULT_MAX_DECODED_BYTES`].
    fn default() -> Self {
        ParquetOptions {
            compression: ParquetCompression::Zstd(None),
            statistics: true,
            row_group_size: None,
            columns: None,
            row_limit: None,
            max_decoded_bytes: ParquetOptions::DEFAULT_MAX_DECODED_BYTES,
        }
    }
}

impl ParquetOptions {
    /// The default bound on what a file may declare when read: 16 GiB.
    pub const DEFAULT_MAX_DECODED_BYTES: u64 = 16 << 30;

    /// The defaults.
    pub fn new() -> Self {
        ParquetOptions::default()
    }

    /// Writing: the page compression (pandas' `compression`).
    #[must_use]
    pub fn with_compression(mut self, compression: ParquetCompression) -> Self {
        self.compression = compression;
        self
    }

    /// Writing: whether to write column statistics.
    #[must_use]
    pub fn with_statistics(mut self, statistics: bool) -> Self {
        self.statistics = statistics;
        self
    }

    /// Writing: the number of rows per row group (pandas' `row_group_size`).
    #[must_use]
    pub fn with_row_group_size(mut self, rows: NonZeroUsize) -> Self {
        self.row_group_size = Some(rows);
        self
    }

    /// Reading: only these columns, in this order (pandas' `columns`).
    #[must_use]
    pub fn with_columns<I, S>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.columns = Some(columns.into_iter().map(Into::into).collect());
        self
    }

    /// Reading: at most this many rows.
    #[must_use]
    pub fn with_row_limit(mut self, rows: usize) -> Self {
        self.row_limit = Some(rows);
        self
    }

    /// Reading: the most memory a file may declare, counted before decoding as its values
    /// times their width (16 bytes per string or binary value) plus its uncompressed pages.
    /// polars reserves what a file declares at once, and a reservation the machine cannot
    /// give aborts the process, so a file declaring more is refused with
    /// [`ErrorKind::LimitExceeded`](crate::ErrorKind::LimitExceeded). The default is
    /// [`ParquetOptions::DEFAULT_MAX_DECODED_BYTES`].
    #[must_use]
    pub fn with_max_decoded_bytes(mut self, bytes: u64) -> Self {
        self.max_decoded_bytes = bytes;
        self
    }
}

/// The compression of an Arrow IPC file's buffers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum IpcCompression {
    /// No compression. The default.
    #[default]
    Uncompressed,
    /// LZ4 frames: what pandas (pyarrow) writes for feather by default.
    Lz4,
    /// Zstd, at a level or the codec's default.
    Zstd(Option<ZstdLevel>),
}

/// Arrow IPC (feather) options.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IpcOptions {
    pub(super) compression: IpcCompression,
    pub(super) columns: Option<Vec<String>>,
}

impl IpcOptions {
    /// Uncompressed; reading takes every column.
    pub fn new() -> Self {
        IpcOptions::default()
    }

    /// Writing: the buffer compression (pandas' `compression`). Compressed, a frame of more
    /// than 4 MiB is written as record batches of about 4 MiB, compressed on every core.
    #[must_use]
    pub fn with_compression(mut self, compression: IpcCompression) -> Self {
        self.compression = compression;
        self
    }

    /// Reading: only these columns, in this order (pandas' `columns`).
    #[must_use]
    pub fn with_columns<I, S>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.columns = Some(columns.into_iter().map(Into::into).collect());
        self
    }
}

/// The schema options JSON and newline-delimited JSON share.
macro_rules! json_schema_options {
    () => {
        /// Reading: how many rows to infer the schema from; `None` reads them all first.
        #[must_use]
        pub fn with_infer_schema_length(mut self, rows: Option<NonZeroUsize>) -> Self {
            self.infer_schema_length = rows;
            self
        }

        /// Reading: the schema, instead of inferring one: how to read back date-times and
        /// durations, which JSON holds as text or numbers.
        #[must_use]
        pub fn with_schema<I, S>(mut self, schema: I) -> Self
        where
            I: IntoIterator<Item = (S, DataType)>,
            S: Into<String>,
        {
            self.schema = Some(
                schema
                    .into_iter()
                    .map(|(name, dtype)| (name.into(), dtype))
                    .collect(),
            );
            self
        }
    };
}

/// How a JSON document lays out a frame, when reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum JsonLayout {
    /// An array of row objects, `[{"a": 1}, ...]`: what this crate writes. The default.
    #[default]
    Records,
    /// pandas' default `to_json` layout (orient `"columns"`): `{"a": {"0": 1, ...}, ...}`.
    /// The row labels become a leading column `index` unless they are `0, 1, 2, ...`;
    /// pandas writes date-times as epoch milliseconds, which read back as integers.
    PandasColumns,
}

/// JSON options; they concern reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonOptions {
    pub(super) layout: JsonLayout,
    pub(super) infer_schema_length: Option<NonZeroUsize>,
    pub(super) schema: Option<Vec<(String, DataType)>>,
    /// Dtypes that replace the inferred ones (typed rows give their fields').
    pub(super) overwrite: Option<Vec<(String, DataType)>>,
}

impl Default for JsonOptions {
    /// Row objects; the schema inferred from the first 100 rows.
    fn default() -> Self {
        JsonOptions {
            layout: JsonLayout::Records,
            infer_schema_length: NonZeroUsize::new(100),
            schema: None,
            overwrite: None,
        }
    }
}

impl JsonOptions {
    /// The defaults.
    pub fn new() -> Self {
        JsonOptions::default()
    }

    /// Reading: the layout of the document.
    #[must_use]
    pub fn with_layout(mut self, layout: JsonLayout) -> Self {
        self.layout = layout;
        self
    }

    json_schema_options!();
}

/// The compression of an Avro file's blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AvroCompression {
    /// No compression. The default.
    #[default]
    Uncompressed,
    /// Deflate.
    Deflate,
    /// Snappy.
    Snappy,
}

/// Avro options.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AvroOptions {
    pub(super) compression: AvroCompression,
}

impl AvroOptions {
    /// Uncompressed.
    pub fn new() -> Self {
        AvroOptions::default()
    }

    /// Writing: the block compression.
    #[must_use]
    pub fn with_compression(mut self, compression: AvroCompression) -> Self {
        self.compression = compression;
        self
    }
}

/// Newline-delimited JSON options; they concern reading. Each line is one row object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NdJsonOptions {
    pub(super) infer_schema_length: Option<NonZeroUsize>,
    pub(super) schema: Option<Vec<(String, DataType)>>,
    /// Dtypes that replace the inferred ones (typed rows give their fields').
    pub(super) overwrite: Option<Vec<(String, DataType)>>,
}

impl Default for NdJsonOptions {
    /// The schema inferred from the first 100 rows.
    fn default() -> Self {
        NdJsonOptions {
            infer_schema_length: NonZeroUsize::new(100),
            schema: None,
            overwrite: None,
        }
    }
}

impl NdJsonOptions {
    /// The defaults.
    pub fn new() -> Self {
        NdJsonOptions::default()
    }

    json_schema_options!();
}

/// The options of one file type.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum FormatOptions {
    Csv(CsvOptions),
    Parquet(ParquetOptions),
    Json(JsonOptions),
    NdJson(NdJsonOptions),
    Ipc(IpcOptions),
    Avro(AvroOptions),
}

impl FormatOptions {
    /// The write options, which shape the bytes, as words: part of the serializer's format
    /// identity. Read options (columns, limits, null texts, schemas) are left out.
    pub(super) fn write_identity(&self) -> String {
        fn level<L: fmt::Display>(codec: &str, level: Option<L>) -> String {
            match level {
                Some(level) => format!("{codec} {level}"),
                None => codec.to_owned(),
            }
        }
        match self {
            FormatOptions::Csv(csv) => format!(
                "separator={:?} quote={:?} header={} na_rep={:?} date_format={:?} \
                 datetime_format={:?} float_precision={:?}",
                char::from(csv.separator),
                char::from(csv.quote),
                csv.header,
                csv.na_rep,
                csv.date_format,
                csv.datetime_format,
                csv.float_precision
            ),
            FormatOptions::Parquet(parquet) => {
                let compression = match parquet.compression {
                    ParquetCompression::Uncompressed => "uncompressed".to_owned(),
                    ParquetCompression::Snappy => "snappy".to_owned(),
                    ParquetCompression::Lz4Raw => "lz4raw".to_owned(),
                    ParquetCompression::Gzip(l) => level("gzip", l.map(GzipLevel::get)),
                    ParquetCompression::Brotli(l) => level("brotli", l.map(BrotliLevel::get)),
                    ParquetCompression::Zstd(l) => level("zstd", l.map(ZstdLevel::get)),
                };
                format!(
                    "compression={compression} statistics={} row_group_size={:?}",
                    parquet.statistics, parquet.row_group_size
                )
            }
            FormatOptions::Json(_) | FormatOptions::NdJson(_) => String::new(),
            FormatOptions::Ipc(ipc) => {
                let compression = match ipc.compression {
                    IpcCompression::Uncompressed => "uncompressed".to_owned(),
                    IpcCompression::Lz4 => "lz4".to_owned(),
                    IpcCompression::Zstd(l) => level("zstd", l.map(ZstdLevel::get)),
                };
                format!("compression={compression}")
            }
            FormatOptions::Avro(avro) => format!(
                "compression={}",
                match avro.compression {
                    AvroCompression::Uncompressed => "uncompressed",
                    AvroCompression::Deflate => "deflate",
                    AvroCompression::Snappy => "snappy",
                }
            ),
        }
    }
}
