//! JSON as Python's `json.dumps` writes it and `json.loads` reads it.
//!
//! Writing is `serde_json` with a formatter for Python's layout (`", "` and `": "`, ASCII only
//! with `\uXXXX` escapes, `repr` floats) and the guard of [`super::finite`] for `NaN` and
//! `Infinity`. Reading needs a parser of its own, since `serde_json` has no way to carry a
//! `NaN` to serde: it reads Python's grammar (strict JSON plus `NaN`, `Infinity`, `-Infinity`,
//! integers that fit `i128` or `u128`, and UTF-16 or UTF-32 input) into a tree that is
//! then deserialized.

use std::cell::Cell;
use std::io::{self, Write};

use serde::de::value::{Error as DeError, MapDeserializer, SeqDeserializer};
use serde::de::{self, Deserializer, EnumAccess, IntoDeserializer, VariantAccess, Visitor};
use serde_json::ser::Formatter;

use super::finite::python_token;

/// How deeply arrays and objects may nest, as `serde_json` allows.
const MAX_DEPTH: usize = 128;

/// Python's layout; writes the token of a float the guard marked where `serde_json` asks
/// for a `null`. Without the guard (`marked` is `None`), a `null` is an error instead: it
/// may stand for a non-finite float, and the value has to be written again behind the guard.
pub(super) struct PythonFormatter<'a> {
    pub(super) marked: Option<&'a Cell<Option<f64>>>,
}

impl Formatter for PythonFormatter<'_> {
    fn write_null<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        let Some(marked) = self.marked else {
            return Err(io::ErrorKind::Other.into());
        };
        match marked.take() {
            Some(value) => writer.write_all(python_token(value).as_bytes()),
            None => writer.write_all(b"null"),
        }
    }

    fn write_f32<W: ?Sized + Write>(&mut self, writer: &mut W, value: f32) -> io::Result<()> {
        write_float(writer, f64::from(value))
    }

    fn write_f64<W: ?Sized + Write>(&mut self, writer: &mut W, value: f64) -> io::Result<()> {
        write_float(writer, value)
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }

    /// `ensure_ascii`: everything outside `' '..='~'` that `serde_json` does not escape itself
    /// (non-ASCII and DEL) as `\uXXXX`, with surrogate pairs above the BMP.
    #[inline]
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        // serde_json escapes the control characters itself: what is left to escape is DEL and
        // above. No early exit, so the check vectorizes.
        if fragment
            .bytes()
            .fold(true, |plain, byte| plain & (byte < 0x7f))
        {
            return writer.write_all(fragment.as_bytes());
        }
        write_ascii_escaped(writer, fragment)
    }
}

/// `fragment` with everything outside `' '..='~'` as `\uXXXX`; out of line, so that the
/// ASCII check above inlines.
#[cold]
fn write_ascii_escaped<W: ?Sized + Write>(writer: &mut W, fragment: &str) -> io::Result<()> {
    let mut units = [0u16; 2];
    for ch in fragment.chars() {
        if ch.is_ascii() && ch != '\x7f' {
            writer.write_all(&[ch as u8])?;
        } else {
            for &mut unit in ch.encode_utf16(&mut units) {
                let digit = |shift: u16| {
                    char::from_digit(u32::from((unit >> shift) & 0xf), 16)
                        .and_then(|digit| u8::try_from(digit).ok())
                        .unwrap_or(b'0')
                };
                writer.write_all(&[b'\\', b'u', digit(12), digit(8), digit(4), digit(0)])?;
            }
        }
    }
    Ok(())
}

/// Writes a float as Python's `repr` does: the shortest digits that read back the same, in
/// fixed notation from 1e-4 up to 1e16 (always with a fraction, `100.0`), and in exponent
/// notation otherwise, with a sign and two digits or more (`1e+16`, `1e-05`).
fn write_float<W: ?Sized + Write>(writer: &mut W, value: f64) -> io::Result<()> {
    if !value.is_finite() {
        return writer.write_all(python_token(value).as_bytes());
    }
    let mut buffer = zmij::Buffer::new();
    let text = buffer.format_finite(value);
    // zmij's fixed notation is Python's from 1e-4 up; below it, and in exponent notation,
    // the two differ (`0.00001` against `1e-05`, `1.5e-7` against `1.5e-07`).
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    if !unsigned.contains('e') && !unsigned.starts_with("0.0000") {
        return writer.write_all(text.as_bytes());
    }
    write_float_respelled(writer, text)
}

