//! Walks a pickle's opcodes before `serde-pickle` runs them, to bound what it would build.
//!
//! `serde-pickle` builds the whole value first and recurses over it: a pickle of a list nested
//! 200,000 deep (400 KB) overflows the stack, and one whose memo refers to the same list again
//! and again (`GET`) makes it copy that list at every reference, exponentially. This walk
//! follows the opcodes on a graph of the objects, aliases included, and computes the depth of
//! the value and the number of objects it expands to, without building it.
//!
//! It also names the classes and functions the pickle refers to: `serde-pickle` refuses a
//! call of one (`REDUCE`), but reads an object made without a call (`NEWOBJ` and `BUILD`, how
//! `uuid.UUID` or a dataclass pickles) as its attribute dictionary, which would change the
//! data. Anything but the few builtins the decoder resolves and the well-known classes
//! [`super::known`] reads is refused here, by its name.

use std::collections::{HashMap, HashSet};

#[allow(clippy::wildcard_imports)]
use super::opcode::*;
use crate::cursor::Cursor;

/// What the walk found wrong, if anything.
pub(super) enum Verdict {
    /// Within the limits, or not followed to the end (the decoder then reports the fault).
    Fine,
    TooDeep(usize),
    TooLarge(u64),
    Recursive,
    /// A class or function other than the builtins the decoder resolves and the well-known
    /// classes: `module.name`.
    Class(String),
    /// Within the limits, holding well-known classes (`datetime`, `UUID`, `Decimal`), which
    /// [`super::known`] reads.
    WellKnown,
    /// Set members or dict keys that `serde-pickle` cannot order (a NaN, or floats beside
    /// integers past 2**53, which it compares by rules that contradict each other), where
    /// building the set would make Rust's sort panic.
    Unordered,
    /// A frame longer than the rest of the pickle, which Python's unpickler calls truncated.
    Truncated,
}

/// The globals `serde-pickle` resolves to plain data (sets, lists, bytes, integers).
fn is_plain_data(module: &str, name: &str) -> bool {
    matches!(
        (module, name),
        ("_codecs", "encode")
            | ("copy_reg" | "copyreg", "_reconstructor")
            | (
                "__builtin__" | "builtins",
                "set" | "frozenset" | "list" | "bytearray" | "int"
            )
    )
}

enum Slot {
    Mark,
    Object(usize),
}

/// How far one opcode took the walk.
enum Step {
    /// On to the next opcode.
    Next,
    /// `STOP`: the value is complete.
    Stop,
    /// The input ends, or holds what the decoder refuses (and reports) before it builds
    /// anything: the walk goes no further.
    Unfollowed,
}

struct Walk<'a> {
    input: Cursor<'a>,
    /// The children of each object, by number.
    children: Vec<Vec<usize>>,
    stack: Vec<Slot>,
    memo: HashMap<u64, usize>,
    /// The bytes of each string object, by number (empty for the others): the names
    /// `STACK_GLOBAL` takes. A slice per object, not a map, to keep the walk cheap.
    texts: Vec<&'a [u8]>,
    /// The first class or function the decoder would not resolve to plain data.
    class: Option<String>,
    /// Whether a well-known class was seen.
    well_known: bool,
    /// What each object is or holds, by number, of what `serde-pickle` cannot order as set
    /// members or dict keys ([`NAN`], [`FLOAT`], [`WIDE`]); a tuple or frozenset holds its
    /// members' marks.
    marks: Vec<u8>,
    /// The `set` and `frozenset` globals: what makes a set of a list.
    set_globals: HashSet<usize>,
    /// Whether set members or dict keys were found that cannot be ordered.
    unordered: bool,
    truncated: bool,
}

/// A NaN float.
const NAN: u8 = 1;
/// A float.
const FLOAT: u8 = 2;
/// An integer past 2**53, which a float does not hold exactly.
const WIDE: u8 = 4;

/// Whether members of these marks cannot be ordered: a NaN, or floats beside wide integers.
fn unorderable(marks: u8) -> bool {
    marks & NAN != 0 || marks & (FLOAT | WIDE) == FLOAT | WIDE
}

/// The integer of `LONG1` or `LONG4` bytes (little-endian two's complement), where it fits
/// 64 bits.
pub(super) fn long(bytes: &[u8]) -> Option<i64> {
    if bytes.len() > 8 {
        return None;
    }
    let fill = if bytes.last().is_some_and(|last| last & 0x80 != 0) {
        0xff
    } else {
        0
    };
    let mut full = [fill; 8];
    for (slot, byte) in full.iter_mut().zip(bytes) {
        *slot = *byte;
    }
    Some(i64::from_le_bytes(full))
}

