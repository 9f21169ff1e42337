//! `json.dumps` of a Python [`Object`], with Prefect's object encoder and the arguments that
//! change its bytes, not its value: `indent`, `separators`, `sort_keys` and `ensure_ascii`, as
//! Prefect 3's `JSONSerializer` passes its `dumps_kwargs`.
//!
//! A class is written as Prefect's encoder writes it (`{"__class__": ..., "data": ...}`), an
//! exception as `{"__exc_type__": ..., "message": ...}`. A `dict` whose keys hold `__class__` or
//! `__exc_type__` is refused: Prefect's decoder would import and call what its values name.

use std::cmp::Ordering;
use std::io::Write;

use serde_json::Value as Json;

use super::names::{CLASS, DATA, EXC_TYPE, MESSAGE};
use super::object::Object;
use crate::json::{write_float, PythonFormatter};

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

    /// `value` in this layout, or why `json.dumps` with Prefect's encoder and decoder cannot
    /// carry it.
    pub(crate) fn write(&self, value: &Object, out: &mut Vec<u8>) -> Result<(), String> {
        self.write_value(value, 0, out)
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

    /// The items of a list, between `open` and `close`.
    fn write_items<'a>(
        &self,
        items: impl ExactSizeIterator<Item = &'a Object>,
        level: usize,
        out: &mut Vec<u8>,
    ) -> Result<(), String> {
        if items.len() == 0 {
            out.extend_from_slice(b"[]");
            return Ok(());
        }
        out.push(b'[');
        for (index, item) in items.enumerate() {
            if index > 0 {
                out.extend_from_slice(self.item_separator.as_bytes());
            }
            self.newline(level + 1, out);
            self.write_value(item, level + 1, out)?;
        }
        self.newline(level, out);
        out.push(b']');
        Ok(())
    }

    /// An object of `members` (keys already text), sorted where `sort_keys` asks.
    fn write_object(
        &self,
        members: &[(&Object, &Object)],
        level: usize,
        out: &mut Vec<u8>,
    ) -> Result<(), String> {
        if members.is_empty() {
            out.extend_from_slice(b"{}");
            return Ok(());
        }
        let mut members = members.to_vec();
        if self.sort_keys {
            sort_keys(&mut members)?;
        }
        out.push(b'{');
        for (index, (key, member)) in members.into_iter().enumerate() {
            if index > 0 {
                out.extend_from_slice(self.item_separator.as_bytes());
            }
            self.newline(level + 1, out);
            self.write_key(key, out)?;
            out.extend_from_slice(self.key_separator.as_bytes());
            self.write_value(member, level + 1, out)?;
        }
        self.newline(level, out);
        out.push(b'}');
        Ok(())
    }

    /// A key as `json.dumps` writes it: text as itself, numbers, `bool`s and `None` as their
    /// JSON text in quotes; any other key is Python's `TypeError`.
    fn write_key(&self, key: &Object, out: &mut Vec<u8>) -> Result<(), String> {
        match key {
            Object::Str(text) => self.write_string(text, out),
            Object::Int(int) => {
                let _ = write!(out, "\"{int}\"");
            }
            Object::BigUnsigned(int) => {
                let _ = write!(out, "\"{int}\"");
            }
            Object::Bool(flag) => {
                let _ = write!(out, "\"{flag}\"");
            }
            Object::None => out.extend_from_slice(b"\"null\""),
            Object::Float(float) => {
                out.push(b'"');
                let _ = write_float(out, *float);
                out.push(b'"');
            }
            _ => {
                return Err(
                    "a `dict` key that is not `str`, `int`, `float`, `bool` or `None`, which \
                     `json.dumps` refuses: write it with the pickle serializer"
                        .into(),
                )
            }
        }
        Ok(())
    }

    fn write_value(&self, value: &Object, level: usize, out: &mut Vec<u8>) -> Result<(), String> {
        match value {
            Object::None => out.extend_from_slice(b"null"),
            Object::Bool(true) => out.extend_from_slice(b"true"),
            Object::Bool(false) => out.extend_from_slice(b"false"),
            Object::Int(int) => {
                let _ = write!(out, "{int}");
            }
            Object::BigUnsigned(int) => {
                let _ = write!(out, "{int}");
            }
            Object::Float(float) => {
                let _ = write_float(out, *float);
            }
            Object::Str(text) => self.write_string(text, out),
            // As serde_json writes bytes: a list of numbers (`ToPython` tags Python's `bytes`).
            Object::Bytes(bytes) => {
                let items: Vec<Object> = bytes.iter().map(|&b| Object::Int(b.into())).collect();
                self.write_items(items.iter(), level, out)?;
            }
            Object::List(items) | Object::Tuple(items) => {
                self.write_items(items.iter(), level, out)?
            }
            Object::Dict(members) => {
                if let Some(key) = members.iter().find_map(|(key, _)| match key {
                    Object::Str(key) if key == CLASS || key == EXC_TYPE => Some(key),
                    _ => None,
                }) {
                    return Err(format!(
                        "a `dict` with the key `{key}`, which Prefect's JSON decoder reads as a \
                         class to import and call: Prefect's JSON cannot hold it; write it with \
                         the pickle serializer"
                    ));
                }
                let members: Vec<(&Object, &Object)> =
                    members.iter().map(|(key, value)| (key, value)).collect();
                self.write_object(&members, level, out)?;
            }
            Object::Class { class, data } => {
                let (key, name, data_key) = (
                    Object::Str(CLASS.into()),
                    Object::Str(class.clone()),
                    Object::Str(DATA.into()),
                );
                self.write_object(&[(&key, &name), (&data_key, data)], level, out)?;
            }
            Object::Exception { class, message } => {
                let (key, name) = (Object::Str(EXC_TYPE.into()), Object::Str(class.clone()));
                let (message_key, message) =
                    (Object::Str(MESSAGE.into()), Object::Str(message.clone()));
                self.write_object(&[(&key, &name), (&message_key, &message)], level, out)?;
            }
        }
        Ok(())
    }
}