/// Python's `repr` of a float written as `text` with its shortest digits (by zmij or ryu:
/// `1.5e-7`, `1e+16`, `0.00001`, `125.0`), from those digits and a decimal exponent.
fn write_float_respelled<W: ?Sized + Write>(writer: &mut W, text: &str) -> io::Result<()> {
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    // Split `1.25e-7` or `0.000125` or `125.0` into digits and a decimal exponent:
    // the value is `0.DIGITS * 10^point`.
    let (mantissa, exponent) = match text.split_once('e') {
        Some((mantissa, exponent)) => (mantissa, exponent.parse::<i32>().unwrap_or(0)),
        None => (text, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut digits: Vec<u8> = whole.bytes().chain(fraction.bytes()).collect();
    let mut point = exponent + whole.len() as i32;
    let leading = digits.iter().take_while(|digit| **digit == b'0').count();
    digits.drain(..leading);
    point -= leading as i32;
    while digits.last() == Some(&b'0') {
        digits.pop();
    }
    let mut out = Vec::with_capacity(32);
    if negative {
        out.push(b'-');
    }
    if digits.is_empty() {
        out.extend_from_slice(b"0.0");
    } else if (-3..=16).contains(&point) {
        if point <= 0 {
            out.extend_from_slice(b"0.");
            out.extend(std::iter::repeat_n(b'0', point.unsigned_abs() as usize));
            out.extend_from_slice(&digits);
        } else {
            let point = point as usize;
            let (integral, fractional) = digits.split_at(point.min(digits.len()));
            out.extend_from_slice(integral);
            out.extend(std::iter::repeat_n(b'0', point - integral.len()));
            out.push(b'.');
            if fractional.is_empty() {
                out.push(b'0');
            } else {
                out.extend_from_slice(fractional);
            }
        }
    } else {
        let (first, rest) = digits.split_at(1);
        out.extend_from_slice(first);
        if !rest.is_empty() {
            out.push(b'.');
            out.extend_from_slice(rest);
        }
        let exponent = point - 1;
        write!(
            &mut out,
            "e{}{:02}",
            if exponent < 0 { '-' } else { '+' },
            exponent.unsigned_abs()
        )?;
    }
    writer.write_all(&out)
}

/// A JSON value as Python reads it.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Value {
    Null,
    Bool(bool),
    Int(i128),
    /// An integer above `i128::MAX` that fits `u128`.
    BigUnsigned(u128),
    Float(f64),
    String(String),
    Array(Vec<Value>),
    /// Members in document order; a repeated key is kept, and the last one wins as in Python.
    Object(Vec<(String, Value)>),
}

/// Whether strict JSON parsing of `bytes`, where it succeeds, gives the value Python's grammar
/// gives: false when a run of 19 digits or more (an integer that may not fit 64 bits) or a
/// `-0` not followed by a fraction or an exponent appears anywhere, strings included.
pub(super) fn strict_reading_agrees(bytes: &[u8]) -> bool {
    // Any 15 bytes in a row hold a whole 8-byte word of the input, so a run of 19 digits
    // makes some word all digits. Words are tested eight bytes at a time; only input with
    // such a word or a `-` gets the byte-by-byte scan.
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH_NIBBLES: u64 = 0xf0f0_f0f0_f0f0_f0f0;
    const DIGIT_NIBBLES: u64 = 0x3030_3030_3030_3030;
    let chunks = bytes.chunks_exact(8);
    let tail = chunks.remainder();
    for chunk in chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let word = u64::from_le_bytes(word);
        // `0x30..=0x39` keep their high nibble 3 with 6 added, `0x3a..=0x3f` do not.
        let all_digits = word & HIGH_NIBBLES == DIGIT_NIBBLES
            && word.wrapping_add(6 * ONES) & HIGH_NIBBLES == DIGIT_NIBBLES;
        let dashes = word ^ (u64::from(b'-') * ONES);
        let has_dash = dashes.wrapping_sub(ONES) & !dashes & (0x80 * ONES) != 0;
        if all_digits || has_dash {
            return scan_agrees(bytes);
        }
    }
    !tail.contains(&b'-') || scan_agrees(bytes)
}