/// The marks of an integer, wide past 2**53.
fn int_marks(int: Option<i64>) -> u8 {
    match int {
        Some(int) if int.unsigned_abs() <= 1 << 53 => 0,
        _ => WIDE,
    }
}

impl<'a> Walk<'a> {
    /// A memo index written as decimal text on a line of its own (protocol 0).
    fn text_index(&mut self) -> Option<u64> {
        std::str::from_utf8(self.input.line()?)
            .ok()?
            .trim()
            .parse()
            .ok()
    }

    /// Skips `len` bytes of data after a length of `prefix` bytes.
    fn counted(&mut self, prefix: usize) -> Option<()> {
        let len = usize::try_from(self.input.uint_le(prefix)?).ok()?;
        self.input.take(len).map(drop)
    }

    fn object(&mut self, children: Vec<usize>) -> usize {
        self.children.push(children);
        self.texts.push(&[]);
        self.marks.push(0);
        self.children.len() - 1
    }

    /// Marks the newest object.
    fn mark(&mut self, marks: u8) {
        if let Some(last) = self.marks.last_mut() {
            *last |= marks;
        }
    }

    /// The marks of `items` together.
    fn marks_of<'k>(&self, items: impl IntoIterator<Item = &'k usize>) -> u8 {
        items
            .into_iter()
            .filter_map(|item| self.marks.get(*item))
            .fold(0, |marks, item| marks | item)
    }

    /// A new string object of `prefix` bytes of length and its bytes.
    fn text(&mut self, prefix: usize) -> Option<()> {
        let len = usize::try_from(self.input.uint_le(prefix)?).ok()?;
        let text = self.input.take(len)?;
        self.push_new(Vec::new());
        if let Some(last) = self.texts.last_mut() {
            *last = text;
        }
        Some(())
    }

    fn push_new(&mut self, children: Vec<usize>) {
        let object = self.object(children);
        self.stack.push(Slot::Object(object));
    }

    fn pop(&mut self) -> Option<usize> {
        match self.stack.pop()? {
            Slot::Object(object) => Some(object),
            Slot::Mark => None,
        }
    }

    fn pop_to_mark(&mut self) -> Option<Vec<usize>> {
        let mut items = Vec::new();
        loop {
            match self.stack.pop()? {
                Slot::Mark => break,
                Slot::Object(object) => items.push(object),
            }
        }
        items.reverse();
        Some(items)
    }

    fn top(&self) -> Option<usize> {
        match self.stack.last()? {
            Slot::Object(object) => Some(*object),
            Slot::Mark => None,
        }
    }

    /// Adds `items` to the object on top of the stack.
    fn extend_top(&mut self, items: Vec<usize>) -> Option<()> {
        let top = self.top()?;
        self.children.get_mut(top)?.extend(items);
        Some(())
    }

    fn pop_n(&mut self, n: usize) -> Option<Vec<usize>> {
        let mut items = (0..n).map(|_| self.pop()).collect::<Option<Vec<_>>>()?;
        items.reverse();
        Some(items)
    }

    fn step(&mut self) -> Step {
        self.follow().unwrap_or(Step::Unfollowed)
    }

    /// Follows one opcode; `None` where the walk cannot (see [`Step::Unfollowed`]).
    fn follow(&mut self) -> Option<Step> {
        let opcode = *self.input.take(1)?.first()?;
        match opcode {
            STOP => return Some(Step::Stop),
            MARK => self.stack.push(Slot::Mark),
            POP => {
                self.stack.pop()?;
            }
            POP_MARK => drop(self.pop_to_mark()?),
            DUP => {
                let top = self.top()?;
                self.stack.push(Slot::Object(top));
            }
            // Scalars, whatever their encoding.
            FLOAT | INT | LONG => {
                let text = std::str::from_utf8(self.input.line()?).ok().map(str::trim);
                let marks = if opcode == FLOAT {
                    let nan = text
                        .and_then(|text| text.parse::<f64>().ok())
                        .is_some_and(f64::is_nan);
                    if nan {
                        NAN
                    } else {
                        FLOAT
                    }
                } else {
                    let digits = text.map(|text| text.trim_end_matches('L'));
                    int_marks(digits.and_then(|digits| digits.parse().ok()))
                };
                self.push_new(Vec::new());
                self.mark(marks);
            }
            STRING | UNICODE => {
                self.input.line()?;
                self.push_new(Vec::new());
            }
            BININT => self.scalar(4)?,
            BININT1 => self.scalar(1)?,
            BININT2 => self.scalar(2)?,
            BINFLOAT => {
                let bytes: [u8; 8] = self.input.take(8)?.try_into().ok()?;
                self.push_new(Vec::new());
                self.mark(if f64::from_be_bytes(bytes).is_nan() {
                    NAN
                } else {
                    FLOAT
                });
            }
            NONE | NEWTRUE | NEWFALSE => self.push_new(Vec::new()),
            BINUNICODE => self.text(4)?,
            BINSTRING | BINBYTES => {
                self.counted(4)?;
                self.push_new(Vec::new());
            }
            SHORT_BINUNICODE => self.text(1)?,
            SHORT_BINSTRING | SHORT_BINBYTES => {
                self.counted(1)?;
                self.push_new(Vec::new());
            }
            LONG1 | LONG4 => {
                let len =
                    usize::try_from(self.input.uint_le(if opcode == LONG1 { 1 } else { 4 })?)
                        .ok()?;
                let int = long(self.input.take(len)?);
                self.push_new(Vec::new());
                self.mark(int_marks(int));
            }
            BINUNICODE8 | BINBYTES8 | BYTEARRAY8 => {
                self.counted(8)?;
                self.push_new(Vec::new());
            }
            // Globals: the decoder refuses all but a few builtins.
            GLOBAL => {
                let module = String::from_utf8_lossy(self.input.line()?)
                    .trim()
                    .to_owned();
                let name = String::from_utf8_lossy(self.input.line()?)
                    .trim()
                    .to_owned();
                self.global(&module, &name);
                self.push_new(Vec::new());
                self.mark_set_global(&module, &name);
            }
            STACK_GLOBAL => {
                let names = self.pop_n(2)?;
                let text = |object: Option<&usize>| {
                    let text = object.and_then(|object| self.texts.get(*object)).copied();
                    String::from_utf8_lossy(text.unwrap_or(b"?")).into_owned()
                };
                let (module, name) = (text(names.first()), text(names.get(1)));
                self.global(&module, &name);
                self.push_new(Vec::new());
                self.mark_set_global(&module, &name);
            }
            // Containers.
            EMPTY_LIST | EMPTY_DICT | EMPTY_TUPLE | EMPTY_SET => self.push_new(Vec::new()),
            LIST | TUPLE | DICT | FROZENSET => {
                let items = self.pop_to_mark()?;
                match opcode {
                    DICT => self.check_keys(items.iter().step_by(2)),
                    FROZENSET => self.check_keys(items.iter()),
                    _ => {}
                }
                // A tuple or frozenset, itself a member or key, holds its items' marks.
                let marks = if matches!(opcode, TUPLE | FROZENSET) {
                    self.marks_of(&items)
                } else {
                    0
                };
                self.push_new(items);
                self.mark(marks);
            }
            TUPLE1..=TUPLE3 => {
                let items = self.pop_n(usize::from(opcode - TUPLE1 + 1))?;
                let marks = self.marks_of(&items);
                self.push_new(items);
                self.mark(marks);
            }
            APPEND => {
                let item = self.pop()?;
                self.extend_top(vec![item])?;
            }
            SETITEM => {
                let pair = self.pop_n(2)?;
                self.check_keys(pair.first());
                self.extend_top(pair)?;
            }
            APPENDS | SETITEMS | ADDITEMS => {
                let items = self.pop_to_mark()?;
                match opcode {
                    SETITEMS => self.check_keys(items.iter().step_by(2)),
                    ADDITEMS => self.check_keys(items.iter()),
                    _ => {}
                }
                self.extend_top(items)?;
            }
            // Calls and object construction: their arguments end up inside the result.
            REDUCE | NEWOBJ => {
                let args = self.pop_n(2)?;
                let mut marks = 0;
                // `set(list)`, `frozenset(list)`: the list's items become members.
                if let [callable, args] = args.as_slice() {
                    if opcode == REDUCE && self.set_globals.contains(callable) {
                        let members: Vec<usize> = self
                            .children
                            .get(*args)
                            .into_iter()
                            .flatten()
                            .filter_map(|arg| self.children.get(*arg))
                            .flatten()
                            .copied()
                            .collect();
                        self.check_keys(members.iter());
                        marks = self.marks_of(&members);
                    }
                }
                self.push_new(args);
                self.mark(marks);
            }
            NEWOBJ_EX => {
                let args = self.pop_n(3)?;
                self.push_new(args);
            }
            BUILD => {
                let state = self.pop()?;
                self.extend_top(vec![state])?;
            }
            // The memo.
            PUT => {
                let index = self.text_index()?;
                let top = self.top()?;
                self.memo.insert(index, top);
            }
            BINPUT | LONG_BINPUT => {
                let index = self.input.uint_le(if opcode == BINPUT { 1 } else { 4 })?;
                let top = self.top()?;
                self.memo.insert(index, top);
            }
            MEMOIZE => {
                let index = self.memo.len() as u64;
                let top = self.top()?;
                self.memo.insert(index, top);
            }
            GET | BINGET | LONG_BINGET => {
                let index = match opcode {
                    GET => self.text_index()?,
                    BINGET => self.input.uint_le(1)?,
                    _ => self.input.uint_le(4)?,
                };
                let object = *self.memo.get(&index)?;
                self.stack.push(Slot::Object(object));
            }
            PROTO => drop(self.input.take(1)?),
            FRAME => {
                // Python's unpickler needs the whole frame (and takes the opcodes across its
                // end); `serde-pickle` skips the length.
                let len = self.input.uint_le(8)?;
                self.truncated = len > self.input.remaining() as u64;
            }
            // Anything else (persistent ids, extensions, buffers): the decoder refuses it.
            _ => return None,
        }
        Some(Step::Next)
    }

    fn mark_set_global(&mut self, module: &str, name: &str) {
        if matches!(module, "builtins" | "__builtin__") && matches!(name, "set" | "frozenset") {
            self.set_globals.insert(self.children.len() - 1);
        }
    }

    /// Notes set members or dict keys that cannot be ordered among `keys`.
    fn check_keys<'k>(&mut self, keys: impl IntoIterator<Item = &'k usize>) {
        if unorderable(self.marks_of(keys)) {
            self.unordered = true;
        }
    }

    /// Notes a global the decoder would not resolve to plain data.
    fn global(&mut self, module: &str, name: &str) {
        if super::known::is_known(module, name) && !is_plain_data(module, name) {
            self.well_known = true;
        } else if self.class.is_none() && !is_plain_data(module, name) {
            self.class = Some(format!("{module}.{name}"));
        }
    }

    fn scalar(&mut self, len: usize) -> Option<()> {
        self.input.take(len)?;
        self.push_new(Vec::new());
        Some(())
    }
}

