//! Walks an Avro object container file before polars reads it.
//!
//! polars' Avro reader trusts the counts and lengths it reads: a corrupt one makes it allocate
//! terabytes and abort, or panic. This walk decodes the header, every block (decompressed with
//! a bound) and every value by the file's schema, checking each count and length against the
//! bytes actually there, without building any value. A file that passes holds no length the
//! input cannot back.

use std::collections::HashMap;
use std::io::Read;

use serde_json::Value;

use crate::cursor::Cursor;
use crate::dataframe::bounds::{SLACK, SNAPPY_MAX_RATIO};
use crate::error::ErrorKind;

const MAGIC: &[u8] = b"Obj\x01";
const SYNC_LEN: usize = 16;
/// How deeply schemas and values may nest.
const MAX_DEPTH: usize = 64;
/// How many values that take no bytes (nulls, empty records) one count may repeat.
const MAX_EMPTY_REPEATS: u64 = 1 << 20;

/// A schema, with named types resolved through [`Schemas::named`].
#[derive(Debug, Clone)]
enum Schema {
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    Record(Vec<Schema>),
    Enum(u64),
    Array(Box<Schema>),
    Map(Box<Schema>),
    Union(Vec<Schema>),
    Fixed(usize),
    Named(String),
}

#[derive(Default)]
struct Schemas {
    named: HashMap<String, Schema>,
}

impl Schemas {
    fn parse(&mut self, json: &Value, namespace: &str, depth: usize) -> Result<Schema, ErrorKind> {
        if depth > MAX_DEPTH {
            return Err(ErrorKind::malformed("the schema nests too deeply"));
        }
        match json {
            Value::String(name) => Ok(self
                .primitive(name)
                .unwrap_or_else(|| Schema::Named(self.full_name(name, namespace)))),
            Value::Array(branches) => branches
                .iter()
                .map(|branch| self.parse(branch, namespace, depth + 1))
                .collect::<Result<_, _>>()
                .map(Schema::Union),
            Value::Object(object) => {
                let kind = object
                    .get("type")
                    .ok_or_else(|| ErrorKind::malformed("a schema has no type"))?;
                let Value::String(kind) = kind else {
                    return self.parse(kind, namespace, depth + 1);
                };
                // A primitive has no name; a named type without one gets the empty name, which
                // no reference can name, so nothing resolves to it by mistake.
                let name = object
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let namespace = object
                    .get("namespace")
                    .and_then(Value::as_str)
                    .unwrap_or(namespace);
                let full = self.full_name(name, namespace);
                let schema = match kind.as_str() {
                    "record" | "error" => {
                        // Registered first, so that fields may refer to the record itself.
                        self.named.insert(full.clone(), Schema::Record(Vec::new()));
                        let fields = object
                            .get("fields")
                            .and_then(Value::as_array)
                            .ok_or_else(|| ErrorKind::malformed("a record has no fields"))?;
                        let fields = fields
                            .iter()
                            .map(|field| {
                                let kind = field
                                    .get("type")
                                    .ok_or_else(|| ErrorKind::malformed("a field has no type"))?;
                                self.parse(kind, namespace, depth + 1)
                            })
                            .collect::<Result<_, _>>()?;
                        Schema::Record(fields)
                    }
                    "enum" => {
                        let symbols = object
                            .get("symbols")
                            .and_then(Value::as_array)
                            .map_or(0, Vec::len);
                        Schema::Enum(symbols as u64)
                    }
                    "array" => Schema::Array(Box::new(
                        self.parse(
                            object
                                .get("items")
                                .ok_or_else(|| ErrorKind::malformed("an array has no items"))?,
                            namespace,
                            depth + 1,
                        )?,
                    )),
                    "map" => Schema::Map(Box::new(
                        self.parse(
                            object
                                .get("values")
                                .ok_or_else(|| ErrorKind::malformed("a map has no values"))?,
                            namespace,
                            depth + 1,
                        )?,
                    )),
                    "fixed" => {
                        let size = object
                            .get("size")
                            .and_then(Value::as_u64)
                            .ok_or_else(|| ErrorKind::malformed("a fixed has no size"))?;
                        Schema::Fixed(
                            usize::try_from(size)
                                .map_err(|_| ErrorKind::malformed("a fixed size is too large"))?,
                        )
                    }
                    other => self.primitive(other).ok_or_else(|| {
                        ErrorKind::malformed(format!("unknown schema type `{other}`"))
                    })?,
                };
                if matches!(kind.as_str(), "record" | "error" | "enum" | "fixed") {
                    self.named.insert(full, schema.clone());
                }
                Ok(schema)
            }
            _ => Err(ErrorKind::malformed(
                "a schema is neither a name, a union nor an object",
            )),
        }
    }

