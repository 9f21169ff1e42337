//! Checks the sizes an Arrow IPC file declares before any decoder allocates them.
//!
//! A compressed buffer starts with its uncompressed length, which the readers (arrow-ipc's as
//! polars') allocate at once: a corrupt length of 2^51 bytes ends the process. Parsing the
//! file ([`IpcFile::parse`]) bounds every block, message and buffer by the input; here every
//! declared uncompressed length is bounded by the most its codec can expand the compressed
//! bytes to.

use arrow_ipc::CompressionType;

use super::file::IpcFile;
use crate::dataframe::bounds::{LZ4_MAX_RATIO, SLACK, ZSTD_MAX_RATIO};
use crate::error::ErrorKind;

pub(super) fn check(file: &IpcFile<'_>) -> Result<(), ErrorKind> {
    for batch in &file.batches {
        let Some(codec) = batch.codec() else {
            continue;
        };
        let ratio = match codec {
            CompressionType::LZ4_FRAME => LZ4_MAX_RATIO,
            _ => ZSTD_MAX_RATIO,
        };
        for data in batch.buffers.iter().filter(|data| !data.is_empty()) {
            let len = data.len();
            let declared = data
                .first_chunk::<8>()
                .map(|prefix| i64::from_le_bytes(*prefix))
                .ok_or_else(|| {
                    ErrorKind::malformed(format!(
                        "a compressed buffer of {len} bytes has no length prefix"
                    ))
                })?;
            if declared == -1 {
                // Stored uncompressed.
                continue;
            }
            let most = ratio.saturating_mul(len as u64 - 8).saturating_add(SLACK);
            if u64::try_from(declared).map_or(true, |declared| declared > most) {
                return Err(ErrorKind::malformed(format!(
                    "a compressed buffer of {len} bytes claims {declared} bytes uncompressed, more than its codec can produce ({most})"
                )));
            }
        }
    }
    Ok(())
}
