//! A stored value as a person reads it, chosen by the serializer its record names: JSON
//! indented, a pickle as a Python literal, a date-time as its text, a table's schema and first
//! rows, the inside of a compressed result; hex for anything else (postcard has no schema).

use std::io::{self, Write};
use std::str::FromStr;

use result_serializers::dataframe::{DataFrameSerializer, FileType};
use result_serializers::polars::frame::DataFrame;
use result_serializers::{
    Codec, CompressedSerializer, Compression, Error, PickleSerializer, Serializer,
};

use super::Failure;

/// The rows a table shows.
const TABLE_ROWS: usize = 10;

/// The bytes shown in hex.
const HEX_BYTES: usize = 512;

pub(crate) fn value(
    serializer: &str,
    format: &str,
    bytes: &[u8],
    head: Option<usize>,
    out: &mut impl Write,
) -> Result<(), Failure> {
    match decoded(serializer, format, bytes, head) {
        Ok(Some(text)) => {
            let text = text.trim_end();
            // A table's `--head` is its rows, already cut; other values are cut by lines.
            let lines = head.filter(|_| table_file_type(serializer).is_none());
            match lines {
                Some(lines) if text.lines().count() > lines => {
                    for line in text.lines().take(lines) {
                        writeln!(out, "{line}")?;
                    }
                    writeln!(
                        out,
                        "... {} more lines (`--head` shows more)",
                        text.lines().count() - lines
                    )?;
                }
                _ => writeln!(out, "{text}")?,
            }
        }
        Ok(None) => hex(bytes, out)?,
        Err(err) => {
            writeln!(
                out,
                "(the {serializer} serializer cannot read it: {err}; its bytes follow)"
            )?;
            hex(bytes, out)?;
        }
    }
    Ok(())
}

/// The value's text, or `None` where only its bytes can be shown.
fn decoded(
    serializer: &str,
    format: &str,
    bytes: &[u8],
    head: Option<usize>,
) -> Result<Option<String>, Error> {
    if let Some(file_type) = table_file_type(serializer) {
        let frame: DataFrame = DataFrameSerializer::new(file_type).deserialize(bytes)?;
        let rows = head.unwrap_or(TABLE_ROWS);
        let shown = frame.head(Some(rows));
        return Ok(Some(format!(
            "{}, {}; the first {}:\n{}",
            super::plural(frame.height(), "row"),
            super::plural(frame.width(), "column"),
            frame.height().min(rows),
            shown
        )));
    }
    if let Ok(codec) = Codec::from_str(serializer) {
        // `<codec> [level N] around <inner format>`: the inner serializer's name leads it.
        let inner_format = format.split_once(" around ").map_or("", |(_, inner)| inner);
        let inner = Passthrough::name_of(inner_format);
        let plain: Vec<u8> =
            CompressedSerializer::new(Passthrough, Compression::new(codec)).deserialize(bytes)?;
        return match decoded(inner, inner_format, &plain, head)? {
            Some(text) => Ok(Some(format!(
                "{codec}, {} bytes inside:\n{text}",
                plain.len()
            ))),
            None => Ok(None),
        };
    }
    Ok(match serializer {
        "json" => Some(json(bytes)),
        "datetime" => Some(String::from_utf8_lossy(bytes).into_owned()),
        "pickle" => Some(python_literal(
            &PickleSerializer::new().deserialize_value(bytes)?,
        )),
        _ => None,
    })
}

/// A pickled value as a Python literal: `2.0` stays a float, strings quoted.
fn python_literal(value: &result_serializers::serde_pickle::Value) -> String {
    use result_serializers::serde_pickle::{HashableValue, Value};
    fn float(value: f64) -> String {
        if value.is_nan() {
            "nan".into()
        } else if value.is_infinite() {
            if value > 0.0 { "inf" } else { "-inf" }.into()
        } else {
            format!("{value:?}")
        }
    }
    fn key(value: &HashableValue) -> String {
        python_literal(&value.clone().into_value())
    }
    fn join(items: impl Iterator<Item = String>) -> String {
        items.collect::<Vec<_>>().join(", ")
    }
    match value {
        Value::None => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::I64(int) => int.to_string(),
        Value::Int(int) => int.to_string(),
        Value::F64(value) => float(*value),
        Value::Bytes(bytes) => format!("b{:?}", String::from_utf8_lossy(bytes)),
        Value::String(text) => format!("{text:?}"),
        Value::List(items) => format!("[{}]", join(items.iter().map(python_literal))),
        Value::Tuple(items) if items.len() == 1 => {
            format!("({},)", join(items.iter().map(python_literal)))
        }
        Value::Tuple(items) => format!("({})", join(items.iter().map(python_literal))),
        Value::Set(items) if items.is_empty() => "set()".into(),
        Value::Set(items) => format!("{{{}}}", join(items.iter().map(key))),
        Value::FrozenSet(items) => format!("frozenset({{{}}})", join(items.iter().map(key))),
        Value::Dict(members) => format!(
            "{{{}}}",
            join(
                members
                    .iter()
                    .map(|(k, v)| format!("{}: {}", key(k), python_literal(v)))
            )
        ),
    }
}

