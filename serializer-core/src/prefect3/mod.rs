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
//! | an aware `datetime.time` | tagged ISO text with its offset, `23:59:59Z` | [`AwareTime`] |
//! | `datetime.timedelta` | tagged ISO 8601 duration, `PT1H30M` | `TimeDelta` (with [`tagged`] in a hand-written serde impl: chrono's has none) |
//! | `uuid.UUID`, `decimal.Decimal` | tagged text | `uuid::Uuid`, `rust_decimal::Decimal` |
//! | `bytes` | tagged UTF-8 text | `serde_bytes::ByteBuf`, `Vec<u8>` |
//! | `set`, `frozenset` | tagged list | `BTreeSet`, `HashSet`, `Vec` |
//! | a pydantic model, a dataclass | tagged object of its fields | a struct; renamed to the class (`#[serde(rename = "flows.models.Reading")]`), it reads that class only |
//! | one of Python's builtin exceptions | `{"__exc_type__": "builtins.ValueError", "message": ...}` | [`PythonException`] |
//! | `tuple` | a list (Prefect reads it back as a list) | a tuple or `Vec` |
//! | `int` past 64 bits | its digits | `i128`, `u128` |
//! | `NaN`, `Infinity` | bare tokens | `f64` |
//!
//! A tag reads only as the class the Rust type asks for (the type of the table, or a serde name
//! that is a class, [`tagged`] fields included); any other class is an error naming both, at
//! its path in the value. A type that names no class (a `String`, a map) does not read a tag.
//! With `object_decoder: null`, as in Prefect, no object is a tag.
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
//! A value is built once into its Python object, which both writers write. A class is in it
//! only where a Rust type's `ToPython` put it (never because a map's keys look like a tag): a
//! map is a `dict`, in its order. Prefect's JSON cannot hold a `dict` with a `__class__` or
//! `__exc_type__` key (its decoder would import and call what the key's value names), so JSON
//! refuses one and a pickle holds it as the `dict` it is.
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
mod config;
mod de;
mod dumps;
mod kwargs;
mod names;
mod object;
mod pickle;
mod python;
#[cfg(feature = "store")]
mod store;

pub use self::classes::{tagged, AwareTime, PythonClass};
pub use self::config::{
    Prefect3Compressed, Prefect3Json, Prefect3Pickle, Prefect3Serializer, UnknownSerializer,
};
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

use self::config::{DECODER, ENCODER};
use crate::error::{Error, ErrorKind, Operation};

const NAME: &str = "prefect3";

/// The metadata Prefect 3 keeps beside a result: in the record, or in the metadata store.
///
/// It reads as Prefect's `ResultRecordMetadata` does: every field may be missing (the
/// serializer is then Prefect's default, pickle), and fields Prefect does not know are ignored;
/// a `null` where Prefect wants a value (`prefect_version`), a `storage_block_id` that is no
/// UUID, or a serializer configuration with a key its model does not have is refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prefect3Metadata {
    /// Where Prefect wrote the result: the key in its result storage, often an absolute path;
    /// missing in records of older Prefect versions.
    #[serde(default)]
    pub storage_key: Option<String>,
    /// When the result expires; an expired result is absent, as it is to Prefect.
    #[serde(default)]
    pub expiration: Option<DateTime<Utc>>,
    /// The serializer and its whole configuration.
    #[serde(default = "Prefect3Serializer::pickle")]
    pub serializer: Prefect3Serializer,
    /// The Prefect version that wrote the result (Prefect's own when missing; never `null`).
    #[serde(
        default,
        deserialize_with = "config::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub prefect_version: Option<String>,
    /// The storage block the result is in, when Prefect stored it through one: a UUID.
    #[serde(default, deserialize_with = "config::uuid_text")]
    pub storage_block_id: Option<String>,
}

/// The record layout: the metadata and the serializer's output as text, in one JSON object
/// (other members are ignored, as Prefect's `ResultRecord` ignores them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prefect3Record {
    /// The metadata.
    pub metadata: Prefect3Metadata,
    /// The serializer's output, as text.
    pub result: String,
}

/// An exception a flow returned, as Prefect 3's JSON encoder writes it: one of Python's
/// builtin exceptions that take a message (`builtins.ValueError`), the only ones read and
/// written, so that no value names a module for Python to import. Prefect refuses a class it
/// cannot import; another module's exception is refused here, read or written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PythonException {
    /// The exception's class, with its module: `builtins.ValueError`.
    #[serde(rename = "__exc_type__", deserialize_with = "builtin_exception_class")]
    pub exc_type: String,
    /// Its message.
    pub message: String,
}

