//! Pickles that hold Python's classes, for Prefect 3's `PickleSerializer`: what a flow unpickles
//! is a `datetime`, a `UUID`, a `set`, its pydantic model, not their text.
//!
//! A value is written through [`ToPython`](super::ToPython) in the [`Layout::Pickle`] layout,
//! where every Python type is tagged (`{"__class__": "datetime.date", "data": "2020-12-16"}`,
//! inside models too), collected by `serde-pickle` into a [`Value`], and written here as a
//! protocol 3 pickle in which each tag becomes its class: `datetime`, `date`, `time`,
//! `timedelta` and `timezone` from their state bytes, and `uuid.UUID` from its integer, as
//! CPython pickles them; `decimal.Decimal` called with its text; `bytes`, `set` and integers past 64 bits as
//! themselves; an exception
//! (`{"__exc_type__", "message"}`) called with its message; and any other class, a pydantic
//! model or a dataclass, called with its fields as keyword arguments (through
//! `functools.partial`, which pickles can call), so that its own validation runs.
//!
//! [`Layout::Pickle`]: super::Layout::Pickle

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Timelike};
use serde_pickle::{HashableValue, Value};

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

const CLASS: &str = "__class__";
const DATA: &str = "data";

type Outcome = Result<(), String>;

/// The pickle of `value`, its class tags written as their classes.
pub(super) fn write(value: &Value) -> Result<Vec<u8>, String> {
    let mut writer = Writer { out: Vec::new() };
    writer.out.extend_from_slice(op::PROTO);
    writer.value(value)?;
    writer.out.push(op::STOP);
    Ok(writer.out)
}

struct Writer {
    out: Vec<u8>,
}

/// The class and data of a tag, the module and message of an exception, or neither.
enum Tag<'a> {
    Class(&'a str, &'a Value),
    Exception(&'a str, &'a str),
}

fn tag(members: &BTreeMap<HashableValue, Value>) -> Option<Tag<'_>> {
    if members.len() != 2 {
        return None;
    }
    let get = |key: &str| members.get(&HashableValue::String(key.to_owned()));
    match (get(CLASS), get(DATA), get("__exc_type__"), get("message")) {
        (Some(Value::String(class)), Some(data), _, _) => Some(Tag::Class(class, data)),
        (_, _, Some(Value::String(class)), Some(Value::String(message))) => {
            Some(Tag::Exception(class, message))
        }
        _ => None,
    }
}

impl Writer {
    fn op(&mut self, opcode: u8) {
        self.out.push(opcode);
    }

    fn global(&mut self, qualified: &str) -> Outcome {
        let (module, name) = qualified
            .rsplit_once('.')
            .filter(|(module, name)| !module.is_empty() && !name.is_empty())
            .ok_or_else(|| format!("`{qualified}` is not a class with its module"))?;
        if qualified.contains(['\n', '\r']) {
            return Err(format!("`{qualified}` is not a class name"));
        }
        self.op(op::GLOBAL);
        for part in [module, name] {
            self.out.extend_from_slice(part.as_bytes());
            self.out.push(b'\n');
        }
        Ok(())
    }

