//! Checks the sizes an Arrow IPC file declares before any decoder allocates them.
//!
//! A compressed buffer starts with its uncompressed length, which the readers (arrow-ipc's as
//! polars') allocate at once: a corrupt length of 2^51 bytes ends the process. Here every
//! block, message and buffer is bounded by the input, and every declared uncompressed length
//! by the most its codec can expand the compressed bytes to.

use arrow_ipc::{Block, CompressionType, Footer, Message, MessageHeader, RecordBatch};

use super::bounds::{malformed, LZ4_MAX_RATIO, SLACK, ZSTD_MAX_RATIO};
use crate::ErrorKind;

const MAGIC: &[u8] = b"ARROW1";

/// `bytes[start..start + len]`, or an error naming `what`.
fn slice<'a>(bytes: &'a [u8], start: usize, len: usize, what: &str) -> Result<&'a [u8], ErrorKind> {
    start
        .checked_add(len)
        .and_then(|end| bytes.get(start..end))
        .ok_or_else(|| malformed(format!("the {what} lies outside the file")))
}

fn to_usize(value: i64, what: &str) -> Result<usize, ErrorKind> {
    usize::try_from(value).map_err(|_| malformed(format!("the {what} is negative")))
}

fn le_i32(bytes: &[u8]) -> Option<i32> {
    Some(i32::from_le_bytes(bytes.get(..4)?.try_into().ok()?))
}

pub(super) fn check(bytes: &[u8]) -> Result<(), ErrorKind> {
    let footer = footer(bytes)?;
    let blocks = footer.recordBatches().into_iter().flatten();
    for block in blocks.chain(footer.dictionaries().into_iter().flatten()) {
        let (message, body) = message_at(bytes, block)?;
        if let Some((batch, _)) = batch_of(&message) {
            check_batch(&batch, body)?;
        }
    }
    Ok(())
}

/// The file's footer, found from the end, as the readers find it, whatever the file starts
/// with.
pub(super) fn footer(bytes: &[u8]) -> Result<Footer<'_>, ErrorKind> {
    if bytes.len() < MAGIC.len() + 4 || !bytes.ends_with(MAGIC) {
        return Err(malformed(
            "not an Arrow IPC file: it does not end with `ARROW1`".into(),
        ));
    }
    let footer_end = bytes.len() - MAGIC.len() - 4;
    let footer_len = le_i32(slice(bytes, footer_end, 4, "footer length")?).unwrap_or(-1);
    let footer_len = to_usize(i64::from(footer_len), "footer length")?;
    let footer_start = footer_end
        .checked_sub(footer_len)
        .ok_or_else(|| malformed("the footer is longer than the file".into()))?;
    arrow_ipc::root_as_footer(slice(bytes, footer_start, footer_len, "footer")?)
        .map_err(|err| malformed(format!("the footer is not valid: {err}")))
}

/// The message a footer block points at, and its body.
pub(super) fn message_at<'a>(
    bytes: &'a [u8],
    block: &Block,
) -> Result<(Message<'a>, &'a [u8]), ErrorKind> {
    let offset = to_usize(block.offset(), "block offset")?;
    let meta_len = to_usize(i64::from(block.metaDataLength()), "message length")?;
    let body_len = to_usize(block.bodyLength(), "body length")?;
    let meta = slice(bytes, offset, meta_len, "message")?;
    let body = slice(bytes, offset + meta_len, body_len, "message body")?;
    let message = arrow_ipc::root_as_message(flatbuffer(meta)?)
        .map_err(|err| malformed(format!("a message is not valid: {err}")))?;
    Ok((message, body))
}

/// The flatbuffer of the message `meta` starts with: a message is `0xFFFFFFFF`, its length
/// and the flatbuffer (older files: no marker).
pub(super) fn flatbuffer(meta: &[u8]) -> Result<&[u8], ErrorKind> {
    let (prefix, rest) = match le_i32(meta) {
        Some(-1) => (8, meta.get(4..).unwrap_or_default()),
        _ => (4, meta),
    };
    let message_len = to_usize(i64::from(le_i32(rest).unwrap_or(-1)), "message length")?;
    slice(meta, prefix, message_len, "message")
}

/// The batch a record batch or dictionary message carries, with the dictionary's id and
/// delta flag; `None` for any other message.
pub(super) fn batch_of<'a>(
    message: &Message<'a>,
) -> Option<(RecordBatch<'a>, Option<(i64, bool)>)> {
    match message.header_type() {
        MessageHeader::RecordBatch => Some((message.header_as_record_batch()?, None)),
        MessageHeader::DictionaryBatch => {
            let dictionary = message.header_as_dictionary_batch()?;
            Some((
                dictionary.data()?,
                Some((dictionary.id(), dictionary.isDelta())),
            ))
        }
        _ => None,
    }
}

fn check_batch(batch: &RecordBatch<'_>, body: &[u8]) -> Result<(), ErrorKind> {
    let ratio = batch
        .compression()
        .map(|compression| match compression.codec() {
            CompressionType::LZ4_FRAME => LZ4_MAX_RATIO,
            _ => ZSTD_MAX_RATIO,
        });
    for buffer in batch.buffers().into_iter().flatten() {
        let offset = to_usize(buffer.offset(), "buffer offset")?;
        let len = to_usize(buffer.length(), "buffer length")?;
        let data = slice(body, offset, len, "buffer")?;
        let Some(ratio) = ratio else { continue };
        if len == 0 {
            continue;
        }
        let declared = data
            .get(..8)
            .and_then(|prefix| prefix.try_into().ok())
            .map(i64::from_le_bytes)
            .ok_or_else(|| {
                malformed(format!(
                    "a compressed buffer of {len} bytes has no length prefix"
                ))
            })?;
        if declared == -1 {
            // Stored uncompressed.
            continue;
        }
        let most = ratio.saturating_mul(len as u64 - 8).saturating_add(SLACK);
        if u64::try_from(declared).map_or(true, |declared| declared > most) {
            return Err(malformed(format!(
                "a compressed buffer of {len} bytes claims {declared} bytes uncompressed, more than its codec can produce ({most})"
            )));
        }
    }
    Ok(())
}