/// Sorts an object's members as Python's `sorted(d.items())` does: text by code point,
/// numbers (and `bool`s) by value; keys of both kinds, or `None` beside another, are Python's
/// `TypeError`.
fn sort_keys(members: &mut [(&Object, &Object)]) -> Result<(), String> {
    let text = members.iter().all(|(key, _)| matches!(key, Object::Str(_)));
    let numbers = members.iter().all(|(key, _)| {
        matches!(
            key,
            Object::Int(_) | Object::BigUnsigned(_) | Object::Float(_) | Object::Bool(_)
        )
    });
    if !text && !numbers && members.len() > 1 {
        return Err(
            "`sort_keys` with keys of different types, which Python cannot order (`TypeError`)"
                .into(),
        );
    }
    members.sort_by(|(a, _), (b, _)| compare_keys(a, b));
    Ok(())
}

fn compare_keys(a: &Object, b: &Object) -> Ordering {
    fn number(key: &Object) -> Option<(Option<i128>, f64)> {
        match key {
            Object::Int(int) => Some((Some(*int), *int as f64)),
            Object::BigUnsigned(int) => Some((None, *int as f64)),
            Object::Bool(flag) => Some((Some(i128::from(*flag)), f64::from(u8::from(*flag)))),
            Object::Float(float) => Some((None, *float)),
            _ => None,
        }
    }
    match (a, b) {
        (Object::Str(a), Object::Str(b)) => a.cmp(b),
        _ => match (number(a), number(b)) {
            (Some((Some(a), _)), Some((Some(b), _))) => a.cmp(&b),
            (Some((_, a)), Some((_, b))) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
            _ => Ordering::Equal,
        },
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::Dumps;
    use crate::prefect3::object::Object;

    /// What Python's `json.dumps` writes of
    /// `{"b": [1, 2.5, {"z": None, "a": "é\x7f"}], "a": [], "c": {}, "d": float("nan")}`.
    #[test]
    fn layouts_are_pythons() {
        let text = |s: &str| Object::Str(s.into());
        let value = Object::Dict(vec![
            (
                text("b"),
                Object::List(vec![
                    Object::Int(1),
                    Object::Float(2.5),
                    Object::Dict(vec![
                        (text("z"), Object::None),
                        (text("a"), text("\u{e9}\u{7f}")),
                    ]),
                ]),
            ),
            (text("a"), Object::List(vec![])),
            (text("c"), Object::Dict(vec![])),
            (text("d"), Object::Float(f64::NAN)),
        ]);
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
            dumps.write(&value, &mut out).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), expected, "{kwargs:?}");
        }
    }

    /// Python sorts keys before it writes them as text: integers by value (`json.dumps({10: 0,
    /// 9: 0, 1: 0}, sort_keys=True)` is `{"1": 0, "9": 0, "10": 0}`); `str` beside `int` is its
    /// `TypeError`.
    #[test]
    fn sort_keys_orders_as_python_does() {
        let dumps = Dumps::from_kwargs([("sort_keys", &json!(true))].into_iter()).unwrap();
        let zero = || Object::Int(0);
        let ints = Object::Dict(vec![
            (Object::Int(10), zero()),
            (Object::Int(9), zero()),
            (Object::Int(1), zero()),
        ]);
        let mut out = Vec::new();
        dumps.write(&ints, &mut out).unwrap();
        assert_eq!(out, br#"{"1": 0, "9": 0, "10": 0}"#);
        let mixed = Object::Dict(vec![
            (Object::Int(1), zero()),
            (Object::Str("a".into()), zero()),
        ]);
        assert!(dumps
            .write(&mixed, &mut Vec::new())
            .unwrap_err()
            .contains("TypeError"));
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
