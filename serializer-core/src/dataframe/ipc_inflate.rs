//! Decompresses the buffers of a compressed Arrow IPC file, on every core, into an uncompressed
//! Arrow IPC stream for polars to read.
//!
//! polars decompresses LZ4 buffers one at a time through liblz4's frame decoder, and the frame
//! checksum (XXH32) it verifies took most of reading W4's feather file. Here lz4_flex (which
//! verifies the checksum too) and zstd decompress straight into the stream, and the messages
//! are written again with the new buffer offsets and no compression. Run after
//! [`ipc_guard::check`](super::ipc_guard::check), which bounds every declared length.

use std::io::Read;

use arrow_ipc::{
    Buffer, CompressionType, DictionaryBatchBuilder, FieldNode, MessageBuilder, MessageHeader,
    RecordBatch, RecordBatchBuilder,
};
use flatbuffers::FlatBufferBuilder;
use rayon::prelude::*;

use super::ipc_guard::{footer, malformed, message_at};
use crate::ErrorKind;

/// How a stream buffer gets its bytes.
enum Fill<'a> {
    Copy(&'a [u8]),
    Lz4(&'a [u8]),
    Zstd(&'a [u8]),
}

/// A message of the stream: its flatbuffer, and its body as buffers at their offsets.
struct Message<'a> {
    metadata: Vec<u8>,
    body_len: usize,
    fills: Vec<(usize, usize, Fill<'a>)>,
}

const CONTINUATION: [u8; 4] = [0xff; 4];

fn padded(len: usize) -> usize {
    len.next_multiple_of(8)
}

/// The file as an uncompressed IPC stream, or `None` when no buffer in it is compressed (or
/// its schema is not where writers put it).
pub(super) fn to_stream(bytes: &[u8]) -> Result<Option<Vec<u8>>, ErrorKind> {
    let footer = footer(bytes)?;
    let blocks: Vec<_> = footer
        .dictionaries()
        .into_iter()
        .flatten()
        .chain(footer.recordBatches().into_iter().flatten())
        .collect();
    let mut compressed = false;
    let mut messages = Vec::with_capacity(blocks.len());
    for block in &blocks {
        let (message, body) = message_at(bytes, block)?;
        let (batch, dictionary) = match message.header_type() {
            MessageHeader::RecordBatch => (message.header_as_record_batch(), None),
            MessageHeader::DictionaryBatch => {
                let dictionary = message.header_as_dictionary_batch();
                (dictionary.and_then(|d| d.data()), dictionary)
            }
            _ => {
                return Err(malformed(
                    "a block holds neither a batch nor a dictionary".into(),
                ))
            }
        };
        let batch = batch.ok_or_else(|| malformed("a batch message has no batch".into()))?;
        compressed |= batch.compression().is_some();
        messages.push(rewrite(
            &message,
            &batch,
            dictionary.map(|d| (d.id(), d.isDelta())),
            body,
        )?);
    }
    if !compressed {
        return Ok(None);
    }

    // The schema message leads the file, after `ARROW1` and two bytes of padding; a file
    // without it there goes to polars' file reader, which reads the footer's.
    let Some(schema) = bytes
        .get(8..)
        .and_then(|rest| {
            let (prefix, len) = match rest.get(..4)? {
                [0xff, 0xff, 0xff, 0xff] => (8usize, rest.get(4..8)?),
                _ => (4, rest.get(..4)?),
            };
            let len = usize::try_from(i32::from_le_bytes(len.try_into().ok()?)).ok()?;
            rest.get(prefix..prefix.checked_add(len)?)
        })
        .filter(|metadata| {
            arrow_ipc::root_as_message(metadata)
                .is_ok_and(|message| message.header_type() == MessageHeader::Schema)
        })
    else {
        return Ok(None);
    };

    let total = messages
        .iter()
        .fold(padded(schema.len()) + 16, |total, message| {
            total + 8 + message.metadata.len() + message.body_len
        });
    let mut stream = Vec::with_capacity(total);
    write_metadata(&mut stream, schema);
    let mut fills = Vec::new();
    for message in messages {
        write_metadata(&mut stream, &message.metadata);
        let start = stream.len();
        stream.resize(start + message.body_len, 0);
        fills.extend(
            message
                .fills
                .into_iter()
                .map(|(offset, len, fill)| (start + offset, len, fill)),
        );
    }
    stream.extend_from_slice(&CONTINUATION);
    stream.extend_from_slice(&0i32.to_le_bytes());

    // Hand each buffer its own part of the stream, then fill them on every core.
    let mut parts = Vec::with_capacity(fills.len());
    let mut rest = stream.as_mut_slice();
    let mut at = 0;
    for (offset, len, fill) in fills {
        let (_, tail) = rest
            .split_at_mut_checked(offset - at)
            .ok_or_else(|| malformed("a buffer lies outside the stream".into()))?;
        let (part, tail) = tail
            .split_at_mut_checked(len)
            .ok_or_else(|| malformed("a buffer lies outside the stream".into()))?;
        parts.push((part, fill));
        rest = tail;
        at = offset + len;
    }
    parts
        .into_par_iter()
        .try_for_each(|(part, fill)| decompress(part, &fill))?;
    Ok(Some(stream))
}

/// The message again, its buffers laid out uncompressed; the fills say where each comes from.
fn rewrite<'a>(
    message: &arrow_ipc::Message<'_>,
    batch: &RecordBatch<'_>,
    dictionary: Option<(i64, bool)>,
    body: &'a [u8],
) -> Result<Message<'a>, ErrorKind> {
    let codec = batch.compression().map(|compression| compression.codec());
    let mut buffers = Vec::new();
    let mut fills = Vec::new();
    let mut offset = 0usize;
    for buffer in batch.buffers().into_iter().flatten() {
        let start = usize::try_from(buffer.offset()).unwrap_or(usize::MAX);
        let data = usize::try_from(buffer.length())
            .ok()
            .and_then(|len| body.get(start..start.checked_add(len)?))
            .ok_or_else(|| malformed("a buffer lies outside its message".into()))?;
        let (fill, len) = match codec {
            Some(codec) if !data.is_empty() => {
                let (declared, payload) = data
                    .split_first_chunk::<8>()
                    .ok_or_else(|| malformed("a compressed buffer has no length prefix".into()))?;
                match i64::from_le_bytes(*declared) {
                    -1 => (Fill::Copy(payload), payload.len()),
                    declared => {
                        let len = usize::try_from(declared).map_err(|_| {
                            malformed(format!("a buffer declares {declared} bytes"))
                        })?;
                        let fill = if codec == CompressionType::LZ4_FRAME {
                            Fill::Lz4(payload)
                        } else {
                            Fill::Zstd(payload)
                        };
                        (fill, len)
                    }
                }
            }
            _ => (Fill::Copy(data), data.len()),
        };
        buffers.push(Buffer::new(offset as i64, len as i64));
        fills.push((offset, len, fill));
        offset = padded(offset + len);
    }

    let mut builder = FlatBufferBuilder::new();
    let nodes: Vec<FieldNode> = batch.nodes().into_iter().flatten().copied().collect();
    let nodes = builder.create_vector(&nodes);
    let buffers = builder.create_vector(&buffers);
    let variadic = batch
        .variadicBufferCounts()
        .map(|counts| builder.create_vector(&counts.iter().collect::<Vec<i64>>()));
    let mut record = RecordBatchBuilder::new(&mut builder);
    record.add_length(batch.length());
    record.add_nodes(nodes);
    record.add_buffers(buffers);
    if let Some(variadic) = variadic {
        record.add_variadicBufferCounts(variadic);
    }
    let record = record.finish();
    let (header_type, header) = match dictionary {
        Some((id, delta)) => {
            let mut batch = DictionaryBatchBuilder::new(&mut builder);
            batch.add_id(id);
            batch.add_data(record);
            batch.add_isDelta(delta);
            (
                MessageHeader::DictionaryBatch,
                batch.finish().as_union_value(),
            )
        }
        None => (MessageHeader::RecordBatch, record.as_union_value()),
    };
    let mut new = MessageBuilder::new(&mut builder);
    new.add_version(message.version());
    new.add_header_type(header_type);
    new.add_header(header);
    new.add_bodyLength(offset as i64);
    let new = new.finish();
    builder.finish(new, None);
    Ok(Message {
        metadata: builder.finished_data().to_vec(),
        body_len: offset,
        fills,
    })
}

