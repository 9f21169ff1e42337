//! Pickles holding Python's well-known value classes: `datetime.datetime`, `date`, `time` and
//! `timedelta` (with `datetime.timezone` offsets), `uuid.UUID` and `decimal.Decimal`.
//!
//! `serde-pickle` refuses every class. These few carry plain values in a documented layout
//! (CPython's `datetime` `__reduce__` state bytes, `UUID.__getstate__`, `Decimal.__reduce__`), so
//! a pickle holding them is read here: its opcodes are followed on a graph of objects, as
//! Python's unpickler builds it, without importing or calling anything, and each such object
//! becomes the text Prefect 3's JSON encoder writes of it (`2020-12-16T21:36:00+05:30`, `PT1H30M`,
//! the hyphenated UUID, the decimal's digits), which chrono's, uuid's and rust_decimal's serde
//! impls read. Everything else becomes the `serde_pickle::Value` that `serde-pickle` would build.
//! [`super::walk`] has already bounded the value's depth and size.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{NaiveDate, NaiveTime, TimeDelta};
use serde_pickle::{HashableValue, Value};

#[allow(clippy::wildcard_imports)]
use super::opcode::*;
use crate::cursor::Cursor;
use crate::datetime::python::{naive_text, time_text, to_iso};

/// Whether the global `module.name` is a class read here.
pub(super) fn is_known(module: &str, name: &str) -> bool {
    Class::of(module, name).is_some()
}

/// The callables a pickle of these classes may refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    DateTime,
    Date,
    Time,
    TimeDelta,
    TimeZone,
    Uuid,
    Decimal,
    Set,
    FrozenSet,
    List,
    Bytearray,
    /// `_codecs.encode`, with which protocols 2 and below write `bytes`.
    Encode,
}

impl Class {
    fn of(module: &str, name: &str) -> Option<Class> {
        Some(match (module, name) {
            ("datetime", "datetime") => Class::DateTime,
            ("datetime", "date") => Class::Date,
            ("datetime", "time") => Class::Time,
            ("datetime", "timedelta") => Class::TimeDelta,
            ("datetime", "timezone") => Class::TimeZone,
            ("uuid", "UUID") => Class::Uuid,
            ("decimal", "Decimal") => Class::Decimal,
            ("__builtin__" | "builtins", "set") => Class::Set,
            ("__builtin__" | "builtins", "frozenset") => Class::FrozenSet,
            ("__builtin__" | "builtins", "list") => Class::List,
            ("__builtin__" | "builtins", "bytearray") => Class::Bytearray,
            ("_codecs", "encode") => Class::Encode,
            _ => return None,
        })
    }
}

/// An object the pickle builds.
enum Node {
    Scalar(Value),
    List(Vec<usize>),
    Tuple(Vec<usize>),
    /// Keys and values, alternating.
    Dict(Vec<usize>),
    Set(Vec<usize>),
    FrozenSet(Vec<usize>),
    Class(Class),
    /// A class called with arguments (`REDUCE`, `NEWOBJ`), and its state (`BUILD`).
    Object {
        class: usize,
        args: usize,
        state: Option<usize>,
    },
}

enum Slot {
    Mark,
    Object(usize),
}

struct Machine<'a> {
    input: Cursor<'a>,
    nodes: Vec<Node>,
    stack: Vec<Slot>,
    memo: HashMap<u64, usize>,
}

type Outcome<T> = Result<T, String>;

fn truncated() -> String {
    "the pickle ends early".to_string()
}

/// The value of a pickle holding the classes above, which [`super::walk`] checked.
pub(super) fn read(bytes: &[u8]) -> Outcome<Value> {
    let mut machine = Machine {
        input: Cursor::new(bytes),
        nodes: Vec::new(),
        stack: Vec::new(),
        memo: HashMap::new(),
    };
    let root = machine.run()?;
    machine.value(root)
}

