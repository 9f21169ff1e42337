//! What the guards share: the most each codec can expand its input, which declared sizes are
//! held to, and the error for a file that declares more, or anything else it cannot back.

use crate::ErrorKind;

/// Snappy's densest element, a 64-byte copy from a 3-byte tag, expands 21 times.
pub(super) const SNAPPY_MAX_RATIO: u64 = 32;
/// Deflate expands at most 1,032 times.
pub(super) const GZIP_MAX_RATIO: u64 = 1_032;
/// LZ4 expands a byte to at most 255.
pub(super) const LZ4_MAX_RATIO: u64 = 256;
/// Zstd's densest block, an RLE block of 128 KiB from 4 bytes, expands 32,768 times.
pub(super) const ZSTD_MAX_RATIO: u64 = 32_768;
/// Frame headers and the like.
pub(super) const SLACK: u64 = 4_096;

pub(super) fn malformed(reason: String) -> ErrorKind {
    ErrorKind::Malformed {
        reason: reason.into(),
    }
}