/// [`strict_reading_agrees`], a byte at a time.
fn scan_agrees(bytes: &[u8]) -> bool {
    let mut run = 0;
    for (at, &byte) in bytes.iter().enumerate() {
        if byte.is_ascii_digit() {
            run += 1;
            if run >= 19 {
                return false;
            }
        } else {
            run = 0;
        }
        if byte == b'-'
            && bytes.get(at + 1) == Some(&b'0')
            && !matches!(bytes.get(at + 2), Some(b'.' | b'e' | b'E'))
        {
            return false;
        }
    }
    true
}

/// Decodes `bytes` as `json.loads` does: a UTF-32 or UTF-16 BOM, a UTF-8 BOM, or the pattern
/// of zero bytes at the start tells the encoding.
pub(super) fn decode_text(bytes: &[u8]) -> Result<String, String> {
    let starts = |prefix: &[u8]| bytes.starts_with(prefix);
    let utf32 = |bytes: &[u8], big: bool| -> Result<String, String> {
        bytes
            .chunks(4)
            .map(|chunk| {
                let unit: [u8; 4] = chunk
                    .try_into()
                    .map_err(|_| "UTF-32 input of a length not divisible by 4".to_string())?;
                let code = if big {
                    u32::from_be_bytes(unit)
                } else {
                    u32::from_le_bytes(unit)
                };
                char::from_u32(code)
                    .ok_or_else(|| format!("{code:#x} is not a Unicode scalar value"))
            })
            .collect()
    };
    let utf16 = |bytes: &[u8], big: bool| -> Result<String, String> {
        if !bytes.len().is_multiple_of(2) {
            return Err("UTF-16 input of an odd length".into());
        }
        let units = bytes.chunks(2).map(|pair| {
            let pair = [
                pair.first().copied().unwrap_or(0),
                pair.get(1).copied().unwrap_or(0),
            ];
            if big {
                u16::from_be_bytes(pair)
            } else {
                u16::from_le_bytes(pair)
            }
        });
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map_err(|err| format!("invalid UTF-16: {err}"))
    };
    if starts(&[0xff, 0xfe, 0, 0]) {
        return utf32(bytes.get(4..).unwrap_or_default(), false);
    }
    if starts(&[0, 0, 0xfe, 0xff]) {
        return utf32(bytes.get(4..).unwrap_or_default(), true);
    }
    if starts(&[0xff, 0xfe]) {
        return utf16(bytes.get(2..).unwrap_or_default(), false);
    }
    if starts(&[0xfe, 0xff]) {
        return utf16(bytes.get(2..).unwrap_or_default(), true);
    }
    if starts(&[0xef, 0xbb, 0xbf]) {
        return String::from_utf8(bytes.get(3..).unwrap_or_default().to_vec())
            .map_err(|err| err.to_string());
    }
    let byte = |i: usize| bytes.get(i).copied().unwrap_or(1);
    match bytes.len() {
        len if len >= 4 && byte(0) == 0 => {
            if byte(1) != 0 {
                utf16(bytes, true)
            } else {
                utf32(bytes, true)
            }
        }
        len if len >= 4 && byte(1) == 0 => {
            if byte(2) != 0 || byte(3) != 0 {
                utf16(bytes, false)
            } else {
                utf32(bytes, false)
            }
        }
        2 if byte(0) == 0 => utf16(bytes, true),
        2 if byte(1) == 0 => utf16(bytes, false),
        _ => String::from_utf8(bytes.to_vec()).map_err(|err| err.to_string()),
    }
}

/// Parses the whole of `text` as `json.loads` does.
pub(super) fn parse(text: &str) -> Result<Value, String> {
    let mut parser = Parser {
        text: text.as_bytes(),
        pos: 0,
    };
    parser.whitespace();
    let value = parser.value(0)?;
    parser.whitespace();
    if parser.pos != parser.text.len() {
        return Err(parser.error("extra data after the value"));
    }
    Ok(value)
}

