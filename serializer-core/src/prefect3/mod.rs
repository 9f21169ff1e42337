//! Prefect 3's result records: what a Prefect 3 flow persisted, read into Rust types, and
//! results written for a flow to read back as the Python values it expects.
//!
//! Prefect 3's `ResultStore` writes a result in one of two layouts. In the `record` layout the
//! key holds one JSON object, `{"metadata": {...}, "result": "<the serializer's output>"}`; in
//! the `split` layout the key holds the serializer's output alone and the metadata object is
//! kept apart (Prefect's `metadata_storage`, at the same key). The metadata names the serializer
//! with its whole configuration ([`Prefect3Serializer`]), when the result expires, and the
//! Prefect version that wrote it.
//!
//! The serializers' outputs: `json` is Python's `json.dumps` with Prefect's object encoder,
//! which writes what JSON cannot hold as `{"__class__": "datetime.datetime", "data": "..."}`;
//! `pickle` is a (cloud)pickle in base64 lines; `compressed` (and `compressed/json`,
//! `compressed/pickle`) is another serializer's output compressed (lzma by default, or zlib,
//! bz2, gzip) in base64 lines. [`read_result`] reads any of them into a Rust type:
//!
//! | Python | Prefect 3's JSON | Rust |
//! |---|---|---|
//! | `datetime.datetime` | `{"__class__": "datetime.datetime", "data": "2020-12-16T21:36:00Z"}` | `DateTime<Utc>`, `DateTime<FixedOffset>`, `NaiveDateTime` |
//! | `datetime.date`, `datetime.time` | tagged ISO text | `NaiveDate`, `NaiveTime` |
//! | `datetime.timedelta` | tagged ISO 8601 duration, `PT1H30M` | `TimeDelta` (with [`tagged`] in a hand-written serde impl: chrono's has none) |
//! | `uuid.UUID`, `decimal.Decimal` | tagged text | `uuid::Uuid`, `rust_decimal::Decimal`, or any type that reads the text |
//! | `bytes` | tagged UTF-8 text | `serde_bytes::ByteBuf`, `Vec<u8>` |
//! | `set`, `frozenset` | tagged list | `BTreeSet`, `HashSet`, `Vec` |
//! | a pydantic model, a dataclass | tagged object of its fields | a struct; renamed to the class (`#[serde(rename = "flows.models.Reading")]`), it reads that class only |
//! | an exception | `{"__exc_type__": "builtins.ValueError", "message": ...}` | [`PythonException`] |
//! | `tuple` | a list (Prefect reads it back as a list) | a tuple or `Vec` |
//! | `int` past 64 bits | its digits | `i128`, `u128` |
//! | `NaN`, `Infinity` | bare tokens | `f64` |
//!
//! A pickle is read as [`PickleSerializer`](crate::PickleSerializer) reads one: plain data and
//! the well-known classes (`datetime`, `date`, `time`, `timedelta`, `UUID`, `Decimal`, into the
//! Rust types above), and any other class refused with its name, never imported or run.
//!
//! # Writing
//!
//! [`write_result`], [`Prefect3Record::of`] and `Prefect3Store::write` take a [`ToPython`]
//! value, which is written as the Python value it stands for, so that a flow gets back the
//! types it would have persisted itself: the Rust types above as `datetime`, `date`, `time`,
//! `timedelta`, `UUID`, `Decimal`, `bytes`, `set`; a struct renamed to a Python class as that
//! pydantic model or dataclass (its fields as pydantic writes them); an `i128` as an `int`.
//! `#[derive(ToPython)]` (in `result_serializers`, with the `derive` feature) implements it
//! from a struct's field types, following serde's `rename`, `rename_all`, `skip` and
//! `skip_serializing_if`; a field of a type with no Python counterpart is a compile error at
//! the field. [`SerdeValue`] writes any `Serialize` type as serde writes it. JSON takes the
//! `dumps_kwargs` that change its layout (`indent`, `separators`, `sort_keys`,
//! `ensure_ascii`), and a pickle holds the Python objects themselves.
//!
//! A Prefect 3 result location (its `result_storage`, and in the `split` layout its
//! `metadata_storage`) on the local disk, S3, Azure or GCS opens as a `Prefect3Store` (the
//! `store` feature; `BlockingPrefect3Store` for synchronous code), which reads and writes
//! results by key as Prefect's `ResultStore` does, an expired result being absent.
//!
//! # What is not read
//!
//! Of the 322 results Prefect 3.9.1 wrote for this crate's tests (23 values, seven serializer
//! configurations, both layouts), 306 read to what Prefect itself reads back. These 16 are
//! refused, each with an error naming the reason:
//!
//! | value | serializers | reason |
//! |---|---|---|
//! | a pydantic model (`prefect3_vector_models.Reading`) | `pickle`, `compressed/pickle` | the pickle refers to the class `prefect3_vector_models.Reading`, which is never imported or run |
//! | a dataclass (`prefect3_vector_models.Point`) | `pickle`, `compressed/pickle` | likewise, `prefect3_vector_models.Point` |
//! | an exception (`ValueError("bad input")`) | `pickle`, `compressed/pickle` | likewise, `builtins.ValueError` |
//! | an integer past 64 bits (`2**70`) | `pickle`, `compressed/pickle` | `serde-pickle` reads no integer past 64 bits into a Rust type ("i128 is not supported"); [`PickleSerializer::deserialize_value`](crate::PickleSerializer::deserialize_value) reads it as `serde_pickle::Value` |
//!
//! The same values written as JSON read, and this crate writes all four into pickles that
//! Prefect reads back.