/// A message's prefix (continuation marker, padded length), flatbuffer and padding.
fn write_metadata(stream: &mut Vec<u8>, metadata: &[u8]) {
    let len = padded(metadata.len());
    stream.extend_from_slice(&CONTINUATION);
    stream.extend_from_slice(&(len as i32).to_le_bytes());
    stream.extend_from_slice(metadata);
    stream.resize(stream.len() + len - metadata.len(), 0);
}

fn decompress(part: &mut [u8], fill: &Fill<'_>) -> Result<(), ErrorKind> {
    let wrong_length = || malformed("a compressed buffer is not the length it declares".into());
    match fill {
        Fill::Copy(data) => part.copy_from_slice(data),
        Fill::Lz4(data) => {
            let mut decoder = lz4_flex::frame::FrameDecoder::new(*data);
            decoder
                .read_exact(part)
                .map_err(|err| malformed(format!("an LZ4 buffer is corrupt: {err}")))?;
            if decoder
                .read(&mut [0])
                .map_err(|err| malformed(format!("an LZ4 buffer is corrupt: {err}")))?
                != 0
            {
                return Err(wrong_length());
            }
        }
        Fill::Zstd(data) => {
            let written = zstd::bulk::Decompressor::new()
                .and_then(|mut decompressor| decompressor.decompress_to_buffer(data, part))
                .map_err(|err| malformed(format!("a zstd buffer is corrupt: {err}")))?;
            if written != part.len() {
                return Err(wrong_length());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use polars::prelude::df;

    use super::to_stream;
    use crate::dataframe::{DataFrameSerializer, IpcCompression, IpcOptions};
    use crate::Serializer;

    #[test]
    fn compressed_files_become_streams_and_others_stay_files() {
        let frame = df!("n" => [1i64, 2, 3], "s" => ["x", "y", "z"]).unwrap();
        let bytes = |compression| {
            DataFrameSerializer::ipc(IpcOptions::new().with_compression(compression))
                .serialize(&frame)
                .unwrap()
        };
        for compression in [IpcCompression::Lz4, IpcCompression::Zstd(None)] {
            let stream = to_stream(&bytes(compression)).unwrap().unwrap();
            // An IPC stream: the schema message first, the end-of-stream marker last.
            assert_eq!(stream.get(..4), Some(&[0xff; 4][..]));
            assert!(stream.ends_with(&[0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]));
        }
        assert!(to_stream(&bytes(IpcCompression::Uncompressed))
            .unwrap()
            .is_none());
    }
}
