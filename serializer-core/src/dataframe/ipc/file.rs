//! An Arrow IPC file parsed once: the footer's blocks, each block's message and batch, and the
//! bytes of every buffer, each offset and length checked against the input. The size check
//! (`validate`) and the decompression (`inflate`) both read this.

use arrow_ipc::{Block, CompressionType, Message, MessageHeader, RecordBatch};

use crate::error::ErrorKind;

const MAGIC: &[u8] = b"ARROW1";

pub(super) struct IpcFile<'a> {
    bytes: &'a [u8],
    /// The dictionary batches, then the record batches, in the footer's order.
    pub(super) batches: Vec<Batch<'a>>,
}

/// A record batch or a dictionary batch.
pub(super) struct Batch<'a> {
    pub(super) message: Message<'a>,
    pub(super) batch: RecordBatch<'a>,
    /// A dictionary batch's id and delta flag; `None` for a record batch.
    pub(super) dictionary: Option<(i64, bool)>,
    /// Each buffer's bytes in the message body, as the batch lays them out.
    pub(super) buffers: Vec<&'a [u8]>,
}

impl Batch<'_> {
    /// The codec of the batch's buffers, if they are compressed.
    pub(super) fn codec(&self) -> Option<CompressionType> {
        self.batch
            .compression()
            .map(|compression| compression.codec())
    }
}

impl<'a> IpcFile<'a> {
    /// Parses the footer, found from the end as the readers find it (whatever the file starts
    /// with), and every block it lists.
    pub(super) fn parse(bytes: &'a [u8]) -> Result<Self, ErrorKind> {
        let (footer, footer_start) = footer(bytes)?;
        let blocks: Vec<&Block> = footer
            .dictionaries()
            .into_iter()
            .flatten()
            .chain(footer.recordBatches().into_iter().flatten())
            .collect();
        check_layout(bytes, &blocks, footer_start)?;
        let batches = blocks
            .into_iter()
            .map(|block| batch_at(bytes, block))
            .collect::<Result<_, _>>()?;
        Ok(IpcFile { bytes, batches })
    }

    /// The schema message's flatbuffer where writers put it: first, after `ARROW1` and two
    /// bytes of padding.
    pub(super) fn leading_schema(&self) -> Option<&'a [u8]> {
        self.bytes
            .get(8..)
            .and_then(|rest| flatbuffer(rest).ok())
            .filter(|schema| {
                arrow_ipc::root_as_message(schema)
                    .is_ok_and(|message| message.header_type() == MessageHeader::Schema)
            })
    }
}

/// `bytes[start..start + len]`, or an error naming `what`.
fn slice<'a>(bytes: &'a [u8], start: usize, len: usize, what: &str) -> Result<&'a [u8], ErrorKind> {
    start
        .checked_add(len)
        .and_then(|end| bytes.get(start..end))
        .ok_or_else(|| ErrorKind::malformed(format!("the {what} lies outside the file")))
}

fn to_usize(value: i64, what: &str) -> Result<usize, ErrorKind> {
    usize::try_from(value).map_err(|_| ErrorKind::malformed(format!("the {what} is negative")))
}

fn le_i32(bytes: &[u8]) -> Option<i32> {
    Some(i32::from_le_bytes(bytes.get(..4)?.try_into().ok()?))
}

/// The footer, and where it starts.
fn footer(bytes: &[u8]) -> Result<(arrow_ipc::Footer<'_>, usize), ErrorKind> {
    if bytes.len() < MAGIC.len() + 4 || !bytes.ends_with(MAGIC) {
        return Err(ErrorKind::malformed(
            "not an Arrow IPC file: it does not end with `ARROW1`",
        ));
    }
    let footer_end = bytes.len() - MAGIC.len() - 4;
    let footer_len = le_i32(slice(bytes, footer_end, 4, "footer length")?).unwrap_or(-1);
    let footer_len = to_usize(i64::from(footer_len), "footer length")?;
    let footer_start = footer_end
        .checked_sub(footer_len)
        .ok_or_else(|| ErrorKind::malformed("the footer is longer than the file"))?;
    let footer = arrow_ipc::root_as_footer(slice(bytes, footer_start, footer_len, "footer")?)
        .map_err(|err| ErrorKind::malformed(format!("the footer is not valid: {err}")))?;
    Ok((footer, footer_start))
}

