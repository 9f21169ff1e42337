//! Pickles that hold Python's classes, for Prefect 3's `PickleSerializer`: what a flow unpickles
//! is a `datetime`, a `UUID`, a `set`, its pydantic model, not their text.
//!
//! A value's Python [`Object`] is written as a protocol 3 pickle. A class is written only where
//! the object is one ([`Object::Class`], which only a Rust type's `ToPython` makes): `datetime`,
//! `date`, `time`, `timedelta` and `timezone` from their state bytes, and `uuid.UUID` from its
//! integer, as CPython pickles them; `decimal.Decimal` called with its text; `set` and
//! `frozenset` with their members; and any other class, a pydantic model or a dataclass,
//! called with its fields as keyword arguments (through `functools.partial`, which pickles can
//! call), so that its own validation runs. A `dict` is a `dict`, whatever its keys say, and
//! keeps its order.
//!
//! An exception is its class called with its message, as Python pickles one; only Python's
//! builtin exceptions are written, so that a value's text names no module to import and no
//! callable that is not an exception.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Timelike};

use super::names::{builtin_exception, FROZENSET, SET};
use super::object::Object;

/// The opcodes written, by the names of Python's `pickletools`.
mod op {
    pub(super) use crate::pickle::opcode::{
        APPENDS, BINBYTES, BINFLOAT, BININT, BININT1, BININT2, BINUNICODE, BUILD, EMPTY_DICT,
        EMPTY_LIST, EMPTY_TUPLE, GLOBAL, LONG1, LONG4, MARK, NEWFALSE, NEWOBJ, NEWTRUE, NONE,
        REDUCE, SETITEM, SETITEMS, SHORT_BINBYTES, STOP, TUPLE, TUPLE1,
    };

    /// `PROTO 3`.
    pub(super) const PROTO: &[u8] = &[crate::pickle::opcode::PROTO, 3];
}

type Outcome = Result<(), String>;

/// The pickle of `value`.
pub(super) fn write(value: &Object) -> Result<Vec<u8>, String> {
    let mut writer = Writer { out: Vec::new() };
    writer.out.extend_from_slice(op::PROTO);
    writer.value(value)?;
    writer.out.push(op::STOP);
    Ok(writer.out)
}

struct Writer {
    out: Vec<u8>,
}

/// Whether `qualified` is a dotted path of Python identifiers: `module.sub.Class`.
fn is_qualified_name(qualified: &str) -> bool {
    qualified.split('.').count() >= 2
        && qualified.split('.').all(|part| {
            part.chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
                && part.chars().all(|c| c.is_alphanumeric() || c == '_')
        })
}

impl Writer {
    fn op(&mut self, opcode: u8) {
        self.out.push(opcode);
    }

    fn global(&mut self, qualified: &str) -> Outcome {
        let (module, name) = qualified
            .rsplit_once('.')
            .filter(|_| is_qualified_name(qualified))
            .ok_or_else(|| format!("`{qualified}` is not a class with its module"))?;
        self.op(op::GLOBAL);
        for part in [module, name] {
            self.out.extend_from_slice(part.as_bytes());
            self.out.push(b'\n');
        }
        Ok(())
    }

    fn small_int(&mut self, int: i64) {
        match int {
            0..=0xff => {
                self.op(op::BININT1);
                self.out.push(int as u8);
            }
            0x100..=0xffff => {
                self.op(op::BININT2);
                self.out.extend_from_slice(&(int as u16).to_le_bytes());
            }
            _ => match i32::try_from(int) {
                Ok(int) => {
                    self.op(op::BININT);
                    self.out.extend_from_slice(&int.to_le_bytes());
                }
                Err(_) => {
                    self.op(op::LONG1);
                    self.out.push(8);
                    self.out.extend_from_slice(&int.to_le_bytes());
                }
            },
        }
    }

    /// `data` after its length: one byte of it with `short`, four with `long`.
    fn counted(&mut self, short: u8, long: u8, data: &[u8]) -> Outcome {
        match u8::try_from(data.len()) {
            Ok(len) => {
                self.op(short);
                self.out.push(len);
            }
            Err(_) => {
                let len = u32::try_from(data.len())
                    .map_err(|_| "a value past 4 GiB, which protocol 3 cannot hold".to_string())?;
                self.op(long);
                self.out.extend_from_slice(&len.to_le_bytes());
            }
        }
        self.out.extend_from_slice(data);
        Ok(())
    }

    fn bytes(&mut self, bytes: &[u8]) -> Outcome {
        self.counted(op::SHORT_BINBYTES, op::BINBYTES, bytes)
    }

