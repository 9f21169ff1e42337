//! `json.dumps` with the arguments that change its bytes, not its value: `indent`,
//! `separators`, `sort_keys` and `ensure_ascii`, as Prefect 3's `JSONSerializer` passes its
//! `dumps_kwargs`. The value is first written in Python's default layout, read back into a
//! [`Value`], and written again in the layout the arguments ask for.

use std::io::Write;

use serde_json::Value as Json;

use super::float::write_float;
use super::ser::PythonFormatter;
use super::value::Value;

/// The layout `json.dumps` writes with its keyword arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Dumps {
    /// The text of one level of indentation; `None` writes everything on one line.
    indent: Option<String>,
    /// Between items, and between a key and its value.
    item_separator: String,
    key_separator: String,
    sort_keys: bool,
    ensure_ascii: bool,
}

impl Dumps {
    /// The layout of `kwargs` (`json.dumps`' keyword arguments, as JSON), or the first
    /// argument that is not one of these four, or not of a type `json.dumps` takes.
    pub(crate) fn from_kwargs<'a>(
        kwargs: impl Iterator<Item = (&'a str, &'a Json)>,
    ) -> Result<Self, String> {
        let invalid = |name: &str, value: &Json| {
            format!("the `json.dumps` option `{name}={value}` is not one it takes")
        };
        let mut dumps = Dumps {
            indent: None,
            item_separator: ", ".into(),
            key_separator: ": ".into(),
            sort_keys: false,
            ensure_ascii: true,
        };
        let mut separators = None;
        for (name, value) in kwargs {
            match (name, value) {
                ("indent", Json::Null) => dumps.indent = None,
                ("indent", Json::Number(n)) => {
                    let spaces = n.as_i64().ok_or_else(|| invalid(name, value))?;
                    dumps.indent = Some(" ".repeat(usize::try_from(spaces).unwrap_or(0)));
                }
                ("indent", Json::String(text)) => dumps.indent = Some(text.clone()),
                ("separators", Json::Null) => separators = None,
                ("separators", Json::Array(pair)) => match pair.as_slice() {
                    [Json::String(item), Json::String(key)] => {
                        separators = Some((item.clone(), key.clone()));
                    }
                    _ => return Err(invalid(name, value)),
                },
                ("sort_keys", Json::Bool(sort)) => dumps.sort_keys = *sort,
                ("ensure_ascii", Json::Bool(ascii)) => dumps.ensure_ascii = *ascii,
                ("indent" | "separators" | "sort_keys" | "ensure_ascii", _) => {
                    return Err(invalid(name, value))
                }
                _ => {
                    return Err(format!(
                        "the `json.dumps` option `{name}` is not written; `indent`, \
                         `separators`, `sort_keys` and `ensure_ascii` are"
                    ))
                }
            }
        }
        // With an indent, Python's default item separator loses its space.
        if dumps.indent.is_some() {
            dumps.item_separator = ",".into();
        }
        if let Some((item, key)) = separators {
            (dumps.item_separator, dumps.key_separator) = (item, key);
        }
        Ok(dumps)
    }

    /// Whether this is `json.dumps`' default layout, which needs no second writing.
    pub(crate) fn is_default(&self) -> bool {
        self.indent.is_none()
            && self.item_separator == ", "
            && self.key_separator == ": "
            && !self.sort_keys
            && self.ensure_ascii
    }

    /// `value` in this layout.
    pub(crate) fn write(&self, value: &Value, out: &mut Vec<u8>) {
        self.write_value(value, 0, out);
    }

    fn newline(&self, level: usize, out: &mut Vec<u8>) {
        if let Some(indent) = &self.indent {
            out.push(b'\n');
            for _ in 0..level {
                out.extend_from_slice(indent.as_bytes());
            }
        }
    }

    fn write_string(&self, text: &str, out: &mut Vec<u8>) {
        use serde::Serializer as _;
        // Writing a string into a `Vec` cannot fail.
        let _ = if self.ensure_ascii {
            let formatter = PythonFormatter { marked: None };
            serde_json::Serializer::with_formatter(out, formatter).serialize_str(text)
        } else {
            serde_json::Serializer::new(out).serialize_str(text)
        };
    }

    fn write_value(&self, value: &Value, level: usize, out: &mut Vec<u8>) {
        match value {
            Value::Null => out.extend_from_slice(b"null"),
            Value::Bool(true) => out.extend_from_slice(b"true"),
            Value::Bool(false) => out.extend_from_slice(b"false"),
            Value::Int(int) => {
                let _ = write!(out, "{int}");
            }
            Value::BigUnsigned(int) => {
                let _ = write!(out, "{int}");
            }
            Value::Float(float) => {
                let _ = write_float(out, *float);
            }
            Value::String(text) => self.write_string(text, out),
            Value::Array(items) if items.is_empty() => out.extend_from_slice(b"[]"),
            Value::Array(items) => {
                out.push(b'[');
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        out.extend_from_slice(self.item_separator.as_bytes());
                    }
                    self.newline(level + 1, out);
                    self.write_value(item, level + 1, out);
                }
                self.newline(level, out);
                out.push(b']');
            }
            Value::Object(members) if members.is_empty() => out.extend_from_slice(b"{}"),
            Value::Object(members) => {
                let mut members: Vec<&(String, Value)> = members.iter().collect();
                if self.sort_keys {
                    // Python compares `str` keys by code point, as Rust compares `String`s.
                    members.sort_by(|a, b| a.0.cmp(&b.0));
                }
                out.push(b'{');
                for (index, (key, member)) in members.into_iter().enumerate() {
                    if index > 0 {
                        out.extend_from_slice(self.item_separator.as_bytes());
                    }
                    self.newline(level + 1, out);
                    self.write_string(key, out);
                    out.extend_from_slice(self.key_separator.as_bytes());
                    self.write_value(member, level + 1, out);
                }
                self.newline(level, out);
                out.push(b'}');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::Dumps;

    /// What Python's `json.dumps` writes of
    /// `{"b": [1, 2.5, {"z": None, "a": "é\x7f"}], "a": [], "c": {}, "d": float("nan")}`.
    #[test]
    fn layouts_are_pythons() {
        let value = super::super::parse(
            "{\"b\": [1, 2.5, {\"z\": null, \"a\": \"\\u00e9\\u007f\"}], \"a\": [], \"c\": {}, \"d\": NaN}",
        )
        .unwrap();
        let cases = [
            (
                json!({"indent": 2, "sort_keys": true}),
                "{\n  \"a\": [],\n  \"b\": [\n    1,\n    2.5,\n    {\n      \"a\": \"\\u00e9\\u007f\",\n      \"z\": null\n    }\n  ],\n  \"c\": {},\n  \"d\": NaN\n}",
            ),
            (
                json!({"separators": [",", ":"], "ensure_ascii": false}),
                "{\"b\":[1,2.5,{\"z\":null,\"a\":\"\u{e9}\u{7f}\"}],\"a\":[],\"c\":{},\"d\":NaN}",
            ),
            (
                json!({"indent": "\t", "separators": [",", ": "]}),
                "{\n\t\"b\": [\n\t\t1,\n\t\t2.5,\n\t\t{\n\t\t\t\"z\": null,\n\t\t\t\"a\": \"\\u00e9\\u007f\"\n\t\t}\n\t],\n\t\"a\": [],\n\t\"c\": {},\n\t\"d\": NaN\n}",
            ),
            (
                json!({"indent": 0}),
                "{\n\"b\": [\n1,\n2.5,\n{\n\"z\": null,\n\"a\": \"\\u00e9\\u007f\"\n}\n],\n\"a\": [],\n\"c\": {},\n\"d\": NaN\n}",
            ),
        ];
        for (kwargs, expected) in cases {
            let kwargs = kwargs.as_object().unwrap().clone();
            let dumps = Dumps::from_kwargs(kwargs.iter().map(|(k, v)| (k.as_str(), v))).unwrap();
            let mut out = Vec::new();
            dumps.write(&value, &mut out);
            assert_eq!(String::from_utf8(out).unwrap(), expected, "{kwargs:?}");
        }
    }

    #[test]
    fn other_options_are_refused_by_name() {
        for (kwargs, named) in [
            (json!({"default": "str"}), "`default`"),
            (json!({"allow_nan": false}), "`allow_nan`"),
            (json!({"indent": [2]}), "`indent=[2]`"),
            (json!({"separators": [","]}), "`separators=[\",\"]`"),
        ] {
            let kwargs = kwargs.as_object().unwrap().clone();
            let err = Dumps::from_kwargs(kwargs.iter().map(|(k, v)| (k.as_str(), v))).unwrap_err();
            assert!(err.contains(named), "{err}");
        }
    }
}
