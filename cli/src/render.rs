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
    out: &mut impl Write,
) -> Result<(), Failure> {
    match decoded(serializer, format, bytes) {
        Ok(Some(text)) => writeln!(out, "{}", text.trim_end())?,
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
fn decoded(serializer: &str, format: &str, bytes: &[u8]) -> Result<Option<String>, Error> {
    if let Some(file_type) = table_file_type(serializer) {
        let frame: DataFrame = DataFrameSerializer::new(file_type).deserialize(bytes)?;
        return Ok(Some(format!(
            "{} rows, {} columns; the first {}:\n{}",
            frame.height(),
            frame.width(),
            frame.height().min(TABLE_ROWS),
            frame.head(Some(TABLE_ROWS))
        )));
    }
    if let Ok(codec) = Codec::from_str(serializer) {
        // `<codec> [level N] around <inner format>`: the inner serializer's name leads it.
        let inner_format = format.split_once(" around ").map_or("", |(_, inner)| inner);
        let inner = Passthrough::name_of(inner_format);
        let plain: Vec<u8> =
            CompressedSerializer::new(Passthrough, Compression::new(codec)).deserialize(bytes)?;
        return match decoded(inner, inner_format, &plain)? {
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
        "pickle" => Some(
            PickleSerializer::new()
                .deserialize_value(bytes)?
                .to_string(),
        ),
        _ => None,
    })
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