    fn int(&mut self, int: i64) {
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
    fn tuple<'v>(&mut self, items: impl IntoIterator<Item = &'v Value>) -> Outcome {
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

    fn value(&mut self, value: &Value) -> Outcome {
        match value {
            Value::None => self.op(op::NONE),
            Value::Bool(true) => self.op(op::NEWTRUE),
            Value::Bool(false) => self.op(op::NEWFALSE),
            Value::I64(int) => self.int(*int),
            Value::Int(int) => self.counted(op::LONG1, op::LONG4, &int.to_signed_bytes_le())?,
            Value::F64(float) => {
                self.op(op::BINFLOAT);
                self.out.extend_from_slice(&float.to_be_bytes());
            }
            Value::Bytes(bytes) => self.bytes(bytes)?,
            Value::String(text) => self.string(text)?,
            Value::List(items) => {
                self.op(op::EMPTY_LIST);
                if !items.is_empty() {
                    self.op(op::MARK);
                    for item in items {
                        self.value(item)?;
                    }
                    self.op(op::APPENDS);
                }
            }
            Value::Tuple(items) if items.is_empty() => self.op(op::EMPTY_TUPLE),
            Value::Tuple(items) => self.tuple(items)?,
            Value::Set(members) | Value::FrozenSet(members) => {
                let class = if matches!(value, Value::Set(_)) {
                    "builtins.set"
                } else {
                    "builtins.frozenset"
                };
                let members: Vec<Value> = members
                    .iter()
                    .cloned()
                    .map(HashableValue::into_value)
                    .collect();
                self.call(class, |writer| writer.value(&Value::List(members)))?;
            }
            Value::Dict(members) => match tag(members) {
                Some(Tag::Class(class, data)) => self.class(class, data)?,
                Some(Tag::Exception(class, message)) => {
                    self.call(class, |writer| writer.string(message))?;
                }
                None => self.dict(members)?,
            },
        }
        Ok(())
    }

    /// A `dict` of `members`, as they are: no tag read.
    fn dict(&mut self, members: &BTreeMap<HashableValue, Value>) -> Outcome {
        self.op(op::EMPTY_DICT);
        if !members.is_empty() {
            self.op(op::MARK);
            for (key, value) in members {
                self.value(&key.clone().into_value())?;
                self.value(value)?;
            }
            self.op(op::SETITEMS);
        }
        Ok(())
    }

    /// A tagged value as its class.
    fn class(&mut self, class: &str, data: &Value) -> Outcome {
        let text = || match data {
            Value::String(text) => Ok(text.as_str()),
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
                self.call(class, |writer| {
                    let mut state = date_state(at.date())?;
                    state.extend(time_state(at.time())?);
                    writer.bytes(&state)?;
                    if let Some(offset) = offset {
                        writer.call("datetime.timezone", |writer| {
                            writer.timedelta(TimeDelta::seconds(i64::from(offset)))
                        })?;
                    }
                    Ok(())
                })
            }
            "datetime.date" => {
                let date: NaiveDate = text()?.parse().map_err(|_| bad("date"))?;
                self.call(class, |writer| writer.bytes(&date_state(date)?))
            }
            "datetime.time" => {
                let time: NaiveTime = text()?.parse().map_err(|_| bad("time of day"))?;
                self.call(class, |writer| writer.bytes(&time_state(time)?))
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
                self.value(&Value::Int(id.as_u128().into()))?;
                self.op(op::SETITEM);
                self.op(op::BUILD);
                Ok(())
            }
            "decimal.Decimal" => {
                let text = text()?;
                self.call(class, |writer| writer.string(text))
            }
            "builtins.int" => {
                let int: num_bigint::BigInt = text()?.parse().map_err(|_| bad("integer"))?;
                self.value(&Value::Int(int))
            }
            "builtins.bytes" => self.bytes(text()?.as_bytes()),
            "builtins.set" | "builtins.frozenset" => match data {
                Value::List(items) => {
                    self.call(class, |writer| writer.value(&Value::List(items.clone())))
                }
                _ => Err(format!("the data of a `{class}` is not a list")),
            },
            _ => self.object(class, data),
        }
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
            writer.int(days);
            writer.int(rest / 1_000_000);
            writer.int(rest % 1_000_000);
            Ok(())
        })
    }

    /// A pydantic model or dataclass: `functools.partial(Class, **fields)()`, so that the
    /// class's own `__init__` (and pydantic's validation) makes it.
    fn object(&mut self, class: &str, data: &Value) -> Outcome {
        let Value::Dict(fields) = data else {
            return Err(format!("the data of a `{class}` is not its fields"));
        };
        if fields
            .keys()
            .any(|key| !matches!(key, HashableValue::String(_)))
        {
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

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use serde_pickle::{HashableValue, Value};

    use super::write;

    fn back(value: &Value) -> Value {
        let bytes = write(value).unwrap();
        serde_pickle::value_from_slice(&bytes, serde_pickle::DeOptions::new()).unwrap()
    }

    #[test]
    fn plain_values_read_back_as_written() {
        let mut ints: Vec<Value> = [
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
        ]
        .into_iter()
        .map(Value::I64)
        .collect();
        ints.push(Value::Int(num_bigint::BigInt::from(1u128 << 70)));
        ints.push(Value::Int(-num_bigint::BigInt::from(1u128 << 100)));
        let value = Value::List(vec![
            Value::List(ints),
            Value::Tuple(vec![]),
            Value::Tuple(vec![Value::None, Value::Bool(true), Value::Bool(false)]),
            Value::F64(-0.0),
            Value::F64(1e300),
            Value::String("h\u{e9}llo \u{1f980}".into()),
            Value::Bytes(vec![7; 255]),
            Value::Bytes(vec![9; 256]),
            Value::Set(BTreeSet::from([
                HashableValue::I64(1),
                HashableValue::I64(2),
            ])),
            Value::Dict(BTreeMap::from([
                (HashableValue::String("a".into()), Value::List(vec![])),
                (HashableValue::I64(3), Value::Dict(BTreeMap::new())),
            ])),
        ]);
        assert_eq!(back(&value), value);
    }

    #[test]
    fn tags_of_values_python_cannot_hold_are_refused() {
        let tag = |class: &str, data: &str| {
            Value::Dict(BTreeMap::from([
                (
                    HashableValue::String("__class__".into()),
                    Value::String(class.into()),
                ),
                (
                    HashableValue::String("data".into()),
                    Value::String(data.into()),
                ),
            ]))
        };
        for (class, data) in [
            ("datetime.date", "0000-01-01"),
            ("datetime.time", "23:59:60"),
            ("datetime.datetime", "not a date"),
            ("datetime.timedelta", "P1Y"),
            ("uuid.UUID", "nope"),
            ("builtins.int", "12x"),
            ("nomodule", "x"),
        ] {
            assert!(write(&tag(class, data)).is_err(), "{class} {data}");
        }
    }
}