    fn primitive(&self, name: &str) -> Option<Schema> {
        Some(match name {
            "null" => Schema::Null,
            "boolean" => Schema::Boolean,
            "int" => Schema::Int,
            "long" => Schema::Long,
            "float" => Schema::Float,
            "double" => Schema::Double,
            "bytes" | "string" => Schema::Bytes,
            _ => return None,
        })
    }

    fn full_name(&self, name: &str, namespace: &str) -> String {
        if name.contains('.') || namespace.is_empty() {
            name.to_string()
        } else {
            format!("{namespace}.{name}")
        }
    }
}

/// The reads of Avro's binary encoding on a [`Cursor`], each an error where the bytes run out.
trait Avro<'a> {
    /// Exactly `len` bytes.
    fn declared(&mut self, len: usize) -> Result<&'a [u8], ErrorKind>;
    /// A zigzag varint.
    fn long(&mut self) -> Result<i64, ErrorKind>;
    /// A varint that must not be negative.
    fn length(&mut self) -> Result<usize, ErrorKind>;
}

impl<'a> Avro<'a> for Cursor<'a> {
    fn declared(&mut self, len: usize) -> Result<&'a [u8], ErrorKind> {
        let remaining = self.remaining();
        self.take(len).ok_or_else(|| {
            ErrorKind::malformed(format!("{len} bytes are declared, {remaining} remain"))
        })
    }

    fn long(&mut self) -> Result<i64, ErrorKind> {
        let mut value: u64 = 0;
        for shift in (0..70).step_by(7) {
            let byte = *self.declared(1)?.first().unwrap_or(&0);
            if shift == 63 && byte > 1 {
                return Err(ErrorKind::malformed("a varint overflows 64 bits"));
            }
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(((value >> 1) as i64) ^ -((value & 1) as i64));
            }
        }
        Err(ErrorKind::malformed("a varint is longer than 10 bytes"))
    }

    fn length(&mut self) -> Result<usize, ErrorKind> {
        let length = self.long()?;
        usize::try_from(length)
            .map_err(|_| ErrorKind::malformed(format!("a length is negative ({length})")))
    }
}

fn walk(
    schemas: &Schemas,
    schema: &Schema,
    data: &mut Cursor<'_>,
    depth: usize,
) -> Result<(), ErrorKind> {
    if depth > MAX_DEPTH {
        return Err(ErrorKind::malformed("a value nests too deeply"));
    }
    match schema {
        Schema::Null => Ok(()),
        Schema::Boolean => match data.declared(1)? {
            [0 | 1] => Ok(()),
            _ => Err(ErrorKind::malformed("a boolean is neither 0 nor 1")),
        },
        Schema::Int | Schema::Long => data.long().map(drop),
        Schema::Float => data.declared(4).map(drop),
        Schema::Double => data.declared(8).map(drop),
        Schema::Bytes => {
            let len = data.length()?;
            data.declared(len).map(drop)
        }
        Schema::Fixed(size) => data.declared(*size).map(drop),
        Schema::Enum(symbols) => match u64::try_from(data.long()?) {
            Ok(index) if index < *symbols => Ok(()),
            _ => Err(ErrorKind::malformed("an enum index is out of range")),
        },
        Schema::Union(branches) => {
            let index = data.long()?;
            let branch = usize::try_from(index)
                .ok()
                .and_then(|index| branches.get(index))
                .ok_or_else(|| {
                    ErrorKind::malformed(format!(
                        "union branch {index} of {} does not exist",
                        branches.len()
                    ))
                })?;
            walk(schemas, branch, data, depth + 1)
        }
        Schema::Record(fields) => fields
            .iter()
            .try_for_each(|field| walk(schemas, field, data, depth + 1)),
        Schema::Array(items) => blocks(data, |data| walk(schemas, items, data, depth + 1)),
        Schema::Map(values) => blocks(data, |data| {
            let len = data.length()?;
            data.declared(len)?;
            walk(schemas, values, data, depth + 1)
        }),
        Schema::Named(name) => {
            let named = schemas.named.get(name).ok_or_else(|| {
                ErrorKind::malformed(format!("the schema names an unknown type `{name}`"))
            })?;
            walk(schemas, named, data, depth + 1)
        }
    }
}