mod classes;
mod de;
mod kwargs;
mod pickle;
mod python;
#[cfg(feature = "store")]
mod store;

pub use self::classes::{tagged, PythonClass};
pub use self::kwargs::Kwargs;
#[doc(hidden)]
pub use self::python::__derive;
pub use self::python::{Layout, Python, SerdeValue, ToPython};
#[cfg(feature = "store")]
pub use self::store::{BlockingPrefect3Store, Prefect3Store};

use std::fmt;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Operation};

const NAME: &str = "prefect3";

/// The metadata Prefect 3 keeps beside a result: in the record, or in the metadata store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prefect3Metadata {
    /// Where Prefect wrote the result: the key in its result storage, often an absolute path.
    pub storage_key: String,
    /// When the result expires; an expired result is absent, as it is to Prefect.
    pub expiration: Option<DateTime<Utc>>,
    /// The serializer and its whole configuration.
    pub serializer: Prefect3Serializer,
    /// The Prefect version that wrote the result.
    pub prefect_version: Option<String>,
    /// The storage block the result is in, when Prefect stored it through one.
    pub storage_block_id: Option<String>,
}

/// A Prefect 3 serializer's configuration, as its metadata carries it, dispatched on `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Prefect3Serializer {
    /// `JSONSerializer`: stdlib `json` with Prefect's object encoder.
    #[serde(rename = "json")]
    Json(Prefect3Json),
    /// `PickleSerializer`: cloudpickle (or pickle) in base64 lines.
    #[serde(rename = "pickle")]
    Pickle(Prefect3Pickle),
    /// `CompressedSerializer` around another serializer.
    #[serde(rename = "compressed")]
    Compressed(Prefect3Compressed),
    /// `CompressedJSONSerializer`: `compressed` around `json`.
    #[serde(rename = "compressed/json")]
    CompressedJson(Prefect3Compressed),
    /// `CompressedPickleSerializer`: `compressed` around `pickle`.
    #[serde(rename = "compressed/pickle")]
    CompressedPickle(Prefect3Compressed),
}

/// The configuration of Prefect 3's `JSONSerializer`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prefect3Json {
    /// The JSON library: `json` is the one read.
    pub jsonlib: String,
    /// The encoder of what JSON cannot hold.
    pub object_encoder: Option<String>,
    /// The decoder of what the encoder wrote.
    pub object_decoder: Option<String>,
    /// Arguments of `json.dumps`: `indent`, `sort_keys`, `separators` and `ensure_ascii`
    /// change the bytes, not the value.
    #[serde(default)]
    pub dumps_kwargs: Kwargs,
    /// Arguments of `json.loads`.
    #[serde(default)]
    pub loads_kwargs: Kwargs,
}

/// The configuration of Prefect 3's `PickleSerializer`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prefect3Pickle {
    /// The pickle library: `cloudpickle` or `pickle`.
    pub picklelib: String,
    /// Its version, when recorded.
    pub picklelib_version: Option<String>,
}