    fn string(&mut self, text: &str) -> Outcome {
        let len = u32::try_from(text.len()).map_err(|_| "a string past 4 GiB".to_string())?;
        self.op(op::BINUNICODE);
        self.out.extend_from_slice(&len.to_le_bytes());
        self.out.extend_from_slice(text.as_bytes());
        Ok(())
    }

    /// `MARK items... TUPLE`, or the empty tuple.
    fn tuple<'v>(&mut self, items: impl IntoIterator<Item = &'v Object>) -> Outcome {
        self.op(op::MARK);
        for item in items {
            self.value(item)?;
        }
        self.op(op::TUPLE);
        Ok(())
    }

    /// `callable(*args)`: the callable written by `callable`, the arguments by `args`.
    fn call(&mut self, qualified: &str, args: impl FnOnce(&mut Self) -> Outcome) -> Outcome {
        self.global(qualified)?;
        self.op(op::MARK);
        args(self)?;
        self.op(op::TUPLE);
        self.op(op::REDUCE);
        Ok(())
    }

    fn int(&mut self, int: i128) -> Outcome {
        match i64::try_from(int) {
            Ok(small) => self.small_int(small),
            Err(_) => self.counted(
                op::LONG1,
                op::LONG4,
                &long_bytes(int.to_le_bytes().to_vec()),
            )?,
        }
        Ok(())
    }

    fn list<'v>(&mut self, items: impl ExactSizeIterator<Item = &'v Object>) -> Outcome {
        self.op(op::EMPTY_LIST);
        if items.len() > 0 {
            self.op(op::MARK);
            for item in items {
                self.value(item)?;
            }
            self.op(op::APPENDS);
        }
        Ok(())
    }

    fn value(&mut self, value: &Object) -> Outcome {
        match value {
            Object::None => self.op(op::NONE),
            Object::Bool(true) => self.op(op::NEWTRUE),
            Object::Bool(false) => self.op(op::NEWFALSE),
            Object::Int(int) => self.int(*int)?,
            Object::BigUnsigned(int) => {
                let mut bytes = int.to_le_bytes().to_vec();
                bytes.push(0);
                self.counted(op::LONG1, op::LONG4, &long_bytes(bytes))?;
            }
            Object::Float(float) => {
                self.op(op::BINFLOAT);
                self.out.extend_from_slice(&float.to_be_bytes());
            }
            Object::Bytes(bytes) => self.bytes(bytes)?,
            Object::Str(text) => self.string(text)?,
            Object::List(items) => self.list(items.iter())?,
            Object::Tuple(items) if items.is_empty() => self.op(op::EMPTY_TUPLE),
            Object::Tuple(items) => self.tuple(items)?,
            Object::Dict(members) => self.dict(members)?,
            Object::Class { class, data } => self.class(class, data)?,
            Object::Exception { class, message } => self.exception(class, message)?,
        }
        Ok(())
    }

    /// A `dict` of `members`, in their order.
    fn dict(&mut self, members: &[(Object, Object)]) -> Outcome {
        self.op(op::EMPTY_DICT);
        if !members.is_empty() {
            self.op(op::MARK);
            for (key, value) in members {
                self.value(key)?;
                self.value(value)?;
            }
            self.op(op::SETITEMS);
        }
        Ok(())
    }

    /// `class(message)`, as Python pickles an exception; the object tree holds only Python's
    /// builtin exceptions.
    fn exception(&mut self, class: &str, message: &str) -> Outcome {
        if builtin_exception(class).is_none() {
            return Err(format!(
                "`{class}` is not one of Python's builtin exceptions"
            ));
        }
        self.call(class, |writer| writer.string(message))
    }

    /// A value of a class its Rust type names.
    fn class(&mut self, class: &str, data: &Object) -> Outcome {
        let text = || match data {
            Object::Str(text) => Ok(text.as_str()),
            _ => Err(format!("the data of a `{class}` is not text")),
        };
        let bad = |what: &str| format!("`{}` is not a {what}", text().unwrap_or("?"));
        match class {
            "datetime.datetime" => {
                let text = text()?;
                let (at, offset) = match DateTime::parse_from_rfc3339(text) {
                    Ok(at) => (at.naive_local(), Some(at.offset().local_minus_utc())),
                    Err(_) => (
                        text.parse::<NaiveDateTime>()
                            .map_err(|_| bad("date-time"))?,
                        None,
                    ),
                };
                let mut state = date_state(at.date())?;
                state.extend(time_state(at.time())?);
                self.zoned(class, &state, offset)
            }
            "datetime.date" => {
                let date: NaiveDate = text()?.parse().map_err(|_| bad("date"))?;
                self.call(class, |writer| writer.bytes(&date_state(date)?))
            }
            "datetime.time" => {
                let text = text()?;
                let (time, offset) = match text.parse::<NaiveTime>() {
                    Ok(time) => (time, None),
                    Err(_) => {
                        let aware: super::AwareTime = text.parse()?;
                        (aware.time, Some(aware.offset.local_minus_utc()))
                    }
                };
                self.zoned(class, &time_state(time)?, offset)
            }
            "datetime.timedelta" => {
                let delta = crate::datetime::python::parse_iso(text()?)
                    .ok_or_else(|| bad("ISO 8601 duration"))?;
                self.timedelta(delta)
            }
            "uuid.UUID" => {
                // As CPython pickles it: made without a call, then its state `{"int": ...}`.
                let id: uuid::Uuid = text()?.parse().map_err(|_| bad("UUID"))?;
                self.global(class)?;
                self.op(op::EMPTY_TUPLE);
                self.op(op::NEWOBJ);
                self.op(op::EMPTY_DICT);
                self.string("int")?;
                self.value(&Object::BigUnsigned(id.as_u128()))?;
                self.op(op::SETITEM);
                self.op(op::BUILD);
                Ok(())
            }
            "decimal.Decimal" => {
                let text = text()?;
                self.call(class, |writer| writer.string(text))
            }
            SET | FROZENSET => match data {
                Object::List(items) => self.call(class, |writer| writer.list(items.iter())),
                _ => Err(format!("the data of a `{class}` is not a list")),
            },
            _ => self.object(class, data),
        }
    }

    /// `class(state, timezone(offset))` of a `datetime` or `time`, or `class(state)` when naive.
    fn zoned(&mut self, class: &str, state: &[u8], offset: Option<i32>) -> Outcome {
        self.call(class, |writer| {
            writer.bytes(state)?;
            if let Some(offset) = offset {
                writer.call("datetime.timezone", |writer| {
                    writer.timedelta(TimeDelta::seconds(i64::from(offset)))
                })?;
            }
            Ok(())
        })
    }

    /// `datetime.timedelta(days, seconds, microseconds)`, normalized as Python keeps it.
    fn timedelta(&mut self, delta: TimeDelta) -> Outcome {
        let micros = delta
            .num_microseconds()
            .ok_or("a duration past Python's `timedelta`")?;
        let (days, rest) = (
            micros.div_euclid(86_400_000_000),
            micros.rem_euclid(86_400_000_000),
        );
        self.call("datetime.timedelta", |writer| {
            writer.small_int(days);
            writer.small_int(rest / 1_000_000);
            writer.small_int(rest % 1_000_000);
            Ok(())
        })
    }

    /// A pydantic model or dataclass: `functools.partial(Class, **fields)()`, so that the
    /// class's own `__init__` (and pydantic's validation) makes it.
    fn object(&mut self, class: &str, data: &Object) -> Outcome {
        let Object::Dict(fields) = data else {
            return Err(format!("the data of a `{class}` is not its fields"));
        };
        if fields.iter().any(|(key, _)| !matches!(key, Object::Str(_))) {
            return Err(format!("the fields of a `{class}` are not named by text"));
        }
        self.global("functools.partial")?;
        self.global(class)?;
        self.op(op::TUPLE1);
        self.op(op::REDUCE);
        // The partial's state: (func, args, keywords, namespace).
        self.op(op::MARK);
        self.global(class)?;
        self.op(op::EMPTY_TUPLE);
        self.dict(fields)?;
        self.op(op::NONE);
        self.op(op::TUPLE);
        self.op(op::BUILD);
        self.op(op::EMPTY_TUPLE);
        self.op(op::REDUCE);
        Ok(())
    }
}