/// Repeats `item` `count` times, bounding counts whose items take no bytes.
fn repeat(
    data: &mut Cursor<'_>,
    count: u64,
    mut item: impl FnMut(&mut Cursor<'_>) -> Result<(), ErrorKind>,
) -> Result<(), ErrorKind> {
    for done in 0..count {
        let before = data.pos();
        item(data)?;
        if data.pos() == before && count - done > MAX_EMPTY_REPEATS {
            return Err(ErrorKind::malformed(format!(
                "{count} values that take no bytes"
            )));
        }
    }
    Ok(())
}

/// An array's or map's blocks: a count (negative: followed by a byte size), up to count 0.
fn blocks(
    data: &mut Cursor<'_>,
    mut item: impl FnMut(&mut Cursor<'_>) -> Result<(), ErrorKind>,
) -> Result<(), ErrorKind> {
    loop {
        let count = data.long()?;
        if count == 0 {
            return Ok(());
        }
        if count < 0 {
            data.length()?;
        }
        repeat(data, count.unsigned_abs(), &mut item)?;
    }
}

fn decompress(codec: &str, block: &[u8]) -> Result<Vec<u8>, ErrorKind> {
    match codec {
        "null" => Ok(block.to_vec()),
        "deflate" => {
            // Deflate cannot expand a byte past 1,032, so the output is bounded by the input.
            let mut out = Vec::new();
            flate2::read::DeflateDecoder::new(block)
                .read_to_end(&mut out)
                .map_err(|err| {
                    ErrorKind::malformed(format!("a deflate block is corrupt: {err}"))
                })?;
            Ok(out)
        }
        "snappy" => {
            // A block shorter than its checksum is empty here, which snappy refuses below.
            let compressed = block
                .get(..block.len().saturating_sub(4))
                .unwrap_or_default();
            let declared = snap::raw::decompress_len(compressed)
                .map_err(|err| ErrorKind::malformed(format!("a snappy block is corrupt: {err}")))?;
            if declared as u64 > (compressed.len() as u64).saturating_mul(SNAPPY_MAX_RATIO) + SLACK
            {
                return Err(ErrorKind::malformed(format!(
                    "a snappy block of {} bytes claims {declared} bytes uncompressed",
                    compressed.len()
                )));
            }
            snap::raw::Decoder::new()
                .decompress_vec(compressed)
                .map_err(|err| ErrorKind::malformed(format!("a snappy block is corrupt: {err}")))
        }
        other => Err(ErrorKind::malformed(format!(
            "the codec `{other}` is not read (null, deflate and snappy are)"
        ))),
    }
}

pub(super) fn check(bytes: &[u8]) -> Result<(), ErrorKind> {
    let mut input = Cursor::new(bytes);
    if input.declared(MAGIC.len()).ok() != Some(MAGIC) {
        return Err(ErrorKind::malformed(
            "not an Avro object container file: it does not start with `Obj\\x01`",
        ));
    }
    let mut metadata = HashMap::new();
    loop {
        let count = input.long()?;
        if count == 0 {
            break;
        }
        if count < 0 {
            input.length()?;
        }
        repeat(&mut input, count.unsigned_abs(), |input| {
            let key_len = input.length()?;
            let key = String::from_utf8_lossy(input.declared(key_len)?).into_owned();
            let value_len = input.length()?;
            metadata.insert(key, input.declared(value_len)?.to_vec());
            Ok(())
        })?;
    }
    let sync = input.declared(SYNC_LEN)?;
    let schema_json: Value =
        serde_json::from_slice(metadata.get("avro.schema").map_or(&b""[..], Vec::as_slice))
            .map_err(|err| ErrorKind::malformed(format!("the schema is not JSON: {err}")))?;
    let mut schemas = Schemas::default();
    let schema = schemas.parse(&schema_json, "", 0)?;
    let codec = metadata.get("avro.codec").map_or_else(
        || "null".to_string(),
        |codec| String::from_utf8_lossy(codec).into_owned(),
    );

    while input.remaining() > 0 {
        let count = u64::try_from(input.long()?)
            .map_err(|_| ErrorKind::malformed("a block count is negative"))?;
        let size = input.length()?;
        let data = decompress(&codec, input.declared(size)?)?;
        let mut rows = Cursor::new(&data);
        repeat(&mut rows, count, |rows| walk(&schemas, &schema, rows, 0))?;
        if rows.remaining() != 0 {
            return Err(ErrorKind::malformed(format!(
                "a block has {} bytes after its {count} rows",
                rows.remaining()
            )));
        }
        if input.declared(SYNC_LEN)? != sync {
            return Err(ErrorKind::malformed(
                "a block does not end with the file's sync marker",
            ));
        }
    }
    Ok(())
}