/// An IPC file is `ARROW1` and padding, the schema message, the blocks, an optional
/// end-of-stream marker, then the footer, whose offsets count from the file's first byte.
/// Bytes before `ARROW1` or between the last message and the footer are another file's or
/// junk: the footer's offsets would read the wrong bytes (two files one after the other read
/// as the first one's batches), so they are refused.
fn check_layout(bytes: &[u8], blocks: &[&Block], footer_start: usize) -> Result<(), ErrorKind> {
    /// The end-of-stream marker, and its form before Arrow 0.15.
    const END_OF_STREAM: [&[u8]; 3] = [&[0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0], &[0, 0, 0, 0], &[]];
    if !bytes.starts_with(MAGIC) {
        return Err(ErrorKind::malformed(
            "not an Arrow IPC file: it does not start with `ARROW1`",
        ));
    }
    // The schema message: `0xFFFFFFFF` and its length (older files: the length alone).
    // A file too short for either word reads them as missing (`None`), refused below.
    let schema_end = match (
        le_i32(bytes.get(8..).unwrap_or_default()),
        le_i32(bytes.get(12..).unwrap_or_default()),
    ) {
        (Some(-1), Some(len)) => 16 + i64::from(len),
        (Some(len), _) => 12 + i64::from(len),
        _ => 8,
    };
    let end = blocks
        .iter()
        .map(|block| {
            block
                .offset()
                .saturating_add(i64::from(block.metaDataLength()))
                .saturating_add(block.bodyLength())
        })
        .fold(schema_end, i64::max);
    let between = usize::try_from(end)
        .ok()
        .and_then(|end| bytes.get(end..footer_start));
    if !between.is_some_and(|between| END_OF_STREAM.contains(&between)) {
        return Err(ErrorKind::malformed(format!(
            "its footer starts at byte {footer_start}, but its messages end at byte {end}: the \
             input is not one Arrow IPC file"
        )));
    }
    Ok(())
}

/// The batch at a footer block: its message, and its buffers in the message body.
fn batch_at<'a>(bytes: &'a [u8], block: &Block) -> Result<Batch<'a>, ErrorKind> {
    let offset = to_usize(block.offset(), "block offset")?;
    let meta_len = to_usize(i64::from(block.metaDataLength()), "message length")?;
    let body_len = to_usize(block.bodyLength(), "body length")?;
    let meta = slice(bytes, offset, meta_len, "message")?;
    let body = slice(bytes, offset + meta_len, body_len, "message body")?;
    let message = arrow_ipc::root_as_message(flatbuffer(meta)?)
        .map_err(|err| ErrorKind::malformed(format!("a message is not valid: {err}")))?;
    let (batch, dictionary) = match message.header_type() {
        MessageHeader::RecordBatch => (message.header_as_record_batch(), None),
        MessageHeader::DictionaryBatch => {
            let dictionary = message.header_as_dictionary_batch();
            (
                dictionary.and_then(|dictionary| dictionary.data()),
                dictionary.map(|dictionary| (dictionary.id(), dictionary.isDelta())),
            )
        }
        _ => (None, None),
    };
    let batch = batch
        .ok_or_else(|| ErrorKind::malformed("a block holds neither a batch nor a dictionary"))?;
    let buffers = batch
        .buffers()
        .into_iter()
        .flatten()
        .map(|buffer| {
            let offset = to_usize(buffer.offset(), "buffer offset")?;
            let len = to_usize(buffer.length(), "buffer length")?;
            slice(body, offset, len, "buffer")
        })
        .collect::<Result<_, _>>()?;
    Ok(Batch {
        message,
        batch,
        dictionary,
        buffers,
    })
}

/// The flatbuffer of the message `meta` starts with: a message is `0xFFFFFFFF`, its length
/// and the flatbuffer (older files: no marker).
fn flatbuffer(meta: &[u8]) -> Result<&[u8], ErrorKind> {
    let (prefix, rest) = match le_i32(meta) {
        // The marker read: at least 4 bytes are there, and the default is never taken.
        Some(-1) => (8, meta.get(4..).unwrap_or_default()),
        _ => (4, meta),
    };
    let message_len = to_usize(i64::from(le_i32(rest).unwrap_or(-1)), "message length")?;
    slice(meta, prefix, message_len, "message")
}
