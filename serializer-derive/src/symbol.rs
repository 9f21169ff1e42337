//! Every word `#[serializer(...)]` accepts, in one place.

/// The attribute itself.
pub(crate) const SERIALIZER: &str = "serializer";

/// Serializer kinds.
pub(crate) const JSON: &str = "json";
pub(crate) const BINARY: &str = "binary";
pub(crate) const DATETIME: &str = "datetime";
pub(crate) const WITH: &str = "with";
pub(crate) const DATAFRAME: &str = "dataframe";
pub(crate) const PICKLE: &str = "pickle";
pub(crate) const ROWS: &str = "rows";

/// The kinds, as error messages list them.
pub(crate) const KINDS: &[&str] = &[JSON, BINARY, DATETIME, DATAFRAME, ROWS, PICKLE, WITH];

/// Where the generated code finds the `result-serializers` crate.
pub(crate) const CRATE: &str = "crate";

/// Layouts of `json(...)`.
pub(crate) const PRETTY: &str = "pretty";
pub(crate) const PYTHON: &str = "python";
pub(crate) const JSON_LAYOUTS: &[&str] = &[PRETTY, PYTHON];

/// Compression around the serializer: `compress = "zstd"` or `compress(codec = ..., ...)`.
pub(crate) const COMPRESS: &str = "compress";
pub(crate) const CODEC: &str = "codec";
pub(crate) const LEVEL: &str = "level";
pub(crate) const MAX_DECOMPRESSED_SIZE: &str = "max_decompressed_size";
pub(crate) const COMPRESS_OPTIONS: &[&str] = &[CODEC, LEVEL, MAX_DECOMPRESSED_SIZE];

/// A codec's name in the attribute, its variant of the runtime's `Codec`, and its levels.
pub(crate) type CodecSpec = (&'static str, &'static str, Option<(u32, u32)>);

/// The codecs of `compress` (`lzma` is `xz`, `bzip2` is `bz2`).
pub(crate) const CODECS: &[CodecSpec] = &[
    ("gzip", "Gzip", Some((0, 9))),
    ("zlib", "Zlib", Some((0, 9))),
    ("bz2", "Bz2", Some((1, 9))),
    ("bzip2", "Bz2", Some((1, 9))),
    ("xz", "Xz", Some((0, 9))),
    ("lzma", "Xz", Some((0, 9))),
    ("zstd", "Zstd", Some((1, 22))),
    ("lz4", "Lz4", None),
];

/// `dataframe(file_type = "...")` and the file types it names (`feather` is `ipc`).
pub(crate) const FILE_TYPE: &str = "file_type";
pub(crate) const CSV: &str = "csv";
pub(crate) const PARQUET: &str = "parquet";
pub(crate) const NDJSON: &str = "ndjson";
pub(crate) const IPC: &str = "ipc";
pub(crate) const FEATHER: &str = "feather";
pub(crate) const AVRO: &str = "avro";
pub(crate) const FILE_TYPES: &[&str] = &[CSV, PARQUET, JSON, NDJSON, IPC, FEATHER, AVRO];

/// Options of `dataframe(...)`; which file type takes which is in `FILE_TYPE_OPTIONS`.
pub(crate) const SEPARATOR: &str = "separator";
pub(crate) const QUOTE: &str = "quote";
pub(crate) const HEADER: &str = "header";
pub(crate) const NA_REP: &str = "na_rep";
pub(crate) const DATE_FORMAT: &str = "date_format";
pub(crate) const DATETIME_FORMAT: &str = "datetime_format";
pub(crate) const FLOAT_PRECISION: &str = "float_precision";
pub(crate) const NA_VALUES: &str = "na_values";
pub(crate) const PARSE_DATES: &str = "parse_dates";
pub(crate) const COLUMNS: &str = "columns";
pub(crate) const COMPRESSION: &str = "compression";
pub(crate) const STATISTICS: &str = "statistics";
pub(crate) const ROW_GROUP_SIZE: &str = "row_group_size";
pub(crate) const ROW_LIMIT: &str = "row_limit";
pub(crate) const MAX_DECODED_BYTES: &str = "max_decoded_bytes";
pub(crate) const LAYOUT: &str = "layout";
pub(crate) const INFER_SCHEMA_LENGTH: &str = "infer_schema_length";

pub(crate) const CSV_OPTIONS: &[&str] = &[
    SEPARATOR,
    QUOTE,
    HEADER,
    NA_REP,
    DATE_FORMAT,
    DATETIME_FORMAT,
    FLOAT_PRECISION,
    NA_VALUES,
    PARSE_DATES,
    COLUMNS,
];
pub(crate) const PARQUET_OPTIONS: &[&str] = &[
    COMPRESSION,
    LEVEL,
    STATISTICS,
    ROW_GROUP_SIZE,
    COLUMNS,
    ROW_LIMIT,
    MAX_DECODED_BYTES,
];
pub(crate) const JSON_FILE_OPTIONS: &[&str] = &[LAYOUT, INFER_SCHEMA_LENGTH];
pub(crate) const NDJSON_OPTIONS: &[&str] = &[INFER_SCHEMA_LENGTH];
pub(crate) const IPC_OPTIONS: &[&str] = &[COMPRESSION, LEVEL, COLUMNS];
pub(crate) const AVRO_OPTIONS: &[&str] = &[COMPRESSION];

/// The codecs of a file type's `compression = "..."`.
pub(crate) const UNCOMPRESSED: &str = "uncompressed";
pub(crate) const SNAPPY: &str = "snappy";
pub(crate) const GZIP: &str = "gzip";
pub(crate) const BROTLI: &str = "brotli";
pub(crate) const ZSTD: &str = "zstd";
pub(crate) const LZ4: &str = "lz4";
pub(crate) const LZ4_RAW: &str = "lz4raw";
pub(crate) const DEFLATE: &str = "deflate";
pub(crate) const PARQUET_CODECS: &[&str] = &[UNCOMPRESSED, SNAPPY, GZIP, BROTLI, ZSTD, LZ4_RAW];
pub(crate) const IPC_CODECS: &[&str] = &[UNCOMPRESSED, LZ4, ZSTD];
pub(crate) const AVRO_CODECS: &[&str] = &[UNCOMPRESSED, DEFLATE, SNAPPY];

/// The file-type codecs that take `level`, and their levels.
pub(crate) const LEVELED_CODECS: &[(&str, i64, i64)] =
    &[(GZIP, 0, 9), (BROTLI, 0, 11), (ZSTD, 1, 22)];

/// The layouts of `dataframe(file_type = "json", layout = "...")`.
pub(crate) const RECORDS: &str = "records";
pub(crate) const PANDAS_COLUMNS: &str = "pandas_columns";
pub(crate) const JSON_FILE_LAYOUTS: &[&str] = &[RECORDS, PANDAS_COLUMNS];
