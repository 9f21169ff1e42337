//! A parser of Python's JSON grammar.

use super::value::Value;
use crate::cursor::Cursor;

/// How deeply arrays and objects may nest, as `serde_json` allows.
const MAX_DEPTH: usize = 128;

/// Parses the whole of `text` as `json.loads` does.
pub(crate) fn parse(text: &str) -> Result<Value, String> {
    let mut parser = Parser {
        input: Cursor::new(text.as_bytes()),
    };
    parser.whitespace();
    let value = parser.value(0)?;
    parser.whitespace();
    if !parser.input.is_empty() {
        return Err(parser.error("extra data after the value"));
    }
    Ok(value)
}

struct Parser<'a> {
    input: Cursor<'a>,
}

impl Parser<'_> {
    fn error(&self, what: &str) -> String {
        format!("{what} at byte {}", self.input.pos())
    }

    fn peek(&self) -> Option<u8> {
        self.input.peek()
    }

    fn whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.input.advance(1);
        }
    }

    fn literal(&mut self, word: &str) -> bool {
        self.input.eat_bytes(word.as_bytes())
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
            parser.input.advance(1);
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
        self.input.advance(1);
        self.whitespace();
        if self.peek() == Some(close) {
            self.input.advance(1);
            return Ok(());
        }
        loop {
            self.whitespace();
            item(self)?;
            self.whitespace();
            match self.peek() {
                Some(b',') => self.input.advance(1),
                Some(byte) if byte == close => {
                    self.input.advance(1);
                    return Ok(());
                }
                _ => return Err(self.error("expecting ',' delimiter")),
            }
        }
    }

    fn digits(&mut self) -> usize {
        let run = self.input.count_while(|byte| byte.is_ascii_digit());
        self.input.advance(run);
        run
    }

    fn number(&mut self) -> Result<Value, String> {
        let start = self.input.pos();
        if self.peek() == Some(b'-') {
            self.input.advance(1);
        }
        match self.peek() {
            // A leading zero stands alone: `01` is `0` followed by extra data.
            Some(b'0') => self.input.advance(1),
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.error("expecting a value")),
        }
        let mut float = false;
        if self.peek() == Some(b'.') && self.input.peek_at(1).is_some_and(|b| b.is_ascii_digit()) {
            self.input.advance(1);
            self.digits();
            float = true;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            let mark = self.input;
            self.input.advance(1);
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.input.advance(1);
            }
            if self.digits() == 0 {
                // Not an exponent after all: Python stops the number before the `e`.
                self.input = mark;
            } else {
                float = true;
            }
        }
        let text = std::str::from_utf8(self.input.since(start)).unwrap_or_default();
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
        self.input.advance(1);
        let mut out = String::new();
        loop {
            let start = self.input.pos();
            let run = self
                .input
                .count_while(|byte| byte != b'"' && byte != b'\\' && byte >= 0x20);
            self.input.advance(run);
            // The input came from a `str`, and the run stops at ASCII, so it is whole UTF-8.
            out.push_str(std::str::from_utf8(self.input.since(start)).unwrap_or_default());
            match self.peek() {
                Some(b'"') => {
                    self.input.advance(1);
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.input.advance(1);
                    let escape = self
                        .peek()
                        .ok_or_else(|| self.error("unterminated string"))?;
                    self.input.advance(1);
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
            .input
            .rest()
            .get(..4)
            .and_then(|hex| std::str::from_utf8(hex).ok());
        let unit = hex
            .filter(|hex| hex.bytes().all(|byte| byte.is_ascii_hexdigit()))
            .and_then(|hex| u16::from_str_radix(hex, 16).ok())
            .ok_or_else(|| self.error("invalid \\uXXXX escape"))?;
        self.input.advance(4);
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

#[cfg(test)]
mod tests {
    use super::*;

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