impl Machine<'_> {
    fn push(&mut self, node: Node) {
        self.nodes.push(node);
        self.stack.push(Slot::Object(self.nodes.len() - 1));
    }

    fn node(&self, id: usize) -> Outcome<&Node> {
        self.nodes
            .get(id)
            .ok_or_else(|| "the pickle refers to no object".to_string())
    }

    fn pop(&mut self) -> Outcome<usize> {
        match self.stack.pop() {
            Some(Slot::Object(object)) => Ok(object),
            _ => Err("the pickle takes a value from an empty stack or a mark".to_string()),
        }
    }

    fn pop_to_mark(&mut self) -> Outcome<Vec<usize>> {
        let mut items = Vec::new();
        loop {
            match self.stack.pop() {
                Some(Slot::Mark) => break,
                Some(Slot::Object(object)) => items.push(object),
                None => return Err("the pickle has no mark where it needs one".to_string()),
            }
        }
        items.reverse();
        Ok(items)
    }

    fn top(&self) -> Outcome<usize> {
        match self.stack.last() {
            Some(Slot::Object(object)) => Ok(*object),
            _ => Err("the pickle refers to the top of an empty stack".to_string()),
        }
    }

    fn take(&mut self, len: usize) -> Outcome<&[u8]> {
        self.input.take(len).ok_or_else(truncated)
    }

    fn uint(&mut self, len: usize) -> Outcome<u64> {
        self.input.uint_le(len).ok_or_else(truncated)
    }

    /// `len`-prefixed data, `prefix` bytes of length.
    fn counted(&mut self, prefix: usize) -> Outcome<&[u8]> {
        let len = usize::try_from(self.uint(prefix)?).map_err(|_| truncated())?;
        self.take(len)
    }

    fn text(&mut self, prefix: usize) -> Outcome<()> {
        let text = std::str::from_utf8(self.counted(prefix)?)
            .map_err(|_| "a string of the pickle is not UTF-8".to_string())?
            .to_owned();
        self.push(Node::Scalar(Value::String(text)));
        Ok(())
    }

    fn line(&mut self) -> Outcome<String> {
        let line = self.input.line().ok_or_else(truncated)?;
        Ok(String::from_utf8_lossy(line).trim().to_owned())
    }

    fn global(&mut self, module: &str, name: &str) -> Outcome<()> {
        let class = Class::of(module, name).ok_or_else(|| {
            format!("the pickle refers to `{module}.{name}`, which is not read: only plain data and the well-known classes are, and nothing in a pickle is imported or run")
        })?;
        self.push(Node::Class(class));
        Ok(())
    }

    fn extend_top(&mut self, items: Vec<usize>) -> Outcome<()> {
        let top = self.top()?;
        match self.nodes.get_mut(top) {
            Some(
                Node::List(children)
                | Node::Dict(children)
                | Node::Set(children)
                | Node::FrozenSet(children),
            ) => {
                children.extend(items);
                Ok(())
            }
            _ => Err("the pickle adds items to what is not a container".to_string()),
        }
    }

    /// Follows the opcodes to `STOP`, and returns the object it leaves.
    fn run(&mut self) -> Outcome<usize> {
        loop {
            let opcode = *self.take(1)?.first().ok_or_else(truncated)?;
            match opcode {
                STOP => return self.pop(),
                PROTO => drop(self.take(1)?),
                FRAME => drop(self.take(8)?),
                MARK => self.stack.push(Slot::Mark),
                POP => drop(self.stack.pop()),
                POP_MARK => drop(self.pop_to_mark()?),
                DUP => {
                    let top = self.top()?;
                    self.stack.push(Slot::Object(top));
                }
                NONE => self.push(Node::Scalar(Value::None)),
                NEWTRUE => self.push(Node::Scalar(Value::Bool(true))),
                NEWFALSE => self.push(Node::Scalar(Value::Bool(false))),
                BININT => {
                    let bytes: [u8; 4] = self.take(4)?.try_into().map_err(|_| truncated())?;
                    self.push(Node::Scalar(Value::I64(i64::from(i32::from_le_bytes(
                        bytes,
                    )))));
                }
                BININT1 | BININT2 => {
                    let len = if opcode == BININT1 { 1 } else { 2 };
                    let int = self.uint(len)?;
                    self.push(Node::Scalar(Value::I64(int as i64)));
                }
                LONG1 | LONG4 => {
                    let len = if opcode == LONG1 { 1 } else { 4 };
                    let int = integer(self.counted(len)?);
                    self.push(Node::Scalar(int));
                }
                BINFLOAT => {
                    let bytes: [u8; 8] = self.take(8)?.try_into().map_err(|_| truncated())?;
                    self.push(Node::Scalar(Value::F64(f64::from_be_bytes(bytes))));
                }
                INT | LONG | FLOAT => {
                    let line = self.line()?;
                    self.push(Node::Scalar(text_number(opcode, &line)?));
                }
                BINUNICODE => self.text(4)?,
                SHORT_BINUNICODE => self.text(1)?,
                BINUNICODE8 => self.text(8)?,
                BINBYTES | BINSTRING => {
                    let bytes = self.counted(4)?.to_vec();
                    self.push(Node::Scalar(Value::Bytes(bytes)));
                }
                SHORT_BINBYTES | SHORT_BINSTRING => {
                    let bytes = self.counted(1)?.to_vec();
                    self.push(Node::Scalar(Value::Bytes(bytes)));
                }
                BINBYTES8 | BYTEARRAY8 => {
                    let bytes = self.counted(8)?.to_vec();
                    self.push(Node::Scalar(Value::Bytes(bytes)));
                }
                GLOBAL => {
                    let (module, name) = (self.line()?, self.line()?);
                    self.global(&module, &name)?;
                }
                STACK_GLOBAL => {
                    let name = self.pop()?;
                    let module = self.pop()?;
                    match (self.node(module)?, self.node(name)?) {
                        (
                            Node::Scalar(Value::String(module)),
                            Node::Scalar(Value::String(name)),
                        ) => {
                            let (module, name) = (module.clone(), name.clone());
                            self.global(&module, &name)?;
                        }
                        _ => return Err("the pickle names a global by what is not text".into()),
                    }
                }
                EMPTY_LIST => self.push(Node::List(Vec::new())),
                EMPTY_DICT => self.push(Node::Dict(Vec::new())),
                EMPTY_TUPLE => self.push(Node::Tuple(Vec::new())),
                EMPTY_SET => self.push(Node::Set(Vec::new())),
                LIST | TUPLE | DICT | FROZENSET => {
                    let items = self.pop_to_mark()?;
                    self.push(match opcode {
                        LIST => Node::List(items),
                        TUPLE => Node::Tuple(items),
                        DICT => Node::Dict(items),
                        _ => Node::FrozenSet(items),
                    });
                }
                TUPLE1..=TUPLE3 => {
                    let mut items = (TUPLE1..=opcode)
                        .map(|_| self.pop())
                        .collect::<Outcome<Vec<_>>>()?;
                    items.reverse();
                    self.push(Node::Tuple(items));
                }
                APPEND => {
                    let item = self.pop()?;
                    self.extend_top(vec![item])?;
                }
                SETITEM => {
                    let value = self.pop()?;
                    let key = self.pop()?;
                    self.extend_top(vec![key, value])?;
                }
                APPENDS | SETITEMS | ADDITEMS => {
                    let items = self.pop_to_mark()?;
                    self.extend_top(items)?;
                }
                REDUCE | NEWOBJ | NEWOBJ_EX => {
                    if opcode == NEWOBJ_EX {
                        let kwargs = self.pop()?;
                        if !matches!(self.node(kwargs)?, Node::Dict(items) if items.is_empty()) {
                            return Err("the pickle makes an object with keyword arguments".into());
                        }
                    }
                    let args = self.pop()?;
                    let class = self.pop()?;
                    self.push(Node::Object {
                        class,
                        args,
                        state: None,
                    });
                }
                BUILD => {
                    let state = self.pop()?;
                    let top = self.top()?;
                    match self.nodes.get_mut(top) {
                        Some(Node::Object { state: slot, .. }) => *slot = Some(state),
                        _ => {
                            return Err("the pickle sets the state of what is not an object".into())
                        }
                    }
                }
                PUT | BINPUT | LONG_BINPUT | MEMOIZE => {
                    let index = match opcode {
                        PUT => self.line()?.parse().map_err(|_| truncated())?,
                        BINPUT => self.uint(1)?,
                        LONG_BINPUT => self.uint(4)?,
                        _ => self.memo.len() as u64,
                    };
                    let top = self.top()?;
                    self.memo.insert(index, top);
                }
                GET | BINGET | LONG_BINGET => {
                    let index = match opcode {
                        GET => self.line()?.parse().map_err(|_| truncated())?,
                        BINGET => self.uint(1)?,
                        _ => self.uint(4)?,
                    };
                    let object = *self.memo.get(&index).ok_or_else(|| {
                        format!("the pickle refers to memo {index}, never stored")
                    })?;
                    self.stack.push(Slot::Object(object));
                }
                other => {
                    return Err(format!(
                        "the pickle opcode 0x{other:02x} is not read beside a class"
                    ))
                }
            }
        }
    }

    fn values(&self, items: &[usize]) -> Outcome<Vec<Value>> {
        items.iter().map(|item| self.value(*item)).collect()
    }

    fn hashables(&self, items: &[usize]) -> Outcome<BTreeSet<HashableValue>> {
        items
            .iter()
            .map(|item| hashable(self.value(*item)?))
            .collect()
    }

    /// The value of object `id`.
    fn value(&self, id: usize) -> Outcome<Value> {
        Ok(match self.node(id)? {
            Node::Scalar(value) => value.clone(),
            Node::List(items) => Value::List(self.values(items)?),
            Node::Tuple(items) => Value::Tuple(self.values(items)?),
            Node::Set(items) => Value::Set(self.hashables(items)?),
            Node::FrozenSet(items) => Value::FrozenSet(self.hashables(items)?),
            Node::Dict(items) => {
                let mut map = BTreeMap::new();
                for pair in items.chunks(2) {
                    let [key, value] = pair else {
                        return Err("a dict of the pickle has a key without a value".into());
                    };
                    map.insert(hashable(self.value(*key)?)?, self.value(*value)?);
                }
                Value::Dict(map)
            }
            Node::Class(class) => {
                return Err(format!(
                    "the pickle holds the class {} itself, not a value of it",
                    class.name()
                ))
            }
            Node::Object { .. } => self.object(id)?,
        })
    }

    /// The class of object `id` and the objects of its arguments, where it is a call.
    fn call(&self, id: usize) -> Option<(Class, &[usize], Option<usize>)> {
        let Node::Object { class, args, state } = self.nodes.get(id)? else {
            return None;
        };
        let (Node::Class(class), Node::Tuple(args)) =
            (self.nodes.get(*class)?, self.nodes.get(*args)?)
        else {
            return None;
        };
        Some((*class, args, *state))
    }

    fn object(&self, id: usize) -> Outcome<Value> {
        let (class, args, state) = self
            .call(id)
            .ok_or("the pickle calls what is not a class, or without a tuple of arguments")?;
        let bad = || {
            format!(
                "the arguments of {} are not those Python writes",
                class.name()
            )
        };
        let text = |text: String| Ok(Value::String(text));
        let values = self.values(args)?;
        match (class, values.as_slice()) {
            (Class::DateTime, [Value::Bytes(state), ..]) if args.len() <= 2 => {
                let (date, time) = state.split_at_checked(4).ok_or_else(bad)?;
                let at = date_of(date)
                    .and_then(|date| Some(date.and_time(time_of(time)?)))
                    .ok_or_else(bad)?;
                text(format!("{}{}", naive_text(at), self.offset(args.get(1))?))
            }
            (Class::Date, [Value::Bytes(state)]) => {
                text(date_of(state).ok_or_else(bad)?.to_string())
            }
            (Class::Time, [Value::Bytes(state), ..]) if args.len() <= 2 => {
                let time = time_of(state).ok_or_else(bad)?;
                text(format!("{}{}", time_text(time), self.offset(args.get(1))?))
            }
            (Class::TimeDelta, _) => text(to_iso(self.timedelta(id).ok_or_else(bad)?)),
            (Class::TimeZone, _) => text(self.offset(Some(&id))?),
            (Class::Uuid, []) => {
                let state = state.map(|state| self.value(state)).transpose()?;
                let int = match &state {
                    Some(Value::Dict(state)) => state.get(&HashableValue::String("int".into())),
                    _ => None,
                };
                let int = match int {
                    Some(Value::I64(int)) => u128::try_from(*int).ok(),
                    Some(Value::Int(int)) => u128::try_from(int).ok(),
                    _ => None,
                };
                text(uuid_text(int.ok_or_else(bad)?))
            }
            (Class::Decimal, [Value::String(digits)]) => text(digits.clone()),
            (Class::Set | Class::FrozenSet, items) => {
                let members = match items {
                    [] => BTreeSet::new(),
                    [Value::List(items) | Value::Tuple(items)] => items
                        .iter()
                        .cloned()
                        .map(hashable)
                        .collect::<Outcome<_>>()?,
                    _ => return Err(bad()),
                };
                Ok(if class == Class::Set {
                    Value::Set(members)
                } else {
                    Value::FrozenSet(members)
                })
            }
            (Class::List, [Value::List(items)]) => Ok(Value::List(items.clone())),
            (Class::Bytearray, []) => Ok(Value::Bytes(Vec::new())),
            (Class::Bytearray, [Value::Bytes(bytes)]) => Ok(Value::Bytes(bytes.clone())),
            (Class::Encode, [Value::String(text), Value::String(codec)]) if codec == "latin1" => {
                let bytes = text.chars().map(|c| u8::try_from(u32::from(c)));
                Ok(Value::Bytes(
                    bytes.collect::<Result<_, _>>().map_err(|_| bad())?,
                ))
            }
            _ => Err(bad()),
        }
    }

    /// The `timedelta` object `id`: `timedelta(days, seconds, microseconds)`.
    fn timedelta(&self, id: usize) -> Option<TimeDelta> {
        let (Class::TimeDelta, [days, seconds, micros], None) = self.call(id)? else {
            return None;
        };
        let int = |id: &usize| match self.nodes.get(*id)? {
            Node::Scalar(Value::I64(int)) => Some(*int),
            _ => None,
        };
        TimeDelta::try_days(int(days)?)?
            .checked_add(&TimeDelta::try_seconds(int(seconds)?)?)?
            .checked_add(&TimeDelta::microseconds(int(micros)?))
    }

    /// The UTC offset of the `tzinfo` object `zone`, as Prefect 3 writes it (`Z`, `+05:30`);
    /// nothing for a naive value. Only fixed offsets (`datetime.timezone`) are read.
    fn offset(&self, zone: Option<&usize>) -> Outcome<String> {
        let Some(zone) = zone else {
            return Ok(String::new());
        };
        if matches!(self.nodes.get(*zone), Some(Node::Scalar(Value::None))) {
            return Ok(String::new());
        }
        let delta = match self.call(*zone) {
            Some((Class::TimeZone, [delta, ..], None)) => self.timedelta(*delta),
            _ => None,
        }
        .ok_or("a `tzinfo` other than a fixed `datetime.timezone` offset is not read")?;
        let seconds = delta.num_seconds();
        if delta.subsec_nanos() != 0 || seconds % 60 != 0 || seconds.abs() >= 86_400 {
            return Err(format!(
                "the UTC offset of {seconds} s is not whole minutes"
            ));
        }
        if seconds == 0 {
            return Ok("Z".into());
        }
        let sign = if seconds < 0 { '-' } else { '+' };
        let minutes = seconds.abs() / 60;
        Ok(format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60))
    }
}

