//! JSON through `serde_json`.

mod finite;
mod python;

use std::cell::Cell;
use std::io::{self, Read, Write};

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};

use crate::error::{Error, ErrorKind, Operation};
use crate::serializer::Serializer;

const NAME: &str = "json";

/// How [`JsonSerializer`] lays out its output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum JsonStyle {
    /// No whitespace: byte for byte what `serde_json::to_vec` writes. The default.
    #[default]
    Compact,
    /// Two-space indentation: what `serde_json::to_vec_pretty` writes.
    Pretty,
    /// Byte for byte what Python's `json.dumps(value).encode()` writes, so Prefect's
    /// `JSONSerializer`: `", "` and `": "` separators, ASCII with `\uXXXX` escapes, Python's
    /// float `repr`, and `NaN`, `Infinity`, `-Infinity` for non-finite floats. Reading takes
    /// what `json.loads` takes, those tokens and UTF-16 and UTF-32 input included.
    Python,
}

/// Serializes values as JSON with `serde_json`: Prefect's `JSONSerializer`.
///
/// Output is byte for byte what `serde_json` writes, with one difference: a NaN or infinite
/// float is an [`ErrorKind::NonFiniteFloat`] error, where `serde_json` would silently write
/// `null`. Deserializing refuses anything but whitespace after the value, and reads every
/// finite float back to the same bits (`serde_json`'s `float_roundtrip`, which this crate
/// turns on: without it, a float such as `6.614126121978023e180` reads back one unit off).
///
/// ```
/// use serializer_core::{JsonSerializer, Serializer};
///
/// let bytes = JsonSerializer::pretty().serialize(&vec![1, 2])?;
/// assert_eq!(bytes, b"[\n  1,\n  2\n]");
/// assert!(JsonSerializer::new().serialize(&f64::NAN).is_err());
/// # Ok::<(), serializer_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct JsonSerializer {
    style: JsonStyle,
}

impl JsonSerializer {
    /// A serializer writing compact JSON.
    pub const fn new() -> Self {
        JsonSerializer {
            style: JsonStyle::Compact,
        }
    }

    /// A serializer writing indented JSON.
    pub const fn pretty() -> Self {
        JsonSerializer {
            style: JsonStyle::Pretty,
        }
    }

    /// A serializer writing and reading JSON as Python's `json` module (see
    /// [`JsonStyle::Python`]).
    pub const fn python() -> Self {
        JsonSerializer {
            style: JsonStyle::Python,
        }
    }

    /// The same serializer with another layout.
    #[must_use]
    pub const fn with_style(self, style: JsonStyle) -> Self {
        JsonSerializer { style }
    }

    /// The layout this serializer writes.
    pub const fn style(&self) -> JsonStyle {
        self.style
    }

    fn write<T, W>(&self, value: &T, writer: W) -> Result<(), Error>
    where
        T: Serialize + ?Sized,
        W: Write,
    {
        let marked = Cell::new(None);
        match self.style {
            JsonStyle::Compact => write_with(value, writer, CompactFormatter, &marked, false),
            JsonStyle::Pretty => write_with(value, writer, PrettyFormatter::new(), &marked, false),
            JsonStyle::Python => {
                let formatter = PythonFormatter {
                    marked: Some(&marked),
                };
                write_with(value, writer, formatter, &marked, true)
            }
        }
    }

    fn read_python<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
        // Most of what Python writes is strict JSON too, which serde_json reads fastest. Where
        // it reads the input, the value is the one Python's grammar gives, but for integers
        // past 64 bits (serde_json reads them as floats into untyped values) and `-0` (a float
        // to serde_json, an integer to Python): those, `NaN` and anything else it refuses
        // take Python's grammar.
        if python::strict_reading_agrees(bytes) {
            if let Ok(value) = serde_json::from_slice(bytes) {
                return Ok(value);
            }
        }
        let malformed =
            |reason: String| error(Operation::Deserialize, ErrorKind::malformed(reason));
        let text = python::decode_text(bytes).map_err(malformed)?;
        let value = python::parse(&text).map_err(malformed)?;
        T::deserialize(value)
            .map_err(|err| error(Operation::Deserialize, ErrorKind::mismatch(err.to_string())))
    }
}

fn write_with<T, W, F>(
    value: &T,
    writer: W,
    formatter: F,
    non_finite: &Cell<Option<f64>>,
    python: bool,
) -> Result<(), Error>
where
    T: Serialize + ?Sized,
    W: Write,
    F: Formatter,
{
    let check = finite::FloatCheck {
        found: non_finite,
        python,
    };
    let mut serializer = serde_json::Serializer::with_formatter(writer, formatter);
    value
        .serialize(finite::FiniteFloats::new(&mut serializer, check))
        .map_err(|err| match non_finite.get() {
            Some(value) if !python => {
                error(Operation::Serialize, ErrorKind::NonFiniteFloat { value })
            }
            _ => json_error(Operation::Serialize, err),
        })
}