/// Depth and expanded size of the value `bytes` unpickles to, checked against the limits.
pub(super) fn check(bytes: &[u8], max_depth: usize, max_objects: u64) -> Verdict {
    let mut walk = Walk {
        input: Cursor::new(bytes),
        children: Vec::new(),
        stack: Vec::new(),
        memo: HashMap::new(),
        texts: Vec::new(),
        class: None,
        well_known: false,
        marks: Vec::new(),
        set_globals: HashSet::new(),
        unordered: false,
        truncated: false,
    };
    loop {
        let step = walk.step();
        if let Some(class) = walk.class.take() {
            return Verdict::Class(class);
        }
        if walk.unordered {
            return Verdict::Unordered;
        }
        if walk.truncated {
            return Verdict::Truncated;
        }
        match step {
            Step::Next => continue,
            Step::Stop => break,
            Step::Unfollowed => return Verdict::Fine,
        }
    }
    let Some(root) = walk.pop() else {
        return Verdict::Fine;
    };
    match measure(&walk.children, root, max_depth, max_objects) {
        Verdict::Fine if walk.well_known => Verdict::WellKnown,
        verdict => verdict,
    }
}

/// Depth-first over the graph without recursion: the depth and the number of objects of
/// `root` once every alias is copied, stopping at the first limit passed.
fn measure(children: &[Vec<usize>], root: usize, max_depth: usize, max_objects: u64) -> Verdict {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        New,
        Open,
        Done { depth: usize, size: u64 },
    }
    let mut state = vec![State::New; children.len()];
    let mut path: Vec<(usize, usize)> = vec![(root, 0)];
    while let Some(&(node, next)) = path.last() {
        let Some(kids) = children.get(node) else {
            return Verdict::Fine;
        };
        if next == 0 {
            if let Some(slot) = state.get_mut(node) {
                *slot = State::Open;
            }
        }
        if let Some(&child) = kids.get(next) {
            if let Some(top) = path.last_mut() {
                top.1 += 1;
            }
            match state.get(child) {
                Some(State::New) => {
                    if path.len() >= max_depth {
                        return Verdict::TooDeep(path.len() + 1);
                    }
                    path.push((child, 0));
                }
                Some(State::Open) => return Verdict::Recursive,
                _ => {}
            }
            continue;
        }
        let (mut depth, mut size) = (1usize, 1u64);
        for child in kids {
            if let Some(State::Done { depth: d, size: s }) = state.get(*child) {
                depth = depth.max(d + 1);
                size = size.saturating_add(*s);
            }
        }
        if depth > max_depth {
            return Verdict::TooDeep(depth);
        }
        if size > max_objects {
            return Verdict::TooLarge(size);
        }
        if let Some(slot) = state.get_mut(node) {
            *slot = State::Done { depth, size };
        }
        path.pop();
    }
    Verdict::Fine
}