impl Class {
    fn name(self) -> &'static str {
        match self {
            Class::DateTime => "`datetime.datetime`",
            Class::Date => "`datetime.date`",
            Class::Time => "`datetime.time`",
            Class::TimeDelta => "`datetime.timedelta`",
            Class::TimeZone => "`datetime.timezone`",
            Class::Uuid => "`uuid.UUID`",
            Class::Decimal => "`decimal.Decimal`",
            Class::Set => "`set`",
            Class::FrozenSet => "`frozenset`",
            Class::List => "`list`",
            Class::Bytearray => "`bytearray`",
            Class::Encode => "`_codecs.encode`",
        }
    }
}

/// A date from CPython's state bytes: year (two bytes, big-endian), month, day.
fn date_of(state: &[u8]) -> Option<NaiveDate> {
    let [high, low, month, day] = *state else {
        return None;
    };
    NaiveDate::from_ymd_opt(
        i32::from(u16::from_be_bytes([high, low])),
        u32::from(month & 0x7f),
        u32::from(day),
    )
}

/// A time of day from CPython's state bytes: hour (its top bit `fold`), minute, second, and
/// microseconds in three big-endian bytes.
fn time_of(state: &[u8]) -> Option<NaiveTime> {
    let [hour, minute, second, a, b, c] = *state else {
        return None;
    };
    let micros = u32::from_be_bytes([0, a, b, c]);
    NaiveTime::from_hms_micro_opt(
        u32::from(hour & 0x7f),
        u32::from(minute),
        u32::from(second),
        micros,
    )
}