fn builtin_exception_class<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<String, D::Error> {
    let class = String::deserialize(deserializer)?;
    match names::builtin_exception(&class) {
        Some(_) => Ok(class),
        None => Err(serde::de::Error::custom(format_args!(
            "the exception class `{class}` is not one of Python's builtin exceptions, the only ones read"
        ))),
    }
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

impl Prefect3Metadata {
    /// The metadata of a result Prefect will find at `storage_key`, written with `serializer`,
    /// expiring at `expiration` (`None`: never).
    pub fn new(
        storage_key: impl Into<String>,
        serializer: Prefect3Serializer,
        expiration: Option<DateTime<Utc>>,
    ) -> Self {
        Prefect3Metadata {
            storage_key: Some(storage_key.into()),
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
        parse_json(bytes, "a Prefect 3 result record")
    }
}

impl Prefect3Metadata {
    /// Parses a metadata object (the `split` layout's metadata file).
    pub fn from_slice(bytes: &[u8]) -> Result<Self, Error> {
        parse_json(bytes, "a Prefect 3 result's metadata")
    }

    /// Whether `storage_key` names the result at `key`: it is `key` itself, or a path of
    /// Prefect's machine ending in `/key` (Prefect reads a `split` result at its `storage_key`,
    /// and refuses one without it; this crate reads at the key, and where the two name other
    /// results, neither is read).
    pub fn names_key(&self, key: &str) -> bool {
        self.storage_key.as_deref().is_some_and(|stored| {
            stored == key
                || stored
                    .strip_suffix(key)
                    .is_some_and(|path| path.ends_with('/'))
        })
    }

    /// Whether the result has expired at `now`.
    pub fn is_expired_at(&self, now: DateTime<Utc>) -> bool {
        self.expiration.is_some_and(|expiration| expiration <= now)
    }
}

/// `bytes` parsed as `what`, an error saying where in it they are not one.
fn parse_json<T: DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, Error> {
    let mut parser = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut parser).map_err(|err| {
        let path = err.path().to_string();
        let reason = err.into_inner();
        error(ErrorKind::malformed(match path.as_str() {
            "." | "" => format!("not {what}: {reason}"),
            path => format!("not {what}: at `{path}`: {reason}"),
        }))
    })?;
    parser
        .end()
        .map_err(|err| error(ErrorKind::malformed(format!("not {what}: {err}"))))?;
    Ok(value)
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
        Prefect3Serializer::Unknown(unknown) => Err(error(unknown_serializer(unknown, "read"))),
    }
}

fn unknown_serializer(unknown: &UnknownSerializer, verb: &str) -> ErrorKind {
    ErrorKind::invalid_option(format!(
        "the serializer `{}` is not one Prefect 3 ships, and its results are not {verb}",
        unknown.kind()
    ))
}

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
    if let Some((option, _)) = json
        .dumps_kwargs
        .iter()
        .find(|(option, _)| *option == "default")
    {
        return Some(format!(
            "the `json.dumps` option `{option}`, which Prefect refuses (its `object_encoder` sets it)"
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
    let decoder = match json.object_decoder {
        Some(_) => de::Decoder::Prefect,
        None => de::Decoder::None,
    };
    let value =
        crate::json::parse_python(bytes).map_err(|reason| error(ErrorKind::malformed(reason)))?;
    serde_path_to_error::deserialize(de::Tagged::new(value, decoder)).map_err(|err| {
        let path = err.path().to_string();
        let reason = err.into_inner();
        let reason = match path.as_str() {
            "." | "" => reason.to_string(),
            path => format!("at `{path}`: {reason}"),
        };
        error(ErrorKind::mismatch(reason))
    })
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
/// layout's `result` text.
///
/// JSON takes the `dumps_kwargs` that change its layout (`indent`, `separators`, `sort_keys`,
/// `ensure_ascii`); any other is an error naming it. A `dict` with a `__class__` or
/// `__exc_type__` key is refused in JSON, where Prefect's decoder would import and call what
/// its value names; a pickle holds it as the `dict` it is. A class is written only where a
/// Rust type says so ([`ToPython`]).
pub fn write_result<T: ToPython + ?Sized>(
    serializer: &Prefect3Serializer,
    value: &T,
) -> Result<Vec<u8>, Error> {
    let unrepresentable = |reason: String| write_error(ErrorKind::unrepresentable(reason));
    match serializer {
        Prefect3Serializer::Json(json) => {
            if let Some(reason) = unhonoured(json, true) {
                return Err(write_error(ErrorKind::invalid_option(reason)));
            }
            let dumps = dumps::Dumps::from_kwargs(json.dumps_kwargs.iter())
                .map_err(|reason| write_error(ErrorKind::invalid_option(reason)))?;
            let object = object::build(&python::In(value, Layout::Tagged))
                .map_err(|err| unrepresentable(err.0))?;
            let mut out = Vec::with_capacity(128);
            dumps.write(&object, &mut out).map_err(unrepresentable)?;
            Ok(out)
        }
        Prefect3Serializer::Pickle(config) => {
            if !matches!(config.picklelib.as_str(), "cloudpickle" | "pickle") {
                return Err(write_error(ErrorKind::invalid_option(format!(
                    "the pickle library `{}` is not written; `cloudpickle` and `pickle` are",
                    config.picklelib
                ))));
            }
            let object = object::build(&python::In(value, Layout::Pickle))
                .map_err(|err| unrepresentable(err.0))?;
            let pickle = pickle::write(&object).map_err(unrepresentable)?;
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
        Prefect3Serializer::Unknown(unknown) => {
            Err(write_error(unknown_serializer(unknown, "written")))
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
