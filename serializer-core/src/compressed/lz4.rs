//! Where each frame of an LZ4 input ends, read from the frame format's own sizes.
//!
//! The format defines a concatenation of frames as the concatenation of their contents, and
//! skippable frames as data to pass over. lz4_flex's decoder stops at the end of the first
//! frame, and at a block boundary where the input ends, so the frames are found here first:
//! each is decoded whole, and a frame cut short or bytes that are no frame are errors.

use crate::cursor::Cursor;

const MAGIC: u64 = 0x184D_2204;
const LEGACY_MAGIC: u64 = 0x184C_2102;
const SKIPPABLE_MAGIC: std::ops::RangeInclusive<u64> = 0x184D_2A50..=0x184D_2A5F;

/// The frame descriptor's flags.
const BLOCK_CHECKSUM: u8 = 0x10;
const CONTENT_SIZE: u8 = 0x08;
const CONTENT_CHECKSUM: u8 = 0x04;
const DICTIONARY_ID: u8 = 0x01;
/// A block size's high bit marks a block stored uncompressed.
const UNCOMPRESSED_BLOCK: u64 = 0x8000_0000;

/// What the input starts with.
pub(super) enum Frame<'a> {
    /// A frame to decode, whole, and what follows it.
    Data(&'a [u8], &'a [u8]),
    /// A skippable frame, and what follows it.
    Skippable(&'a [u8]),
    /// A frame that ends before its end mark.
    Truncated,
    /// Bytes that start no frame.
    Unknown,
}

/// The first frame of `input`, which is not empty.
pub(super) fn first(input: &[u8]) -> Frame<'_> {
    let mut cursor = Cursor::new(input);
    let Some(magic) = cursor.uint_le(4) else {
        return Frame::Unknown;
    };
    let end = if magic == MAGIC {
        frame_end(&mut cursor)
    } else if SKIPPABLE_MAGIC.contains(&magic) {
        let skipped = cursor
            .uint_le(4)
            .and_then(|len| cursor.take(usize::try_from(len).ok()?));
        return match skipped {
            Some(_) => Frame::Skippable(cursor.rest()),
            None => Frame::Truncated,
        };
    } else if magic == LEGACY_MAGIC {
        // A legacy frame has no end mark: it runs to the end of the input.
        Some(input.len())
    } else {
        return Frame::Unknown;
    };
    match end.and_then(|end| Some((input.get(..end)?, input.get(end..)?))) {
        Some((frame, rest)) => Frame::Data(frame, rest),
        None => Frame::Truncated,
    }
}

/// Where the frame whose magic number `cursor` has read ends: after its descriptor, its
/// blocks, the end mark and the content checksum.
fn frame_end(cursor: &mut Cursor<'_>) -> Option<usize> {
    let flags = *cursor.take(2)?.first()?;
    let mut descriptor_rest = 1; // The header checksum.
    if flags & CONTENT_SIZE != 0 {
        descriptor_rest += 8;
    }
    if flags & DICTIONARY_ID != 0 {
        descriptor_rest += 4;
    }
    cursor.take(descriptor_rest)?;
    let block_checksum = if flags & BLOCK_CHECKSUM != 0 { 4 } else { 0 };
    loop {
        let size = cursor.uint_le(4)?;
        if size == 0 {
            break;
        }
        let len = usize::try_from(size & !UNCOMPRESSED_BLOCK).ok()?;
        cursor.take(len.checked_add(block_checksum)?)?;
    }
    if flags & CONTENT_CHECKSUM != 0 {
        cursor.take(4)?;
    }
    Some(cursor.pos())
}