/// CPython's state bytes of a date: the year in two bytes, big-endian; month; day.
fn date_state(date: NaiveDate) -> Result<Vec<u8>, String> {
    let year = u16::try_from(date.year())
        .ok()
        .filter(|year| (1..=9999).contains(year))
        .ok_or_else(|| format!("{date} is outside the years 1 to 9999 of Python's `date`"))?;
    let [high, low] = year.to_be_bytes();
    Ok(vec![high, low, date.month() as u8, date.day() as u8])
}

/// CPython's state bytes of a time of day: hour, minute, second, microseconds in three bytes.
fn time_state(time: NaiveTime) -> Result<Vec<u8>, String> {
    if time.nanosecond() >= 1_000_000_000 || !time.nanosecond().is_multiple_of(1_000) {
        return Err(format!(
            "{time} is a leap second or has nanoseconds, which Python's `time` cannot hold"
        ));
    }
    let [_, a, b, c] = (time.nanosecond() / 1_000).to_be_bytes();
    Ok(vec![
        time.hour() as u8,
        time.minute() as u8,
        time.second() as u8,
        a,
        b,
        c,
    ])
}

/// Python's `LONG` bytes of a little-endian two's complement integer: no more bytes than its
/// sign needs.
fn long_bytes(mut bytes: Vec<u8>) -> Vec<u8> {
    while let [.., next, last] = bytes[..] {
        let redundant = (last == 0 && next & 0x80 == 0) || (last == 0xff && next & 0x80 != 0);
        if !redundant {
            break;
        }
        bytes.pop();
    }
    bytes
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use serde_pickle::{HashableValue, Value};

    use super::write;
    use crate::prefect3::object::Object;

    fn back(value: &Object) -> Value {
        let bytes = write(value).unwrap();
        serde_pickle::value_from_slice(&bytes, serde_pickle::DeOptions::new()).unwrap()
    }

    fn text(text: &str) -> Object {
        Object::Str(text.into())
    }

    #[test]
    fn plain_values_read_back_as_written() {
        let small = [
            0,
            255,
            256,
            65_535,
            65_536,
            -1,
            i64::from(i32::MIN),
            i64::from(i32::MAX),
            i64::from(i32::MAX) + 1,
            i64::MIN,
            i64::MAX,
        ];
        let mut ints: Vec<Object> = small
            .into_iter()
            .map(|int| Object::Int(int.into()))
            .collect();
        let mut read: Vec<Value> = small.into_iter().map(Value::I64).collect();
        for wide in [1i128 << 70, -(1i128 << 100), i128::MIN, i128::MAX] {
            ints.push(Object::Int(wide));
            read.push(Value::Int(wide.into()));
        }
        ints.push(Object::BigUnsigned(u128::MAX));
        read.push(Value::Int(u128::MAX.into()));
        let value = Object::List(vec![
            Object::List(ints),
            Object::Tuple(vec![]),
            Object::Tuple(vec![Object::None, Object::Bool(true), Object::Bool(false)]),
            Object::Float(-0.0),
            Object::Float(1e300),
            text("h\u{e9}llo \u{1f980}"),
            Object::Bytes(vec![7; 255]),
            Object::Bytes(vec![9; 256]),
            Object::Dict(vec![
                (text("a"), Object::List(vec![])),
                (Object::Int(3), Object::Dict(vec![])),
            ]),
        ]);
        let expected = Value::List(vec![
            Value::List(read),
            Value::Tuple(vec![]),
            Value::Tuple(vec![Value::None, Value::Bool(true), Value::Bool(false)]),
            Value::F64(-0.0),
            Value::F64(1e300),
            Value::String("h\u{e9}llo \u{1f980}".into()),
            Value::Bytes(vec![7; 255]),
            Value::Bytes(vec![9; 256]),
            Value::Dict(BTreeMap::from([
                (HashableValue::String("a".into()), Value::List(vec![])),
                (HashableValue::I64(3), Value::Dict(BTreeMap::new())),
            ])),
        ]);
        assert_eq!(back(&value), expected);
        let set = Object::Class {
            class: "builtins.set".into(),
            data: Box::new(Object::List(vec![Object::Int(1), Object::Int(2)])),
        };
        assert_eq!(
            back(&set),
            Value::Set(BTreeSet::from([
                HashableValue::I64(1),
                HashableValue::I64(2)
            ]))
        );
    }

    /// A `dict` with the keys of a tag is a `dict`: its values name no class to call.
    #[test]
    fn dicts_that_look_like_tags_are_dicts() {
        let dict = Object::Dict(vec![
            (text("__exc_type__"), text("builtins.len")),
            (text("message"), text("abc")),
        ]);
        let key = |key: &str| HashableValue::String(key.into());
        assert_eq!(
            back(&dict),
            Value::Dict(BTreeMap::from([
                (key("__exc_type__"), Value::String("builtins.len".into())),
                (key("message"), Value::String("abc".into())),
            ]))
        );
    }

    #[test]
    fn classes_python_cannot_hold_are_refused() {
        let class = |class: &str, data: &str| Object::Class {
            class: class.into(),
            data: Box::new(text(data)),
        };
        for value in [
            class("datetime.date", "0000-01-01"),
            class("datetime.time", "23:59:60"),
            class("datetime.datetime", "not a date"),
            class("datetime.timedelta", "P1Y"),
            class("uuid.UUID", "nope"),
            class("nomodule", "x"),
            class("os.system\nx", "x"),
            Object::Exception {
                class: "os.system".into(),
                message: "true".into(),
            },
            Object::Exception {
                class: "builtins.a.b".into(),
                message: "x".into(),
            },
        ] {
            assert!(write(&value).is_err(), "{value:?}");
        }
    }
}