struct Parser<'a> {
    text: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, what: &str) -> String {
        format!("{what} at byte {}", self.pos)
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    fn whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn literal(&mut self, word: &str) -> bool {
        let found = self
            .text
            .get(self.pos..)
            .is_some_and(|rest| rest.starts_with(word.as_bytes()));
        if found {
            self.pos += word.len();
        }
        found
    }

    fn value(&mut self, depth: usize) -> Result<Value, String> {
        if depth > MAX_DEPTH {
            return Err(self.error("nesting deeper than 128 levels"));
        }
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().map(Value::String),
            Some(b'n') if self.literal("null") => Ok(Value::Null),
            Some(b't') if self.literal("true") => Ok(Value::Bool(true)),
            Some(b'f') if self.literal("false") => Ok(Value::Bool(false)),
            Some(b'N') if self.literal("NaN") => Ok(Value::Float(f64::NAN)),
            Some(b'I') if self.literal("Infinity") => Ok(Value::Float(f64::INFINITY)),
            Some(b'-') if self.literal("-Infinity") => Ok(Value::Float(f64::NEG_INFINITY)),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.error("expecting a value")),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, String> {
        let mut members = Vec::new();
        self.delimited(b'}', |parser| {
            if parser.peek() != Some(b'"') {
                return Err(parser.error("expecting a property name enclosed in double quotes"));
            }
            let key = parser.string()?;
            parser.whitespace();
            if parser.peek() != Some(b':') {
                return Err(parser.error("expecting ':' delimiter"));
            }
            parser.pos += 1;
            parser.whitespace();
            members.push((key, parser.value(depth + 1)?));
            Ok(())
        })?;
        Ok(Value::Object(members))
    }

    fn array(&mut self, depth: usize) -> Result<Value, String> {
        let mut items = Vec::new();
        self.delimited(b']', |parser| {
            items.push(parser.value(depth + 1)?);
            Ok(())
        })?;
        Ok(Value::Array(items))
    }

    /// After an opening bracket: `item`s separated by commas, up to `close`.
    fn delimited(
        &mut self,
        close: u8,
        mut item: impl FnMut(&mut Self) -> Result<(), String>,
    ) -> Result<(), String> {
        self.pos += 1;
        self.whitespace();
        if self.peek() == Some(close) {
            self.pos += 1;
            return Ok(());
        }
        loop {
            self.whitespace();
            item(self)?;
            self.whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(byte) if byte == close => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(self.error("expecting ',' delimiter")),
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<Value, String> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            // A leading zero stands alone: `01` is `0` followed by extra data.
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.error("expecting a value")),
        }
        let mut float = false;
        if self.peek() == Some(b'.') && self.text.get(self.pos + 1).is_some_and(u8::is_ascii_digit)
        {
            self.pos += 1;
            self.digits();
            float = true;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            let mark = self.pos;
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                // Not an exponent after all: Python stops the number before the `e`.
                self.pos = mark;
            } else {
                float = true;
            }
        }
        let text = std::str::from_utf8(self.text.get(start..self.pos).unwrap_or_default())
            .unwrap_or_default();
        if float {
            // Rust, like Python, reads a too large exponent as infinity and a too small one as 0.
            text.parse::<f64>()
                .map(Value::Float)
                .map_err(|err| format!("{err}: `{text}`"))
        } else {
            text.parse::<i128>()
                .map(Value::Int)
                .or_else(|_| text.parse::<u128>().map(Value::BigUnsigned))
                .map_err(|_| format!("the integer `{text}` does not fit 128 bits"))
        }
    }

    fn string(&mut self) -> Result<String, String> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let start = self.pos;
            while matches!(self.peek(), Some(byte) if byte != b'"' && byte != b'\\' && byte >= 0x20)
            {
                self.pos += 1;
            }
            // The input came from a `str`, and the run stops at ASCII, so it is whole UTF-8.
            out.push_str(
                std::str::from_utf8(self.text.get(start..self.pos).unwrap_or_default())
                    .unwrap_or_default(),
            );
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let escape = self
                        .peek()
                        .ok_or_else(|| self.error("unterminated string"))?;
                    self.pos += 1;
                    match escape {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => out.push(self.unicode_escape()?),
                        _ => return Err(self.error("invalid \\escape")),
                    }
                }
                Some(_) => return Err(self.error("invalid control character in a string")),
                None => return Err(self.error("unterminated string")),
            }
        }
    }

    fn hex4(&mut self) -> Result<u16, String> {
        let hex = self
            .text
            .get(self.pos..self.pos + 4)
            .and_then(|hex| std::str::from_utf8(hex).ok());
        let unit = hex
            .filter(|hex| hex.bytes().all(|byte| byte.is_ascii_hexdigit()))
            .and_then(|hex| u16::from_str_radix(hex, 16).ok())
            .ok_or_else(|| self.error("invalid \\uXXXX escape"))?;
        self.pos += 4;
        Ok(unit)
    }

    fn unicode_escape(&mut self) -> Result<char, String> {
        let first = self.hex4()?;
        let mut units = vec![first];
        if (0xd800..0xdc00).contains(&first) && self.literal("\\u") {
            units.push(self.hex4()?);
        }
        char::decode_utf16(units.iter().copied())
            .collect::<Result<Vec<char>, _>>()
            .ok()
            .and_then(|chars| (chars.len() == 1).then(|| chars.first().copied()).flatten())
            .ok_or_else(|| self.error("a lone surrogate escape, which a Rust string cannot hold,"))
    }
}

