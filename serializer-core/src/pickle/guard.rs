//! Walks a pickle's opcodes before `serde-pickle` runs them, to bound what it would build.
//!
//! `serde-pickle` builds the whole value first and recurses over it: a pickle of a list nested
//! 200,000 deep (400 KB) overflows the stack, and one whose memo refers to the same list again
//! and again (`GET`) makes it copy that list at every reference, exponentially. This walk
//! follows the opcodes on a graph of the objects, aliases included, and computes the depth of
//! the value and the number of objects it expands to, without building it.

use std::collections::HashMap;

/// What the walk found wrong, if anything.
pub(super) enum Verdict {
    /// Within the limits, or not followed to the end (the decoder then reports the fault).
    Fine,
    TooDeep(usize),
    TooLarge(u64),
    Recursive,
}

enum Slot {
    Mark,
    Object(usize),
}

struct Walk<'a> {
    bytes: &'a [u8],
    pos: usize,
    /// The children of each object, by number.
    children: Vec<Vec<usize>>,
    stack: Vec<Slot>,
    memo: HashMap<u64, usize>,
}

impl Walk<'_> {
    fn take(&mut self, len: usize) -> Option<&[u8]> {
        let taken = self.bytes.get(self.pos..self.pos.checked_add(len)?)?;
        self.pos += len;
        Some(taken)
    }

    fn uint(&mut self, len: usize) -> Option<u64> {
        let bytes = self.take(len)?;
        let mut padded = [0u8; 8];
        padded.get_mut(..len)?.copy_from_slice(bytes);
        Some(u64::from_le_bytes(padded))
    }

    fn line(&mut self) -> Option<&[u8]> {
        let rest = self.bytes.get(self.pos..)?;
        let end = rest.iter().position(|byte| *byte == b'\n')?;
        self.pos += end + 1;
        rest.get(..end)
    }

    /// A memo index written as decimal text on a line of its own (protocol 0).
    fn text_index(&mut self) -> Option<u64> {
        std::str::from_utf8(self.line()?).ok()?.trim().parse().ok()
    }

    /// Skips `len` bytes of data after a length of `prefix` bytes.
    fn counted(&mut self, prefix: usize) -> Option<()> {
        let len = usize::try_from(self.uint(prefix)?).ok()?;
        self.take(len).map(drop)
    }

    fn object(&mut self, children: Vec<usize>) -> usize {
        self.children.push(children);
        self.children.len() - 1
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

    /// Follows one opcode; `None` stops the walk (the end, or a fault the decoder reports).
    fn step(&mut self) -> Option<bool> {
        let opcode = *self.take(1)?.first()?;
        match opcode {
            b'.' => return Some(false),
            b'(' => self.stack.push(Slot::Mark),
            b'0' => {
                self.stack.pop()?;
            }
            b'1' => drop(self.pop_to_mark()?),
            b'2' => {
                let top = self.top()?;
                self.stack.push(Slot::Object(top));
            }
            // Scalars, whatever their encoding.
            b'F' | b'I' | b'L' | b'S' | b'V' => {
                self.line()?;
                self.push_new(Vec::new());
            }
            b'J' => self.scalar(4)?,
            b'K' => self.scalar(1)?,
            b'M' => self.scalar(2)?,
            b'G' => self.scalar(8)?,
            b'N' | 0x88 | 0x89 => self.push_new(Vec::new()),
            b'T' | b'X' | b'B' | 0x8b => {
                self.counted(4)?;
                self.push_new(Vec::new());
            }
            b'U' | b'C' | 0x8c | 0x8a => {
                self.counted(1)?;
                self.push_new(Vec::new());
            }
            0x8d | 0x8e | 0x96 => {
                self.counted(8)?;
                self.push_new(Vec::new());
            }
            // Globals: the decoder refuses all but a few builtins.
            b'c' => {
                self.line()?;
                self.line()?;
                self.push_new(Vec::new());
            }
            0x93 => {
                self.pop_n(2)?;
                self.push_new(Vec::new());
            }
            // Containers.
            b']' | b'}' | b')' | 0x8f => self.push_new(Vec::new()),
            b'l' | b't' | b'd' | 0x91 => {
                let items = self.pop_to_mark()?;
                self.push_new(items);
            }
            0x85..=0x87 => {
                let items = self.pop_n(usize::from(opcode - 0x84))?;
                self.push_new(items);
            }
            b'a' => {
                let item = self.pop()?;
                self.extend_top(vec![item])?;
            }
            b's' => {
                let pair = self.pop_n(2)?;
                self.extend_top(pair)?;
            }
            b'e' | b'u' | 0x90 => {
                let items = self.pop_to_mark()?;
                self.extend_top(items)?;
            }
            // Calls and object construction: their arguments end up inside the result.
            b'R' | 0x81 => {
                let args = self.pop_n(2)?;
                self.push_new(args);
            }
            0x92 => {
                let args = self.pop_n(3)?;
                self.push_new(args);
            }
            b'b' => {
                let state = self.pop()?;
                self.extend_top(vec![state])?;
            }
            // The memo.
            b'p' => {
                let index = self.text_index()?;
                let top = self.top()?;
                self.memo.insert(index, top);
            }
            b'q' | b'r' => {
                let index = self.uint(if opcode == b'q' { 1 } else { 4 })?;
                let top = self.top()?;
                self.memo.insert(index, top);
            }
            0x94 => {
                let index = self.memo.len() as u64;
                let top = self.top()?;
                self.memo.insert(index, top);
            }
            b'g' | b'h' | b'j' => {
                let index = match opcode {
                    b'g' => self.text_index()?,
                    b'h' => self.uint(1)?,
                    _ => self.uint(4)?,
                };
                let object = *self.memo.get(&index)?;
                self.stack.push(Slot::Object(object));
            }
            0x80 => drop(self.take(1)?),
            0x95 => drop(self.take(8)?),
            // Anything else (persistent ids, extensions, buffers): the decoder refuses it.
            _ => return None,
        }
        Some(true)
    }

    fn scalar(&mut self, len: usize) -> Option<()> {
        self.take(len)?;
        self.push_new(Vec::new());
        Some(())
    }
}

/// Depth and expanded size of the value `bytes` unpickles to, checked against the limits.
pub(super) fn check(bytes: &[u8], max_depth: usize, max_objects: u64) -> Verdict {
    let mut walk = Walk {
        bytes,
        pos: 0,
        children: Vec::new(),
        stack: Vec::new(),
        memo: HashMap::new(),
    };
    loop {
        match walk.step() {
            Some(true) => continue,
            Some(false) => break,
            None => return Verdict::Fine,
        }
    }
    let Some(root) = walk.pop() else {
        return Verdict::Fine;
    };
    measure(&walk.children, root, max_depth, max_objects)
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