/// A UUID's hyphenated text, from its 128-bit integer.
fn uuid_text(int: u128) -> String {
    let hex = format!("{int:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// An integer of `LONG1` or `LONG4`: little-endian two's complement.
fn integer(bytes: &[u8]) -> Value {
    match super::walk::long(bytes) {
        Some(int) => Value::I64(int),
        None => Value::Int(num_bigint::BigInt::from_signed_bytes_le(bytes)),
    }
}

/// A number of protocol 0, written as text: `I42`, `I01` (`True`), `L42L`, `F1.5`.
fn text_number(opcode: u8, line: &str) -> Outcome<Value> {
    let bad = || format!("`{line}` is not a number of the pickle");
    Ok(match (opcode, line) {
        (INT, "00") => Value::Bool(false),
        (INT, "01") => Value::Bool(true),
        (FLOAT, _) => Value::F64(line.parse().map_err(|_| bad())?),
        _ => {
            let digits = line.strip_suffix('L').unwrap_or(line);
            match digits.parse::<i64>() {
                Ok(int) => Value::I64(int),
                Err(_) => Value::Int(digits.parse().map_err(|_| bad())?),
            }
        }
    })
}

/// A set member or dict key. A NaN is refused: it has no place in their order.
fn hashable(value: Value) -> Outcome<HashableValue> {
    if matches!(value, Value::F64(float) if float.is_nan()) {
        return Err("a NaN as a set member or dict key is not read".into());
    }
    value.into_hashable().map_err(|err| err.to_string())
}

#[cfg(test)]
mod tests {
    use super::read;

    /// `pickle.dumps([datetime(2020, 12, 16, 21, 36, 0, 5, tzinfo=timezone(timedelta(hours=5,
    /// minutes=30))), UUID(int=5), Decimal("1.50"), time(1, 2, 3), {1, 2}], protocol=5)`.
    const PICKLE: &[u8] = b"\x80\x05\x95\xbc\x00\x00\x00\x00\x00\x00\x00]\x94(\x8c\x08datetime\x94\x8c\x08datetime\x94\x93\x94C\n\x07\xe4\x0c\x10\x15$\x00\x00\x00\x05\x94h\x01\x8c\x08timezone\x94\x93\x94h\x01\x8c\ttimedelta\x94\x93\x94K\x00MXMK\x00\x87\x94R\x94\x85\x94R\x94\x86\x94R\x94\x8c\x04uuid\x94\x8c\x04UUID\x94\x93\x94)\x81\x94}\x94\x8c\x03int\x94K\x05sb\x8c\x07decimal\x94\x8c\x07Decimal\x94\x93\x94\x8c\x041.50\x94\x85\x94R\x94h\x01\x8c\x04time\x94\x93\x94C\x06\x01\x02\x03\x00\x00\x00\x94\x85\x94R\x94\x8f\x94(K\x01K\x02\x90e.";

    #[test]
    fn well_known_classes_read_as_their_text() {
        let value = read(PICKLE).unwrap();
        let text = format!("{value:?}");
        for expected in [
            "2020-12-16T21:36:00.000005+05:30",
            "00000000-0000-0000-0000-000000000005",
            "\"1.50\"",
            "\"01:02:03\"",
        ] {
            assert!(text.contains(expected), "{expected} in {text}");
        }
    }

    #[test]
    fn damaged_pickles_are_errors_not_panics() {
        for end in 0..PICKLE.len() {
            let _ = read(&PICKLE[..end]);
        }
        for at in 0..PICKLE.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut damaged = PICKLE.to_vec();
                damaged[at] ^= flip;
                let _ = read(&damaged);
            }
        }
    }
}
