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

/// Options of `json(...)`.
pub(crate) const PRETTY: &str = "pretty";
pub(crate) const PYTHON: &str = "python";

/// Compression around the serializer: `compress = "zstd"` or `compress(codec = ..., ...)`.
pub(crate) const COMPRESS: &str = "compress";
pub(crate) const CODEC: &str = "codec";
pub(crate) const LEVEL: &str = "level";
pub(crate) const MAX_DECOMPRESSED_SIZE: &str = "max_decompressed_size";
pub(crate) const COMPRESS_OPTIONS: &[&str] = &[CODEC, LEVEL, MAX_DECOMPRESSED_SIZE];
/// A codec's name in the attribute, its variant of the runtime's `Codec`, and its levels.
pub(crate) type CodecSpec = (&'static str, &'static str, Option<(u32, u32)>);

/// The codecs (`lzma` is `xz`, `bzip2` is `bz2`).
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

/// Where the generated code finds the `result-serializers` crate.
pub(crate) const CRATE: &str = "crate";

/// The kinds, as error messages list them.
pub(crate) const KINDS: &[&str] = &[JSON, BINARY, DATETIME, DATAFRAME, PICKLE, WITH];

/// `dataframe(file_type = "...")` and the file types it names (`feather` is `ipc`).
pub(crate) const FILE_TYPE: &str = "file_type";
pub(crate) const FILE_TYPES: &[&str] =
    &["csv", "parquet", "json", "ndjson", "ipc", "feather", "avro"];

/// The options of `dataframe(...)` per file type.
pub(crate) const CSV_OPTIONS: &[&str] = &[
    "separator",
    "quote",
    "header",
    "null_value",
    "date_format",
    "datetime_format",
    "float_precision",
    "null_values",
    "parse_dates",
    "columns",
];
pub(crate) const PARQUET_OPTIONS: &[&str] = &[
    "compression",
    "level",
    "statistics",
    "row_group_size",
    "columns",
    "row_limit",
    "max_decoded_bytes",
];
pub(crate) const JSON_OPTIONS_DF: &[&str] = &["layout", "infer_schema_length"];
pub(crate) const NDJSON_OPTIONS: &[&str] = &["infer_schema_length"];
pub(crate) const IPC_OPTIONS: &[&str] = &["compression", "level", "columns"];
pub(crate) const AVRO_OPTIONS: &[&str] = &["compression"];

/// The options of `json(...)`, as error messages list them.
pub(crate) const JSON_OPTIONS: &[&str] = &[PRETTY, PYTHON];