/// Writes `value` with serde_json alone, through a formatter that fails at the first `null`;
/// false if anything failed. serde_json writes a non-finite float as `null`, so output
/// without one holds none, and comes at serde_json's speed, without the check of [`finite`]
/// on every value. Where this fails, the value is written again behind the check, which
/// tells a `None` from a `NaN`: the cost is the work done up to the first `null`.
///
/// Not inlined: inside `serialize`, beside the checked path, LLVM inlined less of serde_json
/// into it and W1 took 18% longer than `serde_json::to_vec`.
#[inline(never)]
fn write_unchecked<T: Serialize + ?Sized>(
    value: &T,
    bytes: &mut Vec<u8>,
    formatter: impl Formatter,
) -> bool {
    let mut serializer = serde_json::Serializer::with_formatter(bytes, formatter);
    value.serialize(&mut serializer).is_ok()
}

/// Compact JSON that fails at its first `null`, for [`write_unchecked`].
struct StopAtNull;

impl Formatter for StopAtNull {
    fn write_null<W: ?Sized + Write>(&mut self, _: &mut W) -> io::Result<()> {
        Err(io::ErrorKind::Other.into())
    }
}

fn error(operation: Operation, kind: ErrorKind) -> Error {
    Error::new(NAME, operation, kind)
}

fn json_error(operation: Operation, err: serde_json::Error) -> Error {
    let kind = if err.is_io() {
        ErrorKind::Io(err.into())
    } else {
        ErrorKind::Json(err)
    };
    error(operation, kind)
}

impl<T> Serializer<T> for JsonSerializer
where
    T: Serialize + DeserializeOwned,
{
    fn serialize(&self, value: &T) -> Result<Vec<u8>, Error> {
        // The capacity `serde_json::to_vec` starts with.
        let mut bytes = Vec::with_capacity(128);
        let written = match self.style {
            JsonStyle::Compact => write_unchecked(value, &mut bytes, StopAtNull),
            JsonStyle::Python => {
                write_unchecked(value, &mut bytes, PythonFormatter { marked: None })
            }
            JsonStyle::Pretty => false,
        };
        if written {
            return Ok(bytes);
        }
        bytes.clear();
        self.write(value, &mut bytes)?;
        Ok(bytes)
    }

    fn deserialize(&self, bytes: &[u8]) -> Result<T, Error> {
        if self.style == JsonStyle::Python {
            return Self::read_python(bytes);
        }
        serde_json::from_slice(bytes).map_err(|err| json_error(Operation::Deserialize, err))
    }

    fn serialize_into<W: Write>(&self, value: &T, writer: W) -> Result<(), Error> {
        self.write(value, writer)
    }

    /// Parses straight from `reader` without collecting its bytes first; wrap a file or socket
    /// in a [`std::io::BufReader`], or, when the bytes are in memory, call
    /// [`deserialize`](Serializer::deserialize), which is faster.
    fn deserialize_from<R: Read>(&self, mut reader: R) -> Result<T, Error> {
        if self.style == JsonStyle::Python {
            let mut bytes = Vec::new();
            reader
                .read_to_end(&mut bytes)
                .map_err(|err| error(Operation::Deserialize, ErrorKind::Io(err)))?;
            return Self::read_python(&bytes);
        }
        serde_json::from_reader(reader).map_err(|err| json_error(Operation::Deserialize, err))
    }

    fn name(&self) -> &'static str {
        NAME
    }

    fn format_identity(&self) -> String {
        match self.style {
            JsonStyle::Compact => NAME.to_owned(),
            JsonStyle::Pretty => format!("{NAME} (pretty)"),
            JsonStyle::Python => format!("{NAME} (python)"),
        }
    }

    fn self_describing(&self) -> bool {
        true
    }
}

/// Writes any `Serialize` value as Prefect's `JSONSerializer` did (`json.dumps`: `", "` and
/// `": "` separators, non-ASCII escaped, floats as Python's `repr`, `NaN` and `Infinity` as
/// Python writes them), without a type deriving `ResultSerializer`.
///
/// ```
/// let bytes = serializer_core::json::to_python_json(&vec![("a", 1.0), ("é", f64::NAN)])?;
/// assert_eq!(bytes, br#"[["a", 1.0], ["\u00e9", NaN]]"#);
/// let back: Vec<(String, f64)> = serializer_core::json::from_python_json(&bytes)?;
/// assert!(back[1].1.is_nan());
/// # Ok::<(), serializer_core::Error>(())
/// ```
pub fn to_python_json<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, Error> {
    let mut bytes = Vec::with_capacity(128);
    if write_unchecked(value, &mut bytes, PythonFormatter { marked: None }) {
        return Ok(bytes);
    }
    bytes.clear();
    JsonSerializer::python().write(value, &mut bytes)?;
    Ok(bytes)
}

/// The value Python's `json.loads` reads from `bytes`, before it is deserialized.
#[cfg(feature = "prefect3")]
pub(crate) fn parse_python(bytes: &[u8]) -> Result<PythonValue, String> {
    python::parse(&python::decode_text(bytes)?)
}

pub(crate) use python::PythonFormatter;
#[cfg(feature = "prefect3")]
pub(crate) use python::{write_float, Value as PythonValue};

/// Reads what Python's `json.dumps` (and Prefect's `JSONSerializer`) wrote into any
/// `Deserialize` value: see [`to_python_json`].
pub fn from_python_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    JsonSerializer::read_python(bytes)
}