/// The configuration of Prefect 3's `CompressedSerializer`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prefect3Compressed {
    /// The serializer whose output is compressed.
    pub serializer: Box<Prefect3Serializer>,
    /// The Python module that compresses: `lzma`, `zlib`, `bz2` or `gzip`.
    pub compressionlib: String,
}

/// The record layout: the metadata and the serializer's output as text, in one JSON object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prefect3Record {
    /// The metadata.
    pub metadata: Prefect3Metadata,
    /// The serializer's output, as text.
    pub result: String,
}

/// An exception a flow returned, as Prefect 3's JSON encoder writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PythonException {
    /// The exception's class, with its module: `builtins.ValueError`.
    #[serde(rename = "__exc_type__")]
    pub exc_type: String,
    /// Its message.
    pub message: String,
}

impl fmt::Display for PythonException {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.exc_type, self.message)
    }
}

impl std::error::Error for PythonException {}

fn error(kind: ErrorKind) -> Error {
    Error::new(NAME, Operation::Deserialize, kind)
}

fn write_error(kind: ErrorKind) -> Error {
    Error::new(NAME, Operation::Serialize, kind)
}

/// The Prefect version whose result layout this module writes, recorded as
/// `prefect_version` in what it writes.
pub const PREFECT_VERSION: &str = "3.9.1";

impl Prefect3Serializer {
    /// Prefect 3's default `JSONSerializer`, as its metadata records it.
    pub fn json() -> Self {
        Prefect3Serializer::Json(Prefect3Json {
            jsonlib: "json".into(),
            object_encoder: Some(ENCODER.into()),
            object_decoder: Some(DECODER.into()),
            dumps_kwargs: Kwargs::new(),
            loads_kwargs: Kwargs::new(),
        })
    }

    /// Prefect 3's default `PickleSerializer` (cloudpickle).
    pub fn pickle() -> Self {
        Prefect3Serializer::Pickle(Prefect3Pickle {
            picklelib: "cloudpickle".into(),
            picklelib_version: None,
        })
    }

    /// `CompressedSerializer` around `inner`, compressing with the Python module `library`
    /// (`lzma`, Prefect's default, `zlib`, `bz2` or `gzip`).
    pub fn compressed(inner: Prefect3Serializer, library: &str) -> Self {
        Prefect3Serializer::Compressed(Prefect3Compressed {
            serializer: Box::new(inner),
            compressionlib: library.into(),
        })
    }
}

impl Prefect3Metadata {
    /// The metadata of a result Prefect will find at `storage_key`, written with `serializer`,
    /// expiring at `expiration` (`None`: never).
    pub fn new(
        storage_key: impl Into<String>,
        serializer: Prefect3Serializer,
        expiration: Option<DateTime<Utc>>,
    ) -> Self {
        Prefect3Metadata {
            storage_key: storage_key.into(),
            expiration,
            serializer,
            prefect_version: Some(PREFECT_VERSION.into()),
            storage_block_id: None,
        }
    }

    /// The metadata as the `split` layout's metadata file holds it.
    pub fn to_vec(&self) -> Result<Vec<u8>, Error> {
        serde_json::to_vec(self).map_err(|err| write_error(ErrorKind::Json(err)))
    }
}

impl Prefect3Record {
    /// The record of `value` written with `metadata`'s serializer.
    pub fn of<T: ToPython + ?Sized>(metadata: Prefect3Metadata, value: &T) -> Result<Self, Error> {
        let result = write_result(&metadata.serializer, value)?;
        let result = String::from_utf8(result).map_err(|_| {
            write_error(ErrorKind::unrepresentable(
                "the serializer's output is not text, which a record's `result` must be",
            ))
        })?;
        Ok(Prefect3Record { metadata, result })
    }

    /// The record as the `record` layout holds it at its key.
    pub fn to_vec(&self) -> Result<Vec<u8>, Error> {
        serde_json::to_vec(self).map_err(|err| write_error(ErrorKind::Json(err)))
    }

    /// Reads the record's result into `T`.
    pub fn read<T: DeserializeOwned>(&self) -> Result<T, Error> {
        read_result(&self.metadata.serializer, self.result.as_bytes())
    }