impl<'de> Deserializer<'de> for Value {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self {
            Value::Null => visitor.visit_unit(),
            Value::Bool(value) => visitor.visit_bool(value),
            Value::Int(value) => match (i64::try_from(value), u64::try_from(value)) {
                (Ok(value), _) => visitor.visit_i64(value),
                (_, Ok(value)) => visitor.visit_u64(value),
                _ => visitor.visit_i128(value),
            },
            Value::BigUnsigned(value) => visitor.visit_u128(value),
            Value::Float(value) => visitor.visit_f64(value),
            Value::String(value) => visitor.visit_string(value),
            Value::Array(items) => {
                let mut seq = SeqDeserializer::new(items.into_iter());
                let value = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(value)
            }
            Value::Object(members) => {
                let mut map = MapDeserializer::new(members.into_iter());
                let value = visitor.visit_map(&mut map)?;
                map.end()?;
                Ok(value)
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self {
            Value::Null => visitor.visit_none(),
            other => visitor.visit_some(other),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match self {
            Value::String(variant) => visitor.visit_enum(Variant {
                name: variant,
                value: None,
            }),
            Value::Object(mut members) if members.len() == 1 => {
                let (name, value) = members
                    .pop()
                    .ok_or_else(|| de::Error::custom("an empty enum object"))?;
                visitor.visit_enum(Variant {
                    name,
                    value: Some(value),
                })
            }
            _ => Err(de::Error::custom(
                "expected a string or an object of one member for an enum",
            )),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

impl IntoDeserializer<'_, DeError> for Value {
    type Deserializer = Value;

    fn into_deserializer(self) -> Value {
        self
    }
}

/// An externally tagged enum: `"Variant"` or `{"Variant": value}`.
struct Variant {
    name: String,
    value: Option<Value>,
}

impl<'de> EnumAccess<'de> for Variant {
    type Error = DeError;
    type Variant = Payload;

    fn variant_seed<V: de::DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Payload), DeError> {
        let name = seed.deserialize(self.name.into_deserializer())?;
        Ok((name, Payload(self.value)))
    }
}

/// The value of a variant, absent for `"Variant"`.
struct Payload(Option<Value>);

impl<'de> VariantAccess<'de> for Payload {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        match self.0 {
            None | Some(Value::Null) => Ok(()),
            Some(_) => Err(de::Error::custom("expected a unit variant")),
        }
    }

    fn newtype_variant_seed<T: de::DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<T::Value, DeError> {
        seed.deserialize(
            self.0
                .ok_or_else(|| de::Error::custom("expected a newtype variant"))?,
        )
    }

    fn tuple_variant<V: Visitor<'de>>(self, _: usize, visitor: V) -> Result<V::Value, DeError> {
        self.0
            .ok_or_else(|| de::Error::custom("expected a tuple variant"))?
            .deserialize_any(visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.0
            .ok_or_else(|| de::Error::custom("expected a struct variant"))?
            .deserialize_any(visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repr(value: f64) -> String {
        let mut out = Vec::new();
        write_float(&mut out, value).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_word_test_agrees_with_the_byte_scan() {
        // Inputs over small alphabets, so that long digit runs and `-0` turn up.
        let mut state = 7u64;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            state >> 33
        };
        let alphabets: [&[u8]; 4] = [b"0123456789", b"0123456789-. ", b"01-eE.,", b"9a0\"-"];
        let mut disagreeing = 0;
        for _ in 0..200_000 {
            let alphabet = alphabets[(next() % 4) as usize];
            let len = (next() % 48) as usize;
            let input: Vec<u8> = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            let fast = strict_reading_agrees(&input);
            assert_eq!(
                fast,
                scan_agrees(&input),
                "{:?}",
                String::from_utf8_lossy(&input)
            );
            disagreeing += usize::from(!fast);
        }
        // Both answers turn up.
        assert!(
            disagreeing > 1_000 && disagreeing < 199_000,
            "{disagreeing}"
        );
        assert!(!strict_reading_agrees(b"[1234567890123456789]"));
        assert!(strict_reading_agrees(b"[123456789012345678]"));
        assert!(!strict_reading_agrees(b"[1, -0]"));
        assert!(strict_reading_agrees(b"[1, -0.5, -0e1]"));
    }

    #[test]
    fn zmijs_text_is_kept_only_where_it_is_pythons() {
        // Every float is written as the general path writes ryu's shortest digits (a second
        // implementation of the shortest round trip), the shortcut included: a million bit
        // patterns drawn across the whole range, and around the powers of ten.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let draws = (0..1_000_000).map(|_| {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            f64::from_bits(z ^ (z >> 31))
        });
        let powers = (-30..=30).flat_map(|exponent| {
            let power = 10f64.powi(exponent);
            [
                power,
                -power,
                power * 1.5,
                power.next_up(),
                power.next_down(),
            ]
        });
        // And values across the fixed range and its edges, 1e-6 to 1e17.
        let mut state = 1u64;
        let ranged = (0..500_000).map(|i| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 11) as f64 * 2f64.powi(-53) * 10f64.powi(i % 24 - 6)
        });
        for value in draws
            .chain(powers)
            .chain(ranged)
            .filter(|value| value.is_finite())
        {
            let mut shortcut = Vec::new();
            write_float(&mut shortcut, value).unwrap();
            let mut general = Vec::new();
            write_float_respelled(&mut general, ryu::Buffer::new().format_finite(value)).unwrap();
            assert_eq!(shortcut, general, "{value:e}");
        }
    }

