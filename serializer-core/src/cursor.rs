//! The byte cursor of every hand-written reader (date-times, Python's JSON, the pickle walk,
//! the avro check): untrusted bytes read front to back, every read checked against what is
//! left, so that no input can make a reader index past its end.

/// A position in untrusted bytes. It is `Copy`: a reader that looks ahead keeps a copy and
/// goes back to it.
#[derive(Clone, Copy)]
pub(crate) struct Cursor<'a> {
    bytes: &'a [u8],
    /// At most `bytes.len()`.
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Cursor { bytes, pos: 0 }
    }

    /// How many bytes were read.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// The bytes not read yet.
    pub(crate) fn rest(&self) -> &'a [u8] {
        self.bytes.get(self.pos..).unwrap_or_default()
    }

    pub(crate) fn remaining(&self) -> usize {
        self.rest().len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rest().is_empty()
    }

    /// The bytes read since `start`, an earlier [`pos`](Self::pos).
    pub(crate) fn since(&self, start: usize) -> &'a [u8] {
        self.bytes.get(start..self.pos).unwrap_or_default()
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        self.rest().first().copied()
    }

    /// The byte `offset` bytes past the next one.
    pub(crate) fn peek_at(&self, offset: usize) -> Option<u8> {
        self.rest().get(offset).copied()
    }

    /// Moves past `len` bytes, or to the end if fewer are left.
    pub(crate) fn advance(&mut self, len: usize) {
        self.pos += len.min(self.remaining());
    }

    /// Moves past `byte` if it is next.
    pub(crate) fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.pos += 1;
        }
        found
    }

    /// Moves past `word` if it is next.
    pub(crate) fn eat_bytes(&mut self, word: &[u8]) -> bool {
        let found = self.rest().starts_with(word);
        if found {
            self.pos += word.len();
        }
        found
    }

    /// The next `len` bytes, or `None` (and nothing read) if fewer are left.
    pub(crate) fn take(&mut self, len: usize) -> Option<&'a [u8]> {
        let taken = self.rest().get(..len)?;
        self.pos += len;
        Some(taken)
    }

    /// How many of the next bytes match `predicate`, without reading them.
    pub(crate) fn count_while(&self, predicate: impl Fn(u8) -> bool) -> usize {
        self.rest()
            .iter()
            .take_while(|byte| predicate(**byte))
            .count()
    }

    /// The bytes up to the next `\n`, which is read too; `None` if no `\n` is left.
    #[cfg_attr(not(feature = "pickle"), allow(dead_code))]
    pub(crate) fn line(&mut self) -> Option<&'a [u8]> {
        let rest = self.rest();
        let end = rest.iter().position(|byte| *byte == b'\n')?;
        self.pos += end + 1;
        rest.get(..end)
    }

    /// A little-endian unsigned integer of `len` bytes (at most 8).
    #[cfg_attr(not(any(feature = "pickle", feature = "lz4")), allow(dead_code))]
    pub(crate) fn uint_le(&mut self, len: usize) -> Option<u64> {
        let mut padded = [0u8; 8];
        padded.get_mut(..len)?.copy_from_slice(self.take(len)?);
        Some(u64::from_le_bytes(padded))
    }
}

#[cfg(test)]
mod tests {
    use super::Cursor;

    #[test]
    fn reads_never_pass_the_end() {
        let mut cursor = Cursor::new(b"ab\ncd\x01\x02");
        assert_eq!(cursor.take(9), None);
        assert_eq!(cursor.pos(), 0);
        assert_eq!(cursor.line(), Some(&b"ab"[..]));
        assert!(cursor.eat_bytes(b"cd"));
        assert_eq!(cursor.since(3), b"cd");
        let mark = cursor;
        assert_eq!(cursor.uint_le(2), Some(0x0201));
        assert!(cursor.is_empty());
        assert_eq!(cursor.line(), None);
        cursor.advance(10);
        assert_eq!(cursor.pos(), 7);
        cursor = mark;
        assert_eq!(cursor.peek_at(1), Some(2));
        assert_eq!(cursor.uint_le(9), None);
        assert_eq!(cursor.count_while(|byte| byte < 2), 1);
    }
}
