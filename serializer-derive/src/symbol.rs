//! Every word `#[serializer(...)]` accepts, in one place.

/// The attribute itself.
pub(crate) const SERIALIZER: &str = "serializer";

/// Serializer kinds.
pub(crate) const JSON: &str = "json";
pub(crate) const BINARY: &str = "binary";
pub(crate) const DATETIME: &str = "datetime";
pub(crate) const WITH: &str = "with";
pub(crate) const DATAFRAME: &str = "dataframe";

/// Options of `json(...)`.
pub(crate) const PRETTY: &str = "pretty";

/// Where the generated code finds the `result-serializers` crate.
pub(crate) const CRATE: &str = "crate";

/// The kinds, as error messages list them.
pub(crate) const KINDS: &[&str] = &[JSON, BINARY, DATETIME, DATAFRAME, WITH];

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
];
pub(crate) const JSON_OPTIONS_DF: &[&str] = &["layout", "infer_schema_length"];
pub(crate) const NDJSON_OPTIONS: &[&str] = &["infer_schema_length"];
pub(crate) const IPC_OPTIONS: &[&str] = &["compression", "level", "columns"];
pub(crate) const AVRO_OPTIONS: &[&str] = &["compression"];

/// The options of `json(...)`, as error messages list them.
pub(crate) const JSON_OPTIONS: &[&str] = &[PRETTY];
