//! What the format checks share: the most each codec can expand its input, to which the sizes a
//! file declares are held.

/// Snappy's densest element, a 64-byte copy from a 3-byte tag, expands 21.3 times: 32 bounds it.
pub(super) const SNAPPY_MAX_RATIO: u64 = 32;
/// Deflate expands at most 1,032 times.
pub(super) const GZIP_MAX_RATIO: u64 = 1_032;
/// LZ4 expands its input less than 255 times (a long match costs a byte per 255 bytes of
/// length): 256 bounds it.
pub(super) const LZ4_MAX_RATIO: u64 = 256;
/// Zstd's densest block, an RLE block of 128 KiB from 4 bytes, expands 32,768 times.
pub(super) const ZSTD_MAX_RATIO: u64 = 32_768;
/// Frame headers and the like, allowed on top of a ratio.
pub(super) const SLACK: u64 = 4_096;
