//! Python's layout for `serde_json`'s writer.

use std::cell::Cell;
use std::io::{self, Write};

use serde_json::ser::Formatter;

use super::float::write_float;
use crate::json::finite::python_token;

/// Python's layout; writes the token of a float the check marked where `serde_json` asks
/// for a `null`. Without the check (`marked` is `None`), a `null` is an error instead: it
/// may stand for a non-finite float, and the value has to be written again behind the check.
pub(crate) struct PythonFormatter<'a> {
    pub(crate) marked: Option<&'a Cell<Option<f64>>>,
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