    /// Parses a record (the `record` layout's bytes at a key).
    pub fn from_slice(bytes: &[u8]) -> Result<Self, Error> {
        serde_json::from_slice(bytes).map_err(|err| {
            error(ErrorKind::malformed(format!(
                "not a Prefect 3 result record: {err}"
            )))
        })
    }
}

impl Prefect3Metadata {
    /// Parses a metadata object (the `split` layout's metadata file).
    pub fn from_slice(bytes: &[u8]) -> Result<Self, Error> {
        serde_json::from_slice(bytes).map_err(|err| {
            error(ErrorKind::malformed(format!(
                "not a Prefect 3 result's metadata: {err}"
            )))
        })
    }

    /// Whether the result has expired at `now`.
    pub fn is_expired_at(&self, now: DateTime<Utc>) -> bool {
        self.expiration.is_some_and(|expiration| expiration <= now)
    }
}

/// Reads the serializer's output `result` (the record's `result` text as bytes, or the `split`
/// layout's file) into `T`, as `serializer` wrote it.
pub fn read_result<T: DeserializeOwned>(
    serializer: &Prefect3Serializer,
    result: &[u8],
) -> Result<T, Error> {
    match serializer {
        Prefect3Serializer::Json(json) => read_json(json, result),
        Prefect3Serializer::Pickle(pickle) => read_pickle(pickle, result),
        Prefect3Serializer::Compressed(compressed)
        | Prefect3Serializer::CompressedJson(compressed)
        | Prefect3Serializer::CompressedPickle(compressed) => {
            let inner = decompress(&compressed.compressionlib, &from_base64_lines(result)?)?;
            read_result(&compressed.serializer, &inner)
        }
    }
}

/// Prefect's object encoder and decoder, which its default `JSONSerializer` names.
const ENCODER: &str = "prefect.serializers.prefect_json_object_encoder";
const DECODER: &str = "prefect.serializers.prefect_json_object_decoder";

/// The option of `json` that this crate cannot honour, where there is one: another JSON
/// library, object decoder or `json.loads` option; and for writing, another object encoder
/// (what it writes is Prefect's encoder's layout) or none (Prefect's decoder would then not
/// read the tags back). `dumps_kwargs` are checked by the writer.
fn unhonoured(json: &Prefect3Json, writing: bool) -> Option<String> {
    let verb = if writing { "written" } else { "read" };
    if json.jsonlib != "json" {
        return Some(format!(
            "the JSON library `{}` is not {verb}; Prefect's default `json` is",
            json.jsonlib
        ));
    }
    match json.object_decoder.as_deref() {
        Some(decoder) if decoder != DECODER => {
            return Some(format!(
                "the object decoder `{decoder}` is not {verb}; Prefect's default `{DECODER}` is"
            ))
        }
        None if writing => {
            return Some(format!(
                "no object decoder: Prefect would not read back the tags written; its default `{DECODER}` does"
            ))
        }
        _ => {}
    }
    if writing && json.object_encoder.as_deref() != Some(ENCODER) {
        return Some(format!(
            "the object encoder `{}` is not written; Prefect's default `{ENCODER}` is",
            json.object_encoder.as_deref().unwrap_or("None")
        ));
    }
    json.loads_kwargs
        .iter()
        .next()
        .map(|(option, _)| format!("the `json.loads` option `{option}` is not read by this crate"))
}

fn read_json<T: DeserializeOwned>(json: &Prefect3Json, bytes: &[u8]) -> Result<T, Error> {
    if let Some(reason) = unhonoured(json, false) {
        return Err(error(ErrorKind::invalid_option(reason)));
    }
    let value =
        crate::json::parse_python(bytes).map_err(|reason| error(ErrorKind::malformed(reason)))?;
    T::deserialize(de::Tagged(value)).map_err(|err| error(ErrorKind::mismatch(err.to_string())))
}

fn read_pickle<T: DeserializeOwned>(pickle: &Prefect3Pickle, bytes: &[u8]) -> Result<T, Error> {
    if !matches!(pickle.picklelib.as_str(), "cloudpickle" | "pickle") {
        return Err(error(ErrorKind::invalid_option(format!(
            "the pickle library `{}` is not read; `cloudpickle` and `pickle` are",
            pickle.picklelib
        ))));
    }
    crate::PickleSerializer::new().read_into(&from_base64_lines(bytes)?)
}