fn table_file_type(serializer: &str) -> Option<FileType> {
    let name = serializer
        .strip_prefix("dataframe (")
        .or_else(|| serializer.strip_prefix("rows ("))?
        .strip_suffix(')')?;
    FileType::from_str(name).ok()
}

/// JSON indented, its keys in their stored order (transcoded token by token, not through a
/// map that sorts them); as stored when it is not JSON serde reads (Python's `NaN`, say).
fn json(bytes: &[u8]) -> String {
    let mut pretty = Vec::new();
    let mut reader = serde_json::Deserializer::from_slice(bytes);
    let mut writer = serde_json::Serializer::pretty(&mut pretty);
    match serde_transcode::transcode(&mut reader, &mut writer).and_then(|()| reader.end()) {
        Ok(()) => String::from_utf8_lossy(&pretty).into_owned(),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// Offset, sixteen bytes in hex, and their printable ASCII.
pub(crate) fn hex(bytes: &[u8], out: &mut impl Write) -> io::Result<()> {
    for (row, chunk) in bytes.chunks(16).take(HEX_BYTES / 16).enumerate() {
        let hex: Vec<String> = chunk.iter().map(|byte| format!("{byte:02x}")).collect();
        let text: String = chunk
            .iter()
            .map(|&byte| {
                if byte.is_ascii_graphic() || byte == b' ' {
                    char::from(byte)
                } else {
                    '.'
                }
            })
            .collect();
        writeln!(out, "{:08x}  {:<47}  {text}", row * 16, hex.join(" "))?;
    }
    if bytes.len() > HEX_BYTES {
        writeln!(
            out,
            "... {} more bytes (`--raw` writes them all)",
            bytes.len() - HEX_BYTES
        )?;
    }
    Ok(())
}

/// The bytes inside a compressed result, as they are.
#[derive(Debug, Default, PartialEq)]
struct Passthrough;

impl Passthrough {
    /// The serializer name a format identity starts with.
    fn name_of(format: &str) -> &'static str {
        ["json", "datetime", "pickle", "binary"]
            .into_iter()
            .find(|name| format.starts_with(name))
            .or_else(|| {
                FileType::ALL.into_iter().find_map(|file_type| {
                    let name = Serializer::<DataFrame>::name(&DataFrameSerializer::new(file_type));
                    format.starts_with(name).then_some(name)
                })
            })
            .unwrap_or("")
    }
}

impl Serializer<Vec<u8>> for Passthrough {
    fn serialize(&self, value: &Vec<u8>) -> Result<Vec<u8>, Error> {
        Ok(value.clone())
    }

    fn deserialize(&self, bytes: &[u8]) -> Result<Vec<u8>, Error> {
        Ok(bytes.to_vec())
    }

    fn name(&self) -> &'static str {
        "bytes"
    }

    fn format_identity(&self) -> String {
        "bytes".into()
    }
}

#[cfg(test)]
mod tests {
    use result_serializers::serde_pickle::{HashableValue, Value};

    use super::python_literal;

    #[test]
    fn pickles_read_as_python_writes_them() {
        let value = Value::List(vec![
            Value::F64(2.0),
            Value::F64(0.5),
            Value::I64(2),
            Value::String("a".into()),
            Value::None,
            Value::Bool(true),
            Value::Tuple(vec![Value::I64(1)]),
            Value::Dict(std::iter::once((HashableValue::I64(1), Value::F64(f64::NAN))).collect()),
        ]);
        assert_eq!(
            python_literal(&value),
            r#"[2.0, 0.5, 2, "a", None, True, (1,), {1: nan}]"#
        );
    }
}