    #[test]
    fn floats_are_written_as_python_repr() {
        for (value, python) in [
            (0.1, "0.1"),
            (1e300, "1e+300"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (1.2345678901234568e17, "1.2345678901234568e+17"),
            (1e-7, "1e-07"),
            (0.0001, "0.0001"),
            (1e-5, "1e-05"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (100.0, "100.0"),
            (-0.0, "-0.0"),
            (0.0, "0.0"),
            (2.5, "2.5"),
            (1.0 / 3.0, "0.3333333333333333"),
            (123456.789, "123456.789"),
            (-1.5e-4, "-0.00015"),
            (9999.99, "9999.99"),
            (1e22, "1e+22"),
        ] {
            assert_eq!(repr(value), python, "{value:e}");
        }
    }

    #[test]
    fn parses_pythons_grammar() {
        assert_eq!(
            parse("[NaN, Infinity, -Infinity, 1e400, -0, 12345678901234567890123]").map(|v| format!("{v:?}")),
            Ok("Array([Float(NaN), Float(inf), Float(-inf), Float(inf), Int(0), Int(12345678901234567890123)])".into())
        );
        for bad in [
            "[1, 2,]",
            "{'a': 1}",
            "01",
            "\"a\tb\"",
            "",
            "{\"a\": 1} x",
            "\"\\ud800\"",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