/// What `serializer` writes of `value`: the `split` layout's result file, or the `record`
/// layout's `result` text. JSON takes the `dumps_kwargs` that change its layout (`indent`,
/// `separators`, `sort_keys`, `ensure_ascii`; integer keys sort as their text, where Python
/// sorts them as numbers); any other is an error naming it.
pub fn write_result<T: ToPython + ?Sized>(
    serializer: &Prefect3Serializer,
    value: &T,
) -> Result<Vec<u8>, Error> {
    match serializer {
        Prefect3Serializer::Json(json) => {
            if let Some(reason) = unhonoured(json, true) {
                return Err(write_error(ErrorKind::invalid_option(reason)));
            }
            let dumps = crate::json::Dumps::from_kwargs(json.dumps_kwargs.iter())
                .map_err(|reason| write_error(ErrorKind::invalid_option(reason)))?;
            let default = crate::json::to_python_json(&python::In(value, Layout::Tagged))
                .map_err(|err| write_error(err.into_kind()))?;
            if dumps.is_default() {
                return Ok(default);
            }
            let parsed = crate::json::parse_python(&default)
                .map_err(|reason| write_error(ErrorKind::malformed(reason)))?;
            let mut out = Vec::with_capacity(default.len() * 2);
            dumps.write(&parsed, &mut out);
            Ok(out)
        }
        Prefect3Serializer::Pickle(config) => {
            if !matches!(config.picklelib.as_str(), "cloudpickle" | "pickle") {
                return Err(write_error(ErrorKind::invalid_option(format!(
                    "the pickle library `{}` is not written; `cloudpickle` and `pickle` are",
                    config.picklelib
                ))));
            }
            let value = serde_pickle::to_value(&python::In(value, Layout::Pickle))
                .map_err(|err| write_error(ErrorKind::Pickle(err)))?;
            let pickle = pickle::write(&value)
                .map_err(|reason| write_error(ErrorKind::unrepresentable(reason)))?;
            Ok(to_base64_lines(&pickle))
        }
        Prefect3Serializer::Compressed(compressed)
        | Prefect3Serializer::CompressedJson(compressed)
        | Prefect3Serializer::CompressedPickle(compressed) => {
            let inner = write_result(&compressed.serializer, value)?;
            let codec = codec(&compressed.compressionlib).map_err(write_error)?;
            Ok(to_base64_lines(&crate::compressed::compress_all(
                codec, &inner,
            )?))
        }
    }
}

/// Base64 in lines of 76 characters, each ending in a newline: Python's
/// `base64.encodebytes`, which Prefect's serializers write.
fn to_base64_lines(bytes: &[u8]) -> Vec<u8> {
    let text = base64::engine::general_purpose::STANDARD.encode(bytes);
    let mut out = Vec::with_capacity(text.len() + text.len() / 76 + 1);
    for line in text.as_bytes().chunks(76) {
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    out
}

/// Base64 with line breaks, as Python's `base64.encodebytes` writes it.
fn from_base64_lines(bytes: &[u8]) -> Result<Vec<u8>, Error> {
    let text: Vec<u8> = bytes
        .iter()
        .copied()
        .filter(|byte| !byte.is_ascii_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|err| {
            error(ErrorKind::malformed(format!(
                "the base64 text is not valid: {err}"
            )))
        })
}

/// `bytes` decompressed with the Python module `library`.
fn decompress(library: &str, bytes: &[u8]) -> Result<Vec<u8>, Error> {
    crate::compressed::decompress_all(codec(library).map_err(error)?, bytes)
}

/// The codec of the Python module `library`.
fn codec(library: &str) -> Result<crate::Codec, ErrorKind> {
    let codec = match library {
        "lzma" => "xz",
        "zlib" | "bz2" | "gzip" => library,
        other => {
            return Err(ErrorKind::invalid_option(format!(
                "the compression library `{other}` is not read or written; lzma, zlib, bz2 and gzip are"
            )))
        }
    };
    codec.parse().map_err(|_| {
        ErrorKind::invalid_option(format!(
            "`{library}` results need the crate's `{codec}` feature"
        ))
    })
}
